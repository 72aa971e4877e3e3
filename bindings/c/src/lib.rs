//! The IKD SDK as a C library (`libikd.so`, `libikd.a`, header `include/ikd.h`), on the
//! binding facade `ikd-facade`.
//!
//! - An opaque [`IkdVerifier`] handle holds trust data, a policy and a replay guard.
//! - [`ikd_verify`] writes the verdict JSON (`spec/schemas/verdict.schema.json`) to a
//!   string the caller frees with [`ikd_string_free`]. A rejected credential is a verdict,
//!   with [`IkdStatus::IKD_OK`]; a status other than `IKD_OK` means the caller's inputs
//!   could not be used, and [`ikd_last_error_message`] says why.
//! - Time is always an argument (Unix seconds); [`ikd_now`] reads the host clock for a
//!   caller that trusts it.
//! - No panic crosses the boundary: every entry point runs inside the facade's `guard`
//!   (or `catch_unwind`) and reports a panic as [`IkdStatus::IKD_ERR_INTERNAL`].
//!
//! # Thread safety
//!
//! [`ikd_verify`] and [`ikd_verify_disclosed`] take a `const IkdVerifier *` and may run on
//! one handle from many threads at once (the replay cache is locked inside). The calls
//! taking a non-const `IkdVerifier *` (adding a status list, setting the replay mode,
//! freeing) must not run at the same time as any other call on that handle. Error
//! messages are per thread.

use ikd_facade::{Challenge, Error, ErrorCode, Policy, ReplayMode, Roots, TrustData, Verifier};
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// What a call did: `IKD_OK`, or why the caller's inputs could not be used. The values are
/// stable and append-only; each error is the facade's code of the same name
/// ([`ikd_status_name`] gives it as text), and from 100 on the C interface's own.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum IkdStatus {
    /// Success (a rejected credential is a success: its verdict says why).
    IKD_OK = 0,
    /// The trust store JSON could not be read.
    IKD_ERR_TRUST_STORE_INVALID = 1,
    /// The signed trust list is malformed or not signed by a pinned root.
    IKD_ERR_TRUST_LIST_INVALID = 2,
    /// The pinned roots could not be read.
    IKD_ERR_ROOTS_INVALID = 3,
    /// A status list is malformed or not signed by a key held.
    IKD_ERR_STATUS_LIST_INVALID = 4,
    /// The policy JSON could not be read.
    IKD_ERR_POLICY_INVALID = 5,
    /// A nonce or audience is not well formed.
    IKD_ERR_CHALLENGE_INVALID = 6,
    /// A time is out of range.
    IKD_ERR_TIME_INVALID = 7,
    /// A replay cache of 0 or more than 1 000 000 entries.
    IKD_ERR_REPLAY_CAPACITY_INVALID = 8,
    /// No disclosure purpose has this name.
    IKD_ERR_PURPOSE_UNKNOWN = 9,
    /// A device key could not be used.
    IKD_ERR_DEVICE_KEY_INVALID = 10,
    /// Not a credential's QR text.
    IKD_ERR_CREDENTIAL_INVALID = 11,
    /// A presentation could not be made.
    IKD_ERR_PRESENTATION_FAILED = 12,
    /// A camera frame's size and pixels disagree.
    IKD_ERR_FRAME_INVALID = 13,
    /// Scanning failed.
    IKD_ERR_SCAN_FAILED = 14,
    /// The host clock reads before 1970.
    IKD_ERR_CLOCK_UNAVAILABLE = 15,
    /// The host gave no randomness.
    IKD_ERR_RANDOMNESS_UNAVAILABLE = 16,
    /// A panic was caught: a bug in the library.
    IKD_ERR_INTERNAL = 17,
    /// A test issuer could not be made.
    IKD_ERR_ISSUER_INVALID = 18,
    /// A document to issue is not valid.
    IKD_ERR_DOCUMENT_INVALID = 19,
    /// Issuing failed.
    IKD_ERR_ISSUANCE_FAILED = 20,
    /// A trust bundle was refused as a whole.
    IKD_ERR_BUNDLE_REFUSED = 21,
    /// A required pointer argument was NULL.
    IKD_ERR_NULL_ARGUMENT = 100,
    /// A text argument is not UTF-8.
    IKD_ERR_NOT_UTF8 = 101,
    /// An enumeration argument has no such value.
    IKD_ERR_BAD_ENUM = 102,
}

