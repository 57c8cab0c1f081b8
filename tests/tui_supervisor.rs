//! The supervisor override at the device: from the missed-punch screen and from
//! a supervisor's own actions, the typed time (checked, never in the future),
//! the reason, and every refusal the domain gives (right, rank, date lock).

mod tui_support;

use chrono::{NaiveDate, TimeZone, Utc};
use tapin::domain::{
    Actor, EnteredPunch, EventKind, Method, OrgSettings, PersonId, Refusal, Right,
};
use tapin::tui::input::KeyInput;
use tapin::tui::model::{Action, Done, Model, Notice, OverrideForm, Purpose, Screen};
use tapin::tui::msg::{Cmd, Msg, Recorded};
use tapin::tui::update::{may_override, override_layout, update};
use tui_support::*;

fn sup_model() -> Model {
    model_for(OrgSettings::default())
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn no_record(cmds: &[Cmd]) {
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Record { .. })),
        "{cmds:?}"
    );
}

/// Olga's missed-punch screen, then `s`, then `supervisor` by badge and PIN.
fn via_missed_punch(m: &mut Model, subject_badge: &str, badge: &str, supervisor: PersonId) {
    send(m, [Msg::Badge(subject_badge.into())]);
    assert!(
        matches!(m.screen, Screen::MissedPunch { .. }),
        "{:?}",
        m.screen
    );
    send(m, [key(KeyInput::Char('s'))]);
    assert!(
        matches!(
            m.screen,
            Screen::Identify {
                purpose: Purpose::Override { subject: Some(_) },
                ..
            }
        ),
        "{:?}",
        m.screen
    );
    // A badge still asks for the supervisor's own PIN.
    let cmds = send(m, [Msg::Badge(badge.into())]);
    // An override is privileged: the device-wide PIN wait is read too.
    assert_eq!(
        cmds,
        vec![
            Cmd::LoadPinAttempts { person: supervisor },
            Cmd::LoadPrivilegedGate
        ]
    );
    enter_pin(m, "2468", supervisor, true);
}

fn form(m: &Model) -> &OverrideForm {
    match &m.screen {
        Screen::Override { form, .. } => form,
        other => panic!("not the override screen: {other:?}"),
    }
}

#[test]
fn a_supervisor_enters_a_forgotten_clock_out_from_the_missed_punch_screen() {
    let mut m = sup_model();
    via_missed_punch(&mut m, "1008", "3001", SUE);
    let Screen::Override {
        supervisor,
        subject,
        form,
    } = &m.screen
    else {
        panic!("{:?}", m.screen)
    };
    assert_eq!((*supervisor, *subject), (SUE, OLD));
    // The finish of the open shift, on the day it began.
    assert_eq!(form.punch, EnteredPunch::ClockOut);
    assert_eq!(form.day, day(9));
    send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    let left = Utc.with_ymd_and_hms(2026, 3, 9, 17, 30, 0).unwrap();
    assert_eq!(form_at(&m), Some(left));
    let cmds = send(&mut m, [key(KeyInput::Char('2'))]);
    let (request, drafts) = record(&cmds);
    // No "today" hours for a time entered on another day.
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Cmd::Record {
                hours_for: None,
                ..
            }
        )),
        "{cmds:?}"
    );
    let reason = tapin::tui::catalog::EN.override_reasons[1];
    assert!(!drafts.is_empty());
    for d in &drafts {
        assert_eq!(d.actor, Actor::Person(SUE));
        assert_eq!(d.method, Method::SupervisorOverride);
        assert_eq!(d.subject, OLD);
        assert_eq!(d.at, left);
        assert_eq!(d.note.as_deref(), Some(reason));
    }
    assert_eq!(
        drafts.last().map(|d| d.kind.clone()),
        Some(EventKind::ClockOut)
    );
    // Shown as done only once the journal committed.
    assert!(matches!(m.screen, Screen::Override { .. }));
    let events = events_of(&drafts, |_| tapin::domain::EventId::new());
    send(
        &mut m,
        [Msg::Recorded {
            request,
            result: Ok(Recorded {
                events,
                hours: None,
            }),
        }],
    );
    match &m.screen {
        Screen::Confirm { done, at, .. } => {
            assert_eq!(
                *done,
                Done::One {
                    action: Action::Override,
                    job: None
                }
            );
            assert_eq!(*at, left);
        }
        other => panic!("{other:?}"),
    }
}

