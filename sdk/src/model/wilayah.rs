//! Kemendagri region codes: names for display and the NIK region-prefix check.
//!
//! The tables come from `spec/wilayah/` (2025 list and six historical kecamatan lists,
//! MIT, see its README), packed by `build.rs` and unpacked on first use.
//!
//! With the default feature `embedded-region-tables` the packed tables are inside the
//! binary. Without it (the WebAssembly package, to keep its module small) the caller hands
//! them over once at start-up with [`install`], which accepts exactly the packed tables
//! this build was made from ([`PACKED_SHA256`]). They are held process-wide, as the
//! embedded ones are: the tables are a fixed part of the specification (§8.8), not data
//! that differs between verifiers. Until they are installed every lookup answers as for an
//! unknown code, so a caller must check [`preload`] before verifying; `ikd-facade` refuses
//! to verify without them.

use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The region list the tables hold, as named in warnings and verdicts.
pub const TABLE_VERSION: &str = "kepmendagri-300.2.2-2138-2025";

/// The historical kecamatan lists, oldest first; the last is [`TABLE_VERSION`]'s list.
pub const HISTORICAL_LISTS: [&str; 6] = ["2015", "2017", "2019", "2021", "2022", "2025"];

#[cfg(feature = "embedded-region-tables")]
const BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/wilayah.bin"));
#[cfg(not(feature = "embedded-region-tables"))]
const BLOB: &[u8] = &[];

/// Compressed size of the embedded tables, in bytes (0 in a build without
/// `embedded-region-tables`).
pub const EMBEDDED_BYTES: usize = BLOB.len();

/// SHA-256 of the packed tables (`wilayah.bin` in the SDK's build output) this build was
/// made from: [`install`] accepts exactly these bytes.
pub const PACKED_SHA256: [u8; 32] = *include_bytes!(concat!(env!("OUT_DIR"), "/wilayah.sha256"));

/// Why [`install`] refused the tables it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallError {
    /// The bytes are not the packed tables this build was made from (their SHA-256 is not
    /// [`PACKED_SHA256`]).
    DigestMismatch,
    /// The bytes have the right digest but do not unpack: a build fault.
    Malformed,
}

impl core::fmt::Display for InstallError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::DigestMismatch => {
                "not the region tables this build was made from (SHA-256 differs)"
            }
            Self::Malformed => "the region tables do not unpack",
        })
    }
}

impl std::error::Error for InstallError {}

/// Supplies the packed region tables (the SDK build's `wilayah.bin`) at start-up, for a
/// build without the feature `embedded-region-tables`. The bytes must have the SHA-256
/// [`PACKED_SHA256`]. Installing them again, or in a build with embedded tables, changes
/// nothing: tables with this digest are the same tables.
pub fn install(packed: &[u8]) -> Result<(), InstallError> {
    if Sha256::digest(packed).as_slice() != PACKED_SHA256 {
        return Err(InstallError::DigestMismatch);
    }
    if cfg!(feature = "embedded-region-tables") || SUPPLIED.get().is_some() {
        return Ok(());
    }
    let tables = unpack(packed).ok_or(InstallError::Malformed)?;
    // Another thread may have installed the same tables meanwhile; either copy will do.
    let _ = SUPPLIED.set(tables);
    Ok(())
}

/// The tables handed to [`install`] in a build without embedded tables.
static SUPPLIED: OnceLock<Tables> = OnceLock::new();

/// The names of a desa/kelurahan and the regions above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RegionNames {
    /// Provinsi.
    pub provinsi: &'static str,
    /// Kabupaten or kota, with its `Kabupaten `/`Kota ` prefix.
    pub kabupaten_kota: &'static str,
    /// Kecamatan.
    pub kecamatan: &'static str,
    /// Desa or kelurahan.
    pub desa_kelurahan: &'static str,
}

/// What the region tables know about a NIK's `PPKKCC` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixStatus {
    /// A kecamatan of the current list.
    Current {
        /// The kecamatan's current name.
        kecamatan: &'static str,
    },
    /// A kecamatan of an older list only (for example Papua before the 2022 split).
    Historical {
        /// The newest list that has it.
        last_list: &'static str,
        /// Its name in that list.
        kecamatan: &'static str,
    },
    /// In no list the tables hold.
    Unknown,
}

