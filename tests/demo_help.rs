//! The F1 help and the DEMO marker, through `update` and `view` on the TUI
//! fixtures: F1 opens it (not over the admin screens), Up/Down pick a demo row
//! and Enter scans that badge, any other key closes it, a real scan goes
//! through, the idle timeout closes it; the demo's list and marker are drawn,
//! and a real kiosk gets usage help and no marker.

mod tui_support;

use tapin::tui::input::KeyInput;
use tapin::tui::model::{Model, Notice, Screen};
use tapin::tui::msg::Msg;
use tapin::tui::settings::{DemoRow, DemoSheet, ScreenSettings};
use tapin::tui::view::DEMO_MARKER;
use tui_support::{ANA, JOSE, key, model, model_with, render, send};

fn demo() -> Model {
    let row = |name: &str, badge: &str, pin: &str| DemoRow {
        name: name.into(),
        badge: badge.into(),
        pin: pin.into(),
        what: "try me".into(),
    };
    model_with(ScreenSettings {
        demo: Some(DemoSheet {
            rows: vec![
                row("Ana García", "1001", "0101"),
                row("José Núñez", "1002", "0202"),
                row("Nobody Here", "4242", "4242"),
            ],
        }),
        ..ScreenSettings::default()
    })
}

fn actions_of(m: &Model) -> Option<tapin::domain::PersonId> {
    match m.screen {
        Screen::Actions { person, .. } => Some(person),
        _ => None,
    }
}

#[test]
fn f1_opens_the_list_and_enter_scans_the_picked_badge() {
    let mut m = demo();
    send(&mut m, [key(KeyInput::F(1))]);
    assert_eq!(m.help, Some(0));
    send(
        &mut m,
        [
            key(KeyInput::Down),
            key(KeyInput::Down),
            key(KeyInput::Down),
        ],
    );
    assert_eq!(m.help, Some(2), "stops at the last row");
    send(&mut m, [key(KeyInput::Up), key(KeyInput::Enter)]);
    assert_eq!(m.help, None);
    assert_eq!(actions_of(&m), Some(JOSE), "Enter scanned José's badge");

    // From the first row.
    let mut m = demo();
    send(&mut m, [key(KeyInput::F(1)), key(KeyInput::Enter)]);
    assert_eq!(actions_of(&m), Some(ANA));

    // A row whose badge this kiosk does not know is refused as a scan would be.
    let mut m = demo();
    send(
        &mut m,
        [
            key(KeyInput::F(1)),
            key(KeyInput::PageDown),
            key(KeyInput::Enter),
        ],
    );
    assert_eq!(m.screen, Screen::Home);
    assert_eq!(m.notice, Some(Notice::UnknownBadge));
}

#[test]
fn any_other_input_closes_it_and_a_real_scan_goes_through() {
    let mut m = demo();
    send(&mut m, [key(KeyInput::F(1)), key(KeyInput::Char('a'))]);
    assert_eq!(m.help, None);
    assert_eq!(
        m.screen,
        Screen::Home,
        "the key that closed it did nothing else"
    );

    send(&mut m, [key(KeyInput::F(1)), key(KeyInput::Escape)]);
    assert_eq!(m.help, None);
    send(
        &mut m,
        [key(KeyInput::F(1)), Msg::Tap { column: 3, row: 3 }],
    );
    assert_eq!(m.help, None);

    send(&mut m, [key(KeyInput::F(1)), Msg::Badge("1001".into())]);
    assert_eq!(m.help, None);
    assert_eq!(actions_of(&m), Some(ANA), "the scan identified Ana");
}

#[test]
fn not_over_the_admin_screens_and_closed_when_idle() {
    let mut m = demo();
    m.screen = Screen::Admin {
        admin: tui_support::ADA,
        page: tapin::tui::model::AdminPage::Menu,
    };
    send(&mut m, [key(KeyInput::F(1))]);
    assert_eq!(m.help, None);

    let mut m = demo();
    send(&mut m, [key(KeyInput::F(1))]);
    let later = m.now + chrono::TimeDelta::seconds(60);
    send(
        &mut m,
        [Msg::Tick {
            now: later,
            utc_offset_secs: 0,
        }],
    );
    assert_eq!(m.help, None, "the idle timeout closes the help");
}

#[test]
fn the_demo_shows_its_marker_and_list_a_real_kiosk_its_usage() {
    let mut m = demo();
    let home = render(&mut m, 80, 24);
    assert!(home.contains(DEMO_MARKER.trim()), "{home}");
    send(&mut m, [key(KeyInput::F(1))]);
    let help = render(&mut m, 80, 24);
    for needle in [
        "DEMO: people to try",
        "1002",
        "0202",
        "José Núñez",
        "try me",
    ] {
        assert!(help.contains(needle), "{needle}:\n{help}");
    }

    let mut m = model();
    let home = render(&mut m, 80, 24);
    assert!(!home.contains("DEMO"), "{home}");
    send(&mut m, [key(KeyInput::F(1))]);
    let help = render(&mut m, 80, 24);
    assert!(
        help.contains("Help") && help.contains("Any key closes this help"),
        "{help}"
    );
    assert!(!help.contains("DEMO"), "{help}");
}
