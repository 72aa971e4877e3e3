//! The policy in its JSON form: every member optional, each absent one at the Rust SDK's
//! default, unknown members refused (a misspelt member must not silently keep a default).

use crate::error::{Error, ErrorCode};
use ikd_sdk::{DocType, DocTypeSet, Freshness};
use serde::{Deserialize, Serialize};

/// A verifier's policy: what it accepts and how old its trust data may be.
///
/// [`Policy::default`] is exactly `ikd_sdk::Policy::default()`: 60 s of leeway, every
/// document type, a bare credential only for a KK, presentations at most 90 s old with
/// 30 s of leeway, the trust list stale after 7 days (warned for 30 more), status lists
/// stale after 3 days (warned for 4 more).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    inner: ikd_sdk::Policy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    leeway_seconds: Option<u32>,
    accepted_doc_types: Option<Vec<String>>,
    bare_credentials: Option<Vec<String>>,
    presentation_leeway_seconds: Option<u32>,
    presentation_max_age_seconds: Option<u32>,
    freshness: Option<FreshnessJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FreshnessJson {
    trust_list: Option<RuleJson>,
    status_list: Option<RuleJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleJson {
    max_age_seconds: u32,
    grace_seconds: Option<u32>,
}

// The JSON form written out. Members in alphabetical order: the order it had when it was
// built as a JSON map, which sorts its keys.
#[derive(Serialize)]
struct PolicyOut {
    accepted_doc_types: Vec<&'static str>,
    bare_credentials: Vec<&'static str>,
    freshness: FreshnessOut,
    leeway_seconds: u32,
    presentation_leeway_seconds: u32,
    presentation_max_age_seconds: u32,
}

#[derive(Serialize)]
struct FreshnessOut {
    status_list: RuleOut,
    trust_list: RuleOut,
}

#[derive(Serialize)]
struct RuleOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_seconds: Option<u32>,
    max_age_seconds: u32,
}

impl RuleJson {
    fn freshness(&self) -> Freshness {
        match self.grace_seconds {
            None => Freshness::reject_after(self.max_age_seconds),
            Some(grace) => Freshness::warn_after(self.max_age_seconds, grace),
        }
    }
}

fn doc_types(member: &str, names: &[String]) -> Result<DocTypeSet, Error> {
    names.iter().try_fold(DocTypeSet::NONE, |set, name| {
        DocType::from_name(name)
            .map(|t| set.with(t))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::PolicyInvalid,
                    format!("{member}: unknown document type {name:?}"),
                )
            })
    })
}

impl Policy {
    /// Reads the policy JSON form:
    ///
    /// ```json
    /// {"leeway_seconds": 60, "accepted_doc_types": ["ktp", "kk"], "bare_credentials": ["kk"],
    ///  "presentation_leeway_seconds": 30, "presentation_max_age_seconds": 90,
    ///  "freshness": {"trust_list": {"max_age_seconds": 604800, "grace_seconds": 2592000},
    ///                "status_list": {"max_age_seconds": 259200}}}
    /// ```
    ///
    /// Every member is optional; an absent one keeps the default. A freshness rule without
    /// `grace_seconds` rejects stale data at once. `{}` is the default policy.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let parsed: PolicyJson = serde_json::from_str(json)
            .map_err(|e| Error::new(ErrorCode::PolicyInvalid, format!("policy: {e}")))?;
        let mut inner = ikd_sdk::Policy::default();
        if let Some(seconds) = parsed.leeway_seconds {
            inner.leeway_seconds = seconds;
        }
        if let Some(names) = &parsed.accepted_doc_types {
            inner.accepted_doc_types = doc_types("accepted_doc_types", names)?;
        }
        if let Some(names) = &parsed.bare_credentials {
            inner.bare_credentials = doc_types("bare_credentials", names)?;
        }
        if let Some(seconds) = parsed.presentation_leeway_seconds {
            inner.presentation_leeway_seconds = seconds;
        }
        if let Some(seconds) = parsed.presentation_max_age_seconds {
            inner.presentation_max_age_seconds = seconds;
        }
        if let Some(freshness) = &parsed.freshness {
            if let Some(rule) = &freshness.trust_list {
                inner.trust_list = rule.freshness();
            }
            if let Some(rule) = &freshness.status_list {
                inner.status_list = rule.freshness();
            }
        }
        Ok(Policy { inner })
    }

    /// The policy in the same JSON form, every member written out.
    pub fn to_json(&self) -> String {
        let names = |set: DocTypeSet| -> Vec<&'static str> {
            DocType::ALL
                .iter()
                .filter(|t| set.contains(**t))
                .map(|t| t.name())
                .collect()
        };
        let rule = |f: &Freshness| RuleOut {
            grace_seconds: match f.when_stale {
                ikd_sdk::WhenStale::Warn { grace_seconds } => Some(grace_seconds),
                _ => None,
            },
            max_age_seconds: f.max_age_seconds,
        };
        let p = &self.inner;
        let out = PolicyOut {
            accepted_doc_types: names(p.accepted_doc_types),
            bare_credentials: names(p.bare_credentials),
            freshness: FreshnessOut {
                status_list: rule(&p.status_list),
                trust_list: rule(&p.trust_list),
            },
            leeway_seconds: p.leeway_seconds,
            presentation_leeway_seconds: p.presentation_leeway_seconds,
            presentation_max_age_seconds: p.presentation_max_age_seconds,
        };
        // Numbers and names: serializing cannot fail.
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// The SDK's policy.
    pub fn sdk(&self) -> &ikd_sdk::Policy {
        &self.inner
    }
}

