//! The trust bundle: one file holding a signed trust list and the status list tokens it
//! names, for carrying trust data where there is no network (a USB stick to a kecamatan
//! office during a SIAK outage).
//!
//! The bundle itself is not signed: each part keeps the signature it was published with
//! (the trust list the root's, each status list its issuer's), so a bundle can be put
//! together by anyone from a published folder, holding no key, and a reader verifies each
//! part exactly as if it had been fetched over HTTP. Changing any byte of a part breaks
//! that part's signature; the envelope carries nothing that is trusted.
//!
//! Everything here is a pure function of bytes and pinned root keys: no file, no network,
//! no clock. Installing a bundle under the rollback and freshness rules of the HTTP sync is
//! the disk cache's work (`TrustCache::import_bundle`).

use crate::trust::status_list::{StatusListClaims, StatusListError, StatusListToken};
use crate::trust::store::TrustStore;
use crate::trust::trust_list::{TrustListError, VerifiedTrustList};
use crate::wire::cbor::{self, Item, Rules};
use crate::wire::crypto::IssuerPublicKey;
use crate::wire::limits::{
    MAX_BUNDLE_STATUS_LISTS, MAX_CBOR_DEPTH, MAX_STATUS_LIST_TOKEN_BYTES, MAX_TRUST_BUNDLE_BYTES,
    MAX_TRUST_LIST_BYTES,
};
use ciborium::Value;
use core::fmt;
use std::sync::Arc;

/// The format identifier a bundle carries (key 1).
pub const BUNDLE_FORMAT: &str = "ikd-trust-bundle/1";

/// The usual file name of a bundle.
pub const BUNDLE_FILE: &str = "trust-bundle.ikdb";

/// Strict deterministic CBOR, with up to [`MAX_BUNDLE_STATUS_LISTS`] status lists.
const RULES: Rules = Rules {
    max_items: MAX_BUNDLE_STATUS_LISTS,
    max_depth: MAX_CBOR_DEPTH,
    sorted_keys: true,
};

mod key {
    pub const FORMAT: i64 = 1;
    pub const TRUST_LIST: i64 = 2;
    pub const STATUS_LISTS: i64 = 3;

    pub const S_URI: i64 = 1;
    pub const S_TOKEN: i64 = 2;
}

macro_rules! bundle_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $en:literal, $id:literal; )*) => {
        /// The stable codes of a bundle import: why a bundle was refused as a whole, or
        /// what happened to one of its status lists. Append-only, like the reason codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum BundleCode {
            $( $(#[$doc])* $variant, )*
        }

        impl BundleCode {
            /// Every code, in registry order.
            pub const ALL: &'static [BundleCode] = &[$( BundleCode::$variant, )*];

            /// The stable snake_case code.
            pub const fn code(self) -> &'static str {
                match self { $( BundleCode::$variant => $code, )* }
            }

            /// The English text for people.
            pub const fn en(self) -> &'static str {
                match self { $( BundleCode::$variant => $en, )* }
            }

            /// The Bahasa Indonesia text for people.
            pub const fn id(self) -> &'static str {
                match self { $( BundleCode::$variant => $id, )* }
            }

            /// Whether the code refuses the whole bundle (otherwise it concerns one status
            /// list, and the rest of the bundle is imported).
            pub const fn refuses_bundle(self) -> bool {
                !matches!(
                    self,
                    BundleCode::StatusListMissing
                        | BundleCode::StatusListNotNamed
                        | BundleCode::StatusListInvalid
                        | BundleCode::StatusListRollback
                        | BundleCode::StatusListExpired
                        | BundleCode::StatusListNotYetValid
                )
            }
        }
    };
}

