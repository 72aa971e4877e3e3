//! Token Status Lists (draft-ietf-oauth-status-list): the compressed array of credential
//! statuses an issuer publishes, and the signed CWT that carries it.
//!
//! A credential's `status` claim names a list by URI and an index into it. The list holds
//! 1, 2, 4 or 8 bits per credential (entry `i` sits in byte `i·b/8` at bit offset
//! `i·b mod 8`, least significant bits first), zlib-compressed in the `lst` member of the
//! StatusList map `{"bits": b, "lst": bytes}`. The token is a COSE_Sign1 whose `typ` is
//! `application/statuslist+cwt`, signed by an issuer key of the trust store, with the
//! claims `sub` (the list's URI), `iat`, optionally `exp`, `iss` and `ttl` (65534), and the
//! list itself (65533).
//!
//! Status values: 0 VALID, 1 INVALID (revoked), 2 SUSPENDED. A verifier treats every other
//! non-zero value as revoked.
//!
//! The draft does not ask for deterministic CBOR, so the claims and the StatusList map are
//! read in any key order (every other strict-CBOR rule applies); the signature covers the
//! bytes as received.

use crate::codes::Reason;
use crate::model::claims::is_status_uri;
use crate::model::time::UnixTime;
use crate::wire::cbor::{self, Item, Rules};
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{IssuerSigningKey, Kid};
use crate::wire::inflate::InflateError;
use crate::wire::limits::{
    MAX_CBOR_CONTAINER_ITEMS, MAX_CBOR_DEPTH, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE,
    MAX_STATUS_LIST_BYTES, MAX_STATUS_LIST_TOKEN_BYTES,
};
use crate::wire::transport::inflate_zlib_large;
use ciborium::Value;
use core::fmt;

/// Status VALID.
pub const VALID: u8 = 0;
/// Status INVALID: the credential is revoked for good.
pub const INVALID: u8 = 1;
/// Status SUSPENDED: the credential is revoked for now (2-bit and wider lists).
pub const SUSPENDED: u8 = 2;

/// CWT claim keys of a status list token.
mod key {
    pub const ISS: i64 = 1;
    pub const SUB: i64 = 2;
    pub const EXP: i64 = 4;
    pub const IAT: i64 = 6;
    pub const STATUS_LIST: i64 = 65_533;
    pub const TTL: i64 = 65_534;
}

/// How the claims and the StatusList map are decoded: strict, but keys in any order.
const RULES: Rules = Rules {
    max_items: MAX_CBOR_CONTAINER_ITEMS,
    max_depth: MAX_CBOR_DEPTH,
    sorted_keys: false,
};

/// Why a status list or its token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusListError {
    /// The token is larger than [`MAX_STATUS_LIST_TOKEN_BYTES`].
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The COSE envelope or its header breaks the format's rules (the reason says which).
    Envelope(Reason),
    /// No trusted key has the token's `kid`.
    KeyUnknown,
    /// No trusted key with that `kid` verifies the signature.
    SignatureInvalid,
    /// The signing key is marked compromised.
    KeyCompromised,
    /// No entry of the signing key belongs to the token's `iss` and has a validity window
    /// holding its `iat`.
    KeyNotValid,
    /// A claim is missing, malformed or unknown (the claim's name, or `payload`).
    Claims(&'static str),
    /// The StatusList map is malformed (the member at fault: `bits`, `lst`, `unknown`).
    List(&'static str),
    /// The list inflates beyond [`MAX_STATUS_LIST_BYTES`].
    ListTooLarge,
    /// A status does not fit the list's width, or an index lies beyond its end.
    OutOfRange,
}

impl fmt::Display for StatusListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusListError::TooLarge { len } => write!(
                f,
                "status list token of {len} bytes is larger than {MAX_STATUS_LIST_TOKEN_BYTES}"
            ),
            StatusListError::Envelope(reason) => write!(f, "status list token: {reason}"),
            StatusListError::KeyUnknown => f.write_str("status list signed by an unknown key"),
            StatusListError::SignatureInvalid => f.write_str("status list signature is not valid"),
            StatusListError::KeyCompromised => {
                f.write_str("status list signed by a compromised key")
            }
            StatusListError::KeyNotValid => f.write_str(
                "no entry of the signing key names this issuer with a window holding iat",
            ),
            StatusListError::Claims(claim) => write!(f, "status list claim {claim} is malformed"),
            StatusListError::List(member) => {
                write!(f, "status list member {member} is malformed")
            }
            StatusListError::ListTooLarge => write!(
                f,
                "status list inflates beyond {MAX_STATUS_LIST_BYTES} bytes"
            ),
            StatusListError::OutOfRange => f.write_str("status or index out of range"),
        }
    }
}

