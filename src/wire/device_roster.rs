//! The device API's wire format for changing a device's own roster from its
//! Admin screen (`/api/v1/device/roster/changes`, `/api/v1/device/roster/candidates`).
//!
//! The device token alone is not enough: every request names the acting person
//! (whose own PIN the kiosk checked), and the hub checks that person's rights and
//! rank with the domain's rules. A change is the whole roster, in order, each
//! entry in a group (a tab) or none, so sending it twice gives the same roster.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RosterEntry;
use crate::domain::{PersonId, TeamId};

/// Most entries a device roster change may hold.
pub const MAX_CHANGE_ENTRIES: usize = 20_000;

/// `POST /api/v1/device/roster/changes`: replace this device's roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterChange {
    /// Made by the kiosk when the change was queued (for the audit trail and logs).
    pub id: Uuid,
    /// Who made the change at the kiosk.
    pub acting: PersonId,
    /// The whole roster, in order.
    pub entries: Vec<RosterEntry>,
}

/// The hub's answer to a [`RosterChange`] it applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterChangeApplied {
    pub id: Uuid,
    /// Entries on the roster now.
    pub entries: usize,
}

/// `GET /api/v1/device/roster/candidates?acting=ID`: who could be put on this
/// device's roster (the organisation's people not archived, and its teams).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterCandidates {
    pub people: Vec<Candidate<PersonId>>,
    pub teams: Vec<Candidate<TeamId>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate<Id> {
    pub id: Id,
    pub name: String,
}
