//! HTTP middleware: problem+json for every error (with the request id), the Socket.IO
//! origin guard, the fallback route and the panic handler.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use myrelay_core::error::{ProblemMarker, problem_response};
use myrelay_core::{ApiError, AppState, ErrorCode, Problem};

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every error response is problem+json with the request id; errors produced by layers
/// outside our handlers (404 fallback, 405, 413 from limits) are converted here.
pub async fn problems(req: Request, next: Next) -> Response {
    let skip = req.uri().path().starts_with("/socket.io");
    let rid = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let status = res.status();
    if skip || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let mut problem = if parts.extensions.get::<ProblemMarker>().is_some() {
        match to_bytes(body, BODY_LIMIT)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<Problem>(&b).ok())
        {
            Some(p) => p,
            None => synthesize(status),
        }
    } else {
        synthesize(status)
    };
    problem.request_id = rid;
    let mut out = problem_response(&problem);
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

fn synthesize(status: StatusCode) -> Problem {
    let err = match status {
        StatusCode::NOT_FOUND => ApiError::not_found("Route"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            ErrorCode::MethodNotAllowed,
            "This route does not accept that method.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => myrelay_core::extract::payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            ErrorCode::UnsupportedMediaType,
            "Send the body as `Content-Type: application/json`.",
        ),
        s if s.is_server_error() => ApiError::Internal(anyhow::anyhow!("status {s}")),
        s => ApiError::new(
            s,
            ErrorCode::BadRequest,
            "The request could not be handled.",
        ),
    };
    err.to_problem()
}

pub async fn fallback() -> ApiError {
    ApiError::not_found("Route")
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::Internal(anyhow::anyhow!("panic")).into_response()
}

/// Refuse browser requests to Socket.IO from origins not in `MYRELAY_CORS_ORIGINS`
/// (cross-site WebSocket hijacking). Requests without `Origin` (servers, tools) pass on to
/// authentication.
pub async fn socket_origin_guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if req.uri().path().starts_with("/socket.io")
        && let Some(origin) = req.headers().get(header::ORIGIN)
    {
        let ok = origin
            .to_str()
            .is_ok_and(|o| state.config.origin_allowed(o));
        if !ok {
            tracing::warn!(origin = ?origin, "socket.io request from a foreign origin refused");
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        }
    }
    next.run(req).await
}
