//! Who may do what with a ticket (SPEC §1). One policy, used by HTTP and sockets alike.
//!
//! This Rust policy is the source of the access rules. Two places must also state them in
//! SQL, where a round trip per row would cost too much: the list statements of
//! [`crate::queries`] (which tickets a viewer's list may contain) and the one-statement
//! message insert of `myrelay_messages::store` (who may post). Those SQL copies follow this
//! file, never the reverse, and the authorization matrix (`crates/api/tests/authz_matrix.rs`,
//! every action × subject × object over HTTP and sockets) holds them to the same answers:
//! change a rule here, then there, and the matrix tells whether they still agree.

use crate::model::{Ticket, TicketStatus};
use myrelay_core::{ApiError, ErrorCode, Id, Role};

/// The caller as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: Id,
    pub role: Role,
}

/// The facts about a ticket the policy reads.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub created_by: Id,
    pub assigned_agent_id: Option<Id>,
    pub status: TicketStatus,
}

impl From<&Ticket> for Access {
    fn from(t: &Ticket) -> Self {
        Access {
            created_by: t.created_by.id,
            assigned_agent_id: t.assigned_agent.as_ref().map(|a| a.id),
            status: t.status,
        }
    }
}

/// Users see tickets they created; agents also the open unassigned pool and tickets
/// assigned to them; admins see everything.
pub fn may_see(v: Viewer, t: Access) -> bool {
    match v.role {
        Role::Admin => true,
        Role::Agent => {
            t.created_by == v.id
                || t.assigned_agent_id == Some(v.id)
                || (t.status == TicketStatus::Open && t.assigned_agent_id.is_none())
        }
        Role::User => t.created_by == v.id,
    }
}

/// 404 when not visible (existence never leaks), 409 `ticket_closed` when closed.
pub fn check_may_post(v: Viewer, t: Access) -> Result<(), ApiError> {
    check_may_see(v, t)?;
    if t.status == TicketStatus::Closed {
        return Err(ApiError::conflict(
            ErrorCode::TicketClosed,
            "The ticket is closed: no new messages.",
        ));
    }
    Ok(())
}

pub fn check_may_see(v: Viewer, t: Access) -> Result<(), ApiError> {
    if may_see(v, t) {
        Ok(())
    } else {
        Err(ApiError::not_found("Ticket"))
    }
}

/// Internal notes (SPEC §11) are for staff: the role is checked before anything about the
/// ticket, so a user asking for one learns nothing (403 whatever the ticket).
pub fn check_staff_for_notes(v: Viewer) -> Result<(), ApiError> {
    if v.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Internal notes are for agents and admins.",
        ))
    }
}

/// Who sees a ticket's notes: staff who may see the ticket.
pub fn may_see_notes(v: Viewer, t: Access) -> bool {
    v.role.is_staff() && may_see(v, t)
}

/// Whether `v` is the assignee (or an admin), the condition for most transitions.
pub fn is_assignee_or_admin(v: Viewer, t: Access) -> bool {
    v.role == Role::Admin || (v.role == Role::Agent && t.assigned_agent_id == Some(v.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    const USER: Viewer = Viewer {
        id: 1,
        role: Role::User,
    };
    const OTHER_USER: Viewer = Viewer {
        id: 2,
        role: Role::User,
    };
    const AGENT: Viewer = Viewer {
        id: 3,
        role: Role::Agent,
    };
    const OTHER_AGENT: Viewer = Viewer {
        id: 4,
        role: Role::Agent,
    };
    const ADMIN: Viewer = Viewer {
        id: 5,
        role: Role::Admin,
    };

    fn ticket(status: TicketStatus, agent: Option<Id>) -> Access {
        Access {
            created_by: 1,
            assigned_agent_id: agent,
            status,
        }
    }

    #[test]
    fn visibility_table() {
        let cases = [
            (USER, ticket(Open, None), true),
            (OTHER_USER, ticket(Open, None), false),
            (AGENT, ticket(Open, None), true),
            (AGENT, ticket(Assigned, Some(3)), true),
            (OTHER_AGENT, ticket(Assigned, Some(3)), false),
            (OTHER_AGENT, ticket(Resolved, Some(3)), false),
            (AGENT, ticket(Closed, None), false),
            (ADMIN, ticket(Closed, Some(3)), true),
        ];
        for (v, t, want) in cases {
            assert_eq!(may_see(v, t), want, "{v:?} {t:?}");
        }
    }

    #[test]
    fn nobody_posts_to_a_closed_ticket() {
        for v in [USER, AGENT, ADMIN] {
            let err = check_may_post(v, ticket(Closed, Some(3))).unwrap_err();
            assert_eq!(err.code(), ErrorCode::TicketClosed);
        }
    }
}
