//! The rank rule (Anuko, seed 001): acting on another person's data needs the
//! right for it *and* a rank strictly higher than theirs; an `*_all_*` right lifts
//! the rank limit for its action. Acting on one's own data needs the `*_own_*`
//! right (or the `*_all_*` one, which covers everyone, oneself included).
//!
//! Guarantees: one table ([`OnBehalf::needs`]) says which right each action
//! needs; [`may_act_on`] and [`may_act_on_own`] are the only places the rule is
//! applied.

use serde::{Deserialize, Serialize};

use super::refusal::Refusal;
use super::rights::Right;
use super::role::Role;

/// Something done to a person's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBehalf {
    /// Clock, check or break punches.
    TrackTime,
    TrackExpenses,
    /// Enter a start or finish time instead of the clock (punch mode override).
    OverridePunch,
    /// Enter or correct a time on a locked day.
    OverrideDateLock,
    ViewReports,
    ViewCharts,
    ApproveReports,
    ApproveTimesheets,
    /// Add, modify, archive or delete the person, or assign their role.
    ManageUser,
    /// TrackingTime: add time entries by hand.
    AddTimeEntries,
    /// TrackingTime: delete time entries.
    DeleteTimeEntries,
    /// TrackingTime: edit everything in a time entry.
    EditTimeEntries,
    /// TrackingTime: edit only basic information of a time entry.
    EditBasicTimeEntries,
}

/// The rights an action needs: any of `own` for oneself, any of `other` (plus
/// the rank rule) for someone else, or `all` for anyone regardless of rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub own: &'static [Right],
    pub other: &'static [Right],
    pub all: Option<Right>,
}

impl OnBehalf {
    pub const ALL: &'static [OnBehalf] = &[
        OnBehalf::TrackTime,
        OnBehalf::TrackExpenses,
        OnBehalf::OverridePunch,
        OnBehalf::OverrideDateLock,
        OnBehalf::ViewReports,
        OnBehalf::ViewCharts,
        OnBehalf::ApproveReports,
        OnBehalf::ApproveTimesheets,
        OnBehalf::ManageUser,
        OnBehalf::AddTimeEntries,
        OnBehalf::DeleteTimeEntries,
        OnBehalf::EditTimeEntries,
        OnBehalf::EditBasicTimeEntries,
    ];

    pub fn needs(self) -> Needs {
        use Right::*;
        let (own, other, all): (&'static [Right], &'static [Right], Option<Right>) = match self {
            OnBehalf::TrackTime => (&[TrackOwnTime], &[TrackTime], None),
            OnBehalf::TrackExpenses => (&[TrackOwnExpenses], &[TrackExpenses], None),
            OnBehalf::OverridePunch => (&[OverrideOwnPunchMode], &[OverridePunchMode], None),
            OnBehalf::OverrideDateLock => (&[OverrideOwnDateLock], &[OverrideDateLock], None),
            OnBehalf::ViewReports => (&[ViewOwnReports], &[ViewReports], Some(ViewAllReports)),
            OnBehalf::ViewCharts => (&[ViewOwnCharts], &[ViewCharts], None),
            // Anuko has no "approve own reports"; approve_all_reports covers oneself.
            OnBehalf::ApproveReports => (&[], &[ApproveReports], Some(ApproveAllReports)),
            OnBehalf::ApproveTimesheets => (&[ApproveOwnTimesheets], &[ApproveTimesheets], None),
            OnBehalf::ManageUser => (&[ManageOwnAccount], &[ManageUsers], None),
            // TrackingTime uses one permission for own and others' entries.
            OnBehalf::AddTimeEntries => (&[AddTimeEntries], &[AddTimeEntries], None),
            OnBehalf::DeleteTimeEntries => (&[DeleteTimeEntries], &[DeleteTimeEntries], None),
            OnBehalf::EditTimeEntries => (&[EditAllTimeEntries], &[EditAllTimeEntries], None),
            OnBehalf::EditBasicTimeEntries => (
                &[EditBasicTimeEntries, EditAllTimeEntries],
                &[EditBasicTimeEntries, EditAllTimeEntries],
                None,
            ),
        };
        Needs { own, other, all }
    }
}

