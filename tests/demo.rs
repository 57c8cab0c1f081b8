//! The demo end to end, on the real binary and a temporary data directory:
//! `tapin` with no kiosk.toml opens the kiosk on its embedded hub; a demo badge
//! scan is confirmed and reaches the hub; F1 lists the people to try and scans
//! one; the demo's hub stops with the kiosk; a second run reuses the demo; and
//! the seeded organisation is what the README promises (checked through
//! `tapin admin` against `tapin demo --hub-only`).

mod kiosk_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiosk_support::pty::{Pty, keys};
use serde_json::Value;

/// The first run seeds the organisation (argon2 PIN verifiers): generous.
const FIRST_START: Duration = Duration::from_secs(120);
const WAIT: Duration = Duration::from_secs(30);
const NEXT_PERSON: &str = "Press any key for the next person";
const ACTIONS: &str = "Enter: the first";

/// `tapin ARGS` in `dir`'s world: no kiosk.toml anywhere, no TAPIN_* of ours.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tapin"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("HOME", dir)
        .stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("TAPIN_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `tapin --data-dir DATA demo --info --json`.
fn info(dir: &Path, data: &Path) -> Value {
    let out = command(
        dir,
        &[
            "--data-dir",
            data.to_str().expect("utf-8"),
            "demo",
            "--info",
            "--json",
        ],
    )
    .output()
    .expect("demo --info");
    serde_json::from_str(&ok(&out)).expect("--info --json is JSON")
}

/// `tapin admin --json ARGS` against the demo hub.
fn admin(dir: &Path, hub: &str, token: &str, args: &[&str]) -> String {
    let mut all = vec!["admin", "--json"];
    all.extend_from_slice(args);
    let out = command(dir, &all)
        .env("TAPIN_HUB", hub)
        .env("TAPIN_ADMIN_TOKEN", token)
        .output()
        .expect("tapin admin");
    ok(&out)
}

fn admin_json(dir: &Path, hub: &str, token: &str, args: &[&str]) -> Value {
    serde_json::from_str(&admin(dir, hub, token, args)).expect("admin --json is JSON")
}

/// Ana María López's events today, as the hub holds them.
fn events_today(dir: &Path, hub: &str, token: &str) -> usize {
    let today = chrono::Local::now().date_naive().to_string();
    let events = admin_json(
        dir,
        hub,
        token,
        &[
            "events",
            "--person",
            "Ana María López",
            "--from",
            &today,
            "--to",
            &today,
        ],
    );
    events.as_array().map_or(0, Vec::len)
}

/// Every string value under the key `key`, anywhere in `v`.
fn strings_under(v: &Value, key: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                if k == key
                    && let Some(s) = inner.as_str()
                {
                    out.insert(s.to_owned());
                }
                strings_under(inner, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| strings_under(i, key, out)),
        _ => {}
    }
}

fn stop(mut kiosk: Pty) {
    kiosk.send_signal("TERM").expect("SIGTERM");
    let status = kiosk.wait_exit(WAIT).expect("exits on SIGTERM");
    assert!(status.success(), "{status:?}\n{}", kiosk.screen_text());
}

