//! Verify time in Node (the npm package, WebAssembly) against the native SDK through the
//! same facade, in one run: one KK of 4 members, bare, under the default policy. The Node
//! side is a long-lived `node` process running `verify_loop.mjs`; criterion's
//! `iter_custom` asks it for each sample's iterations and takes the time it measured
//! around its loop, so start-up and the pipe are not counted.
//!
//! Needs the package built first: `bindings/wasm/bench.sh` does that and runs this.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ikd_sdk::UnixTime;
use std::hint::black_box;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const NOW: i64 = 1_790_000_000;

fn verify(c: &mut Criterion) {
    let demo = ikd_sdk::demo::DemoData::generate(UnixTime(NOW)).unwrap();
    let qr = demo.credential("kk-4").unwrap().qr_text.clone();
    let store = demo.trust.to_json();
    let trust = ikd_facade::TrustData::from_store_json(&store).unwrap();
    let verifier = ikd_facade::Verifier::new(trust, ikd_facade::Policy::default());
    assert!(verifier.verify(&qr, NOW + 60, None).is_valid());

    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pkg = std::env::var_os("IKD_WASM_PKG")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../../target/ikd-wasm/pkg"));
    let scratch = std::env::temp_dir().join(format!("ikd-wasm-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join("store.json"), &store).unwrap();
    std::fs::write(scratch.join("qr.txt"), &qr).unwrap();
    let mut node = Command::new("node")
        .arg(crate_dir.join("benches/verify_loop.mjs"))
        .arg(&pkg)
        .arg(scratch.join("store.json"))
        .arg(scratch.join("qr.txt"))
        .arg((NOW + 60).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (build the package first: bindings/wasm/bench.sh)");
    let mut to_node = node.stdin.take().unwrap();
    let mut from_node = BufReader::new(node.stdout.take().unwrap());

    let mut group = c.benchmark_group("verify_kk4");
    group.bench_function("native", |b| {
        b.iter(|| verifier.verify(black_box(&qr), NOW + 60, None))
    });
    group.bench_function("node_wasm", |b| {
        b.iter_custom(|iterations| {
            writeln!(to_node, "{iterations}").unwrap();
            let mut line = String::new();
            from_node.read_line(&mut line).unwrap();
            Duration::from_nanos(line.trim().parse().expect("node answers nanoseconds"))
        })
    });
    group.finish();
    drop(to_node);
    let _ = node.wait();
    let _ = std::fs::remove_dir_all(&scratch);
}

criterion_group!(benches, verify);
criterion_main!(benches);
