//! Reading the event log for the admin API (listings, timesheets) and recording
//! corrections made at the hub.
//!
//! Guarantees:
//! - events are never updated or deleted here; a correction is a new `events` row,
//!   written with its audit row in one transaction, and bumps the organisation's
//!   version (rosters carry each person's state, folded from events);
//! - a correction made at the hub is recorded on the organisation's **hub
//!   pseudo-device** (`devices.kind = 'hub'`, migration 0003): created on first
//!   use, never enrolled, revoked from birth, so no token authenticates as it; its
//!   events get sequence numbers 1, 2, ... like a kiosk's, assigned under a row
//!   lock on the device so two corrections never share one; the subject's stored
//!   punch state (`person_status`) is refolded in the same transaction;
//! - every query filters by `org_id`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::events::{parse_body, stored_from_row};
use super::super::{Backend, Store, StoredEvent, sql, status};
use super::audit::{self, AuditEntry};
use crate::domain::{
    DeviceId, Event, EventDraft, EventId, EventKind, LoggedEvent, PersonId, TrackingMode,
};
use crate::wire::OrgId;

/// The name the hub pseudo-device carries.
pub const HUB_DEVICE_NAME: &str = "hub (admin API)";

/// The organisation's hub device, made on first use, locked for this
/// transaction (PostgreSQL row lock; SQLite's writer is single anyway).
async fn hub_device(conn: &mut AnyConnection, org: &str, now: i64) -> StoreResult<DeviceId> {
    sqlx::query(
        "INSERT INTO devices (id, org_id, name, kind, revoked, created_at, roster_version) \
         VALUES ($1, $2, $3, 'hub', 1, $4, 1) \
         ON CONFLICT (org_id) WHERE kind = 'hub' DO NOTHING",
    )
    .bind(DeviceId::new().to_string())
    .bind(org)
    .bind(HUB_DEVICE_NAME)
    .bind(now)
    .execute(&mut *conn)
    .await
    .ctx("making the hub device")?;
    let id = sqlx::query_scalar::<_, String>(
        "SELECT id FROM devices WHERE org_id = $1 AND kind = 'hub'",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await
    .ctx("finding the hub device")?;
    // Takes the row lock: concurrent corrections queue here for their `seq`.
    sqlx::query("UPDATE devices SET last_seen = $1 WHERE org_id = $2 AND id = $3")
        .bind(now)
        .bind(org)
        .bind(&id)
        .execute(&mut *conn)
        .await
        .ctx("locking the hub device")?;
    Ok(DeviceId(sql::uuid(&id, "reading devices.id")?))
}

/// Where a page of events starts and which way it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventPage {
    /// Only events past this one in the page's direction (in the order
    /// `(at, seq, id)`: before it newest first, after it oldest first).
    pub cursor: Option<EventId>,
    /// Newest first (from `before` backwards) rather than oldest first.
    pub newest_first: bool,
    pub limit: usize,
}

impl Store {
    /// One event of `org` with every correction naming it, oldest first.
    pub async fn event_with_corrections(
        &self,
        org: OrgId,
        id: EventId,
    ) -> StoreResult<Option<(StoredEvent, Vec<Event>)>> {
        let Some(stored) = self.stored_event(org, id).await? else {
            return Ok(None);
        };
        // Corrections are the subject's own events: the subject index finds them.
        let bodies = sqlx::query_scalar::<_, String>(
            "SELECT body FROM events WHERE org_id = $1 AND subject = $2 \
             AND kind = 'correction' AND corrects = $3",
        )
        .bind(org.to_string())
        .bind(stored.event.subject.to_string())
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await
        .ctx("reading an event's corrections")?;
        let mut corrections = bodies
            .iter()
            .map(|b| parse_body(b))
            .collect::<StoreResult<Vec<_>>>()?;
        corrections.sort_by_key(|e| (e.at, e.id));
        Ok(Some((stored, corrections)))
    }

