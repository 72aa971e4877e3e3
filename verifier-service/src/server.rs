//! Starting and stopping: open the audit log, load the trust data, serve until a shutdown
//! signal, then stop the background tasks and write what the audit log still holds.

use crate::app::app;
use crate::audit::{AuditError, AuditLog};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::Chain;
use crate::state::{AppState, StateError};
use crate::trust::Reload;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why the service could not be built. It reads as the error it holds.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The audit log cannot be opened.
    Audit(AuditError),
    /// The replay store or the trust source cannot be set up.
    State(StateError),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Audit(e) => e.fmt(f),
            StartError::State(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StartError {
    // Transparent: the message is the inner error's, so the chain continues below it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Audit(e) => e.source(),
            StartError::State(e) => e.source(),
        }
    }
}

/// Opens the audit log (deleting rows past retention), builds the state and loads the
/// trust data if it can: the signed trust cache (verified against the pinned roots), or
/// the unsigned trust store file. A service without trust data still starts: it answers
/// 503 until a sync (or the file) brings verified data. A trust setup that cannot work
/// (unreadable anchors, a cache folder that cannot be created) is an error.
pub fn build(config: &Config, clock: Clock) -> Result<AppState, StartError> {
    let now = clock.now();
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now)
        .map_err(StartError::Audit)?;
    let state = AppState::try_new(config, audit, clock).map_err(StartError::State)?;
    if state.trust.is_signed_source() {
        match state.trust.current() {
            Some(trust) => tracing::info!(
                keys = trust.store.len(),
                sequence = trust.store.trust_list().map_or(0, |l| l.sequence),
                source = %state.trust.source(),
                "signed trust list loaded from the cache"
            ),
            None => tracing::warn!(
                source = %state.trust.source(),
                "no verified trust list in the cache yet; verification answers 503 until a \
                 sync brings one"
            ),
        }
    } else {
        tracing::warn!(
            source = %state.trust.source(),
            "trust data from an unsigned trust store file: for development and demos only; \
             configure [trust] anchors for the signed trust list"
        );
        match state.trust.reload(now) {
            Ok(Reload::Loaded(keys)) => tracing::info!(
                keys,
                source = %config.trust_store.display(),
                "trust data loaded"
            ),
            Ok(Reload::Unchanged) => {}
            Err(problem) => tracing::warn!(
                problem = %Chain(&problem),
                "no trust data loaded; verification answers 503 until it loads"
            ),
        }
    }
    if state.clients.is_empty() {
        tracing::warn!("no API client is configured; every verification answers 401");
    }
    // The region tables are unpacked once here rather than in the first request.
    if !ikd_sdk::wilayah::preload() {
        tracing::warn!("region tables unavailable; region checks will warn on every code");
    }
    tracing::info!(
        clients = state.clients.len(),
        audit = %config.audit.backend.describe(),
        retention_days = config.audit.retention_days,
        "service ready to listen"
    );
    Ok(state)
}

/// Keeps the trust data current (the SDK's sync at once and then at its interval, or the
/// trust store file checked at its interval; trust bundles from the watched folder, if
/// one is configured) and deletes old audit rows at their interval, until `stop` turns
/// true.
pub fn spawn_background(state: &AppState, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let reload = {
        let state = state.clone();
        let mut stop = stop.clone();
        // A thread of its own: a sync writes files and verifies signed lists, and a file
        // reload reads one; none of that may hold up a worker that answers requests.
        tokio::task::spawn_blocking(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    tracing::error!(%error, "the trust data task cannot start; no sync or reload");
                    return;
                }
            };
            runtime.block_on(async move {
                // A sync runs at once (the cache may be empty or old); a file was read by
                // `build`, so its first check waits an interval.
                let mut wait = if state.trust.sync_settings().is_some() {
                    std::time::Duration::ZERO
                } else {
                    state.trust_reload
                };
                loop {
                    tokio::select! {
                        _ = stop.changed() => break,
                        () = tokio::time::sleep(wait) => {
                            tokio::select! {
                                _ = stop.changed() => break,
                                next = state.trust.tick(state.clock.now()) => wait = next,
                            }
                        }
                    }
                }
            });
        })
    };
    let purge = {
        let state = state.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(state.audit_purge_interval);
            ticks.tick().await;
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = ticks.tick() => {
                        if let Err(e) = state.audit.purge(state.clock.now()).await {
                            tracing::error!(error = %Chain(&e), "old audit rows not deleted");
                        }
                        if state.replay.blocks() {
                            let (replay, now) = (Arc::clone(&state.replay), state.clock.now());
                            if let Ok(Err(e)) =
                                tokio::task::spawn_blocking(move || replay.purge(now)).await
                            {
                                tracing::error!(
                                    error = %Chain(&e),
                                    "expired replay rows not deleted"
                                );
                            }
                        }
                    }
                }
            }
        })
    };
    let mut tasks = vec![reload, purge];
    if let Some(dir) = state.trust_import.watch_dir.clone() {
        let state = state.clone();
        let mut stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut watched = crate::trust_import::Watched::default();
            loop {
                // Reading a stick, verifying and writing the cache block: not on a worker
                // that answers requests.
                let (pass_state, pass_dir) = (state.clone(), dir.clone());
                watched = tokio::task::spawn_blocking(move || {
                    let now = pass_state.clock.now();
                    crate::trust_import::watch_pass(
                        &pass_state.trust,
                        &pass_dir,
                        &mut watched,
                        now,
                    );
                    watched
                })
                .await
                .unwrap_or_default();
                tokio::select! {
                    _ = stop.changed() => break,
                    () = tokio::time::sleep(state.trust_import.watch_interval) => {}
                }
            }
        }));
    }
    tasks
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes the requests in
/// flight (within the configured grace period), stops the background tasks and closes the
/// audit log.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let tasks = spawn_background(&state, &stopped);
    let result =
        crate::connections::serve(listener, app(state.clone()), &state.connections, shutdown).await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    state.audit.close().await;
    tracing::info!("stopped");
    result
}

/// Completes on SIGINT (Ctrl+C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
