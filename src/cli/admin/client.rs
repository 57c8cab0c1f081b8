//! The HTTP client of `tapin admin`: one call per verb, JSON in and out (or text
//! out, for the CSV reports), the hub's refusals turned into errors that quote its
//! (sanitized) message.
//!
//! Guarantees: the token travels only in the `Authorization` header and is never
//! printed; every path segment taken from the command line (a name, an id) is
//! percent-encoded, so a name cannot change which endpoint is called; a non-2xx
//! answer is an error naming the status and the hub's message.

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
            base.scheme() == "http",
            "--hub must be an http:// URL (this build speaks plain HTTP; put a TLS proxy \
             in front of a remote hub and tunnel to it)"
        );
        let http = reqwest::Client::builder()
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

    /// Calls `method` on the admin path `segments` with an optional JSON body and
    /// query, and returns the answer's bytes; a non-2xx answer is an error.
    async fn fetch(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> anyhow::Result<bytes::Bytes> {
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
        Ok(bytes)
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
