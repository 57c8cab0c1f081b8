//! The hub's HTTP handlers, one file per endpoint group. Each handler takes
//! already-checked input (strict JSON, an authenticated device) from the extractors
//! and answers JSON or an [`ApiError`](super::error::ApiError).

pub mod admin;
pub mod device_roster;
pub mod enroll;
pub mod events;
pub mod health;
pub mod roster;
pub mod time;
