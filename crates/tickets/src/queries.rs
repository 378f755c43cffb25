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

/// The viewer `$1` is an agent or an admin: who may find internal notes (SPEC §11), in every
/// search statement.
macro_rules! viewer_is_staff {
    () => {
        "EXISTS (SELECT 1 FROM users su WHERE su.id = $1 AND su.role <> 'user')"
    };
}

/// Filters shared by every list branch without search words. Parameters: `$2` statuses (or
/// NULL), `$4`/`$5` the cursor (`infinity`/max id for the first page), `$6` limit (`$3`, the
/// search words, is NULL and only typed by [`view_joins`]).
macro_rules! list_filters {
    () => {
        " AND ($2::ticket_status[] IS NULL OR t.status = ANY($2))
          AND (t.updated_at, t.id) < ($4, $5)
          ORDER BY t.updated_at DESC, t.id DESC LIMIT $6"
    };
}

/// Whether ticket `t` matches search words `$3`: its subject or description, one of its
/// messages, or (staff: `$1` is an agent or admin) one of its internal notes — each probe an
/// index lookup by ticket. Only for lists walked in order when the words are common (see
/// [`search_page`], which defines `words`, the parsed query, once). `AND NOT few`: the walk
/// runs only when the probe found many matches.
macro_rules! walk_filters {
    () => {
        concat!(
            " AND NOT (SELECT few FROM probe)
              AND (t.search @@ (SELECT q FROM words)
                   OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id
                                 AND m.search @@ (SELECT q FROM words) OFFSET 0)
                   OR (",
            viewer_is_staff!(),
            "
                       AND EXISTS (SELECT 1 FROM notes n WHERE n.ticket_id = t.id
                                      AND n.search @@ (SELECT q FROM words))))",
            list_filters!()
        )
    };
}

