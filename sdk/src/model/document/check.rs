//! Value checks shared by the document types.

use crate::codes::{FieldPath, Reason, Warning};
use crate::model::siak::SiakList;
use crate::model::time::Date;
use crate::model::wilayah;
use crate::wire::limits::{MAX_PORTRAIT_LEN, MAX_TEXT_FIELD_LEN};

/// Whether every byte is printable ASCII (0x20 to 0x7E), eight bytes at a time.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn lanes(byte: u8) -> u64 {
        0x0101_0101_0101_0101 * byte as u64
    }
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            return false;
        };
        let word = u64::from_le_bytes(word);
        // With each lane's high bit set first, no subtraction borrows from the next lane:
        // a lane keeps its high bit when its low seven bits are at least 0x20, and loses
        // it below 0x7F.
        let at_least_space = (word | HIGH).wrapping_sub(lanes(0x20)) & HIGH;
        let below_delete = !(word | HIGH).wrapping_sub(lanes(0x7F)) & HIGH;
        let ascii = !word & HIGH;
        if at_least_space & below_delete & ascii != HIGH {
            return false;
        }
    }
    words.remainder().iter().all(|b| (0x20..0x7F).contains(b))
}

/// Checks fields of one document or one KK member.
pub(crate) struct Checker {
    pub(crate) member: Option<u16>,
}

impl Checker {
    fn path(&self, field: &'static str) -> FieldPath {
        FieldPath {
            member: self.member,
            field,
        }
    }

    fn invalid(&self, field: &'static str) -> Reason {
        Reason::FieldInvalid {
            field: self.path(field),
        }
    }

    fn ensure(&self, ok: bool, field: &'static str) -> Result<(), Reason> {
        if ok { Ok(()) } else { Err(self.invalid(field)) }
    }

    /// Non-empty printable text within the length limit, without control characters or
    /// the invisible format characters that could make a name display as another.
    pub(crate) fn text(&self, field: &'static str, text: &str) -> Result<(), Reason> {
        // Most fields are printable ASCII, checked in one pass over the bytes: there the
        // only whitespace is the space, so the text is blank exactly when it is all spaces.
        // Anything else (controls, non-ASCII) takes the character path.
        let bytes = text.as_bytes();
        let allowed = if is_printable_ascii(bytes) {
            bytes.iter().any(|&b| b != b' ')
        } else {
            !text.trim().is_empty()
                && !text
                    .chars()
                    .any(|c| c.is_control() || is_invisible_format(c))
        };
        self.ensure(allowed && text.len() <= MAX_TEXT_FIELD_LEN, field)
    }

    /// Optional text: checked like [`Checker::text`] when present.
    pub(crate) fn opt_text(&self, field: &'static str, text: Option<&str>) -> Result<(), Reason> {
        text.map_or(Ok(()), |t| self.text(field, t))
    }

    /// A date in the range documents may carry.
    pub(crate) fn date(&self, field: &'static str, date: Date) -> Result<(), Reason> {
        self.ensure(date.in_document_range(), field)
    }

    /// A code from a SIAK list.
    pub(crate) fn siak(&self, field: &'static str, list: SiakList, code: u8) -> Result<(), Reason> {
        if list.contains(code) {
            Ok(())
        } else {
            Err(Reason::SiakCodeInvalid {
                field: self.path(field),
                code: u64::from(code),
            })
        }
    }

    /// RT or RW: 0–999.
    pub(crate) fn rt_rw(&self, field: &'static str, value: u16) -> Result<(), Reason> {
        self.ensure(value <= 999, field)
    }

    /// A 10-digit desa/kelurahan code `PPKKCCDDDD`.
    pub(crate) fn kode_wilayah(&self, field: &'static str, code: u64) -> Result<(), Reason> {
        self.ensure(
            (1_100_000_000..=9_999_999_999).contains(&code) && !code.is_multiple_of(10_000),
            field,
        )
    }

    /// Warns when a well-formed desa code is not in the region table.
    pub(crate) fn known_desa(&self, field: &'static str, code: u64, warnings: &mut Vec<Warning>) {
        if !wilayah::desa_exists(code) {
            warnings.push(Warning::RegionCodeUnknown {
                field: self.path(field),
                table: wilayah::TABLE_VERSION,
            });
        }
    }

