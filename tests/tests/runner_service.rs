//! The conformance runner drives the verification service over loopback HTTP, through the
//! same runner protocol and comparison other teams' verifiers go through.
//!
//! The service's API takes a QR text (and a nonce) per request; its trust data, clock and
//! policy are configuration. So the adapter below turns each runner request into a service
//! configured for that request's trust data, clock and policy — one instance per distinct
//! set, started on a free loopback port and reused by every request that needs the same
//! set — and POSTs the QR text to its `POST /v1/verify` (purpose `kyc`) over TCP. A trust
//! store becomes the service's local trust data; a signed trust list and its status lists
//! go into the service's trust cache folder, which the service verifies against the pinned
//! roots. Every vector's policy, the presentation leeway and largest age included, is
//! expressed in the instance's configuration, so none is answered `unsupported`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_conformance::external::http_post;
use ikd_conformance::format::RuleSpec;
use ikd_conformance::protocol::{Answer, Request, Target, TrustInput};
use ikd_conformance::runner::UnavailableReplayStore;
use ikd_conformance::{run_target, vectors_dir};
use ikd_e2e_tests::VectorService;
use ikd_sdk::store::{STATUS_DIR, TRUST_LIST_FILE};
use ikd_sdk::{IssuerPublicKey, StatusListToken, TrustStore, UnixTime, VerifiedTrustList};
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::RawConfig;
use ikd_verifier_service::replay::ReplayBackend;
use ikd_verifier_service::{AppState, app};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const API_KEY: &str = "ikd_e2e_runner_key";
const HMAC_KEY_HEX: &str = "5252525252525252525252525252525252525252525252525252525252525252";

fn hex_bytes(text: &str) -> Vec<u8> {
    ikd_sdk::encoding::hex_decode(text).unwrap()
}

fn pinned(roots: &[String]) -> Vec<IssuerPublicKey> {
    roots
        .iter()
        .map(|r| IssuerPublicKey::from_bytes(&hex_bytes(r)).unwrap())
        .collect()
}

/// A running service instance.
struct Instance {
    state: AppState,
    address: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// The service behind the runner protocol.
struct ServiceTarget {
    runtime: tokio::runtime::Runtime,
    dir: PathBuf,
    instances: BTreeMap<String, Instance>,
}

impl ServiceTarget {
    fn new(dir: PathBuf) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        ServiceTarget {
            runtime,
            dir,
            instances: BTreeMap::new(),
        }
    }

    /// What an instance is configured for: everything but the QR text and the nonce.
    fn key(request: &Request) -> String {
        json!({
            "trust": request.trust,
            "status_lists": request.status_lists,
            "now": request.now,
            "policy": request.policy,
            "audience": request.challenge.as_ref().and_then(|c| c.audience.clone()),
            "replay": request.replay,
            "replay_store_unavailable": request.replay_store_unavailable,
        })
        .to_string()
    }

    fn start(&self, request: &Request, dir: &Path) -> Instance {
        std::fs::create_dir_all(dir).unwrap();
        let state = self.runtime.block_on(async { configure(request, dir) });
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = app(state.clone());
        self.runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Instance {
            state,
            address,
            stop,
        }
    }
}

