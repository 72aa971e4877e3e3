#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Public test vectors run against the SDK: Wycheproof Ed25519, the COSE WG Sign1 and EdDSA
//! examples, and the RFC 9285 Base45 examples. The data lives in `tests/vectors/` (see its
//! README for sources and licences).

use base64::Engine as _;
use ciborium::Value as Cbor;
use coset::{AsCborValue as _, CoseSign, CoseSign1, ProtectedHeader, iana};
use ikd_sdk::IssuerPublicKey;
use ikd_sdk::crypto::verify_es256;
use ikd_sdk::reason;
use ikd_sdk::unstable_wire::base45;
use ikd_sdk::unstable_wire::cose::{self, MessageType};
use ikd_sdk::{Policy, TrustStore, UnixTime, transport};
use ikd_sdk::{Reason, Stage};
use serde_json::Value as Json;
use std::collections::BTreeSet;

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap()
}

fn hex_field(value: &Json) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Wycheproof Ed25519
// ---------------------------------------------------------------------------------------

/// Wycheproof vectors whose outcome under the SDK's strict Ed25519 differs from the file,
/// by design, as (tcId, why). Empty: the strict checks agree with every vector.
const WYCHEPROOF_DIVERGENCES: &[(u64, &str)] = &[];

#[test]
fn wycheproof_ed25519_through_the_sdk_crypto_module() {
    let file = json(include_str!("vectors/wycheproof/ed25519_test.json"));
    assert_eq!(file["algorithm"], "EDDSA");
    let mut tested = 0u64;
    let (mut valid_verified, mut invalid_rejected, mut refused_keys) = (0u64, 0u64, 0u64);
    let mut divergences: Vec<(u64, String)> = Vec::new();
    for group in file["testGroups"].as_array().unwrap() {
        assert_eq!(group["publicKey"]["curve"], "edwards25519");
        let key = IssuerPublicKey::from_bytes(&hex_field(&group["publicKey"]["pk"]));
        for test in group["tests"].as_array().unwrap() {
            tested += 1;
            let id = test["tcId"].as_u64().unwrap();
            let msg = hex_field(&test["msg"]);
            let sig = hex_field(&test["sig"]);
            let accepted = match &key {
                Ok(key) => key.verify_strict(&msg, &sig),
                Err(_) => {
                    refused_keys += 1;
                    false
                }
            };
            let expected = match test["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: unexpected result {other:?}"),
            };
            match (expected, accepted) {
                (true, true) => valid_verified += 1,
                (false, false) => invalid_rejected += 1,
                _ => divergences.push((id, test["comment"].as_str().unwrap_or("").to_owned())),
            }
        }
    }
    assert_eq!(tested, file["numberOfTests"].as_u64().unwrap());
    assert_eq!(tested, 151);
    let expected: Vec<u64> = WYCHEPROOF_DIVERGENCES.iter().map(|(id, _)| *id).collect();
    let found: Vec<u64> = divergences.iter().map(|(id, _)| *id).collect();
    assert_eq!(found, expected, "divergences: {divergences:?}");
    assert_eq!(valid_verified, 88);
    assert_eq!(invalid_rejected, 63);
    // Every Wycheproof public key is a valid point of large order.
    assert_eq!(refused_keys, 0);
}

// ---------------------------------------------------------------------------------------
// COSE WG examples
// ---------------------------------------------------------------------------------------

/// One COSE WG example, with what the IKD profile must say about it.
struct CoseCase {
    file: &'static str,
    text: &'static str,
    /// What generic COSE verification concludes (must agree with the file's `fail`).
    generic: Expect,
    /// The exact reason `cose::parse` + `check_header(Credential)` gives.
    profile: Reason,
    /// Why the profile rejects it.
    why: &'static str,
}

macro_rules! cose_case {
    ($file:literal, $generic:expr, $profile:expr, $why:literal) => {
        CoseCase {
            file: $file,
            text: include_str!(concat!("vectors/cose-wg/", $file)),
            generic: $generic,
            profile: $profile,
            why: $why,
        }
    };
}

