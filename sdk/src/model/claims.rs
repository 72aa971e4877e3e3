//! The credential payload: a CWT claims map (RFC 8392) with the document in a private claim.

use crate::codes::Reason;
use crate::model::credential::Validity;
use crate::model::document::{DocType, Document, ReadDocument};
use crate::model::time::UnixTime;
use crate::wire::cbor::{self, Item, Key, Reader, Token};
use crate::wire::crypto::HolderPublicKey;
use crate::wire::limits::{
    MAX_CREDENTIAL_ID_LEN, MAX_ISSUER_ID_LEN, MAX_NUMERIC_DATE, MAX_STATUS_URI_LEN,
};
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
    /// `cnf`: the holder's device key (RFC 8747).
    pub const CNF: i64 = 8;
    /// `status`: the credential's entry in a status list (draft-ietf-oauth-status-list).
    pub const STATUS: i64 = 65_535;
    /// The IKD document (private-use claim key).
    pub const DOCUMENT: i64 = -65_537;
}

/// The claims of a credential whose signature has been checked, borrowing the payload.
#[derive(Debug, Clone)]
pub(crate) struct CredentialClaims<'a> {
    /// `iss`; a purpose profile may leave it out (the trust entry names the issuer).
    pub(crate) issuer: Option<&'a str>,
    /// `iat`; a purpose profile may leave it out.
    pub(crate) issued_at: Option<UnixTime>,
    pub(crate) not_before: Option<UnixTime>,
    pub(crate) expires_at: UnixTime,
    pub(crate) credential_id: Option<&'a [u8]>,
    pub(crate) status: Option<StatusRef<'a>>,
    pub(crate) holder_key: Option<HolderPublicKey>,
    /// The document, read while the claims were decoded.
    pub(crate) document: ReadDocument,
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
    ///
    /// The document is read in the same pass, straight into a [`Document`]; whether its
    /// type and shape are acceptable is decided later, from [`CredentialClaims::document`].
    pub(crate) fn decode(payload: &'a [u8]) -> Result<Self, Reason> {
        let malformed = Reason::ClaimsMalformed { claim: "payload" };
        let mut reader = Reader::new(payload);
        let Ok(Token::Map(count)) = reader.token() else {
            return Err(malformed);
        };
        let mut claims = Claims::default();
        // Every CBOR error in the payload comes first; of the claims' own problems, the
        // first in key order.
        let mut problem = None;
        let read = (|| {
            let depth = reader.deeper(0)?;
            let mut keys = reader.map_keys();
            for _ in 0..count {
                let key = reader.key(&mut keys)?;
                if key.as_i64() == Some(key::DOCUMENT) {
                    claims.document = Some(Document::read(&mut reader, depth)?);
                    continue;
                }
                let value = reader.item(depth)?;
                if problem.is_none() {
                    problem = claims.take(key, &value).err();
                }
            }
            reader.finish()
        })();
        read.map_err(|_| malformed)?;
        if let Some(problem) = problem {
            return Err(problem);
        }
        let Claims {
            issuer,
            iat,
            nbf,
            exp,
            cti,
            status,
            holder_key,
            document,
        } = claims;
        let expires_at = exp.ok_or(Reason::ExpMissing)?;
        if iat.is_some_and(|iat| expires_at < iat) || nbf.is_some_and(|nbf| nbf > expires_at) {
            return Err(Reason::ClaimsMalformed { claim: "exp" });
        }
        let document = document.ok_or(Reason::ClaimsMalformed { claim: "document" })?;
        Ok(CredentialClaims {
            issuer,
            issued_at: iat,
            not_before: nbf,
            expires_at,
            credential_id: cti,
            status,
            holder_key,
            document,
        })
    }

    /// The claims only purpose profiles may leave out: a credential of any other type
    /// without `iss` is `claims_malformed` (`iss`), without `iat` `iat_missing`.
    pub(crate) fn check_required_for(&self, doc_type: DocType) -> Result<(), Reason> {
        if doc_type.is_profile() {
            return Ok(());
        }
        if self.issuer.is_none() {
            return Err(Reason::ClaimsMalformed { claim: "iss" });
        }
        if self.issued_at.is_none() {
            return Err(Reason::IatMissing);
        }
        Ok(())
    }

    /// The document's type, or why it has none.
    pub(crate) fn doc_type(&self) -> Result<DocType, Reason> {
        self.document.doc_type.clone()
    }

    /// The document's shape (values are checked later, at the content stage).
    pub(crate) fn document(&self) -> Result<&Document, Reason> {
        self.document.document.as_ref().map_err(Reason::clone)
    }

    /// Moves the document out, leaving its refusal in its place.
    pub(crate) fn take_document(&mut self) -> Result<Document, Reason> {
        core::mem::replace(
            &mut self.document.document,
            Err(Reason::ClaimsMalformed { claim: "document" }),
        )
    }
}

