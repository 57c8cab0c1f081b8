//! Times typed in instead of read from the clock (Anuko punch mode overrides):
//! a supervisor's start or finish time, a correction of a recorded event, and a
//! person's own report of a punch they missed.
//!
//! Guarantees: only a person can enter a time (never the kiosk on its own); a
//! reason is always required; no time lies in the future; a time on a locked
//! day needs the date-lock right for that person; an entered time is never
//! before the person's last punch, so history stays in order. A supervisor's
//! override needs `override_punch_mode` and a higher rank (or
//! `override_own_punch_mode` for oneself); a missed punch is recorded with
//! `needs_review` for a supervisor to look at.

use chrono::{DateTime, Utc};

use super::transitions::{Punch, plan};
use super::{Acting, Ctx, Relation, Subject, may_track_own};
use crate::domain::authority::{OnBehalf, may_act_on, may_act_on_own};
use crate::domain::event::{EventDraft, EventKind, Method};
use crate::domain::ids::PersonId;
use crate::domain::intent::{CorrectionTarget, EnteredPunch};
use crate::domain::person::{Person, TrackingMode};
use crate::domain::refusal::Refusal;
use crate::domain::role::Role;
use crate::domain::state::PunchState;

/// Entered times need a person who answers for them.
fn actor_person<'a>(ctx: &Ctx<'a>) -> Result<(&'a Person, &'a Role), Refusal> {
    match ctx.acting {
        Acting::Person { person, role } => Ok((person, role)),
        Acting::Kiosk => Err(Refusal::KioskCannot),
    }
}

fn reason(text: &str) -> Result<&str, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    Ok(text)
}

fn not_future(ctx: &Ctx<'_>, at: DateTime<Utc>) -> Result<(), Refusal> {
    if at > ctx.now {
        return Err(Refusal::FutureTime);
    }
    Ok(())
}

/// A time on a locked day needs `override_own_date_lock` for oneself, or
/// `override_date_lock` and a higher rank for someone else.
fn date_lock(
    ctx: &Ctx<'_>,
    own: bool,
    actor: &Role,
    subject: &Subject<'_>,
    times: &[DateTime<Utc>],
) -> Result<(), Refusal> {
    let Some(lock) = ctx.dir.settings().date_lock else {
        return Ok(());
    };
    if !times.iter().any(|&t| ctx.dir.is_date_locked(t)) {
        return Ok(());
    }
    let allowed = if own {
        may_act_on_own(actor, OnBehalf::OverrideDateLock)
    } else {
        may_act_on(actor, subject.role, OnBehalf::OverrideDateLock)
    };
    allowed.map_err(|_| Refusal::DateLocked { lock })
}

fn after_last_punch(state: &PunchState, at: DateTime<Utc>) -> Result<(), Refusal> {
    match state.last_punch {
        Some(last) if at < last => Err(Refusal::BeforeLastPunch { last }),
        _ => Ok(()),
    }
}

/// The checks every entered start or finish passes (a reason, not in the future,
/// the date lock with `own` for oneself, not before the last punch), then the
/// events it records at `at` and the reason, trimmed.
fn entered<'w>(
    ctx: &Ctx<'_>,
    own: bool,
    actor: &Role,
    subject: &Subject<'_>,
    punch: EnteredPunch,
    at: DateTime<Utc>,
    why: &'w str,
) -> Result<(Vec<EventKind>, &'w str), Refusal> {
    let why = reason(why)?;
    not_future(ctx, at)?;
    date_lock(ctx, own, actor, subject, &[at])?;
    let state = ctx.state(subject.person.id);
    after_last_punch(&state, at)?;
    let punch = match (punch, subject.person.mode) {
        (EnteredPunch::ClockIn, _) => Punch::ClockIn,
        // An individual user's "finish" ends their job: they have no clock.
        (EnteredPunch::ClockOut, TrackingMode::Individual) => Punch::CheckOut,
        (EnteredPunch::ClockOut, _) => Punch::ClockOut,
    };
    let kinds = plan(ctx.dir, subject.person, &subject.who, &state, punch)?;
    Ok((kinds, why))
}

/// Overrides and corrections are recorded as the supervisor's, unless they come
/// through the hub's admin API.
fn override_method(ctx: &Ctx<'_>) -> Method {
    if ctx.method == Method::Admin {
        Method::Admin
    } else {
        Method::SupervisorOverride
    }
}

/// `override_punch_mode` for others (higher rank), `override_own_punch_mode` for self.
fn may_override(actor: &Person, role: &Role, subject: &Subject<'_>) -> Result<bool, Refusal> {
    let own = actor.id == subject.person.id;
    if own {
        may_act_on_own(role, OnBehalf::OverridePunch)?;
    } else {
        may_act_on(role, subject.role, OnBehalf::OverridePunch)?;
    }
    Ok(own)
}

pub(super) fn override_punch(
    ctx: &Ctx<'_>,
    subject: PersonId,
    punch: EnteredPunch,
    at: DateTime<Utc>,
    why: &str,
) -> Result<Vec<EventDraft>, Refusal> {
    let (actor, role) = actor_person(ctx)?;
    let s = ctx.subject(subject)?;
    let own = may_override(actor, role, &s)?;
    let (kinds, why) = entered(ctx, own, role, &s, punch, at, why)?;
    Ok(ctx.drafts(subject, override_method(ctx), kinds, at, Some(why), false))
}

pub(super) fn correct(
    ctx: &Ctx<'_>,
    target: CorrectionTarget,
    new_time: DateTime<Utc>,
    why: &str,
) -> Result<Vec<EventDraft>, Refusal> {
    let (actor, role) = actor_person(ctx)?;
    let s = ctx.subject(target.subject)?;
    let own = may_override(actor, role, &s)?;
    let why = reason(why)?;
    not_future(ctx, new_time)?;
    if new_time == target.at {
        return Err(Refusal::SameTime);
    }
    // Moving an event off a locked day changes that day too.
    date_lock(ctx, own, role, &s, &[target.at, new_time])?;
    let kind = EventKind::Correction {
        corrects: target.event,
        new_time,
        reason: why.to_owned(),
    };
    // The correction itself happens now; the time it sets is in the event.
    Ok(ctx.drafts(
        target.subject,
        override_method(ctx),
        vec![kind],
        ctx.now,
        None,
        false,
    ))
}

pub(super) fn missed_punch(
    ctx: &Ctx<'_>,
    subject: PersonId,
    punch: EnteredPunch,
    at: DateTime<Utc>,
    why: &str,
) -> Result<Vec<EventDraft>, Refusal> {
    let (_, role) = actor_person(ctx)?;
    let s = ctx.subject(subject)?;
    let (own, method) = match s.relation {
        Relation::Own { role } => {
            may_track_own(s.person, role)?;
            (true, ctx.method)
        }
        Relation::Lead => (false, Method::Team),
        Relation::Kiosk => return Err(Refusal::KioskCannot),
        Relation::Other { .. } => return Err(Refusal::MissedPunchNotYours),
    };
    let (kinds, why) = entered(ctx, own, role, &s, punch, at, why)?;
    Ok(ctx.drafts(subject, method, kinds, at, Some(why), true))
}
