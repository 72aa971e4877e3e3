//! zlib (RFC 1950) around DEFLATE (RFC 1951), inflated from one buffer into one buffer.
//!
//! Verification inflates one small message per QR code. General-purpose inflaters set up
//! kilobytes of state and large lookup tables for every stream, which for a 1 KB credential
//! costs more than decoding it (BENCHMARKS.md). Here each lookup table is sized to its code
//! and built in place in the inflater's frame; each entry says what the decoder does next
//! (a literal, a length or distance with its extra bits, the end of the block); the rare
//! codes longer than the table are decoded by counting; and the whole input is at hand, so
//! there is no state machine for input arriving in pieces. The symbol loop keeps the bit
//! reader in locals, so that it stays in registers.
//!
//! It accepts exactly the streams zlib accepts: a complete prefix code, or for literals and
//! distances one whose codes are at most one bit long; no preset dictionary; a correct
//! Adler-32; and no byte after the stream. Property tests compare it with miniz_oxide on
//! damaged streams and on arbitrary bytes: the same output or the same kind of refusal.

/// Why a zlib stream was not inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The output would exceed the limit.
    LimitExceeded,
    /// The stream is corrupt, truncated, uses a preset dictionary, has a bad checksum, or
    /// is followed by extra bytes.
    Invalid,
}

use InflateError::{Invalid, LimitExceeded};

/// Inflates one complete zlib stream into at most `limit` bytes.
pub(crate) fn inflate_zlib(input: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let (&[cmf, flg], body) = input.split_first_chunk::<2>().ok_or(Invalid)?;
    let method_is_deflate = cmf & 0x0F == 8 && cmf >> 4 <= 7;
    let check_ok = (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
    let preset_dictionary = flg & 0x20 != 0;
    if !method_is_deflate || !check_ok || preset_dictionary {
        return Err(Invalid);
    }
    let mut bits = Bits::new(body);
    let mut out = Output::new(limit);
    let (mut litlen, mut dist) = (LitLenCode::new(), DistCode::new());
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => stored_block(&mut bits, &mut out)?,
            1 => {
                litlen.set(&FIXED_LITLEN_LENGTHS)?;
                dist.set(&[5; 32])?;
                codes_block(&mut bits, &mut out, &litlen, &dist)?;
            }
            2 => {
                dynamic_codes(&mut bits, &mut litlen, &mut dist)?;
                codes_block(&mut bits, &mut out, &litlen, &dist)?;
            }
            _ => return Err(Invalid),
        }
        if last {
            break;
        }
    }
    let trailer = bits.rest_after_byte_boundary();
    let expected = <[u8; 4]>::try_from(trailer).map_err(|_| Invalid)?;
    let out = out.finish();
    if adler32(&out) != u32::from_be_bytes(expected) {
        return Err(Invalid);
    }
    Ok(out)
}

/// The inflated bytes, `bytes[..len]`; the rest of `bytes` is room the decoder writes
/// into, so that storing a byte needs one bounds test and no length update in memory.
struct Output {
    bytes: Vec<u8>,
    len: usize,
    limit: usize,
}

/// The room an output starts with: a credential inflates to about a kilobyte, and a
/// request of at most 1032 bytes stays in glibc's per-thread cache.
const FIRST_ROOM: usize = 1024;

impl Output {
    fn new(limit: usize) -> Self {
        Output {
            bytes: super::zeroed_bytes(FIRST_ROOM.min(limit)),
            len: 0,
            limit,
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.bytes.truncate(self.len);
        self.bytes
    }
}

/// Makes room for `more` bytes after the first `len`, or refuses them as over `limit`.
#[cold]
#[inline(never)]
fn make_room(
    bytes: &mut Vec<u8>,
    len: usize,
    more: usize,
    limit: usize,
) -> Result<(), InflateError> {
    let needed = len
        .checked_add(more)
        .filter(|&needed| needed <= limit)
        .ok_or(LimitExceeded)?;
    if needed > bytes.len() {
        let grown = needed.max(bytes.len().saturating_mul(2)).min(limit);
        bytes.resize(grown, 0);
    }
    Ok(())
}

/// Reads DEFLATE's bit stream: least significant bit of each byte first.
#[derive(Clone, Copy)]
struct Bits<'a> {
    data: &'a [u8],
    /// The next byte of `data` not yet in `buffer`.
    pos: usize,
    /// Unread bits, the next one lowest; nothing above `count`.
    buffer: u64,
    count: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bits {
            data,
            pos: 0,
            buffer: 0,
            count: 0,
        }
    }

    /// Fills the buffer to at least 56 bits, or with all that is left.
    #[inline]
    fn refill(&mut self) {
        if let Some(chunk) = self
            .data
            .get(self.pos..)
            .and_then(|rest| rest.first_chunk::<8>())
        {
            let whole_bytes = (63 - self.count) / 8;
            // The shifted word may carry part of one more byte; keep whole bytes only.
            let word = u64::from_le_bytes(*chunk) & low_mask(8 * whole_bytes);
            self.buffer |= word << self.count;
            self.pos += whole_bytes as usize;
            self.count += 8 * whole_bytes;
        } else {
            while self.count < 56 {
                let Some(&byte) = self.data.get(self.pos) else {
                    break;
                };
                self.buffer |= u64::from(byte) << self.count;
                self.pos += 1;
                self.count += 8;
            }
        }
    }

    /// The next `n` (below 64) bits without consuming them; missing bits read as 0.
    #[inline]
    fn peek(&self, n: u32) -> u64 {
        self.buffer & low_mask(n)
    }

    #[inline]
    fn consume(&mut self, n: u32) -> Result<(), InflateError> {
        if n > self.count {
            return Err(Invalid);
        }
        self.buffer >>= n;
        self.count -= n;
        Ok(())
    }

    /// The next `n` (at most 32) bits as a number.
    #[inline]
    fn take(&mut self, n: u32) -> Result<u32, InflateError> {
        if self.count < n {
            self.refill();
        }
        let value = self.peek(n) as u32;
        self.consume(n)?;
        Ok(value)
    }

    /// Drops the bits up to the next byte boundary and returns the bytes after it.
    fn rest_after_byte_boundary(&mut self) -> &'a [u8] {
        let buffered_bytes = (self.count / 8) as usize;
        self.data
            .get(self.pos.saturating_sub(buffered_bytes)..)
            .unwrap_or(&[])
    }
}

