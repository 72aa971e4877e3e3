//! A document as people know it: labelled fields as printed on the KTP-el and the KK,
//! SIAK codes as their labels, region codes as names.
//!
//! Every field keeps its code beside its label, so a screen can show the label and a
//! program can still compare codes.

use crate::model::document::{
    AgeProfile, BerlakuHingga, Document, DomicileProfile, IdentityProfile, Kk, KkMember, Ktp,
};
use crate::model::siak::SiakList;
use crate::model::time::Date;
use crate::model::wilayah;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A display text: borrowed when it is fixed (field names, labels, SIAK labels, region
/// names), owned when it comes from the document. A KK's rows hold a few hundred texts,
/// and most are fixed, so most cost no allocation.
pub type DisplayText = Cow<'static, str>;

/// One labelled field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayField {
    /// The field's name in the document's JSON form (`agama`); a row made from two fields,
    /// or derived from one, has its own name (`rt_rw`, `kode_wilayah.kecamatan`).
    pub field: DisplayText,
    /// The label as printed on the card, in Bahasa Indonesia; absent when the caller asked
    /// for English rows only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_id: Option<DisplayText>,
    /// The label in English; absent when the caller asked for Indonesian rows only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<DisplayText>,
    /// The value as a person reads it.
    pub value: DisplayText,
    /// The code behind the value, for coded fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u64>,
}

/// A group of fields: the card itself, or one KK member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplaySection {
    /// The KK member (from 0) the section shows; absent for the card itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<u16>,
    /// Title in Bahasa Indonesia; absent when the caller asked for English rows only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_id: Option<DisplayText>,
    /// Title in English; absent when the caller asked for Indonesian rows only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<DisplayText>,
    /// The fields, in printed order.
    pub fields: Vec<DisplayField>,
}

/// The languages of the display rows' labels and titles in a verdict.
///
/// Values are the same in every choice (they are what the card prints); only the labels
/// and section titles are in one language, the other, or both. With `None` a verdict
/// carries no display rows at all: the document's fields and codes are still there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DisplayLanguages {
    /// No display rows.
    #[serde(rename = "none")]
    None,
    /// Labels and titles in Bahasa Indonesia only (`label_id`, `title_id`).
    #[serde(rename = "id")]
    Indonesian,
    /// Labels and titles in English only (`label_en`, `title_en`).
    #[serde(rename = "en")]
    English,
    /// Labels and titles in both languages: the SDK's default, and the form of the
    /// conformance vectors.
    #[default]
    #[serde(rename = "both")]
    Both,
}

impl DisplayLanguages {
    /// Every choice, in the order of its names.
    pub const ALL: [DisplayLanguages; 4] = [
        DisplayLanguages::None,
        DisplayLanguages::Indonesian,
        DisplayLanguages::English,
        DisplayLanguages::Both,
    ];

    /// The name a client sends: `none`, `id`, `en` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            DisplayLanguages::None => "none",
            DisplayLanguages::Indonesian => "id",
            DisplayLanguages::English => "en",
            DisplayLanguages::Both => "both",
        }
    }

    /// The choice named `name` (exactly as [`DisplayLanguages::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }

    fn indonesian(self) -> bool {
        matches!(self, DisplayLanguages::Indonesian | DisplayLanguages::Both)
    }

    fn english(self) -> bool {
        matches!(self, DisplayLanguages::English | DisplayLanguages::Both)
    }

    fn pick(
        self,
        id: impl Into<DisplayText>,
        en: impl Into<DisplayText>,
    ) -> (Option<DisplayText>, Option<DisplayText>) {
        (
            self.indonesian().then(|| id.into()),
            self.english().then(|| en.into()),
        )
    }
}

/// The document as labelled sections in both languages: one for a KTP-el; for a KK, the
/// header and then one per member.
pub fn sections(document: &Document) -> Vec<DisplaySection> {
    sections_in(document, DisplayLanguages::Both)
}

