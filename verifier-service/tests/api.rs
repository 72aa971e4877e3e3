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
use common::*;
use hmac::{Hmac, KeyInit as _, Mac as _};
use ikd_sdk::Report;
use ikd_sdk::display::DisplayLanguages;
use ikd_sdk::{Policy, TrustStore, UnixTime, verify};
use ikd_verifier_service::audit::{AuditLog, AuditRecord};
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::RawConfig;
use ikd_verifier_service::{AppState, app};
use serde_json::Value;
use std::sync::Arc;

/// The demo data's issuer keys: one per document type.
const DEMO_KEYS: usize = ikd_sdk::DocType::ALL.len();

/// The QR texts every comparison runs: each sample, each tampered, each foreign, and
/// some that are no credential at all.
fn qr_cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    let data = demo_data();
    for credential in &data.credentials {
        let qr = shown(&data, credential.sample);
        // Change one character in the middle, to another Base45 character.
        let mut tampered: Vec<char> = qr.chars().collect();
        let middle = tampered.len() / 2;
        tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
        let tampered: String = tampered.into_iter().collect();
        // Change one character near the end: inside the signature.
        let mut late: Vec<char> = qr.chars().collect();
        let at = late.len() - 5;
        late[at] = if late[at] == '0' { '1' } else { '0' };
        let late: String = late.into_iter().collect();
        let truncated = qr[..qr.len() - 7].to_owned();
        cases.push((format!("{} valid", credential.sample), qr));
        cases.push((format!("{} tampered", credential.sample), tampered));
        cases.push((format!("{} tampered late", credential.sample), late));
        cases.push((format!("{} truncated", credential.sample), truncated));
    }
    let foreign = foreign_data();
    for credential in &foreign.credentials {
        cases.push((
            format!("{} foreign", credential.sample),
            shown(&foreign, credential.sample),
        ));
    }
    for (name, text) in [
        ("url", "https://example.com/ktp".to_owned()),
        ("empty", String::new()),
        ("prefix only", "IKD1:".to_owned()),
        ("bad base45", "IKD1:~~~~".to_owned()),
        ("huge", format!("IKD1:{}", "0".repeat(20_000))),
    ] {
        cases.push((name.to_owned(), text));
    }
    cases
}

/// The service's answer without what only the service adds, and the SDK's report without
/// its document: they must be equal.
fn without_disclosure(mut answer: Value) -> Value {
    let object = answer.as_object_mut().unwrap();
    object.remove("purpose");
    object.remove("document");
    object.remove("age_over_17");
    answer
}

/// Asserts that an answer of POST /v1/verify has the published form
/// (spec/schemas/disclosed-verdict.schema.json).
fn assert_published_form(answer: &Value) {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR
        .get_or_init(|| ikd_sdk::schemas::validator("disclosed-verdict.schema.json").unwrap());
    let problems: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

async fn compare_with_sdk(state: &AppState, now: UnixTime, trust: &TrustStore) -> usize {
    let router = app(state.clone());
    let mut valid = 0;
    for (name, qr) in qr_cases() {
        let answer = send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(&qr, Some("kyc"))),
        )
        .await;
        assert_eq!(
            answer.0,
            StatusCode::OK,
            "{name}: {}",
            String::from_utf8_lossy(&answer.2)
        );
        assert_eq!(answer.1[header::CONTENT_TYPE], "application/json");
        assert_eq!(answer.1[header::CACHE_CONTROL], "no-store");
        // `Date` is the service clock's time of the verification.
        let date = answer.1[header::DATE].to_str().unwrap();
        assert_eq!(
            httpdate::parse_http_date(date).unwrap(),
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.0 as u64),
            "{date}"
        );
        let service = json(&answer.2);
        assert_published_form(&service);
        // The service's default display rows are in Bahasa Indonesia only.
        let sdk = Report::new_with(
            &verify(&qr, trust, now, &Policy::default()),
            DisplayLanguages::Indonesian,
        );
        let mut sdk_json: Value = serde_json::from_str(&sdk.to_json()).unwrap();
        let sdk_document = sdk_json.as_object_mut().unwrap().remove("document");
        assert_eq!(without_disclosure(service.clone()), sdk_json, "{name}");
        // kyc sees the whole document, exactly as the SDK reports it.
        assert_eq!(service.get("document").cloned(), sdk_document, "{name}");
        assert_eq!(service["purpose"], "kyc");
        if service["verdict"] == "valid" {
            valid += 1;
        }
    }
    valid
}

