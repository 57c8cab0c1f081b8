//! A hub that lies: the kiosk's sync worker behind a proxy that forwards to a
//! real hub and then rewrites its answers: truncated, huge, of the wrong types,
//! acknowledging ids that were not sent, or nothing at all; rosters that are
//! huge, not UTF-8, or another device's. While it lies, nothing leaves the
//! outbox and the cached roster stays; once it tells the truth, every event is
//! at the hub exactly once.

mod hub_support;
#[path = "sync_support/kiosk.rs"]
mod kiosk;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hub_support::{Hub, eventually};
use kiosk::{Kiosk, enrolled_kiosk, fast_settings, wait_status};
use serde_json::{Value, json};
use tapin::sync::status::RosterState;
use tapin::sync::worker::WorkerSettings;
use tokio::net::TcpListener;

const DEADLINE: Duration = Duration::from_secs(30);
const PUNCHES: usize = 20;

/// How the proxy lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lie {
    Truth,
    /// The hub's answer to a batch, cut in half.
    TruncatedEvents,
    /// A valid answer padded past the client's 4 MiB cap.
    HugeEvents,
    /// `results` is not a list.
    WrongTypes,
    /// Every event sent is acknowledged under an id that was not sent.
    UnsentIds,
    /// A success that names nothing (the hub was never asked).
    NoResults,
    /// A roster past the client's 64 MiB cap.
    HugeRoster,
    /// A roster whose bytes are not UTF-8.
    NotUtf8Roster,
    /// A roster for another device.
    OtherDevicesRoster,
}

#[derive(Clone)]
struct Liar {
    hub: String,
    lie: Arc<Mutex<Lie>>,
    /// Answers rewritten so far.
    lies_told: Arc<Mutex<usize>>,
    http: reqwest::Client,
}

