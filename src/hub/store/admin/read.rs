//! Reading an organisation's people, roles, teams, jobs and settings for the admin
//! API, archived people and jobs included, and the whole [`Directory`] for rules
//! that need it.
//!
//! Guarantees: every query filters by `org_id`; a PIN verifier is never read here
//! (only whether one is set); lists come in a stable order (by name, then id).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Store, sql};
use crate::domain::{
    Directory, Job, JobAccess, JobId, OrgSettings, Person, PersonId, RightSet, Role, RoleId, Team,
    TeamId,
};
use crate::wire::OrgId;

/// A person as the admin API shows them: the domain's person, and whether a PIN
/// is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: Person,
    pub has_pin: bool,
}

const PERSON_COLS: &str = "id, name, badge, mode, team_id, role_id, archived, all_jobs, \
     CAST(CASE WHEN pin_verifier IS NULL THEN 0 ELSE 1 END AS BIGINT)";

fn person_from_row(row: &AnyRow) -> StoreResult<PersonRecord> {
    let id: String = row.try_get(0).ctx("reading people.id")?;
    let mode: String = row.try_get(3).ctx("reading people.mode")?;
    let team: Option<String> = row.try_get(4).ctx("reading people.team_id")?;
    let role: String = row.try_get(5).ctx("reading people.role_id")?;
    let archived: i64 = row.try_get(6).ctx("reading people.archived")?;
    let all_jobs: i64 = row.try_get(7).ctx("reading people.all_jobs")?;
    let has_pin: i64 = row.try_get(8).ctx("reading whether a PIN is set")?;
    Ok(PersonRecord {
        person: Person {
            id: PersonId(sql::uuid(&id, "reading people.id")?),
            name: row.try_get(1).ctx("reading people.name")?,
            badge: row.try_get(2).ctx("reading people.badge")?,
            mode: sql::from_name(&mode, "reading people.mode")?,
            team: team
                .map(|t| sql::uuid(&t, "reading people.team_id").map(TeamId))
                .transpose()?,
            role: RoleId(sql::uuid(&role, "reading people.role_id")?),
            archived: archived != 0,
            jobs: if all_jobs != 0 {
                JobAccess::All
            } else {
                JobAccess::Only(BTreeSet::new())
            },
        },
        has_pin: has_pin != 0,
    })
}

pub(crate) fn role_from_row(row: &AnyRow) -> StoreResult<Role> {
    let id: String = row.try_get(0).ctx("reading roles.id")?;
    let rank: i64 = row.try_get(2).ctx("reading roles.rank")?;
    let rights: String = row.try_get(3).ctx("reading roles.rights")?;
    let fixed: i64 = row.try_get(4).ctx("reading roles.fixed")?;
    let preset: Option<String> = row.try_get(5).ctx("reading roles.preset")?;
    Ok(Role {
        id: RoleId(sql::uuid(&id, "reading roles.id")?),
        name: row.try_get(1).ctx("reading roles.name")?,
        rank: i32::try_from(rank).map_err(|_| StoreError::Corrupt {
            context: "reading roles.rank",
            detail: format!("rank {rank} out of range"),
        })?,
        rights: serde_json::from_str::<RightSet>(&rights).map_err(|e| StoreError::Corrupt {
            context: "reading roles.rights",
            detail: e.to_string(),
        })?,
        fixed: fixed != 0,
        preset: preset
            .map(|p| sql::from_name(&p, "reading roles.preset"))
            .transpose()?,
    })
}

/// Fills in the assigned jobs of people without every job.
async fn load_job_access(
    conn: &mut AnyConnection,
    org: &str,
    people: &mut [PersonRecord],
    only: Option<PersonId>,
) -> StoreResult<()> {
    let rows =
        match only {
            Some(person) => sqlx::query(
                "SELECT person_id, job_id FROM person_jobs WHERE org_id = $1 AND person_id = $2",
            )
            .bind(org)
            .bind(person.to_string())
            .fetch_all(&mut *conn)
            .await,
            None => {
                sqlx::query("SELECT person_id, job_id FROM person_jobs WHERE org_id = $1")
                    .bind(org)
                    .fetch_all(&mut *conn)
                    .await
            }
        }
        .ctx("reading job access")?;
    let index: HashMap<PersonId, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.person.id, i))
        .collect();
    for row in rows {
        let person: String = row.try_get(0).ctx("reading person_jobs.person_id")?;
        let job: String = row.try_get(1).ctx("reading person_jobs.job_id")?;
        let person = PersonId(sql::uuid(&person, "reading person_jobs.person_id")?);
        if let Some(&i) = index.get(&person)
            && let JobAccess::Only(jobs) = &mut people[i].person.jobs
        {
            jobs.insert(JobId(sql::uuid(&job, "reading person_jobs.job_id")?));
        }
    }
    Ok(())
}

