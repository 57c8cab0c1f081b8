//! `tapin hub export --db URL [--org ID] > org.json` and
//! `tapin hub import --db URL < org.json`: move one organisation between hub
//! databases (SQLite to PostgreSQL, one host to another). They act on the
//! database directly, as the site operator: no token is involved.
//!
//! Guarantees: export writes exactly the `tapin-org` dump (see
//! `crate::wire::org_dump`) to stdout and nothing else, so `> org.json` is the
//! whole file; import writes every row or none, refuses an organisation whose id
//! (or name) exists already, and reports on stderr. Export → import → export
//! gives the same bytes. Database passwords are never printed.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use clap::Args;

use super::hub::{db_url, open, runtime};
use crate::hub::store::admin::ImportError;
use crate::hub::{Store, redact_url};
use crate::sanitize::for_terminal;
use crate::wire::OrgId;
use crate::wire::org_dump::OrgDump;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Database URL [default: sqlite://<data-dir>/hub.db]
    #[arg(long, value_name = "URL", env = "TAPIN_HUB_DB", hide_env_values = true)]
    pub db: Option<String>,

    /// The organisation's id; may be left out when the hub has only one
    #[arg(long, value_name = "ID")]
    pub org: Option<uuid::Uuid>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Database URL [default: sqlite://<data-dir>/hub.db]
    #[arg(long, value_name = "URL", env = "TAPIN_HUB_DB", hide_env_values = true)]
    pub db: Option<String>,
}

pub fn export(data_dir: &Path, args: &ExportArgs) -> anyhow::Result<()> {
    let url = db_url(args.db.as_deref(), data_dir);
    let text = runtime()?.block_on(async {
        let store = open(&url).await?;
        let result = export_text(&store, args.org.map(OrgId)).await;
        store.close().await;
        result
    })?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing the dump to stdout")
}

async fn export_text(store: &Store, org: Option<OrgId>) -> anyhow::Result<String> {
    let org = match org {
        Some(org) => org,
        None => {
            let orgs = store.org_list().await.context("listing organisations")?;
            match orgs.as_slice() {
                [(only, _)] => *only,
                [] => anyhow::bail!("this hub database has no organisation to export"),
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|(id, name)| format!("  {id}  {}", for_terminal(name)))
                        .collect();
                    anyhow::bail!(
                        "this hub has {} organisations: say which with --org ID\n{}",
                        many.len(),
                        list.join("\n")
                    )
                }
            }
        }
    };
    let dump = store
        .export_org(org)
        .await
        .with_context(|| format!("exporting organisation {org}"))?;
    dump.to_json().context("encoding the dump")
}

pub fn import(data_dir: &Path, args: &ImportArgs) -> anyhow::Result<()> {
    let url = db_url(args.db.as_deref(), data_dir);
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the dump from stdin")?;
    let dump: OrgDump = serde_json::from_str(&text)
        .context("stdin is not a tapin organisation dump (from `tapin hub export`)")?;
    let org = runtime()?.block_on(async {
        let store = open(&url).await?;
        let result = store.import_org(&dump).await;
        store.close().await;
        anyhow::Ok(result)
    })?;
    let org = match org {
        Ok(org) => org,
        Err(ImportError::Store(e)) => {
            return Err(e).with_context(|| format!("importing into {}", redact_url(&url)));
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "imported organisation {} ({org}): {} people, {} devices, {} events, {} audit rows",
        for_terminal(&dump.org.name),
        dump.people.len(),
        dump.devices.len(),
        dump.events.len(),
        dump.audit.len()
    );
    Ok(())
}
