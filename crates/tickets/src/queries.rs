//! Ticket SQL. Static statements only; every list is a keyset page that comes off an index
//! in order (see the indexes in `migrations/`).
//!
//! Which rows a viewer's list may contain is the SQL copy of [`crate::policy::may_see`]:
//! the Rust policy is the source, and the authorization matrix
//! (`crates/api/tests/authz_matrix.rs`) holds these statements to its answers.

use crate::model::{Ticket, TicketRow, TicketStatus, TicketView, TicketViewRow};
use crate::policy::Viewer;
use chrono::{DateTime, Utc};
use myrelay_core::pagination::{Cursor, Page};
use myrelay_core::{Id, Role};
use myrelay_users::User;
use sqlx::{PgExecutor, Postgres, Transaction};

/// Columns of [`TicketRow`], over `tickets t`, creator `c` and assignee `a`.
macro_rules! ticket_columns {
    () => {
        "t.id, t.subject, t.description, t.status, t.created_at, t.updated_at, t.resolved_at,
         t.closed_at, t.last_message_at, t.last_seq AS message_count,
         c.id AS creator_id, c.display_name AS creator_name, c.email AS creator_email,
         c.role AS creator_role, a.id AS agent_id, a.display_name AS agent_name,
         a.email AS agent_email, a.role AS agent_role"
    };
}

macro_rules! ticket_from {
    () => {
        " FROM tickets t JOIN users c ON c.id = t.created_by_user_id
          LEFT JOIN users a ON a.id = t.assigned_agent_id "
    };
}

/// Filters shared by every list branch. Parameters: `$2` statuses (or NULL), `$3` search
/// words (or NULL), `$4`/`$5` the cursor (`infinity`/max id for the first page), `$6` limit.
/// The words match the subject and description, or what was said: a message of the ticket
/// (the ids of tickets with a matching message come from the GIN index on `messages.search`,
/// hashed once per statement), and for staff (`$1` is an agent or admin) an internal note.
macro_rules! list_filters {
    () => {
        " AND ($2::ticket_status[] IS NULL OR t.status = ANY($2))
          AND ($3::text IS NULL OR t.search @@ websearch_to_tsquery('english', $3)
               OR t.id IN (SELECT m.ticket_id FROM messages m
                            WHERE m.search @@ websearch_to_tsquery('english', $3))
               OR t.id IN (SELECT n.ticket_id FROM notes n
                            WHERE n.search @@ websearch_to_tsquery('english', $3)
                              AND EXISTS (SELECT 1 FROM users su
                                           WHERE su.id = $1 AND su.role <> 'user')))
          AND (t.updated_at, t.id) < ($4, $5)
          ORDER BY t.updated_at DESC, t.id DESC LIMIT $6"
    };
}

/// What viewer `$1` sees of ticket `t` besides the ticket: their unread count (messages above
/// their read pointer; their own never are), the newest message, and with search words `$3`
/// where the search matched (subject, then description, then the newest matching message, then
/// for staff the newest matching internal note, whose `seq` is its `staff_seq`),
/// as a highlighted excerpt (`\x01`…`\x02` around each hit; the text itself is stripped of
/// those two characters first). One index lookup each per row: pages stay flat however many
/// messages there are.
macro_rules! view_columns {
    () => {
        ", greatest(t.last_seq - coalesce(rp.last_read_seq, 0), 0) AS unread_count,
         lm.seq AS lm_seq, lu.id AS lm_sender_id, lu.display_name AS lm_sender_name,
         lm.sender_role AS lm_sender_role, left(lm.content, 600) AS lm_head,
         lm.created_at AS lm_created_at,
         sm.field AS match_field, sm.seq AS match_seq, sm.excerpt AS match_excerpt"
    };
}

