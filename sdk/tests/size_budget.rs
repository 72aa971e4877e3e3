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

use ikd_sdk::{Challenge, present};
use ikd_sdk::{
    CredentialId, Document, HolderAlg, HolderSigningKey, IssueOptions, Issuer, IssuerSigningKey,
    StatusReference, UnixTime, Validity, transport,
};
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
/// A bound purpose-profile presentation must fit version 12 (419 characters)...
const PROFILE_BUDGET_VERSION: i16 = 12;
/// ...and one that also binds a verifier's challenge (nonce and audience) version 13.
const PROFILE_CHALLENGE_BUDGET_VERSION: i16 = 13;

/// The device key of presented rows: P-256, as phone keystores hold (its `cnf` is 3 bytes
/// longer than an Ed25519 one).
const DEVICE_SECRET: [u8; 32] = [9; 32];
/// Presentations are made an hour after issue.
const SHOWN_AT: i64 = IAT + 3600;

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

/// How a row's QR text is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// A bare credential with a random-length `cti` of 8 bytes.
    Bare,
    /// A bare credential with a `status` claim.
    BareWithStatus,
    /// Bound to the device key and presented, without a challenge.
    Presented,
    /// Bound and presented, binding an 8-character nonce and a 14-byte audience.
    PresentedWithChallenge,
}

fn measure(
    sample: &'static str,
    what: &'static str,
    document: &Document,
    shown: Shown,
    budget: Option<i16>,
) -> Measured {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&SEED), ISS).unwrap();
    let device = HolderSigningKey::from_secret(HolderAlg::Es256, &DEVICE_SECRET).unwrap();
    let bound = matches!(shown, Shown::Presented | Shown::PresentedWithChallenge);
    let options = IssueOptions {
        // Profiles leave `cti` out: every byte counts in a version-12 code.
        credential_id: if document.doc_type().is_profile() {
            CredentialId::Omitted
        } else {
            CredentialId::Given(CTI.to_vec())
        },
        status: (shown == Shown::BareWithStatus).then(status_reference),
        holder_key: bound.then(|| device.public_key()),
    };
    let (credential, _) = issuer
        .issue(
            document,
            Validity::for_seconds(UnixTime(IAT), LIFETIME),
            &options,
        )
        .unwrap();
    let challenge = Challenge::new("7KQ2M9XD", Some("BANK-CABANG-01")).unwrap();
    let (cose, text) = if bound {
        let presentation = present(
            &credential,
            &device,
            UnixTime(SHOWN_AT),
            90,
            (shown == Shown::PresentedWithChallenge).then_some(&challenge),
        )
        .unwrap();
        (presentation.as_bytes().to_vec(), presentation.to_qr_text())
    } else {
        (credential.as_bytes().to_vec(), credential.to_qr_text())
    };
    let cose = cose.as_slice();
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

fn sample(json: &str) -> Document {
    serde_json::from_str(json).unwrap()
}

fn ktp() -> ikd_sdk::Ktp {
    match sample(ikd_sdk::samples::KTP_JSON) {
        Document::Ktp(ktp) => ktp,
        _ => panic!("the KTP-el sample is not a KTP-el"),
    }
}

const ROWS: usize = 14;

fn measure_all() -> [Measured; ROWS] {
    use ikd_sdk::samples::{KK_4_JSON, KK_8_JSON, KTP_JSON};
    let ktp_budget = Some(KTP_BUDGET_VERSION);
    let kk_budget = Some(KK_8_BUDGET_VERSION);
    let profile_budget = Some(PROFILE_BUDGET_VERSION);
    let challenge_budget = Some(PROFILE_CHALLENGE_BUDGET_VERSION);
    let identity = Document::Identity(ktp().identity_profile(false));
    let age = Document::AgeOver17(ktp().age_profile(UnixTime(IAT).date()));
    let domicile = Document::Domicile(ktp().domicile_profile());
    [
        measure(
            "ktp",
            "KTP-el, no portrait",
            &sample(KTP_JSON),
            Shown::Bare,
            ktp_budget,
        ),
        measure(
            "kk-4",
            "KK, 4 members",
            &sample(KK_4_JSON),
            Shown::Bare,
            None,
        ),
        measure(
            "kk-8",
            "KK, 8 members",
            &sample(KK_8_JSON),
            Shown::Bare,
            kk_budget,
        ),
        measure(
            "ktp-status",
            "KTP-el, no portrait, with a `status` claim (33-byte URI, index 1048575)",
            &sample(KTP_JSON),
            Shown::BareWithStatus,
            ktp_budget,
        ),
        measure(
            "ktp-presented",
            "KTP-el, no portrait, bound (P-256) and presented",
            &sample(KTP_JSON),
            Shown::Presented,
            ktp_budget,
        ),
        measure(
            "ktp-challenge",
            "KTP-el, no portrait, presented with nonce and audience",
            &sample(KTP_JSON),
            Shown::PresentedWithChallenge,
            ktp_budget,
        ),
        measure(
            "kk-4-presented",
            "KK, 4 members, bound and presented",
            &sample(KK_4_JSON),
            Shown::Presented,
            None,
        ),
        measure(
            "kk-8-presented",
            "KK, 8 members, bound and presented",
            &sample(KK_8_JSON),
            Shown::Presented,
            kk_budget,
        ),
        measure(
            "identity-presented",
            "Identity profile (NIK, nama; no portrait), presented",
            &identity,
            Shown::Presented,
            profile_budget,
        ),
        measure(
            "age-presented",
            "Age profile (over 17), presented",
            &age,
            Shown::Presented,
            profile_budget,
        ),
        measure(
            "domicile-presented",
            "Domicile profile (alamat, RT/RW, kode wilayah), presented",
            &domicile,
            Shown::Presented,
            profile_budget,
        ),
        measure(
            "age-challenge",
            "Age profile, presented with nonce and audience",
            &age,
            Shown::PresentedWithChallenge,
            challenge_budget,
        ),
        measure(
            "identity-challenge",
            "Identity profile, presented with nonce and audience",
            &identity,
            Shown::PresentedWithChallenge,
            challenge_budget,
        ),
        measure(
            "domicile-challenge",
            "Domicile profile, presented with nonce and audience",
            &domicile,
            Shown::PresentedWithChallenge,
            challenge_budget,
        ),
    ]
}

