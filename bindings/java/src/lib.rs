//! The JNI library behind the Java package `id.ikd.verify` (JVM and Android).
//!
//! Every entry point is a static native method of `id.ikd.verify.Native` and calls
//! `ikd-facade` only, so the Java API has the facade's defaults and checks. The rules at
//! this boundary:
//!
//! - **No panic crosses JNI.** Each entry point runs inside `EnvUnowned::with_env` (which
//!   catches unwinding) and each facade call inside [`ikd_facade::guard`]; a panic becomes
//!   an `IkdException` with the code `internal`.
//! - **Misuse is an exception** (`IkdException` carrying the facade's stable code); **a
//!   rejected credential is a value** (the verdict, filled into the caller's array).
//! - **Native objects are handles**: a `Box` turned into a `long`, freed exactly once by
//!   the Java side (`close()` or its `Cleaner`), which also guarantees that no call uses a
//!   handle while, or after, it is freed.

use ikd_facade::{
    Challenge, DeviceKey, Error, ErrorCode, Outcome, Policy, ReplayMode, Roots, TrustData,
    Verifier, guard,
};
use jni::errors::ErrorPolicy;
use jni::objects::{JByteArray, JClass, JObjectArray, JString, JValue};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use std::borrow::Cow;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Why a native call did not return normally.
#[derive(Debug)]
enum Failure {
    /// The caller's inputs could not be used: an `IkdException` with this code.
    Misuse(Error),
    /// A handle of 0: the Java side never passes one, so this is a bug in the binding.
    NullHandle,
    /// A JNI call failed (most often: a Java exception is already pending).
    Jni(jni::errors::Error),
}

