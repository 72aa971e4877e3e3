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
    decode_as(bytes, format, limits)
}
