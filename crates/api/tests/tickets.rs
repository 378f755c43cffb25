//! Issue 3: tickets and messages over HTTP — lifecycle, policy, races, pagination, limits.

use myrelay_test_support::{Session, TestApp, ints, items, stored_messages};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashSet;

/// Put ticket `id` into `status` (with `agent` as assignee where the status needs one)
/// directly in the database, to set up a lifecycle case.
async fn force(app: &TestApp, id: i64, status: &str, agent: Option<i64>) {
    sqlx::query(
        "UPDATE tickets SET status = $2::ticket_status, assigned_agent_id = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(agent)
    .execute(&app.state.db)
    .await
    .unwrap();
}

struct Cast {
    user: Session,
    agent: Session,
    other_agent: Session,
    admin: Session,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        user: app.register("user").await,
        agent: app.agent("agent").await,
        other_agent: app.agent("other").await,
        admin: app.admin("admin").await,
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn lifecycle_every_pair_of_statuses_for_each_role(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let statuses = ["open", "assigned", "resolved", "closed"];
    // Expected outcome of PATCH /status from → to, per actor. The assigned agent is
    // `c.agent` whenever the status has an assignee.
    let expect = |who: &str, from: &str, to: &str| -> u16 {
        let allowed_by_table = matches!(
            (from, to),
            ("assigned", "resolved")
                | ("resolved", "assigned")
                | ("resolved", "closed")
                | ("open", "closed")
                | ("assigned", "closed")
        );
        let admin_only = matches!((from, to), ("open", "closed") | ("assigned", "closed"));
        match who {
            "user" => 403,
            "other_agent" if from != "open" => 404, // not visible to a non-assignee
            // Role before state: an open ticket has no assignee, so no agent may change its
            // status, whatever the target.
            "agent" | "other_agent" if from == "open" => 403,
            _ if !allowed_by_table => 409,
            "admin" => 200,
            "agent" | "other_agent" if admin_only => 403,
            "agent" => 200,
            _ => 403,
        }
    };
    for from in statuses {
        for to in statuses {
            for (who, s) in [
                ("user", &c.user),
                ("agent", &c.agent),
                ("other_agent", &c.other_agent),
                ("admin", &c.admin),
            ] {
                let id = app.ticket(&c.user, "lifecycle case").await;
                let agent = if from == "open" {
                    None
                } else {
                    Some(c.agent.id)
                };
                force(&app, id, from, agent).await;
                let (st, body) = app
                    .patch(
                        &format!("/tickets/{id}/status"),
                        &s.token,
                        json!({ "status": to }),
                    )
                    .await;
                let want = expect(who, from, to);
                assert_eq!(st.as_u16(), want, "{who}: {from} → {to}: {body}");
                if want == 409 {
                    assert_eq!(body["code"], "invalid_transition");
                    assert_eq!(body["current_status"], from);
                    assert!(body["allowed"].is_array());
                }
                if want == 200 {
                    assert_eq!(body["status"], to);
                    let row: (
                        Option<chrono::DateTime<chrono::Utc>>,
                        Option<chrono::DateTime<chrono::Utc>>,
                    ) = sqlx::query_as("SELECT resolved_at, closed_at FROM tickets WHERE id = $1")
                        .bind(id)
                        .fetch_one(&app.state.db)
                        .await
                        .unwrap();
                    assert_eq!(
                        row.0.is_some(),
                        to == "resolved",
                        "resolved_at after {from} → {to}"
                    );
                    assert_eq!(
                        row.1.is_some(),
                        to == "closed",
                        "closed_at after {from} → {to}"
                    );
                    let events = app.count("SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed'", &[id]).await;
                    assert_eq!(events, 1);
                }
            }
        }
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn assign_take_release_reassign(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let id = app.ticket(&c.user, "please help").await;
    let path = format!("/tickets/{id}/assign");

    // The user who filed it cannot assign.
    let (s, b) = app.patch(&path, &c.user.token, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // An agent cannot assign someone else.
    let (s, _) = app
        .patch(
            &path,
            &c.agent.token,
            json!({ "agent_id": c.other_agent.id }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Take it.
    let (s, t) = app.patch(&path, &c.agent.token, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["status"], "assigned");
    assert_eq!(t["assigned_agent"]["id"], c.agent.id);
    assert_eq!(t["assigned_agent"]["email"], c.agent.email);
    // Taking it again is a no-op 200.
    let (s, _) = app
        .patch(&path, &c.agent.token, json!({ "agent_id": c.agent.id }))
        .await;
    assert_eq!(s, StatusCode::OK);
    // Another agent gets 409 already_assigned.
    let (s, b) = app.patch(&path, &c.other_agent.token, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(b["code"], "already_assigned");
    // ...and cannot see it any more.
    let (s, _) = app
        .get(&format!("/tickets/{id}"), &c.other_agent.token)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Release returns it to open.
    let (s, t) = app
        .patch(&path, &c.agent.token, json!({ "agent_id": null }))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["status"], "open");
    assert!(t["assigned_agent"].is_null());
    // Admin assigns to an agent, then reassigns.
    let (s, t) = app
        .patch(&path, &c.admin.token, json!({ "agent_id": c.agent.id }))
        .await;
    assert_eq!(
        (s, t["assigned_agent"]["id"].as_i64()),
        (StatusCode::OK, Some(c.agent.id))
    );
    let (s, t) = app
        .patch(
            &path,
            &c.admin.token,
            json!({ "agent_id": c.other_agent.id }),
        )
        .await;
    assert_eq!(
        (s, t["assigned_agent"]["id"].as_i64()),
        (StatusCode::OK, Some(c.other_agent.id))
    );
    // Admin cannot assign a plain user.
    let (s, b) = app
        .patch(&path, &c.admin.token, json!({ "agent_id": c.user.id }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "not_assignable");
    // Integral numbers in any JSON spelling are integers (JSON Schema); fractions are not.
    let (s, t) = app
        .patch(
            &path,
            &c.admin.token,
            json!({ "agent_id": c.agent.id as f64 }),
        )
        .await;
    assert_eq!(
        (s, t["assigned_agent"]["id"].as_i64()),
        (StatusCode::OK, Some(c.agent.id))
    );
    let (s, _) = app
        .patch(&path, &c.admin.token, json!({ "agent_id": 1.5 }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Admin omitting agent_id takes it themselves.
    let (s, t) = app.patch(&path, &c.admin.token, json!({})).await;
    assert_eq!(
        (s, t["assigned_agent"]["id"].as_i64()),
        (StatusCode::OK, Some(c.admin.id))
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [
            "created",
            "assigned",
            "released",
            "assigned",
            "reassigned",
            "reassigned",
            "reassigned"
        ]
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn twenty_concurrent_self_assigns_exactly_one_wins(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = app.register("racer").await;
    let id = app.ticket(&user, "race me").await;
    let mut agents = Vec::new();
    for i in 0..20 {
        agents.push(app.agent(&format!("a{i}")).await);
    }
    let url = app.url(&format!("/tickets/{id}/assign"));
    let futs = agents.iter().map(|a| {
        let req = app.http.patch(&url).bearer_auth(&a.token).json(&json!({}));
        async move {
            let r = req.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }
    });
    let results = futures_util::future::join_all(futs).await;
    let wins = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let conflicts = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::CONFLICT && b["code"] == "already_assigned")
        .count();
    assert_eq!(wins, 1, "{results:?}");
    assert_eq!(conflicts, 19);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn users_cannot_see_list_or_post_to_each_others_tickets(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let a = app.register("alice").await;
    let b = app.register("bob").await;
    let id = app.ticket(&a, "alice's secret problem").await;
    let (s, body) = app.get(&format!("/tickets/{id}"), &b.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        !body.to_string().contains("secret"),
        "a 404 carries nothing of the ticket"
    );
    let (s, _) = app.get(&format!("/tickets/{id}/messages"), &b.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/tickets/{id}/messages"),
            &b.token,
            json!({ "content": "hi" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .patch(
            &format!("/tickets/{id}/status"),
            &b.token,
            json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for scope in ["mine", "available", "all"] {
        let (_, list) = app.get(&format!("/tickets?scope={scope}"), &b.token).await;
        assert_eq!(items(&list).len(), 0, "scope {scope}");
    }
    let (_, list) = app.get("/tickets", &a.token).await;
    assert_eq!(list["items"][0]["id"], id);
    // A missing id answers exactly like an invisible one.
    let (s2, body2) = app.get("/tickets/999999", &b.token).await;
    assert_eq!(s2, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], body2["detail"]);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn an_agent_cannot_see_a_ticket_assigned_to_another_agent(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let id = app.ticket(&c.user, "for agent one").await;
    app.assign(id, &c.agent).await;
    let (s, _) = app
        .get(&format!("/tickets/{id}"), &c.other_agent.token)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/tickets/{id}/messages"),
            &c.other_agent.token,
            json!({ "content": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/tickets", &c.other_agent.token).await;
    assert!(!ints(&list["items"], "id").contains(&id));
    let (_, list) = app.get("/tickets", &c.agent.token).await;
    assert!(ints(&list["items"], "id").contains(&id));
    let (s, _) = app.get(&format!("/tickets/{id}"), &c.admin.token).await;
    assert_eq!(s, StatusCode::OK);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn agent_scopes_mine_available_all(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let pool_t = app.ticket(&c.user, "in the pool").await;
    let mine = app.ticket(&c.user, "mine").await;
    let theirs = app.ticket(&c.user, "theirs").await;
    let own = app.ticket(&c.agent, "filed by the agent").await;
    app.assign(mine, &c.agent).await;
    app.assign(theirs, &c.other_agent).await;
    app.assign(own, &c.other_agent).await;
    let ids = |v: &Value| ints(&v["items"], "id");
    let (_, l) = app.get("/tickets?scope=mine", &c.agent.token).await;
    assert_eq!(ids(&l), vec![mine]);
    let (_, l) = app.get("/tickets?scope=available", &c.agent.token).await;
    assert_eq!(ids(&l), vec![pool_t]);
    let (_, l) = app.get("/tickets", &c.agent.token).await;
    let got: HashSet<i64> = ids(&l).into_iter().collect();
    assert_eq!(
        got,
        HashSet::from([pool_t, mine, own]),
        "pool ∪ mine ∪ created by me"
    );
    let (_, l) = app.get("/tickets?status=assigned", &c.agent.token).await;
    assert_eq!(
        ids(&l).into_iter().collect::<HashSet<_>>(),
        HashSet::from([mine, own])
    );
    let (_, l) = app
        .get("/tickets?status=open&status=assigned", &c.admin.token)
        .await;
    assert_eq!(ids(&l).len(), 4);
    // Newest activity first: a message bumps a ticket to the top.
    app.post_message(pool_t, &c.user, "bump").await;
    let (_, l) = app.get("/tickets", &c.agent.token).await;
    assert_eq!(ids(&l)[0], pool_t);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn twenty_concurrent_posts_get_seq_1_to_20(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let id = app.ticket(&c.user, "chatty").await;
    let url = app.url(&format!("/tickets/{id}/messages"));
    let futs = (0..20).map(|i| {
        let tok = if i % 2 == 0 {
            &c.user.token
        } else {
            &c.admin.token
        };
        let req = app
            .http
            .post(&url)
            .bearer_auth(tok)
            .json(&json!({ "content": format!("m{i}") }));
        async move { req.send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(futs).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let seqs: Vec<i64> = stored_messages(&app.state.db, id)
        .await
        .into_iter()
        .map(|(seq, _)| seq)
        .collect();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let (_, t) = app.get(&format!("/tickets/{id}"), &c.user.token).await;
    assert_eq!(t["message_count"], 20);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_repeated_client_id_stores_one_message(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("idem").await;
    let id = app.ticket(&u, "idempotency").await;
    let path = format!("/tickets/{id}/messages");
    let body = json!({ "content": "only once", "client_id": "c-123" });
    let (s1, m1) = app.post(&path, &u.token, body.clone()).await;
    let (s2, m2) = app.post(&path, &u.token, body.clone()).await;
    assert_eq!(s1, StatusCode::CREATED);
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(m1, m2);
    // Concurrent repeats too.
    let url = app.url(&path);
    let futs = (0..10).map(|_| {
        let req = app
            .http
            .post(&url)
            .bearer_auth(&u.token)
            .json(&json!({ "content": "race", "client_id": "c-race" }));
        async move { req.send().await.unwrap().status() }
    });
    let st = futures_util::future::join_all(futs).await;
    assert_eq!(
        st.iter().filter(|s| **s == StatusCode::CREATED).count(),
        1,
        "{st:?}"
    );
    let rows = stored_messages(&app.state.db, id).await;
    assert_eq!(
        rows,
        vec![(1, "c-123".into()), (2, "c-race".into())],
        "no seq consumed by a repeat"
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn messages_message_shape_and_closed_tickets(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let id = app.ticket(&c.user, "shape").await;
    let (s, m) = app
        .post(
            &format!("/tickets/{id}/messages"),
            &c.user.token,
            json!({ "content": "  hello  " }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(m["content"], "hello", "trimmed");
    assert_eq!(m["seq"], 1);
    assert_eq!(m["ticket_id"], id);
    assert_eq!(
        m["sender"],
        json!({ "id": c.user.id, "display_name": "user", "role": "user" })
    );
    assert!(
        m["client_id"].as_str().unwrap().len() >= 32,
        "generated when omitted"
    );
    for bad in [
        json!({ "content": "   " }),
        json!({ "content": "x".repeat(5001) }),
        json!({ "content": "ok", "client_id": "" }),
        json!({ "content": "ok", "client_id": "c".repeat(101) }),
    ] {
        let (s, b) = app
            .post(&format!("/tickets/{id}/messages"), &c.user.token, bad)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
    let (s, _) = app
        .post(
            &format!("/tickets/{id}/messages"),
            &c.user.token,
            json!({ "content": "x".repeat(5000) }),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "5000 characters is the limit, inclusive"
    );
    app.set_status(id, &c.admin, "closed").await;
    for who in [&c.user, &c.admin] {
        let (s, b) = app
            .post(
                &format!("/tickets/{id}/messages"),
                &who.token,
                json!({ "content": "too late" }),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(b["code"], "ticket_closed");
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn history_after_before_and_newest_page(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("hist").await;
    let id = app.ticket(&u, "history").await;
    for i in 1..=12 {
        app.post_message(id, &u, &format!("m{i}")).await;
    }
    let seqs = |v: &Value| ints(&v["items"], "seq");
    let (_, p) = app
        .get(&format!("/tickets/{id}/messages?limit=5"), &u.token)
        .await;
    assert_eq!(seqs(&p), vec![8, 9, 10, 11, 12]);
    assert_eq!(p["has_more"], true);
    let (_, p) = app
        .get(
            &format!("/tickets/{id}/messages?limit=5&before_seq=8"),
            &u.token,
        )
        .await;
    assert_eq!(seqs(&p), vec![3, 4, 5, 6, 7]);
    assert_eq!(p["has_more"], true);
    let (_, p) = app
        .get(
            &format!("/tickets/{id}/messages?limit=5&before_seq=3"),
            &u.token,
        )
        .await;
    assert_eq!(seqs(&p), vec![1, 2]);
    assert_eq!(p["has_more"], false);
    let (_, p) = app
        .get(&format!("/tickets/{id}/messages?after_seq=9"), &u.token)
        .await;
    assert_eq!(seqs(&p), vec![10, 11, 12]);
    assert_eq!(p["has_more"], false);
    let (_, p) = app
        .get(
            &format!("/tickets/{id}/messages?after_seq=0&limit=10"),
            &u.token,
        )
        .await;
    assert_eq!(seqs(&p), (1..=10).collect::<Vec<_>>());
    assert_eq!(p["has_more"], true);
    let (s, p) = app.get(&format!("/tickets/{id}/messages"), &u.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(seqs(&p), (1..=12).collect::<Vec<_>>(), "default limit 50");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn pagination_walks_250_tickets_without_duplicate_or_gap_while_new_ones_arrive(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("pager").await;
    let admin = app.admin("padmin").await;
    // 250 tickets with distinct and equal timestamps (ties are broken by id).
    sqlx::query(
        "INSERT INTO tickets (subject, description, created_by_user_id, updated_at)
         SELECT 'bulk', 'ticket ' || g, $1, now() - make_interval(secs => (g / 3)) FROM generate_series(1, 250) g",
    )
    .bind(u.id)
    .execute(&app.state.db)
    .await
    .unwrap();
    let before: HashSet<i64> = sqlx::query_scalar::<_, i64>("SELECT id FROM tickets")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for who in [&u, &admin] {
        let mut seen: Vec<i64> = Vec::new();
        let mut walk = app.pages("/tickets?limit=17", &who.token);
        let mut pages = 0;
        while let Some(page) = walk.next_page().await {
            seen.extend(ints(&page["items"], "id"));
            // New tickets arrive while we walk; they are newer, so they never appear behind the cursor.
            app.ticket(&u, "arrived meanwhile").await;
            pages += 1;
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "no duplicates");
        assert!(
            before.is_subset(&unique),
            "no gaps: every ticket present before the walk was seen"
        );
        assert!(pages >= 15);
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn q_finds_a_ticket_by_a_word_of_its_description(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("searcher").await;
    let hit = app
        .ticket(&u, "The printer on floor three is jammed again")
        .await;
    app.ticket(&u, "Password reset email never arrives").await;
    let (_, l) = app.get("/tickets?q=printers", &u.token).await;
    assert_eq!(
        ints(&l["items"], "id"),
        vec![hit],
        "stemmed full-text match"
    );
    let (_, l) = app.get("/tickets?q=jammed%20floor", &u.token).await;
    assert_eq!(items(&l).len(), 1);
    let (_, l) = app.get("/tickets?q=nothing-like-this", &u.token).await;
    assert_eq!(items(&l).len(), 0);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn limits_and_bad_enum_values_are_422(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("limits").await;
    for q in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=",
        "scope=",
        "status=pending",
        "scope=everything",
        "cursor=garbage!!",
    ] {
        let (s, b) = app.get(&format!("/tickets?{q}"), &u.token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {b}");
        assert_eq!(b["code"], "validation_failed");
    }
    let (s, _) = app.get("/tickets?limit=100", &u.token).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get("/tickets?q=", &u.token).await;
    assert_eq!(s, StatusCode::OK, "an empty search is no search");
    for body in [
        json!({ "description": "" }),
        json!({ "description": "   " }),
        json!({ "description": "x".repeat(10_001) }),
        json!({ "subject": "s".repeat(201), "description": "ok" }),
        json!({ "subject": "ok" }),
    ] {
        let (s, b) = app.post("/tickets", &u.token, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
    let id = app.ticket(&u, "enum").await;
    let (s, _) = app
        .patch(
            &format!("/tickets/{id}/status"),
            &u.token,
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.get("/tickets/not-a-number", &u.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, t) = app
        .post(
            "/tickets",
            &u.token,
            json!({ "subject": "  ", "description": "  padded  " }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(t["subject"].is_null(), "blank subject stored as none");
    assert_eq!(t["description"], "padded");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn ticket_detail_and_list_items_carry_the_inbox_preview(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    let id = app.ticket(&c.user, "preview").await;
    app.assign(id, &c.agent).await;
    let (_, t) = app.get(&format!("/tickets/{id}"), &c.user.token).await;
    assert_eq!(
        t["created_by"],
        json!({ "id": c.user.id, "display_name": "user", "email": c.user.email, "role": "user" })
    );
    assert_eq!(t["assigned_agent"]["display_name"], "agent");
    for k in [
        "id",
        "subject",
        "status",
        "created_at",
        "updated_at",
        "message_count",
    ] {
        assert!(!t[k].is_null(), "{k}");
    }
    let (_, l) = app.get("/tickets", &c.agent.token).await;
    assert_eq!(l["items"][0], t);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn naming_the_current_holder_is_a_no_op_only_for_those_who_may_assign(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = cast(&app).await;
    // A ticket the other agent filed (so they can see it) that `c.agent` holds.
    let id = app.ticket(&c.other_agent, "filed by an agent").await;
    force(&app, id, "assigned", Some(c.agent.id)).await;
    let path = format!("/tickets/{id}/assign");
    let holder = json!({ "agent_id": c.agent.id });
    // Role before state: the creator and an agent who does not hold it may not assign at
    // all, even to the current holder.
    let (s, b) = app.patch(&path, &c.other_agent.token, holder.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let user_ticket = app.ticket(&c.user, "filed by a customer").await;
    force(&app, user_ticket, "assigned", Some(c.agent.id)).await;
    let (s, b) = app
        .patch(
            &format!("/tickets/{user_ticket}/assign"),
            &c.user.token,
            holder.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // The holder and an admin get the no-op 200, and nothing is recorded.
    for who in [&c.agent, &c.admin] {
        let (s, t) = app.patch(&path, &who.token, holder.clone()).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["assigned_agent"]["id"], c.agent.id);
    }
    let events = app
        .count(
            "SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind <> 'created'",
            &[id],
        )
        .await;
    assert_eq!(events, 0);
}
