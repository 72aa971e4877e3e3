//! Time as the caller states it, and calendar dates as the documents carry them.
//!
//! The SDK never reads a clock: every check takes a [`UnixTime`] from the caller.

use crate::wire::encoding::{ascii, fixed_decimal};
use core::fmt;

/// Seconds since 1970-01-01T00:00:00Z, as given by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// Parses an RFC 3339 UTC timestamp of the form `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 20 || bytes.get(10) != Some(&b'T') || bytes.get(19) != Some(&b'Z') {
            return None;
        }
        let date = Date::parse(text.get(..10)?)?;
        let time = text.get(11..19)?;
        let mut parts = time.split(':');
        let mut next = |max: u32| -> Option<i64> {
            let part = parts.next()?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u32 = part.parse().ok()?;
            (n <= max).then_some(i64::from(n))
        };
        let (h, m, s) = (next(23)?, next(59)?, next(59)?);
        Some(UnixTime(
            i64::from(date.days_since_epoch()) * 86_400 + h * 3600 + m * 60 + s,
        ))
    }

    /// The calendar date (UTC) of this instant.
    pub fn date(self) -> Date {
        let days = self.0.div_euclid(86_400);
        Date(i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.rem_euclid(86_400) as u32;
        let (hour, minute, second) = (secs / 3600, secs / 60 % 60, secs % 60);
        match self.date().digits() {
            Some(date) => {
                let [y0, y1, y2, y3, _, m0, m1, _, d0, d1] = date.iso();
                let ([h0, h1], [n0, n1], [s0, s1]) =
                    (two_digits(hour), two_digits(minute), two_digits(second));
                let text = [
                    y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':',
                    s0, s1, b'Z',
                ];
                f.write_str(ascii(&text)?)
            }
            None => write!(f, "{}T{hour:02}:{minute:02}:{second:02}Z", self.date()),
        }
    }
}

/// A calendar date, stored as days since 1970-01-01 (the encoding of RFC 8943, untagged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// The earliest date a document may carry.
pub const MIN_DATE: Date = Date(-25_567); // 1900-01-01
/// The latest date a document may carry.
pub const MAX_DATE: Date = Date(84_005); // 2199-12-31

impl Date {
    /// The date `days` after 1970-01-01 (negative: before).
    pub const fn from_days_since_epoch(days: i32) -> Self {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date of a proleptic Gregorian year, month and day, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Days from civil, counting years from March so that the leap day comes last.
        let y = i64::from(if month <= 2 { year - 1 } else { year });
        let era = y.div_euclid(400);
        let year_of_era = y.rem_euclid(400);
        let m = i64::from(month);
        let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        i32::try_from(days).ok().map(Date)
    }

