//! The sync client against a real HTTP server on loopback, started by each test: normal
//! sync, 304 Not Modified, server down, truncated body, wrong signature, unknown root,
//! rollback, expired list, oversize body, a status list whose `sub` does not match, a
//! server that hangs, and retries. In each case the cache keeps its last good data and
//! verdicts stay right.

#![cfg(feature = "sync")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use ikd_sdk::store::{TrustCache, UpdateError};
use ikd_sdk::sync::{Outcome, SyncClient, SyncConfig, SyncError, SyncReport};
use ikd_sdk::trust_list::TrustListError;
use ikd_sdk::{KeyStatus, UnixTime, verify};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const NOW: UnixTime = UnixTime(T0 + 3600);

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Announces the full length, sends half the body, closes.
    Truncate,
    /// Sends no Content-Length and closes after the body.
    NoLength,
    /// Accepts and never answers.
    Hang,
}

#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    mode: Option<Mode>,
    /// Answer this many requests with 503 first.
    unavailable: u32,
    /// (path, If-None-Match) of every request.
    requests: Vec<(String, Option<String>)>,
}

#[derive(Clone)]
struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(ikd_sdk::crypto::sha256(body))[..16])
}

impl Server {
    /// Starts a server on 127.0.0.1, port 0. It stops with the test's runtime.
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, Arc::clone(&shared)));
            }
        });
        Server { addr, state }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.state.lock().unwrap().files.insert(path.into(), body);
    }

    fn mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    fn unavailable(&self, times: u32) {
        self.state.lock().unwrap().unavailable = times;
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        std::mem::take(&mut self.state.lock().unwrap().requests)
    }

    /// Publishes list `sequence` and the three status lists (A1 revokes 5, A2 suspends 8).
    fn publish(&self, sequence: u64, a1_revoked: &[u64]) {
        self.put("/trust-list.cwt", signed_list(sequence, T0));
        self.put(
            "/status/3273-1.cwt",
            status_token(
                &key_a(),
                ISSUER_A,
                URI_A1,
                T0 + sequence as i64,
                7 * DAY,
                &one_bit(a1_revoked),
            ),
        );
        self.put(
            "/status/3273-2.cwt",
            status_token(
                &key_a(),
                ISSUER_A,
                URI_A2,
                T0,
                7 * DAY,
                &two_bit(&[(8, ikd_sdk::status_list::SUSPENDED)]),
            ),
        );
        self.put(
            "/status/3204-1.cwt",
            status_token(&key_c(), ISSUER_C, URI_C1, T0, 7 * DAY, &one_bit(&[])),
        );
    }
}

async fn serve(mut socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let if_none_match = text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_owned())
    });
    let (mode, unavailable, body) = {
        let mut s = state.lock().unwrap();
        s.requests.push((path.clone(), if_none_match.clone()));
        let unavailable = s.unavailable > 0;
        s.unavailable = s.unavailable.saturating_sub(1);
        (
            s.mode.unwrap_or(Mode::Normal),
            unavailable,
            s.files.get(&path).cloned(),
        )
    };
    if mode == Mode::Hang {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return;
    }
    let head = |status: &str, extra: &str| {
        format!("HTTP/1.1 {status}\r\nConnection: close\r\n{extra}\r\n")
    };
    let response = match (unavailable, body) {
        (true, _) => head("503 Service Unavailable", "Content-Length: 0\r\n").into_bytes(),
        (false, None) => head("404 Not Found", "Content-Length: 0\r\n").into_bytes(),
        (false, Some(body)) => {
            let etag = etag_of(&body);
            if if_none_match.as_deref() == Some(etag.as_str()) {
                head("304 Not Modified", &format!("ETag: {etag}\r\n")).into_bytes()
            } else {
                let length = match mode {
                    Mode::NoLength => String::new(),
                    _ => format!("Content-Length: {}\r\n", body.len()),
                };
                let sent = match mode {
                    Mode::Truncate => &body[..body.len() / 2],
                    _ => &body[..],
                };
                let mut out = head("200 OK", &format!("ETag: {etag}\r\n{length}")).into_bytes();
                out.extend_from_slice(sent);
                out
            }
        }
    };
    let _ = socket.write_all(&response).await;
    let _ = socket.shutdown().await;
}

fn config(url: &str) -> SyncConfig {
    let mut config = SyncConfig::new(url);
    config.connect_timeout = Duration::from_secs(2);
    config.request_timeout = Duration::from_secs(3);
    config.retries = 2;
    config.backoff_initial = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(40);
    config
}

