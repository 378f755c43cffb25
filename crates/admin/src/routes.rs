//! `/admin`: stats, tickets, users, agents. Every route requires an admin.

use axum::extract::State;
use chrono::{DateTime, Utc};
use myrelay_auth::RequireAdmin;
use myrelay_core::pagination::{Cursor, DEFAULT_LIMIT, finish_page};
use myrelay_core::{ApiError, AppState, ErrorCode, Event, Id, Json, Path, Problem, Query, Role};
use myrelay_tickets::Viewer;
use myrelay_tickets::queries as tickets;
use myrelay_tickets::routes::{ListQuery, TicketPage};
use myrelay_users::User;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(all_tickets))
        .routes(routes!(list_users))
        .routes(routes!(update_user))
        .routes(routes!(list_agents))
}

/// Exactly the keys of SPEC §6.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// Every ticket ever filed.
    pub total_tickets: i64,
    pub open_tickets: i64,
    pub assigned_tickets: i64,
    pub resolved_tickets: i64,
    pub closed_tickets: i64,
    /// Active accounts with role `user` (customers).
    pub total_users: i64,
    /// Active accounts with role `agent`.
    pub total_agents: i64,
    /// Active accounts with role `admin`.
    pub total_admins: i64,
    /// Authenticated sockets connected now, across every API instance.
    pub connected_clients: u64,
    /// Distinct agents and admins with at least one connected socket.
    pub connected_agents: u64,
    /// Ticket rooms with at least one socket in them.
    pub active_ticket_rooms: u64,
}

/// Counts for the dashboard: tickets by status, accounts by role, and live connections.
///
/// Ticket counts come from an index-only scan of `tickets_status_idx`.
#[utoipa::path(
    get, path = "/admin/stats", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = Stats),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn stats(
    State(state): State<AppState>,
    _admin: RequireAdmin,
) -> Result<Json<Stats>, ApiError> {
    let (open, assigned, resolved, closed): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'open'),
                count(*) FILTER (WHERE status = 'assigned'),
                count(*) FILTER (WHERE status = 'resolved'),
                count(*) FILTER (WHERE status = 'closed')
           FROM tickets",
    )
    .fetch_one(&state.db)
    .await?;
    let (users, agents, admins): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE role = 'user'),
                count(*) FILTER (WHERE role = 'agent'),
                count(*) FILTER (WHERE role = 'admin')
           FROM users WHERE is_active",
    )
    .fetch_one(&state.db)
    .await?;
    let live = state.live().live_counts().await;
    Ok(Json(Stats {
        total_tickets: open + assigned + resolved + closed,
        open_tickets: open,
        assigned_tickets: assigned,
        resolved_tickets: resolved,
        closed_tickets: closed,
        total_users: users,
        total_agents: agents,
        total_admins: admins,
        connected_clients: live.connected_clients,
        connected_agents: live.connected_agents,
        active_ticket_rooms: live.active_ticket_rooms,
    }))
}

