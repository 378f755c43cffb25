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

fn builder(state: &AppState, pusher: &StatsPusher) -> socketioxide::SocketIoBuilder {
    SocketIo::builder()
        .with_state(state.clone())
        .with_state(pusher.clone())
        .max_payload(MAX_PAYLOAD)
        .ws_max_message_size(MAX_PAYLOAD as usize)
        .max_buffer_size(256)
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
            Ok((router.layer(layer), handle(io)))
        }
        None => {
            let (layer, io) = builder(&state, &pusher).build_layer();
            io.ns("/", events::on_connect.with(events::authenticate));
            install(&io, &state, pusher);
            Ok((router.layer(layer), handle(io)))
        }
    }
}
