//! Read pointers and unread counts (SPEC §10): `POST /tickets/{id}/read` (and the socket's
//! `ticket:read`, through [`mark_read`]), and `GET /auth/me` with the person's totals.
//!
//! A person's unread count on a ticket is the messages they may see above their pointer,
//! sent by someone else. Sending moves the sender's pointer to their message (in the insert
//! statement), so their own messages are never above it and the count is simply
//! `last_seq - last_read_seq`. A pointer never moves back.
//!
//! `/auth/me` is served here rather than by `auth` because it carries these totals, which need
//! tickets and messages (crates `auth` sits below both).

use axum::extract::State;
use myrelay_auth::CurrentUser;
use myrelay_core::{ApiError, AppState, Id, Json, Path, ValidJson, detached};
use myrelay_tickets::{Viewer, load_visible};
use myrelay_users::{self as users, User};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read))
        .routes(routes!(me))
}

/// Where a person has read up to on a ticket, and what is left.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ReadState {
    pub ticket_id: Id,
    pub last_read_seq: i64,
    /// Messages above `last_read_seq`, sent by someone else.
    pub unread_count: i64,
}

/// A person's read pointer moved (announced after commit, to their other tabs).
#[derive(Debug, Clone)]
pub struct ReadMoved {
    pub user_id: Id,
    pub state: ReadState,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// The `seq` of the newest message on screen (0 or more, at most the newest message's).
    #[validate(range(min = 0, message = "seq must be 0 or more."))]
    #[serde(deserialize_with = "myrelay_core::extract::integral")]
    #[schema(minimum = 0)]
    pub seq: i64,
}

/// Move `viewer`'s read pointer on `ticket_id` up to `seq` (never back): the one path of HTTP
/// and sockets. 404 when the ticket is not visible, 422 when `seq` is negative or beyond the
/// newest message.
pub async fn mark_read(
    state: &AppState,
    viewer: Viewer,
    ticket_id: Id,
    seq: i64,
) -> Result<ReadState, ApiError> {
    if seq < 0 {
        return Err(ApiError::field("seq", "range", "seq must be 0 or more."));
    }
    let state = state.clone();
    detached(async move {
        let ticket = load_visible(&state.db, viewer, ticket_id).await?;
        if seq > ticket.message_count {
            return Err(ApiError::field(
                "seq",
                "beyond_newest",
                format!(
                    "seq {seq} is beyond the newest message ({}).",
                    ticket.message_count
                ),
            ));
        }
        let last_read_seq: i64 = sqlx::query_scalar(
            "INSERT INTO read_pointers AS rp (user_id, ticket_id, last_read_seq)
             VALUES ($1, $2, $3)
             ON CONFLICT (user_id, ticket_id) DO UPDATE
                SET last_read_seq = greatest(rp.last_read_seq, excluded.last_read_seq),
                    updated_at = now()
             RETURNING last_read_seq",
        )
        .bind(viewer.id)
        .bind(ticket_id)
        .bind(seq)
        .fetch_one(&state.db)
        .await?;
        let read = ReadState {
            ticket_id,
            last_read_seq,
            unread_count: (ticket.message_count - last_read_seq).max(0),
        };
        state.announce(ReadMoved {
            user_id: viewer.id,
            state: read.clone(),
        });
        Ok(read)
    })
    .await
}

/// Mark a ticket read up to `seq` (the newest message on screen).
///
/// Idempotent, and a pointer never moves back: an older `seq` changes nothing. Your other tabs
/// hear `ticket:unread`.
#[utoipa::path(
    post, path = "/tickets/{id}/read", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = MarkReadRequest,
    responses((status = 200, description = "Where you have read up to now.", body = ReadState))
)]
async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ValidJson(req): ValidJson<MarkReadRequest>,
) -> Result<Json<ReadState>, ApiError> {
    Ok(Json(
        mark_read(&state, Viewer::from(&user), id, req.seq).await?,
    ))
}

/// Unread messages over the tickets a person is involved in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::FromRow)]
pub struct UnreadTotals {
    /// Tickets with at least one unread message.
    pub tickets: i64,
    /// Unread messages in all.
    pub messages: i64,
}

/// The tickets `viewer` is involved in — created, assigned to them, or (staff) open in the
/// pool — summed over their unread counts.
pub async fn totals(db: impl PgExecutor<'_>, viewer: Viewer) -> sqlx::Result<UnreadTotals> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE unread > 0) AS tickets,
                coalesce(sum(unread), 0)::bigint AS messages
           FROM (SELECT greatest(t.last_seq - coalesce(rp.last_read_seq, 0), 0) AS unread
                   FROM tickets t
                   LEFT JOIN read_pointers rp ON rp.user_id = $1 AND rp.ticket_id = t.id
                  WHERE t.created_by_user_id = $1 OR t.assigned_agent_id = $1
                     OR ($2 AND t.status = 'open' AND t.assigned_agent_id IS NULL)) x",
    )
    .bind(viewer.id)
    .bind(viewer.role.is_staff())
    .fetch_one(db)
    .await
}

/// The signed-in user and their unread totals.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    pub unread: UnreadTotals,
}

/// The signed-in user, with unread totals over the tickets they are involved in.
#[utoipa::path(
    get, path = "/auth/me", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "The current user.", body = Me))
)]
async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    let row = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let unread = totals(&state.db, Viewer::from(&user)).await?;
    Ok(Json(Me {
        user: row.into(),
        unread,
    }))
}
