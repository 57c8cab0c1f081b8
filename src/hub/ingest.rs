//! What the hub does with a batch of events from a device: check each one, store
//! the good ones idempotently, flag those that break a punch rule, and answer one
//! result per event.
//!
//! Guarantees:
//! - an event is **rejected** (never written) only when it cannot be a fact of this
//!   device in this organisation: another device's event, a subject, actor or job
//!   not of this organisation, an impossible time or offset, an oversized or
//!   control-character-laden text, an id already used by another device;
//! - an event that merely breaks a punch rule (a clock-out with no clock-in from a
//!   device that was offline, a time ahead of the hub's clock, an archived person)
//!   is **accepted**, stored, and flagged in `anomaly`: never dropped;
//! - an id seen before from this device is a **duplicate**: a success, stored once;
//! - the accepted part of a batch is one transaction: all of it or none of it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::store::{AuthedDevice, PersonFacts, Store, StoreResult, Stored};
use crate::domain::{
    Actor, AnomalyKind, DeviceId, Event, EventId, EventKind, JobId, PersonId, TrackingMode, replay,
};
use crate::wire::{EventResult, EventStatus, MAX_TEXT_BYTES};

/// A device clock this far ahead of the hub's is flagged.
const AHEAD_TOLERANCE: Duration = Duration::minutes(5);
/// UTC offsets run from -12 h to +14 h; a margin beyond is still refused.
const MAX_OFFSET_SECS: i32 = 18 * 3600;

/// Stores a batch from `device` and says what became of each event, in order.
pub async fn ingest_batch(
    store: &Store,
    device: &AuthedDevice,
    events: Vec<Event>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<EventResult>> {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; events.len()];
    // Each id's first occurrence; later copies share its fate.
    let mut first: HashMap<_, usize> = HashMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut candidates: Vec<usize> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(&j) = first.get(&e.id) {
            copies.push((i, j));
            continue;
        }
        first.insert(e.id, i);
        match check_event(e, device.id, now) {
            Ok(()) => candidates.push(i),
            Err(reason) => verdicts[i] = Some(Verdict::Rejected(reason)),
        }
    }

    let (people, jobs) = referenced(&events, &candidates);
    let known_people = store.known_people(device.org, &people).await?;
    let known_jobs: HashSet<JobId> = store
        .known_jobs(device.org, &jobs)
        .await?
        .into_iter()
        .collect();
    candidates.retain(
        |&i| match check_membership(&events[i], &known_people, &known_jobs) {
            Ok(()) => true,
            Err(reason) => {
                verdicts[i] = Some(Verdict::Rejected(reason));
                false
            }
        },
    );

    let batch: Vec<Event> = candidates.iter().map(|&i| events[i].clone()).collect();
    // Corrections may name events older than the history the anomaly check reads.
    let corrected: Vec<EventId> = candidates
        .iter()
        .filter_map(|&i| match &events[i].kind {
            EventKind::Correction { corrects, .. } => Some(*corrects),
            _ => None,
        })
        .collect();
    let known_events = store.known_events(device.org, &corrected).await?;
    let judge = move |subject: PersonId, timeline: &[Event]| {
        let facts = known_people.get(&subject).copied();
        judge_timeline(timeline, facts, &known_events, now)
    };
    let stored = store
        .ingest(device.org, device.id, &batch, now, &judge)
        .await?;
    for (&i, outcome) in candidates.iter().zip(stored) {
        verdicts[i] = Some(match outcome {
            Stored::Accepted { anomaly } => Verdict::Accepted(anomaly),
            Stored::Duplicate => Verdict::Duplicate,
            Stored::Conflict => {
                Verdict::Rejected("this event id is already used by another device's event".into())
            }
        });
    }
    for (i, j) in copies {
        verdicts[i] = Some(match &verdicts[j] {
            Some(Verdict::Rejected(reason)) => Verdict::Rejected(reason.clone()),
            _ => Verdict::Duplicate,
        });
    }
    Ok(events
        .iter()
        .zip(verdicts)
        .map(|(e, v)| {
            v.unwrap_or(Verdict::Rejected("not processed".into()))
                .result(e)
        })
        .collect())
}

#[derive(Clone, Debug)]
enum Verdict {
    Accepted(Option<String>),
    Duplicate,
    Rejected(String),
}

impl Verdict {
    fn result(self, event: &Event) -> EventResult {
        let (status, reason, anomaly) = match self {
            Verdict::Accepted(anomaly) => (EventStatus::Accepted, None, anomaly),
            Verdict::Duplicate => (EventStatus::Duplicate, None, None),
            Verdict::Rejected(reason) => (EventStatus::Rejected, Some(reason), None),
        };
        EventResult {
            id: event.id,
            status,
            reason,
            anomaly,
        }
    }
}

/// The people (subjects, acting people) and jobs the candidates name, once each.
fn referenced(events: &[Event], candidates: &[usize]) -> (Vec<PersonId>, Vec<JobId>) {
    let mut people = HashSet::new();
    let mut jobs = HashSet::new();
    for &i in candidates {
        let e = &events[i];
        people.insert(e.subject);
        if let Actor::Person(p) = e.actor {
            people.insert(p);
        }
        if let EventKind::CheckIn { job } | EventKind::CheckOut { job } = e.kind {
            jobs.insert(job);
        }
    }
    (people.into_iter().collect(), jobs.into_iter().collect())
}

