//! The JSON form of a verdict: what `ikd verify --json` prints and the verification service
//! returns (spec/schemas/verdict.schema.json).
//!
//! A [`Report`] describes a verification result; it is not a proof. Only a [`Verified`]
//! value, which [`crate::verify`] alone constructs, proves that a credential was verified.
//!
//! ```
//! use ikd_sdk::{Report, verify, Policy, TrustStore, UnixTime};
//!
//! let result = verify("https://example.com", &TrustStore::new(), UnixTime(0), &Policy::default());
//! let report = Report::new(&result);
//! let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
//! assert_eq!(json["verdict"], "rejected");
//! assert_eq!(json["reason"]["code"], "not_ikd_credential");
//! assert_eq!(json["reason"]["message_id"], "Kode QR ini bukan kredensial IKD.");
//! ```

use crate::codes::{Reason, Warning};
use crate::model::document::{DocType, Document};
use crate::output::display::{self, DisplayLanguages, DisplaySection};
use crate::verification::pipeline::{Rejection, Trace, TrustDataInfo, Verified};
use crate::verification::presentation::PresentationInfo;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The outcome in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every stage passed (possibly with warnings).
    Valid,
    /// A stage rejected the credential.
    Rejected,
}

/// The JSON form of a verification result.
///
/// The fields after `warnings` are present only for a valid credential; `reason` only for
/// a rejected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// `valid` or `rejected`.
    pub verdict: Verdict,
    /// Why the credential was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReasonReport>,
    /// Every stage with its outcome, in order.
    pub trace: Vec<TraceStep>,
    /// Soft findings on a valid credential (empty for a rejected one).
    pub warnings: Vec<WarningReport>,
    /// The document type (`ktp`, `kk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<DocType>,
    /// Who issued the credential, as the trust store names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerReport>,
    /// The signing key's identifier, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `iat`, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// `nbf`, RFC 3339 UTC, when the credential states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// `exp`, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The verified document, in its JSON form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Document>,
    /// The document laid out as printed: labelled rows with codes beside their labels and
    /// region names resolved (`crate::output::display`), labels in the languages asked
    /// for; absent when none were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<DisplaySection>>,
    /// How fresh the trust data was: present in every report, valid or rejected.
    #[serde(default)]
    pub trust_data: TrustDataReport,
    /// The holder's presentation, when a valid credential came inside one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentation: Option<PresentationReport>,
}

/// A verified presentation, in the JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationReport {
    /// The device key's algorithm: `EdDSA` or `ES256`.
    pub alg: String,
    /// When the holder's phone signed it, RFC 3339 UTC.
    pub issued_at: String,
    /// When it stops being valid, RFC 3339 UTC: a screen can count down to it.
    pub expires_at: String,
    /// The verifier nonce it bound, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The verifier it was made for, if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

impl From<&PresentationInfo> for PresentationReport {
    fn from(info: &PresentationInfo) -> Self {
        PresentationReport {
            alg: info.alg.name().to_owned(),
            issued_at: info.issued_at.to_string(),
            expires_at: info.expires_at.to_string(),
            nonce: info.nonce.clone(),
            audience: info.audience.clone(),
        }
    }
}

/// Where the verifier's keys came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustSource {
    /// Local configuration (the JSON trust store): no sequence, no age.
    #[default]
    Local,
    /// A verified signed trust list.
    TrustList,
}

/// The trust data of a verification, in the JSON form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDataReport {
    /// `local` or `trust_list`.
    pub source: TrustSource,
    /// The trust list's sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// When the trust list was issued, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// When the next trust list is due, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// Seconds from the trust list's issue to the verification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// The status list consulted, if one was. Its URI is not reported: it would tell which
    /// group of credentials the holder's belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list: Option<StatusListReport>,
}

/// The status list a verification consulted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusListReport {
    /// Its `iat`, RFC 3339 UTC.
    pub issued_at: String,
    /// Its `exp`, RFC 3339 UTC, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Seconds from its issue to the verification time.
    pub age_seconds: u64,
}

impl From<&TrustDataInfo> for TrustDataReport {
    fn from(info: &TrustDataInfo) -> Self {
        let list = info.trust_list.as_ref();
        TrustDataReport {
            source: if list.is_some() {
                TrustSource::TrustList
            } else {
                TrustSource::Local
            },
            sequence: list.map(|l| l.sequence),
            issued_at: list.map(|l| l.issued_at.to_string()),
            next_update: list.map(|l| l.next_update.to_string()),
            age_seconds: list.map(|l| l.age_seconds),
            status_list: info.status_list.map(|s| StatusListReport {
                issued_at: s.issued_at.to_string(),
                expires_at: s.expires_at.map(|t| t.to_string()),
                age_seconds: s.age_seconds,
            }),
        }
    }
}

