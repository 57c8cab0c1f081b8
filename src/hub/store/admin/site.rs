//! The site: its one Administrator (`tapin hub init`) and new organisations, each
//! made with every preset role and its Top manager (`tapin admin org add`).
//!
//! Guarantees: a hub is initialised once (a unique row, so two `init`s racing
//! cannot both succeed); an organisation is created whole or not at all (org,
//! roles, Top manager, token and audit row in one transaction); preset role
//! names stay unique within an organisation (TrackingTime's "Manager" becomes
//! "Manager (TrackingTime)" beside Anuko's "Manager").

use chrono::Utc;
use sqlx::AnyConnection;
use thiserror::Error;
use uuid::Uuid;

use super::super::error::{DbContext, StoreError, StoreResult};
use super::super::orgs::{Org, insert_org};
use super::super::people::{insert_person, insert_role};
use super::super::{Store, sql};
use super::audit::{self, AuditEntry};
use super::tokens::insert_token;
use crate::domain::{JobAccess, Person, PersonId, Preset, Role, RoleId, TrackingMode, presets};
use crate::wire::admin::TokenId;

/// An organisation just created.
#[derive(Clone)]
pub struct Provisioned {
    pub org: Org,
    pub roles: Vec<Role>,
    pub top_manager: Person,
    pub token_id: TokenId,
    /// The Top manager's token, shown once.
    pub token: String,
}

impl std::fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioned")
            .field("org", &self.org)
            .field("top_manager", &self.top_manager.id)
            .field("token_id", &self.token_id)
            .field("token", &"<secret>")
            .finish()
    }
}

/// What `tapin hub init` made.
#[derive(Clone)]
pub struct SiteInit {
    pub site_admin: Uuid,
    pub site_admin_name: String,
    pub site_admin_token_id: TokenId,
    /// The site Administrator's token, shown once.
    pub site_admin_token: String,
    pub first: Provisioned,
}

impl std::fmt::Debug for SiteInit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteInit")
            .field("site_admin", &self.site_admin)
            .field("site_admin_token", &"<secret>")
            .field("first", &self.first)
            .finish()
    }
}

/// Why `init` did nothing.
#[derive(Debug, Error)]
pub enum InitError {
    #[error(
        "this hub is already initialised: it has a site Administrator. \
         Add organisations with `tapin admin org add NAME` using the site Administrator's token"
    )]
    AlreadyInitialised,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The name each preset role gets in a new organisation: the preset's, unless
/// another preset already has it.
fn preset_roles() -> Vec<Role> {
    let mut roles = presets(|_| RoleId::new());
    let mut seen = std::collections::HashSet::new();
    for role in &mut roles {
        if !seen.insert(role.name.to_lowercase()) {
            let family = if role
                .preset
                .is_some_and(|p| Preset::TRACKING_TIME.contains(&p))
            {
                "TrackingTime"
            } else {
                "Anuko"
            };
            role.name = format!("{} ({family})", role.name);
            seen.insert(role.name.to_lowercase());
        }
    }
    roles
}

impl Store {
    /// Whether `tapin hub init` has run on this database.
    pub async fn is_initialised(&self) -> StoreResult<bool> {
        let n = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM site_admins")
            .fetch_one(&self.read)
            .await
            .ctx("checking whether the hub is initialised")?;
        Ok(n > 0)
    }

    /// The site Administrator's name, if `id` is theirs.
    pub async fn site_admin_name(&self, id: Uuid) -> StoreResult<Option<String>> {
        sqlx::query_scalar::<_, String>("SELECT name FROM site_admins WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .ctx("reading the site Administrator")
    }

    /// Creates the site Administrator and the first organisation, once.
    pub async fn init_site(
        &self,
        admin_name: &str,
        org_name: &str,
        top_manager_name: &str,
    ) -> Result<SiteInit, InitError> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM site_admins")
            .fetch_one(&mut *tx)
            .await
            .ctx("checking whether the hub is initialised")?;
        if existing > 0 {
            return Err(InitError::AlreadyInitialised);
        }
        let site_admin = Uuid::now_v7();
        let inserted = sqlx::query(
            "INSERT INTO site_admins (id, name, singleton, created_at) VALUES ($1, $2, 1, $3)",
        )
        .bind(site_admin.to_string())
        .bind(admin_name)
        .bind(sql::micros(Utc::now()))
        .execute(&mut *tx)
        .await
        .ctx("creating the site Administrator");
        match inserted {
            Ok(_) => {}
            Err(e) if super::is_unique_violation(&e) => return Err(InitError::AlreadyInitialised),
            Err(e) => return Err(e.into()),
        }
        let (site_admin_token_id, site_admin_token) =
            insert_token(&mut tx, None, site_admin).await?;
        let first = provision(&mut tx, org_name, top_manager_name, site_admin).await?;
        tx.commit()
            .await
            .ctx("committing the hub's initialisation")?;
        Ok(SiteInit {
            site_admin,
            site_admin_name: admin_name.to_owned(),
            site_admin_token_id,
            site_admin_token,
            first,
        })
    }

    /// Creates an organisation with every preset role, its Top manager and their
    /// token. `actor` is the site Administrator.
    pub async fn create_org(
        &self,
        name: &str,
        top_manager_name: &str,
        actor: Uuid,
    ) -> StoreResult<Provisioned> {
        let mut tx = self.begin_write().await?;
        let made = provision(&mut tx, name, top_manager_name, actor).await?;
        tx.commit().await.ctx("committing a new organisation")?;
        Ok(made)
    }
}

async fn provision(
    conn: &mut AnyConnection,
    name: &str,
    top_manager_name: &str,
    actor: Uuid,
) -> StoreResult<Provisioned> {
    let org = insert_org(conn, name).await?;
    let org_s = org.id.to_string();
    let roles = preset_roles();
    for role in &roles {
        insert_role(conn, &org_s, role).await?;
    }
    let top_role = roles
        .iter()
        .find(|r| r.preset == Some(Preset::TopManager))
        .map(|r| r.id)
        .ok_or(StoreError::Corrupt {
            context: "creating an organisation",
            detail: "the presets have no Top manager".to_owned(),
        })?;
    let top_manager = Person {
        id: PersonId::new(),
        name: top_manager_name.to_owned(),
        badge: None,
        mode: TrackingMode::Personal,
        team: None,
        role: top_role,
        archived: false,
        jobs: JobAccess::All,
    };
    insert_person(conn, &org_s, &top_manager, None).await?;
    let (token_id, token) = insert_token(conn, Some(org.id), top_manager.id.0).await?;
    let entry = AuditEntry::new(actor, "org.add", org.id).with(serde_json::json!({
        "name": org.name,
        "top_manager": {"id": top_manager.id, "name": top_manager.name},
        "token": token_id,
    }));
    audit::write(conn, Some(org.id), &entry).await?;
    Ok(Provisioned {
        org,
        roles,
        top_manager,
        token_id,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_role_names_are_unique_and_keep_the_seed_names_where_they_can() {
        let roles = preset_roles();
        assert_eq!(roles.len(), Preset::ALL.len());
        let names: std::collections::HashSet<String> =
            roles.iter().map(|r| r.name.to_lowercase()).collect();
        assert_eq!(names.len(), roles.len());
        let name = |p: Preset| {
            roles
                .iter()
                .find(|r| r.preset == Some(p))
                .map(|r| r.name.clone())
                .unwrap()
        };
        assert_eq!(name(Preset::Manager), "Manager");
        assert_eq!(name(Preset::TrackingTimeManager), "Manager (TrackingTime)");
        assert_eq!(name(Preset::TopManager), "Top manager");
    }
}
