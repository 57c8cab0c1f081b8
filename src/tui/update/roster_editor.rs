//! The device roster editor (Admin): the roster's entries in order, each a
//! person or a whole team in a group (a tab) or none. Move, remove, set the
//! group, add from the hub's list, save. Saving queues the whole roster in the
//! journal for the sync worker (so it works offline); the hub checks the acting
//! person's right and rank again and applies it, and the kiosk's roster follows.
//!
//! Checked here first, with the domain's rules, so a refusal is plain and
//! immediate: the admin's role holds `manage_advanced_settings` (on opening) and,
//! for each person taken off the roster, `manage_users` with a higher rank.
//! People added are checked by the hub, which knows their roles.

use ratatui::layout::Rect;

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{AdminPage, EditEntry, EditMode, Model, Notice, RosterEditor, Screen};
use super::super::msg::{Cmd, Msg};
use super::super::roster::Roster;
use super::super::text::fold_for_search;
use super::area;
use crate::domain::{OnBehalf, PersonId, Refusal, Who, may_act_on};
use crate::wire::{RosterEntry, RosterItem};

/// The editor's buttons, in order (number keys are not used: the letters are).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditButton {
    Up,
    Down,
    Group,
    Remove,
    Add,
    Save,
}

pub const EDIT_BUTTONS: [EditButton; 6] = [
    EditButton::Up,
    EditButton::Down,
    EditButton::Group,
    EditButton::Remove,
    EditButton::Add,
    EditButton::Save,
];

/// Longest group name typed.
const MAX_GROUP_CHARS: usize = 40;

/// The entry list and the button row of the roster editor.
pub fn roster_editor_layout(area: Rect) -> (Rect, Vec<Rect>) {
    let body = layout::page(area).body;
    let list = Rect::new(
        body.x + 2,
        body.y + 1,
        body.width.saturating_sub(4),
        body.height.saturating_sub(layout::BUTTON_HEIGHT + 2),
    );
    (list, layout::button_row(body, EDIT_BUTTONS.len()))
}

/// The first visible entry, so that `cursor` shows in `rows` lines.
pub fn editor_scroll(cursor: usize, rows: usize) -> usize {
    (cursor + 1).saturating_sub(rows.max(1))
}

/// The candidates matching `query` that are not on the roster yet.
pub fn addable<'a>(
    candidates: &'a [EditEntry],
    entries: &'a [EditEntry],
    query: &str,
) -> impl Iterator<Item = &'a EditEntry> + 'a {
    let q = fold_for_search(query.trim());
    candidates.iter().filter(move |c| {
        !entries.iter().any(|e| e.item == c.item) && fold_for_search(&c.name).contains(&q)
    })
}

fn editor(model: &mut Model) -> Option<&mut RosterEditor> {
    match &mut model.screen {
        Screen::Admin {
            page: AdminPage::Roster(ed),
            ..
        } => Some(ed),
        _ => None,
    }
}

