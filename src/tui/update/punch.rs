//! Deciding and recording: the one path from a chosen action to the journal,
//! and the journal's answer to the confirmation or the red screen.

use chrono::TimeDelta;

use super::super::input::KeyInput;
use super::super::model::{Action, Done, Model, NotRecorded, Notice, Pending, Retry, Screen};
use super::super::msg::{Cmd, Recorded};
use super::go_home;
use crate::domain::{self, Actor, Intent, Method, PersonId};

/// What to decide, for whom, and how to redo it.
pub(super) struct Punch {
    pub actor: Actor,
    pub method: Method,
    pub intent: Intent,
    /// Whose name the confirmation shows, and whose hours.
    pub person: PersonId,
    /// Also whether the confirmation shows hours: a crew punch shows none.
    pub done: Done,
    /// The key that, on the current screen, leads here again ("try again").
    pub key: KeyInput,
}

/// Asks the domain; on yes, asks the journal to record; on no, shows why.
pub(super) fn decide_and_record(model: &mut Model, p: Punch) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let states = |id| roster.state(id);
    let decided = domain::decide(&roster.dir, &states, p.actor, p.method, p.intent, model.now);
    match decided {
        Err(refusal) => {
            model.notice = Some(Notice::Refused(refusal));
            vec![Cmd::Bell]
        }
        Ok(drafts) => {
            // Hours are counted up to the event's time: for a time entered in
            // the past ("today" would be that day), none are shown.
            let entered = matches!(
                p.done,
                Done::One {
                    action: Action::Override | Action::MissedPunch,
                    ..
                }
            );
            let hours_for = (matches!(p.done, Done::One { .. }) && !entered).then_some(p.person);
            let name = roster.name(p.person).to_owned();
            let request = model.request_id();
            model.pending = Some(Pending {
                request,
                name,
                done: p.done,
                retry: Retry {
                    screen: model.screen.clone(),
                    key: p.key,
                },
            });
            vec![Cmd::Record {
                request,
                drafts,
                utc_offset_secs: model.utc_offset_secs,
                hours_for,
            }]
        }
    }
}

pub(super) fn recorded(
    model: &mut Model,
    request: u64,
    result: Result<Recorded, String>,
) -> Vec<Cmd> {
    let Some(pending) = model.pending.take_if(|p| p.request == request) else {
        return Vec::new();
    };
    match result {
        Ok(recorded) => {
            if let Some(roster) = model.roster.as_mut() {
                roster.apply(&recorded.events);
            }
            let at = recorded.events.first().map_or(model.now, |e| e.at);
            let mut done = pending.done;
            if let Done::Crew { count, .. } = &mut done {
                let mut subjects: Vec<_> = recorded.events.iter().map(|e| e.subject).collect();
                subjects.sort();
                subjects.dedup();
                *count = subjects.len();
            }
            let secs = i64::try_from(model.settings.confirmation_secs).unwrap_or(4);
            model.notice = None;
            model.screen = Screen::Confirm {
                name: pending.name,
                done,
                at,
                hours: recorded.hours,
                until: model.now + TimeDelta::seconds(secs),
            };
            vec![Cmd::Bell, Cmd::NudgeSync]
        }
        Err(error) => {
            tracing::error!("punch NOT recorded: {error}");
            go_home(model);
            model.not_recorded = Some(NotRecorded {
                error,
                retry: Some(pending.retry),
            });
            vec![Cmd::Bell]
        }
    }
}
