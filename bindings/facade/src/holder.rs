//! The holder side, for a wallet without a hardware keystore: a device key, and a
//! presentation of a credential signed with it (spec §17).

use crate::error::{Error, ErrorCode};
use crate::verifier::Challenge;
use ikd_sdk::{Credential, HolderAlg, HolderSigningKey, UnixTime};

/// How long a presentation is valid by default: as long as the IKD app shows one (90 s).
pub const DEFAULT_PRESENTATION_SECONDS: u32 = ikd_sdk::presentation::DEFAULT_PRESENTATION_SECONDS;

/// A holder's device key: Ed25519 (`EdDSA`) or P-256 (`ES256`).
pub struct DeviceKey {
    inner: HolderSigningKey,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("DeviceKey")
            .field("alg", &self.alg())
            .finish_non_exhaustive()
    }
}

fn alg_of(name: &str) -> Result<HolderAlg, Error> {
    [HolderAlg::EdDsa, HolderAlg::Es256]
        .into_iter()
        .find(|alg| alg.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::new(
                ErrorCode::DeviceKeyInvalid,
                format!("no device key algorithm {name:?}; expected EdDSA or ES256"),
            )
        })
}

impl DeviceKey {
    /// A fresh key of algorithm `alg` (`EdDSA` or `ES256`, any case), from the host's
    /// randomness.
    pub fn generate(alg: &str) -> Result<Self, Error> {
        let inner = HolderSigningKey::generate(alg_of(alg)?).map_err(|e| {
            Error::new(ErrorCode::RandomnessUnavailable, format!("device key: {e}"))
        })?;
        Ok(DeviceKey { inner })
    }

    /// The key of algorithm `alg` with this 32-byte secret (Ed25519 seed, or P-256 scalar).
    pub fn from_secret(alg: &str, secret: &[u8]) -> Result<Self, Error> {
        let alg = alg_of(alg)?;
        let secret: &[u8; 32] = secret.try_into().map_err(|_| {
            Error::new(
                ErrorCode::DeviceKeyInvalid,
                "a device key secret is 32 bytes",
            )
        })?;
        let inner = HolderSigningKey::from_secret(alg, secret)
            .map_err(|e| Error::new(ErrorCode::DeviceKeyInvalid, format!("device key: {e}")))?;
        Ok(DeviceKey { inner })
    }

    /// The algorithm's name: `EdDSA` or `ES256`.
    pub fn alg(&self) -> &'static str {
        self.inner.alg().name()
    }

    /// The 32-byte secret, for the wallet to keep. Handle it as the secret it is.
    pub fn secret(&self) -> [u8; 32] {
        self.inner.to_secret()
    }

    /// The public key, raw: 32 bytes for Ed25519, compressed SEC1 (33 bytes) for P-256;
    /// what an issuer binds as the credential's `cnf`.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_bytes()
    }
}

/// Signs a presentation of the credential whose QR text is `credential_qr` with the device
/// key, at `now` (Unix seconds), valid for `lifetime_seconds`, binding the verifier's
/// challenge when it showed one. Returns the presentation's QR text.
///
/// The key is not checked against the credential's `cnf` here: the verifier does, and
/// refuses a presentation signed by another key.
pub fn present(
    credential_qr: &str,
    key: &DeviceKey,
    now: i64,
    lifetime_seconds: u32,
    challenge: Option<&Challenge>,
) -> Result<String, Error> {
    let cose = ikd_sdk::transport::decode_qr_text(credential_qr).map_err(|reason| {
        Error::new(
            ErrorCode::CredentialInvalid,
            format!("not a credential's QR text: {}", reason.info().code),
        )
    })?;
    let credential = Credential::from_bytes(cose).map_err(|e| {
        Error::new(
            ErrorCode::CredentialInvalid,
            format!("not a credential: {e}"),
        )
    })?;
    ikd_sdk::present(
        &credential,
        &key.inner,
        UnixTime(now),
        lifetime_seconds,
        challenge.map(Challenge::sdk),
    )
    .map(|p| p.to_qr_text())
    .map_err(|e| Error::new(ErrorCode::PresentationFailed, format!("presentation: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Policy, TrustData, Verifier};
    use ikd_sdk::{
        DocType, DocTypeSet, IssueOptions, Issuer, IssuerSigningKey, TrustedKey, Validity,
    };

    const NOW: i64 = 1_790_000_000;

    fn issued_ktp(holder: &DeviceKey) -> (String, TrustData) {
        let issuer =
            Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-DUKCAPIL-3273").unwrap();
        let document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
        let public = ikd_sdk::HolderPublicKey::ed25519(&holder.public_key())
            .or_else(|_| ikd_sdk::HolderPublicKey::p256_sec1(&holder.public_key()))
            .unwrap();
        let (credential, _) = issuer
            .issue(
                &document,
                Validity::for_seconds(UnixTime(NOW), 86_400),
                &IssueOptions::default().with_holder_key(public),
            )
            .unwrap();
        let mut store = ikd_sdk::TrustStore::new();
        store.add(TrustedKey {
            issuer: "ID-DUKCAPIL-3273".into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(1_700_000_000),
            valid_until: UnixTime(1_900_000_000),
            doc_types: DocTypeSet::NONE.with(DocType::Ktp),
        });
        let trust = TrustData::from_store_json(&store.to_json()).unwrap();
        (credential.to_qr_text(), trust)
    }

    #[test]
    fn a_presentation_verifies_with_its_challenge_for_both_algorithms() {
        for alg in ["EdDSA", "es256"] {
            let key = DeviceKey::generate(alg).unwrap();
            let (qr, trust) = issued_ktp(&key);
            let verifier = Verifier::new(trust, Policy::default());
            // A KTP-el is never accepted bare under the default policy.
            assert_eq!(
                verifier.verify(&qr, NOW + 10, None).reason_code(),
                Some("presentation_required")
            );
            let challenge = Challenge::new("7KQ2M9XD", Some("BANK-01")).unwrap();
            let shown = present(&qr, &key, NOW + 5, 90, Some(&challenge)).unwrap();
            let outcome = verifier.verify(&shown, NOW + 10, Some(&challenge));
            assert!(outcome.is_valid(), "{:?}", outcome.reason_code());
            let other = Challenge::new("AAAAAAAA", None).unwrap();
            assert_eq!(
                verifier
                    .verify(&shown, NOW + 10, Some(&other))
                    .reason_code(),
                Some("nonce_mismatch")
            );
            let again = DeviceKey::from_secret(alg, &key.secret()).unwrap();
            assert_eq!(again.public_key(), key.public_key());
        }
    }

    #[test]
    fn misuse_has_its_codes() {
        assert_eq!(
            DeviceKey::generate("RS256").unwrap_err().code(),
            ErrorCode::DeviceKeyInvalid
        );
        assert_eq!(
            DeviceKey::from_secret("EdDSA", &[1; 31])
                .unwrap_err()
                .code(),
            ErrorCode::DeviceKeyInvalid
        );
        let key = DeviceKey::from_secret("EdDSA", &[1; 32]).unwrap();
        assert!(!format!("{key:?}").contains("secret"));
        assert_eq!(
            present("IKD1:???", &key, NOW, 90, None).unwrap_err().code(),
            ErrorCode::CredentialInvalid
        );
        let (qr, _) = issued_ktp(&key);
        assert_eq!(
            present(&qr, &key, -1, 90, None).unwrap_err().code(),
            ErrorCode::PresentationFailed
        );
    }
}
