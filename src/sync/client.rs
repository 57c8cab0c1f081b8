//! The device side of the hub's API: one method per call, every answer sorted into
//! "done", "try again later", "refused" or "revoked" so the worker's loop stays a
//! short match.
//!
//! Guarantees: no answer is trusted blindly — bodies are read up to a cap (a hub or
//! proxy sending gigabytes cannot exhaust memory), parsed strictly, and an answer
//! that cannot be read counts as "try again" (nothing is acknowledged on it). The
//! device token travels only in the `Authorization` header.

use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;
use reqwest::header::{ETAG, HeaderMap, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use super::clock::ClockSample;
use super::retry::parse_retry_after;
use crate::domain::{Event, PersonId};
use crate::sanitize::for_terminal;
use crate::wire::device_roster::{RosterCandidates, RosterChangeApplied};
use crate::wire::{ErrorBody, EventsResponse, RosterResponse, TimeResponse};

/// Largest events or time answer read (1,000 results are about 100 KB).
const MAX_SMALL_ANSWER: usize = 4 * 1024 * 1024;
/// Largest roster read (10,000 people are a few MB).
const MAX_ROSTER_ANSWER: usize = 64 * 1024 * 1024;
/// Longest hub message quoted in a status or log line.
const MAX_MESSAGE_CHARS: usize = 200;

/// Why a call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Not reached, no answer in time, a busy or failing hub (408, 425, 429, 5xx),
    /// or an answer that cannot be read: try again later.
    #[error("hub unavailable: {why}")]
    Unavailable {
        why: String,
        retry_after: Option<Duration>,
    },
    /// 401: the hub no longer accepts this device's token.
    #[error("this device was revoked on the hub")]
    Revoked,
    /// 400, 413 or 422: the hub refuses this request as it is; sending it again
    /// will fail the same way.
    #[error("hub refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// Any other answer (403, 404, 405, ...): most likely a wrong hub URL or a
    /// proxy in the way. Retried, but worth an admin's look.
    #[error("unexpected answer from the hub ({status}): {message}")]
    Unexpected { status: u16, message: String },
}

impl CallError {
    fn unavailable(why: impl Into<String>) -> Self {
        CallError::Unavailable {
            why: why.into(),
            retry_after: None,
        }
    }
}

/// What the roster call brought.
#[derive(Clone, Debug)]
pub enum RosterFetch {
    /// 304: the cached roster is current.
    NotModified,
    Fresh {
        etag: String,
        /// The body as received, for the journal's cache.
        body: Vec<u8>,
        roster: Box<RosterResponse>,
    },
}

/// Timeouts of every call.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl From<&crate::config::SyncSettings> for Timeouts {
    fn from(s: &crate::config::SyncSettings) -> Self {
        Self {
            connect: Duration::from_secs(s.connect_timeout_secs),
            request: Duration::from_secs(s.request_timeout_secs),
        }
    }
}

/// One hub, one device token.
#[derive(Clone)]
pub struct HubClient {
    base: Url,
    token: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient")
            .field("base", &self.base.as_str())
            .field("token", &"<secret>")
            .finish()
    }
}

impl HubClient {
    /// A client of the hub at `hub` (http or https) acting with `device_token`.
    pub fn new(hub: &Url, device_token: &str, timeouts: Timeouts) -> Result<Self, String> {
        if !matches!(hub.scheme(), "http" | "https") {
            return Err(format!(
                "hub URL {} must start with https:// (or http://)",
                for_terminal(hub.as_str())
            ));
        }
        let mut base = hub.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = crate::tls::http_client_builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("tapin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("making the HTTP client: {e}"))?;
        Ok(Self {
            base,
            token: device_token.trim().to_owned(),
            http,
        })
    }

    pub fn hub_url(&self) -> &Url {
        &self.base
    }

    fn endpoint(&self, path: &str) -> Result<Url, CallError> {
        self.base
            .join(path)
            .map_err(|e| CallError::unavailable(format!("bad hub URL: {e}")))
    }

    /// `POST /api/v1/device/events`.
    pub async fn send_events(&self, events: &[Event]) -> Result<EventsResponse, CallError> {
        let body = serde_json::to_vec(&EventsRequestRef { events })
            .map_err(|e| CallError::unavailable(format!("encoding events: {e}")))?;
        let request = self
            .http
            .post(self.endpoint("api/v1/device/events")?)
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let response = send(request).await?;
        let bytes = read_answer(response, MAX_SMALL_ANSWER).await?;
        parse(&bytes, "events answer")
    }

    /// `GET /api/v1/device/roster`, with `If-None-Match` when a roster is cached.
    pub async fn roster(&self, cached_etag: Option<&str>) -> Result<RosterFetch, CallError> {
        let mut request = self
            .http
            .get(self.endpoint("api/v1/device/roster")?)
            .bearer_auth(&self.token);
        if let Some(etag) = cached_etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(network_error)?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(RosterFetch::NotModified);
        }
        let response = check_status(response).await?;
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| CallError::unavailable("roster answer without an ETag"))?;
        let body = read_answer(response, MAX_ROSTER_ANSWER).await?;
        let roster: RosterResponse = parse(&body, "roster")?;
        Ok(RosterFetch::Fresh {
            etag,
            body,
            roster: Box::new(roster),
        })
    }

    /// `POST /api/v1/device/roster/changes`: a roster change made at this
    /// kiosk, its body as queued (a `wire::device_roster::RosterChange`).
    pub async fn send_roster_change(&self, body: &str) -> Result<RosterChangeApplied, CallError> {
        let request = self
            .http
            .post(self.endpoint("api/v1/device/roster/changes")?)
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        let response = send(request).await?;
        let bytes = read_answer(response, MAX_SMALL_ANSWER).await?;
        parse(&bytes, "roster change answer")
    }

    /// `GET /api/v1/device/roster/candidates?acting=ID`: who could be put on
    /// this device's roster, as `acting` may see it.
    pub async fn roster_candidates(&self, acting: PersonId) -> Result<RosterCandidates, CallError> {
        let mut url = self.endpoint("api/v1/device/roster/candidates")?;
        url.query_pairs_mut()
            .append_pair("acting", &acting.to_string());
        let request = self.http.get(url).bearer_auth(&self.token);
        let response = send(request).await?;
        let bytes = read_answer(response, MAX_ROSTER_ANSWER).await?;
        parse(&bytes, "roster candidates")
    }

    /// `GET /api/v1/device/time`, timed for the clock offset estimate.
    pub async fn time(&self) -> Result<ClockSample, CallError> {
        let request = self
            .http
            .get(self.endpoint("api/v1/device/time")?)
            .bearer_auth(&self.token);
        let sent_at = Utc::now();
        let started = Instant::now();
        let response = send(request).await?;
        let bytes = read_answer(response, MAX_SMALL_ANSWER).await?;
        let round_trip = started.elapsed();
        let answer: TimeResponse = parse(&bytes, "time answer")?;
        Ok(ClockSample {
            sent_at,
            hub_time: answer.hub_time,
            round_trip,
        })
    }
}

