//! Connection authentication and the client → server events of SPEC §5. Payloads and acks
//! are the typed structs of [`crate::protocol`].

use crate::hub::StatsPusher;
use crate::protocol::{
    self, ErrorAck, JoinAck, JoinRequest, OkAck, ReadAck, ReadRequest, RoomUser, SendAck,
    SendRequest, TicketRequest, TypingRequest,
};
use crate::{broadcast, rooms};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use myrelay_auth::extract::cookie_token;
use myrelay_auth::{CurrentUser, authenticate_token, session};
use myrelay_core::{ApiError, AppState, ErrorCode, Origin, metrics};
use myrelay_messages::store as messages;
use myrelay_tickets::policy::Viewer;
use myrelay_users::UserSummary;
use serde::{Deserialize, Serialize};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Why a connection was refused; the client sees `connect_error` with this message.
#[derive(Debug)]
pub struct Unauthorized;
impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unauthorized")
    }
}
impl std::error::Error for Unauthorized {}

#[derive(Debug, Deserialize, Default)]
pub struct AuthPayload {
    token: Option<String>,
}

/// Connect middleware: `auth: { token }` or the session cookie, checked against the
/// session row exactly like HTTP. It also joins the rooms and registers the event handlers:
/// socketioxide sends CONNECT before it runs (spawned) connect handlers, so anything done
/// there could miss the client's first events; middleware finishes before CONNECT is sent.
pub async fn authenticate<A: Adapter>(
    s: SocketRef<A>,
    State(state): State<AppState>,
    TryData(auth): TryData<AuthPayload>,
) -> Result<(), Unauthorized> {
    let token = auth
        .ok()
        .and_then(|a| a.token)
        .filter(|t| !t.is_empty())
        .or_else(|| cookie_token(&s.req_parts().headers))
        .ok_or(Unauthorized)?;
    let user = authenticate_token(&state, &token)
        .await
        .map_err(|_| Unauthorized)?;
    setup(&s, &state, &user);
    s.extensions.insert(user);
    metrics::socket_connected();
    Ok(())
}

/// Ticket rooms one socket may be in at once (bounds memory per connection).
pub const MAX_TICKET_ROOMS: usize = 100;

/// Per-socket event budget (all events): a burst of 60, then 30 a second.
#[derive(Clone)]
struct EventBudget(Arc<DefaultDirectRateLimiter>);

/// Everything is set up by [`authenticate`] before the client learns it is connected.
pub async fn on_connect<A: Adapter>(_s: SocketRef<A>, State(pusher): State<StatsPusher>) {
    pusher.poke();
}

fn setup<A: Adapter>(s: &SocketRef<A>, state: &AppState, user: &CurrentUser) {
    s.join(rooms::user(user.id));
    s.join(rooms::session(user.session_id));
    if user.role.is_staff() {
        s.join(rooms::AGENTS);
        s.join(rooms::staff(user.id));
    }
    if user.role == myrelay_core::Role::Admin {
        s.join(rooms::ADMINS);
    }
    if state.config.rate_limit {
        let quota = Quota::per_second(NonZeroU32::new(30).expect("non-zero"))
            .allow_burst(NonZeroU32::new(60).expect("non-zero"));
        s.extensions
            .insert(EventBudget(Arc::new(RateLimiter::direct(quota))));
    }
    s.on(protocol::client::JOIN, on_join::<A>);
    s.on(protocol::client::LEAVE, on_leave::<A>);
    s.on(protocol::client::SEND, on_send::<A>);
    s.on(protocol::client::TYPING_START, on_typing_start::<A>);
    s.on(protocol::client::TYPING_STOP, on_typing_stop::<A>);
    s.on(protocol::client::READ, on_read::<A>);
    s.on_fallback(on_unknown::<A>);
    s.on_disconnect(on_disconnect::<A>);
}

fn api_error_ack(e: &ApiError) -> ErrorAck {
    let p = e.to_problem();
    let mut ack = ErrorAck::new(e.code(), p.detail);
    ack.error.errors = p.errors;
    ack
}

/// `Err(ack)` when the socket is over its event budget.
fn spend<A: Adapter>(s: &SocketRef<A>) -> Result<(), ErrorAck> {
    if let Some(b) = s.extensions.get::<EventBudget>()
        && b.0.check().is_err()
    {
        return Err(ErrorAck::new(
            ErrorCode::RateLimited,
            "Too many events from this connection; slow down.",
        ));
    }
    Ok(())
}

/// Every event first spends from the socket's budget and must carry a valid payload;
/// otherwise the error ack to send.
fn admit<A: Adapter, T, E: std::fmt::Display>(
    s: &SocketRef<A>,
    data: Result<T, E>,
) -> Result<T, ErrorAck> {
    spend(s)?;
    data.map_err(|e| ErrorAck::new(ErrorCode::ValidationFailed, format!("Invalid payload: {e}")))
}

