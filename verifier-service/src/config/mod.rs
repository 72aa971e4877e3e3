//! Configuration: a TOML file, overridden by `IKD_*` environment variables, overridden by
//! command-line flags. See the README for the reference.
//!
//! Errors name the setting at fault, never its value: API key hashes and the audit HMAC
//! key are secrets.
//!
//! The parts: `file` reads the TOML file as written, `environment` lays the `IKD_*`
//! variables and the command-line flags over it, and `resolution` checks every setting and
//! fills in the defaults, giving the [`Config`] below.

mod environment;
mod file;
mod resolution;

pub use environment::{ENVIRONMENT, EnvVar, environment_markdown};
pub use file::RawConfig;

use crate::connections::ConnectionSettings;
use ikd_sdk::Freshness;
use ikd_sdk::disclosure::Purpose;
use ikd_sdk::{DocTypeSet, IssuerPublicKey, Policy};
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

/// A configuration problem, naming the setting or the file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting is missing or wrong: the message names it, never its value (API key
    /// hashes, the HMAC key and connection strings are secrets).
    Invalid(String),
    /// The configuration file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid(message) => f.write_str(message),
            ConfigError::Read { path, .. } => {
                write!(f, "cannot read the configuration file {}", path.display())
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Invalid(_) => None,
            ConfigError::Read { source, .. } => Some(source),
        }
    }
}

/// A problem with a setting; `message` names it.
pub(crate) fn error(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(message.into())
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
    /// Trust bundles: who may import them, and the watched folder.
    pub trust_import: crate::trust_import::TrustImportConfig,
    /// Verification receipts: the verifier's id and key, what each purpose keeps.
    pub receipt: Option<crate::receipt::ReceiptConfig>,
    /// The offline verifier page served at `/offline/`, when a folder is named.
    pub offline_page: Option<crate::offline_page::OfflinePage>,
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
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
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
pub(crate) mod testing {
    use super::*;

    pub(crate) const KEY: &str = "0011223344556677889900112233445566778899001122334455667788990011";

    pub(crate) fn minimal() -> String {
        format!("[audit]\nhmac_key = \"{KEY}\"\n")
    }

    pub(crate) fn resolve(text: &str) -> Result<Config, ConfigError> {
        RawConfig::parse(text)?.resolve(Path::new("/srv/ikd"))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

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
        assert!(missing.to_string().contains("absent.toml"), "{missing}");
        let ConfigError::Read { source, .. } = &missing else {
            panic!("expected a read error, got {missing:?}");
        };
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        let env_key = |name: &str| (name == "IKD_AUDIT_HMAC_KEY").then(|| KEY.to_owned());
        let config = load(None, env_key, &Overrides::default()).unwrap();
        assert_eq!(config.audit.backend.describe(), "SQLite ./audit.sqlite3");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
