//! `chat`: N ticket rooms, a customer and the assigned agent in each, both sending.
//!
//! Closed loop (each of the 2N senders sends its next message after the ack of the previous
//! one) or fixed rate (`rate` messages/s in total, open loop, latency measured from the
//! scheduled send time so a stalled server cannot hide queueing). The send time is embedded in
//! the content (`b <µs since start> …`), so send→delivery latency needs no shared map.
//!
//! Checks: every acked message is delivered exactly once to the other member, deliveries
//! arrive in `seq` order, and each member's acks ∪ deliveries cover a gapless `seq` range.

use super::{Check, Errors, Joined, connect_join, us_since};
use crate::fixture::Room;
use crate::procmon::{Monitor, Usage};
use crate::sio::{Ack, Event, Events, SioClient};
use crate::stats::Samples;
use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct ChatOpts {
    pub rooms: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// Total messages per second (open loop); `None`: closed loop.
    pub rate: Option<f64>,
    /// Approximate content length in bytes.
    pub content_len: usize,
    pub server_pid: Option<u32>,
    pub label: String,
}

const ACK_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy)]
struct Sent {
    seq: i64,
    send_us: u64,
    ack_us: u64,
}

#[derive(Clone, Copy)]
struct Got {
    seq: i64,
    from: i64,
    send_us: Option<u64>,
    recv_us: u64,
}

#[derive(Default)]
struct Log {
    acked: Vec<Sent>,
    got: Vec<Got>,
    errors: Errors,
}

struct Member {
    idx: usize,
    user_id: i64,
    ticket: i64,
    client: SioClient,
    log: Mutex<Log>,
}

fn record_ack(m: &Member, base: Instant, ack: Option<Ack>, send_us: u64, cid: &str) {
    let mut log = m.log.lock().expect("log");
    match ack {
        Some(a) if a.data["ok"] == true && a.data["message"]["client_id"] == cid => {
            log.acked.push(Sent {
                seq: a.data["message"]["seq"].as_i64().unwrap_or(-1),
                send_us,
                ack_us: us_since(base, a.at),
            })
        }
        Some(a) => log.errors.add(format!("refused: {}", a.data)),
        None => log.errors.add("no ack within 10 s"),
    }
}

fn on_event(m: &Member, base: Instant, e: Event) {
    if e.name != "ticket:message:new" {
        return;
    }
    let msg = &e.data["message"];
    let send_us = msg["content"]
        .as_str()
        .and_then(|c| c.split(' ').nth(1))
        .and_then(|t| t.parse().ok());
    m.log.lock().expect("log").got.push(Got {
        seq: msg["seq"].as_i64().unwrap_or(-1),
        from: msg["sender"]["id"].as_i64().unwrap_or(-1),
        send_us,
        recv_us: us_since(base, e.at),
    });
}

async fn receive(
    m: Arc<Member>,
    base: Instant,
    first: VecDeque<Event>,
    mut rx: mpsc::UnboundedReceiver<Event>,
    mut stop: watch::Receiver<bool>,
) {
    for e in first {
        on_event(&m, base, e);
    }
    loop {
        tokio::select! {
            e = rx.recv() => match e {
                Some(e) => on_event(&m, base, e),
                None => break,
            },
            _ = stop.changed() => {
                while let Ok(e) = rx.try_recv() {
                    on_event(&m, base, e);
                }
                break;
            }
        }
    }
}

fn payload(m: &Member, send_us: u64, n: u64, tag: &str, pad: &str) -> (Value, String) {
    let cid = format!("{tag}-{}-{n}", m.idx);
    (
        json!({
            "ticket_id": m.ticket,
            "content": format!("b {send_us} {pad}"),
            "client_id": cid,
        }),
        cid,
    )
}

async fn closed_sender(m: Arc<Member>, base: Instant, end: Instant, tag: Arc<str>, pad: Arc<str>) {
    let mut n = 0u64;
    while Instant::now() < end {
        n += 1;
        let send_us = us_since(base, Instant::now());
        let (p, cid) = payload(&m, send_us, n, &tag, &pad);
        let ack = m
            .client
            .emit_ack_timed("ticket:message:send", &p, ACK_WAIT)
            .await;
        record_ack(&m, base, ack, send_us, &cid);
    }
}

