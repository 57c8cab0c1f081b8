//! Adding, renaming, archiving and assigning jobs.
//!
//! Guarantees: an archived job keeps its rows and every past check-in to it (it
//! only leaves rosters); assigning adds the job to the named people's access
//! without touching their other jobs, and says whose access changed; each change
//! bumps the organisation's version.

use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::people::insert_job;
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::{Job, JobId, PersonId};
use crate::wire::OrgId;

impl Store {
    /// Adds a job.
    pub async fn create_job(&self, org: OrgId, job: &Job, entry: &AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_job(&mut tx, &org.to_string(), job).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a new job")?;
        Ok(())
    }

    /// Writes a job's name and archived flag.
    pub async fn update_job(&self, org: OrgId, job: &Job, entry: &AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE jobs SET name = $1, archived = $2 WHERE org_id = $3 AND id = $4")
                .bind(&job.name)
                .bind(sql::flag(job.archived))
                .bind(org.to_string())
                .bind(job.id.to_string())
                .execute(&mut *tx)
                .await
                .ctx("changing a job")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("job"));
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a job's change")?;
        Ok(())
    }

    /// Gives `job` to `people` (those with every job need nothing). Returns the
    /// people whose access changed.
    pub async fn assign_job(
        &self,
        org: OrgId,
        job: JobId,
        people: &[PersonId],
        entry: &AuditEntry,
    ) -> StoreResult<Vec<PersonId>> {
        let org_s = org.to_string();
        let job_s = job.to_string();
        let mut tx = self.begin_write().await?;
        let mut changed = Vec::new();
        for person in people {
            let done = sqlx::query(
                "INSERT INTO person_jobs (org_id, person_id, job_id) \
                 SELECT org_id, id, $1 FROM people \
                 WHERE org_id = $2 AND id = $3 AND all_jobs = 0 \
                 ON CONFLICT (org_id, person_id, job_id) DO NOTHING",
            )
            .bind(&job_s)
            .bind(&org_s)
            .bind(person.to_string())
            .execute(&mut *tx)
            .await
            .ctx("assigning a job")?;
            if done.rows_affected() > 0 {
                changed.push(*person);
            }
        }
        let mut entry = entry.clone();
        if let serde_json::Value::Object(map) = &mut entry.detail {
            map.insert("changed".into(), serde_json::json!(changed));
        }
        audit::write(&mut tx, Some(org), &entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::people(&changed)).await?;
        tx.commit().await.ctx("committing a job's assignment")?;
        Ok(changed)
    }
}
