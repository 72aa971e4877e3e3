//! QR text ⇄ COSE bytes: the `IKD1:` prefix, Base45, and optional zlib.
//!
//! The encoder compresses only when that makes the text shorter; the decoder tells the two
//! forms apart by the first byte (0x78 zlib, otherwise a COSE message) and never inflates
//! beyond [`MAX_INFLATED_LEN`].

use crate::codes::Reason;
use crate::wire::base45;
use crate::wire::inflate::{self, InflateError};
use crate::wire::limits::{MAX_INFLATED_LEN, MAX_QR_TEXT_LEN};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

/// The prefix of every IKD credential QR text, format version 1.
pub const PREFIX: &str = "IKD1:";

/// First byte of a zlib stream with a 32 KiB window, as RFC 1950 encoders write it.
const ZLIB_CMF: u8 = 0x78;

/// Encodes COSE bytes as QR text, compressing when that is shorter.
pub fn encode_qr_text(cose: &[u8]) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(cose, 9);
    let body = if compressed.len() < cose.len() {
        &compressed
    } else {
        cose
    };
    let mut text = String::with_capacity(PREFIX.len() + body.len().div_ceil(2) * 3);
    text.push_str(PREFIX);
    text.push_str(&base45::encode(body));
    text
}

/// Removes the trailing CR and LF characters that keyboard-wedge scanners and files add.
/// Spaces are kept: they belong to the Base45 alphabet.
pub fn trim_line_ending(text: &str) -> &str {
    text.trim_end_matches(['\r', '\n'])
}

/// Decodes QR text to the bytes of the message it carries (inflated if compressed).
pub fn decode_qr_text(text: &str) -> Result<Vec<u8>, Reason> {
    decode_qr_text_detailed(text).map(|decoded| decoded.message)
}

/// A decoded QR text, with what the layers looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    /// The message carried (inflated if it was compressed).
    pub message: Vec<u8>,
    /// Whether the Base45 payload was a zlib stream.
    pub compressed: bool,
    /// Length of the text after removing the line ending.
    pub text_len: usize,
    /// Length of the Base45-decoded bytes, before inflating.
    pub base45_decoded_len: usize,
}

/// Like [`decode_qr_text`], and reports the sizes and whether compression was used.
pub fn decode_qr_text_detailed(text: &str) -> Result<DecodedText, Reason> {
    let text = trim_line_ending(text);
    // The prefix first: any other QR code, however long, is "not an IKD credential".
    let body = text.strip_prefix(PREFIX).ok_or(Reason::NotIkdCredential)?;
    if text.len() > MAX_QR_TEXT_LEN {
        return Err(Reason::InputTooLarge { len: text.len() });
    }
    let bytes = base45::decode(body.as_bytes()).map_err(|_| Reason::Base45Invalid)?;
    let compressed = bytes.first() == Some(&ZLIB_CMF);
    Ok(DecodedText {
        text_len: text.len(),
        base45_decoded_len: bytes.len(),
        message: if compressed {
            inflate_bounded(&bytes)?
        } else {
            bytes
        },
        compressed,
    })
}

/// Inflates a complete zlib stream, refusing output beyond [`MAX_INFLATED_LEN`], a bad
/// checksum, truncation, and bytes after the stream.
fn inflate_bounded(input: &[u8]) -> Result<Vec<u8>, Reason> {
    let out = inflate::inflate_zlib(input, MAX_INFLATED_LEN).map_err(|e| match e {
        InflateError::LimitExceeded => Reason::InflateLimitExceeded,
        InflateError::Invalid => Reason::ZlibInvalid,
    })?;
    if out.first() == Some(&ZLIB_CMF) {
        // Compression is one layer deep; a nested stream is not a COSE message.
        return Err(Reason::ZlibInvalid);
    }
    Ok(out)
}

