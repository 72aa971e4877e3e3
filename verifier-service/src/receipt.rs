//! Verification receipts (bukti verifikasi): `POST /v1/receipt` verifies a credential as
//! `POST /v1/verify` does (audited, replay-protected) and answers with a receipt signed by
//! this verifier's own key (`spec/format.md` §17.8), as JSON or as the COSE bytes.
//!
//! Configuration (`[receipt]`):
//!
//! ```toml
//! [receipt]
//! verifier_id = "KECAMATAN-COBLONG-01"   # named in every receipt
//! signing_key = "<64 hex>"               # the Ed25519 seed; secret (IKD_RECEIPT_SIGNING_KEY)
//! evidence_purposes = ["kyc"]            # purposes whose receipts embed the presentation
//! reveal_nik_purposes = []               # purposes whose receipts keep the NIK whole
//! ```
//!
//! The keyed hash of the credential id is the audit log's (`audit.hmac_key`), so a receipt
//! and its audit row name the same credential by the same hash.

use crate::app::{Seen, admit};
use crate::config::ConfigError;
use crate::input::read_body;
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use crate::verification::verify_qr;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ikd_sdk::disclosure::{PURPOSES, Purpose};
use ikd_sdk::receipt::{ReceiptOptions, receipt_qr_text};
use ikd_sdk::{IssuerSigningKey, Receipt, ReceiptSigner};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The media type of a receipt's bytes.
pub const RECEIPT_CBOR: &str = "application/cbor";

/// The `[receipt]` section as written.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReceipt {
    verifier_id: Option<String>,
    /// Also from `IKD_RECEIPT_SIGNING_KEY`.
    pub(crate) signing_key: Option<String>,
    evidence_purposes: Option<Vec<String>>,
    reveal_nik_purposes: Option<Vec<String>>,
}

impl fmt::Debug for RawReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whether the key is set, never the key.
        f.debug_struct("RawReceipt")
            .field("verifier_id", &self.verifier_id)
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "<secret>"),
            )
            .finish_non_exhaustive()
    }
}

/// Receipts as configured: who signs them, and what each purpose keeps.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptConfig {
    /// The verifier's identifier, named in every receipt.
    pub verifier_id: String,
    /// The Ed25519 seed of the verifier's signing key.
    seed: [u8; 32],
    /// Purposes whose receipts embed the holder's presentation.
    pub evidence_purposes: Vec<&'static str>,
    /// Purposes whose receipts keep the NIK whole.
    pub reveal_nik_purposes: Vec<&'static str>,
}

impl fmt::Debug for ReceiptConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiptConfig")
            .field("verifier_id", &self.verifier_id)
            .field("evidence_purposes", &self.evidence_purposes)
            .field("reveal_nik_purposes", &self.reveal_nik_purposes)
            .finish_non_exhaustive()
    }
}

impl ReceiptConfig {
    /// The signing key.
    pub fn signing_key(&self) -> IssuerSigningKey {
        IssuerSigningKey::from_seed(&self.seed)
    }

    /// What a receipt for `purpose` keeps; `qr` is the QR text the holder showed.
    pub fn options(&self, purpose: &Purpose, qr: &str) -> ReceiptOptions {
        ReceiptOptions {
            reveal_nik: self.reveal_nik_purposes.contains(&purpose.name),
            presentation: self
                .evidence_purposes
                .contains(&purpose.name)
                .then(|| qr.to_owned()),
        }
    }
}

/// Checks the section; `None` when it is absent (no receipts).
pub fn resolve(raw: RawReceipt) -> Result<Option<ReceiptConfig>, ConfigError> {
    let error = |m: &str| ConfigError::Invalid(m.to_owned());
    let Some(key) = raw.signing_key else {
        if raw.verifier_id.is_some()
            || raw.evidence_purposes.is_some()
            || raw.reveal_nik_purposes.is_some()
        {
            return Err(error("receipt.signing_key is required for receipts"));
        }
        return Ok(None);
    };
    let seed = ikd_sdk::encoding::hex_decode(key.trim())
        .and_then(|raw| <[u8; 32]>::try_from(raw).ok())
        .ok_or_else(|| error("receipt.signing_key must be 64 hex digits (an Ed25519 seed)"))?;
    let verifier_id = raw
        .verifier_id
        .filter(|id| !id.is_empty() && id.len() <= ikd_sdk::receipt::MAX_VERIFIER_ID_LEN)
        .ok_or_else(|| error("receipt.verifier_id must be 1 to 128 bytes"))?;
    let purposes = |names: Option<Vec<String>>, key: &str| {
        names
            .unwrap_or_default()
            .iter()
            .map(|name| {
                PURPOSES
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.name)
                    .ok_or_else(|| ConfigError::Invalid(format!("receipt.{key}: unknown purpose")))
            })
            .collect::<Result<Vec<&'static str>, ConfigError>>()
    };
    Ok(Some(ReceiptConfig {
        verifier_id,
        seed,
        evidence_purposes: purposes(raw.evidence_purposes, "evidence_purposes")?,
        reveal_nik_purposes: purposes(raw.reveal_nik_purposes, "reveal_nik_purposes")?,
    }))
}

