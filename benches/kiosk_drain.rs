//! The real kiosk draining a backlog: `cargo bench --bench kiosk_drain`.
//!
//! The whole kiosk process (the `tapin` binary in a pseudo-terminal, 160×48,
//! its TUI, journal and sync worker) with a 10,000-person roster cached (and
//! its snapshot), enrolled to a hub on loopback that holds those people, and
//! 100,000 events queued in its journal, as after a long outage. Measured: the
//! time until the hub holds every event (events/s), and the process's peak
//! resident memory (VmHWM) over its start and the whole drain, against the
//! kiosk's 16 MB. `sync_drain` measures the worker alone, in process.
//!
//! Environment: `TAPIN_BENCH_PEOPLE` (default 10,000), `TAPIN_BENCH_BACKLOG`
//! (default 100,000), `TAPIN_BENCH_BIN` (another build of `tapin`). Exits
//! non-zero when the peak is 16 MB or more, unless `TAPIN_BENCH_NO_FAIL` is set.

#[path = "../tests/hub_support/mod.rs"]
mod hub_support;
#[path = "kiosk_fixture/mod.rs"]
mod kiosk_fixture;
#[path = "outage/mod.rs"]
mod outage;
#[path = "../tests/kiosk_support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use hub_support::{Hub, enrolled_device, get_roster, org_with_people, person_entries};
use kiosk_fixture::{env_usize, status_kib as kib};
use pty::Pty;
use tapin::domain::PersonId;
use tapin::journal::{CachedRoster, Journal, JournalOptions};
use tapin::wire::EnrollResponse;

/// 16 MB: 16,000,000 bytes (15.26 MiB).
const PEAK_BYTES: u64 = 16_000_000;
const DRAIN_DEADLINE: Duration = Duration::from_secs(600);

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let people = env_usize("TAPIN_BENCH_PEOPLE", 10_000);
    let backlog = env_usize("TAPIN_BENCH_BACKLOG", 100_000);
    let tmp = tempfile::tempdir()?;
    let hub = Hub::start(&hub_support::sqlite_url(&tmp.path().join("hub.db"))).await;
    let fx = org_with_people(&hub.store, people).await;
    let enrolled = enrolled_device(&hub, fx.org, "Drain").await;
    hub.store
        .set_roster(fx.org, enrolled.device_id, &person_entries(&fx.people))
        .await?;

    let data = tmp.path().join("kiosk");
    std::fs::create_dir(&data)?;
    let config = seed(&hub, &data, &enrolled, &fx.people, backlog).await?;
    println!(
        "kiosk drain benchmark: {people} people on the roster, {backlog} events queued, \
         160x48, in {}",
        tmp.path().display()
    );

    let started = Instant::now();
    let mut builder = Pty::builder();
    if let Some(bin) = std::env::var_os("TAPIN_BENCH_BIN") {
        builder = builder.program(bin);
    }
    let mut kiosk = builder
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .size(160, 48)
        .spawn()
        .map_err(|e| anyhow::anyhow!("spawning tapin: {e}"))?;
    let pid = kiosk.pid().context("the kiosk's pid")?;
    // The roster on screen: the figure is of a kiosk showing its people.
    kiosk
        .wait_for_text("Person 0", Duration::from_secs(20))
        .map_err(|e| anyhow::anyhow!("the home screen with the roster: {e}"))?;
    let total = i64::try_from(backlog)?;
    loop {
        let held = hub.store.count_events(fx.org).await?;
        if held >= total {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < DRAIN_DEADLINE,
            "the hub holds {held} of {total} events after {DRAIN_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let (peak, rss) = (kib(&status, "VmHWM:"), kib(&status, "VmRSS:"));
    kiosk
        .send_signal("TERM")
        .map_err(|e| anyhow::anyhow!("SIGTERM: {e}"))?;
    let exit = kiosk
        .wait_exit(Duration::from_secs(20))
        .map_err(|e| anyhow::anyhow!("exit on SIGTERM: {e}"))?;
    anyhow::ensure!(exit.success(), "the kiosk exited with {exit:?}");
    hub.stop().await;

    let met = peak * 1024 < PEAK_BYTES;
    println!(
        "spawn to the hub holding all {backlog} events: {:.1} s, {:.0} events/s",
        drained.as_secs_f64(),
        backlog as f64 / drained.as_secs_f64()
    );
    println!(
        "peak resident (VmHWM, start and drain): {:.2} MiB = {:.2} MB (target < 16 MB: {}); \
         resident after the drain {:.2} MiB",
        peak as f64 / 1024.0,
        (peak * 1024) as f64 / 1e6,
        if met { "met" } else { "MISSED" },
        rss as f64 / 1024.0
    );
    if !met && std::env::var_os("TAPIN_BENCH_NO_FAIL").is_none() {
        anyhow::bail!("kiosk drain benchmark: the peak memory target was missed");
    }
    Ok(())
}

/// An enrolled kiosk in `data`, its roster (and snapshot) cached as after a
/// fetch, and `backlog` events queued; the path of its kiosk.toml.
async fn seed(
    hub: &Hub,
    data: &Path,
    enrolled: &EnrollResponse,
    people: &[PersonId],
    backlog: usize,
) -> anyhow::Result<std::path::PathBuf> {
    let reply = get_roster(hub, &enrolled.device_token, None)
        .await
        .error_for_status()?;
    let etag = reply
        .headers()
        .get(reqwest::header::ETAG)
        .context("a roster ETag")?
        .to_str()?
        .to_owned();
    let body = reply.bytes().await?.to_vec();
    let mut journal = Journal::open(data, JournalOptions::default())?;
    journal.store_roster(&CachedRoster {
        etag,
        body,
        fetched_at: Utc::now(),
    })?;
    journal.set_device_id(enrolled.device_id)?;
    journal.set_device_name(&enrolled.device_name)?;
    journal.set_hub_url(&hub.base)?;
    outage::fill(&mut journal, enrolled.device_id, people, backlog)?;
    kiosk_fixture::keep_snapshot(journal);
    Ok(kiosk_fixture::enroll_files(
        data,
        &enrolled.device_token,
        &enrolled.pin_pepper,
    ))
}