pub(super) fn input(model: &mut Model, admin: PersonId, msg: Msg) -> Vec<Cmd> {
    let (list, buttons) = roster_editor_layout(area(model));
    let Some(ed) = editor(model) else {
        return Vec::new();
    };
    match &mut ed.mode {
        EditMode::Group { text } => {
            match msg {
                Msg::Key(KeyInput::Char(c))
                    if !c.is_control() && text.chars().count() < MAX_GROUP_CHARS =>
                {
                    text.push(c);
                }
                Msg::Key(KeyInput::Backspace) => {
                    text.pop();
                }
                Msg::Key(KeyInput::Enter) => {
                    let group = text.trim().to_owned();
                    let cursor = ed.cursor;
                    if let Some(Ok(entries)) = &mut ed.entries
                        && let Some(e) = entries.get_mut(cursor)
                    {
                        e.group = (!group.is_empty()).then_some(group);
                        ed.dirty = true;
                    }
                    ed.mode = EditMode::List;
                }
                Msg::Key(KeyInput::Escape) => ed.mode = EditMode::List,
                _ => {}
            }
            return Vec::new();
        }
        EditMode::Add { .. } => return add_input(model, msg, list),
        EditMode::List => {}
    }
    let button = match msg {
        Msg::Key(KeyInput::Up) => {
            ed.cursor = ed.cursor.saturating_sub(1);
            None
        }
        Msg::Key(KeyInput::Down) => {
            let len = match &ed.entries {
                Some(Ok(e)) => e.len(),
                _ => 0,
            };
            ed.cursor = (ed.cursor + 1).min(len.saturating_sub(1));
            None
        }
        Msg::Key(KeyInput::Char('u')) => Some(EditButton::Up),
        Msg::Key(KeyInput::Char('d')) => Some(EditButton::Down),
        Msg::Key(KeyInput::Char('g')) => Some(EditButton::Group),
        Msg::Key(KeyInput::Char('x')) => Some(EditButton::Remove),
        Msg::Key(KeyInput::Char('a')) => Some(EditButton::Add),
        Msg::Key(KeyInput::Char('s')) => Some(EditButton::Save),
        Msg::Key(KeyInput::Escape) => {
            if ed.dirty {
                ed.dirty = false;
                model.notice = Some(Notice::Unsaved);
            } else if let Screen::Admin { page, .. } = &mut model.screen {
                *page = AdminPage::Menu;
            }
            None
        }
        Msg::Tap { column, row } => {
            if let Some(i) = layout::hit(&buttons, column, row) {
                EDIT_BUTTONS.get(i).copied()
            } else {
                if layout::contains(list, column, row) {
                    let rows = usize::from(list.height);
                    let i = editor_scroll(ed.cursor, rows) + usize::from(row - list.y);
                    if matches!(&ed.entries, Some(Ok(e)) if i < e.len()) {
                        ed.cursor = i;
                    }
                }
                None
            }
        }
        _ => None,
    };
    match button {
        Some(b) => run(model, admin, b),
        None => Vec::new(),
    }
}

fn run(model: &mut Model, admin: PersonId, button: EditButton) -> Vec<Cmd> {
    if button == EditButton::Save {
        return save(model, admin);
    }
    let Some(ed) = editor(model) else {
        return Vec::new();
    };
    let cursor = ed.cursor;
    let Some(Ok(entries)) = &mut ed.entries else {
        return Vec::new();
    };
    match button {
        EditButton::Up if cursor > 0 && cursor < entries.len() => {
            entries.swap(cursor, cursor - 1);
            ed.cursor -= 1;
            ed.dirty = true;
        }
        EditButton::Down if cursor + 1 < entries.len() => {
            entries.swap(cursor, cursor + 1);
            ed.cursor += 1;
            ed.dirty = true;
        }
        EditButton::Remove if cursor < entries.len() => {
            entries.remove(cursor);
            ed.cursor = cursor.min(entries.len().saturating_sub(1));
            ed.dirty = true;
        }
        EditButton::Group => {
            if let Some(e) = entries.get(cursor) {
                ed.mode = EditMode::Group {
                    text: e.group.clone().unwrap_or_default(),
                };
            }
        }
        EditButton::Add => {
            ed.mode = EditMode::Add {
                query: String::new(),
                selected: 0,
                candidates: None,
            };
            return vec![Cmd::LoadCandidates { acting: admin }];
        }
        _ => {}
    }
    Vec::new()
}

