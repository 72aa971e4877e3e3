//! The one verification path every front door shares: QR text in, audited verdict out.
//!
//! `POST /v1/verify` calls [`verify_qr`] with the text of a JSON body or the text read from
//! an uploaded picture ([`crate::upload::scan_picture`]); the counter web page calls the
//! same function for its staff, so every verdict is verified, disclosed, audited and
//! counted the same way, whoever asked.

use crate::audit::AuditRecord;
use crate::problem::Problem;
use crate::state::AppState;
use axum::http::HeaderValue;
use ikd_sdk::disclosure::{DisclosedReport, Purpose};
use ikd_sdk::display::DisplayLanguages;
use ikd_sdk::{UnixTime, Verdict};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// A verification's answer: what the caller sends back and what it may log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Valid or rejected.
    pub verdict: Verdict,
    /// The reason code of a rejection (`None` when valid).
    pub reason_code: Option<&'static str>,
    /// The purpose the answer was disclosed for.
    pub purpose: &'static Purpose,
    /// The disclosed verdict as JSON ([`DisclosedReport`], schema
    /// `spec/schemas/disclosed-verdict.schema.json`). It may hold personal data: send it,
    /// never log or store it.
    pub json: String,
    /// The signed verification receipt, when one was asked for and receipts are
    /// configured. It may hold personal data, as `json`.
    pub receipt: Option<Vec<u8>>,
    /// The service clock's time the credential was verified at.
    pub verified_at: UnixTime,
}

impl Verification {
    /// [`Verification::verified_at`] as an HTTP `Date` header, which the answer carries
    /// instead of the time it is written: a caller works out how long a presentation has
    /// left from it and its own elapsed time, whatever its own clock says.
    pub fn date_header(&self) -> Option<HeaderValue> {
        // An HTTP date has a four-digit year (and the formatter panics past 9999).
        const YEAR_10000: u64 = 253_402_300_800;
        let seconds = u64::try_from(self.verified_at.0)
            .ok()
            .filter(|&seconds| seconds < YEAR_10000)?;
        let time = UNIX_EPOCH.checked_add(Duration::from_secs(seconds))?;
        HeaderValue::from_str(&httpdate::fmt_http_date(time)).ok()
    }

    /// `valid` or `rejected`.
    pub fn verdict_name(&self) -> &'static str {
        match self.verdict {
            Verdict::Valid => "valid",
            Verdict::Rejected => "rejected",
        }
    }
}

/// Verifies the QR text `qr` for the caller `client_id` (as the audit log, metrics and
/// access log name it) and the already-authorised `purpose`, against one snapshot of the
/// trust data in use, and records it in the audit log before answering.
///
/// This is the core of `POST /v1/verify`, shared by its JSON and picture forms; other
/// front doors (the counter web page) call it with their own caller id and
/// purpose after their own authentication and rate limiting. For a picture, first read
/// its QR text with [`crate::upload::scan_picture`].
///
/// A `nonce` is the challenge the caller showed the holder: a presentation must bind it,
/// and the configured audience if there is one. Every accepted presentation goes into the
/// service's replay cache, so a QR code is accepted once.
///
/// With `receipt` (the options of the purpose) and a configured `[receipt]` key, the
/// answer also carries a verification receipt signed by this verifier. `display` chooses
/// the languages of the answer's display rows.
///
/// Refused: a nonce that is no challenge code (400 `nonce_invalid`), no trust data (503
/// `trust_not_loaded`), an audit log that cannot record (503 `audit_unavailable`). Every credential outcome, valid or rejected, is
/// `Ok`. The QR text is dropped as soon as it is verified; nothing of it is logged.
pub async fn verify_qr(
    state: &AppState,
    client_id: &Arc<str>,
    purpose: &'static Purpose,
    nonce: Option<&str>,
    qr: String,
    receipt: Option<ikd_sdk::receipt::ReceiptOptions>,
    display: DisplayLanguages,
) -> Result<Verification, Problem> {
    let challenge = nonce
        .map(|nonce| ikd_sdk::Challenge::new(nonce, state.audience.as_deref()))
        .transpose()
        .map_err(|_| Problem::nonce_invalid())?;
    let trust = state
        .trust
        .current()
        .ok_or_else(Problem::trust_not_loaded)?;

    let now = state.clock.now();
    let verify = {
        let (policy, replay) = (state.policy.clone(), Arc::clone(&state.replay));
        move || {
            let options = ikd_sdk::VerifyOptions {
                challenge: challenge.as_ref(),
                replay_cache: Some(&*replay),
            };
            ikd_sdk::verify_with(&qr, &trust.store, now, &policy, &options)
        }
    };
    // A shared replay store is a database round trip: not on an async worker.
    let result = if state.replay.blocks() {
        match tokio::task::spawn_blocking(verify).await {
            Ok(result) => result,
            // As if it had run here: a panic stays a panic.
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Cancelled: the runtime is shutting down and the request cannot finish.
            Err(_) => return Err(Problem::request_timeout()),
        }
    } else {
        verify()
    };
    let json = DisclosedReport::with_display(&result, purpose, display).to_json();
    let (verdict, reason_code) = match &result {
        Ok(_) => (Verdict::Valid, None),
        Err(rejection) => (Verdict::Rejected, Some(rejection.code())),
    };
    let credential_hmac = result
        .as_ref()
        .ok()
        .and_then(|verified| verified.credential_id())
        .map(|id| state.hasher.hash(id));
    let receipt = match (receipt, &state.receipt_signer) {
        (Some(options), Some(signer)) => signer.sign(&result, purpose, now, &options).ok(),
        _ => None,
    };
    drop(result);

    state
        .audit
        .record(AuditRecord {
            time: now,
            client: Arc::clone(client_id),
            purpose: purpose.name,
            verdict,
            reason_code,
            credential_hmac,
        })
        .await
        .map_err(|_| Problem::audit_unavailable())?;

    let verification = Verification {
        verdict,
        reason_code,
        purpose,
        json,
        receipt,
        verified_at: now,
    };
    state
        .metrics
        .verification(verification.verdict_name(), reason_code.unwrap_or("none"));
    Ok(verification)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified_at(time: i64) -> Verification {
        Verification {
            verdict: Verdict::Valid,
            reason_code: None,
            purpose: ikd_sdk::disclosure::purpose("kyc").unwrap(),
            json: String::new(),
            receipt: None,
            verified_at: UnixTime(time),
        }
    }

    #[test]
    fn the_date_header_is_the_verification_time_as_an_http_date() {
        let date = verified_at(1_790_000_000).date_header().unwrap();
        assert_eq!(date, "Mon, 21 Sep 2026 14:13:20 GMT");
        assert_eq!(
            verified_at(0).date_header().unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            verified_at(253_402_300_799).date_header().unwrap(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        // Before 1970 or after 9999 has no HTTP date: the answer then goes without one.
        assert_eq!(verified_at(-1).date_header(), None);
        assert_eq!(verified_at(253_402_300_800).date_header(), None);
        assert_eq!(verified_at(i64::MAX).date_header(), None);
    }
}