    /// Records a correction decided by the domain (`draft`, kind
    /// [`EventKind::Correction`]) as a new event on the hub device, with
    /// `utc_offset_secs` (the corrected event's), and its audit row.
    pub async fn record_correction(
        &self,
        org: OrgId,
        draft: EventDraft,
        utc_offset_secs: i32,
        entry: &AuditEntry,
    ) -> StoreResult<StoredEvent> {
        let EventKind::Correction { corrects, .. } = &draft.kind else {
            return Err(StoreError::Corrupt {
                context: "recording a correction",
                detail: format!("a {} is not a correction", draft.kind.name()),
            });
        };
        let corrects = *corrects;
        let org_s = org.to_string();
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let device = hub_device(&mut tx, &org_s, sql::micros(now)).await?;
        let last = sqlx::query_scalar::<_, Option<i64>>(
            // The hub's device records corrections only: their index is enough.
            "SELECT MAX(seq) FROM events WHERE org_id = $1 AND device_id = $2 \
             AND kind = 'correction'",
        )
        .bind(&org_s)
        .bind(device.to_string())
        .fetch_one(&mut *tx)
        .await
        .ctx("numbering a correction")?;
        let seq = last.unwrap_or(0).saturating_add(1);
        let event = Event {
            id: EventId::new(),
            device,
            seq: u64::try_from(seq).unwrap_or(u64::MAX),
            subject: draft.subject,
            actor: draft.actor,
            method: draft.method,
            kind: draft.kind,
            at: draft.at,
            utc_offset_secs,
            note: draft.note,
            needs_review: draft.needs_review,
            clock_offset_ms: None,
        };
        sqlx::query(
            "INSERT INTO events (id, org_id, device_id, seq, subject, kind, job_id, corrects, at, \
             received_at, anomaly, body) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, NULL, $10)",
        )
        .bind(event.id.to_string())
        .bind(&org_s)
        .bind(device.to_string())
        .bind(seq)
        .bind(event.subject.to_string())
        .bind(event.kind.name())
        .bind(corrects.to_string())
        .bind(sql::micros(event.at))
        .bind(sql::micros(now))
        .bind(sql::json(&event, "encoding a correction")?)
        .execute(&mut *tx)
        .await
        .ctx("storing a correction")?;
        status::refold(&mut tx, self.backend, org, &[event.subject]).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched::people(&[event.subject]),
        )
        .await?;
        tx.commit().await.ctx("committing a correction")?;
        Ok(StoredEvent {
            event,
            received_at: sql::instant(sql::micros(now), "reading the time")?,
            anomaly: None,
        })
    }

    /// Events of `org` recorded in `[lo, hi)` (of `person` when given), by time,
    /// at most `limit`; and every correction of the same people made from `lo` on
    /// (a correction is made after the event it moves).
    pub async fn events_between(
        &self,
        org: OrgId,
        person: Option<PersonId>,
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<(Vec<StoredEvent>, Vec<Event>)> {
        let page = EventPage {
            cursor: None,
            newest_first: false,
            limit,
        };
        self.events_page(org, person, lo, hi, page).await
    }

    /// [`Store::events_between`], in the order and from the point `page` says.
    /// An event named as `page.cursor` that `org` does not have is
    /// [`StoreError::NotFound`].
    pub async fn events_page(
        &self,
        org: OrgId,
        person: Option<PersonId>,
        lo: DateTime<Utc>,
        hi: DateTime<Utc>,
        page: EventPage,
    ) -> StoreResult<(Vec<StoredEvent>, Vec<Event>)> {
        let org_s = org.to_string();
        let mut conn = self.read.acquire().await.ctx("connecting to read events")?;
        let cursor = match page.cursor {
            None => None,
            Some(id) => {
                let row = sqlx::query("SELECT at, seq FROM events WHERE org_id = $1 AND id = $2")
                    .bind(&org_s)
                    .bind(id.to_string())
                    .fetch_optional(&mut *conn)
                    .await
                    .ctx("finding the event to page from")?
                    .ok_or(StoreError::NotFound("event"))?;
                let at: i64 = row.try_get(0).ctx("reading events.at")?;
                let seq: i64 = row.try_get(1).ctx("reading events.seq")?;
                Some((at, seq, id.to_string()))
            }
        };
        let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
        let (lo, hi) = (sql::micros(lo), sql::micros(hi));
        // Placeholders in the text's order, which is the order values are bound.
        let mut p = sql::Params::new(self.backend);
        let mut text = format!(
            "SELECT body, received_at, anomaly FROM events WHERE org_id = {} AND at >= {} \
             AND at < {}",
            p.one(),
            p.one(),
            p.one()
        );
        if person.is_some() {
            text.push_str(&format!(" AND subject = {}", p.one()));
        }
        let (cmp, dir) = if page.newest_first {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if cursor.is_some() {
            let (at, at2, seq, seq2, id) = (p.one(), p.one(), p.one(), p.one(), p.one());
            text.push_str(&format!(
                " AND (at {cmp} {at} OR (at = {at2} AND (seq {cmp} {seq} OR (seq = {seq2} \
                 AND id {cmp} {id}))))"
            ));
        }
        text.push_str(&format!(
            " ORDER BY at {dir}, seq {dir}, id {dir} LIMIT {}",
            p.one()
        ));
        let mut q = sqlx::query(&text).bind(&org_s).bind(lo).bind(hi);
        if let Some(p) = person {
            q = q.bind(p.to_string());
        }
        if let Some((at, seq, id)) = &cursor {
            q = q
                .bind(*at)
                .bind(*at)
                .bind(*seq)
                .bind(*seq)
                .bind(id.as_str());
        }
        let rows = q
            .bind(limit)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading events")?;
        let events = rows
            .iter()
            .map(stored_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let bodies = match person {
            Some(p) => {
                sqlx::query_scalar::<_, String>(
                    "SELECT body FROM events WHERE org_id = $1 AND subject = $2 \
                     AND kind = 'correction' AND at >= $3",
                )
                .bind(&org_s)
                .bind(p.to_string())
                .bind(lo)
                .fetch_all(&mut *conn)
                .await
            }
            None => {
                sqlx::query_scalar::<_, String>(
                    "SELECT body FROM events WHERE org_id = $1 AND kind = 'correction' \
                     AND at >= $2",
                )
                .bind(&org_s)
                .bind(lo)
                .fetch_all(&mut *conn)
                .await
            }
        }
        .ctx("reading corrections")?;
        let corrections = bodies
            .iter()
            .map(|b| parse_body(b))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((events, corrections))
    }

    /// The history a timesheet from `lo` on needs, for each of `people`: their
    /// events from their last clock-out before `lo` (for individual users, their
    /// last check-out; from their first event when there is none), up to now, so
    /// corrections made after the range count and open shifts are seen. One query
    /// per 10,000 people.
    pub async fn timesheet_history(
        &self,
        org: OrgId,
        people: &[(PersonId, TrackingMode)],
        lo: DateTime<Utc>,
    ) -> StoreResult<Vec<LoggedEvent>> {
        let org_s = org.to_string();
        let lo = sql::micros(lo);
        let mut conn = self.read.acquire().await.ctx("connecting to read events")?;
        let mut out = Vec::new();
        for chunk in people.chunks((sql::MAX_BINDS - 2) / 3) {
            out.extend(history_chunk(&mut conn, self.backend, &org_s, chunk, lo).await?);
        }
        Ok(out)
    }
}

async fn history_chunk(
    conn: &mut AnyConnection,
    backend: Backend,
    org: &str,
    people: &[(PersonId, TrackingMode)],
    lo: i64,
) -> StoreResult<Vec<LoggedEvent>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = sql::Params::new(backend);
    let values = p.tuples(people.len(), 3);
    let (org1, org2) = (p.one(), p.one());
    let query = format!(
        "WITH q (subject, lo, stop) AS (VALUES {values}) \
         SELECT e.body, e.received_at FROM q JOIN events e \
           ON e.subject = q.subject AND e.org_id = {org1} \
         WHERE e.at >= COALESCE( \
           (SELECT x.at FROM events x WHERE x.subject = q.subject AND x.org_id = {org2} \
              AND x.at < q.lo AND x.kind = q.stop ORDER BY x.at DESC LIMIT 1), \
           e.at)"
    );
    let mut q = sqlx::query(&query);
    for (person, mode) in people {
        let stop = if mode.has_workday_clock() {
            EventKind::ClockOut.name()
        } else {
            "check_out"
        };
        q = q.bind(person.to_string()).bind(lo).bind(stop);
    }
    q = q.bind(org).bind(org);
    let rows = q
        .fetch_all(&mut *conn)
        .await
        .ctx("reading people's events for a timesheet")?;
    let mut seen: HashSet<EventId> = HashSet::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let body: String = row.try_get(0).ctx("reading events.body")?;
        let received_at: i64 = row.try_get(1).ctx("reading events.received_at")?;
        let event = parse_body(&body)?;
        if seen.insert(event.id) {
            out.push(LoggedEvent {
                event,
                received_at: sql::instant(received_at, "reading events.received_at")?,
            });
        }
    }
    Ok(out)
}
