//! The wire layer: bytes as they travel. Size limits, text encodings, key primitives,
//! Base45, strict CBOR, COSE_Sign1 and the QR text transport. Nothing here knows what a
//! document or a trust store is.

pub mod base45;
pub mod cbor;
pub mod cose;
pub mod crypto;
pub mod encoding;
pub(crate) mod inflate;
pub mod limits;
pub mod transport;
