//! The IKD SDK for Python: the module `ikd_verify`, a thin PyO3 layer over the binding
//! facade `ikd-facade` (abi3, so one wheel serves CPython 3.9 and later).
//!
//! The facade's rules hold unchanged: the SDK's defaults, time as an argument, a rejected
//! credential as a value (a `Verdict`), misuse as `IkdError` carrying the facade's stable
//! code, no callbacks. Every call runs inside the facade's `guard`, so a panic is an
//! `IkdError` with code `internal`, never an unwinding across the interpreter.

use ikd_facade as facade;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};

create_exception!(
    ikd_verify,
    IkdError,
    PyException,
    "The caller's inputs could not be used. `code` is the facade's stable code \
     (`trust_store_invalid`, `policy_invalid`, ...), `message` says why. A rejected \
     credential is never an IkdError: it is a Verdict."
);

/// The facade's error as `IkdError`, with `code` and `message` attributes.
fn py_error(py: Python<'_>, e: &facade::Error) -> PyErr {
    let err = IkdError::new_err(format!("{}: {}", e.code(), e.message()));
    let value = err.value(py);
    // Setting attributes on a fresh exception object cannot fail in practice; if it did,
    // the exception still carries the code in its text.
    let _ = value.setattr("code", e.code().as_str());
    let _ = value.setattr("message", e.message());
    err
}

/// Runs a facade call inside `guard` and turns its error into `IkdError`.
fn call<T>(py: Python<'_>, f: impl FnOnce() -> Result<T, facade::Error>) -> PyResult<T> {
    facade::guard(f).map_err(|e| py_error(py, &e))
}

/// A JSON document given as `str`, or as a mapping turned into JSON by Python's `json`.
fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if obj.is_instance_of::<PyString>() {
        return obj.extract();
    }
    let json = obj.py().import("json")?;
    json.call_method1("dumps", (obj,))?.extract()
}

fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// `now` as Unix seconds: an `int`, a whole `float`, or `None` for the host clock.
fn now_of(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    match now {
        None => call(py, facade::time::system_now),
        Some(obj) if obj.is_instance_of::<PyBool>() => {
            Err(PyTypeError::new_err("now is Unix seconds, not a bool"))
        }
        Some(obj) if obj.is_instance_of::<PyInt>() => {
            let seconds: i64 = obj.extract().map_err(|_| {
                py_error(
                    py,
                    &facade::Error::new(
                        facade::ErrorCode::TimeInvalid,
                        "the time does not fit in 64 bits",
                    ),
                )
            })?;
            // The same range as a float's: the facade's bound, whichever type is used.
            call(py, || {
                facade::time::unix_seconds(seconds as f64).map(|_| seconds)
            })
        }
        Some(obj) if obj.is_instance_of::<PyFloat>() => {
            let seconds: f64 = obj.extract()?;
            call(py, || facade::time::unix_seconds(seconds))
        }
        Some(_) => Err(PyTypeError::new_err(
            "now is Unix seconds as an int or a float, or None for the host clock",
        )),
    }
}

/// A challenge the verifier showed (spec §17.5): the nonce a presentation must bind, and
/// optionally the verifier's audience.
#[pyclass(module = "ikd_verify", frozen, eq)]
#[derive(Clone, PartialEq)]
struct Challenge {
    inner: facade::Challenge,
}

#[pymethods]
impl Challenge {
    /// A challenge from a code as shown or typed (normalised) and an optional audience.
    #[new]
    #[pyo3(signature = (nonce, audience=None))]
    fn new(py: Python<'_>, nonce: &str, audience: Option<&str>) -> PyResult<Self> {
        call(py, || facade::Challenge::new(nonce, audience)).map(|inner| Challenge { inner })
    }

