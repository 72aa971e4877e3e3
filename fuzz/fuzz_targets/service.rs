//! The service's request handling: `POST /v1/verify` with a valid API key, the headers and
//! the body from the input, through the whole router (layers, extractors, JSON and picture
//! uploads). Every answer is a 2xx JSON verdict or a problem+json refusal, never a 500.
//!
//! Input: header lines (`name: value`; a line starting with `?` is the query string), a
//! blank line, then the body. Without a blank line the whole input is a JSON body.
#![no_main]
#![allow(clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, header};
use ikd_fuzz::{NOW, demo};
use ikd_verifier_service::audit::AuditLog;
use ikd_verifier_service::auth::hash_api_key_hex;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::RawConfig;
use ikd_verifier_service::{AppState, app};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tokio::runtime::Runtime;
use tower::ServiceExt as _;

const API_KEY: &str = "ikd_fuzz_key";

struct Fixture {
    runtime: Runtime,
    router: Router,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ikd-fuzz-service-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let config = format!(
            r#"
data_dir = "{dir}"
[http]
request_timeout_ms = 2000
[upload]
body_limit_bytes = 1048576
concurrency = 1
scan_budget_ms = 50
# In this process: a worker would be this fuzzer started again.
isolation = "none"
[audit]
path = "audit.sqlite3"
hmac_key = "4242424242424242424242424242424242424242424242424242424242424242"
retention_days = 1
[[clients]]
id = "fuzz"
api_key_sha256 = "{key}"
purposes = ["kyc", "identity", "age_check", "domicile"]
rate_limit_per_minute = 4000000000
"#,
            dir = dir.display(),
            key = hash_api_key_hex(API_KEY),
        );
        let config = RawConfig::parse(&config)
            .expect("configuration")
            .resolve(&dir)
            .expect("resolved configuration");
        let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, NOW)
            .expect("audit log");
        let state = AppState::new(&config, audit, Clock::Fixed(NOW)).expect("state");
        state
            .trust
            .install(demo().trust.clone(), "fuzz".into(), NOW);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Fixture {
            runtime,
            router: app(state),
        }
    })
}

/// An input read as a request: the query, the headers, the body.
type Parts<'a> = (Option<&'a [u8]>, Vec<(HeaderName, HeaderValue)>, &'a [u8]);

/// The query, headers and body of an input.
fn split(data: &[u8]) -> Parts<'_> {
    let Some(at) = data.windows(2).position(|w| w == b"\n\n") else {
        let json = HeaderValue::from_static("application/json");
        return (None, vec![(header::CONTENT_TYPE, json)], data);
    };
    let (head, body) = data.split_at(at);
    let query = head
        .split(|&b| b == b'\n')
        .find(|line| line.first() == Some(&b'?'));
    let headers = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let (name, value) = line.split_at(colon);
            let value = value.get(1..)?.trim_ascii();
            Some((
                HeaderName::from_bytes(name.trim_ascii()).ok()?,
                HeaderValue::from_bytes(value).ok()?,
            ))
        })
        .collect();
    (query, headers, body.get(2..).unwrap_or_default())
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let (query, headers, body) = split(data);
    let uri = match query.and_then(|q| std::str::from_utf8(q).ok()) {
        Some(query) => format!("/v1/verify{query}"),
        None => "/v1/verify".to_owned(),
    };
    let Ok(mut request) = Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::from(body.to_vec()))
    else {
        // Not a URI: refused by the HTTP parser before the service sees it.
        return;
    };
    for (name, value) in headers {
        request.headers_mut().append(name, value);
    }
    fixture.runtime.block_on(async {
        let response = fixture
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        assert!(body.is_ok(), "the answer's body failed");
        assert_ne!(status.as_u16(), 500, "internal error");
        if status.is_success() {
            assert!(
                content_type.starts_with("application/json"),
                "{status} {content_type}"
            );
        } else {
            assert!(
                content_type.starts_with("application/problem+json"),
                "{status} answered as {content_type:?}"
            );
        }
    });
});
