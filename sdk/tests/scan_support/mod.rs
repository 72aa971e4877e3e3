//! The QR photo corpus (`tests/corpus/qr-photos`), shared by the corpus test and the scan
//! bench: its sets, images and expected payloads, and what counts as an exact read.

#![allow(
    dead_code,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ikd_sdk::scan::Scan;
use std::path::{Path, PathBuf};

/// The sets, in order.
pub const SETS: [&str; 4] = ["qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4"];

/// One image with its expected payload.
pub struct Sample {
    /// `qrcode-2/16.webp`.
    pub name: String,
    /// The image file.
    pub path: PathBuf,
    /// The exact expected payload (the `.txt` beside the image).
    pub expected: Vec<u8>,
}

/// The corpus folder.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/qr-photos")
}

/// The images of one set, sorted by name, each with its expected payload.
pub fn samples(set: &str) -> Vec<Sample> {
    let dir = corpus_dir().join(set);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext != "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let expected_path = path.with_extension("txt");
            let expected = std::fs::read(&expected_path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", expected_path.display()));
            let file = path.file_name().expect("file name").to_string_lossy();
            Sample {
                name: format!("{set}/{file}"),
                path,
                expected,
            }
        })
        .collect()
}

/// How a scan compares with the expected payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// A payload's text (or, for binary content, its bytes) is exactly the expected one.
    Exact,
    /// Something was read, but nothing exactly matches.
    Wrong,
    /// Nothing was read.
    Missed,
}

/// Compares a scan with the expected payload, byte for byte.
pub fn compare(scan: &Scan, expected: &[u8]) -> Read {
    let exact = scan.payloads().iter().any(|payload| {
        payload.text().map(str::as_bytes) == Some(expected) || payload.bytes() == expected
    });
    if exact {
        Read::Exact
    } else if scan.payloads().is_empty() {
        Read::Missed
    } else {
        Read::Wrong
    }
}

/// A QR code of `text` (ECC M) as grayscale pixels, `px` per module, with a quiet zone
/// of four modules: (pixels, side).
pub fn render(text: &str, px: usize) -> (Vec<u8>, usize) {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
    let modules = code.width();
    let side = (modules + 8) * px;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % modules, i / modules);
            for row in 0..px {
                let start = (4 * px + y * px + row) * side + 4 * px + x * px;
                pixels[start..start + px].fill(0);
            }
        }
    }
    (pixels, side)
}
