//! The demo's past: a working week before today (weekdays), and this morning so
//! far, for every person of the demo organisation, as the two kiosks would
//! have recorded it. Office people and contractors punch at the Front desk (the
//! demo kiosk, so its journal holds their week for "this week's hours"); the
//! crews work at the Workshop, clocked in and put on jobs by their leads.
//!
//! Deterministic apart from the dates: times are offsets from 08:00 local with
//! a small per-person, per-day shift.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};

use super::demo_org::{FORGOT_CLOCK_OUT, PEOPLE, SeededOrg};
use crate::domain::{
    Actor, DeviceId, EventDraft, EventKind, JobAccess, JobId, Method, Person, TrackingMode,
};

/// One day's events of each kiosk, in time order.
pub struct DayEvents {
    /// When the kiosks sent them (the hub's receiving time).
    pub sent_at: DateTime<Utc>,
    pub front_desk: Vec<EventDraft>,
    pub workshop: Vec<EventDraft>,
}

struct Day {
    /// 08:00 local, in UTC.
    base: DateTime<Utc>,
    index: i64,
    today: bool,
    /// Events at or after this are left out (today: the present).
    cutoff: DateTime<Utc>,
    /// The last working day before today: someone forgets to clock out.
    last_before_today: bool,
    /// Days before today (0: today).
    days_ago: i64,
}

struct Kiosks {
    front_desk: DeviceId,
    workshop: DeviceId,
}

/// The week before `now` and today until `now`, in the local offset
/// `utc_offset_secs`.
pub fn week(
    seeded: &SeededOrg,
    front_desk: DeviceId,
    now: DateTime<Utc>,
    utc_offset_secs: i32,
) -> Vec<DayEvents> {
    let offset = Duration::seconds(i64::from(utc_offset_secs));
    let local_today = (now + offset).date_naive();
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let weekdays: Vec<_> = (1..=9)
        .rev()
        .map(|back| local_today - Duration::days(back))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let kiosks = Kiosks {
        front_desk,
        workshop: seeded.workshop.id,
    };
    let last = weekdays.len().saturating_sub(1);
    let mut days: Vec<DayEvents> = weekdays
        .iter()
        .enumerate()
        .map(|(n, date)| {
            let base = date.and_time(eight).and_utc() - offset;
            let day = Day {
                base,
                index: n as i64,
                today: false,
                cutoff: base + Duration::hours(12),
                last_before_today: n == last,
                days_ago: (local_today - *date).num_days(),
            };
            plan_day(seeded, &kiosks, &day)
        })
        .collect();
    // Today so far: a shift that started two and a half hours ago (a night
    // shift just after midnight starts at 00:10), so that Home shows people at
    // work and "this week's hours" are never all zero, even on a Monday.
    let midnight = local_today.and_time(NaiveTime::MIN).and_utc() - offset;
    let day = Day {
        base: (now - Duration::minutes(150)).max(midnight + Duration::minutes(10)),
        index: weekdays.len() as i64,
        today: true,
        cutoff: now - Duration::minutes(1),
        last_before_today: false,
        days_ago: 0,
    };
    let mut today = plan_day(seeded, &kiosks, &day);
    today.sent_at = now;
    days.push(today);
    days
}

fn plan_day(seeded: &SeededOrg, kiosks: &Kiosks, day: &Day) -> DayEvents {
    let mut front = Vec::new();
    let mut shop = Vec::new();
    for (i, demo) in PEOPLE.iter().enumerate() {
        let person = &seeded.people[i];
        // The leaver worked until four days ago; today two people in three come.
        if (demo.archived && day.days_ago < 4) || skip_today(day, i) {
            continue;
        }
        let j = ((i as i64) * 7 + day.index * 3) % 20;
        let jobs = allowed(&seeded.jobs, &person.jobs);
        let job = |n: i64| -> Option<JobId> {
            (!jobs.is_empty()).then(|| jobs[((i as i64 + day.index + n) as usize) % jobs.len()])
        };
        match demo.mode {
            TrackingMode::Personal => {
                let forgets = i == FORGOT_CLOCK_OUT && day.last_before_today;
                let events = shift(kiosks.front_desk, person, day, j, job(0), job(1), forgets);
                let on_break = day.today && i == 7;
                front.extend(if on_break {
                    take_a_break(events, day)
                } else {
                    events
                });
            }
            TrackingMode::TeamLead => {
                shop.extend(shift(
                    kiosks.workshop,
                    person,
                    day,
                    j,
                    job(0),
                    job(1),
                    false,
                ));
                let team = demo.team.and_then(|t| seeded.teams.get(t));
                if let Some(team) = team {
                    let crew: Vec<&Person> = team
                        .members
                        .iter()
                        .filter_map(|id| seeded.people.iter().find(|p| p.id == *id))
                        .collect();
                    shop.extend(crew_day(person, &crew, day, j, job(0)));
                }
            }
            TrackingMode::Individual => {
                front.extend(jobs_only(kiosks.front_desk, person, day, j, job(0), job(1)));
            }
            // Clocked in and out by their lead.
            TrackingMode::TeamMember => {}
        }
    }
    let keep = |events: &mut Vec<EventDraft>| {
        events.retain(|e| e.at < day.cutoff);
        events.sort_by_key(|e| e.at);
    };
    keep(&mut front);
    keep(&mut shop);
    DayEvents {
        sent_at: day.base + Duration::hours(12),
        front_desk: front,
        workshop: shop,
    }
}

