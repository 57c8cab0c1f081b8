//! `GET /api/v1/admin/events` and `POST /api/v1/admin/corrections`: reading the
//! event log and correcting a recorded time.
//!
//! Rights: reading needs the report rights (see [`super::viewable`]). A correction
//! is decided by the domain alone (`decide` with `Intent::Correct`, actor = the
//! token's person, `Method::Admin`): `override_punch_mode` and a higher rank for
//! someone else, `override_own_punch_mode` for oneself; a time on or moved off a
//! locked day also needs `override_date_lock` (`override_own_date_lock` for
//! oneself); a reason is required; the new time may not be in the future.
//!
//! Guarantees: the original event is never changed; the correction is a new
//! event naming it (stored on the organisation's hub pseudo-device, see
//! `crate::hub::store::admin`), written with an audit row `event.correct` in the
//! same transaction. A correction of a correction is refused: correct the
//! original event (its latest correction wins). Listing never truncates silently:
//! a range holding more than [`MAX_EVENTS`] events is refused, asking for a
//! narrower one. Dates are local calendar days at each event's own offset, and
//! select events by their time as recorded.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::json;

use super::Params;
use super::viewable::viewable;
use crate::domain::{
    Actor, CorrectionTarget, DeviceId, Event, EventId, EventKind, Intent, Method, PersonId,
    Refusal, corrected_times, decide, fold,
};
use crate::hub::admin::{AdminAuth, conflict, forbidden, not_found, store_error};
use crate::hub::app::{AppState, Routes};
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::store::admin::{EventPage, HUB_DEVICE_NAME};
use crate::hub::store::{StoreError, StoredEvent};
use crate::wire::admin::PersonRef;
use crate::wire::admin_records::{DeviceRef, EventView, JobRef, MAX_EVENTS, NewCorrection};

/// The routes of this file.
pub fn routes() -> Routes {
    vec![
        ("/api/v1/admin/events", get(list)),
        ("/api/v1/admin/corrections", post(correct)),
    ]
}

/// `?person=ID_OR_NAME&from=YYYY-MM-DD&to=YYYY-MM-DD&limit=N&before=EVENT_ID`;
/// both days included. With `limit` or `before`, one page: the `limit` (default
/// [`PAGE`]) latest events matching, before the event `before` names if given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    to: Option<NaiveDate>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    before: Option<EventId>,
}

/// Events in a page when `before` is given without `limit`.
pub const PAGE: usize = 1_000;

/// The header of a page that has older events: the `before` of the next page.
pub const NEXT_BEFORE: &str = "tapin-next-before";

/// Every offset a real clock has lies within a day of UTC: events of local day
/// `d` were recorded between `d − 1 day` and `d + 2 days`, UTC midnight.
pub(super) const OFFSET_MARGIN: TimeDelta = TimeDelta::days(1);

/// UTC midnight of `day` moved by `by`, saturating at the ends of the calendar.
pub(super) fn midnight_moved(day: NaiveDate, by: TimeDelta) -> DateTime<Utc> {
    let saturated = if by < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    };
    day.and_time(NaiveTime::MIN)
        .and_utc()
        .checked_add_signed(by)
        .unwrap_or(saturated)
}