impl IkdStatus {
    fn of(code: ErrorCode) -> Self {
        use IkdStatus as S;
        match code {
            ErrorCode::TrustStoreInvalid => S::IKD_ERR_TRUST_STORE_INVALID,
            ErrorCode::TrustListInvalid => S::IKD_ERR_TRUST_LIST_INVALID,
            ErrorCode::RootsInvalid => S::IKD_ERR_ROOTS_INVALID,
            ErrorCode::StatusListInvalid => S::IKD_ERR_STATUS_LIST_INVALID,
            ErrorCode::PolicyInvalid => S::IKD_ERR_POLICY_INVALID,
            ErrorCode::ChallengeInvalid => S::IKD_ERR_CHALLENGE_INVALID,
            ErrorCode::TimeInvalid => S::IKD_ERR_TIME_INVALID,
            ErrorCode::ReplayCapacityInvalid => S::IKD_ERR_REPLAY_CAPACITY_INVALID,
            ErrorCode::PurposeUnknown => S::IKD_ERR_PURPOSE_UNKNOWN,
            ErrorCode::DeviceKeyInvalid => S::IKD_ERR_DEVICE_KEY_INVALID,
            ErrorCode::CredentialInvalid => S::IKD_ERR_CREDENTIAL_INVALID,
            ErrorCode::PresentationFailed => S::IKD_ERR_PRESENTATION_FAILED,
            ErrorCode::FrameInvalid => S::IKD_ERR_FRAME_INVALID,
            ErrorCode::ScanFailed => S::IKD_ERR_SCAN_FAILED,
            ErrorCode::ClockUnavailable => S::IKD_ERR_CLOCK_UNAVAILABLE,
            ErrorCode::RandomnessUnavailable => S::IKD_ERR_RANDOMNESS_UNAVAILABLE,
            ErrorCode::IssuerInvalid => S::IKD_ERR_ISSUER_INVALID,
            ErrorCode::DocumentInvalid => S::IKD_ERR_DOCUMENT_INVALID,
            ErrorCode::IssuanceFailed => S::IKD_ERR_ISSUANCE_FAILED,
            ErrorCode::BundleRefused => S::IKD_ERR_BUNDLE_REFUSED,
            // `Internal`, and any code a newer facade adds before this enum learns it.
            _ => S::IKD_ERR_INTERNAL,
        }
    }

    /// The stable text code, NUL-terminated.
    fn name(self) -> &'static CStr {
        use IkdStatus as S;
        match self {
            S::IKD_OK => c"ok",
            S::IKD_ERR_NULL_ARGUMENT => c"null_argument",
            S::IKD_ERR_NOT_UTF8 => c"not_utf8",
            S::IKD_ERR_BAD_ENUM => c"bad_enum",
            S::IKD_ERR_TRUST_STORE_INVALID => c"trust_store_invalid",
            S::IKD_ERR_TRUST_LIST_INVALID => c"trust_list_invalid",
            S::IKD_ERR_ROOTS_INVALID => c"roots_invalid",
            S::IKD_ERR_STATUS_LIST_INVALID => c"status_list_invalid",
            S::IKD_ERR_POLICY_INVALID => c"policy_invalid",
            S::IKD_ERR_CHALLENGE_INVALID => c"challenge_invalid",
            S::IKD_ERR_TIME_INVALID => c"time_invalid",
            S::IKD_ERR_REPLAY_CAPACITY_INVALID => c"replay_capacity_invalid",
            S::IKD_ERR_PURPOSE_UNKNOWN => c"purpose_unknown",
            S::IKD_ERR_DEVICE_KEY_INVALID => c"device_key_invalid",
            S::IKD_ERR_CREDENTIAL_INVALID => c"credential_invalid",
            S::IKD_ERR_PRESENTATION_FAILED => c"presentation_failed",
            S::IKD_ERR_FRAME_INVALID => c"frame_invalid",
            S::IKD_ERR_SCAN_FAILED => c"scan_failed",
            S::IKD_ERR_CLOCK_UNAVAILABLE => c"clock_unavailable",
            S::IKD_ERR_RANDOMNESS_UNAVAILABLE => c"randomness_unavailable",
            S::IKD_ERR_INTERNAL => c"internal",
            S::IKD_ERR_ISSUER_INVALID => c"issuer_invalid",
            S::IKD_ERR_DOCUMENT_INVALID => c"document_invalid",
            S::IKD_ERR_ISSUANCE_FAILED => c"issuance_failed",
            S::IKD_ERR_BUNDLE_REFUSED => c"bundle_refused",
        }
    }
}

