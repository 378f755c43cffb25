//! Every Prometheus metric MyRelay records: its name, its labels and a one-line helper for
//! the place that records it. Feature crates call these helpers and never name a metric
//! themselves; the api crate installs the recorder and serves `GET /metrics` on
//! `MYRELAY_METRICS_ADDR` (SPEC §9). Without an installed recorder every call is a no-op.
//!
//! Label values are always from a fixed set (route templates, our own event names,
//! `unknown`), never a client's string, so the number of series stays bounded.

use http::Method;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use std::time::{Duration, Instant};

/// HTTP requests by `method`, `route` (the route template) and `status`.
pub const HTTP_REQUESTS: &str = "myrelay_http_requests_total";
/// HTTP request latency by `method`, `route` and `status`.
pub const HTTP_REQUEST_DURATION: &str = "myrelay_http_request_duration_seconds";
/// Authenticated Socket.IO connections open on this instance.
pub const SOCKETS_CONNECTED: &str = "myrelay_sockets_connected";
/// Socket.IO events handled, by `event` name (`unknown` for events we do not define).
pub const SOCKET_EVENTS: &str = "myrelay_socket_events_total";
/// From receiving a message send (HTTP or socket) to the commit of its insert.
pub const MESSAGE_SEND_COMMIT_DURATION: &str = "myrelay_message_send_commit_duration_seconds";
/// Room broadcasts that failed, by `scope`: `cross_instance` (then delivered locally) or
/// `local`.
pub const BROADCAST_FAILURES: &str = "myrelay_broadcast_failures_total";
/// Database pool connections by `state`: `in_use` or `idle` (read at scrape time).
pub const DB_POOL_CONNECTIONS: &str = "myrelay_db_pool_connections";
/// Failed calls of the Socket.IO Redis adapter, by `op` and `reason` (`timeout` or `error`).
pub const REDIS_ADAPTER_ERRORS: &str = "myrelay_redis_adapter_errors_total";

/// Histogram buckets (seconds) for every latency above: 1 ms to 10 s.
pub const LATENCY_BUCKETS_SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `route` label of requests that matched no route.
pub const UNMATCHED_ROUTE: &str = "unmatched";
/// The `event` label of Socket.IO events we do not define.
pub const UNKNOWN_EVENT: &str = "unknown";

/// HELP lines for the exporter; call once after installing the recorder.
pub fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by method, route template and status."
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency by method, route template and status."
    );
    describe_gauge!(
        SOCKETS_CONNECTED,
        "Authenticated Socket.IO connections open."
    );
    describe_counter!(SOCKET_EVENTS, "Socket.IO events handled, by event name.");
    describe_histogram!(
        MESSAGE_SEND_COMMIT_DURATION,
        metrics::Unit::Seconds,
        "Time from receiving a message send (HTTP or socket) to the commit of its insert."
    );
    describe_counter!(
        BROADCAST_FAILURES,
        "Failed room broadcasts: cross_instance (then delivered locally) or local."
    );
    describe_gauge!(DB_POOL_CONNECTIONS, "Database pool connections by state.");
    describe_counter!(
        REDIS_ADAPTER_ERRORS,
        "Failed calls of the Socket.IO Redis adapter, by operation and reason."
    );
}

/// One HTTP request answered. `route` is the route template (`/tickets/{id}`), never the
/// raw path; `None` when no route matched.
pub fn http_request(method: &Method, route: Option<&str>, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method_label(method)),
        ("route", route.unwrap_or(UNMATCHED_ROUTE).to_string()),
        ("status", status.to_string()),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_REQUEST_DURATION, &labels).record(elapsed.as_secs_f64());
}

/// Standard methods by name; anything a client invents is `other`.
fn method_label(m: &Method) -> String {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    let name = if KNOWN.contains(m) {
        m.as_str()
    } else {
        "other"
    };
    name.to_string()
}

/// An authenticated socket connected.
pub fn socket_connected() {
    gauge!(SOCKETS_CONNECTED).increment(1.0);
}

/// An authenticated socket disconnected.
pub fn socket_disconnected() {
    gauge!(SOCKETS_CONNECTED).decrement(1.0);
}

/// A socket event handled. `event` is one of our own event names or [`UNKNOWN_EVENT`]; the
/// `'static` bound keeps client strings out.
pub fn socket_event(event: &'static str) {
    counter!(SOCKET_EVENTS, "event" => event).increment(1);
}

/// A message insert committed; `received` is when the send arrived.
pub fn message_committed(received: Instant) {
    histogram!(MESSAGE_SEND_COMMIT_DURATION).record(received.elapsed().as_secs_f64());
}

/// Where a failed broadcast was headed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BroadcastScope {
    /// Through the adapter to every instance (Redis); delivery then falls back to local.
    CrossInstance,
    /// To this instance's own sockets.
    Local,
}

/// A room broadcast (emit, leave, disconnect) failed.
pub fn broadcast_failed(scope: BroadcastScope) {
    let scope = match scope {
        BroadcastScope::CrossInstance => "cross_instance",
        BroadcastScope::Local => "local",
    };
    counter!(BROADCAST_FAILURES, "scope" => scope).increment(1);
}

/// The database pool as it is now (`size` connections open, `idle` of them idle).
pub fn db_pool(size: u32, idle: usize) {
    let idle = idle as f64;
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set((f64::from(size) - idle).max(0.0));
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
}

/// A call of the Redis adapter (`publish`, `subscribe`, `unsubscribe`, `num_serv`) failed.
pub fn redis_adapter_error(op: &'static str, timed_out: bool) {
    let reason = if timed_out { "timeout" } else { "error" };
    counter!(REDIS_ADAPTER_ERRORS, "op" => op, "reason" => reason).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_the_prefix_and_no_duplicate() {
        let names = [
            HTTP_REQUESTS,
            HTTP_REQUEST_DURATION,
            SOCKETS_CONNECTED,
            SOCKET_EVENTS,
            MESSAGE_SEND_COMMIT_DURATION,
            BROADCAST_FAILURES,
            DB_POOL_CONNECTIONS,
            REDIS_ADAPTER_ERRORS,
        ];
        for n in names {
            assert!(n.starts_with("myrelay_"), "{n}");
        }
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
    }

    #[test]
    fn buckets_ascend() {
        assert!(LATENCY_BUCKETS_SECONDS.windows(2).all(|w| w[0] < w[1]));
    }
}
