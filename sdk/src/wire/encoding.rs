//! Text encodings of binary values used in JSON forms: hex and standard Base64; and
//! fixed-width decimal digits, for dates and identity numbers.

use base64::Engine as _;

/// Lower-case hex.
pub fn hex_encode(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Decodes hex (either case).
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

/// Standard Base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard Base64 with padding.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// `n` as exactly `N` ASCII decimal digits, zero-padded; `None` if it needs more.
///
/// Dates, timestamps and NIKs fill much of a verdict's JSON and display rows. Writing
/// their fixed-width digits directly spares the formatting machinery, and a `to_string`
/// of the result allocates once instead of growing its buffer.
pub(crate) fn fixed_decimal<const N: usize>(mut n: u64) -> Option<[u8; N]> {
    let mut digits = [b'0'; N];
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
    (n == 0).then_some(digits)
}

/// ASCII digits and separators as text: always valid, so the error never occurs.
pub(crate) fn ascii(bytes: &[u8]) -> Result<&str, core::fmt::Error> {
    core::str::from_utf8(bytes).map_err(|_| core::fmt::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimal_pads_and_refuses_what_does_not_fit() {
        assert_eq!(fixed_decimal::<2>(7), Some(*b"07"));
        assert_eq!(fixed_decimal::<4>(2026), Some(*b"2026"));
        assert_eq!(fixed_decimal::<4>(10_000), None);
        assert_eq!(
            fixed_decimal::<16>(3_273_010_101_900_001),
            Some(*b"3273010101900001")
        );
        assert_eq!(fixed_decimal::<16>(42), Some(*b"0000000000000042"));
        assert_eq!(fixed_decimal::<16>(u64::MAX), None);
        assert_eq!(
            fixed_decimal::<20>(u64::MAX),
            Some(*b"18446744073709551615")
        );
    }
}
