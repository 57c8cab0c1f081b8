//! Messages into `update` and commands out of it. The runtime turns terminal
//! events, ticks, the sync status and answers from the journal and the PIN
//! checker into [`Msg`]s, and carries out the [`Cmd`]s `update` returns.

use chrono::{DateTime, TimeDelta, Utc};

use super::input::KeyInput;
use super::model::{AdminChangeRow, EditEntry};
use super::roster::Roster;
use crate::domain::{Event, EventDraft, EventId, PersonId, PinAttempts, PrivilegedPinGate};
use crate::sync::status::SyncStatus;
use crate::wire::RosterEntry;

#[derive(Clone, Debug)]
pub enum Msg {
    /// The clock: sent every second and before each input.
    Tick {
        now: DateTime<Utc>,
        utc_offset_secs: i32,
    },
    Key(KeyInput),
    /// A key with Ctrl held (Ctrl-C, Ctrl-Z, Ctrl-\, Ctrl-D...): ignored, the
    /// kiosk cannot be left this way.
    Ctrl(char),
    /// A complete badge scan, prefix and suffix removed.
    Badge(String),
    /// A burst that looked like a scan but was not one.
    BadScan,
    Tap {
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    Sync(Box<SyncStatus>),
    /// The cached roster, read again (at start and when its version changed).
    Roster(Result<Box<Roster>, String>),
    /// The journal's answer to [`Cmd::Record`].
    Recorded {
        request: u64,
        result: Result<Recorded, String>,
    },
    /// The answer to [`Cmd::VerifyPin`]: right or wrong, or why it could not be
    /// checked.
    PinChecked {
        request: u64,
        person: PersonId,
        result: Result<bool, String>,
    },
    /// The answer to [`Cmd::LoadPinAttempts`].
    PinAttempts {
        person: PersonId,
        attempts: PinAttempts,
    },
    /// The answer to [`Cmd::LoadPrivilegedGate`] (`None`: the journal could not
    /// be read).
    PrivilegedGate(Option<PrivilegedPinGate>),
    /// The answer to [`Cmd::LoadParked`].
    Parked(Result<Vec<ParkedRow>, String>),
    /// The answer to [`Cmd::LoadRosterEntries`].
    RosterEntries(Result<Vec<EditEntry>, String>),
    /// The answer to [`Cmd::LoadCandidates`]: people and teams to add.
    Candidates(Result<Vec<EditEntry>, String>),
    /// The answer to [`Cmd::QueueRosterChange`]: in the journal, or why not.
    AdminQueued(Result<(), String>),
    /// The answer to [`Cmd::LoadAdminChanges`].
    AdminChanges(Result<Vec<AdminChangeRow>, String>),
    /// The answer to [`Cmd::Reenroll`]: the device's new name, or why not.
    Reenrolled(Result<String, String>),
}

/// What the journal committed, with the hours of the person it was for.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub events: Vec<Event>,
    pub hours: Option<Hours>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours {
    pub today: TimeDelta,
    pub week: TimeDelta,
}

/// An event the hub refused, as the admin screen lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedRow {
    pub id: EventId,
    pub subject: String,
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    /// Record these events in one transaction; answer with [`Msg::Recorded`]
    /// (with today's and this week's hours of `hours_for`).
    Record {
        request: u64,
        drafts: Vec<EventDraft>,
        utc_offset_secs: i32,
        hours_for: Option<PersonId>,
    },
    /// Check a PIN off the screen thread (argon2id is slow); answer with
    /// [`Msg::PinChecked`].
    VerifyPin {
        request: u64,
        person: PersonId,
        pin: String,
        verifier: String,
    },
    LoadPinAttempts {
        person: PersonId,
    },
    /// Store the wrong-PIN counter in the journal (a restart does not reset it).
    SavePinAttempts {
        person: PersonId,
        attempts: PinAttempts,
    },
    /// Read the device-wide gate on privileged PINs from the journal.
    LoadPrivilegedGate,
    /// Store the gate (a restart does not reset it).
    SavePrivilegedGate(PrivilegedPinGate),
    Bell,
    /// Tell the sync worker there is something to send.
    NudgeSync,
    LoadParked,
    RetryParked(EventId),
    /// Leave the kiosk (Admin only).
    Exit,
    /// The roster editor's entries: the latest roster change queued here, else
    /// the cached roster.
    LoadRosterEntries,
    /// Ask the hub who could be put on the roster (as `acting` may see it).
    LoadCandidates {
        acting: PersonId,
    },
    /// Queue the whole roster as `acting` edited it, for the sync worker to send.
    QueueRosterChange {
        acting: PersonId,
        entries: Vec<RosterEntry>,
    },
    LoadAdminChanges,
    /// Enroll again at `hub` with a one-time `code`; pending events stay.
    Reenroll {
        hub: String,
        code: String,
    },
}
