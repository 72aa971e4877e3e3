//! Inspection: read what a QR text carries **without verifying anything**, for debugging.
//!
//! [`inspect`] decodes the transport, the COSE_Sign1 structure, the protected header, the
//! claims and the document, but checks **no signature, no trust, no time and no
//! revocation**. Anyone can make a QR text that inspects to any content. Never use an
//! [`Inspection`] to decide about a person; use [`crate::verify`] for that.
//!
//! The decoding is the verifier's own (same limits, same strict CBOR, same reason codes):
//! only the order differs, because the claims are read although no signature was checked.
//!
//! ```
//! use ikd_sdk::inspect;
//! use ikd_sdk::{Document, IssueOptions, Issuer, IssuerSigningKey, UnixTime, Validity};
//!
//! let issuer = Issuer::new(IssuerSigningKey::from_seed(&[1; 32]), "ID-DEMO").unwrap();
//! let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
//! let validity = Validity::for_seconds(UnixTime(1_790_000_000), 60);
//! let (credential, _) = issuer.issue(&document, validity, &IssueOptions::default()).unwrap();
//!
//! let inspection = inspect(&credential.to_qr_text()).unwrap();
//! assert!(inspection.header.problem.is_none());
//! let claims = inspection.unverified_claims.as_ref().unwrap();
//! assert_eq!(claims.issuer.as_deref(), Some("ID-DEMO"));
//! assert_eq!(claims.document.as_ref().unwrap(), &document);
//!
//! // Text that is no IKD credential at all cannot be inspected.
//! assert_eq!(inspect("hello").unwrap_err().code(), "not_ikd_credential");
//! ```

use crate::codes::{Reason, Warning};
use crate::model::claims::CredentialClaims;
use crate::model::document::Document;
use crate::model::time::UnixTime;
use crate::output::report::{ReasonReport, WarningReport};
use crate::wire::cose::{self, MessageType};
use crate::wire::transport;
use serde::Serialize;

/// Everything [`inspect`] could read from a QR text. **Nothing in it is verified.**
///
/// Its JSON form (`serde_json::to_string`) starts with `"unverified": true`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// Sizes at each layer.
    pub sizes: Sizes,
    /// Whether the message was zlib-compressed inside the Base45 text.
    pub compressed: bool,
    /// The protected header, unverified.
    pub header: UnverifiedHeader,
    /// The claims, read without any signature check, or why they could not be read.
    pub unverified_claims: Result<UnverifiedClaims, Reason>,
}

/// Byte sizes at each layer of the QR text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Sizes {
    /// The QR text without its line ending, in bytes.
    pub qr_text: usize,
    /// The bytes the Base45 text carries (compressed, if it was).
    pub base45_decoded: usize,
    /// The COSE_Sign1 message.
    pub cose: usize,
    /// The claims payload.
    pub payload: usize,
    /// The signature.
    pub signature: usize,
}

/// The protected header as the message states it. **Unverified.**
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnverifiedHeader {
    /// The `kid` bytes, if the header has any (they may have the wrong length).
    pub kid: Option<Vec<u8>>,
    /// The first header rule a credential breaks (`alg`, `typ`, …), if any.
    pub problem: Option<Reason>,
}

/// The CWT claims as the message states them. **Unverified: the signature was not
/// checked, so anyone may have written them.**
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnverifiedClaims {
    /// `iss`: the issuer the message claims, if stated (purpose profiles leave it out).
    pub issuer: Option<String>,
    /// `iat`, if stated (purpose profiles leave it out).
    pub issued_at: Option<UnixTime>,
    /// `nbf`, if stated.
    pub not_before: Option<UnixTime>,
    /// `exp`.
    pub expires_at: UnixTime,
    /// `cti`, if stated.
    pub credential_id: Option<Vec<u8>>,
    /// The document, or why its CBOR could not be read.
    pub document: Result<Document, Reason>,
    /// Why the document's content would be rejected, if it would.
    pub content_problem: Option<Reason>,
    /// The content warnings a verifier would also report.
    pub warnings: Vec<Warning>,
}

/// Reads a QR text's layers without checking any signature or trust. **The result is
/// unverified**: use it to debug, never to decide.
///
/// Fails only when the text cannot be decoded to a COSE_Sign1 message at all (the reasons
/// of the decode stage); every later problem is reported inside the [`Inspection`].
pub fn inspect(qr_text: &str) -> Result<Inspection, Reason> {
    let decoded = transport::decode_qr_text_detailed(qr_text)?;
    let cose_bytes = &decoded.message;
    let message = cose::parse(cose_bytes)?;

    let header = match message.check_header(MessageType::Credential) {
        Ok(kid) => UnverifiedHeader {
            kid: Some(kid.0.to_vec()),
            problem: None,
        },
        Err(problem) => UnverifiedHeader {
            kid: message.kid_bytes().map(<[u8]>::to_vec),
            problem: Some(problem),
        },
    };

    Ok(Inspection {
        sizes: Sizes {
            qr_text: decoded.text_len,
            base45_decoded: decoded.base45_decoded_len,
            cose: cose_bytes.len(),
            payload: message.payload().len(),
            signature: message.signature().len(),
        },
        compressed: decoded.compressed,
        header,
        unverified_claims: CredentialClaims::decode(message.payload()).map(unverified_claims),
    })
}

