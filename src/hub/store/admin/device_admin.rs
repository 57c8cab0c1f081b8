//! Kiosk devices and their rosters, as the admin API changes them: add (with a
//! one-time enrollment code), list, rename, revoke, read and set a roster group.
//!
//! Guarantees: every change is one transaction with its audit row; only kiosks
//! (`devices.kind = 'kiosk'`) are listed or changed here, never the organisation's
//! hub pseudo-device (see `records`); enrollment codes are stored as SHA-256
//! hashes only; revoking keeps the device's row and every event it sent; a
//! roster change bumps the device's roster version in the same transaction, so
//! the kiosk's next roster download sees it (its ETag changes).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};

use super::super::devices::{insert_code, insert_kiosk};
use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::roster::{bump_roster_version, entry_from_row, write_entries};
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::DeviceId;
use crate::wire::admin_devices::{
    DeviceCreated, DeviceStatus, DeviceView, RosterEntryKind, RosterEntryView, RosterView,
};
use crate::wire::{OrgId, RosterEntry, RosterItem};

/// Replaces the entries of `group` in `current` with `items` (see
/// `crate::wire::admin_devices` for the rule): they take the place of the
/// group's first entry, or go at the end for a new group. Pure.
pub fn splice_group(
    current: &[RosterEntry],
    group: Option<&str>,
    items: &[RosterItem],
) -> Vec<RosterEntry> {
    let in_group = |e: &RosterEntry| e.group.as_deref() == group;
    let at = current.iter().position(in_group);
    let new = items.iter().map(|&item| RosterEntry {
        group: group.map(str::to_owned),
        item,
    });
    let mut out: Vec<RosterEntry> = Vec::with_capacity(current.len() + items.len());
    match at {
        Some(at) => {
            out.extend(current[..at].iter().cloned());
            out.extend(new);
            out.extend(current[at..].iter().filter(|e| !in_group(e)).cloned());
        }
        None => {
            out.extend(current.iter().cloned());
            out.extend(new);
        }
    }
    out
}

fn opt_instant(us: Option<i64>, context: &'static str) -> StoreResult<Option<DateTime<Utc>>> {
    us.map(|us| sql::instant(us, context)).transpose()
}

/// The name of a kiosk of `org` (archived or revoked too); `NotFound` otherwise.
async fn kiosk_name(conn: &mut AnyConnection, org: &str, device: DeviceId) -> StoreResult<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT name FROM devices WHERE org_id = $1 AND id = $2 AND kind = 'kiosk'",
    )
    .bind(org)
    .bind(device.to_string())
    .fetch_optional(&mut *conn)
    .await
    .ctx("finding a device")?
    .ok_or(StoreError::NotFound("device"))
}

async fn roster_rows(
    conn: &mut AnyConnection,
    org: &str,
    device: DeviceId,
) -> StoreResult<Vec<(RosterEntry, String, bool)>> {
    let rows = sqlx::query(
        "SELECT r.group_name, r.person_id, r.team_id, p.name, p.archived, t.name \
         FROM roster_entries r \
         LEFT JOIN people p ON p.org_id = r.org_id AND p.id = r.person_id \
         LEFT JOIN teams t ON t.org_id = r.org_id AND t.id = r.team_id \
         WHERE r.org_id = $1 AND r.device_id = $2 ORDER BY r.position",
    )
    .bind(org)
    .bind(device.to_string())
    .fetch_all(&mut *conn)
    .await
    .ctx("reading a device's roster")?;
    rows.iter()
        .map(|row| {
            let entry = entry_from_row(row)?;
            let person_name: Option<String> = row.try_get(3).ctx("reading people.name")?;
            let archived: Option<i64> = row.try_get(4).ctx("reading people.archived")?;
            let team_name: Option<String> = row.try_get(5).ctx("reading teams.name")?;
            let name = match entry.item {
                RosterItem::Person(_) => person_name,
                RosterItem::Team(_) => team_name,
            };
            Ok((entry, name.unwrap_or_default(), archived == Some(1)))
        })
        .collect()
}

