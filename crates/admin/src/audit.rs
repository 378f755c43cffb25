//! `GET /admin/audit` (SPEC §12): every ticket event and every account event in one list,
//! newest first, with filters. Both logs are append-only (the database refuses `UPDATE`,
//! `DELETE` and `TRUNCATE` on them), and no route changes an entry.

use axum::extract::State;
use chrono::{DateTime, Utc};
use myrelay_auth::RequireAdmin;
use myrelay_core::pagination::{Cursor, DEFAULT_LIMIT, Page};
use myrelay_core::{ApiError, AppState, Id, Json, Problem, Query};
use myrelay_tickets::timeline::{self, EventRow, StoredChange};
use myrelay_tickets::{TicketEventKind, TimelineEvent};
use myrelay_users::{AccountChange, AccountEventKind, AccountFacts, AccountVia, UserSummary};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgExecutor;
use sqlx::types::Json as SqlJson;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// A kind of entry: any ticket event kind or account event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AuditKind {
    Ticket(TicketEventKind),
    Account(AccountEventKind),
}

impl AuditKind {
    fn as_str(self) -> &'static str {
        match self {
            AuditKind::Ticket(k) => k.as_str(),
            AuditKind::Account(k) => k.as_str(),
        }
    }
}

/// Something that happened to an account: who did it (`null`: the system, for an admin made
/// from the command line or the environment) and the account's access before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountEntry {
    pub id: Id,
    pub kind: AccountEventKind,
    #[schema(required = true)]
    pub actor: Option<UserSummary>,
    /// The account the event is about.
    pub user: UserSummary,
    /// `null` for `registered` and `admin_created`.
    #[schema(required = true)]
    pub before: Option<AccountFacts>,
    pub after: AccountFacts,
    /// For `admin_created`: `cli` or `env` (`null` otherwise, and for admins recorded before
    /// the audit log existed).
    #[schema(required = true)]
    pub via: Option<AccountVia>,
    pub created_at: DateTime<Utc>,
}

/// One entry of the audit log; `source` says which log it comes from. A ticket entry is the
/// ticket's timeline event (its subject is `ticket_id`); an account entry's subject is `user`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AuditEntry {
    Ticket(TimelineEvent),
    Account(AccountEntry),
}

impl AuditEntry {
    fn created_at(&self) -> DateTime<Utc> {
        match self {
            AuditEntry::Ticket(e) => e.created_at,
            AuditEntry::Account(e) => e.created_at,
        }
    }

