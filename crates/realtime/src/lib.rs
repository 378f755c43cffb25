//! The live half of MyRelay: Socket.IO ticket rooms (SPEC §5).
//!
//! - [`attach`] mounts Socket.IO at `/socket.io` on the API router, with the Redis adapter when
//!   `REDIS_URL` is set (several API instances) and the local adapter otherwise.
//! - Connections authenticate through the same session check as HTTP; every event re-checks
//!   the ticket policy of the `tickets` crate.
//! - [`hub::Hub`] receives what features announce (after commit) and turns it into room
//!   broadcasts; it also implements `LiveStats` (the live counts for admin stats) and pushes
//!   the admin stats when they change.
//! - [`protocol`] is the wire contract: every event name and payload type.

mod broadcast;
mod events;
mod hub;
pub mod protocol;
mod redis_driver;
mod rooms;

use axum::Router;
use futures_util::future::BoxFuture;
use hub::{Hub, StatsPusher};
use myrelay_core::AppState;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::handler::ConnectHandler;
use socketioxide_redis::drivers::redis::redis_client as redis;
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use std::sync::Arc;
use std::time::Duration;

/// Largest Socket.IO packet accepted (bytes); a message is at most 5000 characters anyway.
pub const MAX_PAYLOAD: u64 = 64 * 1024;

/// A handle on the running Socket.IO server, independent of the adapter.
#[derive(Clone)]
pub struct Realtime {
    close: Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>,
}

impl Realtime {
    /// Disconnect every socket (graceful shutdown).
    pub async fn close(&self) {
        (self.close)().await;
    }
}

fn handle<A: Adapter>(io: SocketIo<A>) -> Realtime {
    Realtime {
        close: Arc::new(move || {
            let io = io.clone();
            Box::pin(async move { io.close().await })
        }),
    }
}

/// Socket.IO keeps each connection's request head (URI, headers, extensions) for the socket's
/// lifetime. The head hyper parsed borrows from the connection's 16 KiB read buffer, so
/// keeping it would keep that buffer alive per socket; this layer gives Socket.IO owned copies
/// instead (and axum's `OriginalUri` with them), so the buffer is freed after the upgrade.
fn with_owned_request(router: Router) -> Router {
    router.layer(axum::middleware::map_request(owned_head))
}

async fn owned_head(req: axum::extract::Request) -> axum::extract::Request {
    if !req.uri().path().starts_with(SOCKET_PATH) {
        return req;
    }
    let (mut parts, body) = req.into_parts();
    let uri: axum::http::Uri = parts
        .uri
        .to_string()
        .parse()
        .unwrap_or_else(|_| parts.uri.clone());
    let mut headers = axum::http::HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        let name =
            axum::http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap_or(name.clone());
        let value = axum::http::HeaderValue::from_bytes(value.as_bytes()).unwrap_or(value.clone());
        headers.append(name, value);
    }
    parts.uri = uri.clone();
    parts.headers = headers;
    if parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .is_some()
    {
        parts.extensions.insert(axum::extract::OriginalUri(uri));
    }
    axum::extract::Request::from_parts(parts, body)
}

/// Where Socket.IO listens.
const SOCKET_PATH: &str = "/socket.io";

fn builder(state: &AppState, pusher: &StatsPusher) -> socketioxide::SocketIoBuilder {
    SocketIo::builder()
        .with_state(state.clone())
        .with_state(pusher.clone())
        .max_payload(MAX_PAYLOAD)
        .ws_max_message_size(MAX_PAYLOAD as usize)
        .max_buffer_size(256)
        // Frames are small (a message is at most 5000 characters, payloads 64 KiB): a 1 KiB
        // read buffer per socket instead of 4 KiB; tungstenite grows it for a bigger frame.
        .ws_read_buffer_size(1024)
        .ping_interval(Duration::from_secs(25))
        .ping_timeout(Duration::from_secs(20))
        .ack_timeout(Duration::from_secs(10))
}

fn install<A: Adapter>(io: &SocketIo<A>, state: &AppState, pusher: StatsPusher) {
    let (hub, sinks) = Hub::start(io.clone(), state, pusher);
    state.install_realtime(sinks, hub);
}

/// Mount Socket.IO on `router` and plug the realtime layer into `state`.
pub async fn attach(router: Router, state: AppState) -> anyhow::Result<(Router, Realtime)> {
    let pusher = StatsPusher::default();
    match state.config.redis_url.clone() {
        Some(url) => {
            let url = if url.contains("protocol=") {
                url
            } else if url.contains('?') {
                format!("{url}&protocol=resp3")
            } else {
                format!("{url}?protocol=resp3")
            };
            let client = redis::Client::open(url)?;
            let adapter_config = RedisAdapterConfig::default()
                .with_prefix(state.config.redis_prefix.clone())
                .with_request_timeout(Duration::from_secs(2));
            let driver = redis_driver::ReconnectingDriver::new(client).await?;
            let adapter = RedisAdapterCtr::new_with_driver(driver, adapter_config);
            let (layer, io) = builder(&state, &pusher)
                .with_adapter::<CustomRedisAdapter<_, redis_driver::ReconnectingDriver>>(adapter)
                .build_layer();
            io.ns("/", events::on_connect.with(events::authenticate))
                .await?;
            install(&io, &state, pusher);
            tracing::info!("Socket.IO with the Redis adapter (multi-instance)");
            Ok((with_owned_request(router.layer(layer)), handle(io)))
        }
        None => {
            let (layer, io) = builder(&state, &pusher).build_layer();
            io.ns("/", events::on_connect.with(events::authenticate));
            install(&io, &state, pusher);
            Ok((with_owned_request(router.layer(layer)), handle(io)))
        }
    }
}
