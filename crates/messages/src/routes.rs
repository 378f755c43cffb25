//! `/tickets/{id}/messages`: history and the HTTP fallback for sending.

use crate::store::{self, CLIENT_ID, CONTENT, Cursor, Draft, Message, MessagePage};
use axum::extract::State;
use axum::http::StatusCode;
use myrelay_auth::CurrentUser;
use myrelay_core::pagination::{self, PageLimit};
use myrelay_core::{ApiError, AppState, Id, Json, Path, Problem, Query};
use myrelay_tickets::{Viewer, load_visible};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, post_message))
        .merge(crate::reads::router())
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages with a greater `seq` (catching up after a reconnect).
    #[validate(range(min = 0, message = "after_seq must be 0 or more."))]
    #[param(minimum = 0)]
    pub after_seq: Option<i64>,
    /// The page of messages just before this `seq` (scrolling back).
    #[validate(range(min = 1, message = "before_seq must be 1 or more."))]
    #[param(minimum = 1)]
    pub before_seq: Option<i64>,
    /// Staff only: messages and internal notes with a greater `staff_seq` (the staff catch-up
    /// cursor). Users: 403.
    #[validate(range(min = 0, message = "after_staff_seq must be 0 or more."))]
    #[param(minimum = 0)]
    pub after_staff_seq: Option<i64>,
    /// Staff only: the page of messages and notes just before this `staff_seq`. Users: 403.
    #[validate(range(min = 1, message = "before_staff_seq must be 1 or more."))]
    #[param(minimum = 1)]
    pub before_staff_seq: Option<i64>,
    /// Page size, 1–100 (default 50).
    #[validate(custom(function = "pagination::valid_limit"))]
    #[param(inline)]
    pub limit: Option<PageLimit>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PostMessageRequest {
    /// 1–5000 characters after trimming; may be empty when `attachment_ids` is given.
    #[schema(
        example = "Could you send a screenshot?",
        extensions(("x-text-rule" = json!(CONTENT)))
    )]
    pub content: String,
    /// Your idempotency key (1–100 characters, a UUID is best). Repeating it returns the
    /// stored message instead of a duplicate. Generated when omitted.
    #[schema(extensions(("x-text-rule" = json!(CLIENT_ID))))]
    pub client_id: Option<String>,
    /// An internal note, seen by staff only (SPEC §11). Users asking for one get 403.
    #[serde(default)]
    pub internal: bool,
    /// Up to 10 of your own uploads on this ticket (`POST /tickets/{id}/attachments`) to send
    /// with it; `content` may then be empty. Anything else is 422 (`too_many`, `duplicate`,
    /// `not_yours`) and nothing is stored.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachment_ids: Vec<Id>,
}

impl HistoryQuery {
    /// One cursor at most; staff cursors and `seq` cursors do not mix.
    fn cursor(&self) -> Result<Cursor, ApiError> {
        let given = [
            self.after_seq.map(Cursor::AfterSeq),
            self.before_seq.map(Cursor::BeforeSeq),
            self.after_staff_seq.map(Cursor::AfterStaffSeq),
            self.before_staff_seq.map(Cursor::BeforeStaffSeq),
        ];
        let mut given = given.into_iter().flatten();
        match (given.next(), given.next()) {
            (None, _) => Ok(Cursor::Newest),
            (Some(c), None) => Ok(c),
            (Some(_), Some(_)) => Err(ApiError::field(
                "after_seq",
                "one_cursor",
                "Give one of after_seq, before_seq, after_staff_seq and before_staff_seq.",
            )),
        }
    }
}

/// A ticket's messages in ascending order.
///
/// With `after_seq`: what came after it (catch-up). With `before_seq`: the older page.
/// With no cursor: the newest page. Staff also read internal notes: with `after_staff_seq` /
/// `before_staff_seq`, and with no cursor, messages and notes together in `staff_seq` order;
/// the `seq` cursors give the conversation only.
#[utoipa::path(
    get, path = "/tickets/{id}/messages", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id"), HistoryQuery),
    responses((status = 200, body = MessagePage))
)]
async fn list_messages(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let viewer = Viewer::from(&user);
    let cursor = q.cursor()?;
    if matches!(cursor, Cursor::AfterStaffSeq(_) | Cursor::BeforeStaffSeq(_)) {
        // Role before anything about the ticket.
        myrelay_tickets::policy::check_staff_for_notes(viewer)?;
    }
    load_visible(&state.db, viewer, id).await?;
    let limit = q.limit.map_or(50, PageLimit::get);
    let page = store::history(&state.db, viewer.role, id, cursor, limit).await?;
    Ok(Json(page))
}

/// Send a message (or, staff, an internal note) over HTTP; the socket event
/// `ticket:message:send` is the live path.
///
/// Broadcast to the ticket room like a socket send (a note: to the room's staff only). A repeated `client_id` answers 200 with
/// the stored message and broadcasts nothing.
#[utoipa::path(
    post, path = "/tickets/{id}/messages", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = PostMessageRequest,
    responses(
        (status = 201, description = "Stored.", body = Message),
        (status = 200, description = "This `client_id` was already used: the stored message.", body = Message),
        (status = 403, description = "`internal: true` from a user.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed (`ticket_closed`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn post_message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    Json(req): Json<PostMessageRequest>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let client_id = req
        .client_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let draft = Draft {
        content: req.content,
        client_id,
        internal: req.internal,
        attachment_ids: req.attachment_ids,
    };
    let out = store::send(&state, Viewer::from(&user), id, draft, None).await?;
    let status = if out.created.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out.message)))
}