/// The claims of a payload while it is read, before the rules between them are checked.
#[derive(Default)]
struct Claims<'a> {
    issuer: Option<&'a str>,
    iat: Option<UnixTime>,
    nbf: Option<UnixTime>,
    exp: Option<UnixTime>,
    cti: Option<&'a [u8]>,
    status: Option<StatusRef<'a>>,
    holder_key: Option<HolderPublicKey>,
    document: Option<ReadDocument>,
}

impl<'a> Claims<'a> {
    /// Takes the claim `key` (any but the document); unknown claims are refused.
    fn take(&mut self, key: Key<'a>, value: &Item<'a>) -> Result<(), Reason> {
        let key = key
            .as_i64()
            .ok_or(Reason::ClaimsMalformed { claim: "unknown" })?;
        match key {
            key::ISS => self.issuer = Some(issuer_of(value)?),
            key::IAT => self.iat = Some(time_of(value, "iat")?),
            key::NBF => self.nbf = Some(time_of(value, "nbf")?),
            key::EXP => self.exp = Some(time_of(value, "exp")?),
            key::CTI => self.cti = Some(credential_id_of(value)?),
            key::CNF => self.holder_key = Some(holder_key_of(value)?),
            key::STATUS => self.status = Some(status_of(value)?),
            _ => return Err(Reason::ClaimsMalformed { claim: "unknown" }),
        }
        Ok(())
    }
}

/// What a credential says besides its document and validity.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClaimOptions<'a> {
    /// `cti`; `None` leaves it out.
    pub(crate) credential_id: Option<&'a [u8]>,
    /// `status`.
    pub(crate) status: Option<&'a StatusReference>,
    /// `cnf`.
    pub(crate) holder_key: Option<&'a HolderPublicKey>,
}

