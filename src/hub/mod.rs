//! The hub: the central server every kiosk syncs to.
//!
//! What the hub guarantees:
//! - **Nothing a device sent is lost or doubled.** Events are stored idempotently by
//!   their device-made id: a resent event is answered `duplicate` (a success) and
//!   stored once. An event that breaks a punch rule is stored and flagged as an
//!   anomaly, never dropped. Only events that cannot be this device's facts are
//!   rejected, each with a reason, and never partly written.
//! - **Organisations are isolated.** Every row belongs to one; a device's token names
//!   its organisation, and no query reads or writes another's rows.
//! - **Secrets stay secret.** Device tokens and enrollment codes are stored as
//!   SHA-256 hashes and never logged; enrollment codes work once, for 24 hours; a
//!   revoked device gets 401 on every call, and its earlier events stay.
//! - **Bad input is refused plainly.** Oversized bodies and batches, malformed JSON,
//!   unknown fields, wrong types and impossible dates get a 4xx with a JSON
//!   `{"error": ...}` saying what is wrong; a device over its rate gets 429 with
//!   `Retry-After`.
//! - **Shutdown is graceful.** When the shutdown future resolves, the hub stops
//!   accepting connections and finishes the requests in flight before
//!   [`launch`] returns.
//!
//! Start it with [`Store::connect`] and [`launch`] on a bound listener (port 0 in
//! tests).

pub mod admin;
pub mod api;
pub mod app;
pub mod config;
pub mod error;
pub mod extract;
pub mod ingest;
mod json;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod roster_cache;
pub mod secret;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::HubConfig;
pub use store::{Store, StoreError};

/// Serves the hub on `listener` until `shutdown` resolves, then finishes the
/// requests in flight and returns. The store stays open (the caller owns it).
pub async fn launch(
    listener: TcpListener,
    store: Store,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener
        .local_addr()
        .context("reading the hub's listening address")?;
    tracing::info!(%addr, backend = ?store.backend(), "hub listening");
    let state = Arc::new(app::AppState::new(store, config));
    // Rosters built in the background, so the first kiosk requests after a
    // restart are answered from the cache.
    let warming = {
        let state = Arc::clone(&state);
        tokio::spawn(async move { roster_cache::warm(&state.store, &state.rosters).await })
    };
    let served = axum::serve(listener, app::service(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving the hub");
    warming.abort();
    served?;
    tracing::info!(%addr, "hub stopped");
    Ok(())
}

/// Connects to `db_url`, binds `addr` and serves until `shutdown` resolves: what
/// `tapin hub --listen ADDR --db URL` runs.
pub async fn serve(
    addr: SocketAddr,
    db_url: &str,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_reporting(addr, db_url, config, shutdown, |_| {}).await
}

/// [`serve`], telling `on_bound` the address actually bound (the port when `addr`
/// asks for port 0) before serving.
pub async fn serve_reporting(
    addr: SocketAddr,
    db_url: &str,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let store = Store::connect(db_url)
        .await
        .with_context(|| format!("opening the hub database ({})", redact_url(db_url)))?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    on_bound(
        listener
            .local_addr()
            .context("reading the hub's listening address")?,
    );
    let result = launch(listener, store.clone(), config, shutdown).await;
    store.close().await;
    result
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://tapin:secret@127.0.0.1/db"),
            "postgres://tapin:***@127.0.0.1/db"
        );
        assert_eq!(
            redact_url("sqlite://hub.db?mode=rwc"),
            "sqlite://hub.db?mode=rwc"
        );
    }
}
