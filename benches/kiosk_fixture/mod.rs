//! A kiosk roster of N people for the kiosk benchmarks: names from many
//! languages (accents, ß, ø, ł...), four groups, a badge and a PIN verifier
//! each in the hub's format and costs (the first person's a real one of
//! [`PIN`], the others as long), everyone clocked out; and a data directory
//! seeded as an enrolled kiosk that is offline (its hub URL is a closed port).
#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use tapin::domain::{
    DeviceId, Directory, Job, JobAccess, JobId, OrgSettings, Person, PersonId, Preset, PunchState,
    Role, RoleId, TrackingMode,
};
use tapin::journal::{CachedRoster, Journal, JournalOptions};
use tapin::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};

pub const DEVICE: DeviceId = DeviceId(Uuid::from_u128(0xd0));
pub const DEVICE_NAME: &str = "Bench kiosk";
const USER_ROLE: RoleId = RoleId(Uuid::from_u128(0xa0));
pub const GROUPS: [&str; 4] = ["Office", "Floor", "Warehouse", "Drivers"];
/// The first person's PIN (the others' verifiers match no PIN).
pub const PIN: &str = "2468";

const FIRST: [&str; 24] = [
    "José",
    "María",
    "Zoë",
    "Søren",
    "Łukasz",
    "Ângela",
    "François",
    "Jürgen",
    "Ñusta",
    "Ólafur",
    "Çağla",
    "Dvořák",
    "Ana",
    "Lou",
    "Mia",
    "Chloé",
    "Björn",
    "Ådne",
    "Élise",
    "Małgorzata",
    "Thảo",
    "İlkay",
    "Renée",
    "Nikolaï",
];
const LAST: [&str; 24] = [
    "Núñez",
    "García",
    "Straße",
    "Østergaard",
    "Wałęsa",
    "Gonçalves",
    "Müller",
    "Peña",
    "Þórsson",
    "Öztürk",
    "Kovač",
    "Lefèvre",
    "Nguyễn",
    "Smith",
    "Johansson",
    "Dąbrowski",
    "Fernández",
    "Šimůnek",
    "Håkansson",
    "Papadopoulos",
    "Żółć",
    "Rodríguez",
    "Brontë",
    "Lee",
];

/// Tuesday 10 March 2026, 09:41 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 41, 0)
        .single()
        .expect("a valid time")
}

pub fn person_id(i: usize) -> PersonId {
    PersonId(Uuid::from_u128(0x1_0000 + i as u128))
}

/// "José Núñez 17": every name unique, most of them with diacritics.
pub fn name(i: usize) -> String {
    format!(
        "{} {} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()],
        i / (FIRST.len() * LAST.len())
    )
}

/// The organisation's PIN pepper the seeded kiosk holds (hex).
pub fn pepper() -> String {
    "00".repeat(32)
}

/// The first person's verifier: made as the hub makes one, with a fixed salt.
fn real_verifier() -> String {
    use tapin::secrets::pin_verifier::{LANES, MEMORY_KIB, PASSES, make_with_salt};
    make_with_salt(PIN, &pepper(), &[0x5a; 16], MEMORY_KIB, PASSES, LANES).expect("a PIN verifier")
}

/// Person `i`'s verifier: the real one for the first, else one of the same
/// format and length (16-byte salt, 32-byte hash, hex) that matches no PIN.
fn verifier(i: usize, real: &str) -> String {
    use tapin::secrets::pin_verifier::{LANES, MEMORY_KIB, PASSES, TAG};
    if i == 0 {
        return real.to_owned();
    }
    format!("{TAG}$argon2id$m={MEMORY_KIB},t={PASSES},p={LANES}${i:032x}${i:064x}")
}

