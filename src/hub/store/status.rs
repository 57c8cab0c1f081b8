//! Each person's current punch state, stored beside the events it is folded from
//! (`person_status`, migration 0004), so a roster reads one row per person instead
//! of replaying histories.
//!
//! Guarantees:
//! - a person's stored state is the domain's fold of **all** their events
//!   ([`replay`], in `(at, seq, id)` order, corrections applied), with the mode it
//!   was folded with; it is written in the same transaction as the events (ingest
//!   calls [`fold_in`]; any other writer of events must call [`refold`] in its
//!   transaction);
//! - new events are folded onto the stored state only when that gives the same
//!   result as a full replay: the row was folded with the person's current mode,
//!   names no unknown event, counts every event after its `max_at`, and every new
//!   event is a punch later than the state's last punch. Anything else (a late
//!   event, a correction, a changed mode) refolds the person: from their latest
//!   clock-out (check-in for individual users) on, which gives the same state as
//!   a full replay when they have no correction, or else from all their events
//!   (see [`fold_recent`]); so a backlog arriving late costs the events since
//!   that punch, not the person's whole history;
//! - readers trust a row only with the person's current mode and no uncounted event
//!   after its `max_at`; otherwise they fold that person from the events in their
//!   own snapshot (so a writer that forgot [`refold`] shows up as extra work, not as
//!   a wrong state, as long as its events are the person's latest);
//! - `orgs.status_seq` is bumped, once per transaction, when some person's state
//!   (or the mode it is folded with) changes, and each changed row takes the new
//!   value as its `changed_seq`: seqs are given out under the organisation's row
//!   lock, so every snapshot sees a gap-free prefix of them;
//! - on PostgreSQL, concurrent writers serialize per person on the status row
//!   (created if missing, then locked `FOR UPDATE`, in person id order, before it is
//!   read); on SQLite the single writer does.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::events::push_org_events;
use super::{Backend, sql};
use crate::domain::{
    AnomalyKind, Clock, Event, EventKind, JobId, OnJob, PersonId, PunchState, TrackingMode, replay,
};
use crate::wire::OrgId;

/// A status row's columns, in the order [`decode`] reads them, for a query that
/// names `person_status` as `s`.
pub(crate) const STATUS_COLS: &str = "s.mode, s.clock, s.clock_since_ns, s.break_since_ns, \
     s.job_id, s.job_since_ns, s.last_punch_ns, s.max_at, s.dangling, s.changed_seq";
/// 1 when the person of status row `s` (of `person_status` as `s`) has an event
/// after its `max_at`: the row does not vouch for it. One seek in
/// `events_subject_at`.
pub(crate) const UNCOUNTED_EVENTS: &str = "CAST(CASE WHEN EXISTS (SELECT 1 FROM events e \
     WHERE e.subject = s.person_id AND e.org_id = s.org_id \
     AND e.at > COALESCE(s.max_at, -9223372036854775807)) THEN 1 ELSE 0 END AS BIGINT)";

/// A stored status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    /// The mode it was folded with; `None` for a row not folded yet.
    pub mode: Option<TrackingMode>,
    pub state: PunchState,
    /// The latest `at` (unix µs) of the events folded, corrections included.
    pub max_at: Option<i64>,
    /// A folded correction names no punch of this person.
    pub dangling: bool,
    pub changed_seq: i64,
}

/// A person's fold of all their events.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Folded {
    state: PunchState,
    max_at: Option<i64>,
    dangling: bool,
}

