//! A team lead acting for their crew.

use super::*;
use EventKind::{BreakEnd, ClockIn, ClockOut};
use Intent as I;

#[test]
fn team_lead_start_job_checks_in_all_clocked_in_members() {
    let all_in = vec![
        (TOM, working(t(8, 0))),
        (TIA, working(t(8, 0))),
        (LEE, working(t(7, 0))),
    ];
    check(vec![
        allowed(
            "everyone clocked in, one event each",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            all_in.clone(),
            vec![(TOM, check_in(FRAMING)), (TIA, check_in(FRAMING))],
        ),
        allowed(
            "only those clocked in",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(TIA, working(t(8, 0)))],
            vec![(TIA, check_in(FRAMING))],
        ),
        allowed(
            "members on a break stay on their break",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(TOM, on_break(t(8, 0))), (TIA, working(t(8, 0)))],
            vec![(TIA, check_in(FRAMING))],
        ),
        allowed(
            "members on another job switch",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(TOM, on_job(ROOFING, t(8, 0))), (TIA, working(t(8, 0)))],
            vec![
                (TOM, check_out(ROOFING)),
                (TOM, check_in(FRAMING)),
                (TIA, check_in(FRAMING)),
            ],
        ),
        allowed(
            "members already on it are left alone",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(TOM, on_job(FRAMING, t(8, 0))), (TIA, working(t(8, 0)))],
            vec![(TIA, check_in(FRAMING))],
        ),
        refused(
            "nobody clocked in",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(LEE, working(t(7, 0)))],
            Refusal::NoCrewClockedIn {
                job: "Framing".into(),
            },
        ),
        refused(
            "everyone already on it",
            by(LEE),
            I::CrewStartJob { job: j(FRAMING) },
            vec![(TOM, on_job(FRAMING, t(8, 0)))],
            Refusal::CrewAlreadyOnJob {
                job: "Framing".into(),
            },
        ),
        refused(
            "a member not assigned to the job is named",
            by(LEE),
            I::CrewStartJob { job: j(ROOFING) },
            all_in,
            Refusal::JobNotAssigned {
                who: named("Tia"),
                job: "Roofing".into(),
            },
        ),
        refused(
            "archived job",
            by(LEE),
            I::CrewStartJob { job: j(DEMOLITION) },
            vec![(TOM, working(t(8, 0)))],
            Refusal::ArchivedJob {
                job: "Demolition".into(),
            },
        ),
        refused(
            "unknown job",
            by(LEE),
            I::CrewStartJob { job: j(4242) },
            vec![(TOM, working(t(8, 0)))],
            Refusal::UnknownJob,
        ),
    ]);
}

#[test]
fn crew_events_are_the_leads_with_method_team() {
    let states = vec![(TOM, working(t(8, 0))), (TIA, working(t(8, 0)))];
    let drafts = run(by(LEE), I::CrewStartJob { job: j(FRAMING) }, &states).unwrap();
    assert_eq!(drafts.len(), 2);
    for d in &drafts {
        assert_eq!(d.actor, by(LEE));
        assert_eq!(d.method, Method::Team);
        assert_eq!(d.at, now());
        assert!(!d.needs_review);
    }
    // The method passed in does not matter for crew actions.
    let dir = fixture();
    let pin = run_with(
        &dir,
        by(LEE),
        Method::Pin,
        I::CrewStartJob { job: j(FRAMING) },
        &states,
    )
    .unwrap();
    assert_eq!(pin, drafts);
}

#[test]
fn team_lead_stop_job_checks_all_of_them_out() {
    check(vec![
        allowed(
            "everyone on the job is checked out",
            by(LEE),
            I::CrewStopJob { job: j(FRAMING) },
            vec![
                (TOM, on_job(FRAMING, t(8, 0))),
                (TIA, on_job(FRAMING, t(8, 0))),
                (LEE, on_job(FRAMING, t(8, 0))),
            ],
            vec![(TOM, check_out(FRAMING)), (TIA, check_out(FRAMING))],
        ),
        allowed(
            "members on another job stay there",
            by(LEE),
            I::CrewStopJob { job: j(FRAMING) },
            vec![
                (TOM, on_job(ROOFING, t(8, 0))),
                (TIA, on_job(FRAMING, t(8, 0))),
            ],
            vec![(TIA, check_out(FRAMING))],
        ),
        allowed(
            "a job archived meanwhile can still be stopped",
            by(LEE),
            I::CrewStopJob { job: j(DEMOLITION) },
            vec![(TOM, on_job(DEMOLITION, t(8, 0)))],
            vec![(TOM, check_out(DEMOLITION))],
        ),
        refused(
            "nobody on the job",
            by(LEE),
            I::CrewStopJob { job: j(FRAMING) },
            vec![(TOM, working(t(8, 0)))],
            Refusal::NoCrewOnJob,
        ),
    ]);
}

