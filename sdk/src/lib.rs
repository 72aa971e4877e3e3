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
//!     verify, Document, DocType, DocTypeSet, Issuer, IssuerSigningKey, Policy, TrustStore,
//!     TrustedKey, UnixTime, Validity,
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
//!     issuer.issue(&document, Validity::for_seconds(issued_at, 86_400), None)?;
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
mod issue;
mod model;
mod output;
pub mod reason;
#[cfg(feature = "scan")]
pub mod scan;
mod trust;
mod verification;
mod wire;

pub use cache::disk as store;
#[cfg(feature = "sync")]
pub use cache::sync;
pub use issue::demo;
pub use model::{document, nik, samples, siak, time, wilayah};
pub use output::{disclosure, display, inspect, report, schemas};
pub use trust::{status_list, trust_list};
pub use verification::{pipeline as verify, policy, presentation};
pub use wire::{base45, cose, crypto, encoding, limits, transport};

pub use crypto::{
    HolderAlg, HolderPublicKey, HolderSigningKey, IssuerPublicKey, IssuerSigningKey, KeyError, Kid,
};
pub use document::{
    AgeProfile, BerlakuHingga, DocType, DocTypeSet, Document, DomicileProfile, IdentityProfile, Kk,
    KkMember, Ktp,
};
pub use issue::issuer::{CredentialId, IssueOptions, Issuer};
pub use model::claims::StatusReference;
pub use model::credential::{Credential, IssueError, Validity};
pub use nik::Nik;
pub use output::inspect::{Inspection, inspect};
pub use output::report::{Report, Verdict};
pub use policy::{Freshness, Policy, WhenStale};
pub use presentation::{
    Challenge, Presentation, ReplayCache, ReplayStore, ReplayStoreUnavailable, present,
};
pub use reason::{FieldPath, Reason, Stage, Warning};
pub use status_list::{StatusList, StatusListToken};
pub use time::{Date, UnixTime};
pub use trust::store::{KeyStatus, TrustEntry, TrustError, TrustStore, TrustedKey};
pub use trust_list::{TrustAnchors, TrustList, VerifiedTrustList};
pub use verification::pipeline::{
    IssuerInfo, Rejection, StatusListAge, StepOutcome, Trace, TrustDataInfo, TrustListAge,
    Verified, VerifyOptions, verify, verify_with,
};
