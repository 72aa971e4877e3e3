//! The verifier: trust data, a policy and a replay guard, held together; each verification
//! takes the QR text, the time and the challenge shown, and returns an [`Outcome`].

use crate::error::{Error, ErrorCode};
use crate::policy::Policy;
use crate::trust::TrustData;
use ikd_sdk::{
    Reason, Rejection, ReplayCache, ReplayStore, ReplayStoreUnavailable, Report, UnixTime,
    Verified, VerifyOptions, disclosure,
};

/// The largest replay cache a verifier may ask for: far above what one verifier sees in a
/// presentation's lifetime, and a bound on memory a caller's typo could reserve.
pub const MAX_REPLAY_CAPACITY: usize = 1_000_000;

/// A challenge the verifier showed (spec §17.5): the nonce the holder's presentation must
/// bind, and optionally the verifier's audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    inner: ikd_sdk::Challenge,
}

impl Challenge {
    /// A challenge from a code as shown or typed (normalised: upper case, `-` and spaces
    /// dropped, `O` read as `0`, `I` and `L` as `1`) and an optional audience.
    pub fn new(nonce: &str, audience: Option<&str>) -> Result<Self, Error> {
        ikd_sdk::Challenge::new(nonce, audience)
            .map(|inner| Challenge { inner })
            .map_err(|e| Error::new(ErrorCode::ChallengeInvalid, format!("challenge: {e}")))
    }

    /// A fresh random challenge of `len` characters (8 is the reference verifier's: 40
    /// bits), drawn from the host's randomness.
    pub fn generate(len: usize, audience: Option<&str>) -> Result<Self, Error> {
        ikd_sdk::Challenge::generate(len, audience)
            .map(|inner| Challenge { inner })
            .map_err(|e| {
                let code = match e {
                    ikd_sdk::PresentError::NoRandomness => ErrorCode::RandomnessUnavailable,
                    _ => ErrorCode::ChallengeInvalid,
                };
                Error::new(code, format!("challenge: {e}"))
            })
    }

    /// Reads a challenge's QR text: `IKDC:` + code, optionally `;` + audience.
    pub fn parse(text: &str) -> Result<Self, Error> {
        ikd_sdk::Challenge::parse(text)
            .map(|inner| Challenge { inner })
            .map_err(|e| Error::new(ErrorCode::ChallengeInvalid, format!("challenge: {e}")))
    }

    /// The normalised nonce.
    pub fn nonce(&self) -> &str {
        self.inner.nonce()
    }

    /// The audience, if any.
    pub fn audience(&self) -> Option<&str> {
        self.inner.audience()
    }

    /// The code for people to read and type, in groups of four (`7KQ2-M9XD`).
    pub fn display_code(&self) -> String {
        self.inner.display_code()
    }

    /// The QR text a wallet scans: `IKDC:` + code, optionally `;` + audience.
    pub fn to_qr_text(&self) -> String {
        self.inner.to_qr_text()
    }

    /// The SDK's challenge.
    pub fn sdk(&self) -> &ikd_sdk::Challenge {
        &self.inner
    }
}

/// How a verifier guards against a presentation shown twice (spec §17.3 step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplayMode {
    /// No replay check: the Rust SDK's default (`VerifyOptions::default()`).
    #[default]
    Off,
    /// An in-memory cache of the presentations accepted, for at most `capacity` of them
    /// (1 to [`MAX_REPLAY_CAPACITY`]); see `ikd_sdk::ReplayCache`.
    Local {
        /// How many presentations it remembers.
        capacity: usize,
    },
    /// The verifier is meant to share a replay store with other instances and cannot
    /// reach it now: every presentation that reaches the replay check is refused with
    /// `replay_check_unavailable`, never accepted unchecked. A host sets this while its
    /// shared store is out of reach, and sets another mode once it is back.
    Unavailable,
}

#[derive(Debug)]
enum ReplayGuard {
    Off,
    Local(ReplayCache, usize),
    Unavailable(Refusing),
}

/// The replay store of [`ReplayMode::Unavailable`].
#[derive(Debug)]
struct Refusing;

impl ReplayStore for Refusing {
    fn remember(
        &self,
        _id: &[u8; 32],
        _forget_after: UnixTime,
        _now: UnixTime,
    ) -> Result<bool, ReplayStoreUnavailable> {
        Err(ReplayStoreUnavailable)
    }
}

