//! The organisation dump: export → import (into an empty database, SQLite and,
//! when `TAPIN_TEST_POSTGRES_URL` is set, PostgreSQL) → export is byte-identical;
//! the imported hub answers the old tokens and gives the same timesheet; a second
//! import of the same organisation is refused; `GET /api/v1/admin/export` needs
//! `export_data` and serves the same format.

mod admin_support;
mod hub_support;

use admin_support::{call, fresh_db, get, person_with_token, post, preset_role, roles, site};
use chrono::{TimeZone, Utc};
use hub_support::{Hub, device_time, enrolled_device, event, on_postgres, on_sqlite, post_events};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tapin::domain::{EventKind, PersonId, Preset};
use tapin::hub::Store;
use tapin::hub::store::admin::ImportError;
use tapin::wire::OrgId;
use tapin::wire::org_dump::OrgDump;

/// An organisation with something in every table; returns the device token.
async fn populate(s: &admin_support::Site) -> String {
    let (hub, top) = (&s.hub, s.top_token.as_str());
    let ok = |(status, body): (StatusCode, Value)| {
        assert!(status.is_success(), "{status}: {body}");
        body
    };
    let job = ok(post(hub, top, "/jobs", json!({"name": "Assembly"})).await);
    let lead = ok(post(
        hub,
        top,
        "/people",
        json!({"name": "Lee", "role": "Supervisor", "mode": "team_lead", "badge": "B1", "pin": "4321", "all_jobs": true}),
    )
    .await);
    let ann = ok(post(
        hub,
        top,
        "/people",
        json!({"name": "Ann", "role": "User", "badge": "B2", "pin": "1357", "jobs": ["Assembly"]}),
    )
    .await);
    ok(post(
        hub,
        top,
        "/teams",
        json!({"name": "Crew", "lead": "Lee", "members": ["Ann"]}),
    )
    .await);
    ok(post(
        hub,
        top,
        "/rates",
        json!({"person": "Ann", "from": "2024-03-01", "rate_cents": 2500, "cost_cents": 1500}),
    )
    .await);
    ok(post(hub, top, "/tokens", json!({"person": "Lee"})).await);
    let device = enrolled_device(hub, s.org, "Floor").await;
    ok(post(hub, top, "/devices", json!({"name": "Spare"})).await);
    let d = device.device_id;
    ok(call(
        hub,
        top,
        Method::PUT,
        &format!("/devices/{d}/roster"),
        Some(json!({"group": "Shop", "people": ["Ann"], "teams": ["Crew"]})),
    )
    .await);
    let ann: PersonId = ann["id"].as_str().expect("id").parse().expect("id");
    let job = job["id"].as_str().expect("id").parse().expect("id");
    let t = |h| {
        Utc.with_ymd_and_hms(2024, 3, 4, h, 0, 0)
            .single()
            .expect("time")
    };
    let events = vec![
        event(d, 1, ann, EventKind::ClockIn, t(8)),
        event(d, 2, ann, EventKind::CheckIn { job }, t(9)),
        event(d, 3, ann, EventKind::ClockOut, t(15)),
    ];
    let (status, _) = post_events(hub, &device.device_token, &events).await;
    assert_eq!(status, StatusCode::OK);
    let lee: PersonId = lead["id"].as_str().expect("id").parse().expect("id");
    let (_, lee_token) = admin_support::token(&hub.store, s.org, lee).await;
    ok(post(
        hub,
        &lee_token,
        "/corrections",
        json!({"event": events[2].id, "time": t(16), "reason": "stayed"}),
    )
    .await);
    ok(call(
        hub,
        top,
        Method::PUT,
        "/settings/date-lock",
        Some(json!({"date": "2024-02-01"})),
    )
    .await);
    device.device_token
}

async fn export_text(store: &Store, org: OrgId) -> String {
    store
        .export_org(org)
        .await
        .expect("export")
        .to_json()
        .expect("encode")
}

