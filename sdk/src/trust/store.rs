//! The trust store: issuer keys a verifier accepts, each with its validity window, the
//! document types it may sign and its status; where the keys came from (a signed trust
//! list, or local configuration); and the verified status lists of the issuers.
//!
//! Keys are parsed once, when added, so that verification never decodes a curve point.
//! A store is an immutable snapshot once built: to update trust data, build a new store
//! and swap it in (crate::cache::disk::SharedTrust), so verifications in flight keep theirs.

use crate::model::document::DocTypeSet;
use crate::model::time::UnixTime;
use crate::trust::status_list::{StatusListClaims, StatusListError, StatusListToken};
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{IssuerPublicKey, KeyError, Kid};
use crate::wire::encoding;
use crate::wire::limits::{MAX_KID_CANDIDATES, MAX_STATUS_LIST_TOKEN_BYTES};
use core::fmt;
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// The status of an issuer key in the trust data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum KeyStatus {
    /// In use.
    #[default]
    Active,
    /// No longer signs: credentials it signed inside its validity window stay valid, and
    /// so do status lists it signed inside that window.
    Retired,
    /// Its private key is known to be lost: nothing it signed is accepted
    /// (`key_compromised`).
    Compromised,
}

impl KeyStatus {
    /// Every status, in the order of its number.
    pub const ALL: [KeyStatus; 3] = [
        KeyStatus::Active,
        KeyStatus::Retired,
        KeyStatus::Compromised,
    ];

    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Retired => "retired",
            KeyStatus::Compromised => "compromised",
        }
    }

    /// The number in the signed trust list: 0 active, 1 retired, 2 compromised.
    pub const fn number(self) -> u64 {
        match self {
            KeyStatus::Active => 0,
            KeyStatus::Retired => 1,
            KeyStatus::Compromised => 2,
        }
    }

    /// The status with this number.
    pub fn from_number(number: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.number() == number)
    }

    /// The status with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One trust-store entry: a trusted key with its status and the region its issuer serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// The key, its issuer, window and document types.
    pub key: TrustedKey,
    /// Active, retired or compromised.
    pub status: KeyStatus,
    /// The Kemendagri code of the province (2 digits) or kabupaten/kota (4 digits) the
    /// issuer serves; `None` for a national issuer or when unknown.
    pub region_code: Option<u16>,
}

impl TrustEntry {
    /// An active entry without a region.
    pub fn active(key: TrustedKey) -> Self {
        TrustEntry {
            key,
            status: KeyStatus::Active,
            region_code: None,
        }
    }
}

/// Whether `code` is a province (11–99) or kabupaten/kota (1101–9999, not a multiple of
/// 100) code.
pub fn is_issuer_region_code(code: u16) -> bool {
    (11..=99).contains(&code) || ((1101..=9999).contains(&code) && !code.is_multiple_of(100))
}

/// Where the keys of a store came from, when that is a verified signed trust list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustListInfo {
    /// The list's sequence number.
    pub sequence: u64,
    /// When the list was issued.
    pub issued_at: UnixTime,
    /// When its publisher will have issued the next one.
    pub next_update: UnixTime,
    /// The root key that signed it.
    pub root_kid: Kid,
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

