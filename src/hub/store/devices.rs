//! Devices: creation with a one-time enrollment code, enrollment (code → token),
//! token authentication and revocation.
//!
//! Guarantees: codes and tokens are stored only as SHA-256 hashes; a code works once
//! and only before it expires; a revoked device never authenticates again, and its
//! events stay.

use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};
use thiserror::Error;

use super::error::{DbContext, StoreError, StoreResult};
use super::{Store, sql};
use crate::domain::DeviceId;
use crate::hub::secret;
use crate::wire::OrgId;

/// A device just created, with the code that enrolls it (shown once).
#[derive(Clone)]
pub struct NewDevice {
    pub id: DeviceId,
    pub name: String,
    pub enrollment_code: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDevice")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("enrollment_code", &"<secret>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A device that has just enrolled: what it needs to talk to the hub.
#[derive(Clone)]
pub struct Enrolled {
    pub device_id: DeviceId,
    pub org_id: OrgId,
    pub device_name: String,
    pub device_token: String,
    pub pin_pepper: String,
}

/// Why an enrollment was refused.
#[derive(Debug, Error)]
pub enum EnrollError {
    #[error("unknown enrollment code: check it, or ask an admin for a new one")]
    Unknown,
    #[error("this enrollment code has already been used: ask an admin for a new one")]
    Used,
    #[error("this enrollment code has expired: ask an admin for a new one")]
    Expired,
    #[error("this device has been revoked: ask an admin to add a new device")]
    Revoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The device a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthedDevice {
    pub id: DeviceId,
    pub org: OrgId,
    pub name: String,
    pub revoked: bool,
}

impl Store {
    /// Adds a device to `org` with a one-time enrollment code valid for `valid_for`.
    pub async fn create_device(
        &self,
        org: OrgId,
        name: &str,
        valid_for: Duration,
    ) -> StoreResult<NewDevice> {
        let id = DeviceId::new();
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        insert_kiosk(&mut tx, org, id, name, now).await?;
        let (enrollment_code, expires_at) = insert_code(&mut tx, org, id, now, valid_for).await?;
        tx.commit().await.ctx("committing a new device")?;
        Ok(NewDevice {
            id,
            name: name.to_owned(),
            enrollment_code,
            expires_at,
        })
    }

    /// A new one-time code for an existing device (re-enrollment: replaced
    /// hardware, lost token). Enrolling with it replaces the device's token.
    pub async fn new_enrollment_code(
        &self,
        org: OrgId,
        device: DeviceId,
        valid_for: Duration,
    ) -> StoreResult<(String, DateTime<Utc>)> {
        let mut tx = self.begin_write().await?;
        let found = sqlx::query("SELECT 1 FROM devices WHERE org_id = $1 AND id = $2")
            .bind(org.to_string())
            .bind(device.to_string())
            .fetch_optional(&mut *tx)
            .await
            .ctx("finding a device")?;
        if found.is_none() {
            return Err(StoreError::NotFound("device"));
        }
        let out = insert_code(&mut tx, org, device, Utc::now(), valid_for).await?;
        tx.commit().await.ctx("committing an enrollment code")?;
        Ok(out)
    }

