//! The last roster the hub sent this device, kept verbatim so the kiosk can start
//! and show people while the hub is unreachable; beside it, the screen's form
//! of that roster (an opaque snapshot the kiosk builds once per roster: reading
//! it at start costs a few milliseconds where parsing the JSON cost tens).

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::Journal;
use super::codec::{instant, micros};
use super::error::{JournalError, SqliteResultExt};

const GET: &str = "SELECT etag, body, fetched_at_us FROM roster_cache WHERE slot = 1";
const GET_BODY: &str = "SELECT body, fetched_at_us FROM roster_cache WHERE slot = 1";
const GET_META: &str = "SELECT etag, fetched_at_us FROM roster_cache WHERE slot = 1";
/// The snapshot's size, only if it was built from the roster cached now.
const GET_SNAPSHOT: &str = "SELECT (SELECT total(length(body)) FROM roster_snapshot_part), \
     c.etag, c.fetched_at_us \
     FROM roster_snapshot s JOIN roster_cache c ON c.slot = 1 \
     WHERE s.slot = 1 AND s.etag = c.etag AND s.fetched_at_us = c.fetched_at_us";
const GET_SNAPSHOT_PARTS: &str = "SELECT body FROM roster_snapshot_part ORDER BY part";
const PUT_SNAPSHOT: &str = "INSERT INTO roster_snapshot (slot, etag, fetched_at_us) \
     VALUES (1, ?1, ?2) \
     ON CONFLICT (slot) DO UPDATE SET etag = excluded.etag, \
     fetched_at_us = excluded.fetched_at_us";
const PUT_SNAPSHOT_PART: &str = "INSERT INTO roster_snapshot_part (part, body) VALUES (?1, ?2)";
const DROP_SNAPSHOT: &str = "DELETE FROM roster_snapshot";
const DROP_SNAPSHOT_PARTS: &str = "DELETE FROM roster_snapshot_part";
/// The size of a snapshot's parts: SQLite copies a blob whole into memory to
/// read it, so no part costs more than this.
const SNAPSHOT_PART: usize = 64 * 1024;
const PUT: &str = "INSERT INTO roster_cache (slot, etag, body, fetched_at_us) \
     VALUES (1, ?1, ?2, ?3) \
     ON CONFLICT (slot) DO UPDATE SET etag = excluded.etag, body = excluded.body, \
     fetched_at_us = excluded.fetched_at_us";

