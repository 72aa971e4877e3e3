//! Trust bundles into the service, for offices without a network: `POST
//! /v1/admin/trust/import` for administrator clients, and a watched folder (where a USB
//! stick is mounted). Both hand the bundle to [`TrustHolder::import_bundle`], which applies
//! the sync's rollback and freshness rules through the SDK's cache; verifications keep
//! running on the snapshot they took, and the next request sees the new data.
//!
//! Configuration (`[trust_import]`, with `[trust] anchors` or `roots`):
//!
//! ```toml
//! [trust_import]
//! admin_clients = ["ops"]          # client ids that may POST a bundle
//! watch_dir = "/media/usb"         # optional: *.ikdb files there are imported
//! watch_interval_seconds = 10      # how often the folder is looked at
//! ```

use crate::app::{Seen, admit};
use crate::config::{ClientConfig, ConfigError};
use crate::input::read_body;
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use crate::trust::TrustHolder;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ikd_sdk::UnixTime;
use ikd_sdk::limits::MAX_TRUST_BUNDLE_BYTES;
use ikd_sdk::store::{ImportError, ImportReport, Installed};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use utoipa::ToSchema;

/// How often the watched folder is looked at, by default.
pub const DEFAULT_WATCH_INTERVAL_SECONDS: u64 = 10;

/// The file name ending of a trust bundle in the watched folder.
pub const BUNDLE_EXTENSION: &str = "ikdb";

/// Most bundle files looked at in one pass over the watched folder.
const MAX_WATCHED_FILES: usize = 64;

/// Who may import trust bundles, and where bundles are picked up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustImportConfig {
    /// The ids of the clients that may `POST /v1/admin/trust/import`.
    pub admin_clients: Vec<String>,
    /// A folder whose `*.ikdb` files are imported.
    pub watch_dir: Option<PathBuf>,
    /// How often the folder is looked at.
    pub watch_interval: Duration,
}

impl TrustImportConfig {
    /// Whether the client `id` may import trust data.
    pub fn is_admin(&self, id: &str) -> bool {
        self.admin_clients.iter().any(|admin| admin == id)
    }
}

/// The `[trust_import]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrustImport {
    admin_clients: Option<Vec<String>>,
    watch_dir: Option<PathBuf>,
    watch_interval_seconds: Option<u64>,
}

/// Checks the section against the clients and the trust source: an admin must be a
/// configured client, and importing needs the signed trust data (`signed`).
pub fn resolve(
    raw: RawTrustImport,
    clients: &[ClientConfig],
    data_dir: &Path,
    signed: bool,
) -> Result<TrustImportConfig, ConfigError> {
    let admin_clients = raw.admin_clients.unwrap_or_default();
    for id in &admin_clients {
        if !clients.iter().any(|c| &c.id == id) {
            return Err(ConfigError::Invalid(format!(
                "trust_import.admin_clients names {id:?}, which is not a configured client"
            )));
        }
    }
    let watch_dir = raw.watch_dir.map(|dir| data_dir.join(dir));
    if (!admin_clients.is_empty() || watch_dir.is_some()) && !signed {
        return Err(ConfigError::Invalid(
            "trust_import needs the signed trust data: set trust.anchors or trust.roots".into(),
        ));
    }
    let seconds = raw
        .watch_interval_seconds
        .unwrap_or(DEFAULT_WATCH_INTERVAL_SECONDS);
    if !(1..=86_400).contains(&seconds) {
        return Err(ConfigError::Invalid(
            "trust_import.watch_interval_seconds must be 1 to 86400".into(),
        ));
    }
    Ok(TrustImportConfig {
        admin_clients,
        watch_dir,
        watch_interval: Duration::from_secs(seconds),
    })
}

/// What became of one status list of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportedStatusList {
    /// The list's URI.
    pub uri: String,
    /// `updated`, `unchanged`, or the import code that left it out
    /// (`bundle_status_list_missing`, `bundle_status_list_invalid`, …).
    pub outcome: &'static str,
}

/// The answer to a trust bundle: what was imported, and the trust data in use after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportAnswer {
    /// `imported` (everything), `partial` (the trust list, not every status list) or
    /// `refused` (nothing: see `code`).
    pub result: &'static str,
    /// Why the bundle was refused: an import code of `spec/reason-codes.md`
    /// (`bundle_trust_list_rollback`, `bundle_trust_list_signature_invalid`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The refusal, for people (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    /// The bundle's trust list: `updated` or `unchanged` (absent when refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<&'static str>,
    /// Each status list the trust list names, then each the bundle holds that it does not.
    pub status_lists: Vec<ImportedStatusList>,
    /// The trust list in use after the import: its sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// The date of the trust data in use (its trust list's issue time), RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dated: Option<String>,
    /// Whole days since then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_age_days: Option<i64>,
}

fn installed(i: Installed) -> &'static str {
    match i {
        Installed::Updated => "updated",
        Installed::Unchanged => "unchanged",
    }
}

/// The answer for `result`, with the data in use in `trust` afterwards.
pub fn answer(
    result: &Result<ImportReport, ImportError>,
    trust: &TrustHolder,
    now: UnixTime,
) -> ImportAnswer {
    let info = trust
        .current()
        .and_then(|loaded| loaded.store.trust_list().cloned());
    let mut answer = ImportAnswer {
        result: "refused",
        code: None,
        message: None,
        trust_list: None,
        status_lists: Vec::new(),
        sequence: info.as_ref().map(|i| i.sequence),
        data_dated: info.as_ref().map(|i| i.issued_at.to_string()),
        data_age_days: info
            .as_ref()
            .map(|i| now.0.saturating_sub(i.issued_at.0).max(0) / 86_400),
    };
    match result {
        Err(e) => {
            answer.code = Some(e.code().code());
            answer.message = Some(e.code().en());
        }
        Ok(report) => {
            answer.result = if report.is_complete() {
                "imported"
            } else {
                "partial"
            };
            answer.trust_list = Some(installed(report.trust_list));
            answer.status_lists = report
                .status_lists
                .iter()
                .map(|(uri, outcome)| ImportedStatusList {
                    uri: uri.clone(),
                    outcome: match outcome {
                        Ok(i) => installed(*i),
                        Err(e) => e.code().code(),
                    },
                })
                .collect();
        }
    }
    answer
}

