//! What the service tests share: demo credentials with fixed keys, a configuration with
//! three clients, the state on a temporary directory, and request helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    dead_code
)]

pub mod browser;
pub mod counter;
pub mod pg;
pub mod pictures;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ikd_sdk::demo::DemoData;
use ikd_sdk::{IssuerSigningKey, TrustStore, UnixTime};
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::auth::hash_api_key_hex;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::{AuditBackend, Config, RawConfig, ScanIsolation};
use ikd_verifier_service::{AppState, app};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt as _;

/// The time every test verifies at.
pub const NOW: UnixTime = UnixTime(1_790_000_000);
/// When the test credentials were issued: an hour before.
pub const ISSUED: UnixTime = UnixTime(NOW.0 - 3600);
/// The audit HMAC key.
pub const HMAC_KEY_HEX: &str = "4242424242424242424242424242424242424242424242424242424242424242";

/// The QR text the holder shows for sample `name` at about [`NOW`]: a presentation by the
/// demo phone for a bound credential (the KTP-el, the profiles), the bare credential
/// otherwise (the KKs). Each call makes a different presentation (signed a few seconds
/// apart), as a phone renewing its code does, so that a service's replay cache never sees
/// one twice unless a test shows it twice on purpose.
pub fn shown(data: &DemoData, name: &str) -> String {
    static SHOWN: AtomicU32 = AtomicU32::new(0);
    let credential = data.credential(name).unwrap();
    if !credential.bound {
        return credential.qr_text.clone();
    }
    let age = i64::from(SHOWN.fetch_add(1, Ordering::Relaxed) % 90);
    presented_at(data, name, UnixTime(NOW.0 - age))
}

/// The demo phone's presentation of the bound sample `name`, made at `time` with the
/// default lifetime.
pub fn presented_at(data: &DemoData, name: &str, time: UnixTime) -> String {
    ikd_sdk::present(
        &data.credential(name).unwrap().credential,
        &data.holder,
        time,
        ikd_sdk::presentation::DEFAULT_PRESENTATION_SECONDS,
        None,
    )
    .unwrap()
    .to_qr_text()
}

/// A bank: every purpose, a generous rate.
pub const BANK_KEY: &str = "ikd_test_bank_key";
/// A shop: age checks only.
pub const SHOP_KEY: &str = "ikd_test_shop_key";
/// A client with a tiny rate limit: a burst of 2, then 1 a minute.
pub const TINY_KEY: &str = "ikd_test_tiny_key";

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "ikd-service-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Demo credentials signed by fixed keys, issued at [`ISSUED`].
pub fn demo_data() -> DemoData {
    let holder =
        ikd_sdk::HolderSigningKey::from_secret(ikd_sdk::HolderAlg::Es256, &[9; 32]).unwrap();
    DemoData::with_keys(ISSUED, holder, |t| {
        Ok(IssuerSigningKey::from_seed(&[t.number() + 100; 32]))
    })
    .unwrap()
}

/// The same samples signed by keys no test trusts.
pub fn foreign_data() -> DemoData {
    let holder =
        ikd_sdk::HolderSigningKey::from_secret(ikd_sdk::HolderAlg::Es256, &[9; 32]).unwrap();
    DemoData::with_keys(ISSUED, holder, |t| {
        Ok(IssuerSigningKey::from_seed(&[t.number() + 200; 32]))
    })
    .unwrap()
}

/// The configuration text: the three clients, the audit log in `dir/audit/`.
pub fn config_text(dir: &Path, extra_top: &str) -> String {
    format!(
        r#"
data_dir = "{dir}"
{extra_top}
[audit]
path = "audit/audit.sqlite3"
hmac_key = "{HMAC_KEY_HEX}"
retention_days = 30

[[clients]]
id = "bank"
api_key_sha256 = "{bank}"
purposes = ["kyc", "identity", "age_check", "domicile"]
rate_limit_per_minute = 100000

[[clients]]
id = "shop"
api_key_sha256 = "{shop}"
purposes = ["age_check"]
rate_limit_per_minute = 100000

[[clients]]
id = "tiny"
api_key_sha256 = "{tiny}"
purposes = ["kyc"]
rate_limit_per_minute = 1
burst = 2
"#,
        dir = dir.display(),
        bank = hash_api_key_hex(BANK_KEY),
        shop = hash_api_key_hex(SHOP_KEY),
        tiny = hash_api_key_hex(TINY_KEY),
    )
}