fn form_at(m: &Model) -> Option<chrono::DateTime<Utc>> {
    form(m).at
}

#[test]
fn a_typed_time_is_checked_and_a_future_one_refused_plainly() {
    let mut m = sup_model();
    via_missed_punch(&mut m, "1008", "3001", SUE);
    // Not a time: 25:61.
    let cmds = send(
        &mut m,
        chars("2561").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::BadTime));
    // Too few digits.
    send(&mut m, (0..4).map(|_| key(KeyInput::Backspace)));
    let cmds = send(
        &mut m,
        chars("17").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::BadTime));
    // Today (→), 23:59: later than now (09:41).
    send(&mut m, [key(KeyInput::Backspace), key(KeyInput::Backspace)]);
    send(&mut m, [key(KeyInput::Right)]);
    assert_eq!(form(&m).day, day(10));
    // Never past today.
    send(&mut m, [key(KeyInput::Right)]);
    assert_eq!(form(&m).day, day(10));
    let cmds = send(
        &mut m,
        chars("2359").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::FutureTime)));
    assert_eq!(form_at(&m), None);
    // Before the shift began (yesterday 07:55): the domain says so.
    send(&mut m, (0..4).map(|_| key(KeyInput::Backspace)));
    send(&mut m, [key(KeyInput::Left)]);
    let cmds = send(
        &mut m,
        chars("0700").into_iter().chain([key(KeyInput::Enter)]),
    );
    no_record(&cmds);
    assert!(
        matches!(
            m.notice,
            Some(Notice::Refused(Refusal::BeforeLastPunch { .. }))
        ),
        "{:?}",
        m.notice
    );
    assert_eq!(form_at(&m), None);
}

#[test]
fn a_person_without_the_right_is_refused_and_nothing_is_recorded() {
    let mut m = sup_model();
    // Ana (User) tries to enter Olga's time.
    via_missed_punch(&mut m, "1008", "1001", ANA);
    assert_eq!(m.screen, Screen::Home);
    assert_eq!(
        m.notice,
        Some(Notice::Refused(Refusal::MissingRight {
            right: Right::OverridePunchMode
        }))
    );
    // And her own actions have no such button.
    let mut m = sup_model();
    send(&mut m, [Msg::Badge("1001".into())]);
    let Screen::Actions { .. } = &m.screen else {
        panic!("{:?}", m.screen)
    };
    let roster = m.roster.as_ref().unwrap();
    assert!(!tapin::tui::update::available(roster, ANA, true).contains(&Action::Override));
    assert!(tapin::tui::update::available(roster, SUE, true).contains(&Action::Override));
    // Not before the person proved who they are.
    assert!(!tapin::tui::update::available(roster, SUE, false).contains(&Action::Override));
}

#[test]
fn rank_decides_whom_a_supervisor_may_enter_a_time_for() {
    let m = sup_model();
    let roster = m.roster.as_ref().unwrap();
    assert_eq!(may_override(roster, SUE, OLD), Ok(()));
    assert_eq!(may_override(roster, SUE, SUE), Ok(()), "own right");
    assert_eq!(may_override(roster, SUE, SAM), Err(Refusal::RankTooLow));
    assert_eq!(may_override(roster, SUE, ADA), Err(Refusal::RankTooLow));
    assert_eq!(
        may_override(roster, LEO, LEO),
        Err(Refusal::MissingRight {
            right: Right::OverrideOwnPunchMode
        })
    );
    assert_eq!(may_override(roster, LEO, OLD), Ok(()));
    // Through the screen: Sue on Sam (same rank) is refused plainly.
    let mut m = sup_model();
    via_missed_punch(&mut m, "3002", "3001", SUE);
    assert_eq!(m.screen, Screen::Home);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::RankTooLow)));
}

