//! Logs go to a daily-rotated file under the data dir, never to the terminal: the
//! kiosk owns the screen, and a stray line would corrupt it.

use std::path::Path;

use anyhow::Context;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Log lines queued for the writer thread at most.
const LOG_QUEUE_LINES: usize = 4_096;

/// Starts file logging in `<data_dir>/logs/`. Keep the guard alive until exit so
/// buffered lines are written. The level comes from `TAPIN_LOG` (default `info`).
pub fn init(data_dir: &Path) -> anyhow::Result<WorkerGuard> {
    let dir = data_dir.join("logs");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("tapin")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .with_context(|| format!("cannot open a log file in {}", dir.display()))?;
    // The default queue holds 128,000 lines, allocated up front: 4 MiB of a kiosk
    // that should fit in 16. A few thousand lines absorb any burst; past them
    // lines are dropped (lossy), never blocking the screen.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_env("TAPIN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests calling twice) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
