//! `tapin doctor`: one line per check (ok, warn or FAIL) on what the kiosk needs:
//! the terminal it draws on, its journal (writable, fsync working), its secret,
//! its hub and clock, its roster cache. Exits non-zero when any check FAILs. Each
//! section adds its checks to a [`Report`].

use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use reqwest::Url;

use super::enroll::secret_stores;
use crate::config::{KioskConfig, SecretStoreChoice};
use crate::journal::{Journal, JournalError};
use crate::sanitize::for_terminal;
use crate::secrets::store::{DeviceSecrets, SecretStoreKind};
use crate::sync::client::{CallError, HubClient, Timeouts};
use crate::sync::clock::ClockEstimate;

/// The roster is called stale when the hub has not been asked for this long.
const STALE_ROSTER: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Which secret store to look in [default: kiosk.toml's secret_store]
    #[arg(long, value_enum, value_name = "STORE")]
    pub secret_store: Option<SecretStoreChoice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        })
    }
}

/// The checks made so far, in order.
#[derive(Default)]
struct Report {
    checks: Vec<(Level, &'static str, String)>,
}

impl Report {
    fn add(&mut self, level: Level, name: &'static str, detail: impl Into<String>) {
        self.checks.push((level, name, detail.into()));
    }

    fn count(&self, level: Level) -> usize {
        self.checks.iter().filter(|(l, ..)| *l == level).count()
    }

    fn print(&self) {
        for (level, name, detail) in &self.checks {
            // Details quote files, errors and the hub: nothing may drive the terminal.
            println!("{level:<4}  {name:<13} {}", for_terminal(detail));
        }
    }
}

pub fn run(data_dir: &Path, config: &KioskConfig, args: &DoctorArgs) -> anyhow::Result<()> {
    let mut report = Report::default();
    check_terminal(&mut report);
    let secrets = check_secret(data_dir, config, args, &mut report);
    let journal = check_journal(data_dir, config, &mut report);
    check_fsync(data_dir, &mut report);
    let hub = check_hub_url(config, journal.as_ref(), &mut report);
    check_hub(config, hub.as_ref(), secrets.as_ref(), &mut report)?;
    check_roster(journal.as_ref(), &mut report);
    report.print();
    let (ok, warn, failed) = (
        report.count(Level::Ok),
        report.count(Level::Warn),
        report.count(Level::Fail),
    );
    println!("{ok} ok, {warn} warn, {failed} FAIL");
    anyhow::ensure!(failed == 0, "{failed} check(s) failed");
    Ok(())
}

fn check_secret(
    data_dir: &Path,
    config: &KioskConfig,
    args: &DoctorArgs,
    report: &mut Report,
) -> Option<DeviceSecrets> {
    let loaded = secret_stores(data_dir, config, args.secret_store)
        .and_then(|stores| Ok((stores.load()?, stores)));
    match loaded {
        Ok((Some((secrets, kind)), stores)) => {
            let level = match kind {
                SecretStoreKind::Keyutils => Level::Warn,
                _ => Level::Ok,
            };
            let mut detail = stores.location(kind);
            if kind == SecretStoreKind::Keyutils {
                detail.push_str(" (lost on reboot)");
            }
            report.add(level, "secret store", detail);
            Some(secrets)
        }
        Ok((None, _)) => {
            report.add(
                Level::Fail,
                "secret store",
                "not enrolled: run `tapin enroll --hub URL --code CODE`",
            );
            None
        }
        Err(e) => {
            report.add(Level::Fail, "secret store", format!("{e:#}"));
            None
        }
    }
}

fn check_journal(data_dir: &Path, config: &KioskConfig, report: &mut Report) -> Option<Journal> {
    // Opening takes the journal's lock and checks it can be written.
    let journal = match Journal::open(data_dir, config.journal_options()) {
        Ok(journal) => journal,
        Err(e @ JournalError::InUse { .. }) => {
            report.add(
                Level::Warn,
                "journal",
                format!("{e} (journal checks skipped)"),
            );
            return None;
        }
        Err(e) => {
            report.add(Level::Fail, "journal", e.to_string());
            return None;
        }
    };
    report.add(
        Level::Ok,
        "journal",
        format!("{} (writable)", journal.path().display()),
    );
    report.add(Level::Ok, "pending", journal.pending_count().to_string());
    match journal.parked_count() {
        Ok(0) => report.add(Level::Ok, "parked", "0"),
        Ok(parked) => report.add(
            Level::Warn,
            "parked",
            format!("{parked} refused by the hub: see `tapin journal parked`"),
        ),
        Err(e) => report.add(Level::Fail, "parked", e.to_string()),
    }
    match (journal.device_id(), journal.device_name()) {
        (Ok(Some(id)), Ok(name)) => report.add(
            Level::Ok,
            "device",
            format!("\"{}\" ({id})", name.unwrap_or_default()),
        ),
        (Ok(None), _) => report.add(Level::Warn, "device", "no device recorded"),
        (Err(e), _) | (_, Err(e)) => report.add(Level::Fail, "device", e.to_string()),
    }
    Some(journal)
}

/// The terminal doctor runs in, taken as the kiosk's: its size against the
/// kiosk's minimum, and how many colours `TERM`/`COLORTERM` promise.
fn check_terminal(report: &mut Report) {
    use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        // Run from a script or over a pipe: the kiosk's screen is elsewhere.
        report.add(
            Level::Warn,
            "terminal",
            "not checked: standard output is not a terminal (run doctor on the kiosk's screen)",
        );
        return;
    }
    match crossterm::terminal::size() {
        Ok((w, h)) if w >= MIN_WIDTH && h >= MIN_HEIGHT => {
            report.add(Level::Ok, "terminal", format!("{w}×{h} (at least {MIN_WIDTH}×{MIN_HEIGHT})"));
        }
        Ok((w, h)) => report.add(
            Level::Fail,
            "terminal",
            format!("{w}×{h}: the kiosk needs at least {MIN_WIDTH}×{MIN_HEIGHT} (a smaller font, or a bigger screen)"),
        ),
        Err(e) => report.add(Level::Fail, "terminal", format!("cannot read its size: {e}")),
    }
    let term = std::env::var("TERM").unwrap_or_default();
    let colorterm = std::env::var("COLORTERM").unwrap_or_default();
    let (level, detail) = colours(&term, &colorterm, std::env::var_os("NO_COLOR").is_some());
    report.add(level, "colours", detail);
}

