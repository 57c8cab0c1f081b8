//! Roles: a name, an integer rank and a set of rights (Anuko, seed 001), and the
//! preset roles an organisation starts with.
//!
//! Guarantees: the Anuko presets carry exactly the seed's default rights and ranks,
//! each editable role including the rights of the one below it as the seed says
//! (Supervisor = User + its list, Co-manager = Supervisor + its list, Manager =
//! Co-manager + its list); Top manager holds every group right (all but
//! `administer_site`) and Administrator only `administer_site`, both fixed. The
//! TrackingTime presets (seed 002) are mapped onto the same rights, each including
//! the one below it.

use serde::{Deserialize, Serialize};

use super::ids::RoleId;
use super::rights::{Right, RightSet};

/// A role of an organisation. Every person has exactly one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: RoleId,
    pub name: String,
    /// Acting on another person's data needs a rank strictly above theirs.
    pub rank: i32,
    pub rights: RightSet,
    /// Built in and not editable (Administrator, Top manager).
    pub fixed: bool,
    /// The preset this role was made from, if any (it may have been edited since).
    pub preset: Option<Preset>,
}

impl Role {
    /// A role made from a preset, with the seed's name, rank and rights.
    pub fn preset(preset: Preset, id: RoleId) -> Role {
        Role {
            id,
            name: preset.name().to_owned(),
            rank: preset.rank(),
            rights: preset.rights(),
            fixed: preset.is_fixed(),
            preset: Some(preset),
        }
    }

    pub fn has(&self, right: Right) -> bool {
        self.rights.contains(right)
    }
}

/// Every preset as a role, ids chosen by the caller (a fresh organisation passes
/// `|_| RoleId::new()`; the domain itself never makes random ids).
pub fn presets(mut id_for: impl FnMut(Preset) -> RoleId) -> Vec<Role> {
    Preset::ALL
        .iter()
        .map(|&p| Role::preset(p, id_for(p)))
        .collect()
}

/// The predefined roles: Anuko's seven and TrackingTime's four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    // Anuko (seed 001).
    Administrator,
    TopManager,
    Manager,
    CoManager,
    Supervisor,
    User,
    Client,
    // TrackingTime (seed 002).
    TrackingTimeAdmin,
    TrackingTimeManager,
    ProjectManager,
    Coworker,
}

use Right::*;

/// Anuko default User role rights.
const USER: &[Right] = &[
    TrackOwnTime,
    TrackOwnExpenses,
    ViewOwnReports,
    ViewOwnCharts,
    ViewOwnProjects,
    ViewOwnTasks,
    ManageOwnSettings,
    ViewUsers,
];

/// What Supervisor has on top of User.
const SUPERVISOR_ADDS: &[Right] = &[
    TrackTime,
    TrackExpenses,
    ViewReports,
    ApproveReports,
    ApproveTimesheets,
    ViewCharts,
    ViewOwnClients,
    OverridePunchMode,
    OverrideOwnPunchMode,
    OverrideDateLock,
    OverrideOwnDateLock,
    SwapRoles,
    UpdateWork,
];

/// What Co-manager has on top of Supervisor.
const CO_MANAGER_ADDS: &[Right] = &[
    ManageOwnAccount,
    ManageUsers,
    ManageProjects,
    ManageTasks,
    ManageCustomFields,
    ManageClients,
    ManageInvoices,
    OverrideAllowIp,
    ManageBasicSettings,
    ViewAllReports,
    ManageWork,
    BidOnWork,
];

/// What Manager has on top of Co-manager.
const MANAGER_ADDS: &[Right] = &[
    ManageFeatures,
    ManageAdvancedSettings,
    ManageRoles,
    ExportData,
    ApproveAllReports,
    ApproveOwnTimesheets,
    ManageSubgroups,
];

const CLIENT: &[Right] = &[ViewClientReports, ViewClientInvoices, ManageOwnSettings];

/// TrackingTime Coworker: tracks own time, adds entries and edits their basic
/// information, sees only their own time and assigned projects and tasks.
const COWORKER: &[Right] = &[
    TrackOwnTime,
    AddTimeEntries,
    EditBasicTimeEntries,
    ViewOwnReports,
    ViewOwnProjects,
    ViewOwnTasks,
    ManageOwnSettings,
];

/// What a Project manager has on top of Anuko Supervisor and Coworker: the
/// "time entries from other users" permissions.
const PROJECT_MANAGER_ADDS: &[Right] = &[
    AddTimeEntries,
    DeleteTimeEntries,
    EditAllTimeEntries,
    EditBasicTimeEntries,
    ViewReports,
];

