//! What `GET /v1/trust/status`, `GET /readyz` and `/metrics` say about the trust data:
//! where it comes from, how fresh the trust list and each status list are under the
//! policy, and what the last syncs did. Read from one snapshot; nothing personal.

use crate::state::AppState;
use crate::trust::{LoadedTrust, SyncStatus, freshness_name, trust_list_state};
use ikd_sdk::FreshnessState;
use ikd_sdk::{Policy, UnixTime};
use serde::Serialize;
use utoipa::ToSchema;

/// One trusted issuer key.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustKey {
    /// The key identifier: 16 lower-case hex digits.
    pub kid: String,
    /// The issuer identifier (`iss`).
    pub issuer: String,
    /// The issuer's display name.
    pub name: String,
    /// The document types the key may sign.
    #[schema(value_type = Vec<String>)]
    pub doc_types: ikd_sdk::DocTypeSet,
    /// Start of the key's signing window, RFC 3339 UTC.
    pub valid_from: String,
    /// End of the key's signing window, RFC 3339 UTC.
    pub valid_until: String,
}

/// The signed trust list in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustListStatus {
    /// Its sequence number (rises with every list published).
    pub sequence: u64,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
    /// When its publisher will have issued the next one, RFC 3339 UTC.
    pub next_update: String,
    /// Seconds since it was issued.
    pub age_seconds: i64,
    /// The kid of the root key that signed it.
    pub root_kid: String,
    /// `fresh`, `stale_in_grace` (verifications warn `trust_list_stale_grace`) or `stale`
    /// (verifications are rejected `trust_list_stale`), under the configured policy.
    pub freshness: &'static str,
}

/// A status list the trust list names.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusListStatus {
    /// Its URI, as credentials name it.
    pub uri: String,
    /// The issuer that signs it.
    pub issuer: String,
    /// Whether a verified copy is held.
    pub held: bool,
    /// When the copy held was issued, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// When the copy held expires (`exp`), RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Seconds since the copy held was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// `fresh`, `stale_in_grace` or `stale`, under the configured policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<&'static str>,
}

/// One file of the last sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncFile {
    /// `trust-list.cwt`, or a status list's URI.
    pub file: String,
    /// What happened: `updated`, `not modified`, `unchanged` or `failed: …` (the SDK's
    /// words: a rollback, a bad signature, a network failure, …).
    pub outcome: String,
}

/// The background sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncState {
    /// The base URL synced from.
    pub url: String,
    /// Seconds between two syncs.
    pub interval_seconds: u64,
    /// When the last sync started, RFC 3339 UTC.
    pub last_attempt_at: Option<String>,
    /// When the last complete sync started, RFC 3339 UTC.
    pub last_success_at: Option<String>,
    /// `complete`, `partial` (a status list failed) or `failed` (the trust list failed).
    pub last_result: Option<&'static str>,
    /// Each file of the last sync.
    pub files: Vec<SyncFile>,
}

/// The trust data in use (`GET /v1/trust/status`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustStatus {
    /// Whether verified trust data is loaded.
    pub loaded: bool,
    /// Where it comes from: the sync URL, the cache folder, or the unsigned file.
    pub source: String,
    /// Its format: `ikd-trust-list` (signed) or `ikd-trust-store/1` (an unsigned file,
    /// for development).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Whether the keys come from a verified signed trust list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
    /// When the data in use was put in use, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_at: Option<String>,
    /// Seconds since the data in use was put in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// Number of issuer keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_count: Option<usize>,
    /// The issuer keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<TrustKey>>,
    /// The signed trust list, its age and freshness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<TrustListStatus>,
    /// The status lists the trust list names, with their ages and freshness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_lists: Option<Vec<StatusListStatus>>,
    /// The background sync, when the service syncs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncState>,
    /// Why the last load or sync failed, if it did.
    pub last_error: Option<String>,
}

fn age(now: UnixTime, then: UnixTime) -> i64 {
    now.0.saturating_sub(then.0).max(0)
}

