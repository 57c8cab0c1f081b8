//! Who is calling: the [`AdminAuth`] extractor and the [`Principal`] it yields.
//!
//! Guarantees: a principal exists only for a known, unrevoked admin token whose
//! person exists and is not archived (401 otherwise, JSON); its role is read from
//! the database on every request, so a role change or an archive takes effect on
//! the next call; tokens are compared by hash and never logged.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::domain::{PersonId, Preset, Role, RoleId};
use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::{bearer_token, unknown_token};
use crate::hub::store::admin::AuditEntry;
use crate::wire::OrgId;
use crate::wire::admin::TokenId;

/// The caller of an admin endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token presented (its id, not the secret).
    pub token: TokenId,
    /// The person's id, or the site Administrator's.
    pub id: Uuid,
    pub name: String,
    /// The person's role; the fixed Administrator preset for the site
    /// Administrator.
    pub role: Role,
    /// The person's organisation; `None` for the site Administrator.
    pub org: Option<OrgId>,
}

impl Principal {
    /// The person, when the caller is a person of an organisation.
    pub fn person(&self) -> Option<PersonId> {
        self.org.map(|_| PersonId(self.id))
    }

    pub fn is_site_admin(&self) -> bool {
        self.org.is_none()
    }

    /// An audit entry for a change this principal makes to `target`.
    pub fn audit(&self, action: &'static str, target: impl ToString) -> AuditEntry {
        AuditEntry::new(self.id, action, target)
    }
}

/// Extracts the [`Principal`] from `Authorization: Bearer TOKEN`.
#[derive(Clone, Debug)]
pub struct AdminAuth(pub Principal);

impl FromRequestParts<Arc<AppState>> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let unknown = || unknown_token("admin");
        let token = bearer_token(parts, "admin")?;
        let owner = app
            .store
            .admin_token_owner(token)
            .await?
            .ok_or_else(unknown)?;
        if owner.revoked {
            return Err(ApiError::unauthorized(
                "this admin token has been revoked: ask an admin for a new one",
            ));
        }
        let principal = match owner.org {
            None => {
                let name = app
                    .store
                    .site_admin_name(owner.person)
                    .await?
                    .ok_or_else(unknown)?;
                Principal {
                    token: owner.id,
                    id: owner.person,
                    name,
                    role: Role::preset(Preset::Administrator, RoleId(Uuid::nil())),
                    org: None,
                }
            }
            Some(org) => {
                let person = app
                    .store
                    .person_of(org, PersonId(owner.person))
                    .await?
                    .ok_or_else(unknown)?
                    .person;
                if person.archived {
                    return Err(ApiError::unauthorized(
                        "the person this admin token belongs to is archived",
                    ));
                }
                let role = app.store.role_of(org, person.role).await?.ok_or_else(|| {
                    tracing::error!(person = %person.id, "a person's role is missing");
                    ApiError::unauthorized("this admin token's person has no role")
                })?;
                Principal {
                    token: owner.id,
                    id: owner.person,
                    name: person.name,
                    role,
                    org: Some(org),
                }
            }
        };
        Ok(AdminAuth(principal))
    }
}
