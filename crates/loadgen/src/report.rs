//! Turn scenario results (JSON files) into `docs/BENCHMARKS.md` and `docs/benchmarks.json`,
//! judge the targets, and count the correctness checks (the smoke run's verdict).

use crate::procmon::{self, Machine};
use anyhow::Context;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct ReportOpts {
    /// The command that produced the results (quoted in the report).
    pub command: String,
    /// `select version()` and the settings that matter, from the script.
    pub postgres: String,
    /// Markdown appended as the analysis section (profiling notes).
    pub notes: Option<String>,
    /// Markdown with the EXPLAIN output.
    pub explain: Option<String>,
    /// Extra lines for "How it was run".
    pub setup: Vec<String>,
}

/// Everything in a results directory.
pub struct Results {
    pub scenarios: Vec<Value>,
    pub seeds: Vec<Value>,
}

pub fn load(dir: &Path) -> anyhow::Result<Results> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut scenarios = Vec::new();
    let mut seeds = Vec::new();
    for f in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&f)?)
            .with_context(|| format!("parsing {}", f.display()))?;
        if v.get("scenario").is_some() {
            scenarios.push(v);
        } else if v.get("copy_messages_s").is_some() {
            seeds.push(v);
        }
    }
    Ok(Results { scenarios, seeds })
}

/// (passed, failed, failure lines) over every check of every scenario.
pub fn count_checks(r: &Results) -> (usize, usize, Vec<String>) {
    let (mut p, mut f, mut lines) = (0, 0, Vec::new());
    for s in &r.scenarios {
        for c in s["checks"].as_array().into_iter().flatten() {
            if c["passed"] == true {
                p += 1;
            } else {
                f += 1;
                lines.push(format!(
                    "FAILED {} [{}]: {} — {}",
                    s["scenario"].as_str().unwrap_or("?"),
                    s["label"].as_str().unwrap_or(""),
                    c["name"].as_str().unwrap_or("?"),
                    c["detail"].as_str().unwrap_or("")
                ));
            }
        }
    }
    (p, f, lines)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn n0(x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    let s = format!("{:.0}", x);
    // thousands separators
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn ms(v: &Value) -> String {
    let x = f(v);
    if x.is_nan() {
        "–".into()
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn pct(v: &Value) -> String {
    let x = f(v);
    if x.is_nan() {
        "–".into()
    } else {
        format!("{x:.0} %")
    }
}

fn mib(v: &Value) -> String {
    v.as_f64()
        .map(|k| format!("{:.1} MiB", k / 1024.0))
        .unwrap_or_else(|| "–".into())
}

fn lat_cells(l: &Value) -> String {
    format!(
        "{} | {} | {} | {}",
        ms(&l["p50_ms"]),
        ms(&l["p90_ms"]),
        ms(&l["p99_ms"]),
        ms(&l["max_ms"])
    )
}

/// Who used the CPU during a window, and whether the machine was saturated.
fn cpu_story(u: &Value, cores: usize) -> String {
    let busy = f(&u["machine_busy_pct"]);
    let cap = cores as f64 * 100.0;
    let mut s = format!(
        "server {}, PostgreSQL {}, generator {}, other {} (machine {} of {})",
        pct(&u["server_cpu_pct"]),
        pct(&u["postgres_cpu_pct"]),
        pct(&u["generator_cpu_pct"]),
        pct(&u["other_cpu_pct"]),
        pct(&u["machine_busy_pct"]),
        format_args!("{cap:.0} %"),
    );
    if busy >= 0.9 * cap {
        s.push_str(" — CPU-bound");
    }
    s
}

fn by_scenario<'a>(r: &'a Results, name: &str) -> Vec<&'a Value> {
    r.scenarios
        .iter()
        .filter(|s| s["scenario"] == name)
        .collect()
}

struct Target {
    name: String,
    target: String,
    measured: String,
    met: Option<bool>,
    miss: String,
}

/// `measured` should be ≥ `goal`.
fn at_least(name: &str, goal: f64, measured: f64, unit: &str) -> Target {
    let met = measured >= goal;
    Target {
        name: name.into(),
        target: format!("≥ {} {unit}", n0(goal)),
        measured: format!("{} {unit}", n0(measured)),
        met: (!measured.is_nan()).then_some(met),
        miss: if met || measured.is_nan() {
            String::new()
        } else {
            format!(
                "{:.0} % short ({:.2}× needed)",
                (1.0 - measured / goal) * 100.0,
                goal / measured
            )
        },
    }
}

/// `measured` should be below `goal`.
fn at_most(name: &str, goal: f64, measured: f64, unit: &str, strict: bool) -> Target {
    let met = if strict {
        measured < goal
    } else {
        measured <= goal
    };
    let fmt = |x: f64| {
        if x < 10.0 {
            format!("{x:.2}")
        } else {
            format!("{x:.1}")
        }
    };
    Target {
        name: name.into(),
        target: format!("{} {} {unit}", if strict { "<" } else { "≤" }, fmt(goal)),
        measured: format!("{} {unit}", fmt(measured)),
        met: (!measured.is_nan()).then_some(met),
        miss: if met || measured.is_nan() {
            String::new()
        } else {
            format!("{:.2}× the target", measured / goal)
        },
    }
}

fn inbox_op<'a>(s: &'a Value, name: &str) -> Option<&'a Value> {
    s["ops"].as_array()?.iter().find(|o| o["name"] == name)
}

