//! SIAK code lists: the Dukcapil codes that categorical document fields carry.

use std::sync::OnceLock;

/// A SIAK code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SiakList {
    /// Agama (religion), 1–7.
    Agama,
    /// Status perkawinan (marital status), 1–4.
    StatusPerkawinan,
    /// Status hubungan dalam keluarga (relationship to the head of family), 1–11.
    Shdk,
    /// Pendidikan dalam KK (education), 1–10.
    Pendidikan,
    /// Pekerjaan (occupation), 1–89.
    Pekerjaan,
    /// Golongan darah (blood group), 1–13.
    GolonganDarah,
    /// Jenis kelamin (sex), 1–2.
    JenisKelamin,
}

impl SiakList {
    /// Every list.
    pub const ALL: [SiakList; 7] = [
        SiakList::Agama,
        SiakList::StatusPerkawinan,
        SiakList::Shdk,
        SiakList::Pendidikan,
        SiakList::Pekerjaan,
        SiakList::GolonganDarah,
        SiakList::JenisKelamin,
    ];

    /// The list's name in `siak-codes.csv`.
    pub const fn name(self) -> &'static str {
        match self {
            SiakList::Agama => "agama",
            SiakList::StatusPerkawinan => "status_perkawinan",
            SiakList::Shdk => "shdk",
            SiakList::Pendidikan => "pendidikan",
            SiakList::Pekerjaan => "pekerjaan",
            SiakList::GolonganDarah => "golongan_darah",
            SiakList::JenisKelamin => "jenis_kelamin",
        }
    }

    /// The highest code; every list runs from 1 to this without gaps.
    pub const fn max_code(self) -> u8 {
        match self {
            SiakList::Agama => 7,
            SiakList::StatusPerkawinan => 4,
            SiakList::Shdk => 11,
            SiakList::Pendidikan => 10,
            SiakList::Pekerjaan => 89,
            SiakList::GolonganDarah => 13,
            SiakList::JenisKelamin => 2,
        }
    }

    /// Whether `code` is in the list.
    pub const fn contains(self, code: u8) -> bool {
        code >= 1 && code <= self.max_code()
    }

    /// The label of `code` as SIAK writes it, if the code is in the list.
    pub fn label(self, code: u8) -> Option<&'static str> {
        table()
            .iter()
            .find(|(list, c, _)| *list == self && *c == code)
            .map(|(_, _, label)| *label)
    }

    /// The code whose label (or a known alias) equals `label`, ignoring case.
    pub fn code_of(self, label: &str) -> Option<u8> {
        let wanted = label.trim();
        if let Some((_, _, code)) = ALIASES
            .iter()
            .find(|(list, alias, _)| *list == self && alias.eq_ignore_ascii_case(wanted))
        {
            return Some(*code);
        }
        table()
            .iter()
            .find(|(list, _, l)| *list == self && l.eq_ignore_ascii_case(wanted))
            .map(|(_, code, _)| *code)
    }
}

const CSV: &str = include_str!("../../data/siak-codes.csv");

/// Spellings found on printed cards and in older SIAK data for the same codes
/// (data/README.md): the 2026 ASN label replaced PNS, and religions are spelled both ways.
const ALIASES: &[(SiakList, &str, u8)] = &[
    (SiakList::Pekerjaan, "PEGAWAI NEGERI SIPIL (PNS)", 5),
    (SiakList::Pekerjaan, "PNS", 5),
    (SiakList::Pekerjaan, "ASN", 5),
    (SiakList::Agama, "KATOLIK", 3),
    (SiakList::Agama, "BUDDHA", 5),
    (SiakList::Agama, "KONGHUCU", 6),
    (SiakList::Agama, "KEPERCAYAAN", 7),
    (SiakList::GolonganDarah, "TIDAK_TAHU", 13),
    (SiakList::JenisKelamin, "LAKI LAKI", 1),
];

/// Serde helpers for SIAK-coded fields: a code, or a label or alias of the list.
pub(crate) mod serde_code {
    use super::SiakList;
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum CodeOrLabel {
        Code(u8),
        Label(String),
    }

    fn resolve<E: serde::de::Error>(list: SiakList, value: CodeOrLabel) -> Result<u8, E> {
        match value {
            CodeOrLabel::Code(code) => Ok(code),
            CodeOrLabel::Label(label) => list
                .code_of(&label)
                .ok_or_else(|| E::custom(format_args!("not a known {} label", list.name()))),
        }
    }

    macro_rules! lists {
        ($($name:ident => $list:ident;)*) => {$(
            pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
                resolve(SiakList::$list, CodeOrLabel::deserialize(d)?)
            }
        )*};
    }

    lists! {
        agama => Agama;
        status_perkawinan => StatusPerkawinan;
        shdk => Shdk;
        pendidikan => Pendidikan;
        pekerjaan => Pekerjaan;
        jenis_kelamin => JenisKelamin;
    }

    /// Golongan darah is optional: absent or null when the card prints "-".
    pub(crate) fn opt_golongan_darah<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<u8>, D::Error> {
        match Option::<CodeOrLabel>::deserialize(d)? {
            Some(CodeOrLabel::Label(label)) if label.trim() == "-" => Ok(None),
            other => other
                .map(|v| resolve(SiakList::GolonganDarah, v))
                .transpose(),
        }
    }
}

fn table() -> &'static [(SiakList, u8, &'static str)] {
    static TABLE: OnceLock<Vec<(SiakList, u8, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        CSV.lines()
            .skip(1)
            .filter_map(|line| {
                let mut parts = line.splitn(3, ',');
                let list = parts.next()?;
                let code = parts.next()?.parse().ok()?;
                let label = parts.next()?;
                let list = SiakList::ALL.into_iter().find(|l| l.name() == list)?;
                Some((list, code, label))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_complete_and_gapless() {
        assert_eq!(table().len(), 136);
        for list in SiakList::ALL {
            for code in 1..=list.max_code() {
                assert!(list.label(code).is_some(), "{} {code}", list.name());
            }
            assert_eq!(list.label(0), None);
            assert_eq!(list.label(list.max_code() + 1), None);
            assert!(!list.contains(0) && !list.contains(list.max_code() + 1));
        }
    }

    #[test]
    fn labels_and_aliases() {
        assert_eq!(SiakList::Agama.label(1), Some("ISLAM"));
        assert_eq!(
            SiakList::Pekerjaan.code_of("pegawai negeri sipil (pns)"),
            Some(5)
        );
        assert_eq!(
            SiakList::Pekerjaan.code_of("APARATUR SIPIL NEGARA (ASN)"),
            Some(5)
        );
        assert_eq!(SiakList::JenisKelamin.code_of("PEREMPUAN"), Some(2));
        assert_eq!(SiakList::GolonganDarah.code_of("Z"), None);
        assert_eq!(SiakList::Agama.code_of("Katolik"), Some(3));
        assert_eq!(SiakList::Agama.code_of("KATHOLIK"), Some(3));
        assert_eq!(SiakList::Agama.code_of("Buddha"), Some(5));
        assert_eq!(SiakList::Pekerjaan.code_of("PNS"), Some(5));
    }
}
