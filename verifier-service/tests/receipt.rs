#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! `POST /v1/receipt`: a verification receipt signed by the verifier's configured key, as
//! JSON and as CBOR; checked offline with the SDK against the verifier's public key; the
//! purpose deciding the fields (NIK masked) and the evidence; a rejection's receipt;
//! tampering and the wrong key refused; no receipt without a key. `receipt_logs.rs` checks
//! the logs.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use ikd_sdk::receipt::ReceiptVerdict;
use ikd_sdk::{IssuerPublicKey, IssuerSigningKey, Receipt};
use ikd_verifier_service::AppState;
use serde_json::Value;
use std::path::Path;

const SEED: [u8; 32] = [0x71; 32];

fn receipt_toml() -> String {
    format!(
        "[receipt]\nverifier_id = \"KECAMATAN-COBLONG-01\"\nsigning_key = \"{}\"\n\
         evidence_purposes = [\"kyc\"]\n",
        ikd_sdk::encoding::hex_encode(&SEED)
    )
}

fn public_key() -> IssuerPublicKey {
    IssuerSigningKey::from_seed(&SEED).public_key()
}

fn receipt_state(dir: &Path) -> AppState {
    state_at(dir, NOW, Some(&demo_data().trust), &receipt_toml())
}

fn receipt_request(key: &str, qr: &str, purpose: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/v1/receipt")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder
        .body(Body::from(verify_body(qr, Some(purpose))))
        .unwrap()
}

/// The receipt of `qr` for `purpose`, checked with the SDK against the verifier's key.
async fn receipt_of(state: &AppState, qr: &str, purpose: &str) -> (Receipt, Value) {
    let answer = send(
        &app_for(state),
        receipt_request(BANK_KEY, qr, purpose, None),
    )
    .await;
    assert_eq!(
        answer.0,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.2)
    );
    assert_eq!(answer.1[header::CACHE_CONTROL], "no-store");
    let body = json(&answer.2);
    let qr = body["qr"].as_str().unwrap();
    assert!(qr.starts_with("IKDR1:"));
    let receipt = Receipt::verify(qr.as_bytes(), &public_key()).unwrap();
    assert_eq!(
        body["public_key"],
        ikd_sdk::encoding::hex_encode(&public_key().to_bytes())
    );
    (receipt, body)
}

