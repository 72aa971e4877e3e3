//! Configuration: a TOML file, overridden by `IKD_*` environment variables, overridden by
//! command-line flags. See the README for the reference.
//!
//! Errors name the setting at fault, never its value: API key hashes and the audit HMAC
//! key are secrets.

use crate::connections::ConnectionSettings;
use ikd_sdk::Freshness;
use ikd_sdk::disclosure::{self, Purpose};
use ikd_sdk::{DocType, DocTypeSet, IssuerPublicKey, Policy};
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The address the service listens on unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default largest request body: 64 KiB, far above any QR text.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;
/// Default time limit for one request, body included.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 5_000;
/// Default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default time to send a complete request head (also the keep-alive idle limit).
pub const DEFAULT_HEADER_READ_TIMEOUT_MS: u64 = 10_000;
/// Default time shutdown waits for requests in flight.
pub const DEFAULT_SHUTDOWN_GRACE_MS: u64 = 10_000;
/// Default retention of audit rows.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Default interval between deletions of old audit rows.
pub const DEFAULT_PURGE_INTERVAL_SECONDS: u64 = 3_600;
/// Default interval between checks of the trust store file.
pub const DEFAULT_TRUST_RELOAD_SECONDS: u64 = 60;
/// Default trust store file name, inside the data directory.
pub const DEFAULT_TRUST_STORE: &str = "trust.json";
/// Default audit database file name, inside the data directory.
pub const DEFAULT_AUDIT_DB: &str = "audit.sqlite3";
/// Shortest audit HMAC key, in bytes.
pub const MIN_HMAC_KEY_LEN: usize = 32;
/// Default folder of the signed trust data cache, inside the data directory.
pub const DEFAULT_TRUST_CACHE_DIR: &str = "trust-cache";
/// Default interval between trust syncs: an hour.
pub const DEFAULT_TRUST_SYNC_SECONDS: u64 = 3_600;
/// Default time limit of one trust sync request.
pub const DEFAULT_TRUST_SYNC_TIMEOUT_SECONDS: u64 = 30;
/// Default retries of a failed trust sync request.
pub const DEFAULT_TRUST_SYNC_RETRIES: u32 = 3;
/// Default largest picture uploaded to `POST /v1/verify`: 8 MiB.
pub const DEFAULT_UPLOAD_BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;
/// Default memory for the whole picture upload path: bodies held and scan workers.
pub const DEFAULT_UPLOAD_MEMORY_BUDGET_BYTES: u64 = 1024 * 1024 * 1024;
/// Least memory one scan may have (its worker, besides the picture's body).
pub const MIN_SCAN_MEMORY_BYTES: u64 = 128 * 1024 * 1024;
/// Default time a scan may spend on one image.
pub const DEFAULT_UPLOAD_SCAN_BUDGET_MS: u64 = 250;

/// Every environment variable the service reads, with what it overrides.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "IKD_CONFIG",
        "configuration file, when --config is not given",
    ),
    ("IKD_LISTEN", "listen"),
    ("IKD_DATA_DIR", "data_dir"),
    ("IKD_TRUST_STORE", "trust_store"),
    ("IKD_TRUST_RELOAD_SECONDS", "trust_reload_seconds"),
    ("IKD_TRUST_ANCHORS", "trust.anchors"),
    ("IKD_TRUST_ROOTS", "trust.roots (comma-separated hex)"),
    ("IKD_TRUST_CACHE_DIR", "trust.cache_dir"),
    ("IKD_TRUST_SYNC_URL", "trust.sync_url"),
    ("IKD_TRUST_SYNC_SECONDS", "trust.sync_interval_seconds"),
    (
        "IKD_TRUST_SYNC_TIMEOUT_SECONDS",
        "trust.sync_timeout_seconds",
    ),
    ("IKD_TRUST_SYNC_RETRIES", "trust.sync_retries"),
    (
        "IKD_TRUST_LIST_MAX_AGE_SECONDS",
        "policy.trust_list_max_age_seconds",
    ),
    (
        "IKD_TRUST_LIST_GRACE_SECONDS",
        "policy.trust_list_grace_seconds",
    ),
    (
        "IKD_STATUS_LIST_MAX_AGE_SECONDS",
        "policy.status_list_max_age_seconds",
    ),
    (
        "IKD_STATUS_LIST_GRACE_SECONDS",
        "policy.status_list_grace_seconds",
    ),
    ("IKD_UPLOAD_BODY_LIMIT_BYTES", "upload.body_limit_bytes"),
    ("IKD_UPLOAD_CONCURRENCY", "upload.concurrency"),
    ("IKD_UPLOAD_SCAN_BUDGET_MS", "upload.scan_budget_ms"),
    (
        "IKD_UPLOAD_MEMORY_BUDGET_BYTES",
        "upload.memory_budget_bytes",
    ),
    (
        "IKD_UPLOAD_ISOLATION",
        "upload.isolation (\"process\" or \"none\")",
    ),
    (
        "IKD_COUNTER_SECURE_COOKIE",
        "counter.secure_cookie (true behind HTTPS)",
    ),
    (
        "IKD_COUNTER_SESSION_IDLE_MINUTES",
        "counter.session_idle_minutes",
    ),
    (
        "IKD_COUNTER_SESSION_MAX_MINUTES",
        "counter.session_max_minutes",
    ),
    ("IKD_LOG", "log.level"),
    ("IKD_LOG_FORMAT", "log.format"),
    ("IKD_BODY_LIMIT_BYTES", "http.body_limit_bytes"),
    ("IKD_REQUEST_TIMEOUT_MS", "http.request_timeout_ms"),
    ("IKD_MAX_CONNECTIONS", "http.max_connections"),
    ("IKD_HEADER_READ_TIMEOUT_MS", "http.header_read_timeout_ms"),
    ("IKD_SHUTDOWN_GRACE_MS", "http.shutdown_grace_ms"),
    ("IKD_H2C", "http.h2c (true or false)"),
    (
        "IKD_CORS_ORIGINS",
        "http.cors_allowed_origins (comma-separated)",
    ),
    ("IKD_LEEWAY_SECONDS", "policy.leeway_seconds"),
    (
        "IKD_PRESENTATION_MAX_AGE_SECONDS",
        "policy.presentation_max_age_seconds",
    ),
    (
        "IKD_PRESENTATION_LEEWAY_SECONDS",
        "policy.presentation_leeway_seconds",
    ),
    (
        "IKD_BARE_CREDENTIALS",
        "policy.bare_credentials (comma-separated document types, or none)",
    ),
    ("IKD_AUDIENCE", "policy.audience"),
    (
        "IKD_REPLAY_STORE",
        "policy.replay_store (\"memory\" or \"audit_database\")",
    ),
    (
        "IKD_AUDIT_BACKEND",
        "audit.backend (\"sqlite\" or \"postgres\")",
    ),
    ("IKD_AUDIT_DB", "audit.path"),
    ("IKD_AUDIT_POSTGRES_URL", "audit.postgres_url"),
    ("IKD_AUDIT_HMAC_KEY", "audit.hmac_key"),
    ("IKD_AUDIT_RETENTION_DAYS", "audit.retention_days"),
    ("IKD_AUDIT_PURGE_SECONDS", "audit.purge_interval_seconds"),
];

/// A configuration problem, naming the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn error(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// The audit log's HMAC key. Its `Debug` form does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct HmacKey(Vec<u8>);

