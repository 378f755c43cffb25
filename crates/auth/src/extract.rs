//! The only way a handler learns who is calling: [`CurrentUser`] (401 when missing) and the
//! role guards [`RequireStaff`] and [`RequireAdmin`] (403 when the role is wrong).

use crate::session::{self, SessionUser};
use crate::{SESSION_COOKIE, token};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use myrelay_core::{ApiError, AppState, Id, Role};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use uuid::Uuid;

/// The authenticated caller, with role and state as the database says now.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Id,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub session_id: Uuid,
}

impl CurrentUser {
    /// How this person is shown next to what they do.
    pub fn summary(&self) -> myrelay_users::UserSummary {
        myrelay_users::UserSummary {
            id: self.id,
            display_name: self.display_name.clone(),
            role: self.role,
        }
    }
}

impl From<SessionUser> for CurrentUser {
    fn from(s: SessionUser) -> Self {
        CurrentUser {
            id: s.id,
            email: s.email,
            display_name: s.display_name,
            role: s.role,
            session_id: s.session_id,
        }
    }
}

/// The token from `Authorization: Bearer …`, else from the session cookie.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut parts = v.splitn(2, ' ');
        if let (Some(scheme), Some(tok)) = (parts.next(), parts.next())
            && scheme.eq_ignore_ascii_case("bearer")
        {
            return Some(tok.trim().to_string());
        }
    }
    cookie_token(headers)
}

pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// Verify a token and check the session it names: the same path for HTTP and sockets.
pub async fn authenticate_token(state: &AppState, token: &str) -> Result<CurrentUser, ApiError> {
    let claims =
        token::verify(&state.config.jwt_secret, token).ok_or_else(ApiError::unauthorized)?;
    let user_id: Id = claims.sub.parse().map_err(|_| ApiError::unauthorized())?;
    session::lookup(&state.db, claims.sid, user_id)
        .await?
        .map(CurrentUser::from)
        .ok_or_else(ApiError::unauthorized)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            return Ok(u.clone());
        }
        let token = token_from_headers(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let user = authenticate_token(state, &token).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// An agent or an admin.
#[derive(Debug, Clone)]
pub struct RequireStaff(pub CurrentUser);

impl FromRequestParts<AppState> for RequireStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let u = CurrentUser::from_request_parts(parts, state).await?;
        if u.role.is_staff() {
            Ok(RequireStaff(u))
        } else {
            Err(ApiError::forbidden("Only agents and admins may do this."))
        }
    }
}

/// An admin.
#[derive(Debug, Clone)]
pub struct RequireAdmin(pub CurrentUser);

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let u = CurrentUser::from_request_parts(parts, state).await?;
        if u.role == Role::Admin {
            Ok(RequireAdmin(u))
        } else {
            Err(ApiError::forbidden("Only admins may do this."))
        }
    }
}

/// The peer address of the connection (the server does not trust forwarding headers).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}
