//! The device API's wire format: what a kiosk and the hub say to each other over
//! HTTP, shared by the hub's handlers and the kiosk's sync client.
//!
//! Guarantees: requests reject unknown fields (`deny_unknown_fields`), so a typo or
//! a version mismatch is a clear 400, never silently ignored; every error answer is
//! an [`ErrorBody`]; the limits a client must respect are the constants below.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::domain::{DeviceId, Directory, Event, EventId, PersonId, PunchState, TeamId};

/// The admin API's wire format (`/api/v1/admin/...`).
pub mod admin;
/// The admin API's wire format for devices and rosters.
pub mod admin_devices;
/// The admin API's wire format for events, corrections and timesheets.
pub mod admin_records;
/// A device's own roster changes, from its Admin screen.
pub mod device_roster;
/// The organisation dump of `tapin hub export` / `import` and `GET /api/v1/admin/export`.
pub mod org_dump;

/// Events one `POST /api/v1/device/events` may carry.
pub const MAX_BATCH_EVENTS: usize = 1_000;
/// Bytes one events request body may have.
pub const MAX_BATCH_BYTES: usize = 2 * 1024 * 1024;
/// Bytes any other request body may have.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Bytes of an event's `note` or a correction's `reason`.
pub const MAX_TEXT_BYTES: usize = 500;
/// Bytes of a device name.
pub const MAX_NAME_BYTES: usize = 100;
/// How long an enrollment code stays valid, in hours.
pub const ENROLLMENT_CODE_HOURS: i64 = 24;

/// An organisation: the unit of isolation on a hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub Uuid);

impl OrgId {
    /// A fresh, time-ordered id (UUIDv7).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for OrgId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `POST /api/v1/enroll`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The one-time code an admin got from `device add` (case, spaces and dashes
    /// do not matter).
    pub code: String,
    /// A new name for the device; the admin's name stays when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The answer to a successful enrollment. The token is shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: DeviceId,
    /// Sent as `Authorization: Bearer TOKEN` on every device call.
    pub device_token: String,
    /// The organisation's PIN pepper, for checking PINs against roster verifiers.
    pub pin_pepper: String,
    pub org_id: OrgId,
    pub device_name: String,
}

impl fmt::Debug for EnrollResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollResponse")
            .field("device_id", &self.device_id)
            .field("device_token", &"<secret>")
            .field("pin_pepper", &"<secret>")
            .field("org_id", &self.org_id)
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// `POST /api/v1/device/events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsRequest {
    /// At most [`MAX_BATCH_EVENTS`].
    pub events: Vec<Event>,
}

/// The answer to an events batch: one result per event, in the request's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsResponse {
    pub results: Vec<EventResult>,
}

/// What the hub did with one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventResult {
    pub id: EventId,
    pub status: EventStatus,
    /// Why it was rejected (`status = rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The punch rule it breaks (`status = accepted`): stored all the same, and
    /// shown to admins for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<String>,
}

/// The fate of one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Stored now.
    Accepted,
    /// Stored before (same event id): a success, nothing stored twice.
    Duplicate,
    /// Not stored, and never will be as it is: the device should park it.
    Rejected,
}

impl EventStatus {
    /// Both `accepted` and `duplicate` mean the hub holds the event: the device may
    /// drop it from its outbox.
    pub fn is_stored(self) -> bool {
        matches!(self, EventStatus::Accepted | EventStatus::Duplicate)
    }

    /// Stable name, as on the wire.
    pub fn name(self) -> &'static str {
        match self {
            EventStatus::Accepted => "accepted",
            EventStatus::Duplicate => "duplicate",
            EventStatus::Rejected => "rejected",
        }
    }
}

/// `GET /api/v1/device/time`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeResponse {
    /// The hub's clock when it answered (RFC 3339, microseconds, UTC).
    #[serde(with = "rfc3339_micros")]
    pub hub_time: DateTime<Utc>,
}

/// `GET /api/v1/device/roster`: what this device may show, and everything its
/// decisions need about those people. Sent with an `ETag`; a request with a
/// matching `If-None-Match` gets 304 and no body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterResponse {
    pub org_id: OrgId,
    pub device_id: DeviceId,
    /// The ETag, unquoted: changes whenever anything the roster shows changes.
    pub version: String,
    /// When this document was made (the hub keeps it and sends the same bytes
    /// again while its version holds).
    #[serde(with = "rfc3339_micros")]
    pub generated_at: DateTime<Utc>,
    /// What the screen shows, in order: people and whole teams, each in a named
    /// group (a tab) or in none.
    pub entries: Vec<RosterEntry>,
    /// The people shown (not archived: the people of the entries, the crews and
    /// leads of their teams), their roles, teams and the jobs they may check in to,
    /// and the organisation's settings.
    pub directory: Directory,
    /// For each person of the directory: where they stand now and their PIN
    /// verifier.
    pub people: Vec<RosterPerson>,
}

/// One line of a device's roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The tab it is shown under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub item: RosterItem,
}

/// A person, or a whole team (its lead and crew).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum RosterItem {
    Person(PersonId),
    Team(TeamId),
}

/// What a device needs about one person beyond the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterPerson {
    pub id: PersonId,
    /// Folded from the events the hub holds when the roster is made.
    pub state: PunchState,
    /// argon2id of the PIN keyed with the organisation's pepper; `None` when the
    /// person has no PIN.
    pub pin_verifier: Option<String>,
}

/// The body of every 4xx and 5xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// RFC 3339 with exactly six fractional digits and `Z`.
mod rfc3339_micros {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        DateTime::<Utc>::deserialize(d)
    }
}
