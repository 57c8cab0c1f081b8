//! The hub's hot JSON, written by hand: a roster's people (a whole build
//! serialises every person twice, directory entry and state) and each event's
//! stored body at ingest. serde's generic path (chrono's instants through `fmt`,
//! ids through the escaping writer one by one) was the largest part of a
//! 10,000-person document after the reads.
//!
//! Guarantees: the bytes are exactly those `serde_json::to_writer` gives for the
//! same [`Person`], [`RosterPerson`] and [`Event`] (tested, with texts needing
//! escapes and instants of every precision); free text and numbers go through
//! serde_json itself; an instant outside the years 0–9999 or within a leap
//! second is written by serde too.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::ser::Error as _;
use uuid::Uuid;

use crate::domain::{
    Actor, Clock, Event, EventKind, JobAccess, Method, Person, PunchState, TrackingMode,
};
use crate::wire::{RosterEntry, RosterItem, RosterPerson};

/// Appends `person` as serde_json writes it.
pub(crate) fn person(out: &mut Vec<u8>, person: &Person) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"id\":");
    uuid(out, &person.id.0);
    out.extend_from_slice(b",\"name\":");
    text(out, &person.name)?;
    out.extend_from_slice(b",\"badge\":");
    opt_text(out, person.badge.as_deref())?;
    out.extend_from_slice(b",\"mode\":");
    out.extend_from_slice(match person.mode {
        TrackingMode::Personal => b"\"personal\"".as_slice(),
        TrackingMode::Individual => b"\"individual\"",
        TrackingMode::TeamLead => b"\"team_lead\"",
        TrackingMode::TeamMember => b"\"team_member\"",
    });
    out.extend_from_slice(b",\"team\":");
    match &person.team {
        Some(team) => uuid(out, &team.0),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"role\":");
    uuid(out, &person.role.0);
    out.extend_from_slice(if person.archived {
        b",\"archived\":true,\"jobs\":".as_slice()
    } else {
        b",\"archived\":false,\"jobs\":"
    });
    match &person.jobs {
        JobAccess::All => out.extend_from_slice(b"{\"type\":\"all\"}"),
        JobAccess::Only(jobs) => {
            out.extend_from_slice(b"{\"type\":\"only\",\"jobs\":[");
            for (i, job) in jobs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                uuid(out, &job.0);
            }
            out.extend_from_slice(b"]}");
        }
    }
    out.push(b'}');
    Ok(())
}

/// Appends `person` as serde_json writes it.
pub(crate) fn roster_person(
    out: &mut Vec<u8>,
    person: &RosterPerson,
) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"id\":");
    uuid(out, &person.id.0);
    out.extend_from_slice(b",\"state\":");
    state(out, &person.state)?;
    out.extend_from_slice(b",\"pin_verifier\":");
    opt_text(out, person.pin_verifier.as_deref())?;
    out.push(b'}');
    Ok(())
}

/// Appends `entry` as serde_json writes it.
pub(crate) fn roster_entry(
    out: &mut Vec<u8>,
    entry: &RosterEntry,
) -> Result<(), serde_json::Error> {
    out.push(b'{');
    if let Some(group) = &entry.group {
        out.extend_from_slice(b"\"group\":");
        text(out, group)?;
        out.push(b',');
    }
    let (item, id) = match &entry.item {
        RosterItem::Person(p) => (b"\"item\":{\"type\":\"person\",\"id\":".as_slice(), &p.0),
        RosterItem::Team(t) => (b"\"item\":{\"type\":\"team\",\"id\":".as_slice(), &t.0),
    };
    out.extend_from_slice(item);
    uuid(out, id);
    out.extend_from_slice(b"}}");
    Ok(())
}