/// The document as labelled sections, labels and titles in `languages`; empty for
/// [`DisplayLanguages::None`] (nothing is laid out).
pub fn sections_in(document: &Document, languages: DisplayLanguages) -> Vec<DisplaySection> {
    let l = languages;
    match document {
        _ if l == DisplayLanguages::None => Vec::new(),
        Document::Ktp(ktp) => vec![ktp_section(ktp, l)],
        Document::Kk(kk) => {
            let mut sections = Vec::with_capacity(1 + kk.anggota.len());
            sections.push(kk_header(kk, l));
            sections.extend(
                kk.anggota
                    .iter()
                    .enumerate()
                    .map(|(i, m)| member_section(i, m, l)),
            );
            sections
        }
        Document::Identity(profile) => vec![identity_section(profile, l)],
        Document::AgeOver17(profile) => vec![age_section(*profile, l)],
        Document::Domicile(profile) => vec![domicile_section(profile, l)],
    }
}

fn section(
    member: Option<u16>,
    title_id: impl Into<DisplayText>,
    title_en: impl Into<DisplayText>,
    rows: Rows,
) -> DisplaySection {
    let (title_id, title_en) = rows.languages.pick(title_id, title_en);
    DisplaySection {
        member,
        title_id,
        title_en,
        fields: rows.fields,
    }
}

fn profile_section(title_id: &'static str, title_en: &'static str, rows: Rows) -> DisplaySection {
    section(None, title_id, title_en, rows)
}

fn identity_section(profile: &IdentityProfile, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    r.text("nik", "NIK", "Identity number", profile.nik.to_string());
    r.text("nama", "Nama", "Name", profile.nama.clone());
    profile_section("PROFIL IDENTITAS", "Identity profile", r)
}

fn age_section(profile: AgeProfile, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    let (value_id, value_en) = if profile.age_over_17 {
        ("YA", "yes")
    } else {
        ("TIDAK", "no")
    };
    r.text(
        "age_over_17",
        "Berusia 17 Tahun ke Atas",
        "Aged 17 or over",
        format!("{value_id} / {value_en}"),
    );
    profile_section("PROFIL USIA", "Age profile", r)
}

fn domicile_section(profile: &DomicileProfile, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    r.text("alamat", "Alamat", "Address", profile.alamat.clone());
    r.text(
        "rt_rw",
        "RT/RW",
        "RT/RW",
        format!("{:03}/{:03}", profile.rt, profile.rw),
    );
    r.region(profile.kode_wilayah, true);
    profile_section("PROFIL DOMISILI", "Domicile profile", r)
}

/// Dates as printed: `DD-MM-YYYY`.
pub fn printed_date(date: Date) -> String {
    match date.digits() {
        Some(digits) => crate::wire::encoding::ascii(&digits.day_first())
            .unwrap_or_default()
            .to_owned(),
        None => {
            let (y, m, d) = date.ymd();
            format!("{d:02}-{m:02}-{y:04}")
        }
    }
}

/// The label of a SIAK code, or the code itself marked unknown.
pub fn siak_label(list: SiakList, code: u8) -> String {
    siak_text(list, code).into_owned()
}

fn siak_text(list: SiakList, code: u8) -> DisplayText {
    list.label(code)
        .map_or_else(|| unknown_code(code), Cow::Borrowed)
}

/// A code no list names, shown as the code itself, marked unknown.
fn unknown_code(code: u8) -> DisplayText {
    Cow::Owned(format!("{code} (kode tidak dikenal)"))
}

/// The document fields a display row is made from.
fn sources(row: &str) -> &'static [&'static str] {
    match row {
        "rt_rw" => &["rt", "rw"],
        _ => &[],
    }
}

