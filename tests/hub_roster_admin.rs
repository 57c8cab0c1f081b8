//! Admin changes reach device rosters. After each change made through the admin
//! API (rename, role change, PIN change, mode change, archive, unarchive, crew
//! change, roster set, new team, lead change, job assign and archive, date lock,
//! role edit), the next roster request with the old `If-None-Match` is answered
//! 200 with a new ETag, shows the change, is exactly the document a fresh build
//! makes of the same rows, and came from the device's cached document brought up
//! to date (the `delta` answers of `/metrics`), not from a whole build; the new
//! tag then answers 304.
//! Runs on SQLite, and on PostgreSQL when TAPIN_TEST_POSTGRES_URL is set.

mod admin_support;
mod hub_support;

use admin_support::{Site, custom_role, person, preset_role, roles, setup, site};
use chrono::{Duration, Utc};
use hub_support::{enrolled_device, event, get_roster, post_events};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tapin::domain::{EventKind, Job, JobId, PersonId, Preset, Team, TeamId};
use tapin::wire::{EnrollResponse, RosterEntry, RosterItem, RosterResponse};

const DELTA: &str = "tapin_hub_roster_answers_total{how=\"delta\"}";
const BUILT: &str = "tapin_hub_roster_answers_total{how=\"built\"}";
const PATCHED: &str = "tapin_hub_roster_answers_total{how=\"patched\"}";