    /// Reads a challenge's QR text: `IKDC:` + code, optionally `;` + audience.
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        call(py, || facade::Challenge::parse(text)).map(|inner| Challenge { inner })
    }

    /// A fresh random challenge of `length` characters (8: 40 bits).
    #[staticmethod]
    #[pyo3(signature = (length=8, audience=None))]
    fn generate(py: Python<'_>, length: usize, audience: Option<&str>) -> PyResult<Self> {
        call(py, || facade::Challenge::generate(length, audience)).map(|inner| Challenge { inner })
    }

    /// The normalised nonce.
    #[getter]
    fn nonce(&self) -> &str {
        self.inner.nonce()
    }

    /// The audience, or None.
    #[getter]
    fn audience(&self) -> Option<&str> {
        self.inner.audience()
    }

    /// The code for people to read and type, in groups of four.
    #[getter]
    fn display_code(&self) -> String {
        self.inner.display_code()
    }

    /// The QR text a wallet scans.
    #[getter]
    fn qr_text(&self) -> String {
        self.inner.to_qr_text()
    }

    fn __repr__(&self) -> String {
        format!("Challenge({:?})", self.inner.display_code())
    }
}

/// The outcome of one verification: valid, or rejected with a reason code. Never raised.
#[pyclass(module = "ikd_verify", frozen)]
struct Verdict {
    outcome: facade::Outcome,
}

#[pymethods]
impl Verdict {
    /// True when the credential was accepted.
    #[getter]
    fn valid(&self) -> bool {
        self.outcome.is_valid()
    }

    /// The reason code of a rejection (`spec/reason-codes.md`), or None.
    #[getter]
    fn reason_code(&self) -> Option<&'static str> {
        self.outcome.reason_code()
    }

    /// The stage that rejected the credential, or None.
    #[getter]
    fn stage(&self) -> Option<&'static str> {
        self.outcome.stage()
    }

    /// The document field at fault, for the reasons that name one.
    #[getter]
    fn reason_field(&self) -> Option<String> {
        self.outcome.reason_field()
    }

    /// The claim at fault, for `claims_malformed`.
    #[getter]
    fn reason_claim(&self) -> Option<&'static str> {
        self.outcome.reason_claim()
    }

    /// The COSE tag found, for `cose_tag_wrong`.
    #[getter]
    fn cose_tag(&self) -> Option<u64> {
        self.outcome.cose_tag()
    }

    /// The document type number found, for `doc_type_unknown`.
    #[getter]
    fn doc_type_number(&self) -> Option<u64> {
        self.outcome.doc_type_number()
    }

    /// The SIAK code found, for `siak_code_invalid`.
    #[getter]
    fn siak_code(&self) -> Option<u64> {
        self.outcome.siak_code()
    }

    /// The document type of a valid credential (`ktp`, `kk`, ...), or None.
    #[getter]
    fn doc_type(&self) -> Option<&'static str> {
        self.outcome.doc_type()
    }

    /// The issuer id of a valid credential, as the trust data names it.
    #[getter]
    fn issuer_id(&self) -> Option<&str> {
        self.outcome.issuer_id()
    }

    /// The issuer's name of a valid credential.
    #[getter]
    fn issuer_name(&self) -> Option<&str> {
        self.outcome.issuer_name()
    }

    /// The warning codes of a valid credential, in order.
    #[getter]
    fn warnings(&self) -> Vec<&'static str> {
        self.outcome.warning_codes()
    }

    /// The verdict JSON (`spec/schemas/verdict.schema.json`), as the CLI prints it.
    fn to_json(&self) -> String {
        self.outcome.to_json()
    }

    /// The verdict JSON as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.outcome.to_json())
    }

    /// The verdict as a disclosure purpose (`kyc`, `identity`, `age_check`, `domicile`)
    /// may see it, as a dict (`spec/schemas/disclosed-verdict.schema.json`).
    fn disclosed<'py>(&self, py: Python<'py>, purpose: &str) -> PyResult<Bound<'py, PyAny>> {
        let json = call(py, || self.outcome.to_disclosed_json(purpose))?;
        from_json(py, &json)
    }

    fn __repr__(&self) -> String {
        match (self.outcome.doc_type(), self.outcome.reason_code()) {
            (Some(doc_type), _) => format!("Verdict(valid, doc_type={doc_type:?})"),
            (None, Some(code)) => format!("Verdict(rejected, reason_code={code:?})"),
            (None, None) => "Verdict(valid)".to_owned(),
        }
    }
}

