//! Issue 14: internal notes (SPEC §11). Staff write them over HTTP and sockets; nothing a
//! user can observe reveals one — proven by running one support conversation twice, with and
//! without notes, and comparing everything the customer saw.

use chrono::{DateTime, FixedOffset};
use myrelay_test_support::{Session, SioClient, TestApp, TicketRoom};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::BTreeSet;
use std::time::Duration;

const QUIET: Duration = Duration::from_millis(500);

/// Every event `s` receives until it has been quiet for a moment, as `[name, payload]`, added
/// to `into`. Which step an event lands in depends on timing, so the runs are compared on all
/// a connection heard, sorted (`connection`).
async fn settle(s: &mut SioClient, into: &mut Vec<Value>) {
    while let Some(e) = s.next_event(QUIET).await {
        into.push(json!([e.name, e.data]));
    }
}

/// What one connection heard, in a comparable order.
fn connection(mut heard: Vec<Value>) -> Value {
    heard.sort_by_key(|v| v.to_string());
    json!({ "connection heard": heard })
}

async fn note_http(app: &TestApp, who: &Session, ticket: i64, text: &str) -> Value {
    let (s, m) = app
        .post(
            &format!("/tickets/{ticket}/messages"),
            &who.token,
            json!({ "content": text, "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["internal"], true, "{m}");
    m
}

async fn note_socket(s: &SioClient, ticket: i64, text: &str, client_id: &str) -> Value {
    let ack = s
        .emit_ack(
            "ticket:message:send",
            json!({ "ticket_id": ticket, "content": text, "client_id": client_id, "internal": true }),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["message"]["internal"], true, "{ack}");
    ack
}

/// A database of its own with the schema, for the second run of the conversation. Its name is
/// fixed (SQL here is static text only); an advisory lock on the cluster's maintenance
/// database keeps two test runs from sharing it. Dropped by [`drop_twin`].
const TWIN: &str = "myrelay_notes_leak_twin";

async fn twin_database() -> (PgConnection, PgPool) {
    let mut master = PgConnection::connect(&std::env::var("DATABASE_URL").unwrap())
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_lock(20261201)")
        .execute(&mut master)
        .await
        .unwrap();
    sqlx::query("DROP DATABASE IF EXISTS myrelay_notes_leak_twin WITH (FORCE)")
        .execute(&mut master)
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE myrelay_notes_leak_twin")
        .execute(&mut master)
        .await
        .unwrap();
    let base = std::env::var("DATABASE_URL").unwrap();
    let url = format!("{}/{TWIN}", base.rsplit_once('/').unwrap().0);
    let twin = PgPool::connect(&url).await.unwrap();
    myrelay_api::MIGRATOR.run(&twin).await.unwrap();
    (master, twin)
}

async fn drop_twin(mut master: PgConnection, twin: PgPool) {
    twin.close().await;
    sqlx::query("DROP DATABASE IF EXISTS myrelay_notes_leak_twin WITH (FORCE)")
        .execute(&mut master)
        .await
        .unwrap();
}

/// What the staff saw, to check the notes run really had notes.
struct StaffView {
    history: Vec<Value>,
    live_notes: usize,
    caught_up_notes: usize,
}

/// One support conversation: a customer, two agents (one takes the ticket, the other loses
/// it), an admin. With `notes`, staff also write internal notes between every public step, over
/// HTTP and sockets, while the customer is connected and while they are away. Returns
/// everything the customer observed, step by step.
async fn conversation(app: &TestApp, notes: bool) -> (Vec<Value>, StaffView) {
    let user = app.register("carla").await;
    let maya = app.agent("maya").await;
    let omar = app.agent("omar").await;
    let admin = app.admin("ada").await;
    let t = app.ticket(&user, "The printer prints blank pages").await;
    let mut seen: Vec<Value> = Vec::new();

    let mut us = app.joined_socket(&user.token, t).await;
    let mut sm = app.joined_socket(&maya.token, t).await;
    let so = app.joined_socket(&omar.token, t).await;
    let mut heard = Vec::new();
    settle(&mut us, &mut heard).await;

    // The customer writes.
    let ack = us.send_message(t, "Hello, it prints nothing", "c-1").await;
    seen.push(json!({ "step": "user sends", "ack": ack }));
    settle(&mut us, &mut heard).await;
    if notes {
        note_socket(&so, t, "Looks like a toner issue, escalate", "o-n1").await;
        // Omar's note while typing a note: typing is heard by staff only.
        let ack = so
            .emit_ack(
                "ticket:typing:start",
                json!({ "ticket_id": t, "internal": true }),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    // Maya replies over HTTP.
    let (s, m) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &maya.token,
            json!({ "content": "We are on it", "client_id": "m-http-1" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    settle(&mut us, &mut heard).await;
    if notes {
        note_http(app, &maya, t, "escalate to hardware if the cleaning fails").await;
    }
    // Maya takes the ticket: Omar loses it.
    app.assign(t, &maya).await;
    settle(&mut us, &mut heard).await;
    if notes {
        note_http(app, &admin, t, "Admin: escalate approved").await;
        note_socket(&sm, t, "Calling the vendor", "m-n1").await;
    }
    // The customer goes away; staff go on.
    settle(&mut us, &mut heard).await;
    seen.push(connection(std::mem::take(&mut heard)));
    us.close();
    tokio::time::sleep(QUIET).await;
    if notes {
        note_socket(&sm, t, "Vendor says escalate", "m-n2").await;
    }
    let reply = sm
        .send_message(t, "Please clean the print head", "m-1")
        .await;
    assert_eq!(reply["ok"], true, "{reply}");
    if notes {
        note_socket(&sm, t, "waiting on the customer", "m-n3").await;
        // A repeated note is the stored one, and says nothing new to anyone.
        let again = note_socket(&sm, t, "waiting on the customer", "m-n3").await;
        assert_eq!(again["message"]["staff_seq"].as_i64(), Some(9), "{again}");
    }
    // The customer comes back and catches up from what they had.
    us = app.socket(&user.token).await;
    let ack = us.join_after(t, 2).await;
    seen.push(json!({ "step": "rejoined", "ack": ack }));
    settle(&mut us, &mut heard).await;
    let (s, m) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &user.token,
            json!({ "content": "Cleaned it, works now", "client_id": "c-2" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    seen.push(json!({ "step": "user sends over HTTP", "reply": m }));
    settle(&mut us, &mut heard).await;
    if notes {
        note_socket(&sm, t, "closing soon, escalate not needed", "m-n4").await;
    }
    app.set_status(t, &maya, "resolved").await;
    settle(&mut us, &mut heard).await;

    // Everything the customer can ask for over HTTP.
    for path in [
        format!("/tickets/{t}/messages"),
        format!("/tickets/{t}/messages?after_seq=0&limit=2"),
        format!("/tickets/{t}/messages?before_seq=3"),
        format!("/tickets/{t}"),
        "/tickets".to_string(),
        "/tickets?scope=mine".to_string(),
        "/tickets?q=escalate".to_string(),
        "/tickets?q=vendor".to_string(),
        "/tickets?q=print".to_string(),
        "/auth/me".to_string(),
        format!("/tickets/{t}/events"),
    ] {
        let (s, body) = app.get(&path, &user.token).await;
        seen.push(json!({ "get": path, "status": s.as_u16(), "body": body }));
    }
    let (s, body) = app
        .post(
            &format!("/tickets/{t}/read"),
            &user.token,
            json!({ "seq": 2 }),
        )
        .await;
    seen.push(json!({ "read": s.as_u16(), "body": body }));
    let (_, me) = app.get("/auth/me", &user.token).await;
    seen.push(json!({ "me after read": me }));
    // Everything the second connection heard, once nothing more is on its way.
    tokio::time::sleep(QUIET).await;
    settle(&mut us, &mut heard).await;
    seen.push(connection(heard));

    // What staff saw: the notes, in one gapless order with the messages.
    let (s, history) = app
        .get(
            &format!("/tickets/{t}/messages?after_staff_seq=0"),
            &maya.token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{history}");
    let mut live = Vec::new();
    settle(&mut sm, &mut live).await;
    let live_notes = live
        .iter()
        .filter(|e| e[0] == "ticket:message:new" && e[1]["message"]["internal"] == true)
        .count();
    // Maya reconnects and catches up on messages and notes by staff_seq.
    sm.close();
    let sm2 = app.socket(&maya.token).await;
    let ack = sm2
        .emit_ack(
            "ticket:join",
            json!({ "ticket_id": t, "after_staff_seq": 1 }),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let caught_up_notes = ack["missed_messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["internal"] == true)
        .count();
    so.close();
    (
        seen,
        StaffView {
            history: history["items"].as_array().unwrap().clone(),
            live_notes,
            caught_up_notes,
        },
    )
}

/// Timestamps differ between runs; their order is what a user could read anything from.
/// Each becomes its rank among the distinct instants of the whole stream.
fn normalise(stream: &mut Value) {
    fn collect(v: &Value, out: &mut BTreeSet<DateTime<FixedOffset>>) {
        match v {
            Value::String(s) => {
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    out.insert(t);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            Value::Object(o) => o.values().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    fn replace(v: &mut Value, ranks: &[DateTime<FixedOffset>]) {
        match v {
            Value::String(s) => {
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    let rank = ranks.binary_search(&t).unwrap();
                    *s = format!("instant #{rank}");
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| replace(x, ranks)),
            Value::Object(o) => o.values_mut().for_each(|x| replace(x, ranks)),
            _ => {}
        }
    }
    let mut set = BTreeSet::new();
    collect(stream, &mut set);
    let ranks: Vec<_> = set.into_iter().collect();
    replace(stream, &ranks);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_customer_observes_exactly_the_same_with_or_without_notes(pool: PgPool) {
    let (master, twin) = twin_database().await;
    let with_notes = TestApp::spawn(pool.clone()).await;
    let (seen_with, staff) = conversation(&with_notes, true).await;
    let without = TestApp::spawn(twin.clone()).await;
    let (seen_without, staff_without) = conversation(&without, false).await;

    // The notes were there for staff: in history, live and on catch-up, all marked, in one
    // gapless staff order with the messages.
    let staff_seqs: Vec<i64> = staff
        .history
        .iter()
        .map(|m| m["staff_seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        staff_seqs,
        (1..=11).collect::<Vec<_>>(),
        "{:?}",
        staff.history
    );
    let notes: Vec<&Value> = staff
        .history
        .iter()
        .filter(|m| m["internal"] == true)
        .collect();
    assert_eq!(notes.len(), 7, "{:?}", staff.history);
    // Notes take no public seq: theirs is the newest message's when written.
    let public: Vec<i64> = staff
        .history
        .iter()
        .filter(|m| m["internal"] == false)
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(public, vec![1, 2, 3, 4]);
    // Omar's, the admin's and Maya's own HTTP note (no socket to spare); not her socket's own.
    assert_eq!(staff.live_notes, 3, "notes Maya's socket heard live");
    assert_eq!(staff.caught_up_notes, 7);
    assert_eq!(staff_without.history.len(), 4);

    // The customer's whole stream is the same.
    let mut a = Value::Array(seen_with);
    let mut b = Value::Array(seen_without);
    normalise(&mut a);
    normalise(&mut b);
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x, y, "the customer's view differs with notes");
    }
    // The stream is not trivially empty: the customer saw messages, events and their counts.
    let text = serde_json::to_string(a).unwrap();
    for expected in [
        "Please clean the print head",
        "ticket:status:updated",
        "unread",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    for leak in ["\"internal\":true", "staff_seq", "Vendor", "toner"] {
        assert!(!text.contains(leak), "{leak} reached the customer: {text}");
    }

    drop(without);
    drop_twin(master, twin).await;
}

/// No note on ticket `t`, and neither of its orders moved.
async fn assert_nothing_stored(app: &TestApp, t: i64) {
    let sql = "SELECT (SELECT count(*) FROM notes WHERE ticket_id = $1) + last_seq + last_staff_seq
                 FROM tickets WHERE id = $1";
    assert_eq!(app.count(sql, &[t]).await, 0);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn users_may_neither_write_nor_ask_for_notes(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (user, _agent, t) = app
        .conversation("carla", "maya", "My screen flickers at night")
        .await;
    // HTTP: 403, whatever the ticket (role before state) — even one that does not exist.
    for ticket in [t, 999_999] {
        let (s, p) = app
            .post(
                &format!("/tickets/{ticket}/messages"),
                &user.token,
                json!({ "content": "let me in", "internal": true }),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert_eq!(p["code"], "forbidden");
        let (s, p) = app
            .get(
                &format!("/tickets/{ticket}/messages?after_staff_seq=0"),
                &user.token,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    }
    // Sockets: error acks.
    let us = app.joined_socket(&user.token, t).await;
    let ack = us
        .emit_ack(
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "x", "client_id": "u1", "internal": true }),
        )
        .await;
    assert_eq!(ack["ok"], false, "{ack}");
    assert_eq!(ack["error"]["code"], "forbidden", "{ack}");
    let ack = us
        .emit_ack(
            "ticket:join",
            json!({ "ticket_id": t, "after_staff_seq": 0 }),
        )
        .await;
    assert_eq!(ack["error"]["code"], "forbidden", "{ack}");
    let ack = us
        .emit_ack(
            "ticket:typing:start",
            json!({ "ticket_id": t, "internal": true }),
        )
        .await;
    assert_eq!(ack["error"]["code"], "forbidden", "{ack}");
    assert_nothing_stored(&app, t).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn bad_notes_are_refused_and_nothing_is_stored(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (_user, maya, t) = app
        .conversation("carla", "maya", "My screen flickers at night")
        .await;
    let omar = app.agent("omar").await;
    // The internal flag must be a boolean.
    for bad in [json!("yes"), json!(1), json!(null), json!({})] {
        let (s, p) = app
            .post(
                &format!("/tickets/{t}/messages"),
                &maya.token,
                json!({ "content": "note", "internal": bad }),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
        let sock = app.socket(&maya.token).await;
        let ack = sock
            .emit_ack(
                "ticket:message:send",
                json!({ "ticket_id": t, "content": "note", "client_id": "x", "internal": bad }),
            )
            .await;
        assert_eq!(ack["error"]["code"], "validation_failed", "{bad}: {ack}");
    }
    // A ticket someone else holds: 404, as for a message.
    let (s, p) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &omar.token,
            json!({ "content": "peek", "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    // Empty content: 422.
    let (s, _) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &maya.token,
            json!({ "content": "   ", "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A closed ticket: 409 ticket_closed.
    app.set_status(t, &maya, "resolved").await;
    app.set_status(t, &maya, "closed").await;
    let (s, p) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &maya.token,
            json!({ "content": "after the end", "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["code"], "ticket_closed");
    assert_nothing_stored(&app, t).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn notes_are_searchable_by_staff_who_see_the_ticket_only(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (user, maya, t) = app
        .conversation("carla", "maya", "My screen flickers at night")
        .await;
    let omar = app.agent("omar").await;
    let admin = app.admin("ada").await;
    app.post_message(t, &user, "It flickers more when cold")
        .await;
    note_http(&app, &maya, t, "Probably the flux capacitor").await;
    let hits = |body: &Value| -> Vec<(i64, Value)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["id"].as_i64().unwrap(), v["search_match"].clone()))
            .collect()
    };
    for who in [&maya, &admin] {
        let (s, body) = app.get("/tickets?q=capacitor", &who.token).await;
        assert_eq!(s, StatusCode::OK);
        let found = hits(&body);
        assert_eq!(found.len(), 1, "{body}");
        assert_eq!(found[0].0, t);
        assert_eq!(found[0].1["field"], "note", "{body}");
        assert_eq!(found[0].1["seq"], 2, "the note's staff_seq: {body}");
    }
    let (_, body) = app.get("/tickets?q=capacitor", &user.token).await;
    assert!(hits(&body).is_empty(), "{body}");
    let (_, body) = app.get("/tickets?q=capacitor", &omar.token).await;
    assert!(
        hits(&body).is_empty(),
        "an agent who may not see the ticket: {body}"
    );
    // The customer's word is found by everyone who sees the ticket, as a message.
    let (_, body) = app.get("/tickets?q=cold", &user.token).await;
    assert_eq!(hits(&body)[0].1["field"], "message");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn staff_history_pages_messages_and_notes_by_staff_seq(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (user, maya, t) = app
        .conversation("carla", "maya", "My screen flickers at night")
        .await;
    for i in 1..=5 {
        app.post_message(t, &user, &format!("message {i}")).await;
        note_http(&app, &maya, t, &format!("note {i}")).await;
    }
    // Newest page for staff: notes included, ascending staff_seq.
    let (_, page) = app
        .get(&format!("/tickets/{t}/messages?limit=4"), &maya.token)
        .await;
    let seqs: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["staff_seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![7, 8, 9, 10]);
    assert_eq!(page["has_more"], true);
    let (_, page) = app
        .get(
            &format!("/tickets/{t}/messages?before_staff_seq=7&limit=4"),
            &maya.token,
        )
        .await;
    let seqs: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["staff_seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![3, 4, 5, 6]);
    let (_, page) = app
        .get(
            &format!("/tickets/{t}/messages?after_staff_seq=8"),
            &maya.token,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["has_more"], false);
    // The seq cursors give the conversation only, also to staff (with their staff_seq).
    let (_, page) = app
        .get(&format!("/tickets/{t}/messages?after_seq=0"), &maya.token)
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(
        items
            .iter()
            .all(|m| m["internal"] == false && m["staff_seq"].is_i64())
    );
    // The customer: five messages, no staff fields.
    let (_, page) = app
        .get(&format!("/tickets/{t}/messages"), &user.token)
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(
        items
            .iter()
            .all(|m| m.get("staff_seq").is_none() && m["internal"] == false)
    );
    // One cursor counts, staff cursors first.
    let (_, page) = app
        .get(
            &format!("/tickets/{t}/messages?after_seq=4&after_staff_seq=8"),
            &maya.token,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    // Notes did not move what users see of the ticket: 5 messages, no unread from notes.
    let (_, ticket) = app.get(&format!("/tickets/{t}"), &user.token).await;
    assert_eq!(ticket["message_count"], 5);
    assert_eq!(ticket["last_message"]["excerpt"], "message 5");
}