/// Reads a status from `row`, whose columns from `at` on are [`STATUS_COLS`].
/// `None` when the row has no status (a `LEFT JOIN` found none).
pub(crate) fn decode(row: &sqlx::any::AnyRow, at: usize) -> StoreResult<Option<Status>> {
    let clock: Option<String> = row.try_get(at + 1).ctx("reading person_status.clock")?;
    let Some(clock) = clock else {
        return Ok(None);
    };
    let mode: Option<String> = row.try_get(at).ctx("reading person_status.mode")?;
    let since: Option<i64> = row
        .try_get(at + 2)
        .ctx("reading person_status.clock_since_ns")?;
    let break_since: Option<i64> = row
        .try_get(at + 3)
        .ctx("reading person_status.break_since_ns")?;
    let job: Option<String> = row.try_get(at + 4).ctx("reading person_status.job_id")?;
    let job_since: Option<i64> = row
        .try_get(at + 5)
        .ctx("reading person_status.job_since_ns")?;
    let last_punch: Option<i64> = row
        .try_get(at + 6)
        .ctx("reading person_status.last_punch_ns")?;
    let max_at: Option<i64> = row.try_get(at + 7).ctx("reading person_status.max_at")?;
    let dangling: i64 = row.try_get(at + 8).ctx("reading person_status.dangling")?;
    let changed_seq: i64 = row
        .try_get(at + 9)
        .ctx("reading person_status.changed_seq")?;
    let instant = |ns: Option<i64>, what: &'static str| -> StoreResult<DateTime<Utc>> {
        ns.map(DateTime::from_timestamp_nanos)
            .ok_or_else(|| StoreError::Corrupt {
                context: what,
                detail: "missing".to_owned(),
            })
    };
    let clock = match clock.as_str() {
        "out" => Clock::Out,
        "in" => Clock::In {
            since: instant(since, "reading person_status.clock_since_ns")?,
        },
        "on_break" => Clock::OnBreak {
            since: instant(since, "reading person_status.clock_since_ns")?,
            break_since: instant(break_since, "reading person_status.break_since_ns")?,
        },
        other => {
            return Err(StoreError::Corrupt {
                context: "reading person_status.clock",
                detail: format!("unknown clock {other:?}"),
            });
        }
    };
    let job = match job {
        Some(id) => Some(OnJob {
            job: JobId(sql::uuid(&id, "reading person_status.job_id")?),
            since: instant(job_since, "reading person_status.job_since_ns")?,
        }),
        None => None,
    };
    Ok(Some(Status {
        mode: mode
            .map(|m| sql::from_name(&m, "reading person_status.mode"))
            .transpose()?,
        state: PunchState {
            clock,
            job,
            last_punch: last_punch.map(DateTime::from_timestamp_nanos),
        },
        max_at,
        dangling: dangling != 0,
        changed_seq,
    }))
}

/// A person's id and current mode, then their status row, from a row
/// `p.id, p.mode, STATUS_COLS` of `person_status s JOIN people p`.
pub(crate) fn person_status(
    row: &sqlx::any::AnyRow,
) -> StoreResult<(PersonId, TrackingMode, Status)> {
    let id: String = row.try_get(0).ctx("reading people.id")?;
    let mode: String = row.try_get(1).ctx("reading people.mode")?;
    let status = decode(row, 2)?.ok_or_else(|| StoreError::Corrupt {
        context: "reading person_status",
        detail: "a status row without a clock".to_owned(),
    })?;
    Ok((
        PersonId(sql::uuid(&id, "reading people.id")?),
        sql::from_name(&mode, "reading people.mode")?,
        status,
    ))
}

/// An instant as the state's columns hold it: unix nanoseconds, exact. Events are
/// dated from 2000 to a year ahead (ingest refuses others), well inside the range
/// (1677 to 2262).
fn nanos(t: DateTime<Utc>) -> StoreResult<i64> {
    t.timestamp_nanos_opt().ok_or_else(|| StoreError::Corrupt {
        context: "encoding a punch state",
        detail: format!("instant {t} out of range"),
    })
}

/// What a reader makes of a person's status row: the state to show, or `None`
/// when the row cannot be trusted (see the module's guarantees) and the person
/// must be folded from their events.
pub(crate) fn trusted(
    status: Option<&Status>,
    mode: TrackingMode,
    uncounted: bool,
) -> Option<PunchState> {
    match status {
        _ if uncounted => None,
        // No row and no event: never punched.
        None => Some(PunchState::out()),
        Some(s) if s.mode == Some(mode) => Some(s.state),
        Some(_) => None,
    }
}

