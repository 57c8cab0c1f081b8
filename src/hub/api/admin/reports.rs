//! `GET /api/v1/admin/reports/timesheet`: hours per person per day and per job,
//! breaks excluded, from the corrected event log; open shifts and anomalies
//! listed; billable amount and cost with the rate valid on each day.
//!
//! Rights: the report rights (see [`super::viewable`]): without `person`, the
//! report covers everyone the caller may read (archived people too).
//!
//! Guarantees: the numbers are `crate::domain::timesheet::timesheet`'s, over each
//! person's history from their last clock-out before the range (last check-out
//! for individual users) up to now, so a shift begun before the range counts on
//! the range's days, corrections made after the range count, and a shift still
//! running is open; `format=csv` is exactly `domain::timesheet::to_csv` (the
//! payroll export), `format=jobs_csv` exactly `to_jobs_csv`; `format=json` (the
//! default) is a [`TimesheetView`]. A range is at most [`MAX_DAYS`] days.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::Params;
use super::records::{OFFSET_MARGIN, midnight_moved};
use super::viewable::viewable;
use crate::domain::timesheet::{DaySheet, IssueKind, JobTime};
use crate::domain::{
    PersonId, Timesheet, TimesheetOptions, TimesheetRequest, timesheet, to_csv, to_jobs_csv,
};
use crate::hub::admin::AdminAuth;
use crate::hub::app::{AppState, Routes};
use crate::hub::error::ApiError;
use crate::wire::admin::PersonRef;
use crate::wire::admin_records::{
    DayView, IssueView, JobTimeView, OpenShiftView, PersonSheetView, TimesheetView,
};

/// Days one timesheet covers at most.
pub const MAX_DAYS: i64 = 366;

/// The routes of this file.
pub fn routes() -> Routes {
    vec![("/api/v1/admin/reports/timesheet", get(report))]
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&person=ID_OR_NAME&format=json|csv|jobs_csv`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimesheetQuery {
    from: NaiveDate,
    to: NaiveDate,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn report(
    State(app): State<Arc<AppState>>,
    AdminAuth(me): AdminAuth,
    Params(q): Params<TimesheetQuery>,
) -> Result<Response, ApiError> {
    let org = me.org()?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "jobs_csv") {
        return Err(ApiError::bad_request(format!(
            "format is json, csv or jobs_csv, not {format:?}"
        )));
    }
    if q.from > q.to {
        return Err(ApiError::bad_request(format!(
            "from ({}) is after to ({})",
            q.from, q.to
        )));
    }
    if (q.to - q.from).num_days() >= MAX_DAYS {
        return Err(ApiError::bad_request(format!(
            "a timesheet covers at most {MAX_DAYS} days: split the range"
        )));
    }
    let allowed = viewable(&app, &me, org, q.person.as_deref()).await?;
    let people = allowed.people;
    let modes: Vec<_> = people.iter().map(|p| (p.id, p.mode)).collect();
    let lo = midnight_moved(q.from, -OFFSET_MARGIN);
    let events = app.store.timesheet_history(org, &modes, lo).await?;
    let jobs = app.store.jobs_of(org).await?;
    let rates = app.store.rates_of(org, None).await?;
    let sheet = timesheet(&TimesheetRequest {
        events: &events,
        people: &people,
        jobs: &jobs,
        rates: &rates,
        from: q.from,
        to: q.to,
        now: Utc::now(),
        options: TimesheetOptions::default(),
    });
    let csv =
        |body: String| ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
    Ok(match format {
        "csv" => csv(to_csv(&sheet)),
        "jobs_csv" => csv(to_jobs_csv(&sheet)),
        _ => Json(view(&sheet, &allowed.names)).into_response(),
    })
}

fn job_time(sheet: &Timesheet, j: &JobTime) -> JobTimeView {
    JobTimeView {
        id: j.job,
        name: sheet.job_name(j.job).map(str::to_owned),
        secs: j.time.num_seconds(),
        billable_cents: j.billable.cents(),
        cost_cents: j.cost.cents(),
    }
}

fn day_view(sheet: &Timesheet, person: PersonId, d: &DaySheet) -> DayView {
    let mut flags: Vec<String> = Vec::new();
    if d.open {
        flags.push("open".into());
    }
    if d.no_rate() {
        flags.push("no_rate".into());
    }
    flags.extend(d.flags.iter().map(|f| f.name().to_owned()));
    DayView {
        id: format!("{person}/{}", d.date),
        date: d.date,
        worked_secs: d.worked.num_seconds(),
        break_secs: d.breaks.num_seconds(),
        billable_cents: d.billable.cents(),
        cost_cents: d.cost.cents(),
        rate_cents: d.rate.map(|r| r.rate.cents()),
        cost_rate_cents: d.rate.map(|r| r.cost.cents()),
        open: d.open,
        flags,
        jobs: d.jobs.iter().map(|j| job_time(sheet, j)).collect(),
    }
}

/// The JSON view of a timesheet.
pub fn view(sheet: &Timesheet, names: &HashMap<PersonId, String>) -> TimesheetView {
    let person = |id: PersonId| PersonRef {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    };
    TimesheetView {
        id: format!("timesheet/{}/{}", sheet.from, sheet.to),
        from: sheet.from,
        to: sheet.to,
        generated_at: sheet.now,
        people: sheet
            .people
            .iter()
            .map(|p| PersonSheetView {
                id: p.person,
                name: p.name.clone(),
                worked_secs: p.worked.num_seconds(),
                break_secs: p.breaks.num_seconds(),
                billable_cents: p.billable.cents(),
                cost_cents: p.cost.cents(),
                days: p
                    .days
                    .iter()
                    .map(|d| day_view(sheet, p.person, d))
                    .collect(),
                jobs: p.jobs.iter().map(|j| job_time(sheet, j)).collect(),
            })
            .collect(),
        jobs: sheet
            .jobs
            .iter()
            .map(|j| JobTimeView {
                id: j.job,
                name: j.name.clone(),
                secs: j.time.num_seconds(),
                billable_cents: j.billable.cents(),
                cost_cents: j.cost.cents(),
            })
            .collect(),
        open_shifts: sheet
            .open_shifts
            .iter()
            .map(|o| OpenShiftView {
                id: o.event,
                person: person(o.person),
                since: o.since,
                day: o.day,
            })
            .collect(),
        issues: sheet
            .issues
            .iter()
            .map(|i| IssueView {
                id: i.event,
                person: person(i.person),
                day: i.day,
                kind: i.kind.name().to_owned(),
                late_by_secs: match i.kind {
                    IssueKind::ArrivedLate { late_by_secs } => Some(late_by_secs),
                    _ => None,
                },
            })
            .collect(),
    }
}
