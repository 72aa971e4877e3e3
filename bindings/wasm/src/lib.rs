//! The IKD SDK for JavaScript and TypeScript: `ikd-facade` through wasm-bindgen.
//!
//! Each class maps one facade type one to one. Misuse throws an `Error` whose `code` is
//! the facade's stable error code; a rejected credential is an [`Outcome`], never an
//! exception. Times are Unix seconds, always passed in. See `bindings/wasm/README.md`.

use ikd_facade as facade;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A verdict: spec/schemas/verdict.schema.json. */
export interface Verdict {
  verdict: "valid" | "rejected";
  reason?: { code: string; stage: string; field?: string; claim?: string; message_en: string; message_id: string };
  trace: { stage: string; outcome: string }[];
  warnings: { code: string; field: string; message_en: string; message_id: string; severity: string; detail?: string }[];
  doc_type?: string;
  issuer?: { id: string; name: string };
  kid?: string;
  issued_at?: string;
  not_before?: string;
  expires_at?: string;
  document?: Record<string, unknown>;
  display?: unknown[];
  trust_data: { source: "local" | "trust_list"; sequence?: number; issued_at?: string; next_update?: string; age_seconds?: number; status_list?: { issued_at: string; expires_at?: string; age_seconds: number } };
  presentation?: Record<string, unknown>;
}
/** A verdict as a purpose sees it: spec/schemas/disclosed-verdict.schema.json. */
export interface DisclosedVerdict extends Omit<Verdict, "document"> {
  purpose: string;
  age_over_17?: boolean;
  document?: Record<string, unknown>;
}
/** How fresh the trust data is: "fresh", "stale_in_grace" (accepted, warned) or "stale" (refused). */
export type Freshness = "fresh" | "stale_in_grace" | "stale";
/** TrustData.summary(). */
export interface TrustSummary {
  source: "local" | "trust_list";
  keys: number;
  trust_list?: { sequence: number; issued_at: string; next_update: string; age_seconds?: number; freshness: Freshness };
  status_lists: { uri: string; issuer: string; issued_at: string; expires_at?: string; age_seconds?: number; freshness?: Freshness }[];
}
/** What loading a trust bundle did (TrustData.fromBundle, installBundle). */
export interface BundleSummary {
  sequence: number;
  unchanged: boolean;
  complete: boolean;
  /** outcome: "installed", or the bundle_status_list_… code when the list in use (if any) stays. */
  status_lists: { uri: string; outcome: string }[];
}
/** The error every misuse throws: `code` is stable (bindings/README.md). */
export interface IkdError extends Error { code: string }
"#;

#[wasm_bindgen]
extern "C" {
    /// A verdict object (TypeScript `Verdict`).
    #[wasm_bindgen(typescript_type = "Verdict")]
    pub type VerdictJs;
    /// A disclosed verdict object (TypeScript `DisclosedVerdict`).
    #[wasm_bindgen(typescript_type = "DisclosedVerdict")]
    pub type DisclosedVerdictJs;
    /// A trust summary object (TypeScript `TrustSummary`).
    #[wasm_bindgen(typescript_type = "TrustSummary")]
    pub type TrustSummaryJs;
    /// A bundle summary object (TypeScript `BundleSummary`).
    #[wasm_bindgen(typescript_type = "BundleSummary")]
    pub type BundleSummaryJs;
    /// A list of strings.
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StringArray;
}

