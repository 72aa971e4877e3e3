//! The trust store: issuer keys a verifier accepts, each with its validity window and the
//! document types it may sign.
//!
//! Keys are parsed once, when added, so that verification never decodes a curve point.

use crate::crypto::{IssuerPublicKey, KeyError, Kid};
use crate::document::DocTypeSet;
use crate::encoding;
use crate::time::UnixTime;
use core::fmt;

/// An issuer key the verifier trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The issuer identifier the credential's `iss` must equal.
    pub issuer: String,
    /// The issuer's display name (e.g. "Disdukcapil Kota Bandung").
    pub name: String,
    /// The public key.
    pub key: IssuerPublicKey,
    /// Start of the window in which the key may sign (inclusive).
    pub valid_from: UnixTime,
    /// End of the window in which the key may sign (inclusive).
    pub valid_until: UnixTime,
    /// The document types the key may sign.
    pub doc_types: DocTypeSet,
}

impl TrustedKey {
    /// The key identifier.
    pub fn kid(&self) -> Kid {
        self.key.kid()
    }
}

/// Why trust data could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustError {
    /// The JSON is malformed or has the wrong shape.
    Json(String),
    /// A key is unusable.
    Key {
        /// Index of the entry.
        index: usize,
        /// What is wrong with it.
        error: KeyError,
    },
    /// An entry's field is invalid.
    Entry {
        /// Index of the entry.
        index: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::Json(e) => write!(f, "trust store JSON: {e}"),
            TrustError::Key { index, error } => write!(f, "trust store key {index}: {error}"),
            TrustError::Entry { index, problem } => write!(f, "trust store key {index}: {problem}"),
        }
    }
}

impl std::error::Error for TrustError {}

/// The set of trusted issuer keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustStore {
    /// Sorted by kid, so candidates are a contiguous run.
    keys: Vec<(Kid, TrustedKey)>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key.
    pub fn add(&mut self, key: TrustedKey) {
        let kid = key.kid();
        let at = self.keys.partition_point(|(k, _)| *k <= kid);
        self.keys.insert(at, (kid, key));
    }

    /// Every key, in kid order.
    pub fn keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter().map(|(_, key)| key)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys with this kid.
    pub fn candidates(&self, kid: Kid) -> impl Iterator<Item = &TrustedKey> {
        let start = self.keys.partition_point(|(k, _)| *k < kid);
        self.keys
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(k, _)| *k == kid)
            .map(|(_, key)| key)
    }

    /// Loads the JSON form (spec/format.md §9).
    pub fn from_json(json: &str) -> Result<Self, TrustError> {
        let file: json::TrustFile =
            serde_json::from_str(json).map_err(|e| TrustError::Json(e.to_string()))?;
        if file.format != json::FORMAT {
            return Err(TrustError::Json(format!(
                "format must be \"{}\"",
                json::FORMAT
            )));
        }
        let mut store = TrustStore::new();
        for (index, entry) in file.keys.into_iter().enumerate() {
            let problem = |problem| TrustError::Entry { index, problem };
            let raw =
                encoding::hex_decode(&entry.public_key).ok_or(problem("public_key is not hex"))?;
            let key = IssuerPublicKey::from_bytes(&raw)
                .map_err(|error| TrustError::Key { index, error })?;
            if entry
                .kid
                .as_ref()
                .is_some_and(|kid| *kid != key.kid().to_hex())
            {
                return Err(problem("kid does not match public_key"));
            }
            let valid_from = UnixTime::parse_rfc3339(&entry.valid_from)
                .ok_or(problem("valid_from is not YYYY-MM-DDTHH:MM:SSZ"))?;
            let valid_until = UnixTime::parse_rfc3339(&entry.valid_until)
                .ok_or(problem("valid_until is not YYYY-MM-DDTHH:MM:SSZ"))?;
            if valid_until < valid_from {
                return Err(problem("valid_until is before valid_from"));
            }
            if entry.issuer.is_empty() || entry.issuer.len() > crate::limits::MAX_ISSUER_ID_LEN {
                return Err(problem("issuer must be 1 to 64 bytes"));
            }
            store.add(TrustedKey {
                issuer: entry.issuer,
                name: entry.name,
                key,
                valid_from,
                valid_until,
                doc_types: entry.doc_types,
            });
        }
        Ok(store)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        let file = json::TrustFile {
            format: json::FORMAT.to_owned(),
            keys: self
                .keys()
                .map(|k| json::KeyEntry {
                    issuer: k.issuer.clone(),
                    name: k.name.clone(),
                    kid: Some(k.kid().to_hex()),
                    public_key: encoding::hex_encode(&k.key.to_bytes()),
                    valid_from: k.valid_from.to_string(),
                    valid_until: k.valid_until.to_string(),
                    doc_types: k.doc_types,
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

mod json {
    use crate::document::DocTypeSet;

    pub(super) const FORMAT: &str = "ikd-trust-store/1";

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct TrustFile {
        pub(super) format: String,
        pub(super) keys: Vec<KeyEntry>,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct KeyEntry {
        pub(super) issuer: String,
        pub(super) name: String,
        /// Derived from the key; when present it must match, to catch copy-paste errors.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) kid: Option<String>,
        pub(super) public_key: String,
        pub(super) valid_from: String,
        pub(super) valid_until: String,
        pub(super) doc_types: DocTypeSet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::IssuerSigningKey;
    use crate::document::DocType;

    fn key(seed: u8, issuer: &str) -> TrustedKey {
        TrustedKey {
            issuer: issuer.into(),
            name: format!("Issuer {issuer}"),
            key: IssuerSigningKey::from_seed(&[seed; 32]).public_key(),
            valid_from: UnixTime(0),
            valid_until: UnixTime(2_000_000_000),
            doc_types: DocTypeSet::NONE.with(DocType::Ktp),
        }
    }

    #[test]
    fn candidates_share_a_kid() {
        let mut store = TrustStore::new();
        for seed in 1..=5 {
            store.add(key(seed, "A"));
        }
        let dup = key(3, "B");
        store.add(dup.clone());
        let kid = dup.kid();
        let found: Vec<_> = store.candidates(kid).map(|k| k.issuer.as_str()).collect();
        assert_eq!(found.len(), 2);
        assert!(found.contains(&"A") && found.contains(&"B"));
        assert_eq!(store.candidates(Kid([0; 8])).count(), 0);
    }

    #[test]
    fn json_round_trip_and_errors() {
        let mut store = TrustStore::new();
        store.add(key(1, "ID-3273"));
        let json = store.to_json();
        assert_eq!(TrustStore::from_json(&json).unwrap(), store);
        let weak = json.replace(
            &encoding::hex_encode(&store.keys().next().unwrap().key.to_bytes()),
            "0100000000000000000000000000000000000000000000000000000000000000",
        );
        assert_eq!(
            TrustStore::from_json(&weak),
            Err(TrustError::Key {
                index: 0,
                error: KeyError::WeakKey
            })
        );
        let wrong_kid = json.replace(
            &store.keys().next().unwrap().kid().to_hex(),
            "0011223344556677",
        );
        assert_eq!(
            TrustStore::from_json(&wrong_kid),
            Err(TrustError::Entry {
                index: 0,
                problem: "kid does not match public_key"
            })
        );
        let swapped = json.replace("1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
        assert!(matches!(
            TrustStore::from_json(&swapped),
            Err(TrustError::Entry { index: 0, .. })
        ));
        assert!(matches!(
            TrustStore::from_json("{}"),
            Err(TrustError::Json(_))
        ));
    }
}
