//! Hub ingest benchmark: `cargo bench --bench hub_ingest`.
//!
//! 100,000 events in batches of 500 from 50 concurrent simulated devices, over
//! loopback HTTP to an in-process hub, against bare batched inserts of the same
//! rows (same columns, 500 rows per multi-row INSERT, one transaction each, same
//! pragmas) into the same database in the same run. The bare inserts run first, so
//! the hub works against the bigger table. Reports events/s and p99 batch latency.
//! Targets on SQLite: hub ≥ 50,000 events/s and ≥ half the bare insert rate.
//!
//! Runs on SQLite (a temp file under `TAPIN_BENCH_DIR`, default the system temp
//! dir), and on PostgreSQL too when `TAPIN_TEST_POSTGRES_URL` is set. Exits non-zero
//! when a SQLite target is missed, unless `TAPIN_BENCH_NO_FAIL` is set (for runs on
//! a machine shared with other work, where the figures are only indicative).

#[path = "../tests/hub_support/mod.rs"]
mod hub_support;

mod hub_bench;

use std::time::{Duration, Instant};

use chrono::Utc;
use hub_bench::{placeholders, spread, writer_pool};
use hub_support::{Hub, OrgFixture, enrolled_device, org_with_people, shift_events};
use tapin::domain::{DeviceId, Event};
use tapin::hub::HubConfig;
use tapin::wire::{EventStatus, EventsResponse, OrgId};

const EVENTS: usize = 100_000;
const BATCH: usize = 500;
const DEVICES: usize = 50;
const PEOPLE_PER_DEVICE: usize = 20;
const TARGET_EVENTS_PER_SEC: f64 = 50_000.0;

struct Figures {
    events_per_sec: f64,
    p99: Duration,
}

fn main() -> anyhow::Result<()> {
    hub_bench::main("ingest", run)
}

