//! The Actions screen: what one person can do now, from their mode and state,
//! and the job picker for checking in or switching.

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{Action, Done, JobPicker, Model, Notice, Screen};
use super::super::msg::{Cmd, Msg};
use super::super::roster::Roster;
use super::super::text::fold_for_search;
use super::punch::{Punch, decide_and_record};
use super::{area, go_home};
use crate::domain::{Actor, Intent, Job, JobId, Method, PersonId, TrackingMode};

/// The buttons for `person`, the most common first (Enter).
pub fn available(roster: &Roster, person: PersonId, proven: bool) -> Vec<Action> {
    let state = roster.state(person);
    let mode = roster.mode(person);
    // A job button that can only answer "no jobs" must not take Enter.
    let has_jobs = assignable(roster, person).next().is_some();
    let mut out = Vec::new();
    if mode == TrackingMode::Individual {
        if state.job.is_some() {
            out.push(Action::CheckOut);
            out.extend(has_jobs.then_some(Action::SwitchJob));
        } else if has_jobs {
            out.push(Action::CheckIn);
        }
        if proven && super::supervisor::may_override_anyone(roster, person) {
            out.push(Action::Override);
        }
        return out;
    }
    if state.is_on_break() {
        out.extend([Action::BreakEnd, Action::ClockOut]);
    } else if state.is_working() {
        if state.job.is_some() {
            out.push(Action::CheckOut);
            out.extend(has_jobs.then_some(Action::SwitchJob));
        } else if has_jobs {
            out.push(Action::CheckIn);
        }
        out.extend([Action::ClockOut, Action::BreakStart]);
    } else {
        out.push(Action::ClockIn);
    }
    if mode == TrackingMode::TeamLead {
        out.push(Action::Crew);
    }
    // Reporting a forgotten clock-out acts as the person: only once they proved
    // who they are, and last, as the rarest.
    if proven && state.is_clocked_in() {
        out.push(Action::MissedPunch);
    }
    if proven && super::supervisor::may_override_anyone(roster, person) {
        out.push(Action::Override);
    }
    out
}

/// Jobs `person` may check in to whose name matches `query`, by name.
pub fn jobs_for(roster: &Roster, person: PersonId, query: &str) -> Vec<(JobId, String)> {
    by_name(assignable(roster, person), query)
}

/// Jobs `person` may check in to now: active, assigned, not the current one.
fn assignable(roster: &Roster, person: PersonId) -> impl Iterator<Item = &Job> {
    let p = roster.dir.person(person);
    let current = roster.state(person).current_job();
    roster.dir.jobs().filter(move |j| {
        !j.archived && p.is_some_and(|p| p.jobs.allows(j.id)) && Some(j.id) != current
    })
}

/// Those of `jobs` whose name contains `query` (ignoring case and accents), by name.
pub(super) fn by_name<'a>(
    jobs: impl Iterator<Item = &'a Job>,
    query: &str,
) -> Vec<(JobId, String)> {
    let q = fold_for_search(query.trim());
    let mut jobs: Vec<(JobId, String)> = jobs
        .filter(|j| fold_for_search(&j.name).contains(&q))
        .map(|j| (j.id, j.name.clone()))
        .collect();
    jobs.sort_by(|a, b| a.1.cmp(&b.1));
    jobs
}

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Screen::Actions {
        person,
        method,
        proven,
        selected,
        picker,
    } = &model.screen
    else {
        return Vec::new();
    };
    let (person, method, proven, selected) = (*person, *method, *proven, *selected);
    if picker.is_some() {
        return pick_job(model, person, method, msg);
    }
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let actions = available(roster, person, proven);
    let chosen = match msg {
        Msg::Key(KeyInput::Enter) => Some(selected),
        Msg::Key(KeyInput::Char(c)) => c
            .to_digit(10)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_sub(1)),
        Msg::Key(KeyInput::Up) => {
            set_selected(model, selected.saturating_sub(1));
            None
        }
        Msg::Key(KeyInput::Down) => {
            set_selected(model, (selected + 1).min(actions.len().saturating_sub(1)));
            None
        }
        Msg::Key(KeyInput::Escape) => {
            go_home(model);
            None
        }
        Msg::Tap { column, row } => {
            let rects = layout::buttons(layout::page(area(model)).body, actions.len());
            layout::hit(&rects, column, row)
        }
        _ => None,
    };
    match chosen.and_then(|i| actions.get(i).map(|a| (i, *a))) {
        Some((i, action)) => run(model, person, method, proven, i, action),
        None => Vec::new(),
    }
}

