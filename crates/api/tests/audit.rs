//! Issue 14: the ticket timeline (`GET /tickets/{id}/events`, `ticket:event`) and the audit
//! log (`GET /admin/audit`), append-only in the database.

use myrelay_test_support::{Session, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(3);

fn kinds(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect()
}

/// A ticket filed by `user`, taken by `agent`, resolved by `agent`.
async fn worked_ticket(app: &TestApp, user: &Session, agent: &Session) -> i64 {
    let t = app.ticket(user, "my printer is on fire").await;
    let (s, _) = app
        .patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .patch(
            &format!("/tickets/{t}/status"),
            &agent.token,
            json!({ "status": "resolved" }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    t
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_timeline_shows_each_change_with_its_actor_before_and_after(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("maria").await;
    let agent = app.agent("maya").await;
    let t = worked_ticket(&app, &user, &agent).await;

    let (s, page) = app.get(&format!("/tickets/{t}/events"), &user.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(kinds(&page), ["created", "assigned", "status_changed"]);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items[0]["actor"]["id"], user.id);
    assert_eq!(items[0]["before"], Value::Null);
    assert_eq!(
        items[0]["after"],
        json!({ "status": "open", "assignee": null })
    );
    // Taken by an agent, by display name.
    assert_eq!(items[1]["actor"]["display_name"], "maya");
    assert_eq!(
        items[1]["before"],
        json!({ "status": "open", "assignee": null })
    );
    assert_eq!(items[1]["after"]["status"], "assigned");
    assert_eq!(items[1]["after"]["assignee"]["display_name"], "maya");
    assert_eq!(items[2]["before"]["status"], "assigned");
    assert_eq!(items[2]["after"]["status"], "resolved");
    assert_eq!(items[2]["after"]["assignee"]["id"], agent.id);
    assert_eq!(page["next_cursor"], Value::Null);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn timeline_visibility_follows_the_ticket_policy_per_role(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("owner").await;
    let stranger = app.register("stranger").await;
    let agent = app.agent("holder").await;
    let other_agent = app.agent("bystander").await;
    let admin = app.admin("boss").await;
    let t = worked_ticket(&app, &user, &agent).await;
    let path = format!("/tickets/{t}/events");

    // The customer, the assignee and admins read it; staff see every kind.
    for who in [&user, &agent, &admin] {
        let (s, page) = app.get(&path, &who.token).await;
        assert_eq!(s, StatusCode::OK, "{}: {page}", who.email);
        assert_eq!(kinds(&page), ["created", "assigned", "status_changed"]);
    }
    // Someone else's ticket answers 404, to a customer and to an agent who does not hold it.
    for who in [&stranger, &other_agent] {
        let (s, body) = app.get(&path, &who.token).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}: {body}", who.email);
        assert_eq!(body["code"], "not_found");
    }
    let (s, _) = app.get("/tickets/999999/events", &admin.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn timeline_pages_oldest_first_with_a_cursor(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("pager").await;
    let agent = app.agent("pagent").await;
    let t = app.ticket(&user, "many changes").await;
    for _ in 0..3 {
        app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
            .await;
        app.patch(
            &format!("/tickets/{t}/assign"),
            &agent.token,
            json!({ "agent_id": null }),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/tickets/{t}/events?limit=2&cursor={c}"),
            None => format!("/tickets/{t}/events?limit=2"),
        };
        let (s, page) = app.get(&path, &user.token).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for e in page["items"].as_array().unwrap() {
            seen.push((
                e["id"].as_i64().unwrap(),
                e["kind"].as_str().unwrap().to_string(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let kinds: Vec<&str> = seen.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created", "assigned", "released", "assigned", "released", "assigned", "released"
        ]
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "ascending ids");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn bad_timeline_and_audit_queries_are_422_problems(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("asker").await;
    let admin = app.admin("auditor").await;
    let t = app.ticket(&user, "x").await;
    let bad = [
        (format!("/tickets/{t}/events?cursor=nope"), &user, "cursor"),
        (format!("/tickets/{t}/events?limit=0"), &user, "limit"),
        (format!("/tickets/{t}/events?limit=101"), &user, "limit"),
        ("/admin/audit?cursor=1_2_3".to_string(), &admin, "cursor"),
        ("/admin/audit?limit=0".to_string(), &admin, "limit"),
        ("/admin/audit?limit=101".to_string(), &admin, "limit"),
        ("/admin/audit?kind=exploded".to_string(), &admin, "query"),
        ("/admin/audit?from=yesterday".to_string(), &admin, "query"),
    ];
    for (path, who, field) in bad {
        let res = app
            .http
            .get(app.url(&path))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "validation_failed", "{path}: {body}");
        assert!(body["errors"][field].is_array(), "{path}: {body}");
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_room_hears_ticket_events_live(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("watcher").await;
    let agent = app.agent("worker").await;
    let t = app.ticket(&user, "live please").await;
    let mut su = app.socket(&user.token).await;
    let ack = su.emit_ack("ticket:join", json!({ "ticket_id": t })).await;
    assert_eq!(ack["ok"], true, "{ack}");
    // The agent's second tab in the room too.
    let sa1 = app.socket(&agent.token).await;
    let mut sa2 = app.socket(&agent.token).await;
    for s in [&sa1, &sa2] {
        let ack = s.emit_ack("ticket:join", json!({ "ticket_id": t })).await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
        .await;
    for s in [&mut su, &mut sa2] {
        let e = s.expect("ticket:event", WAIT).await.expect("ticket:event");
        assert_eq!(e["event"]["kind"], "assigned");
        assert_eq!(e["event"]["ticket_id"], t);
        assert_eq!(e["event"]["actor"]["display_name"], "worker");
        assert_eq!(e["event"]["after"]["assignee"]["id"], agent.id);
    }
    app.patch(
        &format!("/tickets/{t}/status"),
        &agent.token,
        json!({ "status": "resolved" }),
    )
    .await;
    let e = su.expect("ticket:event", WAIT).await.expect("status event");
    assert_eq!(e["event"]["kind"], "status_changed");
    assert_eq!(e["event"]["after"]["status"], "resolved");
    // The live object is the one the timeline lists.
    let (_, page) = app.get(&format!("/tickets/{t}/events"), &user.token).await;
    assert_eq!(page["items"][2], e["event"]);
}

/// Admin `x` changes user `id` with `body`.
async fn admin_patch(app: &TestApp, admin: &Session, id: i64, body: Value) {
    let (s, b) = app
        .patch(&format!("/admin/users/{id}"), &admin.token, body)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_audit_log_shows_role_changes_deactivations_and_status_changes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("root").await;
    let user = app.register("client").await;
    let agent = app.agent("staffer").await;
    let promoted = app.register("rising").await;
    let t = worked_ticket(&app, &user, &agent).await;
    admin_patch(&app, &admin, promoted.id, json!({ "role": "agent" })).await;
    admin_patch(&app, &admin, user.id, json!({ "is_active": false })).await;

    let (s, page) = app.get("/admin/audit", &admin.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    // Newest first.
    let deactivation = &items[0];
    assert_eq!(deactivation["source"], "account");
    assert_eq!(deactivation["kind"], "deactivated");
    assert_eq!(deactivation["actor"]["id"], admin.id);
    assert_eq!(deactivation["user"]["id"], user.id);
    assert_eq!(
        deactivation["before"],
        json!({ "role": "user", "is_active": true })
    );
    assert_eq!(
        deactivation["after"],
        json!({ "role": "user", "is_active": false })
    );
    let role = &items[1];
    assert_eq!(role["kind"], "role_changed");
    assert_eq!(role["actor"]["display_name"], "root");
    assert_eq!(role["user"]["display_name"], "rising");
    assert_eq!(role["before"]["role"], "user");
    assert_eq!(role["after"]["role"], "agent");
    let status = &items[2];
    assert_eq!(status["source"], "ticket");
    assert_eq!(status["kind"], "status_changed");
    assert_eq!(status["ticket_id"], t);
    assert_eq!(status["actor"]["id"], agent.id);
    assert_eq!(status["before"]["status"], "assigned");
    assert_eq!(status["after"]["status"], "resolved");
    // Registration is recorded with the new user as its actor.
    let reg = items
        .iter()
        .find(|e| e["kind"] == "registered" && e["user"]["id"] == promoted.id)
        .expect("registration");
    assert_eq!(reg["actor"]["id"], promoted.id);
    assert_eq!(reg["before"], Value::Null);
    assert_eq!(reg["after"], json!({ "role": "user", "is_active": true }));
    let times: Vec<&str> = items
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn audit_filters_and_pages_cover_both_logs(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("root").await;
    let user = app.register("client").await;
    let agent = app.agent("staffer").await;
    let t = worked_ticket(&app, &user, &agent).await;
    let other = app.ticket(&user, "another").await;
    admin_patch(&app, &admin, user.id, json!({ "is_active": false })).await;
    admin_patch(&app, &admin, user.id, json!({ "is_active": true })).await;

    let get = |q: String| {
        let app = &app;
        let token = admin.token.clone();
        async move {
            let (s, page) = app.get(&format!("/admin/audit?{q}"), &token).await;
            assert_eq!(s, StatusCode::OK, "{q}: {page}");
            page
        }
    };
    // What the agent did, their own registration included.
    let page = get(format!("actor={}", agent.id)).await;
    assert_eq!(kinds(&page), ["status_changed", "assigned", "registered"]);
    let page = get(format!("ticket={t}")).await;
    assert_eq!(kinds(&page), ["status_changed", "assigned", "created"]);
    let page = get(format!("ticket={other}")).await;
    assert_eq!(kinds(&page), ["created"]);
    let page = get(format!("user={}", user.id)).await;
    assert_eq!(kinds(&page), ["reactivated", "deactivated", "registered"]);
    let page = get("kind=deactivated&kind=created".into()).await;
    assert_eq!(kinds(&page), ["deactivated", "created", "created"]);
    let page = get("from=2100-01-01T00:00:00Z".into()).await;
    assert_eq!(kinds(&page), Vec::<&str>::new());
    let page = get("to=2000-01-01T00:00:00Z".into()).await;
    assert_eq!(kinds(&page), Vec::<&str>::new());
    // A range that ends before it starts is empty, not an error.
    let page = get("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z".into()).await;
    assert_eq!(kinds(&page), Vec::<&str>::new());
    let page = get("from=2000-01-01T00:00:00%2B02:00&to=2100-01-01T00:00:00Z".into()).await;
    assert!(kinds(&page).len() >= 9, "offsets are read as such");

    // Every entry exactly once across pages of one, in the same order as one big page.
    let all = get("limit=100".into()).await;
    let key = |e: &Value| format!("{}:{}", e["source"], e["id"]);
    let want: Vec<String> = all["items"].as_array().unwrap().iter().map(key).collect();
    assert!(want.len() >= 9, "{want:?}");
    let mut got = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = get(format!("limit=1{cursor}")).await;
        got.extend(page["items"].as_array().unwrap().iter().map(key));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(got, want);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn only_admins_read_the_audit_log(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("nosy").await;
    let agent = app.agent("curious").await;
    for who in [&user, &agent] {
        let (s, body) = app.get("/admin/audit", &who.token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
    }
    let res = app.http.get(app.url("/admin/audit")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn admins_from_the_cli_and_environment_are_recorded_without_an_actor(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    myrelay_auth::accounts::create_admin(
        &app.state,
        "cli@test.example",
        "admin-password",
        "Cli",
        myrelay_auth::accounts::AccountVia::Cli,
    )
    .await
    .unwrap();
    let (_, body) = app.login("cli@test.example", "admin-password").await;
    let token = body["token"].as_str().unwrap();
    let (s, page) = app.get("/admin/audit?kind=admin_created", token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let e = &page["items"][0];
    assert_eq!(e["actor"], Value::Null);
    assert_eq!(e["via"], "cli");
    assert_eq!(e["user"]["display_name"], "Cli");
    assert_eq!(e["after"], json!({ "role": "admin", "is_active": true }));
}

/// Run `sql` as the connecting superuser and return the database's error message.
async fn refused(pool: &PgPool, sql: &'static str) -> String {
    match sqlx::query(sql).execute(pool).await {
        Ok(r) => panic!("{sql} succeeded ({} rows)", r.rows_affected()),
        Err(e) => e.to_string(),
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_database_refuses_to_change_or_delete_log_entries(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let admin = app.admin("root").await;
    let user = app.register("client").await;
    app.ticket(&user, "evidence").await;
    admin_patch(&app, &admin, user.id, json!({ "role": "agent" })).await;
    let superuser: bool =
        sqlx::query_scalar("SELECT usesuper FROM pg_user WHERE usename = current_user")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(superuser, "the refusal holds even for a superuser");

    let statements: [(&str, [&'static str; 5]); 2] = [
        (
            "ticket_events",
            [
                "UPDATE ticket_events SET kind = kind",
                "UPDATE ticket_events SET created_at = now() WHERE id = (SELECT min(id) FROM ticket_events)",
                "DELETE FROM ticket_events",
                "DELETE FROM ticket_events WHERE false",
                "TRUNCATE ticket_events CASCADE",
            ],
        ),
        (
            "user_events",
            [
                "UPDATE user_events SET kind = kind",
                "UPDATE user_events SET created_at = now() WHERE id = (SELECT min(id) FROM user_events)",
                "DELETE FROM user_events",
                "DELETE FROM user_events WHERE false",
                "TRUNCATE user_events CASCADE",
            ],
        ),
    ];
    for (table, sqls) in statements {
        for sql in sqls {
            let msg = refused(&pool, sql).await;
            assert!(
                msg.contains(&format!("{table} is append-only")),
                "{sql}: {msg}"
            );
        }
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM ticket_events) + (SELECT count(*) FROM user_events)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(n >= 4, "every entry is still there ({n})");
    // Appending still works.
    let t = app.ticket(&user, "more").await;
    let (s, page) = app.get(&format!("/tickets/{t}/events"), &user.token).await;
    assert_eq!((s, kinds(&page)), (StatusCode::OK, vec!["created"]));
}
