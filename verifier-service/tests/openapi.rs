//! `GET /openapi.json` is generated from the code and equals the committed
//! `spec/openapi.json`. `IKD_UPDATE_OPENAPI=1 cargo test -p ikd-verifier-service --test
//! openapi` rewrites the file after a change to the API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use axum::http::{StatusCode, header};
use common::*;
use ikd_verifier_service::problem::Problem;
use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("spec")
        .join("openapi.json")
}

#[tokio::test]
async fn the_served_document_equals_spec_openapi_json() {
    let dir = TempDir::new("openapi");
    let router = app_for(&state(dir.path()));
    let (status, headers, body) = send(&router, get("/openapi.json", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let served = String::from_utf8(body).unwrap();
    assert_eq!(served, ikd_verifier_service::openapi::json());

    let path = committed_path();
    if std::env::var("IKD_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == served,
        "spec/openapi.json differs from the document the service generates; after an API \
         change run `IKD_UPDATE_OPENAPI=1 cargo test -p ikd-verifier-service --test openapi` \
         and commit spec/openapi.json"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_every_problem_code_documented() {
    let document = json(ikd_verifier_service::openapi::json().as_bytes());
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = document["paths"].as_object().unwrap();
    let mut documented: Vec<String> = paths.keys().cloned().collect();
    documented.sort();
    assert_eq!(
        documented,
        [
            "/healthz",
            "/metrics",
            "/openapi.json",
            "/readyz",
            "/v1/admin/trust/import",
            "/v1/reason-codes",
            "/v1/receipt",
            "/v1/trust/status",
            "/v1/verify"
        ]
    );

    // Each documented operation is answered by its route, never by the fallbacks.
    let dir = TempDir::new("openapi-routes");
    let router = app_for(&state(dir.path()));
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let request = match method.as_str() {
                "get" => get(path, Some(BANK_KEY)),
                "post" if path == "/v1/verify" => verify_request(Some(BANK_KEY), "{}"),
                "post" => axum::http::Request::post(path.as_str())
                    .header(
                        axum::http::header::AUTHORIZATION,
                        format!("Bearer {BANK_KEY}"),
                    )
                    .body(axum::body::Body::empty())
                    .unwrap(),
                other => panic!("{other} {path} is not expected"),
            };
            let (status, _, body) = send(&router, request).await;
            assert!(
                status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&body)
            );
            let responses = &item[method]["responses"];
            assert!(
                responses.get(status.as_str()).is_some(),
                "{method} {path}: {status} is not documented"
            );
        }
    }

    // The problem schema lists every stable problem code, and protected operations name
    // the API key scheme.
    let codes: Vec<&str> =
        document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
    let all: Vec<&str> = Problem::all().iter().map(|p| p.code).collect();
    assert_eq!(codes, all);
    let mut unique = all.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "problem codes are unique");
    assert_eq!(
        document["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    assert_eq!(
        paths["/v1/verify"]["post"]["security"],
        serde_json::json!([{"api_key": []}])
    );
    assert_eq!(
        paths["/v1/verify"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        format!(
            "{}disclosed-verdict.schema.json",
            ikd_sdk::schemas::BASE_URI
        )
    );
}

#[tokio::test]
async fn problem_bodies_have_the_documented_shape() {
    for problem in Problem::all() {
        let body = json(problem.to_json().as_bytes());
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{body}");
        assert_eq!(
            body["type"],
            format!("urn:ikd-verify:problem:{}", problem.code)
        );
        assert_eq!(body["status"], problem.status.as_u16());
    }
}

/// A validator for the component schema `name` of the generated document.
fn component_validator(name: &str) -> jsonschema::Validator {
    const DOC_URI: &str = "https://example.invalid/ikd-verify/openapi.json";
    let document = json(ikd_verifier_service::openapi::json().as_bytes());
    let registry = jsonschema::Registry::new()
        .extend([(DOC_URI.to_owned(), document)])
        .and_then(|builder| builder.prepare())
        .unwrap();
    let root = serde_json::json!({ "$ref": format!("{DOC_URI}#/components/schemas/{name}") });
    jsonschema::draft202012::options()
        .offline()
        .with_registry(&registry)
        .build(&root)
        .unwrap()
}

fn assert_matches(name: &str, answer: &serde_json::Value) {
    let validator = component_validator(name);
    let problems: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{name}: {problems:#?}\n{answer}");
}

#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let dir = TempDir::new("openapi-answers");
    let state = state(dir.path());
    let router = app_for(&state);
    for (path, key, schema) in [
        ("/healthz", None, "Health"),
        ("/readyz", None, "Ready"),
        ("/v1/reason-codes", None, "ReasonCodes"),
        ("/v1/trust/status", Some(BANK_KEY), "TrustStatus"),
        ("/v1/trust/status", None, "Problem"),
        ("/nowhere", None, "Problem"),
    ] {
        let (_, _, body) = send(&router, get(path, key)).await;
        assert_matches(schema, &json(&body));
    }
    let (_, _, body) = send(&router, verify_request(Some(BANK_KEY), "[1]")).await;
    assert_matches("Problem", &json(&body));

    // Without trust data: the other form of the trust status, and readiness refused.
    let bare = TempDir::new("openapi-bare");
    let router = app_for(&state_at(bare.path(), NOW, None, ""));
    let (_, _, body) = send(&router, get("/v1/trust/status", Some(BANK_KEY))).await;
    assert_matches("TrustStatus", &json(&body));
    let (status, _, body) = send(&router, get("/readyz", None)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_matches("Problem", &json(&body));
}
