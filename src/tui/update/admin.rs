//! The Admin screen (hotkey, then an administrator's badge or name and PIN): a
//! menu of buttons; the queue of events the hub refused, with retry; device
//! info; the device roster editor; sync and clock; re-enrollment; exiting the
//! kiosk, the only way out.

use ratatui::layout::Rect;

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{
    AdminChangeRow, AdminPage, EditMode, Model, Notice, ReenrollForm, ReenrollStep, RosterEditor,
    Screen,
};
use super::super::msg::{Cmd, Msg, ParkedRow};
use super::{area, go_home};
use crate::domain::{PersonId, Refusal, Right};

/// The menu's items, in button (and number key) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminItem {
    Queue,
    Device,
    Exit,
    Roster,
    Sync,
    Reenroll,
}

pub const ADMIN_MENU: [AdminItem; 6] = [
    AdminItem::Queue,
    AdminItem::Device,
    AdminItem::Exit,
    AdminItem::Roster,
    AdminItem::Sync,
    AdminItem::Reenroll,
];

/// The menu's buttons (each three rows, a touch target).
pub fn admin_menu_layout(area: Rect) -> Vec<Rect> {
    layout::buttons(layout::page(area).body, ADMIN_MENU.len())
}

/// The right the roster editor and re-enrollment need: the one the hub asks
/// for a device's roster (the site Administrator may re-enroll too).
const DEVICE_RIGHT: Right = Right::ManageAdvancedSettings;

fn may_change_device(model: &Model, admin: PersonId, site_too: bool) -> Result<(), Refusal> {
    let role = model
        .roster
        .as_ref()
        .and_then(|r| r.dir.role_of(admin))
        .ok_or(Refusal::NoRole {
            who: crate::domain::Who::You,
        })?;
    if role.has(DEVICE_RIGHT) || (site_too && role.has(Right::AdministerSite)) {
        Ok(())
    } else {
        Err(Refusal::MissingRight {
            right: DEVICE_RIGHT,
        })
    }
}

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Screen::Admin { admin, page } = &model.screen else {
        return Vec::new();
    };
    let admin = *admin;
    match page {
        AdminPage::Menu => menu(model, admin, msg),
        AdminPage::Roster(_) => super::roster_editor::input(model, admin, msg),
        AdminPage::Reenroll(_) => super::reenroll::input(model, msg),
        _ => {
            let Msg::Key(key) = msg else {
                return Vec::new();
            };
            other_page(model, key)
        }
    }
}

fn menu(model: &mut Model, admin: PersonId, msg: Msg) -> Vec<Cmd> {
    let chosen = match msg {
        Msg::Key(KeyInput::Escape) => {
            go_home(model);
            return Vec::new();
        }
        Msg::Key(KeyInput::Char(c)) => c
            .to_digit(10)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_sub(1)),
        Msg::Tap { column, row } => layout::hit(&admin_menu_layout(area(model)), column, row),
        _ => None,
    };
    let Some(item) = chosen.and_then(|i| ADMIN_MENU.get(i).copied()) else {
        return Vec::new();
    };
    let (page, cmds) = match item {
        AdminItem::Queue => (
            AdminPage::Queue {
                rows: None,
                selected: 0,
            },
            vec![Cmd::LoadParked],
        ),
        AdminItem::Device => (AdminPage::Device, Vec::new()),
        AdminItem::Exit => (AdminPage::ConfirmExit, Vec::new()),
        AdminItem::Sync => (
            AdminPage::Sync { changes: None },
            vec![Cmd::LoadAdminChanges],
        ),
        AdminItem::Roster => {
            if let Err(refusal) = may_change_device(model, admin, false) {
                model.notice = Some(Notice::Refused(refusal));
                return vec![Cmd::Bell];
            }
            (
                AdminPage::Roster(RosterEditor {
                    entries: None,
                    cursor: 0,
                    mode: EditMode::List,
                    dirty: false,
                }),
                vec![Cmd::LoadRosterEntries],
            )
        }
        AdminItem::Reenroll => {
            if let Err(refusal) = may_change_device(model, admin, true) {
                model.notice = Some(Notice::Refused(refusal));
                return vec![Cmd::Bell];
            }
            (
                AdminPage::Reenroll(ReenrollForm {
                    url: model.device.hub_url.clone(),
                    code: String::new(),
                    field: 1,
                    step: ReenrollStep::Editing,
                }),
                Vec::new(),
            )
        }
    };
    if let Screen::Admin { page: p, .. } = &mut model.screen {
        *p = page;
    }
    cmds
}

fn other_page(model: &mut Model, key: KeyInput) -> Vec<Cmd> {
    let Screen::Admin { page, .. } = &mut model.screen else {
        return Vec::new();
    };
    match page {
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
        AdminPage::Sync { .. } => match key {
            KeyInput::Escape => *page = AdminPage::Menu,
            KeyInput::Char('r') => return vec![Cmd::LoadAdminChanges],
            _ => {}
        },
        AdminPage::ConfirmExit => {
            if key == KeyInput::Enter {
                tracing::info!("kiosk exit requested from the admin screen");
                model.exiting = true;
                return vec![Cmd::Exit];
            }
            *page = AdminPage::Menu;
        }
        AdminPage::Menu | AdminPage::Roster(_) | AdminPage::Reenroll(_) => {}
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

pub(super) fn admin_changes(
    model: &mut Model,
    loaded: Result<Vec<AdminChangeRow>, String>,
) -> Vec<Cmd> {
    if let Screen::Admin {
        page: AdminPage::Sync { changes },
        ..
    } = &mut model.screen
    {
        *changes = Some(loaded);
    }
    Vec::new()
}
