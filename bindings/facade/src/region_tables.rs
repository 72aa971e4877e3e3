//! The region tables of spec §8.8, for a build without the feature
//! `embedded-region-tables` (the WebAssembly package, which ships them as a file beside its
//! module). With the default features they are inside the binary and [`available`] is
//! always true.
//!
//! The tables are process-wide, as in the SDK: they are a fixed part of the specification,
//! the same for every verifier. Until they are installed, a verification would warn that
//! every region code is unknown, so a binding built without them must refuse to verify
//! while [`available`] is false.

pub use ikd_sdk::wilayah::{InstallError, PACKED_SHA256};

/// Installs the packed tables (the SDK build's `wilayah.bin`): accepted only when their
/// SHA-256 is [`PACKED_SHA256`], the tables this build was made from.
pub fn install(packed: &[u8]) -> Result<(), InstallError> {
    ikd_sdk::wilayah::install(packed)
}

/// [`PACKED_SHA256`] in lower-case hex.
pub fn packed_sha256_hex() -> String {
    ikd_sdk::encoding::hex_encode(&PACKED_SHA256)
}

/// Whether the region tables are usable (unpacking them now if they are embedded).
pub fn available() -> bool {
    ikd_sdk::wilayah::preload()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_are_available_and_only_their_digest_installs() {
        assert!(available());
        assert_eq!(
            install(b"not the tables"),
            Err(InstallError::DigestMismatch)
        );
        assert!(available());
        let hex = packed_sha256_hex();
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_eq!(
            ikd_sdk::encoding::hex_decode(&hex).as_deref(),
            Some(&PACKED_SHA256[..])
        );
    }
}
