//! Accounts made outside registration: the admin from the command line or from the
//! environment. The same validated input as registration ([`Email`], [`DisplayName`],
//! [`password::check`]), so no path accepts what another refuses.

use crate::password;
use myrelay_core::{AppState, Role};
use myrelay_users::{
    self as users, AccountChange, AccountEventKind, AccountFacts, DisplayName, Email, NewUser,
    UserRow,
};

pub use myrelay_users::AccountVia;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("an account with the email {0} already exists")]
    EmailTaken(String),
    #[error(transparent)]
    Api(#[from] myrelay_core::ApiError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn invalid(field: &'static str) -> impl FnOnce(validator::ValidationError) -> AccountError {
    move |e| AccountError::Invalid {
        field,
        message: e
            .message
            .map(|m| m.to_string())
            .unwrap_or_else(|| e.code.to_string()),
    }
}

/// Create an admin (fails when the email is taken or the input is invalid), recorded in the
/// account log with no actor and where it came from (`via`).
pub async fn create_admin(
    state: &AppState,
    email: &str,
    password: &str,
    name: &str,
    via: AccountVia,
) -> Result<UserRow, AccountError> {
    let email = Email::parse(email).map_err(invalid("email"))?;
    let name = DisplayName::parse(name).map_err(invalid("name"))?;
    password::check(password).map_err(invalid("password"))?;
    let hash = password::hash(password.to_string(), state.config.bcrypt_cost).await?;
    let mut tx = state.db.begin().await?;
    let user = users::insert(
        &mut *tx,
        NewUser {
            email: &email,
            password_hash: &hash,
            display_name: &name,
            role: Role::Admin,
        },
    )
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some(users::EMAIL_KEY) => {
            AccountError::EmailTaken(email.as_str().to_string())
        }
        _ => AccountError::Database(e),
    })?;
    users::record_event(
        &mut *tx,
        user.id,
        None,
        AccountEventKind::AdminCreated,
        &AccountChange {
            before: None,
            after: AccountFacts {
                role: user.role,
                is_active: user.is_active,
            },
            via: Some(via),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Create the admin named by `MYRELAY_ADMIN_EMAIL`/`MYRELAY_ADMIN_PASSWORD` when no active
/// admin exists; returns it when one was created.
pub async fn bootstrap_admin(state: &AppState) -> Result<Option<UserRow>, AccountError> {
    let (Some(email), Some(password)) = (&state.config.admin_email, &state.config.admin_password)
    else {
        return Ok(None);
    };
    if users::count_active_admins(&state.db).await? > 0 {
        return Ok(None);
    }
    let user = create_admin(state, email, password, "Administrator", AccountVia::Env).await?;
    tracing::info!(user_id = user.id, email = %user.email, "created the first admin from the environment");
    Ok(Some(user))
}
