//! `/healthz` (the database answers), `/metrics` (Prometheus) and
//! `/api/v1/openapi.json` (the API's description).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::openapi;

pub async fn healthz(
    State(app): State<Arc<AppState>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.store.ping().await.map_err(|err| {
        tracing::error!(error = %err, "health check failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )
    })?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

pub async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    match app.metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not render metrics",
        )
        .into_response(),
    }
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(openapi::document())
}
