//! The outbox as the sync worker drains it: pending events read as the JSON they
//! were recorded as (sent to the hub as they are, not decoded and encoded again),
//! and each answer settled in one transaction.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::de::IgnoredAny;

use super::Journal;
use super::codec::{micros, uuid};
use super::error::{JournalError, SqliteResultExt};
use super::outbox::{OutboxPos, acknowledge_in, park_in};
use super::sync_cursor::set_last_push_in;
use crate::domain::EventId;

/// [`super::outbox`]'s pending page, with the id column beside the body.
const PENDING_JSON_AFTER: &str = "SELECT o.pos, o.id, e.body \
     FROM outbox AS o INDEXED BY outbox_pending JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'pending' AND o.pos > ?2 ORDER BY o.pos LIMIT ?1";

/// A pending event as the worker sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedEvent {
    pub id: EventId,
    /// The event's JSON, as recorded (a serialized [`crate::domain::Event`]).
    pub json: String,
}

/// Pending and parked counts after [`Journal::settle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: u64,
    pub parked: u64,
}

impl Journal {
    /// Up to `limit` pending events after `after`, oldest first, as recorded, and
    /// the position of the last one (`after` when none). Like
    /// [`Journal::pending_after`] without decoding the events: each body is only
    /// checked to be JSON, so a damaged row is a journal error here, as there.
    pub fn pending_json_after(
        &self,
        after: OutboxPos,
        limit: usize,
    ) -> Result<(Vec<QueuedEvent>, OutboxPos), JournalError> {
        let path = self.db_path.as_path();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(PENDING_JSON_AFTER).at(path)?;
        let rows = stmt
            .query_map(params![limit, after.0], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, [u8; 16]>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .at(path)?;
        let mut last = after;
        let mut events = Vec::new();
        for row in rows {
            let (pos, id, json) = row.at(path)?;
            if let Err(e) = serde_json::from_str::<IgnoredAny>(&json) {
                return Err(JournalError::corrupt(
                    path,
                    format!("outbox row {pos} does not decode as an event: {e}"),
                ));
            }
            last = OutboxPos(pos);
            events.push(QueuedEvent {
                id: EventId(uuid(id)),
                json,
            });
        }
        Ok((events, last))
    }

    /// Settles the hub's answer to one batch at `at`: acknowledges `stored`, parks
    /// `refused` and notes the push, in one transaction (one fsync per batch, not
    /// three). Same effect as [`Journal::acknowledge`], [`Journal::park`] and
    /// [`Journal::set_last_push`] one after the other.
    pub fn settle(
        &mut self,
        stored: &[EventId],
        refused: &[(EventId, String)],
        at: DateTime<Utc>,
    ) -> Result<OutboxCounts, JournalError> {
        let at_us = micros(at);
        let left_pending = self.write(|tx, path| {
            let (acked, _) = acknowledge_in(tx, path, stored, at_us)?;
            let (parked, _) = park_in(tx, path, refused, at_us)?;
            set_last_push_in(tx, path, at)?;
            Ok(acked + parked)
        })?;
        self.pending -= left_pending as u64;
        Ok(OutboxCounts {
            pending: self.pending,
            parked: self.parked_count()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DeviceId, Event, PersonId};
    use crate::journal::test_support::{draft, fresh, t0};

    /// `n` clock-ins of one person, one decision.
    fn record_n(j: &mut Journal, n: usize) -> Vec<Event> {
        let p = PersonId::new();
        let drafts: Vec<_> = (0..n).map(|_| draft(p, t0())).collect();
        j.record(DeviceId::new(), 0, &drafts).unwrap()
    }

    #[test]
    fn pending_json_is_the_recorded_event_with_its_id() {
        let (_dir, mut j) = fresh();
        let events = record_n(&mut j, 5);
        let (first, after) = j.pending_json_after(OutboxPos::START, 3).unwrap();
        let decoded: Vec<crate::domain::Event> = first
            .iter()
            .map(|q| serde_json::from_str(&q.json).unwrap())
            .collect();
        assert_eq!(decoded, events[..3]);
        assert!(first.iter().zip(&events).all(|(q, e)| q.id == e.id));
        let (rest, end) = j.pending_json_after(after, 10).unwrap();
        assert_eq!(rest.len(), 2);
        assert_eq!(j.pending_json_after(end, 10).unwrap(), (Vec::new(), end));
    }

    #[test]
    fn settle_acknowledges_parks_and_notes_the_push_at_once() {
        let (_dir, mut j) = fresh();
        let events = record_n(&mut j, 4);
        let now = Utc::now();
        let counts = j
            .settle(
                &[events[0].id, events[1].id],
                &[(events[2].id, "no such job".into())],
                now,
            )
            .unwrap();
        assert_eq!(
            counts,
            OutboxCounts {
                pending: 1,
                parked: 1
            }
        );
        assert_eq!(j.pending_count(), 1);
        assert_eq!(j.pending_batch(10).unwrap(), [events[3].clone()]);
        assert_eq!(j.parked().unwrap()[0].reason, "no such job");
        assert_eq!(
            j.sync_cursor().unwrap().last_push_at.map(micros),
            Some(micros(now))
        );
        // Settling the same answer again changes nothing.
        let again = j
            .settle(
                &[events[0].id, events[1].id],
                &[(events[2].id, "no such job".into())],
                now,
            )
            .unwrap();
        assert_eq!(again, counts);
    }
}