/// The longest text (of `A`s) for which `profile` still presents within the profile
/// budget: how much room a real name or address has.
fn longest_fitting(profile: impl Fn(String) -> Document) -> usize {
    let fits = |len: usize| {
        let document = profile("A".repeat(len));
        let row = measure("", "", &document, Shown::Presented, None);
        row.version <= PROFILE_BUDGET_VERSION
    };
    let mut len = 1;
    assert!(fits(len));
    while fits(len + 1) {
        len += 1;
    }
    len
}

/// The sentence under the table saying how long a name and an address may be.
fn render_room() -> String {
    let nama = longest_fitting(|nama| {
        Document::Identity(ikd_sdk::IdentityProfile {
            nama,
            ..ktp().identity_profile(false)
        })
    });
    let alamat = longest_fitting(|alamat| {
        Document::Domicile(ikd_sdk::DomicileProfile {
            alamat,
            ..ktp().domicile_profile()
        })
    });
    format!(
        "\nWithin version 12, the identity presentation has room for a `nama` of up to {nama} \
         characters, and the domicile presentation for an `alamat` of up to {alamat} characters \
         (the other fields as in the sample).\n"
    )
}

fn render(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| Sample | Document | COSE_Sign1 (bytes) | zlib, level 9 (bytes) | Sent as | \
         QR text (characters) | QR version, ECC M | Capacity of that version (characters) | \
         Capacity of the version below | Budget |\n\
         |---|---|---:|---:|---|---:|---:|---:|---:|---|\n",
    );
    for m in rows {
        let budget = match m.budget {
            None => "—".to_owned(),
            Some(v) if m.version > v => format!("version ≤ {v}: **exceeded**"),
            Some(v) => format!("version ≤ {v}"),
        };
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
    let rows = measure_all();
    for m in &rows {
        if let Some(budget) = m.budget {
            assert!(
                m.version <= budget,
                "{} ({}) needs QR version {}, budget {budget}",
                m.sample,
                m.what,
                m.version
            );
        }
        // The encoder compresses exactly when that is shorter.
        assert_eq!(m.compressed, m.zlib_len < m.cose_len, "{}", m.sample);
    }
    // The versions measured when the table was last written: a change here is a size change
    // worth a look (and a table update), even within budget.
    let versions: Vec<(&str, i16)> = rows.iter().map(|m| (m.sample, m.version)).collect();
    println!("{versions:?}");
    assert_eq!(
        versions, MEASURED_VERSIONS,
        "QR versions changed; update MEASURED_VERSIONS and the spec table"
    );
}

/// The QR versions the table shows.
const MEASURED_VERSIONS: [(&str, i16); ROWS] = [
    ("ktp", 12),
    ("kk-4", 17),
    ("kk-8", 21),
    ("ktp-status", 13),
    ("ktp-presented", 15),
    ("ktp-challenge", 16),
    ("kk-4-presented", 20),
    ("kk-8-presented", 23),
    ("identity-presented", 12),
    ("age-presented", 11),
    ("domicile-presented", 12),
    ("age-challenge", 12),
    ("identity-challenge", 13),
    ("domicile-challenge", 13),
];

#[test]
fn qr_capacity_matches_the_design_figures() {
    // The budget the sizes are set against: version 16 at ECC M holds 656 alphanumeric
    // characters, version 12 holds 419.
    assert_eq!(alphanumeric_capacity(16), 656);
    assert_eq!(alphanumeric_capacity(12), 419);
}

#[test]
fn size_table_in_the_spec_is_current() {
    let rendered = render(&measure_all()) + &render_room();
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
