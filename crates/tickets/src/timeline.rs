//! The ticket timeline (SPEC §12): the append-only `ticket_events` log of a ticket, how an
//! event is recorded (in the transaction of the change), which kinds each role may see, and
//! `GET /tickets/{id}/events`.
//!
//! [`visible_to`] is the one rule for who sees which kind of event: the HTTP list filters by
//! it, and the realtime layer sends `ticket:event` only to sockets it allows.

use crate::model::{Ticket, TicketStatus};
use crate::policy::Viewer;
use crate::service;
use axum::extract::State;
use chrono::{DateTime, Utc};
use myrelay_auth::CurrentUser;
use myrelay_core::pagination::{Cursor, DEFAULT_LIMIT, Page};
use myrelay_core::{ApiError, AppState, Id, Json, Path, Query, Role};
use myrelay_users::{UserContact, UserSummary};
use serde::{Deserialize, Serialize};
use sqlx::types::Json as SqlJson;
use sqlx::{PgExecutor, Postgres, Transaction};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

/// What happened to a ticket. Stored as text (checked by `ticket_events_kind_check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketEventKind {
    /// Filed (status `open`).
    Created,
    /// Taken by an agent, or assigned to one by an admin (from the pool).
    Assigned,
    /// Given back to the pool (`open`, no assignee).
    Released,
    /// Moved from one agent to another by an admin.
    Reassigned,
    /// Resolved, reopened or closed.
    StatusChanged,
}

impl TicketEventKind {
    pub const ALL: [TicketEventKind; 5] = [
        TicketEventKind::Created,
        TicketEventKind::Assigned,
        TicketEventKind::Released,
        TicketEventKind::Reassigned,
        TicketEventKind::StatusChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketEventKind::Created => "created",
            TicketEventKind::Assigned => "assigned",
            TicketEventKind::Released => "released",
            TicketEventKind::Reassigned => "reassigned",
            TicketEventKind::StatusChanged => "status_changed",
        }
    }

    pub fn parse(s: &str) -> Option<TicketEventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether someone with `role`, who may see the ticket, sees its events of `kind` (SPEC §12).
///
/// Staff see every event. A customer sees what is theirs to know about their own ticket: that
/// it was filed, who took, released or took over their case (by display name) and its status
/// changes. Every kind today is theirs to know; a staff-only kind (an internal note, say) is
/// added here with `Role::User => false`, and both the list and the live broadcast follow.
pub fn visible_to(kind: TicketEventKind, role: Role) -> bool {
    use TicketEventKind::*;
    match role {
        Role::Agent | Role::Admin => true,
        Role::User => match kind {
            Created | Assigned | Released | Reassigned | StatusChanged => true,
        },
    }
}

/// The kinds `role` sees, for the SQL filter.
fn kinds_visible_to(role: Role) -> Vec<&'static str> {
    TicketEventKind::ALL
        .into_iter()
        .filter(|k| visible_to(*k, role))
        .map(TicketEventKind::as_str)
        .collect()
}

/// A ticket's status and assignee, as an event found and left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketFacts {
    pub status: TicketStatus,
    /// `null`: nobody holds the ticket (also for status changes recorded before the timeline
    /// existed, which did not name the assignee).
    #[schema(required = true)]
    pub assignee: Option<UserSummary>,
}

impl TicketFacts {
    pub fn of(t: &Ticket) -> Self {
        TicketFacts {
            status: t.status,
            assignee: t.assigned_agent.as_ref().map(summary),
        }
    }
}

fn summary(c: &UserContact) -> UserSummary {
    UserSummary {
        id: c.id,
        display_name: c.display_name.clone(),
        role: c.role,
    }
}

/// One entry of a ticket's timeline: the same object in `GET /tickets/{id}/events`, the
/// `ticket:event` broadcast and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    /// Increases with every event of the ticket (the timeline's order).
    pub id: Id,
    pub ticket_id: Id,
    pub kind: TicketEventKind,
    /// Who made the change.
    pub actor: UserSummary,
    /// The ticket before the change (`null` for `created`).
    #[schema(required = true)]
    pub before: Option<TicketFacts>,
    /// The ticket after the change.
    pub after: TicketFacts,
    pub created_at: DateTime<Utc>,
}

/// `ticket_events.data`: the facts by id (names are read when the log is read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredChange {
    pub before: Option<StoredFacts>,
    pub after: StoredFacts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFacts {
    pub status: TicketStatus,
    pub agent: Option<Id>,
}

impl StoredFacts {
    fn of(t: &Ticket) -> Self {
        StoredFacts {
            status: t.status,
            agent: t.assigned_agent_id(),
        }
    }
}

/// Append `kind` to the ticket's log, in the transaction of the change (`after` is the
/// ticket as the change left it), and return the entry for the announcement.
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    actor: &UserSummary,
    kind: TicketEventKind,
    before: Option<&Ticket>,
    after: &Ticket,
) -> sqlx::Result<TimelineEvent> {
    let data = StoredChange {
        before: before.map(StoredFacts::of),
        after: StoredFacts::of(after),
    };
    let (id, created_at): (Id, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO ticket_events (ticket_id, actor_user_id, kind, data) VALUES ($1, $2, $3, $4)
         RETURNING id, created_at",
    )
    .bind(after.id)
    .bind(actor.id)
    .bind(kind.as_str())
    .bind(SqlJson(&data))
    .fetch_one(&mut **tx)
    .await?;
    Ok(TimelineEvent {
        id,
        ticket_id: after.id,
        kind,
        actor: actor.clone(),
        before: before.map(TicketFacts::of),
        after: TicketFacts::of(after),
        created_at,
    })
}

