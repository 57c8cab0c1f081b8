//! A person's punch state, folded from their events, and the anomalies found on
//! the way.
//!
//! Guarantees: folding is total (any sequence of events, in any order, with any
//! corrections, yields a state and never panics); an event that does not fit is
//! flagged as an [`Anomaly`] and, where the data allows, repaired the way the
//! decision rules would have (a clock-out while checked in also ends the job). A
//! folded state is always consistent for the mode it was folded with (see
//! [`PunchState::is_consistent_for`]). Corrections move the time of the event they
//! name; the latest correction wins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::event::{Event, EventKind};
use super::ids::{EventId, JobId};
use super::person::TrackingMode;

/// The workday clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Clock {
    #[default]
    Out,
    In {
        since: DateTime<Utc>,
    },
    /// Clocked in since `since`, on a break since `break_since`.
    OnBreak {
        since: DateTime<Utc>,
        break_since: DateTime<Utc>,
    },
}

/// Checked in to a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OnJob {
    pub job: JobId,
    pub since: DateTime<Utc>,
}

/// Where a person stands now. Individual users have a job but never a clock;
/// everyone else is on a job only while clocked in and not on a break.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PunchState {
    pub clock: Clock,
    pub job: Option<OnJob>,
    /// The time of the latest clock or check event, corrected. Entered times
    /// before it are refused so the history stays in order.
    pub last_punch: Option<DateTime<Utc>>,
}

impl PunchState {
    /// Clocked out, no job, no history.
    pub fn out() -> Self {
        Self::default()
    }

    /// Clocked in since `since`, no job.
    pub fn clocked_in(since: DateTime<Utc>) -> Self {
        PunchState {
            clock: Clock::In { since },
            job: None,
            last_punch: Some(since),
        }
    }

    /// On a break since `break_since` in a shift that began at `since`.
    pub fn on_break(since: DateTime<Utc>, break_since: DateTime<Utc>) -> Self {
        PunchState {
            clock: Clock::OnBreak { since, break_since },
            job: None,
            last_punch: Some(since.max(break_since)),
        }
    }

    /// The same state, checked in to `job` since `since`.
    pub fn with_job(self, job: JobId, since: DateTime<Utc>) -> Self {
        PunchState {
            job: Some(OnJob { job, since }),
            last_punch: Some(self.last_punch.map_or(since, |l| l.max(since))),
            ..self
        }
    }

    /// Clocked in, on a break or not.
    pub fn is_clocked_in(&self) -> bool {
        !matches!(self.clock, Clock::Out)
    }

    /// Clocked in and not on a break.
    pub fn is_working(&self) -> bool {
        matches!(self.clock, Clock::In { .. })
    }

    pub fn is_on_break(&self) -> bool {
        matches!(self.clock, Clock::OnBreak { .. })
    }

    pub fn current_job(&self) -> Option<JobId> {
        self.job.map(|j| j.job)
    }

    /// The states the rules allow: an individual user is never clocked in; anyone
    /// else is on a job only while clocked in and not on a break.
    pub fn is_consistent_for(&self, mode: TrackingMode) -> bool {
        if mode.has_workday_clock() {
            self.job.is_none() || self.is_working()
        } else {
            !self.is_clocked_in()
        }
    }

