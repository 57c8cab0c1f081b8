//! The demo organisation: who works there, their badges and PINs, the teams,
//! jobs, rates and the two kiosks with their rosters, written into a fresh hub
//! through the hub's own store functions (with audit entries, as an admin's
//! changes would leave).
//!
//! Everything a person would type is deterministic: person `i` has badge
//! `1000 + i` and the PIN made of `i` twice (person 7: badge 1007, PIN 0707), so
//! the help screen, the README and the tests agree.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use chrono::{Duration, NaiveDate};

use crate::domain::{
    Job, JobAccess, JobId, Person, PersonId, Preset, RoleId, Team, TeamId, TrackingMode,
};
use crate::hub::Store;
use crate::hub::store::admin::{AuditEntry, PinWrite};
use crate::hub::store::{AuthedDevice, NewDevice};
use crate::tui::settings::{DemoRow, DemoSheet};
use crate::wire::{OrgId, RosterEntry, RosterItem};

pub const ORG_NAME: &str = "Riverside Works (demo)";
/// The kiosk `tapin demo` runs as.
pub const FRONT_DESK: &str = "Front desk";
/// The other kiosk, whose past week is in the hub only.
pub const WORKSHOP: &str = "Workshop";

pub const JOBS: [&str; 8] = [
    "Assembly line 1",
    "Assembly line 2",
    "Paint booth",
    "Quality check",
    "Shipping",
    "Maintenance",
    "Front office",
    "Customer visit",
];

pub const TEAMS: [(&str, usize); 2] = [("Assembly crew", 10), ("Paint crew", 17)];

