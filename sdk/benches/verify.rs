//! Full verification of a KTP-el QR text against bare strict Ed25519 verification of the
//! same signed bytes, measured in one run so that the ratio survives a noisy machine.
//!
//! `cargo bench -p ikd-sdk --bench verify` prints each time and, at the end, the ratios
//! that BENCHMARKS.md reports.
//!
//! The group `ktp_revocation` verifies a KTP-el that carries a `status` claim against trust
//! data at national scale with revocation checking on: the keys come from a signed trust
//! list of 514 issuer keys, and the store holds 275 status lists of 2^20 entries (1 %
//! revoked), so the freshness checks, the status-list lookup and the bit read are all in
//! the measured path.
//!
//! The groups `ktp_presented_eddsa` and `ktp_presented_es256` verify a KTP-el bound to a
//! phone key and shown inside a presentation (two signatures: the issuer's and the
//! phone's) against the two bare signature checks of the same bytes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::Criterion;
use ikd_sdk::present;
use ikd_sdk::status_list::{StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::unstable_wire::cose;
use ikd_sdk::{
    DocType, DocTypeSet, Document, HolderAlg, HolderSigningKey, IssueOptions, Issuer,
    IssuerSigningKey, KeyStatus, Policy, StatusList, StatusListToken, StatusReference, TrustEntry,
    TrustList, TrustStore, TrustedKey, UnixTime, Validity, VerifiedTrustList, transport, verify,
};
use std::hint::black_box;
use std::sync::Arc;
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
    sample_qr_with_status(issuer, json, None)
}

fn sample_qr_with_status(issuer: &Issuer, json: &str, status: Option<&StatusReference>) -> String {
    let document: Document = serde_json::from_str(json).expect("sample data is valid");
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(ISSUED_AT, 86_400 * 365),
            &IssueOptions {
                status: status.cloned(),
                ..IssueOptions::default().with_credential_id(vec![1; 8])
            },
        )
        .expect("sample data is valid");
    credential.to_qr_text()
}

/// Status lists of the national trust data.
const STATUS_LISTS: u64 = 275;
const STATUS_LIST_LEN: u64 = 1 << 20;

fn status_uri(n: u64) -> String {
    format!("https://ikd.example/status/{n:03}")
}

/// The trust data of a national deployment, from a signed trust list of 514 keys with 275
/// status lists of 2^20 entries, about 1 % of them revoked; the bench's issuer signs them.
fn national_trust_data(issuer: &Issuer) -> TrustStore {
    let root = IssuerSigningKey::from_seed(&[0x44; 32]);
    let mut entries: Vec<TrustEntry> = national_trust_store(issuer)
        .keys()
        .map(|k| TrustEntry {
            key: k.clone(),
            status: KeyStatus::Active,
            region_code: None,
        })
        .collect();
    entries.sort_by(|a, b| a.key.issuer.cmp(&b.key.issuer));
    let list = TrustList {
        sequence: 1,
        issued_at: UnixTime(ISSUED_AT.0 - 600),
        next_update: UnixTime(ISSUED_AT.0 + 7 * 86_400),
        entries,
        status_lists: (0..STATUS_LISTS)
            .map(|n| StatusListRef {
                uri: status_uri(n),
                file: format!("{n:03}.cwt"),
                issuer: issuer.id().to_owned(),
            })
            .collect(),
        successor_roots: Vec::new(),
    };
    let signed = list.sign(&root).expect("the list is valid");
    let mut store = VerifiedTrustList::verify(&signed, &[root.public_key()])
        .expect("it verifies")
        .to_trust_store();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for n in 0..STATUS_LISTS {
        let mut statuses = StatusList::new(1, STATUS_LIST_LEN).expect("size is valid");
        for _ in 0..STATUS_LIST_LEN / 100 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Index 4242 of every list stays valid: the bench's credential uses it.
            let index = state % STATUS_LIST_LEN;
            if index != 4242 {
                statuses.set(index, 1).expect("index is in range");
            }
        }
        let uri = status_uri(n);
        let issue = StatusListIssue {
            issuer: issuer.id(),
            uri: &uri,
            issued_at: UnixTime(ISSUED_AT.0 - 300),
            expires_at: Some(UnixTime(ISSUED_AT.0 + 7 * 86_400)),
            ttl_seconds: Some(43_200),
        };
        let token = sign_status_list(issuer.key(), &issue, &statuses).expect("it signs");
        let token = StatusListToken::verify(&token, &store).expect("it verifies");
        store.add_status_list(Arc::new(token));
    }
    store
}

