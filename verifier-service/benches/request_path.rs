//! Where the time of one `POST /v1/verify` goes, piece by piece, and what batched Ed25519
//! checks would save.
//!
//! `cargo bench -p ikd-verifier-service --bench request_path` measures, for the printed
//! KK-4 shown bare: the SDK's `verify`; the disclosure and JSON of the answer for `kyc` and
//! `age_check`; parsing a request body; and the Ed25519 check alone, once per signature
//! (`verify_strict`, what the SDK does) against `verify_batch` over 64 distinct
//! signatures, per signature. The service cannot batch yet: the SDK verifies inside
//! `verify` (BENCHMARKS.md says which SDK API batching needs).
//!
//! The `answer` group measures the `kyc` answer of the printed KK-4 for each choice of
//! display rows (`none`, `id`, `en`, `both`): disclosure and JSON together, as the service
//! builds it; it prints each answer's size in bytes. The `document_filter` group writes
//! the KK's disclosed document straight into JSON, against the former path through a
//! `serde_json::Value` of the whole document.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, VerifyingKey};
use ikd_sdk::demo::DemoData;
use ikd_sdk::disclosure::DisclosedReport;
use ikd_sdk::unstable_wire::cose;
use ikd_sdk::{Document, Policy, UnixTime, Validity, transport};
use std::hint::black_box;

const NOW: UnixTime = UnixTime(1_790_000_000);
const BATCH: usize = 64;

fn request_path(c: &mut Criterion) {
    let data = DemoData::generate(NOW).unwrap();
    // The demo KTP-el is bound to the demo phone and refused bare: the printed KK, which
    // the default policy accepts bare, is what a counter sends without a phone.
    let qr = data.credential("kk-4").unwrap().qr_text.clone();
    let policy = Policy::default();
    let result = ikd_sdk::verify(&qr, &data.trust, NOW, &policy);
    assert!(result.is_ok());

    let mut group = c.benchmark_group("request_path");
    group.bench_function("sdk_verify", |b| {
        b.iter(|| ikd_sdk::verify(black_box(&qr), &data.trust, NOW, &policy))
    });
    for name in ["kyc", "age_check"] {
        let purpose = ikd_sdk::disclosure::purpose(name).unwrap();
        group.bench_function(format!("disclose_{name}"), |b| {
            b.iter(|| DisclosedReport::new(black_box(&result), purpose))
        });
        let report = DisclosedReport::new(&result, purpose);
        group.bench_function(format!("answer_json_{name}"), |b| {
            b.iter(|| black_box(&report).to_json())
        });
    }
    let body = serde_json::json!({"qr": qr, "purpose": "kyc"}).to_string();
    group.bench_function("parse_request_json", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body.as_bytes())))
    });
    group.finish();
}

/// 64 KTP-el credentials of one issuer, each with its own id: the Sig_structure bytes and
/// signature of each.
fn signed_messages(data: &DemoData) -> (VerifyingKey, Vec<(Vec<u8>, Signature)>) {
    let demo = data
        .issuers
        .iter()
        .find(|i| i.doc_type == ikd_sdk::DocType::Ktp)
        .unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let key = VerifyingKey::from_bytes(&demo.issuer.key().public_key().to_bytes()).unwrap();
    let messages = (0..BATCH as u64)
        .map(|i| {
            let (credential, _) = demo
                .issuer
                .issue(
                    &document,
                    Validity::for_seconds(NOW, 86_400),
                    &ikd_sdk::IssueOptions::default().with_credential_id(i.to_be_bytes().to_vec()),
                )
                .unwrap();
            let bytes = transport::decode_qr_text(&credential.to_qr_text()).unwrap();
            let message = cose::parse(&bytes).unwrap();
            let signature = Signature::from_slice(message.signature()).unwrap();
            (message.signed_bytes(), signature)
        })
        .collect();
    (key, messages)
}

