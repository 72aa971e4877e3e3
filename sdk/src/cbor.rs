//! Strict CBOR: a well-formedness check run before any CBOR is decoded into values.
//!
//! The format allows only preferred ("deterministic") encoding of the kinds it uses:
//! unsigned and negative integers, byte and text strings, arrays, maps whose keys are
//! integers or text, tags, and the simple values false, true and null. Lengths are
//! definite and every head is as short as possible, so two equal keys always have equal
//! bytes, which is how duplicates are found.

use crate::limits::{MAX_CBOR_CONTAINER_ITEMS, MAX_CBOR_DEPTH};
use crate::reason::Reason;
use ciborium::Value;

/// Checks that `bytes` is exactly one strict CBOR item.
pub(crate) fn check_strict(bytes: &[u8]) -> Result<(), Reason> {
    let mut scanner = Scanner { bytes, pos: 0 };
    scanner.item(0)?;
    if scanner.pos != bytes.len() {
        return Err(Reason::CborTrailingBytes);
    }
    Ok(())
}

/// Checks strictness, then decodes into a value tree.
pub(crate) fn decode_strict(bytes: &[u8]) -> Result<Value, Reason> {
    check_strict(bytes)?;
    ciborium::de::from_reader(bytes).map_err(|_| Reason::CborMalformed)
}

/// Encodes a value tree; ciborium writes the shortest heads, as the format requires.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and every Value the SDK builds is encodable.
    if ciborium::ser::into_writer(value, &mut out).is_err() {
        out.clear();
    }
    out
}

struct Head {
    major: u8,
    /// The argument; for major type 7 the simple value.
    arg: u64,
    /// Position of the head's first byte.
    start: usize,
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn byte(&mut self) -> Result<u8, Reason> {
        let b = *self.bytes.get(self.pos).ok_or(Reason::CborMalformed)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, len: u64) -> Result<&[u8], Reason> {
        let len = usize::try_from(len).map_err(|_| Reason::CborMalformed)?;
        let end = self.pos.checked_add(len).ok_or(Reason::CborMalformed)?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(Reason::CborMalformed)?;
        self.pos = end;
        Ok(slice)
    }

    fn head(&mut self) -> Result<Head, Reason> {
        let start = self.pos;
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1F;
        let arg = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let width = 1u64 << (info - 24);
                let mut arg = 0u64;
                for &b in self.take(width)? {
                    arg = (arg << 8) | u64::from(b);
                }
                let shortest = match info {
                    24 => arg >= 24,
                    25 => arg > 0xFF,
                    26 => arg > 0xFFFF,
                    _ => arg > 0xFFFF_FFFF,
                };
                // Major type 7 with 25..=27 are floats, which the format does not use.
                if major == 7 {
                    return Err(Reason::CborMalformed);
                }
                if !shortest {
                    return Err(Reason::CborNotDeterministic);
                }
                arg
            }
            31 if (2..=5).contains(&major) => return Err(Reason::CborNotDeterministic),
            _ => return Err(Reason::CborMalformed),
        };
        Ok(Head { major, arg, start })
    }

    fn item(&mut self, depth: usize) -> Result<(), Reason> {
        let head = self.head()?;
        match head.major {
            0 | 1 => Ok(()),
            2 => self.take(head.arg).map(drop),
            3 => {
                let text = self.take(head.arg)?;
                core::str::from_utf8(text)
                    .map(drop)
                    .map_err(|_| Reason::CborMalformed)
            }
            4 => {
                let count = container_len(head.arg)?;
                let depth = deeper(depth)?;
                for _ in 0..count {
                    self.item(depth)?;
                }
                Ok(())
            }
            5 => self.map(head.arg, depth),
            6 => {
                let depth = deeper(depth)?;
                self.item(depth)
            }
            // false, true, null
            _ if (20..=22).contains(&head.arg) => Ok(()),
            _ => Err(Reason::CborMalformed),
        }
    }

    fn map(&mut self, len: u64, depth: usize) -> Result<(), Reason> {
        let count = container_len(len)?;
        let depth = deeper(depth)?;
        let mut keys: Vec<&[u8]> = Vec::with_capacity(count);
        for _ in 0..count {
            let key = self.head()?;
            if key.major == 3 {
                let text = self.take(key.arg)?;
                core::str::from_utf8(text).map_err(|_| Reason::CborMalformed)?;
            } else if key.major > 1 {
                return Err(Reason::CborMalformed);
            }
            let key_bytes = self
                .bytes
                .get(key.start..self.pos)
                .ok_or(Reason::CborMalformed)?;
            if keys.contains(&key_bytes) {
                return Err(Reason::CborDuplicateKey);
            }
            keys.push(key_bytes);
            self.item(depth)?;
        }
        Ok(())
    }
}

