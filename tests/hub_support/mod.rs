//! Shared scaffolding of the hub tests: a hub in-process on 127.0.0.1 port 0 over a
//! real database (a SQLite temp file, or PostgreSQL from `TAPIN_TEST_POSTGRES_URL`),
//! an organisation with people and a job, an enrolled device, event builders, and
//! the device endpoints' requests. Every hub stops by itself when its handle is
//! dropped. The benchmarks use it too (`#[path]`); [`cli`] runs the real binary.
#![allow(dead_code)]

pub mod cli;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use tapin::domain::{
    Actor, DeviceId, Event, EventId, EventKind, Job, JobAccess, JobId, Method, Person, PersonId,
    Preset, Role, RoleId, TrackingMode,
};
use tapin::hub::{HubConfig, Store, launch};
use tapin::wire::{EnrollResponse, OrgId, RosterEntry, RosterItem, RosterResponse};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PG_ENV: &str = "TAPIN_TEST_POSTGRES_URL";

/// The URL of the SQLite database in `file`, made when first opened.
pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

/// Runs `scenario` against a fresh SQLite file.
pub async fn on_sqlite<F, Fut>(scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    scenario(sqlite_url(&dir.path().join("hub.db"))).await;
}

/// Runs `scenario` against PostgreSQL, or says it was skipped.
pub async fn on_postgres<F, Fut>(scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    match std::env::var(PG_ENV) {
        Ok(url) if !url.is_empty() => scenario(url).await,
        _ => println!("skipped: {PG_ENV} not set"),
    }
}

/// Declares `NAME_sqlite` and `NAME_postgres` tests running `async fn NAME(url)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::hub_support::on_sqlite(super::$name).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    $crate::hub_support::on_postgres(super::$name).await;
                }
            }
        )*
    };
}

