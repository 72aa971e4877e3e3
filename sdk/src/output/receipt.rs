//! The verification receipt (bukti verifikasi): a record, signed by the verifier's own
//! key, that a credential was verified here, at this time, for this purpose, with this
//! verdict. It replaces the photocopy an office keeps of whom it served, and holds less: the
//! issuer and key id, a keyed hash of the credential id, and only the fields the purpose
//! may see, with the NIK masked (`3273********0003`) unless the purpose is configured to
//! keep it. A purpose that keeps evidence (`kyc`) may embed the holder's presentation,
//! which proves the holder showed it to this verifier at this time.
//!
//! A receipt is a COSE_Sign1 with its own `typ` (65284), Ed25519, shown as QR text
//! `IKDR1:` and Base45. Building and checking one are pure functions: the time, the keys
//! and the verdict are arguments.

use crate::codes::Reason;
use crate::model::time::UnixTime;
use crate::output::disclosure::{Purpose, disclose};
use crate::verification::pipeline::{Rejection, Verified};
use crate::wire::base45;
use crate::wire::cbor::{self, Rules};
use crate::wire::cose::{self, MessageType};
use crate::wire::crypto::{IssuerPublicKey, IssuerSigningKey, KID_LEN, Kid};
use crate::wire::encoding;
use crate::wire::limits::{MAX_CBOR_DEPTH, MAX_NUMERIC_DATE, MAX_QR_TEXT_LEN};
use ciborium::Value;
use core::fmt;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Serialize;
use serde_json::Map;

/// The prefix of a receipt's QR text.
pub const RECEIPT_QR_PREFIX: &str = "IKDR1:";

/// Largest receipt (the COSE_Sign1 message), in bytes.
pub const MAX_RECEIPT_BYTES: usize = 64 * 1024;

/// Longest verifier identifier, in bytes.
pub const MAX_VERIFIER_ID_LEN: usize = 128;

/// Shortest key for the credential id's keyed hash, in bytes.
pub const MIN_HASH_KEY_LEN: usize = 32;

/// Fields a receipt never carries, whatever the purpose: the portrait.
const NEVER_KEPT: &[&str] = &["foto"];

const RULES: Rules = Rules {
    max_items: 64,
    max_depth: MAX_CBOR_DEPTH,
    sorted_keys: true,
};

mod key {
    pub const VERIFIER: i64 = 1;
    pub const AT: i64 = 2;
    pub const PURPOSE: i64 = 3;
    pub const VERDICT: i64 = 4;
    pub const REASON: i64 = 5;
    pub const ISSUER: i64 = 6;
    pub const KID: i64 = 7;
    pub const CREDENTIAL_HASH: i64 = 8;
    pub const FIELDS: i64 = 9;
    pub const PRESENTATION: i64 = 10;
}

macro_rules! receipt_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $en:literal, $id:literal; )*) => {
        /// Why a receipt was refused: stable codes, append-only.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ReceiptCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ReceiptCode {
            /// Every code, in registry order.
            pub const ALL: &'static [ReceiptCode] = &[$( ReceiptCode::$variant, )*];

            /// The stable snake_case code.
            pub const fn code(self) -> &'static str {
                match self { $( ReceiptCode::$variant => $code, )* }
            }

            /// The English text for people.
            pub const fn en(self) -> &'static str {
                match self { $( ReceiptCode::$variant => $en, )* }
            }

            /// The Bahasa Indonesia text for people.
            pub const fn id(self) -> &'static str {
                match self { $( ReceiptCode::$variant => $id, )* }
            }
        }
    };
}

