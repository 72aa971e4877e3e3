//! Reading QR codes from pictures (feature `scan`): image files (PNG, JPEG, WebP), raw
//! camera frames (grayscale, RGB, RGBA, BGRA) and, with feature `scan-pdf`, PDFs whose
//! pages hold scanned images.
//!
//! Every QR code found is returned as a [`Payload`]: its exact bytes, and its text decoded
//! per the code's ECI or character set. Payloads that are IKD credentials go straight to
//! [`crate::verify()`] with [`Scan::verify`] or [`scan_and_verify`].
//!
//! ```
//! use ikd_sdk::scan::{self, Frame, ScanOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A camera integration hands over each frame's grayscale (Y) plane…
//! # let (width, height) = (64, 48);
//! # let y_plane = vec![255u8; width * height];
//! let frame = Frame::luma8(&y_plane, width as u32, height as u32)?;
//! let found = scan::scan_frame(&frame, &ScanOptions::camera())?;
//! for payload in found.payloads() {
//!     println!("{} bytes, IKD credential: {}", payload.bytes().len(), payload.is_ikd());
//! }
//!
//! // …and an upload is scanned from its file contents.
//! let not_an_image = b"hello";
//! let error = scan::scan_bytes(not_an_image, &ScanOptions::default()).unwrap_err();
//! assert_eq!(error.code(), "unsupported_format");
//! # Ok(())
//! # }
//! ```
//!
//! ## How it reads
//!
//! A large frame is first averaged down so that its longer side is at most
//! [`ScanOptions::max_work_side`]. Then passes run in order until one finds a code:
//! rxing (zxing-cpp's QR reader, try-harder, also inverted) on a coarse copy of a large
//! frame, on the working image, on it halved, finer (up to twice the working size), with a
//! global threshold; then rqrr with its own
//! preprocessing (its threshold and inverted, blurred, Otsu's threshold, enlarged with a
//! local threshold, rotated by 30°), and a quiet zone added around small images.
//! [`Scan::pass`] names the pass that read the code.
//!
//! ## Bounds
//!
//! Input size, image dimensions (read from the header before any pixel is decoded), the
//! decoder's allocations, PDF pages and images are capped by [`ScanLimits`]; the time
//! spent on one image by [`ScanOptions::time_budget`]. Decoders are third-party code: a
//! decoder that panics is stopped, counted in [`Scan::decoder_panics`], and treated as
//! having found nothing. Scanning reads the monotonic clock for its budget, never the
//! wall clock; verification still takes the time as an argument.
//!
//! These limits do not bound everything a hostile PDF can ask of the PDF reader (object
//! streams whose entries all point at one large array are parsed once per entry). Scan
//! pictures from strangers in a worker process with [`scan_in_worker`], which caps memory
//! and CPU whatever the file's structure, as the service and `ikd scan` do.

mod decoders;
mod file;
mod frame;
#[cfg(feature = "scan-pdf")]
mod pdf;
mod pipeline;
mod text;
mod worker;

pub use frame::{Frame, PixelFormat};
pub use worker::{
    WORKER_ARG, WorkerLimits, run_worker, scan_in_worker, worker_command, worker_input,
    worker_outcome,
};

use crate::model::time::UnixTime;
use crate::trust::store::TrustStore;
use crate::verification::pipeline::{Rejection, Verified};
use crate::verification::policy::Policy;
use crate::wire::transport::PREFIX;
use core::fmt;
use std::time::Duration;
// std has no clock on wasm32-unknown-unknown; web-time reads the host's performance.now().
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
use std::time::Instant;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use web_time::Instant;

/// Caps on what a scan accepts, against oversized and malicious input (decompression
/// bombs: a small file that claims or inflates to a huge image).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanLimits {
    /// Largest input file, in bytes.
    pub max_file_bytes: usize,
    /// Widest image, in pixels.
    pub max_width: u32,
    /// Tallest image, in pixels.
    pub max_height: u32,
    /// Most pixels in one image (width × height).
    pub max_pixels: u64,
    /// Most bytes an image decoder may allocate for one image.
    pub max_decoder_bytes: u64,
    /// Most PDF pages looked at.
    pub max_pdf_pages: usize,
    /// Most images scanned in one PDF.
    pub max_pdf_images: usize,
}

