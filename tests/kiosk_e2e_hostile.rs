//! The real kiosk binary under hostile use, in a pseudo-terminal: keys, garbage
//! and badge scans while its journal cannot record (nothing confirmed, nothing
//! half-stored, the punch recorded once the journal works again), and someone
//! guessing administrator PINs (each wrong one makes the next wait longer, and a
//! restart does not reset the wait).

mod hub_support;
mod kiosk_e2e_support;
mod kiosk_support;
mod sync_support;

use kiosk_e2e_support::{ACTIONS, FINGER, PIN_PAD, Site, WAIT, process_state, stop};
use kiosk_support::pty::{Pty, keys};
use tapin::journal::{DB_FILE, Journal, JournalOptions};

const NOT_RECORDED: &str = "NOT RECORDED";
const HOME: &str = "Scan your badge";
const ADMIN_LOGIN: &str = "Admin: scan your badge or type your name";
const KIOSK_WAIT: &str = "Too many wrong PINs on this kiosk";

/// Whether the kiosk process is still there (and not a zombie).
fn alive(kiosk: &Pty) -> bool {
    process_state(kiosk).is_some_and(|state| state != 'Z')
}

/// Holds SQLite's write lock on the kiosk's journal from outside, as a stuck
/// backup tool or a failing disk would: every write the kiosk tries fails.
fn lock_journal(site: &Site) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(site.data().join(DB_FILE)).expect("open the journal");
    conn.busy_timeout(WAIT).expect("busy timeout");
    conn.execute_batch("BEGIN IMMEDIATE")
        .expect("take the journal's write lock");
    conn
}

#[test]
fn keys_and_scans_while_the_journal_fails_confirm_nothing_and_lose_nothing() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    let lock = lock_journal(&site);

    kiosk.scan_badge(site.ada.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    let red = kiosk
        .wait_for_text(NOT_RECORDED, WAIT)
        .expect("the red screen");
    assert!(!red.contains("Press any key for the next person"), "{red}");

    // Enter tries again, and fails again while the journal is still locked (the
    // screen stays red; the refusal rings the bell again).
    let bells = kiosk.bells();
    kiosk.send(&[keys::ENTER]).expect("retry");
    kiosk.wait_for_bell(bells, WAIT).expect("refused again");
    assert!(kiosk.screen_text().contains(NOT_RECORDED));
    assert!(
        kiosk.screen_text().contains("locked by another program"),
        "{}",
        kiosk.screen_text()
    );

    // Garbage, a stuck key, lockdown keys and a burst of scans meanwhile.
    kiosk
        .send(b"\x1b[999~\x1b]52;c;cHduZWQ=\x07\xff\xfe")
        .expect("garbage");
    kiosk.send(&[b'7'; 500]).expect("stuck key");
    kiosk
        .send(&[3, 26, 28, 4])
        .expect("Ctrl-C, Ctrl-Z, Ctrl-\\, Ctrl-D");
    for _ in 0..5 {
        kiosk.scan_badge(site.emile.badge).expect("scan");
    }
    kiosk.send(&[keys::ESC, keys::ESC]).expect("esc");
    kiosk.wait_for_text(HOME, WAIT).expect("back Home");
    assert!(alive(&kiosk), "the kiosk died:\n{}", kiosk.screen_text());

    // Still failing: a new punch is refused plainly, not confirmed.
    kiosk.scan_badge(site.ada.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk
        .wait_for_text(NOT_RECORDED, WAIT)
        .expect("still refused");

    // The journal works again: Enter records the punch, once.
    drop(lock);
    kiosk.send(&[keys::ENTER]).expect("retry");
    kiosk
        .wait_until("the confirmation", WAIT, |s| {
            let text = s.contents();
            text.contains("Press any key for the next person") && text.contains(site.ada.name)
        })
        .expect("confirmed once the journal works");
    site.wait_hub_events(1);
    stop(kiosk);

    assert_eq!(site.hub_events(), 1, "exactly the one confirmed punch");
    let journal = Journal::open(&site.data(), JournalOptions::default()).expect("journal");
    assert_eq!(journal.pending_count(), 0);
    drop(journal);
    let conn = rusqlite::Connection::open(site.data().join(DB_FILE)).expect("open");
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM outbox_event", [], |r| r.get(0))
        .expect("count");
    assert_eq!(stored, 1, "nothing half-stored from the failed tries");
}

/// F12, then `name` picked by search: the privileged PIN pad.
fn admin_pin_pad(kiosk: &Pty, query: &str, name: &str) {
    kiosk.send(keys::F12).expect("F12");
    kiosk.wait_for_text(ADMIN_LOGIN, WAIT).expect("admin login");
    kiosk.type_text(query).expect("type");
    kiosk
        .wait_until(&format!("{name:?} found"), WAIT, |s| {
            s.contents().contains(name) && s.contents().contains(query)
        })
        .expect("the match");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk.wait_for_text(PIN_PAD, WAIT).expect("PIN pad");
}

#[test]
fn guessing_admin_pins_makes_the_kiosk_wait_and_a_restart_does_not_reset_it() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    admin_pin_pad(&kiosk, "grace", site.grace.name);
    for left in [4, 3] {
        kiosk.type_slowly("0000\r", FINGER).expect("PIN");
        kiosk
            .wait_for_text(&format!("Wrong PIN. {left} tries left."), WAIT)
            .expect("a free wrong PIN");
    }
    kiosk.type_slowly("0000\r", FINGER).expect("PIN");
    kiosk.wait_for_text(KIOSK_WAIT, WAIT).expect("the wait");
    stop(kiosk);

    // After a restart, the wait holds for anyone's Admin PIN, the right one too.
    let kiosk = site.kiosk_at_home();
    admin_pin_pad(&kiosk, "grace", site.grace.name);
    kiosk
        .wait_for_text(KIOSK_WAIT, WAIT)
        .expect("still waiting after a restart");
    kiosk
        .type_slowly(site.grace.pin, FINGER)
        .expect("right PIN");
    kiosk
        .wait_until_gone(KIOSK_WAIT, WAIT)
        .expect("typing clears the notice");
    kiosk.send(&[keys::ENTER]).expect("enter");
    let screen = kiosk.wait_for_text(KIOSK_WAIT, WAIT).expect("refused");
    assert!(!screen.contains("Exit the kiosk"), "{screen}");

    // Punches are not held up by it.
    kiosk.send(&[keys::ESC]).expect("esc");
    kiosk.wait_for_text(HOME, WAIT).expect("Home");
    kiosk.scan_badge(site.ada.badge).expect("scan");
    kiosk.wait_for_text(ACTIONS, WAIT).expect("actions");
    stop(kiosk);
}