/// May `actor` do `action` to their own data?
pub fn may_act_on_own(actor: &Role, action: OnBehalf) -> Result<(), Refusal> {
    let needs = action.needs();
    if needs.all.is_some_and(|r| actor.has(r)) || needs.own.iter().any(|&r| actor.has(r)) {
        return Ok(());
    }
    let right = needs
        .own
        .first()
        .copied()
        .or(needs.all)
        .unwrap_or(Right::AdministerSite);
    Err(Refusal::MissingRight { right })
}

/// May `actor` do `action` to the data of someone else whose role is `target`?
/// Callers pass a different person's role: two people may share a role, so this
/// function cannot tell "own" from "other" by itself.
pub fn may_act_on(actor: &Role, target: &Role, action: OnBehalf) -> Result<(), Refusal> {
    let needs = action.needs();
    if needs.all.is_some_and(|r| actor.has(r)) {
        return Ok(());
    }
    match needs.other.iter().find(|&&r| actor.has(r)) {
        None => Err(Refusal::MissingRight {
            right: needs
                .other
                .first()
                .copied()
                .unwrap_or(Right::AdministerSite),
        }),
        Some(_) if actor.rank <= target.rank => Err(Refusal::RankTooLow),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::RoleId;
    use crate::domain::rights::RightSet;
    use crate::domain::role::Preset;
    use uuid::Uuid;

    fn role(rank: i32, rights: &[Right]) -> Role {
        Role {
            id: RoleId(Uuid::from_u128(rank as u128)),
            name: format!("rank {rank}"),
            rank,
            rights: RightSet::of(rights),
            fixed: false,
            preset: None,
        }
    }

    fn preset(p: Preset) -> Role {
        Role::preset(p, RoleId(Uuid::from_u128(p as u128)))
    }

    #[test]
    fn acting_on_others_needs_the_right_and_a_strictly_higher_rank() {
        use Preset::*;
        type Row = (&'static str, Preset, Preset, OnBehalf, Result<(), Refusal>);
        let table: Vec<Row> = vec![
            (
                "supervisor tracks time for a user",
                Supervisor,
                User,
                OnBehalf::TrackTime,
                Ok(()),
            ),
            (
                "user cannot track time for a user",
                User,
                User,
                OnBehalf::TrackTime,
                Err(Refusal::MissingRight {
                    right: Right::TrackTime,
                }),
            ),
            (
                "supervisor cannot track time for a supervisor",
                Supervisor,
                Supervisor,
                OnBehalf::TrackTime,
                Err(Refusal::RankTooLow),
            ),
            (
                "supervisor cannot track time for a co-manager",
                Supervisor,
                CoManager,
                OnBehalf::TrackTime,
                Err(Refusal::RankTooLow),
            ),
            (
                "supervisor overrides a user's punch",
                Supervisor,
                User,
                OnBehalf::OverridePunch,
                Ok(()),
            ),
            (
                "supervisor cannot override a co-manager's punch",
                Supervisor,
                CoManager,
                OnBehalf::OverridePunch,
                Err(Refusal::RankTooLow),
            ),
            (
                "supervisor views a user's reports",
                Supervisor,
                User,
                OnBehalf::ViewReports,
                Ok(()),
            ),
            (
                "supervisor cannot view a manager's reports",
                Supervisor,
                Manager,
                OnBehalf::ViewReports,
                Err(Refusal::RankTooLow),
            ),
            (
                "view_all_reports lifts the rank limit",
                CoManager,
                TopManager,
                OnBehalf::ViewReports,
                Ok(()),
            ),
            (
                "approve_all_reports lifts the rank limit",
                Manager,
                TopManager,
                OnBehalf::ApproveReports,
                Ok(()),
            ),
            (
                "approve_reports alone keeps the rank limit",
                CoManager,
                Manager,
                OnBehalf::ApproveReports,
                Err(Refusal::RankTooLow),
            ),
            (
                "approve timesheets has no all-right",
                Manager,
                TopManager,
                OnBehalf::ApproveTimesheets,
                Err(Refusal::RankTooLow),
            ),
            (
                "co-manager manages a supervisor",
                CoManager,
                Supervisor,
                OnBehalf::ManageUser,
                Ok(()),
            ),
            (
                "co-manager cannot manage a co-manager",
                CoManager,
                CoManager,
                OnBehalf::ManageUser,
                Err(Refusal::RankTooLow),
            ),
            (
                "supervisor cannot manage users",
                Supervisor,
                User,
                OnBehalf::ManageUser,
                Err(Refusal::MissingRight {
                    right: Right::ManageUsers,
                }),
            ),
            (
                "project manager adds a coworker's entries",
                ProjectManager,
                Coworker,
                OnBehalf::AddTimeEntries,
                Ok(()),
            ),
            (
                "coworker cannot add a coworker's entries",
                Coworker,
                Coworker,
                OnBehalf::AddTimeEntries,
                Err(Refusal::RankTooLow),
            ),
            (
                "coworker cannot delete others' entries",
                Coworker,
                Client,
                OnBehalf::DeleteTimeEntries,
                Err(Refusal::MissingRight {
                    right: Right::DeleteTimeEntries,
                }),
            ),
            (
                "edit-all covers basic edits",
                ProjectManager,
                Coworker,
                OnBehalf::EditBasicTimeEntries,
                Ok(()),
            ),
            (
                "client cannot track anyone",
                Client,
                User,
                OnBehalf::TrackTime,
                Err(Refusal::MissingRight {
                    right: Right::TrackTime,
                }),
            ),
            (
                "administrator has no group rights",
                Administrator,
                User,
                OnBehalf::TrackTime,
                Err(Refusal::MissingRight {
                    right: Right::TrackTime,
                }),
            ),
        ];
        for (label, actor, target, action, expected) in table {
            assert_eq!(
                may_act_on(&preset(actor), &preset(target), action),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn acting_on_own_data_uses_the_own_right() {
        use Preset::*;
        let table: Vec<(&str, Preset, OnBehalf, Result<(), Refusal>)> = vec![
            ("user tracks own time", User, OnBehalf::TrackTime, Ok(())),
            (
                "client does not track own time",
                Client,
                OnBehalf::TrackTime,
                Err(Refusal::MissingRight {
                    right: Right::TrackOwnTime,
                }),
            ),
            (
                "user cannot override own punch",
                User,
                OnBehalf::OverridePunch,
                Err(Refusal::MissingRight {
                    right: Right::OverrideOwnPunchMode,
                }),
            ),
            (
                "supervisor overrides own punch",
                Supervisor,
                OnBehalf::OverridePunch,
                Ok(()),
            ),
            (
                "supervisor overrides own date lock",
                Supervisor,
                OnBehalf::OverrideDateLock,
                Ok(()),
            ),
            (
                "user cannot override own date lock",
                User,
                OnBehalf::OverrideDateLock,
                Err(Refusal::MissingRight {
                    right: Right::OverrideOwnDateLock,
                }),
            ),
            (
                "view_all_reports covers own reports",
                CoManager,
                OnBehalf::ViewReports,
                Ok(()),
            ),
            (
                "nobody approves own reports without approve_all_reports",
                CoManager,
                OnBehalf::ApproveReports,
                Err(Refusal::MissingRight {
                    right: Right::ApproveAllReports,
                }),
            ),
            (
                "manager approves own timesheets",
                Manager,
                OnBehalf::ApproveTimesheets,
                Ok(()),
            ),
            (
                "supervisor cannot approve own timesheets",
                Supervisor,
                OnBehalf::ApproveTimesheets,
                Err(Refusal::MissingRight {
                    right: Right::ApproveOwnTimesheets,
                }),
            ),
        ];
        for (label, actor, action, expected) in table {
            assert_eq!(may_act_on_own(&preset(actor), action), expected, "{label}");
        }
    }

    #[test]
    fn rank_is_compared_strictly_and_works_with_custom_ranks() {
        let lead = role(10, &[Right::TrackTime]);
        assert_eq!(
            may_act_on(&lead, &role(9, &[]), OnBehalf::TrackTime),
            Ok(())
        );
        assert_eq!(
            may_act_on(&lead, &role(10, &[]), OnBehalf::TrackTime),
            Err(Refusal::RankTooLow)
        );
        assert_eq!(
            may_act_on(&lead, &role(-5, &[]), OnBehalf::TrackTime),
            Ok(())
        );
        let empty = role(1, &[]);
        assert_eq!(
            may_act_on_own(&empty, OnBehalf::ApproveReports),
            Err(Refusal::MissingRight {
                right: Right::ApproveAllReports
            })
        );
    }

    #[test]
    fn every_action_needs_some_right() {
        for &a in OnBehalf::ALL {
            let n = a.needs();
            assert!(!n.other.is_empty(), "{a:?}");
            assert!(!n.own.is_empty() || n.all.is_some(), "{a:?}");
        }
    }
}