pub fn config(dir: &Path, extra_top: &str) -> Config {
    let mut config = RawConfig::parse(&config_text(dir, extra_top))
        .unwrap()
        .resolve(dir)
        .unwrap();
    // Pictures are scanned in worker processes of the service binary, as in production
    // (a test's own executable cannot act as one).
    if let ScanIsolation::Process { program } = &mut config.upload.isolation {
        *program = Some(PathBuf::from(env!("CARGO_BIN_EXE_ikd-verifier-service")));
    }
    config
}

/// The SQLite backend at `path`.
pub fn sqlite(path: &Path) -> AuditBackend {
    AuditBackend::Sqlite {
        path: path.to_path_buf(),
    }
}

/// The state on `dir` with the clock at `now`, trusting `trust` if given.
pub fn state_at(dir: &Path, now: UnixTime, trust: Option<&TrustStore>, extra: &str) -> AppState {
    let config = config(dir, extra);
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now).unwrap();
    let state = AppState::new(&config, audit, Clock::Fixed(now)).unwrap();
    if let Some(trust) = trust {
        state.trust.install(trust.clone(), "test".into(), now);
    }
    state
}

/// The state at [`NOW`] trusting the demo keys.
pub fn state(dir: &Path) -> AppState {
    state_at(dir, NOW, Some(&demo_data().trust), "")
}

/// A `POST /v1/verify` with an optional API key and a JSON body.
pub fn verify_request(key: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::post("/v1/verify").header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    builder.body(body.into()).unwrap()
}

/// The JSON body for `qr` and an optional purpose.
pub fn verify_body(qr: &str, purpose: Option<&str>) -> String {
    match purpose {
        Some(p) => serde_json::json!({"qr": qr, "purpose": p}).to_string(),
        None => serde_json::json!({"qr": qr}).to_string(),
    }
}

/// A GET with an optional API key.
pub fn get(path: &str, key: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    builder.body(Body::empty()).unwrap()
}

/// Sends one request to the router.
pub async fn send(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

pub fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

/// Asserts a problem response with `status` and `code`.
pub fn assert_problem(
    (status, headers, body): &(StatusCode, HeaderMap, Vec<u8>),
    expected: StatusCode,
    code: &str,
) {
    assert_eq!(*status, expected, "{}", String::from_utf8_lossy(body));
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{code}"
    );
    let problem = json(body);
    assert_eq!(problem["code"], code);
    assert_eq!(problem["status"], expected.as_u16());
    assert!(problem["title"].is_string() && problem["detail"].is_string());
}

pub fn app_for(state: &AppState) -> Router {
    app(state.clone())
}

/// `POST /v1/verify` of `qr` for `purpose` over real loopback, with `api_key` as the bearer
/// token ([`http_request`]). Returns the status and the body.
pub async fn post_verify(
    addr: std::net::SocketAddr,
    api_key: &str,
    qr: &str,
    purpose: Option<&str>,
) -> (u16, String) {
    let bearer = format!("Bearer {api_key}");
    http_request(
        addr,
        "POST",
        "/v1/verify",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        verify_body(qr, purpose).as_bytes(),
    )
    .await
}

/// A tiny HTTP/1.1 client over real loopback: one request, `Connection: close`, the
/// whole answer read until the server closes. Returns the status and the body.
pub async fn http_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    parse_response(&answer)
}

/// The status and body of a whole HTTP/1.1 response (Content-Length framed).
pub fn parse_response(answer: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

/// An audit row as the tests compare it: time, client, purpose, verdict, reason code,
/// credential HMAC.
pub type AuditRow = (i64, String, String, String, Option<String>, Option<String>);

/// The rows of the SQLite audit log at `path`, oldest first.
pub fn sqlite_audit_rows(path: &Path) -> Vec<AuditRow> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut query = db
        .prepare(
            "SELECT time, client, purpose, verdict, reason_code, credential_hmac \
             FROM audit ORDER BY id",
        )
        .unwrap();
    query
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}
