#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Runs the `counter` example on scans of demo credentials made with the SDK.

use ikd_sdk::{
    DocTypeSet, Document, HolderAlg, HolderSigningKey, IssueOptions, Issuer, IssuerSigningKey,
    TrustStore, TrustedKey, UnixTime, Validity, present,
};
use std::io::Write as _;
use std::process::{Command, Stdio};

fn now() -> UnixTime {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    UnixTime(i64::try_from(seconds).unwrap())
}

fn issue(issuer: &Issuer, sample: &str) -> String {
    let document: Document = serde_json::from_str(sample).unwrap();
    let (credential, _) = issuer
        .issue(
            &document,
            Validity::for_seconds(now(), 3600),
            &IssueOptions::default(),
        )
        .unwrap();
    credential.to_qr_text()
}

fn run_counter(args: &[&str], input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_counter"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn counter_prints_one_verdict_per_scan() {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&[42; 32]), "ID-DEMO-3273").unwrap();
    let mut trust = TrustStore::new();
    trust.add(TrustedKey {
        issuer: "ID-DEMO-3273".into(),
        name: "Disdukcapil Kota Bandung (DEMO)".into(),
        key: issuer.key().public_key(),
        valid_from: UnixTime(now().0 - 86_400),
        valid_until: UnixTime(now().0 + 86_400),
        doc_types: DocTypeSet::all(),
    });
    let dir = std::env::temp_dir().join(format!("ikd-counter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trust_path = dir.join("trust.json");
    std::fs::write(&trust_path, trust.to_json()).unwrap();

    // The KTP-el on the holder's phone, bound to its key; the phone shows a presentation.
    let phone = HolderSigningKey::from_secret(HolderAlg::Es256, &[7; 32]).unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let options = IssueOptions {
        holder_key: Some(phone.public_key()),
        ..IssueOptions::default()
    };
    let (credential, _) = issuer
        .issue(&document, Validity::for_seconds(now(), 3600), &options)
        .unwrap();
    let ktp = present(&credential, &phone, now(), 90, None)
        .unwrap()
        .to_qr_text();
    // A copy of the credential itself, as a screenshot of it would be.
    let copied = credential.to_qr_text();
    let kk4 = issue(&issuer, ikd_sdk::samples::KK_4_JSON);
    let kk8 = issue(&issuer, ikd_sdk::samples::KK_8_JSON);
    // A scanner that misread one character near the end (inside the phone's signature).
    let mut misread: Vec<char> = ktp.chars().collect();
    let i = misread.len() - 12;
    misread[i] = if misread[i] == '0' { '1' } else { '0' };
    let misread: String = misread.into_iter().collect();

    let scans = format!(
        "{ktp}\n{kk4}\r\n\n{misread}\nhttps://example.com/promo\n{kk8}\n\u{00ff}\u{00fe}\n\
         {ktp}\n{copied}\n"
    );
    let (code, output) = run_counter(&[trust_path.to_str().unwrap()], &scans);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(
        lines,
        [
            "VALID KTP-el: NIK 3273015708920003, SITI NURHALIZA PUTRI",
            "VALID KK: nomor KK 3273012208140005, kepala keluarga AGUS SETIAWAN, 4 anggota",
            "REJECTED presentation_signature_invalid: Presentasi tidak ditandatangani oleh \
             ponsel pemilik kredensial ini.",
            "REJECTED not_ikd_credential: Kode QR ini bukan kredensial IKD.",
            "VALID KK: nomor KK 3273012208140005, kepala keluarga AGUS SETIAWAN, 8 anggota",
            "REJECTED not_ikd_credential: Kode QR ini bukan kredensial IKD.",
            "REJECTED presentation_replayed: Kode QR ini sudah pernah digunakan; minta pemegang \
             menampilkan kode baru.",
            "REJECTED presentation_required: Kredensial ini harus ditunjukkan sebagai kode QR \
             baru dari ponsel pemegang, bukan salinan.",
        ]
    );
}

#[test]
fn counter_without_a_usable_trust_store_exits_2() {
    let (code, output) = run_counter(&[], "");
    assert_eq!((code, output.as_str()), (2, ""));
    let (code, _) = run_counter(&["/nonexistent/trust.json"], "");
    assert_eq!(code, 2);
}
