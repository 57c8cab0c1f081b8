use super::*;
use crate::domain::event::{Actor, Method};
use crate::domain::ids::{DeviceId, PersonId};
use chrono::{TimeDelta, TimeZone};
use proptest::prelude::*;
use uuid::Uuid;

fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 10, 8, 0, 0).unwrap() + TimeDelta::minutes(min)
}

fn job(n: u128) -> JobId {
    JobId(Uuid::from_u128(n))
}

fn ev(n: u128, kind: EventKind, at: DateTime<Utc>) -> Event {
    Event {
        id: EventId(Uuid::from_u128(n)),
        device: DeviceId(Uuid::from_u128(1)),
        seq: n as u64,
        subject: PersonId(Uuid::from_u128(1)),
        actor: Actor::Kiosk(DeviceId(Uuid::from_u128(1))),
        method: Method::Badge,
        kind,
        at,
        utc_offset_secs: 0,
        note: None,
        needs_review: false,
        clock_offset_ms: None,
    }
}

fn correction(n: u128, corrects: u128, new_time: DateTime<Utc>, made: DateTime<Utc>) -> Event {
    ev(
        n,
        EventKind::Correction {
            corrects: EventId(Uuid::from_u128(corrects)),
            new_time,
            reason: "forgot".into(),
        },
        made,
    )
}

fn kinds(r: &Replay) -> Vec<AnomalyKind> {
    r.anomalies.iter().map(|a| a.kind).collect()
}

#[test]
fn a_normal_day_folds_without_anomalies() {
    let a = job(1);
    let b = job(2);
    let day = [
        ev(1, EventKind::ClockIn, t(0)),
        ev(2, EventKind::CheckIn { job: a }, t(5)),
        ev(3, EventKind::CheckOut { job: a }, t(60)),
        ev(4, EventKind::BreakStart, t(60)),
        ev(5, EventKind::BreakEnd, t(90)),
        ev(6, EventKind::CheckIn { job: b }, t(95)),
    ];
    let r = replay(&day, TrackingMode::Personal);
    assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
    assert_eq!(r.state, PunchState::clocked_in(t(0)).with_job(b, t(95)));
    assert_eq!(
        fold(&day[..4], TrackingMode::Personal),
        PunchState::on_break(t(0), t(60))
    );
    let mut full = day.to_vec();
    full.push(ev(7, EventKind::CheckOut { job: b }, t(120)));
    full.push(ev(8, EventKind::ClockOut, t(120)));
    let r = replay(&full, TrackingMode::Personal);
    assert!(r.anomalies.is_empty());
    assert_eq!(r.state.clock, Clock::Out);
    assert_eq!(r.state.job, None);
    assert_eq!(r.state.last_punch, Some(t(120)));
}

#[test]
fn individual_user_checks_in_without_a_clock() {
    let a = job(1);
    let r = replay(
        &[
            ev(1, EventKind::CheckIn { job: a }, t(0)),
            ev(2, EventKind::ClockIn, t(1)),
            ev(3, EventKind::BreakStart, t(2)),
        ],
        TrackingMode::Individual,
    );
    assert_eq!(r.state.current_job(), Some(a));
    assert_eq!(r.state.clock, Clock::Out);
    assert_eq!(
        kinds(&r),
        [AnomalyKind::NoWorkdayClock, AnomalyKind::NoWorkdayClock]
    );
    assert!(r.state.is_consistent_for(TrackingMode::Individual));
}

