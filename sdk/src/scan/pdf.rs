//! PDFs of scanned documents (feature `scan-pdf`): the images embedded in each page, as a
//! scanner or a phone's "scan document" writes them, decoded for the pipeline.
//!
//! Supported: JPEG images (`DCTDecode`), and raw samples (no filter, or `FlateDecode`,
//! `LZWDecode`, `RunLengthDecode`, `ASCII85Decode`, `ASCIIHexDecode`, with predictors) in
//! DeviceGray, DeviceRGB, DeviceCMYK, CalGray, CalRGB or ICCBased colour at 1 or 8 bits
//! per component, and image masks. Not supported, and counted as skipped: JPEG 2000
//! (`JPXDecode`), JBIG2, CCITT fax, indexed colour and other sample depths. Vector
//! drawings of QR codes (not images) are not rasterised.

use super::file::{DecodedImage, decode_as};
use super::{ScanError, ScanLimits, check_dimensions};
use lopdf::{Document, LoadOptions, Object, ObjectId, xobject::PdfImage};
use std::collections::HashSet;

/// Loads the PDF and hands each image of its pages, decoded, to `scan`, in page order,
/// one at a time (so that only one decoded image is held at once), within `limits`.
/// Returns how many images were skipped.
pub(crate) fn for_each_image(
    bytes: &[u8],
    limits: &ScanLimits,
    mut scan: impl FnMut(DecodedImage) -> Result<(), ScanError>,
) -> Result<u32, ScanError> {
    let options = LoadOptions {
        max_decompressed_size: Some(
            usize::try_from(limits.max_decoder_bytes).unwrap_or(usize::MAX),
        ),
        ..LoadOptions::default()
    };
    let document =
        Document::load_mem_with_options(bytes, options).map_err(|e| ScanError::UnreadablePdf {
            problem: e.to_string(),
        })?;
    let (mut taken, mut skipped) = (0usize, 0u32);
    let mut seen: HashSet<ObjectId> = HashSet::new();
    for page in document.page_iter().take(limits.max_pdf_pages) {
        let Ok(images) = document.get_page_images(page) else {
            // A page whose resources cannot be read: nothing to scan there.
            skipped += 1;
            continue;
        };
        for image in images {
            if !seen.insert(image.id) {
                continue;
            }
            if taken >= limits.max_pdf_images {
                skipped += 1;
                continue;
            }
            taken += 1;
            match decode(&document, &image, limits) {
                Some(decoded) => scan(decoded)?,
                None => skipped += 1,
            }
        }
    }
    Ok(skipped)
}

/// One image XObject, decoded; `None` when its encoding is not supported, it exceeds the
/// limits, or its data is damaged.
fn decode(document: &Document, image: &PdfImage<'_>, limits: &ScanLimits) -> Option<DecodedImage> {
    let width = u32::try_from(image.width).ok()?;
    let height = u32::try_from(image.height).ok()?;
    check_dimensions(width, height, limits).ok()?;
    let filters = image.filters.as_deref().unwrap_or_default();
    match filters.last().map(String::as_str) {
        Some("DCTDecode") if filters.len() == 1 => {
            return decode_as(image.content, image::ImageFormat::Jpeg, limits).ok();
        }
        Some("DCTDecode" | "JPXDecode" | "JBIG2Decode" | "CCITTFaxDecode") => return None,
        _ => {}
    }
    let dict = image.origin_dict;
    let is_mask = dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    let bits = if is_mask {
        1
    } else {
        image.bits_per_component.unwrap_or(8)
    };
    let (width_px, height_px) = (width as usize, height as usize);
    let components = match image.color_space.as_deref() {
        _ if is_mask => 1,
        Some("DeviceGray" | "CalGray" | "G") => 1,
        Some("DeviceRGB" | "CalRGB" | "RGB") => 3,
        Some("DeviceCMYK" | "CMYK") => 4,
        // ICC profiles name their component count in a stream this reader does not
        // follow; it is inferred from the data's length below.
        Some("ICCBased") => 0,
        _ => return None,
    };
    let row_bytes = |components: usize| (width_px * components * bits as usize).div_ceil(8);
    let max_row = row_bytes(if components == 0 { 4 } else { components });
    let expected_max = max_row.checked_mul(height_px)?;
    if expected_max as u64 > limits.max_decoder_bytes {
        return None;
    }
    let stream = document.get_object(image.id).ok()?.as_stream().ok()?;
    // PNG predictors add a tag byte to each row before they are undone, and the limit
    // applies to the inflated data: leave room for them.
    let data = stream
        .decompressed_content_with_limit(expected_max + height_px + 64)
        .ok()?;
    let components = if components == 0 {
        [1, 3, 4]
            .into_iter()
            .find(|&n| data.len() == row_bytes(n) * height_px)?
    } else {
        components
    };
    let rows = data
        .chunks_exact(row_bytes(components).max(1))
        .take(height_px);
    if rows.len() < height_px {
        return None;
    }
    // A Decode array of [1 0] swaps dark and light (common in 1-bit scans).
    let inverted = dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|decode| decode.first())
        .and_then(|first| first.as_float().ok())
        .is_some_and(|first| first > 0.5);
    let mut luma = Vec::with_capacity(width_px * height_px);
    match (bits, components) {
        (8, 1) => rows.for_each(|row| luma.extend_from_slice(row)),
        (8, 3) => rows.for_each(|row| {
            luma.extend(row.chunks_exact(3).map(|p| match p {
                [r, g, b] => {
                    ((u32::from(*r) * 77 + u32::from(*g) * 150 + u32::from(*b) * 29) >> 8) as u8
                }
                _ => 255,
            }))
        }),
        (8, 4) => rows.for_each(|row| {
            luma.extend(row.chunks_exact(4).map(|p| match p {
                [c, m, y, k] => {
                    let ink = (u32::from(*c) * 77 + u32::from(*m) * 150 + u32::from(*y) * 29) >> 8;
                    255u32.saturating_sub(ink + u32::from(*k)) as u8
                }
                _ => 255,
            }))
        }),
        (1, 1) => rows.for_each(|row| {
            luma.extend(
                row.iter()
                    .flat_map(|&byte| (0..8).rev().map(move |bit| byte >> bit & 1))
                    .take(width_px)
                    .map(|bit| if bit == 1 { 255 } else { 0 }),
            )
        }),
        _ => return None,
    }
    if inverted {
        luma.iter_mut().for_each(|p| *p = 255 - *p);
    }
    Some(DecodedImage::from_luma(luma, width, height))
}
