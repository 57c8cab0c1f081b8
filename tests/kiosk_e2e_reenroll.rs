//! Re-enrolling from the Admin screen, end to end: the real `tapin` in a
//! pseudo-terminal whose device was revoked on the hub holds a punch it could
//! not deliver; an administrator enrolls it again with a new one-time code; the
//! kiosk starts again in place (same terminal) as the new device, its new
//! punches reach the hub, and the punch recorded before is not lost: the hub
//! refuses it (it names the old device), and it stays on the kiosk among the
//! refused events, with the hub's reason.

mod hub_support;
mod kiosk_e2e_support;
mod kiosk_support;
mod sync_support;

use kiosk_e2e_support::{FINGER, Site, WAIT};
use kiosk_support::pty::{Pty, keys};
use tapin::hub::store::admin::AuditEntry;

fn admin_menu(kiosk: &Pty, site: &Site) {
    kiosk.send(keys::F12).expect("F12");
    kiosk
        .wait_for_text("Admin: scan your badge or type your name", WAIT)
        .expect("admin login");
    kiosk.scan_badge(site.grace.badge).expect("scan");
    kiosk
        .wait_for_text("Enter your PIN", WAIT)
        .expect("PIN pad");
    kiosk
        .type_slowly(&format!("{}\r", site.grace.pin), FINGER)
        .expect("PIN");
    kiosk
        .wait_for_text("6  Enroll again", WAIT)
        .expect("the admin menu");
}

fn punch(kiosk: &Pty, badge: &str, name: &str) {
    kiosk.scan_badge(badge).expect("scan");
    kiosk
        .wait_for_text("Enter: the first", WAIT)
        .expect("actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk
        .wait_until("the confirmation", WAIT, |s| {
            let t = s.contents();
            t.contains("Press any key for the next person") && t.contains(name)
        })
        .expect("confirmed");
    kiosk.send(&[keys::ESC]).expect("key");
    kiosk.wait_for_text("Scan your badge", WAIT).expect("Home");
}

#[test]
fn an_administrator_reenrolls_the_kiosk_and_nothing_is_lost() {
    let site = Site::new();
    let kiosk = site.kiosk_at_home();
    // The device is revoked on the hub: punches are kept on the kiosk.
    let store = &site.hub().store;
    let old = site
        .rt
        .block_on(store.kiosks_of(site.org))
        .expect("devices")
        .into_iter()
        .find(|d| d.name == "Front desk")
        .expect("the kiosk's device");
    let entry = AuditEntry::new(uuid::Uuid::nil(), "test.revoke", old.id);
    site.rt
        .block_on(store.revoke_kiosk(site.org, old.id, &entry))
        .expect("revoke");
    punch(&kiosk, site.ada.badge, site.ada.name);
    kiosk
        .wait_for_text("device revoked", WAIT)
        .expect("the kiosk says it is revoked");
    assert_eq!(site.hub_events(), 0);

    // A new device with the same people, and its code.
    let new = site
        .rt
        .block_on(store.create_device(site.org, "Back door", chrono::Duration::hours(1)))
        .expect("new device");
    let people = [site.ada.id, site.emile.id, site.grace.id];
    site.rt
        .block_on(store.set_roster(site.org, new.id, &hub_support::person_entries(&people)))
        .expect("roster");

    admin_menu(&kiosk, &site);
    kiosk.type_text("6").expect("6");
    kiosk
        .wait_for_text("Enroll this kiosk again", WAIT)
        .expect("the form");
    kiosk
        .type_slowly(&new.enrollment_code, FINGER)
        .expect("the code");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk
        .wait_for_text("1 events still wait for the hub", WAIT)
        .expect("the confirmation names the waiting punch");
    kiosk.send(&[keys::ENTER]).expect("enter");

    // The kiosk starts again in place, as the new device.
    kiosk
        .wait_until("Home as the new device", WAIT, |s| {
            let t = s.contents();
            t.contains("Back door") && t.contains("Scan your badge") && t.contains(site.ada.name)
        })
        .expect("restarted");
    // The old punch names the old device: refused by the hub, kept here.
    punch(&kiosk, site.emile.badge, site.emile.name);
    site.wait_hub_events(1);
    admin_menu(&kiosk, &site);
    kiosk.type_text("1").expect("1");
    kiosk
        .wait_until("the old punch among the refused events", WAIT, |s| {
            let t = s.contents();
            t.contains(site.ada.name) && t.contains("clock_in") && t.contains("event.device")
        })
        .expect("kept as refused");
    assert_eq!(site.hub_events(), 1, "only the new punch reached the hub");
    kiosk.send(&[keys::ESC]).expect("esc");
    kiosk
        .wait_for_text("6  Enroll again", WAIT)
        .expect("the admin menu");
    kiosk.type_text("3").expect("3");
    kiosk
        .wait_for_text("Press Enter to exit the kiosk", WAIT)
        .expect("confirm exit");
    kiosk.send(&[keys::ENTER]).expect("enter");
    let mut kiosk = kiosk;
    let status = kiosk.wait_exit(WAIT).expect("exits");
    assert!(status.success(), "{status:?}\n{}", kiosk.screen_text());
}
