//! The sync worker through a fault-injecting proxy in front of a real hub: each
//! fault alone, a hub restart, `Retry-After`, and the chaos scenario (10,000
//! events recorded while the faults switch at random). Every scenario ends with
//! the same check: the hub holds exactly the recorded events, none missing, none
//! twice, and the journal has nothing pending.

mod hub_support;
#[path = "sync_support/kiosk.rs"]
mod kiosk;
mod sync_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hub_support::Hub;
use kiosk::{Kiosk, enrolled_kiosk, fast_settings, wait_hub_count, wait_status};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sync_support::proxy::{Fault, FaultProxy, random_fault};
use tapin::domain::EventId;
use tapin::sync::status::Link;
use tapin::sync::worker::WorkerSettings;

const DEADLINE: Duration = Duration::from_secs(60);

fn addr(hub: &Hub) -> SocketAddr {
    hub.base
        .trim_start_matches("http://")
        .parse()
        .expect("hub address")
}

/// The hub holds exactly `ids` for this kiosk's organisation and the journal has
/// nothing pending.
async fn assert_exactly_once(hub: &Hub, kiosk: &Kiosk, ids: &[EventId]) {
    let count = hub.store.count_events(kiosk.org).await.expect("count");
    let known = hub.store.known_events(kiosk.org, ids).await.expect("known");
    assert_eq!(known.len(), ids.len(), "every recorded event is on the hub");
    assert_eq!(count as usize, ids.len(), "and nothing else, nothing twice");
    assert_eq!(kiosk.pending(), 0, "nothing pending in the journal");
    assert!(kiosk.parked().is_empty(), "nothing parked");
}

async fn drained(kiosk: &Kiosk, worker: &tapin::sync::worker::SyncHandle) {
    let status = worker.status();
    // The journal is the truth; the status may not have heard of the last punch.
    let done = hub_support::eventually(DEADLINE, || async {
        kiosk.pending() == 0 && status.borrow().link == Link::Online
    })
    .await;
    assert!(
        done,
        "not drained: {} pending, {:?}",
        kiosk.pending(),
        *status.borrow()
    );
}

/// Short request timeouts so that a blackhole costs little.
fn chaos_settings() -> WorkerSettings {
    WorkerSettings {
        batch_size: 200,
        ..fast_settings()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_alone_ends_in_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 4).await;
    let proxy = FaultProxy::start(addr(&hub)).await;
    let worker = kiosk.worker(&proxy.url(), fast_settings());
    drained(&kiosk, &worker).await;
    let faults = [
        Fault::Refuse,
        Fault::DropBeforeRequest,
        Fault::DropAfterCommit,
        Fault::Status500,
        Fault::Status429 {
            retry_after: "0".into(),
        },
        Fault::Blackhole,
    ];
    let mut ids = Vec::new();
    for fault in faults {
        let before = proxy.stats();
        proxy.set(fault.clone());
        ids.extend(kiosk.punch(30));
        worker.nudge();
        let mut status = worker.status();
        wait_status(
            &mut status,
            DEADLINE,
            &format!("offline under {fault:?}"),
            |s| matches!(s.link, Link::Offline { .. }),
        )
        .await;
        assert_ne!(proxy.stats(), before, "{fault:?} met a request");
        assert!(
            kiosk.pending() > 0,
            "{fault:?}: nothing can have been acknowledged"
        );
        proxy.set(Fault::Pass);
        drained(&kiosk, &worker).await;
        assert_exactly_once(&hub, &kiosk, &ids).await;
    }
    // A slow link only delays.
    proxy.set(Fault::Delay(Duration::from_millis(300)));
    ids.extend(kiosk.punch(10));
    worker.nudge();
    drained(&kiosk, &worker).await;
    assert_exactly_once(&hub, &kiosk, &ids).await;
    worker.stop().await;
    hub.stop().await;
}

/// After a commit whose answer was lost, the events come back as duplicates: the
/// worker takes "duplicate" as delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_resent_and_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    let proxy = FaultProxy::start(addr(&hub)).await;
    proxy.set(Fault::DropAfterCommit);
    let ids = kiosk.punch(40);
    let worker = kiosk.worker(&proxy.url(), fast_settings());
    // The hub has all of them while the kiosk still thinks none were delivered.
    wait_hub_count(&hub, kiosk.org, 40, DEADLINE).await;
    assert_eq!(kiosk.pending(), 40);
    let duplicates_before = hub
        .metric("tapin_hub_ingest_events_total{outcome=\"duplicate\"}")
        .await;
    proxy.set(Fault::Pass);
    drained(&kiosk, &worker).await;
    assert_exactly_once(&hub, &kiosk, &ids).await;
    let duplicates = hub
        .metric("tapin_hub_ingest_events_total{outcome=\"duplicate\"}")
        .await;
    assert!(
        duplicates >= duplicates_before + 40.0,
        "{duplicates_before} -> {duplicates}"
    );
    worker.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    let proxy = FaultProxy::start(addr(&hub)).await;
    let settings = WorkerSettings {
        backoff_cap: Duration::from_secs(30),
        ..fast_settings()
    };
    let worker = kiosk.worker(&proxy.url(), settings);
    drained(&kiosk, &worker).await;
    for as_date in [false, true] {
        // A date has whole seconds: 3 s ahead is at least 2 s away.
        let retry_after = if as_date {
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3))
        } else {
            "1".to_owned()
        };
        proxy.set(Fault::Status429 {
            retry_after: retry_after.clone(),
        });
        let first = proxy.stats().status_429;
        let ids = kiosk.punch(1);
        worker.nudge();
        // Two 429s in a row: the second came no sooner than the hub asked. Without
        // Retry-After the 5 ms backoff would retry within milliseconds.
        let seen =
            hub_support::eventually(DEADLINE, || async { proxy.stats().status_429 > first }).await;
        assert!(seen);
        let started = Instant::now();
        let again =
            hub_support::eventually(DEADLINE, || async { proxy.stats().status_429 >= first + 2 })
                .await;
        assert!(again);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(800),
            "Retry-After {retry_after:?}: retried after {waited:?}"
        );
        proxy.set(Fault::Pass);
        drained(&kiosk, &worker).await;
        let known = hub.store.known_events(kiosk.org, &ids).await.unwrap();
        assert_eq!(known.len(), 1);
    }
    worker.stop().await;
    hub.stop().await;
}

