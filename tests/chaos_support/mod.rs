//! A site for the end-to-end chaos runs: a hub as its own process (`tapin hub`)
//! over SQLite or PostgreSQL, the fault proxy in front of it, and two kiosks (the
//! real `tapin` binary in pseudo-terminals) enrolled through the proxy, each with
//! its own people. The site can kill -9 and restart any of them; the
//! [`Ledger`] keeps what each screen confirmed.
//!
//! The organisation is set up straight in the store before the hub process
//! starts (test setup only); everything the run checks goes through the real
//! binaries and the hub's HTTP API.
#![allow(dead_code)]

pub mod ledger;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tapin::domain::{JobAccess, Person, PersonId, Preset, TrackingMode};
use tapin::hub::Store;
use tapin::secrets::pin_verifier;
use tapin::wire::OrgId;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::admin_support::{fresh_db, preset_role, roles};
use crate::hub_support::cli::SpawnedHub;
use crate::hub_support::{cli, person_entries, sqlite_url};
use crate::kiosk_support::pty::{Pty, keys};
use crate::sync_support::proxy::FaultProxy;

/// Every wait ends as soon as its condition holds; this only bounds a hang.
pub const WAIT: Duration = Duration::from_secs(60);
/// How long the kiosks may take to deliver everything once the faults stop:
/// a blackholed request costs a request timeout, a backoff at most its cap.
pub const DRAIN: Duration = Duration::from_secs(120);

pub const HOME: &str = "Scan your badge";
pub const ACTIONS: &str = "Enter: the first";
pub const NEXT_PERSON: &str = "Press any key for the next person";

/// Someone on one kiosk's roster: short names fit a roster cell at 80 columns.
#[derive(Clone, Debug)]
pub struct Someone {
    pub id: PersonId,
    pub name: String,
    pub badge: String,
}

/// One kiosk: its data dir, config, people and (while it runs) its screen.
pub struct KioskSlot {
    pub label: &'static str,
    pub dir: PathBuf,
    pub people: Vec<Someone>,
    pub pty: Option<Pty>,
}

impl KioskSlot {
    pub fn config(&self) -> PathBuf {
        self.dir.join("kiosk.toml")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn pty(&self) -> &Pty {
        self.pty.as_ref().expect("the kiosk is running")
    }

    /// Starts the kiosk and waits for Home with its roster.
    pub fn start(&mut self) {
        assert!(self.pty.is_none(), "{} is already running", self.label);
        let pty = Pty::builder()
            .arg("--config")
            .arg(self.config())
            .arg("--data-dir")
            .arg(self.data())
            .size(80, 24)
            .spawn()
            .expect("spawn the kiosk");
        let first = self.people[0].name.clone();
        pty.wait_until(&format!("{} at Home", self.label), WAIT, |s| {
            let text = s.contents();
            text.contains(HOME) && text.contains(&first)
        })
        .unwrap_or_else(|e| panic!("{}: {e}", self.label));
        self.pty = Some(pty);
    }

    /// kill -9, and wait until it is gone.
    pub fn kill(&mut self) {
        let mut pty = self.pty.take().expect("the kiosk is running");
        pty.send_signal("KILL").expect("SIGKILL");
        pty.wait_exit(WAIT).expect("the killed kiosk is gone");
    }

    /// SIGTERM and a clean exit.
    pub fn stop(&mut self) {
        let mut pty = self.pty.take().expect("the kiosk is running");
        pty.send_signal("TERM").expect("SIGTERM");
        let status = pty.wait_exit(WAIT).expect("exits on SIGTERM");
        assert!(status.success(), "{}: {status:?}", self.label);
    }

    /// `tapin journal status` of a stopped kiosk: (pending, parked).
    pub fn journal_counts(&self) -> (u64, u64) {
        assert!(self.pty.is_none(), "the journal is the running kiosk's");
        let config = self.config();
        let out = cli::output(&mut cli::command(
            &self.data(),
            &[
                "--config",
                config.to_str().expect("utf-8 path"),
                "journal",
                "status",
            ],
        ));
        let text = cli::ok(&out);
        let count = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {key:?} in {text:?}"))
        };
        (count("pending"), count("parked"))
    }
}

/// The whole site.
pub struct Site {
    pub rt: Runtime,
    pub dir: TempDir,
    pub db_url: String,
    pub org: OrgId,
    /// The Top manager's admin token, for the report.
    pub token: String,
    pub hub: Option<SpawnedHub>,
    pub proxy: FaultProxy,
    pub kiosks: [KioskSlot; 2],
}

/// Short retries and timeouts so an outage costs a second, not a minute; a
/// long confirmation and idle time so a slow machine does not send a screen
/// back Home while the run reads it.
const CONFIG: &str = r#"secret_store = "file"

[sync]
backoff_cap_secs = 1
connect_timeout_secs = 2
request_timeout_secs = 3

[kiosk]
pin = "unless-badge"
idle_timeout_secs = 600
confirmation_secs = 60

[badge]
max_gap_ms = 150
"#;

const NAMES: [[&str; 4]; 2] = [
    ["Amy Ash", "Ben Bly", "Cal Cox", "Dee Day"],
    ["Eve Elm", "Fay Fox", "Gus Gil", "Hal Hay"],
];