/// A rejection reason: the stable code, its stage and its registry messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonReport {
    /// The stable snake_case reason code.
    pub code: String,
    /// The stage that rejected the credential.
    pub stage: String,
    /// The document field at fault (`nik`, `anggota[2].shdk`), for document reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The CWT claim at fault (`iss`, `exp`, `payload`, …), for `claims_malformed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// What the code means, in English.
    pub message_en: String,
    /// What the code means, in Bahasa Indonesia.
    pub message_id: String,
}

impl From<&Reason> for ReasonReport {
    fn from(reason: &Reason) -> Self {
        let info = reason.info();
        ReasonReport {
            code: info.code.to_owned(),
            stage: info.stage.as_str().to_owned(),
            field: reason.field().map(|f| f.to_string()),
            claim: match reason {
                Reason::ClaimsMalformed { claim } => Some((*claim).to_owned()),
                _ => None,
            },
            message_en: info.en.to_owned(),
            message_id: info.id.to_owned(),
        }
    }
}

/// One stage of the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceStep {
    /// The stage's stable name.
    pub stage: Cow<'static, str>,
    /// `passed`, `warned`, `failed`, `skipped` or `not_reached`.
    pub outcome: Cow<'static, str>,
}

/// A soft finding on a valid credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningReport {
    /// The stable snake_case warning code.
    pub code: String,
    /// The document field it concerns.
    pub field: String,
    /// What it means, in English.
    pub message_en: String,
    /// What it means, in Bahasa Indonesia.
    pub message_id: String,
    /// `warning`, or `info` for findings that are normal in real documents.
    pub severity: String,
    /// What the message refers to: the last list that had a NIK prefix, or the region
    /// table consulted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&Warning> for WarningReport {
    fn from(warning: &Warning) -> Self {
        let info = warning.info();
        WarningReport {
            code: info.code.to_owned(),
            field: warning.field().to_string(),
            message_en: info.en.to_owned(),
            message_id: info.id.to_owned(),
            severity: warning.severity().as_str().to_owned(),
            detail: warning.detail().map(str::to_owned),
        }
    }
}

/// The issuer of a valid credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerReport {
    /// The issuer identifier (`iss`).
    pub id: String,
    /// The display name from the trust store.
    pub name: String,
}

fn trace_steps(trace: &Trace) -> Vec<TraceStep> {
    trace
        .steps()
        .map(|(stage, outcome)| TraceStep {
            stage: Cow::Borrowed(stage.as_str()),
            outcome: Cow::Borrowed(outcome.as_str()),
        })
        .collect()
}

impl Report {
    /// The report of a verification result, display rows in both languages.
    pub fn new(result: &Result<Verified, Rejection>) -> Self {
        Report::new_with(result, DisplayLanguages::Both)
    }

    /// The report of a verification result, display rows in `languages` (none: no
    /// `display` member).
    pub fn new_with(result: &Result<Verified, Rejection>, languages: DisplayLanguages) -> Self {
        match result {
            Ok(verified) => Report::valid_with(verified, languages),
            Err(rejection) => Report::rejected(rejection),
        }
    }

    /// The report of a verified credential, including its document, display rows in both
    /// languages.
    pub fn valid(verified: &Verified) -> Self {
        Report::valid_with(verified, DisplayLanguages::Both)
    }

    /// The report of a verified credential, including its document, display rows in
    /// `languages`.
    pub fn valid_with(verified: &Verified, languages: DisplayLanguages) -> Self {
        let mut report = Report::valid_without_document(verified, languages);
        report.document = Some(verified.document().clone());
        report
    }

    /// The report of a verified credential with no `document` member, for callers that
    /// put a part of the document in its place.
    pub(crate) fn valid_without_document(verified: &Verified, languages: DisplayLanguages) -> Self {
        let display = display::sections_in(verified.document(), languages);
        Report {
            verdict: Verdict::Valid,
            reason: None,
            trace: trace_steps(verified.trace()),
            warnings: verified
                .warnings()
                .iter()
                .map(WarningReport::from)
                .collect(),
            doc_type: Some(verified.document().doc_type()),
            issuer: Some(IssuerReport {
                id: verified.issuer().id.clone(),
                name: verified.issuer().name.clone(),
            }),
            kid: Some(verified.kid().to_hex()),
            issued_at: verified.issued_at().map(|t| t.to_string()),
            not_before: verified.not_before().map(|t| t.to_string()),
            expires_at: Some(verified.expires_at().to_string()),
            document: None,
            display: (!display.is_empty()).then_some(display),
            trust_data: TrustDataReport::from(verified.trust_data()),
            presentation: verified.presentation().map(PresentationReport::from),
        }
    }

    /// The report of a rejection. It holds nothing read from the credential.
    pub fn rejected(rejection: &Rejection) -> Self {
        Report {
            verdict: Verdict::Rejected,
            reason: Some(ReasonReport::from(rejection.reason())),
            trace: trace_steps(rejection.trace()),
            warnings: Vec::new(),
            doc_type: None,
            issuer: None,
            kid: None,
            issued_at: None,
            not_before: None,
            expires_at: None,
            document: None,
            display: None,
            trust_data: TrustDataReport::from(rejection.trust_data()),
            presentation: None,
        }
    }

