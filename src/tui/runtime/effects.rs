//! Carrying out commands: the journal (record, PIN counters, parked events),
//! the PIN check on its own thread, the bell and the sync nudge. Answers come
//! back as messages.

mod admin;

use std::sync::mpsc::Sender;

use chrono::{DateTime, Utc};

use super::super::msg::{Cmd, Hours, Msg, ParkedRow, Recorded};
use super::super::roster::Roster;
use super::LoopEvent;
use crate::domain::timesheet::{local_day_start, local_week_start};
use crate::domain::{DeviceId, Event, PersonId, PinAttempts, TrackingMode, hours_since};
use crate::journal::{Journal, JournalError, PinFailures};
use crate::sync::worker::SharedJournal;
use crate::wire::RosterResponse;

/// What commands act on.
pub struct Services {
    pub journal: SharedJournal,
    pub device: DeviceId,
    /// The organisation's PIN pepper (hex); never logged.
    pub pepper: String,
    pub nudge: Box<dyn Fn() + Send>,
    pub bell: Box<dyn FnMut() + Send>,
    /// Where answers from other threads go.
    pub tx: Sender<LoopEvent>,
    /// The hub, for the Admin screen's roster editor and re-enrollment (`None`
    /// in tests and benches without one).
    pub hub: Option<HubAccess>,
}

pub use admin::{HubAccess, ROSTER_CHANGE};

pub(super) fn lock(journal: &SharedJournal) -> std::sync::MutexGuard<'_, Journal> {
    // A panic elsewhere while holding the journal leaves it usable: every
    // journal call is its own transaction.
    journal
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Carries out `cmd`; answers available at once are returned, others are sent
/// on `services.tx` later.
pub fn execute(services: &mut Services, cmd: Cmd, roster: Option<&Roster>) -> Vec<Msg> {
    match cmd {
        Cmd::Record {
            request,
            drafts,
            utc_offset_secs,
            hours_for,
        } => {
            let subject = hours_subject(hours_for, roster);
            let mut j = lock(&services.journal);
            let result = j
                .record(services.device, utc_offset_secs, &drafts)
                .map_err(|e| e.to_string())
                .map(|events| {
                    let hours = hours(&j, subject, &events, utc_offset_secs);
                    Recorded { events, hours }
                });
            vec![Msg::Recorded { request, result }]
        }
        Cmd::VerifyPin {
            request,
            person,
            pin,
            verifier,
        } => {
            let pepper = services.pepper.clone();
            let tx = services.tx.clone();
            // argon2id takes a good fraction of a second: never on the screen thread.
            let spawned = std::thread::Builder::new()
                .name("pin-check".into())
                .spawn(move || {
                    let result = crate::secrets::pin_verifier::verify(&pin, &verifier, &pepper)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(LoopEvent::Msg(Msg::PinChecked {
                        request,
                        person,
                        result,
                    }));
                });
            match spawned {
                Ok(_) => Vec::new(),
                Err(e) => vec![Msg::PinChecked {
                    request,
                    person,
                    result: Err(format!("cannot start the PIN check: {e}")),
                }],
            }
        }
        Cmd::LoadPinAttempts { person } => {
            let attempts = match lock(&services.journal).pin_failures(person) {
                Ok(f) => PinAttempts {
                    failures: f.count,
                    locked_until: f.locked_until,
                },
                Err(e) => {
                    tracing::error!("reading PIN failures: {e}");
                    PinAttempts::default()
                }
            };
            vec![Msg::PinAttempts { person, attempts }]
        }
        Cmd::SavePinAttempts { person, attempts } => {
            let mut j = lock(&services.journal);
            let saved = if attempts == PinAttempts::default() {
                j.clear_pin_failures(person)
            } else {
                j.set_pin_failures(
                    person,
                    PinFailures {
                        count: attempts.failures,
                        locked_until: attempts.locked_until,
                    },
                )
            };
            if let Err(e) = saved {
                tracing::error!("storing PIN failures: {e}");
            }
            Vec::new()
        }
        Cmd::LoadPrivilegedGate => vec![Msg::PrivilegedGate(admin::load_privileged_gate(services))],
        Cmd::SavePrivilegedGate(gate) => {
            admin::save_privileged_gate(services, gate);
            Vec::new()
        }
        Cmd::Bell => {
            (services.bell)();
            Vec::new()
        }
        Cmd::NudgeSync => {
            (services.nudge)();
            Vec::new()
        }
        Cmd::LoadParked => {
            let rows = lock(&services.journal)
                .parked()
                .map_err(|e| e.to_string())
                .map(|parked| {
                    parked
                        .into_iter()
                        .map(|p| ParkedRow {
                            id: p.event.id,
                            subject: roster.map_or_else(
                                || p.event.subject.to_string(),
                                |r| r.name(p.event.subject).to_owned(),
                            ),
                            kind: p.event.kind.name(),
                            at: p.event.at,
                            reason: p.reason,
                        })
                        .collect()
                });
            vec![Msg::Parked(rows)]
        }
        Cmd::RetryParked(id) => {
            if let Err(e) = lock(&services.journal).retry_parked(id) {
                tracing::error!("retrying parked event {id}: {e}");
            }
            Vec::new()
        }
        Cmd::Exit => Vec::new(),
        Cmd::LoadRosterEntries => vec![admin::roster_entries(services, roster)],
        Cmd::LoadCandidates { acting } => admin::load_candidates(services, acting),
        Cmd::QueueRosterChange { acting, entries } => {
            vec![admin::queue_roster_change(services, acting, entries)]
        }
        Cmd::LoadAdminChanges => vec![admin::admin_changes(services, roster)],
        Cmd::Reenroll { hub, code } => admin::reenroll(services, hub, code),
    }
}

