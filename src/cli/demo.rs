//! `tapin demo` (and `tapin` on a machine with no kiosk.toml and no enrolled
//! kiosk): the real kiosk on an embedded hub with a demo organisation.
//!
//! Everything lives in `<data-dir>/demo/`, apart from a real kiosk's journal:
//! the hub's SQLite file, the demo kiosk's journal, its device secret (file
//! store) and `demo.json` (the demo's admin tokens). The first run seeds the
//! organisation through the hub's store, enrolls the kiosk through the same
//! code path as `tapin enroll`, and records a week of past punches; later runs
//! reuse it (`--reset` starts over). The hub listens on 127.0.0.1 (port 8090
//! when free) while the kiosk runs, and the kiosk syncs to it for real;
//! `tapin demo --info` prints the URL and token for `tapin admin` in another
//! terminal, `--hub-only` serves the hub alone until Ctrl-C.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use super::demo_org::{self, FRONT_DESK, SeededOrg};
use super::enroll::{enroll_here, secret_stores};
use crate::config::{KioskConfig, SecretStoreChoice};
use crate::domain::{Event, EventId};
use crate::hub::store::AuthedDevice;
use crate::hub::{HubConfig, Store, launch};
use crate::journal::{IntegrityCheck, Journal, JournalError, JournalOptions};
use crate::wire::EventStatus;

#[derive(Debug, Default, Args)]
pub struct DemoArgs {
    /// Start over: delete the demo's hub, journal and secret, then seed anew
    #[arg(long)]
    pub reset: bool,
    /// Print the demo hub's URL and admin token (for `tapin admin`) and exit
    #[arg(long, conflicts_with_all = ["reset", "hub_only"])]
    pub info: bool,
    /// With --info: print {"hub": URL or null, "admin_token": ..., ...}
    #[arg(long, requires = "info")]
    pub json: bool,
    /// Serve the demo hub alone (no kiosk) until Ctrl-C or SIGTERM
    #[arg(long)]
    pub hub_only: bool,
}

/// The demo's folder inside the data directory.
pub const DEMO_DIR: &str = "demo";
const STATE_FILE: &str = "demo.json";
const URL_FILE: &str = "hub-url";
const HUB_DB: &str = "hub.db";
/// The port the demo hub asks for first, so that the URL stays the same from
/// one run to the next; any free port otherwise.
const PREFERRED_PORT: u16 = 8090;

/// What a seeded demo keeps between runs (mode 0600: it holds admin tokens of
/// the demo organisation).
#[derive(Debug, Serialize, Deserialize)]
struct DemoState {
    org: String,
    org_name: String,
    admin_token: String,
    site_admin_token: String,
    seeded_at: DateTime<Utc>,
}

pub fn demo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(DEMO_DIR)
}

/// Whether plain `tapin` (no kiosk.toml) should run the demo: the data
/// directory has no journal of an enrolled kiosk. A journal that cannot be
/// opened (in use, damaged) is the real kiosk's problem: it reports it.
pub fn wanted(data_dir: &Path) -> anyhow::Result<bool> {
    if !data_dir.join(crate::journal::DB_FILE).exists() {
        return Ok(true);
    }
    let opts = JournalOptions {
        integrity_check: IntegrityCheck::Quick,
        ..JournalOptions::default()
    };
    match Journal::open(data_dir, opts) {
        Ok(journal) => Ok(journal.device_id()?.is_none()),
        Err(_) => Ok(false),
    }
}

