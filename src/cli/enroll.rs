//! `tapin enroll --hub URL --code CODE [--name NAME]`: trades an admin's one-time
//! code for the device token and PIN pepper, keeps them in a secret store and
//! records the device and hub in the journal. Enrolling again replaces the secrets;
//! the journal's pending events stay.
//!
//! Everything that can fail locally (the secret store, the journal) is checked
//! before the code is sent: a one-time code spent on a kiosk that then cannot keep
//! the secret would need a new one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use reqwest::Url;

use crate::config::{KioskConfig, SecretStoreChoice};
use crate::journal::Journal;
use crate::sanitize::for_terminal;
use crate::secrets::store::{DeviceSecrets, SecretStoreKind, SecretStores};

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// The hub's URL, like https://hub.example.org:8443
    #[arg(long, value_name = "URL")]
    pub hub: String,
    /// The one-time enrollment code an admin got from `tapin admin device add`
    #[arg(long, value_name = "CODE")]
    pub code: String,
    /// A new name for this device (else the name the admin gave stays)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Where to keep the device token and PIN pepper [default: kiosk.toml's
    /// secret_store, else auto]
    #[arg(long, value_enum, value_name = "STORE")]
    pub secret_store: Option<SecretStoreChoice>,
}

/// The secret stores of `data_dir`: `--secret-store`, else kiosk.toml's choice;
/// systemd credentials from `$CREDENTIALS_DIRECTORY`.
pub(super) fn secret_stores(
    data_dir: &Path,
    config: &KioskConfig,
    arg: Option<SecretStoreChoice>,
) -> anyhow::Result<SecretStores> {
    let choice = arg.unwrap_or(config.secret_store);
    let credentials = std::env::var_os("CREDENTIALS_DIRECTORY").map(PathBuf::from);
    Ok(SecretStores::new(data_dir, choice)?.with_credentials_dir(credentials))
}

pub fn run(data_dir: &Path, config: &KioskConfig, args: &EnrollArgs) -> anyhow::Result<()> {
    let hub = Url::parse(args.hub.trim()).with_context(|| {
        format!(
            "--hub {:?} is not a URL like https://hub.example.org:8443",
            for_terminal(&args.hub)
        )
    })?;
    anyhow::ensure!(
        matches!(hub.scheme(), "http" | "https"),
        "--hub must start with https:// (or http:// on a trusted network)"
    );
    let stores = secret_stores(data_dir, config, args.secret_store)?;
    let (enrolled, kind) = enroll_here(
        data_dir,
        config,
        &stores,
        &hub,
        &args.code,
        args.name.as_deref(),
    )?;
    println!(
        "enrolled as \"{}\" (device {})",
        for_terminal(&enrolled.device_name),
        enrolled.device_id
    );
    println!("hub           {hub}");
    println!("secret store  {}", stores.location(kind));
    if kind == SecretStoreKind::File && stores.choice() == SecretStoreChoice::Auto {
        println!(
            "note: no Secret Service here, so the secret is in a file only this user may read"
        );
    }
    if let Some(configured) = &config.hub_url
        && Url::parse(configured).ok().as_ref() != Some(&hub)
    {
        println!(
            "note: kiosk.toml sets hub_url = {}, which overrides this URL",
            for_terminal(configured)
        );
    }
    Ok(())
}

/// Enrolls the running kiosk again from its Admin screen (`hub`, `code` as
/// typed there): the same steps as `tapin enroll`, with the journal the kiosk
/// already holds. Pending events stay in the journal. Answers the device name.
pub(super) fn reenroll_running(
    data_dir: &Path,
    config: &KioskConfig,
    journal: &crate::sync::worker::SharedJournal,
    runtime: &tokio::runtime::Handle,
    hub: &str,
    code: &str,
) -> anyhow::Result<String> {
    let url = Url::parse(hub.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .with_context(|| {
            format!(
                "{:?} is not a hub URL like https://hub.example.org",
                for_terminal(hub)
            )
        })?;
    if let Some(configured) = &config.hub_url
        && Url::parse(configured).ok().as_ref() != Some(&url)
    {
        anyhow::bail!(
            "kiosk.toml sets hub_url = {}, which would still be used: change it there (the code was not used)",
            for_terminal(configured)
        );
    }
    let stores = secret_stores(data_dir, config, None)?;
    stores
        .check_writable()
        .context("the device secret could not be kept here (the code was not used)")?;
    let timeout = Duration::from_secs(config.sync.request_timeout_secs);
    let enrolled = runtime.block_on(crate::sync::enroll::enroll(&url, code, None, timeout))?;
    let secrets = DeviceSecrets {
        device_token: enrolled.device_token.clone(),
        pin_pepper: enrolled.pin_pepper.clone(),
    };
    stores.save(&secrets).context(
        "enrolled on the hub, but the device secret could not be stored; the code is \
         now used: ask an admin for a new one",
    )?;
    let mut j = journal
        .lock()
        .map_err(|_| anyhow::anyhow!("the journal lock is poisoned"))?;
    j.set_device_id(enrolled.device_id)
        .and_then(|()| j.set_device_name(&enrolled.device_name))
        .and_then(|()| j.set_hub_url(url.as_str()))
        .context("the secret is stored, but the journal could not record the device")?;
    tracing::info!(device = %enrolled.device_id, org = %enrolled.org_id, hub = %url,
        pending = j.pending_count(), "re-enrolled from the admin screen");
    Ok(enrolled.device_name)
}

/// Trades `code` at `hub` for the device's secrets, keeps them in `stores` and
/// records the device and hub in the journal of `data_dir`: what `tapin enroll`
/// does, and what `tapin demo` does against its embedded hub.
pub(super) fn enroll_here(
    data_dir: &Path,
    config: &KioskConfig,
    stores: &SecretStores,
    hub: &Url,
    code: &str,
    name: Option<&str>,
) -> anyhow::Result<(crate::wire::EnrollResponse, SecretStoreKind)> {
    stores
        .check_writable()
        .context("the device secret could not be kept here (the code was not used)")?;
    let mut journal = Journal::open(data_dir, config.journal_options())
        .context("the journal cannot be used (the code was not used)")?;

    let timeout = Duration::from_secs(config.sync.request_timeout_secs);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let enrolled = runtime.block_on(crate::sync::enroll::enroll(hub, code, name, timeout))?;

    let secrets = DeviceSecrets {
        device_token: enrolled.device_token.clone(),
        pin_pepper: enrolled.pin_pepper.clone(),
    };
    let kind = stores.save(&secrets).context(
        "enrolled on the hub, but the device secret could not be stored; the code is \
         now used: ask an admin for a new one",
    )?;
    journal
        .set_device_id(enrolled.device_id)
        .and_then(|()| journal.set_device_name(&enrolled.device_name))
        .and_then(|()| journal.set_hub_url(hub.as_str()))
        .context("the secret is stored, but the journal could not record the device")?;
    tracing::info!(
        device = %enrolled.device_id,
        org = %enrolled.org_id,
        store = %kind,
        hub = %hub,
        "enrolled"
    );

    Ok((enrolled, kind))
}
