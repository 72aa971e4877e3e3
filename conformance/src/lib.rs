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
//! - [`protocol`] and [`external`]: the runner protocol, by which [`run_target`] checks any
//!   implementation: a command reading requests as JSON lines on its standard input
//!   ([`CommandTarget`]), or an HTTP endpoint ([`HttpTarget`]).

pub mod external;
pub mod forge;
pub mod format;
mod generate;
pub mod protocol;
pub mod runner;

pub use external::{CommandTarget, HttpTarget};
pub use generate::{GeneratedFile, generate};
pub use protocol::{Answer, Request, Target};
pub use runner::{Failure, Report, SdkTarget, run_target, run_vectors};

/// The committed vectors directory of this crate.
pub fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
