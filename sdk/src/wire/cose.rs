//! COSE_Sign1 (RFC 9052) under this format's header rules.
//!
//! A message is tagged 18, exactly. `alg`, `kid` and `typ` live in the protected header,
//! which holds nothing else; the unprotected header is empty. The original protected bytes
//! are kept, so the signed structure is rebuilt from what was received, never re-encoded.

use crate::codes::Reason;
use crate::wire::cbor::{self, Item};
use crate::wire::crypto::{HolderAlg, Kid};
use coset::{CborSerializable as _, CoseSign1Builder, HeaderBuilder, iana};

/// COSE header parameter `typ` (RFC 9596).
const TYP_LABEL: i64 = 16;
/// The first byte of CBOR tag 18.
const TAG_18: u8 = 0xD2;

/// What a signed message is. A signature made for one type is never accepted as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageType {
    /// An issuer-signed credential.
    Credential,
    /// A holder-signed presentation of a credential.
    Presentation,
    /// A root-signed trust list.
    TrustList,
    /// An issuer-signed Token Status List (draft-ietf-oauth-status-list), whose `typ` is
    /// the draft's media type.
    StatusList,
    /// A verification receipt, signed by a verifier's own key.
    Receipt,
}

/// The value of a `typ` header: a CoAP content format number or a media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typ {
    /// A CoAP content format from the experimental range, encoded in 3 bytes.
    Number(u64),
    /// A media type, as a text string.
    Text(&'static str),
}

impl core::fmt::Display for Typ {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Typ::Number(n) => write!(f, "{n}"),
            Typ::Text(t) => f.write_str(t),
        }
    }
}

/// The media type of a status list token (draft-ietf-oauth-status-list, CWT form).
pub const STATUS_LIST_MEDIA_TYPE: &str = "application/statuslist+cwt";

impl MessageType {
    /// The `typ` value.
    pub const fn typ(self) -> Typ {
        match self {
            MessageType::Credential => Typ::Number(0xFF01),
            MessageType::Presentation => Typ::Number(0xFF02),
            MessageType::TrustList => Typ::Number(0xFF03),
            MessageType::StatusList => Typ::Text(STATUS_LIST_MEDIA_TYPE),
            MessageType::Receipt => Typ::Number(0xFF04),
        }
    }

    fn matches(self, value: Option<&Item<'_>>) -> bool {
        match (self.typ(), value) {
            (Typ::Number(n), Some(value)) => value.as_u64() == Some(n),
            (Typ::Text(t), Some(value)) => value.as_text() == Some(t),
            (_, None) => false,
        }
    }
}

/// Header parameter labels this format uses.
const ALG_LABEL: i64 = 1;
const KID_LABEL: i64 = 4;
/// COSE algorithm EdDSA.
const EDDSA: i64 = -8;

/// A structurally valid COSE_Sign1 whose header and signature have not been checked yet.
#[derive(Debug)]
pub struct UncheckedSign1<'a> {
    protected_bytes: &'a [u8],
    protected: Vec<(Item<'a>, Item<'a>)>,
    unprotected: Vec<(Item<'a>, Item<'a>)>,
    payload: &'a [u8],
    signature: &'a [u8],
}

/// Parses a tagged COSE_Sign1 from strict CBOR. Nothing about it is trusted yet.
pub fn parse(bytes: &[u8]) -> Result<UncheckedSign1<'_>, Reason> {
    let inner = match cbor::decode(bytes)? {
        Item::Tag(18, inner) => inner,
        Item::Tag(tag, _) => return Err(Reason::CoseTagWrong { tag }),
        _ => return Err(Reason::CoseTagMissing),
    };
    let Item::Array(parts) = *inner else {
        return Err(Reason::CoseMalformed);
    };
    let [
        Item::Bytes(protected_bytes),
        Item::Map(unprotected),
        Item::Bytes(payload),
        Item::Bytes(signature),
    ] = <[Item<'_>; 4]>::try_from(parts).map_err(|_| Reason::CoseMalformed)?
    else {
        return Err(Reason::CoseMalformed);
    };
    let mut message = from_parts(protected_bytes, payload, signature)?;
    if !well_typed(&unprotected) {
        return Err(Reason::CoseMalformed);
    }
    message.unprotected = unprotected;
    Ok(message)
}

/// Reads a COSE_Sign1 given as its parts, as a presentation carries its credential: the
/// tag and the (empty) unprotected header are implied.
pub fn from_parts<'a>(
    protected_bytes: &'a [u8],
    payload: &'a [u8],
    signature: &'a [u8],
) -> Result<UncheckedSign1<'a>, Reason> {
    // An empty bstr stands for an empty protected header (RFC 9052 §3).
    let protected = if protected_bytes.is_empty() {
        Vec::new()
    } else {
        match cbor::decode(protected_bytes)? {
            Item::Map(entries) => entries,
            _ => return Err(Reason::CoseMalformed),
        }
    };
    if !well_typed(&protected) {
        return Err(Reason::CoseMalformed);
    }
    Ok(UncheckedSign1 {
        protected_bytes,
        protected,
        unprotected: Vec::new(),
        payload,
        signature,
    })
}

