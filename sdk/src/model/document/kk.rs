//! Kartu Keluarga: the header and one entry per family member.

use super::check::Checker;
use super::fields::{FieldReader, FieldWriter, no_arrays};
use crate::codes::{FieldPath, Reason, Warning};
use crate::model::nik::{self, Nik};
use crate::model::siak::SiakList;
use crate::model::time::Date;
use crate::wire::cbor::{MapKeys, Reader, Token};
use crate::wire::limits::MAX_KK_MEMBERS;
use ciborium::Value;

/// Header field names by CBOR key; key 0 is the document type.
pub(crate) const NAMES: [&str; 10] = [
    "type",
    "nomor_kk",
    "kepala_keluarga",
    "alamat",
    "rt",
    "rw",
    "kode_pos",
    "kode_wilayah",
    "tanggal_dikeluarkan",
    "anggota",
];

/// The key of the member list.
const ANGGOTA: usize = 9;

/// Member field names by CBOR key; key 0 is unused.
pub(crate) const MEMBER_NAMES: [&str; 18] = [
    "unused",
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "agama",
    "pendidikan",
    "pekerjaan",
    "golongan_darah",
    "status_perkawinan",
    "tanggal_perkawinan",
    "shdk",
    "kewarganegaraan",
    "nomor_paspor",
    "nomor_kitap",
    "nama_ayah",
    "nama_ibu",
];

/// A Kartu Keluarga (family card).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kk {
    /// Nomor KK.
    pub nomor_kk: Nik,
    /// Nama kepala keluarga (head of family).
    pub kepala_keluarga: String,
    /// Alamat.
    pub alamat: String,
    /// RT.
    pub rt: u16,
    /// RW.
    pub rw: u16,
    /// Kode pos (postal code).
    pub kode_pos: u32,
    /// Kode wilayah: the 10-digit desa/kelurahan code.
    pub kode_wilayah: u64,
    /// Tanggal dikeluarkan (date of issue).
    pub tanggal_dikeluarkan: Date,
    /// Anggota keluarga (family members), in the order printed.
    pub anggota: Vec<KkMember>,
}

/// One row of a Kartu Keluarga.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KkMember {
    /// NIK.
    pub nik: Nik,
    /// Nama lengkap.
    pub nama: String,
    /// Jenis kelamin, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::jenis_kelamin")]
    pub jenis_kelamin: u8,
    /// Tempat lahir.
    pub tempat_lahir: String,
    /// Tanggal lahir.
    pub tanggal_lahir: Date,
    /// Agama, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::agama")]
    pub agama: u8,
    /// Pendidikan, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::pendidikan")]
    pub pendidikan: u8,
    /// Jenis pekerjaan, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::pekerjaan")]
    pub pekerjaan: u8,
    /// Golongan darah, SIAK code; absent when unknown.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::model::siak::serde_code::opt_golongan_darah"
    )]
    pub golongan_darah: Option<u8>,
    /// Status perkawinan, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::status_perkawinan")]
    pub status_perkawinan: u8,
    /// Tanggal perkawinan, when married.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tanggal_perkawinan: Option<Date>,
    /// Status hubungan dalam keluarga, SIAK code.
    #[serde(deserialize_with = "crate::model::siak::serde_code::shdk")]
    pub shdk: u8,
    /// Kewarganegaraan: 1 WNI, 2 WNA.
    pub kewarganegaraan: u8,
    /// Nomor paspor, for foreign nationals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nomor_paspor: Option<String>,
    /// Nomor KITAP, for foreign nationals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nomor_kitap: Option<String>,
    /// Nama ayah (father's name).
    pub nama_ayah: String,
    /// Nama ibu (mother's name).
    pub nama_ibu: String,
}

impl Kk {
    pub(crate) fn to_cbor_value(&self) -> Value {
        let mut w = FieldWriter::default();
        w.put(0, super::DocType::Kk.number())
            .put(1, self.nomor_kk.0)
            .put(2, self.kepala_keluarga.as_str())
            .put(3, self.alamat.as_str())
            .put(4, self.rt)
            .put(5, self.rw)
            .put(6, self.kode_pos)
            .put(7, self.kode_wilayah)
            .date(8, self.tanggal_dikeluarkan)
            .put(
                9,
                Value::Array(self.anggota.iter().map(KkMember::to_cbor_value).collect()),
            );
        w.finish()
    }

