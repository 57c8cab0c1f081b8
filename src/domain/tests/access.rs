//! Who may act for whom: archive, job access, the rank rule, leads and crews.

use super::*;
use EventKind::ClockIn;
use Intent as I;

#[test]
fn archived_person_cannot_punch() {
    check(vec![
        refused(
            "archived subject at the kiosk",
            KIOSK,
            I::ClockIn { subject: p(ARCHIE) },
            vec![],
            Refusal::Archived { who: Who::You },
        ),
        refused(
            "archived actor",
            by(ARCHIE),
            I::ClockIn { subject: p(ARCHIE) },
            vec![],
            Refusal::Archived { who: Who::You },
        ),
        refused(
            "archived actor acting for another",
            by(ARCHIE),
            I::ClockIn { subject: p(PAT) },
            vec![],
            Refusal::Archived { who: Who::You },
        ),
        refused(
            "supervisor for an archived person",
            by(SUPERVISOR),
            I::ClockIn { subject: p(ARCHIE) },
            vec![],
            Refusal::Archived {
                who: named("Archie"),
            },
        ),
        refused(
            "even a correction",
            by(SUPERVISOR),
            I::Correct {
                target: CorrectionTarget {
                    event: EventId(Uuid::from_u128(77)),
                    subject: p(ARCHIE),
                    at: t(8, 0),
                },
                new_time: t(8, 5),
                reason: "typo".into(),
            },
            vec![],
            Refusal::Archived {
                who: named("Archie"),
            },
        ),
        refused(
            "lead for an archived crew member",
            by(LEE),
            I::CrewClockIn {
                members: vec![p(ARLO)],
            },
            vec![],
            Refusal::Archived { who: named("Arlo") },
        ),
        allowed(
            "an active person",
            KIOSK,
            I::ClockIn { subject: p(PAT) },
            vec![],
            vec![(PAT, ClockIn)],
        ),
    ]);
    // Unarchiving restores them.
    let mut dir = fixture();
    let mut archie = dir.person(p(ARCHIE)).cloned().unwrap();
    archie.archived = false;
    dir.upsert_person(archie);
    assert!(
        run_with(
            &dir,
            KIOSK,
            Method::Badge,
            I::ClockIn { subject: p(ARCHIE) },
            &vec![]
        )
        .is_ok()
    );
}

#[test]
fn check_in_only_to_assigned_open_jobs() {
    let w = |n| vec![(n, working(t(8, 0)))];
    check(vec![
        allowed(
            "assigned to all jobs",
            by(PAT),
            I::CheckIn {
                subject: p(PAT),
                job: j(ROOFING),
            },
            w(PAT),
            vec![(PAT, check_in(ROOFING))],
        ),
        allowed(
            "assigned to this job",
            by(IVY),
            I::CheckIn {
                subject: p(IVY),
                job: j(FRAMING),
            },
            vec![],
            vec![(IVY, check_in(FRAMING))],
        ),
        refused(
            "not assigned to this job",
            by(IVY),
            I::CheckIn {
                subject: p(IVY),
                job: j(ROOFING),
            },
            vec![],
            Refusal::JobNotAssigned {
                who: Who::You,
                job: "Roofing".into(),
            },
        ),
        refused(
            "not assigned, switching",
            by(LEE),
            I::SwitchJob {
                subject: p(TIA),
                job: j(ROOFING),
            },
            vec![(TIA, on_job(FRAMING, t(8, 0)))],
            Refusal::JobNotAssigned {
                who: named("Tia"),
                job: "Roofing".into(),
            },
        ),
        refused(
            "archived job",
            by(PAT),
            I::CheckIn {
                subject: p(PAT),
                job: j(DEMOLITION),
            },
            w(PAT),
            Refusal::ArchivedJob {
                job: "Demolition".into(),
            },
        ),
        refused(
            "unknown job",
            by(PAT),
            I::CheckIn {
                subject: p(PAT),
                job: j(4242),
            },
            w(PAT),
            Refusal::UnknownJob,
        ),
        allowed(
            "checking out of a job archived meanwhile",
            by(PAT),
            I::CheckOut { subject: p(PAT) },
            vec![(PAT, on_job(DEMOLITION, t(8, 0)))],
            vec![(PAT, check_out(DEMOLITION))],
        ),
    ]);
}

