//! The issuer side, for tests and demonstrations: sign a document with a key held in
//! memory and describe that key as a trust store. A production issuer keeps its key in an
//! HSM and signs with the Rust SDK (`ikd_sdk::Issuer::with_signer`), not through a binding.

use crate::error::{Error, ErrorCode};
use ikd_sdk::{
    DocType, DocTypeSet, Document, HolderPublicKey, IssueOptions, IssuerSigningKey, TrustStore,
    TrustedKey, UnixTime, Validity,
};

/// The sample documents shipped with the SDK, by name: `ktp`, `kk-4` (a family of four)
/// and `kk-8`. Document JSON as `spec/format.md` describes it.
pub fn sample_document_json(name: &str) -> Option<&'static str> {
    ikd_sdk::samples::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| *json)
}

/// An issuer whose Ed25519 key is in memory: for tests, demos and conformance fixtures.
pub struct Issuer {
    inner: ikd_sdk::Issuer,
    name: String,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("id", &self.inner.id())
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// An issuer from a 32-byte seed (the same seed gives the same key), its identifier
    /// (the `iss` claim, 1 to 64 bytes) and its display name.
    pub fn from_seed(seed: &[u8], issuer_id: &str, name: &str) -> Result<Self, Error> {
        let seed: &[u8; 32] = seed
            .try_into()
            .map_err(|_| Error::new(ErrorCode::IssuerInvalid, "an issuer seed is 32 bytes"))?;
        Self::with_key(IssuerSigningKey::from_seed(seed), issuer_id, name)
    }

    /// An issuer with a fresh random key.
    pub fn generate(issuer_id: &str, name: &str) -> Result<Self, Error> {
        let key = IssuerSigningKey::generate().map_err(|e| {
            Error::new(ErrorCode::RandomnessUnavailable, format!("issuer key: {e}"))
        })?;
        Self::with_key(key, issuer_id, name)
    }

    fn with_key(key: IssuerSigningKey, issuer_id: &str, name: &str) -> Result<Self, Error> {
        let inner = ikd_sdk::Issuer::new(key, issuer_id)
            .map_err(|e| Error::new(ErrorCode::IssuerInvalid, format!("issuer: {e}")))?;
        Ok(Issuer {
            inner,
            name: name.to_owned(),
        })
    }

    /// The issuer identifier.
    pub fn id(&self) -> &str {
        self.inner.id()
    }

    /// The Ed25519 public key, as lower-case hex (the form of trust stores and roots).
    pub fn public_key_hex(&self) -> String {
        ikd_sdk::encoding::hex_encode(&self.inner.public_key().to_bytes())
    }

    /// A trust store (`spec/format.md` §9.1) holding this issuer's key, valid from
    /// `valid_from` to `valid_until` (Unix seconds, inclusive) for these document types
    /// (`ktp`, `kk`, `identity`, `age_over_17`, `domicile`).
    pub fn trust_store_json(
        &self,
        valid_from: i64,
        valid_until: i64,
        doc_types: &[&str],
    ) -> Result<String, Error> {
        let mut types = DocTypeSet::NONE;
        for name in doc_types {
            let doc_type = DocType::from_name(name).ok_or_else(|| {
                Error::new(
                    ErrorCode::IssuerInvalid,
                    format!("no document type {name:?}"),
                )
            })?;
            types = types.with(doc_type);
        }
        let mut store = TrustStore::new();
        store.add(TrustedKey {
            issuer: self.inner.id().to_owned(),
            name: self.name.clone(),
            key: self.inner.public_key(),
            valid_from: UnixTime(valid_from),
            valid_until: UnixTime(valid_until),
            doc_types: types,
        });
        Ok(store.to_json())
    }

