//! A fixed roster, device and clock for the kiosk screen tests: people in every
//! state, a hostile name full of escape sequences and a wide-character name.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use uuid::Uuid;

use tapin::domain::{
    DeviceId, Directory, Event, EventDraft, EventId, Job, JobAccess, JobId, OrgSettings, Person,
    PersonId, Preset, PunchState, Right, RightSet, Role, RoleId, Team, TeamId, TrackingMode,
};
use tapin::tui::input::KeyInput;
use tapin::tui::model::{DeviceInfo, Model};
use tapin::tui::msg::{Cmd, Msg};
use tapin::tui::roster::Roster;
use tapin::tui::settings::ScreenSettings;
use tapin::tui::update::update;
use tapin::tui::view::view;
use tapin::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub const ANA: PersonId = PersonId(Uuid::from_u128(1));
pub const JOSE: PersonId = PersonId(Uuid::from_u128(2));
pub const WIDE: PersonId = PersonId(Uuid::from_u128(3));
pub const EVIL: PersonId = PersonId(Uuid::from_u128(4));
pub const LOU: PersonId = PersonId(Uuid::from_u128(5));
pub const MIA: PersonId = PersonId(Uuid::from_u128(6));
pub const ADA: PersonId = PersonId(Uuid::from_u128(7));
pub const OLD: PersonId = PersonId(Uuid::from_u128(8));
pub const ASSEMBLY: JobId = JobId(Uuid::from_u128(20));
pub const PAINTING: JobId = JobId(Uuid::from_u128(21));
pub const DEVICE: DeviceId = DeviceId(Uuid::from_u128(99));
pub const USER_ROLE: RoleId = RoleId(Uuid::from_u128(30));
pub const ADMIN_ROLE: RoleId = RoleId(Uuid::from_u128(31));

/// Tuesday 10 March 2026, 09:41 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 41, 0).unwrap()
}

pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).unwrap()
}

fn person(id: PersonId, name: &str, mode: TrackingMode, badge: Option<&str>) -> Person {
    Person {
        id,
        name: name.into(),
        badge: badge.map(Into::into),
        mode,
        team: None,
        role: USER_ROLE,
        archived: false,
        jobs: JobAccess::All,
    }
}

pub fn response() -> RosterResponse {
    let mut ada = person(ADA, "Ada Admin", TrackingMode::Personal, Some("9999"));
    ada.role = ADMIN_ROLE;
    let people = vec![
        person(ANA, "Ana García", TrackingMode::Personal, Some("1001")),
        person(JOSE, "José Núñez", TrackingMode::Personal, Some("1002")),
        person(WIDE, "李小龍 Wong", TrackingMode::Individual, None),
        person(
            EVIL,
            "Evil\u{1b}[2J\u{7}\u{202e}Name\u{1b}]0;pwned\u{7}",
            TrackingMode::TeamMember,
            None,
        ),
        person(LOU, "Lou Lead", TrackingMode::TeamLead, Some("1005")),
        person(MIA, "Mia Member", TrackingMode::TeamMember, None),
        ada,
        person(OLD, "Olga Overtime", TrackingMode::Personal, Some("1008")),
    ];
    let dir = Directory::new(
        people,
        [
            Role::preset(Preset::User, USER_ROLE),
            Role::preset(Preset::Administrator, ADMIN_ROLE),
        ],
        [Team {
            id: TeamId(id(40)),
            name: "Floor crew".into(),
            lead: LOU,
            members: vec![MIA, EVIL],
        }],
        [
            Job {
                id: ASSEMBLY,
                name: "Assembly".into(),
                archived: false,
            },
            Job {
                id: PAINTING,
                name: "Painting".into(),
                archived: false,
            },
        ],
        OrgSettings::default(),
    );
    let state = |p: PersonId, s: PunchState| RosterPerson {
        id: p,
        state: s,
        pin_verifier: Some(format!("verifier-{}", p.0.as_u128())),
    };
    let yesterday = Utc.with_ymd_and_hms(2026, 3, 9, 7, 55, 0).unwrap();
    let entry = |group: &str, item| RosterEntry {
        group: Some(group.into()),
        item,
    };
    RosterResponse {
        org_id: OrgId(id(50)),
        device_id: DEVICE,
        version: "v1".into(),
        generated_at: at(9, 0),
        entries: vec![
            entry("Office", RosterItem::Person(ANA)),
            entry("Office", RosterItem::Person(JOSE)),
            entry("Office", RosterItem::Person(ADA)),
            entry("Office", RosterItem::Person(OLD)),
            entry("Floor", RosterItem::Person(WIDE)),
            entry("Floor", RosterItem::Team(TeamId(id(40)))),
        ],
        directory: dir,
        people: vec![
            state(ANA, PunchState::out()),
            state(
                JOSE,
                PunchState::clocked_in(at(8, 0)).with_job(ASSEMBLY, at(8, 5)),
            ),
            state(WIDE, PunchState::out().with_job(PAINTING, at(7, 30))),
            state(EVIL, PunchState::clocked_in(at(7, 0))),
            state(LOU, PunchState::clocked_in(at(7, 0))),
            state(MIA, PunchState::on_break(at(7, 0), at(9, 30))),
            RosterPerson {
                id: ADA,
                state: PunchState::out(),
                pin_verifier: Some("verifier-ada".into()),
            },
            state(OLD, PunchState::clocked_in(yesterday)),
        ],
    }
}

pub fn roster() -> Roster {
    Roster::from_response(response())
}