/// The lowest `n` bits set; `n` is below 64.
#[inline]
fn low_mask(n: u32) -> u64 {
    !(u64::MAX << (n & 63))
}

/// A stored block: byte boundary, LEN, its complement, LEN bytes.
fn stored_block(bits: &mut Bits<'_>, out: &mut Output) -> Result<(), InflateError> {
    bits.consume(bits.count % 8)?;
    let len = bits.take(16)?;
    if bits.take(16)? != !len & 0xFFFF {
        return Err(Invalid);
    }
    // Stored blocks are rare in credentials; byte by byte keeps the reader simple. As in
    // zlib, a full output is reported before a missing input byte.
    for _ in 0..len {
        if out.len >= out.bytes.len() {
            make_room(&mut out.bytes, out.len, 1, out.limit)?;
        }
        let byte = bits.take(8)? as u8;
        *out.bytes.get_mut(out.len).ok_or(LimitExceeded)? = byte;
        out.len += 1;
    }
    Ok(())
}

const MAX_CODE_BITS: usize = 15;

/// A lookup-table entry: `value << 16 | extra_bits << 8 | kind << 4 | code_length`. An
/// entry of 0 means the code there is longer than the table (or unused).
type Entry = u32;
/// Kinds of the literal/length code are single bits, so that the hot loop tells a literal
/// by testing one bit.
const KIND_LITERAL: u32 = 1;
const KIND_LENGTH: u32 = 2;
const KIND_END: u32 = 4;
/// Distance codes 30 and 31 (fixed codes only) and length codes 286 and 287.
const KIND_INVALID: u32 = 8;
const KIND_DISTANCE: u32 = 3;

fn entry(value: u32, extra: u32, kind: u32, code_length: u32) -> Entry {
    value << 16 | extra << 8 | kind << 4 | code_length
}

/// Match lengths of symbols 257..=285: base and extra bits (RFC 1951 §3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distances of symbols 0..=29.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// What decoding a literal/length symbol means.
#[inline]
fn litlen_entry(symbol: usize, code_length: u32) -> Entry {
    LITLEN_MEANINGS
        .get(symbol)
        .copied()
        .unwrap_or(INVALID_MEANING)
        | code_length
}

/// What decoding a distance symbol means.
#[inline]
fn dist_entry(symbol: usize, code_length: u32) -> Entry {
    DIST_MEANINGS
        .get(symbol)
        .copied()
        .unwrap_or(INVALID_MEANING)
        | code_length
}

/// The entry of a symbol the format does not define, without its code length.
const INVALID_MEANING: Entry = KIND_INVALID << 4;

/// The entries of the literal/length symbols without their code lengths, worked out once
/// at compile time rather than for every symbol of every block.
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const LITLEN_MEANINGS: [Entry; 288] = {
    let mut table = [INVALID_MEANING; 288];
    let mut symbol = 0;
    while symbol < 256 {
        table[symbol] = (symbol as u32) << 16 | KIND_LITERAL << 4;
        symbol += 1;
    }
    table[256] = KIND_END << 4;
    let mut i = 0;
    while i < LENGTH_BASE.len() {
        table[257 + i] =
            (LENGTH_BASE[i] as u32) << 16 | (LENGTH_EXTRA[i] as u32) << 8 | KIND_LENGTH << 4;
        i += 1;
    }
    table
};

