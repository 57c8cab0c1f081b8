//! One person's corrected history as a timeline of intervals: between two
//! consecutive punches the person is in one state (working, on a break, on a
//! job, or out), and that state lasts the whole interval.
//!
//! Guarantees: the timeline is the one [`replay`](crate::domain::replay) folds —
//! the walk is that fold, through `replay_each` — so the hours and the anomalies
//! always describe the same history. Intervals never
//! overlap, are in time order and never have a negative length; an interval
//! still running at the end is cut at `now` and marked open.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use std::collections::BTreeMap;

use crate::domain::event::{Event, fixed_offset};
use crate::domain::ids::{EventId, JobId};
use crate::domain::person::TrackingMode;
use crate::domain::state::{Anomaly, PunchState, corrected_times, replay_each};

/// A stretch of time in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The offset of the event that began the interval: days are cut by it.
    pub offset: FixedOffset,
    /// Counts as worked time: clocked in and not on a break, or, for an
    /// individual user (no workday clock), checked in to a job.
    pub worked: bool,
    pub on_break: bool,
    pub job: Option<JobId>,
    /// Still running: no event ended it, so it was cut at `now`.
    pub open: bool,
    /// Index of the shift it belongs to in [`Walk::shifts`].
    pub shift: usize,
}

/// Clock-in to clock-out (for individual users: check-in to check-out), with
/// breaks and job switches inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shift {
    /// The clock-in (or check-in) that began it.
    pub started_by: EventId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub offset: FixedOffset,
    pub open: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Walk {
    pub intervals: Vec<Interval>,
    pub shifts: Vec<Shift>,
    /// The corrected time of every corrected event.
    pub corrected: BTreeMap<EventId, DateTime<Utc>>,
    /// The replay's anomalies.
    pub anomalies: Vec<Anomaly>,
}

/// The order [`walk`] expects: by time, then device and sequence number, so a
/// clock-out's check-out (same instant, same device, lower sequence) comes first
/// and the result does not depend on the order the events were stored in.
pub(crate) fn recording_order(events: &mut [&Event]) {
    events.sort_by_key(|e| (e.at, e.device, e.seq, e.id));
}

/// The offset an event was recorded at; UTC for an impossible one, as
/// [`Event::local_time`] does.
pub(crate) fn offset_of(e: &Event) -> FixedOffset {
    fixed_offset(e.utc_offset_secs)
}

/// Whether the state is inside a shift.
fn in_shift(state: &PunchState, mode: TrackingMode) -> bool {
    if mode.has_workday_clock() {
        state.is_clocked_in()
    } else {
        state.job.is_some()
    }
}

fn interval(
    state: &PunchState,
    mode: TrackingMode,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    offset: FixedOffset,
    shift: usize,
) -> Interval {
    Interval {
        start,
        end,
        offset,
        worked: if mode.has_workday_clock() {
            state.is_working()
        } else {
            state.job.is_some()
        },
        on_break: state.is_on_break(),
        job: state.current_job(),
        open: false,
        shift,
    }
}

/// Walks one person's events (see [`recording_order`]) into intervals and shifts.
pub(crate) fn walk(events: &[&Event], mode: TrackingMode, now: DateTime<Utc>) -> Walk {
    let corrected = corrected_times(events.iter().copied());
    let mut intervals = Vec::new();
    let mut shifts: Vec<Shift> = Vec::new();
    // The time and offset of the previous punch, and the shift we are in.
    let mut prev: Option<(DateTime<Utc>, FixedOffset)> = None;
    let mut current: Option<usize> = None;
    let replayed = replay_each(events, &corrected, mode, |at, e, before, after| {
        if let (Some((since, offset)), Some(shift)) = (prev, current)
            && at > since
        {
            intervals.push(interval(before, mode, since, at, offset, shift));
        }
        let offset = offset_of(e);
        match (current, in_shift(after, mode)) {
            (None, true) => {
                current = Some(shifts.len());
                shifts.push(Shift {
                    started_by: e.id,
                    start: at,
                    end: at,
                    offset,
                    open: false,
                });
            }
            (Some(i), false) => {
                if let Some(s) = shifts.get_mut(i) {
                    s.end = at;
                }
                current = None;
            }
            _ => {}
        }
        prev = Some((at, offset));
    });
    if let (Some((since, offset)), Some(i)) = (prev, current) {
        // Counted up to `now`, never backwards (an event dated after `now`).
        let end = now.max(since);
        if end > since {
            let mut open = interval(&replayed.state, mode, since, end, offset, i);
            open.open = true;
            intervals.push(open);
        }
        if let Some(s) = shifts.get_mut(i) {
            s.end = end;
            s.open = true;
        }
    }
    Walk {
        intervals,
        shifts,
        corrected,
        anomalies: replayed.anomalies,
    }
}

/// Worked time between `since` and `now` from one person's events: what the
/// kiosk shows as "today's hours" or "this week's hours" on the confirmation
/// screen. A shift still open counts up to `now`; corrections apply; breaks do
/// not count; for an individual user, time checked in to jobs is the worked time.
pub fn hours_since<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    mode: TrackingMode,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> TimeDelta {
    let mut events: Vec<&Event> = events.into_iter().collect();
    recording_order(&mut events);
    walk(&events, mode, now)
        .intervals
        .iter()
        .filter(|i| i.worked)
        .map(|i| {
            let start = i.start.max(since);
            let end = i.end.min(now);
            if end > start {
                end - start
            } else {
                TimeDelta::zero()
            }
        })
        .fold(TimeDelta::zero(), |a, b| a.checked_add(&b).unwrap_or(a))
}
