//! `GET /api/v1/device/roster`: the device's roster, tagged with an `ETag`.
//!
//! Guarantees: the tag changes whenever anything the roster shows changes (see
//! [`crate::hub::store::RosterTag`]); a request whose `If-None-Match` holds the
//! current tag is answered 304 from one indexed query (two when statuses changed
//! since the device's view was last brought up to date), without building the
//! roster; a full roster is sent from the device's cached document when its tag
//! holds, patched with the changed people's states when only statuses changed,
//! brought up to date with a delta (the people an admin change touched, and the
//! small parts whole) when the organisation's change log accounts for every
//! change since, and built from one snapshot otherwise (see
//! [`crate::hub::roster_cache`]); a roster holds only the device's
//! organisation's people. Every answer carries a `Server-Timing: roster;dur=MS`
//! header (the time the handler took, in ms) and is counted in `/metrics` by how
//! it was made.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;

use crate::hub::app::AppState;
use crate::hub::error::ApiError;
use crate::hub::extract::DeviceAuth;
use crate::hub::metrics::RosterAnswer;
use crate::hub::roster_cache::Known;
use crate::hub::store::{AuthedDevice, RosterHead, RosterTag};

pub async fn roster(
    State(app): State<Arc<AppState>>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let (response, how) = answer(&app, &device, &headers).await?;
    app.metrics.count_roster(how);
    Ok(with_timing(response, started))
}

async fn answer(
    app: &AppState,
    device: &AuthedDevice,
    headers: &HeaderMap,
) -> Result<(Response, RosterAnswer), ApiError> {
    let (head, tag) = current_tag(app, device).await?;
    if let Some(tag) = tag {
        if matches_etag(headers, &quoted(&tag)) {
            return Ok(not_modified(&tag));
        }
        if let Some(body) = app.rosters.body(device.id, &tag) {
            return Ok((with_etag(json(body), &quoted(&tag)), RosterAnswer::Cached));
        }
        // Only statuses changed since the cached document: patch it.
        if let Some(since) = app.rosters.doc_seen(device.id, &head) {
            let changes = app.store.changed_states(device.org, since).await?;
            let patched = app
                .rosters
                .patch(device.id, &head, since, &changes, Utc::now())
                .map_err(serialising)?;
            if let Some((tag, body)) = patched {
                return Ok(reply(headers, &tag, body, RosterAnswer::Patched));
            }
        }
    }
    // Admin changes since the cached document: reload only what they touched.
    if let Some(base) = app.rosters.base(device.id)
        && let Some(delta) = app.store.roster_delta(device.org, device.id, &base).await?
    {
        let applied = app
            .rosters
            .apply(device.id, &base, delta, Utc::now())
            .map_err(serialising)?;
        if let Some((tag, body)) = applied {
            return Ok(reply(headers, &tag, body, RosterAnswer::Delta));
        }
    }
    let snapshot = app
        .store
        .roster_snapshot(device.org, device.id, Utc::now())
        .await?;
    // The tag of what was built (it may be newer than the one told above).
    let tag = snapshot.tag;
    let body = app.rosters.put(device.id, snapshot).map_err(serialising)?;
    Ok(reply(headers, &tag, body, RosterAnswer::Built))
}

/// 304 when `If-None-Match` names `tag`, `body` otherwise.
fn reply(
    headers: &HeaderMap,
    tag: &RosterTag,
    body: Bytes,
    how: RosterAnswer,
) -> (Response, RosterAnswer) {
    if matches_etag(headers, &quoted(tag)) {
        return (not_modified(tag).0, RosterAnswer::NotModified);
    }
    (with_etag(json(body), &quoted(tag)), how)
}

fn not_modified(tag: &RosterTag) -> (Response, RosterAnswer) {
    (
        with_etag(StatusCode::NOT_MODIFIED.into_response(), &quoted(tag)),
        RosterAnswer::NotModified,
    )
}

fn serialising(e: serde_json::Error) -> ApiError {
    tracing::error!(error = %e, "serialising a roster");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the hub could not serialise the roster; retry later",
    )
}

/// The device's roster head and current tag, from the cache and at most two
/// small queries; no tag when the cache does not know the people the roster
/// shows.
async fn current_tag(
    app: &AppState,
    device: &AuthedDevice,
) -> Result<(RosterHead, Option<RosterTag>), ApiError> {
    let head = app.store.roster_head(device.org, device.id).await?;
    let tag = match app.rosters.known(device.id, &head) {
        Known::Tag(tag) => Some(tag),
        Known::ChangesSince(seen) => {
            let changes = app.store.status_changes(device.org, seen).await?;
            app.rosters.advance(device.id, &head, &changes)
        }
        Known::Nothing => None,
    };
    Ok((head, tag))
}

fn quoted(tag: &RosterTag) -> String {
    format!("\"{}\"", tag.etag())
}

fn json(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn with_timing(mut response: Response, started: Instant) -> Response {
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if let Ok(value) = HeaderValue::from_str(&format!("roster;dur={ms:.3}")) {
        response.headers_mut().insert("server-timing", value);
    }
    response
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
