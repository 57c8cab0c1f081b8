//! The real `tapin` binary: global flags and the journal commands.

use std::process::Command;

fn tapin(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tapin"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("TAPIN_CONFIG")
        .output()
        .expect("the tapin binary runs")
}

#[test]
fn journal_status_creates_the_journal_in_the_data_dir_and_logs_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tapin(dir.path(), &["journal", "status"]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pending  0"), "stdout: {stdout}");
    assert!(dir.path().join("journal.db").exists());
    assert!(dir.path().join("logs").is_dir(), "logs go under --data-dir");
}

#[test]
fn a_second_process_on_one_journal_is_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal =
        tapin::journal::Journal::open(dir.path(), Default::default()).expect("first open");
    let out = tapin(dir.path(), &["journal", "status"]);
    assert!(
        !out.status.success(),
        "a second process must not open the journal"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("journal.lock") || stderr.contains("journal.db"),
        "stderr: {stderr}"
    );
    drop(journal);
}

#[test]
fn a_bad_kiosk_toml_is_refused_naming_the_file_and_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "[journal]\nkeep_acked_dayz = 40\n").expect("write config");
    let config_arg = config.to_string_lossy().into_owned();
    let out = tapin(dir.path(), &["--config", &config_arg, "journal", "status"]);
    assert!(!out.status.success(), "a bad config must stop tapin");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&config_arg), "stderr: {stderr}");
    assert!(stderr.contains("keep_acked_dayz"), "stderr: {stderr}");
    assert!(
        !dir.path().join("journal.db").exists(),
        "nothing opened on a bad config"
    );
}