/// The requests compared for flatness in messages.
const FLAT_OPS: [&str; 4] = ["first page", "deep page", "ticket detail", "messages"];

/// Two inbox runs on as many tickets, with the fewest and the most messages (issue 13: pages
/// stay flat from 10k to 1M messages).
fn message_pair(r: &Results) -> Option<(&Value, &Value)> {
    let inbox = by_scenario(r, "inbox");
    let key = |s: &Value| {
        (
            s["data"]["tickets"].as_i64().unwrap_or(0),
            s["data"]["messages"].as_i64().unwrap_or(0),
        )
    };
    let mut best: Option<(&Value, &Value)> = None;
    for a in &inbox {
        for b in &inbox {
            let (ka, kb) = (key(a), key(b));
            if ka.0 == kb.0 && ka.1 < kb.1 {
                let better =
                    best.is_none_or(|(x, y)| (kb.1 - ka.1, ka.0) > (key(y).1 - key(x).1, key(x).0));
                if better {
                    best = Some((a, b));
                }
            }
        }
    }
    best
}

fn targets(r: &Results) -> Vec<Target> {
    let mut t = Vec::new();
    if let Some(c) = by_scenario(r, "chat")
        .into_iter()
        .find(|c| c["mode"] == "closed-loop")
    {
        let rooms = c["rooms"].as_u64().unwrap_or(0);
        t.push(at_least(
            &format!("chat, closed loop, {rooms} rooms: delivered messages/s"),
            6000.0,
            f(&c["delivered_per_s"]),
            "msg/s",
        ));
        t.push(at_most(
            &format!("chat, closed loop, {rooms} rooms: send→delivery p99"),
            25.0,
            f(&c["latency"]["send_delivery"]["p99_ms"]),
            "ms",
            true,
        ));
    }
    if let Some(i) = by_scenario(r, "idle").into_iter().next() {
        t.push(at_most(
            &format!(
                "idle: server memory per joined socket at {} sockets",
                n0(f(&i["sockets"]))
            ),
            10.0,
            f(&i["kib_per_socket"]),
            "KiB",
            false,
        ));
    }
    let inbox = by_scenario(r, "inbox");
    // The largest dataset near 100k tickets (most messages when several).
    if let Some(big) = inbox.iter().min_by_key(|s| {
        (
            (s["data"]["tickets"].as_i64().unwrap_or(0) - 100_000).unsigned_abs(),
            -s["data"]["messages"].as_i64().unwrap_or(0),
        )
    }) {
        let size = n0(f(&big["data"]["tickets"]));
        for op in ["first page", "deep page"] {
            if let Some(o) = inbox_op(big, op) {
                t.push(at_least(
                    &format!(
                        "inbox {op} at {size} tickets, concurrency {}",
                        big["concurrency"]
                    ),
                    5000.0,
                    f(&o["per_s"]),
                    "pages/s",
                ));
                t.push(at_most(
                    &format!("inbox {op} at {size} tickets: p99"),
                    10.0,
                    f(&o["latency"]["p99_ms"]),
                    "ms",
                    true,
                ));
            }
        }
    }
    // Flat in tickets: the smallest dataset against the largest with as many messages per
    // ticket.
    let tickets = |s: &Value| s["data"]["tickets"].as_f64().unwrap_or(0.0);
    let messages = |s: &Value| s["data"]["messages"].as_f64().unwrap_or(0.0);
    if let Some(small) = inbox
        .iter()
        .min_by(|a, b| tickets(a).total_cmp(&tickets(b)))
    {
        let per = messages(small) / tickets(small).max(1.0);
        let large = inbox
            .iter()
            .filter(|s| tickets(s) > tickets(small))
            .min_by(|a, b| {
                let d = |s: &Value| (messages(s) / tickets(s).max(1.0) - per).abs();
                (-tickets(a), d(a))
                    .partial_cmp(&(-tickets(b), d(b)))
                    .expect("finite")
            });
        if let Some(large) = large {
            for op in ["first page", "deep page", "ticket detail", "messages"] {
                if let (Some(a), Some(b)) = (inbox_op(small, op), inbox_op(large, op)) {
                    let ratio = f(&b["latency"]["p50_ms"]) / f(&a["latency"]["p50_ms"]);
                    t.push(at_most(
                        &format!(
                            "inbox {op} flat: p50 at {} ÷ p50 at {} tickets",
                            n0(tickets(large)),
                            n0(tickets(small))
                        ),
                        1.5,
                        ratio,
                        "×",
                        false,
                    ));
                }
            }
        }
    }
    // Flat in messages (issue 13): the same tickets, the fewest against the most messages.
    if let Some((few, many)) = message_pair(r) {
        for op in FLAT_OPS {
            if let (Some(a), Some(b)) = (inbox_op(few, op), inbox_op(many, op)) {
                let ratio = f(&b["latency"]["p50_ms"]) / f(&a["latency"]["p50_ms"]);
                t.push(at_most(
                    &format!(
                        "inbox {op} flat in messages: p50 at {} ÷ p50 at {} messages ({} tickets)",
                        n0(messages(many)),
                        n0(messages(few)),
                        n0(tickets(many))
                    ),
                    1.5,
                    ratio,
                    "×",
                    false,
                ));
            }
        }
    }
    // Message search (issue 13): held to the inbox list-page targets.
    for s in by_scenario(r, "search") {
        for o in s["ops"].as_array().into_iter().flatten() {
            let name = o["name"].as_str().unwrap_or("");
            let at = format!(
                "{name} at {} messages ({} matching tickets)",
                n0(messages(s)),
                n0(f(&o["matching_tickets"]))
            );
            t.push(at_least(
                &format!("{at}, concurrency {}", s["concurrency"]),
                5000.0,
                f(&o["per_s"]),
                "pages/s",
            ));
            t.push(at_most(
                &format!("{at}: p99"),
                10.0,
                f(&o["latency"]["p99_ms"]),
                "ms",
                true,
            ));
        }
    }
    if let Some(s) = by_scenario(r, "login-storm").into_iter().next() {
        t.push(at_most(
            "login storm: chat send→delivery p99 with storm ÷ without",
            2.0,
            f(&s["p99_ratio"]),
            "×",
            false,
        ));
    }
    t
}

