//! Trust data kept on disk and shared in memory: the last good signed trust list and the
//! status lists it names, verified on load and on every update.
//!
//! This module does file I/O; the verification path ([`crate::verify()`]) never does. A
//! [`TrustCache`] owns a folder:
//!
//! ```text
//! DIR/trust-list.cwt        the last good signed trust list, as received
//! DIR/status/<file>         the last good token of each status list the trust list names
//! DIR/cache-state.json      highest sequence seen, root keys accepted by announcement, ETags
//! ```
//!
//! Every write goes to a temporary file in the same folder, is flushed to disk, and is then
//! renamed over the old file, so a crash leaves the old or the new file, never half of one.
//! An update is installed only after it is verified; a rollback (lower sequence, or an
//! older status list), a list that the policy already holds to be stale beyond its grace
//! period (a freeze), a bad signature, an unknown root, a status list whose `sub` is not
//! the URI it was fetched for: each is refused and the last good data stays in use.
//!
//! A trust bundle (a file carrying the trust list and its status lists, for offices without
//! a network) is imported through the same two install paths, under the same rules
//! ([`TrustCache::import_bundle`]).
//!
//! Readers take an `Arc<TrustStore>` snapshot ([`TrustCache::store`]); an update builds a
//! new store and swaps it in under a short write lock ([`SharedTrust`]), so verifications
//! in flight finish with the data they started with.

use crate::cache::admission::{Admitted, Refused, admit_status_list, admit_trust_list};
use crate::model::time::UnixTime;
use crate::trust::bundle::{BundleCode, BundleError, TrustBundle, trust_list_code};
use crate::trust::status_list::{StatusListError, StatusListToken};
use crate::trust::store::TrustStore;
use crate::trust::trust_list::{StatusListRef, TrustAnchors, TrustListError, VerifiedTrustList};
use crate::verification::policy::{FreshnessState, Policy};
use crate::wire::crypto::IssuerPublicKey;
use crate::wire::encoding;
use crate::wire::limits::{
    MAX_ROOT_KEYS, MAX_STATUS_LIST_TOKEN_BYTES, MAX_TRUST_LIST_BYTES, MAX_TRUST_LIST_STATUS_LISTS,
};
use core::fmt;
use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

/// The trust list's file name, in the cache and in a published folder.
pub const TRUST_LIST_FILE: &str = "trust-list.cwt";
/// The folder of status list tokens, in the cache and in a published folder.
pub const STATUS_DIR: &str = "status";
/// The cache's bookkeeping file.
pub const STATE_FILE: &str = "cache-state.json";
/// Largest bookkeeping file read.
const MAX_STATE_BYTES: u64 = 1024 * 1024;

/// The trust data in use, shared by readers and swapped by updates.
#[derive(Debug, Default)]
pub struct SharedTrust {
    current: RwLock<Arc<TrustStore>>,
}

impl SharedTrust {
    /// Shares `store`.
    pub fn new(store: TrustStore) -> Self {
        SharedTrust {
            current: RwLock::new(Arc::new(store)),
        }
    }

    /// The store in use now. Holding it never blocks an update.
    pub fn snapshot(&self) -> Arc<TrustStore> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `store` in use.
    pub fn replace(&self, store: Arc<TrustStore>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = store;
    }
}

/// Why an update was not installed. The data in use is unchanged.
///
/// Two [`UpdateError::Io`] compare equal when their kind and message are.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UpdateError {
    /// The trust list does not verify.
    TrustList(TrustListError),
    /// The status list does not verify.
    StatusList(StatusListError),
    /// The trust list's sequence number is lower than the one in use (or equal, with other
    /// content); or the status list is older than the one in use.
    Rollback {
        /// The sequence (or `iat`) in use.
        current: i128,
        /// The sequence (or `iat`) offered.
        offered: i128,
    },
    /// The policy holds the offered data to be stale beyond its grace period already.
    Expired,
    /// The offered data was issued more than [`crate::limits::MAX_LIST_CLOCK_SKEW_SECONDS`] in the future.
    NotYetValid,
    /// No trust list is installed, so no status list can be.
    NoTrustList,
    /// The trust list in use names no status list with this URI.
    UnknownStatusList,
    /// The token's `sub` is not the URI it was installed for.
    SubMismatch,
    /// The token is signed by another issuer than the trust list names for its URI.
    IssuerMismatch,
    /// The cache could not be written: the I/O error, shared so that the error stays
    /// cloneable.
    Io(Arc<std::io::Error>),
}

