//! The signed trust list: the issuer keys a root key vouches for, as a COSE_Sign1 with its
//! own `typ` (65283), and the root keys a verifier pins in its configuration.
//!
//! The payload (spec/format.md §9.2, CDDL in spec/ikd.cddl) carries a sequence number that
//! never goes back, the issue time, the time the next list is due, the issuer keys (kid,
//! key, issuer identifier and name, region code, signing window, document types, status
//! active/retired/compromised), the status lists the issuers publish (URI, file name,
//! issuer), and optionally the root keys that will sign future lists (root rotation).
//!
//! Root keys are never built in: [`TrustAnchors`] comes from the integrator's
//! configuration (`ikd-trust-anchors/1`).

use crate::codes::Reason;
use crate::model::claims::is_status_uri;
use crate::model::document::{DocType, DocTypeSet};
use crate::model::time::UnixTime;
use crate::trust::store::{
    KeyStatus, TrustEntry, TrustListInfo, TrustStore, TrustedKey, is_issuer_region_code,
};
use crate::wire::cbor::{self, Item, Rules};
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{IssuerPublicKey, IssuerSigningKey, KID_LEN, Kid};
use crate::wire::encoding;
use crate::wire::limits::{
    MAX_CBOR_DEPTH, MAX_ISSUER_ID_LEN, MAX_ISSUER_NAME_LEN, MAX_NUMERIC_DATE, MAX_ROOT_KEYS,
    MAX_STATUS_FILE_NAME_LEN, MAX_SUCCESSOR_ROOTS, MAX_TRUST_LIST_BYTES, MAX_TRUST_LIST_ENTRIES,
    MAX_TRUST_LIST_STATUS_LISTS,
};
use ciborium::Value;
use core::fmt;

/// How a trust list payload is decoded: strict deterministic CBOR, with arrays of up to
/// [`MAX_TRUST_LIST_ENTRIES`] elements.
const RULES: Rules = Rules {
    max_items: MAX_TRUST_LIST_ENTRIES,
    max_depth: MAX_CBOR_DEPTH,
    sorted_keys: true,
};

/// Payload keys.
mod key {
    pub const SEQUENCE: i64 = 1;
    pub const ISSUED_AT: i64 = 2;
    pub const NEXT_UPDATE: i64 = 3;
    pub const KEYS: i64 = 4;
    pub const STATUS_LISTS: i64 = 5;
    pub const SUCCESSOR_ROOTS: i64 = 6;

    pub const E_ISSUER: i64 = 1;
    pub const E_NAME: i64 = 2;
    pub const E_KID: i64 = 3;
    pub const E_PUBLIC_KEY: i64 = 4;
    pub const E_VALID_FROM: i64 = 5;
    pub const E_VALID_UNTIL: i64 = 6;
    pub const E_DOC_TYPES: i64 = 7;
    pub const E_STATUS: i64 = 8;
    pub const E_REGION: i64 = 9;

    pub const S_URI: i64 = 1;
    pub const S_FILE: i64 = 2;
    pub const S_ISSUER: i64 = 3;
}

/// Why a trust list (or a trust-anchor configuration) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustListError {
    /// The signed list is larger than [`MAX_TRUST_LIST_BYTES`].
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The COSE envelope or its header breaks the format's rules (the reason says which).
    Envelope(Reason),
    /// No pinned (or announced successor) root key has the list's `kid`.
    UnknownRoot,
    /// No root key with that `kid` verifies the signature.
    SignatureInvalid,
    /// The payload breaks a rule (what is at fault, e.g. `keys[3].public_key`).
    Payload(String),
    /// The trust-anchor configuration is unusable.
    Anchors(String),
}

impl fmt::Display for TrustListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustListError::TooLarge { len } => write!(
                f,
                "trust list of {len} bytes is larger than {MAX_TRUST_LIST_BYTES}"
            ),
            TrustListError::Envelope(reason) => write!(f, "trust list: {reason}"),
            TrustListError::UnknownRoot => {
                f.write_str("trust list signed by a root key that is not pinned")
            }
            TrustListError::SignatureInvalid => f.write_str("trust list signature is not valid"),
            TrustListError::Payload(what) => write!(f, "trust list payload: {what}"),
            TrustListError::Anchors(what) => write!(f, "trust anchors: {what}"),
        }
    }
}

