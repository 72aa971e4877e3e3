//! Strict CBOR: one decoder that refuses everything the format does not allow.
//!
//! The format allows only preferred ("deterministic") encoding of the kinds it uses:
//! unsigned and negative integers, byte and text strings, arrays, maps whose keys are
//! integers or text, tags, and the simple values false, true and null. Lengths are
//! definite, every head is as short as possible, and map keys come in the bytewise order
//! of their encodings (RFC 8949 §4.2.1), so every value has exactly one encoding.

use crate::codes::Reason;
use crate::wire::limits::{MAX_CBOR_CONTAINER_ITEMS, MAX_CBOR_DEPTH};
use ciborium::Value;
use core::cmp::Ordering;

/// A decoded CBOR item that borrows strings from the input.
///
/// Decoding builds this tree in the same pass that checks strictness, so verification
/// copies no string and runs no generic deserializer (measured in BENCHMARKS.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is -1 - n.
    Negative(u64),
    /// Major type 2.
    Bytes(&'a [u8]),
    /// Major type 3, valid UTF-8.
    Text(&'a str),
    /// Major type 4.
    Array(Vec<Item<'a>>),
    /// Major type 5, keys unique.
    Map(Vec<(Item<'a>, Item<'a>)>),
    /// Major type 6.
    Tag(u64, Box<Item<'a>>),
    /// false or true.
    Bool(bool),
    /// null.
    Null,
}

impl<'a> Item<'a> {
    /// The integer value, if this is an integer that fits i64.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match *self {
            Item::Unsigned(n) => i64::try_from(n).ok(),
            Item::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// The value, if this is an unsigned integer.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match *self {
            Item::Unsigned(n) => Some(n),
            _ => None,
        }
    }

    /// The text, if this is a text string.
    pub(crate) fn as_text(&self) -> Option<&'a str> {
        match *self {
            Item::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub(crate) fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Item::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub(crate) fn as_array(&self) -> Option<&[Item<'a>]> {
        match self {
            Item::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub(crate) fn as_map(&self) -> Option<&[(Item<'a>, Item<'a>)]> {
        match self {
            Item::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The equivalent ciborium value, for comparing with ciborium's decoder.
    #[cfg(any(test, feature = "unstable-wire"))]
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Item::Unsigned(n) => Value::from(*n),
            Item::Negative(n) => ciborium::value::Integer::try_from(-1 - i128::from(*n))
                .map_or(Value::Null, Value::Integer),
            Item::Bytes(b) => Value::Bytes(b.to_vec()),
            Item::Text(t) => Value::Text((*t).to_owned()),
            Item::Array(items) => Value::Array(items.iter().map(Item::to_value).collect()),
            Item::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_value(), v.to_value()))
                    .collect(),
            ),
            Item::Tag(tag, inner) => Value::Tag(*tag, Box::new(inner.to_value())),
            Item::Bool(b) => Value::Bool(*b),
            Item::Null => Value::Null,
        }
    }
}

/// What the decoder allows beyond the fixed rules (shortest heads, definite lengths, the
/// allowed kinds, unique integer or text keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    /// Most elements of one array, or pairs of one map.
    pub(crate) max_items: usize,
    /// Deepest nesting of arrays, maps and tags.
    pub(crate) max_depth: usize,
    /// Whether map keys must come in the deterministic (bytewise) order.
    pub(crate) sorted_keys: bool,
}

impl Rules {
    /// The rules of every credential item: [`MAX_CBOR_CONTAINER_ITEMS`],
    /// [`MAX_CBOR_DEPTH`], keys in deterministic order.
    pub(crate) const CREDENTIAL: Rules = Rules {
        max_items: MAX_CBOR_CONTAINER_ITEMS,
        max_depth: MAX_CBOR_DEPTH,
        sorted_keys: true,
    };
}

/// Decodes `bytes`, which must be exactly one strict CBOR item.
pub(crate) fn decode(bytes: &[u8]) -> Result<Item<'_>, Reason> {
    decode_with(bytes, Rules::CREDENTIAL)
}

/// Decodes `bytes` under the credential rules (one strict, deterministic CBOR item) into
/// a value tree: the strict decoder as tests, fuzzers and the conformance forger reach it.
#[cfg(feature = "unstable-wire")]
pub fn decode_value(bytes: &[u8]) -> Result<Value, Reason> {
    decode(bytes).map(|item| item.to_value())
}