/// Returns whether the targets were met.
async fn run(label: &str, url: &str) -> anyhow::Result<bool> {
    let config = HubConfig {
        device_rate_per_sec: 1_000.0,
        device_burst: 1_000,
        enroll_burst: 1_000,
        ..HubConfig::default()
    };
    let hub = Hub::start_with(url, config).await;
    let org = org_with_people(&hub.store, DEVICES * PEOPLE_PER_DEVICE).await;
    let mut devices = Vec::with_capacity(DEVICES);
    for d in 0..DEVICES {
        devices.push(enrolled_device(&hub, org.org, &format!("bench {d}")).await);
    }

    // Each device: its own people, clocking in and out in turn, in 4 batches.
    let start = Utc::now() - chrono::Duration::days(1);
    let day = |org: &OrgFixture, d: usize, device: DeviceId| {
        let mine = &org.people[d * PEOPLE_PER_DEVICE..(d + 1) * PEOPLE_PER_DEVICE];
        shift_events(device, mine, EVENTS / DEVICES, start)
    };
    let workload: Vec<Vec<Event>> = devices
        .iter()
        .enumerate()
        .map(|(d, dev)| day(&org, d, dev.device_id))
        .collect();

    // The bare rows go to an organisation of their own (same shape: people,
    // devices, times), so the hub's anomaly check does not read them.
    let bare_org = org_with_people(&hub.store, DEVICES * PEOPLE_PER_DEVICE).await;
    let mut bare_workload = Vec::with_capacity(DEVICES);
    for d in 0..DEVICES {
        let device = hub
            .store
            .create_device(
                bare_org.org,
                &format!("bare {d}"),
                chrono::Duration::hours(1),
            )
            .await?;
        bare_workload.push(day(&bare_org, d, device.id));
    }
    let bare = bare_inserts(url, bare_org.org, &bare_workload).await?;
    print_figures(label, "bare batched INSERT", &bare);

    // Request bodies, serialised before the clock starts.
    let bodies: Vec<Vec<Vec<u8>>> = workload
        .iter()
        .map(|events| {
            events
                .chunks(BATCH)
                .map(|batch| serde_json::to_vec(&serde_json::json!({ "events": batch })))
                .collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()?;
    let began = Instant::now();
    let mut tasks = Vec::with_capacity(DEVICES);
    for (dev, batches) in devices.iter().zip(bodies) {
        let http = hub.http.clone();
        let url = hub.url("/api/v1/device/events");
        let token = dev.device_token.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(batches.len());
            for body in batches {
                let t = Instant::now();
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = resp.status();
                let answer: EventsResponse = resp.json().await?;
                latencies.push(t.elapsed());
                anyhow::ensure!(status.is_success(), "batch refused: {status}");
                let accepted = answer
                    .results
                    .iter()
                    .filter(|r| r.status == EventStatus::Accepted)
                    .count();
                anyhow::ensure!(accepted == BATCH, "only {accepted} of {BATCH} accepted");
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(EVENTS / BATCH);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = began.elapsed();
    let figures = Figures {
        events_per_sec: EVENTS as f64 / elapsed.as_secs_f64(),
        p99: spread(latencies).p99,
    };
    print_figures(label, "hub over HTTP", &figures);
    println!(
        "{label}: hub / bare = {:.2}",
        figures.events_per_sec / bare.events_per_sec
    );
    let met = figures.events_per_sec >= TARGET_EVENTS_PER_SEC
        && figures.events_per_sec >= bare.events_per_sec / 2.0;
    println!(
        "{label} targets (hub >= {TARGET_EVENTS_PER_SEC} events/s and >= half bare): {}",
        if met { "met" } else { "MISSED" }
    );
    let store = hub.store.clone();
    hub.stop().await;
    for o in [org.org, bare_org.org] {
        let stored = store.count_events(o).await?;
        anyhow::ensure!(
            stored == EVENTS as i64,
            "expected {EVENTS} rows, found {stored}"
        );
    }
    store.close().await;
    Ok(met)
}

/// The same rows, inserted straight into the database: one connection, 500 rows
/// per INSERT, one transaction per batch.
async fn bare_inserts(url: &str, org: OrgId, workload: &[Vec<Event>]) -> anyhow::Result<Figures> {
    let pool = writer_pool(url).await?;
    let sqlite = url.starts_with("sqlite:");
    let org = org.to_string();
    let received = Utc::now().timestamp_micros();
    let mut latencies = Vec::new();
    let began = Instant::now();
    let mut total = 0usize;
    for events in workload {
        for chunk in events.chunks(BATCH) {
            let t = Instant::now();
            let sql = format!(
                "INSERT INTO events (id, org_id, device_id, seq, subject, kind, job_id, corrects, \
                 at, received_at, anomaly, body) VALUES {}",
                placeholders(sqlite, chunk.len(), 12)
            );
            let mut q = sqlx::query(&sql);
            for copy in chunk {
                q = q
                    .bind(copy.id.to_string())
                    .bind(org.clone())
                    .bind(copy.device.to_string())
                    .bind(copy.seq as i64)
                    .bind(copy.subject.to_string())
                    .bind(copy.kind.name())
                    .bind(None::<String>)
                    .bind(None::<String>)
                    .bind(copy.at.timestamp_micros())
                    .bind(received)
                    .bind(None::<String>)
                    .bind(serde_json::to_string(copy)?);
            }
            let mut tx = pool.begin().await?;
            q.execute(&mut *tx).await?;
            tx.commit().await?;
            latencies.push(t.elapsed());
            total += chunk.len();
        }
    }
    let elapsed = began.elapsed();
    pool.close().await;
    Ok(Figures {
        events_per_sec: total as f64 / elapsed.as_secs_f64(),
        p99: spread(latencies).p99,
    })
}

fn print_figures(backend: &str, what: &str, f: &Figures) {
    println!(
        "{backend}: {what}: {:.0} events/s, p99 batch latency {:.1} ms ({EVENTS} events, batches of {BATCH}, {DEVICES} devices)",
        f.events_per_sec,
        f.p99.as_secs_f64() * 1e3
    );
}
