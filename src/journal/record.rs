//! Recording a decision: where a punch is made durable. All events of one
//! decision go in one transaction; they count as recorded only once `COMMIT`
//! (with its fsync) has returned.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use super::Journal;
use super::codec::{micros, seq_to_sql};
use super::error::{JournalError, SqliteResultExt};
use super::write_tx;
use crate::domain::{DeviceId, Event, EventDraft, EventId};

const INSERT: &str = "INSERT INTO outbox (id, device, seq, subject, at_us, state) \
     VALUES (?1, ?2, ?3, ?4, ?5, 'pending')";
const INSERT_EVENT: &str = "INSERT INTO outbox_event (pos, body) VALUES (last_insert_rowid(), ?1)";
/// A device's last number, written when rows of another device follow its own.
const SAVE_SEQ: &str = "INSERT INTO device_seq (device, last_seq) VALUES (?1, ?2) \
     ON CONFLICT (device) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)";

/// The second thread draws a confirmation (ratatui's layout and diff): half
/// rayon's default stack, of which only the pages touched take memory.
const BESIDE_STACK: usize = 1024 * 1024;
/// How long the commit's thread polls for `meanwhile` before it lets rayon
/// put it to sleep (a drawing that slow is not a confirmation's).
const POLL_FOR: Duration = Duration::from_millis(50);

/// The thread [`Journal::record_meanwhile`] runs `meanwhile` on: one, kept,
/// because starting a thread per punch costs more than it saves (about
/// 0.15 ms here, and CPU work beside an fsync slows the fsync).
fn beside_pool() -> Option<rayon_core::ThreadPool> {
    rayon_core::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "journal-beside".into())
        .stack_size(BESIDE_STACK)
        .build()
        .inspect_err(|e| tracing::warn!("no second thread for the journal ({e}); committing first"))
        .ok()
}

/// Runs `commit` on this thread and `work` on `pool`'s, at once; both results.
///
/// The commit stays here, so the fsync starts without waiting for a thread to
/// wake, and this thread waits for `work` by polling rather than sleeping: on
/// the 2-vCPU development VM a sleeping thread took 17 µs to wake at p50 and
/// 0.35 ms at p99, and with the commit on the other thread a punch paid one
/// such wake to start its fsync and often another to learn it had finished
/// (the punch's p99 was 1.5× the bare insert's where the commit alone was 1.1×).
/// Polling yields, so on one core `work` still gets the processor.
fn beside<C, W: Send>(
    pool: &rayon_core::ThreadPool,
    commit: impl FnOnce() -> C,
    work: impl FnOnce() -> W + Send,
) -> (C, Option<W>) {
    let done = AtomicBool::new(false);
    let mut worked = None;
    let committed = pool.in_place_scope(|s| {
        let (worked, done) = (&mut worked, &done);
        s.spawn(move |_| {
            *worked = Some(work());
            done.store(true, Ordering::Release);
        });
        let committed = commit();
        let polling = Instant::now();
        while !done.load(Ordering::Acquire) && polling.elapsed() < POLL_FOR {
            std::thread::yield_now();
        }
        committed
    });
    (committed, worked)
}

/// What [`Journal::record_meanwhile`] did.
#[derive(Debug)]
pub enum Overlapped<M> {
    /// Nothing was stored and `meanwhile` did not run.
    NotStaged(JournalError),
    /// The events are committed; `meanwhile` ran while they were.
    Committed(Vec<Event>, M),
    /// `meanwhile` ran, but the commit failed: nothing of the decision is
    /// stored and no sequence number is used up.
    CommitFailed(JournalError, M),
}

/// A decision's events, numbered, not yet written.
struct Staged {
    device: DeviceId,
    events: Vec<Event>,
    /// The device's last number once they are recorded.
    last: u64,
    /// The device whose number must be saved because these rows follow its own.
    leaving: Option<(DeviceId, u64)>,
}