impl From<ikd_sdk::Policy> for Policy {
    fn from(inner: ikd_sdk::Policy) -> Self {
        Policy { inner }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_is_the_sdk_default() {
        assert_eq!(
            Policy::from_json("{}").unwrap().sdk(),
            &ikd_sdk::Policy::default()
        );
        assert_eq!(Policy::default().sdk(), &ikd_sdk::Policy::default());
    }

    #[test]
    fn members_override_defaults() {
        let policy = Policy::from_json(
            r#"{"leeway_seconds": 0, "accepted_doc_types": ["kk"], "bare_credentials": [],
                "presentation_leeway_seconds": 5, "presentation_max_age_seconds": 60,
                "freshness": {"status_list": {"max_age_seconds": 10}}}"#,
        )
        .unwrap();
        let p = policy.sdk();
        assert_eq!(p.leeway_seconds, 0);
        assert_eq!(p.accepted_doc_types, DocTypeSet::NONE.with(DocType::Kk));
        assert_eq!(p.bare_credentials, DocTypeSet::NONE);
        assert_eq!(
            (
                p.presentation_leeway_seconds,
                p.presentation_max_age_seconds
            ),
            (5, 60)
        );
        assert_eq!(p.status_list, Freshness::reject_after(10));
        assert_eq!(p.trust_list, ikd_sdk::Policy::default().trust_list);
    }

    #[test]
    fn round_trips_through_its_json() {
        let policy = Policy::from_json(
            r#"{"accepted_doc_types": ["ktp", "age_over_17"],
                "freshness": {"trust_list": {"max_age_seconds": 9, "grace_seconds": 3}}}"#,
        )
        .unwrap();
        assert_eq!(Policy::from_json(&policy.to_json()).unwrap(), policy);
        let default = Policy::default();
        assert_eq!(Policy::from_json(&default.to_json()).unwrap(), default);
    }

    #[test]
    fn its_json_is_written_out_in_alphabetical_order() {
        assert_eq!(
            Policy::default().to_json(),
            concat!(
                r#"{"accepted_doc_types":["ktp","kk","identity","age_over_17","domicile"],"#,
                r#""bare_credentials":["kk"],"freshness":{"#,
                r#""status_list":{"grace_seconds":345600,"max_age_seconds":259200},"#,
                r#""trust_list":{"grace_seconds":2592000,"max_age_seconds":604800}},"#,
                r#""leeway_seconds":60,"presentation_leeway_seconds":30,"#,
                r#""presentation_max_age_seconds":90}"#
            )
        );
        let strict =
            Policy::from_json(r#"{"freshness": {"status_list": {"max_age_seconds": 10}}}"#)
                .unwrap()
                .to_json();
        assert!(
            strict.contains(r#""status_list":{"max_age_seconds":10}"#),
            "{strict}"
        );
    }

    #[test]
    fn misuse_is_policy_invalid() {
        for bad in [
            "",
            "[]",
            r#"{"leeway_second": 5}"#,
            r#"{"leeway_seconds": -1}"#,
            r#"{"leeway_seconds": 1.5}"#,
            r#"{"accepted_doc_types": ["passport"]}"#,
            r#"{"freshness": {"trust_list": {"grace_seconds": 3}}}"#,
            r#"{"freshness": {"trustlist": {"max_age_seconds": 3}}}"#,
        ] {
            let error = Policy::from_json(bad).unwrap_err();
            assert_eq!(error.code(), ErrorCode::PolicyInvalid, "{bad}");
        }
    }
}
