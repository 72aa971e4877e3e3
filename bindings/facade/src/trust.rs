//! Trust data from the spec's forms: a trust store (JSON), or a signed trust list with its
//! pinned roots, or a trust bundle with its pinned roots; then status-list tokens, each
//! verified against those keys.

use crate::error::{Error, ErrorCode};
use crate::policy::Policy;
use ikd_sdk::{
    Freshness, FreshnessState, InUse, IssuerPublicKey, StatusListToken, TrustAnchors, TrustBundle,
    TrustStore, UnixTime, VerifiedTrustList,
};
use serde::Serialize;
use std::sync::Arc;

/// The root keys a signed trust list must be signed by.
#[derive(Debug, Clone)]
pub struct Roots {
    keys: Vec<IssuerPublicKey>,
}

impl Roots {
    /// Reads the trust anchors JSON form (spec §9.2):
    /// `{"format": "ikd-trust-anchors/1", "roots": [{"name": …, "public_key": hex}]}`.
    pub fn from_anchors_json(json: &str) -> Result<Self, Error> {
        let anchors = TrustAnchors::from_json(json)
            .map_err(|e| Error::new(ErrorCode::RootsInvalid, format!("trust anchors: {e}")))?;
        Ok(Roots {
            keys: anchors.roots().iter().map(|r| r.key).collect(),
        })
    }

