//! Helpers for the journal's unit tests.

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use super::{Journal, JournalOptions};
use crate::domain::{Actor, DeviceId, EventDraft, EventKind, Method, PersonId};

/// A fixed instant to build times from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 8, 0, 0).single().unwrap()
}

/// A clock-in of `person` by the kiosk at `at`.
pub fn draft(person: PersonId, at: DateTime<Utc>) -> EventDraft {
    EventDraft {
        subject: person,
        actor: Actor::Kiosk(DeviceId(uuid::Uuid::nil())),
        method: Method::RosterTap,
        kind: EventKind::ClockIn,
        at,
        note: None,
        needs_review: false,
    }
}

/// A fresh temporary data dir with a journal in it.
pub fn fresh() -> (TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    (dir, journal)
}

/// Closes and reopens the journal in `dir`.
pub fn reopen(dir: &TempDir, journal: Journal) -> Journal {
    drop(journal);
    Journal::open(dir.path(), JournalOptions::default()).unwrap()
}
