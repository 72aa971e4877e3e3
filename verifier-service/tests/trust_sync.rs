//! The service's trust data from the signed trust list: the SDK's trust cache and sync,
//! against a real HTTP server on loopback that each test starts (a small axum app serving
//! a published folder with ETags). Readiness goes 503 → 200 with the first good sync; a
//! rollback, a list signed by an unknown root and an older status list are refused and the
//! last good copy stays in use (in memory and on disk); freshness shows in
//! `/v1/trust/status` and `/metrics`; the background loop syncs by itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use common::*;
use ikd_sdk::status_list::{self, StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, KeyStatus, StatusList, StatusReference,
    TrustEntry, TrustList, TrustedKey, UnixTime, Validity,
};
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::{AppState, server};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ISSUER: &str = "ID-DUKCAPIL-3273";
const URI: &str = "https://ikd.example/status/3273/1";
const FILE: &str = "3273-1.cwt";
const DAY: i64 = 86_400;

fn root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x51; 32])
}

fn stranger_root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x53; 32])
}

fn issuer_key() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x52; 32])
}

/// A bare KK credential with index `index` in the status list.
fn kk(index: u64) -> String {
    let document: Document = serde_json::from_str(ikd_sdk::samples::KK_4_JSON).unwrap();
    let issuer = Issuer::new(issuer_key(), ISSUER).unwrap();
    let status = StatusReference {
        index,
        uri: URI.into(),
    };
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(ISSUED, 365 * DAY),
            &ikd_sdk::IssueOptions::default().with_status(status.clone()),
        )
        .unwrap();
    credential.to_qr_text()
}

/// Trust list `sequence`, issued at `issued_at`, signed by `root`.
fn trust_list(sequence: u64, issued_at: i64, root: &IssuerSigningKey) -> Vec<u8> {
    TrustList {
        sequence,
        issued_at: UnixTime(issued_at),
        next_update: UnixTime(issued_at + 7 * DAY),
        entries: vec![TrustEntry {
            key: TrustedKey {
                issuer: ISSUER.into(),
                name: "Disdukcapil Kota Bandung".into(),
                key: issuer_key().public_key(),
                valid_from: UnixTime(ISSUED.0 - 365 * DAY),
                valid_until: UnixTime(ISSUED.0 + 3 * 365 * DAY),
                doc_types: DocTypeSet::all(),
            },
            status: KeyStatus::Active,
            region_code: Some(3273),
        }],
        status_lists: vec![StatusListRef {
            uri: URI.into(),
            file: FILE.into(),
            issuer: ISSUER.into(),
        }],
        successor_roots: Vec::new(),
    }
    .sign(root)
    .unwrap()
}

/// The status list issued at `issued_at`, with `revoked` set.
fn status_token(issued_at: i64, revoked: &[u64]) -> Vec<u8> {
    let mut list = StatusList::new(1, 1024).unwrap();
    for &i in revoked {
        list.set(i, status_list::INVALID).unwrap();
    }
    sign_status_list(
        &issuer_key(),
        &StatusListIssue {
            issuer: ISSUER,
            uri: URI,
            issued_at: UnixTime(issued_at),
            expires_at: Some(UnixTime(issued_at + 7 * DAY)),
            ttl_seconds: None,
        },
        &list,
    )
    .unwrap()
}

