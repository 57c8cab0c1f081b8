//! Event storage: idempotent batched ingest and reading back.
//!
//! Guarantees: the events of a batch are written in one transaction (see
//! [`super::writer`]) with multi-row `INSERT ... ON CONFLICT (id) DO NOTHING
//! RETURNING id`, so an event id is stored at most once hub-wide and the caller
//! learns exactly which rows are new; the read before it (each subject's recent
//! history, for the anomaly check and to spot events sent again) is one query per
//! batch, never per event, and runs before the write transaction so the single
//! SQLite writer only writes.
//! Consequence: an anomaly is judged against what was committed when the batch
//! arrived (a device's own earlier batches always are; another device's batch for
//! the same person committing in the same milliseconds may not be).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

use super::error::{DbContext, StoreError, StoreResult};
use super::writer::{EventRow, WriteJob};
use super::{Backend, Store, sql};
use crate::domain::{DeviceId, Event, EventId, EventKind, PersonId};
use crate::wire::OrgId;

/// Judges a subject's timeline: given their events (stored ones from their latest
/// clock-in or clock-out of the 48 hours before the batch, or else their single
/// latest one; then the batch's), in time order, the anomaly of each event that
/// breaks a rule, by event id. See `crate::hub::ingest::flag_anomalies`.
pub type AnomalyFn = dyn Fn(PersonId, &[Event]) -> HashMap<EventId, String> + Send + Sync;

/// What the store did with one event of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Written now, with the punch rule it breaks, if any.
    Accepted { anomaly: Option<String> },
    /// This device's event with this id was already held; nothing written.
    Duplicate,
    /// The id is already used by another device's event; nothing written.
    Conflict,
}

/// An event as the hub holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub event: Event,
    pub received_at: DateTime<Utc>,
    pub anomaly: Option<String>,
}

/// How far back the anomaly check looks for the subject's last clock-in/out.
const LOOKBACK_US: i64 = 48 * 3600 * 1_000_000;

impl Store {
    /// Stores `events` of `device` in `org`. The caller has checked each event
    /// (device, subject and jobs in `org`, sane values) and passes no id twice.
    /// Returns one outcome per event, in order. The events written are folded into
    /// their subjects' stored states in the same transaction.
    pub async fn ingest(
        &self,
        org: OrgId,
        device: DeviceId,
        events: &[Event],
        now: DateTime<Utc>,
        anomaly: &AnomalyFn,
    ) -> StoreResult<Vec<Stored>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let org_s = org.to_string();
        let dev_s = device.to_string();
        let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
        let mut out: Vec<Option<Stored>> = vec![None; events.len()];

        // Reads, on a read connection: each subject's recent history, which also
        // holds the stored copy of any event sent again.
        let began = std::time::Instant::now();
        let seen = {
            let mut conn = self.read.acquire().await.ctx("opening a read connection")?;
            judge(&mut conn, self.backend, &org_s, events, anomaly).await?
        };
        let mut fresh = Vec::with_capacity(events.len());
        let mut flags = Vec::with_capacity(events.len());
        for (i, s) in seen.into_iter().enumerate() {
            match s {
                Seen::Held(d) if d == device => out[i] = Some(Stored::Duplicate),
                Seen::Held(_) => out[i] = Some(Stored::Conflict),
                Seen::Fresh(flag) => {
                    fresh.push(i);
                    flags.push(flag);
                }
            }
        }
        let rows = fresh
            .iter()
            .zip(&flags)
            .map(|(&i, flag)| event_row(&events[i], flag.clone()))
            .collect::<StoreResult<Vec<_>>>()?;