fn cose_cases() -> Vec<CoseCase> {
    vec![
        cose_case!(
            "sign1-tests/sign-fail-01.json",
            Expect::Rejected(Why::Tag),
            Reason::CoseTagWrong { tag: 998 },
            "the message is tagged 998, not 18"
        ),
        cose_case!(
            "sign1-tests/sign-fail-02.json",
            Expect::Rejected(Why::Signature),
            Reason::AlgUnsupported,
            "alg ES256 (-7): issuer signatures are EdDSA only"
        ),
        cose_case!(
            "sign1-tests/sign-fail-03.json",
            // coset refuses an alg value IANA has not assigned while parsing the header.
            Expect::Rejected(Why::Structure),
            Reason::AlgUnsupported,
            "alg -999 is not EdDSA"
        ),
        cose_case!(
            "sign1-tests/sign-fail-04.json",
            Expect::Rejected(Why::Algorithm),
            Reason::AlgUnsupported,
            "alg \"unknown\" (a text label) is not EdDSA"
        ),
        cose_case!(
            "sign1-tests/sign-fail-06.json",
            Expect::Rejected(Why::Signature),
            Reason::AlgUnsupported,
            "alg ES256 is checked before the extra content type in the protected header"
        ),
        cose_case!(
            "sign1-tests/sign-fail-07.json",
            Expect::Rejected(Why::Signature),
            Reason::AlgUnsupported,
            "alg ES256 (-7): issuer signatures are EdDSA only"
        ),
        cose_case!(
            "sign1-tests/sign-pass-01.json",
            Expect::Verified,
            Reason::AlgUnprotected,
            "the protected header is an empty map and alg sits in the unprotected header"
        ),
        cose_case!(
            "sign1-tests/sign-pass-02.json",
            Expect::Verified,
            Reason::AlgUnsupported,
            "alg ES256 (-7): issuer signatures are EdDSA only"
        ),
        cose_case!(
            "sign1-tests/sign-pass-03.json",
            Expect::Verified,
            Reason::CoseTagMissing,
            "an untagged COSE_Sign1; the profile requires tag 18"
        ),
        cose_case!(
            "eddsa-examples/eddsa-01.json",
            Expect::Verified,
            Reason::CoseTagWrong { tag: 98 },
            "a COSE_Sign (tag 98), not a COSE_Sign1"
        ),
        cose_case!(
            "eddsa-examples/eddsa-02.json",
            Expect::Unsupported,
            Reason::CoseTagWrong { tag: 98 },
            "a COSE_Sign (tag 98), not a COSE_Sign1"
        ),
        cose_case!(
            "eddsa-examples/eddsa-sig-01.json",
            Expect::Verified,
            Reason::UnprotectedHeaderNotEmpty,
            "alg EdDSA is fine, but kid sits in the unprotected header (checked before ctyp)"
        ),
        cose_case!(
            "eddsa-examples/eddsa-sig-02.json",
            Expect::Unsupported,
            Reason::UnprotectedHeaderNotEmpty,
            "alg EdDSA is fine, but kid sits in the unprotected header"
        ),
    ]
}

/// Files the generic verifier cannot check, by design, as (file, why).
const COSE_GENERIC_DIVERGENCES: &[(&str, &str)] = &[
    (
        "eddsa-examples/eddsa-02.json",
        "Ed448: the SDK's crypto module implements Ed25519 only",
    ),
    (
        "eddsa-examples/eddsa-sig-02.json",
        "Ed448: the SDK's crypto module implements Ed25519 only",
    ),
];

/// Why generic verification rejected a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// A tag other than the one for the structure the example names.
    Tag,
    /// Not CBOR, or not the COSE structure (coset refuses it while parsing).
    Structure,
    /// An algorithm that does not exist, or does not fit the key.
    Algorithm,
    /// The signature does not verify.
    Signature,
}

/// What a generic COSE verifier concluded about one example.
#[derive(Debug, PartialEq, Eq)]
enum Generic {
    /// Every signature verified.
    Valid,
    /// The message or a signature was rejected.
    Invalid(Why, String),
    /// The message uses something our crypto does not implement.
    Unsupported(String),
}

/// The table's expectation for generic verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Verified,
    Rejected(Why),
    /// Recorded divergence: see [`COSE_GENERIC_DIVERGENCES`].
    Unsupported,
}

impl Generic {
    fn as_expect(&self) -> Expect {
        match self {
            Generic::Valid => Expect::Verified,
            Generic::Invalid(why, _) => Expect::Rejected(*why),
            Generic::Unsupported(_) => Expect::Unsupported,
        }
    }
}

