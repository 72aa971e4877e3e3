//! What a verifier accepts, beyond what the format requires.

use crate::model::document::{DocType, DocTypeSet};

/// Default largest age of a presentation: 90 seconds, as long as the IKD app shows one.
pub const DEFAULT_PRESENTATION_MAX_AGE_SECONDS: u32 = 90;

/// Default clock-skew leeway for presentation times, in seconds: smaller than the
/// credential's, since a presentation lives only 90 seconds.
pub const DEFAULT_PRESENTATION_LEEWAY_SECONDS: u32 = 30;

/// Default clock-skew leeway, in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;

/// Default maximum age of the trust list: 7 days.
pub const DEFAULT_TRUST_LIST_MAX_AGE_SECONDS: u32 = 7 * 86_400;

/// Default grace period after the trust list turns stale: 30 days, with a warning.
pub const DEFAULT_TRUST_LIST_GRACE_SECONDS: u32 = 30 * 86_400;

/// Default maximum age of a status list: 3 days.
pub const DEFAULT_STATUS_LIST_MAX_AGE_SECONDS: u32 = 3 * 86_400;

/// Default grace period after a status list turns stale: 4 days, with a warning.
pub const DEFAULT_STATUS_LIST_GRACE_SECONDS: u32 = 4 * 86_400;

/// What a verification does with trust data that has turned stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenStale {
    /// Reject the credential (`trust_list_stale`, `status_list_stale`).
    Reject,
    /// Accept it with a warning for `grace_seconds` after the data turned stale, then
    /// reject it.
    Warn {
        /// How long stale data is still used, with a warning.
        grace_seconds: u32,
    },
}

/// How old a kind of trust data (the trust list, or a status list) may be.
///
/// Data turns **stale** when it is older than `max_age_seconds` (measured from its issue
/// time), or when it passes the time its publisher gave it (a trust list's next-update, a
/// status list's `exp`), whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Largest age, in seconds since the data was issued.
    pub max_age_seconds: u32,
    /// What happens once the data is stale.
    pub when_stale: WhenStale,
}

impl Freshness {
    /// Stale data is rejected at once.
    pub const fn reject_after(max_age_seconds: u32) -> Self {
        Freshness {
            max_age_seconds,
            when_stale: WhenStale::Reject,
        }
    }

    /// Stale data is accepted with a warning for `grace_seconds`, then rejected.
    pub const fn warn_after(max_age_seconds: u32, grace_seconds: u32) -> Self {
        Freshness {
            max_age_seconds,
            when_stale: WhenStale::Warn { grace_seconds },
        }
    }

    /// The grace period: 0 when stale data is rejected at once.
    pub const fn grace_seconds(&self) -> u32 {
        match self.when_stale {
            WhenStale::Reject => 0,
            WhenStale::Warn { grace_seconds } => grace_seconds,
        }
    }
}

/// How fresh data is at a given time, under a [`Freshness`] rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreshnessState {
    /// Not stale.
    Fresh,
    /// Stale, but within the grace period: use it, with a warning.
    Grace,
    /// Stale beyond any grace: do not use it.
    Expired,
}

impl Freshness {
    /// The state at `now` of data issued at `issued_at` that its publisher says to use
    /// until `use_until` (if it says so). Arithmetic saturates.
    pub fn state(&self, issued_at: i64, use_until: Option<i64>, now: i64) -> FreshnessState {
        let by_age = issued_at.saturating_add(i64::from(self.max_age_seconds));
        let stale_at = use_until.map_or(by_age, |until| until.min(by_age));
        if now <= stale_at {
            FreshnessState::Fresh
        } else if now <= stale_at.saturating_add(i64::from(self.grace_seconds())) {
            FreshnessState::Grace
        } else {
            FreshnessState::Expired
        }
    }
}