/// The service for one request's trust data, clock and policy, with its files in `dir`.
fn configure(request: &Request, dir: &Path) -> AppState {
    let policy = &request.policy;
    let trust_roots = match &request.trust {
        TrustInput::TrustStore(_) => None,
        TrustInput::TrustList(list) => {
            // The trust cache a sync would have written: the list, and each status list
            // under the file name the list gives its URI.
            let cache = dir.join("cache");
            let token = hex_bytes(&list.token);
            let verified = VerifiedTrustList::verify(&token, &pinned(&list.roots)).unwrap();
            std::fs::create_dir_all(cache.join(STATUS_DIR)).unwrap();
            std::fs::write(cache.join(TRUST_LIST_FILE), &token).unwrap();
            for status in &request.status_lists {
                let reference = verified
                    .list()
                    .status_lists
                    .iter()
                    .find(|r| r.uri == status.uri)
                    .unwrap_or_else(|| panic!("{}: no status list {}", request.id, status.uri));
                std::fs::write(
                    cache.join(STATUS_DIR).join(&reference.file),
                    hex_bytes(&status.token),
                )
                .unwrap();
            }
            Some(list.roots.as_slice())
        }
    };
    let key = ikd_verifier_service::auth::hash_api_key_hex(API_KEY);
    let text = VectorService {
        leeway_seconds: policy.leeway_seconds,
        presentation_max_age_seconds: policy.presentation_max_age_seconds,
        presentation_leeway_seconds: policy.presentation_leeway_seconds,
        accepted_doc_types: &policy.accepted_doc_types,
        bare_credentials: &policy.bare_credentials,
        audience: request
            .challenge
            .as_ref()
            .and_then(|c| c.audience.as_deref()),
        freshness: policy.freshness.as_ref().map(|f| {
            let rule = |r: &RuleSpec| (r.max_age_seconds, r.grace_seconds);
            (rule(&f.trust_list), rule(&f.status_list))
        }),
        trust_roots,
        client: ("runner", &key),
    }
    .config_text(dir, HMAC_KEY_HEX);
    let config = RawConfig::parse(&text).unwrap().resolve(dir).unwrap();
    let now = UnixTime(request.now);
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now).unwrap();
    let state = if request.replay_store_unavailable {
        let replay = ReplayBackend::from_store(UnavailableReplayStore);
        AppState::try_with_replay(&config, audit, Clock::Fixed(now), replay).unwrap()
    } else {
        AppState::try_new(&config, audit, Clock::Fixed(now)).unwrap()
    };
    if let TrustInput::TrustStore(json) = &request.trust {
        // A local trust store holds no status lists of its own: the service's embedding
        // API takes the store with the request's status lists.
        let mut store = TrustStore::from_json(&serde_json::to_string(json).unwrap()).unwrap();
        for status in &request.status_lists {
            let token = StatusListToken::verify(&hex_bytes(&status.token), &store).unwrap();
            store.add_status_list(Arc::new(token));
        }
        state.trust.install(store, "runner".into(), now);
    }
    state
}

impl Target for ServiceTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let key = Self::key(request);
        if !self.instances.contains_key(&key) {
            let dir = self.dir.join(self.instances.len().to_string());
            let instance = self.start(request, &dir);
            self.instances.insert(key.clone(), instance);
        }
        let address = self.instances[&key].address;
        let mut body = json!({ "qr": request.qr, "purpose": "kyc" });
        if let Some(challenge) = &request.challenge {
            body["nonce"] = challenge.nonce.clone().into();
        }
        let url = format!("http://{address}/v1/verify");
        let authorization = format!("Bearer {API_KEY}");
        let headers = [("Authorization", authorization.as_str())];
        if request.replay {
            http_post(&url, &headers, &body.to_string())?;
        }
        let (status, text) = http_post(&url, &headers, &body.to_string())?;
        if status != 200 {
            return Err(format!("HTTP {status}: {text}"));
        }
        let mut verdict: Value =
            serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
        // What only the service adds: the purpose, and the age answer of some purposes.
        if let Some(object) = verdict.as_object_mut() {
            object.remove("purpose");
            object.remove("age_over_17");
        }
        Ok(Answer::Verdict(verdict))
    }
}

impl Drop for ServiceTarget {
    fn drop(&mut self) {
        let instances = std::mem::take(&mut self.instances);
        self.runtime.block_on(async {
            for instance in instances.into_values() {
                let _ = instance.stop.send(());
                instance.state.audit.close().await;
            }
        });
    }
}

#[test]
fn every_conformance_vector_agrees_with_the_service_over_loopback_http() {
    let dir = std::env::temp_dir().join(format!("ikd-e2e-runner-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = ikd_conformance::runner::load_dir(&vectors_dir()).unwrap();
    let total: usize = files.iter().map(|(_, f)| f.vectors.len()).sum();
    let mut service = ServiceTarget::new(dir.clone());
    let report = run_target(&vectors_dir(), &mut service);
    let instances = service.instances.len();
    drop(service);
    let _ = std::fs::remove_dir_all(&dir);

    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let unsupported: Vec<String> = report.unsupported.iter().map(|u| u.id.clone()).collect();
    assert!(unsupported.is_empty(), "{unsupported:?}");
    assert_eq!(report.passed, total);
    eprintln!(
        "service over loopback HTTP ({instances} instances): {}",
        report.summary()
    );
}
