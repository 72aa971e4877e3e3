//! The verification pipeline (spec/format.md §Verification): every stage, in order.

use crate::codes::{Reason, Severity, Stage, Warning};
use crate::model::claims::{CredentialClaims, StatusRef};
use crate::model::document::Document;
use crate::model::time::UnixTime;
use crate::trust::status_list::{self, StatusListToken};
use crate::trust::store::{TrustEntry, TrustStore, TrustedKey};
use crate::verification::policy::{FreshnessState, Policy};
use crate::verification::presentation::{
    self, Challenge, PresentationInfo, PresentationPayload, ReceivedPresentation, ReplayStore,
};
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::Kid;
use crate::wire::limits::MAX_KID_CANDIDATES;
use crate::wire::transport;
use core::fmt;

/// How fresh the trust data of a verification was: every result carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrustDataInfo {
    /// The signed trust list the keys came from; `None` when they came from local
    /// configuration (the JSON trust store), which has no sequence or age.
    pub trust_list: Option<TrustListAge>,
    /// The status list consulted for the credential, if one was.
    pub status_list: Option<StatusListAge>,
}

/// The trust list of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustListAge {
    /// Its sequence number.
    pub sequence: u64,
    /// When it was issued.
    pub issued_at: UnixTime,
    /// When the next list is due.
    pub next_update: UnixTime,
    /// Seconds from its issue to the verification time (0 if issued later).
    pub age_seconds: u64,
}

/// The status list a verification consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusListAge {
    /// When it was issued (`iat`).
    pub issued_at: UnixTime,
    /// Its `exp`, if it has one.
    pub expires_at: Option<UnixTime>,
    /// Seconds from its issue to the verification time (0 if issued later).
    pub age_seconds: u64,
}

fn age(issued_at: UnixTime, now: UnixTime) -> u64 {
    u64::try_from(now.0.saturating_sub(issued_at.0)).unwrap_or(0)
}

impl TrustDataInfo {
    fn of_store(trust: &TrustStore, now: UnixTime) -> Self {
        TrustDataInfo {
            trust_list: trust.trust_list().map(|info| TrustListAge {
                sequence: info.sequence,
                issued_at: info.issued_at,
                next_update: info.next_update,
                age_seconds: age(info.issued_at, now),
            }),
            status_list: None,
        }
    }
}

/// How one stage of a verification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepOutcome {
    /// The stage ran and passed.
    Passed,
    /// The stage ran and passed with warnings.
    Warned,
    /// The stage ran and rejected the credential.
    Failed,
    /// The stage does not apply to this verification (for example, no status list is
    /// configured, or the credential was not presented by a holder).
    Skipped,
    /// An earlier stage rejected the credential.
    NotReached,
}

impl StepOutcome {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Passed => "passed",
            StepOutcome::Warned => "warned",
            StepOutcome::Failed => "failed",
            StepOutcome::Skipped => "skipped",
            StepOutcome::NotReached => "not_reached",
        }
    }
}

/// The outcome of every stage of one verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trace([StepOutcome; Stage::ALL.len()]);

impl Trace {
    fn new() -> Self {
        Trace([StepOutcome::NotReached; Stage::ALL.len()])
    }

    fn set(&mut self, stage: Stage, outcome: StepOutcome) {
        if let Some(slot) = self.0.get_mut(stage as usize) {
            *slot = outcome;
        }
    }

    /// The outcome of `stage`.
    pub fn outcome(&self, stage: Stage) -> StepOutcome {
        self.0
            .get(stage as usize)
            .copied()
            .unwrap_or(StepOutcome::NotReached)
    }

    /// Every stage with its outcome, in order.
    pub fn steps(&self) -> impl Iterator<Item = (Stage, StepOutcome)> + '_ {
        Stage::ALL
            .into_iter()
            .map(|stage| (stage, self.outcome(stage)))
    }
}