bundle_codes! {
    /// The file is larger than [`MAX_TRUST_BUNDLE_BYTES`].
    BundleTooLarge => "bundle_too_large",
        "The file is too large to be a trust bundle.",
        "Berkas terlalu besar untuk sebuah bundel data kepercayaan.";
    /// Not strict CBOR of the bundle's shape (a repeated URI, an unknown key, a part too
    /// large).
    BundleMalformed => "bundle_malformed",
        "The file is not a well-formed trust bundle.",
        "Berkas bukan bundel data kepercayaan yang tersusun benar.";
    /// The format identifier is not [`BUNDLE_FORMAT`].
    BundleFormatUnknown => "bundle_format_unknown",
        "The trust bundle is of a format this verifier does not read.",
        "Bundel data kepercayaan berformat yang tidak dapat dibaca verifikator ini.";
    /// The trust list's root is neither pinned nor an announced successor.
    TrustListUnknownRoot => "bundle_trust_list_unknown_root",
        "The trust list is signed by a root key this verifier does not trust.",
        "Daftar kepercayaan ditandatangani kunci induk yang tidak dipercaya verifikator ini.";
    /// The trust list's signature does not verify (a changed byte, a forged list).
    TrustListSignatureInvalid => "bundle_trust_list_signature_invalid",
        "The trust list's signature is not valid: the file was changed or forged.",
        "Tanda tangan daftar kepercayaan tidak sah: berkas telah diubah atau dipalsukan.";
    /// The trust list's envelope or payload breaks the format.
    TrustListInvalid => "bundle_trust_list_invalid",
        "The trust list breaks the format's rules.",
        "Daftar kepercayaan melanggar aturan format.";
    /// The trust list is older than the one installed (lower sequence, or the same with
    /// other content).
    TrustListRollback => "bundle_trust_list_rollback",
        "The bundle's trust list is older than the one installed; the installed data stays in use.",
        "Daftar kepercayaan dalam bundel lebih lama daripada yang terpasang; data terpasang tetap dipakai.";
    /// The policy already holds the trust list stale beyond its grace period.
    TrustListExpired => "bundle_trust_list_expired",
        "The bundle's trust list is already too old to be used.",
        "Daftar kepercayaan dalam bundel sudah terlalu lama untuk dipakai.";
    /// The trust list was issued more than the allowed clock skew in the future.
    TrustListNotYetValid => "bundle_trust_list_not_yet_valid",
        "The bundle's trust list is dated in the future; check the clock.",
        "Daftar kepercayaan dalam bundel bertanggal di masa depan; periksa jam.";
    /// The verified data could not be written to the cache.
    CacheWriteFailed => "bundle_write_failed",
        "The trust data could not be saved; the data in use is unchanged.",
        "Data kepercayaan tidak dapat disimpan; data yang dipakai tidak berubah.";
    /// The trust list names a status list the bundle does not hold; the one in use (if
    /// any) stays.
    StatusListMissing => "bundle_status_list_missing",
        "The bundle lacks a revocation list the trust list names; the one installed stays in use.",
        "Bundel tidak memuat daftar pencabutan yang disebut daftar kepercayaan; yang terpasang tetap dipakai.";
    /// The bundle holds a status list the trust list does not name; it is ignored.
    StatusListNotNamed => "bundle_status_list_not_named",
        "The bundle holds a revocation list the trust list does not name; it is ignored.",
        "Bundel memuat daftar pencabutan yang tidak disebut daftar kepercayaan; daftar itu diabaikan.";
    /// A status list does not verify (signature, format, `sub`, or issuer).
    StatusListInvalid => "bundle_status_list_invalid",
        "A revocation list in the bundle is not valid: changed, forged or misnamed; it is ignored.",
        "Sebuah daftar pencabutan dalam bundel tidak sah: diubah, dipalsukan atau salah nama; daftar itu diabaikan.";
    /// A status list is older than the one installed.
    StatusListRollback => "bundle_status_list_rollback",
        "A revocation list in the bundle is older than the one installed; the installed one stays in use.",
        "Sebuah daftar pencabutan dalam bundel lebih lama daripada yang terpasang; yang terpasang tetap dipakai.";
    /// The policy already holds a status list stale beyond its grace period.
    StatusListExpired => "bundle_status_list_expired",
        "A revocation list in the bundle is already too old to be used; it is ignored.",
        "Sebuah daftar pencabutan dalam bundel sudah terlalu lama untuk dipakai; daftar itu diabaikan.";
    /// A status list was issued more than the allowed clock skew in the future.
    StatusListNotYetValid => "bundle_status_list_not_yet_valid",
        "A revocation list in the bundle is dated in the future; it is ignored. Check the clock.",
        "Sebuah daftar pencabutan dalam bundel bertanggal di masa depan; daftar itu diabaikan. Periksa jam.";
}

