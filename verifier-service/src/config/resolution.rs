//! From the settings as given to a checked [`Config`]: every value validated, every
//! default filled in, every relative path resolved.

use super::file::{RawClient, RawConfig, RawTrust, RawUpload};
use super::*;
use ikd_sdk::DocType;
use ikd_sdk::disclosure;

impl RawConfig {
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
        let trust_import = crate::trust_import::resolve(
            self.trust_import,
            &clients,
            &data_dir,
            signed_trust.is_some(),
        )?;
        let receipt = crate::receipt::resolve(self.receipt)?;
        let offline_page = crate::offline_page::resolve(self.offline_page, &data_dir)?;

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
            trust_import,
            receipt,
            offline_page,
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

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
            let err = resolve(&format!("{}{extra}", minimal()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
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
            let err = resolve(&format!("{}{extra}", minimal()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{extra}: {err}");
        }
        let both = format!(
            "trust_store = \"t.json\"\n{}[trust]\nroots = [\"{root}\"]\n",
            minimal()
        );
        assert!(
            resolve(&both)
                .unwrap_err()
                .to_string()
                .contains("exclude each other")
        );
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
            let err = resolve(&text).unwrap_err().to_string();
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
            let err = resolve(&client(body)).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains(KEY), "{err}");
        }
        // A secret on a bad line is not echoed.
        let err = resolve(&format!("[audit]\nhmac_key = {KEY}\n"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains(KEY), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }
}
