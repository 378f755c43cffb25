//! `myrelay-loadgen`: seed data, set up accounts, run a scenario, write the report.
//! Scenario results are JSON (to `--out` or stdout); a one-line summary goes to stderr.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use myrelay_loadgen::api::Api;
use myrelay_loadgen::fixture::{self, Fixture, SetupOpts};
use myrelay_loadgen::report::{self, ReportOpts};
use myrelay_loadgen::scenarios::{chat, fanout, idle, inbox, search, send_cost, storm, upload};
use myrelay_loadgen::seed::{self, SeedOpts};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "myrelay-loadgen",
    version,
    about = "MyRelay load generator and data seeder"
)]
struct Cli {
    /// Runtime worker threads (1: a single-threaded runtime, cheapest next to the server).
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Target {
    /// The server's origin.
    #[arg(long, env = "MYRELAY_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's process id (CPU and memory from /proc).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Write the JSON result here (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct Timing {
    /// Seconds measured.
    #[arg(long, default_value_t = 15.0)]
    duration: f64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
}

#[derive(Subcommand)]
enum Command {
    /// Bulk-load users, tickets and messages with COPY (then ANALYZE).
    Seed {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long)]
        tickets: u64,
        #[arg(long)]
        messages: u64,
        #[arg(long, default_value_t = 0.1)]
        open_ratio: f64,
        #[arg(long, default_value_t = 20)]
        agents: u64,
        /// Customers (0: one per 20 tickets, at least 10).
        #[arg(long, default_value_t = 0)]
        users: u64,
        #[arg(long, default_value_t = 42)]
        rng_seed: u64,
        /// Plant WORD in every EVERY-th message (`WORD:EVERY`, repeatable), for searches.
        #[arg(long)]
        plant: Vec<seed::Plant>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Create the accounts and tickets the socket scenarios use (run at a low bcrypt cost).
    Setup {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_password: String,
        #[arg(long, default_value_t = 50)]
        rooms: usize,
        #[arg(long, default_value_t = 100)]
        idle_users: usize,
        #[arg(long, default_value_t = 200)]
        watchers: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Chat rooms: closed loop, or `--rate` messages/s in total.
    Chat {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        timing: Timing,
        #[arg(long)]
        fixture: PathBuf,
        #[arg(long, default_value_t = 50)]
        rooms: usize,
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long, default_value_t = 100)]
        content_len: usize,
        #[arg(long)]
        label: Option<String>,
    },
    /// Many idle sockets joined to rooms: memory per socket, connect rate.
    Idle {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        fixture: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        sockets: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Seconds to hold the sockets while measuring idle CPU.
        #[arg(long, default_value_t = 5.0)]
        hold: f64,
        /// Connect only, without joining a ticket room.
        #[arg(long)]
        no_join: bool,
    },
    /// An agent's inbox on a seeded dataset.
    Inbox {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        timing: Timing,
        /// The JSON `seed` wrote: agent and admin logins, dataset size.
        #[arg(long)]
        seed_report: PathBuf,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 5000)]
        max_walk_pages: usize,
        #[arg(long)]
        label: Option<String>,
    },
    /// An agent searching message content for the words `seed --plant` planted.
    Search {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        timing: Timing,
        /// The JSON `seed` wrote (with `planted`).
        #[arg(long)]
        seed_report: PathBuf,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 5000)]
        max_walk_pages: usize,
        #[arg(long)]
        label: Option<String>,
    },
    /// One large attachment streamed to the server: its peak RSS growth (the server's
    /// `MYRELAY_MAX_UPLOAD` must allow the size).
    Upload {
        #[command(flatten)]
        target: Target,
        /// The file's size in MiB.
        #[arg(long, default_value_t = 100)]
        size_mib: u64,
        #[arg(long)]
        label: Option<String>,
    },
    /// The message insert with and without the read-pointer upsert, straight on PostgreSQL.
    SendCost {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The JSON `seed` wrote (dataset size, for the report).
        #[arg(long)]
        seed_report: Option<PathBuf>,
        /// Seconds of alternating blocks.
        #[arg(long, default_value_t = 20.0)]
        duration: f64,
        /// Sends per block.
        #[arg(long, default_value_t = 200)]
        block: usize,
        /// EXPLAIN (ANALYZE, BUFFERS, WAL) runs per statement.
        #[arg(long, default_value_t = 100)]
        explain_runs: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Logins as fast as bcrypt allows while chat runs at a fixed rate.
    LoginStorm {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        timing: Timing,
        #[arg(long)]
        fixture: PathBuf,
        #[arg(long, default_value_t = 8)]
        storm_users: usize,
        /// Logins in flight (default: one per storm user).
        #[arg(long)]
        concurrency: Option<usize>,
        #[arg(long, default_value_t = 50)]
        rooms: usize,
        #[arg(long, default_value_t = 1000.0)]
        rate: f64,
    },
    /// One room, many watchers, one sender.
    Fanout {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        timing: Timing,
        #[arg(long)]
        fixture: PathBuf,
        #[arg(long, default_value_t = 200)]
        watchers: usize,
    },
    /// Write the report from a directory of results; with --smoke, only count the checks.
    Report {
        #[arg(long)]
        results: PathBuf,
        #[arg(long)]
        md: Option<PathBuf>,
        #[arg(long)]
        json: Option<PathBuf>,
        #[arg(long, default_value = "make bench")]
        command: String,
        #[arg(long, default_value = "")]
        postgres: String,
        /// Markdown files appended (analysis notes, EXPLAIN output), in order.
        #[arg(long)]
        append: Vec<PathBuf>,
        /// Lines for "How it was run".
        #[arg(long)]
        setup_line: Vec<String>,
        /// A step of the script that failed (counted as a failed check).
        #[arg(long)]
        failed_step: Vec<String>,
        /// Print `bench-smoke: N passed, M failed` and fail on any failed check.
        #[arg(long)]
        smoke: bool,
        /// A partial run: replace (or append) section NAME of the existing --md file and set
        /// `sections.NAME` of the existing --json file, leaving the rest as it is.
        #[arg(long)]
        section: Option<String>,
        #[arg(
            long,
            default_value = "Issue 13: unread counts, previews and message search from 10k to 1M messages"
        )]
        section_title: String,
    },
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