/// How a verifier guards against a presentation shown twice.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum IkdReplayMode {
    /// No replay check (the default, as in the Rust SDK).
    IKD_REPLAY_OFF = 0,
    /// An in-memory cache of the presentations accepted, for `capacity` of them.
    IKD_REPLAY_LOCAL = 1,
    /// The host's shared replay store is out of reach: presentations are refused with
    /// `replay_check_unavailable`, never accepted unchecked.
    IKD_REPLAY_UNAVAILABLE = 2,
}

/// The numbers a rejection may carry beside its reason code, for callers that do not parse
/// the verdict JSON. A `has_` flag says whether its number is given.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IkdDetails {
    /// Whether the credential was accepted.
    pub valid: bool,
    /// Whether `cose_tag` is given (for `cose_tag_wrong`).
    pub has_cose_tag: bool,
    /// The COSE tag found.
    pub cose_tag: u64,
    /// Whether `doc_type_number` is given (for `doc_type_unknown`).
    pub has_doc_type_number: bool,
    /// The document type number found.
    pub doc_type_number: u64,
    /// Whether `siak_code` is given (for `siak_code_invalid`).
    pub has_siak_code: bool,
    /// The SIAK code found.
    pub siak_code: u64,
}

/// A verifier: trust data, a policy and a replay guard. Opaque; made by
/// [`ikd_verifier_new`] or [`ikd_verifier_new_from_trust_list`], freed by
/// [`ikd_verifier_free`].
pub struct IkdVerifier {
    inner: Verifier,
}

// One handle is verified with from many threads (see the crate's thread safety notes).
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Verifier>();
};

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn set_last_error(message: &str) {
    // A message never holds NUL (facade messages are English text); drop any to be safe.
    let text = CString::new(message.replace('\0', "")).unwrap_or_default();
    LAST_ERROR.with(|cell| *cell.borrow_mut() = Some(text));
}

/// Runs an entry point: a panic becomes `IKD_ERR_INTERNAL`, an error sets this thread's
/// message.
fn entry(f: impl FnOnce() -> Result<(), Failure>) -> IkdStatus {
    let result = ikd_facade::guard(|| Ok(f())).unwrap_or_else(|e| Err(Failure::Facade(e)));
    match result {
        Ok(()) => IkdStatus::IKD_OK,
        Err(failure) => {
            let (status, message) = match failure {
                Failure::Facade(e) => (IkdStatus::of(e.code()), e.message().to_owned()),
                Failure::Null(what) => {
                    (IkdStatus::IKD_ERR_NULL_ARGUMENT, format!("{what} is NULL"))
                }
                Failure::NotUtf8(what) => {
                    (IkdStatus::IKD_ERR_NOT_UTF8, format!("{what} is not UTF-8"))
                }
                Failure::BadEnum(what) => (
                    IkdStatus::IKD_ERR_BAD_ENUM,
                    format!("{what} has no such value"),
                ),
            };
            set_last_error(&message);
            status
        }
    }
}

