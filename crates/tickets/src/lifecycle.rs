//! The ticket lifecycle of SPEC §2, as one table.

use crate::model::TicketStatus::{self, *};

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
pub enum Actor {
    /// An agent taking the ticket for themselves, or an admin.
    SelfAssigningAgentOrAdmin,
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
    pub who: Actor,
}

const fn t(from: TicketStatus, to: TicketStatus, via: Via, who: Actor) -> Transition {
    Transition { from, to, via, who }
}

/// Every allowed transition. Anything not here answers 409 `invalid_transition`;
/// `closed` is terminal.
pub const TRANSITIONS: &[Transition] = &[
    //  from      to        via          who
    t(
        Open,
        Assigned,
        Via::Assign,
        Actor::SelfAssigningAgentOrAdmin,
    ), // take / assign
    t(Assigned, Open, Via::Assign, Actor::AssigneeOrAdmin), // release
    t(Assigned, Assigned, Via::Assign, Actor::Admin),       // reassign
    t(Assigned, Resolved, Via::Status, Actor::AssigneeOrAdmin), // resolve
    t(Resolved, Assigned, Via::Status, Actor::AssigneeOrAdmin), // reopen
    t(Resolved, Closed, Via::Status, Actor::AssigneeOrAdmin), // close
    t(Open, Closed, Via::Status, Actor::Admin),             // close unworked
    t(Assigned, Closed, Via::Status, Actor::Admin),         // close early
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
}
