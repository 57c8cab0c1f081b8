//! A kiosk's roster as the kiosk itself changes it (its Admin screen, through
//! `POST /api/v1/device/roster/changes`): read the entries, replace them all.
//!
//! Guarantees: the replacement, the roster version bump (so the kiosk's next
//! download sees a new ETag) and the audit row naming the acting person are one
//! transaction. Who may do it is checked by the handler, through the domain.

use super::super::Store;
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::roster::{bump_roster_version, entry_from_row, write_entries};
use super::audit::{self, AuditEntry};
use crate::domain::DeviceId;
use crate::wire::{OrgId, RosterEntry};

impl Store {
    /// The entries of `device`'s roster, in order.
    pub async fn roster_entries(
        &self,
        org: OrgId,
        device: DeviceId,
    ) -> StoreResult<Vec<RosterEntry>> {
        let mut conn = self
            .read
            .acquire()
            .await
            .ctx("connecting to read a roster")?;
        let rows = sqlx::query(
            "SELECT group_name, person_id, team_id FROM roster_entries \
             WHERE org_id = $1 AND device_id = $2 ORDER BY position",
        )
        .bind(org.to_string())
        .bind(device.to_string())
        .fetch_all(&mut *conn)
        .await
        .ctx("reading a device's roster entries")?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Replaces the whole roster of `device` with `entries` (every item of `org`:
    /// the caller checked), with its audit row.
    pub async fn replace_roster(
        &self,
        org: OrgId,
        device: DeviceId,
        entries: &[RosterEntry],
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        if !bump_roster_version(&mut tx, &org_s, device).await? {
            return Err(StoreError::NotFound("device"));
        }
        write_entries(&mut tx, self.backend, &org_s, device, entries).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        tx.commit()
            .await
            .ctx("committing a device's roster change")?;
        Ok(())
    }
}
