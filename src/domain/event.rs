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

/// What happened. Read strictly: a field the kind does not have (even `null`) is
/// refused, for unit kinds too (serde's `deny_unknown_fields` alone lets them
/// through in an internally tagged enum), through [`KindWire`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    deny_unknown_fields,
    try_from = "KindWire"
)]
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

/// Every field any [`EventKind`] has, as read; each field is `Some` when present
/// (`Some(None)` when `null`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindWire {
    #[serde(rename = "type")]
    kind: KindName,
    #[serde(default, deserialize_with = "present")]
    job: Option<Option<JobId>>,
    #[serde(default, deserialize_with = "present")]
    corrects: Option<Option<EventId>>,
    #[serde(default, deserialize_with = "present")]
    new_time: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "present")]
    reason: Option<Option<String>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    ClockIn,
    ClockOut,
    BreakStart,
    BreakEnd,
    CheckIn,
    CheckOut,
    Correction,
}

/// A field that is present (possibly `null`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl TryFrom<KindWire> for EventKind {
    type Error = String;

    fn try_from(w: KindWire) -> Result<Self, String> {
        fn required<T>(field: Option<Option<T>>, name: &str) -> Result<T, String> {
            match field {
                Some(Some(v)) => Ok(v),
                Some(None) => Err(format!("invalid type: null for field `{name}`")),
                None => Err(format!("missing field `{name}`")),
            }
        }
        let given = [
            ("job", w.job.is_some()),
            ("corrects", w.corrects.is_some()),
            ("new_time", w.new_time.is_some()),
            ("reason", w.reason.is_some()),
        ];
        let kind = match w.kind {
            KindName::ClockIn => EventKind::ClockIn,
            KindName::ClockOut => EventKind::ClockOut,
            KindName::BreakStart => EventKind::BreakStart,
            KindName::BreakEnd => EventKind::BreakEnd,
            KindName::CheckIn => EventKind::CheckIn {
                job: required(w.job, "job")?,
            },
            KindName::CheckOut => EventKind::CheckOut {
                job: required(w.job, "job")?,
            },
            KindName::Correction => EventKind::Correction {
                corrects: required(w.corrects, "corrects")?,
                new_time: required(w.new_time, "new_time")?,
                reason: required(w.reason, "reason")?,
            },
        };
        let has = |field: &str| match kind {
            EventKind::CheckIn { .. } | EventKind::CheckOut { .. } => field == "job",
            EventKind::Correction { .. } => field != "job",
            _ => false,
        };
        match given.iter().find(|(field, is)| *is && !has(field)) {
            Some((field, _)) => Err(format!(
                "unknown field `{field}` for a {} event",
                kind.name()
            )),
            None => Ok(kind),
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
    /// The hub's clock minus the device's, in milliseconds, as the device
    /// estimated it when recording (`None` before it ever reached the hub). `at`
    /// stays the device's reading; this lets a reviewer judge a skewed clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_ms: Option<i64>,
}

impl Event {
    /// The instant in the device's local time.
    pub fn local_time(&self) -> DateTime<FixedOffset> {
        self.at.with_timezone(&fixed_offset(self.utc_offset_secs))
    }
}

/// An offset in seconds east of UTC. One outside ±24 h cannot come from a real
/// clock (or be configured on purpose): it reads as UTC.
pub(crate) fn fixed_offset(utc_offset_secs: i32) -> FixedOffset {
    FixedOffset::east_opt(utc_offset_secs).unwrap_or(Utc.fix())
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<EventKind, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds_round_trip_and_unknown_fields_are_refused() {
        let job = JobId::new();
        let kinds = [
            EventKind::ClockIn,
            EventKind::BreakEnd,
            EventKind::CheckOut { job },
            EventKind::Correction {
                corrects: EventId::new(),
                new_time: DateTime::from_timestamp_nanos(1_700_000_000_123_456_789),
                reason: "late".into(),
            },
        ];
        for kind in kinds {
            let text = serde_json::to_value(&kind).unwrap();
            assert_eq!(read(text.clone()).unwrap(), kind);
            let mut extra = text;
            extra["extra"] = json!(1);
            assert!(read(extra).unwrap_err().contains("unknown field"));
        }
        let err = read(json!({"type": "clock_in", "job": job})).unwrap_err();
        assert!(err.contains("unknown field `job`"), "{err}");
        let err = read(json!({"type": "clock_out", "reason": null})).unwrap_err();
        assert!(err.contains("unknown field `reason`"), "{err}");
        let err = read(json!({"type": "check_in"})).unwrap_err();
        assert!(err.contains("missing field `job`"), "{err}");
        let err = read(json!({"type": "check_in", "job": null})).unwrap_err();
        assert!(err.contains("null"), "{err}");
        let err = read(json!({"type": "nap"})).unwrap_err();
        assert!(err.contains("unknown variant"), "{err}");
        assert!(
            read(json!({"job": job}))
                .unwrap_err()
                .contains("missing field `type`")
        );
    }
}
