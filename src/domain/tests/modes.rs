//! Tracking modes (PK4 user types) and punch-state conflicts.

use super::*;
use EventKind::{BreakEnd, BreakStart, ClockIn, ClockOut};
use Intent as I;

#[test]
fn personal_user_clocks_in_and_out() {
    check(vec![
        allowed(
            "clock in when out",
            by(PAT),
            I::ClockIn { subject: p(PAT) },
            vec![],
            vec![(PAT, ClockIn)],
        ),
        allowed(
            "clock out when in",
            by(PAT),
            I::ClockOut { subject: p(PAT) },
            vec![(PAT, working(t(8, 0)))],
            vec![(PAT, ClockOut)],
        ),
        refused(
            "clock in when already in",
            by(PAT),
            I::ClockIn { subject: p(PAT) },
            vec![(PAT, working(t(8, 0)))],
            Refusal::AlreadyClockedIn { who: Who::You },
        ),
        refused(
            "clock out when out",
            by(PAT),
            I::ClockOut { subject: p(PAT) },
            vec![],
            Refusal::NotClockedIn { who: Who::You },
        ),
    ]);
}

#[test]
fn personal_user_needs_to_clock_in_before_check_in() {
    let check_in_framing = || I::CheckIn {
        subject: p(PAT),
        job: j(FRAMING),
    };
    check(vec![
        allowed(
            "clocked in: checks in",
            by(PAT),
            check_in_framing(),
            vec![(PAT, working(t(8, 0)))],
            vec![(PAT, check_in(FRAMING))],
        ),
        refused(
            "clocked out: clock in first",
            by(PAT),
            check_in_framing(),
            vec![],
            Refusal::CheckInNeedsClockIn { who: Who::You },
        ),
        refused(
            "on a break: end the break first",
            by(PAT),
            check_in_framing(),
            vec![(PAT, on_break(t(8, 0)))],
            Refusal::OnBreak { who: Who::You },
        ),
        refused(
            "team lead too",
            by(LEE),
            I::CheckIn {
                subject: p(LEE),
                job: j(FRAMING),
            },
            vec![],
            Refusal::CheckInNeedsClockIn { who: Who::You },
        ),
        refused(
            "team member too, via the kiosk",
            KIOSK,
            I::CheckIn {
                subject: p(TOM),
                job: j(FRAMING),
            },
            vec![],
            Refusal::CheckInNeedsClockIn { who: Who::You },
        ),
    ]);
    assert_eq!(
        run(by(PAT), check_in_framing(), &vec![])
            .unwrap_err()
            .to_string(),
        "You are not clocked in, so you cannot check in to a job. Clock in first."
    );
}

#[test]
fn clocking_out_while_checked_in_first_checks_out_of_the_job() {
    let states = vec![(PAT, on_job(ROOFING, t(8, 0)))];
    check(vec![
        allowed(
            "check-out then clock-out",
            by(PAT),
            I::ClockOut { subject: p(PAT) },
            states.clone(),
            vec![(PAT, check_out(ROOFING)), (PAT, ClockOut)],
        ),
        allowed(
            "from a break: break end then clock-out",
            by(PAT),
            I::ClockOut { subject: p(PAT) },
            vec![(PAT, on_break(t(8, 0)))],
            vec![(PAT, BreakEnd), (PAT, ClockOut)],
        ),
        refused(
            "nothing to clock out of",
            by(PAT),
            I::ClockOut { subject: p(PAT) },
            vec![],
            Refusal::NotClockedIn { who: Who::You },
        ),
    ]);
    let drafts = run(by(PAT), I::ClockOut { subject: p(PAT) }, &states).unwrap();
    assert!(drafts.iter().all(|d| d.at == now()), "same instant");
}