impl Liar {
    async fn start(hub: &str) -> (Liar, String) {
        let liar = Liar {
            hub: hub.to_owned(),
            lie: Arc::new(Mutex::new(Lie::Truth)),
            lies_told: Arc::new(Mutex::new(0)),
            http: hub_support::client(),
        };
        let app = Router::new().fallback(forward).with_state(liar.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (liar, url)
    }

    fn set(&self, lie: Lie) {
        *self.lie.lock().expect("lie") = lie;
        *self.lies_told.lock().expect("count") = 0;
    }

    fn told(&self) -> usize {
        *self.lies_told.lock().expect("count")
    }
}

async fn forward(State(liar): State<Liar>, req: Request) -> Response {
    let lie = *liar.lie.lock().expect("lie");
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let is_events = path.ends_with("/device/events");
    let is_roster = path.ends_with("/device/roster");
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    if lie == Lie::NoResults && is_events {
        return told(&liar, json_answer(json!({ "results": [] })));
    }
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            headers.insert(name.clone(), value.clone());
        }
    }
    if is_roster && lie != Lie::Truth {
        // Ask for the whole document, whatever the kiosk has cached.
        headers.remove("if-none-match");
    }
    let upstream = liar
        .http
        .request(parts.method.clone(), format!("{}{}", liar.hub, parts.uri))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(upstream) = upstream else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = upstream.status();
    let content_type = upstream.headers().get("content-type").cloned();
    let etag = upstream.headers().get("etag").cloned();
    let bytes = upstream.bytes().await.unwrap_or_default();
    let rewritten = match lie {
        Lie::TruncatedEvents if is_events => Some(bytes.slice(..bytes.len() / 2)),
        Lie::HugeEvents if is_events => {
            let mut padded = bytes.to_vec();
            padded.splice(1..1, std::iter::repeat_n(b' ', 5 << 20));
            Some(Bytes::from(padded))
        }
        Lie::WrongTypes if is_events => Some(Bytes::from_static(br#"{"results": {"id": 1}}"#)),
        Lie::UnsentIds if is_events => {
            let mut answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if let Some(results) = answer["results"].as_array_mut() {
                for r in results {
                    r["id"] = json!(uuid::Uuid::now_v7());
                    r["status"] = json!("accepted");
                }
            }
            Some(Bytes::from(answer.to_string()))
        }
        Lie::HugeRoster if is_roster => {
            let mut padded = bytes.to_vec();
            padded.splice(1..1, std::iter::repeat_n(b' ', 65 << 20));
            Some(Bytes::from(padded))
        }
        Lie::NotUtf8Roster if is_roster => {
            let mut broken = bytes.to_vec();
            // Inside the first name: after `"name":"`.
            let at = broken
                .windows(8)
                .position(|w| w == br#""name":""#)
                .map_or(0, |p| p + 8);
            broken.splice(at..at, [0xff, 0xfe, 0xc3]);
            Some(Bytes::from(broken))
        }
        Lie::OtherDevicesRoster if is_roster => {
            let mut roster: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            roster["device_id"] = json!(uuid::Uuid::now_v7());
            Some(Bytes::from(roster.to_string()))
        }
        _ => None,
    };
    let lied = rewritten.is_some();
    let mut answer = Response::builder().status(if lied { StatusCode::OK } else { status });
    if let Some(ct) = content_type {
        answer = answer.header("content-type", ct);
    }
    if let Some(etag) = etag {
        answer = answer.header("etag", etag);
    }
    let answer = answer
        .body(Body::from(rewritten.unwrap_or(bytes)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    if lied { told(&liar, answer) } else { answer }
}

fn told(liar: &Liar, answer: Response) -> Response {
    *liar.lies_told.lock().expect("count") += 1;
    answer
}

fn json_answer(value: Value) -> Response {
    ([("content-type", "application/json")], value.to_string()).into_response()
}

fn settings() -> WorkerSettings {
    WorkerSettings {
        roster_refresh: Duration::from_millis(50),
        ..fast_settings()
    }
}

async fn wait_lies(liar: &Liar, n: usize, what: &str) {
    assert!(
        eventually(DEADLINE, || async { liar.told() >= n }).await,
        "{what}: the proxy told {} lies, expected {n}",
        liar.told()
    );
}

/// A kiosk with its roster cached through the truthful proxy.
async fn setup() -> (tempfile::TempDir, Hub, Kiosk, Liar, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let kiosk = enrolled_kiosk(&hub, 4).await;
    let (liar, url) = Liar::start(&hub.base).await;
    (dir, hub, kiosk, liar, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_answers_to_batches_acknowledge_nothing() {
    let (_dir, hub, mut kiosk, liar, url) = setup().await;
    for lie in [
        Lie::TruncatedEvents,
        Lie::HugeEvents,
        Lie::WrongTypes,
        Lie::UnsentIds,
        Lie::NoResults,
    ] {
        liar.set(lie);
        let before = kiosk.pending();
        let worker = kiosk.worker(&url, settings());
        kiosk.punch(PUNCHES);
        worker.nudge();
        wait_lies(&liar, 3, &format!("{lie:?}")).await;
        worker.stop().await;
        assert_eq!(
            kiosk.pending(),
            before + PUNCHES as u64,
            "{lie:?}: events left the outbox on a lie"
        );
        assert!(kiosk.parked().is_empty(), "{lie:?}: a lie parked events");
    }
    // The truth: everything lands once, whatever the hub committed before.
    liar.set(Lie::Truth);
    let worker = kiosk.worker(&url, settings());
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "drained", |s| s.pending == 0).await;
    worker.stop().await;
    assert_eq!(
        hub.store.count_events(kiosk.org).await.expect("count"),
        5 * PUNCHES as i64
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_rosters_leave_the_cached_one() {
    let (_dir, hub, kiosk, liar, url) = setup().await;
    let worker = kiosk.worker(&url, settings());
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "roster cached", |s| {
        matches!(s.roster, RosterState::Cached { .. })
    })
    .await;
    let cached = || {
        let j = kiosk.journal.lock().expect("journal");
        j.cached_roster()
            .expect("read roster")
            .map(|r| (r.etag, r.body))
            .expect("a cached roster")
    };
    let good = cached();
    for lie in [Lie::HugeRoster, Lie::NotUtf8Roster, Lie::OtherDevicesRoster] {
        liar.set(lie);
        wait_lies(&liar, 2, &format!("{lie:?}")).await;
        assert!(cached() == good, "{lie:?} replaced the cached roster");
    }
    worker.stop().await;
    hub.stop().await;
}
