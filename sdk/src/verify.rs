//! The verification pipeline (spec/format.md §Verification): every stage, in order.

use crate::claims::CredentialClaims;
use crate::cose::{self, MessageType};
use crate::crypto::Kid;
use crate::document::{self, Document};
use crate::limits::MAX_KID_CANDIDATES;
use crate::policy::Policy;
use crate::reason::{Reason, Stage, Warning};
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
}

impl Verified {
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

    let signed = message.signed_bytes();
    let key = trace.record(
        Stage::Signature,
        trust
            .candidates(kid)
            .take(MAX_KID_CANDIDATES)
            .find(|candidate| candidate.key.verify_strict(&signed, message.signature()))
            .ok_or(Reason::SignatureInvalid),
    )?;

    let (claims, document) =
        trace.record(Stage::Claims, claims_for(message.payload(), key, policy))?;

    trace.record(Stage::Time, check_time(&claims, key, now, policy))?;

    for stage in [Stage::Freshness, Stage::Revocation, Stage::HolderBinding] {
        trace.set(stage, StepOutcome::Skipped);
    }

    let mut warnings = Vec::new();
    trace.record(Stage::Content, document.check_content(&mut warnings))?;
    if !warnings.is_empty() {
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
    })
}

/// Claims stage: decode the claims, match the issuer, check what the key may sign and what
/// the policy accepts, then read the document's shape.
fn claims_for<'a>(
    payload: &'a [u8],
    key: &TrustedKey,
    policy: &Policy,
) -> Result<(CredentialClaims<'a>, Document), Reason> {
    let claims = CredentialClaims::decode(payload)?;
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
    let document = claims.document()?;
    Ok((claims, document))
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
