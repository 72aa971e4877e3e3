//! The `IKD_*` environment variables and the command-line flags, laid over the file.
//!
//! One table, [`ENVIRONMENT`], lists every variable with the setting it overrides and how
//! its text is read: [`RawConfig::apply_env`] walks it, and the README's table of
//! variables is generated from it ([`environment_markdown`]).

use super::file::RawConfig;
use super::{ConfigError, Overrides, error};
use std::path::PathBuf;

/// One environment variable the service reads.
#[derive(Clone, Copy)]
pub struct EnvVar {
    /// Its name.
    pub name: &'static str,
    /// The setting it overrides (`trust.sync_url`); empty when it is no setting.
    pub path: &'static str,
    /// What it is for, in a few words.
    pub doc: &'static str,
    setter: Setter,
}

impl EnvVar {
    /// How its text is read, for people: `text`, `path`, `whole number`, …
    pub fn value(&self) -> &'static str {
        match self.setter {
            Setter::Binary => "path",
            Setter::Text(_) => "text",
            Setter::Path(_) => "path",
            Setter::U64(_) | Setter::U32(_) | Setter::Usize(_) => "whole number",
            Setter::Bool(_) => "`true` or `false`",
            Setter::List(_) => "comma-separated list",
            Setter::DocTypes(_) => "comma-separated document types, or `none`",
        }
    }
}

impl std::fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvVar")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Where a variable's value goes, and how its text is read.
#[derive(Clone, Copy)]
enum Setter {
    /// Read by the binary before the configuration (`IKD_CONFIG`).
    Binary,
    /// The text as it is.
    Text(fn(&mut RawConfig) -> &mut Option<String>),
    /// A path.
    Path(fn(&mut RawConfig) -> &mut Option<PathBuf>),
    /// A whole number.
    U64(fn(&mut RawConfig) -> &mut Option<u64>),
    /// A whole number.
    U32(fn(&mut RawConfig) -> &mut Option<u32>),
    /// A whole number.
    Usize(fn(&mut RawConfig) -> &mut Option<usize>),
    /// `true` or `1`, `false` or `0`.
    Bool(fn(&mut RawConfig) -> &mut Option<bool>),
    /// Comma-separated, blanks left out.
    List(fn(&mut RawConfig) -> &mut Option<Vec<String>>),
    /// Comma-separated document types; `none` (or nothing) for none.
    DocTypes(fn(&mut RawConfig) -> &mut Option<Vec<String>>),
}

const fn var(name: &'static str, path: &'static str, doc: &'static str, setter: Setter) -> EnvVar {
    EnvVar {
        name,
        path,
        doc,
        setter,
    }
}

