//! `tapin admin events`, `tapin admin correct` and `tapin admin report timesheet`.
//!
//! Guarantees: `--json` prints the hub's answer (lists as arrays); tables are
//! sanitized (see `super::render`); `report timesheet --format csv` (and
//! `jobs-csv`) writes the hub's CSV bytes unchanged to stdout: it is data for
//! payroll, quoted and neutralised by `domain::timesheet::to_csv` itself, not text
//! for a terminal. A correction's time is RFC 3339 (`2025-03-07T17:00:00+01:00`)
//! or `YYYY-MM-DD HH:MM[:SS]` in this computer's time zone.

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Subcommand, ValueEnum};
use reqwest::Method;

use super::Output;
use super::client::Client;
use super::render::{money, print_json, print_table};
use crate::domain::{EventId, PersonId};
use crate::sanitize::for_terminal;
use crate::wire::admin_records::{EventView, NewCorrection, TimesheetView};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Hours per person per day and per job, breaks excluded, with billable
    /// amount and cost, open shifts and anomalies
    Timesheet {
        /// First day (YYYY-MM-DD)
        #[arg(long)]
        from: NaiveDate,
        /// Last day, included (YYYY-MM-DD)
        #[arg(long)]
        to: NaiveDate,
        /// One person (id or name); default: everyone you may see
        #[arg(long)]
        person: Option<String>,
        /// table, csv (payroll: one row per person and day), jobs-csv, or json
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    JobsCsv,
    Json,
}

/// A time as typed: RFC 3339, or a local date and time of this computer.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{text:?} does not exist in this time zone"));
        }
    }
    Err(format!(
        "{text:?} is not a time like 2025-03-07T17:00:00+01:00 or \"2025-03-07 17:00\""
    ))
}

fn hours(secs: i64) -> String {
    let minutes = secs.div_euclid(60);
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn local(at: DateTime<Utc>, offset_secs: i32) -> String {
    chrono::FixedOffset::east_opt(offset_secs)
        .map(|o| at.with_timezone(&o).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// What `tapin admin events` asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventFilter<'a> {
    pub person: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// One page of this many, the latest.
    pub limit: Option<usize>,
    /// Only events older than this one (a page).
    pub before: Option<&'a str>,
}

/// The header naming the `--before` of the next (older) page.
const NEXT_BEFORE: &str = "tapin-next-before";

pub async fn events(client: &Client, out: Output, filter: &EventFilter<'_>) -> anyhow::Result<()> {
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(p) = filter.person {
        query.push(("person", p.to_owned()));
    }
    if let Some(f) = filter.from {
        query.push(("from", f.to_string()));
    }
    if let Some(t) = filter.to {
        query.push(("to", t.to_string()));
    }
    if let Some(n) = filter.limit {
        query.push(("limit", n.to_string()));
    }
    if let Some(b) = filter.before {
        let id: EventId = b.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "--before {:?} is not an event id (see `events`)",
                for_terminal(b)
            )
        })?;
        query.push(("before", id.to_string()));
    }
    let (events, next): (Vec<EventView>, _) = client
        .get_with_header(&["events"], &query, NEXT_BEFORE)
        .await?;
    if out == Output::Json {
        print_json(&events)?;
    } else {
        let rows: Vec<Vec<String>> = events.iter().map(event_row).collect();
        print_table(&EVENT_HEADERS, &rows);
    }
    // On stderr, so that stdout stays the events alone.
    if let Some(next) = next {
        eprintln!("older events: repeat with --before {next}");
    }
    Ok(())
}

const EVENT_HEADERS: [&str; 8] = [
    "ID",
    "PERSON",
    "KIND",
    "JOB",
    "TIME",
    "CORRECTED TO",
    "DEVICE",
    "NOTE",
];

fn event_row(e: &EventView) -> Vec<String> {
    let kind = match (e.kind.as_str(), e.corrects) {
        ("correction", Some(c)) => format!("correction of {c}"),
        (k, _) => k.to_owned(),
    };
    let corrected = match e.new_time {
        Some(t) => local(t, e.utc_offset_secs),
        None if e.corrected_at != e.at => local(e.corrected_at, e.utc_offset_secs),
        None => String::new(),
    };
    let mut note: Vec<String> = Vec::new();
    if let Some(r) = e.reason.as_ref().or(e.note.as_ref()) {
        note.push(r.clone());
    }
    if let Some(a) = &e.anomaly {
        note.push(format!("anomaly: {a}"));
    }
    if e.needs_review {
        note.push("needs review".into());
    }
    vec![
        e.id.to_string(),
        e.person.name.clone(),
        kind,
        e.job.as_ref().map(|j| j.name.clone()).unwrap_or_default(),
        local(e.at, e.utc_offset_secs),
        corrected,
        e.device.name.clone(),
        note.join("; "),
    ]
}

