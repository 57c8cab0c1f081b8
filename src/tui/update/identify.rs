//! Home, name search, badge scans and the PIN pad: from "someone is at the
//! kiosk" to "we know who", per the device's PIN policy.

use super::super::input::KeyInput;
use super::super::layout::{self, PIN_KEYS};
use super::super::model::{AdminPage, Model, Notice, Purpose, Screen};
use super::super::msg::{Cmd, Msg};
use super::super::settings::PinPolicy;
use super::super::text;
use super::{ADMIN_KEY, area, go_home, privileged};
use crate::domain::{MAX_PIN_FAILURES, Method, PersonId, PinAttempts, Right};

pub(super) fn home(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let tabs = roster.groups.len() + 1;
    let l = layout::home(area(model));
    match msg {
        Msg::Key(KeyInput::Char(c)) if !c.is_whitespace() => {
            model.screen = Screen::Identify {
                purpose: Purpose::Punch,
                query: c.to_string(),
                selected: 0,
            };
        }
        Msg::Key(k) if k == ADMIN_KEY => {
            model.screen = Screen::Identify {
                purpose: Purpose::Admin,
                query: String::new(),
                selected: 0,
            };
        }
        Msg::Key(KeyInput::Tab | KeyInput::Right) => {
            model.tab = (model.tab + 1) % tabs;
            model.scroll = 0;
        }
        Msg::Key(KeyInput::BackTab | KeyInput::Left) => {
            model.tab = (model.tab + tabs - 1) % tabs;
            model.scroll = 0;
        }
        Msg::Key(KeyInput::PageDown | KeyInput::Down) => {
            let n = roster.tab_people(model.tab).len();
            if model.scroll + l.per_page() < n {
                model.scroll += l.per_page();
            }
        }
        Msg::Key(KeyInput::PageUp | KeyInput::Up) => {
            model.scroll = model.scroll.saturating_sub(l.per_page());
        }
        Msg::Tap { column, row } => {
            let labels = tab_labels(model);
            let widths: Vec<usize> = labels.iter().map(|s| text::width(s)).collect();
            if let Some(t) = layout::hit(&layout::tab_rects(l.tabs, &widths), column, row) {
                model.tab = t;
                model.scroll = 0;
            } else if let Some(i) = l.cell_at(column, row) {
                let people = roster.tab_people(model.tab);
                if let Some(&person) = people.get(model.scroll + i) {
                    return picked(model, person, Method::RosterTap, Purpose::Punch);
                }
            }
        }
        Msg::BadScan => {
            model.notice = Some(Notice::BadScan);
            return vec![Cmd::Bell];
        }
        _ => {}
    }
    Vec::new()
}

/// The tab labels, fitted: everyone, then the roster's groups.
pub fn tab_labels(model: &Model) -> Vec<String> {
    let s = model.strings();
    let mut labels = vec![s.all_tab.to_owned()];
    if let Some(r) = &model.roster {
        labels.extend(r.groups.iter().map(|g| text::fit(g, 20)));
    }
    labels
}

pub(super) fn badge(model: &mut Model, code: &str) -> Vec<Cmd> {
    let purpose = match &model.screen {
        Screen::Identify { purpose, .. } | Screen::Pin { purpose, .. } => *purpose,
        _ => Purpose::Punch,
    };
    go_home(model);
    match model.roster.as_ref().and_then(|r| r.by_badge(code)) {
        Some(person) => picked(model, person, Method::Badge, purpose),
        None => {
            model.notice = Some(Notice::UnknownBadge);
            vec![Cmd::Bell]
        }
    }
}

