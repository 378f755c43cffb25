//! A lean Socket.IO v5 client over the engine.io v4 WebSocket transport.
//!
//! The load generator's socket and the integration tests' (re-exported by
//! `myrelay-test-support`), so both speak the wire protocol any client speaks. One reader task
//! per socket stamps every frame with its arrival [`Instant`] before parsing, so latencies do
//! not include the consumer's queueing; one writer task batches queued frames into one flush.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// How long [`SioClient::emit_ack`] and [`SioClient::try_emit_ack`] wait for an ack.
pub const ACK_WAIT: Duration = Duration::from_secs(5);

/// A server → client event with the time its frame arrived.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub data: Value,
    pub at: Instant,
}

/// An acknowledgement (its first argument) with the time its frame arrived.
#[derive(Debug, Clone)]
pub struct Ack {
    pub data: Value,
    pub at: Instant,
}

/// What the reader does with server → client events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Events {
    /// Parse and queue every event (tests, chat).
    #[default]
    Keep,
    /// Count them and drop them unparsed (idle sockets: no memory, little CPU).
    Drop,
}

/// Connection options beyond the address.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Sent as `auth: { token }` in the Socket.IO connect packet.
    pub token: Option<&'a str>,
    /// `Origin` header of the upgrade request.
    pub origin: Option<&'a str>,
    /// `Cookie` header of the upgrade request.
    pub cookie: Option<&'a str>,
    pub events: Events,
}

type Acks = Arc<Mutex<HashMap<i64, oneshot::Sender<Ack>>>>;

pub struct SioClient {
    out: mpsc::UnboundedSender<String>,
    events: mpsc::UnboundedReceiver<Event>,
    /// Events received while waiting for another one.
    buffered: VecDeque<Event>,
    acks: Acks,
    next_ack: AtomicI64,
    closed: Arc<tokio::sync::Notify>,
    dropped: Arc<std::sync::atomic::AtomicU64>,
    pub sid: String,
}