fn add_input(model: &mut Model, msg: Msg, list: Rect) -> Vec<Cmd> {
    let Some(ed) = editor(model) else {
        return Vec::new();
    };
    let Some(Ok(entries)) = &mut ed.entries else {
        ed.mode = EditMode::List;
        return Vec::new();
    };
    let EditMode::Add {
        query,
        selected,
        candidates,
    } = &mut ed.mode
    else {
        return Vec::new();
    };
    let chosen = match msg {
        Msg::Key(KeyInput::Char(c)) if !c.is_control() => {
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
            *selected += 1;
            None
        }
        Msg::Key(KeyInput::Escape) => {
            ed.mode = EditMode::List;
            return Vec::new();
        }
        Msg::Key(KeyInput::Enter) => Some(*selected),
        // The add list is drawn where the entry list is, below a search line.
        Msg::Tap { column, row } if layout::contains(list, column, row) && row > list.y => {
            Some(usize::from(row - list.y - 1))
        }
        _ => None,
    };
    let Some(Ok(all)) = candidates else {
        return Vec::new();
    };
    let found: Vec<EditEntry> = addable(all, entries, query).cloned().collect();
    *selected = (*selected).min(found.len().saturating_sub(1));
    let Some(mut new) = chosen.and_then(|i| found.get(i).cloned()) else {
        return Vec::new();
    };
    // Into the selected entry's group, just after it.
    let at = (ed.cursor + 1).min(entries.len());
    new.group = entries.get(ed.cursor).and_then(|e| e.group.clone());
    entries.insert(at, new);
    ed.cursor = at;
    ed.dirty = true;
    ed.mode = EditMode::List;
    Vec::new()
}

/// People the entries show: each person, and each team's lead and crew.
fn people_shown(roster: &Roster, entries: &[EditEntry]) -> Vec<PersonId> {
    let mut out = Vec::new();
    for e in entries {
        match e.item {
            RosterItem::Person(p) => out.push(p),
            RosterItem::Team(t) => {
                if let Some(team) = roster.dir.team(t) {
                    out.push(team.lead);
                    out.extend(team.members.iter().copied());
                }
            }
        }
    }
    out
}

/// Whether `admin` may take each person off the roster that the edit removes
/// (the domain's rank rule; the hub checks again, people added included).
fn may_remove(roster: &Roster, admin: PersonId, entries: &[EditEntry]) -> Result<(), Refusal> {
    let Some(role) = roster.dir.role_of(admin) else {
        return Err(Refusal::NoRole { who: Who::You });
    };
    let kept = people_shown(roster, entries);
    let before: Vec<PersonId> = roster.tab_people(0).to_vec();
    for p in before.iter().filter(|p| **p != admin && !kept.contains(p)) {
        let Some(target) = roster.dir.role_of(*p) else {
            continue;
        };
        may_act_on(role, target, OnBehalf::ManageUser)?;
    }
    Ok(())
}

fn save(model: &mut Model, admin: PersonId) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let entries = match model.screen {
        Screen::Admin {
            page:
                AdminPage::Roster(RosterEditor {
                    entries: Some(Ok(ref entries)),
                    ..
                }),
            ..
        } => entries.clone(),
        _ => return Vec::new(),
    };
    if let Err(refusal) = may_remove(roster, admin, &entries) {
        model.notice = Some(Notice::Refused(refusal));
        return vec![Cmd::Bell];
    }
    let entries = entries
        .into_iter()
        .map(|e| RosterEntry {
            group: e.group,
            item: e.item,
        })
        .collect();
    vec![Cmd::QueueRosterChange {
        acting: admin,
        entries,
    }]
}

pub(super) fn loaded(model: &mut Model, loaded: Result<Vec<EditEntry>, String>) -> Vec<Cmd> {
    if let Some(ed) = editor(model) {
        ed.cursor = 0;
        ed.dirty = false;
        ed.entries = Some(loaded);
    }
    Vec::new()
}

pub(super) fn candidates(model: &mut Model, loaded: Result<Vec<EditEntry>, String>) -> Vec<Cmd> {
    if let Some(RosterEditor {
        mode: EditMode::Add { candidates, .. },
        ..
    }) = editor(model)
    {
        *candidates = Some(loaded);
    }
    Vec::new()
}

pub(super) fn queued(model: &mut Model, result: Result<(), String>) -> Vec<Cmd> {
    match result {
        Ok(()) => {
            if let Some(ed) = editor(model) {
                ed.dirty = false;
            }
            model.notice = Some(Notice::Queued);
            vec![Cmd::NudgeSync]
        }
        Err(e) => {
            tracing::error!("roster change NOT queued: {e}");
            model.notice = Some(Notice::Problem(e));
            vec![Cmd::Bell]
        }
    }
}
