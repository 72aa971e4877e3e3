//! Byte-level building of CBOR, COSE_Sign1 messages and QR text, including the malformed
//! ones the SDK's issuer refuses to produce.
//!
//! Every message is signed over the Sig_structure `["Signature1", protected, h'', payload]`
//! built here from the exact protected and payload bytes, so a message that breaks one rule
//! still passes every check before that rule.

use ciborium::Value;
use ikd_sdk::IssuerSigningKey;
use ikd_sdk::transport::PREFIX;
use ikd_sdk::unstable_wire::base45;

/// The `typ` of a credential (COSE header 16).
pub const TYP_CREDENTIAL: u64 = 0xFF01;
/// The `typ` of a presentation.
pub const TYP_PRESENTATION: u64 = 0xFF02;
/// The `typ` of a trust list.
pub const TYP_TRUST_LIST: u64 = 0xFF03;

/// CWT claim keys.
pub mod claim {
    /// `iss`.
    pub const ISS: i64 = 1;
    /// `exp`.
    pub const EXP: i64 = 4;
    /// `nbf`.
    pub const NBF: i64 = 5;
    /// `iat`.
    pub const IAT: i64 = 6;
    /// `cti`.
    pub const CTI: i64 = 7;
    /// `cnf` (RFC 8747), not allowed in a version 1 credential.
    pub const CNF: i64 = 8;
    /// `status` (draft-ietf-oauth-status-list).
    pub const STATUS: i64 = 65_535;
    /// The document.
    pub const DOCUMENT: i64 = -65_537;
}

/// A CBOR head of major type `major` with argument `n`, in the shortest form.
pub fn head(major: u8, n: u64) -> Vec<u8> {
    let major = major << 5;
    if n < 24 {
        vec![major | n as u8]
    } else if n <= 0xFF {
        vec![major | 24, n as u8]
    } else if n <= 0xFFFF {
        let mut out = vec![major | 25];
        out.extend_from_slice(&(n as u16).to_be_bytes());
        out
    } else if n <= 0xFFFF_FFFF {
        let mut out = vec![major | 26];
        out.extend_from_slice(&(n as u32).to_be_bytes());
        out
    } else {
        let mut out = vec![major | 27];
        out.extend_from_slice(&n.to_be_bytes());
        out
    }
}

/// A byte string: head and content.
pub fn bstr(bytes: &[u8]) -> Vec<u8> {
    let mut out = head(2, bytes.len() as u64);
    out.extend_from_slice(bytes);
    out
}

/// Concatenates byte pieces.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Encodes a value tree (ciborium writes the shortest heads and keeps map order).
pub fn encode(value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// An integer value.
pub fn int(n: i64) -> Value {
    Value::from(n)
}

/// The protected header this format's issuers write: `{1: -8, 4: kid, 16: typ}`.
pub fn protected(kid: &[u8], typ: u64) -> Vec<u8> {
    cat(&[
        &[0xA3, 0x01, 0x27, 0x04],
        &bstr(kid),
        &[0x10],
        &head(0, typ),
    ])
}

/// The Sig_structure `["Signature1", protected, h'', payload]`.
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    sig_structure_with(b"Signature1", protected, b"", payload)
}

/// A Sig_structure with any context and external data (for signatures that must fail).
pub fn sig_structure_with(
    context: &[u8],
    protected: &[u8],
    external: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    cat(&[
        &[0x84],
        &head(3, context.len() as u64),
        context,
        &bstr(protected),
        &bstr(external),
        &bstr(payload),
    ])
}

/// The four parts of a COSE_Sign1, each as raw CBOR or raw content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign1 {
    /// The protected header's serialized map (the content of the bstr).
    pub protected: Vec<u8>,
    /// The unprotected header, as raw CBOR (normally `A0`).
    pub unprotected: Vec<u8>,
    /// The payload (the content of the bstr).
    pub payload: Vec<u8>,
    /// The signature (the content of the bstr).
    pub signature: Vec<u8>,
}

impl Sign1 {
    /// Signs `payload` under `protected` with `key`; the unprotected header is empty.
    pub fn signed(key: &IssuerSigningKey, protected: Vec<u8>, payload: Vec<u8>) -> Self {
        let signature = key.sign(&sig_structure(&protected, &payload)).to_vec();
        Sign1 {
            protected,
            unprotected: vec![0xA0],
            payload,
            signature,
        }
    }

