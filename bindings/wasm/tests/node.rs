//! The npm package, built and run in Node: `build.sh` makes it (the verifier, and the
//! full build with scanning and the holder side), Node's built-in test runner sends every conformance vector through it and
//! compares each verdict with the Rust SDK's, runs its API tests, the conformance runner
//! drives it through a runner-protocol adapter written in JavaScript, and the TypeScript
//! example compiles with `tsc` against the package's types and runs.
//!
//! Needs Node (18 or newer), the wasm32-unknown-unknown target, wasm-bindgen-cli at the
//! version of the wasm-bindgen crate, and `npm ci` in `bindings/wasm` for `tsc` (`.ci/run`
//! installs all of them). Fails without them unless `IKD_SKIP_WASM=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_conformance::protocol::request_of;
use ikd_conformance::runner::load_dir;
use ikd_conformance::{Answer, CommandTarget, SdkTarget, Target, run_target, vectors_dir};
use ikd_sdk::UnixTime;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn work_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../target"));
    target.join("ikd-wasm")
}

/// Whether the tools are here; panics with what to install unless `IKD_SKIP_WASM=1`.
fn tools_present() -> bool {
    let node = Command::new("node").arg("--version").output();
    let tsc = crate_dir().join("node_modules/.bin/tsc");
    let bindgen = Command::new("wasm-bindgen").arg("--version").output();
    let missing: Vec<&str> = [
        ("node", node.is_ok_and(|o| o.status.success())),
        (
            "wasm-bindgen-cli",
            bindgen.is_ok_and(|o| o.status.success()),
        ),
        ("tsc (npm ci in bindings/wasm)", tsc.exists()),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("IKD_SKIP_WASM").as_deref() == Ok("1") {
        eprintln!("IKD_SKIP_WASM=1: skipping, missing {missing:?}");
        return false;
    }
    panic!(
        "missing {missing:?}: run .ci/run, or install them as bindings/wasm/README.md says \
         (IKD_SKIP_WASM=1 skips these tests)"
    );
}

/// Builds the package once per test process and variant: the verifier (`full` false), or
/// the full build with scanning and the holder side. The variants share one output file in
/// the cargo target directory, so they are built one at a time, and a package another test
/// is running is never rewritten under it.
fn package(full: bool) -> PathBuf {
    static BUILT: Mutex<[Option<PathBuf>; 2]> = Mutex::new([None, None]);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = &built[usize::from(full)] {
        return out.clone();
    }
    let out = work_dir().join(if full { "pkg-full" } else { "pkg" });
    let mut build = Command::new(crate_dir().join("build.sh"));
    if full {
        build.args(["--scan", "--holder"]);
    }
    let status = build.arg(&out).status().expect("build.sh runs");
    assert!(status.success(), "build.sh failed");
    assert!(out.join("ikd_wasm_bg.wasm").exists());
    built[usize::from(full)] = Some(out.clone());
    out
}

const NOW: i64 = 1_790_000_000;

/// Every vector's request with the SDK's own verdict, as JSON lines.
fn expected_verdicts(path: &Path) -> usize {
    let mut lines = String::new();
    let mut count = 0;
    for (_, file) in load_dir(&vectors_dir()).unwrap() {
        for vector in &file.vectors {
            let request = request_of(vector, &file).unwrap();
            let Answer::Verdict(verdict) = SdkTarget.answer(&request).unwrap() else {
                panic!("the SDK supports every vector");
            };
            lines.push_str(&json!({"request": request, "verdict": verdict}).to_string());
            lines.push('\n');
            count += 1;
        }
    }
    std::fs::write(path, lines).unwrap();
    count
}

/// Demo credentials with a known device key; presentations of the KTP-el signed here (the
/// verifier build cannot sign one), for a known challenge and by another phone's key; the
/// trust group's signed trust list; and a camera frame of the KK's QR code.
fn fixtures(dir: &Path) -> (PathBuf, PathBuf) {
    let demo = ikd_sdk::demo::DemoData::generate(UnixTime(NOW)).unwrap();
    let trust_file: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("trust.json")).unwrap())
            .unwrap();
    let (_, list) = trust_file["trust_lists"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let anchors = |key: &str| {
        json!({"format": "ikd-trust-anchors/1", "roots": [{"name": "root", "public_key": key}]})
            .to_string()
    };
    let some_other_key = hex_of(&demo.trust.keys().next().unwrap().key.to_bytes());
    let kk_qr = demo.credential("kk-4").unwrap().qr_text.clone();
    let status_lists: Vec<Value> = trust_file["status_lists"]
        .as_object()
        .unwrap()
        .values()
        .filter(|s| s["uri"].as_str().is_some())
        .map(|s| s["token"].clone())
        .take(1)
        .collect();
    let unhex = |v: &Value| ikd_sdk::encoding::hex_decode(v.as_str().unwrap()).unwrap();
    let mut bundle = ikd_sdk::TrustBundle::new(unhex(&list["token"])).unwrap();
    for token in &status_lists {
        bundle.add_status_list(unhex(token)).unwrap();
    }
    let ktp_qr = demo.credential("ktp").unwrap().qr_text.clone();
    let holder =
        ikd_facade::DeviceKey::from_secret(demo.holder.alg().name(), &demo.holder.to_secret())
            .unwrap();
    let challenge = ikd_facade::Challenge::new("NONCE123", Some("BANK-01")).unwrap();
    let presented = ikd_facade::present(&ktp_qr, &holder, NOW, 90, Some(&challenge)).unwrap();
    let stranger = ikd_facade::DeviceKey::generate(demo.holder.alg().name()).unwrap();
    let by_stranger = ikd_facade::present(&ktp_qr, &stranger, NOW, 90, None).unwrap();
    let fixtures = json!({
        "now": NOW,
        "trust_store": demo.trust.to_json(),
        "kk_qr": kk_qr,
        "ktp_qr": ktp_qr,
        "ktp_presented": presented,
        "ktp_presented_by_stranger": by_stranger,
        "ktp_challenge": {"nonce": challenge.nonce(), "audience": challenge.audience()},
        "holder_alg": demo.holder.alg().name(),
        "holder_secret": hex_of(&demo.holder.to_secret()),
        "default_policy": serde_json::from_str::<Value>(&ikd_facade::Policy::default().to_json()).unwrap(),
        "trust_list": list["token"],
        "anchors": anchors(list["roots"][0].as_str().unwrap()),
        "other_anchors": anchors(&some_other_key),
        "trust_list_issued_at": NOW - 3_600,
        "status_lists": status_lists,
        "bundle": hex_of(&bundle.to_bytes()),
    });
    let fixtures_path = dir.join("fixtures.json");
    std::fs::write(&fixtures_path, fixtures.to_string()).unwrap();
    let (rgba, side) = rgba_frame(&kk_qr);
    let frame_path = dir.join("frame.json");
    std::fs::write(
        &frame_path,
        json!({"width": side, "height": side, "rgba": ikd_sdk::encoding::base64_encode(&rgba)})
            .to_string(),
    )
    .unwrap();
    (fixtures_path, frame_path)
}

