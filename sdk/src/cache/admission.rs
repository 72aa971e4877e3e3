//! The update rules by which offered trust data replaces the data in use (spec §9.4, and
//! §9.6 for a bundle): no rollback, nothing issued in the future, nothing already stale
//! beyond its grace period. The disk cache applies them on every install; a verifier that
//! holds its trust data only in memory (a browser page loading a bundle from a USB stick)
//! applies them through [`VerifiedBundle::install_over`]. Pure: the time is an argument.

use crate::model::time::UnixTime;
use crate::trust::bundle::{BundleCode, VerifiedBundle};
use crate::trust::status_list::StatusListToken;
use crate::trust::store::TrustStore;
use crate::trust::trust_list::VerifiedTrustList;
use crate::verification::policy::{Freshness, FreshnessState, Policy};
use crate::wire::limits::MAX_LIST_CLOCK_SKEW_SECONDS;
use std::sync::Arc;

/// Offered data that the rules let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admitted {
    /// It is newer than the data in use, or nothing was in use.
    Newer,
    /// It is the data in use (the same bytes).
    Same,
}

/// Why the rules keep offered data out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Older than the data in use (the trust list's sequence, the status list's `iat`), or
    /// as old with other content.
    Rollback { current: i128, offered: i128 },
    /// Issued more than [`MAX_LIST_CLOCK_SKEW_SECONDS`] after `now`.
    NotYetValid,
    /// Stale beyond the policy's grace period already.
    Expired,
}

/// The rules for a trust list: `highest_sequence` is the highest sequence ever installed
/// (a disk cache remembers it past a list it no longer holds; 0 when nothing is known).
pub(crate) fn admit_trust_list(
    offered: &VerifiedTrustList,
    in_use: Option<&VerifiedTrustList>,
    highest_sequence: u64,
    now: UnixTime,
    rule: &Freshness,
) -> Result<Admitted, Refused> {
    let list = offered.list();
    if let Some(current) = in_use {
        let in_use_sequence = current.list().sequence;
        if list.sequence == in_use_sequence && offered.digest() == current.digest() {
            return Ok(Admitted::Same);
        }
        if list.sequence <= in_use_sequence {
            return Err(rollback(in_use_sequence, list.sequence));
        }
    }
    if list.sequence < highest_sequence {
        return Err(rollback(highest_sequence, list.sequence));
    }
    fresh_enough(list.issued_at, Some(list.next_update), now, rule)?;
    Ok(Admitted::Newer)
}

/// The rules for a status list token, against the token in use for its URI.
pub(crate) fn admit_status_list(
    offered: &StatusListToken,
    in_use: Option<&StatusListToken>,
    now: UnixTime,
    rule: &Freshness,
) -> Result<Admitted, Refused> {
    if let Some(current) = in_use {
        if offered.digest() == current.digest() {
            return Ok(Admitted::Same);
        }
        if offered.issued_at() <= current.issued_at() {
            return Err(Refused::Rollback {
                current: i128::from(current.issued_at().0),
                offered: i128::from(offered.issued_at().0),
            });
        }
    }
    fresh_enough(offered.issued_at(), offered.expires_at(), now, rule)?;
    Ok(Admitted::Newer)
}

fn rollback(current: u64, offered: u64) -> Refused {
    Refused::Rollback {
        current: i128::from(current),
        offered: i128::from(offered),
    }
}

fn fresh_enough(
    issued_at: UnixTime,
    use_until: Option<UnixTime>,
    now: UnixTime,
    rule: &Freshness,
) -> Result<(), Refused> {
    if issued_at.0 > now.0.saturating_add(MAX_LIST_CLOCK_SKEW_SECONDS) {
        return Err(Refused::NotYetValid);
    }
    if rule.state(issued_at.0, use_until.map(|t| t.0), now.0) == FreshnessState::Expired {
        return Err(Refused::Expired);
    }
    Ok(())
}

