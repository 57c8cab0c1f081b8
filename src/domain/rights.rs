//! Access rights. Every right named in the Anuko role guide (seed 001) plus the
//! TrackingTime time-entry permissions and its billing permission (seed 002).
//!
//! Guarantees: a right's name is the seed's string everywhere (storage, wire, role
//! editor): `as_str`, `FromStr` and serde agree, because all three come from one
//! list below. A [`RightSet`] iterates and serializes in name order, so a role
//! serializes the same way on every device.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Declares `Right` from one list so the enum, its names and descriptions cannot
/// drift apart.
macro_rules! rights {
    ($($variant:ident = $name:literal : $desc:literal,)*) => {
        /// One access right. Its serde name is the seed's snake_case string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Right {
            $(
                #[doc = $desc]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl Right {
            /// Every right, in the order the seeds list them.
            pub const ALL: &'static [Right] = &[$(Right::$variant,)*];

            /// The seed's name of the right, e.g. `"track_own_time"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Right::$variant => $name,)*
                }
            }

            /// What the right allows, in the seed's words (for the role editor).
            pub fn description(self) -> &'static str {
                match self {
                    $(Right::$variant => $desc,)*
                }
            }
        }
    };
}

rights! {
    // Administrator (fixed).
    AdministerSite = "administer_site": "Can administer a site as a whole.",
    // Top manager additions over Manager.
    ViewClientUnapproved = "view_client_unapproved": "A client can view unapproved entries in client reports.",
    DeleteGroup = "delete_group": "Can delete a group and all subgroups.",
    // User.
    TrackOwnTime = "track_own_time": "Can track own time.",
    TrackOwnExpenses = "track_own_expenses": "Can track own expenses.",
    ViewOwnReports = "view_own_reports": "Can view own reports.",
    ViewOwnCharts = "view_own_charts": "Can view own charts.",
    ViewOwnProjects = "view_own_projects": "Can view assigned project names and their descriptions.",
    ViewOwnTasks = "view_own_tasks": "Can view tasks for assigned projects and their descriptions.",
    ManageOwnSettings = "manage_own_settings": "Can edit own settings such as account password.",
    ViewUsers = "view_users": "Can view user names and roles in a group.",
    // Supervisor additions.
    TrackTime = "track_time": "Can track time on behalf of lower rank roles.",
    TrackExpenses = "track_expenses": "Can track expenses on behalf of lower rank roles.",
    ViewReports = "view_reports": "Can view reports for lower rank roles.",
    ApproveReports = "approve_reports": "Can approve reports for lower rank roles.",
    ApproveTimesheets = "approve_timesheets": "Can approve timesheets for lower rank roles.",
    ViewCharts = "view_charts": "Can view charts for lower rank roles.",
    ViewOwnClients = "view_own_clients": "Can view clients assigned to own projects.",
    OverridePunchMode = "override_punch_mode": "Can input any start and finish times for lower rank roles (not self).",
    OverrideOwnPunchMode = "override_own_punch_mode": "Can override punch mode for self.",
    OverrideDateLock = "override_date_lock": "Can override date lock for lower rank roles.",
    OverrideOwnDateLock = "override_own_date_lock": "Can override date lock for self.",
    SwapRoles = "swap_roles": "Can swap roles with someone having a smaller role rank and a smaller set of rights.",
    UpdateWork = "update_work": "Can update work items in progress.",
    // Client.
    ViewClientReports = "view_client_reports": "Can view reports for client account.",
    ViewClientInvoices = "view_client_invoices": "Can view invoices for client account.",
    // Co-manager additions.
    ManageOwnAccount = "manage_own_account": "Can modify own login, name, and email.",
    ManageUsers = "manage_users": "Can add, modify, delete, and assign roles to users with role's rank less than self.",
    ManageProjects = "manage_projects": "Has full access to project management.",
    ManageTasks = "manage_tasks": "Has full access to task management.",
    ManageCustomFields = "manage_custom_fields": "Has full access to custom field management.",
    ManageClients = "manage_clients": "Has full access to client management.",
    ManageInvoices = "manage_invoices": "Has full access to invoice management.",
    OverrideAllowIp = "override_allow_ip": "Can override access restriction based on IP address in group settings.",
    ManageBasicSettings = "manage_basic_settings": "Can manage basic group settings such as language, currency, date and time formats.",
    ViewAllReports = "view_all_reports": "Can view reports for all members of the group including users with higher rank.",
    ManageWork = "manage_work": "Can create and edit work items and accept bids.",
    BidOnWork = "bid_on_work": "Can bid on work items from other groups.",
    // Manager additions.
    ManageFeatures = "manage_features": "Can enable or disable plugins (features) for a group.",
    ManageAdvancedSettings = "manage_advanced_settings": "Can manage advanced group settings such as group name, allow IP, notifications.",
    ManageRoles = "manage_roles": "Can create, modify, and delete roles with rank less than self, adding only rights they hold.",
    ExportData = "export_data": "Can export group and all subgroups data.",
    ApproveAllReports = "approve_all_reports": "Can approve reports for all members of the group including users with higher rank.",
    ApproveOwnTimesheets = "approve_own_timesheets": "Can approve own timesheets.",
    ManageSubgroups = "manage_subgroups": "Can add, modify, and delete subgroups.",
    // TrackingTime advanced permissions on time entries.
    AddTimeEntries = "add_time_entries": "Can add time entries by hand (others' too, for lower rank roles).",
    DeleteTimeEntries = "delete_time_entries": "Can delete time entries (others' too, for lower rank roles).",
    EditAllTimeEntries = "edit_all_time_entries": "Can edit everything in a time entry.",
    EditBasicTimeEntries = "edit_basic_time_entries": "Can edit only basic information of a time entry, such as description.",
    // TrackingTime billing.
    ManageRates = "manage_rates": "Can see and edit rates and costs.",
}

