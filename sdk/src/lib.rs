//! # IKD Verify SDK
//!
//! Offline verification of IKD credentials: Indonesian KTP-el and Kartu Keluarga data,
//! signed by the issuing Disdukcapil as a COSE_Sign1 (Ed25519) and shown as a QR code.
//!
//! One call, [`verify`], turns scanned QR text into a [`Verified`] credential or a
//! [`Rejection`] with one stable reason code. The trust data and the time are arguments:
//! the SDK never reads a clock and does no I/O while verifying.
//!
//! Trust data is a [`TrustStore`]: issuer keys from local configuration
//! ([`TrustStore::from_json`]) or from a root-signed trust list ([`trust_list`]), with the
//! issuers' Token Status Lists ([`status_list`]) for revocation. [`store::TrustCache`]
//! keeps the last good copies on disk and swaps verified updates in while verifications
//! run; `sync` (cargo feature `sync`) fetches them over HTTP. Every result says how fresh
//! the trust data was ([`TrustDataInfo`]); [`Policy`] says how old it may be.
//!
//! ```
//! use ikd_sdk::{
//!     verify, Document, DocType, DocTypeSet, IssueOptions, Issuer, IssuerSigningKey, Policy,
//!     TrustStore, TrustedKey, UnixTime, Validity,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The issuer side: a key, and a family card (KK) for a fictitious family. A KK is
//! // printed, so its QR code is a bare credential; a KTP-el is shown from the holder's
//! // phone inside a presentation (see [`presentation`]).
//! let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273")?;
//! let document: Document = serde_json::from_str(ikd_sdk::samples::KK_4_JSON)?;
//! let issued_at = UnixTime(1_790_000_000);
//! let (credential, _warnings) =
//!     issuer.issue(&document, Validity::for_seconds(issued_at, 86_400), &IssueOptions::default())?;
//! let qr_text = credential.to_qr_text();
//!
//! // The verifier side: trust the issuer's key for KK only.
//! let mut trust = TrustStore::new();
//! trust.add(TrustedKey {
//!     issuer: "ID-DUKCAPIL-3273".into(),
//!     name: "Disdukcapil Kota Bandung".into(),
//!     key: issuer.key().public_key(),
//!     valid_from: UnixTime(1_700_000_000),
//!     valid_until: UnixTime(1_900_000_000),
//!     doc_types: DocTypeSet::NONE.with(DocType::Kk),
//! });
//! let now = UnixTime(1_790_000_600);
//! let verified = verify(&qr_text, &trust, now, &Policy::default())?;
//! assert_eq!(verified.document().doc_type(), DocType::Kk);
//!
//! // A day later the same QR is rejected, with a stable reason code.
//! let later = UnixTime(1_790_100_000);
//! let rejection = verify(&qr_text, &trust, later, &Policy::default()).unwrap_err();
//! assert_eq!(rejection.code(), "credential_expired");
//!
//! // Any other QR code is "not an IKD credential", never "expired".
//! let rejection = verify("https://example.com", &trust, now, &Policy::default()).unwrap_err();
//! assert_eq!(rejection.code(), "not_ikd_credential");
//! # Ok(())
//! # }
//! ```

mod cache;
mod codes;
mod issue;
mod model;
mod output;
#[cfg(feature = "scan")]
pub mod scan;
mod trust;
mod verification;
mod wire;

// Verification: the one call and what it returns.
pub use verification::pipeline::{
    IssuerInfo, Rejection, StatusListAge, StepOutcome, Trace, TrustDataInfo, TrustListAge,
    Verified, VerifyOptions, verify, verify_with,
};
pub use verification::policy::{Freshness, FreshnessState, Policy, WhenStale};
pub use verification::presentation::{
    Challenge, PresentError, Presentation, PresentationInfo, ReplayCache, ReplayStore,
    ReplayStoreUnavailable, present,
};

// Reason codes and warnings.
pub use codes::{FieldPath, Reason, Stage, Warning};

// The model: time, documents, credentials, keys.
pub use model::claims::StatusReference;
pub use model::credential::{Credential, IssueError, Validity};
pub use model::document::{
    AgeProfile, BerlakuHingga, DocType, DocTypeSet, Document, DomicileProfile, IdentityProfile, Kk,
    KkMember, Ktp,
};
pub use model::nik::Nik;
pub use model::siak::SiakList;
pub use model::time::{AGE_OF_MAJORITY, Date, UnixTime, age_at_least};
pub use wire::crypto::{
    HolderAlg, HolderPublicKey, HolderSigningKey, IssuerPublicKey, IssuerSigningKey, KeyError, Kid,
};