/// Trust data, a policy and a replay guard, reused from one scan to the next.
#[pyclass(module = "ikd_verify")]
struct Verifier {
    inner: facade::Verifier,
}

fn roots_of(py: Python<'_>, roots: &Bound<'_, PyAny>) -> PyResult<facade::Roots> {
    if roots.is_instance_of::<PyString>() {
        let text: String = roots.extract()?;
        return call(py, || facade::Roots::from_anchors_json(&text));
    }
    let keys: Vec<String> = roots.extract().map_err(|_| {
        PyTypeError::new_err("roots is a trust anchors JSON str, or a list of hex keys")
    })?;
    call(py, || facade::Roots::from_hex_keys(&keys))
}

/// The policy JSON (str or dict); None: the SDK's default policy.
fn policy_of(py: Python<'_>, policy: Option<&Bound<'_, PyAny>>) -> PyResult<facade::Policy> {
    match policy {
        None => Ok(facade::Policy::default()),
        Some(obj) => {
            let json = json_text(obj)?;
            call(py, || facade::Policy::from_json(&json))
        }
    }
}

/// A trust bundle installed over `in_use`: the new trust data and the summary as a dict.
fn install_bundle<'py>(
    py: Python<'py>,
    bundle: &[u8],
    roots: &Bound<'py, PyAny>,
    now: Option<&Bound<'py, PyAny>>,
    in_use: Option<&facade::TrustData>,
    policy: &facade::Policy,
) -> PyResult<(facade::TrustData, Bound<'py, PyAny>)> {
    let roots = roots_of(py, roots)?;
    let now = now_of(py, now)?;
    let (trust, summary) = call(py, || {
        facade::TrustData::from_bundle(bundle, &roots, in_use, now, policy)
    })?;
    Ok((trust, from_json(py, &summary.to_json())?))
}