/// Folds `people` (with their current modes) from all their events, as the
/// connection sees them. One query per 30,000 people.
pub(crate) async fn fold_people(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[(PersonId, TrackingMode)],
) -> StoreResult<HashMap<PersonId, PunchState>> {
    let folded = fold_from_events(conn, backend, org, people).await?;
    Ok(folded.into_iter().map(|(p, f)| (p, f.state)).collect())
}

/// The punch kind after which a person's clock and job are the same whatever came
/// before: a clock-out for those with a workday clock (it leaves them out, and out
/// means on no job), a check-in for individual users (on that job; their clock
/// never moves). Corrections aside, a replay from a person's latest such punch
/// gives the same clock and job as a replay of all their events, and the same
/// `last_punch` and `max_at` too, since their latest event is in it.
fn reset_kind(mode: TrackingMode) -> &'static str {
    if mode.has_workday_clock() {
        "clock_out"
    } else {
        "check_in"
    }
}

/// Folds `people` like [`fold_from_events`], but reads only each person's events
/// from their latest [`reset_kind`] punch on, so the cost follows the events
/// since then and not their whole history. People with a correction (which can
/// move any event of theirs across that punch) get all their events. One query
/// per 15,000 people: per person a seek in `events_subject_corrections`, a short
/// backward scan of `events_subject_at` and a range scan from that punch on.
async fn fold_recent(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[(PersonId, TrackingMode)],
) -> StoreResult<HashMap<PersonId, Folded>> {
    let mut history: HashMap<PersonId, Vec<Event>> = HashMap::with_capacity(people.len());
    for chunk in people.chunks((sql::MAX_BINDS - 4) / 2) {
        let mut p = sql::Params::new(backend);
        let values = p.tuples(chunk.len(), 2);
        let (org1, all1, org2, all2) = (p.one(), p.one(), p.one(), p.one());
        // The organisation is checked on the rows read rather than in the join:
        // an `events` term the index does not hold lets SQLite, once it has
        // statistics, build a Bloom filter over the whole table for every query.
        let query = format!(
            "WITH q (subject, reset) AS (VALUES {values}) \
             SELECT e.org_id, e.body FROM q JOIN events e ON e.subject = q.subject \
             WHERE e.at >= CASE \
               WHEN EXISTS (SELECT 1 FROM events c WHERE c.subject = q.subject \
                 AND c.kind = 'correction' AND c.org_id = {org1}) THEN {all1} \
               ELSE COALESCE((SELECT r.at FROM events r WHERE r.subject = q.subject \
                 AND r.org_id = {org2} AND r.kind = q.reset ORDER BY r.at DESC LIMIT 1), \
                 {all2}) END"
        );
        let mut q = sqlx::query(&query);
        for (person, mode) in chunk {
            q = q.bind(person.to_string()).bind(reset_kind(*mode));
        }
        // `i64::MIN` bound, not written out: PostgreSQL would read that literal
        // as numeric and lose the index.
        let rows = q
            .bind(org)
            .bind(i64::MIN)
            .bind(org)
            .bind(i64::MIN)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading people's events since their latest resetting punch")?;
        push_org_events(&rows, org, &mut history)?;
    }
    Ok(fold_each(people, history))
}

async fn fold_from_events(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[(PersonId, TrackingMode)],
) -> StoreResult<HashMap<PersonId, Folded>> {
    let ids: Vec<String> = people.iter().map(|(p, _)| p.to_string()).collect();
    let rows = sql::fetch_in(
        conn,
        backend,
        org,
        &ids,
        false,
        "reading people's events",
        |o, l| format!("SELECT org_id, body FROM events WHERE org_id = {o} AND subject IN ({l})"),
    )
    .await?;
    let mut history: HashMap<PersonId, Vec<Event>> = HashMap::with_capacity(people.len());
    push_org_events(&rows, org, &mut history)?;
    Ok(fold_each(people, history))
}

/// Each of `people` folded from their events in `history`.
fn fold_each(
    people: &[(PersonId, TrackingMode)],
    mut history: HashMap<PersonId, Vec<Event>>,
) -> HashMap<PersonId, Folded> {
    people
        .iter()
        .map(|&(person, mode)| {
            let events = history.remove(&person).unwrap_or_default();
            (person, fold_sorted(events, mode))
        })
        .collect()
}

