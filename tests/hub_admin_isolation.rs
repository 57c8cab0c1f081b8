//! Authentication and organisation isolation of the admin API: no token of one
//! organisation reads or changes another's data (404, exactly as for what does
//! not exist); the site Administrator adds organisations but touches no
//! organisation's data (403); unknown, malformed, missing and revoked tokens are
//! refused with a JSON 401.

mod admin_support;
mod hub_support;

use admin_support::{call, get, post, site};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn a_token_of_one_organisation_never_reads_or_changes_another(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let (status, made) = post(
        hub,
        &s.site_token,
        "/orgs",
        json!({"name": "Other org", "top_manager": "Olga"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let b_token = made["token"]["token"].as_str().expect("token").to_owned();
    let b_top = made["top_manager"]["id"].as_str().expect("id").to_owned();
    let (_, b_person) = post(
        hub,
        &b_token,
        "/people",
        json!({"name": "Bea", "role": "User", "badge": "SAME"}),
    )
    .await;
    let b_person = b_person["id"].as_str().expect("id").to_owned();
    let (_, b_job) = post(hub, &b_token, "/jobs", json!({"name": "B job"})).await;
    let b_job = b_job["id"].as_str().expect("id").to_owned();
    let (_, b_team) = post(
        hub,
        &b_token,
        "/teams",
        json!({"name": "B team", "lead": b_person}),
    )
    .await;
    let b_team = b_team["id"].as_str().expect("id").to_owned();
    let (_, b_role) = post(
        hub,
        &b_token,
        "/roles",
        json!({"name": "B role", "rank": 3}),
    )
    .await;
    let b_role = b_role["id"].as_str().expect("id").to_owned();
    let (_, b_tok) = post(hub, &b_token, "/tokens", json!({"person": b_person})).await;
    let b_tok = b_tok["id"].as_str().expect("id").to_owned();

    let a = &s.top_token;
    let attempts: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/people/{b_person}"), None),
        (Method::GET, format!("/people/{b_top}"), None),
        (
            Method::PATCH,
            format!("/people/{b_person}"),
            Some(json!({"name": "Hacked"})),
        ),
        (
            Method::POST,
            format!("/people/{b_person}/archive"),
            Some(json!({})),
        ),
        (
            Method::POST,
            "/tokens".into(),
            Some(json!({"person": b_person})),
        ),
        (Method::DELETE, format!("/tokens/{b_tok}"), None),
        (
            Method::POST,
            "/teams".into(),
            Some(json!({"name": "T", "lead": b_person})),
        ),
        (
            Method::PATCH,
            format!("/teams/{b_team}"),
            Some(json!({"name": "Hacked"})),
        ),
        (
            Method::PATCH,
            format!("/jobs/{b_job}"),
            Some(json!({"name": "Hacked"})),
        ),
        (
            Method::POST,
            format!("/jobs/{b_job}/archive"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/jobs/{b_job}/assign"),
            Some(json!({"all": true})),
        ),
        (
            Method::PATCH,
            format!("/roles/{b_role}"),
            Some(json!({"name": "Hacked"})),
        ),
        (Method::DELETE, format!("/roles/{b_role}"), None),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"name": "X", "role": b_role})),
        ),
        (
            Method::POST,
            "/people".into(),
            Some(json!({"name": "X", "role": "User", "jobs": [b_job]})),
        ),
        (
            Method::POST,
            "/rates".into(),
            Some(
                json!({"person": b_person, "from": "2025-01-01", "rate_cents": 1, "cost_cents": 1}),
            ),
        ),
        (Method::GET, format!("/rates?person={b_person}"), None),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(hub, a, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    // Lists hold only one's own organisation, and the same badge may exist in both.
    let (status, _) = post(
        hub,
        a,
        "/people",
        json!({"name": "Al", "role": "User", "badge": "SAME"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    for path in [
        "/people", "/teams", "/jobs", "/roles", "/tokens", "/audit", "/rates",
    ] {
        let (status, list) = get(hub, a, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = list.to_string();
        for b in [&b_person, &b_job, &b_team, &b_role, &b_tok, &b_top] {
            assert!(!text.contains(b.as_str()), "{path} leaks {b}");
        }
    }
    // Nothing of B changed.
    let (_, bea) = get(hub, &b_token, &format!("/people/{b_person}")).await;
    assert_eq!(
        (bea["name"].as_str(), bea["archived"].as_bool()),
        (Some("Bea"), Some(false))
    );
    let (status, _) = get(hub, &b_token, "/whoami").await;
    assert_eq!(status, StatusCode::OK, "B's tokens still work");
}

async fn the_site_administrator_adds_organisations_and_touches_no_data(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let (status, me) = get(hub, &s.site_token, "/whoami").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["org_id"], serde_json::Value::Null);
    assert_eq!(me["role"]["rights"], json!(["administer_site"]));
    for path in [
        "/people",
        "/roles",
        "/teams",
        "/jobs",
        "/tokens",
        "/audit",
        "/rates",
        "/settings",
    ] {
        let (status, body) = get(hub, &s.site_token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("administer_site")
        );
    }
    let (status, _) = post(
        hub,
        &s.site_token,
        "/people",
        json!({"name": "X", "role": "User"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = post(hub, &s.top_token, "/orgs", json!({"name": "Mine"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only administer_site adds organisations: {body}"
    );
    let (status, made) = post(hub, &s.site_token, "/orgs", json!({"name": "Second"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["top_manager"]["name"], "Top manager");
    let (status, body) = post(hub, &s.site_token, "/orgs", json!({"name": "Second"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The new organisation has every preset role and a working Top manager token.
    let t = made["token"]["token"].as_str().expect("token");
    let (_, roles) = get(hub, t, "/roles").await;
    let names: Vec<&str> = roles
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for n in [
        "Administrator",
        "Top manager",
        "Manager",
        "Co-manager",
        "Supervisor",
        "User",
        "Client",
        "Admin",
        "Manager (TrackingTime)",
        "Project manager",
        "Coworker",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let (_, me) = get(hub, t, "/whoami").await;
    assert_eq!(me["role"]["name"], "Top manager");
}

async fn unknown_missing_malformed_and_revoked_tokens_get_a_json_401(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let resp = hub
        .http
        .get(hub.url("/api/v1/admin/whoami"))
        .send()
        .await
        .expect("call");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["error"].is_string());
    for bad in ["nope", &"0".repeat(64), &"z".repeat(64)] {
        let (status, body) = get(hub, bad, "/whoami").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {body}");
        assert!(body["error"].is_string());
    }
    // A device token is not an admin token.
    let dev = hub_support::enrolled_device(hub, s.org, "Gate").await;
    let (status, _) = get(hub, &dev.device_token, "/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Revoked: refused from the next call on.
    let (_, made) = post(
        hub,
        &s.top_token,
        "/tokens",
        json!({"person": s.top_manager.to_string()}),
    )
    .await;
    let (id, second) = (
        made["id"].as_str().expect("id"),
        made["token"].as_str().expect("token"),
    );
    let (status, _) = get(hub, second, "/whoami").await;
    assert_eq!(status, StatusCode::OK);
    let (status, revoked) = call(
        hub,
        &s.top_token,
        Method::DELETE,
        &format!("/tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, &revoked["revoked"]),
        (StatusCode::OK, &json!(true))
    );
    let (status, body) = get(hub, second, "/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("revoked")
    );
    let (status, _) = get(hub, &s.top_token, "/whoami").await;
    assert_eq!(status, StatusCode::OK, "the other token still works");
}

on_both!(
    a_token_of_one_organisation_never_reads_or_changes_another,
    the_site_administrator_adds_organisations_and_touches_no_data,
    unknown_missing_malformed_and_revoked_tokens_get_a_json_401,
);
