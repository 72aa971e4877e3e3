//! Holder presentations (spec/format.md §Presentations): a credential that
//! carries the holder's device key (`cnf`) is shown wrapped in a short-lived COSE_Sign1
//! signed by that key, so that a screenshot or a photo of someone else's phone is useless
//! a minute later.
//!
//! A presentation's payload is the CBOR array
//! `[protected, claims, signature, iat, lifetime]`, followed by `nonce`, or by
//! `nonce / null, audience`: the credential's three signed parts (its tag and empty
//! unprotected header are implied), when the device signed, for how many seconds the
//! presentation is valid, and what the verifier asked for. An array of parts keeps the QR
//! code small: a bound purpose-profile presentation must fit a version 12 QR code.
//!
//! ```
//! use ikd_sdk::IssueOptions;
//! use ikd_sdk::{Challenge, Document, DocTypeSet, HolderAlg, HolderSigningKey, Issuer,
//!     IssuerSigningKey, Policy, TrustStore, TrustedKey, UnixTime, Validity, VerifyOptions,
//!     present, verify_with};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-3273")?;
//! let phone = HolderSigningKey::from_secret(HolderAlg::Es256, &[9; 32])?;
//! let ktp: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON)?;
//! let issued = UnixTime(1_790_000_000);
//! let options = IssueOptions { holder_key: Some(phone.public_key()), ..Default::default() };
//! let (credential, _) = issuer.issue(&ktp, Validity::for_seconds(issued, 86_400), &options)?;
//! let mut trust = TrustStore::new();
//! trust.add(TrustedKey {
//!     issuer: "ID-3273".into(),
//!     name: "Disdukcapil Kota Bandung".into(),
//!     key: issuer.key().public_key(),
//!     valid_from: UnixTime(0),
//!     valid_until: UnixTime(2_000_000_000),
//!     doc_types: DocTypeSet::all(),
//! });
//!
//! // The counter shows a challenge; the phone signs a presentation that binds it.
//! let challenge = Challenge::new("7KQ2M9XD", Some("BANK-CABANG-01"))?;
//! let now = UnixTime(issued.0 + 3600);
//! let shown = present(&credential, &phone, now, 90, Some(&challenge))?;
//! let expected = VerifyOptions { challenge: Some(&challenge), ..Default::default() };
//! let verified = verify_with(&shown.to_qr_text(), &trust, now, &Policy::default(), &expected)?;
//! assert!(verified.presentation().is_some());
//!
//! // Three minutes later the same QR code is refused, and so is the bare credential.
//! let later = UnixTime(now.0 + 180);
//! let refused = verify_with(&shown.to_qr_text(), &trust, later, &Policy::default(), &expected);
//! assert_eq!(refused.unwrap_err().code(), "presentation_expired");
//! let bare = verify_with(&credential.to_qr_text(), &trust, now, &Policy::default(), &expected);
//! assert_eq!(bare.unwrap_err().code(), "presentation_required");
//! # Ok(())
//! # }
//! ```

use crate::codes::Reason;
use crate::model::credential::Credential;
use crate::model::time::UnixTime;
use crate::wire::cbor::{self, Item};
use crate::wire::cose::{self, UncheckedSign1};
use crate::wire::crypto::{self, HolderAlg, HolderPublicKey, HolderSigningKey};
use crate::wire::limits::{
    MAX_AUDIENCE_LEN, MAX_NONCE_LEN, MAX_NUMERIC_DATE, MAX_QR_TEXT_LEN, MIN_NONCE_LEN,
};
use crate::wire::transport;
use ciborium::Value;
use core::fmt;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Default longest life of a presentation, in seconds: the IKD app's QR code lasts 90 s.
pub const DEFAULT_PRESENTATION_SECONDS: u32 = 90;

/// Prefix of a challenge shown as a QR code.
pub const CHALLENGE_PREFIX: &str = "IKDC:";

