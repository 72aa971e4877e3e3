//! Runs the conformance vectors against an implementation:
//!
//! ```text
//! run [--vectors DIR] [--allow-unsupported]                   the SDK, in-process
//! run [--vectors DIR] [--allow-unsupported] --http URL        POST each request to URL
//! run [--vectors DIR] [--allow-unsupported] -- PROGRAM [ARG…] JSON lines on PROGRAM's stdin/stdout
//! ```
//!
//! DIR defaults to `conformance/vectors` (a lone positional DIR is also accepted). Prints
//! one line per disagreement (`FAIL <file> <id>: <what differed>`) and per unsupported
//! vector (`UNSUPPORTED <file> <id>: <why>`), then the summary `conformance: N passed, M
//! failed[, U unsupported]`. Exits 0 only if at least one vector ran, none failed and,
//! unless `--allow-unsupported`, none was unsupported; 2 on a usage error.

use ikd_conformance::{CommandTarget, HttpTarget, SdkTarget, Target, run_target};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: run [--vectors DIR] [--allow-unsupported] [--http URL | -- PROGRAM [ARG...]]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut allow_unsupported = false;
    let mut http = None;
    let mut command: Option<Vec<String>> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--vectors" => dir = args.next().map(PathBuf::from),
            "--allow-unsupported" => allow_unsupported = true,
            "--http" => http = args.next(),
            "--" => {
                command = Some(args.by_ref().collect());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if !other.starts_with('-') && dir.is_none() => dir = Some(other.into()),
            other => {
                eprintln!("run: unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let dir = dir.unwrap_or_else(ikd_conformance::vectors_dir);
    let mut target: Box<dyn Target> = match (http, command) {
        (Some(_), Some(_)) => {
            eprintln!("run: give --http or a command, not both\n{USAGE}");
            return ExitCode::from(2);
        }
        (Some(url), None) => Box::new(HttpTarget::new(url)),
        (None, Some(command)) => {
            let mut parts = command.into_iter();
            let Some(program) = parts.next() else {
                eprintln!("run: no program after --\n{USAGE}");
                return ExitCode::from(2);
            };
            Box::new(CommandTarget::new(program, parts))
        }
        (None, None) => Box::new(SdkTarget),
    };
    let report = run_target(&dir, target.as_mut());
    drop(target);
    for failure in &report.failures {
        println!("{failure}");
    }
    for unsupported in &report.unsupported {
        println!(
            "UNSUPPORTED {} {}: {}",
            unsupported.file, unsupported.id, unsupported.message
        );
    }
    println!("{}", report.summary());
    if report.all_passed() && (allow_unsupported || report.unsupported.is_empty()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