/// Decodes `bytes` as one CBOR item under `rules`.
pub(crate) fn decode_with(bytes: &[u8], rules: Rules) -> Result<Item<'_>, Reason> {
    let mut reader = Reader {
        bytes,
        pos: 0,
        rules,
    };
    let item = reader.item(0)?;
    reader.finish()?;
    Ok(item)
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
}

/// A map key, as [`Reader::key`] returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is -1 - n.
    Negative(u64),
    /// Major type 3.
    Text(&'a str),
}

impl Key<'_> {
    /// The integer value, if this is an integer that fits i64.
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Key::Unsigned(n) => i64::try_from(n).ok(),
            Key::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            Key::Text(_) => None,
        }
    }
}

/// One head as [`Reader::token`] returns it, with the string it introduces. The contents
/// of an array, map or tag follow in the input; a caller reads them, or passes over them
/// with [`Reader::skip_contents`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is -1 - n.
    Negative(u64),
    /// Major type 2.
    Bytes(&'a [u8]),
    /// Major type 3, valid UTF-8.
    Text(&'a str),
    /// Major type 4, with its number of items (at most the rules' limit).
    Array(usize),
    /// Major type 5, with its number of pairs (at most the rules' limit).
    Map(usize),
    /// Major type 6.
    Tag(u64),
    /// false or true.
    Bool(bool),
    /// null.
    Null,
}

impl<'a> Token<'a> {
    /// The integer value, if this is an integer that fits i64.
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Token::Unsigned(n) => i64::try_from(n).ok(),
            Token::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// The value, if this is an unsigned integer.
    pub(crate) fn as_u64(self) -> Option<u64> {
        match self {
            Token::Unsigned(n) => Some(n),
            _ => None,
        }
    }

    /// The text, if this is a text string.
    pub(crate) fn as_text(self) -> Option<&'a str> {
        match self {
            Token::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub(crate) fn as_bytes(self) -> Option<&'a [u8]> {
        match self {
            Token::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }
}

/// Where a map's pairs start and its last key, for the rules on keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MapKeys<'a> {
    start: usize,
    last: Option<Key<'a>>,
    ascending: bool,
}

/// The strict decoder, read one head at a time. [`decode`] builds an [`Item`] tree with
/// it; a caller that knows the shape it expects pulls [`Token`]s and map keys instead and
/// builds its own values, without a tree to allocate and drop. Both ways check the same
/// rules in the same order, so they refuse the same inputs for the same reasons.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    rules: Rules,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` under the credential rules.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            rules: Rules::CREDENTIAL,
        }
    }

    /// Checks that everything was read: one item is the whole input.
    pub(crate) fn finish(&self) -> Result<(), Reason> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(Reason::CborTrailingBytes)
        }
    }

    /// Reads one head, and the string it introduces.
    // Inlined everywhere natively, for speed; on WebAssembly the copies cost 3 KB of
    // module for no measurable verify time in Node (BENCHMARKS.md).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn token(&mut self) -> Result<Token<'a>, Reason> {
        // Small integers and short texts, most of a document, take the short way.
        match self.bytes.get(self.pos) {
            Some(&b) if b < 0x18 => {
                self.pos += 1;
                Ok(Token::Unsigned(u64::from(b)))
            }
            Some(&b) if (0x60..0x78).contains(&b) => {
                self.pos += 1;
                self.text(u64::from(b & 0x1F)).map(Token::Text)
            }
            _ => self.any_token(),
        }
    }

    fn any_token(&mut self) -> Result<Token<'a>, Reason> {
        let head = self.head()?;
        Ok(match head.major {
            0 => Token::Unsigned(head.arg),
            1 => Token::Negative(head.arg),
            2 => Token::Bytes(self.take(head.arg)?),
            3 => Token::Text(self.text(head.arg)?),
            4 => Token::Array(self.container_len(head.arg)?),
            5 => Token::Map(self.container_len(head.arg)?),
            6 => Token::Tag(head.arg),
            _ => match head.arg {
                20 => Token::Bool(false),
                21 => Token::Bool(true),
                22 => Token::Null,
                _ => return Err(Reason::CborMalformed),
            },
        })
    }

    /// Checks and passes over the contents of `token`, just read at `depth` (the depth
    /// [`Reader::item`] would have been given for it).
    #[inline]
    pub(crate) fn skip_contents(&mut self, token: Token<'_>, depth: usize) -> Result<(), Reason> {
        match token {
            Token::Array(_) | Token::Map(_) | Token::Tag(_) => self.skip_container(token, depth),
            _ => Ok(()),
        }
    }

    fn skip_container(&mut self, token: Token<'_>, depth: usize) -> Result<(), Reason> {
        match token {
            Token::Array(count) => {
                let depth = self.deeper(depth)?;
                self.skip_items(count, depth)
            }
            Token::Map(count) => {
                let depth = self.deeper(depth)?;
                let mut keys = self.map_keys();
                self.skip_pairs(&mut keys, count, depth)
            }
            Token::Tag(_) => {
                let depth = self.deeper(depth)?;
                self.skip(depth)
            }
            _ => Ok(()),
        }
    }

    /// Checks and passes over one item at `depth`.
    pub(crate) fn skip(&mut self, depth: usize) -> Result<(), Reason> {
        let token = self.token()?;
        self.skip_contents(token, depth)
    }

    /// Checks and passes over `count` items, each at `depth`.
    pub(crate) fn skip_items(&mut self, count: usize, depth: usize) -> Result<(), Reason> {
        for _ in 0..count {
            self.skip(depth)?;
        }
        Ok(())
    }

    /// Checks and passes over `count` pairs of the map whose keys `keys` follows, each
    /// value at `depth`.
    pub(crate) fn skip_pairs(
        &mut self,
        keys: &mut MapKeys<'a>,
        count: usize,
        depth: usize,
    ) -> Result<(), Reason> {
        for _ in 0..count {
            self.key(keys)?;
            self.skip(depth)?;
        }
        Ok(())
    }

    /// Starts following the keys of a map whose head was just read.
    pub(crate) fn map_keys(&self) -> MapKeys<'a> {
        MapKeys {
            start: self.pos,
            last: None,
            ascending: true,
        }
    }

    /// Reads the next key of the map that `keys` follows: an integer or a text, unique,
    /// and (under the credential rules) after the key before it.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn key(&mut self, keys: &mut MapKeys<'a>) -> Result<Key<'a>, Reason> {
        // A small integer after a smaller one, as in every document map, takes the short
        // way; anything else is read again in full.
        if let Some(&b) = self.bytes.get(self.pos) {
            let n = u64::from(b);
            let after_last = match keys.last {
                None => true,
                Some(Key::Unsigned(last)) => last < n,
                Some(_) => false,
            };
            if b < 0x18 && after_last {
                self.pos += 1;
                keys.last = Some(Key::Unsigned(n));
                return Ok(Key::Unsigned(n));
            }
        }
        self.any_key(keys)
    }

    fn any_key(&mut self, keys: &mut MapKeys<'a>) -> Result<Key<'a>, Reason> {
        let start = self.pos;
        let head = self.head()?;
        let key = match head.major {
            0 => Key::Unsigned(head.arg),
            1 => Key::Negative(head.arg),
            3 => Key::Text(self.text(head.arg)?),
            _ => return Err(Reason::CborMalformed),
        };
        let after_last = match (keys.last, key) {
            (None, _) => true,
            (Some(Key::Unsigned(last)), Key::Unsigned(n)) => last < n,
            (Some(last), _) => key_order_of(last, key) == Ordering::Less,
        };
        if !(keys.ascending && after_last) {
            self.out_of_order(keys, start, key)?;
        }
        keys.last = Some(key);
        Ok(key)
    }

    /// A key that does not come after the one before it: a duplicate, or (under the
    /// credential rules) out of order.
    #[cold]
    fn out_of_order(
        &self,
        keys: &mut MapKeys<'a>,
        start: usize,
        key: Key<'a>,
    ) -> Result<(), Reason> {
        if self.repeats_a_key(keys.start, start, key)? {
            return Err(Reason::CborDuplicateKey);
        }
        if keys
            .last
            .is_some_and(|last| key_order_of(last, key) != Ordering::Less)
        {
            if self.rules.sorted_keys {
                return Err(Reason::CborNotDeterministic);
            }
            keys.ascending = false;
        }
        Ok(())
    }

    /// Whether one of the keys of the pairs in `from..to`, already checked, equals `key`.
    fn repeats_a_key(&self, from: usize, to: usize, key: Key<'a>) -> Result<bool, Reason> {
        let mut again = Reader {
            bytes: self.bytes.get(..to).unwrap_or_default(),
            pos: from,
            rules: self.rules,
        };
        while again.pos < to {
            let head = again.head()?;
            let earlier = match head.major {
                0 => Key::Unsigned(head.arg),
                1 => Key::Negative(head.arg),
                _ => Key::Text(again.text(head.arg)?),
            };
            // Preferred encoding makes equal keys equal values.
            if earlier == key {
                return Ok(true);
            }
            // These values were read at a greater depth, so depth 0 cannot be too deep.
            again.skip(0)?;
        }
        Ok(false)
    }

    /// The depth of the contents of a container read at `depth`.
    pub(crate) fn deeper(&self, depth: usize) -> Result<usize, Reason> {
        let next = depth + 1;
        if next > self.rules.max_depth {
            Err(Reason::CborTooDeep)
        } else {
            Ok(next)
        }
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, Reason> {
        let b = *self.bytes.get(self.pos).ok_or(Reason::CborMalformed)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    fn take(&mut self, len: u64) -> Result<&'a [u8], Reason> {
        let len = usize::try_from(len).map_err(|_| Reason::CborMalformed)?;
        let end = self.pos.checked_add(len).ok_or(Reason::CborMalformed)?;
        let slice = self.bytes.get(self.pos..end).ok_or(Reason::CborMalformed)?;
        self.pos = end;
        Ok(slice)
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The next `N` bytes.
    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Reason> {
        let chunk = self
            .bytes
            .get(self.pos..)
            .and_then(<[u8]>::first_chunk::<N>)
            .ok_or(Reason::CborMalformed)?;
        self.pos += N;
        Ok(*chunk)
    }

    #[inline]
    fn head(&mut self) -> Result<Head, Reason> {
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1F;
        let arg = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let (arg, shortest) = match info {
                    24 => {
                        let [n] = self.array()?;
                        (u64::from(n), n >= 24)
                    }
                    25 => {
                        let n = u16::from_be_bytes(self.array()?);
                        (u64::from(n), n > 0xFF)
                    }
                    26 => {
                        let n = u32::from_be_bytes(self.array()?);
                        (u64::from(n), n > 0xFFFF)
                    }
                    _ => {
                        let n = u64::from_be_bytes(self.array()?);
                        (n, n > 0xFFFF_FFFF)
                    }
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
        Ok(Head { major, arg })
    }

    #[inline]
    fn text(&mut self, len: u64) -> Result<&'a str, Reason> {
        core::str::from_utf8(self.take(len)?).map_err(|_| Reason::CborMalformed)
    }

    /// Reads one item at `depth` as a tree.
    pub(crate) fn item(&mut self, depth: usize) -> Result<Item<'a>, Reason> {
        let head = self.head()?;
        match head.major {
            0 => Ok(Item::Unsigned(head.arg)),
            1 => Ok(Item::Negative(head.arg)),
            2 => self.take(head.arg).map(Item::Bytes),
            3 => self.text(head.arg).map(Item::Text),
            4 => {
                let count = self.container_len(head.arg)?;
                let depth = self.deeper(depth)?;
                let mut items = Vec::with_capacity(count.min(self.remaining()));
                for _ in 0..count {
                    items.push(self.item(depth)?);
                }
                Ok(Item::Array(items))
            }
            5 => self.map(head.arg, depth),
            6 => {
                let depth = self.deeper(depth)?;
                Ok(Item::Tag(head.arg, Box::new(self.item(depth)?)))
            }
            _ => match head.arg {
                20 => Ok(Item::Bool(false)),
                21 => Ok(Item::Bool(true)),
                22 => Ok(Item::Null),
                _ => Err(Reason::CborMalformed),
            },
        }
    }

    fn map(&mut self, len: u64, depth: usize) -> Result<Item<'a>, Reason> {
        let count = self.container_len(len)?;
        let depth = self.deeper(depth)?;
        let mut entries: Vec<(Item<'a>, Item<'a>)> =
            Vec::with_capacity(count.min(self.remaining() / 2));
        let mut ascending = true;
        for _ in 0..count {
            let head = self.head()?;
            let key = match head.major {
                0 => Item::Unsigned(head.arg),
                1 => Item::Negative(head.arg),
                3 => Item::Text(self.text(head.arg)?),
                _ => return Err(Reason::CborMalformed),
            };
            // While the keys so far strictly increase, a key after the last one cannot
            // repeat any of them; only otherwise is the scan for a duplicate needed
            // (preferred encoding makes equal keys equal items).
            let after_last = entries
                .last()
                .is_none_or(|(previous, _)| key_order(previous, &key) == Ordering::Less);
            if !(ascending && after_last) && entries.iter().any(|(k, _)| *k == key) {
                return Err(Reason::CborDuplicateKey);
            }
            if !after_last {
                // Deterministic encoding (RFC 8949 §4.2.1): keys in bytewise order of their
                // encodings, so that every map has exactly one encoding.
                if self.rules.sorted_keys {
                    return Err(Reason::CborNotDeterministic);
                }
                ascending = false;
            }
            let value = self.item(depth)?;
            entries.push((key, value));
        }
        Ok(Item::Map(entries))
    }
}

