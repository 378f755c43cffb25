//! Prometheus metrics: the layer that counts and times every request under its route
//! template, and the separate listener that serves `GET /metrics` on `MYRELAY_METRICS_ADDR`
//! (SPEC §9) — never on the public port. Names and helpers live in `myrelay_core::metrics`.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use myrelay_core::metrics as names;
use sqlx::PgPool;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The `route` label of Socket.IO's engine traffic (handshakes, polling, upgrades).
const SOCKET_IO_ROUTE: &str = "/socket.io";

/// How often histograms are folded into their buckets when nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Middleware (outermost, so it sees the final status): one count and one latency sample
/// per request, labelled with the route template (`/tickets/{id}`), never the raw path.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let socket_io = route.is_none() && req.uri().path().starts_with(SOCKET_IO_ROUTE);
    let res = next.run(req).await;
    let label = match &route {
        Some(p) => Some(p.as_str()),
        None if socket_io => Some(SOCKET_IO_ROUTE),
        None => None,
    };
    names::http_request(&method, label, res.status().as_u16(), started.elapsed());
    res
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use (once per process, however
/// many servers a test starts).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(names::LATENCY_BUCKETS_SECONDS)
            .expect("latency buckets are not empty");
        match builder.install_recorder() {
            Ok(handle) => {
                names::describe();
                handle
            }
            Err(e) => {
                tracing::error!(error = %e, "another metrics recorder is installed; /metrics stays empty");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Bind `addr` and serve `GET /metrics` there until `shutdown` resolves. Returns the bound
/// address (port 0 picks a free one) and the server task.
pub async fn start(
    addr: SocketAddr,
    pool: PgPool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let handle = handle();
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state(pool);
    let task = tokio::spawn(async move {
        let upkeep = async {
            let mut tick = tokio::time::interval(UPKEEP_INTERVAL);
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        };
        tokio::select! {
            served = axum::serve(listener, app).with_graceful_shutdown(shutdown) => served,
            () = upkeep => Ok(()),
        }
    });
    tracing::info!(addr = %local, "Prometheus metrics at /metrics");
    Ok((local, task))
}

/// The text exposition format; the pool gauges are read now.
async fn scrape(State(pool): State<PgPool>) -> impl IntoResponse {
    names::db_pool(pool.size(), pool.num_idle());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
}
