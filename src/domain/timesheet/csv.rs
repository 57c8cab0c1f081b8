//! CSV for payroll: one file of day rows, one of job rows.
//!
//! Two functions rather than one file with a `kind` column: each file has one
//! fixed set of columns, which is what payroll imports and spreadsheets expect.
//! - [`to_csv`] writes `person_id,name,date,worked_hours,break_hours,billable,cost,flags`,
//!   one row per person per day of the timesheet (days with time or a flag).
//! - [`to_jobs_csv`] writes `person_id,name,date,job_id,job,hours,billable,cost`, one
//!   row per person, day and job.
//!
//! Format: RFC 4180 — CRLF after every row, header row first, a field quoted
//! (inner quotes doubled) when it holds a comma, a quote, CR or LF. Hours are
//! decimal with two places (1 h 30 min is `1.50`), rounded half away from zero;
//! money is cents written as `12.34`, no currency; dates are `YYYY-MM-DD`; flags
//! are the snake_case names of the day's flags joined by `;` (`open`, `no_rate`,
//! then each issue kind).
//!
//! Names (people, jobs) are untrusted. Against CSV formula injection a name
//! starting with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe, the
//! OWASP advice: spreadsheets then show it as text, and a person reading the
//! file still sees the name. Only untrusted cells are touched: the numbers we
//! write ourselves (a negative amount is `-1.05`) stay numbers.

use chrono::TimeDelta;
use std::borrow::Borrow;
use std::collections::BTreeMap;

use super::money::{fixed2, hundredths_of_hours};
use super::{DaySheet, Timesheet};
use crate::domain::ids::JobId;

const DAY_HEADER: &[&str] = &[
    "person_id",
    "name",
    "date",
    "worked_hours",
    "break_hours",
    "billable",
    "cost",
    "flags",
];

const JOB_HEADER: &[&str] = &[
    "person_id",
    "name",
    "date",
    "job_id",
    "job",
    "hours",
    "billable",
    "cost",
];

/// A field as RFC 4180 wants it: quoted, quotes doubled, when it holds a comma,
/// a quote, CR or LF.
fn field(raw: &str) -> String {
    if raw.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", raw.replace('"', "\"\""))
    } else {
        raw.to_owned()
    }
}

/// An untrusted text cell: neutralised against formula injection, then quoted.
fn text(raw: &str) -> String {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{raw}"))
    } else {
        field(raw)
    }
}

fn row<S: Borrow<str>>(out: &mut String, cells: &[S]) {
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn hours(time: TimeDelta) -> String {
    fixed2(hundredths_of_hours(time))
}

/// The flags column of a day.
fn flags(day: &DaySheet) -> String {
    let mut names: Vec<&str> = Vec::new();
    if day.open {
        names.push("open");
    }
    if day.no_rate() {
        names.push("no_rate");
    }
    names.extend(day.flags.iter().map(|f| f.name()));
    names.join(";")
}

/// The day rows of a timesheet, for payroll. See the module documentation.
pub fn to_csv(sheet: &Timesheet) -> String {
    let mut out = String::new();
    row(&mut out, DAY_HEADER);
    for person in &sheet.people {
        for day in &person.days {
            row(
                &mut out,
                &[
                    person.person.to_string(),
                    text(&person.name),
                    day.date.to_string(),
                    hours(day.worked),
                    hours(day.breaks),
                    day.billable.to_string(),
                    day.cost.to_string(),
                    flags(day),
                ],
            );
        }
    }
    out
}

/// The job rows of a timesheet: time per person, day and job. See the module
/// documentation.
pub fn to_jobs_csv(sheet: &Timesheet) -> String {
    let names: BTreeMap<JobId, &str> = sheet
        .jobs
        .iter()
        .filter_map(|j| j.name.as_deref().map(|name| (j.job, name)))
        .collect();
    let mut out = String::new();
    row(&mut out, JOB_HEADER);
    for person in &sheet.people {
        for day in &person.days {
            for job in &day.jobs {
                row(
                    &mut out,
                    &[
                        person.person.to_string(),
                        text(&person.name),
                        day.date.to_string(),
                        job.job.to_string(),
                        text(names.get(&job.job).copied().unwrap_or("")),
                        hours(job.time),
                        job.billable.to_string(),
                        job.cost.to_string(),
                    ],
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_per_rfc_4180_and_names_neutralised() {
        let cases = [
            ("Pat", "Pat"),
            ("Doe, Jane", "\"Doe, Jane\""),
            ("Pat \"the hat\"", "\"Pat \"\"the hat\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rlf", "\"cr\rlf\""),
            ("=1+2", "'=1+2"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            (
                "=HYPERLINK(\"x\",\"y\")",
                "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
            ),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(text(raw), want, "{raw:?}");
        }
    }
}
