//! The HTTP sync client (feature `sync`): pulls the signed trust list and the status lists it
//! names from a base URL into a [`TrustCache`], which verifies each before use.
//!
//! A published folder (`ikd trust publish`) is served by any static web server:
//!
//! ```text
//! BASE/trust-list.cwt       the signed trust list
//! BASE/status/<file>        each status list token, under the file name the list gives
//! ```
//!
//! Every request sends `If-None-Match` with the ETag of the copy in use, so an unchanged
//! file costs a `304 Not Modified`. Requests have a connect timeout and a total timeout,
//! bodies are capped (checked against `Content-Length` first, then while reading), and
//! network failures, timeouts, truncated bodies and `5xx`/`429` answers are retried with
//! exponential backoff. Whatever fails, the cache keeps its last good data; the
//! [`SyncReport`] says what happened to each file.

use crate::cache::disk::{Installed, STATUS_DIR, TRUST_LIST_FILE, TrustCache, UpdateError};
use crate::model::time::UnixTime;
use crate::wire::limits::{MAX_STATUS_LIST_TOKEN_BYTES, MAX_TRUST_LIST_BYTES};
use core::fmt;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use std::time::Duration;

/// How the client talks to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// The base URL of the published folder (`http://` or `https://`).
    pub base_url: String,
    /// Time limit for connecting.
    pub connect_timeout: Duration,
    /// Time limit for one whole request, body included.
    pub request_timeout: Duration,
    /// How many times a failed request is tried again.
    pub retries: u32,
    /// The wait before the first retry; it doubles with every further retry.
    pub backoff_initial: Duration,
    /// The longest wait between two tries.
    pub backoff_max: Duration,
    /// Largest trust list body accepted.
    pub max_trust_list_bytes: usize,
    /// Largest status list body accepted.
    pub max_status_list_bytes: usize,
}

impl SyncConfig {
    /// The defaults for `base_url`: 10 s to connect, 30 s per request, 3 retries after
    /// 500 ms, 1 s, 2 s (at most 30 s apart), and the format's size limits.
    pub fn new(base_url: impl Into<String>) -> Self {
        SyncConfig {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retries: 3,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_trust_list_bytes: MAX_TRUST_LIST_BYTES,
            max_status_list_bytes: MAX_STATUS_LIST_TOKEN_BYTES,
        }
    }
}

/// Why one file was not synced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncError {
    /// The base URL is not an `http` or `https` URL.
    Url(String),
    /// The client could not be built.
    Client(String),
    /// Connecting, sending or reading failed (after the retries), or timed out.
    Network(String),
    /// The server answered with another status than 200 or 304 (after the retries).
    Status(u16),
    /// The body is larger than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The file arrived but was not installed.
    Refused(UpdateError),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Url(e) => write!(f, "bad URL: {e}"),
            SyncError::Client(e) => write!(f, "HTTP client: {e}"),
            SyncError::Network(e) => write!(f, "network: {e}"),
            SyncError::Status(code) => write!(f, "server answered HTTP {code}"),
            SyncError::TooLarge { limit } => write!(f, "body larger than {limit} bytes"),
            SyncError::Refused(_) => f.write_str("refused"),
        }
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyncError::Refused(e) => Some(e),
            _ => None,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new version is in use.
    Updated,
    /// The server said `304 Not Modified`.
    NotModified,
    /// The server sent the version in use.
    Unchanged,
    /// It failed; the version in use (if any) stays.
    Failed(SyncError),
}

impl Outcome {
    /// Whether it failed.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Updated => f.write_str("updated"),
            Outcome::NotModified => f.write_str("not modified"),
            Outcome::Unchanged => f.write_str("unchanged"),
            Outcome::Failed(e) => {
                // A report line: the error with its causes.
                write!(f, "failed: {e}")?;
                let mut next = std::error::Error::source(e);
                while let Some(cause) = next {
                    write!(f, ": {cause}")?;
                    next = cause.source();
                }
                Ok(())
            }
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// The trust list.
    pub trust_list: Outcome,
    /// Each status list the trust list in use names, by URI.
    pub status_lists: Vec<(String, Outcome)>,
}

impl SyncReport {
    /// Whether every file synced (updated, not modified or unchanged).
    pub fn is_complete(&self) -> bool {
        !self.trust_list.is_failure() && !self.status_lists.iter().any(|(_, o)| o.is_failure())
    }
}

/// The sync client.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    config: SyncConfig,
    base: String,
}

/// One response: its status, ETag and body.
struct Fetched {
    status: StatusCode,
    etag: Option<String>,
    body: Vec<u8>,
}

/// Whether a failed try is worth another.
enum Try {
    Retry(SyncError),
    Final(SyncError),
}

