//! Writes the seed corpus of every fuzz target, so that none has to be committed.
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds -- [OUT_DIR] [EXTRA_CORPUS_DIR...]
//! ```
//!
//! `OUT_DIR` defaults to `fuzz/corpus`; one directory per target is filled. Sources: every
//! `IKD1:` text and hex string in the conformance vectors and the SDK's test vectors, what
//! they decode to (COSE messages, payloads), the demo credentials and presentations from
//! fixed keys, and the pictures (PNG, JPEG, WebP, PDF) of the SDK's test corpus and of any
//! extra corpus directory given (such as the shared QR photo corpus).
#![allow(clippy::expect_used)]

use ikd_fuzz::{NOW, demo};
use ikd_sdk::Challenge;
use ikd_sdk::transport::decode_qr_text;
use ikd_sdk::unstable_wire::cose;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Pictures larger than this are left out: they slow every mutation down.
const MAX_PICTURE_BYTES: u64 = 64 * 1024;

#[derive(Default)]
struct Seeds {
    qr: BTreeSet<String>,
    binary: BTreeSet<Vec<u8>>,
    credential_payloads: BTreeSet<Vec<u8>>,
    presentations: BTreeSet<String>,
    presentation_payloads: BTreeSet<Vec<u8>>,
    json: BTreeSet<String>,
    pictures: BTreeSet<(String, Vec<u8>)>,
}

impl Seeds {
    /// A QR text and everything it decodes to.
    fn add_qr(&mut self, text: &str) {
        self.qr.insert(text.to_owned());
        let Ok(bytes) = decode_qr_text(text) else {
            return;
        };
        if let Ok(message) = cose::parse(&bytes) {
            if message.claims_to_be_presentation() {
                self.presentations.insert(text.to_owned());
                self.presentation_payloads
                    .insert(message.payload().to_vec());
            } else {
                self.credential_payloads.insert(message.payload().to_vec());
            }
            self.binary.insert(message.payload().to_vec());
            self.binary.insert(message.protected_bytes().to_vec());
        }
        self.binary.insert(bytes);
    }

    /// Hex-encoded bytes (tokens, CBOR test vectors) and, for a COSE message, its payload.
    fn add_binary(&mut self, bytes: Vec<u8>) {
        if let Ok(message) = cose::parse(&bytes) {
            self.binary.insert(message.payload().to_vec());
        }
        self.binary.insert(bytes);
    }

    fn walk_json(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) if s.starts_with("IKD1:") => self.add_qr(s),
            serde_json::Value::String(s) => {
                let hex = s.len() >= 2 && s.len() % 2 == 0;
                if hex && let Some(bytes) = ikd_sdk::encoding::hex_decode(s) {
                    self.add_binary(bytes);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| self.walk_json(v)),
            serde_json::Value::Object(map) => {
                // Trust store and anchor files, for the JSON loaders.
                if map.contains_key("format") && map.contains_key("keys") {
                    self.json.insert(value.to_string());
                }
                map.values().for_each(|v| self.walk_json(v));
            }
            _ => {}
        }
    }

    fn walk_dir(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                self.walk_dir(&path);
                continue;
            }
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let content_type = match extension.as_str() {
                "json" => {
                    if let Some(value) = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|text| serde_json::from_str(&text).ok())
                    {
                        self.walk_json(&value);
                    }
                    continue;
                }
                "png" => "image/png",
                "jpg" | "jpeg" => "image/jpeg",
                "webp" => "image/webp",
                "pdf" => "application/pdf",
                _ => continue,
            };
            let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_PICTURE_BYTES);
            if let (true, Ok(bytes)) = (small, std::fs::read(&path)) {
                self.pictures.insert((content_type.to_owned(), bytes));
            }
        }
    }

    fn add_demo(&mut self) {
        let data = demo();
        let challenge = Challenge::new("AB12CD34", Some("bank")).ok();
        for credential in &data.credentials {
            self.add_qr(&credential.qr_text);
            if let Ok(text) = data.shown_qr_text(credential, NOW) {
                self.add_qr(&text);
            }
            if let Ok(shown) = ikd_sdk::present(
                &credential.credential,
                &data.holder,
                NOW,
                90,
                challenge.as_ref(),
            ) {
                self.add_qr(&shown.to_qr_text());
            }
        }
    }
}

fn write(dir: &Path, seeds: impl IntoIterator<Item = Vec<u8>>) -> usize {
    std::fs::create_dir_all(dir).expect("corpus directory");
    let mut count = 0;
    for (index, seed) in seeds.into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{index:04}")), seed).expect("seed file");
        count += 1;
    }
    count
}

/// A service request: header lines, a blank line, the body.
fn request(content_type: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("content-type: {content_type}\n{extra}\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn main() {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = fuzz_dir.parent().expect("the repository root");
    let mut args = std::env::args_os().skip(1);
    let out = args
        .next()
        .map_or_else(|| fuzz_dir.join("corpus"), PathBuf::from);

    let mut seeds = Seeds::default();
    seeds.walk_dir(&root.join("conformance/vectors"));
    seeds.walk_dir(&root.join("sdk/tests/vectors"));
    seeds.walk_dir(&root.join("sdk/tests/corpus"));
    for extra in args {
        seeds.walk_dir(Path::new(&extra));
    }
    seeds.add_demo();

    let qr = || seeds.qr.iter().map(|s| s.clone().into_bytes());
    let binary = || seeds.binary.iter().cloned();
    let mut counts = Vec::new();
    let mut put = |name: &str, items: Vec<Vec<u8>>| {
        counts.push((name.to_owned(), write(&out.join(name), items)));
    };
    put("verify_empty", qr().collect());
    put("verify_trusted", qr().collect());
    put(
        "credential_payload",
        seeds.credential_payloads.iter().cloned().collect(),
    );
    put("cose", binary().collect());
    // Each signed message also wrapped as a trust bundle, so the bundle reader is reached.
    let bundles: Vec<Vec<u8>> = binary()
        .filter_map(|bytes| ikd_sdk::TrustBundle::new(bytes).ok())
        .map(|bundle| bundle.to_bytes())
        .collect();
    put(
        "trust_list",
        binary()
            .chain(seeds.json.iter().map(|s| s.clone().into_bytes()))
            .chain(bundles)
            .collect(),
    );
    put("status_list", binary().collect());
    put(
        "presentation",
        seeds
            .presentations
            .iter()
            .map(|s| s.clone().into_bytes())
            .chain(qr().take(20))
            .collect(),
    );
    put(
        "presentation_payload",
        seeds.presentation_payloads.iter().cloned().collect(),
    );
    put(
        "scan",
        seeds
            .pictures
            .iter()
            .map(|(_, bytes)| bytes.clone())
            .collect(),
    );
    let purposes = ["kyc", "identity", "age_check", "domicile"];
    let mut service: Vec<Vec<u8>> = seeds
        .presentations
        .iter()
        .chain(seeds.qr.iter().take(30))
        .enumerate()
        .map(|(i, qr)| {
            let body = match purposes.get(i % 5) {
                Some(purpose) => serde_json::json!({"qr": qr, "purpose": purpose}),
                None => serde_json::json!({"qr": qr}),
            };
            request("application/json", "", body.to_string().as_bytes())
        })
        .collect();
    for (content_type, bytes) in seeds.pictures.iter().take(8) {
        service.push(request(content_type, "?purpose=kyc", bytes));
    }
    service.push(request("application/json", "", b"{\"qr\": 1}"));
    service.push(request("text/plain", "", b"IKD1:"));
    put("service", service);

    for (name, count) in counts {
        println!("{name}: {count} seeds");
    }
}