impl std::error::Error for StatusListError {}

/// A status list: `len` entries of 1, 2, 4 or 8 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusList({} bits, {} entries)", self.bits, self.len())
    }
}

impl StatusList {
    /// A list of at least `len` entries of `bits` bits, all VALID. The length is rounded up
    /// to whole bytes, as the encoding carries bytes.
    pub fn new(bits: u8, len: u64) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        let byte_len = len
            .checked_mul(u64::from(bits))
            .map(|n| n.div_ceil(8))
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n > 0 && n <= MAX_STATUS_LIST_BYTES)
            .ok_or(StatusListError::ListTooLarge)?;
        Ok(StatusList {
            bits,
            bytes: vec![0; byte_len],
        })
    }

    /// A list over raw bytes (as after inflating `lst`).
    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        if bytes.is_empty() {
            return Err(StatusListError::List("lst"));
        }
        if bytes.len() > MAX_STATUS_LIST_BYTES {
            return Err(StatusListError::ListTooLarge);
        }
        Ok(StatusList { bits, bytes })
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        (self.bytes.len() as u64) * 8 / u64::from(self.bits)
    }

    /// Whether the list has no entry (never true for a decoded list).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The raw (uncompressed) bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn position(&self, index: u64) -> Option<(usize, u32)> {
        let bit = index.checked_mul(u64::from(self.bits))?;
        let byte = usize::try_from(bit / 8).ok()?;
        (byte < self.bytes.len()).then_some((byte, (bit % 8) as u32))
    }

    /// The status of entry `index`, or `None` past the end.
    pub fn get(&self, index: u64) -> Option<u8> {
        let (byte, shift) = self.position(index)?;
        let mask = (1u16 << self.bits) - 1;
        let value = u16::from(*self.bytes.get(byte)?) >> shift;
        Some((value & mask) as u8)
    }

    /// Sets the status of entry `index`.
    pub fn set(&mut self, index: u64, status: u8) -> Result<(), StatusListError> {
        let mask = ((1u16 << self.bits) - 1) as u8;
        if status & !mask != 0 {
            return Err(StatusListError::OutOfRange);
        }
        let (byte, shift) = self.position(index).ok_or(StatusListError::OutOfRange)?;
        let slot = self
            .bytes
            .get_mut(byte)
            .ok_or(StatusListError::OutOfRange)?;
        *slot = (*slot & !(mask << shift)) | (status << shift);
        Ok(())
    }

    /// Decodes the StatusList CBOR map `{"bits": b, "lst": zlib bytes}` (an optional
    /// `aggregation_uri` text member is allowed and ignored).
    pub fn decode_cbor(bytes: &[u8]) -> Result<Self, StatusListError> {
        let item = cbor::decode_with(bytes, RULES).map_err(|_| StatusListError::List("map"))?;
        Self::from_item(&item)
    }

    fn from_item(item: &Item<'_>) -> Result<Self, StatusListError> {
        let entries = item.as_map().ok_or(StatusListError::List("map"))?;
        let (mut bits, mut lst) = (None, None);
        for (k, v) in entries {
            match k.as_text() {
                Some("bits") => {
                    bits = Some(
                        v.as_u64()
                            .and_then(|b| u8::try_from(b).ok())
                            .ok_or(StatusListError::List("bits"))?,
                    );
                }
                Some("lst") => lst = Some(v.as_bytes().ok_or(StatusListError::List("lst"))?),
                Some("aggregation_uri") if v.as_text().is_some() => {}
                _ => return Err(StatusListError::List("unknown")),
            }
        }
        let bits = bits.ok_or(StatusListError::List("bits"))?;
        check_bits(bits)?;
        let compressed = lst.ok_or(StatusListError::List("lst"))?;
        let bytes = inflate_zlib_large(compressed, MAX_STATUS_LIST_BYTES).map_err(|e| match e {
            InflateError::LimitExceeded => StatusListError::ListTooLarge,
            InflateError::Invalid => StatusListError::List("lst"),
        })?;
        Self::from_bytes(bits, bytes)
    }

    /// The StatusList map, in deterministic key order (`lst`, then `bits`), with the list
    /// compressed at zlib level 9.
    pub fn to_cbor(&self) -> Vec<u8> {
        cbor::encode(&self.to_value())
    }

    fn to_value(&self) -> Value {
        Value::Map(vec![
            (
                Value::from("lst"),
                Value::Bytes(miniz_oxide::deflate::compress_to_vec_zlib(&self.bytes, 9)),
            ),
            (Value::from("bits"), Value::from(self.bits)),
        ])
    }
}