impl SyncClient {
    /// A client for `config`.
    pub fn new(config: SyncConfig) -> Result<Self, SyncError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base).map_err(|e| SyncError::Url(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(SyncError::Url("expected an http or https URL".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("ikd-sdk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Client(e.to_string()))?;
        Ok(SyncClient { http, config, base })
    }

    /// Syncs `cache` from the server at time `now`: first the trust list, then every status
    /// list the trust list in use names. Never fails as a whole: the report says what
    /// happened to each file, and the cache keeps its last good data where a file failed.
    pub async fn sync(&self, cache: &TrustCache, now: UnixTime) -> SyncReport {
        let has_list = cache.store().trust_list().is_some();
        let trust_list = self
            .sync_file(
                cache,
                TRUST_LIST_FILE,
                has_list,
                self.config.max_trust_list_bytes,
                |bytes| cache.install_trust_list(bytes, now),
            )
            .await;
        let mut status_lists = Vec::new();
        for reference in cache.status_list_refs() {
            let resource = format!("{STATUS_DIR}/{}", reference.file);
            let held = cache.store().status_list(&reference.uri).is_some();
            let outcome = self
                .sync_file(
                    cache,
                    &resource,
                    held,
                    self.config.max_status_list_bytes,
                    |bytes| cache.install_status_list(&reference.uri, bytes, now),
                )
                .await;
            status_lists.push((reference.uri, outcome));
        }
        SyncReport {
            trust_list,
            status_lists,
        }
    }

    /// Fetches one file (conditionally, when a copy is held) and installs it.
    async fn sync_file(
        &self,
        cache: &TrustCache,
        resource: &str,
        held: bool,
        limit: usize,
        install: impl FnOnce(&[u8]) -> Result<Installed, UpdateError>,
    ) -> Outcome {
        let etag = if held { cache.etag(resource) } else { None };
        let fetched = match self.fetch(resource, etag.as_deref(), limit).await {
            Ok(fetched) => fetched,
            Err(e) => return Outcome::Failed(e),
        };
        if fetched.status == StatusCode::NOT_MODIFIED {
            return Outcome::NotModified;
        }
        match install(&fetched.body) {
            Ok(installed) => {
                // The cache keeps working without an ETag; a failed write only costs a full
                // download next time.
                let _ = cache.set_etag(resource, fetched.etag);
                match installed {
                    Installed::Updated => Outcome::Updated,
                    Installed::Unchanged => Outcome::Unchanged,
                }
            }
            Err(e) => Outcome::Failed(SyncError::Refused(e)),
        }
    }

    /// GETs `resource`, retrying what is worth retrying.
    async fn fetch(
        &self,
        resource: &str,
        etag: Option<&str>,
        limit: usize,
    ) -> Result<Fetched, SyncError> {
        let url = format!("{}/{resource}", self.base);
        let mut wait = self.config.backoff_initial;
        let mut tries_left = self.config.retries;
        loop {
            match self.try_fetch(&url, etag, limit).await {
                Ok(fetched) => return Ok(fetched),
                Err(Try::Final(e)) => return Err(e),
                Err(Try::Retry(e)) if tries_left == 0 => return Err(e),
                Err(Try::Retry(_)) => {
                    tries_left -= 1;
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2).min(self.config.backoff_max);
                }
            }
        }
    }

    async fn try_fetch(&self, url: &str, etag: Option<&str>, limit: usize) -> Result<Fetched, Try> {
        let mut request = self.http.get(url);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let network = |e: reqwest::Error| {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "cannot connect"
            } else if e.is_body() || e.is_decode() {
                "body incomplete"
            } else {
                "request failed"
            };
            Try::Retry(SyncError::Network(kind.to_owned()))
        };
        let mut response = request.send().await.map_err(network)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched {
                status,
                etag: None,
                body: Vec::new(),
            });
        }
        if status != StatusCode::OK {
            let error = SyncError::Status(status.as_u16());
            return Err(
                if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                    Try::Retry(error)
                } else {
                    Try::Final(error)
                },
            );
        }
        let too_large = || Try::Final(SyncError::TooLarge { limit });
        let declared = response.content_length();
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= 256)
            .map(str::to_owned);
        let mut body = Vec::with_capacity(declared.map_or(0, |len| len as usize).min(limit));
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if declared.is_some_and(|len| len != body.len() as u64) {
            return Err(Try::Retry(SyncError::Network("body incomplete".into())));
        }
        Ok(Fetched { status, etag, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_update_error_and_a_failed_outcome_prints_the_chain() {
        let refused = SyncError::Refused(UpdateError::Rollback {
            current: 3,
            offered: 2,
        });
        assert_eq!(refused.to_string(), "refused");
        let source = std::error::Error::source(&refused)
            .and_then(|e| e.downcast_ref::<UpdateError>())
            .expect("the UpdateError is the source");
        assert!(matches!(source, UpdateError::Rollback { .. }));
        assert_eq!(
            Outcome::Failed(refused).to_string(),
            "failed: refused: refused rollback: 2 offered, 3 in use"
        );
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        let outcome = Outcome::Failed(SyncError::Refused(UpdateError::Io(std::sync::Arc::new(io))));
        assert_eq!(
            outcome.to_string(),
            "failed: refused: cannot write the cache: disk full"
        );
        assert_eq!(
            Outcome::Failed(SyncError::Status(404)).to_string(),
            "failed: server answered HTTP 404"
        );
    }
}