macro_rules! view_joins {
    () => {
        " LEFT JOIN read_pointers rp ON rp.user_id = $1 AND rp.ticket_id = t.id
          LEFT JOIN messages lm ON lm.ticket_id = t.id AND lm.seq = t.last_seq
          LEFT JOIN users lu ON lu.id = lm.sender_user_id
          LEFT JOIN LATERAL (
            SELECT f.field, f.seq, f.excerpt FROM (
              SELECT 1 AS rank, 'subject' AS field, NULL::bigint AS seq,
                     ts_headline('english', translate(t.subject, chr(1) || chr(2), ''),
                                 websearch_to_tsquery('english', $3), hl.opts) AS excerpt
               WHERE $3::text IS NOT NULL
                 AND to_tsvector('english', coalesce(t.subject, ''))
                     @@ websearch_to_tsquery('english', $3)
              UNION ALL
              SELECT 2, 'description', NULL,
                     ts_headline('english', translate(t.description, chr(1) || chr(2), ''),
                                 websearch_to_tsquery('english', $3), hl.opts)
               WHERE $3::text IS NOT NULL
                 AND to_tsvector('english', t.description) @@ websearch_to_tsquery('english', $3)
              UNION ALL
              (SELECT 3, 'message', m.seq,
                      ts_headline('english', translate(m.content, chr(1) || chr(2), ''),
                                  websearch_to_tsquery('english', $3), hl.opts)
                 FROM messages m
                WHERE $3::text IS NOT NULL AND m.ticket_id = t.id
                  AND m.search @@ websearch_to_tsquery('english', $3)
                ORDER BY m.seq DESC LIMIT 1)
              UNION ALL
              (SELECT 4, 'note', n.staff_seq,
                      ts_headline('english', translate(n.content, chr(1) || chr(2), ''),
                                  websearch_to_tsquery('english', $3), hl.opts)
                 FROM notes n
                WHERE $3::text IS NOT NULL AND n.ticket_id = t.id
                  AND n.search @@ websearch_to_tsquery('english', $3)
                  AND EXISTS (SELECT 1 FROM users su WHERE su.id = $1 AND su.role <> 'user')
                ORDER BY n.staff_seq DESC LIMIT 1)
            ) f ORDER BY f.rank LIMIT 1
          ) sm ON true "
    };
}

/// Wrap a page of `(id)` rows into full ticket views in list order.
macro_rules! list_query {
    ($page:expr) => {
        concat!(
            "WITH page AS (",
            $page,
            "), hl AS (SELECT 'StartSel=' || chr(1) || ', StopSel=' || chr(2)
                              || ', MaxWords=18, MinWords=6, MaxFragments=1' AS opts)
             SELECT ",
            ticket_columns!(),
            view_columns!(),
            " FROM page p CROSS JOIN hl JOIN tickets t ON t.id = p.id
               JOIN users c ON c.id = t.created_by_user_id
               LEFT JOIN users a ON a.id = t.assigned_agent_id",
            view_joins!(),
            " ORDER BY t.updated_at DESC, t.id DESC"
        )
    };
}

const GET: &str = concat!(
    "SELECT ",
    ticket_columns!(),
    ticket_from!(),
    " WHERE t.id = $1"
);
/// Ticket `$2` as viewer `$1` sees it (no search: `$3` is NULL).
const GET_VIEW: &str = concat!(
    "WITH hl AS (SELECT ''::text AS opts) SELECT ",
    ticket_columns!(),
    view_columns!(),
    " FROM tickets t CROSS JOIN hl JOIN users c ON c.id = t.created_by_user_id
        LEFT JOIN users a ON a.id = t.assigned_agent_id",
    view_joins!(),
    " WHERE t.id = $2 AND $3::text IS NULL"
);
const GET_FOR_UPDATE: &str = concat!(
    "SELECT ",
    ticket_columns!(),
    ticket_from!(),
    " WHERE t.id = $1 FOR UPDATE OF t"
);

