//! `POST /api/v1/device/events`: a batch of up to 1,000 events from a device, one
//! result per event (see [`crate::hub::ingest`] for what each result means).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;

use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::{DeviceAuth, JsonBody};
use crate::hub::ingest;
use crate::wire::{EventsRequest, EventsResponse, MAX_BATCH_EVENTS};

pub async fn post_events(
    State(app): State<Arc<AppState>>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(req): JsonBody<EventsRequest>,
) -> Result<Json<EventsResponse>, ApiError> {
    let n = req.events.len();
    if n > MAX_BATCH_EVENTS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a batch holds at most {MAX_BATCH_EVENTS} events and this one has {n}: \
                 send them in smaller batches (nothing was stored)"
            ),
        ));
    }
    let results = ingest::ingest_batch(&app.store, &device, req.events, Utc::now()).await?;
    app.metrics.count_ingest(&results);
    tracing::debug!(device = %device.id, events = n, "events batch stored");
    Ok(Json(EventsResponse { results }))
}
