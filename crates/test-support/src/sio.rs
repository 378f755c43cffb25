//! A minimal Socket.IO v5 client over engine.io v4 WebSocket transport, for tests.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Acks = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

pub struct SioClient {
    out: mpsc::UnboundedSender<String>,
    events: mpsc::UnboundedReceiver<(String, Value)>,
    /// Events received while waiting for another one.
    buffered: VecDeque<(String, Value)>,
    acks: Acks,
    next_ack: AtomicI64,
    closed: Arc<tokio::sync::Notify>,
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

impl SioClient {
    /// Connect and join the default namespace, with `auth: {token}` and optional `Origin`
    /// and `Cookie` headers.
    pub async fn connect(
        addr: SocketAddr,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<SioClient, ConnectError> {
        Self::connect_with(addr, token, origin, None).await
    }

    pub async fn connect_with(
        addr: SocketAddr,
        token: Option<&str>,
        origin: Option<&str>,
        cookie: Option<&str>,
    ) -> Result<SioClient, ConnectError> {
        let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
        let mut req = url
            .into_client_request()
            .map_err(|e| ConnectError::Other(e.to_string()))?;
        if let Some(o) = origin {
            req.headers_mut()
                .insert("origin", o.parse().expect("origin header"));
        }
        if let Some(c) = cookie {
            req.headers_mut()
                .insert("cookie", c.parse().expect("cookie header"));
        }
        let (ws, _) = match tokio_tungstenite::connect_async(req).await {
            Ok(x) => x,
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                return Err(ConnectError::Http(res.status().as_u16()));
            }
            Err(e) => return Err(ConnectError::Other(e.to_string())),
        };
        let (mut sink, mut stream) = ws.split();
        // engine.io open packet
        match stream.next().await {
            Some(Ok(Ws::Text(t))) if t.starts_with('0') => {}
            other => return Err(ConnectError::Other(format!("no open packet: {other:?}"))),
        }
        let auth = match token {
            Some(t) => json!({ "token": t }).to_string(),
            None => String::new(),
        };
        sink.send(Ws::Text(format!("40{auth}").into()))
            .await
            .map_err(|e| ConnectError::Other(e.to_string()))?;
        let sid = loop {
            match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
                Ok(Some(Ok(Ws::Text(t)))) => {
                    let t = t.to_string();
                    if let Some(rest) = t.strip_prefix("40") {
                        let v: Value = serde_json::from_str(rest).unwrap_or(Value::Null);
                        break v["sid"].as_str().unwrap_or_default().to_string();
                    } else if let Some(rest) = t.strip_prefix("44") {
                        let v: Value = serde_json::from_str(rest).unwrap_or(Value::Null);
                        return Err(ConnectError::Refused(
                            v["message"].as_str().unwrap_or_default().to_string(),
                        ));
                    } else if t == "2" {
                        let _ = sink.send(Ws::Text("3".into())).await;
                    }
                }
                other => return Err(ConnectError::Other(format!("no connect answer: {other:?}"))),
            }
        };

        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel::<(String, Value)>();
        let acks: Acks = Arc::new(Mutex::new(HashMap::new()));
        let closed = Arc::new(tokio::sync::Notify::new());
        let reader_acks = acks.clone();
        let pong = out_tx.clone();
        let reader_closed = closed.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Ws::Text(t) = msg else { continue };
                let t = t.to_string();
                if t == "2" {
                    let _ = pong.send("3".into());
                } else if let Some(rest) = t.strip_prefix("43") {
                    let split = rest.find('[').unwrap_or(rest.len());
                    let id: i64 = rest[..split].parse().unwrap_or(-1);
                    let v: Value = serde_json::from_str(&rest[split..]).unwrap_or(Value::Null);
                    if let Some(tx) = reader_acks.lock().await.remove(&id) {
                        let _ = tx.send(v.get(0).cloned().unwrap_or(Value::Null));
                    }
                } else if let Some(rest) = t.strip_prefix("42") {
                    let split = rest.find('[').unwrap_or(rest.len());
                    let v: Value = serde_json::from_str(&rest[split..]).unwrap_or(Value::Null);
                    let name = v
                        .get(0)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let _ = ev_tx.send((name, v.get(1).cloned().unwrap_or(Value::Null)));
                } else if t.starts_with("41") || t.starts_with('1') {
                    let _ = ev_tx.send(("disconnect".into(), Value::Null));
                    break;
                }
            }
            let _ = ev_tx.send(("disconnect".into(), Value::Null));
            reader_closed.notify_waiters();
        });
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(Ws::Text(m.into())).await.is_err() {
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
            sid,
        })
    }

    /// Emit `event` with `data` and wait for the ack (5 s).
    pub async fn emit_ack(&self, event: &str, data: Value) -> Value {
        self.try_emit_ack(event, data)
            .await
            .expect("ack within 5 s")
    }

    pub async fn try_emit_ack(&self, event: &str, data: Value) -> Option<Value> {
        let id = self.next_ack.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.acks.lock().await.insert(id, tx);
        let packet = format!("42{id}{}", json!([event, data]));
        self.out.send(packet).ok()?;
        tokio::time::timeout(Duration::from_secs(5), rx)
            .await
            .ok()?
            .ok()
    }

    /// Send a raw text frame (for malformed-input tests).
    pub fn send_raw(&self, frame: &str) {
        let _ = self.out.send(frame.to_string());
    }

    /// Wait up to `wait` for the next `event`; other events are kept for later.
    pub async fn expect(&mut self, event: &str, wait: Duration) -> Option<Value> {
        if let Some(pos) = self.buffered.iter().position(|(n, _)| n == event) {
            return self.buffered.remove(pos).map(|(_, v)| v);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some((n, v))) if n == event => return Some(v),
                Ok(Some(other)) => self.buffered.push_back(other),
                _ => return None,
            }
        }
    }

    /// Whether `event` arrives within `wait` (for asserting that nothing came).
    pub async fn receives(&mut self, event: &str, wait: Duration) -> bool {
        self.expect(event, wait).await.is_some()
    }

    /// Wait until the server disconnects this socket.
    pub async fn disconnected(&mut self, wait: Duration) -> bool {
        self.expect("disconnect", wait).await.is_some()
    }

    /// Close the connection from the client side.
    pub fn close(&self) {
        let _ = self.out.send("41".into());
    }

    pub fn closed_notify(&self) -> Arc<tokio::sync::Notify> {
        self.closed.clone()
    }
}