receipt_codes! {
    /// Larger than [`MAX_RECEIPT_BYTES`], or QR text longer than a QR code holds.
    ReceiptTooLarge => "receipt_too_large",
        "The data is too large to be a verification receipt.",
        "Data terlalu besar untuk sebuah bukti verifikasi.";
    /// Not a COSE_Sign1 in strict CBOR, or QR text that is not `IKDR1:` and Base45.
    ReceiptMalformed => "receipt_malformed",
        "This is not a well-formed verification receipt.",
        "Ini bukan bukti verifikasi yang tersusun benar.";
    /// The `typ` is not the receipt's, or the header breaks the profile.
    ReceiptTypMismatch => "receipt_typ_mismatch",
        "This signed message is not a verification receipt.",
        "Pesan bertanda tangan ini bukan bukti verifikasi.";
    /// The `kid` is not that of the verifier key it is checked against.
    ReceiptKeyMismatch => "receipt_key_mismatch",
        "The receipt was signed by another verifier's key.",
        "Bukti ditandatangani dengan kunci verifikator lain.";
    /// The signature does not verify: the receipt was changed or forged.
    ReceiptSignatureInvalid => "receipt_signature_invalid",
        "The receipt's signature is not valid: it was changed or forged.",
        "Tanda tangan bukti tidak sah: bukti telah diubah atau dipalsukan.";
    /// The signed payload breaks the receipt's rules.
    ReceiptPayloadInvalid => "receipt_payload_invalid",
        "The receipt's content breaks the format's rules.",
        "Isi bukti melanggar aturan format.";
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a receipt could not be made or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptError {
    /// A receipt that was read is refused (its code, and what is at fault).
    Refused(ReceiptCode, String),
    /// The settings cannot make a receipt (an empty or long verifier id, a short hash
    /// key).
    Settings(String),
}

impl ReceiptError {
    /// The code of a refused receipt.
    pub fn code(&self) -> Option<ReceiptCode> {
        match self {
            ReceiptError::Refused(code, _) => Some(*code),
            ReceiptError::Settings(_) => None,
        }
    }
}

impl fmt::Display for ReceiptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptError::Refused(code, what) if what.is_empty() => write!(f, "{code}"),
            ReceiptError::Refused(code, what) => write!(f, "{code}: {what}"),
            ReceiptError::Settings(what) => write!(f, "receipt settings: {what}"),
        }
    }
}

impl std::error::Error for ReceiptError {}

fn refused(code: ReceiptCode, what: impl Into<String>) -> ReceiptError {
    ReceiptError::Refused(code, what.into())
}

fn payload(what: &str) -> ReceiptError {
    refused(ReceiptCode::ReceiptPayloadInvalid, what)
}

/// The verifier's side of receipts: its id, signing key, and the key of the credential
/// id's hash (kept secret, so that the hash cannot be matched against guessed ids).
pub struct ReceiptSigner {
    verifier: String,
    key: IssuerSigningKey,
    hash_key: Vec<u8>,
}

impl fmt::Debug for ReceiptSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiptSigner")
            .field("verifier", &self.verifier)
            .field("kid", &self.key.kid())
            .finish_non_exhaustive()
    }
}

impl ReceiptSigner {
    /// A signer for the verifier `verifier` (1 to 128 bytes), signing with `key`, hashing
    /// credential ids with `hash_key` (at least 32 bytes).
    pub fn new(
        verifier: impl Into<String>,
        key: IssuerSigningKey,
        hash_key: Vec<u8>,
    ) -> Result<Self, ReceiptError> {
        let verifier = verifier.into();
        if verifier.is_empty() || verifier.len() > MAX_VERIFIER_ID_LEN {
            return Err(ReceiptError::Settings(format!(
                "the verifier id must be 1 to {MAX_VERIFIER_ID_LEN} bytes"
            )));
        }
        if hash_key.len() < MIN_HASH_KEY_LEN {
            return Err(ReceiptError::Settings(format!(
                "the hash key must be at least {MIN_HASH_KEY_LEN} bytes"
            )));
        }
        Ok(ReceiptSigner {
            verifier,
            key,
            hash_key,
        })
    }

    /// The public key that checks this signer's receipts.
    pub fn public_key(&self) -> IssuerPublicKey {
        self.key.public_key()
    }

    /// The keyed hash (HMAC-SHA256) of a credential id.
    pub fn credential_hash(&self, credential_id: &[u8]) -> [u8; 32] {
        match <Hmac<sha2::Sha256>>::new_from_slice(&self.hash_key) {
            Ok(mut mac) => {
                mac.update(credential_id);
                mac.finalize().into_bytes().into()
            }
            // HMAC takes a key of any length; this arm is never taken.
            Err(_) => [0; 32],
        }
    }

