//! The HTTP client of `tapin admin`: one call per verb, JSON in and out (or text
//! out, for the CSV reports), the hub's refusals turned into errors that quote its
//! (sanitized) message.
//!
//! Guarantees: the token travels only in the `Authorization` header and is never
//! printed; every path segment taken from the command line (a name, an id) is
//! percent-encoded, so a name cannot change which endpoint is called; a non-2xx
//! answer is an error naming the status and the hub's message; the hub is
//! reached over http:// or https:// (rustls), never another scheme.

use std::time::Duration;

use anyhow::Context;
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sanitize::for_terminal;
use crate::wire::ErrorBody;

/// A connection to one hub with one admin token.
pub struct Client {
    base: Url,
    token: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(hub: &str, token: &str) -> anyhow::Result<Client> {
        let base = Url::parse(hub.trim_end_matches('/')).with_context(|| {
            format!(
                "--hub {:?} is not a URL like http://127.0.0.1:8080",
                for_terminal(hub)
            )
        })?;
        anyhow::ensure!(
            matches!(base.scheme(), "http" | "https"),
            "--hub must be an http:// or https:// URL, not {}://",
            for_terminal(base.scheme())
        );
        // rustls with the ring provider (crate::tls): https without OpenSSL.
        let http = crate::tls::http_client_builder()
            .timeout(Duration::from_secs(60))
            .build()
            .context("making the HTTP client")?;
        Ok(Client {
            base,
            token: token.trim().to_owned(),
            http,
        })
    }

    /// `/api/v1/admin/` followed by `segments`, each percent-encoded, and `query`.
    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> anyhow::Result<Url> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| anyhow::anyhow!("--hub cannot be a base URL"))?;
            path.pop_if_empty()
                .extend(["api", "v1", "admin"])
                .extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// Calls `method` on `url` with an optional JSON body, and returns the
    /// answer's bytes; a non-2xx answer is an error.
    async fn fetch(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> anyhow::Result<bytes::Bytes> {
        Ok(self.fetch_with_headers(method, url, body).await?.1)
    }

    /// [`Client::fetch`], with the answer's headers.
    async fn fetch_with_headers(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> anyhow::Result<(reqwest::header::HeaderMap, bytes::Bytes)> {
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .with_context(|| format!("reading the hub's answer to {method} {}", url.path()))?;
        if !status.is_success() {
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|e| e.error)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            anyhow::bail!("the hub refused ({status}): {}", for_terminal(&message));
        }
        Ok((headers, bytes))
    }

    /// Calls `method` on the admin path `segments` with an optional JSON body and
    /// query, and decodes the answer.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> anyhow::Result<T> {
        let url = self.url(segments, query)?;
        let bytes = self.fetch(&method, &url, body).await?;
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "the hub's answer to {method} {} is not what this tapin expects",
                url.path()
            )
        })
    }

    /// GETs an admin path whose answer is text, not JSON (the timesheet CSV).
    pub async fn get_text(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> anyhow::Result<String> {
        let url = self.url(segments, query)?;
        let bytes = self.fetch(&Method::GET, &url, None::<&()>).await?;
        String::from_utf8(bytes.into()).context("the hub's answer is not UTF-8 text")
    }

    /// GETs an admin path and decodes the answer, with the value of its header
    /// `header` when it has one.
    pub async fn get_with_header<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        header: &str,
    ) -> anyhow::Result<(T, Option<String>)> {
        let url = self.url(segments, query)?;
        let (headers, bytes) = self
            .fetch_with_headers(&Method::GET, &url, None::<&()>)
            .await?;
        let value = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "the hub's answer to GET {} is not what this tapin expects",
                url.path()
            )
        })?;
        let found = headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .map(for_terminal);
        Ok((value, found))
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        self.call(Method::GET, segments, query, None::<&()>).await
    }

    pub async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: &(impl Serialize + ?Sized),
    ) -> anyhow::Result<T> {
        self.call(method, segments, &[], Some(body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_hubs_are_accepted_other_schemes_refused() {
        for hub in [
            "http://127.0.0.1:8080",
            "https://hub.example.com/",
            "HTTPS://hub:8443",
        ] {
            let client = Client::new(hub, " token ").expect(hub);
            assert_eq!(client.token, "token");
            let url = client.url(&["people", "a b"], &[]).expect("url");
            assert!(
                url.as_str().ends_with("/api/v1/admin/people/a%20b"),
                "{url}"
            );
        }
        let https = Client::new("https://hub.example.com", "t").expect("https");
        assert_eq!(https.base.scheme(), "https");
        for hub in ["ftp://hub.example.com", "file:///etc/passwd", "ws://hub:80"] {
            let err = Client::new(hub, "t").err().expect(hub).to_string();
            assert!(
                err.contains("must be an http:// or https:// URL"),
                "{hub}: {err}"
            );
        }
        assert!(Client::new("hub.example.com", "t").is_err(), "no scheme");
    }
}
