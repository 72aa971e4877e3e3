//! The audit log: one row per verification, holding no personal data, in SQLite (one
//! instance, the default) or PostgreSQL (several instances behind a load balancer).
//!
//! A row has the time, the client, the purpose, the verdict, the reason code and an
//! HMAC-SHA256 of the credential identifier (`cti`) under a configured key — never a QR
//! text, NIK, name, address or photo. The HMAC lets an operator tell whether two rows are
//! about the same credential without the log revealing which. Both backends have the same
//! table, `audit`, with the same columns and the same row content.
//!
//! Database calls block, so one writer thread owns the connection; requests hand it rows
//! through a bounded channel and wait for room, never for the database. While the last
//! write failed (a full disk, a PostgreSQL server that went away), each request instead
//! waits for its own row and is refused if the row cannot be written: the service does not
//! answer unaudited. Rows older than the retention period are deleted at start and
//! whenever [`AuditLog::purge`] is called; SQLite's `secure_delete` overwrites what they
//! held, PostgreSQL's (auto)vacuum reclaims them.

use crate::config::{AuditBackend, HmacKey, PostgresUrl};
use crate::error::Chain;
use hmac::{Hmac, KeyInit as _, Mac as _};
use ikd_sdk::UnixTime;
use ikd_sdk::Verdict;
use rusqlite::{Connection, params};
use sha2::Sha256;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Rows waiting for the writer, at most: about half a second of two cores' worth of
/// requests, so that a slow commit (a WAL checkpoint's `fsync`) does not hold up requests.
const CHANNEL_CAPACITY: usize = 8192;
/// Rows written in one transaction, at most.
const BATCH: usize = 512;
/// How long the writer waits for more rows before a transaction (group commit): each
/// transaction and each wake-up of the writer costs tens of microseconds, shared by the
/// rows of the batch.
const LINGER: Duration = Duration::from_millis(10);
/// Rows of answered requests kept for another attempt while the database fails.
const MAX_RETAINED: usize = 8192;
/// Seconds in a day.
const DAY: i64 = 86_400;
/// How long opening the database may take before the service gives up starting.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);
/// PostgreSQL connection timeout, unless the connection string sets one.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// PostgreSQL statement timeout, in milliseconds.
const PG_STATEMENT_TIMEOUT_MS: u32 = 10_000;

/// One verification, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When the credential was verified.
    pub time: UnixTime,
    /// The client's configured identifier.
    pub client: Arc<str>,
    /// The purpose name.
    pub purpose: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// The reason code of a rejection.
    pub reason_code: Option<&'static str>,
    /// HMAC-SHA256 (hex) of the credential identifier, when the credential was valid and
    /// has one.
    pub credential_hmac: Option<String>,
}

/// Why the audit log cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuditError {
    /// The database could not be opened or set up, or its old rows deleted.
    Open {
        /// The backend, as [`AuditBackend::describe`] names it (no password).
        backend: String,
        /// The step that failed.
        step: &'static str,
        /// The database's (or the file system's) error, when there is one.
        source: Option<DatabaseError>,
    },
    /// The writer thread could not be started.
    Thread {
        /// The backend, as [`AuditBackend::describe`] names it.
        backend: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database was not opened in time.
    OpenTimedOut {
        /// The backend, as [`AuditBackend::describe`] names it.
        backend: String,
        /// The time allowed, in seconds.
        seconds: u64,
    },
    /// The audit log is closed.
    Closed,
    /// The row could not be written (the database fails).
    NotWritten,
    /// The writer stopped.
    WriterStopped,
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Open { backend, step, .. } => write!(f, "audit database {backend}: {step}"),
            AuditError::Thread { backend, .. } => {
                write!(f, "audit database {backend}: cannot start the writer")
            }
            AuditError::OpenTimedOut { backend, seconds } => {
                write!(f, "audit database {backend}: not opened within {seconds} s")
            }
            AuditError::Closed => f.write_str("the audit log is closed"),
            AuditError::NotWritten => f.write_str("the audit row was not written"),
            AuditError::WriterStopped => f.write_str("the audit writer stopped"),
        }
    }
}