impl fmt::Display for BundleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a bundle could not be built or read. Nothing is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BundleError {
    /// The bundle is larger than [`MAX_TRUST_BUNDLE_BYTES`].
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The bytes are not a bundle of the right shape (what is at fault).
    Malformed(String),
    /// The format identifier is another than [`BUNDLE_FORMAT`].
    UnknownFormat,
    /// The trust list does not verify.
    TrustList(TrustListError),
    /// A status list token given to the builder cannot be read (its position among the
    /// tokens given).
    StatusList {
        /// Which token, counted from 0.
        index: usize,
        /// Why.
        error: StatusListError,
    },
}

impl BundleError {
    /// The stable code.
    pub fn code(&self) -> BundleCode {
        match self {
            BundleError::TooLarge { .. } => BundleCode::BundleTooLarge,
            BundleError::Malformed(_) => BundleCode::BundleMalformed,
            BundleError::UnknownFormat => BundleCode::BundleFormatUnknown,
            BundleError::TrustList(e) => trust_list_code(e),
            BundleError::StatusList { .. } => BundleCode::StatusListInvalid,
        }
    }
}

/// The code of a trust list that does not verify.
pub fn trust_list_code(error: &TrustListError) -> BundleCode {
    match error {
        TrustListError::UnknownRoot => BundleCode::TrustListUnknownRoot,
        TrustListError::SignatureInvalid => BundleCode::TrustListSignatureInvalid,
        _ => BundleCode::TrustListInvalid,
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::TooLarge { len } => write!(
                f,
                "trust bundle of {len} bytes is larger than {MAX_TRUST_BUNDLE_BYTES}"
            ),
            BundleError::Malformed(what) => write!(f, "not a well-formed trust bundle: {what}"),
            BundleError::UnknownFormat => write!(f, "not a trust bundle of format {BUNDLE_FORMAT}"),
            BundleError::TrustList(e) => write!(f, "{e}"),
            BundleError::StatusList { index, error } => {
                write!(f, "status list token {index}: {error}")
            }
        }
    }
}

impl std::error::Error for BundleError {}

fn malformed(what: impl Into<String>) -> BundleError {
    BundleError::Malformed(what.into())
}

/// One status list token in a bundle, under the URI it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledStatusList {
    /// The list's URI; the token's `sub` must equal it.
    pub uri: String,
    /// The signed token, as published.
    pub token: Vec<u8>,
}

/// A trust bundle: a signed trust list and status list tokens, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustBundle {
    trust_list: Vec<u8>,
    status_lists: Vec<BundledStatusList>,
}

impl TrustBundle {
    /// A bundle of the signed trust list `trust_list` alone (at most
    /// [`MAX_TRUST_LIST_BYTES`]).
    pub fn new(trust_list: Vec<u8>) -> Result<Self, BundleError> {
        if trust_list.len() > MAX_TRUST_LIST_BYTES {
            return Err(BundleError::TrustList(TrustListError::TooLarge {
                len: trust_list.len(),
            }));
        }
        Ok(TrustBundle {
            trust_list,
            status_lists: Vec::new(),
        })
    }

    /// Adds a signed status list token under the URI its `sub` claim names. The token's
    /// signature is not checked here ([`TrustBundle::verify`] does); a token that cannot be
    /// read, a second token for the same URI, and more than [`MAX_BUNDLE_STATUS_LISTS`]
    /// tokens are refused.
    pub fn add_status_list(&mut self, token: Vec<u8>) -> Result<(), BundleError> {
        let index = self.status_lists.len();
        if index >= MAX_BUNDLE_STATUS_LISTS {
            return Err(malformed("too many status lists"));
        }
        let claims = StatusListClaims::decode_unverified(&token)
            .map_err(|error| BundleError::StatusList { index, error })?;
        if self.status_lists.iter().any(|s| s.uri == claims.uri) {
            return Err(malformed(format!("two status lists for {}", claims.uri)));
        }
        self.status_lists.push(BundledStatusList {
            uri: claims.uri,
            token,
        });
        Ok(())
    }