/// Whether `alg` and `kid`, where present, have the types COSE gives them.
fn well_typed(entries: &[(Item<'_>, Item<'_>)]) -> bool {
    entries.iter().all(|(label, value)| match label.as_i64() {
        Some(ALG_LABEL) => matches!(value, Item::Unsigned(_) | Item::Negative(_) | Item::Text(_)),
        Some(KID_LABEL) => matches!(value, Item::Bytes(_)),
        _ => true,
    })
}

fn find<'h, 'a>(header: &'h [(Item<'a>, Item<'a>)], label: i64) -> Option<&'h Item<'a>> {
    header
        .iter()
        .find(|(l, _)| l.as_i64() == Some(label))
        .map(|(_, v)| v)
}

impl<'a> UncheckedSign1<'a> {
    /// Applies the header rules in order and returns the `kid`.
    pub fn check_header(&self, expected: MessageType) -> Result<Kid, Reason> {
        match find(&self.protected, ALG_LABEL).map(Item::as_i64) {
            None if find(&self.unprotected, ALG_LABEL).is_some() => {
                return Err(Reason::AlgUnprotected);
            }
            None => return Err(Reason::AlgMissing),
            Some(Some(EDDSA)) => {}
            Some(_) => return Err(Reason::AlgUnsupported),
        }
        if !self.unprotected.is_empty() {
            return Err(Reason::UnprotectedHeaderNotEmpty);
        }
        let only_known = self
            .protected
            .iter()
            .all(|(label, _)| matches!(label.as_i64(), Some(ALG_LABEL | KID_LABEL | TYP_LABEL)));
        if !only_known {
            return Err(Reason::ProtectedHeaderUnexpected);
        }
        if !expected.matches(find(&self.protected, TYP_LABEL)) {
            return Err(Reason::TypMismatch);
        }
        let kid = self.kid_bytes().ok_or(Reason::KidMissing)?;
        let kid =
            <[u8; crate::wire::crypto::KID_LEN]>::try_from(kid).map_err(|_| Reason::KidUnknown)?;
        Ok(Kid(kid))
    }

    /// Applies the header rules of a presentation and returns the device key's algorithm:
    /// `alg` EdDSA or ES256 and `typ` in the protected header, nothing else; the key is
    /// the credential's `cnf`, so there is no `kid`.
    pub fn check_presentation_header(&self) -> Result<HolderAlg, Reason> {
        let alg = match find(&self.protected, ALG_LABEL).map(Item::as_i64) {
            None if find(&self.unprotected, ALG_LABEL).is_some() => {
                return Err(Reason::AlgUnprotected);
            }
            None => return Err(Reason::AlgMissing),
            Some(alg) => alg
                .and_then(HolderAlg::from_cose_alg)
                .ok_or(Reason::AlgUnsupported)?,
        };
        if !self.unprotected.is_empty() {
            return Err(Reason::UnprotectedHeaderNotEmpty);
        }
        let only_known = self
            .protected
            .iter()
            .all(|(label, _)| matches!(label.as_i64(), Some(ALG_LABEL | TYP_LABEL)));
        if !only_known {
            return Err(Reason::ProtectedHeaderUnexpected);
        }
        if !MessageType::Presentation.matches(find(&self.protected, TYP_LABEL)) {
            return Err(Reason::TypMismatch);
        }
        Ok(alg)
    }

    /// Whether the protected `typ` says this is a presentation. Decides only how to read
    /// the message; the header rules are applied later, in order.
    pub fn claims_to_be_presentation(&self) -> bool {
        MessageType::Presentation.matches(find(&self.protected, TYP_LABEL))
    }

    /// The raw `kid` of the protected header, whatever its length, if present and non-empty.
    pub fn kid_bytes(&self) -> Option<&[u8]> {
        find(&self.protected, KID_LABEL)
            .and_then(Item::as_bytes)
            .filter(|kid| !kid.is_empty())
    }

    /// The bytes the signature covers: the Sig_structure
    /// `["Signature1", protected, h'', payload]`, built from the bytes as received.
    pub fn signed_bytes(&self) -> Vec<u8> {
        const CONTEXT: &[u8] = b"Signature1";
        let mut out = Vec::with_capacity(self.protected_bytes.len() + self.payload.len() + 24);
        out.push(0x84);
        push_bstr(&mut out, 3, CONTEXT);
        push_bstr(&mut out, 2, self.protected_bytes);
        push_bstr(&mut out, 2, &[]);
        push_bstr(&mut out, 2, self.payload);
        out
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        self.signature
    }

