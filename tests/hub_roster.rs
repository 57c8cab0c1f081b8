//! Device rosters over HTTP: only the device's entries (people, whole teams, order,
//! groups), never archived people, current status, PIN verifiers and job access;
//! ETag / If-None-Match → 304; organisations isolated; statuses equal to the
//! domain's replay of every event after late events and corrections, and tags
//! that move only for the rosters showing the person. Runs on SQLite, and on
//! PostgreSQL when TAPIN_TEST_POSTGRES_URL is set.

mod hub_support;

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, Utc};
use hub_support::{
    Hub, enrolled_device, event, fetch_roster, get_roster, org_with_people, person_entries,
    post_events, statuses,
};
use reqwest::StatusCode;
use tapin::domain::{
    Event, EventKind, Job, JobAccess, JobId, Person, PersonId, Preset, PunchState, Role, RoleId,
    Team, TeamId, TrackingMode, replay,
};
use tapin::wire::{RosterEntry, RosterItem, RosterResponse};

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
    let foreign = person_entries(&[a.people[0]]);
    assert!(
        hub.store
            .set_roster(b.org, dev_b.device_id, &foreign)
            .await
            .is_err()
    );
    let mine = person_entries(&[b.people[0]]);
    hub.store
        .set_roster(b.org, dev_b.device_id, &mine)
        .await
        .unwrap();
    let roster = fetch_roster(&hub, &dev_b.device_token).await;
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

/// Each person's state in a roster.
fn states_of(roster: &RosterResponse) -> HashMap<PersonId, PunchState> {
    roster.people.iter().map(|p| (p.id, p.state)).collect()
}

/// What the domain folds from all of `person`'s events in `sent`, in the order
/// the hub keeps them.
fn replayed(sent: &[Event], person: PersonId, mode: TrackingMode) -> PunchState {
    let mut mine: Vec<&Event> = sent.iter().filter(|e| e.subject == person).collect();
    mine.sort_by_key(|e| (e.at, e.seq, e.id));
    replay(mine, mode).state
}

/// GETs the roster with `etag`; the new tag and roster, or `None` on 304.
async fn refetch(hub: &Hub, token: &str, etag: &str) -> Option<(String, RosterResponse)> {
    let resp = get_roster(hub, token, Some(etag)).await;
    if resp.status() == StatusCode::NOT_MODIFIED {
        return None;
    }
    assert_eq!(resp.status(), StatusCode::OK);
    let tag = resp.headers()["etag"].to_str().unwrap().to_owned();
    Some((tag, resp.json().await.unwrap()))
}