    /// Reads the fields after the type, the members as they come; the outer error is a
    /// CBOR one.
    pub(crate) fn read<'a>(
        reader: &mut Reader<'a>,
        keys: &mut MapKeys<'a>,
        count: usize,
        depth: usize,
    ) -> Result<Result<Self, Reason>, Reason> {
        let mut members = Ok(Vec::new());
        let r = FieldReader::read(
            reader,
            keys,
            count,
            depth,
            &NAMES,
            None,
            |reader, key, len, depth| {
                if key != ANGGOTA {
                    return Ok(false);
                }
                members = KkMember::read_all(reader, len, depth)?;
                Ok(true)
            },
        )?;
        Ok(Self::from_fields(&r, members))
    }

    /// The header's problems come before any member's, as the fields are in key order.
    fn from_fields(
        r: &FieldReader<'_, 10>,
        members: Result<Vec<KkMember>, Reason>,
    ) -> Result<Self, Reason> {
        r.known_keys()?;
        let header = Kk {
            nomor_kk: r.nik(1)?,
            kepala_keluarga: r.text(2)?,
            alamat: r.text(3)?,
            rt: r.uint(4)?,
            rw: r.uint(5)?,
            kode_pos: r.uint(6)?,
            kode_wilayah: r.uint(7)?,
            tanggal_dikeluarkan: r.date(8)?,
            anggota: Vec::new(),
        };
        let len = r.array(ANGGOTA)?;
        if len == 0 || len > MAX_KK_MEMBERS {
            return Err(Reason::DocumentMalformed {
                field: FieldPath::top("anggota"),
            });
        }
        Ok(Kk {
            anggota: members?,
            ..header
        })
    }

    pub(crate) fn check_content(&self, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        let c = Checker { member: None };
        nik::check_nomor_kk(self.nomor_kk, FieldPath::top("nomor_kk"))?;
        c.text("kepala_keluarga", &self.kepala_keluarga)?;
        c.text("alamat", &self.alamat)?;
        c.rt_rw("rt", self.rt)?;
        c.rt_rw("rw", self.rw)?;
        c.kode_pos("kode_pos", self.kode_pos)?;
        c.kode_wilayah("kode_wilayah", self.kode_wilayah)?;
        c.date("tanggal_dikeluarkan", self.tanggal_dikeluarkan)?;
        if self.anggota.is_empty() || self.anggota.len() > MAX_KK_MEMBERS {
            return Err(Reason::FieldInvalid {
                field: FieldPath::top("anggota"),
            });
        }
        for (i, member) in self.anggota.iter().enumerate() {
            member.check_content(member_index(i), warnings)?;
        }
        c.known_desa("kode_wilayah", self.kode_wilayah, warnings);
        Ok(())
    }
}

fn member_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

impl KkMember {
    fn to_cbor_value(&self) -> Value {
        let mut w = FieldWriter::default();
        w.put(1, self.nik.0)
            .put(2, self.nama.as_str())
            .put(3, self.jenis_kelamin)
            .put(4, self.tempat_lahir.as_str())
            .date(5, self.tanggal_lahir)
            .put(6, self.agama)
            .put(7, self.pendidikan)
            .put(8, self.pekerjaan)
            .put_opt(9, self.golongan_darah)
            .put(10, self.status_perkawinan);
        if let Some(date) = self.tanggal_perkawinan {
            w.date(11, date);
        }
        w.put(12, self.shdk)
            .put(13, self.kewarganegaraan)
            .put_opt(14, self.nomor_paspor.as_deref())
            .put_opt(15, self.nomor_kitap.as_deref())
            .put(16, self.nama_ayah.as_str())
            .put(17, self.nama_ibu.as_str());
        w.finish()
    }

