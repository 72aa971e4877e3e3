//! Every conformance vector through the facade's public API only: the verdicts pass, are
//! identical to the SDK's in-process verdicts, and validate against the verdict schemas.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_conformance::protocol::{Request, TrustInput};
use ikd_conformance::{Answer, SdkTarget, Target, run_target, vectors_dir};
use ikd_facade::{Challenge, Outcome, Policy, ReplayMode, Roots, TrustData, Verifier};
use serde_json::Value;
use std::collections::BTreeSet;

/// Verifies one request with the facade, as a binding would.
fn outcome_of(request: &Request) -> Result<Outcome, String> {
    let text = |e: ikd_facade::Error| e.to_string();
    let mut trust = match &request.trust {
        TrustInput::TrustStore(json) => {
            let json = serde_json::to_string(json).map_err(|e| e.to_string())?;
            TrustData::from_store_json(&json).map_err(text)?
        }
        TrustInput::TrustList(list) => {
            let roots = Roots::from_hex_keys(&list.roots).map_err(text)?;
            TrustData::from_trust_list(&hex(&list.token)?, &roots).map_err(text)?
        }
    };
    for status_list in &request.status_lists {
        trust
            .add_status_list(&hex(&status_list.token)?)
            .map_err(text)?;
    }
    // The protocol's policy object is the facade's policy JSON form, every member given.
    let policy_json = serde_json::to_string(&request.policy).map_err(|e| e.to_string())?;
    let policy = Policy::from_json(&policy_json).map_err(text)?;
    let mut verifier = Verifier::new(trust, policy);
    if request.replay_store_unavailable {
        verifier
            .set_replay_mode(ReplayMode::Unavailable)
            .map_err(text)?;
    } else if request.replay {
        verifier
            .set_replay_mode(ReplayMode::Local { capacity: 16 })
            .map_err(text)?;
    }
    let challenge = request
        .challenge
        .as_ref()
        .map(|c| Challenge::new(&c.nonce, c.audience.as_deref()))
        .transpose()
        .map_err(text)?;
    if request.replay {
        let _first = verifier.verify(&request.qr, request.now, challenge.as_ref());
    }
    Ok(verifier.verify(&request.qr, request.now, challenge.as_ref()))
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    ikd_sdk::encoding::hex_decode(text).ok_or_else(|| "not hex".to_owned())
}

/// The verdict JSON with the protocol's extra reason details, from typed accessors.
fn protocol_verdict(outcome: &Outcome) -> Result<Value, String> {
    let mut verdict: Value = serde_json::from_str(&outcome.to_json()).map_err(|e| e.to_string())?;
    if let Some(Value::Object(reason)) = verdict.get_mut("reason") {
        for (name, number) in [
            ("tag", outcome.cose_tag()),
            ("doc_type_number", outcome.doc_type_number()),
            ("siak_code", outcome.siak_code()),
        ] {
            if let Some(number) = number {
                reason.insert(name.to_owned(), Value::from(number));
            }
        }
    }
    Ok(verdict)
}

struct FacadeTarget {
    verdict_schema: jsonschema::Validator,
    disclosed_schema: jsonschema::Validator,
    schema_failures: Vec<String>,
    accessor_failures: Vec<String>,
    outcomes: BTreeSet<&'static str>,
}

impl FacadeTarget {
    fn new() -> Self {
        FacadeTarget {
            verdict_schema: ikd_sdk::schemas::validator("verdict.schema.json").unwrap(),
            disclosed_schema: ikd_sdk::schemas::validator("disclosed-verdict.schema.json").unwrap(),
            schema_failures: Vec::new(),
            accessor_failures: Vec::new(),
            outcomes: BTreeSet::new(),
        }
    }

