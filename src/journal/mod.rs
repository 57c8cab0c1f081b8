//! # The kiosk journal: the durable outbox
//!
//! Every punch is made durable here before the kiosk confirms it on screen, and
//! stays here until the hub has acknowledged it. Besides the outbox the journal keeps
//! what the kiosk needs to work offline: the cached roster, wrong-PIN counters,
//! device settings and the sync cursor.
//!
//! ## Files
//!
//! In the data directory given to [`Journal::open`]:
//! - `journal.db`: a SQLite database in WAL mode, `synchronous=FULL`;
//! - `journal.db-wal`, `journal.db-shm`: SQLite's write-ahead log and its index,
//!   part of the journal while they exist (never delete them by hand);
//! - `journal.lock`: an empty file holding an exclusive advisory lock (`flock`)
//!   while a process has the journal open.
//!
//! ## What is guaranteed
//!
//! - **A returned punch is on disk.** [`Journal::record`] writes all events of one
//!   decision in one transaction and returns only after `COMMIT`, which in WAL mode
//!   with `synchronous=FULL` means the log was fsynced. The kiosk shows a
//!   confirmation only after that, so every confirmed punch survives `kill -9` and
//!   power loss (as far as the disk honours fsync).
//! - **A decision is all or nothing.** A clock-out that also checks out of a job
//!   stores both events or neither; after an error nothing of it is stored.
//! - **Ids and sequence numbers.** Each event gets a UUIDv7 [`EventId`] (the
//!   idempotency key up to the hub) and the next per-device sequence number: 1, 2,
//!   3, … without gaps or repeats. The last number per device is `device_seq`'s,
//!   or the newest outbox row's if that row is the device's and higher: a decision
//!   for another device than the newest row's first writes that device's number
//!   into `device_seq` (same transaction), and deleting outbox rows (compaction)
//!   raises `device_seq` to the deleted numbers in the same statement (a trigger),
//!   so neither a restart nor compaction can rewind it, and a punch (one device)
//!   writes no counter; a failed decision uses up no number.
//! - **Exactly one writer.** The lock on `journal.lock` makes a second process fail
//!   with [`JournalError::InUse`]. The OS releases the lock when the holder dies,
//!   however it dies, so a crashed kiosk restarts without manual cleanup.
//! - **Never silently replaced.** A new journal is built as `journal.db.new` and
//!   renamed into place, so `journal.db` is either absent or complete. An existing
//!   file that is not a SQLite database, is truncated, fails SQLite's integrity
//!   check, or has a schema newer than this build is refused
//!   ([`JournalError::Corrupt`], [`JournalError::TooNew`]) and left untouched,
//!   because it may hold punches the hub has not seen. A `journal.db-wal` without
//!   its `journal.db` is refused too rather than replayed into a new journal.
//! - **No hidden clock.** The journal never reads the time: every instant (event,
//!   acknowledgement, compaction cut-off) is passed in, so tests control it.
//! - **Errors say what to do.** A full disk, a read-only file or directory, a damaged
//!   journal and a journal in use each have their own [`JournalError`] naming the
//!   file and the fix. The UI shows them; nothing fails silently.
//!
//! ## The life of an outbox row, and when it may be deleted
//!
//! ```text
//!            record                 acknowledge                compact_acked
//!   (none) ─────────► pending ─────────────────────► acked ────────────────► (deleted)
//!                      │   ▲                           ▲
//!                 park │   │ retry_parked              │ acknowledge
//!                      ▼   │                           │
//!                     parked ──────────────────────────┘
//! ```
//!
//! - `pending`: waiting for the hub. [`Journal::pending_batch`] hands them out
//!   oldest first (journal order, which is sequence order); handing out changes
//!   nothing, so a batch lost in transit is simply handed out again.
//! - `acked`: the hub acknowledged it (a duplicate counts: ingest is idempotent by
//!   event id). Kept for [`Journal::events_for_person_since`] until compaction.
//! - `parked`: the hub refused it, with a reason. Never sent again automatically,
//!   never deleted; listed for admins by [`Journal::parked`] and put back in the
//!   queue by [`Journal::retry_parked`].
//!
//! A row is deleted only by [`Journal::compact_acked`], only when it is `acked`
//! and both its acknowledgement and its event time are older than the given age
//! (default [`DEFAULT_COMPACT_ACKED_AFTER`]). Pending and parked rows are never
//! deleted by the journal. That age must exceed the longest window the kiosk folds
//! (a week of hours), so such windows are always complete.
//!
//! ## What a crash leaves behind
//!
//! - **During `record`**: either the whole decision is in the journal or none of
//!   it. SQLite replays the committed part of the WAL on the next open and ignores a
//!   torn tail; no event is ever half written (its query columns and its JSON are
//!   written in the same transaction). A decision whose `record` had not returned was never
//!   confirmed on screen; it may or may not be present. The one surprise allowed is
//!   in that direction: if the OS reports an fsync failure after the commit record
//!   reached the log, `record` fails, yet the decision may be there after a restart.
//!   Never the other way round: confirmed but lost.
//! - **During `acknowledge`/`park`/`compact_acked`**: each transaction is atomic;
//!   a lost one leaves its rows as they were: pending rows are sent again (the hub
//!   treats them as duplicates), rows due for compaction go next time.
//! - **During the first open**: at most a `journal.db.new` (and its -wal/-shm),
//!   which never held an event and is rebuilt on the next open.
//! - **Always**: a `journal.lock` file, harmless: the lock died with the process.
//!
//! `tests/journal_crash.rs` kills a recording process with SIGKILL fifty times and
//! checks all of the above after each kill. Power loss is not simulated: it relies
//! on the disk honouring fsync, which SIGKILL cannot test.
//!
//! ## Checks on open
//!
//! Before SQLite reads it, the file must be at least a header long and start with
//! SQLite's magic string. Then `PRAGMA integrity_check` runs. The full check, not
//! `quick_check`, because the queue *is* an index: a pending row missing from
//! `outbox_pending` would never be sent, and only the full check compares every
//! index with its table. It costs about 0.1 s for a realistic journal (a few weeks
//! of punches) and 3.5 s for 1,000,000 pending rows (580 MiB, years of outage),
//! against 1.3 s for `quick_check` (`benches/journal.rs`); a kiosk starts rarely,
//! so it is worth it. [`JournalOptions::integrity_check`] can choose `Quick`.
//!
//! ## Costs
//!
//! - The outbox has the event's query columns and its state; the serialized event
//!   sits in `outbox_event` under the same key, so that changing a row's state
//!   (acknowledging 500 rows) rewrites small rows: about a quarter of the pages to
//!   log and fsync.
//! - Partial indexes on pending rows (in journal order), acknowledged rows (by
//!   acknowledgement time) and parked rows make the batch read, the sync worker's
//!   acknowledgement, compaction and the parked list cost O(batch · log n) whatever
//!   the number of rows. A new row enters no other index but its person's
//!   (`outbox_subject_at`) and the pending one: each index would be a page more to
//!   log and fsync per punch (there is none on ids, nor on device and sequence).
//!   The sync worker acknowledges what it was handed by position; an id it was
//!   not handed is looked for among the pending (then parked) rows. Compaction
//!   works in transactions of a few thousand rows. The pending count and the
//!   sequence counters are kept in memory (read once at open, O(devices + log n)).
//! - Checkpoints (copying the log into the database file) run on a background
//!   thread with its own connection, when writes pause or every hundred-odd commits,
//!   so a punch does not wait for one (`checkpoint.rs`).
//! - `benches/journal.rs` measures all this, with 1,000,000 pending rows.

