//! Entered times: punch mode overrides, corrections, missed punches, date lock.

use super::*;
use EventKind::{ClockIn, ClockOut};
use Intent as I;

fn over(subject: u128, punch: EnteredPunch, at: DateTime<Utc>) -> Intent {
    I::OverridePunch {
        subject: p(subject),
        punch,
        at,
        reason: "forgot to clock out".into(),
    }
}

fn missed(subject: u128, punch: EnteredPunch, at: DateTime<Utc>) -> Intent {
    I::ReportMissedPunch {
        subject: p(subject),
        punch,
        at,
        reason: "badge reader was down".into(),
    }
}

fn fix(subject: u128, at: DateTime<Utc>, new_time: DateTime<Utc>, reason: &str) -> Intent {
    I::Correct {
        target: CorrectionTarget {
            event: EventId(Uuid::from_u128(77)),
            subject: p(subject),
            at,
        },
        new_time,
        reason: reason.into(),
    }
}

fn correction(new_time: DateTime<Utc>, reason: &str) -> EventKind {
    EventKind::Correction {
        corrects: EventId(Uuid::from_u128(77)),
        new_time,
        reason: reason.into(),
    }
}

#[test]
fn override_punch_mode_needs_higher_rank() {
    use EnteredPunch::ClockOut as Finish;
    let pat_in = vec![(PAT, working(t(8, 0)))];
    check(vec![
        allowed(
            "supervisor finishes a user's shift",
            by(SUPERVISOR),
            over(PAT, Finish, t(11, 0)),
            pat_in.clone(),
            vec![(PAT, ClockOut)],
        ),
        allowed(
            "a custom role with the right",
            by(FRED),
            over(PAT, Finish, t(11, 0)),
            pat_in.clone(),
            vec![(PAT, ClockOut)],
        ),
        refused(
            "supervisor for a peer",
            by(SUPERVISOR),
            over(SUPERVISOR2, Finish, t(11, 0)),
            vec![(SUPERVISOR2, working(t(8, 0)))],
            Refusal::RankTooLow,
        ),
        refused(
            "supervisor for a manager",
            by(SUPERVISOR),
            over(MANAGER, Finish, t(11, 0)),
            vec![(MANAGER, working(t(8, 0)))],
            Refusal::RankTooLow,
        ),
        refused(
            "a user has no override right",
            by(PAT),
            over(COWORKER, Finish, t(11, 0)),
            vec![],
            Refusal::MissingRight {
                right: Right::OverridePunchMode,
            },
        ),
        allowed(
            "project manager for a coworker",
            by(PM),
            over(COWORKER, Finish, t(11, 0)),
            vec![(COWORKER, working(t(8, 0)))],
            vec![(COWORKER, ClockOut)],
        ),
        refused(
            "project manager for a client (rank 16)",
            by(PM),
            over(CLARA, Finish, t(11, 0)),
            vec![(CLARA, working(t(8, 0)))],
            Refusal::RankTooLow,
        ),
        refused(
            "the kiosk cannot enter times",
            KIOSK,
            over(PAT, Finish, t(11, 0)),
            pat_in.clone(),
            Refusal::KioskCannot,
        ),
        refused(
            "a lead cannot override for the crew",
            by(LEE),
            over(TOM, Finish, t(11, 0)),
            vec![(TOM, working(t(8, 0)))],
            Refusal::MissingRight {
                right: Right::OverridePunchMode,
            },
        ),
    ]);
}

#[test]
fn override_own_punch_mode_lets_a_supervisor_fix_their_own_punch() {
    use EnteredPunch::ClockIn as Start;
    check(vec![
        allowed(
            "supervisor enters own start",
            by(SUPERVISOR),
            over(SUPERVISOR, Start, t(7, 30)),
            vec![],
            vec![(SUPERVISOR, ClockIn)],
        ),
        refused(
            "a user cannot",
            by(PAT),
            over(PAT, Start, t(7, 30)),
            vec![],
            Refusal::MissingRight {
                right: Right::OverrideOwnPunchMode,
            },
        ),
        refused(
            "a coworker cannot",
            by(COWORKER),
            over(COWORKER, Start, t(7, 30)),
            vec![],
            Refusal::MissingRight {
                right: Right::OverrideOwnPunchMode,
            },
        ),
    ]);
}

