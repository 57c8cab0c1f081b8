//! `GET /api/v1/device/time`: the hub's clock, for the device's skew estimate.

use axum::Json;
use chrono::Utc;

use crate::hub::extract::DeviceAuth;
use crate::wire::TimeResponse;

pub async fn time(_device: DeviceAuth) -> Json<TimeResponse> {
    Json(TimeResponse {
        hub_time: Utc::now(),
    })
}