fn skip_today(day: &Day, i: usize) -> bool {
    day.today
        && (i == FORGOT_CLOCK_OUT
            || (i % 3 == 2 && !matches!(PEOPLE[i].mode, TrackingMode::TeamLead) && i != 7))
}

/// The jobs `access` allows, in the organisation's order.
fn allowed(jobs: &[JobId], access: &JobAccess) -> Vec<JobId> {
    jobs.iter().copied().filter(|j| access.allows(*j)).collect()
}

fn at(day: &Day, minutes_after_eight: i64) -> DateTime<Utc> {
    day.base + Duration::minutes(minutes_after_eight)
}

fn draft(
    subject: &Person,
    actor: Actor,
    method: Method,
    kind: EventKind,
    at: DateTime<Utc>,
) -> EventDraft {
    EventDraft {
        subject: subject.id,
        actor,
        method,
        kind,
        at,
        note: None,
        needs_review: false,
    }
}

/// `who`'s own badge punch at this kiosk, `minute` minutes into `day`.
fn badge_punch<'a>(
    kiosk: DeviceId,
    who: &'a Person,
    day: &'a Day,
) -> impl Fn(EventKind, i64) -> EventDraft + 'a {
    move |kind, minute| {
        draft(
            who,
            Actor::Kiosk(kiosk),
            Method::Badge,
            kind,
            at(day, minute),
        )
    }
}

/// A personal user's day at a kiosk: clock in, a job, lunch, another job, out.
fn shift(
    kiosk: DeviceId,
    who: &Person,
    day: &Day,
    j: i64,
    morning: Option<JobId>,
    afternoon: Option<JobId>,
    forgets_clock_out: bool,
) -> Vec<EventDraft> {
    let e = badge_punch(kiosk, who, day);
    let mut out = vec![e(EventKind::ClockIn, j - 10)];
    if let Some(job) = morning {
        out.push(e(EventKind::CheckIn { job }, j));
        out.push(e(EventKind::CheckOut { job }, 238));
    }
    out.push(e(EventKind::BreakStart, 240));
    out.push(e(EventKind::BreakEnd, 270));
    if let Some(job) = afternoon {
        out.push(e(EventKind::CheckIn { job }, 272));
        out.push(e(EventKind::CheckOut { job }, 508 + j));
    }
    if !forgets_clock_out {
        out.push(e(EventKind::ClockOut, 510 + j));
    }
    out
}

/// Today's exception: on a break since ten minutes ago.
fn take_a_break(mut events: Vec<EventDraft>, day: &Day) -> Vec<EventDraft> {
    let now = day.cutoff;
    events.retain(|e| e.at < now - Duration::minutes(12));
    let Some(first) = events.first().cloned() else {
        return events;
    };
    if let Some(EventKind::CheckIn { job }) = events.last().map(|e| e.kind.clone()) {
        events.push(EventDraft {
            kind: EventKind::CheckOut { job },
            at: now - Duration::minutes(11),
            ..first.clone()
        });
    }
    events.push(EventDraft {
        kind: EventKind::BreakStart,
        at: now - Duration::minutes(10),
        ..first
    });
    events
}

/// An individual user: two jobs, no workday clock.
fn jobs_only(
    kiosk: DeviceId,
    who: &Person,
    day: &Day,
    j: i64,
    first: Option<JobId>,
    second: Option<JobId>,
) -> Vec<EventDraft> {
    let e = badge_punch(kiosk, who, day);
    let mut out = Vec::new();
    if let Some(job) = first {
        out.push(e(EventKind::CheckIn { job }, 60 + j));
        out.push(e(EventKind::CheckOut { job }, 240 + j));
    }
    if let Some(job) = second {
        out.push(e(EventKind::CheckIn { job }, 300 + j));
        out.push(e(EventKind::CheckOut { job }, 450 + j));
    }
    out
}

/// A lead's crew: clocked in, put on the crew's job (those assigned to it),
/// taken off it for lunch and back, and clocked out, all by the lead.
fn crew_day(
    lead: &Person,
    crew: &[&Person],
    day: &Day,
    j: i64,
    job: Option<JobId>,
) -> Vec<EventDraft> {
    let mut out = Vec::new();
    for member in crew {
        let e = |kind, minute| {
            draft(
                member,
                Actor::Person(lead.id),
                Method::Team,
                kind,
                at(day, minute),
            )
        };
        out.push(e(EventKind::ClockIn, j - 5));
        if let Some(job) = job.filter(|job| member.jobs.allows(*job)) {
            out.push(e(EventKind::CheckIn { job }, j + 5));
            out.push(e(EventKind::CheckOut { job }, 235));
            out.push(e(EventKind::CheckIn { job }, 280));
            out.push(e(EventKind::CheckOut { job }, 495 + j));
        }
        out.push(e(EventKind::ClockOut, 500 + j));
    }
    out
}
