//! Bulk data for the inbox benchmarks: users, tickets and messages written with PostgreSQL
//! `COPY … FROM STDIN` in one transaction (then `VACUUM (ANALYZE)`), valid by construction:
//!
//! - `tickets.last_seq` (and `last_staff_seq`: no notes) is the ticket's message count and its
//!   messages have `seq` (and `staff_seq`) 1..n;
//! - `open` tickets have no assignee, `assigned`/`resolved`/`closed` ones have one;
//! - timestamps are ordered (created ≤ messages ≤ updated; resolved/closed after the last
//!   message); the generated `search` column is left to PostgreSQL.
//!
//! Search words can be planted in messages (never in subjects or descriptions) at known
//! intervals ([`Plant`]), and the seed report says how many messages and tickets hold each
//! (and how many of those tickets the first agent may see). Read pointers are seeded the way
//! the server leaves them: each participant's pointer is at least at the last message they
//! sent; on finished tickets both have read everything, on live ones most have.
//!
//! Every seeded account has the password [`PASSWORD`] (one cost-4 bcrypt hash computed once),
//! so the generator can log in as a seeded agent even when the server runs at cost 12.
//! Ids continue after what the tables already hold, so a database can be seeded twice.

use anyhow::Context;
use chrono::{DateTime, Duration as Span, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection};
use std::fmt::Write as _;
use std::time::Instant;

pub const PASSWORD: &str = "bench-password";
const CHUNK: usize = 1 << 20;

/// What to seed; also the `seed` command's options.
#[derive(Debug, Clone, clap::Args)]
pub struct SeedOpts {
    #[arg(long)]
    pub tickets: u64,
    #[arg(long)]
    pub messages: u64,
    /// Share of tickets that are open (unassigned); the rest is spread evenly over
    /// assigned, resolved and closed.
    #[arg(long, default_value_t = 0.1)]
    pub open_ratio: f64,
    /// Agents holding the non-open tickets.
    #[arg(long, default_value_t = 20)]
    pub agents: u64,
    /// Customers filing the tickets (0: one per 20 tickets, at least 10).
    #[arg(long, default_value_t = 0)]
    pub users: u64,
    #[arg(long, default_value_t = 42)]
    pub rng_seed: u64,
    /// Words planted in messages.
    pub plants: Vec<Plant>,
}

/// A word planted in every `every`-th message (message k, counting from 0 over the whole
/// dataset, holds it when `k % every == every / 2`), so its frequency is known exactly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plant {
    pub word: String,
    pub every: u64,
}

impl std::str::FromStr for Plant {
    type Err = String;
    /// `WORD:EVERY`, e.g. `quasar:50000`.
    fn from_str(s: &str) -> Result<Plant, String> {
        let (w, e) = s.split_once(':').ok_or("expected WORD:EVERY")?;
        let every: u64 = e.parse().map_err(|e| format!("{e}"))?;
        if every == 0 || w.is_empty() || !w.chars().all(|c| c.is_ascii_lowercase()) {
            return Err("WORD must be lowercase ASCII letters, EVERY > 0".into());
        }
        if WORDS.contains(&w) {
            return Err(format!("{w} is one of the filler words"));
        }
        Ok(Plant {
            word: w.to_string(),
            every,
        })
    }
}

/// Where a planted word ended up.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Planted {
    pub word: String,
    pub every: u64,
    pub messages: u64,
    pub tickets: u64,
    /// Tickets holding it that the first agent may see (the open pool and theirs).
    pub tickets_visible_to_agent: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedReport {
    pub users: u64,
    pub agents: u64,
    pub tickets: u64,
    pub open_tickets: u64,
    pub messages: u64,
    pub copy_users_s: f64,
    pub copy_tickets_s: f64,
    pub copy_messages_s: f64,
    #[serde(default)]
    pub read_pointers: u64,
    #[serde(default)]
    pub copy_read_pointers_s: f64,
    pub commit_s: f64,
    pub vacuum_analyze_s: f64,
    pub total_s: f64,
    /// Seeded agents (all with [`PASSWORD`]); the first holds the most tickets.
    pub agent_emails: Vec<String>,
    pub admin_email: String,
    pub password: String,
    #[serde(default)]
    pub planted: Vec<Planted>,
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const WORDS: &[&str] = &[
    "login",
    "password",
    "invoice",
    "billing",
    "refund",
    "mobile",
    "app",
    "crash",
    "error",
    "account",
    "email",
    "export",
    "report",
    "dashboard",
    "slow",
    "timeout",
    "upload",
    "file",
    "payment",
    "card",
    "declined",
    "subscription",
    "upgrade",
    "plan",
    "team",
    "invite",
    "access",
    "permission",
    "settings",
    "sync",
    "calendar",
    "notification",
    "missing",
    "broken",
    "page",
    "search",
    "results",
    "order",
    "shipping",
    "delivery",
    "address",
    "update",
    "delete",
    "reset",
    "two-factor",
    "code",
    "api",
    "webhook",
    "integration",
    "import",
    "csv",
    "please",
    "help",
    "urgent",
    "thanks",
    "since",
    "yesterday",
    "morning",
    "again",
    "still",
    "cannot",
];

fn words(rng: &mut Rng, n: usize, out: &mut String) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
}