/// `event` as serde_json writes it.
pub(crate) fn event(event: &Event) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"{\"id\":");
    uuid(&mut out, &event.id.0);
    out.extend_from_slice(b",\"device\":");
    uuid(&mut out, &event.device.0);
    out.extend_from_slice(b",\"seq\":");
    serde_json::to_writer(&mut out, &event.seq)?;
    out.extend_from_slice(b",\"subject\":");
    uuid(&mut out, &event.subject.0);
    let (actor, id) = match &event.actor {
        Actor::Person(p) => (b",\"actor\":{\"type\":\"person\",\"id\":".as_slice(), &p.0),
        Actor::Kiosk(d) => (b",\"actor\":{\"type\":\"kiosk\",\"id\":".as_slice(), &d.0),
    };
    out.extend_from_slice(actor);
    uuid(&mut out, id);
    out.extend_from_slice(b"},\"method\":");
    out.extend_from_slice(match event.method {
        Method::Badge => b"\"badge\"".as_slice(),
        Method::Pin => b"\"pin\"",
        Method::RosterTap => b"\"roster_tap\"",
        Method::Team => b"\"team\"",
        Method::SupervisorOverride => b"\"supervisor_override\"",
        Method::Admin => b"\"admin\"",
    });
    out.extend_from_slice(b",\"kind\":{\"type\":\"");
    out.extend_from_slice(event.kind.name().as_bytes());
    out.push(b'"');
    match &event.kind {
        EventKind::CheckIn { job } | EventKind::CheckOut { job } => {
            out.extend_from_slice(b",\"job\":");
            uuid(&mut out, &job.0);
        }
        EventKind::Correction {
            corrects,
            new_time,
            reason,
        } => {
            out.extend_from_slice(b",\"corrects\":");
            uuid(&mut out, &corrects.0);
            out.extend_from_slice(b",\"new_time\":");
            instant(&mut out, new_time)?;
            out.extend_from_slice(b",\"reason\":");
            text(&mut out, reason)?;
        }
        EventKind::ClockIn | EventKind::ClockOut | EventKind::BreakStart | EventKind::BreakEnd => {}
    }
    out.extend_from_slice(b"},\"at\":");
    instant(&mut out, &event.at)?;
    out.extend_from_slice(b",\"utc_offset_secs\":");
    serde_json::to_writer(&mut out, &event.utc_offset_secs)?;
    out.extend_from_slice(b",\"note\":");
    opt_text(&mut out, event.note.as_deref())?;
    out.extend_from_slice(if event.needs_review {
        b",\"needs_review\":true".as_slice()
    } else {
        b",\"needs_review\":false"
    });
    if let Some(ms) = event.clock_offset_ms {
        out.extend_from_slice(b",\"clock_offset_ms\":");
        serde_json::to_writer(&mut out, &ms)?;
    }
    out.push(b'}');
    // Only ASCII punctuation, serde's own output and valid UTF-8 were written.
    String::from_utf8(out).map_err(|e| serde_json::Error::custom(e.to_string()))
}

fn state(out: &mut Vec<u8>, state: &PunchState) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"clock\":");
    match state.clock {
        Clock::Out => out.extend_from_slice(b"{\"type\":\"out\"}"),
        Clock::In { since } => {
            out.extend_from_slice(b"{\"type\":\"in\",\"since\":");
            instant(out, &since)?;
            out.push(b'}');
        }
        Clock::OnBreak { since, break_since } => {
            out.extend_from_slice(b"{\"type\":\"on_break\",\"since\":");
            instant(out, &since)?;
            out.extend_from_slice(b",\"break_since\":");
            instant(out, &break_since)?;
            out.push(b'}');
        }
    }
    out.extend_from_slice(b",\"job\":");
    match &state.job {
        Some(job) => {
            out.extend_from_slice(b"{\"job\":");
            uuid(out, &job.job.0);
            out.extend_from_slice(b",\"since\":");
            instant(out, &job.since)?;
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"last_punch\":");
    match &state.last_punch {
        Some(at) => instant(out, at)?,
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    Ok(())
}

/// A uuid as serde writes it: hyphenated, lower case, quoted (no escapes).
fn uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

/// Free text, through serde_json's own escaper.
fn text(out: &mut Vec<u8>, s: &str) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, s)
}