#[test]
fn an_override_records_the_entered_time_reason_and_closing_steps() {
    let states = vec![(PAT, on_job(FRAMING, t(8, 0)))];
    let drafts = run(
        by(SUPERVISOR),
        over(PAT, EnteredPunch::ClockOut, t(11, 0)),
        &states,
    )
    .unwrap();
    let kinds: Vec<EventKind> = drafts.iter().map(|d| d.kind.clone()).collect();
    assert_eq!(kinds, vec![check_out(FRAMING), ClockOut]);
    for d in &drafts {
        assert_eq!(d.at, t(11, 0));
        assert_eq!(d.method, Method::SupervisorOverride);
        assert_eq!(d.note.as_deref(), Some("forgot to clock out"));
        assert_eq!(d.actor, by(SUPERVISOR));
        assert!(!d.needs_review);
    }
    // Through the hub's admin API the method says so.
    let dir = fixture();
    let admin = run_with(
        &dir,
        by(SUPERVISOR),
        Method::Admin,
        over(PAT, EnteredPunch::ClockOut, t(11, 0)),
        &states,
    )
    .unwrap();
    assert!(admin.iter().all(|d| d.method == Method::Admin));
}

#[test]
fn an_override_follows_the_subjects_mode_and_state() {
    use EnteredPunch::{ClockIn as Start, ClockOut as Finish};
    check(vec![
        allowed(
            "an individual's finish is a check-out",
            by(SUPERVISOR),
            over(IVY, Finish, t(11, 0)),
            vec![(IVY, checked_in(FRAMING, t(9, 0)))],
            vec![(IVY, check_out(FRAMING))],
        ),
        refused(
            "an individual has no start",
            by(SUPERVISOR),
            over(IVY, Start, t(9, 0)),
            vec![],
            Refusal::NoWorkdayClock { who: named("Ivy") },
        ),
        refused(
            "start while clocked in",
            by(SUPERVISOR),
            over(PAT, Start, t(9, 0)),
            vec![(PAT, working(t(8, 0)))],
            Refusal::AlreadyClockedIn { who: named("Pat") },
        ),
        refused(
            "finish while clocked out",
            by(SUPERVISOR),
            over(PAT, Finish, t(9, 0)),
            vec![],
            Refusal::NotClockedIn { who: named("Pat") },
        ),
        allowed(
            "a team member's start by a supervisor",
            by(SUPERVISOR),
            over(TOM, Start, t(7, 0)),
            vec![],
            vec![(TOM, ClockIn)],
        ),
    ]);
}

#[test]
fn a_time_in_the_future_is_refused() {
    let later = now() + chrono::TimeDelta::minutes(1);
    check(vec![
        refused(
            "override in the future",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockIn, later),
            vec![],
            Refusal::FutureTime,
        ),
        refused(
            "missed punch in the future",
            by(PAT),
            missed(PAT, EnteredPunch::ClockIn, later),
            vec![],
            Refusal::FutureTime,
        ),
        refused(
            "correction to the future",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), later, "typo"),
            vec![],
            Refusal::FutureTime,
        ),
        allowed(
            "now itself is fine",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockIn, now()),
            vec![],
            vec![(PAT, ClockIn)],
        ),
    ]);
}

#[test]
fn an_entered_time_before_the_last_punch_is_refused() {
    // Pat clocked out at 10:00; a start entered for 9:00 would precede it.
    let states = vec![(
        PAT,
        PunchState {
            last_punch: Some(t(10, 0)),
            ..PunchState::out()
        },
    )];
    check(vec![
        refused(
            "before the last punch",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockIn, t(9, 0)),
            states.clone(),
            Refusal::BeforeLastPunch { last: t(10, 0) },
        ),
        refused(
            "a missed punch too",
            by(PAT),
            missed(PAT, EnteredPunch::ClockIn, t(9, 0)),
            states.clone(),
            Refusal::BeforeLastPunch { last: t(10, 0) },
        ),
        allowed(
            "at the last punch",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockIn, t(10, 0)),
            states.clone(),
            vec![(PAT, ClockIn)],
        ),
        allowed(
            "after it",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockIn, t(10, 30)),
            states,
            vec![(PAT, ClockIn)],
        ),
    ]);
}

