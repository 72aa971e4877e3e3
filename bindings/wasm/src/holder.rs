//! A holder's device key and the presentations it signs, for a web wallet. A build of its
//! own (feature `holder`): a verifier needs none of the signing code (P-256 and Ed25519
//! signing, deflate), which is about a tenth of the module.

use crate::{Challenge, facade, seconds, throw};
use wasm_bindgen::prelude::*;

/// A holder's device key (`EdDSA` or `ES256`), for a web wallet.
#[wasm_bindgen]
pub struct DeviceKey(facade::DeviceKey);

#[wasm_bindgen]
impl DeviceKey {
    /// A fresh key from `crypto.getRandomValues`.
    pub fn generate(alg: &str) -> Result<DeviceKey, JsValue> {
        facade::DeviceKey::generate(alg)
            .map(DeviceKey)
            .map_err(throw)
    }

    /// The key with this 32-byte secret.
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(alg: &str, secret: &[u8]) -> Result<DeviceKey, JsValue> {
        facade::DeviceKey::from_secret(alg, secret)
            .map(DeviceKey)
            .map_err(throw)
    }

    /// `EdDSA` or `ES256`.
    #[wasm_bindgen(getter)]
    pub fn alg(&self) -> String {
        self.0.alg().to_owned()
    }

    /// The 32-byte secret, for the wallet to keep safe.
    pub fn secret(&self) -> Vec<u8> {
        self.0.secret().to_vec()
    }

    /// The raw public key (32 bytes Ed25519, 33 bytes compressed P-256): the `cnf` an
    /// issuer binds.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        self.0.public_key()
    }
}

/// Signs a presentation of the credential (its QR text) with the device key at `now`
/// (Unix seconds), valid for `lifetimeSeconds` (default 90). Returns the presentation's QR
/// text.
#[wasm_bindgen]
pub fn present(
    credential_qr: &str,
    key: &DeviceKey,
    now: f64,
    lifetime_seconds: Option<u32>,
) -> Result<String, JsValue> {
    present_inner(credential_qr, key, now, lifetime_seconds, None)
}

/// The same, binding the challenge the verifier showed.
#[wasm_bindgen(js_name = presentWithChallenge)]
pub fn present_with_challenge(
    credential_qr: &str,
    key: &DeviceKey,
    now: f64,
    lifetime_seconds: Option<u32>,
    challenge: &Challenge,
) -> Result<String, JsValue> {
    present_inner(credential_qr, key, now, lifetime_seconds, Some(challenge))
}

fn present_inner(
    credential_qr: &str,
    key: &DeviceKey,
    now: f64,
    lifetime_seconds: Option<u32>,
    challenge: Option<&Challenge>,
) -> Result<String, JsValue> {
    facade::present(
        credential_qr,
        &key.0,
        seconds(now)?,
        lifetime_seconds.unwrap_or(facade::DEFAULT_PRESENTATION_SECONDS),
        challenge.map(|c| &c.0),
    )
    .map_err(throw)
}
