//! Reading an organisation's people, roles, teams, jobs and settings for the admin
//! API, archived people and jobs included, and the whole [`Directory`] for rules
//! that need it.
//!
//! Guarantees: every query filters by `org_id`; a PIN verifier is never read here
//! (only whether one is set); lists come in a stable order (by name, then id).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::orgs::settings_from_row;
use super::super::people::{
    PERSON_COLS, add_members, grant_job, job_from_row, person_from_row, person_job, role_from_row,
    team_from_row,
};
use super::super::{Store, sql};
use crate::domain::{Directory, Job, OrgSettings, Person, PersonId, Role, RoleId, Team};
use crate::wire::OrgId;

/// A person as the admin API shows them: the domain's person, and whether a PIN
/// is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: Person,
    pub has_pin: bool,
}

/// Whether a PIN is set, read after [`PERSON_COLS`].
const HAS_PIN: &str = "CAST(CASE WHEN p.pin_verifier IS NULL THEN 0 ELSE 1 END AS BIGINT)";

fn record_from_row(row: &AnyRow) -> StoreResult<PersonRecord> {
    let has_pin: i64 = row.try_get(8).ctx("reading whether a PIN is set")?;
    Ok(PersonRecord {
        person: person_from_row(row)?,
        has_pin: has_pin != 0,
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
    for row in &rows {
        let (person, job) = person_job(row)?;
        grant_job(index.get(&person).map(|&i| &mut people[i].person), job);
    }
    Ok(())
}

impl Store {
    /// The organisation's people, by name; archived ones too unless `active_only`.
    pub async fn people_of(&self, org: OrgId, active_only: bool) -> StoreResult<Vec<PersonRecord>> {
        let org_s = org.to_string();
        let mut conn = self.read.acquire().await.ctx("connecting to read people")?;
        let filter = if active_only {
            " AND p.archived = 0"
        } else {
            ""
        };
        let query = format!(
            "SELECT {PERSON_COLS}, {HAS_PIN} FROM people p WHERE p.org_id = $1{filter} \
             ORDER BY p.name, p.id"
        );
        let rows = sqlx::query(&query)
            .bind(&org_s)
            .fetch_all(&mut *conn)
            .await
            .ctx("reading people")?;
        let mut people = rows
            .iter()
            .map(record_from_row)
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
        let query = format!(
            "SELECT {PERSON_COLS}, {HAS_PIN} FROM people p WHERE p.org_id = $1 AND p.id = $2"
        );
        let row = sqlx::query(&query)
            .bind(&org_s)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await
            .ctx("reading a person")?;
        let Some(row) = row else { return Ok(None) };
        let mut people = vec![record_from_row(&row)?];
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
        let mut teams = rows
            .iter()
            .map(team_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let members = sqlx::query(
            "SELECT team_id, person_id FROM team_members WHERE org_id = $1 \
             ORDER BY team_id, position",
        )
        .bind(&org_s)
        .fetch_all(&mut *conn)
        .await
        .ctx("reading team members")?;
        add_members(&mut teams, &members)?;
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
        rows.iter().map(job_from_row).collect()
    }

    /// The organisation's settings as the domain reads them.
    pub async fn settings_of(&self, org: OrgId) -> StoreResult<OrgSettings> {
        let row = sqlx::query("SELECT date_lock, utc_offset_secs FROM orgs WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(&self.read)
            .await
            .ctx("reading an organisation's settings")?
            .ok_or(StoreError::NotFound("organisation"))?;
        settings_from_row(&row, 0)
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
