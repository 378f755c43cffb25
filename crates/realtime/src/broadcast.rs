//! Broadcasting that degrades instead of failing: with the Redis adapter a broadcast first
//! publishes to the other instances and, if Redis is unreachable, returns an error *before*
//! delivering to this instance's own sockets. Here that error falls back to local delivery,
//! so rooms keep working on each instance while Redis is away.

use myrelay_core::metrics::{BroadcastScope, broadcast_failed};
use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::operators::BroadcastOperators;

/// Emit `event` to the sockets `target()` selects, across instances when possible.
pub async fn emit<A, T, F>(target: F, event: &str, data: &T)
where
    A: Adapter,
    T: Serialize + ?Sized,
    F: Fn() -> BroadcastOperators<A>,
{
    if let Err(e) = target().emit(event, data).await {
        broadcast_failed(BroadcastScope::CrossInstance);
        tracing::warn!(error = %e, event, "cross-instance broadcast failed; delivering locally");
        if let Err(e) = target().local().emit(event, data).await {
            broadcast_failed(BroadcastScope::Local);
            tracing::warn!(error = %e, event, "local broadcast failed");
        }
    }
}

/// Make the selected sockets leave `room`, across instances when possible.
pub async fn leave<A, F>(target: F, room: String)
where
    A: Adapter,
    F: Fn() -> BroadcastOperators<A>,
{
    if target().leave(room.clone()).await.is_err() {
        broadcast_failed(BroadcastScope::CrossInstance);
        tracing::warn!(room, "cross-instance leave failed; applying locally");
        if target().local().leave(room).await.is_err() {
            broadcast_failed(BroadcastScope::Local);
        }
    }
}

/// Disconnect the selected sockets, across instances when possible.
pub async fn disconnect<A, F>(target: F)
where
    A: Adapter,
    F: Fn() -> BroadcastOperators<A>,
{
    if target().disconnect().await.is_err() {
        broadcast_failed(BroadcastScope::CrossInstance);
        tracing::warn!("cross-instance disconnect failed; applying locally");
        if target().local().disconnect().await.is_err() {
            broadcast_failed(BroadcastScope::Local);
        }
    }
}