#[derive(Debug)]
pub enum ConnectError {
    /// The server answered `connect_error` with this message.
    Refused(String),
    /// The HTTP upgrade was refused with this status.
    Http(u16),
    Other(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Refused(m) => write!(f, "connect_error: {m}"),
            ConnectError::Http(s) => write!(f, "upgrade refused with HTTP {s}"),
            ConnectError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConnectError {}

/// Split `<id>[...]` (ack and event packets) into the id (if any) and the JSON array.
fn split_id(rest: &str) -> (Option<i64>, &str) {
    let split = rest.find('[').unwrap_or(rest.len());
    (rest[..split].parse().ok(), &rest[split..])
}

impl SioClient {
    /// Connect and join the default namespace, with `auth: {token}` and an optional `Origin`.
    pub async fn connect(
        addr: SocketAddr,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<SioClient, ConnectError> {
        Self::connect_with(addr, token, origin, None).await
    }

    /// [`connect`](Self::connect) with a `Cookie` header too.
    pub async fn connect_with(
        addr: SocketAddr,
        token: Option<&str>,
        origin: Option<&str>,
        cookie: Option<&str>,
    ) -> Result<SioClient, ConnectError> {
        Self::connect_opts(
            addr,
            Options {
                token,
                origin,
                cookie,
                events: Events::Keep,
            },
        )
        .await
    }

    pub async fn connect_opts(
        addr: SocketAddr,
        opts: Options<'_>,
    ) -> Result<SioClient, ConnectError> {
        let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
        let mut req = url
            .into_client_request()
            .map_err(|e| ConnectError::Other(e.to_string()))?;
        if let Some(o) = opts.origin {
            let v = o
                .parse()
                .map_err(|_| ConnectError::Other("bad origin".into()))?;
            req.headers_mut().insert("origin", v);
        }
        if let Some(c) = opts.cookie {
            let v = c
                .parse()
                .map_err(|_| ConnectError::Other("bad cookie".into()))?;
            req.headers_mut().insert("cookie", v);
        }
        // Small buffers: thousands of idle sockets must not cost the generator gigabytes.
        // (The write buffer grows on demand; frames queued together go out in one flush.)
        let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
        let (ws, _) =
            match tokio_tungstenite::connect_async_with_config(req, Some(config), true).await {
                Ok(x) => x,
                Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                    return Err(ConnectError::Http(res.status().as_u16()));
                }
                Err(e) => return Err(ConnectError::Other(e.to_string())),
            };
        let (mut sink, mut stream) = ws.split();
        // engine.io open packet
        match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
            Ok(Some(Ok(Ws::Text(t)))) if t.starts_with('0') => {}
            other => return Err(ConnectError::Other(format!("no open packet: {other:?}"))),
        }
        let auth = match opts.token {
            Some(t) => json!({ "token": t }).to_string(),
            None => String::new(),
        };
        sink.send(Ws::Text(format!("40{auth}").into()))
            .await
            .map_err(|e| ConnectError::Other(e.to_string()))?;
        let sid = loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
                Ok(Some(Ok(Ws::Text(t)))) => {
                    if let Some(rest) = t.strip_prefix("40") {
                        let v: Value = serde_json::from_str(rest).unwrap_or(Value::Null);
                        break v["sid"].as_str().unwrap_or_default().to_string();
                    } else if let Some(rest) = t.strip_prefix("44") {
                        let v: Value = serde_json::from_str(rest).unwrap_or(Value::Null);
                        return Err(ConnectError::Refused(
                            v["message"].as_str().unwrap_or_default().to_string(),
                        ));
                    } else if t.as_str() == "2" {
                        let _ = sink.send(Ws::Text("3".into())).await;
                    }
                }
                other => return Err(ConnectError::Other(format!("no connect answer: {other:?}"))),
            }
        };

        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel::<Event>();
        let acks: Acks = Arc::new(Mutex::new(HashMap::new()));
        let closed = Arc::new(tokio::sync::Notify::new());
        let dropped = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let reader_acks = acks.clone();
        let pong = out_tx.clone();
        let reader_closed = closed.clone();
        let reader_dropped = dropped.clone();
        let keep = opts.events == Events::Keep;
        tokio::spawn(async move {
            let disconnect = |at| Event {
                name: "disconnect".into(),
                data: Value::Null,
                at,
            };
            while let Some(Ok(msg)) = stream.next().await {
                let Ws::Text(t) = msg else { continue };
                let at = Instant::now();
                let t = t.as_str();
                if t == "2" {
                    let _ = pong.send("3".into());
                } else if let Some(rest) = t.strip_prefix("43") {
                    let (id, body) = split_id(rest);
                    let tx = id.and_then(|id| reader_acks.lock().expect("acks").remove(&id));
                    if let Some(tx) = tx {
                        let mut v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                        let data = v.get_mut(0).map(Value::take).unwrap_or(Value::Null);
                        let _ = tx.send(Ack { data, at });
                    }
                } else if let Some(rest) = t.strip_prefix("42") {
                    if !keep {
                        reader_dropped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let (_, body) = split_id(rest);
                    let mut v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
                    let name = v
                        .get(0)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let data = v.get_mut(1).map(Value::take).unwrap_or(Value::Null);
                    let _ = ev_tx.send(Event { name, data, at });
                } else if t.starts_with("41") || t.starts_with('1') {
                    let _ = ev_tx.send(disconnect(at));
                    break;
                }
            }
            let _ = ev_tx.send(disconnect(Instant::now()));
            reader_closed.notify_waiters();
        });
        tokio::spawn(async move {
            // Everything queued goes out in one flush; an empty frame means "close".
            'outer: while let Some(m) = out_rx.recv().await {
                let mut next = Some(m);
                while let Some(m) = next {
                    if m.is_empty() || sink.feed(Ws::Text(m.into())).await.is_err() {
                        break 'outer;
                    }
                    next = out_rx.try_recv().ok();
                }
                if sink.flush().await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        Ok(SioClient {
            out: out_tx,
            events: ev_rx,
            buffered: VecDeque::new(),
            acks,
            next_ack: AtomicI64::new(1),
            closed,
            dropped,
            sid,
        })
    }

    /// Emit `event` with `data` and wait for the ack (5 s).
    pub async fn emit_ack(&self, event: &str, data: Value) -> Value {
        self.try_emit_ack(event, data)
            .await
            .expect("ack within 5 s")
    }

    /// Emit and wait for the ack; `None` after 5 s or when the socket is gone.
    pub async fn try_emit_ack(&self, event: &str, data: Value) -> Option<Value> {
        self.emit_ack_timed(event, &data, ACK_WAIT)
            .await
            .map(|a| a.data)
    }

    /// Emit and wait up to `wait` for the ack, with its arrival time.
    pub async fn emit_ack_timed(&self, event: &str, data: &Value, wait: Duration) -> Option<Ack> {
        let rx = self.emit_with_ack(event, data)?;
        tokio::time::timeout(wait, rx).await.ok()?.ok()
    }

    /// Emit and return at once; the ack arrives on the receiver (open-loop senders).
    /// `None` when the socket is gone.
    pub fn emit_with_ack(&self, event: &str, data: &Value) -> Option<oneshot::Receiver<Ack>> {
        let id = self.next_ack.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.acks.lock().expect("acks").insert(id, tx);
        let packet = format!("42{id}{}", json!([event, data]));
        if self.out.send(packet).is_err() {
            self.acks.lock().expect("acks").remove(&id);
            return None;
        }
        Some(rx)
    }

    /// Send a raw text frame (for malformed-input tests).
    pub fn send_raw(&self, frame: &str) {
        let _ = self.out.send(frame.to_string());
    }

    /// Wait up to `wait` for the next `event`; other events are kept for later.
    pub async fn expect(&mut self, event: &str, wait: Duration) -> Option<Value> {
        self.expect_event(event, wait).await.map(|e| e.data)
    }

    /// [`expect`](Self::expect) with the arrival time.
    pub async fn expect_event(&mut self, event: &str, wait: Duration) -> Option<Event> {
        if let Some(pos) = self.buffered.iter().position(|e| e.name == event) {
            return self.buffered.remove(pos);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) if e.name == event => return Some(e),
                Ok(Some(other)) => self.buffered.push_back(other),
                _ => return None,
            }
        }
    }