#[test]
fn a_locked_day_needs_the_date_lock_right() {
    let locked = OrgSettings {
        date_lock: Some(day(10)),
        ..OrgSettings::default()
    };
    // Leo may override punches, but not on a locked day.
    let mut m = model_for(locked.clone());
    via_missed_punch(&mut m, "1008", "3003", LEO);
    assert!(matches!(m.screen, Screen::Override { .. }));
    let cmds = send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    no_record(&cmds);
    assert_eq!(
        m.notice,
        Some(Notice::Refused(Refusal::DateLocked { lock: day(10) }))
    );
    // Sue holds override_date_lock.
    let mut m = model_for(locked);
    via_missed_punch(&mut m, "1008", "3001", SUE);
    send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    let (_, drafts) = record(&cmds);
    assert!(drafts.iter().all(|d| d.actor == Actor::Person(SUE)));
}

#[test]
fn a_supervisor_starts_from_their_own_actions_and_picks_the_person() {
    // By name: the PIN was just typed, so no second PIN.
    let mut m = sup_model();
    send(&mut m, chars("sue"));
    send(&mut m, [key(KeyInput::Enter)]);
    enter_pin(&mut m, "2468", SUE, true);
    let Screen::Actions { method, .. } = &m.screen else {
        panic!("{:?}", m.screen)
    };
    assert_eq!(*method, Method::Pin);
    // Clock in, then "Enter a time for someone".
    let cmds = send(&mut m, [key(KeyInput::Char('2'))]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(matches!(
        m.screen,
        Screen::OverridePick {
            supervisor: SUE,
            ..
        }
    ));
    // Only people of lower rank, and herself (own right).
    let roster = m.roster.as_ref().unwrap();
    let all: Vec<PersonId> = tapin::tui::update::override_candidates(roster, SUE, "").collect();
    assert!(all.contains(&OLD) && all.contains(&SUE) && all.contains(&ANA));
    assert!(!all.contains(&SAM) && !all.contains(&ADA));
    send(&mut m, chars("olg"));
    send(&mut m, [key(KeyInput::Enter)]);
    assert!(matches!(
        m.screen,
        Screen::Override {
            supervisor: SUE,
            subject: OLD,
            ..
        }
    ));
    // Nobody matching: said so, still picking.
    let mut m2 = sup_model();
    send(&mut m2, chars("sue"));
    send(&mut m2, [key(KeyInput::Enter)]);
    enter_pin(&mut m2, "2468", SUE, true);
    send(&mut m2, [key(KeyInput::Char('2'))]);
    send(&mut m2, chars("zzz"));
    send(&mut m2, [key(KeyInput::Enter)]);
    assert_eq!(m2.notice, Some(Notice::Refused(Refusal::UnknownPerson)));

    // By badge (no PIN under the default policy): the PIN is asked now.
    let mut m = sup_model();
    send(&mut m, [Msg::Badge("3001".into())]);
    let cmds = send(&mut m, [key(KeyInput::Char('2'))]);
    assert_eq!(
        cmds,
        vec![
            Cmd::LoadPinAttempts { person: SUE },
            Cmd::LoadPrivilegedGate
        ]
    );
    assert!(matches!(
        m.screen,
        Screen::Pin {
            purpose: Purpose::Override { subject: None },
            ..
        }
    ));
    // A wrong PIN does not get through.
    enter_pin(&mut m, "0000", SUE, false);
    assert!(matches!(m.screen, Screen::Pin { .. }));
    enter_pin(&mut m, "2468", SUE, true);
    assert!(matches!(m.screen, Screen::OverridePick { .. }));
}

#[test]
fn a_typed_reason_is_required_and_recorded() {
    let mut m = sup_model();
    via_missed_punch(&mut m, "1008", "3001", SUE);
    send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    // 5: other, typed.
    send(&mut m, [key(KeyInput::Char('5'))]);
    assert_eq!(form(&m).other, Some(String::new()));
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    no_record(&cmds);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::ReasonRequired)));
    // Digits are text here, not reason buttons.
    let cmds = send(
        &mut m,
        chars("Power cut 2")
            .into_iter()
            .chain([key(KeyInput::Enter)]),
    );
    let (_, drafts) = record(&cmds);
    assert!(
        drafts
            .iter()
            .all(|d| d.note.as_deref() == Some("Power cut 2"))
    );
}