#[test]
fn breaks_are_for_clocked_in_people_and_stop_job_time() {
    check(vec![
        allowed(
            "break while working",
            by(PAT),
            I::BreakStart { subject: p(PAT) },
            vec![(PAT, working(t(8, 0)))],
            vec![(PAT, BreakStart)],
        ),
        allowed(
            "break while on a job checks out first",
            by(PAT),
            I::BreakStart { subject: p(PAT) },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            vec![(PAT, check_out(FRAMING)), (PAT, BreakStart)],
        ),
        allowed(
            "end the break",
            by(PAT),
            I::BreakEnd { subject: p(PAT) },
            vec![(PAT, on_break(t(8, 0)))],
            vec![(PAT, BreakEnd)],
        ),
        refused(
            "break while out",
            by(PAT),
            I::BreakStart { subject: p(PAT) },
            vec![],
            Refusal::BreakNeedsClockIn { who: Who::You },
        ),
        refused(
            "second break",
            by(PAT),
            I::BreakStart { subject: p(PAT) },
            vec![(PAT, on_break(t(8, 0)))],
            Refusal::AlreadyOnBreak { who: Who::You },
        ),
        refused(
            "end a break not taken",
            by(PAT),
            I::BreakEnd { subject: p(PAT) },
            vec![(PAT, working(t(8, 0)))],
            Refusal::NotOnBreak { who: Who::You },
        ),
    ]);
}

#[test]
fn checking_in_and_out_of_jobs_follows_the_current_job() {
    let w = || working(t(8, 0));
    check(vec![
        allowed(
            "switch checks out and in",
            by(PAT),
            I::SwitchJob {
                subject: p(PAT),
                job: j(ROOFING),
            },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            vec![(PAT, check_out(FRAMING)), (PAT, check_in(ROOFING))],
        ),
        allowed(
            "check out of the current job",
            by(PAT),
            I::CheckOut { subject: p(PAT) },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            vec![(PAT, check_out(FRAMING))],
        ),
        refused(
            "check in to the job already on",
            by(PAT),
            I::CheckIn {
                subject: p(PAT),
                job: j(FRAMING),
            },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            Refusal::AlreadyOnJob {
                who: Who::You,
                job: "Framing".into(),
            },
        ),
        refused(
            "check in while on another job",
            by(PAT),
            I::CheckIn {
                subject: p(PAT),
                job: j(ROOFING),
            },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            Refusal::CheckedInElsewhere {
                who: Who::You,
                job: "Framing".into(),
            },
        ),
        refused(
            "check out with no job",
            by(PAT),
            I::CheckOut { subject: p(PAT) },
            vec![(PAT, w())],
            Refusal::NotCheckedIn { who: Who::You },
        ),
        refused(
            "switch with no job",
            by(PAT),
            I::SwitchJob {
                subject: p(PAT),
                job: j(ROOFING),
            },
            vec![(PAT, w())],
            Refusal::NotCheckedIn { who: Who::You },
        ),
        refused(
            "switch to the same job",
            by(PAT),
            I::SwitchJob {
                subject: p(PAT),
                job: j(FRAMING),
            },
            vec![(PAT, on_job(FRAMING, t(8, 0)))],
            Refusal::AlreadyOnJob {
                who: Who::You,
                job: "Framing".into(),
            },
        ),
    ]);
    let drafts = run(
        by(PAT),
        I::SwitchJob {
            subject: p(PAT),
            job: j(ROOFING),
        },
        &vec![(PAT, on_job(FRAMING, t(8, 0)))],
    )
    .unwrap();
    assert!(
        drafts.iter().all(|d| d.at == now()),
        "a switch happens at one instant"
    );
}

#[test]
fn individual_user_checks_in_and_out_without_a_clock() {
    let no_clock = || Refusal::NoWorkdayClock { who: Who::You };
    check(vec![
        allowed(
            "check in with no clock",
            by(IVY),
            I::CheckIn {
                subject: p(IVY),
                job: j(FRAMING),
            },
            vec![],
            vec![(IVY, check_in(FRAMING))],
        ),
        allowed(
            "check out",
            by(IVY),
            I::CheckOut { subject: p(IVY) },
            vec![(IVY, checked_in(FRAMING, t(9, 0)))],
            vec![(IVY, check_out(FRAMING))],
        ),
        allowed(
            "kiosk checks an individual in",
            KIOSK,
            I::CheckIn {
                subject: p(IVY),
                job: j(FRAMING),
            },
            vec![],
            vec![(IVY, check_in(FRAMING))],
        ),
        refused(
            "no clock in",
            by(IVY),
            I::ClockIn { subject: p(IVY) },
            vec![],
            no_clock(),
        ),
        refused(
            "no clock out",
            by(IVY),
            I::ClockOut { subject: p(IVY) },
            vec![(IVY, checked_in(FRAMING, t(9, 0)))],
            no_clock(),
        ),
        refused(
            "no breaks",
            by(IVY),
            I::BreakStart { subject: p(IVY) },
            vec![],
            no_clock(),
        ),
        refused(
            "no break end",
            by(IVY),
            I::BreakEnd { subject: p(IVY) },
            vec![],
            no_clock(),
        ),
    ]);
}

