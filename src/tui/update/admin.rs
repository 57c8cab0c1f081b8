//! The Admin screen (hotkey, then an administrator's badge or name and PIN):
//! the queue of events the hub refused, with retry; device info; exiting the
//! kiosk, the only way out.

use super::super::input::KeyInput;
use super::super::model::{AdminPage, Model, Screen};
use super::super::msg::{Cmd, Msg, ParkedRow};
use super::go_home;

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Screen::Admin { page, .. } = &mut model.screen else {
        return Vec::new();
    };
    let Msg::Key(key) = msg else {
        return Vec::new();
    };
    match page {
        AdminPage::Menu => match key {
            KeyInput::Char('1') => {
                *page = AdminPage::Queue {
                    rows: None,
                    selected: 0,
                };
                return vec![Cmd::LoadParked];
            }
            KeyInput::Char('2') => *page = AdminPage::Device,
            KeyInput::Char('3') => *page = AdminPage::ConfirmExit,
            KeyInput::Escape => go_home(model),
            _ => {}
        },
        AdminPage::Queue { rows, selected } => {
            let len = match rows {
                Some(Ok(r)) => r.len(),
                _ => 0,
            };
            match key {
                KeyInput::Up => *selected = selected.saturating_sub(1),
                KeyInput::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
                KeyInput::Char('r') => {
                    if let Some(Ok(r)) = rows
                        && let Some(row) = r.get(*selected)
                    {
                        return vec![Cmd::RetryParked(row.id), Cmd::LoadParked, Cmd::NudgeSync];
                    }
                }
                KeyInput::Escape => *page = AdminPage::Menu,
                _ => {}
            }
        }
        AdminPage::Device => {
            if key == KeyInput::Escape {
                *page = AdminPage::Menu;
            }
        }
        AdminPage::ConfirmExit => {
            if key == KeyInput::Enter {
                tracing::info!("kiosk exit requested from the admin screen");
                model.exiting = true;
                return vec![Cmd::Exit];
            }
            *page = AdminPage::Menu;
        }
    }
    Vec::new()
}

pub(super) fn parked(model: &mut Model, loaded: Result<Vec<ParkedRow>, String>) -> Vec<Cmd> {
    if let Screen::Admin {
        page: AdminPage::Queue { rows, selected },
        ..
    } = &mut model.screen
    {
        let len = loaded.as_ref().map_or(0, Vec::len);
        *selected = (*selected).min(len.saturating_sub(1));
        *rows = Some(loaded);
    }
    Vec::new()
}
