//! `update` flows: badge, search, PIN, actions, crew, missed punch, admin,
//! refusals, journal errors, idle timeout and lockdown keys.

mod tui_support;

use chrono::{TimeDelta, TimeZone, Utc};
use tapin::domain::{Actor, EventKind, Method, PinAttempts, Refusal};
use tapin::tui::input::KeyInput;
use tapin::tui::model::{Action, AdminPage, Model, Notice, Purpose, Screen};
use tapin::tui::msg::{Cmd, Msg, Recorded};
use tapin::tui::settings::{PinPolicy, ScreenSettings};
use tapin::tui::update::{ADMIN_KEY, update};
use tui_support::*;

fn tick(m: &mut Model, secs: i64) {
    let now = m.now + TimeDelta::seconds(secs);
    update(
        m,
        Msg::Tick {
            now,
            utc_offset_secs: 0,
        },
    );
}

/// The journal's answer for `drafts`, as events.
fn committed(request: u64, drafts: &[tapin::domain::EventDraft]) -> Msg {
    let events = events_of(drafts, |_| tapin::domain::EventId::new());
    Msg::Recorded {
        request,
        result: Ok(Recorded {
            events,
            hours: None,
        }),
    }
}

#[test]
fn badge_then_enter_records_the_common_action_and_confirms_only_on_commit() {
    // (badge, person, expected first event kind)
    let cases = [
        ("1001", ANA, EventKind::ClockIn),
        ("1002", JOSE, EventKind::CheckOut { job: ASSEMBLY }),
        ("1005", LOU, EventKind::CheckIn { job: ASSEMBLY }),
    ];
    for (badge, person, kind) in cases {
        let mut m = model();
        let cmds = send(&mut m, [Msg::Badge(badge.into())]);
        assert!(cmds.is_empty(), "{badge}: no PIN after a badge: {cmds:?}");
        assert!(
            matches!(m.screen, Screen::Actions { person: p, method: Method::Badge, .. } if p == person),
            "{badge}: {:?}",
            m.screen
        );
        let cmds = send(&mut m, [key(KeyInput::Enter)]);
        if matches!(kind, EventKind::CheckIn { .. }) {
            // Lou is clocked in without a job: Enter opens the job picker first.
            assert!(cmds.is_empty());
            let cmds = send(&mut m, [key(KeyInput::Enter)]);
            let (_, drafts) = record(&cmds);
            assert_eq!(drafts[0].kind, kind, "{badge}");
            continue;
        }
        let (request, drafts) = record(&cmds);
        assert_eq!(drafts[0].kind, kind, "{badge}");
        assert_eq!(drafts[0].subject, person);
        assert_eq!(drafts[0].actor, Actor::Kiosk(DEVICE));
        assert_eq!(drafts[0].method, Method::Badge);
        assert!(
            !matches!(m.screen, Screen::Confirm { .. }),
            "not confirmed before the journal answers"
        );
        let cmds = send(&mut m, [committed(request, &drafts)]);
        assert!(matches!(m.screen, Screen::Confirm { .. }), "{:?}", m.screen);
        assert!(cmds.contains(&Cmd::Bell) && cmds.contains(&Cmd::NudgeSync));
        // The roster now shows the new state.
        let state = m.roster.as_ref().unwrap().state(person);
        assert_ne!(state, roster().state(person), "{badge}: state applied");
    }
}

#[test]
fn a_journal_error_shows_not_recorded_and_enter_tries_again() {
    let mut m = model();
    send(&mut m, [Msg::Badge("1001".into())]);
    let (request, _) = record(&send(&mut m, [key(KeyInput::Enter)]));
    let cmds = send(
        &mut m,
        [Msg::Recorded {
            request,
            result: Err("the disk holding /x is full: this punch was NOT recorded".into()),
        }],
    );
    assert!(cmds.contains(&Cmd::Bell));
    assert!(m.not_recorded.is_some());
    assert!(!matches!(m.screen, Screen::Confirm { .. }));
    let text = render(&mut m, 80, 24);
    assert!(text.contains("NOT RECORDED"), "{text}");
    assert!(text.contains("Tell your supervisor"), "{text}");
    // Enter: the same punch again, decided anew.
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    let (_, drafts) = record(&cmds);
    assert_eq!(drafts[0].kind, EventKind::ClockIn);
    // Another failure, then any other key goes Home and the kiosk takes input.
    let request = m.pending.as_ref().unwrap().request;
    send(
        &mut m,
        [Msg::Recorded {
            request,
            result: Err("read-only".into()),
        }],
    );
    send(&mut m, [key(KeyInput::Char('x'))]);
    assert!(m.not_recorded.is_none());
    assert_eq!(m.screen, Screen::Home);
    send(&mut m, [Msg::Badge("1002".into())]);
    assert!(matches!(m.screen, Screen::Actions { .. }));
}