/// Which jobs a person is assigned to.
#[derive(Clone, Copy, Debug)]
pub enum Jobs {
    All,
    Only(&'static [usize]),
}

/// One person of the demo.
#[derive(Clone, Copy, Debug)]
pub struct DemoPerson {
    pub name: &'static str,
    pub mode: TrackingMode,
    pub role: Preset,
    /// Index into [`TEAMS`] for crew members (a lead is named there).
    pub team: Option<usize>,
    pub jobs: Jobs,
    pub archived: bool,
    /// What to try with them, for the help screen.
    pub try_this: &'static str,
}

const fn p(
    name: &'static str,
    mode: TrackingMode,
    role: Preset,
    team: Option<usize>,
    jobs: Jobs,
    try_this: &'static str,
) -> DemoPerson {
    DemoPerson {
        name,
        mode,
        role,
        team,
        jobs,
        archived: false,
        try_this,
    }
}

use Jobs::{All, Only};
use Preset as R;
use TrackingMode::{Individual, Personal, TeamLead, TeamMember};

/// Person 0 is the organisation's Top manager (made by the hub's init).
#[rustfmt::skip]
pub const PEOPLE: [DemoPerson; 34] = [
    p("Morgan Reyes", Personal, R::TopManager, None, All, "top manager: F12 admin"),
    p("Priya Nair", Personal, R::Administrator, None, All, "administrator: F12 admin"),
    p("Tomás Herrera", Personal, R::Manager, None, All, "manager"),
    p("Aiko Tanaka", Personal, R::CoManager, None, Only(&[4, 6, 7]), "co-manager"),
    p("Grace Mensah", Personal, R::Supervisor, None, All, "supervisor: fixes missed punches"),
    p("Olu Adeyemi", Personal, R::Supervisor, None, Only(&[0, 1, 3]), "supervisor"),
    p("Ana María López", Personal, R::User, None, Only(&[6]), "clock in, check in to Front office"),
    p("Ben Carter", Personal, R::User, None, Only(&[4, 6]), "on a break today"),
    p("Chloé Dubois", Personal, R::User, None, Only(&[3]), "one job: Quality check"),
    p("Dmitri Volkov", Personal, R::User, None, Only(&[5]), "maintenance"),
    p("Dana Okafor", TeamLead, R::User, Some(0), Only(&[0, 1, 3]), "team lead: punch the Assembly crew"),
    p("Eli Brooks", TeamMember, R::Coworker, Some(0), Only(&[0, 1]), "Assembly crew"),
    p("Fatima Zahra", TeamMember, R::Coworker, Some(0), Only(&[0, 1]), "Assembly crew"),
    p("George Lin", TeamMember, R::User, Some(0), Only(&[0, 1, 3]), "Assembly crew"),
    p("Hana Kim", TeamMember, R::User, Some(0), Only(&[0]), "Assembly crew"),
    p("Iván Petrov", TeamMember, R::Coworker, Some(0), Only(&[1]), "Assembly crew"),
    p("Jamal Wright", TeamMember, R::User, Some(0), Only(&[0, 1]), "Assembly crew"),
    p("Luis Ortega", TeamLead, R::ProjectManager, Some(1), Only(&[2, 3]), "team lead: Paint crew"),
    p("Mei Chen", TeamMember, R::Coworker, Some(1), Only(&[2]), "Paint crew"),
    p("Nadia Rossi", TeamMember, R::Coworker, Some(1), Only(&[2, 3]), "Paint crew"),
    p("Omar Haddad", TeamMember, R::User, Some(1), Only(&[2]), "Paint crew"),
    p("Paula Souza", TeamMember, R::User, Some(1), Only(&[2]), "Paint crew"),
    p("Quinn Murphy", TeamMember, R::Coworker, Some(1), Only(&[2, 5]), "Paint crew"),
    p("Rosa Jiménez", Individual, R::Client, None, Only(&[7]), "client: jobs only, no clock"),
    p("Sven Larsen", Individual, R::User, None, Only(&[5]), "contractor: jobs only"),
    p("Tariq Aziz", Individual, R::Coworker, None, Only(&[4, 5]), "contractor: two jobs"),
    p("Uma Patel", Individual, R::TrackingTimeAdmin, None, Only(&[3, 7]), "contractor"),
    p("Victor Alves", Personal, R::TrackingTimeManager, None, All, "every job"),
    p("Wen Zhao", Personal, R::ProjectManager, None, Only(&[0, 1, 2, 3]), "project manager"),
    p("Xavier Dupont", Personal, R::User, None, Only(&[]), "no jobs assigned"),
    p("Yara Haddad", Personal, R::Coworker, None, Only(&[4]), "shipping"),
    p("Zoe Fischer", Personal, R::User, None, Only(&[4, 6]), "forgot to clock out: missed punch"),
    DemoPerson {
        archived: true,
        ..p("Kim Lowe", Personal, R::User, None, Only(&[6]), "archived: on no roster")
    },
    p("Noor Ali", Individual, R::Coworker, None, Only(&[4]), "contractor: shipping"),
];

/// Index of the person who is still clocked in from yesterday.
pub const FORGOT_CLOCK_OUT: usize = 31;
/// Index of the archived person.
pub const ARCHIVED: usize = 32;

/// Person `i`'s badge number.
pub fn badge(i: usize) -> String {
    format!("{}", 1000 + i)
}

/// Person `i`'s PIN: `i` as two digits, twice.
pub fn pin(i: usize) -> String {
    format!("{:02}{:02}", i % 100, i % 100)
}

/// What the F1 help screen lists: everyone on the demo kiosk's roster.
pub fn sheet() -> DemoSheet {
    DemoSheet {
        rows: PEOPLE
            .iter()
            .enumerate()
            .map(|(i, person)| DemoRow {
                name: person.name.to_owned(),
                badge: badge(i),
                pin: pin(i),
                what: person.try_this.to_owned(),
            })
            .collect(),
    }
}

/// What was made, for the events and the kiosk.
pub struct SeededOrg {
    pub org: OrgId,
    pub admin_token: String,
    pub site_admin_token: String,
    pub people: Vec<Person>,
    pub jobs: Vec<JobId>,
    pub teams: Vec<Team>,
    /// The demo kiosk, not enrolled yet: its one-time code.
    pub front_desk: NewDevice,
    /// The other kiosk, enrolled.
    pub workshop: AuthedDevice,
}

/// Writes the demo organisation into `store`, which must be a fresh hub.
pub async fn seed(store: &Store) -> anyhow::Result<SeededOrg> {
    let init = store
        .init_site("Demo site administrator", ORG_NAME, PEOPLE[0].name)
        .await
        .context("initialising the demo hub")?;
    let org = init.first.org.id;
    let actor = init.first.top_manager.id.0;
    let role_of: HashMap<Preset, RoleId> = init
        .first
        .roles
        .iter()
        .filter_map(|r| r.preset.map(|p| (p, r.id)))
        .collect();

    let mut jobs = Vec::new();
    for name in JOBS {
        let job = Job {
            id: JobId::new(),
            name: name.to_owned(),
            archived: false,
        };
        let entry = AuditEntry::new(actor, "job.add", job.id);
        store.create_job(org, &job, &entry).await?;
        jobs.push(job.id);
    }

    let verifiers = pin_verifiers(&init.first.org.pin_pepper).await?;
    let team_ids: Vec<TeamId> = TEAMS.iter().map(|_| TeamId::new()).collect();
    let mut people: Vec<Person> = Vec::new();
    // Leads and people outside teams first, then the teams, then the crews: a
    // team needs its lead, a crew member their team.
    let order = (0..PEOPLE.len())
        .filter(|&i| PEOPLE[i].mode != TeamMember)
        .chain((0..PEOPLE.len()).filter(|&i| PEOPLE[i].mode == TeamMember));
    let mut made: Vec<Option<Person>> = vec![None; PEOPLE.len()];
    let mut teams_made = false;
    for i in order {
        let demo = &PEOPLE[i];
        if demo.mode == TeamMember && !teams_made {
            for (t, (name, lead)) in TEAMS.iter().enumerate() {
                let lead = made[*lead].as_ref().context("a team lead")?.id;
                let team = Team {
                    id: team_ids[t],
                    name: (*name).to_owned(),
                    lead,
                    members: Vec::new(),
                };
                let entry = AuditEntry::new(actor, "team.add", team.id);
                store.create_team(org, &team, &entry).await?;
            }
            teams_made = true;
        }
        let role = *role_of.get(&demo.role).context("a preset role")?;
        let access = match demo.jobs {
            All => JobAccess::All,
            Only(list) => JobAccess::Only(list.iter().map(|&j| jobs[j]).collect::<BTreeSet<_>>()),
        };
        if i == 0 {
            // The Top manager exists: give them a badge and a PIN.
            let before = init.first.top_manager.clone();
            let after = Person {
                badge: Some(badge(0)),
                jobs: access,
                ..before.clone()
            };
            let entry = AuditEntry::new(actor, "person.edit", after.id);
            store
                .update_person(
                    org,
                    &before,
                    &after,
                    PinWrite::Set(verifiers[0].clone()),
                    &entry,
                )
                .await?;
            made[0] = Some(after);
            continue;
        }
        let person = Person {
            id: PersonId::new(),
            name: demo.name.to_owned(),
            badge: Some(badge(i)),
            mode: demo.mode,
            team: if demo.mode == TeamMember {
                demo.team.map(|t| team_ids[t])
            } else {
                None
            },
            role,
            archived: false,
            jobs: access,
        };
        let entry = AuditEntry::new(actor, "person.add", person.id);
        store
            .create_person(org, &person, Some(verifiers[i].as_str()), &entry)
            .await?;
        made[i] = Some(person);
    }
    for person in made {
        people.push(person.context("every demo person is made")?);
    }
    let teams: Vec<Team> = TEAMS
        .iter()
        .enumerate()
        .map(|(t, (name, lead))| Team {
            id: team_ids[t],
            name: (*name).to_owned(),
            lead: people[*lead].id,
            members: (0..PEOPLE.len())
                .filter(|&i| PEOPLE[i].mode == TeamMember && PEOPLE[i].team == Some(t))
                .map(|i| people[i].id)
                .collect(),
        })
        .collect();

    rates(store, org, actor, &people).await?;

    let valid = Duration::hours(24);
    let front_desk = store.create_device(org, FRONT_DESK, valid).await?;
    let workshop = store.create_device(org, WORKSHOP, valid).await?;
    let code = crate::hub::secret::normalize_code(&workshop.enrollment_code)
        .context("the workshop's enrollment code")?;
    store
        .enroll(&code, None, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("enrolling the demo workshop kiosk: {e}"))?;
    store
        .set_roster(org, front_desk.id, &front_desk_roster(&people, &teams))
        .await?;
    store
        .set_roster(org, workshop.id, &workshop_roster(&people, &teams))
        .await?;
    Ok(SeededOrg {
        org,
        admin_token: init.first.token.clone(),
        site_admin_token: init.site_admin_token.clone(),
        people,
        jobs,
        teams,
        front_desk,
        workshop: AuthedDevice {
            id: workshop.id,
            org,
            name: WORKSHOP.to_owned(),
            revoked: false,
        },
    })
}

/// Archives the person who left (after their past events are in).
pub async fn archive_leaver(store: &Store, seeded: &SeededOrg) -> anyhow::Result<()> {
    let before = &seeded.people[ARCHIVED];
    let after = Person {
        archived: true,
        ..before.clone()
    };
    let actor = seeded.people[0].id.0;
    let entry = AuditEntry::new(actor, "person.archive", after.id);
    store
        .update_person(seeded.org, before, &after, PinWrite::Keep, &entry)
        .await?;
    Ok(())
}

/// The argon2id verifiers of every PIN, on all cores (each takes tens of ms).
async fn pin_verifiers(pepper: &str) -> anyhow::Result<Vec<String>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let indices: Vec<usize> = (0..PEOPLE.len()).collect();
    let chunks: Vec<Vec<usize>> = indices
        .chunks(PEOPLE.len().div_ceil(threads))
        .map(<[usize]>::to_vec)
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let pepper = pepper.to_owned();
        tasks.push(tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|i| {
                    crate::secrets::pin_verifier::make(&pin(i), &pepper)
                        .map(|v| (i, v))
                        .map_err(|e| anyhow::anyhow!("making a demo PIN verifier: {e}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        }));
    }
    let mut out = vec![String::new(); PEOPLE.len()];
    for task in tasks {
        for (i, verifier) in task.await.context("a PIN verifier thread")?? {
            out[i] = verifier;
        }
    }
    Ok(out)
}

/// Hourly rates and costs, by role, valid from a month ago; one raise this week
/// (a second validity period).
async fn rates(
    store: &Store,
    org: OrgId,
    actor: uuid::Uuid,
    people: &[Person],
) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    let month_ago = today - Duration::days(30);
    for (i, person) in people.iter().enumerate() {
        let (rate, cost) = match PEOPLE[i].role {
            R::TopManager | R::Administrator => (9_000, 6_500),
            R::Manager | R::CoManager | R::TrackingTimeManager | R::TrackingTimeAdmin => {
                (6_500, 4_800)
            }
            R::Supervisor | R::ProjectManager => (5_200, 3_900),
            R::Client => (8_000, 5_500),
            R::User | R::Coworker => (3_800, 2_600),
        };
        set_rate(store, org, actor, person.id, month_ago, rate, cost).await?;
    }
    // Ana María's raise, three days ago.
    let raise = today - Duration::days(3);
    set_rate(store, org, actor, people[6].id, raise, 4_200, 2_900).await
}

async fn set_rate(
    store: &Store,
    org: OrgId,
    actor: uuid::Uuid,
    person: PersonId,
    from: NaiveDate,
    rate: i64,
    cost: i64,
) -> anyhow::Result<()> {
    let entry = AuditEntry::new(actor, "rate.set", format!("{person}/{from}"));
    store
        .set_rate(org, person, from, rate, cost, &entry)
        .await?;
    Ok(())
}

fn person_entry(group: &str, person: &Person) -> RosterEntry {
    RosterEntry {
        group: Some(group.to_owned()),
        item: RosterItem::Person(person.id),
    }
}

fn team_entry(group: &str, team: &Team) -> RosterEntry {
    RosterEntry {
        group: Some(group.to_owned()),
        item: RosterItem::Team(team.id),
    }
}

/// The demo kiosk: the office (the archived person stays listed, and hidden),
/// both crews on the floor, and the contractors.
fn front_desk_roster(people: &[Person], teams: &[Team]) -> Vec<RosterEntry> {
    let office = (0..10).chain(27..=ARCHIVED);
    let mut entries: Vec<RosterEntry> =
        office.map(|i| person_entry("Office", &people[i])).collect();
    entries.extend(teams.iter().map(|t| team_entry("Floor", t)));
    entries.extend(
        [23, 24, 25, 26, 33]
            .iter()
            .map(|&i| person_entry("Contractors", &people[i])),
    );
    entries
}

/// The workshop kiosk: each crew under its own tab, and maintenance.
fn workshop_roster(people: &[Person], teams: &[Team]) -> Vec<RosterEntry> {
    let mut entries = vec![
        team_entry("Assembly", &teams[0]),
        team_entry("Paint", &teams[1]),
    ];
    entries.extend(
        [9, 24, 25]
            .iter()
            .map(|&i| person_entry("Maintenance", &people[i])),
    );
    entries
}