fn reply<A: Adapter, T: Serialize>(ack: AckSender<A>, v: Result<T, ErrorAck>) {
    let _ = match v {
        Ok(ok) => ack.send(&ok),
        Err(e) => ack.send(&e),
    };
}

/// The user as the database says now (role changes and deactivation take effect at once).
async fn fresh_viewer(state: &AppState, user: &CurrentUser) -> Result<Viewer, ApiError> {
    let s = session::lookup(&state.db, user.session_id, user.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Viewer {
        id: s.id,
        role: s.role,
    })
}

async fn on_join<A: Adapter>(
    s: SocketRef<A>,
    State(state): State<AppState>,
    State(pusher): State<StatsPusher>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<JoinRequest>,
    ack: AckSender<A>,
) {
    metrics::socket_event(protocol::client::JOIN);
    let result = async {
        let p = admit(&s, data)?;
        join(&s, &state, &user, p)
            .await
            .map_err(|e| api_error_ack(&e))
    }
    .await;
    pusher.poke();
    reply(ack, result);
}

async fn join<A: Adapter>(
    s: &SocketRef<A>,
    state: &AppState,
    user: &CurrentUser,
    p: JoinRequest,
) -> Result<JoinAck, ApiError> {
    let viewer = fresh_viewer(state, user).await?;
    if p.after_staff_seq.is_some() {
        myrelay_tickets::policy::check_staff_for_notes(viewer)?;
    }
    let ticket = myrelay_tickets::load_visible(&state.db, viewer, p.ticket_id).await?;
    let room = rooms::ticket(p.ticket_id);
    let joined: Vec<_> = s
        .rooms()
        .into_iter()
        .filter(|r| r.starts_with("ticket:"))
        .collect();
    if joined.len() >= MAX_TICKET_ROOMS && !joined.iter().any(|r| *r == room) {
        return Err(ApiError::conflict(
            ErrorCode::Conflict,
            format!("A connection may watch at most {MAX_TICKET_ROOMS} tickets; leave one first."),
        ));
    }
    let mut join = vec![room.clone(), rooms::presence(p.ticket_id, user.id)];
    if viewer.role.is_staff() {
        join.push(rooms::notes(p.ticket_id));
    }
    s.join(join);
    let cursor = match (p.after_staff_seq, p.after_seq) {
        (Some(after), _) => Some(messages::Cursor::AfterStaffSeq(after.max(0))),
        (None, Some(after)) => Some(messages::Cursor::AfterSeq(after.max(0))),
        (None, None) => None,
    };
    let missed = match cursor {
        Some(c) => messages::history(&state.db, viewer.role, p.ticket_id, c, 500).await?,
        None => messages::MessagePage {
            items: vec![],
            has_more: false,
        },
    };
    let members = members(s, state, &room).await?;
    broadcast::emit(
        || s.to(room.clone()),
        protocol::server::USER_JOINED,
        &RoomUser {
            ticket_id: p.ticket_id,
            user: user.summary(),
        },
    )
    .await;
    Ok(JoinAck::new(ticket, missed.items, missed.has_more, members))
}

/// Who is in `room` now (across instances): each socket's `user:{id}` room names them.
async fn members<A: Adapter>(
    s: &SocketRef<A>,
    state: &AppState,
    room: &str,
) -> Result<Vec<UserSummary>, ApiError> {
    let sockets = s
        .within(room.to_string())
        .fetch_sockets()
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("listing room members: {e}")))?;
    let mut ids = Vec::new();
    for r in sockets {
        if let Ok(rs) = r.rooms().await {
            ids.extend(rs.iter().filter_map(|name| rooms::parse_id(name, "user:")));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(myrelay_users::summaries(&state.db, &ids).await?)
}

async fn on_leave<A: Adapter>(
    s: SocketRef<A>,
    State(pusher): State<StatsPusher>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TicketRequest>,
    ack: AckSender<A>,
) {
    metrics::socket_event(protocol::client::LEAVE);
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(e) => return reply::<A, OkAck>(ack, Err(e)),
    };
    let room = rooms::ticket(p.ticket_id);
    if s.rooms().iter().any(|r| r.as_ref() == room) {
        let presence = rooms::presence(p.ticket_id, user.id);
        s.leave([room.clone(), presence.clone(), rooms::notes(p.ticket_id)]);
        if sockets_in(&s, &presence).await == 0 {
            broadcast::emit(
                || s.to(room.clone()),
                protocol::server::USER_LEFT,
                &RoomUser {
                    ticket_id: p.ticket_id,
                    user: user.summary(),
                },
            )
            .await;
        }
        pusher.poke();
    }
    reply(ack, Ok(OkAck::OK));
}