/// A facade error as a thrown JavaScript `Error` with a `code` property.
fn throw(error: facade::Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    js.set_name("IkdError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().as_str().into());
    js.into()
}

/// A thrown `IkdError` with a code of this package's own: the region tables are a matter
/// of how the package is shipped, so their two codes are not in the facade's registry.
fn throw_code(code: &str, message: &str) -> JsValue {
    let js = js_sys::Error::new(message);
    js.set_name("IkdError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &code.into());
    js.into()
}

/// Installs the region tables of spec §8.8 (the package's `ikd_wilayah.bin`), which the
/// module does not hold. Node's entry point does it at import; in a browser call it once
/// after `init()`. Throws `region_tables_invalid` unless the bytes are exactly the tables
/// this module was built with (their SHA-256 is checked); installing them again is harmless.
#[wasm_bindgen(js_name = loadRegionTables)]
pub fn load_region_tables(packed: &[u8]) -> Result<(), JsValue> {
    facade::region_tables::install(packed)
        .map_err(|e| throw_code("region_tables_invalid", &format!("region tables: {e}")))
}

/// Whether the region tables are installed: verifying without them throws.
#[wasm_bindgen(js_name = hasRegionTables)]
pub fn has_region_tables() -> bool {
    facade::region_tables::available()
}

/// The SHA-256 (hex) of the region tables this module accepts.
#[wasm_bindgen(js_name = regionTablesSha256)]
pub fn region_tables_sha256() -> String {
    facade::region_tables::packed_sha256_hex()
}

/// Refuses to verify without the region tables: the verdict would otherwise warn that
/// every region code is unknown.
fn require_region_tables() -> Result<(), JsValue> {
    if facade::region_tables::available() {
        Ok(())
    } else {
        Err(throw_code(
            "region_tables_missing",
            "the region tables are not loaded: call loadRegionTables with ikd_wilayah.bin first",
        ))
    }
}

/// Parses JSON the facade produced into a JavaScript value.
fn json_value(json: &str) -> JsValue {
    // The facade's JSON is always valid; an empty object stands in if it ever were not.
    js_sys::JSON::parse(json).unwrap_or_else(|_| js_sys::Object::new().into())
}

fn seconds(now: f64) -> Result<i64, JsValue> {
    facade::time::unix_seconds(now).map_err(throw)
}

/// The host's clock in Unix seconds (`Date.now()`, whole seconds): a convenience for
/// callers that trust the device's clock. Every verification still takes the time.
#[wasm_bindgen(js_name = nowSeconds)]
pub fn now_seconds() -> f64 {
    (js_sys::Date::now() / 1000.0).floor()
}

/// The verifier's policy. `new Policy()` is the Rust SDK's default.
#[wasm_bindgen]
#[derive(Default)]
pub struct Policy(facade::Policy);

#[wasm_bindgen]
impl Policy {
    /// The default policy (the Rust SDK's `Policy::default()`).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Policy {
        Policy::default()
    }

    /// Reads the policy JSON form (bindings/README.md); `"{}"` is the default.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(json: &str) -> Result<Policy, JsValue> {
        facade::Policy::from_json(json).map(Policy).map_err(throw)
    }

    /// The policy JSON, every member written out.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// Trust data: issuer keys (a trust store, or a verified signed trust list) and status
/// lists.
#[wasm_bindgen]
pub struct TrustData(facade::TrustData);

#[wasm_bindgen]
impl TrustData {
    /// Reads a trust store in its JSON form (spec §9.1).
    #[wasm_bindgen(js_name = fromStoreJson)]
    pub fn from_store_json(json: &str) -> Result<TrustData, JsValue> {
        facade::TrustData::from_store_json(json)
            .map(TrustData)
            .map_err(throw)
    }

    /// Verifies a signed trust list (its bytes) against the roots of a trust anchors JSON
    /// (`ikd-trust-anchors/1`).
    #[wasm_bindgen(js_name = fromTrustList)]
    pub fn from_trust_list(token: &[u8], anchors_json: &str) -> Result<TrustData, JsValue> {
        let roots = facade::Roots::from_anchors_json(anchors_json).map_err(throw)?;
        facade::TrustData::from_trust_list(token, &roots)
            .map(TrustData)
            .map_err(throw)
    }

    /// Verifies a signed trust list against root keys given as hex.
    #[wasm_bindgen(js_name = fromTrustListWithRootKeys)]
    pub fn from_trust_list_with_root_keys(
        token: &[u8],
        root_keys: Vec<String>,
    ) -> Result<TrustData, JsValue> {
        let roots = facade::Roots::from_hex_keys(&root_keys).map_err(throw)?;
        facade::TrustData::from_trust_list(token, &roots)
            .map(TrustData)
            .map_err(throw)
    }

    /// Verifies a trust bundle (its bytes, spec §9.6) against the roots of a trust anchors
    /// JSON and loads it as the only trust data, at `now` (Unix seconds) under `policy`'s
    /// import rules. A refused bundle throws `bundle_refused`, the message starting with
    /// the bundle's code.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(
        bytes: &[u8],
        anchors_json: &str,
        now: f64,
        policy: &Policy,
    ) -> Result<BundleLoad, JsValue> {
        let roots = facade::Roots::from_anchors_json(anchors_json).map_err(throw)?;
        let (trust, summary) =
            facade::TrustData::from_bundle(bytes, &roots, None, seconds(now)?, &policy.0)
                .map_err(throw)?;
        Ok(BundleLoad { trust, summary })
    }

    /// Like `fromBundle`, in place of this trust data: the import rules judge the bundle
    /// against it (no rollback; status lists the bundle lacks or that are older stay).
    /// This object is unchanged; the result holds the new trust data.
    #[wasm_bindgen(js_name = installBundle)]
    pub fn install_bundle(
        &self,
        bytes: &[u8],
        anchors_json: &str,
        now: f64,
        policy: &Policy,
    ) -> Result<BundleLoad, JsValue> {
        let roots = facade::Roots::from_anchors_json(anchors_json).map_err(throw)?;
        let (trust, summary) =
            facade::TrustData::from_bundle(bytes, &roots, Some(&self.0), seconds(now)?, &policy.0)
                .map_err(throw)?;
        Ok(BundleLoad { trust, summary })
    }

    /// Verifies a status list token (its bytes) against the keys held and holds it under
    /// its URI. Returns the URI.
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(&mut self, token: &[u8]) -> Result<String, JsValue> {
        self.0.add_status_list(token).map(|s| s.uri).map_err(throw)
    }

    /// How many issuer keys are held.
    #[wasm_bindgen(getter, js_name = keyCount)]
    pub fn key_count(&self) -> usize {
        self.0.key_count()
    }

    /// What the trust data is and how fresh at `now` (Unix seconds) under `policy`.
    pub fn summary(&self, now: f64, policy: &Policy) -> Result<TrustSummaryJs, JsValue> {
        let summary = self.0.summary(seconds(now)?, &policy.0);
        Ok(json_value(&summary.to_json()).unchecked_into())
    }
}

