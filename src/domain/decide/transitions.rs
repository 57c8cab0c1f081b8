//! What a punch records for one person, given their tracking mode and current
//! state, or why it cannot be recorded. Who may ask is decided elsewhere.
//!
//! Guarantees: the events returned, applied in order to the given state with
//! [`PunchState::apply`], raise no anomaly and leave a state consistent for the
//! person's mode (the proptests in `domain::tests` check this).

use crate::domain::event::EventKind;
use crate::domain::ids::JobId;
use crate::domain::person::{Job, Person};
use crate::domain::refusal::{Refusal, Who};
use crate::domain::roster::Directory;
use crate::domain::state::{Clock, PunchState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Punch {
    ClockIn,
    ClockOut,
    BreakStart,
    BreakEnd,
    CheckIn(JobId),
    CheckOut,
    SwitchJob(JobId),
}

/// The events `punch` records for `person` in `state`.
pub(super) fn plan(
    dir: &Directory,
    person: &Person,
    who: &Who,
    state: &PunchState,
    punch: Punch,
) -> Result<Vec<EventKind>, Refusal> {
    let who = || who.clone();
    let clocked = person.mode.has_workday_clock();
    let uses_clock = matches!(
        punch,
        Punch::ClockIn | Punch::ClockOut | Punch::BreakStart | Punch::BreakEnd
    );
    if uses_clock && !clocked {
        return Err(Refusal::NoWorkdayClock { who: who() });
    }
    let check_out_first = || {
        state
            .job
            .map(|on| EventKind::CheckOut { job: on.job })
            .into_iter()
    };
    match punch {
        Punch::ClockIn => match state.clock {
            Clock::Out => Ok(vec![EventKind::ClockIn]),
            Clock::In { .. } | Clock::OnBreak { .. } => {
                Err(Refusal::AlreadyClockedIn { who: who() })
            }
        },
        Punch::ClockOut => match state.clock {
            Clock::Out => Err(Refusal::NotClockedIn { who: who() }),
            // Clocking out closes the job and the break first, same instant.
            Clock::In { .. } | Clock::OnBreak { .. } => Ok(check_out_first()
                .chain(state.is_on_break().then_some(EventKind::BreakEnd))
                .chain([EventKind::ClockOut])
                .collect()),
        },
        Punch::BreakStart => match state.clock {
            Clock::Out => Err(Refusal::BreakNeedsClockIn { who: who() }),
            Clock::OnBreak { .. } => Err(Refusal::AlreadyOnBreak { who: who() }),
            // Break time is not job time: the job is checked out first.
            Clock::In { .. } => Ok(check_out_first().chain([EventKind::BreakStart]).collect()),
        },
        Punch::BreakEnd => match state.clock {
            Clock::OnBreak { .. } => Ok(vec![EventKind::BreakEnd]),
            Clock::Out | Clock::In { .. } => Err(Refusal::NotOnBreak { who: who() }),
        },
        Punch::CheckIn(job) => {
            ready_for_job(person, who(), state)?;
            let job = job_open_to(dir, person, who(), job)?;
            match state.job {
                Some(on) if on.job == job.id => Err(Refusal::AlreadyOnJob {
                    who: who(),
                    job: job.name.clone(),
                }),
                Some(on) => Err(Refusal::CheckedInElsewhere {
                    who: who(),
                    job: job_name(dir, on.job),
                }),
                None => Ok(vec![EventKind::CheckIn { job: job.id }]),
            }
        }
        Punch::CheckOut => match state.job {
            Some(on) => Ok(vec![EventKind::CheckOut { job: on.job }]),
            None => Err(Refusal::NotCheckedIn { who: who() }),
        },
        Punch::SwitchJob(job) => {
            let Some(current) = state.job else {
                return Err(Refusal::NotCheckedIn { who: who() });
            };
            ready_for_job(person, who(), state)?;
            let job = job_open_to(dir, person, who(), job)?;
            if current.job == job.id {
                return Err(Refusal::AlreadyOnJob {
                    who: who(),
                    job: job.name.clone(),
                });
            }
            Ok(vec![
                EventKind::CheckOut { job: current.job },
                EventKind::CheckIn { job: job.id },
            ])
        }
    }
}

/// Personal users, leads and crew members check in only while clocked in and
/// not on a break; individual users any time.
fn ready_for_job(person: &Person, who: Who, state: &PunchState) -> Result<(), Refusal> {
    if !person.mode.has_workday_clock() {
        return Ok(());
    }
    match state.clock {
        Clock::In { .. } => Ok(()),
        Clock::Out => Err(Refusal::CheckInNeedsClockIn { who }),
        Clock::OnBreak { .. } => Err(Refusal::OnBreak { who }),
    }
}

/// The job, if it exists, is open and the person is assigned to it.
pub(super) fn job_open_to<'a>(
    dir: &'a Directory,
    person: &Person,
    who: Who,
    job: JobId,
) -> Result<&'a Job, Refusal> {
    let found = dir.job(job).ok_or(Refusal::UnknownJob)?;
    if found.archived {
        return Err(Refusal::ArchivedJob {
            job: found.name.clone(),
        });
    }
    if !person.jobs.allows(job) {
        return Err(Refusal::JobNotAssigned {
            who,
            job: found.name.clone(),
        });
    }
    Ok(found)
}

/// A job's name for messages, even if it left the directory since check-in.
pub(super) fn job_name(dir: &Directory, job: JobId) -> String {
    dir.job(job)
        .map_or_else(|| "a job no longer listed".to_owned(), |j| j.name.clone())
}
