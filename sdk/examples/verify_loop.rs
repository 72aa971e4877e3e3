//! Verifies one sample credential many times, for instruction counts under
//! `valgrind --tool=callgrind` (BENCHMARKS.md): repeatable on a loaded machine, unlike time.
//!
//! `cargo build --release -p ikd-sdk --example verify_loop`, then
//! `valgrind --tool=callgrind target/release/examples/verify_loop [ktp|kk-8] [count] [strict|answer]`.
//! With `strict`, it runs only ed25519-dalek's `verify_strict` on the credential's signed
//! bytes instead: the baseline. With `answer`, each verification is followed by the
//! service's default answer (purpose `kyc`, display rows in Bahasa Indonesia, as JSON). Take the difference between two counts (say 400 and 200)
//! so that set-up is left out.

#![allow(clippy::expect_used)]

use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, Policy, TrustStore, TrustedKey, UnixTime,
    Validity, verify,
};

/// Runs the loop the arguments ask for (see the header).
pub fn main() {
    let mut args = std::env::args().skip(1);
    let sample = args.next().unwrap_or_else(|| "ktp".to_owned());
    let count: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let mode = args.next();
    let strict_only = mode.as_deref() == Some("strict");
    let answer = mode.as_deref() == Some("answer");
    let kyc = ikd_sdk::disclosure::purpose("kyc").expect("kyc is a purpose");
    let json = ikd_sdk::samples::ALL
        .iter()
        .find(|(name, _)| *name == sample)
        .map(|(_, json)| *json)
        .expect("sample is one of ktp, kk-4, kk-8");
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273")
        .expect("valid issuer id");
    let document: Document = serde_json::from_str(json).expect("samples parse");
    let issued_at = UnixTime(1_790_000_000);
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(issued_at, 365 * 86_400),
            &ikd_sdk::IssueOptions::default().with_credential_id(vec![1; 8]),
        )
        .expect("samples issue");
    let qr = credential.to_qr_text();
    let mut trust = TrustStore::new();
    trust.add(TrustedKey {
        issuer: issuer.id().to_owned(),
        name: "Disdukcapil Kota Bandung".to_owned(),
        key: issuer.key().public_key(),
        valid_from: UnixTime(1_700_000_000),
        valid_until: UnixTime(1_900_000_000),
        doc_types: DocTypeSet::all(),
    });
    ikd_sdk::wilayah::preload();
    let now = UnixTime(issued_at.0 + 600);
    if strict_only {
        let bytes = ikd_sdk::transport::decode_qr_text(&qr).expect("sample decodes");
        let message = ikd_sdk::unstable_wire::cose::parse(&bytes).expect("sample parses");
        let (signed, signature) = (message.signed_bytes(), message.signature().to_vec());
        let key = issuer.key().public_key();
        let valid = (0..count)
            .filter(|_| key.verify_strict(std::hint::black_box(&signed), &signature))
            .count();
        println!("{sample}: {valid}/{count} verify_strict");
        return;
    }
    let policy = Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all());
    let mut answer_bytes = 0;
    let valid = (0..count)
        .filter(|_| {
            let result = verify(&qr, &trust, now, &policy);
            if answer {
                answer_bytes = ikd_sdk::disclosure::DisclosedReport::with_display(
                    &result,
                    kyc,
                    ikd_sdk::display::DisplayLanguages::Indonesian,
                )
                .to_json()
                .len();
            }
            result.is_ok()
        })
        .count();
    println!(
        "{sample}: {valid}/{count} valid, QR text {} characters, answer {answer_bytes} bytes",
        qr.len()
    );
}
