//! Drain after an outage: `cargo bench --bench sync_drain`.
//!
//! A journal holding N queued events (10,000, then 100,000) is drained by the sync
//! worker to a hub on loopback. The hub runs in a child process (this binary run
//! again with `TAPIN_DRAIN_HUB` set) so that the memory figure is the kiosk's
//! alone: the peak resident set (VmHWM) of this process, reset before each drain.
//! Reports events/s and peak memory per backlog. Target: ≥ 30,000 events/s, with
//! peak memory that does not grow with the backlog. Exits non-zero when missed,
//! unless `TAPIN_BENCH_NO_FAIL` is set.
//!
//! The hub runs with its default limits (100 requests/s per device, enough for
//! batches sent back to back).

#[path = "../tests/hub_support/mod.rs"]
mod hub_support;
#[path = "outage/mod.rs"]
mod outage;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use hub_support::{Hub, org_with_people, person_entries};
use tapin::domain::PersonId;
use tapin::journal::{Journal, JournalOptions};
use tapin::sync::client::{HubClient, Timeouts};
use tapin::sync::status::Link;
use tapin::sync::worker::{SyncHandle, WorkerSettings};
use tapin::wire::EnrollResponse;

const HUB_ENV: &str = "TAPIN_DRAIN_HUB";
const BACKLOGS: [usize; 2] = [10_000, 100_000];
/// People on the roster: each punches every 4 hours of the outage, so 100,000
/// events are about 33 days offline, and the hub's 48-hour look-back for punch
/// rules sees a realistic dozen events per person.
const PEOPLE: usize = 500;
const TARGET_EVENTS_PER_SEC: f64 = 30_000.0;

/// What the hub child tells the parent, one JSON line per device.
#[derive(serde::Serialize, serde::Deserialize)]
struct Device {
    base: String,
    code: String,
    people: Vec<PersonId>,
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if std::env::var_os(HUB_ENV).is_some() {
        // For profiling: `TAPIN_BENCH_LOG=tapin::hub::store=debug` logs the hub's
        // timings per batch to stderr.
        if let Ok(filter) = std::env::var("TAPIN_BENCH_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_writer(std::io::stderr)
                .try_init();
        }
        return runtime.block_on(serve_hub());
    }
    runtime.block_on(drain_all())
}

/// The child: a hub on a temp SQLite file, one device per backlog.
async fn serve_hub() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let hub = Hub::start(&hub_support::sqlite_url(&dir.path().join("hub.db"))).await;
    let fx = org_with_people(&hub.store, PEOPLE).await;
    let mut out = std::io::stdout().lock();
    for _ in BACKLOGS {
        let device = hub
            .store
            .create_device(fx.org, "Bench", chrono::Duration::hours(1))
            .await?;
        hub.store
            .set_roster(fx.org, device.id, &person_entries(&fx.people))
            .await?;
        let line = serde_json::to_string(&Device {
            base: hub.base.clone(),
            code: device.enrollment_code,
            people: fx.people.clone(),
        })?;
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    drop(out);
    // Serve until the parent closes our stdin.
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        let _ = std::io::stdin().read_line(&mut sink);
    })
    .await?;
    hub.stop().await;
    Ok(())
}

async fn drain_all() -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .env(HUB_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the hub child")?;
    let stdout = child.stdout.take().context("hub stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut met = true;
    let mut peaks = Vec::new();
    for backlog in BACKLOGS {
        let line = lines.next().context("hub child ended early")??;
        let device: Device = serde_json::from_str(&line)?;
        let (rate, peak_kib) = drain(&device, backlog).await?;
        println!(
            "drain {backlog:>7} events: {rate:>8.0} events/s, peak resident {:.1} MiB",
            peak_kib as f64 / 1024.0
        );
        met &= rate >= TARGET_EVENTS_PER_SEC;
        peaks.push(peak_kib);
    }
    drop(child.stdin.take());
    let _ = child.wait();
    let growth = peaks[1] as f64 / peaks[0].max(1) as f64;
    println!(
        "peak memory 100k/10k: {growth:.2}x (target: flat); rate target {TARGET_EVENTS_PER_SEC} events/s"
    );
    met &= growth < 1.5;
    if met || std::env::var_os("TAPIN_BENCH_NO_FAIL").is_some() {
        Ok(())
    } else {
        anyhow::bail!("drain target missed")
    }
}

/// Fills a fresh journal with `backlog` events, then times the worker draining it.
/// Returns events/s and the peak resident set during the drain, in KiB.
async fn drain(device: &Device, backlog: usize) -> anyhow::Result<(f64, u64)> {
    let http = hub_support::client();
    let enrolled: EnrollResponse = http
        .post(format!("{}/api/v1/enroll", device.base))
        .json(&serde_json::json!({ "code": device.code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let dir = tempfile::tempdir()?;
    let mut journal = Journal::open(dir.path(), JournalOptions::default())?;
    journal.set_device_id(enrolled.device_id)?;
    outage::fill(&mut journal, enrolled.device_id, &device.people, backlog)?;
    let journal = Arc::new(Mutex::new(journal));

    reset_peak_memory();
    let url = reqwest::Url::parse(&device.base)?;
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        request: Duration::from_secs(30),
    };
    let client =
        HubClient::new(&url, &enrolled.device_token, timeouts).map_err(anyhow::Error::msg)?;
    let mut settings = WorkerSettings::from(&tapin::config::SyncSettings::default());
    if let Some(batch) = std::env::var("TAPIN_DRAIN_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
    {
        settings.batch_size = batch;
    }
    let started = Instant::now();
    let worker = SyncHandle::spawn(journal.clone(), client, settings);
    let mut status = worker.status();
    tokio::time::timeout(
        Duration::from_secs(600),
        status.wait_for(|s| s.pending == 0 && s.link == Link::Online),
    )
    .await
    .context("drain did not finish in 10 minutes")??;
    let elapsed = started.elapsed();
    let peak = peak_memory_kib();
    worker.stop().await;
    Ok((backlog as f64 / elapsed.as_secs_f64(), peak))
}

/// Resets VmHWM (Linux: writing 5 to clear_refs).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
