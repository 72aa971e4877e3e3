//! Fixtures the fuzz targets and the seed generator share: fixed keys, trust stores, a
//! COSE_Sign1 builder, and scan limits small enough for a fuzzer.
//!
//! Everything here is built from constants, so a crash found on one machine reproduces on
//! another. A fixture that cannot be built is a bug in the fixture, hence the `expect`s.
#![allow(clippy::expect_used)]

use ikd_sdk::demo::DemoData;
use ikd_sdk::scan::ScanOptions;
use ikd_sdk::unstable_wire::cose;
use ikd_sdk::{
    DocTypeSet, HolderAlg, HolderSigningKey, Issuer, IssuerSigningKey, Policy, StatusListToken,
    TrustStore, TrustedKey, UnixTime, Validity,
};
use std::sync::OnceLock;
use std::time::Duration;

/// The time every target verifies at: the conformance vectors' `now`.
pub const NOW: UnixTime = UnixTime(1_790_003_600);
/// When the fixtures' credentials were issued: an hour before [`NOW`].
pub const ISSUED: UnixTime = UnixTime(NOW.0 - 3600);
/// The issuer of the single-key fixture.
pub const FUZZ_ISSUER: &str = "ID-DEMO-3273";

const VALID: &str = include_str!("../../conformance/vectors/valid.json");
const TRUST: &str = include_str!("../../conformance/vectors/trust.json");

/// Demo data signed by fixed keys (one per document type) and a fixed ES256 phone key.
pub fn demo() -> &'static DemoData {
    static DEMO: OnceLock<DemoData> = OnceLock::new();
    DEMO.get_or_init(|| {
        let holder =
            HolderSigningKey::from_secret(HolderAlg::Es256, &[9; 32]).expect("fixed holder key");
        DemoData::with_keys(ISSUED, holder, |t| {
            Ok(IssuerSigningKey::from_seed(&[t.number() + 100; 32]))
        })
        .expect("demo data from fixed keys")
    })
}

/// The conformance vectors' `main` trust store, the demo keys, and the conformance status
/// lists that verify against them: a store in which most seeds reach the deep stages.
pub fn filled_store() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let valid: serde_json::Value = serde_json::from_str(VALID).expect("valid.json");
        let main = valid
            .pointer("/trust_stores/main")
            .expect("the main trust store")
            .to_string();
        let mut store = TrustStore::from_json(&main).expect("the main trust store");
        for key in demo().trust.keys() {
            store.add(key.clone());
        }
        for list in entries(TRUST, "status_lists") {
            let token = list.get("token").and_then(|v| v.as_str());
            let Some(bytes) = token.and_then(ikd_sdk::encoding::hex_decode) else {
                continue;
            };
            if let Ok(token) = StatusListToken::verify(&bytes, &store) {
                store.add_status_list(token.into());
            }
        }
        store
    })
}

/// The values of the object `member` of a conformance vector file.
fn entries(file: &str, member: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(file).expect("a vector file");
    match value.get(member) {
        Some(serde_json::Value::Object(map)) => map.values().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The root keys of the conformance trust lists.
pub fn trust_list_roots() -> &'static [ikd_sdk::IssuerPublicKey] {
    static ROOTS: OnceLock<Vec<ikd_sdk::IssuerPublicKey>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = Vec::new();
        for list in entries(TRUST, "trust_lists") {
            let list_roots = list.get("roots").and_then(|v| v.as_array());
            for root in list_roots.into_iter().flatten() {
                let key = root
                    .as_str()
                    .and_then(ikd_sdk::encoding::hex_decode)
                    .and_then(|raw| ikd_sdk::IssuerPublicKey::from_bytes(&raw).ok());
                if let Some(key) = key
                    && !roots.contains(&key)
                {
                    roots.push(key);
                }
            }
        }
        roots
    })
}

/// One issuer key trusted for every document type, and the protected header its
/// credentials carry: the fuzzer writes a payload and the target signs it, so that the
/// claim decoders behind the signature check are reached.
pub struct SingleKey {
    /// The signing key.
    pub key: IssuerSigningKey,
    /// A store trusting only this key, for every document type.
    pub store: TrustStore,
    /// The protected header bytes of a credential this key signed.
    pub protected: Vec<u8>,
}

