#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Holder presentations end to end: every holder-binding rejection with its reason code,
//! challenges, replays, purpose profiles, and ES256 against the Wycheproof P-256 vectors.

use ciborium::Value;
use coset::{CborSerializable as _, CoseSign1Builder, HeaderBuilder, iana};
use ikd_sdk::HolderPublicKey;
use ikd_sdk::{Challenge, ReplayCache, present};
use ikd_sdk::{
    Credential, DocType, DocTypeSet, Document, HolderAlg, HolderSigningKey, IssueOptions, Issuer,
    IssuerSigningKey, Policy, Stage, StepOutcome, TrustStore, TrustedKey, UnixTime, Validity,
    transport,
};
use ikd_sdk::{VerifyOptions, verify_with};

const ISSUED: UnixTime = UnixTime(1_790_000_000);
const NOW: UnixTime = UnixTime(1_790_003_600);

fn issuer() -> Issuer {
    Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-3273").unwrap()
}

fn trust() -> TrustStore {
    trust_of(&issuer())
}

fn phone(alg: HolderAlg) -> HolderSigningKey {
    HolderSigningKey::from_secret(alg, &[9; 32]).unwrap()
}

fn document(json: &str) -> Document {
    serde_json::from_str(json).unwrap()
}

fn ktp() -> Document {
    document(ikd_sdk::samples::KTP_JSON)
}

fn credential(document: &Document, holder: Option<&HolderSigningKey>) -> Credential {
    let options = IssueOptions {
        holder_key: holder.map(HolderSigningKey::public_key),
        ..IssueOptions::default()
    };
    issuer()
        .issue(document, Validity::for_seconds(ISSUED, 86_400), &options)
        .unwrap()
        .0
}

fn check(qr: &str, now: UnixTime, options: &VerifyOptions<'_>) -> Result<(), String> {
    verify_with(qr, &trust(), now, &Policy::default(), options)
        .map(|_| ())
        .map_err(|r| r.code().to_owned())
}

fn code(qr: &str, now: UnixTime) -> String {
    check(qr, now, &VerifyOptions::default()).unwrap_err()
}

#[test]
fn presentations_by_ed25519_and_p256_phones_verify() {
    for alg in [HolderAlg::EdDsa, HolderAlg::Es256] {
        let phone = phone(alg);
        let credential = credential(&ktp(), Some(&phone));
        let shown = present(&credential, &phone, NOW, 90, None).unwrap();
        let verified = verify_with(
            &shown.to_qr_text(),
            &trust(),
            NOW,
            &Policy::default(),
            &VerifyOptions::default(),
        )
        .unwrap();
        let info = verified.presentation().unwrap();
        assert_eq!(info.alg, alg);
        assert_eq!(
            (info.issued_at, info.expires_at),
            (NOW, UnixTime(NOW.0 + 90))
        );
        assert_eq!(
            verified.trace().outcome(Stage::HolderBinding),
            StepOutcome::Passed
        );
        let report = ikd_sdk::Report::valid(&verified);
        assert_eq!(report.presentation.unwrap().alg, alg.name());
    }
}

