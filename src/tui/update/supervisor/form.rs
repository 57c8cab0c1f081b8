//! The supervisor override's form: start or finish, the day, the typed time,
//! then the reason; the domain decides when the time is known and again with
//! the reason, and the punch is recorded like any other.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use ratatui::layout::Rect;

use super::super::super::input::KeyInput;
use super::super::super::layout;
use super::super::super::model::{Action, Done, Model, Notice, OverrideForm, Screen};
use super::super::super::msg::{Cmd, Msg};
use super::super::punch::{Punch, decide_and_record};
use super::super::{area, go_home};
use crate::domain::{
    self, Actor, Clock, EnteredPunch, Intent, Method, PersonId, Refusal, TrackingMode,
};

/// The preset reasons shown as buttons, then "other" (typed).
pub const OVERRIDE_REASONS: usize = 4;
/// How far back a day can be chosen (the date lock decides what is allowed).
const MAX_DAYS_BACK: i64 = 31;
/// Longest typed reason, in characters.
const MAX_REASON_CHARS: usize = 200;

/// Where the Override screen's touch targets are: the start / finish buttons,
/// the day's back and forward buttons, the time box, and the reason buttons.
pub struct OverrideLayout {
    pub intro: Rect,
    pub punch: [Rect; 2],
    pub day_back: Rect,
    pub day: Rect,
    pub day_forward: Rect,
    pub time: Rect,
    pub summary: Rect,
    pub reasons: Vec<Rect>,
    pub typed: Rect,
}

pub fn override_layout(area: Rect) -> OverrideLayout {
    let body = layout::page(area).body;
    let x = body.x + 2;
    let h = layout::BUTTON_HEIGHT;
    let band1 = body.y + 2;
    let band2 = band1 + h + 1;
    let punch_w = body.width.saturating_sub(5).min(60) / 2;
    let reasons_body = Rect::new(
        body.x,
        body.y + 2,
        body.width,
        body.height.saturating_sub(2),
    );
    OverrideLayout {
        intro: Rect::new(x, body.y, body.width.saturating_sub(4), 1),
        punch: [
            Rect::new(x, band1, punch_w, h),
            Rect::new(x + punch_w + 1, band1, punch_w, h),
        ],
        day_back: Rect::new(x, band2, 5, h),
        day: Rect::new(x + 6, band2, 30, h),
        day_forward: Rect::new(x + 37, band2, 5, h),
        time: Rect::new(x + 44, band2, 11, h),
        summary: Rect::new(x, body.y, body.width.saturating_sub(4), 1),
        reasons: layout::buttons(reasons_body, OVERRIDE_REASONS + 1),
        typed: Rect::new(x, body.y + 2, body.width.saturating_sub(4).min(70), h),
    }
}

pub(super) fn open_form(model: &mut Model, supervisor: PersonId, subject: PersonId) {
    let Some(roster) = model.roster.as_ref() else {
        return;
    };
    let state = roster.state(subject);
    let today = model.local(model.now).date_naive();
    // The likely entry: the finish of an open shift (on the day it began), or a
    // start today.
    let (punch, day) = match state.clock {
        Clock::In { since } | Clock::OnBreak { since, .. } => {
            (EnteredPunch::ClockOut, model.local(since).date_naive())
        }
        Clock::Out if roster.mode(subject) == TrackingMode::Individual && state.job.is_some() => {
            (EnteredPunch::ClockOut, today)
        }
        Clock::Out => (EnteredPunch::ClockIn, today),
    };
    model.screen = Screen::Override {
        supervisor,
        subject,
        form: OverrideForm {
            punch,
            day: day.min(today),
            digits: String::new(),
            at: None,
            selected: 0,
            other: None,
        },
    };
}

/// The instant `hhmm` (local, four digits) on `day`; `None` when it is not a time.
pub fn entered_at(model: &Model, day: NaiveDate, hhmm: &str) -> Option<DateTime<Utc>> {
    if hhmm.len() != 4 || !hhmm.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: u32 = hhmm.get(..2)?.parse().ok()?;
    let m: u32 = hhmm.get(2..)?.parse().ok()?;
    let time = NaiveTime::from_hms_opt(h, m, 0)?;
    let local = day.and_time(time).and_local_timezone(model.offset());
    Some(local.single()?.with_timezone(&Utc))
}

pub(in super::super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let l = override_layout(area(model));
    let today = model.local(model.now).date_naive();
    let Screen::Override { form, .. } = &mut model.screen else {
        return Vec::new();
    };
    if form.at.is_none() {
        return time_input(model, msg, &l, today);
    }
    if form.other.is_some() {
        return typed_reason(model, msg);
    }
    let chosen = match msg {
        Msg::Key(KeyInput::Up) => {
            form.selected = form.selected.saturating_sub(1);
            None
        }
        Msg::Key(KeyInput::Down) => {
            form.selected = (form.selected + 1).min(OVERRIDE_REASONS);
            None
        }
        Msg::Key(KeyInput::Enter) => Some(form.selected),
        Msg::Key(KeyInput::Char(c)) => c
            .to_digit(10)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_sub(1))
            .filter(|&i| i <= OVERRIDE_REASONS),
        Msg::Key(KeyInput::Escape) => {
            form.at = None;
            None
        }
        Msg::Tap { column, row } => layout::hit(&l.reasons, column, row),
        _ => None,
    };
    let Some(i) = chosen else {
        return Vec::new();
    };
    form.selected = i;
    if i == OVERRIDE_REASONS {
        form.other = Some(String::new());
        return Vec::new();
    }
    let reason = model.strings().override_reasons[i].to_owned();
    let digit = char::from_digit(u32::try_from(i + 1).unwrap_or(1), 10).unwrap_or('1');
    record(model, reason, KeyInput::Char(digit))
}

