//! When to try again: exponential backoff with full jitter, and the hub's
//! `Retry-After`.
//!
//! Full jitter (a uniform draw between zero and the exponential ceiling) spreads a
//! fleet of kiosks that lost the hub at the same moment, so they do not come back
//! in lockstep and knock it over again.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// The exponential ceiling of retry `n` is `base * 2^n`, at most `cap`.
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap: cap.max(base),
            failures: 0,
        }
    }

    /// The longest wait: also the clamp for `Retry-After`.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// How many failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling of the next wait, without drawing.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Counts a failure and draws the wait before the next attempt: uniform in
    /// `[0, ceiling]`. With `retry_after`, at least the hub's wish (clamped to the
    /// cap): a hub that keeps answering `Retry-After: 0` is still backed off from,
    /// not hammered in a tight loop.
    pub fn next_delay(&mut self, retry_after: Option<Duration>, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling();
        self.failures = self.failures.saturating_add(1);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let drawn = Duration::from_millis(rng.gen_range(0..=ceiling_ms));
        match retry_after {
            Some(wish) => wish.min(self.cap).max(drawn),
            None => drawn,
        }
    }

    /// A success: the next failure starts from `base` again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
/// A date in the past means "now"; anything else unreadable is `None` (the caller
/// falls back to its own backoff).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 still means "a very long time": the cap applies.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 08:00:00 GMT").expect("date");
        let cases: [(&str, Option<u64>); 11] = [
            ("0", Some(0)),
            ("120", Some(120)),
            (" 7 ", Some(7)),
            ("99999999999999999999999", Some(u64::MAX)),
            ("Wed, 25 Nov 2026 08:00:30 GMT", Some(30)),
            ("Wed, 25 Nov 2026 07:59:00 GMT", Some(0)),
            ("Wednesday, 25-Nov-26 08:01:00 GMT", Some(60)),
            ("-5", None),
            ("1.5", None),
            ("", None),
            ("soon\u{1b}[2J", None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                parse_retry_after(value, now).map(|d| d.as_secs()),
                expected,
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap_and_draws_stay_under_it() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
        let mut ceilings = Vec::new();
        for _ in 0..14 {
            let ceiling = backoff.ceiling();
            ceilings.push(ceiling.as_millis());
            let delay = backoff.next_delay(None, &mut rng);
            assert!(delay <= ceiling, "{delay:?} > {ceiling:?}");
        }
        assert_eq!(
            ceilings,
            [
                100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000,
                60000
            ]
        );
        backoff.reset();
        assert_eq!(backoff.ceiling(), Duration::from_millis(100));
    }

    #[test]
    fn draws_are_spread_not_fixed() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut backoff = Backoff::new(Duration::from_secs(10), Duration::from_secs(10));
        let draws: Vec<Duration> = (0..200)
            .map(|_| backoff.next_delay(None, &mut rng))
            .collect();
        let low = draws
            .iter()
            .filter(|d| **d < Duration::from_secs(5))
            .count();
        // Uniform on [0, 10 s]: about half below 5 s.
        assert!((60..=140).contains(&low), "{low} of 200 below the middle");
    }

    #[test]
    fn retry_after_is_honoured_and_clamped_to_the_cap() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
        let cases = [(5, 5), (60, 60), (3600, 60), (u64::MAX, 60)];
        for (wish, expected) in cases {
            let delay = backoff.next_delay(Some(Duration::from_secs(wish)), &mut rng);
            assert_eq!(delay, Duration::from_secs(expected), "Retry-After {wish}");
        }
        assert_eq!(backoff.failures(), 4);
    }

    #[test]
    fn retry_after_zero_again_and_again_still_backs_off() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
        let delays: Vec<Duration> = (0..40)
            .map(|_| backoff.next_delay(Some(Duration::ZERO), &mut rng))
            .collect();
        let waited: Duration = delays.iter().sum();
        // Honoured literally, forty answers of 0 would be forty requests at once.
        assert!(waited >= Duration::from_secs(300), "waited {waited:?}");
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(60)));
    }

    #[test]
    fn huge_failure_counts_do_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        backoff.failures = u32::MAX;
        assert_eq!(backoff.ceiling(), Duration::from_secs(60));
        let mut rng = StdRng::seed_from_u64(0);
        assert!(backoff.next_delay(None, &mut rng) <= Duration::from_secs(60));
    }
}