    /// Whether the credential was valid.
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing these plain structures into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON, for people.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl From<&Verified> for Report {
    fn from(verified: &Verified) -> Self {
        Report::valid(verified)
    }
}

impl From<&Rejection> for Report {
    fn from(rejection: &Rejection) -> Self {
        Report::rejected(rejection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::document::DocTypeSet;
    use crate::model::time::UnixTime;
    use crate::trust::store::{TrustStore, TrustedKey};
    use crate::verification::policy::tests::bare_accepted;
    use crate::{Issuer, Validity};
    use crate::{IssuerSigningKey, verify};
    use serde_json::{Value, json};

    const ISSUED: UnixTime = UnixTime(1_790_000_000);

    fn setup(sample: &str) -> (String, TrustStore) {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[9; 32]), "ID-3273").unwrap();
        let document: Document = serde_json::from_str(sample).unwrap();
        let (credential, _) = issuer
            .issue(
                &document,
                Validity::for_seconds(ISSUED, 3600),
                &crate::IssueOptions::default(),
            )
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add(TrustedKey {
            issuer: "ID-3273".into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(0),
            valid_until: UnixTime(2_000_000_000),
            doc_types: DocTypeSet::all(),
        });
        (credential.to_qr_text(), trust)
    }

    fn report_json(qr: &str, trust: &TrustStore, now: UnixTime) -> Value {
        let report = Report::new(&verify(qr, trust, now, &bare_accepted()));
        let json: Value = serde_json::from_str(&report.to_json()).unwrap();
        let back: Report = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, report, "the JSON form reads back");
        json
    }

    #[test]
    fn valid_report_carries_the_document() {
        let (qr, trust) = setup(crate::model::samples::KTP_JSON);
        let json = report_json(&qr, &trust, UnixTime(ISSUED.0 + 10));
        assert_eq!(json["verdict"], "valid");
        assert!(json.get("reason").is_none());
        assert_eq!(json["doc_type"], "ktp");
        assert_eq!(
            json["issuer"],
            json!({"id": "ID-3273", "name": "Disdukcapil Kota Bandung"})
        );
        assert_eq!(
            json["kid"],
            IssuerSigningKey::from_seed(&[9; 32]).kid().to_hex()
        );
        assert_eq!(json["issued_at"], "2026-09-21T14:13:20Z");
        assert_eq!(json["expires_at"], "2026-09-21T15:13:20Z");
        assert!(json.get("not_before").is_none());
        let sample: Value = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        assert_eq!(json["document"], sample);
        assert_eq!(json["warnings"], json!([]));
        let trace = json["trace"].as_array().unwrap();
        assert_eq!(trace.len(), 9);
        assert_eq!(trace[0], json!({"stage": "decode", "outcome": "passed"}));
        assert_eq!(
            trace[5],
            json!({"stage": "freshness", "outcome": "skipped"})
        );
    }

    #[test]
    fn rejected_report_holds_only_the_reason_and_trace() {
        let (qr, trust) = setup(crate::model::samples::KK_4_JSON);
        let json = report_json(&qr, &trust, UnixTime(ISSUED.0 + 7200));
        assert_eq!(json["verdict"], "rejected");
        assert_eq!(
            json["reason"],
            json!({
                "code": "credential_expired",
                "stage": "time",
                "message_en": "The credential has expired.",
                "message_id": "Kredensial sudah kedaluwarsa.",
            })
        );
        for absent in [
            "doc_type",
            "issuer",
            "kid",
            "issued_at",
            "expires_at",
            "document",
        ] {
            assert!(json.get(absent).is_none(), "{absent}");
        }
        let outcomes: Vec<&str> = json["trace"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes,
            ["passed", "passed", "passed", "passed", "failed"]
                .into_iter()
                .chain(["not_reached"; 4])
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn reason_fields_and_warnings() {
        let field = crate::codes::FieldPath::member(2, "shdk");
        let report = ReasonReport::from(&Reason::SiakCodeInvalid { field, code: 99 });
        assert_eq!(report.field.as_deref(), Some("anggota[2].shdk"));
        assert_eq!(report.stage, "content");
        assert_eq!(report.claim, None);
        let claims = ReasonReport::from(&Reason::ClaimsMalformed { claim: "iss" });
        assert_eq!((claims.field, claims.claim.as_deref()), (None, Some("iss")));

        let warning = Warning::NikSexMismatch {
            field: crate::codes::FieldPath::top("nik"),
        };
        let w = WarningReport::from(&warning);
        assert_eq!(
            (w.code.as_str(), w.field.as_str()),
            ("nik_sex_mismatch", "nik")
        );
        assert!(w.message_id.starts_with("Jenis kelamin"));
    }
}
