//! Request extractors with the hub's error answers: a strict JSON body and device
//! authentication.
//!
//! Guarantees: a body that is not JSON, has a wrong type, an impossible date, an
//! unknown field (at any level: inside an event's `kind`, which serde buffers as an
//! internally tagged enum, the domain's `deny_unknown_fields` refuses them), trailing
//! data, or is over the route's
//! size limit is refused with a JSON error naming where (`events[3].at: ...`) before
//! any handler runs; a device call without a valid, unrevoked token is refused
//! with 401, and one over its rate with 429 and `Retry-After`. Tokens are never
//! logged.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use bytes::BytesMut;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use super::app::AppState;
use super::error::ApiError;
use super::ratelimit::retry_after_secs;
use super::store::AuthedDevice;
use crate::wire::MAX_BODY_BYTES;

/// A JSON request body, parsed strictly.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The body limit of a route, in bytes (an extension set by the router);
/// [`MAX_BODY_BYTES`] where none is set.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// Past the limit, the rest of a body is read and dropped up to this size, so the
/// client (still sending) reads the 413 instead of a broken pipe.
const DRAIN_UP_TO: usize = 16 * 1024 * 1024;

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(MAX_BODY_BYTES, |l| l.0);
        let expected = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        let bytes = read_body(req.into_body(), limit, expected).await?;
        parse_strict(&bytes).map(JsonBody)
    }
}

/// Reads a body of at most `limit` bytes. A longer one is answered 413 after
/// draining it (up to [`DRAIN_UP_TO`]).
async fn read_body(mut body: Body, limit: usize, expected: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body too large: at most {limit} bytes on this endpoint"),
        )
    };
    let mut buf = BytesMut::with_capacity(expected.min(limit));
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| {
            ApiError::bad_request(format!("could not read the request body: {err}"))
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total > DRAIN_UP_TO {
            return Err(too_large());
        }
        if total <= limit {
            buf.extend_from_slice(&data);
        }
    }
    if total > limit {
        return Err(too_large());
    }
    Ok(buf.freeze())
}

/// Parses JSON, refusing unknown fields and trailing data, with the path of the
/// first problem in the message. A body that parses is read once without
/// tracking paths (tracking copies every key of every object: about a third of
/// parsing an events batch); one that does not is read again with tracking, for
/// the message.
pub fn parse_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut unknown: Option<String> = None;
    let value: Result<T, _> = {
        let mut note_unknown = |path: serde_ignored::Path<'_>| {
            if unknown.is_none() {
                unknown = Some(path_text(&path));
            }
        };
        T::deserialize(serde_ignored::Deserializer::new(&mut de, &mut note_unknown))
    };
    match (value, de.end()) {
        (Ok(value), Ok(())) => match unknown {
            Some(path) => Err(ApiError::bad_request(format!(
                "invalid JSON body: unknown field {path}"
            ))),
            None => Ok(value),
        },
        _ => parse_tracked(bytes),
    }
}

/// [`parse_strict`] tracking the path of every value, for the message of a body
/// that does not parse.
fn parse_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut unknown: Vec<String> = Vec::new();
    let value: T = {
        let mut note_unknown = |path: serde_ignored::Path<'_>| unknown.push(path_text(&path));
        let ignoring = serde_ignored::Deserializer::new(&mut de, &mut note_unknown);
        serde_path_to_error::deserialize(ignoring).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if path == "." || path.is_empty() {
                ApiError::bad_request(format!("invalid JSON body: {inner}"))
            } else {
                ApiError::bad_request(format!("invalid JSON body at {path}: {inner}"))
            }
        })?
    };
    de.end()
        .map_err(|err| ApiError::bad_request(format!("invalid JSON body: {err}")))?;
    if let Some(path) = unknown.first() {
        return Err(ApiError::bad_request(format!(
            "invalid JSON body: unknown field {path}"
        )));
    }
    Ok(value)
}

/// A path as serde_path_to_error spells it: `events[1].colour`.
fn path_text(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", path_text(parent)),
        Path::Map { parent, key } => match path_text(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_text(parent),
    }
}