/// A generic COSE verifier: the message as the example describes it (COSE_Sign1 for
/// `sign0`, COSE_Sign for `sign`), tagged or untagged, `alg` from either header, the key
/// from the file, `external` data when given. Returns the outcome and every Sig_structure
/// it built.
fn generic_verify(case: &Json) -> (Generic, Vec<Vec<u8>>) {
    let bytes = hex_field(&case["output"]["cbor"]);
    let value: Cbor = match ciborium::de::from_reader(bytes.as_slice()) {
        Ok(value) => value,
        Err(e) => {
            return (
                Generic::Invalid(Why::Structure, format!("not CBOR: {e}")),
                vec![],
            );
        }
    };
    let (tag, inner) = match value {
        Cbor::Tag(tag, inner) => (Some(tag), *inner),
        other => (None, other),
    };
    let input = &case["input"];
    if let Some(params) = input.get("sign0") {
        if tag.is_some_and(|t| t != 18) {
            return (
                Generic::Invalid(Why::Tag, format!("{tag:?} is not COSE_Sign1")),
                vec![],
            );
        }
        let mut message = match CoseSign1::from_cbor_value(inner) {
            Ok(message) => message,
            Err(e) => return (Generic::Invalid(Why::Structure, format!("{e:?}")), vec![]),
        };
        normalise_empty(&mut message.protected);
        let alg = message
            .protected
            .header
            .alg
            .clone()
            .or_else(|| message.unprotected.alg.clone());
        let tbs = message.tbs_data(&external(params));
        let outcome = check_signature(alg.as_ref(), &params["key"], &tbs, &message.signature);
        (outcome, vec![tbs])
    } else if let Some(params) = input.get("sign") {
        if tag.is_some_and(|t| t != 98) {
            return (
                Generic::Invalid(Why::Tag, format!("{tag:?} is not COSE_Sign")),
                vec![],
            );
        }
        let mut message = match CoseSign::from_cbor_value(inner) {
            Ok(message) => message,
            Err(e) => return (Generic::Invalid(Why::Structure, format!("{e:?}")), vec![]),
        };
        normalise_empty(&mut message.protected);
        let signers = params["signers"].as_array().unwrap();
        if signers.len() != message.signatures.len() || signers.is_empty() {
            return (
                Generic::Invalid(Why::Structure, "signer count".into()),
                vec![],
            );
        }
        let mut all_tbs = Vec::new();
        let mut outcome = Generic::Valid;
        for (i, signer) in signers.iter().enumerate() {
            let mut signature = message.signatures[i].clone();
            normalise_empty(&mut signature.protected);
            let alg = signature
                .protected
                .header
                .alg
                .clone()
                .or_else(|| signature.unprotected.alg.clone());
            let aad = [external(params), external(signer)].concat();
            let tbs = message.tbs_data(&aad, &signature);
            let result = check_signature(alg.as_ref(), &signer["key"], &tbs, &signature.signature);
            all_tbs.push(tbs);
            if outcome == Generic::Valid {
                outcome = result;
            }
        }
        (outcome, all_tbs)
    } else {
        panic!("example has neither sign0 nor sign")
    }
}

/// RFC 8152 §3: a protected header that decodes to an empty map is treated as the empty
/// byte string, which is what the COSE WG examples sign (sign-pass-01).
fn normalise_empty(protected: &mut ProtectedHeader) {
    if protected.header.is_empty() {
        protected.original_data = None;
    }
}

fn external(params: &Json) -> Vec<u8> {
    params.get("external").map(hex_field).unwrap_or_default()
}

fn b64url(value: &Json) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value.as_str().unwrap())
        .unwrap()
}

/// Checks a signature over a message, given as a closure over the message.
type Verifier<'a> = Box<dyn Fn(&[u8]) -> bool + 'a>;

fn check_signature(alg: Option<&coset::Algorithm>, key: &Json, tbs: &[u8], sig: &[u8]) -> Generic {
    let verifier: Verifier<'_> = match alg {
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) => {
            if key["kty"] != "EC" || key["crv"] != "P-256" {
                return Generic::Invalid(Why::Algorithm, "ES256 needs a P-256 key".into());
            }
            let sec1 = [vec![0x04], b64url(&key["x"]), b64url(&key["y"])].concat();
            assert_eq!(sec1.len(), 65);
            Box::new(move |m| verify_es256(&sec1, m, sig))
        }
        Some(coset::Algorithm::Assigned(iana::Algorithm::EdDSA)) => {
            match (key["kty"].as_str(), key["crv"].as_str()) {
                (Some("OKP"), Some("Ed25519")) => {
                    match IssuerPublicKey::from_bytes(&hex_field(&key["x_hex"])) {
                        Ok(public) => Box::new(move |m| public.verify_strict(m, sig)),
                        Err(e) => {
                            return Generic::Invalid(Why::Algorithm, format!("key refused: {e}"));
                        }
                    }
                }
                (Some("OKP"), Some("Ed448")) => {
                    return Generic::Unsupported("Ed448 is not implemented".into());
                }
                other => return Generic::Invalid(Why::Algorithm, format!("EdDSA key {other:?}")),
            }
        }
        Some(other) => return Generic::Invalid(Why::Algorithm, format!("alg {other:?}")),
        None => return Generic::Invalid(Why::Algorithm, "no alg".into()),
    };
    if !verifier(tbs) {
        return Generic::Invalid(Why::Signature, "does not verify".into());
    }
    // The verifier is not vacuous: one changed byte of the signed structure fails.
    let mut tampered = tbs.to_vec();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(!verifier(&tampered), "a tampered Sig_structure verified");
    Generic::Valid
}

fn file_names(dir: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/cose-wg")
        .join(dir);
    std::fs::read_dir(path)
        .unwrap()
        .map(|entry| format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".json"))
        .collect()
}

