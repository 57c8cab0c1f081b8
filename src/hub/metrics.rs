//! The hub's Prometheus metrics (`/metrics`, OpenMetrics text): requests by route,
//! method and status, request latency by route, requests in flight, and ingest
//! outcomes (accepted, duplicate, rejected) and anomalies, and how device rosters
//! were answered (see [`RosterAnswer`]).
//!
//! Guarantees: labels are route templates (`/api/v1/device/events`) and fixed
//! names, never raw paths, tokens or ids, so the series count stays bounded and
//! `/metrics`, served without a token, tells nothing about any person, device or
//! organisation (tested).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::wire::{EventResult, EventStatus};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HowLabels {
    how: &'static str,
}

/// How a roster request was answered, cheapest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RosterAnswer {
    /// 304: the device's tag is current.
    NotModified,
    /// The cached document, as it was.
    Cached,
    /// The cached document with changed people's states.
    Patched,
    /// The cached document brought up to date after admin changes.
    Delta,
    /// Built whole from the store.
    Built,
}

impl RosterAnswer {
    fn label(self) -> &'static str {
        match self {
            RosterAnswer::NotModified => "not_modified",
            RosterAnswer::Cached => "cached",
            RosterAnswer::Patched => "patched",
            RosterAnswer::Delta => "delta",
            RosterAnswer::Built => "built",
        }
    }
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The hub's metrics and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    in_flight: Gauge,
    ingest: Family<OutcomeLabels, Counter>,
    anomalies: Counter,
    rosters: Family<HowLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn latency_histogram() -> Histogram {
    // 0.5 ms .. ~16 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tapin_hub");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let ingest = Family::<OutcomeLabels, Counter>::default();
        let anomalies = Counter::default();
        let rosters = Family::<HowLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered now",
            in_flight.clone(),
        );
        registry.register(
            "ingest_events",
            "Events received from devices, by outcome (accepted, duplicate, rejected)",
            ingest.clone(),
        );
        registry.register(
            "ingest_anomalies",
            "Accepted events flagged as breaking a punch rule",
            anomalies.clone(),
        );
        registry.register(
            "roster_answers",
            "Device roster requests, by how they were answered (not_modified, cached, \
             patched, delta, built)",
            rosters.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            ingest,
            anomalies,
            rosters,
        }
    }
}

impl Metrics {
    /// Counts the outcomes of one events batch.
    pub fn count_ingest(&self, results: &[EventResult]) {
        let mut counts = [0u64; 3];
        let mut anomalies = 0u64;
        for r in results {
            let slot = match r.status {
                EventStatus::Accepted => 0,
                EventStatus::Duplicate => 1,
                EventStatus::Rejected => 2,
            };
            counts[slot] += 1;
            anomalies += u64::from(r.anomaly.is_some());
        }
        for (status, n) in [
            EventStatus::Accepted,
            EventStatus::Duplicate,
            EventStatus::Rejected,
        ]
        .into_iter()
        .zip(counts)
        {
            self.ingest
                .get_or_create(&OutcomeLabels {
                    outcome: status.name().to_owned(),
                })
                .inc_by(n);
        }
        self.anomalies.inc_by(anomalies);
    }

    /// Counts one roster answer.
    pub fn count_roster(&self, how: RosterAnswer) {
        self.rosters
            .get_or_create(&HowLabels { how: how.label() })
            .inc();
    }

    /// The registry in OpenMetrics text.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Middleware: counts and times every routed request.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let in_flight = InFlight::enter(&metrics.in_flight);
    let response = next.run(req).await;
    drop(in_flight);
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16().to_string(),
        })
        .inc();
    response
}

/// Counts a request in flight until dropped, even when the client goes away and
/// the request's future is dropped half-way.
struct InFlight(Gauge);

impl InFlight {
    fn enter(gauge: &Gauge) -> Self {
        gauge.inc();
        InFlight(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}
