//! `--demo`: on first start, a data directory with a demo root key, a trust list it signs
//! (naming the demo issuer keys), the trust cache holding that list, sample credentials,
//! an API key and a configuration; on later starts, the same directory reused.
//!
//! The demo runs the production trust path: the service pins the demo root
//! (`anchors.json`) and verifies against the signed trust list in its cache
//! (`trust-cache/`), which the SDK's [`TrustCache`] verified when it was installed and
//! verifies again at every start. There is no server to sync from, so the demo publishes
//! into the cache itself: on a start more than [`REPUBLISH_AFTER_SECONDS`] after the list
//! was issued, it signs the next list (sequence + 1) with the demo root, so the demo never
//! goes stale. The demo credentials carry no `status` claim, so there is no status list.
//!
//! The demo data comes from the SDK ([`ikd_sdk::demo`]), as for `ikd demo init`. The
//! private issuer keys are not kept: the service only verifies. (`ikd demo init` writes
//! key files for issuing more.) The demo root's private key is kept (`demo-root.key`,
//! owner-only) to re-sign the trust list.

use crate::auth;
use ikd_sdk::demo::DemoData;
use ikd_sdk::store::TrustCache;
use ikd_sdk::trust_list::RootKey;
use ikd_sdk::{IssuerSigningKey, Policy, TrustAnchors, TrustList, TrustStore, UnixTime};
use std::fmt;
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
/// The demo issuer keys in the unsigned trust store form: what the trust list names.
pub const TRUST_FILE: &str = "trust.json";
/// The demo root's private key (hex of its 32-byte seed; owner-only).
pub const ROOT_KEY_FILE: &str = "demo-root.key";
/// The pinned demo root (`ikd-trust-anchors/1`).
pub const ANCHORS_FILE: &str = "anchors.json";
/// The trust cache folder.
pub const CACHE_DIR: &str = "trust-cache";
/// A reused demo signs a new trust list when the one in its cache is older than this: a
/// day, well within the default freshness of seven days.
pub const REPUBLISH_AFTER_SECONDS: i64 = 86_400;
/// Days from a demo trust list's issue to its next update.
const NEXT_UPDATE_SECONDS: i64 = 7 * 86_400;
/// The demo client's identifier.
pub const CLIENT_ID: &str = "demo";

/// Why the demo data could not be created or reused.
#[derive(Debug)]
#[non_exhaustive]
pub enum DemoError {
    /// A folder could not be created.
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The demo root key file does not hold a 32-byte hex seed.
    RootKey {
        /// The file.
        path: PathBuf,
    },
    /// The demo issuer keys file is not a trust store.
    TrustFile {
        /// The file.
        path: PathBuf,
        /// Why the SDK refused it.
        source: ikd_sdk::TrustError,
    },
    /// No random bytes for a key.
    Random(ikd_sdk::KeyError),
    /// The SDK could not make the demo credentials.
    Data(ikd_sdk::demo::DemoError),
    /// The demo trust cache could not be opened.
    TrustCache(ikd_sdk::store::UpdateError),
    /// The demo trust list could not be signed.
    Sign(ikd_sdk::trust_list::TrustListError),
    /// The cache refused the demo trust list.
    Install(ikd_sdk::store::UpdateError),
    /// The staff password could not be hashed.
    Password(crate::counter::password::HashError),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::CreateDir { path, .. } => write!(f, "cannot create {}", path.display()),
            DemoError::Read { path, .. } => write!(f, "cannot read {}", path.display()),
            DemoError::Write { path, .. } => write!(f, "cannot write {}", path.display()),
            DemoError::RootKey { path } => {
                write!(f, "{} does not hold a 32-byte hex seed", path.display())
            }
            DemoError::TrustFile { path, .. } => write!(f, "{}", path.display()),
            DemoError::Random(_) => f.write_str("no random bytes for the demo keys"),
            DemoError::Data(_) => f.write_str("demo data"),
            DemoError::TrustCache(_) => f.write_str("demo trust cache"),
            DemoError::Sign(_) => f.write_str("demo trust list not signed"),
            DemoError::Install(_) => f.write_str("demo trust list not installed"),
            DemoError::Password(_) => f.write_str("demo staff account"),
        }
    }
}

