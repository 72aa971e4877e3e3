//! Data minimisation (UU 27/2022): which document fields a verifier's purpose may see.
//!
//! A [`Purpose`] is a named set of document fields, by their names in the JSON form of the
//! document. A verifier that verified a full KTP-el or KK for, say, an age check hands the
//! result to [`DisclosedReport::new`], which keeps only what the purpose allows: the
//! verdict, reason, trace, trust data, issuer and warnings about the trust data always; the
//! warnings about document fields it may see; of the document only the allowed
//! fields; and, for purposes that ask for it, a value computed from the document (whether
//! the holder is at least 17 years old) in place of the field it is computed from.
//!
//! The decision is made here, in the SDK, so that the verification service and counter
//! software minimise the same way.
//!
//! ```
//! use ikd_sdk::disclosure::{self, DisclosedReport};
//! use ikd_sdk::{Document, DocTypeSet, IssueOptions, Issuer, IssuerSigningKey, Policy, TrustStore,
//!     TrustedKey, UnixTime, Validity, verify};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-3273")?;
//! let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON)?;
//! let now = UnixTime(1_790_000_000);
//! let (credential, _) = issuer.issue(&document, Validity::for_seconds(now, 3600), &IssueOptions::default())?;
//! let mut trust = TrustStore::new();
//! trust.add(TrustedKey {
//!     issuer: "ID-3273".into(),
//!     name: "Disdukcapil Kota Bandung".into(),
//!     key: issuer.key().public_key(),
//!     valid_from: UnixTime(0),
//!     valid_until: UnixTime(2_000_000_000),
//!     doc_types: DocTypeSet::all(),
//! });
//! // A bare KTP-el, as counter software that accepts one would read it.
//! let policy = Policy::default().with_bare_credentials(DocTypeSet::all());
//! let result = verify(&credential.to_qr_text(), &trust, now, &policy);
//!
//! let age_check = disclosure::purpose("age_check").ok_or("no such purpose")?;
//! let report = DisclosedReport::new(&result, age_check);
//! let json: serde_json::Value = serde_json::from_str(&report.to_json())?;
//! assert_eq!(json["verdict"], "valid");
//! assert_eq!(json["age_over_17"], true);
//! assert!(json.get("document").is_none(), "no field of the document is disclosed");
//!
//! let domicile = disclosure::purpose("domicile").ok_or("no such purpose")?;
//! let json = serde_json::to_value(DisclosedReport::new(&result, domicile))?;
//! assert_eq!(json["document"]["rt"], 3);
//! assert!(json["document"].get("nik").is_none());
//! # Ok(())
//! # }
//! ```

use crate::codes::FieldPath;
use crate::model::document::{DocType, Document, KK_FIELDS, KK_MEMBER_FIELDS, KTP_FIELDS, Ktp};
use crate::model::time::{AGE_OF_MAJORITY, age_at_least};
use crate::output::display::DisplayLanguages;
use crate::output::report::Report;
use crate::verification::pipeline::{Rejection, Verified};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A named purpose and the document fields it may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose {
    /// The stable snake_case name a client asks for (`kyc`, `age_check`, …).
    pub name: &'static str,
    /// What it is for, in English.
    pub description_en: &'static str,
    /// What it is for, in Bahasa Indonesia.
    pub description_id: &'static str,
    /// The KTP-el fields it may see.
    pub ktp_fields: &'static [&'static str],
    /// The Kartu Keluarga header fields it may see (not `anggota`).
    pub kk_fields: &'static [&'static str],
    /// The fields of each KK member it may see; empty: no member list at all.
    pub kk_member_fields: &'static [&'static str],
    /// Whether the answer carries `age_over_17`, computed from a KTP-el's birth date.
    pub age_over_17: bool,
}

