//! `/auth`: register, login, logout, the session probe, notification settings. (`/auth/me`,
//! which carries unread totals, is served by the messages crate.)

use crate::events::AccountEvent;
use crate::extract::{ClientIp, CurrentUser};
use crate::rate_limit::RateLimits;
use crate::{SESSION_COOKIE, password, session, token};
use axum::extract::State;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use myrelay_core::error::on_constraint;
use myrelay_core::text::TextRule;
use myrelay_core::{ApiError, AppState, ErrorCode, Json, Problem, Role, ValidJson};
use myrelay_users::{
    self as users, AccountChange, AccountEventKind, AccountFacts, DisplayName, Email, NewUser,
    Preferences, PreferencesPatch, User,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(get_preferences, patch_preferences))
        .routes(routes!(session_probe))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterRequest {
    /// A well-formed email address (at most 254 characters); compared case-insensitively.
    #[validate(custom(function = "users::input::valid_email"))]
    #[schema(
        format = "email",
        example = "ada@example.com",
        extensions(("x-text-rule" = json!(Email::RULE)))
    )]
    pub email: String,
    /// 8–71 bytes.
    #[validate(custom(function = "password::check"))]
    #[schema(
        format = "password",
        example = "correct horse battery",
        extensions(("x-text-rule" = json!(password::RULE)))
    )]
    pub password: String,
    /// 1–80 characters after trimming.
    #[validate(custom(function = "users::input::valid_display_name"))]
    #[schema(
        example = "Ada Lovelace",
        extensions(("x-text-rule" = json!(DisplayName::RULE)))
    )]
    pub display_name: String,
}

/// Sign-in takes any address and password a user may have: only present, bounded, no NUL.
const LOGIN_EMAIL: TextRule = TextRule::no_nul(1, Email::RULE.max);
const LOGIN_PASSWORD: TextRule = TextRule::no_nul(1, 1024);

fn login_email_ok(s: &str) -> Result<(), validator::ValidationError> {
    LOGIN_EMAIL.check_untrimmed(s, "Email is required.")
}

fn login_password_ok(s: &str) -> Result<(), validator::ValidationError> {
    LOGIN_PASSWORD.check_untrimmed(s, "Password is required.")
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    #[validate(custom(function = "login_email_ok"))]
    #[schema(
        example = "ada@example.com",
        extensions(("x-text-rule" = json!(LOGIN_EMAIL)))
    )]
    pub email: String,
    #[validate(custom(function = "login_password_ok"))]
    #[schema(
        format = "password",
        extensions(("x-text-rule" = json!(LOGIN_PASSWORD)))
    )]
    pub password: String,
}

/// A signed-in session: the user, a bearer token and when it expires. The same token is
/// set as the HttpOnly session cookie.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthResponse {
    pub user: User,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

async fn start_session(
    state: &AppState,
    user: users::UserRow,
    headers: &HeaderMap,
    ip: ClientIp,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(state.config.session_ttl)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let expires_at = now + ttl;
    let ua = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let sid = session::create(&state.db, user.id, expires_at, ua, Some(&ip.0.to_string())).await?;
    users::touch_last_seen(&state.db, user.id).await?;
    let token = token::issue(
        &state.config.jwt_secret,
        user.id,
        sid,
        user.role,
        now,
        expires_at,
    )?;
    let cookie = session_cookie(state, &token, ttl.num_seconds());
    let body = AuthResponse {
        user: user.into(),
        token,
        expires_at,
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(SET_COOKIE, cookie);
    Ok(res)
}

/// Create an account (always role `user`) and sign in.
#[utoipa::path(
    post, path = "/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in; sets the session cookie.", body = AuthResponse),
        (status = 409, description = "The email is taken (`email_taken`).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address (`rate_limited`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ValidJson(req): ValidJson<RegisterRequest>,
) -> Result<Response, ApiError> {
    let limits = RateLimits::of(&state);
    limits.check(&limits.register_ip, &ip.0)?;
    // Validated above; parsing again gives the values their types.
    let email = Email::parse(&req.email).map_err(|e| ApiError::invalid("email", e))?;
    let display_name =
        DisplayName::parse(&req.display_name).map_err(|e| ApiError::invalid("display_name", e))?;
    let hash = password::hash(req.password, state.config.bcrypt_cost).await?;
    let mut tx = state.db.begin().await?;
    let user = users::insert(
        &mut *tx,
        NewUser {
            email: &email,
            password_hash: &hash,
            display_name: &display_name,
            role: Role::User,
        },
    )
    .await
    .map_err(|e| {
        on_constraint(e, users::EMAIL_KEY, || {
            ApiError::conflict(
                ErrorCode::EmailTaken,
                "An account with this email already exists.",
            )
        })
    })?;
    // The new user is the actor of their own registration.
    users::record_event(
        &mut *tx,
        user.id,
        Some(user.id),
        AccountEventKind::Registered,
        &AccountChange {
            before: None,
            after: AccountFacts {
                role: user.role,
                is_active: user.is_active,
            },
            via: None,
        },
    )
    .await?;
    tx.commit().await?;
    state.announce(AccountEvent::Registered { user_id: user.id });
    start_session(&state, user, &headers, ip, StatusCode::CREATED).await
}

