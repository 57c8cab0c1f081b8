//! Role and user administration (Anuko role editor, seed 001).
//!
//! Guarantees:
//! - roles are created, edited and removed only with `manage_roles`, only below the
//!   editor's own rank, and a role may gain only rights the editor holds;
//! - fixed roles (Administrator, Top manager) are never edited or removed, and no
//!   new role is made fixed;
//! - users are managed only with `manage_users` and only when their role ranks below
//!   the manager's; the roles a manager assigns rank below their own;
//! - roles are swapped (`swap_roles`) only with someone of lower rank holding a
//!   smaller set of rights.

use serde::{Deserialize, Serialize};

use super::authority::{OnBehalf, may_act_on};
use super::refusal::Refusal;
use super::rights::{Right, RightSet};
use super::role::Role;

/// Why an administration step was refused. Shown on the admin screens.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum AdminRefusal {
    #[error("Your role does not have the right \"{right}\" needed for this.")]
    MissingRight { right: Right },
    #[error("A role you create or edit must rank below your own ({own}); {rank} does not.")]
    RankNotBelowOwn { rank: i32, own: i32 },
    #[error("The role \"{name}\" ranks at or above yours, so you cannot change it.")]
    RoleNotBelowYou { name: String },
    #[error("You can only give rights you have yourself. You do not have: {rights}.")]
    RightsNotHeld { rights: RightSet },
    #[error("The role \"{name}\" is built in and cannot be changed or removed.")]
    FixedRole { name: String },
    #[error("New roles cannot be built in.")]
    CannotCreateFixed,
    #[error("The role \"{name}\" is still given to {people} people. Give them another role first.")]
    RoleInUse { name: String, people: usize },
    #[error("This person's role ranks at or above yours, so you cannot manage them.")]
    UserNotBelowYou,
    #[error("You can only give roles that rank below your own.")]
    AssignedRoleNotBelowYou,
    #[error("You can only swap roles with someone of lower rank who has fewer rights.")]
    SwapNotAllowed,
}

fn needs(role: &Role, right: Right) -> Result<(), AdminRefusal> {
    if role.has(right) {
        Ok(())
    } else {
        Err(AdminRefusal::MissingRight { right })
    }
}

fn rank_below(editor: &Role, rank: i32) -> Result<(), AdminRefusal> {
    if rank < editor.rank {
        Ok(())
    } else {
        Err(AdminRefusal::RankNotBelowOwn {
            rank,
            own: editor.rank,
        })
    }
}

fn only_held(editor: &Role, added: &RightSet) -> Result<(), AdminRefusal> {
    let missing = added.difference(&editor.rights);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AdminRefusal::RightsNotHeld { rights: missing })
    }
}

fn editable(editor: &Role, role: &Role) -> Result<(), AdminRefusal> {
    if role.fixed {
        return Err(AdminRefusal::FixedRole {
            name: role.name.clone(),
        });
    }
    if role.rank >= editor.rank {
        return Err(AdminRefusal::RoleNotBelowYou {
            name: role.name.clone(),
        });
    }
    Ok(())
}

/// May `editor` create the custom role `new`?
pub fn may_create_role(editor: &Role, new: &Role) -> Result<(), AdminRefusal> {
    needs(editor, Right::ManageRoles)?;
    if new.fixed {
        return Err(AdminRefusal::CannotCreateFixed);
    }
    rank_below(editor, new.rank)?;
    only_held(editor, &new.rights)
}

/// May `editor` change `old` into `new`? Rights the role already had may stay
/// even if the editor lacks them; only added rights must be the editor's own.
pub fn may_edit_role(editor: &Role, old: &Role, new: &Role) -> Result<(), AdminRefusal> {
    needs(editor, Right::ManageRoles)?;
    editable(editor, old)?;
    if new.fixed {
        return Err(AdminRefusal::CannotCreateFixed);
    }
    rank_below(editor, new.rank)?;
    only_held(editor, &new.rights.difference(&old.rights))
}

/// May `editor` remove `role`, which `people` people still have?
pub fn may_remove_role(editor: &Role, role: &Role, people: usize) -> Result<(), AdminRefusal> {
    needs(editor, Right::ManageRoles)?;
    editable(editor, role)?;
    if people > 0 {
        return Err(AdminRefusal::RoleInUse {
            name: role.name.clone(),
            people,
        });
    }
    Ok(())
}

/// May `manager` add, modify, archive or delete a person whose role is `target`?
pub fn may_manage_user(manager: &Role, target: &Role) -> Result<(), AdminRefusal> {
    may_act_on(manager, target, OnBehalf::ManageUser).map_err(|e| match e {
        Refusal::MissingRight { right } => AdminRefusal::MissingRight { right },
        _ => AdminRefusal::UserNotBelowYou,
    })
}

