//! The sync engine: gets every journal event to the hub exactly once, whatever the
//! network does, keeps the roster cache fresh and estimates the clock offset.
//!
//! - [`client`]: the device API calls, every answer sorted for the worker;
//! - [`worker`]: the one task that drains the outbox and pulls the roster;
//! - [`retry`]: backoff with full jitter and `Retry-After`;
//! - [`clock`]: the offset to the hub's clock;
//! - [`status`]: what the screen is told;
//! - [`admin_changes`]: roster changes made at the kiosk, sent after the events.

pub mod admin_changes;
pub mod client;
pub mod clock;
pub mod enroll;
pub mod retry;
pub mod status;
pub mod worker;