/// The entries of the distance symbols without their code lengths.
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const DIST_MEANINGS: [Entry; 32] = {
    let mut table = [INVALID_MEANING; 32];
    let mut i = 0;
    while i < DIST_BASE.len() {
        table[i] = (DIST_BASE[i] as u32) << 16 | (DIST_EXTRA[i] as u32) << 8 | KIND_DISTANCE << 4;
        i += 1;
    }
    table
};

/// A code-length symbol is its own value.
fn plain_entry(symbol: usize, code_length: u32) -> Entry {
    entry(symbol as u32, 0, KIND_LITERAL, code_length)
}

/// A canonical prefix code (RFC 1951 §3.2.2) with a lookup table of `TABLE` entries
/// (a power of two) and, for longer codes, the symbols in canonical order.
struct Code<const TABLE: usize, const SYMBOLS: usize> {
    table: [Entry; TABLE],
    counts: [u16; MAX_CODE_BITS + 1],
    /// The symbols in canonical order (for the table, and for the longer codes).
    sorted: [u16; SYMBOLS],
    longest: u32,
    meaning: fn(usize, u32) -> Entry,
}

/// Which rule about unused bit patterns a code follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Completeness {
    /// The code-length code must be complete.
    Required,
    /// Literal/length and distance codes may leave patterns unused when no code is longer
    /// than one bit (a block without distances, or with a single one).
    OneBitMayBeIncomplete,
}

type LitLenCode = Code<512, 288>;
type DistCode = Code<256, 32>;
type LengthCode = Code<128, 19>;

impl LitLenCode {
    fn new() -> Self {
        Self::empty(litlen_entry)
    }

    fn set(&mut self, lengths: &[u8]) -> Result<(), InflateError> {
        self.build(lengths, Completeness::OneBitMayBeIncomplete, litlen_entry)
    }
}

impl DistCode {
    fn new() -> Self {
        Self::empty(dist_entry)
    }

    fn set(&mut self, lengths: &[u8]) -> Result<(), InflateError> {
        self.build(lengths, Completeness::OneBitMayBeIncomplete, dist_entry)
    }
}

impl<const TABLE: usize, const SYMBOLS: usize> Code<TABLE, SYMBOLS> {
    const TABLE_BITS: u32 = TABLE.trailing_zeros();

    /// A code without symbols, whose symbols mean what `meaning` says.
    fn empty(meaning: fn(usize, u32) -> Entry) -> Self {
        Code {
            table: [0; TABLE],
            counts: [0; MAX_CODE_BITS + 1],
            sorted: [0; SYMBOLS],
            longest: 0,
            meaning,
        }
    }

    /// Builds the code of `lengths` in place: the tables live in the inflater's frame and
    /// are built once per block, without allocating or copying them.
    ///
    /// Inlined into each caller, so that `meaning` (the same function as the one given to
    /// [`Code::empty`]) is known there and the loop over the symbols calls no function
    /// pointer.
    #[inline(always)]
    fn build(
        &mut self,
        lengths: &[u8],
        rule: Completeness,
        meaning: fn(usize, u32) -> Entry,
    ) -> Result<(), InflateError> {
        let code = self;
        code.counts = [0; MAX_CODE_BITS + 1];
        code.longest = 0;
        // Every length is below 16 by how it was read; masking lets the compiler drop the
        // bounds test, and the OR of all lengths checks that once.
        let mut all_bits = 0u8;
        for &length in lengths {
            all_bits |= length;
            if let Some(count) = code.counts.get_mut(usize::from(length & 0x0F)) {
                *count += 1;
            }
        }
        if usize::from(all_bits) > MAX_CODE_BITS {
            return Err(Invalid);
        }
        if let Some(unused) = code.counts.first_mut() {
            *unused = 0;
        }
        // Codes of each length start where the shorter ones end, doubled (RFC 1951 §3.2.2).
        let mut left: i32 = 1;
        let mut starts = [0u16; MAX_CODE_BITS + 1];
        let mut start = 0u16;
        for length in 1..=MAX_CODE_BITS {
            let count = code.counts.get(length).copied().unwrap_or(0);
            left = 2 * left - i32::from(count);
            if left < 0 {
                return Err(Invalid);
            }
            if count > 0 {
                code.longest = length as u32;
            }
            if let Some(at) = starts.get_mut(length) {
                *at = start;
            }
            start += count;
        }
        if left > 0 && (rule == Completeness::Required || code.longest > 1) {
            return Err(Invalid);
        }
        // The symbols in canonical order: by code length, then by symbol.
        for (symbol, &length) in lengths.iter().enumerate() {
            if length == 0 {
                continue;
            }
            let at = starts.get_mut(usize::from(length & 0x0F)).ok_or(Invalid)?;
            *code.sorted.get_mut(usize::from(*at)).ok_or(Invalid)? = symbol as u16;
            *at += 1;
        }
        // The table grows one bit at a time. A code of `length` bits owns every entry whose
        // low `length` bits are its reversed code: doubling the table (copying its lower
        // half up) carries the shorter codes' entries, and the zeros of the patterns no
        // code has taken yet, into the new half. So every entry is written and the table
        // needs no clearing between blocks.
        if let Some(first) = code.table.first_mut() {
            *first = 0;
        }
        let (mut canonical, mut next) = (0u32, 0usize);
        for length in 1..=Self::TABLE_BITS {
            let half = 1usize << (length - 1);
            code.table.copy_within(0..half, half);
            let count = code.counts.get(length as usize).copied().unwrap_or(0);
            for _ in 0..count {
                let symbol = code.sorted.get(next).copied().ok_or(Invalid)?;
                // The stream holds a code's bits most significant first.
                let slot = code
                    .table
                    .get_mut(reversed(canonical, length))
                    .ok_or(Invalid)?;
                *slot = meaning(usize::from(symbol), length);
                canonical += 1;
                next += 1;
            }
            canonical <<= 1;
        }
        Ok(())
    }

