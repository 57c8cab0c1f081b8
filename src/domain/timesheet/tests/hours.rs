//! Worked time, breaks, days, open shifts, corrections, and the kiosk's hours.

use super::*;

#[test]
fn worked_time_is_clock_in_to_clock_out_without_breaks_cut_at_local_midnight() {
    use EventKind::*;
    let cases = [
        Case {
            name: "a simple day",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 16:00", ClockOut);
            },
            days: &[("05-10", "8:00", "0:00")],
            ..MAY
        },
        Case {
            name: "breaks excluded",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 12:00", BreakStart);
                l.punch("05-10 12:30", BreakEnd);
                l.punch("05-10 16:30", ClockOut);
            },
            days: &[("05-10", "8:00", "0:30")],
            ..MAY
        },
        Case {
            name: "shift across midnight split at local midnight (+02:00)",
            offset_h: 2,
            build: |l| {
                l.punch("05-10 22:00", ClockIn);
                l.punch("05-11 06:00", ClockOut);
            },
            days: &[("05-10", "2:00", "0:00"), ("05-11", "6:00", "0:00")],
            ..MAY
        },
        Case {
            name: "break across midnight split too",
            offset_h: -5,
            build: |l| {
                l.punch("05-10 20:00", ClockIn);
                l.punch("05-10 23:30", BreakStart);
                l.punch("05-11 00:15", BreakEnd);
                l.punch("05-11 04:00", ClockOut);
            },
            days: &[("05-10", "3:30", "0:30"), ("05-11", "3:45", "0:15")],
            ..MAY
        },
        Case {
            name: "only the part of a shift inside the range counts",
            build: |l| {
                l.punch("05-10 22:00", ClockIn);
                l.punch("05-11 06:00", ClockOut);
            },
            range: ("05-11", "05-31"),
            days: &[("05-11", "6:00", "0:00")],
            ..MAY
        },
        Case {
            name: "two shifts on one day add up",
            build: |l| {
                l.punch("05-10 06:00", ClockIn);
                l.punch("05-10 10:00", ClockOut);
                l.punch("05-10 18:00", ClockIn);
                l.punch("05-10 21:15", ClockOut);
            },
            days: &[("05-10", "7:15", "0:00")],
            ..MAY
        },
        Case {
            name: "clocking out while checked in ends the job at the same instant",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 09:00", cin(FRAMING));
                l.punch("05-10 15:00", cout(FRAMING));
                l.punch("05-10 15:00", ClockOut);
            },
            days: &[("05-10", "7:00", "0:00")],
            ..MAY
        },
    ];
    for case in &cases {
        let sheet = run(case, &[]);
        check_days(case, &sheet);
        assert!(sheet.issues.is_empty(), "{}: {:?}", case.name, sheet.issues);
        assert!(sheet.open_shifts.is_empty(), "{}", case.name);
    }
}

#[test]
fn open_shifts_count_up_to_now_and_missing_clock_outs_are_flagged() {
    use EventKind::*;
    struct Open {
        case: Case,
        /// `(day flagged open)`, and the issues `(kind, event, day)`.
        open_days: &'static [&'static str],
        issues: &'static [(&'static str, u128, &'static str)],
    }
    let cases = [
        Open {
            case: Case {
                name: "open shift",
                build: |l| {
                    l.punch("05-10 08:00", ClockIn);
                },
                now: "05-10 11:30",
                days: &[("05-10", "3:30", "0:00")],
                ..MAY
            },
            open_days: &["05-10"],
            issues: &[],
        },
        Open {
            case: Case {
                name: "open shift on a break counts the break up to now",
                build: |l| {
                    l.punch("05-10 08:00", ClockIn);
                    l.punch("05-10 12:00", BreakStart);
                },
                now: "05-10 12:20",
                days: &[("05-10", "4:00", "0:20")],
                ..MAY
            },
            open_days: &["05-10"],
            issues: &[],
        },
        Open {
            case: Case {
                name: "missing clock-out from yesterday",
                offset_h: 1,
                build: |l| {
                    l.punch("05-09 08:00", ClockIn);
                },
                now: "05-10 09:00",
                days: &[("05-09", "16:00", "0:00"), ("05-10", "9:00", "0:00")],
                ..MAY
            },
            open_days: &["05-09", "05-10"],
            issues: &[("missing_clock_out", 1, "05-09")],
        },
        Open {
            case: Case {
                name: "missing clock-out from yesterday, range starting today",
                build: |l| {
                    l.punch("05-09 08:00", ClockIn);
                },
                range: ("05-10", "05-10"),
                now: "05-10 09:00",
                days: &[("05-10", "9:00", "0:00")],
                ..MAY
            },
            open_days: &["05-10"],
            issues: &[("missing_clock_out", 1, "05-09")],
        },
        Open {
            case: Case {
                name: "a night shift still running is open, not a missing clock-out",
                build: |l| {
                    l.punch("05-09 22:00", ClockIn);
                },
                now: "05-10 03:00",
                days: &[("05-09", "2:00", "0:00"), ("05-10", "3:00", "0:00")],
                ..MAY
            },
            open_days: &["05-09", "05-10"],
            issues: &[],
        },
        Open {
            case: Case {
                name: "forgot to clock out, clocked in again the next morning",
                build: |l| {
                    l.punch("05-09 08:00", ClockIn);
                    l.punch("05-10 08:00", ClockIn);
                    l.punch("05-10 17:00", ClockOut);
                },
                days: &[("05-09", "16:00", "0:00"), ("05-10", "17:00", "0:00")],
                ..MAY
            },
            open_days: &[],
            issues: &[
                ("missing_clock_out", 1, "05-09"),
                ("clock_in_while_clocked_in", 2, "05-10"),
            ],
        },
    ];
    for Open {
        case,
        open_days,
        issues,
    } in &cases
    {
        let sheet = run(case, &[]);
        check_days(case, &sheet);
        let open: Vec<NaiveDate> = sheet.people[0]
            .days
            .iter()
            .filter(|d| d.open)
            .map(|d| d.date)
            .collect();
        let want_open: Vec<NaiveDate> = open_days.iter().map(|d| day(d)).collect();
        assert_eq!(open, want_open, "{}", case.name);
        assert_eq!(
            sheet.open_shifts.len(),
            usize::from(!open_days.is_empty()),
            "{}",
            case.name
        );
        let want: Vec<_> = issues
            .iter()
            .map(|(k, e, d)| (*k, eid(*e), day(d)))
            .collect();
        assert_eq!(issue_names(&sheet), want, "{}", case.name);
        if want.iter().any(|(k, _, _)| *k == "missing_clock_out") {
            assert!(
                sheet.people[0]
                    .days
                    .iter()
                    .all(|d| d.flags.contains(&IssueKind::MissingClockOut)),
                "{}: every day of the shift is flagged",
                case.name
            );
        }
    }
}

