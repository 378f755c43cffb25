//! Issue 15: attachments — upload streamed into the object store, sent with messages and
//! notes, download authorised like the conversation, sniffed types, safe names, limits,
//! orphans (SPEC §13).
//!
//! The store-facing suite runs twice: on the `file://` store and on a real S3-compatible
//! server (moto, started per test on a free port).

use myrelay_attachments::Attachment;
use myrelay_test_support::{Session, StoreKind, TestApp, TestStore};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::time::{Duration, Instant};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const MIB: usize = 1024 * 1024;

/// `n` bytes that are neither text nor a known format, different at every offset.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // Never a NUL-free UTF-8 run for long, and no magic number at the start.
            (x >> 24) as u8 | 0x80
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

struct World {
    app: TestApp,
    store: TestStore,
    user: Session,
    agent: Session,
    ticket: i64,
}

async fn world(pool: PgPool, kind: StoreKind) -> World {
    world_with(pool, kind, |_| {}).await
}

async fn world_with(
    pool: PgPool,
    kind: StoreKind,
    tweak: impl FnOnce(&mut myrelay_core::Config),
) -> World {
    let store = TestStore::start(kind).await;
    let app = TestApp::spawn_with(pool, |c| {
        store.configure(c);
        tweak(c);
    })
    .await;
    let (user, agent, ticket) = app.conversation("maya", "sam", "My screen is blank").await;
    World {
        app,
        store,
        user,
        agent,
        ticket,
    }
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// Nothing stored: no row, no object, no unfinished upload.
async fn assert_nothing_stored(w: &World) {
    assert_eq!(
        w.app.count("SELECT count(*) FROM attachments", &[]).await,
        0
    );
    assert_eq!(w.app.storage().keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(w.store.leftovers().await, Vec::<String>::new());
}

async fn uploaded(w: &World, by: &Session, name: &str, declared: &str, bytes: &[u8]) -> Value {
    let (s, body) = w.app.upload(w.ticket, by, name, declared, bytes).await;
    assert_eq!(s, StatusCode::CREATED, "upload {name}: {body}");
    body
}

// --- the suite, on each store ---------------------------------------------------------

async fn uploader_downloads_exactly_the_bytes(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    // Over one S3 part (5 MiB) and several local ones: the multipart path, not a single put.
    let bytes = noise(6 * MIB + 123);
    let body = uploaded(&w, &w.user, "dump.bin", "application/x-whatever", &bytes).await;
    let a: Attachment = serde_json::from_value(body).unwrap();
    assert_eq!(a.filename, "dump.bin");
    assert_eq!(a.content_type, "application/octet-stream");
    assert_eq!(a.size, bytes.len() as i64);
    assert_eq!(a.sha256, sha256(&bytes));
    assert_eq!(a.uploader.id, w.user.id);
    assert_eq!(a.uploader.display_name, "maya");

    let res = w.app.download(a.id, &w.user).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "application/octet-stream");
    assert_eq!(header(&res, "content-length"), bytes.len().to_string());
    assert_eq!(header(&res, "cache-control"), "private");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert!(header(&res, "content-security-policy").starts_with("sandbox"));
    assert_eq!(
        header(&res, "content-disposition"),
        "attachment; filename=\"dump.bin\"; filename*=UTF-8''dump.bin"
    );
    let got = res.bytes().await.unwrap();
    assert_eq!(got.len(), bytes.len());
    assert_eq!(sha256(&got), a.sha256);
    assert_eq!(w.app.storage().keys().await.unwrap().len(), 1);
    assert_eq!(w.store.leftovers().await, Vec::<String>::new());
}

async fn an_unsent_upload_is_only_the_uploaders_and_admins(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let a = uploaded(&w, &w.user, "notes.txt", "text/plain", b"private words").await;
    let id = a["id"].as_i64().unwrap();
    let stranger = w.app.register("stranger").await;
    let admin = w.app.admin("root").await;
    // The assigned agent sees the ticket, but the file is not sent yet.
    for who in [&stranger, &w.agent] {
        let res = w.app.download(id, who).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", who.email);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["code"], "not_found");
    }
    let res = w.app.download(id, &admin).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"private words");
    // An id that does not exist answers the same.
    assert_eq!(
        w.app.download(id + 1000, &admin).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_file_over_the_limit_is_413_and_leaves_nothing(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let over = noise(10 * MIB + 1);
    let (s, p) = w
        .app
        .upload(
            w.ticket,
            &w.user,
            "big.bin",
            "application/octet-stream",
            &over,
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
    assert_eq!(p["code"], "payload_too_large");
    assert_nothing_stored(&w).await;
    // Exactly the limit is fine.
    let (s, p) = w
        .app
        .upload(
            w.ticket,
            &w.user,
            "max.bin",
            "application/octet-stream",
            &over[..10 * MIB],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["size"], 10 * MIB);
}

async fn an_empty_file_is_422_and_leaves_nothing(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let (s, p) = w
        .app
        .upload(w.ticket, &w.user, "empty.txt", "text/plain", b"")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(p["errors"]["file"][0]["code"], "empty");
    assert_nothing_stored(&w).await;
}

async fn html_and_svg_download_as_sandboxed_attachments(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let cases: [(&str, &[u8], &str); 2] = [
        (
            "page.html",
            b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
            "text/html",
        ),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "image/svg+xml",
        ),
    ];
    for (name, bytes, sniffed) in cases {
        let a = uploaded(&w, &w.user, name, "image/png", bytes).await;
        assert_eq!(a["content_type"], sniffed);
        let res = w.app.download(a["id"].as_i64().unwrap(), &w.user).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "content-type"), sniffed);
        assert!(
            header(&res, "content-disposition")
                .starts_with(&format!("attachment; filename=\"{name}\"")),
            "{name}"
        );
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert!(header(&res, "content-security-policy").starts_with("sandbox"));
    }
}

