//! The one decision: given what the organisation looks like, where everyone
//! stands, who is asking and what they ask, which events to record, or why not.
//!
//! Guarantees: [`decide`] is a pure function of its arguments (same inputs, same
//! output); it never panics; every refusal is a [`Refusal`] a person at a kiosk
//! can read. Accepted events, applied in order, never raise an anomaly when
//! folded (see `domain::tests::proptests`).
//!
//! Who may act on whom:
//! - the kiosk user acts for anyone in the directory (the device's roster);
//! - a person acts for themselves with `track_own_time` (team members cannot:
//!   their lead or the kiosk punches them);
//! - a team lead acts for their crew by being their lead;
//! - anyone else needs `track_time` and a higher rank (see `authority`).

mod crew;
mod entered;
mod transitions;

use chrono::{DateTime, Utc};

use super::authority::{OnBehalf, may_act_on, may_act_on_own};
use super::event::{Actor, EventDraft, EventKind, Method};
use super::ids::PersonId;
use super::intent::Intent;
use super::person::{Person, TrackingMode};
use super::refusal::{Refusal, Who};
use super::role::Role;
use super::roster::Directory;
use super::state::PunchState;
use transitions::{Punch, plan};

/// Decides what `actor` asking for `intent` at `now` records.
///
/// `states` gives a person's current [`PunchState`] (folded from their events);
/// `method` is how the actor identified themselves. Crew actions record
/// [`Method::Team`] and overrides [`Method::SupervisorOverride`] (or
/// [`Method::Admin`] when that is the method given) whatever is passed.
pub fn decide(
    dir: &Directory,
    states: &impl Fn(PersonId) -> PunchState,
    actor: Actor,
    method: Method,
    intent: Intent,
    now: DateTime<Utc>,
) -> Result<Vec<EventDraft>, Refusal> {
    let ctx = Ctx {
        dir,
        states,
        actor,
        method,
        now,
        acting: Acting::resolve(dir, actor)?,
    };
    match intent {
        Intent::ClockIn { subject } => ctx.punch(subject, Punch::ClockIn),
        Intent::ClockOut { subject } => ctx.punch(subject, Punch::ClockOut),
        Intent::BreakStart { subject } => ctx.punch(subject, Punch::BreakStart),
        Intent::BreakEnd { subject } => ctx.punch(subject, Punch::BreakEnd),
        Intent::CheckIn { subject, job } => ctx.punch(subject, Punch::CheckIn(job)),
        Intent::CheckOut { subject } => ctx.punch(subject, Punch::CheckOut),
        Intent::SwitchJob { subject, job } => ctx.punch(subject, Punch::SwitchJob(job)),
        Intent::CrewClockIn { members } => crew::clock(&ctx, &members, Punch::ClockIn),
        Intent::CrewClockOut { members } => crew::clock(&ctx, &members, Punch::ClockOut),
        Intent::CrewStartJob { job } => crew::start_job(&ctx, job),
        Intent::CrewStopJob { job } => crew::stop_job(&ctx, job),
        Intent::CrewCheckOutMember { member } => crew::check_out_member(&ctx, member),
        Intent::OverridePunch {
            subject,
            punch,
            at,
            reason,
        } => entered::override_punch(&ctx, subject, punch, at, &reason),
        Intent::Correct {
            target,
            new_time,
            reason,
        } => entered::correct(&ctx, target, new_time, &reason),
        Intent::ReportMissedPunch {
            subject,
            punch,
            at,
            reason,
        } => entered::missed_punch(&ctx, subject, punch, at, &reason),
    }
}

/// The actor, resolved against the directory.
#[derive(Clone, Copy)]
enum Acting<'a> {
    Kiosk,
    Person { person: &'a Person, role: &'a Role },
}

impl<'a> Acting<'a> {
    fn resolve(dir: &'a Directory, actor: Actor) -> Result<Self, Refusal> {
        match actor {
            Actor::Kiosk(_) => Ok(Acting::Kiosk),
            Actor::Person(id) => {
                let person = dir.person(id).ok_or(Refusal::UnknownPerson)?;
                if person.archived {
                    return Err(Refusal::Archived { who: Who::You });
                }
                let role = dir
                    .role(person.role)
                    .ok_or(Refusal::NoRole { who: Who::You })?;
                Ok(Acting::Person { person, role })
            }
        }
    }
}

