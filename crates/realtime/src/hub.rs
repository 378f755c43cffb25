//! Turns what features announce (after commit) into room broadcasts, in order; pushes the
//! admin stats when they change; counts who is connected (across instances, from room
//! names).

use crate::protocol::{
    MessageNew, StatusUpdated, TicketActivity, TicketAssigned, TicketCreated, TicketEventNew,
    TicketUpdated, server,
};
use crate::{broadcast, rooms};
use myrelay_admin::routes::Stats;
use myrelay_auth::AccountEvent;
use myrelay_core::{AppState, Id, LiveCounts, LiveStats, Role, Sinks};
use myrelay_messages::{Message, MessageCreated, ReadMoved};
use myrelay_tickets::{LastMessage, Ticket, TicketEvent, TimelineEvent, timeline};
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Everything the hub delivers, in the order it was announced.
enum Announcement {
    Ticket(Box<TicketEvent>),
    Message(MessageCreated),
    Account(AccountEvent),
    Read(ReadMoved),
}

pub struct Hub<A: Adapter> {
    io: SocketIo<A>,
}

impl<A: Adapter> Hub<A> {
    /// Start the delivery worker and the stats pusher, and return the sinks that feed them.
    pub fn start(io: SocketIo<A>, state: &AppState, pusher: StatsPusher) -> (Arc<Self>, Sinks) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Announcement>();
        let worker_io = io.clone();
        let worker_pusher = pusher.clone();
        // One worker, so a room hears events in the order they were announced.
        tokio::spawn(async move {
            while let Some(a) = rx.recv().await {
                deliver(&worker_io, &worker_pusher, a).await;
            }
        });
        pusher.spawn(io.clone(), state.clone());
        let (t, m, a, r) = (tx.clone(), tx.clone(), tx.clone(), tx);
        let sinks = Sinks::new()
            .on(move |e: TicketEvent| drop(t.send(Announcement::Ticket(Box::new(e)))))
            .on(move |e: MessageCreated| drop(m.send(Announcement::Message(e))))
            .on(move |e: AccountEvent| drop(a.send(Announcement::Account(e))))
            .on(move |e: ReadMoved| drop(r.send(Announcement::Read(e))));
        (Arc::new(Hub { io }), sinks)
    }
}

async fn deliver<A: Adapter>(io: &SocketIo<A>, pusher: &StatsPusher, a: Announcement) {
    match a {
        Announcement::Ticket(e) => {
            pusher.poke();
            deliver_ticket(io, *e).await;
        }
        Announcement::Read(ReadMoved { user_id, state }) => {
            broadcast::emit(|| io.to(rooms::user(user_id)), server::UNREAD, &state).await;
        }
        Announcement::Message(MessageCreated {
            message,
            ticket,
            origin,
        }) => {
            let id = message.ticket_id;
            let (room, notes) = (rooms::ticket(id), rooms::notes(id));
            // Everyone selected but the sending socket (it has its ack).
            let sender = origin
                .and_then(|o| Sid::from_str(&o.0).ok())
                .and_then(|sid| io.get_socket(sid));
            let to = |target: &String| match &sender {
                Some(s) => s.to(target.clone()),
                None => io.to(target.clone()),
            };
            if message.internal {
                // A note: the room's staff sockets, and nothing else anywhere (no activity,
                // no unread count, no preview: SPEC §11).
                let payload = MessageNew { message };
                broadcast::emit(|| to(&notes), server::MESSAGE_NEW, &payload).await;
                return;
            }
            // Inboxes first (they do not join rooms): the creator, the assignee, and every
            // agent while the ticket is in the pool.
            let mut involved = vec![rooms::user(ticket.created_by)];
            if let Some(a) = ticket.assigned_agent_id {
                involved.push(rooms::user(a));
            }
            if ticket.available {
                involved.push(rooms::AGENTS.into());
            }
            let activity = TicketActivity {
                ticket_id: id,
                last_message: LastMessage::of(
                    &message.sender,
                    message.seq,
                    &preview(&message),
                    message.created_at,
                ),
                updated_at: ticket.updated_at,
            };
            broadcast::emit(|| io.to(involved.clone()), server::ACTIVITY, &activity).await;
            // The room's users get the message without its staff fields; its staff get it whole.
            let for_users = MessageNew {
                message: message.clone().seen_by(Role::User),
            };
            broadcast::emit(
                || to(&room).except(notes.clone()),
                server::MESSAGE_NEW,
                &for_users,
            )
            .await;
            let for_staff = MessageNew { message };
            broadcast::emit(|| to(&notes), server::MESSAGE_NEW, &for_staff).await;
        }
        Announcement::Account(e) => {
            pusher.poke();
            match e {
                AccountEvent::Registered { .. } => {}
                AccountEvent::SessionRevoked { session_id } => {
                    broadcast::disconnect(|| io.to(rooms::session(session_id))).await;
                }
                AccountEvent::AccessChanged { user_id } => {
                    broadcast::disconnect(|| io.to(rooms::user(user_id))).await;
                }
            }
        }
    }
}

