//! Operating the hub: per-device rate limit (429 + Retry-After), graceful shutdown
//! finishing a request in flight, /metrics counts (and tells nothing about
//! anyone), /healthz, the OpenAPI document and JSON 404s. Runs on SQLite, and on PostgreSQL when TAPIN_TEST_POSTGRES_URL is
//! set.

mod hub_support;

use std::time::Duration;

use chrono::Utc;
use hub_support::{
    Hub, device_time, enrolled_device, eventually, get_roster, org_with_people, post_events,
    shift_events, statuses,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tapin::hub::HubConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn device_over_its_rate_gets_429_with_retry_after(url: String) {
    let config = HubConfig {
        device_rate_per_sec: 0.01,
        device_burst: 3,
        ..HubConfig::default()
    };
    let hub = Hub::start_with(&url, config).await;
    let fx = org_with_people(&hub.store, 1).await;
    let dev = enrolled_device(&hub, fx.org, "Busy").await;
    let other = enrolled_device(&hub, fx.org, "Quiet").await;
    for _ in 0..3 {
        assert_eq!(
            device_time(&hub, &dev.device_token).await.status(),
            StatusCode::OK
        );
    }
    let refused = device_time(&hub, &dev.device_token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=100).contains(&retry), "{retry}");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("too many requests"),
        "{body}"
    );
    // Another device is not affected.
    assert_eq!(
        device_time(&hub, &other.device_token).await.status(),
        StatusCode::OK
    );
    hub.stop().await;
}

async fn shutdown_finishes_the_request_in_flight(url: String) {
    let mut hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 3).await;
    let dev = enrolled_device(&hub, fx.org, "Last").await;
    let batch = shift_events(
        dev.device_id,
        &fx.people,
        6,
        Utc::now() - chrono::Duration::hours(1),
    );
    let body = json!({ "events": batch }).to_string();
    let (head, tail) = body.as_bytes().split_at(body.len() / 2);

    // Start a request and send half its body.
    let addr = hub.base.trim_start_matches("http://").to_owned();
    let mut conn = TcpStream::connect(&addr).await.unwrap();
    let request_head = format!(
        "POST /api/v1/device/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        dev.device_token,
        body.len()
    );
    conn.write_all(request_head.as_bytes()).await.unwrap();
    conn.write_all(head).await.unwrap();
    conn.flush().await.unwrap();
    // In flight: the events request, plus the /metrics request asking.
    let in_flight = "tapin_hub_http_requests_in_flight ";
    assert!(
        eventually(Duration::from_secs(10), || async {
            hub.metric(in_flight).await >= 2.0
        })
        .await
    );

    // Shut down: new connections are refused...
    hub.signal_shutdown();
    let refused = eventually(Duration::from_secs(10), || {
        let addr = addr.clone();
        async move { TcpStream::connect(&addr).await.is_err() }
    })
    .await;
    assert!(refused, "the hub stops accepting connections");
    assert!(
        !hub.task.as_ref().unwrap().is_finished(),
        "still serving the request in flight"
    );

    // ...and the request in flight completes.
    conn.write_all(tail).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json_start = answer.find("\r\n\r\n").unwrap() + 4;
    let parsed: Value = serde_json::from_str(&answer[json_start..]).unwrap();
    assert_eq!(statuses(&parsed), vec!["accepted"; 6]);
    let store = hub.store.clone();
    hub.stop().await;
    assert_eq!(store.count_events(fx.org).await.unwrap(), 6);
}

async fn a_stalled_request_is_answered_503_in_time(url: String) {
    let config = HubConfig {
        request_timeout: Duration::from_millis(300),
        ..HubConfig::default()
    };
    let hub = Hub::start_with(&url, config).await;
    let fx = org_with_people(&hub.store, 1).await;
    let dev = enrolled_device(&hub, fx.org, "Slow").await;
    let addr = hub.base.trim_start_matches("http://").to_owned();
    let mut conn = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/device/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{{\"events\": [",
        dev.device_token
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    // The body never comes: the hub answers by itself.
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer))
        .await
        .expect("answered within 10 s")
        .unwrap();
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    assert_eq!(hub.store.count_events(fx.org).await.unwrap(), 0);
    hub.stop().await;
}

