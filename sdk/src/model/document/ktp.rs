//! KTP-el: every field printed on the card.

use super::check::Checker;
use super::fields::{FieldReader, FieldWriter};
use crate::codes::{FieldPath, Reason, Warning};
use crate::model::nik::{self, Nik};
use crate::model::siak::SiakList;
use crate::model::time::Date;
use ciborium::Value;

/// Field names by CBOR key; key 0 is the document type.
pub(crate) const NAMES: [&str; 19] = [
    "type",
    "nik",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "golongan_darah",
    "alamat",
    "rt",
    "rw",
    "kode_wilayah",
    "agama",
    "status_perkawinan",
    "pekerjaan",
    "kewarganegaraan",
    "berlaku_hingga",
    "tempat_dikeluarkan",
    "tanggal_dikeluarkan",
    "foto",
];

/// How long a KTP-el is valid: since 2014 for life, before that until a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BerlakuHingga {
    /// "SEUMUR HIDUP": valid for life.
    SeumurHidup,
    /// Valid until this date.
    Tanggal(Date),
}

impl serde::Serialize for BerlakuHingga {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            BerlakuHingga::SeumurHidup => serializer.serialize_str("SEUMUR HIDUP"),
            BerlakuHingga::Tanggal(date) => date.serialize(serializer),
        }
    }
}

impl<'de> serde::Deserialize<'de> for BerlakuHingga {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == "SEUMUR HIDUP" {
            return Ok(BerlakuHingga::SeumurHidup);
        }
        Date::parse(&text)
            .map(BerlakuHingga::Tanggal)
            .ok_or_else(|| serde::de::Error::custom("expected \"SEUMUR HIDUP\" or YYYY-MM-DD"))
    }
}

/// A KTP-el (Kartu Tanda Penduduk elektronik).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ktp {
    /// Nomor Induk Kependudukan.
    pub nik: Nik,
    /// Nama (full name as printed).
    pub nama: String,
    /// Tempat lahir (place of birth).
    pub tempat_lahir: String,
    /// Tanggal lahir (date of birth).
    pub tanggal_lahir: Date,
    /// Jenis kelamin, SIAK code (1 laki-laki, 2 perempuan).
    #[serde(deserialize_with = "crate::model::siak::serde_code::jenis_kelamin")]
    pub jenis_kelamin: u8,
    /// Golongan darah, SIAK code; absent when the card prints "-".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::model::siak::serde_code::opt_golongan_darah"
    )]
    pub golongan_darah: Option<u8>,
    /// Alamat (street address line).
    pub alamat: String,
    /// RT (rukun tetangga).
    pub rt: u16,
    /// RW (rukun warga).
    pub rw: u16,
    /// Kode wilayah: the 10-digit desa/kelurahan code.
    pub kode_wilayah: u64,
    /// Agama, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::agama")]
    pub agama: u8,
    /// Status perkawinan, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::status_perkawinan")]
    pub status_perkawinan: u8,
    /// Pekerjaan, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::pekerjaan")]
    pub pekerjaan: u8,
    /// Kewarganegaraan: 1 WNI, 2 WNA.
    pub kewarganegaraan: u8,
    /// Berlaku hingga (valid until).
    pub berlaku_hingga: BerlakuHingga,
    /// Tempat dikeluarkan: the 4-digit kabupaten/kota code of the issuing office.
    pub tempat_dikeluarkan: u16,
    /// Tanggal dikeluarkan (date of issue).
    pub tanggal_dikeluarkan: Date,
    /// Foto: a small JPEG or WebP portrait (biometric data under UU 27/2022).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "portrait_base64"
    )]
    pub foto: Option<Vec<u8>>,
}

