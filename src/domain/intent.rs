//! What someone at a device (or the admin API) asks to record. An intent is a
//! wish; [`decide()`](crate::domain::decide()) turns it into events or a refusal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::Event;
use super::ids::{EventId, JobId, PersonId};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Intent {
    // --- One person, at the device's clock ------------------------------------
    ClockIn {
        subject: PersonId,
    },
    /// Also checks out of the open job and ends an open break, same instant.
    ClockOut {
        subject: PersonId,
    },
    /// Also checks out of the open job, same instant.
    BreakStart {
        subject: PersonId,
    },
    BreakEnd {
        subject: PersonId,
    },
    CheckIn {
        subject: PersonId,
        job: JobId,
    },
    CheckOut {
        subject: PersonId,
    },
    /// Check out of the current job and in to `job`, same instant.
    SwitchJob {
        subject: PersonId,
        job: JobId,
    },

    // --- A team lead for their crew (actor = the lead, method = Team) ---------
    /// Clock in the chosen crew members; those already in are left as they are.
    CrewClockIn {
        members: Vec<PersonId>,
    },
    /// Clock out the chosen crew members; those already out are left as they are.
    CrewClockOut {
        members: Vec<PersonId>,
    },
    /// Check every crew member who is clocked in (and not on a break) in to `job`,
    /// moving them off any other job.
    CrewStartJob {
        job: JobId,
    },
    /// Check out every crew member who is on `job`.
    CrewStopJob {
        job: JobId,
    },
    /// Check one crew member out of their job; the rest of the crew stays on it.
    CrewCheckOutMember {
        member: PersonId,
    },

    // --- Entered times (punch mode overrides) ----------------------------------
    /// A supervisor enters a start or finish time, with a reason.
    OverridePunch {
        subject: PersonId,
        punch: EnteredPunch,
        at: DateTime<Utc>,
        reason: String,
    },
    /// Moves the time of a recorded event. Recorded as a new event.
    Correct {
        target: CorrectionTarget,
        new_time: DateTime<Utc>,
        reason: String,
    },
    /// A person (or their lead) reports a punch they forgot, with the time it
    /// happened; recorded for a supervisor's review.
    ReportMissedPunch {
        subject: PersonId,
        punch: EnteredPunch,
        at: DateTime<Utc>,
        reason: String,
    },
}

/// The start or the finish of a stretch of work, for entered times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnteredPunch {
    /// Start: a clock-in.
    ClockIn,
    /// Finish: a clock-out (with its check-out and break end); for an
    /// individual user, the check-out of their open job.
    ClockOut,
}

/// The event a correction names: enough to check who owns it and which days it
/// touches without reading the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CorrectionTarget {
    pub event: EventId,
    pub subject: PersonId,
    /// The event's time as recorded (or as last corrected).
    pub at: DateTime<Utc>,
}

impl CorrectionTarget {
    pub fn of(event: &Event) -> Self {
        CorrectionTarget {
            event: event.id,
            subject: event.subject,
            at: event.at,
        }
    }
}