impl std::error::Error for TrustListError {}

fn payload_error(what: impl Into<String>) -> TrustListError {
    TrustListError::Payload(what.into())
}

/// A root key a verifier trusts to sign trust lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootKey {
    /// A name for people ("Ditjen Dukcapil root 2026").
    pub name: String,
    /// The public key.
    pub key: IssuerPublicKey,
}

/// The pinned root keys: from the integrator's configuration, never built in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    roots: Vec<RootKey>,
}

impl TrustAnchors {
    /// No root.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a root (at most [`MAX_ROOT_KEYS`]; more are ignored, and a key already
    /// present is not added twice).
    pub fn add(&mut self, root: RootKey) {
        if self.roots.len() < MAX_ROOT_KEYS && !self.contains(&root.key) {
            self.roots.push(root);
        }
    }

    /// The roots.
    pub fn roots(&self) -> &[RootKey] {
        &self.roots
    }

    /// Whether `key` is one of the roots.
    pub fn contains(&self, key: &IssuerPublicKey) -> bool {
        self.roots.iter().any(|r| r.key == *key)
    }

    /// Whether there is no root.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Reads the configuration form:
    /// `{"format": "ikd-trust-anchors/1", "roots": [{"name": …, "public_key": hex}]}`.
    pub fn from_json(json: &str) -> Result<Self, TrustListError> {
        let file: anchors_json::File = serde_json::from_str(json)
            .map_err(|e| TrustListError::Anchors(format!("not valid JSON of its form: {e}")))?;
        if file.format != anchors_json::FORMAT {
            return Err(TrustListError::Anchors(format!(
                "format must be \"{}\"",
                anchors_json::FORMAT
            )));
        }
        if file.roots.is_empty() || file.roots.len() > MAX_ROOT_KEYS {
            return Err(TrustListError::Anchors(format!(
                "there must be 1 to {MAX_ROOT_KEYS} roots"
            )));
        }
        let mut anchors = TrustAnchors::new();
        for (i, root) in file.roots.into_iter().enumerate() {
            let key = encoding::hex_decode(&root.public_key)
                .ok_or(())
                .and_then(|raw| IssuerPublicKey::from_bytes(&raw).map_err(|_| ()))
                .map_err(|()| {
                    TrustListError::Anchors(format!("roots[{i}].public_key is not a usable key"))
                })?;
            if anchors.contains(&key) {
                return Err(TrustListError::Anchors(format!(
                    "roots[{i}] repeats a root"
                )));
            }
            anchors.add(RootKey {
                name: root.name,
                key,
            });
        }
        Ok(anchors)
    }