/// Inflates one complete zlib stream (RFC 1950) into at most `limit` bytes with
/// miniz_oxide. The output buffer grows as needed, so a small stream does not pay for
/// zeroing the whole limit.
///
/// Status lists use this: they run to hundreds of kilobytes of long zero runs, where
/// miniz_oxide's copying is fast and its set-up cost does not matter. QR texts, a
/// kilobyte each, use the whole-buffer inflater of [`inflate`], whose set-up is cheaper.
pub(crate) fn inflate_zlib_large(input: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut out = vec![
        0u8;
        input
            .len()
            .saturating_mul(4)
            .clamp(1024, limit.saturating_add(1))
    ];
    let mut state = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (mut read, mut written) = (0usize, 0usize);
    loop {
        let rest = input.get(read..).unwrap_or(&[]);
        let (status, consumed, produced) = decompress(&mut state, rest, &mut out, written, flags);
        read += consumed;
        written += produced;
        match status {
            TINFLStatus::Done if written > limit => return Err(InflateError::LimitExceeded),
            TINFLStatus::Done if read == input.len() => break,
            TINFLStatus::HasMoreOutput if out.len() > limit => {
                return Err(InflateError::LimitExceeded);
            }
            TINFLStatus::HasMoreOutput => {
                let bigger = out.len().saturating_mul(2).min(limit.saturating_add(1));
                out.resize(bigger, 0);
            }
            _ => return Err(InflateError::Invalid),
        }
    }
    out.truncate(written);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(bytes: &[u8]) -> String {
        format!("{PREFIX}{}", base45::encode(bytes))
    }

    #[test]
    fn round_trip_plain_and_compressed() {
        let plain = [0xD2u8, 0x84, 1, 2, 3];
        assert_eq!(decode_qr_text(&encode_qr_text(&plain)).unwrap(), plain);
        let repetitive = [0xD2u8; 500];
        let text = encode_qr_text(&repetitive);
        assert!(text.len() < 100, "compressed: {}", text.len());
        assert_eq!(decode_qr_text(&text).unwrap(), repetitive);
    }

    #[test]
    fn line_endings_are_trimmed_but_spaces_are_not() {
        let text = encode_qr_text(&[0xD2, 0x84]);
        assert_eq!(
            decode_qr_text(&format!("{text}\r\n")).unwrap(),
            [0xD2, 0x84]
        );
        assert_eq!(
            decode_qr_text(&format!("{text}  ")),
            Err(Reason::Base45Invalid)
        );
    }

    #[test]
    fn rejections() {
        assert_eq!(decode_qr_text("HC1:6BF"), Err(Reason::NotIkdCredential));
        assert_eq!(decode_qr_text("ikd1:00"), Err(Reason::NotIkdCredential));
        assert_eq!(decode_qr_text(""), Err(Reason::NotIkdCredential));
        assert_eq!(decode_qr_text("IKD1:abc"), Err(Reason::Base45Invalid));
        let long = format!("{PREFIX}{}", "0".repeat(MAX_QR_TEXT_LEN));
        assert_eq!(
            decode_qr_text(&long),
            Err(Reason::InputTooLarge { len: long.len() })
        );
        // A long QR code of another kind is still just not an IKD credential.
        assert_eq!(
            decode_qr_text(&"1".repeat(7089)),
            Err(Reason::NotIkdCredential)
        );
    }

    #[test]
    fn zlib_bomb_is_stopped_at_the_limit() {
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 2 * 1024 * 1024], 9);
        assert!(
            bomb.len() < MAX_QR_TEXT_LEN / 3 * 2,
            "bomb fits a QR: {}",
            bomb.len()
        );
        assert_eq!(
            decode_qr_text(&text_of(&bomb)),
            Err(Reason::InflateLimitExceeded)
        );
        let exactly = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; MAX_INFLATED_LEN], 9);
        assert_eq!(
            decode_qr_text(&text_of(&exactly)).unwrap().len(),
            MAX_INFLATED_LEN
        );
    }

    #[test]
    fn corrupt_truncated_and_trailing_zlib_is_refused() {
        let good = miniz_oxide::deflate::compress_to_vec_zlib(&[0xD2u8; 300], 9);
        let mut bad_checksum = good.clone();
        if let Some(last) = bad_checksum.last_mut() {
            *last ^= 1;
        }
        assert_eq!(
            decode_qr_text(&text_of(&bad_checksum)),
            Err(Reason::ZlibInvalid)
        );
        assert_eq!(
            decode_qr_text(&text_of(&good[..good.len() - 3])),
            Err(Reason::ZlibInvalid)
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            decode_qr_text(&text_of(&trailing)),
            Err(Reason::ZlibInvalid)
        );
        let nested = miniz_oxide::deflate::compress_to_vec_zlib(&good, 0);
        assert_eq!(decode_qr_text(&text_of(&nested)), Err(Reason::ZlibInvalid));
    }
}