/// Keeps the rows whose every source field `visible(member, field)` allows, and drops the
/// sections left empty: how a purpose that may see only some fields sees the layout.
pub fn retain_fields(
    sections: Vec<DisplaySection>,
    visible: impl Fn(Option<u16>, &'static str) -> bool,
) -> Vec<DisplaySection> {
    sections
        .into_iter()
        .filter_map(|mut section| {
            let member = section.member;
            section.fields.retain(|row| match sources(&row.field) {
                [] => {
                    let own = row.field.split('.').next().unwrap_or("");
                    crate::model::document::field_name(own)
                        .is_some_and(|name| visible(member, name))
                }
                several => several.iter().all(|source| visible(member, source)),
            });
            (!section.fields.is_empty()).then_some(section)
        })
        .collect()
}

struct Rows {
    fields: Vec<DisplayField>,
    languages: DisplayLanguages,
}

impl Rows {
    fn new(languages: DisplayLanguages) -> Self {
        Rows {
            fields: Vec::with_capacity(24),
            languages,
        }
    }

    fn text(
        &mut self,
        field: &'static str,
        label_id: &'static str,
        label_en: &'static str,
        value: impl Into<DisplayText>,
    ) {
        let (label_id, label_en) = self.languages.pick(label_id, label_en);
        self.fields.push(DisplayField {
            field: Cow::Borrowed(field),
            label_id,
            label_en,
            value: value.into(),
            code: None,
        });
    }

    fn coded(
        &mut self,
        field: &'static str,
        label_id: &'static str,
        label_en: &'static str,
        value: impl Into<DisplayText>,
        code: u64,
    ) {
        let (label_id, label_en) = self.languages.pick(label_id, label_en);
        self.fields.push(DisplayField {
            field: Cow::Borrowed(field),
            label_id,
            label_en,
            value: value.into(),
            code: Some(code),
        });
    }

    fn siak(
        &mut self,
        field: &'static str,
        label_id: &'static str,
        label_en: &'static str,
        list: SiakList,
        code: u8,
    ) {
        self.coded(
            field,
            label_id,
            label_en,
            siak_text(list, code),
            u64::from(code),
        );
    }

    fn golongan_darah(&mut self, code: Option<u8>, label_id: &'static str) {
        match code {
            Some(code) => self.siak(
                "golongan_darah",
                label_id,
                "Blood type",
                SiakList::GolonganDarah,
                code,
            ),
            None => self.text("golongan_darah", label_id, "Blood type", "-"),
        }
    }

    fn kewarganegaraan(&mut self, code: u8) {
        let value = match code {
            1 => Cow::Borrowed("WNI"),
            2 => Cow::Borrowed("WNA"),
            other => unknown_code(other),
        };
        self.coded(
            "kewarganegaraan",
            "Kewarganegaraan",
            "Citizenship",
            value,
            u64::from(code),
        );
    }

    /// The desa code resolved to names; unknown codes show the code and the table version.
    fn region(&mut self, kode_wilayah: u64, with_upper_levels: bool) {
        let names = wilayah::resolve_desa(kode_wilayah);
        let unknown = || {
            Cow::Owned(format!(
                "{kode_wilayah} (tidak ada di {})",
                wilayah::TABLE_VERSION
            ))
        };
        let name = |pick: fn(&wilayah::RegionNames) -> &'static str| {
            names
                .as_ref()
                .map_or_else(unknown, |n| Cow::Borrowed(pick(n)))
        };
        self.coded(
            "kode_wilayah",
            "Kel/Desa",
            "Village",
            name(|n| n.desa_kelurahan),
            kode_wilayah,
        );
        self.text(
            "kode_wilayah.kecamatan",
            "Kecamatan",
            "District",
            name(|n| n.kecamatan),
        );
        if with_upper_levels {
            self.text(
                "kode_wilayah.kabupaten_kota",
                "Kabupaten/Kota",
                "Regency/City",
                name(|n| n.kabupaten_kota),
            );
            self.text(
                "kode_wilayah.provinsi",
                "Provinsi",
                "Province",
                name(|n| n.provinsi),
            );
        }
    }
}

