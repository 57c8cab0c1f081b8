//! `update`: the only place the model changes. Pure: it reads the time from
//! [`Msg::Tick`], never from the system, and asks the runtime for everything
//! else (recording, PIN checks, the bell) through the [`Cmd`]s it returns.
//!
//! Every punch goes through [`crate::domain::decide`]; a punch is shown as done
//! only when [`Msg::Recorded`] brings the journal's `Ok`.

mod actions;
mod admin;
mod crew;
mod help;
mod identify;
mod missed;
mod privileged;
mod punch;
mod reenroll;
mod roster_editor;
mod supervisor;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::layout::Rect;

use super::input::KeyInput;
use super::model::{Model, NotRecorded, Screen};
use super::msg::{Cmd, Msg};

pub use actions::{available, jobs_for};
pub use admin::{ADMIN_MENU, AdminItem, admin_menu_layout};
pub use crew::{CREW_ACTIONS, crew_jobs, crew_layout, crew_of};
pub use help::HELP_KEY;
pub use identify::tab_labels as identify_tab_labels;
pub use missed::{left_at, missed_button};
pub use reenroll::usable as enrollment_usable;
pub use roster_editor::{EDIT_BUTTONS, EditButton, addable, editor_scroll, roster_editor_layout};
pub use supervisor::{
    OVERRIDE_REASONS, OverrideLayout, entered_at, may_override, may_override_anyone,
    override_candidates, override_layout,
};

/// The admin hotkey (then an administrator's badge or name, and their PIN).
pub const ADMIN_KEY: KeyInput = KeyInput::F(12);

pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick {
            now,
            utc_offset_secs,
        } => tick(model, now, utc_offset_secs),
        Msg::Resize { width, height } => {
            model.size = (width, height);
            Vec::new()
        }
        Msg::Sync(status) => {
            if status.link == crate::sync::status::Link::Online {
                model.last_sync = Some(model.now);
            }
            model.sync = Some(*status);
            Vec::new()
        }
        Msg::Roster(Ok(roster)) => {
            model.tab = model.tab.min(roster.groups.len());
            model.roster = Some(*roster);
            Vec::new()
        }
        Msg::Roster(Err(e)) => {
            tracing::warn!("cached roster unusable: {e}");
            Vec::new()
        }
        Msg::Recorded { request, result } => punch::recorded(model, request, result),
        Msg::PinChecked {
            request,
            person,
            result,
        } => identify::pin_checked(model, request, person, result),
        Msg::PinAttempts { person, attempts } => identify::pin_attempts(model, person, attempts),
        Msg::PrivilegedGate(gate) => privileged::loaded(model, gate),
        Msg::Parked(rows) => admin::parked(model, rows),
        Msg::RosterEntries(entries) => roster_editor::loaded(model, entries),
        Msg::Candidates(found) => roster_editor::candidates(model, found),
        Msg::AdminQueued(result) => roster_editor::queued(model, result),
        Msg::AdminChanges(rows) => admin::admin_changes(model, rows),
        Msg::Reenrolled(result) => reenroll::reenrolled(model, result),
        // Locked down: Ctrl-C, Ctrl-Z, Ctrl-\, Ctrl-D do nothing anywhere.
        Msg::Ctrl(_) => Vec::new(),
        Msg::Key(_) | Msg::Badge(_) | Msg::BadScan | Msg::Tap { .. } => input(model, msg),
    }
}

fn tick(model: &mut Model, now: DateTime<Utc>, utc_offset_secs: i32) -> Vec<Cmd> {
    model.now = now;
    model.utc_offset_secs = utc_offset_secs;
    let idle = TimeDelta::seconds(i64::try_from(model.settings.idle_timeout_secs).unwrap_or(30));
    help::expire(model, idle);
    match &model.screen {
        Screen::Home => {}
        Screen::Confirm { until, .. } => {
            if now >= *until {
                go_home(model);
            }
        }
        // Nothing waits on the person while the journal or the PIN check answers.
        _ if model.pending.is_some() || model.checking_pin.is_some() || reenrolling(model) => {}
        _ => {
            if now - model.last_input >= idle {
                go_home(model);
            }
        }
    }
    Vec::new()
}

/// Re-enrollment is waiting for the hub.
fn reenrolling(model: &Model) -> bool {
    matches!(
        &model.screen,
        Screen::Admin {
            page: super::model::AdminPage::Reenroll(super::model::ReenrollForm {
                step: super::model::ReenrollStep::Working,
                ..
            }),
            ..
        }
    )
}

/// The whole screen, as the views are drawn on it (taps are hit-tested here).
fn area(model: &Model) -> Rect {
    Rect::new(0, 0, model.size.0, model.size.1)
}

/// Back to Home, forgetting any PIN, search and selection.
pub(super) fn go_home(model: &mut Model) {
    model.screen = Screen::Home;
    model.notice = None;
}

fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    model.last_input = model.now;
    // One thing at a time: the answer comes in milliseconds.
    if model.pending.is_some() || model.checking_pin.is_some() {
        return Vec::new();
    }
    if let Some(nr) = model.not_recorded.take() {
        return not_recorded(model, nr, msg);
    }
    model.notice = None;
    if let Some(cmds) = help::input(model, &msg) {
        return cmds;
    }
    if let Msg::Badge(code) = &msg
        && !matches!(model.screen, Screen::Admin { .. })
    {
        return identify::badge(model, code);
    }
    match &model.screen {
        Screen::Home => identify::home(model, msg),
        Screen::Identify { .. } => identify::identify(model, msg),
        Screen::Pin { .. } => identify::pin(model, msg),
        Screen::Actions { .. } => actions::input(model, msg),
        Screen::Crew { .. } => crew::input(model, msg),
        Screen::MissedPunch { .. } => missed::input(model, msg),
        Screen::Confirm { .. } => {
            // The next person is waiting: end at once, and let a typed letter
            // start their search.
            go_home(model);
            match msg {
                Msg::Key(KeyInput::Char(_)) => identify::home(model, msg),
                _ => Vec::new(),
            }
        }
        Screen::Admin { .. } => admin::input(model, msg),
        Screen::OverridePick { .. } => supervisor::pick_input(model, msg),
        Screen::Override { .. } => supervisor::input(model, msg),
    }
}

/// The red screen: Enter tries the same punch again (decided anew, at the
/// current time); any other input goes back Home.
fn not_recorded(model: &mut Model, nr: NotRecorded, msg: Msg) -> Vec<Cmd> {
    match (msg, nr.retry) {
        (Msg::Key(KeyInput::Enter), Some(retry)) => {
            model.screen = retry.screen;
            model.notice = None;
            input(model, Msg::Key(retry.key))
        }
        _ => {
            go_home(model);
            Vec::new()
        }
    }
}