/// Logs an import: where the bundle came from, its result and codes. Trust data holds no
/// personal data; the bundle's bytes are never logged.
fn log(origin: &str, answer: &ImportAnswer) {
    let left_out: Vec<String> = answer
        .status_lists
        .iter()
        .filter(|s| !matches!(s.outcome, "updated" | "unchanged"))
        .map(|s| format!("{}: {}", s.uri, s.outcome))
        .collect();
    match answer.result {
        "refused" => tracing::warn!(
            origin,
            code = answer.code.unwrap_or(""),
            "trust bundle refused; the data in use stays"
        ),
        result => tracing::info!(
            origin,
            result,
            trust_list = answer.trust_list.unwrap_or(""),
            sequence = answer.sequence.unwrap_or(0),
            left_out = %left_out.join("; "),
            "trust bundle imported"
        ),
    }
}

/// A trust bundle file: its bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub(crate) struct Bundle(Vec<u8>);

/// Imports a trust bundle (`spec/format.md` §9.6) into the signed trust data, under the
/// same rollback and freshness rules as the sync. Only for the clients listed in
/// `[trust_import] admin_clients`. Every bundle that could be read gets a 200 saying
/// whether it was imported, imported in part (some status list left out, with its code)
/// or refused (with its code, the data in use unchanged). Verifications keep running
/// meanwhile.
#[utoipa::path(
    post,
    path = "/v1/admin/trust/import",
    tag = "operations",
    operation_id = "trust_import",
    security(("api_key" = [])),
    request_body(
        description = "The trust bundle file (`ikd trust bundle`), at most 64 MiB.",
        content((Bundle = "application/octet-stream"), (Bundle = "application/cbor")),
    ),
    responses(
        (status = 200, description = "What the import did, and the trust data in use after it.",
            body = ImportAnswer),
        (status = 401, description = "`api_key_missing` or `api_key_invalid`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`admin_required`: the client may not import.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`trust_import_unavailable`: the service uses an unsigned trust file.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "`body_too_large`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`.",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn import_bundle(
    State(state): State<AppState>,
    headers: HeaderMap,
    seen: Seen,
    body: Body,
) -> Response {
    match import_inner(&state, &headers, &seen, body).await {
        Ok(answer) => answer,
        Err(problem) => problem.into_response(),
    }
}

async fn import_inner(
    state: &AppState,
    headers: &HeaderMap,
    seen: &Seen,
    body: Body,
) -> Result<Response, Problem> {
    let client = admit(state, headers, seen)?;
    if !state.trust_import.is_admin(&client.id) {
        return Err(Problem::admin_required());
    }
    if !state.trust.is_signed_source() || state.trust.cache().is_none() {
        return Err(Problem::trust_import_unavailable());
    }
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(
        media.as_deref(),
        Some("application/octet-stream" | "application/cbor")
    ) {
        return Err(Problem::unsupported_media_type());
    }
    let bytes = read_body(headers, body, MAX_TRUST_BUNDLE_BYTES).await?;
    let now = state.clock.now();
    let worker = state.clone();
    // Verifying and writing (with fsync) is blocking work; requests keep being answered.
    let answer = tokio::task::spawn_blocking(move || {
        let result = worker.trust.import_bundle(&bytes, now)?;
        let answer = answer(&result, &worker.trust, now);
        log(&format!("api client {}", client.id), &answer);
        Some(answer)
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(Problem::trust_import_unavailable)?;
    let body = serde_json::to_string(&answer).unwrap_or_default();
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The files of the watched folder already looked at, by path: modification time and
/// length when they were.
#[derive(Debug, Default)]
pub struct Watched {
    seen: HashMap<PathBuf, (SystemTime, u64)>,
}

/// One pass over the watched folder `dir` at time `now`: imports each `*.ikdb` file that is
/// new or changed since the last pass, in name order. A file that cannot be read is tried
/// again on the next pass. Returns each file imported (its name) and the answer.
pub fn watch_pass(
    trust: &TrustHolder,
    dir: &Path,
    watched: &mut Watched,
    now: UnixTime,
) -> Vec<(String, ImportAnswer)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // No stick in the slot: nothing to do.
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, SystemTime, u64)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case(BUNDLE_EXTENSION))
        })
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((e.path(), meta.modified().ok()?, meta.len()))
        })
        .take(MAX_WATCHED_FILES)
        .collect();
    files.sort();
    let mut done = Vec::new();
    for (path, modified, len) in files {
        if watched.seen.get(&path) == Some(&(modified, len)) {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match ikd_sdk::store::read_bounded(&path, MAX_TRUST_BUNDLE_BYTES as u64) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(file = %name, %error, "trust bundle not read");
                continue;
            }
        };
        watched.seen.insert(path, (modified, len));
        let Some(result) = trust.import_bundle(&bytes, now) else {
            return done;
        };
        let answer = answer(&result, trust, now);
        log(&format!("watched folder, {name}"), &answer);
        done.push((name, answer));
    }
    done
}
