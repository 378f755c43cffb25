//! Issue 9: fault injection. PostgreSQL restarted mid-chat, the API killed with SIGKILL and
//! restarted, Redis restarted under two instances. Acknowledged messages are never lost and
//! never stored twice; everyone ends with the same gap-free history.

use myrelay_test_support::services::{PrivatePg, PrivateRedis, free_port};
use myrelay_test_support::sio::SioClient;
use myrelay_test_support::{
    TestApp, TicketRoom, database_url_of, ints, session_from, stored_messages,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// Send until acknowledged (same client_id on every retry); returns the stored seq.
async fn send_until_acked(
    s: &SioClient,
    ticket: i64,
    client_id: &str,
    deadline: Duration,
) -> Option<i64> {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if let Some(ack) = s
            .try_emit_ack(
                "ticket:message:send",
                json!({ "ticket_id": ticket, "content": format!("msg {client_id}"), "client_id": client_id }),
            )
            .await
            && ack["ok"] == true
        {
            return ack["message"]["seq"].as_i64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

fn assert_gapless_and_complete(rows: &[(i64, String)], acked: &BTreeMap<String, i64>) {
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        seqs,
        (1..=rows.len() as i64).collect::<Vec<_>>(),
        "gapless seq"
    );
    let mut ids: Vec<&String> = rows.iter().map(|r| &r.1).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "no message stored twice");
    for (cid, seq) in acked {
        assert!(
            rows.iter().any(|(s, c)| c == cid && s == seq),
            "acked {cid} (seq {seq}) is stored"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_chat_answers_503_then_recovers_losing_nothing() {
    let pg = PrivatePg::start();
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(2))
        .connect(&pg.url())
        .await
        .unwrap();
    myrelay_api::MIGRATOR.run(&pool).await.unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let (u, a, t) = app
        .conversation("fault-user", "fault-agent", "fault injection")
        .await;
    let su = app.joined_socket(&u.token, t).await;
    let mut sa = app.joined_socket(&a.token, t).await;

    let mut acked = BTreeMap::new();
    for i in 0..15 {
        let cid = format!("before-{i}");
        acked.insert(
            cid.clone(),
            send_until_acked(&su, t, &cid, WAIT).await.expect("acked"),
        );
    }

    pg.down();
    // While the database is away: clear, fast answers — never a hang, never a crash.
    let started = Instant::now();
    let (s, body) = app.call(Method::GET, "/ready", None, None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "service_unavailable");
    let (s, body) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &u.token,
            json!({ "content": "during", "client_id": "during-http" }),
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "service_unavailable");
    let ack = su
        .try_emit_ack(
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "during", "client_id": "during-socket" }),
        )
        .await
        .expect("an ack, not silence");
    assert_eq!(ack["ok"], false);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answers while down took {:?}",
        started.elapsed()
    );
    let (s, _) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(s, StatusCode::OK, "the process is alive");

    pg.up();
    // It recovers by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (s, _) = app.call(Method::GET, "/ready", None, None).await;
        if s == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "/ready did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Clients retry what was not acknowledged, with the same client_id.
    for cid in ["during-http", "during-socket"] {
        acked.insert(
            cid.into(),
            send_until_acked(&su, t, cid, WAIT)
                .await
                .expect("acked after recovery"),
        );
    }
    for i in 0..15 {
        let cid = format!("after-{i}");
        acked.insert(
            cid.clone(),
            send_until_acked(&su, t, &cid, WAIT).await.expect("acked"),
        );
    }
    let rows = stored_messages(&pool, t).await;
    assert_eq!(rows.len(), acked.len());
    assert_gapless_and_complete(&rows, &acked);
    // The other member catches up from its last seq and sees the same history.
    let last_seen = sa
        .drain("ticket:message:new", Duration::from_millis(100))
        .await
        .iter()
        .map(|m| m["message"]["seq"].as_i64().unwrap())
        .fold(0, i64::max);
    let (_, page) = app
        .get(
            &format!("/tickets/{t}/messages?after_seq={last_seen}&limit=100"),
            &a.token,
        )
        .await;
    assert_eq!(
        ints(&page["items"], "seq"),
        ((last_seen + 1)..=rows.len() as i64).collect::<Vec<_>>()
    );
}

struct ApiProcess {
    child: std::process::Child,
}

impl ApiProcess {
    async fn start(db_url: &str, port: u16) -> ApiProcess {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_myrelay-api"))
            .arg("serve")
            .env("DATABASE_URL", db_url)
            .env("MYRELAY_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "MYRELAY_JWT_SECRET",
                "the-same-secret-across-restarts-of-this-test",
            )
            .env("MYRELAY_BCRYPT_COST", "4")
            .env("MYRELAY_RATE_LIMIT", "off")
            .env("MYRELAY_COOKIE_SECURE", "false")
            .env("RUST_LOG", "warn")
            .env_remove("REDIS_URL")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn myrelay-api");
        let deadline = Instant::now() + Duration::from_secs(20);
        while reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "myrelay-api did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        ApiProcess { child }
    }

