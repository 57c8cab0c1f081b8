//! The real `tapin` binary: run with a data directory of its own and none of
//! tapin's environment variables, or spawned as a hub whose address is read from
//! its first line. No fixed sleeps: every wait polls against a deadline.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::sqlite_url;

/// `tapin --data-dir DATA_DIR ARGS...`, none of tapin's environment variables set,
/// nothing on stdin.
pub fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tapin"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("TAPIN_CONFIG")
        .env_remove("TAPIN_HUB")
        .env_remove("TAPIN_ADMIN_TOKEN")
        .env_remove("TAPIN_HUB_DB")
        .stdin(Stdio::null());
    cmd
}

/// Runs [`command`] with `env` set, to the end.
pub fn tapin(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    output(command(data_dir, args).envs(env.iter().copied()))
}

pub fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("the tapin binary runs")
}

/// The standard output of a run that succeeded.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `tapin --config CONFIG enroll --hub HUB --code CODE --secret-store file`
/// in `data_dir`, which must succeed.
pub fn enroll(data_dir: &Path, config: &Path, hub: &str, code: &str) {
    let config = config.to_str().expect("utf-8 path");
    ok(&output(&mut command(
        data_dir,
        &[
            "--config",
            config,
            "enroll",
            "--hub",
            hub,
            "--code",
            code,
            "--secret-store",
            "file",
        ],
    )));
}

/// The hub database of a data directory, as the tests name it.
pub fn db_url(dir: &Path, file: &str) -> String {
    sqlite_url(&dir.join(file))
}

/// A spawned `tapin hub` on `hub.db` in its data directory, killed when dropped.
pub struct SpawnedHub {
    child: Child,
    pub url: String,
}

impl SpawnedHub {
    pub fn start(dir: &Path) -> SpawnedHub {
        SpawnedHub::start_on(dir, &db_url(dir, "hub.db"))
    }

    /// `tapin hub` with data directory `dir` over the database at `db`.
    pub fn start_on(dir: &Path, db: &str) -> SpawnedHub {
        let mut child = command(dir, &["hub", "--listen", "127.0.0.1:0", "--db", db])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the hub");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the hub prints its address within 30 s");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        SpawnedHub { child, url }
    }

    /// The address it listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("hub address")
    }

    /// kill -9, and reaps it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (with a deadline) for a clean exit.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "sending SIGTERM");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(
                    status.success(),
                    "the hub exits cleanly on SIGTERM: {status}"
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the hub stops within 15 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SpawnedHub {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
