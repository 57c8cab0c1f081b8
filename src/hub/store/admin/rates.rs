//! Rates and costs per person with validity periods (TrackingTime): a period runs
//! from its first day until the next period of the same person starts.
//!
//! Guarantees: one period per person and first day (setting it again replaces
//! it); amounts are integer cents; rates do not bump the roster version (no
//! roster shows them).

use chrono::NaiveDate;
use sqlx::Row;

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::{Money, PersonId, RatePeriod};
use crate::wire::OrgId;

impl Store {
    /// Sets the rate and cost of `person` from `from` on.
    pub async fn set_rate(
        &self,
        org: OrgId,
        person: PersonId,
        from: NaiveDate,
        rate_cents: i64,
        cost_cents: i64,
        entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO rates (org_id, person_id, valid_from, rate_cents, cost_cents) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, person_id, valid_from) \
             DO UPDATE SET rate_cents = excluded.rate_cents, cost_cents = excluded.cost_cents",
        )
        .bind(org.to_string())
        .bind(person.to_string())
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(rate_cents)
        .bind(cost_cents)
        .execute(&mut *tx)
        .await
        .ctx("setting a rate")?;
        audit::write(&mut tx, Some(org), entry).await?;
        tx.commit().await.ctx("committing a rate")?;
        Ok(())
    }

    /// The rate periods of the organisation (of one person, when given), by person
    /// and first day.
    pub async fn rates_of(
        &self,
        org: OrgId,
        person: Option<PersonId>,
    ) -> StoreResult<Vec<RatePeriod>> {
        const COLS: &str =
            "SELECT person_id, valid_from, rate_cents, cost_cents FROM rates WHERE org_id = $1";
        let rows = match person {
            Some(p) => {
                sqlx::query(&format!(
                    "{COLS} AND person_id = $2 ORDER BY person_id, valid_from"
                ))
                .bind(org.to_string())
                .bind(p.to_string())
                .fetch_all(&self.read)
                .await
            }
            None => {
                sqlx::query(&format!("{COLS} ORDER BY person_id, valid_from"))
                    .bind(org.to_string())
                    .fetch_all(&self.read)
                    .await
            }
        }
        .ctx("reading rates")?;
        rows.iter()
            .map(|row| {
                let person: String = row.try_get(0).ctx("reading rates.person_id")?;
                let from: String = row.try_get(1).ctx("reading rates.valid_from")?;
                Ok(RatePeriod {
                    person: PersonId(sql::uuid(&person, "reading rates.person_id")?),
                    valid_from: NaiveDate::parse_from_str(&from, "%Y-%m-%d").map_err(|e| {
                        StoreError::Corrupt {
                            context: "reading rates.valid_from",
                            detail: e.to_string(),
                        }
                    })?,
                    rate: Money(row.try_get(2).ctx("reading rates.rate_cents")?),
                    cost: Money(row.try_get(3).ctx("reading rates.cost_cents")?),
                })
            })
            .collect()
    }
}