#[pymethods]
impl Verifier {
    /// A verifier from a trust store (`trust`: JSON str or dict, spec §9.1) or from a
    /// signed trust list (`trust_list`: bytes, §9.2) checked against `roots` (a trust
    /// anchors JSON str, or a list of hex Ed25519 keys). `status_lists` are status list
    /// tokens (bytes) to check and hold; `policy` is the policy JSON (str or dict; None:
    /// the SDK's default policy). No replay check until `set_replay_mode`.
    #[new]
    #[pyo3(signature = (trust=None, *, trust_list=None, roots=None, status_lists=Vec::new(), policy=None))]
    fn new(
        py: Python<'_>,
        trust: Option<&Bound<'_, PyAny>>,
        trust_list: Option<&[u8]>,
        roots: Option<&Bound<'_, PyAny>>,
        status_lists: Vec<Vec<u8>>,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut data = match (trust, trust_list, roots) {
            (Some(store), None, None) => {
                let json = json_text(store)?;
                call(py, || facade::TrustData::from_store_json(&json))?
            }
            (None, Some(token), Some(roots)) => {
                let roots = roots_of(py, roots)?;
                call(py, || facade::TrustData::from_trust_list(token, &roots))?
            }
            (None, Some(_), None) => {
                return Err(PyTypeError::new_err("a trust_list needs its roots"));
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "give either trust (a trust store) or trust_list with roots",
                ));
            }
        };
        for token in &status_lists {
            call(py, || data.add_status_list(token))?;
        }
        let policy = policy_of(py, policy)?;
        Ok(Verifier {
            inner: facade::Verifier::new(data, policy),
        })
    }

    /// Checks a status list token against the verifier's keys and holds it under its URI.
    /// Returns its summary as a dict.
    fn add_status_list<'py>(
        &mut self,
        py: Python<'py>,
        token: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut trust = self.inner.trust().clone();
        let summary = call(py, || trust.add_status_list(token))?;
        self.inner.set_trust(trust);
        from_json(py, &summary.to_json())
    }

    /// A verifier from a trust bundle (`bundle`: bytes, spec §9.6: a signed trust list and
    /// its status lists in one file) checked against `roots` at `now` (None: the host
    /// clock) under the import rules. Returns `(verifier, summary)`: the summary dict says
    /// which status lists came from the bundle. A refused bundle raises `IkdError` with
    /// code `bundle_refused`, its message starting with the `bundle_…` code.
    #[staticmethod]
    #[pyo3(signature = (bundle, roots, now=None, policy=None))]
    fn from_bundle<'py>(
        py: Python<'py>,
        bundle: &[u8],
        roots: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
        policy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Verifier, Bound<'py, PyAny>)> {
        let policy = policy_of(py, policy)?;
        let (trust, summary) = install_bundle(py, bundle, roots, now, None, &policy)?;
        let verifier = Verifier {
            inner: facade::Verifier::new(trust, policy),
        };
        Ok((verifier, summary))
    }

    /// Installs a trust bundle over the trust data this verifier holds, at `now` (None:
    /// the host clock), under the import rules: an older bundle than the one in use, or a
    /// stale one, is refused as a whole (`IkdError`, code `bundle_refused`); each status
    /// list then stands alone. Returns the summary dict. Verifications already running
    /// finish with the data they started with.
    #[pyo3(signature = (bundle, roots, now=None))]
    fn install_bundle<'py>(
        &mut self,
        py: Python<'py>,
        bundle: &[u8],
        roots: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (trust, summary) = install_bundle(
            py,
            bundle,
            roots,
            now,
            Some(self.inner.trust()),
            self.inner.policy(),
        )?;
        self.inner.set_trust(trust);
        Ok(summary)
    }

    /// How presentations shown twice are caught: `"off"` (the default), `"local"` (an
    /// in-memory cache of `capacity` presentations) or `"unavailable"` (the shared store
    /// is out of reach: presentations are refused, never accepted unchecked).
    #[pyo3(signature = (mode, capacity=10_000))]
    fn set_replay_mode(&mut self, py: Python<'_>, mode: &str, capacity: usize) -> PyResult<()> {
        let mode = match mode {
            "off" => facade::ReplayMode::Off,
            "local" => facade::ReplayMode::Local { capacity },
            "unavailable" => facade::ReplayMode::Unavailable,
            _ => {
                return Err(PyValueError::new_err(
                    "the replay mode is \"off\", \"local\" or \"unavailable\"",
                ));
            }
        };
        call(py, || self.inner.set_replay_mode(mode))
    }

    /// The replay mode in force: `"off"`, `"local"` or `"unavailable"`.
    #[getter]
    fn replay_mode(&self) -> &'static str {
        match self.inner.replay_mode() {
            facade::ReplayMode::Off => "off",
            facade::ReplayMode::Local { .. } => "local",
            facade::ReplayMode::Unavailable => "unavailable",
        }
    }

    /// Verifies scanned QR text at `now` (Unix seconds; None reads the host clock, a
    /// convenience for hosts that trust it) with the challenge this verifier showed, if
    /// any. A rejected credential is a Verdict, never an exception.
    #[pyo3(signature = (qr, now=None, challenge=None))]
    fn verify(
        &self,
        py: Python<'_>,
        qr: &str,
        now: Option<&Bound<'_, PyAny>>,
        challenge: Option<&Challenge>,
    ) -> PyResult<Verdict> {
        let now = now_of(py, now)?;
        let challenge = challenge.map(|c| &c.inner);
        let verifier = &self.inner;
        // Other Python threads run while the signature is checked.
        let outcome = py.detach(|| facade::guard(|| Ok(verifier.verify(qr, now, challenge))));
        outcome
            .map(|outcome| Verdict { outcome })
            .map_err(|e| py_error(py, &e))
    }

    /// What the trust data is and how fresh it is at `now` (None: the host clock), as a
    /// dict: show it before anything is scanned.
    #[pyo3(signature = (now=None))]
    fn trust_summary<'py>(
        &self,
        py: Python<'py>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_of(py, now)?;
        let summary = self.inner.trust().summary(now, self.inner.policy());
        from_json(py, &summary.to_json())
    }
}