fn unverified_claims(mut claims: CredentialClaims) -> UnverifiedClaims {
    let document = claims.take_document();
    let mut warnings = Vec::new();
    let content_problem = document
        .as_ref()
        .ok()
        .and_then(|d| d.check_content(&mut warnings).err());
    UnverifiedClaims {
        issuer: claims.issuer.map(str::to_owned),
        issued_at: claims.issued_at,
        not_before: claims.not_before,
        expires_at: claims.expires_at,
        credential_id: claims.credential_id.map(<[u8]>::to_vec),
        document,
        content_problem,
        warnings,
    }
}

/// The notice every JSON form of an inspection carries.
pub const UNVERIFIED_NOTICE: &str =
    "UNVERIFIED: signature, trust and validity were NOT checked. Do not rely on this content.";

#[derive(Serialize)]
struct InspectionJson<'a> {
    unverified: bool,
    notice: &'static str,
    sizes: Sizes,
    compressed: bool,
    header: HeaderJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<ClaimsJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims_problem: Option<ReasonReport>,
}

#[derive(Serialize)]
struct HeaderJson {
    kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<ReasonReport>,
}

#[derive(Serialize)]
struct ClaimsJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<String>,
    exp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<&'a Document>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_problem: Option<ReasonReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_problem: Option<ReasonReport>,
    warnings: Vec<WarningReport>,
}

