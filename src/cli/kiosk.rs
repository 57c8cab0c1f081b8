//! `tapin` with no subcommand: the kiosk. Opens the journal, loads the device
//! secrets, starts the sync worker and runs the screen until an admin exits or
//! SIGTERM/SIGHUP arrives. SIGINT, SIGTSTP and SIGQUIT are caught and ignored
//! (in raw mode the keys do not send them anyway).

use std::path::Path;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use reqwest::Url;
use tokio::signal::unix::{SignalKind, signal};

use super::enroll::secret_stores;
use crate::config::KioskConfig;
use crate::journal::Journal;
use crate::sync::client::{HubClient, Timeouts};
use crate::sync::status::RosterState;
use crate::sync::worker::{SyncHandle, WorkerSettings};
use crate::tui::input::BadgeDecoder;
use crate::tui::model::{DeviceInfo, Model};
use crate::tui::msg::Msg;
use crate::tui::runtime::effects::HubAccess;
use crate::tui::runtime::{self, Exit, LoopEvent, Services, SystemClock, terminal};

/// SIGTSTP's number on Linux (tokio names only the common signals).
const SIGTSTP: i32 = 20;

pub fn run(data_dir: &Path, config: &KioskConfig) -> anyhow::Result<()> {
    super::kiosk_malloc::tune();
    // Re-enrolling from the Admin screen starts the kiosk again with the new
    // device token (the journal and its pending events stay). The terminal,
    // its reader thread and the loop's channel are kept across the restart:
    // a second reader would race the first for keys.
    let (tx, rx) = mpsc::channel();
    let mut screen = Screen { term: None, tx, rx };
    let restarted = loop {
        match run_once(data_dir, config, &mut screen) {
            Ok(true) => tracing::info!("starting the kiosk again after re-enrollment"),
            Ok(false) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    if screen.term.is_some() {
        terminal::restore();
    }
    restarted
}

/// What outlives one run of the kiosk: the terminal (taken on first use), and
/// the channel its reader thread sends on.
struct Screen {
    term: Option<terminal::RealTerminal>,
    tx: Sender<LoopEvent>,
    rx: mpsc::Receiver<LoopEvent>,
}

/// Runs the kiosk once; `true` when it must start again.
fn run_once(data_dir: &Path, config: &KioskConfig, screen: &mut Screen) -> anyhow::Result<bool> {
    let journal = Journal::open(data_dir, config.journal_options())
        .context("cannot open the kiosk journal")?;
    let not_enrolled = "this kiosk is not enrolled: run `tapin enroll --hub URL --code CODE` first";
    let device = journal
        .device_id()
        .context("reading the device id")?
        .context(not_enrolled)?;
    let (secrets, _) = secret_stores(data_dir, config, None)?
        .load()
        .context("reading the device secrets")?
        .context(not_enrolled)?;
    let hub = match &config.hub_url {
        Some(url) => url.clone(),
        None => journal
            .hub_url()
            .context("reading the hub URL")?
            .context(not_enrolled)?,
    };
    let hub =
        Url::parse(hub.trim()).with_context(|| format!("the hub URL {hub:?} is not a URL"))?;
    let device_name = journal.device_name()?.unwrap_or_default();
    if !matches!(hub.scheme(), "http" | "https") {
        anyhow::bail!("hub URL {hub} must start with https:// (or http://)");
    }
    let shared = Arc::new(Mutex::new(journal));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let tx = screen.tx.clone();
    // The HTTP client (it loads the TLS roots) and the sync worker start after
    // the first frame; until then a nudge has no one to wake (the worker
    // drains whatever is pending when it starts).
    let client: Arc<OnceLock<HubClient>> = Arc::new(OnceLock::new());
    let sync: Arc<OnceLock<SyncHandle>> = Arc::new(OnceLock::new());
    let hub_access = {
        let (journal, handle) = (shared.clone(), rt.handle().clone());
        let (data_dir, config) = (data_dir.to_owned(), config.clone());
        let reenroll_handle = handle.clone();
        HubAccess {
            client: client.clone(),
            runtime: handle,
            reenroll: Arc::new(move |hub: &str, code: &str| {
                super::enroll::reenroll_running(
                    &data_dir,
                    &config,
                    &journal,
                    &reenroll_handle,
                    hub,
                    code,
                )
                .map_err(|e| crate::sanitize::for_terminal(&format!("{e:#}")))
            }),
        }
    };
    rt.block_on(watch_signals(tx.clone()))?;

    let mut model = Model::new(
        config.kiosk.clone(),
        DeviceInfo {
            id: device,
            name: device_name,
            hub_url: hub.to_string(),
        },
        chrono::Utc::now(),
    );
    let nudge = sync.clone();
    let mut services = Services {
        journal: shared.clone(),
        device,
        pepper: secrets.pin_pepper.clone(),
        nudge: Box::new(move || {
            if let Some(worker) = nudge.get() {
                worker.nudge();
            }
        }),
        bell: Box::new(terminal::bell),
        tx: tx.clone(),
        hub: Some(hub_access),
    };
    if screen.term.is_none() {
        terminal::install_panic_hook();
        screen.term = Some(terminal::enter().context("cannot take over the terminal")?);
        terminal::spawn_reader(tx.clone()).context("starting the terminal reader")?;
    }
    let Some(term) = screen.term.as_mut() else {
        anyhow::bail!("the terminal was not taken over");
    };
    let rx = &screen.rx;
    tracing::info!(%device, "kiosk started");
    let decoder = BadgeDecoder::new(config.badge.to_settings());
    let start_sync = || {
        let made = HubClient::new(&hub, &secrets.device_token, Timeouts::from(&config.sync))?;
        let _ = client.set(made.clone());
        let _enter = rt.enter();
        let worker = SyncHandle::spawn(shared.clone(), made, WorkerSettings::from(&config.sync));
        let status = worker.status();
        // The roster the screen has just loaded is the one cached now; a
        // roster fetched after this is loaded too.
        let loaded = roster_version(&status.borrow().roster);
        rt.spawn(forward_status(status, loaded, tx));
        let _ = sync.set(worker);
        super::kiosk_malloc::give_back();
        Ok(())
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime::run_then(
            term,
            &mut model,
            &mut services,
            rx,
            decoder,
            &SystemClock,
            start_sync,
        )
    }));
    if !model.restart {
        terminal::restore();
    }
    drop(services);
    // Let the worker finish its step; every confirmed punch is already on disk.
    if let Some(handle) = Arc::try_unwrap(sync).ok().and_then(OnceLock::into_inner) {
        rt.block_on(handle.stop());
    }
    drop(shared);
    match outcome {
        Ok(Ok(Exit::Admin)) if model.restart => Ok(true),
        Ok(Ok(Exit::Admin)) => {
            tracing::info!("kiosk exited from the admin screen");
            Ok(false)
        }
        Ok(Ok(Exit::Shutdown)) => {
            tracing::info!("kiosk stopped by a signal");
            Ok(false)
        }
        Ok(Err(e)) => Err(e).context("the kiosk screen failed"),
        Err(_) => anyhow::bail!("the kiosk crashed (see the log); restarting it is safe"),
    }
}

