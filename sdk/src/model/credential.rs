//! A signed credential as bytes and QR text, its validity window, and what can go wrong
//! building one. The issuer makes credentials; wallets store them and present them.

use crate::codes::Reason;
use crate::model::time::UnixTime;
use crate::wire::crypto::KeyError;
use crate::wire::limits::MAX_QR_TEXT_LEN;
use crate::wire::transport;
use core::fmt;
use ed25519_dalek::ed25519::signature;
use std::sync::Arc;

/// Why a credential was not issued.
///
/// Two [`IssueError::Signer`] compare equal when their messages are.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IssueError {
    /// The document fails the checks every verifier applies.
    InvalidDocument(Reason),
    /// The issuer identifier is empty or longer than 64 bytes.
    InvalidIssuerId,
    /// The validity window is inverted or outside 1970 to 9999.
    InvalidValidity,
    /// The credential identifier is empty or longer than 32 bytes.
    InvalidCredentialId,
    /// The status list URI is empty, longer than 256 bytes or holds control characters.
    InvalidStatusReference,
    /// No randomness for the credential identifier.
    Key(KeyError),
    /// The QR text would be longer than any verifier accepts.
    TooLarge {
        /// Its length in characters.
        len: usize,
    },
    /// The signer (an HSM or a KMS, for example) did not sign: its error, shared so that
    /// the error stays cloneable.
    Signer(Arc<signature::Error>),
}

impl PartialEq for IssueError {
    fn eq(&self, other: &Self) -> bool {
        use IssueError as E;
        match (self, other) {
            (E::InvalidDocument(a), E::InvalidDocument(b)) => a == b,
            (E::Key(a), E::Key(b)) => a == b,
            (E::TooLarge { len: a }, E::TooLarge { len: b }) => a == b,
            (E::Signer(a), E::Signer(b)) => a.to_string() == b.to_string(),
            (E::InvalidIssuerId, E::InvalidIssuerId)
            | (E::InvalidValidity, E::InvalidValidity)
            | (E::InvalidCredentialId, E::InvalidCredentialId)
            | (E::InvalidStatusReference, E::InvalidStatusReference) => true,
            _ => false,
        }
    }
}

impl Eq for IssueError {}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::InvalidDocument(reason) => write!(f, "document refused: {reason}"),
            IssueError::InvalidIssuerId => f.write_str("issuer id must be 1 to 64 bytes"),
            IssueError::InvalidValidity => {
                f.write_str("validity must satisfy 0 <= issued_at <= not_before <= expires_at")
            }
            IssueError::InvalidCredentialId => f.write_str("credential id must be 1 to 32 bytes"),
            IssueError::InvalidStatusReference => {
                f.write_str("the status list URI must be 1 to 256 bytes without control characters")
            }
            IssueError::Key(e) => write!(f, "{e}"),
            IssueError::TooLarge { len } => write!(
                f,
                "the QR text would be {len} characters; verifiers accept at most {MAX_QR_TEXT_LEN}"
            ),
            IssueError::Signer(e) => write!(f, "the signer failed: {e}"),
        }
    }
}

impl std::error::Error for IssueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IssueError::Key(e) => Some(e),
            IssueError::Signer(e) => Some(&**e),
            _ => None,
        }
    }
}

/// When a credential is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// `iat`.
    pub issued_at: UnixTime,
    /// `nbf`, if later than `iat`.
    pub not_before: Option<UnixTime>,
    /// `exp`.
    pub expires_at: UnixTime,
}

impl Validity {
    /// Valid from `issued_at` for `seconds`.
    pub fn for_seconds(issued_at: UnixTime, seconds: i64) -> Self {
        Validity {
            issued_at,
            not_before: None,
            expires_at: UnixTime(issued_at.0.saturating_add(seconds)),
        }
    }
}

/// A signed credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    cose: Vec<u8>,
    /// Encoded once at issuance, where its length is checked.
    qr_text: String,
}

impl Credential {
    /// A credential from its tagged COSE_Sign1 bytes, as a wallet stores it. Only the
    /// length is checked here; verification checks everything else.
    pub fn from_bytes(cose: Vec<u8>) -> Result<Self, IssueError> {
        let qr_text = transport::encode_qr_text(&cose);
        if qr_text.len() > MAX_QR_TEXT_LEN {
            return Err(IssueError::TooLarge { len: qr_text.len() });
        }
        Ok(Credential { cose, qr_text })
    }

    /// A credential whose QR text was just encoded and checked for length.
    pub(crate) fn from_parts(cose: Vec<u8>, qr_text: String) -> Self {
        Credential { cose, qr_text }
    }

    /// The tagged COSE_Sign1 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.cose
    }

    /// The QR text: `IKD1:` + Base45, compressed when shorter.
    pub fn to_qr_text(&self) -> String {
        self.qr_text.clone()
    }
}