impl Preset {
    /// Every preset: Anuko's seven, then TrackingTime's four.
    pub const ALL: &'static [Preset] = &[
        Preset::Administrator,
        Preset::TopManager,
        Preset::Manager,
        Preset::CoManager,
        Preset::Supervisor,
        Preset::User,
        Preset::Client,
        Preset::TrackingTimeAdmin,
        Preset::TrackingTimeManager,
        Preset::ProjectManager,
        Preset::Coworker,
    ];

    /// The Anuko family of presets: the first seven of [`Preset::ALL`].
    pub const ANUKO: &'static [Preset] = Preset::ALL.split_at(7).0;

    /// The TrackingTime family of presets: the rest of [`Preset::ALL`].
    pub const TRACKING_TIME: &'static [Preset] = Preset::ALL.split_at(7).1;

    /// The role's name as its product shows it.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Administrator => "Administrator",
            Preset::TopManager => "Top manager",
            Preset::Manager => "Manager",
            Preset::CoManager => "Co-manager",
            Preset::Supervisor => "Supervisor",
            Preset::User => "User",
            Preset::Client => "Client",
            Preset::TrackingTimeAdmin => "Admin",
            Preset::TrackingTimeManager => "Manager",
            Preset::ProjectManager => "Project manager",
            Preset::Coworker => "Coworker",
        }
    }

    /// Anuko default ranks; TrackingTime's roles take the rank of the Anuko role
    /// they resemble.
    pub fn rank(self) -> i32 {
        match self {
            Preset::Administrator => 1024,
            Preset::TopManager => 512,
            Preset::Manager | Preset::TrackingTimeAdmin => 324,
            Preset::CoManager | Preset::TrackingTimeManager => 68,
            Preset::Client => 16,
            Preset::Supervisor | Preset::ProjectManager => 12,
            Preset::User | Preset::Coworker => 4,
        }
    }

    /// Administrator and Top manager cannot be edited or removed.
    pub fn is_fixed(self) -> bool {
        matches!(self, Preset::Administrator | Preset::TopManager)
    }

    /// The preset's default rights.
    pub fn rights(self) -> RightSet {
        match self {
            Preset::Administrator => RightSet::of(&[AdministerSite]),
            Preset::TopManager => {
                let mut all = RightSet::all();
                all.remove(AdministerSite);
                all
            }
            Preset::Manager => Preset::CoManager
                .rights()
                .union(&RightSet::of(MANAGER_ADDS)),
            Preset::CoManager => Preset::Supervisor
                .rights()
                .union(&RightSet::of(CO_MANAGER_ADDS)),
            Preset::Supervisor => RightSet::of(USER).union(&RightSet::of(SUPERVISOR_ADDS)),
            Preset::User => RightSet::of(USER),
            Preset::Client => RightSet::of(CLIENT),
            Preset::Coworker => RightSet::of(COWORKER),
            Preset::ProjectManager => Preset::Supervisor
                .rights()
                .union(&RightSet::of(COWORKER))
                .union(&RightSet::of(PROJECT_MANAGER_ADDS)),
            Preset::TrackingTimeManager => Preset::CoManager
                .rights()
                .union(&Preset::ProjectManager.rights()),
            Preset::TrackingTimeAdmin => {
                let mut r = Preset::Manager
                    .rights()
                    .union(&Preset::TrackingTimeManager.rights());
                r.insert(ManageRates);
                r
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn names(set: &RightSet) -> Vec<&'static str> {
        let mut v: Vec<_> = set.iter().map(|r| r.as_str()).collect();
        v.sort_unstable();
        v
    }

    fn sorted(list: &[&'static str]) -> Vec<&'static str> {
        let mut v = list.to_vec();
        v.sort_unstable();
        v
    }

    const SEED_USER: &[&str] = &[
        "track_own_time",
        "track_own_expenses",
        "view_own_reports",
        "view_own_charts",
        "view_own_projects",
        "view_own_tasks",
        "manage_own_settings",
        "view_users",
    ];
    const SEED_SUPERVISOR: &[&str] = &[
        "track_time",
        "track_expenses",
        "view_reports",
        "approve_reports",
        "approve_timesheets",
        "view_charts",
        "view_own_clients",
        "override_punch_mode",
        "override_own_punch_mode",
        "override_date_lock",
        "override_own_date_lock",
        "swap_roles",
        "update_work",
    ];
    const SEED_CO_MANAGER: &[&str] = &[
        "manage_own_account",
        "manage_users",
        "manage_projects",
        "manage_tasks",
        "manage_custom_fields",
        "manage_clients",
        "manage_invoices",
        "override_allow_ip",
        "manage_basic_settings",
        "view_all_reports",
        "manage_work",
        "bid_on_work",
    ];
    const SEED_MANAGER: &[&str] = &[
        "manage_features",
        "manage_advanced_settings",
        "manage_roles",
        "export_data",
        "approve_all_reports",
        "approve_own_timesheets",
        "manage_subgroups",
    ];
    const TT_TIME_ENTRIES: &[&str] = &[
        "add_time_entries",
        "delete_time_entries",
        "edit_all_time_entries",
        "edit_basic_time_entries",
    ];

    fn concat(parts: &[&[&'static str]]) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn each_preset_has_exactly_the_seed_rights_and_rank() {
        let all_but_admin: Vec<&str> = Right::ALL
            .iter()
            .map(|r| r.as_str())
            .filter(|n| *n != "administer_site")
            .collect();
        let coworker: &[&str] = &[
            "track_own_time",
            "add_time_entries",
            "edit_basic_time_entries",
            "view_own_reports",
            "view_own_projects",
            "view_own_tasks",
            "manage_own_settings",
        ];
        let table: Vec<(Preset, &str, i32, bool, Vec<&str>)> = vec![
            (
                Preset::Administrator,
                "Administrator",
                1024,
                true,
                vec!["administer_site"],
            ),
            (
                Preset::TopManager,
                "Top manager",
                512,
                true,
                sorted(&all_but_admin),
            ),
            (
                Preset::Manager,
                "Manager",
                324,
                false,
                concat(&[SEED_USER, SEED_SUPERVISOR, SEED_CO_MANAGER, SEED_MANAGER]),
            ),
            (
                Preset::CoManager,
                "Co-manager",
                68,
                false,
                concat(&[SEED_USER, SEED_SUPERVISOR, SEED_CO_MANAGER]),
            ),
            (
                Preset::Supervisor,
                "Supervisor",
                12,
                false,
                concat(&[SEED_USER, SEED_SUPERVISOR]),
            ),
            (Preset::User, "User", 4, false, sorted(SEED_USER)),
            (
                Preset::Client,
                "Client",
                16,
                false,
                sorted(&[
                    "view_client_reports",
                    "view_client_invoices",
                    "manage_own_settings",
                ]),
            ),
            (Preset::Coworker, "Coworker", 4, false, sorted(coworker)),
            (
                Preset::ProjectManager,
                "Project manager",
                12,
                false,
                concat(&[SEED_USER, SEED_SUPERVISOR, coworker, TT_TIME_ENTRIES]),
            ),
            (
                Preset::TrackingTimeManager,
                "Manager",
                68,
                false,
                concat(&[
                    SEED_USER,
                    SEED_SUPERVISOR,
                    SEED_CO_MANAGER,
                    coworker,
                    TT_TIME_ENTRIES,
                ]),
            ),
            (
                Preset::TrackingTimeAdmin,
                "Admin",
                324,
                false,
                concat(&[
                    SEED_USER,
                    SEED_SUPERVISOR,
                    SEED_CO_MANAGER,
                    SEED_MANAGER,
                    coworker,
                    TT_TIME_ENTRIES,
                    &["manage_rates"],
                ]),
            ),
        ];
        assert_eq!(
            table.len(),
            Preset::ALL.len(),
            "every preset is in the table"
        );
        for (preset, name, rank, fixed, rights) in table {
            let role = Role::preset(preset, RoleId(Uuid::nil()));
            assert_eq!(role.name, name, "{preset:?} name");
            assert_eq!(role.rank, rank, "{preset:?} rank");
            assert_eq!(role.fixed, fixed, "{preset:?} fixed");
            assert_eq!(role.preset, Some(preset));
            assert_eq!(names(&role.rights), rights, "{preset:?} rights");
        }
    }

    #[test]
    fn each_editable_anuko_role_includes_the_one_below() {
        let chain = [
            Preset::User,
            Preset::Supervisor,
            Preset::CoManager,
            Preset::Manager,
            Preset::TopManager,
        ];
        for pair in chain.windows(2) {
            let (lower, upper) = (pair[0], pair[1]);
            assert!(
                lower.rights().is_subset(&upper.rights()),
                "{lower:?} within {upper:?}"
            );
            assert!(lower.rank() < upper.rank());
        }
        let tt = [
            Preset::Coworker,
            Preset::ProjectManager,
            Preset::TrackingTimeManager,
            Preset::TrackingTimeAdmin,
        ];
        for pair in tt.windows(2) {
            assert!(
                pair[0].rights().is_subset(&pair[1].rights()),
                "{:?} within {:?}",
                pair[0],
                pair[1]
            );
            assert!(pair[0].rank() < pair[1].rank());
        }
    }

    #[test]
    fn only_top_manager_and_tracking_time_admin_see_rates() {
        for &p in Preset::ALL {
            let expected = matches!(p, Preset::TopManager | Preset::TrackingTimeAdmin);
            assert_eq!(p.rights().contains(Right::ManageRates), expected, "{p:?}");
        }
    }

    #[test]
    fn presets_uses_the_given_ids_and_serde_round_trips() {
        let roles = presets(|p| RoleId(Uuid::from_u128(p as u128 + 1)));
        assert_eq!(roles.len(), Preset::ALL.len());
        assert_eq!(
            Preset::ANUKO.len() + Preset::TRACKING_TIME.len(),
            Preset::ALL.len()
        );
        for (role, &p) in roles.iter().zip(Preset::ALL) {
            assert_eq!(role.id, RoleId(Uuid::from_u128(p as u128 + 1)));
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(&serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert_eq!(
            serde_json::to_string(&Preset::CoManager).unwrap(),
            "\"co_manager\""
        );
    }
}