#[test]
fn tapin_with_no_setup_runs_the_demo_and_its_punches_reach_the_hub() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("utf-8").to_owned();
    let spawn = || {
        Pty::builder()
            .args(["--data-dir", &data_arg])
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("HOME", dir.path())
            .size(80, 24)
            .spawn()
            .expect("tapin starts")
    };

    // No kiosk.toml, no enrolled journal: the demo, with its roster.
    let kiosk = spawn();
    kiosk
        .wait_until("the demo's Home with its roster", FIRST_START, |s| {
            let text = s.contents();
            text.contains("DEMO") && text.contains("Scan your badge") && text.contains("Priya Nair")
        })
        .expect("the demo kiosk");
    let home = kiosk.screen_text();
    assert!(
        !home.contains("Kim Lowe"),
        "the archived person is shown:\n{home}"
    );
    assert!(data.join("demo").join("journal.db").exists());
    assert!(
        !data.join("journal.db").exists(),
        "the demo used the real journal's place"
    );

    let running = info(dir.path(), &data);
    let hub = running["hub"]
        .as_str()
        .expect("the hub runs with the kiosk")
        .to_owned();
    let token = running["admin_token"].as_str().expect("a token").to_owned();
    let before = events_today(dir.path(), &hub, &token);

    // A demo badge: Ana María López (1006).
    kiosk.scan_badge("1006").expect("scan");
    kiosk
        .wait_until("Ana María's actions", WAIT, |s| {
            s.contents().contains("Ana María López") && s.contents().contains(ACTIONS)
        })
        .expect("the actions");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk
        .wait_until("the confirmation", WAIT, |s| {
            s.contents().contains(NEXT_PERSON) && s.contents().contains("Ana María López")
        })
        .expect("the confirmation");
    // Synced to the embedded hub for real.
    let deadline = Instant::now() + WAIT;
    while events_today(dir.path(), &hub, &token) <= before {
        assert!(
            Instant::now() < deadline,
            "the punch did not reach the demo hub"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    kiosk.send(&[keys::ESC]).expect("key");
    kiosk.wait_for_text("Scan your badge", WAIT).expect("Home");

    // F1: the people to try; Down and Enter scan the second one's badge.
    kiosk.send(keys::F1).expect("F1");
    let needles = [
        "DEMO: people to try",
        "1006",
        "0606",
        "Ana María López",
        "Priya Nair",
    ];
    kiosk
        .wait_until("the help with the demo's badges and PINs", WAIT, |s| {
            needles.iter().all(|n| s.contents().contains(n))
        })
        .expect("the help");
    kiosk.send(keys::DOWN).expect("down");
    kiosk.send(&[keys::ENTER]).expect("enter");
    kiosk
        .wait_until("Priya's actions", WAIT, |s| {
            s.contents().contains("Priya Nair") && s.contents().contains(ACTIONS)
        })
        .expect("the help scanned Priya's badge");
    kiosk.send(&[keys::ESC]).expect("key");
    kiosk.wait_for_text("Scan your badge", WAIT).expect("Home");
    stop(kiosk);
    assert!(
        info(dir.path(), &data)["hub"].is_null(),
        "the demo hub outlived its kiosk"
    );

    // A second run reuses the demo (same organisation, no new seed).
    let state = std::fs::read(data.join("demo").join("demo.json")).expect("demo.json");
    let started = Instant::now();
    let kiosk = spawn();
    kiosk
        .wait_until("the demo again", WAIT, |s| {
            s.contents().contains("Priya Nair")
        })
        .expect("the second start");
    eprintln!("second start: {:?}", started.elapsed());
    stop(kiosk);
    let again = std::fs::read(data.join("demo").join("demo.json")).expect("demo.json");
    assert_eq!(state, again, "the second run seeded again");

    seeded_organisation(dir.path(), &data, &token);
}

/// A spawned `tapin demo --hub-only`, stopped with SIGTERM.
struct HubOnly {
    child: Child,
    url: String,
}

impl HubOnly {
    fn start(dir: &Path, data: &Path) -> HubOnly {
        let data = data.to_str().expect("utf-8");
        HubOnly::spawn(&mut command(
            dir,
            &["--data-dir", data, "demo", "--hub-only"],
        ))
    }

    /// Spawns `cmd` (a `tapin demo --hub-only`) and reads its address.
    fn spawn(cmd: &mut Command) -> HubOnly {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the demo hub");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Read to the end even when nobody listens: a closed pipe would
            // make the child's next line fail.
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let url = loop {
            let line = rx
                .recv_timeout(WAIT)
                .expect("the demo hub prints its address");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        HubOnly { child, url }
    }

    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()));
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "the demo hub exits cleanly: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the demo hub stops on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for HubOnly {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the demo organisation holds: people in every mode and preset role, two
/// teams with leads, eight jobs, one archived person on no roster, two kiosks
/// with different rosters, and a week of hours in the timesheet.
fn seeded_organisation(dir: &Path, data: &Path, token: &str) {
    let hub = HubOnly::start(dir, data);
    let admin = |args: &[&str]| admin_json(dir, &hub.url, token, args);

    let people = admin(&["person", "list", "--all"]);
    let people = people.as_array().expect("people");
    assert!(people.len() >= 30, "{} people", people.len());
    let mut modes: BTreeMap<String, usize> = BTreeMap::new();
    for p in people {
        *modes
            .entry(p["mode"].as_str().expect("mode").to_owned())
            .or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [
        ("individual", 5),
        ("personal", 16),
        ("team_lead", 2),
        ("team_member", 11),
    ]
    .into_iter()
    .map(|(m, n)| (m.to_owned(), n))
    .collect();
    assert_eq!(modes, expected);
    let archived: Vec<&str> = people
        .iter()
        .filter(|p| p["archived"] == Value::Bool(true))
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(archived, ["Kim Lowe"]);
    let mut roles = BTreeSet::new();
    for p in people {
        let mut names = BTreeSet::new();
        strings_under(&p["role"], "name", &mut names);
        roles.extend(names);
    }
    assert_eq!(roles.len(), 11, "every preset role is someone's: {roles:?}");
    assert!(
        people
            .iter()
            .all(|p| p["has_pin"] == Value::Bool(true) && p["has_badge"] == Value::Bool(true))
    );

    let teams = admin(&["team", "list"]);
    assert_eq!(teams.as_array().map(Vec::len), Some(2), "{teams}");
    let jobs = admin(&["job", "list"]);
    assert_eq!(jobs.as_array().map(Vec::len), Some(8), "{jobs}");

    let groups = |device: &str| {
        let roster = admin(&["device", "roster", "show", device]);
        let mut groups = BTreeSet::new();
        strings_under(&roster, "group", &mut groups);
        groups
    };
    assert_eq!(
        groups("Front desk"),
        ["Contractors", "Floor", "Office"].map(str::to_owned).into()
    );
    assert_eq!(
        groups("Workshop"),
        ["Assembly", "Maintenance", "Paint"]
            .map(str::to_owned)
            .into()
    );

    // The roster the demo kiosk downloads leaves the archived person out.
    let kim = people
        .iter()
        .find(|p| p["name"] == "Kim Lowe")
        .and_then(|p| p["id"].as_str())
        .expect("Kim's id")
        .to_owned();
    let secret: Value = serde_json::from_slice(
        &std::fs::read(data.join("demo").join("device-secret.json")).expect("the demo's secret"),
    )
    .expect("secret JSON");
    let device_token = secret["device_token"].as_str().expect("token");
    let roster = tapin::tls::http_client_builder()
        .no_proxy()
        .build()
        .expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let body = rt.block_on(async {
        roster
            .get(format!("{}/api/v1/device/roster", hub.url))
            .bearer_auth(device_token)
            .send()
            .await
            .expect("roster")
            .text()
            .await
            .expect("roster body")
    });
    assert!(
        body.contains("Morgan Reyes") || body.contains(people[0]["id"].as_str().unwrap_or("?"))
    );
    assert!(
        !body.contains(&kim),
        "the archived person is on the kiosk's roster"
    );

    // A week of hours: most people worked, the archived person's past stays.
    let today = chrono::Local::now().date_naive();
    let from = (today - chrono::Duration::days(10)).to_string();
    let csv = self::admin(
        dir,
        &hub.url,
        token,
        &[
            "report",
            "timesheet",
            "--from",
            &from,
            "--to",
            &today.to_string(),
            "--format",
            "csv",
        ],
    );
    let mut worked: BTreeMap<String, f64> = BTreeMap::new();
    let mut billable = 0.0;
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() < 7 {
            continue;
        }
        let hours: f64 = fields[3].parse().unwrap_or(0.0);
        billable += fields[5].parse::<f64>().unwrap_or(0.0);
        *worked.entry(fields[1].to_owned()).or_default() += hours;
    }
    let with_hours = worked.values().filter(|h| **h > 0.0).count();
    assert!(with_hours >= 25, "{with_hours} people with hours:\n{csv}");
    assert!(
        worked.get("Kim Lowe").is_some_and(|h| *h > 0.0),
        "Kim's past is gone:\n{csv}"
    );
    assert!(billable > 0.0, "no billable amount:\n{csv}");

    // Starting over is refused while the demo runs, and works once it stopped.
    let data_arg = data.to_str().expect("utf-8");
    let refused = command(
        dir,
        &["--data-dir", data_arg, "demo", "--reset", "--hub-only"],
    )
    .output()
    .expect("demo --reset");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("a demo is running"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    hub.stop();
    let org = info(dir, data)["org"].as_str().map(str::to_owned);
    let mut reset = command(
        dir,
        &["--data-dir", data_arg, "demo", "--reset", "--hub-only"],
    );
    let fresh = HubOnly::spawn(&mut reset);
    let again = info(dir, data);
    assert_ne!(
        again["org"].as_str().map(str::to_owned),
        org,
        "--reset kept the old demo"
    );
    assert_eq!(again["hub"].as_str(), Some(fresh.url.as_str()));
    fresh.stop();
}