fn read_fixture(p: &PathBuf) -> anyhow::Result<Fixture> {
    let s = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    Ok(serde_json::from_str(&s)?)
}

fn read_seed(p: &PathBuf) -> anyhow::Result<seed::SeedReport> {
    let s = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    Ok(serde_json::from_str(&s)?)
}

/// The seeded agent reading the dataset (inbox and search), with the seeded admin for the
/// stats requests when `with_admin`.
fn reader(
    s: &seed::SeedReport,
    target: &Target,
    timing: &Timing,
    concurrency: usize,
    max_walk_pages: usize,
    label: Option<String>,
    with_admin: bool,
) -> inbox::InboxOpts {
    inbox::InboxOpts {
        agent_email: s.agent_emails.first().cloned().unwrap_or_default(),
        admin_email: with_admin.then(|| s.admin_email.clone()),
        password: s.password.clone(),
        concurrency,
        duration: secs(timing.duration),
        warmup: secs(timing.warmup),
        max_walk_pages,
        server_pid: target.server_pid,
        label: label.unwrap_or_else(|| format!("{} tickets, {} messages", s.tickets, s.messages)),
        data: seed_data(s),
    }
}

fn seed_data(s: &seed::SeedReport) -> Value {
    serde_json::json!({
        "tickets": s.tickets,
        "open_tickets": s.open_tickets,
        "messages": s.messages,
        "users": s.users,
        "agents": s.agents,
        "read_pointers": s.read_pointers,
    })
}

fn emit(out: &Option<PathBuf>, v: &Value) -> anyhow::Result<()> {
    let s = serde_json::to_string_pretty(v)?;
    match out {
        Some(p) => std::fs::write(p, s + "\n").with_context(|| format!("writing {}", p.display())),
        None => {
            println!("{s}");
            Ok(())
        }
    }
}

