//! Every size, depth and work bound the decoder enforces.
//!
//! These numbers are part of the format (spec/format.md §Limits): an interoperable verifier
//! must reject input beyond them with the same reason codes.

/// Longest QR text accepted, in bytes: the alphanumeric capacity of a version 40 code at ECC L.
pub const MAX_QR_TEXT_LEN: usize = 4296;

/// Largest message after optional zlib inflation.
pub const MAX_INFLATED_LEN: usize = 64 * 1024;

/// Deepest nesting of CBOR arrays, maps and tags.
pub const MAX_CBOR_DEPTH: usize = 16;

/// Most items in one CBOR array or pairs in one map.
pub const MAX_CBOR_CONTAINER_ITEMS: usize = 256;

/// Most trust-store keys tried for one `kid` before giving up.
pub const MAX_KID_CANDIDATES: usize = 4;

/// Longest text field in a document, in bytes of UTF-8.
pub const MAX_TEXT_FIELD_LEN: usize = 128;

/// Largest portrait, in bytes.
pub const MAX_PORTRAIT_LEN: usize = 4096;

/// Most members on one Kartu Keluarga.
pub const MAX_KK_MEMBERS: usize = 32;

/// Longest `iss` claim, in bytes.
pub const MAX_ISSUER_ID_LEN: usize = 64;

/// Longest `cti` claim (credential identifier), in bytes.
pub const MAX_CREDENTIAL_ID_LEN: usize = 32;

/// Latest time a claim may carry: 9999-12-31T23:59:59Z, the last instant RFC 3339 can write.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;
