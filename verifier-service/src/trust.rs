//! The trust data the service verifies against, and how it stays current.
//!
//! Two sources, chosen by the configuration:
//!
//! - **Signed** (`[trust]` with `anchors` or `roots`; the real one): the SDK's
//!   [`TrustCache`] holds the last good signed trust list and status lists on disk,
//!   verified against the pinned roots when it opens and on every update; with a
//!   `sync_url`, the SDK's [`SyncClient`] fetches updates in the background
//!   ([`TrustHolder::tick`]). Rollbacks, freezes, bad signatures and network failures are
//!   refused by the SDK, and the last good data stays in use. The service adds no trust
//!   logic of its own: it records what the SDK reported and hands requests a snapshot.
//! - **File** (`trust_store`, the default without roots): an unsigned trust store file
//!   (`ikd-trust-store/1`), re-read when it changes. For development and tests only: its
//!   keys are not signed by anyone and it carries no status lists.
//!
//! The signed source also takes **trust bundles** (a trust list and its status lists in one
//! file, for offices without a network): [`TrustHolder::import_bundle`] hands them to the
//! same cache, under the same rollback and freshness rules as the sync.
//!
//! Every request takes one [`LoadedTrust`] snapshot ([`TrustHolder::current`]) and
//! verifies against it; an update swaps in a new snapshot and never changes one in use.

use crate::config::{Config, SignedTrustConfig, SyncSettings};
use crate::error::Chain;
use ikd_sdk::FreshnessState;
use ikd_sdk::store::{ImportError, ImportReport, TrustCache, UpdateError};
use ikd_sdk::sync::{SyncClient, SyncConfig, SyncError, SyncReport};
use ikd_sdk::trust_list::RootKey;
use ikd_sdk::trust_list::TrustListError;
use ikd_sdk::{Policy, TrustAnchors, TrustError, TrustStore, UnixTime};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

/// Largest trust store file read.
pub const MAX_TRUST_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest trust anchors file read.
pub const MAX_ANCHORS_FILE_BYTES: u64 = 1024 * 1024;
/// The longest wait before a failed or incomplete sync is tried again.
pub const SYNC_RETRY: Duration = Duration::from_secs(60);

/// Why the signed trust source cannot be set up. Each names the setting at fault.
#[derive(Debug)]
#[non_exhaustive]
pub enum TrustSetupError {
    /// The anchors file could not be read.
    AnchorsRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The anchors file does not exist.
    AnchorsMissing {
        /// The file.
        path: PathBuf,
    },
    /// The anchors file is not UTF-8.
    AnchorsNotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The anchors file is not an `ikd-trust-anchors/1` document.
    AnchorsRefused {
        /// The file.
        path: PathBuf,
        /// Why the SDK refused it.
        source: TrustListError,
    },
    /// Neither `trust.anchors` nor `trust.roots` pins a root.
    NoRoot,
    /// The trust cache folder could not be opened.
    Cache {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: UpdateError,
    },
    /// The sync client could not be built for `trust.sync_url`.
    SyncUrl(SyncError),
}

impl fmt::Display for TrustSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustSetupError::AnchorsRead { path, .. }
            | TrustSetupError::AnchorsRefused { path, .. } => {
                write!(f, "trust.anchors {}", path.display())
            }
            TrustSetupError::AnchorsMissing { path } => {
                write!(f, "trust.anchors {} does not exist", path.display())
            }
            TrustSetupError::AnchorsNotUtf8 { path } => {
                write!(f, "trust.anchors {} is not UTF-8", path.display())
            }
            TrustSetupError::NoRoot => {
                f.write_str("no pinned root key: set trust.anchors or trust.roots")
            }
            TrustSetupError::Cache { dir, .. } => write!(f, "trust cache {}", dir.display()),
            TrustSetupError::SyncUrl(_) => f.write_str("trust.sync_url"),
        }
    }
}

impl std::error::Error for TrustSetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrustSetupError::AnchorsRead { source, .. } => Some(source),
            TrustSetupError::AnchorsRefused { source, .. } => Some(source),
            TrustSetupError::Cache { source, .. } => Some(source),
            TrustSetupError::SyncUrl(source) => Some(source),
            TrustSetupError::AnchorsMissing { .. }
            | TrustSetupError::AnchorsNotUtf8 { .. }
            | TrustSetupError::NoRoot => None,
        }
    }
}

