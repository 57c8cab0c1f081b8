//! The audit trail: every admin change writes one row with actor, time, action,
//! target and detail, in the change's own transaction; rows never hold a secret;
//! the trail pages newest first.

mod admin_support;
mod hub_support;

use admin_support::{call, get, patch, post, site};
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Pat's PIN: long enough that finding it in the trail cannot be chance (a
/// short one turns up inside random ids and times now and then).
const PAT_PIN: &str = "80604020731";

async fn every_admin_change_writes_one_audit_row_with_actor_and_time(url: String) {
    let started = Utc::now() - chrono::Duration::seconds(1);
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let mut expected: Vec<&str> = Vec::new();
    let mut step = |action: &'static str| expected.push(action);
    let (_, pat) = post(
        hub,
        t,
        "/people",
        json!({"name": "Pat", "role": "User", "pin": PAT_PIN}),
    )
    .await;
    step("person.add");
    let pat = pat["id"].as_str().expect("id").to_owned();
    patch(hub, t, &format!("/people/{pat}"), json!({"name": "Pat B"})).await;
    step("person.edit");
    post(hub, t, &format!("/people/{pat}/archive"), json!({})).await;
    step("person.archive");
    post(hub, t, &format!("/people/{pat}/unarchive"), json!({})).await;
    step("person.unarchive");
    post(
        hub,
        t,
        "/roles",
        json!({"name": "Foreman", "rank": 10, "rights": ["track_own_time"]}),
    )
    .await;
    step("role.add");
    patch(hub, t, "/roles/Foreman", json!({"rank": 9})).await;
    step("role.edit");
    call(hub, t, Method::DELETE, "/roles/Foreman", None).await;
    step("role.remove");
    post(hub, t, "/teams", json!({"name": "Night", "lead": "Top"})).await;
    step("team.add");
    patch(hub, t, "/teams/Night", json!({"members": [pat]})).await;
    step("team.edit");
    post(hub, t, "/jobs", json!({"name": "Welding"})).await;
    step("job.add");
    patch(hub, t, "/jobs/Welding", json!({"name": "Welding 2"})).await;
    step("job.edit");
    post(hub, t, "/jobs/Welding%202/assign", json!({"people": [pat]})).await;
    step("job.assign");
    post(hub, t, "/jobs/Welding%202/archive", json!({})).await;
    step("job.archive");
    post(hub, t, "/jobs/Welding%202/unarchive", json!({})).await;
    step("job.unarchive");
    let (_, tok) = post(hub, t, "/tokens", json!({"person": pat})).await;
    step("token.create");
    let secret = tok["token"].as_str().expect("token").to_owned();
    call(
        hub,
        t,
        Method::DELETE,
        &format!("/tokens/{}", tok["id"].as_str().expect("id")),
        None,
    )
    .await;
    step("token.revoke");
    post(
        hub,
        t,
        "/rates",
        json!({"person": pat, "from": "2025-02-01", "rate_cents": 4500, "cost_cents": 3000}),
    )
    .await;
    step("rate.set");
    call(
        hub,
        t,
        Method::PUT,
        "/settings/date-lock",
        Some(json!({"date": "2025-01-31"})),
    )
    .await;
    step("lock.set");
    // Refused or unchanged requests write nothing.
    post(
        hub,
        t,
        "/people",
        json!({"name": "bad\nname", "role": "User"}),
    )
    .await;
    post(
        hub,
        t,
        &format!("/people/{}/archive", s.top_manager),
        json!({}),
    )
    .await;

    let (status, rows) = get(hub, t, "/audit?limit=1000").await;
    assert_eq!(status, StatusCode::OK);
    let rows = rows.as_array().expect("array");
    let actions: Vec<&str> = rows
        .iter()
        .rev()
        .filter_map(|r| r["action"].as_str())
        .collect();
    let mut want = vec!["org.add"];
    want.extend(expected);
    assert_eq!(
        actions, want,
        "one row per change, oldest last in the answer"
    );
    for row in rows {
        assert!(row["id"].is_string(), "{row}");
        assert!(row["target"].is_string(), "{row}");
        assert!(row["detail"].is_object(), "{row}");
        let at: DateTime<Utc> = row["at"].as_str().expect("at").parse().expect("time");
        assert!(at >= started && at <= Utc::now(), "{row}");
        if row["action"] != "org.add" {
            assert_eq!(row["actor"], json!(s.top_manager), "{row}");
            assert_eq!(row["actor_name"], "Top");
        } else {
            assert_eq!(row["actor"], json!(s.site_admin));
            assert_eq!(row["actor_name"], "Administrator");
        }
    }
    let text = serde_json::to_string(rows).expect("text");
    assert!(!text.contains(&secret), "no token in the trail");
    assert!(
        !text.contains(PAT_PIN) && !text.contains("tapin-pin-v1"),
        "no PIN in the trail"
    );
    let lock = rows
        .iter()
        .find(|r| r["action"] == "lock.set")
        .expect("lock row");
    assert_eq!(lock["detail"]["to"], "2025-01-31");
}

async fn the_trail_pages_newest_first(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    for n in 0..5 {
        post(hub, t, "/jobs", json!({"name": format!("Job {n}")})).await;
    }
    let (_, first) = get(hub, t, "/audit?limit=2").await;
    let first = first.as_array().expect("array").clone();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0]["detail"]["name"], "Job 4");
    let before = first[1]["id"].as_str().expect("id");
    let (_, next) = get(hub, t, &format!("/audit?limit=2&before={before}")).await;
    let next = next.as_array().expect("array");
    assert_eq!(next[0]["detail"]["name"], "Job 2");
    let (status, body) = get(hub, t, "/audit?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

on_both!(
    every_admin_change_writes_one_audit_row_with_actor_and_time,
    the_trail_pages_newest_first,
);