enum Failure {
    Facade(Error),
    Null(&'static str),
    NotUtf8(&'static str),
    BadEnum(&'static str),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Facade(e)
    }
}

/// A NUL-terminated UTF-8 argument that must be given.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
unsafe fn text<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(what));
    }
    // SAFETY: not NULL, and NUL-terminated and alive by the caller's contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| Failure::NotUtf8(what))
}

/// A NUL-terminated UTF-8 argument that may be NULL.
///
/// # Safety
/// As [`text`].
unsafe fn optional_text<'a>(
    ptr: *const c_char,
    what: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { text(ptr, what) }.map(Some)
    }
}

/// `len` bytes at `ptr` (which may be NULL when `len` is 0).
///
/// # Safety
/// `ptr` points to `len` readable bytes that outlive `'a`, or `len` is 0.
unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &'static str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::Null(what));
    }
    // SAFETY: not NULL, `len` readable bytes by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Hands a string to C: the caller frees it with [`ikd_string_free`].
fn to_c_string(text: String) -> *mut c_char {
    // The verdict JSON escapes control characters, so it holds no NUL.
    CString::new(text).map_or(ptr::null_mut(), CString::into_raw)
}

fn policy_of(json: Option<&str>) -> Result<Policy, Error> {
    json.map_or_else(|| Ok(Policy::default()), Policy::from_json)
}

/// Pinned roots: a trust anchors JSON (`ikd-trust-anchors/1`, starting with `{`) or
/// Ed25519 public keys in hex, separated by commas or white space.
fn roots_of(text: &str) -> Result<Roots, Error> {
    if text.trim_start().starts_with('{') {
        return Roots::from_anchors_json(text);
    }
    let keys: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|k| !k.is_empty())
        .collect();
    Roots::from_hex_keys(&keys)
}

/// Writes a new handle to `out`, after checking `out` is usable.
///
/// # Safety
/// `out` is NULL or points to writable storage for a pointer.
unsafe fn put_verifier(out: *mut *mut IkdVerifier, inner: Verifier) {
    let handle = Box::into_raw(Box::new(IkdVerifier { inner }));
    // SAFETY: the callers checked `out` is not NULL; writable by contract.
    unsafe { out.write(handle) };
}

/// The library's version (`MAJOR.MINOR.PATCH`), a static string never to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn ikd_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// The stable text code of a status (`"trust_store_invalid"`, …), a static string never
/// to be freed; `"unknown"` for a value that is not a status.
#[unsafe(no_mangle)]
pub extern "C" fn ikd_status_name(status: i32) -> *const c_char {
    use IkdStatus as S;
    let all = [
        S::IKD_OK,
        S::IKD_ERR_TRUST_STORE_INVALID,
        S::IKD_ERR_TRUST_LIST_INVALID,
        S::IKD_ERR_ROOTS_INVALID,
        S::IKD_ERR_STATUS_LIST_INVALID,
        S::IKD_ERR_POLICY_INVALID,
        S::IKD_ERR_CHALLENGE_INVALID,
        S::IKD_ERR_TIME_INVALID,
        S::IKD_ERR_REPLAY_CAPACITY_INVALID,
        S::IKD_ERR_PURPOSE_UNKNOWN,
        S::IKD_ERR_DEVICE_KEY_INVALID,
        S::IKD_ERR_CREDENTIAL_INVALID,
        S::IKD_ERR_PRESENTATION_FAILED,
        S::IKD_ERR_FRAME_INVALID,
        S::IKD_ERR_SCAN_FAILED,
        S::IKD_ERR_CLOCK_UNAVAILABLE,
        S::IKD_ERR_RANDOMNESS_UNAVAILABLE,
        S::IKD_ERR_INTERNAL,
        S::IKD_ERR_ISSUER_INVALID,
        S::IKD_ERR_DOCUMENT_INVALID,
        S::IKD_ERR_ISSUANCE_FAILED,
        S::IKD_ERR_BUNDLE_REFUSED,
        S::IKD_ERR_NULL_ARGUMENT,
        S::IKD_ERR_NOT_UTF8,
        S::IKD_ERR_BAD_ENUM,
    ];
    all.into_iter()
        .find(|s| *s as i32 == status)
        .map_or(c"unknown", IkdStatus::name)
        .as_ptr()
}

