//! The ticket lifecycle of SPEC §2, as one table. [`crate::service`] reads it for every
//! status and assignment change: the `who` column decides who may make a transition.

use crate::model::TicketStatus::{self, *};
use crate::policy::{Access, Viewer};
use myrelay_core::{Id, Role};

/// Which endpoint makes a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `PATCH /tickets/{id}/assign`: take, release, reassign.
    Assign,
    /// `PATCH /tickets/{id}/status`.
    Status,
}

/// Who may make a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An agent taking the ticket for themselves, or an admin (for any agent).
    AgentForSelfOrAdmin,
    /// The agent the ticket is assigned to, or an admin.
    AssigneeOrAdmin,
    /// Admins only.
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: TicketStatus,
    pub to: TicketStatus,
    pub via: Via,
    pub who: Who,
}

const fn t(from: TicketStatus, to: TicketStatus, via: Via, who: Who) -> Transition {
    Transition { from, to, via, who }
}

/// Every allowed transition. Anything not here answers 409 `invalid_transition`;
/// `closed` is terminal.
#[rustfmt::skip]
pub const TRANSITIONS: &[Transition] = &[
    //  from      to        via          who
    t(Open,     Assigned, Via::Assign, Who::AgentForSelfOrAdmin), // take / assign
    t(Assigned, Open,     Via::Assign, Who::AssigneeOrAdmin),     // release
    t(Assigned, Assigned, Via::Assign, Who::Admin),               // reassign
    t(Assigned, Resolved, Via::Status, Who::AssigneeOrAdmin),     // resolve
    t(Resolved, Assigned, Via::Status, Who::AssigneeOrAdmin),     // reopen
    t(Resolved, Closed,   Via::Status, Who::AssigneeOrAdmin),     // close
    t(Open,     Closed,   Via::Status, Who::Admin),               // close unworked
    t(Assigned, Closed,   Via::Status, Who::Admin),               // close early
];

pub fn find(from: TicketStatus, to: TicketStatus, via: Via) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|tr| tr.from == from && tr.to == to && tr.via == via)
}

/// Statuses the status endpoint may move a ticket to from `from`.
pub fn allowed_status_targets(from: TicketStatus) -> Vec<TicketStatus> {
    TRANSITIONS
        .iter()
        .filter(|tr| tr.from == from && tr.via == Via::Status)
        .map(|tr| tr.to)
        .collect()
}

impl Who {
    /// Whether `actor` may make a transition with this `who` on ticket `t`; `target` is the
    /// agent an assignment names (`None` for status changes and releases).
    pub fn permits(self, actor: Viewer, t: Access, target: Option<Id>) -> bool {
        match (self, actor.role) {
            (_, Role::Admin) => true,
            (_, Role::User) => false,
            (Who::AgentForSelfOrAdmin, Role::Agent) => target == Some(actor.id),
            (Who::AssigneeOrAdmin, Role::Agent) => t.assigned_agent_id == Some(actor.id),
            (Who::Admin, Role::Agent) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_is_terminal() {
        assert!(TRANSITIONS.iter().all(|t| t.from != Closed));
    }

    #[test]
    fn status_endpoint_never_sets_open() {
        assert!(
            TRANSITIONS
                .iter()
                .filter(|t| t.via == Via::Status)
                .all(|t| t.to != Open)
        );
    }

    #[test]
    fn status_endpoint_sets_assigned_only_as_reopen() {
        for t in TRANSITIONS
            .iter()
            .filter(|t| t.via == Via::Status && t.to == Assigned)
        {
            assert_eq!(t.from, Resolved);
        }
    }

    #[test]
    fn allowed_targets() {
        assert_eq!(allowed_status_targets(Open), vec![Closed]);
        assert_eq!(allowed_status_targets(Assigned), vec![Resolved, Closed]);
        assert_eq!(allowed_status_targets(Resolved), vec![Assigned, Closed]);
        assert!(allowed_status_targets(Closed).is_empty());
    }

    #[test]
    fn who_reads_role_first() {
        let held_by_3 = Access {
            created_by: 1,
            assigned_agent_id: Some(3),
            status: Assigned,
        };
        let user = Viewer {
            id: 1,
            role: Role::User,
        };
        let holder = Viewer {
            id: 3,
            role: Role::Agent,
        };
        let other = Viewer {
            id: 4,
            role: Role::Agent,
        };
        let admin = Viewer {
            id: 5,
            role: Role::Admin,
        };
        for who in [Who::AgentForSelfOrAdmin, Who::AssigneeOrAdmin, Who::Admin] {
            assert!(
                !who.permits(user, held_by_3, Some(1)),
                "users never: {who:?}"
            );
            assert!(
                who.permits(admin, held_by_3, Some(3)),
                "admins always: {who:?}"
            );
        }
        assert!(Who::AssigneeOrAdmin.permits(holder, held_by_3, None));
        assert!(!Who::AssigneeOrAdmin.permits(other, held_by_3, None));
        assert!(Who::AgentForSelfOrAdmin.permits(other, held_by_3, Some(4)));
        assert!(!Who::AgentForSelfOrAdmin.permits(other, held_by_3, Some(3)));
        assert!(!Who::Admin.permits(holder, held_by_3, Some(3)));
    }
}
