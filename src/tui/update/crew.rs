//! The Team lead screen: the crew with their status, a multi-selection, and the
//! crew punches (actor = the lead, method = Team).

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{CrewAction, Done, JobPicker, Model, Screen};
use super::super::msg::{Cmd, Msg};
use super::super::roster::Roster;
use super::actions::by_name;
use super::go_home;
use super::punch::{Punch, decide_and_record};
use crate::domain::{Actor, Intent, JobId, Method, PersonId};
use ratatui::layout::Rect;

pub const CREW_ACTIONS: [CrewAction; 5] = [
    CrewAction::ClockIn,
    CrewAction::ClockOut,
    CrewAction::StartJob,
    CrewAction::StopJob,
    CrewAction::CheckOutMember,
];

/// The lead's crew as shown: members of their teams, archived ones left out.
pub fn crew_of(roster: &Roster, lead: PersonId) -> Vec<PersonId> {
    roster
        .dir
        .crew_of(lead)
        .into_iter()
        .filter(|id| roster.dir.person(*id).is_some_and(|p| !p.archived))
        .collect()
}

/// Active jobs matching `query`, by name (the lead starts any job; the domain
/// refuses members not assigned to it).
pub fn crew_jobs(roster: &Roster, query: &str) -> Vec<(JobId, String)> {
    by_name(roster.dir.jobs().filter(|j| !j.archived), query)
}

/// The crew list's rectangle and the button row's, on the Team lead screen.
pub fn crew_layout(area: Rect) -> (Rect, Vec<Rect>) {
    let body = layout::page(area).body;
    let list = Rect::new(
        body.x + 2,
        body.y,
        body.width.saturating_sub(4),
        body.height.saturating_sub(layout::BUTTON_HEIGHT + 1),
    );
    (list, layout::button_row(body, CREW_ACTIONS.len()))
}

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let area = super::area(model);
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let Screen::Crew {
        lead,
        cursor,
        chosen,
        picker,
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let lead = *lead;
    let crew = crew_of(roster, lead);
    if let Some(p) = picker {
        let jobs = crew_jobs(roster, &p.query);
        let job = match msg {
            Msg::Key(KeyInput::Char(c)) => {
                p.query.push(c);
                p.selected = 0;
                None
            }
            Msg::Key(KeyInput::Backspace) => {
                p.query.pop();
                None
            }
            Msg::Key(KeyInput::Up) => {
                p.selected = p.selected.saturating_sub(1);
                None
            }
            Msg::Key(KeyInput::Down) => {
                p.selected = (p.selected + 1).min(jobs.len().saturating_sub(1));
                None
            }
            Msg::Key(KeyInput::Escape) => {
                *picker = None;
                None
            }
            Msg::Key(KeyInput::Enter) => jobs.get(p.selected).map(|j| j.0),
            Msg::Tap { column, row } => {
                let list = layout::search(layout::page(area).body).1;
                layout::contains(list, column, row)
                    .then(|| jobs.get(usize::from(row - list.y)).map(|j| j.0))
                    .flatten()
            }
            _ => None,
        };
        return match job {
            Some(job) => crew_punch(
                model,
                lead,
                CrewAction::StartJob,
                Intent::CrewStartJob { job },
            ),
            None => Vec::new(),
        };
    }
    let (list, buttons) = crew_layout(area);
    let action = match msg {
        Msg::Key(KeyInput::Up) => {
            *cursor = cursor.saturating_sub(1);
            None
        }
        Msg::Key(KeyInput::Down) => {
            *cursor = (*cursor + 1).min(crew.len().saturating_sub(1));
            None
        }
        Msg::Key(KeyInput::Char(' ')) => {
            if let Some(&m) = crew.get(*cursor) {
                toggle(chosen, m);
            }
            None
        }
        Msg::Key(KeyInput::Char('a')) => {
            if chosen.len() == crew.len() {
                chosen.clear();
            } else {
                chosen.extend(crew.iter().copied());
            }
            None
        }
        Msg::Key(KeyInput::Char(c)) => c
            .to_digit(10)
            .and_then(|d| usize::try_from(d).ok()?.checked_sub(1))
            .and_then(|i| CREW_ACTIONS.get(i).copied()),
        Msg::Key(KeyInput::Escape) => {
            go_home(model);
            return Vec::new();
        }
        Msg::Tap { column, row } => {
            if layout::contains(list, column, row) {
                let i = usize::from(row - list.y);
                if let Some(&m) = crew.get(i) {
                    *cursor = i;
                    toggle(chosen, m);
                }
                None
            } else {
                layout::hit(&buttons, column, row).and_then(|i| CREW_ACTIONS.get(i).copied())
            }
        }
        _ => None,
    };
    let Some(action) = action else {
        return Vec::new();
    };
    let members: Vec<PersonId> = crew
        .iter()
        .copied()
        .filter(|m| chosen.contains(m))
        .collect();
    let at_cursor = crew.get(*cursor).copied();
    let intent = match action {
        CrewAction::ClockIn => Intent::CrewClockIn { members },
        CrewAction::ClockOut => Intent::CrewClockOut { members },
        CrewAction::StartJob => {
            *picker = Some(JobPicker::default());
            return Vec::new();
        }
        CrewAction::StopJob => {
            // The job of the member under the cursor, else the first one on a job.
            let job = at_cursor
                .into_iter()
                .chain(crew.iter().copied())
                .find_map(|m| roster.state(m).current_job());
            match job {
                Some(job) => Intent::CrewStopJob { job },
                None => Intent::CrewStopJob {
                    job: JobId(uuid::Uuid::nil()),
                },
            }
        }
        CrewAction::CheckOutMember => match at_cursor {
            Some(member) => Intent::CrewCheckOutMember { member },
            None => return Vec::new(),
        },
    };
    crew_punch(model, lead, action, intent)
}

fn toggle(chosen: &mut std::collections::BTreeSet<PersonId>, m: PersonId) {
    if !chosen.remove(&m) {
        chosen.insert(m);
    }
}

fn crew_punch(model: &mut Model, lead: PersonId, action: CrewAction, intent: Intent) -> Vec<Cmd> {
    let key = match action {
        CrewAction::ClockIn => KeyInput::Char('1'),
        CrewAction::ClockOut => KeyInput::Char('2'),
        CrewAction::StartJob => KeyInput::Enter,
        CrewAction::StopJob => KeyInput::Char('4'),
        CrewAction::CheckOutMember => KeyInput::Char('5'),
    };
    let count = match &intent {
        Intent::CrewClockIn { members } | Intent::CrewClockOut { members } => members.len(),
        _ => 0,
    };
    decide_and_record(
        model,
        Punch {
            actor: Actor::Person(lead),
            method: Method::Team,
            intent,
            person: lead,
            done: Done::Crew { action, count },
            key,
        },
    )
}
