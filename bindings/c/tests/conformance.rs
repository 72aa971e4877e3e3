//! The C interface from C: gcc builds a small C program against `include/ikd.h` and the
//! shared library, and every conformance vector runs through it under valgrind, which
//! must find no leak and no invalid access. The example program is built and run too.
//!
//! Needs `gcc` and `valgrind` (`.ci/run` installs them); fails without them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_conformance::protocol::{Request, TrustInput};
use ikd_conformance::{Answer, Target, run_target, vectors_dir};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Where cargo put `libikd.so` for this test: the `deps` folder beside the test binary.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    assert!(
        dir.join("libikd.so").exists(),
        "libikd.so is not in {}",
        dir.display()
    );
    dir
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Compiles a C file against the header and the shared library, warnings as errors.
fn compile(source: &str, name: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let lib = library_dir();
    let status = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join(source))
        .arg("-L")
        .arg(&lib)
        .arg("-likd")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("gcc is needed for the C interface's tests (.ci/run installs it)");
    assert!(status.success(), "gcc failed on {source}");
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_or_dash(text: Option<&str>) -> String {
    text.map_or_else(|| "-".to_owned(), |t| hex(t.as_bytes()))
}

/// The request as the C program's one line (see `conformance_runner.c`).
fn flatten(request: &Request) -> String {
    let (kind, trust, roots) = match &request.trust {
        TrustInput::TrustStore(store) => (
            "s",
            hex(serde_json::to_string(store).unwrap().as_bytes()),
            "-".to_owned(),
        ),
        TrustInput::TrustList(list) => (
            "l",
            list.token.clone(),
            hex(list.roots.join(",").as_bytes()),
        ),
    };
    let status_lists = if request.status_lists.is_empty() {
        "-".to_owned()
    } else {
        let tokens: Vec<&str> = request
            .status_lists
            .iter()
            .map(|s| s.token.as_str())
            .collect();
        tokens.join(",")
    };
    let policy = hex(serde_json::to_string(&request.policy).unwrap().as_bytes());
    let replay = if request.replay_store_unavailable {
        2
    } else {
        u8::from(request.replay)
    };
    let challenge = request.challenge.as_ref();
    [
        kind.to_owned(),
        trust,
        roots,
        status_lists,
        policy,
        hex(request.qr.as_bytes()),
        request.now.to_string(),
        hex_or_dash(challenge.map(|c| c.nonce.as_str())),
        hex_or_dash(challenge.and_then(|c| c.audience.as_deref())),
        replay.to_string(),
    ]
    .join("\t")
}

/// The C program, running under valgrind for the whole suite.
struct CTarget {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Target for CTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let input = self.input.as_mut().ok_or("no input")?;
        writeln!(input, "{}", flatten(request)).map_err(|e| e.to_string())?;
        input.flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let mut answer: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        if let Some(error) = answer.get("error") {
            return Err(format!("the C program: {error}"));
        }
        // The protocol's verdict: the JSON, with the numbers of `IkdDetails` in `reason`.
        let details = answer["details"].clone();
        let mut verdict = answer["verdict"].take();
        if details[0] != u8::from(verdict["verdict"] == "valid") {
            return Err("IkdDetails.valid disagrees with the verdict JSON".into());
        }
        if let Some(Value::Object(reason)) = verdict.get_mut("reason") {
            for (name, at) in [("tag", 1), ("doc_type_number", 3), ("siak_code", 5)] {
                if details[at] == 1 {
                    reason.insert(name.to_owned(), details[at + 1].clone());
                }
            }
        }
        Ok(Answer::Verdict(verdict))
    }
}