/// The alphabet of typed challenge codes: Crockford's Base32, which has no I, L, O or U,
/// so a code read aloud or typed survives the usual confusions.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Why a presentation or challenge could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PresentError {
    /// The nonce is shorter than [`MIN_NONCE_LEN`] characters, longer than
    /// [`MAX_NONCE_LEN`] bytes, or not printable ASCII.
    InvalidNonce,
    /// The audience is empty, longer than [`MAX_AUDIENCE_LEN`] bytes, or holds control
    /// characters.
    InvalidAudience,
    /// The time or lifetime lies outside what a verifier reads.
    InvalidTime,
    /// The QR text would be longer than any verifier accepts.
    TooLarge {
        /// Its length in characters.
        len: usize,
    },
    /// The text is not a challenge.
    NotAChallenge,
    /// No randomness for a challenge code.
    NoRandomness,
    /// The stored credential is not a COSE_Sign1 message.
    MalformedCredential,
}

impl fmt::Display for PresentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PresentError::InvalidNonce => write!(
                f,
                "a nonce is {MIN_NONCE_LEN} to {MAX_NONCE_LEN} printable ASCII characters"
            ),
            PresentError::InvalidAudience => write!(
                f,
                "an audience is 1 to {MAX_AUDIENCE_LEN} bytes without control characters"
            ),
            PresentError::InvalidTime => f.write_str("the presentation time is out of range"),
            PresentError::TooLarge { len } => write!(
                f,
                "the presentation would be {len} characters; verifiers accept at most {MAX_QR_TEXT_LEN}"
            ),
            PresentError::NotAChallenge => {
                write!(
                    f,
                    "not a challenge: expected {CHALLENGE_PREFIX}CODE[;AUDIENCE]"
                )
            }
            PresentError::NoRandomness => f.write_str("the system random number generator failed"),
            PresentError::MalformedCredential => {
                f.write_str("the stored credential is not a COSE_Sign1 message")
            }
        }
    }
}

impl std::error::Error for PresentError {}

/// What a verifier asks a presentation to bind: a fresh nonce, and optionally who it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Challenge {
    nonce: String,
    audience: Option<String>,
}

impl Challenge {
    /// A challenge with `nonce` (normalised as a typed code: see [`normalize_code`]) and
    /// an optional audience.
    pub fn new(nonce: &str, audience: Option<&str>) -> Result<Self, PresentError> {
        let nonce = normalize_code(nonce);
        if !is_nonce(&nonce) {
            return Err(PresentError::InvalidNonce);
        }
        if audience.is_some_and(|a| !is_audience(a)) {
            return Err(PresentError::InvalidAudience);
        }
        Ok(Challenge {
            nonce,
            audience: audience.map(str::to_owned),
        })
    }

    /// A fresh challenge with a random code of `len` characters (8 gives 40 bits; 6 to 64
    /// allowed), for a verifier to show.
    pub fn generate(len: usize, audience: Option<&str>) -> Result<Self, PresentError> {
        if !(MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&len) {
            return Err(PresentError::InvalidNonce);
        }
        let random = crypto::random_bytes(len).map_err(|_| PresentError::NoRandomness)?;
        let code: String = random
            .iter()
            .filter_map(|b| {
                CODE_ALPHABET
                    .get(usize::from(b & 31))
                    .copied()
                    .map(char::from)
            })
            .collect();
        Self::new(&code, audience)
    }

