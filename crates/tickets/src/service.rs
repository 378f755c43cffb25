//! Ticket changes as domain operations: file, change status, assign. Each runs in one
//! transaction under the ticket's row lock, decides permission from the policy and the
//! lifecycle table (role first, then state), records the event, commits, and announces the
//! change. Handlers only parse, call and respond.

use crate::events::TicketEvent;
use crate::lifecycle::{self, Via, Who};
use crate::model::{Ticket, TicketStatus, TicketView};
use crate::policy::{self, Access, Viewer};
use crate::queries;
use crate::timeline::{self, TicketEventKind, TimelineEvent};
use myrelay_core::{ApiError, AppState, ErrorCode, Id, Role};
use myrelay_users::UserSummary;
use sqlx::{Postgres, Transaction};

/// Why a ticket change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// Not visible to the caller (or no such ticket): existence never leaks.
    #[error("ticket not found")]
    NotFound,
    /// Visible, but the caller's role may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The status endpoint cannot go there from the current status.
    #[error("invalid transition from {current:?}")]
    InvalidTransition { current: TicketStatus },
    /// The assign endpoint cannot take, assign or release a ticket in this status.
    #[error("a {status:?} ticket cannot be assigned or released")]
    NotAssignableStatus { status: TicketStatus, release: bool },
    /// Another agent holds it.
    #[error("already assigned")]
    AlreadyAssigned,
    /// The named assignee is not an active agent or admin.
    #[error("not an active agent or admin")]
    NotAssignable,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<TicketError> for ApiError {
    fn from(e: TicketError) -> Self {
        match e {
            TicketError::NotFound => ApiError::not_found("Ticket"),
            TicketError::Forbidden(why) => ApiError::forbidden(why),
            TicketError::InvalidTransition { current } => ApiError::InvalidTransition {
                current: current.as_str().to_string(),
                allowed: lifecycle::allowed_status_targets(current)
                    .into_iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            },
            TicketError::NotAssignableStatus { status, release } => ApiError::conflict(
                ErrorCode::InvalidTransition,
                format!(
                    "A `{}` ticket cannot be {}.",
                    status.as_str(),
                    if release { "released" } else { "assigned" }
                ),
            ),
            TicketError::AlreadyAssigned => ApiError::conflict(
                ErrorCode::AlreadyAssigned,
                "Another agent has already taken this ticket.",
            ),
            TicketError::NotAssignable => ApiError::conflict(
                ErrorCode::NotAssignable,
                "Tickets can only be assigned to an active agent or admin.",
            ),
            TicketError::Database(e) => ApiError::Database(e),
        }
    }
}

impl From<&UserSummary> for Viewer {
    fn from(u: &UserSummary) -> Self {
        Viewer {
            id: u.id,
            role: u.role,
        }
    }
}

/// The ticket `id` if `viewer` may see it (SPEC §1), else [`TicketError::NotFound`].
pub async fn load_visible(
    db: impl sqlx::PgExecutor<'_>,
    viewer: Viewer,
    id: Id,
) -> Result<Ticket, TicketError> {
    match queries::get(db, id).await? {
        Some(t) if policy::may_see(viewer, Access::from(&t)) => Ok(t),
        _ => Err(TicketError::NotFound),
    }
}

/// Ticket `id` as `viewer` sees it (unread count, newest message), if they may see it.
pub async fn load_view(
    db: impl sqlx::PgExecutor<'_>,
    viewer: Viewer,
    id: Id,
) -> Result<TicketView, TicketError> {
    match queries::get_view(db, viewer, id).await? {
        Some(v) if policy::may_see(viewer, Access::from(&v.ticket)) => Ok(v),
        _ => Err(TicketError::NotFound),
    }
}

/// File a ticket (status `open`).
pub async fn create(
    state: &AppState,
    creator: &UserSummary,
    subject: Option<&str>,
    description: &str,
) -> Result<Ticket, TicketError> {
    let mut tx = state.db.begin().await?;
    let id = queries::insert(&mut tx, creator.id, subject, description).await?;
    commit_change(
        state,
        tx,
        id,
        creator,
        TicketEventKind::Created,
        None,
        |ticket, event| TicketEvent::Created { ticket, event },
    )
    .await
}

/// Read the changed ticket back, record the change in its timeline, commit, and announce it
/// (the tail of every operation here). `before` is the ticket as it was (none for a new one).
async fn commit_change(
    state: &AppState,
    mut tx: Transaction<'_, Postgres>,
    id: Id,
    actor: &UserSummary,
    kind: TicketEventKind,
    before: Option<&Ticket>,
    announcement: impl FnOnce(Ticket, TimelineEvent) -> TicketEvent,
) -> Result<Ticket, TicketError> {
    let ticket = queries::get(&mut *tx, id)
        .await?
        .ok_or(TicketError::NotFound)?;
    let event = timeline::record(&mut tx, actor, kind, before, &ticket).await?;
    tx.commit().await?;
    state.announce(announcement(ticket.clone(), event));
    Ok(ticket)
}