impl std::error::Error for AuditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuditError::Open { source, .. } => source.as_ref().map(|e| e as _),
            AuditError::Thread { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A database's own error: SQLite's, PostgreSQL's, or the file system's around them. It
/// reads as the error it holds.
#[derive(Debug)]
#[non_exhaustive]
pub enum DatabaseError {
    /// From SQLite.
    Sqlite(rusqlite::Error),
    /// From PostgreSQL.
    Postgres(postgres::Error),
    /// From the file system.
    Io(std::io::Error),
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseError::Sqlite(e) => e.fmt(f),
            DatabaseError::Postgres(e) => e.fmt(f),
            DatabaseError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DatabaseError {
    // Transparent: the message is the inner error's, so the chain continues below it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatabaseError::Sqlite(e) => e.source(),
            DatabaseError::Postgres(e) => e.source(),
            DatabaseError::Io(e) => e.source(),
        }
    }
}

impl From<rusqlite::Error> for DatabaseError {
    fn from(e: rusqlite::Error) -> Self {
        DatabaseError::Sqlite(e)
    }
}

impl From<postgres::Error> for DatabaseError {
    fn from(e: postgres::Error) -> Self {
        DatabaseError::Postgres(e)
    }
}

/// A step of opening a database that failed, and the database's error if there is one.
pub(crate) type OpenFailure = (&'static str, Option<DatabaseError>);

/// Counters the writer keeps, for `/metrics`.
#[derive(Debug, Default)]
pub struct AuditStats {
    /// Rows written.
    pub written: AtomicU64,
    /// Rows deleted by retention.
    pub purged: AtomicU64,
    /// Failed writes or deletions.
    pub errors: AtomicU64,
    /// Rows given up: more than could be kept while the database failed, or still
    /// unwritten at shutdown.
    pub dropped: AtomicU64,
    /// Whether the last write failed: requests then wait for their own row.
    pub failing: AtomicBool,
}

/// Keyed hash of credential identifiers.
#[derive(Clone)]
pub struct CredentialHasher {
    /// The MAC with the key already absorbed: each hash starts from a copy, so the key's
    /// two blocks are not hashed again per request.
    keyed: Option<Hmac<Sha256>>,
}

impl fmt::Debug for CredentialHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialHasher(..)")
    }
}

impl CredentialHasher {
    /// A hasher with `key`.
    pub fn new(key: HmacKey) -> Self {
        CredentialHasher {
            // HMAC takes keys of any length: never `None`.
            keyed: <Hmac<Sha256>>::new_from_slice(key.as_bytes()).ok(),
        }
    }

    /// HMAC-SHA256 of `credential_id`, lower-case hex.
    pub fn hash(&self, credential_id: &[u8]) -> String {
        match self.keyed.clone() {
            Some(mut mac) => {
                mac.update(credential_id);
                ikd_sdk::encoding::hex_encode(&mac.finalize().into_bytes())
            }
            None => String::new(),
        }
    }
}

enum Message {
    /// A row, and whether the request waits to learn that it was written.
    Record(AuditRecord, Option<oneshot::Sender<bool>>),
    Purge {
        cutoff: i64,
    },
    Flush(oneshot::Sender<()>),
}

/// The audit log: a handle to the writer thread.
#[derive(Debug)]
pub struct AuditLog {
    sender: Mutex<Option<mpsc::Sender<Message>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: Arc<AuditStats>,
    retention_days: u32,
    backend: AuditBackend,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Message::Record(..) => "Record",
            Message::Purge { .. } => "Purge",
            Message::Flush(_) => "Flush",
        })
    }
}

