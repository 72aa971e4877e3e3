//! Misuse errors: the caller's inputs could not be used. A credential that fails
//! verification is never an error; it is an [`crate::Outcome`] with a reason code.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What went wrong, as a stable code. Codes are append-only: never renamed or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The trust store JSON (spec §9.1) could not be read.
    TrustStoreInvalid,
    /// The signed trust list did not verify against the pinned roots, or is malformed.
    TrustListInvalid,
    /// The pinned roots (trust anchors JSON or hex keys) could not be read.
    RootsInvalid,
    /// A status list token did not verify against the trust data, or is malformed.
    StatusListInvalid,
    /// The policy JSON could not be read.
    PolicyInvalid,
    /// A challenge (nonce, audience or `IKDC:` text) is not well formed.
    ChallengeInvalid,
    /// A time is not a whole number of seconds in range.
    TimeInvalid,
    /// A replay cache was asked for with no room.
    ReplayCapacityInvalid,
    /// No disclosure purpose has this name.
    PurposeUnknown,
    /// A device key (algorithm or secret) could not be used.
    DeviceKeyInvalid,
    /// The credential to present is not a credential's QR text.
    CredentialInvalid,
    /// The presentation could not be made (time out of range, too large for a QR code).
    PresentationFailed,
    /// A camera frame's size and pixels do not agree.
    FrameInvalid,
    /// Scanning a frame failed.
    ScanFailed,
    /// The host's clock could not be read.
    ClockUnavailable,
    /// Randomness could not be drawn from the host.
    RandomnessUnavailable,
    /// A bug: the SDK panicked. Reported rather than unwinding across a language boundary.
    Internal,
    /// A test issuer could not be made (its seed, identifier or document types).
    IssuerInvalid,
    /// The document to issue is not valid document JSON, or fails a verifier's checks.
    DocumentInvalid,
    /// Issuing failed (validity out of range, too large for a QR code).
    IssuanceFailed,
    /// A trust bundle was refused as a whole: malformed, not signed by a pinned root, or
    /// older, frozen or from the future under the import rules (spec §9.6); the message
    /// starts with the bundle's own code (`bundle_…`).
    BundleRefused,
}

impl ErrorCode {
    /// Every code, in the order they were added.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::TrustStoreInvalid,
        ErrorCode::TrustListInvalid,
        ErrorCode::RootsInvalid,
        ErrorCode::StatusListInvalid,
        ErrorCode::PolicyInvalid,
        ErrorCode::ChallengeInvalid,
        ErrorCode::TimeInvalid,
        ErrorCode::ReplayCapacityInvalid,
        ErrorCode::PurposeUnknown,
        ErrorCode::DeviceKeyInvalid,
        ErrorCode::CredentialInvalid,
        ErrorCode::PresentationFailed,
        ErrorCode::FrameInvalid,
        ErrorCode::ScanFailed,
        ErrorCode::ClockUnavailable,
        ErrorCode::RandomnessUnavailable,
        ErrorCode::Internal,
        ErrorCode::IssuerInvalid,
        ErrorCode::DocumentInvalid,
        ErrorCode::IssuanceFailed,
        ErrorCode::BundleRefused,
    ];

    /// The stable snake_case code.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::TrustStoreInvalid => "trust_store_invalid",
            ErrorCode::TrustListInvalid => "trust_list_invalid",
            ErrorCode::RootsInvalid => "roots_invalid",
            ErrorCode::StatusListInvalid => "status_list_invalid",
            ErrorCode::PolicyInvalid => "policy_invalid",
            ErrorCode::ChallengeInvalid => "challenge_invalid",
            ErrorCode::TimeInvalid => "time_invalid",
            ErrorCode::ReplayCapacityInvalid => "replay_capacity_invalid",
            ErrorCode::PurposeUnknown => "purpose_unknown",
            ErrorCode::DeviceKeyInvalid => "device_key_invalid",
            ErrorCode::CredentialInvalid => "credential_invalid",
            ErrorCode::PresentationFailed => "presentation_failed",
            ErrorCode::FrameInvalid => "frame_invalid",
            ErrorCode::ScanFailed => "scan_failed",
            ErrorCode::ClockUnavailable => "clock_unavailable",
            ErrorCode::RandomnessUnavailable => "randomness_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::IssuerInvalid => "issuer_invalid",
            ErrorCode::DocumentInvalid => "document_invalid",
            ErrorCode::IssuanceFailed => "issuance_failed",
            ErrorCode::BundleRefused => "bundle_refused",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A misuse error: a stable code and a message for people (English, never containing
/// credential content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What went wrong, for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `{"error": {"code": …, "message": …}}`, for bindings that pass errors as JSON.
    pub fn to_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            error: Inner<'a>,
        }
        #[derive(serde::Serialize)]
        struct Inner<'a> {
            code: &'a str,
            message: &'a str,
        }
        let out = Out {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
            },
        };
        // Two strings: serializing cannot fail.
        serde_json::to_string(&out).unwrap_or_default()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Runs `f`, turning a panic into an [`ErrorCode::Internal`] error, for bindings whose
/// entry points must never unwind into another language (C, Python, Java).
///
/// The facade does not panic on any input by construction; this is the second line. On
/// `wasm32-unknown-unknown` panics abort, so there it cannot catch anything: a panic traps
/// the WebAssembly instance, which JavaScript sees as a `RuntimeError`.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    // A verifier's state (its replay cache) stays consistent after a panic: the cache's
    // lock recovers from poisoning, and an entry is either recorded or not.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::new(
            ErrorCode::Internal,
            "the SDK panicked; this is a bug, please report it",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn guard_turns_a_panic_into_an_internal_error() {
        #[allow(clippy::panic)]
        let result: Result<(), Error> = guard(|| panic!("boom"));
        assert_eq!(result.unwrap_err().code(), ErrorCode::Internal);
        assert_eq!(guard(|| Ok(3)), Ok(3));
    }

    #[test]
    fn error_json_carries_the_code() {
        let json = Error::new(ErrorCode::PolicyInvalid, "x").to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["error"]["code"], "policy_invalid");
        assert_eq!(
            Error::new(ErrorCode::PolicyInvalid, "a \"b\"").to_json(),
            r#"{"error":{"code":"policy_invalid","message":"a \"b\""}}"#
        );
    }
}