#[test]
fn times_on_a_locked_date_need_override_date_lock() {
    let locked = may(1, 0) - chrono::TimeDelta::hours(2); // 2024-04-30 22:00
    let open = may(1, 0);
    let in_since = |at| vec![(PAT, working(at - chrono::TimeDelta::hours(8)))];
    check(vec![
        allowed(
            "supervisor holds override_date_lock",
            by(SUPERVISOR),
            over(PAT, EnteredPunch::ClockOut, locked),
            in_since(locked),
            vec![(PAT, ClockOut)],
        ),
        refused(
            "foreman may override punches but not the lock",
            by(FRED),
            over(PAT, EnteredPunch::ClockOut, locked),
            in_since(locked),
            Refusal::DateLocked { lock: lock_date() },
        ),
        allowed(
            "foreman on the lock date itself",
            by(FRED),
            over(PAT, EnteredPunch::ClockOut, open),
            in_since(open),
            vec![(PAT, ClockOut)],
        ),
        allowed(
            "supervisor for self uses override_own_date_lock",
            by(SUPERVISOR),
            over(SUPERVISOR, EnteredPunch::ClockIn, locked),
            vec![],
            vec![(SUPERVISOR, ClockIn)],
        ),
        refused(
            "a user's missed punch on a locked day",
            by(PAT),
            missed(PAT, EnteredPunch::ClockIn, locked),
            vec![],
            Refusal::DateLocked { lock: lock_date() },
        ),
        refused(
            "a lead's report for the crew on a locked day",
            by(LEE),
            missed(TOM, EnteredPunch::ClockIn, locked),
            vec![],
            Refusal::DateLocked { lock: lock_date() },
        ),
        refused(
            "moving an event off a locked day",
            by(FRED),
            fix(PAT, locked, open, "wrong day"),
            vec![],
            Refusal::DateLocked { lock: lock_date() },
        ),
        refused(
            "moving an event onto a locked day",
            by(FRED),
            fix(PAT, open, locked, "wrong day"),
            vec![],
            Refusal::DateLocked { lock: lock_date() },
        ),
        allowed(
            "supervisor corrects across the lock",
            by(SUPERVISOR),
            fix(PAT, locked, open, "wrong day"),
            vec![],
            vec![(PAT, correction(open, "wrong day"))],
        ),
    ]);
}

#[test]
fn a_correction_must_carry_a_non_empty_reason() {
    check(vec![
        refused(
            "empty reason",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), t(8, 5), ""),
            vec![],
            Refusal::ReasonRequired,
        ),
        refused(
            "blank reason",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), t(8, 5), "  \t "),
            vec![],
            Refusal::ReasonRequired,
        ),
        refused(
            "an override needs one too",
            by(SUPERVISOR),
            I::OverridePunch {
                subject: p(PAT),
                punch: EnteredPunch::ClockIn,
                at: t(8, 0),
                reason: " ".into(),
            },
            vec![],
            Refusal::ReasonRequired,
        ),
        refused(
            "a missed punch needs one too",
            by(PAT),
            I::ReportMissedPunch {
                subject: p(PAT),
                punch: EnteredPunch::ClockIn,
                at: t(8, 0),
                reason: String::new(),
            },
            vec![],
            Refusal::ReasonRequired,
        ),
        allowed(
            "reason kept, trimmed",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), t(8, 5), "  badge misread "),
            vec![],
            vec![(PAT, correction(t(8, 5), "badge misread"))],
        ),
    ]);
}

