//! What the tickets feature announces after a commit (see `myrelay_core::notify`).

use crate::model::{Ticket, TicketStatus};
use myrelay_users::UserSummary;

/// A ticket was filed, or its status or assignment changed. `ticket` is the ticket as it is
/// after the change.
#[derive(Debug, Clone)]
pub enum TicketEvent {
    Created {
        ticket: Ticket,
    },
    StatusChanged {
        ticket: Ticket,
        from: TicketStatus,
        actor: UserSummary,
    },
    /// Taken, assigned, reassigned or released (then `ticket.assigned_agent` is `None`).
    AssignmentChanged {
        ticket: Ticket,
        actor: UserSummary,
    },
}

impl TicketEvent {
    pub fn ticket(&self) -> &Ticket {
        match self {
            TicketEvent::Created { ticket }
            | TicketEvent::StatusChanged { ticket, .. }
            | TicketEvent::AssignmentChanged { ticket, .. } => ticket,
        }
    }
}
