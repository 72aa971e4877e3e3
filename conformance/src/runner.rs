//! The runner: checks every vector in a directory against an implementation, by default
//! the SDK in-process; [`crate::external`] drives a command or an HTTP endpoint.

use crate::format::{Expected, FORMAT, RuleSpec, TrustListJson, VectorFile};
use crate::protocol::{Answer, Request, RequestPolicy, Target, TrustInput, compare, request_of};
use ikd_sdk::{
    DocType, DocTypeSet, Freshness, IssuerPublicKey, Policy, Reason, StatusListToken, TrustStore,
    UnixTime, VerifiedTrustList,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The result of running a directory of vectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Vectors whose outcome matched.
    pub passed: usize,
    /// Vectors (or whole files) that did not.
    pub failures: Vec<Failure>,
    /// Reason codes produced by passing rejected vectors.
    pub reason_codes: BTreeSet<String>,
    /// Warning codes produced by passing valid vectors.
    pub warning_codes: BTreeSet<String>,
    /// Vectors the implementation said it cannot be set up for, with its reason.
    pub unsupported: Vec<Failure>,
    /// Details (`field`, `tag`, …) that passing vectors state but the verdicts did not
    /// carry, so they were not compared.
    pub not_compared: usize,
}

impl Report {
    /// Number of failures.
    pub fn failed(&self) -> usize {
        self.failures.len()
    }

    /// Whether at least one vector ran and none failed.
    pub fn all_passed(&self) -> bool {
        self.failures.is_empty() && self.passed > 0
    }

    /// The final line: `conformance: N passed, M failed`, followed by the unsupported
    /// vectors and the details not compared when there are any.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "conformance: {} passed, {} failed",
            self.passed,
            self.failed()
        );
        if !self.unsupported.is_empty() {
            line.push_str(&format!(", {} unsupported", self.unsupported.len()));
        }
        if self.not_compared > 0 {
            line.push_str(&format!(
                " ({} stated details not carried by the verdicts, not compared)",
                self.not_compared
            ));
        }
        line
    }
}

/// A vector that failed, or a file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file name.
    pub file: String,
    /// The vector id, or `*` for a file-level problem.
    pub id: String,
    /// What differed.
    pub message: String,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "FAIL {} {}: {}", self.file, self.id, self.message)
    }
}

