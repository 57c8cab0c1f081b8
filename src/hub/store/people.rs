//! The organisation's roles, people, teams and jobs: the minimal writes that
//! enrollment, rosters and ingest depend on, the membership checks of ingest, and
//! the one place their rows are written and read back ([`insert_person`],
//! [`person_from_row`], ...), which the admin operations and rosters share. The
//! admin operations (rights and rank checks, audit) build on these; each write
//! bumps the organisation's version, since rosters show what it changes.

use chrono::Utc;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

use super::changes::{Touched, bump_version};
use super::error::{DbContext, StoreError, StoreResult};
use super::{Store, roster_cols, sql};
use crate::domain::{Job, JobAccess, JobId, Person, PersonId, Role, Team, TeamId, TrackingMode};
use crate::wire::OrgId;

/// What ingest needs to know about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonFacts {
    pub mode: TrackingMode,
    pub archived: bool,
}

/// The columns [`person_from_row`] reads first, for a query naming `people` as `p`.
pub(crate) const PERSON_COLS: &str =
    "p.id, p.name, p.badge, p.mode, p.team_id, p.role_id, p.archived, p.all_jobs";

/// A person from a row starting with [`PERSON_COLS`]. Without every job, their
/// access is empty until their `person_jobs` rows are added ([`grant_job`]).
pub(crate) fn person_from_row(row: &AnyRow) -> StoreResult<Person> {
    roster_cols::person(row)
}

/// A `person_jobs` row (`person_id, job_id`).
pub(crate) fn person_job(row: &AnyRow) -> StoreResult<(PersonId, JobId)> {
    roster_cols::person_job(row)
}

/// Adds `job` to the assigned jobs of `person`, if any (one with every job needs
/// nothing).
pub(crate) fn grant_job(person: Option<&mut Person>, job: JobId) {
    if let Some(Person {
        jobs: JobAccess::Only(jobs),
        ..
    }) = person
    {
        jobs.insert(job);
    }
}

/// A role from a row `id, name, rank, rights, fixed, preset`.
pub(crate) fn role_from_row(row: &AnyRow) -> StoreResult<Role> {
    roster_cols::role(row)
}

/// A team from a row `id, name, lead_id`, without its crew yet ([`add_members`]).
pub(crate) fn team_from_row(row: &AnyRow) -> StoreResult<Team> {
    roster_cols::team(row)
}

/// Appends the crew of `rows` (`team_id, person_id` of `team_members`, in
/// position order) to `teams`; rows of other teams are skipped.
pub(crate) fn add_members(teams: &mut [Team], rows: &[AnyRow]) -> StoreResult<()> {
    let index: HashMap<TeamId, usize> = teams.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    for row in rows {
        let (team, person) = roster_cols::member(row)?;
        if let Some(&i) = index.get(&team) {
            teams[i].members.push(person);
        }
    }
    Ok(())
}

/// A job from a row `id, name, archived`.
pub(crate) fn job_from_row(row: &AnyRow) -> StoreResult<Job> {
    roster_cols::job(row)
}