#[tokio::test]
async fn verdicts_equal_the_sdk_for_every_case() {
    let dir = TempDir::new("sdk-equal");
    let data = demo_data();
    let state = state(dir.path());
    let valid = compare_with_sdk(&state, NOW, &data.trust).await;
    assert_eq!(valid, data.credentials.len(), "each sample is valid now");

    // A year later every credential has expired; the verdicts still agree.
    let later = UnixTime(NOW.0 + 366 * 86_400);
    let dir = TempDir::new("sdk-equal-later");
    let state = state_at(dir.path(), later, Some(&data.trust), "");
    assert_eq!(compare_with_sdk(&state, later, &data.trust).await, 0);
    let router = app(state);
    let qr = &shown(&data, "ktp");
    let answer = json(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(qr, None)),
        )
        .await
        .2,
    );
    assert_eq!(answer["reason"]["code"], "credential_expired");
    assert_eq!(answer["reason"]["stage"], "time");
    assert_eq!(
        answer["reason"]["message_id"],
        "Kredensial sudah kedaluwarsa."
    );
    assert!(answer.get("document").is_none());
}

#[tokio::test]
async fn the_answer_carries_the_whole_verdict() {
    let dir = TempDir::new("shape");
    let router = app_for(&state(dir.path()));
    let qr = &demo_data().credential("kk-4").unwrap().qr_text.clone();
    let answer = json(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(qr, None)),
        )
        .await
        .2,
    );
    assert_eq!(answer["verdict"], "valid");
    assert_eq!(answer["purpose"], "kyc", "the client's default purpose");
    assert_eq!(answer["doc_type"], "kk");
    assert_eq!(answer["issuer"]["id"], ikd_sdk::demo::ISSUER_ID);
    assert_eq!(answer["trace"].as_array().unwrap().len(), 9);
    assert_eq!(answer["issued_at"], ISSUED.to_string());
    assert!(answer["warnings"].is_array());
    assert_eq!(
        answer["document"]["anggota"][1]["nama_ibu"],
        "NENG ROSMAWATI"
    );

    let foreign = &shown(&foreign_data(), "ktp");
    let answer = json(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(foreign, None)),
        )
        .await
        .2,
    );
    assert_eq!(answer["verdict"], "rejected");
    assert_eq!(
        answer["reason"],
        serde_json::json!({
            "code": "kid_unknown",
            "stage": "header",
            "message_en": "The credential was signed by a key this verifier does not trust.",
            "message_id": "Kredensial ditandatangani oleh kunci yang tidak dipercaya verifikator ini.",
        })
    );
}

#[tokio::test]
async fn the_client_chooses_the_display_rows() {
    let dir = TempDir::new("display");
    let router = app_for(&state(dir.path()));
    let qr = &demo_data().credential("kk-4").unwrap().qr_text.clone();
    let ask = |display: Option<&str>| {
        let mut body = serde_json::json!({"qr": qr, "purpose": "kyc"});
        if let Some(display) = display {
            body["display"] = display.into();
        }
        verify_request(Some(BANK_KEY), body.to_string())
    };
    let mut sizes = Vec::new();
    for (display, id, en) in [
        (None, true, false),
        (Some("id"), true, false),
        (Some("en"), false, true),
        (Some("both"), true, true),
        (Some("none"), false, false),
    ] {
        let (status, _, body) = send(&router, ask(display)).await;
        assert_eq!(status, StatusCode::OK, "{display:?}");
        let answer = json(&body);
        assert_published_form(&answer);
        assert_eq!(answer["verdict"], "valid");
        // The document is there whatever the display rows.
        assert_eq!(
            answer["document"]["anggota"][1]["nama_ibu"],
            "NENG ROSMAWATI"
        );
        match answer.get("display") {
            None => assert!(!id && !en, "{display:?}"),
            Some(sections) => {
                let sections = sections.as_array().unwrap();
                assert_eq!(sections.len(), 5, "{display:?}");
                for section in sections {
                    assert_eq!(section.get("title_id").is_some(), id, "{display:?}");
                    assert_eq!(section.get("title_en").is_some(), en, "{display:?}");
                    for row in section["fields"].as_array().unwrap() {
                        assert_eq!(row.get("label_id").is_some(), id, "{display:?}");
                        assert_eq!(row.get("label_en").is_some(), en, "{display:?}");
                        assert!(row["value"].is_string());
                    }
                }
            }
        }
        sizes.push(body.len());
    }
    // The SDK's full verdict, in each choice, has the published form too.
    let verdict_schema = ikd_sdk::schemas::validator("verdict.schema.json").unwrap();
    let result = verify(qr, &demo_data().trust, NOW, &Policy::default());
    for languages in DisplayLanguages::ALL {
        let report: Value =
            serde_json::from_str(&Report::new_with(&result, languages).to_json()).unwrap();
        assert_eq!(report["verdict"], "valid");
        assert_eq!(
            report.get("display").is_some(),
            languages != DisplayLanguages::None
        );
        let problems: Vec<String> = verdict_schema
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(problems.is_empty(), "{languages:?}: {problems:#?}");
    }
    // Default (id) = id; none < id, en < both.
    assert_eq!(sizes[0], sizes[1]);
    assert!(
        sizes[4] < sizes[1] && sizes[1] < sizes[3] && sizes[2] < sizes[3],
        "{sizes:?}"
    );

    for bad in ["ID", "fr", "", "both,en"] {
        let answer = send(&router, ask(Some(bad))).await;
        assert_problem(&answer, StatusCode::BAD_REQUEST, "display_unknown");
        let detail = json(&answer.2)["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("none, id, en, both"), "{detail}");
    }
    // Not a string: the body is not the documented JSON.
    let body = serde_json::json!({"qr": qr, "display": 1}).to_string();
    assert_problem(
        &send(&router, verify_request(Some(BANK_KEY), body)).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    // With a JSON body, display goes in the body, not the query string.
    let request = Request::post("/v1/verify?display=none")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(verify_body(qr, None)))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::BAD_REQUEST,
        "malformed_query",
    );
}

