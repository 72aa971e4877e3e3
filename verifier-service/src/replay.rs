//! Where the service remembers the presentations it accepted (the SDK's replay check):
//! in memory for one instance, or in the PostgreSQL audit database so that several
//! instances behind a load balancer refuse a QR code that any of them accepted, or in an
//! embedder's own [`ReplayStore`].
//!
//! A row holds the SHA-256 of a presentation's signature and when it may be forgotten:
//! nothing read from the credential.

use crate::audit::{DatabaseError, PgConnection};
use crate::config::{PostgresUrl, ReplayStoreConfig};
use crate::error::Chain;
use ikd_sdk::{ReplayCache, ReplayStore, ReplayStoreUnavailable, UnixTime};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// After the database failed, how long presentations are refused at once before the
/// next attempt to reach it.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// The table. Several instances may start at once: the advisory lock (the audit log's)
/// makes them create it one after the other.
const PG_SCHEMA: &str = "
SELECT pg_advisory_xact_lock(7306914113);
CREATE TABLE IF NOT EXISTS presentation_replay (
    id BYTEA PRIMARY KEY,
    forget_after BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS presentation_replay_forget_after
    ON presentation_replay (forget_after);
";

/// Records a presentation unless an unforgotten row has it: a row comes back exactly when
/// the presentation is new (or its old row was due to be forgotten).
const PG_REMEMBER: &str = "
INSERT INTO presentation_replay (id, forget_after) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET forget_after = EXCLUDED.forget_after
    WHERE presentation_replay.forget_after < $3
RETURNING 1";

/// Why the replay store could not be opened or used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplayError {
    /// Opening the PostgreSQL store failed at a step.
    Open {
        /// The database, as [`PostgresUrl::describe`] names it (no password).
        database: String,
        /// The step that failed.
        step: &'static str,
        /// The database's error, when there is one.
        source: Option<DatabaseError>,
    },
    /// The store is closed.
    Closed,
    /// The database failed moments ago; it is not tried again yet.
    FailedMomentsAgo,
    /// The database's error.
    Database(postgres::Error),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Open { database, step, .. } => {
                write!(f, "replay store ({database}): {step}")
            }
            ReplayError::Closed => f.write_str("the replay store is closed"),
            ReplayError::FailedMomentsAgo => f.write_str("the replay store failed moments ago"),
            ReplayError::Database(_) => f.write_str("replay store"),
        }
    }
}

impl std::error::Error for ReplayError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReplayError::Open { source, .. } => source.as_ref().map(|e| e as _),
            ReplayError::Database(e) => Some(e),
            ReplayError::Closed | ReplayError::FailedMomentsAgo => None,
        }
    }
}

/// The service's replay store.
pub struct ReplayBackend(Backend);

enum Backend {
    /// This instance's own bounded cache.
    Memory(ReplayCache),
    /// A table in the PostgreSQL audit database, shared by every instance using it.
    Postgres(OffRuntime),
    /// An embedder's own store.
    Other(Box<dyn ReplayStore>),
}

/// The `postgres` client drives a tokio runtime of its own, which may be neither started
/// nor dropped on a thread that drives async tasks: it is opened and closed on a thread of
/// its own, and used only from blocking threads ([`ReplayBackend::blocks`]).
struct OffRuntime(Option<Box<Mutex<Shared>>>);

/// The connection, and when it last failed.
struct Shared {
    connection: PgConnection,
    failed_at: Option<Instant>,
}

impl OffRuntime {
    /// Runs `work` on the connection. For [`RETRY_AFTER_FAILURE`] after a failure it fails
    /// at once: during an outage every verification would otherwise wait on a connection
    /// attempt (up to the connect timeout) in turn.
    fn run<T>(
        &self,
        work: impl Fn(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, ReplayError> {
        let shared = self.0.as_ref().ok_or(ReplayError::Closed)?;
        let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
        if shared
            .failed_at
            .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE)
        {
            return Err(ReplayError::FailedMomentsAgo);
        }
        let result = shared
            .connection
            .with_client(work)
            .map_err(ReplayError::Database);
        shared.failed_at = result.is_err().then(Instant::now);
        result
    }
}

impl Drop for OffRuntime {
    fn drop(&mut self) {
        if let Some(connection) = self.0.take() {
            let _ = std::thread::spawn(move || drop(connection)).join();
        }
    }
}

impl ReplayBackend {
    /// Opens the configured store (for PostgreSQL: connects and creates the table).
    pub fn open(config: &ReplayStoreConfig) -> Result<Self, ReplayError> {
        match config {
            ReplayStoreConfig::Memory { capacity } => {
                Ok(ReplayBackend(Backend::Memory(ReplayCache::new(*capacity))))
            }
            ReplayStoreConfig::Postgres { url } => open_postgres(url),
        }
    }

    /// An embedder's own store (checked on a blocking thread, since it may wait).
    pub fn from_store(store: impl ReplayStore + 'static) -> Self {
        ReplayBackend(Backend::Other(Box::new(store)))
    }

    /// Whether checking a presentation may block (on the network), so that verifications
    /// must run off the async workers.
    pub fn blocks(&self) -> bool {
        !matches!(self.0, Backend::Memory(_))
    }

    /// Deletes the rows that may be forgotten at `now` (PostgreSQL; the memory cache and
    /// an embedder's store forget by themselves). Blocking. Returns how many went.
    pub fn purge(&self, now: UnixTime) -> Result<u64, ReplayError> {
        match &self.0 {
            Backend::Memory(_) | Backend::Other(_) => Ok(0),
            Backend::Postgres(store) => store.run(|client| {
                client.execute(
                    "DELETE FROM presentation_replay WHERE forget_after < $1",
                    &[&now.0],
                )
            }),
        }
    }
}

fn open_postgres(url: &PostgresUrl) -> Result<ReplayBackend, ReplayError> {
    let opened = std::thread::scope(|scope| {
        scope
            .spawn(|| PgConnection::open(url, PG_SCHEMA, "replay store"))
            .join()
    });
    match opened {
        Ok(Ok(connection)) => Ok(ReplayBackend(Backend::Postgres(OffRuntime(Some(
            Box::new(Mutex::new(Shared {
                connection,
                failed_at: None,
            })),
        ))))),
        Ok(Err((step, source))) => Err(ReplayError::Open {
            database: url.describe(),
            step,
            source,
        }),
        Err(_) => Err(ReplayError::Open {
            database: url.describe(),
            step: "cannot connect",
            source: None,
        }),
    }
}

impl ReplayStore for ReplayBackend {
    fn remember(
        &self,
        id: &[u8; 32],
        forget_after: UnixTime,
        now: UnixTime,
    ) -> Result<bool, ReplayStoreUnavailable> {
        match &self.0 {
            Backend::Memory(cache) => cache.remember(id, forget_after, now),
            Backend::Other(store) => store.remember(id, forget_after, now),
            Backend::Postgres(store) => store
                .run(|client| {
                    client.query_opt(PG_REMEMBER, &[&id.as_slice(), &forget_after.0, &now.0])
                })
                .map(|row| row.is_some())
                .map_err(|error| {
                    tracing::error!(
                        error = %Chain(&error),
                        "replay store unavailable; presentations are refused"
                    );
                    ReplayStoreUnavailable
                }),
        }
    }
}

impl fmt::Debug for ReplayBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Backend::Memory(cache) => f.debug_tuple("Memory").field(cache).finish(),
            Backend::Postgres(_) => f.write_str("Postgres"),
            Backend::Other(_) => f.write_str("Other"),
        }
    }
}