        let judged = began.elapsed();
        // The write: the rows and their subjects' states, nothing else.
        let job = WriteJob {
            org,
            org_text: org_s,
            device: dev_s.clone(),
            received_at: sql::micros(now),
            rows,
        };
        let written = self.writer.write(job).await?;
        // For profiling ingest (`RUST_LOG=tapin::hub::store::events=debug`).
        tracing::debug!(
            events = events.len(),
            judge_us = judged.as_micros() as u64,
            write_us = (began.elapsed() - judged).as_micros() as u64,
            "batch stored"
        );
        for (&i, flag) in fresh.iter().zip(flags) {
            out[i] = Some(if written.inserted.contains(&ids[i]) {
                Stored::Accepted { anomaly: flag }
            } else if written.held.get(&ids[i]) == Some(&dev_s) {
                Stored::Duplicate
            } else {
                Stored::Conflict
            });
        }
        out.into_iter()
            .map(|o| {
                o.ok_or(StoreError::Corrupt {
                    context: "ingesting events",
                    detail: "an event was left without an outcome".to_owned(),
                })
            })
            .collect()
    }

    /// Which of `ids` are events `org` holds. One query per 30,000 ids.
    pub async fn known_events(
        &self,
        org: OrgId,
        ids: &[EventId],
    ) -> StoreResult<std::collections::HashSet<EventId>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut conn = self.read.acquire().await.ctx("opening a read connection")?;
        let held = held_ids(&mut conn, self.backend, &org.to_string(), &texts).await?;
        held.keys()
            .map(|id| sql::uuid(id, "reading events.id").map(EventId))
            .collect()
    }

    /// How many events `org` holds.
    pub async fn count_events(&self, org: OrgId) -> StoreResult<i64> {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events WHERE org_id = $1")
            .bind(org.to_string())
            .fetch_one(&self.read)
            .await
            .ctx("counting events")
    }

    /// One event of `org`, as stored.
    pub async fn stored_event(&self, org: OrgId, id: EventId) -> StoreResult<Option<StoredEvent>> {
        let row = sqlx::query(
            "SELECT body, received_at, anomaly FROM events WHERE org_id = $1 AND id = $2",
        )
        .bind(org.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .ctx("reading an event")?;
        row.as_ref().map(stored_from_row).transpose()
    }
}

/// An event from its stored `events.body`.
pub(crate) fn parse_body(body: &str) -> StoreResult<Event> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        context: "reading events.body",
        detail: e.to_string(),
    })
}

/// A stored event from a row `body, received_at, anomaly` of `events`.
pub(crate) fn stored_from_row(row: &AnyRow) -> StoreResult<StoredEvent> {
    let body: String = row.try_get(0).ctx("reading events.body")?;
    let received_at: i64 = row.try_get(1).ctx("reading events.received_at")?;
    Ok(StoredEvent {
        event: parse_body(&body)?,
        received_at: sql::instant(received_at, "reading events.received_at")?,
        anomaly: row.try_get(2).ctx("reading events.anomaly")?,
    })
}

/// Adds the events of `rows` (`org_id, body` of `events`) that belong to `org` to
/// their subjects' histories, skipping the others: queries that join `events` on
/// the subject alone check the organisation here (see [`recent_events`]).
pub(crate) fn push_org_events(
    rows: &[AnyRow],
    org: &str,
    history: &mut HashMap<PersonId, Vec<Event>>,
) -> StoreResult<()> {
    for row in rows {
        let of: String = row.try_get(0).ctx("reading events.org_id")?;
        if of != org {
            continue;
        }
        let body: String = row.try_get(1).ctx("reading events.body")?;
        let event = parse_body(&body)?;
        history.entry(event.subject).or_default().push(event);
    }
    Ok(())
}

/// Which of `ids` `org` already holds, with the device that sent each.
pub(crate) async fn held_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    ids: &[String],
) -> StoreResult<HashMap<String, String>> {
    let rows = sql::fetch_in(
        conn,
        backend,
        org,
        ids,
        true,
        "finding events already held",
        |o, l| format!("SELECT id, device_id FROM events WHERE org_id = {o} AND id IN ({l})"),
    )
    .await?;
    let mut held = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get(0).ctx("reading events.id")?;
        let device: String = row.try_get(1).ctx("reading events.device_id")?;
        held.insert(id, device);
    }
    Ok(held)
}

/// For each `(subject, lo, hi)`: the subject's events from their latest clock-in
/// or clock-out of the 48 hours before `lo` (or else their latest event before
/// `lo`) up to `hi`, oldest first. One query per 10,000 subjects.
pub(crate) async fn recent_events(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    spans: &[(PersonId, i64, i64)],
) -> StoreResult<HashMap<PersonId, Vec<Event>>> {
    let mut history: HashMap<PersonId, Vec<Event>> = HashMap::new();
    for chunk in spans.chunks((sql::MAX_BINDS - 2) / 3) {
        let mut p = sql::Params::new(backend);
        let values = p.tuples(chunk.len(), 3);
        let (org1, org2) = (p.one(), p.one());
        // Per subject: two short backward seeks and a short range scan in
        // `events_subject_at`. The organisation of the rows read is checked here
        // rather than in the join: an `events` term that index does not hold lets
        // SQLite, once it has statistics (ANALYZE), build a Bloom filter over the
        // whole table for every batch.
        let query = format!(
            "WITH q (subject, lo, hi) AS (VALUES {values}) \
             SELECT e.org_id, e.body FROM q JOIN events e ON e.subject = q.subject \
             WHERE e.at <= q.hi AND e.at >= COALESCE( \
               (SELECT x.at FROM events x WHERE x.subject = q.subject AND x.org_id = {org1} \
                  AND x.at < q.lo AND x.at >= q.lo - {LOOKBACK_US} \
                  AND x.kind IN ('clock_in', 'clock_out') ORDER BY x.at DESC LIMIT 1), \
               (SELECT x.at FROM events x WHERE x.subject = q.subject AND x.org_id = {org2} \
                  AND x.at < q.lo ORDER BY x.at DESC LIMIT 1), \
               q.lo)"
        );
        let mut q = sqlx::query(&query);
        for (subject, lo, hi) in chunk {
            q = q.bind(subject.to_string()).bind(*lo).bind(*hi);
        }
        let rows = q
            .bind(org)
            .bind(org)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading people's recent events")?;
        push_org_events(&rows, org, &mut history)?;
    }
    for events in history.values_mut() {
        events.sort_by_key(|e| (e.at, e.seq));
    }
    Ok(history)
}