impl AuditLog {
    /// Opens (or creates) the database of `backend`, deletes rows older than
    /// `retention_days` before `now`, and starts the writer thread.
    ///
    /// The connection is made on the writer thread (the PostgreSQL client must not run
    /// inside the service's async runtime); this call waits for it.
    pub fn open(
        backend: &AuditBackend,
        retention_days: u32,
        now: UnixTime,
    ) -> Result<Self, AuditError> {
        let stats = Arc::new(AuditStats::default());
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let (ready, opened) = std::sync::mpsc::sync_channel(1);
        let thread_stats = Arc::clone(&stats);
        let thread_backend = backend.clone();
        let cutoff = cutoff(now, retention_days);
        let thread = std::thread::Builder::new()
            .name("ikd-audit".into())
            .spawn(move || match open_store(&thread_backend, cutoff) {
                Ok((store, purged)) => {
                    let _ = ready.send(Ok(purged));
                    writer(store, receiver, &thread_stats);
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|source| AuditError::Thread {
                backend: backend.describe(),
                source,
            })?;
        let purged = match opened.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(purged)) => purged,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                return Err(AuditError::OpenTimedOut {
                    backend: backend.describe(),
                    seconds: OPEN_TIMEOUT.as_secs(),
                });
            }
        };
        stats.purged.fetch_add(purged, Ordering::Relaxed);
        Ok(AuditLog {
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
            stats,
            retention_days,
            backend: backend.clone(),
        })
    }

    /// Where the rows go.
    pub fn backend(&self) -> &AuditBackend {
        &self.backend
    }

    /// The SQLite database file, for the SQLite backend.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.backend {
            AuditBackend::Sqlite { path } => Some(path),
            AuditBackend::Postgres { .. } => None,
        }
    }

    /// The writer's counters.
    pub fn stats(&self) -> &AuditStats {
        &self.stats
    }

    /// Whether the last write failed.
    pub fn is_failing(&self) -> bool {
        self.stats.failing.load(Ordering::Relaxed)
    }

    fn sender(&self) -> Option<mpsc::Sender<Message>> {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn send(&self, message: Message) -> Result<(), AuditError> {
        let sender = self.sender().ok_or(AuditError::Closed)?;
        sender.send(message).await.map_err(|_| AuditError::Closed)
    }

    /// Queues a row. Fails when the writer is gone, and, while the last write failed,
    /// when this row cannot be written either.
    pub async fn record(&self, record: AuditRecord) -> Result<(), AuditError> {
        if !self.is_failing() {
            return self.send(Message::Record(record, None)).await;
        }
        let (done, written) = oneshot::channel();
        self.send(Message::Record(record, Some(done))).await?;
        match written.await {
            Ok(true) => Ok(()),
            _ => Err(AuditError::NotWritten),
        }
    }

    /// Queues a deletion of the rows older than the retention period before `now`.
    pub async fn purge(&self, now: UnixTime) -> Result<(), AuditError> {
        self.send(Message::Purge {
            cutoff: cutoff(now, self.retention_days),
        })
        .await
    }

    /// Waits until every row queued so far is written (or has failed).
    pub async fn flush(&self) -> Result<(), AuditError> {
        let (done, wait) = oneshot::channel();
        self.send(Message::Flush(done)).await?;
        wait.await.map_err(|_| AuditError::WriterStopped)
    }

    /// Writes what is queued and stops the writer. Later records fail.
    pub async fn close(&self) {
        let _ = self.flush().await;
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

fn cutoff(now: UnixTime, retention_days: u32) -> i64 {
    now.0
        .saturating_sub(i64::from(retention_days).saturating_mul(DAY))
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "valid",
        Verdict::Rejected => "rejected",
    }
}

/// A database the writer thread owns.
trait Store {
    /// Writes `rows` in one transaction.
    fn write(&mut self, rows: &[&AuditRecord]) -> Result<(), DatabaseError>;
    /// Deletes rows older than `cutoff` (Unix seconds); returns how many.
    fn purge(&mut self, cutoff: i64) -> Result<u64, DatabaseError>;
}

/// Opens the backend's database, sets up its table and deletes rows before `cutoff`.
fn open_store(backend: &AuditBackend, cutoff: i64) -> Result<(Box<dyn Store>, u64), AuditError> {
    let failed = |(step, source): OpenFailure| AuditError::Open {
        backend: backend.describe(),
        step,
        source,
    };
    let mut store: Box<dyn Store> = match backend {
        AuditBackend::Sqlite { path } => Box::new(SqliteStore::open(path).map_err(failed)?),
        AuditBackend::Postgres { url } => {
            let connection = PgConnection::open(url, PG_SCHEMA, "audit log").map_err(failed)?;
            Box::new(PostgresStore(connection))
        }
    };
    let purged = store
        .purge(cutoff)
        .map_err(|e| failed(("cannot delete old rows", Some(e))))?;
    Ok((store, purged))
}

// ---------------------------------------------------------------------------------------
// SQLite

const SQLITE_SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA secure_delete = ON;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    client TEXT NOT NULL,
    purpose TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason_code TEXT,
    credential_hmac TEXT
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
PRAGMA user_version = 1;
";

/// A batch of rows goes in as few statements as these sizes allow, largest first: one
/// statement of 64 rows costs SQLite much less than 64 of one row. Four sizes keep the
/// prepared statements few (each is prepared once and cached).
const SQLITE_CHUNKS: [usize; 4] = [64, 16, 4, 1];

/// `INSERT` of `rows` rows, one per [`SQLITE_CHUNKS`] size.
static SQLITE_INSERTS: std::sync::LazyLock<Vec<(usize, String)>> = std::sync::LazyLock::new(|| {
    SQLITE_CHUNKS
        .iter()
        .map(|&rows| {
            let mut sql = String::from(
                "INSERT INTO audit (time, client, purpose, verdict, reason_code, \
                     credential_hmac) VALUES ",
            );
            for i in 0..rows {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?,?,?,?,?,?)");
            }
            (rows, sql)
        })
        .collect()
});

