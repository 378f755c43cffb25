//! A Redis pub/sub driver for the Socket.IO adapter that survives Redis restarts.
//!
//! socketioxide-redis' own driver holds one multiplexed connection that stays dead after
//! Redis restarts, so instances would never hear each other again. This one uses the redis
//! crate's `ConnectionManager`, which reconnects (with backoff) and re-subscribes every
//! channel on its own.

use myrelay_core::metrics;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, FromRedisValue, PushInfo, PushKind};
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

#[derive(Clone)]
pub struct ReconnectingDriver {
    handlers: Handlers,
    conn: ConnectionManager,
}

/// How long one Redis call may take before the broadcast falls back to local delivery.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);

async fn bounded<T>(
    op: &'static str,
    f: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, DriverError> {
    let r = match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r,
        Err(_) => Err(redis::RedisError::from(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "redis call timed out",
        ))),
    };
    counted(op, r)
}

/// Count a failed adapter call under `op` (timeouts apart from other errors).
fn counted<T>(op: &'static str, r: redis::RedisResult<T>) -> Result<T, DriverError> {
    r.map_err(|e| {
        metrics::redis_adapter_error(op, e.is_timeout());
        DriverError(e)
    })
}

#[derive(Debug)]
pub struct DriverError(redis::RedisError);

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
impl std::error::Error for DriverError {}
impl From<redis::RedisError> for DriverError {
    fn from(e: redis::RedisError) -> Self {
        DriverError(e)
    }
}

fn dispatch(msg: PushInfo, handlers: &Handlers) {
    if !matches!(msg.kind, PushKind::Message | PushKind::SMessage) || msg.data.len() < 2 {
        return;
    }
    let mut it = msg.data.into_iter();
    let (Some(c), Some(m)) = (it.next(), it.next()) else {
        return;
    };
    let (Ok(chan), Ok(body)) = (String::from_redis_value(c), Vec::<u8>::from_redis_value(m)) else {
        return;
    };
    if let Some(tx) = handlers.read().expect("lock").get(&chan)
        && tx.try_send((chan, body)).is_err()
    {
        tracing::warn!("redis pub/sub channel full; a cross-instance message was dropped");
    }
}

impl ReconnectingDriver {
    pub async fn new(client: redis::Client) -> redis::RedisResult<Self> {
        let handlers: Handlers = Arc::default();
        let h = handlers.clone();
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |msg: PushInfo| {
                dispatch(msg, &h);
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(ReconnectingDriver { handlers, conn })
    }
}

impl Driver for ReconnectingDriver {
    type Error = DriverError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        let mut conn = self.conn.clone();
        bounded("publish", async move {
            conn.publish::<_, _, redis::Value>(chan, val).await
        })
        .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .expect("lock")
            .insert(chan.clone(), tx);
        counted("subscribe", self.conn.clone().subscribe(chan).await)?;
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers.write().expect("lock").remove(&chan);
        counted("unsubscribe", self.conn.clone().unsubscribe(chan).await)?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let mut conn = self.conn.clone();
        let (_, count): (String, u16) = bounded("num_serv", async move {
            redis::cmd("PUBSUB")
                .arg("NUMSUB")
                .arg(chan)
                .query_async(&mut conn)
                .await
        })
        .await?;
        Ok(count)
    }
}