pub(super) fn identify(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let screen_area = area(model);
    let Screen::Identify {
        purpose,
        query,
        selected,
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let purpose = *purpose;
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    // Matches are looked up only by the keys that need them, and only as far as
    // needed: typing must not scan the roster twice per key.
    match msg {
        Msg::Key(KeyInput::Char(c)) => {
            query.push(c);
            *selected = 0;
        }
        Msg::Key(KeyInput::Backspace) => {
            query.pop();
            *selected = 0;
        }
        Msg::Key(KeyInput::Up) => *selected = selected.saturating_sub(1),
        Msg::Key(KeyInput::Down) if roster.matches(query).nth(*selected + 1).is_some() => {
            *selected += 1;
        }
        Msg::Key(KeyInput::Escape) => go_home(model),
        Msg::Key(KeyInput::Enter) => {
            let chosen = roster.matches(query).nth(*selected);
            if let Some(person) = chosen {
                return picked(model, person, Method::RosterTap, purpose);
            }
            // A badge number typed by hand (the reader is broken, the badge
            // forgotten) finds its owner, but proves nothing: the PIN policy
            // treats it as a pick from the list, not as a scan.
            if let Some(person) = roster.by_badge(query.trim()) {
                return picked(model, person, Method::RosterTap, purpose);
            }
            model.notice = Some(Notice::Refused(crate::domain::Refusal::UnknownPerson));
        }
        Msg::Tap { column, row } => {
            let (_, list) = layout::search(layout::page(screen_area).body);
            if layout::contains(list, column, row) {
                let i = usize::from(row - list.y);
                let chosen = roster.matches(query).nth(i);
                if let Some(person) = chosen {
                    return picked(model, person, Method::RosterTap, purpose);
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Someone was picked: the PIN pad if the policy asks, else on.
pub(super) fn picked(
    model: &mut Model,
    person: PersonId,
    method: Method,
    purpose: Purpose,
) -> Vec<Cmd> {
    // Admin and a supervisor's override always take the person's own PIN.
    let needs_pin = matches!(purpose, Purpose::Admin | Purpose::Override { .. })
        || match model.settings.pin {
            PinPolicy::Never => false,
            PinPolicy::UnlessBadge => method != Method::Badge,
            PinPolicy::Always => true,
        };
    if !needs_pin {
        return identified(model, person, method, purpose, method == Method::Badge);
    }
    let has_pin = model
        .roster
        .as_ref()
        .is_some_and(|r| r.verifier(person).is_some());
    if !has_pin {
        go_home(model);
        model.notice = Some(Notice::NoPin);
        return vec![Cmd::Bell];
    }
    model.screen = Screen::Pin {
        purpose,
        person,
        picked_by: method,
        digits: String::new(),
        attempts: None,
    };
    let mut cmds = vec![Cmd::LoadPinAttempts { person }];
    if privileged::is_privileged(purpose) {
        cmds.push(Cmd::LoadPrivilegedGate);
    }
    cmds
}

/// We know who it is: the admin screen, the missed-punch question, or actions.
fn identified(
    model: &mut Model,
    person: PersonId,
    method: Method,
    purpose: Purpose,
    proven: bool,
) -> Vec<Cmd> {
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    if let Purpose::Override { subject } = purpose {
        return super::supervisor::signed_in(model, person, subject);
    }
    if purpose == Purpose::Admin {
        let admin = roster
            .dir
            .role_of(person)
            .is_some_and(|r| r.has(Right::AdministerSite) || r.has(Right::ManageUsers));
        if admin {
            model.screen = Screen::Admin {
                admin: person,
                page: AdminPage::Menu,
            };
            return Vec::new();
        }
        go_home(model);
        model.notice = Some(Notice::NotAdmin);
        return vec![Cmd::Bell];
    }
    if let Some(since) = super::missed::overdue_since(model, person) {
        model.screen = Screen::MissedPunch {
            person,
            method,
            proven,
            since,
            digits: String::new(),
        };
        return Vec::new();
    }
    model.screen = Screen::actions(person, method, proven);
    Vec::new()
}

pub(super) fn pin(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let key = match msg {
        Msg::Key(k) => k,
        Msg::Tap { column, row } => {
            let pad = layout::pin(layout::page(area(model)).body);
            match layout::hit(&pad.keys, column, row).map(|i| PIN_KEYS[i]) {
                Some('<') => KeyInput::Backspace,
                Some('>') => KeyInput::Enter,
                Some(c) => KeyInput::Char(c),
                None => return Vec::new(),
            }
        }
        _ => return Vec::new(),
    };
    let now = model.now;
    let Screen::Pin { purpose, .. } = &model.screen else {
        return Vec::new();
    };
    let gate_wait = privileged::wait(model, *purpose);
    let Screen::Pin {
        person,
        digits,
        attempts,
        ..
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let person = *person;
    match key {
        KeyInput::Char(c) if c.is_ascii_digit() && digits.len() < 12 => digits.push(c),
        KeyInput::Backspace => {
            digits.pop();
        }
        KeyInput::Escape => go_home(model),
        KeyInput::Enter if digits.len() >= 4 => {
            if let Some(until) = attempts.and_then(|a| a.locked_until).filter(|u| now < *u) {
                digits.clear();
                model.notice = Some(Notice::Locked { until });
                return vec![Cmd::Bell];
            }
            if let Some(until) = gate_wait {
                digits.clear();
                model.notice = Some(Notice::PrivilegedWait { until });
                return vec![Cmd::Bell];
            }
            let pin = std::mem::take(digits);
            let Some(verifier) = model.roster.as_ref().and_then(|r| r.verifier(person)) else {
                return Vec::new();
            };
            let verifier = verifier.to_owned();
            let request = model.request_id();
            model.checking_pin = Some(request);
            return vec![Cmd::VerifyPin {
                request,
                person,
                pin,
                verifier,
            }];
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn pin_attempts(model: &mut Model, who: PersonId, loaded: PinAttempts) -> Vec<Cmd> {
    if let Screen::Pin {
        person, attempts, ..
    } = &mut model.screen
        && *person == who
    {
        *attempts = Some(loaded);
        if loaded.is_locked(model.now) {
            model.notice = loaded.locked_until.map(|until| Notice::Locked { until });
        }
    }
    Vec::new()
}

pub(super) fn pin_checked(
    model: &mut Model,
    request: u64,
    who: PersonId,
    result: Result<bool, String>,
) -> Vec<Cmd> {
    if model.checking_pin != Some(request) {
        return Vec::new();
    }
    model.checking_pin = None;
    let now = model.now;
    let Screen::Pin {
        purpose,
        person,
        picked_by,
        ..
    } = &model.screen
    else {
        return Vec::new();
    };
    if *person != who {
        return Vec::new();
    }
    let (purpose, picked_by) = (*purpose, *picked_by);
    let (mut cmds, gate_wait) = match &result {
        &Ok(right) if privileged::is_privileged(purpose) => privileged::answered(model, right),
        _ => (Vec::new(), None),
    };
    let Screen::Pin { attempts, .. } = &mut model.screen else {
        return cmds;
    };
    match result {
        Ok(true) => {
            cmds.push(Cmd::SavePinAttempts {
                person: who,
                attempts: PinAttempts::default().succeeded(),
            });
            let method = if picked_by == Method::Badge {
                Method::Badge
            } else {
                Method::Pin
            };
            cmds.extend(identified(model, who, method, purpose, true));
            cmds
        }
        Ok(false) => {
            let next = attempts.unwrap_or_default().failed(now);
            *attempts = Some(next);
            // The person's own lock says more than the device's wait.
            model.notice = Some(match (next.locked_until, gate_wait) {
                (Some(until), _) if next.is_locked(now) => Notice::Locked { until },
                (_, Some(until)) => Notice::PrivilegedWait { until },
                _ => Notice::WrongPin {
                    left: MAX_PIN_FAILURES.saturating_sub(next.failures),
                },
            });
            cmds.extend([
                Cmd::SavePinAttempts {
                    person: who,
                    attempts: next,
                },
                Cmd::Bell,
            ]);
            cmds
        }
        Err(e) => {
            tracing::warn!("PIN could not be checked: {e}");
            model.notice = Some(Notice::Problem(e));
            cmds.push(Cmd::Bell);
            cmds
        }
    }
}
