//! Trust bundles through the facade: installed in place of the trust data held, under the
//! import rules, with a refusal as an error whose message starts with the bundle's code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use ikd_facade::{ErrorCode, Policy, Roots, TrustData, Verifier};
use ikd_sdk::status_list::{INVALID, StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::{
    DocTypeSet, Issuer, IssuerSigningKey, KeyStatus, StatusList, StatusReference, TrustBundle,
    TrustEntry, TrustList, TrustedKey, UnixTime, Validity,
};

const T0: i64 = 1_790_000_000;
const DAY: i64 = 86_400;
const NOW: i64 = T0 + 3600;
const ISSUER: &str = "ID-DUKCAPIL-3273";
const URI: &str = "https://ikd.example/status/3273/1";

fn root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x51; 32])
}

fn issuer_key() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x52; 32])
}

fn roots() -> Roots {
    Roots::from_hex_keys(&[ikd_sdk::encoding::hex_encode(
        &root().public_key().to_bytes(),
    )])
    .unwrap()
}

fn signed_list(sequence: u64, issued_at: i64) -> Vec<u8> {
    signed_list_by(&root(), sequence, issued_at, Vec::new())
}

fn signed_list_by(
    root: &IssuerSigningKey,
    sequence: u64,
    issued_at: i64,
    successor_roots: Vec<ikd_sdk::IssuerPublicKey>,
) -> Vec<u8> {
    TrustList {
        sequence,
        issued_at: UnixTime(issued_at),
        next_update: UnixTime(issued_at + 7 * DAY),
        entries: vec![TrustEntry {
            key: TrustedKey {
                issuer: ISSUER.into(),
                name: "Disdukcapil Kota Bandung".into(),
                key: issuer_key().public_key(),
                valid_from: UnixTime(T0 - 365 * DAY),
                valid_until: UnixTime(T0 + 365 * DAY),
                doc_types: DocTypeSet::all(),
            },
            status: KeyStatus::Active,
            region_code: Some(3273),
        }],
        status_lists: vec![StatusListRef {
            uri: URI.into(),
            file: "3273-1.cwt".into(),
            issuer: ISSUER.into(),
        }],
        successor_roots,
    }
    .sign(root)
    .unwrap()
}

fn status_token(issued_at: i64, revoked: &[u64]) -> Vec<u8> {
    let mut list = StatusList::new(1, 1024).unwrap();
    for &i in revoked {
        list.set(i, INVALID).unwrap();
    }
    let issue = StatusListIssue {
        issuer: ISSUER,
        uri: URI,
        issued_at: UnixTime(issued_at),
        expires_at: Some(UnixTime(issued_at + 7 * DAY)),
        ttl_seconds: Some(43_200),
    };
    sign_status_list(&issuer_key(), &issue, &list).unwrap()
}

fn bundle(list: Vec<u8>, tokens: &[Vec<u8>]) -> Vec<u8> {
    let mut bundle = TrustBundle::new(list).unwrap();
    for token in tokens {
        bundle.add_status_list(token.clone()).unwrap();
    }
    bundle.to_bytes()
}

/// A KTP-el whose status is entry 5 of the status list, shown bare.
fn credential() -> String {
    let issuer = Issuer::new(issuer_key(), ISSUER).unwrap();
    let document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let options = ikd_sdk::IssueOptions {
        status: Some(StatusReference {
            uri: URI.into(),
            index: 5,
        }),
        ..Default::default()
    };
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(UnixTime(T0), 30 * DAY),
            &options,
        )
        .unwrap();
    credential.to_qr_text()
}