#[test]
fn every_vector_passes_through_the_shared_library_clean_under_valgrind() {
    let runner = compile("tests/conformance_runner.c", "ikd-c-conformance-runner");
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ikd-c-valgrind.log");
    let mut child = Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible",
        ])
        .arg(format!("--log-file={}", log.display()))
        .arg(&runner)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("valgrind is needed for the C interface's tests (.ci/run installs it)");
    let input = child.stdin.take();
    let output = BufReader::new(child.stdout.take().unwrap());
    let mut target = CTarget {
        child,
        input,
        output,
    };
    let report = run_target(&vectors_dir(), &mut target);
    for failure in report.failures.iter().chain(&report.unsupported) {
        eprintln!("{failure}");
    }
    drop(target.input.take());
    let status = target.child.wait().unwrap();
    let valgrind = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(report.all_passed(), "{}", report.summary());
    assert!(report.unsupported.is_empty());
    assert_eq!(report.not_compared, 0, "{}", report.summary());
    assert_eq!(report.passed, 353, "{}", report.summary());
    assert!(status.success(), "valgrind: {status}\n{valgrind}");
    assert_eq!(valgrind.trim(), "", "valgrind reported");
}

/// Runs an example (`program` with `prefix` arguments, then the trust store, the QR
/// file and the time) on a valid KK, a tampered one and a trust store that is not one.
fn check_example(program: &Path, prefix: &[&std::ffi::OsStr], tag: &str) {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("valid.json")).unwrap())
            .unwrap();
    let vector = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["expected"]["doc_type"] == "kk" && v.get("trust_store").is_some())
        .unwrap();
    let store = &file["trust_stores"][vector["trust_store"].as_str().unwrap()];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let store_path = dir.join(format!("ikd-{tag}-example-store.json"));
    std::fs::write(&store_path, store.to_string()).unwrap();
    let qr = vector["qr"].as_str().unwrap();
    let run = |qr: &str, now: &str| {
        let qr_path = dir.join(format!("ikd-{tag}-example-qr.txt"));
        std::fs::write(&qr_path, format!("{qr}\n")).unwrap();
        Command::new(program)
            .args(prefix)
            .arg(&store_path)
            .arg(&qr_path)
            .arg(now)
            .output()
            .unwrap_or_else(|e| panic!("{} is needed ({tag}): {e}", program.display()))
    };
    let now = vector["now"].to_string();
    let valid = run(qr, &now);
    assert_eq!(valid.status.code(), Some(0), "{tag}: {valid:?}");
    let verdict: Value = serde_json::from_slice(&valid.stdout).unwrap();
    assert_eq!(verdict["verdict"], "valid");
    assert_eq!(verdict["doc_type"], "kk");
    // One character changed in the middle: the base45 or the signature breaks.
    let mid = qr.len() / 2;
    let swapped = if &qr[mid..=mid] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &qr[..mid], swapped, &qr[mid + 1..]);
    let rejected = run(&tampered, &now);
    assert_eq!(rejected.status.code(), Some(1), "{tag}: {rejected:?}");
    let verdict: Value = serde_json::from_slice(&rejected.stdout).unwrap();
    assert_eq!(verdict["verdict"], "rejected");
    // Misuse: a trust store that is not one.
    std::fs::write(&store_path, "{}").unwrap();
    let misuse = run(qr, &now);
    assert_eq!(misuse.status.code(), Some(2), "{tag}: {misuse:?}");
    let stderr = String::from_utf8_lossy(&misuse.stderr);
    assert!(
        stderr.contains("error trust_store_invalid: trust store"),
        "{tag}: {stderr}"
    );
}

/// The C example program verifies and rejects, by exit code.
#[test]
fn the_example_program_verifies_and_rejects() {
    let example = compile("examples/verify.c", "ikd-c-example-verify");
    check_example(&example, &[], "c");
}

/// The PHP example does the same through PHP's FFI (Debian's `php-cli`, which has FFI;
/// `.ci/run` installs it).
#[test]
fn the_php_ffi_example_verifies_and_rejects() {
    let script = crate_dir().join("examples/verify.php");
    let library = library_dir().join("libikd.so");
    check_example(
        Path::new("php"),
        &[
            "-d".as_ref(),
            "ffi.enable=1".as_ref(),
            script.as_os_str(),
            library.as_os_str(),
        ],
        "php",
    );
}
