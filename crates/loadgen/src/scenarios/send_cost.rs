//! `send-cost`: what the read pointer costs per message sent (SPEC §10: sending moves the
//! sender's pointer). Straight against PostgreSQL (no HTTP, no sockets): the server's insert
//! statement, transcribed from `crates/messages/src/store.rs` (`INSERT`), with and without its
//! `rp` CTE (the pointer upsert), sent one at a time on one connection in alternating blocks
//! (so a busy neighbour on a shared machine hits both alike), each a prepared autocommit
//! statement, as the server sends it. Senders: the creator or the assignee of random tickets
//! that are not closed. Then `EXPLAIN (ANALYZE, BUFFERS, WAL)` of both, averaged over
//! `explain_runs` sends each: WAL records/bytes and shared buffers per send.

use super::Check;
use crate::stats::Samples;
use anyhow::Context;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row};
use std::time::{Duration, Instant};

/// The send statement of `crates/messages/src/store.rs` (`INSERT`; keep in step), in three
/// parts so the two variants measured here differ only in the read-pointer upsert.
macro_rules! send_head {
    () => {
        "
WITH me AS (
    SELECT id, role, display_name FROM users WHERE id = $2 AND is_active
), t AS (
    UPDATE tickets t
       SET last_seq = t.last_seq + 1, last_staff_seq = t.last_staff_seq + 1,
           last_message_at = now(), updated_at = now()
      FROM me
     WHERE t.id = $1 AND t.status <> 'closed'
       AND (me.role = 'admin' OR t.created_by_user_id = me.id
            OR (me.role = 'agent' AND (t.assigned_agent_id = me.id
                OR (t.status = 'open' AND t.assigned_agent_id IS NULL))))
 RETURNING t.id, t.last_seq, t.last_staff_seq, me.role, me.display_name, t.created_by_user_id,
           t.assigned_agent_id, t.status, t.updated_at
), ins AS (
    INSERT INTO messages (ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id)
    SELECT t.id, t.last_seq, t.last_staff_seq, $2, t.role, $3, $4 FROM t
    RETURNING id, ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id,
              created_at
)"
    };
}

/// The sender's read-pointer upsert (issue 13).
macro_rules! send_pointer {
    () => {
        ", rp AS (
    INSERT INTO read_pointers AS rp (user_id, ticket_id, last_read_seq)
    SELECT $2, t.id, t.last_seq FROM t
    ON CONFLICT (user_id, ticket_id) DO UPDATE
       SET last_read_seq = greatest(rp.last_read_seq, excluded.last_read_seq), updated_at = now()
)"
    };
}

macro_rules! send_tail {
    () => {
        "
SELECT ins.id, ins.ticket_id, ins.seq, ins.sender_user_id, ins.sender_role,
       t.display_name AS sender_name, ins.content, ins.client_id, ins.created_at,
       t.created_by_user_id, t.assigned_agent_id, t.status AS ticket_status,
       t.updated_at AS ticket_updated_at
  FROM ins, t"
    };
}

macro_rules! with_pointer {
    () => {
        concat!(send_head!(), send_pointer!(), send_tail!())
    };
}

/// The same without the `rp` CTE (the statement before read pointers).
macro_rules! without_pointer {
    () => {
        concat!(send_head!(), send_tail!())
    };
}

const WITH_POINTER: &str = with_pointer!();
const WITHOUT_POINTER: &str = without_pointer!();
const EXPLAIN_JSON: [&str; 2] = [
    concat!(
        "EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ",
        with_pointer!()
    ),
    concat!(
        "EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ",
        without_pointer!()
    ),
];
const EXPLAIN_TEXT: [&str; 2] = [
    concat!(
        "EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF) ",
        with_pointer!()
    ),
    concat!(
        "EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF) ",
        without_pointer!()
    ),
];

#[derive(Debug, Clone)]
pub struct SendCostOpts {
    pub duration: Duration,
    pub block: usize,
    pub explain_runs: usize,
    pub label: String,
    pub data: Value,
}

