#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The region tables the specification publishes (`spec/wilayah/`) are the SDK's: every
//! row of the published files is known to the SDK as the file says, and each file's
//! SHA-256 is the one `spec/format.md` §8.8 names.

use ikd_sdk::wilayah::{self, PrefixStatus};
use sha2::{Digest as _, Sha256};
use std::path::PathBuf;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(spec_dir().join("wilayah").join(name)).unwrap()
}

/// `code,name` with RFC 4180 quoting of the name.
fn region_rows() -> Vec<(String, String)> {
    read("wilayah-2025.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let (code, name) = line.split_once(',').unwrap();
            let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => name.to_owned(),
            };
            (code.to_owned(), name)
        })
        .collect()
}

#[test]
fn the_spec_names_each_tables_sha256() {
    let spec = std::fs::read_to_string(spec_dir().join("format.md")).unwrap();
    for name in [
        "wilayah-2025.csv",
        "kecamatan-history.csv",
        "LICENSE-wilayah",
    ] {
        let bytes = std::fs::read(spec_dir().join("wilayah").join(name)).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        let row = spec
            .lines()
            .find(|line| line.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("format.md §8.8 has no row for {name}"));
        assert!(
            row.contains(&format!("`{digest}`")),
            "format.md §8.8 names another SHA-256 for {name}; the file's is {digest}"
        );
    }
    assert!(spec.contains(&format!("`{}`", wilayah::TABLE_VERSION)));
}

#[test]
fn every_published_region_is_known_to_the_sdk_with_its_name() {
    let rows = region_rows();
    assert_eq!(rows.len(), 91_599);
    let (mut desa, mut kabupaten_kota) = (0, 0);
    for (code, name) in &rows {
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        match code.len() {
            13 => {
                let number: u64 = digits.parse().unwrap();
                assert!(wilayah::desa_exists(number), "{code}");
                assert_eq!(
                    wilayah::resolve_desa(number).unwrap().desa_kelurahan,
                    name,
                    "{code}"
                );
                desa += 1;
            }
            5 => {
                let number: u16 = digits.parse().unwrap();
                assert_eq!(
                    wilayah::kabupaten_kota_name(number),
                    Some(name.as_str()),
                    "{code}"
                );
                kabupaten_kota += 1;
            }
            _ => {}
        }
    }
    assert_eq!((desa, kabupaten_kota), (83_762, 514));
}

#[test]
fn every_published_prefix_has_its_lists_in_the_sdk() {
    let history = read("kecamatan-history.csv");
    let mut rows = 0;
    let mut known = std::collections::BTreeSet::new();
    for line in history.lines().skip(1) {
        let mut parts = line.splitn(3, ',');
        let (prefix, lists, name) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let number: u32 = prefix.parse().unwrap();
        known.insert(number);
        let lists: Vec<&str> = lists.split(';').collect();
        let newest = *lists.last().unwrap();
        let status = wilayah::nik_prefix_status(number);
        if newest == *wilayah::HISTORICAL_LISTS.last().unwrap() {
            assert!(
                matches!(status, PrefixStatus::Current { kecamatan } if kecamatan == name),
                "{prefix}: {status:?}"
            );
        } else {
            assert!(
                matches!(status, PrefixStatus::Historical { last_list, kecamatan }
                    if last_list == newest && kecamatan == name),
                "{prefix}: {status:?}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 7_879);
    // And nothing beyond the file: every other prefix of a few provinces is unknown.
    for province in [11u32, 32, 91, 92, 99] {
        for rest in 0..10_000u32 {
            let prefix = province * 10_000 + rest;
            if !known.contains(&prefix) {
                assert_eq!(
                    wilayah::nik_prefix_status(prefix),
                    PrefixStatus::Unknown,
                    "{prefix}"
                );
            }
        }
    }
}
