//! The missed-punch question: someone still clocked in from an earlier day, or
//! for longer than `missed_punch_hours`, is asked when they left. The answer is
//! recorded for a supervisor's review (`Intent::ReportMissedPunch`).

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use ratatui::layout::Rect;

use super::super::input::KeyInput;
use super::super::layout;
use super::super::model::{Action, Done, Model, Notice, Screen};
use super::super::msg::{Cmd, Msg};
use super::punch::{Punch, decide_and_record};
use crate::domain::{Actor, Clock, EnteredPunch, Intent, PersonId, TrackingMode};

/// When the open shift of `person` began, if it is overdue.
pub(super) fn overdue_since(model: &Model, person: PersonId) -> Option<DateTime<Utc>> {
    let roster = model.roster.as_ref()?;
    // Team members cannot report for themselves: their lead does.
    if roster.mode(person) == TrackingMode::TeamMember {
        return None;
    }
    let since = match roster.state(person).clock {
        Clock::In { since } | Clock::OnBreak { since, .. } => since,
        Clock::Out => return None,
    };
    let earlier_day = model.local(since).date_naive() < model.local(model.now).date_naive();
    let too_long =
        model.now - since > TimeDelta::hours(i64::from(model.settings.missed_punch_hours));
    (earlier_day || too_long).then_some(since)
}

/// The instant `hhmm` (local) on the day the shift began, or the next day when
/// that is before the start (a night shift).
pub fn left_at(model: &Model, since: DateTime<Utc>, hhmm: &str) -> Option<DateTime<Utc>> {
    if hhmm.len() != 4 {
        return None;
    }
    let h: u32 = hhmm.get(..2)?.parse().ok()?;
    let m: u32 = hhmm.get(2..)?.parse().ok()?;
    let time = NaiveTime::from_hms_opt(h, m, 0)?;
    let start = model.local(since);
    let local = start
        .date_naive()
        .and_time(time)
        .and_local_timezone(model.offset());
    let at = local.single()?.with_timezone(&Utc);
    Some(if at < since {
        at + TimeDelta::days(1)
    } else {
        at
    })
}

/// The "a supervisor enters the time" button under the time box.
pub fn missed_button(area: Rect) -> Rect {
    let body = layout::page(area).body;
    Rect::new(
        body.x + 2,
        body.y + 7,
        body.width.saturating_sub(4).min(50),
        layout::BUTTON_HEIGHT,
    )
}

pub(super) fn input(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let button = missed_button(super::area(model));
    let Screen::MissedPunch {
        person,
        method,
        proven,
        since,
        digits,
    } = &mut model.screen
    else {
        return Vec::new();
    };
    let (person, method, proven, since) = (*person, *method, *proven, *since);
    match msg {
        Msg::Key(KeyInput::Char(c)) if c.is_ascii_digit() && digits.len() < 4 => digits.push(c),
        Msg::Key(KeyInput::Backspace) => {
            digits.pop();
        }
        // A supervisor enters the actual time instead (their own PIN next).
        Msg::Key(KeyInput::Char('s' | 'S')) => {
            return super::supervisor::sign_in_for(model, person);
        }
        Msg::Tap { column, row } if layout::contains(button, column, row) => {
            return super::supervisor::sign_in_for(model, person);
        }
        // "I am still here": on to the usual buttons.
        Msg::Key(KeyInput::Escape) => {
            model.screen = Screen::actions(person, method, proven);
        }
        Msg::Key(KeyInput::Enter) => {
            let hhmm = digits.clone();
            let Some(at) = left_at(model, since, &hhmm) else {
                model.notice = Some(Notice::BadTime);
                return vec![Cmd::Bell];
            };
            let reason = model.strings().missed_reason.to_owned();
            return decide_and_record(
                model,
                Punch {
                    actor: Actor::Person(person),
                    method,
                    intent: Intent::ReportMissedPunch {
                        subject: person,
                        punch: EnteredPunch::ClockOut,
                        at,
                        reason,
                    },
                    person,
                    done: Done::One {
                        action: Action::MissedPunch,
                        job: None,
                    },
                    key: KeyInput::Enter,
                },
            );
        }
        _ => {}
    }
    Vec::new()
}
