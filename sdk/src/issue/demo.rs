//! Demo data: issuer keys, a trust store and the sample credentials of fictitious
//! residents, ready to verify. `ikd demo init` and the verification service's `--demo`
//! mode both build theirs here and write the files they need.
//!
//! Nothing here reads a clock or touches files; keys come from the operating system's
//! random number generator unless the caller supplies them.
//!
//! The KTP-el and the purpose profiles are bound to a demo phone key, as the IKD app's
//! are: they verify inside a presentation that key signs. The KKs are bare, as printed.
//!
//! ```
//! use ikd_sdk::{demo, present, verify, Credential, Policy, UnixTime};
//!
//! let now = UnixTime(1_790_000_000);
//! let data = demo::DemoData::generate(now).unwrap();
//! for credential in &data.credentials {
//!     let qr_text = if credential.bound {
//!         let shown = present(&credential.credential, &data.holder, now, 90, None).unwrap();
//!         shown.to_qr_text()
//!     } else {
//!         credential.qr_text.clone()
//!     };
//!     assert!(verify(&qr_text, &data.trust, now, &Policy::default()).is_ok());
//! }
//! ```

use crate::codes::Warning;
use crate::issue::issuer::{IssueOptions, Issuer};
use crate::model::credential::{Credential, IssueError, Validity};
use crate::model::document::{DocType, DocTypeSet, Document};
use crate::model::time::UnixTime;
use crate::trust::store::{TrustStore, TrustedKey};
use crate::wire::crypto::{HolderAlg, HolderSigningKey, IssuerSigningKey, KeyError};
use core::fmt;

/// The demo issuer's identifier.
pub const ISSUER_ID: &str = "ID-DEMO-3273";
/// The demo issuer's display name.
pub const ISSUER_NAME: &str = "Disdukcapil Kota Bandung (DEMO)";
/// How long the demo credentials stay valid: a year.
pub const CREDENTIAL_SECONDS: i64 = 365 * 86_400;
/// The demo keys may sign from this long before `now`…
pub const KEY_BEFORE_SECONDS: i64 = 86_400;
/// …to this long after it: five years.
pub const KEY_AFTER_SECONDS: i64 = 5 * 365 * 86_400;

/// A demo issuer: one key per document type, each trusted for its type only.
#[derive(Debug)]
pub struct DemoIssuer {
    /// The one document type this key may sign.
    pub doc_type: DocType,
    /// The issuer with its signing key.
    pub issuer: Issuer,
}

/// A sample credential, issued by the demo issuer for its document type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredential {
    /// The sample's name: one of [`crate::model::samples::ALL`] (`ktp`, `kk-4`, `kk-8`), or a
    /// purpose profile of the KTP-el sample (`identity`, `age_over_17`, `domicile`).
    pub sample: &'static str,
    /// The document type.
    pub doc_type: DocType,
    /// The credential.
    pub credential: Credential,
    /// The bare credential's QR text.
    pub qr_text: String,
    /// Whether it is bound to [`DemoData::holder`] and so verifies only inside a
    /// presentation that key signs.
    pub bound: bool,
    /// Soft findings on the sample document, which a verifier will report too.
    pub warnings: Vec<Warning>,
}

/// Everything a demo needs.
#[derive(Debug)]
pub struct DemoData {
    /// The issuers, one per document type, in [`DocType::ALL`] order.
    pub issuers: Vec<DemoIssuer>,
    /// A trust store holding every demo issuer key.
    pub trust: TrustStore,
    /// Every sample of [`crate::model::samples::ALL`], then the KTP-el's purpose profiles, issued.
    pub credentials: Vec<DemoCredential>,
    /// The demo phone's device key (ES256, as phone keystores hold), which the KTP-el and
    /// the profiles are bound to.
    pub holder: HolderSigningKey,
    /// When the credentials were issued and when they expire.
    pub validity: Validity,
}

/// Why the demo data could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DemoError {
    /// No key could be made.
    Key(KeyError),
    /// A built-in sample failed to load or to issue.
    Sample {
        /// The sample's name.
        name: &'static str,
        /// What went wrong.
        problem: String,
    },
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::Key(e) => write!(f, "cannot make a demo key: {e}"),
            DemoError::Sample { name, problem } => {
                write!(f, "the built-in sample {name}: {problem}")
            }
        }
    }
}

impl std::error::Error for DemoError {}

impl DemoData {
    /// Demo data with fresh random keys, issued at `now`.
    pub fn generate(now: UnixTime) -> Result<Self, DemoError> {
        let holder = HolderSigningKey::generate(HolderAlg::Es256).map_err(DemoError::Key)?;
        Self::with_keys(now, holder, |_| IssuerSigningKey::generate())
    }