/// A list page with search words `$3`, in one statement that picks its plan by how common the
/// words are (a probe counts matches up to 1 000; PostgreSQL runs only the branch
/// whose one-time condition holds):
/// - few matches: driven by them — the ids of tickets whose subject or description match,
///   whose messages match, and (staff) whose notes match, each from its GIN index, are looked
///   up, kept when in the view (`$view`, the list's own condition) and past the filters, and
///   the page is the top of those in list order. A rare word costs a few probes however many
///   tickets the view holds (walking the view would read all of it before giving up).
/// - many matches: `$walk`, the list's own page walked in order with [`walk_filters`] — a
///   common word fills a page after a few dozen tickets (collecting every match first would
///   read thousands of rows).
macro_rules! search_page {
    ($view:expr, $walk:expr) => {
        concat!(
            "WITH words AS (SELECT websearch_to_tsquery('english', $3) AS q), probe AS (
               SELECT count(*) < 1000 AS few FROM (
                 SELECT 1 FROM tickets WHERE search @@ (SELECT q FROM words)
                 UNION ALL
                 SELECT 1 FROM messages WHERE search @@ (SELECT q FROM words)
                 UNION ALL
                 SELECT 1 FROM notes WHERE search @@ (SELECT q FROM words)
                 LIMIT 1000) x)
             SELECT id, updated_at FROM (
             (SELECT t.id, t.updated_at FROM tickets t
              WHERE (SELECT few FROM probe) AND t.id = ANY (ARRAY(
                SELECT id FROM tickets WHERE search @@ (SELECT q FROM words)
                UNION
                SELECT ticket_id FROM messages WHERE search @@ (SELECT q FROM words)
                UNION
                SELECT ticket_id FROM notes WHERE search @@ (SELECT q FROM words)
                   AND ",
            viewer_is_staff!(),
            "))
                AND (",
            $view,
            ") AND ($2::ticket_status[] IS NULL OR t.status = ANY($2))
               AND (t.updated_at, t.id) < ($4, $5)
             ORDER BY t.updated_at DESC, t.id DESC LIMIT $6)
             UNION ALL (",
            $walk,
            ")) s ORDER BY updated_at DESC, id DESC LIMIT $6"
        )
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
         lm.sender_role AS lm_sender_role,
         CASE WHEN lm.content <> '' THEN left(lm.content, 600)
              ELSE (SELECT 'Attachment: ' || a.filename FROM attachments a
                     WHERE a.message_id = lm.id ORDER BY a.id LIMIT 1) END AS lm_head,
         lm.created_at AS lm_created_at,
         sm.field AS match_field, sm.seq AS match_seq, sm.excerpt AS match_excerpt"
    };
}

macro_rules! view_joins {
    () => {
        concat!(
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
                  AND ",
        viewer_is_staff!(),
        "
                ORDER BY n.staff_seq DESC LIMIT 1)
            ) f ORDER BY f.rank LIMIT 1
          ) sm ON true "
        )
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

/// Each list's page: `SELECT t.id, t.updated_at` of the tickets in the view, walked in list
/// order off its index, with `$f` the filters ([`list_filters`] or [`walk_filters`]).
/// Tickets created by `$1`.
macro_rules! created_by {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t WHERE t.created_by_user_id = $1",
            $f
        )
    };
}
/// Tickets assigned to `$1`.
macro_rules! assigned_to {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t WHERE t.assigned_agent_id = $1",
            $f
        )
    };
}
/// The open, unassigned pool (`$1` unused but typed so every list binds alike).
macro_rules! available {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t
              WHERE t.status = 'open' AND t.assigned_agent_id IS NULL AND $1::bigint IS NOT NULL",
            $f
        )
    };
}
/// The user's own open tickets (what "available" means to a customer).
macro_rules! created_by_available {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t
              WHERE t.created_by_user_id = $1 AND t.status = 'open' AND t.assigned_agent_id IS NULL",
            $f
        )
    };
}
/// Everything (admins).
macro_rules! all {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t WHERE $1::bigint IS NOT NULL",
            $f
        )
    };
}
/// Tickets held by someone who is no longer an active agent or admin (admins reassign them).
macro_rules! needs_reassignment {
    ($f:expr) => {
        concat!(
            "SELECT t.id, t.updated_at FROM tickets t JOIN users u ON u.id = t.assigned_agent_id
              WHERE t.status IN ('assigned', 'resolved') AND (u.role = 'user' OR NOT u.is_active)
                AND $1::bigint IS NOT NULL",
            $f
        )
    };
}
/// An agent's whole view: the pool ∪ assigned to them ∪ created by them. Three disjoint
/// branches, each an ordered, LIMITed scan of its own index, so a page costs the same
/// however many tickets are open.
macro_rules! agent_view {
    ($f:expr) => {
        concat!(
            "SELECT id, updated_at FROM ((SELECT t.id, t.updated_at FROM tickets t
               WHERE t.status = 'open' AND t.assigned_agent_id IS NULL",
            $f,
            ") UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.assigned_agent_id = $1",
            $f,
            ") UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.created_by_user_id = $1
               AND t.assigned_agent_id IS DISTINCT FROM $1
               AND NOT (t.status = 'open' AND t.assigned_agent_id IS NULL)",
            $f,
            ")) u ORDER BY u.updated_at DESC, u.id DESC LIMIT $6"
        )
    };
}

const LIST_CREATED_BY: &str = list_query!(created_by!(list_filters!()));
const LIST_ASSIGNED_TO: &str = list_query!(assigned_to!(list_filters!()));
const LIST_AVAILABLE: &str = list_query!(available!(list_filters!()));
const LIST_CREATED_BY_AVAILABLE: &str = list_query!(created_by_available!(list_filters!()));
const LIST_ALL: &str = list_query!(all!(list_filters!()));
const LIST_NEEDS_REASSIGNMENT: &str = list_query!(needs_reassignment!(list_filters!()));
const LIST_AGENT_VIEW: &str = list_query!(agent_view!(list_filters!()));