#[test]
fn cose_table_covers_every_copied_file() {
    let mut on_disk = file_names("sign1-tests");
    on_disk.extend(file_names("eddsa-examples"));
    let in_table: BTreeSet<String> = cose_cases().iter().map(|c| c.file.to_owned()).collect();
    assert_eq!(in_table, on_disk);
    assert_eq!(in_table.len(), 13);
}

#[test]
fn cose_wg_examples_generic_verification_matches_each_file() {
    let mut divergences = Vec::new();
    let (mut verified, mut rejected) = (0, 0);
    for case in cose_cases() {
        let example = json(case.text);
        let should_fail = example["fail"].as_bool().unwrap_or(false);
        // The table agrees with the file about what must happen.
        match case.generic {
            Expect::Verified | Expect::Unsupported => assert!(!should_fail, "{}", case.file),
            Expect::Rejected(_) => assert!(should_fail, "{}", case.file),
        }
        let (outcome, tbs) = generic_verify(&example);
        assert_eq!(
            outcome.as_expect(),
            case.generic,
            "{}: {outcome:?}",
            case.file
        );
        match outcome {
            Generic::Valid => {
                verified += 1;
                // For passing examples, the Sig_structure we built is the one in the file.
                let expected: Vec<Vec<u8>> = match example["intermediates"].get("signers") {
                    Some(signers) => signers
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| hex_field(&s["ToBeSign_hex"]))
                        .collect(),
                    None => vec![hex_field(&example["intermediates"]["ToBeSign_hex"])],
                };
                assert_eq!(tbs, expected, "{}: Sig_structure", case.file);
            }
            Generic::Invalid(..) => rejected += 1,
            Generic::Unsupported(why) => divergences.push((case.file, why)),
        }
    }
    let expected: Vec<&str> = COSE_GENERIC_DIVERGENCES.iter().map(|(f, _)| *f).collect();
    let found: Vec<&str> = divergences.iter().map(|(f, _)| *f).collect();
    assert_eq!(found, expected, "{divergences:?}");
    // sign-pass-01..03, eddsa-01, eddsa-sig-01 verify; the six sign-fail files do not.
    assert_eq!((verified, rejected), (5, 6));
}

#[test]
fn cose_wg_examples_are_all_rejected_by_the_ikd_profile() {
    for case in cose_cases() {
        let example = json(case.text);
        let bytes = hex_field(&example["output"]["cbor"]);
        let result = cose::parse(&bytes).and_then(|m| m.check_header(MessageType::Credential));
        assert_eq!(
            result,
            Err(case.profile.clone()),
            "{}: expected {} because {}",
            case.file,
            case.profile.code(),
            case.why
        );
        // The whole pipeline gives the same code, at the stage the registry names.
        let qr = transport::encode_qr_text(&bytes);
        let rejection = ikd_sdk::verify(
            &qr,
            &TrustStore::new(),
            UnixTime(1_800_000_000),
            &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
        )
        .unwrap_err();
        assert_eq!(rejection.reason(), &case.profile, "{}", case.file);
        let stage = reason::lookup(case.profile.code()).unwrap().stage;
        assert_eq!(rejection.stage(), stage);
        assert!(
            matches!(stage, Stage::Decode | Stage::Header),
            "{}",
            case.file
        );
    }
}

// ---------------------------------------------------------------------------------------
// RFC 9285 Base45
// ---------------------------------------------------------------------------------------

#[test]
fn rfc9285_base45_examples() {
    let file = json(include_str!("vectors/base45/rfc9285.json"));
    let valid = file["valid"].as_array().unwrap();
    for case in valid {
        let bytes = hex_field(&case["bytes_hex"]);
        let text = case["base45"].as_str().unwrap();
        assert_eq!(base45::encode(&bytes), text);
        assert_eq!(
            base45::decode(text.as_bytes()),
            Ok(bytes.clone()),
            "{text:?}"
        );
        // None of the examples starts like a zlib stream, so the transport returns them as is.
        assert_ne!(bytes.first(), Some(&0x78));
        assert_eq!(
            transport::decode_qr_text(&format!("{}{text}", transport::PREFIX)),
            Ok(bytes)
        );
    }
    assert_eq!(valid.len(), 5);

    let invalid = file["invalid"].as_array().unwrap();
    for case in invalid {
        let text = case["base45"].as_str().unwrap();
        let why = case["why"].as_str().unwrap();
        assert!(base45::decode(text.as_bytes()).is_err(), "{text:?}: {why}");
        let result = transport::decode_qr_text(&format!("IKD1:{text}"));
        assert_eq!(result, Err(Reason::Base45Invalid), "{text:?}: {why}");
        assert_eq!(result.unwrap_err().code(), "base45_invalid");
    }
    assert_eq!(invalid.len(), 5);
}
