//! Sample documents of fictitious residents, for demos, examples and tests.
//!
//! The people are invented; the region codes are real (Kota Bandung, kecamatan Sukasari,
//! kelurahan Gegerkalong) so that the documents read like real ones.

/// A KTP-el, JSON form.
pub const KTP_JSON: &str = include_str!("../../samples/ktp.json");
/// A Kartu Keluarga of 4 members, JSON form.
pub const KK_4_JSON: &str = include_str!("../../samples/kk-4.json");
/// A Kartu Keluarga of 8 members, JSON form.
pub const KK_8_JSON: &str = include_str!("../../samples/kk-8.json");

/// Every sample, by name.
pub const ALL: [(&str, &str); 3] = [("ktp", KTP_JSON), ("kk-4", KK_4_JSON), ("kk-8", KK_8_JSON)];