/// The trust data a verification uses: trusted issuer keys, where they came from, and the
/// issuers' verified status lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustStore {
    /// Sorted by kid, so candidates are a contiguous run; entries with equal kids keep the
    /// order they were added in.
    keys: Vec<(Kid, TrustEntry)>,
    /// The signed trust list the keys came from; `None` for local configuration.
    list: Option<TrustListInfo>,
    /// Verified status lists by URI.
    status_lists: BTreeMap<String, Arc<StatusListToken>>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an active key.
    pub fn add(&mut self, key: TrustedKey) {
        self.add_entry(TrustEntry::active(key));
    }

    /// Adds an entry.
    pub fn add_entry(&mut self, entry: TrustEntry) {
        let kid = entry.key.kid();
        let at = self.keys.partition_point(|(k, _)| *k <= kid);
        self.keys.insert(at, (kid, entry));
    }

    /// Every key, in kid order.
    pub fn keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter().map(|(_, entry)| &entry.key)
    }

    /// Every entry, in kid order.
    pub fn entries(&self) -> impl Iterator<Item = &TrustEntry> {
        self.keys.iter().map(|(_, entry)| entry)
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
        self.candidate_entries(kid).map(|entry| &entry.key)
    }

    /// The entries with this kid, in trust-store order.
    pub fn candidate_entries(&self, kid: Kid) -> impl Iterator<Item = &TrustEntry> {
        let start = self.keys.partition_point(|(k, _)| *k < kid);
        self.keys
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(k, _)| *k == kid)
            .map(|(_, entry)| entry)
    }

    /// Whether any entry lists `key` as compromised.
    pub fn is_compromised(&self, key: &IssuerPublicKey) -> bool {
        self.is_compromised_with_kid(key, key.kid())
    }

    /// [`TrustStore::is_compromised`] for a key whose kid the caller already holds (it
    /// must be `key.kid()`): verification skips hashing the key again.
    pub(crate) fn is_compromised_with_kid(&self, key: &IssuerPublicKey, kid: Kid) -> bool {
        self.candidate_entries(kid)
            .any(|e| e.key.key == *key && e.status == KeyStatus::Compromised)
    }

    /// The signed trust list the keys came from; `None` when they come from local
    /// configuration (the JSON form).
    pub fn trust_list(&self) -> Option<&TrustListInfo> {
        self.list.as_ref()
    }

    /// Records that the keys came from this verified trust list.
    pub(crate) fn set_trust_list(&mut self, info: TrustListInfo) {
        self.list = Some(info);
    }

    /// Adds (or replaces) a verified status list, by its URI. Use
    /// [`crate::trust::status_list::StatusListToken::verify`] against this store first.
    pub fn add_status_list(&mut self, token: Arc<StatusListToken>) {
        self.status_lists.insert(token.uri().to_owned(), token);
    }

    /// Removes the status list with this URI.
    pub fn remove_status_list(&mut self, uri: &str) -> Option<Arc<StatusListToken>> {
        self.status_lists.remove(uri)
    }

    /// The status list with this URI.
    pub fn status_list(&self, uri: &str) -> Option<&Arc<StatusListToken>> {
        self.status_lists.get(uri)
    }

    /// Every status list, in the order of their URIs.
    pub fn status_lists(&self) -> impl Iterator<Item = &Arc<StatusListToken>> {
        self.status_lists.values()
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
            if entry.issuer.is_empty()
                || entry.issuer.len() > crate::wire::limits::MAX_ISSUER_ID_LEN
            {
                return Err(problem("issuer must be 1 to 64 bytes"));
            }
            let status = match entry.status.as_deref() {
                None => KeyStatus::Active,
                Some(name) => KeyStatus::from_name(name)
                    .ok_or(problem("status must be active, retired or compromised"))?,
            };
            if entry
                .region_code
                .is_some_and(|code| !is_issuer_region_code(code))
            {
                return Err(problem(
                    "region_code must be a province (11-99) or kabupaten/kota (1101-9999) code",
                ));
            }
            store.add_entry(TrustEntry {
                key: TrustedKey {
                    issuer: entry.issuer,
                    name: entry.name,
                    key,
                    valid_from,
                    valid_until,
                    doc_types: entry.doc_types,
                },
                status,
                region_code: entry.region_code,
            });
        }
        Ok(store)
    }

    /// The JSON form of the keys (local configuration): `status` and `region_code` are
    /// written only when they are not the defaults (active, none). Status lists and the
    /// trust list's provenance are not part of it.
    pub fn to_json(&self) -> String {
        let file = json::TrustFile {
            format: json::FORMAT.to_owned(),
            keys: self
                .entries()
                .map(|e| {
                    let k = &e.key;
                    json::KeyEntry {
                        issuer: k.issuer.clone(),
                        name: k.name.clone(),
                        kid: Some(k.kid().to_hex()),
                        public_key: encoding::hex_encode(&k.key.to_bytes()),
                        valid_from: k.valid_from.to_string(),
                        valid_until: k.valid_until.to_string(),
                        doc_types: k.doc_types,
                        status: (e.status != KeyStatus::Active).then(|| e.status.name().to_owned()),
                        region_code: e.region_code,
                    }
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

mod json {
    use crate::model::document::DocTypeSet;

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
        /// `active` (the default), `retired` or `compromised`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) status: Option<String>,
        /// The province or kabupaten/kota the issuer serves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) region_code: Option<u16>,
    }
}

// A status list token is verified against a trust store, which also holds the verified
// tokens: the verification lives here so that the store is the only one of the two that
// knows the other.
impl StatusListToken {
    /// Verifies a status list token against the keys of `trust`: size, COSE envelope and
    /// header (`typ` `application/statuslist+cwt`, EdDSA, `kid`), strict Ed25519 signature
    /// by a trusted key that is not compromised, then the claims; the signing entry must
    /// belong to `iss` (when present) and its validity window must hold `iat`.
    ///
    /// Freshness is not checked here: a verification decides it at its own time, under
    /// its policy.
    pub fn verify(token: &[u8], trust: &TrustStore) -> Result<Self, StatusListError> {
        if token.len() > MAX_STATUS_LIST_TOKEN_BYTES {
            return Err(StatusListError::TooLarge { len: token.len() });
        }
        let message = cose::parse(token).map_err(StatusListError::Envelope)?;
        let kid = message
            .check_header(MessageType::StatusList)
            .map_err(StatusListError::Envelope)?;
        let signed = message.signed_bytes();
        let mut checked = Vec::new();
        let mut signers: Vec<&TrustEntry> = Vec::new();
        let mut any = false;
        for entry in trust.candidate_entries(kid) {
            any = true;
            let key = entry.key.key;
            let verifies = match checked.iter().find(|(k, _)| *k == key) {
                Some((_, verifies)) => *verifies,
                None if checked.len() < MAX_KID_CANDIDATES => {
                    let verifies = key.verify_strict(&signed, message.signature());
                    checked.push((key, verifies));
                    verifies
                }
                None => false,
            };
            if verifies {
                signers.push(entry);
            }
        }
        if !any {
            return Err(StatusListError::KeyUnknown);
        }
        let Some(first) = signers.first() else {
            return Err(StatusListError::SignatureInvalid);
        };
        if trust.is_compromised(&first.key.key) {
            return Err(StatusListError::KeyCompromised);
        }
        let claims = StatusListClaims::decode(message.payload())?;
        let signer = signers
            .iter()
            .find(|entry| {
                claims
                    .issuer
                    .as_deref()
                    .is_none_or(|iss| iss == entry.key.issuer)
                    && entry.key.valid_from <= claims.issued_at
                    && claims.issued_at <= entry.key.valid_until
            })
            .ok_or(StatusListError::KeyNotValid)?;
        Ok(StatusListToken::from_verified(
            claims,
            signer.key.issuer.clone(),
            kid,
            crate::wire::crypto::sha256(token),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::DocType;
    use crate::wire::crypto::IssuerSigningKey;

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
    fn status_lists_come_in_the_order_of_their_uris() {
        use crate::trust::status_list::{StatusList, StatusListIssue, sign_status_list};
        let mut store = TrustStore::new();
        store.add(key(1, "A"));
        for uri in [
            "https://c.example/3",
            "https://a.example/1",
            "https://b.example/2",
        ] {
            let issue = StatusListIssue {
                issuer: "A",
                uri,
                issued_at: UnixTime(1_000),
                expires_at: None,
                ttl_seconds: None,
            };
            let list = StatusList::new(1, 64).unwrap();
            let token =
                sign_status_list(&IssuerSigningKey::from_seed(&[1; 32]), &issue, &list).unwrap();
            let verified = StatusListToken::verify(&token, &store).unwrap();
            store.add_status_list(Arc::new(verified));
        }
        let uris: Vec<&str> = store.status_lists().map(|t| t.uri()).collect();
        assert_eq!(
            uris,
            [
                "https://a.example/1",
                "https://b.example/2",
                "https://c.example/3"
            ]
        );
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

    #[test]
    fn status_and_region_round_trip_and_are_optional() {
        let mut store = TrustStore::new();
        store.add(key(1, "ID-3273"));
        let plain = store.to_json();
        assert!(!plain.contains("status") && !plain.contains("region_code"));
        store.add_entry(TrustEntry {
            key: key(2, "ID-3204"),
            status: KeyStatus::Compromised,
            region_code: Some(3204),
        });
        let json = store.to_json();
        assert!(json.contains("\"status\": \"compromised\""));
        let back = TrustStore::from_json(&json).unwrap();
        assert_eq!(back, store);
        assert!(back.is_compromised(&key(2, "x").key));
        assert!(!back.is_compromised(&key(1, "x").key));
        let bad_status = json.replace("\"compromised\"", "\"lost\"");
        assert!(matches!(
            TrustStore::from_json(&bad_status),
            Err(TrustError::Entry { .. })
        ));
        let bad_region = json.replace("\"region_code\": 3204", "\"region_code\": 3200");
        assert!(matches!(
            TrustStore::from_json(&bad_region),
            Err(TrustError::Entry { .. })
        ));
        assert!(is_issuer_region_code(32) && is_issuer_region_code(3273));
        assert!(!is_issuer_region_code(10) && !is_issuer_region_code(3200));
        assert!(!is_issuer_region_code(100) && !is_issuer_region_code(1100));
    }
}
