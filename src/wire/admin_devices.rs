//! The admin API's wire format for devices and their rosters
//! (`/api/v1/admin/devices/...`), shared by the hub's handlers and `tapin admin`.
//!
//! Guarantees: requests reject unknown fields; every answered object carries `id`
//! (a roster entry's `id` is the person's or team's id); people and teams carry
//! `name`; lists are JSON arrays; the enrollment code appears only in the answer
//! that creates it, and its `Debug` is redacted.
//!
//! Roster semantics (`PUT /api/v1/admin/devices/{device}/roster`): a roster is an
//! ordered list of entries, each a person or a whole team (its lead and crew), each
//! in one named group (a tab on the kiosk) or in none. A [`SetRoster`] replaces the
//! entries of exactly one group, `group` (or, when `group` is absent, the entries
//! in no group), and leaves every other group as it is. The new entries are the
//! people in the order given, then the teams in the order given (a repeated
//! reference counts once). They take the place of the group's first old entry, so
//! the tabs keep their order; a group not on the roster yet is added at the end.
//! Setting a group to no people and no teams removes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::DeviceId;

/// `POST /api/v1/admin/devices`: a new kiosk and its one-time enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub name: String,
}

/// A device just added: the code enrolls it once, until `expires_at`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCreated {
    pub id: DeviceId,
    pub name: String,
    /// Type it on the kiosk (`tapin enroll`); shown this once.
    pub enrollment_code: String,
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for DeviceCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCreated")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("enrollment_code", &"<secret>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A kiosk as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: DeviceId,
    pub name: String,
    /// `pending` (not enrolled yet), `enrolled` or `revoked`.
    pub status: DeviceStatus,
    pub created_at: DateTime<Utc>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// When the latest unused enrollment code expires, if there is one.
    pub code_expires_at: Option<DateTime<Utc>>,
    /// Entries on its roster.
    pub roster_entries: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Pending,
    Enrolled,
    Revoked,
}

impl DeviceStatus {
    pub fn name(self) -> &'static str {
        match self {
            DeviceStatus::Pending => "pending",
            DeviceStatus::Enrolled => "enrolled",
            DeviceStatus::Revoked => "revoked",
        }
    }
}

/// `PATCH /api/v1/admin/devices/{device}`: rename.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicePatch {
    pub name: String,
}

/// `PUT /api/v1/admin/devices/{device}/roster`: replace one group's entries (see
/// the module documentation). People and teams by id or name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRoster {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub teams: Vec<String>,
}

/// `GET /api/v1/admin/devices/{device}/roster`, and the answer to a `PUT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterView {
    /// The device's id.
    pub id: DeviceId,
    /// The device's name.
    pub name: String,
    /// The entries, in the order the kiosk shows them.
    pub entries: Vec<RosterEntryView>,
}

/// One roster entry: a person or a whole team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntryView {
    /// The person's or the team's id.
    pub id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: RosterEntryKind,
    pub name: String,
    /// The tab it is shown under; `null` for none.
    pub group: Option<String>,
    /// An archived person stays on the roster but is not shown until unarchived.
    pub archived: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterEntryKind {
    Person,
    Team,
}
