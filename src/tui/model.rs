//! The kiosk's state: which screen, what is typed and selected, the roster, the
//! sync status, and what is waiting for an answer. Only `update` changes it.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, Utc};

use super::msg::{Hours, ParkedRow};
use super::roster::Roster;
use super::settings::ScreenSettings;
use crate::domain::{DeviceId, JobId, Method, PersonId, PinAttempts, PrivilegedPinGate, Refusal};
use crate::sync::status::SyncStatus;

/// The device, as the screen names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub id: DeviceId,
    pub name: String,
    pub hub_url: String,
}

/// What one person can do now (the Actions screen's buttons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ClockIn,
    ClockOut,
    BreakStart,
    BreakEnd,
    CheckIn,
    SwitchJob,
    CheckOut,
    Crew,
    MissedPunch,
    /// A supervisor enters someone's start or finish time (punch mode override).
    Override,
}

/// Crew buttons of the Team lead screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrewAction {
    ClockIn,
    ClockOut,
    StartJob,
    StopJob,
    CheckOutMember,
}

/// What a confirmation says was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    One { action: Action, job: Option<JobId> },
    Crew { action: CrewAction, count: usize },
}

/// Why the person is being identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Punch,
    Admin,
    /// A supervisor signs in to enter a time: for `subject` (from the
    /// missed-punch screen), or for someone they pick next.
    Override {
        subject: Option<PersonId>,
    },
}

/// The job picker over the Actions or Team lead screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobPicker {
    pub query: String,
    pub selected: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    Home,
    Identify {
        purpose: Purpose,
        query: String,
        selected: usize,
    },
    Pin {
        purpose: Purpose,
        person: PersonId,
        /// How the person was picked (a badge keeps `Badge` after the PIN).
        picked_by: Method,
        digits: String,
        attempts: Option<PinAttempts>,
    },
    Actions {
        person: PersonId,
        method: Method,
        /// Whether the person proved who they are (badge or PIN): needed to act
        /// as themselves (missed punch, crew).
        proven: bool,
        selected: usize,
        picker: Option<(Action, JobPicker)>,
    },
    Crew {
        lead: PersonId,
        cursor: usize,
        chosen: BTreeSet<PersonId>,
        picker: Option<JobPicker>,
    },
    MissedPunch {
        person: PersonId,
        method: Method,
        proven: bool,
        since: DateTime<Utc>,
        digits: String,
    },
    Confirm {
        name: String,
        done: Done,
        at: DateTime<Utc>,
        hours: Option<Hours>,
        until: DateTime<Utc>,
    },
    Admin {
        admin: PersonId,
        page: AdminPage,
    },
    /// A supervisor picks whose start or finish time to enter.
    OverridePick {
        supervisor: PersonId,
        query: String,
        selected: usize,
    },
    /// A supervisor enters `subject`'s start or finish time, then a reason.
    Override {
        supervisor: PersonId,
        subject: PersonId,
        form: OverrideForm,
    },
}

/// The supervisor's entry: which punch, the day and the typed time, then the
/// reason (a preset, or typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideForm {
    pub punch: crate::domain::EnteredPunch,
    /// The local day the time is on.
    pub day: chrono::NaiveDate,
    /// HHMM as typed, up to four digits.
    pub digits: String,
    /// The checked instant: set once the time was accepted, when the reason is asked.
    pub at: Option<DateTime<Utc>>,
    /// The reason button selected (Enter chooses it).
    pub selected: usize,
    /// The typed reason, once "other" was chosen.
    pub other: Option<String>,
}

impl Screen {
    /// The Actions screen of `person`, first button selected, no picker.
    pub fn actions(person: PersonId, method: Method, proven: bool) -> Self {
        Screen::Actions {
            person,
            method,
            proven,
            selected: 0,
            picker: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPage {
    Menu,
    Queue {
        rows: Option<Result<Vec<ParkedRow>, String>>,
        selected: usize,
    },
    Device,
    ConfirmExit,
    /// The device roster editor.
    Roster(RosterEditor),
    /// Sync and clock: link, queues, last answer, clock offset.
    Sync {
        changes: Option<Result<Vec<AdminChangeRow>, String>>,
    },
    /// Enroll this kiosk again (a new hub URL and one-time code).
    Reenroll(ReenrollForm),
}

/// One line of the device roster editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditEntry {
    pub item: crate::wire::RosterItem,
    pub name: String,
    pub group: Option<String>,
}

/// What the roster editor is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditMode {
    List,
    /// Typing the group (tab) of the selected entry.
    Group {
        text: String,
    },
    /// Picking someone to add, from the hub's list.
    Add {
        query: String,
        selected: usize,
        candidates: Option<Result<Vec<EditEntry>, String>>,
    },
}

/// The device roster editor: the entries as they will be sent, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEditor {
    pub entries: Option<Result<Vec<EditEntry>, String>>,
    pub cursor: usize,
    pub mode: EditMode,
    /// Changed since loaded or saved.
    pub dirty: bool,
}