impl std::error::Error for DemoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DemoError::CreateDir { source, .. }
            | DemoError::Read { source, .. }
            | DemoError::Write { source, .. } => Some(source),
            DemoError::RootKey { .. } => None,
            DemoError::TrustFile { source, .. } => Some(source),
            DemoError::Random(e) => Some(e),
            DemoError::Data(e) => Some(e),
            DemoError::TrustCache(e) | DemoError::Install(e) => Some(e),
            DemoError::Sign(e) => Some(e),
            DemoError::Password(e) => Some(e),
        }
    }
}

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
pub fn prepare(dir: &Path, now: UnixTime) -> Result<DemoSetup, DemoError> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        // Demo folders of earlier versions have no root: they keep the unsigned file.
        if dir.join(ROOT_KEY_FILE).exists() {
            republish_if_old(&dir, now)?;
        }
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
    fs::create_dir_all(&dir).map_err(|source| DemoError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let data = DemoData::generate(now).map_err(DemoError::Data)?;
    let api_key = auth::new_api_key().map_err(DemoError::Random)?;
    let hmac_key = ikd_sdk::crypto::random_bytes(32).map_err(DemoError::Random)?;

    write(&dir.join(TRUST_FILE), &(data.trust.to_json() + "\n"), false)?;
    let root_seed = ikd_sdk::crypto::random_bytes(32).map_err(DemoError::Random)?;
    write(
        &dir.join(ROOT_KEY_FILE),
        &(ikd_sdk::encoding::hex_encode(&root_seed) + "\n"),
        true,
    )?;
    let root = read_root(&dir)?;
    write(
        &dir.join(ANCHORS_FILE),
        &(anchors(&root).to_json() + "\n"),
        false,
    )?;
    publish(&dir, &root, &data.trust, now)?;
    for credential in &data.credentials {
        write(
            &dir.join(format!("{}.qr.txt", credential.sample)),
            &(credential.qr_text.clone() + "\n"),
            false,
        )?;
        // A bound credential (the KTP-el, the profiles) verifies only inside a fresh
        // presentation from the phone, which no file written now can hold.
        if credential.bound {
            continue;
        }
        for purpose in ["kyc", "domicile"] {
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
    let staff = crate::counter::demo::create_account(&dir, CLIENT_ID)?;
    // Written last: its presence marks a complete demo directory.
    write(
        &config_path,
        &(config_text(
            &auth::hash_api_key_hex(&api_key),
            &ikd_sdk::encoding::hex_encode(&hmac_key),
        ) + &staff),
        true,
    )?;
    Ok(DemoSetup {
        dir,
        config_path,
        api_key: Some(api_key),
        created: true,
    })
}

/// The demo root's signing key.
fn read_root(dir: &Path) -> Result<IssuerSigningKey, DemoError> {
    let path = dir.join(ROOT_KEY_FILE);
    let text = read(&path)?;
    let seed: [u8; 32] = ikd_sdk::encoding::hex_decode(text.trim())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(DemoError::RootKey { path })?;
    Ok(IssuerSigningKey::from_seed(&seed))
}

/// The demo's pinned roots: the demo root.
fn anchors(root: &IssuerSigningKey) -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add(RootKey {
        name: "IKD demo root (DEMO)".to_owned(),
        key: root.public_key(),
    });
    anchors
}

/// Signs the next trust list (one more than the cache holds) naming the keys of `issuers`,
/// issued at `now`, and installs it in the cache through the SDK, which verifies it
/// against the pinned demo root first.
fn publish(
    dir: &Path,
    root: &IssuerSigningKey,
    issuers: &TrustStore,
    now: UnixTime,
) -> Result<u64, DemoError> {
    let cache = TrustCache::open(dir.join(CACHE_DIR), anchors(root), Policy::default(), now)
        .map_err(DemoError::TrustCache)?;
    let sequence = cache
        .store()
        .trust_list()
        .map_or(1, |l| l.sequence.saturating_add(1));
    let list = TrustList {
        sequence,
        issued_at: now,
        next_update: UnixTime(now.0.saturating_add(NEXT_UPDATE_SECONDS)),
        entries: issuers.entries().cloned().collect(),
        status_lists: Vec::new(),
        successor_roots: Vec::new(),
    };
    let signed = list.sign(root).map_err(DemoError::Sign)?;
    cache
        .install_trust_list(&signed, now)
        .map_err(DemoError::Install)?;
    Ok(sequence)
}

/// Signs a new trust list when the cache's is older than [`REPUBLISH_AFTER_SECONDS`] (or
/// missing).
fn republish_if_old(dir: &Path, now: UnixTime) -> Result<(), DemoError> {
    let root = read_root(dir)?;
    let cache = TrustCache::open(dir.join(CACHE_DIR), anchors(&root), Policy::default(), now)
        .map_err(DemoError::TrustCache)?;
    let fresh = cache
        .store()
        .trust_list()
        .is_some_and(|l| now.0.saturating_sub(l.issued_at.0) < REPUBLISH_AFTER_SECONDS);
    drop(cache);
    if fresh {
        return Ok(());
    }
    let path = dir.join(TRUST_FILE);
    let text = read(&path)?;
    let issuers =
        TrustStore::from_json(&text).map_err(|source| DemoError::TrustFile { path, source })?;
    publish(dir, &root, &issuers, now).map(drop)
}

/// The demo configuration.
fn config_text(api_key_sha256: &str, hmac_key: &str) -> String {
    format!(
        r#"# IKD Verify service: demo configuration, written by --demo on first start.
# For demonstration only. Relative paths resolve against this file's folder.
# See verifier-service/README.md for every setting.

[trust]
# The signed trust list, verified against the pinned demo root. (No sync_url: the demo
# has no server; --demo signs a new list into the cache when the one there is a day old.)
anchors = "{ANCHORS_FILE}"
cache_dir = "{CACHE_DIR}"

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
staff-password.txt     the counter page's staff password (user petugas; secret)
demo-root.key          the demo root's private key (secret): signs the trust list
anchors.json           the pinned demo root, as the configuration names it
trust-cache/           the signed trust list the service verifies against
trust.json             the demo issuer keys (one per document type) the trust list names
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

Verify the sample Kartu Keluarga, printed on paper (purpose kyc: every field, with the
mother's names):
  {kyc}

The same KK for a domicile check (address and region only):
  {domicile}

The KTP-el is bound to the holder's phone and shown as a QR code that lives 90 seconds;
make one with the CLI (`ikd demo init DIR`, then `ikd present`, see the README) and send
it as {{\"qr\": \"IKD1:...\"}}, optionally with the counter's challenge code as \"nonce\".

{counter}
Also: {base}/v1/reason-codes  {base}/readyz  {base}/metrics
Stop with Ctrl+C.
",
        dir = setup.dir.display(),
        state = if setup.created {
            "created now"
        } else {
            "reused"
        },
        kyc = curl(&request_file_name("kk-4", "kyc")),
        domicile = curl(&request_file_name("kk-4", "domicile")),
        counter = crate::counter::demo::instructions(&setup.dir, &base),
    )
}

/// Reads a text file.
fn read(path: &Path) -> Result<String, DemoError> {
    fs::read_to_string(path).map_err(|source| DemoError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a file, replacing it; private files are readable by the owner only.
pub(crate) fn write(path: &Path, contents: &str, private: bool) -> Result<(), DemoError> {
    let failed = |source: std::io::Error| DemoError::Write {
        path: path.to_path_buf(),
        source,
    };
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