impl HmacKey {
    /// Parses hex of at least [`MIN_HMAC_KEY_LEN`] bytes.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = ikd_sdk::encoding::hex_decode(text.trim())?;
        (bytes.len() >= MIN_HMAC_KEY_LEN).then_some(HmacKey(bytes))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

/// One API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The client's identifier, as logs, metrics and the audit log name it.
    pub id: String,
    /// SHA-256 of the API key.
    pub api_key_sha256: [u8; 32],
    /// The purposes it may ask for.
    pub purposes: Vec<&'static Purpose>,
    /// The purpose used when a request names none.
    pub default_purpose: &'static Purpose,
    /// Sustained rate: requests per minute.
    pub rate_limit_per_minute: u32,
    /// Largest burst; defaults to the per-minute rate.
    pub burst: u32,
}

/// HTTP limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Largest request body, in bytes.
    pub body_limit_bytes: usize,
    /// Time limit for one request, body included.
    pub request_timeout: Duration,
    /// Origins allowed by CORS; empty: CORS off (no CORS headers).
    pub cors_allowed_origins: Vec<String>,
    /// The accept loop: connection cap, header-read timeout, shutdown grace, h2c.
    pub connections: ConnectionSettings,
}

/// A PostgreSQL connection string (`host=… user=… dbname=…` or `postgresql://…`). It
/// may hold a password: its `Debug` form does not show it, and [`PostgresUrl::describe`]
/// names only the user, hosts, ports and database.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// Checks that `text` is a connection string the PostgreSQL client accepts.
    pub fn parse(text: &str) -> Option<Self> {
        text.trim()
            .parse::<postgres::Config>()
            .ok()
            .map(|_| PostgresUrl(text.trim().to_owned()))
    }

    /// The client configuration.
    pub fn config(&self) -> Option<postgres::Config> {
        self.0.parse().ok()
    }

    /// `user@host:port/dbname`, without the password, for messages and logs.
    pub fn describe(&self) -> String {
        let Some(config) = self.config() else {
            return "PostgreSQL (unreadable connection string)".to_owned();
        };
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|host| match host {
                postgres::config::Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
        format!(
            "PostgreSQL {}@{}:{}/{}",
            config.get_user().unwrap_or("-"),
            if hosts.is_empty() {
                "-".to_owned()
            } else {
                hosts.join(",")
            },
            if ports.is_empty() {
                "5432".to_owned()
            } else {
                ports.join(",")
            },
            config.get_dbname().unwrap_or("-"),
        )
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", self.describe())
    }
}

/// Where audit rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditBackend {
    /// An embedded SQLite database file (the default): one instance.
    Sqlite {
        /// The database file.
        path: PathBuf,
    },
    /// A PostgreSQL database, shared by several instances behind a load balancer.
    Postgres {
        /// The connection string.
        url: PostgresUrl,
    },
}

impl AuditBackend {
    /// The backend's name, as configured.
    pub fn name(&self) -> &'static str {
        match self {
            AuditBackend::Sqlite { .. } => "sqlite",
            AuditBackend::Postgres { .. } => "postgres",
        }
    }

    /// What it writes to, without secrets: the file, or `PostgreSQL user@host:port/db`.
    pub fn describe(&self) -> String {
        match self {
            AuditBackend::Sqlite { path } => format!("SQLite {}", path.display()),
            AuditBackend::Postgres { url } => url.describe(),
        }
    }
}

/// The audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// Where rows go: SQLite or PostgreSQL.
    pub backend: AuditBackend,
    /// Key of the HMAC-SHA256 applied to credential identifiers.
    pub hmac_key: HmacKey,
    /// Rows older than this many days are deleted.
    pub retention_days: u32,
    /// How often old rows are deleted while running.
    pub purge_interval: Duration,
}

/// The signed trust data: a trust list signed by a pinned root, and the status lists it
/// names, kept in a cache folder by the SDK's [`ikd_sdk::store::TrustCache`] and, with a
/// sync URL, fetched by its [`ikd_sdk::sync::SyncClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTrustConfig {
    /// The cache folder.
    pub cache_dir: PathBuf,
    /// A trust anchors file (`ikd trust anchors` output), if configured.
    pub anchors_file: Option<PathBuf>,
    /// Root public keys given inline.
    pub roots: Vec<IssuerPublicKey>,
    /// Where to sync from; without it the cache is only read at start.
    pub sync: Option<SyncSettings>,
}

/// How the trust data is synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// The base URL of the published folder (`http://` or `https://`).
    pub url: String,
    /// Time between two syncs (a failed sync is tried again sooner, see the README).
    pub interval: Duration,
    /// Time limit of one request.
    pub request_timeout: Duration,
    /// Retries of a failed request within one sync.
    pub retries: u32,
}

/// Picture uploads to `POST /v1/verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadConfig {
    /// Largest picture, in bytes.
    pub body_limit_bytes: usize,
    /// Most pictures received and scanned at once.
    pub concurrency: usize,
    /// Time a scan may spend on one image.
    pub scan_budget: Duration,
    /// Memory for the whole upload path: `concurrency` bodies and scan workers.
    pub memory_budget_bytes: u64,
    /// Memory cap of one scan worker: the budget's share per scan, less one body.
    pub worker_memory_bytes: u64,
    /// Where pictures are scanned.
    pub isolation: ScanIsolation,
}

/// Where the service scans uploaded pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanIsolation {
    /// In a worker process per picture, with its memory and CPU capped, killed when its
    /// request ends; `program` is the service's own executable unless set.
    Process {
        /// The program started with `scan-worker`.
        program: Option<PathBuf>,
    },
    /// On a thread of the service (for tests and platforms that cannot start processes):
    /// no memory cap beyond the decoders' own limits.
    InProcess,
}

impl UploadConfig {
    /// The scanner's options: the time budget, and image limits that fit one scan's
    /// share of the memory budget, so that a picture beyond it is refused from its header
    /// before any pixel is decoded.
    pub fn scan_options(&self) -> ikd_sdk::scan::ScanOptions {
        let mut options = ikd_sdk::scan::ScanOptions::default();
        options.time_budget = Some(self.scan_budget);
        options.limits.max_file_bytes = self.body_limit_bytes;
        // A decoded image, its grey copy and the pipeline's working copies: the decoder
        // gets half the share, and each pixel may take up to 6 bytes along the way.
        options.limits.max_decoder_bytes = self.worker_memory_bytes / 2;
        options.limits.max_pixels = options.limits.max_pixels.min(self.worker_memory_bytes / 6);
        options
    }

    /// The scan worker's caps.
    pub fn worker_limits(&self) -> ikd_sdk::scan::WorkerLimits {
        let cpu_seconds = self.scan_budget.as_secs().saturating_mul(64).clamp(30, 600);
        ikd_sdk::scan::WorkerLimits::new(self.worker_memory_bytes, cpu_seconds)
    }
}

/// The service's whole configuration, resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The directory relative paths resolve against.
    pub data_dir: PathBuf,
    /// The trust store file (JSON, `ikd-trust-store/1`).
    pub trust_store: PathBuf,
    /// How often the trust store file is checked for changes.
    pub trust_reload: Duration,
    /// The signed trust data; when set, it is used and `trust_store` is not.
    pub trust: Option<SignedTrustConfig>,
    /// How old the trust list may be.
    pub trust_list_freshness: Freshness,
    /// How old a status list may be.
    pub status_list_freshness: Freshness,
    /// Picture uploads.
    pub upload: UploadConfig,
    /// Log filter (`info`, `debug`, or a tracing `EnvFilter` directive).
    pub log_level: String,
    /// Log format.
    pub log_format: LogFormat,
    /// HTTP limits.
    pub http: HttpConfig,
    /// Clock-skew leeway, in seconds.
    pub leeway_seconds: u32,
    /// Largest age of a holder presentation, in seconds.
    pub presentation_max_age_seconds: u32,
    /// Clock-skew leeway for a presentation's times, in seconds.
    pub presentation_leeway_seconds: u32,
    /// Document types accepted.
    pub accepted_doc_types: DocTypeSet,
    /// Document types accepted without a presentation from the holder's phone.
    pub bare_credentials: DocTypeSet,
    /// This verifier's identifier, which a challenge asks presentations to bind.
    pub audience: Option<String>,
    /// Where accepted presentations are remembered to refuse replays.
    pub replay: ReplayStoreConfig,
    /// The audit log.
    pub audit: AuditConfig,
    /// The API clients.
    pub clients: Vec<ClientConfig>,
    /// The counter page: session settings and staff accounts.
    pub counter: crate::counter::config::CounterConfig,
}

