//! What every request shares.

use crate::audit::{AuditLog, CredentialHasher};
use crate::auth::Clients;
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::trust::TrustHolder;
use ikd_sdk::Policy;
use std::sync::Arc;
use std::time::Duration;

/// The shared state: cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// The state's parts.
#[derive(Debug)]
pub struct Inner {
    /// The API clients.
    pub clients: Clients,
    /// The trust data.
    pub trust: TrustHolder,
    /// The verification policy.
    pub policy: Policy,
    /// The audit log.
    pub audit: AuditLog,
    /// Keyed hash of credential identifiers for the audit log.
    pub hasher: CredentialHasher,
    /// The counters.
    pub metrics: Metrics,
    /// The clock.
    pub clock: Clock,
    /// Largest request body.
    pub body_limit_bytes: usize,
    /// Time limit of one request.
    pub request_timeout: Duration,
    /// CORS origins; empty: CORS off.
    pub cors_allowed_origins: Vec<String>,
    /// How often the trust store file is checked.
    pub trust_reload: Duration,
    /// How often old audit rows are deleted.
    pub audit_purge_interval: Duration,
}

impl AppState {
    /// The state for `config`, with an opened audit log. No trust data is loaded yet: call
    /// [`TrustHolder::reload`] (or [`TrustHolder::install`]).
    pub fn new(config: &Config, audit: AuditLog, clock: Clock) -> Self {
        AppState(Arc::new(Inner {
            clients: Clients::new(&config.clients),
            trust: TrustHolder::new(config.trust_store.clone()),
            policy: config.policy(),
            audit,
            hasher: CredentialHasher::new(config.audit.hmac_key.clone()),
            metrics: Metrics::default(),
            clock,
            body_limit_bytes: config.http.body_limit_bytes,
            request_timeout: config.http.request_timeout,
            cors_allowed_origins: config.http.cors_allowed_origins.clone(),
            trust_reload: config.trust_reload,
            audit_purge_interval: config.audit.purge_interval,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
