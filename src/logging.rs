//! Logs go to a daily-rotated file under the data dir, never to the terminal: the
//! kiosk owns the screen, and a stray line would corrupt it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Log lines queued for the writer thread at most.
const LOG_QUEUE_LINES: usize = 4_096;

/// kiosk.toml `[log]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter: `info`, `debug`, `tapin=debug,info`... `TAPIN_LOG`
    /// overrides it.
    pub level: String,
    /// Where the files go [default: `<data_dir>/logs`].
    pub dir: Option<PathBuf>,
    /// Daily files kept; older ones are deleted.
    pub max_files: usize,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            dir: None,
            max_files: 14,
        }
    }
}

impl LogSettings {
    /// The level parses as a filter and at least one file is kept.
    pub fn check(&self) -> Result<(), crate::tui::settings::BadSetting> {
        if let Err(e) = EnvFilter::builder().parse(&self.level) {
            return Err((
                "log.level",
                crate::sanitize::for_terminal(&self.level),
                format!("is not a log filter like \"info\" or \"tapin=debug\" ({e})"),
            ));
        }
        crate::tui::settings::range("log.max_files", self.max_files as u64, 1, 3650)
    }

    /// The directory the files go to.
    pub fn dir_under(&self, data_dir: &Path) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| data_dir.join("logs"))
    }
}

/// Starts file logging in `<data_dir>/logs/` with the default settings.
pub fn init(data_dir: &Path) -> anyhow::Result<WorkerGuard> {
    init_with(data_dir, &LogSettings::default())
}

/// Starts file logging as `settings` say. Keep the guard alive until exit so
/// buffered lines are written. `TAPIN_LOG` overrides the level.
pub fn init_with(data_dir: &Path, settings: &LogSettings) -> anyhow::Result<WorkerGuard> {
    let dir = settings.dir_under(data_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("tapin")
        .filename_suffix("log")
        .max_log_files(settings.max_files.max(1))
        .build(&dir)
        .with_context(|| format!("cannot open a log file in {}", dir.display()))?;
    // The default queue holds 128,000 lines, allocated up front: 4 MiB of a kiosk
    // that should fit in 16. A few thousand lines absorb any burst; past them
    // lines are dropped (lossy), never blocking the screen.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_env("TAPIN_LOG")
        .or_else(|_| EnvFilter::builder().parse(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests calling twice) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
