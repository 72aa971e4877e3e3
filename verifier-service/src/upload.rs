//! Pictures uploaded for verification: PNG, JPEG or WebP images and PDFs of scanned
//! pages, read with the SDK's scanner ([`ikd_sdk::scan`]).
//!
//! A permit of `upload.concurrency` is taken before the body is read and kept until the
//! scan ends, so at most that many pictures are in memory and being scanned. Each scan runs
//! in a worker process with its share of `upload.memory_budget_bytes` as its memory cap
//! (the SDK's [`ikd_sdk::scan::run_worker`], started as `ikd-verifier-service
//! scan-worker`): a hostile file, whatever its structure, costs at most that, and a scan
//! whose request timed out is killed at once and gives its permit back. The picture and
//! the codes read from it are never logged or stored.

use crate::config::ScanIsolation;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::http::HeaderMap;
use ikd_sdk::scan::{
    self, Payload, Scan, ScanError, ScanOptions, WorkerLimits, worker_input, worker_outcome,
};
use std::path::Path;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::OwnedSemaphorePermit;

/// A picture's media type, as the request's `Content-Type` names it. The scanner
/// recognises the format from the bytes; the media type only selects the picture path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureType {
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
    /// `image/webp`.
    Webp,
    /// `application/pdf`.
    Pdf,
}