/// A person's events (any order) folded in `(at, seq, id)` order.
fn fold_sorted(mut events: Vec<Event>, mode: TrackingMode) -> Folded {
    events.sort_by_key(|e| (e.at, e.seq, e.id));
    let folded = replay(events.iter(), mode);
    Folded {
        state: folded.state,
        max_at: events.iter().map(|e| sql::micros(e.at)).max(),
        dangling: folded
            .anomalies
            .iter()
            .any(|a| a.kind == AnomalyKind::CorrectionOfUnknownEvent),
    }
}

/// Folds `events`, just written by this transaction, into their people's stored
/// states. Bumps `orgs.status_seq` when some state changes.
pub(crate) async fn fold_in(
    conn: &mut AnyConnection,
    backend: Backend,
    org: OrgId,
    events: &[&Event],
) -> StoreResult<()> {
    let mut fresh: BTreeMap<PersonId, Vec<&Event>> = BTreeMap::new();
    for e in events {
        fresh.entry(e.subject).or_default().push(e);
    }
    update(conn, backend, org, fresh, false).await
}

/// Refolds the stored states of `people` from all their events, as this
/// transaction sees them. Every writer of events other than ingest calls it in
/// its transaction, after writing. Bumps `orgs.status_seq` when some state
/// changes.
pub(crate) async fn refold(
    conn: &mut AnyConnection,
    backend: Backend,
    org: OrgId,
    people: &[PersonId],
) -> StoreResult<()> {
    let fresh = people.iter().map(|p| (*p, Vec::new())).collect();
    update(conn, backend, org, fresh, true).await
}

/// The locked status rows of `people` (created first where missing), with each
/// person's current mode.
async fn lock_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[PersonId],
) -> StoreResult<HashMap<PersonId, (TrackingMode, Status)>> {
    let mut out = HashMap::with_capacity(people.len());
    for chunk in people.chunks((sql::MAX_BINDS - 1) / 2) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "INSERT INTO person_status (person_id, org_id) VALUES {} \
             ON CONFLICT (person_id) DO NOTHING",
            p.tuples(chunk.len(), 2)
        );
        let mut q = sqlx::query(&query);
        for person in chunk {
            q = q.bind(person.to_string()).bind(org);
        }
        q.execute(&mut *conn)
            .await
            .ctx("making people's status rows")?;

        let mut p = sql::Params::new(backend);
        let lock = match backend {
            Backend::Postgres => " FOR UPDATE OF s",
            Backend::Sqlite => "",
        };
        let query = format!(
            "SELECT p.id, p.mode, {STATUS_COLS} FROM person_status s \
             JOIN people p ON p.org_id = s.org_id AND p.id = s.person_id \
             WHERE s.org_id = {} AND s.person_id IN ({}) ORDER BY s.person_id{lock}",
            p.one(),
            p.list(chunk.len())
        );
        let mut q = sqlx::query(&query).bind(org);
        for person in chunk {
            q = q.bind(person.to_string());
        }
        for row in q
            .fetch_all(&mut *conn)
            .await
            .ctx("reading people's status rows")?
        {
            let (person, mode, status) = person_status(&row)?;
            out.insert(person, (mode, status));
        }
    }
    Ok(out)
}

/// For each `(person, after)`: how many of the person's events are later than
/// `after` (unix µs; `None`: all of them). One seek and a short range scan each.
async fn count_after(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[(PersonId, Option<i64>)],
) -> StoreResult<HashMap<PersonId, i64>> {
    let mut out = HashMap::with_capacity(people.len());
    for chunk in people.chunks((sql::MAX_BINDS - 1) / 2) {
        let mut p = sql::Params::new(backend);
        let values = p.tuples(chunk.len(), 2);
        let query = format!(
            "WITH q (subject, after) AS (VALUES {values}) \
             SELECT q.subject, (SELECT COUNT(*) FROM events e WHERE e.subject = q.subject \
             AND e.org_id = {} AND e.at > q.after) FROM q",
            p.one()
        );
        let mut q = sqlx::query(&query);
        for (person, after) in chunk {
            q = q.bind(person.to_string()).bind(after.unwrap_or(i64::MIN));
        }
        for row in q
            .bind(org)
            .fetch_all(&mut *conn)
            .await
            .ctx("counting people's latest events")?
        {
            let id: String = row.try_get(0).ctx("reading a subject")?;
            let n: i64 = row.try_get(1).ctx("reading an event count")?;
            out.insert(PersonId(sql::uuid(&id, "reading a subject")?), n);
        }
    }
    Ok(out)
}

