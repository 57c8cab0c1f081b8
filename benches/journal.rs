//! Journal benchmark: `cargo bench --bench journal`.
//!
//! 1. Recording one decision (fsync included) against a bare SQLite insert of one
//!    row in one transaction, same pragmas, same directory, interleaved in the same
//!    run. Targets: journal p99 ≤ 1.5 × bare p99, and < 5 ms.
//! 2. With 1,000,000 pending rows: `pending_batch(500)` and `acknowledge(500)`.
//!    Target: p99 < 5 ms each. Also reports the bulk load, the open (with each
//!    integrity check) and compaction, for the record.
//!
//! Environment: `TAPIN_BENCH_DIR` (default: the system temp dir; put it on the disk
//! the kiosk uses), `TAPIN_BENCH_ROWS` (default 1,000,000), `TAPIN_BENCH_SAMPLES`
//! (default 2,000).

mod bench_stats;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rusqlite::{Connection, params};
use tapin::domain::{Actor, DeviceId, EventDraft, EventId, EventKind, JobId, Method, PersonId};
use tapin::journal::{IntegrityCheck, Journal, JournalOptions};

use bench_stats::{Stats, time, verdict};

const BATCH: usize = 500;
const BATCH_ROUNDS: usize = 200;
const LOAD_CHUNK: usize = 10_000;

