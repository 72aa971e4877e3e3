//! The one module that touches cryptographic crates: Ed25519 issuer keys, ES256 checks,
//! SHA-256 key identifiers, and randomness for key generation.

use core::fmt;
use ed25519_dalek::{Signature as EdSignature, Signer as _, SigningKey, VerifyingKey};
use p256::ecdsa::signature::Verifier as _;
use sha2::{Digest as _, Sha256};

/// Length of a key identifier: the first 8 bytes of SHA-256 of the raw public key.
pub const KID_LEN: usize = 8;

/// A key identifier (`kid`): the first 8 bytes of SHA-256 of the raw public key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kid(pub [u8; KID_LEN]);

impl Kid {
    /// The kid of a raw public key (32 bytes for Ed25519, SEC1 bytes for P-256).
    pub fn of_public_key(raw: &[u8]) -> Self {
        let digest = Sha256::digest(raw);
        let mut kid = [0u8; KID_LEN];
        kid.copy_from_slice(digest.get(..KID_LEN).unwrap_or(&[0; KID_LEN]));
        Kid(kid)
    }

    /// The kid as lower-case hex.
    pub fn to_hex(&self) -> String {
        super::encoding::hex_encode(&self.0)
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({})", self.to_hex())
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Why a key could not be made or used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The bytes have the wrong length for the key type.
    WrongLength,
    /// The bytes are not a valid point encoding.
    InvalidPoint,
    /// The key has small order, so any signature check with it is meaningless.
    WeakKey,
    /// The operating system did not provide randomness.
    NoRandomness,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::WrongLength => "key has the wrong length",
            KeyError::InvalidPoint => "key is not a valid curve point",
            KeyError::WeakKey => "key has small order and is refused",
            KeyError::NoRandomness => "the system random number generator failed",
        })
    }
}

impl std::error::Error for KeyError {}

/// An Ed25519 signing key of an issuer.
pub struct IssuerSigningKey(SigningKey);

impl IssuerSigningKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| KeyError::NoRandomness)?;
        Ok(Self::from_seed(&seed))
    }

    /// The key for a 32-byte seed (the RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        IssuerSigningKey(SigningKey::from_bytes(seed))
    }

    /// The 32-byte seed, for storing the key.
    pub fn to_seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> IssuerPublicKey {
        IssuerPublicKey(self.0.verifying_key())
    }

    /// The kid of the public key.
    pub fn kid(&self) -> Kid {
        self.public_key().kid()
    }

    /// Signs `message` (RFC 8032 Ed25519).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl ed25519_dalek::ed25519::signature::Signer<EdSignature> for IssuerSigningKey {
    fn try_sign(
        &self,
        message: &[u8],
    ) -> Result<EdSignature, ed25519_dalek::ed25519::signature::Error> {
        Ok(self.0.sign(message))
    }
}

impl fmt::Debug for IssuerSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerSigningKey({})", self.kid())
    }
}

/// A parsed Ed25519 public key that is safe to verify with: a valid point of large order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IssuerPublicKey(VerifyingKey);

impl IssuerPublicKey {
    /// Parses 32 raw bytes, refusing invalid and small-order points.
    pub fn from_bytes(raw: &[u8]) -> Result<Self, KeyError> {
        let raw: &[u8; 32] = raw.try_into().map_err(|_| KeyError::WrongLength)?;
        let key = VerifyingKey::from_bytes(raw).map_err(|_| KeyError::InvalidPoint)?;
        // A non-canonical encoding (y ≥ p) decodes to a point whose canonical bytes differ,
        // which would give the same key two kids.
        if key.to_edwards().compress().as_bytes() != raw {
            return Err(KeyError::InvalidPoint);
        }
        if key.is_weak() {
            return Err(KeyError::WeakKey);
        }
        Ok(IssuerPublicKey(key))
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The key identifier.
    pub fn kid(&self) -> Kid {
        Kid::of_public_key(self.0.as_bytes())
    }

    /// Strict Ed25519 verification: rejects non-canonical `S`, non-canonical and
    /// small-order `R`, and any signature that is not exactly 64 bytes.
    pub fn verify_strict(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.0
            .verify_strict(message, &EdSignature::from_bytes(bytes))
            .is_ok()
    }
}

impl fmt::Debug for IssuerPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerPublicKey({})", self.kid())
    }
}

