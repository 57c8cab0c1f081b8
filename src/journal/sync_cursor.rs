//! Where synchronisation with the hub stands, kept across restarts so the status
//! line can say "last sync 3 h ago" right after a reboot.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::Journal;
use super::codec::{instant_opt, micros};
use super::error::{JournalError, SqliteResultExt};

const GET: &str = "SELECT c.last_push_at_us, c.last_roster_check_at_us, r.etag \
     FROM (SELECT 1 AS slot) AS one \
     LEFT JOIN sync_cursor AS c ON c.slot = one.slot \
     LEFT JOIN roster_cache AS r ON r.slot = one.slot";
const SET_PUSH: &str = "INSERT INTO sync_cursor (slot, last_push_at_us) VALUES (1, ?1) \
     ON CONFLICT (slot) DO UPDATE SET last_push_at_us = excluded.last_push_at_us";
const SET_ROSTER: &str = "INSERT INTO sync_cursor (slot, last_roster_check_at_us) \
     VALUES (1, ?1) ON CONFLICT (slot) DO UPDATE \
     SET last_roster_check_at_us = excluded.last_roster_check_at_us";

/// Where synchronisation stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncCursor {
    /// The last time the hub answered a push successfully.
    pub last_push_at: Option<DateTime<Utc>>,
    /// The last time the hub answered a roster request (new roster or not modified).
    pub last_roster_check_at: Option<DateTime<Utc>>,
    /// The ETag of the cached roster (the same as `cached_roster().etag`).
    pub roster_etag: Option<String>,
}

impl Journal {
    /// Where synchronisation stands.
    pub fn sync_cursor(&self) -> Result<SyncCursor, JournalError> {
        let row = self.query_opt(GET, [], |row| {
            Ok((
                row.get::<_, Option<i64>>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })?;
        let Some((push, roster, roster_etag)) = row else {
            return Ok(SyncCursor::default());
        };
        Ok(SyncCursor {
            last_push_at: instant_opt(&self.db_path, push)?,
            last_roster_check_at: instant_opt(&self.db_path, roster)?,
            roster_etag,
        })
    }

    /// Notes that the hub answered a push successfully at `at`.
    pub fn set_last_push(&mut self, at: DateTime<Utc>) -> Result<(), JournalError> {
        self.execute(SET_PUSH, params![micros(at)])?;
        Ok(())
    }

    /// Notes that the hub answered a roster request at `at` (for a 304 Not
    /// Modified; [`Journal::store_roster`] notes it for a new roster).
    pub fn set_roster_checked(&mut self, at: DateTime<Utc>) -> Result<(), JournalError> {
        self.execute(SET_ROSTER, params![micros(at)])?;
        Ok(())
    }
}

/// Notes a successful push inside a transaction (one that settles its answer).
pub(crate) fn set_last_push_in(
    conn: &Connection,
    path: &Path,
    at: DateTime<Utc>,
) -> Result<(), JournalError> {
    set_in(conn, path, SET_PUSH, at)
}

/// Notes the roster check inside a transaction that stores a new roster.
pub(crate) fn set_roster_checked(
    conn: &Connection,
    path: &Path,
    at: DateTime<Utc>,
) -> Result<(), JournalError> {
    set_in(conn, path, SET_ROSTER, at)
}

/// Runs one of the setters above with `at`.
fn set_in(
    conn: &Connection,
    path: &Path,
    setter: &str,
    at: DateTime<Utc>,
) -> Result<(), JournalError> {
    conn.prepare_cached(setter)
        .at(path)?
        .execute(params![micros(at)])
        .at(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_support::{fresh, reopen, t0};

    #[test]
    fn sync_cursor_round_trips() {
        let (dir, mut j) = fresh();
        assert_eq!(j.sync_cursor().unwrap(), SyncCursor::default());
        j.set_last_push(t0()).unwrap();
        let later = t0() + chrono::Duration::seconds(30);
        j.set_roster_checked(later).unwrap();
        let j = reopen(&dir, j);
        assert_eq!(
            j.sync_cursor().unwrap(),
            SyncCursor {
                last_push_at: Some(t0()),
                last_roster_check_at: Some(later),
                roster_etag: None,
            }
        );
    }
}
