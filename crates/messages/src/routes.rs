//! `/tickets/{id}/messages`: history and the HTTP fallback for sending.

use crate::store::{self, CLIENT_ID, CONTENT, Message, MessagePage};
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
    /// Page size, 1–100 (default 50).
    #[validate(custom(function = "pagination::valid_limit"))]
    #[param(inline)]
    pub limit: Option<PageLimit>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PostMessageRequest {
    /// 1–5000 characters after trimming.
    #[schema(
        example = "Could you send a screenshot?",
        extensions(("x-text-rule" = json!(CONTENT)))
    )]
    pub content: String,
    /// Your idempotency key (1–100 characters, a UUID is best). Repeating it returns the
    /// stored message instead of a duplicate. Generated when omitted.
    #[schema(extensions(("x-text-rule" = json!(CLIENT_ID))))]
    pub client_id: Option<String>,
}

/// A ticket's messages in ascending `seq`.
///
/// With `after_seq`: what came after it (catch-up). With `before_seq`: the older page.
/// With neither: the newest page.
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
    load_visible(&state.db, Viewer::from(&user), id).await?;
    let page = store::history(
        &state.db,
        id,
        q.after_seq,
        q.before_seq,
        q.limit.map_or(50, PageLimit::get),
    )
    .await?;
    Ok(Json(page))
}

/// Send a message over HTTP (the socket event `ticket:message:send` is the live path).
///
/// Broadcast to the ticket room like a socket send. A repeated `client_id` answers 200 with
/// the stored message and broadcasts nothing.
#[utoipa::path(
    post, path = "/tickets/{id}/messages", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = PostMessageRequest,
    responses(
        (status = 201, description = "Stored.", body = Message),
        (status = 200, description = "This `client_id` was already used: the stored message.", body = Message),
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
    let out = store::send(
        &state,
        Viewer::from(&user),
        id,
        req.content,
        client_id,
        None,
    )
    .await?;
    let status = if out.created.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out.message)))
}
