//! For every conformance vector, the service's verdict equals the SDK's.
//!
//! Each vector names its trust data, a clock and a policy (`conformance/README.md`). The
//! service is built for them in-process (`ikd_verifier_service::app`), the QR text is
//! posted to `POST /v1/verify` with purpose `kyc` (which discloses the whole document), and
//! the answer is compared with `ikd_sdk::verify` on the same inputs, as the conformance
//! runner builds them: verdict, reason code and stage, and the whole report besides what
//! only the service adds.
//!
//! The trust data reaches the service the way it does in production. A vector with a
//! signed trust list (group `trust`) gets a trust cache folder holding the list and the
//! status lists it names, under the file names the list gives (what `ikd trust publish`
//! writes and a sync stores), and a service configured with the vector's pinned roots and
//! freshness policy, which opens that cache through the SDK's `TrustCache` at the vector's
//! time. A vector with a trust store gets it as the service's (unsigned) trust data.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ikd_conformance::runner::UnavailableReplayStore;
use ikd_e2e_tests::VectorService;
use ikd_sdk::Freshness;
use ikd_sdk::Report;
use ikd_sdk::policy::{DEFAULT_PRESENTATION_LEEWAY_SECONDS, DEFAULT_PRESENTATION_MAX_AGE_SECONDS};
use ikd_sdk::store::{STATUS_DIR, TRUST_LIST_FILE};
use ikd_sdk::{
    Challenge, DocType, DocTypeSet, IssuerPublicKey, Policy, ReplayCache, StatusListToken,
    TrustStore, UnixTime, VerifiedTrustList, VerifyOptions,
};
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::RawConfig;
use ikd_verifier_service::replay::ReplayBackend;
use ikd_verifier_service::{AppState, app};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt as _;

const API_KEY: &str = "ikd_e2e_conformance_key";
const HMAC_KEY_HEX: &str = "5151515151515151515151515151515151515151515151515151515151515151";

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("conformance")
        .join("vectors")
}

/// Where a vector's keys come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Keys {
    /// A trust store of the file, by name.
    Store(String),
    /// A signed trust list of the file, by name.
    List(String),
}

/// A freshness rule: maximum age and grace (`None`: rejected at once).
type Rule = ikd_e2e_tests::FreshnessRule;

/// One vector with what the service needs to be set up for it.
struct Case {
    file: String,
    id: String,
    qr: String,
    now: i64,
    keys: Keys,
    status_lists: Vec<String>,
    leeway_seconds: u32,
    accepted_doc_types: Vec<String>,
    /// Trust list and status list rules, when the vector gives them.
    freshness: Option<(Rule, Rule)>,
    /// The types accepted bare; every type when the vector does not say.
    bare_credentials: Vec<String>,
    /// The verifier's challenge: nonce and audience.
    challenge: Option<(String, Option<String>)>,
    /// Whether the QR text is verified once before the compared verification.
    replay: bool,
    /// Whether the verifier's replay store cannot answer.
    replay_store_unavailable: bool,
    /// The reason code the vector expects; `None` for a valid one.
    expected_code: Option<String>,
    /// A presentation's largest age and leeway, in seconds.
    presentation_times: (u32, u32),
}

impl Case {
    /// What one service instance is built for: vectors sharing it share the instance.
    fn service_key(&self) -> String {
        format!(
            "{} {:?} {:?} {} {} {:?} {:?} {:?} {:?} {} {:?}",
            self.file,
            self.keys,
            self.status_lists,
            self.now,
            self.leeway_seconds,
            self.accepted_doc_types,
            self.freshness,
            self.bare_credentials,
            self.challenge.as_ref().map(|c| &c.1),
            self.replay_store_unavailable,
            self.presentation_times
        )
    }
}

/// A vector file's trust data.
#[derive(Default)]
struct FileTrust {
    stores: BTreeMap<String, TrustStore>,
    /// Signed trust lists: pinned roots (hex) and the token.
    lists: BTreeMap<String, (Vec<String>, Vec<u8>)>,
    /// Status lists: URI and token.
    status_lists: BTreeMap<String, (String, Vec<u8>)>,
}

/// Trust data by vector file.
type Trust = BTreeMap<String, FileTrust>;

fn rule(value: &Value) -> Rule {
    (
        u32::try_from(value["max_age_seconds"].as_u64().unwrap()).unwrap(),
        value
            .get("grace_seconds")
            .map(|g| u32::try_from(g.as_u64().unwrap()).unwrap()),
    )
}