#[test]
fn refusals_are_shown_and_nothing_is_recorded() {
    let mut m = model();
    // Lou's actions: CheckIn, ClockOut, BreakStart, Crew (4).
    send(
        &mut m,
        [Msg::Badge("1005".into()), key(KeyInput::Char('4'))],
    );
    assert!(matches!(m.screen, Screen::Crew { .. }), "{:?}", m.screen);
    // Clock in with nobody chosen.
    let cmds = send(&mut m, [key(KeyInput::Char('1'))]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::NoMembersChosen)));
    // Everyone chosen: Mia and Evil are already clocked in.
    let cmds = send(&mut m, [key(KeyInput::Char('a')), key(KeyInput::Char('1'))]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::CrewAllClockedIn)));
    let text = render(&mut m, 80, 24);
    assert!(text.contains("already clocked in"), "{text}");
}

#[test]
fn crew_clock_out_is_one_decision_by_the_lead() {
    let mut m = model();
    send(
        &mut m,
        [Msg::Badge("1005".into()), key(KeyInput::Char('4'))],
    );
    let cmds = send(&mut m, [key(KeyInput::Char('a')), key(KeyInput::Char('2'))]);
    let (request, drafts) = record(&cmds);
    assert!(drafts.iter().all(|d| d.actor == Actor::Person(LOU)));
    assert!(drafts.iter().all(|d| d.method == Method::Team));
    let subjects: Vec<_> = drafts.iter().map(|d| d.subject).collect();
    assert!(
        subjects.contains(&MIA) && subjects.contains(&EVIL),
        "{subjects:?}"
    );
    send(&mut m, [committed(request, &drafts)]);
    assert!(matches!(m.screen, Screen::Confirm { .. }));
}

#[test]
fn name_search_ignores_case_and_accents_and_asks_for_the_pin() {
    for typed in ["jose", "JOSÉ", "nunez", "núñ"] {
        let mut m = model();
        send(&mut m, chars(typed));
        assert!(
            matches!(&m.screen, Screen::Identify { query, .. } if query == typed),
            "{typed}: {:?}",
            m.screen
        );
        let cmds = send(&mut m, [key(KeyInput::Enter)]);
        assert_eq!(cmds, vec![Cmd::LoadPinAttempts { person: JOSE }], "{typed}");
        assert!(matches!(m.screen, Screen::Pin { person, .. } if person == JOSE));
    }
}

#[test]
fn pin_policy_decides_when_the_pad_shows() {
    // How Ana is found: a scan, her name, or her badge number typed by hand
    // (which proves nothing: it counts as a pick, not a scan).
    #[derive(Debug)]
    enum How {
        Scan,
        Name,
        TypedBadge,
    }
    // (policy, how, PIN pad expected)
    let cases = [
        (PinPolicy::Never, How::Scan, false),
        (PinPolicy::Never, How::Name, false),
        (PinPolicy::Never, How::TypedBadge, false),
        (PinPolicy::UnlessBadge, How::Scan, false),
        (PinPolicy::UnlessBadge, How::Name, true),
        (PinPolicy::UnlessBadge, How::TypedBadge, true),
        (PinPolicy::Always, How::Scan, true),
        (PinPolicy::Always, How::Name, true),
        (PinPolicy::Always, How::TypedBadge, true),
    ];
    for (pin, how, pad) in cases {
        let mut m = model_with(ScreenSettings {
            pin,
            ..ScreenSettings::default()
        });
        match how {
            How::Scan => {
                send(&mut m, [Msg::Badge("1001".into())]);
            }
            How::Name | How::TypedBadge => {
                let typed = if matches!(how, How::Name) {
                    "ana"
                } else {
                    "1001"
                };
                send(&mut m, chars(typed));
                send(&mut m, [key(KeyInput::Enter)]);
            }
        }
        let person = match &m.screen {
            Screen::Pin { person, .. } | Screen::Actions { person, .. } => Some(*person),
            _ => None,
        };
        assert_eq!(person, Some(ANA), "{pin:?} {how:?}: {:?}", m.screen);
        assert_eq!(
            matches!(m.screen, Screen::Pin { .. }),
            pad,
            "{pin:?} {how:?}: {:?}",
            m.screen
        );
    }
    // A typed number that is nobody's badge is refused like an unknown name.
    let mut m = model();
    send(&mut m, chars("424242"));
    send(&mut m, [key(KeyInput::Enter)]);
    assert_eq!(
        m.notice,
        Some(Notice::Refused(tapin::domain::Refusal::UnknownPerson))
    );
}

