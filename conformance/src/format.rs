//! The vector file format (README.md §Vector format), as Rust types.
//!
//! Field order in these structs is the order in the files: the generator serializes them,
//! so the committed files are byte-for-byte reproducible.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` value of every vector file of this version.
///
/// Version 2 added signed trust lists, status lists and freshness policies (the `trust`
/// group). Version 3 added the presentation's own time limits to the policy
/// (`presentation_leeway_seconds`, `presentation_max_age_seconds`) and stopped comparing
/// the first outcome of a `replay` vector. A file of an earlier version is a version-3
/// file without the members it lacks, apart from its `format` value.
pub const FORMAT: &str = "ikd-conformance/3";

/// One vector file: every vector of one group, and the trust stores they name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The group every vector in the file belongs to.
    pub group: Group,
    /// What the file holds, for people.
    pub description: String,
    /// Trust stores by name, in the SDK's trust-store JSON form (`ikd-trust-store/1`).
    pub trust_stores: BTreeMap<String, TrustStoreJson>,
    /// Signed trust lists by name, with the root keys a verifier pins for them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trust_lists: BTreeMap<String, TrustListJson>,
    /// Status list tokens by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub status_lists: BTreeMap<String, StatusListJson>,
    /// The vectors, in a fixed order.
    pub vectors: Vec<Vector>,
}

/// A signed trust list and the roots that verify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustListJson {
    /// The pinned root public keys (raw Ed25519, hex).
    pub roots: Vec<String>,
    /// The signed trust list (the COSE_Sign1 bytes, hex).
    pub token: String,
}

/// A status list token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusListJson {
    /// Informational: the list's URI (the token's `sub`).
    pub uri: String,
    /// The token (the COSE_Sign1 bytes, hex).
    pub token: String,
}

/// The three groups of vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Credentials a verifier must accept.
    Valid,
    /// Credentials a verifier must reject, one reason each.
    Invalid,
    /// Limits and boundaries: accepted or rejected exactly at the edge.
    Edge,
    /// Signed trust lists, status lists, key status and freshness (format version 2).
    Trust,
}

impl Group {
    /// Every group, in file order.
    pub const ALL: [Group; 4] = [Group::Valid, Group::Invalid, Group::Edge, Group::Trust];

    /// The stable name, which is also the file stem.
    pub const fn as_str(self) -> &'static str {
        match self {
            Group::Valid => "valid",
            Group::Invalid => "invalid",
            Group::Edge => "edge",
            Group::Trust => "trust",
        }
    }
}

/// One test vector: the verifier's inputs and the outcome it must produce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Unique across all files.
    pub id: String,
    /// What the vector exercises, for people.
    pub description: String,
    /// Equal to the file's group.
    pub group: Group,
    /// The QR text, exactly as scanned (it may end in a line ending).
    pub qr: String,
    /// The verifier's clock, in Unix seconds.
    pub now: i64,
    /// The name of a trust store in the file's `trust_stores` (exactly one of this and
    /// `trust_list` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_store: Option<String>,
    /// The name of a signed trust list in the file's `trust_lists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<String>,
    /// Names of status lists in the file's `status_lists`, loaded into the trust data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_lists: Vec<String>,
    /// The verifier's policy.
    pub policy: PolicySpec,
    /// The challenge the verifier showed (spec/format.md §17.5); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<ChallengeSpec>,
    /// When true, the verifier keeps a replay cache and has been shown this QR text once
    /// already: verify it twice with one cache and compare only the second outcome.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay: bool,
    /// When true, the verifier's replay store cannot answer (a shared store out of
    /// reach): a presentation must be refused, not accepted unchecked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay_store_unavailable: bool,
    /// The outcome the verifier must produce.
    pub expected: Expected,
}

