#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Receipts of every purpose, with every log event at TRACE captured: no name, NIK (whole
//! or masked), QR text or receipt text appears in the logs.
//!
//! This file holds one test: it installs the process-wide log subscriber.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};

const SEED: [u8; 32] = [0x71; 32];

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

#[test]
fn no_personal_data_in_the_logs() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .try_init()
        .unwrap();
    let dir = TempDir::new("receipt-logs");
    let data = demo_data();
    let mut personal: Vec<String> = Vec::new();
    let toml = format!(
        "[receipt]\nverifier_id = \"KECAMATAN-COBLONG-01\"\nsigning_key = \"{}\"\n\
         evidence_purposes = [\"kyc\"]\n",
        ikd_sdk::encoding::hex_encode(&SEED)
    );
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let state = state_at(dir.path(), NOW, Some(&data.trust), &toml);
            for purpose in ["kyc", "identity", "age_check", "domicile"] {
                let qr = shown(&data, "ktp");
                let request = Request::post("/v1/receipt")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::AUTHORIZATION, format!("Bearer {BANK_KEY}"))
                    .body(Body::from(verify_body(&qr, Some(purpose))))
                    .unwrap();
                let answer = send(&app_for(&state), request).await;
                assert_eq!(answer.0, StatusCode::OK);
                let body = json(&answer.2);
                personal.push(qr[5..40].to_owned());
                personal.push(body["qr"].as_str().unwrap()[6..40].to_owned());
                if let Some(nik) = body["content"]["fields"]["nik"].as_str() {
                    personal.push(nik.to_owned());
                }
            }
        });
    }
    assert!(
        personal.iter().any(|p| p.contains("********")),
        "{personal:?}"
    );
    let document: Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    for name in ["nik", "nama", "alamat", "tempat_lahir"] {
        personal.push(document[name].as_str().unwrap().to_owned());
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/v1/receipt"),
        "the requests were logged:\n{logs}"
    );
    for value in &personal {
        assert!(
            !logs.contains(value.as_str()),
            "{value} in the logs:\n{logs}"
        );
    }
}