/// A rejected credential: one reason, its stage, and the trace up to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    reason: Reason,
    trace: Trace,
    trust_data: TrustDataInfo,
}

impl Rejection {
    /// Why the credential was rejected.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The stable reason code.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// The stage that rejected it.
    pub fn stage(&self) -> Stage {
        self.reason.stage()
    }

    /// What each stage did.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// How fresh the trust data was.
    pub fn trust_data(&self) -> &TrustDataInfo {
        &self.trust_data
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rejected at {}: {}", self.stage(), self.reason)
    }
}

impl std::error::Error for Rejection {}

/// The issuer of a verified credential, as the trust store names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerInfo {
    /// The issuer identifier (`iss`).
    pub id: String,
    /// The display name.
    pub name: String,
}

/// A verified credential. Only [`verify`] constructs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    document: Document,
    issuer: IssuerInfo,
    kid: Kid,
    credential_id: Option<Vec<u8>>,
    issued_at: Option<UnixTime>,
    not_before: Option<UnixTime>,
    expires_at: UnixTime,
    warnings: Vec<Warning>,
    trace: Trace,
    verified_at: UnixTime,
    trust_data: TrustDataInfo,
    presentation: Option<PresentationInfo>,
}

impl Verified {
    /// The holder's presentation, when the credential came inside one: a verified value
    /// with a presentation proves the holder's device signed it within the policy's age.
    pub fn presentation(&self) -> Option<&PresentationInfo> {
        self.presentation.as_ref()
    }

    /// The time the verification was made for (the `now` given to [`verify`]).
    pub fn verified_at(&self) -> UnixTime {
        self.verified_at
    }

    /// The document.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// Takes the document out.
    pub fn into_document(self) -> Document {
        self.document
    }

    /// Who issued it.
    pub fn issuer(&self) -> &IssuerInfo {
        &self.issuer
    }

    /// The signing key's identifier.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The credential identifier (`cti`), if the issuer set one.
    pub fn credential_id(&self) -> Option<&[u8]> {
        self.credential_id.as_deref()
    }

    /// When it was issued; `None` for a purpose profile that does not say (its issuer key
    /// was then checked valid at the verification time instead).
    pub fn issued_at(&self) -> Option<UnixTime> {
        self.issued_at
    }

    /// When it starts to be valid, if stated.
    pub fn not_before(&self) -> Option<UnixTime> {
        self.not_before
    }

    /// When it expires.
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// Soft findings that did not reject it.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// What each stage did.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// How fresh the trust data was: the trust list's sequence and age, and the age of the
    /// status list consulted.
    pub fn trust_data(&self) -> &TrustDataInfo {
        &self.trust_data
    }
}

/// Verifies a credential's QR text against the trust data at time `now`.
///
/// Runs every stage in order and stops at the first rejection. Never panics, never reads
/// the clock, and does no I/O: the trust store holds the keys and status lists, and the
/// policy says how old they may be. The QR text may hold a bare credential or a holder's
/// presentation; [`verify_with`] also checks a challenge and replays.
pub fn verify(
    qr_text: &str,
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    verify_with(qr_text, trust, now, policy, &VerifyOptions::default())
}

/// What a verifier expects of one verification beyond its policy.
#[derive(Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The challenge the verifier showed: a presentation must bind its nonce (and its
    /// audience, if it has one). A bare credential the policy accepts cannot bind one and
    /// is judged by the policy alone.
    pub challenge: Option<&'a Challenge>,
    /// Where accepted presentations are remembered, so that each is accepted once: a
    /// [`crate::ReplayCache`], or any [`ReplayStore`].
    pub replay_cache: Option<&'a dyn ReplayStore>,
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("challenge", &self.challenge)
            .field(
                "replay_cache",
                &self.replay_cache.map(|_| "dyn ReplayStore"),
            )
            .finish()
    }
}