fn check_bits(bits: u8) -> Result<(), StatusListError> {
    if matches!(bits, 1 | 2 | 4 | 8) {
        Ok(())
    } else {
        Err(StatusListError::List("bits"))
    }
}

/// The claims of a status list token, decoded but not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListClaims {
    /// `iss`, if present.
    pub issuer: Option<String>,
    /// `sub`: the list's URI.
    pub uri: String,
    /// `iat`.
    pub issued_at: UnixTime,
    /// `exp`, if present.
    pub expires_at: Option<UnixTime>,
    /// `ttl` (claim 65534): how long a verifier may cache the list, in seconds.
    pub ttl_seconds: Option<u64>,
    /// The list.
    pub list: StatusList,
}

impl StatusListClaims {
    /// Decodes the claims of a status list token's payload (not its signature): `sub`,
    /// `iat`, the status list (65533) required; `iss`, `exp`, `ttl` (65534) optional; any
    /// other claim refused.
    pub fn decode(payload: &[u8]) -> Result<Self, StatusListError> {
        let item =
            cbor::decode_with(payload, RULES).map_err(|_| StatusListError::Claims("payload"))?;
        let entries = item.as_map().ok_or(StatusListError::Claims("payload"))?;
        let (mut iss, mut sub, mut iat, mut exp, mut ttl, mut list) =
            (None, None, None, None, None, None);
        for (k, v) in entries {
            let time = |claim| {
                v.as_i64()
                    .filter(|t| (0..=MAX_NUMERIC_DATE).contains(t))
                    .map(UnixTime)
                    .ok_or(StatusListError::Claims(claim))
            };
            match k.as_i64() {
                Some(key::ISS) => {
                    iss = Some(
                        v.as_text()
                            .filter(|t| !t.is_empty() && t.len() <= MAX_ISSUER_ID_LEN)
                            .ok_or(StatusListError::Claims("iss"))?,
                    );
                }
                Some(key::SUB) => {
                    sub = Some(
                        v.as_text()
                            .filter(|t| is_status_uri(t))
                            .ok_or(StatusListError::Claims("sub"))?,
                    );
                }
                Some(key::EXP) => exp = Some(time("exp")?),
                Some(key::IAT) => iat = Some(time("iat")?),
                Some(key::TTL) => {
                    ttl = Some(
                        v.as_u64()
                            .filter(|&t| t > 0)
                            .ok_or(StatusListError::Claims("ttl"))?,
                    );
                }
                Some(key::STATUS_LIST) => list = Some(StatusList::from_item(v)?),
                _ => return Err(StatusListError::Claims("unknown")),
            }
        }
        let uri = sub.ok_or(StatusListError::Claims("sub"))?;
        let issued_at = iat.ok_or(StatusListError::Claims("iat"))?;
        if exp.is_some_and(|exp| exp < issued_at) {
            return Err(StatusListError::Claims("exp"));
        }
        Ok(StatusListClaims {
            issuer: iss.map(str::to_owned),
            uri: uri.to_owned(),
            issued_at,
            expires_at: exp,
            ttl_seconds: ttl,
            list: list.ok_or(StatusListError::Claims("status_list"))?,
        })
    }