/// The verifier's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Clock-skew allowance applied to `nbf`, `iat` and `exp`, in seconds.
    pub leeway_seconds: u32,
    /// The document types this verifier accepts.
    pub accepted_doc_types: DocTypeSet,
    /// How old the signed trust list may be. Has no effect with a trust store from local
    /// configuration (the JSON form), which has no issue time.
    pub trust_list: Freshness,
    /// How old a status list may be.
    pub status_list: Freshness,
    /// The document types accepted as a bare credential, without a presentation from the
    /// holder's phone. A credential bound to a device key (`cnf`) is never accepted bare.
    pub bare_credentials: DocTypeSet,
    /// Largest age of a presentation, in seconds from its issue time.
    pub presentation_max_age_seconds: u32,
    /// Clock-skew allowance for presentation times, in seconds.
    pub presentation_leeway_seconds: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            accepted_doc_types: DocTypeSet::all(),
            trust_list: Freshness::warn_after(
                DEFAULT_TRUST_LIST_MAX_AGE_SECONDS,
                DEFAULT_TRUST_LIST_GRACE_SECONDS,
            ),
            status_list: Freshness::warn_after(
                DEFAULT_STATUS_LIST_MAX_AGE_SECONDS,
                DEFAULT_STATUS_LIST_GRACE_SECONDS,
            ),
            // A KK is printed and carries its QR code on paper; a KTP-el and the purpose
            // profiles are shown from the phone.
            bare_credentials: DocTypeSet::NONE.with(DocType::Kk),
            presentation_max_age_seconds: DEFAULT_PRESENTATION_MAX_AGE_SECONDS,
            presentation_leeway_seconds: DEFAULT_PRESENTATION_LEEWAY_SECONDS,
        }
    }
}

impl Policy {
    /// The default policy: [`DEFAULT_LEEWAY_SECONDS`] of leeway, every document type, and
    /// the default freshness rules (trust list stale after 7 days, rejected 30 days later;
    /// status lists stale after 3 days, rejected 4 days later; warnings in between); a
    /// bare credential accepted only for a KK; presentations at most 90 seconds old, with
    /// 30 seconds of leeway.
    pub fn new() -> Self {
        Self::default()
    }

    /// The policy with another clock-skew leeway.
    pub fn with_leeway_seconds(mut self, seconds: u32) -> Self {
        self.leeway_seconds = seconds;
        self
    }

    /// The policy accepting only these document types.
    pub fn with_accepted_doc_types(mut self, doc_types: DocTypeSet) -> Self {
        self.accepted_doc_types = doc_types;
        self
    }

    /// The policy with another freshness rule for the trust list.
    pub fn with_trust_list_freshness(mut self, freshness: Freshness) -> Self {
        self.trust_list = freshness;
        self
    }

    /// The policy accepting these document types as bare credentials.
    pub fn with_bare_credentials(mut self, doc_types: DocTypeSet) -> Self {
        self.bare_credentials = doc_types;
        self
    }

    /// The policy with another largest presentation age and leeway, in seconds.
    pub fn with_presentation_age(mut self, max_age_seconds: u32, leeway_seconds: u32) -> Self {
        self.presentation_max_age_seconds = max_age_seconds;
        self.presentation_leeway_seconds = leeway_seconds;
        self
    }

    /// The policy with another freshness rule for status lists.
    pub fn with_status_list_freshness(mut self, freshness: Freshness) -> Self {
        self.status_list = freshness;
        self
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// For tests that read bare credentials of every type, where how a credential was
    /// shown does not matter.
    pub(crate) fn bare_accepted() -> Policy {
        Policy::new().with_bare_credentials(DocTypeSet::all())
    }

    #[test]
    fn freshness_states() {
        let rule = Freshness::warn_after(100, 50);
        assert_eq!(rule.state(1000, None, 1100), FreshnessState::Fresh);
        assert_eq!(rule.state(1000, None, 1101), FreshnessState::Grace);
        assert_eq!(rule.state(1000, None, 1150), FreshnessState::Grace);
        assert_eq!(rule.state(1000, None, 1151), FreshnessState::Expired);
        // The publisher's own limit counts when it is earlier.
        assert_eq!(rule.state(1000, Some(1010), 1011), FreshnessState::Grace);
        assert_eq!(rule.state(1000, Some(5000), 1101), FreshnessState::Grace);
        let strict = Freshness::reject_after(100);
        assert_eq!(strict.state(1000, None, 1101), FreshnessState::Expired);
        // Extreme values saturate instead of wrapping into "fresh".
        assert_eq!(
            Freshness::warn_after(u32::MAX, u32::MAX).state(i64::MAX, None, i64::MAX),
            FreshnessState::Fresh
        );
        assert_eq!(strict.state(i64::MIN, None, 0), FreshnessState::Expired);
    }
}