pub fn markdown(r: &Results, o: &ReportOpts, m: &Machine, date: &str) -> String {
    format!("# MyRelay benchmarks\n\n{}", document(r, o, m, date))
}

/// Markers around a section written by a partial run (`report --section NAME`).
fn markers(name: &str) -> (String, String) {
    (
        format!(
            "<!-- bench section {name}: written by scripts/bench.sh --only; replaced on the next such run -->"
        ),
        format!("<!-- end of bench section {name} -->"),
    )
}

/// Every Markdown heading one level deeper (outside code blocks).
fn demote(md: &str) -> String {
    let mut out = String::with_capacity(md.len() + 256);
    let mut code = false;
    for line in md.lines() {
        if line.starts_with("```") {
            code = !code;
        }
        if !code && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `existing` (the whole report) with section `name` replaced by, or else appended as,
/// `title` over the results of a partial run.
pub fn splice_section(
    existing: &str,
    name: &str,
    title: &str,
    r: &Results,
    o: &ReportOpts,
    m: &Machine,
    date: &str,
) -> String {
    let (begin, end) = markers(name);
    let section = format!(
        "{begin}\n\n## {title}\n\n{}\n{end}\n",
        demote(&document(r, o, m, date)).trim_end()
    );
    match (existing.find(&begin), existing.find(&end)) {
        (Some(a), Some(b)) if b > a => format!(
            "{}{section}{}",
            &existing[..a],
            &existing[b + end.len()..].trim_start_matches('\n')
        ),
        _ => format!("{}\n\n{section}", existing.trim_end()),
    }
}

/// The report after its title: machine, how it was run, targets, every scenario's tables,
/// checks, notes.
fn document(r: &Results, o: &ReportOpts, m: &Machine, date: &str) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(
        w,
        "Measured {date} by `{}` (`scripts/bench.sh`, load generator `crates/loadgen`). \
         Every figure below comes from that run; `docs/benchmarks.json` holds the raw results.\n",
        o.command
    );
    let _ = writeln!(w, "## Machine\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| CPU | {} |", m.cpu_model);
    let _ = writeln!(w, "| cores | {} |", m.cores);
    let _ = writeln!(w, "| memory | {:.1} GiB |", m.memory_gib);
    let _ = writeln!(w, "| kernel | Linux {} |", m.kernel);
    if !o.postgres.is_empty() {
        let _ = writeln!(w, "| database | {} |", o.postgres);
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "## How it was run\n");
    let _ = writeln!(w, "```sh\n{}\n```\n", o.command);
    for l in &o.setup {
        let _ = writeln!(w, "- {l}");
    }
    let _ = writeln!(
        w,
        "- CPU figures are percent of one core over the measured window (so {} % is the whole \
         machine), from `/proc/<pid>/stat` (utime+stime) of the server, the generator and every \
         `postgres` process; \"other\" is the rest of the machine's busy time (other work on a \
         shared machine, kernel). Peak RSS is the server's VmHWM, reset through \
         `/proc/<pid>/clear_refs` before each scenario.",
        m.cores * 100
    );
    let _ = writeln!(
        w,
        "- Latency percentiles are exact (every sample kept), in milliseconds. Fixed-rate runs \
         measure from the scheduled send time, so queueing in the generator is not hidden.\n"
    );

    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(
        w,
        "| target | goal | measured | met | miss |\n|---|---|---|---|---|"
    );
    for t in targets(r) {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "–",
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {met} | {} |",
            t.name, t.target, t.measured, t.miss
        );
    }
    let _ = writeln!(w);

    let chat = by_scenario(r, "chat");
    if !chat.is_empty() {
        let _ = writeln!(w, "## Chat\n");
        let _ = writeln!(
            w,
            "Each room: a customer and the agent assigned to the ticket, both sending \
             `ticket:message:send` (~100-byte messages) and receiving the other's \
             `ticket:message:new`. Closed loop: each sender waits for its ack before the next \
             message. Fixed rate: open loop at the given total rate.\n"
        );
        let _ = writeln!(
            w,
            "| run | rooms | delivered msg/s | ack p50 | p90 | p99 | max | delivery p50 | p90 | p99 | max | errors | server CPU | PostgreSQL CPU | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        let mut rows: Vec<&Value> = chat.clone();
        for s in by_scenario(r, "login-storm") {
            rows.push(&s["chat_without_storm"]);
            rows.push(&s["chat_with_storm"]);
        }
        for c in rows {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                c["label"].as_str().unwrap_or(""),
                c["rooms"],
                n0(f(&c["delivered_per_s"])),
                lat_cells(&c["latency"]["send_ack"]),
                lat_cells(&c["latency"]["send_delivery"]),
                c["errors"],
                format_args!(
                    "{} | {}",
                    pct(&c["usage"]["server_cpu_pct"]),
                    pct(&c["usage"]["postgres_cpu_pct"])
                ),
                mib(&c["usage"]["server_peak_rss_kib"]),
            );
        }
        let _ = writeln!(w);
        for c in &chat {
            let _ = writeln!(
                w,
                "- {}: {} acked, {} delivered; first joins re-sent: {}; CPU: {}.",
                c["label"].as_str().unwrap_or(""),
                n0(f(&c["acked_total"])),
                n0(f(&c["delivered_total"])),
                n0(f(&c["join_retries"])),
                cpu_story(&c["usage"], m.cores)
            );
        }
        let _ = writeln!(w);
    }

    for s in by_scenario(r, "login-storm") {
        let _ = writeln!(w, "## Login storm\n");
        let _ = writeln!(
            w,
            "{} accounts registered on the server at its default bcrypt cost (12): {:.0} ms per \
             registration. Then chat at a fixed rate without and with {} concurrent login \
             loops.\n",
            s["storm_users"],
            f(&s["register_s_each"]) * 1000.0,
            s["login_concurrency"]
        );
        let _ = writeln!(
            w,
            "| | chat delivery p50 | p99 | max | delivered msg/s | logins/s | login p50 | login p99 | server CPU |\n|---|---|---|---|---|---|---|---|---|"
        );
        for (name, c, storm) in [
            ("without storm", &s["chat_without_storm"], false),
            ("with storm", &s["chat_with_storm"], true),
        ] {
            let l = &c["latency"]["send_delivery"];
            let _ = writeln!(
                w,
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ms(&l["p50_ms"]),
                ms(&l["p99_ms"]),
                ms(&l["max_ms"]),
                n0(f(&c["delivered_per_s"])),
                if storm {
                    format!("{:.1}", f(&s["logins_per_s"]))
                } else {
                    "–".into()
                },
                if storm {
                    ms(&s["latency"]["login"]["p50_ms"])
                } else {
                    "–".into()
                },
                if storm {
                    ms(&s["latency"]["login"]["p99_ms"])
                } else {
                    "–".into()
                },
                pct(&c["usage"]["server_cpu_pct"]),
            );
        }
        let _ = writeln!(
            w,
            "\np99 ratio (storm ÷ calm): **{:.2}×**. CPU during the storm: {}.\n",
            f(&s["p99_ratio"]),
            cpu_story(&s["chat_with_storm"]["usage"], m.cores)
        );
    }

    for s in by_scenario(r, "fanout") {
        let _ = writeln!(w, "## Fan-out\n");
        let _ = writeln!(
            w,
            "One sender, {} admins watching the same ticket room; the next message leaves when \
             every watcher has the previous one.\n",
            s["watchers"]
        );
        let _ = writeln!(
            w,
            "| watchers | messages/s | deliveries/s | last member p50 | p90 | p99 | max | any member p50 | p99 | errors | server CPU | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s["watchers"],
            n0(f(&s["messages_per_s"])),
            n0(f(&s["deliveries_per_s"])),
            lat_cells(&s["latency"]["send_delivery_last"]),
            ms(&s["latency"]["send_delivery_all"]["p50_ms"]),
            ms(&s["latency"]["send_delivery_all"]["p99_ms"]),
            s["errors"],
            pct(&s["usage"]["server_cpu_pct"]),
            mib(&s["usage"]["server_peak_rss_kib"]),
        );
        let _ = writeln!(w, "CPU: {}.\n", cpu_story(&s["usage"], m.cores));
    }

    for s in by_scenario(r, "idle") {
        let _ = writeln!(w, "## Idle sockets\n");
        let _ = writeln!(
            w,
            "{} authenticated sockets, each joined to its user's ticket room ({} users, several \
             sockets each), {} connecting at a time. Memory per socket = (server RSS after − \
             before) ÷ sockets.\n",
            n0(f(&s["sockets"])),
            s["users"],
            s["concurrency"]
        );
        let _ = writeln!(
            w,
            "| sockets | connect+join/s | connect+join p50 | p99 | RSS before | RSS after | per socket | RSS after close | idle server CPU | errors |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {:.2} KiB | {} | {} | {} |\n",
            n0(f(&s["connected"])),
            n0(f(&s["connects_per_s"])),
            ms(&s["latency"]["connect_join"]["p50_ms"]),
            ms(&s["latency"]["connect_join"]["p99_ms"]),
            mib(&s["rss_before_kib"]),
            mib(&s["rss_after_kib"]),
            f(&s["kib_per_socket"]),
            mib(&s["rss_after_close_kib"]),
            pct(&s["idle_usage"]["server_cpu_pct"]),
            s["errors"],
        );
        let _ = writeln!(
            w,
            "While connecting: {}. The joins broadcast `ticket:user_joined` to the sockets \
             already in each room: {} frames, which the idle clients drop unparsed. {} of the \
             first `ticket:join` events got no ack within 5 s and were sent again (see the \
             analysis: events sent right after the connect packet can be dropped).\n",
            cpu_story(&s["usage"], m.cores),
            n0(f(&s["join_broadcasts_received"])),
            n0(f(&s["join_retries"]))
        );
    }

    let inbox = by_scenario(r, "inbox");
    if !inbox.is_empty() {
        let _ = writeln!(w, "## Inbox\n");
        let _ = writeln!(
            w,
            "A seeded agent (the one holding the most tickets) reads, {} requests in flight: \
             `GET /tickets` (first page, default view: the open pool ∪ assigned to me ∪ created by \
             me, 20 per page), deep pages (cursors from the second half of a full walk of the \
             view), `GET /tickets/{{id}}`, `GET /tickets/{{id}}/messages` (newest 50), and an \
             admin's `GET /admin/stats`.\n",
            inbox[0]["concurrency"]
        );
        let _ = writeln!(
            w,
            "| data | request | req/s | p50 | p90 | p99 | max | errors | server CPU | PostgreSQL CPU | generator CPU | other CPU |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for s in &inbox {
            let d = &s["data"];
            let data = format!(
                "{} tickets ({} open), {} messages",
                n0(f(&d["tickets"])),
                n0(f(&d["open_tickets"])),
                n0(f(&d["messages"]))
            );
            for op in s["ops"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    w,
                    "| {data} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    op["name"].as_str().unwrap_or(""),
                    n0(f(&op["per_s"])),
                    lat_cells(&op["latency"]),
                    op["errors"],
                    pct(&op["usage"]["server_cpu_pct"]),
                    pct(&op["usage"]["postgres_cpu_pct"]),
                    pct(&op["usage"]["generator_cpu_pct"]),
                    pct(&op["usage"]["other_cpu_pct"]),
                );
            }
        }
        let _ = writeln!(w);
        for s in &inbox {
            let _ = writeln!(
                w,
                "- {}: walked {} pages ({} tickets) in {:.1} s.",
                s["label"].as_str().unwrap_or(""),
                s["walk"]["pages"],
                n0(f(&s["walk"]["tickets"])),
                f(&s["walk"]["seconds"])
            );
        }
        let _ = writeln!(w);
    }

    issue13_tables(w, r);

    if !r.seeds.is_empty() {
        let _ = writeln!(w, "## Seeding\n");
        let _ = writeln!(
            w,
            "`myrelay-loadgen seed`: `COPY … FROM STDIN` into users, tickets and messages in one \
             transaction, with every index and constraint of the schema in place, then `VACUUM (ANALYZE)`.\n"
        );
        let _ = writeln!(
            w,
            "| tickets | messages | users | read pointers | COPY users | COPY tickets | COPY messages | COPY read pointers | commit | VACUUM ANALYZE | total | messages/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for s in &r.seeds {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.2} s | **{:.1} s** | {} |",
                n0(f(&s["tickets"])),
                n0(f(&s["messages"])),
                n0(f(&s["users"])),
                n0(f(&s["read_pointers"])),
                f(&s["copy_users_s"]),
                f(&s["copy_tickets_s"]),
                f(&s["copy_messages_s"]),
                f(&s["copy_read_pointers_s"]),
                f(&s["commit_s"]),
                f(&s["vacuum_analyze_s"]),
                f(&s["total_s"]),
                n0(f(&s["messages"]) / f(&s["copy_messages_s"])),
            );
        }
        let _ = writeln!(w);
    }

    let uploads = by_scenario(r, "upload");
    if !uploads.is_empty() {
        let _ = writeln!(w, "## Upload memory\n");
        let _ = writeln!(
            w,
            "One attachment streamed to `POST /tickets/{{id}}/attachments` (the server's \
             `MYRELAY_MAX_UPLOAD` raised to allow it; the `file://` store on the same disk). \
             Growth = the server's peak RSS (VmHWM, reset before the upload) − its RSS just \
             before: what holding the upload cost, whatever the file size.\n"
        );
        let _ = writeln!(
            w,
            "| file | time | throughput | RSS before | peak RSS | growth | server CPU |\n|---|---|---|---|---|---|---|"
        );
        for s in uploads {
            let _ = writeln!(
                w,
                "| {} MiB | {:.2} s | {} MiB/s | {} | {} | {} | {} |",
                n0(f(&s["size_bytes"]) / 1_048_576.0),
                f(&s["seconds"]),
                n0(f(&s["mib_per_s"])),
                mib(&s["rss_before_kib"]),
                mib(&s["peak_rss_kib"]),
                mib(&s["growth_kib"]),
                pct(&s["usage"]["server_cpu_pct"]),
            );
        }
        let _ = writeln!(w);
    }

    let (p, fl, lines) = count_checks(r);
    let _ = writeln!(w, "## Correctness checks\n");
    let _ = writeln!(w, "{p} passed, {fl} failed.\n");
    for s in &r.scenarios {
        for c in s["checks"].as_array().into_iter().flatten() {
            let _ = writeln!(
                w,
                "- {} {} — {}: {}",
                if c["passed"] == true { "✓" } else { "✗" },
                s["label"]
                    .as_str()
                    .unwrap_or(s["scenario"].as_str().unwrap_or("")),
                c["name"].as_str().unwrap_or(""),
                c["detail"].as_str().unwrap_or("")
            );
        }
    }
    for l in lines {
        let _ = writeln!(w, "\n{l}");
    }
    let _ = writeln!(w);
    if let Some(n) = &o.notes {
        let _ = writeln!(w, "{}\n", n.trim_end());
    }
    if let Some(e) = &o.explain {
        let _ = writeln!(w, "{}\n", e.trim_end());
    }
    md
}