fn main() {
    let base = std::env::var_os("TAPIN_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let rows = env_usize("TAPIN_BENCH_ROWS", 1_000_000);
    let samples = env_usize("TAPIN_BENCH_SAMPLES", 2_000);
    let tmp = tempfile::tempdir_in(&base).expect("temp dir for the benchmark");
    println!("journal benchmark in {}", tmp.path().display());
    println!();

    record_vs_bare(tmp.path(), samples);
    if rows >= BATCH * BATCH_ROUNDS {
        println!();
        big_outbox(tmp.path(), rows);
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn people(n: usize) -> Vec<PersonId> {
    (0..n).map(|_| PersonId::new()).collect()
}

/// One tap: a clock-in.
fn clock_in(person: PersonId, device: DeviceId) -> EventDraft {
    EventDraft {
        subject: person,
        actor: Actor::Kiosk(device),
        method: Method::Badge,
        kind: EventKind::ClockIn,
        at: Utc::now(),
        note: None,
        needs_review: false,
    }
}

/// A clock-out while checked in: check-out + clock-out.
fn clock_out(person: PersonId, device: DeviceId, job: JobId) -> Vec<EventDraft> {
    let check_out = EventDraft {
        kind: EventKind::CheckOut { job },
        ..clock_in(person, device)
    };
    let clock_out = EventDraft {
        kind: EventKind::ClockOut,
        ..check_out.clone()
    };
    vec![check_out, clock_out]
}

/// The baseline: the same pragmas, one row with an event-sized body per transaction.
fn bare_db(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("bare database");
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .expect("WAL");
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("synchronous");
    conn.execute_batch("CREATE TABLE bare (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .expect("bare table");
    conn
}

fn bare_insert(conn: &mut Connection, body: &str) {
    let tx = conn.transaction().expect("begin");
    tx.prepare_cached("INSERT INTO bare (body) VALUES (?1)")
        .expect("prepare")
        .execute(params![body])
        .expect("insert");
    tx.commit().expect("commit");
}

fn record_vs_bare(dir: &Path, samples: usize) {
    let mut journal =
        Journal::open(&dir.join("record"), JournalOptions::default()).expect("journal");
    let mut bare = bare_db(&dir.join("bare.db"));
    let device = DeviceId::new();
    let crew = people(50);
    let job = JobId::new();
    // A body as long as a real event's JSON.
    let body = serde_json::to_string(
        &journal
            .record(device, 3600, &[clock_in(crew[0], device)])
            .expect("record")[0],
    )
    .expect("json");

    let warmup = samples / 10;
    let (mut one, mut two, mut base) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..warmup + samples {
        let person = crew[i % crew.len()];
        // Alternate who goes first so neither always follows the other's fsync.
        let mut timed_record = || {
            let t = Instant::now();
            journal
                .record(device, 3600, &[clock_in(person, device)])
                .expect("record");
            t.elapsed()
        };
        let (r, b) = if i % 2 == 0 {
            let r = timed_record();
            (r, time(|| bare_insert(&mut bare, &body)))
        } else {
            let b = time(|| bare_insert(&mut bare, &body));
            (timed_record(), b)
        };
        if i % 4 == 0 {
            let t = time(|| {
                journal
                    .record(device, 3600, &clock_out(person, device, job))
                    .expect("record");
            });
            if i >= warmup {
                two.push(t);
            }
        }
        if i >= warmup {
            one.push(r);
            base.push(b);
        }
    }
    let (one, two, base) = (Stats::of(one), Stats::of(two), Stats::of(base));
    println!("## Recording one decision, fsync included ({samples} samples, interleaved)");
    println!();
    println!("| what | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|");
    base.row("bare SQLite insert, 1 row / transaction");
    one.row("journal.record, 1 event (clock-in)");
    two.row("journal.record, 2 events (check-out + clock-out)");
    println!();
    let ratio99 = one.p99.as_secs_f64() / base.p99.as_secs_f64();
    let ratio50 = one.p50.as_secs_f64() / base.p50.as_secs_f64();
    println!(
        "ratio journal/bare: p50 {ratio50:.2}x, p99 {ratio99:.2}x (target p99 <= 1.50x: {}); \
         p99 < 5 ms: {}",
        verdict(ratio99 <= 1.5),
        verdict(one.p99 < Duration::from_millis(5)),
    );
}

fn big_outbox(dir: &Path, rows: usize) {
    let path = dir.join("big");
    let device = DeviceId::new();
    let crew = people(200);
    println!("## {rows} pending rows");
    println!();

    let mut journal = Journal::open(&path, JournalOptions::default()).expect("journal");
    let t = Instant::now();
    let mut loaded = 0;
    while loaded < rows {
        let n = LOAD_CHUNK.min(rows - loaded);
        let drafts: Vec<EventDraft> = (0..n)
            .map(|k| clock_in(crew[(loaded + k) % crew.len()], device))
            .collect();
        journal.record(device, 3600, &drafts).expect("bulk load");
        loaded += n;
    }
    let load = t.elapsed();
    drop(journal);
    let size = std::fs::metadata(path.join("journal.db")).map_or(0, |m| m.len());
    println!(
        "bulk load: {:.1} s ({} rows per transaction), file {:.0} MiB",
        load.as_secs_f64(),
        LOAD_CHUNK,
        size as f64 / (1024.0 * 1024.0)
    );

    for check in [IntegrityCheck::Quick, IntegrityCheck::Full] {
        let opts = JournalOptions {
            integrity_check: check,
            ..JournalOptions::default()
        };
        let t = Instant::now();
        let journal = Journal::open(&path, opts).expect("reopen");
        let open = t.elapsed();
        assert_eq!(journal.pending_count(), rows as u64);
        println!("open with {check:?} check: {:.2} s", open.as_secs_f64());
    }

    let mut journal = Journal::open(
        &path,
        JournalOptions {
            integrity_check: IntegrityCheck::Quick,
            ..JournalOptions::default()
        },
    )
    .expect("reopen");
    // The disk's fsync latency in the same rounds, for context: this runs on a
    // shared virtual disk whose latency moves with the neighbours' load.
    let mut bare = bare_db(&dir.join("bare-big.db"));
    let body = "x".repeat(330);
    let (mut reads, mut acks, mut records) = (Vec::new(), Vec::new(), Vec::new());
    let mut bares = Vec::new();
    for round in 0..BATCH_ROUNDS {
        let t = Instant::now();
        let batch = journal.pending_batch(BATCH).expect("batch");
        reads.push(t.elapsed());
        assert_eq!(batch.len(), BATCH);
        let ids: Vec<EventId> = batch.iter().map(|e| e.id).collect();
        let t = Instant::now();
        let n = journal.acknowledge(&ids, Utc::now()).expect("ack");
        acks.push(t.elapsed());
        assert_eq!(n, BATCH);
        let person = crew[round % crew.len()];
        records.push(time(|| {
            journal
                .record(device, 3600, &[clock_in(person, device)])
                .expect("record");
        }));
        bares.push(time(|| bare_insert(&mut bare, &body)));
    }
    let t = Instant::now();
    let count = journal.pending_count();
    let count_time = t.elapsed();
    let t = Instant::now();
    let later = Utc.timestamp_opt(4_102_444_800, 0).single().expect("2100");
    let compacted = journal
        .compact_acked(chrono::Duration::days(1), later)
        .expect("compact");
    let compact = t.elapsed();
    let t = Instant::now();
    let mine = journal
        .events_for_person_since(crew[7], Utc::now() - chrono::Duration::hours(1))
        .expect("person");
    let person_time = t.elapsed();

    println!();
    println!("| what ({BATCH_ROUNDS} rounds) | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|");
    let (reads, acks, records) = (Stats::of(reads), Stats::of(acks), Stats::of(records));
    reads.row(&format!("pending_batch({BATCH})"));
    acks.row(&format!("acknowledge({BATCH}), fsync included"));
    records.row("record 1 event");
    Stats::of(bares).row("(context) bare SQLite insert, same rounds");
    println!();
    println!(
        "targets p99 < 5 ms: pending_batch {}, acknowledge {}",
        verdict(reads.p99 < Duration::from_millis(5)),
        verdict(acks.p99 < Duration::from_millis(5)),
    );
    println!(
        "pending_count() = {count} in {:?}; compacting {compacted} acked rows: {:.0} ms; \
         events_for_person_since (1 of 200 people, {} events): {:.1} ms",
        count_time,
        compact.as_secs_f64() * 1e3,
        mine.len(),
        person_time.as_secs_f64() * 1e3,
    );
}
