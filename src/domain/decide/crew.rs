//! A team lead acting for their crew (PK4 team users): clocking chosen members in
//! and out, starting and stopping a job for everyone clocked in, and checking one
//! member out while the rest stay on the job.
//!
//! Guarantees: the actor is a team lead who leads at least one team; only their
//! crew is touched; every event has actor = the lead and method = Team; one
//! member's events stay together in the order they must be applied. Crew
//! members are visited in team order, so the same inputs give the same events.

use super::transitions::{Punch, plan};
use super::{Acting, Ctx};
use crate::domain::event::{EventDraft, EventKind, Method};
use crate::domain::ids::{JobId, PersonId};
use crate::domain::person::{Person, TrackingMode};
use crate::domain::refusal::{Refusal, Who};

/// The acting lead.
fn lead<'a>(ctx: &Ctx<'a>) -> Result<&'a Person, Refusal> {
    match ctx.acting {
        Acting::Person { person, .. }
            if person.mode == TrackingMode::TeamLead
                && ctx.dir.teams_led_by(person.id).next().is_some() =>
        {
            Ok(person)
        }
        Acting::Person { .. } | Acting::Kiosk => Err(Refusal::NotATeamLead),
    }
}

/// A member the lead picked: in their crew, known and not archived.
fn picked<'a>(ctx: &Ctx<'a>, lead: &Person, id: PersonId) -> Result<&'a Person, Refusal> {
    if !ctx.dir.is_crew(lead.id, id) {
        let name = ctx
            .dir
            .person(id)
            .map_or_else(|| "That person".to_owned(), |p| p.name.clone());
        return Err(Refusal::NotInYourCrew { name });
    }
    let person = ctx.dir.person(id).ok_or(Refusal::UnknownPerson)?;
    if person.archived {
        return Err(Refusal::Archived { who: named(person) });
    }
    Ok(person)
}

fn named(person: &Person) -> Who {
    Who::Named(person.name.clone())
}

/// Each picked member once, in the order picked.
fn picked_all<'a>(
    ctx: &Ctx<'a>,
    lead: &Person,
    ids: &[PersonId],
) -> Result<Vec<&'a Person>, Refusal> {
    if ids.is_empty() {
        return Err(Refusal::NoMembersChosen);
    }
    let mut out: Vec<&Person> = Vec::with_capacity(ids.len());
    for &id in ids {
        let person = picked(ctx, lead, id)?;
        if !out.iter().any(|p| p.id == id) {
            out.push(person);
        }
    }
    Ok(out)
}

/// The active crew, in team order.
fn active_crew<'a>(ctx: &Ctx<'a>, lead: &Person) -> Vec<&'a Person> {
    ctx.dir
        .crew_of(lead.id)
        .into_iter()
        .filter_map(|id| ctx.dir.person(id))
        .filter(|p| !p.archived)
        .collect()
}

fn team_drafts(ctx: &Ctx<'_>, member: &Person, kinds: Vec<EventKind>) -> Vec<EventDraft> {
    ctx.drafts(member.id, Method::Team, kinds, ctx.now, None, false)
}

/// Clocks the chosen members in (`punch` is [`Punch::ClockIn`]) or out
/// ([`Punch::ClockOut`]); those already there are left as they are.
pub(super) fn clock(
    ctx: &Ctx<'_>,
    members: &[PersonId],
    punch: Punch,
) -> Result<Vec<EventDraft>, Refusal> {
    let clocking_in = punch == Punch::ClockIn;
    let lead = lead(ctx)?;
    let mut out = Vec::new();
    for member in picked_all(ctx, lead, members)? {
        let state = ctx.state(member.id);
        // Already there: nothing to do for them, the rest of the crew still goes.
        if member.mode.has_workday_clock() && state.is_clocked_in() == clocking_in {
            continue;
        }
        let kinds = plan(ctx.dir, member, &named(member), &state, punch)?;
        out.extend(team_drafts(ctx, member, kinds));
    }
    match (out.is_empty(), clocking_in) {
        (false, _) => Ok(out),
        (true, true) => Err(Refusal::CrewAllClockedIn),
        (true, false) => Err(Refusal::CrewAllClockedOut),
    }
}

/// Every crew member currently clocked in (not on a break) goes on `job`; those
/// on another job switch. A member not assigned to the job refuses the whole
/// start, naming them, rather than being left behind silently.
pub(super) fn start_job(ctx: &Ctx<'_>, job: JobId) -> Result<Vec<EventDraft>, Refusal> {
    let lead = lead(ctx)?;
    let found = ctx.dir.job(job).ok_or(Refusal::UnknownJob)?;
    if found.archived {
        return Err(Refusal::ArchivedJob {
            job: found.name.clone(),
        });
    }
    let mut out = Vec::new();
    let mut working = 0usize;
    for member in active_crew(ctx, lead) {
        let state = ctx.state(member.id);
        if !member.mode.has_workday_clock() || !state.is_working() {
            continue;
        }
        working += 1;
        let punch = match state.current_job() {
            Some(current) if current == job => continue,
            Some(_) => Punch::SwitchJob(job),
            None => Punch::CheckIn(job),
        };
        let kinds = plan(ctx.dir, member, &named(member), &state, punch)?;
        out.extend(team_drafts(ctx, member, kinds));
    }
    match (out.is_empty(), working) {
        (false, _) => Ok(out),
        (true, 0) => Err(Refusal::NoCrewClockedIn {
            job: found.name.clone(),
        }),
        (true, _) => Err(Refusal::CrewAlreadyOnJob {
            job: found.name.clone(),
        }),
    }
}

/// Everyone in the crew on `job` is checked out; they stay clocked in. Works for
/// a job archived meanwhile, so nobody is left on it.
pub(super) fn stop_job(ctx: &Ctx<'_>, job: JobId) -> Result<Vec<EventDraft>, Refusal> {
    let lead = lead(ctx)?;
    let mut out = Vec::new();
    for member in active_crew(ctx, lead) {
        if ctx.state(member.id).current_job() == Some(job) {
            out.extend(team_drafts(ctx, member, vec![EventKind::CheckOut { job }]));
        }
    }
    if out.is_empty() {
        return Err(Refusal::NoCrewOnJob);
    }
    Ok(out)
}

/// One member off their job; the job goes on for the others.
pub(super) fn check_out_member(
    ctx: &Ctx<'_>,
    member: PersonId,
) -> Result<Vec<EventDraft>, Refusal> {
    let lead = lead(ctx)?;
    let member = picked(ctx, lead, member)?;
    let state = ctx.state(member.id);
    let kinds = plan(ctx.dir, member, &named(member), &state, Punch::CheckOut)?;
    Ok(team_drafts(ctx, member, kinds))
}
