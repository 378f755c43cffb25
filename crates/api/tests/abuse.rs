//! Issue 9: abuse — each answered with a clear error or a limit, other users unaffected.

use myrelay_test_support::{TestApp, TicketRoom, database_url_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::net::{IpAddr, Ipv4Addr};

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn deeply_nested_and_invalid_utf8_json_are_400(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("nester").await;
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let nested_obj = format!(
        "{{\"description\": {}1{}}}",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    for body in [
        deep.into_bytes(),
        nested_obj.into_bytes(),
        b"{\"description\": \"\xff\xfe\xfd\"}".to_vec(),
        b"\xc3\x28".to_vec(),
    ] {
        let r = app
            .send_raw(
                Method::POST,
                "/tickets",
                Some(&u.token),
                "application/json",
                body,
            )
            .await;
        let status = r.status();
        let b: Value = r.json().await.unwrap();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{status} {b}"
        );
        assert!(b["code"].is_string());
    }
    // Bodies are JSON objects: an array or a scalar is not "all fields omitted".
    let id = app.ticket(&u, "shape").await;
    for body in ["[]", "[1]", "42", "\"x\"", "null"] {
        let r = app
            .send_raw(
                Method::PATCH,
                &format!("/tickets/{id}/assign"),
                Some(&u.token),
                "application/json",
                body,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    // The server is fine afterwards.
    let (s, _) = app
        .post("/tickets", &u.token, json!({ "description": "still here" }))
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn thousands_of_joins_hit_a_per_connection_room_limit(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("watcher").await;
    let u = app.register("owner").await;
    sqlx::query("INSERT INTO tickets (description, created_by_user_id) SELECT 'bulk ' || g, $1 FROM generate_series(1, 150) g")
        .bind(u.id)
        .execute(&app.state.db)
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let s = app.socket(&admin.token).await;
    let mut ok = 0;
    let mut limited = 0;
    for _round in 0..10 {
        for id in &ids {
            let ack = s.try_join(*id).await;
            if ack["ok"] == true {
                ok += 1;
            } else {
                assert_eq!(ack["error"]["code"], "conflict", "{ack}");
                limited += 1;
            }
        }
    }
    assert_eq!(ok, 100 * 10, "re-joining a room already joined is fine");
    assert_eq!(limited, 50 * 10);
    // Leaving one frees a place.
    s.leave(ids[0]).await;
    s.join(ids[149]).await;
    // Another user is unaffected.
    app.joined_socket(&u.token, ids[5]).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn login_brute_force_is_limited_per_email_across_addresses_and_others_are_unaffected(
    pool: PgPool,
) {
    let app = TestApp::spawn_with(pool, |c| c.rate_limit = true).await;
    app.register("victim").await;
    app.register("bystander").await;
    let from = |last: u8| {
        reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
            .build()
            .unwrap()
    };
    let mut statuses = Vec::new();
    // One guess from each of 14 addresses: the per-IP limit never triggers, the per-email one does.
    for i in 0..14u8 {
        let r = from(10 + i)
            .post(app.url("/auth/login"))
            .json(&json!({ "email": "victim@test.example", "password": format!("guess-{i}-xyz") }))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    // Another account, from another address, signs in normally.
    let r = from(99)
        .post(app.url("/auth/login"))
        .json(&json!({ "email": "bystander@test.example", "password": "password-123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn sql_is_only_ever_static_text() {
    // sqlx 0.9 takes `&'static str` SQL; the only way around it is its "assert SQL safe"
    // wrapper, which no
    // crate may use. Values always travel as bind parameters.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 20);
    let needle = ["Assert", "SqlSafe"].concat();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains(&needle),
            "{} bypasses static SQL",
            f.display()
        );
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn secrets_never_reach_the_logs(pool: PgPool) {
    let url = database_url_of(&pool);
    let port = myrelay_test_support::services::free_port();
    let secret = "log-audit-secret-0123456789-abcdefghij";
    let log = std::env::temp_dir().join(format!("myrelay-log-audit-{port}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_myrelay-api"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("MYRELAY_ADDR", format!("127.0.0.1:{port}"))
        .env("MYRELAY_JWT_SECRET", secret)
        .env("MYRELAY_BCRYPT_COST", "4")
        .env("RUST_LOG", "debug")
        .env("MYRELAY_LOG_FORMAT", "json")
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let api = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    while http.get(format!("{api}/health")).send().await.is_err() {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let password = "very-private-password-42";
    let r: Value = http
        .post(format!("{api}/auth/register"))
        .json(
            &json!({ "email": "logs@test.example", "password": password, "display_name": "Logs" }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap().to_string();
    http.post(format!("{api}/auth/login"))
        .json(&json!({ "email": "logs@test.example", "password": password }))
        .send()
        .await
        .unwrap();
    http.post(format!("{api}/auth/login"))
        .json(&json!({ "email": "logs@test.example", "password": "wrong-password-99" }))
        .send()
        .await
        .unwrap();
    http.get(format!("{api}/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    http.get(format!("{api}/auth/me"))
        .header("cookie", format!("myrelay_session={token}"))
        .send()
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("request_id"),
        "requests are logged with their id"
    );
    for (what, s) in [
        ("password", password),
        ("wrong password", "wrong-password-99"),
        ("JWT secret", secret),
        ("token", token.as_str()),
    ] {
        assert!(!text.contains(s), "the {what} appears in the logs");
    }
    let _ = std::fs::remove_file(log);
}