/// A loaded trust bundle: the new trust data, and what became of each part.
#[wasm_bindgen]
pub struct BundleLoad {
    trust: facade::TrustData,
    summary: facade::BundleSummary,
}

#[wasm_bindgen]
impl BundleLoad {
    /// The trust data to verify with from now on.
    #[wasm_bindgen(getter)]
    pub fn trust(&self) -> TrustData {
        TrustData(self.trust.clone())
    }

    /// What the bundle installed (TypeScript `BundleSummary`).
    #[wasm_bindgen(getter)]
    pub fn summary(&self) -> BundleSummaryJs {
        json_value(&self.summary.to_json()).unchecked_into()
    }
}

/// A challenge the verifier shows (spec §17.5).
#[wasm_bindgen]
pub struct Challenge(facade::Challenge);

#[wasm_bindgen]
impl Challenge {
    /// A challenge from a code as shown or typed, and an optional audience.
    #[wasm_bindgen(constructor)]
    pub fn new(nonce: &str, audience: Option<String>) -> Result<Challenge, JsValue> {
        facade::Challenge::new(nonce, audience.as_deref())
            .map(Challenge)
            .map_err(throw)
    }

    /// A fresh random challenge of `length` characters (8 is usual), from
    /// `crypto.getRandomValues`.
    pub fn generate(length: usize, audience: Option<String>) -> Result<Challenge, JsValue> {
        facade::Challenge::generate(length, audience.as_deref())
            .map(Challenge)
            .map_err(throw)
    }

    /// Reads a challenge's QR text (`IKDC:` + code, optionally `;` + audience).
    pub fn parse(text: &str) -> Result<Challenge, JsValue> {
        facade::Challenge::parse(text).map(Challenge).map_err(throw)
    }

    /// The normalised nonce.
    #[wasm_bindgen(getter)]
    pub fn nonce(&self) -> String {
        self.0.nonce().to_owned()
    }

    /// The audience, if any.
    #[wasm_bindgen(getter)]
    pub fn audience(&self) -> Option<String> {
        self.0.audience().map(str::to_owned)
    }

    /// The code in groups of four, for people (`7KQ2-M9XD`).
    #[wasm_bindgen(getter, js_name = displayCode)]
    pub fn display_code(&self) -> String {
        self.0.display_code()
    }

