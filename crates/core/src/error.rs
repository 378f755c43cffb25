//! The one error type at the HTTP edge. Every failure becomes an RFC 9457
//! `application/problem+json` body with a stable machine-readable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Stable error codes that clients switch on. Never renamed, only added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    EmailTaken,
    InvalidTransition,
    AlreadyAssigned,
    NotAssignable,
    TicketClosed,
    Conflict,
    LastAdmin,
    RateLimited,
    ServiceUnavailable,
    Internal,
    /// Socket events only: a room event for a ticket room the socket has not joined.
    NotJoined,
    /// Socket events only: no such event.
    UnknownEvent,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::AlreadyAssigned => "already_assigned",
            ErrorCode::NotAssignable => "not_assignable",
            ErrorCode::TicketClosed => "ticket_closed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::UnknownEvent => "unknown_event",
        }
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Machine-readable reason, e.g. `length`, `email`, `required`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// RFC 9457 problem details, as returned by every error response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the `code` is the machine-readable type.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    /// Per-field errors (only for `validation_failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<FieldError>>>,
    /// For `invalid_transition`: the ticket's current status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For `invalid_transition`: the statuses allowed from the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The request id, also in the `x-request-id` header; quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Simple {
        status: StatusCode,
        code: ErrorCode,
        detail: String,
    },
    #[error("validation failed")]
    Validation(BTreeMap<String, Vec<FieldError>>),
    #[error("invalid transition from {current}")]
    InvalidTransition {
        current: String,
        allowed: Vec<String>,
    },
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::Simple {
            status,
            code,
            detail: detail.into(),
        }
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Authentication is required: send a valid session cookie or bearer token.",
        )
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, detail)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found."),
        )
    }
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    /// A single-field validation error.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        let mut m = BTreeMap::new();
        m.insert(
            field.to_string(),
            vec![FieldError {
                code: code.to_string(),
                message: message.into(),
            }],
        );
        ApiError::Validation(m)
    }

    /// A single-field validation error from a `validator` rule.
    pub fn invalid(field: &str, e: validator::ValidationError) -> Self {
        let message = e
            .message
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_else(|| format!("{field} is invalid ({})", e.code));
        Self::field(field, &e.code, message)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Simple { status, .. } => *status,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::InvalidTransition { .. } => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Database(e) if is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Simple { code, .. } => *code,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Database(e) if is_unavailable(e) => ErrorCode::ServiceUnavailable,
            ApiError::Database(_) | ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The problem body. Internal errors never carry their cause: it is logged instead.
    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        let (detail, errors, current_status, allowed) = match self {
            ApiError::Simple { detail, .. } => (detail.clone(), None, None, None),
            ApiError::Validation(e) => (
                "The request has invalid fields; see `errors`.".to_string(),
                Some(e.clone()),
                None,
                None,
            ),
            ApiError::InvalidTransition { current, allowed } => (
                format!(
                    "The ticket is `{current}`; allowed next statuses: {}.",
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ),
                None,
                Some(current.clone()),
                Some(allowed.clone()),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                format!("Too many requests; retry in {retry_after_secs} s."),
                None,
                None,
                None,
            ),
            ApiError::Database(e) if is_unavailable(e) => (
                "The database is unavailable; try again shortly.".to_string(),
                None,
                None,
                None,
            ),
            ApiError::Database(_) | ApiError::Internal(_) => (
                "An internal error occurred; it has been logged with the request id.".to_string(),
                None,
                None,
                None,
            ),
        };
        Problem {
            type_: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code: self.code(),
            errors,
            current_status,
            allowed,
            request_id: None,
        }
    }
}

/// Connection-level failures mean "try again", not "bug": answer 503.
fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
    ) || matches!(e, sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
}

/// Marker put in response extensions so the request-id layer can fill `request_id`.
#[derive(Clone)]
pub struct ProblemMarker;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, code = self.code().as_str(), "request failed");
        }
        let mut res = problem_response(&self.to_problem());
        if let ApiError::RateLimited { retry_after_secs } = self {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        res
    }
}

pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res.extensions_mut().insert(ProblemMarker);
    res
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut out: BTreeMap<String, Vec<FieldError>> = BTreeMap::new();
        for (field, list) in errs.field_errors() {
            out.insert(
                field.to_string(),
                list.iter()
                    .map(|e| FieldError {
                        code: e.code.to_string(),
                        message: e
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| format!("{field} is invalid ({})", e.code)),
                    })
                    .collect(),
            );
        }
        ApiError::Validation(out)
    }
}

/// Map a unique violation on `constraint` to `err`, otherwise keep the database error.
pub fn on_constraint(e: sqlx::Error, constraint: &str, err: impl FnOnce() -> ApiError) -> ApiError {
    match &e {
        sqlx::Error::Database(d) if d.constraint() == Some(constraint) => err(),
        _ => ApiError::Database(e),
    }
}