/// Every environment variable the service reads, in the order they are applied.
pub const ENVIRONMENT: &[EnvVar] = &[
    var(
        "IKD_CONFIG",
        "",
        "the configuration file, when `--config` is not given",
        Setter::Binary,
    ),
    var(
        "IKD_LISTEN",
        "listen",
        "address to listen on",
        Setter::Text(|c| &mut c.listen),
    ),
    var(
        "IKD_DATA_DIR",
        "data_dir",
        "data directory (relative to the working directory)",
        Setter::Path(|c| &mut c.data_dir),
    ),
    var(
        "IKD_TRUST_STORE",
        "trust_store",
        "unsigned trust store file, for development",
        Setter::Path(|c| &mut c.trust_store),
    ),
    var(
        "IKD_TRUST_RELOAD_SECONDS",
        "trust_reload_seconds",
        "how often that file is checked",
        Setter::U64(|c| &mut c.trust_reload_seconds),
    ),
    var(
        "IKD_TRUST_ANCHORS",
        "trust.anchors",
        "pinned roots file",
        Setter::Path(|c| &mut c.trust.anchors),
    ),
    var(
        "IKD_TRUST_ROOTS",
        "trust.roots",
        "more pinned roots, as hex",
        Setter::List(|c| &mut c.trust.roots),
    ),
    var(
        "IKD_TRUST_CACHE_DIR",
        "trust.cache_dir",
        "signed trust data cache folder",
        Setter::Path(|c| &mut c.trust.cache_dir),
    ),
    var(
        "IKD_TRUST_SYNC_URL",
        "trust.sync_url",
        "where the trust data is synced from",
        Setter::Text(|c| &mut c.trust.sync_url),
    ),
    var(
        "IKD_TRUST_SYNC_SECONDS",
        "trust.sync_interval_seconds",
        "time between syncs",
        Setter::U64(|c| &mut c.trust.sync_interval_seconds),
    ),
    var(
        "IKD_TRUST_SYNC_TIMEOUT_SECONDS",
        "trust.sync_timeout_seconds",
        "time limit of one sync request",
        Setter::U64(|c| &mut c.trust.sync_timeout_seconds),
    ),
    var(
        "IKD_TRUST_SYNC_RETRIES",
        "trust.sync_retries",
        "retries of a failed sync request",
        Setter::U32(|c| &mut c.trust.sync_retries),
    ),
    var(
        "IKD_TRUST_LIST_MAX_AGE_SECONDS",
        "policy.trust_list_max_age_seconds",
        "trust list stale after",
        Setter::U32(|c| &mut c.policy.trust_list_max_age_seconds),
    ),
    var(
        "IKD_TRUST_LIST_GRACE_SECONDS",
        "policy.trust_list_grace_seconds",
        "then accepted with a warning for",
        Setter::U32(|c| &mut c.policy.trust_list_grace_seconds),
    ),
    var(
        "IKD_STATUS_LIST_MAX_AGE_SECONDS",
        "policy.status_list_max_age_seconds",
        "status list stale after",
        Setter::U32(|c| &mut c.policy.status_list_max_age_seconds),
    ),
    var(
        "IKD_STATUS_LIST_GRACE_SECONDS",
        "policy.status_list_grace_seconds",
        "then accepted with a warning for",
        Setter::U32(|c| &mut c.policy.status_list_grace_seconds),
    ),
    var(
        "IKD_UPLOAD_BODY_LIMIT_BYTES",
        "upload.body_limit_bytes",
        "largest picture upload",
        Setter::Usize(|c| &mut c.upload.body_limit_bytes),
    ),
    var(
        "IKD_UPLOAD_CONCURRENCY",
        "upload.concurrency",
        "pictures held and scanned at once",
        Setter::Usize(|c| &mut c.upload.concurrency),
    ),
    var(
        "IKD_UPLOAD_SCAN_BUDGET_MS",
        "upload.scan_budget_ms",
        "scan time per image",
        Setter::U64(|c| &mut c.upload.scan_budget_ms),
    ),
    var(
        "IKD_UPLOAD_MEMORY_BUDGET_BYTES",
        "upload.memory_budget_bytes",
        "memory of the whole upload path",
        Setter::U64(|c| &mut c.upload.memory_budget_bytes),
    ),
    var(
        "IKD_UPLOAD_ISOLATION",
        "upload.isolation",
        "`process` (a capped worker per scan) or `none`",
        Setter::Text(|c| &mut c.upload.isolation),
    ),
    var(
        "IKD_COUNTER_SECURE_COOKIE",
        "counter.secure_cookie",
        "`true` when the counter page is served over HTTPS",
        Setter::Bool(|c| &mut c.counter.secure_cookie),
    ),
    var(
        "IKD_COUNTER_SESSION_IDLE_MINUTES",
        "counter.session_idle_minutes",
        "a staff session ends after this idle time",
        Setter::U32(|c| &mut c.counter.session_idle_minutes),
    ),
    var(
        "IKD_COUNTER_SESSION_MAX_MINUTES",
        "counter.session_max_minutes",
        "and after this at most",
        Setter::U32(|c| &mut c.counter.session_max_minutes),
    ),
    var(
        "IKD_LOG",
        "log.level",
        "a tracing filter directive",
        Setter::Text(|c| &mut c.log.level),
    ),
    var(
        "IKD_LOG_FORMAT",
        "log.format",
        "`text` or `json`",
        Setter::Text(|c| &mut c.log.format),
    ),
    var(
        "IKD_BODY_LIMIT_BYTES",
        "http.body_limit_bytes",
        "largest JSON request body",
        Setter::Usize(|c| &mut c.http.body_limit_bytes),
    ),
    var(
        "IKD_REQUEST_TIMEOUT_MS",
        "http.request_timeout_ms",
        "time limit of one request, body included",
        Setter::U64(|c| &mut c.http.request_timeout_ms),
    ),
    var(
        "IKD_MAX_CONNECTIONS",
        "http.max_connections",
        "open connections, at most",
        Setter::Usize(|c| &mut c.http.max_connections),
    ),
    var(
        "IKD_HEADER_READ_TIMEOUT_MS",
        "http.header_read_timeout_ms",
        "time to send a request head",
        Setter::U64(|c| &mut c.http.header_read_timeout_ms),
    ),
    var(
        "IKD_SHUTDOWN_GRACE_MS",
        "http.shutdown_grace_ms",
        "time shutdown waits for requests in flight",
        Setter::U64(|c| &mut c.http.shutdown_grace_ms),
    ),
    var(
        "IKD_H2C",
        "http.h2c",
        "also serve HTTP/2 over cleartext",
        Setter::Bool(|c| &mut c.http.h2c),
    ),
    var(
        "IKD_CORS_ORIGINS",
        "http.cors_allowed_origins",
        "origins allowed by CORS",
        Setter::List(|c| &mut c.http.cors_allowed_origins),
    ),
    var(
        "IKD_LEEWAY_SECONDS",
        "policy.leeway_seconds",
        "clock skew for nbf, iat and exp",
        Setter::U32(|c| &mut c.policy.leeway_seconds),
    ),
    var(
        "IKD_PRESENTATION_MAX_AGE_SECONDS",
        "policy.presentation_max_age_seconds",
        "a phone's presentation lives this long",
        Setter::U32(|c| &mut c.policy.presentation_max_age_seconds),
    ),
    var(
        "IKD_PRESENTATION_LEEWAY_SECONDS",
        "policy.presentation_leeway_seconds",
        "its clock skew",
        Setter::U32(|c| &mut c.policy.presentation_leeway_seconds),
    ),
    var(
        "IKD_BARE_CREDENTIALS",
        "policy.bare_credentials",
        "document types accepted without a presentation",
        Setter::DocTypes(|c| &mut c.policy.bare_credentials),
    ),
    var(
        "IKD_AUDIENCE",
        "policy.audience",
        "this verifier's identifier, bound by challenges",
        Setter::Text(|c| &mut c.policy.audience),
    ),
    var(
        "IKD_REPLAY_STORE",
        "policy.replay_store",
        "`memory` or `audit_database`",
        Setter::Text(|c| &mut c.policy.replay_store),
    ),
    var(
        "IKD_AUDIT_BACKEND",
        "audit.backend",
        "`sqlite` or `postgres`",
        Setter::Text(|c| &mut c.audit.backend),
    ),
    var(
        "IKD_AUDIT_DB",
        "audit.path",
        "SQLite audit database file",
        Setter::Path(|c| &mut c.audit.path),
    ),
    var(
        "IKD_AUDIT_POSTGRES_URL",
        "audit.postgres_url",
        "PostgreSQL connection string (secret)",
        Setter::Text(|c| &mut c.audit.postgres_url),
    ),
    var(
        "IKD_AUDIT_HMAC_KEY",
        "audit.hmac_key",
        "HMAC key for credential identifiers, hex (secret)",
        Setter::Text(|c| &mut c.audit.hmac_key),
    ),
    var(
        "IKD_RECEIPT_SIGNING_KEY",
        "receipt.signing_key",
        "the verifier's receipt signing key: an Ed25519 seed, hex (secret)",
        Setter::Text(|c| &mut c.receipt.signing_key),
    ),
    var(
        "IKD_OFFLINE_PAGE_DIR",
        "offline_page.dir",
        "the offline verifier page's folder, served at /offline/",
        Setter::Path(|c| &mut c.offline_page.dir),
    ),
    var(
        "IKD_AUDIT_RETENTION_DAYS",
        "audit.retention_days",
        "audit rows are kept this long",
        Setter::U32(|c| &mut c.audit.retention_days),
    ),
    var(
        "IKD_AUDIT_PURGE_SECONDS",
        "audit.purge_interval_seconds",
        "time between deletions of old rows",
        Setter::U64(|c| &mut c.audit.purge_interval_seconds),
    ),
];