async fn list(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Params(q): Params<EventsQuery>,
) -> Result<(HeaderMap, Json<Vec<EventView>>), ApiError> {
    let org = me.org()?;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(ApiError::bad_request(format!(
            "from ({from}) is after to ({to})"
        )));
    }
    let allowed = viewable(&app, &me, org, q.person.as_deref()).await?;
    let lo = q.from.map_or(DateTime::<Utc>::MIN_UTC, |d| {
        midnight_moved(d, -OFFSET_MARGIN)
    });
    let hi = q.to.map_or(DateTime::<Utc>::MAX_UTC, |d| {
        midnight_moved(d, OFFSET_MARGIN * 2)
    });
    let only = q
        .person
        .as_ref()
        .and_then(|_| allowed.people.first().map(|p| p.id));
    let may_read: HashSet<PersonId> = allowed.people.iter().map(|p| p.id).collect();
    let in_range = |e: &Event| {
        let day = e.local_time().date_naive();
        q.from.is_none_or(|f| day >= f) && q.to.is_none_or(|t| day <= t)
    };
    let shown = |s: &StoredEvent| may_read.contains(&s.event.subject) && in_range(&s.event);
    let mut headers = HeaderMap::new();
    let (events, corrections) = if q.limit.is_some() || q.before.is_some() {
        let limit = q.limit.unwrap_or(PAGE);
        if !(1..=MAX_EVENTS).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {MAX_EVENTS}"
            )));
        }
        let (events, corrections, next) =
            page(&app, org, only, (lo, hi), q.before, limit, &shown).await?;
        if let Some(next) = next.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
            headers.insert(NEXT_BEFORE, next);
        }
        (events, corrections)
    } else {
        let (events, corrections) = app
            .store
            .events_between(org, only, lo, hi, MAX_EVENTS + 1)
            .await?;
        if events.len() > MAX_EVENTS {
            return Err(ApiError::bad_request(format!(
                "more than {MAX_EVENTS} events match: give a narrower --from/--to, a \
                 --person, or page with --limit"
            )));
        }
        (
            events.into_iter().filter(|s| shown(s)).collect(),
            corrections,
        )
    };
    let moved = corrected_times(corrections.iter());
    let jobs: HashMap<_, _> = app
        .store
        .jobs_of(org)
        .await?
        .into_iter()
        .map(|j| (j.id, j.name))
        .collect();
    let devices = app.store.device_names(org).await?;
    let views = events
        .into_iter()
        .map(|s| {
            let corrected_at = moved.get(&s.event.id).copied().unwrap_or(s.event.at);
            event_view(s, corrected_at, &allowed.names, &jobs, &devices)
        })
        .collect();
    Ok((headers, Json(views)))
}

/// One page: the `limit` latest events `shown` keeps before `before`, oldest
/// first, with the corrections of their people, and the `before` of the next page
/// when older events are left. Reads newest first in batches until the page is
/// full, since `shown` may leave rows out.
async fn page(
    app: &AppState,
    org: crate::wire::OrgId,
    person: Option<PersonId>,
    (lo, hi): (DateTime<Utc>, DateTime<Utc>),
    before: Option<EventId>,
    limit: usize,
    shown: &(dyn Fn(&StoredEvent) -> bool + Sync),
) -> Result<(Vec<StoredEvent>, Vec<Event>, Option<EventId>), ApiError> {
    let mut kept = Vec::with_capacity(limit + 1);
    let mut cursor = before;
    let mut corrections = None;
    loop {
        let batch = EventPage {
            cursor,
            newest_first: true,
            limit: limit + 1,
        };
        let (rows, found) = app
            .store
            .events_page(org, person, lo, hi, batch)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => not_found(format!(
                    "no event {} in this organisation to page from",
                    before.map(|b| b.to_string()).unwrap_or_default()
                )),
                other => other.into(),
            })?;
        corrections.get_or_insert(found);
        let done = rows.len() <= limit;
        cursor = rows.last().map(|s| s.event.id);
        kept.extend(rows.into_iter().filter(|s| shown(s)));
        if done || kept.len() > limit {
            break;
        }
    }
    let more = kept.len() > limit;
    kept.truncate(limit);
    kept.reverse();
    let next = more.then(|| kept.first().map(|s| s.event.id)).flatten();
    Ok((kept, corrections.unwrap_or_default(), next))
}

fn event_view(
    stored: StoredEvent,
    corrected_at: DateTime<Utc>,
    names: &HashMap<PersonId, String>,
    jobs: &HashMap<crate::domain::JobId, String>,
    devices: &HashMap<DeviceId, String>,
) -> EventView {
    let e = stored.event;
    let name_of = |id: PersonId| names.get(&id).cloned().unwrap_or_default();
    let (job, corrects, new_time, reason) = match &e.kind {
        EventKind::CheckIn { job } | EventKind::CheckOut { job } => (
            Some(JobRef {
                id: *job,
                name: jobs.get(job).cloned().unwrap_or_default(),
            }),
            None,
            None,
            None,
        ),
        EventKind::Correction {
            corrects,
            new_time,
            reason,
        } => (None, Some(*corrects), Some(*new_time), Some(reason.clone())),
        _ => (None, None, None, None),
    };
    EventView {
        id: e.id,
        person: PersonRef {
            id: e.subject,
            name: name_of(e.subject),
        },
        kind: e.kind.name().to_owned(),
        job,
        at: e.at,
        corrected_at,
        utc_offset_secs: e.utc_offset_secs,
        received_at: stored.received_at,
        device: DeviceRef {
            id: e.device,
            name: devices
                .get(&e.device)
                .cloned()
                .unwrap_or_else(|| HUB_DEVICE_NAME.to_owned()),
        },
        seq: e.seq,
        actor: e.actor,
        actor_name: match e.actor {
            Actor::Person(p) => Some(name_of(p)),
            Actor::Kiosk(_) => None,
        },
        method: e.method,
        corrects,
        new_time,
        reason,
        note: e.note,
        needs_review: e.needs_review,
        anomaly: stored.anomaly,
    }
}

