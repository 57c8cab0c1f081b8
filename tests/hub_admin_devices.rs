//! Devices through the admin API: a one-time enrollment code valid 24 h, list,
//! rename, revoke (401 afterwards, events kept); rosters set per group with
//! people and whole teams, order kept, and shown the same on the device; another
//! organisation's token cannot see or touch a device; every change audited.

mod admin_support;
mod hub_support;

use admin_support::{call, get, patch, person_with_token, post, preset_role, roles, setup, site};
use chrono::{Duration, Utc};
use hub_support::{device_time, enroll, event, fetch_roster, post_events, statuses};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tapin::domain::{DeviceId, EventKind, PersonId, Preset, Team, TeamId};
use tapin::wire::RosterItem;

fn audit_actions(rows: &Value) -> Vec<String> {
    rows.as_array()
        .expect("audit rows")
        .iter()
        .filter_map(|r| r["action"].as_str().map(str::to_owned))
        .collect()
}

async fn device_add_enrolls_once_and_a_revoked_device_gets_401_with_its_events_kept(url: String) {
    let s = site(&url).await;
    let (hub, top) = (&s.hub, s.top_token.as_str());
    let (status, made) = post(hub, top, "/devices", json!({"name": "Front desk"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    let code = made["enrollment_code"].as_str().expect("code").to_owned();
    let expires: chrono::DateTime<Utc> =
        serde_json::from_value(made["expires_at"].clone()).expect("expires_at");
    let hours = (expires - Utc::now()).num_minutes();
    assert!(
        (23 * 60..=24 * 60).contains(&hours),
        "valid 24 h: {hours} min"
    );

    let (status, listed) = get(hub, top, "/devices").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["status"], "pending");
    assert_eq!(listed[0]["name"], "Front desk");

    let (status, enrolled) = enroll(hub, json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    assert_eq!(enrolled["device_id"].as_str(), Some(id.as_str()));
    let token = enrolled["device_token"].as_str().expect("token").to_owned();
    let (again, body) = enroll(hub, json!({ "code": code })).await;
    assert!(
        again.is_client_error(),
        "a used code is refused: {again} {body}"
    );

    // An event, then revocation.
    let top_person = s.top_manager;
    let device: DeviceId = id.parse().expect("device id");
    let e = event(
        device,
        1,
        top_person,
        EventKind::ClockIn,
        Utc::now() - Duration::minutes(5),
    );
    let (status, body) = post_events(hub, &token, std::slice::from_ref(&e)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&body), ["accepted"]);

    let (status, renamed) = patch(
        hub,
        top,
        &format!("/devices/{id}"),
        json!({"name": "Lobby"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Lobby");
    let (status, revoked) = post(hub, top, "/devices/Lobby/revoke", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");

    let time = device_time(hub, &token).await;
    assert_eq!(time.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = post_events(hub, &token, std::slice::from_ref(&e)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(hub.store.count_events(s.org).await.expect("count"), 1);
    let (status, events) = get(hub, top, "/events").await;
    assert_eq!(status, StatusCode::OK, "{events}");
    assert_eq!(events[0]["id"].as_str(), Some(e.id.to_string().as_str()));
    assert_eq!(events[0]["device"]["name"], "Lobby");

    let (_, audit) = get(hub, top, "/audit?limit=50").await;
    let actions = audit_actions(&audit);
    for action in ["device.add", "device.rename", "device.revoke"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn roster_set_and_show_round_trip_people_teams_groups_and_order(url: String) {
    let s = site(&url).await;
    let (hub, top) = (&s.hub, s.top_token.as_str());
    let all = roles(&hub.store, s.org).await;
    let user = preset_role(&all, Preset::User).id;
    let mut people: Vec<PersonId> = Vec::new();
    for name in ["Ana", "Ben", "Cy", "Dee", "Eve"] {
        people.push(admin_support::person(&hub.store, s.org, name, user).await);
    }
    let team = Team {
        id: TeamId::new(),
        name: "Yard crew".into(),
        lead: people[3],
        members: vec![people[4]],
    };
    hub.store
        .create_team(s.org, &team, &setup())
        .await
        .expect("team");

    let (_, made) = post(hub, top, "/devices", json!({"name": "Shop floor"})).await;
    let id = made["id"].as_str().expect("id").to_owned();
    let code = made["enrollment_code"].as_str().expect("code").to_owned();
    let path = format!("/devices/{id}/roster");

    let (status, r) = call(
        hub,
        top,
        Method::PUT,
        &path,
        Some(json!({"people": ["Ben", people[0].to_string()]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, r) = call(
        hub,
        top,
        Method::PUT,
        &path,
        Some(json!({"group": "Yard", "people": ["Cy"], "teams": ["Yard crew"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, shown) = get(hub, top, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, r, "show answers what set answered");
    let summary = |v: &Value| -> Vec<(String, String, Value)> {
        v["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or_default().to_owned(),
                    e["name"].as_str().unwrap_or_default().to_owned(),
                    e["group"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        summary(&shown),
        vec![
            ("person".into(), "Ben".into(), Value::Null),
            ("person".into(), "Ana".into(), Value::Null),
            ("person".into(), "Cy".into(), json!("Yard")),
            ("team".into(), "Yard crew".into(), json!("Yard")),
        ]
    );
    assert!(
        shown["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["id"].is_string())
    );

    // The device sees the same entries, in the same order and groups.
    let (_, enrolled) = enroll(hub, json!({ "code": code })).await;
    let token = enrolled["device_token"].as_str().expect("token");
    let roster = fetch_roster(hub, token).await;
    let items: Vec<(Option<String>, RosterItem)> = roster
        .entries
        .iter()
        .map(|e| (e.group.clone(), e.item))
        .collect();
    assert_eq!(
        items,
        vec![
            (None, RosterItem::Person(people[1])),
            (None, RosterItem::Person(people[0])),
            (Some("Yard".into()), RosterItem::Person(people[2])),
            (Some("Yard".into()), RosterItem::Team(team.id)),
        ]
    );
    assert!(
        roster.directory.person(people[4]).is_some(),
        "the team's crew is shown"
    );

    // Setting a group replaces that group only, in its place; the tab order stays.
    let (_, r) = call(
        hub,
        top,
        Method::PUT,
        &path,
        Some(json!({"group": "Office", "people": ["Eve"]})),
    )
    .await;
    let after = fetch_roster(hub, token).await;
    assert_ne!(
        after.version, roster.version,
        "a roster change changes the ETag"
    );
    assert_eq!(after.entries.len(), 5);
    let (_, r2) = call(
        hub,
        top,
        Method::PUT,
        &path,
        Some(json!({"people": ["Dee"]})),
    )
    .await;
    assert_eq!(
        summary(&r2),
        vec![
            ("person".into(), "Dee".into(), Value::Null),
            ("person".into(), "Cy".into(), json!("Yard")),
            ("team".into(), "Yard crew".into(), json!("Yard")),
            ("person".into(), "Eve".into(), json!("Office")),
        ],
        "after {r}"
    );
    // An empty set removes the group.
    let (_, r3) = call(hub, top, Method::PUT, &path, Some(json!({"group": "Yard"}))).await;
    assert_eq!(summary(&r3).len(), 2, "{r3}");

    // Unknown people are refused and nothing changes.
    let (status, _) = call(
        hub,
        top,
        Method::PUT,
        &path,
        Some(json!({"people": ["Nobody"]})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, after) = get(hub, top, &path).await;
    assert_eq!(after, r3);
    let (_, audit) = get(hub, top, "/audit?limit=50").await;
    assert_eq!(
        audit_actions(&audit)
            .iter()
            .filter(|a| *a == "device.roster")
            .count(),
        5
    );
}

async fn a_device_of_one_organisation_cannot_be_managed_by_another(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let (_, made) = post(hub, &s.top_token, "/devices", json!({"name": "A kiosk"})).await;
    let id = made["id"].as_str().expect("id").to_owned();
    let (status, other) = post(hub, &s.site_token, "/orgs", json!({"name": "Org B"})).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let b = other["token"]["token"]
        .as_str()
        .expect("B's token")
        .to_owned();

    let (status, list) = get(hub, &b, "/devices").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([]), "B sees none of A's devices");
    for (method, path, body) in [
        (Method::GET, format!("/devices/{id}"), None),
        (
            Method::PATCH,
            format!("/devices/{id}"),
            Some(json!({"name": "mine"})),
        ),
        (
            Method::POST,
            format!("/devices/{id}/revoke"),
            Some(json!({})),
        ),
        (Method::GET, format!("/devices/{id}/roster"), None),
        (
            Method::PUT,
            format!("/devices/{id}/roster"),
            Some(json!({"people": []})),
        ),
        (Method::GET, "/devices/A%20kiosk".to_owned(), None),
    ] {
        let (status, body) = call(hub, &b, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    let (_, mine) = get(hub, &s.top_token, &format!("/devices/{id}")).await;
    assert_eq!(mine["name"], "A kiosk");
    assert_eq!(mine["status"], "pending");
}

async fn device_changes_need_manage_advanced_settings(url: String) {
    let s = site(&url).await;
    let hub = &s.hub;
    let all = roles(&hub.store, s.org).await;
    let (_, user) =
        person_with_token(&hub.store, s.org, "Uma", preset_role(&all, Preset::User).id).await;
    let (_, co) = person_with_token(
        &hub.store,
        s.org,
        "Cole",
        preset_role(&all, Preset::CoManager).id,
    )
    .await;
    let (_, manager) = person_with_token(
        &hub.store,
        s.org,
        "Mia",
        preset_role(&all, Preset::Manager).id,
    )
    .await;
    let (status, body) = post(hub, &user, "/devices", json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("manage_advanced_settings")
    );
    let (status, _) = get(hub, &user, "/devices").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(hub, &co, "/devices", json!({"name": "x"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "manage_users alone does not add devices"
    );
    let (status, _) = get(hub, &co, "/devices").await;
    assert_eq!(status, StatusCode::OK, "manage_users may read them");
    let (status, _) = post(hub, &manager, "/devices", json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = post(hub, &manager, "/devices", json!({"name": "a\u{1b}[2Jb"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

on_both!(
    device_add_enrolls_once_and_a_revoked_device_gets_401_with_its_events_kept,
    roster_set_and_show_round_trip_people_teams_groups_and_order,
    a_device_of_one_organisation_cannot_be_managed_by_another,
    device_changes_need_manage_advanced_settings,
);