impl Site {
    /// `db` is `None` for SQLite (a file in the site's temp dir), or a
    /// PostgreSQL URL (the run gets a schema of its own).
    pub fn new(db: Option<&str>) -> Site {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let db_url = match db {
            None => sqlite_url(&dir.path().join("hub.db")),
            Some(url) => rt.block_on(fresh_db(url)),
        };
        let (org, token, kiosks) = rt.block_on(organisation(&db_url, dir.path()));
        let hub = SpawnedHub::start_on(&dir.path().join("hub"), &db_url);
        let proxy = rt.block_on(FaultProxy::start(hub.addr()));
        // Through the proxy, so each kiosk's hub URL is the proxy's.
        let kiosks = kiosks.map(|(slot, code)| {
            cli::enroll(&slot.data(), &slot.config(), &proxy.url(), &code);
            slot
        });
        Site {
            rt,
            dir,
            db_url,
            org,
            token,
            hub: Some(hub),
            proxy,
            kiosks,
        }
    }

    pub fn kill_hub(&mut self) {
        if let Some(hub) = self.hub.take() {
            hub.kill();
        }
    }

    /// Starts the hub again on the same database; the proxy forwards to it.
    pub fn start_hub(&mut self) {
        assert!(self.hub.is_none(), "the hub is running");
        let hub = SpawnedHub::start_on(&self.dir.path().join("hub"), &self.db_url);
        self.proxy.set_upstream(hub.addr());
        self.hub = Some(hub);
    }

    pub fn hub_url(&self) -> &str {
        &self.hub.as_ref().expect("the hub is running").url
    }
}

/// The organisation in the store: four people on each of two devices; returns
/// each device's slot and enrollment code.
async fn organisation(db_url: &str, dir: &Path) -> (OrgId, String, [(KioskSlot, String); 2]) {
    let store = Store::connect(db_url).await.expect("connect store");
    let made = store
        .init_site("Administrator", "chaos", "Top manager")
        .await
        .expect("init site");
    let org = made.first.org.id;
    let pepper = made.first.org.pin_pepper.clone();
    let user = preset_role(&roles(&store, org).await, Preset::User);
    let mut slots = Vec::new();
    for (k, names) in NAMES.iter().enumerate() {
        let mut people = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let person = Person {
                id: PersonId::new(),
                name: (*name).into(),
                badge: Some(format!("C{k}{i:03}")),
                mode: TrackingMode::Personal,
                team: None,
                role: user.id,
                archived: false,
                jobs: JobAccess::All,
            };
            let verifier = pin_verifier::make("2468", &pepper).expect("PIN verifier");
            store
                .add_person(org, &person, Some(&verifier))
                .await
                .expect("add person");
            people.push(Someone {
                id: person.id,
                name: person.name.clone(),
                badge: person.badge.clone().expect("badge"),
            });
        }
        let label = if k == 0 { "kiosk A" } else { "kiosk B" };
        let device = store
            .create_device(org, label, chrono::Duration::hours(1))
            .await
            .expect("create device");
        let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
        store
            .set_roster(org, device.id, &person_entries(&ids))
            .await
            .expect("set roster");
        let slot_dir = dir.join(format!("kiosk{k}"));
        std::fs::create_dir_all(slot_dir.join("data")).expect("kiosk dir");
        std::fs::write(slot_dir.join("kiosk.toml"), CONFIG).expect("kiosk.toml");
        slots.push((
            KioskSlot {
                label,
                dir: slot_dir,
                people,
                pty: None,
            },
            device.enrollment_code,
        ));
    }
    store.close().await;
    let mut slots = slots.into_iter();
    let a = slots.next().expect("kiosk A");
    let b = slots.next().expect("kiosk B");
    (org, made.first.token, [a, b])
}

/// What a confirmation screen says was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ClockIn,
    ClockOut,
}

/// Scans `who`'s badge and presses Enter (the common action) on the Actions
/// screen. With `kill_after_enter`, the kiosk is killed at once, before any
/// confirmation can be read, and `None` is returned; otherwise the action the
/// confirmation shows, after which the kiosk is back Home.
pub fn punch(slot: &mut KioskSlot, who: &Someone, kill_after_enter: bool) -> Option<Action> {
    let pty = slot.pty();
    pty.scan_badge(&who.badge).expect("scan");
    pty.wait_until(&format!("{}'s actions", who.name), WAIT, |s| {
        let text = s.contents();
        text.contains(ACTIONS) && text.contains(&who.name)
    })
    .unwrap_or_else(|e| panic!("{}: {e}", slot.label));
    pty.send(&[keys::ENTER]).expect("enter");
    if kill_after_enter {
        slot.kill();
        return None;
    }
    let screen = pty
        .wait_until(&format!("{}'s confirmation", who.name), WAIT, |s| {
            let text = s.contents();
            text.contains(NEXT_PERSON) && text.contains(&who.name)
        })
        .unwrap_or_else(|e| panic!("{}: {e}", slot.label));
    let action = if screen.contains("Clock out") {
        Action::ClockOut
    } else if screen.contains("Clock in") {
        Action::ClockIn
    } else {
        panic!("{}: a confirmation of neither:\n{screen}", slot.label)
    };
    pty.send(&[keys::ESC]).expect("key");
    pty.wait_until("Home", WAIT, |s| {
        let text = s.contents();
        text.contains(HOME) && !text.contains(NEXT_PERSON)
    })
    .unwrap_or_else(|e| panic!("{}: {e}", slot.label));
    Some(action)
}

/// Waits until the kiosk's status line says online with nothing pending.
pub fn wait_drained(slot: &KioskSlot) {
    slot.pty()
        .wait_until(
            &format!("{} online with nothing pending", slot.label),
            DRAIN,
            |s| {
                let text = s.contents();
                text.contains("✔ online") && !text.contains("pending")
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", slot.label));
}
