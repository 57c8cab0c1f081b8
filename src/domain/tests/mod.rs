//! Rule tables for [`decide`](crate::domain::decide()), one test per rule, each
//! with allowed and refused cases, plus the proptests over whole sequences.
//! All of them run against one small organisation built here.

mod access;
mod crew;
mod entered;
mod modes;
mod proptests;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::*;

// --- The organisation ----------------------------------------------------------

pub const ADMIN: u128 = 1; // Administrator
pub const TOP: u128 = 2; // Top manager
pub const MANAGER: u128 = 3;
pub const COMANAGER: u128 = 4;
pub const SUPERVISOR: u128 = 5;
pub const SUPERVISOR2: u128 = 6; // a peer of SUPERVISOR
pub const PAT: u128 = 10; // User, personal
pub const IVY: u128 = 11; // User, individual, Framing only
pub const LEE: u128 = 12; // User, team lead of crew A
pub const TOM: u128 = 13; // crew A
pub const TIA: u128 = 14; // crew A, Framing only
pub const ARCHIE: u128 = 15; // archived, personal
pub const ARLO: u128 = 16; // crew A, archived
pub const LENA: u128 = 17; // User, team lead of crew B
pub const OTTO: u128 = 18; // crew B
pub const CLARA: u128 = 19; // Client
pub const COWORKER: u128 = 20; // TrackingTime Coworker
pub const PM: u128 = 21; // TrackingTime Project manager
pub const LONE_LEAD: u128 = 22; // team lead mode, leads no team
pub const NOROLE: u128 = 23; // role not in the directory
pub const IRIS: u128 = 24; // crew A, individual
pub const FRED: u128 = 25; // "Foreman": may override punches, not the date lock

pub const FRAMING: u128 = 100;
pub const ROOFING: u128 = 101;
pub const DEMOLITION: u128 = 102; // archived
pub const CREW_A: u128 = 200;
pub const CREW_B: u128 = 201;
pub const FOREMAN_ROLE: u128 = 300;

pub const KIOSK: Actor = Actor::Kiosk(DeviceId(Uuid::from_u128(900)));

pub fn p(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

pub fn j(n: u128) -> JobId {
    JobId(Uuid::from_u128(n))
}

pub fn by(n: u128) -> Actor {
    Actor::Person(p(n))
}

fn role_id(preset: Preset) -> RoleId {
    RoleId(Uuid::from_u128(1000 + preset as u128))
}

/// 2024-05-10 at hh:mm UTC, the fixture's "today".
pub fn t(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 10, hh, mm, 0).unwrap()
}

/// A day of May 2024 at hh:00 UTC.
pub fn may(day: u32, hh: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, hh, 0, 0).unwrap()
}

pub fn now() -> DateTime<Utc> {
    t(12, 0)
}

/// Entries before this day are locked.
pub fn lock_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()
}

pub fn fixture() -> Directory {
    let person = |n: u128, name: &str, preset: Preset, mode: TrackingMode| Person {
        id: p(n),
        name: name.to_owned(),
        badge: Some(format!("B{n}")),
        mode,
        team: None,
        role: role_id(preset),
        archived: false,
        jobs: JobAccess::All,
    };
    use Preset::*;
    use TrackingMode::*;
    let framing_only = JobAccess::Only([j(FRAMING)].into());
    let mut people = vec![
        person(ADMIN, "Ada", Administrator, Personal),
        person(TOP, "Tess", TopManager, Personal),
        person(MANAGER, "Max", Manager, Personal),
        person(COMANAGER, "Cora", CoManager, Personal),
        person(SUPERVISOR, "Sue", Supervisor, Personal),
        person(SUPERVISOR2, "Sid", Supervisor, Personal),
        person(PAT, "Pat", User, Personal),
        Person {
            jobs: framing_only.clone(),
            ..person(IVY, "Ivy", User, Individual)
        },
        person(LEE, "Lee", User, TeamLead),
        Person {
            team: Some(TeamId(Uuid::from_u128(CREW_A))),
            ..person(TOM, "Tom", User, TeamMember)
        },
        Person {
            team: Some(TeamId(Uuid::from_u128(CREW_A))),
            jobs: framing_only,
            ..person(TIA, "Tia", User, TeamMember)
        },
        Person {
            archived: true,
            ..person(ARCHIE, "Archie", User, Personal)
        },
        Person {
            archived: true,
            ..person(ARLO, "Arlo", User, TeamMember)
        },
        person(LENA, "Lena", User, TeamLead),
        person(OTTO, "Otto", User, TeamMember),
        person(CLARA, "Clara", Client, Personal),
        person(COWORKER, "Cole", Coworker, Personal),
        person(PM, "Pia", ProjectManager, Personal),
        person(LONE_LEAD, "Lou", Supervisor, TeamLead),
        Person {
            role: RoleId(Uuid::from_u128(999)),
            ..person(NOROLE, "Nora", User, Personal)
        },
        person(IRIS, "Iris", User, Individual),
    ];
    people.push(Person {
        role: RoleId(Uuid::from_u128(FOREMAN_ROLE)),
        ..person(FRED, "Fred", User, Personal)
    });
    let mut roles = presets(role_id);
    roles.push(Role {
        id: RoleId(Uuid::from_u128(FOREMAN_ROLE)),
        name: "Foreman".into(),
        rank: 20,
        rights: RightSet::of(&[
            Right::TrackOwnTime,
            Right::TrackTime,
            Right::OverridePunchMode,
            Right::OverrideOwnPunchMode,
        ]),
        fixed: false,
        preset: None,
    });
    let team = |n: u128, lead: u128, members: &[u128]| Team {
        id: TeamId(Uuid::from_u128(n)),
        name: format!("Crew {n}"),
        lead: p(lead),
        members: members.iter().map(|&m| p(m)).collect(),
    };
    let job = |n: u128, name: &str, archived: bool| Job {
        id: j(n),
        name: name.into(),
        archived,
    };
    Directory::new(
        people,
        roles,
        [
            team(CREW_A, LEE, &[TOM, TIA, ARLO, IRIS]),
            team(CREW_B, LENA, &[OTTO]),
        ],
        [
            job(FRAMING, "Framing", false),
            job(ROOFING, "Roofing", false),
            job(DEMOLITION, "Demolition", true),
        ],
        OrgSettings {
            date_lock: Some(lock_date()),
            utc_offset_secs: 0,
        },
    )
}

