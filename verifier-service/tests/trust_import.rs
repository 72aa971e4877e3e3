//! Trust bundles into the service: `POST /v1/admin/trust/import` for administrator
//! clients only; an older bundle, a tampered one and a partial one handled under the
//! sync's rules with their codes; verifications answered while bundles are imported; the
//! watched folder; and the counter page's "data dated … (N days)".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::counter::{page_get, sign_in, staff_toml};
use common::*;
use ikd_sdk::status_list::{self, StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, KeyStatus, StatusList, StatusReference,
    TrustBundle, TrustEntry, TrustList, TrustedKey, UnixTime, Validity,
};
use ikd_verifier_service::AppState;
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::RawConfig;
use ikd_verifier_service::trust_import::{Watched, watch_pass};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const ISSUER: &str = "ID-DUKCAPIL-3273";
const URI: &str = "https://ikd.example/status/3273/1";
const DAY: i64 = 86_400;

fn root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x61; 32])
}

fn issuer_key() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x62; 32])
}

/// A bare KK credential at `index` of the status list.
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
            &ikd_sdk::IssueOptions::default().with_status(status),
        )
        .unwrap();
    credential.to_qr_text()
}

fn trust_list(sequence: u64, issued_at: i64) -> Vec<u8> {
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
            file: "3273-1.cwt".into(),
            issuer: ISSUER.into(),
        }],
        successor_roots: Vec::new(),
    }
    .sign(&root())
    .unwrap()
}

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

/// A bundle of list `sequence` issued at `issued_at`, with the status list revoking
/// `revoked` (or without a status list).
fn bundle(sequence: u64, issued_at: i64, revoked: Option<&[u64]>) -> Vec<u8> {
    let mut bundle = TrustBundle::new(trust_list(sequence, issued_at)).unwrap();
    if let Some(revoked) = revoked {
        bundle
            .add_status_list(status_token(issued_at, revoked))
            .unwrap();
    }
    bundle.to_bytes()
}

/// The signed trust data with an empty cache, `bank` an administrator, the staff accounts,
/// and `extra` TOML.
fn trust_toml(extra: &str) -> String {
    let root = ikd_sdk::encoding::hex_encode(&root().public_key().to_bytes());
    format!(
        "[trust]\nroots = [\"{root}\"]\ncache_dir = \"cache\"\n\
         [trust_import]\nadmin_clients = [\"bank\"]\n{extra}\n{}",
        staff_toml()
    )
}

fn signed_state(dir: &Path, extra: &str) -> AppState {
    let config = config(dir, &trust_toml(extra));
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, NOW).unwrap();
    AppState::try_new(&config, audit, Clock::Fixed(NOW)).unwrap()
}

fn import_request(key: Option<&str>, media: &str, body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::post("/v1/admin/trust/import").header(header::CONTENT_TYPE, media);
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    builder.body(Body::from(body)).unwrap()
}

async fn import(state: &AppState, body: Vec<u8>) -> Value {
    let answer = send(
        &app_for(state),
        import_request(Some(BANK_KEY), "application/octet-stream", body),
    )
    .await;
    assert_eq!(
        answer.0,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.2)
    );
    json(&answer.2)
}

/// The verdict's reason code (`valid` when valid) and the trust list sequence it used.
async fn verify_kk(state: &AppState, index: u64) -> (String, Value) {
    let answer = send(
        &app_for(state),
        verify_request(Some(BANK_KEY), verify_body(&kk(index), Some("kyc"))),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK);
    let body = json(&answer.2);
    let code = body["reason"]["code"]
        .as_str()
        .unwrap_or("valid")
        .to_owned();
    (code, body["trust_data"]["sequence"].clone())
}