    /// Canonical decoding one bit at a time, for codes longer than the table.
    #[cold]
    fn decode_long(&self, bits: &mut Bits<'_>) -> Result<Entry, InflateError> {
        if self.longest <= Self::TABLE_BITS {
            return Err(Invalid);
        }
        let window = bits.peek(MAX_CODE_BITS as u32) as u32;
        let (mut code, mut first, mut index) = (0u32, 0u32, 0u32);
        for length in 1..=MAX_CODE_BITS {
            code |= (window >> (length - 1)) & 1;
            let count = u32::from(self.counts.get(length).copied().unwrap_or(0));
            if code < first + count {
                bits.consume(length as u32)?;
                let symbol = self
                    .sorted
                    .get((index + code - first) as usize)
                    .ok_or(Invalid)?;
                return Ok((self.meaning)(usize::from(*symbol), length as u32));
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Invalid)
    }
}

/// The reversal of every 9-bit number.
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const REVERSED_9: [u16; 512] = {
    let mut table = [0u16; 512];
    let mut i = 0;
    while i < 512 {
        table[i] = ((i as u32).reverse_bits() >> 23) as u16;
        i += 1;
    }
    table
};

/// The low `length` bits of `code` in reverse order (x86 has no bit-reversing
/// instruction: for the table's lengths, at most 9, this is a single load).
#[inline]
fn reversed(code: u32, length: u32) -> usize {
    match REVERSED_9.get((code << (9 - length.min(9))) as usize) {
        Some(&r) if length <= 9 => usize::from(r),
        _ => (code.reverse_bits() >> (32 - length)) as usize,
    }
}

/// The fixed literal/length code lengths of block type 1 (RFC 1951 §3.2.6).
// Evaluated at compile time, where an out-of-range index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const FIXED_LITLEN_LENGTHS: [u8; 288] = {
    let mut lengths = [8u8; 288];
    let mut symbol = 144;
    while symbol < 280 {
        lengths[symbol] = if symbol < 256 { 9 } else { 7 };
        symbol += 1;
    }
    lengths
};

