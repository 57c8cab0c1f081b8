//! Timesheets: hours, breaks, job time, billable amount and cost per person per
//! local day, computed from the event log; open shifts and anomalies flagged; CSV
//! for payroll. Pure: no I/O, no clock (`now` is an argument).
//!
//! Guarantees:
//! - **Corrected view.** Hours are read from the same corrected, ordered history
//!   [`replay`](crate::domain::replay) folds (corrections move event times; the
//!   latest correction wins); the anomalies are replay's own, plus the ones only
//!   a report can see (missing clock-out, late arrival, needs review).
//! - **Days.** A day is a local calendar day at the offset of the event that began
//!   the stretch of time (each event carries its device's offset). A shift across
//!   midnight is cut there and each day gets its part. For every person, the
//!   day rows add up exactly to the person's totals; on each day, breaks are never
//!   worked time and, for people with a workday clock, job time never exceeds
//!   worked time (jobs run only while clocked in and not on a break).
//! - **Open shifts** (no clock-out, or for individual users no check-out, in the
//!   events given) count up to `now`, and are listed and flagged `open`.
//! - **Money** is integer cents; amounts are rounded once per person, day and job,
//!   half away from zero (see [`money::amount`]); totals are sums of the rounded
//!   day amounts, so a payroll export adds up to the totals shown.
//! - Total: any events, in any order, give a timesheet; nothing panics.
//!
//! Callers pass each person's history from at least their last clock-out before
//! the range (a shift begun before `from` counts on the days of the range it
//! covers); events after the range are allowed and only decide whether a shift is
//! still open. Events of people not in `people` are left out of the timesheet.

mod compute;
pub mod csv;
mod days;
pub mod money;
mod walk;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::event::Event;
use super::ids::{EventId, JobId, PersonId};
use super::person::{Job, Person, TrackingMode};
use super::state::AnomalyKind;

pub use compute::timesheet;
pub use csv::{to_csv, to_jobs_csv};
pub use days::{local_day_start, local_week_start};
pub use money::{Money, RatePeriod};
pub use walk::hours_since;

/// An event as the hub stored it: with the instant it arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedEvent {
    pub event: Event,
    pub received_at: DateTime<Utc>,
}

/// Thresholds of the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimesheetOptions {
    /// An event whose `received_at − at` exceeds this "arrived late" (the seeds'
    /// "events that arrived days late"). Default 24 h.
    pub late_after: TimeDelta,
    /// A shift that runs into a later local day than it began and lasts longer
    /// than this is flagged "missing clock-out" (still in from an earlier day). The
    /// length keeps a normal night shift (22:00–06:00) from being flagged while it
    /// runs. Default 16 h.
    pub missing_clock_out_after: TimeDelta,
}

impl Default for TimesheetOptions {
    fn default() -> Self {
        TimesheetOptions {
            late_after: TimeDelta::hours(24),
            missing_clock_out_after: TimeDelta::hours(16),
        }
    }
}

/// What a timesheet is computed from.
#[derive(Clone, Copy, Debug)]
pub struct TimesheetRequest<'a> {
    /// Events of any people, in any order; corrections included.
    pub events: &'a [LoggedEvent],
    /// The people to report on, in the order the timesheet lists them (archived
    /// people included: their data stays in reports). A repeated id counts once.
    pub people: &'a [Person],
    /// Jobs, for their names.
    pub jobs: &'a [Job],
    pub rates: &'a [RatePeriod],
    /// First and last local day of the range, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The end of open shifts.
    pub now: DateTime<Utc>,
    pub options: TimesheetOptions,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timesheet {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub now: DateTime<Utc>,
    /// One sheet per person asked for, in the order asked, even with no hours.
    pub people: Vec<PersonSheet>,
    /// Per job over the range and all people, by job id; only jobs with time.
    pub jobs: Vec<JobTotal>,
    /// Shifts with no end yet that count on a day of the range.
    pub open_shifts: Vec<OpenShift>,
    /// Per person (in `people` order), by day, then by event time.
    pub issues: Vec<Issue>,
}

impl Timesheet {
    /// The name of a job, if the request knew it.
    pub fn job_name(&self, job: JobId) -> Option<&str> {
        self.jobs
            .iter()
            .find(|j| j.job == job)
            .and_then(|j| j.name.as_deref())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonSheet {
    pub person: PersonId,
    pub name: String,
    pub mode: TrackingMode,
    /// Days of the range with time or a flag, in date order.
    pub days: Vec<DaySheet>,
    pub worked: TimeDelta,
    pub breaks: TimeDelta,
    pub billable: Money,
    pub cost: Money,
    /// Per job over the range, by job id.
    pub jobs: Vec<JobTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaySheet {
    pub date: NaiveDate,
    /// Clocked in and not on a break; for individual users, checked in to a job.
    pub worked: TimeDelta,
    pub breaks: TimeDelta,
    /// Check-in to check-out, per job, by job id.
    pub jobs: Vec<JobTime>,
    /// `worked` × the rate valid on this day; zero with no rate.
    pub billable: Money,
    /// `worked` × the cost valid on this day; zero with no rate.
    pub cost: Money,
    /// The rate period valid on this day, if any.
    pub rate: Option<RatePeriod>,
    /// Part of the time is an open shift counted up to `now`.
    pub open: bool,
    /// The kinds of issue on this day, each once, in [`IssueKind`] order. A
    /// missing clock-out marks every day its shift counts on.
    pub flags: Vec<IssueKind>,
}

impl DaySheet {
    /// Time was worked but no rate was valid: the amounts are zero, not unknown.
    pub fn no_rate(&self) -> bool {
        self.rate.is_none() && self.worked > TimeDelta::zero()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobTime {
    pub job: JobId,
    pub time: TimeDelta,
    /// `time` × the person's rate that day (summed over days in totals).
    pub billable: Money,
    pub cost: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobTotal {
    pub job: JobId,
    /// `None` for a job the request did not list.
    pub name: Option<String>,
    pub time: TimeDelta,
    pub billable: Money,
    pub cost: Money,
}

/// A shift with no clock-out (for individual users: a job with no check-out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenShift {
    pub person: PersonId,
    /// The clock-in (or check-in) that began it.
    pub event: EventId,
    /// Its corrected time.
    pub since: DateTime<Utc>,
    /// The local day it began.
    pub day: NaiveDate,
}

/// Something on a timesheet a supervisor should look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub person: PersonId,
    pub event: EventId,
    /// The local day the event concerns: its corrected time's day (for a
    /// correction, the day of the time it sets; for a missing clock-out, the day
    /// the shift began).
    pub day: NaiveDate,
    pub kind: IssueKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IssueKind {
    /// Found by the replay: check-in without clock-in, clock-out without
    /// clock-in, and the rest of [`AnomalyKind`].
    Punch { anomaly: AnomalyKind },
    /// Still in from an earlier day (see [`TimesheetOptions`]); names the
    /// clock-in (for individual users, the check-in).
    MissingClockOut,
    /// Reached the hub more than [`TimesheetOptions::late_after`] after it
    /// happened.
    ArrivedLate { late_by_secs: i64 },
    /// Flagged `needs_review` when recorded (a self-reported missed punch).
    NeedsReview,
}

impl IssueKind {
    /// Stable snake_case name, used in CSV flags.
    pub fn name(&self) -> &'static str {
        match self {
            IssueKind::Punch { anomaly } => anomaly.name(),
            IssueKind::MissingClockOut => "missing_clock_out",
            IssueKind::ArrivedLate { .. } => "arrived_late",
            IssueKind::NeedsReview => "needs_review",
        }
    }
}