/// Serialises like [`EventsRequest`] without cloning the events.
#[derive(serde::Serialize)]
struct EventsRequestRef<'a> {
    events: &'a [Event],
}

async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, CallError> {
    let response = request.send().await.map_err(network_error)?;
    check_status(response).await
}

fn network_error(error: reqwest::Error) -> CallError {
    let what = if error.is_timeout() {
        "no answer in time"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    // reqwest's Display names the URL, never headers: no token in it.
    CallError::unavailable(format!("{what}: {}", for_terminal(&error.to_string())))
}

/// Passes a 2xx through; sorts every other status.
async fn check_status(response: reqwest::Response) -> Result<reqwest::Response, CallError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = retry_after(response.headers());
    let message = read_answer(response, 64 * 1024)
        .await
        .map(|bytes| hub_message(&bytes))
        .unwrap_or_default();
    let code = status.as_u16();
    Err(match status {
        StatusCode::UNAUTHORIZED => CallError::Revoked,
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_EARLY | StatusCode::TOO_MANY_REQUESTS => {
            CallError::Unavailable {
                why: format!("{code}: {message}"),
                retry_after,
            }
        }
        s if s.is_server_error() => CallError::Unavailable {
            why: format!("{code}: {message}"),
            retry_after,
        },
        StatusCode::BAD_REQUEST
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::UNPROCESSABLE_ENTITY => CallError::Refused {
            status: code,
            message,
        },
        _ => CallError::Unexpected {
            status: code,
            message,
        },
    })
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// The hub's `ErrorBody` message, or the start of whatever else came, made safe
/// to show and log.
fn hub_message(bytes: &[u8]) -> String {
    hub_text(bytes).chars().take(MAX_MESSAGE_CHARS).collect()
}

/// What a hub's error answer says: its `ErrorBody` message, else the body as text;
/// trimmed and made terminal-safe (shared with enrollment).
pub(crate) fn hub_text(bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => body.error,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    for_terminal(text.trim())
}

/// Why a body was not read in full.
pub(crate) enum BodyError {
    /// It is (or announced to be) longer than the cap.
    TooLarge,
    Network(reqwest::Error),
}

/// The body, refusing to read more than `limit` bytes (shared with enrollment).
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// [`read_capped`] for the device calls.
async fn read_answer(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, CallError> {
    read_capped(&mut response, limit)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => {
                CallError::unavailable(format!("answer larger than {limit} bytes"))
            }
            BodyError::Network(e) => network_error(e),
        })
}

fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, CallError> {
    serde_json::from_slice(bytes).map_err(|e| {
        CallError::unavailable(format!(
            "unreadable {what}: {}",
            for_terminal(&e.to_string())
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_messages_are_made_safe_and_short() {
        let cases: [(&[u8], &str); 3] = [
            (br#"{"error":"code already used"}"#, "code already used"),
            (
                b"<html>\x1b[2J bad gateway",
                "<html>\u{FFFD}[2J bad gateway",
            ),
            (b"\xff\xfe oops", "\u{FFFD}\u{FFFD} oops"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(hub_message(bytes), expected);
        }
        assert_eq!(hub_message(&[b'a'; 10_000]).len(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn the_borrowed_request_is_the_wire_request() {
        let request = crate::wire::EventsRequest { events: Vec::new() };
        assert_eq!(
            serde_json::to_value(EventsRequestRef { events: &[] }).expect("encode"),
            serde_json::to_value(&request).expect("encode")
        );
    }

    #[test]
    fn only_http_and_https_hubs_are_accepted() {
        let timeouts = Timeouts {
            connect: Duration::from_secs(1),
            request: Duration::from_secs(1),
        };
        for (url, ok) in [
            ("https://hub.example.org/", true),
            ("http://127.0.0.1:8080", true),
            ("http://hub/prefix", true),
            ("ftp://hub/", false),
            ("file:///etc/passwd", false),
        ] {
            let url = Url::parse(url).expect("url");
            let client = HubClient::new(&url, "t", timeouts);
            assert_eq!(client.is_ok(), ok, "{url}");
            if let Ok(client) = client {
                assert!(client.hub_url().path().ends_with('/'));
                let events = client.endpoint("api/v1/device/events").expect("join");
                assert!(events.path().ends_with("/api/v1/device/events"), "{events}");
                assert!(!format!("{client:?}").contains("\"t\""));
            }
        }
    }
}
