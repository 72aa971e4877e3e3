//! `ikd conformance`: answers the conformance runner's requests (runner protocol
//! `ikd-conformance-protocol/1`, conformance/README.md) on standard input and output, so
//! that the runner other implementations use also checks this command.
//!
//! Each input line is one request (JSON); each output line is the verdict JSON that
//! `ikd verify --json` prints for those inputs, or `{"error": "…"}` for a request that
//! cannot be read. The command ends at the end of its input.

use crate::util::Failure;
use ikd_sdk::{
    Challenge, DocType, DocTypeSet, Freshness, IssuerPublicKey, Policy, Reason, ReplayCache,
    ReplayStore, ReplayStoreUnavailable, Report, StatusListToken, TrustStore, UnixTime,
    VerifiedTrustList, VerifyOptions, verify_with,
};
use serde_json::Value;
use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

/// The protocol this command speaks.
const PROTOCOL: &str = "ikd-conformance-protocol/1";

#[derive(clap::Args)]
#[command(
    after_help = "Reads one request per line on standard input and prints one verdict per \
line; see conformance/README.md (Runner protocol). Run the conformance vectors against this \
command with: cargo run -p ikd-conformance --bin run -- ikd conformance"
)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> Result<ExitCode, Failure> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| Failure::new(format!("cannot read standard input: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match answer(&line) {
            Ok(verdict) => verdict,
            Err(message) => serde_json::json!({ "error": message }),
        };
        writeln!(stdout, "{answer}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::new(format!("cannot write standard output: {e}")))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A replay store that cannot answer, for requests that ask for one.
#[derive(Debug)]
struct Unavailable;

impl ReplayStore for Unavailable {
    fn remember(
        &self,
        _id: &[u8; 32],
        _forget_after: UnixTime,
        _now: UnixTime,
    ) -> Result<bool, ReplayStoreUnavailable> {
        Err(ReplayStoreUnavailable)
    }
}

fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value, String> {
    value.get(name).ok_or_else(|| format!("no {name:?}"))
}

fn text<'a>(value: &'a Value, name: &str) -> Result<&'a str, String> {
    field(value, name)?
        .as_str()
        .ok_or_else(|| format!("{name:?} is not a string"))
}

fn seconds(value: &Value, name: &str) -> Result<u32, String> {
    field(value, name)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{name:?} is not a number of seconds"))
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err("odd-length hex".into());
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| "not hex".to_owned())
        })
        .collect()
}

fn doc_types(value: &Value, name: &str) -> Result<DocTypeSet, String> {
    let names = field(value, name)?
        .as_array()
        .ok_or_else(|| format!("{name:?} is not an array"))?;
    names.iter().try_fold(DocTypeSet::NONE, |set, t| {
        t.as_str()
            .and_then(DocType::from_name)
            .map(|t| set.with(t))
            .ok_or_else(|| format!("{name:?}: unknown document type {t}"))
    })
}

fn freshness(rule: &Value) -> Result<Freshness, String> {
    let max_age = seconds(rule, "max_age_seconds")?;
    Ok(match rule.get("grace_seconds") {
        None => Freshness::reject_after(max_age),
        Some(_) => Freshness::warn_after(max_age, seconds(rule, "grace_seconds")?),
    })
}

fn policy(value: &Value) -> Result<Policy, String> {
    let mut policy = Policy::default();
    policy.leeway_seconds = seconds(value, "leeway_seconds")?;
    policy.accepted_doc_types = doc_types(value, "accepted_doc_types")?;
    policy.bare_credentials = doc_types(value, "bare_credentials")?;
    policy.presentation_leeway_seconds = seconds(value, "presentation_leeway_seconds")?;
    policy.presentation_max_age_seconds = seconds(value, "presentation_max_age_seconds")?;
    if let Some(rules) = value.get("freshness") {
        policy.trust_list = freshness(field(rules, "trust_list")?)?;
        policy.status_list = freshness(field(rules, "status_list")?)?;
    }
    Ok(policy)
}

fn trust(request: &Value) -> Result<TrustStore, String> {
    let trust = field(request, "trust")?;
    let mut store = if let Some(json) = trust.get("trust_store") {
        TrustStore::from_json(&json.to_string()).map_err(|e| format!("trust store: {e}"))?
    } else if let Some(list) = trust.get("trust_list") {
        let roots = field(list, "roots")?
            .as_array()
            .ok_or("\"roots\" is not an array")?
            .iter()
            .map(|root| {
                root.as_str()
                    .ok_or_else(|| "a root is not a string".to_owned())
                    .and_then(hex)
                    .and_then(|raw| IssuerPublicKey::from_bytes(&raw).map_err(|e| e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let token = hex(text(list, "token")?)?;
        VerifiedTrustList::verify(&token, &roots)
            .map_err(|e| format!("trust list: {e}"))?
            .to_trust_store()
    } else {
        return Err("\"trust\" holds neither \"trust_store\" nor \"trust_list\"".into());
    };
    for list in request
        .get("status_lists")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let token = hex(text(list, "token")?)?;
        let verified =
            StatusListToken::verify(&token, &store).map_err(|e| format!("status list: {e}"))?;
        store.add_status_list(Arc::new(verified));
    }
    Ok(store)
}

/// Answers one request line.
fn answer(line: &str) -> Result<Value, String> {
    let request: Value =
        serde_json::from_str(line).map_err(|e| format!("the request is not JSON: {e}"))?;
    if text(&request, "protocol")? != PROTOCOL {
        return Err(format!("only {PROTOCOL} is spoken here"));
    }
    let qr = text(&request, "qr")?;
    let now = UnixTime(
        field(&request, "now")?
            .as_i64()
            .ok_or("\"now\" is not an integer")?,
    );
    let store = trust(&request)?;
    let policy = policy(field(&request, "policy")?)?;
    let challenge = match request.get("challenge") {
        None => None,
        Some(c) => Some(
            Challenge::new(text(c, "nonce")?, c.get("audience").and_then(Value::as_str))
                .map_err(|e| format!("challenge: {e}"))?,
        ),
    };
    let flag = |name: &str| request.get(name).and_then(Value::as_bool).unwrap_or(false);
    let cache = ReplayCache::new(16);
    let options = VerifyOptions {
        challenge: challenge.as_ref(),
        replay_cache: if flag("replay_store_unavailable") {
            Some(&Unavailable)
        } else if flag("replay") {
            Some(&cache)
        } else {
            None
        },
    };
    if flag("replay") {
        // The first showing only fills the cache; the second is the answer.
        let _first = verify_with(qr, &store, now, &policy, &options);
    }
    let outcome = verify_with(qr, &store, now, &policy, &options);
    let mut verdict: Value =
        serde_json::from_str(&Report::new(&outcome).to_json()).map_err(|e| e.to_string())?;
    if let (Err(rejection), Some(Value::Object(reason))) = (&outcome, verdict.get_mut("reason")) {
        // Details the verdict JSON leaves out, which the protocol lets a verifier add.
        let detail = match rejection.reason() {
            Reason::CoseTagWrong { tag } => Some(("tag", *tag)),
            Reason::DocTypeUnknown { doc_type } => Some(("doc_type_number", *doc_type)),
            Reason::SiakCodeInvalid { code, .. } => Some(("siak_code", *code)),
            _ => None,
        };
        if let Some((name, number)) = detail {
            reason.insert(name.to_owned(), Value::from(number));
        }
    }
    Ok(verdict)
}
