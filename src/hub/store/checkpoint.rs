//! Checkpoints of the hub's SQLite file off the commit path. In WAL mode, committed
//! pages pile up in the log until a checkpoint copies them into the database file
//! and fsyncs it. Left to SQLite's auto-checkpoint (every 1,000 pages), that copy
//! ran inside whichever event commit crossed the threshold: one batch in a few
//! waited 30–130 ms more, with the single writer stalled behind it. Instead a
//! thread with a connection of its own runs a passive checkpoint (which never
//! blocks the writer nor waits for it) after each group commit, while the writer
//! goes on with the next group. The writer's own auto-checkpoint stays, at a
//! higher threshold ([`INLINE_CHECKPOINT_PAGES`]), as the bound on the log's
//! growth should this thread fall behind: a log that never empties is
//! checkpointed inline as before.
//!
//! Durability is unchanged: a commit is on disk when its log frames are
//! (`synchronous = FULL` on the writer); the checkpoint connection syncs the log
//! before copying and the database file before the log may be reused.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Log size (pages) at which the writer checkpoints inline: only reached when the
/// background thread cannot keep up (or a long read keeps the log from emptying).
pub(crate) const INLINE_CHECKPOINT_PAGES: u32 = 8_000;

/// The handle of the checkpoint thread. The thread ends, closing its connection,
/// when every handle is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Checkpointer {
    nudge: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread on the database file `path`. `None` (and a warning) when
    /// it cannot: the writer's inline checkpoints still run.
    pub(crate) fn start(path: &Path) -> Option<Checkpointer> {
        let conn = match open(path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(db = %path.display(), "no background checkpoints: {e}");
                return None;
            }
        };
        // One pending nudge is enough: the checkpoint copies everything committed.
        let (nudge, nudged) = mpsc::sync_channel(1);
        let file = path.to_path_buf();
        match thread::Builder::new()
            .name("hub-checkpoint".into())
            .spawn(move || run(&conn, &file, &nudged))
        {
            Ok(_) => Some(Checkpointer { nudge }),
            Err(e) => {
                tracing::warn!(db = %path.display(), "no background checkpoints: {e}");
                None
            }
        }
    }

    /// Tells the thread that a transaction committed. Never blocks.
    pub(crate) fn committed(&self) {
        match self.nudge.try_send(()) {
            // Full: a checkpoint is due already and will take this commit too.
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::warn!("hub checkpoint thread is gone; the writer checkpoints inline");
            }
        }
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // The log is synced before copying, the database file before the log is reused.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A checkpoint copies frames from the log: it needs next to no cache.
    conn.pragma_update(None, "cache_size", -256)?;
    Ok(conn)
}

fn run(conn: &Connection, path: &Path, nudged: &Receiver<()>) {
    while nudged.recv().is_ok() {
        // PASSIVE: copies what no reader still needs, without waiting for anyone.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(db = %path.display(), "background checkpoint failed (retried after the next commit): {e}");
        }
    }
}