/// Know-your-customer at a bank or fintech: every field of a KTP-el (with the portrait),
/// every field of a KK including each member's parents' names.
pub const KYC: Purpose = Purpose {
    name: "kyc",
    description_en: "Know-your-customer: every field of the KTP-el and of the KK, including the mother's name.",
    description_id: "Pengenalan nasabah: semua isian KTP-el dan KK, termasuk nama ibu kandung.",
    ktp_fields: KTP_FIELDS,
    kk_fields: KK_FIELDS,
    kk_member_fields: KK_MEMBER_FIELDS,
    age_over_17: false,
};

/// Identity: who the person is, and their portrait to compare with the face in front of
/// the counter.
pub const IDENTITY: Purpose = Purpose {
    name: "identity",
    description_en: "Identity: NIK, name, date of birth and portrait (KK: each member's NIK, name and date of birth).",
    description_id: "Identitas: NIK, nama, tanggal lahir dan foto (KK: NIK, nama dan tanggal lahir tiap anggota).",
    ktp_fields: &["nik", "nama", "tanggal_lahir", "foto"],
    kk_fields: &[],
    kk_member_fields: &["nik", "nama", "tanggal_lahir"],
    age_over_17: false,
};

/// Age check: no field at all, only whether the KTP-el holder is at least 17.
pub const AGE_CHECK: Purpose = Purpose {
    name: "age_check",
    description_en: "Age check: no document field, only whether the KTP-el holder is at least 17 years old.",
    description_id: "Pemeriksaan usia: tanpa isian dokumen, hanya apakah pemegang KTP-el berusia paling sedikit 17 tahun.",
    ktp_fields: &[],
    kk_fields: &[],
    kk_member_fields: &[],
    age_over_17: true,
};

/// Domicile: where the person or family lives.
pub const DOMICILE: Purpose = Purpose {
    name: "domicile",
    description_en: "Domicile: region code, address, RT and RW.",
    description_id: "Domisili: kode wilayah, alamat, RT dan RW.",
    ktp_fields: &["kode_wilayah", "alamat", "rt", "rw"],
    kk_fields: &["kode_wilayah", "alamat", "rt", "rw"],
    kk_member_fields: &[],
    age_over_17: false,
};

/// Every purpose, by name.
pub const PURPOSES: &[Purpose] = &[KYC, IDENTITY, AGE_CHECK, DOMICILE];

impl Purpose {
    /// Whether this purpose may see `path` of a document of type `doc_type`.
    pub fn allows(&self, doc_type: DocType, path: FieldPath) -> bool {
        match (doc_type, path.member) {
            (DocType::Ktp, None) => self.ktp_fields.contains(&path.field),
            (DocType::Kk, None) => self.kk_fields.contains(&path.field),
            (DocType::Kk, Some(_)) => self.kk_member_fields.contains(&path.field),
            // Profile fields carry the names of the KTP-el fields they come from.
            (DocType::Identity | DocType::Domicile, None) => self.ktp_fields.contains(&path.field),
            // Whoever may see the birth date may see what follows from it.
            (DocType::AgeOver17, None) => {
                path.field == "age_over_17" && (self.age_over_17 || self.sees_birth_date())
            }
            _ => false,
        }
    }
}

impl Purpose {
    fn sees_birth_date(&self) -> bool {
        self.ktp_fields.contains(&"tanggal_lahir")
    }

    /// Whether no row of `document`'s layout is visible: then it is not laid out at all.
    fn sees_nothing_of(&self, document: &Document) -> bool {
        match document {
            Document::Ktp(_) | Document::Identity(_) | Document::Domicile(_) => {
                self.ktp_fields.is_empty()
            }
            Document::Kk(_) => self.kk_fields.is_empty() && self.kk_member_fields.is_empty(),
            Document::AgeOver17(_) => !self.age_over_17 && !self.sees_birth_date(),
        }
    }

    /// Whether every field of every document type is visible (`kyc`): then nothing needs
    /// filtering, row by row.
    fn sees_everything(&self) -> bool {
        self.ktp_fields == KTP_FIELDS
            && self.kk_fields == KK_FIELDS
            && self.kk_member_fields == KK_MEMBER_FIELDS
    }
}

