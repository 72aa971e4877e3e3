//! Pictures uploaded to `POST /v1/verify`: a PNG, a JPEG and a PDF of a credential's QR
//! code are verified exactly as its text sent as JSON; every refusal has its status and
//! problem code (no code in the picture, several credentials, a wrong media type, bytes
//! of no supported format, a damaged image or PDF, an oversize body, oversize dimensions,
//! a bad query string, a nonce, a purpose the client may not use, no trust data).
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
use common::pictures;
use common::*;

/// A picture upload with `media_type` to `/v1/verify?{query}`.
fn upload(key: Option<&str>, media_type: &str, query: &str, picture: Vec<u8>) -> Request<Body> {
    let uri = if query.is_empty() {
        "/v1/verify".to_owned()
    } else {
        format!("/v1/verify?{query}")
    };
    let mut builder = Request::post(uri).header(header::CONTENT_TYPE, media_type);
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    builder.body(Body::from(picture)).unwrap()
}

/// The bare KK sample's QR text (valid under the default policy).
fn kk() -> String {
    demo_data().credential("kk-4").unwrap().qr_text.clone()
}

fn audit_rows(dir: &std::path::Path) -> i64 {
    rusqlite::Connection::open(dir.join("audit/audit.sqlite3"))
        .unwrap()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_picture_gives_the_verdict_of_its_qr_text() {
    let dir = TempDir::new("upload-verdicts");
    let state = state(dir.path());
    let router = app_for(&state);
    let qr = kk();

    let as_json = send(
        &router,
        verify_request(Some(BANK_KEY), verify_body(&qr, Some("identity"))),
    )
    .await;
    assert_eq!(as_json.0, StatusCode::OK);
    let expected = json(&as_json.2);
    assert_eq!(expected["verdict"], "valid", "{expected}");

    for (media_type, picture) in [
        ("image/png", pictures::png(&qr)),
        ("image/jpeg", pictures::jpeg(&qr)),
        ("application/pdf", pictures::pdf(&qr)),
        // Parameters are ignored; the format is recognised from the bytes.
        ("Image/PNG; name=scan.png", pictures::png(&qr)),
    ] {
        let answer = send(
            &router,
            upload(Some(BANK_KEY), media_type, "purpose=identity", picture),
        )
        .await;
        assert_eq!(
            answer.0,
            StatusCode::OK,
            "{media_type}: {}",
            String::from_utf8_lossy(&answer.2)
        );
        assert_eq!(answer.1[header::CACHE_CONTROL], "no-store");
        // The same answer as the JSON request: same verdict, same disclosure.
        assert_eq!(json(&answer.2), expected, "{media_type}");
    }
    // The display rows' languages come from the query string, as the JSON member.
    let body = serde_json::json!({"qr": qr, "purpose": "identity", "display": "none"});
    let as_json = json(
        &send(&router, verify_request(Some(BANK_KEY), body.to_string()))
            .await
            .2,
    );
    assert!(as_json.get("display").is_none(), "{as_json}");
    let answer = send(
        &router,
        upload(
            Some(BANK_KEY),
            "image/png",
            "purpose=identity&display=none",
            pictures::png(&qr),
        ),
    )
    .await;
    assert_eq!(json(&answer.2), as_json);

    // Without a purpose, the client's default (kyc: the whole document).
    let answer = send(
        &router,
        upload(Some(BANK_KEY), "image/png", "", pictures::png(&qr)),
    )
    .await;
    let verdict = json(&answer.2);
    assert_eq!(verdict["purpose"], "kyc");
    assert!(verdict["document"]["nomor_kk"].is_string(), "{verdict}");

    // A code that is not an IKD credential is verified, and rejected, like its text.
    let answer = send(
        &router,
        upload(
            Some(BANK_KEY),
            "image/png",
            "",
            pictures::png("https://example.com/"),
        ),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK);
    assert_eq!(json(&answer.2)["reason"]["code"], "not_ikd_credential");

    // A credential from keys nobody trusts: rejected, as its text would be.
    let foreign = foreign_data().credential("kk-4").unwrap().qr_text.clone();
    let answer = send(
        &router,
        upload(Some(BANK_KEY), "image/png", "", pictures::png(&foreign)),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK);
    assert_eq!(json(&answer.2)["verdict"], "rejected");

    // Every verification is audited: 2 JSON, 6 valid pictures, 2 rejected pictures.
    state.audit.close().await;
    assert_eq!(audit_rows(dir.path()), 10);
}

#[tokio::test]
async fn pictures_without_one_credential_are_refused_with_their_codes() {
    let dir = TempDir::new("upload-refusals");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[upload]\nbody_limit_bytes = 65536\nconcurrency = 1\n",
    );
    let router = app_for(&state);
    let qr = kk();
    let other = demo_data().credential("kk-8").unwrap().qr_text.clone();
    let png = pictures::png(&qr);

    let problem = |picture: Vec<u8>, media_type: &'static str, query: &'static str| {
        let router = router.clone();
        async move { send(&router, upload(Some(BANK_KEY), media_type, query, picture)).await }
    };
    let cases: Vec<(Vec<u8>, &str, &str, StatusCode, &str)> = vec![
        (
            pictures::blank_png(),
            "image/png",
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_qr_code_found",
        ),
        (
            pictures::png_of_all(&[&qr, &other]),
            "image/png",
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "multiple_credentials",
        ),
        (
            png.clone(),
            "image/gif",
            "",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            b"GIF89a not a picture the scanner reads".to_vec(),
            "image/png",
            "",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_format",
        ),
        (
            png[..png.len() / 2].to_vec(),
            "image/png",
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "undecodable_image",
        ),
        (
            b"%PDF-1.7\n garbage".to_vec(),
            "application/pdf",
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_pdf",
        ),
        (
            vec![0x89; 65_537],
            "image/png",
            "",
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            pictures::wide_png(16_385),
            "image/png",
            "",
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
        ),
        (
            png.clone(),
            "image/png",
            "purpose=kyc&format=raw",
            StatusCode::BAD_REQUEST,
            "malformed_query",
        ),
        (
            png.clone(),
            "image/png",
            "purpose=kyc&purpose=identity",
            StatusCode::BAD_REQUEST,
            "malformed_query",
        ),
        (
            png.clone(),
            "image/png",
            "purpose=%zz",
            StatusCode::BAD_REQUEST,
            "malformed_query",
        ),
        (
            png.clone(),
            "image/png",
            "nonce=abc",
            StatusCode::BAD_REQUEST,
            "nonce_invalid",
        ),
        (
            png.clone(),
            "image/png",
            "purpose=everything",
            StatusCode::BAD_REQUEST,
            "purpose_unknown",
        ),
        (
            png.clone(),
            "image/png",
            "display=fr",
            StatusCode::BAD_REQUEST,
            "display_unknown",
        ),
    ];
    for (picture, media_type, query, status, code) in cases {
        let answer = problem(picture, media_type, query).await;
        assert_problem(&answer, status, code);
    }

    // A declared length over the limit is refused before the body is read.
    let request = Request::post("/v1/verify")
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::CONTENT_LENGTH, "1000000")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .body(Body::from(vec![0u8; 16]))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    let shop = send(
        &router,
        upload(Some(SHOP_KEY), "image/png", "purpose=kyc", png.clone()),
    )
    .await;
    assert_problem(&shop, StatusCode::FORBIDDEN, "purpose_not_allowed");
    let no_key = send(&router, upload(None, "image/png", "", png.clone())).await;
    assert_problem(&no_key, StatusCode::UNAUTHORIZED, "api_key_missing");
    // With a JSON body, purpose and nonce belong in the body.
    let request = Request::post("/v1/verify?purpose=kyc")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .body(Body::from(verify_body(&qr, None)))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::BAD_REQUEST,
        "malformed_query",
    );

    // Refusals are not verifications: nothing audited. A good picture still works.
    let answer = problem(png, "image/png", "").await;
    assert_eq!(answer.0, StatusCode::OK);
    state.audit.close().await;
    assert_eq!(audit_rows(dir.path()), 1);
}

#[tokio::test]
async fn no_scan_without_trust_data() {
    let dir = TempDir::new("upload-no-trust");
    let state = state_at(dir.path(), NOW, None, "");
    let answer = send(
        &app_for(&state),
        upload(Some(BANK_KEY), "image/png", "", pictures::png(&kk())),
    )
    .await;
    assert_problem(&answer, StatusCode::SERVICE_UNAVAILABLE, "trust_not_loaded");
    let metrics = send(&app_for(&state), get("/metrics", None)).await;
    let text = String::from_utf8(metrics.2).unwrap();
    assert!(
        text.contains("ikd_http_requests_total{route=\"/v1/verify\",status=\"503\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn pictures_and_json_have_their_own_size_limits() {
    let dir = TempDir::new("upload-limits");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[http]\nbody_limit_bytes = 512\n",
    );
    let router = app_for(&state);
    let qr = kk();
    let png = pictures::png(&qr);
    assert!(png.len() > 512);
    let answer = send(&router, upload(Some(BANK_KEY), "image/png", "", png)).await;
    assert_eq!(answer.0, StatusCode::OK);
    assert_problem(
        &send(
            &router,
            verify_request(Some(BANK_KEY), verify_body(&qr, None)),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    state.audit.close().await;
}