    /// The configuration form.
    pub fn to_json(&self) -> String {
        let file = anchors_json::File {
            format: anchors_json::FORMAT.to_owned(),
            roots: self
                .roots
                .iter()
                .map(|r| anchors_json::Root {
                    name: r.name.clone(),
                    kid: Some(r.key.kid().to_hex()),
                    public_key: encoding::hex_encode(&r.key.to_bytes()),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

mod anchors_json {
    pub(super) const FORMAT: &str = "ikd-trust-anchors/1";

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct File {
        pub(super) format: String,
        pub(super) roots: Vec<Root>,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Root {
        pub(super) name: String,
        /// Informational.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) kid: Option<String>,
        pub(super) public_key: String,
    }
}

/// A status list an issuer publishes, as the trust list names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusListRef {
    /// The list's URI: credentials name it, and its token's `sub` equals it.
    pub uri: String,
    /// The token's file name in the published folder, under `status/`:
    /// 1 to 64 characters of `A-Z a-z 0-9 . _ -`, not starting with a dot.
    pub file: String,
    /// The issuer whose key must sign it.
    pub issuer: String,
}

/// Whether `name` may name a status list file.
pub fn is_status_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_STATUS_FILE_NAME_LEN
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The content of a trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// Grows with every list a root publishes; a verifier never goes back to a lower one.
    pub sequence: u64,
    /// When the list was issued.
    pub issued_at: UnixTime,
    /// When the next list will have been issued, at the latest.
    pub next_update: UnixTime,
    /// The issuer keys, in trust-store order.
    pub entries: Vec<TrustEntry>,
    /// The status lists the issuers publish.
    pub status_lists: Vec<StatusListRef>,
    /// Root keys that will sign later lists (root rotation): a verifier that accepts this
    /// list accepts lists signed by them as well.
    pub successor_roots: Vec<IssuerPublicKey>,
}

impl TrustList {
    /// Checks every rule of the payload that the CBOR shape does not.
    pub fn validate(&self) -> Result<(), TrustListError> {
        let in_range = |t: UnixTime| (0..=MAX_NUMERIC_DATE).contains(&t.0);
        if !in_range(self.issued_at) {
            return Err(payload_error("issued_at"));
        }
        if !in_range(self.next_update) || self.next_update < self.issued_at {
            return Err(payload_error("next_update"));
        }
        if self.entries.len() > MAX_TRUST_LIST_ENTRIES {
            return Err(payload_error("keys: too many"));
        }
        for (i, entry) in self.entries.iter().enumerate() {
            let k = &entry.key;
            let at = |what: &str| payload_error(format!("keys[{i}].{what}"));
            if k.issuer.is_empty() || k.issuer.len() > MAX_ISSUER_ID_LEN {
                return Err(at("issuer"));
            }
            if k.name.len() > MAX_ISSUER_NAME_LEN {
                return Err(at("name"));
            }
            if !in_range(k.valid_from) {
                return Err(at("valid_from"));
            }
            if !in_range(k.valid_until) || k.valid_until < k.valid_from {
                return Err(at("valid_until"));
            }
            if entry.region_code.is_some_and(|c| !is_issuer_region_code(c)) {
                return Err(at("region_code"));
            }
        }
        if self.status_lists.len() > MAX_TRUST_LIST_STATUS_LISTS {
            return Err(payload_error("status_lists: too many"));
        }
        for (i, r) in self.status_lists.iter().enumerate() {
            let at = |what: &str| payload_error(format!("status_lists[{i}].{what}"));
            if !is_status_uri(&r.uri) {
                return Err(at("uri"));
            }
            if !is_status_file_name(&r.file) {
                return Err(at("file"));
            }
            if !self.entries.iter().any(|e| e.key.issuer == r.issuer) {
                return Err(at("issuer"));
            }
            let earlier = self.status_lists.get(..i).unwrap_or(&[]);
            if earlier.iter().any(|o| o.uri == r.uri) {
                return Err(at("uri (repeated)"));
            }
            if earlier.iter().any(|o| o.file == r.file) {
                return Err(at("file (repeated)"));
            }
        }
        if self.successor_roots.len() > MAX_SUCCESSOR_ROOTS {
            return Err(payload_error("successor_roots: too many"));
        }
        Ok(())
    }

    /// The payload's CBOR (deterministic).
    pub fn to_payload(&self) -> Vec<u8> {
        let int = Value::from;
        let entries = self
            .entries
            .iter()
            .map(|e| {
                let k = &e.key;
                let mut map = vec![
                    (int(key::E_ISSUER), Value::from(k.issuer.as_str())),
                    (int(key::E_NAME), Value::from(k.name.as_str())),
                    (int(key::E_KID), Value::Bytes(k.kid().0.to_vec())),
                    (
                        int(key::E_PUBLIC_KEY),
                        Value::Bytes(k.key.to_bytes().to_vec()),
                    ),
                    (int(key::E_VALID_FROM), Value::from(k.valid_from.0)),
                    (int(key::E_VALID_UNTIL), Value::from(k.valid_until.0)),
                    (
                        int(key::E_DOC_TYPES),
                        Value::Array(
                            k.doc_types
                                .iter()
                                .map(|t| Value::from(t.number()))
                                .collect(),
                        ),
                    ),
                    (int(key::E_STATUS), Value::from(e.status.number())),
                ];
                if let Some(code) = e.region_code {
                    map.push((int(key::E_REGION), Value::from(code)));
                }
                Value::Map(map)
            })
            .collect();
        let mut map = vec![
            (int(key::SEQUENCE), Value::from(self.sequence)),
            (int(key::ISSUED_AT), Value::from(self.issued_at.0)),
            (int(key::NEXT_UPDATE), Value::from(self.next_update.0)),
            (int(key::KEYS), Value::Array(entries)),
        ];
        if !self.status_lists.is_empty() {
            let refs = self
                .status_lists
                .iter()
                .map(|r| {
                    Value::Map(vec![
                        (int(key::S_URI), Value::from(r.uri.as_str())),
                        (int(key::S_FILE), Value::from(r.file.as_str())),
                        (int(key::S_ISSUER), Value::from(r.issuer.as_str())),
                    ])
                })
                .collect();
            map.push((int(key::STATUS_LISTS), Value::Array(refs)));
        }
        if !self.successor_roots.is_empty() {
            let roots = self
                .successor_roots
                .iter()
                .map(|k| Value::Bytes(k.to_bytes().to_vec()))
                .collect();
            map.push((int(key::SUCCESSOR_ROOTS), Value::Array(roots)));
        }
        cbor::encode(&Value::Map(map))
    }

    /// Signs the list with a root key, after [`TrustList::validate`].
    pub fn sign(&self, root: &IssuerSigningKey) -> Result<Vec<u8>, TrustListError> {
        self.validate()?;
        let message = cose::sign(
            self.to_payload(),
            MessageType::TrustList,
            Some(root.kid()),
            |tbs| root.sign(tbs).to_vec(),
        );
        if message.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustListError::TooLarge { len: message.len() });
        }
        Ok(message)
    }

    /// Decodes and checks a payload.
    pub fn decode_payload(payload: &[u8]) -> Result<Self, TrustListError> {
        let item = cbor::decode_with(payload, RULES)
            .map_err(|reason| payload_error(format!("not strict CBOR ({})", reason.code())))?;
        let map = item.as_map().ok_or_else(|| payload_error("not a map"))?;
        let (mut sequence, mut issued_at, mut next_update) = (None, None, None);
        let (mut entries, mut status_lists, mut successors) = (None, Vec::new(), Vec::new());
        for (k, v) in map {
            match k.as_i64() {
                Some(key::SEQUENCE) => {
                    sequence = Some(v.as_u64().ok_or_else(|| payload_error("sequence"))?);
                }
                Some(key::ISSUED_AT) => issued_at = Some(time_of(v, "issued_at")?),
                Some(key::NEXT_UPDATE) => next_update = Some(time_of(v, "next_update")?),
                Some(key::KEYS) => {
                    let items = v.as_array().ok_or_else(|| payload_error("keys"))?;
                    let decoded: Result<Vec<TrustEntry>, TrustListError> = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| entry_of(i, item))
                        .collect();
                    entries = Some(decoded?);
                }
                Some(key::STATUS_LISTS) => {
                    let items = v.as_array().ok_or_else(|| payload_error("status_lists"))?;
                    status_lists = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| status_ref_of(i, item))
                        .collect::<Result<_, _>>()?;
                }
                Some(key::SUCCESSOR_ROOTS) => {
                    let items = v
                        .as_array()
                        .filter(|items| !items.is_empty() && items.len() <= MAX_SUCCESSOR_ROOTS)
                        .ok_or_else(|| payload_error("successor_roots"))?;
                    successors = items
                        .iter()
                        .map(|item| {
                            item.as_bytes()
                                .and_then(|raw| IssuerPublicKey::from_bytes(raw).ok())
                                .ok_or_else(|| payload_error("successor_roots"))
                        })
                        .collect::<Result<_, _>>()?;
                }
                _ => return Err(payload_error("unknown key")),
            }
        }
        let list = TrustList {
            sequence: sequence.ok_or_else(|| payload_error("sequence"))?,
            issued_at: issued_at.ok_or_else(|| payload_error("issued_at"))?,
            next_update: next_update.ok_or_else(|| payload_error("next_update"))?,
            entries: entries.ok_or_else(|| payload_error("keys"))?,
            status_lists,
            successor_roots: successors,
        };
        list.validate()?;
        Ok(list)
    }
}