/// A verifier's challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    /// The nonce, normalised.
    pub nonce: String,
    /// The audience, if the challenge names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// The verifier's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Clock-skew leeway for `nbf`, `iat` and `exp`, in seconds.
    pub leeway_seconds: u32,
    /// The document types the verifier accepts, by stable name (`ktp`, `kk`).
    pub accepted_doc_types: Vec<String>,
    /// How old the trust data may be; absent: it does not matter for the vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<FreshnessSpec>,
    /// The document types accepted as bare credentials (spec/format.md §17.4); absent:
    /// every type, as before presentations existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bare_credentials: Option<Vec<String>>,
    /// Clock-skew leeway for a presentation's `iat` and expiry, in seconds; absent: 30.
    /// The credential's `leeway_seconds` never applies to the presentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentation_leeway_seconds: Option<u32>,
    /// The largest age of a presentation from its `iat`, in seconds; absent: 90.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentation_max_age_seconds: Option<u32>,
}

/// The freshness rules of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshnessSpec {
    /// For the trust list.
    pub trust_list: RuleSpec,
    /// For status lists.
    pub status_list: RuleSpec,
}

/// One freshness rule: stale after `max_age_seconds` (or the publisher's own limit), then
/// rejected at once, or accepted with a warning for `grace_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Largest age from the data's issue time, in seconds.
    pub max_age_seconds: u32,
    /// The grace period with a warning; absent: stale data is rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_seconds: Option<u32>,
}

/// The expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Expected {
    /// The credential verifies.
    Valid(ValidOutcome),
    /// The credential is rejected.
    Rejected(RejectedOutcome),
}

/// What a verifier reports for a valid credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidOutcome {
    /// The `iss` claim.
    pub issuer: String,
    /// The `name` of the trust-store entry that was used.
    pub issuer_name: String,
    /// The signing key's `kid`, lower-case hex.
    pub kid: String,
    /// The document type's stable name.
    pub doc_type: String,
    /// KTP: the NIK, 16 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    /// KK: the nomor KK, 16 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nomor_kk: Option<String>,
    /// KK: each member's NIK, in document order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_niks: Option<Vec<String>>,
    /// Every warning, in the order the verifier reports them (may be empty).
    pub warnings: Vec<WarningSpec>,
    /// The sequence number of the signed trust list the keys came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_list_sequence: Option<u64>,
}

/// One expected warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningSpec {
    /// The warning code.
    pub code: String,
    /// The field it is about (`nik`, `anggota[2].nik`).
    pub field: String,
}

/// What a verifier reports for a rejected credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedOutcome {
    /// The stage that rejected it (snake_case).
    pub stage: String,
    /// The reason code.
    pub reason_code: String,
    /// For reasons about a document field: the field (`nama`, `anggota[3].nik`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `claims_malformed`: the claim at fault (`iss`, `exp`, `unknown`, `payload`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// For `cose_tag_wrong`: the tag found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<u64>,
    /// For `doc_type_unknown`: the document type number found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type_number: Option<u64>,
    /// For `siak_code_invalid`: the code found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siak_code: Option<u64>,
}

/// The SDK's trust-store JSON form (`ikd-trust-store/1`), typed so that it serializes in a
/// fixed key order whatever features serde_json is built with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustStoreJson {
    /// `ikd-trust-store/1`.
    pub format: String,
    /// The trusted keys.
    pub keys: Vec<TrustedKeyJson>,
}

/// One trusted key in the trust-store JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKeyJson {
    /// The issuer identifier `iss` must equal.
    pub issuer: String,
    /// The issuer's display name.
    pub name: String,
    /// Informational: the key's `kid` (loaders derive it from the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The raw Ed25519 public key, hex.
    pub public_key: String,
    /// Start of the signing window, `YYYY-MM-DDTHH:MM:SSZ`, inclusive.
    pub valid_from: String,
    /// End of the signing window, `YYYY-MM-DDTHH:MM:SSZ`, inclusive.
    pub valid_until: String,
    /// The document types the key may sign.
    pub doc_types: Vec<String>,
    /// `active` (when absent), `retired` or `compromised`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The province or kabupaten/kota the issuer serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<u16>,
}