// --- States ------------------------------------------------------------------------

pub fn working(since: DateTime<Utc>) -> PunchState {
    PunchState::clocked_in(since)
}

pub fn on_job(job: u128, since: DateTime<Utc>) -> PunchState {
    PunchState::clocked_in(since).with_job(j(job), since)
}

pub fn on_break(since: DateTime<Utc>) -> PunchState {
    PunchState::on_break(since, since)
}

/// An individual user on a job (no clock).
pub fn checked_in(job: u128, since: DateTime<Utc>) -> PunchState {
    PunchState::out().with_job(j(job), since)
}

pub type States = Vec<(u128, PunchState)>;

// --- Cases -------------------------------------------------------------------------

pub enum Expect {
    /// The events, as (subject, kind), in order.
    Events(Vec<(u128, EventKind)>),
    Refused(Refusal),
}

pub struct Case {
    pub label: &'static str,
    pub actor: Actor,
    pub intent: Intent,
    pub states: States,
    pub expect: Expect,
}

pub fn allowed(
    label: &'static str,
    actor: Actor,
    intent: Intent,
    states: States,
    events: Vec<(u128, EventKind)>,
) -> Case {
    Case {
        label,
        actor,
        intent,
        states,
        expect: Expect::Events(events),
    }
}

pub fn refused(
    label: &'static str,
    actor: Actor,
    intent: Intent,
    states: States,
    refusal: Refusal,
) -> Case {
    Case {
        label,
        actor,
        intent,
        states,
        expect: Expect::Refused(refusal),
    }
}

/// Runs `decide` with method Badge at [`now`].
pub fn run(actor: Actor, intent: Intent, states: &States) -> Result<Vec<EventDraft>, Refusal> {
    run_with(&fixture(), actor, Method::Badge, intent, states)
}

pub fn run_with(
    dir: &Directory,
    actor: Actor,
    method: Method,
    intent: Intent,
    states: &States,
) -> Result<Vec<EventDraft>, Refusal> {
    let map: BTreeMap<PersonId, PunchState> = states.iter().map(|(n, s)| (p(*n), *s)).collect();
    decide(
        dir,
        &|id| map.get(&id).copied().unwrap_or_default(),
        actor,
        method,
        intent,
        now(),
    )
}

/// Checks every case; on success also that every event names the actor.
pub fn check(cases: Vec<Case>) {
    assert!(
        cases.iter().any(|c| matches!(c.expect, Expect::Events(_))),
        "a table needs an allowed case"
    );
    assert!(
        cases.iter().any(|c| matches!(c.expect, Expect::Refused(_))),
        "a table needs a refused case"
    );
    for case in cases {
        let got = run(case.actor, case.intent.clone(), &case.states);
        match (&case.expect, got) {
            (Expect::Events(want), Ok(drafts)) => {
                let got: Vec<(PersonId, EventKind)> =
                    drafts.iter().map(|d| (d.subject, d.kind.clone())).collect();
                let want: Vec<(PersonId, EventKind)> =
                    want.iter().map(|(n, k)| (p(*n), k.clone())).collect();
                assert_eq!(got, want, "{}", case.label);
                assert!(
                    drafts.iter().all(|d| d.actor == case.actor),
                    "{}: actor",
                    case.label
                );
            }
            (Expect::Refused(want), Err(got)) => assert_eq!(&got, want, "{}", case.label),
            (Expect::Events(_), Err(got)) => panic!("{}: refused: {got:?} ({got})", case.label),
            (Expect::Refused(want), Ok(drafts)) => {
                panic!("{}: expected {want:?}, got {drafts:?}", case.label)
            }
        }
    }
}

pub fn named(name: &str) -> Who {
    Who::Named(name.to_owned())
}

pub fn check_in(job: u128) -> EventKind {
    EventKind::CheckIn { job: j(job) }
}

pub fn check_out(job: u128) -> EventKind {
    EventKind::CheckOut { job: j(job) }
}

#[test]
fn fixture_is_what_the_tables_assume() {
    let dir = fixture();
    assert_eq!(dir.crew_of(p(LEE)), vec![p(TOM), p(TIA), p(ARLO), p(IRIS)]);
    assert!(dir.role_of(p(NOROLE)).is_none());
    assert!(dir.person(p(ARCHIE)).is_some_and(|x| x.archived));
    assert!(dir.job(j(DEMOLITION)).is_some_and(|x| x.archived));
    assert!(dir.is_date_locked(may(1, 0) - chrono::TimeDelta::hours(1)));
    let json = serde_json::to_string(&dir).unwrap();
    assert_eq!(serde_json::from_str::<Directory>(&json).unwrap(), dir);
}
