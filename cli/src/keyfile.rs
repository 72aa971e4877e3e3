//! Key files: the issuer key file (a private Ed25519 seed with the issuer it signs for)
//! and the holder's device key file (below).
//!
//! ```json
//! {
//!   "format": "ikd-issuer-key/1",
//!   "issuer": "ID-DUKCAPIL-3273",
//!   "name": "Disdukcapil Kota Bandung",
//!   "kid": "1f2e3d4c5b6a7988",
//!   "public_key": "<64 hex digits>",
//!   "seed": "<64 hex digits: the private key>"
//! }
//! ```
//!
//! `kid` and `public_key` are informational and checked against the seed on load.

use crate::util::{Access, Failure, json_error_position, read_text, write_new};
use ikd_sdk::{HolderAlg, HolderPublicKey, HolderSigningKey, IssuerSigningKey, Kid, encoding};
use std::path::Path;

const FORMAT: &str = "ikd-issuer-key/1";

/// An issuer's private key with its identity.
pub(crate) struct KeyFile {
    pub(crate) issuer: String,
    pub(crate) name: String,
    pub(crate) key: IssuerSigningKey,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Json {
    format: String,
    issuer: String,
    name: String,
    kid: String,
    public_key: String,
    seed: String,
}

impl KeyFile {
    /// Writes the key file, readable by the owner only.
    pub(crate) fn write(&self, path: &Path, force: bool) -> Result<(), Failure> {
        let json = Json {
            format: FORMAT.to_owned(),
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            kid: self.key.kid().to_hex(),
            public_key: encoding::hex_encode(&self.key.public_key().to_bytes()),
            seed: encoding::hex_encode(&self.key.to_seed()),
        };
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| Failure::new(format!("cannot encode the key file: {e}")))?;
        write_new(path, &(text + "\n"), Access::Private, force)
    }

    /// Reads a key file. Errors never show the file's contents.
    pub(crate) fn read(path: &Path) -> Result<Self, Failure> {
        let text = read_text(path, "key file")?;
        let bad = |why: &str| Failure::new(format!("key file {}: {why}", path.display()));
        let json: Json = serde_json::from_str(&text).map_err(|e| {
            bad(&format!(
                "not an ikd issuer key file ({})",
                json_error_position(&e)
            ))
        })?;
        if json.format != FORMAT {
            return Err(bad(&format!("format must be \"{FORMAT}\"")));
        }
        let seed: [u8; 32] = encoding::hex_decode(&json.seed)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad("seed must be 64 hex digits"))?;
        let key = IssuerSigningKey::from_seed(&seed);
        if !json
            .public_key
            .eq_ignore_ascii_case(&encoding::hex_encode(&key.public_key().to_bytes()))
        {
            return Err(bad("public_key does not belong to the seed"));
        }
        if !json.kid.eq_ignore_ascii_case(&key.kid().to_hex()) {
            return Err(bad("kid does not belong to the seed"));
        }
        Ok(KeyFile {
            issuer: json.issuer,
            name: json.name,
            key,
        })
    }
}

const HOLDER_FORMAT: &str = "ikd-holder-key/1";

