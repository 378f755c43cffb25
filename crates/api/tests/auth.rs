//! Issue 2: authentication, sessions, errors at the edge, limits, CORS, headers.

use myrelay_auth::accounts::AccountVia;
use myrelay_test_support::{TestApp, b64url, claims_of, sign_claims};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn register_me_logout_then_the_same_token_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ann = app.register("ann").await;
    let (s, me) = app.get("/auth/me", &ann.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["email"], "ann@test.example");
    assert_eq!(me["role"], "user");
    assert!(me.get("password_hash").is_none());

    assert_eq!(app.logout(&ann.token).await, StatusCode::NO_CONTENT);
    let (s, body) = app.get("/auth/me", &ann.token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn register_always_creates_a_user_even_if_asked_for_admin(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (s, body) = app
        .try_register(json!({
            "email": "sneaky@test.example", "password": "password-123", "display_name": "Sneaky", "role": "admin"
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(body["user"]["role"], "user");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn duplicate_email_in_any_case_is_email_taken(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register("bob").await;
    let (s, body) = app
        .try_register(json!({
            "email": "  BOB@Test.Example ", "password": "password-123", "display_name": "Bob 2"
        }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "email_taken");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn wrong_password_and_unknown_email_answer_the_same(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.register("cat").await;
    let (s1, b1) = app.login("cat@test.example", "not-the-password").await;
    let (s2, b2) = app.login("nobody@test.example", "not-the-password").await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(b1["code"], "invalid_credentials");
    assert_eq!(b1["detail"], b2["detail"]);
    assert_eq!(b1["code"], b2["code"]);
    let (s, _) = app.login("CAT@test.example", "password-123").await;
    assert_eq!(s, StatusCode::OK, "login is case-insensitive on email");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_73_byte_password_is_refused_never_truncated(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (len, want) in [
        (73, StatusCode::UNPROCESSABLE_ENTITY),
        (72, StatusCode::UNPROCESSABLE_ENTITY),
        (7, StatusCode::UNPROCESSABLE_ENTITY),
        (71, StatusCode::CREATED),
    ] {
        let (s, body) = app
            .try_register(json!({
                "email": format!("p{len}@test.example"), "password": "x".repeat(len), "display_name": "P"
            }))
            .await;
        assert_eq!(s, want, "{len} bytes: {body}");
        if want == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(body["code"], "validation_failed");
            assert!(body["errors"]["password"].is_array(), "{body}");
        }
    }
    // The 71-byte account must not accept a 72-byte variant (no truncation anywhere).
    let (s, _) = app
        .login("p71@test.example", &format!("{}y", "x".repeat(71)))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn validation_errors_name_each_field(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (s, body) = app
        .try_register(json!({
            "email": "not-an-email", "password": "short", "display_name": "   "
        }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["email", "password", "display_name"] {
        assert!(body["errors"][f].is_array(), "{f} missing in {body}");
    }
}

fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let sig = parts[2].clone();
    let first = if sig.starts_with('A') { "B" } else { "A" };
    parts[2] = format!("{first}{}", &sig[1..]);
    parts.join(".")
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn tampered_expired_alg_none_and_wrong_audience_tokens_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let dan = app.register("dan").await;
    let payload = claims_of(&dan.token);
    let sign = |claims: &Value| -> String { sign_claims(&app.state, claims) };
    let mut expired = payload.clone();
    expired["exp"] = json!(chrono_now() - 1);
    let mut wrong_aud = payload.clone();
    wrong_aud["aud"] = json!("another-api");
    let mut wrong_iss = payload.clone();
    wrong_iss["iss"] = json!("someone");
    let alg_none = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(payload.to_string().as_bytes())
    );
    let mut admin_claim = payload.clone();
    admin_claim["role"] = json!("admin");
    let forged_role = format!(
        "{}.{}.{}",
        dan.token.split('.').next().unwrap(),
        b64url(admin_claim.to_string().as_bytes()),
        dan.token.split('.').nth(2).unwrap()
    );

    for (name, token) in [
        ("tampered signature", tamper(&dan.token)),
        ("expired", sign(&expired)),
        ("wrong audience", sign(&wrong_aud)),
        ("wrong issuer", sign(&wrong_iss)),
        ("alg none", alg_none),
        ("forged role claim", forged_role),
        ("garbage", "not.a.token".into()),
    ] {
        let (s, body) = app.get("/auth/me", &token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: {body}");
        assert_eq!(body["code"], "unauthorized", "{name}");
    }
    // Control: a correctly signed copy of the claims works.
    let (s, _) = app.get("/auth/me", &sign(&payload)).await;
    assert_eq!(s, StatusCode::OK);
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The `Set-Cookie` header of `r` (there must be one).
fn set_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get("set-cookie")
        .expect("a Set-Cookie header")
        .to_str()
        .unwrap()
        .to_string()
}

/// `POST /auth/register` with `body`; the whole response, for its headers.
async fn register_response(app: &TestApp, body: Value) -> reqwest::Response {
    let body = body.to_string();
    app.send_raw(
        Method::POST,
        "/auth/register",
        None,
        "application/json",
        body,
    )
    .await
}

/// `method path` with `cookie` as the only credentials.
async fn with_cookie(app: &TestApp, method: Method, path: &str, cookie: &str) -> reqwest::Response {
    app.http
        .request(method, app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn cookie_authenticates_and_is_httponly_samesite_lax(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let body =
        json!({ "email": "eve@test.example", "password": "password-123", "display_name": "Eve" });
    let res = register_response(&app, body).await;
    let cookie = set_cookie(&res);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "tests run in dev mode: {cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let me = with_cookie(&app, Method::GET, "/auth/me", &pair).await;
    assert_eq!(me.status(), StatusCode::OK);
    // Logout through the cookie clears it and ends the session.
    let out = with_cookie(&app, Method::POST, "/auth/logout", &pair).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&out).contains("Max-Age=0"));
    let me = with_cookie(&app, Method::GET, "/auth/me", &pair).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn secure_cookie_outside_dev(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |c| c.cookie_secure = true).await;
    let body =
        json!({ "email": "sec@test.example", "password": "password-123", "display_name": "Sec" });
    let res = register_response(&app, body).await;
    assert!(set_cookie(&res).contains("; Secure"));
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn a_user_calling_an_admin_route_gets_403(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("fay").await;
    let (s, body) = app.get("/admin/stats", &u.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    let (s, _) = app.call(Method::GET, "/admin/stats", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn malformed_json_wrong_content_type_and_oversized_body_are_problems(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let send = |body: Vec<u8>, ct: &'static str| {
        app.send_raw(Method::POST, "/auth/register", None, ct, body)
    };
    let r = send(b"{\"email\": ".to_vec(), "application/json").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "malformed_json");
    assert!(b["request_id"].is_string());

    let r = send(b"email=a".to_vec(), "application/x-www-form-urlencoded").await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "unsupported_media_type"
    );

    let big = format!("{{\"email\":\"{}\"}}", "a".repeat(70 * 1024));
    let r = send(big.into_bytes(), "application/json").await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "payload_too_large"
    );

    let r = send(b"{\"email\": 5}".to_vec(), "application/json").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn unknown_routes_and_methods_are_problem_json(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r = app
        .http
        .get(app.url("/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let rid = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "not_found");
    assert_eq!(
        b["request_id"], rid,
        "the body echoes the header's request id"
    );
    let r = app.http.delete(app.url("/auth/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "method_not_allowed"
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_sixth_rapid_login_from_one_ip_is_429_with_retry_after(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |c| c.rate_limit = true).await;
    for i in 0..5 {
        let (s, _) = app
            .login(&format!("x{i}@test.example"), "whatever-123")
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = app
        .http
        .post(app.url("/auth/login"))
        .json(&json!({ "email": "x9@test.example", "password": "whatever-123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "rate_limited");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn rate_limit_off_lets_logins_through(pool: PgPool) {
    let app = TestApp::spawn(pool).await; // tests default to MYRELAY_RATE_LIMIT=off
    for i in 0..12 {
        let (s, _) = app
            .login(&format!("y{i}@test.example"), "whatever-123")
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn cors_allows_the_configured_origin_with_credentials_and_rejects_others(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let pre = |origin: &'static str| {
        app.http
            .request(Method::OPTIONS, app.url("/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = pre("http://localhost:3000").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let bad = pre("https://evil.example").await.unwrap();
    assert!(bad.headers().get("access-control-allow-origin").is_none());
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn security_headers_and_request_id_on_every_response(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in ["/health", "/ready", "/nope"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.contains_key("x-request-id"));
    }
    let r = app
        .http
        .get(app.url("/health"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn health_and_ready(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (s, b) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, b) = app.call(Method::GET, "/ready", None, None).await;
    assert_eq!((s, b["database"].as_str()), (StatusCode::OK, Some("up")));
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn ready_reports_503_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    pool.close().await;
    let (s, b) = app.call(Method::GET, "/ready", None, None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(b["code"], "service_unavailable");
    let u = "x";
    let (s, b) = app.get("/auth/me", u).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn create_admin_creates_an_admin_who_can_log_in(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    myrelay_auth::accounts::create_admin(
        &app.state,
        "root@test.example",
        "admin-password",
        "Root",
        AccountVia::Cli,
    )
    .await
    .unwrap();
    let (s, body) = app.login("root@test.example", "admin-password").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["user"]["role"], "admin");
    let token = body["token"].as_str().unwrap();
    let (s, _) = app.get("/admin/stats", token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        myrelay_auth::accounts::create_admin(
            &app.state,
            "ROOT@test.example",
            "admin-password",
            "Root",
            AccountVia::Cli,
        )
        .await
        .is_err()
    );
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn admin_bootstrap_from_the_environment_only_when_no_admin_exists(pool: PgPool) {
    let mut config = myrelay_core::Config::for_tests("postgres://unused");
    config.admin_email = Some("boot@test.example".into());
    config.admin_password = Some("boot-password".into());
    let state = myrelay_api::app_state(pool.clone(), config.clone());
    myrelay_auth::accounts::bootstrap_admin(&state)
        .await
        .unwrap();
    myrelay_auth::accounts::bootstrap_admin(&state)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn graceful_shutdown_finishes_in_flight_requests(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let u = app.register("gus").await;
    let url = app.url("/auth/login");
    let client = app.http.clone();
    // A login spends time in bcrypt: start it, then ask the server to stop.
    let inflight = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({ "email": "gus@test.example", "password": "password-123" }))
            .send()
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let base = app.base.clone();
    app.shutdown().await;
    let res = inflight
        .await
        .unwrap()
        .expect("in-flight request completed");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        reqwest::get(format!("{base}/health")).await.is_err(),
        "no longer accepting"
    );
    let _ = u;
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn the_session_probe_answers_200_signed_in_or_not(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (s, body) = app.call(Method::GET, "/auth/session", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, json!({ "user": null }));
    let u = app.register("probe").await;
    let (s, body) = app.get("/auth/session", &u.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["user"]["id"], u.id);
    assert_eq!(body["user"]["email"], u.email);
    // Garbage and revoked sessions are "signed out", not errors.
    let (s, body) = app.get("/auth/session", "not-a-token").await;
    assert_eq!((s, body), (StatusCode::OK, json!({ "user": null })));
    assert_eq!(app.logout(&u.token).await, StatusCode::NO_CONTENT);
    let (s, body) = app.get("/auth/session", &u.token).await;
    assert_eq!((s, body), (StatusCode::OK, json!({ "user": null })));
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn create_admin_refuses_what_registration_refuses(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for (email, password, name) in [
        ("root at test.example", "admin-password", "Root"), // not an address
        ("root@test.example", "short", "Root"),             // 5 bytes
        ("root@test.example", &"x".repeat(72), "Root"),     // 72 bytes
        ("root@test.example", "admin-password", "   "),     // blank name
    ] {
        let r = myrelay_auth::accounts::create_admin(
            &app.state,
            email,
            password,
            name,
            AccountVia::Cli,
        )
        .await;
        assert!(
            r.is_err(),
            "{email} / {} bytes / {name:?} was accepted",
            password.len()
        );
        let (s, _) = app
            .try_register(json!({ "email": email, "password": password, "display_name": name }))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "registration agrees");
    }
}
