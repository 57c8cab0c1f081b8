//! Timesheet rules, one table of cases per rule, named in the seeds' words. This
//! file holds the helpers; the rules are in `tests/`.

use super::*;
use crate::domain::event::{Actor, EventKind, Method};
use crate::domain::ids::{DeviceId, RoleId};
use crate::domain::person::JobAccess;
use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use uuid::Uuid;

mod flags;
mod hours;
mod payroll;
mod proptests;

const PAT: u128 = 1;
const FRAMING: u128 = 10;
const ROOFING: u128 = 11;

fn pid(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

fn job(n: u128) -> JobId {
    JobId(Uuid::from_u128(n))
}

fn eid(n: u128) -> EventId {
    EventId(Uuid::from_u128(n))
}

/// `"05-10"` is 2024-05-10.
fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("2024-{s}"), "%Y-%m-%d").unwrap()
}

/// `"05-10 08:00"` local at `offset_h` hours east of UTC.
fn local(s: &str, offset_h: i32) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(&format!("2024-{s}"), "%Y-%m-%d %H:%M").unwrap();
    FixedOffset::east_opt(offset_h * 3600)
        .unwrap()
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

/// `"8:30"` as a duration.
fn hm(s: &str) -> TimeDelta {
    let (h, m) = s.split_once(':').unwrap();
    TimeDelta::hours(h.parse().unwrap()) + TimeDelta::minutes(m.parse().unwrap())
}

fn person(n: u128, name: &str, mode: TrackingMode) -> Person {
    Person {
        id: pid(n),
        name: name.into(),
        badge: None,
        mode,
        team: None,
        role: RoleId(Uuid::from_u128(100)),
        archived: false,
        jobs: JobAccess::All,
    }
}

fn jobs() -> Vec<Job> {
    [(FRAMING, "Framing"), (ROOFING, "Roofing")]
        .into_iter()
        .map(|(n, name)| Job {
            id: job(n),
            name: name.into(),
            archived: false,
        })
        .collect()
}

fn cin(j: u128) -> EventKind {
    EventKind::CheckIn { job: job(j) }
}

fn cout(j: u128) -> EventKind {
    EventKind::CheckOut { job: job(j) }
}

/// Builds one person's log: events get ids 1, 2, 3… in the order punched, and
/// arrive at the hub the instant they happen unless said otherwise.
struct Log {
    person: PersonId,
    offset_h: i32,
    events: Vec<LoggedEvent>,
}

impl Log {
    fn new(person: u128, offset_h: i32) -> Self {
        Log {
            person: pid(person),
            offset_h,
            events: Vec::new(),
        }
    }

    fn event(&mut self, kind: EventKind, at: DateTime<Utc>) -> &mut LoggedEvent {
        let n = self.events.len() as u128 + 1;
        self.events.push(LoggedEvent {
            event: Event {
                id: eid(n),
                device: DeviceId(Uuid::from_u128(7)),
                seq: n as u64,
                subject: self.person,
                actor: Actor::Kiosk(DeviceId(Uuid::from_u128(7))),
                method: Method::Badge,
                kind,
                at,
                utc_offset_secs: self.offset_h * 3600,
                note: None,
                needs_review: false,
                clock_offset_ms: None,
            },
            received_at: at,
        });
        let last = self.events.len() - 1;
        &mut self.events[last]
    }

    fn punch(&mut self, when: &str, kind: EventKind) -> &mut LoggedEvent {
        let at = local(when, self.offset_h);
        self.event(kind, at)
    }

    /// A correction of event `n`, made at `made`.
    fn correct(&mut self, n: u128, new_time: &str, made: &str) {
        let kind = EventKind::Correction {
            corrects: eid(n),
            new_time: local(new_time, self.offset_h),
            reason: "forgot to clock out".into(),
        };
        self.punch(made, kind);
    }
}

/// One case of a rule: a person's punches, the range and `now`, and the day rows
/// expected as `(day, worked, breaks)`.
struct Case {
    name: &'static str,
    mode: TrackingMode,
    offset_h: i32,
    build: fn(&mut Log),
    range: (&'static str, &'static str),
    now: &'static str,
    days: &'static [(&'static str, &'static str, &'static str)],
}

/// The defaults of most cases: a personal user at UTC, the month of May, looked
/// at on the 20th.
const MAY: Case = Case {
    name: "",
    mode: TrackingMode::Personal,
    offset_h: 0,
    build: |_| {},
    range: ("05-01", "05-31"),
    now: "05-20 00:00",
    days: &[],
};

/// A request over `from..=to` at `now`, with no jobs, no rates and the default
/// options.
fn request<'a>(
    events: &'a [LoggedEvent],
    people: &'a [Person],
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> TimesheetRequest<'a> {
    TimesheetRequest {
        events,
        people,
        jobs: &[],
        rates: &[],
        from,
        to,
        now,
        options: TimesheetOptions::default(),
    }
}

fn run(case: &Case, rates: &[RatePeriod]) -> Timesheet {
    let mut log = Log::new(PAT, case.offset_h);
    (case.build)(&mut log);
    let people = [person(PAT, "Pat", case.mode)];
    let jobs = jobs();
    let (from, to) = (day(case.range.0), day(case.range.1));
    let now = local(case.now, case.offset_h);
    timesheet(&TimesheetRequest {
        jobs: &jobs,
        rates,
        ..request(&log.events, &people, from, to, now)
    })
}

fn check_days(case: &Case, sheet: &Timesheet) {
    let got: Vec<(NaiveDate, TimeDelta, TimeDelta)> = sheet.people[0]
        .days
        .iter()
        .map(|d| (d.date, d.worked, d.breaks))
        .collect();
    let want: Vec<(NaiveDate, TimeDelta, TimeDelta)> = case
        .days
        .iter()
        .map(|(d, w, b)| (day(d), hm(w), hm(b)))
        .collect();
    assert_eq!(got, want, "{}", case.name);
    let total = want.iter().fold(TimeDelta::zero(), |a, (_, w, _)| a + *w);
    assert_eq!(sheet.people[0].worked, total, "{}: total", case.name);
}

fn issue_names(sheet: &Timesheet) -> Vec<(&'static str, EventId, NaiveDate)> {
    sheet
        .issues
        .iter()
        .map(|i| (i.kind.name(), i.event, i.day))
        .collect()
}