    fn sigkill(&mut self) {
        // SIGKILL: no graceful shutdown, nothing flushed.
        let _ = std::process::Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn api_killed_with_sigkill_and_restarted_loses_no_acked_message(pool: PgPool) {
    let port = free_port();
    let url = database_url_of(&pool);
    let mut api = ApiProcess::start(&url, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let register = |name: &'static str| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let r = http
                .post(format!("{base}/auth/register"))
                .json(&json!({ "email": format!("{name}@kill.example"), "password": "password-123", "display_name": name }))
                .send()
                .await
                .unwrap();
            session_from(&r.json::<Value>().await.unwrap())
        }
    };
    let u = register("killed-user").await;
    let a = register("killed-agent").await;
    sqlx::query("UPDATE users SET role = 'agent' WHERE id = $1")
        .bind(a.id)
        .execute(&pool)
        .await
        .unwrap();
    let t: i64 = http
        .post(format!("{base}/tickets"))
        .bearer_auth(&u.token)
        .json(&json!({ "description": "kill -9" }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let su = SioClient::connect(addr, Some(&u.token), None)
        .await
        .unwrap();
    let mut sa = SioClient::connect(addr, Some(&a.token), None)
        .await
        .unwrap();
    su.join(t).await;
    sa.join(t).await;

    // Both members talk; each records what was acked and what it received.
    let mut acked = BTreeMap::new();
    let mut seen_by_agent: Vec<i64> = Vec::new();
    for i in 0..20 {
        let cid = format!("u-{i}");
        acked.insert(
            cid.clone(),
            send_until_acked(&su, t, &cid, WAIT).await.unwrap(),
        );
        let cid = format!("a-{i}");
        let seq = send_until_acked(&sa, t, &cid, WAIT).await.unwrap();
        seen_by_agent.push(seq);
        acked.insert(cid, seq);
    }
    // A burst in flight when the process dies: some acked, some not.
    let inflight: Vec<String> = (0..10).map(|i| format!("burst-{i}")).collect();
    for cid in &inflight {
        su.send_raw(&format!(
            "420{}",
            json!(["ticket:message:send", { "ticket_id": t, "content": cid, "client_id": cid }])
        ));
    }
    api.sigkill();
    for m in sa
        .drain("ticket:message:new", Duration::from_millis(50))
        .await
    {
        seen_by_agent.push(m["message"]["seq"].as_i64().unwrap());
    }
    drop(su);
    drop(sa);

    let _api = ApiProcess::start(&url, port).await;
    // Reconnect with the same tokens (sessions live in the database) and catch up.
    let su = SioClient::connect(addr, Some(&u.token), None)
        .await
        .expect("reconnect after restart");
    let sa = SioClient::connect(addr, Some(&a.token), None)
        .await
        .expect("reconnect after restart");
    for cid in &inflight {
        acked.insert(
            cid.clone(),
            send_until_acked(&su, t, cid, WAIT).await.unwrap(),
        );
    }
    let last_agent = *seen_by_agent.iter().max().unwrap_or(&0);
    let join = sa.join_after(t, last_agent).await;
    let missed = ints(&join["missed_messages"], "seq");
    let join_u = su.join_after(t, 0).await;
    let user_view = ints(&join_u["missed_messages"], "seq");

    let rows = stored_messages(&pool, t).await;
    assert_gapless_and_complete(&rows, &acked);
    let mut agent_view: Vec<i64> = seen_by_agent
        .into_iter()
        .filter(|s| *s <= last_agent)
        .collect();
    agent_view.extend(missed);
    agent_view.sort();
    agent_view.dedup();
    let all: Vec<i64> = (1..=rows.len() as i64).collect();
    assert_eq!(agent_view, all, "the agent ends with the whole history");
    assert_eq!(user_view, all, "the user ends with the whole history");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn redis_restarted_under_two_instances_local_rooms_keep_working_and_it_reconnects(
    pool: PgPool,
) {
    let mut redis = PrivateRedis::start();
    let (a, b) = TestApp::spawn_pair(pool, &redis.url()).await;
    let (u, agent, t) = a
        .conversation("fault-user", "fault-agent", "fault injection")
        .await;
    let su = a.joined_socket(&u.token, t).await;
    let mut su2 = a.joined_socket(&u.token, t).await; // a second tab on the same instance
    let mut sb = b.joined_socket(&agent.token, t).await; // the agent on the other instance
    assert!(send_until_acked(&su, t, "m0", WAIT).await.is_some());
    assert!(
        sb.receives("ticket:message:new", WAIT).await,
        "cross-instance before the fault"
    );
    assert!(su2.receives("ticket:message:new", WAIT).await);

    redis.down();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Local rooms keep working, and HTTP is unaffected.
    assert!(
        send_until_acked(&su, t, "m1", WAIT).await.is_some(),
        "sends are still acknowledged"
    );
    assert!(
        su2.receives("ticket:message:new", WAIT).await,
        "same-instance member still receives"
    );
    let (s, _) = a.get(&format!("/tickets/{t}"), &u.token).await;
    assert_eq!(s, StatusCode::OK);

    redis.up();
    // Instances reconnect to Redis by themselves.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut i = 2;
    loop {
        sb.drain("ticket:message:new", Duration::from_millis(10))
            .await;
        assert!(
            send_until_acked(&su, t, &format!("m{i}"), WAIT)
                .await
                .is_some()
        );
        if sb
            .receives("ticket:message:new", Duration::from_millis(500))
            .await
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cross-instance delivery did not come back after Redis restarted"
        );
        i += 1;
    }
}