fn hex_of(bytes: &[u8]) -> String {
    ikd_sdk::encoding::hex_encode(bytes)
}

/// An RGBA frame of `text`'s QR code, 3 pixels a module, with a quiet zone.
fn rgba_frame(text: &str) -> (Vec<u8>, usize) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (3, 4);
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / scale).wrapping_sub(quiet),
                (y / scale).wrapping_sub(quiet),
            );
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            let v = if dark { 0 } else { 255 };
            pixels.extend_from_slice(&[v, v, v, 255]);
        }
    }
    (pixels, side)
}

fn node_tests(pkg: &Path, full: bool) {
    let dir = work_dir().join(if full { "run-full" } else { "run" });
    std::fs::create_dir_all(&dir).unwrap();
    let expected = dir.join("expected.jsonl");
    let vectors = expected_verdicts(&expected);
    let (fixtures, frame) = fixtures(&dir);
    let output = Command::new("node")
        .arg("--test")
        .arg(crate_dir().join("tests/js/conformance.test.mjs"))
        .arg(crate_dir().join("tests/js/api.test.mjs"))
        .arg(crate_dir().join("tests/js/tables.test.mjs"))
        .env("IKD_WASM_PKG", pkg)
        .env("IKD_WASM_EXPECTED", &expected)
        .env("IKD_WASM_VECTORS", vectors.to_string())
        .env("IKD_WASM_FIXTURES", &fixtures)
        .env("IKD_WASM_FRAME", &frame)
        .env("IKD_WASM_SCAN", if full { "1" } else { "0" })
        .env("IKD_WASM_HOLDER", if full { "1" } else { "0" })
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(!stdout.contains("# pass 0"), "{stdout}");
}

