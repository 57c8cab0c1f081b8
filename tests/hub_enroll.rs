//! Enrollment: a one-time code becomes a device token once; used, expired, unknown
//! and malformed codes, and oversized or unknown input, are refused with a JSON
//! message. Runs on SQLite, and on PostgreSQL when TAPIN_TEST_POSTGRES_URL is set.

mod hub_support;

use hub_support::{Hub, device_time, enroll, org_with_people};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn enroll_once_then_refuse(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 1).await;
    let device = hub
        .store
        .create_device(fx.org, "Front desk", chrono::Duration::hours(24))
        .await
        .unwrap();
    assert_eq!(device.enrollment_code.len(), 11, "10 characters, grouped");

    // Lower case, spaces instead of the dash: still the code.
    let typed = device.enrollment_code.to_lowercase().replace('-', " ");
    let (status, body) = enroll(&hub, json!({ "code": typed, "name": "Entrance" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["device_id"], json!(device.id));
    assert_eq!(body["org_id"], json!(fx.org));
    assert_eq!(body["device_name"], "Entrance");
    let token = body["device_token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    let org = hub.store.org(fx.org).await.unwrap();
    assert_eq!(body["pin_pepper"], json!(org.pin_pepper));

    // The token works.
    let time = device_time(&hub, token).await;
    assert_eq!(time.status(), StatusCode::OK);
    let hub_time: Value = time.json().await.unwrap();
    let text = hub_time["hub_time"].as_str().unwrap();
    assert_eq!(text.len(), "2025-01-01T00:00:00.000000Z".len(), "{text}");

    // Used: refused, and the first token still works.
    let (status, body) = enroll(&hub, json!({ "code": device.enrollment_code })).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{body}"
    );
    let still = device_time(&hub, token).await;
    assert_eq!(still.status(), StatusCode::OK);
    hub.stop().await;
}

async fn expired_unknown_and_malformed_codes(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 1).await;
    let expired = hub
        .store
        .create_device(fx.org, "Late", chrono::Duration::zero())
        .await
        .unwrap();
    let (status, body) = enroll(&hub, json!({ "code": expired.enrollment_code })).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        body["error"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    let (status, body) = enroll(&hub, json!({ "code": "ZZZZZ-ZZZZZ" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown enrollment code"),
        "{body}"
    );

    let (status, body) = enroll(&hub, json!({ "code": "not a code!" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("10 letters"),
        "{body}"
    );
    hub.stop().await;
}

async fn bad_enroll_bodies_get_json_errors(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 1).await;
    let device = hub
        .store
        .create_device(fx.org, "Desk", chrono::Duration::hours(24))
        .await
        .unwrap();
    let code = device.enrollment_code.clone();

    let (status, body) = enroll(&hub, json!({ "code": code, "colour": "red" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("unknown field"),
        "{body}"
    );

    let (status, body) = enroll(&hub, json!({ "code": 42 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("code"), "{body}");

    let (status, body) = enroll(&hub, json!({ "code": code, "name": "x".repeat(200) })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("at most 100"),
        "{body}"
    );

    let (status, body) = enroll(&hub, json!({ "code": code, "name": "\u{1b}[31mred" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("control"),
        "{body}"
    );

    // A 10 MB name: refused by the body limit, as JSON.
    let huge = json!({ "code": code, "name": "n".repeat(10 * 1024 * 1024) });
    let (status, body) = enroll(&hub, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        body["error"].as_str().unwrap().contains("too large"),
        "{body}"
    );

    let resp = hub
        .http
        .post(hub.url("/api/v1/enroll"))
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("invalid JSON"),
        "{body}"
    );

    // None of that used the code up.
    let (status, body) = enroll(&hub, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    hub.stop().await;
}

on_both!(
    enroll_once_then_refuse,
    expired_unknown_and_malformed_codes,
    bad_enroll_bodies_get_json_errors,
);
