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

/// `len` zero bytes, allocated and then zeroed: `vec![0; len]` asks the allocator for
/// zeroed memory (`calloc`), which glibc serves outside its per-thread cache, at a cost
/// that shows in every verification.
#[allow(clippy::slow_vector_initialization)]
pub(crate) fn zeroed_bytes(len: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.resize(len, 0);
    bytes
}