/// Inserts a role row.
pub(crate) async fn insert_role(
    conn: &mut AnyConnection,
    org: &str,
    role: &Role,
) -> StoreResult<()> {
    let preset = role
        .preset
        .as_ref()
        .map(|p| sql::name_of(p, "encoding a role's preset"))
        .transpose()?;
    sqlx::query(
        "INSERT INTO roles (id, org_id, name, rank, rights, fixed, preset) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(role.id.to_string())
    .bind(org)
    .bind(&role.name)
    .bind(i64::from(role.rank))
    .bind(sql::json(&role.rights, "encoding a role's rights")?)
    .bind(sql::flag(role.fixed))
    .bind(preset)
    .execute(&mut *conn)
    .await
    .ctx("adding a role")?;
    Ok(())
}

/// Inserts a person row and their assigned jobs (not their crew place).
pub(crate) async fn insert_person(
    conn: &mut AnyConnection,
    org: &str,
    person: &Person,
    pin_verifier: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO people (id, org_id, name, badge, mode, team_id, role_id, archived, \
         all_jobs, pin_verifier, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(person.id.to_string())
    .bind(org)
    .bind(&person.name)
    .bind(person.badge.clone())
    .bind(sql::name_of(&person.mode, "encoding a tracking mode")?)
    .bind(person.team.map(|t| t.to_string()))
    .bind(person.role.to_string())
    .bind(sql::flag(person.archived))
    .bind(sql::flag(matches!(person.jobs, JobAccess::All)))
    .bind(pin_verifier)
    .bind(sql::micros(Utc::now()))
    .execute(&mut *conn)
    .await
    .ctx("adding a person")?;
    insert_job_access(conn, org, person).await
}

/// Inserts the `person_jobs` rows of the person's assigned jobs (none with every
/// job).
pub(crate) async fn insert_job_access(
    conn: &mut AnyConnection,
    org: &str,
    person: &Person,
) -> StoreResult<()> {
    let JobAccess::Only(jobs) = &person.jobs else {
        return Ok(());
    };
    let id = person.id.to_string();
    for job in jobs {
        sqlx::query("INSERT INTO person_jobs (org_id, person_id, job_id) VALUES ($1, $2, $3)")
            .bind(org)
            .bind(&id)
            .bind(job.to_string())
            .execute(&mut *conn)
            .await
            .ctx("assigning a job to a person")?;
    }
    Ok(())
}

/// Inserts a job row.
pub(crate) async fn insert_job(conn: &mut AnyConnection, org: &str, job: &Job) -> StoreResult<()> {
    sqlx::query("INSERT INTO jobs (id, org_id, name, archived) VALUES ($1, $2, $3, $4)")
        .bind(job.id.to_string())
        .bind(org)
        .bind(&job.name)
        .bind(sql::flag(job.archived))
        .execute(&mut *conn)
        .await
        .ctx("adding a job")?;
    Ok(())
}

/// Inserts a team row (not its crew).
pub(crate) async fn insert_team(
    conn: &mut AnyConnection,
    org: &str,
    team: &Team,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO teams (id, org_id, name, lead_id) VALUES ($1, $2, $3, $4)")
        .bind(team.id.to_string())
        .bind(org)
        .bind(&team.name)
        .bind(team.lead.to_string())
        .execute(&mut *conn)
        .await
        .ctx("adding a team")?;
    Ok(())
}

impl Store {
    /// Adds a role to `org`.
    pub async fn add_role(&self, org: OrgId, role: &Role) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_role(&mut tx, &org.to_string(), role).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a new role")?;
        Ok(())
    }

    /// Adds a person to `org`, with their job access and PIN verifier.
    pub async fn add_person(
        &self,
        org: OrgId,
        person: &Person,
        pin_verifier: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_person(&mut tx, &org.to_string(), person, pin_verifier).await?;
        bump_version(&mut tx, self.backend, org, Touched::people(&[person.id])).await?;
        tx.commit().await.ctx("committing a new person")?;
        Ok(())
    }

    /// Adds a job to `org`.
    pub async fn add_job(&self, org: OrgId, job: &Job) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_job(&mut tx, &org.to_string(), job).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a new job")?;
        Ok(())
    }

    /// Adds a team to `org` with its crew; the lead and the crew must be people of
    /// `org` already.
    pub async fn add_team(&self, org: OrgId, team: &Team) -> StoreResult<()> {
        let org_s = org.to_string();
        let team_s = team.id.to_string();
        let mut tx = self.begin_write().await?;
        let lead_known = sqlx::query("SELECT 1 FROM people WHERE org_id = $1 AND id = $2")
            .bind(&org_s)
            .bind(team.lead.to_string())
            .fetch_optional(&mut *tx)
            .await
            .ctx("finding a team's lead")?;
        if lead_known.is_none() {
            return Err(StoreError::NotFound("team lead"));
        }
        insert_team(&mut tx, &org_s, team).await?;
        for (position, member) in team.members.iter().enumerate() {
            sqlx::query(
                "INSERT INTO team_members (org_id, team_id, person_id, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&org_s)
            .bind(&team_s)
            .bind(member.to_string())
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await
            .ctx("adding a team member")?;
        }
        bump_version(
            &mut tx,
            self.backend,
            org,
            Touched {
                people: &[],
                teams: &[team.id],
            },
        )
        .await?;
        tx.commit().await.ctx("committing a new team")?;
        Ok(())
    }

    /// Which of `ids` are people of `org` (archived or not), with what ingest
    /// needs to know of each. One query per 30,000 ids.
    pub async fn known_people(
        &self,
        org: OrgId,
        ids: &[PersonId],
    ) -> StoreResult<HashMap<PersonId, PersonFacts>> {
        let rows = self
            .rows_of_ids(
                org,
                ids,
                "checking people belong to the organisation",
                |o, l| {
                    format!(
                        "SELECT id, mode, archived FROM people WHERE org_id = {o} AND id IN ({l})"
                    )
                },
            )
            .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get(0).ctx("reading people.id")?;
            let mode: String = row.try_get(1).ctx("reading people.mode")?;
            let archived: i64 = row.try_get(2).ctx("reading people.archived")?;
            found.insert(
                PersonId(sql::uuid(&id, "reading people.id")?),
                PersonFacts {
                    mode: sql::from_name(&mode, "reading people.mode")?,
                    archived: archived != 0,
                },
            );
        }
        Ok(found)
    }

    /// Which of `ids` are jobs of `org` (archived or not).
    pub async fn known_jobs(&self, org: OrgId, ids: &[JobId]) -> StoreResult<Vec<JobId>> {
        let rows = self
            .rows_of_ids(
                org,
                ids,
                "checking jobs belong to the organisation",
                |o, l| format!("SELECT id FROM jobs WHERE org_id = {o} AND id IN ({l})"),
            )
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading jobs.id")?;
                Ok(JobId(sql::uuid(&id, "reading jobs.id")?))
            })
            .collect()
    }

    /// [`sql::fetch_in`] on a read connection; no query (nor connection) for no ids.
    async fn rows_of_ids(
        &self,
        org: OrgId,
        ids: &[impl ToString],
        context: &'static str,
        query: impl Fn(&str, &str) -> String,
    ) -> StoreResult<Vec<AnyRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut conn = self.read.acquire().await.ctx("opening a read connection")?;
        sql::fetch_in(
            &mut conn,
            self.backend,
            &org.to_string(),
            &texts,
            true,
            context,
            query,
        )
        .await
    }
}