fn verdict(trust: &TrustData) -> String {
    let policy = Policy::from_json(r#"{"bare_credentials": ["ktp", "kk"]}"#).unwrap();
    let outcome = Verifier::new(trust.clone(), policy).verify(&credential(), NOW, None);
    outcome.reason_code().unwrap_or("valid").to_owned()
}

#[test]
fn a_bundle_installs_and_a_newer_one_replaces_it() {
    let policy = Policy::default();
    let (first, summary) = TrustData::from_bundle(
        &bundle(signed_list(3, T0), &[status_token(T0, &[5])]),
        &roots(),
        None,
        NOW,
        &policy,
    )
    .unwrap();
    assert_eq!(summary.sequence, 3);
    assert!(summary.complete && !summary.unchanged);
    assert_eq!(
        summary.to_json(),
        format!(
            r#"{{"sequence":3,"unchanged":false,"complete":true,"status_lists":[{{"uri":"{URI}","outcome":"installed"}}]}}"#
        )
    );
    assert_eq!(verdict(&first), "credential_revoked");

    // A newer trust list alone: the status list in use stays, and says why.
    let (second, summary) = TrustData::from_bundle(
        &bundle(signed_list(4, T0 + 60), &[]),
        &roots(),
        Some(&first),
        NOW,
        &policy,
    )
    .unwrap();
    assert_eq!(
        summary.status_lists[0].outcome,
        "bundle_status_list_missing"
    );
    assert!(!summary.complete);
    assert_eq!(verdict(&second), "credential_revoked");

    // An older status list is refused; a newer one restores the credential.
    let older = bundle(signed_list(4, T0 + 60), &[status_token(T0 - 60, &[])]);
    let (kept, summary) =
        TrustData::from_bundle(&older, &roots(), Some(&second), NOW, &policy).unwrap();
    assert!(summary.unchanged);
    assert_eq!(
        summary.status_lists[0].outcome,
        "bundle_status_list_rollback"
    );
    assert_eq!(verdict(&kept), "credential_revoked");
    let newer = bundle(signed_list(4, T0 + 60), &[status_token(T0 + 120, &[])]);
    let (restored, _) =
        TrustData::from_bundle(&newer, &roots(), Some(&kept), NOW, &policy).unwrap();
    assert_eq!(verdict(&restored), "valid");
}

#[test]
fn a_refused_bundle_is_an_error_with_its_code() {
    let policy = Policy::default();
    let (installed, _) = TrustData::from_bundle(
        &bundle(signed_list(5, T0), &[]),
        &roots(),
        None,
        NOW,
        &policy,
    )
    .unwrap();
    let refusal = |bytes: &[u8], in_use: Option<&TrustData>| {
        let error = TrustData::from_bundle(bytes, &roots(), in_use, NOW, &policy).unwrap_err();
        assert_eq!(error.code(), ErrorCode::BundleRefused);
        error.message().split(':').next().unwrap().to_owned()
    };
    assert_eq!(
        refusal(&bundle(signed_list(4, T0), &[]), Some(&installed)),
        "bundle_trust_list_rollback"
    );
    assert_eq!(
        refusal(
            &bundle(signed_list(6, T0 - 60 * DAY), &[]),
            Some(&installed)
        ),
        "bundle_trust_list_expired"
    );
    assert_eq!(
        refusal(&bundle(signed_list(6, NOW + 2 * 3600), &[]), None),
        "bundle_trust_list_not_yet_valid"
    );
    let mut tampered = bundle(signed_list(6, T0), &[]);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        refusal(&tampered, None),
        "bundle_trust_list_signature_invalid"
    );
    assert_eq!(refusal(b"not a bundle", None), "bundle_malformed");
    // Trust data from a JSON store has no trust list to roll back from.
    let store = TrustData::from_store_json(&installed.store().to_json()).unwrap();
    assert!(
        TrustData::from_bundle(
            &bundle(signed_list(1, T0), &[]),
            &roots(),
            Some(&store),
            NOW,
            &policy
        )
        .is_ok()
    );
}

#[test]
fn a_successor_root_named_by_the_list_held_is_accepted() {
    let policy = Policy::default();
    let successor = IssuerSigningKey::from_seed(&[0x53; 32]);
    let naming = bundle(
        signed_list_by(&root(), 5, T0, vec![successor.public_key()]),
        &[],
    );
    let (held, _) = TrustData::from_bundle(&naming, &roots(), None, NOW, &policy).unwrap();
    let by_successor = bundle(signed_list_by(&successor, 6, T0 + 60, Vec::new()), &[]);
    let error = TrustData::from_bundle(&by_successor, &roots(), None, NOW, &policy).unwrap_err();
    assert!(
        error
            .message()
            .starts_with("bundle_trust_list_unknown_root"),
        "{error}"
    );
    let (renewed, summary) =
        TrustData::from_bundle(&by_successor, &roots(), Some(&held), NOW, &policy).unwrap();
    assert_eq!(summary.sequence, 6);
    assert_eq!(renewed.key_count(), 1);
}
