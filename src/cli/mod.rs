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
mod config_cmd;
mod demo;
mod demo_events;
mod demo_org;
mod doctor;
mod enroll;
mod hub;
mod hub_dump;
mod journal;
mod kiosk;
mod kiosk_malloc;

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
    /// Check what this kiosk needs: terminal, journal, secret, hub, clock, roster
    Doctor(doctor::DoctorArgs),
    /// Check a kiosk.toml (and the TAPIN_* variables) without starting anything
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// The kiosk on an embedded demo hub with a demo organisation (what `tapin`
    /// runs on a machine with no kiosk.toml and no enrolled kiosk)
    Demo(demo::DemoArgs),
}

impl Cli {
    /// kiosk.toml as named by `--config`/`TAPIN_CONFIG`, or the default location
    /// (which may be absent), with the `TAPIN_*` variables over it.
    fn kiosk_config(&self) -> Result<config::Loaded, config::ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        match &self.config {
            Some(path) => config::KioskConfig::load_layered(path, true, env),
            None => config::KioskConfig::load_layered(&config::default_config_path(), false, env),
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
    // Checking a file must work whatever the default kiosk.toml holds.
    if let Some(Command::Config(cmd)) = &cli.command {
        return config_cmd::run(cli, cmd);
    }
    let loaded = cli.kiosk_config()?;
    let kiosk_config = loaded.config;
    let data_dir = cli.data_dir(&kiosk_config);
    // Only tapin's user may look inside (the journal holds who worked when), as
    // `Journal::open` would make it; created here first, for the logs.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let _log_guard = crate::logging::init_with(&data_dir, &kiosk_config.log)?;
    match &cli.command {
        None if !loaded.file_found && demo::wanted(&data_dir)? => {
            demo::run(&data_dir, &kiosk_config, &demo::DemoArgs::default())
        }
        None => kiosk::run(&data_dir, &kiosk_config),
        Some(Command::Demo(args)) => demo::run(&data_dir, &kiosk_config, args),
        Some(Command::Config(cmd)) => config_cmd::run(cli, cmd),
        Some(Command::Journal(cmd)) => journal::run(&data_dir, &kiosk_config, cmd),
        Some(Command::Hub(args)) => hub::run(&data_dir, args),
        Some(Command::Admin(args)) => admin::run(args),
        Some(Command::Enroll(args)) => enroll::run(&data_dir, &kiosk_config, args),
        Some(Command::Doctor(args)) => doctor::run(&data_dir, &kiosk_config, args),
    }
}
