//! Events: the only facts tapin records. Events are never edited or deleted; a
//! correction is a new event naming the one it corrects.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{DeviceId, EventId, JobId, PersonId};

/// Who pressed the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A person: the subject themselves, their team lead, or a supervisor.
    Person(PersonId),
    /// The kiosk user of a device (PK4 "Kiosk User"), acting for anyone on its roster.
    Kiosk(DeviceId),
}

/// How the actor identified themselves or chose the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Badge,
    Pin,
    RosterTap,
    /// A team lead acting for a crew member.
    Team,
    /// A supervisor entering a time for someone (punch mode override).
    SupervisorOverride,
    /// Entered through the hub's admin API.
    Admin,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    ClockIn,
    ClockOut,
    BreakStart,
    BreakEnd,
    CheckIn {
        job: JobId,
    },
    CheckOut {
        job: JobId,
    },
    /// Moves the time of an earlier event. Reports read the corrected time; the
    /// audit trail keeps both.
    Correction {
        corrects: EventId,
        new_time: DateTime<Utc>,
        reason: String,
    },
}

impl EventKind {
    /// Stable short name, used in storage, logs and CSV.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ClockIn => "clock_in",
            EventKind::ClockOut => "clock_out",
            EventKind::BreakStart => "break_start",
            EventKind::BreakEnd => "break_end",
            EventKind::CheckIn { .. } => "check_in",
            EventKind::CheckOut { .. } => "check_out",
            EventKind::Correction { .. } => "correction",
        }
    }
}

/// An event as decided, before the journal gives it an id and a sequence number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDraft {
    pub subject: PersonId,
    pub actor: Actor,
    pub method: Method,
    pub kind: EventKind,
    /// When it happened: the device clock for punches, or the time a supervisor
    /// entered for an override.
    pub at: DateTime<Utc>,
    /// Set when a person or supervisor entered the time instead of the clock
    /// reading it: the reason given. Such events are shown for review.
    pub note: Option<String>,
    /// The event needs a supervisor's look (a self-reported missed punch).
    pub needs_review: bool,
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// UUIDv7 made on the device: the idempotency key all the way to the hub.
    pub id: EventId,
    pub device: DeviceId,
    /// Per-device sequence number, gap-free and increasing, assigned at commit.
    pub seq: u64,
    pub subject: PersonId,
    pub actor: Actor,
    pub method: Method,
    pub kind: EventKind,
    /// The UTC instant.
    pub at: DateTime<Utc>,
    /// The device's UTC offset at that instant, in seconds east of UTC.
    pub utc_offset_secs: i32,
    pub note: Option<String>,
    pub needs_review: bool,
}

impl Event {
    /// The instant in the device's local time.
    pub fn local_time(&self) -> DateTime<FixedOffset> {
        // An offset outside ±24 h cannot come from a real clock; show UTC then.
        let offset = FixedOffset::east_opt(self.utc_offset_secs).unwrap_or(Utc.fix());
        self.at.with_timezone(&offset)
    }
}