impl Ktp {
    pub(crate) fn to_cbor_value(&self) -> Value {
        let mut w = FieldWriter::default();
        w.put(0, super::DocType::Ktp.number())
            .put(1, self.nik.0)
            .put(2, self.nama.as_str())
            .put(3, self.tempat_lahir.as_str())
            .date(4, self.tanggal_lahir)
            .put(5, self.jenis_kelamin)
            .put_opt(6, self.golongan_darah)
            .put(7, self.alamat.as_str())
            .put(8, self.rt)
            .put(9, self.rw)
            .put(10, self.kode_wilayah)
            .put(11, self.agama)
            .put(12, self.status_perkawinan)
            .put(13, self.pekerjaan)
            .put(14, self.kewarganegaraan);
        match self.berlaku_hingga {
            BerlakuHingga::SeumurHidup => w.put(15, Value::Null),
            BerlakuHingga::Tanggal(date) => w.date(15, date),
        };
        w.put(16, self.tempat_dikeluarkan)
            .date(17, self.tanggal_dikeluarkan)
            .put_opt(18, self.foto.clone().map(Value::Bytes));
        w.finish()
    }

    /// Builds the document from its fields (read by [`super::fields::read_flat`]).
    pub(crate) fn from_fields(r: &FieldReader<'_, 19>) -> Result<Self, Reason> {
        r.known_keys()?;
        Ok(Ktp {
            nik: r.nik(1)?,
            nama: r.text(2)?,
            tempat_lahir: r.text(3)?,
            tanggal_lahir: r.date(4)?,
            jenis_kelamin: r.uint(5)?,
            golongan_darah: r.opt_uint(6)?,
            alamat: r.text(7)?,
            rt: r.uint(8)?,
            rw: r.uint(9)?,
            kode_wilayah: r.uint(10)?,
            agama: r.uint(11)?,
            status_perkawinan: r.uint(12)?,
            pekerjaan: r.uint(13)?,
            kewarganegaraan: r.uint(14)?,
            berlaku_hingga: r
                .date_or_null(15)?
                .map_or(BerlakuHingga::SeumurHidup, BerlakuHingga::Tanggal),
            tempat_dikeluarkan: r.uint(16)?,
            tanggal_dikeluarkan: r.date(17)?,
            foto: r.opt_bytes(18)?,
        })
    }

    pub(crate) fn check_content(&self, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        let c = Checker { member: None };
        let nik_field = FieldPath::top("nik");
        let facts = nik::check_nik(self.nik, nik_field)?;
        c.text("nama", &self.nama)?;
        c.text("tempat_lahir", &self.tempat_lahir)?;
        c.date("tanggal_lahir", self.tanggal_lahir)?;
        c.siak("jenis_kelamin", SiakList::JenisKelamin, self.jenis_kelamin)?;
        if let Some(code) = self.golongan_darah {
            c.siak("golongan_darah", SiakList::GolonganDarah, code)?;
        }
        c.text("alamat", &self.alamat)?;
        c.rt_rw("rt", self.rt)?;
        c.rt_rw("rw", self.rw)?;
        c.kode_wilayah("kode_wilayah", self.kode_wilayah)?;
        c.siak("agama", SiakList::Agama, self.agama)?;
        c.siak(
            "status_perkawinan",
            SiakList::StatusPerkawinan,
            self.status_perkawinan,
        )?;
        c.siak("pekerjaan", SiakList::Pekerjaan, self.pekerjaan)?;
        c.kewarganegaraan("kewarganegaraan", self.kewarganegaraan)?;
        if let BerlakuHingga::Tanggal(date) = self.berlaku_hingga {
            c.date("berlaku_hingga", date)?;
        }
        c.kode_kabupaten("tempat_dikeluarkan", self.tempat_dikeluarkan)?;
        c.date("tanggal_dikeluarkan", self.tanggal_dikeluarkan)?;
        c.portrait("foto", self.foto.as_deref())?;
        nik::check_consistency(
            facts,
            self.tanggal_lahir,
            Some(self.jenis_kelamin == 2),
            nik_field,
            warnings,
        );
        nik::check_region(self.nik, nik_field, warnings);
        c.known_desa("kode_wilayah", self.kode_wilayah, warnings);
        c.known_kabupaten("tempat_dikeluarkan", self.tempat_dikeluarkan, warnings);
        Ok(())
    }
}

/// Portraits travel in JSON as standard Base64.
pub(crate) mod portrait_base64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_str(&crate::wire::encoding::base64_encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|t| {
            crate::wire::encoding::base64_decode(&t)
                .ok_or_else(|| serde::de::Error::custom("expected standard Base64"))
        })
        .transpose()
    }
}