    /// One event applied to this state. Total: an event that does not fit is
    /// flagged, and either ignored or applied with the missing step filled in.
    pub fn apply(&self, kind: &EventKind, at: DateTime<Utc>, mode: TrackingMode) -> Applied {
        if matches!(kind, EventKind::Correction { .. }) {
            // Corrections move other events; they are not punches themselves.
            return Applied::fine(*self);
        }
        let mut next = PunchState {
            last_punch: Some(self.last_punch.map_or(at, |l| l.max(at))),
            ..*self
        };
        let clock_event = matches!(
            kind,
            EventKind::ClockIn | EventKind::ClockOut | EventKind::BreakStart | EventKind::BreakEnd
        );
        if clock_event && !mode.has_workday_clock() {
            return Applied::flagged(next, AnomalyKind::NoWorkdayClock);
        }
        let anomaly = match kind {
            EventKind::ClockIn => match self.clock {
                Clock::Out => {
                    next.clock = Clock::In { since: at };
                    None
                }
                _ => Some(AnomalyKind::ClockInWhileClockedIn),
            },
            EventKind::ClockOut => match self.clock {
                Clock::Out => Some(AnomalyKind::ClockOutWithoutClockIn),
                Clock::In { .. } | Clock::OnBreak { .. } => {
                    next.clock = Clock::Out;
                    next.job = None;
                    if self.job.is_some() {
                        Some(AnomalyKind::MissingCheckOut)
                    } else if self.is_on_break() {
                        Some(AnomalyKind::MissingBreakEnd)
                    } else {
                        None
                    }
                }
            },
            EventKind::BreakStart => match self.clock {
                Clock::In { since } => {
                    next.clock = Clock::OnBreak {
                        since,
                        break_since: at,
                    };
                    next.job = None;
                    self.job.map(|_| AnomalyKind::MissingCheckOut)
                }
                Clock::Out | Clock::OnBreak { .. } => Some(AnomalyKind::BreakOutOfOrder),
            },
            EventKind::BreakEnd => match self.clock {
                Clock::OnBreak { since, .. } => {
                    next.clock = Clock::In { since };
                    None
                }
                Clock::Out | Clock::In { .. } => Some(AnomalyKind::BreakOutOfOrder),
            },
            EventKind::CheckIn { job } => {
                if mode.has_workday_clock() && !self.is_working() {
                    Some(AnomalyKind::CheckInWithoutClockIn)
                } else {
                    // A check-in while on another job is read as a switch.
                    next.job = Some(OnJob {
                        job: *job,
                        since: at,
                    });
                    self.job.map(|_| AnomalyKind::MissingCheckOut)
                }
            }
            EventKind::CheckOut { job } => match self.job {
                Some(on) if on.job == *job => {
                    next.job = None;
                    None
                }
                _ => Some(AnomalyKind::CheckOutWithoutCheckIn),
            },
            EventKind::Correction { .. } => None,
        };
        match anomaly {
            // Ignored events still count as "the last punch": they were recorded.
            Some(kind) if ignores(kind) => Applied::flagged(
                PunchState {
                    last_punch: next.last_punch,
                    ..*self
                },
                kind,
            ),
            Some(kind) => Applied::flagged(next, kind),
            None => Applied::fine(next),
        }
    }
}

/// Whether an anomaly leaves the state as it was (the event had nothing to act on).
fn ignores(kind: AnomalyKind) -> bool {
    !matches!(
        kind,
        AnomalyKind::MissingCheckOut | AnomalyKind::MissingBreakEnd
    )
}

/// The result of applying one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    pub state: PunchState,
    pub anomaly: Option<AnomalyKind>,
}

impl Applied {
    fn fine(state: PunchState) -> Self {
        Applied {
            state,
            anomaly: None,
        }
    }

    fn flagged(state: PunchState, kind: AnomalyKind) -> Self {
        Applied {
            state,
            anomaly: Some(kind),
        }
    }
}

/// Something in a person's history a supervisor should look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// Ignored: already clocked in.
    ClockInWhileClockedIn,
    /// Ignored: not clocked in.
    ClockOutWithoutClockIn,
    /// Ignored: a break start while out or on a break, or a break end while not on one.
    BreakOutOfOrder,
    /// Applied: the clock-out, break or new check-in also ended the open job.
    MissingCheckOut,
    /// Applied: the clock-out also ended the break.
    MissingBreakEnd,
    /// Ignored: a check-in while not clocked in (or on a break) by someone who
    /// has a workday clock.
    CheckInWithoutClockIn,
    /// Ignored: a check-out of a job the person was not checked in to.
    CheckOutWithoutCheckIn,
    /// Ignored: a clock or break event for an individual user.
    NoWorkdayClock,
    /// Ignored: a correction naming no clock or check event of this person.
    CorrectionOfUnknownEvent,
}

