//! `/tickets`: file, list, read, change status, assign.

use crate::lifecycle::{self, Actor, Via};
use crate::model::{Ticket, TicketStatus};
use crate::policy::{self, Access, Viewer};
use crate::queries::{self, ListFilter, Scope};
use axum::extract::State;
use axum::http::StatusCode;
use myrelay_auth::CurrentUser;
use myrelay_core::pagination::{Cursor, DEFAULT_LIMIT};
use myrelay_core::text;
use myrelay_core::{
    ApiError, AppState, ErrorCode, Event, Id, Json, Path, Problem, Query, Role, ValidJson,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
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
    text::check(s, 0, 200)
}
fn description_ok(s: &str) -> Result<(), ValidationError> {
    text::check(s, 1, 10_000)
}
fn no_nul(s: &str) -> Result<(), ValidationError> {
    text::no_nul(s)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateTicketRequest {
    /// Optional one-line summary, at most 200 characters.
    #[validate(custom(function = "subject_ok"))]
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "Cannot sign in on mobile"
    )]
    pub subject: Option<String>,
    /// What you need help with: 1–10 000 characters after trimming.
    #[validate(custom(function = "description_ok"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$",
        example = "Since this morning the app says my password is wrong."
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
    /// Words to find in the subject or description (PostgreSQL full-text search).
    #[validate(
        length(max = 200, message = "At most 200 characters."),
        custom(function = "no_nul")
    )]
    #[param(max_length = 200, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Page size, 1–100 (default 20).
    #[validate(range(min = 1, max = 100, message = "limit must be between 1 and 100."))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}_[0-9]{1,18}$")]
    pub cursor: Option<String>,
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
            q: self.q.clone(),
            cursor: self.cursor.as_deref().map(Cursor::decode).transpose()?,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            needs_reassignment,
        })
    }
}

/// A page of tickets. Pass `next_cursor` back as `cursor`; `null` means the last page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    pub next_cursor: Option<String>,
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
        .map(myrelay_core::text::trim)
        .filter(|s| !s.is_empty());
    let mut tx = state.db.begin().await?;
    let id = queries::insert(&mut tx, user.id, subject, text::trim(&req.description)).await?;
    queries::record_event(&mut tx, id, user.id, "created", json!({ "status": "open" })).await?;
    tx.commit().await?;
    let ticket = queries::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    state.notifier().notify(Event::TicketCreated {
        ticket: ticket.to_ref(),
        ticket_json: serde_json::to_value(&ticket).map_err(|e| ApiError::Internal(e.into()))?,
    });
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
    responses((status = 200, body = TicketPage))
)]
async fn list_tickets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let page = queries::list(&state.db, (&user).into(), &q.to_filter(false)?).await?;
    Ok(Json(TicketPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Load a ticket `viewer` may see (404 otherwise: existence never leaks).
pub async fn load_visible(state: &AppState, viewer: Viewer, id: Id) -> Result<Ticket, ApiError> {
    let t = queries::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    policy::check_may_see(viewer, Access::from(&t))?;
    Ok(t)
}

/// A ticket with its creator and assignee.
#[utoipa::path(
    get, path = "/tickets/{id}", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = Ticket))
)]
async fn get_ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(load_visible(&state, (&user).into(), id).await?))
}

#[derive(Serialize)]
struct ActorJson {
    id: Id,
    display_name: String,
    role: Role,
}

fn actor_json(u: &CurrentUser) -> serde_json::Value {
    serde_json::to_value(ActorJson {
        id: u.id,
        display_name: u.display_name.clone(),
        role: u.role,
    })
    .unwrap_or_default()
}

fn invalid_transition(current: TicketStatus) -> ApiError {
    ApiError::InvalidTransition {
        current: current.as_str().to_string(),
        allowed: lifecycle::allowed_status_targets(current)
            .into_iter()
            .map(|s| s.as_str().to_string())
            .collect(),
    }
}