fn ktp_section(ktp: &Ktp, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    r.text("nik", "NIK", "Identity number", ktp.nik.to_string());
    r.text("nama", "Nama", "Name", ktp.nama.clone());
    // The card prints "Tempat/Tgl Lahir" on one line; two rows let a purpose see the date
    // without the place.
    r.text(
        "tempat_lahir",
        "Tempat Lahir",
        "Place of birth",
        ktp.tempat_lahir.clone(),
    );
    r.text(
        "tanggal_lahir",
        "Tgl Lahir",
        "Date of birth",
        printed_date(ktp.tanggal_lahir),
    );
    r.siak(
        "jenis_kelamin",
        "Jenis Kelamin",
        "Sex",
        SiakList::JenisKelamin,
        ktp.jenis_kelamin,
    );
    r.golongan_darah(ktp.golongan_darah, "Gol. Darah");
    r.text("alamat", "Alamat", "Address", ktp.alamat.clone());
    r.text(
        "rt_rw",
        "RT/RW",
        "RT/RW",
        format!("{:03}/{:03}", ktp.rt, ktp.rw),
    );
    r.region(ktp.kode_wilayah, true);
    r.siak("agama", "Agama", "Religion", SiakList::Agama, ktp.agama);
    r.siak(
        "status_perkawinan",
        "Status Perkawinan",
        "Marital status",
        SiakList::StatusPerkawinan,
        ktp.status_perkawinan,
    );
    r.siak(
        "pekerjaan",
        "Pekerjaan",
        "Occupation",
        SiakList::Pekerjaan,
        ktp.pekerjaan,
    );
    r.kewarganegaraan(ktp.kewarganegaraan);
    let berlaku = match ktp.berlaku_hingga {
        BerlakuHingga::SeumurHidup => Cow::Borrowed("SEUMUR HIDUP"),
        BerlakuHingga::Tanggal(date) => Cow::Owned(printed_date(date)),
    };
    r.text("berlaku_hingga", "Berlaku Hingga", "Valid until", berlaku);
    let issued_in = wilayah::kabupaten_kota_name(ktp.tempat_dikeluarkan).map_or_else(
        || {
            format!(
                "{} (tidak ada di {})",
                ktp.tempat_dikeluarkan,
                wilayah::TABLE_VERSION
            )
        },
        // ASCII, as every kabupaten and kota name is (a test of the tables says so): the
        // Unicode case tables would add 16 KB to the WebAssembly module for nothing.
        |name| name.to_ascii_uppercase(),
    );
    r.coded(
        "tempat_dikeluarkan",
        "Tempat Dikeluarkan",
        "Place of issue",
        issued_in,
        u64::from(ktp.tempat_dikeluarkan),
    );
    r.text(
        "tanggal_dikeluarkan",
        "Tanggal Dikeluarkan",
        "Date of issue",
        printed_date(ktp.tanggal_dikeluarkan),
    );
    // The title names no region: a purpose that may not see the address must not learn
    // the province from the heading.
    section(
        None,
        "KARTU TANDA PENDUDUK (KTP-el)",
        "Electronic identity card (KTP-el)",
        r,
    )
}

fn kk_header(kk: &Kk, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    r.text(
        "nomor_kk",
        "No. KK",
        "Family card number",
        kk.nomor_kk.to_string(),
    );
    r.text(
        "kepala_keluarga",
        "Nama Kepala Keluarga",
        "Head of family",
        kk.kepala_keluarga.clone(),
    );
    r.text("alamat", "Alamat", "Address", kk.alamat.clone());
    r.text(
        "rt_rw",
        "RT/RW",
        "RT/RW",
        format!("{:03}/{:03}", kk.rt, kk.rw),
    );
    r.region(kk.kode_wilayah, true);
    r.text(
        "kode_pos",
        "Kode Pos",
        "Postal code",
        kk.kode_pos.to_string(),
    );
    r.text(
        "tanggal_dikeluarkan",
        "Dikeluarkan Tanggal",
        "Date of issue",
        printed_date(kk.tanggal_dikeluarkan),
    );
    section(None, "KARTU KELUARGA", "Family card", r)
}