async fn statuses_are_right_after_late_events_and_corrections(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 3).await;
    let (pat, sam, other) = (fx.people[0], fx.people[1], fx.people[2]);
    let mode = TrackingMode::Personal;
    let a = enrolled_device(&hub, fx.org, "A").await;
    let b = enrolled_device(&hub, fx.org, "B").await;
    hub.store
        .set_roster(fx.org, a.device_id, &person_entries(&[pat, sam]))
        .await
        .unwrap();
    hub.store
        .set_roster(fx.org, b.device_id, &person_entries(&[other]))
        .await
        .unwrap();
    // Sub-microsecond instants: states keep them exactly.
    let t0 = Utc::now() - Duration::hours(5) + Duration::nanoseconds(123);
    let at = |minutes: i64| t0 + Duration::minutes(minutes);
    let mut sent: Vec<Event> = Vec::new();
    let mut seq = 0;
    let mut post = async |events: Vec<Event>| {
        let (status, body) = post_events(&hub, &a.device_token, &events).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(statuses(&body).iter().all(|s| s == "accepted"), "{body}");
        sent.extend(events);
        sent.clone()
    };
    let mut next = |subject: PersonId, kind: EventKind, at| {
        seq += 1;
        event(a.device_id, seq, subject, kind, at)
    };

    // Pat clocks in and out; Sam clocks in and checks in to a job.
    let pat_in = next(pat, EventKind::ClockIn, at(0));
    let batch = vec![
        pat_in.clone(),
        next(pat, EventKind::ClockOut, at(60)),
        next(sam, EventKind::ClockIn, at(5)),
        next(sam, EventKind::CheckIn { job: fx.job }, at(10)),
    ];
    let sent_now = post(batch).await;
    let resp = get_roster(&hub, &a.device_token, None).await;
    let etag_a = resp.headers()["etag"].to_str().unwrap().to_owned();
    let roster: RosterResponse = resp.json().await.unwrap();
    let states = states_of(&roster);
    assert_eq!(states[&pat], replayed(&sent_now, pat, mode));
    assert!(!states[&pat].is_clocked_in());
    assert_eq!(
        states[&sam],
        PunchState::clocked_in(at(5)).with_job(fx.job, at(10))
    );
    let resp = get_roster(&hub, &b.device_token, None).await;
    let etag_b = resp.headers()["etag"].to_str().unwrap().to_owned();

    // A late clock-in from a kiosk that was offline, between Pat's clock-in and
    // clock-out: ignored by the replay (already clocked in), so Pat stays out and
    // nothing the roster shows changes. Folding it on top would clock Pat in.
    let sent_now = post(vec![next(pat, EventKind::ClockIn, at(30))]).await;
    assert_eq!(replayed(&sent_now, pat, mode), states[&pat]);
    assert!(
        refetch(&hub, &a.device_token, &etag_a).await.is_none(),
        "nothing shown changed: 304"
    );
    let roster = fetch_roster(&hub, &a.device_token).await;
    assert_eq!(states_of(&roster)[&pat], replayed(&sent_now, pat, mode));

    // A late clock-out before Sam's clock-in: ignored, Sam still works.
    let sent_now = post(vec![next(sam, EventKind::ClockOut, at(1))]).await;
    let roster = fetch_roster(&hub, &a.device_token).await;
    assert_eq!(states_of(&roster)[&sam], replayed(&sent_now, sam, mode));
    assert!(states_of(&roster)[&sam].is_working());

    // A correction moves Pat's clock-in after the clock-out: from then on Pat is in.
    let fix = next(
        pat,
        EventKind::Correction {
            corrects: pat_in.id,
            new_time: at(90),
            reason: "forgot to tap".into(),
        },
        at(100),
    );
    let sent_now = post(vec![fix]).await;
    let (etag_a2, roster) = refetch(&hub, &a.device_token, &etag_a)
        .await
        .expect("a corrected state is a new roster");
    assert_eq!(states_of(&roster)[&pat], PunchState::clocked_in(at(90)));
    assert_eq!(states_of(&roster)[&pat], replayed(&sent_now, pat, mode));
    assert!(
        refetch(&hub, &b.device_token, &etag_b).await.is_none(),
        "a device not showing Pat keeps its tag"
    );

    // A punch after that folds on top of the corrected state.
    let sent_now = post(vec![next(pat, EventKind::BreakStart, at(120))]).await;
    let (_, roster) = refetch(&hub, &a.device_token, &etag_a2).await.unwrap();
    assert_eq!(
        states_of(&roster)[&pat],
        PunchState::on_break(at(90), at(120))
    );
    for person in [pat, sam] {
        assert_eq!(
            states_of(&roster)[&person],
            replayed(&sent_now, person, mode)
        );
    }
    assert!(refetch(&hub, &b.device_token, &etag_b).await.is_none());
    hub.stop().await;
}

/// Writers of events or people that leave statuses alone (as a bulk import or an
/// admin edit might) cost a refold at read, never a wrong state.
async fn stale_statuses_are_refolded_at_read(url: String) {
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 1).await;
    let pat = fx.people[0];
    let dev = enrolled_device(&hub, fx.org, "A").await;
    hub.store
        .set_roster(fx.org, dev.device_id, &person_entries(&[pat]))
        .await
        .unwrap();
    let t0 = Utc::now() - Duration::hours(2);
    let clock_in = event(dev.device_id, 1, pat, EventKind::ClockIn, t0);
    post_events(&hub, &dev.device_token, std::slice::from_ref(&clock_in)).await;

    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    // Another writer stores a clock-out straight into the events table and bumps
    // the organisation's version, without touching Pat's status.
    let clock_out = event(
        dev.device_id,
        2,
        pat,
        EventKind::ClockOut,
        t0 + Duration::minutes(30),
    );
    sqlx::query(
        "INSERT INTO events (id, org_id, device_id, seq, subject, kind, at, received_at, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(clock_out.id.to_string())
    .bind(fx.org.to_string())
    .bind(dev.device_id.to_string())
    .bind(2_i64)
    .bind(pat.to_string())
    .bind("clock_out")
    .bind(clock_out.at.timestamp_micros())
    .bind(Utc::now().timestamp_micros())
    .bind(serde_json::to_string(&clock_out).unwrap())
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE orgs SET version = version + 1 WHERE id = $1")
        .bind(fx.org.to_string())
        .execute(&pool)
        .await
        .unwrap();
    let roster = fetch_roster(&hub, &dev.device_token).await;
    let sent = vec![clock_in.clone(), clock_out.clone()];
    assert_eq!(
        states_of(&roster)[&pat],
        replayed(&sent, pat, TrackingMode::Personal)
    );
    assert!(!states_of(&roster)[&pat].is_clocked_in());

    // An edit of Pat's mode, likewise: the state is folded with the new mode.
    sqlx::query("UPDATE people SET mode = 'individual' WHERE id = $1")
        .bind(pat.to_string())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orgs SET version = version + 1 WHERE id = $1")
        .bind(fx.org.to_string())
        .execute(&pool)
        .await
        .unwrap();
    let roster = fetch_roster(&hub, &dev.device_token).await;
    assert_eq!(
        states_of(&roster)[&pat],
        replayed(&sent, pat, TrackingMode::Individual)
    );
    // The next punch through ingest refolds the stale row for good.
    let check_in = event(
        dev.device_id,
        3,
        pat,
        EventKind::CheckIn { job: fx.job },
        t0 + Duration::minutes(40),
    );
    post_events(&hub, &dev.device_token, std::slice::from_ref(&check_in)).await;
    let roster = fetch_roster(&hub, &dev.device_token).await;
    let sent = vec![clock_in, clock_out, check_in];
    assert_eq!(
        states_of(&roster)[&pat],
        replayed(&sent, pat, TrackingMode::Individual)
    );
    assert_eq!(states_of(&roster)[&pat].current_job(), Some(fx.job));
    pool.close().await;
    hub.stop().await;
}

