#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The runner protocol: disagreements, unsupported inputs, dead commands and the HTTP
//! binding are all reported, against stand-in implementations.

use ikd_conformance::protocol::{Answer, Request, Target};
use ikd_conformance::{CommandTarget, HttpTarget, SdkTarget, run_target, vectors_dir};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;

fn total() -> usize {
    ikd_conformance::runner::load_dir(&vectors_dir())
        .unwrap()
        .iter()
        .map(|(_, file)| file.vectors.len())
        .sum()
}

/// A command that answers every request with the same line.
fn constant(line: &str) -> CommandTarget {
    CommandTarget::new(
        "sh",
        [
            "-c".to_owned(),
            format!("while read -r request; do echo '{line}'; done"),
        ],
    )
}

#[test]
fn a_verifier_that_accepts_everything_fails_every_rejection_and_valid_detail() {
    let report = run_target(&vectors_dir(), &mut constant(r#"{"verdict": "valid"}"#));
    assert_eq!(report.passed, 0);
    assert_eq!(report.failed(), total());
    assert!(!report.all_passed());
    let expired = report
        .failures
        .iter()
        .find(|f| f.id == "invalid/presentation-expired")
        .unwrap();
    assert_eq!(
        expired.message,
        "expected rejection presentation_expired at holder_binding, got valid"
    );
    let valid = report
        .failures
        .iter()
        .find(|f| f.id.starts_with("valid/"))
        .unwrap();
    assert!(
        valid.message.contains("issuer: expected"),
        "{}",
        valid.message
    );
}

#[test]
fn unsupported_inputs_are_counted_apart() {
    let report = run_target(
        &vectors_dir(),
        &mut constant(r#"{"unsupported": "no trust lists here"}"#),
    );
    assert_eq!(report.unsupported.len(), total());
    assert_eq!(report.failed(), 0);
    assert_eq!(report.unsupported[0].message, "no trust lists here");
    assert!(
        report
            .summary()
            .ends_with(&format!(", {} unsupported", total()))
    );
}

#[test]
fn a_command_that_dies_fails_its_requests_and_is_started_again() {
    // It exits at once: depending on timing, before or after the request is written.
    let mut dead = CommandTarget::new("sh", ["-c".to_owned(), "exit 0".to_owned()]);
    let report = run_target(&vectors_dir(), &mut dead);
    assert_eq!(report.failed(), total());
    for failure in &report.failures {
        assert!(
            failure.message.contains("ended without answering")
                || failure.message.contains("cannot write the request"),
            "{failure}"
        );
    }
}

#[test]
fn an_error_answer_is_a_failure() {
    let report = run_target(
        &vectors_dir(),
        &mut constant(r#"{"error": "cannot parse"}"#),
    );
    assert_eq!(report.failed(), total());
    assert!(report.failures[0].message.contains("cannot parse"));
}

/// A one-connection-at-a-time HTTP server on loopback that answers each request with the
/// SDK's verdict, as a team's own verifier would behind its adapter.
fn serve_sdk(listener: TcpListener) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { return };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let request: Request = serde_json::from_slice(&body).unwrap();
        let Answer::Verdict(verdict) = SdkTarget.answer(&request).unwrap() else {
            panic!("the SDK supports every request");
        };
        let text = verdict.to_string();
        // Chunked, to exercise the runner's reader.
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{text}\r\n0\r\n\r\n",
            text.len()
        )
        .unwrap();
    }
}

#[test]
fn the_http_binding_agrees_over_loopback() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || serve_sdk(listener));
    let report = run_target(
        &vectors_dir(),
        &mut HttpTarget::new(format!("http://{address}/verify")),
    );
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(report.passed, total());
    assert_eq!(report.not_compared, 0);
}

/// The `run` binary prints each disagreement and the summary, and exits non-zero.
#[test]
fn the_run_binary_exits_non_zero_on_any_disagreement() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_run"))
        .args([
            "--",
            "sh",
            "-c",
            r#"while read -r request; do echo '{"verdict": "rejected", "reason": {"code": "kid_unknown", "stage": "header"}}'; done"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let fails = stdout.lines().filter(|l| l.starts_with("FAIL ")).count();
    let summary = stdout.lines().last().unwrap();
    // Only the vectors that expect kid_unknown at stage header agree.
    let agreeing = ikd_conformance::runner::load_dir(&vectors_dir())
        .unwrap()
        .iter()
        .flat_map(|(_, f)| f.vectors.iter())
        .filter(|v| {
            matches!(&v.expected, ikd_conformance::format::Expected::Rejected(r)
                if r.reason_code == "kid_unknown")
        })
        .count();
    assert_eq!(fails, total() - agreeing);
    assert_eq!(
        summary,
        format!("conformance: {agreeing} passed, {fails} failed")
    );

    let usage = std::process::Command::new(env!("CARGO_BIN_EXE_run"))
        .args(["--http", "http://127.0.0.1:1/", "--", "sh"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}
