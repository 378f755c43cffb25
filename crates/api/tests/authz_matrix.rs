//! Issue 9: the authorization matrix. One table (`access-matrix.md`, also the access rules
//! in docs/SECURITY.md) states the expected outcome of every action for every subject and
//! object; this test runs every cell against a real server and checks that refusals carry
//! nothing of the object.

use myrelay_test_support::sio::{ConnectError, SioClient};
use myrelay_test_support::{
    Session, TestApp, TicketRoom, claims_of, multipart_file, sign_claims, unique_id,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

const TABLE: &str = include_str!("access-matrix.md");
const SECRET: &str = "zebra-confidential";

struct Subject {
    name: &'static str,
    token: Option<String>,
}

struct Objects {
    assigned: i64,
    open: i64,
    closed: i64,
    agent_assigned: i64,
}

async fn reset(app: &TestApp, o: &Objects) {
    sqlx::query(
        "UPDATE tickets SET
            status = CASE id WHEN $1 THEN 'assigned' WHEN $2 THEN 'open' ELSE 'closed' END::ticket_status,
            assigned_agent_id = CASE id WHEN $2 THEN NULL ELSE $4 END,
            resolved_at = NULL,
            closed_at = CASE id WHEN $3 THEN now() END
          WHERE id IN ($1, $2, $3)",
    )
    .bind(o.assigned)
    .bind(o.open)
    .bind(o.closed)
    .bind(o.agent_assigned)
    .execute(&app.state.db)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn every_cell_of_the_access_matrix_holds(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let a = app.register("user-a").await;
    let b = app.register("user-b").await;
    let agent_assigned = app.agent("agent-assigned").await;
    let agent_other = app.agent("agent-other").await;
    let admin = app.admin("admin").await;
    let deactivated = app.register("deactivated").await;
    sqlx::query("UPDATE users SET is_active = false WHERE id = $1")
        .bind(deactivated.id)
        .execute(&app.state.db)
        .await
        .unwrap();
    let logged_out = app.register("logged-out").await;
    app.logout(&logged_out.token).await;
    let expired = {
        let claims = claims_of(&a.token);
        let mut c = claims.clone();
        c["iat"] = json!(c["iat"].as_i64().unwrap() - 7200);
        c["exp"] = json!(c["iat"].as_i64().unwrap() + 3600);
        sign_claims(&app.state, &c)
    };
    let mk = |s: &Session| Some(s.token.clone());
    let subjects = [
        ("anonymous", None),
        ("user A", mk(&a)),
        ("user B", mk(&b)),
        ("agent assigned", mk(&agent_assigned)),
        ("agent other", mk(&agent_other)),
        ("admin", mk(&admin)),
        ("deactivated", mk(&deactivated)),
        ("logged out", mk(&logged_out)),
        ("expired", Some(expired)),
    ]
    .map(|(name, token)| Subject { name, token });
    let desc = format!("{SECRET}: the customer's private details");
    let objects = Objects {
        assigned: app.ticket(&a, &desc).await,
        open: app.ticket(&a, &desc).await,
        closed: app.ticket(&a, &desc).await,
        agent_assigned: agent_assigned.id,
    };

    let mut lines = TABLE.lines().filter(|l| l.starts_with('|'));
    let header: Vec<String> = cells(lines.next().unwrap());
    assert_eq!(
        &header[2..],
        subjects
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .as_slice(),
        "table columns are the subjects"
    );
    lines.next(); // separator
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for line in lines {
        let row = cells(line);
        let (action, object) = (&row[0], &row[1]);
        for (subject, expected) in subjects.iter().zip(&row[2..]) {
            reset(&app, &objects).await;
            let id = match object.as_str() {
                "assigned" => objects.assigned,
                "open" => objects.open,
                "closed" => objects.closed,
                "user B" => b.id,
                _ => 0,
            };
            let (got, body) = run(&app, action, id, subject.token.as_deref()).await;
            if &got != expected {
                mismatches.push(format!(
                    "{action} | {object} | {}: expected {expected}, got {got}: {body}",
                    subject.name
                ));
            }
            let success = got.starts_with('2') || got == "ok";
            if !success && (action.contains("{id}") || action.starts_with("socket")) {
                assert!(
                    !body.contains(SECRET),
                    "{action} {object} {}: a refusal leaked the object: {body}",
                    subject.name
                );
            }
            checked += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} cells differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(checked >= 250, "{checked}");
}

#[test]
fn the_documented_access_rules_are_the_tested_table() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/SECURITY.md"
    ))
    .expect("docs/SECURITY.md");
    assert!(
        doc.contains(TABLE.trim()),
        "docs/SECURITY.md must contain crates/api/tests/access-matrix.md verbatim"
    );
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// Perform `action` on `id` as the holder of `token`; the outcome as the table spells it.
async fn run(app: &TestApp, action: &str, id: i64, token: Option<&str>) -> (String, String) {
    if let Some(event) = action.strip_prefix("socket ") {
        let s = match SioClient::connect(app.addr, token, None).await {
            Ok(s) => s,
            Err(ConnectError::Refused(m)) => return ("refused".into(), m),
            Err(e) => return (format!("{e:?}"), String::new()),
        };
        let ack = match event {
            "ticket:message:send" => s.send_message(id, "matrix", &unique_id()).await,
            "ticket:message:send note" => {
                let note = json!({ "ticket_id": id, "content": "matrix note",
                                   "client_id": unique_id(), "internal": true });
                s.emit_ack("ticket:message:send", note).await
            }
            "ticket:join staff" => {
                s.emit_ack(
                    "ticket:join",
                    json!({ "ticket_id": id, "after_staff_seq": 0 }),
                )
                .await
            }
            "ticket:typing:start" | "ticket:typing:start note" => {
                // As a client does: join (which may be refused), then type.
                s.try_join(id).await;
                let internal = event.ends_with(" note");
                let payload = json!({ "ticket_id": id, "internal": internal });
                s.emit_ack("ticket:typing:start", payload).await
            }
            "ticket:read" => {
                s.emit_ack(event, json!({ "ticket_id": id, "seq": 0 }))
                    .await
            }
            _ => s.emit_ack(event, json!({ "ticket_id": id })).await,
        };
        let outcome = if ack["ok"] == true {
            "ok".to_string()
        } else {
            ack["error"]["code"].as_str().unwrap_or("?").to_string()
        };
        return (outcome, ack.to_string());
    }
    let mut parts = action.split(' ');
    let method: Method = parts.next().unwrap().parse().unwrap();
    let mut path = parts.next().unwrap().replace("{id}", &id.to_string());
    let variant = parts.next();
    if method == Method::POST && path.ends_with("/attachments") {
        let (content_type, body) = multipart_file("matrix.txt", "text/plain", b"matrix file");
        let res = app
            .send_raw(method, &path, token, &content_type, body)
            .await;
        let status = res.status().as_u16().to_string();
        return (status, res.text().await.unwrap_or_default());
    }
    if variant == Some("staff") {
        path.push_str("?after_staff_seq=0");
    }
    let body = match (method.as_str(), path.as_str(), variant) {
        ("POST", p, Some("note")) if p.ends_with("/messages") => {
            Some(json!({ "content": "matrix note", "internal": true }))
        }
        ("POST", p, _) if p.ends_with("/messages") => Some(json!({ "content": "matrix message" })),
        ("POST", p, _) if p.ends_with("/read") => Some(json!({ "seq": 0 })),
        ("PATCH", "/auth/me/preferences", _) => Some(json!({ "sound": true })),
        ("POST", "/tickets", _) => Some(json!({ "description": "matrix ticket" })),
        ("PATCH", _, Some("resolved")) => Some(json!({ "status": "resolved" })),
        ("PATCH", _, Some("closed")) => Some(json!({ "status": "closed" })),
        ("PATCH", _, Some("self")) => Some(json!({})),
        ("PATCH", _, Some("release")) => Some(json!({ "agent_id": null })),
        ("PATCH", p, _) if p.starts_with("/admin/users") => Some(json!({ "role": "user" })),
        _ => None,
    };
    let (status, body): (StatusCode, Value) = app.call(method, &path, token, body).await;
    (status.as_u16().to_string(), body.to_string())
}

/// SPEC §10: lists, counts, previews, search and live activity say nothing about tickets a
/// person may not see.
#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn nothing_leaks_through_counts_previews_search_or_activity(pool: PgPool) {
    use std::time::Duration;
    let app = TestApp::spawn(pool).await;
    let a = app.register("owner-a").await;
    let b = app.register("outsider-b").await;
    let agent = app.agent("holder").await;
    let other_agent = app.agent("bystander").await;
    let t = app.ticket(&a, "a private case").await;
    app.patch(&format!("/tickets/{t}/assign"), &agent.token, json!({}))
        .await;
    let mut sb = app.socket(&b.token).await;
    let mut so = app.socket(&other_agent.token).await;
    let (s, _) = app
        .post(
            &format!("/tickets/{t}/messages"),
            &a.token,
            json!({ "content": format!("my {SECRET} password is hunter2") }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for outsider in [&b, &other_agent] {
        // Live activity: nothing.
        // Lists, previews and counts: nothing.
        for path in [
            "/tickets".to_string(),
            format!("/tickets?q={SECRET}"),
            "/tickets?q=hunter2".to_string(),
            "/tickets?scope=mine".to_string(),
            "/tickets?scope=available".to_string(),
        ] {
            let (s, page) = app.get(&path, &outsider.token).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(page["items"], json!([]), "{path} for {}", outsider.email);
        }
        let (_, me) = app.get("/auth/me", &outsider.token).await;
        assert_eq!(me["unread"], json!({ "tickets": 0, "messages": 0 }));
        let (s, body) = app.get(&format!("/tickets/{t}"), &outsider.token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!body.to_string().contains(SECRET));
    }
    for s in [&mut sb, &mut so] {
        let quiet = Duration::from_millis(400);
        while let Some(e) = s.next_event(quiet).await {
            assert!(
                !e.data.to_string().contains(SECRET)
                    && !e.data.to_string().contains(&format!("\"ticket_id\":{t}")),
                "{}: {}",
                e.name,
                e.data
            );
        }
    }
    // Those who may see it do find it.
    for insider in [&a, &agent] {
        let (_, page) = app
            .get(&format!("/tickets?q={SECRET}"), &insider.token)
            .await;
        assert_eq!(page["items"][0]["id"], t, "{}", insider.email);
    }
}
