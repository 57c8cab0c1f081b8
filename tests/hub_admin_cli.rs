//! The real `tapin` binary: `hub init --json` on a temp SQLite file (once only),
//! then `tapin hub --listen 127.0.0.1:0` spawned, its address read from its first
//! line, and `tapin admin ... person add/list --json` against it; the hub stops
//! on SIGTERM. No fixed sleeps: every wait polls against a deadline.

mod hub_support;

use std::path::Path;

use hub_support::cli::{SpawnedHub, db_url, ok, tapin};
use serde_json::Value;

/// `hub init --json`: its tokens.
fn init(dir: &Path) -> (String, String) {
    let out = tapin(
        dir,
        &["hub", "init", "--db", &db_url(dir, "hub.db"), "--json"],
        &[],
    );
    let text = ok(&out);
    let json: Value = serde_json::from_str(text.trim()).expect("init prints JSON");
    let keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["admin_token", "site_admin_token"],
        "exactly these fields"
    );
    (
        json["admin_token"]
            .as_str()
            .expect("admin_token")
            .to_owned(),
        json["site_admin_token"]
            .as_str()
            .expect("site_admin_token")
            .to_owned(),
    )
}

#[test]
fn hub_init_json_prints_both_tokens_and_a_second_init_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (admin, site) = init(dir.path());
    assert_eq!(admin.len(), 64);
    assert_eq!(site.len(), 64);
    assert_ne!(admin, site);
    let again = tapin(
        dir.path(),
        &[
            "hub",
            "init",
            "--db",
            &db_url(dir.path(), "hub.db"),
            "--json",
        ],
        &[],
    );
    assert!(!again.status.success(), "a second init must fail");
    assert!(again.stdout.is_empty(), "no tokens printed the second time");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already initialised"), "stderr: {stderr}");
    // Tokens are stored hashed only.
    let db = std::fs::read(dir.path().join("hub.db")).expect("db file");
    let db = String::from_utf8_lossy(&db);
    assert!(
        !db.contains(&admin) && !db.contains(&site),
        "no token in clear in the database"
    );
}

#[test]
fn admin_person_add_and_list_json_against_a_spawned_hub() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (admin, site) = init(dir.path());
    let hub = SpawnedHub::start(dir.path());
    let d = dir.path();

    let added = ok(&tapin(
        d,
        &[
            "admin",
            "--hub",
            &hub.url,
            "--token",
            &admin,
            "person",
            "add",
            "Ana María",
            "--role",
            "User",
            "--badge",
            "0042",
            "--pin",
            "80604020731",
            "--json",
        ],
        &[],
    ));
    let ana: Value = serde_json::from_str(&added).expect("person JSON");
    assert_eq!(ana["name"], "Ana María");
    assert!(ana["id"].is_string());
    assert_eq!(ana["has_pin"], true);
    assert!(
        !added.contains("80604020731"),
        "the PIN is never printed back"
    );

    // --hub and --token from the environment; --json after the verb.
    let env = [
        ("TAPIN_HUB", hub.url.as_str()),
        ("TAPIN_ADMIN_TOKEN", admin.as_str()),
    ];
    let listed = ok(&tapin(d, &["admin", "person", "list", "--json"], &env));
    let people: Value = serde_json::from_str(&listed).expect("list JSON");
    let people = people.as_array().expect("a JSON array");
    assert!(
        people
            .iter()
            .all(|p| p["id"].is_string() && p["name"].is_string())
    );
    let names: Vec<&str> = people.iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(
        names.contains(&"Ana María") && names.contains(&"Top manager"),
        "{names:?}"
    );

    // The human table names the person too.
    let table = ok(&tapin(d, &["admin", "person", "list"], &env));
    assert!(
        table.lines().next().is_some_and(|h| h.starts_with("ID")),
        "{table}"
    );
    assert!(table.contains("Ana María"), "{table}");

    // Refusals exit non-zero with the hub's message.
    let refused = tapin(d, &["admin", "--token", &site, "person", "list"], &env[..1]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("403"),
        "{:?}",
        refused
    );
    let unknown = tapin(
        d,
        &["admin", "--token", &"0".repeat(64), "whoami"],
        &env[..1],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("401"));

    // org add by the site Administrator prints the new Top manager's token once.
    let made = ok(&tapin(
        d,
        &["admin", "--token", &site, "org", "add", "Branch", "--json"],
        &env[..1],
    ));
    let made: Value = serde_json::from_str(&made).expect("org JSON");
    assert_eq!(made["name"], "Branch");
    assert_eq!(made["token"]["token"].as_str().map(str::len), Some(64));

    hub.stop();
}
