//! Test helpers shared by every integration test: a real server on an ephemeral port over a
//! fresh database, an HTTP client, and a raw Socket.IO client (engine.io v4 / socket.io v5
//! over WebSocket), so tests speak the wire protocol any client speaks.

pub mod json;
pub mod room;
pub mod services;
pub mod storage;
pub use myrelay_sio_client as sio;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use myrelay_core::{AppState, Config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;

pub use json::{ints, items};
pub use room::TicketRoom;
pub use sio::SioClient;
pub use storage::{S3Server, StoreKind, TestStore, multipart_file};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    /// Where `GET /metrics` answers, when the config had `metrics_addr` (port 0 is fine).
    pub metrics_addr: Option<SocketAddr>,
    metrics_task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    shutdown: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.metrics_task.take() {
            t.abort();
        }
    }
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub role: String,
}

impl TestApp {
    /// Start the real app on `127.0.0.1:0` over `pool` with the test configuration.
    pub async fn spawn(pool: PgPool) -> TestApp {
        Self::spawn_with(pool, |_| {}).await
    }

    pub async fn spawn_with(pool: PgPool, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_tests("postgres://unused");
        config.rate_limit = false;
        tweak(&mut config);
        let state = myrelay_api::app_state(pool, config);
        let (app, realtime) = myrelay_api::build_app(state.clone())
            .await
            .expect("app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let metrics = match state.config.metrics_addr {
            Some(a) => Some(
                myrelay_api::metrics::start(a, state.db.clone(), std::future::pending())
                    .await
                    .expect("metrics listener"),
            ),
            None => None,
        };
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(myrelay_api::run(listener, app, realtime, async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            http: reqwest::Client::builder().build().expect("client"),
            metrics_addr: metrics.as_ref().map(|(a, _)| *a),
            metrics_task: metrics.map(|(_, t)| t),
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// Two instances over one database that share rooms through the Redis at `redis_url`,
    /// under a key prefix no other test uses, with the JWT secret every instance must share.
    pub async fn spawn_pair(pool: PgPool, redis_url: &str) -> (TestApp, TestApp) {
        let prefix = format!("myrelay-test-{}", unique_id());
        let cfg = |c: &mut Config| {
            c.redis_url = Some(redis_url.to_string());
            c.redis_prefix = prefix.clone();
            c.jwt_secret = b"one-secret-shared-by-every-instance!".to_vec();
        };
        let a = TestApp::spawn_with(pool.clone(), cfg).await;
        let b = TestApp::spawn_with(pool, cfg).await;
        (a, b)
    }

    /// Stop accepting, let in-flight requests finish, and wait for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Send a request with an optional bearer token and JSON body; returns status and JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, json)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Send `body` exactly as given with `content_type` (for malformed and oversized input);
    /// the raw response.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// `POST /auth/register` with `body` as given, for what registration accepts or refuses.
    pub async fn try_register(&self, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, "/auth/register", None, Some(body))
            .await
    }

    /// Register a user (role `user`).
    pub async fn register(&self, name: &str) -> Session {
        let email = format!("{name}@test.example");
        let (s, body) = self
            .try_register(
                json!({ "email": email, "password": "password-123", "display_name": name }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "register {name}: {body}");
        session_from(&body)
    }

    /// `POST /auth/logout` with `token`; the status.
    pub async fn logout(&self, token: &str) -> StatusCode {
        self.call(Method::POST, "/auth/logout", Some(token), None)
            .await
            .0
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// Create a user with `role` directly in the database, then sign in over HTTP.
    pub async fn user_with_role(&self, name: &str, role: &str) -> Session {
        let s = self.register(name).await;
        sqlx::query("UPDATE users SET role = $2::user_role WHERE id = $1")
            .bind(s.id)
            .bind(role)
            .execute(&self.state.db)
            .await
            .expect("set role");
        Session {
            role: role.into(),
            ..s
        }
    }

    pub async fn agent(&self, name: &str) -> Session {
        self.user_with_role(name, "agent").await
    }
    pub async fn admin(&self, name: &str) -> Session {
        self.user_with_role(name, "admin").await
    }

    /// A setup request as `by` that must answer `want`; the body.
    async fn call_expecting(
        &self,
        want: StatusCode,
        method: Method,
        path: &str,
        by: &Session,
        body: Value,
    ) -> Value {
        let (s, b) = self
            .call(method.clone(), path, Some(&by.token), Some(body))
            .await;
        assert_eq!(s, want, "{} {method} {path}: {b}", by.email);
        b
    }

    /// File a ticket; returns its id.
    pub async fn ticket(&self, who: &Session, description: &str) -> i64 {
        let body = json!({ "subject": "Help", "description": description });
        let t = self
            .call_expecting(StatusCode::CREATED, Method::POST, "/tickets", who, body)
            .await;
        t["id"].as_i64().expect("id")
    }

    /// `by` takes ticket `id` (`PATCH /tickets/{id}/assign` with `{}`); the ticket.
    pub async fn assign(&self, id: i64, by: &Session) -> Value {
        let path = format!("/tickets/{id}/assign");
        self.call_expecting(StatusCode::OK, Method::PATCH, &path, by, json!({}))
            .await
    }

    /// `by` moves ticket `id` to `status`; the ticket.
    pub async fn set_status(&self, id: i64, by: &Session, status: &str) -> Value {
        let path = format!("/tickets/{id}/status");
        let body = json!({ "status": status });
        self.call_expecting(StatusCode::OK, Method::PATCH, &path, by, body)
            .await
    }

    /// `by` posts `content` to ticket `id` over HTTP; the stored message.
    pub async fn post_message(&self, id: i64, by: &Session, content: &str) -> Value {
        let path = format!("/tickets/{id}/messages");
        let body = json!({ "content": content });
        self.call_expecting(StatusCode::CREATED, Method::POST, &path, by, body)
            .await
    }

    /// `POST /tickets/{ticket}/attachments` as `by`: one file part with `filename` and the
    /// declared (ignored) `declared_type`; status and JSON body.
    pub async fn upload(
        &self,
        ticket: i64,
        by: &Session,
        filename: &str,
        declared_type: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let (content_type, body) = multipart_file(filename, declared_type, bytes);
        let res = self
            .send_raw(
                Method::POST,
                &format!("/tickets/{ticket}/attachments"),
                Some(&by.token),
                &content_type,
                body,
            )
            .await;
        let status = res.status();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `GET /attachments/{id}` as `by`; the raw response.
    pub async fn download(&self, id: i64, by: &Session) -> reqwest::Response {
        self.http
            .get(self.url(&format!("/attachments/{id}")))
            .bearer_auth(&by.token)
            .send()
            .await
            .expect("request")
    }

    /// A second handle on the server's attachment store, to look at what it holds.
    pub fn storage(&self) -> myrelay_attachments::Storage {
        myrelay_attachments::Storage::open(
            &self.state.config.storage,
            &self.state.config.storage_options,
        )
        .expect("open the attachment store")
    }

    /// `PATCH /admin/users/{id}` as `admin` with `body`; status and body, unchecked.
    pub async fn update_user(&self, id: i64, admin: &Session, body: Value) -> (StatusCode, Value) {
        self.patch(&format!("/admin/users/{id}"), &admin.token, body)
            .await
    }

    /// A conversation's cast: a user registered as `user` files a ticket that an agent
    /// registered as `agent` takes. Returns (user, agent, ticket id).
    pub async fn conversation(
        &self,
        user: &str,
        agent: &str,
        description: &str,
    ) -> (Session, Session, i64) {
        let user = self.register(user).await;
        let agent = self.agent(agent).await;
        let ticket = self.ticket(&user, description).await;
        self.assign(ticket, &agent).await;
        (user, agent, ticket)
    }

    /// A one-number query on the test database (`SELECT count(*) …`), `$1…` bound to `ids`.
    pub async fn count(&self, sql: &'static str, ids: &[i64]) -> i64 {
        let mut q = sqlx::query_scalar(sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_one(&self.state.db).await.expect(sql)
    }

    /// Walk the cursor-paginated list at `path` as `token`, one page at a time.
    pub fn pages<'a>(&'a self, path: &str, token: &'a str) -> Pages<'a> {
        Pages {
            app: self,
            path: path.to_string(),
            token,
            cursor: None,
            done: false,
        }
    }

    /// Connect a Socket.IO client authenticated with `token`.
    pub async fn socket(&self, token: &str) -> SioClient {
        SioClient::connect(self.addr, Some(token), None)
            .await
            .expect("socket connects")
    }

    /// Connect with `token` and join ticket `id`'s room (the join must succeed).
    pub async fn joined_socket(&self, token: &str, id: i64) -> SioClient {
        let s = self.socket(token).await;
        s.join(id).await;
        s
    }
}

/// A cursor-paginated list (`items`, `next_cursor`) walked page by page (see
/// [`TestApp::pages`]).
pub struct Pages<'a> {
    app: &'a TestApp,
    path: String,
    token: &'a str,
    cursor: Option<String>,
    done: bool,
}

impl Pages<'_> {
    /// The next page (it must answer 200), or `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Value> {
        if self.done {
            return None;
        }
        let path = match &self.cursor {
            Some(c) if self.path.contains('?') => format!("{}&cursor={c}", self.path),
            Some(c) => format!("{}?cursor={c}", self.path),
            None => self.path.clone(),
        };
        let (s, page) = self.app.get(&path, self.token).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        match page["next_cursor"].as_str() {
            Some(c) => self.cursor = Some(c.to_string()),
            None => self.done = true,
        }
        Some(page)
    }
}

/// The messages stored for `ticket` as (seq, client_id), in seq order.
pub async fn stored_messages(db: &PgPool, ticket: i64) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT seq, client_id FROM messages WHERE ticket_id = $1 ORDER BY seq")
        .bind(ticket)
        .fetch_all(db)
        .await
        .expect("stored messages")
}

/// `REDIS_URL` for tests: the machine's Redis, or `TEST_REDIS_URL`.
pub fn test_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A string no other call returns (this process, this clock, a counter): for client ids and
/// Redis key prefixes.
pub fn unique_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!(
        "{:x}{nanos:x}{:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The URL of the database `pool` is connected to (its `#[sqlx::test]` database), for a
/// server started as a separate process.
pub fn database_url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = pool
        .connect_options()
        .get_database()
        .expect("database name")
        .to_string();
    format!(
        "{}/{}",
        base.rsplit_once('/').expect("a URL with a path").0,
        name
    )
}

pub fn session_from(body: &Value) -> Session {
    Session {
        id: body["user"]["id"].as_i64().expect("user id"),
        email: body["user"]["email"].as_str().expect("email").to_string(),
        token: body["token"].as_str().expect("token").to_string(),
        role: body["user"]["role"].as_str().expect("role").to_string(),
    }
}

/// Sign arbitrary claims with the app's secret (to forge expired or wrong-audience tokens).
pub fn sign_claims(state: &AppState, claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(&state.config.jwt_secret),
    )
    .expect("sign")
}

/// base64url without padding, as in JWT segments (to forge tokens in tests).
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The claims of a JWT, read without verifying it.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
        .expect("JSON claims")
}
