//! PIN lockout: after [`MAX_PIN_FAILURES`] wrong PINs in a row, that person is
//! locked out on that device for [`PIN_LOCKOUT`].
//!
//! Guarantees: pure functions of the counter and the time given; the counter
//! starts again from zero when a lock is set, so each lock follows exactly
//! `MAX_PIN_FAILURES` failures; a lock is never extended by attempts made while
//! locked (the kiosk does not check a PIN during a lock at all).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Wrong PINs in a row that lock a person out on a device.
pub const MAX_PIN_FAILURES: u32 = 5;

/// How long a lockout lasts.
pub const PIN_LOCKOUT: TimeDelta = TimeDelta::minutes(5);

/// After a wrong PIN, `failures` being the count in a row including this one:
/// the time the person is locked until, if this failure locks them.
pub fn after_failure(failures: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (failures >= MAX_PIN_FAILURES).then(|| now + PIN_LOCKOUT)
}

/// Whether a lock set until `locked_until` still holds at `now`.
pub fn is_locked(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    locked_until.is_some_and(|until| now < until)
}

/// One person's PIN attempts on one device, as the journal stores them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinAttempts {
    /// Wrong PINs in a row since the last success or the last lock.
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PinAttempts {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        is_locked(self.locked_until, now)
    }

    /// The attempts after a wrong PIN at `now`.
    pub fn failed(self, now: DateTime<Utc>) -> Self {
        if self.is_locked(now) {
            return self;
        }
        let failures = self.failures.saturating_add(1);
        match after_failure(failures, now) {
            Some(until) => PinAttempts {
                failures: 0,
                locked_until: Some(until),
            },
            None => PinAttempts {
                failures,
                locked_until: None,
            },
        }
    }

    /// The attempts after a right PIN: all forgiven.
    pub fn succeeded(self) -> Self {
        PinAttempts::default()
    }
}

/// Wrong privileged PINs (the Admin screen, a supervisor's override) in a row on
/// one device that cost nothing: a fumbled PIN is forgiven twice.
pub const FREE_PRIVILEGED_FAILURES: u32 = 2;

/// The wait after the first privileged failure beyond the free ones; it doubles
/// with each further failure.
pub const FIRST_PRIVILEGED_WAIT: TimeDelta = TimeDelta::seconds(30);

/// The longest wait: one hour, so a guesser gets about 24 tries a day while a
/// real administrator locked out by one is never kept out longer than that.
pub const MAX_PRIVILEGED_WAIT: TimeDelta = TimeDelta::hours(1);

/// How long the device refuses privileged PINs after `failures` wrong ones in a
/// row (any person's): nothing for the free ones, then 30 s, 1 min, 2 min, ...
/// up to an hour.
pub fn privileged_wait(failures: u32) -> Option<TimeDelta> {
    let beyond = failures.checked_sub(FREE_PRIVILEGED_FAILURES + 1)?;
    // 2^7 × 30 s is past the cap already; clamping the shift keeps it in range.
    let factor = 1_i32 << beyond.min(7);
    let wait = FIRST_PRIVILEGED_WAIT
        .checked_mul(factor)
        .unwrap_or(MAX_PRIVILEGED_WAIT);
    Some(wait.min(MAX_PRIVILEGED_WAIT))
}

/// Device-wide guard on the PINs that open privileged screens: each person's own
/// lockout ([`PinAttempts`]) still applies, and on top of it every wrong
/// privileged PIN, whoever it was for, makes the next try wait longer. Someone
/// trying PIN after PIN on the administrators of a kiosk gets slower and slower
/// instead of five free tries per person every five minutes.
///
/// Unlike [`PinAttempts`], the counter does not start again after a wait: only
/// a right privileged PIN resets it. Tries during a wait are not checked and not
/// counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegedPinGate {
    /// Wrong privileged PINs in a row on this device.
    pub failures: u32,
    /// No privileged PIN is checked before then.
    pub wait_until: Option<DateTime<Utc>>,
}

impl PrivilegedPinGate {
    /// The time until which a privileged PIN is refused, if that is still ahead.
    pub fn waiting(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.wait_until.filter(|until| now < *until)
    }

