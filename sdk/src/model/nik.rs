//! NIK (Nomor Induk Kependudukan) and nomor KK: format checks and consistency with the
//! document.
//!
//! A NIK is `PPKKCC DDMMYY SSSS`: the kecamatan where it was first registered, the birth
//! date with 40 added to the day for women, and a serial. Format errors are hard; a
//! disagreement with the document's birth date or sex is only a warning, because real NIKs
//! can disagree and are never corrected.

use crate::codes::{FieldPath, Reason, Warning};
use crate::model::time::{Date, days_in_month};
use crate::model::wilayah;
use crate::wire::encoding::{ascii, fixed_decimal};
use core::fmt;

/// A 16-digit identity number as carried in a document (a NIK or a nomor KK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nik(pub u64);

const SIXTEEN_DIGITS: core::ops::RangeInclusive<u64> =
    1_000_000_000_000_000..=9_999_999_999_999_999;

impl Nik {
    /// Parses exactly 16 ASCII digits.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Nik)
    }

    /// Whether the number has 16 digits (no leading zero: province codes start at 11).
    pub fn has_sixteen_digits(self) -> bool {
        SIXTEEN_DIGITS.contains(&self.0)
    }

    /// The six-digit `PPKKCC` region prefix.
    pub fn region_prefix(self) -> u32 {
        (self.0 / 10_000_000_000) as u32
    }

    /// The `DDMMYY` birth-date part, as day (with the +40 for women), month, two-digit year.
    fn date_part(self) -> (u32, u32, u32) {
        let ddmmyy = (self.0 / 10_000 % 1_000_000) as u32;
        (ddmmyy / 10_000, ddmmyy / 100 % 100, ddmmyy % 100)
    }

    /// The four-digit serial.
    pub fn serial(self) -> u16 {
        (self.0 % 10_000) as u16
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match fixed_decimal::<16>(self.0) {
            Some(digits) => f.write_str(ascii(&digits)?),
            None => write!(f, "{:016}", self.0),
        }
    }
}

impl serde::Serialize for Nik {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Nik {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Nik::parse(&text).ok_or_else(|| serde::de::Error::custom("expected 16 digits"))
    }
}

/// What a well-formed NIK says about its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NikFacts {
    /// Day of birth (1–31).
    pub day: u32,
    /// Month of birth (1–12).
    pub month: u32,
    /// Year of birth modulo 100.
    pub year_2digit: u32,
    /// Whether the day carries the +40 used for women.
    pub female: bool,
}

/// Checks a NIK's format: 16 digits, a real calendar date (day + 40 for women) in some
/// century, serial not 0000.
pub fn check_nik(nik: Nik, field: FieldPath) -> Result<NikFacts, Reason> {
    let invalid = Reason::NikInvalid { field };
    if !nik.has_sixteen_digits() || nik.serial() == 0 {
        return Err(invalid);
    }
    let (dd, month, yy) = nik.date_part();
    let (day, female) = if dd > 40 {
        (dd - 40, true)
    } else {
        (dd, false)
    };
    // The two-digit year fits 19yy or 20yy; 29 February needs one of them to be leap.
    let yy_i32 = yy as i32;
    let max_day = days_in_month(1900 + yy_i32, month).max(days_in_month(2000 + yy_i32, month));
    if day == 0 || day > max_day {
        return Err(invalid);
    }
    Ok(NikFacts {
        day,
        month,
        year_2digit: yy,
        female,
    })
}

/// Checks a nomor KK's format: 16 digits.
pub fn check_nomor_kk(nomor: Nik, field: FieldPath) -> Result<(), Reason> {
    if nomor.has_sixteen_digits() {
        Ok(())
    } else {
        Err(Reason::NikInvalid { field })
    }
}

/// Adds a warning when the NIK's region prefix is unknown, and an informational note when
/// it is known only from an older list. The prefix is never compared with the address: a
/// NIK keeps the kecamatan of its first registration for life.
pub fn check_region(nik: Nik, field: FieldPath, warnings: &mut Vec<Warning>) {
    match wilayah::nik_prefix_lists(nik.region_prefix()) {
        Some(None) => {}
        Some(Some(last_list)) => {
            warnings.push(Warning::NikRegionHistorical { field, last_list });
        }
        None => warnings.push(Warning::NikRegionUnknown { field }),
    }
}

