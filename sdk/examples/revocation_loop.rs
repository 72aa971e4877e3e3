//! Instruction counts of verification with revocation checking on (BENCHMARKS.md), under
//! `valgrind --tool=callgrind`, which counts instructions and so is repeatable on a loaded
//! machine:
//!
//! ```text
//! cargo build --release -p ikd-sdk --example revocation_loop
//! valgrind --tool=callgrind target/release/examples/revocation_loop MODE [COUNT] [LISTS]
//! ```
//!
//! MODE `setup` only builds the trust data: a signed trust list of 514 issuer keys and LISTS
//! (default 16) status lists of 2^20 entries, 1 % revoked, and a KTP-el whose `status` claim
//! points into one of them. `strict` then runs bare strict Ed25519 verification of the
//! credential's signed bytes COUNT (default 200) times; `full` runs `ikd_sdk::verify` with
//! revocation checking COUNT times; `plain` runs `verify` of the same KTP-el without a status
//! claim against a JSON-style trust store of the same 514 keys. The instructions of one
//! operation are (total of the mode − total of `setup`) / COUNT.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use ikd_sdk::status_list::{StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::unstable_wire::cose;
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, KeyStatus, Policy, StatusList, StatusListToken,
    StatusReference, TrustEntry, TrustList, TrustStore, TrustedKey, UnixTime, Validity,
    VerifiedTrustList, transport, verify,
};
use std::hint::black_box;
use std::sync::Arc;

const ISSUED_AT: UnixTime = UnixTime(1_790_000_000);
const NOW: UnixTime = UnixTime(1_790_000_600);
const LIST_LEN: u64 = 1 << 20;

fn entry(issuer: &Issuer) -> TrustEntry {
    TrustEntry {
        key: TrustedKey {
            issuer: issuer.id().to_owned(),
            name: "Disdukcapil".to_owned(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(1_700_000_000),
            valid_until: UnixTime(1_900_000_000),
            doc_types: DocTypeSet::all(),
        },
        status: KeyStatus::Active,
        region_code: None,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "setup".to_owned());
    let count: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let lists: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(16);

    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273")
        .expect("valid issuer id");
    let mut entries: Vec<TrustEntry> = (0..513u16)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..2].copy_from_slice(&i.to_be_bytes());
            seed[31] = 0xAA;
            let other = Issuer::new(IssuerSigningKey::from_seed(&seed), format!("ID-{i}"))
                .expect("valid issuer id");
            entry(&other)
        })
        .collect();
    entries.push(entry(&issuer));
    let uri = |n: u64| format!("https://ikd.example/status/{n:03}");
    let root = IssuerSigningKey::from_seed(&[0x44; 32]);
    let signed_list = TrustList {
        sequence: 1,
        issued_at: UnixTime(ISSUED_AT.0 - 600),
        next_update: UnixTime(ISSUED_AT.0 + 7 * 86_400),
        entries: entries.clone(),
        status_lists: (0..lists)
            .map(|n| StatusListRef {
                uri: uri(n),
                file: format!("{n:03}.cwt"),
                issuer: issuer.id().to_owned(),
            })
            .collect(),
        successor_roots: Vec::new(),
    }
    .sign(&root)
    .expect("the list signs");
    let mut national = VerifiedTrustList::verify(&signed_list, &[root.public_key()])
        .expect("it verifies")
        .to_trust_store();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for n in 0..lists {
        let mut statuses = StatusList::new(1, LIST_LEN).expect("size is valid");
        for _ in 0..LIST_LEN / 100 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let index = state % LIST_LEN;
            if index != 4242 {
                statuses.set(index, 1).expect("in range");
            }
        }
        let list_uri = uri(n);
        let issue = StatusListIssue {
            issuer: issuer.id(),
            uri: &list_uri,
            issued_at: UnixTime(ISSUED_AT.0 - 300),
            expires_at: Some(UnixTime(ISSUED_AT.0 + 7 * 86_400)),
            ttl_seconds: Some(43_200),
        };
        let token = sign_status_list(issuer.key(), &issue, &statuses).expect("it signs");
        let token = StatusListToken::verify(&token, &national).expect("it verifies");
        national.add_status_list(Arc::new(token));
    }
    let mut local = TrustStore::new();
    for e in entries {
        local.add(e.key);
    }

    let document: Document =
        serde_json::from_str(ikd_sdk::samples::KTP_JSON).expect("samples parse");
    let reference = StatusReference {
        index: 4242,
        uri: uri(lists / 2),
    };
    let issue = |status: Option<&StatusReference>| {
        issuer
            .issue(
                &document,
                Validity::for_seconds(ISSUED_AT, 365 * 86_400),
                &ikd_sdk::IssueOptions {
                    status: status.cloned(),
                    ..ikd_sdk::IssueOptions::default().with_credential_id(vec![1; 8])
                },
            )
            .expect("samples issue")
            .0
            .to_qr_text()
    };
    let with_status = issue(Some(&reference));
    let without_status = issue(None);
    let bytes = transport::decode_qr_text(&with_status).expect("decodes");
    let message = cose::parse(&bytes).expect("parses");
    let signed = message.signed_bytes();
    let signature = message.signature().to_vec();
    let key = issuer.key().public_key();
    let policy = Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all());
    assert!(verify(&with_status, &national, NOW, &policy).is_ok());
    assert!(verify(&without_status, &local, NOW, &policy).is_ok());

    let mut ok = 0u32;
    for _ in 0..match mode.as_str() {
        "setup" => 0,
        _ => count,
    } {
        let passed = match mode.as_str() {
            "strict" => key.verify_strict(black_box(&signed), black_box(&signature)),
            "full" => verify(black_box(&with_status), &national, NOW, &policy).is_ok(),
            "plain" => verify(black_box(&without_status), &local, NOW, &policy).is_ok(),
            _ => panic!("MODE is setup, strict, full or plain"),
        };
        ok += u32::from(passed);
    }
    println!("{mode}: {ok} passed");
}
