#![doc = include_str!("../README.md")]

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
pub use cache::admission::{InUse, InstalledBundle};
pub use output::receipt::{Receipt, ReceiptSigner};
pub use trust::bundle::{TrustBundle, VerifiedBundle};
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

/// The defaults of [`Policy`].
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

/// Verification receipts: options, codes, errors, limits and the QR text form.
pub mod receipt {
    pub use crate::output::receipt::{
        MAX_RECEIPT_BYTES, MAX_VERIFIER_ID_LEN, MIN_HASH_KEY_LEN, RECEIPT_QR_PREFIX, ReceiptCode,
        ReceiptError, ReceiptOptions, ReceiptVerdict, mask_nik, receipt_qr_text,
    };
}

/// Trust bundles: the format identifier, the import codes and errors.
pub mod trust_bundle {
    pub use crate::trust::bundle::{
        BUNDLE_FILE, BUNDLE_FORMAT, BundleCode, BundleError, BundledStatusList, trust_list_code,
    };
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
