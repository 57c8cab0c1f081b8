//! The kiosk end to end: the real `tapin` binary in a pseudo-terminal, enrolled
//! on an in-process hub (through a fault proxy), driven by keys and badge scans
//! and checked by what its screen shows. Badge scan to confirmation; name
//! search, PIN and clock out; a PIN lockout that survives a restart; Ctrl-C,
//! Ctrl-Z and their signals doing nothing; an administrator's exit; a punch made
//! while the hub is down, delivered once it is back.

mod hub_support;
mod kiosk_e2e_support;
mod kiosk_support;
mod sync_support;

use kiosk_e2e_support::{
    ACTIONS, FINGER, PIN_PAD, Site, WAIT, assert_terminal_restored, process_state, stop,
};

use kiosk_support::pty::{Pty, keys};
use sync_support::proxy::Fault;

const NEXT_PERSON: &str = "Press any key for the next person";
const LOCKED: &str = "Too many wrong PINs";

/// Waits for the confirmation of `action` (the title and the hint are only on
/// that screen; the action's label alone is also a button).
fn confirmation(kiosk: &Pty, name: &str, action: &str) -> String {
    kiosk
        .wait_until(&format!("confirmation of {action:?}"), WAIT, |s| {
            let text = s.contents();
            text.contains(NEXT_PERSON) && text.contains(action) && text.contains(name)
        })
        .expect("the confirmation")
}

/// Home after a confirmation: any key ends it.
fn next_person(kiosk: &Pty) {
    kiosk.send(&[keys::ESC]).expect("key");
    kiosk.wait_for_text("Scan your badge", WAIT).expect("Home");
}

/// Types `query` on Home, then picks the first match.
fn search_and_pick(kiosk: &Pty, query: &str, name: &str) {
    kiosk.type_text(query).expect("type");
    kiosk
        .wait_until(&format!("{name:?} found by {query:?}"), WAIT, |s| {
            s.contents().contains(name) && s.contents().contains(query)
        })
        .expect("the match");
    kiosk.send(&[keys::ENTER]).expect("enter");
}

/// Types a PIN and Enter at a person's pace.
fn enter_pin(kiosk: &Pty, pin: &str) {
    kiosk.type_slowly(&format!("{pin}\r"), FINGER).expect("PIN");
}

#[test]
fn a_badge_scan_clocks_in_and_confirms() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    let bells = kiosk.bells();
    kiosk.scan_badge_slowly(site.ada.badge).expect("scan");
    let actions = kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    assert!(
        !actions.contains(site.ada.badge),
        "the scan landed in a field:\n{actions}"
    );
    assert!(
        !actions.contains(PIN_PAD),
        "a badge needs no PIN:\n{actions}"
    );
    kiosk.send(&[keys::ENTER]).expect("enter");
    let screen = confirmation(&kiosk, site.ada.name, "Clock in");
    assert!(screen.contains("Today 0 h 00"), "{screen}");
    assert!(kiosk.bells() > bells, "no bell on confirmation");
    next_person(&kiosk);
    kiosk
        .wait_until("Ada shown as in", WAIT, |s| {
            // A Home cell is the name, and under it the status.
            let lines: Vec<String> = s.contents().lines().map(str::to_owned).collect();
            lines.windows(2).any(|pair| {
                pair[0].find(site.ada.name).is_some_and(|at| {
                    let col = pair[0][..at].chars().count();
                    let below: String = pair[1].chars().skip(col).collect();
                    below.trim_start().starts_with("● in ")
                })
            })
        })
        .expect("status on Home");
    site.wait_hub_events(1);
    stop(kiosk);
}

#[test]
fn name_search_then_pin_clocks_out() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    kiosk.scan_badge(site.emile.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    confirmation(&kiosk, site.emile.name, "Clock in");
    next_person(&kiosk);

    // No accent typed: the search folds "É" to "e".
    search_and_pick(&kiosk, "emile", site.emile.name);
    kiosk.wait_for_text(PIN_PAD, WAIT).expect("PIN pad");
    kiosk
        .type_slowly(&site.emile.pin[..3], FINGER)
        .expect("digits");
    let masked = kiosk
        .wait_until("three masked digits", WAIT, |s| {
            s.contents().matches('●').count() >= 3 || s.contents().matches('*').count() >= 3
        })
        .expect("masked digits");
    assert!(!masked.contains(&site.emile.pin[..3]), "{masked}");
    enter_pin(&kiosk, &site.emile.pin[3..]);
    let actions = kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    assert!(actions.contains("Clock out"), "{actions}");
    // Enter: the common action, clocking out for someone who is in.
    kiosk.send(&[keys::ENTER]).expect("enter");
    confirmation(&kiosk, site.emile.name, "Clock out");
    site.wait_hub_events(2);
    stop(kiosk);
}

