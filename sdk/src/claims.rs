//! The credential payload: a CWT claims map (RFC 8392) with the document in a private claim.

use crate::cbor::{self, Item};
use crate::document::Document;
use crate::issue::Validity;
use crate::limits::{MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE};
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

/// The claims of a credential whose signature has been checked, borrowing the payload.
#[derive(Debug, Clone)]
pub(crate) struct CredentialClaims<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) issued_at: UnixTime,
    pub(crate) not_before: Option<UnixTime>,
    pub(crate) expires_at: UnixTime,
    pub(crate) credential_id: Option<&'a [u8]>,
    pub(crate) document: Item<'a>,
}

impl<'a> CredentialClaims<'a> {
    /// Decodes strict CBOR claims. Unknown claims are refused.
    ///
    /// The payload is signed, so a CBOR problem inside it is a claims problem: every reason
    /// keeps the one stage the registry gives it, and the decode-stage CBOR codes speak only
    /// of the unsigned envelope.
    pub(crate) fn decode(payload: &'a [u8]) -> Result<Self, Reason> {
        let malformed = Reason::ClaimsMalformed { claim: "payload" };
        let Ok(Item::Map(entries)) = cbor::decode(payload) else {
            return Err(malformed);
        };
        let mut issuer = None;
        let (mut iat, mut nbf, mut exp) = (None, None, None);
        let mut cti = None;
        let mut document = None;
        for (k, v) in entries {
            let k = k
                .as_i64()
                .ok_or(Reason::ClaimsMalformed { claim: "unknown" })?;
            match k {
                key::ISS => issuer = Some(issuer_of(&v)?),
                key::IAT => iat = Some(time_of(&v, "iat")?),
                key::NBF => nbf = Some(time_of(&v, "nbf")?),
                key::EXP => exp = Some(time_of(&v, "exp")?),
                key::CTI => cti = Some(credential_id_of(&v)?),
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

    /// Decodes the document's shape (values are checked later, at the content stage).
    pub(crate) fn document(&self) -> Result<Document, Reason> {
        Document::from_cbor(&self.document)
    }
}

/// Encodes credential claims in ascending key order (iss, exp, nbf, iat, cti, document).
pub(crate) fn encode_credential_claims(
    issuer: &str,
    validity: &Validity,
    credential_id: &[u8],
    document: Value,
) -> Vec<u8> {
    let mut entries = vec![
        (Value::from(key::ISS), Value::from(issuer)),
        (Value::from(key::EXP), Value::from(validity.expires_at.0)),
    ];
    if let Some(nbf) = validity.not_before {
        entries.push((Value::from(key::NBF), Value::from(nbf.0)));
    }
    entries.push((Value::from(key::IAT), Value::from(validity.issued_at.0)));
    entries.push((Value::from(key::CTI), Value::Bytes(credential_id.to_vec())));
    entries.push((Value::from(key::DOCUMENT), document));
    cbor::encode(&Value::Map(entries))
}

fn issuer_of<'a>(value: &Item<'a>) -> Result<&'a str, Reason> {
    value
        .as_text()
        .filter(|text| !text.is_empty() && text.len() <= MAX_ISSUER_ID_LEN)
        .ok_or(Reason::ClaimsMalformed { claim: "iss" })
}

/// A NumericDate: integer seconds from 0 to [`MAX_NUMERIC_DATE`].
fn time_of(value: &Item<'_>, claim: &'static str) -> Result<UnixTime, Reason> {
    value
        .as_i64()
        .filter(|t| (0..=MAX_NUMERIC_DATE).contains(t))
        .map(UnixTime)
        .ok_or(Reason::ClaimsMalformed { claim })
}

fn credential_id_of<'a>(value: &Item<'a>) -> Result<&'a [u8], Reason> {
    value
        .as_bytes()
        .filter(|id| !id.is_empty() && id.len() <= MAX_CREDENTIAL_ID_LEN)
        .ok_or(Reason::ClaimsMalformed { claim: "cti" })
}
