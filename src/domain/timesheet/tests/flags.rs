//! Anomalies and who the timesheet lists.

use super::*;

#[test]
fn anomalies_name_the_person_the_event_and_the_day() {
    use EventKind::*;
    // (name, mode, build, expected issues (kind, event, day))
    type AnomalyCase = (
        &'static str,
        TrackingMode,
        fn(&mut Log),
        &'static [(&'static str, u128, &'static str)],
    );
    let cases: [AnomalyCase; 7] = [
        (
            "check-in without clock-in",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 09:00", cin(FRAMING));
            },
            &[("check_in_without_clock_in", 1, "05-10")],
        ),
        (
            "clock-out without clock-in",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 17:00", ClockOut);
            },
            &[("clock_out_without_clock_in", 1, "05-10")],
        ),
        (
            "events that arrived days late",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 16:00", ClockOut).received_at = local("05-13 10:00", 0);
            },
            &[("arrived_late", 2, "05-10")],
        ),
        (
            "an event a few hours late is not flagged",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 08:00", ClockIn).received_at = local("05-10 20:00", 0);
                l.punch("05-10 16:00", ClockOut);
            },
            &[],
        ),
        (
            "entries flagged needs_review",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 08:00", ClockIn).event.needs_review = true;
                l.punch("05-10 16:00", ClockOut);
            },
            &[("needs_review", 1, "05-10")],
        ),
        (
            "a late correction is flagged on the day it corrects",
            TrackingMode::Personal,
            |l| {
                l.punch("05-10 08:00", ClockIn);
                l.punch("05-10 16:00", ClockOut);
                l.correct(2, "05-10 17:00", "05-11 09:00");
                let made = l.events[2].event.at;
                l.events[2].received_at = made + TimeDelta::days(3);
            },
            &[("arrived_late", 3, "05-10")],
        ),
        (
            "anomalies outside the range are left out",
            TrackingMode::Personal,
            |l| {
                l.punch("04-10 17:00", ClockOut);
                l.punch("06-10 17:00", ClockOut);
            },
            &[],
        ),
    ];
    for (name, mode, build, want) in cases {
        let case = Case {
            name,
            mode,
            build,
            ..MAY
        };
        let sheet = run(&case, &[]);
        let want: Vec<_> = want.iter().map(|(k, e, d)| (*k, eid(*e), day(d))).collect();
        assert_eq!(issue_names(&sheet), want, "{name}");
        assert!(sheet.issues.iter().all(|i| i.person == pid(PAT)), "{name}");
        // Every issue shows on its day's row too.
        for i in &sheet.issues {
            let row = sheet.people[0].days.iter().find(|d| d.date == i.day);
            assert!(
                row.is_some_and(|d| d.flags.iter().any(|f| f.name() == i.kind.name())),
                "{name}: {i:?}"
            );
        }
    }
}

#[test]
fn late_arrival_carries_the_delay() {
    let mut log = Log::new(PAT, 0);
    log.punch("05-10 08:00", EventKind::ClockIn).received_at = local("05-12 08:00", 0);
    let people = [person(PAT, "Pat", TrackingMode::Personal)];
    let sheet = timesheet(&request(
        &log.events,
        &people,
        day("05-10"),
        day("05-10"),
        local("05-10 09:00", 0),
    ));
    assert!(sheet.issues.iter().any(|i| i.kind
        == IssueKind::ArrivedLate {
            late_by_secs: 48 * 3600
        }));
}

#[test]
fn people_are_listed_in_the_order_asked_even_without_hours_and_others_left_out() {
    let mut pat = Log::new(PAT, 0);
    pat.punch("05-10 08:00", EventKind::ClockIn);
    pat.punch("05-10 09:00", EventKind::ClockOut);
    let mut stranger = Log::new(99, 0);
    stranger.punch("05-10 08:00", EventKind::ClockIn);
    let mut events = pat.events.clone();
    // Ids must differ across people.
    for (i, l) in stranger.events.iter_mut().enumerate() {
        l.event.id = eid(1000 + i as u128);
    }
    events.extend(stranger.events);
    events.reverse(); // the order given does not matter
    let people = [
        person(2, "Ivy", TrackingMode::Individual),
        person(PAT, "Pat", TrackingMode::Personal),
        person(2, "Ivy again", TrackingMode::Individual),
    ];
    let sheet = timesheet(&request(
        &events,
        &people,
        day("05-01"),
        day("05-31"),
        local("05-20 00:00", 0),
    ));
    let got: Vec<(&str, TimeDelta)> = sheet
        .people
        .iter()
        .map(|p| (p.name.as_str(), p.worked))
        .collect();
    assert_eq!(got, vec![("Ivy", TimeDelta::zero()), ("Pat", hm("1:00"))]);
    assert!(
        sheet.open_shifts.is_empty(),
        "the stranger's shift is left out"
    );
}
