//! The audit trail: who changed what, when. Rows are written inside the
//! transaction of the change they describe, never on their own, and never hold a
//! secret (a PIN is "set" or "cleared", a token is named by its id).

use chrono::Utc;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Store, sql};
use crate::wire::OrgId;

/// One change, as the audit trail records it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// The person (or site Administrator) who made the change.
    pub actor: Uuid,
    /// What was done: `person.add`, `role.edit`, `token.revoke`, ...
    pub action: &'static str,
    /// The id of what was changed.
    pub target: Option<String>,
    /// What changed, as JSON (never a secret).
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(actor: Uuid, action: &'static str, target: impl ToString) -> Self {
        AuditEntry {
            actor,
            action,
            target: Some(target.to_string()),
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    /// The same entry with `detail`.
    pub fn with(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A row of the audit trail, as read back: the admin API's view of it, with the
/// actor's name now (a person of the organisation or the site Administrator), if
/// still known.
pub type AuditRow = crate::wire::admin::AuditView;

/// Writes `entry` for `org` (`None`: a site-level action) on `conn`, which is the
/// change's own transaction.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    org: Option<OrgId>,
    entry: &AuditEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit (id, org_id, actor, at, action, target, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(org.map(|o| o.to_string()))
    .bind(entry.actor.to_string())
    .bind(sql::micros(Utc::now()))
    .bind(entry.action)
    .bind(entry.target.clone())
    .bind(sql::json(&entry.detail, "encoding an audit detail")?)
    .execute(&mut *conn)
    .await
    .ctx("writing an audit row")?;
    Ok(())
}

impl Store {
    /// Records `entry` on its own, for a change made outside these admin
    /// operations (it commits alone: prefer writing it in the change's transaction).
    pub async fn record_audit(&self, org: Option<OrgId>, entry: &AuditEntry) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        write(&mut tx, org, entry).await?;
        tx.commit().await.ctx("committing an audit row")?;
        Ok(())
    }

    /// The organisation's audit trail, newest first: at most `limit` rows, older
    /// than the row `before` when given.
    pub async fn audit_trail(
        &self,
        org: OrgId,
        limit: u32,
        before: Option<Uuid>,
    ) -> StoreResult<Vec<AuditRow>> {
        let base = "SELECT a.id, a.at, a.actor, COALESCE(p.name, s.name), a.action, a.target, \
             a.detail FROM audit a \
             LEFT JOIN people p ON p.org_id = a.org_id AND p.id = a.actor \
             LEFT JOIN site_admins s ON s.id = a.actor \
             WHERE a.org_id = $1";
        // Placeholders in the order they appear (SQLite numbers them so).
        let query = match before {
            Some(_) => format!("{base} AND a.id < $2 ORDER BY a.id DESC LIMIT $3"),
            None => format!("{base} ORDER BY a.id DESC LIMIT $2"),
        };
        let mut q = sqlx::query(&query).bind(org.to_string());
        if let Some(before) = before {
            q = q.bind(before.to_string());
        }
        q = q.bind(i64::from(limit));
        let rows = q
            .fetch_all(&self.read)
            .await
            .ctx("reading the audit trail")?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0).ctx("reading audit.id")?;
                let at: i64 = row.try_get(1).ctx("reading audit.at")?;
                let actor: String = row.try_get(2).ctx("reading audit.actor")?;
                let detail: String = row.try_get(6).ctx("reading audit.detail")?;
                Ok(AuditRow {
                    id: sql::uuid(&id, "reading audit.id")?,
                    at: sql::instant(at, "reading audit.at")?,
                    actor: sql::uuid(&actor, "reading audit.actor")?,
                    actor_name: row.try_get(3).ctx("reading the actor's name")?,
                    action: row.try_get(4).ctx("reading audit.action")?,
                    target: row.try_get(5).ctx("reading audit.target")?,
                    detail: serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt {
                        context: "reading audit.detail",
                        detail: e.to_string(),
                    })?,
                })
            })
            .collect()
    }
}