/// [`verify`], with a challenge and a replay cache.
pub fn verify_with(
    qr_text: &str,
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
    options: &VerifyOptions<'_>,
) -> Result<Verified, Rejection> {
    let mut trace = Trace::new();
    let mut trust_data = TrustDataInfo::of_store(trust, now);
    let context = Context {
        trust,
        now,
        policy,
        options,
    };
    match run(qr_text, &context, &mut trace, &mut trust_data) {
        Ok(verified) => Ok(Verified {
            trace,
            trust_data,
            ..verified
        }),
        Err(reason) => Err(Rejection {
            reason,
            trace,
            trust_data,
        }),
    }
}

/// The inputs of one verification besides the QR text.
struct Context<'a> {
    trust: &'a TrustStore,
    now: UnixTime,
    policy: &'a Policy,
    options: &'a VerifyOptions<'a>,
}

impl Trace {
    /// Records how `stage` ended and passes the result on.
    fn record<T>(&mut self, stage: Stage, result: Result<T, Reason>) -> Result<T, Reason> {
        let outcome = if result.is_ok() {
            StepOutcome::Passed
        } else {
            StepOutcome::Failed
        };
        self.set(stage, outcome);
        result
    }
}

fn run(
    qr_text: &str,
    context: &Context<'_>,
    trace: &mut Trace,
    trust_data: &mut TrustDataInfo,
) -> Result<Verified, Reason> {
    let Context {
        trust, now, policy, ..
    } = *context;
    let bytes = trace.record(Stage::Decode, transport::decode_qr_text(qr_text))?;
    let outer = trace.record(Stage::Decode, cose::parse(&bytes))?;
    // A presentation wraps the credential: unwrap it here, check it at holder binding.
    let (message, received) = if outer.claims_to_be_presentation() {
        let payload = trace.record(Stage::Decode, PresentationPayload::decode(outer.payload()))?;
        let [protected, claims, signature] = payload.credential;
        let credential = trace.record(
            Stage::Decode,
            cose::from_parts(protected, claims, signature),
        )?;
        let received = ReceivedPresentation {
            envelope: outer,
            payload,
        };
        (credential, Some(received))
    } else {
        (outer, None)
    };

    let kid = trace.record(
        Stage::Header,
        message
            .check_header(MessageType::Credential)
            .and_then(|kid| match trust.candidate_entries(kid).next() {
                Some(_) => Ok(kid),
                None => Err(Reason::KidUnknown),
            }),
    )?;
    let holder_alg = match &received {
        Some(received) => {
            Some(trace.record(Stage::Header, received.envelope.check_presentation_header())?)
        }
        None => None,
    };

    // Several entries may share a kid, and one public key may appear in several entries
    // (say, one per document type). Every entry whose key verifies the signature is a
    // candidate issuer; the first that also passes the claims and time checks is used.
    let signed = message.signed_bytes();
    let mut signers: Vec<&TrustEntry> = Vec::new();
    let mut refused: Vec<&TrustEntry> = Vec::new();
    for candidate in trust.candidate_entries(kid) {
        let same_key = |k: &&TrustEntry| k.key.key == candidate.key.key;
        if signers.iter().any(same_key) {
            signers.push(candidate);
        } else if refused.iter().any(same_key) {
            continue;
        } else if signers.len() + refused.len() < MAX_KID_CANDIDATES {
            // The budget counts signature checks: entries repeating a checked key are free.
            if candidate
                .key
                .key
                .verify_strict(&signed, message.signature())
            {
                signers.push(candidate);
            } else {
                refused.push(candidate);
            }
        }
    }
    // A compromised key's signature proves nothing: refuse before reading the claims.
    trace.record(
        Stage::Signature,
        match signers.first() {
            None => Err(Reason::SignatureInvalid),
            // Every signer came from the entries of `kid`, so `kid` is its key's kid.
            Some(signer) if trust.is_compromised_with_kid(&signer.key.key, kid) => {
                Err(Reason::KeyCompromised)
            }
            Some(_) => Ok(()),
        },
    )?;

    let mut claims = trace.record(Stage::Claims, CredentialClaims::decode(message.payload()))?;
    // The most specific failure is the one from the latest stage.
    let mut failure: Option<(Stage, Reason)> = None;
    let mut accepted = None;
    for key in signers.into_iter().map(|entry| &entry.key) {
        let outcome = claims_for(&claims, key, policy)
            .map_err(|reason| (Stage::Claims, reason))
            .and_then(|()| {
                check_time(&claims, key, now, policy).map_err(|reason| (Stage::Time, reason))
            });
        match outcome {
            Ok(()) => {
                accepted = Some(key);
                break;
            }
            Err((stage, reason)) => {
                if failure.as_ref().is_none_or(|(best, _)| stage > *best) {
                    failure = Some((stage, reason));
                }
            }
        }
    }
    let (key, document) = match (accepted, failure) {
        (Some(key), _) => {
            trace.set(Stage::Time, StepOutcome::Passed);
            // `claims_for` found the document well formed for this key.
            (key, trace.record(Stage::Claims, claims.take_document())?)
        }
        (None, Some((stage, reason))) => {
            if stage == Stage::Time {
                trace.set(Stage::Claims, StepOutcome::Passed);
            }
            return trace.record(stage, Err(reason));
        }
        (None, None) => return trace.record(Stage::Signature, Err(Reason::SignatureInvalid)),
    };

    let mut warnings = Vec::new();
    let status_list = claims
        .status
        .map(|reference| (reference, trust.status_list(reference.uri)))
        .map(|(reference, list)| {
            // A list signed for another issuer is not this credential's list.
            (reference, list.filter(|list| list.issuer() == key.issuer))
        });
    if let Some((_, Some(list))) = &status_list {
        trust_data.status_list = Some(StatusListAge {
            issued_at: list.issued_at(),
            expires_at: list.expires_at(),
            age_seconds: age(list.issued_at(), now),
        });
    }
    let fresh = check_freshness(trust, status_list, now, policy, &mut warnings);
    trace.record(Stage::Freshness, fresh)?;
    if trust.trust_list().is_none() && !matches!(status_list, Some((_, Some(_)))) {
        trace.set(Stage::Freshness, StepOutcome::Skipped);
    } else if !warnings.is_empty() {
        trace.set(Stage::Freshness, StepOutcome::Warned);
    }
    match status_list {
        None => trace.set(Stage::Revocation, StepOutcome::Skipped),
        Some((reference, list)) => {
            trace.record(Stage::Revocation, check_revocation(reference, list))?;
        }
    }
    let presentation = match (&received, holder_alg) {
        (Some(received), Some(alg)) => Some(trace.record(
            Stage::HolderBinding,
            match &claims.holder_key {
                None => Err(Reason::HolderKeyMissing),
                Some(key) => presentation::check_binding(
                    received,
                    alg,
                    key,
                    now,
                    policy,
                    context.options.challenge,
                    context.options.replay_cache,
                ),
            },
        )?),
        _ if claims.holder_key.is_some()
            || !policy.bare_credentials.contains(document.doc_type()) =>
        {
            return trace.record(Stage::HolderBinding, Err(Reason::PresentationRequired));
        }
        _ => {
            trace.set(Stage::HolderBinding, StepOutcome::Skipped);
            None
        }
    };

    let mut content_warnings = Vec::new();
    trace.record(
        Stage::Content,
        document.check_content(&mut content_warnings),
    )?;
    if content_warnings
        .iter()
        .any(|w| w.severity() == Severity::Warning)
    {
        trace.set(Stage::Content, StepOutcome::Warned);
    }
    warnings.append(&mut content_warnings);

    Ok(Verified {
        document,
        issuer: IssuerInfo {
            id: key.issuer.clone(),
            name: key.name.clone(),
        },
        kid,
        credential_id: claims.credential_id.map(<[u8]>::to_vec),
        issued_at: claims.issued_at,
        not_before: claims.not_before,
        expires_at: claims.expires_at,
        warnings,
        trace: *trace,
        verified_at: now,
        trust_data: *trust_data,
        presentation,
    })
}

