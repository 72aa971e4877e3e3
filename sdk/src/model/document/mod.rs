//! The documents a credential carries: KTP-el, Kartu Keluarga, and the purpose profiles
//! (identity, age over 17, domicile).
//!
//! A document's CBOR form is a map with small integer keys (spec/format.md §Documents);
//! its JSON form, used by `ikd issue` and by verdicts, uses the field names below.

mod check;
mod fields;
mod kk;
mod ktp;
mod profile;

pub use kk::{Kk, KkMember};
pub use ktp::{BerlakuHingga, Ktp};
pub use profile::{AgeProfile, DomicileProfile, IdentityProfile};

use crate::codes::{FieldPath, Reason, Warning};
use crate::wire::cbor::{Key, Reader, Token};
use ciborium::Value;
use core::fmt;
use fields::read_flat;

/// Every field of a KTP-el, in key order, by JSON name.
pub const KTP_FIELDS: &[&str] = ktp::NAMES.split_at(1).1;
/// Every header field of a Kartu Keluarga except the member list, in key order.
pub const KK_FIELDS: &[&str] = kk::NAMES.split_at(1).1.split_at(8).0;
/// Every field of a Kartu Keluarga member, in key order.
pub const KK_MEMBER_FIELDS: &[&str] = kk::MEMBER_NAMES.split_at(1).1;

/// The field name `name` as a static string, if it names a field of some document.
pub fn field_name(name: &str) -> Option<&'static str> {
    KTP_FIELDS
        .iter()
        .chain(KK_FIELDS)
        .chain(KK_MEMBER_FIELDS)
        .chain(&profile::AGE_NAMES[1..])
        .find(|known| **known == name)
        .copied()
}

/// The type of a document, as the credential states it (document key 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocType {
    /// KTP-el, the electronic identity card.
    Ktp,
    /// Kartu Keluarga, the family card.
    Kk,
    /// Identity profile: NIK, name and optionally the portrait.
    Identity,
    /// Age profile: whether the holder is at least 17.
    #[serde(rename = "age_over_17")]
    AgeOver17,
    /// Domicile profile: address, RT, RW and region code.
    Domicile,
}

impl DocType {
    /// Every document type.
    pub const ALL: [DocType; 5] = [
        DocType::Ktp,
        DocType::Kk,
        DocType::Identity,
        DocType::AgeOver17,
        DocType::Domicile,
    ];

    /// The number the credential carries.
    pub const fn number(self) -> u8 {
        match self {
            DocType::Ktp => 1,
            DocType::Kk => 2,
            DocType::Identity => 3,
            DocType::AgeOver17 => 4,
            DocType::Domicile => 5,
        }
    }

    /// Whether this is a purpose profile rather than a whole document.
    pub const fn is_profile(self) -> bool {
        matches!(
            self,
            DocType::Identity | DocType::AgeOver17 | DocType::Domicile
        )
    }

    /// The type for a number, if known.
    pub fn from_number(number: u64) -> Option<Self> {
        DocType::ALL
            .into_iter()
            .find(|t| u64::from(t.number()) == number)
    }

    /// The stable name (`ktp`, `kk`, `identity`, `age_over_17`, `domicile`).
    pub const fn name(self) -> &'static str {
        match self {
            DocType::Ktp => "ktp",
            DocType::Kk => "kk",
            DocType::Identity => "identity",
            DocType::AgeOver17 => "age_over_17",
            DocType::Domicile => "domicile",
        }
    }

    /// Parses a stable name.
    pub fn from_name(name: &str) -> Option<Self> {
        DocType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of document types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocTypeSet(u32);

impl DocTypeSet {
    /// No types.
    pub const NONE: DocTypeSet = DocTypeSet(0);

    /// Every type this version knows.
    pub fn all() -> Self {
        DocType::ALL.into_iter().collect()
    }

    /// Whether `doc_type` is in the set.
    pub fn contains(self, doc_type: DocType) -> bool {
        self.0 & (1 << doc_type.number()) != 0
    }

    /// The set with `doc_type` added.
    pub fn with(self, doc_type: DocType) -> Self {
        DocTypeSet(self.0 | 1 << doc_type.number())
    }

    /// The members, in number order.
    pub fn iter(self) -> impl Iterator<Item = DocType> {
        DocType::ALL.into_iter().filter(move |t| self.contains(*t))
    }
}

impl FromIterator<DocType> for DocTypeSet {
    fn from_iter<I: IntoIterator<Item = DocType>>(iter: I) -> Self {
        iter.into_iter().fold(DocTypeSet::NONE, DocTypeSet::with)
    }
}

impl serde::Serialize for DocTypeSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for DocTypeSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<DocType>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// A document: what the credential attests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Document {
    /// A KTP-el.
    Ktp(Ktp),
    /// A Kartu Keluarga.
    Kk(Kk),
    /// An identity profile.
    Identity(IdentityProfile),
    /// An age profile.
    #[serde(rename = "age_over_17")]
    AgeOver17(AgeProfile),
    /// A domicile profile.
    Domicile(DomicileProfile),
}

impl Document {
    /// The document's type.
    pub fn doc_type(&self) -> DocType {
        match self {
            Document::Ktp(_) => DocType::Ktp,
            Document::Kk(_) => DocType::Kk,
            Document::Identity(_) => DocType::Identity,
            Document::AgeOver17(_) => DocType::AgeOver17,
            Document::Domicile(_) => DocType::Domicile,
        }
    }

