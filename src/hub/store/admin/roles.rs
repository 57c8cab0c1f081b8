//! Adding, changing and removing roles.
//!
//! Guarantees: a role's rights are stored as the domain's `RightSet` JSON; a role
//! still given to someone is not removed (the database's foreign key refuses it
//! even if a caller forgot to ask `may_remove_role`); each change bumps the
//! organisation's version (rosters carry roles).

use super::super::changes::{Touched, bump_version};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::people::insert_role;
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::{Role, RoleId};
use crate::wire::OrgId;

impl Store {
    /// Adds a role.
    pub async fn create_role(
        &self,
        org: OrgId,
        role: &Role,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_role(&mut tx, &org.to_string(), role).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a new role")?;
        Ok(())
    }

    /// Writes a role's name, rank and rights.
    pub async fn update_role(
        &self,
        org: OrgId,
        role: &Role,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE roles SET name = $1, rank = $2, rights = $3 WHERE org_id = $4 AND id = $5",
        )
        .bind(&role.name)
        .bind(i64::from(role.rank))
        .bind(sql::json(&role.rights, "encoding a role's rights")?)
        .bind(org.to_string())
        .bind(role.id.to_string())
        .execute(&mut *tx)
        .await
        .ctx("changing a role")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("role"));
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a role's change")?;
        Ok(())
    }

    /// Removes a role nobody has.
    pub async fn remove_role(
        &self,
        org: OrgId,
        role: RoleId,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM roles WHERE org_id = $1 AND id = $2")
            .bind(org.to_string())
            .bind(role.to_string())
            .execute(&mut *tx)
            .await
            .ctx("removing a role")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("role"));
        }
        audit::write(&mut tx, Some(org), entry).await?;
        bump_version(&mut tx, self.backend, org, Touched::NOTHING).await?;
        tx.commit().await.ctx("committing a role's removal")?;
        Ok(())
    }
}