/// The message of the last call that failed on this thread (English, never holding
/// credential content), or NULL if none has. Valid until the next failing call on this
/// thread; not to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn ikd_last_error_message() -> *const c_char {
    catch_unwind(|| {
        LAST_ERROR.with(|cell| cell.borrow().as_ref().map_or(ptr::null(), |s| s.as_ptr()))
    })
    .unwrap_or(ptr::null())
}

/// Frees a string the library returned (a verdict). NULL is ignored.
///
/// # Safety
/// `text` is NULL or a string this library returned, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_string_free(text: *mut c_char) {
    if text.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: made by `CString::into_raw` in this library, freed once by contract.
        drop(unsafe { CString::from_raw(text) })
    }));
}

/// Reads the host clock into `now` (Unix seconds): a convenience for callers that trust
/// it. The library never reads the clock on its own.
///
/// # Safety
/// `now` is NULL or points to a writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_now(now: *mut i64) -> IkdStatus {
    entry(|| {
        if now.is_null() {
            return Err(Failure::Null("now"));
        }
        let seconds = ikd_facade::time::system_now()?;
        // SAFETY: not NULL, writable by contract.
        unsafe { now.write(seconds) };
        Ok(())
    })
}

/// A verifier from a trust store (JSON, `spec/format.md` §9.1) and a policy JSON
/// (`bindings/README.md`; NULL for the SDK's default policy), written to `*out`. No
/// replay check until [`ikd_verifier_set_replay_mode`].
///
/// # Safety
/// `trust_store_json` and `policy_json` are NULL or NUL-terminated strings; `out` is NULL
/// or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_new(
    trust_store_json: *const c_char,
    policy_json: *const c_char,
    out: *mut *mut IkdVerifier,
) -> IkdStatus {
    entry(|| {
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        // SAFETY: the caller's contract.
        let store = unsafe { text(trust_store_json, "trust_store_json") }?;
        // SAFETY: the caller's contract.
        let policy = unsafe { optional_text(policy_json, "policy_json") }?;
        let trust = TrustData::from_store_json(store)?;
        let verifier = Verifier::new(trust, policy_of(policy)?);
        // SAFETY: `out` checked above.
        unsafe { put_verifier(out, verifier) };
        Ok(())
    })
}

/// A verifier from a signed trust list (COSE_Sign1 bytes, §9.2) verified against pinned
/// roots, and a policy JSON (NULL for the default), written to `*out`. `roots` is a trust
/// anchors JSON (`ikd-trust-anchors/1`, starting with `{`) or Ed25519 public keys in hex,
/// separated by commas or white space.
///
/// # Safety
/// `token` points to `token_len` readable bytes; `roots` and `policy_json` are NULL or
/// NUL-terminated strings; `out` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_new_from_trust_list(
    token: *const u8,
    token_len: usize,
    roots: *const c_char,
    policy_json: *const c_char,
    out: *mut *mut IkdVerifier,
) -> IkdStatus {
    entry(|| {
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        // SAFETY: the caller's contract.
        let token = unsafe { bytes(token, token_len, "token") }?;
        // SAFETY: the caller's contract.
        let roots = unsafe { text(roots, "roots") }?;
        // SAFETY: the caller's contract.
        let policy = unsafe { optional_text(policy_json, "policy_json") }?;
        let trust = TrustData::from_trust_list(token, &roots_of(roots)?)?;
        let verifier = Verifier::new(trust, policy_of(policy)?);
        // SAFETY: `out` checked above.
        unsafe { put_verifier(out, verifier) };
        Ok(())
    })
}

