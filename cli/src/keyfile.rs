//! The issuer key file: a private Ed25519 seed with the issuer it signs for.
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
use ikd_sdk::{IssuerSigningKey, encoding};
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