    /// Demo data with the keys `key_for` gives for each document type, issued at `now`.
    pub fn with_keys(
        now: UnixTime,
        holder: HolderSigningKey,
        mut key_for: impl FnMut(DocType) -> Result<IssuerSigningKey, KeyError>,
    ) -> Result<Self, DemoError> {
        let mut trust = TrustStore::new();
        let mut issuers = Vec::new();
        for doc_type in DocType::ALL {
            let key = key_for(doc_type).map_err(DemoError::Key)?;
            trust.add(TrustedKey {
                issuer: ISSUER_ID.to_owned(),
                name: ISSUER_NAME.to_owned(),
                key: key.public_key(),
                valid_from: UnixTime(now.0.saturating_sub(KEY_BEFORE_SECONDS)),
                valid_until: UnixTime(now.0.saturating_add(KEY_AFTER_SECONDS)),
                doc_types: DocTypeSet::NONE.with(doc_type),
            });
            let issuer = Issuer::new(key, ISSUER_ID).map_err(|e| DemoError::Sample {
                name: "issuer",
                problem: e.to_string(),
            })?;
            issuers.push(DemoIssuer { doc_type, issuer });
        }

        let validity = Validity::for_seconds(now, CREDENTIAL_SECONDS);
        let mut documents = Vec::new();
        for (name, json) in crate::model::samples::ALL {
            let document: Document = serde_json::from_str(json).map_err(|_| DemoError::Sample {
                name,
                problem: "does not load".to_owned(),
            })?;
            if let Document::Ktp(ktp) = &document {
                let today = now.date();
                documents.push(("identity", Document::Identity(ktp.identity_profile(false))));
                documents.push(("age_over_17", Document::AgeOver17(ktp.age_profile(today))));
                documents.push(("domicile", Document::Domicile(ktp.domicile_profile())));
            }
            documents.push((name, document));
        }
        // Samples first, in their order, then the profiles.
        documents.sort_by_key(|(_, document)| document.doc_type().is_profile());
        let mut credentials = Vec::new();
        for (name, document) in documents {
            let problem = |problem: String| DemoError::Sample { name, problem };
            let doc_type = document.doc_type();
            let issuer = issuers
                .iter()
                .find(|i| i.doc_type == doc_type)
                .ok_or_else(|| problem(format!("no demo key for {doc_type}")))?;
            let bound = doc_type != DocType::Kk;
            let options = IssueOptions {
                holder_key: bound.then(|| holder.public_key()),
                ..IssueOptions::default()
            };
            let (credential, warnings) = issuer
                .issuer
                .issue(&document, validity, &options)
                .map_err(|e: IssueError| problem(format!("was not issued: {e}")))?;
            credentials.push(DemoCredential {
                sample: name,
                doc_type,
                qr_text: credential.to_qr_text(),
                credential,
                bound,
                warnings,
            });
        }
        Ok(DemoData {
            issuers,
            trust,
            credentials,
            holder,
            validity,
        })
    }

    /// The credential of sample `name`, if there is one.
    pub fn credential(&self, name: &str) -> Option<&DemoCredential> {
        self.credentials.iter().find(|c| c.sample == name)
    }

    /// The QR text the holder shows for `credential` at `now`: a fresh presentation signed
    /// by the demo phone for a bound credential (valid for
    /// [`crate::verification::presentation::DEFAULT_PRESENTATION_SECONDS`]), the bare credential otherwise.
    pub fn shown_qr_text(
        &self,
        credential: &DemoCredential,
        now: UnixTime,
    ) -> Result<String, crate::verification::presentation::PresentError> {
        if !credential.bound {
            return Ok(credential.qr_text.clone());
        }
        crate::verification::presentation::present(
            &credential.credential,
            &self.holder,
            now,
            crate::verification::presentation::DEFAULT_PRESENTATION_SECONDS,
            None,
        )
        .map(|p| p.to_qr_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Policy, verify};

    #[test]
    fn every_sample_verifies_with_its_own_key_only() {
        let now = UnixTime(1_790_000_000);
        let holder = HolderSigningKey::from_secret(HolderAlg::Es256, &[9; 32]).unwrap();
        let data = DemoData::with_keys(now, holder, |t| {
            Ok(IssuerSigningKey::from_seed(&[t.number(); 32]))
        })
        .unwrap();
        assert_eq!(data.trust.len(), DocType::ALL.len());
        assert_eq!(data.credentials.len(), crate::model::samples::ALL.len() + 3);
        for credential in &data.credentials {
            let shown = data.shown_qr_text(credential, now).unwrap();
            let verified = verify(&shown, &data.trust, now, &Policy::default())
                .unwrap_or_else(|r| panic!("{}: {r}", credential.sample));
            assert_eq!(verified.presentation().is_some(), credential.bound);
            if credential.bound {
                let bare = verify(&credential.qr_text, &data.trust, now, &Policy::default());
                assert_eq!(bare.unwrap_err().code(), "presentation_required");
            }
            assert_eq!(verified.document().doc_type(), credential.doc_type);
            assert_eq!(verified.issuer().name, ISSUER_NAME);
            let expected = data
                .issuers
                .iter()
                .find(|i| i.doc_type == credential.doc_type)
                .unwrap()
                .issuer
                .key()
                .kid();
            assert_eq!(verified.kid(), expected);
        }
        assert!(data.credential("ktp").is_some());
        assert!(data.credential("nope").is_none());
        let expired = UnixTime(now.0 + CREDENTIAL_SECONDS + 3600);
        let kk = &data.credential("kk-4").unwrap().qr_text;
        assert_eq!(
            verify(kk, &data.trust, expired, &Policy::default())
                .unwrap_err()
                .code(),
            "credential_expired"
        );
    }

    #[test]
    fn key_errors_are_reported() {
        let holder = HolderSigningKey::from_secret(HolderAlg::EdDsa, &[9; 32]).unwrap();
        let err =
            DemoData::with_keys(UnixTime(0), holder, |_| Err(KeyError::NoRandomness)).unwrap_err();
        assert_eq!(err, DemoError::Key(KeyError::NoRandomness));
        assert!(err.to_string().contains("random"));
    }
}