#[test]
fn a_correction_is_a_new_event_naming_the_corrected_one() {
    check(vec![
        allowed(
            "supervisor corrects a user's event",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), t(7, 45), "early start"),
            vec![(PAT, working(t(8, 0)))],
            vec![(PAT, correction(t(7, 45), "early start"))],
        ),
        allowed(
            "supervisor corrects own event",
            by(SUPERVISOR),
            fix(SUPERVISOR, t(8, 0), t(7, 45), "early"),
            vec![],
            vec![(SUPERVISOR, correction(t(7, 45), "early"))],
        ),
        refused(
            "same time",
            by(SUPERVISOR),
            fix(PAT, t(8, 0), t(8, 0), "no-op"),
            vec![],
            Refusal::SameTime,
        ),
        refused(
            "a user cannot correct own events",
            by(PAT),
            fix(PAT, t(8, 0), t(7, 45), "early"),
            vec![],
            Refusal::MissingRight {
                right: Right::OverrideOwnPunchMode,
            },
        ),
        refused(
            "a supervisor cannot correct a peer",
            by(SUPERVISOR),
            fix(SUPERVISOR2, t(8, 0), t(7, 45), "early"),
            vec![],
            Refusal::RankTooLow,
        ),
        refused(
            "the kiosk cannot correct",
            KIOSK,
            fix(PAT, t(8, 0), t(7, 45), "early"),
            vec![],
            Refusal::KioskCannot,
        ),
    ]);
    let drafts = run(
        by(SUPERVISOR),
        fix(PAT, t(8, 0), t(7, 45), "early start"),
        &vec![],
    )
    .unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(
        drafts[0].at,
        now(),
        "recorded when made; the new time is inside"
    );
    assert_eq!(drafts[0].method, Method::SupervisorOverride);
}

#[test]
fn self_reported_missed_punch_is_recorded_for_review() {
    use EnteredPunch::{ClockIn as Start, ClockOut as Finish};
    // Pat forgot to clock out yesterday: still in since 08:00 on a job.
    let yesterday_in = vec![(PAT, on_job(FRAMING, may(9, 8)))];
    check(vec![
        allowed(
            "own missed clock-out closes the job too",
            by(PAT),
            missed(PAT, Finish, may(9, 17)),
            yesterday_in.clone(),
            vec![(PAT, check_out(FRAMING)), (PAT, ClockOut)],
        ),
        allowed(
            "own missed clock-in",
            by(PAT),
            missed(PAT, Start, t(7, 0)),
            vec![],
            vec![(PAT, ClockIn)],
        ),
        allowed(
            "a lead reports for a crew member",
            by(LEE),
            missed(TOM, Start, t(7, 0)),
            vec![],
            vec![(TOM, ClockIn)],
        ),
        allowed(
            "an individual's missed check-out",
            by(IVY),
            missed(IVY, Finish, t(11, 0)),
            vec![(IVY, checked_in(FRAMING, t(9, 0)))],
            vec![(IVY, check_out(FRAMING))],
        ),
        refused(
            "a team member cannot report for self",
            by(TOM),
            missed(TOM, Start, t(7, 0)),
            vec![],
            Refusal::TeamMemberSelfPunch,
        ),
        refused(
            "not for someone else",
            by(SUPERVISOR),
            missed(PAT, Start, t(7, 0)),
            vec![],
            Refusal::MissedPunchNotYours,
        ),
        refused(
            "not by the kiosk alone",
            KIOSK,
            missed(PAT, Start, t(7, 0)),
            vec![],
            Refusal::KioskCannot,
        ),
        refused(
            "a client tracks no time",
            by(CLARA),
            missed(CLARA, Start, t(7, 0)),
            vec![],
            Refusal::MissingRight {
                right: Right::TrackOwnTime,
            },
        ),
        refused(
            "state rules apply",
            by(PAT),
            missed(PAT, Start, t(7, 0)),
            vec![(PAT, working(t(6, 0)))],
            Refusal::AlreadyClockedIn { who: Who::You },
        ),
    ]);
    let drafts = run(by(PAT), missed(PAT, Finish, may(9, 17)), &yesterday_in).unwrap();
    for d in &drafts {
        assert!(d.needs_review);
        assert_eq!(d.at, may(9, 17));
        assert_eq!(d.note.as_deref(), Some("badge reader was down"));
        assert_eq!(d.method, Method::Badge);
    }
    let lead = run(by(LEE), missed(TOM, Start, t(7, 0)), &vec![]).unwrap();
    assert_eq!(lead[0].method, Method::Team);
    assert!(lead[0].needs_review);
}
