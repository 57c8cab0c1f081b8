//! `GET /api/v1/device/roster`: the device's roster, tagged with an `ETag`.
//!
//! Guarantees: a request whose `If-None-Match` holds the current tag is answered
//! 304 from one indexed query, without building the roster; a roster holds only
//! the device's organisation's people.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::DeviceAuth;

pub async fn roster(
    State(app): State<Arc<AppState>>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tag = app.store.roster_tag(device.org, device.id).await?;
    let etag = format!("\"{}\"", tag.etag());
    if matches_etag(&headers, &etag) {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let roster = app
        .store
        .device_roster(device.org, device.id, Utc::now())
        .await?;
    // The tag of what was built (it may be newer than the one read above).
    let etag = format!("\"{}\"", roster.version);
    Ok(with_etag(Json(roster).into_response(), &etag))
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak tags compare too.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

fn with_etag(mut response: Response, etag: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        assert!(!matches_etag(&h, "\"o1-r1\""));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"o1-r1\""),
        );
        assert!(matches_etag(&h, "\"o1-r1\""));
        assert!(!matches_etag(&h, "\"o2-r1\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches_etag(&h, "\"o2-r1\""));
    }
}