#[test]
fn team_member_is_punched_by_their_lead_or_the_kiosk_not_by_themselves() {
    check(vec![
        refused(
            "member clocks self in",
            by(TOM),
            I::ClockIn { subject: p(TOM) },
            vec![],
            Refusal::TeamMemberSelfPunch,
        ),
        refused(
            "member checks self in",
            by(TOM),
            I::CheckIn {
                subject: p(TOM),
                job: j(FRAMING),
            },
            vec![(TOM, working(t(8, 0)))],
            Refusal::TeamMemberSelfPunch,
        ),
        allowed(
            "kiosk clocks the member in",
            KIOSK,
            I::ClockIn { subject: p(TOM) },
            vec![],
            vec![(TOM, ClockIn)],
        ),
        allowed(
            "lead clocks the member in",
            by(LEE),
            I::ClockIn { subject: p(TOM) },
            vec![],
            vec![(TOM, ClockIn)],
        ),
        allowed(
            "lead checks the member in",
            by(LEE),
            I::CheckIn {
                subject: p(TOM),
                job: j(ROOFING),
            },
            vec![(TOM, working(t(8, 0)))],
            vec![(TOM, check_in(ROOFING))],
        ),
        allowed(
            "a supervisor may too (rank rule)",
            by(SUPERVISOR),
            I::ClockIn { subject: p(TOM) },
            vec![],
            vec![(TOM, ClockIn)],
        ),
    ]);
}

#[test]
fn kiosk_acts_for_anyone_on_its_roster_within_mode_rules() {
    check(vec![
        allowed(
            "personal user",
            KIOSK,
            I::ClockIn { subject: p(PAT) },
            vec![],
            vec![(PAT, ClockIn)],
        ),
        allowed(
            "a manager",
            KIOSK,
            I::ClockIn {
                subject: p(MANAGER),
            },
            vec![],
            vec![(MANAGER, ClockIn)],
        ),
        allowed(
            "team lead",
            KIOSK,
            I::BreakStart { subject: p(LEE) },
            vec![(LEE, working(t(8, 0)))],
            vec![(LEE, BreakStart)],
        ),
        refused(
            "mode rules still apply",
            KIOSK,
            I::ClockIn { subject: p(IVY) },
            vec![],
            Refusal::NoWorkdayClock { who: Who::You },
        ),
        refused(
            "state rules still apply",
            KIOSK,
            I::ClockOut { subject: p(PAT) },
            vec![],
            Refusal::NotClockedIn { who: Who::You },
        ),
        refused(
            "not on the roster",
            KIOSK,
            I::ClockIn { subject: p(4242) },
            vec![],
            Refusal::UnknownPerson,
        ),
        refused(
            "no crew actions",
            KIOSK,
            I::CrewStartJob { job: j(FRAMING) },
            vec![],
            Refusal::NotATeamLead,
        ),
    ]);
}

#[test]
fn the_method_recorded_says_how_the_punch_was_made() {
    let dir = fixture();
    let method_of = |actor, method, intent| {
        run_with(&dir, actor, method, intent, &vec![])
            .map(|d| d.iter().map(|e| e.method).collect::<Vec<_>>())
    };
    assert_eq!(
        method_of(KIOSK, Method::RosterTap, I::ClockIn { subject: p(PAT) }),
        Ok(vec![Method::RosterTap])
    );
    assert_eq!(
        method_of(by(PAT), Method::Pin, I::ClockIn { subject: p(PAT) }),
        Ok(vec![Method::Pin])
    );
    assert_eq!(
        method_of(by(LEE), Method::Pin, I::ClockIn { subject: p(TOM) }),
        Ok(vec![Method::Team])
    );
    assert_eq!(
        method_of(
            by(SUPERVISOR),
            Method::Badge,
            I::ClockIn { subject: p(PAT) }
        ),
        Ok(vec![Method::Badge])
    );
    let drafts = run(KIOSK, I::ClockIn { subject: p(PAT) }, &vec![]).unwrap();
    assert_eq!(drafts[0].note, None);
    assert!(!drafts[0].needs_review);
}