impl ReplayGuard {
    fn new(mode: ReplayMode) -> Result<Self, Error> {
        Ok(match mode {
            ReplayMode::Off => ReplayGuard::Off,
            ReplayMode::Local { capacity } => {
                if !(1..=MAX_REPLAY_CAPACITY).contains(&capacity) {
                    return Err(Error::new(
                        ErrorCode::ReplayCapacityInvalid,
                        format!("a replay cache holds 1 to {MAX_REPLAY_CAPACITY} presentations"),
                    ));
                }
                ReplayGuard::Local(ReplayCache::new(capacity), capacity)
            }
            ReplayMode::Unavailable => ReplayGuard::Unavailable(Refusing),
        })
    }

    fn store(&self) -> Option<&dyn ReplayStore> {
        match self {
            ReplayGuard::Off => None,
            ReplayGuard::Local(cache, _) => Some(cache),
            ReplayGuard::Unavailable(refusing) => Some(refusing),
        }
    }
}

/// Trust data, a policy and a replay guard: what stays the same from one scan to the next.
#[derive(Debug)]
pub struct Verifier {
    trust: TrustData,
    policy: Policy,
    replay: ReplayGuard,
}

impl Verifier {
    /// A verifier with this trust data and policy, and no replay check (the SDK's default).
    pub fn new(trust: TrustData, policy: Policy) -> Self {
        Verifier {
            trust,
            policy,
            replay: ReplayGuard::Off,
        }
    }

    /// Sets how presentations shown twice are caught. Changing the mode starts an empty
    /// cache.
    pub fn set_replay_mode(&mut self, mode: ReplayMode) -> Result<(), Error> {
        self.replay = ReplayGuard::new(mode)?;
        Ok(())
    }

    /// The replay mode in force.
    pub fn replay_mode(&self) -> ReplayMode {
        match &self.replay {
            ReplayGuard::Off => ReplayMode::Off,
            ReplayGuard::Local(_, capacity) => ReplayMode::Local {
                capacity: *capacity,
            },
            ReplayGuard::Unavailable(_) => ReplayMode::Unavailable,
        }
    }

    /// Replaces the trust data (after an update), keeping the policy and the replay cache.
    pub fn set_trust(&mut self, trust: TrustData) {
        self.trust = trust;
    }

    /// The trust data.
    pub fn trust(&self) -> &TrustData {
        &self.trust
    }

    /// Replaces the policy, keeping the trust data and the replay cache.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies scanned QR text at `now` (Unix seconds), with the challenge this verifier
    /// showed, if any. Every outcome, valid or rejected, is a value.
    pub fn verify(&self, qr_text: &str, now: i64, challenge: Option<&Challenge>) -> Outcome {
        let options = VerifyOptions {
            challenge: challenge.map(Challenge::sdk),
            replay_cache: self.replay.store(),
        };
        let result = ikd_sdk::verify_with(
            qr_text,
            self.trust.store(),
            UnixTime(now),
            self.policy.sdk(),
            &options,
        );
        Outcome { result }
    }
}

/// The names of the disclosure purposes [`Outcome::to_disclosed_json`] takes, so that a
/// binding can refuse an unknown purpose before verifying (a verification may record a
/// presentation in the replay cache).
pub fn disclosure_purposes() -> Vec<&'static str> {
    disclosure::PURPOSES.iter().map(|p| p.name).collect()
}

/// A verification's result: valid or rejected, with its verdict JSON and typed accessors.
#[derive(Debug, Clone)]
pub struct Outcome {
    result: Result<Verified, Rejection>,
}

impl Outcome {
    /// The verdict JSON of `spec/schemas/verdict.schema.json`, exactly as the CLI prints
    /// it and the service returns it.
    pub fn to_json(&self) -> String {
        Report::new(&self.result).to_json()
    }