#[test]
fn presentation_age_and_expiry() {
    let phone = phone(HolderAlg::Es256);
    let credential = credential(&ktp(), Some(&phone));
    let qr = present(&credential, &phone, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    // 90 s of life plus 30 s of leeway.
    assert_eq!(
        check(&qr, UnixTime(NOW.0 + 120), &VerifyOptions::default()),
        Ok(())
    );
    assert_eq!(code(&qr, UnixTime(NOW.0 + 121)), "presentation_expired");
    // A presentation made to last a day is still too old after the policy's 90 s.
    let long = present(&credential, &phone, NOW, 86_400, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(code(&long, UnixTime(NOW.0 + 121)), "presentation_expired");
    // One from the future, beyond the leeway.
    let early = present(&credential, &phone, UnixTime(NOW.0 + 31), 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(code(&early, NOW), "presentation_issued_in_future");
    // A policy that allows older presentations accepts it.
    let lenient = Policy::default().with_presentation_age(600, 30);
    assert!(
        verify_with(
            &long,
            &trust(),
            UnixTime(NOW.0 + 500),
            &lenient,
            &VerifyOptions::default()
        )
        .is_ok()
    );
}

#[test]
fn another_phone_cannot_present_the_credential() {
    let owner = phone(HolderAlg::Es256);
    let credential = credential(&ktp(), Some(&owner));
    let thief = HolderSigningKey::from_secret(HolderAlg::Es256, &[10; 32]).unwrap();
    let qr = present(&credential, &thief, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(code(&qr, NOW), "presentation_signature_invalid");
    // The right key bytes with the other algorithm are refused too.
    let ed = HolderSigningKey::from_secret(HolderAlg::EdDsa, &[9; 32]).unwrap();
    let qr = present(&credential, &ed, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(code(&qr, NOW), "presentation_signature_invalid");
}

#[test]
fn bare_and_unbound_credentials() {
    let phone = phone(HolderAlg::Es256);
    // A bound KTP-el shown bare, as a screenshot of the credential would be.
    let bound = credential(&ktp(), Some(&phone));
    assert_eq!(code(&bound.to_qr_text(), NOW), "presentation_required");
    // A bound credential is refused bare even where the policy accepts bare ones.
    let accept_all = Policy::default().with_bare_credentials(DocTypeSet::all());
    let refused = verify_with(
        &bound.to_qr_text(),
        &trust(),
        NOW,
        &accept_all,
        &VerifyOptions::default(),
    );
    assert_eq!(refused.unwrap_err().code(), "presentation_required");
    // An unbound KTP-el: refused bare by default, accepted by a policy that allows it.
    let unbound = credential(&ktp(), None);
    let rejection = verify_with(
        &unbound.to_qr_text(),
        &trust(),
        NOW,
        &Policy::default(),
        &VerifyOptions::default(),
    )
    .unwrap_err();
    assert_eq!(rejection.code(), "presentation_required");
    assert_eq!(rejection.stage(), Stage::HolderBinding);
    assert!(
        verify_with(
            &unbound.to_qr_text(),
            &trust(),
            NOW,
            &accept_all,
            &VerifyOptions::default()
        )
        .is_ok()
    );
    // Presenting a credential that names no phone key.
    let qr = present(&unbound, &phone, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(code(&qr, NOW), "holder_key_missing");
    // A printed KK is accepted bare by default; the holder-binding stage is skipped.
    let kk = credential(&document(ikd_sdk::samples::KK_4_JSON), None);
    let verified = verify_with(
        &kk.to_qr_text(),
        &trust(),
        NOW,
        &Policy::default(),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert!(verified.presentation().is_none());
    assert_eq!(
        verified.trace().outcome(Stage::HolderBinding),
        StepOutcome::Skipped
    );
}

#[test]
fn challenges_bind_nonce_and_audience() {
    let phone = phone(HolderAlg::EdDsa);
    let credential = credential(&ktp(), Some(&phone));
    let counter = Challenge::new("7KQ2-M9XD", Some("BANK-CABANG-01")).unwrap();
    let expect = VerifyOptions {
        challenge: Some(&counter),
        ..VerifyOptions::default()
    };
    let answered = present(&credential, &phone, NOW, 90, Some(&counter))
        .unwrap()
        .to_qr_text();
    assert_eq!(check(&answered, NOW, &expect), Ok(()));
    // Typed by the holder in lower case with the O/0 confusion: the same nonce.
    let typed = Challenge::parse("7kq2-m9xd").unwrap();
    assert_eq!(typed.nonce(), counter.nonce());
    // No nonce, another nonce, another audience, no audience.
    let none = present(&credential, &phone, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(check(&none, NOW, &expect), Err("nonce_mismatch".into()));
    let other = Challenge::new("AAAAAAAA", Some("BANK-CABANG-01")).unwrap();
    let wrong = present(&credential, &phone, NOW, 90, Some(&other))
        .unwrap()
        .to_qr_text();
    assert_eq!(check(&wrong, NOW, &expect), Err("nonce_mismatch".into()));
    for audience in [Some("BANK-CABANG-02"), None] {
        let elsewhere = Challenge::new("7KQ2M9XD", audience).unwrap();
        let qr = present(&credential, &phone, NOW, 90, Some(&elsewhere))
            .unwrap()
            .to_qr_text();
        assert_eq!(
            check(&qr, NOW, &expect),
            Err("audience_mismatch".into()),
            "{audience:?}"
        );
    }
    // A verifier that asked for nothing accepts a presentation that binds a challenge.
    assert_eq!(check(&answered, NOW, &VerifyOptions::default()), Ok(()));
}

#[test]
fn a_presentation_is_accepted_once_per_replay_cache() {
    let phone = phone(HolderAlg::Es256);
    let credential = credential(&ktp(), Some(&phone));
    let cache = ReplayCache::new(100);
    let with_cache = VerifyOptions {
        replay_cache: Some(&cache),
        ..VerifyOptions::default()
    };
    let qr = present(&credential, &phone, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(check(&qr, NOW, &with_cache), Ok(()));
    assert_eq!(
        check(&qr, UnixTime(NOW.0 + 5), &with_cache),
        Err("presentation_replayed".into())
    );
    // A fresh presentation of the same credential passes; another verifier's cache is its own.
    let fresh = present(&credential, &phone, UnixTime(NOW.0 + 30), 90, None)
        .unwrap()
        .to_qr_text();
    assert_eq!(check(&fresh, UnixTime(NOW.0 + 30), &with_cache), Ok(()));
    let other_counter = ReplayCache::new(100);
    let elsewhere = VerifyOptions {
        replay_cache: Some(&other_counter),
        ..VerifyOptions::default()
    };
    assert_eq!(check(&qr, UnixTime(NOW.0 + 5), &elsewhere), Ok(()));
    // The two accepted presentations are remembered.
    assert_eq!(cache.len(), 2);
}

/// A shared replay store out of reach, and one that records what it is asked.
#[derive(Debug, Default)]
struct SharedStore {
    reachable: bool,
    asked: std::sync::Mutex<Vec<([u8; 32], UnixTime)>>,
}

impl ikd_sdk::ReplayStore for SharedStore {
    fn remember(
        &self,
        id: &[u8; 32],
        forget_after: UnixTime,
        _now: UnixTime,
    ) -> Result<bool, ikd_sdk::ReplayStoreUnavailable> {
        self.asked.lock().unwrap().push((*id, forget_after));
        if self.reachable {
            Ok(true)
        } else {
            Err(ikd_sdk::ReplayStoreUnavailable)
        }
    }
}

#[test]
fn a_replay_store_that_cannot_answer_refuses_the_presentation() {
    let phone = phone(HolderAlg::EdDsa);
    let credential = credential(&ktp(), Some(&phone));
    let qr = present(&credential, &phone, NOW, 90, None)
        .unwrap()
        .to_qr_text();
    let down = SharedStore::default();
    let options = VerifyOptions {
        replay_cache: Some(&down),
        ..VerifyOptions::default()
    };
    assert_eq!(
        check(&qr, NOW, &options),
        Err("replay_check_unavailable".into())
    );
    // The store is asked last, after every other check, about the signature's hash, to be
    // kept until the presentation's expiry plus the leeway.
    let up = SharedStore {
        reachable: true,
        ..SharedStore::default()
    };
    let options = VerifyOptions {
        replay_cache: Some(&up),
        ..VerifyOptions::default()
    };
    assert_eq!(check(&qr, NOW, &options), Ok(()));
    let asked = up.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].1, UnixTime(NOW.0 + 90 + 30));
    assert_eq!(
        check(&qr, UnixTime(NOW.0 + 200), &options),
        Err("presentation_expired".into())
    );
    assert_eq!(
        up.asked.lock().unwrap().len(),
        1,
        "not asked for an expired one"
    );
}

#[test]
fn purpose_profiles_verify_and_a_policy_can_require_one() {
    let phone = phone(HolderAlg::Es256);
    let Document::Ktp(card) = ktp() else {
        unreachable!()
    };
    let profiles = [
        (
            DocType::Identity,
            Document::Identity(card.identity_profile(false)),
        ),
        (
            DocType::AgeOver17,
            Document::AgeOver17(card.age_profile(NOW.date())),
        ),
        (
            DocType::Domicile,
            Document::Domicile(card.domicile_profile()),
        ),
    ];
    let only_age =
        Policy::default().with_accepted_doc_types(DocTypeSet::NONE.with(DocType::AgeOver17));
    for (doc_type, profile) in profiles {
        let credential = credential(&profile, Some(&phone));
        let qr = present(&credential, &phone, NOW, 90, None)
            .unwrap()
            .to_qr_text();
        let verified = verify_with(
            &qr,
            &trust(),
            NOW,
            &Policy::default(),
            &VerifyOptions::default(),
        )
        .unwrap();
        assert_eq!(verified.document().doc_type(), doc_type);
        let report = ikd_sdk::Report::valid(&verified);
        assert_eq!(report.doc_type, Some(doc_type));
        let required = verify_with(&qr, &trust(), NOW, &only_age, &VerifyOptions::default());
        match doc_type {
            DocType::AgeOver17 => assert!(required.is_ok()),
            _ => assert_eq!(required.unwrap_err().code(), "doc_type_not_accepted"),
        }
    }
}

/// Signs a presentation envelope by hand: `protected` as given, `payload` as given.
fn forged(phone: &HolderSigningKey, protected: coset::Header, payload: Value) -> String {
    let mut bytes = Vec::new();
    ciborium::into_writer(&payload, &mut bytes).unwrap();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(bytes)
        .create_signature(b"", |tbs| phone.sign(tbs))
        .build();
    let mut cose = vec![0xD2];
    cose.extend(sign1.to_vec().unwrap());
    transport::encode_qr_text(&cose)
}

fn presentation_header(alg: iana::Algorithm) -> HeaderBuilder {
    HeaderBuilder::new()
        .algorithm(alg)
        .value(16, Value::from(0xFF02u64))
}

/// The credential's three signed parts, as a presentation carries them.
fn credential_parts(credential: &Credential) -> [Vec<u8>; 3] {
    let Value::Tag(18, inner) = decode(credential.as_bytes()) else {
        panic!("credential tag")
    };
    let Value::Array(parts) = *inner else {
        panic!("credential array")
    };
    [0, 2, 3].map(|i| parts[i].as_bytes().unwrap().clone())
}

#[test]
fn malformed_presentations_are_refused_with_their_codes() {
    let phone = phone(HolderAlg::EdDsa);
    let credential = credential(&ktp(), Some(&phone));
    let fields = |parts: [Vec<u8>; 3], rest: [i64; 2]| {
        let mut fields: Vec<Value> = parts.into_iter().map(Value::Bytes).collect();
        fields.extend(rest.map(Value::from));
        Value::Array(fields)
    };
    let payload = || fields(credential_parts(&credential), [NOW.0, 90]);
    let header = || presentation_header(iana::Algorithm::EdDSA).build();
    // The well-formed shape passes, so each failure below is its own.
    let ok = forged(&phone, header(), payload());
    assert_eq!(check(&ok, NOW, &VerifyOptions::default()), Ok(()));
    let map = forged(
        &phone,
        header(),
        Value::Map(vec![(
            Value::from(1),
            Value::Bytes(credential.as_bytes().to_vec()),
        )]),
    );
    assert_eq!(code(&map, NOW), "presentation_malformed");
    let negative_lifetime = forged(
        &phone,
        header(),
        fields(credential_parts(&credential), [NOW.0, -1]),
    );
    assert_eq!(code(&negative_lifetime, NOW), "presentation_malformed");
    // The whole tagged credential in one element, not its parts.
    let whole = forged(
        &phone,
        header(),
        Value::Array(vec![
            Value::Bytes(credential.as_bytes().to_vec()),
            NOW.0.into(),
            90.into(),
        ]),
    );
    assert_eq!(code(&whole, NOW), "presentation_malformed");
    // A protected header that is not a CBOR map.
    let [_, claims, signature] = credential_parts(&credential);
    let not_a_header = forged(
        &phone,
        header(),
        fields([vec![0x80], claims, signature], [NOW.0, 90]),
    );
    assert_eq!(code(&not_a_header, NOW), "cose_malformed");
    // Header rules: a kid is not allowed; ES384 is not a holder algorithm.
    let with_kid = presentation_header(iana::Algorithm::EdDSA)
        .key_id(vec![1; 8])
        .build();
    assert_eq!(
        code(&forged(&phone, with_kid, payload()), NOW),
        "protected_header_unexpected"
    );
    let es384 = presentation_header(iana::Algorithm::ES384).build();
    assert_eq!(
        code(&forged(&phone, es384, payload()), NOW),
        "alg_unsupported"
    );
    // A credential inside a presentation is checked like a bare one: a tampered one fails
    // at the issuer's signature, before the phone's is looked at.
    let [protected, claims, mut signature] = credential_parts(&credential);
    signature[63] ^= 1;
    let qr = forged(
        &phone,
        header(),
        fields([protected, claims, signature], [NOW.0, 90]),
    );
    assert_eq!(code(&qr, NOW), "signature_invalid");
}

// ---------------------------------------------------------------------------------------
// Wycheproof ECDSA P-256 / SHA-256, P1363 (raw r ‖ s) signatures: the form COSE ES256 uses.
// ---------------------------------------------------------------------------------------

#[test]
fn wycheproof_p256_through_the_sdk_es256_check() {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json"
    ))
    .unwrap();
    assert_eq!(file["algorithm"], "ECDSA");
    let (mut tested, mut valid_verified, mut invalid_rejected) = (0u64, 0u64, 0u64);
    let mut divergences = Vec::new();
    for group in file["testGroups"].as_array().unwrap() {
        assert_eq!(group["publicKey"]["curve"], "secp256r1");
        assert_eq!(group["sha"], "SHA-256");
        let sec1 = hex::decode(group["publicKey"]["uncompressed"].as_str().unwrap()).unwrap();
        let key = HolderPublicKey::p256_sec1(&sec1).unwrap();
        // The compressed COSE_Key form names the same key.
        let compressed = key.to_bytes();
        assert_eq!(compressed.len(), 33);
        assert_eq!(
            HolderPublicKey::p256_compressed(&compressed[1..], compressed[0] == 3).unwrap(),
            key
        );
        for test in group["tests"].as_array().unwrap() {
            tested += 1;
            let msg = hex::decode(test["msg"].as_str().unwrap()).unwrap();
            let sig = hex::decode(test["sig"].as_str().unwrap()).unwrap();
            let accepted = key.verify(&msg, &sig);
            match (test["result"].as_str().unwrap(), accepted) {
                ("valid", true) => valid_verified += 1,
                ("invalid", false) => invalid_rejected += 1,
                _ => divergences.push(test["tcId"].as_u64().unwrap()),
            }
        }
    }
    assert_eq!(tested, file["numberOfTests"].as_u64().unwrap());
    assert_eq!(tested, 262);
    assert_eq!(divergences, Vec::<u64>::new());
    assert_eq!((valid_verified, invalid_rejected), (173, 89));
}

// ---------------------------------------------------------------------------------------
// spec/format.md §17.7: the worked example.
// ---------------------------------------------------------------------------------------

/// CBOR diagnostic notation of the small values this example holds.
fn diagnostic(value: &Value) -> String {
    match value {
        Value::Integer(i) => i128::from(*i).to_string(),
        Value::Bytes(b) => format!("h'{}'", hex::encode(b)),
        Value::Text(t) => format!("{t:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Tag(tag, inner) => format!("{tag}({})", diagnostic(inner)),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(diagnostic).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", diagnostic(k), diagnostic(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("{other:?}"),
    }
}

fn decode(bytes: &[u8]) -> Value {
    ciborium::from_reader(bytes).unwrap()
}

fn worked_example() -> String {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273").unwrap();
    let phone = phone(HolderAlg::Es256);
    let options = IssueOptions {
        credential_id: ikd_sdk::CredentialId::Given(vec![1, 2, 3, 4, 5, 6, 7, 8]),
        holder_key: Some(phone.public_key()),
        ..IssueOptions::default()
    };
    let (credential, _) = issuer
        .issue(
            &ktp(),
            Validity::for_seconds(ISSUED, 365 * 86_400),
            &options,
        )
        .unwrap();
    let challenge = Challenge::new("7KQ2M9XD", Some("BANK-CABANG-01")).unwrap();
    let shown = present(&credential, &phone, NOW, 90, Some(&challenge)).unwrap();
    let Value::Tag(18, envelope) = decode(shown.as_bytes()) else {
        panic!("not tag 18")
    };
    let Value::Array(parts) = *envelope else {
        panic!("not an array")
    };
    let protected = decode(parts[0].as_bytes().unwrap());
    let payload = decode(parts[2].as_bytes().unwrap());
    let Value::Array(fields) = &payload else {
        panic!("payload is not an array")
    };
    let cnf = match decode(credential.as_bytes()) {
        Value::Tag(18, inner) => match *inner {
            Value::Array(parts) => match decode(parts[2].as_bytes().unwrap()) {
                Value::Map(claims) => claims
                    .into_iter()
                    .find(|(k, _)| k.as_integer() == Some(8.into()))
                    .map(|(_, v)| v)
                    .unwrap(),
                _ => panic!("claims"),
            },
            _ => panic!("credential"),
        },
        _ => panic!("credential tag"),
    };
    let fields_diag: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let bytes = || hex::encode(v.as_bytes().unwrap());
            let (value, comment) = match i {
                0 => (
                    format!("h'{}'", bytes()),
                    " ; the credential's protected header",
                ),
                1 => (
                    "h'…'".to_owned(),
                    " ; the credential's claims (those of §14, with `cnf`)",
                ),
                2 => (format!("h'{}'", bytes()), " ; the credential's signature"),
                4 => (diagnostic(v), " ; lifetime in seconds"),
                _ => (diagnostic(v), ""),
            };
            let comma = if i + 1 < fields.len() { "," } else { "" };
            format!("{value}{comma}{comment}")
        })
        .collect();
    let verified = verify_with(
        &shown.to_qr_text(),
        &trust_of(&issuer),
        NOW,
        &Policy::default(),
        &VerifyOptions {
            challenge: Some(&challenge),
            ..VerifyOptions::default()
        },
    );
    assert!(verified.is_ok(), "the worked example verifies");
    let hex_lines: Vec<String> = hex::encode(shown.as_bytes())
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    format!(
        "The credential's `cnf` claim:\n\n```\n8: {}\n```\n\n\
         The presentation ({} bytes; the QR text is {} characters, QR version 16 at ECC M), in \
         diagnostic notation:\n\n```\n18([\n  h'{}', ; {}\n  {{}},\n  h'…', ; [\n    {}\n  ]\n  h'{}'\n])\n```\n\n\
         In hex:\n\n```\n{}\n```\n\n\
         Verified at 1790003600 with that challenge, it is valid; at 1790003721 it is \
         `presentation_expired`; a second verification with the same replay cache is \
         `presentation_replayed`.\n",
        diagnostic(&cnf),
        shown.as_bytes().len(),
        shown.to_qr_text().len(),
        hex::encode(parts[0].as_bytes().unwrap()),
        diagnostic(&protected),
        fields_diag.join("\n    "),
        hex::encode(parts[3].as_bytes().unwrap()),
        hex_lines.join("\n"),
    )
}

fn trust_of(issuer: &Issuer) -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add(TrustedKey {
        issuer: issuer.id().into(),
        name: "Disdukcapil Kota Bandung".into(),
        key: issuer.key().public_key(),
        valid_from: UnixTime(0),
        valid_until: UnixTime(2_000_000_000),
        doc_types: DocTypeSet::all(),
    });
    trust
}

#[test]
fn worked_example_in_the_spec_is_current() {
    let rendered = worked_example();
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/format.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\r\n", "\n");
    let start = "<!-- presentation-example:start -->\n";
    let end = "<!-- presentation-example:end -->";
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    if std::env::var("UPDATE_SPEC").is_ok_and(|v| v == "1") {
        std::fs::write(
            &path,
            format!("{}{}{}", &text[..from], rendered, &text[to..]),
        )
        .unwrap();
        return;
    }
    assert!(
        text[from..to] == rendered,
        "spec/format.md §17.7 is stale: run `UPDATE_SPEC=1 cargo test -p ikd-sdk --test presentation`\n{rendered}"
    );
}
