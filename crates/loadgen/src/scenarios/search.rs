//! `search`: an agent searching what was said (SPEC §10: `q` matches message content) on a
//! seeded dataset with planted words (`seed --plant WORD:EVERY`; the words are in messages
//! only, never in subjects or descriptions). For each word: a walk of every result page
//! (checks: results, only tickets the agent may see, each matched in a message with the word
//! highlighted, exactly as many tickets as the seeder planted in the agent's view), then the
//! first page and (when there are several) deep pages under load, like the inbox scenario.

use super::Check;
use super::inbox::{InboxOpts, op};
use crate::api::Api;
use crate::seed::Planted;
use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

struct Walk {
    cursors: Vec<String>,
    tickets: usize,
    pages: usize,
    complete: bool,
    invisible: Vec<i64>,
    unmatched: Vec<i64>,
    seconds: f64,
}

/// May agent `me` see ticket `t` (JSON)? The open pool, theirs, or filed by them.
fn visible(t: &Value, me: i64) -> bool {
    let pool = t["status"] == "open" && t["assigned_agent"].is_null();
    pool || t["assigned_agent"]["id"].as_i64() == Some(me) || t["created_by"]["id"] == me
}

/// Did the search match in a message, with `word` highlighted?
fn matched_message(t: &Value, word: &str) -> bool {
    let m = &t["search_match"];
    m["field"] == "message"
        && m["seq"].as_i64().is_some()
        && m["excerpt"].as_array().into_iter().flatten().any(|p| {
            p["hit"] == true
                && p["text"]
                    .as_str()
                    .is_some_and(|s| s.to_lowercase().contains(word))
        })
}

async fn walk(
    api: &Api,
    token: &str,
    me: i64,
    word: &str,
    max_pages: usize,
) -> anyhow::Result<Walk> {
    let t = Instant::now();
    let mut w = Walk {
        cursors: Vec::new(),
        tickets: 0,
        pages: 0,
        complete: false,
        invisible: Vec::new(),
        unmatched: Vec::new(),
        seconds: 0.0,
    };
    let mut path = format!("/tickets?q={word}");
    while w.pages < max_pages {
        let (s, v) = api.call(Method::GET, &path, Some(token), None).await?;
        anyhow::ensure!(s == 200, "GET {path}: {s} {v}");
        w.pages += 1;
        for t in v["items"].as_array().into_iter().flatten() {
            w.tickets += 1;
            let id = t["id"].as_i64().unwrap_or(0);
            if !visible(t, me) {
                w.invisible.push(id);
            }
            if !matched_message(t, word) {
                w.unmatched.push(id);
            }
        }
        match v["next_cursor"].as_str() {
            Some(c) => {
                w.cursors.push(c.to_string());
                path = format!("/tickets?q={word}&cursor={c}");
            }
            None => {
                w.complete = true;
                break;
            }
        }
    }
    w.seconds = t.elapsed().as_secs_f64();
    Ok(w)
}

pub async fn run(api: &Api, o: &InboxOpts, words: &[Planted]) -> anyhow::Result<Value> {
    let agent = api
        .login(&o.agent_email, &o.password)
        .await
        .context("agent login")?;
    let mut checks = Vec::new();
    let mut ops = Vec::new();
    let mut walks = Vec::new();
    checks.push(Check::new(
        "the dataset has planted words",
        words.iter().any(|p| p.messages > 0),
        format!("{words:?}"),
    ));
    for p in words.iter().filter(|p| p.messages > 0) {
        let word = p.word.as_str();
        let w = walk(api, &agent.token, agent.id, word, o.max_walk_pages).await?;
        let tag = format!("\"{word}\" (1 message in {})", p.every);
        checks.push(Check::new(
            &format!("search {tag}: results"),
            w.tickets > 0 || p.tickets_visible_to_agent == 0,
            format!("{} tickets on {} pages", w.tickets, w.pages),
        ));
        checks.push(Check::new(
            &format!("search {tag}: only tickets the agent may see"),
            w.invisible.is_empty(),
            format!(
                "not visible: {:?}",
                &w.invisible[..w.invisible.len().min(10)]
            ),
        ));
        checks.push(Check::new(
            &format!("search {tag}: each hit is a message with the word highlighted"),
            w.unmatched.is_empty(),
            format!(
                "other matches: {:?}",
                &w.unmatched[..w.unmatched.len().min(10)]
            ),
        ));
        if w.complete {
            checks.push(Check::new(
                &format!("search {tag}: every planted ticket in the agent's view is found"),
                w.tickets as u64 == p.tickets_visible_to_agent,
                format!(
                    "found {}, planted {} ({} messages on {} tickets in all)",
                    w.tickets, p.tickets_visible_to_agent, p.messages, p.tickets
                ),
            ));
        }
        walks.push(json!({
            "word": word,
            "every": p.every,
            "planted_messages": p.messages,
            "planted_tickets": p.tickets,
            "visible_tickets": p.tickets_visible_to_agent,
            "found_tickets": w.tickets,
            "pages": w.pages,
            "complete": w.complete,
            "seconds": w.seconds,
        }));
        let mut kinds = vec![(
            format!("search \"{word}\", first page"),
            vec![format!("/tickets?q={word}")],
        )];
        if w.cursors.len() >= 2 {
            kinds.push((
                format!("search \"{word}\", deep page"),
                w.cursors[w.cursors.len() / 2..]
                    .iter()
                    .map(|c| format!("/tickets?q={word}&cursor={c}"))
                    .collect(),
            ));
        }
        for (name, paths) in kinds {
            let (mut v, c) = op(api, &agent.token, &name, Arc::new(paths), o).await?;
            v["word"] = json!(word);
            v["every"] = json!(p.every);
            v["planted_messages"] = json!(p.messages);
            v["matching_tickets"] = json!(w.tickets);
            ops.push(v);
            checks.extend(c);
        }
    }
    Ok(json!({
        "scenario": "search",
        "label": o.label,
        "data": o.data,
        "concurrency": o.concurrency,
        "duration_s": o.duration.as_secs_f64(),
        "walks": walks,
        "ops": ops,
        "errors": ops.iter().map(|o| o["errors"].as_u64().unwrap_or(0)).sum::<u64>(),
        "checks": checks,
    }))
}
