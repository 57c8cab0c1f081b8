//! Checkpoints off the hot path. In WAL mode, committed pages accumulate in the log
//! until a checkpoint copies them into the database file (and fsyncs it). Left to
//! SQLite's auto-checkpoint, that copy runs inside whichever commit crosses the
//! threshold, so every few hundred punches one of them would wait for it. Instead
//! the journal's own connection checkpoints only as a safety net, and a background
//! thread with its own connection runs passive checkpoints, which never block
//! writers, once writes pause (a checkpoint that finishes while no one writes lets
//! the next commit restart the log from its start, reusing its disk blocks), or
//! after a number of commits if they never pause (a sync worker draining a
//! backlog). Commits are counted in an atomic, not sent: the thread is woken
//! only by the first commit after it went to sleep, not once per punch (a
//! futex wake-up and a thread to schedule beside every commit).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::{JournalError, SqliteResultExt};

/// Commits after which the background thread checkpoints even if writes go on.
/// A checkpoint syncs the database file, and on the same file system that
/// delays whichever commit's fsync runs beside it: every 32 commits made one
/// punch in 32 of a steady queue slow (the p99), and every 128 still one in
/// 128, close to it. Since schema v5 a punch logs about 4.5 pages (6.9
/// before), so 192 punches are about 870 pages of log, what 128 were, under
/// SQLite's own default threshold (1,000 pages); a queue of people pauses long
/// before that, and pauses checkpoint anyway.
const EVERY_COMMITS: u32 = 192;
/// Quiet time after which the commits so far are checkpointed (writes have
/// paused when no commit came within one such interval).
const IDLE: Duration = Duration::from_millis(100);
/// Log size (in pages, 4 KiB each) at which the journal's own connection
/// checkpoints inline: only reached if the background thread falls far behind.
pub(crate) const INLINE_CHECKPOINT_PAGES: u32 = 10_000;

/// The background checkpointer of one journal. Dropping it stops the thread and
/// closes its connection.
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(db_path: &Path) -> Result<Self, JournalError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(db_path, flags).at(db_path)?;
        conn.busy_timeout(Duration::from_secs(5)).at(db_path)?;
        // A checkpoint syncs the database file before the log may be reused.
        conn.pragma_update(None, "synchronous", "FULL")
            .at(db_path)?;
        // A checkpoint copies frames from the log; it needs next to no cache.
        conn.pragma_update(None, "cache_size", -64).at(db_path)?;
        let (nudge, nudged) = mpsc::sync_channel(1);
        let path = db_path.to_path_buf();
        let shared = Arc::new(Shared {
            commits: AtomicU32::new(0),
            asleep: AtomicBool::new(false),
        });
        let theirs = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("journal-checkpoint".into())
            .spawn(move || run(&conn, &path, &theirs, &nudged))
            .map_err(|e| JournalError::io(db_path, e))?;
        Ok(Checkpointer {
            shared,
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a transaction committed. Never blocks; wakes the
    /// thread only if it sleeps.
    pub(crate) fn committed(&self) {
        self.shared.commits.fetch_add(1, Ordering::SeqCst);
        if !self.shared.asleep.swap(false, Ordering::SeqCst) {
            return;
        }
        if let Some(nudge) = &self.nudge {
            match nudge.try_send(()) {
                // A full channel means the thread has enough reason to run already.
                Ok(()) | Err(TrySendError::Full(())) => {}
                Err(TrySendError::Disconnected(())) => {
                    tracing::warn!("journal checkpoint thread is gone; checkpointing inline");
                }
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        self.nudge.take();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("journal checkpoint thread panicked");
        }
    }
}

/// What the journal and the thread share.
struct Shared {
    /// Commits so far (wrapping).
    commits: AtomicU32,
    /// The thread waits for a nudge: the next commit must send one.
    asleep: AtomicBool,
}

fn run(conn: &Connection, db_path: &Path, shared: &Shared, nudged: &Receiver<()>) {
    let mut checkpointed = shared.commits.load(Ordering::SeqCst);
    loop {
        // Sleep until a commit, unless one came since the last checkpoint (set
        // `asleep` first: a commit after that load sees it and nudges).
        shared.asleep.store(true, Ordering::SeqCst);
        if shared.commits.load(Ordering::SeqCst) == checkpointed && nudged.recv().is_err() {
            return;
        }
        shared.asleep.store(false, Ordering::SeqCst);
        // Awake: wait for a pause, or for enough commits.
        let mut seen = shared.commits.load(Ordering::SeqCst);
        loop {
            match nudged.recv_timeout(IDLE) {
                // A nudge left over from a commit that raced the sleep: no news.
                Ok(()) => continue,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = shared.commits.load(Ordering::SeqCst);
            let quiet = now == seen;
            seen = now;
            if quiet || now.wrapping_sub(checkpointed) >= EVERY_COMMITS {
                break;
            }
        }
        checkpointed = seen;
        // PASSIVE: copies what it can without waiting for, or blocking, anyone.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(
                journal = %db_path.display(),
                "background checkpoint failed (will retry after the next commits): {e}"
            );
        }
    }
}