#[tokio::test]
async fn only_administrators_import_and_the_sync_rules_apply() {
    let dir = TempDir::new("import-api");
    let state = signed_state(dir.path(), "");
    let router = app_for(&state);
    let first = bundle(1, NOW.0 - 2 * DAY, Some(&[5]));

    // Who may import, and in what form.
    let answer = send(
        &router,
        import_request(None, "application/octet-stream", first.clone()),
    )
    .await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED);
    let answer = send(
        &router,
        import_request(Some(SHOP_KEY), "application/octet-stream", first.clone()),
    )
    .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    assert_eq!(json(&answer.2)["code"], "admin_required");
    let answer = send(
        &router,
        import_request(Some(BANK_KEY), "application/json", first.clone()),
    )
    .await;
    assert_eq!(answer.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(state.trust.current().is_none());

    // A full bundle: imported, and verifications use it.
    let answer = import(&state, first.clone()).await;
    assert_eq!(answer["result"], "imported");
    assert_eq!(answer["trust_list"], "updated");
    assert_eq!(answer["status_lists"][0]["outcome"], "updated");
    assert_eq!(answer["sequence"], 1);
    assert_eq!(answer["data_age_days"], 2);
    assert_eq!(answer["data_dated"], UnixTime(NOW.0 - 2 * DAY).to_string());
    assert_eq!(verify_kk(&state, 5).await.0, "credential_revoked");
    assert_eq!(verify_kk(&state, 6).await.0, "valid");

    let second = bundle(2, NOW.0 - DAY, Some(&[5, 6]));
    assert_eq!(import(&state, second.clone()).await["result"], "imported");
    assert_eq!(verify_kk(&state, 6).await.0, "credential_revoked");

    // The older bundle: refused (rollback), the data in use stays.
    let answer = import(&state, first).await;
    assert_eq!(answer["result"], "refused");
    assert_eq!(answer["code"], "bundle_trust_list_rollback");
    assert_eq!(answer["sequence"], 2);
    let (code, sequence) = verify_kk(&state, 6).await;
    assert_eq!(
        (code.as_str(), sequence),
        ("credential_revoked", Value::from(2))
    );

    // A tampered bundle: refused with its code.
    let mut tampered = bundle(3, NOW.0 - 600, Some(&[]));
    let list = trust_list(3, NOW.0 - 600);
    let at = tampered
        .windows(list.len())
        .position(|w| w == list.as_slice())
        .unwrap();
    tampered[at + list.len() - 1] ^= 0x01;
    let answer = import(&state, tampered).await;
    assert_eq!(answer["code"], "bundle_trust_list_signature_invalid");
    assert_eq!(verify_kk(&state, 6).await.1, 2);
    let answer = import(&state, b"not a bundle".to_vec()).await;
    assert_eq!(answer["code"], "bundle_malformed");

    // A partial bundle: the trust list alone. Imported in part; the status list in use is
    // kept (verified again against the new keys).
    let answer = import(&state, bundle(3, NOW.0 - 600, None)).await;
    assert_eq!(answer["result"], "partial");
    assert_eq!(answer["trust_list"], "updated");
    assert_eq!(
        answer["status_lists"][0]["outcome"],
        "bundle_status_list_missing"
    );
    let (code, sequence) = verify_kk(&state, 6).await;
    assert_eq!(
        (code.as_str(), sequence),
        ("credential_revoked", Value::from(3))
    );

    // The counter page says how old the data is.
    let signed = sign_in(&router, "petugas").await;
    let answer = send(
        &router,
        page_get("/counter/api/session", Some(&signed.token)),
    )
    .await;
    let session = json(&answer.2);
    assert_eq!(
        session["trust"]["data_dated"],
        UnixTime(NOW.0 - 600).to_string()
    );
    assert_eq!(session["trust"]["data_age_days"], 0);
    assert_eq!(session["trust"]["freshness"], "fresh");
}

/// Verifications on several tasks keep being answered, each against one whole snapshot
/// (valid, or revoked: never an error), while bundles that alternately revoke and restore
/// the credential are imported.
#[test]
fn verifications_are_answered_while_bundles_are_imported() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = TempDir::new("import-concurrent");
        let state = signed_state(dir.path(), "");
        import(&state, bundle(1, NOW.0 - DAY, Some(&[]))).await;
        let qr = Arc::new(kk(5));
        let stop = Arc::new(AtomicBool::new(false));
        let verifiers: Vec<_> = (0..2)
            .map(|_| {
                let (state, stop, qr) = (state.clone(), Arc::clone(&stop), Arc::clone(&qr));
                tokio::spawn(async move {
                    let mut seen = (0_u32, 0_u32);
                    while !stop.load(Ordering::Relaxed) {
                        let answer = send(
                            &app_for(&state),
                            verify_request(Some(BANK_KEY), verify_body(&qr, Some("kyc"))),
                        )
                        .await;
                        assert_eq!(answer.0, StatusCode::OK);
                        match json(&answer.2)["reason"]["code"].as_str() {
                            None => seen.0 += 1,
                            Some("credential_revoked") => seen.1 += 1,
                            Some(other) => panic!("unexpected {other}"),
                        }
                        // Paced, so that the audit log's writes leave the disk to the
                        // imports on a busy machine.
                        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
                    }
                    seen
                })
            })
            .collect();
        for sequence in 2..=7_u64 {
            let revoked: &[u64] = if sequence % 2 == 0 { &[5] } else { &[] };
            let issued = NOW.0 - DAY + i64::try_from(sequence).unwrap();
            let answer = import(&state, bundle(sequence, issued, Some(revoked))).await;
            assert_eq!(answer["result"], "imported");
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        }
        stop.store(true, Ordering::Relaxed);
        let mut totals = (0, 0);
        for verifier in verifiers {
            let seen = verifier.await.unwrap();
            totals = (totals.0 + seen.0, totals.1 + seen.1);
        }
        assert!(totals.0 > 0 && totals.1 > 0, "{totals:?}");
        assert_eq!(verify_kk(&state, 5).await.1, 7);
    });
}

