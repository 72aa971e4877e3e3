//! Hostile pictures: a PDF whose object stream makes a parser repeat one large array, and
//! scans that outlive their request. Each is scanned in a worker process with a memory
//! cap, so the service's own memory stays flat, the answer is a problem with a stable
//! code, and a timed-out scan gives its slot back at once.
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
use std::time::{Duration, Instant};

fn upload(media_type: &str, picture: Vec<u8>) -> Request<Body> {
    Request::post("/v1/verify?purpose=identity")
        .header(header::CONTENT_TYPE, media_type)
        .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
        .body(Body::from(picture))
        .unwrap()
}

/// This process's peak resident memory (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_stream_bomb_is_refused_within_the_workers_memory_cap() {
    let dir = TempDir::new("pdf-bomb");
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[upload]\nmemory_budget_bytes = 536870912\nconcurrency = 2\n\
         [http]\nrequest_timeout_ms = 60000",
    );
    let router = app_for(&state);
    let bomb = pictures::object_stream_bomb_pdf(20_000, 20_000);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let before = peak_rss();
    let started = Instant::now();
    let (status, headers, body) = send(&router, upload("application/pdf", bomb)).await;
    let took = started.elapsed();
    assert_problem_code(
        status,
        &headers,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "image_too_large",
    );
    let grown = peak_rss().saturating_sub(before);
    eprintln!("object-stream bomb: refused in {took:?}; this process grew {grown} bytes");
    // Parsed in this process, the bomb takes gigabytes.
    assert!(grown < 64 * 1024 * 1024, "grew {grown} bytes");

    // The service goes on: a real scan right after is verified.
    let qr = demo_data().credential("kk-4").unwrap().qr_text.clone();
    let (status, _, body) = send(&router, upload("image/png", pictures::png(&qr))).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json(&body)["verdict"], "valid");
}

fn assert_problem_code(
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    expected_status: StatusCode,
    expected_code: &str,
) {
    assert_eq!(status, expected_status, "{}", String::from_utf8_lossy(body));
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        String::from_utf8_lossy(body)
    );
    assert_eq!(json(body)["code"], expected_code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_whose_request_timed_out_is_stopped_and_frees_its_slot() {
    let dir = TempDir::new("abandoned-scan");
    // One scan at a time, ten seconds of scanning allowed, one second per request.
    let state = state_at(
        dir.path(),
        NOW,
        Some(&demo_data().trust),
        "[upload]\nconcurrency = 1\nscan_budget_ms = 10000\n\
         [http]\nrequest_timeout_ms = 1500",
    );
    let router = app_for(&state);
    let noise = pictures::noise_png(1800, 1800);
    let started = Instant::now();
    let (status, headers, body) = send(&router, upload("image/png", noise)).await;
    assert_problem_code(
        status,
        &headers,
        &body,
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // The slot is free again at once: the next picture is scanned within its own second
    // and a half, instead of waiting for the abandoned scan's ten.
    let qr = demo_data().credential("kk-4").unwrap().qr_text.clone();
    let (status, _, body) = send(&router, upload("image/png", pictures::png(&qr))).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json(&body)["verdict"], "valid");
    assert_eq!(state.scan_permits.available_permits(), 1);
}

#[test]
fn the_upload_memory_budget_sets_concurrency_worker_caps_and_image_limits() {
    let dir = TempDir::new("upload-budget");
    let upload = config(
        dir.path(),
        "[upload]\nmemory_budget_bytes = 1073741824\nconcurrency = 4\n",
    )
    .upload;
    // 1 GiB over 4 scans, less each one's 8 MiB body.
    assert_eq!(
        upload.worker_memory_bytes,
        256 * 1024 * 1024 - 8 * 1024 * 1024
    );
    let options = upload.scan_options();
    assert_eq!(
        options.limits.max_decoder_bytes,
        upload.worker_memory_bytes / 2
    );
    assert_eq!(options.limits.max_pixels, upload.worker_memory_bytes / 6);
    assert_eq!(
        upload.worker_limits().memory_bytes,
        upload.worker_memory_bytes
    );

    // A concurrency the budget cannot hold is a configuration error, named.
    let refused = ikd_verifier_service::config::RawConfig::parse(&config_text(
        dir.path(),
        "[upload]\nmemory_budget_bytes = 268435456\nconcurrency = 4\n",
    ))
    .unwrap()
    .resolve(dir.path())
    .unwrap_err();
    assert!(
        refused.to_string().contains("upload.concurrency"),
        "{refused}"
    );
}

/// The service's own executable as a scan worker, under the default configuration's cap,
/// scans an ordinary picture every time. Its allocator once counted a 1 GiB arena
/// reservation against the cap, so that one scan in fifty or so failed with
/// `image_too_large`, depending on where the kernel placed the worker's mappings; a
/// hundred scans make that failure near certain to show.
#[test]
fn the_service_worker_scans_ordinary_pictures_under_its_cap_every_time() {
    let dir = TempDir::new("worker-cap");
    let config = config(dir.path(), "");
    let options = config.upload.scan_options();
    let limits = config.upload.worker_limits();
    let qr = demo_data().credential("ktp").unwrap().qr_text.clone();
    let picture = pictures::png(&qr);
    for attempt in 0..100 {
        let scanned = ikd_sdk::scan::scan_in_worker(
            ikd_sdk::scan::worker_command(env!("CARGO_BIN_EXE_ikd-verifier-service")),
            &picture,
            &options,
            &limits,
            Duration::from_secs(30),
        );
        let texts: Vec<String> = scanned
            .unwrap_or_else(|e| panic!("attempt {attempt}: {e}"))
            .payloads()
            .iter()
            .map(|p| String::from_utf8_lossy(p.bytes()).into_owned())
            .collect();
        assert_eq!(texts, std::slice::from_ref(&qr), "attempt {attempt}");
    }
}