fn set_selected(model: &mut Model, to: usize) {
    if let Screen::Actions { selected, .. } = &mut model.screen {
        *selected = to;
    }
}

fn run(
    model: &mut Model,
    person: PersonId,
    method: Method,
    proven: bool,
    index: usize,
    action: Action,
) -> Vec<Cmd> {
    set_selected(model, index);
    let intent = match action {
        Action::ClockIn => Intent::ClockIn { subject: person },
        Action::ClockOut => Intent::ClockOut { subject: person },
        Action::BreakStart => Intent::BreakStart { subject: person },
        Action::BreakEnd => Intent::BreakEnd { subject: person },
        Action::CheckOut => Intent::CheckOut { subject: person },
        Action::CheckIn | Action::SwitchJob => {
            let none = model
                .roster
                .as_ref()
                .is_none_or(|r| assignable(r, person).next().is_none());
            if none {
                model.notice = Some(Notice::NoJobs);
                return vec![Cmd::Bell];
            }
            if let Screen::Actions { picker, .. } = &mut model.screen {
                *picker = Some((action, JobPicker::default()));
            }
            return Vec::new();
        }
        Action::Crew => {
            model.screen = Screen::Crew {
                lead: person,
                cursor: 0,
                chosen: Default::default(),
                picker: None,
            };
            return Vec::new();
        }
        Action::Override => {
            return super::supervisor::start_from_actions(model, person, method);
        }
        Action::MissedPunch => {
            let since = model
                .roster
                .as_ref()
                .and_then(|r| match r.state(person).clock {
                    crate::domain::Clock::In { since }
                    | crate::domain::Clock::OnBreak { since, .. } => Some(since),
                    crate::domain::Clock::Out => None,
                });
            if let Some(since) = since {
                model.screen = Screen::MissedPunch {
                    person,
                    method,
                    proven,
                    since,
                    digits: String::new(),
                };
            }
            return Vec::new();
        }
    };
    decide_and_record(
        model,
        Punch {
            actor: Actor::Kiosk(model.device.id),
            method,
            intent,
            person,
            done: Done::One { action, job: None },
            key: KeyInput::Enter,
        },
    )
}

fn pick_job(model: &mut Model, person: PersonId, method: Method, msg: Msg) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let list_rect = layout::search(layout::page(area(model)).body).1;
    let Screen::Actions {
        picker: Some((action, picker)),
        ..
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let action = *action;
    let jobs = jobs_for(roster, person, &picker.query);
    let chosen = match msg {
        Msg::Key(KeyInput::Char(c)) => {
            picker.query.push(c);
            picker.selected = 0;
            None
        }
        Msg::Key(KeyInput::Backspace) => {
            picker.query.pop();
            picker.selected = 0;
            None
        }
        Msg::Key(KeyInput::Up) => {
            picker.selected = picker.selected.saturating_sub(1);
            None
        }
        Msg::Key(KeyInput::Down) => {
            picker.selected = (picker.selected + 1).min(jobs.len().saturating_sub(1));
            None
        }
        Msg::Key(KeyInput::Escape) => {
            if let Screen::Actions { picker, .. } = &mut model.screen {
                *picker = None;
            }
            None
        }
        Msg::Key(KeyInput::Enter) => Some(picker.selected),
        Msg::Tap { column, row } if layout::contains(list_rect, column, row) => {
            Some(usize::from(row - list_rect.y))
        }
        _ => None,
    };
    let Some((i, (job, _))) = chosen.and_then(|i| jobs.get(i).cloned().map(|j| (i, j))) else {
        return Vec::new();
    };
    if let Screen::Actions {
        picker: Some((_, p)),
        ..
    } = &mut model.screen
    {
        p.selected = i;
    }
    let intent = match action {
        Action::SwitchJob => Intent::SwitchJob {
            subject: person,
            job,
        },
        _ => Intent::CheckIn {
            subject: person,
            job,
        },
    };
    decide_and_record(
        model,
        Punch {
            actor: Actor::Kiosk(model.device.id),
            method,
            intent,
            person,
            done: Done::One {
                action,
                job: Some(job),
            },
            key: KeyInput::Enter,
        },
    )
}