fn data_cell(d: &Value) -> String {
    format!(
        "{} tickets, {} messages",
        n0(f(&d["tickets"])),
        n0(f(&d["messages"]))
    )
}

/// Issue 13: the inbox from few to many messages, message search, the send cost.
fn issue13_tables(w: &mut String, r: &Results) {
    if let Some((few, many)) = message_pair(r) {
        let _ = writeln!(
            w,
            "## Inbox: {} vs {} messages on {} tickets\n",
            n0(f(&few["data"]["messages"])),
            n0(f(&many["data"]["messages"])),
            n0(f(&many["data"]["tickets"]))
        );
        let _ = writeln!(
            w,
            "The inbox requests above on the same tickets with 100× the messages (every list item \
             and the detail carry the caller's unread count and the last message: SPEC §10). \
             Flat = p50 with many ÷ p50 with few ≤ 1.5×.\n"
        );
        let _ = writeln!(
            w,
            "| request | req/s, few | p50 | p99 | req/s, many | p50 | p99 | p50 ratio | flat |\n|---|---|---|---|---|---|---|---|---|"
        );
        for op in FLAT_OPS {
            if let (Some(a), Some(b)) = (inbox_op(few, op), inbox_op(many, op)) {
                let ratio = f(&b["latency"]["p50_ms"]) / f(&a["latency"]["p50_ms"]);
                let _ = writeln!(
                    w,
                    "| {op} | {} | {} | {} | {} | {} | {} | {ratio:.2}× | {} |",
                    n0(f(&a["per_s"])),
                    ms(&a["latency"]["p50_ms"]),
                    ms(&a["latency"]["p99_ms"]),
                    n0(f(&b["per_s"])),
                    ms(&b["latency"]["p50_ms"]),
                    ms(&b["latency"]["p99_ms"]),
                    if ratio.is_nan() {
                        "–"
                    } else if ratio <= 1.5 {
                        "yes"
                    } else {
                        "**no**"
                    },
                );
            }
        }
        let _ = writeln!(w);
        for s in [few, many] {
            let _ = writeln!(
                w,
                "- {}: other CPU (not server, PostgreSQL or generator) during the first page: {}; \
                 the agent's view: {} tickets, {} unread messages.",
                data_cell(&s["data"]),
                pct(&inbox_op(s, "first page")
                    .map_or(Value::Null, |o| o["usage"]["other_cpu_pct"].clone())),
                n0(f(&s["walk"]["tickets"])),
                n0(f(&s["walk"]["unread_messages"]))
            );
        }
        let _ = writeln!(w);
    }

    let search = by_scenario(r, "search");
    if !search.is_empty() {
        let _ = writeln!(w, "## Message search\n");
        let _ = writeln!(
            w,
            "The seeded agent searches (`GET /tickets?q=WORD`, default view, 20 per page, {} in \
             flight) for words planted in messages only (never in subjects or descriptions) at \
             known intervals, so every hit comes through `messages_search_idx` and carries a \
             highlighted message excerpt. Walk = every result page once, checked against what the \
             seeder planted in the agent's view.\n",
            search[0]["concurrency"]
        );
        let _ = writeln!(
            w,
            "| data | word | planted in | messages | tickets (agent's view) | found | request | pages/s | p50 | p90 | p99 | max | errors | server CPU | PostgreSQL CPU | other CPU |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for s in &search {
            for o in s["ops"].as_array().into_iter().flatten() {
                let walk = s["walks"]
                    .as_array()
                    .and_then(|ws| ws.iter().find(|x| x["word"] == o["word"]))
                    .cloned()
                    .unwrap_or(Value::Null);
                let _ = writeln!(
                    w,
                    "| {} | `{}` | 1 message in {} | {} | {} of {} | {} | {} | {} | {} | {} | {} |",
                    data_cell(&s["data"]),
                    o["word"].as_str().unwrap_or(""),
                    n0(f(&o["every"])),
                    n0(f(&o["planted_messages"])),
                    n0(f(&walk["visible_tickets"])),
                    n0(f(&walk["planted_tickets"])),
                    n0(f(&walk["found_tickets"])),
                    o["name"]
                        .as_str()
                        .unwrap_or("")
                        .split(", ")
                        .last()
                        .unwrap_or(""),
                    n0(f(&o["per_s"])),
                    lat_cells(&o["latency"]),
                    o["errors"],
                    format_args!(
                        "{} | {} | {}",
                        pct(&o["usage"]["server_cpu_pct"]),
                        pct(&o["usage"]["postgres_cpu_pct"]),
                        pct(&o["usage"]["other_cpu_pct"])
                    ),
                );
            }
        }
        let _ = writeln!(w);
    }

    for s in by_scenario(r, "send-cost") {
        let _ = writeln!(w, "## Send cost of the read pointer\n");
        let _ = writeln!(
            w,
            "The message insert (`crates/messages/src/store.rs`: one autocommit statement that \
             bumps `tickets.last_seq`, inserts the message and upserts the sender's read pointer) \
             against the same statement without the pointer upsert, straight on PostgreSQL ({}), \
             one connection, alternating blocks of {} sends for {:.0} s; then `EXPLAIN (ANALYZE, \
             BUFFERS, WAL)` of both, alternately, averaged per send (execution only: no commit). \
             Senders: the creator or the assignee of random tickets that are not closed, most of \
             whom already have a pointer (the upsert updates it).\n",
            data_cell(&s["data"]),
            s["block"],
            f(&s["measured_s"])
        );
        let _ = writeln!(
            w,
            "| statement | sends | sends/s | p50 | p90 | p99 | max | execution p50 | WAL records | WAL bytes | WAL FPI | shared hit | dirtied |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for v in s["variants"].as_array().into_iter().flatten() {
            let e = &v["explain"];
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {:.2} | {:.0} | {:.2} | {:.1} | {:.2} |",
                v["name"].as_str().unwrap_or(""),
                n0(f(&v["sends"])),
                n0(f(&v["per_s"])),
                lat_cells(&v["latency"]),
                ms(&e["execution"]["p50_ms"]),
                f(&e["wal_records"]),
                f(&e["wal_bytes"]),
                f(&e["wal_fpi"]),
                f(&e["shared_hit"]),
                f(&e["shared_dirtied"]),
            );
        }
        let _ = writeln!(
            w,
            "\nWith ÷ without: send p50 {:.2}×, mean {:+.3} ms per send, execution p50 {:.2}×, \
             WAL {:+.0} bytes per send.\n",
            f(&s["p50_ratio"]),
            f(&s["mean_extra_ms"]),
            f(&s["execution_p50_ratio"]),
            f(&s["wal_bytes_extra"]),
        );
        for p in s["plans"].as_array().into_iter().flatten() {
            let _ = writeln!(
                w,
                "### EXPLAIN (ANALYZE, BUFFERS, WAL): {}\n\n```\n{}\n```\n",
                p["name"].as_str().unwrap_or(""),
                p["plan"].as_str().unwrap_or("").trim_end()
            );
        }
    }
}

pub fn json_doc(r: &Results, o: &ReportOpts, m: &Machine, date: &str) -> Value {
    let targets: Vec<Value> = targets(r)
        .into_iter()
        .map(|t| {
            json!({ "name": t.name, "goal": t.target, "measured": t.measured, "met": t.met, "miss": t.miss })
        })
        .collect();
    let (p, fl, _) = count_checks(r);
    json!({
        "generated_at": date,
        "command": o.command,
        "machine": m,
        "database": o.postgres,
        "targets": targets,
        "checks": { "passed": p, "failed": fl },
        "seeds": r.seeds,
        "results": r.scenarios,
    })
}

pub fn machine() -> Machine {
    procmon::machine()
}
