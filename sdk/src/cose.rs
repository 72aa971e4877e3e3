//! COSE_Sign1 (RFC 9052) under this format's header rules.
//!
//! A message is tagged 18, exactly. `alg`, `kid` and `typ` live in the protected header,
//! which holds nothing else; the unprotected header is empty. The original protected bytes
//! are kept, so the signed structure is rebuilt from what was received, never re-encoded.

use crate::cbor;
use crate::crypto::Kid;
use crate::reason::Reason;
use coset::{CborSerializable as _, CoseSign1, CoseSign1Builder, HeaderBuilder, Label, iana};

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
}

impl MessageType {
    /// The `typ` value: a CoAP content format from the experimental range, 3 bytes encoded.
    pub const fn typ(self) -> u64 {
        match self {
            MessageType::Credential => 0xFF01,
            MessageType::Presentation => 0xFF02,
            MessageType::TrustList => 0xFF03,
        }
    }
}

/// A structurally valid COSE_Sign1 whose signature has not been checked yet.
#[derive(Debug)]
pub struct UncheckedSign1 {
    inner: CoseSign1,
}

/// Parses a tagged COSE_Sign1 from strict CBOR. Nothing about it is trusted yet.
pub fn parse(bytes: &[u8]) -> Result<UncheckedSign1, Reason> {
    cbor::check_strict(bytes)?;
    let untagged = match bytes.split_first() {
        Some((&TAG_18, rest)) => rest,
        Some((&first, _)) if first >> 5 == 6 => {
            return Err(Reason::CoseTagWrong {
                tag: tag_number(bytes),
            });
        }
        _ => return Err(Reason::CoseTagMissing),
    };
    let inner = CoseSign1::from_slice(untagged).map_err(|_| Reason::CoseMalformed)?;
    if let Some(protected) = inner
        .protected
        .original_data
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        cbor::check_strict(protected)?;
    }
    if inner.payload.is_none() {
        return Err(Reason::CoseMalformed);
    }
    Ok(UncheckedSign1 { inner })
}

/// The number of the leading tag (already known to be well formed).
fn tag_number(bytes: &[u8]) -> u64 {
    let info = bytes.first().map_or(0, |b| b & 0x1F);
    match info {
        0..=23 => u64::from(info),
        24..=27 => {
            let width = 1usize << (info - 24);
            bytes
                .get(1..=width)
                .unwrap_or(&[])
                .iter()
                .fold(0u64, |n, &b| (n << 8) | u64::from(b))
        }
        _ => 0,
    }
}

impl UncheckedSign1 {
    /// Applies the header rules in order and returns the `kid`.
    pub fn check_header(&self, expected: MessageType) -> Result<Kid, Reason> {
        let protected = &self.inner.protected.header;
        let unprotected = &self.inner.unprotected;
        match &protected.alg {
            None if unprotected.alg.is_some() => return Err(Reason::AlgUnprotected),
            None => return Err(Reason::AlgMissing),
            Some(coset::Algorithm::Assigned(iana::Algorithm::EdDSA)) => {}
            Some(_) => return Err(Reason::AlgUnsupported),
        }
        if !unprotected.is_empty() {
            return Err(Reason::UnprotectedHeaderNotEmpty);
        }
        let typ_ok = matches!(
            protected.rest.as_slice(),
            [(Label::Int(TYP_LABEL), value)] if cbor::as_u64(value) == Some(expected.typ())
        );
        let only_known = protected.crit.is_empty()
            && protected.content_type.is_none()
            && protected.iv.is_empty()
            && protected.partial_iv.is_empty()
            && protected.counter_signatures.is_empty()
            && protected
                .rest
                .iter()
                .all(|(label, _)| *label == Label::Int(TYP_LABEL));
        if !only_known {
            return Err(Reason::ProtectedHeaderUnexpected);
        }
        if !typ_ok {
            return Err(Reason::TypMismatch);
        }
        if protected.key_id.is_empty() {
            return Err(Reason::KidMissing);
        }
        let kid = <[u8; crate::crypto::KID_LEN]>::try_from(protected.key_id.as_slice())
            .map_err(|_| Reason::KidUnknown)?;
        Ok(Kid(kid))
    }

    /// The bytes the signature covers: the Sig_structure with empty external data.
    pub fn signed_bytes(&self) -> Vec<u8> {
        self.inner.tbs_data(b"")
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.inner.signature
    }

    /// The payload (present: [`parse`] refuses detached payloads).
    pub fn payload(&self) -> &[u8] {
        self.inner.payload.as_deref().unwrap_or(&[])
    }
}

/// Builds and signs a tagged COSE_Sign1 with this format's headers.
pub(crate) fn sign(
    payload: Vec<u8>,
    message_type: MessageType,
    kid: Option<Kid>,
    signer: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let mut header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .value(TYP_LABEL, ciborium::Value::from(message_type.typ()));
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
        assert_eq!(parsed.check_header(MessageType::Credential), Ok(Kid([1; 8])));
        assert_eq!(
            parsed.check_header(MessageType::Presentation),
            Err(Reason::TypMismatch)
        );
    }

    #[test]
    fn tag_rules() {
        let bytes = signed(Some(Kid([1; 8])));
        assert_eq!(parse(&bytes[1..]).unwrap_err(), Reason::CoseTagMissing);
        let mut other = vec![0xD9, 0x03, 0xE6];
        other.extend_from_slice(&bytes[1..]);
        assert_eq!(parse(&other).unwrap_err(), Reason::CoseTagWrong { tag: 998 });
        let mut sign_tag = vec![0xD8, 0x62];
        sign_tag.extend_from_slice(&bytes[1..]);
        assert_eq!(parse(&sign_tag).unwrap_err(), Reason::CoseTagWrong { tag: 98 });
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