/// Sync status to the screen; a roster version other than `loaded` (the one
/// cached when the screen started) also asks for a reload.
async fn forward_status(
    mut status: tokio::sync::watch::Receiver<crate::sync::status::SyncStatus>,
    mut loaded: Option<String>,
    tx: Sender<LoopEvent>,
) {
    loop {
        let current = status.borrow_and_update().clone();
        let version = roster_version(&current.roster);
        if version.is_some() && version != loaded {
            loaded = version;
            if tx.send(LoopEvent::RosterChanged).is_err() {
                return;
            }
        }
        if tx
            .send(LoopEvent::Msg(Msg::Sync(Box::new(current))))
            .is_err()
        {
            return;
        }
        if status.changed().await.is_err() {
            return;
        }
    }
}

fn roster_version(roster: &RosterState) -> Option<String> {
    match roster {
        RosterState::Cached { version, .. } => Some(version.clone()),
        RosterState::Missing => None,
    }
}

/// SIGTERM and SIGHUP end the kiosk cleanly; SIGINT, SIGTSTP and SIGQUIT are
/// caught so their default action (stop, suspend) never happens.
async fn watch_signals(tx: Sender<LoopEvent>) -> anyhow::Result<()> {
    let mut term = signal(SignalKind::terminate()).context("catching SIGTERM")?;
    let mut hup = signal(SignalKind::hangup()).context("catching SIGHUP")?;
    for kind in [
        SignalKind::interrupt(),
        SignalKind::quit(),
        SignalKind::from_raw(SIGTSTP),
    ] {
        let mut ignored = signal(kind).context("catching a signal")?;
        tokio::spawn(async move {
            while ignored.recv().await.is_some() {
                tracing::info!("ignored signal {kind:?}");
            }
        });
    }
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM"),
            _ = hup.recv() => tracing::info!("SIGHUP"),
        }
        let _ = tx.send(LoopEvent::Shutdown);
    });
    Ok(())
}
