//! The outbox: handing batches to the sync worker, and the life of a row
//! (pending → acked → deleted, or pending → parked → pending). Recording is
//! `record.rs`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params, params_from_iter};

use super::Journal;
use super::codec::{instant, micros};
use super::error::{JournalError, SqliteResultExt};
use crate::domain::{Event, EventId, PersonId};

/// `INDEXED BY` makes SQLite refuse to prepare the query rather than fall back to a
/// scan of the whole table should the index ever stop matching it.
pub(crate) const PENDING_BATCH: &str = "SELECT o.pos, e.body \
     FROM outbox AS o INDEXED BY outbox_pending JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'pending' ORDER BY o.pos LIMIT ?1";
/// [`PENDING_BATCH`] from a position on: the next batch while the previous one is
/// still being acknowledged.
const PENDING_AFTER: &str = "SELECT o.pos, e.body \
     FROM outbox AS o INDEXED BY outbox_pending JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'pending' AND o.pos > ?2 ORDER BY o.pos LIMIT ?1";
/// Ids acknowledged per statement; shorter chunks are padded with NULL, which
/// matches nothing, so that one prepared statement serves every batch.
const ACK_CHUNK: usize = 64;
const ANY_PARKED: &str =
    "SELECT EXISTS (SELECT 1 FROM outbox INDEXED BY outbox_parked WHERE state = 'parked')";
/// Acknowledging and parking by position (`?1`, the id `?4` checked too: a
/// position can be reused once its row is compacted away), for events handed
/// out to the sync worker; other ids are found by a pass over the pending or
/// parked rows' partial index (the outbox has no index on ids).
const ACK_PENDING_AT: &str = "UPDATE outbox SET state = 'acked', acked_at_us = ?2 \
     WHERE pos = ?1 AND id = ?3 AND state = 'pending'";
const ACK_PARKED_AT: &str = "UPDATE outbox SET state = 'acked', acked_at_us = ?2 \
     WHERE pos = ?1 AND id = ?3 AND state = 'parked'";
const PARK_PENDING_AT: &str = "UPDATE outbox \
     SET state = 'parked', parked_at_us = ?2, parked_reason = ?3 \
     WHERE pos = ?1 AND id = ?4 AND state = 'pending'";
const REPARK_AT: &str = "UPDATE outbox SET parked_at_us = ?2, parked_reason = ?3 \
     WHERE pos = ?1 AND id = ?4 AND state = 'parked'";
const PENDING_POS: &str =
    "SELECT pos FROM outbox INDEXED BY outbox_pending WHERE state = 'pending' AND id = ?1";
const PARKED_POS: &str =
    "SELECT pos FROM outbox INDEXED BY outbox_parked WHERE state = 'parked' AND id = ?1";
const RETRY: &str = "UPDATE outbox INDEXED BY outbox_parked \
     SET state = 'pending', parked_at_us = NULL, parked_reason = NULL \
     WHERE state = 'parked' AND id = ?1";
/// Handed-out positions kept at most; past it the map starts over (ids no longer
/// in it are found by their id, only slower).
const HANDED_OUT_MAX: usize = 1 << 16;
const PARKED_COUNT: &str =
    "SELECT count(*) FROM outbox INDEXED BY outbox_parked WHERE state = 'parked'";
pub(crate) const PARKED: &str = "SELECT o.pos, e.body, o.parked_at_us, o.parked_reason \
     FROM outbox AS o INDEXED BY outbox_parked JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'parked' ORDER BY o.pos";
pub(crate) const COMPACTABLE: &str = "SELECT pos FROM outbox INDEXED BY outbox_acked \
     WHERE state = 'acked' AND acked_at_us < ?1 AND at_us < ?1 LIMIT ?2";
/// Deleting an outbox row deletes its event too (trigger `outbox_event_follows_delete`).
pub(crate) const DELETE: &str = "DELETE FROM outbox WHERE pos = ?1";
/// Rows deleted per compaction transaction (a few tens of milliseconds).
const COMPACT_CHUNK: usize = 2_000;
pub(crate) const FOR_PERSON: &str = "SELECT o.pos, e.body \
     FROM outbox AS o JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.subject = ?1 AND o.at_us >= ?2 ORDER BY o.at_us, o.pos";

/// `UPDATE … WHERE state = '<from>' AND id IN (?2, …, ?65)`, `?1` the ack time,
/// through the partial index of rows in state `from`.
pub(crate) fn ack_sql(from: &str) -> String {
    let ids: Vec<String> = (2..ACK_CHUNK + 2).map(|i| format!("?{i}")).collect();
    format!(
        "UPDATE outbox INDEXED BY outbox_{from} SET state = 'acked', acked_at_us = ?1 \
         WHERE state = '{from}' AND id IN ({})",
        ids.join(", ")
    )
}