    /// The CBOR form: a map with the type at key 0.
    pub fn to_cbor_value(&self) -> Value {
        match self {
            Document::Ktp(ktp) => ktp.to_cbor_value(),
            Document::Kk(kk) => kk.to_cbor_value(),
            Document::Identity(profile) => profile.to_cbor_value(),
            Document::AgeOver17(profile) => profile.to_cbor_value(),
            Document::Domicile(profile) => profile.to_cbor_value(),
        }
    }

    /// Reads a document, at `depth`, straight from the strict decoder: its type and the
    /// shape of its fields, each with the reason it is refused for. The values are checked
    /// by [`Document::check_content`]. The outer error is a CBOR one: a document of the
    /// wrong shape is still read to its end, so that no CBOR error after the problem goes
    /// unnoticed.
    pub(crate) fn read(reader: &mut Reader<'_>, depth: usize) -> Result<ReadDocument, Reason> {
        let token = reader.token()?;
        let Token::Map(count) = token else {
            reader.skip_contents(token, depth)?;
            return Ok(ReadDocument::refused(Reason::DocumentMalformed {
                field: FieldPath::top("document"),
            }));
        };
        let depth = reader.deeper(depth)?;
        let mut keys = reader.map_keys();
        let malformed_type = Reason::DocumentMalformed {
            field: FieldPath::top("type"),
        };
        // Key 0 sorts before every other key, so it is the first when present.
        let doc_type = if count == 0 {
            Err(malformed_type)
        } else {
            let key = reader.key(&mut keys)?;
            let value = reader.token()?;
            reader.skip_contents(value, depth)?;
            match (key, value) {
                (Key::Unsigned(0), Token::Unsigned(number)) => {
                    DocType::from_number(number).ok_or(Reason::DocTypeUnknown { doc_type: number })
                }
                _ => Err(malformed_type),
            }
        };
        let rest = count.saturating_sub(1);
        let doc_type = match doc_type {
            Ok(doc_type) => doc_type,
            Err(reason) => {
                reader.skip_pairs(&mut keys, rest, depth)?;
                return Ok(ReadDocument::refused(reason));
            }
        };
        let keys = &mut keys;
        let document = match doc_type {
            DocType::Ktp => read_flat(reader, keys, rest, depth, &ktp::NAMES, Ktp::from_fields)?
                .map(Document::Ktp),
            DocType::Kk => Kk::read(reader, keys, rest, depth)?.map(Document::Kk),
            DocType::Identity => read_flat(
                reader,
                keys,
                rest,
                depth,
                &profile::IDENTITY_NAMES,
                IdentityProfile::from_fields,
            )?
            .map(Document::Identity),
            DocType::AgeOver17 => read_flat(
                reader,
                keys,
                rest,
                depth,
                &profile::AGE_NAMES,
                AgeProfile::from_fields,
            )?
            .map(Document::AgeOver17),
            DocType::Domicile => read_flat(
                reader,
                keys,
                rest,
                depth,
                &profile::DOMICILE_NAMES,
                DomicileProfile::from_fields,
            )?
            .map(Document::Domicile),
        };
        Ok(ReadDocument {
            doc_type: Ok(doc_type),
            document,
        })
    }

    /// Decodes a document from strict CBOR on its own: a CBOR error, or
    /// [`Document::read`]'s verdict on its shape.
    #[cfg(test)]
    pub(crate) fn decode_cbor(bytes: &[u8]) -> Result<Self, Reason> {
        let mut reader = Reader::new(bytes);
        let read = Document::read(&mut reader, 1)?;
        reader.finish()?;
        read.document
    }

    /// Checks every value: SIAK codes, NIK format, dates, lengths. NIK disagreements with
    /// the birth date or sex become warnings.
    pub fn check_content(&self, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        match self {
            Document::Ktp(ktp) => ktp.check_content(warnings),
            Document::Kk(kk) => kk.check_content(warnings),
            Document::Identity(profile) => profile.check_content(warnings),
            Document::AgeOver17(_) => Ok(()),
            Document::Domicile(profile) => profile.check_content(warnings),
        }
    }
}

/// A document as [`Document::read`] found it: its type, and the whole document, or the
/// reason each is refused for (a document of an unknown type has neither).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadDocument {
    /// The type at key 0.
    pub(crate) doc_type: Result<DocType, Reason>,
    /// The document with every field of the right shape.
    pub(crate) document: Result<Document, Reason>,
}

impl ReadDocument {
    fn refused(reason: Reason) -> Self {
        ReadDocument {
            doc_type: Err(reason.clone()),
            document: Err(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siak_fields_accept_labels_and_aliases_in_json() {
        let mut json: serde_json::Value =
            serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        json["pekerjaan"] = "PEGAWAI NEGERI SIPIL (PNS)".into();
        json["agama"] = "Katolik".into();
        json["jenis_kelamin"] = "PEREMPUAN".into();
        json["golongan_darah"] = "-".into();
        let Document::Ktp(ktp) = serde_json::from_value(json.clone()).unwrap() else {
            panic!("not a KTP");
        };
        assert_eq!((ktp.pekerjaan, ktp.agama, ktp.jenis_kelamin), (5, 3, 2));
        assert_eq!(ktp.golongan_darah, None);
        // Output keeps codes, so a round trip is stable.
        let out = serde_json::to_value(Document::Ktp(ktp)).unwrap();
        assert_eq!(out["pekerjaan"], 5);
        json["agama"] = "ATEIS".into();
        let error = serde_json::from_value::<Document>(json)
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a known agama label"), "{error}");
    }
}
