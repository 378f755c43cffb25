//! Issue 12: Prometheus metrics on `MYRELAY_METRICS_ADDR`, scraped from a real server
//! while real HTTP requests and Socket.IO events pass through it.

use myrelay_core::metrics as m;
use myrelay_test_support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

/// One scrape of `/metrics`, with lookups by name and labels.
struct Scrape(String);

impl Scrape {
    async fn of(app: &TestApp) -> Scrape {
        let addr = app.metrics_addr.expect("the metrics listener runs");
        let res = app
            .http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .expect("scrape");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        Scrape(res.text().await.expect("body"))
    }

    /// Samples named `name` whose labels include every pair of `labels`.
    fn samples<'a>(&'a self, name: &'a str, labels: &'a [(&str, &str)]) -> Vec<f64> {
        self.0
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                let (n, labelset) = match series.split_once('{') {
                    Some((n, rest)) => (n, rest.strip_suffix('}')?),
                    None => (series, ""),
                };
                let pairs: Vec<(&str, &str)> = labelset
                    .split("\",")
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| {
                        let (k, v) = p.split_once("=\"")?;
                        Some((k, v.trim_end_matches('"')))
                    })
                    .collect();
                (n == name && labels.iter().all(|l| pairs.contains(l)))
                    .then(|| value.parse().expect("a number"))
            })
            .collect()
    }

    /// The sum of those samples; 0 when there is none yet.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples(name, labels).iter().sum()
    }
}

fn count_of(histogram: &str) -> String {
    format!("{histogram}_count")
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn requests_sockets_and_sends_move_the_metrics(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |c| {
        c.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let before = Scrape::of(&app).await;

    // HTTP: a ticket, a message, a 404 under a route and two that match no route.
    let u = app.register("metered").await;
    let t = app.ticket(&u, "count me").await;
    app.post_message(t, &u, "over http").await;
    let (s, _) = app.get("/tickets/987654321", &u.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.call(Method::GET, "/no/such/route", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Metrics are never served on the public port: the usual problem+json 404.
    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "the usual 404"
    );

    // Sockets: connect, a send, a join, an event nobody defined.
    let s = app.socket(&u.token).await;
    let connected = Scrape::of(&app).await;
    assert_eq!(
        connected.value(m::SOCKETS_CONNECTED, &[]) - before.value(m::SOCKETS_CONNECTED, &[]),
        1.0
    );
    let ack = s
        .emit_ack(
            "ticket:message:send",
            json!({ "ticket_id": t, "content": "over the socket", "client_id": "m-1" }),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let ack = s.emit_ack("ticket:join", json!({ "ticket_id": t })).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let ack = s.emit_ack("made:up:event", json!({})).await;
    assert_eq!(ack["error"]["code"], "unknown_event");
    s.shutdown();
    let mut after = Scrape::of(&app).await;
    for _ in 0..50 {
        if after.value(m::SOCKETS_CONNECTED, &[]) == before.value(m::SOCKETS_CONNECTED, &[]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = Scrape::of(&app).await;
    }
    let delta = |name: &str, labels: &[(&str, &str)]| {
        after.value(name, labels) - before.value(name, labels)
    };

    assert_eq!(
        delta(m::SOCKETS_CONNECTED, &[]),
        0.0,
        "the gauge is down again after the disconnect"
    );

    let message_201 = [
        ("method", "POST"),
        ("route", "/tickets/{id}/messages"),
        ("status", "201"),
    ];
    assert_eq!(delta(m::HTTP_REQUESTS, &message_201), 1.0);
    assert_eq!(
        delta(&count_of(m::HTTP_REQUEST_DURATION), &message_201),
        1.0
    );
    let ticket_404 = [
        ("method", "GET"),
        ("route", "/tickets/{id}"),
        ("status", "404"),
    ];
    assert_eq!(delta(m::HTTP_REQUESTS, &ticket_404), 1.0);
    let unmatched = [("route", m::UNMATCHED_ROUTE), ("status", "404")];
    assert_eq!(
        delta(m::HTTP_REQUESTS, &unmatched),
        2.0,
        "/no/such/route and the public /metrics"
    );
    assert!(delta(m::HTTP_REQUESTS, &[("route", "/socket.io")]) >= 1.0);
    for raw in ["987654321", "/no/such/route", "made:up:event"] {
        assert!(!after.0.contains(raw), "{raw} leaked into a label");
    }
    assert!(
        after
            .0
            .contains(&format!("# TYPE {} histogram", m::HTTP_REQUEST_DURATION)),
        "latencies are true histograms"
    );

    for event in ["ticket:message:send", "ticket:join", m::UNKNOWN_EVENT] {
        assert_eq!(delta(m::SOCKET_EVENTS, &[("event", event)]), 1.0, "{event}");
    }
    assert_eq!(
        delta(&count_of(m::MESSAGE_SEND_COMMIT_DURATION), &[]),
        2.0,
        "one HTTP send and one socket send"
    );
    for state in ["in_use", "idle"] {
        assert_eq!(
            after
                .samples(m::DB_POOL_CONNECTIONS, &[("state", state)])
                .len(),
            1,
            "pool gauge {state}"
        );
    }
    assert!(after.value(m::DB_POOL_CONNECTIONS, &[]) >= 1.0);
}

#[sqlx::test(migrator = "myrelay_api::MIGRATOR")]
async fn without_a_metrics_address_nothing_listens_and_the_public_port_has_no_metrics(
    pool: PgPool,
) {
    let app = TestApp::spawn(pool).await;
    assert!(app.metrics_addr.is_none());
    let (s, body) = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found", "{body}");
}
