//! Runs the conformance vectors against the SDK: `cargo run -p ikd-conformance --bin run [DIR]`.
//!
//! Prints one line per failing vector, then `conformance: N passed, M failed`. Exits 0 only
//! if every vector passed.

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(ikd_conformance::vectors_dir, std::path::PathBuf::from);
    let report = ikd_conformance::run_vectors(&dir);
    for failure in &report.failures {
        println!("{failure}");
    }
    println!("{}", report.summary());
    if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