/// Order in which the code-length code's lengths are sent (RFC 1951 §3.2.7).
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The header of a block of type 2: its two codes, themselves sent with a code.
fn dynamic_codes(
    bits: &mut Bits<'_>,
    litlen: &mut LitLenCode,
    dist: &mut DistCode,
) -> Result<(), InflateError> {
    let litlen_count = bits.take(5)? as usize + 257;
    let dist_count = bits.take(5)? as usize + 1;
    let length_code_count = bits.take(4)? as usize + 4;
    if litlen_count > 286 || dist_count > 30 {
        return Err(Invalid);
    }
    let mut length_code_lengths = [0u8; 19];
    for &symbol in CODE_LENGTH_ORDER.iter().take(length_code_count) {
        if let Some(slot) = length_code_lengths.get_mut(symbol) {
            *slot = bits.take(3)? as u8;
        }
    }
    let mut length_code = LengthCode::empty(plain_entry);
    length_code.build(&length_code_lengths, Completeness::Required, plain_entry)?;

    let total = litlen_count + dist_count;
    let mut lengths = [0u8; 286 + 30];
    let mut filled = 0;
    // A copy of the reader whose address is never taken, so that it stays in registers;
    // written back once the lengths are read.
    let mut reader = *bits;
    while filled < total {
        // A code-length symbol and its extra bits: at most 7 + 7.
        if reader.count < 14 {
            reader.refill();
        }
        // The code-length code is complete and no code is longer than the table, so
        // every entry is filled: an empty one cannot be found.
        let found = length_code
            .table
            .get(reader.peek(LengthCode::TABLE_BITS) as usize)
            .copied()
            .unwrap_or(0);
        if found == 0 {
            return Err(Invalid);
        }
        reader.consume(found & 0x0F)?;
        let bits = &mut reader;
        let (value, repeat) = match found >> 16 {
            symbol @ 0..=15 => {
                // Most lengths come one by one: stored without the run's slice fill, and
                // the next ones, while the buffer holds a whole code, without the refill
                // and emptiness tests.
                *lengths.get_mut(filled).ok_or(Invalid)? = symbol as u8;
                filled += 1;
                while reader.count >= LengthCode::TABLE_BITS && filled < total {
                    let next = length_code
                        .table
                        .get(reader.peek(LengthCode::TABLE_BITS) as usize)
                        .copied()
                        .unwrap_or(0);
                    let symbol = next >> 16;
                    if next == 0 || symbol > 15 {
                        break;
                    }
                    let Some(slot) = lengths.get_mut(filled) else {
                        break;
                    };
                    *slot = symbol as u8;
                    filled += 1;
                    // A table entry's code is at most TABLE_BITS long, so within `count`.
                    let n = next & 0x0F;
                    reader.buffer >>= n;
                    reader.count -= n;
                }
                continue;
            }
            16 => {
                let previous = filled
                    .checked_sub(1)
                    .and_then(|at| lengths.get(at))
                    .copied()
                    .ok_or(Invalid)?;
                (previous, 3 + bits.take(2)? as usize)
            }
            17 => (0, 3 + bits.take(3)? as usize),
            _ => (0, 11 + bits.take(7)? as usize),
        };
        if filled + repeat > total {
            return Err(Invalid);
        }
        lengths
            .get_mut(filled..filled + repeat)
            .ok_or(Invalid)?
            .fill(value);
        filled += repeat;
    }
    *bits = reader;
    let (litlen_lengths, dist_lengths) = lengths.split_at(litlen_count);
    litlen.set(litlen_lengths)?;
    dist.set(dist_lengths.get(..dist_count).ok_or(Invalid)?)
}

/// The symbols of one block of type 1 or 2, up to its end-of-block symbol.
///
/// The reader's state and the output's length are worked on as plain locals whose
/// addresses are never taken, so that the hot loop keeps them in registers: most symbols
/// of a credential are literals, and each costs a table lookup, a shift and a store.
fn codes_block(
    bits: &mut Bits<'_>,
    out: &mut Output,
    litlen: &LitLenCode,
    dist: &DistCode,
) -> Result<(), InflateError> {
    let Bits {
        data,
        mut pos,
        mut buffer,
        mut count,
    } = *bits;
    let limit = out.limit;
    let mut bytes = core::mem::take(&mut out.bytes);
    let mut len = out.len;
    // Takes `n` bits already in the buffer, or ends the block as truncated.
    macro_rules! take {
        ($n:expr) => {{
            let n: u32 = $n;
            if n > count {
                break Err(Invalid);
            }
            let value = (buffer & low_mask(n)) as u32;
            buffer >>= n;
            count -= n;
            value
        }};
    }
    // Decodes one symbol of `code`, falling back to bit-by-bit decoding for long codes.
    macro_rules! decode {
        ($code:expr, $table_bits:expr) => {{
            let found = $code
                .table
                .get((buffer & low_mask($table_bits)) as usize)
                .copied()
                .unwrap_or(0);
            if found != 0 {
                take!(found & 0x0F);
                found
            } else {
                let mut reader = Bits {
                    data,
                    pos,
                    buffer,
                    count,
                };
                match $code.decode_long(&mut reader) {
                    Ok(found) => {
                        (pos, buffer, count) = (reader.pos, reader.buffer, reader.count);
                        found
                    }
                    Err(e) => break Err(e),
                }
            }
        }};
    }
    let result = loop {
        // 48 bits hold the longest symbol with its length and distance (15+5+15+13).
        if count < 48 {
            let mut reader = Bits {
                data,
                pos,
                buffer,
                count,
            };
            reader.refill();
            (pos, buffer, count) = (reader.pos, reader.buffer, reader.count);
        }
        let found = decode!(litlen, LitLenCode::TABLE_BITS);
        if found & (KIND_LITERAL << 4) != 0 {
            if len >= bytes.len()
                && let Err(e) = make_room(&mut bytes, len, 1, limit)
            {
                break Err(e);
            }
            let Some(slot) = bytes.get_mut(len) else {
                break Err(LimitExceeded);
            };
            *slot = (found >> 16) as u8;
            len += 1;
            // Literals run in a credential's text: while the buffer holds a whole table
            // code and the output has room, take the next ones without the refill test of
            // the general path. Anything else goes back to the top of the loop.
            let room = bytes.as_mut_slice();
            while count >= LitLenCode::TABLE_BITS {
                let next = litlen
                    .table
                    .get((buffer & low_mask(LitLenCode::TABLE_BITS)) as usize)
                    .copied()
                    .unwrap_or(0);
                if next & (KIND_LITERAL << 4) == 0 {
                    break;
                }
                let Some(slot) = room.get_mut(len) else {
                    break;
                };
                // A table entry's code is at most TABLE_BITS long, so within `count`.
                let n = next & 0x0F;
                buffer >>= n;
                count -= n;
                *slot = (next >> 16) as u8;
                len += 1;
            }
            continue;
        }
        if found & (KIND_LENGTH << 4) == 0 {
            break if found & (KIND_END << 4) != 0 {
                Ok(())
            } else {
                Err(Invalid)
            };
        }
        let length = ((found >> 16) + take!((found >> 8) & 0x0F)) as usize;
        let found = decode!(dist, DistCode::TABLE_BITS);
        if (found >> 4) & 0x0F != KIND_DISTANCE {
            break Err(Invalid);
        }
        let distance = ((found >> 16) + take!((found >> 8) & 0x0F)) as usize;
        let Some(start) = len.checked_sub(distance) else {
            break Err(Invalid);
        };
        if len + length > bytes.len()
            && let Err(e) = make_room(&mut bytes, len, length, limit)
        {
            break Err(e);
        }
        if let Err(e) = copy_match(&mut bytes, start, len, length) {
            break Err(e);
        }
        len += length;
    };
    *bits = Bits {
        data,
        pos,
        buffer,
        count,
    };
    out.bytes = bytes;
    out.len = len;
    result
}