/// One line for the console.
fn summarize(v: &Value) {
    let l = |x: &Value| x.as_f64().unwrap_or(f64::NAN);
    let checks = v["checks"].as_array().map_or((0, 0), |c| {
        let p = c.iter().filter(|c| c["passed"] == true).count();
        (p, c.len() - p)
    });
    let head = format!(
        "{} [{}]",
        v["scenario"].as_str().unwrap_or("?"),
        v["label"].as_str().unwrap_or("")
    );
    let body = match v["scenario"].as_str() {
        Some("chat") => format!(
            "{:.0} delivered/s, delivery p50 {:.2} ms p99 {:.2} ms, ack p99 {:.2} ms",
            l(&v["delivered_per_s"]),
            l(&v["latency"]["send_delivery"]["p50_ms"]),
            l(&v["latency"]["send_delivery"]["p99_ms"]),
            l(&v["latency"]["send_ack"]["p99_ms"])
        ),
        Some("idle") => format!(
            "{} sockets, {:.0} connects/s, {:.2} KiB/socket",
            v["connected"],
            l(&v["connects_per_s"]),
            l(&v["kib_per_socket"])
        ),
        Some("inbox" | "search") => v["ops"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                format!(
                    "{} {:.0}/s p99 {:.2} ms",
                    o["name"].as_str().unwrap_or(""),
                    l(&o["per_s"]),
                    l(&o["latency"]["p99_ms"])
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some("send-cost") => v["variants"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                format!(
                    "{}: {:.0} sends/s p50 {:.3} ms p99 {:.3} ms, {:.0} WAL bytes",
                    o["name"].as_str().unwrap_or(""),
                    l(&o["per_s"]),
                    l(&o["latency"]["p50_ms"]),
                    l(&o["latency"]["p99_ms"]),
                    l(&o["explain"]["wal_bytes"])
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some("login-storm") => format!(
            "p99 {:.2} → {:.2} ms ({:.2}×), {:.1} logins/s",
            l(&v["chat_without_storm"]["latency"]["send_delivery"]["p99_ms"]),
            l(&v["chat_with_storm"]["latency"]["send_delivery"]["p99_ms"]),
            l(&v["p99_ratio"]),
            l(&v["logins_per_s"])
        ),
        Some("upload") => format!(
            "{:.0} MiB in {:.2} s ({:.0} MiB/s), server peak RSS growth {:.1} MiB",
            l(&v["size_bytes"]) / 1_048_576.0,
            l(&v["seconds"]),
            l(&v["mib_per_s"]),
            l(&v["growth_kib"]) / 1024.0
        ),
        Some("fanout") => format!(
            "{:.0} msg/s, {:.0} deliveries/s, last member p50 {:.2} ms p99 {:.2} ms",
            l(&v["messages_per_s"]),
            l(&v["deliveries_per_s"]),
            l(&v["latency"]["send_delivery_last"]["p50_ms"]),
            l(&v["latency"]["send_delivery_last"]["p99_ms"])
        ),
        _ => String::new(),
    };
    let cpu = v["usage"]["server_cpu_pct"]
        .as_f64()
        .map(|c| format!("; server CPU {c:.0} %"))
        .unwrap_or_default();
    eprintln!(
        "{head}: {body}; errors {}{cpu}; checks {} passed, {} failed",
        v["errors"], checks.0, checks.1
    );
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Seed {
            database_url,
            tickets,
            messages,
            open_ratio,
            agents,
            users,
            rng_seed,
            plant,
            out,
        } => {
            let r = seed::seed(
                &database_url,
                &SeedOpts {
                    tickets,
                    messages,
                    open_ratio,
                    agents,
                    users,
                    rng_seed,
                    plants: plant,
                },
            )
            .await?;
            for p in &r.planted {
                eprintln!(
                    "seed: planted {:?} in {} messages on {} tickets ({} visible to the first agent)",
                    p.word, p.messages, p.tickets, p.tickets_visible_to_agent
                );
            }
            eprintln!(
                "seed: {} tickets ({} open), {} messages, {} users in {:.1} s \
                 (COPY users {:.2} s, tickets {:.2} s, messages {:.2} s, {} read pointers {:.2} s; \
                 commit {:.2} s; VACUUM ANALYZE {:.2} s)",
                r.tickets,
                r.open_tickets,
                r.messages,
                r.users,
                r.total_s,
                r.copy_users_s,
                r.copy_tickets_s,
                r.copy_messages_s,
                r.read_pointers,
                r.copy_read_pointers_s,
                r.commit_s,
                r.vacuum_analyze_s
            );
            emit(&out, &serde_json::to_value(&r)?)?;
        }
        Command::Setup {
            target,
            admin_email,
            admin_password,
            rooms,
            idle_users,
            watchers,
            concurrency,
        } => {
            let api = Api::new(&target.url)?;
            let t = std::time::Instant::now();
            let fx = fixture::setup(
                &api,
                &SetupOpts {
                    admin_email,
                    admin_password,
                    rooms,
                    idle_users,
                    watchers,
                    concurrency,
                },
            )
            .await?;
            eprintln!(
                "setup: {} rooms, {} idle users, {} watchers in {:.1} s",
                fx.rooms.len(),
                fx.idle.len(),
                fx.fanout.watchers.len(),
                t.elapsed().as_secs_f64()
            );
            emit(&target.out, &serde_json::to_value(&fx)?)?;
        }
        Command::Chat {
            target,
            timing,
            fixture,
            rooms,
            rate,
            content_len,
            label,
        } => {
            let fx = read_fixture(&fixture)?;
            let api = Api::new(&target.url)?;
            let label = label.unwrap_or_else(|| match rate {
                Some(r) => format!("fixed rate {r:.0} msg/s, {rooms} rooms"),
                None => format!("closed loop, {rooms} rooms"),
            });
            let v = chat::run(
                api.addr,
                &fx.rooms,
                &chat::ChatOpts {
                    rooms,
                    warmup: secs(timing.warmup),
                    duration: secs(timing.duration),
                    rate,
                    content_len,
                    server_pid: target.server_pid,
                    label,
                },
            )
            .await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Idle {
            target,
            fixture,
            sockets,
            concurrency,
            hold,
            no_join,
        } => {
            let fx = read_fixture(&fixture)?;
            let api = Api::new(&target.url)?;
            let v = idle::run(
                &api,
                &fx.idle,
                &fx.admin.token,
                &idle::IdleOpts {
                    sockets,
                    concurrency,
                    hold: secs(hold),
                    server_pid: target.server_pid,
                    no_join,
                },
            )
            .await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Inbox {
            target,
            timing,
            seed_report,
            concurrency,
            max_walk_pages,
            label,
        } => {
            let s = read_seed(&seed_report)?;
            let api = Api::new(&target.url)?;
            let opts = reader(
                &s,
                &target,
                &timing,
                concurrency,
                max_walk_pages,
                label,
                true,
            );
            let v = inbox::run(&api, &opts).await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Search {
            target,
            timing,
            seed_report,
            concurrency,
            max_walk_pages,
            label,
        } => {
            let s = read_seed(&seed_report)?;
            let api = Api::new(&target.url)?;
            let opts = reader(
                &s,
                &target,
                &timing,
                concurrency,
                max_walk_pages,
                label,
                false,
            );
            let v = search::run(&api, &opts, &s.planted).await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Upload {
            target,
            size_mib,
            label,
        } => {
            let api = Api::new(&target.url)?;
            let opts = upload::UploadOpts {
                size_mib,
                server_pid: target.server_pid,
                label: label.unwrap_or_else(|| format!("{size_mib} MiB")),
            };
            let v = upload::run(&api, &opts).await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::SendCost {
            database_url,
            seed_report,
            duration,
            block,
            explain_runs,
            out,
        } => {
            let s = seed_report.as_ref().map(read_seed).transpose()?;
            let label = s.as_ref().map_or_else(
                || "existing database".to_string(),
                |s| format!("{} tickets, {} messages", s.tickets, s.messages),
            );
            let v = send_cost::run(
                &database_url,
                &send_cost::SendCostOpts {
                    duration: secs(duration),
                    block,
                    explain_runs,
                    label,
                    data: s.as_ref().map_or(Value::Null, seed_data),
                },
            )
            .await?;
            summarize(&v);
            emit(&out, &v)?;
        }
        Command::LoginStorm {
            target,
            timing,
            fixture,
            storm_users,
            concurrency,
            rooms,
            rate,
        } => {
            let fx = read_fixture(&fixture)?;
            let api = Api::new(&target.url)?;
            let v = storm::run(
                &api,
                &fx.rooms,
                &storm::StormOpts {
                    storm_users,
                    concurrency: concurrency.unwrap_or(storm_users),
                    chat: chat::ChatOpts {
                        rooms,
                        warmup: secs(timing.warmup),
                        duration: secs(timing.duration),
                        rate: Some(rate),
                        content_len: 100,
                        server_pid: target.server_pid,
                        label: format!("fixed rate {rate:.0} msg/s, {rooms} rooms"),
                    },
                },
            )
            .await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Fanout {
            target,
            timing,
            fixture,
            watchers,
        } => {
            let fx = read_fixture(&fixture)?;
            let api = Api::new(&target.url)?;
            let v = fanout::run(
                api.addr,
                &fx.fanout,
                &fanout::FanoutOpts {
                    watchers,
                    warmup: secs(timing.warmup),
                    duration: secs(timing.duration),
                    server_pid: target.server_pid,
                },
            )
            .await?;
            summarize(&v);
            emit(&target.out, &v)?;
        }
        Command::Report {
            results,
            md,
            json,
            command,
            postgres,
            append,
            setup_line,
            failed_step,
            smoke,
            section,
            section_title,
        } => {
            let r = report::load(&results)?;
            let (passed, failed, lines) = report::count_checks(&r);
            for l in &lines {
                eprintln!("{l}");
            }
            for s in &failed_step {
                eprintln!("FAILED step: {s}");
            }
            let failed = failed + failed_step.len();
            let mut extra = String::new();
            for p in &append {
                extra.push_str(
                    &std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                );
                extra.push('\n');
            }
            let opts = ReportOpts {
                command,
                postgres,
                notes: (!extra.is_empty()).then_some(extra),
                explain: None,
                setup: setup_line,
            };
            let m = report::machine();
            let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
            if let Some(p) = md {
                let text = match &section {
                    Some(name) => report::splice_section(
                        &std::fs::read_to_string(&p).unwrap_or_default(),
                        name,
                        &section_title,
                        &r,
                        &opts,
                        &m,
                        &date,
                    ),
                    None => report::markdown(&r, &opts, &m, &date),
                };
                std::fs::write(&p, text)?;
                eprintln!("wrote {}", p.display());
            }
            if let Some(p) = json {
                let mut doc = report::json_doc(&r, &opts, &m, &date);
                if let Some(name) = &section {
                    let mut all: Value = std::fs::read_to_string(&p)
                        .ok()
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or_else(|| serde_json::json!({}));
                    if !all["sections"].is_object() {
                        all["sections"] = serde_json::json!({});
                    }
                    doc["title"] = Value::String(section_title.clone());
                    all["sections"][name.as_str()] = doc;
                    doc = all;
                }
                std::fs::write(&p, serde_json::to_string_pretty(&doc)? + "\n")?;
                eprintln!("wrote {}", p.display());
            }
            let ok = failed == 0 && passed > 0;
            if smoke {
                println!("bench-smoke: {passed} passed, {failed} failed");
            } else {
                println!("bench: checks {passed} passed, {failed} failed");
            }
            return Ok(if ok { 0 } else { 1 });
        }
    }
    Ok(0)
}

fn main() {
    let cli = Cli::parse();
    let rt = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("myrelay-loadgen: {e}");
            std::process::exit(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("myrelay-loadgen: {e:#}");
            std::process::exit(1);
        }
    }
}