pub fn device() -> DeviceInfo {
    DeviceInfo {
        id: DEVICE,
        name: "Front desk".into(),
        hub_url: "https://hub.example.org/".into(),
    }
}

pub fn model_with(settings: ScreenSettings) -> Model {
    let mut m = Model::new(settings, device(), now());
    update(&mut m, Msg::Roster(Ok(Box::new(roster()))));
    m
}

pub fn model() -> Model {
    model_with(ScreenSettings::default())
}

pub fn key(k: KeyInput) -> Msg {
    Msg::Key(k)
}

pub fn chars(s: &str) -> Vec<Msg> {
    s.chars().map(|c| key(KeyInput::Char(c))).collect()
}

/// Types `pin` and Enter on the PIN pad, and answers the check asked for:
/// right or wrong for `person`. The commands of that answer.
pub fn enter_pin(model: &mut Model, pin: &str, person: PersonId, right: bool) -> Vec<Cmd> {
    let cmds = send(model, chars(pin).into_iter().chain([key(KeyInput::Enter)]));
    let Some(Cmd::VerifyPin { request, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    send(
        model,
        [Msg::PinChecked {
            request,
            person,
            result: Ok(right),
        }],
    )
}

/// The events the journal commits for `drafts` from this device, numbered from
/// 1, each id given by `id_of` (its index).
pub fn events_of(drafts: &[EventDraft], id_of: impl Fn(usize) -> EventId) -> Vec<Event> {
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| Event {
            id: id_of(i),
            device: DEVICE,
            seq: i as u64 + 1,
            subject: d.subject,
            actor: d.actor,
            method: d.method,
            kind: d.kind.clone(),
            at: d.at,
            utc_offset_secs: 0,
            note: d.note.clone(),
            needs_review: d.needs_review,
            clock_offset_ms: None,
        })
        .collect()
}

/// The one Record command among `cmds`.
pub fn record(cmds: &[Cmd]) -> (u64, Vec<EventDraft>) {
    let recs: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Record {
                request, drafts, ..
            } => Some((*request, drafts.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(recs.len(), 1, "expected one Record in {cmds:?}");
    recs[0].clone()
}

/// Sends each message, collecting the commands.
pub fn send(model: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Cmd> {
    msgs.into_iter().flat_map(|m| update(model, m)).collect()
}

/// The screen as text, one line per row.
pub fn render(model: &mut Model, width: u16, height: u16) -> String {
    update(model, Msg::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view(model, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buffer[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub const SUE: PersonId = PersonId(Uuid::from_u128(60));
pub const SAM: PersonId = PersonId(Uuid::from_u128(61));
pub const LEO: PersonId = PersonId(Uuid::from_u128(62));
pub const SUPERVISOR_ROLE: RoleId = RoleId(Uuid::from_u128(32));
pub const SHIFT_LEAD_ROLE: RoleId = RoleId(Uuid::from_u128(33));
/// A manager: may change the device roster and re-enroll it.
pub const MAX: PersonId = PersonId(Uuid::from_u128(63));
pub const MANAGER_ROLE: RoleId = RoleId(Uuid::from_u128(34));

/// The fixture roster plus two supervisors (Sue, and Sam who forgot to clock
/// out yesterday), Leo, a shift lead whose role may override punches but not
/// the date lock, and Max, a manager.
pub fn response_with(settings: OrgSettings) -> RosterResponse {
    let mut r = response();
    let person = |id, name: &str, role, badge: &str| Person {
        id,
        name: name.into(),
        badge: Some(badge.into()),
        mode: TrackingMode::Personal,
        team: None,
        role,
        archived: false,
        jobs: JobAccess::All,
    };
    r.directory
        .upsert_role(Role::preset(Preset::Supervisor, SUPERVISOR_ROLE));
    r.directory
        .upsert_role(Role::preset(Preset::Manager, MANAGER_ROLE));
    r.directory.upsert_role(Role {
        id: SHIFT_LEAD_ROLE,
        name: "Shift lead".into(),
        rank: 8,
        rights: RightSet::of(&[Right::TrackOwnTime, Right::OverridePunchMode]),
        fixed: false,
        preset: None,
    });
    for (id, name, role, badge) in [
        (SUE, "Sue Supervisor", SUPERVISOR_ROLE, "3001"),
        (SAM, "Sam Supervisor", SUPERVISOR_ROLE, "3002"),
        (LEO, "Leo Shiftlead", SHIFT_LEAD_ROLE, "3003"),
        (MAX, "Max Manager", MANAGER_ROLE, "3004"),
    ] {
        r.directory.upsert_person(person(id, name, role, badge));
        r.entries.push(RosterEntry {
            group: Some("Office".into()),
            item: RosterItem::Person(id),
        });
    }
    r.directory.set_settings(settings);
    let yesterday = Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap();
    for (id, state) in [
        (SUE, PunchState::out()),
        (SAM, PunchState::clocked_in(yesterday)),
        (LEO, PunchState::out()),
        (MAX, PunchState::out()),
    ] {
        r.people.push(RosterPerson {
            id,
            state,
            pin_verifier: Some(format!("verifier-{}", id.0.as_u128())),
        });
    }
    r
}

pub fn model_for(settings: OrgSettings) -> Model {
    let mut m = Model::new(ScreenSettings::default(), device(), now());
    update(
        &mut m,
        Msg::Roster(Ok(Box::new(Roster::from_response(response_with(settings))))),
    );
    m
}
