//! The outbox as the sync worker drains it: each answer of the hub settled in one
//! transaction.

use chrono::{DateTime, Utc};

use super::Journal;
use super::codec::micros;
use super::error::JournalError;
use super::outbox::{acknowledge_in, park_in};
use super::sync_cursor::set_last_push_in;
use crate::domain::EventId;

/// Pending and parked counts after [`Journal::settle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: u64,
    pub parked: u64,
}

impl Journal {
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
        let settled = stored.iter().copied();
        let settled = settled.chain(refused.iter().map(|(id, _)| *id));
        let left_pending = self.settling(settled, |j, known| {
            j.write(|tx, path| {
                let (acked, _) = acknowledge_in(tx, path, known, stored, at_us)?;
                let (parked, _) = park_in(tx, path, known, refused, at_us)?;
                set_last_push_in(tx, path, at)?;
                Ok(acked + parked)
            })
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
