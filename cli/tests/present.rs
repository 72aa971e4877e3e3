#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Holder presentations through the built `ikd` binary: device keys, bound credentials and
//! purpose profiles, `ikd present`, `ikd wallet show`, `ikd challenge`, and what
//! `ikd verify` says about each.

mod common;

use common::{TempDir, assert_valid, code, ikd, schema, stderr, stdout};
use ikd_sdk::Challenge;
use qrcode::{Color, EcLevel, QrCode};
use serde_json::Value;

const ISSUED: &str = "2026-01-01T00:00:00Z";
/// When the holder shows the credential.
const SHOWN: &str = "2026-01-02T00:00:00Z";
/// Ten seconds later, at the counter.
const SCANNED: &str = "2026-01-02T00:00:10Z";
/// Three minutes after it was shown: beyond 90 s plus 30 s of leeway.
const LATE: &str = "2026-01-02T00:03:00Z";

fn run(args: &[&str]) -> std::process::Output {
    ikd(args, None)
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(code(out), 0, "{}", stderr(out));
    stdout(out)
}

/// An issuer key for every document type, a device key, and the sample KTP-el data.
fn setup(dir: &TempDir) {
    ok(&run(&[
        "keygen",
        "--out",
        &dir.arg("issuer.key.json"),
        "--issuer",
        "ID-DUKCAPIL-3273",
        "--doc-types",
        "ktp,kk,identity,age_over_17,domicile",
        "--valid-from",
        "2025-01-01T00:00:00Z",
        // Far off: the wallet test issues and verifies on the host clock.
        "--valid-until",
        "2100-01-01T00:00:00Z",
        "--trust-store",
        &dir.arg("trust.json"),
    ]));
    let public = ok(&run(&[
        "keygen",
        "--device",
        "--out",
        &dir.arg("phone.key.json"),
    ]));
    std::fs::write(dir.path("phone.pub.json"), public).unwrap();
    std::fs::write(dir.path("ktp.json"), ikd_sdk::samples::KTP_JSON).unwrap();
    std::fs::write(dir.path("kk.json"), ikd_sdk::samples::KK_4_JSON).unwrap();
}