/// A `ticket_events` row as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: Id,
    pub ticket_id: Id,
    pub kind: String,
    pub actor_user_id: Id,
    pub data: SqlJson<StoredChange>,
    pub created_at: DateTime<Utc>,
}

impl EventRow {
    /// Everyone the row names (actor and assignees), to look up in one query.
    pub fn people(&self) -> impl Iterator<Item = Id> + '_ {
        let d = &self.data.0;
        std::iter::once(self.actor_user_id)
            .chain(d.before.as_ref().and_then(|f| f.agent))
            .chain(d.after.agent)
    }

    /// The entry, with names from `people` (see [`load_people`]).
    pub fn into_event(self, people: &HashMap<Id, UserSummary>) -> sqlx::Result<TimelineEvent> {
        let kind = TicketEventKind::parse(&self.kind).ok_or_else(|| {
            sqlx::Error::Decode(format!("ticket event kind {}", self.kind).into())
        })?;
        let person = |id: Id| {
            people
                .get(&id)
                .cloned()
                .ok_or_else(|| sqlx::Error::Decode(format!("no user {id}").into()))
        };
        let facts = |f: &StoredFacts| -> sqlx::Result<TicketFacts> {
            Ok(TicketFacts {
                status: f.status,
                assignee: f.agent.map(person).transpose()?,
            })
        };
        let d = &self.data.0;
        Ok(TimelineEvent {
            id: self.id,
            ticket_id: self.ticket_id,
            kind,
            actor: person(self.actor_user_id)?,
            before: d.before.as_ref().map(facts).transpose()?,
            after: facts(&d.after)?,
            created_at: self.created_at,
        })
    }
}

/// The summaries of `ids`, by id.
pub async fn load_people(
    db: impl PgExecutor<'_>,
    ids: impl IntoIterator<Item = Id>,
) -> sqlx::Result<HashMap<Id, UserSummary>> {
    let mut ids: Vec<Id> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(myrelay_users::summaries(db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Rows into entries, with one query for every name they need.
pub async fn hydrate(
    db: impl PgExecutor<'_>,
    rows: Vec<EventRow>,
) -> sqlx::Result<Vec<TimelineEvent>> {
    let people = load_people(
        db,
        rows.iter().flat_map(EventRow::people).collect::<Vec<_>>(),
    )
    .await?;
    rows.into_iter().map(|r| r.into_event(&people)).collect()
}

/// Oldest first: `limit` rows of `kinds` after the event `after_id` (`limit + 1` fetched).
async fn page(
    db: impl PgExecutor<'_>,
    ticket_id: Id,
    kinds: &[&str],
    after_id: Id,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as::<_, EventRow>(
        "SELECT id, ticket_id, kind, actor_user_id, data, created_at FROM ticket_events
          WHERE ticket_id = $1 AND kind = ANY($2) AND id > $3
          ORDER BY id LIMIT $4",
    )
    .bind(ticket_id)
    .bind(kinds)
    .bind(after_id)
    .bind(limit + 1)
    .fetch_all(db)
    .await
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Page size, 1–100 (default 20).
    #[validate(range(min = 1, max = 100, message = "limit must be between 1 and 100."))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}_[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// A ticket's timeline, oldest first.
///
/// What happened to the ticket and who did it: filed, taken, released, reassigned, status
/// changes, each with the ticket's status and assignee before and after. Oldest first, as a
/// timeline reads; follow `next_cursor` for later events (a client catching up after a
/// reconnect reads from the start, or from the last cursor it had). Customers see the events
/// of their own ticket that are theirs to know; staff see all.
#[utoipa::path(
    get, path = "/tickets/{id}/events", tag = "tickets",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id"), EventsQuery),
    responses((status = 200, body = Page<TimelineEvent>))
)]
async fn list_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Page<TimelineEvent>>, ApiError> {
    let after_id = match q.cursor.as_deref() {
        Some(c) => Cursor::decode(c)?.id,
        None => 0,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let viewer = Viewer::from(&user);
    service::load_visible(&state.db, viewer, id).await?;
    let rows = page(
        &state.db,
        id,
        &kinds_visible_to(viewer.role),
        after_id,
        limit,
    )
    .await?;
    let events = hydrate(&state.db, rows).await?;
    Ok(Json(Page::finish(events, limit, |e| Cursor {
        at: e.created_at,
        id: e.id,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_every_kind() {
        for kind in TicketEventKind::ALL {
            assert!(visible_to(kind, Role::Agent) && visible_to(kind, Role::Admin));
        }
    }

    #[test]
    fn customers_see_what_is_theirs_to_know() {
        for kind in TicketEventKind::ALL {
            assert!(visible_to(kind, Role::User), "{kind:?}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in TicketEventKind::ALL {
            assert_eq!(TicketEventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }
}
