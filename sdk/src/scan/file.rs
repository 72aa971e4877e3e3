//! Image files: recognising the format from the bytes, and decoding PNG, JPEG and WebP
//! within the limits (dimensions are read from the header and checked before any pixel is
//! decoded; the decoder's allocations are capped as well).

use super::frame::{Frame, PixelFormat};
use super::{ScanError, ScanLimits, check_dimensions};
use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Whether the bytes are a PDF (its header may follow up to 1 KiB of other bytes).
pub(crate) fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..bytes.len().min(1024))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"))
}

/// A decoded image in a layout [`Frame`] can describe.
pub(crate) struct DecodedImage {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
    format: PixelFormat,
}

impl DecodedImage {
    pub(crate) fn new(image: DynamicImage) -> Self {
        let (width, height) = (image.width(), image.height());
        let (pixels, format) = match image {
            DynamicImage::ImageLuma8(buffer) => (buffer.into_raw(), PixelFormat::Luma8),
            DynamicImage::ImageRgb8(buffer) => (buffer.into_raw(), PixelFormat::Rgb8),
            DynamicImage::ImageRgba8(buffer) => (buffer.into_raw(), PixelFormat::Rgba8),
            // Gray with alpha, 16-bit and float images: to RGBA, so that transparency
            // is still seen over white.
            other if other.color().has_alpha() => {
                (other.into_rgba8().into_raw(), PixelFormat::Rgba8)
            }
            other => (other.into_luma8().into_raw(), PixelFormat::Luma8),
        };
        DecodedImage {
            pixels,
            width,
            height,
            format,
        }
    }

    // Only the PDF reader makes grey images.
    #[cfg(feature = "scan-pdf")]
    pub(crate) fn from_luma(pixels: Vec<u8>, width: u32, height: u32) -> Self {
        DecodedImage {
            pixels,
            width,
            height,
            format: PixelFormat::Luma8,
        }
    }

    pub(crate) fn frame(&self) -> Result<Frame<'_>, ScanError> {
        Frame::packed(&self.pixels, self.width, self.height, self.format)
    }
}

/// The decoder's limits for one image.
pub(crate) fn decoder_limits(limits: &ScanLimits) -> Limits {
    let mut decoder = Limits::default();
    decoder.max_image_width = Some(limits.max_width);
    decoder.max_image_height = Some(limits.max_height);
    decoder.max_alloc = Some(limits.max_decoder_bytes);
    decoder
}

/// Maps the image crate's error: a limit it enforced is [`ScanError::TooLarge`].
pub(crate) fn image_error(error: ImageError, limits: &ScanLimits) -> ScanError {
    match error {
        ImageError::Limits(_) => ScanError::TooLarge {
            what: "decoder memory",
            limit: limits.max_decoder_bytes,
            actual: None,
        },
        ImageError::Unsupported(_) => ScanError::UnsupportedFormat,
        other => ScanError::UndecodableImage {
            problem: other.to_string(),
        },
    }
}

/// Decodes one image in `format` within `limits`, checking its dimensions first.
pub(crate) fn decode_as(
    bytes: &[u8],
    format: ImageFormat,
    limits: &ScanLimits,
) -> Result<DecodedImage, ScanError> {
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| image_error(e, limits))?;
    check_dimensions(width, height, limits)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let image = reader.decode().map_err(|e| image_error(e, limits))?;
    Ok(DecodedImage::new(image))
}

/// Decodes a PNG, JPEG or WebP file within `limits`.
pub(crate) fn decode_image(bytes: &[u8], limits: &ScanLimits) -> Result<DecodedImage, ScanError> {
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
        _ => return Err(ScanError::UnsupportedFormat),
    };
    if format == ImageFormat::Png {
        check_png_metadata(bytes)?;
    }
    decode_as(bytes, format, limits)
}

/// Most bytes one compressed PNG metadata chunk (colour profile or text) may inflate to.
/// Real ICC profiles are well under a megabyte; the PNG decoder inflates these chunks
/// whole, outside the decoder's memory limit.
pub(crate) const MAX_PNG_METADATA_BYTES: usize = 4 * 1024 * 1024;

