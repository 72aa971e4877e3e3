#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The size budget: how large the QR codes of the sample documents are, checked against the
//! design's ceilings, and the measured table of spec/format.md §13 kept equal to what this
//! test renders.
//!
//! `UPDATE_SPEC=1 cargo test -p ikd-sdk --test size_budget` rewrites the table instead of
//! comparing it.

use ikd_sdk::{Document, Issuer, IssuerSigningKey, StatusReference, UnixTime, Validity, transport};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The inputs of spec/format.md §14 (the worked example), so that its row and the example
/// agree byte for byte.
const SEED: [u8; 32] = [7; 32];
const ISS: &str = "ID-DUKCAPIL-3273";
const IAT: i64 = 1_790_000_000;
const LIFETIME: i64 = 365 * 86_400;
const CTI: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// Design budgets (docs: spec/format.md §13): highest QR version allowed at ECC M.
const KTP_BUDGET_VERSION: i16 = 16;
const KK_8_BUDGET_VERSION: i16 = 25;

struct Measured {
    sample: &'static str,
    what: &'static str,
    cose_len: usize,
    zlib_len: usize,
    compressed: bool,
    text_len: usize,
    version: i16,
    capacity: usize,
    capacity_below: usize,
    budget: Option<i16>,
}

fn version_number(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(v) => v,
        Version::Micro(v) => panic!("unexpected Micro QR version {v}"),
    }
}

/// The number of alphanumeric characters a version holds at ECC M: the longest run of
/// alphanumeric data whose bit stream (mode, count, data) fits the version's data capacity.
fn alphanumeric_capacity(version: i16) -> usize {
    let fits = |n: usize| {
        let mut bits = Bits::new(Version::Normal(version));
        bits.push_alphanumeric_data(&vec![b'A'; n]).is_ok()
            && bits.len() <= bits.max_len(EcLevel::M).unwrap()
    };
    let (mut lo, mut hi) = (0usize, 4296usize);
    assert!(fits(lo) && !fits(hi + 1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// The `status` claim of the `ktp-status` row: a 33-byte URI and the last index of a
/// 2^20-entry list, the longest index such a list has.
fn status_reference() -> StatusReference {
    StatusReference {
        index: (1 << 20) - 1,
        uri: "https://ikd.example/status/3273/1".into(),
    }
}

fn measure(sample: &'static str, what: &'static str, json: &str, budget: Option<i16>) -> Measured {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&SEED), ISS).unwrap();
    let document: Document = serde_json::from_str(json).unwrap();
    let status = (sample == "ktp-status").then(status_reference);
    let (credential, _) = issuer
        .issue_with_status(
            &document,
            Validity::for_seconds(UnixTime(IAT), LIFETIME),
            Some(CTI.to_vec()),
            status.as_ref(),
        )
        .unwrap();
    let cose = credential.as_bytes();
    let text = credential.to_qr_text();
    assert_eq!(
        transport::decode_qr_text(&text).unwrap(),
        cose,
        "{sample} round trip"
    );
    assert!(
        text.bytes()
            .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
        "{sample}: QR text leaves the alphanumeric set"
    );
    let zlib = miniz_oxide::deflate::compress_to_vec_zlib(cose, 9);
    let compressed = zlib.len() < cose.len();
    let body_len = if compressed { zlib.len() } else { cose.len() };
    assert_eq!(
        text.len(),
        transport::PREFIX.len() + body_len / 2 * 3 + body_len % 2 * 2
    );
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
    let version = version_number(&code);
    Measured {
        sample,
        what,
        cose_len: cose.len(),
        zlib_len: zlib.len(),
        compressed,
        text_len: text.len(),
        version,
        capacity: alphanumeric_capacity(version),
        capacity_below: alphanumeric_capacity(version - 1),
        budget,
    }
}

fn measure_all() -> [Measured; 4] {
    [
        measure(
            "ktp",
            "KTP-el, no portrait",
            ikd_sdk::samples::KTP_JSON,
            Some(KTP_BUDGET_VERSION),
        ),
        measure("kk-4", "KK, 4 members", ikd_sdk::samples::KK_4_JSON, None),
        measure(
            "kk-8",
            "KK, 8 members",
            ikd_sdk::samples::KK_8_JSON,
            Some(KK_8_BUDGET_VERSION),
        ),
        measure(
            "ktp-status",
            "KTP-el, no portrait, with a `status` claim (33-byte URI, index 1048575)",
            ikd_sdk::samples::KTP_JSON,
            Some(KTP_BUDGET_VERSION),
        ),
    ]
}

fn render(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| Sample | Document | COSE_Sign1 (bytes) | zlib, level 9 (bytes) | Sent as | \
         QR text (characters) | QR version, ECC M | Capacity of that version (characters) | \
         Capacity of the version below | Budget |\n\
         |---|---|---:|---:|---|---:|---:|---:|---:|---|\n",
    );
    for m in rows {
        let budget = m
            .budget
            .map_or("—".to_owned(), |v| format!("version ≤ {v}"));
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            m.sample,
            m.what,
            m.cose_len,
            m.zlib_len,
            if m.compressed { "zlib" } else { "plain" },
            m.text_len,
            m.version,
            m.capacity,
            m.capacity_below,
            budget
        )
        .unwrap();
    }
    out
}

#[test]
fn samples_fit_their_budgets() {
    let [ktp, kk4, kk8, ktp_status] = measure_all();
    // The budgets of the design.
    assert!(
        ktp.version <= KTP_BUDGET_VERSION,
        "KTP-el needs QR version {}",
        ktp.version
    );
    assert!(
        kk8.version <= KK_8_BUDGET_VERSION,
        "8-member KK needs QR version {}",
        kk8.version
    );
    assert!(
        ktp_status.version <= KTP_BUDGET_VERSION,
        "KTP-el with a status claim needs QR version {}",
        ktp_status.version
    );
    // The versions measured when the table was last written: a change here is a size change
    // worth a look (and a table update), even within budget.
    assert_eq!(ktp.version, 12, "KTP-el QR version changed");
    assert_eq!(kk4.version, 17, "4-member KK QR version changed");
    assert_eq!(kk8.version, 21, "8-member KK QR version changed");
    assert_eq!(
        ktp_status.version, 13,
        "KTP-el with status QR version changed"
    );
    // The encoder compresses exactly when that is shorter.
    for m in [&ktp, &kk4, &kk8, &ktp_status] {
        assert_eq!(m.compressed, m.zlib_len < m.cose_len, "{}", m.sample);
    }
}

#[test]
fn qr_capacity_matches_the_design_figures() {
    // DESIGN.md: version 16 at ECC M holds 656 alphanumeric characters, version 12 holds 419.
    assert_eq!(alphanumeric_capacity(16), 656);
    assert_eq!(alphanumeric_capacity(12), 419);
}

#[test]
fn size_table_in_the_spec_is_current() {
    let rendered = render(&measure_all());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/format.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\r\n", "\n");
    let start = "<!-- size-table:start -->\n";
    let end = "<!-- size-table:end -->";
    let from = text
        .find(start)
        .expect("spec/format.md lacks the size-table start marker")
        + start.len();
    let to = from
        + text[from..]
            .find(end)
            .expect("spec/format.md lacks the size-table end marker");
    if std::env::var("UPDATE_SPEC").is_ok_and(|v| v == "1") {
        let updated = format!("{}{}{}", &text[..from], rendered, &text[to..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        text[from..to] == rendered,
        "the size table of spec/format.md is stale: run \
         `UPDATE_SPEC=1 cargo test -p ikd-sdk --test size_budget`\n{rendered}"
    );
}