/// A refusal of the domain as an answer: a right, rank or lock is 403, a bad
/// time or reason 400, anything about the person's state 409.
fn refused(r: Refusal) -> ApiError {
    match &r {
        Refusal::MissingRight { right } => forbidden(format!("{r} (needs {right})")),
        Refusal::RankTooLow | Refusal::DateLocked { .. } | Refusal::KioskCannot => {
            forbidden(r.to_string())
        }
        Refusal::FutureTime
        | Refusal::SameTime
        | Refusal::ReasonRequired
        | Refusal::BeforeLastPunch { .. } => ApiError::bad_request(r.to_string()),
        _ => conflict(r.to_string()),
    }
}

async fn correct(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    JsonBody(req): JsonBody<NewCorrection>,
) -> Result<(StatusCode, Json<EventView>), ApiError> {
    let org = me.org()?;
    let actor = me
        .person()
        .ok_or_else(|| forbidden("only a person can correct"))?;
    if req.reason.len() > crate::wire::MAX_TEXT_BYTES {
        return Err(ApiError::bad_request(format!(
            "the reason is longer than {} bytes",
            crate::wire::MAX_TEXT_BYTES
        )));
    }
    if crate::sanitize::for_terminal(&req.reason) != req.reason {
        return Err(ApiError::bad_request(
            "the reason contains control characters; use printable text only",
        ));
    }
    let (target, corrections) = app
        .store
        .event_with_corrections(org, req.event)
        .await?
        .ok_or_else(|| not_found(format!("no event {} in this organisation", req.event)))?;
    if let EventKind::Correction { corrects, .. } = &target.event.kind {
        return Err(ApiError::bad_request(format!(
            "event {} is itself a correction: correct the original event {corrects}",
            req.event
        )));
    }
    let current = corrected_times(corrections.iter())
        .get(&target.event.id)
        .copied()
        .unwrap_or(target.event.at);
    let dir = app.store.directory(org).await?;
    let now = Utc::now();
    let subject = target.event.subject;
    let mode = dir
        .person(subject)
        .map(|p| p.mode)
        .ok_or_else(|| not_found(format!("no person {subject} in this organisation")))?;
    let history = app
        .store
        .timesheet_history(org, &[(subject, mode)], now)
        .await?;
    let state = fold(history.iter().map(|l| &l.event), mode);
    let intent = Intent::Correct {
        target: CorrectionTarget {
            event: target.event.id,
            subject,
            at: current,
        },
        new_time: req.time,
        reason: req.reason.clone(),
    };
    let drafts = decide(
        &dir,
        &|p| {
            if p == subject {
                state
            } else {
                Default::default()
            }
        },
        Actor::Person(actor),
        Method::Admin,
        intent,
        now,
    )
    .map_err(refused)?;
    let draft = drafts
        .into_iter()
        .next()
        .ok_or_else(|| conflict("the correction recorded nothing"))?;
    let entry = me.audit("event.correct", target.event.id).with(json!({
        "person": subject,
        "from": current,
        "to": req.time,
        "reason": req.reason.trim(),
    }));
    let stored = app
        .store
        .record_correction(org, draft, target.event.utc_offset_secs, &entry)
        .await
        .map_err(store_error)?;
    let names: HashMap<PersonId, String> = [
        (
            subject,
            dir.person(subject)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        ),
        (actor, me.name.clone()),
    ]
    .into_iter()
    .collect();
    let at = stored.event.at;
    let view = event_view(
        stored,
        at,
        &names,
        &HashMap::new(),
        &app.store.device_names(org).await?,
    );
    Ok((StatusCode::CREATED, Json(view)))
}