#[test]
fn open_shift_lists_the_clock_in_and_its_day() {
    let mut log = Log::new(PAT, 0);
    log.punch("05-10 08:00", EventKind::ClockIn);
    let people = [person(PAT, "Pat", TrackingMode::Personal)];
    let sheet = timesheet(&request(
        &log.events,
        &people,
        day("05-10"),
        day("05-10"),
        local("05-10 09:00", 0),
    ));
    assert_eq!(
        sheet.open_shifts,
        vec![OpenShift {
            person: pid(PAT),
            event: eid(1),
            since: local("05-10 08:00", 0),
            day: day("05-10"),
        }]
    );
}

#[test]
fn corrections_move_event_times_and_reports_read_the_corrected_time() {
    use EventKind::*;
    let cases = [
        Case {
            name: "correction moves clock-out",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 16:00", ClockOut);
                l.correct(2, "05-10 17:30", "05-11 09:00");
            },
            days: &[("05-10", "9:30", "0:00")],
            ..MAY
        },
        Case {
            name: "the latest correction wins",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 16:00", ClockOut);
                l.correct(2, "05-10 20:00", "05-11 09:00");
                l.correct(2, "05-10 17:00", "05-11 10:00");
            },
            days: &[("05-10", "9:00", "0:00")],
            ..MAY
        },
        Case {
            name: "a clock-in corrected to the day before moves hours to that day",
            build: |l| {
                l.punch("05-10 01:00", ClockIn);
                l.punch("05-10 06:00", ClockOut);
                l.correct(1, "05-09 22:00", "05-10 07:00");
            },
            days: &[("05-09", "2:00", "0:00"), ("05-10", "6:00", "0:00")],
            ..MAY
        },
        Case {
            name: "a correction closes nothing by itself: the forgotten clock-out is entered",
            build: |l| {
                l.punch("05-10 08:00", ClockIn);
                // A supervisor's entered clock-out, recorded the next morning.
                l.punch("05-11 08:00", ClockOut);
                l.correct(2, "05-10 16:00", "05-11 08:01");
            },
            days: &[("05-10", "8:00", "0:00")],
            ..MAY
        },
    ];
    for case in &cases {
        let sheet = run(case, &[]);
        check_days(case, &sheet);
        assert!(sheet.issues.is_empty(), "{}: {:?}", case.name, sheet.issues);
    }
}

#[test]
fn hours_since_gives_todays_and_this_weeks_hours() {
    use EventKind::*;
    // Friday 2024-05-10 at +02:00; the week began Monday 05-06.
    let mut log = Log::new(PAT, 2);
    log.punch("05-06 08:00", ClockIn);
    log.punch("05-06 16:00", ClockOut);
    log.punch("05-09 22:00", ClockIn); // night shift into Friday
    log.punch("05-10 02:00", ClockOut);
    log.punch("05-10 08:00", ClockIn);
    log.punch("05-10 10:00", BreakStart);
    log.punch("05-10 10:15", BreakEnd);
    log.punch("05-10 11:00", ClockOut);
    log.correct(8, "05-10 11:30", "05-10 11:31");
    log.punch("05-10 12:00", ClockIn); // still in
    let events: Vec<Event> = log.events.into_iter().map(|l| l.event).collect();
    let now = local("05-10 12:45", 2);
    let offset = 2 * 3600;
    let today = hours_since(
        &events,
        TrackingMode::Personal,
        local_day_start(now, offset),
        now,
    );
    let week = hours_since(
        &events,
        TrackingMode::Personal,
        local_week_start(now, offset),
        now,
    );
    // Today: 00:00–02:00, 08:00–11:30 less a 15 min break, 12:00–12:45.
    assert_eq!(today, hm("6:00"));
    // The week adds Monday's 8 h and Thursday's 2 h before midnight.
    assert_eq!(week, hm("16:00"));
    let individual = hours_since(
        &[],
        TrackingMode::Individual,
        local_day_start(now, offset),
        now,
    );
    assert_eq!(individual, TimeDelta::zero());
}