impl Store {
    /// The organisation's people, by name; archived ones too unless `active_only`.
    pub async fn people_of(&self, org: OrgId, active_only: bool) -> StoreResult<Vec<PersonRecord>> {
        let org_s = org.to_string();
        let mut conn = self.read.acquire().await.ctx("connecting to read people")?;
        let filter = if active_only { " AND archived = 0" } else { "" };
        let query =
            format!("SELECT {PERSON_COLS} FROM people WHERE org_id = $1{filter} ORDER BY name, id");
        let rows = sqlx::query(&query)
            .bind(&org_s)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading people")?;
        let mut people = rows
            .iter()
            .map(person_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        load_job_access(&mut conn, &org_s, &mut people, None).await?;
        Ok(people)
    }

    /// One person of the organisation, archived or not.
    pub async fn person_of(&self, org: OrgId, id: PersonId) -> StoreResult<Option<PersonRecord>> {
        let org_s = org.to_string();
        let mut conn = self
            .read
            .acquire()
            .await
            .ctx("connecting to read a person")?;
        let query = format!("SELECT {PERSON_COLS} FROM people WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&query)
            .bind(&org_s)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await
            .ctx("reading a person")?;
        let Some(row) = row else { return Ok(None) };
        let mut people = vec![person_from_row(&row)?];
        load_job_access(&mut conn, &org_s, &mut people, Some(id)).await?;
        Ok(people.pop())
    }

    /// The ids of the people whose name is `name`, ASCII case ignored (on every
    /// backend: PostgreSQL's `LOWER` also folds other letters, so its candidates
    /// are narrowed here).
    pub async fn people_named(&self, org: OrgId, name: &str) -> StoreResult<Vec<PersonId>> {
        let rows = sqlx::query(
            "SELECT id, name FROM people WHERE org_id = $1 AND LOWER(name) = LOWER($2) ORDER BY id",
        )
        .bind(org.to_string())
        .bind(name)
        .fetch_all(&self.read)
        .await
        .ctx("finding people by name")?;
        let mut ids = Vec::new();
        for row in rows {
            let id: String = row.try_get(0).ctx("reading people.id")?;
            let found: String = row.try_get(1).ctx("reading people.name")?;
            if found.eq_ignore_ascii_case(name) {
                ids.push(PersonId(sql::uuid(&id, "reading people.id")?));
            }
        }
        Ok(ids)
    }

    /// The person holding `badge`, if any.
    pub async fn person_with_badge(
        &self,
        org: OrgId,
        badge: &str,
    ) -> StoreResult<Option<PersonId>> {
        let id = sqlx::query_scalar::<_, String>(
            "SELECT id FROM people WHERE org_id = $1 AND badge = $2",
        )
        .bind(org.to_string())
        .bind(badge)
        .fetch_optional(&self.read)
        .await
        .ctx("finding a badge")?;
        id.map(|id| sql::uuid(&id, "reading people.id").map(PersonId))
            .transpose()
    }

    /// The organisation's roles, by rank (highest first), with how many people
    /// have each.
    pub async fn roles_of(&self, org: OrgId) -> StoreResult<Vec<(Role, u64)>> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.rank, r.rights, r.fixed, r.preset, \
             (SELECT COUNT(*) FROM people p WHERE p.org_id = r.org_id AND p.role_id = r.id) \
             FROM roles r WHERE r.org_id = $1 ORDER BY r.rank DESC, r.name, r.id",
        )
        .bind(org.to_string())
        .fetch_all(&self.read)
        .await
        .ctx("reading roles")?;
        rows.iter()
            .map(|row| {
                let count: i64 = row.try_get(6).ctx("counting a role's people")?;
                Ok((role_from_row(row)?, u64::try_from(count).unwrap_or(0)))
            })
            .collect()
    }

