//! Purpose profiles: small credentials for one purpose, so a verifier sees only
//! what its purpose needs (UU 27/2022) and the QR code stays small. Their fields carry the
//! names and checks of the same fields on a KTP-el.

use super::check::Checker;
use super::fields::{FieldReader, FieldWriter};
use super::ktp::portrait_base64;
use crate::codes::{FieldPath, Reason, Warning};
use crate::model::nik::{self, Nik};
use ciborium::Value;

/// Identity profile field names by CBOR key; key 0 is the document type.
pub(crate) const IDENTITY_NAMES: [&str; 4] = ["type", "nik", "nama", "foto"];
/// Age profile field names by CBOR key.
pub(crate) const AGE_NAMES: [&str; 2] = ["type", "age_over_17"];
/// Domicile profile field names by CBOR key.
pub(crate) const DOMICILE_NAMES: [&str; 5] = ["type", "alamat", "rt", "rw", "kode_wilayah"];

/// Identity: who the holder is, with the portrait to compare with the face at the counter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityProfile {
    /// Nomor Induk Kependudukan.
    pub nik: Nik,
    /// Nama, as printed on the KTP-el.
    pub nama: String,
    /// Foto: a small portrait (biometric data under UU 27/2022); optional, since it
    /// makes the QR code much larger.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "portrait_base64"
    )]
    pub foto: Option<Vec<u8>>,
}

/// Age: whether the holder was at least 17 when the issuer signed, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeProfile {
    /// At least 17 years old (the age of majority for a KTP-el).
    pub age_over_17: bool,
}

/// Domicile: where the holder lives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomicileProfile {
    /// Alamat (street address line).
    pub alamat: String,
    /// RT (rukun tetangga).
    pub rt: u16,
    /// RW (rukun warga).
    pub rw: u16,
    /// Kode wilayah: the 10-digit desa/kelurahan code.
    pub kode_wilayah: u64,
}

impl IdentityProfile {
    pub(crate) fn to_cbor_value(&self) -> Value {
        let mut w = FieldWriter::default();
        w.put(0, super::DocType::Identity.number())
            .put(1, self.nik.0)
            .put(2, self.nama.as_str())
            .put_opt(3, self.foto.clone().map(Value::Bytes));
        w.finish()
    }

    /// Builds the document from its fields (read by [`super::fields::read_flat`]).
    pub(crate) fn from_fields(r: &FieldReader<'_, 4>) -> Result<Self, Reason> {
        r.known_keys()?;
        Ok(IdentityProfile {
            nik: r.nik(1)?,
            nama: r.text(2)?,
            foto: r.opt_bytes(3)?,
        })
    }

    pub(crate) fn check_content(&self, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        let c = Checker { member: None };
        let nik_field = FieldPath::top("nik");
        nik::check_nik(self.nik, nik_field)?;
        c.text("nama", &self.nama)?;
        c.portrait("foto", self.foto.as_deref())?;
        nik::check_region(self.nik, nik_field, warnings);
        Ok(())
    }
}

impl AgeProfile {
    pub(crate) fn to_cbor_value(self) -> Value {
        let mut w = FieldWriter::default();
        w.put(0, super::DocType::AgeOver17.number())
            .put(1, self.age_over_17);
        w.finish()
    }

    /// Builds the document from its fields (read by [`super::fields::read_flat`]).
    pub(crate) fn from_fields(r: &FieldReader<'_, 2>) -> Result<Self, Reason> {
        r.known_keys()?;
        Ok(AgeProfile {
            age_over_17: r.bool(1)?,
        })
    }
}

impl DomicileProfile {
    pub(crate) fn to_cbor_value(&self) -> Value {
        let mut w = FieldWriter::default();
        w.put(0, super::DocType::Domicile.number())
            .put(1, self.alamat.as_str())
            .put(2, self.rt)
            .put(3, self.rw)
            .put(4, self.kode_wilayah);
        w.finish()
    }

    /// Builds the document from its fields (read by [`super::fields::read_flat`]).
    pub(crate) fn from_fields(r: &FieldReader<'_, 5>) -> Result<Self, Reason> {
        r.known_keys()?;
        Ok(DomicileProfile {
            alamat: r.text(1)?,
            rt: r.uint(2)?,
            rw: r.uint(3)?,
            kode_wilayah: r.uint(4)?,
        })
    }