fn time_input(model: &mut Model, msg: Msg, l: &OverrideLayout, today: NaiveDate) -> Vec<Cmd> {
    let Screen::Override { form, .. } = &mut model.screen else {
        return Vec::new();
    };
    let earliest = today - TimeDelta::days(MAX_DAYS_BACK);
    let key = match msg {
        Msg::Key(k) => k,
        Msg::Tap { column, row } => {
            if let Some(i) = layout::hit(&l.punch, column, row) {
                form.punch = [EnteredPunch::ClockIn, EnteredPunch::ClockOut][i];
                return Vec::new();
            }
            if layout::contains(l.day_back, column, row) {
                KeyInput::Left
            } else if layout::contains(l.day_forward, column, row) {
                KeyInput::Right
            } else {
                return Vec::new();
            }
        }
        _ => return Vec::new(),
    };
    match key {
        KeyInput::Char(c) if c.is_ascii_digit() && form.digits.len() < 4 => form.digits.push(c),
        KeyInput::Backspace => {
            form.digits.pop();
        }
        KeyInput::Up | KeyInput::Down => {
            form.punch = match form.punch {
                EnteredPunch::ClockIn => EnteredPunch::ClockOut,
                EnteredPunch::ClockOut => EnteredPunch::ClockIn,
            };
        }
        KeyInput::Left => {
            if let Some(d) = form.day.pred_opt().filter(|d| *d >= earliest) {
                form.day = d;
            }
        }
        KeyInput::Right => {
            if let Some(d) = form.day.succ_opt().filter(|d| *d <= today) {
                form.day = d;
            }
        }
        KeyInput::Escape => go_home(model),
        KeyInput::Enter => return accept_time(model),
        _ => {}
    }
    Vec::new()
}

/// Checks the typed time (a time, not in the future, and everything else the
/// domain says about it, with a stand-in reason) before asking for the reason.
fn accept_time(model: &mut Model) -> Vec<Cmd> {
    let Screen::Override {
        supervisor,
        subject,
        form,
    } = &model.screen
    else {
        return Vec::new();
    };
    let (supervisor, subject) = (*supervisor, *subject);
    let Some(at) = entered_at(model, form.day, &form.digits) else {
        model.notice = Some(Notice::BadTime);
        return vec![Cmd::Bell];
    };
    if at > model.now {
        model.notice = Some(Notice::Refused(Refusal::FutureTime));
        return vec![Cmd::Bell];
    }
    let Some(roster) = model.roster.as_ref() else {
        return Vec::new();
    };
    let states = |id| roster.state(id);
    let trial = domain::decide(
        &roster.dir,
        &states,
        Actor::Person(supervisor),
        Method::SupervisorOverride,
        Intent::OverridePunch {
            subject,
            punch: form.punch,
            at,
            reason: "check".to_owned(),
        },
        model.now,
    );
    if let Err(refusal) = trial {
        model.notice = Some(Notice::Refused(refusal));
        return vec![Cmd::Bell];
    }
    if let Screen::Override { form, .. } = &mut model.screen {
        form.at = Some(at);
        form.selected = 0;
        form.other = None;
    }
    Vec::new()
}

fn typed_reason(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let Screen::Override { form, .. } = &mut model.screen else {
        return Vec::new();
    };
    let Some(text) = form.other.as_mut() else {
        return Vec::new();
    };
    match msg {
        Msg::Key(KeyInput::Char(c))
            if !c.is_control() && text.chars().count() < MAX_REASON_CHARS =>
        {
            text.push(c);
        }
        Msg::Key(KeyInput::Backspace) => {
            text.pop();
        }
        Msg::Key(KeyInput::Escape) => form.other = None,
        Msg::Key(KeyInput::Enter) => {
            let reason = text.trim().to_owned();
            return record(model, reason, KeyInput::Enter);
        }
        _ => {}
    }
    Vec::new()
}

/// Decides with the reason and records; the confirmation names the subject.
fn record(model: &mut Model, reason: String, key: KeyInput) -> Vec<Cmd> {
    let Screen::Override {
        supervisor,
        subject,
        form,
    } = &model.screen
    else {
        return Vec::new();
    };
    let Some(at) = form.at else {
        return Vec::new();
    };
    let (supervisor, subject, punch) = (*supervisor, *subject, form.punch);
    decide_and_record(
        model,
        Punch {
            actor: Actor::Person(supervisor),
            method: Method::SupervisorOverride,
            intent: Intent::OverridePunch {
                subject,
                punch,
                at,
                reason,
            },
            person: subject,
            done: Done::One {
                action: Action::Override,
                job: None,
            },
            key,
        },
    )
}
