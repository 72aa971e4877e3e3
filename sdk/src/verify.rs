//! The verification pipeline (spec/format.md §Verification): every stage, in order.

use crate::claims::CredentialClaims;
use crate::cose::{self, MessageType};
use crate::crypto::Kid;
use crate::document::{self, Document};
use crate::limits::MAX_KID_CANDIDATES;
use crate::policy::Policy;
use crate::reason::{Reason, Severity, Stage, Warning};
use crate::time::UnixTime;
use crate::transport;
use crate::trust::{TrustStore, TrustedKey};
use core::fmt;

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
    issued_at: UnixTime,
    not_before: Option<UnixTime>,
    expires_at: UnixTime,
    warnings: Vec<Warning>,
    trace: Trace,
    verified_at: UnixTime,
}

impl Verified {
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

    /// When it was issued.
    pub fn issued_at(&self) -> UnixTime {
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
}

/// Verifies a credential's QR text against the trust store at time `now`.
///
/// Runs every stage in order and stops at the first rejection. Never panics, never reads
/// the clock, and does no I/O.
pub fn verify(
    qr_text: &str,
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    let mut trace = Trace::new();
    match run(qr_text, trust, now, policy, &mut trace) {
        Ok(verified) => Ok(Verified { trace, ..verified }),
        Err(reason) => Err(Rejection { reason, trace }),
    }
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
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
    trace: &mut Trace,
) -> Result<Verified, Reason> {
    let bytes = trace.record(Stage::Decode, transport::decode_qr_text(qr_text))?;
    let message = trace.record(Stage::Decode, cose::parse(&bytes))?;

    let kid = trace.record(
        Stage::Header,
        message
            .check_header(MessageType::Credential)
            .and_then(|kid| match trust.candidates(kid).next() {
                Some(_) => Ok(kid),
                None => Err(Reason::KidUnknown),
            }),
    )?;

    // Several entries may share a kid, and one public key may appear in several entries
    // (say, one per document type). Every entry whose key verifies the signature is a
    // candidate issuer; the first that also passes the claims and time checks is used.
    let signed = message.signed_bytes();
    let mut signers: Vec<&TrustedKey> = Vec::new();
    let mut refused: Vec<&TrustedKey> = Vec::new();
    for candidate in trust.candidates(kid) {
        let same_key = |k: &&TrustedKey| k.key == candidate.key;
        if signers.iter().any(same_key) {
            signers.push(candidate);
        } else if refused.iter().any(same_key) {
            continue;
        } else if signers.len() + refused.len() < MAX_KID_CANDIDATES {
            // The budget counts signature checks: entries repeating a checked key are free.
            if candidate.key.verify_strict(&signed, message.signature()) {
                signers.push(candidate);
            } else {
                refused.push(candidate);
            }
        }
    }
    trace.record(
        Stage::Signature,
        if signers.is_empty() {
            Err(Reason::SignatureInvalid)
        } else {
            Ok(())
        },
    )?;

    let claims = trace.record(Stage::Claims, CredentialClaims::decode(message.payload()))?;
    // The most specific failure is the one from the latest stage.
    let mut failure: Option<(Stage, Reason)> = None;
    let mut accepted = None;
    for key in signers {
        let outcome = claims_for(&claims, key, policy)
            .map_err(|reason| (Stage::Claims, reason))
            .and_then(|document| {
                check_time(&claims, key, now, policy)
                    .map(|()| document)
                    .map_err(|reason| (Stage::Time, reason))
            });
        match outcome {
            Ok(document) => {
                accepted = Some((key, document));
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
        (Some(accepted), _) => {
            trace.set(Stage::Time, StepOutcome::Passed);
            accepted
        }
        (None, Some((stage, reason))) => {
            if stage == Stage::Time {
                trace.set(Stage::Claims, StepOutcome::Passed);
            }
            return trace.record(stage, Err(reason));
        }
        (None, None) => return trace.record(Stage::Signature, Err(Reason::SignatureInvalid)),
    };

    for stage in [Stage::Freshness, Stage::Revocation, Stage::HolderBinding] {
        trace.set(stage, StepOutcome::Skipped);
    }

    let mut warnings = Vec::new();
    trace.record(Stage::Content, document.check_content(&mut warnings))?;
    if warnings.iter().any(|w| w.severity() == Severity::Warning) {
        trace.set(Stage::Content, StepOutcome::Warned);
    }

    Ok(Verified {
        document,
        issuer: IssuerInfo {
            id: claims.issuer.to_owned(),
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
    })
}

/// Claims stage for one trust entry: match the issuer, check what the key may sign and
/// what the policy accepts, then read the document's shape.
fn claims_for(
    claims: &CredentialClaims<'_>,
    key: &TrustedKey,
    policy: &Policy,
) -> Result<Document, Reason> {
    if claims.issuer != key.issuer {
        return Err(Reason::IssuerMismatch);
    }
    let doc_type = document::document_type(&claims.document)?;
    if !key.doc_types.contains(doc_type) {
        return Err(Reason::DocTypeNotAllowed);
    }
    if !policy.accepted_doc_types.contains(doc_type) {
        return Err(Reason::DocTypeNotAccepted);
    }
    claims.document()
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
    if claims.issued_at.0 > latest_acceptable {
        return Err(Reason::CredentialIssuedInFuture);
    }
    if now.0 > claims.expires_at.0.saturating_add(leeway) {
        return Err(Reason::CredentialExpired);
    }
    if claims.issued_at < key.valid_from || claims.issued_at > key.valid_until {
        return Err(Reason::KeyNotValidAtIssuance);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::IssuerSigningKey;
    use crate::document::{DocType, DocTypeSet};
    use crate::issue::{Issuer, Validity};

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
        let kk: Document = serde_json::from_str(crate::samples::KK_4_JSON).unwrap();
        let validity = Validity::for_seconds(ISSUED, 3600);
        issuer
            .issue(&kk, validity, Some(vec![1]))
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
        let kk: Document = serde_json::from_str(crate::samples::KK_4_JSON).unwrap();
        let beyond = Validity {
            issued_at: ISSUED,
            not_before: None,
            expires_at: UnixTime(crate::limits::MAX_NUMERIC_DATE + 1),
        };
        assert_eq!(
            issuer.issue(&kk, beyond, None).unwrap_err(),
            crate::issue::IssueError::InvalidValidity
        );
        let last = Validity {
            expires_at: UnixTime(crate::limits::MAX_NUMERIC_DATE),
            ..beyond
        };
        let qr = issuer.issue(&kk, last, None).unwrap().0.to_qr_text();
        let mut trust = TrustStore::new();
        trust.add(entry(&issuer, DocTypeSet::all(), 2_000_000_000));
        let verified = verify(&qr, &trust, ISSUED, &Policy::new()).unwrap();
        assert_eq!(verified.expires_at().to_string(), "9999-12-31T23:59:59Z");
    }
}