struct Tables {
    /// 10-digit keys `PPKKCCDDDD`, missing levels zero, sorted.
    codes: Vec<u64>,
    /// Byte offset of each name in `names`, plus one final offset.
    name_offsets: Vec<u32>,
    names: String,
    prefixes: Vec<u32>,
    prefix_masks: Vec<u8>,
    /// Names of prefixes missing from the current list, by prefix index.
    historical_names: Vec<(u32, &'static str)>,
}

fn tables() -> Option<&'static Tables> {
    if cfg!(feature = "embedded-region-tables") {
        static EMBEDDED: OnceLock<Option<Tables>> = OnceLock::new();
        EMBEDDED.get_or_init(|| unpack(BLOB)).as_ref()
    } else {
        SUPPLIED.get()
    }
}

/// Unpacks a blob; `None` only if the build produced a corrupt blob, which tests rule out.
fn unpack(blob: &[u8]) -> Option<Tables> {
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib(blob).ok()?;
    let mut reader = Reader {
        bytes: &raw,
        pos: 0,
    };
    let codes = reader.keys()?;
    let mut names = String::new();
    let mut name_offsets = Vec::with_capacity(codes.len() + 1);
    for _ in 0..codes.len() {
        name_offsets.push(u32::try_from(names.len()).ok()?);
        names.push_str(reader.line()?);
    }
    name_offsets.push(u32::try_from(names.len()).ok()?);
    let prefixes: Vec<u32> = reader
        .keys()?
        .into_iter()
        .map(u32::try_from)
        .collect::<Result<_, _>>()
        .ok()?;
    let prefix_masks = reader.take(prefixes.len())?.to_vec();
    let current = 1u8 << (HISTORICAL_LISTS.len() - 1);
    let mut historical = Vec::new();
    for (prefix, mask) in prefixes.iter().zip(&prefix_masks) {
        if mask & current == 0 {
            let name: &'static str = Box::leak(reader.line()?.to_owned().into_boxed_str());
            historical.push((*prefix, name));
        }
    }
    Some(Tables {
        codes,
        name_offsets,
        names,
        prefixes,
        prefix_masks,
        historical_names: historical,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(slice)
    }

    fn keys(&mut self) -> Option<Vec<u64>> {
        let count = u32::from_le_bytes(self.take(4)?.try_into().ok()?);
        let mut keys = Vec::with_capacity(usize::try_from(count).ok()?);
        let mut key = 0u64;
        for _ in 0..count {
            let mut delta = 0u64;
            for shift in (0..64).step_by(7) {
                let byte = *self.take(1)?.first()?;
                delta |= u64::from(byte & 0x7F) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            key = key.checked_add(delta)?;
            keys.push(key);
        }
        Some(keys)
    }

    fn line(&mut self) -> Option<&'a str> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == b'\n')?;
        let text = core::str::from_utf8(rest.get(..len)?).ok()?;
        self.pos += len + 1;
        Some(text)
    }
}

impl Tables {
    fn name(&self, key: u64) -> Option<&str> {
        let i = self.codes.binary_search(&key).ok()?;
        let start = *self.name_offsets.get(i)? as usize;
        let end = *self.name_offsets.get(i + 1)? as usize;
        self.names.get(start..end)
    }
}

/// Unpacks the tables now (about 7 ms, once), so that the first verification does not pay
/// for it. Returns whether they are usable: `false` in a build without embedded tables
/// until [`install`] has been given them.
pub fn preload() -> bool {
    tables().is_some()
}

/// Whether a 10-digit desa/kelurahan code exists in the current list.
pub fn desa_exists(kode_wilayah: u64) -> bool {
    !kode_wilayah.is_multiple_of(10_000)
        && tables().is_some_and(|t| t.codes.binary_search(&kode_wilayah).is_ok())
}

/// The names of a 10-digit desa/kelurahan code and its parents, if it exists.
pub fn resolve_desa(kode_wilayah: u64) -> Option<RegionNames> {
    if kode_wilayah.is_multiple_of(10_000) {
        return None;
    }
    let t = tables()?;
    Some(RegionNames {
        desa_kelurahan: t.name(kode_wilayah)?,
        kecamatan: t.name(kode_wilayah / 10_000 * 10_000)?,
        kabupaten_kota: t.name(kode_wilayah / 1_000_000 * 1_000_000)?,
        provinsi: t.name(kode_wilayah / 100_000_000 * 100_000_000)?,
    })
}

/// The name of a 4-digit kabupaten/kota code `PPKK`, if it exists.
pub fn kabupaten_kota_name(code: u16) -> Option<&'static str> {
    if code.is_multiple_of(100) {
        return None;
    }
    tables()?.name(u64::from(code) * 1_000_000)
}