/// The purpose named `name`, if there is one.
pub fn purpose(name: &str) -> Option<&'static Purpose> {
    PURPOSES.iter().find(|p| p.name == name)
}

/// What a purpose may see of a verified credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The document with only the allowed fields (and `type`); `None` when the purpose
    /// allows no field of this document type.
    pub document: Option<DisclosedDocument>,
    /// Whether the holder is at least 17 at the verification time, for purposes that ask
    /// for it and documents with one holder (KTP-el).
    pub age_over_17: Option<bool>,
}

/// The part of `verified`'s document that `purpose` may see. Ages are computed at the
/// time the credential was verified for. Fails closed: a document whose JSON form cannot be
/// built discloses nothing.
pub fn disclose(verified: &Verified, purpose: &Purpose) -> Disclosure {
    let document = verified.document();
    let (fields, member_fields): (&[&str], &[&str]) = match document {
        Document::Ktp(_) | Document::Identity(_) | Document::Domicile(_) => {
            (purpose.ktp_fields, &[])
        }
        Document::Kk(_) => (purpose.kk_fields, purpose.kk_member_fields),
        // For an age check the profile's one field is the `age_over_17` answer; purposes
        // that see the birth date see it in the document.
        Document::AgeOver17(_) if purpose.sees_birth_date() => (&["age_over_17"], &[]),
        Document::AgeOver17(_) => (&[], &[]),
    };
    let age_over_17 = match document {
        Document::Ktp(Ktp { tanggal_lahir, .. }) if purpose.age_over_17 => Some(age_at_least(
            *tanggal_lahir,
            verified.verified_at().date(),
            AGE_OF_MAJORITY,
        )),
        Document::AgeOver17(profile) if purpose.age_over_17 => Some(profile.age_over_17),
        _ => None,
    };
    Disclosure {
        document: filter_document(document, fields, member_fields),
        age_over_17,
    }
}

fn filter_document(
    document: &Document,
    fields: &'static [&'static str],
    member_fields: &'static [&'static str],
) -> Option<DisclosedDocument> {
    if fields.is_empty() && member_fields.is_empty() {
        return None;
    }
    Some(DisclosedDocument(Shown::Filtered {
        document: Box::new(document.clone()),
        fields,
        member_fields,
    }))
}

/// The part of a document a purpose may see: its JSON form with only the allowed fields
/// (and `type`; of `anggota`, each member's allowed fields).
///
/// Made by [`disclose`], it keeps the document and the purpose's field lists, and writes
/// only the allowed fields when serialized, straight into the output. Read back from
/// JSON, it is that JSON object.
#[derive(Debug, Clone)]
pub struct DisclosedDocument(Shown);

#[derive(Debug, Clone)]
enum Shown {
    Filtered {
        document: Box<Document>,
        fields: &'static [&'static str],
        member_fields: &'static [&'static str],
    },
    Read(Map<String, Value>),
}

impl DisclosedDocument {
    /// The disclosed fields as a JSON object; empty if the document cannot be serialized.
    pub fn to_map(&self) -> Map<String, Value> {
        match &self.0 {
            Shown::Read(map) => map.clone(),
            Shown::Filtered { .. } => match serde_json::to_value(self) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
        }
    }
}

impl PartialEq for DisclosedDocument {
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl Eq for DisclosedDocument {}

impl Serialize for DisclosedDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Shown::Read(map) => map.serialize(serializer),
            Shown::Filtered {
                document,
                fields,
                member_fields,
            } => document.serialize(filter::Fields {
                inner: serializer,
                fields,
                member_fields,
            }),
        }
    }
}

impl<'de> Deserialize<'de> for DisclosedDocument {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(|map| DisclosedDocument(Shown::Read(map)))
    }
}

/// A serializer that passes a document's serialization through, writing only the allowed
/// fields: the document's own `Serialize` does the writing, so nothing is built on the
/// way. A document is a struct (its `type` tag first) whose `anggota`, if any, is a
/// sequence of member structs; any other shape is an error.
mod filter {
    use serde::Serialize;
    use serde::ser::{self, Impossible, SerializeMap, SerializeSeq, SerializeStruct};