/// Each odd event: what is flagged and what state results.
#[test]
fn odd_events_are_flagged_not_panicked_on() {
    let a = job(1);
    let b = job(2);
    let working = PunchState::clocked_in(t(0));
    let on_a = working.with_job(a, t(1));
    let on_break = PunchState::on_break(t(0), t(1));
    let at = t(10);
    let bumped = |s: PunchState| PunchState {
        last_punch: Some(at),
        ..s
    };
    // (what, state before, event, mode, state after, anomaly)
    type Row = (
        &'static str,
        PunchState,
        EventKind,
        TrackingMode,
        PunchState,
        Option<AnomalyKind>,
    );
    let table: Vec<Row> = vec![
        (
            "clock out with no clock in is ignored",
            PunchState::out(),
            EventKind::ClockOut,
            TrackingMode::Personal,
            bumped(PunchState::out()),
            Some(AnomalyKind::ClockOutWithoutClockIn),
        ),
        (
            "second clock in is ignored",
            working,
            EventKind::ClockIn,
            TrackingMode::Personal,
            bumped(working),
            Some(AnomalyKind::ClockInWhileClockedIn),
        ),
        (
            "clock out while on a job ends the job",
            on_a,
            EventKind::ClockOut,
            TrackingMode::Personal,
            bumped(PunchState::out()),
            Some(AnomalyKind::MissingCheckOut),
        ),
        (
            "clock out on a break ends the break",
            on_break,
            EventKind::ClockOut,
            TrackingMode::TeamMember,
            bumped(PunchState::out()),
            Some(AnomalyKind::MissingBreakEnd),
        ),
        (
            "break while on a job ends the job",
            on_a,
            EventKind::BreakStart,
            TrackingMode::TeamLead,
            bumped(PunchState::on_break(t(0), at)),
            Some(AnomalyKind::MissingCheckOut),
        ),
        (
            "break while out is ignored",
            PunchState::out(),
            EventKind::BreakStart,
            TrackingMode::Personal,
            bumped(PunchState::out()),
            Some(AnomalyKind::BreakOutOfOrder),
        ),
        (
            "second break is ignored",
            on_break,
            EventKind::BreakStart,
            TrackingMode::Personal,
            bumped(on_break),
            Some(AnomalyKind::BreakOutOfOrder),
        ),
        (
            "break end without break is ignored",
            working,
            EventKind::BreakEnd,
            TrackingMode::Personal,
            bumped(working),
            Some(AnomalyKind::BreakOutOfOrder),
        ),
        (
            "check in while clocked out is ignored",
            PunchState::out(),
            EventKind::CheckIn { job: a },
            TrackingMode::Personal,
            bumped(PunchState::out()),
            Some(AnomalyKind::CheckInWithoutClockIn),
        ),
        (
            "check in on a break is ignored",
            on_break,
            EventKind::CheckIn { job: a },
            TrackingMode::TeamMember,
            bumped(on_break),
            Some(AnomalyKind::CheckInWithoutClockIn),
        ),
        (
            "check in on another job switches",
            on_a,
            EventKind::CheckIn { job: b },
            TrackingMode::Personal,
            bumped(working.with_job(b, at)),
            Some(AnomalyKind::MissingCheckOut),
        ),
        (
            "check out of another job is ignored",
            on_a,
            EventKind::CheckOut { job: b },
            TrackingMode::Personal,
            bumped(on_a),
            Some(AnomalyKind::CheckOutWithoutCheckIn),
        ),
        (
            "check out with no job is ignored",
            working,
            EventKind::CheckOut { job: a },
            TrackingMode::Personal,
            bumped(working),
            Some(AnomalyKind::CheckOutWithoutCheckIn),
        ),
        (
            "clock in for an individual is ignored",
            PunchState::out(),
            EventKind::ClockIn,
            TrackingMode::Individual,
            bumped(PunchState::out()),
            Some(AnomalyKind::NoWorkdayClock),
        ),
        (
            "clean check in",
            working,
            EventKind::CheckIn { job: a },
            TrackingMode::Personal,
            bumped(working.with_job(a, at)),
            None,
        ),
    ];
    for (label, before, kind, mode, after, anomaly) in table {
        let applied = before.apply(&kind, at, mode);
        assert_eq!(applied.state, after, "{label}");
        assert_eq!(applied.anomaly, anomaly, "{label}");
    }
}

#[test]
fn a_correction_moves_the_time_of_the_event_it_names() {
    // Clock-out at 17:00 forgotten: the person clocked out next morning at 08:00
    // (t(1440)); a supervisor corrects it back to t(540).
    let events = [
        ev(1, EventKind::ClockIn, t(0)),
        ev(2, EventKind::ClockOut, t(1440)),
        correction(3, 2, t(540), t(1500)),
    ];
    let r = replay(&events, TrackingMode::Personal);
    assert!(r.anomalies.is_empty());
    assert_eq!(r.state.last_punch, Some(t(540)));
    assert_eq!(
        corrected_times(&events).get(&EventId(Uuid::from_u128(2))),
        Some(&t(540))
    );
}

#[test]
fn the_latest_correction_wins_whatever_order_they_arrive_in() {
    let base = [ev(1, EventKind::ClockIn, t(0))];
    let early = correction(2, 1, t(5), t(100));
    let late = correction(3, 1, t(7), t(200));
    for order in [[early.clone(), late.clone()], [late.clone(), early.clone()]] {
        let mut events = base.to_vec();
        events.extend(order);
        assert_eq!(
            fold(&events, TrackingMode::Personal),
            PunchState::clocked_in(t(7))
        );
    }
    // Same recording instant: the one given later wins.
    let tie_a = correction(4, 1, t(3), t(300));
    let tie_b = correction(5, 1, t(4), t(300));
    let events = [base[0].clone(), tie_a, tie_b];
    assert_eq!(
        fold(&events, TrackingMode::Personal),
        PunchState::clocked_in(t(4))
    );
}

#[test]
fn a_correction_can_reorder_events_and_the_result_is_flagged() {
    // The clock-in is moved after the clock-out.
    let events = [
        ev(1, EventKind::ClockIn, t(0)),
        ev(2, EventKind::ClockOut, t(60)),
        correction(3, 1, t(90), t(100)),
    ];
    let r = replay(&events, TrackingMode::Personal);
    assert_eq!(kinds(&r), [AnomalyKind::ClockOutWithoutClockIn]);
    assert_eq!(r.state, PunchState::clocked_in(t(90)));
}

