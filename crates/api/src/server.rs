//! Serving: the application router with its middleware and Socket.IO, and the `serve`
//! command with graceful shutdown.

use crate::middleware::{
    BODY_LIMIT, REQUEST_ID, fallback, panic_response, problems, socket_origin_guard,
};
use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware;
use axum::serve::ListenerExt;
use myrelay_core::AppState;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa_swagger_ui::SwaggerUi;

/// The application state with every feature's own part installed (the composition root:
/// the server, the commands and the tests all build their state here).
pub fn app_state(db: sqlx::PgPool, config: myrelay_core::Config) -> AppState {
    myrelay_auth::install(AppState::new(db, config))
}

/// The complete application router for `state`, with Socket.IO attached, the attachment
/// store opened and its orphan sweeper started.
pub async fn build_app(state: AppState) -> anyhow::Result<(Router, myrelay_realtime::Realtime)> {
    let state = myrelay_attachments::install(state)?;
    myrelay_attachments::spawn_sweeper(&state);
    let (router, _) = crate::routes::routes().split_for_parts();
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
    let pool = crate::db::connect_and_migrate(&config).await?;
    let addr = config.addr;
    let state = app_state(pool, config);
    myrelay_auth::accounts::bootstrap_admin(&state)
        .await
        .context("creating the admin from MYRELAY_ADMIN_EMAIL")?;
    let (app, realtime) = build_app(state.clone()).await?;
    myrelay_auth::spawn_housekeeping(&state);
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
