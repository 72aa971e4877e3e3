//! The model layer: what credentials are about. Time and dates, NIK, SIAK codes, region
//! codes, the documents (KTP-el, KK, purpose profiles), the credential's claims and the
//! credential itself. It reads and writes CBOR through the wire layer, and knows nothing
//! of trust or verification.

pub mod claims;
pub mod credential;
pub mod document;
pub mod nik;
pub mod samples;
pub mod siak;
pub mod time;
pub mod wilayah;