fn signatures(c: &mut Criterion) {
    let data = DemoData::generate(NOW).unwrap();
    let (key, messages) = signed_messages(&data);
    let mut group = c.benchmark_group("ed25519_64_signatures");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("verify_strict_each", |b| {
        b.iter(|| {
            messages
                .iter()
                .all(|(m, s)| key.verify_strict(black_box(m), s).is_ok())
        })
    });
    let refs: Vec<&[u8]> = messages.iter().map(|(m, _)| m.as_slice()).collect();
    let sigs: Vec<Signature> = messages.iter().map(|(_, s)| *s).collect();
    let keys = vec![key; BATCH];
    assert!(ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok());
    group.bench_function("verify_batch", |b| {
        b.iter_batched(
            || (),
            |()| ed25519_dalek::verify_batch(black_box(&refs), &sigs, &keys).is_ok(),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // A batch (cofactorless, random 128-bit coefficients) can accept a signature whose R
    // has a small-order component, which verify_strict rejects: each such R must be
    // refused before batching. What that check costs per signature:
    let mut group = c.benchmark_group("torsion_check_of_r");
    let r_points: Vec<curve25519_dalek::EdwardsPoint> = messages
        .iter()
        .map(|(_, s)| {
            curve25519_dalek::edwards::CompressedEdwardsY(s.r_bytes().to_owned())
                .decompress()
                .unwrap()
        })
        .collect();
    group.bench_function("is_torsion_free_constant_time", |b| {
        b.iter(|| black_box(&r_points[0]).is_torsion_free())
    });
    group.bench_function("l_times_r_variable_time", |b| {
        use curve25519_dalek::traits::{IsIdentity as _, VartimeMultiscalarMul as _};
        // [ℓ]R = [ℓ - 1]R + R, and ℓ - 1 is -1 modulo ℓ.
        b.iter(|| {
            let r = *black_box(&r_points[0]);
            (curve25519_dalek::EdwardsPoint::vartime_multiscalar_mul(
                [-curve25519_dalek::Scalar::ONE],
                [r],
            ) + r)
                .is_identity()
        })
    });
    group.finish();
}

fn answers(c: &mut Criterion) {
    use ikd_sdk::display::DisplayLanguages;
    let data = DemoData::generate(NOW).unwrap();
    let qr = data.credential("kk-4").unwrap().qr_text.clone();
    let result = ikd_sdk::verify(&qr, &data.trust, NOW, &Policy::default());
    let verified = result.as_ref().unwrap();
    let kyc = ikd_sdk::disclosure::purpose("kyc").unwrap();

    let mut group = c.benchmark_group("answer_kk4_kyc");
    for languages in DisplayLanguages::ALL {
        let size = DisclosedReport::with_display(&result, kyc, languages)
            .to_json()
            .len();
        println!(
            "answer size, KK-4 kyc, display {}: {size} bytes",
            languages.name()
        );
        group.bench_function(languages.name(), |b| {
            b.iter(|| DisclosedReport::with_display(black_box(&result), kyc, languages).to_json())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("document_filter_kk4_kyc");
    group.bench_function("direct", |b| {
        b.iter(|| {
            let shown = ikd_sdk::disclosure::disclose(black_box(verified), kyc).document;
            serde_json::to_string(&shown).unwrap()
        })
    });
    // The former filter: the whole document as a Value, the kept members moved into a
    // new map, then written.
    group.bench_function("through_value", |b| {
        b.iter(|| {
            let serde_json::Value::Object(full) =
                serde_json::to_value(black_box(verified).document()).unwrap()
            else {
                unreachable!()
            };
            let mut kept = serde_json::Map::new();
            for (name, value) in full {
                if name == "type" || name == "anggota" || kyc.kk_fields.contains(&name.as_str()) {
                    let value = match value {
                        serde_json::Value::Array(members) => serde_json::Value::Array(
                            members
                                .into_iter()
                                .map(|m| match m {
                                    serde_json::Value::Object(m) => serde_json::Value::Object(
                                        m.into_iter()
                                            .filter(|(n, _)| {
                                                kyc.kk_member_fields.contains(&n.as_str())
                                            })
                                            .collect(),
                                    ),
                                    other => other,
                                })
                                .collect(),
                        ),
                        other => other,
                    };
                    kept.insert(name, value);
                }
            }
            serde_json::to_string(&kept).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, request_path, signatures, answers);
criterion_main!(benches);
