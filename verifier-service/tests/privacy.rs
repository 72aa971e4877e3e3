#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

//! Every personal field of every sample goes through the service, over real loopback and
//! through the router, as JSON and as an uploaded picture of its QR code, with every log
//! event at TRACE level captured; then neither the captured logs nor the audit database's
//! files hold any of them.
//!
//! This file holds one test: it installs the process-wide log subscriber.

mod common;

use common::counter::*;
use common::pictures;
use common::*;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::counter::session::CSRF_HEADER;
use ikd_verifier_service::server;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Every text value of a document's JSON form (names, places, addresses, NIKs, numbers
/// written as text, dates), plus the numbers that identify a person or a family.
fn personal_values(document: &Value, out: &mut Vec<String>) {
    match document {
        Value::String(text) if text.len() >= 4 => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|i| personal_values(i, out)),
        Value::Object(map) => {
            for (key, value) in map {
                if key != "type" && key != "berlaku_hingga" {
                    personal_values(value, out);
                }
            }
        }
        _ => {}
    }
}

fn find(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn no_personal_data_in_logs_or_audit_database() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .try_init()
        .unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = TempDir::new("privacy");
    let data = demo_data();
    let foreign = foreign_data();
    let audit_dir = dir.path().join("audit");

    let responses = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            let mut config = config(dir.path(), &staff_toml());
            config.listen = "127.0.0.1:0".parse().unwrap();
            std::fs::write(&config.trust_store, data.trust.to_json()).unwrap();
            let state = server::build(&config, Clock::Fixed(NOW)).unwrap();
            let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(server::serve(listener, state.clone(), async {
                let _ = stopped.await;
            }));

            let mut responses = Vec::new();
            let bearer = format!("Bearer {BANK_KEY}");
            let headers = [
                ("Authorization", bearer.as_str()),
                ("Content-Type", "application/json"),
            ];
            // The counter page, through the router (its cookie is easier to carry): a
            // refused sign-in (the password must not be logged either), then a real one.
            let page = ikd_verifier_service::app(state.clone());
            let wrong = page_post(
                "/counter/api/login",
                None,
                Some("1"),
                &login_body("petugas", &format!("{PASSWORD}-salah")),
            );
            assert_eq!(send(&page, wrong).await.0, 401);
            let signed = sign_in(&page, "petugas").await;
            for credential in data.credentials.iter().chain(&foreign.credentials) {
                let qr = &credential.qr_text;
                let mut tampered = qr.clone();
                tampered.insert(qr.len() / 2, 'Z');
                for text in [qr.clone(), tampered] {
                    for purpose in ["kyc", "identity", "age_check", "domicile"] {
                        let body = verify_body(&text, Some(purpose));
                        let (status, answer) =
                            http_request(addr, "POST", "/v1/verify", &headers, body.as_bytes())
                                .await;
                        assert_eq!(status, 200, "{answer}");
                        responses.push(answer);
                    }
                    // The same text as a picture: verified, and refused without a key.
                    let picture = pictures::png(&text);
                    let (status, answer) = http_request(
                        addr,
                        "POST",
                        "/v1/verify?purpose=kyc",
                        &[("Authorization", &bearer), ("Content-Type", "image/png")],
                        &picture,
                    )
                    .await;
                    assert_eq!(status, 200, "{answer}");
                    responses.push(answer);
                    let (status, _) = http_request(
                        addr,
                        "POST",
                        "/v1/verify",
                        &[("Content-Type", "image/png")],
                        &picture,
                    )
                    .await;
                    assert_eq!(status, 401);
                    // The counter page: text and picture, as a signed-in staff member
                    // (client bank, purpose kyc), and refused without the CSRF token.
                    for request in [
                        page_verify(&signed, &text),
                        page_picture(&signed, "image/png", pictures::png(&text)),
                    ] {
                        let (status, _, answer) = send(&page, request).await;
                        assert_eq!(status, 200);
                        responses.push(String::from_utf8(answer).unwrap());
                    }
                    let mut forged = page_verify(&signed, &text);
                    forged.headers_mut().remove(CSRF_HEADER);
                    assert_eq!(send(&page, forged).await.0, 403);
                    // Refused requests carry the data too.
                    let body = verify_body(&text, None);
                    let (status, _) = http_request(
                        addr,
                        "POST",
                        "/v1/verify",
                        &[("Content-Type", "application/json")],
                        body.as_bytes(),
                    )
                    .await;
                    assert_eq!(status, 401);
                    let (status, _) = http_request(
                        addr,
                        "POST",
                        "/v1/verify",
                        &[("Authorization", &bearer), ("Content-Type", "text/plain")],
                        body.as_bytes(),
                    )
                    .await;
                    assert_eq!(status, 415);
                    let broken = format!("{{\"qr\": \"{text}\", \"nik\": \"x\"}}");
                    let (status, _) =
                        http_request(addr, "POST", "/v1/verify", &headers, broken.as_bytes()).await;
                    assert_eq!(status, 400);
                    let segment: String = text[5..30]
                        .bytes()
                        .map(|b| {
                            if b.is_ascii_alphanumeric() {
                                (b as char).to_string()
                            } else {
                                format!("%{b:02X}")
                            }
                        })
                        .collect();
                    let path = format!("/v1/verify/{segment}");
                    let (status, _) =
                        http_request(addr, "POST", &path, &headers, body.as_bytes()).await;
                    assert_eq!(status, 404);
                }
            }
            // And through the router directly, for each shop purpose problem as well.
            let router = ikd_verifier_service::app(state.clone());
            for credential in &data.credentials {
                let request = verify_request(
                    Some(SHOP_KEY),
                    verify_body(&credential.qr_text, Some("kyc")),
                );
                assert_eq!(send(&router, request).await.0, 403);
            }
            let _ = stop.send(());
            server.await.unwrap().unwrap();
            state.audit.close().await;
            responses
        })
        .await
        .unwrap()
    });
    drop(runtime);

    // The staff password is a secret as well.
    let mut personal = vec![PASSWORD.to_owned()];
    for credential in data.credentials.iter().chain(&foreign.credentials) {
        personal.push(credential.qr_text.clone());
        // Any 24 characters of the QR text would identify it too.
        personal.push(credential.qr_text[5..29].to_owned());
        personal.push(credential.qr_text[credential.qr_text.len() - 24..].to_owned());
    }
    for (_, json) in ikd_sdk::samples::ALL {
        personal_values(&serde_json::from_str(json).unwrap(), &mut personal);
    }
    for must in [
        "3273015708920003",
        "SITI NURHALIZA PUTRI",
        "JL. GEGERKALONG HILIR NO. 47",
        "ENTIN KURNIASIH",
        "3273012208140005",
        "AGUS SETIAWAN",
    ] {
        assert!(personal.iter().any(|p| p == must), "{must} is searched for");
    }

    // The search works: kyc answers do hold the data.
    let all_answers = responses.join("\n");
    assert!(all_answers.contains("3273015708920003") && all_answers.contains("ENTIN KURNIASIH"));

    let logs = captured.0.lock().unwrap().clone();
    let log_text = String::from_utf8_lossy(&logs);
    assert!(
        log_text.contains("route=/v1/verify"),
        "the logs were captured:\n{log_text}"
    );
    assert!(
        log_text.contains("verdict=valid")
            && log_text.contains("client=bank")
            && log_text.contains("route=/counter/api/verify"),
        "{log_text}"
    );

    let mut database = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&audit_dir).unwrap() {
        let path = entry.unwrap().path();
        files.push(path.file_name().unwrap().to_string_lossy().into_owned());
        database.extend(std::fs::read(&path).unwrap());
    }
    assert!(files.iter().any(|f| f == "audit.sqlite3"), "{files:?}");
    let rows: i64 = rusqlite::Connection::open(audit_dir.join("audit.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit WHERE client = 'bank'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        rows as usize,
        responses.len(),
        "every verification is audited"
    );

    let mut found = Vec::new();
    for value in &personal {
        if find(&logs, value) {
            found.push(format!("logs: {value}"));
        }
        if find(&database, value) {
            found.push(format!("audit database: {value}"));
        }
    }
    assert!(
        found.is_empty(),
        "personal data found:\n{}",
        found.join("\n")
    );
}