fn hex_bytes(text: &str) -> Vec<u8> {
    ikd_sdk::encoding::hex_decode(text).unwrap()
}

fn cases() -> (Vec<Case>, Trust) {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no vector files in {:?}", vectors_dir());
    let mut cases = Vec::new();
    let mut trust = Trust::new();
    for name in names {
        let file: Value =
            serde_json::from_str(&std::fs::read_to_string(vectors_dir().join(&name)).unwrap())
                .unwrap();
        let data = trust.entry(name.clone()).or_default();
        for (store_name, store) in file["trust_stores"].as_object().unwrap() {
            let store = TrustStore::from_json(&store.to_string())
                .unwrap_or_else(|e| panic!("{name}: trust store {store_name}: {e}"));
            data.stores.insert(store_name.clone(), store);
        }
        for (list_name, list) in file["trust_lists"].as_object().into_iter().flatten() {
            let roots = list["roots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect();
            let token = hex_bytes(list["token"].as_str().unwrap());
            data.lists.insert(list_name.clone(), (roots, token));
        }
        for (list_name, list) in file["status_lists"].as_object().into_iter().flatten() {
            let uri = list["uri"].as_str().unwrap().to_owned();
            let token = hex_bytes(list["token"].as_str().unwrap());
            data.status_lists.insert(list_name.clone(), (uri, token));
        }
        for vector in file["vectors"].as_array().unwrap() {
            let id = vector["id"].as_str().unwrap().to_owned();
            let keys = match (vector.get("trust_store"), vector.get("trust_list")) {
                (Some(store), None) => Keys::Store(store.as_str().unwrap().to_owned()),
                (None, Some(list)) => Keys::List(list.as_str().unwrap().to_owned()),
                _ => panic!("{name} {id}: not exactly one of a trust store and a trust list"),
            };
            let policy = &vector["policy"];
            cases.push(Case {
                file: name.clone(),
                id,
                qr: vector["qr"].as_str().unwrap().to_owned(),
                now: vector["now"].as_i64().unwrap(),
                keys,
                status_lists: vector
                    .get("status_lists")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect(),
                leeway_seconds: u32::try_from(policy["leeway_seconds"].as_u64().unwrap()).unwrap(),
                accepted_doc_types: policy["accepted_doc_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect(),
                freshness: policy
                    .get("freshness")
                    .map(|f| (rule(&f["trust_list"]), rule(&f["status_list"]))),
                bare_credentials: match policy.get("bare_credentials") {
                    None => DocType::ALL.iter().map(|t| t.name().to_owned()).collect(),
                    Some(types) => types
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect(),
                },
                challenge: vector.get("challenge").map(|c| {
                    (
                        c["nonce"].as_str().unwrap().to_owned(),
                        c.get("audience").map(|a| a.as_str().unwrap().to_owned()),
                    )
                }),
                replay: vector
                    .get("replay")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                replay_store_unavailable: vector
                    .get("replay_store_unavailable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                expected_code: vector["expected"]
                    .get("reason_code")
                    .map(|c| c.as_str().unwrap().to_owned()),
                presentation_times: {
                    let seconds = |name: &str, default: u32| {
                        policy
                            .get(name)
                            .map_or(default, |v| u32::try_from(v.as_u64().unwrap()).unwrap())
                    };
                    (
                        seconds(
                            "presentation_max_age_seconds",
                            DEFAULT_PRESENTATION_MAX_AGE_SECONDS,
                        ),
                        seconds(
                            "presentation_leeway_seconds",
                            DEFAULT_PRESENTATION_LEEWAY_SECONDS,
                        ),
                    )
                },
            });
        }
    }
    (cases, trust)
}

/// The trust data of a vector as the conformance runner builds it for the SDK: the store
/// or the verified trust list's keys, with the vector's status lists added.
fn sdk_trust(case: &Case, data: &FileTrust) -> TrustStore {
    let mut store = match &case.keys {
        Keys::Store(name) => data.stores[name].clone(),
        Keys::List(name) => {
            let (roots, token) = &data.lists[name];
            VerifiedTrustList::verify(token, &pinned(roots))
                .unwrap_or_else(|e| panic!("{}: trust list {name}: {e}", case.id))
                .to_trust_store()
        }
    };
    for name in &case.status_lists {
        let (uri, token) = &data.status_lists[name];
        let verified = StatusListToken::verify(token, &store)
            .unwrap_or_else(|e| panic!("{}: status list {name}: {e}", case.id));
        assert_eq!(verified.uri(), uri, "{}", case.id);
        store.add_status_list(Arc::new(verified));
    }
    store
}

fn pinned(roots: &[String]) -> Vec<IssuerPublicKey> {
    roots
        .iter()
        .map(|r| IssuerPublicKey::from_bytes(&hex_bytes(r)).unwrap())
        .collect()
}

/// Writes the trust cache folder of a trust-list vector: the list, and each of the
/// vector's status lists under the file name the list gives its URI.
fn write_cache(case: &Case, data: &FileTrust, list: &str, dir: &Path) {
    let (roots, token) = &data.lists[list];
    let verified = VerifiedTrustList::verify(token, &pinned(roots)).unwrap();
    std::fs::create_dir_all(dir.join(STATUS_DIR)).unwrap();
    std::fs::write(dir.join(TRUST_LIST_FILE), token).unwrap();
    for name in &case.status_lists {
        let (uri, token) = &data.status_lists[name];
        let reference = verified
            .list()
            .status_lists
            .iter()
            .find(|r| &r.uri == uri)
            .unwrap_or_else(|| panic!("{}: the trust list names no status list {uri}", case.id));
        std::fs::write(dir.join(STATUS_DIR).join(&reference.file), token).unwrap();
    }
}

/// The service for one vector's trust data, clock and policy, in `dir` (audit log, trust
/// cache).
fn service_for(case: &Case, data: &FileTrust, dir: &Path) -> AppState {
    let trust_roots = match &case.keys {
        Keys::Store(_) => None,
        Keys::List(name) => {
            write_cache(case, data, name, &dir.join("cache"));
            Some(data.lists[name].0.as_slice())
        }
    };
    let key = ikd_verifier_service::auth::hash_api_key_hex(API_KEY);
    let text = VectorService {
        leeway_seconds: case.leeway_seconds,
        presentation_max_age_seconds: case.presentation_times.0,
        presentation_leeway_seconds: case.presentation_times.1,
        accepted_doc_types: &case.accepted_doc_types,
        bare_credentials: &case.bare_credentials,
        audience: case.challenge.as_ref().and_then(|c| c.1.as_deref()),
        freshness: case.freshness,
        trust_roots,
        client: ("e2e", &key),
    }
    .config_text(dir, HMAC_KEY_HEX);
    let config = RawConfig::parse(&text).unwrap().resolve(dir).unwrap();
    let now = UnixTime(case.now);
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now).unwrap();
    let state = if case.replay_store_unavailable {
        let replay = ReplayBackend::from_store(UnavailableReplayStore);
        AppState::try_with_replay(&config, audit, Clock::Fixed(now), replay).unwrap()
    } else {
        AppState::try_new(&config, audit, Clock::Fixed(now)).unwrap()
    };
    if let Keys::Store(name) = &case.keys {
        // A local trust store carries no status lists of its own; the service's embedding
        // API takes the store with the vector's status lists, as the SDK gets it.
        state
            .trust
            .install(sdk_trust(case, data), name.clone(), now);
    }
    state
}

/// The policy the vector names, as the SDK takes it.
fn sdk_policy(case: &Case) -> Policy {
    let mut accepted = DocTypeSet::NONE;
    for name in &case.accepted_doc_types {
        accepted = accepted.with(DocType::from_name(name).unwrap());
    }
    let mut bare = DocTypeSet::NONE;
    for name in &case.bare_credentials {
        bare = bare.with(DocType::from_name(name).unwrap());
    }
    let mut policy = Policy::new()
        .with_leeway_seconds(case.leeway_seconds)
        .with_presentation_age(case.presentation_times.0, case.presentation_times.1)
        .with_accepted_doc_types(accepted)
        .with_bare_credentials(bare);
    if let Some((list, status)) = case.freshness {
        let rule = |(age, grace): Rule| match grace {
            None => Freshness::reject_after(age),
            Some(grace) => Freshness::warn_after(age, grace),
        };
        policy = policy
            .with_trust_list_freshness(rule(list))
            .with_status_list_freshness(rule(status));
    }
    policy
}

async fn post(state: &AppState, qr: &str, nonce: Option<&str>) -> (StatusCode, Value) {
    // Both languages of display rows: the form the conformance vectors are written in.
    let mut body = serde_json::json!({ "qr": qr, "purpose": "kyc", "display": "both" });
    if let Some(nonce) = nonce {
        body["nonce"] = nonce.into();
    }
    let body = body.to_string();
    let request = Request::post("/v1/verify")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::from(body))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn the_service_gives_the_sdk_verdict_for_every_conformance_vector() {
    let (cases, trust) = cases();
    let dir = std::env::temp_dir().join(format!("ikd-e2e-conformance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (compared, valid, signed, mismatches) = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(120), async {
            // One service per trust store, clock and policy: vectors share most of them.
            let mut services: BTreeMap<String, AppState> = BTreeMap::new();
            let mut mismatches = Vec::new();
            let (mut compared, mut valid, mut signed) = (0, 0, 0);
            for case in &cases {
                let data = &trust[&case.file];
                let service_dir = dir.join(services.len().to_string());
                let state = services
                    .entry(case.service_key())
                    .or_insert_with(|| service_for(case, data, &service_dir))
                    .clone();

                let nonce = case.challenge.as_ref().map(|c| c.0.as_str());
                if case.replay {
                    // Only the second showing is compared: the first may be refused after
                    // the presentation was recorded.
                    let (status, _first) = post(&state, &case.qr, nonce).await;
                    assert_eq!(status, StatusCode::OK, "{} first showing", case.id);
                }
                let (status, answer) = post(&state, &case.qr, nonce).await;
                let store = sdk_trust(case, data);
                let challenge = case
                    .challenge
                    .as_ref()
                    .map(|(nonce, audience)| Challenge::new(nonce, audience.as_deref()).unwrap());
                let replay_cache = ReplayCache::new(4);
                let options = VerifyOptions {
                    challenge: challenge.as_ref(),
                    replay_cache: if case.replay_store_unavailable {
                        Some(&UnavailableReplayStore)
                    } else {
                        Some(&replay_cache)
                    },
                };
                let now = UnixTime(case.now);
                let policy = sdk_policy(case);
                if case.replay {
                    let _first = ikd_sdk::verify_with(&case.qr, &store, now, &policy, &options);
                }
                let sdk_result = ikd_sdk::verify_with(&case.qr, &store, now, &policy, &options);
                let sdk: Value = serde_json::from_str(&Report::new(&sdk_result).to_json()).unwrap();
                let what = format!("{} {}", case.file, case.id);
                if status != StatusCode::OK {
                    mismatches.push(format!("{what}: HTTP {status}: {answer}"));
                    continue;
                }
                // The three things the vectors define: verdict, reason code, stage.
                let core = |v: &Value| {
                    (
                        v["verdict"].clone(),
                        v["reason"]["code"].clone(),
                        v["reason"]["stage"].clone(),
                    )
                };
                // Both give what the vector expects.
                let expected_code = answer["reason"]["code"].as_str().map(str::to_owned);
                if expected_code != case.expected_code {
                    mismatches.push(format!(
                        "{what}: service {expected_code:?}, vector {:?}",
                        case.expected_code
                    ));
                    continue;
                }
                if core(&answer) != core(&sdk) {
                    mismatches.push(format!(
                        "{what}: service {:?}, SDK {:?}",
                        core(&answer),
                        core(&sdk)
                    ));
                    continue;
                }
                // And the rest of the report: the service adds only `purpose`, and for
                // `kyc` discloses the whole document.
                let mut service_report = answer.clone();
                let object = service_report.as_object_mut().unwrap();
                assert_eq!(object.remove("purpose"), Some(Value::from("kyc")), "{what}");
                object.remove("age_over_17");
                if service_report != sdk {
                    mismatches.push(format!(
                        "{what}: reports differ:\nservice {service_report}\nSDK     {sdk}"
                    ));
                    continue;
                }
                compared += 1;
                if sdk["verdict"] == "valid" {
                    valid += 1;
                }
                if matches!(case.keys, Keys::List(_)) {
                    signed += 1;
                }
            }
            for state in services.values() {
                state.audit.close().await;
            }
            (compared, valid, signed, mismatches)
        })
        .await
        .expect("every vector answered in time")
    });
    drop(runtime);
    let _ = std::fs::remove_dir_all(&dir);

    assert!(
        mismatches.is_empty(),
        "{} of {} vectors differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
    assert_eq!(compared, cases.len());
    // The suite has both outcomes; if it ever had only one, this test would prove little.
    assert!(valid > 0 && valid < compared, "{valid} of {compared} valid");
    // The signed trust lists went through the service's trust cache.
    assert!(signed > 0, "no vector with a signed trust list");
    eprintln!(
        "service = SDK for {compared} conformance vectors ({valid} valid, {} rejected; \
         {signed} against a signed trust list from the service's trust cache)",
        compared - valid
    );
}