/// Encodes credential claims in ascending key order (iss, exp, nbf, iat, cti, cnf,
/// status, document). `iss` and `iat` are left out when `issuer` and `issued_at` are
/// `None` (purpose profiles, whose QR code must stay small).
pub(crate) fn encode_credential_claims(
    issuer: Option<&str>,
    validity: &Validity,
    issued_at: Option<UnixTime>,
    options: ClaimOptions<'_>,
    document: Value,
) -> Vec<u8> {
    let mut entries = Vec::new();
    if let Some(issuer) = issuer {
        entries.push((Value::from(key::ISS), Value::from(issuer)));
    }
    entries.push((Value::from(key::EXP), Value::from(validity.expires_at.0)));
    if let Some(nbf) = validity.not_before {
        entries.push((Value::from(key::NBF), Value::from(nbf.0)));
    }
    if let Some(issued_at) = issued_at {
        entries.push((Value::from(key::IAT), Value::from(issued_at.0)));
    }
    if let Some(id) = options.credential_id {
        entries.push((Value::from(key::CTI), Value::Bytes(id.to_vec())));
    }
    if let Some(holder_key) = options.holder_key {
        entries.push((Value::from(key::CNF), cnf_value(holder_key)));
    }
    if let Some(status) = options.status {
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

/// COSE_Key parameters (RFC 9052 §7, RFC 9053 §7).
mod cose_key {
    pub const KTY: i64 = 1;
    pub const CRV: i64 = -1;
    pub const X: i64 = -2;
    pub const Y: i64 = -3;
    pub const KTY_OKP: u64 = 1;
    pub const KTY_EC2: u64 = 2;
    pub const CRV_P256: u64 = 1;
    pub const CRV_ED25519: u64 = 6;
    /// The `cnf` member holding a COSE_Key (RFC 8747 §3.1).
    pub const CNF_COSE_KEY: i64 = 1;
}

/// `cnf` as `{1: COSE_Key}`: an Ed25519 key as `{1: 1, -1: 6, -2: x}`, a P-256 key
/// compressed as `{1: 2, -1: 1, -2: x, -3: y-is-odd}`.
fn cnf_value(key: &HolderPublicKey) -> Value {
    let raw = key.to_bytes();
    let cose_key = match key {
        HolderPublicKey::Ed25519(_) => vec![
            (Value::from(cose_key::KTY), Value::from(cose_key::KTY_OKP)),
            (
                Value::from(cose_key::CRV),
                Value::from(cose_key::CRV_ED25519),
            ),
            (Value::from(cose_key::X), Value::Bytes(raw)),
        ],
        HolderPublicKey::P256(_) => {
            let (prefix, x) = raw.split_first().map_or((0, &[][..]), |(p, x)| (*p, x));
            vec![
                (Value::from(cose_key::KTY), Value::from(cose_key::KTY_EC2)),
                (Value::from(cose_key::CRV), Value::from(cose_key::CRV_P256)),
                (Value::from(cose_key::X), Value::Bytes(x.to_vec())),
                (Value::from(cose_key::Y), Value::Bool(prefix == 0x03)),
            ]
        }
    };
    Value::Map(vec![(
        Value::from(cose_key::CNF_COSE_KEY),
        Value::Map(cose_key),
    )])
}

/// The `cnf` claim: exactly one of the two COSE_Key shapes [`cnf_value`] writes, with a
/// key that is safe to verify with.
fn holder_key_of(value: &Item<'_>) -> Result<HolderPublicKey, Reason> {
    let malformed = Reason::ClaimsMalformed { claim: "cnf" };
    let [(member, cose_key)] = value.as_map().ok_or(malformed.clone())? else {
        return Err(malformed);
    };
    if member.as_i64() != Some(cose_key::CNF_COSE_KEY) {
        return Err(malformed);
    }
    let params = cose_key.as_map().ok_or(malformed.clone())?;
    let param = |label: i64| {
        params
            .iter()
            .find(|(l, _)| l.as_i64() == Some(label))
            .map(|(_, v)| v)
    };
    let kty = param(cose_key::KTY).and_then(Item::as_u64);
    let crv = param(cose_key::CRV).and_then(Item::as_u64);
    let x = param(cose_key::X).and_then(Item::as_bytes);
    let key = match (kty, crv, x, params.len()) {
        (Some(cose_key::KTY_OKP), Some(cose_key::CRV_ED25519), Some(x), 3) => {
            HolderPublicKey::ed25519(x)
        }
        (Some(cose_key::KTY_EC2), Some(cose_key::CRV_P256), Some(x), 4) => {
            match param(cose_key::Y) {
                Some(Item::Bool(y_is_odd)) => HolderPublicKey::p256_compressed(x, *y_is_odd),
                _ => return Err(malformed),
            }
        }
        _ => return Err(malformed),
    };
    key.map_err(|_| malformed)
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
    use crate::codes::FieldPath;
    use crate::model::document::DocType;

    /// The sample KK of 8 members, as a CBOR value.
    fn kk_value() -> Value {
        let kk: Document = serde_json::from_str(crate::model::samples::KK_8_JSON).unwrap();
        kk.to_cbor_value()
    }

    /// Claims around `document`, encoded.
    fn claims_with(document: Value) -> Vec<u8> {
        let validity = Validity::for_seconds(UnixTime(1_790_000_000), 3600);
        encode_credential_claims(
            Some("ID-TEST"),
            &validity,
            Some(validity.issued_at),
            ClaimOptions {
                credential_id: Some(&[1, 2, 3]),
                ..ClaimOptions::default()
            },
            document,
        )
    }

    /// The entries of a map value.
    fn entries(value: &mut Value) -> &mut Vec<(Value, Value)> {
        match value {
            Value::Map(entries) => entries,
            other => panic!("not a map: {other:?}"),
        }
    }

    /// The members of a KK value.
    fn members(kk: &mut Value) -> &mut Vec<Value> {
        match &mut entries(kk)[9].1 {
            Value::Array(members) => members,
            other => panic!("not an array: {other:?}"),
        }
    }

    /// The claims of a KK whose `field` of member `index` is the text "SENTINEL!", with
    /// that text's encoding then replaced by `raw`.
    fn with_raw_member_value(index: usize, field: u64, raw: &[u8]) -> Vec<u8> {
        let mut kk = kk_value();
        let member = &mut members(&mut kk)[index];
        for (key, value) in entries(member).iter_mut() {
            if *key == Value::from(field) {
                *value = Value::from("SENTINEL!");
            }
        }
        let bytes = claims_with(kk);
        let sentinel = b"\x69SENTINEL!";
        let at = bytes
            .windows(sentinel.len())
            .position(|w| w == sentinel)
            .unwrap();
        [&bytes[..at], raw, &bytes[at + sentinel.len()..]].concat()
    }

    fn document_of(payload: &[u8]) -> Result<Document, Reason> {
        let mut claims = CredentialClaims::decode(payload)?;
        claims.doc_type()?;
        claims.take_document()
    }

    fn malformed(field: &'static str) -> Reason {
        Reason::DocumentMalformed {
            field: FieldPath::top(field),
        }
    }

    fn member_malformed(index: u16, field: &'static str) -> Reason {
        Reason::DocumentMalformed {
            field: FieldPath::member(index, field),
        }
    }

    const PAYLOAD: Reason = Reason::ClaimsMalformed { claim: "payload" };

    #[test]
    fn the_document_is_read_with_the_claims() {
        let kk: Document = serde_json::from_str(crate::model::samples::KK_8_JSON).unwrap();
        let payload = claims_with(kk.to_cbor_value());
        let claims = CredentialClaims::decode(&payload).unwrap();
        assert_eq!(claims.issuer, Some("ID-TEST"));
        assert_eq!(claims.credential_id, Some(&[1u8, 2, 3][..]));
        assert_eq!(claims.doc_type(), Ok(DocType::Kk));
        assert_eq!(claims.document(), Ok(&kk));
        // The raw values round-trip too: the SENTINEL helper's replacement is exact.
        let same = with_raw_member_value(2, 2, &cbor::encode(&Value::from("SENTINEL!")));
        assert!(document_of(&same).is_ok());
    }

    #[test]
    fn cbor_errors_inside_the_document_map_refuse_the_payload() {
        let deep = [vec![0x81; 16], vec![0x00]].concat();
        for (what, raw) in [
            ("non-canonical integer", &[0x18, 0x17][..]),
            ("non-canonical length", &[0x78, 0x01, 0x41][..]),
            ("indefinite text", &[0x7F, 0x61, 0x41, 0xFF][..]),
            ("invalid UTF-8", &[0x62, 0xC3, 0x28][..]),
            ("float", &[0xF9, 0x3C, 0x00][..]),
            ("undefined", &[0xF7][..]),
            ("too deep", &deep[..]),
            (
                "map with duplicate keys",
                &[0xA2, 0x01, 0x00, 0x01, 0x00][..],
            ),
            (
                "map with keys out of order",
                &[0xA2, 0x02, 0x00, 0x01, 0x00][..],
            ),
            ("map with a byte-string key", &[0xA1, 0x40, 0x00][..]),
            ("array longer than allowed", &[0x99, 0x01, 0x01][..]),
        ] {
            let payload = with_raw_member_value(3, 4, raw);
            assert_eq!(
                CredentialClaims::decode(&payload).err(),
                Some(PAYLOAD),
                "{what}"
            );
            // Nothing but the value changed, so the tree decoder agrees on the CBOR.
            assert!(cbor::decode(&payload).is_err(), "{what}");
        }
        // Cut anywhere inside the document: truncated.
        let payload = claims_with(kk_value());
        for cut in [payload.len() - 1, payload.len() - 40, payload.len() / 2] {
            assert_eq!(
                CredentialClaims::decode(&payload[..cut]).err(),
                Some(PAYLOAD),
                "cut at {cut}"
            );
        }
        // A byte after the claims.
        let long = [payload.clone(), vec![0x00]].concat();
        assert_eq!(CredentialClaims::decode(&long).err(), Some(PAYLOAD));
    }

    #[test]
    fn duplicate_and_unordered_keys_inside_members_refuse_the_payload() {
        type Change = fn(&mut Vec<(Value, Value)>);
        let changes: [(&str, Change); 3] = [
            ("duplicate", |m| {
                let first = m[1].clone();
                m.insert(2, first);
            }),
            ("unordered", |m| m.swap(3, 4)),
            ("duplicate after the order breaks", |m| {
                let first = m[0].clone();
                m.push(first);
            }),
        ];
        for (what, change) in changes {
            let mut kk = kk_value();
            change(entries(&mut members(&mut kk)[5]));
            let payload = claims_with(kk);
            let expected = cbor::decode(&payload).err();
            assert!(
                matches!(
                    expected,
                    Some(Reason::CborDuplicateKey | Reason::CborNotDeterministic)
                ),
                "{what}"
            );
            assert_eq!(
                CredentialClaims::decode(&payload).err(),
                Some(PAYLOAD),
                "{what}"
            );
        }
    }

    #[test]
    fn a_cbor_error_after_a_shape_problem_still_refuses_the_payload() {
        // Member 1 has the wrong shape (a number for nama); member 6 holds bad CBOR.
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[1])[1].1 = Value::from(7);
        let good = claims_with(kk.clone());
        assert_eq!(document_of(&good), Err(member_malformed(1, "nama")));
        entries(&mut members(&mut kk)[6])[1].1 = Value::from("SENTINEL!");
        let payload = claims_with(kk);
        let sentinel = b"\x69SENTINEL!";
        let at = payload
            .windows(sentinel.len())
            .position(|w| w == sentinel)
            .unwrap();
        let bad = [
            &payload[..at],
            &[0x18, 0x01][..],
            &payload[at + sentinel.len()..],
        ]
        .concat();
        assert_eq!(CredentialClaims::decode(&bad).err(), Some(PAYLOAD));
        // The same inside a field the document does not know.
        let mut kk = kk_value();
        entries(&mut kk).push((Value::from(10), Value::from("SENTINEL!")));
        let payload = claims_with(kk);
        let at = payload
            .windows(sentinel.len())
            .position(|w| w == sentinel)
            .unwrap();
        let unknown_ok = [&payload[..at], &[0x01][..], &payload[at + sentinel.len()..]].concat();
        assert_eq!(document_of(&unknown_ok), Err(malformed("unknown_field")));
        let unknown_bad = [
            &payload[..at],
            &[0x1B, 0, 0, 0, 0, 0, 0, 0, 1][..],
            &payload[at + sentinel.len()..],
        ]
        .concat();
        assert_eq!(CredentialClaims::decode(&unknown_bad).err(), Some(PAYLOAD));
    }

    #[test]
    fn document_shape_problems_keep_their_reasons_and_order() {
        let check = |kk: Value, expected: Reason| {
            let payload = claims_with(kk);
            // The CBOR is valid: the claims decode, the document is refused.
            assert!(cbor::decode(&payload).is_ok());
            assert_eq!(document_of(&payload), Err(expected));
        };
        // A header field of the wrong type, and a missing one.
        let mut kk = kk_value();
        entries(&mut kk)[3].1 = Value::Bytes(vec![1]);
        check(kk, malformed("alamat"));
        let mut kk = kk_value();
        entries(&mut kk).remove(2);
        check(kk, malformed("kepala_keluarga"));
        // The first problem in key order wins: rt (4) before a bad member.
        let mut kk = kk_value();
        entries(&mut kk)[4].1 = Value::from(-1);
        entries(&mut members(&mut kk)[0])[1].1 = Value::Null;
        check(kk, malformed("rt"));
        // An unknown header key after the members wins over a member's problem.
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[0])[1].1 = Value::Null;
        entries(&mut kk).push((Value::from(10), Value::from(0)));
        check(kk, malformed("unknown_field"));
        // A text key is unknown too.
        let mut kk = kk_value();
        entries(&mut kk).push((Value::from("x"), Value::from(0)));
        check(kk, malformed("unknown_field"));
        // Members: not a map; an unknown key; key 0; a missing field; a wrong type.
        let mut kk = kk_value();
        members(&mut kk)[2] = Value::Array(vec![]);
        check(kk, member_malformed(2, "anggota"));
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[4]).push((Value::from(18), Value::from(0)));
        entries(&mut members(&mut kk)[4])[1].1 = Value::Null;
        check(kk, member_malformed(4, "unknown_field"));
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[7]).insert(0, (Value::from(0), Value::from(0)));
        check(kk, member_malformed(7, "unknown_field"));
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[3]).retain(|(k, _)| *k != Value::from(16));
        check(kk, member_malformed(3, "nama_ayah"));
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[3])[0].1 = Value::from("3273");
        check(kk, member_malformed(3, "nik"));
        // A nested array where a number belongs is a type problem, not a CBOR one.
        let mut kk = kk_value();
        entries(&mut members(&mut kk)[3])[2].1 = Value::Array(vec![Value::from(1)]);
        check(kk, member_malformed(3, "jenis_kelamin"));
        // The member list: not an array, empty, too long.
        let mut kk = kk_value();
        entries(&mut kk)[9].1 = Value::from(1);
        check(kk, malformed("anggota"));
        let mut kk = kk_value();
        members(&mut kk).clear();
        check(kk, malformed("anggota"));
        let mut kk = kk_value();
        let extra: Vec<Value> = (0..40).map(|_| Value::Null).collect();
        members(&mut kk).extend(extra);
        check(kk, malformed("anggota"));
        // The type: a document that is not a map, without a type, of an unknown type.
        check(Value::Array(vec![]), malformed("document"));
        let mut kk = kk_value();
        entries(&mut kk).remove(0);
        check(kk, malformed("type"));
        let mut kk = kk_value();
        entries(&mut kk)[0].1 = Value::from("kk");
        check(kk, malformed("type"));
        let mut kk = kk_value();
        entries(&mut kk)[0].1 = Value::from(9);
        check(kk, Reason::DocTypeUnknown { doc_type: 9 });
    }

    #[test]
    fn the_payload_is_refused_exactly_when_its_cbor_is() {
        // Every byte of a KK-4 payload replaced by a few values: the claims decoder and
        // the tree decoder agree on whether the CBOR is acceptable.
        let kk: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let payload = claims_with(kk.to_cbor_value());
        for at in 0..payload.len() {
            for value in [
                0x00, 0x17, 0x18, 0x1B, 0x40, 0x61, 0x80, 0xA1, 0xC1, 0xF6, 0xFF,
            ] {
                let mut changed = payload.clone();
                changed[at] = value;
                let tree_is_map = matches!(cbor::decode(&changed), Ok(Item::Map(_)));
                let streamed = CredentialClaims::decode(&changed);
                if !tree_is_map {
                    assert_eq!(streamed.err(), Some(PAYLOAD), "byte {at} = {value:#x}");
                } else {
                    assert_ne!(streamed.err(), Some(PAYLOAD), "byte {at} = {value:#x}");
                }
            }
        }
    }

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