async fn sync(client: &SyncClient, cache: &TrustCache) -> SyncReport {
    tokio::time::timeout(Duration::from_secs(30), client.sync(cache, NOW))
        .await
        .expect("a sync ends within its time limits")
}

fn verdict(cache: &TrustCache, qr: &str) -> &'static str {
    match verify(qr, &cache.store(), NOW, &bare_policy()) {
        Ok(_) => "valid",
        Err(r) => r.code(),
    }
}

/// The credentials whose verdicts must stay right, with what they must be after the first
/// sync of list 1.
struct Probe {
    revoked: String,
    suspended: String,
    valid: String,
}

impl Probe {
    fn new() -> Self {
        Probe {
            revoked: credential(&key_a(), Some((URI_A1, 5))),
            suspended: credential(&key_a(), Some((URI_A2, 8))),
            valid: credential(&key_a(), Some((URI_A1, 6))),
        }
    }

    fn assert_last_good(&self, cache: &TrustCache, what: &str) {
        assert_eq!(
            cache.store().trust_list().map(|i| i.sequence),
            Some(1),
            "{what}: the trust list in use"
        );
        assert_eq!(
            verdict(cache, &self.revoked),
            "credential_revoked",
            "{what}"
        );
        assert_eq!(
            verdict(cache, &self.suspended),
            "credential_suspended",
            "{what}"
        );
        assert_eq!(verdict(cache, &self.valid), "valid", "{what}");
    }
}

/// A server with list 1 published, and a cache synced from it.
async fn synced() -> (Server, TempDir, TrustCache, SyncClient, Probe) {
    let server = Server::start().await;
    server.publish(1, &[5]);
    let dir = TempDir::new("sync");
    let cache = TrustCache::open(dir.path(), anchors(), bare_policy(), NOW).unwrap();
    let client = SyncClient::new(config(&server.url())).unwrap();
    let report = sync(&client, &cache).await;
    assert_eq!(report.trust_list, Outcome::Updated);
    assert_eq!(report.status_lists.len(), 3);
    assert!(
        report
            .status_lists
            .iter()
            .all(|(_, o)| *o == Outcome::Updated)
    );
    assert!(report.is_complete());
    let probe = Probe::new();
    probe.assert_last_good(&cache, "first sync");
    server.requests();
    (server, dir, cache, client, probe)
}

fn failure(outcome: &Outcome) -> &SyncError {
    match outcome {
        Outcome::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn normal_sync_then_not_modified_then_an_update() {
    let (server, _dir, cache, client, probe) = synced().await;
    // Nothing changed: every file is a 304, asked for with its ETag.
    let report = sync(&client, &cache).await;
    assert_eq!(report.trust_list, Outcome::NotModified);
    assert!(
        report
            .status_lists
            .iter()
            .all(|(_, o)| *o == Outcome::NotModified)
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests.iter().all(|(_, etag)| etag.is_some()),
        "{requests:?}"
    );
    probe.assert_last_good(&cache, "304");

    // A new list and a new revocation: picked up, and the old verdict changes.
    server.publish(2, &[5, 6]);
    let report = sync(&client, &cache).await;
    assert_eq!(report.trust_list, Outcome::Updated);
    assert_eq!(cache.store().trust_list().unwrap().sequence, 2);
    assert_eq!(verdict(&cache, &probe.valid), "credential_revoked");
    assert_eq!(verdict(&cache, &probe.revoked), "credential_revoked");
    // The new data survives a restart.
    let reopened = TrustCache::open(cache.dir(), anchors(), bare_policy(), NOW).unwrap();
    assert_eq!(verdict(&reopened, &probe.valid), "credential_revoked");
}

#[tokio::test]
async fn server_down() {
    let (_server, _dir, cache, _client, probe) = synced().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = SyncClient::new(config(&format!("http://{closed}"))).unwrap();
    let report = sync(&client, &cache).await;
    assert!(matches!(failure(&report.trust_list), SyncError::Network(_)));
    assert!(report.status_lists.iter().all(|(_, o)| o.is_failure()));
    assert!(!report.is_complete());
    probe.assert_last_good(&cache, "server down");
}

#[tokio::test]
async fn truncated_body() {
    let (server, _dir, cache, client, probe) = synced().await;
    server.publish(2, &[5, 6]);
    server.mode(Mode::Truncate);
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Network("body incomplete".into())
    );
    // Tried once and retried twice.
    let tries = server
        .requests()
        .iter()
        .filter(|(path, _)| path == "/trust-list.cwt")
        .count();
    assert_eq!(tries, 3);
    probe.assert_last_good(&cache, "truncated body");
}

#[tokio::test]
async fn wrong_signature() {
    let (server, _dir, cache, client, probe) = synced().await;
    let mut tampered = signed_list(2, T0);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    server.put("/trust-list.cwt", tampered);
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Refused(UpdateError::TrustList(TrustListError::SignatureInvalid))
    );
    probe.assert_last_good(&cache, "wrong signature");
}

