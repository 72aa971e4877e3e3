//! `--demo`: on first start, a data directory with demo issuer keys' trust store, sample
//! credentials, an API key and a configuration; on later starts, the same directory reused.
//!
//! The demo data comes from the SDK ([`ikd_sdk::demo`]), as for `ikd demo init`. The
//! private issuer keys are not kept: the service only verifies. (`ikd demo init` writes
//! key files for issuing more.)

use crate::auth;
use ikd_sdk::UnixTime;
use ikd_sdk::demo::DemoData;
use std::fs;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The data directory used when `--data-dir` is not given.
pub const DEFAULT_DIR: &str = "ikd-demo";
/// The configuration file inside the data directory.
pub const CONFIG_FILE: &str = "config.toml";
/// The file holding the demo API key itself (the configuration holds only its hash).
pub const API_KEY_FILE: &str = "api-key.txt";
/// The trust store file.
pub const TRUST_FILE: &str = "trust.json";
/// The demo client's identifier.
pub const CLIENT_ID: &str = "demo";

/// A prepared demo directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSetup {
    /// The data directory (absolute when it could be made so).
    pub dir: PathBuf,
    /// Its configuration file.
    pub config_path: PathBuf,
    /// The demo API key, if its file is there.
    pub api_key: Option<String>,
    /// Whether this start created the data.
    pub created: bool,
}

/// The request file for a sample and purpose.
pub fn request_file_name(sample: &str, purpose: &str) -> String {
    if purpose == "kyc" {
        format!("{sample}.request.json")
    } else {
        format!("{sample}.{purpose}.request.json")
    }
}

/// Creates the demo data in `dir` unless its configuration file exists; then reuses it.
pub fn prepare(dir: &Path, now: UnixTime) -> Result<DemoSetup, String> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        let api_key = fs::read_to_string(dir.join(API_KEY_FILE))
            .ok()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        return Ok(DemoSetup {
            dir,
            config_path,
            api_key,
            created: false,
        });
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let data = DemoData::generate(now).map_err(|e| e.to_string())?;
    let api_key = auth::new_api_key().map_err(|e| e.to_string())?;
    let hmac_key = ikd_sdk::crypto::random_bytes(32).map_err(|e| e.to_string())?;

    write(&dir.join(TRUST_FILE), &(data.trust.to_json() + "\n"), false)?;
    for credential in &data.credentials {
        write(
            &dir.join(format!("{}.qr.txt", credential.sample)),
            &(credential.qr_text.clone() + "\n"),
            false,
        )?;
        let purposes: &[&str] = if credential.sample == "ktp" {
            &["kyc", "age_check"]
        } else {
            &["kyc"]
        };
        for purpose in purposes {
            let request = serde_json::json!({"qr": credential.qr_text, "purpose": purpose});
            write(
                &dir.join(request_file_name(credential.sample, purpose)),
                &(request.to_string() + "\n"),
                false,
            )?;
        }
    }
    write(&dir.join(API_KEY_FILE), &(api_key.clone() + "\n"), true)?;
    write(
        &dir.join("README.txt"),
        &readme(now, data.validity.expires_at),
        false,
    )?;
    // Written last: its presence marks a complete demo directory.
    write(
        &config_path,
        &config_text(
            &auth::hash_api_key_hex(&api_key),
            &ikd_sdk::encoding::hex_encode(&hmac_key),
        ),
        true,
    )?;
    Ok(DemoSetup {
        dir,
        config_path,
        api_key: Some(api_key),
        created: true,
    })
}

/// The demo configuration.
fn config_text(api_key_sha256: &str, hmac_key: &str) -> String {
    format!(
        r#"# IKD Verify service: demo configuration, written by --demo on first start.
# For demonstration only. Relative paths resolve against this file's folder.
# See verifier-service/README.md for every setting.

trust_store = "{TRUST_FILE}"

[audit]
path = "audit.sqlite3"
# HMAC-SHA256 key for credential identifiers in the audit log (secret).
hmac_key = "{hmac_key}"
retention_days = 30

[[clients]]
id = "{CLIENT_ID}"
# SHA-256 of the API key in {API_KEY_FILE}; the key itself is not stored here.
api_key_sha256 = "{api_key_sha256}"
purposes = ["kyc", "identity", "age_check", "domicile"]
default_purpose = "kyc"
rate_limit_per_minute = 600
"#
    )
}

fn readme(now: UnixTime, expires_at: UnixTime) -> String {
    format!(
        "IKD Verify service demo data
============================

For demonstration only: the residents are fictitious and the issuer keys are demo keys
that no real verifier trusts. Created by `ikd-verifier-service --demo`; delete this
folder to start afresh.

config.toml            the service's configuration (API key hash, audit HMAC key)
api-key.txt            the demo API key (secret)
trust.json             trust store: the demo issuer keys, one per document type
*.qr.txt               sample credentials (QR text): KTP-el, KK of 4 and of 8
*.request.json         ready request bodies for POST /v1/verify
audit.sqlite3          the audit log (no personal data)

The credentials were issued at {now} and expire at {expires_at}.
"
    )
}

/// Quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What to print once the service listens on `addr`.
pub fn instructions(setup: &DemoSetup, addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let base = format!("http://{host}");
    let key = setup
        .api_key
        .clone()
        .unwrap_or_else(|| "<the demo API key>".to_owned());
    let curl = |file: &str| {
        format!(
            "curl -sS {base}/v1/verify -H {} -H 'Content-Type: application/json' --data {}",
            shell_quote(&format!("Authorization: Bearer {key}")),
            shell_quote(&format!("@{}", setup.dir.join(file).display())),
        )
    };
    format!(
        "IKD Verify service: demo
  data:       {dir} ({state})
  listening:  {base}
  API key:    {key}

Verify the sample KTP-el (purpose kyc: every field):
  {kyc}

The same KTP-el for an age check (no personal data in the answer, only age_over_17):
  {age}

Also: {base}/v1/reason-codes  {base}/readyz  {base}/metrics
Stop with Ctrl+C.
",
        dir = setup.dir.display(),
        state = if setup.created {
            "created now"
        } else {
            "reused"
        },
        kyc = curl(&request_file_name("ktp", "kyc")),
        age = curl(&request_file_name("ktp", "age_check")),
    )
}

/// Writes a file, replacing it; private files are readable by the owner only.
fn write(path: &Path, contents: &str, private: bool) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if path.exists() {
        fs::remove_file(path).map_err(failed)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(failed)?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed)
}