/// The hub's roster body exactly as received, with the ETag it came with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedRoster {
    /// The `ETag` header, sent back as `If-None-Match`.
    pub etag: String,
    /// The response body, byte for byte.
    pub body: Vec<u8>,
    /// When the body was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Journal {
    /// The cached roster, if the hub ever sent one.
    pub fn cached_roster(&self) -> Result<Option<CachedRoster>, JournalError> {
        let row = self.query_opt(GET, [], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?;
        row.map(|(etag, body, fetched_at)| {
            Ok(CachedRoster {
                etag,
                body,
                fetched_at: instant(&self.db_path, fetched_at)?,
            })
        })
        .transpose()
    }

    /// Runs `read` on the cached roster's body where SQLite holds it, without
    /// copying it (megabytes for a large roster: a copy would double the
    /// kiosk's peak memory at start), and answers it with the roster's fetch
    /// time. `None` if the hub never sent one.
    pub fn with_cached_roster_body<T>(
        &self,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<Option<(T, DateTime<Utc>)>, JournalError> {
        let mut read = Some(read);
        let row = self.query_opt(GET_BODY, [], |row| {
            let fetched_at: i64 = row.get(1)?;
            let body = row.get_ref(0)?.as_blob()?;
            // query_row calls this once, for the only row.
            Ok(read.take().map(|read| (read(body), fetched_at)))
        })?;
        row.flatten()
            .map(|(value, at)| Ok((value, instant(&self.db_path, at)?)))
            .transpose()
    }

    /// The cached roster's ETag and fetch time, without its body (megabytes
    /// for a large roster: the sync worker needs only these).
    pub fn cached_roster_meta(&self) -> Result<Option<(String, DateTime<Utc>)>, JournalError> {
        let row = self.query_opt(GET_META, [], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        row.map(|(etag, fetched_at)| Ok((etag, instant(&self.db_path, fetched_at)?)))
            .transpose()
    }

    /// Replaces the cached roster, and notes the roster check in the sync cursor,
    /// in one transaction. The snapshot of the previous roster goes with it.
    pub fn store_roster(&mut self, roster: &CachedRoster) -> Result<(), JournalError> {
        self.write(|tx, path| {
            tx.prepare_cached(PUT)
                .at(path)?
                .execute(params![roster.etag, roster.body, micros(roster.fetched_at)])
                .at(path)?;
            drop_snapshot(tx, path)?;
            super::sync_cursor::set_roster_checked(tx, path, roster.fetched_at)
        })
    }

    /// Runs `read` on the roster snapshot, if one was stored for the roster
    /// cached now (see [`Journal::store_roster_snapshot`]): a reader of its
    /// bytes, one part in memory at a time, and its size. Answers `read`'s
    /// result with that roster's ETag and fetch time.
    pub fn with_roster_snapshot<T>(
        &self,
        read: impl FnOnce(&mut dyn Read, usize) -> T,
    ) -> Result<Option<(T, String, DateTime<Utc>)>, JournalError> {
        let path = self.db_path.as_path();
        let head = self.query_opt(GET_SNAPSHOT, [], |row| {
            Ok((
                row.get::<_, f64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?;
        let Some((len, etag, fetched_at)) = head else {
            return Ok(None);
        };
        let fetched_at = instant(path, fetched_at)?;
        let mut stmt = self.conn.prepare_cached(GET_SNAPSHOT_PARTS).at(path)?;
        let mut parts = Parts {
            rows: stmt.query([]).at(path)?,
            part: Vec::new(),
            at: 0,
        };
        // A total of blob lengths: a whole number of bytes.
        let value = read(&mut parts, len as usize);
        Ok(Some((value, etag, fetched_at)))
    }

    /// Keeps `body`, the screen's form of the cached roster with ETag `etag`
    /// fetched at `fetched_at`, replacing any earlier one, in one transaction.
    /// It is read back only while that roster is the cached one.
    pub fn store_roster_snapshot(
        &mut self,
        etag: &str,
        fetched_at: DateTime<Utc>,
        body: &[u8],
    ) -> Result<(), JournalError> {
        self.write(|tx, path| {
            drop_snapshot(tx, path)?;
            let mut put = tx.prepare_cached(PUT_SNAPSHOT_PART).at(path)?;
            for (i, part) in body.chunks(SNAPSHOT_PART).enumerate() {
                let i = i64::try_from(i).unwrap_or(i64::MAX);
                put.execute(params![i, part]).at(path)?;
            }
            tx.prepare_cached(PUT_SNAPSHOT)
                .at(path)?
                .execute(params![etag, micros(fetched_at)])
                .at(path)?;
            Ok(())
        })
    }
}

fn drop_snapshot(tx: &Connection, path: &Path) -> Result<(), JournalError> {
    for sql in [DROP_SNAPSHOT, DROP_SNAPSHOT_PARTS] {
        tx.prepare_cached(sql).at(path)?.execute([]).at(path)?;
    }
    Ok(())
}

/// The snapshot's parts read in order, as one stream of bytes.
struct Parts<'s> {
    rows: rusqlite::Rows<'s>,
    /// The part being read, and how far.
    part: Vec<u8>,
    at: usize,
}

impl Read for Parts<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.part.len() {
            let Some(row) = self.rows.next().map_err(std::io::Error::other)? else {
                return Ok(0);
            };
            let body = row
                .get_ref(0)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(std::io::Error::other)?;
            self.part.clear();
            self.part.extend_from_slice(body);
            self.at = 0;
        }
        let n = buf.len().min(self.part.len() - self.at);
        buf[..n].copy_from_slice(&self.part[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_support::{fresh, reopen, t0};

    #[test]
    fn roster_round_trips_verbatim_and_is_replaced() {
        let (dir, mut j) = fresh();
        assert_eq!(j.cached_roster().unwrap(), None);
        assert_eq!(j.with_cached_roster_body(|_| ()).unwrap(), None);
        // Not even valid UTF-8: stored as bytes, byte for byte.
        let first = CachedRoster {
            etag: "W/\"abc-1\"".into(),
            body: vec![0x7b, 0xff, 0x00, 0x22, 0x7d],
            fetched_at: t0(),
        };
        j.store_roster(&first).unwrap();
        assert_eq!(
            j.cached_roster_meta().unwrap(),
            Some((first.etag.clone(), first.fetched_at))
        );
        let j2 = reopen(&dir, j);
        assert_eq!(
            j2.with_cached_roster_body(<[u8]>::to_vec)
                .unwrap()
                .map(|(body, _)| body),
            Some(first.body.clone())
        );
        assert_eq!(j2.cached_roster().unwrap(), Some(first));
        let mut j = j2;
        let second = CachedRoster {
            etag: "\"abc-2\"".into(),
            body: br#"{"people":[]}"#.to_vec(),
            fetched_at: t0() + chrono::Duration::hours(1),
        };
        j.store_roster(&second).unwrap();
        assert_eq!(j.cached_roster().unwrap(), Some(second.clone()));
        let cursor = j.sync_cursor().unwrap();
        assert_eq!(cursor.roster_etag.as_deref(), Some("\"abc-2\""));
        assert_eq!(cursor.last_roster_check_at, Some(second.fetched_at));
    }

    #[test]
    fn a_snapshot_is_read_only_with_the_roster_it_was_built_from() {
        let (dir, mut j) = fresh();
        let read = |j: &Journal| {
            j.with_roster_snapshot(|r, len| {
                let mut body = Vec::new();
                r.read_to_end(&mut body).unwrap();
                assert_eq!(body.len(), len);
                body
            })
            .unwrap()
        };
        // No roster: a snapshot has nothing to belong to.
        j.store_roster_snapshot("\"a\"", t0(), b"orphan").unwrap();
        assert_eq!(read(&j), None);
        let first = CachedRoster {
            etag: "\"a\"".into(),
            body: b"{}".to_vec(),
            fetched_at: t0(),
        };
        j.store_roster(&first).unwrap();
        assert_eq!(read(&j), None, "storing a roster drops the old snapshot");
        j.store_roster_snapshot("\"a\"", t0(), b"snap-a").unwrap();
        let j = reopen(&dir, j);
        assert_eq!(
            read(&j),
            Some((b"snap-a".to_vec(), first.etag.clone(), t0()))
        );
        let mut j = j;
        // Built from another fetch of the same ETag: not this roster's.
        let later = t0() + chrono::Duration::minutes(5);
        j.store_roster_snapshot("\"a\"", later, b"snap-later")
            .unwrap();
        assert_eq!(read(&j), None);
        // Several parts come back in order.
        let big: Vec<u8> = (0..SNAPSHOT_PART * 2 + 7)
            .map(|i| (i % 251) as u8)
            .collect();
        j.store_roster_snapshot("\"a\"", t0(), &big).unwrap();
        assert_eq!(read(&j), Some((big, first.etag.clone(), t0())));
        j.store_roster_snapshot("\"a\"", t0(), b"snap-a2").unwrap();
        assert_eq!(
            read(&j),
            Some((b"snap-a2".to_vec(), first.etag.clone(), t0()))
        );
        let second = CachedRoster {
            etag: "\"b\"".into(),
            body: b"{}".to_vec(),
            fetched_at: later,
        };
        j.store_roster(&second).unwrap();
        assert_eq!(read(&j), None, "a new roster drops the snapshot");
        assert_eq!(j.cached_roster().unwrap(), Some(second));
    }
}