const CONTENT: &str = "thanks, the export works again since this morning but the invoice \
                       page is still slow, could you check the billing settings please";

/// Counters summed over an EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) plan: the top node
/// (which includes every node it pulled rows from) plus the CTEs nobody reads (`rp`), which
/// PostgreSQL runs after the main plan and reports on their own.
fn plan_counters(plan: &Value) -> [f64; 7] {
    const KEYS: [&str; 7] = [
        "WAL Records",
        "WAL Bytes",
        "WAL FPI",
        "Shared Hit Blocks",
        "Shared Read Blocks",
        "Shared Dirtied Blocks",
        "Shared Written Blocks",
    ];
    let top = &plan[0]["Plan"];
    let mut out = [0.0; 7];
    let mut add = |n: &Value| {
        for (i, k) in KEYS.iter().enumerate() {
            out[i] += n[k].as_f64().unwrap_or(0.0);
        }
    };
    add(top);
    for child in top["Plans"].as_array().into_iter().flatten() {
        if child["Subplan Name"] == "CTE rp" {
            add(child);
        }
    }
    out
}

fn counters_json(sum: [f64; 7], n: usize) -> Value {
    let n = n.max(1) as f64;
    json!({
        "wal_records": sum[0] / n,
        "wal_bytes": sum[1] / n,
        "wal_fpi": sum[2] / n,
        "shared_hit": sum[3] / n,
        "shared_read": sum[4] / n,
        "shared_dirtied": sum[5] / n,
        "shared_written": sum[6] / n,
    })
}

