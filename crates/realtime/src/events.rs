//! Connection authentication and the client → server events of SPEC §5.

use crate::{broadcast, rooms};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use myrelay_auth::extract::cookie_token;
use myrelay_auth::{CurrentUser, authenticate_token, session};
use myrelay_core::{ApiError, AppState, ErrorCode, Id, Role, metrics};
use myrelay_messages::store as messages;
use myrelay_tickets::policy::{self, Access, Viewer};
use myrelay_tickets::queries as tickets;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
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
pub async fn on_connect<A: Adapter>(_s: SocketRef<A>) {}

fn setup<A: Adapter>(s: &SocketRef<A>, state: &AppState, user: &CurrentUser) {
    s.join(rooms::user(user.id));
    s.join(rooms::session(user.session_id));
    if user.role.is_staff() {
        s.join(rooms::AGENTS);
        s.join(rooms::staff(user.id));
    }
    if user.role == Role::Admin {
        s.join(rooms::ADMINS);
    }
    if state.config.rate_limit {
        let quota = Quota::per_second(NonZeroU32::new(30).expect("non-zero"))
            .allow_burst(NonZeroU32::new(60).expect("non-zero"));
        s.extensions
            .insert(EventBudget(Arc::new(RateLimiter::direct(quota))));
    }
    s.on("ticket:join", on_join::<A>);
    s.on("ticket:leave", on_leave::<A>);
    s.on("ticket:message:send", on_send::<A>);
    s.on("ticket:typing:start", on_typing_start::<A>);
    s.on("ticket:typing:stop", on_typing_stop::<A>);
    s.on_fallback(on_unknown::<A>);
    s.on_disconnect(on_disconnect::<A>);
}

/// The `{ ok: false, error: { code, message } }` ack.
fn error_ack(code: &str, message: &str) -> Value {
    json!({ "ok": false, "error": { "code": code, "message": message } })
}

fn api_error_ack(e: &ApiError) -> Value {
    let p = e.to_problem();
    let mut v = error_ack(e.code().as_str(), &p.detail);
    if let Some(errors) = p.errors {
        v["error"]["errors"] = json!(errors);
    }
    v
}

fn invalid_payload(detail: impl std::fmt::Display) -> Value {
    error_ack(
        ErrorCode::ValidationFailed.as_str(),
        &format!("Invalid payload: {detail}"),
    )
}

fn user_json(u: &CurrentUser) -> Value {
    json!({ "id": u.id, "display_name": u.display_name, "role": u.role })
}

