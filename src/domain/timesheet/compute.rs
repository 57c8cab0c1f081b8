//! Builds a [`Timesheet`]: walk each person's corrected history, cut it into
//! local days, price each day with the rate valid on it, and collect the issues.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};

use super::days::{local_date, split_by_day};
use super::money::{Money, RateBook, amount};
use super::walk::{Walk, offset_of, recording_order, walk};
use super::{
    DaySheet, Issue, IssueKind, JobTime, JobTotal, LoggedEvent, OpenShift, PersonSheet, Timesheet,
    TimesheetRequest,
};
use crate::domain::event::{Event, EventKind};
use crate::domain::ids::{EventId, JobId, PersonId};
use crate::domain::person::Person;

/// Adds without ever panicking: a sum past `TimeDelta::MAX` (hundreds of
/// millions of years) stays there.
fn add_time(total: &mut TimeDelta, more: TimeDelta) {
    *total = total.checked_add(&more).unwrap_or(TimeDelta::MAX);
}

/// Adds a flag to a day's list, each kind once; a late arrival keeps the
/// longest delay.
fn add_flag(flags: &mut Vec<IssueKind>, kind: IssueKind) {
    match flags.iter_mut().find(|f| f.name() == kind.name()) {
        Some(IssueKind::ArrivedLate { late_by_secs }) => {
            if let IssueKind::ArrivedLate { late_by_secs: more } = kind {
                *late_by_secs = (*late_by_secs).max(more);
            }
        }
        Some(_) => {}
        None => {
            flags.push(kind);
            flags.sort();
        }
    }
}

/// A day being summed up.
#[derive(Default)]
struct DayAcc {
    worked: TimeDelta,
    breaks: TimeDelta,
    jobs: BTreeMap<JobId, TimeDelta>,
    open: bool,
    flags: Vec<IssueKind>,
}

/// Computes the timesheet of `req.people` over `req.from..=req.to`. See the
/// module documentation for what it guarantees.
pub fn timesheet(req: &TimesheetRequest<'_>) -> Timesheet {
    let mut by_person: BTreeMap<PersonId, Vec<&LoggedEvent>> = BTreeMap::new();
    for logged in req.events {
        by_person
            .entry(logged.event.subject)
            .or_default()
            .push(logged);
    }
    let mut seen = BTreeSet::new();
    let mut people = Vec::new();
    let mut open_shifts = Vec::new();
    let mut issues = Vec::new();
    for person in req.people {
        if !seen.insert(person.id) {
            continue;
        }
        let logged = by_person.get(&person.id).map_or(&[][..], Vec::as_slice);
        let one = person_sheet(req, person, logged);
        people.push(one.sheet);
        open_shifts.extend(one.open_shifts);
        issues.extend(one.issues);
    }
    Timesheet {
        from: req.from,
        to: req.to,
        now: req.now,
        jobs: job_totals(req, &people),
        people,
        open_shifts,
        issues,
    }
}

/// Adds one job's time and amounts to the running totals per job.
fn add_job_time(totals: &mut BTreeMap<JobId, JobTime>, jt: &JobTime) {
    let total = totals.entry(jt.job).or_insert(JobTime {
        job: jt.job,
        time: TimeDelta::zero(),
        billable: Money::ZERO,
        cost: Money::ZERO,
    });
    add_time(&mut total.time, jt.time);
    total.billable += jt.billable;
    total.cost += jt.cost;
}

fn job_totals(req: &TimesheetRequest<'_>, people: &[PersonSheet]) -> Vec<JobTotal> {
    let mut totals: BTreeMap<JobId, JobTime> = BTreeMap::new();
    for jt in people.iter().flat_map(|p| &p.jobs) {
        add_job_time(&mut totals, jt);
    }
    totals
        .into_values()
        .map(|t| JobTotal {
            job: t.job,
            name: req
                .jobs
                .iter()
                .find(|j| j.id == t.job)
                .map(|j| j.name.clone()),
            time: t.time,
            billable: t.billable,
            cost: t.cost,
        })
        .collect()
}

struct OnePerson {
    sheet: PersonSheet,
    open_shifts: Vec<OpenShift>,
    issues: Vec<Issue>,
}