/// Every ticket, with the same filters and pagination as `/tickets`.
#[utoipa::path(
    get, path = "/admin/tickets", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(ListQuery, ("needs_reassignment" = Option<bool>, Query, description = "Only tickets whose assignee is no longer an active agent or admin")),
    responses(
        (status = 200, body = TicketPage),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn all_tickets(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Query(q): Query<ListQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let viewer = Viewer {
        id: admin.id,
        role: Role::Admin,
    };
    let page = tickets::list(&state.db, viewer, &q.to_filter(true)?).await?;
    Ok(Json(TicketPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Part of the email or display name.
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
}

fn no_nul(s: &str) -> Result<(), validator::ValidationError> {
    myrelay_core::text::no_nul(s)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

/// Users, newest first; filter by role and by part of the email or name.
#[utoipa::path(
    get, path = "/admin/users", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(UsersQuery),
    responses(
        (status = 200, body = UserPage),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    _admin: RequireAdmin,
    Query(q): Query<UsersQuery>,
) -> Result<Json<UserPage>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose()?;
    let (at, id) = cursor
        .map(|c| (c.at, c.id))
        .unwrap_or((DateTime::<Utc>::MAX_UTC, i64::MAX));
    let pattern =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
    let items: Vec<User> = sqlx::query_as::<_, User>(
        "SELECT id, email, display_name, role, is_active, created_at, last_seen_at FROM users
          WHERE ($1::user_role IS NULL OR role = $1)
            AND ($2::text IS NULL OR email ILIKE $2 OR display_name ILIKE $2)
            AND (created_at, id) < ($3, $4)
          ORDER BY created_at DESC, id DESC LIMIT $5",
    )
    .bind(q.role)
    .bind(pattern)
    .bind(at)
    .bind(id)
    .bind(limit + 1)
    .fetch_all(&state.db)
    .await?;
    let (items, next_cursor) = finish_page(items, limit, |u| Cursor {
        at: u.created_at,
        id: u.id,
    });
    Ok(Json(UserPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New role.
    pub role: Option<Role>,
    /// `false` deactivates: every session is revoked and every socket disconnected at once.
    pub is_active: Option<bool>,
}

/// Change a user's role or deactivate/reactivate them.
///
/// You cannot change yourself, and the last active admin cannot be demoted or deactivated.
/// A demoted or deactivated agent keeps their tickets, which `/admin/tickets?needs_reassignment=true`
/// lists for an admin to reassign. The user's sockets are disconnected so the change applies
/// at once; every change is recorded with the admin who made it.
#[utoipa::path(
    patch, path = "/admin/users/{id}", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = User),
        (status = 403, description = "Admins only, and not on themselves (`forbidden`).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This is the last active admin (`last_admin`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_user(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<Id>,
    Json(req): Json<UpdateUserRequest>,
) -> Result<Json<User>, ApiError> {
    if id == admin.id
        && (req.role.is_some_and(|r| r != Role::Admin) || req.is_active == Some(false))
    {
        return Err(ApiError::forbidden(
            "You cannot demote or deactivate yourself.",
        ));
    }
    let mut tx = state.db.begin().await?;
    // Lock every active admin first, so two admins demoting each other cannot both win.
    let admins: Vec<Id> = sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE",
    )
    .fetch_all(&mut *tx)
    .await?;
    let before = sqlx::query_as::<_, User>(
        "SELECT id, email, display_name, role, is_active, created_at, last_seen_at FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found("User"))?;
    let role = req.role.unwrap_or(before.role);
    let is_active = req.is_active.unwrap_or(before.is_active);
    let loses_admin =
        before.role == Role::Admin && before.is_active && (role != Role::Admin || !is_active);
    if loses_admin && admins.len() <= 1 {
        return Err(ApiError::conflict(
            ErrorCode::LastAdmin,
            "There must always be at least one active admin.",
        ));
    }
    let after = sqlx::query_as::<_, User>(
        "UPDATE users SET role = $2, is_active = $3, updated_at = now() WHERE id = $1
         RETURNING id, email, display_name, role, is_active, created_at, last_seen_at",
    )
    .bind(id)
    .bind(role)
    .bind(is_active)
    .fetch_one(&mut *tx)
    .await?;
    let changed = before.role != after.role || before.is_active != after.is_active;
    if !after.is_active && before.is_active {
        myrelay_auth::session::revoke_all(&mut *tx, id).await?;
    }
    if changed {
        sqlx::query("INSERT INTO user_events (user_id, actor_user_id, kind, data) VALUES ($1, $2, 'updated', $3)")
            .bind(id)
            .bind(admin.id)
            .bind(json!({
                "role": { "from": before.role, "to": after.role },
                "is_active": { "from": before.is_active, "to": after.is_active },
            }))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if changed {
        state
            .notifier()
            .notify(Event::UserAccessChanged { user_id: id });
    }
    Ok(Json(after))
}

/// An agent (or admin) and their workload.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentWorkload {
    pub user: User,
    /// Tickets assigned to them and still `assigned`.
    pub assigned_open: i64,
    /// Tickets assigned to them that are `resolved`.
    pub resolved: i64,
    /// Tickets assigned to them that are `closed`.
    pub closed: i64,
    /// At least one socket connected now.
    pub online: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgentList {
    pub items: Vec<AgentWorkload>,
}

#[derive(sqlx::FromRow)]
struct AgentRow {
    #[sqlx(flatten)]
    user: User,
    assigned_open: i64,
    resolved: i64,
    closed: i64,
}

/// Agents and admins with their workload and whether they are online now.
#[utoipa::path(
    get, path = "/admin/agents", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = AgentList),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_agents(
    State(state): State<AppState>,
    _admin: RequireAdmin,
) -> Result<Json<AgentList>, ApiError> {
    let rows = sqlx::query_as::<_, AgentRow>(
        "SELECT u.id, u.email, u.display_name, u.role, u.is_active, u.created_at, u.last_seen_at,
                count(t.id) FILTER (WHERE t.status = 'assigned') AS assigned_open,
                count(t.id) FILTER (WHERE t.status = 'resolved') AS resolved,
                count(t.id) FILTER (WHERE t.status = 'closed') AS closed
           FROM users u LEFT JOIN tickets t ON t.assigned_agent_id = u.id
          WHERE u.role IN ('agent', 'admin')
          GROUP BY u.id
          ORDER BY u.role DESC, u.display_name, u.id",
    )
    .fetch_all(&state.db)
    .await?;
    let live = state.live().live_counts().await;
    Ok(Json(AgentList {
        items: rows
            .into_iter()
            .map(|r| AgentWorkload {
                online: live.online_users.contains(&r.user.id),
                user: r.user,
                assigned_open: r.assigned_open,
                resolved: r.resolved,
                closed: r.closed,
            })
            .collect(),
    }))
}