impl Store {
    /// Adds kiosk `id` with a one-time enrollment code valid for `valid_for`.
    pub async fn add_kiosk(
        &self,
        org: OrgId,
        id: DeviceId,
        name: &str,
        valid_for: Duration,
        entry: &AuditEntry,
    ) -> StoreResult<DeviceCreated> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        insert_kiosk(&mut tx, org, id, name, now).await?;
        let (code, expires_at) = insert_code(&mut tx, org, id, now, valid_for).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        tx.commit().await.ctx("committing a new device")?;
        Ok(DeviceCreated {
            id,
            name: name.to_owned(),
            enrollment_code: code,
            expires_at,
        })
    }

    /// The organisation's kiosks, by name.
    pub async fn kiosks_of(&self, org: OrgId) -> StoreResult<Vec<DeviceView>> {
        self.kiosk_views(org, None).await
    }

    /// One kiosk of the organisation.
    pub async fn kiosk_of(&self, org: OrgId, device: DeviceId) -> StoreResult<Option<DeviceView>> {
        Ok(self.kiosk_views(org, Some(device)).await?.pop())
    }

    async fn kiosk_views(
        &self,
        org: OrgId,
        only: Option<DeviceId>,
    ) -> StoreResult<Vec<DeviceView>> {
        let base = "SELECT d.id, d.name, d.revoked, d.created_at, d.enrolled_at, d.last_seen, \
             (SELECT MAX(c.expires_at) FROM enrollment_codes c \
                WHERE c.org_id = d.org_id AND c.device_id = d.id AND c.used_at IS NULL), \
             (SELECT COUNT(*) FROM roster_entries r \
                WHERE r.org_id = d.org_id AND r.device_id = d.id) \
             FROM devices d WHERE d.org_id = $1 AND d.kind = 'kiosk'";
        let rows = match only {
            Some(device) => {
                sqlx::query(&format!("{base} AND d.id = $2"))
                    .bind(org.to_string())
                    .bind(device.to_string())
                    .fetch_all(&self.read)
                    .await
            }
            None => {
                sqlx::query(&format!("{base} ORDER BY d.name, d.id"))
                    .bind(org.to_string())
                    .fetch_all(&self.read)
                    .await
            }
        }
        .ctx("reading devices")?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading devices.id")?;
                let revoked: i64 = row.try_get(2).ctx("reading devices.revoked")?;
                let created_at: i64 = row.try_get(3).ctx("reading devices.created_at")?;
                let enrolled_at: Option<i64> = row.try_get(4).ctx("reading devices.enrolled_at")?;
                let last_seen: Option<i64> = row.try_get(5).ctx("reading devices.last_seen")?;
                let code: Option<i64> = row.try_get(6).ctx("reading a code's expiry")?;
                let entries: i64 = row.try_get(7).ctx("counting roster entries")?;
                let status = match (revoked != 0, enrolled_at.is_some()) {
                    (true, _) => DeviceStatus::Revoked,
                    (false, true) => DeviceStatus::Enrolled,
                    (false, false) => DeviceStatus::Pending,
                };
                Ok(DeviceView {
                    id: DeviceId(sql::uuid(&id, "reading devices.id")?),
                    name: row.try_get(1).ctx("reading devices.name")?,
                    status,
                    created_at: sql::instant(created_at, "reading devices.created_at")?,
                    enrolled_at: opt_instant(enrolled_at, "reading devices.enrolled_at")?,
                    last_seen: opt_instant(last_seen, "reading devices.last_seen")?,
                    code_expires_at: opt_instant(code, "reading a code's expiry")?,
                    roster_entries: u64::try_from(entries).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The name of every device of the organisation (the hub device too), by id.
    pub async fn device_names(&self, org: OrgId) -> StoreResult<HashMap<DeviceId, String>> {
        let rows = sqlx::query("SELECT id, name FROM devices WHERE org_id = $1")
            .bind(org.to_string())
            .fetch_all(&self.read)
            .await
            .ctx("reading device names")?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading devices.id")?;
                Ok((
                    DeviceId(sql::uuid(&id, "reading devices.id")?),
                    row.try_get(1).ctx("reading devices.name")?,
                ))
            })
            .collect()
    }

    /// Renames a kiosk.
    pub async fn rename_kiosk(
        &self,
        org: OrgId,
        device: DeviceId,
        name: &str,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE devices SET name = $1 WHERE org_id = $2 AND id = $3 AND kind = 'kiosk'",
        )
        .bind(name)
        .bind(org.to_string())
        .bind(device.to_string())
        .execute(&mut *tx)
        .await
        .ctx("renaming a device")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("device"));
        }
        audit::write(&mut tx, Some(org), entry).await?;
        tx.commit().await.ctx("committing a device's name")?;
        Ok(())
    }

    /// Revokes a kiosk: its token and any unused code stop working; its events
    /// stay. Returns false (and writes nothing) when it was revoked already.
    pub async fn revoke_kiosk(
        &self,
        org: OrgId,
        device: DeviceId,
        entry: &AuditEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let revoked = sqlx::query_scalar::<_, i64>(
            "SELECT revoked FROM devices WHERE org_id = $1 AND id = $2 AND kind = 'kiosk'",
        )
        .bind(org.to_string())
        .bind(device.to_string())
        .fetch_optional(&mut *tx)
        .await
        .ctx("finding a device")?
        .ok_or(StoreError::NotFound("device"))?;
        if revoked != 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE devices SET revoked = 1 WHERE org_id = $1 AND id = $2")
            .bind(org.to_string())
            .bind(device.to_string())
            .execute(&mut *tx)
            .await
            .ctx("revoking a device")?;
        audit::write(&mut tx, Some(org), entry).await?;
        tx.commit().await.ctx("committing a revocation")?;
        Ok(true)
    }

    /// A kiosk's roster, in order, with the names of its people and teams.
    pub async fn kiosk_roster(&self, org: OrgId, device: DeviceId) -> StoreResult<RosterView> {
        let org_s = org.to_string();
        let mut conn = self
            .read
            .acquire()
            .await
            .ctx("connecting to read a roster")?;
        let name = kiosk_name(&mut conn, &org_s, device).await?;
        let entries = roster_rows(&mut conn, &org_s, device).await?;
        Ok(roster_view(device, name, entries))
    }

    /// Replaces the entries of one group of a kiosk's roster (see
    /// [`splice_group`]); every item must be of `org` (the caller resolved them).
    /// Returns the roster as it now is.
    pub async fn set_roster_group(
        &self,
        org: OrgId,
        device: DeviceId,
        group: Option<&str>,
        items: &[RosterItem],
        entry: &AuditEntry,
    ) -> StoreResult<RosterView> {
        let org_s = org.to_string();
        let mut tx = self.begin_write().await?;
        let name = kiosk_name(&mut tx, &org_s, device).await?;
        let current: Vec<RosterEntry> = roster_rows(&mut tx, &org_s, device)
            .await?
            .into_iter()
            .map(|(e, _, _)| e)
            .collect();
        let next = splice_group(&current, group, items);
        write_entries(&mut tx, self.backend, &org_s, device, &next).await?;
        bump_roster_version(&mut tx, &org_s, device).await?;
        audit::write(&mut tx, Some(org), entry).await?;
        let entries = roster_rows(&mut tx, &org_s, device).await?;
        tx.commit().await.ctx("committing a device's roster")?;
        Ok(roster_view(device, name, entries))
    }
}

