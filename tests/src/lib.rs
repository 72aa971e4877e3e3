//! End-to-end tests across crates live in `tests/`:
//!
//! - `service_conformance.rs`: for every conformance vector (`conformance/vectors/`), the
//!   verification service (started in-process with `app(state)`, the vector's clock and
//!   policy, and its trust data: a trust store, or a signed trust list and status lists in
//!   the service's trust cache, verified against the vector's pinned roots) gives the same
//!   verdict, reason code, stage and report as the SDK.
//! - `runner_service.rs`: the conformance runner (`ikd_conformance::run_target`) drives the
//!   service over loopback HTTP through the runner protocol, with one service instance per
//!   distinct trust data, clock and policy; every vector must agree, none unsupported.

/// A freshness rule: largest age and grace period in seconds (no grace: reject at once).
pub type FreshnessRule = (u32, Option<u32>);

/// What a service instance built for conformance vectors is configured with: one
/// vector's policy, and its signed trust list's pinned roots when it has one.
#[derive(Debug, Clone, Copy)]
pub struct VectorService<'a> {
    /// Clock-skew leeway for the credential's times.
    pub leeway_seconds: u32,
    /// A presentation's largest age.
    pub presentation_max_age_seconds: u32,
    /// Clock-skew leeway for a presentation's times.
    pub presentation_leeway_seconds: u32,
    /// Document types accepted, by name.
    pub accepted_doc_types: &'a [String],
    /// Document types accepted bare, by name.
    pub bare_credentials: &'a [String],
    /// The verifier's audience, when the vector's challenge binds one.
    pub audience: Option<&'a str>,
    /// Trust list and status list freshness: `(max age, grace)` each, grace 0 rejecting at
    /// once.
    pub freshness: Option<(FreshnessRule, FreshnessRule)>,
    /// The pinned roots (hex) of a signed trust list in the `cache` folder; `None` for a
    /// local trust store.
    pub trust_roots: Option<&'a [String]>,
    /// The one API client's id and the SHA-256 (hex) of its key; it may use `kyc`.
    pub client: (&'a str, &'a str),
}

impl VectorService<'_> {
    /// The service's configuration file (TOML) with `dir` as its data directory.
    pub fn config_text(&self, dir: &std::path::Path, hmac_key_hex: &str) -> String {
        let quoted = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let trust = self.trust_roots.map_or_else(String::new, |roots| {
            format!(
                "[trust]\nroots = [{}]\ncache_dir = \"cache\"\n",
                quoted(roots)
            )
        });
        let audience = self
            .audience
            .map_or_else(String::new, |a| format!("audience = \"{a}\"\n"));
        let freshness = self.freshness.map_or_else(String::new, |(list, status)| {
            format!(
                "trust_list_max_age_seconds = {}\ntrust_list_grace_seconds = {}\n\
                 status_list_max_age_seconds = {}\nstatus_list_grace_seconds = {}\n",
                list.0,
                list.1.unwrap_or(0),
                status.0,
                status.1.unwrap_or(0)
            )
        });
        format!(
            "data_dir = \"{dir}\"\n{trust}[policy]\nleeway_seconds = {leeway}\n\
             presentation_max_age_seconds = {max_age}\n\
             presentation_leeway_seconds = {presentation_leeway}\n\
             accepted_doc_types = [{accepted}]\nbare_credentials = [{bare}]\n\
             {audience}{freshness}[audit]\nhmac_key = \"{hmac_key_hex}\"\n\
             [[clients]]\nid = \"{id}\"\napi_key_sha256 = \"{key}\"\npurposes = [\"kyc\"]\n\
             rate_limit_per_minute = 1000000\n",
            dir = dir.display(),
            leeway = self.leeway_seconds,
            max_age = self.presentation_max_age_seconds,
            presentation_leeway = self.presentation_leeway_seconds,
            accepted = quoted(self.accepted_doc_types),
            bare = quoted(self.bare_credentials),
            id = self.client.0,
            key = self.client.1,
        )
    }
}