struct SqliteStore(Connection);

impl SqliteStore {
    fn open(path: &Path) -> Result<Self, OpenFailure> {
        let io = |step| move |e| (step, Some(DatabaseError::Io(e)));
        let sqlite = |step| move |e| (step, Some(DatabaseError::Sqlite(e)));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io("cannot create its folder"))?;
        }
        create_private(path).map_err(io("cannot create"))?;
        let connection = Connection::open(path).map_err(sqlite("cannot open"))?;
        connection
            .execute_batch(SQLITE_SCHEMA)
            .map_err(sqlite("cannot set up"))?;
        Ok(SqliteStore(connection))
    }
}

impl Store for SqliteStore {
    fn write(&mut self, rows: &[&AuditRecord]) -> Result<(), DatabaseError> {
        let write = |connection: &mut Connection| -> rusqlite::Result<()> {
            let transaction = connection.transaction()?;
            let mut rest = rows;
            for (size, sql) in SQLITE_INSERTS.iter() {
                if rest.len() < *size {
                    continue;
                }
                let mut insert = transaction.prepare_cached(sql)?;
                while let Some((chunk, after)) = rest.split_at_checked(*size) {
                    let mut index = 0;
                    let mut bind = |value: &dyn rusqlite::ToSql| {
                        index += 1;
                        insert.raw_bind_parameter(index, value)
                    };
                    for row in chunk {
                        bind(&row.time.0)?;
                        bind(&&*row.client)?;
                        bind(&row.purpose)?;
                        bind(&verdict_name(row.verdict))?;
                        bind(&row.reason_code)?;
                        bind(&row.credential_hmac)?;
                    }
                    insert.raw_execute()?;
                    rest = after;
                }
            }
            transaction.commit()
        };
        Ok(write(&mut self.0)?)
    }

    fn purge(&mut self, cutoff: i64) -> Result<u64, DatabaseError> {
        Ok(self
            .0
            .execute("DELETE FROM audit WHERE time < ?1", params![cutoff])
            .map(|n| n as u64)?)
    }
}

/// Creates the file readable by the owner only, if it does not exist.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