    /// The untagged array `[protected, unprotected, payload, signature]`.
    pub fn untagged(&self) -> Vec<u8> {
        cat(&[
            &[0x84],
            &bstr(&self.protected),
            &self.unprotected,
            &bstr(&self.payload),
            &bstr(&self.signature),
        ])
    }

    /// The message, tagged 18.
    pub fn to_bytes(&self) -> Vec<u8> {
        cat(&[&[0xD2], &self.untagged()])
    }
}

/// QR text carrying `bytes` uncompressed.
pub fn qr_plain(bytes: &[u8]) -> String {
    format!("{PREFIX}{}", base45::encode(bytes))
}

/// QR text carrying `bytes` zlib-compressed at `level` (whether or not that is shorter).
pub fn qr_zlib(bytes: &[u8], level: u8) -> String {
    qr_plain(&zlib(bytes, level))
}

/// A zlib stream of `bytes`.
pub fn zlib(bytes: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, level)
}

/// Claims as an ordered list of entries, for building payloads key by key.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(pub Vec<(Value, Value)>);

impl Claims {
    /// The claims an issuer writes, in its order: iss, exp, nbf, iat, cti, document.
    pub fn standard(
        iss: &str,
        iat: i64,
        nbf: Option<i64>,
        exp: i64,
        cti: Option<&[u8]>,
        document: Value,
    ) -> Self {
        let mut entries = vec![
            (int(claim::ISS), Value::from(iss)),
            (int(claim::EXP), int(exp)),
        ];
        if let Some(nbf) = nbf {
            entries.push((int(claim::NBF), int(nbf)));
        }
        entries.push((int(claim::IAT), int(iat)));
        if let Some(cti) = cti {
            entries.push((int(claim::CTI), Value::Bytes(cti.to_vec())));
        }
        entries.push((int(claim::DOCUMENT), document));
        Claims(entries)
    }

    /// Replaces the value of claim `key`, or appends it.
    pub fn set(mut self, key: i64, value: Value) -> Self {
        insert_sorted(&mut self.0, key, value);
        self
    }

    /// Removes claim `key`.
    pub fn remove(mut self, key: i64) -> Self {
        self.0.retain(|(k, _)| *k != int(key));
        self
    }

    /// Appends an entry with any key.
    pub fn push(mut self, key: Value, value: Value) -> Self {
        self.0.push((key, value));
        self
    }

    /// The payload bytes.
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        encode(&Value::Map(self.0.clone()))
    }
}

/// Sets integer key `key` of map `value`: replaced in place, or inserted where the
/// deterministic key order (bytewise order of the encoded keys) puts it.
pub fn map_set(value: &mut Value, key: i64, new: Value) {
    if let Value::Map(entries) = value {
        insert_sorted(entries, key, new);
    }
}

fn insert_sorted(entries: &mut Vec<(Value, Value)>, key: i64, value: Value) {
    if let Some(entry) = entries.iter_mut().find(|(k, _)| *k == int(key)) {
        entry.1 = value;
        return;
    }
    let encoded = |k: &Value| encode(k).unwrap_or_default();
    let new_key = encoded(&int(key));
    let at = entries
        .iter()
        .position(|(k, _)| encoded(k) > new_key)
        .unwrap_or(entries.len());
    entries.insert(at, (int(key), value));
}

/// Removes integer key `key` from map `value`.
pub fn map_remove(value: &mut Value, key: i64) {
    if let Value::Map(entries) = value {
        entries.retain(|(k, _)| *k != int(key));
    }
}

/// The value at integer key `key` of map `value`, mutably.
pub fn map_get_mut(value: &mut Value, key: i64) -> Option<&mut Value> {
    match value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| *k == int(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_shortest() {
        assert_eq!(head(0, 23), [0x17]);
        assert_eq!(head(0, 24), [0x18, 24]);
        assert_eq!(head(2, 256), [0x59, 1, 0]);
        assert_eq!(head(0, 0xFF01), [0x19, 0xFF, 0x01]);
        assert_eq!(head(0, 1 << 32), [0x1B, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn protected_header_matches_the_sdk_layout() {
        // The layout the SDK's own tests pin: {1: -8, 4: h'0101010101010101', 16: 0xFF01}.
        assert_eq!(
            hex::encode(protected(&[1; 8], TYP_CREDENTIAL)),
            "a30127044801010101010101011019ff01"
        );
    }
}