    /// One role of the organisation.
    pub async fn role_of(&self, org: OrgId, id: RoleId) -> StoreResult<Option<Role>> {
        let row = sqlx::query(
            "SELECT id, name, rank, rights, fixed, preset FROM roles WHERE org_id = $1 AND id = $2",
        )
        .bind(org.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .ctx("reading a role")?;
        row.as_ref().map(role_from_row).transpose()
    }

    /// The organisation's teams with their crews in order, by name.
    pub async fn teams_of(&self, org: OrgId) -> StoreResult<Vec<Team>> {
        let org_s = org.to_string();
        let mut conn = self.read.acquire().await.ctx("connecting to read teams")?;
        let rows =
            sqlx::query("SELECT id, name, lead_id FROM teams WHERE org_id = $1 ORDER BY name, id")
                .bind(&org_s)
                .fetch_all(&mut *conn)
                .await
                .ctx("reading teams")?;
        let mut teams = Vec::with_capacity(rows.len());
        let mut index = HashMap::new();
        for row in &rows {
            let id: String = row.try_get(0).ctx("reading teams.id")?;
            let lead: String = row.try_get(2).ctx("reading teams.lead_id")?;
            let id = TeamId(sql::uuid(&id, "reading teams.id")?);
            index.insert(id, teams.len());
            teams.push(Team {
                id,
                name: row.try_get(1).ctx("reading teams.name")?,
                lead: PersonId(sql::uuid(&lead, "reading teams.lead_id")?),
                members: Vec::new(),
            });
        }
        let members = sqlx::query(
            "SELECT team_id, person_id FROM team_members WHERE org_id = $1 \
             ORDER BY team_id, position",
        )
        .bind(&org_s)
        .fetch_all(&mut *conn)
        .await
        .ctx("reading team members")?;
        for row in members {
            let team: String = row.try_get(0).ctx("reading team_members.team_id")?;
            let person: String = row.try_get(1).ctx("reading team_members.person_id")?;
            let team = TeamId(sql::uuid(&team, "reading team_members.team_id")?);
            if let Some(&i) = index.get(&team) {
                teams[i].members.push(PersonId(sql::uuid(
                    &person,
                    "reading team_members.person_id",
                )?));
            }
        }
        Ok(teams)
    }

    /// The organisation's jobs, archived ones too, by name.
    pub async fn jobs_of(&self, org: OrgId) -> StoreResult<Vec<Job>> {
        let rows =
            sqlx::query("SELECT id, name, archived FROM jobs WHERE org_id = $1 ORDER BY name, id")
                .bind(org.to_string())
                .fetch_all(&self.read)
                .await
                .ctx("reading jobs")?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading jobs.id")?;
                let archived: i64 = row.try_get(2).ctx("reading jobs.archived")?;
                Ok(Job {
                    id: JobId(sql::uuid(&id, "reading jobs.id")?),
                    name: row.try_get(1).ctx("reading jobs.name")?,
                    archived: archived != 0,
                })
            })
            .collect()
    }

    /// The organisation's settings as the domain reads them.
    pub async fn settings_of(&self, org: OrgId) -> StoreResult<OrgSettings> {
        let row = sqlx::query("SELECT date_lock, utc_offset_secs FROM orgs WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(&self.read)
            .await
            .ctx("reading an organisation's settings")?
            .ok_or(StoreError::NotFound("organisation"))?;
        let date_lock: Option<String> = row.try_get(0).ctx("reading orgs.date_lock")?;
        let offset: i64 = row.try_get(1).ctx("reading orgs.utc_offset_secs")?;
        Ok(OrgSettings {
            date_lock: date_lock
                .map(|d| {
                    NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
                        context: "reading orgs.date_lock",
                        detail: e.to_string(),
                    })
                })
                .transpose()?,
            utc_offset_secs: i32::try_from(offset).unwrap_or(0),
        })
    }

    /// The whole organisation as the domain's [`Directory`]: every person
    /// (archived too), role, team and job, and the settings. For rules that need
    /// more than one person's role; a handler that needs only the actor's and the
    /// target's roles reads just those.
    pub async fn directory(&self, org: OrgId) -> StoreResult<Directory> {
        let people = self.people_of(org, false).await?;
        let roles = self.roles_of(org).await?;
        let teams = self.teams_of(org).await?;
        let jobs = self.jobs_of(org).await?;
        let settings = self.settings_of(org).await?;
        Ok(Directory::new(
            people.into_iter().map(|p| p.person),
            roles.into_iter().map(|(r, _)| r),
            teams,
            jobs,
            settings,
        ))
    }
}
