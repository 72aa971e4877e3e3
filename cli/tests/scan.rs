#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Round trip through the built `ikd` binary: every demo credential (the KTP-el in a
//! holder presentation) rendered by `ikd qr render` (PNG at the default size and at a small phone-screen size) is read back
//! exactly by `ikd scan --json` and verifies with `ikd verify --image`; and the scan
//! commands' outputs, exit codes and errors.

mod common;

use base64::Engine as _;
use common::{TempDir as Scratch, code, ikd, stderr, stdout};
use serde_json::Value;

const ISSUED: &str = "2026-01-01T00:00:00Z";
const LATER: &str = "2026-01-02T00:00:00Z";
/// A phone screen's QR area, in pixels.
const SMALL_SIZE: &str = "240";

/// A demo directory: keys, trust store and the samples' QR texts.
fn demo(dir: &Scratch) {
    let out = ikd(&["demo", "init", &dir.arg("demo"), "--now", ISSUED], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

fn qr_text(dir: &Scratch, sample: &str) -> String {
    let text = std::fs::read_to_string(dir.arg(&format!("demo/{sample}.qr.txt"))).unwrap();
    text.trim_end().to_owned()
}

#[test]
fn every_rendered_credential_is_read_back_exactly_and_verifies() {
    let dir = Scratch::new("round-trip");
    demo(&dir);
    let trust = dir.arg("demo/trust.json");
    for sample in ["ktp", "kk-4", "kk-8"] {
        // The KTP-el is shown from the phone: a presentation (at LATER, when it is
        // verified), which has its own signature and so makes the longer QR text.
        let text = if sample == "ktp" {
            let out = ikd(
                &[
                    "present",
                    "--credential",
                    &dir.arg("demo/ktp.qr.txt"),
                    "--holder-key",
                    &dir.arg("demo/phone.key.json"),
                    "--now",
                    LATER,
                ],
                None,
            );
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            stdout(&out).trim_end().to_owned()
        } else {
            qr_text(&dir, sample)
        };
        let default_png = dir.arg(&format!("{sample}.png"));
        let small_png = dir.arg(&format!("{sample}-small.png"));
        let out = ikd(&["qr", "render", "--out", &default_png], Some(&text));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let out = ikd(
            &["qr", "render", "--size", SMALL_SIZE, "--out", &small_png],
            Some(&format!("{text}\n")),
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let small = image_side(&small_png);
        assert!(small <= 240, "{sample}: {small} px");

        let out = ikd(&["scan", "--json", &default_png, &small_png], None);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let lines: Vec<Value> = stdout(&out)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        for (line, file) in lines.iter().zip([&default_png, &small_png]) {
            assert_eq!(line["file"], file.as_str());
            let payloads = line["payloads"].as_array().unwrap();
            assert_eq!(payloads.len(), 1, "{sample}: {line}");
            assert_eq!(payloads[0]["text"], text.as_str(), "{sample} {file}");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(payloads[0]["bytes_base64"].as_str().unwrap())
                .unwrap();
            assert_eq!(bytes, text.as_bytes(), "{sample} {file}");
            assert!(line.get("error").is_none());
        }

        for png in [&default_png, &small_png] {
            let out = ikd(
                &[
                    "verify", "--image", png, "--trust", &trust, "--now", LATER, "--json",
                ],
                None,
            );
            assert_eq!(code(&out), 0, "{sample}: {}", stderr(&out));
            let verdict: Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(verdict["verdict"], "valid");
        }
    }
}

/// The side of a square PNG, from its header.
fn image_side(path: &str) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!(width, height);
    width
}

#[test]
fn render_sizes_and_svg() {
    let dir = Scratch::new("render");
    let text = "IKD1:TEST";
    let png = dir.arg("code.png");
    let out = ikd(&["qr", "render", text, "--out", &png], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Version 1: 21 modules and a quiet zone of 4 on each side, 8 px each.
    assert_eq!(image_side(&png), (21 + 8) * 8);
    let out = ikd(&["qr", "render", text, "--out", &png], None);
    assert_eq!(code(&out), 2, "an existing file is kept without --force");
    let out = ikd(
        &[
            "qr",
            "render",
            text,
            "--out",
            &png,
            "--module-px",
            "3",
            "--force",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(image_side(&png), (21 + 8) * 3);

    let svg = dir.arg("code.svg");
    let out = ikd(&["qr", "render", text, "--out", &svg], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let content = std::fs::read_to_string(&svg).unwrap();
    assert!(content.contains("<svg"), "{content}");

    let out = ikd(
        &["qr", "render", text, "--out", &png, "--module-px", "0"],
        None,
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn scan_prints_one_line_per_code_and_reports_misses_and_errors() {
    let dir = Scratch::new("scan");
    let png = dir.arg("lines.png");
    let out = ikd(
        &["qr", "render", "first line\r\nsecond\tline", "--out", &png],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = ikd(&["scan", &png], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "first line\\r\\nsecond\\tline\n");

    // Not a picture: exit 2, and in JSON an error object.
    let text_file = dir.arg("note.txt");
    std::fs::write(&text_file, "hello").unwrap();
    let out = ikd(&["scan", "--json", &text_file, &png], None);
    assert_eq!(code(&out), 2);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["error"]["code"], "unsupported_format");
    assert_eq!(lines[0]["payloads"].as_array().unwrap().len(), 0);
    assert_eq!(
        lines[1]["payloads"][0]["text"],
        "first line\r\nsecond\tline"
    );

    let missing = dir.arg("absent.png");
    let out = ikd(&["scan", &missing], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));
}

#[test]
fn verify_image_rejects_pictures_without_a_credential() {
    let dir = Scratch::new("verify-image");
    demo(&dir);
    let trust = dir.arg("demo/trust.json");
    let png = dir.arg("other.png");
    let out = ikd(
        &["qr", "render", "https://example.com", "--out", &png],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = ikd(
        &[
            "verify", "--image", &png, "--trust", &trust, "--now", LATER, "--json",
        ],
        None,
    );
    assert_eq!(code(&out), 1);
    let verdict: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(verdict["reason"]["code"], "not_ikd_credential");

    let out = ikd(
        &["verify", "--image", &png, "IKD1:ABC", "--trust", &trust],
        None,
    );
    assert_eq!(
        code(&out),
        2,
        "an image and a QR text together are a usage error"
    );
}

/// A PDF whose object stream (uncompressed) lists 20,000 objects that all start at one
/// offset, where an array of 20,000 numbers lies: parsed entry by entry, it takes
/// gigabytes.
fn object_stream_bomb() -> Vec<u8> {
    let entries = 20_000;
    let mut content: String = (0..entries).map(|i| format!("{} 0 ", i + 10)).collect();
    let first = content.len();
    content.push('[');
    content.push_str(&"0 ".repeat(20_000));
    content.push(']');
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>".to_owned(),
        format!(
            "<< /Type /ObjStm /N {entries} /First {first} /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).into_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 5\n0000000000 65535 f \n");
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").into_bytes(),
    );
    out
}

#[test]
fn a_pdf_that_would_take_gigabytes_is_refused_by_the_scan_workers_memory_cap() {
    let dir = Scratch::new("pdf-bomb");
    let bomb = dir.arg("bomb.pdf");
    std::fs::write(&bomb, object_stream_bomb()).unwrap();
    let out = ikd(&["scan", "--json", &bomb], None);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let line: Value = serde_json::from_str(stdout(&out).trim_end()).unwrap();
    assert_eq!(line["error"]["code"], "image_too_large", "{line}");
}
