#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! `ikd trust` and `ikd status-list` end to end, as a user runs them: root and issuer keys,
//! a status list, `trust publish`, `trust serve` on a free loopback port, `trust sync` into
//! a cache, `verify --cache`, an update that revokes, and the refusals.

mod common;

use common::{IKD, TempDir, code};
use serde_json::Value;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const ISSUED: &str = "2026-06-01T00:00:00Z";
const LATER: &str = "2026-06-01T01:00:00Z";
const URI: &str = "https://ikd.example/status/3273/1";

fn ikd(args: &[&str]) -> Output {
    common::ikd(args, None)
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The `ikd trust serve` child, stopped (by its handle) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &str) -> Self {
        let mut child = Command::new(IKD)
            .args(["trust", "serve", dir, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive
            .recv_timeout(Duration::from_secs(20))
            .expect("the server prints its address");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Root key, issuer key and trust store, anchors, and two credentials (index 5 and 6).
fn setup(dir: &TempDir) {
    ok(&ikd(&[
        "keygen",
        "--out",
        &dir.arg("root.key.json"),
        "--issuer",
        "ID-DUKCAPIL-ROOT",
        "--name",
        "Dukcapil root 2026",
        "--valid-from",
        "2026-01-01T00:00:00Z",
    ]));
    ok(&ikd(&[
        "keygen",
        "--out",
        &dir.arg("issuer.key.json"),
        "--issuer",
        "ID-DUKCAPIL-3273",
        "--name",
        "Disdukcapil Kota Bandung",
        "--trust-store",
        &dir.arg("trust.json"),
        "--valid-from",
        "2026-01-01T00:00:00Z",
    ]));
    let anchors = ok(&ikd(&[
        "trust",
        "anchors",
        "--key",
        &dir.arg("root.key.json"),
    ]));
    std::fs::write(dir.0.join("anchors.json"), anchors).unwrap();
    for (index, name) in [("5", "revoked.qr"), ("6", "ok.qr")] {
        ok(&ikd(&[
            "issue",
            "ktp",
            "--key",
            &dir.arg("issuer.key.json"),
            "--data",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../sdk/samples/ktp.json"),
            "--status-uri",
            URI,
            "--status-index",
            index,
            "--now",
            ISSUED,
            "--out",
            &dir.arg(name),
        ]));
    }
}

fn status_list(dir: &TempDir, extra: &[&str]) {
    let key = dir.arg("issuer.key.json");
    let out = dir.arg("3273-1.cwt");
    let mut args = vec!["status-list", "issue", "--key", &key, "--out", &out];
    args.extend_from_slice(extra);
    ok(&ikd(&args));
}

fn publish(dir: &TempDir, now: &str) {
    ok(&publish_output(dir, now));
}

fn publish_output(dir: &TempDir, now: &str) -> Output {
    ikd(&[
        "trust",
        "publish",
        "--root-key",
        &dir.arg("root.key.json"),
        "--trust",
        &dir.arg("trust.json"),
        "--status-list",
        &dir.arg("3273-1.cwt"),
        "--out",
        &dir.arg("pub"),
        "--now",
        now,
    ])
}

/// `ikd verify --json` from the cache. The credentials here are bare KTP-els (these tests
/// are about trust data and revocation), so the verifier accepts them bare.
fn verify_json(dir: &TempDir, qr: &str, now: &str) -> (i32, Value) {
    let qr = std::fs::read_to_string(dir.0.join(qr)).unwrap();
    let output = ikd(&[
        "verify",
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
        "--now",
        now,
        "--json",
        "--accept-bare",
        "ktp",
        qr.trim(),
    ]);
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let validator = ikd_sdk::schemas::validator("verdict.schema.json").unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    (code(&output), json)
}

fn sync(dir: &TempDir, url: &str, now: &str) -> Output {
    ikd(&[
        "trust",
        "sync",
        url,
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
        "--now",
        now,
        "--timeout",
        "10",
        "--retries",
        "1",
    ])
}

#[test]
fn publish_serve_sync_verify_and_revoke() {
    let dir = TempDir::new("e2e");
    setup(&dir);
    status_list(
        &dir,
        &[
            "--uri", URI, "--size", "1024", "--revoke", "5", "--now", ISSUED,
        ],
    );
    publish(&dir, ISSUED);
    let server = Server::start(&dir.arg("pub"));

    let first = ok(&sync(&dir, &server.url, LATER));
    assert!(first.contains("trust-list.cwt: updated"), "{first}");
    assert!(
        first.contains(&format!("status list {URI}: updated")),
        "{first}"
    );
    assert!(first.contains("Trust list 1:"), "{first}");

    let (exit, json) = verify_json(&dir, "ok.qr", LATER);
    assert_eq!((exit, json["verdict"].as_str()), (0, Some("valid")));
    assert_eq!(json["trust_data"]["source"], "trust_list");
    assert_eq!(json["trust_data"]["sequence"], 1);
    assert_eq!(json["trust_data"]["age_seconds"], 3600);
    assert_eq!(json["trust_data"]["status_list"]["age_seconds"], 3600);
    let (exit, json) = verify_json(&dir, "revoked.qr", LATER);
    assert_eq!(exit, 1);
    assert_eq!(json["reason"]["code"], "credential_revoked");
    assert_eq!(json["reason"]["stage"], "revocation");

    // Nothing changed on the server: 304s.
    let again = ok(&sync(&dir, &server.url, LATER));
    assert!(again.contains("trust-list.cwt: not modified"), "{again}");
    assert!(again.contains("not modified"), "{again}");

    // The issuer revokes index 6 as well; the root publishes list 2 (sequence picked).
    status_list(
        &dir,
        &[
            "--from",
            &dir.arg("3273-1.cwt"),
            "--revoke",
            "6",
            "--now",
            "2026-06-01T00:30:00Z",
        ],
    );
    publish(&dir, "2026-06-01T00:30:00Z");
    let update = ok(&sync(&dir, &server.url, LATER));
    assert!(update.contains("Trust list 2:"), "{update}");
    let (exit, json) = verify_json(&dir, "ok.qr", LATER);
    assert_eq!(exit, 1);
    assert_eq!(json["reason"]["code"], "credential_revoked");
    assert_eq!(json["trust_data"]["sequence"], 2);

    let shown = ok(&ikd(&[
        "trust",
        "show",
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
        "--now",
        LATER,
    ]));
    assert!(shown.contains("Status lists: 1 of 1 held"), "{shown}");

    // The server goes away: the sync fails (exit 1), the cache keeps its data.
    drop(server);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let down = sync(&dir, &format!("http://{closed}"), LATER);
    assert_eq!(code(&down), 1);
    let (_, json) = verify_json(&dir, "revoked.qr", LATER);
    assert_eq!(json["reason"]["code"], "credential_revoked");
    assert_eq!(json["trust_data"]["sequence"], 2);

    // Human-readable verification says how fresh the data was.
    let qr = std::fs::read_to_string(dir.0.join("revoked.qr")).unwrap();
    let text = ok_or_rejected(&ikd(&[
        "verify",
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
        "--now",
        LATER,
        qr.trim(),
    ]));
    assert!(
        text.contains("Trust data: trust list 2 (0.5 h old)"),
        "{text}"
    );
}

fn ok_or_rejected(output: &Output) -> String {
    assert!(
        matches!(code(output), 0 | 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn refusals_are_setup_errors_and_name_no_content() {
    let dir = TempDir::new("refuse");
    setup(&dir);
    // A status list signed by a key the published trust list does not hold.
    ok(&ikd(&[
        "keygen",
        "--out",
        &dir.arg("stranger.key.json"),
        "--issuer",
        "ID-STRANGER",
    ]));
    let stranger = ikd(&[
        "status-list",
        "issue",
        "--key",
        &dir.arg("stranger.key.json"),
        "--uri",
        URI,
        "--size",
        "64",
        "--out",
        &dir.arg("3273-1.cwt"),
        "--now",
        ISSUED,
    ]);
    ok(&stranger);
    let refused = publish_output(&dir, ISSUED);
    assert_eq!(code(&refused), 2);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown key"));
    assert!(!dir.0.join("pub").join("trust-list.cwt").exists());

    // An index beyond the list, or a status the list cannot hold.
    let bad_index = ikd(&[
        "status-list",
        "issue",
        "--key",
        &dir.arg("issuer.key.json"),
        "--uri",
        URI,
        "--size",
        "64",
        "--revoke",
        "64",
        "--out",
        &dir.arg("x.cwt"),
    ]);
    assert_eq!(code(&bad_index), 2);
    let bad_status = ikd(&[
        "status-list",
        "issue",
        "--key",
        &dir.arg("issuer.key.json"),
        "--uri",
        URI,
        "--size",
        "64",
        "--suspend",
        "3",
        "--out",
        &dir.arg("x.cwt"),
    ]);
    assert_eq!(code(&bad_status), 2, "a 1-bit list cannot say suspended");

    // Verifying from an empty cache, syncing from a non-HTTP URL, and bad anchors.
    let qr = std::fs::read_to_string(dir.0.join("ok.qr")).unwrap();
    let empty = ikd(&[
        "verify",
        "--cache",
        &dir.arg("empty-cache"),
        "--roots",
        &dir.arg("anchors.json"),
        qr.trim(),
    ]);
    assert_eq!(code(&empty), 2);
    assert!(String::from_utf8_lossy(&empty.stderr).contains("ikd trust sync"));
    assert_eq!(code(&sync(&dir, "ftp://example.com", LATER)), 2);
    std::fs::write(dir.0.join("bad-anchors.json"), "{\"format\": \"x\"}").unwrap();
    let bad_anchors = ikd(&[
        "trust",
        "show",
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("bad-anchors.json"),
    ]);
    assert_eq!(code(&bad_anchors), 2);
    // A cache without a trust list shows as such (exit 1).
    let shown = ikd(&[
        "trust",
        "show",
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
    ]);
    assert_eq!(code(&shown), 1);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("no trust list"));
    // --trust and --cache together are a usage error.
    let both = ikd(&[
        "verify",
        "--trust",
        &dir.arg("trust.json"),
        "--cache",
        &dir.arg("cache"),
        "--roots",
        &dir.arg("anchors.json"),
        qr.trim(),
    ]);
    assert_eq!(code(&both), 2);
    // No message names the credential's content.
    for output in [&empty, &both] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("3273015708920003") && !stderr.contains("SITI"));
    }
}

fn import(dir: &TempDir, bundle: &str, cache: &str, now: &str) -> Output {
    ikd(&[
        "trust",
        "import",
        &dir.arg(bundle),
        "--cache",
        &dir.arg(cache),
        "--roots",
        &dir.arg("anchors.json"),
        "--now",
        now,
    ])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Trust data carried by file: `trust bundle` from a published folder or from files,
/// `trust import` into a cache, then the refusals: an older bundle, a tampered one, and a
/// partial one imported in part.
#[test]
fn bundles_carry_trust_data_without_a_network() {
    let dir = TempDir::new("bundle");
    setup(&dir);
    status_list(
        &dir,
        &[
            "--uri", URI, "--size", "1024", "--revoke", "5", "--now", ISSUED,
        ],
    );
    publish(&dir, ISSUED);
    let anchors = dir.arg("anchors.json");
    let written = ikd(&[
        "trust",
        "bundle",
        "--from",
        &dir.arg("pub"),
        "--roots",
        &anchors,
        "--out",
        &dir.arg("one.ikdb"),
    ]);
    ok(&written);
    assert!(
        stderr(&written).contains("trust list 1"),
        "{}",
        stderr(&written)
    );

    let first = ok(&import(&dir, "one.ikdb", "cache", LATER));
    assert!(first.contains("trust-list.cwt: updated"), "{first}");
    assert!(
        first.contains(&format!("status list {URI}: updated")),
        "{first}"
    );
    let (exit, json) = verify_json(&dir, "revoked.qr", LATER);
    assert_eq!(exit, 1);
    assert_eq!(json["reason"]["code"], "credential_revoked");
    assert_eq!(json["trust_data"]["sequence"], 1);

    // A newer list and status list, bundled from files.
    status_list(
        &dir,
        &[
            "--from",
            &dir.arg("3273-1.cwt"),
            "--revoke",
            "6",
            "--now",
            "2026-06-01T00:30:00Z",
        ],
    );
    publish(&dir, "2026-06-01T00:30:00Z");
    ok(&ikd(&[
        "trust",
        "bundle",
        "--trust-list",
        &dir.arg("pub/trust-list.cwt"),
        "--status-list",
        &dir.arg("3273-1.cwt"),
        "--roots",
        &anchors,
        "--out",
        &dir.arg("two.ikdb"),
    ]));
    ok(&import(&dir, "two.ikdb", "cache", LATER));
    let (_, json) = verify_json(&dir, "ok.qr", LATER);
    assert_eq!(json["reason"]["code"], "credential_revoked");
    assert_eq!(json["trust_data"]["sequence"], 2);

    // The older bundle again: a rollback, refused as a whole.
    let rollback = import(&dir, "one.ikdb", "cache", LATER);
    assert_eq!(code(&rollback), 1);
    assert!(
        stderr(&rollback).contains("bundle_trust_list_rollback"),
        "{}",
        stderr(&rollback)
    );
    let (_, json) = verify_json(&dir, "ok.qr", LATER);
    assert_eq!(json["trust_data"]["sequence"], 2);

    // One bit of the trust list's signature changed inside the bundle.
    let list = std::fs::read(dir.0.join("pub/trust-list.cwt")).unwrap();
    let mut bytes = std::fs::read(dir.0.join("two.ikdb")).unwrap();
    let at = bytes
        .windows(list.len())
        .position(|w| w == list.as_slice())
        .unwrap();
    bytes[at + list.len() - 1] ^= 0x01;
    std::fs::write(dir.0.join("tampered.ikdb"), &bytes).unwrap();
    let tampered = import(&dir, "tampered.ikdb", "fresh-cache", LATER);
    assert_eq!(code(&tampered), 1);
    assert!(
        stderr(&tampered).contains("bundle_trust_list_signature_invalid"),
        "{}",
        stderr(&tampered)
    );
    assert!(String::from_utf8_lossy(&tampered.stdout).contains("no trust list"));
    std::fs::write(dir.0.join("garbage.ikdb"), b"not a bundle").unwrap();
    let garbage = import(&dir, "garbage.ikdb", "fresh-cache", LATER);
    assert_eq!(code(&garbage), 1);
    assert!(stderr(&garbage).contains("bundle_malformed"));

    // A trust list alone: written with a warning, imported in part (exit 1).
    let partial = ikd(&[
        "trust",
        "bundle",
        "--trust-list",
        &dir.arg("pub/trust-list.cwt"),
        "--roots",
        &anchors,
        "--out",
        &dir.arg("partial.ikdb"),
    ]);
    ok(&partial);
    assert!(stderr(&partial).contains("lacks status list"));
    let imported = import(&dir, "partial.ikdb", "fresh-cache", LATER);
    assert_eq!(code(&imported), 1);
    let out = String::from_utf8_lossy(&imported.stdout);
    assert!(out.contains("trust-list.cwt: updated"), "{out}");
    assert!(out.contains("bundle_status_list_missing"), "{out}");
    assert!(out.contains("Status lists: 0 of 1 held"), "{out}");

    // Nothing is written for roots that do not sign the list, nor over an existing file.
    ok(&ikd(&[
        "keygen",
        "--out",
        &dir.arg("other-root.key.json"),
        "--issuer",
        "ID-OTHER-ROOT",
    ]));
    let other = ok(&ikd(&[
        "trust",
        "anchors",
        "--key",
        &dir.arg("other-root.key.json"),
    ]));
    std::fs::write(dir.0.join("other-anchors.json"), other).unwrap();
    let foreign = ikd(&[
        "trust",
        "bundle",
        "--from",
        &dir.arg("pub"),
        "--roots",
        &dir.arg("other-anchors.json"),
        "--out",
        &dir.arg("foreign.ikdb"),
    ]);
    assert_eq!(code(&foreign), 2);
    assert!(!dir.0.join("foreign.ikdb").exists());
    let exists = ikd(&[
        "trust",
        "bundle",
        "--from",
        &dir.arg("pub"),
        "--roots",
        &anchors,
        "--out",
        &dir.arg("two.ikdb"),
    ]);
    assert_eq!(code(&exists), 2);
    assert_eq!(code(&import(&dir, "missing.ikdb", "cache", LATER)), 2);
}