    /// The nonce, normalised.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The audience, if any.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The code as people type it: groups of four separated by `-`.
    pub fn display_code(&self) -> String {
        let mut code = String::with_capacity(self.nonce.len() + self.nonce.len() / 4);
        for (i, c) in self.nonce.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                code.push('-');
            }
            code.push(c);
        }
        code
    }

    /// The challenge as a short QR text: `IKDC:` + code, then `;` + audience if any.
    pub fn to_qr_text(&self) -> String {
        match &self.audience {
            Some(audience) => format!("{CHALLENGE_PREFIX}{};{audience}", self.nonce),
            None => format!("{CHALLENGE_PREFIX}{}", self.nonce),
        }
    }

    /// Reads a challenge QR text, or a code typed by hand (with no prefix).
    pub fn parse(text: &str) -> Result<Self, PresentError> {
        let text = text.trim();
        match text.strip_prefix(CHALLENGE_PREFIX) {
            Some(rest) => match rest.split_once(';') {
                Some((code, audience)) => Self::new(code, Some(audience)),
                None => Self::new(rest, None),
            },
            None if !text.contains(':') => Self::new(text, None),
            None => Err(PresentError::NotAChallenge),
        }
    }
}

/// A typed code as the presentation carries it: upper case, without spaces or `-`, and
/// with the letters people confuse with digits read as those digits (O → 0, I and L → 1),
/// as Crockford's Base32 does.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn is_nonce(nonce: &str) -> bool {
    (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len())
        && nonce.bytes().all(|b| b.is_ascii_graphic())
}

fn is_audience(audience: &str) -> bool {
    !audience.is_empty()
        && audience.len() <= MAX_AUDIENCE_LEN
        && !audience.chars().any(char::is_control)
}

/// A signed presentation, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    cose: Vec<u8>,
    qr_text: String,
}

impl Presentation {
    /// The tagged COSE_Sign1 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.cose
    }

    /// The QR text: `IKD1:` + Base45, as for a credential.
    pub fn to_qr_text(&self) -> String {
        self.qr_text.clone()
    }
}

/// Signs a presentation of `credential` with the holder's device key at `now`, valid for
/// `lifetime_seconds`, binding `challenge` when the verifier gave one.
///
/// The wallet does not check that `key` matches the credential's `cnf`: a verifier does,
/// and refuses the presentation if not.
pub fn present(
    credential: &Credential,
    key: &HolderSigningKey,
    now: UnixTime,
    lifetime_seconds: u32,
    challenge: Option<&Challenge>,
) -> Result<Presentation, PresentError> {
    let expires_at = now.0.saturating_add(i64::from(lifetime_seconds));
    if !(0..=MAX_NUMERIC_DATE).contains(&now.0) || expires_at > MAX_NUMERIC_DATE {
        return Err(PresentError::InvalidTime);
    }
    let signed =
        cose::parse(credential.as_bytes()).map_err(|_| PresentError::MalformedCredential)?;
    let mut fields = vec![
        Value::Bytes(signed.protected_bytes().to_vec()),
        Value::Bytes(signed.payload().to_vec()),
        Value::Bytes(signed.signature().to_vec()),
        Value::from(now.0),
        Value::from(lifetime_seconds),
    ];
    if let Some(challenge) = challenge {
        fields.push(Value::from(challenge.nonce.as_str()));
        if let Some(audience) = &challenge.audience {
            fields.push(Value::from(audience.as_str()));
        }
    }
    let payload = cbor::encode(&Value::Array(fields));
    let cose = cose::sign_presentation(payload, key.alg(), |tbs| key.sign(tbs));
    let qr_text = transport::encode_qr_text(&cose);
    if qr_text.len() > MAX_QR_TEXT_LEN {
        return Err(PresentError::TooLarge { len: qr_text.len() });
    }
    Ok(Presentation { cose, qr_text })
}

/// What a presentation's payload says, borrowed from it; nothing is trusted yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PresentationPayload<'a> {
    /// The credential's protected header bytes, claims and signature.
    pub(crate) credential: [&'a [u8]; 3],
    pub(crate) issued_at: UnixTime,
    /// `iat` + `lifetime`, within NumericDate range.
    pub(crate) expires_at: UnixTime,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) audience: Option<&'a str>,
}

