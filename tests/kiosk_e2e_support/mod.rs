//! A site for the kiosk's end-to-end tests: an in-process hub on a SQLite file
//! behind the fault proxy, an organisation with three people (PINs set, one an
//! administrator), a device enrolled through the real `tapin enroll`, and a
//! kiosk.toml. [`Site::kiosk`] runs `tapin` in a pseudo-terminal on it.
//!
//! The hub runs on a tokio runtime the site owns, so the tests themselves stay
//! plain blocking code that waits on the screen.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tapin::domain::{JobAccess, Person, PersonId, Preset, Role, RoleId, TrackingMode};
use tapin::secrets::pin_verifier;
use tapin::wire::OrgId;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::hub_support::{Hub, cli, person_entries, sqlite_url};
use crate::kiosk_support::pty::Pty;
use crate::sync_support::proxy::FaultProxy;

/// Long enough for a loaded two-core machine; every wait ends as soon as the
/// screen shows what it waits for.
pub const WAIT: Duration = Duration::from_secs(30);

/// A person's pace on the PIN pad: well over the test config's 150 ms badge
/// gap, or "1234" and Enter would be a scan.
pub const FINGER: Duration = Duration::from_millis(300);
/// The Actions screen's hint (at 80×24 the person's name is its title).
pub const ACTIONS: &str = "Enter: the first";
pub const PIN_PAD: &str = "Enter your PIN";

/// SIGTERM, a clean exit, and the terminal given back.
pub fn stop(mut kiosk: Pty) {
    kiosk.send_signal("TERM").expect("SIGTERM");
    let status = kiosk.wait_exit(WAIT).expect("exits on SIGTERM");
    assert!(status.success(), "{status:?}\n{}", kiosk.screen_text());
    assert_terminal_restored(&kiosk);
}

pub fn assert_terminal_restored(kiosk: &Pty) {
    let (alternate, hidden) = kiosk.with_screen(|s| (s.alternate_screen(), s.hide_cursor()));
    assert!(!alternate, "still on the alternate screen");
    assert!(!hidden, "the cursor is still hidden");
}

/// The kiosk's process state letter from /proc (`T`: stopped, `Z`: a zombie);
/// `None` once it is gone.
pub fn process_state(kiosk: &Pty) -> Option<char> {
    let pid = kiosk.pid()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (comm) S ...": the state follows the last parenthesis.
    let after = stat.rsplit_once(')')?.1;
    after.trim_start().chars().next()
}

/// Someone on the device's roster.
pub struct Someone {
    pub id: PersonId,
    pub name: &'static str,
    pub badge: &'static str,
    pub pin: &'static str,
}

/// Names fit a roster cell at 80 columns (longer ones are cut with "…").
pub const ADA: (&str, &str, &str) = ("Ada Byron", "B1001", "1234");
/// An accented name, found by typing it without the accent.
pub const EMILE: (&str, &str, &str) = ("Émile Zola", "B1002", "4321");
pub const GRACE: (&str, &str, &str) = ("Grace Hall", "B1003", "9999");

pub struct Site {
    pub rt: Runtime,
    pub dir: TempDir,
    /// `None` while the test has stopped it.
    pub hub: Option<Hub>,
    pub proxy: FaultProxy,
    pub org: OrgId,
    pub ada: Someone,
    pub emile: Someone,
    /// An administrator.
    pub grace: Someone,
}

impl Site {
    /// A hub with the organisation, and a device enrolled by the real binary
    /// through the proxy (so the kiosk's hub URL is the proxy's).
    pub fn new() -> Site {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = rt.block_on(Hub::start(&sqlite_url(&dir.path().join("hub.db"))));
        let (org, people, code) = rt.block_on(organisation(&hub));
        let proxy = rt.block_on(FaultProxy::start(addr_of(&hub)));
        let mut people = people.into_iter();
        let mut next = || people.next().expect("three people");
        let site = Site {
            org,
            ada: next(),
            emile: next(),
            grace: next(),
            rt,
            dir,
            hub: Some(hub),
            proxy,
        };
        std::fs::create_dir(site.data()).expect("data dir");
        std::fs::write(site.config(), CONFIG).expect("kiosk.toml");
        cli::enroll(&site.data(), &site.config(), &site.proxy.url(), &code);
        site
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("kiosk.toml")
    }

