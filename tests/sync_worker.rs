//! The sync worker against a real in-process hub, no faults: delivery exactly
//! once, parking, revocation, the roster cache across an outage and a reboot, the
//! nudge, the clock estimate. Fault injection is in sync_faults.rs.

mod hub_support;
#[path = "sync_support/kiosk.rs"]
mod kiosk;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use hub_support::Hub;
use kiosk::{enrolled_kiosk, fast_settings, wait_hub_count, wait_status};
use tapin::domain::{Actor, EventDraft, EventKind, Method};
use tapin::sync::status::{Link, RosterState};
use tapin::wire::RosterResponse;

const DEADLINE: Duration = Duration::from_secs(20);

on_both!(
    delivers_every_event_once_and_caches_the_roster,
    a_refused_event_is_parked_and_the_rest_flow,
    a_revoked_device_keeps_its_events,
);

async fn delivers_every_event_once_and_caches_the_roster(url: String) {
    let hub = Hub::start(&url).await;
    let mut kiosk = enrolled_kiosk(&hub, 5).await;
    let ids = kiosk.punch(250);
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    let done = wait_status(&mut status, DEADLINE, "drained", |s| {
        s.pending == 0 && s.link == Link::Online
    })
    .await;
    assert_eq!(done.parked, 0);
    assert_eq!(hub.store.count_events(kiosk.org).await.unwrap(), 250);
    let known = hub.store.known_events(kiosk.org, &ids).await.unwrap();
    assert_eq!(known.len(), 250, "every recorded id is on the hub");
    assert_eq!(kiosk.pending(), 0);

    // The roster came with the first contact, and is kept verbatim.
    let cached = kiosk
        .journal
        .lock()
        .unwrap()
        .cached_roster()
        .unwrap()
        .expect("roster cached");
    let roster: RosterResponse = serde_json::from_slice(&cached.body).unwrap();
    assert_eq!(roster.device_id, kiosk.device);
    assert_eq!(roster.people.len(), 5);
    assert!(
        matches!(&done.roster, RosterState::Cached { version, .. } if *version == cached.etag),
        "{:?}",
        done.roster
    );
    // Loopback: the clocks agree, and the estimate says so.
    let clock = done.clock.expect("clock estimated");
    assert!(clock.offset.num_milliseconds().abs() < 1_000, "{clock:?}");
    assert!(!done.clock_skewed);
    // Punches recorded from now on carry the estimate, and the hub keeps it.
    let late = kiosk.punch(1)[0];
    worker.nudge();
    wait_hub_count(&hub, kiosk.org, 251, DEADLINE).await;
    let stored = hub
        .store
        .stored_event(kiosk.org, late)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.event.clock_offset_ms, Some(clock.offset_ms()));

    worker.stop().await;
    hub.stop().await;
}

async fn a_refused_event_is_parked_and_the_rest_flow(url: String) {
    let hub = Hub::start(&url).await;
    let mut kiosk = enrolled_kiosk(&hub, 3).await;
    kiosk.punch(10);
    // A clock that was never set: the hub refuses the event for good.
    let refused = kiosk.record(EventDraft {
        subject: kiosk.people[0],
        actor: Actor::Kiosk(kiosk.device),
        method: Method::Badge,
        kind: EventKind::ClockIn,
        at: Utc.with_ymd_and_hms(1999, 12, 31, 23, 0, 0).unwrap(),
        note: None,
        needs_review: false,
    });
    kiosk.punch(10);
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    let done = wait_status(&mut status, DEADLINE, "drained", |s| {
        s.pending == 0 && s.parked == 1 && s.link == Link::Online
    })
    .await;
    assert_eq!(done.link, Link::Online);
    assert_eq!(hub.store.count_events(kiosk.org).await.unwrap(), 20);
    let parked = kiosk.parked();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].event.id, refused);
    assert!(
        parked[0].reason.contains("before 2000"),
        "{}",
        parked[0].reason
    );
    worker.stop().await;
    hub.stop().await;
}

