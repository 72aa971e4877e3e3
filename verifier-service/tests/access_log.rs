#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

//! The access log of requests that time out: the line still names the client and the
//! purpose the handler had learned, and holds nothing of the request itself. Each test
//! captures the log events of its own thread (`#[tokio::test]` runs the router there).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::counter::*;
use common::*;
use ikd_verifier_service::counter::session::{COOKIE_NAME, CSRF_HEADER};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    /// The access lines logged so far.
    fn access_lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .filter(|line| line.contains("ikd_verifier_service::access"))
            .map(str::to_owned)
            .collect()
    }
}

/// A body that sends `start` and then nothing, until the returned sender is dropped.
fn stalled_body(
    start: &'static [u8],
) -> (
    Body,
    tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
) {
    let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
    sender.try_send(Ok(start.to_vec())).unwrap();
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }));
    (body, sender)
}

/// Sends `request`, which must time out (408 `request_timeout`), and returns the one
/// access line it logged.
async fn timed_out(router: &axum::Router, captured: &Captured, request: Request<Body>) -> String {
    let before = captured.access_lines().len();
    let answer = tokio::time::timeout(Duration::from_secs(10), send(router, request))
        .await
        .unwrap();
    assert_problem(&answer, StatusCode::REQUEST_TIMEOUT, "request_timeout");
    assert_eq!(answer.1[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let lines = captured.access_lines();
    assert_eq!(lines.len(), before + 1, "{lines:#?}");
    lines.last().unwrap().clone()
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

const TIMEOUT: &str = "[http]\nrequest_timeout_ms = 200";

#[tokio::test]
async fn a_timed_out_upload_names_its_client_and_purpose() {
    let (captured, _guard) = capture();
    let dir = TempDir::new("access-upload");
    let router = app_for(&state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        TIMEOUT,
    ));
    let (body, sender) = stalled_body(b"\x89PNG\r\n\x1a\n");
    let request = Request::post("/v1/verify?purpose=age_check&nonce=RAHASIA7")
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .header(header::CONTENT_TYPE, "image/png")
        .body(body)
        .unwrap();
    let line = timed_out(&router, &captured, request).await;
    drop(sender);
    for field in [
        "route=/v1/verify",
        "status=408",
        "client=bank",
        "purpose=age_check",
        "verdict=-",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    // Nothing of the request: not its query, key or body.
    for secret in ["RAHASIA7", "nonce", BANK_KEY, "PNG"] {
        assert!(!line.contains(secret), "{secret} in {line}");
    }
}

#[tokio::test]
async fn a_timed_out_json_request_names_its_client() {
    let (captured, _guard) = capture();
    let dir = TempDir::new("access-json");
    let router = app_for(&state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        TIMEOUT,
    ));
    // The purpose is in the body, which never ends: only the client is known.
    let (body, sender) = stalled_body(b"{\"purpose\": \"kyc\", \"qr\": \"IKD1:");
    let request = Request::post("/v1/verify")
        .header(header::AUTHORIZATION, format!("Bearer {SHOP_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    let line = timed_out(&router, &captured, request).await;
    drop(sender);
    for field in ["status=408", "client=shop", "purpose=-"] {
        assert!(line.contains(field), "{field} in {line}");
    }
    assert!(!line.contains("IKD1"), "{line}");
}

#[tokio::test]
async fn a_timed_out_counter_scan_names_the_accounts_client_and_purpose() {
    let (captured, _guard) = capture();
    let dir = TempDir::new("access-counter");
    let router = app_for(&counter_state(dir.path(), TIMEOUT));
    let signed = sign_in(&router, "pemeriksa-usia").await;
    let (body, sender) = stalled_body(b"\xff\xd8\xff");
    let request = Request::post("/counter/api/verify")
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::COOKIE, format!("{COOKIE_NAME}={}", signed.token))
        .header(CSRF_HEADER, signed.csrf.as_str())
        .body(body)
        .unwrap();
    let line = timed_out(&router, &captured, request).await;
    drop(sender);
    for field in [
        "route=/counter/api/verify",
        "status=408",
        "client=shop",
        "purpose=age_check",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    for secret in [signed.token.as_str(), signed.csrf.as_str(), "pemeriksa"] {
        assert!(!line.contains(secret), "{secret} in {line}");
    }
}