/// A holder's device public key (the credential's `cnf`): Ed25519, or P-256 for ES256,
/// since phone keystores keep P-256 keys in hardware.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HolderPublicKey {
    /// An Ed25519 key, checked like an issuer key (valid point of large order).
    Ed25519(IssuerPublicKey),
    /// A P-256 key; never the point at infinity.
    P256(p256::ecdsa::VerifyingKey),
}

/// Which signature algorithm a holder key signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolderAlg {
    /// EdDSA with Ed25519 (COSE -8).
    EdDsa,
    /// ECDSA P-256 with SHA-256 (COSE -7).
    Es256,
}

impl HolderAlg {
    /// The COSE algorithm number.
    pub const fn cose_alg(self) -> i64 {
        match self {
            HolderAlg::EdDsa => -8,
            HolderAlg::Es256 => -7,
        }
    }

    /// The JOSE/COSE name (`EdDSA`, `ES256`).
    pub const fn name(self) -> &'static str {
        match self {
            HolderAlg::EdDsa => "EdDSA",
            HolderAlg::Es256 => "ES256",
        }
    }

    /// The algorithm for a COSE number, if a holder may use it.
    pub fn from_cose_alg(alg: i64) -> Option<Self> {
        [HolderAlg::EdDsa, HolderAlg::Es256]
            .into_iter()
            .find(|a| a.cose_alg() == alg)
    }
}

impl HolderPublicKey {
    /// An Ed25519 key from 32 raw bytes (invalid and small-order points refused).
    pub fn ed25519(raw: &[u8]) -> Result<Self, KeyError> {
        IssuerPublicKey::from_bytes(raw).map(HolderPublicKey::Ed25519)
    }

    /// A P-256 key from its affine `x` coordinate and the parity of `y` (a COSE_Key with
    /// point compression), refusing anything off the curve.
    pub fn p256_compressed(x: &[u8], y_is_odd: bool) -> Result<Self, KeyError> {
        if x.len() != 32 {
            return Err(KeyError::WrongLength);
        }
        let mut sec1 = Vec::with_capacity(33);
        sec1.push(if y_is_odd { 0x03 } else { 0x02 });
        sec1.extend_from_slice(x);
        Self::p256_sec1(&sec1)
    }

    /// A P-256 key from SEC1 bytes (compressed or uncompressed).
    pub fn p256_sec1(sec1: &[u8]) -> Result<Self, KeyError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1)
            .map(HolderPublicKey::P256)
            .map_err(|_| KeyError::InvalidPoint)
    }

    /// The algorithm the key signs with.
    pub fn alg(&self) -> HolderAlg {
        match self {
            HolderPublicKey::Ed25519(_) => HolderAlg::EdDsa,
            HolderPublicKey::P256(_) => HolderAlg::Es256,
        }
    }

    /// The key as raw bytes: 32 for Ed25519, compressed SEC1 (33) for P-256.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            HolderPublicKey::Ed25519(key) => key.to_bytes().to_vec(),
            HolderPublicKey::P256(key) => key.to_sec1_point(true).as_bytes().to_vec(),
        }
    }

    /// Checks a signature of `message` by this key: strict Ed25519, or ES256 in the raw
    /// `r ‖ s` form COSE uses.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            HolderPublicKey::Ed25519(key) => key.verify_strict(message, signature),
            HolderPublicKey::P256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
        }
    }
}

impl fmt::Debug for HolderPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HolderPublicKey({}, {})",
            self.alg().name(),
            Kid::of_public_key(&self.to_bytes())
        )
    }
}

/// A holder's device signing key. On a phone it lives in the keystore; this type is for
/// wallets without one, tests and the CLI.
pub enum HolderSigningKey {
    /// Ed25519.
    Ed25519(SigningKey),
    /// P-256 (ES256), signing deterministically (RFC 6979).
    P256(p256::ecdsa::SigningKey),
}