    /// Reads the `len` items of the member array, at `depth`: the members, or the first
    /// member's problem. The outer error is a CBOR one.
    fn read_all(
        reader: &mut Reader<'_>,
        len: usize,
        depth: usize,
    ) -> Result<Result<Vec<KkMember>, Reason>, Reason> {
        if len > MAX_KK_MEMBERS {
            // Refused for its length whatever the members hold.
            reader.skip_items(len, depth)?;
            return Ok(Ok(Vec::new()));
        }
        let mut members = Vec::with_capacity(len);
        let mut problem = None;
        for i in 0..len {
            let token = reader.token()?;
            if problem.is_some() {
                reader.skip_contents(token, depth)?;
                continue;
            }
            match KkMember::read(reader, token, depth, member_index(i))? {
                Ok(member) => members.push(member),
                Err(reason) => problem = Some(reason),
            }
        }
        Ok(problem.map_or(Ok(members), Err))
    }

    /// Reads one member whose first head, `token`, was just read at `depth`.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn read(
        reader: &mut Reader<'_>,
        token: Token<'_>,
        depth: usize,
        index: u16,
    ) -> Result<Result<Self, Reason>, Reason> {
        let Token::Map(count) = token else {
            reader.skip_contents(token, depth)?;
            return Ok(Err(Reason::DocumentMalformed {
                field: FieldPath::member(index, "anggota"),
            }));
        };
        let depth = reader.deeper(depth)?;
        let mut keys = reader.map_keys();
        let r = FieldReader::read(
            reader,
            &mut keys,
            count,
            depth,
            &MEMBER_NAMES,
            Some(index),
            no_arrays,
        )?;
        Ok(Self::from_fields(&r, index))
    }

    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn from_fields(r: &FieldReader<'_, 18>, index: u16) -> Result<Self, Reason> {
        r.known_keys()?;
        if r.get(0).is_some() {
            return Err(Reason::DocumentMalformed {
                field: FieldPath::member(index, "unknown_field"),
            });
        }
        Ok(KkMember {
            nik: r.nik(1)?,
            nama: r.text(2)?,
            jenis_kelamin: r.uint(3)?,
            tempat_lahir: r.text(4)?,
            tanggal_lahir: r.date(5)?,
            agama: r.uint(6)?,
            pendidikan: r.uint(7)?,
            pekerjaan: r.uint(8)?,
            golongan_darah: r.opt_uint(9)?,
            status_perkawinan: r.uint(10)?,
            tanggal_perkawinan: r.opt_date(11)?,
            shdk: r.uint(12)?,
            kewarganegaraan: r.uint(13)?,
            nomor_paspor: r.opt_text(14)?,
            nomor_kitap: r.opt_text(15)?,
            nama_ayah: r.text(16)?,
            nama_ibu: r.text(17)?,
        })
    }

    fn check_content(&self, index: u16, warnings: &mut Vec<Warning>) -> Result<(), Reason> {
        let c = Checker {
            member: Some(index),
        };
        let nik_field = FieldPath::member(index, "nik");
        let facts = nik::check_nik(self.nik, nik_field)?;
        c.text("nama", &self.nama)?;
        c.siak("jenis_kelamin", SiakList::JenisKelamin, self.jenis_kelamin)?;
        c.text("tempat_lahir", &self.tempat_lahir)?;
        c.date("tanggal_lahir", self.tanggal_lahir)?;
        c.siak("agama", SiakList::Agama, self.agama)?;
        c.siak("pendidikan", SiakList::Pendidikan, self.pendidikan)?;
        c.siak("pekerjaan", SiakList::Pekerjaan, self.pekerjaan)?;
        if let Some(code) = self.golongan_darah {
            c.siak("golongan_darah", SiakList::GolonganDarah, code)?;
        }
        c.siak(
            "status_perkawinan",
            SiakList::StatusPerkawinan,
            self.status_perkawinan,
        )?;
        if let Some(date) = self.tanggal_perkawinan {
            c.date("tanggal_perkawinan", date)?;
        }
        c.siak("shdk", SiakList::Shdk, self.shdk)?;
        c.kewarganegaraan("kewarganegaraan", self.kewarganegaraan)?;
        c.opt_text("nomor_paspor", self.nomor_paspor.as_deref())?;
        c.opt_text("nomor_kitap", self.nomor_kitap.as_deref())?;
        c.text("nama_ayah", &self.nama_ayah)?;
        c.text("nama_ibu", &self.nama_ibu)?;
        nik::check_consistency(
            facts,
            self.tanggal_lahir,
            Some(self.jenis_kelamin == 2),
            nik_field,
            warnings,
        );
        nik::check_region(self.nik, nik_field, warnings);
        Ok(())
    }
}
