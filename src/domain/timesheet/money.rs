//! Money in integer cents, hourly rates with validity periods (TrackingTime
//! "Rates & Costs"), and the one rounding rule.
//!
//! Guarantees: no floating point anywhere; arithmetic saturates instead of
//! overflowing; an amount is `time × rate` computed exactly (nanoseconds × cents in
//! `i128`) and rounded once, to the cent, half away from zero.

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign};

use crate::domain::ids::PersonId;

/// An amount of money in cents (or, for a rate, cents per hour). No currency:
/// an organisation has one.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn cents(self) -> i64 {
        self.0
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl fmt::Display for Money {
    /// `1234` cents shows as `12.34`, `-5` as `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fixed2(self.0))
    }
}

/// A value in hundredths written with two decimals: `-105` is `-1.05`.
pub(crate) fn fixed2(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The rate and cost of one person from `valid_from` until the day before the
/// next period of the same person starts (TrackingTime "validity periods").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatePeriod {
    pub person: PersonId,
    pub valid_from: NaiveDate,
    /// Billable amount per hour worked.
    pub rate: Money,
    /// What an hour of this person costs the organisation.
    pub cost: Money,
}

/// One person's rate periods, ready for lookups by day.
#[derive(Clone, Debug, Default)]
pub(crate) struct RateBook {
    /// Sorted by `valid_from`; for equal starts the one given last wins.
    periods: Vec<RatePeriod>,
}

impl RateBook {
    pub(crate) fn for_person(all: &[RatePeriod], person: PersonId) -> Self {
        let mut periods: Vec<RatePeriod> =
            all.iter().copied().filter(|r| r.person == person).collect();
        // Stable: among periods starting the same day, input order is kept and
        // the lookup takes the last.
        periods.sort_by_key(|r| r.valid_from);
        RateBook { periods }
    }

    /// The period valid on `day`: the latest one that started on or before it.
    pub(crate) fn on(&self, day: NaiveDate) -> Option<&RatePeriod> {
        let after = self.periods.partition_point(|r| r.valid_from <= day);
        after.checked_sub(1).and_then(|i| self.periods.get(i))
    }
}

const NANOS_PER_SEC: i128 = 1_000_000_000;
const NANOS_PER_HOUR: i128 = 3600 * NANOS_PER_SEC;

/// A duration in whole nanoseconds (exact for every `TimeDelta`).
pub(crate) fn nanos(d: TimeDelta) -> i128 {
    i128::from(d.num_seconds()) * NANOS_PER_SEC + i128::from(d.subsec_nanos())
}

/// `numerator / denominator` rounded half away from zero (`denominator > 0`).
fn div_round_half_away(numerator: i128, denominator: i128) -> i128 {
    let q = numerator / denominator;
    let r = numerator % denominator;
    // `r` has the sign of the numerator; compare magnitudes to round half away.
    if r.abs() * 2 >= denominator {
        q + numerator.signum()
    } else {
        q
    }
}

fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// `time × per_hour`, rounded to the cent half away from zero: 90 s at 1.00/h is
/// 2.5 cents and rounds to 3 cents; −2.5 cents rounds to −3 cents.
pub fn amount(time: TimeDelta, per_hour: Money) -> Money {
    let exact = nanos(time).saturating_mul(i128::from(per_hour.0));
    Money(saturate(div_round_half_away(exact, NANOS_PER_HOUR)))
}

/// Hours in hundredths, rounded half away from zero: 1 h 30 min is 150 (`1.50`),
/// 18 s is 0.005 h and rounds to 1 (`0.01`).
pub fn hundredths_of_hours(time: TimeDelta) -> i64 {
    saturate(div_round_half_away(
        nanos(time).saturating_mul(100),
        NANOS_PER_HOUR,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn amounts_round_half_away_from_zero() {
        let cases = [
            // (seconds, cents per hour, expected cents)
            (3600, 2500, 2500),
            (5400, 2500, 3750),
            (90, 100, 3),   // 2.5 cents -> 3
            (54, 100, 2),   // 1.5 cents -> 2
            (53, 100, 1),   // 1.47 cents -> 1
            (90, -100, -3), // -2.5 cents -> -3
            (0, 9999, 0),
        ];
        for (secs, rate, want) in cases {
            assert_eq!(
                amount(TimeDelta::seconds(secs), Money(rate)),
                Money(want),
                "{secs}s at {rate}/h"
            );
        }
    }

    #[test]
    fn hours_round_to_hundredths_half_away_from_zero() {
        let cases = [(5400, 150), (18, 1), (17, 0), (3600 * 8 + 59, 802), (0, 0)];
        for (secs, want) in cases {
            assert_eq!(
                hundredths_of_hours(TimeDelta::seconds(secs)),
                want,
                "{secs}s"
            );
        }
    }

    #[test]
    fn money_shows_two_decimals_and_saturates() {
        assert_eq!(Money(1234).to_string(), "12.34");
        assert_eq!(Money(-5).to_string(), "-0.05");
        assert_eq!(Money(7).to_string(), "0.07");
        assert_eq!(Money(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Money(i64::MAX) + Money(1), Money(i64::MAX));
    }

    #[test]
    fn rate_valid_from_its_day_until_the_next_period_starts() {
        let p = PersonId(Uuid::from_u128(1));
        let other = PersonId(Uuid::from_u128(2));
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap_or_default();
        let period = |person, from, rate| RatePeriod {
            person,
            valid_from: from,
            rate: Money(rate),
            cost: Money(rate / 2),
        };
        let all = [
            period(p, d(5, 10), 3000),
            period(p, d(5, 1), 2000),
            period(other, d(1, 1), 9999),
            period(p, d(5, 10), 3100), // same start, given later: wins
        ];
        let book = RateBook::for_person(&all, p);
        assert_eq!(book.on(d(4, 30)), None);
        assert_eq!(book.on(d(5, 1)).map(|r| r.rate), Some(Money(2000)));
        assert_eq!(book.on(d(5, 9)).map(|r| r.rate), Some(Money(2000)));
        assert_eq!(book.on(d(5, 10)).map(|r| r.rate), Some(Money(3100)));
        assert_eq!(book.on(d(12, 31)).map(|r| r.rate), Some(Money(3100)));
    }
}