/// Tickets created by `$1`.
const LIST_CREATED_BY: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t WHERE t.created_by_user_id = $1",
    list_filters!()
));
/// Tickets assigned to `$1`.
const LIST_ASSIGNED_TO: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t WHERE t.assigned_agent_id = $1",
    list_filters!()
));
/// The open, unassigned pool (`$1` unused but typed so every list binds alike).
const LIST_AVAILABLE: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t WHERE t.status = 'open' AND t.assigned_agent_id IS NULL AND $1::bigint IS NOT NULL",
    list_filters!()
));
/// The user's own open tickets (what "available" means to a customer).
const LIST_CREATED_BY_AVAILABLE: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t WHERE t.created_by_user_id = $1 AND t.status = 'open' AND t.assigned_agent_id IS NULL",
    list_filters!()
));
/// Everything (admins).
const LIST_ALL: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t WHERE $1::bigint IS NOT NULL",
    list_filters!()
));
/// Tickets held by someone who is no longer an active agent or admin (admins reassign them).
const LIST_NEEDS_REASSIGNMENT: &str = list_query!(concat!(
    "SELECT t.id FROM tickets t JOIN users u ON u.id = t.assigned_agent_id
      WHERE t.status IN ('assigned', 'resolved') AND (u.role = 'user' OR NOT u.is_active)
        AND $1::bigint IS NOT NULL",
    list_filters!()
));
/// An agent's whole view: the pool ∪ assigned to them ∪ created by them. Three disjoint
/// branches, each an ordered, LIMITed scan of its own index, so a page costs the same
/// however many tickets are open.
const LIST_AGENT_VIEW: &str = list_query!(concat!(
    "SELECT id FROM ((SELECT t.id, t.updated_at FROM tickets t
         WHERE t.status = 'open' AND t.assigned_agent_id IS NULL",
    list_filters!(),
    ") UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.assigned_agent_id = $1",
    list_filters!(),
    ") UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.created_by_user_id = $1
         AND t.assigned_agent_id IS DISTINCT FROM $1
         AND NOT (t.status = 'open' AND t.assigned_agent_id IS NULL)",
    list_filters!(),
    ")) u ORDER BY u.updated_at DESC, u.id DESC LIMIT $6"
));

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Created by me (users); assigned to me (agents and admins).
    Mine,
    /// Open and unassigned.
    Available,
    /// Everything I may see.
    All,
}

pub struct ListFilter {
    pub scope: Scope,
    pub statuses: Option<Vec<TicketStatus>>,
    pub q: Option<String>,
    pub cursor: Option<Cursor>,
    pub limit: i64,
    /// Admin only: tickets whose assignee is no longer an active agent or admin.
    pub needs_reassignment: bool,
}

/// The page of tickets `viewer` may see under `f` (the admin list passes an admin viewer).
pub async fn list(
    db: impl PgExecutor<'_>,
    viewer: Viewer,
    f: &ListFilter,
) -> sqlx::Result<Page<TicketView>> {
    let sql: &'static str = if f.needs_reassignment {
        LIST_NEEDS_REASSIGNMENT
    } else {
        match (viewer.role, f.scope) {
            (Role::User, Scope::Available) => LIST_CREATED_BY_AVAILABLE,
            (Role::User, _) => LIST_CREATED_BY,
            (_, Scope::Mine) => LIST_ASSIGNED_TO,
            (_, Scope::Available) => LIST_AVAILABLE,
            (Role::Agent, Scope::All) => LIST_AGENT_VIEW,
            (Role::Admin, Scope::All) => LIST_ALL,
        }
    };
    let (at, id) = match f.cursor {
        Some(c) => (c.at, c.id),
        None => (DateTime::<Utc>::MAX_UTC, i64::MAX),
    };
    let q = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let rows: Vec<TicketView> = sqlx::query_as::<_, TicketViewRow>(sql)
        .bind(viewer.id)
        .bind(f.statuses.as_deref())
        .bind(q)
        .bind(at)
        .bind(id)
        .bind(f.limit + 1)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(TicketView::from)
        .collect();
    Ok(Page::finish(rows, f.limit, |v| Cursor {
        at: v.ticket.updated_at,
        id: v.ticket.id,
    }))
}

/// Ticket `id` as `viewer` sees it (the caller has checked that they may).
pub async fn get_view(
    db: impl PgExecutor<'_>,
    viewer: Viewer,
    id: Id,
) -> sqlx::Result<Option<TicketView>> {
    Ok(sqlx::query_as::<_, TicketViewRow>(GET_VIEW)
        .bind(viewer.id)
        .bind(id)
        .bind(None::<String>)
        .fetch_optional(db)
        .await?
        .map(TicketView::from))
}