impl Journal {
    /// Records all events of one decision in one transaction and returns them once
    /// the transaction has committed (and, with `synchronous=FULL`, been fsynced).
    /// Each event gets a fresh UUIDv7 id and the next sequence number of `device`.
    /// On error nothing of the decision is stored and no sequence number is used up.
    pub fn record(
        &mut self,
        device: DeviceId,
        utc_offset_secs: i32,
        drafts: &[EventDraft],
    ) -> Result<Vec<Event>, JournalError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let staged = self.stage(device, utc_offset_secs, drafts);
        self.write(|conn, path| insert(conn, path, &staged))?;
        Ok(self.recorded(staged))
    }

    /// [`Journal::record`], with work done while the commit waits for the disk:
    /// once the events are written but not committed, `read` runs on this
    /// thread inside the transaction (it sees them), then the commit runs on
    /// this thread while `meanwhile` runs on a second one (see [`beside`]).
    ///
    /// The kiosk draws the confirmation in `meanwhile` and shows it only if
    /// the commit succeeded: a punch costs the longer of the fsync and the
    /// drawing, not both. Without a second thread, the commit runs first.
    /// `meanwhile` must not treat the events as recorded before this returns
    /// [`Overlapped::Committed`].
    pub fn record_meanwhile<R, M>(
        &mut self,
        device: DeviceId,
        utc_offset_secs: i32,
        drafts: &[EventDraft],
        read: impl FnOnce(&Journal, &[Event]) -> R,
        meanwhile: impl FnOnce(&[Event], R) -> M + Send,
    ) -> Overlapped<M>
    where
        R: Send,
        M: Send,
    {
        if drafts.is_empty() {
            let r = read(self, &[]);
            return Overlapped::Committed(Vec::new(), meanwhile(&[], r));
        }
        let staged = self.stage(device, utc_offset_secs, drafts);
        if let Err(e) = write_tx::begin(&self.conn, &self.db_path) {
            return Overlapped::NotStaged(e);
        }
        let fault = self.take_commit_fault();
        // Until the commit has returned, an error or a panic (the commit's
        // included: it runs on this thread) rolls back.
        let open = write_tx::RollbackUnlessCommitted(&self.conn);
        if let Err(e) = insert(&self.conn, &self.db_path, &staged) {
            return Overlapped::NotStaged(e);
        }
        let read_back = read(self, &staged.events);
        let pool = self.beside_pool.get_or_init(beside_pool).as_ref();
        let conn = &self.conn;
        let path = self.db_path.as_path();
        let events = &staged.events;
        // A panic in `meanwhile` is held until the counters match what committed.
        let meanwhile = move || catch_unwind(AssertUnwindSafe(|| meanwhile(events, read_back)));
        let (committed, m) = match pool {
            Some(pool) => beside(pool, || commit(conn, path, fault), meanwhile),
            None => (commit(conn, path, fault), Some(meanwhile())),
        };
        // A commit that failed leaves the transaction open.
        drop(open);
        let outcome = match committed {
            Ok(()) => {
                self.committed();
                Ok(self.recorded(staged))
            }
            Err(e) => Err(e),
        };
        // Rayon's scope re-raises a panic of the job itself, so `None` (the
        // job never set its result) cannot come back from `beside`.
        let m = m.unwrap_or_else(|| Err(Box::new("meanwhile did not run")));
        let m = m.unwrap_or_else(|panic| resume_unwind(panic));
        match outcome {
            Ok(events) => Overlapped::Committed(events, m),
            Err(e) => Overlapped::CommitFailed(e, m),
        }
    }

    /// Numbers the events of one decision (nothing is written yet).
    fn stage(&self, device: DeviceId, utc_offset_secs: i32, drafts: &[EventDraft]) -> Staged {
        let last_before = self.last_seq.get(&device).copied().unwrap_or(0);
        let events: Vec<Event> = drafts
            .iter()
            .zip(last_before + 1..)
            .map(|(draft, seq)| Event {
                id: EventId::new(),
                device,
                seq,
                subject: draft.subject,
                actor: draft.actor,
                method: draft.method,
                kind: draft.kind.clone(),
                at: draft.at,
                utc_offset_secs,
                note: draft.note.clone(),
                needs_review: draft.needs_review,
                clock_offset_ms: self.clock_offset_ms,
            })
            .collect();
        let last = last_before + events.len() as u64;
        // Only the newest row's device may be ahead of `device_seq` (see
        // `Journal::load_counters`): when this decision's rows become the newest,
        // the device they follow keeps its number there.
        let leaving = self
            .newest_device
            .filter(|newest| *newest != device)
            .map(|newest| (newest, self.last_seq.get(&newest).copied().unwrap_or(0)));
        Staged {
            device,
            events,
            last,
            leaving,
        }
    }

    /// The in-memory counters after `staged` committed; its events.
    fn recorded(&mut self, staged: Staged) -> Vec<Event> {
        self.last_seq.insert(staged.device, staged.last);
        self.newest_device = Some(staged.device);
        self.pending += staged.events.len() as u64;
        staged.events
    }

    #[cfg(test)]
    pub(crate) fn fail_next_commit(&mut self) {
        self.fail_next_commit = true;
    }

    /// Test hook: whether the next overlapped commit is to fail as a full
    /// disk would make it.
    fn take_commit_fault(&mut self) -> bool {
        #[cfg(test)]
        return std::mem::take(&mut self.fail_next_commit);
        #[cfg(not(test))]
        false
    }
}