impl From<Refused> for UpdateError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Rollback { current, offered } => UpdateError::Rollback { current, offered },
            Refused::NotYetValid => UpdateError::NotYetValid,
            Refused::Expired => UpdateError::Expired,
        }
    }
}

impl PartialEq for UpdateError {
    fn eq(&self, other: &Self) -> bool {
        use UpdateError as E;
        match (self, other) {
            (E::TrustList(a), E::TrustList(b)) => a == b,
            (E::StatusList(a), E::StatusList(b)) => a == b,
            (
                E::Rollback { current, offered },
                E::Rollback {
                    current: other_current,
                    offered: other_offered,
                },
            ) => current == other_current && offered == other_offered,
            (E::Io(a), E::Io(b)) => a.kind() == b.kind() && a.to_string() == b.to_string(),
            (E::Expired, E::Expired)
            | (E::NotYetValid, E::NotYetValid)
            | (E::NoTrustList, E::NoTrustList)
            | (E::UnknownStatusList, E::UnknownStatusList)
            | (E::SubMismatch, E::SubMismatch)
            | (E::IssuerMismatch, E::IssuerMismatch) => true,
            _ => false,
        }
    }
}

impl Eq for UpdateError {}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpdateError::TrustList(e) => write!(f, "{e}"),
            UpdateError::StatusList(e) => write!(f, "{e}"),
            UpdateError::Rollback { current, offered } => {
                write!(f, "refused rollback: {offered} offered, {current} in use")
            }
            UpdateError::Expired => f.write_str("refused: already stale beyond the grace period"),
            UpdateError::NotYetValid => f.write_str("refused: issued in the future"),
            UpdateError::NoTrustList => f.write_str("no trust list is installed"),
            UpdateError::UnknownStatusList => {
                f.write_str("the trust list names no status list with this URI")
            }
            UpdateError::SubMismatch => {
                f.write_str("the status list's sub is not the URI it was fetched for")
            }
            UpdateError::IssuerMismatch => {
                f.write_str("the status list is signed by another issuer than the trust list names")
            }
            // The I/O error is the source: printed by whoever walks the chain, not twice.
            UpdateError::Io(_) => f.write_str("cannot write the cache"),
        }
    }
}

impl std::error::Error for UpdateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UpdateError::Io(e) => Some(&**e),
            _ => None,
        }
    }
}

/// An I/O error on the cache directory, naming it; the original error is its source.
#[derive(Debug)]
struct InDir {
    dir: PathBuf,
    source: std::io::Error,
}

impl fmt::Display for InDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.dir.display())
    }
}

impl std::error::Error for InDir {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What an installation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// New data is in use.
    Updated,
    /// The offered data is the data in use.
    Unchanged,
}

/// The bookkeeping file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheState {
    format: String,
    /// The highest trust-list sequence ever installed.
    highest_sequence: u64,
    /// Root keys (hex) that a verified trust list announced as successors.
    #[serde(default)]
    accepted_roots: Vec<String>,
    /// ETags of the resources last fetched, by file name relative to the folder.
    #[serde(default)]
    etags: BTreeMap<String, String>,
}

const STATE_FORMAT: &str = "ikd-trust-cache/1";

struct Inner {
    list: Option<VerifiedTrustList>,
    /// The bytes of each installed status list token, by URI.
    status_tokens: BTreeMap<String, Vec<u8>>,
    state: CacheState,
    problems: Vec<String>,
}

