//! Issue 13: read pointers, unread counts, previews, live activity, message search,
//! notification settings (SPEC §10).

use myrelay_test_support::{Session, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(3);
const QUIET: Duration = Duration::from_millis(400);

async fn say(app: &TestApp, who: &Session, ticket: i64, text: &str) -> Value {
    let (s, m) = app
        .post(
            &format!("/tickets/{ticket}/messages"),
            &who.token,
            json!({ "content": text }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m
}

async fn read(app: &TestApp, who: &Session, ticket: i64, seq: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/tickets/{ticket}/read"),
        &who.token,
        json!({ "seq": seq }),
    )
    .await
}

/// `ticket id → unread_count` over every page of `path` for `who`.
async fn unread_in_list(app: &TestApp, who: &Session, path: &str) -> Vec<(i64, i64)> {
    let (s, page) = app.get(path, &who.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let mut out: Vec<(i64, i64)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["unread_count"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort_unstable();
    out
}

async fn unread_of(app: &TestApp, who: &Session, ticket: i64) -> i64 {
    let (s, t) = app.get(&format!("/tickets/{ticket}"), &who.token).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t["unread_count"].as_i64().unwrap()
}

async fn me_unread(app: &TestApp, who: &Session) -> Value {
    let (s, me) = app.get("/auth/me", &who.token).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    me["unread"].clone()
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn unread_counts_are_exact_through_sends_reads_and_reconnects(pool: PgPool) {
    // One secret for both processes, so the tokens outlive the restart.
    let secret = |c: &mut myrelay_core::Config| {
        c.jwt_secret = b"a-secret-that-survives-the-restart".to_vec();
    };
    let app = TestApp::spawn_with(pool.clone(), secret).await;
    let user = app.register("carla").await;
    let agent = app.agent("maya").await;
    let a = app.ticket(&user, "first case").await;
    let b = app.ticket(&user, "second case").await;
    let c = app.ticket(&user, "third case").await;
    for t in [a, b] {
        app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
            .await;
    }
    // Interleaved: the customer writes on a and b, the agent answers on a.
    say(&app, &user, a, "hello on a").await; // a:1 (user)
    say(&app, &user, b, "hello on b").await; // b:1 (user)
    say(&app, &agent, a, "answer on a").await; // a:2 (agent)
    say(&app, &user, a, "thanks").await; // a:3 (user)
    say(&app, &user, b, "still there?").await; // b:2 (user)
    // The agent: a has 2 of the customer's (1 and 3) minus what their own answer covered:
    // sending moved their pointer to 2, so only 3 is unread; b has 2; c is not theirs.
    assert_eq!(unread_of(&app, &agent, a).await, 1);
    assert_eq!(unread_of(&app, &agent, b).await, 2);
    assert_eq!(
        unread_in_list(&app, &agent, "/tickets?scope=mine").await,
        vec![(a, 1), (b, 2)]
    );
    // The customer's own messages never count: only the agent's answer (a:2) is unread.
    assert_eq!(
        unread_of(&app, &user, a).await,
        0,
        "sending moved the pointer to 3"
    );
    assert_eq!(
        unread_in_list(&app, &user, "/tickets").await,
        vec![(a, 0), (b, 0), (c, 0)]
    );
    say(&app, &agent, b, "yes").await; // b:3 (agent)
    assert_eq!(unread_of(&app, &user, b).await, 1);
    assert_eq!(
        me_unread(&app, &user).await,
        json!({ "tickets": 1, "messages": 1 })
    );
    assert_eq!(
        me_unread(&app, &agent).await,
        json!({ "tickets": 1, "messages": 1 })
    );

    // Reads over a socket (then the socket drops) and over HTTP.
    let s = app.socket(&agent.token).await;
    let ack = s
        .emit_ack("ticket:read", json!({ "ticket_id": a, "seq": 3 }))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["unread_count"], 0);
    assert_eq!(ack["last_read_seq"], 3);
    s.close();
    let (st, r) = read(&app, &user, b, json!(3)).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        r,
        json!({ "ticket_id": b, "last_read_seq": 3, "unread_count": 0 })
    );
    assert_eq!(
        me_unread(&app, &agent).await,
        json!({ "tickets": 0, "messages": 0 })
    );
    assert_eq!(
        me_unread(&app, &user).await,
        json!({ "tickets": 0, "messages": 0 })
    );

    // A pointer never moves back, and reading twice changes nothing.
    let (st, r) = read(&app, &user, b, json!(1)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["last_read_seq"], 3);
    let (_, r) = read(&app, &user, b, json!(3)).await;
    assert_eq!(r["unread_count"], 0);

    say(&app, &agent, b, "one more").await; // b:4
    say(&app, &user, c, "and c").await; // c:1 (user, in the pool)
    // Counts survive a restart: they are in the database.
    app.shutdown().await;
    let app = TestApp::spawn_with(pool, secret).await;
    assert_eq!(unread_of(&app, &user, b).await, 1);
    assert_eq!(unread_of(&app, &agent, a).await, 0);
    // The pool ticket counts for staff (open in the pool), not for the customer who wrote it.
    assert_eq!(unread_of(&app, &agent, c).await, 1);
    assert_eq!(unread_of(&app, &user, c).await, 0);
    assert_eq!(
        me_unread(&app, &agent).await,
        json!({ "tickets": 1, "messages": 1 })
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn lists_and_the_detail_carry_the_newest_message_for_the_caller(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("dana").await;
    let t = app.ticket(&user, "preview case").await;
    let (_, fresh) = app.get(&format!("/tickets/{t}"), &user.token).await;
    assert!(fresh["last_message"].is_null(), "{fresh}");
    assert_eq!(fresh["unread_count"], 0);
    let long = format!("first line\n\n  second   line {}", "x".repeat(300));
    say(&app, &user, t, &long).await;
    let (_, page) = app.get("/tickets", &user.token).await;
    let item = &page["items"][0];
    let lm = &item["last_message"];
    assert_eq!(lm["seq"], 1);
    assert_eq!(lm["sender"]["display_name"], "dana");
    let excerpt = lm["excerpt"].as_str().unwrap();
    assert!(excerpt.starts_with("first line second line x"), "{excerpt}");
    assert_eq!(excerpt.chars().count(), 140);
    assert!(excerpt.ends_with('…'));
    let (_, detail) = app.get(&format!("/tickets/{t}"), &user.token).await;
    assert_eq!(detail["last_message"], *lm);
    assert!(detail.get("search_match").is_none());
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn bad_reads_are_clear_errors_and_change_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("eve").await;
    let other = app.register("frank").await;
    let t = app.ticket(&user, "reads").await;
    let agent = app.agent("gil").await;
    say(&app, &agent, t, "hello").await;
    for (seq, code) in [
        (json!(2), "beyond_newest"),
        (json!(-1), "range"),
        (json!(9_223_372_036_854_775_807_i64), "beyond_newest"),
    ] {
        let (s, p) = read(&app, &user, t, seq.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{seq}: {p}");
        assert_eq!(p["code"], "validation_failed");
        assert_eq!(p["errors"]["seq"][0]["code"], code, "{p}");
    }
    for bad in [
        json!({ "seq": "1" }),
        json!({ "seq": 1.5 }),
        json!({}),
        json!({ "seq": 1, "x": 1 }),
    ] {
        let (s, p) = app
            .post(&format!("/tickets/{t}/read"), &user.token, bad.clone())
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
    }
    let (s, _) = read(&app, &user, 999_999, json!(0)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = read(&app, &other, t, json!(1)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a foreign ticket does not exist for them"
    );
    // Nothing moved.
    assert_eq!(unread_of(&app, &user, t).await, 1);
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM read_pointers WHERE ticket_id = $1 AND user_id <> $2",
    )
    .bind(t)
    .bind(agent.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(rows, 0);
    // Over a socket: error acks, never silence.
    let s = app.socket(&other.token).await;
    let ack = s
        .emit_ack("ticket:read", json!({ "ticket_id": t, "seq": 1 }))
        .await;
    assert_eq!(ack["ok"], false);
    assert_eq!(ack["error"]["code"], "not_found");
    let s = app.socket(&user.token).await;
    for bad in [
        json!({ "ticket_id": t, "seq": -3 }),
        json!({ "ticket_id": t, "seq": 5 }),
        json!({ "ticket_id": t, "seq": "x" }),
        json!({ "ticket_id": "t", "seq": 1 }),
    ] {
        let ack = s.emit_ack("ticket:read", bad.clone()).await;
        assert_eq!(ack["ok"], false, "{bad}");
        assert_eq!(ack["error"]["code"], "validation_failed", "{bad}: {ack}");
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn activity_reaches_the_people_involved_without_joining(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("hana").await;
    let stranger = app.register("ivan").await;
    let agent = app.agent("jo").await;
    let other_agent = app.agent("kim").await;
    let t = app.ticket(&user, "activity").await;
    let mut su = app.socket(&user.token).await;
    let mut sa = app.socket(&agent.token).await;
    let mut so = app.socket(&other_agent.token).await;
    let mut ss = app.socket(&stranger.token).await;
    // In the pool: the creator and every agent hear it.
    let m = say(&app, &user, t, "anyone?").await;
    for s in [&mut su, &mut sa, &mut so] {
        let a = s.expect("ticket:activity", WAIT).await.expect("activity");
        assert_eq!(a["ticket_id"], t);
        assert_eq!(a["last_message"]["seq"], m["seq"]);
        assert_eq!(a["last_message"]["excerpt"], "anyone?");
        assert_eq!(a["last_message"]["sender"]["id"], user.id);
        assert!(a["updated_at"].is_string());
    }
    assert!(!ss.receives("ticket:activity", QUIET).await, "not theirs");
    // Taken: the other agent no longer hears about it.
    app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
        .await;
    say(&app, &agent, t, "on it").await;
    assert!(su.receives("ticket:activity", WAIT).await);
    assert!(sa.receives("ticket:activity", WAIT).await);
    assert!(
        !so.receives("ticket:activity", QUIET).await,
        "no longer in the pool"
    );
    assert!(!ss.receives("ticket:activity", QUIET).await);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn reading_in_one_tab_clears_the_badge_in_the_others(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("lena").await;
    let agent = app.agent("mo").await;
    let t = app.ticket(&user, "tabs").await;
    say(&app, &agent, t, "news").await;
    let tab1 = app.socket(&user.token).await;
    let mut tab2 = app.socket(&user.token).await;
    let mut agent_tab = app.socket(&agent.token).await;
    let ack = tab1
        .emit_ack("ticket:read", json!({ "ticket_id": t, "seq": 1 }))
        .await;
    assert_eq!(ack["unread_count"], 0, "{ack}");
    let u = tab2
        .expect("ticket:unread", WAIT)
        .await
        .expect("the other tab hears");
    assert_eq!(
        u,
        json!({ "ticket_id": t, "last_read_seq": 1, "unread_count": 0 })
    );
    assert!(
        !agent_tab.receives("ticket:unread", QUIET).await,
        "only the reader's tabs"
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn search_finds_words_said_in_messages_only_for_those_who_may_see_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("nora").await;
    let stranger = app.register("otto").await;
    let agent = app.agent("pia").await;
    let other_agent = app.agent("quinn").await;
    let admin = app.admin("root").await;
    let t = app.ticket(&user, "printer trouble").await;
    app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
        .await;
    say(&app, &user, t, "It smells like burnt toast when it prints").await;
    say(&app, &agent, t, "Please unplug it").await;
    let _decoy = app.ticket(&stranger, "unrelated").await;
    let search = |who: &Session| {
        let path = "/tickets?q=toast".to_string();
        let token = who.token.clone();
        let app = &app;
        async move { app.get(&path, &token).await }
    };
    for who in [&user, &agent, &admin] {
        let (s, page) = search(who).await;
        assert_eq!(s, StatusCode::OK);
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}: {page}", who.email);
        assert_eq!(items[0]["id"], t);
        let m = &items[0]["search_match"];
        assert_eq!(m["field"], "message", "{m}");
        assert_eq!(m["seq"], 1);
        let hits: Vec<&str> = m["excerpt"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["hit"] == true)
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert_eq!(hits, vec!["toast"], "{m}");
    }
    let (_, page) = app.get("/admin/tickets?q=toast", &admin.token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    for who in [&stranger, &other_agent] {
        let (s, page) = search(who).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(page["items"], json!([]), "{} must not find it", who.email);
    }
    // A match in the description (`app.ticket` files it with the subject "Help") says so,
    // and a subject match wins over a message match.
    let (_, page) = app.get("/tickets?q=printer", &user.token).await;
    assert_eq!(page["items"][0]["search_match"]["field"], "description");
    say(&app, &user, t, "I need help").await;
    let (_, page) = app.get("/tickets?q=help", &user.token).await;
    assert_eq!(page["items"][0]["search_match"]["field"], "subject");
    // What was said cannot forge a highlight: the marker characters are stripped before the
    // search highlights, and markup comes back as plain text parts.
    say(&app, &user, t, "\u{1}grill\u{2} <b>toaster</b> oven").await;
    let (_, page) = app.get("/tickets?q=oven", &user.token).await;
    let parts = page["items"][0]["search_match"]["excerpt"]
        .as_array()
        .unwrap()
        .clone();
    let hits: Vec<&str> = parts
        .iter()
        .filter(|p| p["hit"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(hits, vec!["oven"], "{parts:?}");
    let text: String = parts.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert!(text.contains("grill") && text.contains("toaster"), "{text}");
    assert!(!text.contains('\u{1}') && !text.contains('\u{2}'));
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn notification_settings_are_stored_per_person(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let a = app.register("rita").await;
    let b = app.register("sam").await;
    let (s, p) = app.get("/auth/me/preferences", &a.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p, json!({ "browser_notifications": true, "sound": false }));
    let (s, p) = app
        .patch("/auth/me/preferences", &a.token, json!({ "sound": true }))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p, json!({ "browser_notifications": true, "sound": true }));
    let (_, p) = app
        .patch(
            "/auth/me/preferences",
            &a.token,
            json!({ "browser_notifications": false }),
        )
        .await;
    assert_eq!(p, json!({ "browser_notifications": false, "sound": true }));
    let (_, p) = app.get("/auth/me/preferences", &b.token).await;
    assert_eq!(p, json!({ "browser_notifications": true, "sound": false }));
    for bad in [json!({ "sound": "yes" }), json!({ "volume": 3 })] {
        let (s, _) = app.patch("/auth/me/preferences", &a.token, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, p) = app.get("/auth/me/preferences", &a.token).await;
    assert_eq!(p, json!({ "browser_notifications": false, "sound": true }));
}

/// The server's connections run every statement on its generic plan (planned once per
/// connection); the list and search statements are written for it (crates/api/src/db.rs).
#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_server_plans_each_statement_once(pool: PgPool) {
    let url = myrelay_test_support::database_url_of(&pool);
    let server_pool = myrelay_api::connect(&myrelay_core::Config::for_tests(&url))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("SELECT current_setting('plan_cache_mode')")
        .fetch_one(&server_pool)
        .await
        .unwrap();
    assert_eq!(mode, "force_generic_plan");
    // The search statement under those plans: a rare word is found, a common one pages.
    let app = TestApp::spawn(server_pool).await;
    let user = app.register("carla").await;
    let agent = app.agent("maya").await;
    let mut tickets = Vec::new();
    for i in 0..30 {
        let t = app.ticket(&user, &format!("case {i}")).await;
        say(&app, &user, t, &format!("the kettle hums, case {i}")).await;
        tickets.push(t);
    }
    say(&app, &user, tickets[7], "and the toaster sparks").await;
    let (_, page) = app.get("/tickets?q=toaster", &agent.token).await;
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![tickets[7]], "{page}");
    let mut seen = 0;
    let mut pages = app.pages("/tickets?q=kettle&limit=7", &agent.token);
    while let Some(page) = pages.next_page().await {
        seen += page["items"].as_array().unwrap().len();
    }
    assert_eq!(seen, 30);

    // A common word (more than the probe's 1 000 matches): the list is walked in order and
    // each ticket tested — subject or description, messages, notes for staff.
    let a = app.ticket(&user, "the first of three").await;
    let b = app.ticket(&user, "a walrus in the description").await;
    let c = app.ticket(&user, "the third of three").await;
    sqlx::query(
        "WITH m AS (
           INSERT INTO messages (ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id)
           SELECT $1, n, n, $2, 'user', 'walrus ' || n, 'bulk-' || n FROM generate_series(1, 1200) n
           RETURNING 1)
         UPDATE tickets SET last_seq = 1200, last_staff_seq = 1200 WHERE id = $1",
    )
    .bind(a)
    .bind(user.id)
    .execute(&app.state.db)
    .await
    .unwrap();
    app.assign(c, &agent).await;
    let (s, note) = app
        .post(
            &format!("/tickets/{c}/messages"),
            &agent.token,
            json!({ "content": "a walrus, said the agent", "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    let found = |page: &Value| -> Vec<(i64, String)> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let field = t["search_match"]["field"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string();
                (t["id"].as_i64().unwrap(), field)
            })
            .collect()
    };
    let (_, page) = app.get("/tickets?q=walrus", &agent.token).await;
    let mut got = found(&page);
    got.sort();
    assert_eq!(
        got,
        vec![
            (a, "message".into()),
            (b, "description".into()),
            (c, "note".into())
        ],
        "{page}"
    );
    let (_, page) = app.get("/tickets?q=walrus", &user.token).await;
    let mut got = found(&page);
    got.sort();
    assert_eq!(
        got,
        vec![(a, "message".into()), (b, "description".into())],
        "{page}"
    );
}