impl From<jni::errors::Error> for Failure {
    fn from(e: jni::errors::Error) -> Self {
        Failure::Jni(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Misuse(e)
    }
}

type Result<T> = std::result::Result<T, Failure>;

/// Throws `id.ikd.verify.IkdException(code, message)`.
fn throw_ikd(env: &mut Env<'_>, code: &str, message: &str) -> jni::errors::Result<()> {
    let code = env.new_string(code)?;
    let message = env.new_string(message)?;
    let exception = env.new_object(
        jni_str!("id/ikd/verify/IkdException"),
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
        &[JValue::Object(&code), JValue::Object(&message)],
    )?;
    let exception = env.cast_local::<jni::objects::JThrowable>(exception)?;
    match env.throw(exception) {
        // `throw` reports the exception it made pending as an error; that is the success.
        Ok(()) | Err(jni::errors::Error::JavaException) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Turns a [`Failure`] or a panic into a Java exception and a default return value.
struct ThrowIkd;

impl<T: Default> ErrorPolicy<T, Failure> for ThrowIkd {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        failure: Failure,
    ) -> jni::errors::Result<T> {
        if env.exception_check() {
            // A Java exception is already on its way (an out-of-memory error, say).
            return Ok(T::default());
        }
        match failure {
            Failure::Misuse(e) => throw_ikd(env, e.code().as_str(), e.message())?,
            Failure::NullHandle => throw_ikd(
                env,
                ErrorCode::Internal.as_str(),
                "a native call got a closed handle; this is a bug, please report it",
            )?,
            Failure::Jni(e) => throw_ikd(
                env,
                ErrorCode::Internal.as_str(),
                &format!("a JNI call failed: {e}"),
            )?,
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        _payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        if !env.exception_check() {
            throw_ikd(
                env,
                ErrorCode::Internal.as_str(),
                "the native library panicked; this is a bug, please report it",
            )?;
        }
        Ok(T::default())
    }
}

/// Runs one entry point: JNI access, panics caught, failures thrown as exceptions.
fn entry<'local, T: Default>(
    mut unowned: EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> Result<T>,
) -> T {
    unowned.with_env(f).resolve::<ThrowIkd>()
}

// ---- handles ----

/// Moves a value to the heap and gives Java its address.
fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// Borrows the value behind a handle.
///
/// # Safety
///
/// `handle` is 0 or came from [`into_handle`] with this `T` and has not been freed; the
/// Java side holds its handle's read lock for the whole call, so no free runs meanwhile.
unsafe fn borrow<'a, T>(handle: jlong) -> Result<&'a T> {
    // SAFETY: the caller's contract: a live `Box<T>` or null.
    unsafe { (handle as *const T).as_ref() }.ok_or(Failure::NullHandle)
}

/// Frees the value behind a handle.
///
/// # Safety
///
/// As for [`borrow`]; the Java side calls this once per handle, under its write lock.
unsafe fn free<T>(handle: jlong) {
    if handle != 0 {
        // SAFETY: the caller's contract: a live `Box<T>`, freed this once.
        drop(unsafe { Box::from_raw(handle as *mut T) });
    }
}

/// A verifier shared by Java threads: verifications read it together, changes write it.
struct SharedVerifier(RwLock<Verifier>);

impl SharedVerifier {
    fn read(&self) -> RwLockReadGuard<'_, Verifier> {
        // No facade call panics while holding the lock, and a verifier stays consistent
        // even if one did (the facade's `guard` says why), so a poisoned lock is usable.
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Verifier> {
        self.0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

// ---- conversions ----

fn string(env: &Env<'_>, value: &JString<'_>) -> Result<String> {
    Ok(value.try_to_string(env)?)
}

fn optional_string(env: &Env<'_>, value: &JString<'_>) -> Result<Option<String>> {
    if value.is_null() {
        Ok(None)
    } else {
        string(env, value).map(Some)
    }
}

fn new_string<'local>(env: &mut Env<'local>, value: &str) -> Result<JString<'local>> {
    Ok(env.new_string(value)?)
}

fn string_array<'local>(
    env: &mut Env<'local>,
    values: &[Option<&str>],
) -> Result<JObjectArray<'local, JString<'local>>> {
    let array = JObjectArray::<JString>::new(env, values.len(), JString::null())?;
    for (index, value) in values.iter().enumerate() {
        if let Some(value) = value {
            let value = env.new_string(value)?;
            array.set_element(env, index, &value)?;
        }
    }
    Ok(array)
}

fn challenge(
    env: &Env<'_>,
    nonce: &JString<'_>,
    audience: &JString<'_>,
) -> Result<Option<Challenge>> {
    match optional_string(env, nonce)? {
        None => Ok(None),
        Some(nonce) => {
            let audience = optional_string(env, audience)?;
            Ok(Some(guard(|| Challenge::new(&nonce, audience.as_deref()))?))
        }
    }
}

fn policy(env: &Env<'_>, json: &JString<'_>) -> Result<Policy> {
    let json = string(env, json)?;
    Ok(guard(|| Policy::from_json(&json))?)
}

// ---- trust data and roots ----

/// `long trustFromStoreJson(String json)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustFromStoreJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    json: JString<'local>,
) -> jlong {
    entry(env, |env| {
        let json = string(env, &json)?;
        Ok(into_handle(guard(|| TrustData::from_store_json(&json))?))
    })
}

/// `long trustFromTrustList(byte[] token, long roots)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustFromTrustList<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    token: JByteArray<'local>,
    roots: jlong,
) -> jlong {
    entry(env, |env| {
        let token = env.convert_byte_array(&token)?;
        // SAFETY: a live Roots handle, read-locked by the Java side.
        let roots = unsafe { borrow::<Roots>(roots) }?;
        Ok(into_handle(guard(|| {
            TrustData::from_trust_list(&token, roots)
        })?))
    })
}

