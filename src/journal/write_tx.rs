//! The journal's write transaction, begun and committed by statements prepared
//! once per connection: rusqlite's `Transaction` parses `BEGIN IMMEDIATE` and
//! `COMMIT` anew on every call, a percent or two of a punch.

use std::path::Path;

use rusqlite::Connection;

use super::error::{JournalError, SqliteResultExt};

/// Runs `work` between `BEGIN IMMEDIATE` and `COMMIT` on `conn`. If `work` or
/// the commit fails (or `work` panics), the transaction is rolled back.
pub(super) fn in_transaction<T>(
    conn: &Connection,
    path: &Path,
    work: impl FnOnce(&Connection, &Path) -> Result<T, JournalError>,
) -> Result<T, JournalError> {
    begin(conn, path)?;
    let open = RollbackUnlessCommitted(conn);
    let done = work(conn, path)?;
    commit(conn, path)?;
    drop(open);
    Ok(done)
}

/// `BEGIN IMMEDIATE`: the write lock now, so that the commit cannot meet a busy
/// database.
pub(super) fn begin(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    conn.prepare_cached("BEGIN IMMEDIATE")
        .at(path)?
        .execute([])
        .at(path)?;
    Ok(())
}

/// `COMMIT` (with `synchronous=FULL`, the log is fsynced before it returns).
/// On error the transaction may still be open: see [`RollbackUnlessCommitted`].
pub(super) fn commit(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    conn.prepare_cached("COMMIT")
        .at(path)?
        .execute([])
        .at(path)?;
    Ok(())
}

/// Rolls back the connection's open transaction when dropped, if there is one
/// (after a commit there is none), as rusqlite's `Transaction` does.
pub(super) struct RollbackUnlessCommitted<'c>(pub(super) &'c Connection);

impl Drop for RollbackUnlessCommitted<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit()
            && let Err(e) = self.0.execute_batch("ROLLBACK")
        {
            tracing::warn!("rolling back a failed journal transaction: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_work_and_failed_commits_leave_nothing_open_or_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")
            .unwrap();
        let count = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        in_transaction(&conn, &path, |c, p| {
            c.execute("INSERT INTO t VALUES (1)", []).at(p)?;
            Ok(())
        })
        .unwrap();
        let failed: Result<(), _> = in_transaction(&conn, &path, |c, p| {
            c.execute("INSERT INTO t VALUES (2)", []).at(p)?;
            c.execute("INSERT INTO t VALUES (1)", []).at(p)?;
            Ok(())
        });
        assert!(failed.is_err());
        assert!(conn.is_autocommit(), "rolled back");
        assert_eq!(count(&conn), 1);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = in_transaction(&conn, &path, |c, _| -> Result<(), JournalError> {
                c.execute("INSERT INTO t VALUES (3)", []).unwrap();
                panic!("work panics");
            });
        }));
        assert!(panicked.is_err());
        assert!(conn.is_autocommit(), "rolled back");
        assert_eq!(count(&conn), 1);
    }
}