#[test]
fn a_right_pin_goes_on_and_five_wrong_ones_lock_for_five_minutes() {
    let mut m = model();
    send(&mut m, chars("ana"));
    send(&mut m, [key(KeyInput::Enter)]);
    send(
        &mut m,
        [Msg::PinAttempts {
            person: ANA,
            attempts: PinAttempts::default(),
        }],
    );
    let mut last = PinAttempts::default();
    for i in 1..=5u32 {
        let cmds = send(
            &mut m,
            chars("1234").into_iter().chain([key(KeyInput::Enter)]),
        );
        let request = match &cmds[..] {
            [Cmd::VerifyPin { request, pin, .. }] => {
                assert_eq!(pin, "1234");
                *request
            }
            other => panic!("try {i}: {other:?}"),
        };
        let cmds = send(
            &mut m,
            [Msg::PinChecked {
                request,
                person: ANA,
                result: Ok(false),
            }],
        );
        last = match &cmds[0] {
            Cmd::SavePinAttempts { person, attempts } if *person == ANA => *attempts,
            other => panic!("try {i}: {other:?}"),
        };
        if i < 5 {
            assert_eq!(m.notice, Some(Notice::WrongPin { left: 5 - i }));
        }
    }
    let until = now() + TimeDelta::minutes(5);
    assert_eq!(last.locked_until, Some(until));
    assert_eq!(m.notice, Some(Notice::Locked { until }));
    // While locked the PIN is not even checked.
    let cmds = send(
        &mut m,
        chars("0000").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    // A lock read from the journal (after a restart) holds the same way.
    let mut m = model();
    send(&mut m, chars("ana"));
    send(&mut m, [key(KeyInput::Enter)]);
    send(
        &mut m,
        [Msg::PinAttempts {
            person: ANA,
            attempts: last,
        }],
    );
    let cmds = send(
        &mut m,
        chars("1234").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    // A right PIN clears the counter and shows the actions.
    let mut m = model();
    send(&mut m, chars("ana"));
    send(&mut m, [key(KeyInput::Enter)]);
    let cmds = enter_pin(&mut m, "4321", ANA, true);
    assert!(cmds.contains(&Cmd::SavePinAttempts {
        person: ANA,
        attempts: PinAttempts::default()
    }));
    assert!(matches!(
        m.screen,
        Screen::Actions {
            method: Method::Pin,
            ..
        }
    ));
}

#[test]
fn a_badge_scan_never_lands_in_the_search_field() {
    let mut m = model();
    send(&mut m, chars("an"));
    send(&mut m, [Msg::Badge("1002".into())]);
    assert!(
        matches!(m.screen, Screen::Actions { person, .. } if person == JOSE),
        "{:?}",
        m.screen
    );
    let mut m = model();
    send(&mut m, [Msg::Badge("nobody".into())]);
    assert_eq!(m.notice, Some(Notice::UnknownBadge));
    send(&mut m, [Msg::BadScan]);
    assert_eq!(m.notice, Some(Notice::BadScan));
}

#[test]
fn idle_timeout_returns_home_and_forgets_pin_search_and_selection() {
    let setups: [&[Msg]; 3] = [
        &[key(KeyInput::Char('j'))],
        &[
            key(KeyInput::Char('a')),
            key(KeyInput::Enter),
            key(KeyInput::Char('1')),
            key(KeyInput::Char('2')),
        ],
        &[Msg::Badge("1002".into()), key(KeyInput::Down)],
    ];
    for setup in setups {
        let mut m = model();
        send(&mut m, setup.iter().cloned());
        assert_ne!(m.screen, Screen::Home, "{setup:?}");
        tick(&mut m, 29);
        assert_ne!(m.screen, Screen::Home, "{setup:?}: not yet");
        tick(&mut m, 1);
        assert_eq!(m.screen, Screen::Home, "{setup:?}");
        // Typing starts afresh: no old query.
        send(&mut m, [key(KeyInput::Char('z'))]);
        assert!(matches!(&m.screen, Screen::Identify { query, .. } if query == "z"));
    }
}

#[test]
fn the_confirmation_ends_after_its_time_or_at_once_on_a_key() {
    let mut m = model();
    send(&mut m, [Msg::Badge("1001".into())]);
    let (request, drafts) = record(&send(&mut m, [key(KeyInput::Enter)]));
    send(&mut m, [committed(request, &drafts)]);
    tick(&mut m, 3);
    assert!(matches!(m.screen, Screen::Confirm { .. }));
    tick(&mut m, 1);
    assert_eq!(m.screen, Screen::Home);
    let mut m = model();
    send(&mut m, [Msg::Badge("1001".into())]);
    let (request, drafts) = record(&send(&mut m, [key(KeyInput::Enter)]));
    send(
        &mut m,
        [committed(request, &drafts), key(KeyInput::Char('j'))],
    );
    assert!(matches!(&m.screen, Screen::Identify { query, .. } if query == "j"));
}

#[test]
fn lockdown_keys_never_leave_the_kiosk() {
    let screens: [&[Msg]; 4] = [
        &[],
        &[key(KeyInput::Char('a'))],
        &[Msg::Badge("1002".into())],
        &[Msg::Badge("1005".into()), key(KeyInput::Char('4'))],
    ];
    for setup in screens {
        let mut m = model();
        send(&mut m, setup.iter().cloned());
        let before = m.screen.clone();
        for c in ['c', 'z', '\\', 'd', 'q'] {
            assert!(send(&mut m, [Msg::Ctrl(c)]).is_empty());
            assert_eq!(m.screen, before, "Ctrl-{c}");
        }
        let cmds = send(
            &mut m,
            [
                key(KeyInput::Char('q')),
                key(KeyInput::Escape),
                key(KeyInput::Escape),
            ],
        );
        assert!(!cmds.contains(&Cmd::Exit));
        assert!(!m.exiting);
    }
}

#[test]
fn switching_jobs_goes_through_the_picker() {
    let mut m = model();
    send(&mut m, [Msg::Badge("1002".into())]);
    let Screen::Actions { person, .. } = m.screen.clone() else {
        panic!()
    };
    let actions = tapin::tui::update::available(m.roster.as_ref().unwrap(), person, true);
    assert_eq!(
        actions,
        [
            Action::CheckOut,
            Action::SwitchJob,
            Action::ClockOut,
            Action::BreakStart,
            Action::MissedPunch
        ]
    );
    send(&mut m, [key(KeyInput::Char('2'))]);
    let cmds = send(
        &mut m,
        chars("pai").into_iter().chain([key(KeyInput::Enter)]),
    );
    let (_, drafts) = record(&cmds);
    let kinds: Vec<_> = drafts.iter().map(|d| d.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            EventKind::CheckOut { job: ASSEMBLY },
            EventKind::CheckIn { job: PAINTING }
        ]
    );
}

#[test]
fn a_shift_from_an_earlier_day_asks_when_they_left() {
    let mut m = model();
    send(&mut m, [Msg::Badge("1008".into())]);
    assert!(
        matches!(m.screen, Screen::MissedPunch { .. }),
        "{:?}",
        m.screen
    );
    // Not a time.
    let cmds = send(
        &mut m,
        chars("99").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::BadTime));
    let cmds = send(
        &mut m,
        [key(KeyInput::Backspace), key(KeyInput::Backspace)]
            .into_iter()
            .chain(chars("1700"))
            .chain([key(KeyInput::Enter)]),
    );
    let (_, drafts) = record(&cmds);
    let left = Utc.with_ymd_and_hms(2026, 3, 9, 17, 0, 0).unwrap();
    assert!(
        drafts.iter().all(|d| d.needs_review && d.at == left),
        "{drafts:?}"
    );
    assert_eq!(
        drafts.last().map(|d| d.kind.clone()),
        Some(EventKind::ClockOut)
    );
    // Esc: "I am still here" goes on to the actions.
    let mut m = model();
    send(&mut m, [Msg::Badge("1008".into()), key(KeyInput::Escape)]);
    assert!(matches!(m.screen, Screen::Actions { .. }));
}