/// `long trustFromBundle(byte[] bundle, long roots, long inUse, long now, String policyJson,
/// String[] summaryOut)`: the trust data with the bundle installed over `inUse` (0: none);
/// `summaryOut[0]` receives the summary JSON.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_id_ikd_verify_Native_trustFromBundle<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    bundle: JByteArray<'local>,
    roots: jlong,
    in_use: jlong,
    now: jlong,
    policy_json: JString<'local>,
    summary_out: JObjectArray<'local, JString<'local>>,
) -> jlong {
    entry(env, |env| {
        let bundle = env.convert_byte_array(&bundle)?;
        let policy = policy(env, &policy_json)?;
        // SAFETY: a live Roots handle, read-locked by the Java side.
        let roots = unsafe { borrow::<Roots>(roots) }?;
        // SAFETY: 0, or a live TrustData handle read-locked by the Java side.
        let in_use = unsafe { (in_use as *const TrustData).as_ref() };
        let (trust, summary) =
            guard(|| TrustData::from_bundle(&bundle, roots, in_use, now, &policy))?;
        let summary = new_string(env, &summary.to_json())?;
        summary_out.set_element(env, 0, &summary)?;
        Ok(into_handle(trust))
    })
}

/// `String trustAddStatusList(long trust, byte[] token)`: the status list's summary JSON.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustAddStatusList<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    trust: jlong,
    token: JByteArray<'local>,
) -> JString<'local> {
    entry(env, |env| {
        let token = env.convert_byte_array(&token)?;
        // SAFETY: a live TrustData handle, write-locked by the Java side (it is changed).
        let trust = unsafe { (trust as *mut TrustData).as_mut() }.ok_or(Failure::NullHandle)?;
        let summary = guard(|| trust.add_status_list(&token))?;
        new_string(env, &summary.to_json())
    })
}

/// `int trustKeyCount(long trust)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustKeyCount<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    trust: jlong,
) -> jint {
    entry(env, |_env| {
        // SAFETY: a live TrustData handle, read-locked by the Java side.
        let trust = unsafe { borrow::<TrustData>(trust) }?;
        Ok(jint::try_from(trust.key_count()).unwrap_or(jint::MAX))
    })
}

/// `String trustSummaryJson(long trust, long now, String policyJson)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustSummaryJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    trust: jlong,
    now: jlong,
    policy_json: JString<'local>,
) -> JString<'local> {
    entry(env, |env| {
        let policy = policy(env, &policy_json)?;
        // SAFETY: a live TrustData handle, read-locked by the Java side.
        let trust = unsafe { borrow::<TrustData>(trust) }?;
        let summary = guard(|| Ok(trust.summary(now, &policy).to_json()))?;
        new_string(env, &summary)
    })
}

/// `void trustFree(long trust)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_trustFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    trust: jlong,
) {
    entry(env, |_env| {
        // SAFETY: the Java side frees each handle once, under its write lock.
        unsafe { free::<TrustData>(trust) };
        Ok(())
    })
}

/// `long rootsFromAnchorsJson(String json)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_rootsFromAnchorsJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    json: JString<'local>,
) -> jlong {
    entry(env, |env| {
        let json = string(env, &json)?;
        Ok(into_handle(guard(|| Roots::from_anchors_json(&json))?))
    })
}

/// `long rootsFromHexKeys(String[] keys)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_rootsFromHexKeys<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    keys: JObjectArray<'local, JString<'local>>,
) -> jlong {
    entry(env, |env| {
        let len = keys.len(env)?;
        let mut hex = Vec::with_capacity(len);
        for index in 0..len {
            let key = keys.get_element(env, index)?;
            hex.push(string(env, &key)?);
        }
        Ok(into_handle(guard(|| Roots::from_hex_keys(&hex))?))
    })
}

/// `int rootsCount(long roots)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_rootsCount<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    roots: jlong,
) -> jint {
    entry(env, |_env| {
        // SAFETY: a live Roots handle, read-locked by the Java side.
        let roots = unsafe { borrow::<Roots>(roots) }?;
        Ok(jint::try_from(roots.len()).unwrap_or(jint::MAX))
    })
}

/// `void rootsFree(long roots)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_rootsFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    roots: jlong,
) {
    entry(env, |_env| {
        // SAFETY: the Java side frees each handle once, under its write lock.
        unsafe { free::<Roots>(roots) };
        Ok(())
    })
}

// ---- policy, challenge, time, inspection ----

/// `void policyCheck(String json)`: throws `policy_invalid` for a policy the facade refuses.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_policyCheck<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    json: JString<'local>,
) {
    entry(env, |env| policy(env, &json).map(drop))
}

