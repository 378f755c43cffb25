//! Issue 4: Socket.IO ticket rooms against a real server (raw protocol client).

use myrelay_test_support::sio::{ConnectError, SioClient};
use myrelay_test_support::{TestApp, TicketRoom, ints, stored_messages, test_redis_url};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(3);
const QUIET: Duration = Duration::from_millis(400);

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn bad_and_revoked_tokens_are_refused_with_unauthorized(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("sock").await;
    for token in [None, Some("garbage"), Some("a.b.c")] {
        match SioClient::connect(app.addr, token, None).await {
            Err(ConnectError::Refused(m)) => assert_eq!(m, "unauthorized"),
            Err(e) => panic!("unexpected {e:?}"),
            Ok(_) => panic!("connected with {token:?}"),
        }
    }
    let ok = SioClient::connect(app.addr, Some(&u.token), None).await;
    assert!(ok.is_ok());
    app.logout(&u.token).await;
    match SioClient::connect(app.addr, Some(&u.token), None).await {
        Err(ConnectError::Refused(m)) => assert_eq!(m, "unauthorized"),
        other => panic!("revoked token: {:?}", other.map(|c| c.sid)),
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_session_cookie_authenticates_a_socket(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("cookie").await;
    let cookie = format!("myrelay_session={}", u.token);
    let c =
        SioClient::connect_with(app.addr, None, Some("http://localhost:3000"), Some(&cookie)).await;
    assert!(c.is_ok(), "{:?}", c.err());
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_foreign_origin_is_refused_and_an_allowed_one_accepted(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("origin").await;
    match SioClient::connect(app.addr, Some(&u.token), Some("https://evil.example")).await {
        Err(ConnectError::Http(403)) => {}
        other => panic!("foreign origin: {:?}", other.map(|c| c.sid)),
    }
    // Long-polling handshakes are refused too.
    let r = app
        .http
        .get(app.url("/socket.io/?EIO=4&transport=polling"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        SioClient::connect(app.addr, Some(&u.token), Some("http://localhost:3000"))
            .await
            .is_ok()
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn users_and_agents_cannot_join_rooms_they_may_not_see(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let a = app.register("ua").await;
    let b = app.register("ub").await;
    let agent1 = app.agent("ag1").await;
    let agent2 = app.agent("ag2").await;
    let t = app.ticket(&a, "private matter").await;
    let sb = app.socket(&b.token).await;
    let ack = sb.try_join(t).await;
    assert_eq!(ack["ok"], false);
    assert_eq!(ack["error"]["code"], "not_found");
    assert!(
        !ack.to_string().contains("private"),
        "a refused join carries nothing of the ticket"
    );
    app.assign(t, &agent1).await;
    let s2 = app.socket(&agent2.token).await;
    let ack = s2.try_join(t).await;
    assert_eq!(ack["error"]["code"], "not_found");
    let s1 = app.socket(&agent1.token).await;
    let ack = s1.join(t).await;
    assert_eq!(ack["ticket"]["id"], t);
    // Sending to a room one may not see is refused as well.
    let ack = sb.send_message(t, "hi", "x1").await;
    assert_eq!(ack["error"]["code"], "not_found");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn send_ack_then_the_other_member_receives_the_next_seq_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (u, agent, t) = app.conversation("chatter", "helper", "let's chat").await;
    let mut su = app.joined_socket(&u.token, t).await;
    let mut sa = app.joined_socket(&agent.token, t).await;
    let mut su2 = app.joined_socket(&u.token, t).await; // the user's second tab
    let joined = su.expect("ticket:user_joined", WAIT).await.unwrap();
    assert_eq!(joined["ticket_id"], t);

    let ack = su.send_message(t, "hello", "c-1").await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["message"]["seq"], 1);
    let got = sa
        .expect("ticket:message:new", WAIT)
        .await
        .expect("agent receives");
    // The same object as the ack, plus what staff see: its place among notes too.
    let mut staff_view = ack["message"].clone();
    assert!(staff_view.get("staff_seq").is_none(), "{ack}");
    staff_view["staff_seq"] = json!(1);
    assert_eq!(
        got["message"], staff_view,
        "the ack's object, with staff_seq for staff"
    );
    let tab = su2
        .expect("ticket:message:new", WAIT)
        .await
        .expect("other tab receives");
    assert_eq!(tab["message"]["seq"], 1);
    assert!(
        tab["message"].get("staff_seq").is_none(),
        "users never get staff_seq: {tab}"
    );
    assert!(
        !su.receives("ticket:message:new", QUIET).await,
        "the sending socket has its ack only"
    );

    // Duplicate client_id: same message, nothing broadcast.
    let again = su.send_message(t, "hello", "c-1").await;
    assert_eq!(again["message"], ack["message"]);
    assert!(
        !sa.receives("ticket:message:new", QUIET).await,
        "one broadcast only"
    );

    let reply = sa.send_message(t, "hi there", "a-1").await;
    assert_eq!(reply["message"]["seq"], 2);
    assert_eq!(
        su.expect("ticket:message:new", WAIT).await.unwrap()["message"]["sender"]["role"],
        "agent"
    );
    let n = app
        .count("SELECT count(*) FROM messages WHERE ticket_id = $1", &[t])
        .await;
    assert_eq!(n, 2);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn invalid_payloads_get_error_acks_not_silence(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("fuzzy").await;
    let t = app.ticket(&u, "payloads").await;
    let s = app.socket(&u.token).await;
    for (event, data) in [
        ("ticket:join", json!({})),
        ("ticket:join", json!({ "ticket_id": "seven" })),
        ("ticket:join", json!("just a string")),
        ("ticket:message:send", json!({ "ticket_id": t })),
        (
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "   ", "client_id": "c" }),
        ),
        (
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "x".repeat(5001), "client_id": "c" }),
        ),
        (
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "ok", "client_id": "" }),
        ),
        ("ticket:typing:start", json!({ "ticket_id": t })),
        ("no:such:event", json!({})),
    ] {
        let ack = s.emit_ack(event, data.clone()).await;
        assert_eq!(ack["ok"], false, "{event} {data}: {ack}");
        assert!(ack["error"]["code"].is_string());
    }
    // Still connected and working.
    s.join(t).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn reconnecting_with_after_seq_gets_exactly_what_was_missed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("away").await;
    let t = app.ticket(&u, "catch up").await;
    let s = app.joined_socket(&u.token, t).await;
    for i in 1..=3 {
        s.send_message(t, &format!("m{i}"), &format!("c{i}")).await;
    }
    s.close();
    for i in 4..=6 {
        app.post_message(t, &u, &format!("m{i}")).await;
    }
    let s = app.socket(&u.token).await;
    let ack = s.join_after(t, 3).await;
    assert_eq!(ints(&ack["missed_messages"], "seq"), vec![4, 5, 6]);
    let ack = s.join(t).await;
    assert_eq!(
        ack["missed_messages"].as_array().unwrap().len(),
        0,
        "no after_seq, nothing to catch up"
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn http_status_change_and_http_message_reach_the_room(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("watcher").await;
    let agent = app.agent("worker").await;
    let t = app.ticket(&u, "status please").await;
    let mut su = app.joined_socket(&u.token, t).await;
    app.assign(t, &agent).await;
    let assigned = su
        .expect("ticket:assigned", WAIT)
        .await
        .expect("assignment broadcast");
    assert_eq!(assigned["assigned_agent"]["id"], agent.id);
    assert_eq!(assigned["actor"]["id"], agent.id);
    app.set_status(t, &agent, "resolved").await;
    let ev = su
        .expect("ticket:status:updated", WAIT)
        .await
        .expect("status broadcast");
    assert_eq!(ev["ticket_id"], t);
    assert_eq!(ev["status"], "resolved");
    assert_eq!(ev["ticket"]["status"], "resolved");
    let upd = su
        .expect("ticket:updated", WAIT)
        .await
        .expect("creator hears on user room");
    assert_eq!(upd["ticket"]["id"], t);
    app.post_message(t, &agent, "via http").await;
    let m = su
        .expect("ticket:message:new", WAIT)
        .await
        .expect("http message broadcast");
    assert_eq!(m["message"]["content"], "via http");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn agents_room_hears_new_and_changed_tickets(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("filer").await;
    let a1 = app.agent("inbox1").await;
    let a2 = app.agent("inbox2").await;
    let mut s1 = app.socket(&a1.token).await;
    let mut s2 = app.socket(&a2.token).await;
    let mut su = app.socket(&u.token).await;
    let t = app.ticket(&u, "new one").await;
    assert_eq!(
        s1.expect("ticket:created", WAIT).await.unwrap()["ticket"]["id"],
        t
    );
    assert_eq!(
        s2.expect("ticket:created", WAIT).await.unwrap()["ticket"]["id"],
        t
    );
    assert_eq!(
        su.expect("ticket:created", WAIT).await.unwrap()["ticket"]["id"],
        t
    );
    app.assign(t, &a1).await;
    let mine = s1.expect("ticket:updated", WAIT).await.unwrap();
    assert_eq!(mine["ticket"]["assigned_agent"]["id"], a1.id);
    let gone = s2.expect("ticket:updated", WAIT).await.unwrap();
    assert_eq!(gone["ticket_id"], t);
    assert!(
        gone["ticket"].is_null(),
        "the other agent learns it left their view, nothing more"
    );
    // New messages are not broadcast to the agents room.
    app.post_message(t, &u, "hi").await;
    assert!(!s2.receives("ticket:message:new", QUIET).await);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn reassign_removes_the_old_agent_from_the_room(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("cust").await;
    let old = app.agent("old").await;
    let new = app.agent("new").await;
    let admin = app.admin("boss").await;
    let t = app.ticket(&u, "handover").await;
    app.assign(t, &old).await;
    let mut so = app.joined_socket(&old.token, t).await;
    let su = app.joined_socket(&u.token, t).await;
    app.patch(
        &format!("/tickets/{t}/assign"),
        &admin.token,
        json!({ "agent_id": new.id }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    so.drain("ticket:message:new", Duration::from_millis(50))
        .await;
    su.send_message(t, "secret after handover", "s1").await;
    assert!(
        !so.receives("ticket:message:new", QUIET).await,
        "the old agent gets nothing more"
    );
    let ack = so
        .emit_ack("ticket:typing:start", json!({ "ticket_id": t }))
        .await;
    assert_eq!(ack["ok"], false);
    let ack = so.try_join(t).await;
    assert_eq!(ack["error"]["code"], "not_found");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn logout_disconnects_that_sessions_sockets_only(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("leaver").await;
    let (_, other) = app.login(&u.email, "password-123").await;
    let other_token = other["token"].as_str().unwrap().to_string();
    let mut s1 = app.socket(&u.token).await;
    let mut s2 = app.socket(&other_token).await;
    app.logout(&u.token).await;
    assert!(
        s1.disconnected(WAIT).await,
        "logged-out session's socket is disconnected"
    );
    assert!(!s2.disconnected(QUIET).await, "another session stays");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn typing_and_presence_reach_the_others(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (u, agent, t) = app.conversation("typer", "reader", "typing").await;
    let su = app.socket(&u.token).await;
    let mut sa = app.socket(&agent.token).await;
    su.join(t).await;
    let ack = sa.join(t).await;
    let names: Vec<&str> = ack["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["reader", "typer"], "who is in the room now");
    assert_eq!(
        su.emit_ack("ticket:typing:start", json!({ "ticket_id": t }))
            .await["ok"],
        true
    );
    let ev = sa.expect("ticket:typing:start", WAIT).await.unwrap();
    assert_eq!(ev["user"]["id"], u.id);
    su.emit_ack("ticket:typing:stop", json!({ "ticket_id": t }))
        .await;
    assert!(sa.expect("ticket:typing:stop", WAIT).await.is_some());
    su.leave(t).await;
    assert_eq!(
        sa.expect("ticket:user_left", WAIT).await.unwrap()["user"]["id"],
        u.id
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn stats_count_sockets_agents_and_rooms_as_they_come_and_go(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("counter").await;
    let u = app.register("cnt-user").await;
    let a = app.agent("cnt-agent").await;
    let t1 = app.ticket(&u, "one").await;
    let t2 = app.ticket(&u, "two").await;
    let stats = || async {
        let (s, b) = app.get("/admin/stats", &admin.token).await;
        assert_eq!(s, StatusCode::OK);
        (
            b["connected_clients"].as_u64().unwrap(),
            b["connected_agents"].as_u64().unwrap(),
            b["active_ticket_rooms"].as_u64().unwrap(),
        )
    };
    assert_eq!(stats().await, (0, 0, 0));
    let su = app.socket(&u.token).await;
    let sa1 = app.socket(&a.token).await;
    let sa2 = app.socket(&a.token).await;
    assert_eq!(
        stats().await,
        (3, 1, 0),
        "one agent with two sockets counts once"
    );
    su.join(t1).await;
    sa1.join(t1).await;
    sa2.join(t2).await;
    assert_eq!(stats().await, (3, 1, 2));
    let sadm = app.socket(&admin.token).await;
    assert_eq!(stats().await, (4, 2, 2), "admins count as agents online");
    sa2.close();
    sadm.close();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(stats().await, (2, 1, 1));
    drop(su);
    drop(sa1);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn event_floods_from_one_socket_are_limited(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |c| c.rate_limit = true).await;
    let u = app.register("flood").await;
    let t = app.ticket(&u, "flood").await;
    let s = app.socket(&u.token).await;
    let mut limited = 0;
    for i in 0..90 {
        let ack = s
            .emit_ack("ticket:typing:start", json!({ "ticket_id": t, "n": i }))
            .await;
        if ack["error"]["code"] == "rate_limited" {
            limited += 1;
        }
    }
    assert!(limited > 0, "a flood hits the per-socket limit");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn oversized_socket_payloads_close_the_connection_without_harm(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("huge").await;
    let t = app.ticket(&u, "huge").await;
    let mut s = app.socket(&u.token).await;
    s.send_raw(&format!("42{}", json!(["ticket:message:send", { "ticket_id": t, "content": "x".repeat(200_000), "client_id": "big" }])));
    assert!(
        s.disconnected(WAIT).await,
        "the server drops a packet over its max payload"
    );
    assert_eq!(app.count("SELECT count(*) FROM messages", &[]).await, 0);
    // Others are unaffected.
    app.joined_socket(&u.token, t).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn two_instances_sharing_redis_deliver_across_instances(pool: PgPool) {
    let (a, b) = TestApp::spawn_pair(pool, &test_redis_url()).await;
    let (u, agent, t) = a
        .conversation("multi-user", "multi-agent", "across nodes")
        .await;
    let admin = a.admin("multi-admin").await;

    let su = a.joined_socket(&u.token, t).await; // instance A
    let mut sa = b.socket(&agent.token).await; // instance B
    let joined = sa.join(t).await;
    assert_eq!(
        joined["members"].as_array().unwrap().len(),
        2,
        "members across instances: {joined}"
    );

    let ack = su.send_message(t, "from A", "m1").await;
    let got = sa
        .expect("ticket:message:new", WAIT)
        .await
        .expect("delivered across instances");
    assert_eq!(got["message"]["id"], ack["message"]["id"]);
    assert_eq!(got["message"]["content"], "from A");
    assert_eq!(got["message"]["staff_seq"], 1, "staff get staff_seq: {got}");

    // A change made through instance B reaches the socket on instance A.
    let mut su = su;
    b.set_status(t, &agent, "resolved").await;
    assert_eq!(
        su.expect("ticket:status:updated", WAIT).await.unwrap()["status"],
        "resolved"
    );

    // Stats asked of either instance count sockets on both.
    let (_, s) = a.get("/admin/stats", &admin.token).await;
    assert_eq!(s["connected_clients"], 2, "{s}");
    assert_eq!(s["connected_agents"], 1);
    assert_eq!(s["active_ticket_rooms"], 1);
    let (_, s2) = b.get("/admin/stats", &admin.token).await;
    assert_eq!(s2["connected_clients"], 2);

    // Logout on A disconnects the socket on B.
    a.logout(&agent.token).await;
    assert!(sa.disconnected(WAIT).await);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn agents_watching_an_open_ticket_leave_its_room_when_another_agent_takes_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("pool-cust").await;
    let taker = app.agent("taker").await;
    let watcher = app.agent("watcher").await;
    let admin = app.admin("overseer").await;
    let t = app.ticket(&u, "open and watched").await;
    let mut sw = app.joined_socket(&watcher.token, t).await;
    let mut sadm = app.joined_socket(&admin.token, t).await;
    app.assign(t, &taker).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.post_message(t, &u, "for the taker only").await;
    assert!(
        !sw.receives("ticket:message:new", QUIET).await,
        "the watching agent lost access"
    );
    assert!(
        sadm.receives("ticket:message:new", WAIT).await,
        "admins keep seeing it"
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn events_sent_right_after_connect_are_answered(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("eager").await;
    let t = app.ticket(&u, "eager").await;
    // Many fresh connections that emit at once: none may lose its first ack.
    for _ in 0..20 {
        let s = app.socket(&u.token).await;
        let ack = s
            .try_emit_ack("ticket:join", json!({ "ticket_id": t }))
            .await;
        assert_eq!(ack.expect("first event acked")["ok"], true);
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn user_left_only_when_the_users_last_socket_leaves(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("two-tabs").await;
    let admin = app.admin("observer").await;
    let t = app.ticket(&u, "tabs").await;
    let tab1 = app.socket(&u.token).await;
    let tab2 = app.socket(&u.token).await;
    let mut obs = app.joined_socket(&admin.token, t).await;
    tab1.join(t).await;
    tab2.join(t).await;
    tab1.leave(t).await;
    assert!(
        !obs.receives("ticket:user_left", QUIET).await,
        "another tab is still here"
    );
    tab2.close();
    let left = obs
        .expect("ticket:user_left", WAIT)
        .await
        .expect("last tab gone");
    assert_eq!(left["user"]["id"], u.id);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn admins_hear_the_stats_change_without_asking(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.admin("live-admin").await;
    let agent = app.agent("live-agent").await;
    let user = app.register("live-user").await;
    let mut sadmin = app.socket(&admin.token).await;
    let mut sagent = app.socket(&agent.token).await;
    // Connecting moves the counts: the first push comes by itself.
    let first = sadmin.expect("admin:stats", WAIT).await.expect("a push");
    assert_eq!(first["connected_clients"], 2, "{first}");

    app.ticket(&user, "counted live").await;
    let pushed = sadmin
        .expect_where("admin:stats", WAIT, |s| s["open_tickets"] == 1)
        .await
        .expect("a push after the ticket");
    // The push is exactly what the HTTP endpoint says now.
    let (_, now) = app.get("/admin/stats", &admin.token).await;
    assert_eq!(pushed, now);
    assert_eq!(pushed["total_tickets"], 1);
    assert_eq!(pushed["total_users"], 1);

    let _su = app.socket(&user.token).await;
    let s = sadmin
        .expect_where("admin:stats", WAIT, |s| s["connected_clients"] == 3)
        .await
        .expect("a push");
    assert_eq!(
        s["connected_agents"], 2,
        "agents and admins with a socket: {s}"
    );
    // Only admins hear it.
    assert!(!sagent.receives("admin:stats", QUIET).await);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn stats_pushes_count_sockets_on_every_instance(pool: PgPool) {
    let (a, b) = TestApp::spawn_pair(pool, &test_redis_url()).await;
    let admin = a.admin("multi-stats-admin").await;
    let user = a.register("multi-stats-user").await;
    let mut sadmin = a.socket(&admin.token).await; // instance A
    let _su = b.socket(&user.token).await; // instance B: its change reaches A's admin
    let s = sadmin
        .expect_where("admin:stats", WAIT, |s| s["connected_clients"] == 2)
        .await
        .expect("a push");
    assert_eq!(s["connected_agents"], 1, "{s}");
}

/// Send `POST /tickets/{id}/messages` on a raw connection and drop it without reading the
/// answer, after `delay`.
async fn post_and_hang_up(app: &TestApp, token: &str, ticket: i64, n: usize, delay: Duration) {
    use tokio::io::AsyncWriteExt;
    let body =
        json!({ "content": format!("cut off {n}"), "client_id": format!("cut-{n}") }).to_string();
    let req = format!(
        "POST /tickets/{ticket}/messages HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.addr,
        body.len()
    );
    let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    tcp.write_all(req.as_bytes()).await.unwrap();
    tokio::time::sleep(delay).await;
    drop(tcp);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn every_stored_message_is_broadcast_even_when_the_poster_hangs_up(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (user, agent, t) = app
        .conversation("hangs-up", "listens", "cut-off posts")
        .await;
    let mut listener = app.joined_socket(&agent.token, t).await;
    // Hang up at many points: before the handler runs, during the insert, after the commit.
    // A busy machine is slower to reach the insert, so each round waits longer before hanging
    // up, until enough posts were stored to make the check meaningful.
    let mut n = 0;
    let mut stored: Vec<i64> = Vec::new();
    for round in 0..5u32 {
        let spread = 3_000 * 4u64.pow(round);
        for i in 0..60u64 {
            post_and_hang_up(
                &app,
                &user.token,
                t,
                n,
                Duration::from_micros(i * spread / 60),
            )
            .await;
            n += 1;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        stored = stored_messages(&app.state.db, t)
            .await
            .into_iter()
            .map(|(seq, _)| seq)
            .collect();
        if stored.len() >= 10 {
            break;
        }
    }
    assert!(!stored.is_empty(), "some posts must have been stored");
    let mut heard = Vec::new();
    while heard.len() < stored.len() {
        match listener.expect("ticket:message:new", WAIT).await {
            Some(m) => heard.push(m["message"]["seq"].as_i64().unwrap()),
            None => break,
        }
    }
    heard.sort_unstable();
    assert_eq!(heard, stored, "every stored message reached the room, once");
    assert!(!listener.receives("ticket:message:new", QUIET).await);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn concurrent_sends_to_one_ticket_are_delivered_in_seq_order(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (user, agent, t) = app
        .conversation("order-user", "order-agent", "ordering")
        .await;
    let admin = app.admin("order-admin").await;
    let s_user = app.joined_socket(&user.token, t).await;
    let s_agent = app.joined_socket(&agent.token, t).await;
    let mut listener = app.joined_socket(&admin.token, t).await;
    // Two senders fire 40 messages each without waiting for acks: the database orders them
    // by the ticket's row lock, and the room must hear them in that order.
    let mut acks = Vec::new();
    for i in 0..40 {
        for (s, who) in [(&s_user, "u"), (&s_agent, "a")] {
            let data = json!({ "ticket_id": t, "content": format!("{who}{i}"), "client_id": format!("{who}-{i}") });
            acks.push(s.emit_with_ack("ticket:message:send", &data).expect("sent"));
        }
    }
    for a in acks {
        let ack = a.await.expect("acked");
        assert_eq!(ack.data["ok"], true, "{}", ack.data);
    }
    let mut seqs = Vec::new();
    while seqs.len() < 80 {
        let m = listener
            .expect("ticket:message:new", WAIT)
            .await
            .expect("every message reaches the listener");
        seqs.push(m["message"]["seq"].as_i64().unwrap());
    }
    assert_eq!(
        seqs,
        (1..=80).collect::<Vec<i64>>(),
        "delivered in commit order, once"
    );
}