fn member_section(index: usize, m: &KkMember, l: DisplayLanguages) -> DisplaySection {
    let mut r = Rows::new(l);
    r.text("nama", "Nama Lengkap", "Full name", m.nama.clone());
    r.text("nik", "NIK", "Identity number", m.nik.to_string());
    r.siak(
        "jenis_kelamin",
        "Jenis Kelamin",
        "Sex",
        SiakList::JenisKelamin,
        m.jenis_kelamin,
    );
    r.text(
        "tempat_lahir",
        "Tempat Lahir",
        "Place of birth",
        m.tempat_lahir.clone(),
    );
    r.text(
        "tanggal_lahir",
        "Tanggal Lahir",
        "Date of birth",
        printed_date(m.tanggal_lahir),
    );
    r.siak("agama", "Agama", "Religion", SiakList::Agama, m.agama);
    r.siak(
        "pendidikan",
        "Pendidikan",
        "Education",
        SiakList::Pendidikan,
        m.pendidikan,
    );
    r.siak(
        "pekerjaan",
        "Jenis Pekerjaan",
        "Occupation",
        SiakList::Pekerjaan,
        m.pekerjaan,
    );
    r.golongan_darah(m.golongan_darah, "Golongan Darah");
    r.siak(
        "status_perkawinan",
        "Status Perkawinan",
        "Marital status",
        SiakList::StatusPerkawinan,
        m.status_perkawinan,
    );
    let married = m
        .tanggal_perkawinan
        .map_or(Cow::Borrowed("-"), |date| Cow::Owned(printed_date(date)));
    r.text(
        "tanggal_perkawinan",
        "Tanggal Perkawinan",
        "Date of marriage",
        married,
    );
    r.siak(
        "shdk",
        "Status Hubungan Dalam Keluarga",
        "Relationship to head of family",
        SiakList::Shdk,
        m.shdk,
    );
    r.kewarganegaraan(m.kewarganegaraan);
    r.text(
        "nomor_paspor",
        "No. Paspor",
        "Passport number",
        absent_as_dash(&m.nomor_paspor),
    );
    r.text(
        "nomor_kitap",
        "No. KITAP",
        "KITAP number",
        absent_as_dash(&m.nomor_kitap),
    );
    r.text(
        "nama_ayah",
        "Nama Ayah",
        "Father's name",
        m.nama_ayah.clone(),
    );
    r.text("nama_ibu", "Nama Ibu", "Mother's name", m.nama_ibu.clone());
    let number = index + 1;
    DisplaySection {
        member: u16::try_from(index).ok(),
        title_id: l
            .indonesian()
            .then(|| Cow::Owned(format!("Anggota keluarga {number}"))),
        title_en: l
            .english()
            .then(|| Cow::Owned(format!("Family member {number}"))),
        fields: r.fields,
    }
}

