//! The `IKD_*` environment variables and the command-line flags, laid over the file.

use super::file::RawConfig;
use super::{ConfigError, Overrides, error};
use std::path::PathBuf;

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

impl RawConfig {
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
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::config::{
        DEFAULT_HEADER_READ_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_SHUTDOWN_GRACE_MS,
    };
    use crate::connections::ConnectionSettings;
    use std::path::Path;
    use std::time::Duration;

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
}