/// A trust bundle checked against pinned roots and installed at `now` over `in_use`.
///
/// # Safety
/// `bundle` points to `bundle_len` readable bytes; `roots` is NULL or a NUL-terminated
/// string; `summary_json` is NULL or points to writable storage for a pointer.
unsafe fn install_bundle(
    bundle: *const u8,
    bundle_len: usize,
    roots: *const c_char,
    now: i64,
    in_use: Option<&TrustData>,
    policy: &Policy,
    summary_json: *mut *mut c_char,
) -> Result<TrustData, Failure> {
    // SAFETY: the caller's contract.
    let bundle = unsafe { bytes(bundle, bundle_len, "bundle") }?;
    // SAFETY: the caller's contract.
    let roots = unsafe { text(roots, "roots") }?;
    let (trust, summary) = TrustData::from_bundle(bundle, &roots_of(roots)?, in_use, now, policy)?;
    if !summary_json.is_null() {
        // SAFETY: not NULL, writable by contract.
        unsafe { summary_json.write(to_c_string(summary.to_json())) };
    }
    Ok(trust)
}

/// A verifier from a trust bundle (`.ikdb`, §9.6: a signed trust list and its status
/// lists in one file) checked against pinned roots (as for
/// [`ikd_verifier_new_from_trust_list`]) and installed at `now` under the import rules,
/// with a policy JSON (NULL for the default), written to `*out`. If `summary_json` is not
/// NULL, it receives what was installed (JSON: `sequence`, `unchanged`, `complete`, each
/// status list's `outcome`), to be freed with [`ikd_string_free`]. A refused bundle is
/// `IKD_ERR_BUNDLE_REFUSED`, the message starting with the `bundle_…` code.
///
/// # Safety
/// `bundle` points to `bundle_len` readable bytes; `roots` and `policy_json` are NULL or
/// NUL-terminated strings; `out` and `summary_json` are NULL or point to writable storage
/// for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_new_from_bundle(
    bundle: *const u8,
    bundle_len: usize,
    roots: *const c_char,
    now: i64,
    policy_json: *const c_char,
    out: *mut *mut IkdVerifier,
    summary_json: *mut *mut c_char,
) -> IkdStatus {
    entry(|| {
        if out.is_null() {
            return Err(Failure::Null("out"));
        }
        if !summary_json.is_null() {
            // SAFETY: not NULL, writable by contract.
            unsafe { summary_json.write(ptr::null_mut()) };
        }
        // SAFETY: the caller's contract.
        let policy = policy_of(unsafe { optional_text(policy_json, "policy_json") }?)?;
        // SAFETY: the caller's contract.
        let trust =
            unsafe { install_bundle(bundle, bundle_len, roots, now, None, &policy, summary_json) }?;
        // SAFETY: `out` checked above.
        unsafe { put_verifier(out, Verifier::new(trust, policy)) };
        Ok(())
    })
}

/// Installs a trust bundle over the verifier's trust data at `now`, under the import
/// rules (an older or stale bundle is refused as a whole, `IKD_ERR_BUNDLE_REFUSED`, and
/// nothing changes; each status list then stands alone). `summary_json` as for
/// [`ikd_verifier_new_from_bundle`].
///
/// # Safety
/// `verifier` is NULL or a live handle no other thread is using; the rest as for
/// [`ikd_verifier_new_from_bundle`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_install_bundle(
    verifier: *mut IkdVerifier,
    bundle: *const u8,
    bundle_len: usize,
    roots: *const c_char,
    now: i64,
    summary_json: *mut *mut c_char,
) -> IkdStatus {
    entry(|| {
        if !summary_json.is_null() {
            // SAFETY: not NULL, writable by contract.
            unsafe { summary_json.write(ptr::null_mut()) };
        }
        // SAFETY: a live handle used by this thread only, by contract.
        let verifier = unsafe { verifier.as_mut() }.ok_or(Failure::Null("verifier"))?;
        let inner = &verifier.inner;
        // SAFETY: the caller's contract.
        let trust = unsafe {
            install_bundle(
                bundle,
                bundle_len,
                roots,
                now,
                Some(inner.trust()),
                inner.policy(),
                summary_json,
            )
        }?;
        verifier.inner.set_trust(trust);
        Ok(())
    })
}

