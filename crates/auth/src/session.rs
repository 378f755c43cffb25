//! Server-side sessions: the row a token names, checked on every request.

use chrono::{DateTime, Utc};
use myrelay_core::{Id, Role};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The caller, as the database says they are right now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub session_id: Uuid,
    pub id: Id,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

pub async fn create(
    db: impl PgExecutor<'_>,
    user_id: Id,
    expires_at: DateTime<Utc>,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(expires_at)
    .bind(user_agent.map(|s| s.chars().take(256).collect::<String>()))
    .bind(ip)
    .execute(db)
    .await?;
    Ok(id)
}

/// Every authenticated request and socket event: `$1` session id, `$2` user id.
pub const LOOKUP: &str = "SELECT s.id AS session_id, u.id, u.email, u.display_name, u.role
   FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL
    AND s.expires_at > now() AND u.is_active";

/// The live session `sid` of user `user_id`: not revoked, not expired, user active.
pub async fn lookup(
    db: impl PgExecutor<'_>,
    sid: Uuid,
    user_id: Id,
) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as::<_, SessionUser>(LOOKUP)
        .bind(sid)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

pub async fn revoke(db: impl PgExecutor<'_>, sid: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .bind(sid)
        .execute(db)
        .await
        .map(|_| ())
}

/// Revoke every live session of a user (deactivation).
pub async fn revoke_all(db: impl PgExecutor<'_>, user_id: Id) -> sqlx::Result<u64> {
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .execute(db)
        .await
        .map(|r| r.rows_affected())
}