/// The body of `POST /v1/receipt`: as `POST /v1/verify` takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptRequest {
    /// The scanned QR text (`IKD1:…`).
    #[schema(required = true, value_type = String)]
    qr: Option<String>,
    /// The purpose; the client's default when absent.
    purpose: Option<String>,
    /// The challenge code shown to the holder.
    nonce: Option<String>,
}

/// A receipt, as JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptAnswer {
    /// The receipt's QR text (`IKDR1:` and Base45): print it.
    pub qr: String,
    /// What the receipt records, as checked against this verifier's key: `verifier`,
    /// `verified_at`, `purpose`, `verdict`, `reason`, `issuer`, `kid`,
    /// `credential_hash`, `fields` (NIK masked), `presentation`.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// The verifier's public key (hex), which checks it (`ikd receipt verify`).
    pub public_key: String,
}

/// Verifies a credential as `POST /v1/verify` does (the same checks, audit row and replay
/// protection) and answers with a verification receipt signed by this verifier's key
/// (`spec/format.md` §17.8): JSON by default, the receipt's COSE bytes with
/// `Accept: application/cbor`. The receipt holds the verdict and only the fields the
/// purpose may see, the NIK masked unless configured otherwise.
#[utoipa::path(
    post,
    path = "/v1/receipt",
    tag = "verification",
    operation_id = "receipt",
    security(("api_key" = [])),
    request_body(content = ReceiptRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The receipt: JSON, or its COSE bytes (`application/cbor`).",
            content((ReceiptAnswer = "application/json"), (Vec<u8> = "application/cbor"))),
        (status = 400, description = "`malformed_json`, `qr_missing`, `purpose_unknown` or `nonce_invalid`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`api_key_missing` or `api_key_invalid`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`purpose_not_allowed`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`receipts_unavailable`: no `[receipt]` signing key is configured.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "`body_too_large`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "`trust_not_loaded` or `audit_unavailable`.",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn receipt(
    State(state): State<AppState>,
    headers: HeaderMap,
    seen: Seen,
    body: Body,
) -> Response {
    match receipt_inner(&state, &headers, &seen, body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn receipt_inner(
    state: &AppState,
    headers: &HeaderMap,
    seen: &Seen,
    body: Body,
) -> Result<Response, Problem> {
    let client = admit(state, headers, seen)?;
    let config = state
        .receipts
        .as_ref()
        .ok_or_else(Problem::receipts_unavailable)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Problem::unsupported_media_type());
    }
    let bytes = read_body(headers, body, state.body_limit_bytes).await?;
    let request: ReceiptRequest = serde_json::from_slice(&bytes).map_err(|_| {
        Problem::malformed_json("Send {\"qr\": \"IKD1:...\", \"purpose\": \"...\"}.")
    })?;
    drop(bytes);
    let qr = request.qr.ok_or_else(Problem::qr_missing)?;
    let purpose = client.purpose(request.purpose.as_deref())?;
    seen.purpose(purpose.name);
    let options = config.options(purpose, &qr);
    let verification = verify_qr(
        state,
        &client.id,
        purpose,
        request.nonce.as_deref(),
        qr,
        Some(options),
        // Only the receipt is answered: no verdict JSON to lay out.
        ikd_sdk::display::DisplayLanguages::None,
    )
    .await?;
    seen.outcome(verification.verdict_name(), verification.reason_code);
    let bytes = verification
        .receipt
        .ok_or_else(Problem::receipts_unavailable)?;
    let wants_cbor = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|m| {
                m.split(';')
                    .next()
                    .is_some_and(|m| m.trim() == RECEIPT_CBOR)
            })
        });
    let mut response = if wants_cbor {
        let mut response = (StatusCode::OK, bytes).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(RECEIPT_CBOR));
        response
    } else {
        let public_key = config.signing_key().public_key();
        let content =
            Receipt::verify(&bytes, &public_key).map_err(|_| Problem::receipts_unavailable())?;
        let answer = ReceiptAnswer {
            qr: receipt_qr_text(&bytes),
            content: serde_json::to_value(&content).unwrap_or_default(),
            public_key: ikd_sdk::encoding::hex_encode(&public_key.to_bytes()),
        };
        let body = serde_json::to_string(&answer).unwrap_or_default();
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    };
    // A receipt may hold personal data: no cache may keep it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The signer for `config`, hashing credential ids with the audit log's key.
pub fn signer(config: &ReceiptConfig, hash_key: &[u8]) -> Option<ReceiptSigner> {
    ReceiptSigner::new(
        config.verifier_id.clone(),
        config.signing_key(),
        hash_key.to_vec(),
    )
    .ok()
}