/// Freshness stage: the trust list's age (when the keys came from one), then the age of
/// the credential's status list (when it has one and the verifier holds it).
fn check_freshness(
    trust: &TrustStore,
    status_list: Option<(StatusRef<'_>, Option<&std::sync::Arc<StatusListToken>>)>,
    now: UnixTime,
    policy: &Policy,
    warnings: &mut Vec<Warning>,
) -> Result<(), Reason> {
    if let Some(info) = trust.trust_list() {
        match policy
            .trust_list
            .state(info.issued_at.0, Some(info.next_update.0), now.0)
        {
            FreshnessState::Fresh => {}
            FreshnessState::Grace => warnings.push(Warning::TrustListStaleGrace),
            FreshnessState::Expired => return Err(Reason::TrustListStale),
        }
    }
    if let Some((_, Some(list))) = status_list {
        let use_until = list.expires_at().map(|t| t.0);
        match policy
            .status_list
            .state(list.issued_at().0, use_until, now.0)
        {
            FreshnessState::Fresh => {}
            FreshnessState::Grace => warnings.push(Warning::StatusListStaleGrace),
            FreshnessState::Expired => return Err(Reason::StatusListStale),
        }
    }
    Ok(())
}

/// Revocation stage: the credential's entry in its status list.
fn check_revocation(
    reference: StatusRef<'_>,
    list: Option<&std::sync::Arc<StatusListToken>>,
) -> Result<(), Reason> {
    let list = list.ok_or(Reason::StatusListMissing)?;
    match list.list().get(reference.index) {
        None => Err(Reason::StatusIndexOutOfRange),
        Some(status_list::VALID) => Ok(()),
        Some(status_list::SUSPENDED) => Err(Reason::CredentialSuspended),
        Some(_) => Err(Reason::CredentialRevoked),
    }
}

/// Claims stage for one trust entry: match the issuer, check what the key may sign and
/// what the policy accepts, then the document's shape.
fn claims_for(
    claims: &CredentialClaims<'_>,
    key: &TrustedKey,
    policy: &Policy,
) -> Result<(), Reason> {
    let doc_type = claims.doc_type()?;
    claims.check_required_for(doc_type)?;
    if claims.issuer.is_some_and(|issuer| issuer != key.issuer) {
        return Err(Reason::IssuerMismatch);
    }
    if !key.doc_types.contains(doc_type) {
        return Err(Reason::DocTypeNotAllowed);
    }
    if !policy.accepted_doc_types.contains(doc_type) {
        return Err(Reason::DocTypeNotAccepted);
    }
    claims.document().map(drop)
}

/// Time stage. Arithmetic saturates, so extreme claims cannot overflow into acceptance.
fn check_time(
    claims: &CredentialClaims<'_>,
    key: &TrustedKey,
    now: UnixTime,
    policy: &Policy,
) -> Result<(), Reason> {
    let leeway = i64::from(policy.leeway_seconds);
    let latest_acceptable = now.0.saturating_add(leeway);
    if claims
        .not_before
        .is_some_and(|nbf| nbf.0 > latest_acceptable)
    {
        return Err(Reason::CredentialNotYetValid);
    }
    if claims
        .issued_at
        .is_some_and(|iat| iat.0 > latest_acceptable)
    {
        return Err(Reason::CredentialIssuedInFuture);
    }
    if now.0 > claims.expires_at.0.saturating_add(leeway) {
        return Err(Reason::CredentialExpired);
    }
    let within_key_validity = |t: UnixTime| key.valid_from <= t && t <= key.valid_until;
    match claims.issued_at {
        Some(iat) if !within_key_validity(iat) => Err(Reason::KeyNotValidAtIssuance),
        // Without an issue time, the key must be valid now (as for an ISO mDL).
        None if !within_key_validity(now) => Err(Reason::KeyNotValidNow),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::{DocType, DocTypeSet};
    use crate::wire::crypto::IssuerSigningKey;
    use crate::{Issuer, Validity};

    const ISSUED: UnixTime = UnixTime(1_790_000_000);

    fn issuer() -> Issuer {
        Issuer::new(IssuerSigningKey::from_seed(&[3; 32]), "ID-TEST").unwrap()
    }

    fn entry(issuer: &Issuer, doc_types: DocTypeSet, valid_until: i64) -> TrustedKey {
        TrustedKey {
            issuer: issuer.id().into(),
            name: format!("entry until {valid_until}"),
            key: issuer.key().public_key(),
            valid_from: UnixTime(0),
            valid_until: UnixTime(valid_until),
            doc_types,
        }
    }

    fn kk_qr(issuer: &Issuer) -> String {
        let kk: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let validity = Validity::for_seconds(ISSUED, 3600);
        issuer
            .issue(
                &kk,
                validity,
                &crate::IssueOptions::default().with_credential_id(vec![1]),
            )
            .unwrap()
            .0
            .to_qr_text()
    }

    #[test]
    fn one_key_in_two_entries_uses_the_entry_that_allows_the_document() {
        let issuer = issuer();
        let mut trust = TrustStore::new();
        trust.add(entry(
            &issuer,
            DocTypeSet::NONE.with(DocType::Ktp),
            2_000_000_000,
        ));
        trust.add(entry(
            &issuer,
            DocTypeSet::NONE.with(DocType::Kk),
            2_000_000_000,
        ));
        let verified = verify(&kk_qr(&issuer), &trust, ISSUED, &Policy::new()).unwrap();
        assert_eq!(verified.document().doc_type(), DocType::Kk);
        assert_eq!(verified.trace().outcome(Stage::Claims), StepOutcome::Passed);
    }

    #[test]
    fn when_every_entry_fails_the_latest_stage_is_reported() {
        let issuer = issuer();
        let mut trust = TrustStore::new();
        // Fails at the claims stage: may not sign a KK.
        trust.add(entry(
            &issuer,
            DocTypeSet::NONE.with(DocType::Ktp),
            2_000_000_000,
        ));
        // Fails at the time stage: its window ended before the credential was issued.
        trust.add(entry(&issuer, DocTypeSet::all(), ISSUED.0 - 1));
        let rejection = verify(&kk_qr(&issuer), &trust, ISSUED, &Policy::new()).unwrap_err();
        assert_eq!(rejection.code(), "key_not_valid_at_issuance");
        assert_eq!(
            rejection.trace().outcome(Stage::Claims),
            StepOutcome::Passed
        );
        assert_eq!(rejection.trace().outcome(Stage::Time), StepOutcome::Failed);
        assert_eq!(
            rejection.trace().outcome(Stage::Content),
            StepOutcome::NotReached
        );
    }

    #[test]
    fn times_past_year_9999_are_refused_at_issue_and_at_verification() {
        let issuer = issuer();
        let kk: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let beyond = Validity {
            issued_at: ISSUED,
            not_before: None,
            expires_at: UnixTime(crate::wire::limits::MAX_NUMERIC_DATE + 1),
        };
        assert_eq!(
            issuer
                .issue(&kk, beyond, &crate::IssueOptions::default())
                .unwrap_err(),
            crate::IssueError::InvalidValidity
        );
        let last = Validity {
            expires_at: UnixTime(crate::wire::limits::MAX_NUMERIC_DATE),
            ..beyond
        };
        let qr = issuer
            .issue(&kk, last, &crate::IssueOptions::default())
            .unwrap()
            .0
            .to_qr_text();
        let mut trust = TrustStore::new();
        trust.add(entry(&issuer, DocTypeSet::all(), 2_000_000_000));
        let verified = verify(&qr, &trust, ISSUED, &Policy::new()).unwrap();
        assert_eq!(verified.expires_at().to_string(), "9999-12-31T23:59:59Z");
    }
}