/// Lock ticket `id` for the rest of the transaction.
async fn lock(tx: &mut Transaction<'_, Postgres>, id: Id) -> Result<(Ticket, Access), TicketError> {
    let t = queries::get_for_update(tx, id)
        .await?
        .ok_or(TicketError::NotFound)?;
    let access = Access::from(&t);
    Ok((t, access))
}

/// Resolve, reopen (`assigned`) or close. Taking, releasing and reassigning go through
/// [`assign`].
pub async fn change_status(
    state: &AppState,
    actor: &UserSummary,
    id: Id,
    to: TicketStatus,
) -> Result<Ticket, TicketError> {
    let viewer = Viewer::from(actor);
    let mut tx = state.db.begin().await?;
    let (t, access) = lock(&mut tx, id).await?;
    if !policy::may_see(viewer, access) {
        return Err(TicketError::NotFound);
    }
    // Role first: only the assigned agent or an admin changes a ticket's status at all.
    if !Who::AssigneeOrAdmin.permits(viewer, access, None) {
        return Err(TicketError::Forbidden(
            "Only the assigned agent or an admin changes a ticket's status.",
        ));
    }
    // Then state, and the table's `who` for this very transition.
    let tr = lifecycle::find(t.status, to, Via::Status)
        .ok_or(TicketError::InvalidTransition { current: t.status })?;
    if !tr.who.permits(viewer, access, None) {
        return Err(TicketError::Forbidden(
            "Only an admin may make this change.",
        ));
    }
    queries::set_status(&mut tx, id, to).await?;
    let kind = TicketEventKind::StatusChanged;
    commit_change(state, tx, id, actor, kind, Some(&t), |ticket, event| {
        TicketEvent::StatusChanged {
            ticket,
            from: t.status,
            actor: actor.clone(),
            event,
        }
    })
    .await
}

/// Take (`target` = the actor), assign or reassign (`target` = an agent), or release
/// (`target` = `None`). Assigning to the agent who already holds it changes nothing.
pub async fn assign(
    state: &AppState,
    actor: &UserSummary,
    id: Id,
    target: Option<Id>,
) -> Result<Ticket, TicketError> {
    let viewer = Viewer::from(actor);
    let mut tx = state.db.begin().await?;
    let (t, access) = lock(&mut tx, id).await?;
    let current = access.assigned_agent_id;

    if !policy::may_see(viewer, access) {
        // An agent who lost a race to take a ticket learns why (SPEC §2), nothing more.
        if viewer.role == Role::Agent
            && target == Some(viewer.id)
            && t.status == TicketStatus::Assigned
        {
            return Err(TicketError::AlreadyAssigned);
        }
        return Err(TicketError::NotFound);
    }
    // Role first.
    match viewer.role {
        Role::User => {
            return Err(TicketError::Forbidden(
                "Only agents and admins assign tickets.",
            ));
        }
        Role::Agent if target.is_some_and(|a| a != viewer.id) => {
            return Err(TicketError::Forbidden(
                "Agents may only take tickets for themselves.",
            ));
        }
        _ => {}
    }
    if target.is_some() && current == target {
        return Ok(t); // already theirs: a no-op for those who may assign it
    }
    if viewer.role == Role::Admin
        && let Some(agent) = target
        && agent != viewer.id
        && !queries::is_active_staff(&mut *tx, agent).await?
    {
        return Err(TicketError::NotAssignable);
    }
    // Then state: the table says whether the move exists and who may make it.
    let to = if target.is_some() {
        TicketStatus::Assigned
    } else {
        TicketStatus::Open
    };
    let Some(tr) = lifecycle::find(t.status, to, Via::Assign) else {
        if target.is_some() && current.is_some() && viewer.role == Role::Agent {
            return Err(TicketError::AlreadyAssigned);
        }
        return Err(TicketError::NotAssignableStatus {
            status: t.status,
            release: target.is_none(),
        });
    };
    if !tr.who.permits(viewer, access, target) {
        if target == Some(viewer.id) && current.is_some() {
            return Err(TicketError::AlreadyAssigned);
        }
        return Err(TicketError::Forbidden(
            "Only the assigned agent or an admin may release this ticket.",
        ));
    }
    queries::set_assignee(&mut tx, id, target, to).await?;
    let kind = match (current, target) {
        (None, Some(_)) => TicketEventKind::Assigned,
        (Some(_), Some(_)) => TicketEventKind::Reassigned,
        _ => TicketEventKind::Released,
    };
    commit_change(state, tx, id, actor, kind, Some(&t), |ticket, event| {
        TicketEvent::AssignmentChanged {
            ticket,
            actor: actor.clone(),
            event,
        }
    })
    .await
}