/// Reads every `*.json` file in `dir` (sorted by name) as a vector file.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, VectorFile)>, Failure> {
    let dir_failure = |message: String| Failure {
        file: dir.display().to_string(),
        id: "*".into(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| dir_failure(e.to_string()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| dir_failure(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            names.push(name);
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let failure = |message: String| Failure {
                file: name.clone(),
                id: "*".into(),
                message,
            };
            let text =
                std::fs::read_to_string(dir.join(&name)).map_err(|e| failure(e.to_string()))?;
            let file = parse_file(&text).map_err(failure)?;
            Ok((name, file))
        })
        .collect()
}

/// Parses one vector file and checks its header.
pub fn parse_file(text: &str) -> Result<VectorFile, String> {
    let file: VectorFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.format != FORMAT {
        return Err(format!("format is {:?}, expected {FORMAT:?}", file.format));
    }
    Ok(file)
}

/// Runs every vector in every `*.json` file of `dir` against the SDK, in-process.
pub fn run_vectors(dir: &Path) -> Report {
    run_target(dir, &mut SdkTarget)
}

/// Runs every vector in every `*.json` file of `dir` against `target`.
pub fn run_target(dir: &Path, target: &mut dyn Target) -> Report {
    let mut report = Report::default();
    let files = match load_dir(dir) {
        Ok(files) => files,
        Err(failure) => {
            report.failures.push(failure);
            return report;
        }
    };
    if files.is_empty() {
        report.failures.push(Failure {
            file: dir.display().to_string(),
            id: "*".into(),
            message: "no *.json vector files".into(),
        });
    }
    let mut ids = BTreeSet::new();
    for (name, file) in &files {
        run_file_with(name, file, &mut ids, &mut report, target);
    }
    report
}

/// Runs the vectors of one parsed file against the SDK into `report`; `ids` collects ids
/// across files.
pub fn run_file(name: &str, file: &VectorFile, ids: &mut BTreeSet<String>, report: &mut Report) {
    run_file_with(name, file, ids, report, &mut SdkTarget);
}

/// Runs the vectors of one parsed file against `target` into `report`.
pub fn run_file_with(
    name: &str,
    file: &VectorFile,
    ids: &mut BTreeSet<String>,
    report: &mut Report,
    target: &mut dyn Target,
) {
    for vector in &file.vectors {
        let failure = |message: String| Failure {
            file: name.to_owned(),
            id: vector.id.clone(),
            message,
        };
        let answer = if !ids.insert(vector.id.clone()) {
            Err("duplicate id".to_owned())
        } else if vector.group != file.group {
            Err(format!(
                "group {} in a file of group {}",
                vector.group.as_str(),
                file.group.as_str()
            ))
        } else {
            request_of(vector, file).and_then(|request| target.answer(&request))
        };
        let verdict = match answer {
            Ok(Answer::Verdict(verdict)) => verdict,
            Ok(Answer::Unsupported(why)) => {
                report.unsupported.push(failure(why));
                continue;
            }
            Err(message) => {
                report.failures.push(failure(message));
                continue;
            }
        };
        let comparison = compare(&vector.expected, &verdict);
        if !comparison.differences.is_empty() {
            let mut message = comparison.differences.join("; ");
            if let Some(code) = verdict.pointer("/reason/code").and_then(Value::as_str) {
                message.push_str(&format!(" (the implementation said {code})"));
            }
            report.failures.push(failure(message));
            continue;
        }
        report.passed += 1;
        report.not_compared += comparison.not_compared.len();
        match &vector.expected {
            Expected::Valid(valid) => report
                .warning_codes
                .extend(valid.warnings.iter().map(|w| w.code.clone())),
            Expected::Rejected(rejected) => {
                report.reason_codes.insert(rejected.reason_code.clone());
            }
        }
    }
}

/// The SDK, in-process: builds the trust data and policy of each request with the SDK's
/// public API and answers the verdict JSON of `ikd_sdk::Report`, with the details the
/// report leaves out (`tag`, `doc_type_number`, `siak_code`) added to its `reason`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SdkTarget;

impl Target for SdkTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let store = trust_data_of(request)?;
        let policy = policy_of(&request.policy)?;
        let challenge = request
            .challenge
            .as_ref()
            .map(|c| ikd_sdk::Challenge::new(&c.nonce, c.audience.as_deref()))
            .transpose()
            .map_err(|e| format!("challenge: {e}"))?;
        let replay_cache = ikd_sdk::ReplayCache::new(16);
        let options = ikd_sdk::VerifyOptions {
            challenge: challenge.as_ref(),
            replay_cache: if request.replay_store_unavailable {
                Some(&UnavailableReplayStore)
            } else if request.replay {
                Some(&replay_cache)
            } else {
                None
            },
        };
        let now = UnixTime(request.now);
        if request.replay {
            // Only the second showing is compared: the first may be refused after the
            // presentation was recorded (spec/format.md §17.3).
            let _first = ikd_sdk::verify_with(&request.qr, &store, now, &policy, &options);
        }
        let outcome = ikd_sdk::verify_with(&request.qr, &store, now, &policy, &options);
        let mut verdict: Value = serde_json::from_str(&ikd_sdk::Report::new(&outcome).to_json())
            .map_err(|e| e.to_string())?;
        if let (Err(rejection), Some(reason)) = (&outcome, verdict.get_mut("reason")) {
            add_reason_details(rejection.reason(), reason);
        }
        Ok(Answer::Verdict(verdict))
    }
}

