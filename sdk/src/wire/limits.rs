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

/// Largest signed trust list (the COSE_Sign1 message), in bytes.
pub const MAX_TRUST_LIST_BYTES: usize = 1024 * 1024;

/// Most issuer key entries in one trust list (and most elements of any of its arrays).
pub const MAX_TRUST_LIST_ENTRIES: usize = 4096;

/// Most status lists one trust list names.
pub const MAX_TRUST_LIST_STATUS_LISTS: usize = 4096;

/// Most successor root keys one trust list announces.
pub const MAX_SUCCESSOR_ROOTS: usize = 4;

/// Most root keys a verifier's configuration pins.
pub const MAX_ROOT_KEYS: usize = 16;

/// Longest issuer display name in a trust list, in bytes of UTF-8.
pub const MAX_ISSUER_NAME_LEN: usize = 128;

/// Largest status list token (the COSE_Sign1 message, compressed list included), in bytes.
pub const MAX_STATUS_LIST_TOKEN_BYTES: usize = 2 * 1024 * 1024;

/// Largest trust bundle (a trust list and the status list tokens it names), in bytes.
pub const MAX_TRUST_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// Most status list tokens in one trust bundle.
pub const MAX_BUNDLE_STATUS_LISTS: usize = MAX_TRUST_LIST_STATUS_LISTS;

/// Largest status list after zlib inflation (`lst`), in bytes: 2^25 entries of 1 bit.
pub const MAX_STATUS_LIST_BYTES: usize = 4 * 1024 * 1024;

/// Longest status list URI (the `uri` of a credential's `status` claim, the `sub` of a
/// status list token), in bytes.
pub const MAX_STATUS_URI_LEN: usize = 256;

/// Longest file name of a status list in a published trust-data folder, in bytes.
pub const MAX_STATUS_FILE_NAME_LEN: usize = 64;

/// How far in the future a list's issue time may lie and still be installed: clocks of
/// offline verifiers drift.
pub const MAX_LIST_CLOCK_SKEW_SECONDS: i64 = 3600;

/// Shortest verifier nonce in a presentation, in characters: a typed challenge code.
pub const MIN_NONCE_LEN: usize = 6;

/// Longest verifier nonce in a presentation, in bytes.
pub const MAX_NONCE_LEN: usize = 64;

/// Longest audience (verifier identifier) in a presentation, in bytes.
pub const MAX_AUDIENCE_LEN: usize = 128;