/// An optional text as printed: `-` when absent.
fn absent_as_dash(text: &Option<String>) -> DisplayText {
    text.clone().map_or(Cow::Borrowed("-"), Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(section: &'a DisplaySection, name: &str) -> &'a DisplayField {
        section
            .fields
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn ktp_reads_like_the_card() {
        let doc: Document = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        let sections = sections(&doc);
        let ktp = &sections[0];
        assert_eq!(
            ktp.title_id.as_deref(),
            Some("KARTU TANDA PENDUDUK (KTP-el)")
        );
        assert_eq!(field(ktp, "kode_wilayah.provinsi").value, "Jawa Barat");
        assert_eq!(field(ktp, "tempat_lahir").value, "BANDUNG");
        assert_eq!(field(ktp, "tanggal_lahir").value, "17-08-1992");
        assert_eq!(field(ktp, "jenis_kelamin").value, "PEREMPUAN");
        assert_eq!(field(ktp, "jenis_kelamin").code, Some(2));
        assert_eq!(field(ktp, "golongan_darah").value, "A");
        assert_eq!(field(ktp, "rt_rw").value, "003/005");
        assert_eq!(field(ktp, "kode_wilayah").value, "Gegerkalong");
        assert_eq!(field(ktp, "kode_wilayah").code, Some(3_273_011_002));
        assert_eq!(field(ktp, "kode_wilayah.kecamatan").value, "Sukasari");
        assert_eq!(
            field(ktp, "kode_wilayah.kabupaten_kota").value,
            "Kota Bandung"
        );
        assert_eq!(field(ktp, "agama").value, "ISLAM");
        assert_eq!(field(ktp, "pekerjaan").value, "KARYAWAN SWASTA");
        assert_eq!(field(ktp, "kewarganegaraan").value, "WNI");
        assert_eq!(field(ktp, "berlaku_hingga").value, "SEUMUR HIDUP");
        assert_eq!(field(ktp, "tempat_dikeluarkan").value, "KOTA BANDUNG");
        assert_eq!(field(ktp, "nik").label_id.as_deref(), Some("NIK"));
        assert_eq!(field(ktp, "agama").label_en.as_deref(), Some("Religion"));
    }

    #[test]
    fn kk_has_a_header_and_one_section_per_member() {
        let doc: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let sections = sections(&doc);
        assert_eq!(sections.len(), 5);
        assert_eq!(field(&sections[0], "kode_pos").value, "40153");
        assert_eq!(
            field(&sections[0], "kode_wilayah.provinsi").value,
            "Jawa Barat"
        );
        let child = &sections[3];
        assert_eq!(child.title_id.as_deref(), Some("Anggota keluarga 3"));
        assert_eq!(field(child, "shdk").value, "ANAK");
        assert_eq!(field(child, "golongan_darah").value, "-");
        assert_eq!(field(child, "tanggal_perkawinan").value, "-");
        assert_eq!(field(child, "pendidikan").value, "BELUM TAMAT SD/SEDERAJAT");
        assert_eq!(field(&sections[1], "nama_ibu").value, "ENTIN KURNIASIH");
    }

    #[test]
    fn unknown_codes_stay_visible_and_say_so() {
        let mut doc: Document = serde_json::from_str(crate::model::samples::KTP_JSON).unwrap();
        if let Document::Ktp(ktp) = &mut doc {
            ktp.kode_wilayah = 3_273_019_999;
            ktp.agama = 42;
        }
        let sections = sections(&doc);
        let value = &field(&sections[0], "kode_wilayah").value;
        assert!(
            value.contains("3273019999") && value.contains(wilayah::TABLE_VERSION),
            "{value}"
        );
        assert_eq!(
            field(&sections[0], "agama").value,
            "42 (kode tidak dikenal)"
        );
    }

    #[test]
    fn retaining_fields_follows_every_source() {
        let doc: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let kept = retain_fields(sections(&doc), |member, field| match member {
            None => ["rt", "kode_wilayah"].contains(&field),
            Some(_) => field == "nama",
        });
        // The header keeps the region rows but not RT/RW: rw is not visible.
        let header: Vec<&str> = kept[0].fields.iter().map(|f| &*f.field).collect();
        assert_eq!(
            header,
            [
                "kode_wilayah",
                "kode_wilayah.kecamatan",
                "kode_wilayah.kabupaten_kota",
                "kode_wilayah.provinsi"
            ]
        );
        assert_eq!(kept.len(), 5);
        assert!(
            kept[1..]
                .iter()
                .all(|s| s.fields.len() == 1 && s.fields[0].field == "nama")
        );
        assert!(retain_fields(sections(&doc), |_, _| false).is_empty());
    }

    #[test]
    fn each_language_choice_keeps_the_values_and_its_labels_only() {
        let doc: Document = serde_json::from_str(crate::model::samples::KK_4_JSON).unwrap();
        let both = sections(&doc);
        assert_eq!(sections_in(&doc, DisplayLanguages::Both), both);
        assert!(sections_in(&doc, DisplayLanguages::None).is_empty());
        for (languages, id, en) in [
            (DisplayLanguages::Indonesian, true, false),
            (DisplayLanguages::English, false, true),
        ] {
            let one = sections_in(&doc, languages);
            assert_eq!(one.len(), both.len());
            for (section, full) in one.iter().zip(&both) {
                assert_eq!(section.member, full.member);
                assert_eq!(section.title_id.is_some(), id);
                assert_eq!(section.title_en.is_some(), en);
                assert_eq!(section.fields.len(), full.fields.len());
                for (row, full) in section.fields.iter().zip(&full.fields) {
                    assert_eq!(
                        (&row.field, &row.value, row.code),
                        (&full.field, &full.value, full.code)
                    );
                    let label_id = row.label_id.as_ref();
                    assert_eq!(label_id, full.label_id.as_ref().filter(|_| id));
                    assert_eq!(row.label_en.as_ref(), full.label_en.as_ref().filter(|_| en));
                }
            }
            let json = serde_json::to_string(&one).unwrap();
            assert_eq!(json.contains("label_id"), id);
            assert_eq!(json.contains("label_en"), en);
            let back: Vec<DisplaySection> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, one);
        }
    }

    #[test]
    fn language_names_read_back() {
        for languages in DisplayLanguages::ALL {
            assert_eq!(
                DisplayLanguages::from_name(languages.name()),
                Some(languages)
            );
            let json = serde_json::to_string(&languages).unwrap();
            assert_eq!(json, format!("\"{}\"", languages.name()));
        }
        assert_eq!(DisplayLanguages::default(), DisplayLanguages::Both);
        for bad in ["", "ID", "english", "both "] {
            assert_eq!(DisplayLanguages::from_name(bad), None, "{bad}");
        }
    }
}