/// A roster of more people than the hub binds into one query reads the
/// organisation's people whole and keeps only its own: same people in roster
/// order, job access, PIN verifiers and states as the same people in a small
/// roster, never an archived person or one of another roster.
async fn large_rosters_show_only_their_people(url: String) {
    // More people, and more of them with only some jobs, than are bound.
    const SHOWN: usize = 560;
    let hub = Hub::start(&url).await;
    let fx = org_with_people(&hub.store, 0).await;
    let role = Role::preset(Preset::Supervisor, RoleId::new());
    hub.store.add_role(fx.org, &role).await.unwrap();
    let welding = Job {
        id: JobId::new(),
        name: "Welding".into(),
        archived: false,
    };
    hub.store.add_job(fx.org, &welding).await.unwrap();
    let only_welding = JobAccess::Only(BTreeSet::from([welding.id]));
    let mut people = Vec::new();
    for i in 0..SHOWN + 60 {
        let jobs = if i % 10 != 0 {
            only_welding.clone()
        } else {
            JobAccess::All
        };
        let p = person(&format!("P{i:03}"), role.id, jobs, i == 5);
        let verifier = format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$h{i:03}");
        hub.store
            .add_person(fx.org, &p, Some(&verifier))
            .await
            .unwrap();
        people.push(p);
    }
    let large = enrolled_device(&hub, fx.org, "Large").await;
    let small = enrolled_device(&hub, fx.org, "Small").await;
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    hub.store
        .set_roster(fx.org, large.device_id, &person_entries(&ids[..SHOWN]))
        .await
        .unwrap();
    hub.store
        .set_roster(fx.org, small.device_id, &person_entries(&ids[..40]))
        .await
        .unwrap();
    let at = Utc::now() - Duration::minutes(5);
    let sent = vec![
        event(large.device_id, 1, ids[1], EventKind::ClockIn, at),
        event(large.device_id, 2, ids[3], EventKind::ClockIn, at),
        event(large.device_id, 3, ids[SHOWN + 1], EventKind::ClockIn, at),
    ];
    let (status, body) = post_events(&hub, &large.device_token, &sent).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&body), vec!["accepted"; 3]);

    let roster = fetch_roster(&hub, &large.device_token).await;
    let expected: Vec<PersonId> = ids[..SHOWN]
        .iter()
        .copied()
        .filter(|p| *p != ids[5])
        .collect();
    let order: Vec<PersonId> = roster.people.iter().map(|p| p.id).collect();
    assert_eq!(order, expected, "the roster's people, in roster order");
    assert_eq!(
        roster.directory.people().count(),
        SHOWN - 1,
        "no one of another roster, no one archived"
    );
    assert!(roster.directory.person(ids[SHOWN + 1]).is_none());
    for (i, p) in people[..SHOWN].iter().enumerate().filter(|(i, _)| *i != 5) {
        let shown = roster.directory.person(p.id).unwrap();
        assert_eq!(shown, p, "person {i} as stored, job access included");
        let state = &roster.people[order.iter().position(|q| *q == p.id).unwrap()];
        let verifier = format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$h{i:03}");
        assert_eq!(state.pin_verifier.as_deref(), Some(verifier.as_str()));
        assert_eq!(state.state.is_clocked_in(), i == 1 || i == 3, "person {i}");
    }
    // The same people through a list of ids bound into the query.
    let few = fetch_roster(&hub, &small.device_token).await;
    assert_eq!(few.people[..], roster.people[..39]);
    for p in few.directory.people() {
        assert_eq!(Some(p), roster.directory.person(p.id));
    }
    hub.stop().await;
}

on_both!(
    large_rosters_show_only_their_people,
    roster_shows_only_its_entries_with_status,
    rosters_never_cross_organisations,
    statuses_are_right_after_late_events_and_corrections,
    stale_statuses_are_refolded_at_read,
);
