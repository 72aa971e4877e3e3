#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! `ikd receipt verify`: a receipt checked offline against the verifier's public key, as
//! bytes and as QR text; tampering and the wrong key refused with their codes, and nothing
//! of the receipt's personal data on standard error.

mod common;

use common::{TempDir, code, ikd, stderr, stdout};
use ikd_sdk::disclosure::{IDENTITY, KYC};
use ikd_sdk::receipt::{ReceiptOptions, receipt_qr_text};
use ikd_sdk::{
    DocTypeSet, Document, IssueOptions, Issuer, IssuerSigningKey, Policy, ReceiptSigner,
    TrustStore, TrustedKey, UnixTime, Validity, encoding, verify,
};

const NOW: UnixTime = UnixTime(1_790_000_600);
const NAME: &str = "SITI NURHALIZA PUTRI";
const NIK: &str = "3273015708920003";

fn verifier_key() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&[0x31; 32])
}

fn public_hex(key: &IssuerSigningKey) -> String {
    encoding::hex_encode(&key.public_key().to_bytes())
}

/// A receipt of a verified KTP-el for `purpose`.
fn receipt(purpose: &ikd_sdk::disclosure::Purpose) -> Vec<u8> {
    let issuer_key = IssuerSigningKey::from_seed(&[0x32; 32]);
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[0x32; 32]), "ID-DUKCAPIL-3273").unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(UnixTime(1_790_000_000), 86_400),
            &IssueOptions::default(),
        )
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add(TrustedKey {
        issuer: "ID-DUKCAPIL-3273".into(),
        name: "Disdukcapil Kota Bandung".into(),
        key: issuer_key.public_key(),
        valid_from: UnixTime(1_700_000_000),
        valid_until: UnixTime(1_900_000_000),
        doc_types: DocTypeSet::all(),
    });
    let policy = Policy::default().with_bare_credentials(DocTypeSet::all());
    let result = verify(&credential.to_qr_text(), &trust, NOW, &policy);
    let signer = ReceiptSigner::new("KECAMATAN-COBLONG-01", verifier_key(), vec![7; 32]).unwrap();
    signer
        .sign(&result, purpose, NOW, &ReceiptOptions::default())
        .unwrap()
}

#[test]
fn a_receipt_verifies_offline_and_a_changed_one_does_not() {
    let dir = TempDir::new("receipt");
    let bytes = receipt(&KYC);
    std::fs::write(dir.path("receipt.cbor"), &bytes).unwrap();
    let key = public_hex(&verifier_key());

    let shown = ikd(
        &[
            "receipt",
            "verify",
            &dir.arg("receipt.cbor"),
            "--public-key",
            &key,
        ],
        None,
    );
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("KECAMATAN-COBLONG-01: genuine"), "{text}");
    assert!(text.contains("VALID"), "{text}");
    assert!(text.contains("nik: 3273********0003"), "{text}");
    assert!(!text.contains(NIK), "{text}");

    // The QR text, on standard input, as JSON.
    let qr = receipt_qr_text(&bytes);
    let json = ikd(
        &["receipt", "verify", "--public-key", &key, "--json"],
        Some(&qr),
    );
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["verdict"], "valid");
    assert_eq!(value["purpose"], "kyc");
    assert_eq!(value["fields"]["nama"], NAME);
    assert!(value["credential_hash"].as_str().unwrap().len() == 64);

    // Another purpose keeps other fields.
    std::fs::write(dir.path("identity.cbor"), receipt(&IDENTITY)).unwrap();
    let identity = ikd(
        &[
            "receipt",
            "verify",
            &dir.arg("identity.cbor"),
            "--public-key",
            &key,
            "--json",
        ],
        None,
    );
    let value: serde_json::Value = serde_json::from_str(&stdout(&identity)).unwrap();
    assert_eq!(value["purpose"], "identity");
    assert!(value["fields"].get("alamat").is_none());

    // A starred digit put back: refused, and stderr shows the code, no personal data.
    let at = bytes.windows(4).position(|w| w == b"****").unwrap();
    let mut changed = bytes.clone();
    changed[at] = b'0';
    std::fs::write(dir.path("changed.cbor"), &changed).unwrap();
    let refused = ikd(
        &[
            "receipt",
            "verify",
            &dir.arg("changed.cbor"),
            "--public-key",
            &key,
        ],
        None,
    );
    assert_eq!(code(&refused), 1);
    let err = stderr(&refused);
    assert!(err.contains("receipt_signature_invalid"), "{err}");
    assert!(stdout(&refused).is_empty());
    for personal in [NAME, NIK, "3273********0003", "SITI"] {
        assert!(!err.contains(personal), "{err}");
    }

    // Another verifier's key.
    let other = public_hex(&IssuerSigningKey::from_seed(&[0x33; 32]));
    let wrong = ikd(
        &[
            "receipt",
            "verify",
            &dir.arg("receipt.cbor"),
            "--public-key",
            &other,
        ],
        None,
    );
    assert_eq!(code(&wrong), 1);
    assert!(stderr(&wrong).contains("receipt_key_mismatch"));
    assert!(!stderr(&wrong).contains(NAME));

    // Not a receipt; and setup errors.
    let garbage = ikd(&["receipt", "verify", "--public-key", &key], Some("hello"));
    assert_eq!(code(&garbage), 1);
    assert!(stderr(&garbage).contains("receipt_malformed"));
    assert_eq!(
        code(&ikd(
            &["receipt", "verify", "--public-key", "zz"],
            Some("x")
        )),
        2
    );
    assert_eq!(
        code(&ikd(
            &[
                "receipt",
                "verify",
                &dir.arg("missing"),
                "--public-key",
                &key
            ],
            None
        )),
        2
    );
}
