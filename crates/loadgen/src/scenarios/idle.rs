//! `idle`: many authenticated sockets, each joined to a ticket room (several sockets per user,
//! as with many tabs and devices). Server memory per socket is (RSS after − RSS before) / N;
//! also the connect rate (connect + auth + join, with `concurrency` in flight) and the
//! server's CPU while the sockets sit idle (engine.io pings).

use super::{Check, Errors, Joined, connect_join};
use crate::api::Api;
use crate::fixture::Owner;
use crate::procmon::{self, Monitor};
use crate::sio::{self, Events, SioClient};
use crate::stats::Samples;
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct IdleOpts {
    pub sockets: usize,
    pub concurrency: usize,
    /// How long to hold the sockets open while measuring idle CPU.
    pub hold: Duration,
    pub server_pid: Option<u32>,
    /// Connect only, without joining a ticket room (to separate the cost of the join).
    pub no_join: bool,
}

/// The generator's open-file limit (each socket is a file descriptor).
fn nofile_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

pub async fn run(api: &Api, owners: &[Owner], admin: &str, o: &IdleOpts) -> anyhow::Result<Value> {
    anyhow::ensure!(!owners.is_empty(), "no idle users in the fixture");
    if let Some(lim) = nofile_limit() {
        anyhow::ensure!(
            (o.sockets as u64) + 100 < lim,
            "{} sockets need more file descriptors than `ulimit -n` allows ({lim})",
            o.sockets
        );
    }
    let pid = o.server_pid;
    let rss = || pid.and_then(procmon::rss_kib);
    // Let the allocator settle after the previous scenario.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = rss();

    let connect_mon = Monitor::start(pid);
    let t = Instant::now();
    let addr = api.addr;
    let no_join = o.no_join;
    let results: Vec<anyhow::Result<Joined>> = stream::iter(0..o.sockets)
        .map(|i| {
            let owner = &owners[i % owners.len()];
            async move {
                if no_join {
                    let t = Instant::now();
                    let opts = sio::Options {
                        token: Some(&owner.user.token),
                        events: Events::Drop,
                        ..Default::default()
                    };
                    let client = SioClient::connect_opts(addr, opts)
                        .await
                        .map_err(|e| anyhow::anyhow!("connect: {e}"))?;
                    Ok(Joined {
                        client,
                        took: t.elapsed(),
                        retried: false,
                    })
                } else {
                    connect_join(addr, &owner.user.token, owner.ticket, Events::Drop).await
                }
            }
        })
        .buffer_unordered(o.concurrency.max(1))
        .collect()
        .await;
    let connect_s = t.elapsed().as_secs_f64();
    let connect_usage = connect_mon.finish();
    let mut lat = Samples::new();
    let mut errors = Errors::default();
    let mut clients = Vec::with_capacity(o.sockets);
    let mut join_retries = 0;
    for r in results {
        match r {
            Ok(j) => {
                lat.record(j.took);
                join_retries += usize::from(j.retried);
                clients.push(j.client);
            }
            Err(e) => errors.add(e),
        }
    }
    let connected = clients.len();

    // Memory once the join broadcasts have drained.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss();
    let hold_mon = Monitor::start(pid);
    tokio::time::sleep(o.hold).await;
    let hold_usage = hold_mon.finish();
    let stats = api.admin_stats(admin).await?;
    let live = stats["connected_clients"].as_u64().unwrap_or(0);
    let rooms = stats["active_ticket_rooms"].as_u64().unwrap_or(0);
    let dropped: u64 = clients.iter().map(SioClient::dropped_events).sum();

    for c in &clients {
        c.shutdown();
    }
    drop(clients);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_closed = rss();

    let per_socket_kib = match (rss_before, rss_after) {
        (Some(b), Some(a)) if connected > 0 => Some((a as f64 - b as f64) / connected as f64),
        _ => None,
    };
    let users = owners.len().min(o.sockets);
    let checks = vec![
        Check::new(
            "every socket connected and joined",
            errors.count == 0 && connected == o.sockets,
            format!(
                "{connected}/{} connected, errors {:?}",
                o.sockets, errors.samples
            ),
        ),
        Check::new(
            "admin stats count the sockets and rooms",
            live >= connected as u64 && (o.no_join || rooms >= users as u64),
            format!("connected_clients {live}, active_ticket_rooms {rooms}"),
        ),
    ];
    Ok(json!({
        "scenario": "idle",
        "label": format!(
            "{} sockets over {} users{}",
            o.sockets,
            users,
            if o.no_join { ", not joined" } else { "" }
        ),
        "joined": !o.no_join,
        "join_retries": join_retries,
        "sockets": o.sockets,
        "users": users,
        "concurrency": o.concurrency,
        "connected": connected,
        "connect_s": connect_s,
        "connects_per_s": connected as f64 / connect_s,
        "latency": { "connect_join": lat.summary() },
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "rss_after_close_kib": rss_closed,
        "kib_per_socket": per_socket_kib,
        "join_broadcasts_received": dropped,
        "stats": { "connected_clients": live, "active_ticket_rooms": rooms },
        "errors": errors.count,
        "error_samples": errors.samples,
        "usage": connect_usage,
        "idle_usage": hold_usage,
        "hold_s": o.hold.as_secs_f64(),
        "checks": checks,
    }))
}
