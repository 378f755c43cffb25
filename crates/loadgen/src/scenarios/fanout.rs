//! `fanout`: one ticket room with many watchers (admins, who may join any room) and one
//! sender. The sender sends the next message once every watcher has the previous one; per
//! message, the latency to the last watcher is what a room that size feels like.

use super::{Check, Errors, connect_join, us_since};
use crate::fixture::Fanout;
use crate::procmon::Monitor;
use crate::sio::{Event, Events};
use crate::stats::Samples;
use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct FanoutOpts {
    pub watchers: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub server_pid: Option<u32>,
}

/// (seq, recv µs) in arrival order.
type Log = Vec<(i64, u64)>;

pub async fn run(addr: SocketAddr, f: &Fanout, o: &FanoutOpts) -> anyhow::Result<Value> {
    let watchers = &f.watchers[..o.watchers.min(f.watchers.len())];
    anyhow::ensure!(!watchers.is_empty(), "no watchers in the fixture");
    let t = Instant::now();
    let joined: Vec<_> = stream::iter(watchers)
        .map(|w| connect_join(addr, &w.token, f.ticket, Events::Keep))
        .buffered(16)
        .try_collect()
        .await
        .context("connecting watchers")?;
    let s = connect_join(addr, &f.sender.token, f.ticket, Events::Keep).await?;
    let join_retries = joined.iter().filter(|j| j.retried).count() + usize::from(s.retried);
    let sender = s.client;
    let mut clients: Vec<_> = joined.into_iter().map(|j| j.client).collect();
    let connect_s = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let base = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let delivered = Arc::new(AtomicU64::new(0));
    let wake = Arc::new(Notify::new());
    let mut receivers = JoinSet::new();
    for c in clients.iter_mut() {
        let (_, mut rx) = c.take_events();
        let (delivered, wake) = (delivered.clone(), wake.clone());
        let sender_id = f.sender.id;
        let mut stop = stop_rx.clone();
        receivers.spawn(async move {
            let mut log: Log = Vec::new();
            let mut on = |e: Event| {
                if e.name == "ticket:message:new" && e.data["message"]["sender"]["id"] == sender_id
                {
                    log.push((
                        e.data["message"]["seq"].as_i64().unwrap_or(-1),
                        us_since(base, e.at),
                    ));
                    delivered.fetch_add(1, Ordering::Relaxed);
                    wake.notify_one();
                }
            };
            loop {
                tokio::select! {
                    e = rx.recv() => match e {
                        Some(e) => on(e),
                        None => break,
                    },
                    _ = stop.changed() => {
                        while let Ok(e) = rx.try_recv() {
                            on(e);
                        }
                        break;
                    }
                }
            }
            log
        });
    }

    let n = watchers.len() as u64;
    let w0 = base + o.warmup;
    let end = w0 + o.duration;
    let monitor = Monitor::window(o.server_pid, w0, end);
    let mut errors = Errors::default();
    // seq → send µs
    let mut sent: Vec<(i64, u64)> = Vec::new();
    let mut ack_lat = Samples::new();
    let tag = chrono::Utc::now().timestamp_micros();
    let mut k = 0u64;
    while Instant::now() < end {
        k += 1;
        let send_us = us_since(base, Instant::now());
        let p = json!({
            "ticket_id": f.ticket,
            "content": format!("f {send_us} fanout message {k}"),
            "client_id": format!("f{tag}-{k}"),
        });
        let ack = sender
            .emit_ack_timed("ticket:message:send", &p, Duration::from_secs(10))
            .await;
        match ack {
            Some(a) if a.data["ok"] == true => {
                sent.push((a.data["message"]["seq"].as_i64().unwrap_or(-1), send_us));
                if send_us >= us_since(base, w0) {
                    ack_lat.record_us(us_since(base, a.at) - send_us);
                }
            }
            Some(a) => {
                errors.add(format!("refused: {}", a.data));
                continue;
            }
            None => {
                errors.add("no ack within 10 s");
                continue;
            }
        }
        // Wait until every watcher has it.
        let target = n * sent.len() as u64;
        let deadline = Instant::now() + Duration::from_secs(5);
        while delivered.load(Ordering::Relaxed) < target {
            let woken = wake.notified();
            if delivered.load(Ordering::Relaxed) >= target {
                break;
            }
            if tokio::time::timeout_at(deadline.into(), woken)
                .await
                .is_err()
            {
                errors.add(format!(
                    "message {k} not delivered to every watcher within 5 s"
                ));
                break;
            }
        }
    }
    let usage = monitor.await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop_tx.send(true);
    let mut logs = Vec::new();
    while let Some(r) = receivers.join_next().await {
        logs.push(r?);
    }
    for c in &clients {
        c.shutdown();
    }
    sender.shutdown();

    // Latencies and checks.
    let send_at: HashMap<i64, u64> = sent.iter().copied().collect();
    let (w0_us, w1_us) = (us_since(base, w0), us_since(base, end));
    let mut all = Samples::new();
    let mut last: HashMap<i64, u64> = HashMap::new();
    let (mut missing, mut dups, mut reordered, mut unexpected) = (0u64, 0u64, 0u64, 0u64);
    let mut delivered_in = 0u64;
    for log in &logs {
        reordered += log.windows(2).filter(|w| w[1].0 <= w[0].0).count() as u64;
        let mut seqs: Vec<i64> = log.iter().map(|x| x.0).collect();
        seqs.sort_unstable();
        let before = seqs.len();
        seqs.dedup();
        dups += (before - seqs.len()) as u64;
        missing += sent
            .iter()
            .filter(|(s, _)| seqs.binary_search(s).is_err())
            .count() as u64;
        for &(seq, recv) in log {
            let Some(&s) = send_at.get(&seq) else {
                unexpected += 1;
                continue;
            };
            if (w0_us..w1_us).contains(&recv) {
                delivered_in += 1;
            }
            if (w0_us..w1_us).contains(&s) {
                let d = recv.saturating_sub(s);
                all.record_us(d);
                let e = last.entry(seq).or_insert(0);
                *e = (*e).max(d);
            }
        }
    }
    let mut last_lat = Samples::new();
    for (_, d) in last {
        last_lat.record_us(d);
    }
    let secs = o.duration.as_secs_f64();
    let msgs_in = sent
        .iter()
        .filter(|(_, s)| (w0_us..w1_us).contains(s))
        .count();
    let checks = vec![
        Check::new(
            "no errors",
            errors.count == 0 && !sent.is_empty(),
            format!(
                "{} sent, {} errors {:?}",
                sent.len(),
                errors.count,
                errors.samples
            ),
        ),
        Check::new(
            "every watcher got every message exactly once, in seq order",
            missing == 0 && dups == 0 && reordered == 0 && unexpected == 0,
            format!(
                "{missing} missing, {dups} duplicates, {reordered} out of order, {unexpected} unexpected"
            ),
        ),
    ];
    Ok(json!({
        "scenario": "fanout",
        "label": format!("1 sender, {n} watchers"),
        "watchers": n,
        "connect_s": connect_s,
        "join_retries": join_retries,
        "warmup_s": o.warmup.as_secs_f64(),
        "duration_s": secs,
        "messages_per_s": msgs_in as f64 / secs,
        "deliveries_per_s": delivered_in as f64 / secs,
        "latency": {
            "send_ack": ack_lat.summary(),
            "send_delivery_all": all.summary(),
            "send_delivery_last": last_lat.summary(),
        },
        "errors": errors.count,
        "error_samples": errors.samples,
        "usage": usage,
        "checks": checks,
    }))
}