pub fn run(data_dir: &Path, config: &KioskConfig, args: &DemoArgs) -> anyhow::Result<()> {
    let dir = demo_dir(data_dir);
    if args.info {
        return info(&dir, args.json);
    }
    let seeded = dir.join(STATE_FILE).exists();
    if args.reset || !seeded {
        // A seed cut short (no demo.json) is started over too: it is demo data.
        clear(&dir)?;
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot create the demo directory {}", dir.display()))?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the demo hub's runtime")?;
    let db = format!("sqlite://{}?mode=rwc", dir.join(HUB_DB).display());
    let store = rt
        .block_on(Store::connect(&db))
        .context("opening the demo hub's database")?;
    let listener = rt.block_on(bind())?;
    let addr = listener.local_addr().context("the demo hub's address")?;
    let url = format!("http://{addr}");
    let (stop_hub, stopped) = tokio::sync::oneshot::channel::<()>();
    let hub = rt.spawn(launch(
        listener,
        store.clone(),
        HubConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let kiosk_config = kiosk_config(config, &url);

    let outcome = (|| {
        let state = if seeded && !args.reset {
            read_state(&dir)?
        } else {
            println!(
                "tapin demo: setting up the demo organisation in {} (once)",
                dir.display()
            );
            seed(&rt, &store, &dir, &kiosk_config, &url)?
        };
        write_private(&dir.join(URL_FILE), url.as_bytes())?;
        // The demo's token opens a demo organisation only; the issue asks for it
        // in the log, beside `tapin demo --info`.
        tracing::info!(
            hub = %url,
            admin_token = %state.admin_token,
            "demo hub running; `tapin demo --info` prints how to use `tapin admin` on it"
        );
        if args.hub_only {
            print_info(&state, Some(&url));
            // Last, like `tapin hub`'s first line: a script may stop reading here.
            println!("listening on {url}");
            let _ = std::io::stdout().flush();
            rt.block_on(until_signal());
            Ok(())
        } else {
            super::kiosk::run(&dir, &kiosk_config)
        }
    })();

    let _ = std::fs::remove_file(dir.join(URL_FILE));
    let _ = stop_hub.send(());
    let served = rt.block_on(async {
        match tokio::time::timeout(Duration::from_secs(10), hub).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => Err(anyhow::anyhow!("the demo hub's task failed: {e}")),
            Err(_) => Err(anyhow::anyhow!("the demo hub did not stop within 10 s")),
        }
    });
    rt.block_on(store.close());
    outcome?;
    served
}

/// 127.0.0.1:8090, else any free port.
async fn bind() -> anyhow::Result<TcpListener> {
    match TcpListener::bind(("127.0.0.1", PREFERRED_PORT)).await {
        Ok(listener) => Ok(listener),
        Err(_) => TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the demo hub to 127.0.0.1"),
    }
}

/// The user's settings (language, theme, timings), pointed at the demo.
fn kiosk_config(base: &KioskConfig, url: &str) -> KioskConfig {
    let mut config = base.clone();
    config.data_dir = None;
    config.hub_url = Some(url.to_owned());
    config.secret_store = SecretStoreChoice::File;
    config.kiosk.device_name = Some(format!("DEMO · {FRONT_DESK}"));
    config.kiosk.demo = Some(demo_org::sheet());
    config
}

/// Deletes the demo folder, unless a demo is using it.
fn clear(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if running_hub(dir).is_some() {
        anyhow::bail!(
            "a demo is running on {} (its hub answers): stop it first",
            dir.display()
        );
    }
    if dir.join(crate::journal::DB_FILE).exists() {
        let opts = JournalOptions {
            integrity_check: IntegrityCheck::Quick,
            ..JournalOptions::default()
        };
        if let Err(e @ JournalError::InUse { .. }) = Journal::open(dir, opts) {
            return Err(e).context("a demo kiosk is running: stop it first");
        }
    }
    std::fs::remove_dir_all(dir)
        .with_context(|| format!("cannot delete the old demo in {}", dir.display()))?;
    tracing::info!(dir = %dir.display(), "demo deleted, starting over");
    Ok(())
}

/// The organisation, the kiosk's enrollment, and a week of punches.
fn seed(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    dir: &Path,
    config: &KioskConfig,
    url: &str,
) -> anyhow::Result<DemoState> {
    let seeded = rt.block_on(demo_org::seed(store))?;
    let stores = secret_stores(dir, config, Some(SecretStoreChoice::File))?;
    let hub = Url::parse(url).context("the demo hub's URL")?;
    let (enrolled, _) = enroll_here(
        dir,
        config,
        &stores,
        &hub,
        &seeded.front_desk.enrollment_code,
        None,
    )
    .context("enrolling the demo kiosk")?;
    past_week(rt, store, dir, config, &seeded, enrolled.device_id)?;
    rt.block_on(demo_org::archive_leaver(store, &seeded))?;
    let org_name = demo_org::ORG_NAME.to_owned();
    let state = DemoState {
        org: seeded.org.to_string(),
        org_name,
        admin_token: seeded.admin_token.clone(),
        site_admin_token: seeded.site_admin_token.clone(),
        seeded_at: Utc::now(),
    };
    let json = serde_json::to_vec_pretty(&state).context("encoding demo.json")?;
    // Written last: its presence says the seed is complete.
    write_private(&dir.join(STATE_FILE), &json)?;
    tracing::info!(org = %state.org, "demo organisation seeded");
    Ok(state)
}

/// Records the week in the demo kiosk's journal (acknowledged: the hub has it)
/// and hands both kiosks' events to the hub's ingest, each day as if sent that
/// evening, so nothing is flagged as late.
fn past_week(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    dir: &Path,
    config: &KioskConfig,
    seeded: &SeededOrg,
    front_desk: crate::domain::DeviceId,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let offset = chrono::Local::now().offset().local_minus_utc();
    let days = super::demo_events::week(seeded, front_desk, now, offset);
    let mut journal =
        Journal::open(dir, config.journal_options()).context("opening the demo journal")?;
    let front = AuthedDevice {
        id: front_desk,
        org: seeded.org,
        name: FRONT_DESK.to_owned(),
        revoked: false,
    };
    let mut acked: Vec<EventId> = Vec::new();
    let mut shop_seq = 0u64;
    for day in days {
        let recorded = journal
            .record(front_desk, offset, &day.front_desk)
            .context("recording the demo week")?;
        let shop: Vec<Event> = day
            .workshop
            .iter()
            .map(|d| {
                shop_seq += 1;
                Event {
                    id: EventId::new(),
                    device: seeded.workshop.id,
                    seq: shop_seq,
                    subject: d.subject,
                    actor: d.actor,
                    method: d.method,
                    kind: d.kind.clone(),
                    at: d.at,
                    utc_offset_secs: offset,
                    note: d.note.clone(),
                    needs_review: d.needs_review,
                    clock_offset_ms: None,
                }
            })
            .collect();
        acked.extend(recorded.iter().map(|e| e.id));
        rt.block_on(async {
            ingest(store, &front, recorded, day.sent_at).await?;
            ingest(store, &seeded.workshop, shop, day.sent_at).await
        })?;
    }
    journal
        .acknowledge(&acked, now)
        .context("acknowledging the demo week")?;
    Ok(())
}

/// The hub's own ingest; a refused event is a bug in the demo's week.
async fn ingest(
    store: &Store,
    device: &AuthedDevice,
    events: Vec<Event>,
    sent_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    for chunk in events.chunks(crate::wire::MAX_BATCH_EVENTS / 2) {
        let results = crate::hub::ingest::ingest_batch(store, device, chunk.to_vec(), sent_at)
            .await
            .context("storing the demo week")?;
        if let Some(bad) = results.iter().find(|r| r.status == EventStatus::Rejected) {
            anyhow::bail!(
                "the demo hub refused a demo event: {}",
                bad.reason.as_deref().unwrap_or("no reason")
            );
        }
    }
    Ok(())
}

fn read_state(dir: &Path) -> anyhow::Result<DemoState> {
    let path = dir.join(STATE_FILE);
    let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is damaged: start over with `tapin demo --reset`",
            path.display()
        )
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// The URL of a demo hub that answers, if one runs on this folder.
fn running_hub(dir: &Path) -> Option<String> {
    let url = std::fs::read_to_string(dir.join(URL_FILE)).ok()?;
    let parsed = Url::parse(url.trim()).ok()?;
    let addr = parsed.socket_addrs(|| None).ok()?.into_iter().next()?;
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    Some(url.trim().to_owned())
}

fn info(dir: &Path, json: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.join(STATE_FILE).exists(),
        "there is no demo in {} yet: run `tapin demo` first",
        dir.display()
    );
    let state = read_state(dir)?;
    let hub = running_hub(dir);
    if json {
        let out = serde_json::json!({
            "hub": hub,
            "admin_token": state.admin_token,
            "site_admin_token": state.site_admin_token,
            "org": state.org,
        });
        println!("{out}");
        return Ok(());
    }
    print_info(&state, hub.as_deref());
    Ok(())
}

fn print_info(state: &DemoState, hub: Option<&str>) {
    match hub {
        Some(url) => println!("demo hub      {url} (running)"),
        None => {
            println!("demo hub      not running: start `tapin demo` (or `tapin demo --hub-only`)")
        }
    }
    println!("organisation  {} ({})", state.org_name, state.org);
    println!(
        "admin token   {} (its Top manager, Morgan Reyes)",
        state.admin_token
    );
    println!("In another terminal:");
    println!(
        "  export TAPIN_HUB={} TAPIN_ADMIN_TOKEN={}",
        hub.unwrap_or("http://127.0.0.1:8090"),
        state.admin_token
    );
    println!("  tapin admin person list");
}

/// Ctrl-C or SIGTERM.
async fn until_signal() {
    let term = async {
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
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping the demo hub"),
        () = term => tracing::info!("SIGTERM: stopping the demo hub"),
    }
}
