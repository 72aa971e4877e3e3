//! The trust data the service verifies against: loaded from the trust store file at start,
//! re-read when the file changes, and kept when a new version does not load.
//!
//! This slice reads the unsigned trust store file (`ikd-trust-store/1`). The signed trust
//! list and its HTTP sync belong to the SDK's trust issue; once built, the service will
//! run the SDK's sync here and add no logic of its own.

use ikd_sdk::{TrustStore, UnixTime};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

/// Largest trust store file read.
pub const MAX_TRUST_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Trust data in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedTrust {
    /// The keys.
    pub store: TrustStore,
    /// Where they came from.
    pub source: String,
    /// When they were loaded.
    pub loaded_at: UnixTime,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The file was unchanged since the last look.
    Unchanged,
    /// A new version is in use, with this many keys.
    Loaded(usize),
}

/// Holds the trust data in use and the file it comes from.
#[derive(Debug)]
pub struct TrustHolder {
    path: PathBuf,
    current: RwLock<Option<Arc<LoadedTrust>>>,
    /// Modification time and length of the file at the last attempt.
    last_seen: Mutex<Option<(SystemTime, u64)>>,
    last_error: Mutex<Option<String>>,
}

impl TrustHolder {
    /// A holder for the trust store at `path`, with nothing loaded yet.
    pub fn new(path: PathBuf) -> Self {
        TrustHolder {
            path,
            current: RwLock::new(None),
            last_seen: Mutex::new(None),
            last_error: Mutex::new(None),
        }
    }

    /// The trust store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The trust data in use, if any.
    pub fn current(&self) -> Option<Arc<LoadedTrust>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Why the last load failed, if it did.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `store` in use.
    pub fn install(&self, store: TrustStore, source: String, loaded_at: UnixTime) {
        let loaded = Arc::new(LoadedTrust {
            store,
            source,
            loaded_at,
        });
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Loads the file if it changed since the last attempt (or nothing is loaded yet).
    /// On failure the data in use stays in use.
    pub fn reload(&self, now: UnixTime) -> Result<Reload, String> {
        let stamp = std::fs::metadata(&self.path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        {
            let mut last = self
                .last_seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if stamp.is_some() && *last == stamp && self.current().is_some() {
                return Ok(Reload::Unchanged);
            }
            *last = stamp;
        }
        match read_store(&self.path) {
            Ok(store) => {
                let keys = store.len();
                self.install(store, self.path.display().to_string(), now);
                Ok(Reload::Loaded(keys))
            }
            Err(problem) => {
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(problem.clone());
                Err(problem)
            }
        }
    }
}

/// Reads and checks a trust store file; it must hold at least one key.
pub fn read_store(path: &Path) -> Result<TrustStore, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open the trust store {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_TRUST_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the trust store {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_TRUST_FILE_BYTES {
        return Err(format!(
            "the trust store {} is larger than {MAX_TRUST_FILE_BYTES} bytes",
            path.display()
        ));
    }
    let store = TrustStore::from_json(&text)
        .map_err(|e| format!("the trust store {} is refused: {e}", path.display()))?;
    if store.is_empty() {
        return Err(format!("the trust store {} holds no key", path.display()));
    }
    Ok(store)
}
