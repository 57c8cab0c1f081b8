//! The pseudo-terminal harness itself, on the real binary and on small shell
//! programs: what is written reaches the program, what it draws is read back.

mod kiosk_support;

use std::time::Duration;

use kiosk_support::pty::{Pty, keys};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn help_is_shown_in_the_terminal() {
    let mut tapin = Pty::builder()
        .arg("--help")
        .size(100, 30)
        .spawn()
        .expect("spawn tapin");
    tapin.wait_for_text("time clock", WAIT).expect("help text");
    let status = tapin.wait_exit(WAIT).expect("exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn an_invalid_kiosk_toml_is_reported_with_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "[journal]\nkeep_acked_days = \"many\"\n").expect("write config");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");

    let mut tapin = Pty::builder()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .size(120, 30)
        .spawn()
        .expect("spawn tapin");
    let screen = tapin
        .wait_for_text("line 2, column 19", WAIT)
        .expect("the error names the line and column");
    assert!(screen.contains("kiosk.toml"), "{screen}");
    let status = tapin.wait_exit(WAIT).expect("exits");
    assert!(!status.success(), "{status:?}\n{screen}");
}

fn sh(script: &str) -> Pty {
    Pty::builder()
        .program("/bin/sh")
        .args(["-c", script])
        .spawn()
        .expect("spawn sh")
}

#[test]
fn keys_reach_the_program_and_ctrl_c_is_a_raw_byte() {
    // In cooked mode the line discipline echoes typing and turns 0x03 into SIGINT.
    let mut cat = sh("echo ready; exec cat");
    cat.wait_for_text("ready", WAIT).expect("started");
    cat.type_text("hello pty\r").expect("type");
    cat.wait_for_text("hello pty\nhello pty", WAIT)
        .expect("echo and cat's copy");
    cat.send(&[keys::CTRL_C]).expect("ctrl-c");
    let status = cat.wait_exit(WAIT).expect("cat ends on SIGINT");
    assert!(!status.success(), "{status:?}");
}

#[test]
fn signals_resizes_and_terminal_queries_work() {
    let mut program = sh(
        "trap 'stty size' WINCH; trap 'echo got TERM; exit 3' TERM; \
         stty -echo -icanon; printf '\\033[6n'; r=$(dd bs=1 count=6 2>/dev/null); \
         printf 'reply:%s\\n' \"${r#?}\"; printf '\\a'; echo ready; \
         while :; do sleep 0.05; done",
    );
    program
        .wait_for_text("reply:[1;1R", WAIT)
        .expect("cursor position answered");
    program.wait_for_text("ready", WAIT).expect("started");
    assert_eq!(program.bells(), 1);
    program.resize(100, 30).expect("resize");
    program
        .wait_for_text("30 100", WAIT)
        .expect("SIGWINCH with the new size");
    program.send_signal("TERM").expect("kill");
    program.wait_for_text("got TERM", WAIT).expect("trap ran");
    let status = program.wait_exit(WAIT).expect("exits");
    assert_eq!(status.exit_code(), 3, "{status:?}");
}

#[test]
fn a_failed_wait_shows_the_screen() {
    let mut program = sh("echo 'only this'; sleep 5");
    program.wait_for_text("only this", WAIT).expect("started");
    let error = program
        .wait_for_text("never shown", Duration::from_millis(200))
        .expect_err("not on screen");
    assert!(error.contains("only this"), "{error}");
    assert!(error.contains("timed out"), "{error}");
    program.send_signal("KILL").expect("kill");
    let status = program.wait_exit(WAIT).expect("exits");
    assert!(!status.success());
}