/// Imports `text` into the empty database at `url`, checks the re-export is the
/// same bytes and that the hub there serves the organisation as before.
async fn round_trip(
    text: &str,
    url: &str,
    s: &admin_support::Site,
    device_token: &str,
    sheet: &Value,
) {
    let dump: OrgDump = serde_json::from_str(text).expect("a dump");
    let target = Store::connect(url).await.expect("target");
    let org = target.import_org(&dump).await.expect("import");
    assert_eq!(org, s.org);
    let again = export_text(&target, org).await;
    assert!(
        again == text,
        "export → import → export differs:\n{}",
        first_difference(text, &again)
    );
    match target.import_org(&dump).await {
        Err(ImportError::OrgExists(id)) => assert_eq!(id, s.org.to_string()),
        other => panic!("a second import must be refused, got {other:?}"),
    }
    assert_eq!(
        export_text(&target, org).await,
        text,
        "the refused import wrote nothing"
    );
    target.close().await;

    let hub = Hub::start(url).await;
    let (status, me) = get(&hub, &s.top_token, "/whoami").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the Top manager's token still works: {me}"
    );
    let time = device_time(&hub, device_token).await;
    assert_eq!(
        time.status(),
        StatusCode::OK,
        "the device's token still works"
    );
    let (_, sheet2) = get(
        &hub,
        &s.top_token,
        "/reports/timesheet?from=2024-03-01&to=2024-03-10",
    )
    .await;
    assert_eq!(without_time(sheet2), without_time(sheet.clone()));
}

fn without_time(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("generated_at");
    }
    v
}

fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || format!("lengths {} and {}", a.len(), b.len()),
            |(i, (x, y))| format!("line {}: {x:?} vs {y:?}", i + 1),
        )
}

async fn export_import_export_is_byte_identical(url: String) {
    let s = site(&url).await;
    let device_token = populate(&s).await;
    let text = export_text(&s.hub.store, s.org).await;
    assert_eq!(
        text,
        export_text(&s.hub.store, s.org).await,
        "deterministic"
    );
    let dump: OrgDump = serde_json::from_str(&text).expect("a dump");
    assert_eq!((dump.format.as_str(), dump.version), ("tapin-org", 1));
    assert_eq!(dump.people.len(), 3);
    assert!(
        dump.people
            .iter()
            .filter(|p| p.pin_verifier.is_some())
            .count()
            == 2
    );
    assert!(
        !text.contains("\"4321\"") && !text.contains("\"1357\""),
        "no PIN in clear"
    );
    assert!(!text.contains(&device_token), "no device token in clear");
    assert_eq!(dump.devices.iter().filter(|d| d.kind == "hub").count(), 1);
    assert_eq!(dump.events.len(), 4, "three punches and a correction");
    for (name, n) in [
        ("teams", dump.teams.len()),
        ("team_members", dump.team_members.len()),
        ("jobs", dump.jobs.len()),
        ("person_jobs", dump.person_jobs.len()),
        ("enrollment_codes", dump.enrollment_codes.len()),
        ("roster_entries", dump.roster_entries.len()),
        ("rates", dump.rates.len()),
        ("tokens", dump.tokens.len()),
        ("audit", dump.audit.len()),
    ] {
        assert!(n > 0, "{name} is in the dump");
    }
    assert_eq!(dump.org.date_lock.as_deref(), Some("2024-02-01"));
    let (_, sheet) = get(
        &s.hub,
        &s.top_token,
        "/reports/timesheet?from=2024-03-01&to=2024-03-10",
    )
    .await;
    assert_eq!(sheet["people"].as_array().map(Vec::len), Some(3), "{sheet}");

    let round_trip = async |target: String| {
        let target = fresh_db(&target).await;
        round_trip(&text, &target, &s, &device_token, &sheet).await;
    };
    on_sqlite(round_trip).await;
    on_postgres(round_trip).await;
}

async fn the_admin_export_needs_export_data_and_serves_the_same_format(url: String) {
    let s = site(&url).await;
    populate(&s).await;
    let all = roles(&s.hub.store, s.org).await;
    let (_, user) = person_with_token(
        &s.hub.store,
        s.org,
        "Uma",
        preset_role(&all, Preset::User).id,
    )
    .await;
    let (status, body) = get(&s.hub, &user, "/export").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"].as_str().unwrap_or("").contains("export_data"),
        "{body}"
    );
    let resp = s
        .hub
        .http
        .get(s.hub.url("/api/v1/admin/export"))
        .bearer_auth(&s.top_token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("body");
    // The export is audited first, so the dump holds its own record; after it,
    // the store's export gives the same bytes.
    assert_eq!(text, export_text(&s.hub.store, s.org).await);
    let dump: OrgDump = serde_json::from_str(&text).expect("a dump");
    assert!(dump.audit.iter().any(|a| a.action == "org.export"));
}

on_both!(
    export_import_export_is_byte_identical,
    the_admin_export_needs_export_data_and_serves_the_same_format,
);
