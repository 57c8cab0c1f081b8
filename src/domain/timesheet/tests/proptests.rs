//! Properties over random histories.
//!
//! 1. Accepted punches (valid alternations, built directly): the day rows add up
//!    to clock-in → clock-out minus breaks, however the shifts cross midnights
//!    and whatever offsets the devices had; job time never exceeds worked time.
//! 2. Anything at all (any kinds, corrections of anything, any order, any mode):
//!    the timesheet is computed without panicking and stays self-consistent.

use super::*;
use proptest::prelude::*;

const JOBS: [u128; 3] = [FRAMING, ROOFING, 12];

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 10, 0, 0, 0).unwrap()
}

/// The model: where the person is between punches.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Out,
    In,
    Break,
    Job(u128),
}

/// What the model expects.
#[derive(Default)]
struct Expected {
    worked: TimeDelta,
    breaks: TimeDelta,
    jobs: TimeDelta,
}

impl Expected {
    fn accrue(&mut self, at: At, span: TimeDelta) {
        match at {
            At::Out => {}
            At::In => self.worked += span,
            At::Break => self.breaks += span,
            At::Job(_) => {
                self.worked += span;
                self.jobs += span;
            }
        }
    }
}

/// Builds a valid personal history from random steps: `(gap in minutes, choice,
/// job, device offset in hours)`. Returns the events, `now` and the model's totals.
fn accepted(
    steps: &[(i64, u8, usize, i32)],
    tail: i64,
) -> (Vec<LoggedEvent>, DateTime<Utc>, Expected) {
    let mut log = Log::new(PAT, 0);
    let mut state = At::Out;
    let mut expected = Expected::default();
    let mut t = base();
    for &(gap, choice, j, offset_h) in steps {
        let next = t + TimeDelta::minutes(gap);
        expected.accrue(state, next - t);
        t = next;
        log.offset_h = offset_h;
        let job_n = JOBS[j % JOBS.len()];
        let kinds: Vec<EventKind> = match (state, choice % 3) {
            (At::Out, _) => vec![EventKind::ClockIn],
            (At::In, 0) => vec![EventKind::BreakStart],
            (At::In, 1) => vec![cin(job_n)],
            (At::In, _) => vec![EventKind::ClockOut],
            (At::Break, _) => vec![EventKind::BreakEnd],
            (At::Job(on), 0) => vec![cout(on)],
            // Clocking out while checked in: check-out first, same instant.
            (At::Job(on), 1) => vec![cout(on), EventKind::ClockOut],
            (At::Job(on), _) => vec![cout(on), cin(job_n)],
        };
        for kind in kinds {
            state = match &kind {
                EventKind::ClockIn | EventKind::BreakEnd | EventKind::CheckOut { .. } => At::In,
                EventKind::ClockOut => At::Out,
                EventKind::BreakStart => At::Break,
                EventKind::CheckIn { job: j } => {
                    At::Job(JOBS.into_iter().find(|n| job(*n) == *j).unwrap_or(0))
                }
                EventKind::Correction { .. } => state,
            };
            log.event(kind, t);
        }
    }
    let now = t + TimeDelta::minutes(tail);
    expected.accrue(state, now - t);
    (log.events, now, expected)
}

/// A request up to `now`, wide enough for any offset: two days either side.
fn wide<'a>(
    events: &'a [LoggedEvent],
    people: &'a [Person],
    now: DateTime<Utc>,
) -> TimesheetRequest<'a> {
    let from = (base() - TimeDelta::days(2)).date_naive();
    request(
        events,
        people,
        from,
        (now + TimeDelta::days(2)).date_naive(),
        now,
    )
}