#[tokio::test]
async fn signed_by_an_unknown_root() {
    let (server, _dir, cache, client, probe) = synced().await;
    server.put(
        "/trust-list.cwt",
        trust_list(2, T0, KeyStatus::Active)
            .sign(&stranger_root())
            .unwrap(),
    );
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Refused(UpdateError::TrustList(TrustListError::UnknownRoot))
    );
    probe.assert_last_good(&cache, "unknown root");
}

#[tokio::test]
async fn rollback() {
    let (server, _dir, cache, client, probe) = synced().await;
    server.put("/trust-list.cwt", signed_list(0, T0));
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Refused(UpdateError::Rollback {
            current: 1,
            offered: 0
        })
    );
    probe.assert_last_good(&cache, "rollback");
}

#[tokio::test]
async fn expired_list() {
    let (server, _dir, cache, client, probe) = synced().await;
    // A higher sequence, but issued long ago: its next update passed beyond any grace.
    server.put("/trust-list.cwt", signed_list(2, T0 - 90 * DAY));
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Refused(UpdateError::Expired)
    );
    probe.assert_last_good(&cache, "expired list");
}

#[tokio::test]
async fn oversize_body() {
    let (server, _dir, cache, _client, probe) = synced().await;
    let mut small = config(&server.url());
    small.max_trust_list_bytes = 4096;
    let client = SyncClient::new(small).unwrap();
    server.put("/trust-list.cwt", vec![0xD2; 100_000]);
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::TooLarge { limit: 4096 }
    );
    // Without a Content-Length the limit holds while reading.
    server.mode(Mode::NoLength);
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::TooLarge { limit: 4096 }
    );
    probe.assert_last_good(&cache, "oversize body");
}

#[tokio::test]
async fn status_list_whose_sub_does_not_match() {
    let (server, _dir, cache, client, probe) = synced().await;
    // Served under A1's file name, but its sub names A2 (and it revokes nothing).
    server.put(
        "/status/3273-1.cwt",
        status_token(&key_a(), ISSUER_A, URI_A2, T0 + 100, 7 * DAY, &one_bit(&[])),
    );
    let report = sync(&client, &cache).await;
    let (uri, outcome) = &report.status_lists[0];
    assert_eq!(uri, URI_A1);
    assert_eq!(
        failure(outcome),
        &SyncError::Refused(UpdateError::SubMismatch)
    );
    probe.assert_last_good(&cache, "sub mismatch");
}

#[tokio::test]
async fn a_hanging_server_times_out_and_a_busy_one_is_retried() {
    let (server, _dir, cache, _client, probe) = synced().await;
    let mut quick = config(&server.url());
    quick.request_timeout = Duration::from_millis(300);
    quick.retries = 1;
    let client = SyncClient::new(quick).unwrap();
    server.mode(Mode::Hang);
    let report = sync(&client, &cache).await;
    assert_eq!(
        failure(&report.trust_list),
        &SyncError::Network("timed out".into())
    );
    probe.assert_last_good(&cache, "hanging server");

    server.mode(Mode::Normal);
    server.publish(2, &[5]);
    server.unavailable(2);
    let client = SyncClient::new(config(&server.url())).unwrap();
    let report = sync(&client, &cache).await;
    assert_eq!(report.trust_list, Outcome::Updated, "after two 503 answers");
    assert_eq!(cache.store().trust_list().unwrap().sequence, 2);
    // A 404 is not retried.
    server.state.lock().unwrap().files.clear();
    server.requests();
    let report = sync(&client, &cache).await;
    assert_eq!(failure(&report.trust_list), &SyncError::Status(404));
    assert_eq!(server.requests().len(), 4, "one request per file");
}

#[test]
fn only_http_urls_are_accepted() {
    for bad in [
        "ftp://example.com",
        "not a url",
        "file:///tmp/x",
        "mailto:a@b",
    ] {
        assert!(
            matches!(
                SyncClient::new(SyncConfig::new(bad)),
                Err(SyncError::Url(_))
            ),
            "{bad}"
        );
    }
}