    /// Wait for the next `event` whose data satisfies `pred`, passing over those that do not;
    /// `None` when `wait` passes with no `event` at all.
    pub async fn expect_where(
        &mut self,
        event: &str,
        wait: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        loop {
            let data = self.expect(event, wait).await?;
            if pred(&data) {
                return Some(data);
            }
        }
    }

    /// Every `event` that arrives until `quiet` passes without one (to catch up, or to start
    /// from silence).
    pub async fn drain(&mut self, event: &str, quiet: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        while let Some(data) = self.expect(event, quiet).await {
            got.push(data);
        }
        got
    }

    /// The next event of any name, buffered ones first.
    pub async fn next_event(&mut self, wait: Duration) -> Option<Event> {
        if let Some(e) = self.buffered.pop_front() {
            return Some(e);
        }
        tokio::time::timeout(wait, self.events.recv())
            .await
            .ok()
            .flatten()
    }

    /// Hand the event stream to another task (what is buffered comes first). Afterwards
    /// [`expect`](Self::expect) on this client sees nothing.
    pub fn take_events(&mut self) -> (VecDeque<Event>, mpsc::UnboundedReceiver<Event>) {
        let (_, empty) = mpsc::unbounded_channel();
        (
            std::mem::take(&mut self.buffered),
            std::mem::replace(&mut self.events, empty),
        )
    }

    /// Whether `event` arrives within `wait` (for asserting that nothing came).
    pub async fn receives(&mut self, event: &str, wait: Duration) -> bool {
        self.expect(event, wait).await.is_some()
    }

    /// Wait until the server disconnects this socket.
    pub async fn disconnected(&mut self, wait: Duration) -> bool {
        self.expect("disconnect", wait).await.is_some()
    }

    /// Leave the namespace from the client side (Socket.IO `41`); the WebSocket stays open.
    pub fn close(&self) {
        let _ = self.out.send("41".into());
    }

    /// Leave the namespace and close the WebSocket too.
    pub fn shutdown(&self) {
        let _ = self.out.send("41".into());
        let _ = self.out.send(String::new());
    }

    pub fn closed_notify(&self) -> Arc<tokio::sync::Notify> {
        self.closed.clone()
    }

    /// Events discarded unparsed under [`Events::Drop`].
    pub fn dropped_events(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