/// Verifies a status list token (COSE_Sign1 bytes, §9.3) against the verifier's keys and
/// holds it under its URI, replacing one with the same URI.
///
/// # Safety
/// `verifier` is NULL or a live handle no other thread is using; `token` points to
/// `token_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_add_status_list(
    verifier: *mut IkdVerifier,
    token: *const u8,
    token_len: usize,
) -> IkdStatus {
    entry(|| {
        // SAFETY: a live handle used by this thread only, by contract.
        let verifier = unsafe { verifier.as_mut() }.ok_or(Failure::Null("verifier"))?;
        // SAFETY: the caller's contract.
        let token = unsafe { bytes(token, token_len, "token") }?;
        let mut trust = verifier.inner.trust().clone();
        trust.add_status_list(token)?;
        verifier.inner.set_trust(trust);
        Ok(())
    })
}

/// Sets how presentations shown twice are caught: `mode` is an [`IkdReplayMode`] value;
/// `capacity` counts only for `IKD_REPLAY_LOCAL` (1 to 1 000 000). Starts an empty cache.
///
/// # Safety
/// `verifier` is NULL or a live handle no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_set_replay_mode(
    verifier: *mut IkdVerifier,
    mode: i32,
    capacity: usize,
) -> IkdStatus {
    entry(|| {
        // SAFETY: a live handle used by this thread only, by contract.
        let verifier = unsafe { verifier.as_mut() }.ok_or(Failure::Null("verifier"))?;
        // An integer, not the enum: a value C passes that the enum lacks must be refused,
        // and would be undefined behaviour as a Rust enum.
        let mode = match mode {
            m if m == IkdReplayMode::IKD_REPLAY_OFF as i32 => ReplayMode::Off,
            m if m == IkdReplayMode::IKD_REPLAY_LOCAL as i32 => ReplayMode::Local { capacity },
            m if m == IkdReplayMode::IKD_REPLAY_UNAVAILABLE as i32 => ReplayMode::Unavailable,
            _ => return Err(Failure::BadEnum("mode")),
        };
        verifier.inner.set_replay_mode(mode)?;
        Ok(())
    })
}

/// Frees a verifier. NULL is ignored.
///
/// # Safety
/// `verifier` is NULL or a handle this library made, not yet freed, that no other thread
/// is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_free(verifier: *mut IkdVerifier) {
    if verifier.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: made by `Box::into_raw` in this library, freed once by contract.
        drop(unsafe { Box::from_raw(verifier) })
    }));
}

/// The arguments every verification takes.
struct Scan<'a> {
    verifier: &'a IkdVerifier,
    qr: &'a str,
    challenge: Option<Challenge>,
}

/// # Safety
/// As [`ikd_verify`].
unsafe fn scan<'a>(
    verifier: *const IkdVerifier,
    qr: *const u8,
    qr_len: usize,
    nonce: *const c_char,
    audience: *const c_char,
) -> Result<Scan<'a>, Failure> {
    // SAFETY: a live handle, by contract.
    let verifier = unsafe { verifier.as_ref() }.ok_or(Failure::Null("verifier"))?;
    // SAFETY: the caller's contract.
    let qr = unsafe { bytes(qr, qr_len, "qr") }?;
    let qr = std::str::from_utf8(qr).map_err(|_| Failure::NotUtf8("qr"))?;
    // SAFETY: the caller's contract.
    let nonce = unsafe { optional_text(nonce, "nonce") }?;
    // SAFETY: the caller's contract.
    let audience = unsafe { optional_text(audience, "audience") }?;
    let challenge = match (nonce, audience) {
        (Some(nonce), audience) => Some(Challenge::new(nonce, audience)?),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(
                Error::new(ErrorCode::ChallengeInvalid, "an audience without a nonce").into(),
            );
        }
    };
    Ok(Scan {
        verifier,
        qr,
        challenge,
    })
}

