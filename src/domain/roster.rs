//! The [`Directory`]: everything a decision needs to know about an organisation
//! (people, roles, teams, jobs, settings). On a kiosk it holds the device's roster;
//! on the hub, the whole organisation.
//!
//! Guarantees: lookups never panic (they return `Option`); crew membership follows
//! [`Team::members`] of teams the lead leads; the date lock compares the date in
//! the organisation's offset. Serializes as plain lists, keyed by id on load.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::event::fixed_offset;
use super::ids::{JobId, PersonId, RoleId, TeamId};
use super::person::{Job, Person, Team};
use super::role::Role;

/// Organisation-wide settings that decisions read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// Anuko "date lock": entries dated before this day are locked.
    #[serde(default)]
    pub date_lock: Option<NaiveDate>,
    /// The offset used to tell which day an instant falls on, in seconds east
    /// of UTC.
    #[serde(default)]
    pub utc_offset_secs: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DirectoryWire", into = "DirectoryWire")]
pub struct Directory {
    people: BTreeMap<PersonId, Person>,
    roles: BTreeMap<RoleId, Role>,
    teams: BTreeMap<TeamId, Team>,
    jobs: BTreeMap<JobId, Job>,
    settings: OrgSettings,
}

impl Directory {
    pub fn new(
        people: impl IntoIterator<Item = Person>,
        roles: impl IntoIterator<Item = Role>,
        teams: impl IntoIterator<Item = Team>,
        jobs: impl IntoIterator<Item = Job>,
        settings: OrgSettings,
    ) -> Self {
        Directory {
            people: people.into_iter().map(|p| (p.id, p)).collect(),
            roles: roles.into_iter().map(|r| (r.id, r)).collect(),
            teams: teams.into_iter().map(|t| (t.id, t)).collect(),
            jobs: jobs.into_iter().map(|j| (j.id, j)).collect(),
            settings,
        }
    }

    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    pub fn role(&self, id: RoleId) -> Option<&Role> {
        self.roles.get(&id)
    }

    /// The role of a person, if both are known.
    pub fn role_of(&self, person: PersonId) -> Option<&Role> {
        self.person(person).and_then(|p| self.role(p.role))
    }

    pub fn team(&self, id: TeamId) -> Option<&Team> {
        self.teams.get(&id)
    }

    pub fn job(&self, id: JobId) -> Option<&Job> {
        self.jobs.get(&id)
    }

    pub fn settings(&self) -> &OrgSettings {
        &self.settings
    }

    /// Takes everyone out, by id, leaving the rest: for a caller that keeps the
    /// people elsewhere without copying them.
    pub fn take_people(&mut self) -> BTreeMap<PersonId, Person> {
        std::mem::take(&mut self.people)
    }

    /// Everyone, archived included (reports still show archived people).
    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    /// The people a roster shows: everyone not archived.
    pub fn active_people(&self) -> impl Iterator<Item = &Person> {
        self.people.values().filter(|p| !p.archived)
    }

    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values()
    }

    /// Adds or replaces a person; returns the one replaced.
    pub fn upsert_person(&mut self, person: Person) -> Option<Person> {
        self.people.insert(person.id, person)
    }

    pub fn upsert_role(&mut self, role: Role) -> Option<Role> {
        self.roles.insert(role.id, role)
    }

    pub fn upsert_team(&mut self, team: Team) -> Option<Team> {
        self.teams.insert(team.id, team)
    }

    pub fn upsert_job(&mut self, job: Job) -> Option<Job> {
        self.jobs.insert(job.id, job)
    }

    pub fn set_settings(&mut self, settings: OrgSettings) {
        self.settings = settings;
    }

    /// The teams a person leads.
    pub fn teams_led_by(&self, lead: PersonId) -> impl Iterator<Item = &Team> {
        self.teams.values().filter(move |t| t.lead == lead)
    }

    /// A lead's crew: members of every team they lead, in team order, each once,
    /// never the lead themselves. Archived members are included; callers skip them.
    pub fn crew_of(&self, lead: PersonId) -> Vec<PersonId> {
        let mut crew: Vec<PersonId> = Vec::new();
        for member in self
            .teams_led_by(lead)
            .flat_map(|t| t.members.iter().copied())
        {
            if member != lead && !crew.contains(&member) {
                crew.push(member);
            }
        }
        crew
    }

    /// Whether `member` is in a team `lead` leads.
    pub fn is_crew(&self, lead: PersonId, member: PersonId) -> bool {
        lead != member && self.teams_led_by(lead).any(|t| t.members.contains(&member))
    }

    /// The organisation's calendar day of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&fixed_offset(self.settings.utc_offset_secs))
            .date_naive()
    }

    /// Whether an instant falls on a day the date lock closes.
    pub fn is_date_locked(&self, at: DateTime<Utc>) -> bool {
        self.settings
            .date_lock
            .is_some_and(|lock| self.local_date(at) < lock)
    }
}

/// The serialized form: lists are friendlier to other tools than maps keyed by
/// UUID strings.
#[derive(Serialize, Deserialize)]
struct DirectoryWire {
    #[serde(default)]
    people: Vec<Person>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    teams: Vec<Team>,
    #[serde(default)]
    jobs: Vec<Job>,
    #[serde(default)]
    settings: OrgSettings,
}