fn container_len(arg: u64) -> Result<usize, Reason> {
    usize::try_from(arg)
        .ok()
        .filter(|&n| n <= MAX_CBOR_CONTAINER_ITEMS)
        .ok_or(Reason::CborMalformed)
}

fn deeper(depth: usize) -> Result<usize, Reason> {
    let next = depth + 1;
    if next > MAX_CBOR_DEPTH {
        Err(Reason::CborTooDeep)
    } else {
        Ok(next)
    }
}

/// Reads an integer value as i64, if it is one and fits.
pub(crate) fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(i) => i64::try_from(*i).ok(),
        _ => None,
    }
}

/// Reads an integer value as u64, if it is a non-negative one.
pub(crate) fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Integer(i) => u64::try_from(*i).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hex_str: &str) -> Result<(), Reason> {
        check_strict(&hex::decode(hex_str).unwrap())
    }

    #[test]
    fn accepts_preferred_encodings() {
        for ok in ["00", "17", "1818", "190100", "1a00010000", "1b0000000100000000", "20", "3818"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        assert_eq!(check("a201020304"), Ok(()));
        assert_eq!(check("a2616101616202"), Ok(()));
        assert_eq!(check("d28440a0f6f6"), Ok(()));
        assert_eq!(check("f4"), Ok(()));
        assert_eq!(check("f5"), Ok(()));
        assert_eq!(check("f6"), Ok(()));
    }

    #[test]
    fn rejects_longer_heads_than_needed() {
        for bad in ["1817", "1900ff", "1a0000ffff", "1b00000000ffffffff", "5801ff", "9800"] {
            assert_eq!(check(bad), Err(Reason::CborNotDeterministic), "{bad}");
        }
    }

    #[test]
    fn rejects_indefinite_lengths() {
        assert_eq!(check("9fff"), Err(Reason::CborNotDeterministic));
        assert_eq!(check("bfff"), Err(Reason::CborNotDeterministic));
        assert_eq!(check("5fff"), Err(Reason::CborNotDeterministic));
        assert_eq!(check("7fff"), Err(Reason::CborNotDeterministic));
    }

    #[test]
    fn rejects_floats_undefined_break_and_reserved() {
        for bad in ["f7", "f93c00", "fa47c35000", "fb3ff199999999999a", "ff", "1c", "f820"] {
            assert_eq!(check(bad), Err(Reason::CborMalformed), "{bad}");
        }
    }

    #[test]
    fn rejects_duplicate_keys_and_non_scalar_keys() {
        assert_eq!(check("a201020103"), Err(Reason::CborDuplicateKey));
        assert_eq!(check("a2616101616102"), Err(Reason::CborDuplicateKey));
        assert_eq!(check("a1400f"), Err(Reason::CborMalformed));
        assert_eq!(check("a1800f"), Err(Reason::CborMalformed));
    }

    #[test]
    fn rejects_truncation_trailing_bytes_and_bad_utf8() {
        assert_eq!(check("62ff"), Err(Reason::CborMalformed));
        assert_eq!(check("62c328"), Err(Reason::CborMalformed));
        assert_eq!(check("0000"), Err(Reason::CborTrailingBytes));
        assert_eq!(check("5a00010000"), Err(Reason::CborMalformed));
        assert_eq!(check(""), Err(Reason::CborMalformed));
    }

    #[test]
    fn limits_depth_and_container_size() {
        let deep = "81".repeat(MAX_CBOR_DEPTH) + "00";
        assert_eq!(check(&deep), Ok(()));
        let too_deep = "81".repeat(MAX_CBOR_DEPTH + 1) + "00";
        assert_eq!(check(&too_deep), Err(Reason::CborTooDeep));
        let tags = "c1".repeat(MAX_CBOR_DEPTH + 1) + "00";
        assert_eq!(check(&tags), Err(Reason::CborTooDeep));
        // An array claiming a billion items is refused before anything is allocated.
        assert_eq!(check("9a3b9aca00"), Err(Reason::CborMalformed));
    }

    #[test]
    fn rfc_appendix_a_vectors_are_classified() {
        #[derive(serde::Deserialize)]
        struct Vector {
            hex: String,
        }
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../tests/vectors/cbor/appendix_a.json")).unwrap();
        let mut accepted = 0;
        for v in &vectors {
            let bytes = hex::decode(&v.hex).unwrap();
            match check_strict(&bytes) {
                Ok(()) => {
                    accepted += 1;
                    // What the scanner accepts, ciborium must decode, and re-encode identically.
                    let value = decode_strict(&bytes).unwrap();
                    assert_eq!(encode(&value), bytes, "{}", v.hex);
                }
                Err(reason) => assert!(
                    matches!(
                        reason,
                        Reason::CborMalformed | Reason::CborNotDeterministic
                    ),
                    "{}: {reason:?}",
                    v.hex
                ),
            }
        }
        assert!(accepted >= 40, "only {accepted} accepted");
    }
}
