//! Admin tokens: each belongs to a person of an organisation (or to the site
//! Administrator) and acts with that person's role.
//!
//! Guarantees: only the SHA-256 hash of a token is stored; the token itself is
//! returned once, by the call that makes it; a revoked token stays revoked (its row
//! is kept, with when it was revoked, for the audit trail).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use crate::domain::PersonId;
use crate::hub::secret;
use crate::wire::OrgId;
use crate::wire::admin::TokenId;

/// Whom a presented token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOwner {
    pub id: TokenId,
    /// `None`: the site Administrator's token.
    pub org: Option<OrgId>,
    /// The person (or site Administrator) id.
    pub person: Uuid,
    pub revoked: bool,
}

/// A token of an organisation, without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub person: PersonId,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRecord {
    pub fn revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// Makes a token for `person` of `org` (`None`: the site Administrator) on `conn`.
pub(crate) async fn insert_token(
    conn: &mut AnyConnection,
    org: Option<OrgId>,
    person: Uuid,
) -> StoreResult<(TokenId, String)> {
    let id = TokenId::new();
    let token = secret::new_token();
    sqlx::query(
        "INSERT INTO tokens (id, org_id, person_id, token_hash, created_at, revoked) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(id.to_string())
    .bind(org.map(|o| o.to_string()))
    .bind(person.to_string())
    .bind(secret::hash(&token))
    .bind(sql::micros(Utc::now()))
    .execute(&mut *conn)
    .await
    .ctx("storing an admin token")?;
    Ok((id, token))
}

fn record_from_row(row: &sqlx::any::AnyRow) -> StoreResult<TokenRecord> {
    let id: String = row.try_get(0).ctx("reading tokens.id")?;
    let person: String = row.try_get(1).ctx("reading tokens.person_id")?;
    let created: i64 = row.try_get(2).ctx("reading tokens.created_at")?;
    let revoked: i64 = row.try_get(3).ctx("reading tokens.revoked")?;
    let revoked_at: Option<i64> = row.try_get(4).ctx("reading tokens.revoked_at")?;
    let created_at = sql::instant(created, "reading tokens.created_at")?;
    Ok(TokenRecord {
        id: TokenId(sql::uuid(&id, "reading tokens.id")?),
        person: PersonId(sql::uuid(&person, "reading tokens.person_id")?),
        created_at,
        revoked_at: match (revoked, revoked_at) {
            (0, _) => None,
            (_, Some(at)) => Some(sql::instant(at, "reading tokens.revoked_at")?),
            (_, None) => Some(created_at),
        },
    })
}

impl Store {
    /// The owner of a presented admin token, revoked or not; `None` when unknown.
    /// One indexed lookup by the token's hash.
    pub async fn admin_token_owner(&self, token: &str) -> StoreResult<Option<TokenOwner>> {
        // No org filter: the token's hash is what names the organisation.
        let row =
            sqlx::query("SELECT id, org_id, person_id, revoked FROM tokens WHERE token_hash = $1")
                .bind(secret::hash(token))
                .fetch_optional(&self.read)
                .await
                .ctx("authenticating an admin token")?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0).ctx("reading tokens.id")?;
        let org: Option<String> = row.try_get(1).ctx("reading tokens.org_id")?;
        let person: String = row.try_get(2).ctx("reading tokens.person_id")?;
        let revoked: i64 = row.try_get(3).ctx("reading tokens.revoked")?;
        Ok(Some(TokenOwner {
            id: TokenId(sql::uuid(&id, "reading tokens.id")?),
            org: org
                .map(|o| sql::uuid(&o, "reading tokens.org_id").map(OrgId))
                .transpose()?,
            person: sql::uuid(&person, "reading tokens.person_id")?,
            revoked: revoked != 0,
        }))
    }

    /// Makes a token for `person` of `org`; returns its id and the token (shown
    /// once).
    pub async fn create_admin_token(
        &self,
        org: OrgId,
        person: PersonId,
        audit_entry: &AuditEntry,
    ) -> StoreResult<(TokenId, String)> {
        let mut tx = self.begin_write().await?;
        let made = insert_token(&mut tx, Some(org), person.0).await?;
        let mut entry = audit_entry.clone();
        entry.target = Some(made.0.to_string());
        audit::write(&mut tx, Some(org), &entry).await?;
        tx.commit().await.ctx("committing an admin token")?;
        Ok(made)
    }

    /// The organisation's tokens (of one person, when given), newest first.
    pub async fn admin_tokens(
        &self,
        org: OrgId,
        person: Option<PersonId>,
    ) -> StoreResult<Vec<TokenRecord>> {
        const COLS: &str = "SELECT id, person_id, created_at, revoked, revoked_at FROM tokens";
        let rows = match person {
            Some(p) => {
                sqlx::query(&format!(
                    "{COLS} WHERE org_id = $1 AND person_id = $2 ORDER BY id DESC"
                ))
                .bind(org.to_string())
                .bind(p.to_string())
                .fetch_all(&self.read)
                .await
            }
            None => {
                sqlx::query(&format!("{COLS} WHERE org_id = $1 ORDER BY id DESC"))
                    .bind(org.to_string())
                    .fetch_all(&self.read)
                    .await
            }
        }
        .ctx("reading admin tokens")?;
        rows.iter().map(record_from_row).collect()
    }

    /// One token of the organisation.
    pub async fn admin_token(&self, org: OrgId, id: TokenId) -> StoreResult<Option<TokenRecord>> {
        let row = sqlx::query(
            "SELECT id, person_id, created_at, revoked, revoked_at FROM tokens \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .ctx("reading an admin token")?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// Revokes a token of the organisation; revoking it again changes nothing but
    /// is recorded all the same.
    pub async fn revoke_admin_token(
        &self,
        org: OrgId,
        id: TokenId,
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE tokens SET revoked = 1, revoked_at = COALESCE(revoked_at, $1) \
             WHERE org_id = $2 AND id = $3",
        )
        .bind(sql::micros(Utc::now()))
        .bind(org.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .ctx("revoking an admin token")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("token"));
        }
        audit::write(&mut tx, Some(org), audit_entry).await?;
        tx.commit().await.ctx("committing a token's revocation")?;
        Ok(())
    }
}
