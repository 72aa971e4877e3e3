//! The runner protocol (README.md §Runner protocol): how the runner asks any
//! implementation for a verdict, and how it compares the verdict with a vector's
//! expectation.
//!
//! A [`Request`] carries everything one verification needs, with nothing left to a
//! default: the QR text, the clock, the trust data itself (not a name), the policy and
//! the challenge. The answer is the verdict JSON of `spec/schemas/verdict.schema.json`
//! (what `ikd verify --json` prints and `POST /v1/verify` returns), or
//! `{"unsupported": "…"}` for inputs the implementation cannot be set up for.

use crate::format::{
    ChallengeSpec, Expected, FreshnessSpec, RejectedOutcome, StatusListJson, TrustListJson,
    TrustStoreJson, ValidOutcome, Vector, VectorFile,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `protocol` value of every request of this version.
pub const PROTOCOL: &str = "ikd-conformance-protocol/1";

/// The presentation leeway a vector means when it does not say (spec/format.md §17.3).
pub const DEFAULT_PRESENTATION_LEEWAY_SECONDS: u32 = 30;
/// The largest presentation age a vector means when it does not say.
pub const DEFAULT_PRESENTATION_MAX_AGE_SECONDS: u32 = 90;

/// One verification to make: one vector's inputs, self-contained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Always [`PROTOCOL`].
    pub protocol: String,
    /// The vector's id, for logs; it does not change the verdict.
    pub id: String,
    /// The QR text, exactly as scanned.
    pub qr: String,
    /// The verifier's clock, Unix seconds.
    pub now: i64,
    /// Where the issuer keys come from.
    pub trust: TrustInput,
    /// Status list tokens to verify against those keys and hold, by URI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_lists: Vec<StatusListJson>,
    /// The verifier's policy, every member explicit.
    pub policy: RequestPolicy,
    /// The challenge the verifier showed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<ChallengeSpec>,
    /// Keep a replay cache for this request, verify `qr` once, then again, and answer the
    /// second outcome.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay: bool,
    /// The verifier's replay store cannot answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay_store_unavailable: bool,
}

/// The trust data of a request: exactly one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TrustInput {
    /// A trust store in its JSON form (spec/format.md §9.1), entry order kept.
    TrustStore(TrustStoreJson),
    /// A signed trust list and the roots that verify it (§9.2).
    TrustList(TrustListJson),
}

/// A request's policy: nothing is left to an implementation's defaults, except the
/// freshness rules when absent (the vector does not depend on them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPolicy {
    /// The credential's clock-skew leeway, seconds.
    pub leeway_seconds: u32,
    /// The document types accepted.
    pub accepted_doc_types: Vec<String>,
    /// The document types accepted bare, without a presentation.
    pub bare_credentials: Vec<String>,
    /// The presentation's own leeway, seconds.
    pub presentation_leeway_seconds: u32,
    /// The largest age of a presentation, seconds.
    pub presentation_max_age_seconds: u32,
    /// Freshness rules; absent: the implementation's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<FreshnessSpec>,
}

/// What an implementation answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A verdict JSON object.
    Verdict(Value),
    /// The implementation cannot be set up for these inputs; the text says why.
    Unsupported(String),
}

impl Answer {
    /// Reads one answer: `{"unsupported": "…"}`, `{"error": "…"}` (an error of the
    /// adapter, reported as a failure) or a verdict object.
    pub fn from_json(value: Value) -> Result<Answer, String> {
        if let Some(why) = value.get("unsupported") {
            return Ok(Answer::Unsupported(
                why.as_str().unwrap_or("no reason given").to_owned(),
            ));
        }
        if let Some(error) = value.get("error") {
            return Err(format!(
                "the implementation reported an error: {}",
                error.as_str().unwrap_or("(not a string)")
            ));
        }
        if !value.is_object() {
            return Err("the answer is not a JSON object".into());
        }
        Ok(Answer::Verdict(value))
    }
}

/// Anything the runner can ask for verdicts: the SDK in-process, a command speaking the
/// protocol on its standard input and output, or an HTTP endpoint.
pub trait Target {
    /// Verifies what `request` describes.
    fn answer(&mut self, request: &Request) -> Result<Answer, String>;
}

/// Builds the request of `vector`, resolving the names it uses in `file`.
pub fn request_of(vector: &Vector, file: &VectorFile) -> Result<Request, String> {
    let trust = match (&vector.trust_store, &vector.trust_list) {
        (Some(name), None) => TrustInput::TrustStore(
            file.trust_stores
                .get(name)
                .cloned()
                .ok_or_else(|| format!("no trust store {name:?} in the file"))?,
        ),
        (None, Some(name)) => TrustInput::TrustList(
            file.trust_lists
                .get(name)
                .cloned()
                .ok_or_else(|| format!("no trust list {name:?} in the file"))?,
        ),
        _ => return Err("give exactly one of trust_store and trust_list".into()),
    };
    let status_lists = vector
        .status_lists
        .iter()
        .map(|name| {
            file.status_lists
                .get(name)
                .cloned()
                .ok_or_else(|| format!("no status list {name:?} in the file"))
        })
        .collect::<Result<_, _>>()?;
    let policy = &vector.policy;
    let all_types = || {
        ikd_sdk::DocType::ALL
            .iter()
            .map(|t| t.name().to_owned())
            .collect()
    };
    Ok(Request {
        protocol: PROTOCOL.to_owned(),
        id: vector.id.clone(),
        qr: vector.qr.clone(),
        now: vector.now,
        trust,
        status_lists,
        policy: RequestPolicy {
            leeway_seconds: policy.leeway_seconds,
            accepted_doc_types: policy.accepted_doc_types.clone(),
            bare_credentials: policy.bare_credentials.clone().unwrap_or_else(all_types),
            presentation_leeway_seconds: policy
                .presentation_leeway_seconds
                .unwrap_or(DEFAULT_PRESENTATION_LEEWAY_SECONDS),
            presentation_max_age_seconds: policy
                .presentation_max_age_seconds
                .unwrap_or(DEFAULT_PRESENTATION_MAX_AGE_SECONDS),
            freshness: policy.freshness,
        },
        challenge: vector.challenge.clone(),
        replay: vector.replay,
        replay_store_unavailable: vector.replay_store_unavailable,
    })
}