#[test]
fn acting_for_someone_else_needs_track_time_and_higher_rank() {
    check(vec![
        allowed(
            "supervisor for a user",
            by(SUPERVISOR),
            I::ClockIn { subject: p(PAT) },
            vec![],
            vec![(PAT, ClockIn)],
        ),
        allowed(
            "co-manager for a supervisor",
            by(COMANAGER),
            I::ClockIn {
                subject: p(SUPERVISOR),
            },
            vec![],
            vec![(SUPERVISOR, ClockIn)],
        ),
        allowed(
            "project manager for a coworker",
            by(PM),
            I::ClockIn {
                subject: p(COWORKER),
            },
            vec![],
            vec![(COWORKER, ClockIn)],
        ),
        refused(
            "supervisor for a peer supervisor",
            by(SUPERVISOR),
            I::ClockIn {
                subject: p(SUPERVISOR2),
            },
            vec![],
            Refusal::RankTooLow,
        ),
        refused(
            "supervisor for a manager",
            by(SUPERVISOR),
            I::ClockIn {
                subject: p(MANAGER),
            },
            vec![],
            Refusal::RankTooLow,
        ),
        refused(
            "user for a user",
            by(PAT),
            I::ClockIn {
                subject: p(COWORKER),
            },
            vec![],
            Refusal::MissingRight {
                right: Right::TrackTime,
            },
        ),
        refused(
            "administrator has no group rights",
            by(ADMIN),
            I::ClockIn { subject: p(PAT) },
            vec![],
            Refusal::MissingRight {
                right: Right::TrackTime,
            },
        ),
        refused(
            "client tracks no own time",
            by(CLARA),
            I::ClockIn { subject: p(CLARA) },
            vec![],
            Refusal::MissingRight {
                right: Right::TrackOwnTime,
            },
        ),
        allowed(
            "top manager for a manager",
            by(TOP),
            I::ClockIn {
                subject: p(MANAGER),
            },
            vec![],
            vec![(MANAGER, ClockIn)],
        ),
    ]);
    // The message names no right.
    let msg = run(
        by(PAT),
        I::ClockIn {
            subject: p(COWORKER),
        },
        &vec![],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(msg, "Your role does not allow this. Ask a supervisor.");
}

#[test]
fn team_lead_acts_on_own_crew_by_the_lead_relationship() {
    // Lee's role is User (rank 4, no track_time): being the lead is enough.
    check(vec![
        allowed(
            "lead clocks a crew member in",
            by(LEE),
            I::ClockIn { subject: p(TOM) },
            vec![],
            vec![(TOM, ClockIn)],
        ),
        allowed(
            "lead clocks self in",
            by(LEE),
            I::ClockIn { subject: p(LEE) },
            vec![],
            vec![(LEE, ClockIn)],
        ),
        refused(
            "but not an archived one",
            by(LEE),
            I::ClockIn { subject: p(ARLO) },
            vec![],
            Refusal::Archived { who: named("Arlo") },
        ),
        refused(
            "mode rules still apply to the crew",
            by(LEE),
            I::ClockIn { subject: p(IRIS) },
            vec![],
            Refusal::NoWorkdayClock { who: named("Iris") },
        ),
    ]);
}

#[test]
fn team_lead_cannot_act_on_people_outside_their_team() {
    check(vec![
        refused(
            "another crew's member",
            by(LEE),
            I::ClockIn { subject: p(OTTO) },
            vec![],
            Refusal::NotInYourCrew {
                name: "Otto".into(),
            },
        ),
        refused(
            "another lead",
            by(LEE),
            I::ClockIn { subject: p(LENA) },
            vec![],
            Refusal::NotInYourCrew {
                name: "Lena".into(),
            },
        ),
        refused(
            "a personal user",
            by(LEE),
            I::ClockIn { subject: p(PAT) },
            vec![],
            Refusal::NotInYourCrew { name: "Pat".into() },
        ),
        refused(
            "crew action on another crew",
            by(LENA),
            I::CrewClockIn {
                members: vec![p(TOM)],
            },
            vec![],
            Refusal::NotInYourCrew { name: "Tom".into() },
        ),
        allowed(
            "the other lead on their own crew",
            by(LENA),
            I::ClockIn { subject: p(OTTO) },
            vec![],
            vec![(OTTO, ClockIn)],
        ),
    ]);
}

#[test]
fn unknown_people_and_roles_are_refused() {
    check(vec![
        refused(
            "unknown subject",
            by(SUPERVISOR),
            I::ClockIn { subject: p(4242) },
            vec![],
            Refusal::UnknownPerson,
        ),
        refused(
            "unknown actor",
            by(4242),
            I::ClockIn { subject: p(PAT) },
            vec![],
            Refusal::UnknownPerson,
        ),
        refused(
            "actor without a role",
            by(NOROLE),
            I::ClockIn { subject: p(NOROLE) },
            vec![],
            Refusal::NoRole { who: Who::You },
        ),
        refused(
            "subject without a role",
            KIOSK,
            I::ClockIn { subject: p(NOROLE) },
            vec![],
            Refusal::NoRole { who: Who::You },
        ),
        refused(
            "someone else's missing role",
            by(SUPERVISOR),
            I::ClockIn { subject: p(NOROLE) },
            vec![],
            Refusal::NoRole { who: named("Nora") },
        ),
        allowed(
            "a known person",
            by(SUPERVISOR),
            I::ClockIn {
                subject: p(SUPERVISOR),
            },
            vec![],
            vec![(SUPERVISOR, ClockIn)],
        ),
    ]);
}