mod admin_changes;
mod checkpoint;
mod codec;
mod error;
mod open;
mod outbox;
mod outbox_drain;
mod pins;
mod record;
mod roster_cache;
mod schema;
mod settings;
mod sync_cursor;
mod unsynced;
mod write_tx;

#[cfg(test)]
mod test_support;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use checkpoint::Checkpointer;
use rusqlite::{Connection, OptionalExtension, Params, Row};

pub use admin_changes::AdminChange;
pub use error::{CORRUPT_RECOVERY, JournalError};
pub use open::{DB_FILE, LOCK_FILE};
pub use outbox::{OutboxPos, ParkedEvent};
pub use outbox_drain::OutboxCounts;
pub use pins::PinFailures;
pub use record::Overlapped;
pub use roster_cache::CachedRoster;
pub use sync_cursor::SyncCursor;

use crate::domain::{DeviceId, EventId};
use codec::{seq_from_sql, uuid};
use error::SqliteResultExt;

/// How long acknowledged events stay in the journal by default.
pub const DEFAULT_COMPACT_ACKED_AFTER: chrono::Duration = chrono::Duration::days(35);

/// Which consistency check runs when the journal is opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IntegrityCheck {
    /// `PRAGMA integrity_check`: everything, including that every index matches
    /// its table.
    #[default]
    Full,
    /// `PRAGMA quick_check`: the same without the index-to-table comparison; linear
    /// in the file size.
    Quick,
}

