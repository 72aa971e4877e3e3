//! Issuance: build, check and sign a credential, and encode it as QR text.

use crate::codes::Warning;
use crate::model::claims::{ClaimOptions, StatusReference, encode_credential_claims};
use crate::model::credential::{Credential, IssueError, Validity};
use crate::model::document::Document;
use crate::model::time::UnixTime;
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{self, HolderPublicKey, IssuerPublicKey, IssuerSigningKey};
use crate::wire::limits::{
    MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE, MAX_QR_TEXT_LEN,
};
use crate::wire::transport;
use ed25519_dalek::Signature as Ed25519Signature;
use ed25519_dalek::ed25519::signature::Signer;
use std::sync::Arc;

/// Length of the random credential identifier the issuer picks when none is given.
pub const DEFAULT_CREDENTIAL_ID_LEN: usize = 8;

/// An issuer: something that signs, the public key verifiers trust for it, and the
/// identifier verifiers know it by.
///
/// The signer is any [`Signer`] of Ed25519 signatures: an
/// [`IssuerSigningKey`] in memory (the default), or a handle to a key in an HSM or a KMS
/// that never leaves it.
///
/// ```
/// use ikd_sdk::signature::{self, Signer};
/// use ikd_sdk::{Document, Ed25519Signature, IssueOptions, Issuer, IssuerSigningKey, Validity, UnixTime};
///
/// // A stand-in for a hardware key: it signs, and only hands out its public key.
/// struct Hsm(IssuerSigningKey);
/// impl Signer<Ed25519Signature> for Hsm {
///     fn try_sign(&self, message: &[u8]) -> Result<Ed25519Signature, signature::Error> {
///         self.0.try_sign(message)
///     }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let hsm = Hsm(IssuerSigningKey::from_seed(&[7; 32]));
/// let public_key = hsm.0.public_key();
/// let issuer = Issuer::with_signer(hsm, public_key, "ID-DUKCAPIL-3273")?;
/// let kk: Document = serde_json::from_str(ikd_sdk::samples::KK_4_JSON)?;
/// let validity = Validity::for_seconds(UnixTime(1_790_000_000), 86_400);
/// let (credential, _warnings) = issuer.issue(&kk, validity, &IssueOptions::default())?;
/// assert!(credential.to_qr_text().starts_with("IKD1:"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Issuer<S = IssuerSigningKey> {
    signer: S,
    public_key: IssuerPublicKey,
    id: String,
}

impl Issuer<IssuerSigningKey> {
    /// An issuer with identifier `id` (the `iss` claim) signing with `key` in memory.
    pub fn new(key: IssuerSigningKey, id: impl Into<String>) -> Result<Self, IssueError> {
        let public_key = key.public_key();
        Issuer::with_signer(key, public_key, id)
    }

    /// The signing key.
    pub fn key(&self) -> &IssuerSigningKey {
        &self.signer
    }
}

impl<S: Signer<Ed25519Signature>> Issuer<S> {
    /// An issuer with identifier `id` (the `iss` claim) whose `signer` signs for
    /// `public_key`. The public key names the signer in every credential (its kid); a
    /// signer that signs with another key makes credentials no verifier accepts.
    pub fn with_signer(
        signer: S,
        public_key: IssuerPublicKey,
        id: impl Into<String>,
    ) -> Result<Self, IssueError> {
        let id = id.into();
        if id.is_empty() || id.len() > MAX_ISSUER_ID_LEN {
            return Err(IssueError::InvalidIssuerId);
        }
        Ok(Issuer {
            signer,
            public_key,
            id,
        })
    }

    /// The signer.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The public key verifiers trust for this issuer.
    pub fn public_key(&self) -> IssuerPublicKey {
        self.public_key
    }

    /// The issuer identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Checks `document` as a verifier would, then signs it with every claim `options`
    /// asks for (by default: a random credential identifier, no status, no holder key).
    /// Returns the warnings a verifier will also see.
    pub fn issue(
        &self,
        document: &Document,
        validity: Validity,
        options: &IssueOptions,
    ) -> Result<(Credential, Vec<Warning>), IssueError> {
        if options.status.as_ref().is_some_and(|s| !s.is_well_formed()) {
            return Err(IssueError::InvalidStatusReference);
        }
        let mut warnings = Vec::new();
        document
            .check_content(&mut warnings)
            .map_err(IssueError::InvalidDocument)?;
        let in_range = |t: UnixTime| (0..=MAX_NUMERIC_DATE).contains(&t.0);
        let ordered = validity.issued_at <= validity.expires_at
            && validity.not_before.is_none_or(|nbf| {
                in_range(nbf) && validity.issued_at <= nbf && nbf <= validity.expires_at
            });
        if !(ordered && in_range(validity.issued_at) && in_range(validity.expires_at)) {
            return Err(IssueError::InvalidValidity);
        }
        let credential_id = match &options.credential_id {
            CredentialId::Given(id) if id.is_empty() || id.len() > MAX_CREDENTIAL_ID_LEN => {
                return Err(IssueError::InvalidCredentialId);
            }
            CredentialId::Given(id) => Some(id.clone()),
            CredentialId::Random => {
                Some(crypto::random_bytes(DEFAULT_CREDENTIAL_ID_LEN).map_err(IssueError::Key)?)
            }
            CredentialId::Omitted => None,
        };
        // Purpose profiles leave out `iss` and `iat` (24 bytes) so that a presentation fits a
        // version 12 QR code; the trust entry of the signing key names the issuer.
        let full = !document.doc_type().is_profile();
        let claims = encode_credential_claims(
            full.then_some(self.id.as_str()),
            &validity,
            full.then_some(validity.issued_at),
            ClaimOptions {
                credential_id: credential_id.as_deref(),
                status: options.status.as_ref(),
                holder_key: options.holder_key.as_ref(),
            },
            document.to_cbor_value(),
        );
        let mut failure = None;
        let cose = cose::sign(
            claims,
            MessageType::Credential,
            Some(self.public_key.kid()),
            |tbs| match self.signer.try_sign(tbs) {
                Ok(signature) => signature.to_bytes().to_vec(),
                Err(e) => {
                    failure = Some(e);
                    Vec::new()
                }
            },
        );
        if let Some(e) = failure {
            return Err(IssueError::Signer(Arc::new(e)));
        }
        let qr_text = transport::encode_qr_text(&cose);
        if qr_text.len() > MAX_QR_TEXT_LEN {
            return Err(IssueError::TooLarge { len: qr_text.len() });
        }
        Ok((Credential::from_parts(cose, qr_text), warnings))
    }
}