#[tokio::test]
async fn purposes_filter_the_document() {
    let dir = TempDir::new("purposes");
    let router = app_for(&state(dir.path()));
    let data = demo_data();
    // A fresh presentation for each request, as the phone shows.
    let ktp = || shown(&data, "ktp");
    let kk = &data.credential("kk-4").unwrap().qr_text;
    let ask = |key: &'static str, qr: &str, purpose: &str| {
        let request = verify_request(Some(key), verify_body(qr, Some(purpose)));
        let router = router.clone();
        async move {
            let answer = send(&router, request).await;
            assert_published_form(&json(&answer.2));
            answer
        }
    };

    // age_check: no NIK, no name, nothing of the document; only age_over_17.
    for key in [BANK_KEY, SHOP_KEY] {
        let (status, _, body) = ask(key, &ktp(), "age_check").await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(body).unwrap();
        for personal in [
            "3273015708920003",
            "SITI",
            "GEGERKALONG",
            "1992-08-17",
            "nik",
            "nama",
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
        let answer = json(text.as_bytes());
        assert_eq!(answer["verdict"], "valid");
        assert_eq!(answer["age_over_17"], true);
        assert!(answer.get("document").is_none());
    }
    // For a KK there is no single holder: no age, and still nothing of the document.
    let answer = json(&ask(SHOP_KEY, kk, "age_check").await.2);
    assert!(answer.get("age_over_17").is_none() && answer.get("document").is_none());

    // kyc: everything, including the mother's name on the KK.
    let answer = json(&ask(BANK_KEY, &ktp(), "kyc").await.2);
    assert_eq!(answer["document"]["nik"], "3273015708920003");
    assert_eq!(answer["document"]["nama"], "SITI NURHALIZA PUTRI");
    assert!(answer.get("age_over_17").is_none());
    let answer = json(&ask(BANK_KEY, kk, "kyc").await.2);
    assert_eq!(answer["document"]["nomor_kk"], "3273012208140005");
    assert_eq!(
        answer["document"]["anggota"][0]["nama_ibu"],
        "ENTIN KURNIASIH"
    );

    // identity and domicile.
    let answer = json(&ask(BANK_KEY, &ktp(), "identity").await.2);
    let fields: Vec<&str> = answer["document"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields.len(), 4, "{fields:?}"); // type, nik, nama, tanggal_lahir (no foto in the sample)
    assert!(answer["document"].get("alamat").is_none());
    let answer = json(&ask(BANK_KEY, kk, "domicile").await.2);
    assert_eq!(answer["document"]["rt"], 3);
    assert!(answer["document"].get("anggota").is_none());
    assert!(answer["document"].get("nomor_kk").is_none());
}