/// What a list shows of a message: its words, or for files alone the first file's name (the
/// same rule as the list statements' `lm_head`).
fn preview(m: &Message) -> String {
    match m.attachments.first() {
        Some(a) if m.content.is_empty() => format!("Attachment: {}", a.filename),
        _ => m.content.clone(),
    }
}

async fn deliver_ticket<A: Adapter>(io: &SocketIo<A>, e: TicketEvent) {
    let (actor, ticket, status_from, event) = match e {
        TicketEvent::Created { ticket, event } => {
            emit_timeline(io, &ticket, event).await;
            let creator = rooms::user(ticket.created_by.id);
            broadcast::emit(
                || io.to([rooms::AGENTS.to_string(), creator.clone()]),
                server::TICKET_CREATED,
                &TicketCreated { ticket },
            )
            .await;
            return;
        }
        TicketEvent::StatusChanged {
            ticket,
            from,
            actor,
            event,
        } => (actor, ticket, Some(from), event),
        TicketEvent::AssignmentChanged {
            ticket,
            actor,
            event,
        } => (actor, ticket, None, event),
    };
    let id = ticket.id;
    let room = rooms::ticket(id);
    // Who may see it besides the pool: admins, the creator, the assignee.
    let mut full: Vec<String> = vec![rooms::ADMINS.into(), rooms::user(ticket.created_by.id)];
    if let Some(a) = ticket.assigned_agent_id() {
        full.push(rooms::user(a));
    }
    let available = ticket.is_available();
    // Out of the pool: every other agent (a previous assignee, agents who had it open while
    // it was available) leaves its room before anything more is said there.
    if !available {
        for r in [room.clone(), rooms::notes(id)] {
            broadcast::leave(|| io.to(rooms::AGENTS).except(full.clone()), r).await;
        }
    }
    match status_from {
        Some(_) => {
            let payload = StatusUpdated {
                ticket_id: id,
                status: ticket.status,
                ticket: ticket.clone(),
                actor,
            };
            broadcast::emit(|| io.to(room.clone()), server::STATUS_UPDATED, &payload).await;
        }
        None => {
            let payload = TicketAssigned {
                ticket_id: id,
                assigned_agent: ticket.assigned_agent.clone(),
                ticket: ticket.clone(),
                actor,
            };
            broadcast::emit(|| io.to(room.clone()), server::ASSIGNED, &payload).await;
        }
    }
    emit_timeline(io, &ticket, event).await;
    // Inbox feeds: the full ticket to whoever may see it, `ticket: null` to agents from
    // whose view it has gone.
    let update = TicketUpdated {
        ticket_id: id,
        ticket: Some(ticket),
    };
    if available {
        full.push(rooms::AGENTS.into());
        broadcast::emit(|| io.to(full.clone()), server::TICKET_UPDATED, &update).await;
    } else {
        broadcast::emit(|| io.to(full.clone()), server::TICKET_UPDATED, &update).await;
        broadcast::emit(
            || io.to(rooms::AGENTS).except(full.clone()),
            server::TICKET_UPDATED,
            &TicketUpdated {
                ticket_id: id,
                ticket: None,
            },
        )
        .await;
    }
}

/// `ticket:event` to the ticket's room, to the sockets whose role may see the event's kind
/// ([`timeline::visible_to`]). Staff see every kind; the only customer sockets in a ticket
/// room are its creator's (SPEC §1), so a kind customers may not see skips their user room.
async fn emit_timeline<A: Adapter>(io: &SocketIo<A>, ticket: &Ticket, event: TimelineEvent) {
    let room = rooms::ticket(ticket.id);
    let creator = &ticket.created_by;
    let hidden_from_creator = !timeline::visible_to(event.kind, creator.role);
    let payload = TicketEventNew { event };
    if hidden_from_creator {
        let creator_room = rooms::user(creator.id);
        broadcast::emit(
            || io.to(room.clone()).except(creator_room.clone()),
            server::TICKET_EVENT,
            &payload,
        )
        .await;
    } else {
        broadcast::emit(|| io.to(room.clone()), server::TICKET_EVENT, &payload).await;
    }
}

/// Pushes `admin:stats` to every admin socket when the counts may have changed (tickets,
/// accounts, sockets), at most once a second per instance, and only when they did change.
/// Each push is computed fresh (database and live counts across instances), so it is exact
/// when it is sent.
#[derive(Clone, Default)]
pub struct StatsPusher(Arc<Notify>);

impl StatsPusher {
    /// Something that the stats count may have changed.
    pub fn poke(&self) {
        self.0.notify_one();
    }

    fn spawn<A: Adapter>(&self, io: SocketIo<A>, state: AppState) {
        let wake = self.0.clone();
        tokio::spawn(async move {
            let mut last: Option<Stats> = None;
            loop {
                wake.notified().await;
                // Let the change that woke us settle (a disconnecting socket is still counted
                // while its handler runs), and gather the changes that follow it.
                tokio::time::sleep(Duration::from_millis(250)).await;
                match Stats::load(&state).await {
                    Ok(stats) if last.as_ref() != Some(&stats) => {
                        broadcast::emit(|| io.to(rooms::ADMINS), server::ADMIN_STATS, &stats).await;
                        last = Some(stats);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not compute the admin stats"),
                }
                tokio::time::sleep(Duration::from_millis(750)).await;
            }
        });
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