/// A roster change made here, as the sync view lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminChangeRow {
    pub queued_at: DateTime<Utc>,
    pub by: String,
    /// Why the hub refused it; `None` while it waits.
    pub refused: Option<String>,
}

/// The re-enroll form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReenrollForm {
    pub url: String,
    pub code: String,
    /// 0: the URL, 1: the code.
    pub field: usize,
    pub step: ReenrollStep,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReenrollStep {
    Editing,
    /// Asked to confirm, with the events still waiting.
    Confirm,
    Working,
    Failed(String),
    /// Enrolled as this device name; the kiosk restarts.
    Done(String),
}

/// A message on the current screen until the next input.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Refused(Refusal),
    WrongPin {
        left: u32,
    },
    Locked {
        until: DateTime<Utc>,
    },
    /// No privileged PIN (Admin, override) is checked on this device before
    /// `until`, whoever types it.
    PrivilegedWait {
        until: DateTime<Utc>,
    },
    NoPin,
    UnknownBadge,
    BadScan,
    NotAdmin,
    BadTime,
    NoJobs,
    /// A failure outside the domain (a broken PIN verifier...), already worded.
    Problem(String),
    /// The roster change is in the journal, on its way to the hub.
    Queued,
    /// Leaving the roster editor would drop changes.
    Unsaved,
    /// The entered re-enrollment URL or code cannot be used.
    BadEnrollment,
}

/// A decision sent to the journal and not answered yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub request: u64,
    pub name: String,
    pub done: Done,
    /// Enough to decide again for "try again" after a journal error.
    pub retry: Retry,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    pub screen: Screen,
    pub key: super::input::KeyInput,
}

/// The journal could not record: shown full screen in red.
#[derive(Clone, Debug, PartialEq)]
pub struct NotRecorded {
    pub error: String,
    pub retry: Option<Retry>,
}

#[derive(Clone, Debug)]
pub struct Model {
    pub settings: ScreenSettings,
    pub device: DeviceInfo,
    pub now: DateTime<Utc>,
    pub utc_offset_secs: i32,
    pub size: (u16, u16),
    pub roster: Option<Roster>,
    pub sync: Option<SyncStatus>,
    pub screen: Screen,
    pub tab: usize,
    pub scroll: usize,
    pub notice: Option<Notice>,
    pub not_recorded: Option<NotRecorded>,
    pub pending: Option<Pending>,
    /// A PIN check in flight.
    pub checking_pin: Option<u64>,
    /// The device-wide gate on privileged PINs, as last read from or written to
    /// the journal (`None` before the first privileged PIN pad).
    pub privileged_gate: Option<PrivilegedPinGate>,
    pub last_input: DateTime<Utc>,
    pub next_request: u64,
    pub exiting: bool,
    /// When the hub last answered (the sync status said online).
    pub last_sync: Option<DateTime<Utc>>,
    /// Leave the screen to start the kiosk again (after re-enrolling).
    pub restart: bool,
    /// The F1 help, drawn over the screen, with its selected row (see
    /// `update::help`).
    pub help: Option<usize>,
}

impl Model {
    pub fn new(settings: ScreenSettings, device: DeviceInfo, now: DateTime<Utc>) -> Self {
        Model {
            settings,
            device,
            now,
            utc_offset_secs: 0,
            size: (80, 24),
            roster: None,
            sync: None,
            screen: Screen::Home,
            tab: 0,
            scroll: 0,
            notice: None,
            not_recorded: None,
            pending: None,
            checking_pin: None,
            privileged_gate: None,
            last_input: now,
            next_request: 1,
            exiting: false,
            last_sync: None,
            restart: false,
            help: None,
        }
    }

    pub fn offset(&self) -> FixedOffset {
        crate::domain::event::fixed_offset(self.utc_offset_secs)
    }

    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset())
    }

    pub fn strings(&self) -> &'static super::catalog::Catalog {
        self.settings.language.catalog()
    }

    pub fn request_id(&mut self) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        id
    }
}
