//! Full verification of a KTP-el QR text against bare strict Ed25519 verification of the
//! same signed bytes, measured in one run so that the ratio survives a noisy machine.
//!
//! `cargo bench -p ikd-sdk --bench verify` prints each time and, at the end, the ratios
//! that BENCHMARKS.md reports.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::Criterion;
use ikd_sdk::{
    DocType, DocTypeSet, Document, Issuer, IssuerSigningKey, Policy, TrustStore, TrustedKey,
    UnixTime, Validity, cose, transport, verify,
};
use std::hint::black_box;
use std::time::Duration;

const ISSUED_AT: UnixTime = UnixTime(1_790_000_000);
const NOW: UnixTime = UnixTime(1_790_000_600);

fn trusted(issuer: &Issuer) -> TrustedKey {
    TrustedKey {
        issuer: issuer.id().to_owned(),
        name: "Disdukcapil Kota Bandung".to_owned(),
        key: issuer.key().public_key(),
        valid_from: UnixTime(1_700_000_000),
        valid_until: UnixTime(1_900_000_000),
        doc_types: DocTypeSet::NONE.with(DocType::Ktp).with(DocType::Kk),
    }
}

/// A trust store the size of a national deployment's issuer list: one key per
/// kabupaten/kota (514), so that lookup cost is measured at scale.
fn national_trust_store(issuer: &Issuer) -> TrustStore {
    let mut store = TrustStore::new();
    for i in 0..513u16 {
        let mut seed = [0u8; 32];
        seed[..2].copy_from_slice(&i.to_be_bytes());
        seed[31] = 0xAA;
        let other = Issuer::new(IssuerSigningKey::from_seed(&seed), format!("ID-{i}"))
            .expect("issuer id is valid");
        store.add(trusted(&other));
    }
    store.add(trusted(issuer));
    store
}

fn sample_qr(issuer: &Issuer, json: &str) -> String {
    let document: Document = serde_json::from_str(json).expect("sample data is valid");
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(ISSUED_AT, 86_400 * 365),
            Some(vec![1; 8]),
        )
        .expect("sample data is valid");
    credential.to_qr_text()
}

fn benches(c: &mut Criterion) {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273")
        .expect("sample data is valid");
    let trust = national_trust_store(&issuer);
    let policy = Policy::default();
    let public_key = issuer.key().public_key();

    for (name, json) in [
        ("ktp", ikd_sdk::samples::KTP_JSON),
        ("kk8", ikd_sdk::samples::KK_8_JSON),
    ] {
        let qr = sample_qr(&issuer, json);
        assert!(verify(&qr, &trust, NOW, &policy).is_ok());
        let cose_bytes = transport::decode_qr_text(&qr).expect("sample data is valid");
        let message = cose::parse(&cose_bytes).expect("sample data is valid");
        let signed = message.signed_bytes();
        let signature = message.signature().to_vec();
        assert!(public_key.verify_strict(&signed, &signature));

        let mut group = c.benchmark_group(name);
        group.bench_function("verify_strict", |b| {
            b.iter(|| public_key.verify_strict(black_box(&signed), black_box(&signature)))
        });
        group.bench_function("full_verify", |b| {
            b.iter(|| verify(black_box(&qr), &trust, NOW, &policy))
        });
        group.bench_function("decode_transport", |b| {
            b.iter(|| transport::decode_qr_text(black_box(&qr)))
        });
        group.bench_function("parse_cose", |b| {
            b.iter(|| cose::parse(black_box(&cose_bytes)).map(|m| m.payload().len()))
        });
        group.finish();
    }
}

/// Reads criterion's point estimate (mean, ns) for one benchmark of this run.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("mean")?.get("point_estimate")?.as_f64()
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    for group in ["ktp", "kk8"] {
        if let (Some(full), Some(bare)) = (
            mean_ns(group, "full_verify"),
            mean_ns(group, "verify_strict"),
        ) {
            println!(
                "ratio {group}: full_verify {:.2} µs / verify_strict {:.2} µs = {:.3}",
                full / 1000.0,
                bare / 1000.0,
                full / bare
            );
        }
    }
}