fn challenge_fields<'local>(
    env: &mut Env<'local>,
    challenge: &Challenge,
) -> Result<JObjectArray<'local, JString<'local>>> {
    let display = challenge.display_code();
    let qr = challenge.to_qr_text();
    string_array(
        env,
        &[
            Some(challenge.nonce()),
            challenge.audience(),
            Some(&display),
            Some(&qr),
        ],
    )
}

/// `String[] challengeNew(String nonce, String audience)`: nonce, audience, display code,
/// QR text.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_challengeNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    nonce: JString<'local>,
    audience: JString<'local>,
) -> JObjectArray<'local, JString<'local>> {
    entry(env, |env| {
        let nonce = string(env, &nonce)?;
        let audience = optional_string(env, &audience)?;
        let challenge = guard(|| Challenge::new(&nonce, audience.as_deref()))?;
        challenge_fields(env, &challenge)
    })
}

/// `String[] challengeParse(String text)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_challengeParse<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    text: JString<'local>,
) -> JObjectArray<'local, JString<'local>> {
    entry(env, |env| {
        let text = string(env, &text)?;
        let challenge = guard(|| Challenge::parse(&text))?;
        challenge_fields(env, &challenge)
    })
}

/// `String[] challengeGenerate(int length, String audience)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_challengeGenerate<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    length: jint,
    audience: JString<'local>,
) -> JObjectArray<'local, JString<'local>> {
    entry(env, |env| {
        let audience = optional_string(env, &audience)?;
        // A negative length is as unusable as a too long one: the facade refuses 0.
        let length = usize::try_from(length).unwrap_or(0);
        let challenge = guard(|| Challenge::generate(length, audience.as_deref()))?;
        challenge_fields(env, &challenge)
    })
}

/// `long systemNow()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_systemNow<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    entry(env, |_env| Ok(guard(ikd_facade::time::system_now)?))
}

/// `String inspectJson(String qr)`: the QR text's layers, unverified.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_inspectJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    qr: JString<'local>,
) -> JString<'local> {
    entry(env, |env| {
        let qr = string(env, &qr)?;
        let json = guard(|| Ok(ikd_facade::inspect_json(&qr)))?;
        new_string(env, &json)
    })
}

/// `String[] purposes()`: the disclosure purposes' names.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_purposes<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObjectArray<'local, JString<'local>> {
    entry(env, |env| {
        let names: Vec<Option<&str>> = ikd_facade::disclosure_purposes()
            .into_iter()
            .map(Some)
            .collect();
        string_array(env, &names)
    })
}

// ---- the verifier ----

/// `long verifierNew(long trust, String policyJson)`: the trust data is copied, so the
/// Java `TrustData` stays the caller's to close.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    trust: jlong,
    policy_json: JString<'local>,
) -> jlong {
    entry(env, |env| {
        let policy = policy(env, &policy_json)?;
        // SAFETY: a live TrustData handle, read-locked by the Java side.
        let trust = unsafe { borrow::<TrustData>(trust) }?.clone();
        Ok(into_handle(SharedVerifier(RwLock::new(Verifier::new(
            trust, policy,
        )))))
    })
}

/// `void verifierSetTrust(long verifier, long trust)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierSetTrust<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    trust: jlong,
) {
    entry(env, |_env| {
        // SAFETY: live handles, read-locked by the Java side; the verifier's own lock
        // orders this change against verifications on other threads.
        let trust = unsafe { borrow::<TrustData>(trust) }?.clone();
        let verifier = unsafe { borrow::<SharedVerifier>(verifier) }?;
        verifier.write().set_trust(trust);
        Ok(())
    })
}

/// `void verifierSetPolicy(long verifier, String policyJson)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierSetPolicy<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    policy_json: JString<'local>,
) {
    entry(env, |env| {
        let policy = policy(env, &policy_json)?;
        // SAFETY: a live verifier handle, read-locked by the Java side.
        let verifier = unsafe { borrow::<SharedVerifier>(verifier) }?;
        verifier.write().set_policy(policy);
        Ok(())
    })
}

