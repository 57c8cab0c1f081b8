//! Organisations: creation, reading, and the version counter that tags every
//! roster a device may download.

use chrono::{NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::error::{DbContext, StoreError, StoreResult};
use super::{Store, sql};
use crate::domain::OrgSettings;
use crate::hub::secret;
use crate::wire::OrgId;

/// An organisation as the hub holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    /// Secret, 32 random bytes in hex: keys every PIN verifier of the organisation.
    pub pin_pepper: String,
    /// Bumped on every change a roster shows.
    pub version: i64,
    /// `YYYY-MM-DD`: entries on or before it need `override_date_lock`.
    pub date_lock: Option<String>,
}

impl std::fmt::Debug for Org {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Org")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("pin_pepper", &"<secret>")
            .field("version", &self.version)
            .field("date_lock", &self.date_lock)
            .finish()
    }
}

impl Store {
    /// Creates an organisation with a fresh PIN pepper. Roles, people and the rest
    /// are added by the admin operations.
    pub async fn init_org(&self, name: &str) -> StoreResult<Org> {
        let mut conn = self.write.acquire().await.ctx("creating an organisation")?;
        insert_org(&mut conn, name).await
    }

    /// Reads one organisation.
    pub async fn org(&self, org: OrgId) -> StoreResult<Org> {
        let row =
            sqlx::query("SELECT id, name, pin_pepper, version, date_lock FROM orgs WHERE id = $1")
                .bind(org.to_string())
                .fetch_optional(&self.read)
                .await
                .ctx("reading an organisation")?
                .ok_or(StoreError::NotFound("organisation"))?;
        let id: String = row.try_get(0).ctx("reading orgs.id")?;
        Ok(Org {
            id: OrgId(sql::uuid(&id, "reading orgs.id")?),
            name: row.try_get(1).ctx("reading orgs.name")?,
            pin_pepper: row.try_get(2).ctx("reading orgs.pin_pepper")?,
            version: row.try_get(3).ctx("reading orgs.version")?,
            date_lock: row.try_get(4).ctx("reading orgs.date_lock")?,
        })
    }

    /// The organisation's roster version alone (cheap: for ETags).
    pub async fn org_version(&self, org: OrgId) -> StoreResult<i64> {
        sqlx::query_scalar::<_, i64>("SELECT version FROM orgs WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(&self.read)
            .await
            .ctx("reading an organisation's version")?
            .ok_or(StoreError::NotFound("organisation"))
    }
}

/// Inserts a new organisation named `name`, with a fresh id and PIN pepper.
pub(crate) async fn insert_org(conn: &mut AnyConnection, name: &str) -> StoreResult<Org> {
    let org = Org {
        id: OrgId::new(),
        name: name.to_owned(),
        pin_pepper: secret::random_hex(32),
        version: 1,
        date_lock: None,
    };
    sqlx::query(
        "INSERT INTO orgs (id, name, pin_pepper, version, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org.id.to_string())
    .bind(&org.name)
    .bind(&org.pin_pepper)
    .bind(org.version)
    .bind(sql::micros(Utc::now()))
    .execute(&mut *conn)
    .await
    .ctx("creating an organisation")?;
    Ok(org)
}

/// The organisation's settings from a row whose columns from `at` on are
/// `date_lock, utc_offset_secs` of `orgs`.
pub(crate) fn settings_from_row(row: &AnyRow, at: usize) -> StoreResult<OrgSettings> {
    let date_lock: Option<String> = row.try_get(at).ctx("reading orgs.date_lock")?;
    let offset: i64 = row.try_get(at + 1).ctx("reading orgs.utc_offset_secs")?;
    settings_from(date_lock, offset)
}

/// The organisation's settings from `orgs.date_lock` and `orgs.utc_offset_secs`.
pub(crate) fn settings_from(date_lock: Option<String>, offset: i64) -> StoreResult<OrgSettings> {
    Ok(OrgSettings {
        date_lock: date_lock
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
                    context: "reading orgs.date_lock",
                    detail: e.to_string(),
                })
            })
            .transpose()?,
        utc_offset_secs: i32::try_from(offset).unwrap_or(0),
    })
}