    /// The verdict as a disclosure purpose (`kyc`, `identity`, `age_check`, `domicile`) may
    /// see it: `spec/schemas/disclosed-verdict.schema.json`.
    pub fn to_disclosed_json(&self, purpose: &str) -> Result<String, Error> {
        let purpose = disclosure::purpose(purpose).ok_or_else(|| {
            Error::new(
                ErrorCode::PurposeUnknown,
                format!(
                    "no purpose {purpose:?}; the purposes are {}",
                    disclosure::PURPOSES
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        Ok(disclosure::DisclosedReport::new(&self.result, purpose).to_json())
    }

    /// Whether the credential was accepted.
    pub fn is_valid(&self) -> bool {
        self.result.is_ok()
    }

    /// The reason code of a rejection.
    pub fn reason_code(&self) -> Option<&'static str> {
        self.result.as_ref().err().map(Rejection::code)
    }

    /// The stage that rejected the credential.
    pub fn stage(&self) -> Option<&'static str> {
        self.result.as_ref().err().map(|r| r.stage().as_str())
    }

    /// The document field at fault, for the reasons that name one.
    pub fn reason_field(&self) -> Option<String> {
        self.rejection_reason()
            .and_then(Reason::field)
            .map(|f| f.to_string())
    }

    /// The claim at fault, for `claims_malformed`.
    pub fn reason_claim(&self) -> Option<&'static str> {
        match self.rejection_reason() {
            Some(Reason::ClaimsMalformed { claim }) => Some(claim),
            _ => None,
        }
    }

    /// The tag found, for `cose_tag_wrong`.
    pub fn cose_tag(&self) -> Option<u64> {
        match self.rejection_reason() {
            Some(Reason::CoseTagWrong { tag }) => Some(*tag),
            _ => None,
        }
    }

    /// The document type number found, for `doc_type_unknown`.
    pub fn doc_type_number(&self) -> Option<u64> {
        match self.rejection_reason() {
            Some(Reason::DocTypeUnknown { doc_type }) => Some(*doc_type),
            _ => None,
        }
    }

    /// The code found, for `siak_code_invalid`.
    pub fn siak_code(&self) -> Option<u64> {
        match self.rejection_reason() {
            Some(Reason::SiakCodeInvalid { code, .. }) => Some(*code),
            _ => None,
        }
    }

    /// The document type of a valid credential (`ktp`, `kk`, …).
    pub fn doc_type(&self) -> Option<&'static str> {
        self.verified().map(|v| v.document().doc_type().name())
    }

    /// The issuer id of a valid credential, as the trust data names it.
    pub fn issuer_id(&self) -> Option<&str> {
        self.verified().map(|v| v.issuer().id.as_str())
    }

    /// The issuer's name of a valid credential.
    pub fn issuer_name(&self) -> Option<&str> {
        self.verified().map(|v| v.issuer().name.as_str())
    }

    /// The warning codes of a valid credential, in order.
    pub fn warning_codes(&self) -> Vec<&'static str> {
        self.verified()
            .map(|v| v.warnings().iter().map(|w| w.info().code).collect())
            .unwrap_or_default()
    }

    /// The SDK's result.
    pub fn result(&self) -> &Result<Verified, Rejection> {
        &self.result
    }

    fn verified(&self) -> Option<&Verified> {
        self.result.as_ref().ok()
    }

    fn rejection_reason(&self) -> Option<&Reason> {
        self.result.as_ref().err().map(Rejection::reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        let trust =
            TrustData::from_store_json(r#"{"format": "ikd-trust-store/1", "keys": []}"#).unwrap();
        Verifier::new(trust, Policy::default())
    }

    #[test]
    fn a_rejection_is_a_value_with_its_code() {
        let outcome = verifier().verify("https://example.com", 1_790_000_000, None);
        assert!(!outcome.is_valid());
        assert_eq!(outcome.reason_code(), Some("not_ikd_credential"));
        assert_eq!(outcome.stage(), Some("decode"));
        assert_eq!(outcome.doc_type(), None);
        assert!(outcome.warning_codes().is_empty());
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(json["reason"]["code"], "not_ikd_credential");
    }

    #[test]
    fn replay_capacity_is_bounded() {
        let mut v = verifier();
        assert_eq!(v.replay_mode(), ReplayMode::Off);
        for capacity in [0, MAX_REPLAY_CAPACITY + 1] {
            assert_eq!(
                v.set_replay_mode(ReplayMode::Local { capacity })
                    .unwrap_err()
                    .code(),
                ErrorCode::ReplayCapacityInvalid
            );
        }
        v.set_replay_mode(ReplayMode::Unavailable).unwrap();
        assert_eq!(v.replay_mode(), ReplayMode::Unavailable);
    }

    #[test]
    fn unknown_purpose_is_misuse() {
        let outcome = verifier().verify("", 0, None);
        assert_eq!(
            outcome.to_disclosed_json("everything").unwrap_err().code(),
            ErrorCode::PurposeUnknown
        );
        assert!(outcome.to_disclosed_json("kyc").is_ok());
        let purposes = disclosure_purposes();
        assert_eq!(purposes, ["kyc", "identity", "age_check", "domicile"]);
        for purpose in purposes {
            assert!(outcome.to_disclosed_json(purpose).is_ok());
        }
    }

    #[test]
    fn challenges_normalise_and_refuse_bad_codes() {
        let c = Challenge::new("7kq2-m9xd", Some("BANK")).unwrap();
        assert_eq!(c.nonce(), "7KQ2M9XD");
        assert_eq!(Challenge::parse(&c.to_qr_text()).unwrap(), c);
        assert_eq!(
            Challenge::new("ab", None).unwrap_err().code(),
            ErrorCode::ChallengeInvalid
        );
        assert_eq!(Challenge::generate(8, None).unwrap().nonce().len(), 8);
    }
}