/// `void verifierSetReplayMode(long verifier, int mode, int capacity)`: mode 0 off, 1 a
/// local cache of `capacity`, 2 unavailable.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierSetReplayMode<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    mode: jint,
    capacity: jint,
) {
    entry(env, |_env| {
        let mode = match mode {
            0 => ReplayMode::Off,
            1 => ReplayMode::Local {
                // A negative capacity is refused as 0 is.
                capacity: usize::try_from(capacity).unwrap_or(0),
            },
            _ => ReplayMode::Unavailable,
        };
        // SAFETY: a live verifier handle, read-locked by the Java side.
        let verifier = unsafe { borrow::<SharedVerifier>(verifier) }?;
        guard(|| verifier.write().set_replay_mode(mode))?;
        Ok(())
    })
}

/// The slots of the verdict `verifierVerify` returns, in order (`Verdict.java` reads them).
mod slot {
    pub const JSON: usize = 0;
    pub const REASON_CODE: usize = 1;
    pub const STAGE: usize = 2;
    pub const FIELD: usize = 3;
    pub const CLAIM: usize = 4;
    pub const COSE_TAG: usize = 5;
    pub const DOC_TYPE_NUMBER: usize = 6;
    pub const SIAK_CODE: usize = 7;
    pub const DOC_TYPE: usize = 8;
    pub const ISSUER_ID: usize = 9;
    pub const ISSUER_NAME: usize = 10;
    pub const WARNINGS: usize = 11;
    pub const DISCLOSED_JSON: usize = 12;
    pub const COUNT: usize = 13;
}

/// The length written for an absent slot.
const ABSENT: u32 = u32::MAX;

/// An outcome as one byte array: a byte 1 (valid) or 0, then each of [`slot::COUNT`] slots
/// as a big-endian `u32` length and that many bytes of UTF-8, or [`ABSENT`]. One array
/// crosses JNI per verification, copied once; Java decodes the strings when asked (the
/// JSON, the largest, with Java's own UTF-8 decoder).
fn encode_verdict<'a>(
    outcome: &'a Outcome,
    disclosed: Option<&'a str>,
) -> std::result::Result<Vec<u8>, Error> {
    let number = |n: Option<u64>| n.map(|n| n.to_string());
    let mut slots: [Option<Cow<'a, str>>; slot::COUNT] = Default::default();
    let mut put = |index: usize, value: Option<Cow<'a, str>>| {
        if let Some(place) = slots.get_mut(index) {
            *place = value;
        }
    };
    put(slot::JSON, Some(outcome.to_json().into()));
    put(slot::DISCLOSED_JSON, disclosed.map(Into::into));
    if outcome.is_valid() {
        put(slot::DOC_TYPE, outcome.doc_type().map(Into::into));
        put(slot::ISSUER_ID, outcome.issuer_id().map(Into::into));
        put(slot::ISSUER_NAME, outcome.issuer_name().map(Into::into));
        // Warning codes are snake_case, so a comma separates them unambiguously.
        put(
            slot::WARNINGS,
            Some(outcome.warning_codes().join(",").into()),
        );
    } else {
        put(slot::REASON_CODE, outcome.reason_code().map(Into::into));
        put(slot::STAGE, outcome.stage().map(Into::into));
        put(slot::FIELD, outcome.reason_field().map(Into::into));
        put(slot::CLAIM, outcome.reason_claim().map(Into::into));
        put(slot::COSE_TAG, number(outcome.cose_tag()).map(Into::into));
        put(
            slot::DOC_TYPE_NUMBER,
            number(outcome.doc_type_number()).map(Into::into),
        );
        put(slot::SIAK_CODE, number(outcome.siak_code()).map(Into::into));
    }
    let size: usize = slots
        .iter()
        .map(|s| 4 + s.as_ref().map_or(0, |s| s.len()))
        .sum();
    let mut out = Vec::with_capacity(1 + size);
    out.push(u8::from(outcome.is_valid()));
    for value in &slots {
        match value {
            Some(value) => {
                // Never so long from a QR text of a few kilobytes; refused rather than cut.
                let len = u32::try_from(value.len())
                    .ok()
                    .filter(|len| *len != ABSENT)
                    .ok_or_else(|| Error::new(ErrorCode::Internal, "a verdict too large"))?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(value.as_bytes());
            }
            None => out.extend_from_slice(&ABSENT.to_be_bytes()),
        }
    }
    Ok(out)
}