pub async fn get(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<Option<Ticket>> {
    Ok(sqlx::query_as::<_, TicketRow>(GET)
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(Ticket::from))
}

/// Lock the ticket row for the rest of the transaction.
pub async fn get_for_update(
    tx: &mut Transaction<'_, Postgres>,
    id: Id,
) -> sqlx::Result<Option<Ticket>> {
    Ok(sqlx::query_as::<_, TicketRow>(GET_FOR_UPDATE)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(Ticket::from))
}

pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    created_by: Id,
    subject: Option<&str>,
    description: &str,
) -> sqlx::Result<Id> {
    sqlx::query_scalar(
        "INSERT INTO tickets (subject, description, created_by_user_id) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(subject)
    .bind(description)
    .bind(created_by)
    .fetch_one(&mut **tx)
    .await
}

/// Set the status and maintain `resolved_at`/`closed_at` (reopen clears `resolved_at`).
pub async fn set_status(
    tx: &mut Transaction<'_, Postgres>,
    id: Id,
    to: TicketStatus,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE tickets SET status = $2, updated_at = now(),
             resolved_at = CASE WHEN $2 = 'resolved' THEN now()
                                WHEN $2 = 'assigned' THEN NULL ELSE resolved_at END,
             closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END
          WHERE id = $1",
    )
    .bind(id)
    .bind(to)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Set the assignee (and the status that goes with it).
pub async fn set_assignee(
    tx: &mut Transaction<'_, Postgres>,
    id: Id,
    agent: Option<Id>,
    status: TicketStatus,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE tickets SET assigned_agent_id = $2, status = $3, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(agent)
    .bind(status)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Whether `id` is an active agent or admin (a valid assignee).
pub async fn is_active_staff(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND is_active AND role IN ('agent', 'admin'))")
        .bind(id)
        .fetch_one(db)
        .await
}

/// Tickets by status.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct StatusCounts {
    pub open: i64,
    pub assigned: i64,
    pub resolved: i64,
    pub closed: i64,
}

/// Tickets by status, from the counters the database keeps (`ticket_counts`, maintained by
/// triggers in the same transaction as every insert, delete and status change): four rows,
/// however many tickets there are.
pub async fn count_by_status(db: impl PgExecutor<'_>) -> sqlx::Result<StatusCounts> {
    sqlx::query_as(
        "SELECT coalesce(sum(n) FILTER (WHERE status = 'open'), 0)::bigint AS open,
                coalesce(sum(n) FILTER (WHERE status = 'assigned'), 0)::bigint AS assigned,
                coalesce(sum(n) FILTER (WHERE status = 'resolved'), 0)::bigint AS resolved,
                coalesce(sum(n) FILTER (WHERE status = 'closed'), 0)::bigint AS closed
           FROM ticket_counts",
    )
    .fetch_one(db)
    .await
}

/// An agent (or admin) and the tickets assigned to them, by status.
#[derive(Debug, sqlx::FromRow)]
pub struct Workload {
    #[sqlx(flatten)]
    pub user: User,
    pub assigned_open: i64,
    pub resolved: i64,
    pub closed: i64,
}

/// Every agent and admin with their workload, admins first, then by name.
pub async fn agent_workloads(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Workload>> {
    sqlx::query_as::<_, Workload>(
        "SELECT u.id, u.email, u.display_name, u.role, u.is_active, u.created_at, u.last_seen_at,
                count(t.id) FILTER (WHERE t.status = 'assigned') AS assigned_open,
                count(t.id) FILTER (WHERE t.status = 'resolved') AS resolved,
                count(t.id) FILTER (WHERE t.status = 'closed') AS closed
           FROM users u LEFT JOIN tickets t ON t.assigned_agent_id = u.id
          WHERE u.role IN ('agent', 'admin')
          GROUP BY u.id
          ORDER BY u.role DESC, u.display_name, u.id",
    )
    .fetch_all(db)
    .await
}