    /// Reads root keys given as hex of their 32 raw bytes (at least one).
    pub fn from_hex_keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, Error> {
        if keys.is_empty() {
            return Err(Error::new(ErrorCode::RootsInvalid, "no root key"));
        }
        let keys = keys
            .iter()
            .enumerate()
            .map(|(i, hex)| {
                ikd_sdk::encoding::hex_decode(hex.as_ref())
                    .and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorCode::RootsInvalid,
                            format!("root {i} is not the hex of an Ed25519 public key"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Roots { keys })
    }

    /// How many root keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none (never, for a value read by this type).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A verifier's trust data: issuer keys, where they came from, and status lists.
///
/// Loading never consults a clock: whether the data is fresh enough is decided at each
/// verification, against its time and policy, and [`TrustData::summary`] tells ahead.
#[derive(Debug, Clone)]
pub struct TrustData {
    store: TrustStore,
    /// The signed trust list the keys came from: what a bundle's rollback is judged by.
    trust_list: Option<VerifiedTrustList>,
}

impl TrustData {
    /// Reads a trust store in its JSON form (spec §9.1), keeping the order of its keys.
    pub fn from_store_json(json: &str) -> Result<Self, Error> {
        let store = TrustStore::from_json(json)
            .map_err(|e| Error::new(ErrorCode::TrustStoreInvalid, format!("trust store: {e}")))?;
        Ok(TrustData {
            store,
            trust_list: None,
        })
    }

    /// Verifies a signed trust list (the COSE_Sign1 bytes, spec §9.2) against the pinned
    /// roots; its keys, in their order, become the trust data, with its sequence number,
    /// issue time and next update.
    pub fn from_trust_list(token: &[u8], roots: &Roots) -> Result<Self, Error> {
        let verified = VerifiedTrustList::verify(token, &roots.keys)
            .map_err(|e| Error::new(ErrorCode::TrustListInvalid, format!("trust list: {e}")))?;
        Ok(TrustData {
            store: verified.to_trust_store(),
            trust_list: Some(verified),
        })
    }

    /// Verifies a trust bundle (spec §9.6: a signed trust list and its status lists in one
    /// file) against the pinned roots, and installs it at `now` in place of `in_use` (the
    /// trust data held so far, if any) under the import rules: a bundle that is malformed,
    /// whose trust list is not signed by a root, is older than the one in use (or as old
    /// with other content), was issued in the future, or is stale beyond `policy`'s grace
    /// period is refused as a whole ([`ErrorCode::BundleRefused`], the message starting
    /// with the `bundle_…` code). Each status list then stands alone: the bundle's is used
    /// if it verifies and passes the same rules, else the one in use stays;
    /// [`BundleSummary`] says which.
    pub fn from_bundle(
        bytes: &[u8],
        roots: &Roots,
        in_use: Option<&TrustData>,
        now: i64,
        policy: &Policy,
    ) -> Result<(TrustData, BundleSummary), Error> {
        let refused = |code: &str, detail: &dyn std::fmt::Display| {
            Error::new(ErrorCode::BundleRefused, format!("{code}: {detail}"))
        };
        // The roots a disk cache would accept: the pinned ones, and those the list in
        // use signed with or names as its successors.
        let mut accepted = roots.keys.clone();
        if let Some(list) = in_use.and_then(|data| data.trust_list.as_ref()) {
            accepted.push(list.root());
            accepted.extend(list.list().successor_roots.iter().cloned());
        }
        let verified = TrustBundle::decode(bytes)
            .and_then(|bundle| bundle.verify(&accepted))
            .map_err(|e| refused(e.code().code(), &e))?;
        let in_use = in_use.and_then(|data| {
            data.trust_list.as_ref().map(|trust_list| InUse {
                trust_list,
                store: &data.store,
            })
        });
        let installed = verified
            .install_over(in_use, UnixTime(now), policy.sdk())
            .map_err(|code| refused(code.code(), &code.en()))?;
        let summary = BundleSummary {
            sequence: installed.trust_list.list().sequence,
            unchanged: installed.unchanged,
            complete: installed.is_complete(),
            status_lists: installed
                .status_lists
                .iter()
                .map(|(uri, outcome)| BundlePart {
                    uri: uri.clone(),
                    outcome: outcome.map_or_else(|code| code.code(), |()| "installed"),
                })
                .collect(),
        };
        Ok((
            TrustData {
                store: installed.store,
                trust_list: Some(installed.trust_list),
            },
            summary,
        ))
    }

    /// Verifies a status list token (the COSE_Sign1 bytes, spec §9.3) against these keys
    /// and holds it under its URI, replacing any list held under that URI.
    pub fn add_status_list(&mut self, token: &[u8]) -> Result<StatusListSummary, Error> {
        let verified = StatusListToken::verify(token, &self.store)
            .map_err(|e| Error::new(ErrorCode::StatusListInvalid, format!("status list: {e}")))?;
        let summary = StatusListSummary::of(&verified, None);
        self.store.add_status_list(Arc::new(verified));
        Ok(summary)
    }

    /// The SDK's trust store.
    pub fn store(&self) -> &TrustStore {
        &self.store
    }

    /// How many issuer keys are held.
    pub fn key_count(&self) -> usize {
        self.store.len()
    }

    /// What the trust data is and how fresh it is at `now` under `policy`: what a verifier
    /// shows before anything is scanned, so that stale data is seen early.
    pub fn summary(&self, now: i64, policy: &Policy) -> TrustSummary {
        let rules = policy.sdk();
        let trust_list = self.store.trust_list().map(|info| TrustListSummary {
            sequence: info.sequence,
            issued_at: info.issued_at.to_string(),
            next_update: info.next_update.to_string(),
            age_seconds: age(info.issued_at, now),
            freshness: state_name(
                &rules.trust_list,
                info.issued_at,
                Some(info.next_update),
                now,
            ),
        });
        // The store gives them in the order of their URIs already (no sort code needed).
        let status_lists: Vec<StatusListSummary> = self
            .store
            .status_lists()
            .map(|token| StatusListSummary::of(token, Some((now, &rules.status_list))))
            .collect();
        TrustSummary {
            source: if trust_list.is_some() {
                "trust_list"
            } else {
                "local"
            },
            keys: self.store.len(),
            trust_list,
            status_lists,
        }
    }
}

fn age(issued_at: UnixTime, now: i64) -> Option<u64> {
    u64::try_from(now.saturating_sub(issued_at.0)).ok()
}

fn state_name(
    rule: &Freshness,
    issued_at: UnixTime,
    use_until: Option<UnixTime>,
    now: i64,
) -> &'static str {
    match rule.state(issued_at.0, use_until.map(|t| t.0), now) {
        FreshnessState::Fresh => "fresh",
        FreshnessState::Grace => "stale_in_grace",
        FreshnessState::Expired => "stale",
    }
}

/// [`TrustData::summary`]: its JSON form is [`TrustSummary::to_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustSummary {
    /// `local` (a trust store) or `trust_list` (a verified signed trust list).
    pub source: &'static str,
    /// How many issuer keys are held.
    pub keys: usize,
    /// The trust list, when the keys came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<TrustListSummary>,
    /// The status lists held, by URI.
    pub status_lists: Vec<StatusListSummary>,
}

impl TrustSummary {
    /// Whether any part is stale (in its grace period or beyond): what a verifier warns of.
    pub fn any_stale(&self) -> bool {
        self.trust_list.iter().any(|t| t.freshness != "fresh")
            || self
                .status_lists
                .iter()
                .any(|s| s.freshness.is_some_and(|f| f != "fresh"))
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Plain strings and numbers: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What [`TrustData::from_bundle`] installed: its JSON form is [`BundleSummary::to_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleSummary {
    /// The sequence number of the bundle's trust list, now in use.
    pub sequence: u64,
    /// Whether that trust list was the one in use already.
    pub unchanged: bool,
    /// Whether every status list the trust list names came from the bundle and none was
    /// extra.
    pub complete: bool,
    /// Each status list the trust list names, then each extra one the bundle holds.
    pub status_lists: Vec<BundlePart>,
}

impl BundleSummary {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One status list of a bundle, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundlePart {
    /// Its URI.
    pub uri: String,
    /// `installed` (the bundle's token is in use, or already was), or the import code
    /// (`bundle_status_list_missing`, `…_invalid`, `…_not_named`, `…_rollback`,
    /// `…_expired`, `…_not_yet_valid`) when the token in use, if any, stays.
    pub outcome: &'static str,
}

/// The trust list the keys came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustListSummary {
    /// Its sequence number.
    pub sequence: u64,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
    /// When its publisher issues the next one, RFC 3339 UTC.
    pub next_update: String,
    /// Seconds since it was issued; absent when `now` is before its issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// `fresh`, `stale_in_grace` (accepted with a warning) or `stale` (refused).
    pub freshness: &'static str,
}

/// A status list held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusListSummary {
    /// Its URI (its `sub`).
    pub uri: String,
    /// The issuer that signed it.
    pub issuer: String,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
    /// Its `exp`, RFC 3339 UTC, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Seconds since it was issued, in a summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// `fresh`, `stale_in_grace` or `stale`, in a summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<&'static str>,
}

impl StatusListSummary {
    fn of(token: &StatusListToken, at: Option<(i64, &Freshness)>) -> Self {
        StatusListSummary {
            uri: token.uri().to_owned(),
            issuer: token.issuer().to_owned(),
            issued_at: token.issued_at().to_string(),
            expires_at: token.expires_at().map(|t| t.to_string()),
            age_seconds: at.and_then(|(now, _)| age(token.issued_at(), now)),
            freshness: at
                .map(|(now, rule)| state_name(rule, token.issued_at(), token.expires_at(), now)),
        }
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORE: &str = r#"{"format": "ikd-trust-store/1", "keys": [{
        "issuer": "ID-DUKCAPIL-3273", "name": "Disdukcapil Kota Bandung",
        "public_key": "d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737",
        "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2027-12-31T23:59:59Z",
        "doc_types": ["ktp", "kk"]}]}"#;

    #[test]
    fn a_store_loads_and_summarises_as_local() {
        let trust = TrustData::from_store_json(STORE).unwrap();
        assert_eq!(trust.key_count(), 1);
        let summary = trust.summary(1_790_000_000, &Policy::default());
        assert_eq!(summary.source, "local");
        assert!(summary.trust_list.is_none());
        assert!(!summary.any_stale());
    }

    #[test]
    fn bad_inputs_have_their_codes() {
        let code = |r: Result<TrustData, Error>| r.unwrap_err().code();
        assert_eq!(
            code(TrustData::from_store_json("{}")),
            ErrorCode::TrustStoreInvalid
        );
        let roots = Roots::from_hex_keys(&[
            "d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737",
        ])
        .unwrap();
        assert_eq!(roots.len(), 1);
        assert_eq!(
            code(TrustData::from_trust_list(b"not a list", &roots)),
            ErrorCode::TrustListInvalid
        );
        let mut trust = TrustData::from_store_json(STORE).unwrap();
        assert_eq!(
            trust.add_status_list(&[0xd2, 0x84]).unwrap_err().code(),
            ErrorCode::StatusListInvalid
        );
        for bad in [&[][..], &["zz"][..], &["abcd"][..]] {
            assert_eq!(
                Roots::from_hex_keys(bad).unwrap_err().code(),
                ErrorCode::RootsInvalid
            );
        }
        assert_eq!(
            Roots::from_anchors_json("{}").unwrap_err().code(),
            ErrorCode::RootsInvalid
        );
    }
}