    /// A document: keeps `type`, `fields`, and `anggota` with `member_fields`.
    pub(super) struct Fields<'a, S> {
        pub(super) inner: S,
        pub(super) fields: &'a [&'static str],
        pub(super) member_fields: &'a [&'static str],
    }

    /// A sequence of members: each kept with `fields` only.
    struct Members<'a, S> {
        inner: S,
        fields: &'a [&'static str],
    }

    fn unexpected<E: ser::Error>() -> E {
        E::custom("a disclosed document must serialize as a struct")
    }

    macro_rules! refuse {
        ($($method:ident($($arg:ty),*);)*) => {
            $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
                Err(unexpected())
            })*
        };
    }

    macro_rules! refuse_compound {
        () => {
            type SerializeTuple = Impossible<S::Ok, S::Error>;
            type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
            type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
            type SerializeMap = Impossible<S::Ok, S::Error>;
            type SerializeStructVariant = Impossible<S::Ok, S::Error>;

            refuse! {
                serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
                serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
                serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
                serialize_str(&str); serialize_bytes(&[u8]); serialize_none();
                serialize_unit(); serialize_unit_struct(&'static str);
                serialize_unit_variant(&'static str, u32, &'static str);
            }

            fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<S::Ok, S::Error> {
                Err(unexpected())
            }
            fn serialize_newtype_struct<T: ?Sized + Serialize>(
                self,
                _: &'static str,
                _: &T,
            ) -> Result<S::Ok, S::Error> {
                Err(unexpected())
            }
            fn serialize_newtype_variant<T: ?Sized + Serialize>(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: &T,
            ) -> Result<S::Ok, S::Error> {
                Err(unexpected())
            }
            fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
                Err(unexpected())
            }
            fn serialize_tuple_struct(
                self,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeTupleStruct, S::Error> {
                Err(unexpected())
            }
            fn serialize_tuple_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeTupleVariant, S::Error> {
                Err(unexpected())
            }
            fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
                Err(unexpected())
            }
            fn serialize_struct_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeStructVariant, S::Error> {
                Err(unexpected())
            }
        };
    }

    /// The kept fields of one struct, written as a map of unknown length: how many are kept
    /// is known only as they pass.
    pub(super) struct Kept<'a, M> {
        map: M,
        fields: &'a [&'static str],
        member_fields: &'a [&'static str],
    }

    impl<'a, S: ser::Serializer> ser::Serializer for Fields<'a, S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = Impossible<S::Ok, S::Error>;
        type SerializeStruct = Kept<'a, S::SerializeMap>;

        refuse_compound!();

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
            Err(unexpected())
        }

        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, S::Error> {
            Ok(Kept {
                map: self.inner.serialize_map(None)?,
                fields: self.fields,
                member_fields: self.member_fields,
            })
        }
    }

    impl<M: SerializeMap> SerializeStruct for Kept<'_, M> {
        type Ok = M::Ok;
        type Error = M::Error;

        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), M::Error> {
            if key == "type" || self.fields.contains(&key) {
                self.map.serialize_entry(key, value)
            } else if key == "anggota" && !self.member_fields.is_empty() {
                self.map.serialize_entry(
                    key,
                    &MemberList {
                        value,
                        fields: self.member_fields,
                    },
                )
            } else {
                Ok(())
            }
        }

        fn end(self) -> Result<M::Ok, M::Error> {
            self.map.end()
        }
    }

    /// `anggota`'s value, to be written member by member.
    struct MemberList<'a, T: ?Sized> {
        value: &'a T,
        fields: &'a [&'static str],
    }

    impl<T: ?Sized + Serialize> Serialize for MemberList<'_, T> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.value.serialize(Members {
                inner: serializer,
                fields: self.fields,
            })
        }
    }

    /// One member, to be written with its kept fields.
    struct Member<'a, T: ?Sized> {
        value: &'a T,
        fields: &'a [&'static str],
    }

    impl<T: ?Sized + Serialize> Serialize for Member<'_, T> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.value.serialize(Fields {
                inner: serializer,
                fields: self.fields,
                member_fields: &[],
            })
        }
    }

    /// The members' sequence, each member filtered.
    struct EachMember<'a, Q> {
        seq: Q,
        fields: &'a [&'static str],
    }

    impl<Q: SerializeSeq> SerializeSeq for EachMember<'_, Q> {
        type Ok = Q::Ok;
        type Error = Q::Error;

        fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Q::Error> {
            self.seq.serialize_element(&Member {
                value,
                fields: self.fields,
            })
        }

        fn end(self) -> Result<Q::Ok, Q::Error> {
            self.seq.end()
        }
    }

    impl<'a, S: ser::Serializer> ser::Serializer for Members<'a, S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = EachMember<'a, S::SerializeSeq>;
        type SerializeStruct = Impossible<S::Ok, S::Error>;

        refuse_compound!();

        fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
            Ok(EachMember {
                seq: self.inner.serialize_seq(len)?,
                fields: self.fields,
            })
        }

        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, S::Error> {
            Err(unexpected())
        }
    }
}

