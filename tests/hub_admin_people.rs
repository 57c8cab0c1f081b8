//! People through the admin API: add, edit, show, list, archive and unarchive;
//! PINs kept only as argon2id verifiers keyed with the organisation's pepper;
//! archived people off every roster with their data kept; every change a roster
//! shows bumps the organisation's version; untrusted strings refused plainly.

mod admin_support;
mod hub_support;

use admin_support::{get, patch, post, site};
use chrono::Utc;
use hub_support::{enrolled_device, event, fetch_roster, person_entries, post_events};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;
use tapin::domain::{DeviceId, EventKind, PersonId};
use tapin::secrets::pin_verifier;
use tapin::wire::RosterResponse;

/// Reads one column of one person straight from the database.
async fn stored_column(url: &str, person: &str, column: &str) -> Option<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    let row = sqlx::query(&format!("SELECT {column} FROM people WHERE id = $1"))
        .bind(person)
        .fetch_one(&pool)
        .await
        .expect("row");
    let value: Option<String> = row.try_get(0).expect("column");
    pool.close().await;
    value
}

fn has_key_anywhere(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k == key || has_key_anywhere(v, key)),
        Value::Array(a) => a.iter().any(|v| has_key_anywhere(v, key)),
        _ => false,
    }
}

async fn a_person_is_added_shown_edited_and_their_pin_never_leaves_as_a_pin(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let (status, job) = post(hub, t, "/jobs", json!({"name": "Assembly"})).await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    let (status, ana) = post(
        hub,
        t,
        "/people",
        json!({"name": "  Ana María ", "role": "user", "mode": "team_member",
               "badge": "0042", "pin": "86420864208", "jobs": ["Assembly"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ana}");
    assert_eq!(ana["name"], "Ana María", "trimmed");
    assert_eq!(ana["mode"], "team_member");
    assert_eq!(ana["role"]["name"], "User");
    assert_eq!(ana["badge"], "0042");
    assert_eq!(ana["has_pin"], true);
    assert_eq!(ana["jobs"], json!([job["id"]]));
    assert!(!has_key_anywhere(&ana, "pin") && !has_key_anywhere(&ana, "pin_verifier"));
    let id = ana["id"].as_str().expect("id").to_owned();

    // Stored as a verifier keyed with the organisation's pepper, never in clear.
    let stored = stored_column(&s.url, &id, "pin_verifier")
        .await
        .expect("verifier");
    assert!(stored.starts_with("tapin-pin-v1$argon2id$"), "{stored}");
    let pepper = hub.store.org(s.org).await.expect("org").pin_pepper;
    assert_eq!(
        pin_verifier::verify("86420864208", &stored, &pepper),
        Ok(true)
    );
    assert_eq!(pin_verifier::verify("8643", &stored, &pepper), Ok(false));
    for column in ["name", "badge", "mode", "role_id"] {
        assert_ne!(
            stored_column(&s.url, &id, column).await.as_deref(),
            Some("86420864208")
        );
    }

    // The device gets the verifier (and the pepper at enrollment), not the PIN.
    let dev = enrolled_device(hub, s.org, "Gate").await;
    let entries = person_entries(&[PersonId(id.parse().expect("uuid"))]);
    hub.store
        .set_roster(s.org, dev.device_id, &entries)
        .await
        .expect("roster");
    let roster = fetch_roster(hub, &dev.device_token).await;
    let verifier = roster.people[0]
        .pin_verifier
        .clone()
        .expect("verifier on roster");
    assert_eq!(
        pin_verifier::verify("86420864208", &verifier, &dev.pin_pepper),
        Ok(true)
    );

    // Show by id and by name (case-insensitive); list is an array of objects.
    let (status, shown) = get(hub, t, &format!("/people/{id}")).await;
    assert_eq!(
        (status, &shown["name"]),
        (StatusCode::OK, &json!("Ana María"))
    );
    let (status, by_name) = get(hub, t, "/people/ANA%20MAR%C3%8DA").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only ASCII case is folded: {by_name}"
    );
    let (status, by_name) = get(hub, t, "/people/ANA%20Mar%C3%ADa").await;
    assert_eq!((status, &by_name["id"]), (StatusCode::OK, &json!(id)));
    let (_, list) = get(hub, t, "/people").await;
    let list = list.as_array().expect("array");
    assert!(
        list.iter()
            .all(|p| p["id"].is_string() && p["name"].is_string())
    );
    assert!(list.iter().any(|p| p["id"] == json!(id)));

    // Edit: absent fields stay, null clears.
    let (status, edited) = patch(
        hub,
        t,
        &format!("/people/{id}"),
        json!({"name": "Ana M.", "mode": "personal", "badge": null, "pin": null, "all_jobs": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["name"], "Ana M.");
    assert_eq!(edited["mode"], "personal");
    assert_eq!(edited["badge"], Value::Null);
    assert_eq!(edited["has_badge"], false);
    assert_eq!(edited["has_pin"], false);
    assert_eq!(edited["all_jobs"], true);
    assert_eq!(edited["role"]["name"], "User", "role unchanged");
    assert_eq!(stored_column(&s.url, &id, "pin_verifier").await, None);
    let (status, again) = patch(
        hub,
        t,
        &format!("/people/{id}"),
        json!({"pin": "13579135791"}),
    )
    .await;
    assert_eq!((status, &again["has_pin"]), (StatusCode::OK, &json!(true)));

    // A PIN is never in the audit trail either.
    let (_, audit) = get(hub, t, "/audit").await;
    let text = audit.to_string();
    assert!(
        !text.contains("tapin-pin-v1")
            && !text.contains("86420864208")
            && !text.contains("13579135791")
    );
}

async fn archived_people_leave_rosters_keep_their_data_and_come_back(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let (_, pat) = post(
        hub,
        t,
        "/people",
        json!({"name": "Pat", "role": "User", "all_jobs": true}),
    )
    .await;
    let id: PersonId = PersonId(pat["id"].as_str().expect("id").parse().expect("uuid"));
    let (_, tok) = post(hub, t, "/tokens", json!({"person": id.to_string()})).await;
    let pat_token = tok["token"].as_str().expect("token").to_owned();
    let dev = enrolled_device(hub, s.org, "Gate").await;
    hub.store
        .set_roster(s.org, dev.device_id, &person_entries(&[id]))
        .await
        .expect("roster");
    let device: DeviceId = dev.device_id;
    let (status, _) = post_events(
        hub,
        &dev.device_token,
        &[event(device, 1, id, EventKind::ClockIn, Utc::now())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let roster_people =
        |body: RosterResponse| body.directory.people().map(|p| p.id).collect::<Vec<_>>();
    let fetch = || fetch_roster(hub, &dev.device_token);
    assert_eq!(roster_people(fetch().await), vec![id]);

    let (status, archived) = post(hub, t, &format!("/people/{id}/archive"), json!({})).await;
    assert_eq!(
        (status, &archived["archived"]),
        (StatusCode::OK, &json!(true))
    );
    assert!(roster_people(fetch().await).is_empty(), "off the roster");
    assert_eq!(
        hub.store.count_events(s.org).await.expect("count"),
        1,
        "data kept"
    );
    let (_, active) = get(hub, t, "/people").await;
    assert!(
        !active
            .as_array()
            .expect("array")
            .iter()
            .any(|p| p["id"] == json!(id))
    );
    let (_, gone) = get(hub, t, "/people?status=archived").await;
    assert!(
        gone.as_array()
            .expect("array")
            .iter()
            .any(|p| p["id"] == json!(id))
    );
    let (status, _) = get(hub, &pat_token, "/whoami").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an archived person cannot sign in"
    );
    let (status, body) = post(hub, t, "/tokens", json!({"person": id.to_string()})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, back) = post(hub, t, &format!("/people/{id}/unarchive"), json!({})).await;
    assert_eq!((status, &back["archived"]), (StatusCode::OK, &json!(false)));
    assert_eq!(roster_people(fetch().await), vec![id]);
    let (status, _) = get(hub, &pat_token, "/whoami").await;
    assert_eq!(status, StatusCode::OK);
}

async fn every_change_a_roster_shows_bumps_the_version(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let version = || async { hub.store.org_version(s.org).await.expect("version") };
    let (_, p) = post(hub, t, "/people", json!({"name": "Pat", "role": "User"})).await;
    let pid = p["id"].as_str().expect("id").to_owned();
    let steps: Vec<(&str, Method, String, Value, bool)> = vec![
        (
            "person add",
            Method::POST,
            "/people".into(),
            json!({"name": "Lee", "role": "Supervisor"}),
            true,
        ),
        (
            "person edit",
            Method::PATCH,
            format!("/people/{pid}"),
            json!({"name": "Pat B"}),
            true,
        ),
        (
            "job add",
            Method::POST,
            "/jobs".into(),
            json!({"name": "Welding"}),
            true,
        ),
        (
            "job assign",
            Method::POST,
            "/jobs/Welding/assign".into(),
            json!({"people": [pid]}),
            true,
        ),
        (
            "job archive",
            Method::POST,
            "/jobs/Welding/archive".into(),
            json!({}),
            true,
        ),
        (
            "team add",
            Method::POST,
            "/teams".into(),
            json!({"name": "Night", "lead": "Lee", "members": [pid]}),
            true,
        ),
        (
            "team edit",
            Method::PATCH,
            "/teams/Night".into(),
            json!({"members": []}),
            true,
        ),
        (
            "role add",
            Method::POST,
            "/roles".into(),
            json!({"name": "Foreman", "rank": 10}),
            true,
        ),
        (
            "role edit",
            Method::PATCH,
            "/roles/Foreman".into(),
            json!({"rank": 11}),
            true,
        ),
        (
            "lock set",
            Method::PUT,
            "/settings/date-lock".into(),
            json!({"date": "2025-01-01"}),
            true,
        ),
        (
            "person archive",
            Method::POST,
            format!("/people/{pid}/archive"),
            json!({}),
            true,
        ),
        (
            "token create",
            Method::POST,
            "/tokens".into(),
            json!({"person": "Lee"}),
            false,
        ),
        (
            "rate set",
            Method::POST,
            "/rates".into(),
            json!({"person": "Lee", "from": "2025-01-01", "rate_cents": 1, "cost_cents": 1}),
            false,
        ),
    ];
    for (label, method, path, body, bumps) in steps {
        let before = version().await;
        let (status, answer) = admin_support::call(hub, t, method, &path, Some(body)).await;
        assert!(status.is_success(), "{label}: {status} {answer}");
        let after = version().await;
        assert_eq!(
            after > before,
            bumps,
            "{label}: version {before} -> {after}"
        );
    }
}

async fn untrusted_strings_are_refused_with_a_clear_400(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"name": "Ana\nBob", "role": "User"}),
            "control characters",
        ),
        (
            json!({"name": "\u{1b}[2Jx", "role": "User"}),
            "control characters",
        ),
        (
            json!({"name": "evil\u{202E}txt", "role": "User"}),
            "control characters",
        ),
        (json!({"name": "   ", "role": "User"}), "empty"),
        (
            json!({"name": "a".repeat(201), "role": "User"}),
            "at most 200",
        ),
        (
            json!({"name": "Ok", "role": "User", "badge": "00 42"}),
            "badge",
        ),
        (json!({"name": "Ok", "role": "User", "pin": "12ab"}), "PIN"),
        (json!({"name": "Ok", "role": "User", "pin": "123"}), "PIN"),
        (
            json!({"name": "Ok", "role": "User", "colour": "red"}),
            "unknown field",
        ),
        (
            json!({"name": "Ok", "role": "User", "mode": "boss"}),
            "mode",
        ),
        (json!({"name": 5, "role": "User"}), "name"),
    ];
    for (body, needle) in cases {
        let (status, answer) = post(hub, t, "/people", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let msg = answer["error"].as_str().unwrap_or_default();
        assert!(msg.contains(needle), "{body}: {msg}");
        assert!(!msg.contains("12ab"), "the PIN is not echoed: {msg}");
    }
    let (status, _) = post(
        hub,
        t,
        "/people",
        json!({"name": "a".repeat(200), "role": "User"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "200 characters are fine");
    let huge = "x".repeat(10 * 1024 * 1024);
    let (status, answer) = post(hub, t, "/people", json!({"name": huge, "role": "User"})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    for (path, body) in [
        ("/roles", json!({"name": "a\u{7}", "rank": 1})),
        ("/teams", json!({"name": "\u{9b}31m", "lead": "Top"})),
        ("/jobs", json!({"name": ""})),
        ("/orgs", json!({"name": "x\ny"})),
    ] {
        let token = if path == "/orgs" { &s.site_token } else { t };
        let (status, answer) = post(hub, token, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
    }
}

async fn names_and_badges_are_unique_and_ambiguous_names_refused(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    let (status, _) = post(
        hub,
        t,
        "/people",
        json!({"name": "Sam", "role": "User", "badge": "B1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = post(
        hub,
        t,
        "/people",
        json!({"name": "Sam", "role": "User", "badge": "B1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = post(hub, t, "/people", json!({"name": "Sam", "role": "User"})).await;
    assert_eq!(status, StatusCode::CREATED, "two people may share a name");
    let (status, body) = get(hub, t, "/people/Sam").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("by its id")
    );
    let (status, _) = post(hub, t, "/jobs", json!({"name": "Dup"})).await;
    assert_eq!(status, StatusCode::CREATED);
    for (path, body) in [
        ("/roles", json!({"name": "user", "rank": 1})),
        ("/jobs", json!({"name": "dup"})),
    ] {
        let (status, answer) = post(hub, t, path, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {answer}");
    }
    let (status, _) = post(hub, t, "/teams", json!({"name": "Crew", "lead": "Top"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, answer) = post(hub, t, "/teams", json!({"name": "CREW", "lead": "Top"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
}

async fn badges_are_shown_only_to_the_person_and_those_who_may_manage_them(url: String) {
    let s = site(&url).await;
    let (hub, t) = (&s.hub, &s.top_token);
    post(
        hub,
        t,
        "/people",
        json!({"name": "Uma", "role": "User", "badge": "U-1"}),
    )
    .await;
    post(
        hub,
        t,
        "/people",
        json!({"name": "Sid", "role": "Supervisor", "badge": "S-1"}),
    )
    .await;
    let (_, tok) = post(hub, t, "/tokens", json!({"person": "Sid"})).await;
    let sid = tok["token"].as_str().expect("token").to_owned();
    let (status, uma) = get(hub, &sid, "/people/Uma").await;
    assert_eq!(status, StatusCode::OK, "a Supervisor may view users");
    assert_eq!(
        (&uma["badge"], &uma["has_badge"]),
        (&Value::Null, &json!(true))
    );
    let (_, own) = get(hub, &sid, "/people/Sid").await;
    assert_eq!(own["badge"], "S-1", "one's own badge");
    let (_, uma) = get(hub, t, "/people/Uma").await;
    assert_eq!(uma["badge"], "U-1", "the Top manager may manage Uma");
}

on_both!(
    a_person_is_added_shown_edited_and_their_pin_never_leaves_as_a_pin,
    archived_people_leave_rosters_keep_their_data_and_come_back,
    every_change_a_roster_shows_bumps_the_version,
    untrusted_strings_are_refused_with_a_clear_400,
    names_and_badges_are_unique_and_ambiguous_names_refused,
    badges_are_shown_only_to_the_person_and_those_who_may_manage_them,
);
