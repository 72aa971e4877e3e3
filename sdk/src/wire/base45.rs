//! Base45 (RFC 9285): the QR-alphanumeric-friendly byte encoding.

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Reverse table: the value of each byte, or `INVALID`.
const INVALID: u8 = 0xFF;
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The value of a character at each place of a triple (1, 45, 2025 times its digit), or
/// for a character outside the alphabet a value so large that the triple's sum exceeds
/// 0xFFFF however the others add up: one comparison then refuses both a foreign character
/// and a triple too large for two bytes.
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const PLACE_VALUES: [[u32; 256]; 3] = {
    let mut tables = [[FOREIGN; 256]; 3];
    let mut i = 0;
    while i < ALPHABET.len() {
        let c = ALPHABET[i] as usize;
        tables[0][c] = i as u32;
        tables[1][c] = i as u32 * 45;
        tables[2][c] = i as u32 * 45 * 45;
        i += 1;
    }
    tables
};

/// A foreign character's place value: three of them still fit u32.
const FOREIGN: u32 = 1 << 20;

/// Base45 text that RFC 9285 does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidBase45;

/// Encodes bytes as Base45 text.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    let mut chunks = bytes.chunks_exact(2);
    for pair in &mut chunks {
        if let [a, b] = pair {
            let n = u32::from(*a) * 256 + u32::from(*b);
            push_digits(&mut out, n, 3);
        }
    }
    if let [last] = chunks.remainder() {
        push_digits(&mut out, u32::from(*last), 2);
    }
    out
}

fn push_digits(out: &mut String, mut n: u32, count: usize) {
    for _ in 0..count {
        let digit = (n % 45) as usize;
        out.push(char::from(ALPHABET.get(digit).copied().unwrap_or(b'0')));
        n /= 45;
    }
}

/// Decodes Base45 text, rejecting characters outside the alphabet, a dangling single
/// character, and groups whose value does not fit their byte count.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, InvalidBase45> {
    let chunks = text.chunks_exact(3);
    let tail = match chunks.remainder() {
        [] => None,
        pair @ [_, _] => Some(u8::try_from(value(pair)?).map_err(|_| InvalidBase45)?),
        _ => return Err(InvalidBase45),
    };
    let pairs = text.len() / 3;
    // Sized once and written in place: no capacity check per pair.
    let mut out = super::zeroed_bytes(pairs * 2 + usize::from(tail.is_some()));
    for (triple, slot) in chunks.zip(out.chunks_exact_mut(2)) {
        if let &[c, d, e] = triple {
            let [ones, fortyfives, squares] = &PLACE_VALUES;
            let n = place(ones, c) + place(fortyfives, d) + place(squares, e);
            let pair = u16::try_from(n).map_err(|_| InvalidBase45)?;
            slot.copy_from_slice(&pair.to_be_bytes());
        }
    }
    if let (Some(byte), Some(last)) = (tail, out.last_mut()) {
        *last = byte;
    }
    Ok(out)
}

/// A character's value in `table` (a byte always indexes it; the fallback is a foreign
/// character's value).
#[cfg_attr(not(target_family = "wasm"), inline(always))]
fn place(table: &[u32; 256], c: u8) -> u32 {
    table.get(usize::from(c)).copied().unwrap_or(FOREIGN)
}

/// The value of one character, or `INVALID`.
fn digit(byte: u8) -> u8 {
    DECODE.get(usize::from(byte)).copied().unwrap_or(INVALID)
}

/// Little-endian base-45 value of up to three characters.
fn value(chars: &[u8]) -> Result<u32, InvalidBase45> {
    let mut n = 0u32;
    for &c in chars.iter().rev() {
        let value = digit(c);
        if value == INVALID {
            return Err(InvalidBase45);
        }
        n = n * 45 + u32::from(value);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_up_to_64() {
        let data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37)).collect();
        for len in 0..=data.len() {
            let text = encode(&data[..len]);
            assert_eq!(decode(text.as_bytes()).unwrap(), &data[..len]);
        }
    }

    #[test]
    fn every_triple_decodes_as_its_base_45_value() {
        let chars: Vec<u8> = ALPHABET.iter().copied().chain(*b"a_\x00\xFF").collect();
        for &c in &chars {
            for &d in &chars {
                for &e in &chars {
                    let expected = value(&[c, d, e])
                        .ok()
                        .and_then(|n| u16::try_from(n).ok())
                        .map(u16::to_be_bytes);
                    assert_eq!(
                        decode(&[c, d, e]).ok(),
                        expected.map(Vec::from),
                        "{c} {d} {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn extreme_values() {
        assert_eq!(encode(&[0xFF, 0xFF]), "FGW");
        assert_eq!(decode(b"FGW").unwrap(), [0xFF, 0xFF]);
        assert_eq!(decode(b"GGW"), Err(InvalidBase45));
        assert_eq!(encode(&[0xFF]), "U5");
        assert_eq!(decode(b"V5"), Err(InvalidBase45));
    }

    #[test]
    fn refuses_foreign_characters_anywhere_and_a_dangling_character() {
        // "QED8WEX0" decodes to "ietf!" (RFC 9285 §4.3); break it in each position.
        assert_eq!(decode(b"QED8WEX0").unwrap(), b"ietf!");
        for at in 0..8 {
            let mut text = *b"QED8WEX0";
            text[at] = b'a';
            assert_eq!(decode(&text), Err(InvalidBase45), "at {at}");
        }
        assert_eq!(decode(b"QED8WEX"), Err(InvalidBase45));
        assert_eq!(decode(b"Q"), Err(InvalidBase45));
        assert_eq!(decode(b"").unwrap(), b"");
    }
}
