//! Domain values as the admin API shows them (`crate::wire::admin`).
//!
//! Guarantees: a view never carries a PIN or verifier; a badge appears only when
//! the caller says it may (the caller decides through the domain rules).

use std::collections::HashMap;

use crate::domain::{Job, JobAccess, Person, PersonId, Role, RoleId, Team, TeamId};
use crate::hub::admin::Principal;
use crate::hub::store::admin::PersonRecord;
use crate::wire::admin::{JobView, PersonRef, PersonView, RoleRef, RoleView, TeamRef, TeamView};

pub fn person_ref(p: &Person) -> PersonRef {
    PersonRef {
        id: p.id,
        name: p.name.clone(),
    }
}

pub fn role_view(role: &Role, people: u64) -> RoleView {
    RoleView {
        role: role.clone(),
        people,
    }
}

pub fn job_view(job: &Job) -> JobView {
    JobView {
        id: job.id,
        name: job.name.clone(),
        archived: job.archived,
    }
}

/// The organisation's roles and teams by id, and people's names, for building
/// views of many people or teams.
pub struct Names {
    pub roles: HashMap<RoleId, Role>,
    pub teams: HashMap<TeamId, String>,
    pub people: HashMap<PersonId, String>,
}

impl Names {
    pub fn new(roles: &[(Role, u64)], teams: &[Team], people: &[PersonRecord]) -> Names {
        Names {
            roles: roles.iter().map(|(r, _)| (r.id, r.clone())).collect(),
            teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
            people: people
                .iter()
                .map(|p| (p.person.id, p.person.name.clone()))
                .collect(),
        }
    }

    fn person_ref(&self, id: PersonId) -> PersonRef {
        PersonRef {
            id,
            name: self.people.get(&id).cloned().unwrap_or_default(),
        }
    }

    /// A person as `me` may see them: the badge only to themselves and to those
    /// who may manage them.
    pub fn person_view(&self, me: &Principal, record: &PersonRecord) -> PersonView {
        let p = &record.person;
        let role = self.roles.get(&p.role);
        let show_badge =
            me.person() == Some(p.id) || role.is_some_and(|r| me.may_manage(p.id, r).is_ok());
        PersonView {
            id: p.id,
            name: p.name.clone(),
            mode: p.mode,
            role: RoleRef {
                id: p.role,
                name: role.map(|r| r.name.clone()).unwrap_or_default(),
                rank: role.map_or(0, |r| r.rank),
            },
            team: p.team.map(|id| TeamRef {
                id,
                name: self.teams.get(&id).cloned().unwrap_or_default(),
            }),
            badge: if show_badge { p.badge.clone() } else { None },
            has_badge: p.badge.is_some(),
            has_pin: record.has_pin,
            archived: p.archived,
            all_jobs: matches!(p.jobs, JobAccess::All),
            jobs: match &p.jobs {
                JobAccess::All => Vec::new(),
                JobAccess::Only(jobs) => jobs.iter().copied().collect(),
            },
        }
    }

    pub fn team_view(&self, team: &Team) -> TeamView {
        TeamView {
            id: team.id,
            name: team.name.clone(),
            lead: self.person_ref(team.lead),
            members: team.members.iter().map(|&m| self.person_ref(m)).collect(),
        }
    }
}
