//! Turns what features announce into room broadcasts (in order, after commit), and counts
//! who is connected (across instances, from room names).

use crate::{broadcast, rooms};
use myrelay_core::{Event, Id, LiveCounts, LiveStats, Notifier};
use serde_json::json;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use sqlx::PgPool;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc;

pub struct Hub<A: Adapter> {
    io: SocketIo<A>,
    tx: mpsc::UnboundedSender<Event>,
}

impl<A: Adapter> Hub<A> {
    pub fn start(io: SocketIo<A>, _db: PgPool) -> Arc<Self> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
        let worker_io = io.clone();
        // One worker, so the room sees events in the order they were committed.
        tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                deliver(&worker_io, ev).await;
            }
        });
        Arc::new(Hub { io, tx })
    }
}

impl<A: Adapter> Notifier for Hub<A> {
    fn notify(&self, event: Event) {
        let _ = self.tx.send(event);
    }
}

async fn deliver<A: Adapter>(io: &SocketIo<A>, ev: Event) {
    match ev {
        Event::TicketCreated {
            ticket,
            ticket_json,
        } => {
            let payload = json!({ "ticket": ticket_json });
            broadcast::emit(
                || io.to([rooms::AGENTS.to_string(), rooms::user(ticket.created_by)]),
                "ticket:created",
                &payload,
            )
            .await;
        }
        Event::TicketChanged {
            ticket,
            room_event,
            room_payload,
            ticket_json,
        } => {
            let room = rooms::ticket(ticket.id);
            // Who may see it besides the pool: admins, the creator, the assignee.
            let mut full: Vec<String> = vec![rooms::ADMINS.into(), rooms::user(ticket.created_by)];
            if let Some(a) = ticket.assigned_agent_id {
                full.push(rooms::user(a));
            }
            // Out of the pool: every other agent (a previous assignee, agents who had it open
            // while it was available) leaves its room before anything more is said there.
            if !ticket.available {
                broadcast::leave(|| io.to(rooms::AGENTS).except(full.clone()), room.clone()).await;
            }
            broadcast::emit(|| io.to(room.clone()), room_event, &room_payload).await;

            // Inbox feeds: the full ticket to whoever may see it, `ticket: null` to agents
            // from whose view it has gone.
            let update = json!({ "ticket_id": ticket.id, "ticket": ticket_json });
            if ticket.available {
                full.push(rooms::AGENTS.into());
                broadcast::emit(|| io.to(full.clone()), "ticket:updated", &update).await;
            } else {
                broadcast::emit(|| io.to(full.clone()), "ticket:updated", &update).await;
                broadcast::emit(
                    || io.to(rooms::AGENTS).except(full.clone()),
                    "ticket:updated",
                    &json!({ "ticket_id": ticket.id, "ticket": null }),
                )
                .await;
            }
        }
        Event::MessageCreated { ticket_id, message } => {
            broadcast::emit(
                || io.to(rooms::ticket(ticket_id)),
                "ticket:message:new",
                &json!({ "message": message }),
            )
            .await;
        }
        Event::SessionRevoked { session_id } => {
            broadcast::disconnect(|| io.to(rooms::session(session_id))).await;
        }
        Event::UserAccessChanged { user_id } => {
            broadcast::disconnect(|| io.to(rooms::user(user_id))).await;
        }
    }
}

#[async_trait::async_trait]
impl<A: Adapter> LiveStats for Hub<A> {
    async fn live_counts(&self) -> LiveCounts {
        let connected_clients = match self.io.fetch_sockets().await {
            Ok(s) => s.len() as u64,
            Err(e) => {
                tracing::warn!(error = ?e, "could not count sockets across instances");
                self.io.sockets().len() as u64
            }
        };
        let room_names: HashSet<String> = match self.io.rooms().await {
            Ok(r) => r.into_iter().map(|r| r.to_string()).collect(),
            Err(e) => {
                tracing::warn!(error = ?e, "could not list rooms across instances");
                HashSet::new()
            }
        };
        let mut online_users: HashSet<Id> = HashSet::new();
        let mut agents = 0u64;
        let mut ticket_rooms = 0u64;
        for r in &room_names {
            if let Some(id) = rooms::parse_id(r, "user:") {
                online_users.insert(id);
            } else if rooms::parse_id(r, "staff:").is_some() {
                agents += 1;
            } else if rooms::parse_id(r, "ticket:").is_some() {
                ticket_rooms += 1;
            }
        }
        LiveCounts {
            connected_clients,
            connected_agents: agents,
            active_ticket_rooms: ticket_rooms,
            online_users,
        }
    }
}
