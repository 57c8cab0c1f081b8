//! `tapin hub`: serve the hub, and `tapin hub init`: create the site Administrator
//! and the first organisation.
//!
//! Guarantees: `init` runs once per database (a second run fails with a message
//! saying so and exits non-zero, changing nothing); it prints each token once,
//! and with `--json` prints exactly `{"admin_token": ..., "site_admin_token": ...}`
//! (the Top manager's token, then the site Administrator's); `hub` prints the
//! address it listens on as its first line (`listening on http://ADDR`), so a
//! caller asking for port 0 learns the port, and stops gracefully on SIGINT or
//! SIGTERM. Database passwords are never printed.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::hub::admin::input;
use crate::hub::store::admin::InitError;
use crate::hub::{HubConfig, Store, redact_url, serve_reporting};
use crate::sanitize::for_terminal;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HubArgs {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: sqlite://FILE or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://<data-dir>/hub.db]
    #[arg(long, value_name = "URL", env = "TAPIN_HUB_DB", hide_env_values = true)]
    pub db: Option<String>,

    #[command(subcommand)]
    pub command: Option<HubCommand>,
}

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Create the site Administrator and the first organisation (once)
    Init(InitArgs),
    /// Write one organisation, complete, as JSON to stdout (the site operator, at the database)
    Export(super::hub_dump::ExportArgs),
    /// Read an organisation dump from stdin into a database that does not have it
    Import(super::hub_dump::ImportArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Database URL [default: sqlite://<data-dir>/hub.db]
    #[arg(long, value_name = "URL", env = "TAPIN_HUB_DB", hide_env_values = true)]
    pub db: Option<String>,

    /// Name of the first organisation
    #[arg(long, value_name = "NAME", default_value = "My organisation")]
    pub org: String,

    /// Name of the organisation's Top manager
    #[arg(long, value_name = "NAME", default_value = "Top manager")]
    pub top_manager: String,

    /// Name of the site Administrator
    #[arg(long, value_name = "NAME", default_value = "Administrator")]
    pub admin_name: String,

    /// Print {"admin_token": ..., "site_admin_token": ...} only
    #[arg(long)]
    pub json: bool,
}

/// The database URL: the one given, or a SQLite file in the data directory. A
/// SQLite file is created when missing (`mode=rwc`) unless the URL names a mode:
/// `tapin hub init --db sqlite:///var/lib/tapin/hub.db` must not fail for want of
/// the file it is about to set up.
pub(super) fn db_url(given: Option<&str>, data_dir: &Path) -> String {
    match given {
        Some(url) if url.starts_with("sqlite:") && !url.contains("mode=") => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        }
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}?mode=rwc", data_dir.join("hub.db").display()),
    }
}

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Connects to the hub database; the error names it without its password.
pub(super) async fn open(url: &str) -> anyhow::Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("opening the hub database ({})", redact_url(url)))
}

pub fn run(data_dir: &Path, args: &HubArgs) -> anyhow::Result<()> {
    match &args.command {
        Some(HubCommand::Init(init)) => {
            let url = db_url(init.db.as_deref(), data_dir);
            runtime()?.block_on(run_init(&url, init))
        }
        Some(HubCommand::Export(args)) => super::hub_dump::export(data_dir, args),
        Some(HubCommand::Import(args)) => super::hub_dump::import(data_dir, args),
        None => {
            let url = db_url(args.db.as_deref(), data_dir);
            runtime()?.block_on(run_serve(&url, args.listen))
        }
    }
}

/// A name given on the command line, checked as the hub checks names it is sent.
fn name(what: &str, given: &str) -> anyhow::Result<String> {
    input::name(what, given).map_err(|e| anyhow::anyhow!(e.message))
}

async fn run_init(url: &str, args: &InitArgs) -> anyhow::Result<()> {
    let org = name("--org", &args.org)?;
    let top_manager = name("--top-manager", &args.top_manager)?;
    let admin_name = name("--admin-name", &args.admin_name)?;
    let store = open(url).await?;
    let result = store.init_site(&admin_name, &org, &top_manager).await;
    store.close().await;
    let made = match result {
        Ok(made) => made,
        Err(InitError::AlreadyInitialised) => anyhow::bail!(
            "the hub database {} is already initialised; nothing was changed. \
             Add organisations with `tapin admin org add NAME` and the site \
             Administrator's token",
            redact_url(url)
        ),
        Err(InitError::Store(e)) => {
            return Err(e).with_context(|| format!("initialising {}", redact_url(url)));
        }
    };
    tracing::info!(org = %made.first.org.id, "hub initialised");
    if args.json {
        let out = serde_json::json!({
            "admin_token": made.first.token,
            "site_admin_token": made.site_admin_token,
        });
        println!("{out}");
        return Ok(());
    }
    println!("Initialised the hub database {}", redact_url(url));
    println!();
    println!(
        "Site Administrator  {}  (adds organisations)",
        for_terminal(&made.site_admin_name)
    );
    println!("  token             {}", made.site_admin_token);
    println!(
        "Organisation        {}  ({})",
        for_terminal(&made.first.org.name),
        made.first.org.id
    );
    println!(
        "Top manager         {}  ({})",
        for_terminal(&made.first.top_manager.name),
        made.first.top_manager.id
    );
    println!("  token             {}", made.first.token);
    println!();
    println!("The tokens are shown this once and stored only as hashes: keep them safe.");
    println!(
        "Use them with `tapin admin --hub URL --token TOKEN ...` or TAPIN_HUB and TAPIN_ADMIN_TOKEN."
    );
    Ok(())
}

async fn run_serve(url: &str, listen: SocketAddr) -> anyhow::Result<()> {
    serve_reporting(
        listen,
        url,
        HubConfig::default(),
        shutdown_signal(),
        |addr| {
            println!("listening on http://{addr}");
            // Scripts and tests read this line while the hub runs.
            use std::io::Write;
            let _ = std::io::stdout().flush();
        },
    )
    .await
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: stopping the hub"),
        () = terminate => tracing::info!("SIGTERM: stopping the hub"),
    }
}

#[cfg(test)]
mod tests {
    use super::db_url;
    use std::path::Path;

    #[test]
    fn sqlite_files_are_created_unless_a_mode_is_named() {
        let dir = Path::new("/var/lib/tapin");
        let cases = [
            (None, "sqlite:///var/lib/tapin/hub.db?mode=rwc"),
            (Some("sqlite:///x/hub.db"), "sqlite:///x/hub.db?mode=rwc"),
            (
                Some("sqlite:///x/hub.db?cache=shared"),
                "sqlite:///x/hub.db?cache=shared&mode=rwc",
            ),
            (
                Some("sqlite:///x/hub.db?mode=ro"),
                "sqlite:///x/hub.db?mode=ro",
            ),
            (Some("postgres://u@h/db"), "postgres://u@h/db"),
        ];
        for (given, expected) in cases {
            assert_eq!(db_url(given, dir), expected, "{given:?}");
        }
    }
}