    pub(crate) fn check_content(&self, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        let c = Checker { member: None };
        c.text("alamat", &self.alamat)?;
        c.rt_rw("rt", self.rt)?;
        c.rt_rw("rw", self.rw)?;
        c.kode_wilayah("kode_wilayah", self.kode_wilayah)?;
        c.known_desa("kode_wilayah", self.kode_wilayah, warnings);
        Ok(())
    }
}

/// The profiles an issuer derives from a KTP-el, for the same holder.
impl super::Ktp {
    /// The identity profile of this card: NIK and name, and the portrait if `with_portrait`.
    pub fn identity_profile(&self, with_portrait: bool) -> IdentityProfile {
        IdentityProfile {
            nik: self.nik,
            nama: self.nama.clone(),
            foto: self.foto.clone().filter(|_| with_portrait),
        }
    }

    /// The age profile on `date`: whether the holder is at least 17 then.
    pub fn age_profile(&self, date: crate::model::time::Date) -> AgeProfile {
        AgeProfile {
            age_over_17: crate::model::time::age_at_least(
                self.tanggal_lahir,
                date,
                crate::model::time::AGE_OF_MAJORITY,
            ),
        }
    }

    /// The domicile profile: address, RT, RW and region code.
    pub fn domicile_profile(&self) -> DomicileProfile {
        DomicileProfile {
            alamat: self.alamat.clone(),
            rt: self.rt,
            rw: self.rw,
            kode_wilayah: self.kode_wilayah,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::document::Document;

    fn ktp() -> super::super::Ktp {
        match serde_json::from_str(crate::model::samples::KTP_JSON) {
            Ok(Document::Ktp(ktp)) => ktp,
            other => panic!("sample is not a KTP-el: {other:?}"),
        }
    }

    #[test]
    fn profiles_round_trip_through_cbor_and_json() {
        let ktp = ktp();
        let today = crate::model::time::Date::parse("2026-11-23").unwrap();
        for document in [
            Document::Identity(ktp.identity_profile(false)),
            Document::AgeOver17(ktp.age_profile(today)),
            Document::Domicile(ktp.domicile_profile()),
        ] {
            let bytes = crate::wire::cbor::encode(&document.to_cbor_value());
            assert_eq!(Document::decode_cbor(&bytes).unwrap(), document);
            let json = serde_json::to_string(&document).unwrap();
            assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), document);
            document.check_content(&mut Vec::new()).unwrap();
        }
    }

    #[test]
    fn json_type_names_equal_the_stable_names() {
        let age = Document::AgeOver17(AgeProfile { age_over_17: true });
        let json = serde_json::to_value(&age).unwrap();
        assert_eq!(
            json["type"],
            crate::model::document::DocType::AgeOver17.name()
        );
        assert_eq!(
            serde_json::to_value(crate::model::document::DocType::AgeOver17).unwrap(),
            "age_over_17"
        );
    }

    #[test]
    fn age_is_computed_on_the_given_date() {
        // Born 1992-08-17: 17 on 2009-08-17.
        let ktp = ktp();
        let day = |d| crate::model::time::Date::parse(d).unwrap();
        assert!(!ktp.age_profile(day("2009-08-16")).age_over_17);
        assert!(ktp.age_profile(day("2009-08-17")).age_over_17);
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_malformed() {
        // {0: 4, 1: 1}: the age is a number, not a bool.
        assert_eq!(
            Document::decode_cbor(&[0xA2, 0x00, 0x04, 0x01, 0x01]).unwrap_err(),
            Reason::DocumentMalformed {
                field: FieldPath::top("age_over_17")
            }
        );
        // {0: 4, 1: true, 2: 0}: key 2 is not a field of the age profile.
        assert_eq!(
            Document::decode_cbor(&[0xA3, 0x00, 0x04, 0x01, 0xF5, 0x02, 0x00]).unwrap_err(),
            Reason::DocumentMalformed {
                field: FieldPath::top("unknown_field")
            }
        );
    }
}