/// A holder's device key (for tests and web wallets without a hardware keystore).
#[pyclass(module = "ikd_verify", frozen)]
struct DeviceKey {
    inner: facade::DeviceKey,
}

#[pymethods]
impl DeviceKey {
    /// A fresh key: `"EdDSA"` or `"ES256"`.
    #[staticmethod]
    #[pyo3(signature = (alg="EdDSA"))]
    fn generate(py: Python<'_>, alg: &str) -> PyResult<Self> {
        call(py, || facade::DeviceKey::generate(alg)).map(|inner| DeviceKey { inner })
    }

    /// A key from its 32-byte secret.
    #[staticmethod]
    fn from_secret(py: Python<'_>, alg: &str, secret: &[u8]) -> PyResult<Self> {
        call(py, || facade::DeviceKey::from_secret(alg, secret)).map(|inner| DeviceKey { inner })
    }

    /// The algorithm: `"EdDSA"` or `"ES256"`.
    #[getter]
    fn alg(&self) -> &'static str {
        self.inner.alg()
    }

    /// The raw public key (32 bytes for EdDSA, SEC1 for ES256).
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.public_key())
    }

    /// The 32-byte secret, to store the key.
    #[getter]
    fn secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.secret())
    }

    fn __repr__(&self) -> String {
        format!("DeviceKey({:?})", self.inner.alg())
    }
}

/// The holder's side: a presentation of `credential_qr` signed with `key` at `now` (None:
/// the host clock), valid for `lifetime_seconds`, bound to the verifier's challenge if
/// given. Returns the presentation's QR text.
#[pyfunction]
#[pyo3(signature = (credential_qr, key, now=None, lifetime_seconds=facade::DEFAULT_PRESENTATION_SECONDS, challenge=None))]
fn present(
    py: Python<'_>,
    credential_qr: &str,
    key: &DeviceKey,
    now: Option<&Bound<'_, PyAny>>,
    lifetime_seconds: u32,
    challenge: Option<&Challenge>,
) -> PyResult<String> {
    let now = now_of(py, now)?;
    call(py, || {
        facade::present(
            credential_qr,
            &key.inner,
            now,
            lifetime_seconds,
            challenge.map(|c| &c.inner),
        )
    })
}

/// A test issuer with its key in memory: the same 32-byte `seed` gives the same key (None:
/// a random key). For tests and demonstrations, never for real credentials.
#[pyclass(module = "ikd_verify", frozen)]
struct Issuer {
    inner: facade::Issuer,
}

#[pymethods]
impl Issuer {
    #[new]
    #[pyo3(signature = (seed=None, issuer_id="ID-DUKCAPIL-3273", name="Disdukcapil Kota Bandung"))]
    fn new(py: Python<'_>, seed: Option<&[u8]>, issuer_id: &str, name: &str) -> PyResult<Self> {
        call(py, || match seed {
            Some(seed) => facade::Issuer::from_seed(seed, issuer_id, name),
            None => facade::Issuer::generate(issuer_id, name),
        })
        .map(|inner| Issuer { inner })
    }

    /// The issuer identifier.
    #[getter]
    fn issuer_id(&self) -> &str {
        self.inner.id()
    }

    /// The Ed25519 public key in hex.
    #[getter]
    fn public_key_hex(&self) -> String {
        self.inner.public_key_hex()
    }