/// The README's table of environment variables, generated from [`ENVIRONMENT`].
pub fn environment_markdown() -> String {
    let mut table =
        String::from("| Variable | Overrides | Value | What |\n| --- | --- | --- | --- |\n");
    for var in ENVIRONMENT {
        let path = if var.path.is_empty() {
            "—".to_owned()
        } else {
            format!("`{}`", var.path)
        };
        table.push_str(&format!(
            "| `{}` | {path} | {} | {} |\n",
            var.name,
            var.value(),
            var.doc
        ));
    }
    table
}

/// Reads a whole number; the error names the variable, never its value.
fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| error(format!("{name} must be a whole number")))
}

/// Comma-separated items, trimmed, blanks (and `skip`) left out.
fn list(text: &str, skip: Option<&str>) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty() && Some(*item) != skip)
        .map(str::to_owned)
        .collect()
}

impl RawConfig {
    /// Applies the `IKD_*` environment variables that `lookup` finds, as [`ENVIRONMENT`]
    /// lists them.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for var in ENVIRONMENT {
            let Some(text) = lookup(var.name) else {
                continue;
            };
            let name = var.name;
            match var.setter {
                Setter::Binary => {}
                Setter::Text(slot) => *slot(self) = Some(text),
                Setter::Path(slot) => *slot(self) = Some(PathBuf::from(text)),
                Setter::U64(slot) => *slot(self) = Some(number(name, &text)?),
                Setter::U32(slot) => *slot(self) = Some(number(name, &text)?),
                Setter::Usize(slot) => *slot(self) = Some(number(name, &text)?),
                Setter::Bool(slot) => {
                    *slot(self) = Some(match text.trim() {
                        "1" | "true" => true,
                        "0" | "false" => false,
                        _ => return Err(error(format!("{name} must be true or false"))),
                    });
                }
                Setter::List(slot) => *slot(self) = Some(list(&text, None)),
                Setter::DocTypes(slot) => *slot(self) = Some(list(&text, Some("none"))),
            }
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