/// What `TERM`, `COLORTERM` and `NO_COLOR` say about colours.
fn colours(term: &str, colorterm: &str, no_color: bool) -> (Level, String) {
    let shown = for_terminal(term);
    if term.is_empty() || term == "dumb" {
        return (
            Level::Fail,
            format!(
                "TERM={shown:?}: no cursor control; the kiosk needs a terminal type (linux, xterm-256color)"
            ),
        );
    }
    if no_color {
        return (
            Level::Warn,
            format!(
                "TERM={shown}, NO_COLOR is set: the kiosk's colours may be ignored (words and symbols remain)"
            ),
        );
    }
    let depth = if matches!(colorterm, "truecolor" | "24bit") {
        "true colour"
    } else if term.contains("256color") {
        "256 colours"
    } else {
        "8 or 16 colours (enough: the kiosk uses the basic ones)"
    };
    (Level::Ok, format!("TERM={shown}, {depth}"))
}

/// Writes, fsyncs and deletes a small file beside the journal: a journal whose
/// disk ignores or fails fsync cannot promise a confirmed punch survives.
fn check_fsync(data_dir: &Path, report: &mut Report) {
    use std::io::Write;
    let path = data_dir.join(".doctor-fsync");
    let started = std::time::Instant::now();
    let result = std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(b"tapin doctor\n").and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::File::open(data_dir).and_then(|d| d.sync_all()));
    let _ = std::fs::remove_file(&path);
    match result {
        Ok(()) => report.add(
            Level::Ok,
            "fsync",
            format!(
                "works in {} ({} ms)",
                data_dir.display(),
                started.elapsed().as_millis()
            ),
        ),
        Err(e) => report.add(
            Level::Fail,
            "fsync",
            format!(
                "{}: {e}: punches cannot be made durable here",
                data_dir.display()
            ),
        ),
    }
}

/// kiosk.toml's `hub_url` overrides the one remembered at enrollment.
fn check_hub_url(
    config: &KioskConfig,
    journal: Option<&Journal>,
    report: &mut Report,
) -> Option<Url> {
    let (text, from) = match (&config.hub_url, journal.map(Journal::hub_url)) {
        (Some(url), _) => (url.clone(), "kiosk.toml"),
        (None, Some(Ok(Some(url)))) => (url, "enrollment"),
        (None, Some(Err(e))) => {
            report.add(Level::Fail, "hub URL", e.to_string());
            return None;
        }
        (None, _) => {
            report.add(
                Level::Fail,
                "hub URL",
                "none: enroll with `tapin enroll --hub URL`, or set hub_url in kiosk.toml",
            );
            return None;
        }
    };
    match Url::parse(&text) {
        Ok(url) => {
            report.add(Level::Ok, "hub URL", format!("{url} (from {from})"));
            Some(url)
        }
        Err(e) => {
            report.add(Level::Fail, "hub URL", format!("{text} (from {from}): {e}"));
            None
        }
    }
}

