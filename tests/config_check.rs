//! `tapin config check` on the real binary: every kind of error (syntax,
//! unknown key, wrong type, bad value, missing file, bad environment variable)
//! is reported with where it is (line and column, or the variable) and a
//! non-zero exit; a good file passes and says which variables override it; and
//! the kiosk (and any other command) refuses a bad file with the same message.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `tapin ARGS` with an empty environment but `env` (no TAPIN_* of the test's
/// own, no HOME: nothing outside the temp dir is read).
fn tapin(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapin"))
        .args(args)
        .env_clear()
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the tapin binary runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `body` as kiosk.toml in `dir` and checks it.
fn check(dir: &Path, body: &str, env: &[(&str, &str)]) -> Output {
    let file = dir.join("kiosk.toml");
    std::fs::write(&file, body).expect("write kiosk.toml");
    let file = file.to_str().expect("utf-8 path").to_owned();
    tapin(dir, &["config", "check", &file], env)
}

/// A file, the environment, and what the message must say.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn every_kind_of_error_is_placed_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: &[Case] = &[
        // Syntax.
        ("[sync\nbatch_size = 5\n", &[], &["line 1"]),
        ("hub_url = \"http://x\n", &[], &["line 1"]),
        // Unknown keys, top level and in a section.
        (
            "hub_uri = \"http://x\"\n",
            &[],
            &["unknown field `hub_uri`", "line 1, column 1"],
        ),
        (
            "[kiosk]\npin = \"never\"\nidle_timout_secs = 30\n",
            &[],
            &["unknown field `idle_timout_secs`", "line 3, column 1"],
        ),
        ("[colours]\nbg = 1\n", &[], &["unknown field `colours`"]),
        // Wrong types.
        (
            "[sync]\nbatch_size = \"many\"\n",
            &[],
            &["line 2, column 14", "invalid type: string \"many\""],
        ),
        ("[kiosk]\nconfirmation_secs = -4\n", &[], &["line 2"]),
        (
            "secret_store = \"vault\"\n",
            &[],
            &["unknown variant `vault`", "line 1, column 16"],
        ),
        // Values of the right type, out of range: placed at the value.
        (
            "# a comment\n[sync]\nbatch_size = 5000\n",
            &[],
            &[
                "line 3, column 14",
                "sync.batch_size = 5000",
                "between 1 and 1000",
            ],
        ),
        (
            "[kiosk]\n  idle_timeout_secs   =   2\n",
            &[],
            &[
                "line 2, column 27",
                "kiosk.idle_timeout_secs = 2",
                "between 5 and 3600",
            ],
        ),
        (
            "[journal]\nkeep_acked_days = 3\n",
            &[],
            &["line 2, column 19", "must be at least 8"],
        ),
        (
            "hub_url = \"ftp://hub\"\n",
            &[],
            &["line 1, column 11", "must start with https://"],
        ),
        (
            "[log]\nlevel = \"loud=[\"\n",
            &[],
            &["line 2, column 9", "log.level"],
        ),
        (
            "[badge]\nmax_gap_ms = 5000\n",
            &[],
            &["line 2", "between 5 and 500"],
        ),
        // The environment: not a number, a value the key cannot take, out of range.
        (
            "",
            &[("TAPIN_SYNC_BATCH_SIZE", "lots")],
            &[
                "environment variable TAPIN_SYNC_BATCH_SIZE",
                "not a whole number",
            ],
        ),
        (
            "",
            &[("TAPIN_KIOSK_LANGUAGE", "fr")],
            &[
                "environment variable TAPIN_KIOSK_LANGUAGE",
                "unknown variant `fr`",
            ],
        ),
        (
            "[sync]\nbatch_size = 100\n",
            &[("TAPIN_SYNC_BATCH_SIZE", "5000")],
            &[
                "environment variable TAPIN_SYNC_BATCH_SIZE",
                "between 1 and 1000",
            ],
        ),
        (
            "",
            &[("TAPIN_HUB_URL", "hub.example.org")],
            &[
                "environment variable TAPIN_HUB_URL",
                "must start with https://",
            ],
        ),
    ];
    for (body, env, needles) in cases {
        let out = check(dir.path(), body, env);
        let (stdout, stderr) = text(&out);
        assert!(
            !out.status.success(),
            "{body:?} {env:?} passed:\n{stdout}{stderr}"
        );
        assert!(stderr.contains("kiosk.toml"), "{body:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{body:?} {env:?}: no {needle:?} in\n{stderr}"
            );
        }
    }
}

#[test]
fn a_missing_file_named_explicitly_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nope.toml");
    let out = tapin(
        dir.path(),
        &["config", "check", missing.to_str().expect("utf-8")],
        &[],
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot read") && stderr.contains("nope.toml"),
        "{stderr}"
    );
}

#[test]
fn good_settings_pass_and_name_the_variables_over_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk.toml.example"))
            .expect("kiosk.toml.example");
    let out = check(dir.path(), &example, &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");

    let out = check(
        dir.path(),
        "[kiosk]\nlanguage = \"en\"\n",
        &[
            ("TAPIN_KIOSK_LANGUAGE", "es"),
            ("TAPIN_SYNC_BATCH_SIZE", "250"),
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("TAPIN_KIOSK_LANGUAGE"), "{stdout}");
    assert!(stdout.contains("TAPIN_SYNC_BATCH_SIZE"), "{stdout}");

    // No file at the default location: the defaults apply.
    let out = tapin(dir.path(), &["config", "check"], &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("defaults apply"), "{stdout}");
}

#[test]
fn the_kiosk_refuses_a_bad_file_with_the_same_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "[sync]\nbatch_size = 5000\n";
    let checked = check(dir.path(), body, &[]);
    let (_, check_err) = text(&checked);
    let file = dir.path().join("kiosk.toml");
    let file = file.to_str().expect("utf-8");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8");
    // The message the check gave, without its "the kiosk would not start" lead.
    let message = check_err
        .trim()
        .rsplit_once("would not start: ")
        .map(|(_, m)| m.to_owned())
        .expect("the check's message");
    for args in [
        vec!["--config", file, "--data-dir", data],
        vec!["--config", file, "--data-dir", data, "doctor"],
        vec!["--config", file, "--data-dir", data, "demo"],
    ] {
        let out = tapin(dir.path(), &args, &[]);
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(&message),
            "{args:?}: {stderr}\nwanted {message}"
        );
        assert!(stdout.is_empty(), "{args:?} started something: {stdout}");
    }
    // Refused before anything was made.
    assert!(!Path::new(data).join("journal.db").exists());
    assert!(!Path::new(data).join("demo").exists());
}