    /// The protected header as received.
    pub fn protected_bytes(&self) -> &'a [u8] {
        self.protected_bytes
    }

    /// The payload.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// Appends a CBOR head of major type `major` with length `len`, then `bytes`.
fn push_bstr(out: &mut Vec<u8>, major: u8, bytes: &[u8]) {
    let len = bytes.len() as u64;
    let major = major << 5;
    match len {
        0..=23 => out.push(major | len as u8),
        24..=0xFF => out.extend_from_slice(&[major | 24, len as u8]),
        0x100..=0xFFFF => {
            out.push(major | 25);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(major | 26);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
}

/// Builds and signs a tagged COSE_Sign1 with this format's headers (EdDSA).
pub(crate) fn sign(
    payload: Vec<u8>,
    message_type: MessageType,
    kid: Option<Kid>,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    sign_with(payload, message_type, iana::Algorithm::EdDSA, kid, signer)
}

/// Builds and signs a presentation: `alg` and `typ` only in the protected header.
pub(crate) fn sign_presentation(
    payload: Vec<u8>,
    alg: HolderAlg,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let alg = match alg {
        HolderAlg::EdDsa => iana::Algorithm::EdDSA,
        HolderAlg::Es256 => iana::Algorithm::ES256,
    };
    sign_with(payload, MessageType::Presentation, alg, None, signer)
}

fn sign_with(
    payload: Vec<u8>,
    message_type: MessageType,
    alg: iana::Algorithm,
    kid: Option<Kid>,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let typ = match message_type.typ() {
        Typ::Number(n) => ciborium::Value::from(n),
        Typ::Text(t) => ciborium::Value::from(t),
    };
    let mut header = HeaderBuilder::new().algorithm(alg).value(TYP_LABEL, typ);
    if let Some(kid) = kid {
        header = header.key_id(kid.0.to_vec());
    }
    let sign1 = CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload)
        .create_signature(b"", signer)
        .build();
    let mut out = vec![TAG_18];
    // Serializing a structure coset just built into a Vec cannot fail.
    out.extend(sign1.to_vec().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(kid: Option<Kid>) -> Vec<u8> {
        sign(vec![0xA0], MessageType::Credential, kid, |_| vec![0; 64])
    }

    #[test]
    fn header_layout_is_alg_kid_typ() {
        let bytes = signed(Some(Kid([1; 8])));
        // 18([h'A3 01 27 04 48 0101010101010101 10 19FF01', {}, h'A0', h'00…'])
        assert_eq!(
            hex::encode(&bytes[..25]),
            "d28451a30127044801010101010101011019ff01a041a05840"
        );
        let parsed = parse(&bytes).unwrap();
        assert_eq!(
            parsed.check_header(MessageType::Credential),
            Ok(Kid([1; 8]))
        );
        assert_eq!(
            parsed.check_header(MessageType::Presentation),
            Err(Reason::TypMismatch)
        );
    }

    #[test]
    fn signed_bytes_equal_cosets_sig_structure() {
        use coset::CborSerializable as _;
        for payload_len in [0usize, 23, 24, 255, 256, 70_000] {
            let bytes = sign(
                vec![0x41; payload_len],
                MessageType::Credential,
                Some(Kid([9; 8])),
                |_| vec![0; 64],
            );
            let ours = parse(&bytes).unwrap().signed_bytes();
            let theirs = coset::CoseSign1::from_slice(&bytes[1..])
                .unwrap()
                .tbs_data(b"");
            assert_eq!(ours, theirs, "payload of {payload_len} bytes");
        }
    }

    #[test]
    fn tag_rules() {
        let bytes = signed(Some(Kid([1; 8])));
        assert_eq!(parse(&bytes[1..]).unwrap_err(), Reason::CoseTagMissing);
        let mut other = vec![0xD9, 0x03, 0xE6];
        other.extend_from_slice(&bytes[1..]);
        assert_eq!(
            parse(&other).unwrap_err(),
            Reason::CoseTagWrong { tag: 998 }
        );
        let mut sign_tag = vec![0xD8, 0x62];
        sign_tag.extend_from_slice(&bytes[1..]);
        assert_eq!(
            parse(&sign_tag).unwrap_err(),
            Reason::CoseTagWrong { tag: 98 }
        );
    }

    #[test]
    fn missing_kid_and_detached_payload() {
        let bytes = signed(None);
        assert_eq!(
            parse(&bytes).unwrap().check_header(MessageType::Credential),
            Err(Reason::KidMissing)
        );
        // 18([h'A10127', {}, nil, h''])
        assert_eq!(
            parse(&hex::decode("d28443a10127a0f640").unwrap()).unwrap_err(),
            Reason::CoseMalformed
        );
    }
}