    /// Trades a normalised enrollment code for a device token, once. `name`, when
    /// given, renames the device.
    pub async fn enroll(
        &self,
        code: &str,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Enrolled, EnrollError> {
        let code_hash = secret::hash(code);
        let mut tx = self.begin_write().await?;
        // No org filter: the code's hash is what names the organisation.
        let row = sqlx::query(
            "SELECT c.org_id, c.device_id, c.expires_at, c.used_at, d.name, d.revoked, o.pin_pepper \
             FROM enrollment_codes c \
             JOIN devices d ON d.org_id = c.org_id AND d.id = c.device_id \
             JOIN orgs o ON o.id = c.org_id \
             WHERE c.code_hash = $1",
        )
        .bind(&code_hash)
        .fetch_optional(&mut *tx)
        .await
        .ctx("looking up an enrollment code")?
        .ok_or(EnrollError::Unknown)?;
        let org_text: String = row.try_get(0).ctx("reading enrollment_codes.org_id")?;
        let device_text: String = row.try_get(1).ctx("reading enrollment_codes.device_id")?;
        let expires_at: i64 = row.try_get(2).ctx("reading enrollment_codes.expires_at")?;
        let used_at: Option<i64> = row.try_get(3).ctx("reading enrollment_codes.used_at")?;
        let old_name: String = row.try_get(4).ctx("reading devices.name")?;
        let revoked: i64 = row.try_get(5).ctx("reading devices.revoked")?;
        let pin_pepper: String = row.try_get(6).ctx("reading orgs.pin_pepper")?;
        if used_at.is_some() {
            return Err(EnrollError::Used);
        }
        if revoked != 0 {
            return Err(EnrollError::Revoked);
        }
        if expires_at <= sql::micros(now) {
            return Err(EnrollError::Expired);
        }
        let device_token = secret::new_token();
        let device_name = name.map(str::to_owned).unwrap_or(old_name);
        sqlx::query(
            "UPDATE enrollment_codes SET used_at = $1 WHERE org_id = $2 AND code_hash = $3",
        )
        .bind(sql::micros(now))
        .bind(&org_text)
        .bind(&code_hash)
        .execute(&mut *tx)
        .await
        .ctx("using up an enrollment code")?;
        sqlx::query(
            "UPDATE devices SET token_hash = $1, enrolled_at = $2, name = $3 \
             WHERE org_id = $4 AND id = $5",
        )
        .bind(secret::hash(&device_token))
        .bind(sql::micros(now))
        .bind(&device_name)
        .bind(&org_text)
        .bind(&device_text)
        .execute(&mut *tx)
        .await
        .ctx("storing a device's token")?;
        tx.commit().await.ctx("committing an enrollment")?;
        Ok(Enrolled {
            device_id: DeviceId(sql::uuid(
                &device_text,
                "reading enrollment_codes.device_id",
            )?),
            org_id: OrgId(sql::uuid(&org_text, "reading enrollment_codes.org_id")?),
            device_name,
            device_token,
            pin_pepper,
        })
    }

    /// The device a bearer token belongs to, revoked or not; `None` for an unknown
    /// token. One indexed lookup by the token's hash.
    pub async fn device_by_token(&self, token: &str) -> StoreResult<Option<AuthedDevice>> {
        // No org filter: the token's hash is what names the organisation.
        let row =
            sqlx::query("SELECT id, org_id, name, revoked FROM devices WHERE token_hash = $1")
                .bind(secret::hash(token))
                .fetch_optional(&self.read)
                .await
                .ctx("authenticating a device")?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0).ctx("reading devices.id")?;
        let org: String = row.try_get(1).ctx("reading devices.org_id")?;
        let revoked: i64 = row.try_get(3).ctx("reading devices.revoked")?;
        Ok(Some(AuthedDevice {
            id: DeviceId(sql::uuid(&id, "reading devices.id")?),
            org: OrgId(sql::uuid(&org, "reading devices.org_id")?),
            name: row.try_get(2).ctx("reading devices.name")?,
            revoked: revoked != 0,
        }))
    }

    /// Revokes a device: every later call with its token is refused. Its events stay.
    pub async fn revoke_device(&self, org: OrgId, device: DeviceId) -> StoreResult<()> {
        let done = sqlx::query("UPDATE devices SET revoked = 1 WHERE org_id = $1 AND id = $2")
            .bind(org.to_string())
            .bind(device.to_string())
            .execute(&self.write)
            .await
            .ctx("revoking a device")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("device"));
        }
        Ok(())
    }

    /// Records that the device was heard from.
    pub async fn touch_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE devices SET last_seen = $1 WHERE org_id = $2 AND id = $3")
            .bind(sql::micros(now))
            .bind(org.to_string())
            .bind(device.to_string())
            .execute(&self.write)
            .await
            .ctx("recording when a device was seen")?;
        Ok(())
    }
}

/// Inserts kiosk `id`, not enrolled yet, at roster version 1.
pub(crate) async fn insert_kiosk(
    conn: &mut AnyConnection,
    org: OrgId,
    id: DeviceId,
    name: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO devices (id, org_id, name, kind, created_at, roster_version) \
         VALUES ($1, $2, $3, 'kiosk', $4, 1)",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(name)
    .bind(sql::micros(now))
    .execute(&mut *conn)
    .await
    .ctx("adding a device")?;
    Ok(())
}

/// Stores a new one-time enrollment code for `device`, valid for `valid_for`
/// from `now`; the code (shown once) and when it expires.
pub(crate) async fn insert_code(
    conn: &mut AnyConnection,
    org: OrgId,
    device: DeviceId,
    now: DateTime<Utc>,
    valid_for: Duration,
) -> StoreResult<(String, DateTime<Utc>)> {
    let code = secret::new_enrollment_code();
    let normalized = secret::normalize_code(&code).ok_or(StoreError::Corrupt {
        context: "making an enrollment code",
        detail: "generated code does not normalise".to_owned(),
    })?;
    let expires_at = now + valid_for;
    sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, org_id, device_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secret::hash(&normalized))
    .bind(org.to_string())
    .bind(device.to_string())
    .bind(sql::micros(now))
    .bind(sql::micros(expires_at))
    .execute(&mut *conn)
    .await
    .ctx("storing an enrollment code")?;
    Ok((code, expires_at))
}