/// `byte[] verifierVerify(long verifier, byte[] qrUtf8, long now, String nonce, String
/// audience, String purpose)`: verifies and returns the verdict as `encode_verdict`
/// writes it. A null nonce: no challenge was shown. A null purpose: no disclosed verdict;
/// an unknown one is refused before verifying, so nothing reaches the replay cache. The
/// QR text comes as UTF-8 bytes (Java's encoder is faster than JNI's modified UTF-8).
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierVerify<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    qr_utf8: JByteArray<'local>,
    now: jlong,
    nonce: JString<'local>,
    audience: JString<'local>,
    purpose: JString<'local>,
) -> JByteArray<'local> {
    entry(env, |env| {
        let qr_bytes = env.convert_byte_array(&qr_utf8)?;
        // Java's encoder writes valid UTF-8 (an unpaired surrogate becomes `?`); anything
        // else is a text no credential is, and the SDK rejects it as such.
        let qr = String::from_utf8(qr_bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let challenge = challenge(env, &nonce, &audience)?;
        let purpose = optional_string(env, &purpose)?;
        if let Some(purpose) = &purpose
            && !ikd_facade::disclosure_purposes().contains(&purpose.as_str())
        {
            return Err(Failure::Misuse(Error::new(
                ErrorCode::PurposeUnknown,
                format!(
                    "no purpose {purpose:?}; the purposes are {}",
                    ikd_facade::disclosure_purposes().join(", ")
                ),
            )));
        }
        // SAFETY: a live verifier handle, read-locked by the Java side.
        let verifier = unsafe { borrow::<SharedVerifier>(verifier) }?;
        let encoded = guard(|| {
            let outcome = verifier.read().verify(&qr, now, challenge.as_ref());
            let disclosed = purpose
                .as_deref()
                .map(|purpose| outcome.to_disclosed_json(purpose))
                .transpose()?;
            encode_verdict(&outcome, disclosed.as_deref())
        })?;
        Ok(env.byte_array_from_slice(&encoded)?)
    })
}

/// `void verifierFree(long verifier)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_verifierFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
) {
    entry(env, |_env| {
        // SAFETY: the Java side frees each handle once, under its write lock.
        unsafe { free::<SharedVerifier>(verifier) };
        Ok(())
    })
}

// ---- the holder side ----

fn device_key(env: &Env<'_>, alg: &JString<'_>, secret: &JByteArray<'_>) -> Result<DeviceKey> {
    let alg = string(env, alg)?;
    let secret = env.convert_byte_array(secret)?;
    Ok(guard(|| DeviceKey::from_secret(&alg, &secret))?)
}

/// `byte[] deviceKeyGenerate(String alg)`: a fresh key's 32-byte secret.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_deviceKeyGenerate<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    alg: JString<'local>,
) -> JByteArray<'local> {
    entry(env, |env| {
        let alg = string(env, &alg)?;
        let key = guard(|| DeviceKey::generate(&alg))?;
        Ok(env.byte_array_from_slice(&key.secret())?)
    })
}

/// `String deviceKeyAlg(String alg, byte[] secret)`: the algorithm's canonical name
/// (`EdDSA` or `ES256`); throws `device_key_invalid` for an unusable key.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_deviceKeyAlg<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    alg: JString<'local>,
    secret: JByteArray<'local>,
) -> JString<'local> {
    entry(env, |env| {
        let key = device_key(env, &alg, &secret)?;
        new_string(env, key.alg())
    })
}

/// `byte[] deviceKeyPublic(String alg, byte[] secret)`: the raw public key.
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_deviceKeyPublic<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    alg: JString<'local>,
    secret: JByteArray<'local>,
) -> JByteArray<'local> {
    entry(env, |env| {
        let key = device_key(env, &alg, &secret)?;
        Ok(env.byte_array_from_slice(&key.public_key())?)
    })
}

