//! Re-enrollment from the Admin screen: a hub URL (the current one, editable)
//! and a one-time code from `tapin admin device add`. A confirmation step says
//! how many events still wait for the hub: they stay in the journal and are
//! sent with the new credentials (see the report of `Cmd::Reenroll`). Once
//! enrolled, the kiosk starts again with the new device token.

use super::super::input::KeyInput;
use super::super::model::{AdminPage, Model, Notice, ReenrollForm, ReenrollStep, Screen};
use super::super::msg::{Cmd, Msg};

/// Longest URL and code typed.
const MAX_URL_CHARS: usize = 300;
const MAX_CODE_CHARS: usize = 24;

fn form(model: &mut Model) -> Option<&mut ReenrollForm> {
    match &mut model.screen {
        Screen::Admin {
            page: AdminPage::Reenroll(f),
            ..
        } => Some(f),
        _ => None,
    }
}

/// Whether `url` is an http(s) URL with a host, and `code` has something in it.
pub fn usable(url: &str, code: &str) -> bool {
    let url_ok = reqwest::Url::parse(url.trim())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    url_ok && code.chars().any(|c| c.is_ascii_alphanumeric())
}

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Msg::Key(key) = msg else {
        return Vec::new();
    };
    let Some(f) = form(model) else {
        return Vec::new();
    };
    match &f.step {
        ReenrollStep::Working | ReenrollStep::Done(_) => {}
        ReenrollStep::Failed(_) => f.step = ReenrollStep::Editing,
        ReenrollStep::Confirm => {
            if key == KeyInput::Enter {
                f.step = ReenrollStep::Working;
                return vec![Cmd::Reenroll {
                    hub: f.url.trim().to_owned(),
                    code: f.code.trim().to_owned(),
                }];
            }
            f.step = ReenrollStep::Editing;
        }
        ReenrollStep::Editing => match key {
            KeyInput::Tab | KeyInput::BackTab | KeyInput::Up | KeyInput::Down => {
                f.field = 1 - f.field.min(1);
            }
            KeyInput::Char(c) if !c.is_control() => {
                let (text, max) = if f.field == 0 {
                    (&mut f.url, MAX_URL_CHARS)
                } else {
                    (&mut f.code, MAX_CODE_CHARS)
                };
                if text.chars().count() < max {
                    text.push(c);
                }
            }
            KeyInput::Backspace => {
                if f.field == 0 {
                    f.url.pop();
                } else {
                    f.code.pop();
                }
            }
            KeyInput::Enter if f.field == 0 => f.field = 1,
            KeyInput::Enter => {
                if usable(&f.url, &f.code) {
                    f.step = ReenrollStep::Confirm;
                } else {
                    model.notice = Some(Notice::BadEnrollment);
                    return vec![Cmd::Bell];
                }
            }
            KeyInput::Escape => {
                if let Screen::Admin { page, .. } = &mut model.screen {
                    *page = AdminPage::Menu;
                }
            }
            _ => {}
        },
    }
    Vec::new()
}

pub(super) fn reenrolled(model: &mut Model, result: Result<String, String>) -> Vec<Cmd> {
    match result {
        Ok(name) => {
            tracing::info!("re-enrolled from the admin screen; restarting the kiosk");
            if let Some(f) = form(model) {
                f.step = ReenrollStep::Done(name);
            }
            // Even if the screen moved on: the new secrets are stored, and the
            // sync worker must start again with them. The screen shows this
            // once more, then the kiosk starts again.
            model.restart = true;
            model.exiting = true;
            vec![Cmd::Exit]
        }
        Err(e) => {
            tracing::warn!("re-enrollment failed: {e}");
            match form(model) {
                Some(f) => f.step = ReenrollStep::Failed(e),
                None => model.notice = Some(Notice::Problem(e)),
            }
            vec![Cmd::Bell]
        }
    }
}
