//! # IKD conformance suite
//!
//! Test vectors for IKD credential verifiers, the deterministic generator that writes them,
//! and a runner that checks them against the SDK.
//!
//! - [`format`](mod@format): the vector file format (README.md describes it for other languages).
//! - [`generate()`]: builds every vector file in memory; `cargo run -p ikd-conformance --bin
//!   generate` writes them to `conformance/vectors/`.
//! - [`run_vectors`]: verifies every vector in a directory with the SDK; `cargo run -p
//!   ikd-conformance --bin run [DIR]` prints failures and `conformance: N passed, M failed`.

pub mod forge;
pub mod format;
mod generate;
pub mod runner;

pub use generate::{GeneratedFile, generate};
pub use runner::{Failure, Report, run_vectors};

/// The committed vectors directory of this crate.
pub fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
