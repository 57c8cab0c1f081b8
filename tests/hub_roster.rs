//! Device rosters over HTTP: only the device's entries (people, whole teams, order,
//! groups), never archived people, current status, PIN verifiers and job access;
//! ETag / If-None-Match → 304; organisations isolated. Runs on SQLite, and on
//! PostgreSQL when TAPIN_TEST_POSTGRES_URL is set.

mod hub_support;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use hub_support::{Hub, enrolled_device, event, org_with_people, post_events};
use reqwest::StatusCode;
use tapin::domain::{
    EventKind, Job, JobAccess, JobId, Person, PersonId, Preset, Role, RoleId, Team, TeamId,
    TrackingMode,
};
use tapin::wire::{RosterEntry, RosterItem, RosterResponse};

async fn get_roster(hub: &Hub, token: &str, etag: Option<&str>) -> reqwest::Response {
    let mut req = hub
        .http
        .get(hub.url("/api/v1/device/roster"))
        .bearer_auth(token);
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    req.send().await.unwrap()
}

fn person(name: &str, role: RoleId, jobs: JobAccess, archived: bool) -> Person {
    Person {
        id: PersonId::new(),
        name: name.into(),
        badge: Some(format!("badge-{name}")),
        mode: TrackingMode::Personal,
        team: None,
        role,
        archived,
        jobs,
    }
}