async fn rate_scheduler(
    members: Vec<Arc<Member>>,
    base: Instant,
    start: Instant,
    end: Instant,
    rate: f64,
    tag: Arc<str>,
    pad: Arc<str>,
) {
    let mut acks = JoinSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut k = 0u64;
    loop {
        tick.tick().await;
        let now = Instant::now();
        let until = now.min(end);
        // Every message whose scheduled time (k / rate) has come.
        let due = (until.saturating_duration_since(start).as_secs_f64() * rate) as u64 + 1;
        while k < due && until < end {
            let m = members[(k as usize) % members.len()].clone();
            let intended = start + Duration::from_secs_f64(k as f64 / rate);
            let send_us = us_since(base, intended);
            let (p, cid) = payload(&m, send_us, k, &tag, &pad);
            let rx = m.client.emit_with_ack("ticket:message:send", &p);
            acks.spawn(async move {
                let ack = match rx {
                    Some(rx) => tokio::time::timeout(ACK_WAIT, rx)
                        .await
                        .ok()
                        .and_then(|r| r.ok()),
                    None => None,
                };
                record_ack(&m, base, ack, send_us, &cid);
            });
            k += 1;
        }
        while acks.try_join_next().is_some() {}
        if now >= end {
            break;
        }
    }
    while acks.join_next().await.is_some() {}
}

/// Delivery bookkeeping over all rooms.
#[derive(Default, Debug)]
struct Delivery {
    acked: u64,
    delivered: u64,
    missing: u64,
    duplicates: u64,
    unexpected: u64,
    reordered: u64,
    gaps: u64,
}

fn check_rooms(members: &[Arc<Member>]) -> Delivery {
    let mut d = Delivery::default();
    for pair in members.chunks(2) {
        for (me, peer) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
            let mine = me.log.lock().expect("log");
            let theirs = peer.log.lock().expect("log");
            // What the peer sent (acked) must reach me exactly once.
            let mut sent: Vec<i64> = theirs.acked.iter().map(|s| s.seq).collect();
            sent.sort_unstable();
            let got_from_peer: Vec<i64> = mine
                .got
                .iter()
                .filter(|g| g.from == peer.user_id)
                .map(|g| g.seq)
                .collect();
            d.unexpected += mine.got.iter().filter(|g| g.from != peer.user_id).count() as u64;
            d.reordered += got_from_peer.windows(2).filter(|w| w[1] <= w[0]).count() as u64;
            let mut got = got_from_peer.clone();
            got.sort_unstable();
            let before = got.len();
            got.dedup();
            d.duplicates += (before - got.len()) as u64;
            d.acked += sent.len() as u64;
            d.delivered += before as u64;
            d.missing += sent
                .iter()
                .filter(|s| got.binary_search(s).is_err())
                .count() as u64;
            d.unexpected += got
                .iter()
                .filter(|g| sent.binary_search(g).is_err())
                .count() as u64;
            // My view: my acks and what I received, merged, without a hole.
            let mut view: Vec<i64> = mine.acked.iter().map(|s| s.seq).chain(got).collect();
            view.sort_unstable();
            view.dedup();
            if let (Some(lo), Some(hi)) = (view.first(), view.last()) {
                d.gaps += (hi - lo + 1) as u64 - view.len() as u64;
            }
        }
    }
    d
}