/// What [`fold_onto`] can tell without counting the person's events: the row was
/// folded with `mode`, names no unknown event, and every new event is a punch
/// later than its last punch. A late event fails here, which spares the count.
fn may_fold_onto(status: &Status, mode: TrackingMode, new: &[&Event]) -> bool {
    status.mode == Some(mode)
        && !status.dangling
        && new.iter().all(|e| {
            !matches!(e.kind, EventKind::Correction { .. })
                && status.state.last_punch.is_none_or(|last| e.at > last)
        })
}

/// Whether `new` (sorted) folded onto `status` gives the full replay's state, and
/// that state if so. `uncounted` is how many of the person's stored events are
/// later than the row's `max_at`, `new` included.
fn fold_onto(
    status: &Status,
    mode: TrackingMode,
    new: &[&Event],
    uncounted: i64,
) -> Option<Folded> {
    if !may_fold_onto(status, mode, new) {
        return None;
    }
    let counted = new
        .iter()
        .filter(|e| status.max_at.is_none_or(|m| sql::micros(e.at) > m))
        .count();
    let counted = i64::try_from(counted).ok()?;
    if counted != uncounted {
        return None;
    }
    let mut state = status.state;
    for e in new {
        state = state.apply(&e.kind, e.at, mode).state;
    }
    let newest = new.iter().map(|e| sql::micros(e.at)).max();
    Some(Folded {
        state,
        max_at: status.max_at.max(newest),
        dangling: false,
    })
}

