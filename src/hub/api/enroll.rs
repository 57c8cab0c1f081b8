//! `POST /api/v1/enroll`: a one-time code for a device token.
//!
//! Guarantees: attempts are rate-limited per client address (so 50-bit codes
//! cannot be guessed); a used, expired or unknown code is refused with a message
//! saying which; the code and the token are never logged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::Utc;

use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::JsonBody;
use crate::hub::ratelimit::retry_after_secs;
use crate::hub::secret;
use crate::hub::store::EnrollError;
use crate::wire::{EnrollRequest, EnrollResponse, MAX_NAME_BYTES};

pub async fn enroll(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    app.enroll_limiter
        .check(&peer.ip(), Instant::now())
        .map_err(|wait| ApiError::too_many_requests(retry_after_secs(wait)))?;
    let code = secret::normalize_code(&req.code).ok_or_else(|| {
        ApiError::bad_request("an enrollment code is 10 letters and digits, like 7KQ2M-X9D4T")
    })?;
    let name = match req.name.as_deref().map(str::trim) {
        Some(name) => Some(check_name(name)?),
        None => None,
    };
    let enrolled = app
        .store
        .enroll(&code, name, Utc::now())
        .await
        .map_err(|err| match err {
            EnrollError::Unknown => ApiError::new(StatusCode::NOT_FOUND, err.to_string()),
            EnrollError::Used | EnrollError::Expired => {
                ApiError::new(StatusCode::GONE, err.to_string())
            }
            EnrollError::Revoked => ApiError::new(StatusCode::FORBIDDEN, err.to_string()),
            EnrollError::Store(e) => ApiError::from(e),
        })?;
    tracing::info!(device = %enrolled.device_id, org = %enrolled.org_id, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: enrolled.device_id,
        device_token: enrolled.device_token,
        pin_pepper: enrolled.pin_pepper,
        org_id: enrolled.org_id,
        device_name: enrolled.device_name,
    }))
}

/// A device name: 1 to 100 bytes, no control characters.
pub fn check_name(name: &str) -> Result<&str, ApiError> {
    if name.is_empty() {
        return Err(ApiError::bad_request("the device name is empty"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(ApiError::bad_request(format!(
            "the device name is {} bytes; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "the device name contains control characters",
        ));
    }
    Ok(name)
}
