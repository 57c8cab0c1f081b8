//! Timing helpers the kiosk-side benchmarks share: a timed call, percentiles of
//! samples as a table row, and the met/MISSED word.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// How long `f` took.
pub fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

pub fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Percentiles of a set of samples (nearest rank).
pub struct Stats {
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Stats {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        let at = |q: f64| {
            let i = ((samples.len() as f64 * q).ceil() as usize).saturating_sub(1);
            samples.get(i).copied().unwrap_or_default()
        };
        Stats {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }

    /// A markdown table row: `| what | p50 | p90 | p99 | max |`.
    pub fn row(&self, what: &str) {
        println!(
            "| {what} | {} | {} | {} | {} |",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        );
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}
