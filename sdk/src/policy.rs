//! What a verifier accepts, beyond what the format requires.

use crate::document::DocTypeSet;

/// Default clock-skew leeway, in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;

/// The verifier's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Clock-skew allowance applied to `nbf`, `iat` and `exp`, in seconds.
    pub leeway_seconds: u32,
    /// The document types this verifier accepts.
    pub accepted_doc_types: DocTypeSet,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            accepted_doc_types: DocTypeSet::all(),
        }
    }
}

impl Policy {
    /// The default policy: [`DEFAULT_LEEWAY_SECONDS`] of leeway, every document type.
    pub fn new() -> Self {
        Self::default()
    }

    /// The policy with another clock-skew leeway.
    pub fn with_leeway_seconds(mut self, seconds: u32) -> Self {
        self.leeway_seconds = seconds;
        self
    }

    /// The policy accepting only these document types.
    pub fn with_accepted_doc_types(mut self, doc_types: DocTypeSet) -> Self {
        self.accepted_doc_types = doc_types;
        self
    }
}
