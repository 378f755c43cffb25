//! `login-storm`: logins as fast as bcrypt allows while chat runs at a fixed rate. The storm
//! accounts are registered first, at whatever cost the server hashes with now (run it on a
//! server at the default cost 12, so their hashes are cost 12). Chat runs twice, without and
//! with the storm; the report compares the two send→delivery p99s.

use super::{Check, Errors};
use crate::api::Api;
use crate::fixture::{PASSWORD, Room};
use crate::scenarios::chat::{self, ChatOpts};
use crate::stats::Samples;
use anyhow::Context;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct StormOpts {
    pub storm_users: usize,
    /// Logins in flight (default: one per storm user).
    pub concurrency: usize,
    pub chat: ChatOpts,
}

pub async fn run(api: &Api, rooms: &[Room], o: &StormOpts) -> anyhow::Result<Value> {
    let tag = chrono::Utc::now().timestamp_millis();
    let t = Instant::now();
    let mut emails = Vec::new();
    for i in 0..o.storm_users.max(1) {
        let e = format!("s{tag}-storm-{i}@bench.myrelay.dev");
        api.register(&e, PASSWORD, &format!("Storm {i}"))
            .await
            .context("registering storm users")?;
        emails.push(e);
    }
    let register_s = t.elapsed().as_secs_f64() / emails.len() as f64;

    let mut calm_opts = o.chat.clone();
    calm_opts.label = format!("{} (no storm)", o.chat.label);
    let calm = chat::run(api.addr, rooms, &calm_opts).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let mut storm = JoinSet::new();
    let started = Instant::now();
    for w in 0..o.concurrency.max(1) {
        let (api, stop, email) = (api.clone(), stop.clone(), emails[w % emails.len()].clone());
        storm.spawn(async move {
            let mut lat = Samples::new();
            let mut errors = Errors::default();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match api.login(&email, PASSWORD).await {
                    Ok(_) => lat.record(t.elapsed()),
                    Err(e) => errors.add(e),
                }
            }
            (lat, errors)
        });
    }
    let mut stormy_opts = o.chat.clone();
    stormy_opts.label = format!("{} (login storm)", o.chat.label);
    let stormy = chat::run(api.addr, rooms, &stormy_opts).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat = Samples::new();
    let mut errors = Errors::default();
    while let Some(r) = storm.join_next().await {
        let (l, e) = r?;
        lat.merge(l);
        errors.merge(e);
    }
    let storm_s = started.elapsed().as_secs_f64();
    let stormy = stormy?;

    let p99 = |v: &Value| {
        v["latency"]["send_delivery"]["p99_ms"]
            .as_f64()
            .unwrap_or(0.0)
    };
    let ratio = if p99(&calm) > 0.0 {
        p99(&stormy) / p99(&calm)
    } else {
        0.0
    };
    let logins = lat.len();
    let mut checks: Vec<Check> = Vec::new();
    for (phase, r) in [("no storm", &calm), ("storm", &stormy)] {
        for c in r["checks"].as_array().into_iter().flatten() {
            let mut c: Check = serde_json::from_value(c.clone())?;
            c.name = format!("chat ({phase}): {}", c.name);
            checks.push(c);
        }
    }
    checks.push(Check::new(
        "logins succeeded during the storm",
        errors.count == 0 && logins > 0,
        format!(
            "{logins} logins, {} errors {:?}",
            errors.count, errors.samples
        ),
    ));
    Ok(json!({
        "scenario": "login-storm",
        "label": o.chat.label,
        "storm_users": emails.len(),
        "login_concurrency": o.concurrency.max(1),
        "register_s_each": register_s,
        "logins": logins,
        "logins_per_s": logins as f64 / storm_s,
        "latency": { "login": lat.summary() },
        "errors": errors.count + calm["errors"].as_u64().unwrap_or(0) + stormy["errors"].as_u64().unwrap_or(0),
        "error_samples": errors.samples,
        "chat_without_storm": calm,
        "chat_with_storm": stormy,
        "p99_ratio": ratio,
        "usage": stormy["usage"],
        "checks": checks,
    }))
}