    /// The README of this crate, whose table of variables is generated from the table.
    const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    const TABLE_START: &str = "<!-- environment table: generated from config::ENVIRONMENT -->\n";
    const TABLE_END: &str = "<!-- end of the environment table -->";

    /// A valid text for the variable, and the same value as TOML.
    fn sample(var: &EnvVar) -> (&'static str, &'static str) {
        match var.setter {
            Setter::Binary | Setter::Text(_) | Setter::Path(_) => ("x", "\"x\""),
            Setter::U64(_) | Setter::U32(_) | Setter::Usize(_) => (" 7 ", "7"),
            Setter::Bool(_) => ("1", "true"),
            Setter::List(_) => ("a, ,b", "[\"a\", \"b\"]"),
            Setter::DocTypes(_) => ("kk, none", "[\"kk\"]"),
        }
    }

    #[test]
    fn every_variable_sets_the_setting_it_names() {
        for var in ENVIRONMENT.iter().filter(|v| !v.path.is_empty()) {
            let (text, toml) = sample(var);
            let mut from_env = RawConfig::default();
            from_env
                .apply_env(|name| (name == var.name).then(|| text.to_owned()))
                .unwrap();
            let file = match var.path.split_once('.') {
                Some((table, key)) => format!("[{table}]\n{key} = {toml}\n"),
                None => format!("{} = {toml}\n", var.path),
            };
            let from_file = RawConfig::parse(&file)
                .unwrap_or_else(|e| panic!("{}: {} is no setting: {e}", var.name, var.path));
            assert_eq!(
                format!("{from_env:?}"),
                format!("{from_file:?}"),
                "{}",
                var.name
            );
            assert_ne!(
                format!("{from_env:?}"),
                format!("{:?}", RawConfig::default()),
                "{}",
                var.name
            );
        }
        // IKD_CONFIG is read by the binary: it sets nothing here.
        let mut raw = RawConfig::default();
        raw.apply_env(|name| (name == "IKD_CONFIG").then(|| "x".to_owned()))
            .unwrap();
        assert_eq!(format!("{raw:?}"), format!("{:?}", RawConfig::default()));
    }

    #[test]
    fn bad_values_name_the_variable_and_not_the_value() {
        for var in ENVIRONMENT {
            let expected = match var.setter {
                Setter::U64(_) | Setter::U32(_) | Setter::Usize(_) => "must be a whole number",
                Setter::Bool(_) => "must be true or false",
                _ => continue,
            };
            let mut raw = RawConfig::default();
            let error = raw
                .apply_env(|name| (name == var.name).then(|| "secret-ish".to_owned()))
                .unwrap_err()
                .to_string();
            assert_eq!(error, format!("{} {expected}", var.name));
        }
    }

    #[test]
    fn names_are_unique_and_documented_in_the_example_file() {
        let mut names: Vec<&str> = ENVIRONMENT.iter().map(|v| v.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a variable is listed twice");
        // The example configuration in the README names each setting's variable, and no
        // variable that the table does not have.
        let readme = std::fs::read_to_string(README).unwrap();
        for var in ENVIRONMENT.iter().filter(|v| !v.path.is_empty()) {
            assert!(
                readme.contains(&format!("# {}", var.name)),
                "the README's example configuration does not name {}",
                var.name
            );
        }
        for word in readme.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            let setting_like = word.starts_with("IKD_")
                && readme.contains(&format!("# {word}"))
                && !word.starts_with("IKD_SKIP");
            if setting_like {
                assert!(names.contains(&word), "{word} is not in ENVIRONMENT");
            }
        }
    }

    /// Fails when the README's table differs from [`environment_markdown`]; with
    /// `IKD_UPDATE_ENV_TABLE=1` it rewrites the README's table instead.
    #[test]
    fn the_readme_table_is_generated_from_the_table() {
        let readme = std::fs::read_to_string(README).unwrap();
        let start = readme
            .find(TABLE_START)
            .expect("the README has the environment table's start marker")
            + TABLE_START.len();
        let end = readme[start..]
            .find(TABLE_END)
            .expect("the README has the environment table's end marker")
            + start;
        let expected = environment_markdown();
        if std::env::var_os("IKD_UPDATE_ENV_TABLE").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(README, updated).unwrap();
            return;
        }
        assert_eq!(
            &readme[start..end],
            expected,
            "the README's environment table is out of date: run \
             IKD_UPDATE_ENV_TABLE=1 cargo test -p ikd-verifier-service --lib config"
        );
    }
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
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("IKD_BODY_LIMIT_BYTES")
        );
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
        assert!(err.to_string().contains("IKD_H2C"), "{err}");
    }
}