/// A verdict as a purpose may see it: the [`Report`] with its document replaced by the
/// disclosed part, and the purpose named.
///
/// A rejected credential's report holds nothing read from the credential, whatever the
/// purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosedReport {
    /// The verdict, reason, trace, warnings, issuer and times; never the document.
    #[serde(flatten)]
    pub report: Report,
    /// The purpose the document was filtered for.
    pub purpose: String,
    /// For purposes that ask for it, on a valid KTP-el: whether the holder is at least 17
    /// years old at the verification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_over_17: Option<bool>,
    /// The allowed fields of the document (JSON form, with `type`); absent when the purpose
    /// allows none, and for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DisclosedDocument>,
}

impl DisclosedReport {
    /// The report of `result` as `purpose` may see it, display rows in both languages: the
    /// document, the laid-out display and the warnings keep only what concerns the fields
    /// the purpose may see.
    pub fn new(result: &Result<Verified, Rejection>, purpose: &Purpose) -> Self {
        DisclosedReport::with_display(result, purpose, DisplayLanguages::Both)
    }

    /// As [`DisclosedReport::new`], display rows in `languages` (none: no `display`
    /// member, and no layout work).
    pub fn with_display(
        result: &Result<Verified, Rejection>,
        purpose: &Purpose,
        languages: DisplayLanguages,
    ) -> Self {
        let report = match result {
            Ok(verified) if purpose.sees_everything() => {
                Report::valid_without_document(verified, languages)
            }
            Ok(verified) => {
                // Rows nobody may see are not laid out only to be dropped.
                let languages = if purpose.sees_nothing_of(verified.document()) {
                    DisplayLanguages::None
                } else {
                    languages
                };
                let mut report = Report::valid_without_document(verified, languages);
                let visible =
                    |path: FieldPath| purpose.allows(verified.document().doc_type(), path);
                // Warnings about the trust data are never withheld: stale data is never silent.
                let mut shown = verified
                    .warnings()
                    .iter()
                    .map(|w| !w.is_about_document() || visible(w.field()));
                report.warnings.retain(|_| shown.next().unwrap_or(false));
                report.display = report
                    .display
                    .take()
                    .map(|sections| {
                        crate::output::display::retain_fields(sections, |member, field| {
                            visible(FieldPath { member, field })
                        })
                    })
                    .filter(|sections| !sections.is_empty());
                report
            }
            Err(rejection) => Report::rejected(rejection),
        };
        let disclosure = match result {
            Ok(verified) => disclose(verified, purpose),
            Err(_) => Disclosure {
                document: None,
                age_over_17: None,
            },
        };
        DisclosedReport {
            report,
            purpose: purpose.name.to_owned(),
            age_over_17: disclosure.age_over_17,
            document: disclosure.document,
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing these plain structures into a buffer cannot fail, and serde_json
        // writes only UTF-8.
        String::from_utf8(self.json_bytes()).unwrap_or_default()
    }

    #[cfg(not(target_family = "wasm"))]
    fn json_bytes(&self) -> Vec<u8> {
        // Room for most answers at once: growing the buffer copies it each time.
        let mut out = Vec::with_capacity(4096);
        match serde_json::to_writer(&mut out, self) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }

    // serde_json has no std::io on WebAssembly (a smaller module), so no writer to size.
    #[cfg(target_family = "wasm")]
    fn json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::document::{DocTypeSet, Kk};
    use crate::model::time::{Date, UnixTime};
    use crate::output::display::DisplayText;
    use crate::output::report::WarningReport;
    use crate::trust::store::{TrustStore, TrustedKey};
    use crate::verification::policy::Policy;
    use crate::verification::policy::tests::bare_accepted;
    use crate::{Issuer, Validity};
    use crate::{IssuerSigningKey, samples, verify};
    use std::collections::BTreeSet;

    const NOW: UnixTime = UnixTime(1_790_000_000); // 2026-09-21

    fn verified(document: &Document) -> Result<Verified, Rejection> {
        verified_at(document, NOW)
    }

    fn verified_at(document: &Document, now: UnixTime) -> Result<Verified, Rejection> {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[5; 32]), "ID-3273").unwrap();
        let (credential, _) = issuer
            .issue(
                document,
                Validity::for_seconds(NOW, 3 * 86_400),
                &crate::IssueOptions::default(),
            )
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add(TrustedKey {
            issuer: "ID-3273".into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(0),
            valid_until: UnixTime(2_000_000_000),
            doc_types: DocTypeSet::all(),
        });
        verify(&credential.to_qr_text(), &trust, now, &bare_accepted())
    }

    fn sample(json: &str) -> Document {
        serde_json::from_str(json).unwrap()
    }

    /// A KTP-el and a KK with every optional field set, so every field name appears.
    fn full_documents() -> (Document, Document) {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            ktp.foto = Some(vec![
                0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F',
            ]);
        }
        let mut kk = sample(samples::KK_4_JSON);
        if let Document::Kk(Kk { anggota, .. }) = &mut kk {
            anggota[0].nomor_paspor = Some("X1234567".into());
            anggota[0].nomor_kitap = Some("2C21AB0012345".into());
        }
        (ktp, kk)
    }

    fn keys(value: &Value) -> BTreeSet<String> {
        value.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn field_lists_name_exactly_the_fields_of_the_json_form() {
        let (ktp, kk) = full_documents();
        let ktp = serde_json::to_value(&ktp).unwrap();
        let kk = serde_json::to_value(&kk).unwrap();
        let set = |names: &[&str], extra: &[&str]| -> BTreeSet<String> {
            names.iter().chain(extra).map(|s| s.to_string()).collect()
        };
        assert_eq!(keys(&ktp), set(KTP_FIELDS, &["type"]));
        assert_eq!(keys(&kk), set(KK_FIELDS, &["type", "anggota"]));
        assert_eq!(keys(&kk["anggota"][0]), set(KK_MEMBER_FIELDS, &[]));
        for purpose in PURPOSES {
            for field in purpose.ktp_fields {
                assert!(KTP_FIELDS.contains(field), "{}: {field}", purpose.name);
            }
            for field in purpose.kk_fields {
                assert!(KK_FIELDS.contains(field), "{}: {field}", purpose.name);
            }
            for field in purpose.kk_member_fields {
                assert!(
                    KK_MEMBER_FIELDS.contains(field),
                    "{}: {field}",
                    purpose.name
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_found() {
        let names: BTreeSet<&str> = PURPOSES.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), PURPOSES.len());
        for p in PURPOSES {
            assert_eq!(purpose(p.name), Some(p));
            assert_ne!(p.description_en, p.description_id);
        }
        assert_eq!(purpose("everything"), None);
    }

    #[test]
    fn the_shortcut_for_kyc_keeps_what_filtering_would_keep() {
        assert!(KYC.sees_everything());
        assert!(PURPOSES.iter().filter(|p| p.sees_everything()).count() == 1);
        let (mut ktp, kk) = full_documents();
        if let Document::Ktp(ktp) = &mut ktp {
            // A warning on a document field.
            ktp.tanggal_lahir = Date::parse("1992-08-18").unwrap();
        }
        let age = Document::AgeOver17(crate::model::document::AgeProfile { age_over_17: true });
        for document in [ktp, kk, age] {
            let result = verified(&document);
            let verified = result.as_ref().unwrap();
            let visible = |path: FieldPath| KYC.allows(document.doc_type(), path);
            let filtered = crate::output::display::retain_fields(
                crate::output::display::sections(&document),
                |member, field| visible(FieldPath { member, field }),
            );
            let report = DisclosedReport::new(&result, &KYC).report;
            assert_eq!(report.display, Some(filtered));
            let warnings: Vec<WarningReport> = verified
                .warnings()
                .iter()
                .filter(|w| !w.is_about_document() || visible(w.field()))
                .map(WarningReport::from)
                .collect();
            assert_eq!(report.warnings, warnings);
        }
    }

    #[test]
    fn a_layout_nobody_may_see_is_not_made() {
        let (ktp, kk) = full_documents();
        let age = Document::AgeOver17(crate::model::document::AgeProfile { age_over_17: true });
        for document in [ktp, kk, age] {
            let result = verified(&document);
            for purpose in PURPOSES {
                let visible = |member, field| {
                    purpose.allows(document.doc_type(), FieldPath { member, field })
                };
                let kept = crate::output::display::retain_fields(
                    crate::output::display::sections(&document),
                    visible,
                );
                assert_eq!(
                    purpose.sees_nothing_of(&document),
                    kept.is_empty(),
                    "{}",
                    purpose.name
                );
                let report = DisclosedReport::new(&result, purpose).report;
                assert_eq!(report.display, (!kept.is_empty()).then_some(kept));
            }
        }
    }

    #[test]
    fn kyc_sees_everything() {
        let (ktp, kk) = full_documents();
        for document in [ktp, kk] {
            let result = verified(&document);
            let report = DisclosedReport::new(&result, &KYC);
            let full = serde_json::to_value(&document).unwrap();
            assert_eq!(Value::Object(report.document.unwrap().to_map()), full);
            let direct: Value = serde_json::from_str(
                &serde_json::to_string(&disclose(result.as_ref().unwrap(), &KYC).document).unwrap(),
            )
            .unwrap();
            assert_eq!(direct, full, "written straight, the same JSON");
            assert_eq!(report.age_over_17, None);
            assert_eq!(report.purpose, "kyc");
        }
    }

    #[test]
    fn the_age_profile_is_an_answer_for_age_checks_and_a_field_for_kyc() {
        let age = Document::AgeOver17(crate::model::document::AgeProfile { age_over_17: true });
        let result = verified(&age);
        let check = DisclosedReport::new(&result, &AGE_CHECK);
        assert_eq!((check.age_over_17, check.document), (Some(true), None));
        let kyc = DisclosedReport::new(&result, &KYC);
        assert_eq!(kyc.age_over_17, None);
        assert_eq!(kyc.document.unwrap().to_map()["age_over_17"], true);
        assert_eq!(
            kyc.report.display.unwrap()[0].fields[0].field,
            "age_over_17"
        );
        let domicile = DisclosedReport::new(&result, &DOMICILE);
        assert_eq!((domicile.age_over_17, domicile.document), (None, None));
        assert_eq!(domicile.report.display, None);
    }

    #[test]
    fn identity_and_domicile_see_their_fields_only() {
        let (ktp, kk) = full_documents();
        let ktp_result = verified(&ktp);
        let kk_result = verified(&kk);
        let doc = |result, purpose| {
            Value::Object(
                DisclosedReport::new(result, purpose)
                    .document
                    .unwrap()
                    .to_map(),
            )
        };

        let identity = doc(&ktp_result, &IDENTITY);
        let expected: BTreeSet<String> = ["type", "nik", "nama", "tanggal_lahir", "foto"]
            .map(String::from)
            .into();
        assert_eq!(keys(&identity), expected);
        assert_eq!(identity["nik"], "3273015708920003");

        let identity = doc(&kk_result, &IDENTITY);
        assert_eq!(
            keys(&identity),
            ["anggota", "type"].map(String::from).into()
        );
        let members = identity["anggota"].as_array().unwrap();
        assert_eq!(members.len(), 4);
        for member in members {
            assert_eq!(
                keys(member),
                ["nama", "nik", "tanggal_lahir"].map(String::from).into()
            );
        }

        for result in [&ktp_result, &kk_result] {
            let domicile = doc(result, &DOMICILE);
            assert_eq!(
                keys(&domicile),
                ["alamat", "kode_wilayah", "rt", "rw", "type"]
                    .map(String::from)
                    .into()
            );
        }
    }

    #[test]
    fn age_check_sees_no_field() {
        let (ktp, kk) = full_documents();
        let report = DisclosedReport::new(&verified(&ktp), &AGE_CHECK);
        assert_eq!((report.document, report.age_over_17), (None, Some(true)));
        let json = report.report.to_json();
        assert!(!json.contains("3273015708920003") && !json.contains("SITI"));
        // A KK has several holders: no single age to state.
        let report = DisclosedReport::new(&verified(&kk), &AGE_CHECK);
        assert_eq!((report.document, report.age_over_17), (None, None));
    }

    #[test]
    fn warnings_and_layout_show_only_visible_fields() {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            // A birth date the NIK disagrees with: a warning on the nik field.
            ktp.tanggal_lahir = Date::parse("1992-08-18").unwrap();
        }
        let result = verified(&ktp);
        let full = DisclosedReport::new(&result, &KYC);
        assert_eq!(full.report.warnings.len(), 1);
        let age = DisclosedReport::new(&result, &AGE_CHECK);
        assert!(age.report.warnings.is_empty(), "the NIK is not visible");
        assert_eq!(age.report.display, None);
        let identity = DisclosedReport::new(&result, &IDENTITY);
        assert_eq!(identity.report.warnings.len(), 1);
        let rows: Vec<DisplayText> = identity.report.display.unwrap()[0]
            .fields
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(rows, ["nik", "nama", "tanggal_lahir"]);
        let json = DisclosedReport::new(&result, &DOMICILE).to_json();
        assert!(!json.contains("SITI") && !json.contains("3273015708920003"));
        assert!(
            json.contains("Gegerkalong"),
            "region names are shown for domicile"
        );
    }

    #[test]
    fn age_over_17_uses_the_verification_time() {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            // 17 on 2026-09-22 (NIK consistency is only a warning).
            ktp.tanggal_lahir = Date::parse("2009-09-22").unwrap();
        }
        let before = DisclosedReport::new(&verified_at(&ktp, NOW), &AGE_CHECK);
        assert_eq!(before.age_over_17, Some(false));
        let next_day = UnixTime(NOW.0 + 86_400);
        let after = DisclosedReport::new(&verified_at(&ktp, next_day), &AGE_CHECK);
        assert_eq!(after.age_over_17, Some(true));
    }

    #[test]
    fn a_rejection_discloses_nothing_and_reads_back() {
        let result = verify("IKD1:garbage", &TrustStore::new(), NOW, &Policy::default());
        for purpose in PURPOSES {
            let report = DisclosedReport::new(&result, purpose);
            assert_eq!((report.document.as_ref(), report.age_over_17), (None, None));
            let json = report.to_json();
            let value: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["verdict"], "rejected");
            assert_eq!(value["purpose"], purpose.name);
            let back: DisclosedReport = serde_json::from_str(&json).unwrap();
            assert_eq!(back, report);
        }
        let (ktp, _) = full_documents();
        let report = DisclosedReport::new(&verified(&ktp), &IDENTITY);
        let back: DisclosedReport = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(back, report);
    }
}
