//! `tapin admin --hub URL --token TOKEN <verb>`: the admin API from a shell.
//!
//! Guarantees: every verb is one call (or a few) to `/api/v1/admin/...`; `--hub`
//! and `--token` also come from `TAPIN_HUB` and `TAPIN_ADMIN_TOKEN` (the token is
//! never echoed, and its env value is hidden from `--help`); output is an aligned
//! table by default and, with `--json`, the hub's JSON (stable field names, lists
//! as arrays) — both sanitized for the terminal; a refusal exits non-zero with the
//! hub's message.

mod catalog;
mod client;
mod devices;
mod org;
mod people;
mod records;
mod render;

use clap::{Args, Subcommand};

pub use catalog::{JobCommand, RoleCommand, TeamCommand};
pub use devices::DeviceCommand;
pub use org::{LockCommand, OrgCommand, RateCommand, TokenCommand};
pub use people::PersonCommand;
pub use records::ReportCommand;

use client::Client;

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The hub's base URL, e.g. https://hub.example.com or http://127.0.0.1:8080
    #[arg(long, global = true, value_name = "URL", env = "TAPIN_HUB")]
    pub hub: Option<String>,

    /// An admin token (from `tapin hub init`, `org add` or `token create`)
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        env = "TAPIN_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// Print JSON (stable field names) instead of tables
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Show whom the token belongs to, their role and organisation
    Whoami,
    /// Organisations (site Administrator)
    #[command(subcommand)]
    Org(OrgCommand),
    /// People: add, edit, list, show, archive, unarchive
    #[command(subcommand)]
    Person(PersonCommand),
    /// Roles: list, add, edit, remove
    #[command(subcommand)]
    Role(RoleCommand),
    /// Teams: a lead and their crew
    #[command(subcommand)]
    Team(TeamCommand),
    /// Jobs people check in to
    #[command(subcommand)]
    Job(JobCommand),
    /// Admin tokens: create, list, revoke
    #[command(subcommand)]
    Token(TokenCommand),
    /// Hourly rates and costs with validity periods
    #[command(subcommand)]
    Rate(RateCommand),
    /// The date lock: entries before it need override_date_lock
    #[command(subcommand)]
    Lock(LockCommand),
    /// The audit trail, newest first
    Audit {
        /// Rows to show (at most 1000)
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Only rows older than this audit row id
        #[arg(long, value_name = "ID")]
        before: Option<String>,
    },
    /// Kiosks: add (enrollment code), list, show, rename, revoke, roster
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Recorded events (corrections included), oldest first
    Events {
        /// One person (id or name); default: everyone you may see
        #[arg(long)]
        person: Option<String>,
        /// First day (YYYY-MM-DD), by each event's local date
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day, included (YYYY-MM-DD)
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// One page: the latest N events (at most 50000); the command says how
        /// to ask for the page before
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only events older than this event id (a page; with --limit, or 1000)
        #[arg(long, value_name = "EVENT_ID")]
        before: Option<String>,
    },
    /// Correct the time of a recorded event (a new event; the original stays)
    Correct {
        /// The event's id (see `events`)
        event: String,
        /// The right time: RFC 3339, or "YYYY-MM-DD HH:MM" in this computer's time zone
        #[arg(long, value_parser = records::parse_time)]
        time: chrono::DateTime<chrono::Utc>,
        /// Why (kept in the audit trail)
        #[arg(long)]
        reason: String,
    },
    /// Reports
    #[command(subcommand)]
    Report(ReportCommand),
}

/// How output is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Table,
    Json,
}

pub fn run(args: &AdminArgs) -> anyhow::Result<()> {
    let hub = args.hub.as_deref().ok_or_else(|| {
        anyhow::anyhow!("say which hub: --hub https://HOST[:PORT] (or http://) or TAPIN_HUB")
    })?;
    let token = args.token.as_deref().ok_or_else(|| {
        anyhow::anyhow!("give an admin token: --token TOKEN or TAPIN_ADMIN_TOKEN")
    })?;
    let client = Client::new(hub, token)?;
    let out = if args.json {
        Output::Json
    } else {
        Output::Table
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))?;
    runtime.block_on(async {
        match &args.command {
            AdminCommand::Whoami => org::whoami(&client, out).await,
            AdminCommand::Org(cmd) => org::org(&client, out, cmd).await,
            AdminCommand::Person(cmd) => people::run(&client, out, cmd).await,
            AdminCommand::Role(cmd) => catalog::role(&client, out, cmd).await,
            AdminCommand::Team(cmd) => catalog::team(&client, out, cmd).await,
            AdminCommand::Job(cmd) => catalog::job(&client, out, cmd).await,
            AdminCommand::Token(cmd) => org::token(&client, out, cmd).await,
            AdminCommand::Rate(cmd) => org::rate(&client, out, cmd).await,
            AdminCommand::Lock(cmd) => org::lock(&client, out, cmd).await,
            AdminCommand::Audit { limit, before } => {
                org::audit(&client, out, *limit, before.as_deref()).await
            }
            AdminCommand::Device(cmd) => devices::run(&client, out, cmd).await,
            AdminCommand::Events {
                person,
                from,
                to,
                limit,
                before,
            } => {
                let filter = records::EventFilter {
                    person: person.as_deref(),
                    from: *from,
                    to: *to,
                    limit: *limit,
                    before: before.as_deref(),
                };
                records::events(&client, out, &filter).await
            }
            AdminCommand::Correct {
                event,
                time,
                reason,
            } => records::correct(&client, out, event, *time, reason).await,
            AdminCommand::Report(cmd) => records::report(&client, out, cmd).await,
        }
    })
}

/// Splits `a,b,c` arguments (clap's `value_delimiter`) into trimmed, non-empty
/// items.
fn items(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads a PIN from the first line of stdin (so it stays out of shell history).
fn pin_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| anyhow::anyhow!("reading the PIN from stdin: {e}"))?;
    Ok(line.trim().to_owned())
}