/// Asks the hub for its time with the device token: reachability, revocation and
/// the clock offset in one call.
fn check_hub(
    config: &KioskConfig,
    hub: Option<&Url>,
    secrets: Option<&DeviceSecrets>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let (Some(hub), Some(secrets)) = (hub, secrets) else {
        report.add(Level::Warn, "hub", "not checked: no hub URL or no secret");
        return Ok(());
    };
    let client = match HubClient::new(hub, &secrets.device_token, Timeouts::from(&config.sync)) {
        Ok(client) => client,
        Err(e) => {
            report.add(Level::Fail, "hub", e);
            return Ok(());
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))?;
    match runtime.block_on(client.time()) {
        Ok(sample) => {
            report.add(
                Level::Ok,
                "hub",
                format!(
                    "reachable, answered in {} ms",
                    sample.round_trip.as_millis()
                ),
            );
            let estimate = ClockEstimate::from_sample(sample);
            let threshold = Duration::from_secs(config.sync.clock_skew_warn_secs);
            let level = if estimate.is_skewed(threshold) {
                Level::Warn
            } else {
                Level::Ok
            };
            report.add(
                level,
                "clock",
                format!(
                    "hub is {:+.3} s from this device (±{:.3} s; warn beyond {} s)",
                    estimate.offset_ms() as f64 / 1000.0,
                    estimate.uncertainty.as_secs_f64(),
                    threshold.as_secs()
                ),
            );
        }
        Err(CallError::Revoked) => report.add(
            Level::Fail,
            "hub",
            "device revoked: the hub refuses this device's token; ask an admin for a new \
             code and run `tapin enroll` (pending events are kept)",
        ),
        Err(e) => report.add(
            Level::Fail,
            "hub",
            format!("cannot reach the hub at {hub}: {e}"),
        ),
    }
    Ok(())
}

fn check_roster(journal: Option<&Journal>, report: &mut Report) {
    let Some(journal) = journal else { return };
    let now = Utc::now();
    let (roster, cursor) = match (journal.cached_roster_meta(), journal.sync_cursor()) {
        (Ok(roster), Ok(cursor)) => (roster, cursor),
        (Err(e), _) | (_, Err(e)) => {
            report.add(Level::Fail, "roster cache", e.to_string());
            return;
        }
    };
    let Some((_, fetched_at)) = roster else {
        report.add(
            Level::Warn,
            "roster cache",
            "none yet: the kiosk shows nobody until it has reached the hub",
        );
        return;
    };
    let checked = cursor.last_roster_check_at.unwrap_or(fetched_at);
    let level = if now - checked > STALE_ROSTER {
        Level::Warn
    } else {
        Level::Ok
    };
    report.add(
        level,
        "roster cache",
        format!(
            "received {} ago, last confirmed {} ago",
            ago(now - fetched_at),
            ago(now - checked)
        ),
    );
}

/// A duration for people: "45 s", "12 min", "5 h", "3 days".
fn ago(age: chrono::Duration) -> String {
    let secs = age.num_seconds().max(0);
    match secs {
        0..120 => format!("{secs} s"),
        120..7_200 => format!("{} min", secs / 60),
        7_200..172_800 => format!("{} h", secs / 3_600),
        _ => format!("{} days", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::{Level, colours};

    #[test]
    fn colours_are_judged_from_the_terminal_type() {
        let cases = [
            ("", "", false, Level::Fail, "no cursor control"),
            ("dumb", "", false, Level::Fail, "no cursor control"),
            ("linux", "", false, Level::Ok, "8 or 16"),
            ("xterm-256color", "", false, Level::Ok, "256 colours"),
            (
                "xterm-256color",
                "truecolor",
                false,
                Level::Ok,
                "true colour",
            ),
            ("xterm", "", true, Level::Warn, "NO_COLOR"),
        ];
        for (term, colorterm, no_color, level, needle) in cases {
            let (got, detail) = colours(term, colorterm, no_color);
            assert_eq!(got, level, "{term} {colorterm}: {detail}");
            assert!(detail.contains(needle), "{term}: {detail}");
        }
    }
}
