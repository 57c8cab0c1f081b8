//! The organisation's roles, people, teams and jobs: the minimal writes that
//! enrollment, rosters and ingest depend on, and the membership checks of ingest.
//! The admin operations (rights and rank checks, audit) build on these; each write
//! bumps the organisation's version, since rosters show what it changes.

use chrono::Utc;
use sqlx::Row;
use std::collections::HashMap;

use super::error::{DbContext, StoreResult};
use super::orgs::bump_version;
use super::{Store, sql};
use crate::domain::{Job, JobAccess, JobId, Person, PersonId, Role, Team, TrackingMode};
use crate::wire::OrgId;

/// What ingest needs to know about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonFacts {
    pub mode: TrackingMode,
    pub archived: bool,
}

impl Store {
    /// Adds a role to `org`.
    pub async fn add_role(&self, org: OrgId, role: &Role) -> StoreResult<()> {
        let preset = match &role.preset {
            Some(p) => Some(sql::name_of(p, "encoding a role's preset")?),
            None => None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO roles (id, org_id, name, rank, rights, fixed, preset) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(role.id.to_string())
        .bind(org.to_string())
        .bind(&role.name)
        .bind(i64::from(role.rank))
        .bind(sql::json(&role.rights, "encoding a role's rights")?)
        .bind(sql::flag(role.fixed))
        .bind(preset)
        .execute(&mut *tx)
        .await
        .ctx("adding a role")?;
        bump_version(&mut tx, org).await?;
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
        let org_s = org.to_string();
        let person_s = person.id.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO people (id, org_id, name, badge, mode, team_id, role_id, archived, \
             all_jobs, pin_verifier, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&person_s)
        .bind(&org_s)
        .bind(&person.name)
        .bind(person.badge.clone())
        .bind(sql::name_of(&person.mode, "encoding a tracking mode")?)
        .bind(person.team.map(|t| t.to_string()))
        .bind(person.role.to_string())
        .bind(sql::flag(person.archived))
        .bind(sql::flag(matches!(person.jobs, JobAccess::All)))
        .bind(pin_verifier)
        .bind(sql::micros(Utc::now()))
        .execute(&mut *tx)
        .await
        .ctx("adding a person")?;
        if let JobAccess::Only(jobs) = &person.jobs {
            for job in jobs {
                sqlx::query(
                    "INSERT INTO person_jobs (org_id, person_id, job_id) VALUES ($1, $2, $3)",
                )
                .bind(&org_s)
                .bind(&person_s)
                .bind(job.to_string())
                .execute(&mut *tx)
                .await
                .ctx("assigning a job to a person")?;
            }
        }
        bump_version(&mut tx, org).await?;
        tx.commit().await.ctx("committing a new person")?;
        Ok(())
    }

    /// Adds a job to `org`.
    pub async fn add_job(&self, org: OrgId, job: &Job) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO jobs (id, org_id, name, archived) VALUES ($1, $2, $3, $4)")
            .bind(job.id.to_string())
            .bind(org.to_string())
            .bind(&job.name)
            .bind(sql::flag(job.archived))
            .execute(&mut *tx)
            .await
            .ctx("adding a job")?;
        bump_version(&mut tx, org).await?;
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
            return Err(super::StoreError::NotFound("team lead"));
        }
        sqlx::query("INSERT INTO teams (id, org_id, name, lead_id) VALUES ($1, $2, $3, $4)")
            .bind(&team_s)
            .bind(&org_s)
            .bind(&team.name)
            .bind(team.lead.to_string())
            .execute(&mut *tx)
            .await
            .ctx("adding a team")?;
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
        bump_version(&mut tx, org).await?;
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
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(sql::MAX_BINDS - 1) {
            let mut p = sql::Params::new(self.backend);
            let query = format!(
                "SELECT id, mode, archived FROM people WHERE org_id = {} AND id IN ({})",
                p.one(),
                p.list(chunk.len())
            );
            let mut q = sqlx::query(&query).bind(org.to_string());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q
                .fetch_all(&self.read)
                .await
                .ctx("checking people belong to the organisation")?
            {
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
        }
        Ok(found)
    }

    /// Which of `ids` are jobs of `org` (archived or not).
    pub async fn known_jobs(&self, org: OrgId, ids: &[JobId]) -> StoreResult<Vec<JobId>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(sql::MAX_BINDS - 1) {
            let mut p = sql::Params::new(self.backend);
            let query = format!(
                "SELECT id FROM jobs WHERE org_id = {} AND id IN ({})",
                p.one(),
                p.list(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&query).bind(org.to_string());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for text in q
                .fetch_all(&self.read)
                .await
                .ctx("checking jobs belong to the organisation")?
            {
                found.push(JobId(sql::uuid(&text, "reading jobs.id")?));
            }
        }
        Ok(found)
    }
}