/// A static file server on loopback, with ETags and `If-None-Match`.
#[derive(Clone, Default)]
struct Files(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl Files {
    fn put(&self, path: &str, body: Vec<u8>) {
        self.0.lock().unwrap().insert(path.to_owned(), body);
    }

    fn publish(&self, list: Vec<u8>, status: Vec<u8>) {
        self.put("/trust-list.cwt", list);
        self.put(&format!("/status/{FILE}"), status);
    }

    /// Serves until the test's runtime ends; the base URL.
    async fn start(&self) -> String {
        async fn serve(State(files): State<Files>, uri: Uri, headers: HeaderMap) -> Response {
            let Some(body) = files.0.lock().unwrap().get(uri.path()).cloned() else {
                return StatusCode::NOT_FOUND.into_response();
            };
            let etag = format!(
                "\"{}\"",
                ikd_sdk::encoding::hex_encode(&ikd_sdk::crypto::sha256(&body)[..8])
            );
            if headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes() == etag.as_bytes())
            {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (StatusCode::OK, [(header::ETAG, etag)], Body::from(body)).into_response()
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(serve).with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}/")
    }
}

/// The `[trust]` configuration: the pinned root, the cache in `dir/cache`, syncing from
/// `url` (if any) with short limits.
fn trust_config(url: Option<&str>) -> String {
    let root = ikd_sdk::encoding::hex_encode(&root().public_key().to_bytes());
    let sync = url.map_or(String::new(), |url| {
        format!(
            "sync_url = \"{url}\"\nsync_interval_seconds = 3600\nsync_timeout_seconds = 5\nsync_retries = 0\n"
        )
    });
    format!("[trust]\nroots = [\"{root}\"]\ncache_dir = \"cache\"\n{sync}")
}

fn signed_state(dir: &Path, now: UnixTime, url: Option<&str>) -> AppState {
    let config = config(dir, &trust_config(url));
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now).unwrap();
    AppState::try_new(&config, audit, Clock::Fixed(now)).unwrap()
}

async fn verify_kk(state: &AppState, index: u64) -> (StatusCode, Value) {
    let answer = send(
        &app_for(state),
        verify_request(Some(BANK_KEY), verify_body(&kk(index), Some("kyc"))),
    )
    .await;
    let body = if answer.2.is_empty() {
        Value::Null
    } else {
        json(&answer.2)
    };
    (answer.0, body)
}

async fn trust_status(state: &AppState) -> Value {
    let answer = send(&app_for(state), get("/v1/trust/status", Some(BANK_KEY))).await;
    assert_eq!(answer.0, StatusCode::OK);
    json(&answer.2)
}

async fn metrics(state: &AppState) -> String {
    let answer = send(&app_for(state), get("/metrics", None)).await;
    String::from_utf8(answer.2).unwrap()
}

