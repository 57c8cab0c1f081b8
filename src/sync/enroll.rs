//! Enrollment: an admin's one-time code traded for the device token and PIN pepper
//! (`POST /api/v1/enroll`).
//!
//! Guarantees: the answer is read up to [`MAX_REPLY_BYTES`] and parsed strictly;
//! what the hub says is sanitized before it becomes part of an error; errors never
//! quote the answer's secrets (JSON errors give a position only); redirects are
//! not followed, so the code goes only to the hub named.

use std::time::{Duration, SystemTime};

use reqwest::{StatusCode, Url};

use super::client::{BodyError, hub_text, read_capped};
use super::retry::parse_retry_after;
use crate::sanitize::for_terminal;
use crate::wire::{EnrollRequest, EnrollResponse};

/// Largest enrollment answer read.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;
/// Longest hub message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// Why enrollment failed.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("{url} is not a usable hub URL: {why}")]
    BadUrl { url: String, why: String },
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    /// Not reached, or no answer in time.
    #[error("cannot reach the hub at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// The hub said no to this code or name (4xx); its message says why.
    #[error("the hub refused the enrollment: {message}")]
    Refused { status: u16, message: String },
    /// 429: too many attempts from this address.
    #[error(
        "the hub at {url} is limiting enrollment attempts from this address; try again in {}",
        retry_after.map_or("a minute".to_owned(), |s| format!("{s} s"))
    )]
    Busy {
        url: String,
        retry_after: Option<u64>,
    },
    /// 5xx or another unexpected status.
    #[error("the hub at {url} answered HTTP {status}: {message}")]
    Hub {
        url: String,
        status: u16,
        message: String,
    },
    /// An answer that is not what a tapin hub sends.
    #[error("the hub at {url} sent an answer tapin cannot use ({detail}); is this a tapin hub?")]
    BadReply { url: String, detail: String },
}

/// Trades `code` for the device's credentials at the hub `hub` (its base URL);
/// `name` renames the device. `timeout` bounds connecting and the whole request.
pub async fn enroll(
    hub: &Url,
    code: &str,
    name: Option<&str>,
    timeout: Duration,
) -> Result<EnrollResponse, EnrollError> {
    let url = endpoint(hub)?;
    let shown = hub.as_str().to_owned();
    let http = crate::tls::http_client_builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tapin/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| EnrollError::Client(error_chain(&e)))?;
    let request = EnrollRequest {
        code: code.trim().to_owned(),
        name: name.map(|n| n.trim().to_owned()),
    };
    let mut response = http
        .post(url)
        .json(&request)
        .send()
        .await
        .map_err(|e| unreachable(&shown, &e, timeout))?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
        .map(|wait| wait.as_secs());
    let body = read_body(&mut response, &shown, timeout).await?;
    if status.is_success() {
        return parse_success(&body, &shown);
    }
    let message = hub_message(&body);
    Err(match status {
        StatusCode::TOO_MANY_REQUESTS => EnrollError::Busy {
            url: shown,
            retry_after,
        },
        s if s.is_client_error() => EnrollError::Refused {
            status: s.as_u16(),
            message,
        },
        s => EnrollError::Hub {
            url: shown,
            status: s.as_u16(),
            message,
        },
    })
}

/// `api/v1/enroll` under the hub's base URL (which may have a path of its own).
fn endpoint(hub: &Url) -> Result<Url, EnrollError> {
    let bad = |why: &str| EnrollError::BadUrl {
        url: for_terminal(hub.as_str()),
        why: why.to_owned(),
    };
    if !matches!(hub.scheme(), "http" | "https") {
        return Err(bad(
            "it must start with https:// (or http:// on a trusted network)",
        ));
    }
    let mut url = hub.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| bad("it has no host"))?
        .pop_if_empty()
        .extend(["api", "v1", "enroll"]);
    Ok(url)
}

fn parse_success(body: &[u8], url: &str) -> Result<EnrollResponse, EnrollError> {
    let bad = |detail: String| EnrollError::BadReply {
        url: url.to_owned(),
        detail,
    };
    // The body holds the token: say where it is wrong, never what it says.
    let reply: EnrollResponse = serde_json::from_slice(body).map_err(|e| {
        bad(format!(
            "not the expected JSON at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    if reply.device_token.trim().is_empty() || reply.pin_pepper.trim().is_empty() {
        return Err(bad("an empty device token or PIN pepper".to_owned()));
    }
    Ok(reply)
}

/// The hub's `ErrorBody` message, else the start of the body; terminal-safe.
fn hub_message(body: &[u8]) -> String {
    if body.is_empty() {
        return "(no message)".to_owned();
    }
    let mut safe = hub_text(body);
    if let Some((cut, _)) = safe.char_indices().nth(MAX_MESSAGE_CHARS) {
        safe.truncate(cut);
        safe.push('…');
    }
    safe
}

/// The body, refused past [`MAX_REPLY_BYTES`] without reading further.
async fn read_body(
    response: &mut reqwest::Response,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, EnrollError> {
    read_capped(response, MAX_REPLY_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => EnrollError::BadReply {
                url: url.to_owned(),
                detail: format!("an answer larger than {} KiB", MAX_REPLY_BYTES / 1024),
            },
            BodyError::Network(e) => unreachable(url, &e, timeout),
        })
}

fn unreachable(url: &str, error: &reqwest::Error, timeout: Duration) -> EnrollError {
    let detail = if error.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f32())
    } else {
        error_chain(error)
    };
    EnrollError::Unreachable {
        url: url.to_owned(),
        detail,
    }
}

/// An error and its causes on one line (reqwest's own text alone says little).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    for_terminal(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_keeps_the_hubs_path() {
        let cases = [
            ("http://hub:8080", "http://hub:8080/api/v1/enroll"),
            ("https://hub/", "https://hub/api/v1/enroll"),
            ("https://h/tapin/?x=1#f", "https://h/tapin/api/v1/enroll"),
            ("https://h/tapin", "https://h/tapin/api/v1/enroll"),
        ];
        for (base, expected) in cases {
            let url = endpoint(&Url::parse(base).unwrap()).unwrap();
            assert_eq!(url.as_str(), expected, "{base}");
        }
        for bad in ["ftp://hub/", "mailto:a@b"] {
            assert!(endpoint(&Url::parse(bad).unwrap()).is_err(), "{bad}");
        }
    }

    #[test]
    fn hub_messages_are_quoted_safely_and_briefly() {
        let body = br#"{"error":"this enrollment code has already been used\u001b[2J"}"#;
        assert_eq!(
            hub_message(body),
            "this enrollment code has already been used\u{FFFD}[2J"
        );
        assert_eq!(hub_message(b""), "(no message)");
        let long = hub_message("x".repeat(10_000).as_bytes());
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn a_bad_success_answer_does_not_quote_the_token() {
        let body = br#"{"device_token": "tok-secret-1", "pin_pepper": 7}"#;
        let error = parse_success(body, "http://hub/").unwrap_err().to_string();
        assert!(error.contains("line 1"), "{error}");
        assert!(!error.contains("tok-secret-1"), "{error}");
    }
}
