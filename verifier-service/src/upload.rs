//! Pictures uploaded for verification: PNG, JPEG or WebP images and PDFs of scanned
//! pages, read with the SDK's scanner ([`ikd_sdk::scan`]).
//!
//! Scanning is CPU-bound (up to the time budget per image, plus decoding), so it runs on
//! the blocking thread pool behind a semaphore of `upload.concurrency` permits; a scan
//! that outlives its request (timeout) keeps its permit until it ends, so the bound holds.
//! The picture and the codes read from it are never logged or stored.

use crate::problem::Problem;
use crate::state::AppState;
use ikd_sdk::scan::{self, Payload, ScanError, ScanOptions};

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
        ScanError::UnsupportedFormat => Problem::unsupported_format(),
        ScanError::UnreadablePdf { .. } => Problem::unreadable_pdf(),
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

/// Reads the QR text to verify from `picture` (the whole uploaded body): scans it with the
/// SDK on a blocking thread, once one of the state's scan permits is free.
///
/// The image path of `POST /v1/verify`; the counter web page (issue 8) calls it for
/// uploaded pictures too, then [`crate::verification::verify_qr`] with the text. Errors
/// are problem answers with stable codes: 413 `image_too_large`, 415
/// `unsupported_format`, 422 `undecodable_image`, `unreadable_pdf`, `no_qr_code_found`
/// or `multiple_credentials`. The caller bounds the body at `state.upload.body_limit_bytes`.
pub async fn scan_picture(state: &AppState, picture: Vec<u8>) -> Result<String, Problem> {
    let mut options = ScanOptions::default();
    options.time_budget = Some(state.upload.scan_budget);
    options.limits.max_file_bytes = state.upload.body_limit_bytes;
    let permit = state
        .scan_permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Problem::undecodable_image())?;
    let scanned = tokio::task::spawn_blocking(move || {
        let scanned = scan::scan_bytes(&picture, &options);
        drop(picture);
        drop(permit);
        scanned
    })
    .await
    // The scanner stops decoders that panic; a panic elsewhere is an unreadable picture.
    .map_err(|_| Problem::undecodable_image())?;
    let scan = scanned.map_err(|e| scan_problem(&e))?;
    let budget_exhausted = scan.budget_exhausted();
    choose(scan.into_payloads(), budget_exhausted)
}
