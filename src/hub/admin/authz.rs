//! What a [`Principal`] may do, decided by the domain's rules and answered 403 with
//! the domain's plain message when refused.
//!
//! Guarantees: each check is one call into `crate::domain` (`may_act_on`,
//! `may_act_on_own`, `role_admin::*`) or a plain "does the role hold this right";
//! rank is never compared here. Acting on oneself uses the domain's *own* rule
//! (`may_act_on_own`), acting on anyone else its *other* rule (`may_act_on`,
//! `may_manage_user`): two people sharing a role are still "someone else".

use crate::domain::{
    AdminRefusal, OnBehalf, PersonId, Refusal, Right, Role, may_act_on, may_act_on_own,
    may_assign_role, may_create_role, may_edit_role, may_manage_user, may_remove_role,
};
use crate::hub::error::ApiError;
use crate::wire::OrgId;

use super::forbidden;
use super::principal::Principal;

/// What the site Administrator is told on an organisation's endpoints.
pub const SITE_ADMIN_HAS_NO_ORG: &str = "The site Administrator manages organisations \
     (right \"administer_site\"), not their data. Use the token of a person of the \
     organisation, such as its Top manager.";

fn refused(err: AdminRefusal) -> ApiError {
    forbidden(err.to_string())
}

fn refused_plain(err: Refusal) -> ApiError {
    forbidden(err.to_string())
}

impl Principal {
    /// The caller's organisation; 403 for the site Administrator.
    pub fn org(&self) -> Result<OrgId, ApiError> {
        self.org.ok_or_else(|| forbidden(SITE_ADMIN_HAS_NO_ORG))
    }

    /// 403 unless the caller's role holds `right`.
    pub fn require(&self, right: Right) -> Result<(), ApiError> {
        if self.role.has(right) {
            Ok(())
        } else {
            Err(refused(AdminRefusal::MissingRight { right }))
        }
    }

    /// 403 unless the caller's role holds one of `rights` (named: the first).
    pub fn require_any(&self, rights: &[Right]) -> Result<(), ApiError> {
        match rights.iter().find(|&&r| self.role.has(r)) {
            Some(_) => Ok(()),
            None => Err(refused(AdminRefusal::MissingRight {
                right: rights.first().copied().unwrap_or(Right::AdministerSite),
            })),
        }
    }

    /// May the caller add, change, archive or make tokens for `target`, whose role
    /// is `target_role`? Oneself: `manage_own_account`; anyone else:
    /// `manage_users` and a higher rank (domain `may_manage_user`).
    pub fn may_manage(&self, target: PersonId, target_role: &Role) -> Result<(), ApiError> {
        if self.person() == Some(target) {
            may_act_on_own(&self.role, OnBehalf::ManageUser).map_err(refused_plain)
        } else {
            may_manage_user(&self.role, target_role).map_err(refused)
        }
    }

    /// May the caller give `new_role` to a person whose role is `current` (`None`
    /// for a new person)? Domain `may_assign_role`.
    pub fn may_assign_role(&self, current: Option<&Role>, new_role: &Role) -> Result<(), ApiError> {
        may_assign_role(&self.role, current, new_role).map_err(refused)
    }

    /// May the caller do `action` to `target`'s data? Oneself: the domain's own
    /// rule; anyone else: its rank rule.
    pub fn may_act_on(
        &self,
        target: PersonId,
        target_role: &Role,
        action: OnBehalf,
    ) -> Result<(), ApiError> {
        if self.person() == Some(target) {
            may_act_on_own(&self.role, action).map_err(refused_plain)
        } else {
            may_act_on(&self.role, target_role, action).map_err(refused_plain)
        }
    }

    /// Domain `may_create_role`.
    pub fn may_create_role(&self, new: &Role) -> Result<(), ApiError> {
        may_create_role(&self.role, new).map_err(refused)
    }

    /// Domain `may_edit_role`.
    pub fn may_edit_role(&self, old: &Role, new: &Role) -> Result<(), ApiError> {
        may_edit_role(&self.role, old, new).map_err(refused)
    }

    /// Domain `may_remove_role`.
    pub fn may_remove_role(&self, role: &Role, people: usize) -> Result<(), ApiError> {
        may_remove_role(&self.role, role, people).map_err(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Preset, RoleId};
    use crate::wire::admin::TokenId;
    use uuid::Uuid;

    fn principal(p: Preset, org: Option<OrgId>) -> Principal {
        Principal {
            token: TokenId::new(),
            id: Uuid::from_u128(1),
            name: "Me".into(),
            role: Role::preset(p, RoleId(Uuid::from_u128(p as u128))),
            org,
        }
    }

    #[test]
    fn the_site_administrator_has_no_organisation() {
        let admin = principal(Preset::Administrator, None);
        let err = admin.org().unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::FORBIDDEN);
        assert!(err.message.contains("administer_site"), "{}", err.message);
    }

    #[test]
    fn oneself_uses_the_own_rule_and_others_the_rank_rule() {
        let org = Some(OrgId(Uuid::from_u128(9)));
        let co = principal(Preset::CoManager, org);
        let me = PersonId(Uuid::from_u128(1));
        let other = PersonId(Uuid::from_u128(2));
        let same = Role::preset(Preset::CoManager, RoleId(Uuid::from_u128(3)));
        assert!(co.may_manage(me, &co.role).is_ok(), "manage_own_account");
        let err = co.may_manage(other, &same).unwrap_err();
        assert_eq!(
            err.message,
            AdminRefusal::UserNotBelowYou.to_string(),
            "the domain's message"
        );
        let user = principal(Preset::User, org);
        assert!(user.may_manage(me, &user.role).is_err());
        assert!(
            user.require(Right::ManageUsers)
                .unwrap_err()
                .message
                .contains("manage_users")
        );
    }
}