impl PictureType {
    /// Every accepted media type, as sent in `Content-Type`.
    pub const MEDIA_TYPES: [&'static str; 4] =
        ["image/png", "image/jpeg", "image/webp", "application/pdf"];

    /// The picture type of a `Content-Type` value (parameters ignored), if it is one.
    pub fn from_content_type(value: &str) -> Option<Self> {
        let media = value.split(';').next().unwrap_or("").trim();
        let eq = |name: &str| media.eq_ignore_ascii_case(name);
        if eq("image/png") {
            Some(PictureType::Png)
        } else if eq("image/jpeg") || eq("image/jpg") {
            Some(PictureType::Jpeg)
        } else if eq("image/webp") {
            Some(PictureType::Webp)
        } else if eq("application/pdf") {
            Some(PictureType::Pdf)
        } else {
            None
        }
    }
}

/// The problem answer for a scan error (stable codes, see the README).
pub fn scan_problem(error: &ScanError) -> Problem {
    match error {
        ScanError::TooLarge { what, limit, .. } => Problem::image_too_large(format!(
            "The picture's {what} exceed the scanner's limit of {limit}."
        )),
        ScanError::TimedOut => {
            Problem::image_too_large("The picture needs more work to read than the scanner allows.")
        }
        ScanError::UnsupportedFormat => Problem::unsupported_format(),
        ScanError::UnreadablePdf { .. } => Problem::unreadable_pdf(),
        ScanError::WorkerFailed { problem } => {
            // The problem names the failure (a worker that cannot start, or a crash), never
            // the picture.
            tracing::warn!(%problem, "a scan worker failed");
            Problem::undecodable_image()
        }
        // `undecodable_image`, and `bad_frame`, which a file cannot cause.
        _ => Problem::undecodable_image(),
    }
}

/// The one QR text a scan's payloads give to verify: the IKD credential if there is
/// exactly one, else the first code (which verification then rejects as
/// `not_ikd_credential`, as it would the same text sent as JSON).
fn choose(payloads: Vec<Payload>, budget_exhausted: bool) -> Result<String, Problem> {
    let ikd: Vec<&Payload> = payloads.iter().filter(|p| p.is_ikd()).collect();
    let chosen = match ikd.as_slice() {
        [one] => *one,
        [] => payloads
            .first()
            .ok_or_else(|| Problem::no_qr_code_found(budget_exhausted))?,
        several => return Err(Problem::multiple_credentials(several.len())),
    };
    // IKD QR text is ASCII (Base45); other content is passed on as text, so that it is
    // rejected like the same text sent as JSON.
    Ok(String::from_utf8_lossy(chosen.bytes()).into_owned())
}

/// An uploaded picture's body, read once a scan permit was free: at most
/// `upload.concurrency` pictures are held and scanned at once, whatever the number of
/// uploads waiting.
pub struct Picture {
    bytes: Vec<u8>,
    permit: OwnedSemaphorePermit,
}

/// Waits for a scan permit, then reads the request body as a picture (at most
/// `upload.body_limit_bytes`). Taking the permit first bounds the memory that bodies
/// waiting for a scan can hold.
pub async fn receive_picture(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Picture, Problem> {
    let permit = state
        .scan_permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Problem::undecodable_image())?;
    let bytes = crate::input::read_body(headers, body, state.upload.body_limit_bytes).await?;
    Ok(Picture { bytes, permit })
}

/// Reads the QR text to verify from `picture` with the SDK's scanner: in a worker process
/// whose memory and CPU are capped (`upload.isolation = "process"`, the default), killed as
/// soon as this future is dropped (the request timed out), which frees its permit at once.
///
/// The image path of `POST /v1/verify`; the counter web page calls it for uploaded pictures
/// too, then [`crate::verification::verify_qr`] with the text. Errors are problem answers
/// with stable codes: 413 `image_too_large` (also a worker that reached its memory or CPU
/// cap), 415 `unsupported_format`, 422 `undecodable_image` (also a worker that failed),
/// `unreadable_pdf`, `no_qr_code_found` or `multiple_credentials`.
pub async fn scan_picture(state: &AppState, picture: Picture) -> Result<String, Problem> {
    let Picture { bytes, permit } = picture;
    let options = state.upload.scan_options();
    let scanned = match &state.upload.isolation {
        ScanIsolation::Process { program } => {
            let limits = state.upload.worker_limits();
            scan_in_worker(program.as_deref(), &bytes, &options, &limits).await
        }
        ScanIsolation::InProcess => tokio::task::spawn_blocking(move || {
            let scanned = scan::scan_bytes(&bytes, &options);
            drop(bytes);
            scanned
        })
        .await
        // The scanner stops decoders that panic; a panic elsewhere is an unreadable
        // picture.
        .unwrap_or_else(|_| {
            Err(ScanError::UndecodableImage {
                problem: "the scan stopped".into(),
            })
        }),
    };
    drop(permit);
    let scan = scanned.map_err(|e| scan_problem(&e))?;
    let budget_exhausted = scan.budget_exhausted();
    choose(scan.into_payloads(), budget_exhausted)
}

/// Most bytes read from a worker's answer: a few payloads, far below this.
const MAX_WORKER_ANSWER: u64 = 16 * 1024 * 1024;

/// Runs one scan in a worker process (`program`, or this executable), feeding it the
/// picture and reading its answer concurrently. The child is killed when this future is
/// dropped.
async fn scan_in_worker(
    program: Option<&Path>,
    picture: &[u8],
    options: &ScanOptions,
    limits: &WorkerLimits,
) -> Result<Scan, ScanError> {
    let failed = |problem: String| ScanError::WorkerFailed { problem };
    let program = match program {
        Some(program) => program.to_path_buf(),
        None => std::env::current_exe()
            .map_err(|e| failed(format!("cannot find the service's executable: {e}")))?,
    };
    let mut child = tokio::process::Command::from(scan::worker_command(program))
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(format!("cannot start the scan worker: {e}")))?;
    let input = worker_input(picture, options, limits);
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let write = async move {
        if let Some(stdin) = stdin.as_mut() {
            // A worker that stops reading early (a file over its limit) has answered.
            let _ = stdin.write_all(&input).await;
        }
    };
    let read = async move {
        let mut answer = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            let _ = stdout
                .take(MAX_WORKER_ANSWER)
                .read_to_end(&mut answer)
                .await;
        }
        answer
    };
    let ((), answer) = tokio::join!(write, read);
    let status = child
        .wait()
        .await
        .map_err(|e| failed(format!("the scan worker was lost: {e}")))?;
    worker_outcome(&answer, status, limits)
}