    /// The QR text a wallet scans.
    #[wasm_bindgen(getter, js_name = qrText)]
    pub fn qr_text(&self) -> String {
        self.0.to_qr_text()
    }
}

/// A verifier: trust data, a policy and a replay guard.
#[wasm_bindgen]
pub struct Verifier(facade::Verifier);

#[wasm_bindgen]
impl Verifier {
    /// A verifier over copies of `trust` and `policy` (`new Policy()` is the SDK's
    /// default), with no replay check (the SDK's default).
    #[wasm_bindgen(constructor)]
    pub fn new(trust: &TrustData, policy: &Policy) -> Verifier {
        Verifier(facade::Verifier::new(trust.0.clone(), policy.0.clone()))
    }

    /// Keeps the presentations accepted in memory (at most `capacity`), so that one shown
    /// twice is `presentation_replayed`.
    #[wasm_bindgen(js_name = useReplayCache)]
    pub fn use_replay_cache(&mut self, capacity: usize) -> Result<(), JsValue> {
        self.0
            .set_replay_mode(facade::ReplayMode::Local { capacity })
            .map_err(throw)
    }

    /// The shared replay store is out of reach: refuse presentations
    /// (`replay_check_unavailable`) rather than accept them unchecked.
    #[wasm_bindgen(js_name = replayStoreUnavailable)]
    pub fn replay_store_unavailable(&mut self) -> Result<(), JsValue> {
        self.0
            .set_replay_mode(facade::ReplayMode::Unavailable)
            .map_err(throw)
    }

    /// No replay check (the default).
    #[wasm_bindgen(js_name = replayOff)]
    pub fn replay_off(&mut self) -> Result<(), JsValue> {
        self.0
            .set_replay_mode(facade::ReplayMode::Off)
            .map_err(throw)
    }

    /// Replaces the trust data with a copy of `trust` (after an update).
    #[wasm_bindgen(js_name = setTrust)]
    pub fn set_trust(&mut self, trust: &TrustData) {
        self.0.set_trust(trust.0.clone());
    }

    /// Verifies scanned QR text at `now` (Unix seconds, e.g. `nowSeconds()`), when this
    /// verifier showed no challenge.
    pub fn verify(&self, qr_text: &str, now: f64) -> Result<Outcome, JsValue> {
        require_region_tables()?;
        Ok(Outcome(self.0.verify(qr_text, seconds(now)?, None)))
    }

    /// Verifies scanned QR text at `now` (Unix seconds), with the challenge this verifier
    /// showed: the presentation must bind its nonce (and audience).
    #[wasm_bindgen(js_name = verifyWithChallenge)]
    pub fn verify_with_challenge(
        &self,
        qr_text: &str,
        now: f64,
        challenge: &Challenge,
    ) -> Result<Outcome, JsValue> {
        require_region_tables()?;
        Ok(Outcome(self.0.verify(
            qr_text,
            seconds(now)?,
            Some(&challenge.0),
        )))
    }
}

/// A verification's outcome: valid or rejected, never thrown.
#[wasm_bindgen]
pub struct Outcome(facade::Outcome);

#[wasm_bindgen]
impl Outcome {
    /// The verdict object (spec/schemas/verdict.schema.json).
    pub fn verdict(&self) -> VerdictJs {
        json_value(&self.0.to_json()).unchecked_into()
    }

    /// The verdict JSON text, byte for byte the Rust SDK's.
    #[wasm_bindgen(js_name = verdictJson)]
    pub fn verdict_json(&self) -> String {
        self.0.to_json()
    }

    /// The verdict as a purpose (`kyc`, `identity`, `age_check`, `domicile`) may see it.
    pub fn disclosed(&self, purpose: &str) -> Result<DisclosedVerdictJs, JsValue> {
        let json = self.0.to_disclosed_json(purpose).map_err(throw)?;
        Ok(json_value(&json).unchecked_into())
    }

    /// Whether the credential was accepted.
    #[wasm_bindgen(getter)]
    pub fn valid(&self) -> bool {
        self.0.is_valid()
    }