impl<'a> PresentationPayload<'a> {
    /// Decodes the payload array strictly: 5 to 7 elements of the right types, an expiry
    /// (`iat` + `lifetime`) within NumericDate range, and a null nonce only before an
    /// audience.
    pub(crate) fn decode(payload: &'a [u8]) -> Result<Self, Reason> {
        let malformed = Reason::PresentationMalformed;
        let item = cbor::decode(payload).map_err(|_| malformed.clone())?;
        let Item::Array(fields) = item else {
            return Err(malformed);
        };
        let [protected, claims, signature, iat, lifetime, rest @ ..] = fields.as_slice() else {
            return Err(malformed);
        };
        if rest.len() > 2 {
            return Err(malformed);
        }
        let nonce = match rest.first() {
            None => None,
            Some(Item::Null) if rest.len() == 2 => None,
            Some(nonce) => Some(
                nonce
                    .as_text()
                    .filter(|n| is_nonce(n))
                    .ok_or(malformed.clone())?,
            ),
        };
        let audience = match rest.get(1) {
            None => None,
            Some(audience) => Some(
                audience
                    .as_text()
                    .filter(|a| is_audience(a))
                    .ok_or(malformed.clone())?,
            ),
        };
        let issued_at = iat.as_i64().filter(|t| (0..=MAX_NUMERIC_DATE).contains(t));
        let expires_at = issued_at
            .zip(lifetime.as_u64())
            .and_then(|(iat, lifetime)| iat.checked_add(i64::try_from(lifetime).ok()?))
            .filter(|exp| *exp <= MAX_NUMERIC_DATE);
        match (
            protected.as_bytes(),
            claims.as_bytes(),
            signature.as_bytes(),
            issued_at,
            expires_at,
        ) {
            (Some(protected), Some(claims), Some(signature), Some(iat), Some(exp)) => {
                Ok(PresentationPayload {
                    credential: [protected, claims, signature],
                    issued_at: UnixTime(iat),
                    expires_at: UnixTime(exp),
                    nonce,
                    audience,
                })
            }
            _ => Err(malformed),
        }
    }
}

/// A presentation envelope as received: its header, payload and signature, unchecked.
#[derive(Debug)]
pub(crate) struct ReceivedPresentation<'a> {
    pub(crate) envelope: UncheckedSign1<'a>,
    pub(crate) payload: PresentationPayload<'a>,
}

/// What a verified presentation said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationInfo {
    /// The device key's algorithm.
    pub alg: HolderAlg,
    /// When the holder's device signed it.
    pub issued_at: UnixTime,
    /// When it stops being valid (the earlier of its `iat` + `lifetime` and the
    /// policy's largest age).
    pub expires_at: UnixTime,
    /// The verifier nonce it bound, if any.
    pub nonce: Option<String>,
    /// The audience it named, if any.
    pub audience: Option<String>,
}

/// Checks a presentation against the credential's holder key, the time, the verifier's
/// challenge and the replay cache (the holder-binding stage), in that order.
pub(crate) fn check_binding(
    received: &ReceivedPresentation<'_>,
    alg: HolderAlg,
    holder_key: &HolderPublicKey,
    now: UnixTime,
    policy: &crate::verification::policy::Policy,
    challenge: Option<&Challenge>,
    replay_store: Option<&dyn ReplayStore>,
) -> Result<PresentationInfo, Reason> {
    let signed = received.envelope.signed_bytes();
    if holder_key.alg() != alg || !holder_key.verify(&signed, received.envelope.signature()) {
        return Err(Reason::PresentationSignatureInvalid);
    }
    let payload = &received.payload;
    let leeway = i64::from(policy.presentation_leeway_seconds);
    if payload.issued_at.0 > now.0.saturating_add(leeway) {
        return Err(Reason::PresentationIssuedInFuture);
    }
    let by_age = payload
        .issued_at
        .0
        .saturating_add(i64::from(policy.presentation_max_age_seconds));
    let expires_at = UnixTime(payload.expires_at.0.min(by_age));
    if now.0 > expires_at.0.saturating_add(leeway) {
        return Err(Reason::PresentationExpired);
    }
    if let Some(challenge) = challenge {
        if payload.nonce != Some(challenge.nonce()) {
            return Err(Reason::NonceMismatch);
        }
        if challenge.audience().is_some() && payload.audience != challenge.audience() {
            return Err(Reason::AudienceMismatch);
        }
    }
    if let Some(store) = replay_store {
        let id = crypto::sha256(received.envelope.signature());
        let forget_after = UnixTime(expires_at.0.saturating_add(leeway));
        match store.remember(&id, forget_after, now) {
            Ok(true) => {}
            Ok(false) => return Err(Reason::PresentationReplayed),
            Err(ReplayStoreUnavailable) => return Err(Reason::ReplayCheckUnavailable),
        }
    }
    Ok(PresentationInfo {
        alg,
        issued_at: payload.issued_at,
        expires_at,
        nonce: payload.nonce.map(str::to_owned),
        audience: payload.audience.map(str::to_owned),
    })
}