async fn on_send<A: Adapter>(
    s: SocketRef<A>,
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<SendRequest>,
    ack: AckSender<A>,
) {
    metrics::socket_event(protocol::client::SEND);
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(e) => return reply::<A, SendAck>(ack, Err(e)),
    };
    // The insert re-checks the policy against the database (role, activation, assignment);
    // the broadcast follows the commit through the hub, to everyone but this socket.
    let viewer = Viewer {
        id: user.id,
        role: user.role,
    };
    let origin = Some(Origin(s.id.to_string()));
    let draft = messages::Draft {
        content: p.content,
        client_id: p.client_id,
        internal: p.internal,
        attachment_ids: p.attachment_ids,
    };
    let result = messages::send(&state, viewer, p.ticket_id, draft, origin).await;
    reply(
        ack,
        result
            .map(|out| SendAck::new(out.message))
            .map_err(|e| api_error_ack(&e)),
    );
}

async fn on_read<A: Adapter>(
    s: SocketRef<A>,
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<ReadRequest>,
    ack: AckSender<A>,
) {
    metrics::socket_event(protocol::client::READ);
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(e) => return reply::<A, ReadAck>(ack, Err(e)),
    };
    // The same path as `POST /tickets/{id}/read`: the role and visibility are read fresh.
    let result = async {
        let viewer = fresh_viewer(&state, &user).await?;
        myrelay_messages::mark_read(&state, viewer, p.ticket_id, p.seq).await
    }
    .await;
    reply(
        ack,
        result.map(ReadAck::from).map_err(|e| api_error_ack(&e)),
    );
}

async fn typing<A: Adapter>(
    s: SocketRef<A>,
    user: CurrentUser,
    data: Result<TypingRequest, impl std::fmt::Display>,
    ack: AckSender<A>,
    event: &'static str,
) {
    metrics::socket_event(event);
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(e) => return reply::<A, OkAck>(ack, Err(e)),
    };
    if p.internal && !user.role.is_staff() {
        return reply::<A, OkAck>(
            ack,
            Err(ErrorAck::new(
                ErrorCode::Forbidden,
                "Internal notes are for agents and admins.",
            )),
        );
    }
    // Membership is proof the policy allowed the join, and losing access removes it. Someone
    // writing a note is heard by the room's staff only.
    let room = if p.internal {
        rooms::notes(p.ticket_id)
    } else {
        rooms::ticket(p.ticket_id)
    };
    if !s.rooms().iter().any(|r| r.as_ref() == room) {
        return reply::<A, OkAck>(
            ack,
            Err(ErrorAck::new(
                ErrorCode::NotJoined,
                "Join the ticket room first.",
            )),
        );
    }
    broadcast::emit(
        || s.to(room.clone()),
        event,
        &RoomUser {
            ticket_id: p.ticket_id,
            user: user.summary(),
        },
    )
    .await;
    reply(ack, Ok(OkAck::OK));
}

async fn on_typing_start<A: Adapter>(
    s: SocketRef<A>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TypingRequest>,
    ack: AckSender<A>,
) {
    typing(s, user, data, ack, protocol::server::TYPING_START).await
}

async fn on_typing_stop<A: Adapter>(
    s: SocketRef<A>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TypingRequest>,
    ack: AckSender<A>,
) {
    typing(s, user, data, ack, protocol::server::TYPING_STOP).await
}

async fn on_unknown<A: Adapter>(s: SocketRef<A>, ack: AckSender<A>) {
    metrics::socket_event(metrics::UNKNOWN_EVENT);
    let refusal = spend(&s)
        .err()
        .unwrap_or_else(|| ErrorAck::new(ErrorCode::UnknownEvent, "No such event."));
    reply::<A, OkAck>(ack, Err(refusal));
}

/// Sockets in `room` across instances (0 when the adapter cannot tell).
async fn sockets_in<A: Adapter>(s: &SocketRef<A>, room: &str) -> usize {
    match s.within(room.to_string()).fetch_sockets().await {
        Ok(v) => v.len(),
        Err(e) => {
            tracing::warn!(error = %e, room, "could not count the sockets in a room");
            0
        }
    }
}

async fn on_disconnect<A: Adapter>(
    s: SocketRef<A>,
    State(pusher): State<StatsPusher>,
    Extension(user): Extension<CurrentUser>,
) {
    metrics::socket_disconnected();
    pusher.poke();
    for room in s.rooms() {
        if let Some(ticket_id) = rooms::parse_id(&room, "ticket:") {
            // This socket is still counted; `user_left` only when it was the user's last here.
            if sockets_in(&s, &rooms::presence(ticket_id, user.id)).await > 1 {
                continue;
            }
            broadcast::emit(
                || s.to(room.to_string()),
                protocol::server::USER_LEFT,
                &RoomUser {
                    ticket_id,
                    user: user.summary(),
                },
            )
            .await;
        }
    }
}