/// The token of `Authorization: Bearer TOKEN`, if it has a token's form (64 hex
/// digits); 401 naming `who` ("device", "admin") otherwise. Shared by device and
/// admin authentication.
pub fn bearer_token<'a>(parts: &'a Parts, who: &str) -> Result<&'a str, ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized(format!(
                "missing {who} token: send Authorization: Bearer TOKEN"
            ))
        })?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unknown_token(who));
    }
    Ok(token)
}

/// 401 for a token that names no `who` ("device", "admin").
pub fn unknown_token(who: &str) -> ApiError {
    ApiError::unauthorized(format!("unknown {who} token"))
}

/// The device making the call: authenticated by its bearer token, not revoked,
/// within its rate.
#[derive(Clone, Debug)]
pub struct DeviceAuth(pub AuthedDevice);

impl FromRequestParts<Arc<AppState>> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let token = bearer_token(parts, "device")?;
        let device = app
            .store
            .device_by_token(token)
            .await?
            .ok_or_else(|| unknown_token("device"))?;
        if device.revoked {
            return Err(ApiError::unauthorized(
                "this device has been revoked: ask an admin to enroll it again",
            ));
        }
        app.device_limiter
            .check(&device.id, Instant::now())
            .map_err(|wait| ApiError::too_many_requests(retry_after_secs(wait)))?;
        app.note_seen(&device).await;
        Ok(DeviceAuth(device))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::EventsRequest;

    fn event_json() -> serde_json::Value {
        serde_json::json!({
            "id": "0190f2a4-0000-7000-8000-000000000001",
            "device": "0190f2a4-0000-7000-8000-000000000002",
            "seq": 1,
            "subject": "0190f2a4-0000-7000-8000-000000000003",
            "actor": {"type": "kiosk", "id": "0190f2a4-0000-7000-8000-000000000002"},
            "method": "badge",
            "kind": {"type": "clock_in"},
            "at": "2025-03-03T08:00:00Z",
            "utc_offset_secs": 0,
            "note": null,
            "needs_review": false
        })
    }

    fn parse(v: serde_json::Value) -> Result<EventsRequest, String> {
        parse_strict::<EventsRequest>(v.to_string().as_bytes()).map_err(|e| e.message)
    }

    #[test]
    fn a_good_batch_parses() {
        let req = parse(serde_json::json!({"events": [event_json()]})).unwrap();
        assert_eq!(req.events.len(), 1);
    }

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let mut e = event_json();
        e["extra"] = serde_json::json!(1);
        let err = parse(serde_json::json!({"events": [event_json(), e]})).unwrap_err();
        assert!(err.contains("unknown field events[1].extra"), "{err}");

        // Inside `kind` (buffered by serde as an internally tagged enum), the
        // domain's `deny_unknown_fields` refuses them, unit and struct variants alike.
        for kind in [
            serde_json::json!({"type": "clock_in", "extra": 1}),
            serde_json::json!({"type": "check_in", "job": "0190f2a4-0000-7000-8000-000000000009", "extra": 1}),
        ] {
            let mut e = event_json();
            e["kind"] = kind;
            let err = parse(serde_json::json!({"events": [e]})).unwrap_err();
            assert!(err.contains("unknown field"), "{err}");
        }

        let mut e = event_json();
        e["actor"]["name"] = serde_json::json!("x");
        let err = parse(serde_json::json!({"events": [e]})).unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn wrong_types_and_dates_are_named_with_their_path() {
        let mut e = event_json();
        e["at"] = serde_json::json!("2025-13-01T00:00:00Z");
        let err = parse(serde_json::json!({"events": [e]})).unwrap_err();
        assert!(
            err.starts_with("invalid JSON body at events[0].at"),
            "{err}"
        );
        let err = parse_strict::<EventsRequest>(b"{\"events\": []} x").unwrap_err();
        assert!(err.message.contains("trailing"), "{}", err.message);
    }
}
