//! Issuance: build, check and sign a credential, and encode it as QR text.

use crate::codes::Warning;
use crate::model::claims::{ClaimOptions, StatusReference, encode_credential_claims};
use crate::model::credential::{Credential, IssueError, Validity};
use crate::model::document::Document;
use crate::model::time::UnixTime;
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{self, HolderPublicKey, IssuerSigningKey};
use crate::wire::limits::{
    MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE, MAX_QR_TEXT_LEN,
};
use crate::wire::transport;

/// Length of the random credential identifier the issuer picks when none is given.
pub const DEFAULT_CREDENTIAL_ID_LEN: usize = 8;

/// An issuer: a signing key and the identifier verifiers know it by.
#[derive(Debug)]
pub struct Issuer {
    key: IssuerSigningKey,
    id: String,
}

impl Issuer {
    /// An issuer with identifier `id` (the `iss` claim) signing with `key`.
    pub fn new(key: IssuerSigningKey, id: impl Into<String>) -> Result<Self, IssueError> {
        let id = id.into();
        if id.is_empty() || id.len() > MAX_ISSUER_ID_LEN {
            return Err(IssueError::InvalidIssuerId);
        }
        Ok(Issuer { key, id })
    }

    /// The signing key.
    pub fn key(&self) -> &IssuerSigningKey {
        &self.key
    }

    /// The issuer identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Checks `document` as a verifier would, then signs it. `credential_id` defaults to
    /// 8 random bytes. Returns the warnings a verifier will also see.
    pub fn issue(
        &self,
        document: &Document,
        validity: Validity,
        credential_id: Option<Vec<u8>>,
    ) -> Result<(Credential, Vec<Warning>), IssueError> {
        self.issue_with_status(document, validity, credential_id, None)
    }

    /// Like [`Issuer::issue`], and the credential carries a `status` claim: its index in
    /// the status list at `status.uri`, which the issuer publishes (crate::trust::status_list).
    pub fn issue_with_status(
        &self,
        document: &Document,
        validity: Validity,
        credential_id: Option<Vec<u8>>,
        status: Option<&StatusReference>,
    ) -> Result<(Credential, Vec<Warning>), IssueError> {
        let options = IssueOptions {
            credential_id: credential_id.map_or(CredentialId::Random, CredentialId::Given),
            status: status.cloned(),
            holder_key: None,
        };
        self.issue_with(document, validity, &options)
    }

    /// Checks `document` as a verifier would, then signs it with every claim `options`
    /// asks for. Returns the warnings a verifier will also see.
    pub fn issue_with(
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
        let cose = cose::sign(
            claims,
            MessageType::Credential,
            Some(self.key.kid()),
            |tbs| self.key.sign(tbs).to_vec(),
        );
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

#[cfg(test)]
mod tests {
    use super::*;

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
        match issuer.issue(&document, validity, None) {
            Err(IssueError::TooLarge { len }) => assert!(len > MAX_QR_TEXT_LEN),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("issued a credential longer than verifiers accept"),
        }
    }
}