/// `Err(ack)` when the socket is over its event budget.
fn spend<A: Adapter>(s: &SocketRef<A>) -> Result<(), Value> {
    if let Some(b) = s.extensions.get::<EventBudget>()
        && b.0.check().is_err()
    {
        return Err(error_ack(
            ErrorCode::RateLimited.as_str(),
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
) -> Result<T, Value> {
    spend(s)?;
    data.map_err(invalid_payload)
}

fn reply<A: Adapter>(ack: AckSender<A>, v: Value) {
    let _ = ack.send(&v);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinPayload {
    ticket_id: Id,
    after_seq: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketPayload {
    ticket_id: Id,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendPayload {
    ticket_id: Id,
    content: String,
    client_id: String,
}

#[derive(Serialize)]
struct Member {
    id: Id,
    display_name: String,
    role: Role,
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
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<JoinPayload>,
    ack: AckSender<A>,
) {
    metrics::socket_event("ticket:join");
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(v) => return reply(ack, v),
    };
    let result: Result<Value, ApiError> = async {
        let viewer = fresh_viewer(&state, &user).await?;
        let ticket = tickets::get(&state.db, p.ticket_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Ticket"))?;
        policy::check_may_see(viewer, Access::from(&ticket))?;
        let room = rooms::ticket(p.ticket_id);
        let joined: Vec<_> = s
            .rooms()
            .into_iter()
            .filter(|r| r.starts_with("ticket:"))
            .collect();
        if joined.len() >= MAX_TICKET_ROOMS && !joined.iter().any(|r| *r == room) {
            return Err(ApiError::conflict(
                ErrorCode::Conflict,
                format!(
                    "A connection may watch at most {MAX_TICKET_ROOMS} tickets; leave one first."
                ),
            ));
        }
        s.join([room.clone(), rooms::presence(p.ticket_id, user.id)]);
        let missed = match p.after_seq {
            Some(after) => {
                messages::history(&state.db, p.ticket_id, Some(after.max(0)), None, 500).await?
            }
            None => messages::MessagePage {
                items: vec![],
                has_more: false,
            },
        };
        let members = members(&s, &state, &room).await;
        broadcast::emit(
            || s.to(room.clone()),
            "ticket:user_joined",
            &json!({ "ticket_id": p.ticket_id, "user": user_json(&user) }),
        )
        .await;
        Ok(json!({
            "ok": true,
            "ticket": ticket,
            "missed_messages": missed.items,
            "has_more": missed.has_more,
            "members": members,
        }))
    }
    .await;
    reply(ack, result.unwrap_or_else(|e| api_error_ack(&e)));
}

/// Who is in `room` now (across instances): each socket's `user:{id}` room names them.
async fn members<A: Adapter>(s: &SocketRef<A>, state: &AppState, room: &str) -> Vec<Member> {
    let Ok(sockets) = s.within(room.to_string()).fetch_sockets().await else {
        return vec![];
    };
    let mut ids: Vec<Id> = Vec::new();
    for r in sockets {
        if let Ok(rs) = r.rooms().await {
            for name in rs {
                if let Some(id) = rooms::parse_id(&name, "user:") {
                    ids.push(id);
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    sqlx::query_as::<_, (Id, String, Role)>(
        "SELECT id, display_name, role FROM users WHERE id = ANY($1) ORDER BY display_name",
    )
    .bind(&ids)
    .fetch_all(&state.db)
    .await
    .unwrap_or_default()
    .into_iter()
    .map(|(id, display_name, role)| Member {
        id,
        display_name,
        role,
    })
    .collect()
}

async fn on_leave<A: Adapter>(
    s: SocketRef<A>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TicketPayload>,
    ack: AckSender<A>,
) {
    metrics::socket_event("ticket:leave");
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(v) => return reply(ack, v),
    };
    let room = rooms::ticket(p.ticket_id);
    if s.rooms().iter().any(|r| r.as_ref() == room) {
        let presence = rooms::presence(p.ticket_id, user.id);
        s.leave([room.clone(), presence.clone()]);
        if sockets_in(&s, &presence).await == 0 {
            broadcast::emit(
                || s.to(room.clone()),
                "ticket:user_left",
                &json!({ "ticket_id": p.ticket_id, "user": user_json(&user) }),
            )
            .await;
        }
    }
    reply(ack, json!({ "ok": true }));
}

async fn on_send<A: Adapter>(
    s: SocketRef<A>,
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<SendPayload>,
    ack: AckSender<A>,
) {
    metrics::socket_event("ticket:message:send");
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(v) => return reply(ack, v),
    };
    // The insert re-checks the policy against the database (role, activation, assignment).
    let viewer = Viewer {
        id: user.id,
        role: user.role,
    };
    match messages::send(&state.db, viewer, p.ticket_id, &p.content, &p.client_id).await {
        Ok(out) => {
            let payload = json!({ "message": out.message });
            reply(ack, json!({ "ok": true, "message": out.message }));
            if out.created {
                // Everyone else in the room: the sender's other tabs are other sockets.
                broadcast::emit(
                    || s.to(rooms::ticket(p.ticket_id)),
                    "ticket:message:new",
                    &payload,
                )
                .await;
            }
        }
        Err(e) => reply(ack, api_error_ack(&e)),
    }
}

async fn typing<A: Adapter>(
    s: SocketRef<A>,
    user: CurrentUser,
    data: Result<TicketPayload, impl std::fmt::Display>,
    ack: AckSender<A>,
    event: &'static str,
) {
    metrics::socket_event(event);
    let p = match admit(&s, data) {
        Ok(p) => p,
        Err(v) => return reply(ack, v),
    };
    // Membership is proof the policy allowed the join, and losing access removes it.
    let room = rooms::ticket(p.ticket_id);
    if !s.rooms().iter().any(|r| r.as_ref() == room) {
        return reply(ack, error_ack("not_joined", "Join the ticket room first."));
    }
    broadcast::emit(
        || s.to(room.clone()),
        event,
        &json!({ "ticket_id": p.ticket_id, "user": user_json(&user) }),
    )
    .await;
    reply(ack, json!({ "ok": true }));
}

async fn on_typing_start<A: Adapter>(
    s: SocketRef<A>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TicketPayload>,
    ack: AckSender<A>,
) {
    typing(s, user, data, ack, "ticket:typing:start").await
}

async fn on_typing_stop<A: Adapter>(
    s: SocketRef<A>,
    Extension(user): Extension<CurrentUser>,
    TryData(data): TryData<TicketPayload>,
    ack: AckSender<A>,
) {
    typing(s, user, data, ack, "ticket:typing:stop").await
}

async fn on_unknown<A: Adapter>(s: SocketRef<A>, ack: AckSender<A>) {
    metrics::socket_event(metrics::UNKNOWN_EVENT);
    if let Err(v) = spend(&s) {
        return reply(ack, v);
    }
    reply(ack, error_ack("unknown_event", "No such event."));
}

/// Sockets in `room` across instances (0 when the adapter cannot tell).
async fn sockets_in<A: Adapter>(s: &SocketRef<A>, room: &str) -> usize {
    s.within(room.to_string())
        .fetch_sockets()
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

async fn on_disconnect<A: Adapter>(s: SocketRef<A>, Extension(user): Extension<CurrentUser>) {
    metrics::socket_disconnected();
    for room in s.rooms() {
        if let Some(ticket_id) = rooms::parse_id(&room, "ticket:") {
            // This socket is still counted; `user_left` only when it was the user's last here.
            if sockets_in(&s, &rooms::presence(ticket_id, user.id)).await > 1 {
                continue;
            }
            broadcast::emit(
                || s.to(room.to_string()),
                "ticket:user_left",
                &json!({ "ticket_id": ticket_id, "user": user_json(&user) }),
            )
            .await;
        }
    }
}