/// The trust list of a snapshot, with its age and freshness at `now`.
pub fn trust_list_status(
    trust: &LoadedTrust,
    policy: &Policy,
    now: UnixTime,
) -> Option<TrustListStatus> {
    let info = trust.store.trust_list()?;
    let state = trust_list_state(&trust.store, policy, now).unwrap_or(FreshnessState::Fresh);
    Some(TrustListStatus {
        sequence: info.sequence,
        issued_at: info.issued_at.to_string(),
        next_update: info.next_update.to_string(),
        age_seconds: age(now, info.issued_at),
        root_kid: info.root_kid.to_hex(),
        freshness: freshness_name(state),
    })
}

/// The status lists of the state's trust data at `now`: every list the trust list names
/// (held or not), then any other held.
pub fn status_list_statuses(
    state: &AppState,
    trust: &LoadedTrust,
    now: UnixTime,
) -> Vec<StatusListStatus> {
    let held = |uri: &str, issuer: String| {
        let token = trust.store.status_list(uri);
        StatusListStatus {
            uri: uri.to_owned(),
            issuer: token.map_or(issuer, |t| t.issuer().to_owned()),
            held: token.is_some(),
            issued_at: token.map(|t| t.issued_at().to_string()),
            expires_at: token.and_then(|t| t.expires_at()).map(|t| t.to_string()),
            age_seconds: token.map(|t| age(now, t.issued_at())),
            freshness: token.map(|t| {
                freshness_name(state.policy.status_list.state(
                    t.issued_at().0,
                    t.expires_at().map(|e| e.0),
                    now.0,
                ))
            }),
        }
    };
    let named = state
        .trust
        .cache()
        .map(|cache| cache.status_list_refs())
        .unwrap_or_default();
    let mut out: Vec<StatusListStatus> = named
        .iter()
        .map(|r| held(&r.uri, r.issuer.clone()))
        .collect();
    for token in trust.store.status_lists() {
        if !named.iter().any(|r| r.uri == token.uri()) {
            out.push(held(token.uri(), token.issuer().to_owned()));
        }
    }
    out
}

fn sync_state(state: &AppState, status: SyncStatus) -> Option<SyncState> {
    let settings = state.trust.sync_settings()?;
    Some(SyncState {
        url: settings.url.clone(),
        interval_seconds: settings.interval.as_secs(),
        last_attempt_at: status.last_attempt_at.map(|t| t.to_string()),
        last_success_at: status.last_success_at.map(|t| t.to_string()),
        last_result: status.last_result.map(|r| r.as_str()),
        files: status
            .files
            .into_iter()
            .map(|(file, outcome)| SyncFile { file, outcome })
            .collect(),
    })
}

/// The answer of `GET /v1/trust/status` at `now`.
pub fn trust_status(state: &AppState, now: UnixTime) -> TrustStatus {
    let last_error = state.trust.last_error();
    let sync = sync_state(state, state.trust.sync_status());
    let Some(trust) = state.trust.current() else {
        return TrustStatus {
            loaded: false,
            source: state.trust.source(),
            format: None,
            signed: None,
            loaded_at: None,
            age_seconds: None,
            key_count: None,
            keys: None,
            trust_list: None,
            status_lists: None,
            sync,
            last_error,
        };
    };
    let signed = trust.is_signed();
    TrustStatus {
        loaded: true,
        source: trust.source.clone(),
        format: Some(if signed {
            "ikd-trust-list"
        } else {
            "ikd-trust-store/1"
        }),
        signed: Some(signed),
        loaded_at: Some(trust.loaded_at.to_string()),
        age_seconds: Some(age(now, trust.loaded_at)),
        key_count: Some(trust.store.len()),
        keys: Some(
            trust
                .store
                .keys()
                .map(|k| TrustKey {
                    kid: k.kid().to_hex(),
                    issuer: k.issuer.clone(),
                    name: k.name.clone(),
                    doc_types: k.doc_types,
                    valid_from: k.valid_from.to_string(),
                    valid_until: k.valid_until.to_string(),
                })
                .collect(),
        ),
        trust_list: trust_list_status(&trust, &state.policy, now),
        status_lists: Some(status_list_statuses(state, &trust, now)),
        sync,
        last_error,
    }
}

