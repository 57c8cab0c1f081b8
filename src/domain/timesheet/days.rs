//! Local calendar days: cutting a stretch of time at local midnight, and the start
//! of "today" and "this week" for the kiosk.
//!
//! Guarantees: the pieces of a cut add up to the part of the stretch that falls
//! on the days asked for, each piece lies on exactly one local day, and nothing
//! here panics, even at the ends of chrono's calendar.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

use crate::domain::event::fixed_offset;

/// The instant local midnight begins `date` at `offset`.
pub(crate) fn midnight(date: NaiveDate, offset: FixedOffset) -> Option<DateTime<Utc>> {
    date.and_time(NaiveTime::MIN)
        .checked_sub_offset(offset)
        .map(|naive| naive.and_utc())
}

/// The local date of an instant at `offset`.
pub(crate) fn local_date(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

/// Cuts `[start, end)` at every local midnight of `offset` and keeps the pieces
/// that fall on a day in `[from, to]`, in time order.
pub(crate) fn split_by_day(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    offset: FixedOffset,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, TimeDelta)> {
    let mut pieces = Vec::new();
    if from > to {
        return pieces;
    }
    // Clip to the range first, so a shift open for years costs only the range.
    let lo = midnight(from, offset).map_or(start, |m| m.max(start));
    let hi = to
        .succ_opt()
        .and_then(|d| midnight(d, offset))
        .map_or(end, |m| m.min(end));
    let mut cur = lo;
    while cur < hi {
        let date = local_date(cur, offset);
        let next = date
            .succ_opt()
            .and_then(|d| midnight(d, offset))
            .map_or(hi, |m| m.min(hi));
        if next <= cur {
            break;
        }
        pieces.push((date, next - cur));
        cur = next;
    }
    pieces
}

/// Local midnight starting the day `at` falls on, at the given offset (seconds
/// east of UTC; an impossible offset is read as UTC). With
/// [`hours_since`](super::hours_since) this gives "today's hours".
pub fn local_day_start(at: DateTime<Utc>, utc_offset_secs: i32) -> DateTime<Utc> {
    let offset = fixed_offset(utc_offset_secs);
    midnight(local_date(at, offset), offset).unwrap_or(at)
}

/// Local midnight starting the ISO week (Monday) `at` falls in: "this week's
/// hours" with [`hours_since`](super::hours_since).
pub fn local_week_start(at: DateTime<Utc>, utc_offset_secs: i32) -> DateTime<Utc> {
    let offset = fixed_offset(utc_offset_secs);
    let date = local_date(at, offset);
    let back = TimeDelta::days(i64::from(date.weekday().num_days_from_monday()));
    date.checked_sub_signed(back)
        .and_then(|monday| midnight(monday, offset))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn a_stretch_is_cut_at_local_midnight_and_clipped_to_the_range() {
        let plus2 = FixedOffset::east_opt(2 * 3600).unwrap();
        // 21:00 UTC on the 9th is 23:00 local; 03:00 UTC on the 10th is 05:00.
        let start = Utc.with_ymd_and_hms(2024, 5, 9, 21, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2024, 5, 10, 3, 0, 0).unwrap();
        let cases = [
            (d(5, 1), d(5, 31), vec![(d(5, 9), 1), (d(5, 10), 5)]),
            (d(5, 10), d(5, 31), vec![(d(5, 10), 5)]),
            (d(5, 1), d(5, 9), vec![(d(5, 9), 1)]),
            (d(5, 11), d(5, 31), vec![]),
            (d(5, 10), d(5, 9), vec![]),
        ];
        for (from, to, want) in cases {
            let want: Vec<_> = want
                .into_iter()
                .map(|(day, h)| (day, TimeDelta::hours(h)))
                .collect();
            assert_eq!(
                split_by_day(start, end, plus2, from, to),
                want,
                "{from}..{to}"
            );
        }
    }

    #[test]
    fn today_and_this_week_start_at_local_midnight() {
        // Wednesday 2024-05-15 00:30 at +02:00 is Tuesday 22:30 UTC.
        let at = Utc.with_ymd_and_hms(2024, 5, 14, 22, 30, 0).unwrap();
        assert_eq!(
            local_day_start(at, 7200),
            Utc.with_ymd_and_hms(2024, 5, 14, 22, 0, 0).unwrap()
        );
        assert_eq!(
            local_week_start(at, 7200),
            Utc.with_ymd_and_hms(2024, 5, 12, 22, 0, 0).unwrap()
        );
        assert_eq!(
            local_day_start(at, 0),
            Utc.with_ymd_and_hms(2024, 5, 14, 0, 0, 0).unwrap()
        );
        assert_eq!(local_day_start(at, i32::MAX), local_day_start(at, 0));
    }
}