#[tokio::test]
async fn authentication_and_purpose_problems() {
    let dir = TempDir::new("auth");
    let router = app_for(&state(dir.path()));
    let data = demo_data();
    // A fresh presentation for each request, as the phone shows.
    let qr = || shown(&data, "ktp");
    let body = || verify_body(&qr(), None);

    assert_problem(
        &send(&router, verify_request(None, body())).await,
        StatusCode::UNAUTHORIZED,
        "api_key_missing",
    );
    let answer = send(&router, verify_request(Some("ikd_wrong"), body())).await;
    assert_problem(&answer, StatusCode::UNAUTHORIZED, "api_key_invalid");
    assert!(
        answer.1[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    for authorization in [
        format!("Basic {BANK_KEY}"),
        BANK_KEY.to_owned(),
        "Bearer ".to_owned(),
    ] {
        let request = Request::post("/v1/verify")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, authorization)
            .body(Body::from(body()))
            .unwrap();
        assert_problem(
            &send(&router, request).await,
            StatusCode::UNAUTHORIZED,
            "api_key_invalid",
        );
    }
    // The scheme is case-insensitive.
    let request = Request::post("/v1/verify")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("bearer {BANK_KEY}"))
        .body(Body::from(body()))
        .unwrap();
    assert_eq!(send(&router, request).await.0, StatusCode::OK);

    // The shop may only check ages.
    for purpose in ["kyc", "identity", "domicile"] {
        let answer = send(
            &router,
            verify_request(Some(SHOP_KEY), verify_body(&qr(), Some(purpose))),
        )
        .await;
        assert_problem(&answer, StatusCode::FORBIDDEN, "purpose_not_allowed");
    }
    // Without a purpose it gets its default, age_check.
    let answer = json(
        &send(&router, verify_request(Some(SHOP_KEY), body()))
            .await
            .2,
    );
    assert_eq!(
        (answer["purpose"].as_str(), answer["age_over_17"].as_bool()),
        (Some("age_check"), Some(true))
    );
    let answer = send(
        &router,
        verify_request(Some(BANK_KEY), verify_body(&qr(), Some("everything"))),
    )
    .await;
    assert_problem(&answer, StatusCode::BAD_REQUEST, "purpose_unknown");

    // The trust status needs a key too.
    assert_problem(
        &send(&router, get("/v1/trust/status", None)).await,
        StatusCode::UNAUTHORIZED,
        "api_key_missing",
    );
}

