//! How features announce what happened, without knowing about sockets.
//!
//! A feature defines its own domain events (a `TicketEvent`, a `MessageCreated`, …) and,
//! *after* its transaction commits, hands one to [`crate::AppState::announce`]. The realtime
//! layer registers one sink per event type ([`Sinks`]) and turns events into room
//! broadcasts; it alone knows event names and payloads on the wire. With no sink installed
//! (commands, tools) an announcement is dropped.

use crate::Id;
use serde::Serialize;
use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;

type Sink<E> = Arc<dyn Fn(E) + Send + Sync>;

/// One handler per domain event type. Handlers must not block: they hand the event off.
#[derive(Default)]
pub struct Sinks {
    map: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Sinks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Handle every announced `E` with `f`.
    pub fn on<E: 'static>(mut self, f: impl Fn(E) + Send + Sync + 'static) -> Self {
        let sink: Sink<E> = Arc::new(f);
        self.map.insert(TypeId::of::<E>(), Box::new(sink));
        self
    }

    pub(crate) fn send<E: 'static>(&self, event: E) {
        if let Some(sink) = self
            .map
            .get(&TypeId::of::<E>())
            .and_then(|s| s.downcast_ref::<Sink<E>>())
        {
            sink(event);
        }
    }
}

/// Run `work` to completion even if the caller goes away: an HTTP handler whose client
/// disconnects is dropped at its next `.await`, and a commit must never lose the
/// announcement that follows it. Spawn the commit-and-announce part through this.
pub async fn detached<F>(work: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
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

/// The connection that caused an event (an opaque id the realtime layer hands out), so the
/// event is not echoed back to it: a socket that sent a message has its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(pub String);