    /// `tapin --config kiosk.toml --data-dir data` at 80×24.
    pub fn kiosk(&self) -> Pty {
        Pty::builder()
            .arg("--config")
            .arg(self.config())
            .arg("--data-dir")
            .arg(self.data())
            .size(80, 24)
            .spawn()
            .expect("spawn the kiosk")
    }

    /// A kiosk on Home with the roster shown.
    pub fn kiosk_at_home(&self) -> Pty {
        let kiosk = self.kiosk();
        kiosk
            .wait_for_text("Scan your badge", WAIT)
            .expect("home screen");
        kiosk
            .wait_for_text(self.ada.name, WAIT)
            .expect("the roster on Home");
        kiosk
    }

    pub fn hub(&self) -> &Hub {
        self.hub.as_ref().expect("the hub is running")
    }

    /// Events of the organisation the hub holds.
    pub fn hub_events(&self) -> i64 {
        let hub = self.hub();
        self.rt
            .block_on(hub.store.count_events(self.org))
            .expect("count events")
    }

    /// Waits until the hub holds `n` events.
    pub fn wait_hub_events(&self, n: i64) {
        let hub = self.hub();
        let reached = self
            .rt
            .block_on(crate::hub_support::eventually(WAIT, || async {
                hub.store.count_events(self.org).await.expect("count") >= n
            }));
        assert!(
            reached,
            "the hub holds {} events, expected {n}",
            self.hub_events()
        );
    }

    /// Stops the hub and waits until it is gone.
    pub fn stop_hub(&mut self) {
        if let Some(hub) = self.hub.take() {
            self.rt.block_on(hub.stop());
        }
    }

    /// Starts a hub again on the same database; the proxy forwards to it.
    pub fn restart_hub(&mut self) {
        let hub = self
            .rt
            .block_on(Hub::start(&sqlite_url(&self.dir.path().join("hub.db"))));
        self.proxy.set_upstream(addr_of(&hub));
        self.hub = Some(hub);
    }
}

/// Short retries and timeouts so an outage in a test costs a second, not a
/// minute; a long confirmation so the test reads it before it goes away, and a
/// long idle timeout so a slow machine does not send a screen back Home; a
/// badge gap that the test's paced writes keep to under load.
const CONFIG: &str = r#"secret_store = "file"

[sync]
backoff_cap_secs = 1
connect_timeout_secs = 2
request_timeout_secs = 5

[kiosk]
pin = "unless-badge"
idle_timeout_secs = 600
confirmation_secs = 60

# A loaded machine can stall the test's scanner thread between two characters.
[badge]
max_gap_ms = 150
"#;

fn addr_of(hub: &Hub) -> SocketAddr {
    hub.base
        .trim_start_matches("http://")
        .parse()
        .expect("hub address")
}

/// The organisation, its three people (in `ADA`, `EMILE`, `GRACE` order) on a
/// new device's roster, and the device's enrollment code.
async fn organisation(hub: &Hub) -> (OrgId, Vec<Someone>, String) {
    let store = &hub.store;
    let org = store.init_org("e2e").await.expect("init org");
    let user = Role::preset(Preset::User, RoleId::new());
    let admin = Role::preset(Preset::Administrator, RoleId::new());
    for role in [&user, &admin] {
        store.add_role(org.id, role).await.expect("add role");
    }
    let mut people = Vec::new();
    for ((name, badge, pin), role) in [(ADA, user.id), (EMILE, user.id), (GRACE, admin.id)] {
        let person = Person {
            id: PersonId::new(),
            name: name.into(),
            badge: Some(badge.into()),
            mode: TrackingMode::Personal,
            team: None,
            role,
            archived: false,
            jobs: JobAccess::All,
        };
        let verifier = pin_verifier::make(pin, &org.pin_pepper).expect("PIN verifier");
        store
            .add_person(org.id, &person, Some(&verifier))
            .await
            .expect("add person");
        people.push(Someone {
            id: person.id,
            name,
            badge,
            pin,
        });
    }
    let device = store
        .create_device(org.id, "Front desk", chrono::Duration::hours(1))
        .await
        .expect("create device");
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    store
        .set_roster(org.id, device.id, &person_entries(&ids))
        .await
        .expect("set roster");
    (org.id, people, device.enrollment_code)
}
