//! The command line: the only layer that prints to stdout/stderr. Everything
//! below it returns values and errors; this turns them into text and exit codes.

use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config;
use crate::sanitize::lines_for_terminal;

mod admin;
mod doctor;
mod enroll;
mod hub;
mod hub_dump;
mod journal;
mod kiosk;

pub use journal::JournalCommand;

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
    /// Run the hub (`tapin hub`), or initialise its database (`tapin hub init`)
    Hub(hub::HubArgs),
    /// Administer people, roles, teams, jobs and tokens on a hub
    Admin(admin::AdminArgs),
    /// Enroll this kiosk with a hub using an admin's one-time code
    Enroll(enroll::EnrollArgs),
    /// Check what this kiosk needs to sync: secret, journal, hub, clock, roster
    Doctor(doctor::DoctorArgs),
}

impl Cli {
    /// kiosk.toml as named by `--config`/`TAPIN_CONFIG`, or the default location
    /// (which may be absent).
    fn kiosk_config(&self) -> Result<config::KioskConfig, config::ConfigError> {
        match &self.config {
            Some(path) => config::KioskConfig::load(path, true),
            None => config::KioskConfig::load(&config::default_config_path(), false),
        }
    }

    /// `--data-dir`, else kiosk.toml's `data_dir`, else the XDG default.
    fn data_dir(&self, config: &config::KioskConfig) -> PathBuf {
        self.data_dir
            .clone()
            .or_else(|| config.data_dir.clone())
            .unwrap_or_else(config::default_data_dir)
    }
}

/// Parses the arguments, runs the command and maps failure to a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // An error can quote what the hub or a file said (serde quotes an
            // unknown value raw): nothing in it may drive the terminal.
            eprintln!("tapin: {}", lines_for_terminal(&format!("{error:#}")));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let kiosk_config = cli.kiosk_config()?;
    let data_dir = cli.data_dir(&kiosk_config);
    // Only tapin's user may look inside (the journal holds who worked when), as
    // `Journal::open` would make it; created here first, for the logs.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let _log_guard = crate::logging::init(&data_dir)?;
    match &cli.command {
        None => kiosk::run(&data_dir, &kiosk_config),
        Some(Command::Journal(cmd)) => journal::run(&data_dir, &kiosk_config, cmd),
        Some(Command::Hub(args)) => hub::run(&data_dir, args),
        Some(Command::Admin(args)) => admin::run(args),
        Some(Command::Enroll(args)) => enroll::run(&data_dir, &kiosk_config, args),
        Some(Command::Doctor(args)) => doctor::run(&data_dir, &kiosk_config, args),
    }
}