/// The credential identifier (`cti`) an issuer puts in a credential.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CredentialId {
    /// [`DEFAULT_CREDENTIAL_ID_LEN`] random bytes.
    #[default]
    Random,
    /// These bytes (1 to 32).
    Given(Vec<u8>),
    /// None: saves 10 bytes in small purpose-profile credentials, at the price of audit
    /// logs that cannot tell two uses of the credential apart.
    Omitted,
}

/// What a credential carries besides its document and validity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssueOptions {
    /// The `cti` claim.
    pub credential_id: CredentialId,
    /// The `status` claim: where the issuer publishes the credential's status.
    pub status: Option<StatusReference>,
    /// The `cnf` claim: the holder's device key. A credential with one is shown only
    /// inside a presentation signed by that key (crate::verification::presentation).
    pub holder_key: Option<HolderPublicKey>,
}

impl IssueOptions {
    /// These options with the credential identifier `id` (1 to 32 bytes).
    pub fn with_credential_id(mut self, id: Vec<u8>) -> Self {
        self.credential_id = CredentialId::Given(id);
        self
    }

    /// These options with a `status` claim.
    pub fn with_status(mut self, status: StatusReference) -> Self {
        self.status = Some(status);
        self
    }

    /// These options with the holder's device key (`cnf`).
    pub fn with_holder_key(mut self, key: HolderPublicKey) -> Self {
        self.holder_key = Some(key);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::ed25519::signature;

    #[test]
    fn refuses_a_credential_no_verifier_would_read() {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[5; 32]), "ID-TEST").unwrap();
        let mut document: Document = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        let validity = Validity::for_seconds(UnixTime(1_790_000_000), 60);
        if let Document::Ktp(ktp) = &mut document {
            // A portrait within its own limit, but of noise that does not compress.
            let mut foto = vec![0xFF, 0xD8, 0xFF];
            let mut state = 0x2545_F491_4F6C_DD1Du64;
            foto.extend((3..crate::wire::limits::MAX_PORTRAIT_LEN).map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            }));
            ktp.foto = Some(foto);
        }
        match issuer.issue(&document, validity, &IssueOptions::default()) {
            Err(IssueError::TooLarge { len }) => assert!(len > MAX_QR_TEXT_LEN),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("issued a credential longer than verifiers accept"),
        }
    }

    /// A signer outside the SDK, as an HSM would be.
    #[derive(Debug)]
    struct External(IssuerSigningKey);

    impl Signer<Ed25519Signature> for External {
        fn try_sign(&self, message: &[u8]) -> Result<Ed25519Signature, signature::Error> {
            self.0.try_sign(message)
        }
    }

    /// A signer that refuses, as an HSM that is offline would.
    #[derive(Debug)]
    struct Offline;

    impl Signer<Ed25519Signature> for Offline {
        fn try_sign(&self, _: &[u8]) -> Result<Ed25519Signature, signature::Error> {
            Err(signature::Error::new())
        }
    }

    fn kk() -> Document {
        serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap()
    }

    #[test]
    fn an_external_signer_issues_what_the_key_in_memory_would() {
        let key = IssuerSigningKey::from_seed(&[5; 32]);
        let public_key = key.public_key();
        let in_memory = Issuer::new(key, "ID-TEST").unwrap();
        let external = Issuer::with_signer(
            External(IssuerSigningKey::from_seed(&[5; 32])),
            public_key,
            "ID-TEST",
        )
        .unwrap();
        let validity = Validity::for_seconds(UnixTime(1_790_000_000), 60);
        let options = IssueOptions::default().with_credential_id(vec![1; 8]);
        let (a, _) = in_memory.issue(&kk(), validity, &options).unwrap();
        let (b, _) = external.issue(&kk(), validity, &options).unwrap();
        assert_eq!(a, b);
        assert_eq!(external.public_key(), in_memory.public_key());
    }

    #[test]
    fn a_signer_that_fails_is_an_error_that_keeps_its_source() {
        let public_key = IssuerSigningKey::from_seed(&[5; 32]).public_key();
        let issuer = Issuer::with_signer(Offline, public_key, "ID-TEST").unwrap();
        let validity = Validity::for_seconds(UnixTime(1_790_000_000), 60);
        let err = issuer
            .issue(&kk(), validity, &IssueOptions::default())
            .unwrap_err();
        assert!(matches!(err, IssueError::Signer(_)), "{err:?}");
        assert!(std::error::Error::source(&err).is_some());
        assert!(err.to_string().starts_with("the signer failed"));
        assert_eq!(
            Issuer::with_signer(Offline, public_key, "").unwrap_err(),
            IssueError::InvalidIssuerId
        );
    }
}