fn to_json(t: &Ticket) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(t).map_err(|e| ApiError::Internal(e.into()))
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
    let viewer: Viewer = (&user).into();
    let mut tx = state.db.begin().await?;
    let t = queries::get_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    let access = Access::from(&t);
    policy::check_may_see(viewer, access)?;
    if user.role == Role::User {
        return Err(ApiError::forbidden(
            "Only the assigned agent or an admin changes a ticket's status.",
        ));
    }
    let tr = lifecycle::find(t.status, req.status, Via::Status)
        .ok_or_else(|| invalid_transition(t.status))?;
    let allowed = match tr.who {
        Actor::Admin => user.role == Role::Admin,
        Actor::AssigneeOrAdmin | Actor::SelfAssigningAgentOrAdmin => {
            policy::is_assignee_or_admin(viewer, access)
        }
    };
    if !allowed {
        return Err(ApiError::forbidden(match tr.who {
            Actor::Admin => "Only an admin may make this change.",
            _ => "Only the assigned agent or an admin may make this change.",
        }));
    }
    queries::set_status(&mut tx, id, req.status).await?;
    queries::record_event(
        &mut tx,
        id,
        user.id,
        "status_changed",
        json!({ "from": t.status, "to": req.status }),
    )
    .await?;
    let updated = queries::get(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    tx.commit().await?;
    let ticket_json = to_json(&updated)?;
    state.notifier().notify(Event::TicketChanged {
        ticket: updated.to_ref(),
        room_event: "ticket:status:updated",
        room_payload: json!({
            "ticket_id": id,
            "status": updated.status,
            "ticket": ticket_json,
            "actor": actor_json(&user),
        }),
        ticket_json,
    });
    Ok(Json(updated))
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
    let viewer: Viewer = (&user).into();
    let target: Option<Id> = match req.agent_id {
        None => Some(user.id),
        Some(t) => t,
    };
    let mut tx = state.db.begin().await?;
    let t = queries::get_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    let access = Access::from(&t);
    let current = access.assigned_agent_id;
    let already = || {
        ApiError::conflict(
            ErrorCode::AlreadyAssigned,
            "Another agent has already taken this ticket.",
        )
    };

    if !policy::may_see(viewer, access) {
        // An agent who lost a race to take a ticket learns why (SPEC §2), nothing more.
        if user.role == Role::Agent && target == Some(user.id) && t.status == TicketStatus::Assigned
        {
            return Err(already());
        }
        return Err(ApiError::not_found("Ticket"));
    }
    if current == target && target.is_some() {
        return Ok(Json(t)); // already theirs: no-op
    }
    if user.role == Role::Admin
        && let Some(agent) = target
        && agent != user.id
        && !queries::is_active_staff(&mut *tx, agent).await?
    {
        return Err(ApiError::conflict(
            ErrorCode::NotAssignable,
            "Tickets can only be assigned to an active agent or admin.",
        ));
    }
    let new_status = if target.is_some() {
        TicketStatus::Assigned
    } else {
        TicketStatus::Open
    };
    let tr = lifecycle::find(t.status, new_status, Via::Assign);
    let permitted = match user.role {
        Role::User => {
            return Err(ApiError::forbidden(
                "Only agents and admins assign tickets.",
            ));
        }
        Role::Admin => true,
        Role::Agent => match target {
            Some(a) if a != user.id => {
                return Err(ApiError::forbidden(
                    "Agents may only take tickets for themselves.",
                ));
            }
            Some(_) => current.is_none(),
            None => current == Some(user.id),
        },
    };
    let Some(tr) = tr else {
        if target.is_some() && current.is_some() && user.role == Role::Agent {
            return Err(already());
        }
        return Err(ApiError::conflict(
            ErrorCode::InvalidTransition,
            format!(
                "A `{}` ticket cannot be {}.",
                t.status.as_str(),
                if target.is_some() {
                    "assigned"
                } else {
                    "released"
                }
            ),
        ));
    };
    if !permitted || (tr.who == Actor::Admin && user.role != Role::Admin) {
        if target == Some(user.id) && current.is_some() {
            return Err(already());
        }
        return Err(ApiError::forbidden(
            "Only the assigned agent or an admin may release this ticket.",
        ));
    }
    queries::set_assignee(&mut tx, id, target, new_status).await?;
    let kind = match (current, target) {
        (None, Some(_)) => "assigned",
        (Some(_), Some(_)) => "reassigned",
        _ => "released",
    };
    queries::record_event(
        &mut tx,
        id,
        user.id,
        kind,
        json!({ "from": current, "to": target, "status_from": t.status, "status_to": new_status }),
    )
    .await?;
    let updated = queries::get(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    tx.commit().await?;
    let ticket_json = to_json(&updated)?;
    state.notifier().notify(Event::TicketChanged {
        ticket: updated.to_ref(),
        room_event: "ticket:assigned",
        room_payload: json!({
            "ticket_id": id,
            "assigned_agent": ticket_json["assigned_agent"],
            "ticket": ticket_json,
            "actor": actor_json(&user),
        }),
        ticket_json,
    });
    Ok(Json(updated))
}