// Ordered by name, not by declaration, so sets list rights alphabetically and
// reordering the list above never changes stored data.
impl Ord for Right {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Right {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A right name that is not in the seeds (e.g. a typo in a config file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown right {name:?}; known rights are: {}", known_names())]
pub struct UnknownRight {
    pub name: String,
}

fn known_names() -> String {
    Right::ALL
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Right {
    type Err = UnknownRight;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Right::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRight { name: s.to_owned() })
    }
}

/// A set of rights; serializes as a list sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RightSet(BTreeSet<Right>);

impl RightSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every right there is.
    pub fn all() -> Self {
        Right::ALL.iter().copied().collect()
    }

    pub fn of(rights: &[Right]) -> Self {
        rights.iter().copied().collect()
    }

    pub fn contains(&self, right: Right) -> bool {
        self.0.contains(&right)
    }

    /// Adds a right; false if it was already there.
    pub fn insert(&mut self, right: Right) -> bool {
        self.0.insert(right)
    }

    /// Removes a right; false if it was not there.
    pub fn remove(&mut self, right: Right) -> bool {
        self.0.remove(&right)
    }

    pub fn is_subset(&self, other: &RightSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn is_superset(&self, other: &RightSet) -> bool {
        self.0.is_superset(&other.0)
    }

    pub fn union(&self, other: &RightSet) -> RightSet {
        RightSet(self.0.union(&other.0).copied().collect())
    }

    /// The rights in `self` that are not in `other`.
    pub fn difference(&self, other: &RightSet) -> RightSet {
        RightSet(self.0.difference(&other.0).copied().collect())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// In name order.
    pub fn iter(&self) -> impl Iterator<Item = Right> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Right> for RightSet {
    fn from_iter<I: IntoIterator<Item = Right>>(iter: I) -> Self {
        RightSet(iter.into_iter().collect())
    }
}

impl Extend<Right> for RightSet {
    fn extend<I: IntoIterator<Item = Right>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl IntoIterator for RightSet {
    type Item = Right;
    type IntoIter = std::collections::btree_set::IntoIter<Right>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a RightSet {
    type Item = Right;
    type IntoIter = std::iter::Copied<std::collections::btree_set::Iter<'a, Right>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

impl fmt::Display for RightSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(r.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names as written in seed 001 (Anuko) and the TrackingTime additions.
    const SEED_NAMES: &[&str] = &[
        "administer_site",
        "view_client_unapproved",
        "delete_group",
        "track_own_time",
        "track_own_expenses",
        "view_own_reports",
        "view_own_charts",
        "view_own_projects",
        "view_own_tasks",
        "manage_own_settings",
        "view_users",
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
        "view_client_reports",
        "view_client_invoices",
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
        "manage_features",
        "manage_advanced_settings",
        "manage_roles",
        "export_data",
        "approve_all_reports",
        "approve_own_timesheets",
        "manage_subgroups",
        "add_time_entries",
        "delete_time_entries",
        "edit_all_time_entries",
        "edit_basic_time_entries",
        "manage_rates",
    ];

    #[test]
    fn every_seed_right_is_named_exactly_once() {
        let names: Vec<&str> = Right::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, SEED_NAMES);
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "duplicate right name");
    }

    #[test]
    fn serde_name_equals_seed_string_and_parses_back() {
        for &right in Right::ALL {
            let json = serde_json::to_string(&right).unwrap();
            assert_eq!(json, format!("\"{}\"", right.as_str()));
            assert_eq!(serde_json::from_str::<Right>(&json).unwrap(), right);
            assert_eq!(right.as_str().parse::<Right>().unwrap(), right);
            assert_eq!(right.to_string(), right.as_str());
            assert!(!right.description().is_empty());
        }
    }

    #[test]
    fn unknown_right_name_is_refused_with_the_name_in_the_message() {
        for bad in ["track_own_tim", "Track_Own_Time", "", " track_own_time"] {
            let err = bad.parse::<Right>().unwrap_err();
            assert_eq!(err.name, bad);
            let msg = err.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.contains("track_own_time"), "lists known names: {msg}");
        }
        assert!(serde_json::from_str::<Right>("\"fly\"").is_err());
    }

    #[test]
    fn right_set_serializes_as_sorted_list_and_ignores_duplicates() {
        let set = RightSet::of(&[Right::ViewUsers, Right::TrackOwnTime, Right::ApproveReports]);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["approve_reports","track_own_time","view_users"]"#);
        let back: RightSet = serde_json::from_str(
            r#"["view_users","approve_reports","track_own_time","view_users"]"#,
        )
        .unwrap();
        assert_eq!(back, set);
        assert_eq!(
            set.to_string(),
            "approve_reports, track_own_time, view_users"
        );
    }

    #[test]
    fn right_set_operations() {
        let small = RightSet::of(&[Right::TrackOwnTime]);
        let mut big = RightSet::of(&[Right::TrackOwnTime, Right::TrackTime]);
        assert!(small.is_subset(&big));
        assert!(big.is_superset(&small));
        assert!(!big.is_subset(&small));
        assert_eq!(big.difference(&small), RightSet::of(&[Right::TrackTime]));
        assert_eq!(small.union(&big), big);
        assert!(big.contains(Right::TrackTime));
        assert!(big.remove(Right::TrackTime));
        assert!(!big.remove(Right::TrackTime));
        assert!(!big.insert(Right::TrackOwnTime));
        assert_eq!(big.len(), 1);
        assert!(RightSet::new().is_empty());
        assert_eq!(RightSet::all().len(), Right::ALL.len());
        let mut ext = RightSet::new();
        ext.extend([Right::ExportData]);
        assert_eq!(
            (&ext).into_iter().collect::<Vec<_>>(),
            vec![Right::ExportData]
        );
    }
}