#[test]
fn escape_steps_back_and_the_start_can_be_chosen() {
    let mut m = sup_model();
    via_missed_punch(&mut m, "1008", "3001", SUE);
    send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    send(&mut m, [key(KeyInput::Char('5'))]);
    // Esc: from typing to the buttons, then to the time, then home.
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(form(&m).other, None);
    assert!(form(&m).at.is_some());
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(form(&m).at, None);
    assert_eq!(form(&m).digits, "1730");
    // ↑ switches to the start; a clock-in while clocked in is refused.
    send(&mut m, [key(KeyInput::Up)]);
    assert_eq!(form(&m).punch, EnteredPunch::ClockIn);
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    no_record(&cmds);
    assert!(
        matches!(
            m.notice,
            Some(Notice::Refused(Refusal::AlreadyClockedIn { .. }))
        ),
        "{:?}",
        m.notice
    );
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(m.screen, Screen::Home);
}

#[test]
fn taps_choose_the_punch_the_day_and_the_reason() {
    let mut m = sup_model();
    update(
        &mut m,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    send(&mut m, [Msg::Badge("1008".into())]);
    // The supervisor button on the missed-punch screen.
    let b = tapin::tui::update::missed_button(ratatui::layout::Rect::new(0, 0, 80, 24));
    send(
        &mut m,
        [Msg::Tap {
            column: b.x + 1,
            row: b.y + 1,
        }],
    );
    assert!(matches!(
        m.screen,
        Screen::Identify {
            purpose: Purpose::Override { subject: Some(OLD) },
            ..
        }
    ));
    send(&mut m, [Msg::Badge("3001".into())]);
    enter_pin(&mut m, "2468", SUE, true);
    let l = override_layout(ratatui::layout::Rect::new(0, 0, 80, 24));
    let tap = |r: ratatui::layout::Rect| Msg::Tap {
        column: r.x + 1,
        row: r.y + 1,
    };
    send(&mut m, [tap(l.punch[0])]);
    assert_eq!(form(&m).punch, EnteredPunch::ClockIn);
    send(&mut m, [tap(l.punch[1])]);
    assert_eq!(form(&m).punch, EnteredPunch::ClockOut);
    send(&mut m, [tap(l.day_forward)]);
    assert_eq!(form(&m).day, day(10));
    send(&mut m, [tap(l.day_back)]);
    assert_eq!(form(&m).day, day(9));
    send(
        &mut m,
        chars("1800").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert!(l.reasons.len() == 5 && l.reasons.iter().all(|r| r.height >= 3));
    let cmds = send(&mut m, [tap(l.reasons[0])]);
    let (_, drafts) = record(&cmds);
    assert!(
        drafts
            .iter()
            .all(|d| d.note.as_deref() == Some(tapin::tui::catalog::EN.override_reasons[0]))
    );
}

#[test]
fn a_journal_error_keeps_the_entry_for_try_again() {
    let mut m = sup_model();
    via_missed_punch(&mut m, "1008", "3001", SUE);
    send(
        &mut m,
        chars("1730").into_iter().chain([key(KeyInput::Enter)]),
    );
    let cmds = send(&mut m, [key(KeyInput::Char('3'))]);
    let (request, _) = record(&cmds);
    send(
        &mut m,
        [Msg::Recorded {
            request,
            result: Err("disk full".into()),
        }],
    );
    assert!(m.not_recorded.is_some());
    // Enter: the same entry, decided again.
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    let (_, drafts) = record(&cmds);
    assert!(
        drafts
            .iter()
            .all(|d| d.note.as_deref() == Some(tapin::tui::catalog::EN.override_reasons[2]))
    );
}