fn person_sheet(req: &TimesheetRequest<'_>, person: &Person, logged: &[&LoggedEvent]) -> OnePerson {
    let mut events: Vec<&Event> = logged.iter().map(|l| &l.event).collect();
    recording_order(&mut events);
    let walk = walk(&events, person.mode, req.now);
    let in_range = |day: NaiveDate| req.from <= day && day <= req.to;

    let mut days: BTreeMap<NaiveDate, DayAcc> = BTreeMap::new();
    // The days of the range each shift counts on.
    let mut shift_days: Vec<BTreeSet<NaiveDate>> = vec![BTreeSet::new(); walk.shifts.len()];
    for iv in &walk.intervals {
        for (date, piece) in split_by_day(iv.start, iv.end, iv.offset, req.from, req.to) {
            let day = days.entry(date).or_default();
            if iv.worked {
                add_time(&mut day.worked, piece);
            }
            if iv.on_break {
                add_time(&mut day.breaks, piece);
            }
            if let Some(job) = iv.job {
                add_time(day.jobs.entry(job).or_default(), piece);
            }
            day.open |= iv.open;
            if let Some(touched) = shift_days.get_mut(iv.shift) {
                touched.insert(date);
            }
        }
    }

    let mut found: Vec<(Issue, DateTime<Utc>)> = event_issues(req, person, logged, &events, &walk)
        .into_iter()
        .filter(|(issue, _)| in_range(issue.day))
        .collect();
    let mut open_shifts = Vec::new();
    for (shift, touched) in walk.shifts.iter().zip(&shift_days) {
        let start_day = local_date(shift.start, shift.offset);
        if !in_range(start_day) && touched.is_empty() {
            continue;
        }
        if shift.open {
            open_shifts.push(OpenShift {
                person: person.id,
                event: shift.started_by,
                since: shift.start,
                day: start_day,
            });
        }
        let later_day = local_date(shift.end, shift.offset) > start_day;
        if later_day && shift.end - shift.start > req.options.missing_clock_out_after {
            let issue = Issue {
                person: person.id,
                event: shift.started_by,
                day: start_day,
                kind: IssueKind::MissingClockOut,
            };
            found.push((issue, shift.start));
            for date in touched {
                add_flag(
                    &mut days.entry(*date).or_default().flags,
                    IssueKind::MissingClockOut,
                );
            }
        }
    }
    for (issue, _) in found.iter().filter(|(issue, _)| in_range(issue.day)) {
        add_flag(&mut days.entry(issue.day).or_default().flags, issue.kind);
    }
    found.sort_by_key(|(issue, at)| (issue.day, *at, issue.kind, issue.event));

    let sheet = price(req, person, days);
    OnePerson {
        sheet,
        open_shifts,
        issues: found.into_iter().map(|(issue, _)| issue).collect(),
    }
}

/// The issues tied to single events, with the corrected time of each for
/// ordering: replay's anomalies, late arrivals and entries flagged for review.
fn event_issues(
    req: &TimesheetRequest<'_>,
    person: &Person,
    logged: &[&LoggedEvent],
    events: &[&Event],
    walk: &Walk,
) -> Vec<(Issue, DateTime<Utc>)> {
    let by_id: BTreeMap<EventId, &Event> = events.iter().map(|e| (e.id, *e)).collect();
    // The instant an event concerns: its corrected time, or the time a
    // correction sets.
    let concerns = |e: &Event| match &e.kind {
        EventKind::Correction { new_time, .. } => *new_time,
        _ => walk.corrected.get(&e.id).copied().unwrap_or(e.at),
    };
    let issue = |e: &Event, kind| {
        let at = concerns(e);
        let day = local_date(at, offset_of(e));
        let issue = Issue {
            person: person.id,
            event: e.id,
            day,
            kind,
        };
        (issue, at)
    };
    let mut found = Vec::new();
    for anomaly in &walk.anomalies {
        if let Some(e) = by_id.get(&anomaly.event) {
            found.push(issue(
                e,
                IssueKind::Punch {
                    anomaly: anomaly.kind,
                },
            ));
        }
    }
    for l in logged {
        let late = l.received_at - l.event.at;
        if late > req.options.late_after {
            let kind = IssueKind::ArrivedLate {
                late_by_secs: late.num_seconds(),
            };
            found.push(issue(&l.event, kind));
        }
        if l.event.needs_review {
            found.push(issue(&l.event, IssueKind::NeedsReview));
        }
    }
    found
}

/// Prices each day with the rate valid on it and sums the totals.
fn price(
    req: &TimesheetRequest<'_>,
    person: &Person,
    days: BTreeMap<NaiveDate, DayAcc>,
) -> PersonSheet {
    let book = RateBook::for_person(req.rates, person.id);
    let mut sheet = PersonSheet {
        person: person.id,
        name: person.name.clone(),
        mode: person.mode,
        days: Vec::with_capacity(days.len()),
        worked: TimeDelta::zero(),
        breaks: TimeDelta::zero(),
        billable: Money::ZERO,
        cost: Money::ZERO,
        jobs: Vec::new(),
    };
    let mut jobs: BTreeMap<JobId, JobTime> = BTreeMap::new();
    for (date, day) in days {
        let rate = book.on(date).copied();
        // No rate: zero amounts, hours still shown (and the day says `no_rate`).
        let (per_hour, cost_per_hour) =
            rate.map_or((Money::ZERO, Money::ZERO), |r| (r.rate, r.cost));
        let day_jobs: Vec<JobTime> = day
            .jobs
            .into_iter()
            .map(|(job, time)| JobTime {
                job,
                time,
                billable: amount(time, per_hour),
                cost: amount(time, cost_per_hour),
            })
            .collect();
        for jt in &day_jobs {
            add_job_time(&mut jobs, jt);
        }
        let out = DaySheet {
            date,
            worked: day.worked,
            breaks: day.breaks,
            jobs: day_jobs,
            billable: amount(day.worked, per_hour),
            cost: amount(day.worked, cost_per_hour),
            rate,
            open: day.open,
            flags: day.flags,
        };
        add_time(&mut sheet.worked, out.worked);
        add_time(&mut sheet.breaks, out.breaks);
        sheet.billable += out.billable;
        sheet.cost += out.cost;
        sheet.days.push(out);
    }
    sheet.jobs = jobs.into_values().collect();
    sheet
}