pub async fn run(database_url: &str, o: &SendCostOpts) -> anyhow::Result<Value> {
    let mut conn = PgConnection::connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))?;
    // (ticket, sender): the creator or the assignee, alternately.
    let rows = sqlx::query(
        "SELECT id, CASE WHEN assigned_agent_id IS NOT NULL AND id % 2 = 0
                         THEN assigned_agent_id ELSE created_by_user_id END AS sender
           FROM tickets WHERE status <> 'closed' ORDER BY random() LIMIT 20000",
    )
    .fetch_all(&mut conn)
    .await?;
    let targets: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1)))
        .collect();
    anyhow::ensure!(!targets.is_empty(), "no tickets to send on");
    let run_id = chrono::Utc::now().timestamp_micros();
    let variants = [
        ("with pointer upsert", WITH_POINTER),
        ("without", WITHOUT_POINTER),
    ];
    let mut lat = [Samples::new(), Samples::new()];
    let mut refused = [0usize; 2];
    let mut sent_with: Vec<(i64, i64, i64)> = Vec::new(); // (sender, ticket, seq)
    let mut i = 0usize;
    let t0 = Instant::now();
    let mut measured = [Duration::ZERO; 2];
    // A first short block of each, unmeasured: statements prepared, caches warm.
    for warm in [true, false] {
        loop {
            for (v, (_, sql)) in variants.iter().enumerate() {
                let b = Instant::now();
                for _ in 0..if warm { 20 } else { o.block } {
                    let (ticket, sender) = targets[i % targets.len()];
                    i += 1;
                    let s = Instant::now();
                    let row = sqlx::query(*sql)
                        .bind(ticket)
                        .bind(sender)
                        .bind(CONTENT)
                        .bind(format!("cost-{run_id}-{i}"))
                        .fetch_optional(&mut conn)
                        .await?;
                    if warm {
                        continue;
                    }
                    lat[v].record(s.elapsed());
                    match row {
                        Some(r) if v == 0 => sent_with.push((sender, ticket, r.get("seq"))),
                        Some(_) => {}
                        None => refused[v] += 1,
                    }
                }
                if !warm {
                    measured[v] += b.elapsed();
                }
            }
            if warm || t0.elapsed() >= o.duration {
                break;
            }
        }
    }
    // The pointer moved to the sent message (a sample of the last sends).
    let mut behind = 0;
    let sample: Vec<_> = sent_with.iter().rev().take(50).collect();
    for (sender, ticket, seq) in &sample {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT last_read_seq FROM read_pointers WHERE user_id = $1 AND ticket_id = $2",
        )
        .bind(sender)
        .bind(ticket)
        .fetch_optional(&mut conn)
        .await?;
        if at.is_none_or(|a| a < *seq) {
            behind += 1;
        }
    }
    // EXPLAIN (ANALYZE, BUFFERS, WAL), the two statements alternately: counters and
    // execution time (without the commit) per send, and one plan each as text.
    let mut sums = [[0.0; 7]; 2];
    let mut exec = [Samples::new(), Samples::new()];
    for _ in 0..o.explain_runs {
        for v in 0..2 {
            let (ticket, sender) = targets[i % targets.len()];
            i += 1;
            let plan: Value = sqlx::query_scalar(EXPLAIN_JSON[v])
                .bind(ticket)
                .bind(sender)
                .bind(CONTENT)
                .bind(format!("cost-{run_id}-{i}"))
                .fetch_one(&mut conn)
                .await?;
            let c = plan_counters(&plan);
            for k in 0..7 {
                sums[v][k] += c[k];
            }
            let ms = plan[0]["Execution Time"].as_f64().unwrap_or(0.0);
            exec[v].record_us((ms * 1000.0) as u64);
        }
    }
    let mut explain = Vec::new();
    for (v, (name, _)) in variants.iter().enumerate() {
        let (ticket, sender) = targets[i % targets.len()];
        i += 1;
        let lines: Vec<String> = sqlx::query_scalar(EXPLAIN_TEXT[v])
            .bind(ticket)
            .bind(sender)
            .bind(CONTENT)
            .bind(format!("cost-{run_id}-{i}"))
            .fetch_all(&mut conn)
            .await?;
        let mut per_send = counters_json(sums[v], o.explain_runs);
        per_send["execution"] = json!(exec[v].summary());
        explain.push(json!({ "name": name, "runs": o.explain_runs, "per_send": per_send, "plan": lines.join("\n") }));
    }
    let mut out = Vec::new();
    for (v, (name, _)) in variants.iter().enumerate() {
        let n = lat[v].len();
        out.push(json!({
            "name": name,
            "sends": n,
            "refused": refused[v],
            "per_s": n as f64 / measured[v].as_secs_f64().max(1e-9),
            "latency": lat[v].summary(),
            "explain": explain[v]["per_send"],
        }));
    }
    let checks = vec![
        Check::new(
            "send cost: both statements sent messages",
            lat.iter().all(|l| !l.is_empty()) && refused == [0, 0],
            format!(
                "with {} ({} refused), without {} ({} refused)",
                lat[0].len(),
                refused[0],
                lat[1].len(),
                refused[1]
            ),
        ),
        Check::new(
            "send cost: the sender's pointer is at the message sent",
            !sample.is_empty() && behind == 0,
            format!("{behind} of the last {} sends left it behind", sample.len()),
        ),
    ];
    let p50 = |k: usize| out[k]["latency"]["p50_ms"].as_f64().unwrap_or(f64::NAN);
    let mean = |k: usize| out[k]["latency"]["mean_ms"].as_f64().unwrap_or(f64::NAN);
    let exec_p50 = |k: usize| {
        out[k]["explain"]["execution"]["p50_ms"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let wal = |k: usize| out[k]["explain"]["wal_bytes"].as_f64().unwrap_or(f64::NAN);
    Ok(json!({
        "scenario": "send-cost",
        "label": o.label,
        "data": o.data,
        "block": o.block,
        "duration_s": t0.elapsed().as_secs_f64(),
        "measured_s": measured[0].as_secs_f64() + measured[1].as_secs_f64(),
        "variants": out,
        "p50_ratio": p50(0) / p50(1),
        "mean_extra_ms": mean(0) - mean(1),
        "execution_p50_ratio": exec_p50(0) / exec_p50(1),
        "wal_bytes_extra": wal(0) - wal(1),
        "plans": explain.iter().map(|e| json!({"name": e["name"], "plan": e["plan"]})).collect::<Vec<_>>(),
        "errors": 0,
        "checks": checks,
    }))
}
