//! Which rosters to build when the hub starts (see `crate::hub::roster_cache::warm`).

use sqlx::Row;

use super::error::{DbContext, StoreResult};
use super::{Store, sql};
use crate::domain::DeviceId;
use crate::wire::OrgId;

impl Store {
    /// Every enrolled kiosk that is not revoked, of every organisation, the most
    /// recently seen first. Carries no data of any organisation beyond the ids.
    pub async fn kiosks_to_warm(&self) -> StoreResult<Vec<(OrgId, DeviceId)>> {
        let rows = sqlx::query(
            "SELECT org_id, id FROM devices WHERE kind = 'kiosk' AND revoked = 0 \
             AND token_hash IS NOT NULL ORDER BY COALESCE(last_seen, 0) DESC, id",
        )
        .fetch_all(&self.read)
        .await
        .ctx("listing the kiosks to warm")?;
        rows.iter()
            .map(|row| {
                let org: String = row.try_get(0).ctx("reading devices.org_id")?;
                let id: String = row.try_get(1).ctx("reading devices.id")?;
                Ok((
                    OrgId(sql::uuid(&org, "reading devices.org_id")?),
                    DeviceId(sql::uuid(&id, "reading devices.id")?),
                ))
            })
            .collect()
    }
}