/// The same lists with search words (`$3`): each view's condition on `t` for the few-matches
/// branch of [`search_page`] and its own page for the many-matches one (SQL copies of the
/// policy again: the authorization matrix and `crates/api/tests/inbox.rs` hold them to the
/// plain lists' answers).
const SEARCH_CREATED_BY: &str = list_query!(search_page!(
    "t.created_by_user_id = $1",
    created_by!(walk_filters!())
));
const SEARCH_ASSIGNED_TO: &str = list_query!(search_page!(
    "t.assigned_agent_id = $1",
    assigned_to!(walk_filters!())
));
const SEARCH_AVAILABLE: &str = list_query!(search_page!(
    "t.status = 'open' AND t.assigned_agent_id IS NULL",
    available!(walk_filters!())
));
const SEARCH_CREATED_BY_AVAILABLE: &str = list_query!(search_page!(
    "t.created_by_user_id = $1 AND t.status = 'open' AND t.assigned_agent_id IS NULL",
    created_by_available!(walk_filters!())
));
const SEARCH_ALL: &str = list_query!(search_page!("true", all!(walk_filters!())));
const SEARCH_NEEDS_REASSIGNMENT: &str = list_query!(search_page!(
    "t.status IN ('assigned', 'resolved') AND EXISTS (SELECT 1 FROM users u
       WHERE u.id = t.assigned_agent_id AND (u.role = 'user' OR NOT u.is_active))",
    needs_reassignment!(walk_filters!())
));
const SEARCH_AGENT_VIEW: &str = list_query!(search_page!(
    "(t.status = 'open' AND t.assigned_agent_id IS NULL) OR t.assigned_agent_id = $1
     OR t.created_by_user_id = $1",
    agent_view!(walk_filters!())
));

/// Statements by name, for `myrelay-api sql NAME` (EXPLAIN in `scripts/bench-explain.sh`
/// runs exactly what the server runs).
pub const STATEMENTS: &[(&str, &str)] = &[
    ("list_agent_view", LIST_AGENT_VIEW),
    ("search_agent_view", SEARCH_AGENT_VIEW),
    ("list_all", LIST_ALL),
    ("search_all", SEARCH_ALL),
    ("get_view", GET_VIEW),
    ("count_by_status", COUNT_BY_STATUS),
];

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
    let q = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // (plain list, the same list with search words)
    let (plain, search): (&'static str, &'static str) = if f.needs_reassignment {
        (LIST_NEEDS_REASSIGNMENT, SEARCH_NEEDS_REASSIGNMENT)
    } else {
        match (viewer.role, f.scope) {
            (Role::User, Scope::Available) => {
                (LIST_CREATED_BY_AVAILABLE, SEARCH_CREATED_BY_AVAILABLE)
            }
            (Role::User, _) => (LIST_CREATED_BY, SEARCH_CREATED_BY),
            (_, Scope::Mine) => (LIST_ASSIGNED_TO, SEARCH_ASSIGNED_TO),
            (_, Scope::Available) => (LIST_AVAILABLE, SEARCH_AVAILABLE),
            (Role::Agent, Scope::All) => (LIST_AGENT_VIEW, SEARCH_AGENT_VIEW),
            (Role::Admin, Scope::All) => (LIST_ALL, SEARCH_ALL),
        }
    };
    let sql = if q.is_some() { search } else { plain };
    let (at, id) = match f.cursor {
        Some(c) => (c.at, c.id),
        None => (DateTime::<Utc>::MAX_UTC, i64::MAX),
    };
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
    sqlx::query_as(COUNT_BY_STATUS).fetch_one(db).await
}

const COUNT_BY_STATUS: &str =
    "SELECT coalesce(sum(n) FILTER (WHERE status = 'open'), 0)::bigint AS open,
            coalesce(sum(n) FILTER (WHERE status = 'assigned'), 0)::bigint AS assigned,
            coalesce(sum(n) FILTER (WHERE status = 'resolved'), 0)::bigint AS resolved,
            coalesce(sum(n) FILTER (WHERE status = 'closed'), 0)::bigint AS closed
       FROM ticket_counts";

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