/// A folder of trust data, loaded at start and updated in place.
#[derive(Debug)]
pub struct TrustCache {
    dir: PathBuf,
    anchors: TrustAnchors,
    policy: Policy,
    shared: SharedTrust,
    inner: Mutex<Inner>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("sequence", &self.list.as_ref().map(|l| l.list().sequence))
            .field("status_lists", &self.status_tokens.len())
            .finish()
    }
}

impl TrustCache {
    /// Opens (creating it if needed) the cache folder `dir`, and loads and verifies what it
    /// holds against `anchors` at time `now`. What cannot be loaded is left out and named
    /// in [`TrustCache::problems`]; only a folder that cannot be created is an error.
    pub fn open(
        dir: impl Into<PathBuf>,
        anchors: TrustAnchors,
        policy: Policy,
        now: UnixTime,
    ) -> Result<Self, UpdateError> {
        let dir = dir.into();
        std::fs::create_dir_all(dir.join(STATUS_DIR)).map_err(|source| {
            let kind = source.kind();
            let dir = dir.clone();
            io_error(std::io::Error::new(kind, InDir { dir, source }))
        })?;
        let cache = TrustCache {
            dir,
            anchors,
            policy,
            shared: SharedTrust::default(),
            inner: Mutex::new(Inner {
                list: None,
                status_tokens: BTreeMap::new(),
                state: CacheState::default(),
                problems: Vec::new(),
            }),
        };
        cache.load(now);
        Ok(cache)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trust data in use now.
    pub fn store(&self) -> Arc<TrustStore> {
        self.shared.snapshot()
    }

    /// The shared holder of the trust data in use.
    pub fn shared(&self) -> &SharedTrust {
        &self.shared
    }

    /// What could not be loaded when the cache was opened (file names and reasons, never
    /// contents).
    pub fn problems(&self) -> Vec<String> {
        self.lock().problems.clone()
    }

    /// The status lists the trust list in use names.
    pub fn status_list_refs(&self) -> Vec<StatusListRef> {
        self.lock()
            .list
            .as_ref()
            .map(|l| l.list().status_lists.clone())
            .unwrap_or_default()
    }

    /// The ETag last stored for `resource` (a file name relative to the folder).
    pub fn etag(&self, resource: &str) -> Option<String> {
        self.lock().state.etags.get(resource).cloned()
    }

    /// Stores (or, with `None`, forgets) the ETag of `resource`.
    pub fn set_etag(&self, resource: &str, etag: Option<String>) -> Result<(), UpdateError> {
        let mut inner = self.lock();
        let mut state = inner.state.clone();
        match etag {
            Some(etag) => state.etags.insert(resource.to_owned(), etag),
            None => state.etags.remove(resource),
        };
        self.write_state(&state)?;
        inner.state = state;
        Ok(())
    }

    fn roots(&self, inner: &Inner) -> Vec<IssuerPublicKey> {
        let mut roots: Vec<IssuerPublicKey> = self.anchors.roots().iter().map(|r| r.key).collect();
        let accepted = inner.state.accepted_roots.iter().filter_map(|hex| {
            encoding::hex_decode(hex).and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
        });
        let announced = inner
            .list
            .iter()
            .flat_map(|l| l.list().successor_roots.iter().copied());
        for key in accepted.chain(announced) {
            if !roots.contains(&key) {
                roots.push(key);
            }
        }
        roots
    }

    fn load(&self, now: UnixTime) {
        let mut inner = self.lock();
        let mut problems = Vec::new();
        match read_bounded(&self.dir.join(STATE_FILE), MAX_STATE_BYTES) {
            Ok(None) => {}
            Ok(Some(bytes)) => match serde_json::from_slice::<CacheState>(&bytes) {
                Ok(state) if state.format == STATE_FORMAT => inner.state = state,
                _ => problems.push(format!("{STATE_FILE}: not a cache state file; ignored")),
            },
            Err(e) => problems.push(format!("{STATE_FILE}: {e}")),
        }
        inner.state.format = STATE_FORMAT.to_owned();
        let list = match read_bounded(&self.dir.join(TRUST_LIST_FILE), MAX_TRUST_LIST_BYTES as u64)
        {
            Ok(None) => None,
            Ok(Some(bytes)) => match VerifiedTrustList::verify(&bytes, &self.roots(&inner)) {
                Ok(list) if list.list().sequence < inner.state.highest_sequence => {
                    problems.push(format!(
                        "{TRUST_LIST_FILE}: sequence {} is below {} seen before; refused",
                        list.list().sequence,
                        inner.state.highest_sequence
                    ));
                    None
                }
                Ok(list) => Some(list),
                Err(e) => {
                    problems.push(format!("{TRUST_LIST_FILE}: {e}"));
                    None
                }
            },
            Err(e) => {
                problems.push(format!("{TRUST_LIST_FILE}: {e}"));
                None
            }
        };
        let mut store = TrustStore::new();
        if let Some(list) = &list {
            let info = list.list();
            if self
                .policy
                .trust_list
                .state(info.issued_at.0, Some(info.next_update.0), now.0)
                == FreshnessState::Expired
            {
                problems.push(format!(
                    "{TRUST_LIST_FILE}: stale beyond the grace period; verifications are \
                     rejected until a sync brings a newer list"
                ));
            }
            inner.state.highest_sequence = inner.state.highest_sequence.max(info.sequence);
            store = list.to_trust_store();
            for reference in info.status_lists.iter().take(MAX_TRUST_LIST_STATUS_LISTS) {
                let name = format!("{STATUS_DIR}/{}", reference.file);
                let bytes = match read_bounded(
                    &self.dir.join(STATUS_DIR).join(&reference.file),
                    MAX_STATUS_LIST_TOKEN_BYTES as u64,
                ) {
                    Ok(Some(bytes)) => bytes,
                    Ok(None) => continue,
                    Err(e) => {
                        problems.push(format!("{name}: {e}"));
                        continue;
                    }
                };
                match check_status_token(&bytes, reference, &store) {
                    Ok(token) => {
                        store.add_status_list(Arc::new(token));
                        inner.status_tokens.insert(reference.uri.clone(), bytes);
                    }
                    Err(e) => problems.push(format!("{name}: {e}")),
                }
            }
        }
        inner.list = list;
        inner.problems = problems;
        self.shared.replace(Arc::new(store));
    }

    /// Verifies and installs a signed trust list at time `now`. Refused: a list that does
    /// not verify against the pinned roots (or an announced successor), a lower sequence
    /// than the one in use or ever installed, the same sequence with other content, a list
    /// issued in the future, and a list the policy already holds to be stale beyond its
    /// grace period. The status lists in use are verified again against the new keys and
    /// kept if they still pass.
    pub fn install_trust_list(
        &self,
        bytes: &[u8],
        now: UnixTime,
    ) -> Result<Installed, UpdateError> {
        let mut inner = self.lock();
        let verified = VerifiedTrustList::verify(bytes, &self.roots(&inner))
            .map_err(UpdateError::TrustList)?;
        let admitted = admit_trust_list(
            &verified,
            inner.list.as_ref(),
            inner.state.highest_sequence,
            now,
            &self.policy.trust_list,
        )?;
        if admitted == Admitted::Same {
            return Ok(Installed::Unchanged);
        }
        let offered = verified.list();

        // First the roots this list makes acceptable, then the list, then its sequence:
        // a crash between two writes never leaves a list the next start refuses.
        let mut state = inner.state.clone();
        let signer = verified.root();
        let newly_accepted = offered
            .successor_roots
            .iter()
            .chain((!self.anchors.contains(&signer)).then_some(&signer));
        for key in newly_accepted {
            let hex = encoding::hex_encode(&key.to_bytes());
            if !state.accepted_roots.contains(&hex) {
                state.accepted_roots.push(hex);
            }
        }
        let excess = state.accepted_roots.len().saturating_sub(MAX_ROOT_KEYS);
        state.accepted_roots.drain(..excess);
        self.write_state(&state)?;
        inner.state = state.clone();
        write_atomic(&self.dir, TRUST_LIST_FILE, bytes).map_err(io_error)?;
        state.highest_sequence = offered.sequence;
        self.write_state(&state)?;
        inner.state = state;

        let mut store = verified.to_trust_store();
        let mut tokens = BTreeMap::new();
        for reference in &offered.status_lists {
            if let Some(bytes) = inner.status_tokens.get(&reference.uri)
                && let Ok(token) = check_status_token(bytes, reference, &store)
            {
                store.add_status_list(Arc::new(token));
                tokens.insert(reference.uri.clone(), bytes.clone());
            }
        }
        inner.status_tokens = tokens;
        inner.list = Some(verified);
        self.shared.replace(Arc::new(store));
        Ok(Installed::Updated)
    }

    /// Verifies and installs the token of the status list `uri` at time `now`. Refused: a
    /// URI the trust list in use does not name, a token that does not verify against the
    /// keys in use, a `sub` other than `uri`, a signer of another issuer than the trust list
    /// names, an older `iat` than the list in use (or the same with other content), a token
    /// issued in the future, and one the policy already holds to be stale beyond its grace
    /// period.
    pub fn install_status_list(
        &self,
        uri: &str,
        bytes: &[u8],
        now: UnixTime,
    ) -> Result<Installed, UpdateError> {
        let mut inner = self.lock();
        let list = inner.list.as_ref().ok_or(UpdateError::NoTrustList)?;
        let reference = list
            .list()
            .status_lists
            .iter()
            .find(|r| r.uri == uri)
            .cloned()
            .ok_or(UpdateError::UnknownStatusList)?;
        let current = self.shared.snapshot();
        let token = check_status_token(bytes, &reference, &current)?;
        let in_use = current.status_list(uri).map(Arc::as_ref);
        if admit_status_list(&token, in_use, now, &self.policy.status_list)? == Admitted::Same {
            return Ok(Installed::Unchanged);
        }
        write_atomic(&self.dir.join(STATUS_DIR), &reference.file, bytes).map_err(io_error)?;
        let mut store = (*current).clone();
        store.add_status_list(Arc::new(token));
        inner.status_tokens.insert(uri.to_owned(), bytes.to_vec());
        self.shared.replace(Arc::new(store));
        Ok(Installed::Updated)
    }

    /// Imports a trust bundle at time `now` through the same paths as the HTTP sync: its
    /// trust list as by [`TrustCache::install_trust_list`], then each status list the trust
    /// list in use names as by [`TrustCache::install_status_list`].
    ///
    /// The rule for a partial bundle: the trust list decides for the whole bundle. A bundle
    /// that is malformed, or whose trust list is refused (bad signature, unknown root,
    /// rollback, freeze, issued in the future), is refused and nothing of it is installed.
    /// A trust list that is the one in use (same bytes) lets the status lists through. Each
    /// status list then stands alone: one that is missing from the bundle, refused by the
    /// update rules, or not named by the trust list is left out and reported with its code,
    /// and the copy in use (if any) stays; the others are installed.
    ///
    /// Verifications keep running during an import: each install swaps a new store in.
    pub fn import_bundle(&self, bytes: &[u8], now: UnixTime) -> Result<ImportReport, ImportError> {
        let bundle = TrustBundle::decode(bytes).map_err(ImportError::Bundle)?;
        let trust_list = self
            .install_trust_list(bundle.trust_list(), now)
            .map_err(|error| ImportError::Refused {
                code: trust_list_update_code(&error),
                error,
            })?;
        let refs = self.status_list_refs();
        let mut status_lists = Vec::new();
        for reference in &refs {
            let outcome = match bundle
                .status_lists()
                .iter()
                .find(|s| s.uri == reference.uri)
            {
                None => Err(ImportError::Missing),
                Some(part) => self
                    .install_status_list(&reference.uri, &part.token, now)
                    .map_err(|error| ImportError::Refused {
                        code: status_list_update_code(&error),
                        error,
                    }),
            };
            status_lists.push((reference.uri.clone(), outcome));
        }
        for part in bundle.status_lists() {
            if !refs.iter().any(|r| r.uri == part.uri) {
                status_lists.push((
                    part.uri.clone(),
                    Err(ImportError::Refused {
                        code: BundleCode::StatusListNotNamed,
                        error: UpdateError::UnknownStatusList,
                    }),
                ));
            }
        }
        Ok(ImportReport {
            trust_list,
            status_lists,
        })
    }

    fn write_state(&self, state: &CacheState) -> Result<(), UpdateError> {
        let json = serde_json::to_vec_pretty(state)
            .map_err(|e| io_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        write_atomic(&self.dir, STATE_FILE, &json).map_err(io_error)
    }
}

/// What an imported bundle did (it was not refused as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The bundle's trust list: installed, or the one in use already.
    pub trust_list: Installed,
    /// Each status list the trust list in use names, then each the bundle holds that it
    /// does not name, by URI: installed, or why not.
    pub status_lists: Vec<(String, Result<Installed, ImportError>)>,
}

impl ImportReport {
    /// Whether every status list the trust list names was installed (or was in use
    /// already) and the bundle held no other.
    pub fn is_complete(&self) -> bool {
        self.status_lists.iter().all(|(_, outcome)| outcome.is_ok())
    }
}

/// Why a bundle (or one status list of it) was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The bundle cannot be read.
    Bundle(BundleError),
    /// The update rules refused the part.
    Refused {
        /// The stable code.
        code: BundleCode,
        /// What the cache said.
        error: UpdateError,
    },
    /// The trust list names a status list that the bundle does not hold.
    Missing,
}

