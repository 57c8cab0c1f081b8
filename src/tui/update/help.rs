//! F1: help drawn over the current screen. In the demo it lists the people to
//! try with their badges and PINs; Up and Down pick one and Enter scans their
//! badge (a demo has no badge reader). Any other key closes it; a real badge
//! scan closes it and goes through. Not over the admin screens.

use super::super::input::KeyInput;
use super::super::model::{Model, Screen};
use super::super::msg::{Cmd, Msg};
use super::{go_home, identify};

/// The help key.
pub const HELP_KEY: KeyInput = KeyInput::F(1);

/// Handles `msg` if the help is open or asked for; `None` lets it through.
pub(super) fn input(model: &mut Model, msg: &Msg) -> Option<Vec<Cmd>> {
    let Some(selected) = model.help else {
        let wanted = matches!(msg, Msg::Key(k) if *k == HELP_KEY)
            && !matches!(model.screen, Screen::Admin { .. });
        if wanted {
            model.help = Some(0);
            return Some(Vec::new());
        }
        return None;
    };
    let rows = model.settings.demo.as_ref().map_or(0, |d| d.rows.len());
    let last = rows.saturating_sub(1);
    let moved = match msg {
        Msg::Key(KeyInput::Down) => Some((selected + 1).min(last)),
        Msg::Key(KeyInput::Up) => Some(selected.saturating_sub(1)),
        Msg::Key(KeyInput::PageDown) => Some((selected + 10).min(last)),
        Msg::Key(KeyInput::PageUp) => Some(selected.saturating_sub(10)),
        _ => None,
    };
    if moved.is_some() && rows > 0 {
        model.help = moved;
        return Some(Vec::new());
    }
    model.help = None;
    match msg {
        Msg::Key(KeyInput::Enter) if rows > 0 => {
            let badge = model
                .settings
                .demo
                .as_ref()
                .and_then(|d| d.rows.get(selected))
                .map(|row| row.badge.clone())?;
            go_home(model);
            Some(identify::badge(model, &badge))
        }
        Msg::Badge(_) => None,
        _ => Some(Vec::new()),
    }
}

/// Closes the help after the idle timeout, like any other screen.
pub(super) fn expire(model: &mut Model, idle: chrono::TimeDelta) {
    if model.help.is_some() && model.now - model.last_input >= idle {
        model.help = None;
    }
}