async fn a_png_downloads_inline(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let a = uploaded(&w, &w.agent, "shot.png", "application/octet-stream", PNG).await;
    assert_eq!(a["content_type"], "image/png");
    let res = w.app.download(a["id"].as_i64().unwrap(), &w.agent).await;
    assert_eq!(header(&res, "content-type"), "image/png");
    assert!(header(&res, "content-disposition").starts_with("inline; filename=\"shot.png\""));
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
}

async fn a_declared_type_that_lies_is_ignored(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let a = uploaded(&w, &w.user, "x.html", "text/html", PNG).await;
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["filename"], "x.html");
    let res = w.app.download(a["id"].as_i64().unwrap(), &w.user).await;
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
}

async fn hostile_file_names_are_sanitised(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let long = format!("{}.pdf", "ß".repeat(148)); // 300 bytes
    assert_eq!(long.len(), 300);
    let cases = [
        ("../../etc/passwd", "passwd".to_string()),
        ("..\\..\\windows\\win.ini", "win.ini".to_string()),
        (
            "re\tport\u{85}\u{9b}\u{202e}fdp.exe",
            "reportfdp.exe".to_string(),
        ),
        ("..", "file".to_string()),
        ("", "file".to_string()),
        (long.as_str(), format!("{}.pdf", "ß".repeat(125))),
    ];
    for (raw, want) in cases {
        let a = uploaded(&w, &w.user, raw, "text/plain", b"hello").await;
        assert_eq!(a["filename"], want.as_str(), "{raw:?}");
        assert!(want.len() <= 255);
        let res = w.app.download(a["id"].as_i64().unwrap(), &w.user).await;
        let cd = header(&res, "content-disposition");
        assert!(cd.starts_with("attachment; filename=\""), "{cd}");
        assert!(!cd.contains('/') && !cd.contains('\\'), "{cd}");
    }
    let stored: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM attachments")
        .fetch_all(&w.app.state.db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|k| !k.contains("passwd") && !k.contains(".."))
    );
}

async fn closed_and_foreign_tickets_are_refused(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let stranger = w.app.register("stranger").await;
    let (s, p) = w
        .app
        .upload(w.ticket, &stranger, "a.txt", "text/plain", b"hi")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    assert_eq!(p["code"], "not_found");
    let (s, _) = w
        .app
        .upload(999_999, &w.user, "a.txt", "text/plain", b"hi")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    w.app.set_status(w.ticket, &w.agent, "resolved").await;
    w.app.set_status(w.ticket, &w.agent, "closed").await;
    for who in [&w.user, &w.agent] {
        let (s, p) = w
            .app
            .upload(w.ticket, who, "a.txt", "text/plain", b"hi")
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert_eq!(p["code"], "ticket_closed");
    }
    assert_nothing_stored(&w).await;
}