impl Config {
    /// The SDK policy this configuration asks for.
    pub fn policy(&self) -> Policy {
        Policy::new()
            .with_leeway_seconds(self.leeway_seconds)
            .with_presentation_age(
                self.presentation_max_age_seconds,
                self.presentation_leeway_seconds,
            )
            .with_accepted_doc_types(self.accepted_doc_types)
            .with_bare_credentials(self.bare_credentials)
            .with_trust_list_freshness(self.trust_list_freshness)
            .with_status_list_freshness(self.status_list_freshness)
    }
}

/// Default size of the replay cache: far above what one instance verifies in a
/// presentation's 90-second life.
pub const DEFAULT_REPLAY_CACHE_CAPACITY: usize = 100_000;

/// Where the service remembers the presentations it accepted (`policy.replay_store`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayStoreConfig {
    /// In this instance's memory (`"memory"`, the default), at most `capacity` of them.
    Memory {
        /// `policy.replay_cache_capacity`.
        capacity: usize,
    },
    /// In the PostgreSQL audit database (`"audit_database"`), shared by every instance
    /// that uses it.
    Postgres {
        /// The audit database's connection string.
        url: PostgresUrl,
    },
}

/// Settings given on the command line; they win over the file and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<String>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
}

/// The TOML file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    trust_store: Option<PathBuf>,
    trust_reload_seconds: Option<u64>,
    #[serde(default)]
    trust: RawTrust,
    #[serde(default)]
    upload: RawUpload,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    audit: RawAudit,
    #[serde(default)]
    clients: Vec<RawClient>,
    #[serde(default)]
    counter: crate::counter::config::RawCounter,
    #[serde(default)]
    staff: Vec<crate::counter::config::RawStaff>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    level: Option<String>,
    format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    body_limit_bytes: Option<usize>,
    request_timeout_ms: Option<u64>,
    cors_allowed_origins: Option<Vec<String>>,
    max_connections: Option<usize>,
    header_read_timeout_ms: Option<u64>,
    shutdown_grace_ms: Option<u64>,
    h2c: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    leeway_seconds: Option<u32>,
    presentation_max_age_seconds: Option<u32>,
    presentation_leeway_seconds: Option<u32>,
    accepted_doc_types: Option<Vec<String>>,
    bare_credentials: Option<Vec<String>>,
    audience: Option<String>,
    replay_store: Option<String>,
    replay_cache_capacity: Option<usize>,
    trust_list_max_age_seconds: Option<u32>,
    trust_list_grace_seconds: Option<u32>,
    status_list_max_age_seconds: Option<u32>,
    status_list_grace_seconds: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrust {
    anchors: Option<PathBuf>,
    roots: Option<Vec<String>>,
    cache_dir: Option<PathBuf>,
    sync_url: Option<String>,
    sync_interval_seconds: Option<u64>,
    sync_timeout_seconds: Option<u64>,
    sync_retries: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpload {
    body_limit_bytes: Option<usize>,
    concurrency: Option<usize>,
    scan_budget_ms: Option<u64>,
    memory_budget_bytes: Option<u64>,
    isolation: Option<String>,
    scan_worker: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    backend: Option<String>,
    path: Option<PathBuf>,
    postgres_url: Option<String>,
    hmac_key: Option<String>,
    retention_days: Option<u32>,
    purge_interval_seconds: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    id: String,
    api_key_sha256: String,
    purposes: Vec<String>,
    default_purpose: Option<String>,
    rate_limit_per_minute: u32,
    burst: Option<u32>,
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

    /// Applies the `IKD_*` environment variables that `lookup` finds.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, ConfigError> {
            text.trim()
                .parse()
                .map_err(|_| error(format!("{name} must be a whole number")))
        }
        if let Some(v) = lookup("IKD_LISTEN") {
            self.listen = Some(v);
        }
        if let Some(v) = lookup("IKD_DATA_DIR") {
            self.data_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("IKD_TRUST_STORE") {
            self.trust_store = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("IKD_TRUST_RELOAD_SECONDS") {
            self.trust_reload_seconds = Some(number("IKD_TRUST_RELOAD_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_TRUST_ANCHORS") {
            self.trust.anchors = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("IKD_TRUST_ROOTS") {
            self.trust.roots = Some(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
        if let Some(v) = lookup("IKD_TRUST_CACHE_DIR") {
            self.trust.cache_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("IKD_TRUST_SYNC_URL") {
            self.trust.sync_url = Some(v);
        }
        if let Some(v) = lookup("IKD_TRUST_SYNC_SECONDS") {
            self.trust.sync_interval_seconds = Some(number("IKD_TRUST_SYNC_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_TRUST_SYNC_TIMEOUT_SECONDS") {
            self.trust.sync_timeout_seconds = Some(number("IKD_TRUST_SYNC_TIMEOUT_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_TRUST_SYNC_RETRIES") {
            self.trust.sync_retries = Some(number("IKD_TRUST_SYNC_RETRIES", &v)?);
        }
        for (name, field) in [
            (
                "IKD_TRUST_LIST_MAX_AGE_SECONDS",
                &mut self.policy.trust_list_max_age_seconds,
            ),
            (
                "IKD_TRUST_LIST_GRACE_SECONDS",
                &mut self.policy.trust_list_grace_seconds,
            ),
            (
                "IKD_STATUS_LIST_MAX_AGE_SECONDS",
                &mut self.policy.status_list_max_age_seconds,
            ),
            (
                "IKD_STATUS_LIST_GRACE_SECONDS",
                &mut self.policy.status_list_grace_seconds,
            ),
        ] {
            if let Some(v) = lookup(name) {
                *field = Some(number(name, &v)?);
            }
        }
        if let Some(v) = lookup("IKD_UPLOAD_BODY_LIMIT_BYTES") {
            self.upload.body_limit_bytes = Some(number("IKD_UPLOAD_BODY_LIMIT_BYTES", &v)?);
        }
        if let Some(v) = lookup("IKD_UPLOAD_CONCURRENCY") {
            self.upload.concurrency = Some(number("IKD_UPLOAD_CONCURRENCY", &v)?);
        }
        if let Some(v) = lookup("IKD_UPLOAD_SCAN_BUDGET_MS") {
            self.upload.scan_budget_ms = Some(number("IKD_UPLOAD_SCAN_BUDGET_MS", &v)?);
        }
        if let Some(v) = lookup("IKD_UPLOAD_MEMORY_BUDGET_BYTES") {
            self.upload.memory_budget_bytes = Some(number("IKD_UPLOAD_MEMORY_BUDGET_BYTES", &v)?);
        }
        if let Some(v) = lookup("IKD_UPLOAD_ISOLATION") {
            self.upload.isolation = Some(v);
        }
        self.counter.apply_env(&lookup)?;
        if let Some(v) = lookup("IKD_LOG") {
            self.log.level = Some(v);
        }
        if let Some(v) = lookup("IKD_LOG_FORMAT") {
            self.log.format = Some(v);
        }
        if let Some(v) = lookup("IKD_BODY_LIMIT_BYTES") {
            self.http.body_limit_bytes = Some(number("IKD_BODY_LIMIT_BYTES", &v)?);
        }
        if let Some(v) = lookup("IKD_REQUEST_TIMEOUT_MS") {
            self.http.request_timeout_ms = Some(number("IKD_REQUEST_TIMEOUT_MS", &v)?);
        }
        if let Some(v) = lookup("IKD_MAX_CONNECTIONS") {
            self.http.max_connections = Some(number("IKD_MAX_CONNECTIONS", &v)?);
        }
        if let Some(v) = lookup("IKD_HEADER_READ_TIMEOUT_MS") {
            self.http.header_read_timeout_ms = Some(number("IKD_HEADER_READ_TIMEOUT_MS", &v)?);
        }
        if let Some(v) = lookup("IKD_SHUTDOWN_GRACE_MS") {
            self.http.shutdown_grace_ms = Some(number("IKD_SHUTDOWN_GRACE_MS", &v)?);
        }
        if let Some(v) = lookup("IKD_H2C") {
            self.http.h2c = Some(match v.trim() {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return Err(error("IKD_H2C must be true or false")),
            });
        }
        if let Some(v) = lookup("IKD_CORS_ORIGINS") {
            self.http.cors_allowed_origins = Some(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
        if let Some(v) = lookup("IKD_LEEWAY_SECONDS") {
            self.policy.leeway_seconds = Some(number("IKD_LEEWAY_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_PRESENTATION_MAX_AGE_SECONDS") {
            self.policy.presentation_max_age_seconds =
                Some(number("IKD_PRESENTATION_MAX_AGE_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_PRESENTATION_LEEWAY_SECONDS") {
            self.policy.presentation_leeway_seconds =
                Some(number("IKD_PRESENTATION_LEEWAY_SECONDS", &v)?);
        }
        if let Some(v) = lookup("IKD_BARE_CREDENTIALS") {
            self.policy.bare_credentials = Some(
                v.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && *t != "none")
                    .map(str::to_owned)
                    .collect(),
            );
        }
        if let Some(v) = lookup("IKD_AUDIENCE") {
            self.policy.audience = Some(v);
        }
        if let Some(v) = lookup("IKD_REPLAY_STORE") {
            self.policy.replay_store = Some(v);
        }
        if let Some(v) = lookup("IKD_AUDIT_BACKEND") {
            self.audit.backend = Some(v);
        }
        if let Some(v) = lookup("IKD_AUDIT_DB") {
            self.audit.path = Some(PathBuf::from(v));
        }
        if let Some(v) = lookup("IKD_AUDIT_POSTGRES_URL") {
            self.audit.postgres_url = Some(v);
        }
        if let Some(v) = lookup("IKD_AUDIT_HMAC_KEY") {
            self.audit.hmac_key = Some(v);
        }
        if let Some(v) = lookup("IKD_AUDIT_RETENTION_DAYS") {
            self.audit.retention_days = Some(number("IKD_AUDIT_RETENTION_DAYS", &v)?);
        }
        if let Some(v) = lookup("IKD_AUDIT_PURGE_SECONDS") {
            self.audit.purge_interval_seconds = Some(number("IKD_AUDIT_PURGE_SECONDS", &v)?);
        }
        Ok(())
    }

    /// Applies command-line overrides. A `--data-dir` given here resolves against the
    /// working directory.
    pub fn apply_overrides(&mut self, overrides: &Overrides) {
        if let Some(listen) = &overrides.listen {
            self.listen = Some(listen.clone());
        }
        if let Some(dir) = &overrides.data_dir {
            self.data_dir = Some(dir.clone());
        }
    }

    /// Checks every setting and resolves paths. A relative `data_dir` resolves against
    /// `base_dir` (the configuration file's directory); relative files resolve against the
    /// data directory, which defaults to `base_dir`.
    pub fn resolve(self, base_dir: &Path) -> Result<Config, ConfigError> {
        let listen_text = self.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| error("listen must be an address like 127.0.0.1:8080"))?;
        let data_dir = match self.data_dir {
            Some(dir) => base_dir.join(dir),
            None => base_dir.to_path_buf(),
        };
        let signed_trust = self.trust.resolve(&data_dir)?;
        if signed_trust.is_some() && self.trust_store.is_some() {
            return Err(error(
                "trust_store (an unsigned file, for development) and trust.anchors / \
                 trust.roots (the signed trust list) exclude each other; configure one",
            ));
        }
        let trust_store = data_dir.join(
            self.trust_store
                .unwrap_or_else(|| PathBuf::from(DEFAULT_TRUST_STORE)),
        );
        let upload = self.upload.resolve()?;
        let trust_reload = Duration::from_secs(positive(
            "trust_reload_seconds",
            self.trust_reload_seconds
                .unwrap_or(DEFAULT_TRUST_RELOAD_SECONDS),
        )?);

        let log_level = self.log.level.unwrap_or_else(|| "info".to_owned());
        let log_format = match self.log.format.as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(error("log.format must be \"text\" or \"json\"")),
        };

        let body_limit_bytes = self
            .http
            .body_limit_bytes
            .unwrap_or(DEFAULT_BODY_LIMIT_BYTES);
        if !(256..=16 * 1024 * 1024).contains(&body_limit_bytes) {
            return Err(error(
                "http.body_limit_bytes must be between 256 and 16777216",
            ));
        }
        let request_timeout = Duration::from_millis(positive(
            "http.request_timeout_ms",
            self.http
                .request_timeout_ms
                .unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS),
        )?);
        let max_connections = self.http.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if !(16..=65_536).contains(&max_connections) {
            return Err(error("http.max_connections must be between 16 and 65536"));
        }
        let header_read_timeout = Duration::from_millis(positive(
            "http.header_read_timeout_ms",
            self.http
                .header_read_timeout_ms
                .unwrap_or(DEFAULT_HEADER_READ_TIMEOUT_MS),
        )?);
        let shutdown_grace = Duration::from_millis(
            self.http
                .shutdown_grace_ms
                .unwrap_or(DEFAULT_SHUTDOWN_GRACE_MS),
        );
        let connections = ConnectionSettings {
            max_connections,
            header_read_timeout,
            shutdown_grace,
            h2c: self.http.h2c.unwrap_or(false),
        };
        let cors_allowed_origins = self.http.cors_allowed_origins.unwrap_or_default();
        for origin in &cors_allowed_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && origin.parse::<axum::http::HeaderValue>().is_ok()
                && !origin.ends_with('/');
            if !ok {
                return Err(error(
                    "http.cors_allowed_origins must hold origins like https://bank.example",
                ));
            }
        }

        let leeway_seconds = self
            .policy
            .leeway_seconds
            .unwrap_or(ikd_sdk::policy::DEFAULT_LEEWAY_SECONDS);
        let presentation_max_age_seconds = u32::try_from(positive(
            "policy.presentation_max_age_seconds",
            u64::from(
                self.policy
                    .presentation_max_age_seconds
                    .unwrap_or(ikd_sdk::policy::DEFAULT_PRESENTATION_MAX_AGE_SECONDS),
            ),
        )?)
        .unwrap_or(ikd_sdk::policy::DEFAULT_PRESENTATION_MAX_AGE_SECONDS);
        let presentation_leeway_seconds = self
            .policy
            .presentation_leeway_seconds
            .unwrap_or(ikd_sdk::policy::DEFAULT_PRESENTATION_LEEWAY_SECONDS);
        let trust_list_freshness = freshness(
            "policy.trust_list_max_age_seconds",
            self.policy.trust_list_max_age_seconds,
            self.policy.trust_list_grace_seconds,
            Policy::default().trust_list,
        )?;
        let status_list_freshness = freshness(
            "policy.status_list_max_age_seconds",
            self.policy.status_list_max_age_seconds,
            self.policy.status_list_grace_seconds,
            Policy::default().status_list,
        )?;
        let doc_types = |name: &str, names: Option<Vec<String>>, default: DocTypeSet| {
            names.map_or(Ok(default), |names| {
                names
                    .iter()
                    .map(|n| DocType::from_name(n))
                    .collect::<Option<DocTypeSet>>()
                    .ok_or_else(|| {
                        error(format!(
                            "{name} may hold ktp, kk, identity, age_over_17 and domicile"
                        ))
                    })
            })
        };
        let accepted_doc_types = doc_types(
            "policy.accepted_doc_types",
            self.policy.accepted_doc_types,
            DocTypeSet::all(),
        )?;
        let bare_credentials = doc_types(
            "policy.bare_credentials",
            self.policy.bare_credentials,
            Policy::default().bare_credentials,
        )?;
        let audience = match self.policy.audience {
            Some(audience) if ikd_sdk::Challenge::new("AAAAAA", Some(&audience)).is_err() => {
                return Err(error(
                    "policy.audience must be 1 to 128 bytes without control characters",
                ));
            }
            audience => audience,
        };
        let replay_cache_capacity = self
            .policy
            .replay_cache_capacity
            .unwrap_or(DEFAULT_REPLAY_CACHE_CAPACITY);

        let backend = match self.audit.backend.as_deref().unwrap_or("sqlite") {
            "sqlite" => {
                if self.audit.postgres_url.is_some() {
                    return Err(error(
                        "audit.postgres_url is set but audit.backend is \"sqlite\"; set \
                         audit.backend = \"postgres\" to use it",
                    ));
                }
                AuditBackend::Sqlite {
                    path: data_dir.join(
                        self.audit
                            .path
                            .unwrap_or_else(|| PathBuf::from(DEFAULT_AUDIT_DB)),
                    ),
                }
            }
            "postgres" => {
                if self.audit.path.is_some() {
                    return Err(error(
                        "audit.path is for the sqlite backend; the postgres backend uses \
                         audit.postgres_url",
                    ));
                }
                let text = self.audit.postgres_url.ok_or_else(|| {
                    error(
                        "audit.postgres_url (or IKD_AUDIT_POSTGRES_URL) is required for the \
                         postgres backend",
                    )
                })?;
                let url = PostgresUrl::parse(&text).ok_or_else(|| {
                    error(
                        "audit.postgres_url must be a PostgreSQL connection string \
                         (\"host=... user=... dbname=...\" or \"postgresql://...\")",
                    )
                })?;
                AuditBackend::Postgres { url }
            }
            _ => return Err(error("audit.backend must be \"sqlite\" or \"postgres\"")),
        };
        let replay = match (self.policy.replay_store.as_deref(), &backend) {
            (None | Some("memory"), _) => ReplayStoreConfig::Memory {
                capacity: replay_cache_capacity,
            },
            (Some("audit_database"), AuditBackend::Postgres { url }) => {
                if self.policy.replay_cache_capacity.is_some() {
                    return Err(error(
                        "policy.replay_cache_capacity is for the memory replay store; the \
                         audit database keeps every presentation until it expires",
                    ));
                }
                ReplayStoreConfig::Postgres { url: url.clone() }
            }
            (Some("audit_database"), AuditBackend::Sqlite { .. }) => {
                return Err(error(
                    "policy.replay_store = \"audit_database\" shares replays between \
                     instances through the postgres audit backend; one instance with sqlite \
                     keeps them in memory (\"memory\")",
                ));
            }
            (Some(_), _) => {
                return Err(error(
                    "policy.replay_store must be \"memory\" or \"audit_database\"",
                ));
            }
        };
        let hmac_key = match self.audit.hmac_key {
            None => {
                return Err(error(
                    "audit.hmac_key (or IKD_AUDIT_HMAC_KEY) is required: at least 32 random \
                     bytes as hex",
                ));
            }
            Some(text) => HmacKey::from_hex(&text)
                .ok_or_else(|| error("audit.hmac_key must be hex of at least 32 bytes"))?,
        };
        let retention_days = u32::try_from(positive(
            "audit.retention_days",
            u64::from(self.audit.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS)),
        )?)
        .unwrap_or(DEFAULT_RETENTION_DAYS);
        let purge_interval = Duration::from_secs(positive(
            "audit.purge_interval_seconds",
            self.audit
                .purge_interval_seconds
                .unwrap_or(DEFAULT_PURGE_INTERVAL_SECONDS),
        )?);

        let mut clients: Vec<ClientConfig> = Vec::new();
        for (index, raw) in self.clients.into_iter().enumerate() {
            let client = raw.resolve(index)?;
            if clients.iter().any(|c| c.id == client.id) {
                return Err(error(format!("clients[{index}]: id is used twice")));
            }
            if clients
                .iter()
                .any(|c| c.api_key_sha256 == client.api_key_sha256)
            {
                return Err(error(format!(
                    "clients[{index}]: api_key_sha256 is used by another client"
                )));
            }
            clients.push(client);
        }
        let counter = crate::counter::config::resolve(self.counter, self.staff, &clients)?;

        Ok(Config {
            listen,
            data_dir,
            trust_store,
            trust_reload,
            trust: signed_trust,
            trust_list_freshness,
            status_list_freshness,
            upload,
            log_level,
            log_format,
            http: HttpConfig {
                body_limit_bytes,
                request_timeout,
                cors_allowed_origins,
                connections,
            },
            leeway_seconds,
            presentation_max_age_seconds,
            presentation_leeway_seconds,
            accepted_doc_types,
            bare_credentials,
            audience,
            replay,
            audit: AuditConfig {
                backend,
                hmac_key,
                retention_days,
                purge_interval,
            },
            clients,
            counter,
        })
    }
}

/// A freshness rule from its two settings: a grace of 0 rejects stale data at once.
fn freshness(
    name: &str,
    max_age: Option<u32>,
    grace: Option<u32>,
    default: Freshness,
) -> Result<Freshness, ConfigError> {
    let max_age = max_age.unwrap_or(default.max_age_seconds);
    if max_age == 0 {
        return Err(error(format!("{name} must be at least 1")));
    }
    Ok(match grace.unwrap_or(default.grace_seconds()) {
        0 => Freshness::reject_after(max_age),
        grace => Freshness::warn_after(max_age, grace),
    })
}

impl RawTrust {
    /// The signed trust configuration, if roots are configured.
    fn resolve(self, data_dir: &Path) -> Result<Option<SignedTrustConfig>, ConfigError> {
        let mut roots = Vec::new();
        for (i, hex) in self.roots.unwrap_or_default().iter().enumerate() {
            let key = ikd_sdk::encoding::hex_decode(hex.trim())
                .and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
                .ok_or_else(|| {
                    error(format!(
                        "trust.roots[{i}] must be an Ed25519 public key as 64 hex digits"
                    ))
                })?;
            roots.push(key);
        }
        let anchors_file = self.anchors.map(|file| data_dir.join(file));
        if anchors_file.is_none() && roots.is_empty() {
            let set = self.cache_dir.is_some()
                || self.sync_url.is_some()
                || self.sync_interval_seconds.is_some()
                || self.sync_timeout_seconds.is_some()
                || self.sync_retries.is_some();
            if set {
                return Err(error(
                    "trust.anchors or trust.roots is required with the other trust settings: \
                     the signed trust list is verified against pinned root keys",
                ));
            }
            return Ok(None);
        }
        let sync = match self.sync_url {
            None => None,
            Some(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(error("trust.sync_url must be an http:// or https:// URL"));
                }
                Some(SyncSettings {
                    url,
                    interval: Duration::from_secs(positive(
                        "trust.sync_interval_seconds",
                        self.sync_interval_seconds
                            .unwrap_or(DEFAULT_TRUST_SYNC_SECONDS),
                    )?),
                    request_timeout: Duration::from_secs(positive(
                        "trust.sync_timeout_seconds",
                        self.sync_timeout_seconds
                            .unwrap_or(DEFAULT_TRUST_SYNC_TIMEOUT_SECONDS),
                    )?),
                    retries: self
                        .sync_retries
                        .unwrap_or(DEFAULT_TRUST_SYNC_RETRIES)
                        .min(10),
                })
            }
        };
        Ok(Some(SignedTrustConfig {
            cache_dir: data_dir.join(
                self.cache_dir
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_TRUST_CACHE_DIR)),
            ),
            anchors_file,
            roots,
            sync,
        }))
    }
}

impl RawUpload {
    fn resolve(self) -> Result<UploadConfig, ConfigError> {
        let body_limit_bytes = self
            .body_limit_bytes
            .unwrap_or(DEFAULT_UPLOAD_BODY_LIMIT_BYTES);
        if !(1024..=32 * 1024 * 1024).contains(&body_limit_bytes) {
            return Err(error(
                "upload.body_limit_bytes must be between 1024 and 33554432",
            ));
        }
        let memory_budget_bytes = self
            .memory_budget_bytes
            .unwrap_or(DEFAULT_UPLOAD_MEMORY_BUDGET_BYTES);
        if !(256 * 1024 * 1024..=1 << 40).contains(&memory_budget_bytes) {
            return Err(error(
                "upload.memory_budget_bytes must be between 268435456 and 1099511627776",
            ));
        }
        // Each scan needs room for its body and a worker of at least the minimum size.
        let per_scan = body_limit_bytes as u64 + MIN_SCAN_MEMORY_BYTES;
        let fits = usize::try_from(memory_budget_bytes / per_scan).unwrap_or(usize::MAX);
        let concurrency = match self.concurrency {
            Some(n) => {
                let n = usize::try_from(positive("upload.concurrency", n as u64)?)
                    .unwrap_or(1)
                    .min(256);
                if n > fits {
                    return Err(error(format!(
                        "upload.concurrency: {n} scans of upload.body_limit_bytes plus 128 MiB \
                         each do not fit upload.memory_budget_bytes (at most {fits})"
                    )));
                }
                n
            }
            // One scan per core, as many as the budget holds.
            None => std::thread::available_parallelism()
                .map_or(2, usize::from)
                .min(fits)
                .max(1),
        };
        let worker_memory_bytes =
            memory_budget_bytes / concurrency as u64 - body_limit_bytes as u64;
        let budget = positive(
            "upload.scan_budget_ms",
            self.scan_budget_ms.unwrap_or(DEFAULT_UPLOAD_SCAN_BUDGET_MS),
        )?;
        if budget > 10_000 {
            return Err(error("upload.scan_budget_ms must be at most 10000"));
        }
        let isolation = match self.isolation.as_deref() {
            None | Some("process") => ScanIsolation::Process {
                program: self.scan_worker,
            },
            Some("none") if self.scan_worker.is_none() => ScanIsolation::InProcess,
            Some("none") => {
                return Err(error(
                    "upload.scan_worker is set but upload.isolation is \"none\"",
                ));
            }
            Some(_) => {
                return Err(error("upload.isolation must be \"process\" or \"none\""));
            }
        };
        Ok(UploadConfig {
            body_limit_bytes,
            concurrency,
            scan_budget: Duration::from_millis(budget),
            memory_budget_bytes,
            worker_memory_bytes,
            isolation,
        })
    }
}

fn positive(name: &str, value: u64) -> Result<u64, ConfigError> {
    if value == 0 {
        Err(error(format!("{name} must be at least 1")))
    } else {
        Ok(value)
    }
}

impl RawClient {
    fn resolve(self, index: usize) -> Result<ClientConfig, ConfigError> {
        let at = |what: &str| error(format!("clients[{index}]: {what}"));
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !id_ok {
            return Err(at("id must be 1 to 64 of A-Z a-z 0-9 - _ ."));
        }
        let api_key_sha256: [u8; 32] = ikd_sdk::encoding::hex_decode(&self.api_key_sha256)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| at("api_key_sha256 must be 64 hex digits (SHA-256 of the key)"))?;
        if self.purposes.is_empty() {
            return Err(at("purposes must name at least one purpose"));
        }
        let mut purposes: Vec<&'static Purpose> = Vec::new();
        for name in &self.purposes {
            let purpose = disclosure::purpose(name).ok_or_else(|| {
                at("purposes may hold only kyc, identity, age_check and domicile")
            })?;
            if !purposes.contains(&purpose) {
                purposes.push(purpose);
            }
        }
        let default_purpose = match &self.default_purpose {
            None => purposes.first().copied().ok_or_else(|| at("no purpose"))?,
            Some(name) => purposes
                .iter()
                .copied()
                .find(|p| p.name == name)
                .ok_or_else(|| at("default_purpose must be one of its purposes"))?,
        };
        if self.rate_limit_per_minute == 0 {
            return Err(at("rate_limit_per_minute must be at least 1"));
        }
        let burst = self.burst.unwrap_or(self.rate_limit_per_minute);
        if burst == 0 {
            return Err(at("burst must be at least 1"));
        }
        Ok(ClientConfig {
            id: self.id,
            api_key_sha256,
            purposes,
            default_purpose,
            rate_limit_per_minute: self.rate_limit_per_minute,
            burst,
        })
    }
}

/// Reads, overrides and resolves the configuration.
///
/// `path` is the configuration file, if any; without one, every setting comes from the
/// environment, the flags and the defaults, and relative paths resolve against the
/// working directory.
pub fn load(
    path: Option<&Path>,
    lookup: impl Fn(&str) -> Option<String>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let (mut raw, base_dir) = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                error(format!(
                    "cannot read the configuration file {}: {e}",
                    path.display()
                ))
            })?;
            let base = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            (RawConfig::parse(&text)?, base)
        }
        None => (RawConfig::default(), PathBuf::from(".")),
    };
    // A data directory from the environment or the command line is relative to the
    // working directory, not to the file.
    let cwd_dir = |dir: PathBuf| -> PathBuf {
        if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir().map_or(dir.clone(), |cwd| cwd.join(&dir))
        }
    };
    raw.apply_env(&lookup)?;
    if lookup("IKD_DATA_DIR").is_some() {
        raw.data_dir = raw.data_dir.map(cwd_dir);
    }
    raw.apply_overrides(overrides);
    if overrides.data_dir.is_some() {
        raw.data_dir = raw.data_dir.map(cwd_dir);
    }
    raw.resolve(&base_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0011223344556677889900112233445566778899001122334455667788990011";

    fn minimal() -> String {
        format!("[audit]\nhmac_key = \"{KEY}\"\n")
    }

    fn resolve(text: &str) -> Result<Config, ConfigError> {
        RawConfig::parse(text)?.resolve(Path::new("/srv/ikd"))
    }

    #[test]
    fn defaults() {
        let config = resolve(&minimal()).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.trust_store, Path::new("/srv/ikd/trust.json"));
        assert_eq!(
            config.audit.backend,
            AuditBackend::Sqlite {
                path: PathBuf::from("/srv/ikd/audit.sqlite3")
            }
        );
        assert_eq!(config.http.body_limit_bytes, 64 * 1024);
        assert!(config.http.cors_allowed_origins.is_empty());
        assert_eq!(config.audit.retention_days, 90);
        assert_eq!(config.policy(), Policy::default());
        assert!(config.clients.is_empty());
        assert_eq!(format!("{:?}", config.audit.hmac_key), "HmacKey(..)");
    }

    #[test]
    fn the_replay_store_is_memory_or_the_postgres_audit_database() {
        let with = |policy: &str, audit: &str| {
            resolve(&format!(
                "[policy]\n{policy}\n[audit]\nhmac_key = \"{KEY}\"\n{audit}\n"
            ))
        };
        let postgres = "backend = \"postgres\"\npostgres_url = \"host=db user=ikd dbname=ikd\"";
        assert_eq!(
            resolve(&minimal()).unwrap().replay,
            ReplayStoreConfig::Memory {
                capacity: DEFAULT_REPLAY_CACHE_CAPACITY
            }
        );
        assert_eq!(
            with("replay_cache_capacity = 50", "").unwrap().replay,
            ReplayStoreConfig::Memory { capacity: 50 }
        );
        let shared = with("replay_store = \"audit_database\"", postgres).unwrap();
        assert_eq!(
            shared.replay,
            ReplayStoreConfig::Postgres {
                url: PostgresUrl::parse("host=db user=ikd dbname=ikd").unwrap()
            }
        );
        for (policy, audit, complaint) in [
            (
                "replay_store = \"audit_database\"",
                "",
                "postgres audit backend",
            ),
            (
                "replay_store = \"audit_database\"\nreplay_cache_capacity = 5",
                postgres,
                "replay_cache_capacity is for the memory",
            ),
            ("replay_store = \"redis\"", "", "must be \"memory\" or"),
        ] {
            let error = with(policy, audit).unwrap_err().to_string();
            assert!(error.contains(complaint), "{policy}: {error}");
        }
    }

    #[test]
    fn a_full_file() {
        let text = format!(
            r#"
listen = "0.0.0.0:9000"
data_dir = "data"
trust_store = "/etc/ikd/trust.json"
[log]
format = "json"
[http]
body_limit_bytes = 4096
request_timeout_ms = 250
cors_allowed_origins = ["https://bank.example"]
[policy]
leeway_seconds = 5
accepted_doc_types = ["ktp"]
[audit]
hmac_key = "{KEY}"
retention_days = 7
[[clients]]
id = "bank-a"
api_key_sha256 = "{KEY}"
purposes = ["kyc", "age_check"]
default_purpose = "age_check"
rate_limit_per_minute = 10
"#
        );
        let config = resolve(&text).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.data_dir, Path::new("/srv/ikd/data"));
        assert_eq!(config.trust_store, Path::new("/etc/ikd/trust.json"));
        assert_eq!(
            config.audit.backend.describe(),
            "SQLite /srv/ikd/data/audit.sqlite3"
        );
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.http.request_timeout, Duration::from_millis(250));
        assert_eq!(config.leeway_seconds, 5);
        assert!(!config.accepted_doc_types.contains(DocType::Kk));
        let client = &config.clients[0];
        assert_eq!(client.default_purpose.name, "age_check");
        assert_eq!((client.rate_limit_per_minute, client.burst), (10, 10));
    }

    #[test]
    fn environment_and_flags_override_the_file() {
        let mut raw = RawConfig::parse(&minimal()).unwrap();
        raw.apply_env(|name| match name {
            "IKD_LISTEN" => Some("127.0.0.1:1".into()),
            "IKD_AUDIT_RETENTION_DAYS" => Some("3".into()),
            "IKD_CORS_ORIGINS" => Some("https://a.example, https://b.example".into()),
            _ => None,
        })
        .unwrap();
        raw.apply_overrides(&Overrides {
            listen: Some("127.0.0.1:2".into()),
            data_dir: None,
        });
        let config = raw.resolve(Path::new("/x")).unwrap();
        assert_eq!(config.listen.port(), 2);
        assert_eq!(config.audit.retention_days, 3);
        assert_eq!(config.http.cors_allowed_origins.len(), 2);

        let mut raw = RawConfig::default();
        let bad = raw.apply_env(|name| (name == "IKD_BODY_LIMIT_BYTES").then(|| "lots".into()));
        assert!(bad.unwrap_err().0.contains("IKD_BODY_LIMIT_BYTES"));
    }

    #[test]
    fn load_resolves_against_the_file_and_the_working_directory() {
        let dir = std::env::temp_dir().join(format!("ikd-config-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("service.toml");
        std::fs::write(&path, format!("data_dir = \"var\"\n{}", minimal())).unwrap();

        let config = load(Some(&path), |_| None, &Overrides::default()).unwrap();
        assert_eq!(config.trust_store, dir.join("var").join("trust.json"));

        let cwd = std::env::current_dir().unwrap();
        let env = |name: &str| (name == "IKD_DATA_DIR").then(|| "elsewhere".to_owned());
        let config = load(Some(&path), env, &Overrides::default()).unwrap();
        assert_eq!(config.data_dir, cwd.join("elsewhere"));

        let flags = Overrides {
            listen: Some("127.0.0.1:0".into()),
            data_dir: Some(PathBuf::from("/abs")),
        };
        let config = load(Some(&path), env, &flags).unwrap();
        assert_eq!(
            (config.data_dir.as_path(), config.listen.port()),
            (Path::new("/abs"), 0)
        );

        let missing = load(Some(&dir.join("absent.toml")), |_| None, &flags).unwrap_err();
        assert!(missing.0.contains("absent.toml"), "{missing}");
        let env_key = |name: &str| (name == "IKD_AUDIT_HMAC_KEY").then(|| KEY.to_owned());
        let config = load(None, env_key, &Overrides::default()).unwrap();
        assert_eq!(config.audit.backend.describe(), "SQLite ./audit.sqlite3");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_postgres_backend_is_selected_and_its_password_never_shown() {
        let url = "host=db.internal port=6432 user=ikd password=s3cr3t-pw dbname=audit";
        let text = format!(
            "{}backend = \"postgres\"\npostgres_url = \"{url}\"\n",
            minimal()
        );
        let config = resolve(&text).unwrap();
        let AuditBackend::Postgres { url: parsed } = &config.audit.backend else {
            panic!("not postgres: {:?}", config.audit.backend);
        };
        assert_eq!(config.audit.backend.name(), "postgres");
        assert_eq!(parsed.describe(), "PostgreSQL ikd@db.internal:6432/audit");
        assert!(!format!("{config:?}").contains("s3cr3t"));

        // The same from the environment, in URL form.
        let mut raw = RawConfig::parse(&minimal()).unwrap();
        raw.apply_env(|name| match name {
            "IKD_AUDIT_BACKEND" => Some("postgres".into()),
            "IKD_AUDIT_POSTGRES_URL" => {
                Some("postgresql://ikd:s3cr3t-pw@127.0.0.1:5433/ikd".into())
            }
            _ => None,
        })
        .unwrap();
        let config = raw.resolve(Path::new("/x")).unwrap();
        assert_eq!(
            config.audit.backend.describe(),
            "PostgreSQL ikd@127.0.0.1:5433/ikd"
        );

        for (extra, expected) in [
            ("backend = \"postgres\"\n", "audit.postgres_url"),
            (
                "backend = \"postgres\"\npostgres_url = \"postgresql://u:s3cr3t-pw@h:notaport/d\"\n",
                "audit.postgres_url must be",
            ),
            (
                "postgres_url = \"host=h password=s3cr3t-pw\"\n",
                "audit.backend",
            ),
            (
                "backend = \"postgres\"\npath = \"a.db\"\npostgres_url = \"host=h\"\n",
                "audit.path",
            ),
            ("backend = \"mysql\"\n", "audit.backend"),
        ] {
            let err = resolve(&format!("{}{extra}", minimal())).unwrap_err().0;
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn connection_settings_from_the_file_and_the_environment() {
        let defaults = resolve(&minimal()).unwrap().http.connections;
        assert_eq!(
            defaults,
            ConnectionSettings {
                max_connections: DEFAULT_MAX_CONNECTIONS,
                header_read_timeout: Duration::from_millis(DEFAULT_HEADER_READ_TIMEOUT_MS),
                shutdown_grace: Duration::from_millis(DEFAULT_SHUTDOWN_GRACE_MS),
                h2c: false,
            }
        );
        let text = format!(
            "{}[http]\nmax_connections = 64\nheader_read_timeout_ms = 2000\n\
             shutdown_grace_ms = 0\nh2c = true\n",
            minimal()
        );
        let file = resolve(&text).unwrap().http.connections;
        assert_eq!(
            (
                file.max_connections,
                file.header_read_timeout,
                file.shutdown_grace,
                file.h2c
            ),
            (64, Duration::from_secs(2), Duration::ZERO, true)
        );
        let mut raw = RawConfig::parse(&minimal()).unwrap();
        raw.apply_env(|name| match name {
            "IKD_MAX_CONNECTIONS" => Some("100".into()),
            "IKD_HEADER_READ_TIMEOUT_MS" => Some("1500".into()),
            "IKD_SHUTDOWN_GRACE_MS" => Some("250".into()),
            "IKD_H2C" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        let env = raw.resolve(Path::new("/srv/ikd")).unwrap().http.connections;
        assert_eq!(
            (
                env.max_connections,
                env.header_read_timeout,
                env.shutdown_grace,
                env.h2c
            ),
            (
                100,
                Duration::from_millis(1500),
                Duration::from_millis(250),
                true
            )
        );
        let mut raw = RawConfig::parse(&minimal()).unwrap();
        let err = raw
            .apply_env(|name| (name == "IKD_H2C").then(|| "yes".into()))
            .unwrap_err();
        assert!(err.0.contains("IKD_H2C"), "{}", err.0);
    }

    #[test]
    fn signed_trust_upload_and_freshness_settings() {
        let root = "d759793bbc13a2819a827c76adb6fba8a49aee007f49f2d0992d99b825ad2c48";
        let text = format!(
            "{}[trust]\nanchors = \"anchors.json\"\nroots = [\"{root}\"]\n\
             sync_url = \"https://trust.example/ikd/\"\nsync_interval_seconds = 600\n\
             [policy]\ntrust_list_max_age_seconds = 100\ntrust_list_grace_seconds = 0\n\
             [upload]\nbody_limit_bytes = 4096\nconcurrency = 3\n",
            minimal()
        );
        let config = resolve(&text).unwrap();
        let trust = config.trust.as_ref().unwrap();
        assert_eq!(trust.cache_dir, Path::new("/srv/ikd/trust-cache"));
        assert_eq!(
            trust.anchors_file.as_deref(),
            Some(Path::new("/srv/ikd/anchors.json"))
        );
        assert_eq!(trust.roots.len(), 1);
        let sync = trust.sync.as_ref().unwrap();
        assert_eq!(sync.interval, Duration::from_secs(600));
        assert_eq!(sync.retries, DEFAULT_TRUST_SYNC_RETRIES);
        assert_eq!(config.policy().trust_list, Freshness::reject_after(100));
        assert_eq!(config.policy().status_list, Policy::default().status_list);
        assert_eq!(
            (config.upload.body_limit_bytes, config.upload.concurrency),
            (4096, 3)
        );

        // Without roots: the unsigned file, and the defaults.
        let config = resolve(&minimal()).unwrap();
        assert!(config.trust.is_none());
        assert_eq!(
            config.upload.body_limit_bytes,
            DEFAULT_UPLOAD_BODY_LIMIT_BYTES
        );

        // The environment sets them too.
        let mut raw = RawConfig::parse(&minimal()).unwrap();
        raw.apply_env(|name| match name {
            "IKD_TRUST_ROOTS" => Some(format!("{root}, {root}")),
            "IKD_TRUST_SYNC_URL" => Some("http://127.0.0.1:9/".into()),
            "IKD_TRUST_CACHE_DIR" => Some("/var/cache/ikd".into()),
            "IKD_STATUS_LIST_GRACE_SECONDS" => Some("60".into()),
            "IKD_UPLOAD_BODY_LIMIT_BYTES" => Some("2048".into()),
            _ => None,
        })
        .unwrap();
        let config = raw.resolve(Path::new("/x")).unwrap();
        let trust = config.trust.clone().unwrap();
        assert_eq!(trust.cache_dir, Path::new("/var/cache/ikd"));
        assert_eq!(trust.sync.unwrap().url, "http://127.0.0.1:9/");
        assert_eq!(config.policy().status_list.grace_seconds(), 60);
        assert_eq!(config.upload.body_limit_bytes, 2048);

        for (extra, expected) in [
            ("[trust]\nroots = [\"abcd\"]\n", "trust.roots[0]"),
            (
                "[trust]\nsync_url = \"https://t.example/\"\n",
                "trust.anchors or trust.roots",
            ),
            (
                &format!("[trust]\nroots = [\"{root}\"]\nsync_url = \"ftp://t.example/\"\n"),
                "trust.sync_url",
            ),
            (
                &format!(
                    "[trust]\nroots = [\"{root}\"]\nsync_interval_seconds = 0\nsync_url = \"https://t.example/\"\n"
                ),
                "trust.sync_interval_seconds",
            ),
            (
                "[upload]\nbody_limit_bytes = 10\n",
                "upload.body_limit_bytes",
            ),
            ("[upload]\nconcurrency = 0\n", "upload.concurrency"),
            ("[http]\nmax_connections = 8\n", "http.max_connections"),
            (
                "[http]\nheader_read_timeout_ms = 0\n",
                "http.header_read_timeout_ms",
            ),
            (
                "[policy]\nstatus_list_max_age_seconds = 0\n",
                "status_list_max_age_seconds",
            ),
        ] {
            let err = resolve(&format!("{}{extra}", minimal())).unwrap_err().0;
            assert!(err.contains(expected), "{extra}: {err}");
        }
        let both = format!(
            "trust_store = \"t.json\"\n{}[trust]\nroots = [\"{root}\"]\n",
            minimal()
        );
        assert!(resolve(&both).unwrap_err().0.contains("exclude each other"));
    }

    #[test]
    fn errors_name_the_setting_and_never_the_secret() {
        let cases = [
            ("", "audit.hmac_key"),
            ("[audit]\nhmac_key = \"abcd\"\n", "audit.hmac_key"),
            ("listen = \"here\"\n[audit]\nhmac_key = \"K\"", "listen"),
            ("unknown = 1\n", "unknown"),
        ];
        for (text, expected) in cases {
            let text = text.replace('K', KEY);
            let err = resolve(&text).unwrap_err().0;
            assert!(err.contains(expected), "{err}");
        }
        let client = |body: &str| format!("{}[[clients]]\n{body}\n", minimal());
        for (body, expected) in [
            (
                "id = \"a\"\napi_key_sha256 = \"zz\"\npurposes = [\"kyc\"]\nrate_limit_per_minute = 1",
                "api_key_sha256",
            ),
            (
                &format!(
                    "id = \"a b\"\napi_key_sha256 = \"{KEY}\"\npurposes = [\"kyc\"]\nrate_limit_per_minute = 1"
                ),
                "id",
            ),
            (
                &format!(
                    "id = \"a\"\napi_key_sha256 = \"{KEY}\"\npurposes = [\"all\"]\nrate_limit_per_minute = 1"
                ),
                "purposes",
            ),
            (
                &format!(
                    "id = \"a\"\napi_key_sha256 = \"{KEY}\"\npurposes = [\"kyc\"]\nrate_limit_per_minute = 0"
                ),
                "rate_limit_per_minute",
            ),
            (
                &format!(
                    "id = \"a\"\napi_key_sha256 = \"{KEY}\"\npurposes = [\"kyc\"]\ndefault_purpose = \"domicile\"\nrate_limit_per_minute = 1"
                ),
                "default_purpose",
            ),
        ] {
            let err = resolve(&client(body)).unwrap_err().0;
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains(KEY), "{err}");
        }
        // A secret on a bad line is not echoed.
        let err = resolve(&format!("[audit]\nhmac_key = {KEY}\n"))
            .unwrap_err()
            .0;
        assert!(!err.contains(KEY), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }
}