// Trust data.
pub use trust::status_list::{StatusList, StatusListToken};
pub use trust::store::{KeyStatus, TrustEntry, TrustError, TrustListInfo, TrustStore, TrustedKey};
pub use trust::trust_list::{TrustAnchors, TrustList, VerifiedTrustList};

// Output.
pub use output::inspect::{
    Inspection, Sizes, UNVERIFIED_NOTICE, UnverifiedClaims, UnverifiedHeader, inspect,
};
pub use output::report::{
    IssuerReport, PresentationReport, ReasonReport, Report, StatusListReport, TraceStep,
    TrustDataReport, TrustSource, Verdict, WarningReport,
};

// Issuing. An issuer signs through the `signature` crate's `Signer` trait (re-exported
// here so that an HSM or KMS signer implements the same version).
pub use ed25519_dalek::Signature as Ed25519Signature;
pub use ed25519_dalek::ed25519::signature;
pub use issue::issuer::{CredentialId, DEFAULT_CREDENTIAL_ID_LEN, IssueOptions, Issuer};

// Namespaces: tables, constants and helpers that read best with their module's name.
pub use cache::disk as store;
#[cfg(feature = "sync")]
pub use cache::sync;
pub use issue::demo;
pub use model::{samples, wilayah};
pub use output::{disclosure, display, schemas};
pub use wire::{encoding, transport};

/// The reason-code registry: every code with its stage and messages, and the warnings.
pub mod reason {
    pub use crate::codes::{REGISTRY, ReasonInfo, Severity, WARNING_REGISTRY, WarningInfo, lookup};
}

/// Every size, depth and work bound the decoder enforces, and the date range documents
/// may carry.
pub mod limits {
    pub use crate::model::time::{MAX_DATE, MIN_DATE};
    pub use crate::wire::limits::*;
}

/// Hashing and randomness the SDK uses, for callers that must match it.
pub mod crypto {
    pub use crate::wire::crypto::{KID_LEN, random_bytes, sha256, verify_es256};
}

/// The defaults of [`Policy`](crate::Policy).
pub mod policy {
    pub use crate::verification::policy::{
        DEFAULT_LEEWAY_SECONDS, DEFAULT_PRESENTATION_LEEWAY_SECONDS,
        DEFAULT_PRESENTATION_MAX_AGE_SECONDS, DEFAULT_STATUS_LIST_GRACE_SECONDS,
        DEFAULT_STATUS_LIST_MAX_AGE_SECONDS, DEFAULT_TRUST_LIST_GRACE_SECONDS,
        DEFAULT_TRUST_LIST_MAX_AGE_SECONDS,
    };
}

/// Presentation defaults and the challenge text format.
pub mod presentation {
    pub use crate::verification::presentation::{
        CHALLENGE_PREFIX, DEFAULT_PRESENTATION_SECONDS, normalize_code,
    };
}

/// Building and reading status lists: status values, claims, errors, and signing.
pub mod status_list {
    pub use crate::trust::status_list::{
        INVALID, SUSPENDED, StatusListClaims, StatusListError, StatusListIssue, VALID,
        sign_status_list,
    };
    pub use crate::wire::cose::STATUS_LIST_MEDIA_TYPE;
}

/// Building and reading signed trust lists: root keys, status list references, errors.
pub mod trust_list {
    pub use crate::trust::trust_list::{
        RootKey, StatusListRef, TrustListError, is_status_file_name,
    };
}

/// The wire layer's strict decoders and encoders, for the conformance forger, fuzzing and
/// tests.
///
/// **Unstable**: behind the cargo feature `unstable-wire`, with no stability promise.
/// These paths may change in any release; verifiers and issuers use the crate root.
#[cfg(feature = "unstable-wire")]
pub mod unstable_wire {
    pub use crate::wire::base45;

    /// COSE_Sign1 under the format's header rules: parsing, and assembling from parts.
    pub mod cose {
        pub use crate::wire::cose::{MessageType, Typ, UncheckedSign1, from_parts, parse};
    }

    /// Strict CBOR: the decoder that refuses everything the format does not allow.
    pub mod cbor {
        pub use crate::wire::cbor::decode_value;
    }
}