    fn check(&mut self, id: &str, outcome: &Outcome) {
        let verdict: Value = serde_json::from_str(&outcome.to_json()).unwrap();
        if let Some(error) = self.verdict_schema.iter_errors(&verdict).next() {
            self.schema_failures.push(format!("{id}: verdict: {error}"));
        }
        for purpose in ikd_sdk::disclosure::PURPOSES {
            let disclosed: Value =
                serde_json::from_str(&outcome.to_disclosed_json(purpose.name).unwrap()).unwrap();
            if let Some(error) = self.disclosed_schema.iter_errors(&disclosed).next() {
                self.schema_failures
                    .push(format!("{id}: disclosed for {}: {error}", purpose.name));
            }
        }
        // The typed accessors say what the JSON says.
        let agree = outcome.is_valid() == (verdict["verdict"] == "valid")
            && outcome.reason_code() == verdict.pointer("/reason/code").and_then(Value::as_str)
            && outcome.stage() == verdict.pointer("/reason/stage").and_then(Value::as_str)
            && outcome.reason_field().as_deref()
                == verdict.pointer("/reason/field").and_then(Value::as_str)
            && outcome.reason_claim() == verdict.pointer("/reason/claim").and_then(Value::as_str)
            && outcome.doc_type() == verdict["doc_type"].as_str()
            && outcome.issuer_id() == verdict.pointer("/issuer/id").and_then(Value::as_str)
            && outcome.issuer_name() == verdict.pointer("/issuer/name").and_then(Value::as_str)
            && outcome.warning_codes()
                == verdict["warnings"]
                    .as_array()
                    .map(|w| {
                        w.iter()
                            .filter_map(|w| w["code"].as_str())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
        if !agree {
            self.accessor_failures.push(id.to_owned());
        }
        self.outcomes.insert(if outcome.is_valid() {
            "valid"
        } else {
            "rejected"
        });
    }
}

impl Target for FacadeTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let outcome = outcome_of(request)?;
        self.check(&request.id, &outcome);
        let verdict = protocol_verdict(&outcome)?;
        let sdk = match SdkTarget.answer(request)? {
            Answer::Verdict(sdk) => sdk,
            Answer::Unsupported(why) => return Err(format!("the SDK: {why}")),
        };
        if verdict != sdk {
            return Err(format!(
                "the facade's verdict differs from the SDK's: {verdict} / {sdk}"
            ));
        }
        Ok(Answer::Verdict(verdict))
    }
}

#[test]
fn every_vector_passes_through_the_facade_with_the_sdks_verdict() {
    let mut target = FacadeTarget::new();
    let report = run_target(&vectors_dir(), &mut target);
    for failure in report.failures.iter().chain(&report.unsupported) {
        eprintln!("{failure}");
    }
    assert!(report.all_passed(), "{}", report.summary());
    assert!(report.unsupported.is_empty());
    assert_eq!(report.not_compared, 0, "{}", report.summary());
    assert_eq!(report.passed, 353, "{}", report.summary());
    assert_eq!(target.schema_failures, Vec::<String>::new());
    assert_eq!(target.accessor_failures, Vec::<String>::new());
    assert_eq!(target.outcomes.len(), 2);
}

#[test]
fn a_trust_list_summary_tells_its_freshness_ahead_of_any_scan() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("trust.json")).unwrap())
            .unwrap();
    let (_, list) = file["trust_lists"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let roots: Vec<&str> = list["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let token = hex(list["token"].as_str().unwrap()).unwrap();
    let mut trust =
        TrustData::from_trust_list(&token, &Roots::from_hex_keys(&roots).unwrap()).unwrap();
    for status in file["status_lists"].as_object().unwrap().values() {
        // One of them is signed by another issuer under the same URI; either verifies.
        trust
            .add_status_list(&hex(status["token"].as_str().unwrap()).unwrap())
            .unwrap();
    }
    let policy = Policy::default();
    // The list: sequence 7, issued an hour before 1790000000, next update a week later.
    let issued = 1_790_000_000 - 3_600;
    let at = |now: i64| trust.summary(now, &policy);
    let fresh = at(issued + 3_600);
    assert_eq!(fresh.source, "trust_list");
    let list = fresh.trust_list.as_ref().unwrap();
    assert_eq!((list.sequence, list.freshness), (7, "fresh"));
    assert_eq!(list.age_seconds, Some(3_600));
    assert!(!fresh.status_lists.is_empty());
    let later = at(issued + 8 * 86_400);
    assert_eq!(
        later.trust_list.as_ref().unwrap().freshness,
        "stale_in_grace"
    );
    assert!(later.any_stale());
    let much_later = at(issued + 40 * 86_400);
    assert_eq!(much_later.trust_list.as_ref().unwrap().freshness, "stale");
    let json: Value = serde_json::from_str(&much_later.to_json()).unwrap();
    assert_eq!(json["trust_list"]["freshness"], "stale");
    // A stricter policy refuses at once.
    let strict =
        Policy::from_json(r#"{"freshness": {"trust_list": {"max_age_seconds": 60}}}"#).unwrap();
    assert_eq!(
        trust
            .summary(issued + 61, &strict)
            .trust_list
            .unwrap()
            .freshness,
        "stale"
    );
}
