//! The public HTTP API (SPEC §4), just what the scenarios need.

use anyhow::{Context, anyhow, bail};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

/// A signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub role: String,
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub addr: SocketAddr,
    http: reqwest::Client,
}

impl Api {
    /// `base` is the server's origin, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: &str) -> anyhow::Result<Api> {
        let base = base.trim_end_matches('/').to_string();
        let hostport = base
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("only http:// URLs are supported: {base}"))?;
        let addr = std::net::ToSocketAddrs::to_socket_addrs(hostport)
            .with_context(|| format!("resolving {hostport}"))?
            .next()
            .ok_or_else(|| anyhow!("{hostport} resolves to nothing"))?;
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Api { base, addr, http })
    }

    /// One request; the status and the JSON body (`Null` when there is none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await?;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, v))
    }

    /// A GET whose body is only checked for status (the hot path of the inbox scenario):
    /// the status and the body length.
    pub async fn get_status(&self, path: &str, token: &str) -> anyhow::Result<(u16, usize)> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let status = res.status().as_u16();
        let len = res.bytes().await?.len();
        Ok((status, len))
    }

    async fn expect(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        want: u16,
    ) -> anyhow::Result<Value> {
        let (s, v) = self.call(method.clone(), path, token, body).await?;
        if s != want {
            bail!("{method} {path}: expected {want}, got {s}: {v}");
        }
        Ok(v)
    }

    fn session(v: &Value) -> anyhow::Result<Session> {
        Ok(Session {
            id: v["user"]["id"]
                .as_i64()
                .ok_or_else(|| anyhow!("no user id in {v}"))?,
            email: v["user"]["email"].as_str().unwrap_or_default().to_string(),
            token: v["token"]
                .as_str()
                .ok_or_else(|| anyhow!("no token in {v}"))?
                .to_string(),
            role: v["user"]["role"].as_str().unwrap_or("user").to_string(),
        })
    }

    pub async fn register(
        &self,
        email: &str,
        password: &str,
        name: &str,
    ) -> anyhow::Result<Session> {
        let body = json!({ "email": email, "password": password, "display_name": name });
        let v = self
            .expect(Method::POST, "/auth/register", None, Some(&body), 201)
            .await?;
        Self::session(&v)
    }

    pub async fn login(&self, email: &str, password: &str) -> anyhow::Result<Session> {
        let body = json!({ "email": email, "password": password });
        let v = self
            .expect(Method::POST, "/auth/login", None, Some(&body), 200)
            .await?;
        Self::session(&v)
    }

    /// File a ticket; its id.
    pub async fn create_ticket(&self, token: &str, subject: &str) -> anyhow::Result<i64> {
        let body =
            json!({ "subject": subject, "description": format!("{subject}: benchmark ticket") });
        let v = self
            .expect(Method::POST, "/tickets", Some(token), Some(&body), 201)
            .await?;
        v["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("no ticket id in {v}"))
    }

    /// An agent takes a ticket.
    pub async fn assign_self(&self, token: &str, ticket: i64) -> anyhow::Result<()> {
        self.expect(
            Method::PATCH,
            &format!("/tickets/{ticket}/assign"),
            Some(token),
            Some(&json!({})),
            200,
        )
        .await
        .map(|_| ())
    }

    /// An admin changes someone's role.
    pub async fn set_role(&self, admin: &str, user: i64, role: &str) -> anyhow::Result<()> {
        self.expect(
            Method::PATCH,
            &format!("/admin/users/{user}"),
            Some(admin),
            Some(&json!({ "role": role })),
            200,
        )
        .await
        .map(|_| ())
    }

    pub async fn admin_stats(&self, admin: &str) -> anyhow::Result<Value> {
        self.expect(Method::GET, "/admin/stats", Some(admin), None, 200)
            .await
    }
}