#[test]
fn admin_needs_an_administrator_and_is_the_only_way_out() {
    let mut m = model();
    send(&mut m, [key(ADMIN_KEY)]);
    assert!(matches!(
        m.screen,
        Screen::Identify {
            purpose: Purpose::Admin,
            ..
        }
    ));
    // A badge still asks for the PIN on the way to Admin.
    let cmds = send(&mut m, [Msg::Badge("9999".into())]);
    assert_eq!(
        cmds,
        vec![
            Cmd::LoadPinAttempts { person: ADA },
            Cmd::LoadPrivilegedGate
        ]
    );
    enter_pin(&mut m, "2468", ADA, true);
    assert!(matches!(
        m.screen,
        Screen::Admin {
            page: AdminPage::Menu,
            ..
        }
    ));
    assert_eq!(
        send(&mut m, [key(KeyInput::Char('1'))]),
        vec![Cmd::LoadParked]
    );
    send(&mut m, [key(KeyInput::Escape), key(KeyInput::Char('3'))]);
    assert_eq!(send(&mut m, [key(KeyInput::Enter)]), vec![Cmd::Exit]);
    assert!(m.exiting);
    // Not an administrator.
    let mut m = model();
    send(&mut m, [key(ADMIN_KEY), Msg::Badge("1001".into())]);
    enter_pin(&mut m, "1111", ANA, true);
    assert_eq!(m.screen, Screen::Home);
    assert_eq!(m.notice, Some(Notice::NotAdmin));
}