    /// Signs a document (its JSON, as `spec/format.md` describes it) issued at `now` and
    /// valid for `lifetime_seconds`, bound to a holder's device key when one is given
    /// (the raw public key: 32 bytes for EdDSA, SEC1 for ES256, as
    /// [`crate::DeviceKey::public_key`] gives it). Returns the credential's QR text.
    pub fn issue(
        &self,
        document_json: &str,
        now: i64,
        lifetime_seconds: i64,
        holder_public_key: Option<&[u8]>,
    ) -> Result<String, Error> {
        let document: Document = serde_json::from_str(document_json)
            .map_err(|e| Error::new(ErrorCode::DocumentInvalid, format!("document: {e}")))?;
        let mut options = IssueOptions::default();
        if let Some(raw) = holder_public_key {
            let key = HolderPublicKey::ed25519(raw)
                .or_else(|_| HolderPublicKey::p256_sec1(raw))
                .map_err(|_| {
                    Error::new(
                        ErrorCode::DeviceKeyInvalid,
                        "not an Ed25519 or SEC1 P-256 public key",
                    )
                })?;
            options = options.with_holder_key(key);
        }
        let validity = Validity::for_seconds(UnixTime(now), lifetime_seconds);
        self.inner
            .issue(&document, validity, &options)
            .map(|(credential, _warnings)| credential.to_qr_text())
            .map_err(|e| {
                let code = match e {
                    ikd_sdk::IssueError::InvalidDocument(_) => ErrorCode::DocumentInvalid,
                    _ => ErrorCode::IssuanceFailed,
                };
                Error::new(code, format!("issue: {e}"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceKey, Policy, TrustData, Verifier};

    const NOW: i64 = 1_790_000_000;

    fn issuer() -> Issuer {
        Issuer::from_seed(&[7; 32], "ID-DUKCAPIL-3273", "Disdukcapil Kota Bandung").unwrap()
    }

    #[test]
    fn an_issued_kk_verifies_with_the_issuers_trust_store() {
        let issuer = issuer();
        let store = issuer
            .trust_store_json(NOW - 10, NOW + 86_400, &["ktp", "kk"])
            .unwrap();
        let verifier = Verifier::new(
            TrustData::from_store_json(&store).unwrap(),
            Policy::default(),
        );
        let kk = sample_document_json("kk-4").unwrap();
        let qr = issuer.issue(kk, NOW, 3_600, None).unwrap();
        let outcome = verifier.verify(&qr, NOW + 1, None);
        assert_eq!(outcome.reason_code(), None);
        assert_eq!(outcome.doc_type(), Some("kk"));
        assert_eq!(outcome.issuer_name(), Some("Disdukcapil Kota Bandung"));
        // A KTP-el bound to a device key needs its presentation (the default policy).
        let key = DeviceKey::generate("EdDSA").unwrap();
        let ktp = sample_document_json("ktp").unwrap();
        let qr = issuer
            .issue(ktp, NOW, 3_600, Some(&key.public_key()))
            .unwrap();
        assert_eq!(
            verifier.verify(&qr, NOW + 1, None).reason_code(),
            Some("presentation_required")
        );
        // The same seed is the same key.
        assert_eq!(issuer.public_key_hex(), self::issuer().public_key_hex());
    }

    #[test]
    fn bad_issuer_inputs_have_their_codes() {
        let code = |r: Result<Issuer, Error>| r.unwrap_err().code();
        assert_eq!(
            code(Issuer::from_seed(&[7; 31], "X", "x")),
            ErrorCode::IssuerInvalid
        );
        assert_eq!(
            code(Issuer::from_seed(&[7; 32], "", "x")),
            ErrorCode::IssuerInvalid
        );
        assert!(Issuer::generate("X", "x").is_ok());
        let issuer = issuer();
        assert_eq!(
            issuer
                .trust_store_json(0, 1, &["passport"])
                .unwrap_err()
                .code(),
            ErrorCode::IssuerInvalid
        );
        let issue = |doc: &str, lifetime: i64, holder: Option<&[u8]>| {
            issuer.issue(doc, NOW, lifetime, holder).unwrap_err().code()
        };
        let ktp = sample_document_json("ktp").unwrap();
        assert_eq!(issue("{}", 60, None), ErrorCode::DocumentInvalid);
        let bad_nik = ktp.replacen("\"nik\": \"", "\"nik\": \"x", 1);
        assert_ne!(bad_nik, ktp);
        assert_eq!(issue(&bad_nik, 60, None), ErrorCode::DocumentInvalid);
        assert_eq!(issue(ktp, -60, None), ErrorCode::IssuanceFailed);
        assert_eq!(issue(ktp, 60, Some(&[1, 2])), ErrorCode::DeviceKeyInvalid);
        assert_eq!(sample_document_json("passport"), None);
    }
}