/// A hub running in-process.
pub struct Hub {
    pub base: String,
    pub store: Store,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    pub task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Hub {
    pub async fn start(db_url: &str) -> Hub {
        Hub::start_with(db_url, HubConfig::default()).await
    }

    pub async fn start_with(db_url: &str, config: HubConfig) -> Hub {
        let store = Store::connect(db_url).await.expect("connect store");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(launch(listener, store.clone(), config, async move {
            let _ = rx.await;
        }));
        Hub {
            base: format!("http://{addr}"),
            store,
            http: client(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resolves the shutdown future (the hub finishes what is in flight).
    pub fn signal_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and waits for `launch` to return.
    pub async fn stop(mut self) {
        self.signal_shutdown();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("hub stops within 10 s")
                .expect("hub task")
                .expect("hub ran cleanly");
        }
    }

    /// The value of one metric line (`name{labels}`), 0 when absent.
    pub async fn metric(&self, series: &str) -> f64 {
        let text = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.signal_shutdown();
    }
}

pub fn client() -> reqwest::Client {
    tapin::tls::http_client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// An organisation with a role, `n` people (personal mode, all jobs) and a job.
pub struct OrgFixture {
    pub org: OrgId,
    pub people: Vec<PersonId>,
    pub job: JobId,
}

pub async fn org_with_people(store: &Store, n: usize) -> OrgFixture {
    let org = store
        .init_org(&format!("org-{}", uuid::Uuid::now_v7()))
        .await
        .expect("init org");
    let role = Role::preset(Preset::User, RoleId::new());
    store.add_role(org.id, &role).await.expect("add role");
    let mut people = Vec::with_capacity(n);
    for i in 0..n {
        let person = Person {
            id: PersonId::new(),
            name: format!("Person {i}"),
            badge: Some(format!("B{i:05}")),
            mode: TrackingMode::Personal,
            team: None,
            role: role.id,
            archived: false,
            jobs: JobAccess::All,
        };
        store
            .add_person(org.id, &person, None)
            .await
            .expect("add person");
        people.push(person.id);
    }
    let job = Job {
        id: JobId::new(),
        name: "Assembly".into(),
        archived: false,
    };
    store.add_job(org.id, &job).await.expect("add job");
    OrgFixture {
        org: org.id,
        people,
        job: job.id,
    }
}

/// POSTs `body` to the enrollment endpoint; returns status and JSON answer.
pub async fn enroll(hub: &Hub, body: Value) -> (StatusCode, Value) {
    let resp = hub
        .http
        .post(hub.url("/api/v1/enroll"))
        .json(&body)
        .send()
        .await
        .expect("enroll request");
    let status = resp.status();
    (status, resp.json().await.expect("json answer"))
}

/// Creates a device in `org` and enrolls it over HTTP.
pub async fn enrolled_device(hub: &Hub, org: OrgId, name: &str) -> EnrollResponse {
    let device = hub
        .store
        .create_device(org, name, chrono::Duration::hours(24))
        .await
        .expect("create device");
    let (status, body) = enroll(hub, serde_json::json!({ "code": device.enrollment_code })).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_value(body).expect("enroll body")
}

/// GETs the hub's time with a device token.
pub async fn device_time(hub: &Hub, token: &str) -> reqwest::Response {
    hub.http
        .get(hub.url("/api/v1/device/time"))
        .bearer_auth(token)
        .send()
        .await
        .expect("time")
}

/// GETs the device's roster, with `If-None-Match: etag` when given.
pub async fn get_roster(hub: &Hub, token: &str, etag: Option<&str>) -> reqwest::Response {
    let mut req = hub
        .http
        .get(hub.url("/api/v1/device/roster"))
        .bearer_auth(token);
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    req.send().await.expect("roster")
}

/// The device's roster.
pub async fn fetch_roster(hub: &Hub, token: &str) -> RosterResponse {
    get_roster(hub, token, None)
        .await
        .json()
        .await
        .expect("roster body")
}

/// Roster entries showing `people`, in order, in no group.
pub fn person_entries(people: &[PersonId]) -> Vec<RosterEntry> {
    people
        .iter()
        .map(|p| RosterEntry {
            group: None,
            item: RosterItem::Person(*p),
        })
        .collect()
}

/// A kiosk event.
pub fn event(
    device: DeviceId,
    seq: u64,
    subject: PersonId,
    kind: EventKind,
    at: DateTime<Utc>,
) -> Event {
    Event {
        id: EventId::new(),
        device,
        seq,
        subject,
        actor: Actor::Kiosk(device),
        method: Method::Badge,
        kind,
        at,
        utc_offset_secs: 0,
        note: None,
        needs_review: false,
        clock_offset_ms: None,
    }
}

/// A well-formed day of `count` events a second apart: the people in turn, each
/// clocking in, then out on their next turn.
pub fn shift_events(
    device: DeviceId,
    people: &[PersonId],
    count: usize,
    start: DateTime<Utc>,
) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let person = people[i % people.len()];
            let round = i / people.len();
            let kind = if round.is_multiple_of(2) {
                EventKind::ClockIn
            } else {
                EventKind::ClockOut
            };
            event(
                device,
                i as u64 + 1,
                person,
                kind,
                start + chrono::Duration::seconds(i as i64),
            )
        })
        .collect()
}

/// POSTs a raw body to the events endpoint.
pub async fn post_events_raw(
    hub: &Hub,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    hub.http
        .post(hub.url("/api/v1/device/events"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post events")
}

/// POSTs events; returns status and JSON body.
pub async fn post_events(hub: &Hub, token: &str, events: &[Event]) -> (StatusCode, Value) {
    let body = serde_json::to_vec(&serde_json::json!({ "events": events })).expect("encode");
    let resp = post_events_raw(hub, token, body).await;
    let status = resp.status();
    (status, resp.json().await.expect("json body"))
}

/// The statuses of an events answer, in order.
pub fn statuses(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status").to_owned())
        .collect()
}

/// Polls `check` every 10 ms until it returns true or `deadline` passes.
pub async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