    /// The signed trust list.
    pub fn trust_list(&self) -> &[u8] {
        &self.trust_list
    }

    /// The status list tokens.
    pub fn status_lists(&self) -> &[BundledStatusList] {
        &self.status_lists
    }

    /// The bundle's bytes (deterministic CBOR, `ikd.cddl` rule `ikd-trust-bundle`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let int = Value::from;
        let mut map = vec![
            (int(key::FORMAT), Value::from(BUNDLE_FORMAT)),
            (int(key::TRUST_LIST), Value::Bytes(self.trust_list.clone())),
        ];
        if !self.status_lists.is_empty() {
            let items = self
                .status_lists
                .iter()
                .map(|s| {
                    Value::Map(vec![
                        (int(key::S_URI), Value::from(s.uri.as_str())),
                        (int(key::S_TOKEN), Value::Bytes(s.token.clone())),
                    ])
                })
                .collect();
            map.push((int(key::STATUS_LISTS), Value::Array(items)));
        }
        cbor::encode(&Value::Map(map))
    }

    /// Reads a bundle strictly: at most [`MAX_TRUST_BUNDLE_BYTES`], strict deterministic
    /// CBOR, the format identifier first, exactly the keys of the format, each part within
    /// its own size limit, no URI twice. Signatures are not checked here.
    pub fn decode(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_TRUST_BUNDLE_BYTES {
            return Err(BundleError::TooLarge { len: bytes.len() });
        }
        let item = cbor::decode_with(bytes, RULES).map_err(|r| malformed(format!("CBOR: {r}")))?;
        let map = item.as_map().ok_or_else(|| malformed("not a map"))?;
        // The format is checked before anything else, so that a later format is told apart
        // from a broken file.
        let format = map
            .iter()
            .find(|(k, _)| k.as_i64() == Some(key::FORMAT))
            .and_then(|(_, v)| v.as_text())
            .ok_or_else(|| malformed("format"))?;
        if format != BUNDLE_FORMAT {
            return Err(BundleError::UnknownFormat);
        }
        let mut trust_list = None;
        let mut status_lists = Vec::new();
        for (k, v) in map {
            match k.as_i64() {
                Some(key::FORMAT) => {}
                Some(key::TRUST_LIST) => {
                    let bytes = v.as_bytes().ok_or_else(|| malformed("trust_list"))?;
                    if bytes.len() > MAX_TRUST_LIST_BYTES {
                        return Err(malformed("trust_list: too large"));
                    }
                    trust_list = Some(bytes.to_vec());
                }
                Some(key::STATUS_LISTS) => {
                    let items = v
                        .as_array()
                        .filter(|items| !items.is_empty())
                        .ok_or_else(|| malformed("status_lists"))?;
                    for (i, item) in items.iter().enumerate() {
                        let entry = status_entry(i, item)?;
                        if status_lists
                            .iter()
                            .any(|s: &BundledStatusList| s.uri == entry.uri)
                        {
                            return Err(malformed(format!("status_lists[{i}].uri (repeated)")));
                        }
                        status_lists.push(entry);
                    }
                }
                _ => return Err(malformed("unknown key")),
            }
        }
        Ok(TrustBundle {
            trust_list: trust_list.ok_or_else(|| malformed("trust_list"))?,
            status_lists,
        })
    }

    /// Verifies the parts against the root keys `roots` (the pinned roots and any accepted
    /// successors): the trust list must verify, or the bundle is refused; each status list
    /// named by it is verified against its keys and kept if it passes, or left out with a
    /// code ([`VerifiedBundle::status_lists`]).
    ///
    /// Neither rollback nor freshness is checked here: they depend on the data installed
    /// before and on the time, and the disk cache applies them on import. A caller holding
    /// its own state compares [`VerifiedBundle::trust_list`]'s sequence with it; and
    /// `verify` rejects credentials checked against stale trust data in any case.
    pub fn verify(&self, roots: &[IssuerPublicKey]) -> Result<VerifiedBundle, BundleError> {
        let list =
            VerifiedTrustList::verify(&self.trust_list, roots).map_err(BundleError::TrustList)?;
        let mut store = list.to_trust_store();
        let mut outcomes = Vec::new();
        for reference in &list.list().status_lists {
            let Some(part) = self.status_lists.iter().find(|s| s.uri == reference.uri) else {
                outcomes.push((reference.uri.clone(), Err(BundleCode::StatusListMissing)));
                continue;
            };
            let checked = StatusListToken::verify(&part.token, &store)
                .ok()
                .filter(|t| t.uri() == reference.uri && t.issuer() == reference.issuer);
            match checked {
                Some(token) => {
                    store.add_status_list(Arc::new(token));
                    outcomes.push((reference.uri.clone(), Ok(())));
                }
                None => outcomes.push((reference.uri.clone(), Err(BundleCode::StatusListInvalid))),
            }
        }
        for part in &self.status_lists {
            if !list.list().status_lists.iter().any(|r| r.uri == part.uri) {
                outcomes.push((part.uri.clone(), Err(BundleCode::StatusListNotNamed)));
            }
        }
        Ok(VerifiedBundle {
            list,
            store,
            status_lists: outcomes,
        })
    }
}