/// While the worker honours a long `Retry-After`, a new punch shows in the
/// pending count at once; nothing is sent before the wait is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_punch_during_a_long_wait_shows_as_pending_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let mut kiosk = enrolled_kiosk(&hub, 2).await;
    let proxy = FaultProxy::start(addr(&hub)).await;
    proxy.set(Fault::Status429 {
        retry_after: "600".into(),
    });
    let settings = WorkerSettings {
        backoff_cap: Duration::from_secs(600),
        ..fast_settings()
    };
    let worker = kiosk.worker(&proxy.url(), settings);
    let mut status = worker.status();
    wait_status(&mut status, DEADLINE, "offline", |s| {
        matches!(s.link, Link::Offline { .. })
    })
    .await;
    let refused = proxy.stats().status_429;
    kiosk.punch(2);
    worker.nudge();
    wait_status(&mut status, Duration::from_secs(10), "2 pending", |s| {
        s.pending == 2
    })
    .await;
    assert_eq!(proxy.stats().status_429, refused, "the wait still holds");
    worker.stop().await;
    hub.stop().await;
}

/// The hub stops mid-drain and comes back on another port (same database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_restart_mid_drain_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = hub_support::sqlite_url(&dir.path().join("hub.db"));
    let hub = Hub::start(&db).await;
    let mut kiosk = enrolled_kiosk(&hub, 10).await;
    let ids = kiosk.punch(2_000);
    let proxy = FaultProxy::start(addr(&hub)).await;
    proxy.set(Fault::Delay(Duration::from_millis(20)));
    let worker = kiosk.worker(&proxy.url(), fast_settings());
    wait_hub_count(&hub, kiosk.org, 300, DEADLINE).await;
    hub.stop().await;
    let hub = Hub::start(&db).await;
    proxy.set_upstream(addr(&hub));
    proxy.set(Fault::Pass);
    drained(&kiosk, &worker).await;
    assert!(proxy.stats().upstream_errors > 0 || proxy.stats().connections > 1);
    assert_exactly_once(&hub, &kiosk, &ids).await;
    worker.stop().await;
    hub.stop().await;
}

/// 10,000 events recorded one decision at a time while the faults switch at
/// random (and the hub restarts twice); at the end the hub holds exactly the
/// recorded set.
async fn chaos(url: String) {
    let seed: u64 = std::env::var("TAPIN_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("chaos seed {seed} (TAPIN_CHAOS_SEED to replay)");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut hub = Hub::start(&url).await;
    let mut kiosk = enrolled_kiosk(&hub, 25).await;
    let proxy = FaultProxy::start(addr(&hub)).await;
    let worker = kiosk.worker(&proxy.url(), chaos_settings());

    let mut ids = Vec::with_capacity(10_000);
    let mut restarts = 0;
    for round in 0..100 {
        let fault = random_fault(&mut rng);
        proxy.set(fault);
        ids.extend(kiosk.punch(100));
        worker.nudge();
        if round % 40 == 39 {
            hub.stop().await;
            hub = Hub::start(&url).await;
            proxy.set_upstream(addr(&hub));
            restarts += 1;
        }
        // Let the fault meet a request or two before the next switch.
        let met = proxy.stats();
        hub_support::eventually(Duration::from_millis(200), || async {
            proxy.stats() != met
        })
        .await;
    }
    proxy.set(Fault::Pass);
    drained(&kiosk, &worker).await;
    let stats = proxy.stats();
    println!(
        "chaos: {} events, {restarts} hub restarts, faults {stats:?}",
        ids.len()
    );
    assert_exactly_once(&hub, &kiosk, &ids).await;
    let faults = stats.refused
        + stats.dropped_before_request
        + stats.dropped_after_commit
        + stats.status_500
        + stats.status_429
        + stats.blackholed;
    assert!(faults >= 10, "the run met few faults: {stats:?}");
    worker.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_ten_thousand_events_sqlite() {
    hub_support::on_sqlite(chaos).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_ten_thousand_events_postgres() {
    hub_support::on_postgres(chaos).await;
}