/// What the reads before the write found for one event.
enum Seen {
    /// The organisation already holds an event with this id, from this device.
    Held(DeviceId),
    /// Not held: to be written, with the punch rules it breaks.
    Fresh(Option<String>),
}

/// For each event: whether the subject's recent history already holds it (a
/// resend has the same subject and time, so its stored copy is in the window);
/// if not, its anomaly, judged against that history and the batch's other events.
/// A resend with an altered subject or time is not seen here; the insert's
/// conflict check catches it.
async fn judge(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    events: &[Event],
    anomaly: &AnomalyFn,
) -> StoreResult<Vec<Seen>> {
    // Per subject: the batch's events (as indexes) and their span.
    let mut subjects: HashMap<PersonId, (Vec<usize>, i64, i64)> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        let at = sql::micros(e.at);
        let entry = subjects.entry(e.subject).or_insert((Vec::new(), at, at));
        entry.0.push(i);
        entry.1 = entry.1.min(at);
        entry.2 = entry.2.max(at);
    }
    let spans: Vec<(PersonId, i64, i64)> = subjects
        .iter()
        .map(|(s, (_, lo, hi))| (*s, *lo, *hi))
        .collect();
    let mut history = recent_events(conn, backend, org, &spans).await?;
    let held: HashMap<EventId, DeviceId> = history
        .values()
        .flatten()
        .map(|e| (e.id, e.device))
        .collect();
    let mut out: Vec<Seen> = events
        .iter()
        .map(|e| match held.get(&e.id) {
            Some(d) => Seen::Held(*d),
            None => Seen::Fresh(None),
        })
        .collect();
    for (subject, (batch, _, _)) in subjects {
        // The subject's timeline: stored events and this batch's new ones, in
        // time order.
        let mut timeline: Vec<(Option<usize>, Event)> = history
            .remove(&subject)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (None, e))
            .collect();
        timeline.extend(
            batch
                .iter()
                .filter(|&&i| !held.contains_key(&events[i].id))
                .map(|&i| (Some(i), events[i].clone())),
        );
        timeline.sort_by_key(|(_, e)| (e.at, e.seq));
        let (marks, ordered): (Vec<Option<usize>>, Vec<Event>) = timeline.into_iter().unzip();
        let mut found = anomaly(subject, &ordered);
        for (mark, event) in marks.iter().zip(&ordered) {
            if let Some(i) = mark {
                out[*i] = Seen::Fresh(found.remove(&event.id));
            }
        }
    }
    Ok(out)
}

/// The row of a new event.
fn event_row(e: &Event, anomaly: Option<String>) -> StoreResult<EventRow> {
    let (job, corrects) = match &e.kind {
        EventKind::CheckIn { job } | EventKind::CheckOut { job } => (Some(job.to_string()), None),
        EventKind::Correction { corrects, .. } => (None, Some(corrects.to_string())),
        _ => (None, None),
    };
    Ok(EventRow {
        id: e.id.to_string(),
        seq: i64::try_from(e.seq).map_err(|_| StoreError::Corrupt {
            context: "encoding an event",
            detail: format!("sequence number {} out of range", e.seq),
        })?,
        subject: e.subject.to_string(),
        kind: e.kind.name(),
        job,
        corrects,
        at: sql::micros(e.at),
        anomaly,
        body: crate::hub::json::event(e).map_err(|err| StoreError::Corrupt {
            context: "encoding an event",
            detail: err.to_string(),
        })?,
        event: e.clone(),
    })
}