fn status_entry(index: usize, item: &Item<'_>) -> Result<BundledStatusList, BundleError> {
    let at = |what: &str| malformed(format!("status_lists[{index}].{what}"));
    let map = item.as_map().ok_or_else(|| at("(not a map)"))?;
    let (mut uri, mut token) = (None, None);
    for (k, v) in map {
        match k.as_i64() {
            Some(key::S_URI) => uri = Some(v.as_text().ok_or_else(|| at("uri"))?),
            Some(key::S_TOKEN) => {
                let bytes = v.as_bytes().ok_or_else(|| at("token"))?;
                if bytes.len() > MAX_STATUS_LIST_TOKEN_BYTES {
                    return Err(at("token (too large)"));
                }
                token = Some(bytes);
            }
            _ => return Err(at("(unknown key)")),
        }
    }
    let uri = uri.ok_or_else(|| at("uri"))?;
    if !crate::model::claims::is_status_uri(uri) {
        return Err(at("uri"));
    }
    Ok(BundledStatusList {
        uri: uri.to_owned(),
        token: token.ok_or_else(|| at("token"))?.to_vec(),
    })
}

/// A bundle whose trust list verified, with the status lists that verified against it.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    list: VerifiedTrustList,
    store: TrustStore,
    status_lists: Vec<(String, Result<(), BundleCode>)>,
}

impl VerifiedBundle {
    /// The verified trust list.
    pub fn trust_list(&self) -> &VerifiedTrustList {
        &self.list
    }

    /// The trust data: the list's keys and the status lists that verified. Ready for
    /// [`crate::verify()`].
    pub fn store(&self) -> &TrustStore {
        &self.store
    }

    /// Takes the trust data.
    pub fn into_store(self) -> TrustStore {
        self.store
    }

    /// Each status list the trust list names, then each the bundle holds but the list does
    /// not name: `Ok` if it verified and is in [`VerifiedBundle::store`], else why not
    /// (`bundle_status_list_missing`, `bundle_status_list_invalid`, `bundle_status_list_not_named`).
    pub fn status_lists(&self) -> &[(String, Result<(), BundleCode>)] {
        &self.status_lists
    }