/// Escapes a Prometheus label value.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The freshness and sync metrics at `now` (Prometheus text format), appended to the
/// service's other metrics. Label values are status list URIs and fixed words only.
pub fn metrics(state: &AppState, trust: Option<&LoadedTrust>, now: UnixTime) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2048);
    let mut gauge = |name: &str, help: &str, samples: &[(String, i64)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let list = trust.and_then(|t| trust_list_status(t, &state.policy, now));
    let info = trust.and_then(|t| t.store.trust_list().copied());
    gauge(
        "ikd_trust_signed",
        "Whether the keys in use come from a verified signed trust list.",
        &[(String::new(), i64::from(info.is_some()))],
    );
    if let (Some(list), Some(info)) = (&list, info) {
        let state_code = match list.freshness {
            "fresh" => 0,
            "stale_in_grace" => 1,
            _ => 2,
        };
        gauge(
            "ikd_trust_list_sequence",
            "Sequence number of the signed trust list in use.",
            &[(
                String::new(),
                i64::try_from(info.sequence).unwrap_or(i64::MAX),
            )],
        );
        gauge(
            "ikd_trust_list_issued_timestamp_seconds",
            "When the trust list in use was issued.",
            &[(String::new(), info.issued_at.0)],
        );
        gauge(
            "ikd_trust_list_next_update_timestamp_seconds",
            "When the publisher will have issued the next trust list.",
            &[(String::new(), info.next_update.0)],
        );
        gauge(
            "ikd_trust_list_age_seconds",
            "Seconds since the trust list in use was issued.",
            &[(String::new(), list.age_seconds)],
        );
        gauge(
            "ikd_trust_list_freshness",
            "0 fresh, 1 stale within the grace period (verifications warn), 2 stale (verifications are rejected).",
            &[(String::new(), state_code)],
        );
    }
    if let Some(trust) = trust {
        let lists = status_list_statuses(state, trust, now);
        let by_uri = |value: &dyn Fn(&StatusListStatus) -> Option<i64>| -> Vec<(String, i64)> {
            lists
                .iter()
                .filter_map(|l| Some((format!("{{uri=\"{}\"}}", label(&l.uri)), value(l)?)))
                .collect()
        };
        gauge(
            "ikd_status_list_held",
            "Whether a verified copy of each status list the trust list names is held.",
            &by_uri(&|l| Some(i64::from(l.held))),
        );
        gauge(
            "ikd_status_list_age_seconds",
            "Seconds since each status list held was issued.",
            &by_uri(&|l| l.age_seconds),
        );
        gauge(
            "ikd_status_list_freshness",
            "0 fresh, 1 stale within the grace period, 2 stale, for each status list held.",
            &by_uri(&|l| {
                l.freshness.map(|f| match f {
                    "fresh" => 0,
                    "stale_in_grace" => 1,
                    _ => 2,
                })
            }),
        );
    }
    if state.trust.sync_settings().is_some() {
        let status = state.trust.sync_status();
        let results = ["complete", "partial", "failed"];
        let _ = writeln!(
            out,
            "# HELP ikd_trust_syncs_total Trust syncs run, by result.\n# TYPE ikd_trust_syncs_total counter"
        );
        for (result, count) in results.iter().zip(status.counts) {
            let _ = writeln!(out, "ikd_trust_syncs_total{{result=\"{result}\"}} {count}");
        }
        let mut gauge = |name: &str, help: &str, value: Option<i64>| {
            if let Some(value) = value {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
                );
            }
        };
        gauge(
            "ikd_trust_sync_last_attempt_timestamp_seconds",
            "When the last trust sync started.",
            status.last_attempt_at.map(|t| t.0),
        );
        gauge(
            "ikd_trust_sync_last_success_timestamp_seconds",
            "When the last complete trust sync started.",
            status.last_success_at.map(|t| t.0),
        );
        gauge(
            "ikd_trust_sync_last_ok",
            "1 if the last trust sync was complete, 0 if it was not.",
            status
                .last_result
                .map(|r| i64::from(r == crate::trust::SyncResult::Complete)),
        );
    }
    out
}