fn has_line(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn readiness_follows_the_first_good_sync_and_bad_updates_keep_the_last_good_copy() {
    let dir = TempDir::new("trust-sync");
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            let files = Files::default();
            let url = files.start().await;
            let state = signed_state(dir.path(), NOW, Some(&url));

            // Nothing published yet: not ready, verification 503, the failure reported.
            assert_problem(
                &send(&app_for(&state), get("/readyz", None)).await,
                StatusCode::SERVICE_UNAVAILABLE,
                "trust_not_loaded",
            );
            let report = state.trust.sync(NOW).await.unwrap();
            assert!(report.trust_list.is_failure());
            let (status, problem) = verify_kk(&state, 5).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(problem["code"], "trust_not_loaded");
            let status = trust_status(&state).await;
            assert_eq!(status["loaded"], false);
            assert_eq!(status["sync"]["last_result"], "failed");
            assert!(
                status["last_error"].as_str().unwrap().contains("404"),
                "{status}"
            );
            has_line(&metrics(&state).await, "ikd_trust_sync_last_ok 0");

            // List 1, an hour old, and its status list, ten minutes old: ready.
            files.publish(
                trust_list(1, NOW.0 - 3600, &root()),
                status_token(NOW.0 - 600, &[]),
            );
            let report = state.trust.sync(NOW).await.unwrap();
            assert!(report.is_complete(), "{report:?}");
            let ready = send(&app_for(&state), get("/readyz", None)).await;
            assert_eq!(ready.0, StatusCode::OK);
            let ready = json(&ready.2);
            assert_eq!(ready["trust_signed"], true);
            assert_eq!(ready["trust_list_sequence"], 1);
            assert_eq!(ready["trust_list_freshness"], "fresh");
            let (status, verdict) = verify_kk(&state, 6).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(verdict["verdict"], "valid", "{verdict}");
            assert_eq!(verdict["trust_data"]["sequence"], 1, "{verdict}");

            let status = trust_status(&state).await;
            assert_eq!(status["signed"], true);
            assert_eq!(status["format"], "ikd-trust-list");
            assert_eq!(status["trust_list"]["sequence"], 1);
            assert_eq!(status["trust_list"]["age_seconds"], 3600);
            assert_eq!(status["trust_list"]["freshness"], "fresh");
            assert_eq!(status["status_lists"][0]["uri"], URI);
            assert_eq!(status["status_lists"][0]["held"], true);
            assert_eq!(status["status_lists"][0]["age_seconds"], 600);
            assert_eq!(status["sync"]["last_result"], "complete");
            assert_eq!(status["sync"]["url"], url);
            assert_eq!(status["last_error"], Value::Null);
            let text = metrics(&state).await;
            for line in [
                "ikd_trust_loaded 1",
                "ikd_trust_signed 1",
                "ikd_trust_list_sequence 1",
                "ikd_trust_list_age_seconds 3600",
                "ikd_trust_list_freshness 0",
                &format!("ikd_status_list_held{{uri=\"{URI}\"}} 1"),
                &format!("ikd_status_list_age_seconds{{uri=\"{URI}\"}} 600"),
                "ikd_trust_sync_last_ok 1",
                "ikd_trust_syncs_total{result=\"complete\"} 1",
                "ikd_trust_syncs_total{result=\"failed\"} 1",
                &format!("ikd_trust_sync_last_success_timestamp_seconds {}", NOW.0),
            ] {
                has_line(&text, line);
            }

            // Unchanged files: 304 Not Modified, still complete.
            let report = state.trust.sync(NOW).await.unwrap();
            assert!(report.is_complete());
            assert_eq!(
                trust_status(&state).await["sync"]["files"][0]["outcome"],
                "not modified"
            );

            // List 2 and a newer status list revoking index 6.
            files.publish(
                trust_list(2, NOW.0 - 1800, &root()),
                status_token(NOW.0 - 300, &[6]),
            );
            assert!(state.trust.sync(NOW).await.unwrap().is_complete());
            let (_, verdict) = verify_kk(&state, 6).await;
            assert_eq!(verdict["reason"]["code"], "credential_revoked", "{verdict}");
            assert_eq!(verify_kk(&state, 5).await.1["verdict"], "valid");

            // A rollback to list 1 and an older status list: refused, list 2 stays.
            files.publish(
                trust_list(1, NOW.0 - 3600, &root()),
                status_token(NOW.0 - 600, &[]),
            );
            let report = state.trust.sync(NOW).await.unwrap();
            assert!(report.trust_list.is_failure(), "{report:?}");
            assert!(report.status_lists[0].1.is_failure(), "{report:?}");
            let status = trust_status(&state).await;
            assert_eq!(status["trust_list"]["sequence"], 2);
            assert_eq!(status["sync"]["last_result"], "failed");
            assert!(
                status["last_error"].as_str().unwrap().contains("rollback"),
                "{status}"
            );
            assert_eq!(
                verify_kk(&state, 6).await.1["reason"]["code"],
                "credential_revoked"
            );
            let text = metrics(&state).await;
            has_line(&text, "ikd_trust_list_sequence 2");
            has_line(&text, "ikd_trust_sync_last_ok 0");
            has_line(&text, "ikd_trust_syncs_total{result=\"failed\"} 2");

            // List 3 signed by a root nobody pinned: refused.
            files.put("/trust-list.cwt", trust_list(3, NOW.0, &stranger_root()));
            let report = state.trust.sync(NOW).await.unwrap();
            assert!(report.trust_list.is_failure(), "{report:?}");
            assert_eq!(trust_status(&state).await["trust_list"]["sequence"], 2);
            // Still ready: the last good copy is in use.
            assert_eq!(
                send(&app_for(&state), get("/readyz", None)).await.0,
                StatusCode::OK
            );
            state.audit.close().await;
        })
        .await
        .expect("in time");
    });

    // A restart without a server reads the last good copy from the cache folder.
    runtime().block_on(async {
        let state = signed_state(dir.path(), NOW, None);
        let ready = send(&app_for(&state), get("/readyz", None)).await;
        assert_eq!(ready.0, StatusCode::OK);
        assert_eq!(json(&ready.2)["trust_list_sequence"], 2);
        assert_eq!(
            verify_kk(&state, 6).await.1["reason"]["code"],
            "credential_revoked"
        );
        let status = trust_status(&state).await;
        assert_eq!(
            status["source"],
            dir.path().join("cache").display().to_string()
        );
        assert!(status.get("sync").is_none(), "{status}");

        // Forty days later the list is stale beyond its grace period: not ready, and
        // verifications are rejected (a 200 with the reason, as for any credential).
        let later = UnixTime(NOW.0 + 40 * DAY);
        let state = signed_state(dir.path(), later, None);
        assert_problem(
            &send(&app_for(&state), get("/readyz", None)).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "trust_expired",
        );
        let (status, verdict) = verify_kk(&state, 5).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(verdict["reason"]["code"], "trust_list_stale", "{verdict}");
        assert_eq!(
            trust_status(&state).await["trust_list"]["freshness"],
            "stale"
        );
        has_line(&metrics(&state).await, "ikd_trust_list_freshness 2");
        state.audit.close().await;
    });
}