fn benches(c: &mut Criterion) {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273")
        .expect("sample data is valid");
    let trust = national_trust_store(&issuer);
    let policy = Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all());
    let public_key = issuer.key().public_key();

    let national = national_trust_data(&issuer);
    let reference = StatusReference {
        index: 4242,
        uri: status_uri(137),
    };
    let revocation_qr =
        sample_qr_with_status(&issuer, ikd_sdk::samples::KTP_JSON, Some(&reference));
    for (name, json, qr, trust) in [
        ("ktp", ikd_sdk::samples::KTP_JSON, None, &trust),
        ("kk8", ikd_sdk::samples::KK_8_JSON, None, &trust),
        (
            "ktp_revocation",
            ikd_sdk::samples::KTP_JSON,
            Some(revocation_qr.clone()),
            &national,
        ),
    ] {
        let qr = qr.unwrap_or_else(|| sample_qr(&issuer, json));
        let verified = verify(&qr, trust, NOW, &policy).expect("the sample verifies");
        if name == "ktp_revocation" {
            assert_eq!(
                verified.trace().outcome(ikd_sdk::Stage::Revocation),
                ikd_sdk::StepOutcome::Passed
            );
        }
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
            b.iter(|| verify(black_box(&qr), trust, NOW, &policy))
        });
        group.bench_function("decode_transport", |b| {
            b.iter(|| transport::decode_qr_text(black_box(&qr)))
        });
        group.bench_function("parse_cose", |b| {
            b.iter(|| cose::parse(black_box(&cose_bytes)).map(|m| m.payload().len()))
        });
        group.finish();
    }

    // Presentations: the issuer's signature and the phone's, against those two checks.
    for (name, alg) in [
        ("ktp_presented_eddsa", HolderAlg::EdDsa),
        ("ktp_presented_es256", HolderAlg::Es256),
    ] {
        let phone = HolderSigningKey::from_secret(alg, &[9; 32]).expect("the secret is valid");
        let document: Document =
            serde_json::from_str(ikd_sdk::samples::KTP_JSON).expect("sample data is valid");
        let options = IssueOptions {
            holder_key: Some(phone.public_key()),
            ..IssueOptions::default()
        };
        let (credential, _) = issuer
            .issue(
                &document,
                Validity::for_seconds(ISSUED_AT, 86_400),
                &options,
            )
            .expect("sample data is valid");
        let qr = present(&credential, &phone, NOW, 90, None)
            .expect("it presents")
            .to_qr_text();
        let verified = verify(&qr, &trust, NOW, &Policy::default()).expect("it verifies");
        assert!(verified.presentation().is_some());
        let outer_bytes = transport::decode_qr_text(&qr).expect("it decodes");
        let outer = cose::parse(&outer_bytes).expect("it parses");
        let (outer_signed, outer_signature) = (outer.signed_bytes(), outer.signature().to_vec());
        let inner = cose::parse(credential.as_bytes()).expect("it parses");
        let (inner_signed, inner_signature) = (inner.signed_bytes(), inner.signature().to_vec());
        let device = phone.public_key();
        assert!(device.verify(&outer_signed, &outer_signature));
        assert!(public_key.verify_strict(&inner_signed, &inner_signature));

        let mut group = c.benchmark_group(name);
        group.bench_function("two_signatures", |b| {
            b.iter(|| {
                public_key.verify_strict(black_box(&inner_signed), black_box(&inner_signature))
                    && device.verify(black_box(&outer_signed), black_box(&outer_signature))
            })
        });
        group.bench_function("full_verify", |b| {
            b.iter(|| verify(black_box(&qr), &trust, NOW, &Policy::default()))
        });
        group.finish();
    }

    // The revocation lookup alone: find the list by URI, read one entry.
    let uri = status_uri(137);
    c.bench_function("status_lookup", |b| {
        b.iter(|| {
            national
                .status_list(black_box(&uri))
                .and_then(|list| list.list().get(black_box(4242)))
        })
    });
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
    for group in ["ktp", "kk8", "ktp_revocation"] {
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
    for group in ["ktp_presented_eddsa", "ktp_presented_es256"] {
        if let (Some(full), Some(bare)) = (
            mean_ns(group, "full_verify"),
            mean_ns(group, "two_signatures"),
        ) {
            println!(
                "ratio {group}: full_verify {:.2} µs / two_signatures {:.2} µs = {:.3}",
                full / 1000.0,
                bare / 1000.0,
                full / bare
            );
        }
    }
}