impl ImportError {
    /// The stable code (`spec/reason-codes.md`, trust bundle import codes).
    pub fn code(&self) -> BundleCode {
        match self {
            ImportError::Bundle(e) => e.code(),
            ImportError::Refused { code, .. } => *code,
            ImportError::Missing => BundleCode::StatusListMissing,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Bundle(e) => write!(f, "{}: {e}", e.code()),
            ImportError::Refused { code, error } => write!(f, "{code}: {error}"),
            ImportError::Missing => write!(
                f,
                "{}: not in the bundle; the copy in use stays",
                BundleCode::StatusListMissing
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// The import code of a refused trust list.
fn trust_list_update_code(error: &UpdateError) -> BundleCode {
    match error {
        UpdateError::TrustList(e) => trust_list_code(e),
        UpdateError::Rollback { .. } => BundleCode::TrustListRollback,
        UpdateError::Expired => BundleCode::TrustListExpired,
        UpdateError::NotYetValid => BundleCode::TrustListNotYetValid,
        UpdateError::Io(_) => BundleCode::CacheWriteFailed,
        _ => BundleCode::TrustListInvalid,
    }
}

/// The import code of a refused status list.
fn status_list_update_code(error: &UpdateError) -> BundleCode {
    match error {
        UpdateError::Rollback { .. } => BundleCode::StatusListRollback,
        UpdateError::Expired => BundleCode::StatusListExpired,
        UpdateError::NotYetValid => BundleCode::StatusListNotYetValid,
        UpdateError::UnknownStatusList => BundleCode::StatusListNotNamed,
        UpdateError::Io(_) => BundleCode::CacheWriteFailed,
        _ => BundleCode::StatusListInvalid,
    }
}

fn io_error(e: std::io::Error) -> UpdateError {
    UpdateError::Io(Arc::new(e))
}

/// Verifies a status list token for the list `reference` names.
fn check_status_token(
    bytes: &[u8],
    reference: &StatusListRef,
    store: &TrustStore,
) -> Result<StatusListToken, UpdateError> {
    let token = StatusListToken::verify(bytes, store).map_err(UpdateError::StatusList)?;
    if token.uri() != reference.uri {
        return Err(UpdateError::SubMismatch);
    }
    if token.issuer() != reference.issuer {
        return Err(UpdateError::IssuerMismatch);
    }
    Ok(token)
}

/// Reads a whole file of at most `limit` bytes; `None` if it does not exist.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(Some(bytes))
}

/// Replaces `dir/name` atomically: writes a temporary file beside it, flushes it to disk,
/// renames it over the old one, and flushes the folder.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let temp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, dir.join(name))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    // Make the rename itself durable (where the platform allows opening a folder).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}