    /// Decodes a token's claims WITHOUT checking its header or signature (for inspecting
    /// tokens of other profiles, such as the draft's ES256 examples). Never trust the
    /// result.
    pub fn decode_unverified(token: &[u8]) -> Result<Self, StatusListError> {
        if token.len() > MAX_STATUS_LIST_TOKEN_BYTES {
            return Err(StatusListError::TooLarge { len: token.len() });
        }
        let message = cose::parse(token).map_err(StatusListError::Envelope)?;
        Self::decode(message.payload())
    }
}

/// A verified status list token: signed by a key of the trust store, for the issuer and
/// URI it names.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusListToken {
    claims: StatusListClaims,
    issuer: String,
    kid: Kid,
    digest: [u8; 32],
}

impl fmt::Debug for StatusListToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusListToken")
            .field("uri", &self.claims.uri)
            .field("issuer", &self.issuer)
            .field("kid", &self.kid)
            .field("issued_at", &self.claims.issued_at)
            .field("expires_at", &self.claims.expires_at)
            .field("list", &self.claims.list)
            .finish()
    }
}

impl StatusListToken {
    /// A token whose signature [`StatusListToken::verify`] checked.
    pub(super) fn from_verified(
        claims: StatusListClaims,
        issuer: String,
        kid: Kid,
        digest: [u8; 32],
    ) -> Self {
        StatusListToken {
            claims,
            issuer,
            kid,
            digest,
        }
    }

    /// The list's URI (`sub`).
    pub fn uri(&self) -> &str {
        &self.claims.uri
    }

    /// The issuer identifier of the entry whose key signed it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The signing key's identifier.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// `iat`.
    pub fn issued_at(&self) -> UnixTime {
        self.claims.issued_at
    }

    /// `exp`, if the token has one.
    pub fn expires_at(&self) -> Option<UnixTime> {
        self.claims.expires_at
    }

    /// `ttl`, if the token has one.
    pub fn ttl_seconds(&self) -> Option<u64> {
        self.claims.ttl_seconds
    }

    /// The list.
    pub fn list(&self) -> &StatusList {
        &self.claims.list
    }

    /// SHA-256 of the token's bytes: two tokens with the same digest are the same token.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
}

/// What an issuer states when it signs a status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListIssue<'a> {
    /// The issuer identifier (written as `iss`).
    pub issuer: &'a str,
    /// The list's URI (`sub`); credentials name it in their `status` claim.
    pub uri: &'a str,
    /// `iat`.
    pub issued_at: UnixTime,
    /// `exp`.
    pub expires_at: Option<UnixTime>,
    /// `ttl`, in seconds.
    pub ttl_seconds: Option<u64>,
}