/// Adds the details the verdict JSON leaves out to its `reason` object.
pub fn add_reason_details(reason: &Reason, json: &mut Value) {
    let (name, number) = match reason {
        Reason::CoseTagWrong { tag } => ("tag", *tag),
        Reason::DocTypeUnknown { doc_type } => ("doc_type_number", *doc_type),
        Reason::SiakCodeInvalid { code, .. } => ("siak_code", *code),
        _ => return,
    };
    if let Some(object) = json.as_object_mut() {
        object.insert(name.to_owned(), Value::from(number));
    }
}

/// A replay store that cannot answer, for vectors with `replay_store_unavailable`.
#[derive(Debug)]
pub struct UnavailableReplayStore;

impl ikd_sdk::ReplayStore for UnavailableReplayStore {
    fn remember(
        &self,
        _id: &[u8; 32],
        _forget_after: UnixTime,
        _now: UnixTime,
    ) -> Result<bool, ikd_sdk::ReplayStoreUnavailable> {
        Err(ikd_sdk::ReplayStoreUnavailable)
    }
}

/// The trust data of a request: its trust store or verified trust list, with its status
/// lists verified against those keys and held by URI.
fn trust_data_of(request: &Request) -> Result<TrustStore, String> {
    let mut store = match &request.trust {
        TrustInput::TrustStore(json) => {
            let text = serde_json::to_string(json).map_err(|e| e.to_string())?;
            TrustStore::from_json(&text).map_err(|e| format!("trust store: {e}"))?
        }
        TrustInput::TrustList(list) => load_trust_list(list)?,
    };
    for json in &request.status_lists {
        let token = hex::decode(&json.token).map_err(|e| format!("status list: {e}"))?;
        let verified = StatusListToken::verify(&token, &store)
            .map_err(|e| format!("status list {}: {e}", json.uri))?;
        if verified.uri() != json.uri {
            return Err(format!("status list {}: its sub is not its uri", json.uri));
        }
        store.add_status_list(std::sync::Arc::new(verified));
    }
    Ok(store)
}

/// Verifies a signed trust list with its roots and makes a trust store of it.
fn load_trust_list(list: &TrustListJson) -> Result<TrustStore, String> {
    let roots = list
        .roots
        .iter()
        .map(|hex| {
            hex::decode(hex)
                .ok()
                .and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
                .ok_or_else(|| "a root is not a usable public key".to_owned())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let token = hex::decode(&list.token).map_err(|e| e.to_string())?;
    VerifiedTrustList::verify(&token, &roots)
        .map(|verified| verified.to_trust_store())
        .map_err(|e| format!("trust list: {e}"))
}

fn doc_types(names: &[String]) -> Result<DocTypeSet, String> {
    names.iter().try_fold(DocTypeSet::NONE, |set, name| {
        DocType::from_name(name)
            .map(|t| set.with(t))
            .ok_or_else(|| format!("unknown document type {name:?}"))
    })
}

/// The SDK policy a request describes.
fn policy_of(spec: &RequestPolicy) -> Result<Policy, String> {
    let mut policy = Policy::default();
    policy.leeway_seconds = spec.leeway_seconds;
    policy.accepted_doc_types = doc_types(&spec.accepted_doc_types)?;
    policy.bare_credentials = doc_types(&spec.bare_credentials)?;
    policy.presentation_leeway_seconds = spec.presentation_leeway_seconds;
    policy.presentation_max_age_seconds = spec.presentation_max_age_seconds;
    if let Some(freshness) = &spec.freshness {
        policy.trust_list = rule_of(&freshness.trust_list);
        policy.status_list = rule_of(&freshness.status_list);
    }
    Ok(policy)
}

fn rule_of(rule: &RuleSpec) -> Freshness {
    match rule.grace_seconds {
        None => Freshness::reject_after(rule.max_age_seconds),
        Some(grace) => Freshness::warn_after(rule.max_age_seconds, grace),
    }
}
