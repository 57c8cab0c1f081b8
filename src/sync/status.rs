//! What the sync worker tells the screen: the latest state only, over a `watch`
//! channel (a bounded channel of one that overwrites), so a slow screen never
//! holds the worker up and never sees stale news.

use chrono::{DateTime, Utc};

use super::clock::ClockEstimate;

/// The link to the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// No answer yet since start.
    Starting,
    Online,
    /// Unreachable (or failing) since `since`; punches still work.
    Offline {
        since: DateTime<Utc>,
        why: String,
    },
    /// The hub refuses this device's token: events are kept until re-enrollment.
    Revoked,
}

/// The cached roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RosterState {
    /// Never received: the kiosk is not set up yet.
    Missing,
    Cached {
        version: String,
        fetched_at: DateTime<Utc>,
    },
}

/// Everything the status line shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncStatus {
    pub link: Link,
    /// Events waiting for the hub.
    pub pending: u64,
    /// Events the hub refused, kept for an admin.
    pub parked: u64,
    pub roster: RosterState,
    pub clock: Option<ClockEstimate>,
    /// The clock is surely further from the hub's than the configured threshold.
    pub clock_skewed: bool,
    /// The hub answered something odd (a wrong URL, a refused event): shown in the
    /// admin screen, not on Home.
    pub last_problem: Option<String>,
}

impl SyncStatus {
    pub fn starting(pending: u64, parked: u64, roster: RosterState) -> Self {
        Self {
            link: Link::Starting,
            pending,
            parked,
            roster,
            clock: None,
            clock_skewed: false,
            last_problem: None,
        }
    }

    /// One line for logs and `tapin doctor`.
    pub fn summary(&self) -> String {
        let link = match &self.link {
            Link::Starting => "connecting".to_owned(),
            Link::Online if self.pending > 0 => format!("syncing, {} pending", self.pending),
            Link::Online => "online".to_owned(),
            Link::Offline { since, why } => format!(
                "offline since {}, {} pending ({why})",
                since.format("%Y-%m-%d %H:%M:%S UTC"),
                self.pending
            ),
            Link::Revoked => format!("device revoked, {} pending kept", self.pending),
        };
        let mut line = link;
        if self.parked > 0 {
            line.push_str(&format!(", {} parked", self.parked));
        }
        if self.clock_skewed
            && let Some(clock) = &self.clock
        {
            line.push_str(&format!(
                ", clock off by {} s",
                clock.offset.num_milliseconds() as f64 / 1000.0
            ));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_each_state() {
        let since = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let base = SyncStatus::starting(0, 0, RosterState::Missing);
        let with = |link: Link, pending: u64, parked: u64| SyncStatus {
            link,
            pending,
            parked,
            ..base.clone()
        };
        let cases = [
            (with(Link::Starting, 0, 0), "connecting"),
            (with(Link::Online, 0, 0), "online"),
            (with(Link::Online, 12, 0), "syncing, 12 pending"),
            (with(Link::Online, 0, 2), "online, 2 parked"),
            (
                with(
                    Link::Offline {
                        since,
                        why: "cannot connect".into(),
                    },
                    3,
                    0,
                ),
                "offline since 2027-01-15 08:00:00 UTC, 3 pending (cannot connect)",
            ),
            (with(Link::Revoked, 5, 0), "device revoked, 5 pending kept"),
        ];
        for (status, expected) in cases {
            assert_eq!(status.summary(), expected);
        }
    }
}