/// `COPY` text-format timestamp.
fn ts(out: &mut String, t: DateTime<Utc>) {
    let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
}

fn nullable_ts(out: &mut String, t: Option<DateTime<Utc>>) {
    match t {
        Some(t) => ts(out, t),
        None => out.push_str("\\N"),
    }
}

async fn max_id(conn: &mut PgConnection, table: &str) -> anyhow::Result<i64> {
    // Static SQL per table (the project never builds SQL text at run time).
    let sql: &'static str = match table {
        "users" => "SELECT coalesce(max(id), 0) FROM users",
        "tickets" => "SELECT coalesce(max(id), 0) FROM tickets",
        "messages" => "SELECT coalesce(max(id), 0) FROM messages",
        other => anyhow::bail!("no such table: {other}"),
    };
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut *conn)
        .await?)
}

/// Stream `rows` (generated chunk by chunk) into `COPY statement`.
async fn copy<F>(conn: &mut PgConnection, statement: &str, mut fill: F) -> anyhow::Result<u64>
where
    F: FnMut(&mut String) -> bool,
{
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = String::with_capacity(CHUNK + 64 * 1024);
    loop {
        let more = fill(&mut buf);
        if buf.len() >= CHUNK || !more {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            buf.reserve(CHUNK + 64 * 1024);
        }
        if !more {
            break;
        }
    }
    Ok(copy.finish().await?)
}

struct TicketPlan {
    id: i64,
    creator: i64,
    agent: Option<i64>,
    status: &'static str,
    created: DateTime<Utc>,
    messages: u32,
    /// Minutes between consecutive messages.
    step_min: i64,
}