/// Sign in with email and password.
///
/// A wrong password and an unknown email give the same answer in the same time.
#[utoipa::path(
    post, path = "/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; sets the session cookie.", body = AuthResponse),
        (status = 401, description = "Wrong email or password, or the account is deactivated (`invalid_credentials`).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or for this email (`rate_limited`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ValidJson(req): ValidJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let limits = RateLimits::of(&state);
    limits.check(&limits.login_ip, &ip.0)?;
    limits.check(&limits.login_email, &users::normalize_email(&req.email))?;
    let user = users::find_by_email(&state.db, &req.email).await?;
    let ok = password::verify(
        req.password,
        user.as_ref().map(|u| u.password_hash.clone()),
        state.config.bcrypt_cost,
    )
    .await?;
    match user {
        Some(u) if ok && u.is_active => {
            start_session(&state, u, &headers, ip, StatusCode::OK).await
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "Wrong email or password.",
        )),
    }
}

/// Sign out: revoke this session server-side and clear the cookie.
///
/// The token stops working at once, and the session's sockets are disconnected.
#[utoipa::path(
    post, path = "/auth/logout", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Signed out."))
)]
async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    session::revoke(&state.db, user.session_id).await?;
    state.announce(AccountEvent::SessionRevoked {
        session_id: user.session_id,
    });
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(SET_COOKIE, session_cookie(&state, "", 0));
    Ok(res)
}

/// Your notification settings.
#[utoipa::path(
    get, path = "/auth/me/preferences", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Preferences))
)]
async fn get_preferences(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Preferences>, ApiError> {
    Ok(Json(users::preferences(&state.db, user.id).await?))
}

/// Change your notification settings.
#[utoipa::path(
    patch, path = "/auth/me/preferences", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    request_body = PreferencesPatch,
    responses((status = 200, description = "The settings now.", body = Preferences))
)]
async fn patch_preferences(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PreferencesPatch>,
) -> Result<Json<Preferences>, ApiError> {
    Ok(Json(
        users::update_preferences(&state.db, user.id, req).await?,
    ))
}

/// Who is signed in, if anyone: the browser's session probe.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    /// The signed-in user, or `null` when the request carries no live session.
    pub user: Option<User>,
}

/// Whether this request is signed in (never 401: "signed out" is a normal answer).
///
/// Pages that work either way ask this instead of `/auth/me`, so a signed-out visitor's
/// browser logs no failed request.
#[utoipa::path(
    get, path = "/auth/session", tag = "auth",
    responses((status = 200, description = "The signed-in user, or `user: null`.", body = SessionInfo))
)]
async fn session_probe(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let Some(token) = crate::extract::token_from_headers(&headers) else {
        return Ok(Json(SessionInfo { user: None }));
    };
    let user = match crate::authenticate_token(&state, &token).await {
        Ok(u) => users::find_by_id(&state.db, u.id).await?.map(User::from),
        Err(ApiError::Database(e)) => return Err(ApiError::Database(e)),
        Err(_) => None,
    };
    Ok(Json(SessionInfo { user }))
}
