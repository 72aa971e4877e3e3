//! Prometheus metrics, written in the text exposition format (version 0.0.4).
//!
//! Labels hold route templates, status codes, verdicts, reason codes and client
//! identifiers only: nothing from a credential.

use crate::audit::AuditStats;
use crate::trust::LoadedTrust;
use ikd_sdk::UnixTime;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency histogram's buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// A histogram with fixed buckets.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations per bucket (not cumulative); the last slot counts those above every
    /// bound.
    counts: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        if let Some(counter) = self.counts.get(slot) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str) {
        let mut cumulative = 0u64;
        for (bound, counter) in LATENCY_BUCKETS.iter().zip(&self.counts) {
            cumulative += counter.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    verifications: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    rate_limited: Mutex<BTreeMap<String, u64>>,
    verify_latency: Histogram,
}

/// Escapes a label value.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts a response.
    pub fn request(&self, route: &str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        // No allocation once the route has been seen.
        match map.get_mut(route) {
            Some(by_status) => *by_status.entry(status).or_default() += 1,
            None => {
                map.insert(route.to_owned(), BTreeMap::from([(status, 1)]));
            }
        }
    }

    /// Counts a verification outcome; `reason` is `none` for a valid credential.
    pub fn verification(&self, verdict: &'static str, reason: &'static str) {
        let mut map = self
            .verifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *map.entry((verdict, reason)).or_default() += 1;
    }

    /// Counts a request refused by a client's rate limit.
    pub fn rate_limited(&self, client: &str) {
        let mut map = self
            .rate_limited
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *map.entry(client.to_owned()).or_default() += 1;
    }

    /// Records the time to answer one verification.
    pub fn verify_latency(&self, duration: Duration) {
        self.verify_latency.observe(duration);
    }

    /// The exposition.
    pub fn render(&self, trust: Option<&LoadedTrust>, audit: &AuditStats, now: UnixTime) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP ikd_http_requests_total HTTP responses by route template and status.\n\
             # TYPE ikd_http_requests_total counter\n",
        );
        for (route, by_status) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            for (status, n) in by_status {
                let _ = writeln!(
                    out,
                    "ikd_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    label(route)
                );
            }
        }
        out.push_str(
            "# HELP ikd_verifications_total Verifications by verdict and reason code.\n\
             # TYPE ikd_verifications_total counter\n",
        );
        for ((verdict, reason), n) in self
            .verifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "ikd_verifications_total{{verdict=\"{verdict}\",reason=\"{}\"}} {n}",
                label(reason)
            );
        }
        out.push_str(
            "# HELP ikd_rate_limited_total Requests refused by a client's rate limit.\n\
             # TYPE ikd_rate_limited_total counter\n",
        );
        for (client, n) in self
            .rate_limited
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "ikd_rate_limited_total{{client=\"{}\"}} {n}",
                label(client)
            );
        }
        out.push_str(
            "# HELP ikd_verify_duration_seconds Time to answer POST /v1/verify with a verdict.\n\
             # TYPE ikd_verify_duration_seconds histogram\n",
        );
        self.verify_latency
            .write(&mut out, "ikd_verify_duration_seconds");

        let (loaded, keys, loaded_at) = match trust {
            Some(t) => (1, t.store.len(), Some(t.loaded_at)),
            None => (0, 0, None),
        };
        let _ = write!(
            out,
            "# HELP ikd_trust_loaded Whether verified trust data is loaded.\n\
             # TYPE ikd_trust_loaded gauge\n\
             ikd_trust_loaded {loaded}\n\
             # HELP ikd_trust_keys Issuer keys in the trust data in use.\n\
             # TYPE ikd_trust_keys gauge\n\
             ikd_trust_keys {keys}\n"
        );
        if let Some(at) = loaded_at {
            let age = now.0.saturating_sub(at.0).max(0);
            let _ = write!(
                out,
                "# HELP ikd_trust_loaded_timestamp_seconds When the trust data in use was loaded.\n\
                 # TYPE ikd_trust_loaded_timestamp_seconds gauge\n\
                 ikd_trust_loaded_timestamp_seconds {}\n\
                 # HELP ikd_trust_age_seconds Seconds since the trust data in use was loaded.\n\
                 # TYPE ikd_trust_age_seconds gauge\n\
                 ikd_trust_age_seconds {age}\n",
                at.0
            );
        }
        let _ = write!(
            out,
            "# HELP ikd_audit_rows_written_total Audit rows written.\n\
             # TYPE ikd_audit_rows_written_total counter\n\
             ikd_audit_rows_written_total {}\n\
             # HELP ikd_audit_rows_purged_total Audit rows deleted by retention.\n\
             # TYPE ikd_audit_rows_purged_total counter\n\
             ikd_audit_rows_purged_total {}\n\
             # HELP ikd_audit_errors_total Failed audit writes and deletions.\n\
             # TYPE ikd_audit_errors_total counter\n\
             ikd_audit_errors_total {}\n\
             # HELP ikd_audit_rows_dropped_total Audit rows given up after database failures.\n\
             # TYPE ikd_audit_rows_dropped_total counter\n\
             ikd_audit_rows_dropped_total {}\n\
             # HELP ikd_audit_failing Whether the last audit write failed (verifications wait for their row).\n\
             # TYPE ikd_audit_failing gauge\n\
             ikd_audit_failing {}\n",
            audit.written.load(Ordering::Relaxed),
            audit.purged.load(Ordering::Relaxed),
            audit.errors.load(Ordering::Relaxed),
            audit.dropped.load(Ordering::Relaxed),
            u8::from(audit.failing.load(Ordering::Relaxed)),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_format() {
        let metrics = Metrics::default();
        metrics.request("/v1/verify", 200);
        metrics.request("/v1/verify", 200);
        metrics.request("/v1/verify", 401);
        metrics.verification("rejected", "credential_expired");
        metrics.rate_limited("bank-\"a\"");
        metrics.verify_latency(Duration::from_micros(300));
        metrics.verify_latency(Duration::from_secs(5));
        let text = metrics.render(None, &AuditStats::default(), UnixTime(0));
        for line in [
            "ikd_http_requests_total{route=\"/v1/verify\",status=\"200\"} 2",
            "ikd_http_requests_total{route=\"/v1/verify\",status=\"401\"} 1",
            "ikd_verifications_total{verdict=\"rejected\",reason=\"credential_expired\"} 1",
            "ikd_rate_limited_total{client=\"bank-\\\"a\\\"\"} 1",
            "ikd_verify_duration_seconds_bucket{le=\"0.00025\"} 0",
            "ikd_verify_duration_seconds_bucket{le=\"0.0005\"} 1",
            "ikd_verify_duration_seconds_bucket{le=\"1\"} 1",
            "ikd_verify_duration_seconds_bucket{le=\"+Inf\"} 2",
            "ikd_verify_duration_seconds_count 2",
            "ikd_verify_duration_seconds_sum 5.0003",
            "ikd_trust_loaded 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        // Every sample line belongs to a declared metric.
        let declared: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next())
            .collect();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(
                declared.iter().any(|d| name.starts_with(d)),
                "{name} undeclared"
            );
        }
    }
}
