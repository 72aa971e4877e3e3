#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Runs the built `ikd` binary end to end in temporary directories.

mod common;

use common::{TempDir, assert_valid, code, ikd, schema, stderr, stdout};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

const ISSUED: &str = "2026-01-01T00:00:00Z";
const LATER: &str = "2026-01-02T00:00:00Z";

/// `ikd verify --json`, checked against the verdict schema; returns exit code and JSON.
///
/// These tests issue bare credentials to exercise the other stages, so the verifier
/// accepts a bare KTP-el and KK here (`--accept-bare`); tests/present.rs covers the
/// default policy, which wants a KTP-el inside a holder presentation.
fn verify_json(trust: &str, now: &str, qr: &str) -> (i32, Value) {
    let out = ikd(
        &[
            "verify",
            "--trust",
            trust,
            "--now",
            now,
            "--json",
            "--accept-bare",
            "ktp,kk",
        ],
        Some(qr),
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid(&schema("verdict.schema.json"), &json);
    (code(&out), json)
}

/// A key and a trust store trusting it for `doc_types`.
fn keygen(dir: &TempDir, key: &str, doc_types: &str) {
    let out = ikd(
        &[
            "keygen",
            "--out",
            &dir.arg(key),
            "--issuer",
            "ID-DUKCAPIL-3273",
            "--name",
            "Disdukcapil Kota Bandung",
            "--doc-types",
            doc_types,
            "--valid-from",
            "2025-01-01T00:00:00Z",
            "--valid-until",
            "2030-01-01T00:00:00Z",
            "--trust-store",
            &dir.arg("trust.json"),
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

fn issue(dir: &TempDir, kind: &str, key: &str, data: &str) -> Output {
    ikd(
        &[
            "issue",
            kind,
            "--key",
            &dir.arg(key),
            "--data",
            &dir.arg(data),
            "--now",
            ISSUED,
            "--valid-days",
            "30",
        ],
        None,
    )
}

/// Changes one Base45 character near the end (inside the signature) to a neighbour.
fn tamper(qr: &str) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut chars: Vec<char> = qr.chars().collect();
    let i = chars.len() - 12;
    let at = ALPHABET.find(chars[i]).unwrap();
    let swap = if at == 0 { 1 } else { at - 1 };
    chars[i] = ALPHABET.as_bytes()[swap] as char;
    chars.into_iter().collect()
}

#[test]
fn keygen_issue_verify_tamper_and_setup_errors() {
    let dir = TempDir::new("flow");
    keygen(&dir, "issuer.key.json", "ktp,kk");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path("issuer.key.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::write(dir.path("ktp.json"), ikd_sdk::samples::KTP_JSON).unwrap();
    let out = issue(&dir, "ktp", "issuer.key.json", "ktp.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let qr = stdout(&out);
    assert!(qr.starts_with("IKD1:") && qr.ends_with('\n'));
    assert_eq!(qr.lines().count(), 1);
    let trust = dir.arg("trust.json");

    // The default policy wants a KTP-el inside a holder presentation: a bare one (this
    // one has no device key to present it with) is refused, and the document not shown.
    let bare = ikd(&["verify", "--trust", &trust, "--now", LATER], Some(&qr));
    assert_eq!(code(&bare), 1, "{}", stderr(&bare));
    assert!(
        stdout(&bare).starts_with("REJECTED: presentation_required (stage holder_binding)"),
        "{}",
        stdout(&bare)
    );
    assert!(!stdout(&bare).contains("SITI NURHALIZA PUTRI"));

    // Valid when the verifier accepts it bare: from stdin with the line ending, human and
    // JSON.
    let human = ikd(
        &[
            "verify",
            "--trust",
            &trust,
            "--now",
            LATER,
            "--accept-bare",
            "ktp",
        ],
        Some(&qr),
    );
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    assert!(stdout(&human).starts_with("VALID: KTP-el\n"));
    assert!(stdout(&human).contains("SITI NURHALIZA PUTRI"));
    assert!(stdout(&human).contains("bare credential (no holder presentation)"));
    let (exit, json) = verify_json(&trust, LATER, &qr);
    assert_eq!(exit, 0);
    assert_eq!(json["verdict"], "valid");
    assert_eq!(json["issuer"]["id"], "ID-DUKCAPIL-3273");
    assert_eq!(json["issued_at"], ISSUED);
    assert_eq!(json["expires_at"], "2026-01-31T00:00:00Z");
    let sample: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    assert_eq!(json["document"], sample);

    // As an argument, with a CRLF ending as some scanners add.
    let arg = format!("{}\r\n", qr.trim_end());
    let out = ikd(
        &[
            "verify",
            &arg,
            "--trust",
            &trust,
            "--now",
            LATER,
            "--accept-bare",
            "ktp",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // One character changed: rejected, exit 1, the reason code in JSON.
    let (exit, json) = verify_json(&trust, LATER, &tamper(&qr));
    assert_eq!(exit, 1);
    assert_eq!(json["verdict"], "rejected");
    assert_eq!(json["reason"]["code"], "signature_invalid");
    assert_eq!(json["reason"]["stage"], "signature");
    assert!(json.get("document").is_none());

    // Expired; but within the leeway it is still valid.
    let (exit, json) = verify_json(&trust, "2026-01-31T00:01:01Z", &qr);
    assert_eq!(
        (exit, json["reason"]["code"].as_str()),
        (1, Some("credential_expired"))
    );
    let out = ikd(
        &[
            "verify",
            "--trust",
            &trust,
            "--now",
            "2026-01-31T00:01:01Z",
            "--leeway",
            "120",
            "--accept-bare",
            "ktp",
        ],
        Some(&qr),
    );
    assert_eq!(code(&out), 0);

    // Setup errors exit 2: missing, malformed and invalid trust files, bad arguments.
    let out = ikd(&["verify", "--trust", &dir.arg("absent.json")], Some(&qr));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("absent.json"));
    std::fs::write(dir.path("broken.json"), "{\"format\": ").unwrap();
    let out = ikd(&["verify", "--trust", &dir.arg("broken.json")], Some(&qr));
    assert_eq!(code(&out), 2);
    std::fs::write(
        dir.path("weak.json"),
        std::fs::read_to_string(dir.path("trust.json"))
            .unwrap()
            .replace("\"public_key\": \"", "\"public_key\": \"00"),
    )
    .unwrap();
    let out = ikd(&["verify", "--trust", &dir.arg("weak.json")], Some(&qr));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = ikd(
        &["verify", "--trust", &trust, "--now", "yesterday"],
        Some(&qr),
    );
    assert_eq!(code(&out), 2);
    let out = ikd(&["verify"], Some(&qr));
    assert_eq!(code(&out), 2, "--trust is required");
}

#[test]
fn every_verdict_matches_the_schema() {
    let dir = TempDir::new("verdicts");
    keygen(&dir, "ktp.key.json", "ktp");
    let trust = dir.arg("trust.json");
    // A KK signed by a key that may sign only KTP-el.
    std::fs::write(dir.path("kk.json"), ikd_sdk::samples::KK_8_JSON).unwrap();
    let out = issue(&dir, "kk", "ktp.key.json", "kk.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let kk = stdout(&out);
    let (exit, json) = verify_json(&trust, LATER, &kk);
    assert_eq!(
        (exit, json["reason"]["code"].as_str()),
        (1, Some("doc_type_not_allowed"))
    );

    // A KTP whose birth date disagrees with the NIK: valid, with a warning.
    let mut ktp: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    ktp["tanggal_lahir"] = json!("1993-08-17");
    std::fs::write(dir.path("ktp.json"), ktp.to_string()).unwrap();
    let out = issue(&dir, "ktp", "ktp.key.json", "ktp.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("nik_birth_date_mismatch"));
    let qr = stdout(&out);
    let (exit, json) = verify_json(&trust, LATER, &qr);
    assert_eq!(exit, 0);
    assert_eq!(json["warnings"][0]["code"], "nik_birth_date_mismatch");
    assert_eq!(json["warnings"][0]["field"], "nik");
    assert_eq!(json["trace"][8]["outcome"], "warned");

    for (input, expected) in [
        ("https://example.com/", "not_ikd_credential"),
        ("IKD1:%%%", "base45_invalid"),
        ("IKD1:", "cbor_malformed"),
        ("IKD1:P3", "cose_tag_missing"),
        ("", "not_ikd_credential"),
    ] {
        let (exit, json) = verify_json(&trust, LATER, input);
        assert_eq!(
            (exit, json["reason"]["code"].as_str()),
            (1, Some(expected)),
            "{input}"
        );
    }
    let (_, json) = verify_json(&trust, "2025-12-31T00:00:00Z", &qr);
    assert_eq!(json["reason"]["code"], "credential_issued_in_future");
    let (_, json) = verify_json(&trust, LATER, &format!("IKD1:{}", "0".repeat(5000)));
    assert_eq!(json["reason"]["code"], "input_too_large");

    // An empty trust store knows no key.
    std::fs::write(
        dir.path("empty.json"),
        "{\"format\":\"ikd-trust-store/1\",\"keys\":[]}",
    )
    .unwrap();
    let (_, json) = verify_json(&dir.arg("empty.json"), LATER, &qr);
    assert_eq!(json["reason"]["code"], "kid_unknown");
}

#[test]
fn display_chooses_the_languages_of_the_json_rows() {
    let dir = TempDir::new("display");
    keygen(&dir, "issuer.key.json", "kk");
    std::fs::write(dir.path("kk.json"), ikd_sdk::samples::KK_4_JSON).unwrap();
    let qr = stdout(&issue(&dir, "kk", "issuer.key.json", "kk.json"));
    let trust = dir.arg("trust.json");
    let run = |display: Option<&str>| {
        let mut args = vec!["verify", "--trust", &trust, "--now", LATER, "--json"];
        if let Some(display) = display {
            args.extend(["--display", display]);
        }
        ikd(&args, Some(&qr))
    };
    let (_, default) = verify_json(&trust, LATER, &qr);
    for (display, id, en) in [
        ("both", true, true),
        ("id", true, false),
        ("en", false, true),
        ("none", false, false),
    ] {
        let out = run(Some(display));
        assert_eq!(code(&out), 0, "{display}: {}", stderr(&out));
        let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_valid(&schema("verdict.schema.json"), &json);
        assert_eq!(json["document"], default["document"], "{display}");
        let row = &json["display"][0]["fields"][0];
        assert_eq!(json.get("display").is_some(), id || en, "{display}");
        assert_eq!(row.get("label_id").is_some(), id, "{display}");
        assert_eq!(row.get("label_en").is_some(), en, "{display}");
        if display == "both" {
            assert_eq!(json, default, "both is the default");
        }
    }
    let out = run(Some("fr"));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("none, id, en, both"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_verdict_schema_lists_every_registered_code() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/schemas/verdict.schema.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let listed = |pointer: &str| -> Vec<String> {
        schema
            .pointer(pointer)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let reasons: Vec<String> = ikd_sdk::reason::REGISTRY
        .iter()
        .map(|r| r.code.to_owned())
        .collect();
    assert_eq!(listed("/$defs/reason/properties/code/enum"), reasons);
    let warnings: Vec<String> = ikd_sdk::reason::WARNING_REGISTRY
        .iter()
        .map(|r| r.code.to_owned())
        .collect();
    assert_eq!(listed("/$defs/warning/properties/code/enum"), warnings);
    let stages: Vec<String> = ikd_sdk::Stage::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(listed("/$defs/stage/enum"), stages);
}

#[test]
fn samples_and_trust_stores_match_their_schemas() {
    let document = schema("document.schema.json");
    for (name, text) in ikd_sdk::samples::ALL {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_valid(&document, &value);
        let specific = schema(&format!("{}.schema.json", value["type"].as_str().unwrap()));
        assert_valid(&specific, &value);
        assert!(!schema("ktp.schema.json").is_valid(&value) || name == "ktp");
    }
    let dir = TempDir::new("trust-schema");
    keygen(&dir, "a.key.json", "ktp");
    keygen(&dir, "b.key.json", "kk");
    let trust: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("trust.json")).unwrap()).unwrap();
    assert_eq!(trust["keys"].as_array().unwrap().len(), 2);
    assert_valid(&schema("trust-store.schema.json"), &trust);
}

#[test]
fn issue_refuses_bad_documents_without_echoing_them() {
    let dir = TempDir::new("bad-docs");
    keygen(&dir, "issuer.key.json", "ktp,kk");
    let secret_nik = "3273015708920003";
    let secret_name = "SITI NURHALIZA PUTRI";

    // Missing field and wrong type.
    let mut ktp: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    ktp.as_object_mut().unwrap().remove("tempat_lahir");
    ktp["rt"] = json!("003");
    ktp["agama"] = json!(9);
    std::fs::write(dir.path("ktp.json"), ktp.to_string()).unwrap();
    let out = issue(&dir, "ktp", "issuer.key.json", "ktp.json");
    assert_eq!(code(&out), 2);
    let message = stderr(&out);
    assert!(
        message.contains("does not match the ktp schema"),
        "{message}"
    );
    assert!(
        message.contains("/: missing required field \"tempat_lahir\""),
        "{message}"
    );
    assert!(
        message.contains("/rt: must be of type integer"),
        "{message}"
    );
    assert!(message.contains("/agama: must be at most 7"), "{message}");
    assert!(!message.contains(secret_nik) && !message.contains(secret_name));
    assert!(stdout(&out).is_empty());

    // The wrong document type for the subcommand, and an unknown type.
    std::fs::write(dir.path("ktp.json"), ikd_sdk::samples::KTP_JSON).unwrap();
    let out = issue(&dir, "kk", "issuer.key.json", "ktp.json");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("this is a ktp document, not kk"),
        "{}",
        stderr(&out)
    );
    let mut sim: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    sim["type"] = json!("sim");
    std::fs::write(dir.path("sim.json"), sim.to_string()).unwrap();
    let out = issue(&dir, "ktp", "issuer.key.json", "sim.json");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("/type: must be \"ktp\""),
        "{}",
        stderr(&out)
    );

    // A bad KK member, reported by its path.
    let mut kk: Value = serde_json::from_str(ikd_sdk::samples::KK_4_JSON).unwrap();
    kk["anggota"][2]["nik"] = json!("32730109051500");
    kk["anggota"][3].as_object_mut().unwrap().remove("nama_ibu");
    std::fs::write(dir.path("kk.json"), kk.to_string()).unwrap();
    let out = issue(&dir, "kk", "issuer.key.json", "kk.json");
    assert_eq!(code(&out), 2);
    let message = stderr(&out);
    assert!(
        message.contains("/anggota/2/nik: has the wrong format"),
        "{message}"
    );
    assert!(
        message.contains("/anggota/3: missing required field \"nama_ibu\""),
        "{message}"
    );
    assert!(!message.contains("32730109051500"));

    // Well-formed but impossible: the SDK's checks name the field, not the value.
    let mut ktp: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    ktp["nik"] = json!("3273019999920003");
    std::fs::write(dir.path("ktp.json"), ktp.to_string()).unwrap();
    let out = issue(&dir, "ktp", "issuer.key.json", "ktp.json");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nik_invalid"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("3273019999920003"));

    // Not JSON at all.
    std::fs::write(
        dir.path("broken.json"),
        format!("{{\"nik\": \"{secret_nik}\", x"),
    )
    .unwrap();
    let out = issue(&dir, "ktp", "issuer.key.json", "broken.json");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not valid JSON at line 1"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(secret_nik));
}

#[test]
fn issue_writes_to_a_file_and_honours_expires() {
    let dir = TempDir::new("issue-out");
    keygen(&dir, "issuer.key.json", "kk");
    std::fs::write(dir.path("kk.json"), ikd_sdk::samples::KK_4_JSON).unwrap();
    let args = |out: &str| {
        vec![
            "issue".to_owned(),
            "kk".to_owned(),
            "--key".to_owned(),
            dir.arg("issuer.key.json"),
            "--data".to_owned(),
            dir.arg("kk.json"),
            "--now".to_owned(),
            ISSUED.to_owned(),
            "--expires".to_owned(),
            "2026-01-01T01:00:00Z".to_owned(),
            "--out".to_owned(),
            dir.arg(out),
        ]
    };
    let run = |args: Vec<String>| ikd(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let out = run(args("kk.qr.txt"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let qr = std::fs::read_to_string(dir.path("kk.qr.txt")).unwrap();
    let (exit, json) = verify_json(&dir.arg("trust.json"), "2026-01-01T00:30:00Z", &qr);
    assert_eq!(exit, 0);
    assert_eq!(json["expires_at"], "2026-01-01T01:00:00Z");
    assert_eq!(json["document"]["anggota"].as_array().unwrap().len(), 4);

    // The file exists: refused without --force.
    assert_eq!(code(&run(args("kk.qr.txt"))), 2);
    let mut forced = args("kk.qr.txt");
    forced.push("--force".to_owned());
    assert_eq!(code(&run(forced)), 0);

    // --valid-days and --expires exclude each other (a clap usage error: exit 2).
    let mut both = args("other.qr.txt");
    both.extend(["--valid-days".to_owned(), "3".to_owned()]);
    assert_eq!(code(&run(both)), 2);
}

#[test]
fn keygen_refuses_to_overwrite_and_bad_key_files_are_setup_errors() {
    let dir = TempDir::new("keygen");
    let out = ikd(&["keygen", "--out", &dir.arg("k.json")], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Without --trust-store, the entry goes to stdout as a trust store of one key.
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid(&schema("trust-store.schema.json"), &printed);
    assert_eq!(printed["keys"][0]["issuer"], "ID-TEST");
    assert_eq!(printed["keys"][0]["doc_types"], json!(["ktp", "kk"]));
    let key_text = std::fs::read_to_string(dir.path("k.json")).unwrap();
    let key: Value = serde_json::from_str(&key_text).unwrap();
    assert_eq!(key["format"], "ikd-issuer-key/1");
    assert_eq!(key["seed"].as_str().unwrap().len(), 64);
    assert!(!stdout(&out).contains(key["seed"].as_str().unwrap()));

    let again = ikd(&["keygen", "--out", &dir.arg("k.json")], None);
    assert_eq!(code(&again), 2);
    assert_eq!(
        std::fs::read_to_string(dir.path("k.json")).unwrap(),
        key_text
    );

    // A corrupted key file: exit 2, and the seed is not shown.
    let seed = key["seed"].as_str().unwrap();
    std::fs::write(
        dir.path("bad.json"),
        key_text.replace(seed, &format!("{seed}00")),
    )
    .unwrap();
    std::fs::write(dir.path("doc.json"), ikd_sdk::samples::KTP_JSON).unwrap();
    let out = issue(&dir, "ktp", "bad.json", "doc.json");
    assert_eq!(code(&out), 2);
    assert!(!stderr(&out).contains(seed), "{}", stderr(&out));

    // A trust store that is not one is refused before any key is written.
    std::fs::write(dir.path("trust.json"), "[]").unwrap();
    let out = ikd(
        &[
            "keygen",
            "--out",
            &dir.arg("k2.json"),
            "--trust-store",
            &dir.arg("trust.json"),
        ],
        None,
    );
    assert_eq!(code(&out), 2);
    assert!(!dir.path("k2.json").exists());
    let out = ikd(
        &["keygen", "--out", &dir.arg("k3.json"), "--doc-types", "sim"],
        None,
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn inspect_marks_its_output_unverified() {
    let dir = TempDir::new("inspect");
    keygen(&dir, "issuer.key.json", "ktp");
    std::fs::write(dir.path("ktp.json"), ikd_sdk::samples::KTP_JSON).unwrap();
    let qr = stdout(&issue(&dir, "ktp", "issuer.key.json", "ktp.json"));

    let out = ikd(&["inspect"], Some(&qr));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("UNVERIFIED"), "{text}");
    assert!(text.contains("Document (UNVERIFIED)"));
    assert!(text.contains("ID-DUKCAPIL-3273"));

    // Even a tampered credential is shown, still marked unverified.
    let out = ikd(&["inspect", "--json", &tamper(&qr)], None);
    assert_eq!(code(&out), 0);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["unverified"], true);
    assert!(json["notice"].as_str().unwrap().starts_with("UNVERIFIED"));
    assert_eq!(json["claims"]["iss"], "ID-DUKCAPIL-3273");
    assert_eq!(json["claims"]["iat"], ISSUED);
    assert_eq!(json["compressed"], false);
    assert_eq!(json["sizes"]["signature"], 64);
    assert_valid(&schema("document.schema.json"), &json["claims"]["document"]);

    // Undecodable text: exit 1, still marked.
    let out = ikd(&["inspect", "hello"], None);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("UNVERIFIED"));
    assert!(stdout(&out).contains("not_ikd_credential"));
    let out = ikd(&["inspect", "--json", "hello"], None);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (json["unverified"].as_bool(), json["error"]["code"].as_str()),
        (Some(true), Some("not_ikd_credential"))
    );
}

#[test]
fn demo_init_makes_credentials_that_verify() {
    let dir = TempDir::new("demo");
    let demo = dir.path("demo");
    let demo_arg = demo.to_str().unwrap();
    let out = ikd(&["demo", "init", demo_arg], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let trust = demo.join("trust.json");
    let trust = trust.to_str().unwrap();
    let readme = std::fs::read_to_string(demo.join("README.txt")).unwrap();
    assert!(readme.contains("ikd verify --trust"), "{readme}");
    assert!(readme.contains("ikd present --credential"), "{readme}");
    let printed = stdout(&out);
    assert!(printed.contains("ikd present --credential"), "{printed}");
    assert!(printed.contains("phone.key.json"), "{printed}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(demo.join("phone.key.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let phone = demo.join("phone.key.json");
    let phone = phone.to_str().unwrap();

    let mut seen = Vec::new();
    for (name, members, bound) in [
        ("ktp", 0, true),
        ("kk-4", 4, false),
        ("kk-8", 8, false),
        ("identity", 0, true),
        ("age_over_17", 0, true),
        ("domicile", 0, true),
    ] {
        let file = demo.join(format!("{name}.qr.txt"));
        let qr = std::fs::read_to_string(&file).unwrap();
        // The bound ones are shown from the demo phone, as `demo init` says.
        let shown = if bound {
            let out = ikd(
                &[
                    "present",
                    "--credential",
                    file.to_str().unwrap(),
                    "--holder-key",
                    phone,
                ],
                None,
            );
            assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
            stdout(&out)
        } else {
            qr.clone()
        };
        // The default clock: the credentials are valid now.
        let out = ikd(&["verify", "--trust", trust, "--json"], Some(&shown));
        assert_eq!(code(&out), 0, "{name}: {}", stdout(&out));
        let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_valid(&schema("verdict.schema.json"), &json);
        assert_eq!(json["document"]["type"], name.split('-').next().unwrap());
        assert_eq!(json.get("presentation").is_some(), bound, "{name}");
        if members > 0 {
            assert_eq!(
                json["document"]["anggota"].as_array().unwrap().len(),
                members
            );
        }
        if bound {
            // The bare credential, as a copy would show it, is refused.
            let out = ikd(&["verify", "--trust", trust, "--json"], Some(&qr));
            assert_eq!(code(&out), 1, "{name}");
            let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(json["reason"]["code"], "presentation_required");
        }
        seen.push(json["kid"].as_str().unwrap().to_owned());
    }
    // One key per document type.
    assert_ne!(seen[0], seen[1]);
    assert_eq!(seen[1], seen[2]);

    // Existing files are kept unless --force.
    let before = std::fs::read_to_string(demo.join("ktp.qr.txt")).unwrap();
    let out = ikd(&["demo", "init", demo_arg], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(demo.join("ktp.qr.txt")).unwrap(),
        before
    );
    let out = ikd(
        &["demo", "init", demo_arg, "--force", "--now", ISSUED],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let qr = std::fs::read_to_string(demo.join("kk-4.qr.txt")).unwrap();
    let (exit, json) = verify_json(trust, LATER, &qr);
    assert_eq!((exit, json["issued_at"].as_str()), (0, Some(ISSUED)));
}