    /// The gate after a wrong privileged PIN at `now`.
    pub fn failed(self, now: DateTime<Utc>) -> Self {
        if self.waiting(now).is_some() {
            return self;
        }
        let failures = self.failures.saturating_add(1);
        PrivilegedPinGate {
            failures,
            wait_until: privileged_wait(failures).map(|wait| now + wait),
        }
    }

    /// The gate after a right privileged PIN: open, all forgiven.
    pub fn succeeded(self) -> Self {
        PrivilegedPinGate::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 10, 8, 0, 0).unwrap() + TimeDelta::seconds(secs)
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes() {
        let table = [
            (1, None),
            (4, None),
            (5, Some(t(300))),
            (6, Some(t(300))),
            (u32::MAX, Some(t(300))),
        ];
        for (failures, expected) in table {
            assert_eq!(
                after_failure(failures, t(0)),
                expected,
                "{failures} failures"
            );
        }
        assert!(is_locked(Some(t(300)), t(299)));
        assert!(
            !is_locked(Some(t(300)), t(300)),
            "the lock ends at its time"
        );
        assert!(!is_locked(None, t(0)));
    }

    #[test]
    fn attempts_lock_after_the_fifth_and_restart_after_the_lock() {
        let mut a = PinAttempts::default();
        for i in 0..4 {
            a = a.failed(t(i));
            assert!(!a.is_locked(t(i)));
        }
        a = a.failed(t(10));
        assert_eq!(
            a,
            PinAttempts {
                failures: 0,
                locked_until: Some(t(310))
            }
        );
        assert!(a.is_locked(t(309)));
        // Tries during the lock do not extend it.
        assert_eq!(a.failed(t(100)), a);
        // After the lock, four more failures do not lock again; the fifth does.
        let mut b = a;
        for i in 0..4 {
            b = b.failed(t(400 + i));
            assert!(!b.is_locked(t(400 + i)));
        }
        assert!(b.failed(t(500)).is_locked(t(500)));
    }

    #[test]
    fn a_right_pin_forgives_earlier_failures() {
        let a = PinAttempts::default().failed(t(0)).failed(t(1)).succeeded();
        assert_eq!(a, PinAttempts::default());
        let json = serde_json::to_string(&a.failed(t(2))).unwrap();
        assert_eq!(
            serde_json::from_str::<PinAttempts>(&json).unwrap().failures,
            1
        );
    }
    #[test]
    fn privileged_waits_double_from_the_third_failure_up_to_an_hour() {
        let table = [
            (0, None),
            (1, None),
            (2, None),
            (3, Some(30)),
            (4, Some(60)),
            (5, Some(120)),
            (6, Some(240)),
            (9, Some(1920)),
            (10, Some(3600)),
            (11, Some(3600)),
            (40, Some(3600)),
            (u32::MAX, Some(3600)),
        ];
        for (failures, secs) in table {
            assert_eq!(
                privileged_wait(failures),
                secs.map(TimeDelta::seconds),
                "{failures} failures"
            );
        }
    }

    #[test]
    fn the_privileged_gate_grows_ignores_tries_while_waiting_and_opens_on_success() {
        let mut g = PrivilegedPinGate::default();
        g = g.failed(t(0)).failed(t(1));
        assert_eq!(g.waiting(t(1)), None, "two free tries");
        g = g.failed(t(2));
        assert_eq!(g.waiting(t(2)), Some(t(32)));
        assert_eq!(g.waiting(t(32)), None, "the wait ends at its time");
        // A try during the wait neither counts nor extends it.
        assert_eq!(g.failed(t(20)), g);
        g = g.failed(t(40));
        assert_eq!((g.failures, g.waiting(t(40))), (4, Some(t(100))));
        g = g.failed(t(100));
        assert_eq!(g.waiting(t(100)), Some(t(220)), "the wait doubled");
        assert_eq!(g.succeeded(), PrivilegedPinGate::default());
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<PrivilegedPinGate>(&json).unwrap(), g);
    }
}
