//! The benchmark scenarios. Each returns a JSON result with the same skeleton:
//! `scenario`, `label`, parameters, throughput, `latency` summaries, `errors`, `usage`
//! (server CPU and peak RSS over the measured window) and `checks` (correctness assertions
//! the smoke run enforces).

pub mod chat;
pub mod fanout;
pub mod idle;
pub mod inbox;
pub mod search;
pub mod send_cost;
pub mod storm;
pub mod upload;

use crate::sio::{self, SioClient};
use anyhow::{anyhow, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A correctness assertion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

impl Check {
    pub fn new(name: &str, passed: bool, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            passed,
            detail: detail.into(),
        }
    }
}

/// A socket that has joined its ticket room.
pub struct Joined {
    pub client: SioClient,
    /// Connect + join, until the join ack.
    pub took: Duration,
    /// The first `ticket:join` got no ack within [`FIRST_JOIN_WAIT`] and was sent again.
    pub retried: bool,
}

/// How long the first `ticket:join` may go unanswered before it is sent again. An event sent
/// right after the connect packet can reach a server before its connect handler has
/// registered the event handlers (socketioxide sends `40` and then spawns the handler), and is
/// then dropped without an ack; the retry measures everything else and counts these.
pub const FIRST_JOIN_WAIT: Duration = Duration::from_secs(5);

/// Connect with `token` and join `ticket`'s room.
pub async fn connect_join(
    addr: SocketAddr,
    token: &str,
    ticket: i64,
    events: sio::Events,
) -> anyhow::Result<Joined> {
    let t = Instant::now();
    let client = SioClient::connect_opts(
        addr,
        sio::Options {
            token: Some(token),
            events,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow!("connect: {e}"))?;
    let join = json!({ "ticket_id": ticket });
    let mut retried = false;
    let ack = match client
        .emit_ack_timed("ticket:join", &join, FIRST_JOIN_WAIT)
        .await
    {
        Some(a) => a,
        None => {
            retried = true;
            client
                .emit_ack_timed("ticket:join", &join, Duration::from_secs(30))
                .await
                .ok_or_else(|| anyhow!("ticket:join {ticket}: no ack, twice"))?
        }
    };
    if ack.data["ok"] != true {
        bail!("ticket:join {ticket}: {}", ack.data);
    }
    Ok(Joined {
        client,
        took: t.elapsed(),
        retried,
    })
}

/// Microseconds from `base` to `at` (0 when `at` is earlier).
pub fn us_since(base: Instant, at: Instant) -> u64 {
    at.saturating_duration_since(base).as_micros() as u64
}

/// Keep the first few error messages for the report.
#[derive(Debug, Default, Clone)]
pub struct Errors {
    pub count: u64,
    pub samples: Vec<String>,
}

impl Errors {
    pub fn add(&mut self, e: impl std::fmt::Display) {
        self.count += 1;
        if self.samples.len() < 5 {
            self.samples.push(e.to_string());
        }
    }
    pub fn merge(&mut self, o: Errors) {
        self.count += o.count;
        for s in o.samples {
            if self.samples.len() < 5 {
                self.samples.push(s);
            }
        }
    }
}