fn sum(times: impl Iterator<Item = TimeDelta>) -> TimeDelta {
    times.fold(TimeDelta::zero(), |a, b| a + b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn accepted_punches_days_add_up_to_clock_in_to_clock_out_minus_breaks(
        steps in prop::collection::vec((0i64..900, any::<u8>(), 0usize..3, -12i32..=14), 0..40),
        tail in 0i64..2000,
        mode in prop::sample::select(vec![
            TrackingMode::Personal, TrackingMode::TeamLead, TrackingMode::TeamMember,
        ]),
    ) {
        let (events, now, expected) = accepted(&steps, tail);
        let people = [person(PAT, "Pat", mode)];
        let sheet = timesheet(&wide(&events, &people, now));
        let p = &sheet.people[0];
        prop_assert_eq!(sum(p.days.iter().map(|d| d.worked)), expected.worked);
        prop_assert_eq!(p.worked, expected.worked);
        prop_assert_eq!(sum(p.days.iter().map(|d| d.breaks)), expected.breaks);
        prop_assert_eq!(
            sum(p.days.iter().flat_map(|d| d.jobs.iter().map(|j| j.time))),
            expected.jobs
        );
        for d in &p.days {
            let jobs = sum(d.jobs.iter().map(|j| j.time));
            prop_assert!(d.worked >= jobs, "{}: worked {} < jobs {}", d.date, d.worked, jobs);
        }
        // Accepted punches raise no anomaly of the replay.
        prop_assert!(
            sheet.issues.iter().all(|i| i.kind == IssueKind::MissingClockOut),
            "{:?}", sheet.issues
        );
        let plain: Vec<Event> = events.iter().map(|l| l.event.clone()).collect();
        prop_assert_eq!(
            hours_since(&plain, mode, base() - TimeDelta::days(1), now),
            expected.worked
        );
    }

    #[test]
    fn any_history_gives_a_self_consistent_timesheet(
        raw in prop::collection::vec(
            (0i64..7200, 0u8..8, 0usize..3, -12i32..=14, 0u128..50, 0i64..7200, any::<bool>()),
            0..60,
        ),
        mode in prop::sample::select(vec![
            TrackingMode::Personal, TrackingMode::Individual,
            TrackingMode::TeamLead, TrackingMode::TeamMember,
        ]),
        received_late in 0i64..5000,
    ) {
        let mut log = Log::new(PAT, 0);
        for &(minute, kind, j, offset_h, target, moved_to, review) in &raw {
            log.offset_h = offset_h;
            let at = base() + TimeDelta::minutes(minute);
            let job_n = JOBS[j];
            let kind = match kind {
                0 => EventKind::ClockIn,
                1 => EventKind::ClockOut,
                2 => EventKind::BreakStart,
                3 => EventKind::BreakEnd,
                4 => cin(job_n),
                5 => cout(job_n),
                _ => EventKind::Correction {
                    corrects: eid(target),
                    new_time: base() + TimeDelta::minutes(moved_to),
                    reason: String::new(),
                },
            };
            let e = log.event(kind, at);
            e.event.needs_review = review;
            e.received_at = at + TimeDelta::minutes(received_late);
        }
        // Any order: the hub may hold them in any.
        log.events.reverse();
        let now = base() + TimeDelta::days(6);
        let people = [person(PAT, "Pat", mode)];
        let sheet = timesheet(&wide(&log.events, &people, now));
        let p = &sheet.people[0];
        prop_assert_eq!(sum(p.days.iter().map(|d| d.worked)), p.worked);
        prop_assert_eq!(sum(p.days.iter().map(|d| d.breaks)), p.breaks);
        let mut dates: Vec<NaiveDate> = p.days.iter().map(|d| d.date).collect();
        dates.dedup();
        prop_assert_eq!(dates.len(), p.days.len(), "one row per day");
        prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
        for d in &p.days {
            let jobs = sum(d.jobs.iter().map(|j| j.time));
            prop_assert!(d.worked >= TimeDelta::zero() && d.breaks >= TimeDelta::zero());
            if mode.has_workday_clock() {
                prop_assert!(d.worked >= jobs);
            } else {
                prop_assert_eq!(d.worked, jobs);
                prop_assert_eq!(d.breaks, TimeDelta::zero());
            }
            // A day holds at most 24 h plus any hour an offset change adds.
            prop_assert!(d.worked + d.breaks <= TimeDelta::hours(24 + 26));
        }
        let plain: Vec<Event> = log.events.iter().map(|l| l.event.clone()).collect();
        prop_assert_eq!(
            hours_since(&plain, mode, base() - TimeDelta::days(3), now),
            p.worked
        );
        let csv = to_csv(&sheet);
        prop_assert_eq!(csv.matches("\r\n").count(), p.days.len() + 1);
    }
}