/// Makes an admin call as the Top manager; it must succeed.
async fn admin(s: &Site, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, answer) =
        admin_support::call(&s.hub, &s.top_token, method.clone(), path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// The roster after a change: 200 under a new tag, as a fresh build makes it,
/// answered as `how` (a metric series), then 304 under the new tag.
async fn after(
    s: &Site,
    dev: &EnrollResponse,
    etag: &mut String,
    what: &str,
    how: &str,
) -> RosterResponse {
    let counted = s.hub.metric(how).await;
    let built = s.hub.metric(BUILT).await;
    let resp = get_roster(&s.hub, &dev.device_token, Some(etag)).await;
    assert_eq!(resp.status(), StatusCode::OK, "{what}: a new roster");
    let new = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(&new, etag, "{what}: the ETag moved");
    let served: RosterResponse = resp.json().await.unwrap();
    assert_eq!(format!("\"{}\"", served.version), new, "{what}");
    let fresh = s
        .hub
        .store
        .roster_snapshot(s.org, dev.device_id, Utc::now())
        .await
        .unwrap()
        .roster;
    assert_eq!(served.version, fresh.version, "{what}: version");
    assert_eq!(served.entries, fresh.entries, "{what}: entries");
    assert_eq!(served.directory, fresh.directory, "{what}: directory");
    assert_eq!(served.people, fresh.people, "{what}: people");
    assert_eq!(
        s.hub.metric(how).await,
        counted + 1.0,
        "{what}: answered as {how}"
    );
    if how != BUILT {
        assert_eq!(s.hub.metric(BUILT).await, built, "{what}: not built whole");
    }
    let again = get_roster(&s.hub, &dev.device_token, Some(&new)).await;
    assert_eq!(
        again.status(),
        StatusCode::NOT_MODIFIED,
        "{what}: the new tag holds"
    );
    *etag = new;
    served
}

async fn every_admin_change_reaches_the_roster(url: String) {
    let s = site(&url).await;
    let store = &s.hub.store;
    let all = roles(store, s.org).await;
    let user = preset_role(&all, Preset::User);
    let supervisor = preset_role(&all, Preset::Supervisor);
    let custom = custom_role(store, s.org, "Welder", user.rank, &[]).await;
    let pat = person(store, s.org, "Pat", user.id).await;
    let sam = person(store, s.org, "Sam", custom.id).await;
    let lee = person(store, s.org, "Lee", user.id).await;
    let cam = person(store, s.org, "Cam", user.id).await;
    let newbie = person(store, s.org, "Nia", user.id).await;
    let team = Team {
        id: TeamId::new(),
        name: "Night".into(),
        lead: lee,
        members: vec![cam],
    };
    store.create_team(s.org, &team, &setup()).await.unwrap();
    let job = Job {
        id: JobId::new(),
        name: "Weld".into(),
        archived: false,
    };
    store.create_job(s.org, &job, &setup()).await.unwrap();
    let dev = enrolled_device(&s.hub, s.org, "Gate").await;
    let entries = |people: &[PersonId]| -> Vec<RosterEntry> {
        people
            .iter()
            .map(|p| RosterEntry {
                group: None,
                item: RosterItem::Person(*p),
            })
            .chain([RosterEntry {
                group: Some("Crews".into()),
                item: RosterItem::Team(team.id),
            }])
            .collect()
    };
    store
        .set_roster(s.org, dev.device_id, &entries(&[pat, sam]))
        .await
        .unwrap();
    let clock_in = event(
        dev.device_id,
        1,
        pat,
        EventKind::ClockIn,
        Utc::now() - Duration::hours(1),
    );
    post_events(&s.hub, &dev.device_token, &[clock_in]).await;

    // The first answer builds the roster whole; the cache keeps it.
    let mut etag = "\"none\"".to_owned();
    let r = after(&s, &dev, &mut etag, "first", BUILT).await;
    assert!(r.directory.person(newbie).is_none());

    let person_path = format!("/people/{pat}");
    admin(
        &s,
        Method::PATCH,
        &person_path,
        Some(json!({"name": "Pat Renamed"})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "rename", DELTA).await;
    assert_eq!(r.directory.person(pat).unwrap().name, "Pat Renamed");

    let role_change = json!({"role": supervisor.id});
    admin(&s, Method::PATCH, &person_path, Some(role_change)).await;
    let r = after(&s, &dev, &mut etag, "role change", DELTA).await;
    assert_eq!(r.directory.person(pat).unwrap().role, supervisor.id);
    assert!(r.directory.role(supervisor.id).is_some());

    let verifier = |r: &RosterResponse| {
        r.people
            .iter()
            .find(|p| p.id == pat)
            .and_then(|p| p.pin_verifier.clone())
    };
    assert_eq!(verifier(&r), None);
    admin(
        &s,
        Method::PATCH,
        &person_path,
        Some(json!({"pin": "4821"})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "PIN change", DELTA).await;
    let first_pin = verifier(&r).expect("a verifier");
    admin(
        &s,
        Method::PATCH,
        &person_path,
        Some(json!({"pin": "9173"})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "second PIN change", DELTA).await;
    assert_ne!(verifier(&r).expect("a verifier"), first_pin);

    // A new mode refolds Pat's state from the events (compared with a fresh build).
    admin(
        &s,
        Method::PATCH,
        &person_path,
        Some(json!({"mode": "individual"})),
    )
    .await;
    after(&s, &dev, &mut etag, "mode change", DELTA).await;

    admin(
        &s,
        Method::POST,
        &format!("{person_path}/archive"),
        Some(json!({})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "archive", DELTA).await;
    assert!(r.directory.person(pat).is_none());
    assert!(!r.entries.iter().any(|e| e.item == RosterItem::Person(pat)));
    assert!(r.people.iter().all(|p| p.id != pat));

    admin(
        &s,
        Method::POST,
        &format!("{person_path}/unarchive"),
        Some(json!({})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "unarchive", DELTA).await;
    assert!(r.directory.person(pat).is_some());
    assert_eq!(r.entries[0].item, RosterItem::Person(pat));

    // Nia joins the crew: she is shown (with the team she now has).
    let crew = json!({"members": [cam.to_string(), newbie.to_string()]});
    admin(
        &s,
        Method::PATCH,
        &format!("/teams/{}", team.id),
        Some(crew),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "crew change", DELTA).await;
    assert_eq!(
        r.directory.team(team.id).unwrap().members,
        vec![cam, newbie]
    );
    assert_eq!(r.directory.person(newbie).unwrap().team, Some(team.id));
    // And leaves it again.
    let crew = json!({"members": [cam.to_string()]});
    admin(
        &s,
        Method::PATCH,
        &format!("/teams/{}", team.id),
        Some(crew),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "crew change back", DELTA).await;
    assert!(r.directory.person(newbie).is_none());

    let set = json!({"people": [sam.to_string(), newbie.to_string()]});
    let roster_path = format!("/devices/{}/roster", dev.device_id);
    admin(&s, Method::PUT, &roster_path, Some(set)).await;
    let r = after(&s, &dev, &mut etag, "roster set", DELTA).await;
    assert!(r.directory.person(pat).is_none());
    assert_eq!(r.entries[0].item, RosterItem::Person(sam));
    assert_eq!(r.entries[1].item, RosterItem::Person(newbie));

    // A new team led by someone on the entries is shown, with its crew...
    let day = json!({"name": "Day", "lead": sam.to_string(), "members": [pat.to_string()]});
    let day = admin(&s, Method::POST, "/teams", Some(day)).await;
    let day: TeamId = day["id"]
        .as_str()
        .expect("team id")
        .parse()
        .expect("team id");
    let r = after(&s, &dev, &mut etag, "team led from the roster", DELTA).await;
    assert!(r.directory.team(day).is_some());
    assert!(r.directory.person(pat).is_some(), "its crew is shown");
    // ... and leaves with its crew when its lead is no longer on the entries.
    let lead = json!({"lead": lee.to_string()});
    admin(&s, Method::PATCH, &format!("/teams/{day}"), Some(lead)).await;
    let r = after(&s, &dev, &mut etag, "lead change", DELTA).await;
    assert!(r.directory.team(day).is_none());
    assert!(r.directory.person(pat).is_none());

    let assign = json!({"people": [sam.to_string()]});
    admin(
        &s,
        Method::POST,
        &format!("/jobs/{}/assign", job.id),
        Some(assign),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "job assign", DELTA).await;
    assert!(r.directory.job(job.id).is_some());
    admin(
        &s,
        Method::POST,
        &format!("/jobs/{}/archive", job.id),
        Some(json!({})),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "job archive", DELTA).await;
    assert!(r.directory.job(job.id).is_none());

    let lock = json!({"date": "2025-01-01"});
    admin(&s, Method::PUT, "/settings/date-lock", Some(lock)).await;
    let r = after(&s, &dev, &mut etag, "date lock", DELTA).await;
    assert!(r.directory.settings().date_lock.is_some());

    let rename_role = json!({"name": "Senior welder"});
    admin(
        &s,
        Method::PATCH,
        &format!("/roles/{}", custom.id),
        Some(rename_role),
    )
    .await;
    let r = after(&s, &dev, &mut etag, "role edit", DELTA).await;
    assert_eq!(r.directory.role(custom.id).unwrap().name, "Senior welder");

    // A punch after all that: the brought-up-to-date document is patched.
    let check_in = event(dev.device_id, 2, sam, EventKind::ClockIn, Utc::now());
    post_events(&s.hub, &dev.device_token, &[check_in]).await;
    let r = after(&s, &dev, &mut etag, "punch", PATCHED).await;
    let sam_state = r.people.iter().find(|p| p.id == sam).unwrap().state;
    assert!(sam_state.is_clocked_in());
}

/// A change the organisation's change log cannot account for (the version moved
/// by another writer) is never answered from the cache: the roster is built whole.
async fn an_unrecorded_change_builds_the_roster_whole(url: String) {
    let s = site(&url).await;
    let store = &s.hub.store;
    let user = preset_role(&roles(store, s.org).await, Preset::User);
    let pat = person(store, s.org, "Pat", user.id).await;
    let dev = enrolled_device(&s.hub, s.org, "Gate").await;
    let entries = vec![RosterEntry {
        group: None,
        item: RosterItem::Person(pat),
    }];
    store
        .set_roster(s.org, dev.device_id, &entries)
        .await
        .unwrap();
    let mut etag = "\"none\"".to_owned();
    after(&s, &dev, &mut etag, "first", BUILT).await;

    let pool = sqlx::AnyPool::connect(&s.url).await.unwrap();
    sqlx::query("UPDATE people SET name = 'Pat Elsewhere' WHERE id = $1")
        .bind(pat.to_string())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orgs SET version = version + 1 WHERE id = $1")
        .bind(s.org.to_string())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let r = after(&s, &dev, &mut etag, "unrecorded change", BUILT).await;
    assert_eq!(r.directory.person(pat).unwrap().name, "Pat Elsewhere");
}

on_both!(
    every_admin_change_reaches_the_roster,
    an_unrecorded_change_builds_the_roster_whole
);
