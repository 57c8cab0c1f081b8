//! Organisation settings the admin API changes: the date lock.
//!
//! Guarantees: the lock is stored as `YYYY-MM-DD` (or NULL, no lock) with its
//! audit row, and bumps the organisation's version (rosters carry the settings).

use chrono::NaiveDate;

use super::super::Store;
use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::audit::{self, AuditEntry};
use crate::wire::OrgId;

impl Store {
    /// Sets (or with `None` lifts) the date lock: entries dated before `date`
    /// need `override_date_lock`.
    pub async fn set_date_lock(
        &self,
        org: OrgId,
        date: Option<NaiveDate>,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE orgs SET date_lock = $1 WHERE id = $2")
            .bind(date.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(org.to_string())
            .execute(&mut *tx)
            .await
            .ctx("setting the date lock")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("organisation"));
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing the date lock")?;
        Ok(())
    }
}