#[test]
fn the_background_loop_syncs_at_start() {
    let dir = TempDir::new("trust-loop");
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            let files = Files::default();
            let url = files.start().await;
            files.publish(
                trust_list(4, NOW.0 - 60, &root()),
                status_token(NOW.0 - 60, &[]),
            );
            let state = signed_state(dir.path(), NOW, Some(&url));
            assert!(state.trust.current().is_none());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr: SocketAddr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(server::serve(listener, state.clone(), async {
                let _ = stopped.await;
            }));
            // Ready once the loop's first sync is in; polled until the outer time limit.
            loop {
                let (status, body) = http_request(addr, "GET", "/readyz", &[], b"").await;
                if status == 200 {
                    assert_eq!(json(body.as_bytes())["trust_list_sequence"], 4);
                    break;
                }
                assert_eq!(status, 503, "{body}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert_eq!(
                trust_status(&state).await["sync"]["last_result"],
                "complete"
            );
            let _ = stop.send(());
            server.await.unwrap().unwrap();
        })
        .await
        .expect("in time");
    });
}

#[test]
fn a_bad_trust_setup_is_refused_at_start() {
    let dir = TempDir::new("trust-setup");
    // An anchors file that does not exist.
    let missing = config(dir.path(), "[trust]\nanchors = \"missing-anchors.json\"\n");
    let error = server::build(&missing, Clock::Fixed(NOW))
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing-anchors.json"), "{error}");
    // A cache folder that cannot be created (a file stands in its way).
    std::fs::write(dir.path().join("cache"), b"not a folder").unwrap();
    let blocked = config(dir.path(), &trust_config(None));
    let error = server::build(&blocked, Clock::Fixed(NOW))
        .unwrap_err()
        .to_string();
    assert!(error.contains("cache"), "{error}");
}

#[test]
fn a_bad_trust_setup_keeps_the_operating_systems_error() {
    use ikd_verifier_service::error::Chain;
    use ikd_verifier_service::server::StartError;
    use ikd_verifier_service::state::StateError;
    use ikd_verifier_service::trust::TrustSetupError;
    let dir = TempDir::new("trust-setup-source");
    std::fs::write(dir.path().join("cache"), b"not a folder").unwrap();
    let blocked = config(dir.path(), &trust_config(None));
    let error = server::build(&blocked, Clock::Fixed(NOW)).unwrap_err();
    let StartError::State(StateError::Trust(TrustSetupError::Cache { dir: cache, source })) =
        &error
    else {
        panic!("expected a trust cache error, got {error:?}");
    };
    assert!(cache.ends_with("cache"), "{}", cache.display());
    assert!(
        matches!(source, ikd_sdk::store::UpdateError::Io(_)),
        "{source:?}"
    );
    // The message says what failed; the causes follow once each, down to the system's.
    assert_eq!(
        error.to_string(),
        format!("trust cache {}", cache.display())
    );
    let line = Chain(&error).to_string();
    assert!(
        line.starts_with(&format!(
            "trust cache {}: cannot write the cache: ",
            cache.display()
        )),
        "{line}"
    );
    let mut deepest: &dyn std::error::Error = &error;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    let os = deepest
        .downcast_ref::<std::io::Error>()
        .expect("the chain ends in the operating system's error");
    assert!(os.raw_os_error().is_some(), "{os:?}");
    assert_eq!(line.matches(&os.to_string()).count(), 1, "{line}");
}