/// What the tables know about a NIK's six-digit `PPKKCC` prefix.
pub fn nik_prefix_status(prefix: u32) -> PrefixStatus {
    let Some(t) = tables() else {
        return PrefixStatus::Unknown;
    };
    match prefix_lists(t, prefix) {
        None => PrefixStatus::Unknown,
        Some(None) => PrefixStatus::Current {
            kecamatan: t.name(u64::from(prefix) * 10_000).unwrap_or(""),
        },
        Some(Some(last_list)) => PrefixStatus::Historical {
            last_list,
            kecamatan: t
                .historical_names
                .binary_search_by_key(&prefix, |(p, _)| *p)
                .ok()
                .and_then(|j| t.historical_names.get(j))
                .map_or("", |(_, name)| name),
        },
    }
}

/// [`nik_prefix_status`] without the kecamatan's name: `None` if the prefix is unknown,
/// `Some(None)` if it is current, `Some(Some(list))` if it is historical, with the last
/// list it appears in. Verification needs no name, so it skips looking one up.
pub(crate) fn nik_prefix_lists(prefix: u32) -> Option<Option<&'static str>> {
    tables().and_then(|t| prefix_lists(t, prefix))
}

fn prefix_lists(t: &Tables, prefix: u32) -> Option<Option<&'static str>> {
    let i = t.prefixes.binary_search(&prefix).ok()?;
    let mask = t.prefix_masks.get(i).copied().unwrap_or(0);
    let current = 1u8 << (HISTORICAL_LISTS.len() - 1);
    if mask & current != 0 {
        return Some(None);
    }
    let last = (0..HISTORICAL_LISTS.len())
        .rev()
        .find(|bit| mask & (1 << bit) != 0);
    Some(Some(
        last.and_then(|bit| HISTORICAL_LISTS.get(bit))
            .copied()
            .unwrap_or(""),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_lists_agree_with_prefix_status() {
        let t = tables().expect("embedded tables unpack");
        let unknown = [0, 1, 999_999, 110_100, 999_998];
        for &prefix in t.prefixes.iter().chain(unknown.iter()) {
            let expected = match nik_prefix_status(prefix) {
                PrefixStatus::Unknown => None,
                PrefixStatus::Current { .. } => Some(None),
                PrefixStatus::Historical { last_list, .. } => Some(Some(last_list)),
            };
            assert_eq!(nik_prefix_lists(prefix), expected, "{prefix}");
        }
    }

    #[test]
    fn kabupaten_and_kota_names_are_ascii() {
        // The display upper-cases them as ASCII; a name beyond it would need Unicode's rules.
        let t = tables().expect("embedded tables unpack");
        let mut seen = 0;
        for &code in &t.codes {
            let is_kabupaten = code % 1_000_000 == 0 && code % 100_000_000 != 0;
            if is_kabupaten {
                let name = t.name(code).expect("a listed code has a name");
                assert!(name.is_ascii(), "{code}: {name}");
                assert_eq!(name.to_ascii_uppercase(), name.to_uppercase());
                seen += 1;
            }
        }
        assert!(seen > 500, "{seen} kabupaten and kota");
    }

    #[test]
    fn tables_unpack_with_the_published_counts() {
        let t = tables().expect("embedded tables unpack");
        assert_eq!(t.codes.len(), 91_599);
        let level = |k: &u64| match (k % 100_000_000, k % 1_000_000, k % 10_000) {
            (0, _, _) => 0,
            (_, 0, _) => 1,
            (_, _, 0) => 2,
            _ => 3,
        };
        let mut counts = [0usize; 4];
        for k in &t.codes {
            counts[level(k)] += 1;
        }
        assert_eq!(counts, [38, 514, 7_285, 83_762]);
        assert_eq!(t.prefixes.len(), 7_879);
        assert_eq!(t.historical_names.len(), 594);
        const { assert!(EMBEDDED_BYTES < 1_000_000) };
    }

    #[test]
    fn install_accepts_only_the_packed_tables_of_this_build() {
        assert_eq!(Sha256::digest(BLOB).as_slice(), PACKED_SHA256);
        assert_eq!(install(BLOB), Ok(()));
        assert_eq!(install(BLOB), Ok(()), "again: the same tables");
        assert_eq!(install(b""), Err(InstallError::DigestMismatch));
        let mut altered = BLOB.to_vec();
        if let Some(last) = altered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(install(&altered), Err(InstallError::DigestMismatch));
        assert!(preload());
        assert_eq!(unpack(&altered[..altered.len() / 2]).map(|_| ()), None);
    }

    #[test]
    fn resolves_desa_in_several_provinces() {
        let bandung = resolve_desa(3_273_011_002).unwrap();
        assert_eq!(bandung.desa_kelurahan, "Gegerkalong");
        assert_eq!(bandung.kecamatan, "Sukasari");
        assert_eq!(bandung.kabupaten_kota, "Kota Bandung");
        assert_eq!(bandung.provinsi, "Jawa Barat");
        assert_eq!(
            resolve_desa(1_101_022_018).unwrap().desa_kelurahan,
            "Pasi Kuala Ba'u"
        );
        assert_eq!(
            resolve_desa(1_207_281_007).unwrap().desa_kelurahan,
            "Lubuk Pakam I,II"
        );
        assert_eq!(
            resolve_desa(5_307_012_021).unwrap().desa_kelurahan,
            "Regapu\u{2019}u"
        );
        assert_eq!(
            resolve_desa(3_578_011_002).unwrap().kabupaten_kota,
            "Kota Surabaya"
        );
        assert_eq!(
            resolve_desa(9_501_011_001).unwrap().provinsi,
            "Papua Pegunungan"
        );
        assert!(desa_exists(3_273_011_002));
        assert!(!desa_exists(3_273_019_999));
        assert!(!desa_exists(3_273_010_000));
        assert_eq!(resolve_desa(3_273_010_000), None);
        assert_eq!(kabupaten_kota_name(3273), Some("Kota Bandung"));
        assert_eq!(kabupaten_kota_name(3200), None);
    }

    #[test]
    fn prefixes_from_each_generation_of_lists() {
        let current = |p| matches!(nik_prefix_status(p), PrefixStatus::Current { .. });
        let last = |p| match nik_prefix_status(p) {
            PrefixStatus::Historical { last_list, .. } => last_list,
            other => panic!("{p}: {other:?}"),
        };
        assert!(current(110_101), "in all six lists");
        assert!(current(210_213), "added in 2022");
        assert!(current(720_124), "added in 2025");
        assert_eq!(last(910_121), "2021", "only in the 2021 list");
        assert_eq!(last(910_101), "2021", "old Papua, 2015 to 2021");
        assert_eq!(last(920_101), "2022", "old Papua Barat, 2015 to 2022");
    }

    #[test]
    fn split_papua_keeps_old_prefixes_known() {
        // Merauke moved from Papua (91) to Papua Selatan (93) in 2022.
        assert_eq!(
            nik_prefix_status(910_101),
            PrefixStatus::Historical {
                last_list: "2021",
                kecamatan: "Merauke"
            }
        );
        assert_eq!(
            nik_prefix_status(930_101),
            PrefixStatus::Current {
                kecamatan: "Merauke"
            }
        );
        // Makbon moved from Papua Barat (92) to Papua Barat Daya (96) in 2025.
        assert_eq!(
            nik_prefix_status(920_101),
            PrefixStatus::Historical {
                last_list: "2022",
                kecamatan: "Makbon"
            }
        );
        assert_eq!(
            nik_prefix_status(960_101),
            PrefixStatus::Current {
                kecamatan: "Makbon"
            }
        );
        for (desa, provinsi) in [
            (9_301_011_002, "Papua Selatan"),
            (9_401_011_001, "Papua Tengah"),
            (9_501_011_001, "Papua Pegunungan"),
            (9_601_011_001, "Papua Barat Daya"),
        ] {
            assert_eq!(resolve_desa(desa).unwrap().provinsi, provinsi);
        }
    }

    #[test]
    fn nik_prefixes_current_historical_and_unknown() {
        assert_eq!(
            nik_prefix_status(327_301),
            PrefixStatus::Current {
                kecamatan: "Sukasari"
            }
        );
        // Old undivided Papua: last listed in 2021 before the 2022 split.
        match nik_prefix_status(910_101) {
            PrefixStatus::Historical { last_list, .. } => assert_eq!(last_list, "2021"),
            other => panic!("{other:?}"),
        }
        assert_eq!(nik_prefix_status(999_999), PrefixStatus::Unknown);
        // Never existed: province 10 and kecamatan 99 of Kota Bandung.
        assert_eq!(nik_prefix_status(100_101), PrefixStatus::Unknown);
        assert_eq!(nik_prefix_status(327_399), PrefixStatus::Unknown);
        assert_eq!(nik_prefix_status(0), PrefixStatus::Unknown);
    }
}