#[tokio::test]
async fn the_watched_folder_imports_new_bundles_once() {
    let dir = TempDir::new("import-watch");
    let stick = dir.path().join("usb");
    std::fs::create_dir_all(&stick).unwrap();
    let state = signed_state(
        dir.path(),
        "watch_dir = \"usb\"\nwatch_interval_seconds = 1",
    );
    assert_eq!(
        state.trust_import.watch_dir.as_deref(),
        Some(stick.as_path())
    );
    let mut watched = Watched::default();
    assert!(watch_pass(&state.trust, &stick, &mut watched, NOW).is_empty());

    std::fs::write(stick.join("a.ikdb"), bundle(1, NOW.0 - DAY, Some(&[5]))).unwrap();
    std::fs::write(stick.join("notes.txt"), b"ignored").unwrap();
    let done = watch_pass(&state.trust, &stick, &mut watched, NOW);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].0, "a.ikdb");
    assert_eq!(done[0].1.result, "imported");
    assert_eq!(verify_kk(&state, 5).await.0, "credential_revoked");
    // Looked at once: the next pass leaves it.
    assert!(watch_pass(&state.trust, &stick, &mut watched, NOW).is_empty());

    std::fs::write(stick.join("b.ikdb"), bundle(2, NOW.0 - 600, Some(&[]))).unwrap();
    std::fs::write(stick.join("c.IKDB"), b"broken").unwrap();
    let done = watch_pass(&state.trust, &stick, &mut watched, NOW);
    let results: Vec<(&str, &str, Option<&str>)> = done
        .iter()
        .map(|(name, a)| (name.as_str(), a.result, a.code))
        .collect();
    assert_eq!(
        results,
        [
            ("b.ikdb", "imported", None),
            ("c.IKDB", "refused", Some("bundle_malformed"))
        ]
    );
    assert_eq!(
        verify_kk(&state, 5).await,
        ("valid".to_owned(), Value::from(2))
    );
    // A missing folder (no stick) is no error.
    assert!(watch_pass(&state.trust, &dir.path().join("none"), &mut watched, NOW).is_empty());
}

#[test]
fn the_import_section_is_checked() {
    let dir = TempDir::new("import-config");
    let parse = |extra: &str| {
        RawConfig::parse(&config_text(dir.path(), extra))
            .unwrap()
            .resolve(dir.path())
    };
    let error = parse("[trust_import]\nadmin_clients = [\"nobody\"]").unwrap_err();
    assert!(error.to_string().contains("nobody"), "{error}");
    let error = parse("[trust_import]\nadmin_clients = [\"bank\"]").unwrap_err();
    assert!(error.to_string().contains("signed trust data"), "{error}");
    let error = parse("[trust_import]\nwatch_dir = \"usb\"").unwrap_err();
    assert!(error.to_string().contains("signed trust data"), "{error}");
    assert!(parse("[trust_import]\nadmin_clients = []").is_ok());
    let root = ikd_sdk::encoding::hex_encode(&root().public_key().to_bytes());
    let error = parse(&format!(
        "[trust]\nroots = [\"{root}\"]\n[trust_import]\nwatch_interval_seconds = 0"
    ))
    .unwrap_err();
    assert!(
        error.to_string().contains("watch_interval_seconds"),
        "{error}"
    );
}

/// A service on an unsigned trust file lets no client import (no one is an
/// administrator); one whose signed trust setup failed has no cache to import into.
#[tokio::test]
async fn without_a_trust_cache_nothing_is_imported() {
    let dir = TempDir::new("import-unsigned");
    let unsigned = state(dir.path());
    let request = || {
        import_request(
            Some(BANK_KEY),
            "application/octet-stream",
            bundle(1, NOW.0, None),
        )
    };
    let answer = send(&app_for(&unsigned), request()).await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);

    let dir = TempDir::new("import-broken");
    std::fs::write(
        dir.path().join("cache"),
        b"a file where the cache folder goes",
    )
    .unwrap();
    let config = config(dir.path(), &trust_toml(""));
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, NOW).unwrap();
    let broken = AppState::new(&config, audit, Clock::Fixed(NOW)).unwrap();
    let answer = send(&app_for(&broken), request()).await;
    assert_eq!(answer.0, StatusCode::CONFLICT);
    assert_eq!(json(&answer.2)["code"], "trust_import_unavailable");
}