/// How to open the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalOptions {
    /// [`Journal::compact`] deletes acknowledged events older than this.
    pub compact_acked_after: chrono::Duration,
    /// The check run on open.
    pub integrity_check: IntegrityCheck,
    /// Test hook: caps the database at this many pages (`PRAGMA max_page_count`),
    /// so that a full disk can be simulated. `None` in production.
    pub max_page_count: Option<u64>,
}

impl Default for JournalOptions {
    fn default() -> Self {
        Self {
            compact_acked_after: DEFAULT_COMPACT_ACKED_AFTER,
            integrity_check: IntegrityCheck::default(),
            max_page_count: None,
        }
    }
}

/// The kiosk's journal. One per data directory and process; see the module docs.
pub struct Journal {
    // Fields drop in declaration order: the checkpoint thread stops and closes its
    // connection first, then the journal's connection closes (checkpointing and
    // removing the log, being the last), and only then is the lock released.
    checkpointer: Checkpointer,
    conn: Connection,
    db_path: PathBuf,
    opts: JournalOptions,
    /// The last sequence number given per device: `device_seq`'s, or the
    /// newest outbox row's for its device if higher.
    last_seq: HashMap<DeviceId, u64>,
    /// The device of the newest outbox row: the one device `device_seq` may
    /// lag behind (see `Journal::record`).
    newest_device: Option<DeviceId>,
    /// Where the events handed out to the sync worker are, by id, so that
    /// acknowledging them seeks by position (the outbox has no index on ids).
    handed_out: RefCell<HashMap<EventId, i64>>,
    /// The number of pending rows, as in the outbox.
    pending: u64,
    /// The sync worker's latest estimate of the hub's clock minus ours, stamped
    /// on every event recorded; in memory only (unknown again after a restart
    /// until the hub answers).
    clock_offset_ms: Option<i64>,
    /// The thread that works beside overlapped commits (`record.rs`), started
    /// at the first.
    beside_pool: std::cell::OnceCell<Option<rayon_core::ThreadPool>>,
    /// Test hook: the next overlapped commit fails (see `record.rs`).
    #[cfg(test)]
    fail_next_commit: bool,
    _lock: File,
}

impl Journal {
    /// Opens (or creates) `journal.db` in `data_dir`, creating the directory if
    /// needed. Fails with `InUse` if another process has it open, `Corrupt` if it
    /// is not a complete journal, `ReadOnly` if it cannot be written.
    pub fn open(data_dir: &Path, opts: JournalOptions) -> Result<Self, JournalError> {
        let opened = open::open(data_dir, &opts)?;
        let checkpointer = Checkpointer::start(&opened.db_path)?;
        let mut journal = Journal {
            checkpointer,
            conn: opened.conn,
            db_path: opened.db_path,
            opts,
            last_seq: HashMap::new(),
            newest_device: None,
            handed_out: RefCell::new(HashMap::new()),
            pending: 0,
            clock_offset_ms: None,
            beside_pool: std::cell::OnceCell::new(),
            #[cfg(test)]
            fail_next_commit: false,
            _lock: opened.lock,
        };
        journal.load_counters()?;
        Ok(journal)
    }

    /// Sets the clock offset stamped on events recorded from now on.
    pub fn set_clock_offset_ms(&mut self, offset_ms: Option<i64>) {
        self.clock_offset_ms = offset_ms;
    }

    /// The journal's database file.
    pub fn path(&self) -> &Path {
        &self.db_path
    }

