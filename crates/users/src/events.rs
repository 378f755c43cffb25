//! The account event log (`user_events`, SPEC §12): what happened to an account, who did it,
//! and the account's access before and after. Append-only: the database refuses to change or
//! delete a row (see the migration `audit_log`).

use myrelay_core::{Id, Role};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use utoipa::ToSchema;

/// What happened to an account. Stored as text (checked by `user_events_kind_check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountEventKind {
    /// Signed up through `/auth/register` (the actor is the new user).
    Registered,
    /// An admin account made from the command line or the environment (no actor).
    AdminCreated,
    RoleChanged,
    Deactivated,
    Reactivated,
}

impl AccountEventKind {
    pub const ALL: [AccountEventKind; 5] = [
        AccountEventKind::Registered,
        AccountEventKind::AdminCreated,
        AccountEventKind::RoleChanged,
        AccountEventKind::Deactivated,
        AccountEventKind::Reactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountEventKind::Registered => "registered",
            AccountEventKind::AdminCreated => "admin_created",
            AccountEventKind::RoleChanged => "role_changed",
            AccountEventKind::Deactivated => "deactivated",
            AccountEventKind::Reactivated => "reactivated",
        }
    }

    pub fn parse(s: &str) -> Option<AccountEventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An account's access: what the audit log shows before and after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountFacts {
    pub role: Role,
    pub is_active: bool,
}

/// Where an account made outside registration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountVia {
    /// `myrelay-api create-admin`.
    Cli,
    /// `MYRELAY_ADMIN_EMAIL`/`MYRELAY_ADMIN_PASSWORD` on a first start.
    Env,
}

/// One change to an account, as stored in `user_events.data` (with the kind beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChange {
    pub before: Option<AccountFacts>,
    pub after: AccountFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<AccountVia>,
}

impl AccountChange {
    /// The changes between `before` and `after`, one event each: the role first, then the
    /// active state (each event's facts show the account as it was and became at that step).
    pub fn between(before: AccountFacts, after: AccountFacts) -> Vec<(AccountEventKind, Self)> {
        let mut out = Vec::new();
        let mut at = before;
        if after.role != at.role {
            let next = AccountFacts {
                role: after.role,
                ..at
            };
            out.push((AccountEventKind::RoleChanged, Self::step(at, next)));
            at = next;
        }
        if after.is_active != at.is_active {
            let kind = if after.is_active {
                AccountEventKind::Reactivated
            } else {
                AccountEventKind::Deactivated
            };
            out.push((kind, Self::step(at, after)));
        }
        out
    }

    fn step(before: AccountFacts, after: AccountFacts) -> Self {
        AccountChange {
            before: Some(before),
            after,
            via: None,
        }
    }
}

/// Append to the account event log, in the transaction of the change.
pub async fn record_event(
    db: impl PgExecutor<'_>,
    user_id: Id,
    actor: Option<Id>,
    kind: AccountEventKind,
    change: &AccountChange,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO user_events (user_id, actor_user_id, kind, data) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(actor)
    .bind(kind.as_str())
    .bind(sqlx::types::Json(change))
    .execute(db)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: AccountFacts = AccountFacts {
        role: Role::Agent,
        is_active: true,
    };

    #[test]
    fn a_demotion_and_deactivation_is_two_events_in_order() {
        let after = AccountFacts {
            role: Role::User,
            is_active: false,
        };
        let kinds: Vec<_> = AccountChange::between(AGENT, after)
            .into_iter()
            .map(|(k, c)| (k, c.before.unwrap(), c.after))
            .collect();
        let mid = AccountFacts {
            role: Role::User,
            is_active: true,
        };
        assert_eq!(
            kinds,
            [
                (AccountEventKind::RoleChanged, AGENT, mid),
                (AccountEventKind::Deactivated, mid, after),
            ]
        );
    }

    #[test]
    fn no_change_records_nothing() {
        assert!(AccountChange::between(AGENT, AGENT).is_empty());
    }
}
