//! The admin API's wire format for the records: events, corrections and
//! timesheets (`/api/v1/admin/events`, `/api/v1/admin/corrections`,
//! `/api/v1/admin/reports/timesheet`), shared by the hub and `tapin admin`.
//!
//! Guarantees: requests reject unknown fields; every answered object carries `id`
//! (a timesheet day's is `PERSON_ID/YYYY-MM-DD`, a job line's the job's id); people
//! carry `name`; lists are JSON arrays; durations are whole seconds (`*_secs`),
//! money is integer cents (`*_cents`), dates `YYYY-MM-DD`, instants RFC 3339 UTC.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::admin::PersonRef;
use crate::domain::{Actor, DeviceId, EventId, JobId, Method, PersonId};

/// Events one `GET /api/v1/admin/events` returns at most.
pub const MAX_EVENTS: usize = 50_000;

/// One event as the hub holds it, with its corrected time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: EventId,
    pub person: PersonRef,
    /// `clock_in`, `clock_out`, `break_start`, `break_end`, `check_in`,
    /// `check_out` or `correction`.
    pub kind: String,
    pub job: Option<JobRef>,
    /// When it happened, as recorded.
    pub at: DateTime<Utc>,
    /// Its time after corrections (`at` when never corrected).
    pub corrected_at: DateTime<Utc>,
    /// The recording device's offset east of UTC, seconds.
    pub utc_offset_secs: i32,
    pub received_at: DateTime<Utc>,
    pub device: DeviceRef,
    pub seq: u64,
    pub actor: Actor,
    /// The actor's name, when the actor is a person.
    pub actor_name: Option<String>,
    pub method: Method,
    /// For a correction: the event it moves, to when, and why.
    pub corrects: Option<EventId>,
    pub new_time: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    /// The reason given for an entered time.
    pub note: Option<String>,
    pub needs_review: bool,
    /// The punch rule it broke on arrival, if any (it is stored all the same).
    pub anomaly: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRef {
    pub id: JobId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRef {
    pub id: DeviceId,
    pub name: String,
}

/// `POST /api/v1/admin/corrections`: move the time of a recorded event. Recorded
/// as a new event; the original stays as it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    pub event: EventId,
    pub time: DateTime<Utc>,
    pub reason: String,
}

/// A timesheet (`GET /api/v1/admin/reports/timesheet?format=json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesheetView {
    /// `timesheet/FROM/TO`.
    pub id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Open shifts count up to this instant.
    pub generated_at: DateTime<Utc>,
    pub people: Vec<PersonSheetView>,
    /// Per job over the range and every person.
    pub jobs: Vec<JobTimeView>,
    pub open_shifts: Vec<OpenShiftView>,
    pub issues: Vec<IssueView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSheetView {
    pub id: PersonId,
    pub name: String,
    pub worked_secs: i64,
    pub break_secs: i64,
    pub billable_cents: i64,
    pub cost_cents: i64,
    pub days: Vec<DayView>,
    pub jobs: Vec<JobTimeView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// `PERSON_ID/YYYY-MM-DD`.
    pub id: String,
    pub date: NaiveDate,
    pub worked_secs: i64,
    pub break_secs: i64,
    pub billable_cents: i64,
    pub cost_cents: i64,
    /// The hourly rate and cost valid that day, if any.
    pub rate_cents: Option<i64>,
    pub cost_rate_cents: Option<i64>,
    /// Part of the time is an open shift counted up to `generated_at`.
    pub open: bool,
    /// `open`, `no_rate`, then each issue kind of the day (as in the CSV).
    pub flags: Vec<String>,
    pub jobs: Vec<JobTimeView>,
}

/// Time on one job: a person's on one day, a person's over the range, or
/// everyone's over the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTimeView {
    /// The job's id.
    pub id: JobId,
    pub name: Option<String>,
    pub secs: i64,
    pub billable_cents: i64,
    pub cost_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenShiftView {
    /// The clock-in (or check-in) that began it.
    pub id: EventId,
    pub person: PersonRef,
    pub since: DateTime<Utc>,
    pub day: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueView {
    /// The event concerned.
    pub id: EventId,
    pub person: PersonRef,
    pub day: NaiveDate,
    /// `missing_clock_out`, `arrived_late`, `needs_review`, or a punch anomaly
    /// such as `check_in_without_clock_in`.
    pub kind: String,
    /// For `arrived_late`: by how many seconds.
    pub late_by_secs: Option<i64>,
}