    /// Whether every status list the trust list names verified and none is extra.
    pub fn is_complete(&self) -> bool {
        self.status_lists.iter().all(|(_, r)| r.is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::DocTypeSet;
    use crate::model::time::UnixTime;
    use crate::trust::status_list::{StatusList, StatusListIssue, sign_status_list};
    use crate::trust::store::{KeyStatus, TrustEntry, TrustedKey};
    use crate::trust::trust_list::{StatusListRef, TrustList};
    use crate::wire::crypto::IssuerSigningKey;

    const URI_A: &str = "https://ikd.example/status/3273/1";
    const URI_B: &str = "https://ikd.example/status/3273/2";

    fn issuer() -> IssuerSigningKey {
        IssuerSigningKey::from_seed(&[1; 32])
    }

    fn root() -> IssuerSigningKey {
        IssuerSigningKey::from_seed(&[0x44; 32])
    }

    fn signed_list() -> Vec<u8> {
        let reference = |uri: &str, file: &str| StatusListRef {
            uri: uri.into(),
            file: file.into(),
            issuer: "ID-DUKCAPIL-3273".into(),
        };
        TrustList {
            sequence: 3,
            issued_at: UnixTime(1_790_000_000),
            next_update: UnixTime(1_790_604_800),
            entries: vec![TrustEntry {
                key: TrustedKey {
                    issuer: "ID-DUKCAPIL-3273".into(),
                    name: "Disdukcapil Kota Bandung".into(),
                    key: issuer().public_key(),
                    valid_from: UnixTime(1_735_689_600),
                    valid_until: UnixTime(1_830_297_599),
                    doc_types: DocTypeSet::all(),
                },
                status: KeyStatus::Active,
                region_code: Some(3273),
            }],
            status_lists: vec![reference(URI_A, "a.cwt"), reference(URI_B, "b.cwt")],
            successor_roots: Vec::new(),
        }
        .sign(&root())
        .unwrap()
    }

    fn token(uri: &str, key: &IssuerSigningKey) -> Vec<u8> {
        let issue = StatusListIssue {
            issuer: "ID-DUKCAPIL-3273",
            uri,
            issued_at: UnixTime(1_790_000_000),
            expires_at: None,
            ttl_seconds: None,
        };
        sign_status_list(key, &issue, &StatusList::new(1, 64).unwrap()).unwrap()
    }

    fn full() -> TrustBundle {
        let mut bundle = TrustBundle::new(signed_list()).unwrap();
        bundle.add_status_list(token(URI_A, &issuer())).unwrap();
        bundle.add_status_list(token(URI_B, &issuer())).unwrap();
        bundle
    }

    #[test]
    fn round_trip_and_verify() {
        let bundle = full();
        let bytes = bundle.to_bytes();
        let read = TrustBundle::decode(&bytes).unwrap();
        assert_eq!(read, bundle);
        let verified = read.verify(&[root().public_key()]).unwrap();
        assert!(verified.is_complete());
        assert_eq!(verified.trust_list().list().sequence, 3);
        assert_eq!(verified.store().status_lists().count(), 2);
    }

    #[test]
    fn partial_bundle_keeps_what_verifies() {
        let mut bundle = TrustBundle::new(signed_list()).unwrap();
        // B signed by a key the trust list does not hold; A absent; C not named.
        bundle
            .add_status_list(token(URI_B, &IssuerSigningKey::from_seed(&[9; 32])))
            .unwrap();
        bundle
            .add_status_list(token("https://ikd.example/status/other", &issuer()))
            .unwrap();
        let verified = bundle.verify(&[root().public_key()]).unwrap();
        assert!(!verified.is_complete());
        let codes: Vec<(&str, Option<&str>)> = verified
            .status_lists()
            .iter()
            .map(|(uri, r)| (uri.as_str(), r.err().map(BundleCode::code)))
            .collect();
        assert_eq!(
            codes,
            [
                (URI_A, Some("bundle_status_list_missing")),
                (URI_B, Some("bundle_status_list_invalid")),
                (
                    "https://ikd.example/status/other",
                    Some("bundle_status_list_not_named")
                ),
            ]
        );
        assert_eq!(verified.store().status_lists().count(), 0);
        assert_eq!(verified.store().len(), 1);
    }

    #[test]
    fn tampered_or_foreign_bundles_are_refused_with_codes() {
        let bytes = full().to_bytes();
        // Flip one byte of the trust list's signature, inside the bundle.
        let list = signed_list();
        let at = bytes
            .windows(list.len())
            .position(|w| w == list.as_slice())
            .unwrap()
            + list.len()
            - 1;
        let mut tampered = bytes.clone();
        tampered[at] ^= 1;
        let read = TrustBundle::decode(&tampered).unwrap();
        let err = read.verify(&[root().public_key()]).unwrap_err();
        assert_eq!(err.code(), BundleCode::TrustListSignatureInvalid);
        assert!(err.code().refuses_bundle());

        let other = IssuerSigningKey::from_seed(&[0x66; 32]).public_key();
        let err = TrustBundle::decode(&bytes)
            .unwrap()
            .verify(&[other])
            .unwrap_err();
        assert_eq!(err.code().code(), "bundle_trust_list_unknown_root");
    }

    #[test]
    fn strict_decoding() {
        let code = |bytes: &[u8]| TrustBundle::decode(bytes).unwrap_err().code().code();
        assert_eq!(code(&[0xFF]), "bundle_malformed");
        assert_eq!(
            code(&vec![0; MAX_TRUST_BUNDLE_BYTES + 1]),
            "bundle_too_large"
        );
        let int = Value::from;
        let encode = |entries: Vec<(Value, Value)>| cbor::encode(&Value::Map(entries));
        let list = Value::Bytes(signed_list());
        assert_eq!(
            code(&encode(vec![
                (int(1), Value::from("ikd-trust-bundle/2")),
                (int(2), list.clone())
            ])),
            "bundle_format_unknown"
        );
        assert_eq!(
            code(&encode(vec![(int(1), Value::from(BUNDLE_FORMAT))])),
            "bundle_malformed"
        );
        assert_eq!(
            code(&encode(vec![
                (int(1), Value::from(BUNDLE_FORMAT)),
                (int(2), list.clone()),
                (int(9), int(0))
            ])),
            "bundle_malformed"
        );
        let entry = |uri: &str| {
            Value::Map(vec![
                (int(1), Value::from(uri)),
                (int(2), Value::Bytes(token(uri, &issuer()))),
            ])
        };
        assert_eq!(
            code(&encode(vec![
                (int(1), Value::from(BUNDLE_FORMAT)),
                (int(2), list.clone()),
                (int(3), Value::Array(vec![entry(URI_A), entry(URI_A)]))
            ])),
            "bundle_malformed"
        );
        assert_eq!(
            code(&encode(vec![
                (int(1), Value::from(BUNDLE_FORMAT)),
                (int(2), list.clone()),
                (int(3), Value::Array(Vec::new()))
            ])),
            "bundle_malformed"
        );
        // A token whose sub is not the URI it is bundled under is not verified for it.
        let mut swapped = full();
        swapped.status_lists[0].token = token(URI_B, &issuer());
        let verified = TrustBundle::decode(&swapped.to_bytes())
            .unwrap()
            .verify(&[root().public_key()])
            .unwrap();
        assert_eq!(
            verified.status_lists()[0].1,
            Err(BundleCode::StatusListInvalid)
        );
        // Keys out of order are not deterministic CBOR.
        let unsorted = encode(vec![(int(2), list), (int(1), Value::from(BUNDLE_FORMAT))]);
        assert_eq!(code(&unsorted), "bundle_malformed");
    }

    #[test]
    fn builder_refusals() {
        let mut bundle = TrustBundle::new(signed_list()).unwrap();
        bundle.add_status_list(token(URI_A, &issuer())).unwrap();
        assert_eq!(
            bundle
                .add_status_list(token(URI_A, &issuer()))
                .unwrap_err()
                .code(),
            BundleCode::BundleMalformed
        );
        assert!(matches!(
            bundle.add_status_list(vec![1, 2, 3]),
            Err(BundleError::StatusList { index: 1, .. })
        ));
        assert_eq!(
            TrustBundle::new(vec![0; MAX_TRUST_LIST_BYTES + 1])
                .unwrap_err()
                .code(),
            BundleCode::TrustListInvalid
        );
        let codes: Vec<&str> = BundleCode::ALL.iter().map(|c| c.code()).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }
}