/// Optional free text: the text, or `null`.
fn opt_text(out: &mut Vec<u8>, s: Option<&str>) -> Result<(), serde_json::Error> {
    match s {
        Some(s) => text(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// An instant as chrono's `Serialize` writes it (RFC 3339, `Z`, fractional
/// seconds in 3, 6 or 9 digits as needed, none when whole), quoted.
fn instant(out: &mut Vec<u8>, at: &DateTime<Utc>) -> Result<(), serde_json::Error> {
    let year = at.year();
    let nano = at.nanosecond();
    if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
        return serde_json::to_writer(out, at);
    }
    out.push(b'"');
    digits(out, year as u32, 4);
    out.push(b'-');
    digits(out, at.month(), 2);
    out.push(b'-');
    digits(out, at.day(), 2);
    out.push(b'T');
    digits(out, at.hour(), 2);
    out.push(b':');
    digits(out, at.minute(), 2);
    out.push(b':');
    digits(out, at.second(), 2);
    if nano != 0 {
        out.push(b'.');
        if nano.is_multiple_of(1_000_000) {
            digits(out, nano / 1_000_000, 3);
        } else if nano.is_multiple_of(1_000) {
            digits(out, nano / 1_000, 6);
        } else {
            digits(out, nano, 9);
        }
    }
    out.extend_from_slice(b"Z\"");
    Ok(())
}

/// `value` in exactly `width` decimal digits (zero-padded; `value` fits).
fn digits(out: &mut Vec<u8>, mut value: u32, width: usize) {
    let mut buf = [b'0'; 10];
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::{DeviceId, EventId, JobId, OnJob, PersonId, RoleId, TeamId};

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, nanos)
            .single()
            .expect("a valid instant")
    }

    fn instants() -> impl Strategy<Value = DateTime<Utc>> {
        // Years 1970–2200; whole seconds, and millis, micros and nanos.
        (0i64..7_258_118_400, 0u32..4, 0u32..1_000_000_000).prop_map(|(secs, kind, n)| {
            let nanos = match kind {
                0 => 0,
                1 => n / 1_000_000 * 1_000_000,
                2 => n / 1_000 * 1_000,
                _ => n,
            };
            at(secs, nanos)
        })
    }

    fn texts() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[a-zA-Z \"\\\\é\u{1}\u{1f}\n\t/<>&\u{7f}\u{2028}😀]{0,24}",
        ]
    }

    fn clocks() -> impl Strategy<Value = Clock> {
        prop_oneof![
            Just(Clock::Out),
            instants().prop_map(|since| Clock::In { since }),
            (instants(), instants())
                .prop_map(|(since, break_since)| Clock::OnBreak { since, break_since }),
        ]
    }

    proptest! {
        #[test]
        fn roster_people_are_written_as_serde_writes_them(
            clock in clocks(),
            job in proptest::option::of(instants()),
            last in proptest::option::of(instants()),
            verifier in proptest::option::of(texts()),
        ) {
            let rp = RosterPerson {
                id: PersonId::new(),
                state: PunchState {
                    clock,
                    job: job.map(|since| OnJob { job: JobId::new(), since }),
                    last_punch: last,
                },
                pin_verifier: verifier,
            };
            let mut out = Vec::new();
            roster_person(&mut out, &rp).expect("written");
            prop_assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string(&rp).expect("serialised")
            );
        }

        #[test]
        fn people_are_written_as_serde_writes_them(
            name in texts(),
            badge in proptest::option::of(texts()),
            mode in 0u8..4,
            team in any::<bool>(),
            archived in any::<bool>(),
            jobs in proptest::option::of(0usize..4),
        ) {
            let p = Person {
                id: PersonId::new(),
                name,
                badge,
                mode: match mode {
                    0 => TrackingMode::Personal,
                    1 => TrackingMode::Individual,
                    2 => TrackingMode::TeamLead,
                    _ => TrackingMode::TeamMember,
                },
                team: team.then(TeamId::new),
                role: RoleId::new(),
                archived,
                jobs: match jobs {
                    None => JobAccess::All,
                    Some(n) => JobAccess::Only((0..n).map(|_| JobId::new()).collect::<BTreeSet<_>>()),
                },
            };
            let mut out = Vec::new();
            person(&mut out, &p).expect("written");
            prop_assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string(&p).expect("serialised")
            );
        }
    }

    fn kinds() -> impl Strategy<Value = EventKind> {
        prop_oneof![
            Just(EventKind::ClockIn),
            Just(EventKind::ClockOut),
            Just(EventKind::BreakStart),
            Just(EventKind::BreakEnd),
            Just(EventKind::CheckIn { job: JobId::new() }),
            Just(EventKind::CheckOut { job: JobId::new() }),
            (instants(), texts()).prop_map(|(new_time, reason)| EventKind::Correction {
                corrects: EventId::new(),
                new_time,
                reason,
            }),
        ]
    }

    proptest! {
        #[test]
        fn events_are_written_as_serde_writes_them(
            seq in any::<u64>(),
            by_person in any::<bool>(),
            method in 0u8..6,
            kind in kinds(),
            at in instants(),
            offset in any::<i32>(),
            note in proptest::option::of(texts()),
            needs_review in any::<bool>(),
            clock_offset_ms in proptest::option::of(any::<i64>()),
        ) {
            let device = DeviceId::new();
            let e = Event {
                id: EventId::new(),
                device,
                seq,
                subject: PersonId::new(),
                actor: if by_person { Actor::Person(PersonId::new()) } else { Actor::Kiosk(device) },
                method: match method {
                    0 => Method::Badge,
                    1 => Method::Pin,
                    2 => Method::RosterTap,
                    3 => Method::Team,
                    4 => Method::SupervisorOverride,
                    _ => Method::Admin,
                },
                kind,
                at,
                utc_offset_secs: offset,
                note,
                needs_review,
                clock_offset_ms,
            };
            prop_assert_eq!(event(&e).expect("written"), serde_json::to_string(&e).expect("serialised"));
        }
    }

    proptest! {
        #[test]
        fn roster_entries_are_written_as_serde_writes_them(
            group in proptest::option::of(texts()),
            team in any::<bool>(),
        ) {
            let entry = RosterEntry {
                group,
                item: if team { RosterItem::Team(TeamId::new()) } else { RosterItem::Person(PersonId::new()) },
            };
            let mut out = Vec::new();
            roster_entry(&mut out, &entry).expect("written");
            prop_assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string(&entry).expect("serialised")
            );
        }
    }

    #[test]
    fn instants_outside_four_digit_years_and_leap_seconds_go_through_serde() {
        let far = Utc
            .with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let leap = at(1_483_228_799, 1_500_000_000);
        for t in [far, leap, at(0, 0), at(1, 1)] {
            let mut out = Vec::new();
            instant(&mut out, &t).expect("written");
            assert_eq!(out, serde_json::to_vec(&t).expect("serialised"));
        }
    }
}