pub async fn seed(database_url: &str, o: &SeedOpts) -> anyhow::Result<SeedReport> {
    let t0 = Instant::now();
    let mut conn = PgConnection::connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))?;
    let hash = bcrypt::hash(PASSWORD, 4)?;
    let mut rng = Rng(o.rng_seed);
    let n_users = if o.users == 0 {
        (o.tickets / 20).max(10)
    } else {
        o.users
    };
    let n_agents = o.agents.max(1);
    let now = Utc::now();
    let user_base = max_id(&mut conn, "users").await?;
    let ticket_base = max_id(&mut conn, "tickets").await?;
    let message_base = max_id(&mut conn, "messages").await?;
    let tag = format!("seed{user_base}");

    // Ids: agents first, then the admin, then customers.
    let agent_id = |k: u64| user_base + 1 + k as i64;
    let admin_id = user_base + 1 + n_agents as i64;
    let customer_id = |k: u64| admin_id + 1 + k as i64;
    let agent_emails: Vec<String> = (0..n_agents)
        .map(|k| format!("{tag}-agent-{k}@bench.myrelay.dev"))
        .collect();
    let admin_email = format!("{tag}-admin@bench.myrelay.dev");

    let mut tx = conn.begin().await?;

    // Users.
    let t = Instant::now();
    let year_ago = now - Span::days(365);
    let mut k = 0u64;
    let total_users = n_agents + 1 + n_users;
    copy(
        &mut tx,
        "COPY users (id, email, password_hash, display_name, role, is_active, created_at, updated_at) FROM STDIN",
        |buf| {
            while k < total_users && buf.len() < CHUNK {
                let (id, email, name, role) = if k < n_agents {
                    (agent_id(k), agent_emails[k as usize].clone(), format!("Agent {k}"), "agent")
                } else if k == n_agents {
                    (admin_id, admin_email.clone(), "Seed Admin".to_string(), "admin")
                } else {
                    let c = k - n_agents - 1;
                    (
                        customer_id(c),
                        format!("{tag}-user-{c}@bench.myrelay.dev"),
                        format!("Customer {c}"),
                        "user",
                    )
                };
                let _ = write!(buf, "{id}\t{email}\t{hash}\t{name}\t{role}\tt\t");
                ts(buf, year_ago);
                buf.push('\t');
                ts(buf, year_ago);
                buf.push('\n');
                k += 1;
            }
            k < total_users
        },
    )
    .await
    .context("COPY users")?;
    let copy_users_s = t.elapsed().as_secs_f64();

    // Plan tickets: message counts (each message lands on a uniformly random ticket), status,
    // people, times. Ticket ids grow with creation time, like real ones.
    let n = o.tickets as usize;
    let mut counts = vec![0u32; n];
    if n > 0 {
        for _ in 0..o.messages {
            counts[rng.below(n as u64) as usize] += 1;
        }
    }
    let span_s = 365 * 24 * 3600;
    let mut open_tickets = 0u64;
    let plans: Vec<TicketPlan> = (0..n)
        .map(|i| {
            let created = year_ago + Span::seconds((i as i64 * span_s) / n.max(1) as i64);
            let (status, agent) = if rng.unit() < o.open_ratio {
                open_tickets += 1;
                ("open", None)
            } else {
                // Agent 0 holds a double share: the heaviest inbox is the one we measure.
                let a = rng.below(n_agents + 1).saturating_sub(1);
                let s = ["assigned", "resolved", "closed"][rng.below(3) as usize];
                (s, Some(agent_id(a)))
            };
            TicketPlan {
                id: ticket_base + 1 + i as i64,
                creator: customer_id(rng.below(n_users)),
                agent,
                status,
                created,
                messages: counts[i],
                step_min: 1 + rng.below(30) as i64,
            }
        })
        .collect();
    drop(counts);

    // Tickets.
    let t = Instant::now();
    let mut i = 0usize;
    let mut text = String::new();
    copy(
        &mut tx,
        "COPY tickets (id, subject, description, status, created_by_user_id, assigned_agent_id, \
         created_at, updated_at, resolved_at, closed_at, last_message_at, last_seq, last_staff_seq) \
         FROM STDIN",
        |buf| {
            while i < n && buf.len() < CHUNK {
                let p = &plans[i];
                let last_msg = (p.messages > 0)
                    .then(|| p.created + Span::minutes(p.step_min * i64::from(p.messages)));
                let end = last_msg.unwrap_or(p.created) + Span::minutes(5 + rng.below(600) as i64);
                let (resolved, closed) = match p.status {
                    "resolved" => (Some(end), None),
                    "closed" => (Some(end), Some(end + Span::minutes(30))),
                    _ => (None, None),
                };
                let updated = closed.or(resolved).unwrap_or(end).min(now);
                let _ = write!(buf, "{}\tTicket {}: ", p.id, p.id);
                text.clear();
                words(&mut rng, 4, &mut text);
                buf.push_str(&text);
                buf.push('\t');
                text.clear();
                let k = 12 + rng.below(20) as usize;
                words(&mut rng, k, &mut text);
                buf.push_str(&text);
                let _ = write!(buf, "\t{}\t{}\t", p.status, p.creator);
                match p.agent {
                    Some(a) => {
                        let _ = write!(buf, "{a}");
                    }
                    None => buf.push_str("\\N"),
                }
                buf.push('\t');
                ts(buf, p.created);
                buf.push('\t');
                ts(buf, updated);
                buf.push('\t');
                nullable_ts(buf, resolved.map(|r| r.min(now)));
                buf.push('\t');
                nullable_ts(buf, closed.map(|c| c.min(now)));
                buf.push('\t');
                nullable_ts(buf, last_msg.map(|m| m.min(now)));
                let _ = writeln!(buf, "\t{}\t{}", p.messages, p.messages);
                i += 1;
            }
            i < n
        },
    )
    .await
    .context("COPY tickets")?;
    let copy_tickets_s = t.elapsed().as_secs_f64();

    // Messages, ticket by ticket, seq 1..n.
    let t = Instant::now();
    let mut ti = 0usize;
    let mut id = message_base;
    let mut k = 0u64; // message index over the dataset
    let mut planted: Vec<Planted> = o
        .plants
        .iter()
        .map(|p| Planted {
            word: p.word.clone(),
            every: p.every,
            ..Planted::default()
        })
        .collect();
    let mut last_ticket_of = vec![0i64; planted.len()];
    let first_agent = agent_id(0);
    copy(
        &mut tx,
        "COPY messages (id, ticket_id, seq, staff_seq, sender_user_id, sender_role, content, \
         client_id, created_at, updated_at) FROM STDIN",
        |buf| {
            while ti < n && buf.len() < CHUNK {
                let p = &plans[ti];
                for seq in 1..=i64::from(p.messages) {
                    id += 1;
                    let (sender, role) = match p.agent {
                        Some(a) if seq % 2 == 0 => (a, "agent"),
                        _ => (p.creator, "user"),
                    };
                    let at = (p.created + Span::minutes(p.step_min * seq)).min(now);
                    let _ = write!(buf, "{id}\t{}\t{seq}\t{seq}\t{sender}\t{role}\t", p.id);
                    text.clear();
                    let len = 6 + rng.below(24) as usize;
                    words(&mut rng, len, &mut text);
                    for (pi, pl) in planted.iter_mut().enumerate() {
                        if k % pl.every == pl.every / 2 {
                            // Somewhere in the middle of the message.
                            let at = text[..text.len() / 2].rfind(' ').map_or(0, |i| i + 1);
                            text.insert_str(at, &format!("{} ", pl.word));
                            pl.messages += 1;
                            if last_ticket_of[pi] != p.id {
                                last_ticket_of[pi] = p.id;
                                pl.tickets += 1;
                                if p.agent.is_none_or(|a| a == first_agent) {
                                    pl.tickets_visible_to_agent += 1;
                                }
                            }
                        }
                    }
                    k += 1;
                    buf.push_str(&text);
                    let _ = write!(buf, "\tseed-{seq}\t");
                    ts(buf, at);
                    buf.push('\t');
                    ts(buf, at);
                    buf.push('\n');
                }
                ti += 1;
            }
            ti < n
        },
    )
    .await
    .context("COPY messages")?;
    let copy_messages_s = t.elapsed().as_secs_f64();

    // Read pointers. Senders alternate (the creator odd seqs, the agent even ones, the creator
    // all of them on unassigned tickets), and sending moves one's pointer to the message, so
    // a pointer is at least at the last message its owner sent. Finished tickets are read to
    // the end by both; on live ones each has read to the end with probability 0.7, and
    // otherwise stopped at their own last message (the other's replies are unread).
    let t = Instant::now();
    let mut ti = 0usize;
    let mut read_pointers = 0u64;
    let mut pending: Vec<(i64, i64)> = Vec::with_capacity(2); // (user, last_read_seq)
    copy(
        &mut tx,
        "COPY read_pointers (user_id, ticket_id, last_read_seq, updated_at) FROM STDIN",
        |buf| {
            while ti < n && buf.len() < CHUNK {
                let p = &plans[ti];
                let last = i64::from(p.messages);
                let done = matches!(p.status, "resolved" | "closed");
                pending.clear();
                if last > 0 {
                    let (creator_sent, agent_sent) = match p.agent {
                        Some(_) => (last - (1 - last % 2), last - last % 2),
                        None => (last, 0),
                    };
                    let mut read = |sent: i64| {
                        if done || rng.unit() < 0.7 { last } else { sent }
                    };
                    let c = read(creator_sent);
                    if c > 0 {
                        pending.push((p.creator, c));
                    }
                    if let Some(a) = p.agent {
                        let r = read(agent_sent);
                        if r > 0 {
                            pending.push((a, r));
                        }
                    }
                }
                let at = (p.created + Span::minutes(p.step_min * last)).min(now);
                for &(user, seq) in &pending {
                    let _ = write!(buf, "{user}\t{}\t{seq}\t", p.id);
                    ts(buf, at);
                    buf.push('\n');
                    read_pointers += 1;
                }
                ti += 1;
            }
            ti < n
        },
    )
    .await
    .context("COPY read_pointers")?;
    let copy_read_pointers_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users)),
                setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets)),
                setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages))",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let commit_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    // VACUUM sets the visibility map (index-only scans, as autovacuum would after a bulk
    // load); ANALYZE gives the planner statistics.
    sqlx::raw_sql("VACUUM (ANALYZE) users, tickets, messages, read_pointers")
        .execute(&mut conn)
        .await?;
    let vacuum_analyze_s = t.elapsed().as_secs_f64();

    Ok(SeedReport {
        users: total_users,
        agents: n_agents,
        tickets: o.tickets,
        open_tickets,
        messages: o.messages,
        copy_users_s,
        copy_tickets_s,
        copy_messages_s,
        read_pointers,
        copy_read_pointers_s,
        commit_s,
        vacuum_analyze_s,
        total_s: t0.elapsed().as_secs_f64(),
        agent_emails,
        admin_email,
        password: PASSWORD.to_string(),
        planted,
    })
}
