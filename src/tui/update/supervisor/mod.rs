//! The supervisor override at the device (Anuko punch mode override): a
//! supervisor, signed in with their own PIN, enters a person's actual start or
//! finish time and a reason. This is the one place the kiosk takes a typed
//! time. The domain decides (`Intent::OverridePunch`: `override_punch_mode` and
//! a higher rank, `override_own_punch_mode` for oneself, `override_date_lock`
//! for a locked day); refusals are shown in its plain words.
//!
//! Reached from the missed-punch screen (`s`, or the button) and from a
//! supervisor's own Actions ("Enter a time for someone"). This file signs the
//! supervisor in and picks the person; `form` is the time and reason form.

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{Model, Notice, Purpose, Screen};
use super::super::msg::{Cmd, Msg};
use super::super::roster::Roster;
use super::{area, go_home};
use crate::domain::{self, Method, OnBehalf, PersonId, Refusal, Right, may_act_on, may_act_on_own};

mod form;

pub(super) use form::input;
pub use form::{OVERRIDE_REASONS, OverrideLayout, entered_at, override_layout};

/// Whether `person`'s role may enter times at all (for others or for themselves).
pub fn may_override_anyone(roster: &Roster, person: PersonId) -> bool {
    roster
        .dir
        .role_of(person)
        .is_some_and(|r| r.has(Right::OverridePunchMode) || r.has(Right::OverrideOwnPunchMode))
}

/// May `supervisor` enter a time for `subject`? The domain's rank rule; the full
/// decision (date lock, state) comes when the time is known.
pub fn may_override(
    roster: &Roster,
    supervisor: PersonId,
    subject: PersonId,
) -> Result<(), Refusal> {
    let no_role = |p: PersonId| Refusal::NoRole {
        who: if p == supervisor {
            domain::Who::You
        } else {
            domain::Who::Named(roster.name(p).to_owned())
        },
    };
    let role = roster
        .dir
        .role_of(supervisor)
        .ok_or_else(|| no_role(supervisor))?;
    if supervisor == subject {
        return may_act_on_own(role, OnBehalf::OverridePunch);
    }
    let target = roster
        .dir
        .role_of(subject)
        .ok_or_else(|| no_role(subject))?;
    may_act_on(role, target, OnBehalf::OverridePunch)
}

/// From the missed-punch screen: a supervisor signs in for `subject`.
pub(super) fn sign_in_for(model: &mut Model, subject: PersonId) -> Vec<Cmd> {
    model.screen = Screen::Identify {
        purpose: Purpose::Override {
            subject: Some(subject),
        },
        query: String::new(),
        selected: 0,
    };
    Vec::new()
}

/// From a supervisor's own Actions: their PIN (unless they just typed it),
/// then whom.
pub(super) fn start_from_actions(
    model: &mut Model,
    supervisor: PersonId,
    method: Method,
) -> Vec<Cmd> {
    if method == Method::Pin {
        return signed_in(model, supervisor, None);
    }
    super::identify::picked(
        model,
        supervisor,
        method,
        Purpose::Override { subject: None },
    )
}

/// The supervisor proved who they are (their PIN): the form for `subject`, or
/// the list to pick from; refused plainly when their role does not allow it.
pub(super) fn signed_in(
    model: &mut Model,
    supervisor: PersonId,
    subject: Option<PersonId>,
) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let allowed = match subject {
        Some(subject) => may_override(roster, supervisor, subject),
        None if may_override_anyone(roster, supervisor) => Ok(()),
        None => Err(Refusal::MissingRight {
            right: Right::OverridePunchMode,
        }),
    };
    if let Err(refusal) = allowed {
        go_home(model);
        model.notice = Some(Notice::Refused(refusal));
        return vec![Cmd::Bell];
    }
    match subject {
        Some(subject) => form::open_form(model, supervisor, subject),
        None => {
            model.screen = Screen::OverridePick {
                supervisor,
                query: String::new(),
                selected: 0,
            };
        }
    }
    Vec::new()
}

/// The people `supervisor` may enter a time for whose names match `query`.
pub fn override_candidates<'a>(
    roster: &'a Roster,
    supervisor: PersonId,
    query: &'a str,
) -> impl Iterator<Item = PersonId> + 'a {
    roster
        .matches(query)
        .filter(move |p| may_override(roster, supervisor, *p).is_ok())
}

pub(super) fn pick_input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let list = layout::search(layout::page(area(model)).body).1;
    let Screen::OverridePick {
        supervisor,
        query,
        selected,
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let supervisor = *supervisor;
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let chosen = match msg {
        Msg::Key(KeyInput::Char(c)) => {
            query.push(c);
            *selected = 0;
            None
        }
        Msg::Key(KeyInput::Backspace) => {
            query.pop();
            *selected = 0;
            None
        }
        Msg::Key(KeyInput::Up) => {
            *selected = selected.saturating_sub(1);
            None
        }
        Msg::Key(KeyInput::Down) => {
            if override_candidates(roster, supervisor, query)
                .nth(*selected + 1)
                .is_some()
            {
                *selected += 1;
            }
            None
        }
        Msg::Key(KeyInput::Escape) => {
            go_home(model);
            return Vec::new();
        }
        Msg::Key(KeyInput::Enter) => Some(*selected),
        Msg::Tap { column, row } if layout::contains(list, column, row) => {
            Some(usize::from(row - list.y))
        }
        _ => None,
    };
    let Some(i) = chosen else {
        return Vec::new();
    };
    let found = override_candidates(roster, supervisor, query).nth(i);
    match found {
        Some(subject) => form::open_form(model, supervisor, subject),
        None => {
            model.notice = Some(Notice::Refused(Refusal::UnknownPerson));
        }
    }
    Vec::new()
}
