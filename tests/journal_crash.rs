//! kill -9 at random moments: a child process records decisions (and acknowledges
//! some) in a loop and prints each id once the call has returned; the parent kills
//! it with SIGKILL, reopens the journal and checks that everything printed is there,
//! that nothing is torn and that the sequence has no gap.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::Utc;
use tapin::domain::{Actor, DeviceId, Event, EventDraft, EventKind, Method, PersonId};
use tapin::journal::{DB_FILE, Journal, JournalOptions};

const CHILD: &str = "crash_child_records_until_killed";
const DIR_ENV: &str = "TAPIN_JOURNAL_CRASH_DIR";
const KILLS: usize = 50;
/// Longest wait for the child to print what we wait for; far above the normal
/// few milliseconds, it only turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(30);

/// A small xorshift generator: random enough to pick kill moments, and
/// reproducible from the seed printed on failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

enum Line {
    Recorded(String),
    Acked(String),
}

#[test]
fn crash_kill_reopen_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::env::var("TAPIN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        });
    eprintln!("crash test seed: {seed} (set TAPIN_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let exe = std::env::current_exe().unwrap();

    let mut recorded: HashSet<String> = HashSet::new();
    let mut acked: HashSet<String> = HashSet::new();
    let (mut unconfirmed, mut last_extra) = (0, 0);
    for round in 0..KILLS {
        // Now and then kill it before it recorded anything: during exec or open.
        let wait_for = if round % 10 == 3 { 0 } else { rng.below(30) };
        let lines = run_and_kill(&exe, dir.path(), wait_for);
        for line in lines {
            match line {
                Line::Recorded(id) => recorded.insert(id),
                Line::Acked(id) => acked.insert(id),
            };
        }
        let stored = verify(dir.path(), &recorded, &acked, round, seed);
        // Events committed but never printed: this kill landed after a COMMIT and
        // before its ids were printed.
        let extra = stored - recorded.len();
        unconfirmed += usize::from(extra > last_extra);
        last_extra = extra;
    }
    eprintln!(
        "{KILLS} kills: {} events confirmed, {} acknowledged; {unconfirmed} kills landed \
         between a commit and its print",
        recorded.len(),
        acked.len()
    );
    assert!(
        recorded.len() > KILLS,
        "only {} events recorded",
        recorded.len()
    );
}

/// Starts the child, waits until it has printed `wait_for` recorded ids, kills it
/// with SIGKILL and returns everything it printed.
fn run_and_kill(exe: &Path, dir: &Path, wait_for: u64) -> Vec<Line> {
    let mut child = Command::new(exe)
        .args([CHILD, "--exact", "--nocapture", "--include-ignored"])
        .env(DIR_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let parsed = if let Some(id) = line.strip_prefix("RECORDED ") {
                Line::Recorded(id.to_string())
            } else if let Some(id) = line.strip_prefix("ACKED ") {
                Line::Acked(id.to_string())
            } else {
                continue;
            };
            if tx.send(parsed).is_err() {
                break;
            }
        }
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + PATIENCE;
    let mut lines = Vec::new();
    let mut seen = 0;
    while seen < wait_for {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen += u64::from(matches!(line, Line::Recorded(_)));
                lines.push(line);
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "child stopped printing ({e}) after {seen} of {wait_for} ids; stderr:\n{}",
                    errors.join().unwrap_or_default()
                );
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap(); // dead: its lock on journal.lock is gone with it
    reader.join().unwrap();
    let _ = errors.join();
    // Lines printed between our last read and the kill count too.
    lines.extend(rx.try_iter());
    lines
}

/// Reopens the journal and checks it against what the children printed. Returns
/// the number of events stored.
fn verify(
    dir: &Path,
    recorded: &HashSet<String>,
    acked: &HashSet<String>,
    round: usize,
    seed: u64,
) -> usize {
    let context = format!("after kill {round} (seed {seed})");
    let journal = Journal::open(dir, JournalOptions::default())
        .unwrap_or_else(|e| panic!("{context}: reopen failed: {e}"));
    journal
        .integrity_check()
        .unwrap_or_else(|e| panic!("{context}: {e}"));
    let pending = journal.pending_count();
    drop(journal);

    // Read every row raw: columns and serialized event must agree.
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT o.id, o.seq, o.state, e.body \
             FROM outbox AS o LEFT JOIN outbox_event AS e ON e.pos = o.pos ORDER BY o.pos",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, [u8; 16]>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .unwrap();
    let mut stored = HashSet::new();
    let mut stored_acked = HashSet::new();
    let mut stored_pending = 0;
    let mut seqs = Vec::new();
    let mut device: Option<DeviceId> = None;
    for row in rows {
        let (id, seq, state, body) = row.unwrap();
        let body = body.unwrap_or_else(|| panic!("{context}: row seq {seq} without its event"));
        let event: Event = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{context}: torn event {body:?}: {e}"));
        assert_eq!(event.id.0.as_bytes(), &id, "{context}: id column");
        assert_eq!(event.seq as i64, seq, "{context}: seq column");
        assert_eq!(*device.get_or_insert(event.device), event.device);
        let id = event.id.to_string();
        if state == "acked" {
            stored_acked.insert(id.clone());
        }
        stored_pending += u64::from(state == "pending");
        stored.insert(id);
        seqs.push(event.seq);
    }
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(
        seqs, expected,
        "{context}: sequence numbers gap-free from 1"
    );
    if let Some(last) = seqs.last() {
        // What a reopened journal resumes from: the rows' highest number, or
        // the one kept from deleted rows if higher.
        let counter: i64 = conn
            .query_row(
                "SELECT max(last) FROM (SELECT max(seq) AS last FROM outbox \
                 UNION ALL SELECT last_seq FROM device_seq)",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(counter as u64, *last, "{context}: persisted counter");
    }
    assert_eq!(pending, stored_pending, "{context}: pending count");
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox_event WHERE pos NOT IN (SELECT pos FROM outbox)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "{context}: events without their outbox row");
    let lost: Vec<_> = recorded.difference(&stored).collect();
    assert!(lost.is_empty(), "{context}: confirmed but lost: {lost:?}");
    let unacked: Vec<_> = acked.difference(&stored_acked).collect();
    assert!(
        unacked.is_empty(),
        "{context}: acknowledged but not: {unacked:?}"
    );
    stored.len()
}

#[test]
#[ignore = "child process of crash_kill_reopen_loses_nothing"]
fn crash_child_records_until_killed() {
    let Some(dir) = std::env::var_os(DIR_ENV).map(PathBuf::from) else {
        return;
    };
    let mut journal = Journal::open(&dir, JournalOptions::default()).unwrap();
    let device = match journal.device_id().unwrap() {
        Some(id) => id,
        None => {
            let id = DeviceId::new();
            journal.set_device_id(id).unwrap();
            id
        }
    };
    let people: Vec<PersonId> = (0..5).map(|_| PersonId::new()).collect();
    let mut out = std::io::stdout().lock();
    // Bounded, in case the parent dies without killing us.
    for i in 0..20_000usize {
        let size = 1 + i % 3;
        let drafts: Vec<EventDraft> = (0..size)
            .map(|k| EventDraft {
                subject: people[(i + k) % people.len()],
                actor: Actor::Kiosk(device),
                method: Method::RosterTap,
                kind: if k % 2 == 0 {
                    EventKind::ClockIn
                } else {
                    EventKind::ClockOut
                },
                at: Utc::now(),
                note: (i % 4 == 0).then(|| format!("decision {i}: {}", "n".repeat(i % 500))),
                needs_review: false,
            })
            .collect();
        let events = journal.record(device, 7200, &drafts).unwrap();
        for event in &events {
            writeln!(out, "RECORDED {}", event.id).unwrap();
        }
        out.flush().unwrap();
        if i % 5 == 4 {
            let batch = journal.pending_batch(4).unwrap();
            let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
            journal.acknowledge(&ids, Utc::now()).unwrap();
            for id in ids {
                writeln!(out, "ACKED {id}").unwrap();
            }
            out.flush().unwrap();
        }
    }
}
