//! Checkpoints off the hot path. In WAL mode, committed pages accumulate in the log
//! until a checkpoint copies them into the database file (and fsyncs it). Left to
//! SQLite's auto-checkpoint, that copy runs inside whichever commit crosses the
//! threshold, so every few hundred punches one of them would wait for it. Instead
//! the journal's own connection checkpoints only as a safety net, and a background
//! thread with its own connection runs passive checkpoints, which never block
//! writers, once writes pause (a checkpoint that finishes while no one writes lets
//! the next commit restart the log from its start, reusing its disk blocks), or
//! after a number of commits if they never pause (a sync worker draining a
//! backlog).

use std::path::Path;
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
/// Quiet time after which the commits so far are checkpointed.
const IDLE: Duration = Duration::from_millis(100);
/// Log size (in pages, 4 KiB each) at which the journal's own connection
/// checkpoints inline: only reached if the background thread falls far behind.
pub(crate) const INLINE_CHECKPOINT_PAGES: u32 = 10_000;

/// The background checkpointer of one journal. Dropping it stops the thread and
/// closes its connection.
pub(crate) struct Checkpointer {
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
        let (nudge, nudged) = mpsc::sync_channel(64);
        let path = db_path.to_path_buf();
        let thread = thread::Builder::new()
            .name("journal-checkpoint".into())
            .spawn(move || run(&conn, &path, &nudged))
            .map_err(|e| JournalError::io(db_path, e))?;
        Ok(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a transaction committed. Never blocks.
    pub(crate) fn committed(&self) {
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

fn run(conn: &Connection, db_path: &Path, nudged: &Receiver<()>) {
    let mut commits = 0u32;
    loop {
        let next = if commits == 0 {
            nudged.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            nudged.recv_timeout(IDLE)
        };
        match next {
            Ok(()) => {
                commits += 1;
                if commits < EVERY_COMMITS {
                    continue;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        commits = 0;
        // PASSIVE: copies what it can without waiting for, or blocking, anyone.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(
                journal = %db_path.display(),
                "background checkpoint failed (will retry after the next commits): {e}"
            );
        }
    }
}