/// Signs `list` as a status list token with `key`.
pub fn sign_status_list(
    key: &IssuerSigningKey,
    issue: &StatusListIssue<'_>,
    list: &StatusList,
) -> Result<Vec<u8>, StatusListError> {
    if issue.issuer.is_empty() || issue.issuer.len() > MAX_ISSUER_ID_LEN {
        return Err(StatusListError::Claims("iss"));
    }
    if !is_status_uri(issue.uri) {
        return Err(StatusListError::Claims("sub"));
    }
    let in_range = |t: UnixTime| (0..=MAX_NUMERIC_DATE).contains(&t.0);
    if !in_range(issue.issued_at) {
        return Err(StatusListError::Claims("iat"));
    }
    if issue
        .expires_at
        .is_some_and(|exp| !in_range(exp) || exp < issue.issued_at)
    {
        return Err(StatusListError::Claims("exp"));
    }
    if issue.ttl_seconds == Some(0) {
        return Err(StatusListError::Claims("ttl"));
    }
    let mut entries = vec![
        (Value::from(key::ISS), Value::from(issue.issuer)),
        (Value::from(key::SUB), Value::from(issue.uri)),
    ];
    if let Some(exp) = issue.expires_at {
        entries.push((Value::from(key::EXP), Value::from(exp.0)));
    }
    entries.push((Value::from(key::IAT), Value::from(issue.issued_at.0)));
    entries.push((Value::from(key::STATUS_LIST), list.to_value()));
    if let Some(ttl) = issue.ttl_seconds {
        entries.push((Value::from(key::TTL), Value::from(ttl)));
    }
    let payload = cbor::encode(&Value::Map(entries));
    let token = cose::sign(payload, MessageType::StatusList, Some(key.kid()), |tbs| {
        key.sign(tbs).to_vec()
    });
    if token.len() > MAX_STATUS_LIST_TOKEN_BYTES {
        return Err(StatusListError::TooLarge { len: token.len() });
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::DocTypeSet;
    use crate::trust::store::{KeyStatus, TrustEntry, TrustStore, TrustedKey};

    const IAT: UnixTime = UnixTime(1_790_000_000);
    const URI: &str = "https://ikd.example/status/3273/1";

    fn entry(seed: u8, issuer: &str, status: KeyStatus) -> TrustEntry {
        TrustEntry {
            key: TrustedKey {
                issuer: issuer.into(),
                name: issuer.into(),
                key: IssuerSigningKey::from_seed(&[seed; 32]).public_key(),
                valid_from: UnixTime(1_700_000_000),
                valid_until: UnixTime(1_900_000_000),
                doc_types: DocTypeSet::all(),
            },
            status,
            region_code: None,
        }
    }

    fn token(seed: u8, issuer: &str, issued_at: UnixTime) -> Vec<u8> {
        let mut list = StatusList::new(2, 64).unwrap();
        list.set(3, INVALID).unwrap();
        list.set(4, SUSPENDED).unwrap();
        let issue = StatusListIssue {
            issuer,
            uri: URI,
            issued_at,
            expires_at: Some(UnixTime(issued_at.0 + 86_400)),
            ttl_seconds: Some(3600),
        };
        sign_status_list(&IssuerSigningKey::from_seed(&[seed; 32]), &issue, &list).unwrap()
    }

    #[test]
    fn get_and_set_follow_the_drafts_bit_order() {
        // The draft's small examples: 1-bit b9a3 and 2-bit c944f9.
        let one = StatusList::from_bytes(1, vec![0xB9, 0xA3]).unwrap();
        let expected_one = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
        for (i, want) in expected_one.iter().enumerate() {
            assert_eq!(one.get(i as u64), Some(*want), "1-bit index {i}");
        }
        assert_eq!(one.get(16), None);
        let two = StatusList::from_bytes(2, vec![0xC9, 0x44, 0xF9]).unwrap();
        let expected_two = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
        for (i, want) in expected_two.iter().enumerate() {
            assert_eq!(two.get(i as u64), Some(*want), "2-bit index {i}");
        }
        let mut built = StatusList::new(2, 12).unwrap();
        for (i, status) in expected_two.iter().enumerate() {
            built.set(i as u64, *status).unwrap();
        }
        assert_eq!(built.as_bytes(), two.as_bytes());
        assert_eq!(built.set(0, 4), Err(StatusListError::OutOfRange));
        assert_eq!(built.set(12, 1), Err(StatusListError::OutOfRange));
        assert_eq!(built.get(u64::MAX), None);
        assert_eq!(
            StatusList::new(3, 8).unwrap_err(),
            StatusListError::List("bits")
        );
        assert_eq!(
            StatusList::new(1, u64::MAX).unwrap_err(),
            StatusListError::ListTooLarge
        );
    }

    #[test]
    fn the_cbor_map_round_trips_and_is_bounded() {
        let mut list = StatusList::new(1, 1 << 20).unwrap();
        list.set(1993, INVALID).unwrap();
        let back = StatusList::decode_cbor(&list.to_cbor()).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.get(1993), Some(1));
        // A zlib bomb: 5 MiB of zeros compresses to a few KiB.
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; 5 << 20], 9);
        let map = Value::Map(vec![
            (Value::from("bits"), Value::from(1)),
            (Value::from("lst"), Value::Bytes(bomb)),
        ]);
        assert_eq!(
            StatusList::decode_cbor(&cbor::encode(&map)),
            Err(StatusListError::ListTooLarge)
        );
        let not_zlib = Value::Map(vec![
            (Value::from("bits"), Value::from(1)),
            (Value::from("lst"), Value::Bytes(vec![1, 2, 3])),
        ]);
        assert_eq!(
            StatusList::decode_cbor(&cbor::encode(&not_zlib)),
            Err(StatusListError::List("lst"))
        );
    }

    #[test]
    fn tokens_verify_against_the_trust_store() {
        let mut trust = TrustStore::new();
        trust.add_entry(entry(1, "ID-3273", KeyStatus::Active));
        let bytes = token(1, "ID-3273", IAT);
        let verified = StatusListToken::verify(&bytes, &trust).unwrap();
        assert_eq!(verified.uri(), URI);
        assert_eq!(verified.issuer(), "ID-3273");
        assert_eq!(verified.list().get(3), Some(INVALID));
        assert_eq!(verified.list().get(4), Some(SUSPENDED));
        assert_eq!(verified.ttl_seconds(), Some(3600));

        // Unknown key, wrong signature, compromised key, iss of another issuer, iat
        // outside the key's window.
        assert_eq!(
            StatusListToken::verify(&token(2, "ID-3273", IAT), &trust),
            Err(StatusListError::KeyUnknown)
        );
        let mut tampered = bytes.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(
            StatusListToken::verify(&tampered, &trust),
            Err(StatusListError::SignatureInvalid)
        );
        let mut compromised = TrustStore::new();
        compromised.add_entry(entry(1, "ID-3273", KeyStatus::Compromised));
        assert_eq!(
            StatusListToken::verify(&bytes, &compromised),
            Err(StatusListError::KeyCompromised)
        );
        assert_eq!(
            StatusListToken::verify(&token(1, "ID-OTHER", IAT), &trust),
            Err(StatusListError::KeyNotValid)
        );
        assert_eq!(
            StatusListToken::verify(&token(1, "ID-3273", UnixTime(1_950_000_000)), &trust),
            Err(StatusListError::KeyNotValid)
        );
        // A credential is not a status list.
        let credential = cose::sign(
            vec![0xA0],
            MessageType::Credential,
            Some(trust.keys().next().unwrap().kid()),
            |_| vec![0; 64],
        );
        assert_eq!(
            StatusListToken::verify(&credential, &trust),
            Err(StatusListError::Envelope(Reason::TypMismatch))
        );
        assert!(matches!(
            StatusListToken::verify(&vec![0; MAX_STATUS_LIST_TOKEN_BYTES + 1], &trust),
            Err(StatusListError::TooLarge { .. })
        ));
    }

    #[test]
    fn claims_are_checked() {
        let list = StatusList::new(1, 8).unwrap();
        let claims = |entries: Vec<(Value, Value)>| {
            StatusListClaims::decode(&cbor::encode(&Value::Map(entries)))
        };
        let sub = (Value::from(key::SUB), Value::from(URI));
        let iat = (Value::from(key::IAT), Value::from(IAT.0));
        let lst = (Value::from(key::STATUS_LIST), list.to_value());
        assert!(claims(vec![sub.clone(), iat.clone(), lst.clone()]).is_ok());
        // Any key order is accepted.
        assert!(claims(vec![lst.clone(), iat.clone(), sub.clone()]).is_ok());
        assert_eq!(
            claims(vec![iat.clone(), lst.clone()]),
            Err(StatusListError::Claims("sub"))
        );
        assert_eq!(
            claims(vec![sub.clone(), lst.clone()]),
            Err(StatusListError::Claims("iat"))
        );
        assert_eq!(
            claims(vec![sub.clone(), iat.clone()]),
            Err(StatusListError::Claims("status_list"))
        );
        assert_eq!(
            claims(vec![
                sub.clone(),
                iat.clone(),
                lst.clone(),
                (Value::from(8), Value::from(0))
            ]),
            Err(StatusListError::Claims("unknown"))
        );
        assert_eq!(
            claims(vec![
                sub.clone(),
                iat.clone(),
                lst.clone(),
                (Value::from(key::EXP), Value::from(IAT.0 - 1))
            ]),
            Err(StatusListError::Claims("exp"))
        );
        assert_eq!(
            claims(vec![(Value::from(key::SUB), Value::from("")), iat, lst]),
            Err(StatusListError::Claims("sub"))
        );
    }
}
