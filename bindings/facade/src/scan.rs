//! Reading QR codes from camera frames (feature `scan`): pixels in, the QR texts found
//! out. Decoding images stays with the host (a browser's canvas, a phone's camera API).

use crate::error::{Error, ErrorCode};
use ikd_sdk::scan::{Frame, ScanError, ScanOptions, scan_frame};

/// The texts of the QR codes found in an RGBA frame (4 bytes per pixel, rows packed, as
/// a browser's `ImageData` holds them), IKD codes first. Codes whose content is not text
/// are left out. Empty when none is found.
pub fn scan_rgba(pixels: &[u8], width: u32, height: u32) -> Result<Vec<String>, Error> {
    let frame = Frame::rgba8(pixels, width, height).map_err(frame_error)?;
    scan(&frame)
}

/// The same for a grey frame (1 byte per pixel, rows packed).
pub fn scan_luma(pixels: &[u8], width: u32, height: u32) -> Result<Vec<String>, Error> {
    let frame = Frame::luma8(pixels, width, height).map_err(frame_error)?;
    scan(&frame)
}

fn frame_error(e: ScanError) -> Error {
    Error::new(ErrorCode::FrameInvalid, format!("frame: {e}"))
}

fn scan(frame: &Frame<'_>) -> Result<Vec<String>, Error> {
    let found = scan_frame(frame, &ScanOptions::camera()).map_err(|e| match e {
        ScanError::BadFrame { .. } => frame_error(e),
        other => Error::new(ErrorCode::ScanFailed, format!("scan: {other}")),
    })?;
    let mut texts: Vec<(bool, String)> = found
        .payloads()
        .iter()
        .filter_map(|p| p.text().map(|t| (p.is_ikd(), t.to_owned())))
        .collect();
    // IKD codes first; the sort is stable, so the decoder's order holds within each kind.
    texts.sort_by_key(|(ikd, _)| !*ikd);
    Ok(texts.into_iter().map(|(_, t)| t).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_that_does_not_match_its_size_is_misuse() {
        assert_eq!(
            scan_rgba(&[0; 15], 2, 2).unwrap_err().code(),
            ErrorCode::FrameInvalid
        );
        assert_eq!(
            scan_luma(&[0; 4], 0, 4).unwrap_err().code(),
            ErrorCode::FrameInvalid
        );
    }

    /// An RGBA frame of `text`'s QR code, 4 pixels a module, with a quiet zone.
    fn rgba_frame(text: &str) -> (Vec<u8>, u32) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (4, 4);
        let side = (modules + 2 * quiet) * scale;
        let mut pixels = Vec::with_capacity(side * side * 4);
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = (
                    (x / scale).wrapping_sub(quiet),
                    (y / scale).wrapping_sub(quiet),
                );
                let dark = mx < modules
                    && my < modules
                    && colors[my * modules + mx] == qrcode::Color::Dark;
                let v = if dark { 0 } else { 255 };
                pixels.extend_from_slice(&[v, v, v, 255]);
            }
        }
        (pixels, u32::try_from(side).unwrap())
    }

    #[test]
    fn a_credential_is_read_from_an_rgba_frame() {
        let demo = ikd_sdk::demo::DemoData::generate(ikd_sdk::UnixTime(1_790_000_000)).unwrap();
        let qr = &demo.credential("kk-4").unwrap().qr_text;
        let (pixels, side) = rgba_frame(qr);
        assert_eq!(scan_rgba(&pixels, side, side).unwrap(), vec![qr.clone()]);
    }

    #[test]
    fn a_blank_frame_has_no_code() {
        assert_eq!(
            scan_luma(&[255; 64 * 64], 64, 64).unwrap(),
            Vec::<String>::new()
        );
    }
}