/// The bytewise order of two map keys' preferred encodings: unsigned integers before
/// negative ones before text; within a kind, shorter heads first, which for integers is
/// numeric order and for text is length, then bytes.
fn key_order(a: &Item<'_>, b: &Item<'_>) -> Ordering {
    fn rank(item: &Item<'_>) -> u8 {
        match item {
            Item::Unsigned(_) => 0,
            Item::Negative(_) => 1,
            _ => 3,
        }
    }
    match (a, b) {
        (Item::Unsigned(x), Item::Unsigned(y)) | (Item::Negative(x), Item::Negative(y)) => x.cmp(y),
        (Item::Text(x), Item::Text(y)) => x
            .len()
            .cmp(&y.len())
            .then_with(|| x.as_bytes().cmp(y.as_bytes())),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// [`key_order`] for keys read one at a time.
fn key_order_of(a: Key<'_>, b: Key<'_>) -> Ordering {
    fn rank(key: Key<'_>) -> u8 {
        match key {
            Key::Unsigned(_) => 0,
            Key::Negative(_) => 1,
            Key::Text(_) => 3,
        }
    }
    match (a, b) {
        (Key::Unsigned(x), Key::Unsigned(y)) | (Key::Negative(x), Key::Negative(y)) => x.cmp(&y),
        (Key::Text(x), Key::Text(y)) => x
            .len()
            .cmp(&y.len())
            .then_with(|| x.as_bytes().cmp(y.as_bytes())),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Reader<'_> {
    fn container_len(&self, arg: u64) -> Result<usize, Reason> {
        usize::try_from(arg)
            .ok()
            .filter(|&n| n <= self.rules.max_items)
            .ok_or(Reason::CborMalformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hex_str: &str) -> Result<(), Reason> {
        decode(&hex::decode(hex_str).unwrap()).map(drop)
    }

    #[test]
    fn accepts_preferred_encodings() {
        for ok in [
            "00",
            "17",
            "1818",
            "190100",
            "1a00010000",
            "1b0000000100000000",
            "20",
            "3818",
        ] {
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
        for bad in [
            "1817",
            "1900ff",
            "1a0000ffff",
            "1b00000000ffffffff",
            "5801ff",
            "9800",
        ] {
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
        for bad in [
            "f7",
            "f93c00",
            "fa47c35000",
            "fb3ff199999999999a",
            "ff",
            "1c",
            "f820",
        ] {
            assert_eq!(check(bad), Err(Reason::CborMalformed), "{bad}");
        }
    }

    #[test]
    fn map_keys_must_be_in_deterministic_order() {
        // {1: 0, 2: 0}, {0: 0, -1: 0}, {1: 0, "a": 0}, {"b": 0, "aa": 0}: sorted.
        for ok in [
            "a201000200",
            "a2000020 00",
            "a20100616100",
            "a26162006261610 0",
        ] {
            assert_eq!(check(&ok.replace(' ', "")), Ok(()), "{ok}");
        }
        // {2: 0, 1: 0}, {-1: 0, 0: 0}, {"a": 0, 1: 0}, {"aa": 0, "b": 0}, {-2: 0, -1: 0} reversed.
        for bad in [
            "a202000100",
            "a220000000",
            "a26161000100",
            "a2626161006162 00",
            "a221002000",
        ] {
            assert_eq!(
                check(&bad.replace(' ', "")),
                Err(Reason::CborNotDeterministic),
                "{bad}"
            );
        }
        // {24: 0, 23: 0}: a longer head sorts after a shorter one.
        assert_eq!(check("a21818001700"), Err(Reason::CborNotDeterministic));
    }

    #[test]
    fn rejects_duplicate_keys_and_non_scalar_keys() {
        assert_eq!(check("a201020103"), Err(Reason::CborDuplicateKey));
        assert_eq!(check("a2616101616102"), Err(Reason::CborDuplicateKey));
        // {1: 0, 2: 0, 1: 0}: a duplicate after the order breaks is still a duplicate.
        assert_eq!(check("a3010002000100"), Err(Reason::CborDuplicateKey));
        // Where order is not required, a duplicate anywhere is found: {5: 0, 1: 0, 5: 0}
        // (the last key comes after the one before it), and {1: 0, 5: 0, 1: 0}.
        let unsorted = Rules {
            sorted_keys: false,
            ..Rules::CREDENTIAL
        };
        for bad in ["a3050001000500", "a3010005000100"] {
            let bytes = hex::decode(bad).unwrap();
            assert_eq!(
                decode_with(&bytes, unsorted).map(|_| ()),
                Err(Reason::CborDuplicateKey),
                "{bad}"
            );
        }
        let distinct = hex::decode("a3050001000700").unwrap();
        assert!(decode_with(&distinct, unsorted).is_ok());
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

    /// What the reader says of `bytes` when it only checks them.
    fn streamed(bytes: &[u8]) -> Result<(), Reason> {
        let mut reader = Reader::new(bytes);
        reader.skip(0)?;
        reader.finish()
    }

    #[test]
    fn the_reader_refuses_what_the_tree_decoder_refuses_for_the_same_reason() {
        let mut inputs: Vec<Vec<u8>> = [
            "a3010002000100",
            "a3050001000500",
            "a2616101616102",
            "a2626161006162 00",
            "a21818001700",
            "a201000200",
            "a2000020 00",
            "a20100616100",
            "a1400f",
            "a1800f",
            "62c328",
            "9a3b9aca00",
            "d28440a0f6f6",
            "1b00000000ffffffff",
            "bfff",
        ]
        .iter()
        .map(|h| hex::decode(h.replace(' ', "")).unwrap())
        .collect();
        inputs.push(hex::decode("81".repeat(MAX_CBOR_DEPTH + 1) + "00").unwrap());
        inputs.push(hex::decode("c1".repeat(MAX_CBOR_DEPTH + 1) + "00").unwrap());
        // A map of 40 keys, then the same with every byte replaced by a few values.
        let map = Value::Map(
            (0..40u64)
                .map(|k| (Value::from(k * 7), Value::from(format!("v{k}"))))
                .collect(),
        );
        let base = encode(&map);
        for at in 0..base.len() {
            for value in [0x00, 0x18, 0x1B, 0x20, 0x61, 0x81, 0xA1, 0xF6, 0xFF] {
                let mut changed = base.clone();
                changed[at] = value;
                inputs.push(changed);
            }
        }
        for bytes in &inputs {
            assert_eq!(
                streamed(bytes),
                decode(bytes).map(drop),
                "{}",
                hex::encode(bytes)
            );
        }
    }

    #[test]
    fn rfc_appendix_a_vectors_are_classified() {
        #[derive(serde::Deserialize)]
        struct Vector {
            hex: String,
        }
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../tests/vectors/cbor/appendix_a.json")).unwrap();
        let mut accepted = 0;
        for v in &vectors {
            let bytes = hex::decode(&v.hex).unwrap();
            assert_eq!(streamed(&bytes), decode(&bytes).map(drop), "{}", v.hex);
            match decode(&bytes) {
                Ok(item) => {
                    accepted += 1;
                    // What the decoder accepts, ciborium must decode to the same value, and
                    // both must re-encode to the original bytes.
                    let value: Value = ciborium::de::from_reader(bytes.as_slice()).unwrap();
                    assert_eq!(item.to_value(), value, "{}", v.hex);
                    assert_eq!(encode(&value), bytes, "{}", v.hex);
                }
                Err(reason) => assert!(
                    matches!(reason, Reason::CborMalformed | Reason::CborNotDeterministic),
                    "{}: {reason:?}",
                    v.hex
                ),
            }
        }
        assert!(accepted >= 40, "only {accepted} accepted");
    }
}
