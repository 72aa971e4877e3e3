//! Starting and stopping: open the audit log, load the trust data, serve until a shutdown
//! signal, then stop the background tasks and write what the audit log still holds.

use crate::app::app;
use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::config::Config;
use crate::state::AppState;
use crate::trust::Reload;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Opens the audit log (deleting rows past retention), builds the state and loads the
/// trust data if it can. A service without trust data still starts: it answers 503 until
/// the trust store file appears and loads.
pub fn build(config: &Config, clock: Clock) -> Result<AppState, String> {
    let now = clock.now();
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, now)
        .map_err(|e| e.to_string())?;
    let state = AppState::new(config, audit, clock);
    match state.trust.reload(now) {
        Ok(Reload::Loaded(keys)) => tracing::info!(
            keys,
            source = %config.trust_store.display(),
            "trust data loaded"
        ),
        Ok(Reload::Unchanged) => {}
        Err(problem) => tracing::warn!(
            %problem,
            "no trust data loaded; verification answers 503 until it loads"
        ),
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

/// Checks the trust store file and deletes old audit rows, each at its interval, until
/// `stop` turns true.
pub fn spawn_background(state: &AppState, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let reload = {
        let state = state.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(state.trust_reload);
            ticks.tick().await;
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = ticks.tick() => match state.trust.reload(state.clock.now()) {
                        Ok(Reload::Loaded(keys)) => tracing::info!(keys, "trust data reloaded"),
                        Ok(Reload::Unchanged) => {}
                        Err(problem) => tracing::warn!(
                            %problem,
                            "trust data not reloaded; the data in use (if any) stays in use"
                        ),
                    },
                }
            }
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
                            tracing::error!(error = %e, "old audit rows not deleted");
                        }
                    }
                }
            }
        })
    };
    vec![reload, purge]
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes the requests in
/// flight, stops the background tasks and closes the audit log.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let tasks = spawn_background(&state, &stopped);
    let result = axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
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