impl Default for ScanLimits {
    /// 32 MiB files; 16 384 pixels a side and 50 megapixels an image (a 48-megapixel
    /// phone photo fits); 256 MiB of decoder memory; 16 PDF pages and 16 PDF images.
    fn default() -> Self {
        ScanLimits {
            max_file_bytes: 32 * 1024 * 1024,
            max_width: 16_384,
            max_height: 16_384,
            max_pixels: 50_000_000,
            max_decoder_bytes: 256 * 1024 * 1024,
            max_pdf_pages: 16,
            max_pdf_images: 16,
        }
    }
}

/// How hard and how long to look.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Time allowed for one image, checked between decoder calls; `None` looks until
    /// every pass has run (deterministic, for tests and batch work).
    pub time_budget: Option<Duration>,
    /// Frames with a longer side than this are averaged down to at most this size before
    /// the first passes (a finer pass, at up to twice this size, follows if they find
    /// nothing: full resolution for a full-HD frame).
    pub max_work_side: u32,
    /// Input caps.
    pub limits: ScanLimits,
}

impl Default for ScanOptions {
    /// A budget of 250 ms per image, suited to photos and uploads; working side 1280 px.
    fn default() -> Self {
        ScanOptions {
            time_budget: Some(Duration::from_millis(250)),
            max_work_side: 1280,
            limits: ScanLimits::default(),
        }
    }
}

impl ScanOptions {
    /// For live camera frames: a budget of 30 ms, so that a missed frame costs little and
    /// the next one comes soon.
    pub fn camera() -> Self {
        ScanOptions {
            time_budget: Some(Duration::from_millis(30)),
            ..ScanOptions::default()
        }
    }

    /// Every pass on every image, whatever the time (deterministic results).
    pub fn exhaustive() -> Self {
        ScanOptions {
            time_budget: None,
            ..ScanOptions::default()
        }
    }
}

/// Which decoder read a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decoder {
    /// rxing, a port of zxing-cpp's QR reader.
    Rxing,
    /// rqrr, a port of quirc.
    Rqrr,
}

impl Decoder {
    /// The decoder's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Decoder::Rxing => "rxing",
            Decoder::Rqrr => "rqrr",
        }
    }
}

/// One QR code's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    bytes: Vec<u8>,
    text: Option<String>,
    decoder: Decoder,
}

impl Payload {
    pub(crate) fn new(bytes: Vec<u8>, text: Option<String>, decoder: Decoder) -> Self {
        Payload {
            bytes,
            text,
            decoder,
        }
    }

    /// The exact bytes the code carries: its segments' data, concatenated (numeric and
    /// alphanumeric segments as ASCII, byte segments as stored, Kanji as Shift_JIS).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The content as text, decoded per the code's ECI or, without one, as UTF-8,
    /// Shift_JIS or ISO-8859-1 (in that order, as zxing guesses). `None` when the bytes do
    /// not decode in the character set the code declares.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The decoder that read it.
    pub fn decoder(&self) -> Decoder {
        self.decoder
    }

    /// Whether it is an IKD credential (its bytes begin with `IKD1:`).
    pub fn is_ikd(&self) -> bool {
        self.bytes.starts_with(PREFIX.as_bytes())
    }
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    payloads: Vec<Payload>,
    pass: Option<&'static str>,
    images_scanned: u32,
    images_skipped: u32,
    decoder_calls: u32,
    decoder_panics: u32,
    budget_exhausted: bool,
}

impl Scan {
    /// Every distinct code found, in the order found (page order for a PDF).
    pub fn payloads(&self) -> &[Payload] {
        &self.payloads
    }

    /// Takes the payloads out.
    pub fn into_payloads(self) -> Vec<Payload> {
        self.payloads
    }