#[test]
fn a_pin_lockout_survives_a_restart() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    search_and_pick(&kiosk, "ada", site.ada.name);
    kiosk.wait_for_text(PIN_PAD, WAIT).expect("PIN pad");
    for left in (1..=4).rev() {
        enter_pin(&kiosk, "0000");
        // Input is ignored while a PIN is checked: wait for the answer.
        kiosk
            .wait_for_text(&format!("Wrong PIN. {left} tries left."), WAIT)
            .expect("wrong PIN counted");
    }
    enter_pin(&kiosk, "0000");
    kiosk.wait_for_text(LOCKED, WAIT).expect("locked");
    stop(kiosk);

    let kiosk = site.kiosk_at_home();
    search_and_pick(&kiosk, "ada", site.ada.name);
    kiosk
        .wait_for_text(LOCKED, WAIT)
        .expect("still locked after a restart");
    // The right PIN does not open it either.
    kiosk.type_slowly(site.ada.pin, FINGER).expect("right PIN");
    kiosk
        .wait_until_gone(LOCKED, WAIT)
        .expect("typing clears the notice");
    kiosk.send(&[keys::ENTER]).expect("enter");
    let screen = kiosk
        .wait_for_text(LOCKED, WAIT)
        .expect("refused while locked");
    assert!(!screen.contains(ACTIONS), "{screen}");
    stop(kiosk);
}

#[test]
fn ctrl_c_ctrl_z_and_their_signals_do_nothing() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    // In the search: the keys must neither leave nor land in the field.
    kiosk.type_text("ad").expect("type");
    kiosk.wait_for_text("Who are you?", WAIT).expect("search");
    for key in [
        keys::CTRL_C,
        keys::CTRL_Z,
        keys::CTRL_BACKSLASH,
        keys::CTRL_D,
    ] {
        kiosk.send(&[key]).expect("ctrl key");
    }
    for signal in ["INT", "TSTP", "QUIT"] {
        kiosk.send_signal(signal).expect("signal");
    }
    // Something typed after them shows they were read and ignored.
    kiosk.type_text("a").expect("type");
    let screen = kiosk
        .wait_for_text(site.ada.name, WAIT)
        .and_then(|_| kiosk.wait_for_text("ada", WAIT))
        .expect("still searching");
    assert!(screen.contains("Who are you?"), "{screen}");
    assert_ne!(process_state(&kiosk), Some('T'), "the kiosk was stopped");
    kiosk.send(&[keys::ESC]).expect("esc");
    kiosk.wait_for_text("Scan your badge", WAIT).expect("Home");

    // On Home too, then a punch still works.
    kiosk
        .send(&[keys::CTRL_C, keys::CTRL_Z])
        .expect("ctrl keys");
    kiosk.scan_badge(site.ada.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    confirmation(&kiosk, site.ada.name, "Clock in");
    assert!(kiosk.with_screen(|s| s.alternate_screen()));
    stop(kiosk);
}

#[test]
fn an_administrator_exits_the_kiosk() {
    let site = Site::new();
    let mut kiosk = site.kiosk_at_home();
    // Someone who is not an administrator is turned away after their PIN.
    kiosk.send(keys::F12).expect("F12");
    kiosk
        .wait_for_text("Admin: scan your badge or type your name", WAIT)
        .expect("admin login");
    search_and_pick(&kiosk, "ada", site.ada.name);
    kiosk.wait_for_text(PIN_PAD, WAIT).expect("PIN pad");
    enter_pin(&kiosk, site.ada.pin);
    kiosk
        .wait_for_text("Only an administrator can open this screen.", WAIT)
        .expect("refused");

    kiosk.send(keys::F12).expect("F12");
    kiosk
        .wait_for_text("Admin: scan your badge or type your name", WAIT)
        .expect("admin login");
    search_and_pick(&kiosk, "grace", site.grace.name);
    kiosk.wait_for_text(PIN_PAD, WAIT).expect("PIN pad");
    enter_pin(&kiosk, site.grace.pin);
    kiosk
        .wait_for_text("3  Exit the kiosk", WAIT)
        .expect("menu");
    // Outside the confirmation, Esc and q do not leave.
    kiosk.type_text("3").expect("exit");
    kiosk
        .wait_for_text("Press Enter to exit the kiosk", WAIT)
        .expect("confirm exit");
    kiosk.send(&[keys::ENTER]).expect("enter");
    let status = kiosk.wait_exit(WAIT).expect("exits");
    assert!(status.success(), "{status:?}\n{}", kiosk.screen_text());
    assert_terminal_restored(&kiosk);
}

#[test]
fn a_punch_while_the_hub_is_down_is_delivered_once_it_is_back() {
    let mut site = Site::new();
    let kiosk = site.kiosk_at_home();
    kiosk
        .wait_for_text("online", WAIT)
        .expect("online at first");

    site.proxy.set(Fault::Refuse);
    site.stop_hub();
    kiosk.scan_badge(site.ada.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    confirmation(&kiosk, site.ada.name, "Clock in");
    next_person(&kiosk);
    kiosk
        .wait_until("offline with one pending", WAIT, |s| {
            let text = s.contents();
            text.contains("offline since") && text.contains("1 pending")
        })
        .expect("offline status");

    site.restart_hub();
    assert_eq!(site.hub_events(), 0, "nothing reached the hub while down");
    site.proxy.set(Fault::Pass);
    kiosk
        .wait_until("online with nothing pending", WAIT, |s| {
            let text = s.contents();
            text.contains("online") && !text.contains("pending")
        })
        .expect("delivered");
    assert_eq!(site.hub_events(), 1, "the punch is on the hub exactly once");
    stop(kiosk);
    assert_eq!(site.hub_events(), 1, "no second copy at shutdown");
}
