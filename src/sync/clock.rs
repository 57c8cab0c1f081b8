//! How far this device's clock is from the hub's, estimated the way NTP does from
//! one request: the hub read its clock somewhere between our send and our receipt,
//! so its reading is compared with the midpoint, give or take half the round trip.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// One exchange: our clock when the request left, the hub's clock in its answer,
/// and the round trip measured on the monotonic clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockSample {
    pub sent_at: DateTime<Utc>,
    pub hub_time: DateTime<Utc>,
    pub round_trip: Duration,
}

/// The hub's clock minus ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockEstimate {
    /// Add this to a device time to get hub time.
    pub offset: chrono::Duration,
    /// The estimate is good to plus or minus this (half the round trip).
    pub uncertainty: Duration,
    pub measured_at: DateTime<Utc>,
}

impl ClockEstimate {
    pub fn from_sample(sample: ClockSample) -> Self {
        let half = sample.round_trip / 2;
        let midpoint = sample.sent_at + chrono::Duration::from_std(half).unwrap_or_default();
        Self {
            offset: sample.hub_time - midpoint,
            uncertainty: half,
            measured_at: midpoint,
        }
    }

    /// The offset in whole milliseconds, as events carry it.
    pub fn offset_ms(&self) -> i64 {
        self.offset.num_milliseconds()
    }

    /// Whether the clocks are surely more than `threshold` apart: a slow network
    /// widens the uncertainty and must not raise a false alarm.
    pub fn is_skewed(&self, threshold: Duration) -> bool {
        let apart = self.offset.abs().to_std().unwrap_or(Duration::MAX);
        apart.saturating_sub(self.uncertainty) > threshold
    }
}

/// Keeps the most certain of the recent estimates: a sample taken while the
/// network was slow says less than one taken a moment earlier on a quick link.
#[derive(Clone, Debug, Default)]
pub struct ClockTracker {
    recent: Vec<ClockEstimate>,
}

impl ClockTracker {
    /// How many samples are weighed.
    const KEEP: usize = 8;

    pub fn add(&mut self, sample: ClockSample) -> ClockEstimate {
        if self.recent.len() == Self::KEEP {
            self.recent.remove(0);
        }
        self.recent.push(ClockEstimate::from_sample(sample));
        self.best()
            .unwrap_or_else(|| ClockEstimate::from_sample(sample))
    }

    pub fn best(&self) -> Option<ClockEstimate> {
        self.recent.iter().copied().min_by_key(|e| e.uncertainty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
            + chrono::Duration::milliseconds(ms)
    }

    #[test]
    fn the_offset_is_measured_against_the_midpoint() {
        // (sent, hub time, round trip ms) -> (offset ms, uncertainty ms)
        let cases = [
            (at(0, 0), at(0, 50), 100, 0, 50),
            (at(0, 0), at(10, 50), 100, 10_000, 50),
            (at(0, 0), at(-90, 0), 0, -90_000, 0),
            (at(0, 0), at(0, 0), 2_000, -1_000, 1_000),
        ];
        for (sent_at, hub_time, rtt, offset, uncertainty) in cases {
            let e = ClockEstimate::from_sample(ClockSample {
                sent_at,
                hub_time,
                round_trip: Duration::from_millis(rtt),
            });
            assert_eq!(e.offset_ms(), offset, "{hub_time} rtt {rtt}");
            assert_eq!(e.uncertainty, Duration::from_millis(uncertainty));
        }
    }

    #[test]
    fn skew_is_raised_only_when_certain() {
        let threshold = Duration::from_secs(60);
        // (offset s, uncertainty ms) -> skewed?
        let cases = [
            (0, 0, false),
            (60, 0, false),
            (61, 0, true),
            (-61, 0, true),
            (61, 2_000, false),
            (3600, 2_000, true),
        ];
        for (offset, uncertainty, skewed) in cases {
            let e = ClockEstimate {
                offset: chrono::Duration::seconds(offset),
                uncertainty: Duration::from_millis(uncertainty),
                measured_at: at(0, 0),
            };
            assert_eq!(
                e.is_skewed(threshold),
                skewed,
                "{offset} s ± {uncertainty} ms"
            );
        }
    }

    #[test]
    fn the_tracker_prefers_the_quickest_recent_exchange() {
        let mut tracker = ClockTracker::default();
        let sample = |hub_ms, rtt| ClockSample {
            sent_at: at(0, 0),
            hub_time: at(0, hub_ms),
            round_trip: Duration::from_millis(rtt),
        };
        tracker.add(sample(500, 1_000));
        let best = tracker.add(sample(25, 10));
        assert_eq!(best.offset_ms(), 20);
        let best = tracker.add(sample(4_000, 3_000));
        assert_eq!(
            best.offset_ms(),
            20,
            "a slow exchange does not displace a quick one"
        );
        for _ in 0..ClockTracker::KEEP {
            tracker.add(sample(1_100, 200));
        }
        assert_eq!(
            tracker.best().map(|e| e.offset_ms()),
            Some(1_000),
            "old samples age out"
        );
    }
}