async fn update(
    conn: &mut AnyConnection,
    backend: Backend,
    org: OrgId,
    mut fresh: BTreeMap<PersonId, Vec<&Event>>,
    force: bool,
) -> StoreResult<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let org_s = org.to_string();
    let people: Vec<PersonId> = fresh.keys().copied().collect();
    let rows = lock_rows(conn, backend, &org_s, &people).await?;
    let mut folded: HashMap<PersonId, Folded> = HashMap::with_capacity(people.len());
    let mut again: Vec<(PersonId, TrackingMode)> = Vec::new();
    if force {
        again.extend(rows.iter().map(|(p, (mode, _))| (*p, *mode)));
    } else {
        for new in fresh.values_mut() {
            new.sort_by_key(|e| (e.at, e.seq, e.id));
        }
        // Counted only where the fold onto the row may hold (not for late events).
        let after: Vec<(PersonId, Option<i64>)> = rows
            .iter()
            .filter(|(p, (mode, s))| {
                may_fold_onto(s, *mode, fresh.get(*p).map_or(&[], Vec::as_slice))
            })
            .map(|(p, (_, s))| (*p, s.max_at))
            .collect();
        let uncounted = count_after(conn, backend, &org_s, &after).await?;
        for (person, (mode, status)) in &rows {
            let new = fresh.remove(person).unwrap_or_default();
            let onto = uncounted
                .get(person)
                .and_then(|&n| fold_onto(status, *mode, &new, n));
            match onto {
                Some(f) => {
                    folded.insert(*person, f);
                }
                None => again.push((*person, *mode)),
            }
        }
    }
    folded.extend(fold_recent(conn, backend, &org_s, &again).await?);

    let mut writes: Vec<(PersonId, TrackingMode, Folded, bool, i64)> = Vec::new();
    for (person, f) in folded {
        let Some((mode, old)) = rows.get(&person) else {
            continue;
        };
        let changed = old.mode != Some(*mode) || old.state != f.state;
        if changed || old.max_at != f.max_at || old.dangling != f.dangling {
            writes.push((person, *mode, f, changed, old.changed_seq));
        }
    }
    if writes.is_empty() {
        return Ok(());
    }
    let seq = if writes.iter().any(|w| w.3) {
        Some(
            sqlx::query_scalar::<_, i64>(
                "UPDATE orgs SET status_seq = status_seq + 1 WHERE id = $1 RETURNING status_seq",
            )
            .bind(&org_s)
            .fetch_one(&mut *conn)
            .await
            .ctx("bumping the organisation's status sequence")?,
        )
    } else {
        None
    };
    writes.sort_by_key(|w| w.0);
    const COLS: usize = 12;
    for chunk in writes.chunks(sql::MAX_BINDS / COLS) {
        let mut p = sql::Params::new(backend);
        let query = format!(
            "INSERT INTO person_status (person_id, org_id, mode, clock, clock_since_ns, \
             break_since_ns, job_id, job_since_ns, last_punch_ns, max_at, dangling, \
             changed_seq) VALUES {} ON CONFLICT (person_id) DO UPDATE SET \
             mode = excluded.mode, clock = excluded.clock, \
             clock_since_ns = excluded.clock_since_ns, \
             break_since_ns = excluded.break_since_ns, job_id = excluded.job_id, \
             job_since_ns = excluded.job_since_ns, last_punch_ns = excluded.last_punch_ns, \
             max_at = excluded.max_at, dangling = excluded.dangling, \
             changed_seq = excluded.changed_seq",
            p.tuples(chunk.len(), COLS)
        );
        let mut q = sqlx::query(&query);
        for (person, mode, f, changed, old_seq) in chunk {
            let (clock, since, break_since) = match f.state.clock {
                Clock::Out => ("out", None, None),
                Clock::In { since } => ("in", Some(nanos(since)?), None),
                Clock::OnBreak { since, break_since } => {
                    ("on_break", Some(nanos(since)?), Some(nanos(break_since)?))
                }
            };
            let job_since = f.state.job.map(|j| nanos(j.since)).transpose()?;
            let last_punch = f.state.last_punch.map(nanos).transpose()?;
            q = q
                .bind(person.to_string())
                .bind(org_s.as_str())
                .bind(sql::name_of(mode, "encoding a tracking mode")?)
                .bind(clock)
                .bind(since)
                .bind(break_since)
                .bind(f.state.job.map(|j| j.job.to_string()))
                .bind(job_since)
                .bind(last_punch)
                .bind(f.max_at)
                .bind(sql::flag(f.dangling))
                .bind(match (changed, seq) {
                    (true, Some(seq)) => seq,
                    _ => *old_seq,
                });
        }
        q.execute(&mut *conn)
            .await
            .ctx("writing people's statuses")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, DeviceId, EventId, Method, fold};
    use chrono::{Duration, TimeZone};

    fn ev(subject: PersonId, kind: EventKind, minute: i64) -> Event {
        let device = DeviceId::new();
        Event {
            id: EventId::new(),
            device,
            seq: 1,
            subject,
            actor: Actor::Kiosk(device),
            method: Method::Badge,
            kind,
            at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap() + Duration::minutes(minute),
            utc_offset_secs: 0,
            note: None,
            needs_review: false,
            clock_offset_ms: None,
        }
    }

    fn stored(events: &[Event], mode: TrackingMode) -> Status {
        Status {
            mode: Some(mode),
            state: fold(events.iter(), mode),
            max_at: events.iter().map(|e| sql::micros(e.at)).max(),
            dangling: false,
            changed_seq: 1,
        }
    }

    #[test]
    fn later_punches_fold_onto_the_stored_state_like_a_replay() {
        let p = PersonId::new();
        let mode = TrackingMode::Personal;
        let old = vec![
            ev(p, EventKind::ClockIn, 0),
            ev(p, EventKind::BreakStart, 60),
        ];
        let new = [
            ev(p, EventKind::BreakEnd, 90),
            ev(p, EventKind::ClockOut, 120),
        ];
        let refs: Vec<&Event> = new.iter().collect();
        let folded = fold_onto(&stored(&old, mode), mode, &refs, 2).unwrap();
        let all: Vec<Event> = old.iter().chain(&new).cloned().collect();
        assert_eq!(folded.state, fold(all.iter(), mode));
        assert_eq!(folded.max_at, Some(sql::micros(new[1].at)));
    }

    #[test]
    fn late_events_corrections_modes_and_strays_are_refolded() {
        let p = PersonId::new();
        let mode = TrackingMode::Personal;
        let old = vec![ev(p, EventKind::ClockIn, 0), ev(p, EventKind::ClockOut, 60)];
        let status = stored(&old, mode);
        let late = ev(p, EventKind::BreakStart, 30);
        assert_eq!(fold_onto(&status, mode, &[&late], 0), None, "late");
        let same = ev(p, EventKind::ClockIn, 60);
        assert_eq!(fold_onto(&status, mode, &[&same], 0), None, "same instant");
        let fix = ev(
            p,
            EventKind::Correction {
                corrects: old[1].id,
                new_time: old[1].at,
                reason: "r".into(),
            },
            90,
        );
        assert_eq!(fold_onto(&status, mode, &[&fix], 1), None, "correction");
        let next = ev(p, EventKind::ClockIn, 120);
        assert_eq!(
            fold_onto(&status, TrackingMode::Individual, &[&next], 1),
            None,
            "mode changed"
        );
        assert_eq!(
            fold_onto(&status, mode, &[&next], 2),
            None,
            "an event after max_at the row does not count"
        );
        assert!(fold_onto(&status, mode, &[&next], 1).is_some());
        let dangling = Status {
            dangling: true,
            ..status
        };
        assert_eq!(fold_onto(&dangling, mode, &[&next], 1), None, "dangling");
    }

    /// Any punches (no corrections), with times and sequence numbers that collide.
    fn punches() -> impl proptest::strategy::Strategy<Value = Vec<(u8, i64, u64)>> {
        proptest::collection::vec((0u8..8, 0i64..40, 0u64..4), 0..40)
    }

    proptest::proptest! {
        /// What [`fold_recent`] relies on: without corrections, the fold of a
        /// person's events from their latest [`reset_kind`] punch's time on is the
        /// fold of all of them, in every mode.
        #[test]
        fn folding_from_the_latest_reset_punch_equals_a_full_replay(steps in punches()) {
            let p = PersonId::new();
            let jobs = [JobId::new(), JobId::new()];
            let events: Vec<Event> = steps
                .iter()
                .map(|&(kind, minute, seq)| {
                    let kind = match kind {
                        0 => EventKind::ClockIn,
                        1 => EventKind::ClockOut,
                        2 => EventKind::BreakStart,
                        3 => EventKind::BreakEnd,
                        4 | 5 => EventKind::CheckIn { job: jobs[usize::from(kind - 4)] },
                        _ => EventKind::CheckOut { job: jobs[usize::from(kind - 6)] },
                    };
                    Event { seq, ..ev(p, kind, minute) }
                })
                .collect();
            for mode in [
                TrackingMode::Personal,
                TrackingMode::TeamLead,
                TrackingMode::TeamMember,
                TrackingMode::Individual,
            ] {
                let since = events
                    .iter()
                    .filter(|e| e.kind.name() == reset_kind(mode))
                    .map(|e| sql::micros(e.at))
                    .max()
                    .unwrap_or(i64::MIN);
                let recent: Vec<Event> = events
                    .iter()
                    .filter(|e| sql::micros(e.at) >= since)
                    .cloned()
                    .collect();
                proptest::prop_assert_eq!(
                    fold_sorted(recent, mode),
                    fold_sorted(events.clone(), mode),
                    "mode {:?}", mode
                );
            }
        }
    }

    #[test]
    fn readers_trust_rows_of_the_current_mode_with_nothing_uncounted() {
        let p = PersonId::new();
        let mode = TrackingMode::Personal;
        let status = stored(&[ev(p, EventKind::ClockIn, 0)], mode);
        assert_eq!(trusted(Some(&status), mode, false), Some(status.state));
        assert_eq!(trusted(Some(&status), mode, true), None);
        assert_eq!(trusted(Some(&status), TrackingMode::TeamLead, false), None);
        assert_eq!(trusted(None, mode, false), Some(PunchState::out()));
        assert_eq!(trusted(None, mode, true), None);
    }
}
