//! The credential payload: a CWT claims map (RFC 8392) with the document in a private claim.

use crate::cbor::{self, Item};
use crate::document::Document;
use crate::issue::Validity;
use crate::limits::{
    MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE, MAX_STATUS_URI_LEN,
};
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
    /// `status`: the credential's entry in a status list (draft-ietf-oauth-status-list).
    pub const STATUS: i64 = 65_535;
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
    pub(crate) status: Option<StatusRef<'a>>,
    pub(crate) document: Item<'a>,
}

/// A credential's place in a status list, borrowed from the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatusRef<'a> {
    pub(crate) index: u64,
    pub(crate) uri: &'a str,
}

/// Where a credential's status is published: an index into the status list at `uri`
/// (the `status` claim, draft-ietf-oauth-status-list: `{"status_list": {"idx": index,
/// "uri": uri}}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusReference {
    /// The credential's index in the list.
    pub index: u64,
    /// The status list's URI, 1 to 256 bytes; equal to the `sub` of the list's token.
    pub uri: String,
}

impl StatusReference {
    /// Whether the URI has an allowed length.
    pub fn is_well_formed(&self) -> bool {
        is_status_uri(&self.uri)
    }

    /// Decodes the value of a `status` claim (strict CBOR, exactly
    /// `{"status_list": {"idx": uint, "uri": tstr}}`), as a verifier reads it.
    pub fn decode(cbor_value: &[u8]) -> Result<Self, Reason> {
        let malformed = Reason::ClaimsMalformed { claim: "status" };
        let item = cbor::decode(cbor_value).map_err(|_| malformed)?;
        let reference = status_of(&item)?;
        Ok(StatusReference {
            index: reference.index,
            uri: reference.uri.to_owned(),
        })
    }

    pub(crate) fn to_cbor_value(&self) -> Value {
        Value::Map(vec![(
            Value::from("status_list"),
            Value::Map(vec![
                (Value::from("idx"), Value::from(self.index)),
                (Value::from("uri"), Value::from(self.uri.as_str())),
            ]),
        )])
    }
}

/// Whether `uri` may name a status list: 1 to [`MAX_STATUS_URI_LEN`] bytes, no control
/// characters.
pub(crate) fn is_status_uri(uri: &str) -> bool {
    !uri.is_empty() && uri.len() <= MAX_STATUS_URI_LEN && !uri.chars().any(char::is_control)
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
        let mut status = None;
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
                key::STATUS => status = Some(status_of(&v)?),
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
            status,
            document,
        })
    }

    /// Decodes the document's shape (values are checked later, at the content stage).
    pub(crate) fn document(&self) -> Result<Document, Reason> {
        Document::from_cbor(&self.document)
    }
}

/// Encodes credential claims in ascending key order (iss, exp, nbf, iat, cti, status,
/// document).
pub(crate) fn encode_credential_claims(
    issuer: &str,
    validity: &Validity,
    credential_id: &[u8],
    status: Option<&StatusReference>,
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
    if let Some(status) = status {
        entries.push((Value::from(key::STATUS), status.to_cbor_value()));
    }
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

/// The `status` claim: exactly `{"status_list": {"idx": uint, "uri": tstr}}`.
fn status_of<'a>(value: &Item<'a>) -> Result<StatusRef<'a>, Reason> {
    let malformed = Reason::ClaimsMalformed { claim: "status" };
    let [(key, inner)] = value.as_map().ok_or(malformed.clone())? else {
        return Err(malformed);
    };
    if key.as_text() != Some("status_list") {
        return Err(malformed);
    }
    let [(idx_key, idx), (uri_key, uri)] = inner.as_map().ok_or(malformed.clone())? else {
        return Err(malformed);
    };
    if idx_key.as_text() != Some("idx") || uri_key.as_text() != Some("uri") {
        return Err(malformed);
    }
    let index = idx.as_u64().ok_or(malformed.clone())?;
    let uri = uri
        .as_text()
        .filter(|uri| is_status_uri(uri))
        .ok_or(malformed)?;
    Ok(StatusRef { index, uri })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_status(hex: &str) -> Result<StatusRef<'static>, Reason> {
        let bytes: &'static [u8] = Box::leak(hex::decode(hex).unwrap().into_boxed_slice());
        status_of(&cbor::decode(bytes).unwrap())
    }

    #[test]
    fn status_claim_shape() {
        let reference = StatusReference {
            index: 1993,
            uri: "https://ikd.example/s/1".into(),
        };
        let bytes = cbor::encode(&reference.to_cbor_value());
        let item = cbor::decode(&bytes).unwrap();
        assert_eq!(
            status_of(&item).unwrap(),
            StatusRef {
                index: 1993,
                uri: "https://ikd.example/s/1"
            }
        );
        // {"status_list": {"idx": 0, "uri": "u"}} from the draft's shape.
        assert!(
            decode_status(
                "a16b7374617475735f6c697374a263696478006375726961 75"
                    .replace(' ', "")
                    .as_str()
            )
            .is_ok()
        );
        let bad = Reason::ClaimsMalformed { claim: "status" };
        // idx negative; uri empty; an extra member; another mechanism.
        for hex in [
            "a16b7374617475735f6c697374a26369647820637572696175",
            "a16b7374617475735f6c697374a2636964780063757269 60",
            "a16b7374617475735f6c697374a3617800636964780063757269 6175",
            "a1656f7468657200",
            "a0",
        ] {
            assert_eq!(
                decode_status(&hex.replace(' ', "")),
                Err(bad.clone()),
                "{hex}"
            );
        }
    }
}