pub fn response(n: usize) -> RosterResponse {
    let real = real_verifier();
    let people: Vec<Person> = (0..n)
        .map(|i| Person {
            id: person_id(i),
            name: name(i),
            badge: Some(format!("{}", 100_000 + i)),
            mode: TrackingMode::Personal,
            team: None,
            role: USER_ROLE,
            archived: false,
            jobs: JobAccess::All,
        })
        .collect();
    let jobs: Vec<Job> = (0..20)
        .map(|j| Job {
            id: JobId(Uuid::from_u128(0xb000 + j)),
            name: format!("Job {j}"),
            archived: false,
        })
        .collect();
    let dir = Directory::new(
        people,
        [Role::preset(Preset::User, USER_ROLE)],
        [],
        jobs,
        OrgSettings::default(),
    );
    RosterResponse {
        org_id: OrgId(Uuid::from_u128(0xc0)),
        device_id: DEVICE,
        version: "bench-v1".into(),
        generated_at: now() - chrono::TimeDelta::hours(1),
        entries: (0..n)
            .map(|i| RosterEntry {
                group: Some(GROUPS[i % GROUPS.len()].into()),
                item: RosterItem::Person(person_id(i)),
            })
            .collect(),
        directory: dir,
        people: (0..n)
            .map(|i| RosterPerson {
                id: person_id(i),
                state: PunchState::out(),
                pin_verifier: Some(verifier(i, &real)),
            })
            .collect(),
    }
}

/// Seeds `data_dir` as an enrolled, offline kiosk with an `n`-person roster
/// cached, and writes `kiosk.toml` there (file secret store, hub on a closed
/// port). With `snapshot`, the roster's snapshot is stored too, as a kiosk
/// does when a roster arrives; without, the first start parses the JSON (and
/// stores the snapshot). Returns the config path and the roster's JSON size
/// in bytes.
pub fn seed_kiosk(data_dir: &Path, n: usize, snapshot: bool) -> (std::path::PathBuf, usize) {
    let mut journal = Journal::open(data_dir, JournalOptions::default()).expect("journal");
    let body = serde_json::to_vec(&response(n)).expect("roster json");
    let size = body.len();
    journal
        .store_roster(&CachedRoster {
            etag: "\"bench-v1\"".into(),
            body,
            fetched_at: Utc::now(),
        })
        .expect("store roster");
    let hub = format!("http://127.0.0.1:{}/", closed_port());
    journal.set_device_id(DEVICE).expect("device id");
    journal.set_device_name(DEVICE_NAME).expect("device name");
    journal.set_hub_url(&hub).expect("hub url");
    if snapshot {
        keep_snapshot(journal);
    } else {
        drop(journal);
    }
    let config = enroll_files(data_dir, "bench-token", &pepper());
    (config, size)
}

/// Stores the snapshot of the roster `journal` caches, as a kiosk does when a
/// roster arrives, and closes the journal.
pub fn keep_snapshot(journal: Journal) {
    let shared = std::sync::Arc::new(std::sync::Mutex::new(journal));
    tapin::tui::runtime::effects::load_roster(&shared)
        .expect("roster loads")
        .expect("a roster");
}

/// The device's secrets in the file store of `data_dir`, and a kiosk.toml that
/// uses it; the config's path.
pub fn enroll_files(data_dir: &Path, device_token: &str, pin_pepper: &str) -> std::path::PathBuf {
    let stores =
        tapin::secrets::store::SecretStores::new(data_dir, tapin::config::SecretStoreChoice::File)
            .expect("secret stores");
    stores
        .save(&tapin::secrets::store::DeviceSecrets {
            device_token: device_token.into(),
            pin_pepper: pin_pepper.into(),
        })
        .expect("file secret");
    let config = data_dir.join("kiosk.toml");
    std::fs::write(&config, "secret_store = \"file\"\n").expect("kiosk.toml");
    config
}

/// A `/proc/PID/status` field in KiB (`VmHWM:`, `VmRSS:`, ...); 0 if absent.
pub fn status_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A loopback port nobody listens on: bound, then released.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A count from the environment (`_` separators allowed), else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}
