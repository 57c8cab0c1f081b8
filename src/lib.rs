//! tapin: a time clock for shared devices. See README.md for the module map.

pub mod cli;
pub mod config;
pub mod domain;
pub mod hub;
pub mod journal;
pub mod logging;
pub mod sanitize;
pub mod secrets;
pub mod sync;
pub mod tls;
pub mod tui;
pub mod wire;
