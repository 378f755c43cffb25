//! Issue 5: admin API, user management, demo data.

use myrelay_test_support::{TestApp, TicketRoom, ints, items};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn stats_have_exactly_the_spec_keys_and_values_for_a_known_dataset(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("root").await;
    let u1 = app.register("u1").await;
    let _u2 = app.register("u2").await;
    let a1 = app.agent("a1").await;
    let _a2 = app.agent("a2").await;
    let gone = app.register("gone").await;
    app.update_user(gone.id, &admin, json!({ "is_active": false }))
        .await;
    let t: Vec<i64> = futures_util::future::join_all(
        (0..6).map(|i| app.ticket(&u1, if i < 3 { "a" } else { "b" })),
    )
    .await;
    app.assign(t[0], &a1).await;
    app.assign(t[1], &a1).await;
    app.set_status(t[1], &a1, "resolved").await;
    app.set_status(t[2], &admin, "closed").await;
    let su = app.socket(&u1.token).await;
    let _sa = app.socket(&a1.token).await;
    su.join(t[0]).await;

    let (s, stats) = app.get("/admin/stats", &admin.token).await;
    assert_eq!(s, StatusCode::OK);
    let mut keys: Vec<&str> = stats
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    let mut want = vec![
        "total_tickets",
        "open_tickets",
        "assigned_tickets",
        "resolved_tickets",
        "closed_tickets",
        "total_users",
        "total_agents",
        "total_admins",
        "connected_clients",
        "connected_agents",
        "active_ticket_rooms",
    ];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(
        stats,
        json!({
            "total_tickets": 6, "open_tickets": 3, "assigned_tickets": 1, "resolved_tickets": 1, "closed_tickets": 1,
            "total_users": 2, "total_agents": 2, "total_admins": 1,
            "connected_clients": 2, "connected_agents": 1, "active_ticket_rooms": 1,
        })
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn non_admins_get_403_on_every_admin_route(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("plain").await;
    let a = app.agent("agent").await;
    let target = app.register("target").await;
    for who in [&u, &a] {
        for (m, path, body) in [
            (Method::GET, "/admin/stats".to_string(), None),
            (Method::GET, "/admin/tickets".to_string(), None),
            (Method::GET, "/admin/users".to_string(), None),
            (Method::GET, "/admin/agents".to_string(), None),
            (
                Method::PATCH,
                format!("/admin/users/{}", target.id),
                Some(json!({ "role": "admin" })),
            ),
        ] {
            let (s, b) = app
                .call(m.clone(), &path, Some(&who.token), body.clone())
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{} {m} {path}: {b}", who.role);
            let (s, _) = app.call(m, &path, None, body).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
    }
    let (_, me) = app.get("/auth/me", &target.token).await;
    assert_eq!(me["role"], "user", "the refused promotion did nothing");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_last_admin_can_never_be_removed_and_no_admin_changes_themselves(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let a = app.admin("first").await;
    let b = app.admin("second").await;
    for body in [
        json!({ "role": "user" }),
        json!({ "is_active": false }),
        json!({ "role": "agent" }),
    ] {
        let (s, r) = app.update_user(a.id, &a, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    }
    let (s, _) = app.update_user(b.id, &a, json!({ "role": "agent" })).await;
    assert_eq!(s, StatusCode::OK);
    // b is no longer an admin; a is the last one. Make c an admin, then demote a via c,
    // and show c cannot be removed by anyone.
    let c = app.admin("third").await;
    let (s, _) = app
        .update_user(a.id, &c, json!({ "is_active": false }))
        .await;
    assert_eq!(s, StatusCode::OK);
    let n = app
        .count(
            "SELECT count(*) FROM users WHERE role = 'admin' AND is_active",
            &[],
        )
        .await;
    assert_eq!(n, 1);
    let (s, _) = app.update_user(c.id, &c, json!({ "role": "user" })).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn two_admins_demoting_each_other_at_once_leave_one_admin(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c = app.admin("left").await;
    let d = app.admin("right").await;
    // Hold the admin rows so both requests are past authentication and queue on the lock.
    let mut hold = app.state.db.begin().await.unwrap();
    sqlx::query("SELECT id FROM users WHERE role = 'admin' FOR UPDATE")
        .execute(&mut *hold)
        .await
        .unwrap();
    let body = json!({ "role": "user" });
    let r1 = app.update_user(d.id, &c, body.clone());
    let r2 = app.update_user(c.id, &d, body.clone());
    let release = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        hold.commit().await.unwrap();
    };
    let ((s1, b1), (s2, b2), ()) = tokio::join!(r1, r2, release);
    let mut statuses = [s1.as_u16(), s2.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{b1} {b2}");
    let loser = if s1 == StatusCode::CONFLICT { &b1 } else { &b2 };
    assert_eq!(loser["code"], "last_admin");
    let n = app
        .count(
            "SELECT count(*) FROM users WHERE role = 'admin' AND is_active",
            &[],
        )
        .await;
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn deactivation_revokes_sessions_refuses_login_and_disconnects_sockets(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("boss").await;
    let u = app.register("leaving").await;
    let mut s = app.socket(&u.token).await;
    let (st, body) = app
        .update_user(u.id, &admin, json!({ "is_active": false }))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["is_active"], false);
    assert!(
        s.disconnected(Duration::from_secs(3)).await,
        "open socket disconnected at once"
    );
    let (st, _) = app.get("/auth/me", &u.token).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "old token refused");
    let (st, b) = app.login(&u.email, "password-123").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(b["code"], "invalid_credentials");
    let live = app
        .count(
            "SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
            &[u.id],
        )
        .await;
    assert_eq!(live, 0);
    let (kind, actor): (String, i64) = sqlx::query_as(
        "SELECT kind, actor_user_id FROM user_events WHERE user_id = $1 AND kind <> 'registered'",
    )
    .bind(u.id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), actor),
        ("deactivated", admin.id),
        "recorded with who made it"
    );
    // Reactivation lets them back in.
    app.update_user(u.id, &admin, json!({ "is_active": true }))
        .await;
    let (st, _) = app.login(&u.email, "password-123").await;
    assert_eq!(st, StatusCode::OK);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn role_change_applies_to_the_next_request_and_the_open_socket(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("boss").await;
    let u = app.register("customer").await;
    let agent = app.agent("demoted").await;
    let t = app.ticket(&u, "in the pool").await;
    let mut s = app.joined_socket(&agent.token, t).await;
    let (st, _) = app.get(&format!("/tickets/{t}"), &agent.token).await;
    assert_eq!(st, StatusCode::OK);
    app.update_user(agent.id, &admin, json!({ "role": "user" }))
        .await;
    // Next request: the same token, the new role.
    let (st, _) = app.get(&format!("/tickets/{t}"), &agent.token).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app.get("/admin/stats", &admin.token).await;
    assert_eq!(st, StatusCode::OK);
    // Open socket: disconnected; on reconnect the inbox room is out of reach.
    assert!(s.disconnected(Duration::from_secs(3)).await);
    let mut s2 = app.socket(&agent.token).await;
    let ack = s2.try_join(t).await;
    assert_eq!(ack["error"]["code"], "not_found");
    app.ticket(&u, "another").await;
    assert!(
        !s2.receives("ticket:created", Duration::from_millis(400))
            .await,
        "no longer in the agents room"
    );
    // Promotion works the same way.
    app.update_user(u.id, &admin, json!({ "role": "agent" }))
        .await;
    let (st, _) = app.get("/tickets?scope=available", &u.token).await;
    assert_eq!(st, StatusCode::OK);
    let (_, me) = app.get("/auth/me", &u.token).await;
    assert_eq!(me["role"], "agent");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_demoted_agents_tickets_are_listed_for_reassignment(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("boss").await;
    let u = app.register("cust").await;
    let agent = app.agent("leaving-agent").await;
    let other = app.agent("staying").await;
    let t = app.ticket(&u, "held").await;
    app.assign(t, &agent).await;
    let (_, l) = app
        .get("/admin/tickets?needs_reassignment=true", &admin.token)
        .await;
    assert_eq!(items(&l).len(), 0);
    app.update_user(agent.id, &admin, json!({ "role": "user" }))
        .await;
    let (_, l) = app
        .get("/admin/tickets?needs_reassignment=true", &admin.token)
        .await;
    assert_eq!(l["items"][0]["id"], t);
    assert_eq!(
        l["items"][0]["assigned_agent"]["id"], agent.id,
        "nothing released silently"
    );
    let (s, t2) = app
        .patch(
            &format!("/tickets/{t}/assign"),
            &admin.token,
            json!({ "agent_id": other.id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t2["assigned_agent"]["id"], other.id);
    let (_, l) = app
        .get("/admin/tickets?needs_reassignment=true", &admin.token)
        .await;
    assert_eq!(items(&l).len(), 0);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn users_list_paginates_and_filters(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("boss").await;
    for i in 0..25 {
        app.register(&format!("cust{i:02}")).await;
    }
    for i in 0..3 {
        app.agent(&format!("agent{i}")).await;
    }
    let mut seen = Vec::new();
    let mut pages = app.pages("/admin/users?limit=7", &admin.token);
    while let Some(page) = pages.next_page().await {
        seen.extend(ints(&page["items"], "id"));
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(seen.len(), 29);
    assert_eq!(dedup.len(), 29);
    let (_, agents) = app.get("/admin/users?role=agent", &admin.token).await;
    assert_eq!(items(&agents).len(), 3);
    assert!(items(&agents).iter().all(|u| u["role"] == "agent"));
    let (_, found) = app.get("/admin/users?q=CUST1", &admin.token).await;
    assert_eq!(items(&found).len(), 10, "cust10..cust19, case-insensitive");
    let (_, none) = app.get("/admin/users?q=%25", &admin.token).await;
    assert_eq!(items(&none).len(), 0, "wildcards are literal");
    let (s, _) = app.get("/admin/users?role=superuser", &admin.token).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn agents_list_shows_workload_and_who_is_online(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("boss").await;
    let u = app.register("cust").await;
    let a = app.agent("busy").await;
    let b = app.agent("idle").await;
    let ts: Vec<i64> = futures_util::future::join_all((0..4).map(|_| app.ticket(&u, "work"))).await;
    for t in &ts {
        app.assign(*t, &a).await;
    }
    app.set_status(ts[0], &a, "resolved").await;
    app.set_status(ts[1], &a, "resolved").await;
    app.set_status(ts[1], &a, "closed").await;
    let _s = app.socket(&a.token).await;
    let (s, list) = app.get("/admin/agents", &admin.token).await;
    assert_eq!(s, StatusCode::OK);
    let find = |id: i64| -> Value {
        items(&list)
            .iter()
            .find(|x| x["user"]["id"] == id)
            .cloned()
            .unwrap()
    };
    let busy = find(a.id);
    assert_eq!(
        (
            busy["assigned_open"].as_i64(),
            busy["resolved"].as_i64(),
            busy["closed"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(busy["online"], true);
    let idle = find(b.id);
    assert_eq!(
        (idle["assigned_open"].as_i64(), idle["online"].as_bool()),
        (Some(0), Some(false))
    );
    assert!(items(&list).iter().all(|x| x["user"]["role"] != "user"));
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn seed_demo_twice_creates_nothing_new(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let first = myrelay_admin::seed::seed_demo(&app.state).await.unwrap();
    let count = || async {
        let (u, t, m): (i64, i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages)")
            .fetch_one(&app.state.db).await.unwrap();
        (u, t, m)
    };
    let after_first = count().await;
    assert_eq!(after_first.0, 8);
    assert!(after_first.1 >= 7);
    assert!(first.contains("admin@demo.myrelay.dev"), "{first}");
    let second = myrelay_admin::seed::seed_demo(&app.state).await.unwrap();
    assert_eq!(count().await, after_first);
    assert!(
        second.contains("0 people and 0 tickets created"),
        "{second}"
    );
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status::text FROM tickets ORDER BY 1")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(statuses, ["assigned", "closed", "open", "resolved"]);
    // The demo logins work, and seeded conversations are gapless.
    let (s, _) = app
        .login("maya@demo.myrelay.dev", myrelay_admin::seed::DEMO_PASSWORD)
        .await;
    assert_eq!(s, StatusCode::OK);
    let gaps = app.count(
        "SELECT count(*) FROM tickets t WHERE t.last_seq <> (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)",
        &[],
    ).await;
    assert_eq!(gaps, 0);
}

/// The same PATCH on every path at once.
async fn patch_all(app: &TestApp, paths: &[String], token: &str, body: Value) {
    futures_util::future::join_all(paths.iter().map(|p| app.patch(p, token, body.clone()))).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn ticket_counters_stay_exact_through_concurrent_changes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("counter-admin").await;
    let user = app.register("counter-user").await;
    let agent = app.agent("counter-agent").await;
    // Twenty tickets filed at once, then taken, resolved, closed and released at once.
    let descriptions: Vec<String> = (0..20).map(|i| format!("counted {i}")).collect();
    let ids: Vec<i64> =
        futures_util::future::join_all(descriptions.iter().map(|d| app.ticket(&user, d))).await;
    let assign: Vec<String> = ids
        .iter()
        .map(|id| format!("/tickets/{id}/assign"))
        .collect();
    let status: Vec<String> = ids
        .iter()
        .map(|id| format!("/tickets/{id}/status"))
        .collect();
    patch_all(&app, &assign[..12], &agent.token, json!({})).await;
    patch_all(
        &app,
        &status[..8],
        &agent.token,
        json!({ "status": "resolved" }),
    )
    .await;
    patch_all(
        &app,
        &status[..3],
        &admin.token,
        json!({ "status": "closed" }),
    )
    .await;
    app.patch(&assign[11], &agent.token, json!({ "agent_id": null }))
        .await;
    let (_, s) = app.get("/admin/stats", &admin.token).await;
    let counted: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status::text, count(*) FROM tickets GROUP BY status ORDER BY status",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let truth = |st: &str| counted.iter().find(|(s, _)| s == st).map_or(0, |(_, n)| *n);
    assert_eq!(
        (
            truth("open"),
            truth("assigned"),
            truth("resolved"),
            truth("closed")
        ),
        (9, 3, 5, 3)
    );
    assert_eq!(s["open_tickets"], truth("open"), "{s}");
    assert_eq!(s["assigned_tickets"], truth("assigned"));
    assert_eq!(s["resolved_tickets"], truth("resolved"));
    assert_eq!(s["closed_tickets"], truth("closed"));
    assert_eq!(s["total_tickets"], 20);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn account_counters_stay_exact_through_concurrent_changes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("count-admin").await;
    // Twelve registrations at once, then promotions, demotions, deactivations and a
    // reactivation at once.
    let names: Vec<String> = (0..12).map(|i| format!("counted-{i}")).collect();
    let people = futures_util::future::join_all(names.iter().map(|n| app.register(n))).await;
    let path: Vec<String> = people
        .iter()
        .map(|p| format!("/admin/users/{}", p.id))
        .collect();
    let changes = [
        (0, json!({ "role": "agent" })),
        (1, json!({ "role": "agent" })),
        (2, json!({ "role": "admin" })),
        (3, json!({ "is_active": false })),
        (4, json!({ "is_active": false })),
        (5, json!({ "role": "agent", "is_active": false })),
    ];
    futures_util::future::join_all(
        changes
            .iter()
            .map(|(i, body)| app.patch(&path[*i], &admin.token, body.clone())),
    )
    .await;
    futures_util::future::join_all([
        app.patch(&path[0], &admin.token, json!({ "role": "user" })),
        app.patch(&path[4], &admin.token, json!({ "is_active": true })),
    ])
    .await;
    let (_, s) = app.get("/admin/stats", &admin.token).await;
    let truth: Vec<(String, i64)> = sqlx::query_as(
        "SELECT role::text, count(*) FROM users WHERE is_active GROUP BY role ORDER BY role",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let of = |r: &str| truth.iter().find(|(x, _)| x == r).map_or(0, |(_, n)| *n);
    // Active: users 0, 4, 6–11 (8); agent 1; admins 2 and the test's admin.
    assert_eq!(s["total_users"], of("user"), "{s}");
    assert_eq!(s["total_agents"], of("agent"), "{s}");
    assert_eq!(s["total_admins"], of("admin"), "{s}");
    assert_eq!(
        (of("user"), of("agent"), of("admin")),
        (8, 1, 2),
        "{truth:?}"
    );
}