/// Whose hours a punch's confirmation shows (`hours_for`), with their
/// tracking mode.
pub(super) fn hours_subject(
    hours_for: Option<PersonId>,
    roster: Option<&Roster>,
) -> Option<(PersonId, TrackingMode)> {
    hours_for.map(|p| (p, roster.map_or(TrackingMode::Personal, |r| r.mode(p))))
}

/// Today's and this week's (from Monday) hours of `subject` up to the time of
/// the punch that recorded `events`, from this device's journal, in the
/// device's offset.
pub(super) fn hours(
    j: &Journal,
    subject: Option<(PersonId, TrackingMode)>,
    events: &[Event],
    utc_offset_secs: i32,
) -> Option<Hours> {
    let (person, mode) = subject?;
    let now = events.first()?.at;
    let today = local_day_start(now, utc_offset_secs);
    let monday = local_week_start(now, utc_offset_secs);
    let events = j
        .events_for_person_since(person, monday)
        .inspect_err(|e| tracing::warn!("reading hours: {e}"))
        .ok()?;
    Some(Hours {
        today: hours_since(&events, mode, today, now),
        week: hours_since(&events, mode, monday, now),
    })
}

/// The cached roster with this device's events that it may not show applied
/// (pending ones, and those acknowledged after it was fetched: see
/// [`crate::journal::Journal::unsynced_after`]). `None` when no roster was ever
/// received.
///
/// Read from the roster's snapshot when there is one for the roster cached
/// now; otherwise the hub's JSON is parsed and built, and the snapshot stored
/// for the next start (once per roster).
pub fn load_roster(journal: &SharedJournal) -> Result<Option<Roster>, JournalError> {
    let mut j = lock(journal);
    let snapshot = j.with_roster_snapshot(Roster::from_snapshot_reader)?;
    let (mut roster, fetched_at) = match snapshot {
        Some((Ok(roster), _, fetched_at)) => (roster, fetched_at),
        other => {
            if let Some((Err(e), _, _)) = other {
                tracing::warn!("rebuilding the roster from the hub's JSON: {e}");
            }
            let Some((roster, fetched_at)) = roster_from_json(&j)? else {
                return Ok(None);
            };
            keep_snapshot(&mut j, &roster);
            (roster, fetched_at)
        }
    };
    let mut after = crate::journal::OutboxPos::START;
    loop {
        let (events, last) = j.unsynced_after(fetched_at, after, 1000)?;
        if events.is_empty() {
            break;
        }
        roster.apply(&events);
        after = last;
    }
    j.release_memory();
    Ok(Some(roster))
}

/// The screen's roster built from the cached JSON, and when it was fetched.
fn roster_from_json(j: &Journal) -> Result<Option<(Roster, DateTime<Utc>)>, JournalError> {
    // Parsed where SQLite holds the body: no copy of megabytes beside it.
    let parsed =
        j.with_cached_roster_body(|body| serde_json::from_slice::<RosterResponse>(body))?;
    match parsed {
        None => Ok(None),
        Some((Ok(r), fetched_at)) => Ok(Some((Roster::from_response(r), fetched_at))),
        Some((Err(e), _)) => {
            tracing::error!("the cached roster does not parse: {e}");
            Ok(None)
        }
    }
}

/// Stores the snapshot of `roster`, just built from the cached JSON. A failure
/// only costs the next start the JSON again.
fn keep_snapshot(j: &mut Journal, roster: &Roster) {
    let kept = roster
        .to_snapshot()
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            let (etag, fetched_at) = j
                .cached_roster_meta()
                .map_err(|e| e.to_string())?
                .ok_or("the cached roster is gone")?;
            j.store_roster_snapshot(&etag, fetched_at, &bytes)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = kept {
        tracing::warn!("cannot keep the roster snapshot (the next start parses the JSON): {e}");
    }
}