impl Serialize for Inspection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let claims = self.unverified_claims.as_ref().ok().map(|c| ClaimsJson {
            iss: c.issuer.as_deref(),
            iat: c.issued_at.map(|t| t.to_string()),
            nbf: c.not_before.map(|t| t.to_string()),
            exp: c.expires_at.to_string(),
            cti: c
                .credential_id
                .as_deref()
                .map(crate::wire::encoding::hex_encode),
            document: c.document.as_ref().ok(),
            document_problem: c.document.as_ref().err().map(ReasonReport::from),
            content_problem: c.content_problem.as_ref().map(ReasonReport::from),
            warnings: c.warnings.iter().map(WarningReport::from).collect(),
        });
        InspectionJson {
            unverified: true,
            notice: UNVERIFIED_NOTICE,
            sizes: self.sizes,
            compressed: self.compressed,
            header: HeaderJson {
                kid: self
                    .header
                    .kid
                    .as_deref()
                    .map(crate::wire::encoding::hex_encode),
                problem: self.header.problem.as_ref().map(ReasonReport::from),
            },
            claims,
            claims_problem: self
                .unverified_claims
                .as_ref()
                .err()
                .map(ReasonReport::from),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::FieldPath;
    use crate::model::claims::key;
    use crate::wire::cbor;
    use crate::wire::crypto::IssuerSigningKey;
    use crate::{Issuer, Validity};
    use ciborium::Value;

    fn issue(sample: &str) -> (String, Document) {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[3; 32]), "ID-3273").unwrap();
        let document: Document = serde_json::from_str(sample).unwrap();
        let validity = Validity::for_seconds(UnixTime(1_790_000_000), 3600);
        let (credential, _) = issuer
            .issue(
                &document,
                validity,
                &crate::IssueOptions::default().with_credential_id(vec![0xAB; 8]),
            )
            .unwrap();
        (credential.to_qr_text(), document)
    }

    /// Signs `claims` with a header of type `typ`, the signature being garbage.
    fn forged(claims: Value, typ: MessageType) -> String {
        let cose = cose::sign(
            cbor::encode(&claims),
            typ,
            Some(crate::wire::crypto::Kid([5; 8])),
            |_| vec![0; 64],
        );
        transport::encode_qr_text(&cose)
    }

    #[test]
    fn reads_every_layer_of_a_credential() {
        let (qr, document) = issue(crate::model::samples::KK_8_JSON);
        let inspection = inspect(&format!("{qr}\r\n")).unwrap();
        assert_eq!(inspection.sizes.qr_text, qr.len());
        assert!(inspection.sizes.cose > inspection.sizes.payload);
        assert_eq!(inspection.sizes.signature, 64);
        assert_eq!(
            inspection.compressed,
            inspection.sizes.base45_decoded < inspection.sizes.cose
        );
        assert_eq!(
            inspection.header,
            UnverifiedHeader {
                kid: Some(IssuerSigningKey::from_seed(&[3; 32]).kid().0.to_vec()),
                problem: None
            }
        );
        let claims = inspection.unverified_claims.as_ref().unwrap();
        assert_eq!(claims.issuer.as_deref(), Some("ID-3273"));
        assert_eq!(claims.expires_at, UnixTime(1_790_003_600));
        assert_eq!(claims.credential_id.as_deref(), Some(&[0xAB; 8][..]));
        assert_eq!(claims.document.as_ref().unwrap(), &document);
        assert_eq!(claims.content_problem, None);

        let json: serde_json::Value = serde_json::to_value(&inspection).unwrap();
        assert_eq!(json["unverified"], true);
        assert_eq!(json["claims"]["cti"], "abababababababab");
        assert_eq!(json["claims"]["document"]["type"], "kk");
        assert!(json.get("claims_problem").is_none());
    }

    #[test]
    fn forged_and_broken_messages_are_read_and_their_problems_named() {
        // Wrong typ, garbage signature: still readable, with the header problem reported.
        let doc = serde_json::from_str::<Document>(crate::model::samples::KTP_JSON)
            .unwrap()
            .to_cbor_value();
        let claims = Value::Map(vec![
            (Value::from(key::ISS), Value::from("ID-X")),
            (Value::from(key::EXP), Value::from(20)),
            (Value::from(key::IAT), Value::from(10)),
            (Value::from(key::DOCUMENT), doc),
        ]);
        let inspection = inspect(&forged(claims, MessageType::Presentation)).unwrap();
        assert_eq!(inspection.header.problem, Some(Reason::TypMismatch));
        assert_eq!(inspection.header.kid, Some(vec![5; 8]));
        let read = inspection.unverified_claims.unwrap();
        assert_eq!(read.issuer.as_deref(), Some("ID-X"));
        assert!(read.document.is_ok());

        // A document with an unknown field: the claims read, the document does not.
        let claims = Value::Map(vec![
            (Value::from(key::ISS), Value::from("ID-X")),
            (Value::from(key::EXP), Value::from(20)),
            (Value::from(key::IAT), Value::from(10)),
            (
                Value::from(key::DOCUMENT),
                Value::Map(vec![
                    (Value::from(0), Value::from(1)),
                    (Value::from(99), Value::from(1)),
                ]),
            ),
        ]);
        let inspection = inspect(&forged(claims, MessageType::Credential)).unwrap();
        let read = inspection.unverified_claims.as_ref().unwrap();
        assert_eq!(
            read.document,
            Err(Reason::DocumentMalformed {
                field: FieldPath::top("unknown_field")
            })
        );
        let json = serde_json::to_value(&inspection).unwrap();
        assert_eq!(
            json["claims"]["document_problem"]["code"],
            "document_malformed"
        );

        // Claims without `exp`.
        let claims = Value::Map(vec![
            (Value::from(key::ISS), Value::from("ID-X")),
            (Value::from(key::IAT), Value::from(10)),
        ]);
        let inspection = inspect(&forged(claims, MessageType::Credential)).unwrap();
        assert_eq!(inspection.unverified_claims, Err(Reason::ExpMissing));
        let json = serde_json::to_value(&inspection).unwrap();
        assert_eq!(json["claims_problem"]["code"], "exp_missing");
        assert!(json.get("claims").is_none());
    }

    #[test]
    fn undecodable_text_is_an_error() {
        assert_eq!(
            inspect("https://example.com"),
            Err(Reason::NotIkdCredential)
        );
        assert_eq!(inspect("IKD1:%%%"), Err(Reason::Base45Invalid));
        let not_cose = transport::encode_qr_text(&[0xA0]);
        assert_eq!(inspect(&not_cose), Err(Reason::CoseTagMissing));
    }

    #[test]
    fn content_problems_are_reported_not_fatal() {
        let mut document: Document = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        if let Document::Ktp(ktp) = &mut document {
            ktp.agama = 99;
        }
        let claims = Value::Map(vec![
            (Value::from(key::ISS), Value::from("ID-X")),
            (Value::from(key::EXP), Value::from(20)),
            (Value::from(key::IAT), Value::from(10)),
            (Value::from(key::DOCUMENT), document.to_cbor_value()),
        ]);
        let inspection = inspect(&forged(claims, MessageType::Credential)).unwrap();
        let read = inspection.unverified_claims.unwrap();
        assert_eq!(
            read.content_problem,
            Some(Reason::SiakCodeInvalid {
                field: FieldPath::top("agama"),
                code: 99
            })
        );
    }
}