/// The table, the same columns as SQLite's. Several instances may start at once: the
/// advisory lock makes them create it one after the other.
const PG_SCHEMA: &str = "
SELECT pg_advisory_xact_lock(7306914113);
CREATE TABLE IF NOT EXISTS audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time BIGINT NOT NULL,
    client TEXT NOT NULL,
    purpose TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason_code TEXT,
    credential_hmac TEXT
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
";

/// One batch in one statement: each column as an array, unnested in order.
const PG_INSERT: &str = "
INSERT INTO audit (time, client, purpose, verdict, reason_code, credential_hmac)
SELECT t, c, p, v, r, h
FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[])
     WITH ORDINALITY AS u(t, c, p, v, r, h, n)
ORDER BY n";

/// One PostgreSQL connection that comes back when lost: the audit writer's, and the shared
/// replay store's ([`crate::replay`]). Blocking: use it off the async workers.
pub(crate) struct PgConnection {
    config: postgres::Config,
    client: Option<postgres::Client>,
    /// What it is for, in its log lines.
    role: &'static str,
}

impl PgConnection {
    /// Connects to `url` and runs `schema` (statements that create what is missing) in
    /// one transaction. The error says which step failed, and why.
    pub(crate) fn open(
        url: &PostgresUrl,
        schema: &str,
        role: &'static str,
    ) -> Result<Self, OpenFailure> {
        let mut config = url
            .config()
            .ok_or(("cannot read the connection string", None))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(PG_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("ikd-verifier-service");
        }
        let mut connection = PgConnection {
            config,
            client: None,
            role,
        };
        let failed = |step| move |e: postgres::Error| (step, Some(DatabaseError::Postgres(e)));
        let client = connection.connect().map_err(failed("cannot connect"))?;
        let mut transaction = client.transaction().map_err(failed("cannot set up"))?;
        transaction
            .batch_execute(schema)
            .map_err(failed("cannot set up"))?;
        transaction.commit().map_err(failed("cannot set up"))?;
        Ok(connection)
    }

    /// The connection, made (again) if there is none or it was lost.
    fn connect(&mut self) -> Result<&mut postgres::Client, postgres::Error> {
        let client = match self.client.take().filter(|c| !c.is_closed()) {
            Some(client) => client,
            None => {
                let mut client = self.config.connect(postgres::NoTls)?;
                client.batch_execute(&format!(
                    "SET statement_timeout = {PG_STATEMENT_TIMEOUT_MS}"
                ))?;
                client
            }
        };
        Ok(self.client.insert(client))
    }

