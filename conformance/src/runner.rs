//! The runner: checks every vector in a directory against the SDK.

use crate::format::{
    Expected, FORMAT, RejectedOutcome, RuleSpec, TrustListJson, TrustStoreJson, ValidOutcome,
    Vector, VectorFile, WarningSpec,
};
use ikd_sdk::{
    DocType, DocTypeSet, Document, Freshness, IssuerPublicKey, Policy, Reason, Rejection,
    StatusListToken, TrustStore, UnixTime, Verified, VerifiedTrustList,
};
use std::collections::{BTreeMap, BTreeSet};
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

    /// The final line: `conformance: N passed, M failed`.
    pub fn summary(&self) -> String {
        format!(
            "conformance: {} passed, {} failed",
            self.passed,
            self.failed()
        )
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

/// Runs every vector in every `*.json` file of `dir`.
pub fn run_vectors(dir: &Path) -> Report {
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
        run_file(name, file, &mut ids, &mut report);
    }
    report
}

/// Runs the vectors of one parsed file into `report`; `ids` collects ids across files.
pub fn run_file(name: &str, file: &VectorFile, ids: &mut BTreeSet<String>, report: &mut Report) {
    let mut stores = load_stores(&file.trust_stores);
    for (list_name, list) in &file.trust_lists {
        stores.insert(format!("trust_list:{list_name}"), load_trust_list(list));
    }
    for vector in &file.vectors {
        let result = if !ids.insert(vector.id.clone()) {
            Err("duplicate id".to_owned())
        } else if vector.group != file.group {
            Err(format!(
                "group {} in a file of group {}",
                vector.group.as_str(),
                file.group.as_str()
            ))
        } else {
            check_vector(vector, &stores, file)
        };
        match result {
            Ok(()) => {
                report.passed += 1;
                match &vector.expected {
                    Expected::Valid(valid) => report
                        .warning_codes
                        .extend(valid.warnings.iter().map(|w| w.code.clone())),
                    Expected::Rejected(rejected) => {
                        report.reason_codes.insert(rejected.reason_code.clone());
                    }
                }
            }
            Err(message) => report.failures.push(Failure {
                file: name.to_owned(),
                id: vector.id.clone(),
                message,
            }),
        }
    }
}

/// Loads each named trust store; a store that does not load fails the vectors naming it.
fn load_stores(
    stores: &BTreeMap<String, TrustStoreJson>,
) -> BTreeMap<String, Result<TrustStore, String>> {
    stores
        .iter()
        .map(|(name, json)| {
            let store = serde_json::to_string(json)
                .map_err(|e| e.to_string())
                .and_then(|text| TrustStore::from_json(&text).map_err(|e| e.to_string()));
            (name.clone(), store)
        })
        .collect()
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
        .map_err(|e| e.to_string())
}