/// How a verdict compared with the expectation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// What differed, as `what: expected X, got Y`.
    pub differences: Vec<String>,
    /// Details the vector states but the verdict does not carry (not compared).
    pub not_compared: Vec<&'static str>,
}

impl Comparison {
    fn check<T: PartialEq + core::fmt::Debug>(&mut self, what: &str, expected: &T, actual: &T) {
        if expected != actual {
            self.differences
                .push(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Compares an optional detail: only when the vector states it, and only when the
    /// verdict carries it.
    fn detail<T: PartialEq + core::fmt::Debug>(
        &mut self,
        what: &'static str,
        expected: Option<&T>,
        actual: Option<T>,
    ) {
        match (expected, actual) {
            (Some(expected), Some(actual)) => self.check(what, expected, &actual),
            (Some(_), None) => self.not_compared.push(what),
            (None, _) => {}
        }
    }
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn number(value: &Value, pointer: &str) -> Option<u64> {
    value.pointer(pointer).and_then(Value::as_u64)
}

/// Compares a verdict JSON object with what the vector expects.
pub fn compare(expected: &Expected, verdict: &Value) -> Comparison {
    let mut c = Comparison::default();
    let got = text(verdict, "/verdict");
    match expected {
        Expected::Valid(expected) => {
            if got.as_deref() != Some("valid") {
                c.differences.push(format!(
                    "expected valid, got {} {}",
                    got.as_deref().unwrap_or("no verdict"),
                    text(verdict, "/reason/code").unwrap_or_default()
                ));
                return c;
            }
            compare_valid(&mut c, expected, verdict);
        }
        Expected::Rejected(expected) => {
            if got.as_deref() != Some("rejected") {
                c.differences.push(format!(
                    "expected rejection {} at {}, got {}",
                    expected.reason_code,
                    expected.stage,
                    got.as_deref().unwrap_or("no verdict")
                ));
                return c;
            }
            compare_rejected(&mut c, expected, verdict);
        }
    }
    c
}

fn compare_valid(c: &mut Comparison, expected: &ValidOutcome, verdict: &Value) {
    c.check(
        "issuer",
        &Some(expected.issuer.clone()),
        &text(verdict, "/issuer/id"),
    );
    c.check(
        "issuer_name",
        &Some(expected.issuer_name.clone()),
        &text(verdict, "/issuer/name"),
    );
    c.check("kid", &Some(expected.kid.clone()), &text(verdict, "/kid"));
    c.check(
        "doc_type",
        &Some(expected.doc_type.clone()),
        &text(verdict, "/doc_type"),
    );
    if let Some(nik) = &expected.nik {
        c.check("nik", &Some(nik.clone()), &text(verdict, "/document/nik"));
    }
    if let Some(nomor_kk) = &expected.nomor_kk {
        c.check(
            "nomor_kk",
            &Some(nomor_kk.clone()),
            &text(verdict, "/document/nomor_kk"),
        );
    }
    if let Some(niks) = &expected.member_niks {
        let got: Option<Vec<String>> = verdict
            .pointer("/document/anggota")
            .and_then(Value::as_array)
            .map(|members| {
                members
                    .iter()
                    .map(|m| text(m, "/nik").unwrap_or_default())
                    .collect()
            });
        c.check("member_niks", &Some(niks.clone()), &got);
    }
    let warnings: Vec<(String, String)> = verdict
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|w| {
            (
                text(w, "/code").unwrap_or_default(),
                text(w, "/field").unwrap_or_default(),
            )
        })
        .collect();
    let expected_warnings: Vec<(String, String)> = expected
        .warnings
        .iter()
        .map(|w| (w.code.clone(), w.field.clone()))
        .collect();
    c.check("warnings", &expected_warnings, &warnings);
    c.detail(
        "trust_list_sequence",
        expected.trust_list_sequence.as_ref(),
        number(verdict, "/trust_data/sequence"),
    );
}

fn compare_rejected(c: &mut Comparison, expected: &RejectedOutcome, verdict: &Value) {
    c.check(
        "reason_code",
        &Some(expected.reason_code.clone()),
        &text(verdict, "/reason/code"),
    );
    c.check(
        "stage",
        &Some(expected.stage.clone()),
        &text(verdict, "/reason/stage"),
    );
    c.detail(
        "field",
        expected.field.as_ref(),
        text(verdict, "/reason/field"),
    );
    c.detail(
        "claim",
        expected.claim.as_ref(),
        text(verdict, "/reason/claim"),
    );
    c.detail("tag", expected.tag.as_ref(), number(verdict, "/reason/tag"));
    c.detail(
        "doc_type_number",
        expected.doc_type_number.as_ref(),
        number(verdict, "/reason/doc_type_number"),
    );
    c.detail(
        "siak_code",
        expected.siak_code.as_ref(),
        number(verdict, "/reason/siak_code"),
    );
}