impl From<DirectoryWire> for Directory {
    fn from(w: DirectoryWire) -> Self {
        Directory::new(w.people, w.roles, w.teams, w.jobs, w.settings)
    }
}

impl From<Directory> for DirectoryWire {
    fn from(d: Directory) -> Self {
        DirectoryWire {
            people: d.people.into_values().collect(),
            roles: d.roles.into_values().collect(),
            teams: d.teams.into_values().collect(),
            jobs: d.jobs.into_values().collect(),
            settings: d.settings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person::{JobAccess, TrackingMode};
    use crate::domain::role::Preset;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn person(n: u128, archived: bool) -> Person {
        Person {
            id: PersonId(Uuid::from_u128(n)),
            name: format!("P{n}"),
            badge: None,
            mode: TrackingMode::TeamMember,
            team: None,
            role: RoleId(Uuid::from_u128(100)),
            archived,
            jobs: JobAccess::All,
        }
    }

    fn dir() -> Directory {
        let lead = PersonId(Uuid::from_u128(1));
        let team = |n: u128, members: &[u128]| Team {
            id: TeamId(Uuid::from_u128(n)),
            name: format!("T{n}"),
            lead,
            members: members
                .iter()
                .map(|&m| PersonId(Uuid::from_u128(m)))
                .collect(),
        };
        Directory::new(
            [
                person(1, false),
                person(2, false),
                person(3, true),
                person(4, false),
            ],
            [Role::preset(Preset::User, RoleId(Uuid::from_u128(100)))],
            // The lead listed in their own team and a member in two teams.
            [team(10, &[2, 1, 3]), team(11, &[3, 4])],
            [],
            OrgSettings {
                date_lock: NaiveDate::from_ymd_opt(2024, 5, 1),
                utc_offset_secs: 2 * 3600,
            },
        )
    }

    #[test]
    fn crew_is_members_of_teams_led_each_once_without_the_lead() {
        let d = dir();
        let ids = |ns: &[u128]| {
            ns.iter()
                .map(|&n| PersonId(Uuid::from_u128(n)))
                .collect::<Vec<_>>()
        };
        assert_eq!(d.crew_of(PersonId(Uuid::from_u128(1))), ids(&[2, 3, 4]));
        assert!(d.is_crew(PersonId(Uuid::from_u128(1)), PersonId(Uuid::from_u128(4))));
        assert!(!d.is_crew(PersonId(Uuid::from_u128(1)), PersonId(Uuid::from_u128(1))));
        assert!(d.crew_of(PersonId(Uuid::from_u128(2))).is_empty());
        assert_eq!(d.active_people().count(), 3);
        assert_eq!(d.people().count(), 4);
    }

    #[test]
    fn lookups_return_none_for_unknown_ids() {
        let d = dir();
        let unknown = Uuid::from_u128(999);
        assert!(d.person(PersonId(unknown)).is_none());
        assert!(d.role(RoleId(unknown)).is_none());
        assert!(d.team(TeamId(unknown)).is_none());
        assert!(d.job(JobId(unknown)).is_none());
        assert!(d.role_of(PersonId(unknown)).is_none());
        assert!(d.role_of(PersonId(Uuid::from_u128(1))).is_some());
    }

    #[test]
    fn entries_before_the_lock_date_are_locked_in_the_org_offset() {
        let d = dir();
        // 2024-04-30 23:30 UTC is 2024-05-01 01:30 at +02:00: not locked.
        let late_utc = Utc.with_ymd_and_hms(2024, 4, 30, 23, 30, 0).unwrap();
        assert!(!d.is_date_locked(late_utc));
        // 2024-04-30 21:30 UTC is 23:30 at +02:00 on the 30th: locked.
        assert!(d.is_date_locked(Utc.with_ymd_and_hms(2024, 4, 30, 21, 30, 0).unwrap()));
        let mut open = d.clone();
        open.set_settings(OrgSettings::default());
        assert!(!open.is_date_locked(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()));
        let mut bad_offset = d.clone();
        bad_offset.set_settings(OrgSettings {
            date_lock: None,
            utc_offset_secs: i32::MAX,
        });
        assert_eq!(bad_offset.local_date(late_utc), late_utc.date_naive());
    }

    #[test]
    fn serializes_as_lists_and_round_trips() {
        let d = dir();
        let json = serde_json::to_value(&d).unwrap();
        assert!(json["people"].is_array());
        assert_eq!(json["people"].as_array().map(Vec::len), Some(4));
        let back: Directory = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
        let empty: Directory = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Directory::default());
    }

    #[test]
    fn upsert_replaces_by_id() {
        let mut d = dir();
        let mut p = person(2, false);
        p.name = "Renamed".into();
        assert!(d.upsert_person(p).is_some());
        assert_eq!(
            d.person(PersonId(Uuid::from_u128(2)))
                .map(|p| p.name.as_str()),
            Some("Renamed")
        );
        assert!(
            d.upsert_job(Job {
                id: JobId(Uuid::from_u128(5)),
                name: "J".into(),
                archived: false
            })
            .is_none()
        );
        assert_eq!(d.jobs().count(), 1);
        assert_eq!(d.teams().count(), 2);
        assert_eq!(d.roles().count(), 1);
    }
}