/// Why an unsigned trust store file was not loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum TrustFileError {
    /// The file could not be opened.
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_TRUST_FILE_BYTES`].
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The SDK refused the file.
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        source: TrustError,
    },
    /// The file holds no key.
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for TrustFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustFileError::Open { path, .. } => {
                write!(f, "cannot open the trust store {}", path.display())
            }
            TrustFileError::Read { path, .. } => {
                write!(f, "cannot read the trust store {}", path.display())
            }
            TrustFileError::TooLarge { path } => write!(
                f,
                "the trust store {} is larger than {MAX_TRUST_FILE_BYTES} bytes",
                path.display()
            ),
            TrustFileError::Refused { path, .. } => {
                write!(f, "the trust store {} is refused", path.display())
            }
            TrustFileError::Empty { path } => {
                write!(f, "the trust store {} holds no key", path.display())
            }
        }
    }
}

impl std::error::Error for TrustFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrustFileError::Open { source, .. } | TrustFileError::Read { source, .. } => {
                Some(source)
            }
            TrustFileError::Refused { source, .. } => Some(source),
            TrustFileError::TooLarge { .. } | TrustFileError::Empty { .. } => None,
        }
    }
}

/// Trust data in use: one immutable snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedTrust {
    /// The keys, the trust list's details and the status lists.
    pub store: Arc<TrustStore>,
    /// Where they came from (a file, a cache folder, a sync URL).
    pub source: String,
    /// When this snapshot was put in use.
    pub loaded_at: UnixTime,
}

impl LoadedTrust {
    /// Whether the keys come from a verified signed trust list.
    pub fn is_signed(&self) -> bool {
        self.store.trust_list().is_some()
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The file was unchanged since the last look.
    Unchanged,
    /// A new version is in use, with this many keys.
    Loaded(usize),
}

/// How the last sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncResult {
    /// Every file synced (updated, not modified or unchanged).
    Complete,
    /// The trust list synced, some status list did not.
    Partial,
    /// The trust list did not sync.
    Failed,
}

impl SyncResult {
    /// `complete`, `partial` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncResult::Complete => "complete",
            SyncResult::Partial => "partial",
            SyncResult::Failed => "failed",
        }
    }
}

/// What the syncs so far did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// When the last sync started.
    pub last_attempt_at: Option<UnixTime>,
    /// When the last complete sync started.
    pub last_success_at: Option<UnixTime>,
    /// How the last sync ended.
    pub last_result: Option<SyncResult>,
    /// Each file of the last sync (`trust-list.cwt`, or a status list URI) and what
    /// happened to it, as the SDK reported it.
    pub files: Vec<(String, String)>,
    /// Syncs run, by result: complete, partial, failed.
    pub counts: [u64; 3],
}

/// The signed source: the SDK's cache and, optionally, its sync client.
#[derive(Debug)]
struct Signed {
    cache: TrustCache,
    sync: Option<(SyncClient, SyncSettings)>,
    source: String,
}

#[derive(Debug)]
enum Source {
    /// An unsigned trust store file; the modification time and length at the last attempt.
    File {
        path: PathBuf,
        last_seen: Mutex<Option<(SystemTime, u64)>>,
    },
    Signed(Box<Signed>),
    /// The signed source could not be set up (the reason is in `last_error`).
    Unavailable {
        what: String,
    },
}

/// Holds the trust data in use and where it comes from.
#[derive(Debug)]
pub struct TrustHolder {
    source: Source,
    /// How often the file is checked (file source only).
    reload: Duration,
    current: RwLock<Option<Arc<LoadedTrust>>>,
    last_error: Mutex<Option<String>>,
    sync: Mutex<SyncStatus>,
}

impl TrustHolder {
    /// A holder for the unsigned trust store at `path`, with nothing loaded yet.
    pub fn new(path: PathBuf) -> Self {
        Self::with_source(
            Source::File {
                path,
                last_seen: Mutex::new(None),
            },
            crate::config::DEFAULT_TRUST_RELOAD_SECONDS,
        )
    }

    fn with_source(source: Source, reload_seconds: u64) -> Self {
        TrustHolder {
            source,
            reload: Duration::from_secs(reload_seconds.max(1)),
            current: RwLock::new(None),
            last_error: Mutex::new(None),
            sync: Mutex::new(SyncStatus::default()),
        }
    }

    /// The holder `config` asks for. The signed source opens its cache now, verifying what
    /// it holds against the pinned roots at time `now`; an unsigned file is read by the
    /// first [`TrustHolder::reload`]. Fails only when the signed source cannot be set up
    /// (unreadable anchors, a cache folder that cannot be created, a bad sync URL).
    pub fn from_config(
        config: &Config,
        policy: &Policy,
        now: UnixTime,
    ) -> Result<Self, TrustSetupError> {
        let reload = config.trust_reload.as_secs();
        let Some(signed) = &config.trust else {
            let mut holder = Self::new(config.trust_store.clone());
            holder.reload = config.trust_reload.max(Duration::from_secs(1));
            return Ok(holder);
        };
        let anchors = anchors(signed)?;
        let cache = TrustCache::open(&signed.cache_dir, anchors, policy.clone(), now).map_err(
            |source| TrustSetupError::Cache {
                dir: signed.cache_dir.clone(),
                source,
            },
        )?;
        for problem in cache.problems() {
            tracing::warn!(cache = %signed.cache_dir.display(), %problem, "trust cache: not loaded");
        }
        let sync = match &signed.sync {
            None => None,
            Some(settings) => {
                let mut sync_config = SyncConfig::new(settings.url.clone());
                sync_config.request_timeout = settings.request_timeout;
                sync_config.connect_timeout =
                    settings.request_timeout.min(sync_config.connect_timeout);
                sync_config.retries = settings.retries;
                let client = SyncClient::new(sync_config).map_err(TrustSetupError::SyncUrl)?;
                Some((client, settings.clone()))
            }
        };
        let source = match &signed.sync {
            Some(settings) => settings.url.clone(),
            None => signed.cache_dir.display().to_string(),
        };
        let holder = Self::with_source(
            Source::Signed(Box::new(Signed {
                cache,
                sync,
                source,
            })),
            reload,
        );
        holder.refresh(now);
        Ok(holder)
    }

    /// A holder that loads nothing, reporting `problem`: the service still starts and
    /// answers 503 (used where a state must exist even if the trust setup failed).
    pub fn unavailable(problem: String) -> Self {
        let holder = Self::with_source(
            Source::Unavailable {
                what: "unavailable".into(),
            },
            crate::config::DEFAULT_TRUST_RELOAD_SECONDS,
        );
        holder.set_error(Some(problem));
        holder
    }

    /// The unsigned trust store file, or the signed trust cache's folder.
    pub fn path(&self) -> &Path {
        match &self.source {
            Source::File { path, .. } => path,
            Source::Signed(signed) => signed.cache.dir(),
            Source::Unavailable { .. } => Path::new(""),
        }
    }

    /// Where the trust data comes from, for people: the file, the sync URL or the cache
    /// folder.
    pub fn source(&self) -> String {
        match &self.source {
            Source::File { path, .. } => path.display().to_string(),
            Source::Signed(signed) => signed.source.clone(),
            Source::Unavailable { what } => what.clone(),
        }
    }

    /// Whether the source is the signed trust list (whether or not one is loaded yet).
    pub fn is_signed_source(&self) -> bool {
        !matches!(self.source, Source::File { .. })
    }

    /// The SDK's cache, when the source is the signed trust list.
    pub fn cache(&self) -> Option<&TrustCache> {
        match &self.source {
            Source::Signed(signed) => Some(&signed.cache),
            _ => None,
        }
    }

    /// The sync settings, when the service syncs.
    pub fn sync_settings(&self) -> Option<&SyncSettings> {
        match &self.source {
            Source::Signed(signed) => signed.sync.as_ref().map(|(_, settings)| settings),
            _ => None,
        }
    }

    /// What the syncs so far did.
    pub fn sync_status(&self) -> SyncStatus {
        self.sync
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The trust data in use, if any: one snapshot, for one request.
    pub fn current(&self) -> Option<Arc<LoadedTrust>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Why the last load or sync failed, if it did.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_error(&self, problem: Option<String>) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = problem;
    }

    fn set_current(&self, loaded: Option<Arc<LoadedTrust>>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = loaded;
    }

    /// Puts `store` in use (tests, and the unsigned file).
    pub fn install(&self, store: TrustStore, source: String, loaded_at: UnixTime) {
        self.set_current(Some(Arc::new(LoadedTrust {
            store: Arc::new(store),
            source,
            loaded_at,
        })));
        self.set_error(None);
    }

    /// Takes the cache's snapshot into use if it changed. A cache without a verified
    /// trust list is "not loaded".
    fn refresh(&self, now: UnixTime) {
        let Source::Signed(signed) = &self.source else {
            return;
        };
        let store = signed.cache.store();
        let unchanged = self
            .current()
            .is_some_and(|current| Arc::ptr_eq(&current.store, &store));
        if unchanged {
            return;
        }
        let loaded = store.trust_list().is_some().then(|| {
            Arc::new(LoadedTrust {
                store,
                source: signed.source.clone(),
                loaded_at: now,
            })
        });
        self.set_current(loaded);
    }

    /// Loads the unsigned file if it changed since the last attempt (or nothing is loaded
    /// yet). On failure the data in use stays in use. With the signed source there is no
    /// file to reload: [`Reload::Unchanged`].
    pub fn reload(&self, now: UnixTime) -> Result<Reload, TrustFileError> {
        let Source::File { path, last_seen } = &self.source else {
            return Ok(Reload::Unchanged);
        };
        let stamp = std::fs::metadata(path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        {
            let mut last = last_seen.lock().unwrap_or_else(PoisonError::into_inner);
            if stamp.is_some() && *last == stamp && self.current().is_some() {
                return Ok(Reload::Unchanged);
            }
            *last = stamp;
        }
        match read_store(path) {
            Ok(store) => {
                let keys = store.len();
                self.install(store, path.display().to_string(), now);
                Ok(Reload::Loaded(keys))
            }
            Err(problem) => {
                self.set_error(Some(Chain(&problem).to_string()));
                Err(problem)
            }
        }
    }

    /// Runs the SDK's sync once at time `now` (when the service syncs) and puts what it
    /// installed in use. `None` without a sync URL.
    pub async fn sync(&self, now: UnixTime) -> Option<SyncReport> {
        let Source::Signed(signed) = &self.source else {
            return None;
        };
        let (client, _) = signed.sync.as_ref()?;
        let report = client.sync(&signed.cache, now).await;
        self.refresh(now);
        self.record(&report, now);
        Some(report)
    }

    fn record(&self, report: &SyncReport, now: UnixTime) {
        let result = if report.trust_list.is_failure() {
            SyncResult::Failed
        } else if report.is_complete() {
            SyncResult::Complete
        } else {
            SyncResult::Partial
        };
        let mut files = vec![(
            ikd_sdk::store::TRUST_LIST_FILE.to_owned(),
            report.trust_list.to_string(),
        )];
        files.extend(
            report
                .status_lists
                .iter()
                .map(|(uri, outcome)| (uri.clone(), outcome.to_string())),
        );
        let failures: Vec<String> = files
            .iter()
            .zip(
                std::iter::once(&report.trust_list)
                    .chain(report.status_lists.iter().map(|(_, o)| o)),
            )
            .filter(|(_, outcome)| outcome.is_failure())
            .map(|((name, text), _)| format!("{name}: {text}"))
            .collect();
        {
            let mut status = self.sync.lock().unwrap_or_else(PoisonError::into_inner);
            status.last_attempt_at = Some(now);
            if result == SyncResult::Complete {
                status.last_success_at = Some(now);
            }
            status.last_result = Some(result);
            status.files = files;
            let slot = match result {
                SyncResult::Complete => 0,
                SyncResult::Partial => 1,
                SyncResult::Failed => 2,
            };
            if let Some(count) = status.counts.get_mut(slot) {
                *count += 1;
            }
        }
        self.set_error((!failures.is_empty()).then(|| failures.join("; ")));
        match result {
            SyncResult::Complete => tracing::info!(
                trust_list = %report.trust_list,
                status_lists = report.status_lists.len(),
                "trust sync complete"
            ),
            _ => tracing::warn!(
                result = result.as_str(),
                failures = %failures.join("; "),
                "trust sync incomplete; the last good data stays in use"
            ),
        }
    }

    /// Imports a trust bundle at time `now` into the signed source's cache (the SDK's
    /// [`TrustCache::import_bundle`]: the sync's install paths and rules) and puts what it
    /// installed in use. Requests in flight keep the snapshot they took. `None` when the
    /// source is not the signed trust list: there is no cache to import into.
    pub fn import_bundle(
        &self,
        bytes: &[u8],
        now: UnixTime,
    ) -> Option<Result<ImportReport, ImportError>> {
        let Source::Signed(signed) = &self.source else {
            return None;
        };
        let result = signed.cache.import_bundle(bytes, now);
        self.refresh(now);
        Some(result)
    }

    /// One step of the background task at time `now`: re-reads a changed file, or syncs.
    /// Returns the time until the next step: the configured interval, or, after a failed
    /// or incomplete sync, at most [`SYNC_RETRY`].
    pub async fn tick(&self, now: UnixTime) -> Duration {
        match &self.source {
            Source::File { .. } => {
                match self.reload(now) {
                    Ok(Reload::Loaded(keys)) => tracing::info!(keys, "trust data reloaded"),
                    Ok(Reload::Unchanged) => {}
                    Err(problem) => tracing::warn!(
                        problem = %Chain(&problem),
                        "trust data not reloaded; the data in use (if any) stays in use"
                    ),
                }
                self.reload
            }
            Source::Signed(signed) => match &signed.sync {
                Some((_, settings)) => match self.sync(now).await {
                    Some(report) if report.is_complete() => settings.interval,
                    _ => settings.interval.min(SYNC_RETRY),
                },
                None => self.reload,
            },
            Source::Unavailable { .. } => self.reload,
        }
    }
}

/// The pinned roots of the configuration: the anchors file and the inline roots.
fn anchors(config: &SignedTrustConfig) -> Result<TrustAnchors, TrustSetupError> {
    let mut anchors = match &config.anchors_file {
        None => TrustAnchors::new(),
        Some(path) => {
            let bytes = ikd_sdk::store::read_bounded(path, MAX_ANCHORS_FILE_BYTES)
                .map_err(|source| TrustSetupError::AnchorsRead {
                    path: path.clone(),
                    source,
                })?
                .ok_or_else(|| TrustSetupError::AnchorsMissing { path: path.clone() })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| TrustSetupError::AnchorsNotUtf8 { path: path.clone() })?;
            TrustAnchors::from_json(&text).map_err(|source| TrustSetupError::AnchorsRefused {
                path: path.clone(),
                source,
            })?
        }
    };
    for (i, key) in config.roots.iter().enumerate() {
        anchors.add(RootKey {
            name: format!("trust.roots[{i}]"),
            key: *key,
        });
    }
    if anchors.is_empty() {
        return Err(TrustSetupError::NoRoot);
    }
    Ok(anchors)
}

/// How fresh one kind of trust data is at `now`, as the policy sees it.
pub fn freshness_name(state: FreshnessState) -> &'static str {
    match state {
        FreshnessState::Fresh => "fresh",
        FreshnessState::Grace => "stale_in_grace",
        FreshnessState::Expired => "stale",
    }
}

/// The freshness of the trust list in `store` at `now` under `policy`, if it has one.
pub fn trust_list_state(
    store: &TrustStore,
    policy: &Policy,
    now: UnixTime,
) -> Option<FreshnessState> {
    let info = store.trust_list()?;
    Some(
        policy
            .trust_list
            .state(info.issued_at.0, Some(info.next_update.0), now.0),
    )
}

/// Reads and checks a trust store file; it must hold at least one key.
pub fn read_store(path: &Path) -> Result<TrustStore, TrustFileError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|source| TrustFileError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut text = String::new();
    file.take(MAX_TRUST_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|source| TrustFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if text.len() as u64 > MAX_TRUST_FILE_BYTES {
        return Err(TrustFileError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let store = TrustStore::from_json(&text).map_err(|source| TrustFileError::Refused {
        path: path.to_path_buf(),
        source,
    })?;
    if store.is_empty() {
        return Err(TrustFileError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_missing_trust_store_file_keeps_the_io_error() {
        let path = std::env::temp_dir().join("ikd-no-such-dir/trust.json");
        let error = read_store(&path).unwrap_err();
        assert!(matches!(error, TrustFileError::Open { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("cannot open the trust store {}", path.display())
        );
        let io = error
            .source()
            .and_then(|e| e.downcast_ref::<std::io::Error>())
            .expect("the io::Error is the source");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    }
}