pub async fn run(addr: SocketAddr, rooms: &[Room], o: &ChatOpts) -> anyhow::Result<Value> {
    let rooms = &rooms[..o.rooms.min(rooms.len())];
    anyhow::ensure!(!rooms.is_empty(), "no chat rooms in the fixture");
    let tag: Arc<str> = format!("c{}", chrono::Utc::now().timestamp_micros()).into();
    let pad: Arc<str> = "lorem ipsum dolor sit amet consectetur ".repeat(o.content_len / 39 + 1)
        [..o.content_len.saturating_sub(20).max(1)]
        .trim()
        .to_string()
        .into();

    // Connect both members of every room and join.
    let who: Vec<(usize, i64, String, i64)> = rooms
        .iter()
        .enumerate()
        .flat_map(|(r, room)| {
            [
                (r, room.user.id, room.user.token.clone(), room.ticket),
                (r, room.agent.id, room.agent.token.clone(), room.ticket),
            ]
        })
        .collect();
    let connect_start = Instant::now();
    let joined: Vec<(usize, i64, i64, Joined)> = stream::iter(who)
        .map(|(r, uid, token, ticket)| async move {
            let j = connect_join(addr, &token, ticket, Events::Keep).await?;
            anyhow::Ok((r, uid, ticket, j))
        })
        .buffered(16)
        .try_collect()
        .await
        .context("connecting chat sockets")?;
    let connect_s = connect_start.elapsed().as_secs_f64();
    let join_retries = joined.iter().filter(|j| j.3.retried).count();
    let clients: Vec<(usize, i64, i64, SioClient)> = joined
        .into_iter()
        .map(|(r, uid, ticket, j)| (r, uid, ticket, j.client))
        .collect();
    // Let the join broadcasts settle before the clock starts.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let base = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut members = Vec::new();
    let mut receivers = JoinSet::new();
    for (idx, (_room, user_id, ticket, mut client)) in clients.into_iter().enumerate() {
        let (first, rx) = client.take_events();
        let m = Arc::new(Member {
            idx,
            user_id,
            ticket,
            client,
            log: Mutex::new(Log::default()),
        });
        receivers.spawn(receive(m.clone(), base, first, rx, stop_rx.clone()));
        members.push(m);
    }

    let start = base;
    let w0 = start + o.warmup;
    let end = w0 + o.duration;
    let monitor = Monitor::window(o.server_pid, w0, end);

    match o.rate {
        None => {
            let mut senders = JoinSet::new();
            for m in &members {
                senders.spawn(closed_sender(
                    m.clone(),
                    base,
                    end,
                    tag.clone(),
                    pad.clone(),
                ));
            }
            while senders.join_next().await.is_some() {}
        }
        Some(rate) => {
            rate_scheduler(
                members.clone(),
                base,
                start,
                end,
                rate,
                tag.clone(),
                pad.clone(),
            )
            .await
        }
    }
    let usage: Usage = monitor.await?;

    // Drain: wait until every acked message has been delivered (or 5 s).
    let drain_deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let d = check_rooms(&members);
        if d.missing == 0 || Instant::now() > drain_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
    while receivers.join_next().await.is_some() {}
    for m in &members {
        m.client.shutdown();
    }

    let d = check_rooms(&members);
    let (w0_us, w1_us) = (us_since(base, w0), us_since(base, end));
    let mut ack_lat = Samples::new();
    let mut del_lat = Samples::new();
    let mut errors = Errors::default();
    let (mut acked_in, mut delivered_in) = (0u64, 0u64);
    for m in &members {
        let mut log = m.log.lock().expect("log");
        for s in &log.acked {
            if (w0_us..w1_us).contains(&s.send_us) {
                ack_lat.record_us(s.ack_us.saturating_sub(s.send_us));
            }
            if (w0_us..w1_us).contains(&s.ack_us) {
                acked_in += 1;
            }
        }
        for g in &log.got {
            if let Some(s) = g.send_us
                && (w0_us..w1_us).contains(&s)
            {
                del_lat.record_us(g.recv_us.saturating_sub(s));
            }
            if (w0_us..w1_us).contains(&g.recv_us) {
                delivered_in += 1;
            }
        }
        errors.merge(std::mem::take(&mut log.errors));
    }
    let secs = o.duration.as_secs_f64();
    let rooms_n = rooms.len();
    let checks = vec![
        Check::new(
            "no errors",
            errors.count == 0,
            format!("{} errors {:?}", errors.count, errors.samples),
        ),
        Check::new(
            "messages were exchanged",
            d.acked > 0 && delivered_in > 0,
            format!(
                "{} acked, {} delivered in the window",
                d.acked, delivered_in
            ),
        ),
        Check::new(
            "every acked message delivered exactly once to the other member",
            d.missing == 0 && d.duplicates == 0 && d.unexpected == 0,
            format!(
                "{} acked, {} delivered, {} missing, {} duplicates, {} unexpected",
                d.acked, d.delivered, d.missing, d.duplicates, d.unexpected
            ),
        ),
        Check::new(
            "deliveries in seq order",
            d.reordered == 0,
            format!("{} out-of-order deliveries", d.reordered),
        ),
        Check::new(
            "no seq gap in any member's view (own acks ∪ deliveries)",
            d.gaps == 0,
            format!("{} missing seqs", d.gaps),
        ),
    ];
    Ok(json!({
        "scenario": "chat",
        "label": o.label,
        "mode": if o.rate.is_some() { "fixed-rate" } else { "closed-loop" },
        "rooms": rooms_n,
        "senders": members.len(),
        "target_rate": o.rate,
        "warmup_s": o.warmup.as_secs_f64(),
        "duration_s": secs,
        "content_bytes": pad.len() + 20,
        "connect_s": connect_s,
        "join_retries": join_retries,
        "acked_per_s": acked_in as f64 / secs,
        "delivered_per_s": delivered_in as f64 / secs,
        "acked_total": d.acked,
        "delivered_total": d.delivered,
        "latency": {
            "send_ack": ack_lat.summary(),
            "send_delivery": del_lat.summary(),
        },
        "errors": errors.count,
        "error_samples": errors.samples,
        "usage": usage,
        "checks": checks,
    }))
}
