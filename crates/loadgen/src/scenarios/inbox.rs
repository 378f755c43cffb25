//! `inbox`: an agent reading on a seeded dataset, `concurrency` requests in flight:
//! the default `GET /tickets` first page, deep pages (cursors collected by walking the whole
//! view first), a ticket's detail, its newest messages, and the admin dashboard counts.

use super::{Check, Errors};
use crate::api::Api;
use crate::procmon::Monitor;
use crate::stats::Samples;
use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct InboxOpts {
    pub agent_email: String,
    pub admin_email: Option<String>,
    pub password: String,
    pub concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    /// Stop walking the view after this many pages.
    pub max_walk_pages: usize,
    pub server_pid: Option<u32>,
    pub label: String,
    /// The dataset, for the report (`tickets`, `messages`, …).
    pub data: Value,
}

struct Walk {
    cursors: Vec<String>,
    ids: Vec<i64>,
    /// Items carrying `unread_count` and `last_message` (SPEC §10), and their unread total.
    with_view: usize,
    unread: i64,
    pages: usize,
    seconds: f64,
}

async fn walk(api: &Api, token: &str, max_pages: usize) -> anyhow::Result<Walk> {
    let t = Instant::now();
    let mut cursors = Vec::new();
    let mut ids = Vec::new();
    let (mut with_view, mut unread) = (0, 0);
    let mut path = "/tickets".to_string();
    let mut pages = 0;
    while pages < max_pages {
        let (s, v) = api.call(Method::GET, &path, Some(token), None).await?;
        anyhow::ensure!(s == 200, "GET {path}: {s} {v}");
        pages += 1;
        for t in v["items"].as_array().into_iter().flatten() {
            ids.extend(t["id"].as_i64());
            if let (Some(u), Some(_)) = (t["unread_count"].as_i64(), t.get("last_message")) {
                with_view += 1;
                unread += u;
            }
        }
        match v["next_cursor"].as_str() {
            Some(c) => {
                cursors.push(c.to_string());
                path = format!("/tickets?cursor={c}");
            }
            None => break,
        }
    }
    Ok(Walk {
        cursors,
        ids,
        with_view,
        unread,
        pages,
        seconds: t.elapsed().as_secs_f64(),
    })
}

pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// Hammer one kind of request: `paths` picked at random, `concurrency` workers.
pub(crate) async fn op(
    api: &Api,
    token: &str,
    name: &str,
    paths: Arc<Vec<String>>,
    o: &InboxOpts,
) -> anyhow::Result<(Value, Vec<Check>)> {
    anyhow::ensure!(!paths.is_empty(), "{name}: nothing to request");
    let start = Instant::now();
    let w0 = start + o.warmup;
    let end = w0 + o.duration;
    let monitor = Monitor::window(o.server_pid, w0, end);
    let mut workers = JoinSet::new();
    for w in 0..o.concurrency.max(1) {
        let (api, token, paths) = (api.clone(), token.to_string(), paths.clone());
        workers.spawn(async move {
            let mut rng = Rng(w as u64 * 7919 + 1);
            let mut lat = Samples::new();
            let mut errors = Errors::default();
            let mut bytes = 0usize;
            loop {
                let path = &paths[rng.below(paths.len())];
                let t = Instant::now();
                if t >= end {
                    break;
                }
                let r = api.get_status(path, &token).await;
                let done = Instant::now();
                let counted = t >= w0 && done <= end;
                match r {
                    Ok((200, n)) => {
                        if counted {
                            lat.record(done - t);
                            bytes += n;
                        }
                    }
                    Ok((s, _)) => errors.add(format!("GET {path}: {s}")),
                    Err(e) => errors.add(format!("GET {path}: {e}")),
                }
            }
            (lat, errors, bytes)
        });
    }
    let mut lat = Samples::new();
    let mut errors = Errors::default();
    let mut bytes = 0;
    while let Some(r) = workers.join_next().await {
        let (l, e, b) = r?;
        lat.merge(l);
        errors.merge(e);
        bytes += b;
    }
    let usage = monitor.await?;
    let secs = o.duration.as_secs_f64();
    let n = lat.len();
    let check = Check::new(
        &format!("{name}: no errors"),
        errors.count == 0 && n > 0,
        format!("{n} ok, {} errors {:?}", errors.count, errors.samples),
    );
    Ok((
        json!({
            "name": name,
            "requests": n,
            "per_s": n as f64 / secs,
            "avg_bytes": bytes.checked_div(n).unwrap_or(0),
            "latency": lat.summary(),
            "errors": errors.count,
            "error_samples": errors.samples,
            "usage": usage,
        }),
        vec![check],
    ))
}

pub async fn run(api: &Api, o: &InboxOpts) -> anyhow::Result<Value> {
    let agent = api
        .login(&o.agent_email, &o.password)
        .await
        .context("agent login")?;
    let w = walk(api, &agent.token, o.max_walk_pages).await?;
    let mut checks = vec![Check::new(
        "the agent's view has pages to walk",
        w.pages > 1 && !w.ids.is_empty(),
        format!("{} pages, {} tickets", w.pages, w.ids.len()),
    )];
    checks.push(Check::new(
        "every listed ticket carries unread_count and last_message",
        w.with_view == w.ids.len(),
        format!(
            "{} of {} (unread messages over the view: {})",
            w.with_view,
            w.ids.len(),
            w.unread
        ),
    ));
    // Deep pages: the second half of the walk.
    let deep: Vec<String> = w.cursors[w.cursors.len() / 2..]
        .iter()
        .map(|c| format!("/tickets?cursor={c}"))
        .collect();
    let detail: Vec<String> = w.ids.iter().map(|id| format!("/tickets/{id}")).collect();
    let history: Vec<String> = w
        .ids
        .iter()
        .map(|id| format!("/tickets/{id}/messages"))
        .collect();
    let mut ops = Vec::new();
    for (name, paths) in [
        ("first page", vec!["/tickets".to_string()]),
        ("deep page", deep),
        ("ticket detail", detail),
        ("messages", history),
    ] {
        let (v, c) = op(api, &agent.token, name, Arc::new(paths), o).await?;
        ops.push(v);
        checks.extend(c);
    }
    if let Some(admin_email) = &o.admin_email {
        let admin = api
            .login(admin_email, &o.password)
            .await
            .context("admin login")?;
        let (v, c) = op(
            api,
            &admin.token,
            "admin stats",
            Arc::new(vec!["/admin/stats".to_string()]),
            o,
        )
        .await?;
        ops.push(v);
        checks.extend(c);
    }
    Ok(json!({
        "scenario": "inbox",
        "label": o.label,
        "data": o.data,
        "concurrency": o.concurrency,
        "duration_s": o.duration.as_secs_f64(),
        "walk": {
            "pages": w.pages,
            "tickets": w.ids.len(),
            "seconds": w.seconds,
            "deep_cursors": w.cursors.len() - w.cursors.len() / 2,
            "unread_messages": w.unread,
        },
        "ops": ops,
        "errors": ops.iter().map(|o| o["errors"].as_u64().unwrap_or(0)).sum::<u64>(),
        "checks": checks,
    }))
}