    /// The reason code of a rejection.
    #[wasm_bindgen(getter, js_name = reasonCode)]
    pub fn reason_code(&self) -> Option<String> {
        self.0.reason_code().map(str::to_owned)
    }

    /// The stage that rejected it.
    #[wasm_bindgen(getter)]
    pub fn stage(&self) -> Option<String> {
        self.0.stage().map(str::to_owned)
    }

    /// The document field at fault, for the reasons that name one.
    #[wasm_bindgen(getter, js_name = reasonField)]
    pub fn reason_field(&self) -> Option<String> {
        self.0.reason_field()
    }

    /// The claim at fault, for `claims_malformed`.
    #[wasm_bindgen(getter, js_name = reasonClaim)]
    pub fn reason_claim(&self) -> Option<String> {
        self.0.reason_claim().map(str::to_owned)
    }

    /// The tag found, for `cose_tag_wrong`.
    #[wasm_bindgen(getter, js_name = coseTag)]
    pub fn cose_tag(&self) -> Option<f64> {
        self.0.cose_tag().map(exact)
    }

    /// The document type number found, for `doc_type_unknown`.
    #[wasm_bindgen(getter, js_name = docTypeNumber)]
    pub fn doc_type_number(&self) -> Option<f64> {
        self.0.doc_type_number().map(exact)
    }

    /// The code found, for `siak_code_invalid`.
    #[wasm_bindgen(getter, js_name = siakCode)]
    pub fn siak_code(&self) -> Option<f64> {
        self.0.siak_code().map(exact)
    }

    /// The document type of a valid credential.
    #[wasm_bindgen(getter, js_name = docType)]
    pub fn doc_type(&self) -> Option<String> {
        self.0.doc_type().map(str::to_owned)
    }

    /// The issuer id of a valid credential.
    #[wasm_bindgen(getter, js_name = issuerId)]
    pub fn issuer_id(&self) -> Option<String> {
        self.0.issuer_id().map(str::to_owned)
    }

    /// The issuer's name of a valid credential.
    #[wasm_bindgen(getter, js_name = issuerName)]
    pub fn issuer_name(&self) -> Option<String> {
        self.0.issuer_name().map(str::to_owned)
    }

    /// The warning codes of a valid credential, in order.
    #[wasm_bindgen(getter, js_name = warningCodes)]
    pub fn warning_codes(&self) -> StringArray {
        let array = js_sys::Array::new();
        for code in self.0.warning_codes() {
            array.push(&JsValue::from_str(code));
        }
        array.unchecked_into()
    }
}

/// A number for JavaScript. The details it carries (tags, type numbers, SIAK codes) come
/// from CBOR integers; beyond 2^53 they lose precision, as any JavaScript number does.
#[allow(clippy::cast_precision_loss)]
fn exact(n: u64) -> f64 {
    n as f64
}

/// The holder side (a web wallet's device key and presentations), in the `holder` build.
#[cfg(feature = "holder")]
mod holder;
#[cfg(feature = "holder")]
pub use holder::{DeviceKey, present, present_with_challenge};

/// A QR text's layers, UNVERIFIED: for debugging, never for deciding.
#[wasm_bindgen]
pub fn inspect(qr_text: &str) -> JsValue {
    json_value(&facade::inspect_json(qr_text))
}

/// The texts of the QR codes in an RGBA frame (`ImageData`'s `data`, `width`, `height`),
/// IKD codes first; empty when none is found.
#[cfg(feature = "scan")]
#[wasm_bindgen(js_name = scanRgba)]
pub fn scan_rgba(pixels: &[u8], width: u32, height: u32) -> Result<StringArray, JsValue> {
    let texts = facade::scan::scan_rgba(pixels, width, height).map_err(throw)?;
    let array = js_sys::Array::new();
    for text in texts {
        array.push(&text.into());
    }
    Ok(array.unchecked_into())
}

/// Whether this build presents as a holder (`DeviceKey`, `present`, `presentWithChallenge`).
#[wasm_bindgen(js_name = hasHolder)]
pub fn has_holder() -> bool {
    cfg!(feature = "holder")
}

/// Whether this build reads QR codes from pixels (`scanRgba`).
#[wasm_bindgen(js_name = hasScanning)]
pub fn has_scanning() -> bool {
    cfg!(feature = "scan")
}
