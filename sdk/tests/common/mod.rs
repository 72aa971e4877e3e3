//! Fixtures shared by the trust-data tests: a root, issuers, signed trust lists, status
//! lists and credentials that refer to them. Fixed seeds, so everything is deterministic.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ikd_sdk::status_list::{self, StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::{RootKey, StatusListRef};
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, KeyStatus, Policy, StatusList, StatusReference,
    TrustAnchors, TrustEntry, TrustList, TrustedKey, UnixTime, Validity,
};

/// The default policy, except that every document type may be shown bare: the credentials
/// here are bare KTP-els, and these tests are about trust data, not holder binding.
pub fn bare_policy() -> Policy {
    Policy::default().with_bare_credentials(DocTypeSet::all())
}

/// Issue time of credentials and lists (2026-09-21T14:13:20Z).
pub const T0: i64 = 1_790_000_000;
pub const DAY: i64 = 86_400;
pub const ISSUER_A: &str = "ID-DUKCAPIL-3273";
pub const ISSUER_C: &str = "ID-DUKCAPIL-3204";
pub const URI_A1: &str = "https://ikd.example/status/3273/1";
pub const URI_A2: &str = "https://ikd.example/status/3273/2";
pub const URI_C1: &str = "https://ikd.example/status/3204/1";
pub const FILE_A1: &str = "3273-1.cwt";
pub const FILE_A2: &str = "3273-2.cwt";
pub const FILE_C1: &str = "3204-1.cwt";

pub fn root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x44; 32])
}

pub fn successor_root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x45; 32])
}

pub fn stranger_root() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x46; 32])
}

pub fn anchors() -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add(RootKey {
        name: "Root 2026".into(),
        key: root().public_key(),
    });
    anchors
}

pub fn key_a() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x11; 32])
}

pub fn key_c() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x33; 32])
}

/// A key the second trust list marks compromised.
pub fn key_d() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x66; 32])
}

pub fn entry(key: &IssuerSigningKey, issuer: &str, status: KeyStatus) -> TrustEntry {
    TrustEntry {
        key: TrustedKey {
            issuer: issuer.into(),
            name: format!("Disdukcapil {issuer}"),
            key: key.public_key(),
            valid_from: UnixTime(T0 - 365 * DAY),
            valid_until: UnixTime(T0 + 365 * DAY),
            doc_types: DocTypeSet::all(),
        },
        status,
        region_code: Some(3273),
    }
}

/// Trust list `sequence`, issued at `issued_at`, next update a week later, with issuers A
/// and C (and D, under issuer A, with `d_status`), naming status lists A1, A2 and C1.
pub fn trust_list(sequence: u64, issued_at: i64, d_status: KeyStatus) -> TrustList {
    TrustList {
        sequence,
        issued_at: UnixTime(issued_at),
        next_update: UnixTime(issued_at + 7 * DAY),
        entries: vec![
            entry(&key_a(), ISSUER_A, KeyStatus::Active),
            entry(&key_c(), ISSUER_C, KeyStatus::Active),
            entry(&key_d(), ISSUER_A, d_status),
        ],
        status_lists: vec![
            StatusListRef {
                uri: URI_A1.into(),
                file: FILE_A1.into(),
                issuer: ISSUER_A.into(),
            },
            StatusListRef {
                uri: URI_A2.into(),
                file: FILE_A2.into(),
                issuer: ISSUER_A.into(),
            },
            StatusListRef {
                uri: URI_C1.into(),
                file: FILE_C1.into(),
                issuer: ISSUER_C.into(),
            },
        ],
        successor_roots: Vec::new(),
    }
}

pub fn signed_list(sequence: u64, issued_at: i64) -> Vec<u8> {
    trust_list(sequence, issued_at, KeyStatus::Active)
        .sign(&root())
        .unwrap()
}

/// A 1-bit list of 1024 entries with `revoked` set.
pub fn one_bit(revoked: &[u64]) -> StatusList {
    let mut list = StatusList::new(1, 1024).unwrap();
    for &i in revoked {
        list.set(i, status_list::INVALID).unwrap();
    }
    list
}

/// A 2-bit list of 1024 entries with `(index, status)` set.
pub fn two_bit(statuses: &[(u64, u8)]) -> StatusList {
    let mut list = StatusList::new(2, 1024).unwrap();
    for &(i, s) in statuses {
        list.set(i, s).unwrap();
    }
    list
}

/// A status list token for `uri`, signed by `key` for `issuer`, issued at `issued_at`,
/// expiring `life` seconds later.
pub fn status_token(
    key: &IssuerSigningKey,
    issuer: &str,
    uri: &str,
    issued_at: i64,
    life: i64,
    list: &StatusList,
) -> Vec<u8> {
    let issue = StatusListIssue {
        issuer,
        uri,
        issued_at: UnixTime(issued_at),
        expires_at: Some(UnixTime(issued_at + life)),
        ttl_seconds: Some(43_200),
    };
    sign_status_list(key, &issue, list).unwrap()
}

pub fn ktp() -> Document {
    serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap()
}

/// A KTP-el QR text from issuer A (key `key`), valid for 30 days from [`T0`], with a
/// status reference if given.
pub fn credential(key: &IssuerSigningKey, status: Option<(&str, u64)>) -> String {
    credential_at(key, T0, status)
}

pub fn credential_at(key: &IssuerSigningKey, iat: i64, status: Option<(&str, u64)>) -> String {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&key.to_seed()), ISSUER_A).unwrap();
    let reference = status.map(|(uri, index)| StatusReference {
        index,
        uri: uri.into(),
    });
    let (credential, _) = issuer
        .issue(
            &ktp(),
            Validity::for_seconds(UnixTime(iat), 30 * DAY),
            &ikd_sdk::IssueOptions {
                status: reference.clone(),
                ..ikd_sdk::IssueOptions::default().with_credential_id(vec![7; 8])
            },
        )
        .unwrap();
    credential.to_qr_text()
}

/// A temporary folder, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ikd-sdk-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
