//! The credential payload: a CWT claims map (RFC 8392) with the document in a private claim.

use crate::cbor;
use crate::document::Document;
use crate::limits::{MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN};
use crate::reason::Reason;
use crate::time::UnixTime;
use ciborium::Value;

/// CWT claim keys.
pub(crate) mod key {
    /// `iss`: the issuer identifier.
    pub const ISS: i64 = 1;
    /// `exp`: expiry.
    pub const EXP: i64 = 4;
    /// `nbf`: not before.
    pub const NBF: i64 = 5;
    /// `iat`: issued at.
    pub const IAT: i64 = 6;
    /// `cti`: credential identifier.
    pub const CTI: i64 = 7;
    /// The IKD document (private-use claim key).
    pub const DOCUMENT: i64 = -65_537;
}

/// The claims of a credential whose signature has been checked.
#[derive(Debug, Clone)]
pub(crate) struct CredentialClaims {
    pub(crate) issuer: String,
    pub(crate) issued_at: UnixTime,
    pub(crate) not_before: Option<UnixTime>,
    pub(crate) expires_at: UnixTime,
    pub(crate) credential_id: Option<Vec<u8>>,
    pub(crate) document: Value,
}

impl CredentialClaims {
    /// Decodes strict CBOR claims. Unknown claims are refused.
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, Reason> {
        let value = cbor::decode_strict(payload)?;
        let Value::Map(entries) = value else {
            return Err(Reason::ClaimsMalformed { claim: "payload" });
        };
        let mut issuer = None;
        let (mut iat, mut nbf, mut exp) = (None, None, None);
        let mut cti = None;
        let mut document = None;
        for (k, v) in entries {
            let k = cbor::as_i64(&k).ok_or(Reason::ClaimsMalformed { claim: "unknown" })?;
            match k {
                key::ISS => issuer = Some(issuer_of(v)?),
                key::IAT => iat = Some(time_of(&v, "iat")?),
                key::NBF => nbf = Some(time_of(&v, "nbf")?),
                key::EXP => exp = Some(time_of(&v, "exp")?),
                key::CTI => cti = Some(credential_id_of(v)?),
                key::DOCUMENT => document = Some(v),
                _ => return Err(Reason::ClaimsMalformed { claim: "unknown" }),
            }
        }
        let issuer = issuer.ok_or(Reason::ClaimsMalformed { claim: "iss" })?;
        let expires_at = exp.ok_or(Reason::ExpMissing)?;
        let issued_at = iat.ok_or(Reason::IatMissing)?;
        if expires_at < issued_at || nbf.is_some_and(|nbf| nbf > expires_at) {
            return Err(Reason::ClaimsMalformed { claim: "exp" });
        }
        let document = document.ok_or(Reason::ClaimsMalformed { claim: "document" })?;
        Ok(CredentialClaims {
            issuer,
            issued_at,
            not_before: nbf,
            expires_at,
            credential_id: cti,
            document,
        })
    }

    /// Encodes claims in ascending key order (iss, exp, nbf, iat, cti, document).
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut entries = vec![
            (Value::from(key::ISS), Value::from(self.issuer.as_str())),
            (Value::from(key::EXP), Value::from(self.expires_at.0)),
        ];
        if let Some(nbf) = self.not_before {
            entries.push((Value::from(key::NBF), Value::from(nbf.0)));
        }
        entries.push((Value::from(key::IAT), Value::from(self.issued_at.0)));
        if let Some(cti) = &self.credential_id {
            entries.push((Value::from(key::CTI), Value::Bytes(cti.clone())));
        }
        entries.push((Value::from(key::DOCUMENT), self.document.clone()));
        cbor::encode(&Value::Map(entries))
    }

    /// Decodes the document's shape (values are checked later, at the content stage).
    pub(crate) fn document(&self) -> Result<Document, Reason> {
        Document::from_cbor_value(&self.document)
    }
}

fn issuer_of(value: Value) -> Result<String, Reason> {
    match value {
        Value::Text(text) if !text.is_empty() && text.len() <= MAX_ISSUER_ID_LEN => Ok(text),
        _ => Err(Reason::ClaimsMalformed { claim: "iss" }),
    }
}

/// A NumericDate: integer seconds, 0 to 2^53 − 1 (what JSON consumers can hold exactly).
fn time_of(value: &Value, claim: &'static str) -> Result<UnixTime, Reason> {
    cbor::as_i64(value)
        .filter(|t| (0..(1 << 53)).contains(t))
        .map(UnixTime)
        .ok_or(Reason::ClaimsMalformed { claim })
}

fn credential_id_of(value: Value) -> Result<Vec<u8>, Reason> {
    match value {
        Value::Bytes(id) if !id.is_empty() && id.len() <= MAX_CREDENTIAL_ID_LEN => Ok(id),
        _ => Err(Reason::ClaimsMalformed { claim: "cti" }),
    }
}
