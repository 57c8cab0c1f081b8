//! A kiosk's sync side in a test: an enrolled device on an in-process hub, its own
//! journal in a temp dir, punches recorded as the screen would record them, and a
//! sync worker pointed at the hub (directly or through the fault proxy).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use reqwest::Url;
use tapin::domain::{Actor, DeviceId, EventDraft, EventId, EventKind, Method, PersonId};
use tapin::journal::{Journal, JournalOptions};
use tapin::sync::client::{HubClient, Timeouts};
use tapin::sync::status::SyncStatus;
use tapin::sync::worker::{SharedJournal, SyncHandle, WorkerSettings};
use tapin::wire::OrgId;
use tempfile::TempDir;
use tokio::sync::watch;

use crate::hub_support::{Hub, enrolled_device, org_with_people, person_entries};

/// One enrolled kiosk.
pub struct Kiosk {
    pub dir: TempDir,
    pub journal: SharedJournal,
    pub device: DeviceId,
    pub token: String,
    pub org: OrgId,
    pub people: Vec<PersonId>,
    /// Punches recorded so far, per person, to alternate in and out.
    punches: Vec<u64>,
}

/// An organisation with `people` on the roster of a freshly enrolled kiosk.
pub async fn enrolled_kiosk(hub: &Hub, people: usize) -> Kiosk {
    let fx = org_with_people(&hub.store, people).await;
    let enrolled = enrolled_device(hub, fx.org, "Front desk").await;
    hub.store
        .set_roster(fx.org, enrolled.device_id, &person_entries(&fx.people))
        .await
        .expect("set roster");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut journal = Journal::open(dir.path(), JournalOptions::default()).expect("journal");
    journal
        .set_device_id(enrolled.device_id)
        .expect("device id");
    Kiosk {
        dir,
        journal: Arc::new(Mutex::new(journal)),
        device: enrolled.device_id,
        token: enrolled.device_token.clone(),
        org: fx.org,
        punches: vec![0; fx.people.len()],
        people: fx.people,
    }
}

/// A kiosk whose journal is closed (another process may have it).
pub struct ClosedKiosk {
    pub dir: TempDir,
    pub device: DeviceId,
    pub token: String,
    pub org: OrgId,
    pub people: Vec<PersonId>,
    punches: Vec<u64>,
}

impl ClosedKiosk {
    pub fn open(self) -> Kiosk {
        let journal = Journal::open(self.dir.path(), JournalOptions::default()).expect("reopen");
        Kiosk {
            dir: self.dir,
            journal: Arc::new(Mutex::new(journal)),
            device: self.device,
            token: self.token,
            org: self.org,
            people: self.people,
            punches: self.punches,
        }
    }
}

/// Quick retries, so a test's outages cost milliseconds.
pub fn fast_settings() -> WorkerSettings {
    WorkerSettings {
        batch_size: 100,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(200),
        roster_refresh: Duration::from_secs(600),
        skew_threshold: Duration::from_secs(60),
    }
}

pub fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_secs(2),
    }
}

impl Kiosk {
    /// Records `n` punches, one decision each, the people in turn clocking in
    /// and out. Returns their ids.
    pub fn punch(&mut self, n: usize) -> Vec<EventId> {
        let mut journal = self.journal.lock().expect("journal lock");
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let who = i % self.people.len();
            let kind = if self.punches[who].is_multiple_of(2) {
                EventKind::ClockIn
            } else {
                EventKind::ClockOut
            };
            self.punches[who] += 1;
            let draft = EventDraft {
                subject: self.people[who],
                actor: Actor::Kiosk(self.device),
                method: Method::Badge,
                kind,
                at: Utc::now(),
                note: None,
                needs_review: false,
            };
            let events = journal.record(self.device, 3600, &[draft]).expect("record");
            ids.extend(events.iter().map(|e| e.id));
        }
        ids
    }

    /// The process restarts: the journal is closed and opened again from disk.
    /// Every worker must have been stopped.
    pub fn reboot(self) -> Kiosk {
        self.close().open()
    }

    /// Closes the journal so that another process can open it.
    pub fn close(self) -> ClosedKiosk {
        let Kiosk {
            dir,
            journal,
            device,
            token,
            org,
            people,
            punches,
        } = self;
        drop(
            Arc::try_unwrap(journal).unwrap_or_else(|_| panic!("a worker still holds the journal")),
        );
        ClosedKiosk {
            dir,
            device,
            token,
            org,
            people,
            punches,
        }
    }

    /// Records one event as given (for events the hub will refuse).
    pub fn record(&self, draft: EventDraft) -> EventId {
        let mut journal = self.journal.lock().expect("journal lock");
        journal.record(self.device, 0, &[draft]).expect("record")[0].id
    }

    pub fn pending(&self) -> u64 {
        self.journal.lock().expect("journal lock").pending_count()
    }

    pub fn parked(&self) -> Vec<tapin::journal::ParkedEvent> {
        self.journal
            .lock()
            .expect("journal lock")
            .parked()
            .expect("parked")
    }

    /// A worker syncing to `hub_url`.
    pub fn worker(&self, hub_url: &str, settings: WorkerSettings) -> SyncHandle {
        let url = Url::parse(hub_url).expect("hub url");
        let client = HubClient::new(&url, &self.token, timeouts()).expect("client");
        SyncHandle::spawn(self.journal.clone(), client, settings)
    }
}

/// Waits until the status satisfies `check`, or panics after `deadline` naming
/// `what` and the last status seen.
pub async fn wait_status(
    status: &mut watch::Receiver<SyncStatus>,
    deadline: Duration,
    what: &str,
    check: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let outcome = tokio::time::timeout(deadline, async {
        status.wait_for(|s| check(s)).await.map(|s| s.clone())
    })
    .await;
    match outcome {
        Ok(Ok(seen)) => seen,
        Ok(Err(_)) => panic!("worker stopped while waiting for {what}"),
        Err(_) => panic!(
            "{what} not reached within {deadline:?}: {:?}",
            *status.borrow()
        ),
    }
}

/// Waits until the hub holds `n` events of `org`.
pub async fn wait_hub_count(hub: &Hub, org: OrgId, n: i64, deadline: Duration) {
    let reached = crate::hub_support::eventually(deadline, || async {
        hub.store.count_events(org).await.expect("count") >= n
    })
    .await;
    let now = hub.store.count_events(org).await.expect("count");
    assert!(
        reached,
        "hub holds {now} events, expected {n} within {deadline:?}"
    );
}