#[test]
fn lead_checks_out_one_member_without_stopping_the_job() {
    let both_on = vec![
        (TOM, on_job(FRAMING, t(8, 0))),
        (TIA, on_job(FRAMING, t(8, 0))),
    ];
    check(vec![
        allowed(
            "only Tom is checked out",
            by(LEE),
            I::CrewCheckOutMember { member: p(TOM) },
            both_on.clone(),
            vec![(TOM, check_out(FRAMING))],
        ),
        refused(
            "a member not on a job",
            by(LEE),
            I::CrewCheckOutMember { member: p(TOM) },
            vec![(TOM, working(t(8, 0)))],
            Refusal::NotCheckedIn { who: named("Tom") },
        ),
        refused(
            "someone outside the crew",
            by(LEE),
            I::CrewCheckOutMember { member: p(OTTO) },
            vec![(OTTO, on_job(FRAMING, t(8, 0)))],
            Refusal::NotInYourCrew {
                name: "Otto".into(),
            },
        ),
        refused(
            "an unknown person",
            by(LEE),
            I::CrewCheckOutMember { member: p(4242) },
            vec![],
            Refusal::NotInYourCrew {
                name: "That person".into(),
            },
        ),
    ]);
    // Tia stays on the job: stopping it afterwards checks out only her.
    let after = vec![(TOM, working(t(8, 0))), (TIA, on_job(FRAMING, t(8, 0)))];
    let drafts = run(by(LEE), I::CrewStopJob { job: j(FRAMING) }, &after).unwrap();
    assert_eq!(
        drafts.iter().map(|d| d.subject).collect::<Vec<_>>(),
        vec![p(TIA)]
    );
}

#[test]
fn lead_clocks_chosen_crew_members_in_and_out() {
    check(vec![
        allowed(
            "clock in two",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(TOM), p(TIA)],
            },
            vec![],
            vec![(TOM, ClockIn), (TIA, ClockIn)],
        ),
        allowed(
            "a member picked twice is clocked in once",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(TIA), p(TIA)],
            },
            vec![],
            vec![(TIA, ClockIn)],
        ),
        allowed(
            "members already in are left alone",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(TOM), p(TIA)],
            },
            vec![(TOM, working(t(8, 0)))],
            vec![(TIA, ClockIn)],
        ),
        allowed(
            "clock out closes jobs and breaks first",
            by(LEE),
            I::CrewClockOut {
                members: vec![p(TOM), p(TIA)],
            },
            vec![(TOM, on_job(FRAMING, t(8, 0))), (TIA, on_break(t(8, 0)))],
            vec![
                (TOM, check_out(FRAMING)),
                (TOM, ClockOut),
                (TIA, BreakEnd),
                (TIA, ClockOut),
            ],
        ),
        allowed(
            "members already out are left alone",
            by(LEE),
            I::CrewClockOut {
                members: vec![p(TOM), p(TIA)],
            },
            vec![(TIA, working(t(8, 0)))],
            vec![(TIA, ClockOut)],
        ),
        refused(
            "everyone already in",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(TOM)],
            },
            vec![(TOM, working(t(8, 0)))],
            Refusal::CrewAllClockedIn,
        ),
        refused(
            "everyone already out",
            by(LEE),
            I::CrewClockOut {
                members: vec![p(TOM)],
            },
            vec![],
            Refusal::CrewAllClockedOut,
        ),
        refused(
            "nobody picked",
            by(LEE),
            I::CrewClockIn { members: vec![] },
            vec![],
            Refusal::NoMembersChosen,
        ),
        refused(
            "someone outside the crew",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(TOM), p(OTTO)],
            },
            vec![],
            Refusal::NotInYourCrew {
                name: "Otto".into(),
            },
        ),
        refused(
            "an individual crew member has no clock",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(IRIS)],
            },
            vec![],
            Refusal::NoWorkdayClock { who: named("Iris") },
        ),
        refused(
            "the lead is not in their own crew",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(LEE)],
            },
            vec![],
            Refusal::NotInYourCrew { name: "Lee".into() },
        ),
    ]);
}

#[test]
fn only_team_leads_act_for_a_crew() {
    let start = || I::CrewStartJob { job: j(FRAMING) };
    check(vec![
        refused(
            "a personal user",
            by(PAT),
            start(),
            vec![],
            Refusal::NotATeamLead,
        ),
        refused(
            "a manager",
            by(MANAGER),
            I::CrewClockIn {
                members: vec![p(TOM)],
            },
            vec![],
            Refusal::NotATeamLead,
        ),
        refused(
            "a lead with no team",
            by(LONE_LEAD),
            start(),
            vec![],
            Refusal::NotATeamLead,
        ),
        refused(
            "the kiosk",
            KIOSK,
            I::CrewStopJob { job: j(FRAMING) },
            vec![],
            Refusal::NotATeamLead,
        ),
        refused(
            "a crew member",
            by(TOM),
            I::CrewCheckOutMember { member: p(TIA) },
            vec![],
            Refusal::NotATeamLead,
        ),
        allowed(
            "the lead",
            by(LEE),
            start(),
            vec![(TOM, working(t(8, 0)))],
            vec![(TOM, check_in(FRAMING))],
        ),
    ]);
}