/// How the actor stands to the subject.
#[derive(Clone, Copy)]
enum Relation<'a> {
    Kiosk,
    Own {
        role: &'a Role,
    },
    /// The actor is a team lead and the subject is in their crew.
    Lead,
    Other {
        actor: &'a Person,
        role: &'a Role,
    },
}

/// The person a punch is for, resolved.
struct Subject<'a> {
    person: &'a Person,
    role: &'a Role,
    who: Who,
    relation: Relation<'a>,
}

/// A person's own punches need `track_own_time`; team members have none: their
/// lead or the kiosk punches them.
fn may_track_own(person: &Person, role: &Role) -> Result<(), Refusal> {
    if person.mode == TrackingMode::TeamMember {
        return Err(Refusal::TeamMemberSelfPunch);
    }
    may_act_on_own(role, OnBehalf::TrackTime)
}

struct Ctx<'a> {
    dir: &'a Directory,
    states: &'a dyn Fn(PersonId) -> PunchState,
    actor: Actor,
    method: Method,
    now: DateTime<Utc>,
    acting: Acting<'a>,
}

impl<'a> Ctx<'a> {
    fn state(&self, person: PersonId) -> PunchState {
        (self.states)(person)
    }

    fn relation(&self, subject: PersonId) -> Relation<'a> {
        match self.acting {
            Acting::Kiosk => Relation::Kiosk,
            Acting::Person { person, role } if person.id == subject => Relation::Own { role },
            Acting::Person { person, .. }
                if person.mode == TrackingMode::TeamLead
                    && self.dir.is_crew(person.id, subject) =>
            {
                Relation::Lead
            }
            Acting::Person { person, role } => Relation::Other {
                actor: person,
                role,
            },
        }
    }

    /// The subject, who must be known, not archived and have a role.
    fn subject(&self, id: PersonId) -> Result<Subject<'a>, Refusal> {
        let person = self.dir.person(id).ok_or(Refusal::UnknownPerson)?;
        let relation = self.relation(id);
        let who = match relation {
            // At a kiosk the person tapping is the subject.
            Relation::Kiosk | Relation::Own { .. } => Who::You,
            Relation::Lead | Relation::Other { .. } => Who::Named(person.name.clone()),
        };
        if person.archived {
            return Err(Refusal::Archived { who });
        }
        let role = self
            .dir
            .role(person.role)
            .ok_or_else(|| Refusal::NoRole { who: who.clone() })?;
        Ok(Subject {
            person,
            role,
            who,
            relation,
        })
    }

    /// May the actor punch for `subject` at the device's clock? Returns the
    /// method to record.
    fn may_track(&self, subject: &Subject<'_>) -> Result<Method, Refusal> {
        match subject.relation {
            Relation::Kiosk => Ok(self.method),
            Relation::Lead => Ok(Method::Team),
            Relation::Own { role } => {
                may_track_own(subject.person, role)?;
                Ok(self.method)
            }
            Relation::Other { actor, role } => {
                match may_act_on(role, subject.role, OnBehalf::TrackTime) {
                    Ok(()) => Ok(self.method),
                    // A lead without supervisor rights hears why in lead terms.
                    Err(_) if actor.mode == TrackingMode::TeamLead => Err(Refusal::NotInYourCrew {
                        name: subject.person.name.clone(),
                    }),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// A punch for one person at the device's clock.
    fn punch(&self, subject: PersonId, punch: Punch) -> Result<Vec<EventDraft>, Refusal> {
        let s = self.subject(subject)?;
        let method = self.may_track(&s)?;
        let kinds = plan(self.dir, s.person, &s.who, &self.state(subject), punch)?;
        Ok(self.drafts(subject, method, kinds, self.now, None, false))
    }

    fn drafts(
        &self,
        subject: PersonId,
        method: Method,
        kinds: Vec<EventKind>,
        at: DateTime<Utc>,
        note: Option<&str>,
        needs_review: bool,
    ) -> Vec<EventDraft> {
        kinds
            .into_iter()
            .map(|kind| EventDraft {
                subject,
                actor: self.actor,
                method,
                kind,
                at,
                note: note.map(str::to_owned),
                needs_review,
            })
            .collect()
    }
}