    /// Signs a receipt for `result`, verified at `at` for `purpose`. A valid credential's
    /// receipt names its issuer and key, the keyed hash of its id (when it has one), and
    /// the fields `purpose` may see (never the portrait), the NIK masked unless
    /// `options.reveal_nik`; `options.presentation` (the QR text the holder showed) is
    /// embedded when given, for purposes that keep evidence. A rejected one's names only
    /// the reason code: nothing read from a credential that failed is recorded.
    pub fn sign(
        &self,
        result: &Result<Verified, Rejection>,
        purpose: &Purpose,
        at: UnixTime,
        options: &ReceiptOptions,
    ) -> Result<Vec<u8>, ReceiptError> {
        let receipt = match result {
            Ok(verified) => {
                let fields = disclose(verified, purpose).document.map(|shown| {
                    let mut fields = shown.to_map();
                    for name in NEVER_KEPT {
                        fields.remove(*name);
                    }
                    if !options.reveal_nik {
                        mask_niks(&mut fields);
                    }
                    fields
                });
                Receipt {
                    verifier: self.verifier.clone(),
                    verified_at: at,
                    purpose: purpose.name.to_owned(),
                    verdict: ReceiptVerdict::Valid,
                    reason: None,
                    issuer: Some(verified.issuer().id.clone()),
                    kid: Some(verified.kid()),
                    credential_hash: verified.credential_id().map(|id| self.credential_hash(id)),
                    fields: fields.filter(|f| !f.is_empty()),
                    presentation: options.presentation.clone(),
                }
            }
            Err(rejection) => Receipt {
                verifier: self.verifier.clone(),
                verified_at: at,
                purpose: purpose.name.to_owned(),
                verdict: ReceiptVerdict::Rejected,
                reason: Some(rejection.code().to_owned()),
                issuer: None,
                kid: None,
                credential_hash: None,
                fields: None,
                presentation: None,
            },
        };
        let bytes = cose::sign(
            receipt.to_payload()?,
            MessageType::Receipt,
            Some(self.key.kid()),
            |tbs| self.key.sign(tbs).to_vec(),
        );
        if bytes.len() > MAX_RECEIPT_BYTES {
            return Err(refused(ReceiptCode::ReceiptTooLarge, ""));
        }
        Ok(bytes)
    }
}

/// What a receipt holds beyond the verdict, as the verifier's purpose settings say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptOptions {
    /// Keep the NIK whole (a purpose configured so); otherwise it is masked.
    pub reveal_nik: bool,
    /// The holder's presentation (its QR text), for purposes that keep evidence.
    pub presentation: Option<String>,
}

/// Masks a NIK: its first 4 and last 4 digits kept, the 8 between them starred
/// (`3273015708920003` becomes `3273********0003`). Anything else than 16 ASCII digits is
/// starred whole.
pub fn mask_nik(nik: &str) -> String {
    match (nik.len(), nik.get(..4), nik.get(12..)) {
        (16, Some(head), Some(tail)) if nik.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{head}********{tail}")
        }
        _ => "*".repeat(nik.chars().count().min(16)),
    }
}