/// Refuses a PNG whose compressed metadata (`iCCP`, `zTXt`, compressed `iTXt`) inflates
/// beyond [`MAX_PNG_METADATA_BYTES`], before the decoder sees it. Damaged chunk
/// structure is left for the decoder to report.
fn check_png_metadata(bytes: &[u8]) -> Result<(), ScanError> {
    let mut rest = bytes.get(8..).unwrap_or_default();
    while let (Some(&[a, b, c, d]), Some(kind)) = (rest.get(..4), rest.get(4..8)) {
        let length = u32::from_be_bytes([a, b, c, d]) as usize;
        let Some(data) = rest.get(8..8usize.saturating_add(length)) else {
            return Ok(());
        };
        let compressed = match kind {
            b"iCCP" | b"zTXt" => after_keyword(data).and_then(|d| d.get(1..)),
            b"iTXt" => after_keyword(data).and_then(|d| match d {
                [1, _, more @ ..] => more.splitn(3, |&b| b == 0).nth(2),
                _ => None,
            }),
            b"IEND" => return Ok(()),
            _ => None,
        };
        if let Some(compressed) = compressed
            && miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
                compressed,
                MAX_PNG_METADATA_BYTES,
            )
            .is_err_and(|e| e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput)
        {
            return Err(ScanError::TooLarge {
                what: "metadata bytes",
                limit: MAX_PNG_METADATA_BYTES as u64,
                actual: None,
            });
        }
        rest = rest
            .get(12usize.saturating_add(length)..)
            .unwrap_or_default();
    }
    Ok(())
}

/// The bytes after a chunk's NUL-terminated keyword.
fn after_keyword(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().position(|&b| b == 0)?;
    data.get(end + 1..)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A PNG chunk: length, type, data, and a CRC the check does not read.
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]);
        out
    }

    fn png_with(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        chunks.iter().for_each(|c| png.extend_from_slice(c));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    #[test]
    fn a_colour_profile_that_inflates_beyond_the_limit_is_refused_before_decoding() {
        let huge =
            miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; MAX_PNG_METADATA_BYTES + 1], 9);
        let iccp = [b"icc\0\0".as_slice(), &huge].concat();
        let error = decode_image(&png_with(&[chunk(b"iCCP", &iccp)]), &ScanLimits::default());
        assert!(matches!(
            error,
            Err(ScanError::TooLarge {
                what: "metadata bytes",
                ..
            })
        ));
        let ztxt = [b"Comment\0\0".as_slice(), &huge].concat();
        assert!(check_png_metadata(&png_with(&[chunk(b"zTXt", &ztxt)])).is_err());
        let itxt = [b"Comment\0\x01\0en\0\0".as_slice(), &huge].concat();
        assert!(check_png_metadata(&png_with(&[chunk(b"iTXt", &itxt)])).is_err());
    }

    #[test]
    fn ordinary_metadata_and_damaged_chunks_pass_to_the_decoder() {
        let small = miniz_oxide::deflate::compress_to_vec_zlib(&[7; 3000], 9);
        let iccp = [b"icc\0\0".as_slice(), &small].concat();
        assert!(check_png_metadata(&png_with(&[chunk(b"iCCP", &iccp)])).is_ok());
        // Uncompressed iTXt, a truncated chunk, garbage in a profile: the decoder's to judge.
        let itxt = b"Comment\0\0\0en\0\0plain".to_vec();
        assert!(check_png_metadata(&png_with(&[chunk(b"iTXt", &itxt)])).is_ok());
        assert!(check_png_metadata(b"\x89PNG\r\n\x1a\n\0\0\xff\xffiCCP").is_ok());
        let garbage = chunk(b"iCCP", b"icc\0\0not zlib");
        assert!(check_png_metadata(&png_with(&[garbage])).is_ok());
    }
}
