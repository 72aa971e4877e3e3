//! The TOML file, as written: every setting optional, unknown keys refused.

use super::{ConfigError, error};
use serde::Deserialize;
use std::path::PathBuf;

/// The TOML file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub(super) listen: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) trust_store: Option<PathBuf>,
    pub(super) trust_reload_seconds: Option<u64>,
    #[serde(default)]
    pub(super) trust: RawTrust,
    #[serde(default)]
    pub(super) upload: RawUpload,
    #[serde(default)]
    pub(super) log: RawLog,
    #[serde(default)]
    pub(super) http: RawHttp,
    #[serde(default)]
    pub(super) policy: RawPolicy,
    #[serde(default)]
    pub(super) audit: RawAudit,
    #[serde(default)]
    pub(super) clients: Vec<RawClient>,
    #[serde(default)]
    pub(super) counter: crate::counter::config::RawCounter,
    #[serde(default)]
    pub(super) staff: Vec<crate::counter::config::RawStaff>,
    // Trust bundles and verification receipts: sections of their own, read by their
    // modules.
    #[serde(default)]
    pub(super) trust_import: crate::trust_import::RawTrustImport,
    #[serde(default)]
    pub(super) receipt: crate::receipt::RawReceipt,
    #[serde(default)]
    pub(super) offline_page: crate::offline_page::RawOfflinePage,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLog {
    pub(super) level: Option<String>,
    pub(super) format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttp {
    pub(super) body_limit_bytes: Option<usize>,
    pub(super) request_timeout_ms: Option<u64>,
    pub(super) cors_allowed_origins: Option<Vec<String>>,
    pub(super) max_connections: Option<usize>,
    pub(super) header_read_timeout_ms: Option<u64>,
    pub(super) shutdown_grace_ms: Option<u64>,
    pub(super) h2c: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) leeway_seconds: Option<u32>,
    pub(super) presentation_max_age_seconds: Option<u32>,
    pub(super) presentation_leeway_seconds: Option<u32>,
    pub(super) accepted_doc_types: Option<Vec<String>>,
    pub(super) bare_credentials: Option<Vec<String>>,
    pub(super) audience: Option<String>,
    pub(super) replay_store: Option<String>,
    pub(super) replay_cache_capacity: Option<usize>,
    pub(super) trust_list_max_age_seconds: Option<u32>,
    pub(super) trust_list_grace_seconds: Option<u32>,
    pub(super) status_list_max_age_seconds: Option<u32>,
    pub(super) status_list_grace_seconds: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTrust {
    pub(super) anchors: Option<PathBuf>,
    pub(super) roots: Option<Vec<String>>,
    pub(super) cache_dir: Option<PathBuf>,
    pub(super) sync_url: Option<String>,
    pub(super) sync_interval_seconds: Option<u64>,
    pub(super) sync_timeout_seconds: Option<u64>,
    pub(super) sync_retries: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUpload {
    pub(super) body_limit_bytes: Option<usize>,
    pub(super) concurrency: Option<usize>,
    pub(super) scan_budget_ms: Option<u64>,
    pub(super) memory_budget_bytes: Option<u64>,
    pub(super) isolation: Option<String>,
    pub(super) scan_worker: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    pub(super) backend: Option<String>,
    pub(super) path: Option<PathBuf>,
    pub(super) postgres_url: Option<String>,
    pub(super) hmac_key: Option<String>,
    pub(super) retention_days: Option<u32>,
    pub(super) purge_interval_seconds: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClient {
    pub(super) id: String,
    pub(super) api_key_sha256: String,
    pub(super) purposes: Vec<String>,
    pub(super) default_purpose: Option<String>,
    pub(super) rate_limit_per_minute: u32,
    pub(super) burst: Option<u32>,
}

impl RawConfig {
    /// Parses the TOML text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        // The TOML error shows the offending line, which may hold a secret: give only
        // its position and the kind of problem.
        toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let line = text
                        .get(..span.start)
                        .map_or(0, |before| before.matches('\n').count() + 1);
                    format!(" at line {line}")
                })
                .unwrap_or_default();
            error(format!(
                "the configuration file is not valid{at}: {}",
                e.message()
            ))
        })
    }
}