/// Trust data in use that a bundle may replace: the verified trust list it came from, and
/// the trust store made of it (with its status lists).
#[derive(Debug, Clone, Copy)]
pub struct InUse<'a> {
    /// The verified trust list in use.
    pub trust_list: &'a VerifiedTrustList,
    /// The trust data in use, with its status lists.
    pub store: &'a TrustStore,
}

/// What [`VerifiedBundle::install_over`] made.
#[derive(Debug, Clone)]
pub struct InstalledBundle {
    /// The trust list now in use: the bundle's.
    pub trust_list: VerifiedTrustList,
    /// The trust data to verify with from now on.
    pub store: TrustStore,
    /// Whether the bundle's trust list was the one in use already.
    pub unchanged: bool,
    /// Each status list the trust list names, then each the bundle holds that it does not
    /// name: `Ok` if the bundle's token is in use now (or was already), else why not.
    pub status_lists: Vec<(String, Result<(), BundleCode>)>,
}

impl InstalledBundle {
    /// Whether every status list the trust list names came from the bundle and none was
    /// extra.
    pub fn is_complete(&self) -> bool {
        self.status_lists.iter().all(|(_, outcome)| outcome.is_ok())
    }
}

impl VerifiedBundle {
    /// Installs this bundle in place of trust data held in memory, at time `now`, under
    /// the same rules as [`crate::store::TrustCache::import_bundle`]: a trust list older
    /// than the one in use (or as old, with other content), issued in the future, or stale
    /// beyond `policy`'s grace period refuses the whole bundle with its code. Each status
    /// list then stands alone: the bundle's token is used if it verified and passes the
    /// same rules against the token in use for its URI; otherwise the token in use stays,
    /// if its signing key is still trusted, and the outcome says why.
    pub fn install_over(
        self,
        in_use: Option<InUse<'_>>,
        now: UnixTime,
        policy: &Policy,
    ) -> Result<InstalledBundle, BundleCode> {
        let admitted = admit_trust_list(
            self.trust_list(),
            in_use.map(|u| u.trust_list),
            0,
            now,
            &policy.trust_list,
        )
        .map_err(|refused| match refused {
            Refused::Rollback { .. } => BundleCode::TrustListRollback,
            Refused::NotYetValid => BundleCode::TrustListNotYetValid,
            Refused::Expired => BundleCode::TrustListExpired,
        })?;
        let mut store = self.trust_list().to_trust_store();
        let mut outcomes = Vec::new();
        for (uri, verified) in self.status_lists() {
            let current = in_use
                .and_then(|u| u.store.status_list(uri))
                .filter(|token| {
                    let named = self
                        .trust_list()
                        .list()
                        .status_lists
                        .iter()
                        .any(|r| r.uri == *uri && r.issuer == token.issuer());
                    named && store.candidates(token.kid()).next().is_some()
                });
            let offered = (*verified).and_then(|()| {
                let token = self
                    .store()
                    .status_list(uri)
                    .ok_or(BundleCode::StatusListInvalid)?;
                admit_status_list(token, current.map(Arc::as_ref), now, &policy.status_list)
                    .map(|_| token)
                    .map_err(|refused| match refused {
                        Refused::Rollback { .. } => BundleCode::StatusListRollback,
                        Refused::NotYetValid => BundleCode::StatusListNotYetValid,
                        Refused::Expired => BundleCode::StatusListExpired,
                    })
            });
            match (&offered, current) {
                (Ok(token), _) => store.add_status_list(Arc::clone(token)),
                (Err(_), Some(kept)) => store.add_status_list(Arc::clone(kept)),
                (Err(_), None) => {}
            }
            outcomes.push((uri.clone(), offered.map(|_| ())));
        }
        Ok(InstalledBundle {
            trust_list: self.trust_list().clone(),
            store,
            unchanged: admitted == Admitted::Same,
            status_lists: outcomes,
        })
    }
}
