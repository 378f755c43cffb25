//! HTTP composition: middleware (request ids, logs, problem+json for every error, CORS,
//! security headers, body limit), health routes, Socket.IO, and serving with graceful shutdown.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use myrelay_core::error::{ProblemMarker, problem_response};
use myrelay_core::{ApiError, AppState, ErrorCode, Json, Problem};
use serde::Serialize;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;
static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`
    pub status: &'static str,
    /// `up`
    pub database: &'static str,
}

pub fn ops_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "ops", responses(
    (status = 200, body = Ready),
))]
async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => Ok(Json(Ready {
            status: "ready",
            database: "up",
        })),
        _ => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "The database is not reachable.",
        )),
    }
}

/// Every error response is problem+json with the request id; errors produced by layers
/// outside our handlers (404 fallback, 405, 413 from limits) are converted here.
async fn problems(req: Request, next: Next) -> Response {
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

async fn fallback() -> ApiError {
    ApiError::not_found("Route")
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::Internal(anyhow::anyhow!("panic")).into_response()
}

/// Refuse browser requests to Socket.IO from origins not in `MYRELAY_CORS_ORIGINS`
/// (cross-site WebSocket hijacking). Requests without `Origin` (servers, tools) pass on to
/// authentication.
async fn socket_origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
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

/// The complete application router for `state`, with Socket.IO attached.
pub async fn build_app(state: AppState) -> anyhow::Result<(Router, myrelay_realtime::Realtime)> {
    let (router, _) = crate::openapi::routes().split_for_parts();
    let doc = crate::openapi::document();
    let router = router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", doc))
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state.clone());

    let (router, realtime) = myrelay_realtime::attach(router, state.clone()).await?;

    let origins: Vec<HeaderValue> = state
        .config
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            REQUEST_ID.clone(),
        ])
        .expose_headers([REQUEST_ID.clone(), header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));

    let router = router
        .layer(middleware::from_fn_with_state(state.clone(), socket_origin_guard))
        .layer(cors)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(middleware::from_fn(problems))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                let rid = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(middleware::from_fn(crate::metrics::track));
    Ok((router, realtime))
}

/// Serve `app` on `listener` until `shutdown` resolves; in-flight requests finish first.
pub async fn run(
    listener: TcpListener,
    app: Router,
    realtime: myrelay_realtime::Realtime,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let rt = realtime.clone();
    axum::serve(
        // TCP_NODELAY: small Socket.IO frames must not wait out the peer's delayed ACK (Nagle).
        listener.tap_io(|tcp| drop(tcp.set_nodelay(true))),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        // Close sockets so long-lived connections do not hold the shutdown open.
        rt.close().await;
    })
    .await
}

/// `myrelay-api serve`: migrate, bootstrap the admin, serve until SIGINT/SIGTERM.
pub async fn serve(config: myrelay_core::Config) -> anyhow::Result<()> {
    if config.jwt_secret_generated {
        tracing::warn!(
            "MYRELAY_DEV=1 and no MYRELAY_JWT_SECRET: using a generated secret; sessions end when the process stops"
        );
    }
    let pool = crate::connect(&config).await?;
    crate::MIGRATOR.run(&pool).await?;
    let addr = config.addr;
    let state = AppState::new(pool, config);
    crate::cli::bootstrap_admin(&state).await?;
    let (app, realtime) = build_app(state.clone()).await?;
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut t = tokio::time::interval(Duration::from_secs(60));
        loop {
            t.tick().await;
            limits.prune();
        }
    });
    if let Some(metrics_addr) = state.config.metrics_addr {
        crate::metrics::start(metrics_addr, state.db.clone(), std::future::pending()).await?;
    }
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "myrelay-api listening");
    run(listener, app, realtime, shutdown_signal()).await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