    /// A trust store JSON holding this issuer's key, valid from `valid_from` to
    /// `valid_until` (Unix seconds, inclusive) for `doc_types`.
    #[pyo3(signature = (valid_from, valid_until, doc_types=vec!["ktp".to_owned(), "kk".to_owned()]))]
    fn trust_store(
        &self,
        py: Python<'_>,
        valid_from: i64,
        valid_until: i64,
        doc_types: Vec<String>,
    ) -> PyResult<String> {
        let names: Vec<&str> = doc_types.iter().map(String::as_str).collect();
        call(py, || {
            self.inner.trust_store_json(valid_from, valid_until, &names)
        })
    }

    /// Signs a document (JSON str or dict; `sample_document` gives some) issued at `now`
    /// (None: the host clock), valid for `lifetime_seconds`, bound to `holder_key` (a
    /// DeviceKey, or its raw public key) when given. Returns the credential's QR text.
    #[pyo3(signature = (document, now=None, lifetime_seconds=86_400, holder_key=None))]
    fn issue(
        &self,
        py: Python<'_>,
        document: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        lifetime_seconds: i64,
        holder_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let document = json_text(document)?;
        let now = now_of(py, now)?;
        let holder: Option<Vec<u8>> = match holder_key {
            None => None,
            Some(obj) => match obj.cast::<DeviceKey>() {
                Ok(key) => Some(key.get().inner.public_key()),
                Err(_) => Some(obj.extract().map_err(|_| {
                    PyTypeError::new_err("holder_key is a DeviceKey or its public key bytes")
                })?),
            },
        };
        call(py, || {
            self.inner
                .issue(&document, now, lifetime_seconds, holder.as_deref())
        })
    }

    fn __repr__(&self) -> String {
        format!("Issuer({:?})", self.inner.id())
    }
}

/// A sample document shipped with the SDK, as JSON: `"ktp"`, `"kk-4"` or `"kk-8"`.
#[pyfunction]
fn sample_document(name: &str) -> PyResult<&'static str> {
    facade::sample_document_json(name)
        .ok_or_else(|| PyValueError::new_err("the samples are \"ktp\", \"kk-4\" and \"kk-8\""))
}

/// A QR text's layers, UNVERIFIED, as a dict: for debugging only.
#[pyfunction]
fn inspect<'py>(py: Python<'py>, qr: &str) -> PyResult<Bound<'py, PyAny>> {
    from_json(py, &facade::inspect_json(qr))
}

/// For the overhead benchmark (`bench/verify_overhead.py`), not for use: verifies `qr`
/// `count` times natively in Rust, as the SDK does, and returns the nanoseconds taken, so
/// that Python's calls and the native ones can be timed alternately in one process.
#[pyfunction]
#[pyo3(signature = (verifier, qr, now, challenge, count))]
fn _native_verify_ns(
    verifier: &Verifier,
    qr: &str,
    now: i64,
    challenge: Option<&Challenge>,
    count: u32,
) -> u128 {
    let challenge = challenge.map(|c| &c.inner);
    let start = std::time::Instant::now();
    for _ in 0..count {
        std::hint::black_box(
            verifier
                .inner
                .verify(std::hint::black_box(qr), now, challenge),
        );
    }
    start.elapsed().as_nanos()
}

/// Verification of Indonesian digital identity credentials (KTP-el, Kartu Keluarga) from
/// their QR codes, offline: the IKD SDK for Python.
#[pymodule]
fn ikd_verify(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("IkdError", m.py().get_type::<IkdError>())?;
    let codes: Vec<&str> = facade::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", codes)?;
    m.add(
        "DEFAULT_PRESENTATION_SECONDS",
        facade::DEFAULT_PRESENTATION_SECONDS,
    )?;
    m.add_class::<Verifier>()?;
    m.add_class::<Verdict>()?;
    m.add_class::<Challenge>()?;
    m.add_class::<DeviceKey>()?;
    m.add_class::<Issuer>()?;
    m.add_function(wrap_pyfunction!(present, m)?)?;
    m.add_function(wrap_pyfunction!(sample_document, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(_native_verify_ns, m)?)?;
    Ok(())
}
