//! How features announce what happened, without knowing about sockets.
//!
//! Feature crates call [`Notifier::notify`] *after* their transaction commits. The realtime
//! crate implements the trait and turns events into room broadcasts.

use crate::Id;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

use uuid::Uuid;

/// Who a ticket concerns, so realtime can route an event without another query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketRef {
    pub id: Id,
    pub created_by: Id,
    pub assigned_agent_id: Option<Id>,
    /// Open and unassigned: visible to every agent.
    pub available: bool,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// A ticket was filed. `ticket` is the ticket object as HTTP returns it.
    TicketCreated {
        ticket: TicketRef,
        ticket_json: Value,
    },
    /// Status or assignment changed: `room_event` (`ticket:status:updated` or
    /// `ticket:assigned`) with `room_payload` goes to the ticket room; `ticket_json` feeds
    /// inboxes; realtime works out from the ticket who can no longer see it.
    TicketChanged {
        ticket: TicketRef,
        room_event: &'static str,
        room_payload: Value,
        ticket_json: Value,
    },
    /// A message was stored (over HTTP; socket sends broadcast themselves).
    MessageCreated { ticket_id: Id, message: Value },
    /// One session ended (logout): its sockets are disconnected.
    SessionRevoked { session_id: Uuid },
    /// A user's role or active state changed: every socket of theirs is disconnected so
    /// that it reconnects (or is refused) with what is true now.
    UserAccessChanged { user_id: Id },
}

pub trait Notifier: Send + Sync + 'static {
    /// Must not block: implementations hand the event off and return.
    fn notify(&self, event: Event);
}

/// Drops every event (CLI commands, tools).
pub struct NoopNotifier;
impl Notifier for NoopNotifier {
    fn notify(&self, _event: Event) {}
}

/// Live counts from the realtime layer (across every API instance).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LiveCounts {
    pub connected_clients: u64,
    pub connected_agents: u64,
    pub active_ticket_rooms: u64,
    /// Users with at least one connected socket.
    pub online_users: HashSet<Id>,
}

#[async_trait::async_trait]
pub trait LiveStats: Send + Sync + 'static {
    async fn live_counts(&self) -> LiveCounts;
}

/// No realtime layer: nobody is online.
pub struct NoLiveStats;
#[async_trait::async_trait]
impl LiveStats for NoLiveStats {
    async fn live_counts(&self) -> LiveCounts {
        LiveCounts::default()
    }
}
