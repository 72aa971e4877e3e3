//! Writes the conformance vectors: `cargo run -p ikd-conformance --bin generate [DIR]`.
//!
//! DIR defaults to `conformance/vectors`. Output is byte-identical on every run.

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(ikd_conformance::vectors_dir, std::path::PathBuf::from);
    let files = match ikd_conformance::generate() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("generate: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("generate: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for file in &files {
        let path = dir.join(&file.name);
        if let Err(e) = std::fs::write(&path, &file.contents) {
            eprintln!("generate: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} ({} bytes)", path.display(), file.contents.len());
    }
    ExitCode::SUCCESS
}