fn is_masked(nik: &str) -> bool {
    nik.len() == 16 && &nik[4..12] == "********" && nik[..4].bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn receipts_are_signed_filtered_and_checked() {
    let dir = TempDir::new("receipt-api");
    let state = receipt_state(dir.path());
    let data = demo_data();

    // kyc keeps evidence: the presentation shown, the NIK masked, no portrait.
    let shown_ktp = shown(&data, "ktp");
    let (receipt, body) = receipt_of(&state, &shown_ktp, "kyc").await;
    assert_eq!(receipt.verifier, "KECAMATAN-COBLONG-01");
    assert_eq!(receipt.verified_at, NOW);
    assert_eq!(receipt.verdict, ReceiptVerdict::Valid);
    assert_eq!(receipt.purpose, "kyc");
    assert!(receipt.issuer.is_some() && receipt.kid.is_some());
    assert_eq!(receipt.presentation.as_deref(), Some(shown_ktp.as_str()));
    let fields = receipt.fields.clone().unwrap();
    assert!(is_masked(fields["nik"].as_str().unwrap()), "{fields:?}");
    assert!(!fields.contains_key("foto"));
    assert_eq!(body["content"]["verdict"], "valid");

    // identity keeps no evidence and fewer fields; age_check keeps none.
    let (receipt, _) = receipt_of(&state, &shown(&data, "ktp"), "identity").await;
    assert!(receipt.presentation.is_none());
    let fields = receipt.fields.unwrap();
    assert!(is_masked(fields["nik"].as_str().unwrap()));
    assert!(!fields.contains_key("alamat"));
    let (receipt, _) = receipt_of(&state, &shown(&data, "ktp"), "age_check").await;
    assert!(receipt.fields.is_none() && receipt.presentation.is_none());

    // A tampered credential: a receipt of the rejection, with nothing read from it.
    let kk = data.credential("kk-4").unwrap().qr_text.clone();
    let tampered = common::counter::tampered(&kk);
    let (receipt, _) = receipt_of(&state, &tampered, "kyc").await;
    assert_eq!(receipt.verdict, ReceiptVerdict::Rejected);
    assert!(receipt.reason.is_some());
    assert!(receipt.fields.is_none() && receipt.presentation.is_none());

    // CBOR: the receipt's bytes.
    let answer = send(
        &app_for(&state),
        receipt_request(BANK_KEY, &kk, "domicile", Some("application/cbor")),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK);
    assert_eq!(answer.1[header::CONTENT_TYPE], "application/cbor");
    let receipt = Receipt::verify(&answer.2, &public_key()).unwrap();
    let mut names: Vec<&str> = receipt
        .fields
        .as_ref()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alamat", "kode_wilayah", "rt", "rw", "type"]);

    // Tampering with the receipt, and another verifier's key.
    let mut changed = answer.2.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    let code = |bytes: &[u8], key: &IssuerPublicKey| {
        Receipt::verify(bytes, key)
            .unwrap_err()
            .code()
            .unwrap()
            .code()
    };
    assert_eq!(code(&changed, &public_key()), "receipt_signature_invalid");
    let other = IssuerSigningKey::from_seed(&[0x72; 32]).public_key();
    assert_eq!(code(&answer.2, &other), "receipt_key_mismatch");

    // A purpose the client may not use, and a service without a receipt key.
    let answer = send(
        &app_for(&state),
        receipt_request(SHOP_KEY, &kk, "kyc", None),
    )
    .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    let plain = state_at(&dir.path().join("plain"), NOW, Some(&data.trust), "");
    let answer = send(
        &app_for(&plain),
        receipt_request(BANK_KEY, &kk, "kyc", None),
    )
    .await;
    assert_eq!(answer.0, StatusCode::CONFLICT);
    assert_eq!(json(&answer.2)["code"], "receipts_unavailable");
}

#[test]
fn the_receipt_section_is_checked() {
    let dir = TempDir::new("receipt-config");
    let parse = |extra: &str| {
        ikd_verifier_service::config::RawConfig::parse(&config_text(dir.path(), extra))
            .unwrap()
            .resolve(dir.path())
    };
    assert!(parse(&receipt_toml()).unwrap().receipt.is_some());
    assert!(parse("").unwrap().receipt.is_none());
    let error = parse("[receipt]\nverifier_id = \"X\"").unwrap_err();
    assert!(error.to_string().contains("signing_key"), "{error}");
    let error = parse("[receipt]\nverifier_id = \"X\"\nsigning_key = \"abcd\"").unwrap_err();
    assert!(error.to_string().contains("64 hex"), "{error}");
    assert!(!error.to_string().contains("abcd"));
    let error = parse(&receipt_toml().replace("[\"kyc\"]", "[\"gossip\"]")).unwrap_err();
    assert!(error.to_string().contains("unknown purpose"), "{error}");
    let config = parse(&receipt_toml()).unwrap();
    let debug = format!("{:?}", config.receipt);
    assert!(
        !debug.contains(&ikd_sdk::encoding::hex_encode(&SEED)),
        "{debug}"
    );
}

/// The counter page gets a receipt with each verification (header `X-IKD-Receipt`), and
/// `POST /counter/api/receipt` turns it into the printable page's content and QR code.
#[tokio::test]
async fn the_counter_page_prints_receipts() {
    use common::counter::{page_post, page_verify, sign_in, staff_toml};
    let dir = TempDir::new("receipt-counter");
    let data = demo_data();
    let state = state_at(
        dir.path(),
        NOW,
        Some(&data.trust),
        &format!("{}\n{}", receipt_toml(), staff_toml()),
    );
    let router = app_for(&state);
    let signed = sign_in(&router, "petugas").await;
    let answer = send(&router, page_verify(&signed, &shown(&data, "ktp"))).await;
    assert_eq!(answer.0, StatusCode::OK);
    let header = answer.1["x-ikd-receipt"].to_str().unwrap().to_owned();
    let bytes = ikd_sdk::encoding::base64_decode(&header).unwrap();
    let receipt = Receipt::verify(&bytes, &public_key()).unwrap();
    assert_eq!(receipt.purpose, "kyc");
    assert_eq!(receipt.verdict, ReceiptVerdict::Valid);

    let body = serde_json::json!({ "receipt": header }).to_string();
    let printed = send(
        &router,
        page_post(
            "/counter/api/receipt",
            Some(&signed.token),
            Some(&signed.csrf),
            &body,
        ),
    )
    .await;
    assert_eq!(
        printed.0,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&printed.2)
    );
    let print = json(&printed.2);
    assert!(print["svg"].as_str().unwrap().contains("<svg"));
    assert!(print["qr"].as_str().unwrap().starts_with("IKDR1:"));
    assert_eq!(print["content"]["verdict"], "valid");
    assert!(is_masked(
        print["content"]["fields"]["nik"].as_str().unwrap()
    ));

    // Without the CSRF token, or for a receipt of another verifier: refused.
    let refused = send(
        &router,
        page_post("/counter/api/receipt", Some(&signed.token), None, &body),
    )
    .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
    let mut forged = bytes.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let forged = serde_json::json!({ "receipt": ikd_sdk::encoding::base64_encode(&forged) });
    let refused = send(
        &router,
        page_post(
            "/counter/api/receipt",
            Some(&signed.token),
            Some(&signed.csrf),
            &forged.to_string(),
        ),
    )
    .await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);

    // A service without a receipt key sends none.
    let plain = state_at(
        &dir.path().join("plain"),
        NOW,
        Some(&data.trust),
        &staff_toml(),
    );
    let router = app_for(&plain);
    let signed = sign_in(&router, "petugas").await;
    let answer = send(&router, page_verify(&signed, &shown(&data, "ktp"))).await;
    assert_eq!(answer.0, StatusCode::OK);
    assert!(answer.1.get("x-ikd-receipt").is_none());
}
