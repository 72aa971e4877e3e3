//! The two QR decoders, each behind one function that cannot panic: rxing (a port of
//! zxing-cpp's QR reader, the stronger of the two) and rqrr (a port of quirc, which reads
//! some blurred and curved codes that rxing misses).
//!
//! Decoders are third-party code fed with untrusted pixels, and rqrr is known to panic on
//! some photos. Each call runs inside `catch_unwind`; a panic counts as "no code found"
//! and is reported, never propagated. This is the only place the SDK catches a panic.
//! (The default panic hook still prints the message; the hook is global state, which a
//! library must not change.)

use super::frame::Gray;
use super::{Decoder, Payload};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::MultipleBarcodeReader as _;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source};
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What one decoder call found.
#[derive(Debug, Default)]
pub(crate) struct Attempt {
    /// The codes read, in the order found.
    pub(crate) payloads: Vec<Payload>,
    /// Whether the decoder panicked (and was stopped).
    pub(crate) panicked: bool,
}

/// Runs one decoder call; a panic inside it becomes an empty, `panicked` attempt.
fn guarded(decode: impl FnOnce() -> Vec<Payload>) -> Attempt {
    match catch_unwind(AssertUnwindSafe(decode)) {
        Ok(payloads) => Attempt {
            payloads,
            panicked: false,
        },
        Err(_) => Attempt {
            payloads: Vec::new(),
            panicked: true,
        },
    }
}

/// Which rxing binarizer turns gray into black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binarization {
    /// Local thresholds over 8 × 8 blocks (zxing's default for 2D codes).
    Hybrid,
    /// One threshold per row from a histogram: better on smooth, low-contrast images.
    GlobalHistogram,
}

/// Reads every QR code rxing finds in `image` (try-harder; QR only). With `also_inverted`,
/// reads the inverted image when the first look finds nothing (light codes on dark).
pub(crate) fn rxing(image: &Gray, binarization: Binarization, also_inverted: bool) -> Attempt {
    guarded(|| rxing_unguarded(image, binarization, also_inverted))
}

fn rxing_unguarded(image: &Gray, binarization: Binarization, also_inverted: bool) -> Vec<Payload> {
    let (Ok(width), Ok(height)) = (u32::try_from(image.width), u32::try_from(image.height)) else {
        return Vec::new();
    };
    let Ok(source) = Luma8Source::new_with_slice(&image.pixels, width, height) else {
        return Vec::new();
    };
    match binarization {
        Binarization::Hybrid => read_bitmap(
            BinaryBitmap::new(HybridBinarizer::new(source)),
            also_inverted,
        ),
        Binarization::GlobalHistogram => read_bitmap(
            BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
            also_inverted,
        ),
    }
}

fn read_bitmap<B: Binarizer>(mut bitmap: BinaryBitmap<B>, also_inverted: bool) -> Vec<Payload> {
    let hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        ..DecodeHints::default()
    };
    let read = |bitmap: &mut BinaryBitmap<B>| -> Vec<Payload> {
        let results = QrReader
            .decode_multiple_with_hints(bitmap, &hints)
            .unwrap_or_default();
        results
            .iter()
            .map(|result| {
                let bytes = result.getRawBytes().to_vec();
                let text = result.getText();
                // rxing decodes per the code's ECI, or guesses the character set as zxing
                // does; a replacement character means it could not.
                let text = (!text.contains('\u{FFFD}')).then(|| text.to_owned());
                Payload::new(bytes, text, Decoder::Rxing)
            })
            .collect()
    };
    let found = read(&mut bitmap);
    if !found.is_empty() || !also_inverted {
        return found;
    }
    bitmap.invert();
    read(&mut bitmap)
}

/// Reads every QR code rqrr finds in `image`. With `binarized`, the image is already
/// black and white (0 and 255) and rqrr's own thresholding is skipped.
pub(crate) fn rqrr(image: &Gray, binarized: bool) -> Attempt {
    guarded(|| rqrr_unguarded(image, binarized))
}

fn rqrr_unguarded(image: &Gray, binarized: bool) -> Vec<Payload> {
    let (width, height) = (image.width, image.height);
    let pixel = |x: usize, y: usize| -> u8 {
        image
            .pixels
            .get(y.saturating_mul(width).saturating_add(x))
            .copied()
            .unwrap_or(255)
    };
    let mut prepared = if binarized {
        rqrr::PreparedImage::prepare_from_bitmap(width, height, |x, y| pixel(x, y) < 128)
    } else {
        rqrr::PreparedImage::prepare_from_greyscale(width, height, pixel)
    };
    let mut payloads = Vec::new();
    for grid in prepared.detect_grids() {
        let mut bytes = Vec::new();
        if grid.decode_to(&mut bytes).is_ok() {
            let text = Some(super::text::guess(&bytes));
            payloads.push(Payload::new(bytes, text, Decoder::Rqrr));
        }
    }
    payloads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_decoder_counts_as_finding_nothing() {
        // The test harness captures the panic message, so this prints nothing.
        let attempt = guarded(|| panic!("a decoder bug"));
        assert!(attempt.panicked);
        assert!(attempt.payloads.is_empty());
        let attempt = guarded(|| vec![Payload::new(b"x".to_vec(), None, Decoder::Rqrr)]);
        assert!(!attempt.panicked);
        assert_eq!(attempt.payloads.len(), 1);
    }

    #[test]
    fn blank_and_tiny_images_read_nothing() {
        for (width, height) in [(1, 1), (3, 200), (200, 3), (64, 64)] {
            let image = Gray {
                width,
                height,
                pixels: vec![255; width * height],
            };
            for attempt in [
                rxing(&image, Binarization::Hybrid, true),
                rxing(&image, Binarization::GlobalHistogram, true),
                rqrr(&image, false),
                rqrr(&image, true),
            ] {
                assert!(attempt.payloads.is_empty());
                assert!(!attempt.panicked, "{width}×{height}");
            }
        }
    }
}