/// Where a verifier remembers the presentations it accepted, so that each is accepted
/// once: [`ReplayCache`] in memory, or a store that several instances of one verifier
/// share (the verification service keeps one in PostgreSQL).
///
/// Not `Debug`: a `dyn ReplayStore` would then carry each store's `Debug` code (for
/// [`ReplayCache`], a hash map's and a queue's), which the WebAssembly module pays for
/// and no verification uses.
pub trait ReplayStore: Send + Sync {
    /// Records presentation `id` (the SHA-256 of its signature) until `forget_after`, and
    /// says whether it was new: `Ok(false)` when it is recorded already and not yet
    /// forgotten at `now`. An error means the store could not tell; the presentation is
    /// then refused (`replay_check_unavailable`).
    fn remember(
        &self,
        id: &[u8; 32],
        forget_after: UnixTime,
        now: UnixTime,
    ) -> Result<bool, ReplayStoreUnavailable>;
}

/// A [`ReplayStore`] could not tell whether a presentation is new (its details are the
/// store's to log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayStoreUnavailable;

impl fmt::Display for ReplayStoreUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the replay store is unavailable")
    }
}

impl std::error::Error for ReplayStoreUnavailable {}

impl ReplayStore for ReplayCache {
    fn remember(
        &self,
        id: &[u8; 32],
        forget_after: UnixTime,
        now: UnixTime,
    ) -> Result<bool, ReplayStoreUnavailable> {
        Ok(self.insert(*id, forget_after, now))
    }
}

/// Remembers the presentations a verifier accepted until they expire, so that each is
/// accepted once (a QR code photographed at one counter is refused at the next scan).
///
/// Bounded: at most `capacity` presentations. When full, expired entries go first; if none
/// has expired, the oldest is forgotten and [`ReplayCache::evicted`] counts it, since its
/// replay would then pass. Size it above the verifications one verifier makes in a
/// presentation's lifetime (90 s by default).
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    inner: Mutex<ReplayEntries>,
}

#[derive(Debug, Default)]
struct ReplayEntries {
    forget_after: HashMap<[u8; 32], UnixTime>,
    order: VecDeque<[u8; 32]>,
    /// No entry is forgotten before this: a full cache sweeps expired entries only once
    /// one can have expired, not on every insert (a sweep walks every entry).
    earliest_forget_after: Option<UnixTime>,
    evicted: u64,
    sweeps: u64,
}