/// Writes `bytes[at..at + length]` as a copy of the bytes from `start`, which is before
/// `at`; the two overlap when the match repeats its last `at - start` bytes.
#[inline(always)]
fn copy_match(
    bytes: &mut [u8],
    start: usize,
    at: usize,
    length: usize,
) -> Result<(), InflateError> {
    if at + length > bytes.len() {
        return Err(LimitExceeded);
    }
    if at - start >= length {
        bytes.copy_within(start..start + length, at);
    } else {
        for offset in 0..length {
            let byte = bytes.get(start + offset).copied().ok_or(Invalid)?;
            *bytes.get_mut(at + offset).ok_or(LimitExceeded)? = byte;
        }
    }
    Ok(())
}

/// Adler-32 (RFC 1950 §9).
fn adler32(data: &[u8]) -> u32 {
    const MODULUS: u32 = 65_521;
    // The longest run of bytes whose sums cannot overflow u32 before the reduction.
    const RUN: usize = 5_552;
    let (mut a, mut b) = (1u32, 0u32);
    for run in data.chunks(RUN) {
        // Eight bytes at a time, as four 16-bit lanes of the even bytes and four of the
        // odd ones: after x0..x7, a grows by their sum and b by 8a + 8x0 + 7x1 + ... + x7.
        // One multiplication adds up the lanes, weighted, in the top lane; no lane
        // overflows (at most 255 * 20), so the sums are exact.
        let mut words = run.chunks_exact(8);
        for word in &mut words {
            let Ok(word) = <[u8; 8]>::try_from(word) else {
                continue;
            };
            let word = u64::from_le_bytes(word);
            let even = word & 0x00FF_00FF_00FF_00FF;
            let odd = (word >> 8) & 0x00FF_00FF_00FF_00FF;
            let sum = ((even + odd).wrapping_mul(0x0001_0001_0001_0001) >> 48) as u32;
            let weighted_even = (even.wrapping_mul(0x0008_0006_0004_0002) >> 48) as u32;
            let weighted_odd = (odd.wrapping_mul(0x0007_0005_0003_0001) >> 48) as u32;
            b += 8 * a + weighted_even + weighted_odd;
            a += sum;
        }
        for &byte in words.remainder() {
            a += u32::from(byte);
            b += a;
        }
        a %= MODULUS;
        b %= MODULUS;
    }
    b << 16 | a
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec_zlib;
    use proptest::prelude::*;

    /// The outcome miniz_oxide gives, in this module's terms.
    fn reference(input: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
        match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(input, limit) {
            Ok(out) => Ok(out),
            Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                Err(InflateError::LimitExceeded)
            }
            Err(_) => Err(Invalid),
        }
    }

    fn samples() -> Vec<Vec<u8>> {
        let text = "NIK 3273015708920003 SITI NURHALIZA KOTA BANDUNG ".repeat(40);
        let mut noise = vec![0u8; 70_000];
        let mut x = 0x2545_F491_u32;
        for byte in &mut noise {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *byte = x as u8;
        }
        vec![
            Vec::new(),
            b"a".to_vec(),
            text.into_bytes(),
            vec![0; 100_000],
            noise,
            (0..=255u8).cycle().take(5_000).collect(),
        ]
    }

    #[test]
    fn round_trips_every_level_and_block_type() {
        for data in samples() {
            // Level 0 writes stored blocks, 1 often fixed codes, 9 dynamic codes.
            for level in [0, 1, 6, 9] {
                let stream = compress_to_vec_zlib(&data, level);
                assert_eq!(
                    inflate_zlib(&stream, 1 << 20).as_deref(),
                    Ok(&data[..]),
                    "level {level}, {} bytes",
                    data.len()
                );
            }
        }
    }

    #[test]
    fn codes_longer_than_the_table_and_tables_rebuilt_per_block() {
        // Byte frequencies growing like Fibonacci numbers give Huffman codes of up to 15
        // bits, longer than every table; interleaving them makes no match, and the size
        // spans several blocks, so each block's tables are rebuilt over the last ones.
        let (mut a, mut b) = (1usize, 1usize);
        let mut data = Vec::new();
        for symbol in 0..20u8 {
            data.extend(std::iter::repeat_n(symbol, a.min(3_000)));
            (a, b) = (b, a + b);
        }
        let mut x = 0x9E37_79B9_u32;
        for i in (1..data.len()).rev() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data.swap(i, x as usize % (i + 1));
        }
        let data = data.repeat(8);
        for level in [1, 6, 9] {
            let stream = compress_to_vec_zlib(&data, level);
            assert_eq!(
                inflate_zlib(&stream, 1 << 20),
                Ok(data.clone()),
                "level {level}"
            );
        }
    }

    #[test]
    fn known_streams() {
        // zlib's output for empty input (a fixed-code block holding only end-of-block).
        assert_eq!(
            inflate_zlib(&[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01], 10),
            Ok(Vec::new())
        );
        // "a" in a stored block.
        let stored = [
            0x78, 0x01, 0x01, 0x01, 0x00, 0xFE, 0xFF, b'a', 0x00, 0x62, 0x00, 0x62,
        ];
        assert_eq!(inflate_zlib(&stored, 10), Ok(b"a".to_vec()));
    }

    #[test]
    fn refusals() {
        let stream = compress_to_vec_zlib(b"hello hello hello hello", 9);
        let refuse =
            |bytes: &[u8]| assert_eq!(inflate_zlib(bytes, 100), Err(Invalid), "{bytes:x?}");
        refuse(&[]);
        refuse(&[0x78]);
        // Method 7, window 2^16, a bad header check, a preset dictionary.
        refuse(&[0x77, 0x9C, 0x03, 0x00]);
        refuse(&[0x88, 0x9C, 0x03, 0x00]);
        refuse(&[0x78, 0x9D, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        refuse(&[0x78, 0xBB, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        // Truncated, a bad checksum, a byte after the stream.
        refuse(&stream[..stream.len() - 1]);
        let mut bad_sum = stream.clone();
        *bad_sum.last_mut().unwrap() ^= 1;
        refuse(&bad_sum);
        let mut extra = stream.clone();
        extra.push(0);
        refuse(&extra);
        // Block type 3; a stored block whose length's complement is wrong.
        refuse(&[0x78, 0x01, 0x07, 0x00]);
        refuse(&[0x78, 0x01, 0x01, 0x01, 0x00, 0xFF, 0xFF, b'a', 0, 0, 0, 0]);
        // A distance before the start of the output (fixed codes: literal 'a', then
        // length 3 at distance 2).
        refuse(&[0x78, 0x9C, 0x4B, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn the_limit_counts_literals_matches_and_stored_bytes() {
        for level in [0, 9] {
            let stream = compress_to_vec_zlib(&[7u8; 5_000], level);
            assert_eq!(inflate_zlib(&stream, 5_000).map(|v| v.len()), Ok(5_000));
            assert_eq!(
                inflate_zlib(&stream, 4_999),
                Err(InflateError::LimitExceeded)
            );
            assert_eq!(reference(&stream, 4_999), Err(InflateError::LimitExceeded));
        }
        let literals = compress_to_vec_zlib(b"abcdefgh", 9);
        assert_eq!(inflate_zlib(&literals, 7), Err(InflateError::LimitExceeded));
    }

    #[test]
    fn output_grows_past_its_first_room_up_to_the_limit_exactly() {
        for len in [1023, 1024, 1025, 2047, 2048, 2049, 4097] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8 ^ (i / 7) as u8).collect();
            for level in [0, 1, 9] {
                let stream = compress_to_vec_zlib(&data, level);
                assert_eq!(inflate_zlib(&stream, len).as_deref(), Ok(&data[..]));
                assert_eq!(
                    inflate_zlib(&stream, len - 1),
                    Err(InflateError::LimitExceeded),
                    "{len} bytes at level {level}"
                );
            }
        }
    }

    #[test]
    fn the_bits_that_pad_the_final_block_are_ignored_as_zlib_ignores_them() {
        let data = b"KABUPATEN BANDUNG BARAT";
        let stream = compress_to_vec_zlib(data, 9);
        let last_deflate_byte = stream.len() - 5;
        let mut padding_bits = 0;
        for bit in 0..8 {
            let mut changed = stream.clone();
            changed[last_deflate_byte] ^= 1 << bit;
            let ours = inflate_zlib(&changed, 1 << 10);
            assert_eq!(ours, reference(&changed, 1 << 10), "bit {bit}");
            if ours.as_deref() == Ok(&data[..]) {
                padding_bits += 1;
            }
        }
        // The encoder ends the block mid-byte here, so some bits are padding.
        assert!(padding_bits > 0);
    }

    #[test]
    fn reversed_agrees_with_reverse_bits() {
        for length in 1..=MAX_CODE_BITS as u32 {
            for code in 0..(1u32 << length).min(4_096) {
                assert_eq!(
                    reversed(code, length),
                    (code.reverse_bits() >> (32 - length)) as usize,
                    "{code:b}, {length} bits"
                );
            }
        }
    }

    #[test]
    fn adler32_equals_its_definition_at_every_length_and_alignment() {
        let data: Vec<u8> = (0..12_000u32).map(|i| (i * 151 % 256) as u8).collect();
        let plain = |data: &[u8]| {
            let (mut a, mut b) = (1u64, 0u64);
            for &byte in data {
                a = (a + u64::from(byte)) % 65_521;
                b = (b + a) % 65_521;
            }
            (b << 16 | a) as u32
        };
        for len in (0..40).chain([5_551, 5_552, 5_553, 11_104, 12_000]) {
            for start in 0..3 {
                let slice = &data[start..start + len.min(data.len() - start)];
                assert_eq!(adler32(slice), plain(slice), "{start} {len}");
            }
        }
        assert_eq!(adler32(&[0xFF; 20_000]), plain(&[0xFF; 20_000]));
    }

    #[test]
    fn symbol_meanings_follow_rfc_1951() {
        for symbol in 0..288usize {
            let expected = match symbol {
                0..=255 => entry(symbol as u32, 0, KIND_LITERAL, 7),
                256 => entry(0, 0, KIND_END, 7),
                257..=285 => entry(
                    u32::from(LENGTH_BASE[symbol - 257]),
                    u32::from(LENGTH_EXTRA[symbol - 257]),
                    KIND_LENGTH,
                    7,
                ),
                _ => entry(0, 0, KIND_INVALID, 7),
            };
            assert_eq!(litlen_entry(symbol, 7), expected, "{symbol}");
        }
        for symbol in 0..32usize {
            let expected = match symbol {
                0..=29 => entry(
                    u32::from(DIST_BASE[symbol]),
                    u32::from(DIST_EXTRA[symbol]),
                    KIND_DISTANCE,
                    5,
                ),
                _ => entry(0, 0, KIND_INVALID, 5),
            };
            assert_eq!(dist_entry(symbol, 5), expected, "{symbol}");
        }
        // Length 258 is symbol 285, with no extra bits; distance 24577 is symbol 29.
        assert_eq!(litlen_entry(285, 0) >> 8, 258 << 8);
        assert_eq!(dist_entry(29, 0) >> 16, 24_577);
    }

    #[test]
    fn adler32_of_known_text() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(&[]), 1);
        assert_eq!(adler32(&[0xFF; 100_000]), {
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 0xFF) % 65_521;
                b = (b + a) % 65_521;
            }
            (b << 16 | a) as u32
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// Streams with flipped bits, replaced bytes and cut ends inflate exactly as
        /// miniz_oxide inflates them: the same bytes, or the same kind of refusal.
        #[test]
        fn agrees_with_miniz_on_damaged_streams(
            sample in 0usize..6,
            level in prop_oneof![Just(0u8), Just(1), Just(9)],
            flips in proptest::collection::vec((any::<usize>(), 0u8..8), 0..4),
            replace in proptest::option::of((any::<usize>(), any::<u8>())),
            cut in proptest::option::of(any::<usize>()),
            limit in prop_oneof![Just(1usize << 20), 0usize..3_000],
        ) {
            let data = &samples()[sample];
            let data = &data[..data.len().min(3_000)];
            let mut stream = compress_to_vec_zlib(data, level);
            for (at, bit) in flips {
                let at = at % stream.len();
                stream[at] ^= 1 << bit;
            }
            if let Some((at, byte)) = replace {
                let at = at % stream.len();
                stream[at] = byte;
            }
            if let Some(cut) = cut {
                stream.truncate(cut % (stream.len() + 1));
            }
            prop_assert_eq!(inflate_zlib(&stream, limit), reference(&stream, limit));
        }

        #[test]
        fn agrees_with_miniz_on_arbitrary_bytes(
            body in proptest::collection::vec(any::<u8>(), 0..300),
            header in prop_oneof![Just([0x78u8, 0x9C]), Just([0x78, 0x01]), Just([0x78, 0xDA])],
        ) {
            let stream: Vec<u8> = header.iter().copied().chain(body).collect();
            prop_assert_eq!(inflate_zlib(&stream, 4_096), reference(&stream, 4_096));
        }
    }
}