/// The trust data of a vector: its trust store or trust list, with its status lists.
fn trust_data_of(
    vector: &Vector,
    stores: &BTreeMap<String, Result<TrustStore, String>>,
    file: &VectorFile,
) -> Result<TrustStore, String> {
    let key = match (&vector.trust_store, &vector.trust_list) {
        (Some(name), None) => name.clone(),
        (None, Some(name)) => format!("trust_list:{name}"),
        _ => return Err("give exactly one of trust_store and trust_list".into()),
    };
    let mut store = match stores.get(&key) {
        Some(Ok(store)) => store.clone(),
        Some(Err(e)) => return Err(format!("{key}: {e}")),
        None => return Err(format!("no {key} in the file")),
    };
    for name in &vector.status_lists {
        let json = file
            .status_lists
            .get(name)
            .ok_or_else(|| format!("no status list named {name:?}"))?;
        let token = hex::decode(&json.token).map_err(|e| format!("status list {name}: {e}"))?;
        let verified = StatusListToken::verify(&token, &store)
            .map_err(|e| format!("status list {name}: {e}"))?;
        if verified.uri() != json.uri {
            return Err(format!("status list {name}: its sub is not its uri"));
        }
        store.add_status_list(std::sync::Arc::new(verified));
    }
    Ok(store)
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

/// Verifies one vector and compares the outcome with its expectation.
pub fn check_vector(
    vector: &Vector,
    stores: &BTreeMap<String, Result<TrustStore, String>>,
    file: &VectorFile,
) -> Result<(), String> {
    let store = trust_data_of(vector, stores, file)?;
    let policy = policy_of(&vector.policy)?;
    let challenge = vector
        .challenge
        .as_ref()
        .map(|c| ikd_sdk::Challenge::new(&c.nonce, c.audience.as_deref()))
        .transpose()
        .map_err(|e| format!("challenge: {e}"))?;
    let replay_cache = ikd_sdk::ReplayCache::new(16);
    let options = ikd_sdk::VerifyOptions {
        challenge: challenge.as_ref(),
        replay_cache: if vector.replay_store_unavailable {
            Some(&UnavailableReplayStore)
        } else if vector.replay {
            Some(&replay_cache)
        } else {
            None
        },
    };
    let now = UnixTime(vector.now);
    if vector.replay {
        // Only the second showing is compared: the first may be refused after the
        // presentation was recorded (spec/format.md §17.3).
        let _first = ikd_sdk::verify_with(&vector.qr, &store, now, &policy, &options);
    }
    let outcome = ikd_sdk::verify_with(&vector.qr, &store, now, &policy, &options);
    match (&vector.expected, outcome) {
        (Expected::Valid(expected), Ok(verified)) => compare_valid(expected, &verified),
        (Expected::Rejected(expected), Err(rejection)) => compare_rejected(expected, &rejection),
        (Expected::Valid(_), Err(rejection)) => Err(format!("expected valid, got {rejection}")),
        (Expected::Rejected(expected), Ok(_)) => Err(format!(
            "expected rejection {} at {}, got valid",
            expected.reason_code, expected.stage
        )),
    }
}

fn policy_of(spec: &crate::format::PolicySpec) -> Result<Policy, String> {
    let mut accepted = DocTypeSet::NONE;
    for name in &spec.accepted_doc_types {
        let doc_type =
            DocType::from_name(name).ok_or_else(|| format!("unknown document type {name:?}"))?;
        accepted = accepted.with(doc_type);
    }
    let mut policy = Policy::default();
    policy.leeway_seconds = spec.leeway_seconds;
    policy.accepted_doc_types = accepted;
    if let Some(freshness) = &spec.freshness {
        policy.trust_list = rule_of(&freshness.trust_list);
        policy.status_list = rule_of(&freshness.status_list);
    }
    if let Some(leeway) = spec.presentation_leeway_seconds {
        policy.presentation_leeway_seconds = leeway;
    }
    if let Some(max_age) = spec.presentation_max_age_seconds {
        policy.presentation_max_age_seconds = max_age;
    }
    policy.bare_credentials = match &spec.bare_credentials {
        None => DocTypeSet::all(),
        Some(names) => {
            let mut bare = DocTypeSet::NONE;
            for name in names {
                let doc_type = DocType::from_name(name)
                    .ok_or_else(|| format!("unknown document type {name:?}"))?;
                bare = bare.with(doc_type);
            }
            bare
        }
    };
    Ok(policy)
}

fn rule_of(rule: &RuleSpec) -> Freshness {
    match rule.grace_seconds {
        None => Freshness::reject_after(rule.max_age_seconds),
        Some(grace) => Freshness::warn_after(rule.max_age_seconds, grace),
    }
}

/// Collects differences as `what: expected X, got Y`.
#[derive(Default)]
struct Diff(Vec<String>);

impl Diff {
    fn check<T: PartialEq + core::fmt::Debug>(&mut self, what: &str, expected: &T, actual: &T) {
        if expected != actual {
            self.0
                .push(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Compares only when the vector states an expectation.
    fn check_opt<T: PartialEq + core::fmt::Debug>(
        &mut self,
        what: &str,
        expected: &Option<T>,
        actual: Option<T>,
    ) {
        if let Some(expected) = expected {
            self.check(what, &Some(expected), &actual.as_ref());
        }
    }

    fn finish(self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0.join("; "))
        }
    }
}

fn compare_valid(expected: &ValidOutcome, verified: &Verified) -> Result<(), String> {
    let mut diff = Diff::default();
    diff.check("issuer", &expected.issuer, &verified.issuer().id);
    diff.check(
        "issuer_name",
        &expected.issuer_name,
        &verified.issuer().name,
    );
    diff.check("kid", &expected.kid, &verified.kid().to_hex());
    let document = verified.document();
    diff.check(
        "doc_type",
        &expected.doc_type.as_str(),
        &document.doc_type().name(),
    );
    let (nik, nomor_kk, member_niks) = match document {
        Document::Ktp(ktp) => (Some(ktp.nik.to_string()), None, None),
        Document::Kk(kk) => (
            None,
            Some(kk.nomor_kk.to_string()),
            Some(kk.anggota.iter().map(|m| m.nik.to_string()).collect()),
        ),
        _ => (None, None, None),
    };
    diff.check("nik", &expected.nik, &nik);
    diff.check("nomor_kk", &expected.nomor_kk, &nomor_kk);
    diff.check("member_niks", &expected.member_niks, &member_niks);
    let warnings: Vec<WarningSpec> = verified
        .warnings()
        .iter()
        .map(|w| WarningSpec {
            code: w.code().to_owned(),
            field: w.field().to_string(),
        })
        .collect();
    diff.check("warnings", &expected.warnings, &warnings);
    diff.check_opt(
        "trust_list_sequence",
        &expected.trust_list_sequence,
        verified.trust_data().trust_list.map(|l| l.sequence),
    );
    diff.finish()
}

fn compare_rejected(expected: &RejectedOutcome, rejection: &Rejection) -> Result<(), String> {
    let mut diff = Diff::default();
    let reason = rejection.reason();
    diff.check(
        "reason_code",
        &expected.reason_code.as_str(),
        &rejection.code(),
    );
    diff.check(
        "stage",
        &expected.stage.as_str(),
        &rejection.stage().as_str(),
    );
    diff.check_opt(
        "field",
        &expected.field,
        reason.field().map(|f| f.to_string()),
    );
    let (claim, tag, doc_type_number, siak_code) = match reason {
        Reason::ClaimsMalformed { claim } => (Some((*claim).to_owned()), None, None, None),
        Reason::CoseTagWrong { tag } => (None, Some(*tag), None, None),
        Reason::DocTypeUnknown { doc_type } => (None, None, Some(*doc_type), None),
        Reason::SiakCodeInvalid { code, .. } => (None, None, None, Some(*code)),
        _ => (None, None, None, None),
    };
    diff.check_opt("claim", &expected.claim, claim);
    diff.check_opt("tag", &expected.tag, tag);
    diff.check_opt(
        "doc_type_number",
        &expected.doc_type_number,
        doc_type_number,
    );
    diff.check_opt("siak_code", &expected.siak_code, siak_code);
    if !diff.0.is_empty() {
        diff.0.push(format!("(SDK said: {rejection})"));
    }
    diff.finish()
}