/// The [`SingleKey`] fixture.
pub fn single_key() -> &'static SingleKey {
    static SINGLE: OnceLock<SingleKey> = OnceLock::new();
    SINGLE.get_or_init(|| {
        let key = IssuerSigningKey::from_seed(&[42; 32]);
        let mut store = TrustStore::new();
        store.add(TrustedKey {
            issuer: FUZZ_ISSUER.into(),
            name: "Fuzz issuer".into(),
            key: key.public_key(),
            valid_from: UnixTime(NOW.0 - 86_400),
            valid_until: UnixTime(NOW.0 + 86_400 * 365),
            doc_types: DocTypeSet::all(),
        });
        let issuer =
            Issuer::new(IssuerSigningKey::from_seed(&[42; 32]), FUZZ_ISSUER).expect("fixed issuer");
        let document: ikd_sdk::Document =
            serde_json::from_str(ikd_sdk::samples::KK_4_JSON).expect("KK sample");
        let (credential, _) = issuer
            .issue(
                &document,
                Validity::for_seconds(ISSUED, 86_400),
                &ikd_sdk::IssueOptions::default(),
            )
            .expect("KK credential");
        let protected = cose::parse(credential.as_bytes())
            .expect("own credential")
            .protected_bytes()
            .to_vec();
        SingleKey {
            key,
            store,
            protected,
        }
    })
}

/// The protected header bytes of a presentation the demo phone signed.
pub fn presentation_protected() -> &'static [u8] {
    static PROTECTED: OnceLock<Vec<u8>> = OnceLock::new();
    PROTECTED.get_or_init(|| {
        let data = demo();
        let credential = data.credential("ktp").expect("KTP sample");
        let presentation = ikd_sdk::present(&credential.credential, &data.holder, NOW, 90, None)
            .expect("presentation");
        cose::parse(presentation.as_bytes())
            .expect("own presentation")
            .protected_bytes()
            .to_vec()
    })
}

/// A policy accepting bare credentials of every type, so that a bare KTP-el is judged on
/// its content rather than refused for being bare.
pub fn bare_policy() -> Policy {
    Policy::new().with_bare_credentials(DocTypeSet::all())
}

/// Appends a CBOR head of major type `major` with argument `len`.
fn push_head(out: &mut Vec<u8>, major: u8, len: usize) {
    let major = major << 5;
    let len = len as u64;
    if len < 24 {
        out.push(major | len as u8);
    } else if len <= 0xFF {
        out.extend([major | 24, len as u8]);
    } else if len <= 0xFFFF {
        out.push(major | 25);
        out.extend((len as u16).to_be_bytes());
    } else if len <= 0xFFFF_FFFF {
        out.push(major | 26);
        out.extend((len as u32).to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend(len.to_be_bytes());
    }
}

fn push_bstr(out: &mut Vec<u8>, bytes: &[u8]) {
    push_head(out, 2, bytes.len());
    out.extend_from_slice(bytes);
}

/// The Sig_structure `["Signature1", protected, h'', payload]` (RFC 9052 §4.4).
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 24);
    out.push(0x84);
    push_head(&mut out, 3, 10);
    out.extend_from_slice(b"Signature1");
    push_bstr(&mut out, protected);
    push_bstr(&mut out, &[]);
    push_bstr(&mut out, payload);
    out
}

/// A tagged COSE_Sign1 of `payload` under `protected`, signed by `sign`, with an empty
/// unprotected header.
pub fn sign1(protected: &[u8], payload: &[u8], sign: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let signature = sign(&sig_structure(protected, payload));
    let mut out = Vec::with_capacity(protected.len() + payload.len() + signature.len() + 16);
    out.extend([0xD2, 0x84]);
    push_bstr(&mut out, protected);
    out.push(0xA0);
    push_bstr(&mut out, payload);
    push_bstr(&mut out, &signature);
    out
}

/// Scan options small enough that a decompression bomb cannot exhaust the fuzzer's
/// memory and each input finishes in milliseconds.
pub fn scan_options() -> ScanOptions {
    let mut options = ScanOptions::default();
    options.time_budget = Some(Duration::from_millis(50));
    options.max_work_side = 512;
    options.limits.max_file_bytes = 1 << 20;
    options.limits.max_width = 2048;
    options.limits.max_height = 2048;
    options.limits.max_pixels = 1 << 20;
    options.limits.max_decoder_bytes = 16 << 20;
    options.limits.max_pdf_pages = 4;
    options.limits.max_pdf_images = 4;
    options
}