fn roster_view(
    device: DeviceId,
    name: String,
    rows: Vec<(RosterEntry, String, bool)>,
) -> RosterView {
    RosterView {
        id: device,
        name,
        entries: rows
            .into_iter()
            .map(|(entry, name, archived)| {
                let (id, kind) = match entry.item {
                    RosterItem::Person(p) => (p.0, RosterEntryKind::Person),
                    RosterItem::Team(t) => (t.0, RosterEntryKind::Team),
                };
                RosterEntryView {
                    id,
                    kind,
                    name,
                    group: entry.group,
                    archived,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonId;
    use uuid::Uuid;

    fn p(n: u128) -> RosterItem {
        RosterItem::Person(PersonId(Uuid::from_u128(n)))
    }

    fn e(group: Option<&str>, item: RosterItem) -> RosterEntry {
        RosterEntry {
            group: group.map(str::to_owned),
            item,
        }
    }

    #[test]
    fn setting_a_group_replaces_only_that_group_in_its_place() {
        let current = vec![
            e(None, p(1)),
            e(Some("Shop"), p(2)),
            e(Some("Office"), p(3)),
            e(Some("Shop"), p(4)),
        ];
        let next = splice_group(&current, Some("Shop"), &[p(5), p(6)]);
        assert_eq!(
            next,
            vec![
                e(None, p(1)),
                e(Some("Shop"), p(5)),
                e(Some("Shop"), p(6)),
                e(Some("Office"), p(3)),
            ]
        );
    }

    #[test]
    fn a_new_group_goes_last_and_an_empty_one_disappears() {
        let current = vec![e(None, p(1)), e(Some("Shop"), p(2))];
        let added = splice_group(&current, Some("Yard"), &[p(3)]);
        assert_eq!(added.last(), Some(&e(Some("Yard"), p(3))));
        assert_eq!(added.len(), 3);
        let removed = splice_group(&current, Some("Shop"), &[]);
        assert_eq!(removed, vec![e(None, p(1))]);
        let ungrouped = splice_group(&current, None, &[p(9)]);
        assert_eq!(ungrouped, vec![e(None, p(9)), e(Some("Shop"), p(2))]);
    }
}