async fn sent_files_follow_the_ticket_and_notes_stay_with_staff(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let bytes = noise(300_000);
    let up = uploaded(&w, &w.user, "scan.bin", "application/x-scan", &bytes).await;
    let id = up["id"].as_i64().unwrap();
    let mut agent_socket = w.app.joined_socket(&w.agent.token, w.ticket).await;
    let user_socket = w.app.joined_socket(&w.user.token, w.ticket).await;

    // Sent over the socket with no words: the ack and the other member's broadcast carry it.
    let send = json!({ "ticket_id": w.ticket, "content": "", "client_id": "u-1",
                       "attachment_ids": [id] });
    let ack = user_socket
        .emit_ack("ticket:message:send", send.clone())
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let sent = &ack["message"]["attachments"];
    assert_eq!(sent.as_array().unwrap().len(), 1, "{ack}");
    assert_eq!(sent[0]["id"], id);
    assert_eq!(sent[0]["sha256"], sha256(&bytes));
    let heard = agent_socket
        .expect("ticket:message:new", Duration::from_secs(3))
        .await
        .expect("the agent hears it");
    assert_eq!(&heard["message"]["attachments"], sent);
    // Lists preview a message of files alone by its first file's name, live and fetched.
    let preview = w
        .app
        .get(&format!("/tickets/{}", w.ticket), &w.agent.token)
        .await
        .1["last_message"]["excerpt"]
        .clone();
    assert_eq!(preview, "Attachment: scan.bin");
    let activity = agent_socket
        .expect("ticket:activity", Duration::from_secs(3))
        .await
        .expect("the assignee's inbox hears it");
    assert_eq!(activity["last_message"]["excerpt"], "Attachment: scan.bin");
    // A repeated send is the stored message, with its file.
    let again = user_socket.emit_ack("ticket:message:send", send).await;
    assert_eq!(again["message"]["id"], ack["message"]["id"]);
    assert_eq!(&again["message"]["attachments"], sent);
    // Both download exactly the bytes; history lists the file.
    for who in [&w.user, &w.agent] {
        let res = w.app.download(id, who).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(sha256(&res.bytes().await.unwrap()), sha256(&bytes));
        let (_, page) = w
            .app
            .get(&format!("/tickets/{}/messages", w.ticket), &who.token)
            .await;
        assert_eq!(&page["items"][0]["attachments"], sent, "{page}");
    }
    let stranger = w.app.register("stranger").await;
    let other_agent = w.app.agent("other").await;
    let admin = w.app.admin("root").await;
    let status = |res: reqwest::Response| res.status();
    assert_eq!(
        status(w.app.download(id, &stranger).await),
        StatusCode::NOT_FOUND
    );
    // An assigned ticket is not in the pool: another agent does not see it.
    assert_eq!(
        status(w.app.download(id, &other_agent).await),
        StatusCode::NOT_FOUND
    );
    assert_eq!(status(w.app.download(id, &admin).await), StatusCode::OK);

    // A note's file stays with staff, even from the ticket's own creator.
    let staff_file = uploaded(&w, &w.agent, "notes.txt", "text/plain", b"staff only").await;
    let n = staff_file["id"].as_i64().unwrap();
    let (s, note) = w
        .app
        .post(
            &format!("/tickets/{}/messages", w.ticket),
            &w.agent.token,
            json!({ "content": "log attached", "internal": true, "attachment_ids": [n] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    assert_eq!(note["attachments"][0]["id"], n);
    assert_eq!(status(w.app.download(n, &w.agent).await), StatusCode::OK);
    assert_eq!(status(w.app.download(n, &admin).await), StatusCode::OK);
    assert_eq!(
        status(w.app.download(n, &w.user).await),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(w.app.download(n, &other_agent).await),
        StatusCode::NOT_FOUND
    );
    let (_, page) = w
        .app
        .get(&format!("/tickets/{}/messages", w.ticket), &w.agent.token)
        .await;
    let files: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(files, vec![id, n], "staff see both: {page}");
    let (_, page) = w
        .app
        .get(&format!("/tickets/{}/messages", w.ticket), &w.user.token)
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
}

async fn sends_with_files_that_are_not_the_senders_store_nothing(pool: PgPool, kind: StoreKind) {
    let w = world(pool, kind).await;
    let theirs = uploaded(&w, &w.agent, "agent.txt", "text/plain", b"the agent's").await;
    let mine = uploaded(&w, &w.user, "mine.txt", "text/plain", b"mine").await;
    let other_ticket = w.app.ticket(&w.user, "another case").await;
    let (s, elsewhere) = w
        .app
        .upload(
            other_ticket,
            &w.user,
            "else.txt",
            "text/plain",
            b"elsewhere",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let post = |ids: Value, content: &str| {
        let body = json!({ "content": content, "attachment_ids": ids });
        let path = format!("/tickets/{}/messages", w.ticket);
        let token = w.user.token.clone();
        let app = &w.app;
        async move { app.post(&path, &token, body).await }
    };
    for (ids, code) in [
        (json!([theirs["id"]]), "not_yours"),
        (json!([elsewhere["id"]]), "not_yours"),
        (json!([mine["id"], theirs["id"]]), "not_yours"),
        (json!([mine["id"], mine["id"]]), "duplicate"),
        (json!([999_999]), "not_yours"),
        (json!((1..=11).collect::<Vec<i64>>()), "too_many"),
    ] {
        let (s, p) = post(ids.clone(), "with files").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{ids}: {p}");
        assert_eq!(p["errors"]["attachment_ids"][0]["code"], code, "{ids}: {p}");
    }
    // Nothing stored: no message, my upload still unsent (and mine to send).
    assert_eq!(w.app.count("SELECT count(*) FROM messages", &[]).await, 0);
    assert_eq!(
        w.app
            .count(
                "SELECT count(*) FROM attachments WHERE message_id IS NOT NULL",
                &[]
            )
            .await,
        0
    );
    // Empty content needs a file.
    let (s, _) = post(json!([]), "  ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, m) = post(json!([mine["id"]]), "  ").await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["content"], "");
    assert_eq!(m["seq"], 1, "the refused sends took no seq");
    // Sent once: sending it again is refused.
    let (s, _) = post(json!([mine["id"]]), "again").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn orphans_are_swept_and_sent_files_kept(pool: PgPool, kind: StoreKind) {
    let w = world_with(pool, kind, |c| {
        c.orphan_ttl = Duration::from_secs(1);
        c.orphan_sweep = Duration::from_millis(300);
    })
    .await;
    let orphan = uploaded(&w, &w.user, "orphan.txt", "text/plain", b"forgotten").await;
    let kept = uploaded(&w, &w.user, "kept.txt", "text/plain", b"sent").await;
    let message = w.app.post_message(w.ticket, &w.user, "here it is").await;
    let kept_id = kept["id"].as_i64().unwrap();
    link_in_sql(
        &w.app,
        kept_id,
        "message_id",
        message["id"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(w.app.storage().keys().await.unwrap().len(), 2);

    let deadline = Instant::now() + Duration::from_secs(15);
    while w.app.count("SELECT count(*) FROM attachments", &[]).await > 1 {
        assert!(Instant::now() < deadline, "the orphan was not swept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM attachments")
        .fetch_all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(left, vec![kept_id]);
    assert_eq!(w.app.storage().keys().await.unwrap().len(), 1);
    let orphan_id = orphan["id"].as_i64().unwrap();
    assert_eq!(
        w.app.download(orphan_id, &w.user).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = w.app.download(kept_id, &w.agent).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"sent");
}

/// Set the attachment's `message_id` or `note_id` directly (the send path comes later).
async fn link_in_sql(app: &TestApp, attachment: i64, column: &str, id: i64) {
    let sql = match column {
        "message_id" => "UPDATE attachments SET message_id = $2 WHERE id = $1",
        "note_id" => "UPDATE attachments SET note_id = $2 WHERE id = $1",
        other => panic!("no link column {other}"),
    };
    sqlx::query(sql)
        .bind(attachment)
        .bind(id)
        .execute(&app.state.db)
        .await
        .unwrap();
}

/// Each scenario above, once per store.
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod file_store {
            $(
                #[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
                async fn $name(pool: sqlx::PgPool) {
                    super::$name(pool, myrelay_test_support::StoreKind::File).await
                }
            )*
        }
        mod s3_store {
            $(
                #[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
                async fn $name(pool: sqlx::PgPool) {
                    super::$name(pool, myrelay_test_support::StoreKind::S3).await
                }
            )*
        }
    };
}

on_every_store!(
    uploader_downloads_exactly_the_bytes,
    an_unsent_upload_is_only_the_uploaders_and_admins,
    a_file_over_the_limit_is_413_and_leaves_nothing,
    an_empty_file_is_422_and_leaves_nothing,
    html_and_svg_download_as_sandboxed_attachments,
    a_png_downloads_inline,
    a_declared_type_that_lies_is_ignored,
    hostile_file_names_are_sanitised,
    closed_and_foreign_tickets_are_refused,
    sent_files_follow_the_ticket_and_notes_stay_with_staff,
    sends_with_files_that_are_not_the_senders_store_nothing,
    orphans_are_swept_and_sent_files_kept,
);

// --- the form itself (store-independent) ----------------------------------------------

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_body_that_is_not_a_one_file_form_is_refused(pool: PgPool) {
    let w = world(pool, StoreKind::File).await;
    let path = format!("/tickets/{}/attachments", w.ticket);
    let json = w
        .app
        .send_raw(
            Method::POST,
            &path,
            Some(&w.user.token),
            "application/json",
            "{}",
        )
        .await;
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let p: Value = json.json().await.unwrap();
    assert_eq!(p["code"], "unsupported_media_type");

    let b = "multipart/form-data; boundary=XyZ";
    let other = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ--\r\n";
    let res = w
        .app
        .send_raw(Method::POST, &path, Some(&w.user.token), b, other)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let two = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nA\r\n\
               --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b\"\r\n\r\nB\r\n--XyZ--\r\n";
    let none = "--XyZ--\r\n";
    let broken = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end";
    for (body, want) in [
        (two, StatusCode::UNPROCESSABLE_ENTITY),
        (none, StatusCode::UNPROCESSABLE_ENTITY),
        (broken, StatusCode::BAD_REQUEST),
    ] {
        let res = w
            .app
            .send_raw(Method::POST, &path, Some(&w.user.token), b, body)
            .await;
        assert_eq!(res.status(), want, "{body:?}");
    }
    let anonymous = w.app.send_raw(Method::POST, &path, None, b, none).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_nothing_stored(&w).await;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_limit_follows_max_upload(pool: PgPool) {
    let w = world_with(pool, StoreKind::File, |c| c.max_upload = 100).await;
    let (s, _) = w
        .app
        .upload(w.ticket, &w.user, "a", "text/plain", &[b'a'; 100])
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, p) = w
        .app
        .upload(w.ticket, &w.user, "b", "text/plain", &[b'a'; 101])
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
    // A declared length far past the bound is refused before reading.
    let (ct, body) = myrelay_test_support::multipart_file("c", "text/plain", &vec![b'a'; 200_000]);
    let res = w
        .app
        .send_raw(
            Method::POST,
            &format!("/tickets/{}/attachments", w.ticket),
            Some(&w.user.token),
            &ct,
            body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        w.app.count("SELECT count(*) FROM attachments", &[]).await,
        1
    );
}

// --- linking, as the message and note sends call it (SQL level) -----------------------

async fn upload_ids(w: &World, by: &Session, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let a = uploaded(
            w,
            by,
            &format!("f{i}.txt"),
            "text/plain",
            format!("file {i}").as_bytes(),
        )
        .await;
        ids.push(a["id"].as_i64().unwrap());
    }
    ids
}

async fn try_link(
    app: &TestApp,
    ticket: i64,
    uploader: i64,
    message: Option<i64>,
    note: Option<i64>,
    ids: &[i64],
) -> Result<Vec<Attachment>, myrelay_core::ApiError> {
    let mut tx = app.state.db.begin().await.unwrap();
    let out = myrelay_attachments::link(&mut tx, ticket, uploader, message, note, ids).await;
    if out.is_ok() {
        tx.commit().await.unwrap();
    }
    out
}

fn assert_refused(r: Result<Vec<Attachment>, myrelay_core::ApiError>, code: &str) {
    let e = r.expect_err("refused");
    assert_eq!(e.status().as_u16(), 422);
    let p = e.to_problem();
    assert_eq!(p.errors.unwrap()["attachment_ids"][0].code, code);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn link_attaches_own_uploads_and_lists_them_per_message(pool: PgPool) {
    let w = world(pool, StoreKind::File).await;
    let ids = upload_ids(&w, &w.user, 3).await;
    let m1 = w.app.post_message(w.ticket, &w.user, "one").await["id"]
        .as_i64()
        .unwrap();
    let m2 = w.app.post_message(w.ticket, &w.user, "two").await["id"]
        .as_i64()
        .unwrap();
    let linked = try_link(
        &w.app,
        w.ticket,
        w.user.id,
        Some(m1),
        None,
        &[ids[1], ids[0]],
    )
    .await
    .unwrap();
    assert_eq!(
        linked.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
    assert_eq!(linked[0].filename, "f0.txt");
    assert_eq!(linked[0].uploader.id, w.user.id);
    try_link(&w.app, w.ticket, w.user.id, Some(m2), None, &ids[2..])
        .await
        .unwrap();
    assert!(
        try_link(&w.app, w.ticket, w.user.id, Some(m2), None, &[])
            .await
            .unwrap()
            .is_empty()
    );

    let by_message = myrelay_attachments::for_messages(&w.app.state.db, &[m1, m2, 424242])
        .await
        .unwrap();
    assert_eq!(by_message.len(), 2);
    assert_eq!(by_message[&m1], linked);
    assert_eq!(
        by_message[&m2].iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![ids[2]]
    );
    assert!(
        myrelay_attachments::for_notes(&w.app.state.db, &[m1])
            .await
            .unwrap()
            .is_empty()
    );
    // Sent files are the ticket's now: the agent may download them.
    assert_eq!(
        w.app.download(ids[0], &w.agent).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn link_to_a_note_lists_per_note(pool: PgPool) {
    let w = world(pool, StoreKind::File).await;
    let ids = upload_ids(&w, &w.agent, 2).await;
    let (s, note) = w
        .app
        .post(
            &format!("/tickets/{}/messages", w.ticket),
            &w.agent.token,
            json!({ "content": "a note", "internal": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    let note_id = note["id"].as_i64().unwrap();
    let linked = try_link(&w.app, w.ticket, w.agent.id, None, Some(note_id), &ids)
        .await
        .unwrap();
    assert_eq!(linked.len(), 2);
    let by_note = myrelay_attachments::for_notes(&w.app.state.db, &[note_id])
        .await
        .unwrap();
    assert_eq!(by_note[&note_id], linked);
    assert_eq!(
        w.app.download(ids[0], &w.user).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn link_refuses_what_is_not_the_senders_unsent_upload_on_the_ticket(pool: PgPool) {
    let w = world(pool, StoreKind::File).await;
    let mine = upload_ids(&w, &w.user, 11).await;
    let theirs = upload_ids(&w, &w.agent, 1).await;
    let other_ticket = w.app.ticket(&w.user, "Another problem").await;
    let (s, elsewhere) = w
        .app
        .upload(other_ticket, &w.user, "e.txt", "text/plain", b"e")
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let elsewhere = elsewhere["id"].as_i64().unwrap();
    let m = w.app.post_message(w.ticket, &w.user, "hello").await["id"]
        .as_i64()
        .unwrap();
    let link = |ids: Vec<i64>| {
        let app = &w.app;
        let (ticket, user) = (w.ticket, w.user.id);
        async move { try_link(app, ticket, user, Some(m), None, &ids).await }
    };

    assert_refused(link(mine.clone()).await, "too_many");
    assert_refused(link(vec![mine[0], mine[0]]).await, "duplicate");
    assert_refused(link(vec![mine[0], theirs[0]]).await, "not_yours");
    assert_refused(link(vec![elsewhere]).await, "not_yours");
    assert_refused(link(vec![mine[0], 999_999]).await, "not_yours");
    // Nothing was linked by the refused calls (their transactions rolled back).
    assert_eq!(
        w.app
            .count(
                "SELECT count(*) FROM attachments WHERE message_id IS NOT NULL",
                &[]
            )
            .await,
        0
    );
    link(mine[..10].to_vec()).await.unwrap();
    // Already sent.
    assert_refused(link(vec![mine[0]]).await, "not_yours");
    assert_eq!(
        w.app
            .count(
                "SELECT count(*) FROM attachments WHERE message_id = $1",
                &[m]
            )
            .await,
        10
    );
}
