//! Packs the region tables that the specification publishes (`spec/wilayah/`, one source
//! for the spec and the SDK) into a compact zlib blob for `src/model/wilayah.rs`.
//!
//! Blob layout before compression (all integers little-endian, varints LEB128):
//! regions: u32 count, count varint code deltas, count names each ending in '\n';
//! prefixes: u32 count, count varint prefix deltas, count list masks (bit i = LISTS[i]),
//! then the names of the prefixes missing from the newest list, each ending in '\n'.
//! Beside the blob, `wilayah.sha256` holds its SHA-256: tables supplied at run time (a
//! build without the feature `embedded-region-tables`) must be exactly this blob.

use sha2::{Digest, Sha256};
use std::error::Error;
use std::path::PathBuf;

/// The historical lists, oldest first; the last is the current one.
const LISTS: [&str; 6] = ["2015", "2017", "2019", "2021", "2022", "2025"];

fn main() -> Result<(), Box<dyn Error>> {
    let data = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../spec/wilayah");
    let regions_csv = data.join("wilayah-2025.csv");
    let history_csv = data.join("kecamatan-history.csv");
    println!("cargo:rerun-if-changed={}", regions_csv.display());
    println!("cargo:rerun-if-changed={}", history_csv.display());

    let mut blob = Vec::new();
    let regions = read_regions(&std::fs::read_to_string(regions_csv)?)?;
    write_section(&mut blob, regions.iter().map(|(code, _)| *code))?;
    for (_, name) in &regions {
        blob.extend_from_slice(name.as_bytes());
        blob.push(b'\n');
    }

    let history = read_history(&std::fs::read_to_string(history_csv)?)?;
    write_section(&mut blob, history.iter().map(|(prefix, _, _)| *prefix))?;
    blob.extend(history.iter().map(|(_, mask, _)| *mask));
    let current = 1u8 << (LISTS.len() - 1);
    for (_, mask, name) in &history {
        if mask & current == 0 {
            blob.extend_from_slice(name.as_bytes());
            blob.push(b'\n');
        }
    }

    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&blob, 10);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("wilayah.sha256"), Sha256::digest(&compressed))?;
    std::fs::write(out.join("wilayah.bin"), compressed)?;
    Ok(())
}

/// `code,name` rows; codes `PP`, `PP.KK`, `PP.KK.CC` or `PP.KK.CC.DDDD` become the
/// 10-digit key `PPKKCCDDDD` with missing levels zero.
fn read_regions(csv: &str) -> Result<Vec<(u64, String)>, Box<dyn Error>> {
    let mut rows = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.is_empty()) {
        let (code, name) = line.split_once(',').ok_or("row without a comma")?;
        let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
            Some(quoted) => quoted.replace("\"\"", "\""),
            None => name.to_owned(),
        };
        if name.contains('\n') || name.is_empty() {
            return Err(format!("bad name for {code}").into());
        }
        rows.push((region_key(code)?, name));
    }
    if !rows.is_sorted_by(|a, b| a.0 < b.0) {
        return Err("region codes are not strictly increasing".into());
    }
    Ok(rows)
}

fn region_key(code: &str) -> Result<u64, Box<dyn Error>> {
    let mut digits = String::new();
    for (i, part) in code.split('.').enumerate() {
        let width = if i == 3 { 4 } else { 2 };
        if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) || i > 3 {
            return Err(format!("bad region code {code}").into());
        }
        digits.push_str(part);
    }
    while digits.len() < 10 {
        digits.push('0');
    }
    Ok(digits.parse()?)
}

/// A kecamatan prefix, the lists that have it (bit i = `LISTS[i]`), and its latest name.
type HistoryRow = (u64, u8, String);

/// `prefix,lists,latest_name` rows.
fn read_history(csv: &str) -> Result<Vec<HistoryRow>, Box<dyn Error>> {
    let mut rows = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.is_empty()) {
        let mut parts = line.splitn(3, ',');
        let (Some(prefix), Some(lists), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("bad history row {line}").into());
        };
        let mut mask = 0u8;
        for list in lists.split(';') {
            let bit = LISTS
                .iter()
                .position(|l| *l == list)
                .ok_or("unknown list tag")?;
            mask |= 1 << bit;
        }
        if prefix.len() != 6 {
            return Err(format!("bad prefix {prefix}").into());
        }
        rows.push((prefix.parse()?, mask, name.to_owned()));
    }
    if !rows.is_sorted_by(|a, b| a.0 < b.0) {
        return Err("prefixes are not strictly increasing".into());
    }
    Ok(rows)
}

fn write_section(
    out: &mut Vec<u8>,
    keys: impl ExactSizeIterator<Item = u64>,
) -> Result<(), Box<dyn Error>> {
    out.extend_from_slice(&u32::try_from(keys.len())?.to_le_bytes());
    let mut previous = 0u64;
    for key in keys {
        let mut delta = key - previous;
        previous = key;
        loop {
            let byte = (delta & 0x7F) as u8;
            delta >>= 7;
            if delta == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    Ok(())
}