impl ReplayCache {
    /// A cache for at most `capacity` presentations (at least 1).
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            inner: Mutex::new(ReplayEntries::default()),
        }
    }

    /// Records presentation `id`, to be forgotten after `forget_after`; false if it is
    /// already recorded and not yet forgotten.
    fn insert(&self, id: [u8; 32], forget_after: UnixTime, now: UnixTime) -> bool {
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.forget_after.get(&id).is_some_and(|t| *t >= now) {
            return false;
        }
        if entries.forget_after.len() >= self.capacity
            && entries.earliest_forget_after.is_some_and(|t| t < now)
        {
            entries.forget_after.retain(|_, t| *t >= now);
            let ReplayEntries {
                forget_after,
                order,
                earliest_forget_after,
                ..
            } = &mut *entries;
            order.retain(|id| forget_after.contains_key(id));
            *earliest_forget_after = forget_after.values().min().copied();
            entries.sweeps += 1;
        }
        while entries.forget_after.len() >= self.capacity {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            entries.forget_after.remove(&oldest);
            entries.evicted += 1;
        }
        if entries.forget_after.insert(id, forget_after).is_none() {
            entries.order.push_back(id);
        }
        entries.earliest_forget_after = Some(
            entries
                .earliest_forget_after
                .map_or(forget_after, |t| t.min(forget_after)),
        );
        true
    }

    /// How many presentations are remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .forget_after
            .len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many unexpired presentations were forgotten because the cache was full.
    pub fn evicted(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_normalise() {
        assert_eq!(normalize_code("7kq2-m9xd"), "7KQ2M9XD");
        assert_eq!(normalize_code("O1L I"), "0111");
        let challenge = Challenge::new("abcd-efgh", None).unwrap();
        assert_eq!(challenge.display_code(), "ABCD-EFGH");
        for (typed, shown) in [
            ("ABCDEF", "ABCD-EF"),
            ("ABCDEFGHJ", "ABCD-EFGH-J"),
            ("ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
        ] {
            assert_eq!(Challenge::new(typed, None).unwrap().display_code(), shown);
        }
        assert_eq!(
            Challenge::new("ab12", None),
            Err(PresentError::InvalidNonce)
        );
        assert_eq!(
            Challenge::new("ABCDEFGH", Some("")),
            Err(PresentError::InvalidAudience)
        );
    }

    #[test]
    fn challenge_qr_text_round_trips() {
        let with_audience = Challenge::new("7KQ2M9XD", Some("BANK-01")).unwrap();
        assert_eq!(with_audience.to_qr_text(), "IKDC:7KQ2M9XD;BANK-01");
        assert_eq!(
            Challenge::parse(&with_audience.to_qr_text()).unwrap(),
            with_audience
        );
        assert_eq!(
            Challenge::parse(" 7kq2-m9xd\n").unwrap(),
            Challenge::new("7KQ2M9XD", None).unwrap()
        );
        assert_eq!(
            Challenge::parse("https://x.example"),
            Err(PresentError::NotAChallenge)
        );
    }

    #[test]
    fn generated_codes_use_the_alphabet() {
        let a = Challenge::generate(8, None).unwrap();
        let b = Challenge::generate(8, None).unwrap();
        assert_eq!(a.nonce().len(), 8);
        assert!(a.nonce().bytes().all(|c| CODE_ALPHABET.contains(&c)));
        assert_ne!(a, b, "two 40-bit codes collide once in 2^40");
        assert_eq!(
            Challenge::generate(5, None),
            Err(PresentError::InvalidNonce)
        );
    }

    #[test]
    fn replay_cache_remembers_until_expiry_and_stays_bounded() {
        let cache = ReplayCache::new(2);
        let t = UnixTime(1000);
        assert!(cache.insert([1; 32], UnixTime(1100), t));
        assert!(!cache.insert([1; 32], UnixTime(1100), UnixTime(1100)));
        // Forgotten after its time: accepted again (a verifier refuses it as expired).
        assert!(cache.insert([1; 32], UnixTime(1300), UnixTime(1101)));
        assert!(cache.insert([2; 32], UnixTime(1300), t));
        assert_eq!(cache.len(), 2);
        // Full with nothing expired: the oldest goes, and that is counted.
        assert!(cache.insert([3; 32], UnixTime(1300), UnixTime(1200)));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.evicted(), 1);
        assert!(!cache.insert([3; 32], UnixTime(1300), UnixTime(1200)));
        // Full, one expired: it makes room without eviction.
        assert!(cache.insert([4; 32], UnixTime(1400), UnixTime(1350)));
        assert_eq!(cache.evicted(), 1);
    }

    #[test]
    fn a_full_replay_cache_sweeps_only_when_an_entry_can_have_expired() {
        let cache = ReplayCache::new(100);
        let sweeps = || cache.inner.lock().unwrap().sweeps;
        let now = UnixTime(1000);
        for i in 0..1000u32 {
            let mut id = [0; 32];
            id[..4].copy_from_slice(&i.to_be_bytes());
            assert!(cache.insert(id, UnixTime(1090), now));
        }
        assert_eq!((cache.len(), cache.evicted(), sweeps()), (100, 900, 0));
        // Once they can have expired: one sweep empties the cache of them.
        assert!(cache.insert([0xFF; 32], UnixTime(1200), UnixTime(1091)));
        assert_eq!((cache.len(), cache.evicted(), sweeps()), (1, 900, 1));
    }

    #[test]
    fn a_stored_credential_that_is_not_cose_cannot_be_presented() {
        let key = HolderSigningKey::from_secret(HolderAlg::EdDsa, &[9; 32]).unwrap();
        let stored = Credential::from_bytes(vec![0xA0]).unwrap();
        assert_eq!(
            present(&stored, &key, UnixTime(1000), 90, None),
            Err(PresentError::MalformedCredential)
        );
    }

    #[test]
    fn payload_shapes() {
        let decode = |value: Value| {
            let bytes = cbor::encode(&value);
            PresentationPayload::decode(&bytes).map(|p| {
                (
                    p.expires_at,
                    p.nonce.map(str::to_owned),
                    p.audience.map(str::to_owned),
                )
            })
        };
        let with = |rest: Vec<Value>| {
            let parts = [vec![0xA0], vec![0xA0], vec![0; 64]];
            let mut fields: Vec<Value> = parts.into_iter().map(Value::Bytes).collect();
            fields.extend(rest);
            Value::Array(fields)
        };
        let ok = decode(with(vec![10.into(), 90.into()]));
        assert_eq!(ok, Ok((UnixTime(100), None, None)));
        let with_aud = decode(with(vec![10.into(), 0.into(), Value::Null, "BANK".into()]));
        assert_eq!(with_aud, Ok((UnixTime(10), None, Some("BANK".into()))));
        let last = MAX_NUMERIC_DATE - 90;
        let at_the_end = decode(with(vec![last.into(), 90.into()]));
        assert_eq!(at_the_end, Ok((UnixTime(MAX_NUMERIC_DATE), None, None)));
        for bad in [
            // An expiry past the last NumericDate; a negative lifetime; a null nonce with no
            // audience; eight elements; a short nonce; a credential part that is not a bstr;
            // the credential as one tagged message (the version-1 draft); a map.
            with(vec![(last + 1).into(), 90.into()]),
            with(vec![10.into(), (-1).into()]),
            with(vec![10.into(), 90.into(), Value::Null]),
            with(vec![
                10.into(),
                90.into(),
                "ABCDEFGH".into(),
                "A".into(),
                "B".into(),
            ]),
            with(vec![10.into(), 90.into(), "ABC".into()]),
            Value::Array(vec![
                Value::Bytes(vec![0xA0]),
                Value::Text("claims".into()),
                Value::Bytes(vec![0; 64]),
                10.into(),
                90.into(),
            ]),
            Value::Array(vec![Value::Bytes(vec![0xD2]), 10.into(), 100.into()]),
            Value::Map(vec![]),
        ] {
            assert_eq!(
                decode(bad.clone()),
                Err(Reason::PresentationMalformed),
                "{bad:?}"
            );
        }
    }
}
