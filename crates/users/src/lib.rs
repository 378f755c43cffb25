//! The user record: how it is stored, how it is shown, and its queries.

use chrono::{DateTime, Utc};
use myrelay_core::{Id, Role};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use utoipa::ToSchema;

/// A user row as stored (the hash never leaves this crate's callers).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Id,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A user as the API shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A person as shown next to a ticket or a message (no email: see [`UserContact`]).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UserRef {
    pub id: Id,
    pub display_name: String,
    pub role: Role,
}

/// A person on a ticket detail: id, display name and email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UserContact {
    pub id: Id,
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        User {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            is_active: u.is_active,
            created_at: u.created_at,
            last_seen_at: u.last_seen_at,
        }
    }
}

/// Emails are compared trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    myrelay_core::text::trim(email).to_lowercase()
}

pub async fn find_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE email = $1")
        .bind(normalize_email(email))
        .fetch_optional(db)
        .await
}

pub async fn find_by_id(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

/// Insert a user; a taken email surfaces as the `users_email_key` unique violation.
pub async fn insert(db: impl PgExecutor<'_>, u: NewUser<'_>) -> sqlx::Result<UserRow> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (email, password_hash, display_name, role)
         VALUES ($1, $2, $3, $4) RETURNING *",
    )
    .bind(normalize_email(u.email))
    .bind(u.password_hash)
    .bind(myrelay_core::text::trim(u.display_name))
    .bind(u.role)
    .fetch_one(db)
    .await
}

pub async fn count_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND is_active")
        .fetch_one(db)
        .await
}

pub async fn touch_last_seen(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_seen_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}
