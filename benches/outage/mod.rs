//! A backlog as a long outage leaves it, for the drain benchmarks
//! (`sync_drain`, `kiosk_drain`).

use chrono::Utc;
use tapin::domain::{Actor, DeviceId, EventDraft, EventKind, Method, PersonId};
use tapin::journal::Journal;

/// Each person clocks in or out every this many hours of the outage.
pub const HOURS_BETWEEN_PUNCHES: i64 = 4;

/// Records `n` events, 500 drafts per decision to keep the fill quick.
pub fn fill(
    journal: &mut Journal,
    device: DeviceId,
    people: &[PersonId],
    n: usize,
) -> anyhow::Result<()> {
    let rounds = n.div_ceil(people.len()) as i64;
    let start = Utc::now() - chrono::Duration::hours(rounds * HOURS_BETWEEN_PUNCHES + 24);
    let drafts: Vec<EventDraft> = (0..n)
        .map(|i| {
            let round = (i / people.len()) as i64;
            EventDraft {
                subject: people[i % people.len()],
                actor: Actor::Kiosk(device),
                method: Method::Badge,
                kind: if round % 2 == 0 {
                    EventKind::ClockIn
                } else {
                    EventKind::ClockOut
                },
                at: start
                    + chrono::Duration::hours(round * HOURS_BETWEEN_PUNCHES)
                    + chrono::Duration::seconds((i % people.len()) as i64),
                note: None,
                needs_review: false,
            }
        })
        .collect();
    for chunk in drafts.chunks(500) {
        journal.record(device, 0, chunk)?;
    }
    Ok(())
}