#[test]
fn node_sends_every_vector_through_the_package_with_the_sdks_verdicts() {
    if !tools_present() {
        return;
    }
    for full in [false, true] {
        let pkg = package(full);
        node_tests(&pkg, full);
    }
}

#[test]
fn the_runner_drives_a_javascript_adapter_through_every_vector() {
    if !tools_present() {
        return;
    }
    let pkg = package(false);
    let mut adapter = CommandTarget::new(
        "node",
        [
            crate_dir()
                .join("tests/js/adapter.mjs")
                .display()
                .to_string(),
            pkg.display().to_string(),
        ],
    );
    let report = run_target(&vectors_dir(), &mut adapter);
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(report.unsupported.is_empty(), "{:?}", report.unsupported);
    assert_eq!(report.not_compared, 0, "details missing from the verdicts");
    assert_eq!(report.passed, 353, "{}", report.summary());
}

#[test]
fn the_typescript_example_compiles_against_the_types_and_runs() {
    if !tools_present() {
        return;
    }
    let pkg = package(false);
    // A project that installed the package: node_modules/ikd-wasm and the example.
    let project = work_dir().join("ts-example");
    let _ = std::fs::remove_dir_all(&project);
    let installed = project.join("node_modules/ikd-wasm");
    std::fs::create_dir_all(&installed).unwrap();
    for entry in std::fs::read_dir(&pkg).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), installed.join(entry.file_name())).unwrap();
    }
    // Node's types and what they use, from the tools' own install (not the compiler).
    for entry in std::fs::read_dir(crate_dir().join("node_modules")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "typescript" && name != ".bin" && entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &project.join("node_modules").join(name));
        }
    }
    for file in ["verify.ts", "tsconfig.json"] {
        std::fs::copy(crate_dir().join("examples").join(file), project.join(file)).unwrap();
    }
    std::fs::write(project.join("package.json"), r#"{"type": "module"}"#).unwrap();
    let tsc = Command::new(crate_dir().join("node_modules/.bin/tsc"))
        .arg("-p")
        .arg(project.join("tsconfig.json"))
        .output()
        .unwrap();
    assert!(
        tsc.status.success(),
        "tsc:\n{}{}",
        String::from_utf8_lossy(&tsc.stdout),
        String::from_utf8_lossy(&tsc.stderr)
    );
    // The compiled example verifies a KK issued now, and refuses a URL.
    let now = ikd_facade::time::system_now().unwrap();
    let demo = ikd_sdk::demo::DemoData::generate(UnixTime(now)).unwrap();
    let store = project.join("trust-store.json");
    std::fs::write(&store, demo.trust.to_json()).unwrap();
    let run = |qr: &str| {
        Command::new("node")
            .arg(project.join("out/verify.js"))
            .arg(&store)
            .arg(qr)
            .output()
            .unwrap()
    };
    let valid = run(&demo.credential("kk-4").unwrap().qr_text);
    let stdout = String::from_utf8_lossy(&valid.stdout);
    assert!(valid.status.success(), "{stdout}");
    assert!(stdout.starts_with("valid kk from "), "{stdout}");
    let rejected = run("https://example.com");
    assert_eq!(rejected.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&rejected.stdout).contains("not_ikd_credential"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