    /// The entry's place in the merged order: ids of the two logs interleaved.
    fn key(&self) -> Id {
        match self {
            AuditEntry::Ticket(e) => e.id * 2,
            AuditEntry::Account(e) => e.id * 2 + 1,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this user did (user id).
    pub actor: Option<Id>,
    /// Only these kinds (repeat the parameter for several).
    #[serde(default)]
    #[param(inline)]
    pub kind: Option<Vec<AuditKind>>,
    /// Only events of this ticket (ticket id; account events are left out).
    pub ticket: Option<Id>,
    /// Only events about this account (user id; ticket events are left out).
    pub user: Option<Id>,
    /// From this time on (RFC 3339, inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339, exclusive; before `from`, nothing matches).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–100 (default 20).
    #[validate(range(min = 1, max = 100, message = "limit must be between 1 and 100."))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}_[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// The audit log: every ticket and account event, newest first.
///
/// Ticket events (filed, taken, released, reassigned, status changes) and account events
/// (registration, admin created, role change, deactivation, reactivation), each with its
/// actor, its subject, and the state before and after. Filters combine (all must hold);
/// `ticket` keeps only ticket events and `user` only account events. The log is
/// append-only: nothing changes or deletes an entry.
#[utoipa::path(
    get, path = "/admin/audit", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 403, description = "Admins only (`forbidden`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn audit_log(
    State(state): State<AppState>,
    _admin: RequireAdmin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let filter = AuditFilter {
        actor: q.actor,
        kinds: q
            .kind
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(|k| k.iter().map(|k| k.as_str()).collect()),
        ticket: q.ticket,
        user: q.user,
        from: q.from,
        to: q.to,
        cursor: q.cursor.as_deref().map(Cursor::decode).transpose()?,
        limit,
    };
    let rows = list(&state.db, &filter).await?;
    let entries = hydrate(&state.db, rows).await?;
    Ok(Json(Page::finish(entries, limit, |e| Cursor {
        at: e.created_at(),
        id: e.key(),
    })))
}

struct AuditFilter {
    actor: Option<Id>,
    kinds: Option<Vec<&'static str>>,
    ticket: Option<Id>,
    user: Option<Id>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    cursor: Option<Cursor>,
    limit: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct AuditRow {
    source: String,
    id: Id,
    kind: String,
    actor_user_id: Option<Id>,
    ticket_id: Option<Id>,
    user_id: Option<Id>,
    data: SqlJson<Value>,
    created_at: DateTime<Utc>,
}

/// Both logs newest first, merged. Each branch is an ordered, LIMITed scan of its log's
/// `(created_at, id)` index (or `(actor_user_id, created_at, id)` with the actor filter); the
/// merged order breaks ties between the logs by `key` (ticket ids even, account ids odd),
/// which the cursor carries. `$1` actor, `$2` kinds, `$3` user, `$4` ticket, `$5`/`$6` the
/// time range, `$7` the cursor time, `$8`/`$9` the cursor as an id bound in each log.
const LIST: &str = "
SELECT source, id, kind, actor_user_id, ticket_id, user_id, data, created_at FROM (
  (SELECT 'ticket' AS source, e.id, e.id * 2 AS key, e.kind, e.actor_user_id, e.ticket_id,
          NULL::bigint AS user_id, e.data, e.created_at
     FROM ticket_events e
    WHERE $3::bigint IS NULL
      AND ($1::bigint IS NULL OR e.actor_user_id = $1)
      AND ($2::text[] IS NULL OR e.kind = ANY($2))
      AND ($4::bigint IS NULL OR e.ticket_id = $4)
      AND ($5::timestamptz IS NULL OR e.created_at >= $5)
      AND ($6::timestamptz IS NULL OR e.created_at < $6)
      AND (e.created_at, e.id) < ($7, $8)
    ORDER BY e.created_at DESC, e.id DESC LIMIT $10)
  UNION ALL
  (SELECT 'account', u.id, u.id * 2 + 1, u.kind, u.actor_user_id, NULL, u.user_id, u.data,
          u.created_at
     FROM user_events u
    WHERE $4::bigint IS NULL
      AND ($1::bigint IS NULL OR u.actor_user_id = $1)
      AND ($2::text[] IS NULL OR u.kind = ANY($2))
      AND ($3::bigint IS NULL OR u.user_id = $3)
      AND ($5::timestamptz IS NULL OR u.created_at >= $5)
      AND ($6::timestamptz IS NULL OR u.created_at < $6)
      AND (u.created_at, u.id) < ($7, $9)
    ORDER BY u.created_at DESC, u.id DESC LIMIT $10)
) a ORDER BY created_at DESC, key DESC LIMIT $10";

async fn list(db: impl PgExecutor<'_>, f: &AuditFilter) -> sqlx::Result<Vec<AuditRow>> {
    // The cursor's key `k` as a bound in each log: ticket `2·id < k` is `id < ⌈k/2⌉`,
    // account `2·id + 1 < k` is `id < ⌊k/2⌋`.
    let (at, ticket_below, account_below) = match f.cursor {
        Some(c) => (c.at, c.id / 2 + c.id % 2, c.id / 2),
        None => (DateTime::<Utc>::MAX_UTC, Id::MAX, Id::MAX),
    };
    sqlx::query_as::<_, AuditRow>(LIST)
        .bind(f.actor)
        .bind(f.kinds.as_deref())
        .bind(f.user)
        .bind(f.ticket)
        .bind(f.from)
        .bind(f.to)
        .bind(at)
        .bind(ticket_below)
        .bind(account_below)
        .bind(f.limit + 1)
        .fetch_all(db)
        .await
}

enum Parsed {
    Ticket(EventRow),
    Account {
        row: AuditRow,
        kind: AccountEventKind,
        change: AccountChange,
    },
}

fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("audit {what}: {e}").into())
}

fn parse(row: AuditRow) -> sqlx::Result<Parsed> {
    if row.source == "ticket" {
        let data: StoredChange =
            serde_json::from_value(row.data.0).map_err(|e| decode("ticket event", e))?;
        return Ok(Parsed::Ticket(EventRow {
            id: row.id,
            ticket_id: row
                .ticket_id
                .ok_or_else(|| decode("ticket event", "no ticket"))?,
            kind: row.kind,
            actor_user_id: row
                .actor_user_id
                .ok_or_else(|| decode("ticket event", "no actor"))?,
            data: SqlJson(data),
            created_at: row.created_at,
        }));
    }
    let kind = AccountEventKind::parse(&row.kind).ok_or_else(|| decode("kind", &row.kind))?;
    let change: AccountChange =
        serde_json::from_value(row.data.0.clone()).map_err(|e| decode("account event", e))?;
    Ok(Parsed::Account { row, kind, change })
}

/// Rows into entries, with one query for every name they need.
async fn hydrate(db: impl PgExecutor<'_>, rows: Vec<AuditRow>) -> sqlx::Result<Vec<AuditEntry>> {
    let parsed = rows
        .into_iter()
        .map(parse)
        .collect::<sqlx::Result<Vec<_>>>()?;
    let ids: Vec<Id> = parsed
        .iter()
        .flat_map(|p| -> Vec<Id> {
            match p {
                Parsed::Ticket(r) => r.people().collect(),
                Parsed::Account { row, .. } => {
                    row.actor_user_id.into_iter().chain(row.user_id).collect()
                }
            }
        })
        .collect();
    let people = timeline::load_people(db, ids).await?;
    let person = |id: Id| people.get(&id).cloned().ok_or_else(|| decode("user", id));
    parsed
        .into_iter()
        .map(|p| match p {
            Parsed::Ticket(r) => r.into_event(&people).map(AuditEntry::Ticket),
            Parsed::Account { row, kind, change } => Ok(AuditEntry::Account(AccountEntry {
                id: row.id,
                kind,
                actor: row.actor_user_id.map(person).transpose()?,
                user: person(
                    row.user_id
                        .ok_or_else(|| decode("account event", "no user"))?,
                )?,
                before: change.before,
                after: change.after,
                via: change.via,
                created_at: row.created_at,
            })),
        })
        .collect()
}
