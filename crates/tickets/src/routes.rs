//! `/tickets`: file, list, read, change status, assign.

use crate::model::{Ticket, TicketStatus, TicketView};
use crate::policy::Viewer;
use crate::queries::{self, ListFilter, Scope};
use crate::service;
use axum::extract::State;
use axum::http::StatusCode;
use myrelay_auth::CurrentUser;
use myrelay_core::pagination::{self, Cursor, CursorParam, DEFAULT_LIMIT, Page, PageLimit};
use myrelay_core::text::{self, SearchText};
use myrelay_core::{ApiError, AppState, Id, Json, Path, Problem, Query, ValidJson, detached};
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::{Validate, ValidationError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ticket, list_tickets))
        .routes(routes!(get_ticket))
        .routes(routes!(change_status))
        .routes(routes!(assign_ticket))
        .merge(crate::timeline::router())
}

impl From<&CurrentUser> for Viewer {
    fn from(u: &CurrentUser) -> Self {
        Viewer {
            id: u.id,
            role: u.role,
        }
    }
}

fn subject_ok(s: &str) -> Result<(), ValidationError> {
    Ticket::SUBJECT.check(s)
}
fn description_ok(s: &str) -> Result<(), ValidationError> {
    Ticket::DESCRIPTION.check(s)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateTicketRequest {
    /// Optional one-line summary, at most 200 characters.
    #[validate(custom(function = "subject_ok"))]
    #[schema(
        example = "Cannot sign in on mobile",
        extensions(("x-text-rule" = json!(Ticket::SUBJECT)))
    )]
    pub subject: Option<String>,
    /// What you need help with: 1–10 000 characters after trimming.
    #[validate(custom(function = "description_ok"))]
    #[schema(
        example = "Since this morning the app says my password is wrong.",
        extensions(("x-text-rule" = json!(Ticket::DESCRIPTION)))
    )]
    pub description: String,
}

/// Filters for ticket lists. Repeat `status` for several statuses.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only these statuses (repeat the parameter for several).
    #[serde(default)]
    pub status: Option<Vec<TicketStatus>>,
    /// `mine`, `available` or `all` (default).
    #[param(inline)]
    pub scope: Option<Scope>,
    /// Words to find in the subject, the description or what was said in the messages you may
    /// see (PostgreSQL full-text search); each hit says where it matched (`search_match`).
    #[validate(custom(function = "text::valid_search"))]
    #[param(inline)]
    pub q: Option<SearchText>,
    /// Page size, 1–100 (default 20).
    #[validate(custom(function = "pagination::valid_limit"))]
    #[param(inline)]
    pub limit: Option<PageLimit>,
    /// `next_cursor` of the previous page.
    #[param(inline)]
    pub cursor: Option<CursorParam>,
    /// Admin list only (`/admin/tickets`), documented there.
    #[param(ignore)]
    pub needs_reassignment: Option<bool>,
}

impl ListQuery {
    /// The filter; `needs_reassignment` only where the caller allows it (the admin list).
    pub fn to_filter(&self, allow_needs_reassignment: bool) -> Result<ListFilter, ApiError> {
        let needs_reassignment =
            allow_needs_reassignment && self.needs_reassignment.unwrap_or(false);
        Ok(ListFilter {
            scope: self.scope.unwrap_or(Scope::All),
            statuses: self.status.clone().filter(|s| !s.is_empty()),
            q: self.q.clone().map(SearchText::into_inner),
            cursor: self.cursor.as_deref().map(Cursor::decode).transpose()?,
            limit: self.limit.map_or(DEFAULT_LIMIT, PageLimit::get),
            needs_reassignment,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusRequest {
    /// `resolved`, `closed`, or `assigned` (reopen a resolved ticket).
    pub status: TicketStatus,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// The agent to assign. Omitted: yourself. `null`: release the ticket back to `open`.
    /// Agents may only take tickets for themselves or release their own.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, nullable = true, required = false)]
    pub agent_id: Option<Option<Id>>,
}

/// Distinguish a field that is `null` (`Some(None)`) from one that is absent (`None`).
/// JSON Schema counts `42.0` as an integer, so integral numbers are accepted in any spelling.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Id>>, D::Error> {
    use serde::de::Error;
    let n = Option::<serde_json::Number>::deserialize(d)?;
    let Some(n) = n else { return Ok(Some(None)) };
    if let Some(i) = n.as_i64() {
        return Ok(Some(Some(i)));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
            Ok(Some(Some(f as i64)))
        }
        _ => Err(D::Error::custom("agent_id must be an integer id or null")),
    }
}

/// File a ticket.
#[utoipa::path(
    post, path = "/tickets", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateTicketRequest,
    responses((status = 201, description = "The new ticket, status `open`.", body = Ticket))
)]
async fn create_ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidJson(req): ValidJson<CreateTicketRequest>,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let subject = req
        .subject
        .as_deref()
        .map(text::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let description = text::trim(&req.description).to_string();
    let ticket = detached(async move {
        service::create(&state, &user.summary(), subject.as_deref(), &description).await
    })
    .await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// Tickets you may see, newest activity first.
///
/// Users: tickets they created. Agents: the open unassigned pool, tickets assigned to them
/// and tickets they created. Admins: everything.
#[utoipa::path(
    get, path = "/tickets", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(ListQuery),
    responses((status = 200, body = Page<TicketView>))
)]
async fn list_tickets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<TicketView>>, ApiError> {
    Ok(Json(
        queries::list(&state.db, (&user).into(), &q.to_filter(false)?).await?,
    ))
}

/// A ticket with its creator and assignee, your unread count and its newest message.
#[utoipa::path(
    get, path = "/tickets/{id}", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketView))
)]
async fn get_ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(
        service::load_view(&state.db, (&user).into(), id).await?,
    ))
}

/// Move a ticket along its lifecycle: resolve, reopen (`assigned`), close.
///
/// Taking, releasing and reassigning go through `/tickets/{id}/assign`.
#[utoipa::path(
    patch, path = "/tickets/{id}/status", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "The updated ticket.", body = Ticket),
        (status = 403, description = "You may not change this ticket's status (`forbidden`).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status (`invalid_transition`, with `current_status` and `allowed`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    Json(req): Json<StatusRequest>,
) -> Result<Json<Ticket>, ApiError> {
    let ticket =
        detached(
            async move { service::change_status(&state, &user.summary(), id, req.status).await },
        )
        .await?;
    Ok(Json(ticket))
}

/// Take, assign, reassign or release a ticket.
///
/// Agents: omit `agent_id` (or pass their own id) to take an open ticket; `null` releases
/// their own ticket back to `open`. Admins: any active agent or admin (omitted = themselves),
/// reassign, or release. Of several agents taking one ticket at once exactly one wins; the
/// others get 409 `already_assigned`. Assigning to the current assignee is a no-op.
#[utoipa::path(
    patch, path = "/tickets/{id}/assign", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The updated ticket.", body = Ticket),
        (status = 403, description = "You may not assign this ticket (`forbidden`).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone else holds it (`already_assigned`), the status does not allow it (`invalid_transition`), or `agent_id` is not an active agent or admin (`not_assignable`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn assign_ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    Json(req): Json<AssignRequest>,
) -> Result<Json<Ticket>, ApiError> {
    let target: Option<Id> = match req.agent_id {
        None => Some(user.id),
        Some(t) => t,
    };
    let ticket =
        detached(async move { service::assign(&state, &user.summary(), id, target).await }).await?;
    Ok(Json(ticket))
}