/// May `manager` give `new_role` to a person whose role is now `current` (`None`
/// for a person being added)?
pub fn may_assign_role(
    manager: &Role,
    current: Option<&Role>,
    new_role: &Role,
) -> Result<(), AdminRefusal> {
    needs(manager, Right::ManageUsers)?;
    if let Some(current) = current {
        may_manage_user(manager, current)?;
    }
    if new_role.rank >= manager.rank {
        return Err(AdminRefusal::AssignedRoleNotBelowYou);
    }
    Ok(())
}

/// May `actor` swap roles with someone whose role is `other` (Anuko succession)?
pub fn may_swap_roles(actor: &Role, other: &Role) -> Result<(), AdminRefusal> {
    needs(actor, Right::SwapRoles)?;
    let smaller = other.rights.is_subset(&actor.rights) && other.rights != actor.rights;
    if other.rank < actor.rank && smaller {
        Ok(())
    } else {
        Err(AdminRefusal::SwapNotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::RoleId;
    use crate::domain::role::Preset;
    use uuid::Uuid;

    fn preset(p: Preset) -> Role {
        Role::preset(p, RoleId(Uuid::from_u128(p as u128)))
    }

    fn custom(rank: i32, rights: &[Right]) -> Role {
        Role {
            id: RoleId(Uuid::from_u128(1000 + rank as u128)),
            name: "Foreman".into(),
            rank,
            rights: RightSet::of(rights),
            fixed: false,
            preset: None,
        }
    }

    #[test]
    fn role_editor_cannot_create_role_with_rank_at_or_above_own() {
        let manager = preset(Preset::Manager); // rank 324
        let table: Vec<(&str, i32, Result<(), AdminRefusal>)> = vec![
            ("well below", 100, Ok(())),
            ("just below", 323, Ok(())),
            (
                "equal",
                324,
                Err(AdminRefusal::RankNotBelowOwn {
                    rank: 324,
                    own: 324,
                }),
            ),
            (
                "above",
                400,
                Err(AdminRefusal::RankNotBelowOwn {
                    rank: 400,
                    own: 324,
                }),
            ),
        ];
        for (label, rank, expected) in table {
            assert_eq!(
                may_create_role(&manager, &custom(rank, &[Right::TrackTime])),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn role_editor_gives_only_rights_they_hold() {
        let manager = preset(Preset::Manager);
        assert_eq!(
            may_create_role(
                &manager,
                &custom(10, &[Right::TrackOwnTime, Right::ManageRoles])
            ),
            Ok(())
        );
        assert_eq!(
            may_create_role(
                &manager,
                &custom(
                    10,
                    &[Right::TrackOwnTime, Right::DeleteGroup, Right::ManageRates]
                )
            ),
            Err(AdminRefusal::RightsNotHeld {
                rights: RightSet::of(&[Right::DeleteGroup, Right::ManageRates])
            })
        );
        let top = preset(Preset::TopManager);
        assert_eq!(
            may_create_role(&top, &custom(10, &[Right::DeleteGroup])),
            Ok(())
        );
        assert_eq!(
            may_create_role(&top, &custom(10, &[Right::AdministerSite])),
            Err(AdminRefusal::RightsNotHeld {
                rights: RightSet::of(&[Right::AdministerSite])
            }),
            "administer_site is reserved for the Administrator"
        );
    }

    #[test]
    fn only_role_managers_edit_roles() {
        for p in [
            Preset::CoManager,
            Preset::Supervisor,
            Preset::User,
            Preset::Administrator,
        ] {
            assert_eq!(
                may_create_role(&preset(p), &custom(1, &[])),
                Err(AdminRefusal::MissingRight {
                    right: Right::ManageRoles
                }),
                "{p:?}"
            );
        }
        let mut fixed = custom(1, &[]);
        fixed.fixed = true;
        assert_eq!(
            may_create_role(&preset(Preset::Manager), &fixed),
            Err(AdminRefusal::CannotCreateFixed)
        );
    }

    #[test]
    fn fixed_roles_are_not_editable_or_removable() {
        let top = preset(Preset::TopManager);
        for p in [Preset::Administrator, Preset::TopManager] {
            let fixed = preset(p);
            let mut changed = fixed.clone();
            changed.fixed = false;
            changed.rank = 1;
            let refusal = AdminRefusal::FixedRole {
                name: fixed.name.clone(),
            };
            assert_eq!(
                may_edit_role(&top, &fixed, &changed),
                Err(refusal.clone()),
                "{p:?}"
            );
            assert_eq!(may_remove_role(&top, &fixed, 0), Err(refusal), "{p:?}");
        }
    }

    #[test]
    fn editing_a_role_keeps_rights_it_had_and_adds_only_held_ones() {
        let manager = preset(Preset::Manager);
        // A role someone higher gave delete_group (which a Manager lacks).
        let old = custom(100, &[Right::TrackOwnTime, Right::DeleteGroup]);
        let mut renamed = old.clone();
        renamed.name = "Lead hand".into();
        assert_eq!(may_edit_role(&manager, &old, &renamed), Ok(()));
        let mut grown = old.clone();
        grown.rights.insert(Right::ManageRates);
        assert_eq!(
            may_edit_role(&manager, &old, &grown),
            Err(AdminRefusal::RightsNotHeld {
                rights: RightSet::of(&[Right::ManageRates])
            })
        );
        let mut raised = old.clone();
        raised.rank = 324;
        assert_eq!(
            may_edit_role(&manager, &old, &raised),
            Err(AdminRefusal::RankNotBelowOwn {
                rank: 324,
                own: 324
            })
        );
        // Editing one's own role (or a peer's) is refused: not below.
        assert_eq!(
            may_edit_role(&manager, &manager, &manager),
            Err(AdminRefusal::RoleNotBelowYou {
                name: "Manager".into()
            })
        );
        let mut made_fixed = old.clone();
        made_fixed.fixed = true;
        assert_eq!(
            may_edit_role(&manager, &old, &made_fixed),
            Err(AdminRefusal::CannotCreateFixed)
        );
    }

    #[test]
    fn a_role_in_use_is_not_removed() {
        let manager = preset(Preset::Manager);
        let role = custom(5, &[]);
        assert_eq!(may_remove_role(&manager, &role, 0), Ok(()));
        assert_eq!(
            may_remove_role(&manager, &role, 3),
            Err(AdminRefusal::RoleInUse {
                name: "Foreman".into(),
                people: 3
            })
        );
        assert_eq!(
            may_remove_role(&manager, &preset(Preset::TopManager), 0),
            Err(AdminRefusal::FixedRole {
                name: "Top manager".into()
            })
        );
    }

    #[test]
    fn manage_users_only_on_people_of_lower_rank() {
        use Preset::*;
        let table: Vec<(&str, Preset, Preset, Result<(), AdminRefusal>)> = vec![
            ("co-manager manages a user", CoManager, User, Ok(())),
            (
                "co-manager manages a supervisor",
                CoManager,
                Supervisor,
                Ok(()),
            ),
            (
                "co-manager cannot manage a co-manager",
                CoManager,
                CoManager,
                Err(AdminRefusal::UserNotBelowYou),
            ),
            (
                "co-manager cannot manage a manager",
                CoManager,
                Manager,
                Err(AdminRefusal::UserNotBelowYou),
            ),
            (
                "supervisor cannot manage users",
                Supervisor,
                User,
                Err(AdminRefusal::MissingRight {
                    right: Right::ManageUsers,
                }),
            ),
            (
                "tracking time manager archives a coworker",
                TrackingTimeManager,
                Coworker,
                Ok(()),
            ),
        ];
        for (label, manager, target, expected) in table {
            assert_eq!(
                may_manage_user(&preset(manager), &preset(target)),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn managers_assign_only_roles_of_lower_rank_than_their_own() {
        use Preset::*;
        let co = preset(CoManager); // 68
        assert_eq!(may_assign_role(&co, None, &preset(Supervisor)), Ok(()));
        assert_eq!(
            may_assign_role(&co, Some(&preset(User)), &preset(Supervisor)),
            Ok(())
        );
        assert_eq!(
            may_assign_role(&co, Some(&preset(User)), &preset(CoManager)),
            Err(AdminRefusal::AssignedRoleNotBelowYou)
        );
        assert_eq!(
            may_assign_role(&co, Some(&preset(Manager)), &preset(User)),
            Err(AdminRefusal::UserNotBelowYou),
            "demoting someone above is managing them"
        );
        assert_eq!(
            may_assign_role(&preset(Supervisor), None, &preset(User)),
            Err(AdminRefusal::MissingRight {
                right: Right::ManageUsers
            })
        );
    }

    #[test]
    fn swap_roles_only_with_lower_rank_and_fewer_rights() {
        let sup = preset(Preset::Supervisor);
        assert_eq!(may_swap_roles(&sup, &preset(Preset::User)), Ok(()));
        assert_eq!(
            may_swap_roles(&sup, &sup),
            Err(AdminRefusal::SwapNotAllowed)
        );
        // Lower rank but a right the supervisor lacks.
        assert_eq!(
            may_swap_roles(&sup, &custom(2, &[Right::ManageRates])),
            Err(AdminRefusal::SwapNotAllowed)
        );
        assert_eq!(
            may_swap_roles(&preset(Preset::User), &custom(1, &[])),
            Err(AdminRefusal::MissingRight {
                right: Right::SwapRoles
            })
        );
    }

    #[test]
    fn admin_refusals_read_plainly() {
        let msg = AdminRefusal::RightsNotHeld {
            rights: RightSet::of(&[Right::ManageRates, Right::DeleteGroup]),
        }
        .to_string();
        assert_eq!(
            msg,
            "You can only give rights you have yourself. You do not have: delete_group, manage_rates."
        );
        assert_eq!(
            AdminRefusal::RankNotBelowOwn {
                rank: 400,
                own: 324
            }
            .to_string(),
            "A role you create or edit must rank below your own (324); 400 does not."
        );
    }
}