    /// Runs `work` on the connection; when the connection was lost, connects again and
    /// runs it once more.
    pub(crate) fn with_client<T>(
        &mut self,
        work: impl Fn(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, postgres::Error> {
        let first = match self.connect() {
            Ok(client) => work(client),
            Err(e) => Err(e),
        };
        match first {
            Ok(value) => Ok(value),
            Err(e) if self.client.as_ref().is_none_or(postgres::Client::is_closed) => {
                tracing::warn!(error = %Chain(&e), role = self.role, "database connection lost; reconnecting");
                self.client = None;
                let client = self.connect()?;
                work(client)
            }
            Err(e) => Err(e),
        }
    }
}

struct PostgresStore(PgConnection);

impl Store for PostgresStore {
    fn write(&mut self, rows: &[&AuditRecord]) -> Result<(), DatabaseError> {
        let times: Vec<i64> = rows.iter().map(|r| r.time.0).collect();
        let clients: Vec<&str> = rows.iter().map(|r| &*r.client).collect();
        let purposes: Vec<&str> = rows.iter().map(|r| r.purpose).collect();
        let verdicts: Vec<&str> = rows.iter().map(|r| verdict_name(r.verdict)).collect();
        let reasons: Vec<Option<&str>> = rows.iter().map(|r| r.reason_code).collect();
        let hmacs: Vec<Option<&str>> = rows.iter().map(|r| r.credential_hmac.as_deref()).collect();
        Ok(self.0.with_client(|client| {
            client
                .execute(
                    PG_INSERT,
                    &[&times, &clients, &purposes, &verdicts, &reasons, &hmacs],
                )
                .map(drop)
        })?)
    }

    fn purge(&mut self, cutoff: i64) -> Result<u64, DatabaseError> {
        Ok(self.0.with_client(|client| {
            client.execute("DELETE FROM audit WHERE time < $1", &[&cutoff])
        })?)
    }
}

// ---------------------------------------------------------------------------------------
// The writer

/// A queued row, and whoever waits to learn whether it was written.
type Pending = (AuditRecord, Option<oneshot::Sender<bool>>);

/// Writes the pending rows. On failure, the rows whose requests wait are refused (those
/// requests answer 503), and the rows whose requests were already answered stay pending
/// for the next attempt, at most [`MAX_RETAINED`] of them.
fn flush_rows(store: &mut dyn Store, pending: &mut Vec<Pending>, stats: &AuditStats) {
    if pending.is_empty() {
        return;
    }
    let rows: Vec<&AuditRecord> = pending.iter().map(|(row, _)| row).collect();
    match store.write(&rows) {
        Ok(()) => {
            stats
                .written
                .fetch_add(pending.len() as u64, Ordering::Relaxed);
            if stats.failing.swap(false, Ordering::Relaxed) {
                tracing::info!("audit rows are written again");
            }
            for (_, ack) in pending.drain(..) {
                if let Some(ack) = ack {
                    let _ = ack.send(true);
                }
            }
        }
        Err(e) => {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            stats.failing.store(true, Ordering::Relaxed);
            let waiting = pending.iter().filter(|(_, ack)| ack.is_some()).count();
            pending.retain_mut(|(_, ack)| match ack.take() {
                Some(ack) => {
                    let _ = ack.send(false);
                    false
                }
                None => true,
            });
            let excess = pending.len().saturating_sub(MAX_RETAINED);
            if excess > 0 {
                pending.drain(..excess);
                stats.dropped.fetch_add(excess as u64, Ordering::Relaxed);
            }
            tracing::error!(
                error = %Chain(&e),
                refused = waiting,
                kept_for_retry = pending.len(),
                dropped = excess,
                "audit rows not written"
            );
        }
    }
}

fn writer(mut store: Box<dyn Store>, mut receiver: mpsc::Receiver<Message>, stats: &AuditStats) {
    let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
    while let Some(first) = receiver.blocking_recv() {
        let mut next = Some(first);
        let mut lingered = false;
        loop {
            while let Some(message) = next.take() {
                match message {
                    Message::Record(row, ack) => pending.push((row, ack)),
                    Message::Purge { cutoff } => {
                        flush_rows(&mut *store, &mut pending, stats);
                        match store.purge(cutoff) {
                            Ok(n) => {
                                stats.purged.fetch_add(n, Ordering::Relaxed);
                                if n > 0 {
                                    tracing::info!(rows = n, "old audit rows deleted");
                                }
                            }
                            Err(e) => {
                                stats.errors.fetch_add(1, Ordering::Relaxed);
                                tracing::error!(error = %Chain(&e), "old audit rows not deleted");
                            }
                        }
                    }
                    Message::Flush(done) => {
                        flush_rows(&mut *store, &mut pending, stats);
                        let _ = done.send(());
                    }
                }
                if pending.len() < BATCH {
                    next = receiver.try_recv().ok();
                }
            }
            // Group commit: while rows of answered requests are pending and no request
            // waits for its row, give concurrent requests a moment to add theirs, so that
            // one transaction (and one wake-up of this thread) serves many requests.
            let waiting = pending.iter().any(|(_, ack)| ack.is_some());
            if lingered || pending.is_empty() || pending.len() >= BATCH || waiting {
                break;
            }
            std::thread::sleep(LINGER);
            lingered = true;
            next = receiver.try_recv().ok();
            if next.is_none() {
                break;
            }
        }
        flush_rows(&mut *store, &mut pending, stats);
    }
    flush_rows(&mut *store, &mut pending, stats);
    if !pending.is_empty() {
        stats
            .dropped
            .fetch_add(pending.len() as u64, Ordering::Relaxed);
        tracing::error!(
            rows = pending.len(),
            "audit rows lost at shutdown: the database failed"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hmac_is_rfc_4231_hmac_sha256() {
        // RFC 4231 test case 2 uses a 4-byte key; the service requires 32, so check the
        // construction with a long key against a value computed independently
        // (RFC 4231 test case 6 key is 131 bytes of 0xaa).
        let key = HmacKey::from_hex(&"aa".repeat(131)).unwrap();
        let hasher = CredentialHasher::new(key);
        assert_eq!(
            hasher.hash(b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(format!("{hasher:?}"), "CredentialHasher(..)");
    }

    #[test]
    fn a_batch_goes_in_as_multi_row_statements_with_every_row_in_order() {
        let path =
            std::env::temp_dir().join(format!("ikd-audit-chunks-{}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut store = SqliteStore::open(&path).unwrap();
        let client: Arc<str> = Arc::from("counter-1");
        let record = |i: usize| AuditRecord {
            time: UnixTime(1_700_000_000 + i as i64),
            client: Arc::clone(&client),
            purpose: if i.is_multiple_of(2) {
                "kyc"
            } else {
                "age_check"
            },
            verdict: if i.is_multiple_of(3) {
                Verdict::Rejected
            } else {
                Verdict::Valid
            },
            reason_code: i.is_multiple_of(3).then_some("signature_invalid"),
            credential_hmac: (!i.is_multiple_of(3)).then(|| format!("{i:064x}")),
        };
        // 1, 3 and 87 (64 + 16 + 4 + 3) rows, then 150 (2 × 64 + 16 + 4 + 2).
        let mut expected = Vec::new();
        for size in [1, 3, 87, 150] {
            let batch: Vec<AuditRecord> = (expected.len()..expected.len() + size)
                .map(record)
                .collect();
            store.write(&batch.iter().collect::<Vec<_>>()).unwrap();
            expected.extend(batch);
        }
        let mut query = store
            .0
            .prepare(
                "SELECT time, client, purpose, verdict, reason_code, credential_hmac \
                 FROM audit ORDER BY id",
            )
            .unwrap();
        type Row = (i64, String, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = query
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(query);
        drop(store);
        let _ = std::fs::remove_file(&path);
        let wanted: Vec<_> = expected
            .iter()
            .map(|r| {
                (
                    r.time.0,
                    r.client.to_string(),
                    r.purpose.to_owned(),
                    verdict_name(r.verdict).to_owned(),
                    r.reason_code.map(str::to_owned),
                    r.credential_hmac.clone(),
                )
            })
            .collect();
        assert_eq!(rows, wanted);
    }

    #[test]
    fn an_audit_database_that_cannot_be_created_keeps_the_io_error() {
        use std::error::Error as _;
        let blocker =
            std::env::temp_dir().join(format!("ikd-audit-blocker-{}", std::process::id()));
        std::fs::write(&blocker, b"not a folder").unwrap();
        let backend = AuditBackend::Sqlite {
            path: blocker.join("audit.sqlite3"),
        };
        let error = AuditLog::open(&backend, 30, UnixTime(0)).unwrap_err();
        std::fs::remove_file(&blocker).unwrap();
        let AuditError::Open { step, source, .. } = &error else {
            panic!("expected an open error, got {error:?}");
        };
        assert_eq!(*step, "cannot create its folder");
        assert!(matches!(source, Some(DatabaseError::Io(_))), "{source:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "audit database {}: cannot create its folder",
                backend.describe()
            )
        );
        assert!(error.source().is_some());
        let line = Chain(&error).to_string();
        assert!(line.len() > error.to_string().len() + 2, "{line}");
    }
}
