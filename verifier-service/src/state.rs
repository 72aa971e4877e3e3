//! What every request shares.

use crate::audit::{AuditLog, CredentialHasher};
use crate::auth::Clients;
use crate::clock::Clock;
use crate::config::{Config, UploadConfig};
use crate::error::Chain;
use crate::metrics::Metrics;
use crate::replay::{ReplayBackend, ReplayError};
use crate::trust::{TrustHolder, TrustSetupError};
use ikd_sdk::Policy;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Why the state could not be built. It reads as the error it holds.
#[derive(Debug)]
#[non_exhaustive]
pub enum StateError {
    /// The configured replay store cannot be opened.
    Replay(ReplayError),
    /// The signed trust source cannot be set up.
    Trust(TrustSetupError),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Replay(e) => e.fmt(f),
            StateError::Trust(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StateError {
    // Transparent: the message is the inner error's, so the chain continues below it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StateError::Replay(e) => e.source(),
            StateError::Trust(e) => e.source(),
        }
    }
}

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
    /// This verifier's identifier, bound by challenges when configured.
    pub audience: Option<String>,
    /// The presentations accepted, so that each is accepted once.
    pub replay: Arc<ReplayBackend>,
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
    /// The accept loop's settings.
    pub connections: crate::connections::ConnectionSettings,
    /// How often the trust store file is checked.
    pub trust_reload: Duration,
    /// How often old audit rows are deleted.
    pub audit_purge_interval: Duration,
    /// Picture uploads: size limit, scan budget.
    pub upload: UploadConfig,
    /// Permits to scan a picture: at most `upload.concurrency` scans run at once.
    pub scan_permits: Arc<Semaphore>,
    /// The counter page: staff accounts and sessions.
    pub counter: crate::counter::Counter,
    /// Trust bundles: who may import them, and the watched folder.
    pub trust_import: crate::trust_import::TrustImportConfig,
    /// Verification receipts, when configured.
    pub receipts: Option<crate::receipt::ReceiptConfig>,
    /// The offline verifier page, when configured.
    pub offline_page: Option<crate::offline_page::OfflinePage>,
    /// Their signer (hashing credential ids with the audit log's key).
    pub receipt_signer: Option<ikd_sdk::ReceiptSigner>,
}

impl AppState {
    /// The state for `config`, with an opened audit log. The signed trust cache (if
    /// configured) is opened and loaded now; an unsigned trust store file is not read yet:
    /// call [`TrustHolder::reload`] (or [`TrustHolder::install`]). A trust setup that
    /// fails leaves the state without trust data (503) and the reason in
    /// [`TrustHolder::last_error`]; [`AppState::try_new`] returns it instead. Fails only
    /// when the configured replay store cannot be opened.
    pub fn new(config: &Config, audit: AuditLog, clock: Clock) -> Result<Self, StateError> {
        let trust = TrustHolder::from_config(config, &config.policy(), clock.now())
            .unwrap_or_else(|e| TrustHolder::unavailable(Chain(&e).to_string()));
        let replay = ReplayBackend::open(&config.replay).map_err(StateError::Replay)?;
        Ok(Self::assemble(config, audit, clock, trust, replay))
    }

    /// As [`AppState::new`], but a trust setup that fails (unreadable anchors, a cache
    /// folder that cannot be created) is an error.
    pub fn try_new(config: &Config, audit: AuditLog, clock: Clock) -> Result<Self, StateError> {
        let replay = ReplayBackend::open(&config.replay).map_err(StateError::Replay)?;
        Self::try_with_replay(config, audit, clock, replay)
    }

    /// As [`AppState::try_new`], with `replay` as the replay store instead of the
    /// configured one (for example an embedder's own [`ikd_sdk::ReplayStore`], through
    /// [`ReplayBackend::from_store`]).
    pub fn try_with_replay(
        config: &Config,
        audit: AuditLog,
        clock: Clock,
        replay: ReplayBackend,
    ) -> Result<Self, StateError> {
        let trust = TrustHolder::from_config(config, &config.policy(), clock.now())
            .map_err(StateError::Trust)?;
        Ok(Self::assemble(config, audit, clock, trust, replay))
    }

    fn assemble(
        config: &Config,
        audit: AuditLog,
        clock: Clock,
        trust: TrustHolder,
        replay: ReplayBackend,
    ) -> Self {
        AppState(Arc::new(Inner {
            clients: Clients::new(&config.clients),
            trust,
            policy: config.policy(),
            audience: config.audience.clone(),
            replay: Arc::new(replay),
            audit,
            hasher: CredentialHasher::new(config.audit.hmac_key.clone()),
            metrics: Metrics::default(),
            clock,
            body_limit_bytes: config.http.body_limit_bytes,
            request_timeout: config.http.request_timeout,
            cors_allowed_origins: config.http.cors_allowed_origins.clone(),
            connections: config.http.connections.clone(),
            trust_reload: config.trust_reload,
            audit_purge_interval: config.audit.purge_interval,
            upload: config.upload.clone(),
            scan_permits: Arc::new(Semaphore::new(config.upload.concurrency.max(1))),
            counter: crate::counter::Counter::new(&config.counter, clock),
            trust_import: config.trust_import.clone(),
            receipts: config.receipt.clone(),
            offline_page: config.offline_page.clone(),
            receipt_signer: config
                .receipt
                .as_ref()
                .and_then(|r| crate::receipt::signer(r, config.audit.hmac_key.as_bytes())),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
