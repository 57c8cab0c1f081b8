//! Rates and costs with validity periods, job time, and the CSV for payroll.

use super::*;

fn rate(from: &str, rate: i64, cost: i64) -> RatePeriod {
    RatePeriod {
        person: pid(PAT),
        valid_from: day(from),
        rate: Money(rate),
        cost: Money(cost),
    }
}

#[test]
fn rates_and_costs_use_the_validity_period_of_each_day() {
    use EventKind::*;
    /// Pat works 8 h on the 9th, 10th and 11th, and 20 min on the 12th.
    fn three_days_and_a_bit(l: &mut Log) {
        for d in ["05-09", "05-10", "05-11"] {
            l.punch(&format!("{d} 08:00"), ClockIn);
            l.punch(&format!("{d} 16:00"), ClockOut);
        }
        l.punch("05-12 08:00", ClockIn);
        l.punch("05-12 08:20", ClockOut);
    }
    let case = Case {
        name: "rate days",
        build: three_days_and_a_bit,
        range: ("05-09", "05-12"),
        days: &[
            ("05-09", "8:00", "0:00"),
            ("05-10", "8:00", "0:00"),
            ("05-11", "8:00", "0:00"),
            ("05-12", "0:20", "0:00"),
        ],
        ..MAY
    };
    // (name, periods, billable per day, cost per day, days without a rate)
    type RateCase = (&'static str, Vec<RatePeriod>, [i64; 4], [i64; 4], usize);
    let cases: [RateCase; 4] = [
        (
            "one rate for the whole range",
            vec![rate("01-01", 5000, 3000)],
            [40000, 40000, 40000, 1667],
            [24000, 24000, 24000, 1000],
            0,
        ),
        (
            "rate change mid-range applies per day (validity periods)",
            vec![rate("01-01", 5000, 3000), rate("05-11", 6000, 3333)],
            [40000, 40000, 48000, 2000],
            [24000, 24000, 26664, 1111],
            0,
        ),
        (
            "no rate gives zero amounts but hours still shown",
            vec![],
            [0; 4],
            [0; 4],
            4,
        ),
        (
            "a first period starting mid-range leaves the days before at zero",
            vec![rate("05-10", 1000, 1)],
            [0, 8000, 8000, 333],
            [0, 8, 8, 0],
            1,
        ),
    ];
    for (name, periods, billable, cost, unrated) in cases {
        let sheet = run(&case, &periods);
        check_days(&case, &sheet);
        let p = &sheet.people[0];
        let got_b: Vec<i64> = p.days.iter().map(|d| d.billable.cents()).collect();
        let got_c: Vec<i64> = p.days.iter().map(|d| d.cost.cents()).collect();
        assert_eq!(got_b, billable, "{name}: billable");
        assert_eq!(got_c, cost, "{name}: cost");
        assert_eq!(p.billable.cents(), billable.iter().sum::<i64>(), "{name}");
        assert_eq!(p.cost.cents(), cost.iter().sum::<i64>(), "{name}");
        assert_eq!(
            p.days.iter().filter(|d| d.no_rate()).count(),
            unrated,
            "{name}"
        );
    }
}

#[test]
fn job_time_is_check_in_to_check_out_and_for_individual_users_it_is_worked_time() {
    use EventKind::*;
    // (case, per-day jobs as (job, time))
    let cases: [(Case, &[(u128, &str)]); 3] = [
        (
            Case {
                name: "personal user: jobs inside the workday",
                build: |l| {
                    l.punch("05-10 08:00", ClockIn);
                    l.punch("05-10 08:30", cin(FRAMING));
                    l.punch("05-10 10:00", cout(FRAMING));
                    l.punch("05-10 10:00", cin(ROOFING));
                    l.punch("05-10 11:00", cout(ROOFING));
                    l.punch("05-10 12:00", ClockOut);
                },
                days: &[("05-10", "4:00", "0:00")],
                ..MAY
            },
            &[(FRAMING, "1:30"), (ROOFING, "1:00")],
        ),
        (
            Case {
                name: "individual user job time",
                mode: TrackingMode::Individual,
                build: |l| {
                    l.punch("05-10 09:00", cin(FRAMING));
                    l.punch("05-10 12:00", cout(FRAMING));
                    l.punch("05-10 13:00", cin(ROOFING));
                    l.punch("05-10 15:00", cout(ROOFING));
                },
                days: &[("05-10", "5:00", "0:00")],
                ..MAY
            },
            &[(FRAMING, "3:00"), (ROOFING, "2:00")],
        ),
        (
            Case {
                name: "individual user switching jobs without checking out",
                mode: TrackingMode::Individual,
                build: |l| {
                    l.punch("05-10 09:00", cin(FRAMING));
                    l.punch("05-10 10:00", cin(ROOFING));
                    l.punch("05-10 11:00", cout(ROOFING));
                },
                days: &[("05-10", "2:00", "0:00")],
                ..MAY
            },
            &[(FRAMING, "1:00"), (ROOFING, "1:00")],
        ),
    ];
    for (case, want) in &cases {
        let sheet = run(case, &[rate("01-01", 6000, 0)]);
        check_days(case, &sheet);
        let got: Vec<(JobId, TimeDelta)> = sheet.people[0].days[0]
            .jobs
            .iter()
            .map(|j| (j.job, j.time))
            .collect();
        let want: Vec<(JobId, TimeDelta)> = want.iter().map(|(j, t)| (job(*j), hm(t))).collect();
        assert_eq!(got, want, "{}", case.name);
        // Totals per job over the range, with names and amounts at 60.00/h.
        let totals: Vec<(Option<&str>, TimeDelta, i64)> = sheet
            .jobs
            .iter()
            .map(|j| (j.name.as_deref(), j.time, j.billable.cents()))
            .collect();
        let want_totals: Vec<(Option<&str>, TimeDelta, i64)> = want
            .iter()
            .map(|(j, t)| {
                let name = if *j == job(FRAMING) {
                    "Framing"
                } else {
                    "Roofing"
                };
                (Some(name), *t, t.num_minutes() * 100)
            })
            .collect();
        assert_eq!(totals, want_totals, "{}", case.name);
        assert_eq!(sheet.people[0].jobs.len(), want.len(), "{}", case.name);
    }
}

#[test]
fn csv_for_payroll_quotes_hostile_names_and_neutralises_formulas() {
    use EventKind::*;
    let hostile = [
        (1, "Doe, Jane"),
        (2, "Pat \"the hat\""),
        (3, "two\nlines"),
        (4, "=HYPERLINK(\"http://x\")"),
        (5, "Plain"),
    ];
    let mut events = Vec::new();
    let mut people = Vec::new();
    for (n, name) in hostile {
        let mut log = Log::new(n, 0);
        log.punch("05-10 08:00", ClockIn);
        log.punch("05-10 08:00", cin(FRAMING));
        log.punch("05-10 09:30", cout(FRAMING));
        log.punch("05-10 09:30", ClockOut);
        for l in &mut log.events {
            l.event.id = EventId(Uuid::from_u128(n * 100 + l.event.seq as u128));
        }
        events.extend(log.events);
        people.push(person(n, name, TrackingMode::Personal));
    }
    let jobs = vec![Job {
        id: job(FRAMING),
        name: "-Framing, \"east\"".into(),
        archived: false,
    }];
    let rates = [RatePeriod {
        person: pid(1),
        valid_from: day("01-01"),
        rate: Money(2550),
        cost: Money(1800),
    }];
    let sheet = timesheet(&TimesheetRequest {
        jobs: &jobs,
        rates: &rates,
        ..request(
            &events,
            &people,
            day("05-01"),
            day("05-31"),
            local("05-20 00:00", 0),
        )
    });
    let id = |n: u128| pid(n).to_string();
    let want = [
        "person_id,name,date,worked_hours,break_hours,billable,cost,flags".to_owned(),
        format!("{},\"Doe, Jane\",2024-05-10,1.50,0.00,38.25,27.00,", id(1)),
        format!(
            "{},\"Pat \"\"the hat\"\"\",2024-05-10,1.50,0.00,0.00,0.00,no_rate",
            id(2)
        ),
        format!(
            "{},\"two\nlines\",2024-05-10,1.50,0.00,0.00,0.00,no_rate",
            id(3)
        ),
        format!(
            "{},\"'=HYPERLINK(\"\"http://x\"\")\",2024-05-10,1.50,0.00,0.00,0.00,no_rate",
            id(4)
        ),
        format!("{},Plain,2024-05-10,1.50,0.00,0.00,0.00,no_rate", id(5)),
    ];
    let want: String = want.iter().map(|r| format!("{r}\r\n")).collect();
    assert_eq!(to_csv(&sheet), want);

    let jobs_csv = to_jobs_csv(&sheet);
    let mut rows = jobs_csv.split("\r\n");
    assert_eq!(
        rows.next(),
        Some("person_id,name,date,job_id,job,hours,billable,cost")
    );
    assert_eq!(
        rows.next(),
        Some(
            format!(
                "{},\"Doe, Jane\",2024-05-10,{},\"'-Framing, \"\"east\"\"\",1.50,38.25,27.00",
                id(1),
                job(FRAMING)
            )
            .as_str()
        )
    );
    assert_eq!(
        jobs_csv.matches("\r\n").count(),
        6,
        "header and five job rows"
    );
}

#[test]
fn csv_flags_list_open_shifts_and_anomalies() {
    let mut log = Log::new(PAT, 0);
    log.punch("05-09 08:00", EventKind::ClockIn);
    log.punch("05-10 08:00", cin(FRAMING)).event.needs_review = true;
    let people = [person(PAT, "Pat", TrackingMode::Personal)];
    let rates = [rate("01-01", 100, 100)];
    let sheet = timesheet(&TimesheetRequest {
        rates: &rates,
        ..request(
            &log.events,
            &people,
            day("05-10"),
            day("05-10"),
            local("05-10 09:00", 0),
        )
    });
    let csv = to_csv(&sheet);
    let row = csv.split("\r\n").nth(1).unwrap_or_default();
    assert!(
        row.ends_with(",9.00,0.00,9.00,9.00,open;missing_clock_out;needs_review"),
        "{row}"
    );
}
