//! The hub's tunable limits. Every default is a number a test or benchmark checks.

use std::time::Duration;

/// Limits and rates of one hub.
#[derive(Clone, Debug, PartialEq)]
pub struct HubConfig {
    /// Requests per second one device may make, sustained.
    pub device_rate_per_sec: f64,
    /// Requests one device may make in a burst.
    pub device_burst: u32,
    /// Enrollment attempts per second from one address, sustained.
    pub enroll_rate_per_sec: f64,
    /// Enrollment attempts from one address in a burst.
    pub enroll_burst: u32,
    /// Longest a request may take before the hub answers 503.
    pub request_timeout: Duration,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            // A kiosk catching up after an outage sends batches back to back
            // (about 60 a second); a lower limit would stretch every drain.
            device_rate_per_sec: 100.0,
            device_burst: 100,
            enroll_rate_per_sec: 0.2,
            enroll_burst: 10,
            request_timeout: Duration::from_secs(30),
        }
    }
}
