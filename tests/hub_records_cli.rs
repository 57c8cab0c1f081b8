//! The real `tapin` binary against a spawned hub: `admin device add --json`
//! prints exactly `{"id", "enrollment_code"}` and the code enrolls; `admin
//! correct`, `admin events --json` (whole, and paged with `--limit`/`--before`),
//! `admin report timesheet --format csv` (the
//! payroll CSV, corrected view); `hub export` → `hub import` → `hub export` gives
//! the same bytes. No fixed sleeps: the hub's address is awaited with a deadline.

mod hub_support;

use chrono::{TimeZone, Utc};
use hub_support::cli::{SpawnedHub, command, db_url, ok, output, tapin};
use serde_json::Value;
use tapin::domain::{DeviceId, EventKind, PersonId};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_add_json_enrolls_and_the_timesheet_csv_is_the_payroll_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let init = ok(&tapin(
        d,
        &["hub", "init", "--db", &db_url(d, "hub.db"), "--json"],
        &[],
    ));
    let init: Value = serde_json::from_str(init.trim()).expect("init JSON");
    let admin = init["admin_token"]
        .as_str()
        .expect("admin token")
        .to_owned();
    let hub = SpawnedHub::start(d);
    let run = |rest: &[&str]| -> String {
        let mut args = vec!["admin", "--hub", &hub.url, "--token", &admin];
        args.extend_from_slice(rest);
        ok(&tapin(d, &args, &[]))
    };

    // device add --json: exactly {"id", "enrollment_code"}, in that order.
    let added = run(&["device", "add", "Front desk", "--json"]);
    let json: Value = serde_json::from_str(&added).expect("device JSON");
    let keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 2, "{added}");
    assert!(
        added.find("\"id\"") < added.find("\"enrollment_code\""),
        "{added}"
    );
    let device: DeviceId = json["id"].as_str().expect("id").parse().expect("id");
    let code = json["enrollment_code"].as_str().expect("code");

    let http = hub_support::client();
    let enrolled: Value = http
        .post(format!("{}/api/v1/enroll", hub.url))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("enroll body");
    assert_eq!(
        enrolled["device_id"].as_str(),
        Some(device.to_string().as_str())
    );
    let token = enrolled["device_token"].as_str().expect("token");

    let person = run(&[
        "person",
        "add",
        "Pat, \"the hat\"",
        "--role",
        "User",
        "--json",
    ]);
    let person: Value = serde_json::from_str(&person).expect("person JSON");
    let pat: PersonId = person["id"].as_str().expect("id").parse().expect("id");
    run(&[
        "rate",
        "set",
        &pat.to_string(),
        "--from",
        "2024-03-01",
        "--rate",
        "20",
        "--cost",
        "12.50",
    ]);
    run(&[
        "device",
        "roster",
        "set",
        "Front desk",
        "--people",
        &pat.to_string(),
        "--group",
        "Desk",
    ]);
    let roster = run(&["device", "roster", "show", "Front desk"]);
    assert!(
        roster.contains("Desk") && roster.contains("Pat"),
        "{roster}"
    );

    let t = |day, h| {
        Utc.with_ymd_and_hms(2024, 3, day, h, 0, 0)
            .single()
            .expect("time")
    };
    let events = vec![
        hub_support::event(device, 1, pat, EventKind::ClockIn, t(4, 8)),
        hub_support::event(device, 2, pat, EventKind::ClockOut, t(4, 12)),
        hub_support::event(device, 3, pat, EventKind::ClockIn, t(5, 9)),
        hub_support::event(device, 4, pat, EventKind::ClockOut, t(5, 10)),
    ];
    let resp = http
        .post(format!("{}/api/v1/device/events", hub.url))
        .bearer_auth(token)
        .json(&serde_json::json!({ "events": events }))
        .send()
        .await
        .expect("events");
    assert!(resp.status().is_success());

    // The Top manager corrects Tuesday's clock-out to 17:00.
    let fixed = run(&[
        "correct",
        &events[3].id.to_string(),
        "--time",
        "2024-03-05T17:00:00Z",
        "--reason",
        "forgot to tap out",
        "--json",
    ]);
    let fixed: Value = serde_json::from_str(&fixed).expect("correction JSON");
    assert_eq!(fixed["kind"], "correction");
    let listed = run(&["events", "--person", &pat.to_string(), "--json"]);
    let listed: Value = serde_json::from_str(&listed).expect("events JSON");
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(5),
        "four punches, one correction"
    );
    // Paged: the two latest, and on stderr how to ask for the page before.
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let all = ids(&listed);
    let mut args = vec!["admin", "--hub", &hub.url, "--token", &admin];
    let who = pat.to_string();
    args.extend_from_slice(&["events", "--person", &who, "--limit", "2", "--json"]);
    let paged = tapin(d, &args, &[]);
    let page: Value = serde_json::from_str(&ok(&paged)).expect("page JSON");
    assert_eq!(ids(&page), all[3..].to_vec());
    let hint = String::from_utf8_lossy(&paged.stderr).into_owned();
    assert!(hint.contains(&format!("--before {}", all[3])), "{hint}");
    args.extend_from_slice(&["--before", all[3].as_str()]);
    let older: Value = serde_json::from_str(&ok(&tapin(d, &args, &[]))).expect("page JSON");
    assert_eq!(ids(&older), all[1..3].to_vec());

    let csv = run(&[
        "report",
        "timesheet",
        "--from",
        "2024-03-04",
        "--to",
        "2024-03-10",
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "person_id,name,date,worked_hours,break_hours,billable,cost,flags"
    );
    let pat_rows: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with(&pat.to_string()))
        .collect();
    assert_eq!(pat_rows.len(), 2, "{csv}");
    assert!(
        pat_rows[0].starts_with(&format!(
            "{pat},\"Pat, \"\"the hat\"\"\",2024-03-04,4.00,0.00,80.00,50.00,"
        )),
        "{csv}"
    );
    assert!(
        pat_rows[1].starts_with(&format!(
            "{pat},\"Pat, \"\"the hat\"\"\",2024-03-05,8.00,0.00,160.00,100.00,"
        )),
        "corrected to 17:00: {csv}"
    );
    let table = run(&[
        "report",
        "timesheet",
        "--from",
        "2024-03-04",
        "--to",
        "2024-03-10",
    ]);
    assert!(
        table.contains("PERSON") && table.contains("8:00"),
        "{table}"
    );

    // hub export → import into a new database → export: the same bytes.
    let first = ok(&tapin(
        d,
        &["hub", "export", "--db", &db_url(d, "hub.db")],
        &[],
    ));
    let file = d.join("org.json");
    std::fs::write(&file, &first).expect("write the dump");
    let copy = db_url(d, "copy.db");
    let import = || {
        let dump = std::fs::File::open(&file).expect("the dump");
        output(command(d, &["hub", "import", "--db", &copy]).stdin(dump))
    };
    ok(&import());
    let second = ok(&tapin(d, &["hub", "export", "--db", &copy], &[]));
    assert!(
        first == second,
        "export → import → export must be identical"
    );
    let again = import();
    assert!(!again.status.success(), "a second import is refused");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    drop(hub);
}