/// Writes `staged` inside the open transaction of `conn`.
fn insert(conn: &Connection, path: &Path, staged: &Staged) -> Result<(), JournalError> {
    if let Some((newest, last)) = staged.leaving {
        conn.prepare_cached(SAVE_SEQ)
            .at(path)?
            .execute(params![
                newest.0.as_bytes().as_slice(),
                seq_to_sql(path, last)?
            ])
            .at(path)?;
    }
    let mut insert = conn.prepare_cached(INSERT).at(path)?;
    let mut insert_event = conn.prepare_cached(INSERT_EVENT).at(path)?;
    for event in &staged.events {
        let body =
            serde_json::to_string(event).map_err(|source| JournalError::Encode { source })?;
        insert
            .execute(params![
                event.id.0.as_bytes().as_slice(),
                staged.device.0.as_bytes().as_slice(),
                seq_to_sql(path, event.seq)?,
                event.subject.0.as_bytes().as_slice(),
                micros(event.at),
            ])
            .at(path)?;
        insert_event.execute([body]).at(path)?;
    }
    Ok(())
}

/// Commits the open transaction of `conn` (or fails as a full disk would,
/// when the test hook says so).
fn commit(conn: &Connection, path: &Path, fault: bool) -> Result<(), JournalError> {
    if fault {
        return Err(JournalError::DiskFull {
            path: path.to_path_buf(),
        });
    }
    write_tx::commit(conn, path)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::domain::PersonId;
    use crate::journal::JournalOptions;
    use crate::journal::test_support::{draft, fresh, t0};

    fn seqs(events: &[Event]) -> Vec<u64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn read_sees_the_decision_and_meanwhile_gets_it_before_the_commit_returns() {
        let (_dir, mut j) = fresh();
        let device = DeviceId::new();
        let p = PersonId::new();
        j.record(device, 0, &[draft(p, t0())]).unwrap();
        let caller = std::thread::current().id();
        let done = j.record_meanwhile(
            device,
            0,
            &[draft(p, t0()), draft(p, t0())],
            |j, staged| {
                let seen = j.events_for_person_since(p, t0()).unwrap();
                (seen.len(), staged.len())
            },
            |events, read| (seqs(events), read, std::thread::current().id()),
        );
        let Overlapped::Committed(events, (meanwhile_seqs, read, thread)) = done else {
            panic!("not committed: {done:?}");
        };
        assert_eq!(seqs(&events), [2, 3]);
        assert_eq!(meanwhile_seqs, [2, 3]);
        assert_eq!(read, (3, 2), "the transaction's own rows are read");
        assert_ne!(
            thread, caller,
            "meanwhile runs beside the commit, not after it"
        );
        assert_eq!(j.pending_count(), 3);
        assert_eq!(j.pending_batch(10).unwrap()[1..], events[..]);
        assert!(j.conn.is_autocommit(), "no transaction left open");
    }

    #[test]
    fn beside_returns_both_results_whichever_finishes_first() {
        let Some(pool) = beside_pool() else {
            return;
        };
        let (tx, rx) = std::sync::mpsc::channel();
        // The work cannot finish before the commit has run: it waits for it.
        let (c, w) = beside(
            &pool,
            || {
                tx.send(1).unwrap();
                "committed"
            },
            move || rx.recv_timeout(Duration::from_secs(10)).map(|n| n + 1),
        );
        assert_eq!((c, w), ("committed", Some(Ok(2))));
        // The commit cannot finish before the work has run.
        let (tx, rx) = std::sync::mpsc::channel();
        let (c, w) = beside(
            &pool,
            move || rx.recv_timeout(Duration::from_secs(10)),
            move || tx.send("drawn").unwrap(),
        );
        assert_eq!((c, w), (Ok("drawn"), Some(())));
    }

    #[test]
    fn a_failed_commit_stores_nothing_and_uses_no_number() {
        let (_dir, mut j) = fresh();
        let device = DeviceId::new();
        let p = PersonId::new();
        j.fail_next_commit();
        let done = j.record_meanwhile(device, 0, &[draft(p, t0())], |_, _| 7, |_, r| r + 1);
        let Overlapped::CommitFailed(JournalError::DiskFull { .. }, 8) = done else {
            panic!("not a failed commit after meanwhile: {done:?}");
        };
        assert!(j.conn.is_autocommit(), "rolled back");
        assert_eq!(j.pending_count(), 0);
        assert!(j.pending_batch(10).unwrap().is_empty());
        assert!(j.events_for_person_since(p, t0()).unwrap().is_empty());
        let next = j.record(device, 0, &[draft(p, t0())]).unwrap();
        assert_eq!(seqs(&next), [1], "the failed decision used no number");
    }

    #[test]
    fn a_panic_before_or_during_the_commit_leaves_no_transaction_open() {
        let (_dir, mut j) = fresh();
        let device = DeviceId::new();
        let p = PersonId::new();
        let reading = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            j.record_meanwhile(
                device,
                0,
                &[draft(p, t0())],
                |_, _| panic!("read"),
                |_, ()| (),
            );
        }));
        assert!(reading.is_err());
        assert!(j.conn.is_autocommit(), "rolled back");
        assert_eq!(j.pending_count(), 0);
        // A panic beside the commit: the commit finishes first, and is kept.
        let drawing = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            j.record_meanwhile(
                device,
                0,
                &[draft(p, t0())],
                |_, _| (),
                |_, ()| panic!("draw"),
            );
        }));
        assert!(drawing.is_err());
        assert!(j.conn.is_autocommit(), "committed");
        assert_eq!(j.pending_batch(10).unwrap().len(), 1);
        assert_eq!(j.pending_count(), 1, "the counters follow the commit");
        let next = j.record(device, 0, &[draft(p, t0())]).unwrap();
        assert_eq!(seqs(&next), [2]);
    }

    #[test]
    fn a_decision_that_cannot_be_written_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let opts = JournalOptions {
            max_page_count: Some(40),
            ..JournalOptions::default()
        };
        let mut j = Journal::open(dir.path(), opts).unwrap();
        let device = DeviceId::new();
        let p = PersonId::new();
        let mut big = draft(p, t0());
        big.note = Some("x".repeat(20_000));
        let ran = AtomicBool::new(false);
        let full = loop {
            let run = |_: &[Event], ()| ran.store(true, Ordering::Relaxed);
            match j.record_meanwhile(device, 0, &[big.clone()], |_, _| (), run) {
                Overlapped::Committed(..) => ran.store(false, Ordering::Relaxed),
                Overlapped::NotStaged(e) => break e,
                other => panic!("{other:?}"),
            }
        };
        assert!(matches!(full, JournalError::DiskFull { .. }), "{full}");
        assert!(!ran.load(Ordering::Relaxed), "meanwhile did not run");
        assert!(j.conn.is_autocommit(), "rolled back");
    }
}