#[tokio::test]
async fn request_body_problems() {
    let dir = TempDir::new("bodies");
    let router = app_for(&state(dir.path()));
    let post = |content_type: Option<&str>, body: Body| {
        let mut builder =
            Request::post("/v1/verify").header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"));
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        builder.body(body).unwrap()
    };

    for bad in [
        "{",
        "[]",
        "\"IKD1:\"",
        "{\"qr\": 5}",
        "{\"qr\": \"x\", \"extra\": 1}",
        "",
        "\u{1}",
    ] {
        let answer = send(&router, post(Some("application/json"), Body::from(bad))).await;
        assert_problem(&answer, StatusCode::BAD_REQUEST, "malformed_json");
        // The detail never quotes the body.
        let detail = json(&answer.2)["detail"].as_str().unwrap().to_owned();
        assert!(!detail.contains("extra"), "{detail}");
    }
    for missing in ["{}", "{\"purpose\": \"kyc\"}", "{\"qr\": null}"] {
        assert_problem(
            &send(&router, post(Some("application/json"), Body::from(missing))).await,
            StatusCode::BAD_REQUEST,
            "qr_missing",
        );
    }
    let answer = send(
        &router,
        post(
            Some("application/json"),
            Body::from("{\"qr\": \"IKD1:\", \"nonce\": \"abc\"}"),
        ),
    )
    .await;
    assert_problem(&answer, StatusCode::BAD_REQUEST, "nonce_invalid");

    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        // Pictures are PNG, JPEG, WebP or PDF (tests/upload.rs); not GIF.
        Some("image/gif"),
    ] {
        let answer = send(
            &router,
            post(content_type, Body::from("{\"qr\": \"IKD1:\"}")),
        )
        .await;
        assert_problem(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
    let answer = send(
        &router,
        post(
            Some("Application/JSON; charset=utf-8"),
            Body::from("{\"qr\": \"IKD1:\"}"),
        ),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK);

    // Oversize: declared by Content-Length, and streamed without one.
    let big = format!("{{\"qr\": \"{}\"}}", "A".repeat(70 * 1024));
    let request = Request::post("/v1/verify")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(8 * 1024)
        .map(|c| Ok(String::from_utf8(c.to_vec()).unwrap()))
        .collect();
    let streamed = Body::from_stream(futures_util::stream::iter(chunks));
    assert_problem(
        &send(&router, post(Some("application/json"), streamed)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    // Just under the limit is read (and is a credential outcome, not a problem).
    let under = format!("{{\"qr\": \"{}\"}}", "A".repeat(60 * 1024));
    assert_eq!(
        send(&router, post(Some("application/json"), Body::from(under)))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_rate_limit_empties_and_answers_429() {
    let dir = TempDir::new("rate");
    let state = state(dir.path());
    let router = app_for(&state);
    let qr = demo_data().credential("ktp").unwrap().qr_text.clone();
    for _ in 0..2 {
        assert_eq!(
            send(
                &router,
                verify_request(Some(TINY_KEY), verify_body(&qr, None))
            )
            .await
            .0,
            StatusCode::OK
        );
    }
    for _ in 0..3 {
        let answer = send(
            &router,
            verify_request(Some(TINY_KEY), verify_body(&qr, None)),
        )
        .await;
        assert_problem(&answer, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        let retry: u64 = answer.1[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // Other clients are not affected.
    assert_eq!(
        send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(&qr, None))
        )
        .await
        .0,
        StatusCode::OK
    );
    let metrics = String::from_utf8(send(&router, get("/metrics", None)).await.2).unwrap();
    assert!(
        metrics.contains("ikd_rate_limited_total{client=\"tiny\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ikd_http_requests_total{route=\"/v1/verify\",status=\"429\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn unavailable_until_trust_data_loads() {
    let dir = TempDir::new("trust");
    let state = state_at(dir.path(), NOW, None, "");
    let router = app_for(&state);
    let data = demo_data();
    let qr = &shown(&data, "ktp");

    assert_problem(
        &send(&router, get("/readyz", None)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "trust_not_loaded",
    );
    assert_problem(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(qr, None)),
        )
        .await,
        StatusCode::SERVICE_UNAVAILABLE,
        "trust_not_loaded",
    );
    assert_eq!(send(&router, get("/healthz", None)).await.0, StatusCode::OK);
    let status = json(
        &send(&router, get("/v1/trust/status", Some(BANK_KEY)))
            .await
            .2,
    );
    assert_eq!(status["loaded"], false);
    // Auth still comes first.
    assert_problem(
        &send(&router, verify_request(None, verify_body(qr, None))).await,
        StatusCode::UNAUTHORIZED,
        "api_key_missing",
    );

    // A broken trust file is refused and nothing is loaded.
    std::fs::write(
        state.trust.path(),
        "{\"format\": \"ikd-trust-store/1\", \"keys\": []}",
    )
    .unwrap();
    assert!(
        state
            .trust
            .reload(NOW)
            .unwrap_err()
            .to_string()
            .contains("no key")
    );
    let status = json(
        &send(&router, get("/v1/trust/status", Some(BANK_KEY)))
            .await
            .2,
    );
    assert!(status["last_error"].as_str().unwrap().contains("no key"));

    // The trust store file appears: the service loads it and answers.
    std::fs::write(state.trust.path(), data.trust.to_json()).unwrap();
    assert_eq!(
        state.trust.reload(NOW).unwrap(),
        ikd_verifier_service::trust::Reload::Loaded(DEMO_KEYS)
    );
    assert_eq!(
        state.trust.reload(NOW).unwrap(),
        ikd_verifier_service::trust::Reload::Unchanged
    );
    assert_eq!(send(&router, get("/readyz", None)).await.0, StatusCode::OK);
    let answer = json(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(qr, None)),
        )
        .await
        .2,
    );
    assert_eq!(answer["verdict"], "valid");

    // A bad update keeps the last good copy in use.
    std::fs::write(
        state.trust.path(),
        "not json at all, and longer than before",
    )
    .unwrap();
    assert!(state.trust.reload(NOW).is_err());
    assert_eq!(send(&router, get("/readyz", None)).await.0, StatusCode::OK);
    let status = json(
        &send(&router, get("/v1/trust/status", Some(BANK_KEY)))
            .await
            .2,
    );
    assert_eq!(
        (status["loaded"].as_bool(), status["key_count"].as_u64()),
        (Some(true), Some(DEMO_KEYS as u64))
    );
    assert_eq!(status["loaded_at"], NOW.to_string());
    assert_eq!(status["source"], state.trust.path().display().to_string());
    assert_eq!(status["keys"][0]["issuer"], ikd_sdk::demo::ISSUER_ID);
    assert!(status["last_error"].is_string());
}

#[tokio::test]
async fn operational_endpoints() {
    let dir = TempDir::new("ops");
    let router = app_for(&state(dir.path()));

    let codes = json(&send(&router, get("/v1/reason-codes", None)).await.2);
    let reasons = codes["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), ikd_sdk::reason::REGISTRY.len());
    let expired = reasons
        .iter()
        .find(|r| r["code"] == "credential_expired")
        .unwrap();
    assert_eq!(expired["stage"], "time");
    assert_eq!(expired["message_en"], "The credential has expired.");
    assert_eq!(expired["message_id"], "Kredensial sudah kedaluwarsa.");
    assert_eq!(
        codes["warnings"].as_array().unwrap().len(),
        ikd_sdk::reason::WARNING_REGISTRY.len()
    );
    assert_eq!(codes["stages"][0], "decode");

    assert_eq!(
        json(&send(&router, get("/healthz", None)).await.2)["status"],
        "ok"
    );
    let ready = json(&send(&router, get("/readyz", None)).await.2);
    assert_eq!(
        (ready["status"].as_str(), ready["trust_keys"].as_u64()),
        (Some("ready"), Some(DEMO_KEYS as u64))
    );

    let qr = &shown(&demo_data(), "ktp");
    send(
        &router,
        verify_request(Some(BANK_KEY), verify_body(qr, None)),
    )
    .await;
    send(
        &router,
        verify_request(Some(BANK_KEY), verify_body("hello", None)),
    )
    .await;
    let (status, headers, body) = send(&router, get("/metrics", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(body).unwrap();
    for line in [
        "ikd_verifications_total{verdict=\"valid\",reason=\"none\"} 1",
        "ikd_verifications_total{verdict=\"rejected\",reason=\"not_ikd_credential\"} 1",
        "ikd_http_requests_total{route=\"/v1/verify\",status=\"200\"} 2",
        "ikd_http_requests_total{route=\"/v1/reason-codes\",status=\"200\"} 1",
        "ikd_verify_duration_seconds_count 2",
        "ikd_trust_loaded 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    let keys = format!("ikd_trust_keys {DEMO_KEYS}");
    assert!(text.lines().any(|l| l == keys), "{keys} in\n{text}");

    assert_problem(
        &send(&router, get("/nothing/here?nik=3273015708920003", None)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &send(&router, get("/v1/verify", None)).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let text = String::from_utf8(send(&router, get("/metrics", None)).await.2).unwrap();
    assert!(
        text.contains("route=\"unmatched\",status=\"404\""),
        "{text}"
    );
    assert!(!text.contains("nik"), "no URI in the metrics");
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let preflight = || {
        Request::options("/v1/verify")
            .header(header::ORIGIN, "https://bank.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let dir = TempDir::new("cors-off");
    let router = app_for(&state(dir.path()));
    let (_, headers, _) = send(&router, preflight()).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let mut request = verify_request(Some(BANK_KEY), verify_body("x", None));
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://bank.example".parse().unwrap());
    let (_, headers, _) = send(&router, request).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let dir = TempDir::new("cors-on");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[http]\ncors_allowed_origins = [\"https://bank.example\"]",
    );
    let router = app_for(&state);
    let (status, headers, _) = send(&router, preflight()).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://bank.example"
    );
    // The allowed origin's page may read the verdict's `Date`.
    let mut request = verify_request(Some(BANK_KEY), verify_body("x", None));
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://bank.example".parse().unwrap());
    let (_, headers, _) = send(&router, request).await;
    assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "date");
    assert_eq!(headers[header::DATE], "Mon, 21 Sep 2026 14:13:20 GMT");
    let mut request = verify_request(Some(BANK_KEY), verify_body("x", None));
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    let (_, headers, _) = send(&router, request).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

/// Every answer, API or not, success or problem, tells browsers not to sniff its type.
#[tokio::test]
async fn every_answer_says_nosniff() {
    let dir = TempDir::new("nosniff");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[http]\ncors_allowed_origins = [\"https://bank.example\"]",
    );
    let router = app_for(&state);
    let data = demo_data();
    let preflight = Request::options("/v1/verify")
        .header(header::ORIGIN, "https://bank.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    let cases: Vec<(Request<Body>, StatusCode)> = vec![
        (
            verify_request(Some(BANK_KEY), verify_body(&shown(&data, "kk-4"), None)),
            StatusCode::OK,
        ),
        (
            verify_request(None, verify_body("x", None)),
            StatusCode::UNAUTHORIZED,
        ),
        (verify_request(Some(BANK_KEY), "{"), StatusCode::BAD_REQUEST),
        (get("/v1/reason-codes", None), StatusCode::OK),
        (get("/v1/trust/status", Some(BANK_KEY)), StatusCode::OK),
        (get("/healthz", None), StatusCode::OK),
        (get("/readyz", None), StatusCode::OK),
        (get("/metrics", None), StatusCode::OK),
        (get("/openapi.json", None), StatusCode::OK),
        (get("/nowhere", None), StatusCode::NOT_FOUND),
        (get("/v1/verify", None), StatusCode::METHOD_NOT_ALLOWED),
        (get("/counter/api/session", None), StatusCode::UNAUTHORIZED),
        (get("/", None), StatusCode::SEE_OTHER),
        (preflight, StatusCode::OK),
    ];
    for (request, expected) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, headers, _) = send(&router, request).await;
        assert_eq!(status, expected, "{what}");
        let values: Vec<_> = headers
            .get_all(header::X_CONTENT_TYPE_OPTIONS)
            .iter()
            .collect();
        assert_eq!(values, ["nosniff"], "{what}");
    }
}

#[tokio::test]
async fn slow_requests_time_out() {
    let dir = TempDir::new("timeout");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[http]\nrequest_timeout_ms = 50",
    );
    let router = app_for(&state);
    // A body that never finishes.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(1);
    sender.send(Ok("{\"qr\": ".to_owned())).await.unwrap();
    let mut receiver = receiver;
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }));
    let request = Request::post("/v1/verify")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), send(&router, request))
        .await
        .unwrap();
    assert_problem(&answer, StatusCode::REQUEST_TIMEOUT, "request_timeout");
    drop(sender);
}

#[tokio::test]
async fn the_audit_log_holds_hashed_ids_and_no_personal_data() {
    let dir = TempDir::new("audit");
    let state = state(dir.path());
    let router = app_for(&state);
    let data = demo_data();
    let ktp = || shown(&data, "ktp");
    send(
        &router,
        verify_request(Some(BANK_KEY), verify_body(&ktp(), Some("identity"))),
    )
    .await;
    send(
        &router,
        verify_request(Some(SHOP_KEY), verify_body(&ktp(), None)),
    )
    .await;
    send(
        &router,
        verify_request(Some(BANK_KEY), verify_body("IKD1:%%", None)),
    )
    .await;
    // Refused requests are not verifications: no row.
    send(
        &router,
        verify_request(Some("nobody"), verify_body(&ktp(), None)),
    )
    .await;
    state.audit.flush().await.unwrap();

    let cti = verify(&ktp(), &data.trust, NOW, &Policy::default())
        .unwrap()
        .credential_id()
        .unwrap()
        .to_vec();
    let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(&hex_bytes(HMAC_KEY_HEX)).unwrap();
    mac.update(&cti);
    let expected_hmac = ikd_sdk::encoding::hex_encode(&mac.finalize().into_bytes());

    let rows = sqlite_audit_rows(state.audit.sqlite_path().unwrap());
    assert_eq!(
        rows,
        vec![
            (
                NOW.0,
                "bank".into(),
                "identity".into(),
                "valid".into(),
                None,
                Some(expected_hmac.clone())
            ),
            (
                NOW.0,
                "shop".into(),
                "age_check".into(),
                "valid".into(),
                None,
                Some(expected_hmac)
            ),
            (
                NOW.0,
                "bank".into(),
                "kyc".into(),
                "rejected".into(),
                Some("base45_invalid".into()),
                None
            ),
        ]
    );
    let db = rusqlite::Connection::open(state.audit.sqlite_path().unwrap()).unwrap();
    let columns: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('audit')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        columns,
        [
            "id",
            "time",
            "client",
            "purpose",
            "verdict",
            "reason_code",
            "credential_hmac"
        ]
    );
}

fn hex_bytes(text: &str) -> Vec<u8> {
    ikd_sdk::encoding::hex_decode(text).unwrap()
}

#[tokio::test]
async fn old_audit_rows_are_deleted_at_start_and_when_purged() {
    let dir = TempDir::new("retention");
    let path = dir.path().join("audit.sqlite3");
    let row = |days_ago: i64| AuditRecord {
        time: UnixTime(NOW.0 - days_ago * 86_400),
        client: Arc::from("bank"),
        purpose: "kyc",
        verdict: ikd_sdk::Verdict::Valid,
        reason_code: None,
        credential_hmac: None,
    };
    let count = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap()
    };

    let log = AuditLog::open(&sqlite(&path), 30, NOW).unwrap();
    for days_ago in [45, 31, 29, 0] {
        log.record(row(days_ago)).await.unwrap();
    }
    log.close().await;
    assert!(log.record(row(0)).await.is_err(), "closed");
    assert_eq!(count(&path), 4);

    // Reopened: rows older than 30 days go.
    let log = AuditLog::open(&sqlite(&path), 30, NOW).unwrap();
    assert_eq!(count(&path), 2);
    assert_eq!(
        log.stats()
            .purged
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    // While running: a purge 20 days later removes the 29-day-old row.
    log.purge(UnixTime(NOW.0 + 20 * 86_400)).await.unwrap();
    log.flush().await.unwrap();
    assert_eq!(count(&path), 1);
    log.close().await;
}

#[tokio::test]
async fn a_closed_audit_log_refuses_to_answer() {
    let dir = TempDir::new("audit-closed");
    let state = state(dir.path());
    let router = app_for(&state);
    state.audit.close().await;
    let qr = &shown(&demo_data(), "ktp");
    let answer = send(
        &router,
        verify_request(Some(BANK_KEY), verify_body(qr, None)),
    )
    .await;
    assert_problem(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "audit_unavailable",
    );
    assert!(!String::from_utf8_lossy(&answer.2).contains("SITI"));
}

#[test]
fn the_clock_reads_the_system_time() {
    let now = Clock::System.now();
    assert!(now.0 > 1_700_000_000, "{now}");
    assert_eq!(Clock::Fixed(NOW).now(), NOW);
}

#[tokio::test]
async fn presentations_bind_the_counters_challenge_and_are_accepted_once() {
    let dir = TempDir::new("presentations");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[policy]\naudience = \"BANK-CABANG-01\"\n",
    );
    let router = app_for(&state);
    let data = demo_data();
    let ktp = data.credential("ktp").unwrap();
    let present = |challenge: Option<&ikd_sdk::Challenge>, age: i64| {
        ikd_sdk::present(
            &ktp.credential,
            &data.holder,
            UnixTime(NOW.0 - age),
            90,
            challenge,
        )
        .unwrap()
        .to_qr_text()
    };
    let ask = |qr: String, nonce: Option<&str>| {
        let mut body = serde_json::json!({ "qr": qr });
        if let Some(nonce) = nonce {
            body["nonce"] = nonce.into();
        }
        let request = verify_request(Some(BANK_KEY), body.to_string());
        let router = router.clone();
        async move {
            let answer = send(&router, request).await;
            assert_eq!(answer.0, StatusCode::OK);
            let answer = json(&answer.2);
            assert_published_form(&answer);
            answer
        }
    };
    let code = |answer: &Value| answer["reason"]["code"].as_str().unwrap_or("").to_owned();

    // The counter's challenge, typed by the holder in lower case, bound with the audience.
    let challenge = ikd_sdk::Challenge::new("7KQ2M9XD", Some("BANK-CABANG-01")).unwrap();
    let answered = present(Some(&challenge), 0);
    let answer = ask(answered.clone(), Some("7kq2-m9xd")).await;
    assert_eq!(answer["verdict"], "valid", "{answer}");
    assert_eq!(answer["presentation"]["nonce"], "7KQ2M9XD");
    assert_eq!(answer["presentation"]["audience"], "BANK-CABANG-01");
    // The same QR code again: refused, whatever the nonce.
    let again = ask(answered, Some("7KQ2M9XD")).await;
    assert_eq!(code(&again), "presentation_replayed");

    // Another nonce, or one made for another counter.
    let other = ikd_sdk::Challenge::new("AAAAAAAA", Some("BANK-CABANG-01")).unwrap();
    assert_eq!(
        code(&ask(present(Some(&other), 1), Some("7KQ2M9XD")).await),
        "nonce_mismatch"
    );
    let elsewhere = ikd_sdk::Challenge::new("7KQ2M9XD", Some("BANK-CABANG-02")).unwrap();
    assert_eq!(
        code(&ask(present(Some(&elsewhere), 2), Some("7KQ2M9XD")).await),
        "audience_mismatch"
    );
    // Without a nonce in the request, no challenge is checked; an old code has expired.
    assert_eq!(ask(present(None, 3), None).await["verdict"], "valid");
    assert_eq!(
        code(&ask(present(None, 200), None).await),
        "presentation_expired"
    );
    // The bound KTP-el shown bare (a screenshot of the credential) is refused.
    assert_eq!(
        code(&ask(ktp.qr_text.clone(), None).await),
        "presentation_required"
    );
}

#[test]
fn the_bare_credential_policy_is_configured() {
    let dir = TempDir::new("bare-config");
    let default = config(dir.path(), "");
    assert_eq!(
        default.policy().bare_credentials,
        ikd_sdk::Policy::default().bare_credentials
    );
    let both = config(
        dir.path(),
        "[policy]\nbare_credentials = [\"ktp\", \"kk\"]\n",
    );
    assert!(
        both.policy()
            .bare_credentials
            .contains(ikd_sdk::DocType::Ktp)
    );
    let refused = RawConfig::parse(&config_text(
        dir.path(),
        "[policy]\nbare_credentials = [\"passport\"]\n",
    ))
    .unwrap()
    .resolve(dir.path())
    .unwrap_err()
    .to_string();
    assert!(refused.contains("policy.bare_credentials"), "{refused}");
}
