//! The C interface's overhead: one KTP-el presentation (credential and presentation both
//! signed, the holder's challenge bound) verified by the Rust SDK directly and through the
//! `extern "C"` entry point `ikd_verify` (handle, pointers, UTF-8 check, `guard`, the
//! verdict JSON copied into a C string and freed), in one run.
//!
//! `cargo bench -p ikd-c --bench ffi`; `bindings/bench.sh` runs it together with the
//! Python timing and prints the ratios (BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use ikd::{
    IkdStatus, IkdVerifier, ikd_string_free, ikd_verifier_free, ikd_verifier_new, ikd_verify,
};
use ikd_facade::{Challenge, DeviceKey, Issuer, Policy, TrustData, present, sample_document_json};
use ikd_sdk::{Report, UnixTime, VerifyOptions};
use std::ffi::{CString, c_char};
use std::hint::black_box;
use std::ptr;
use std::time::Instant;

const NOW: i64 = 1_790_000_000;

/// The fixed inputs: a trust store JSON, a KTP-el presentation's QR text, its challenge.
fn inputs() -> (String, String, Challenge) {
    let issuer =
        Issuer::from_seed(&[7; 32], "ID-DUKCAPIL-3273", "Disdukcapil Kota Bandung").unwrap();
    let store = issuer
        .trust_store_json(NOW - 86_400, NOW + 86_400, &["ktp", "kk"])
        .unwrap();
    let key = DeviceKey::from_secret("EdDSA", &[9; 32]).unwrap();
    let credential = issuer
        .issue(
            sample_document_json("ktp").unwrap(),
            NOW,
            86_400,
            Some(&key.public_key()),
        )
        .unwrap();
    let challenge = Challenge::new("7KQ2M9XD", Some("BANK-01")).unwrap();
    let shown = present(&credential, &key, NOW, 60, Some(&challenge)).unwrap();
    (store, shown, challenge)
}

fn ffi(c: &mut Criterion) {
    let (store, qr, challenge) = inputs();
    let trust = TrustData::from_store_json(&store).unwrap();
    let policy = Policy::default();
    let options = VerifyOptions {
        challenge: Some(challenge.sdk()),
        replay_cache: None,
    };
    let sdk_verify = || {
        ikd_sdk::verify_with(
            &qr,
            trust.store(),
            UnixTime(NOW + 1),
            policy.sdk(),
            &options,
        )
    };
    assert!(sdk_verify().is_ok(), "the presentation verifies");

    let store_c = CString::new(store.as_str()).unwrap();
    let mut handle: *mut IkdVerifier = ptr::null_mut();
    // SAFETY: valid C strings and an out pointer.
    let status = unsafe { ikd_verifier_new(store_c.as_ptr(), ptr::null(), &mut handle) };
    assert_eq!(status, IkdStatus::IKD_OK);
    let nonce = CString::new(challenge.nonce()).unwrap();
    let audience = CString::new(challenge.audience().unwrap()).unwrap();
    let c_verify_text = |qr: &str| {
        let mut json: *mut c_char = ptr::null_mut();
        // SAFETY: a live handle, `qr.len()` bytes at `qr`, C strings, an out pointer.
        let status = unsafe {
            ikd_verify(
                handle,
                qr.as_ptr(),
                qr.len(),
                NOW + 1,
                nonce.as_ptr(),
                audience.as_ptr(),
                &mut json,
                ptr::null_mut(),
            )
        };
        // SAFETY: returned by the library, freed once.
        unsafe { ikd_string_free(black_box(json)) };
        status
    };
    let c_verify = || c_verify_text(&qr);
    assert_eq!(c_verify(), IkdStatus::IKD_OK);

    let mut group = c.benchmark_group("ktp_presentation");
    group.bench_function("sdk_verify", |b| b.iter(|| black_box(sdk_verify())));
    group.bench_function("sdk_verify_json", |b| {
        b.iter(|| black_box(Report::new(&sdk_verify()).to_json()))
    });
    group.bench_function("c_abi_verify_json", |b| b.iter(|| black_box(c_verify())));
    group.finish();

    // The fixed cost of a call, where verifying costs next to nothing: a text that is not
    // an IKD credential, rejected at the first stage.
    let other = "https://example.com/";
    let mut group = c.benchmark_group("rejected_at_decode");
    group.bench_function("sdk_verify_json", |b| {
        b.iter(|| {
            let result = ikd_sdk::verify_with(
                black_box(other),
                trust.store(),
                UnixTime(NOW + 1),
                policy.sdk(),
                &options,
            );
            black_box(Report::new(&result).to_json())
        })
    });
    group.bench_function("c_abi_verify_json", |b| {
        b.iter(|| black_box(c_verify_text(black_box(other))))
    });
    group.finish();

    // The ratios, measured so that noise cannot pick a side: batches of native and C calls
    // alternate (each round in the other order), and the ratio of each pair is kept.
    paired(
        "KTP-el presentation",
        100,
        &|| {
            black_box(Report::new(&sdk_verify()).to_json());
        },
        &|| {
            black_box(c_verify());
        },
    );
    paired(
        "rejected at decode (the fixed cost)",
        2_000,
        &|| {
            let result = ikd_sdk::verify_with(
                black_box(other),
                trust.store(),
                UnixTime(NOW + 1),
                policy.sdk(),
                &options,
            );
            black_box(Report::new(&result).to_json());
        },
        &|| {
            black_box(c_verify_text(black_box(other)));
        },
    );
    // SAFETY: made above, freed once.
    unsafe { ikd_verifier_free(handle) };
}

/// Times `native` and `through_c` in alternating batches of `batch` calls and prints the
/// medians per call and the median of the 60 pair ratios.
fn paired(what: &str, batch: u32, native: &dyn Fn(), through_c: &dyn Fn()) {
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        start.elapsed().as_nanos() as f64 / f64::from(batch)
    };
    let (mut ratios, mut native_ns, mut c_ns) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..60 {
        let (n, c) = if round % 2 == 0 {
            let n = time(native);
            (n, time(through_c))
        } else {
            let c = time(through_c);
            (time(native), c)
        };
        ratios.push(c / n);
        native_ns.push(n);
        c_ns.push(c);
    }
    println!(
        "paired, {what}: SDK + verdict JSON {:.2} µs, C ABI {:.2} µs; C ABI / SDK = {:.3} \
         (median of 60 alternating rounds of {batch})",
        median(&mut native_ns) / 1000.0,
        median(&mut c_ns) / 1000.0,
        median(&mut ratios)
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

criterion_group!(benches, ffi);
criterion_main!(benches);