pub async fn correct(
    client: &Client,
    out: Output,
    event: &str,
    time: DateTime<Utc>,
    reason: &str,
) -> anyhow::Result<()> {
    let req = NewCorrection {
        event: event.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "{:?} is not an event id (see `events`)",
                for_terminal(event)
            )
        })?,
        time,
        reason: reason.to_owned(),
    };
    let made: EventView = client.send(Method::POST, &["corrections"], &req).await?;
    if out == Output::Json {
        return print_json(&made);
    }
    print_table(&EVENT_HEADERS, &[event_row(&made)]);
    Ok(())
}

pub async fn report(client: &Client, out: Output, cmd: &ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::Timesheet {
        from,
        to,
        person,
        format,
    } = cmd;
    let mut query = vec![("from", from.to_string()), ("to", to.to_string())];
    if let Some(p) = person {
        query.push(("person", p.clone()));
    }
    let format = if out == Output::Json && *format == Format::Table {
        Format::Json
    } else {
        *format
    };
    match format {
        Format::Csv | Format::JobsCsv => {
            let name = if format == Format::Csv {
                "csv"
            } else {
                "jobs_csv"
            };
            query.push(("format", name.to_owned()));
            let body = client.get_text(&["reports", "timesheet"], &query).await?;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(body.as_bytes())
                .and_then(|()| stdout.flush())
                .context("writing the CSV to stdout")
        }
        Format::Json => {
            let sheet: TimesheetView = client.get(&["reports", "timesheet"], &query).await?;
            print_json(&sheet)
        }
        Format::Table => {
            let sheet: TimesheetView = client.get(&["reports", "timesheet"], &query).await?;
            print_sheet(&sheet);
            Ok(())
        }
    }
}

fn print_sheet(sheet: &TimesheetView) {
    println!("Timesheet {} to {}", sheet.from, sheet.to);
    let mut days = Vec::new();
    let mut jobs = Vec::new();
    for p in &sheet.people {
        for d in &p.days {
            days.push(vec![
                p.name.clone(),
                d.date.to_string(),
                hours(d.worked_secs),
                hours(d.break_secs),
                money(d.billable_cents),
                money(d.cost_cents),
                d.flags.join(" "),
            ]);
            for j in &d.jobs {
                jobs.push(vec![
                    p.name.clone(),
                    d.date.to_string(),
                    j.name.clone().unwrap_or_else(|| j.id.to_string()),
                    hours(j.secs),
                    money(j.billable_cents),
                    money(j.cost_cents),
                ]);
            }
        }
        days.push(vec![
            p.name.clone(),
            "total".into(),
            hours(p.worked_secs),
            hours(p.break_secs),
            money(p.billable_cents),
            money(p.cost_cents),
            String::new(),
        ]);
    }
    println!();
    print_table(
        &[
            "PERSON", "DATE", "WORKED", "BREAKS", "BILLABLE", "COST", "FLAGS",
        ],
        &days,
    );
    println!();
    print_table(
        &["PERSON", "DATE", "JOB", "HOURS", "BILLABLE", "COST"],
        &jobs,
    );
    let name = |id: uuid::Uuid| {
        sheet
            .people
            .iter()
            .find(|p| p.id.0 == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    let row = |person: PersonId, day: NaiveDate, what: String, event: EventId| {
        vec![name(person.0), day.to_string(), what, event.to_string()]
    };
    print_section(
        &["OPEN SHIFT", "DAY", "SINCE", "EVENT"],
        sheet
            .open_shifts
            .iter()
            .map(|o| row(o.person.id, o.day, o.since.to_rfc3339(), o.id))
            .collect(),
    );
    print_section(
        &["ISSUE", "DAY", "KIND", "EVENT"],
        sheet
            .issues
            .iter()
            .map(|i| row(i.person.id, i.day, i.kind.clone(), i.id))
            .collect(),
    );
}

/// A blank line and a table, only when there are rows.
fn print_section(headers: &[&str], rows: Vec<Vec<String>>) {
    if !rows.is_empty() {
        println!();
        print_table(headers, &rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc_3339_or_local() {
        let t = parse_time("2025-03-07T17:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-07T16:00:00+00:00");
        assert!(parse_time("2025-03-07 17:00").is_ok());
        assert!(parse_time("tomorrow").is_err());
        assert_eq!(hours(5400), "1:30");
        assert_eq!(money(-105), "-1.05");
    }
}