    /// The year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = i64::from(self.0) + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        (year as i32, month as u32, day as u32)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let digits = |range: core::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        Date::from_ymd(year, digits(5..7)?, digits(8..10)?)
    }

    /// Whether the date lies in the range documents may carry (1900–2199).
    pub fn in_document_range(self) -> bool {
        (MIN_DATE..=MAX_DATE).contains(&self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.digits() {
            Some(digits) => f.write_str(ascii(&digits.iso())?),
            None => {
                let (y, m, d) = self.ymd();
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

/// A date's year, month and day as ASCII digits, for years 0 to 9999: written in one
/// `write_str`, without the formatting machinery (see [`fixed_decimal`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateDigits {
    year: [u8; 4],
    month: [u8; 2],
    day: [u8; 2],
}

impl DateDigits {
    /// `YYYY-MM-DD`.
    pub(crate) fn iso(self) -> [u8; 10] {
        let [y0, y1, y2, y3] = self.year;
        let ([m0, m1], [d0, d1]) = (self.month, self.day);
        [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]
    }

    /// `DD-MM-YYYY`, as Indonesian documents print dates.
    pub(crate) fn day_first(self) -> [u8; 10] {
        let [y0, y1, y2, y3] = self.year;
        let ([m0, m1], [d0, d1]) = (self.month, self.day);
        [d0, d1, b'-', m0, m1, b'-', y0, y1, y2, y3]
    }
}

impl Date {
    /// The date's digits, or `None` for a year outside 0–9999 (which no document carries,
    /// but a caller's clock might).
    pub(crate) fn digits(self) -> Option<DateDigits> {
        let (year, month, day) = self.ymd();
        Some(DateDigits {
            year: fixed_decimal(u64::try_from(year).ok()?)?,
            month: two_digits(month),
            day: two_digits(day),
        })
    }
}

/// `n` (below 100) as two ASCII digits.
fn two_digits(n: u32) -> [u8; 2] {
    fixed_decimal(u64::from(n % 100)).unwrap_or(*b"00")
}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`; 0 for an invalid month.
pub const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD"))
    }
}

/// The age of majority for a KTP-el, 17 years: the age a purpose's `age_over_17` tests for.
pub const AGE_OF_MAJORITY: i32 = 17;

/// Whether someone born on `birth` is at least `years` old on `today`.
///
/// A birthday on 29 February is reached on 1 March in common years. Callers that pass the
/// UTC date get a conservative answer for Indonesia: the UTC date is never later than the
/// date in WIB, WITA or WIT.
pub fn age_at_least(birth: Date, today: Date, years: i32) -> bool {
    let (by, bm, bd) = birth.ymd();
    let (ty, tm, td) = today.ymd();
    let full_years = ty.saturating_sub(by);
    full_years > years || (full_years == years && (tm, td) >= (bm, bd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(1900, 1, 1), Some(MIN_DATE));
        assert_eq!(Date::from_ymd(2199, 12, 31), Some(MAX_DATE));
        assert_eq!(
            Date::from_ymd(2000, 2, 29).unwrap().to_string(),
            "2000-02-29"
        );
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date::from_ymd(2023, 4, 31), None);
        assert_eq!(Date::from_ymd(2023, 13, 1), None);
    }

    #[test]
    fn days_round_trip_over_three_centuries() {
        for days in MIN_DATE.0 - 400..=MAX_DATE.0 + 400 {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(Date::parse("1990-05-17").unwrap().to_string(), "1990-05-17");
        for bad in [
            "1990-5-17",
            "1990-05-32",
            "19900517",
            "1990-05-17 ",
            "+990-05-17",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        let t = UnixTime::parse_rfc3339("2026-11-23T01:02:03Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T01:02:03Z");
        assert_eq!(t.0, 1_795_395_723);
        assert_eq!(UnixTime::parse_rfc3339("2026-11-23T24:00:00Z"), None);
        assert_eq!(UnixTime(-1).to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn the_digit_writer_agrees_with_the_formatter_and_falls_back_outside_four_digit_years() {
        let formatted = |date: Date| {
            let (y, m, d) = date.ymd();
            format!("{y:04}-{m:02}-{d:02}")
        };
        for days in (MIN_DATE.0 - 800..=MAX_DATE.0 + 800).step_by(7) {
            assert_eq!(Date(days).to_string(), formatted(Date(days)));
        }
        for date in [Date::from_ymd(0, 1, 1), Date::from_ymd(9999, 12, 31)] {
            let date = date.unwrap();
            assert!(date.digits().is_some());
            assert_eq!(date.to_string(), formatted(date));
        }
        let beyond = Date::from_ymd(10_000, 1, 1).unwrap();
        assert!(beyond.digits().is_none());
        assert_eq!(beyond.to_string(), "10000-01-01");
        let before = Date::from_ymd(-1, 12, 31).unwrap();
        assert!(before.digits().is_none());
        assert_eq!(before.to_string(), "-001-12-31");
        assert_eq!(
            serde_json::to_string(&Date::from_ymd(1990, 5, 17)).unwrap(),
            "\"1990-05-17\""
        );
        assert_eq!(serde_json::to_string(&beyond).unwrap(), "\"10000-01-01\"");
        assert_eq!(UnixTime(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            UnixTime(253_402_300_799).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            UnixTime(253_402_300_800).to_string(),
            "10000-01-01T00:00:00Z"
        );
        assert_eq!(
            Date::from_ymd(2026, 3, 9)
                .unwrap()
                .digits()
                .map(|d| d.day_first()),
            Some(*b"09-03-2026")
        );
    }

    #[test]
    fn the_age_is_reached_on_the_birthday() {
        let date = |text| Date::parse(text).unwrap();
        let born = date("2009-09-21");
        assert!(!age_at_least(born, date("2026-09-20"), 17));
        assert!(age_at_least(born, date("2026-09-21"), 17));
        assert!(age_at_least(born, date("2027-01-01"), 17));
        assert!(!age_at_least(born, date("2025-12-31"), 17));
        let leap = date("2008-02-29");
        assert!(!age_at_least(leap, date("2025-02-28"), 17));
        assert!(age_at_least(leap, date("2025-03-01"), 17));
        assert!(age_at_least(leap, date("2024-02-29"), 16));
        // Born after today: never of age.
        assert!(!age_at_least(date("2030-01-01"), date("2026-01-01"), 0));
        assert!(age_at_least(date("2026-01-01"), date("2026-01-01"), 0));
    }
}