/// Verifies scanned QR text (`qr_len` bytes of UTF-8 at `qr`, NUL not needed) at `now`
/// (Unix seconds) with the challenge this verifier showed (`nonce` and optionally
/// `audience`; both NULL for none). On `IKD_OK`, `*verdict_json` is the verdict JSON
/// (`spec/schemas/verdict.schema.json`), valid or rejected, to be freed with
/// [`ikd_string_free`]; `details`, if not NULL, receives the verdict's numbers. On an
/// error, `*verdict_json` is NULL.
///
/// # Safety
/// `verifier` is NULL or a live handle; `qr` points to `qr_len` readable bytes; `nonce`
/// and `audience` are NULL or NUL-terminated strings; `verdict_json` is NULL or points to
/// writable storage for a pointer; `details` is NULL or points to a writable
/// `IkdDetails`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verify(
    verifier: *const IkdVerifier,
    qr: *const u8,
    qr_len: usize,
    now: i64,
    nonce: *const c_char,
    audience: *const c_char,
    verdict_json: *mut *mut c_char,
    details: *mut IkdDetails,
) -> IkdStatus {
    entry(|| {
        if verdict_json.is_null() {
            return Err(Failure::Null("verdict_json"));
        }
        // SAFETY: not NULL, writable by contract.
        unsafe { verdict_json.write(ptr::null_mut()) };
        // SAFETY: the caller's contract.
        let scan = unsafe { scan(verifier, qr, qr_len, nonce, audience) }?;
        let outcome = scan
            .verifier
            .inner
            .verify(scan.qr, now, scan.challenge.as_ref());
        // SAFETY: NULL or writable by contract.
        if let Some(details) = unsafe { details.as_mut() } {
            *details = IkdDetails {
                valid: outcome.is_valid(),
                has_cose_tag: outcome.cose_tag().is_some(),
                cose_tag: outcome.cose_tag().unwrap_or(0),
                has_doc_type_number: outcome.doc_type_number().is_some(),
                doc_type_number: outcome.doc_type_number().unwrap_or(0),
                has_siak_code: outcome.siak_code().is_some(),
                siak_code: outcome.siak_code().unwrap_or(0),
            };
        }
        // SAFETY: not NULL, writable by contract.
        unsafe { verdict_json.write(to_c_string(outcome.to_json())) };
        Ok(())
    })
}

/// As [`ikd_verify`], but `*verdict_json` is the verdict as a disclosure purpose (`kyc`,
/// `identity`, `age_check`, `domicile`) may see it
/// (`spec/schemas/disclosed-verdict.schema.json`).
///
/// # Safety
/// As [`ikd_verify`]; `purpose` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verify_disclosed(
    verifier: *const IkdVerifier,
    qr: *const u8,
    qr_len: usize,
    now: i64,
    nonce: *const c_char,
    audience: *const c_char,
    purpose: *const c_char,
    verdict_json: *mut *mut c_char,
) -> IkdStatus {
    entry(|| {
        if verdict_json.is_null() {
            return Err(Failure::Null("verdict_json"));
        }
        // SAFETY: not NULL, writable by contract.
        unsafe { verdict_json.write(ptr::null_mut()) };
        // SAFETY: the caller's contract.
        let purpose = unsafe { text(purpose, "purpose") }?;
        // SAFETY: the caller's contract.
        let scan = unsafe { scan(verifier, qr, qr_len, nonce, audience) }?;
        let outcome = scan
            .verifier
            .inner
            .verify(scan.qr, now, scan.challenge.as_ref());
        let json = outcome.to_disclosed_json(purpose)?;
        // SAFETY: not NULL, writable by contract.
        unsafe { verdict_json.write(to_c_string(json)) };
        Ok(())
    })
}
