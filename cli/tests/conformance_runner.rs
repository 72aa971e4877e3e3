#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The conformance runner drives the built `ikd` binary through the runner protocol
//! (`ikd conformance`, JSON lines on standard input and output), as it drives any other
//! team's verifier: every vector must agree, none may be unsupported, and every detail a
//! vector states must be in the verdict.

use ikd_conformance::{CommandTarget, run_target, vectors_dir};

#[test]
fn every_conformance_vector_agrees_through_ikd_conformance() {
    let mut ikd = CommandTarget::new(env!("CARGO_BIN_EXE_ikd"), ["conformance".to_owned()]);
    let report = run_target(&vectors_dir(), &mut ikd);
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(report.unsupported.is_empty(), "{:?}", report.unsupported);
    assert_eq!(report.not_compared, 0, "details missing from the verdicts");
    assert!(report.all_passed());
    let total: usize = ikd_conformance::runner::load_dir(&vectors_dir())
        .unwrap()
        .iter()
        .map(|(_, file)| file.vectors.len())
        .sum();
    assert_eq!(report.passed, total);
    eprintln!("ikd conformance: {}", report.summary());
}

#[test]
fn a_request_that_cannot_be_read_gets_an_error_line() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ikd"))
        .arg("conformance")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"not json\n{\"protocol\": \"other/1\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["error"].as_str().unwrap().contains("not JSON"));
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("ikd-conformance-protocol/1")
    );
}