impl HolderSigningKey {
    /// A fresh key of algorithm `alg` from the operating system's random number generator.
    pub fn generate(alg: HolderAlg) -> Result<Self, KeyError> {
        loop {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|_| KeyError::NoRandomness)?;
            // A P-256 scalar must be non-zero and below the group order; retry otherwise.
            if let Ok(key) = Self::from_secret(alg, &secret) {
                return Ok(key);
            }
        }
    }

    /// The key for a 32-byte secret: an Ed25519 seed, or a P-256 scalar (big-endian,
    /// non-zero and below the group order).
    pub fn from_secret(alg: HolderAlg, secret: &[u8; 32]) -> Result<Self, KeyError> {
        match alg {
            HolderAlg::EdDsa => Ok(HolderSigningKey::Ed25519(SigningKey::from_bytes(secret))),
            HolderAlg::Es256 => p256::ecdsa::SigningKey::from_slice(secret)
                .map(HolderSigningKey::P256)
                .map_err(|_| KeyError::InvalidPoint),
        }
    }

    /// The 32-byte secret, for storing the key.
    pub fn to_secret(&self) -> [u8; 32] {
        match self {
            HolderSigningKey::Ed25519(key) => key.to_bytes(),
            HolderSigningKey::P256(key) => {
                let mut out = [0u8; 32];
                out.copy_from_slice(&key.to_bytes());
                out
            }
        }
    }

    /// The algorithm.
    pub fn alg(&self) -> HolderAlg {
        match self {
            HolderSigningKey::Ed25519(_) => HolderAlg::EdDsa,
            HolderSigningKey::P256(_) => HolderAlg::Es256,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> HolderPublicKey {
        match self {
            HolderSigningKey::Ed25519(key) => {
                HolderPublicKey::Ed25519(IssuerPublicKey(key.verifying_key()))
            }
            HolderSigningKey::P256(key) => HolderPublicKey::P256(*key.verifying_key()),
        }
    }

    /// Signs `message`: 64 bytes either way (Ed25519, or ES256 as `r ‖ s`).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            HolderSigningKey::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
            HolderSigningKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
        }
    }
}

impl fmt::Debug for HolderSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HolderSigningKey({:?})", self.public_key())
    }
}

/// Verifies an ES256 (ECDSA P-256 with SHA-256) signature in the raw `r ‖ s` form COSE
/// uses, with a SEC1-encoded public key. Returns false for any malformed input.
pub fn verify_es256(sec1_public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    HolderPublicKey::p256_sec1(sec1_public_key).is_ok_and(|key| key.verify(message, signature))
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// `len` bytes from the operating system's random number generator.
pub fn random_bytes(len: usize) -> Result<Vec<u8>, KeyError> {
    let mut out = vec![0u8; len];
    getrandom::fill(&mut out).map_err(|_| KeyError::NoRandomness)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8032_test_1() {
        let seed = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .unwrap();
        let key = IssuerSigningKey::from_seed(&seed.try_into().unwrap());
        assert_eq!(
            hex::encode(key.public_key().to_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = key.sign(b"");
        assert_eq!(
            hex::encode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        assert!(key.public_key().verify_strict(b"", &sig));
        assert!(!key.public_key().verify_strict(b"x", &sig));
        assert!(!key.public_key().verify_strict(b"", &sig[..63]));
    }

    #[test]
    fn refuses_small_order_and_invalid_keys() {
        // The identity point and a point of order 8.
        let identity =
            hex::decode("0100000000000000000000000000000000000000000000000000000000000000")
                .unwrap();
        assert_eq!(
            IssuerPublicKey::from_bytes(&identity),
            Err(KeyError::WeakKey)
        );
        let order8 =
            hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
                .unwrap();
        assert_eq!(IssuerPublicKey::from_bytes(&order8), Err(KeyError::WeakKey));
        assert_eq!(
            IssuerPublicKey::from_bytes(&[0u8; 31]),
            Err(KeyError::WrongLength)
        );
        let not_a_point =
            hex::decode("0200000000000000000000000000000000000000000000000000000000000000")
                .unwrap();
        assert_eq!(
            IssuerPublicKey::from_bytes(&not_a_point),
            Err(KeyError::InvalidPoint)
        );
        // y = p + 9 encodes the same point as y = 9 (a valid point, 0x09 00…): non-canonical.
        let mut non_canonical = [0xFFu8; 32];
        non_canonical[0] = 0xED + 9;
        non_canonical[31] = 0x7F;
        let canonical = {
            let mut c = [0u8; 32];
            c[0] = 9;
            c
        };
        assert!(IssuerPublicKey::from_bytes(&canonical).is_ok());
        assert_eq!(
            IssuerPublicKey::from_bytes(&non_canonical),
            Err(KeyError::InvalidPoint)
        );
    }

    #[test]
    fn kid_is_sha256_prefix() {
        let raw = [7u8; 32];
        assert_eq!(Kid::of_public_key(&raw).0, sha256(&raw)[..8]);
    }

    #[test]
    fn generated_keys_differ() {
        let a = IssuerSigningKey::generate().unwrap();
        let b = IssuerSigningKey::generate().unwrap();
        assert_ne!(a.to_seed(), b.to_seed());
    }
}