async fn metrics_count_requests_and_ingest_outcomes(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 2).await;
    let dev = enrolled_device(&hub, fx.org, "Counted").await;
    let mut batch = shift_events(
        dev.device_id,
        &fx.people,
        5,
        Utc::now() - chrono::Duration::hours(1),
    );
    let (status, _) = post_events(&hub, &dev.device_token, &batch).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = post_events(&hub, &dev.device_token, &batch).await;
    assert_eq!(statuses(&body), vec!["duplicate"; 5]);
    batch[0].id = tapin::domain::EventId::new();
    batch[0].device = tapin::domain::DeviceId::new();
    let (_, body) = post_events(&hub, &dev.device_token, &batch[..1]).await;
    assert_eq!(statuses(&body), vec!["rejected"]);

    assert_eq!(
        hub.metric("tapin_hub_ingest_events_total{outcome=\"accepted\"}")
            .await,
        5.0
    );
    assert_eq!(
        hub.metric("tapin_hub_ingest_events_total{outcome=\"duplicate\"}")
            .await,
        5.0
    );
    assert_eq!(
        hub.metric("tapin_hub_ingest_events_total{outcome=\"rejected\"}")
            .await,
        1.0
    );
    let requests = "tapin_hub_http_requests_total{route=\"/api/v1/device/events\",method=\"POST\",status=\"200\"}";
    assert_eq!(hub.metric(requests).await, 3.0);
    let latency = "tapin_hub_http_request_duration_seconds_count{route=\"/api/v1/device/events\"}";
    assert_eq!(hub.metric(latency).await, 3.0);
    hub.stop().await;
}

/// Whether `text` holds something shaped like a uuid (8-4-4-4-12 hex digits).
fn has_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(36).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
    })
}

/// `/metrics` needs no token, so it must tell nothing about anyone: no person's
/// id, name or badge, no device, organisation, event or token, whatever paths
/// were asked for; only route templates and fixed outcome names.
async fn metrics_expose_no_per_person_data(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 2).await;
    let dev = enrolled_device(&hub, fx.org, "Private").await;
    let batch = shift_events(
        dev.device_id,
        &fx.people,
        4,
        Utc::now() - chrono::Duration::hours(1),
    );
    post_events(&hub, &dev.device_token, &batch).await;
    get_roster(&hub, &dev.device_token, None).await;
    // Paths naming a person, with and without a (wrong) token, and unknown ones.
    for path in [
        format!("/api/v1/admin/people/{}", fx.people[0]),
        format!("/api/v1/admin/people/{}/archive", fx.people[1]),
        format!("/nope/{}", fx.people[0]),
    ] {
        hub.http
            .get(hub.url(&path))
            .bearer_auth(&dev.device_token)
            .send()
            .await
            .unwrap();
    }
    let text = hub
        .http
        .get(hub.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("tapin_hub_http_requests_total"), "{text}");
    assert!(!has_uuid(&text), "an id in /metrics:\n{text}");
    for secret in [
        dev.device_token.as_str(),
        "Person 0",
        "Person 1",
        "B00000",
        "Private",
    ] {
        assert!(!text.contains(secret), "{secret:?} in /metrics");
    }
    let routes: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("route=\"").nth(1))
        .filter_map(|r| r.split('"').next())
        .collect();
    assert!(!routes.is_empty());
    for route in routes {
        assert!(
            ["unmatched", "/metrics", "/healthz"].contains(&route) || route.starts_with("/api/v1/"),
            "{route}"
        );
        assert!(!route.contains("nope"), "a raw path as a label: {route}");
    }
    hub.stop().await;
}

async fn health_openapi_and_unknown_paths(url: String) {
    let hub = Hub::start(&url).await;
    let resp = hub.http.get(hub.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"status": "ok"}));

    let doc: Value = hub
        .http
        .get(hub.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in tapin::hub::openapi::PATHS {
        assert!(doc["paths"].get(*path).is_some(), "{path}");
    }

    let resp = hub.http.get(hub.url("/nope")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.json::<Value>().await.unwrap()["error"].is_string());
    let resp = hub
        .http
        .delete(hub.url("/api/v1/device/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.json::<Value>().await.unwrap()["error"].is_string());
    hub.stop().await;
}

on_both!(
    device_over_its_rate_gets_429_with_retry_after,
    a_stalled_request_is_answered_503_in_time,
    shutdown_finishes_the_request_in_flight,
    metrics_count_requests_and_ingest_outcomes,
    metrics_expose_no_per_person_data,
    health_openapi_and_unknown_paths,
);