/// Issues the KTP-el sample bound to the phone's key (`key_file`: private or public) into
/// `ktp.qr.txt`.
fn issue_bound_ktp(dir: &TempDir, key_file: &str) {
    let out = issue(
        dir,
        "ktp",
        "ktp.json",
        "ktp.qr.txt",
        &["--holder-key", &dir.arg(key_file)],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Issues `kind` from `data` into `out` at [`ISSUED`], with `extra` arguments.
fn issue(dir: &TempDir, kind: &str, data: &str, out: &str, extra: &[&str]) -> std::process::Output {
    issue_at(dir, ISSUED, kind, data, out, extra)
}

/// As [`issue`], at `now`.
fn issue_at(
    dir: &TempDir,
    now: &str,
    kind: &str,
    data: &str,
    out: &str,
    extra: &[&str],
) -> std::process::Output {
    let (key, data, out) = (dir.arg("issuer.key.json"), dir.arg(data), dir.arg(out));
    let mut args = vec![
        "issue", kind, "--key", &key, "--data", &data, "--now", now, "--out", &out,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The host clock's time, as the command line takes it.
fn host_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    ikd_sdk::UnixTime(i64::try_from(seconds).unwrap()).to_string()
}

/// `ikd present` of the credential file `credential` with the key file `key`.
fn present(dir: &TempDir, credential: &str, key: &str, extra: &[&str]) -> std::process::Output {
    let (credential, key) = (dir.arg(credential), dir.arg(key));
    let mut args = vec![
        "present",
        "--credential",
        &credential,
        "--holder-key",
        &key,
        "--now",
        SHOWN,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// `ikd verify --json` at `now` with `extra` arguments, checked against the verdict schema.
fn verify(dir: &TempDir, qr: &str, now: &str, extra: &[&str]) -> (i32, Value) {
    let trust = dir.arg("trust.json");
    let mut args = vec!["verify", "--trust", &trust, "--now", now, "--json"];
    args.extend_from_slice(extra);
    let out = ikd(&args, Some(qr));
    let json: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    assert_valid(&schema("verdict.schema.json"), &json);
    (code(&out), json)
}

fn reason(verdict: &(i32, Value)) -> (i32, &str) {
    (
        verdict.0,
        verdict.1["reason"]["code"].as_str().unwrap_or("(valid)"),
    )
}

#[test]
fn device_keys_are_private_and_their_public_half_binds_credentials() {
    let dir = TempDir::new("device-keys");
    setup(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path("phone.key.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let private: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("phone.key.json")).unwrap())
            .unwrap();
    let public: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("phone.pub.json")).unwrap())
            .unwrap();
    assert_eq!(private["format"], "ikd-holder-key/1");
    assert_eq!(private["alg"], "ES256");
    assert_eq!(private["secret"].as_str().unwrap().len(), 64);
    // The public file printed on stdout is the same key without the secret.
    assert!(public.get("secret").is_none());
    assert_eq!(public["public_key"], private["public_key"]);
    assert_eq!(public["kid"], private["kid"]);
    // Compressed SEC1: 33 bytes.
    assert_eq!(public["public_key"].as_str().unwrap().len(), 66);

    let ed = ok(&run(&[
        "keygen",
        "--device",
        "--alg",
        "eddsa",
        "--out",
        &dir.arg("ed.key.json"),
    ]));
    let ed: Value = serde_json::from_str(&ed).unwrap();
    assert_eq!(ed["alg"], "EdDSA");
    assert_eq!(ed["public_key"].as_str().unwrap().len(), 64);

    // Either file binds a credential; only the private one presents it.
    for key in ["phone.pub.json", "phone.key.json"] {
        let out = issue(
            &dir,
            "ktp",
            "ktp.json",
            &format!("{key}.qr.txt"),
            &["--holder-key", &dir.arg(key)],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    }
    let out = present(&dir, "phone.pub.json.qr.txt", "phone.pub.json", &[]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("holds only the public key"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    // Usage errors: a bad --alg, issuer options with --device, --alg without --device,
    // an existing file, a corrupted key file (its secret is never echoed).
    for args in [
        vec!["keygen", "--device", "--alg", "rsa", "--out", "x.json"],
        vec!["keygen", "--device", "--issuer", "ID-X", "--out", "x.json"],
        vec!["keygen", "--alg", "es256", "--out", "x.json"],
    ] {
        assert_eq!(code(&run(&args)), 2, "{args:?}");
    }
    let again = run(&["keygen", "--device", "--out", &dir.arg("phone.key.json")]);
    assert_eq!(code(&again), 2);
    let secret = private["secret"].as_str().unwrap();
    // Change the secret's first byte, whatever it is, so its public half no longer matches.
    let other_first_byte = if secret.starts_with("00") { "11" } else { "00" };
    let mut corrupted = private.clone();
    corrupted["secret"] = Value::from(format!("{other_first_byte}{}", &secret[2..]));
    std::fs::write(dir.path("bad.key.json"), corrupted.to_string()).unwrap();
    let out = present(&dir, "phone.key.json.qr.txt", "bad.key.json", &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("bad.key.json"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(secret));
    let out = issue(
        &dir,
        "ktp",
        "ktp.json",
        "x.qr.txt",
        &["--holder-key", &dir.arg("ktp.json")],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not an ikd holder key file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn presentations_verify_and_fail_for_the_right_reasons() {
    let dir = TempDir::new("present");
    setup(&dir);
    issue_bound_ktp(&dir, "phone.pub.json");
    let credential = std::fs::read_to_string(dir.path("ktp.qr.txt")).unwrap();

    // present → verify: valid, and the verdict names the presentation.
    let shown = ok(&present(&dir, "ktp.qr.txt", "phone.key.json", &[]));
    assert_eq!(shown.lines().count(), 1);
    assert!(shown.starts_with("IKD1:"));
    let verdict = verify(&dir, &shown, SCANNED, &[]);
    assert_eq!(verdict.0, 0, "{:#}", verdict.1);
    let p = &verdict.1["presentation"];
    assert_eq!(p["alg"], "ES256");
    assert_eq!(p["issued_at"], SHOWN);
    assert_eq!(p["expires_at"], "2026-01-02T00:01:30Z");
    assert!(p.get("nonce").is_none());
    assert_eq!(verdict.1["document"]["nik"], "3273015708920003");
    // The human verdict says so too.
    let trust = dir.arg("trust.json");
    let human = ikd(
        &["verify", "--trust", &trust, "--now", SCANNED],
        Some(&shown),
    );
    assert_eq!(code(&human), 0);
    assert!(
        stdout(&human).contains("by the holder's device (ES256)"),
        "{}",
        stdout(&human)
    );

    // The bare credential is refused by default, and even when the verifier accepts a
    // bare KTP-el, since this one is bound to a device key.
    assert_eq!(
        reason(&verify(&dir, &credential, SCANNED, &[])),
        (1, "presentation_required")
    );
    let bare_ok = verify(&dir, &credential, SCANNED, &["--accept-bare", "ktp"]);
    assert_eq!(reason(&bare_ok), (1, "presentation_required"));

    // Expired: three minutes later; and sooner under a stricter largest age.
    assert_eq!(
        reason(&verify(&dir, &shown, LATE, &[])),
        (1, "presentation_expired")
    );
    let strict = ["--presentation-max-age", "20"];
    assert_eq!(
        reason(&verify(&dir, &shown, "2026-01-02T00:01:00Z", &strict)),
        (1, "presentation_expired")
    );
    assert_eq!(reason(&verify(&dir, &shown, SCANNED, &strict)).0, 0);
    // A longer --lifetime does not beat the verifier's largest age.
    let long = ok(&present(
        &dir,
        "ktp.qr.txt",
        "phone.key.json",
        &["--lifetime", "3600"],
    ));
    assert_eq!(
        reason(&verify(&dir, &long, LATE, &[])),
        (1, "presentation_expired")
    );

    // Signed by another device key.
    ok(&run(&[
        "keygen",
        "--device",
        "--out",
        &dir.arg("other.key.json"),
    ]));
    let other = ok(&present(&dir, "ktp.qr.txt", "other.key.json", &[]));
    assert_eq!(
        reason(&verify(&dir, &other, SCANNED, &[])),
        (1, "presentation_signature_invalid")
    );

    // A credential without cnf, presented as bound.
    let out = issue(&dir, "ktp", "ktp.json", "unbound.qr.txt", &[]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("presentation_required"),
        "{}",
        stderr(&out)
    );
    let unbound = ok(&present(&dir, "unbound.qr.txt", "phone.key.json", &[]));
    assert_eq!(
        reason(&verify(&dir, &unbound, SCANNED, &[])),
        (1, "holder_key_missing")
    );
}

#[test]
fn challenges_bind_nonce_and_audience() {
    let dir = TempDir::new("challenge");
    setup(&dir);
    issue_bound_ktp(&dir, "phone.key.json");

    // `ikd challenge`: the typed code, then the QR text; both parse to the same challenge.
    let printed = ok(&run(&["challenge", "--audience", "BANK-CABANG-01"]));
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    let (typed, qr_text) = (lines[0], lines[1]);
    assert_eq!(typed.len(), 9);
    assert_eq!(typed.as_bytes()[4], b'-');
    let challenge = Challenge::parse(qr_text).unwrap();
    assert_eq!(challenge.display_code(), typed);
    assert_eq!(challenge.audience(), Some("BANK-CABANG-01"));
    assert_eq!(Challenge::parse(typed).unwrap().nonce(), challenge.nonce());
    let long = ok(&run(&["challenge", "--length", "12"]));
    let long: Vec<&str> = long.lines().collect();
    assert_eq!(Challenge::parse(long[1]).unwrap().nonce().len(), 12);
    assert_eq!(
        Challenge::parse(long[0]).unwrap(),
        Challenge::parse(long[1]).unwrap()
    );
    for bad in [
        ["challenge", "--length", "5"],
        ["challenge", "--length", "65"],
    ] {
        assert_eq!(code(&run(&bad)), 2);
    }
    // Two challenges differ.
    let again = ok(&run(&["challenge", "--audience", "BANK-CABANG-01"]));
    assert_ne!(again, printed);

    // The holder binds the QR text; the verifier checks it.
    let shown = ok(&present(
        &dir,
        "ktp.qr.txt",
        "phone.key.json",
        &["--challenge", qr_text],
    ));
    let verdict = verify(&dir, &shown, SCANNED, &["--challenge", qr_text]);
    assert_eq!(verdict.0, 0, "{:#}", verdict.1);
    assert_eq!(verdict.1["presentation"]["nonce"], challenge.nonce());
    assert_eq!(verdict.1["presentation"]["audience"], "BANK-CABANG-01");
    // The code typed in lower case with its dash, plus the audience, is the same challenge.
    let lower = typed.to_lowercase();
    let typed_args = ["--nonce", lower.as_str(), "--audience", "BANK-CABANG-01"];
    assert_eq!(verify(&dir, &shown, SCANNED, &typed_args).0, 0);

    // Another nonce; another audience; a presentation without a nonce.
    assert_eq!(
        reason(&verify(&dir, &shown, SCANNED, &["--nonce", "WXYZ-2345"])),
        (1, "nonce_mismatch")
    );
    let other_audience = format!("IKDC:{};BANK-CABANG-02", challenge.nonce());
    assert_eq!(
        reason(&verify(
            &dir,
            &shown,
            SCANNED,
            &["--challenge", &other_audience]
        )),
        (1, "audience_mismatch")
    );
    let plain = ok(&present(&dir, "ktp.qr.txt", "phone.key.json", &[]));
    assert_eq!(
        reason(&verify(&dir, &plain, SCANNED, &["--challenge", qr_text])),
        (1, "nonce_mismatch")
    );
    // A nonce bound without an audience passes a verifier that names none.
    let nonce_only = ok(&present(
        &dir,
        "ktp.qr.txt",
        "phone.key.json",
        &["--nonce", "7KQ2-M9XD"],
    ));
    assert_eq!(
        verify(&dir, &nonce_only, SCANNED, &["--nonce", "7KQ2M9XD"]).0,
        0
    );

    // Bad challenges are usage errors, not panics.
    for args in [
        ["--challenge", "https://bank.example/"],
        ["--challenge", "IKDC:AB"],
        ["--nonce", "ABC"],
    ] {
        let out = present(&dir, "ktp.qr.txt", "phone.key.json", &args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("ikd: error:"), "{}", stderr(&out));
        let trust = dir.arg("trust.json");
        let mut verify_args = vec!["verify", "--trust", trust.as_str()];
        verify_args.extend_from_slice(&args);
        assert_eq!(code(&ikd(&verify_args, Some(&shown))), 2, "{args:?}");
    }
    let out = run(&[
        "present",
        "--credential",
        "x",
        "--holder-key",
        "y",
        "--audience",
        "A",
    ]);
    assert_eq!(code(&out), 2, "--audience needs --nonce");
}

#[test]
fn purpose_profiles_are_derived_from_a_ktp_and_presented() {
    let dir = TempDir::new("profiles");
    setup(&dir);
    let public = dir.arg("phone.pub.json");
    let bind = ["--holder-key", public.as_str()];
    for (profile, expected) in [
        (
            "age_over_17",
            serde_json::json!({"type": "age_over_17", "age_over_17": true}),
        ),
        (
            "identity",
            serde_json::json!({
                "type": "identity", "nik": "3273015708920003", "nama": "SITI NURHALIZA PUTRI"
            }),
        ),
        (
            "domicile",
            serde_json::json!({
                "type": "domicile", "alamat": "JL. GEGERKALONG HILIR NO. 47", "rt": 3, "rw": 5,
                "kode_wilayah": 3273011002_u64
            }),
        ),
    ] {
        let file = format!("{profile}.qr.txt");
        let mut args = vec!["--profile", profile];
        args.extend_from_slice(&bind);
        let out = issue(&dir, "ktp", "ktp.json", &file, &args);
        assert_eq!(code(&out), 0, "{profile}: {}", stderr(&out));
        let shown = ok(&present(&dir, &file, "phone.key.json", &[]));
        let verdict = verify(&dir, &shown, SCANNED, &[]);
        assert_eq!(verdict.0, 0, "{profile}: {:#}", verdict.1);
        assert_eq!(verdict.1["document"], expected, "{profile}");
    }

    // The age is computed at the issue date: a KTP-el holder born 2010-03-10 is 15 when
    // issued in 2026.
    let mut young: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    young["tanggal_lahir"] = serde_json::json!("2010-03-10");
    young["nik"] = serde_json::json!("3273015003100003");
    std::fs::write(dir.path("young.json"), young.to_string()).unwrap();
    let mut args = vec!["--profile", "age_over_17"];
    args.extend_from_slice(&bind);
    let out = issue(&dir, "ktp", "young.json", "young.qr.txt", &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = ok(&present(&dir, "young.qr.txt", "phone.key.json", &[]));
    let verdict = verify(&dir, &shown, SCANNED, &[]);
    assert_eq!(verdict.1["document"]["age_over_17"], false);
    // Nothing else about the holder is in it.
    let out = ikd(&["inspect", "--json", &shown], None);
    assert!(!stdout(&out).contains("3273015003100003"));

    // Without a device key: issued with a note, refused bare by default, accepted when the
    // verifier accepts that profile bare.
    let out = issue(
        &dir,
        "ktp",
        "ktp.json",
        "bare-age.qr.txt",
        &["--profile", "age_over_17"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("note:"), "{}", stderr(&out));
    let bare = std::fs::read_to_string(dir.path("bare-age.qr.txt")).unwrap();
    assert_eq!(
        reason(&verify(&dir, &bare, SCANNED, &[])),
        (1, "presentation_required")
    );
    assert_eq!(
        reason(&verify(&dir, &bare, SCANNED, &["--accept-bare", "kk,ktp"])),
        (1, "presentation_required")
    );
    let accepted = verify(&dir, &bare, SCANNED, &["--accept-bare", "age_over_17"]);
    assert_eq!(accepted.0, 0, "{:#}", accepted.1);
    assert!(accepted.1.get("presentation").is_none());
    // `--accept-bare none` refuses even a KK.
    let out = issue(&dir, "kk", "kk.json", "kk.qr.txt", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("note:"));
    let kk = std::fs::read_to_string(dir.path("kk.qr.txt")).unwrap();
    assert_eq!(verify(&dir, &kk, SCANNED, &[]).0, 0);
    assert_eq!(
        reason(&verify(&dir, &kk, SCANNED, &["--accept-bare", "none"])),
        (1, "presentation_required")
    );

    // Usage errors.
    let out = issue(
        &dir,
        "kk",
        "kk.json",
        "x.qr.txt",
        &["--profile", "identity"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("from a KTP-el"), "{}", stderr(&out));
    let out = issue(&dir, "ktp", "ktp.json", "x.qr.txt", &["--portrait"]);
    assert_eq!(code(&out), 2);
    let out = issue(&dir, "ktp", "ktp.json", "x.qr.txt", &["--profile", "sim"]);
    assert_eq!(code(&out), 2);
    let trust = dir.arg("trust.json");
    let out = ikd(
        &["verify", "--trust", &trust, "--accept-bare", "sim"],
        Some(&kk),
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn present_refuses_what_is_not_a_credential() {
    let dir = TempDir::new("present-errors");
    setup(&dir);
    issue_bound_ktp(&dir, "phone.key.json");
    let shown = ok(&present(&dir, "ktp.qr.txt", "phone.key.json", &[]));
    std::fs::write(dir.path("shown.qr.txt"), &shown).unwrap();
    std::fs::write(dir.path("junk.qr.txt"), "hello\n").unwrap();
    for (file, message) in [
        ("shown.qr.txt", "holds a presentation"),
        ("junk.qr.txt", "not_ikd_credential"),
        ("absent.qr.txt", "cannot open credential file"),
        ("ktp.json", "not_ikd_credential"),
    ] {
        let out = present(&dir, file, "phone.key.json", &[]);
        assert_eq!(code(&out), 2, "{file}");
        assert!(stderr(&out).contains(message), "{file}: {}", stderr(&out));
        assert!(!stderr(&out).contains("SITI"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    // From standard input.
    let credential = std::fs::read_to_string(dir.path("ktp.qr.txt")).unwrap();
    let key = dir.arg("phone.key.json");
    let out = ikd(
        &[
            "present",
            "--credential",
            "-",
            "--holder-key",
            &key,
            "--now",
            SHOWN,
        ],
        Some(&credential),
    );
    assert_eq!(verify(&dir, &ok(&out), SCANNED, &[]).0, 0);
    let out = run(&[
        "present",
        "--credential",
        "-",
        "--holder-key",
        &key,
        "--lifetime",
        "0",
    ]);
    assert_eq!(code(&out), 2);
}

/// The modules a half-block picture shows: each character is two module rows.
fn modules_of(picture: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in picture.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

/// Checks that `picture` is exactly the ECC M code of `text` with a quiet zone of four
/// modules, and that a QR reader reads `text` back from it.
fn assert_half_blocks_encode(picture: &str, text: &str) {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
    let width = code.width();
    let side = width + 8;
    let rows = modules_of(picture);
    assert_eq!(rows.len(), side.div_ceil(2) * 2, "two module rows per line");
    assert!(
        rows.iter().all(|r| r.len() == side),
        "every line {side} wide"
    );
    let colors = code.to_colors();
    for (y, row) in rows.iter().enumerate() {
        for (x, &dark) in row.iter().enumerate() {
            let inside = (4..4 + width).contains(&x) && (4..4 + width).contains(&y);
            let expected = inside && colors[(y - 4) * width + (x - 4)] == Color::Dark;
            assert_eq!(dark, expected, "module ({x}, {y})");
        }
    }
    // Read back: 4 px per module, dark modules black.
    let px = 4;
    let size = side * px;
    let mut pixels = vec![255u8; size * size];
    for (y, row) in rows.iter().take(side).enumerate() {
        for (x, &dark) in row.iter().enumerate() {
            if dark {
                for dy in 0..px {
                    let start = (y * px + dy) * size + x * px;
                    pixels[start..start + px].fill(0);
                }
            }
        }
    }
    let frame = ikd_sdk::scan::Frame::luma8(&pixels, size as u32, size as u32).unwrap();
    let scan =
        ikd_sdk::scan::scan_frame(&frame, &ikd_sdk::scan::ScanOptions::exhaustive()).unwrap();
    let read: Vec<&[u8]> = scan.payloads().iter().map(|p| p.bytes()).collect();
    assert_eq!(read, [text.as_bytes()]);
}

#[test]
fn wallet_show_prints_fresh_presentations_that_verify_and_scan() {
    let dir = TempDir::new("wallet");
    setup(&dir);
    // The wallet presents on the host clock, so the credential is issued on it too: one
    // issued at a fixed date would expire under the test as the calendar moves on.
    let out = issue_at(
        &dir,
        &host_now(),
        "ktp",
        "ktp.json",
        "id.qr.txt",
        &[
            "--profile",
            "identity",
            "--holder-key",
            &dir.arg("phone.pub.json"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (credential, key) = (dir.arg("id.qr.txt"), dir.arg("phone.key.json"));
    // Standard output is a pipe here: plain output, stopping after --count.
    let started = std::time::Instant::now();
    let out = run(&[
        "wallet",
        "show",
        "--credential",
        &credential,
        "--holder-key",
        &key,
        "--interval",
        "1",
        "--count",
        "2",
        "--challenge",
        "IKDC:7KQ2M9XD;BANK-01",
    ]);
    let printed = ok(&out);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(!printed.contains('\x1b'), "no terminal escapes in a pipe");
    let blocks: Vec<&str> = printed.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 2, "{printed}");
    let mut texts = Vec::new();
    for block in blocks {
        let lines: Vec<&str> = block.lines().collect();
        let n = lines.len();
        let (picture, text, expiry) = (lines[..n - 2].join("\n"), lines[n - 2], lines[n - 1]);
        assert!(text.starts_with("IKD1:"), "{block}");
        assert!(expiry.starts_with("valid until "), "{expiry}");
        assert_half_blocks_encode(&picture, text);
        texts.push(text.to_owned());
    }
    assert_ne!(texts[0], texts[1], "each renewal is a new presentation");
    let now = host_now();
    for text in &texts {
        let verdict = verify(&dir, text, &now, &["--challenge", "IKDC:7KQ2M9XD;BANK-01"]);
        assert_eq!(verdict.0, 0, "{:#}", verdict.1);
        assert_eq!(verdict.1["document"]["type"], "identity");
        assert_eq!(verdict.1["presentation"]["audience"], "BANK-01");
    }

    // An interval longer than the lifetime would show expired codes: refused.
    let out = run(&[
        "wallet",
        "show",
        "--credential",
        &credential,
        "--holder-key",
        &key,
        "--interval",
        "60",
        "--lifetime",
        "30",
        "--count",
        "1",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--interval"), "{}", stderr(&out));
}

#[test]
fn challenge_qr_and_half_blocks_render_any_text() {
    let printed = ok(&run(&["challenge", "--audience", "BANK-01", "--qr"]));
    let lines: Vec<&str> = printed.lines().collect();
    let text = lines[1];
    assert!(text.starts_with("IKDC:"));
    assert_half_blocks_encode(&lines[2..].join("\n"), text);
}

#[test]
fn qr_render_writes_ecc_m_with_a_quiet_zone_for_any_ikd_text() {
    let dir = TempDir::new("render-ecc");
    setup(&dir);
    issue_bound_ktp(&dir, "phone.key.json");
    let presentation = ok(&present(&dir, "ktp.qr.txt", "phone.key.json", &[]));
    let presentation = presentation.trim_end();
    for (name, text) in [
        ("presentation", presentation),
        ("challenge", "IKDC:7KQ2M9XD;BANK-CABANG-01"),
    ] {
        let png = dir.arg(&format!("{name}.png"));
        let out = ikd(
            &["qr", "render", "--out", &png, "--module-px", "3"],
            Some(text),
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        // The PNG is the ECC M code module for module, in a light margin of four modules.
        let picture = image::open(&png).unwrap().to_luma8();
        let qr = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
        let width = qr.width();
        assert_eq!(picture.width() as usize, (width + 8) * 3);
        let colors = qr.to_colors();
        for y in 0..width + 8 {
            for x in 0..width + 8 {
                let inside = (4..4 + width).contains(&x) && (4..4 + width).contains(&y);
                let dark = inside && colors[(y - 4) * width + (x - 4)] == Color::Dark;
                let pixel = picture.get_pixel((x * 3 + 1) as u32, (y * 3 + 1) as u32).0[0];
                assert_eq!(pixel == 0, dark, "{name}: module ({x}, {y})");
            }
        }
        let out = ikd(&["scan", "--json", &png], None);
        let scanned: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(scanned["payloads"][0]["text"], text);

        // The SVG: the same side, quiet zone included, and dark rectangles only inside it.
        let svg = dir.arg(&format!("{name}.svg"));
        let out = ikd(
            &["qr", "render", text, "--out", &svg, "--module-px", "3"],
            None,
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let content = std::fs::read_to_string(&svg).unwrap();
        let side = (width + 8) * 3;
        assert!(
            content.contains(&format!("width=\"{side}\" height=\"{side}\"")),
            "{name}: {}",
            &content[..200.min(content.len())]
        );
        // Its path draws one 3 × 3 square per dark module, offset by the quiet zone.
        let path = content
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut drawn: Vec<(usize, usize)> = path
            .split('M')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut numbers = p
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|n| !n.is_empty());
                let x: usize = numbers.next().unwrap().parse().unwrap();
                let y: usize = numbers.next().unwrap().parse().unwrap();
                (y / 3 - 4, x / 3 - 4)
            })
            .collect();
        drawn.sort_unstable();
        let dark: Vec<(usize, usize)> = (0..width * width)
            .filter(|i| colors[*i] == Color::Dark)
            .map(|i| (i / width, i % width))
            .collect();
        assert_eq!(drawn, dark, "{name}: the SVG's modules");

        // --ecc changes the level: H makes a larger code.
        let high = dir.arg(&format!("{name}-h.png"));
        let out = ikd(&["qr", "render", text, "--out", &high, "--ecc", "h"], None);
        assert_eq!(code(&out), 0);
        let h = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::H).unwrap();
        assert!(h.width() > width);
        assert_eq!(
            image::open(&high).unwrap().width() as usize,
            (h.width() + 8) * 8
        );
    }
}