async fn roster_shows_only_its_entries_with_status(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 1).await;
    let role = Role::preset(Preset::Supervisor, RoleId::new());
    hub.store.add_role(fx.org, &role).await.unwrap();
    let welding = Job {
        id: JobId::new(),
        name: "Welding".into(),
        archived: false,
    };
    hub.store.add_job(fx.org, &welding).await.unwrap();
    let pat = person(
        "Pat",
        role.id,
        JobAccess::Only(BTreeSet::from([welding.id])),
        false,
    );
    let lead = person("Lee", role.id, JobAccess::All, false);
    let crew = person("Cam", role.id, JobAccess::default(), false);
    let gone = person("Gus", role.id, JobAccess::All, true);
    let elsewhere = person("Eve", role.id, JobAccess::All, false);
    for p in [&pat, &lead, &crew, &gone, &elsewhere] {
        let verifier = (p.name == "Pat").then_some("argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
        hub.store.add_person(fx.org, p, verifier).await.unwrap();
    }
    let team = Team {
        id: TeamId::new(),
        name: "Night shift".into(),
        lead: lead.id,
        members: vec![crew.id, gone.id],
    };
    hub.store.add_team(fx.org, &team).await.unwrap();
    let dev = enrolled_device(&hub, fx.org, "Gate").await;
    let entries = vec![
        RosterEntry {
            group: Some("Office".into()),
            item: RosterItem::Person(pat.id),
        },
        RosterEntry {
            group: None,
            item: RosterItem::Team(team.id),
        },
        RosterEntry {
            group: Some("Office".into()),
            item: RosterItem::Person(gone.id),
        },
    ];
    hub.store
        .set_roster(fx.org, dev.device_id, &entries)
        .await
        .unwrap();

    // Pat clocks in.
    let inn = event(
        dev.device_id,
        1,
        pat.id,
        EventKind::ClockIn,
        Utc::now() - Duration::minutes(5),
    );
    let (status, _) = post_events(&hub, &dev.device_token, &[inn]).await;
    assert_eq!(status, StatusCode::OK);

    let resp = get_roster(&hub, &dev.device_token, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let roster: RosterResponse = resp.json().await.unwrap();
    assert_eq!(format!("\"{}\"", roster.version), etag);
    assert_eq!(roster.org_id, fx.org);
    assert_eq!(
        roster.entries,
        entries[..2].to_vec(),
        "archived people leave the roster"
    );
    let shown: Vec<PersonId> = roster.directory.people().map(|p| p.id).collect();
    let expected: BTreeSet<PersonId> = [pat.id, lead.id, crew.id].into();
    assert_eq!(shown.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert!(roster.directory.person(elsewhere.id).is_none());
    let shown_team = roster.directory.team(team.id).unwrap();
    assert_eq!(
        shown_team.members,
        vec![crew.id],
        "archived crew members are left out"
    );
    assert_eq!(
        roster.directory.person(pat.id).unwrap().badge.as_deref(),
        Some("badge-Pat")
    );
    assert!(roster.directory.role(role.id).is_some());
    let jobs: Vec<JobId> = roster.directory.jobs().map(|j| j.id).collect();
    assert!(
        jobs.contains(&welding.id) && jobs.contains(&fx.job),
        "{jobs:?}"
    );

    let state_of = |id: PersonId| roster.people.iter().find(|p| p.id == id).unwrap();
    assert!(state_of(pat.id).state.is_clocked_in());
    assert!(!state_of(lead.id).state.is_clocked_in());
    assert!(
        state_of(pat.id)
            .pin_verifier
            .as_deref()
            .unwrap()
            .starts_with("argon2id")
    );
    assert_eq!(state_of(crew.id).pin_verifier, None);

    // Unchanged: 304 without a body.
    let resp = get_roster(&hub, &dev.device_token, Some(&etag)).await;
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag);
    assert!(resp.bytes().await.unwrap().is_empty());

    // A punch changes it...
    let out = event(
        dev.device_id,
        2,
        pat.id,
        EventKind::ClockOut,
        Utc::now() - Duration::minutes(1),
    );
    post_events(&hub, &dev.device_token, &[out]).await;
    let resp = get_roster(&hub, &dev.device_token, Some(&etag)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let etag2 = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(etag2, etag);
    let roster: RosterResponse = resp.json().await.unwrap();
    let pat_now = roster.people.iter().find(|p| p.id == pat.id).unwrap();
    assert!(!pat_now.state.is_clocked_in());

    // ...and so does a new roster for the device.
    hub.store
        .set_roster(fx.org, dev.device_id, &entries[..1])
        .await
        .unwrap();
    let resp = get_roster(&hub, &dev.device_token, Some(&etag2)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let roster: RosterResponse = resp.json().await.unwrap();
    assert_eq!(roster.entries.len(), 1);
    assert_eq!(roster.directory.people().count(), 1);
    hub.stop().await;
}

async fn rosters_never_cross_organisations(url: String) {
    let hub = Hub::start(&url).await;
    let a = org_with_people(&hub.store, 2).await;
    let b = org_with_people(&hub.store, 2).await;
    let dev_b = enrolled_device(&hub, b.org, "B").await;
    // Another organisation's person cannot be put on the roster.
    let foreign = vec![RosterEntry {
        group: None,
        item: RosterItem::Person(a.people[0]),
    }];
    assert!(
        hub.store
            .set_roster(b.org, dev_b.device_id, &foreign)
            .await
            .is_err()
    );
    let mine = vec![RosterEntry {
        group: None,
        item: RosterItem::Person(b.people[0]),
    }];
    hub.store
        .set_roster(b.org, dev_b.device_id, &mine)
        .await
        .unwrap();
    let roster: RosterResponse = get_roster(&hub, &dev_b.device_token, None)
        .await
        .json()
        .await
        .unwrap();
    let shown: Vec<PersonId> = roster.directory.people().map(|p| p.id).collect();
    assert_eq!(shown, vec![b.people[0]]);
    assert!(
        a.people
            .iter()
            .all(|p| roster.directory.person(*p).is_none())
    );
    // An empty roster is a roster.
    let dev_empty = enrolled_device(&hub, a.org, "Empty").await;
    let resp = get_roster(&hub, &dev_empty.device_token, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let roster: RosterResponse = resp.json().await.unwrap();
    assert!(roster.entries.is_empty() && roster.people.is_empty());
    hub.stop().await;
}

on_both!(
    roster_shows_only_its_entries_with_status,
    rosters_never_cross_organisations,
);
