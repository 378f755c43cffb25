//! `/admin`: stats, tickets, users, agents. Every route requires an admin.

use axum::extract::State;
use myrelay_auth::{AccountEvent, RequireAdmin};
use myrelay_core::pagination::{self, Cursor, CursorParam, DEFAULT_LIMIT, Page, PageLimit};
use myrelay_core::text::SearchText;
use myrelay_core::{ApiError, AppState, ErrorCode, Id, Json, Path, Problem, Query, Role, text};
use myrelay_tickets::queries as tickets;
use myrelay_tickets::routes::ListQuery;
use myrelay_tickets::{TicketView, Viewer};
use myrelay_users::{AccountChange, AccountFacts, User, UserFilter};
use serde::{Deserialize, Serialize};
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
        .merge(crate::audit::router())
}

/// Exactly the keys of SPEC §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
/// Ticket counts come from counters the database keeps in step with every ticket change
/// (flat however many tickets there are, and exact).
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
    Ok(Json(Stats::load(&state).await?))
}

impl Stats {
    /// The counts now: tickets by status (four counter rows), active accounts by role, and
    /// the live counts across every instance.
    pub async fn load(state: &AppState) -> sqlx::Result<Stats> {
        let t = tickets::count_by_status(&state.db).await?;
        let (users, agents, admins) = myrelay_users::count_active_by_role(&state.db).await?;
        let live = state.live().live_counts().await;
        Ok(Stats {
            total_tickets: t.open + t.assigned + t.resolved + t.closed,
            open_tickets: t.open,
            assigned_tickets: t.assigned,
            resolved_tickets: t.resolved,
            closed_tickets: t.closed,
            total_users: users,
            total_agents: agents,
            total_admins: admins,
            connected_clients: live.connected_clients,
            connected_agents: live.connected_agents,
            active_ticket_rooms: live.active_ticket_rooms,
        })
    }
}

/// Every ticket, with the same filters and pagination as `/tickets`.
#[utoipa::path(
    get, path = "/admin/tickets", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(ListQuery, ("needs_reassignment" = Option<bool>, Query, description = "Only tickets whose assignee is no longer an active agent or admin")),
    responses(
        (status = 200, body = Page<TicketView>),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn all_tickets(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<TicketView>>, ApiError> {
    let viewer = Viewer {
        id: admin.id,
        role: Role::Admin,
    };
    Ok(Json(
        tickets::list(&state.db, viewer, &q.to_filter(true)?).await?,
    ))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Part of the email or display name.
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
}

/// Users, newest first; filter by role and by part of the email or name.
#[utoipa::path(
    get, path = "/admin/users", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(UsersQuery),
    responses(
        (status = 200, body = Page<User>),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    _admin: RequireAdmin,
    Query(q): Query<UsersQuery>,
) -> Result<Json<Page<User>>, ApiError> {
    let limit = q.limit.map_or(DEFAULT_LIMIT, PageLimit::get);
    let filter = UserFilter {
        role: q.role,
        q: q.q.as_deref(),
        cursor: q.cursor.as_deref().map(Cursor::decode).transpose()?,
        limit,
    };
    let rows = myrelay_users::list(&state.db, &filter).await?;
    Ok(Json(Page::finish(rows, limit, |u| Cursor {
        at: u.created_at,
        id: u.id,
    })))
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
    let admins = myrelay_users::lock_active_admins(&mut *tx).await?;
    let before = myrelay_users::get_for_update(&mut *tx, id)
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
    let after = myrelay_users::set_access(&mut *tx, id, role, is_active).await?;
    let changes = AccountChange::between(
        AccountFacts {
            role: before.role,
            is_active: before.is_active,
        },
        AccountFacts {
            role: after.role,
            is_active: after.is_active,
        },
    );
    let changed = !changes.is_empty();
    if !after.is_active && before.is_active {
        myrelay_auth::session::revoke_all(&mut *tx, id).await?;
    }
    for (kind, change) in &changes {
        myrelay_users::record_event(&mut *tx, id, Some(admin.id), *kind, change).await?;
    }
    tx.commit().await?;
    if changed {
        state.announce(AccountEvent::AccessChanged { user_id: id });
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
    let rows = tickets::agent_workloads(&state.db).await?;
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