#[test]
fn corrections_of_unknown_or_correction_events_are_flagged() {
    let events = [
        ev(1, EventKind::ClockIn, t(0)),
        correction(2, 99, t(5), t(10)),
        correction(3, 2, t(5), t(11)),
    ];
    let r = replay(&events, TrackingMode::Personal);
    assert_eq!(
        kinds(&r),
        [
            AnomalyKind::CorrectionOfUnknownEvent,
            AnomalyKind::CorrectionOfUnknownEvent
        ]
    );
    assert_eq!(r.state, PunchState::clocked_in(t(0)));
}

#[test]
fn same_instant_events_keep_their_recorded_order() {
    let a = job(1);
    let b = job(2);
    // A switch and a clock-out, all at one instant.
    let events = [
        ev(1, EventKind::ClockIn, t(0)),
        ev(2, EventKind::CheckIn { job: a }, t(0)),
        ev(3, EventKind::CheckOut { job: a }, t(30)),
        ev(4, EventKind::CheckIn { job: b }, t(30)),
        ev(5, EventKind::CheckOut { job: b }, t(30)),
        ev(6, EventKind::ClockOut, t(30)),
    ];
    let r = replay(&events, TrackingMode::Personal);
    assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
    assert_eq!(r.state.clock, Clock::Out);
    // Out of order input is sorted by time.
    let mut shuffled = events.to_vec();
    shuffled.swap(0, 5);
    shuffled.swap(1, 4);
    let r2 = replay(&shuffled, TrackingMode::Personal);
    assert_eq!(r2.state.clock, Clock::Out);
}

#[test]
fn state_helpers() {
    let s = PunchState::clocked_in(t(0));
    assert!(s.is_clocked_in() && s.is_working() && !s.is_on_break());
    let b = PunchState::on_break(t(0), t(5));
    assert!(b.is_clocked_in() && !b.is_working() && b.is_on_break());
    assert!(!PunchState::out().is_clocked_in());
    let on = s.with_job(job(1), t(3));
    assert_eq!(on.current_job(), Some(job(1)));
    assert!(on.is_consistent_for(TrackingMode::Personal));
    assert!(!on.is_consistent_for(TrackingMode::Individual));
    assert!(
        !PunchState::out()
            .with_job(job(1), t(0))
            .is_consistent_for(TrackingMode::TeamMember)
    );
    assert!(
        PunchState::out()
            .with_job(job(1), t(0))
            .is_consistent_for(TrackingMode::Individual)
    );
    assert!(
        !b.with_job(job(1), t(6))
            .is_consistent_for(TrackingMode::Personal)
    );
    let json = serde_json::to_string(&on).unwrap();
    assert_eq!(serde_json::from_str::<PunchState>(&json).unwrap(), on);
}

#[test]
fn anomaly_names_are_their_serde_names() {
    use AnomalyKind::*;
    for kind in [
        ClockInWhileClockedIn,
        ClockOutWithoutClockIn,
        BreakOutOfOrder,
        MissingCheckOut,
        MissingBreakEnd,
        CheckInWithoutClockIn,
        CheckOutWithoutCheckIn,
        NoWorkdayClock,
        CorrectionOfUnknownEvent,
    ] {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
    }
}

fn arb_kind() -> impl Strategy<Value = (u8, u128)> {
    (0u8..8, 0u128..3)
}

fn arb_mode() -> impl Strategy<Value = TrackingMode> {
    prop_oneof![
        Just(TrackingMode::Personal),
        Just(TrackingMode::Individual),
        Just(TrackingMode::TeamLead),
        Just(TrackingMode::TeamMember),
    ]
}

proptest! {
    /// Any history at all folds to a state the rules allow, without panicking.
    #[test]
    fn any_history_folds_to_a_consistent_state(
        mode in arb_mode(),
        raw in proptest::collection::vec((arb_kind(), -100i64..2000, 0u128..40), 0..40),
    ) {
        let events: Vec<Event> = raw
            .iter()
            .enumerate()
            .map(|(i, ((k, j), min, target))| {
                let n = i as u128 + 1;
                let kind = match k {
                    0 => EventKind::ClockIn,
                    1 => EventKind::ClockOut,
                    2 => EventKind::BreakStart,
                    3 => EventKind::BreakEnd,
                    4 => EventKind::CheckIn { job: job(*j) },
                    5 => EventKind::CheckOut { job: job(*j) },
                    _ => EventKind::Correction {
                        corrects: EventId(Uuid::from_u128(*target)),
                        new_time: t(*min / 2),
                        reason: "r".into(),
                    },
                };
                ev(n, kind, t(*min))
            })
            .collect();
        let r = replay(&events, mode);
        prop_assert!(r.state.is_consistent_for(mode), "{:?}", r.state);
        let moved = corrected_times(&events);
        let latest = events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Correction { .. }))
            .map(|e| moved.get(&e.id).copied().unwrap_or(e.at))
            .max();
        prop_assert_eq!(r.state.last_punch, latest);
        prop_assert!(r.anomalies.len() <= events.len());
    }
}
