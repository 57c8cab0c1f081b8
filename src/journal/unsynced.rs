//! This device's events the cached roster cannot show yet: the kiosk lays them
//! over the hub's states so that a person who just punched is shown (and offered
//! actions) as they are, even after a restart before the next roster arrives.
//!
//! The sync worker notes the roster's fetch time just before it sends the
//! request, so an event acknowledged before that time was committed at the hub
//! before the roster was built, and is in it. What may not be: every pending
//! event, and every event acknowledged at or after the fetch time. Parked events
//! are not at the hub either, but the hub refused them: they are left out.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::codec::micros;
use super::outbox::OutboxPos;
use super::{Journal, JournalError};
use crate::domain::Event;

/// Each half on its own partial index, so that start-up does not walk the
/// acknowledged rows the journal keeps for days.
const UNSYNCED_AFTER: &str = "SELECT o.pos, e.body \
     FROM outbox AS o INDEXED BY outbox_pending JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'pending' AND o.pos > ?2 \
     UNION ALL \
     SELECT o.pos, e.body \
     FROM outbox AS o INDEXED BY outbox_acked JOIN outbox_event AS e ON e.pos = o.pos \
     WHERE o.state = 'acked' AND o.acked_at_us >= ?3 AND o.pos > ?2 \
     ORDER BY 1 LIMIT ?1";

impl Journal {
    /// Up to `limit` events after `after`, in journal order, that a roster
    /// fetched at `roster_fetched_at` may not include (see the module), and the
    /// position of the last one returned (`after` when none).
    pub fn unsynced_after(
        &self,
        roster_fetched_at: DateTime<Utc>,
        after: OutboxPos,
        limit: usize,
    ) -> Result<(Vec<Event>, OutboxPos), JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let since = micros(roster_fetched_at);
        self.page_after(UNSYNCED_AFTER, params![limit, after.0, since], after, false)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::{DeviceId, PersonId};
    use crate::journal::test_support::{draft, fresh, reopen, t0};

    fn ids(events: &[Event]) -> Vec<crate::domain::EventId> {
        events.iter().map(|e| e.id).collect()
    }

    #[test]
    fn pending_and_late_acknowledged_events_are_unsynced() {
        let (dir, mut j) = fresh();
        let device = DeviceId::new();
        let p = PersonId::new();
        let fetched = t0() + Duration::minutes(10);
        let acked_before = j.record(device, 0, &[draft(p, t0())]).unwrap();
        let acked_after = j.record(device, 0, &[draft(p, t0())]).unwrap();
        let parked = j.record(device, 0, &[draft(p, t0())]).unwrap();
        let pending = j.record(device, 0, &[draft(p, t0())]).unwrap();
        j.acknowledge(&ids(&acked_before), fetched - Duration::seconds(1))
            .unwrap();
        // Acknowledged at the very instant of the fetch: it may have been in flight.
        j.acknowledge(&ids(&acked_after), fetched).unwrap();
        j.park(&[(parked[0].id, "refused".to_owned())], fetched)
            .unwrap();
        let j = reopen(&dir, j);

        let (events, last) = j.unsynced_after(fetched, OutboxPos::START, 10).unwrap();
        let mut want = ids(&acked_after);
        want.extend(ids(&pending));
        assert_eq!(ids(&events), want);

        let (rest, end) = j.unsynced_after(fetched, last, 10).unwrap();
        assert!(rest.is_empty());
        assert_eq!(end, last);
        let (first, after_first) = j.unsynced_after(fetched, OutboxPos::START, 1).unwrap();
        assert_eq!(ids(&first), ids(&acked_after));
        let (second, _) = j.unsynced_after(fetched, after_first, 1).unwrap();
        assert_eq!(ids(&second), ids(&pending));
    }
}
