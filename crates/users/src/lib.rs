//! The user record: how it is stored, how it is shown, its validated input and its queries.

pub mod events;
pub mod input;

use chrono::{DateTime, Utc};
use myrelay_core::pagination::Cursor;
use myrelay_core::{Id, Role};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use utoipa::ToSchema;

pub use events::{AccountChange, AccountEventKind, AccountFacts, AccountVia, record_event};
pub use input::{DisplayName, Email, normalize_email};

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

/// A person as shown next to a message, an event or in a room: who sent it, who acted, who
/// is here. No email (see [`UserContact`]).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::FromRow)]
pub struct UserSummary {
    pub id: Id,
    pub display_name: String,
    pub role: Role,
}

/// A person on a ticket: id, display name, email and role.
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
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub display_name: &'a DisplayName,
    pub role: Role,
}

/// Insert a user; a taken email surfaces as the `users_email_key` unique violation.
/// The unique key on `users.email` (a taken email violates it).
pub const EMAIL_KEY: &str = "users_email_key";

pub async fn insert(db: impl PgExecutor<'_>, u: NewUser<'_>) -> sqlx::Result<UserRow> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (email, password_hash, display_name, role)
         VALUES ($1, $2, $3, $4) RETURNING *",
    )
    .bind(u.email.as_str())
    .bind(u.password_hash)
    .bind(u.display_name.as_str())
    .bind(u.role)
    .fetch_one(db)
    .await
}

pub async fn count_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND is_active")
        .fetch_one(db)
        .await
}

/// Active accounts by role: `(users, agents, admins)`.
pub async fn count_active_by_role(db: impl PgExecutor<'_>) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(COUNT_ACTIVE_BY_ROLE).fetch_one(db).await
}

/// Active accounts by role (admin stats), from the counters the database keeps in step with
/// every account change (`user_counts`, triggers in the same transaction): three rows,
/// however many accounts there are.
pub const COUNT_ACTIVE_BY_ROLE: &str =
    "SELECT coalesce(sum(n) FILTER (WHERE role = 'user'), 0)::bigint,
            coalesce(sum(n) FILTER (WHERE role = 'agent'), 0)::bigint,
            coalesce(sum(n) FILTER (WHERE role = 'admin'), 0)::bigint
       FROM user_counts";

pub async fn touch_last_seen(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_seen_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

/// The summaries of `ids`, by display name.
pub async fn summaries(db: impl PgExecutor<'_>, ids: &[Id]) -> sqlx::Result<Vec<UserSummary>> {
    sqlx::query_as::<_, UserSummary>(
        "SELECT id, display_name, role FROM users WHERE id = ANY($1) ORDER BY display_name, id",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}

/// The columns of [`User`].
macro_rules! user_columns {
    () => {
        "id, email, display_name, role, is_active, created_at, last_seen_at"
    };
}

/// Filters of the admin user list.
pub struct UserFilter<'a> {
    pub role: Option<Role>,
    /// Part of the email or display name (matched literally).
    pub q: Option<&'a str>,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

/// Users newest first, `limit + 1` rows (the caller trims the page).
pub async fn list(db: impl PgExecutor<'_>, f: &UserFilter<'_>) -> sqlx::Result<Vec<User>> {
    let (at, id) = f
        .cursor
        .map(|c| (c.at, c.id))
        .unwrap_or((DateTime::<Utc>::MAX_UTC, i64::MAX));
    let pattern = f.q.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
        format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    sqlx::query_as::<_, User>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users
          WHERE ($1::user_role IS NULL OR role = $1)
            AND ($2::text IS NULL OR email ILIKE $2 OR display_name ILIKE $2)
            AND (created_at, id) < ($3, $4)
          ORDER BY created_at DESC, id DESC LIMIT $5"
    ))
    .bind(f.role)
    .bind(pattern)
    .bind(at)
    .bind(id)
    .bind(f.limit + 1)
    .fetch_all(db)
    .await
}

/// Lock every active admin (in id order) and return their ids: two admins demoting each
/// other then serialise, and the second sees the first's change.
pub async fn lock_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Id>> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE",
    )
    .fetch_all(db)
    .await
}

/// The user `id`, locked for the rest of the transaction.
pub async fn get_for_update(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn set_access(
    db: impl PgExecutor<'_>,
    id: Id,
    role: Role,
    is_active: bool,
) -> sqlx::Result<User> {
    sqlx::query_as::<_, User>(concat!(
        "UPDATE users SET role = $2, is_active = $3, updated_at = now() WHERE id = $1 RETURNING ",
        user_columns!()
    ))
    .bind(id)
    .bind(role)
    .bind(is_active)
    .fetch_one(db)
    .await
}

/// A person's notification settings (SPEC §10), stored server-side.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, sqlx::FromRow)]
pub struct Preferences {
    /// A browser notification for a new message on a ticket you are involved in but not
    /// looking at (the browser asks for permission when you turn it on).
    pub browser_notifications: bool,
    /// A short sound with it.
    pub sound: bool,
}

/// Change some settings; omitted fields stay as they are.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesPatch {
    pub browser_notifications: Option<bool>,
    pub sound: Option<bool>,
}

/// The settings of `user_id` (the defaults until they change one).
pub async fn preferences(db: impl PgExecutor<'_>, user_id: Id) -> sqlx::Result<Preferences> {
    sqlx::query_as::<_, Preferences>(
        "SELECT coalesce(p.browser_notifications, true) AS browser_notifications,
                coalesce(p.sound, false) AS sound
           FROM (SELECT $1::bigint AS user_id) u
           LEFT JOIN user_preferences p ON p.user_id = u.user_id",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}

pub async fn update_preferences(
    db: impl PgExecutor<'_>,
    user_id: Id,
    patch: PreferencesPatch,
) -> sqlx::Result<Preferences> {
    sqlx::query_as::<_, Preferences>(
        "INSERT INTO user_preferences AS p (user_id, browser_notifications, sound)
         VALUES ($1, coalesce($2, true), coalesce($3, false))
         ON CONFLICT (user_id) DO UPDATE
            SET browser_notifications = coalesce($2, p.browser_notifications),
                sound = coalesce($3, p.sound), updated_at = now()
         RETURNING browser_notifications, sound",
    )
    .bind(user_id)
    .bind(patch.browser_notifications)
    .bind(patch.sound)
    .fetch_one(db)
    .await
}