/// `int defaultPresentationSeconds()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Native_defaultPresentationSeconds<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    entry(env, |_env| {
        Ok(jint::try_from(ikd_facade::DEFAULT_PRESENTATION_SECONDS).unwrap_or(jint::MAX))
    })
}

/// `String present(String credentialQr, String alg, byte[] secret, long now, int
/// lifetimeSeconds, String nonce, String audience)`: the presentation's QR text.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_id_ikd_verify_Native_present<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    credential_qr: JString<'local>,
    alg: JString<'local>,
    secret: JByteArray<'local>,
    now: jlong,
    lifetime_seconds: jint,
    nonce: JString<'local>,
    audience: JString<'local>,
) -> JString<'local> {
    entry(env, |env| {
        let credential_qr = string(env, &credential_qr)?;
        let key = device_key(env, &alg, &secret)?;
        let challenge = challenge(env, &nonce, &audience)?;
        let lifetime = u32::try_from(lifetime_seconds).map_err(|_| {
            Error::new(
                ErrorCode::PresentationFailed,
                "a presentation's lifetime is not negative",
            )
        })?;
        let qr =
            guard(|| ikd_facade::present(&credential_qr, &key, now, lifetime, challenge.as_ref()))?;
        new_string(env, &qr)
    })
}

// ---- benchmark baseline ----

/// `long Bench.nativeVerify(long verifier, String qr, long now, int iterations)`: the nanoseconds
/// `iterations` verifications take natively (verify and verdict JSON, as a Java `verify`
/// does minus JNI): the baseline of `bench.sh`. Only in builds with the `bench` feature.
#[cfg(feature = "bench")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_id_ikd_verify_Bench_nativeVerify<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    qr: JString<'local>,
    now: jlong,
    iterations: jint,
) -> jlong {
    entry(env, |env| {
        let qr = string(env, &qr)?;
        // The same work as a Java `verify` minus JNI: the verification and its verdict
        // JSON (which Java asks for in its loop too).
        // SAFETY: a live verifier handle, read-locked by the Java side.
        let verifier = unsafe { borrow::<SharedVerifier>(verifier) }?;
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            let outcome = verifier.read().verify(&qr, now, None);
            std::hint::black_box(outcome.to_json());
        }
        Ok(i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// Reads the encoding back, as `Verdict.java` does.
    fn decode(bytes: &[u8]) -> (bool, Vec<Option<String>>) {
        let mut at = 1;
        let mut slots = Vec::new();
        for _ in 0..slot::COUNT {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
            at += 4;
            if len == ABSENT {
                slots.push(None);
            } else {
                let end = at + len as usize;
                slots.push(Some(String::from_utf8(bytes[at..end].to_vec()).unwrap()));
                at = end;
            }
        }
        assert_eq!(at, bytes.len());
        (bytes[0] == 1, slots)
    }

    #[test]
    fn a_rejection_encodes_its_json_and_details() {
        let trust =
            TrustData::from_store_json(r#"{"format": "ikd-trust-store/1", "keys": []}"#).unwrap();
        let outcome =
            Verifier::new(trust, Policy::default()).verify("https://example.com", 0, None);
        let kyc = outcome.to_disclosed_json("kyc").unwrap();
        let (valid, slots) = decode(&encode_verdict(&outcome, Some(&kyc)).unwrap());
        assert!(!valid);
        assert_eq!(
            slots[slot::JSON].as_deref(),
            Some(outcome.to_json().as_str())
        );
        assert_eq!(slots[slot::DISCLOSED_JSON].as_deref(), Some(kyc.as_str()));
        assert_eq!(
            slots[slot::REASON_CODE].as_deref(),
            Some("not_ikd_credential")
        );
        assert_eq!(slots[slot::STAGE].as_deref(), Some("decode"));
        for absent in [slot::FIELD, slot::COSE_TAG, slot::DOC_TYPE, slot::WARNINGS] {
            assert_eq!(slots[absent], None);
        }
    }
}