    /// Warns when a well-formed kabupaten/kota code is not in the region table.
    pub(crate) fn known_kabupaten(
        &self,
        field: &'static str,
        code: u16,
        warnings: &mut Vec<Warning>,
    ) {
        if wilayah::kabupaten_kota_name(code).is_none() {
            warnings.push(Warning::RegionCodeUnknown {
                field: self.path(field),
                table: wilayah::TABLE_VERSION,
            });
        }
    }

    /// A 4-digit kabupaten/kota code `PPKK`.
    pub(crate) fn kode_kabupaten(&self, field: &'static str, code: u16) -> Result<(), Reason> {
        self.ensure(
            (1_101..=9_999).contains(&code) && !code.is_multiple_of(100),
            field,
        )
    }

    /// A 5-digit postal code.
    pub(crate) fn kode_pos(&self, field: &'static str, code: u32) -> Result<(), Reason> {
        self.ensure((10_000..=99_999).contains(&code), field)
    }

    /// Kewarganegaraan: 1 WNI, 2 WNA.
    pub(crate) fn kewarganegaraan(&self, field: &'static str, code: u8) -> Result<(), Reason> {
        self.ensure(matches!(code, 1 | 2), field)
    }

    /// A portrait: JPEG or WebP, non-empty, within the size limit.
    pub(crate) fn portrait(&self, field: &'static str, bytes: Option<&[u8]>) -> Result<(), Reason> {
        let Some(bytes) = bytes else { return Ok(()) };
        let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
        let webp = bytes.len() >= 12
            && bytes.starts_with(b"RIFF")
            && bytes.get(8..12) == Some(b"WEBP".as_slice());
        self.ensure(bytes.len() <= MAX_PORTRAIT_LEN && (jpeg || webp), field)
    }
}

/// Bidirectional overrides and isolates, zero-width characters, the word joiner family,
/// the byte-order mark and the soft hyphen: characters that change how text displays
/// without showing themselves.
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_found_in_every_lane() {
        for byte in 0..=255u8 {
            let expected = (0x20..0x7F).contains(&byte);
            for len in [1, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    let mut bytes = vec![b'A'; len];
                    bytes[at] = byte;
                    assert_eq!(
                        is_printable_ascii(&bytes),
                        expected,
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(is_printable_ascii(b""));
        assert!(is_printable_ascii(b" !~~~~~~~~~~~~~~ "));
    }

    #[test]
    fn names_with_invisible_or_control_characters_are_refused() {
        let c = Checker { member: None };
        assert_eq!(c.text("nama", "SITI NURHALIZA"), Ok(()));
        assert_eq!(c.text("nama", "D'ARCY, JR."), Ok(()));
        assert_eq!(c.text("nama", "Regapu\u{2019}u"), Ok(()));
        for bad in [
            "SITI\u{202E}AZILAHRUN",
            "SITI\u{200B}",
            "\u{FEFF}SITI",
            "SITI\nX",
            "SITI\tX",
            "SITI\u{7F}",
            "\u{0B}",
            "SITI\u{85}",
            "  ",
            "",
        ] {
            assert!(c.text("nama", bad).is_err(), "{bad:?}");
        }
        assert!(c.text("nama", &"A".repeat(MAX_TEXT_FIELD_LEN + 1)).is_err());
    }

    proptest::proptest! {
        /// The bytewise path for printable ASCII decides exactly as the character rule.
        #[test]
        fn bytewise_path_agrees_with_the_character_rule(
            text in r"[ -~\t\n\r\x{0B}\x{0C}\x{7F}\x{85}\x{A0}\x{200B}\x{E9}]{0,12}"
        ) {
            let c = Checker { member: None };
            let rule = !text.trim().is_empty()
                && !text.chars().any(|ch| ch.is_control() || is_invisible_format(ch))
                && text.len() <= MAX_TEXT_FIELD_LEN;
            proptest::prop_assert_eq!(c.text("nama", &text).is_ok(), rule);
        }
    }
}