fn time_of(value: &Item<'_>, what: &str) -> Result<UnixTime, TrustListError> {
    value
        .as_i64()
        .filter(|t| (0..=MAX_NUMERIC_DATE).contains(t))
        .map(UnixTime)
        .ok_or_else(|| payload_error(what))
}

fn entry_of(index: usize, item: &Item<'_>) -> Result<TrustEntry, TrustListError> {
    let at = |what: &str| payload_error(format!("keys[{index}].{what}"));
    let map = item.as_map().ok_or_else(|| at("(not a map)"))?;
    let (mut issuer, mut name, mut kid, mut public_key) = (None, None, None, None);
    let (mut valid_from, mut valid_until, mut doc_types, mut status, mut region) =
        (None, None, None, None, None);
    for (k, v) in map {
        match k.as_i64() {
            Some(key::E_ISSUER) => issuer = Some(v.as_text().ok_or_else(|| at("issuer"))?),
            Some(key::E_NAME) => name = Some(v.as_text().ok_or_else(|| at("name"))?),
            Some(key::E_KID) => {
                kid = Some(
                    v.as_bytes()
                        .and_then(|b| <[u8; KID_LEN]>::try_from(b).ok())
                        .map(Kid)
                        .ok_or_else(|| at("kid"))?,
                );
            }
            Some(key::E_PUBLIC_KEY) => {
                public_key = Some(
                    v.as_bytes()
                        .and_then(|raw| IssuerPublicKey::from_bytes(raw).ok())
                        .ok_or_else(|| at("public_key"))?,
                );
            }
            Some(key::E_VALID_FROM) => {
                valid_from = Some(time_of(v, &format!("keys[{index}].valid_from"))?);
            }
            Some(key::E_VALID_UNTIL) => {
                valid_until = Some(time_of(v, &format!("keys[{index}].valid_until"))?);
            }
            Some(key::E_DOC_TYPES) => {
                let items = v.as_array().ok_or_else(|| at("doc_types"))?;
                let mut set = DocTypeSet::NONE;
                for item in items {
                    let doc_type = item
                        .as_u64()
                        .and_then(DocType::from_number)
                        .filter(|t| !set.contains(*t))
                        .ok_or_else(|| at("doc_types"))?;
                    set = set.with(doc_type);
                }
                doc_types = Some(set);
            }
            Some(key::E_STATUS) => {
                status = Some(
                    v.as_u64()
                        .and_then(KeyStatus::from_number)
                        .ok_or_else(|| at("status"))?,
                );
            }
            Some(key::E_REGION) => {
                region = Some(
                    v.as_u64()
                        .and_then(|c| u16::try_from(c).ok())
                        .ok_or_else(|| at("region_code"))?,
                );
            }
            _ => return Err(at("(unknown key)")),
        }
    }
    let public_key = public_key.ok_or_else(|| at("public_key"))?;
    if kid.ok_or_else(|| at("kid"))? != public_key.kid() {
        return Err(at("kid (does not match public_key)"));
    }
    Ok(TrustEntry {
        key: TrustedKey {
            issuer: issuer.ok_or_else(|| at("issuer"))?.to_owned(),
            name: name.ok_or_else(|| at("name"))?.to_owned(),
            key: public_key,
            valid_from: valid_from.ok_or_else(|| at("valid_from"))?,
            valid_until: valid_until.ok_or_else(|| at("valid_until"))?,
            doc_types: doc_types.ok_or_else(|| at("doc_types"))?,
        },
        status: status.ok_or_else(|| at("status"))?,
        region_code: region,
    })
}