async fn a_revoked_device_keeps_its_events(url: String) {
    let hub = Hub::start(&url).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    hub.store
        .revoke_device(kiosk.org, kiosk.device)
        .await
        .unwrap();
    kiosk.punch(7);
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    let seen = wait_status(&mut status, DEADLINE, "revoked", |s| {
        s.link == Link::Revoked
    })
    .await;
    assert_eq!(seen.pending, 7);
    // Still revoked on later probes; nothing left the journal.
    kiosk.punch(1);
    worker.nudge();
    status.mark_unchanged();
    wait_status(&mut status, DEADLINE, "a second probe", |s| {
        s.link == Link::Revoked
    })
    .await;
    assert_eq!(kiosk.pending(), 8);
    assert!(kiosk.parked().is_empty());
    assert_eq!(hub.store.count_events(kiosk.org).await.unwrap(), 0);
    worker.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nudge_sends_a_new_punch_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    // Idle waits are 10 minutes long: only the nudge can send the punch in time.
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "online", |s| s.link == Link::Online).await;
    kiosk.punch(1);
    worker.nudge();
    wait_hub_count(&hub, kiosk.org, 1, DEADLINE).await;
    worker.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_hub_path_is_retried_and_reported_not_parked() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    kiosk.punch(3);
    let worker = kiosk.worker(&format!("{}/not-the-hub/", hub.base), fast_settings());
    let mut status = worker.status();
    let seen = wait_status(&mut status, DEADLINE, "a reported problem", |s| {
        s.last_problem.is_some()
    })
    .await;
    assert!(matches!(seen.link, Link::Offline { .. }), "{:?}", seen.link);
    let problem = seen.last_problem.unwrap_or_default();
    assert!(problem.contains("404"), "{problem}");
    assert_eq!(kiosk.pending(), 3);
    assert!(kiosk.parked().is_empty());
    worker.stop().await;
    hub.stop().await;
}

/// The kiosk synced once, then the hub went away and the kiosk rebooted: it starts
/// from the cached roster and keeps recording; the backlog goes out when the hub
/// is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reboot_during_an_outage_starts_from_the_cached_roster() {
    let dir = tempfile::tempdir().unwrap();
    let db = hub_support::sqlite_url(&dir.path().join("hub.db"));
    let hub = Hub::start(&db).await;
    let kiosk = enrolled_kiosk(&hub, 4).await;
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "roster cached", |s| {
        matches!(s.roster, RosterState::Cached { .. })
    })
    .await;
    worker.stop().await;
    let hub_base = hub.base.clone();
    hub.stop().await;

    // Reboot: a new process opens the journal again.
    let mut kiosk = kiosk.reboot();
    let worker = kiosk.worker(&hub_base, fast_settings());
    let mut status = worker.status();
    let first = status.borrow().clone();
    assert!(
        matches!(first.roster, RosterState::Cached { .. }),
        "the cached roster is known before any contact: {first:?}"
    );
    let cached = kiosk.journal.lock().unwrap().cached_roster().unwrap();
    let roster: RosterResponse = serde_json::from_slice(&cached.unwrap().body).unwrap();
    assert_eq!(roster.people.len(), 4);
    kiosk.punch(6);
    worker.nudge();
    // The status counts the punches waiting, though the hub never answered.
    let offline = wait_status(&mut status, DEADLINE, "offline with 6 pending", |s| {
        matches!(s.link, Link::Offline { .. }) && s.pending == 6
    })
    .await;
    assert_eq!(kiosk.pending(), 6, "{offline:?}");
    worker.stop().await;

    // The hub comes back (same database, new port): the backlog drains.
    let hub = Hub::start(&db).await;
    let worker = kiosk.worker(&hub.base, fast_settings());
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "drained", |s| {
        s.pending == 0 && s.link == Link::Online
    })
    .await;
    assert_eq!(hub.store.count_events(kiosk.org).await.unwrap(), 6);
    worker.stop().await;
    hub.stop().await;
}
