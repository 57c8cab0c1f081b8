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
}