/// The acknowledgement statements, built once per process.
static ACK_PENDING: LazyLock<String> = LazyLock::new(|| ack_sql("pending"));
static ACK_PARKED: LazyLock<String> = LazyLock::new(|| ack_sql("parked"));

/// A place in the outbox's order, for reading pending events page by page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutboxPos(pub(super) i64);

impl OutboxPos {
    /// Before the oldest row.
    pub const START: OutboxPos = OutboxPos(0);
}

/// An event the hub refused, kept for an admin to look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedEvent {
    pub event: Event,
    /// Why the hub refused it, as the hub said it.
    pub reason: String,
    pub parked_at: DateTime<Utc>,
}

impl Journal {
    /// Up to `limit` pending events, oldest first: what the sync worker sends next.
    /// Reads only the pending rows it returns (partial index `outbox_pending`).
    pub fn pending_batch(&self, limit: usize) -> Result<Vec<Event>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (events, _) = self.page_after(PENDING_BATCH, [limit], OutboxPos::START, true)?;
        Ok(events)
    }

    /// Up to `limit` pending events after `after`, oldest first, and the position
    /// of the last one returned (`after` when none): lets the sync worker read the
    /// next batch while the previous one is still being acknowledged.
    pub fn pending_after(
        &self,
        after: OutboxPos,
        limit: usize,
    ) -> Result<(Vec<Event>, OutboxPos), JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.page_after(PENDING_AFTER, params![limit, after.0], after, true)
    }

    /// Notes where a handed-out event is, for its acknowledgement.
    fn remember(&self, id: EventId, pos: i64) {
        let mut handed_out = self.handed_out.borrow_mut();
        if handed_out.len() >= HANDED_OUT_MAX {
            handed_out.clear();
        }
        handed_out.insert(id, pos);
    }

    /// Runs `work` (a write settling `ids`) with the handed-out positions, then
    /// forgets those ids: settled, they are not handed out again (a parked one
    /// retried is handed out anew).
    pub(super) fn settling<T>(
        &mut self,
        ids: impl Iterator<Item = EventId>,
        work: impl FnOnce(&mut Self, &HashMap<EventId, i64>) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        let known = self.handed_out.take();
        let done = work(self, &known);
        let mut known = known;
        if done.is_ok() {
            for id in ids {
                known.remove(&id);
            }
        }
        *self.handed_out.borrow_mut() = known;
        done
    }

    /// The events `sql` selects as `(pos, body)` in journal order, and the
    /// position of the last one (`after` when none): one page of a read that
    /// goes on from there. `handed_out`: for the sync worker, which settles them.
    pub(super) fn page_after(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        after: OutboxPos,
        handed_out: bool,
    ) -> Result<(Vec<Event>, OutboxPos), JournalError> {
        let path = self.db_path.as_path();
        let mut stmt = self.conn.prepare_cached(sql).at(path)?;
        let rows = stmt.query_map(params, decode_row).at(path)?;
        let mut last = after;
        let mut events = Vec::new();
        for row in rows {
            let raw = row.at(path)?;
            last = OutboxPos(raw.0);
            let event = decode_event(path, raw)?;
            if handed_out {
                self.remember(event.id, last.0);
            }
            events.push(event);
        }
        Ok((events, last))
    }

    /// How many events wait for the hub. Kept in memory, counted once at open.
    pub fn pending_count(&self) -> u64 {
        self.pending
    }

    /// Marks events the hub has acknowledged, at `at`; they leave the outbox and
    /// become eligible for compaction. Unknown and already acknowledged ids are
    /// ignored (a duplicate acknowledgement is harmless). A parked event the hub
    /// acknowledges after all is acknowledged too. Returns how many rows changed.
    pub fn acknowledge(
        &mut self,
        ids: &[EventId],
        at: DateTime<Utc>,
    ) -> Result<usize, JournalError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let at_us = micros(at);
        let (from_pending, from_parked) = self.settling(ids.iter().copied(), |j, known| {
            j.write(|tx, path| acknowledge_in(tx, path, known, ids, at_us))
        })?;
        self.pending -= from_pending as u64;
        Ok(from_pending + from_parked)
    }

    /// Parks events the hub refused, with its reason: they stop being sent, stay in
    /// the journal and are listed by [`Journal::parked`]. Parking a parked event
    /// updates its reason; acknowledged and unknown ids are ignored. Returns how many
    /// rows changed.
    pub fn park(
        &mut self,
        refused: &[(EventId, String)],
        at: DateTime<Utc>,
    ) -> Result<usize, JournalError> {
        if refused.is_empty() {
            return Ok(0);
        }
        let at_us = micros(at);
        let (from_pending, reparked) = self
            .settling(refused.iter().map(|(id, _)| *id), |j, known| {
                j.write(|tx, path| park_in(tx, path, known, refused, at_us))
            })?;
        self.pending -= from_pending as u64;
        Ok(from_pending + reparked)
    }

    /// Parked events, oldest first, with the hub's reasons.
    pub fn parked(&self) -> Result<Vec<ParkedEvent>, JournalError> {
        let path = self.db_path.as_path();
        let mut stmt = self.conn.prepare_cached(PARKED).at(path)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    decode_row(row)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            })
            .at(path)?;
        rows.map(|row| {
            let (raw, parked_at, reason) = row.at(path)?;
            let pos = raw.0;
            let event = decode_event(path, raw)?;
            let parked_at = parked_at.ok_or_else(|| {
                JournalError::corrupt(path, format!("outbox row {pos} is parked without a time"))
            })?;
            Ok(ParkedEvent {
                event,
                reason: reason.unwrap_or_default(),
                parked_at: instant(path, parked_at)?,
            })
        })
        .collect()
    }

    /// How many events are parked: counted on the partial index, without reading
    /// their bodies.
    pub fn parked_count(&self) -> Result<u64, JournalError> {
        let path = self.db_path.as_path();
        let count: i64 = self
            .conn
            .prepare_cached(PARKED_COUNT)
            .at(path)?
            .query_row([], |row| row.get(0))
            .at(path)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Puts a parked event back in the queue, at its original place (oldest first).
    /// Returns whether it was parked.
    pub fn retry_parked(&mut self, id: EventId) -> Result<bool, JournalError> {
        let changed = self.execute(RETRY, [id.0.as_bytes().as_slice()])?;
        self.pending += changed as u64;
        Ok(changed == 1)
    }

    /// Deletes acknowledged events acknowledged, and dated, before `now - older_than`.
    /// Pending and parked events are never deleted, nor younger acknowledged ones.
    /// Works in transactions of a few thousand rows. Returns how many rows were
    /// deleted.
    pub fn compact_acked(
        &mut self,
        older_than: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<usize, JournalError> {
        let mut total = 0;
        loop {
            let deleted = self.compact_acked_at_most(older_than, now, COMPACT_CHUNK)?;
            total += deleted;
            if deleted < COMPACT_CHUNK {
                return Ok(total);
            }
        }
    }

    /// [`Journal::compact_acked`], deleting at most `max_rows` rows in one
    /// transaction: for a caller that shares the journal with the UI and compacts
    /// a big backlog in small steps.
    pub fn compact_acked_at_most(
        &mut self,
        older_than: chrono::Duration,
        now: DateTime<Utc>,
        max_rows: usize,
    ) -> Result<usize, JournalError> {
        // A negative age would reach into the future: treat it as zero.
        let older_than = older_than.max(chrono::Duration::zero());
        let cutoff = now.checked_sub_signed(older_than).map_or(i64::MIN, micros);
        let max_rows = i64::try_from(max_rows).unwrap_or(i64::MAX);
        self.write(|tx, path| {
            let positions = tx
                .prepare_cached(COMPACTABLE)
                .at(path)?
                .query_map([cutoff, max_rows], |row| row.get::<_, i64>(0))
                .at(path)?
                .collect::<Result<Vec<_>, _>>()
                .at(path)?;
            let mut delete = tx.prepare_cached(DELETE).at(path)?;
            let mut deleted = 0;
            for pos in positions {
                deleted += delete.execute([pos]).at(path)?;
            }
            Ok(deleted)
        })
    }

    /// [`Journal::compact_acked`] with the age from [`super::JournalOptions`].
    pub fn compact(&mut self, now: DateTime<Utc>) -> Result<usize, JournalError> {
        self.compact_acked(self.opts.compact_acked_after, now)
    }

    /// The events about `person` dated at or after `since`, in any state, in time
    /// order: what the kiosk folds into punch state and hours. Events compacted away
    /// are not returned, so `since` should lie within the compaction age.
    pub fn events_for_person_since(
        &self,
        person: PersonId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Event>, JournalError> {
        let path = self.db_path.as_path();
        let mut stmt = self.conn.prepare_cached(FOR_PERSON).at(path)?;
        let rows = stmt
            .query_map(
                params![person.0.as_bytes().as_slice(), micros(since)],
                decode_row,
            )
            .at(path)?;
        let mut events = Vec::new();
        for row in rows {
            let event = decode_event(path, row.at(path)?)?;
            // The column has microseconds; the event keeps nanoseconds.
            if event.at >= since {
                events.push(event);
            }
        }
        // Rows within the same microsecond come in journal order; a stable sort on
        // the exact time keeps that order for equal times.
        events.sort_by_key(|event| event.at);
        Ok(events)
    }
}

/// Acknowledges `ids` at `at_us` within `tx`: how many rows left `pending`, and
/// how many left `parked` (see [`Journal::acknowledge`]). `known`: positions of
/// handed-out events, sought directly; the other ids in one pass over the
/// pending (and parked) rows per chunk.
pub(super) fn acknowledge_in(
    tx: &Connection,
    path: &Path,
    known: &HashMap<EventId, i64>,
    ids: &[EventId],
    at_us: i64,
) -> Result<(usize, usize), JournalError> {
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let any_parked: bool = tx
        .prepare_cached(ANY_PARKED)
        .at(path)?
        .query_row([], |row| row.get(0))
        .at(path)?;
    let (mut from_pending, mut from_parked) = (0usize, 0usize);
    let mut unknown = Vec::new();
    let mut ack_at = tx.prepare_cached(ACK_PENDING_AT).at(path)?;
    let mut ack_parked_at = tx.prepare_cached(ACK_PARKED_AT).at(path)?;
    for id in ids {
        let Some(&pos) = known.get(id) else {
            unknown.push(*id);
            continue;
        };
        let key = id.0.as_bytes().as_slice();
        let acked = ack_at.execute(params![pos, at_us, key]).at(path)?;
        from_pending += acked;
        if acked == 0 && any_parked {
            from_parked += ack_parked_at.execute(params![pos, at_us, key]).at(path)?;
        }
    }
    if unknown.is_empty() {
        return Ok((from_pending, from_parked));
    }
    let mut ack = tx.prepare_cached(&ACK_PENDING).at(path)?;
    let mut ack_parked = tx.prepare_cached(&ACK_PARKED).at(path)?;
    for chunk in unknown.chunks(ACK_CHUNK) {
        let keys = chunk.iter().map(|id| Some(id.0.as_bytes().as_slice()));
        let padding = std::iter::repeat_n(None, ACK_CHUNK - chunk.len());
        let keys: Vec<Option<&[u8]>> = keys.chain(padding).collect();
        let params = || {
            std::iter::once(&at_us as &dyn ToSql).chain(keys.iter().map(|key| key as &dyn ToSql))
        };
        from_pending += ack.execute(params_from_iter(params())).at(path)?;
        if any_parked {
            from_parked += ack_parked.execute(params_from_iter(params())).at(path)?;
        }
    }
    Ok((from_pending, from_parked))
}

/// Parks `refused` at `at_us` within `tx`: how many rows left `pending`, and how
/// many parked ones got a new reason (see [`Journal::park`]). `known` as for
/// [`acknowledge_in`]; another id costs a pass over the pending and parked rows.
pub(super) fn park_in(
    tx: &Connection,
    path: &Path,
    known: &HashMap<EventId, i64>,
    refused: &[(EventId, String)],
    at_us: i64,
) -> Result<(usize, usize), JournalError> {
    if refused.is_empty() {
        return Ok((0, 0));
    }
    let mut park = tx.prepare_cached(PARK_PENDING_AT).at(path)?;
    let mut repark = tx.prepare_cached(REPARK_AT).at(path)?;
    let (mut from_pending, mut reparked) = (0usize, 0usize);
    for (id, reason) in refused {
        let key = id.0.as_bytes().as_slice();
        let pos = match known.get(id) {
            Some(&pos) => Some(pos),
            // The parked rows are looked at only if no pending row has the id.
            None => match find(tx, path, PENDING_POS, key)? {
                Some(pos) => Some(pos),
                None => find(tx, path, PARKED_POS, key)?,
            },
        };
        let Some(pos) = pos else { continue };
        if park.execute(params![pos, at_us, reason, key]).at(path)? == 1 {
            from_pending += 1;
        } else {
            reparked += repark.execute(params![pos, at_us, reason, key]).at(path)?;
        }
    }
    Ok((from_pending, reparked))
}

/// The position `sql` finds for the id `key`, if any.
fn find(tx: &Connection, path: &Path, sql: &str, key: &[u8]) -> Result<Option<i64>, JournalError> {
    tx.prepare_cached(sql)
        .at(path)?
        .query_row([key], |row| row.get(0))
        .optional()
        .at(path)
}

/// `(pos, body)` of an outbox row.
fn decode_row(row: &Row<'_>) -> rusqlite::Result<(i64, String)> {
    Ok((row.get(0)?, row.get(1)?))
}

fn decode_event(path: &Path, (pos, body): (i64, String)) -> Result<Event, JournalError> {
    serde_json::from_str(&body).map_err(|e| {
        JournalError::corrupt(
            path,
            format!("outbox row {pos} does not decode as an event: {e}"),
        )
    })
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