/// A holder's device key file: the phone's key for signing presentations, or its public
/// half only (for the issuer, who puts it in the credential's `cnf`).
///
/// ```json
/// {
///   "format": "ikd-holder-key/1",
///   "alg": "ES256",
///   "kid": "<16 hex digits>",
///   "public_key": "<hex: compressed SEC1 for ES256, 32 bytes for EdDSA>",
///   "secret": "<64 hex digits: the private key; absent in a public key file>"
/// }
/// ```
pub(crate) enum HolderKeyFile {
    /// The signing key (its public half included).
    Signing(HolderSigningKey),
    /// The public key only.
    Public(HolderPublicKey),
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HolderJson {
    format: String,
    alg: String,
    kid: String,
    public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// Parses an algorithm name as `--alg` and key files spell it (case-insensitive).
pub(crate) fn holder_alg(name: &str) -> Option<HolderAlg> {
    [HolderAlg::Es256, HolderAlg::EdDsa]
        .into_iter()
        .find(|alg| alg.name().eq_ignore_ascii_case(name))
}

fn holder_json(public: &HolderPublicKey, secret: Option<&HolderSigningKey>) -> HolderJson {
    let raw = public.to_bytes();
    HolderJson {
        format: HOLDER_FORMAT.to_owned(),
        alg: public.alg().name().to_owned(),
        kid: Kid::of_public_key(&raw).to_hex(),
        public_key: encoding::hex_encode(&raw),
        secret: secret.map(|key| encoding::hex_encode(&key.to_secret())),
    }
}

impl HolderKeyFile {
    /// The public key.
    pub(crate) fn public_key(&self) -> HolderPublicKey {
        match self {
            HolderKeyFile::Signing(key) => key.public_key(),
            HolderKeyFile::Public(key) => *key,
        }
    }

    /// The file's JSON text: with the secret for a signing key.
    pub(crate) fn to_json(&self) -> Result<String, Failure> {
        let json = match self {
            HolderKeyFile::Signing(key) => holder_json(&key.public_key(), Some(key)),
            HolderKeyFile::Public(key) => holder_json(key, None),
        };
        serde_json::to_string_pretty(&json)
            .map(|text| text + "\n")
            .map_err(|e| Failure::new(format!("cannot encode the key file: {e}")))
    }

    /// Writes the key file: readable by the owner only when it holds the secret.
    pub(crate) fn write(&self, path: &Path, force: bool) -> Result<(), Failure> {
        let access = match self {
            HolderKeyFile::Signing(_) => Access::Private,
            HolderKeyFile::Public(_) => Access::Public,
        };
        write_new(path, &self.to_json()?, access, force)
    }

    /// Reads a holder key file, with or without the secret. Errors never show the file's
    /// contents.
    pub(crate) fn read(path: &Path) -> Result<Self, Failure> {
        let text = read_text(path, "holder key file")?;
        let bad = |why: &str| Failure::new(format!("holder key file {}: {why}", path.display()));
        let json: HolderJson = serde_json::from_str(&text).map_err(|e| {
            bad(&format!(
                "not an ikd holder key file ({}; make one with `ikd keygen --device`)",
                json_error_position(&e)
            ))
        })?;
        if json.format != HOLDER_FORMAT {
            return Err(bad(&format!("format must be \"{HOLDER_FORMAT}\"")));
        }
        let alg = holder_alg(&json.alg).ok_or_else(|| bad("alg must be \"ES256\" or \"EdDSA\""))?;
        let raw = encoding::hex_decode(&json.public_key)
            .ok_or_else(|| bad("public_key must be hex digits"))?;
        let public = match alg {
            HolderAlg::Es256 => HolderPublicKey::p256_sec1(&raw),
            HolderAlg::EdDsa => HolderPublicKey::ed25519(&raw),
        }
        .map_err(|e| bad(&format!("public_key: {e}")))?;
        if !json
            .kid
            .eq_ignore_ascii_case(&Kid::of_public_key(&public.to_bytes()).to_hex())
        {
            return Err(bad("kid does not belong to the public key"));
        }
        let Some(secret) = json.secret else {
            return Ok(HolderKeyFile::Public(public));
        };
        let secret: [u8; 32] = encoding::hex_decode(&secret)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad("secret must be 64 hex digits"))?;
        let key = HolderSigningKey::from_secret(alg, &secret)
            .map_err(|_| bad("secret is not a valid key for its alg"))?;
        if key.public_key() != public {
            return Err(bad("public_key does not belong to the secret"));
        }
        Ok(HolderKeyFile::Signing(key))
    }

    /// Reads a holder key file that must hold the secret (to sign presentations).
    pub(crate) fn read_signing(path: &Path) -> Result<HolderSigningKey, Failure> {
        match Self::read(path)? {
            HolderKeyFile::Signing(key) => Ok(key),
            HolderKeyFile::Public(_) => Err(Failure::new(format!(
                "holder key file {} holds only the public key; presentations need the \
                 device's private key file (from `ikd keygen --device`)",
                path.display()
            ))),
        }
    }
}
