//! The rules of tapin, from the seeds: people, roles and rights, jobs, teams,
//! events, punch state and the decision of what a tap records.
//!
//! Pure: no I/O, no clock, no randomness. The kiosk and the hub both call it, so a
//! punch refused at the device is refused for the same reason at the hub.

pub mod authority;
pub mod decide;
pub mod event;
pub mod ids;
pub mod intent;
pub mod person;
pub mod pin_policy;
pub mod refusal;
pub mod rights;
pub mod role;
pub mod role_admin;
pub mod roster;
pub mod state;
pub mod timesheet;

pub use authority::{OnBehalf, may_act_on, may_act_on_own};
pub use decide::decide;
pub use event::{Actor, Event, EventDraft, EventKind, Method};
pub use ids::{DeviceId, EventId, JobId, PersonId, RoleId, TeamId};
pub use intent::{CorrectionTarget, EnteredPunch, Intent};
pub use person::{Job, JobAccess, Person, Team, TrackingMode};
pub use pin_policy::{MAX_PIN_FAILURES, PIN_LOCKOUT, PinAttempts, PrivilegedPinGate};
pub use refusal::{Refusal, Who};
pub use rights::{Right, RightSet, UnknownRight};
pub use role::{Preset, Role, presets};
pub use role_admin::{
    AdminRefusal, may_assign_role, may_create_role, may_edit_role, may_manage_user,
    may_remove_role, may_swap_roles,
};
pub use roster::{Directory, OrgSettings};
pub use state::{
    Anomaly, AnomalyKind, Applied, Clock, OnJob, PunchState, Replay, corrected_times, fold, replay,
};
pub use timesheet::{
    LoggedEvent, Money, RatePeriod, Timesheet, TimesheetOptions, TimesheetRequest, hours_since,
    timesheet, to_csv, to_jobs_csv,
};

#[cfg(test)]
mod tests;
