//! Text from payload bytes, when the decoder did not say which character set they use.
//!
//! rqrr hands back the bytes of every segment and drops the ECI designators, so the
//! character set is guessed as zxing does for a QR code without ECI: UTF-8 when the bytes
//! are valid UTF-8, else Shift_JIS when they are valid Shift_JIS (Japanese codes, whose
//! Kanji-mode segments arrive as Shift_JIS bytes), else ISO-8859-1, the default character
//! set of ISO/IEC 18004.

/// The text the bytes most likely carry (ISO-8859-1 maps every byte, so there is always one).
pub(crate) fn guess(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    if let Some(text) = encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .filter(|text| !text.is_ascii())
    {
        return text.into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::guess;

    #[test]
    fn character_sets_are_guessed_as_zxing_does() {
        assert_eq!(guess(b"IKD1:ABC"), "IKD1:ABC");
        assert_eq!(guess("Grüße".as_bytes()), "Grüße");
        // "QRコード" in Shift_JIS.
        let sjis = [0x51, 0x52, 0x83, 0x52, 0x81, 0x5B, 0x83, 0x68];
        assert_eq!(guess(&sjis), "QRコード");
        // Not UTF-8, not Shift_JIS: ISO-8859-1.
        assert_eq!(guess(&[0x47, 0xFC, 0xFF]), "Güÿ");
    }
}