    /// The pipeline pass that read the first code (`rxing`, `rqrr-blurred`, …).
    pub fn pass(&self) -> Option<&'static str> {
        self.pass
    }

    /// How many images were scanned (1 for an image or a frame; a PDF's embedded images).
    pub fn images_scanned(&self) -> u32 {
        self.images_scanned
    }

    /// PDF images not scanned: encodings not supported (JPEG 2000, JBIG2, CCITT fax,
    /// indexed colour) or beyond [`ScanLimits`].
    pub fn images_skipped(&self) -> u32 {
        self.images_skipped
    }

    /// How many times a decoder was called.
    pub fn decoder_calls(&self) -> u32 {
        self.decoder_calls
    }

    /// How many decoder calls panicked (and were counted as finding nothing).
    pub fn decoder_panics(&self) -> u32 {
        self.decoder_panics
    }

    /// Whether the time budget ran out on some image before every pass had run: a code
    /// may have been missed, and a retry (or the next camera frame) may read it.
    pub fn budget_exhausted(&self) -> bool {
        self.budget_exhausted
    }

    /// Verifies every IKD credential found (see [`Payload::is_ikd`]) with
    /// [`crate::verify()`], in the order found. Other codes are left out.
    pub fn verify(
        &self,
        trust: &TrustStore,
        now: UnixTime,
        policy: &Policy,
    ) -> Vec<ScannedCredential> {
        self.payloads
            .iter()
            .filter(|payload| payload.is_ikd())
            .map(|payload| ScannedCredential {
                result: crate::verification::pipeline::verify(
                    &String::from_utf8_lossy(payload.bytes()),
                    trust,
                    now,
                    policy,
                ),
                payload: payload.clone(),
            })
            .collect()
    }

    fn absorb(&mut self, outcome: pipeline::Outcome) {
        self.images_scanned += 1;
        self.decoder_calls += outcome.decoder_calls;
        self.decoder_panics += outcome.decoder_panics;
        self.budget_exhausted |= outcome.budget_exhausted;
        if self.pass.is_none() {
            self.pass = outcome.pass;
        }
        for payload in outcome.payloads {
            if !self.payloads.iter().any(|p| p.bytes == payload.bytes) {
                self.payloads.push(payload);
            }
        }
    }
}

/// An IKD credential read from a picture, and its verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCredential {
    /// The code as read.
    pub payload: Payload,
    /// What [`crate::verify()`] said.
    pub result: Result<Verified, Rejection>,
}

/// Why a picture could not be scanned. (A picture without a QR code is not an error: its
/// [`Scan`] has no payloads.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanError {
    /// The input is beyond a [`ScanLimits`] cap.
    TooLarge {
        /// What was too large (`file bytes`, `width`, `height`, `pixels`, `decoder memory`,
        /// `metadata bytes`, or `scan memory` for a worker process that reached its memory
        /// cap).
        what: &'static str,
        /// The cap.
        limit: u64,
        /// The input's value, when known before decoding.
        actual: Option<u64>,
    },
    /// Not a PNG, JPEG or WebP image (nor, with feature `scan-pdf`, a PDF).
    UnsupportedFormat,
    /// The image decoder could not read the file.
    UndecodableImage {
        /// The decoder's message (it names no content).
        problem: String,
    },
    /// A raw frame's buffer does not match its dimensions.
    BadFrame {
        /// What is wrong.
        problem: &'static str,
    },
    /// The PDF could not be read.
    UnreadablePdf {
        /// The parser's message.
        problem: String,
    },
    /// A scan worker process stopped by its CPU cap, or killed at its deadline.
    TimedOut,
    /// A scan worker process could not be started, or ended without an answer.
    WorkerFailed {
        /// What went wrong (it names no content).
        problem: String,
    },
}

impl ScanError {
    /// A stable snake_case code for the error.
    pub const fn code(&self) -> &'static str {
        match self {
            ScanError::TooLarge { .. } => "image_too_large",
            ScanError::UnsupportedFormat => "unsupported_format",
            ScanError::UndecodableImage { .. } => "undecodable_image",
            ScanError::BadFrame { .. } => "bad_frame",
            ScanError::UnreadablePdf { .. } => "unreadable_pdf",
            ScanError::TimedOut => "scan_timed_out",
            ScanError::WorkerFailed { .. } => "scan_failed",
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::TooLarge {
                what,
                limit,
                actual: Some(actual),
            } => write!(
                f,
                "the input's {what} ({actual}) exceed the limit of {limit}"
            ),
            ScanError::TooLarge {
                what,
                limit,
                actual: None,
            } => write!(f, "the input's {what} exceed the limit of {limit}"),
            ScanError::UnsupportedFormat => {
                f.write_str("not a PNG, JPEG or WebP image, nor a supported PDF")
            }
            ScanError::UndecodableImage { problem } => {
                write!(f, "the image cannot be decoded: {problem}")
            }
            ScanError::BadFrame { problem } => write!(f, "bad frame: {problem}"),
            ScanError::UnreadablePdf { problem } => write!(f, "the PDF cannot be read: {problem}"),
            ScanError::TimedOut => f.write_str("the scan took longer than allowed"),
            ScanError::WorkerFailed { problem } => write!(f, "the scan failed: {problem}"),
        }
    }
}

impl std::error::Error for ScanError {}