    /// The options it was opened with.
    pub fn options(&self) -> &JournalOptions {
        &self.opts
    }

    /// Runs `PRAGMA integrity_check` now; `Corrupt` if it finds anything.
    pub fn integrity_check(&self) -> Result<(), JournalError> {
        open::check_integrity(&self.conn, &self.db_path, IntegrityCheck::Full)
    }

    /// Frees what the connection's page cache holds (it refills from the
    /// OS's cache as needed): after reading megabytes (the roster), which
    /// would otherwise stay resident for nothing.
    pub fn release_memory(&self) {
        if let Err(e) = self.conn.execute_batch("PRAGMA shrink_memory") {
            tracing::debug!("shrinking the journal's page cache: {e}");
        }
    }

    /// To be called after each committed write.
    fn committed(&self) {
        self.checkpointer.committed();
    }

    /// Runs one writing statement (prepared once per connection) as its own
    /// transaction. Returns the number of rows changed.
    fn execute(&self, sql: &str, params: impl Params) -> Result<usize, JournalError> {
        let path = self.db_path.as_path();
        let changed = self
            .conn
            .prepare_cached(sql)
            .at(path)?
            .execute(params)
            .at(path)?;
        self.committed();
        Ok(changed)
    }

    /// The row a query (prepared once per connection) returns, if any.
    fn query_opt<T>(
        &self,
        sql: &str,
        params: impl Params,
        read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, JournalError> {
        let path = self.db_path.as_path();
        self.conn
            .prepare_cached(sql)
            .at(path)?
            .query_row(params, read)
            .optional()
            .at(path)
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction and returns its result once
    /// committed. If `work` fails, nothing it wrote is kept.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&Connection, &Path) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        let done = write_tx::in_transaction(&self.conn, &self.db_path, work)?;
        self.committed();
        Ok(done)
    }

    /// Reads the sequence counters and the pending count into memory. A device's
    /// last number is `device_seq`'s, or the newest outbox row's if that row is
    /// the device's and higher (see `Journal::record`): two reads, whatever the
    /// size of the outbox.
    fn load_counters(&mut self) -> Result<(), JournalError> {
        let path = self.db_path.as_path();
        let mut stmt = self
            .conn
            .prepare("SELECT device, last_seq FROM device_seq")
            .at(path)?;
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, [u8; 16]>(0)?, row.get(1)?)))
            .at(path)?;
        for row in rows {
            let (device, last) = row.at(path)?;
            self.last_seq
                .insert(DeviceId(uuid(device)), seq_from_sql(path, last)?);
        }
        drop(stmt);
        let newest = self
            .conn
            .query_row(
                "SELECT device, seq FROM outbox ORDER BY pos DESC LIMIT 1",
                [],
                |row| Ok((row.get::<_, [u8; 16]>(0)?, row.get::<_, i64>(1)?)),
            )
            .optional()
            .at(path)?;
        if let Some((device, last)) = newest {
            let device = DeviceId(uuid(device));
            let last = seq_from_sql(path, last)?;
            let known = self.last_seq.entry(device).or_default();
            *known = (*known).max(last);
            self.newest_device = Some(device);
        }
        let pending: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM outbox WHERE state = 'pending'",
                [],
                |row| row.get(0),
            )
            .at(path)?;
        self.pending = u64::try_from(pending).unwrap_or(0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Journal>();
        send::<JournalError>();
    }

    #[test]
    fn errors_name_the_file_and_the_fix() {
        let path = PathBuf::from("/var/lib/tapin/journal.db");
        let full = JournalError::DiskFull { path: path.clone() }.to_string();
        assert!(
            full.contains("NOT recorded") && full.contains("free space"),
            "{full}"
        );
        let corrupt = JournalError::corrupt(&path, "garbage").to_string();
        assert!(corrupt.contains("/var/lib/tapin/journal.db"), "{corrupt}");
        assert!(corrupt.contains("restore from backup"), "{corrupt}");
        for err in [
            JournalError::ReadOnly { path: path.clone() },
            JournalError::InUse { path: path.clone() },
            JournalError::Busy { path: path.clone() },
        ] {
            assert!(
                err.to_string().contains("/var/lib/tapin/journal.db"),
                "{err}"
            );
        }
    }
}