impl AnomalyKind {
    /// Stable snake_case name, the same as its serde name: used in CSV flags and
    /// in the hub's anomaly lists.
    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::ClockInWhileClockedIn => "clock_in_while_clocked_in",
            AnomalyKind::ClockOutWithoutClockIn => "clock_out_without_clock_in",
            AnomalyKind::BreakOutOfOrder => "break_out_of_order",
            AnomalyKind::MissingCheckOut => "missing_check_out",
            AnomalyKind::MissingBreakEnd => "missing_break_end",
            AnomalyKind::CheckInWithoutClockIn => "check_in_without_clock_in",
            AnomalyKind::CheckOutWithoutCheckIn => "check_out_without_check_in",
            AnomalyKind::NoWorkdayClock => "no_workday_clock",
            AnomalyKind::CorrectionOfUnknownEvent => "correction_of_unknown_event",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Anomaly {
    pub event: EventId,
    /// The event's corrected time.
    pub at: DateTime<Utc>,
    pub kind: AnomalyKind,
}

/// A person's folded history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    pub state: PunchState,
    pub anomalies: Vec<Anomaly>,
}

/// The corrected time of every corrected event: the `new_time` of the latest
/// correction naming it. "Latest" is the correction recorded last (its own `at`),
/// ties going to the one given later.
pub fn corrected_times<'a>(
    events: impl IntoIterator<Item = &'a Event>,
) -> BTreeMap<EventId, DateTime<Utc>> {
    let mut latest: BTreeMap<EventId, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for e in events {
        if let EventKind::Correction {
            corrects, new_time, ..
        } = &e.kind
        {
            let newer = latest.get(corrects).is_none_or(|(made, _)| e.at >= *made);
            if newer {
                latest.insert(*corrects, (e.at, *new_time));
            }
        }
    }
    latest
        .into_iter()
        .map(|(id, (_, new_time))| (id, new_time))
        .collect()
}

/// Folds one person's events (in the order they were recorded) into their state,
/// flagging anomalies. Events are replayed in corrected-time order; events at
/// the same instant keep the order given, so pass them in recording order (a
/// clock-out's check-out comes before it).
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>, mode: TrackingMode) -> Replay {
    let events: Vec<&Event> = events.into_iter().collect();
    let corrected = corrected_times(events.iter().copied());
    replay_each(&events, &corrected, mode, |_, _, _, _| {})
}

/// [`replay`], calling `step` for each punch as it is applied, with its
/// corrected time, the event, and the states before and after it. `corrected`
/// is [`corrected_times`] of `events`. The timesheet walks the same history
/// through this, so its hours and the anomalies never disagree.
pub(crate) fn replay_each(
    events: &[&Event],
    corrected: &BTreeMap<EventId, DateTime<Utc>>,
    mode: TrackingMode,
    mut step: impl FnMut(DateTime<Utc>, &Event, &PunchState, &PunchState),
) -> Replay {
    let punches: BTreeSet<EventId> = events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::Correction { .. }))
        .map(|e| e.id)
        .collect();
    let mut anomalies = Vec::new();
    let mut timeline: Vec<(DateTime<Utc>, &Event)> = Vec::with_capacity(events.len());
    for e in events {
        match &e.kind {
            EventKind::Correction { corrects, .. } => {
                if !punches.contains(corrects) {
                    anomalies.push(Anomaly {
                        event: e.id,
                        at: e.at,
                        kind: AnomalyKind::CorrectionOfUnknownEvent,
                    });
                }
            }
            _ => timeline.push((corrected.get(&e.id).copied().unwrap_or(e.at), e)),
        }
    }
    // Stable: same-instant events keep their recorded order.
    timeline.sort_by_key(|(at, _)| *at);
    let mut state = PunchState::out();
    for (at, e) in timeline {
        let applied = state.apply(&e.kind, at, mode);
        if let Some(kind) = applied.anomaly {
            anomalies.push(Anomaly {
                event: e.id,
                at,
                kind,
            });
        }
        step(at, e, &state, &applied.state);
        state = applied.state;
    }
    Replay { state, anomalies }
}

/// A person's state after their events. See [`replay`].
pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>, mode: TrackingMode) -> PunchState {
    replay(events, mode).state
}

#[cfg(test)]
mod tests;
