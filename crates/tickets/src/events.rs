//! What the tickets feature announces after a commit (see `myrelay_core::notify`).

use crate::model::{Ticket, TicketStatus};
use crate::timeline::TimelineEvent;
use myrelay_users::UserSummary;

/// A ticket was filed, or its status or assignment changed. `ticket` is the ticket as it is
/// after the change; `event` is the entry the change added to the ticket's timeline.
#[derive(Debug, Clone)]
pub enum TicketEvent {
    Created {
        ticket: Ticket,
        event: TimelineEvent,
    },
    StatusChanged {
        ticket: Ticket,
        from: TicketStatus,
        actor: UserSummary,
        event: TimelineEvent,
    },
    /// Taken, assigned, reassigned or released (then `ticket.assigned_agent` is `None`).
    AssignmentChanged {
        ticket: Ticket,
        actor: UserSummary,
        event: TimelineEvent,
    },
}

impl TicketEvent {
    pub fn ticket(&self) -> &Ticket {
        match self {
            TicketEvent::Created { ticket, .. }
            | TicketEvent::StatusChanged { ticket, .. }
            | TicketEvent::AssignmentChanged { ticket, .. } => ticket,
        }
    }

    /// The timeline entry the change recorded.
    pub fn recorded(&self) -> &TimelineEvent {
        match self {
            TicketEvent::Created { event, .. }
            | TicketEvent::StatusChanged { event, .. }
            | TicketEvent::AssignmentChanged { event, .. } => event,
        }
    }
}