fn status_ref_of(index: usize, item: &Item<'_>) -> Result<StatusListRef, TrustListError> {
    let at = |what: &str| payload_error(format!("status_lists[{index}].{what}"));
    let map = item.as_map().ok_or_else(|| at("(not a map)"))?;
    let (mut uri, mut file, mut issuer) = (None, None, None);
    for (k, v) in map {
        let text = v.as_text();
        match k.as_i64() {
            Some(key::S_URI) => uri = Some(text.ok_or_else(|| at("uri"))?),
            Some(key::S_FILE) => file = Some(text.ok_or_else(|| at("file"))?),
            Some(key::S_ISSUER) => issuer = Some(text.ok_or_else(|| at("issuer"))?),
            _ => return Err(at("(unknown key)")),
        }
    }
    Ok(StatusListRef {
        uri: uri.ok_or_else(|| at("uri"))?.to_owned(),
        file: file.ok_or_else(|| at("file"))?.to_owned(),
        issuer: issuer.ok_or_else(|| at("issuer"))?.to_owned(),
    })
}

/// A trust list whose signature was verified with a trusted root key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTrustList {
    list: TrustList,
    root: IssuerPublicKey,
    digest: [u8; 32],
}

impl VerifiedTrustList {
    /// Verifies a signed trust list: size, COSE envelope and header (`typ` 65283, EdDSA,
    /// `kid`), strict Ed25519 signature by one of `roots` (the pinned roots and the
    /// successors a previously accepted list announced), then the payload.
    ///
    /// Sequence, time and freshness are not checked here: the store decides them
    /// (crate::cache::disk).
    pub fn verify(bytes: &[u8], roots: &[IssuerPublicKey]) -> Result<Self, TrustListError> {
        if bytes.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustListError::TooLarge { len: bytes.len() });
        }
        let message = cose::parse(bytes).map_err(TrustListError::Envelope)?;
        let kid = message
            .check_header(MessageType::TrustList)
            .map_err(TrustListError::Envelope)?;
        let candidates: Vec<&IssuerPublicKey> =
            roots.iter().filter(|root| root.kid() == kid).collect();
        if candidates.is_empty() {
            return Err(TrustListError::UnknownRoot);
        }
        let signed = message.signed_bytes();
        let root = candidates
            .into_iter()
            .find(|root| root.verify_strict(&signed, message.signature()))
            .ok_or(TrustListError::SignatureInvalid)?;
        let list = TrustList::decode_payload(message.payload())?;
        Ok(VerifiedTrustList {
            list,
            root: *root,
            digest: crate::wire::crypto::sha256(bytes),
        })
    }

    /// The list.
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    /// The root key that signed it.
    pub fn root(&self) -> IssuerPublicKey {
        self.root
    }

    /// SHA-256 of the signed bytes.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// Its provenance, as a trust store records it.
    pub fn info(&self) -> TrustListInfo {
        TrustListInfo {
            sequence: self.list.sequence,
            issued_at: self.list.issued_at,
            next_update: self.list.next_update,
            root_kid: self.root.kid(),
        }
    }

    /// A trust store holding the list's keys (no status list yet), with its provenance.
    pub fn to_trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        for entry in &self.list.entries {
            store.add_entry(entry.clone());
        }
        store.set_trust_list(self.info());
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_list() -> TrustList {
        let entry = |seed: u8, issuer: &str, status, region| TrustEntry {
            key: TrustedKey {
                issuer: issuer.into(),
                name: format!("Disdukcapil {issuer}"),
                key: IssuerSigningKey::from_seed(&[seed; 32]).public_key(),
                valid_from: UnixTime(1_735_689_600),
                valid_until: UnixTime(1_830_297_599),
                doc_types: DocTypeSet::all(),
            },
            status,
            region_code: region,
        };
        TrustList {
            sequence: 7,
            issued_at: UnixTime(1_790_000_000),
            next_update: UnixTime(1_790_604_800),
            entries: vec![
                entry(1, "ID-DUKCAPIL-3273", KeyStatus::Active, Some(3273)),
                entry(2, "ID-DUKCAPIL-3204", KeyStatus::Retired, Some(3204)),
                entry(3, "ID-DUKCAPIL-9999", KeyStatus::Compromised, None),
            ],
            status_lists: vec![StatusListRef {
                uri: "https://ikd.example/status/3273/1".into(),
                file: "3273-1.cwt".into(),
                issuer: "ID-DUKCAPIL-3273".into(),
            }],
            successor_roots: vec![IssuerSigningKey::from_seed(&[0x55; 32]).public_key()],
        }
    }

    fn root() -> IssuerSigningKey {
        IssuerSigningKey::from_seed(&[0x44; 32])
    }

    #[test]
    fn sign_verify_round_trip() {
        let list = sample_list();
        let bytes = list.sign(&root()).unwrap();
        let verified = VerifiedTrustList::verify(&bytes, &[root().public_key()]).unwrap();
        assert_eq!(verified.list(), &list);
        assert_eq!(verified.root(), root().public_key());
        let store = verified.to_trust_store();
        assert_eq!(store.len(), 3);
        assert_eq!(store.trust_list().map(|i| i.sequence), Some(7));
        assert!(store.is_compromised(&IssuerSigningKey::from_seed(&[3; 32]).public_key()));
    }

    #[test]
    fn refusals() {
        let bytes = sample_list().sign(&root()).unwrap();
        let other = IssuerSigningKey::from_seed(&[0x66; 32]).public_key();
        assert_eq!(
            VerifiedTrustList::verify(&bytes, &[other]),
            Err(TrustListError::UnknownRoot)
        );
        let mut tampered = bytes.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(
            VerifiedTrustList::verify(&tampered, &[root().public_key()]),
            Err(TrustListError::SignatureInvalid)
        );
        // A credential-typed message signed by the root is not a trust list.
        let credential = cose::sign(
            sample_list().to_payload(),
            MessageType::Credential,
            Some(root().kid()),
            |tbs| root().sign(tbs).to_vec(),
        );
        assert_eq!(
            VerifiedTrustList::verify(&credential, &[root().public_key()]),
            Err(TrustListError::Envelope(Reason::TypMismatch))
        );
        assert!(matches!(
            VerifiedTrustList::verify(&vec![0; MAX_TRUST_LIST_BYTES + 1], &[]),
            Err(TrustListError::TooLarge { .. })
        ));
        let mut bad = sample_list();
        bad.next_update = UnixTime(bad.issued_at.0 - 1);
        assert_eq!(bad.sign(&root()), Err(payload_error("next_update")));
        let mut bad = sample_list();
        bad.status_lists[0].file = "../etc/passwd".into();
        assert!(bad.sign(&root()).is_err());
        let mut bad = sample_list();
        bad.status_lists[0].issuer = "ID-NOBODY".into();
        assert!(bad.sign(&root()).is_err());
    }

    #[test]
    fn payload_rules() {
        let good = sample_list().to_payload();
        assert!(TrustList::decode_payload(&good).is_ok());
        // An unknown top-level key.
        let mut value: Value = ciborium::de::from_reader(good.as_slice()).unwrap();
        if let Value::Map(entries) = &mut value {
            entries.push((Value::from(7), Value::from(0)));
        }
        assert_eq!(
            TrustList::decode_payload(&cbor::encode(&value)),
            Err(payload_error("unknown key"))
        );
        // A kid that does not belong to the key.
        let mut list = sample_list();
        let payload = list.to_payload();
        let kid = list.entries[0].key.kid().0;
        let mut swapped = payload.clone();
        let at = swapped.windows(KID_LEN).position(|w| w == kid).unwrap();
        swapped[at] ^= 0xFF;
        assert_eq!(
            TrustList::decode_payload(&swapped),
            Err(payload_error("keys[0].kid (does not match public_key)"))
        );
        // More entries than a CBOR array of the payload may hold.
        list.entries = vec![list.entries[0].clone(); MAX_TRUST_LIST_ENTRIES + 1];
        assert!(TrustList::decode_payload(&list.to_payload()).is_err());
    }

    #[test]
    fn anchors_json() {
        let mut anchors = TrustAnchors::new();
        anchors.add(RootKey {
            name: "Root 2026".into(),
            key: root().public_key(),
        });
        let json = anchors.to_json();
        assert_eq!(TrustAnchors::from_json(&json).unwrap(), anchors);
        assert!(TrustAnchors::from_json(&json.replace("ikd-trust-anchors/1", "x")).is_err());
        assert!(
            TrustAnchors::from_json(r#"{"format": "ikd-trust-anchors/1", "roots": []}"#).is_err()
        );
        assert!(is_status_file_name("3273-1.cwt"));
        for bad in ["", ".hidden", "a/b", "a b", "ü", &"x".repeat(65)] {
            assert!(!is_status_file_name(bad), "{bad}");
        }
    }
}
