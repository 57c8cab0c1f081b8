//! The rules of tapin, from the seeds: people, roles and rights, jobs, teams,
//! events, punch state and the decision of what a tap records.
//!
//! Pure: no I/O, no clock, no randomness. The kiosk and the hub both call it, so a
//! punch refused at the device is refused for the same reason at the hub.

pub mod event;
pub mod ids;

pub use event::{Actor, Event, EventDraft, EventKind, Method};
pub use ids::{DeviceId, EventId, JobId, PersonId, RoleId, TeamId};
