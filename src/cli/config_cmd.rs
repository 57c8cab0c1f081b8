//! `tapin config check [FILE]`: reads a kiosk.toml and the `TAPIN_*` variables
//! as the kiosk would, and says what is wrong (unknown key, wrong type, bad
//! value, with line and column or the variable's name), exiting non-zero; or
//! that it is fine, and where each value came from.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::Cli;
use crate::config::{self, KioskConfig};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a kiosk.toml [default: --config, else the default location] and the
    /// TAPIN_* variables; exit non-zero when the kiosk would refuse them
    Check {
        /// The file to check
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

pub fn run(cli: &Cli, cmd: &ConfigCommand) -> anyhow::Result<()> {
    let ConfigCommand::Check { file } = cmd;
    let (path, explicit) = match (file, &cli.config) {
        (Some(path), _) | (None, Some(path)) => (path.clone(), true),
        (None, None) => (config::default_config_path(), false),
    };
    let loaded = KioskConfig::load_layered(&path, explicit, |name| std::env::var(name).ok())
        .context("the kiosk would not start")?;
    if loaded.file_found {
        println!("ok: {}", path.display());
    } else {
        println!(
            "ok: {} does not exist, so the defaults apply",
            path.display()
        );
    }
    for var in &loaded.from_env {
        println!("    {var} is set and overrides the file");
    }
    Ok(())
}