fn mask_niks(fields: &mut Map<String, serde_json::Value>) {
    for (name, value) in fields.iter_mut() {
        match value {
            serde_json::Value::String(text) if name == "nik" => *text = mask_nik(text),
            serde_json::Value::Array(members) if name == "anggota" => {
                for member in members {
                    if let serde_json::Value::Object(member) = member {
                        mask_niks(member);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The verdict a receipt records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptVerdict {
    /// The credential was valid.
    Valid,
    /// It was rejected (the receipt names the reason code).
    Rejected,
}

impl ReceiptVerdict {
    const fn as_str(self) -> &'static str {
        match self {
            ReceiptVerdict::Valid => "valid",
            ReceiptVerdict::Rejected => "rejected",
        }
    }
}

/// The content of a receipt (after [`Receipt::verify`], a checked one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The verifier's identifier.
    pub verifier: String,
    /// When the credential was verified.
    #[serde(serialize_with = "rfc3339")]
    pub verified_at: UnixTime,
    /// The purpose it was verified for.
    pub purpose: String,
    /// The verdict.
    pub verdict: ReceiptVerdict,
    /// The reason code of a rejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The issuer of a valid credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The key id of the issuer key that signed it.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "kid_hex")]
    pub kid: Option<Kid>,
    /// HMAC-SHA256 of its credential id (`cti`) under the verifier's hash key.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hash_hex")]
    pub credential_hash: Option<[u8; 32]>,
    /// The fields the purpose may see (JSON form of the document), the NIK masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Map<String, serde_json::Value>>,
    /// The holder's presentation (QR text), kept as evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation: Option<String>,
}

fn rfc3339<S: serde::Serializer>(t: &UnixTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

fn kid_hex<S: serde::Serializer>(kid: &Option<Kid>, s: S) -> Result<S::Ok, S::Error> {
    match kid {
        Some(kid) => s.serialize_str(&kid.to_hex()),
        None => s.serialize_none(),
    }
}

fn hash_hex<S: serde::Serializer>(hash: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match hash {
        Some(hash) => s.serialize_str(&encoding::hex_encode(hash)),
        None => s.serialize_none(),
    }
}

impl Receipt {
    /// The receipt as JSON (for an API answer or a person).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn to_payload(&self) -> Result<Vec<u8>, ReceiptError> {
        let int = Value::from;
        let mut map = vec![
            (int(key::VERIFIER), Value::from(self.verifier.as_str())),
            (int(key::AT), Value::from(self.verified_at.0)),
            (int(key::PURPOSE), Value::from(self.purpose.as_str())),
            (int(key::VERDICT), Value::from(self.verdict.as_str())),
        ];
        if let Some(reason) = &self.reason {
            map.push((int(key::REASON), Value::from(reason.as_str())));
        }
        if let Some(issuer) = &self.issuer {
            map.push((int(key::ISSUER), Value::from(issuer.as_str())));
        }
        if let Some(kid) = &self.kid {
            map.push((int(key::KID), Value::Bytes(kid.0.to_vec())));
        }
        if let Some(hash) = &self.credential_hash {
            map.push((int(key::CREDENTIAL_HASH), Value::Bytes(hash.to_vec())));
        }
        if let Some(fields) = &self.fields {
            // The JSON text of a map with sorted keys: one byte string for one content.
            let text = serde_json::to_string(fields).map_err(|_| payload("fields"))?;
            map.push((int(key::FIELDS), Value::from(text)));
        }
        if let Some(presentation) = &self.presentation {
            map.push((int(key::PRESENTATION), Value::from(presentation.as_str())));
        }
        Ok(cbor::encode(&Value::Map(map)))
    }

    /// Checks a receipt against the verifier's public key `key`: size, strict CBOR, the
    /// COSE envelope with `typ` 65284, EdDSA and the key's `kid`, the strict Ed25519
    /// signature, then the payload's rules. Takes the bytes or the QR text (`IKDR1:`).
    pub fn verify(input: &[u8], key: &IssuerPublicKey) -> Result<Receipt, ReceiptError> {
        let decoded;
        let bytes = if let Some(text) = input.strip_prefix(RECEIPT_QR_PREFIX.as_bytes()) {
            if input.len() > MAX_QR_TEXT_LEN {
                return Err(refused(ReceiptCode::ReceiptTooLarge, ""));
            }
            let text = text.trim_ascii_end();
            decoded = base45::decode(text)
                .map_err(|_| refused(ReceiptCode::ReceiptMalformed, "Base45"))?;
            decoded.as_slice()
        } else {
            input
        };
        if bytes.len() > MAX_RECEIPT_BYTES {
            return Err(refused(ReceiptCode::ReceiptTooLarge, ""));
        }
        let message =
            cose::parse(bytes).map_err(|r| refused(ReceiptCode::ReceiptMalformed, r.code()))?;
        let kid = message.check_header(MessageType::Receipt).map_err(|r| {
            let code = match r {
                Reason::KidMissing | Reason::KidUnknown => ReceiptCode::ReceiptKeyMismatch,
                _ => ReceiptCode::ReceiptTypMismatch,
            };
            refused(code, r.code())
        })?;
        if kid != key.kid() {
            return Err(refused(ReceiptCode::ReceiptKeyMismatch, ""));
        }
        if !key.verify_strict(&message.signed_bytes(), message.signature()) {
            return Err(refused(ReceiptCode::ReceiptSignatureInvalid, ""));
        }
        Self::decode_payload(message.payload())
    }

    fn decode_payload(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        let item = cbor::decode_with(bytes, RULES).map_err(|_| payload("not strict CBOR"))?;
        let map = item.as_map().ok_or_else(|| payload("not a map"))?;
        let mut receipt = Receipt {
            verifier: String::new(),
            verified_at: UnixTime(-1),
            purpose: String::new(),
            verdict: ReceiptVerdict::Rejected,
            reason: None,
            issuer: None,
            kid: None,
            credential_hash: None,
            fields: None,
            presentation: None,
        };
        let mut verdict = None;
        let text = |v: &cbor::Item<'_>, what: &str, max: usize| {
            v.as_text()
                .filter(|t| !t.is_empty() && t.len() <= max)
                .map(str::to_owned)
                .ok_or_else(|| payload(what))
        };
        for (k, v) in map {
            match k.as_i64() {
                Some(key::VERIFIER) => {
                    receipt.verifier = text(v, "verifier", MAX_VERIFIER_ID_LEN)?;
                }
                Some(key::AT) => {
                    receipt.verified_at = v
                        .as_i64()
                        .filter(|t| (0..=MAX_NUMERIC_DATE).contains(t))
                        .map(UnixTime)
                        .ok_or_else(|| payload("verified_at"))?;
                }
                Some(key::PURPOSE) => receipt.purpose = text(v, "purpose", 64)?,
                Some(key::VERDICT) => {
                    verdict = Some(match v.as_text() {
                        Some("valid") => ReceiptVerdict::Valid,
                        Some("rejected") => ReceiptVerdict::Rejected,
                        _ => return Err(payload("verdict")),
                    });
                }
                Some(key::REASON) => receipt.reason = Some(text(v, "reason", 64)?),
                Some(key::ISSUER) => receipt.issuer = Some(text(v, "issuer", 64)?),
                Some(key::KID) => {
                    receipt.kid = Some(
                        v.as_bytes()
                            .and_then(|b| <[u8; KID_LEN]>::try_from(b).ok())
                            .map(Kid)
                            .ok_or_else(|| payload("kid"))?,
                    );
                }
                Some(key::CREDENTIAL_HASH) => {
                    receipt.credential_hash = Some(
                        v.as_bytes()
                            .and_then(|b| <[u8; 32]>::try_from(b).ok())
                            .ok_or_else(|| payload("credential_hash"))?,
                    );
                }
                Some(key::FIELDS) => {
                    let json = text(v, "fields", MAX_RECEIPT_BYTES)?;
                    match serde_json::from_str(&json) {
                        Ok(serde_json::Value::Object(fields)) if !fields.is_empty() => {
                            receipt.fields = Some(fields);
                        }
                        _ => return Err(payload("fields")),
                    }
                }
                Some(key::PRESENTATION) => {
                    receipt.presentation = Some(text(v, "presentation", MAX_QR_TEXT_LEN)?);
                }
                _ => return Err(payload("unknown key")),
            }
        }
        receipt.verdict = verdict.ok_or_else(|| payload("verdict"))?;
        if receipt.verifier.is_empty() {
            return Err(payload("verifier"));
        }
        if receipt.verified_at.0 < 0 {
            return Err(payload("verified_at"));
        }
        if receipt.purpose.is_empty() {
            return Err(payload("purpose"));
        }
        let valid = receipt.verdict == ReceiptVerdict::Valid;
        // A valid verdict names the issuer and no reason; a rejection names a reason and
        // nothing read from the credential.
        let consistent = if valid {
            receipt.reason.is_none() && receipt.issuer.is_some() && receipt.kid.is_some()
        } else {
            receipt.reason.is_some()
                && receipt.issuer.is_none()
                && receipt.kid.is_none()
                && receipt.credential_hash.is_none()
                && receipt.fields.is_none()
                && receipt.presentation.is_none()
        };
        if !consistent {
            return Err(payload("verdict (inconsistent with the other members)"));
        }
        Ok(receipt)
    }
}

/// The QR text of a receipt's bytes: `IKDR1:` and Base45.
pub fn receipt_qr_text(bytes: &[u8]) -> String {
    format!("{RECEIPT_QR_PREFIX}{}", base45::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::issuer::{IssueOptions, Issuer};
    use crate::model::credential::Validity;
    use crate::model::document::{DocTypeSet, Document};
    use crate::output::disclosure::{AGE_CHECK, DOMICILE, IDENTITY, KYC};
    use crate::trust::store::{TrustStore, TrustedKey};
    use crate::verification::pipeline::verify;
    use crate::verification::policy::Policy;

    const NOW: UnixTime = UnixTime(1_790_000_600);

    fn issuer_key() -> IssuerSigningKey {
        IssuerSigningKey::from_seed(&[7; 32])
    }

    fn signer() -> ReceiptSigner {
        ReceiptSigner::new(
            "KECAMATAN-COBLONG-01",
            IssuerSigningKey::from_seed(&[9; 32]),
            vec![0x42; 32],
        )
        .unwrap()
    }

    /// A verified KTP-el (shown bare: this is about receipts, not holder binding), or the
    /// rejection of a tampered one.
    fn result(tampered: bool) -> Result<Verified, Rejection> {
        let issuer = Issuer::new(issuer_key(), "ID-DUKCAPIL-3273").unwrap();
        let document: Document = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        let (credential, _) = issuer
            .issue(
                &document,
                Validity::for_seconds(UnixTime(1_790_000_000), 86_400),
                &IssueOptions::default(),
            )
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add(TrustedKey {
            issuer: "ID-DUKCAPIL-3273".into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer_key().public_key(),
            valid_from: UnixTime(1_700_000_000),
            valid_until: UnixTime(1_900_000_000),
            doc_types: DocTypeSet::all(),
        });
        let mut qr = credential.to_qr_text();
        if tampered {
            // The credential id is random, so the last character may already be `0`.
            let last = qr.pop();
            qr.push(if last == Some('0') { '1' } else { '0' });
        }
        let policy = Policy::default().with_bare_credentials(DocTypeSet::all());
        verify(&qr, &trust, NOW, &policy)
    }

    fn code(input: &[u8], key: &IssuerPublicKey) -> &'static str {
        Receipt::verify(input, key)
            .unwrap_err()
            .code()
            .map_or("", ReceiptCode::code)
    }

    #[test]
    fn round_trip_with_the_nik_masked() {
        let verified = result(false);
        let bytes = signer()
            .sign(&verified, &KYC, NOW, &ReceiptOptions::default())
            .unwrap();
        let receipt = Receipt::verify(&bytes, &signer().public_key()).unwrap();
        assert_eq!(receipt.verifier, "KECAMATAN-COBLONG-01");
        assert_eq!(receipt.verified_at, NOW);
        assert_eq!(receipt.purpose, "kyc");
        assert_eq!(receipt.verdict, ReceiptVerdict::Valid);
        assert_eq!(receipt.issuer.as_deref(), Some("ID-DUKCAPIL-3273"));
        assert_eq!(receipt.kid, Some(issuer_key().kid()));
        let verified = verified.unwrap();
        let cti = verified.credential_id().unwrap();
        assert_eq!(receipt.credential_hash, Some(signer().credential_hash(cti)));
        assert_ne!(
            receipt.credential_hash.map(|h| h.to_vec()),
            Some(cti.to_vec())
        );
        let fields = receipt.fields.clone().unwrap();
        assert_eq!(fields["nik"], "3273********0003");
        assert_eq!(fields["nama"], "SITI NURHALIZA PUTRI");
        assert!(!fields.contains_key("foto"));
        assert!(receipt.presentation.is_none());
        // The QR form reads the same.
        let qr = receipt_qr_text(&bytes);
        assert!(qr.starts_with("IKDR1:") && qr.len() <= MAX_QR_TEXT_LEN);
        assert_eq!(
            Receipt::verify(qr.as_bytes(), &signer().public_key()).unwrap(),
            receipt
        );
        let json = receipt.to_json();
        assert!(json.contains("\"verdict\": \"valid\""), "{json}");
        assert!(!json.contains("3273015708920003"));
    }

    #[test]
    fn the_purpose_decides_the_fields() {
        let verified = result(false);
        let fields = |purpose, options: &ReceiptOptions| {
            let bytes = signer().sign(&verified, purpose, NOW, options).unwrap();
            Receipt::verify(&bytes, &signer().public_key())
                .unwrap()
                .fields
        };
        let plain = ReceiptOptions::default();
        assert_eq!(fields(&AGE_CHECK, &plain), None);
        let domicile = fields(&DOMICILE, &plain).unwrap();
        let mut names: Vec<&str> = domicile.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["alamat", "kode_wilayah", "rt", "rw", "type"]);
        let identity = fields(&IDENTITY, &plain).unwrap();
        assert_eq!(identity["nik"], "3273********0003");
        assert!(!identity.contains_key("alamat"));
        let revealed = ReceiptOptions {
            reveal_nik: true,
            presentation: None,
        };
        assert_eq!(
            fields(&IDENTITY, &revealed).unwrap()["nik"],
            "3273015708920003"
        );
        // Evidence: the presentation, when the purpose keeps it.
        let evidence = ReceiptOptions {
            reveal_nik: false,
            presentation: Some("IKD1:EXAMPLE".into()),
        };
        let bytes = signer().sign(&verified, &KYC, NOW, &evidence).unwrap();
        let receipt = Receipt::verify(&bytes, &signer().public_key()).unwrap();
        assert_eq!(receipt.presentation.as_deref(), Some("IKD1:EXAMPLE"));
    }

    #[test]
    fn a_rejection_records_only_its_reason() {
        let rejected = result(true);
        let bytes = signer()
            .sign(&rejected, &KYC, NOW, &ReceiptOptions::default())
            .unwrap();
        let receipt = Receipt::verify(&bytes, &signer().public_key()).unwrap();
        assert_eq!(receipt.verdict, ReceiptVerdict::Rejected);
        assert_eq!(
            receipt.reason.as_deref(),
            Some(rejected.unwrap_err().code())
        );
        assert!(receipt.issuer.is_none() && receipt.fields.is_none());
    }

    #[test]
    fn tampering_and_the_wrong_key_are_refused_with_codes() {
        let bytes = signer()
            .sign(&result(false), &KYC, NOW, &ReceiptOptions::default())
            .unwrap();
        let key = signer().public_key();
        // A starred digit of the NIK put back: the signature breaks.
        let at = bytes.windows(4).position(|w| w == b"****").unwrap();
        let mut tampered = bytes.clone();
        tampered[at] = b'0';
        assert_eq!(code(&tampered, &key), "receipt_signature_invalid");
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(code(&tampered, &key), "receipt_signature_invalid");
        // Another verifier's key.
        let other = IssuerSigningKey::from_seed(&[10; 32]).public_key();
        assert_eq!(code(&bytes, &other), "receipt_key_mismatch");
        // Not a receipt at all, or too large.
        assert_eq!(code(b"hello", &key), "receipt_malformed");
        assert_eq!(code(b"IKDR1:!!!", &key), "receipt_malformed");
        assert_eq!(
            code(&vec![0; MAX_RECEIPT_BYTES + 1], &key),
            "receipt_too_large"
        );
        // A message of another type signed by the verifier's key.
        let verifier = IssuerSigningKey::from_seed(&[9; 32]);
        let sign = |payload: Vec<u8>, typ| {
            cose::sign(payload, typ, Some(verifier.kid()), |tbs| {
                verifier.sign(tbs).to_vec()
            })
        };
        let receipt = Receipt::decode_payload(cose::parse(&bytes).unwrap().payload()).unwrap();
        let payload = receipt.to_payload().unwrap();
        assert_eq!(
            code(&sign(payload.clone(), MessageType::Credential), &key),
            "receipt_typ_mismatch"
        );
        // Signed, but breaking the payload's rules.
        let mut inconsistent = receipt.clone();
        inconsistent.reason = Some("signature_invalid".into());
        assert_eq!(
            code(
                &sign(inconsistent.to_payload().unwrap(), MessageType::Receipt),
                &key
            ),
            "receipt_payload_invalid"
        );
        let mut value: Value = ciborium::de::from_reader(payload.as_slice()).unwrap();
        if let Value::Map(entries) = &mut value {
            entries.push((Value::from(99), Value::from(0)));
        }
        assert_eq!(
            code(&sign(cbor::encode(&value), MessageType::Receipt), &key),
            "receipt_payload_invalid"
        );
    }

    #[test]
    fn settings_and_masking() {
        let key = || IssuerSigningKey::from_seed(&[9; 32]);
        assert!(ReceiptSigner::new("", key(), vec![0; 32]).is_err());
        assert!(ReceiptSigner::new("x".repeat(129), key(), vec![0; 32]).is_err());
        assert!(ReceiptSigner::new("V", key(), vec![0; 31]).is_err());
        assert_eq!(mask_nik("3273015708920003"), "3273********0003");
        assert_eq!(mask_nik("12345"), "*****");
        assert_eq!(mask_nik("32730157089200ab"), "****************");
        let debug = format!("{:?}", signer());
        assert!(!debug.contains("42, 42"), "{debug}");
        let codes: Vec<&str> = ReceiptCode::ALL.iter().map(|c| c.code()).collect();
        assert!(codes.iter().all(|c| c.starts_with("receipt_")));
    }
}
