//! `tapin journal ...`: a look into the kiosk's outbox from a shell.

use std::path::Path;

use clap::Subcommand;

use crate::config::KioskConfig;
use crate::journal::Journal;
use crate::sanitize::for_terminal;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Pending and parked counts, and the journal's location
    Status,
    /// Events the hub refused, with its reasons
    Parked,
}

pub fn run(data_dir: &Path, config: &KioskConfig, cmd: &JournalCommand) -> anyhow::Result<()> {
    let journal = Journal::open(data_dir, config.journal_options())?;
    match cmd {
        JournalCommand::Status => {
            println!("journal  {}", journal.path().display());
            println!("pending  {}", journal.pending_count());
            println!("parked   {}", journal.parked_count()?);
        }
        JournalCommand::Parked => {
            for parked in journal.parked()? {
                println!(
                    "{}  {}  {}",
                    parked.parked_at.to_rfc3339(),
                    parked.event.id,
                    for_terminal(&parked.reason)
                );
            }
        }
    }
    Ok(())
}
