//! The command line: the only layer that prints to stdout/stderr. Everything
//! below it returns values and errors; this turns them into text and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config;
use crate::journal::{Journal, JournalOptions};

#[derive(Debug, Parser)]
#[command(name = "tapin", version, about = "A time clock for shared devices")]
pub struct Cli {
    /// Kiosk configuration file [default: $XDG_CONFIG_HOME/tapin/kiosk.toml]
    #[arg(long, global = true, value_name = "FILE", env = "TAPIN_CONFIG")]
    pub config: Option<PathBuf>,

    /// Directory for the journal, logs and file-based secrets
    /// [default: $XDG_DATA_HOME/tapin]
    #[arg(long, global = true, value_name = "DIR", env = "TAPIN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect the kiosk's journal: the durable outbox of punches
    #[command(subcommand)]
    Journal(JournalCommand),
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Pending, parked and acknowledged counts, and the journal's location
    Status,
    /// Events the hub refused, with its reasons
    Parked,
}

impl Cli {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(config::default_data_dir)
    }
}

/// Parses the arguments, runs the command and maps failure to a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tapin: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let data_dir = cli.data_dir();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let _log_guard = crate::logging::init(&data_dir)?;
    match &cli.command {
        None => anyhow::bail!(
            "the kiosk screen is not part of this build yet; try `tapin journal status`"
        ),
        Some(Command::Journal(cmd)) => journal_command(&data_dir, cmd),
    }
}

fn journal_command(data_dir: &std::path::Path, cmd: &JournalCommand) -> anyhow::Result<()> {
    let journal = Journal::open(data_dir, JournalOptions::default())?;
    match cmd {
        JournalCommand::Status => {
            println!("journal  {}", journal.path().display());
            println!("pending  {}", journal.pending_count());
            println!("parked   {}", journal.parked()?.len());
        }
        JournalCommand::Parked => {
            for parked in journal.parked()? {
                println!(
                    "{}  {}  {}",
                    parked.parked_at.to_rfc3339(),
                    parked.event.id,
                    crate::sanitize::for_terminal(&parked.reason)
                );
            }
        }
    }
    Ok(())
}
