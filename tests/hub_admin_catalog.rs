//! Roles, teams, jobs, tokens, rates and the date lock through the admin API,
//! beyond who may (the matrix covers that): what each change does.

mod admin_support;
mod hub_support;

use admin_support::{call, get, patch, post, site};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn the_role_editor_follows_the_seed(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let (status, mgr) = post(hub, t, "/people", json!({"name": "Mia", "role": "Manager"})).await;
    assert_eq!(status, StatusCode::CREATED, "{mgr}");
    let (_, tok) = post(hub, t, "/tokens", json!({"person": "Mia"})).await;
    let m = tok["token"].as_str().expect("token").to_owned();
    // Only rights the editor holds: a Manager lacks manage_rates and delete_group.
    let (status, body) = post(hub, &m, "/roles", json!({"name": "Payroll", "rank": 100, "rights": ["manage_rates", "delete_group", "view_users"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["error"],
        "You can only give rights you have yourself. You do not have: delete_group, manage_rates."
    );
    let (status, role) = post(
        hub,
        &m,
        "/roles",
        json!({"name": "Foreman", "rank": 100, "rights": ["view_users", "track_time"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert_eq!(role["rights"], json!(["track_time", "view_users"]));
    assert_eq!(role["fixed"], false);
    let (status, body) = post(
        hub,
        &m,
        "/roles",
        json!({"name": "Bad", "rank": 1, "rights": ["fly"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Fixed roles are not editable, not even by the Top manager.
    for name in ["Top%20manager", "Administrator"] {
        let (status, body) = patch(hub, t, &format!("/roles/{name}"), json!({"name": "X"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("built in")
        );
    }
    // A role in use is not removed; once unused it is.
    post(
        hub,
        t,
        "/people",
        json!({"name": "Fred", "role": "Foreman"}),
    )
    .await;
    let (status, body) = call(hub, &m, Method::DELETE, "/roles/Foreman", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("still given to 1")
    );
    patch(hub, t, "/people/Fred", json!({"role": "User"})).await;
    let (status, _) = call(hub, &m, Method::DELETE, "/roles/Foreman", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, roles) = get(hub, t, "/roles").await;
    assert!(!roles.to_string().contains("Foreman"));
    let (status, _) = patch(hub, t, "/roles/User", json!({})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an empty change is refused"
    );
}

async fn teams_hold_a_lead_and_an_ordered_crew(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    for name in ["Lee", "Cam", "Dee", "Eve"] {
        post(
            hub,
            t,
            "/people",
            json!({"name": name, "role": "User", "mode": "team_member"}),
        )
        .await;
    }
    let (status, team) = post(
        hub,
        t,
        "/teams",
        json!({"name": "Night", "lead": "Lee", "members": ["Dee", "Cam", "Lee", "Dee"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    assert_eq!(team["lead"]["name"], "Lee");
    let crew: Vec<&str> = team["members"]
        .as_array()
        .expect("crew")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(crew, ["Dee", "Cam"], "in order, once each, never the lead");
    let (_, dee) = get(hub, t, "/people/Dee").await;
    assert_eq!(
        dee["team"]["name"], "Night",
        "joining a crew gives the team"
    );
    // A person added with --team joins its crew.
    let (_, eve) = patch(hub, t, "/people/Eve", json!({"team": "Night"})).await;
    assert_eq!(eve["team"]["name"], "Night");
    let (_, teams) = get(hub, t, "/teams").await;
    let crew: Vec<&str> = teams[0]["members"]
        .as_array()
        .expect("crew")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(crew, ["Dee", "Cam", "Eve"]);
    // Leaving the crew clears the team; a new lead.
    let (status, team) = patch(
        hub,
        t,
        "/teams/Night",
        json!({"members": ["Cam"], "lead": "Eve", "name": "Late"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{team}");
    assert_eq!(team["name"], "Late");
    assert_eq!(team["lead"]["name"], "Eve");
    let (_, dee) = get(hub, t, "/people/Dee").await;
    assert_eq!(dee["team"], serde_json::Value::Null);
    let (status, _) = post(hub, t, "/teams", json!({"name": "Ghost", "lead": "Nobody"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn jobs_are_added_renamed_archived_and_assigned(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    for name in ["Ann", "Ben"] {
        post(hub, t, "/people", json!({"name": name, "role": "User"})).await;
    }
    post(
        hub,
        t,
        "/people",
        json!({"name": "Cy", "role": "User", "all_jobs": true}),
    )
    .await;
    let (status, job) = post(hub, t, "/jobs", json!({"name": "Paint"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, done) = post(hub, t, "/jobs/Paint/assign", json!({"people": ["Ann"]})).await;
    assert_eq!(done["people"].as_array().map(Vec::len), Some(1));
    let (_, ann) = get(hub, t, "/people/Ann").await;
    assert_eq!(ann["jobs"], json!([job["id"]]));
    // All: everyone the caller may manage who does not have every job already.
    let (_, done) = post(hub, t, "/jobs/Paint/assign", json!({"all": true})).await;
    let names: Vec<&str> = done["people"]
        .as_array()
        .expect("people")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Ben"],
        "Ann had it, Cy and the Top manager have every job"
    );
    let (status, _) = post(hub, t, "/jobs/Paint/assign", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, renamed) = patch(hub, t, "/jobs/Paint", json!({"name": "Painting"})).await;
    assert_eq!(renamed["name"], "Painting");
    let (_, archived) = post(hub, t, "/jobs/Painting/archive", json!({})).await;
    assert_eq!(archived["archived"], true);
    let (_, jobs) = get(hub, t, "/jobs").await;
    assert_eq!(jobs[0]["archived"], true, "archived jobs stay listed");
    let (_, back) = post(hub, t, "/jobs/Painting/unarchive", json!({})).await;
    assert_eq!(back["archived"], false);
}

async fn tokens_act_with_their_persons_role_and_lists_hide_secrets(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    post(
        hub,
        t,
        "/people",
        json!({"name": "Sue", "role": "Supervisor"}),
    )
    .await;
    let (status, made) = post(hub, t, "/tokens", json!({"person": "Sue"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let sue = made["token"].as_str().expect("token").to_owned();
    assert_eq!(sue.len(), 64);
    let (_, me) = get(hub, &sue, "/whoami").await;
    assert_eq!(me["role"]["name"], "Supervisor");
    let (status, _) = post(hub, &sue, "/jobs", json!({"name": "Nope"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a Supervisor does not manage projects"
    );
    // The role is read on every call: promoting Sue takes effect at once.
    patch(hub, t, "/people/Sue", json!({"role": "Co-manager"})).await;
    let (status, _) = post(hub, &sue, "/jobs", json!({"name": "Yes"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = get(hub, t, "/tokens").await;
    let text = list.to_string();
    assert!(
        !text.contains(&sue) && !text.contains(&s.top_token),
        "no secrets in lists"
    );
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .all(|t| t["id"].is_string() && t["person"]["name"].is_string())
    );
    let (status, body) = call(hub, t, Method::DELETE, "/tokens/not-a-uuid", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

async fn rates_have_validity_periods_and_the_date_lock_is_set_and_lifted(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    post(hub, t, "/people", json!({"name": "Rae", "role": "User"})).await;
    for (from, rate) in [
        ("2025-01-01", 4000),
        ("2025-03-01", 4500),
        ("2025-01-01", 4100),
    ] {
        let (status, body) = post(
            hub,
            t,
            "/rates",
            json!({"person": "Rae", "from": from, "rate_cents": rate, "cost_cents": 3000}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, rates) = get(hub, t, "/rates?person=Rae").await;
    let got: Vec<(&str, i64)> = rates
        .as_array()
        .expect("rates")
        .iter()
        .map(|r| {
            (
                r["from"].as_str().expect("from"),
                r["rate_cents"].as_i64().expect("rate"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("2025-01-01", 4100), ("2025-03-01", 4500)],
        "same day replaces"
    );
    for bad in [
        json!({"person": "Rae", "from": "2025-02-30", "rate_cents": 1, "cost_cents": 1}),
        json!({"person": "Rae", "from": "2025-02-01", "rate_cents": -1, "cost_cents": 1}),
    ] {
        let (status, body) = post(hub, t, "/rates", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, settings) = call(
        hub,
        t,
        Method::PUT,
        "/settings/date-lock",
        Some(json!({"date": "2025-01-31"})),
    )
    .await;
    assert_eq!(
        (status, &settings["date_lock"]),
        (StatusCode::OK, &json!("2025-01-31"))
    );
    let (_, settings) = get(hub, t, "/settings").await;
    assert_eq!(settings["date_lock"], "2025-01-31");
    assert!(
        !settings
            .to_string()
            .contains(&hub.store.org(s.org).await.expect("org").pin_pepper)
    );
    let (_, settings) = call(
        hub,
        t,
        Method::PUT,
        "/settings/date-lock",
        Some(json!({"date": null})),
    )
    .await;
    assert_eq!(settings["date_lock"], serde_json::Value::Null);
}

on_both!(
    the_role_editor_follows_the_seed,
    teams_hold_a_lead_and_an_ordered_crew,
    jobs_are_added_renamed_archived_and_assigned,
    tokens_act_with_their_persons_role_and_lists_hide_secrets,
    rates_have_validity_periods_and_the_date_lock_is_set_and_lifted,
);
