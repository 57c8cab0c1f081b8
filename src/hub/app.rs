//! The hub's router and shared state: which handler answers which path, with which
//! body limit, behind which middleware.
//!
//! Guarantees: every route is counted in the metrics; bodies are capped per route
//! (2 MiB for event batches, 64 KiB elsewhere); unknown paths and methods answer
//! JSON errors too; a request taking longer than the configured timeout is answered
//! 503 with a JSON error.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Router};
use chrono::Utc;

use super::api;
use super::config::HubConfig;
use super::error::ApiError;
use super::extract::BodyLimit;
use super::metrics::{self, Metrics};
use super::ratelimit::RateLimiter;
use super::roster_cache::RosterCache;
use super::store::{AuthedDevice, Store};
use crate::domain::DeviceId;
use crate::wire::{MAX_BATCH_BYTES, MAX_BODY_BYTES};

/// How often a device's `last_seen` is written, at most.
const SEEN_EVERY: Duration = Duration::from_secs(60);

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub config: HubConfig,
    pub metrics: Arc<Metrics>,
    pub device_limiter: RateLimiter<DeviceId>,
    pub enroll_limiter: RateLimiter<std::net::IpAddr>,
    /// Each device's roster: its tag's makings and its serialised body.
    pub rosters: RosterCache,
    seen: Mutex<HashMap<DeviceId, Instant>>,
}

impl AppState {
    pub fn new(store: Store, config: HubConfig) -> Self {
        AppState {
            device_limiter: RateLimiter::new(config.device_rate_per_sec, config.device_burst),
            enroll_limiter: RateLimiter::new(config.enroll_rate_per_sec, config.enroll_burst),
            store,
            config,
            metrics: Arc::new(Metrics::default()),
            rosters: RosterCache::default(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Writes the device's `last_seen`, at most once a minute per device. A failure
    /// is logged, not answered: the call itself can still be served.
    pub async fn note_seen(&self, device: &AuthedDevice) {
        let now = Instant::now();
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen
                .get(&device.id)
                .is_some_and(|last| now.saturating_duration_since(*last) < SEEN_EVERY)
            {
                return;
            }
            seen.insert(device.id, now);
        }
        if let Err(err) = self
            .store
            .touch_device(device.org, device.id, Utc::now())
            .await
        {
            tracing::warn!(device = %device.id, error = %err, "could not record last_seen");
        }
    }
}

/// Routes: each path with its handlers. The one list of the hub's paths: the
/// router is built from it, and the OpenAPI test checks the document against it.
pub type Routes = Vec<(&'static str, MethodRouter<Arc<AppState>>)>;

/// Every route of the hub.
fn routes() -> Routes {
    let events = post(api::events::post_events).layer(Extension(BodyLimit(MAX_BATCH_BYTES)));
    let mut routes: Routes = vec![
        ("/api/v1/enroll", post(api::enroll::enroll)),
        ("/api/v1/device/events", events),
        ("/api/v1/device/time", get(api::time::time)),
        ("/api/v1/device/roster", get(api::roster::roster)),
        (
            "/api/v1/device/roster/changes",
            post(api::device_roster::change),
        ),
        (
            "/api/v1/device/roster/candidates",
            get(api::device_roster::candidates),
        ),
        ("/api/v1/openapi.json", get(api::health::openapi)),
        ("/healthz", get(api::health::healthz)),
        ("/metrics", get(api::health::metrics)),
    ];
    routes.extend(api::admin::routes());
    routes
}

/// Every path the hub routes.
#[cfg(test)]
pub(crate) fn paths() -> Vec<&'static str> {
    routes().into_iter().map(|(path, _)| path).collect()
}

/// The hub's routes.
pub fn router(state: Arc<AppState>) -> Router {
    let metrics = state.metrics.clone();
    let timeout = state.config.request_timeout;
    routes()
        .into_iter()
        .fold(Router::new(), |router, (path, handlers)| {
            router.route(path, handlers)
        })
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(metrics, metrics::track))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(timeout, deadline))
        .with_state(state)
}

/// The service to serve: the router, with each connection's peer address.
pub fn service(
    state: Arc<AppState>,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    router(state).into_make_service_with_connect_info::<SocketAddr>()
}

/// Answers 503 (JSON) when a request takes longer than `timeout`. Dropping the
/// request's work half-way is safe: a write either commits or not, and ingest is
/// idempotent, so the device's retry settles it.
async fn deadline(State(timeout): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the hub took longer than {} s to answer; retry later",
                timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such endpoint: see /api/v1/openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this endpoint: see /api/v1/openapi.json",
    )
}