/// Checks that need no database: the event is this device's and its values can
/// be real.
pub fn check_event(event: &Event, device: DeviceId, now: DateTime<Utc>) -> Result<(), String> {
    if event.device != device {
        return Err(format!(
            "event.device {} is not the device sending it ({device})",
            event.device
        ));
    }
    if let Actor::Kiosk(other) = event.actor
        && other != device
    {
        return Err(format!("actor is the kiosk of another device ({other})"));
    }
    if i64::try_from(event.seq).is_err() {
        return Err(format!("seq {} is out of range", event.seq));
    }
    check_time("at", event.at, now)?;
    if event.utc_offset_secs.abs() > MAX_OFFSET_SECS {
        return Err(format!(
            "utc_offset_secs {} is not a real UTC offset",
            event.utc_offset_secs
        ));
    }
    if let Some(note) = &event.note {
        check_text("note", note)?;
    }
    if let EventKind::Correction {
        corrects,
        new_time,
        reason,
    } = &event.kind
    {
        if *corrects == event.id {
            return Err("a correction cannot correct itself".into());
        }
        check_time("new_time", *new_time, now)?;
        if reason.trim().is_empty() {
            return Err("a correction needs a reason".into());
        }
        check_text("reason", reason)?;
    }
    Ok(())
}

fn check_time(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), String> {
    let floor = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single();
    if floor.is_some_and(|floor| at < floor) {
        return Err(format!(
            "{field} {at} is before 2000: the device clock was not set"
        ));
    }
    if at > now + Duration::days(366) {
        return Err(format!(
            "{field} {at} is more than a year ahead of the hub's clock"
        ));
    }
    Ok(())
}

fn check_text(field: &str, text: &str) -> Result<(), String> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "{field} is {} bytes; at most {MAX_TEXT_BYTES} are allowed",
            text.len()
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!("{field} contains control characters"));
    }
    Ok(())
}

/// Checks that the subject, an acting person and a job are of the organisation.
fn check_membership(
    event: &Event,
    people: &HashMap<PersonId, PersonFacts>,
    jobs: &HashSet<JobId>,
) -> Result<(), String> {
    if !people.contains_key(&event.subject) {
        return Err(format!(
            "subject {} is not a person of this organisation",
            event.subject
        ));
    }
    if let Actor::Person(p) = event.actor
        && !people.contains_key(&p)
    {
        return Err(format!("actor {p} is not a person of this organisation"));
    }
    if let EventKind::CheckIn { job } | EventKind::CheckOut { job } = event.kind
        && !jobs.contains(&job)
    {
        return Err(format!("job {job} is not a job of this organisation"));
    }
    Ok(())
}

/// Every flag of each event of a subject's timeline that has one, by event id,
/// comma-separated: the punch rule it breaks, an archived subject, a device clock
/// ahead of the hub's.
fn judge_timeline(
    timeline: &[Event],
    facts: Option<PersonFacts>,
    known_events: &HashSet<EventId>,
    now: DateTime<Utc>,
) -> HashMap<EventId, String> {
    let mode = facts.map_or(TrackingMode::Personal, |f| f.mode);
    let archived = facts.is_some_and(|f| f.archived);
    let mut rules = flag_anomalies(timeline, mode, |id| known_events.contains(&id));
    let mut flags = HashMap::new();
    for event in timeline {
        let found: Vec<String> = [
            rules.remove(&event.id),
            archived.then(|| "archived_person".to_owned()),
            (event.at > now + AHEAD_TOLERANCE).then(|| "device_clock_ahead".to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !found.is_empty() {
            flags.insert(event.id, found.join(","));
        }
    }
    flags
}

/// The punch rules the events of one subject's timeline break, by event id, as
/// the domain's anomaly names (`clock_out_without_clock_in`, ...), folded once by
/// the domain's rules ([`replay`]).
///
/// `timeline` is the subject's events in time order, as the hub holds them at
/// arrival: everything since their latest clock-in or clock-out of the 48 hours
/// before the batch (or, without one, their single latest event), then the
/// batch's. That is enough to know the clock and the open job of each event.
///
/// A correction naming an event outside `timeline` is flagged
/// `correction_of_unknown_event` only if `is_known` says the organisation does not
/// hold that event either.
pub fn flag_anomalies(
    timeline: &[Event],
    mode: TrackingMode,
    is_known: impl Fn(EventId) -> bool,
) -> HashMap<EventId, String> {
    let corrects: HashMap<EventId, EventId> = timeline
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Correction { corrects, .. } => Some((e.id, *corrects)),
            _ => None,
        })
        .collect();
    let mut flags: HashMap<EventId, String> = HashMap::new();
    for anomaly in replay(timeline, mode).anomalies {
        if anomaly.kind == AnomalyKind::CorrectionOfUnknownEvent
            && corrects.get(&anomaly.event).is_some_and(|&c| is_known(c))
        {
            continue;
        }
        let name = match serde_json::to_value(anomaly.kind) {
            Ok(serde_json::Value::String(name)) => name,
            _ => format!("{:?}", anomaly.kind),
        };
        flags
            .entry(anomaly.event)
            .and_modify(|f| {
                f.push(',');
                f.push_str(&name);
            })
            .or_insert(name);
    }
    flags
}

#[cfg(test)]
mod tests;