/// Adds warnings where the NIK disagrees with the stated birth date or sex
/// (`female` per the document's jenis kelamin).
pub fn check_consistency(
    facts: NikFacts,
    birth_date: Date,
    female: Option<bool>,
    field: FieldPath,
    warnings: &mut Vec<Warning>,
) {
    let (year, month, day) = birth_date.ymd();
    let same_date = facts.day == day
        && facts.month == month
        && i64::from(facts.year_2digit) == i64::from(year).rem_euclid(100);
    if !same_date {
        warnings.push(Warning::NikBirthDateMismatch { field });
    }
    if female.is_some_and(|female| female != facts.female) {
        warnings.push(Warning::NikSexMismatch { field });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FieldPath = FieldPath::top("nik");

    fn nik(text: &str) -> Nik {
        Nik::parse(text).unwrap()
    }

    #[test]
    fn reads_men_and_women() {
        let man = check_nik(nik("3273011705900001"), F).unwrap();
        assert_eq!(
            (man.day, man.month, man.year_2digit, man.female),
            (17, 5, 90, false)
        );
        let woman = check_nik(nik("3273015705900002"), F).unwrap();
        assert_eq!((woman.day, woman.female), (17, true));
        assert_eq!(nik("3273011705900001").region_prefix(), 327301);
    }

    #[test]
    fn rejects_impossible_format() {
        let bad = Err(Reason::NikInvalid { field: F });
        for text in [
            "3273013205900001", // day 32
            "3273010013900001", // month 13
            "3273010005900001", // day 0
            "3273014005900001", // day 40 = woman's day 0
            "3273017205900001", // woman's day 32
            "3273013104900001", // 31 April
            "3273012902010001", // 29 Feb in 1901 and 2001
            "3273011705900000", // serial 0000
        ] {
            assert_eq!(check_nik(nik(text), F), bad, "{text}");
        }
        assert_eq!(check_nik(Nik(327301170590001), F), bad);
        assert_eq!(check_nik(Nik(10_000_000_000_000_000), F), bad);
        assert!(
            check_nik(nik("3273012902000001"), F).is_ok(),
            "2000 is leap"
        );
        assert!(
            check_nik(nik("3273016902960001"), F).is_ok(),
            "woman, 29 Feb 96"
        );
    }

    #[test]
    fn prints_sixteen_digits_and_falls_back_for_numbers_too_long() {
        let nik = Nik(3_273_011_705_900_001);
        assert_eq!(nik.to_string(), "3273011705900001");
        assert_eq!(serde_json::to_string(&nik).unwrap(), "\"3273011705900001\"");
        assert_eq!(Nik(42).to_string(), "0000000000000042");
        assert_eq!(Nik(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(
            serde_json::to_string(&Nik(u64::MAX)).unwrap(),
            "\"18446744073709551615\""
        );
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(Nik::parse("327301170590000"), None);
        assert_eq!(Nik::parse("32730117059000011"), None);
        assert_eq!(Nik::parse("+273011705900001"), None);
        assert_eq!(nik("3273011705900001").to_string(), "3273011705900001");
    }

    #[test]
    fn consistency_is_only_a_warning() {
        let facts = check_nik(nik("3273011705900001"), F).unwrap();
        let mut warnings = Vec::new();
        let born = Date::from_ymd(1990, 5, 17).unwrap();
        check_consistency(facts, born, Some(false), F, &mut warnings);
        assert!(warnings.is_empty());
        check_consistency(facts, born, Some(true), F, &mut warnings);
        assert_eq!(warnings, [Warning::NikSexMismatch { field: F }]);
        warnings.clear();
        let other = Date::from_ymd(1991, 5, 17).unwrap();
        check_consistency(facts, other, Some(false), F, &mut warnings);
        assert_eq!(warnings, [Warning::NikBirthDateMismatch { field: F }]);
        warnings.clear();
        // Born 2090 and 1990 share the two digits; only the digits are compared.
        let century = Date::from_ymd(2090, 5, 17).unwrap();
        check_consistency(facts, century, None, F, &mut warnings);
        assert!(warnings.is_empty());
    }
}
