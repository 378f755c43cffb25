//! Test helpers shared by every integration test: a real server on an ephemeral port over a
//! fresh database, an HTTP client, and a raw Socket.IO client (engine.io v4 / socket.io v5
//! over WebSocket), so tests speak the wire protocol any client speaks.

pub mod services;
pub use myrelay_sio_client as sio;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use myrelay_core::{AppState, Config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub use sio::SioClient;

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
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
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(myrelay_api::run(listener, app, realtime, async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            http: reqwest::Client::builder().build().expect("client"),
            shutdown: Some(tx),
            handle: Some(handle),
        }
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

    /// Register a user (role `user`).
    pub async fn register(&self, name: &str) -> Session {
        let email = format!("{name}@test.example");
        let (s, body) = self
            .call(
                Method::POST,
                "/auth/register",
                None,
                Some(json!({ "email": email, "password": "password-123", "display_name": name })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "register {name}: {body}");
        session_from(&body)
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

    /// File a ticket; returns its id.
    pub async fn ticket(&self, who: &Session, description: &str) -> i64 {
        let (s, t) = self
            .post(
                "/tickets",
                &who.token,
                json!({ "subject": "Help", "description": description }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        t["id"].as_i64().expect("id")
    }

    /// Connect a Socket.IO client authenticated with `token`.
    pub async fn socket(&self, token: &str) -> SioClient {
        SioClient::connect(self.addr, Some(token), None)
            .await
            .expect("socket connects")
    }
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