/// Checks an image's dimensions against the limits.
fn check_dimensions(width: u32, height: u32, limits: &ScanLimits) -> Result<(), ScanError> {
    let too_large = |what, limit: u64, actual: u64| ScanError::TooLarge {
        what,
        limit,
        actual: Some(actual),
    };
    if width > limits.max_width {
        return Err(too_large("width", limits.max_width.into(), width.into()));
    }
    if height > limits.max_height {
        return Err(too_large("height", limits.max_height.into(), height.into()));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(too_large("pixels", limits.max_pixels, pixels));
    }
    Ok(())
}

fn check_file_size(bytes: &[u8], limits: &ScanLimits) -> Result<(), ScanError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(ScanError::TooLarge {
            what: "file bytes",
            limit: limits.max_file_bytes as u64,
            actual: Some(bytes.len() as u64),
        });
    }
    Ok(())
}

/// The factor a frame is averaged down by, so that its longer side fits `max_work_side`.
fn work_factor(width: u32, height: u32, max_work_side: u32) -> usize {
    let longer = width.max(height) as usize;
    longer.div_ceil(max_work_side.max(1) as usize).max(1)
}

/// Scans one frame of pixels: every QR code found in it.
pub fn scan_frame(frame: &Frame<'_>, options: &ScanOptions) -> Result<Scan, ScanError> {
    let started = Instant::now();
    let mut scan = Scan::default();
    scan.absorb(scan_one_frame(frame, options, started)?);
    Ok(scan)
}

fn scan_one_frame(
    frame: &Frame<'_>,
    options: &ScanOptions,
    started: Instant,
) -> Result<pipeline::Outcome, ScanError> {
    check_dimensions(frame.width(), frame.height(), &options.limits)?;
    let (width, height) = (frame.width(), frame.height());
    let factor = work_factor(width, height, options.max_work_side);
    let fine_factor = work_factor(width, height, options.max_work_side.saturating_mul(2));
    let images = pipeline::Images::new(frame, factor, fine_factor);
    Ok(pipeline::run(&images, started, options.time_budget))
}

/// Scans the contents of an image file (PNG, JPEG or WebP) or, with feature `scan-pdf`,
/// of a PDF: every QR code found. The format is recognised from the bytes, not a name.
pub fn scan_bytes(bytes: &[u8], options: &ScanOptions) -> Result<Scan, ScanError> {
    check_file_size(bytes, &options.limits)?;
    if file::is_pdf(bytes) {
        #[cfg(feature = "scan-pdf")]
        return scan_pdf(bytes, options);
        #[cfg(not(feature = "scan-pdf"))]
        return Err(ScanError::UnsupportedFormat);
    }
    scan_image(bytes, options)
}

/// Scans the contents of an image file: PNG, JPEG or WebP.
pub fn scan_image(bytes: &[u8], options: &ScanOptions) -> Result<Scan, ScanError> {
    let started = Instant::now();
    check_file_size(bytes, &options.limits)?;
    let image = file::decode_image(bytes, &options.limits)?;
    let mut scan = Scan::default();
    scan.absorb(scan_one_frame(&image.frame()?, options, started)?);
    Ok(scan)
}

/// Scans the images embedded in a PDF's pages (scanned documents): every QR code found,
/// in page order. Images in an unsupported encoding are counted in
/// [`Scan::images_skipped`].
#[cfg(feature = "scan-pdf")]
pub fn scan_pdf(bytes: &[u8], options: &ScanOptions) -> Result<Scan, ScanError> {
    check_file_size(bytes, &options.limits)?;
    let mut scan = Scan::default();
    let skipped = pdf::for_each_image(bytes, &options.limits, |image| {
        let started = Instant::now();
        scan.absorb(scan_one_frame(&image.frame()?, options, started)?);
        Ok(())
    })?;
    scan.images_skipped = skipped;
    Ok(scan)
}

/// Scans a picture (as [`scan_bytes`]) and verifies every IKD credential in it (as
/// [`Scan::verify`]). An empty result means no IKD credential was found.
pub fn scan_and_verify(
    bytes: &[u8],
    options: &ScanOptions,
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
) -> Result<Vec<ScannedCredential>, ScanError> {
    Ok(scan_bytes(bytes, options)?.verify(trust, now, policy))
}

/// The names of the pipeline's passes, in the order they run (as [`Scan::pass`] reports
/// them).
pub fn pass_names() -> impl Iterator<Item = &'static str> {
    pipeline::pass_names()
}
