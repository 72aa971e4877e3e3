#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Keeps spec/ in step with the SDK.
//!
//! - spec/reason-codes.md is generated whole from the reason and warning registries.
//! - spec/format.md holds generated blocks between `<!-- NAME:start -->` and
//!   `<!-- NAME:end -->` markers: the limits table, the SIAK code lists and the worked example.
//! - The hand-written field tables of spec/format.md and the document rules of spec/ikd.cddl
//!   are checked against the key ↔ name mapping the SDK actually uses, and every reason code,
//!   stage and `typ` value must be mentioned in spec/format.md.
//!
//! A mismatch fails the test. `UPDATE_SPEC=1 cargo test -p ikd-sdk --test spec_sync` rewrites
//! the generated parts instead (hand-written parts are never rewritten).

use ciborium::Value;
use ikd_sdk::Date;
use ikd_sdk::SiakList;
use ikd_sdk::Warning;
use ikd_sdk::limits::{MAX_DATE, MIN_DATE};
use ikd_sdk::reason::{REGISTRY, ReasonInfo, WARNING_REGISTRY};
use ikd_sdk::receipt::ReceiptCode;
use ikd_sdk::trust_bundle::BundleCode;
use ikd_sdk::unstable_wire::cose::{self, MessageType};
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, Policy, Stage, TrustStore, TrustedKey,
    UnixTime, Validity, limits, transport,
};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------------
// Writing or checking spec files

/// Serialises read-modify-write of spec files between the tests of this binary.
static SPEC_LOCK: Mutex<()> = Mutex::new(());

fn spec_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("spec")
        .join(name)
}

fn updating() -> bool {
    std::env::var("UPDATE_SPEC").is_ok_and(|v| v == "1")
}

fn read_spec(name: &str) -> String {
    std::fs::read_to_string(spec_path(name))
        .unwrap_or_else(|e| panic!("spec/{name}: {e}"))
        .replace("\r\n", "\n")
}

/// Checks (or, with UPDATE_SPEC=1, writes) a whole generated file.
fn sync_file(name: &str, rendered: &str) {
    let _guard = SPEC_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = spec_path(name);
    if updating() {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert!(
        committed == rendered,
        "spec/{name} is stale: run `UPDATE_SPEC=1 cargo test -p ikd-sdk --test spec_sync`"
    );
}

/// Checks (or writes) the text between `<!-- {marker}:start -->` and `<!-- {marker}:end -->`.
fn sync_block(name: &str, marker: &str, rendered: &str) {
    let _guard = SPEC_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = spec_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\r\n", "\n");
    let start = format!("<!-- {marker}:start -->\n");
    let end = format!("<!-- {marker}:end -->");
    let from = text
        .find(&start)
        .unwrap_or_else(|| panic!("spec/{name} lacks the marker {start:?}"))
        + start.len();
    let to = from
        + text[from..]
            .find(&end)
            .unwrap_or_else(|| panic!("spec/{name} lacks the marker {end:?}"));
    if updating() {
        let mut new = String::with_capacity(text.len());
        new.push_str(&text[..from]);
        new.push_str(rendered);
        new.push_str(&text[to..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    assert!(
        text[from..to] == *rendered,
        "the {marker} block of spec/{name} is stale: run \
         `UPDATE_SPEC=1 cargo test -p ikd-sdk --test spec_sync`"
    );
}

// ---------------------------------------------------------------------------------------------
// spec/reason-codes.md

/// What each stage checks; every stage of `Stage::ALL` must have an entry.
const STAGE_TEXT: &[(&str, &str)] = &[
    (
        "decode",
        "Input length, `IKD1:` prefix, Base45, bounded zlib inflation, strict CBOR, COSE_Sign1 structure.",
    ),
    (
        "header",
        "Protected header: `alg`, empty unprotected header, allowed parameters, `typ`, `kid`; a trusted key with that `kid` exists.",
    ),
    (
        "signature",
        "The issuer's Ed25519 signature, strictly verified.",
    ),
    (
        "claims",
        "CWT claims, `iss` against the key's issuer, document type against the key and the policy, the document's CBOR shape.",
    ),
    (
        "time",
        "`nbf`, `iat`, `exp` against the verifier's clock with leeway; `iat` within the key's validity window.",
    ),
    (
        "freshness",
        "Age of the signed trust list and of the credential's status list against the policy: rejected, or accepted with a warning during a grace period; `skipped` with local trust data and no status list to check.",
    ),
    (
        "revocation",
        "The credential's entry in its issuer's status list (its `status` claim); `skipped` for a credential without one.",
    ),
    (
        "holder_binding",
        "A presentation: the holder's device signature, the presentation's age, the verifier's challenge, replays. A bare credential: whether the policy accepts its type bare; `skipped` when it does.",
    ),
    (
        "content",
        "Document values: NIK format, text, dates, SIAK codes, region and postal codes, portrait; warnings for NIK consistency and for regions missing from the region table.",
    ),
];

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// One warning of each kind, to read its severity; every registered warning code needs one.
fn sample_warnings() -> Vec<Warning> {
    let field = ikd_sdk::FieldPath::top("nik");
    vec![
        Warning::NikBirthDateMismatch { field },
        Warning::NikSexMismatch { field },
        Warning::NikRegionUnknown { field },
        Warning::NikRegionHistorical {
            field,
            last_list: "2021",
        },
        Warning::RegionCodeUnknown {
            field,
            table: "table",
        },
        Warning::TrustListStaleGrace,
        Warning::StatusListStaleGrace,
    ]
}

/// The registry as a table; `severity` gives a warning code's severity column.
fn code_table(out: &mut String, rows: &[ReasonInfo], severity: Option<&dyn Fn(&str) -> String>) {
    let (head, rule) = match severity {
        Some(_) => ("| Severity ", "|---"),
        None => ("", ""),
    };
    writeln!(out, "| # | Code | Stage {head}| Meaning | Arti |").unwrap();
    writeln!(out, "|---:|---|---{rule}|---|---|").unwrap();
    for (i, info) in rows.iter().enumerate() {
        let extra = severity.map_or(String::new(), |f| format!("`{}` | ", f(info.code)));
        writeln!(
            out,
            "| {} | `{}` | `{}` | {extra}{} | {} |",
            i + 1,
            info.code,
            info.stage.as_str(),
            md_cell(info.en),
            md_cell(info.id)
        )
        .unwrap();
    }
}

fn render_reason_codes() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- GENERATED from ikd_sdk::reason::{REGISTRY, WARNING_REGISTRY}, ikd_sdk::trust_bundle::BundleCode\n\
         and ikd_sdk::receipt::ReceiptCode by sdk/tests/spec_sync.rs.\n\
         Do not edit by hand: run `UPDATE_SPEC=1 cargo test -p ikd-sdk --test spec_sync`. -->\n\n",
    );
    out.push_str("# IKD reason codes\n\n");
    out.push_str(
        "This is the registry of the stable codes an IKD verifier reports (format version 1,\n\
         [format.md](format.md) §10 says which step raises which code). A rejected\n\
         credential carries exactly one **reason code**; a verified credential may carry\n\
         **warning codes**. Codes are ASCII `snake_case` and are meant for machines: logs,\n\
         audit records, API responses and conformance vectors compare codes, never message\n\
         text. The English and Bahasa Indonesia texts are what a counter screen may show.\n\n",
    );
    out.push_str("## Rules\n\n");
    out.push_str(
        "- **Append-only.** A code, once published, keeps its meaning and its stage forever. New\n\
         \x20 codes are added at the end of their table. A code is never removed, renamed, reused\n\
         \x20 for another meaning or moved to another stage; the `#` column never changes for an\n\
         \x20 existing code.\n\
         - The message texts may be reworded, but never so that their meaning changes.\n\
         - Reason codes and warning codes share one namespace: no code appears in both tables.\n\
         - The **stage** column is the stage a code belongs to. A rejection always reports\n\
         \x20 that stage, and it is the stage its trace marks `failed` (format.md §11). The\n\
         \x20 strict-CBOR codes (`cbor_*`) concern the unsigned envelope only: a CBOR fault\n\
         \x20 inside the signed payload is `claims_malformed`.\n\n",
    );
    out.push_str("## Stages\n\nThe stages run in this order:\n\n");
    out.push_str("| # | Stage | What it checks |\n|---:|---|---|\n");
    for (i, stage) in Stage::ALL.iter().enumerate() {
        let text = STAGE_TEXT
            .iter()
            .find(|(name, _)| *name == stage.as_str())
            .map(|(_, text)| *text)
            .unwrap_or_else(|| panic!("no description for stage {stage}"));
        writeln!(out, "| {} | `{}` | {} |", i + 1, stage.as_str(), text).unwrap();
    }
    out.push_str("\n## Reason codes (rejections)\n\n");
    code_table(&mut out, REGISTRY, None);
    out.push_str(
        "\n## Warning codes\n\n\
         Warnings never reject a credential. They are reported only with a verified result,\n\
         each with the field it concerns. Severity `warning` deserves a look by the person at\n\
         the counter; `info` is expected in real documents and shown for completeness.\n\n",
    );
    let samples = sample_warnings();
    let severity = |code: &str| {
        samples
            .iter()
            .find(|w| w.code() == code)
            .unwrap_or_else(|| panic!("add a sample of warning {code} to sample_warnings()"))
            .severity()
            .as_str()
            .to_owned()
    };
    code_table(&mut out, WARNING_REGISTRY, Some(&severity));
    out.push_str(
        "\n## Trust bundle import codes\n\n\
         Importing a trust bundle (format.md §9.6) is not a verification, so these codes have\n\
         no stage; they are append-only like the others and share their namespace. A code\n\
         that **refuses** the bundle installs nothing of it; the others concern one status\n\
         list, which is left out while the rest of the bundle is installed.\n\n\
         | # | Code | Refuses | Meaning | Arti |\n|---:|---|---|---|---|\n",
    );
    for (i, code) in BundleCode::ALL.iter().enumerate() {
        let refuses = if code.refuses_bundle() {
            "bundle"
        } else {
            "one status list"
        };
        writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            i + 1,
            code.code(),
            refuses,
            md_cell(code.en()),
            md_cell(code.id())
        )
        .unwrap();
    }
    out.push_str(
        "\n## Verification receipt codes\n\n\
         Checking a verification receipt (format.md §17.8) refuses it with one of these codes,\n\
         in this order of the checks; they are append-only and share the namespace of the\n\
         other codes.\n\n\
         | # | Code | Meaning | Arti |\n|---:|---|---|---|\n",
    );
    for (i, code) in ReceiptCode::ALL.iter().enumerate() {
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            i + 1,
            code.code(),
            md_cell(code.en()),
            md_cell(code.id())
        )
        .unwrap();
    }
    out
}

#[test]
fn receipt_codes_share_no_name_with_other_codes() {
    for code in ReceiptCode::ALL {
        assert!(code.code().starts_with("receipt_"), "{code}");
        assert!(
            !REGISTRY
                .iter()
                .map(|r| r.code)
                .chain(WARNING_REGISTRY.iter().map(|w| w.code))
                .chain(BundleCode::ALL.iter().map(|c| c.code()))
                .any(|c| c == code.code()),
            "{code}"
        );
    }
}

#[test]
fn bundle_codes_share_no_name_with_reason_or_warning_codes() {
    for code in BundleCode::ALL {
        assert!(code.code().starts_with("bundle_"), "{code}");
        assert!(
            !REGISTRY
                .iter()
                .map(|r| r.code)
                .chain(WARNING_REGISTRY.iter().map(|w| w.code))
                .any(|c| c == code.code()),
            "{code}"
        );
    }
}

#[test]
fn reason_codes_page_matches_the_registry() {
    assert_eq!(STAGE_TEXT.len(), Stage::ALL.len());
    sync_file("reason-codes.md", &render_reason_codes());
}

// ---------------------------------------------------------------------------------------------
// The limits table

fn render_limits() -> String {
    let rows: Vec<(String, String, &str, &str)> = vec![
        (
            "`MAX_QR_TEXT_LEN`".into(),
            format!("{} bytes", limits::MAX_QR_TEXT_LEN),
            "QR text after trailing CR/LF are stripped, prefix included (the alphanumeric capacity of a version 40 QR code at ECC L)",
            "`input_too_large`",
        ),
        (
            "`MAX_INFLATED_LEN`".into(),
            format!("{} bytes", limits::MAX_INFLATED_LEN),
            "message after zlib inflation",
            "`inflate_limit_exceeded`",
        ),
        (
            "`MAX_CBOR_DEPTH`".into(),
            format!("{} levels", limits::MAX_CBOR_DEPTH),
            "arrays, maps and tags nested in one strictly checked CBOR item (message, protected header and payload each counted from 0)",
            "`cbor_too_deep`",
        ),
        (
            "`MAX_CBOR_CONTAINER_ITEMS`".into(),
            format!("{} items", limits::MAX_CBOR_CONTAINER_ITEMS),
            "elements of one array, or pairs of one map",
            "`cbor_malformed`",
        ),
        (
            "`KID_LEN`".into(),
            format!("exactly {} bytes", ikd_sdk::crypto::KID_LEN),
            "`kid` (an absent or zero-length `kid` is `kid_missing`)",
            "`kid_unknown`",
        ),
        (
            "`MAX_KID_CANDIDATES`".into(),
            format!("{} keys", limits::MAX_KID_CANDIDATES),
            "trusted keys tried for one `kid`, in trust-store order",
            "`signature_invalid`",
        ),
        (
            "signature length".into(),
            "exactly 64 bytes".into(),
            "Ed25519 signature",
            "`signature_invalid`",
        ),
        (
            "`MAX_ISSUER_ID_LEN`".into(),
            format!("1 to {} bytes", limits::MAX_ISSUER_ID_LEN),
            "`iss` claim; also the `issuer` of a trust-store entry",
            "`claims_malformed`",
        ),
        (
            "`MAX_CREDENTIAL_ID_LEN`".into(),
            format!("1 to {} bytes", limits::MAX_CREDENTIAL_ID_LEN),
            "`cti` claim",
            "`claims_malformed`",
        ),
        (
            "NumericDate range".into(),
            format!("0 to {}", limits::MAX_NUMERIC_DATE),
            "`iat`, `nbf`, `exp` (the largest is 9999-12-31T23:59:59Z)",
            "`claims_malformed`",
        ),
        (
            "`MAX_KK_MEMBERS`".into(),
            format!("1 to {} members", limits::MAX_KK_MEMBERS),
            "KK `anggota` array",
            "`document_malformed`",
        ),
        (
            "`MAX_TEXT_FIELD_LEN`".into(),
            format!("1 to {} bytes", limits::MAX_TEXT_FIELD_LEN),
            "every document text field, in UTF-8 bytes",
            "`field_invalid`",
        ),
        (
            "`MAX_PORTRAIT_LEN`".into(),
            format!("{} bytes", limits::MAX_PORTRAIT_LEN),
            "KTP-el `foto`",
            "`field_invalid`",
        ),
        (
            "document date range".into(),
            format!(
                "{} ({MIN_DATE}) to {} ({MAX_DATE})",
                MIN_DATE.days_since_epoch(),
                MAX_DATE.days_since_epoch()
            ),
            "every document date, in days since 1970-01-01 (a value outside the 32-bit signed range is `document_malformed`)",
            "`field_invalid`",
        ),
        (
            "`MAX_STATUS_URI_LEN`".into(),
            format!("1 to {} bytes", limits::MAX_STATUS_URI_LEN),
            "`uri` of a `status` claim; `sub` of a status list token",
            "`claims_malformed`; a token is refused",
        ),
        (
            "`MAX_TRUST_LIST_BYTES`".into(),
            format!("{} bytes", limits::MAX_TRUST_LIST_BYTES),
            "signed trust list (also the sync's body limit for it)",
            "refused (§9.2)",
        ),
        (
            "`MAX_TRUST_LIST_ENTRIES`".into(),
            format!("{} items", limits::MAX_TRUST_LIST_ENTRIES),
            "key entries of a trust list; elements of any array, pairs of any map of its payload",
            "refused (§9.2)",
        ),
        (
            "`MAX_TRUST_LIST_STATUS_LISTS`".into(),
            format!("{} lists", limits::MAX_TRUST_LIST_STATUS_LISTS),
            "status lists one trust list names",
            "refused (§9.2)",
        ),
        (
            "`MAX_SUCCESSOR_ROOTS`".into(),
            format!("1 to {} keys", limits::MAX_SUCCESSOR_ROOTS),
            "`successor_roots` of a trust list",
            "refused (§9.2)",
        ),
        (
            "`MAX_ROOT_KEYS`".into(),
            format!("1 to {} keys", limits::MAX_ROOT_KEYS),
            "pinned roots of a configuration (and successor roots remembered)",
            "configuration error",
        ),
        (
            "`MAX_ISSUER_NAME_LEN`".into(),
            format!("{} bytes", limits::MAX_ISSUER_NAME_LEN),
            "`name` of a trust-list key entry",
            "refused (§9.2)",
        ),
        (
            "`MAX_STATUS_FILE_NAME_LEN`".into(),
            format!("1 to {} bytes", limits::MAX_STATUS_FILE_NAME_LEN),
            "file name of a status list in a published folder",
            "refused (§9.2)",
        ),
        (
            "`MAX_STATUS_LIST_TOKEN_BYTES`".into(),
            format!("{} bytes", limits::MAX_STATUS_LIST_TOKEN_BYTES),
            "status list token (also the sync's body limit for it)",
            "refused (§9.3)",
        ),
        (
            "`MAX_STATUS_LIST_BYTES`".into(),
            format!("{} bytes", limits::MAX_STATUS_LIST_BYTES),
            "a status list's byte array after zlib inflation",
            "refused (§9.3)",
        ),
        (
            "`MAX_TRUST_BUNDLE_BYTES`".into(),
            format!("{} bytes", limits::MAX_TRUST_BUNDLE_BYTES),
            "trust bundle (§9.6)",
            "`bundle_too_large`",
        ),
        (
            "`MAX_BUNDLE_STATUS_LISTS`".into(),
            format!("{} tokens", limits::MAX_BUNDLE_STATUS_LISTS),
            "status list tokens in one trust bundle",
            "`bundle_malformed`",
        ),
        (
            "`MAX_LIST_CLOCK_SKEW_SECONDS`".into(),
            format!("{} seconds", limits::MAX_LIST_CLOCK_SKEW_SECONDS),
            "how far in the future a trust list's `issued_at` or a status list's `iat` may lie when it is installed",
            "update refused (§9.4)",
        ),
    ];
    let mut out = String::from("| Limit | Value | Applies to | Beyond it |\n|---|---|---|---|\n");
    for (name, value, what, code) in rows {
        writeln!(out, "| {name} | {value} | {what} | {code} |").unwrap();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The SIAK code lists

fn render_siak() -> String {
    let mut out = String::new();
    for list in SiakList::ALL {
        writeln!(
            out,
            "**`{}`** — codes 1 to {}\n\n| Code | Label |\n|---:|---|",
            list.name(),
            list.max_code()
        )
        .unwrap();
        for code in 1..=list.max_code() {
            let label = list.label(code).unwrap();
            writeln!(out, "| {code} | {} |", md_cell(label)).unwrap();
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Key ↔ name mapping of the documents, derived from the SDK

/// The keys of a JSON object, in the order they appear.
struct OrderedKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for OrderedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OrderedKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(OrderedKeys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

fn json_keys(json: &str) -> Vec<String> {
    serde_json::from_str::<OrderedKeys>(json).unwrap().0
}

fn map_keys(value: &Value) -> Vec<i128> {
    let Value::Map(entries) = value else {
        panic!("not a map")
    };
    entries
        .iter()
        .map(|(k, _)| i128::from(k.as_integer().unwrap()))
        .collect()
}

fn map_get(value: &Value, key: i128) -> &Value {
    let Value::Map(entries) = value else {
        panic!("not a map")
    };
    &entries
        .iter()
        .find(|(k, _)| k.as_integer().map(i128::from) == Some(key))
        .unwrap()
        .1
}

/// A KTP-el and a KK whose optional fields are all present.
fn full_documents() -> (Document, Document) {
    let mut ktp: serde_json::Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    ktp["foto"] = "/9j/2Q==".into(); // FF D8 FF D9: the smallest JPEG-looking bytes
    let mut kk: serde_json::Value = serde_json::from_str(ikd_sdk::samples::KK_4_JSON).unwrap();
    kk["anggota"][0]["nomor_paspor"] = "X1234567".into();
    kk["anggota"][0]["nomor_kitap"] = "2C21AB1234567".into();
    let ktp: Document = serde_json::from_value(ktp).unwrap();
    let kk: Document = serde_json::from_value(kk).unwrap();
    (ktp, kk)
}

/// (CBOR key, JSON name) pairs, zipped in order, after checking both have the same length.
fn zip_mapping(cbor: &Value, json: &str) -> Vec<(i128, String)> {
    let keys = map_keys(cbor);
    let names = json_keys(json);
    assert_eq!(keys.len(), names.len(), "{keys:?} vs {names:?}");
    keys.into_iter().zip(names).collect()
}

/// The mappings of the KTP-el, the KK header and the KK member.
fn mappings() -> [(&'static str, Vec<(i128, String)>); 3] {
    let (ktp, kk) = full_documents();
    let ktp_map = zip_mapping(&ktp.to_cbor_value(), &serde_json::to_string(&ktp).unwrap());
    let kk_value = kk.to_cbor_value();
    let kk_map = zip_mapping(&kk_value, &serde_json::to_string(&kk).unwrap());
    let Document::Kk(kk_doc) = &kk else { panic!() };
    let Value::Array(members) = map_get(&kk_value, 9) else {
        panic!()
    };
    let member_map = zip_mapping(
        &members[0],
        &serde_json::to_string(&kk_doc.anggota[0]).unwrap(),
    );
    [("ktp", ktp_map), ("kk", kk_map), ("kk-member", member_map)]
}

fn name_of(mapping: &[(i128, String)], key: i128) -> Option<&str> {
    mapping
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n.as_str())
}

/// `| 1 | \`nik\` | …` rows between the markers.
fn table_rows(text: &str, marker: &str) -> Vec<(i128, String)> {
    let start = format!("<!-- {marker}:start -->");
    let end = format!("<!-- {marker}:end -->");
    let from = text.find(&start).unwrap_or_else(|| panic!("no {start}"));
    let to = from
        + text[from..]
            .find(&end)
            .unwrap_or_else(|| panic!("no {end}"));
    text[from..to]
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let key = cells.next()?.parse().ok()?;
            let name = cells.next()?.trim_matches('`').to_owned();
            Some((key, name))
        })
        .collect()
}

/// `  ? 6 => golongan-darah,   ; golongan_darah` lines of a CDDL rule `name = { … }`.
fn cddl_rows(cddl: &str, rule: &str) -> Vec<(i128, String)> {
    let head = format!("\n{rule} = {{");
    let from = cddl
        .find(&head)
        .unwrap_or_else(|| panic!("no CDDL rule {rule}"))
        + head.len();
    let to = from + cddl[from..].find("\n}").unwrap();
    cddl[from..to]
        .lines()
        .filter_map(|line| {
            let (body, comment) = line.split_once(';')?;
            let body = body.trim().trim_start_matches('?').trim();
            let (key, _) = body.split_once("=>")?;
            let key = key.trim().parse().ok()?;
            let name = comment
                .split_whitespace()
                .next()?
                .trim_end_matches(':')
                .to_owned();
            Some((key, name))
        })
        .collect()
}

#[test]
fn field_tables_and_cddl_match_the_sdk() {
    let format = read_spec("format.md");
    let cddl = read_spec("ikd.cddl");
    for ((doc, mapping), cddl_rule) in
        mappings()
            .into_iter()
            .zip(["ktp-document", "kk-document", "kk-member"])
    {
        let expected: Vec<(i128, String)> = mapping
            .iter()
            .filter(|(k, _)| !(doc == "kk-member" && *k == 0))
            .cloned()
            .collect();
        assert_eq!(
            table_rows(&format, &format!("fields:{doc}")),
            expected,
            "field table {doc} of spec/format.md"
        );
        assert_eq!(
            cddl_rows(&cddl, cddl_rule),
            expected,
            "CDDL rule {cddl_rule}"
        );
    }
}

#[test]
fn format_mentions_every_code_stage_and_typ() {
    let format = read_spec("format.md");
    for info in REGISTRY.iter().chain(WARNING_REGISTRY) {
        assert!(
            format.contains(&format!("`{}`", info.code)),
            "format.md lacks `{}`",
            info.code
        );
    }
    for code in BundleCode::ALL {
        assert!(
            format.contains(&format!("`{}`", code.code())),
            "format.md lacks `{code}`"
        );
    }
    for code in ReceiptCode::ALL {
        assert!(
            format.contains(&format!("`{}`", code.code())),
            "format.md lacks `{code}`"
        );
    }
    for stage in Stage::ALL {
        assert!(
            format.contains(&format!("`{}`", stage.as_str())),
            "format.md lacks {stage}"
        );
    }
    for t in [
        MessageType::Credential,
        MessageType::Presentation,
        MessageType::TrustList,
        MessageType::StatusList,
        MessageType::Receipt,
    ] {
        assert!(
            format.contains(&t.typ().to_string()),
            "format.md lacks typ {}",
            t.typ()
        );
    }
    assert!(format.contains(&format!("`{}`", transport::PREFIX)));
}

// ---------------------------------------------------------------------------------------------
// The worked example

const EXAMPLE_SEED: [u8; 32] = [7; 32];
const EXAMPLE_ISS: &str = "ID-DUKCAPIL-3273";
const EXAMPLE_IAT: i64 = 1_790_000_000;
const EXAMPLE_LIFETIME: i64 = 365 * 86_400;
const EXAMPLE_CTI: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

fn hex_lines(bytes: &[u8]) -> String {
    bytes
        .chunks(32)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which names a map's keys have, and how to annotate values.
#[derive(Clone, Copy)]
enum Ctx<'a> {
    Plain,
    Header,
    Claims,
    Doc(&'a [(i128, String)], Option<&'a [(i128, String)]>),
}

struct Diag<'a> {
    out: String,
    ktp: &'a [(i128, String)],
    kk: &'a [(i128, String)],
    member: &'a [(i128, String)],
}

impl<'a> Diag<'a> {
    fn pad(&mut self, indent: usize) {
        self.out.push_str(&"  ".repeat(indent));
    }

    fn scalar(v: &Value) -> String {
        match v {
            Value::Integer(i) => i128::from(*i).to_string(),
            Value::Bytes(b) => format!("h'{}'", hex::encode(b)),
            Value::Text(t) => serde_json::to_string(t).unwrap(),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".into(),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Writes `v` at the current position; nested lines start at `indent`.
    fn value(&mut self, v: &Value, ctx: Ctx<'a>, indent: usize) {
        match v {
            Value::Map(entries) if entries.is_empty() => self.out.push_str("{}"),
            Value::Map(entries) => {
                self.out.push_str("{\n");
                for (i, (k, val)) in entries.iter().enumerate() {
                    let key = i128::from(k.as_integer().unwrap());
                    self.pad(indent + 1);
                    let (note, inner) = self.annotate(ctx, key, val);
                    if let Some(note) = note {
                        write!(self.out, "/ {note} / ").unwrap();
                    }
                    write!(self.out, "{key}: ").unwrap();
                    self.value(val, inner, indent + 1);
                    if i + 1 < entries.len() {
                        self.out.push(',');
                    }
                    self.out.push('\n');
                }
                self.pad(indent);
                self.out.push('}');
            }
            Value::Array(items) => {
                self.out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    self.pad(indent + 1);
                    if let Ctx::Doc(_, Some(member)) = ctx {
                        write!(self.out, "/ anggota[{i}] / ").unwrap();
                        self.value(item, Ctx::Doc(member, None), indent + 1);
                    } else {
                        self.value(item, Ctx::Plain, indent + 1);
                    }
                    if i + 1 < items.len() {
                        self.out.push(',');
                    }
                    self.out.push('\n');
                }
                self.pad(indent);
                self.out.push(']');
            }
            scalar => self.out.push_str(&Self::scalar(scalar)),
        }
    }

    /// The comment before a map entry, and the context of its value.
    fn annotate(&self, ctx: Ctx<'a>, key: i128, val: &Value) -> (Option<String>, Ctx<'a>) {
        match ctx {
            Ctx::Plain => (None, Ctx::Plain),
            Ctx::Header => {
                let name = match key {
                    1 => "alg: EdDSA",
                    4 => "kid",
                    16 => "typ: credential",
                    _ => "?",
                };
                (Some(name.into()), Ctx::Plain)
            }
            Ctx::Claims => {
                let name = match key {
                    1 => "iss",
                    4 => "exp",
                    5 => "nbf",
                    6 => "iat",
                    7 => "cti",
                    -65537 => "document",
                    _ => "?",
                };
                let note = match val.as_integer() {
                    Some(t) if matches!(key, 4..=6) => {
                        format!("{name}: {}", UnixTime(i64::try_from(t).unwrap()))
                    }
                    _ => name.to_owned(),
                };
                (Some(note), Ctx::Plain)
            }
            Ctx::Doc(names, _) => {
                let name = name_of(names, key).unwrap_or("?").to_owned();
                let mut note = name.clone();
                if name.starts_with("tanggal_") || name == "berlaku_hingga" {
                    match val {
                        Value::Integer(d) => {
                            let days = i32::try_from(i128::from(*d)).unwrap();
                            write!(note, ": {}", Date::from_days_since_epoch(days)).unwrap();
                        }
                        Value::Null => note.push_str(": SEUMUR HIDUP"),
                        _ => {}
                    }
                } else if let (Some(list), Some(code)) = (
                    SiakList::ALL.into_iter().find(|l| l.name() == name),
                    val.as_integer(),
                ) {
                    let code = u8::try_from(code).unwrap();
                    write!(note, ": {}", list.label(code).unwrap()).unwrap();
                } else if name == "type" {
                    note.push_str(if val.as_integer() == Some(1.into()) {
                        ": KTP-el"
                    } else {
                        ": KK"
                    });
                }
                let inner = if name == "anggota" {
                    Ctx::Doc(self.member, Some(self.member))
                } else {
                    Ctx::Plain
                };
                (Some(note), inner)
            }
        }
    }
}

fn decode(bytes: &[u8]) -> Value {
    ciborium::de::from_reader(bytes).unwrap()
}

/// CBOR diagnostic notation (RFC 8949 §8, RFC 8610 Appendix G) of a credential, annotated.
fn diagnostic(cose_bytes: &[u8], mappings: &[(&str, Vec<(i128, String)>); 3]) -> String {
    let Value::Tag(18, inner) = decode(cose_bytes) else {
        panic!("not tag 18")
    };
    let Value::Array(parts) = *inner else {
        panic!()
    };
    let (Value::Bytes(protected), Value::Bytes(payload), Value::Bytes(signature)) =
        (&parts[0], &parts[2], &parts[3])
    else {
        panic!()
    };
    let mut d = Diag {
        out: String::new(),
        ktp: &mappings[0].1,
        kk: &mappings[1].1,
        member: &mappings[2].1,
    };
    d.out.push_str("18([\n  / protected / << ");
    d.value(&decode(protected), Ctx::Header, 1);
    d.out.push_str(" >>,\n  / unprotected / ");
    d.value(&parts[1], Ctx::Plain, 1);
    d.out.push_str(",\n  / payload / << ");
    let claims = decode(payload);
    let Value::Map(entries) = &claims else {
        panic!()
    };
    // The document's context depends on its type.
    d.out.push_str("{\n");
    for (i, (k, val)) in entries.iter().enumerate() {
        let key = i128::from(k.as_integer().unwrap());
        d.pad(2);
        let (note, _) = d.annotate(Ctx::Claims, key, val);
        write!(d.out, "/ {} / {key}: ", note.unwrap()).unwrap();
        if key == -65537 {
            let names = if map_get(val, 0).as_integer() == Some(1.into()) {
                d.ktp
            } else {
                d.kk
            };
            d.value(val, Ctx::Doc(names, None), 2);
        } else {
            d.value(val, Ctx::Plain, 2);
        }
        if i + 1 < entries.len() {
            d.out.push(',');
        }
        d.out.push('\n');
    }
    d.out.push_str("  } >>,\n  / signature / ");
    write!(d.out, "h'{}'\n])", hex::encode(signature)).unwrap();
    d.out
}

fn example_trust(issuer: &Issuer) -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add(TrustedKey {
        issuer: EXAMPLE_ISS.into(),
        name: "Disdukcapil Kota Bandung".into(),
        key: issuer.key().public_key(),
        valid_from: UnixTime::parse_rfc3339("2025-01-01T00:00:00Z").unwrap(),
        valid_until: UnixTime::parse_rfc3339("2029-12-31T23:59:59Z").unwrap(),
        doc_types: DocTypeSet::all(),
    });
    trust
}

fn render_example() -> String {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let validity = Validity::for_seconds(UnixTime(EXAMPLE_IAT), EXAMPLE_LIFETIME);
    let (credential, warnings) = issuer
        .issue(
            &document,
            validity,
            &ikd_sdk::IssueOptions::default().with_credential_id(EXAMPLE_CTI.to_vec()),
        )
        .unwrap();
    assert!(warnings.is_empty());
    let bytes = credential.as_bytes();
    let parsed = cose::parse(bytes).unwrap();
    let Value::Tag(18, inner) = decode(bytes) else {
        panic!()
    };
    let Value::Array(parts) = *inner else {
        panic!()
    };
    let Value::Bytes(protected) = &parts[0] else {
        panic!()
    };
    let qr_text = credential.to_qr_text();
    let zlib = miniz_oxide::deflate::compress_to_vec_zlib(bytes, 9);
    let public = issuer.key().public_key();
    let trust = example_trust(&issuer);
    let now = UnixTime(EXAMPLE_IAT + 600);
    let verified = ikd_sdk::verify(
        &qr_text,
        &trust,
        now,
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
    .unwrap();
    // What the text says of the default policy, which accepts only a KK bare.
    let refused = ikd_sdk::verify(&qr_text, &trust, now, &Policy::default()).unwrap_err();
    assert_eq!(
        (refused.code(), refused.stage().as_str()),
        ("presentation_required", "holder_binding")
    );
    let trace: Vec<String> = verified
        .trace()
        .steps()
        .map(|(stage, outcome)| format!("`{}` {}", stage.as_str(), outcome.as_str()))
        .collect();

    let mut out = String::new();
    writeln!(
        out,
        "Everything in this section is reproducible: the issuer key is the Ed25519 key whose\n\
         RFC 8032 seed (private key) is 32 bytes of `0x07`, Ed25519 signatures are deterministic,\n\
         and the times and `cti` are fixed. `sdk/tests/spec_sync.rs` generates this section with\n\
         the SDK and fails when it no longer matches.\n"
    )
    .unwrap();
    writeln!(out, "| Input | Value |\n|---|---|").unwrap();
    writeln!(out, "| seed | `{}` |", hex::encode(EXAMPLE_SEED)).unwrap();
    writeln!(out, "| public key | `{}` |", hex::encode(public.to_bytes())).unwrap();
    writeln!(
        out,
        "| `kid` | `{}` (first 8 bytes of SHA-256 of the public key) |",
        public.kid()
    )
    .unwrap();
    writeln!(out, "| `iss` | `{EXAMPLE_ISS}` |").unwrap();
    writeln!(out, "| `iat` | {EXAMPLE_IAT} ({}) |", UnixTime(EXAMPLE_IAT)).unwrap();
    writeln!(
        out,
        "| `exp` | {} ({}, `iat` + 365 days) |",
        EXAMPLE_IAT + EXAMPLE_LIFETIME,
        UnixTime(EXAMPLE_IAT + EXAMPLE_LIFETIME)
    )
    .unwrap();
    writeln!(out, "| `nbf` | absent |").unwrap();
    writeln!(out, "| `cti` | `{}` |", hex::encode(EXAMPLE_CTI)).unwrap();
    writeln!(out, "| document | `sdk/samples/ktp.json`, below |\n").unwrap();

    writeln!(
        out,
        "The document in its JSON form:\n\n```json\n{}\n```\n",
        ikd_sdk::samples::KTP_JSON.trim_end()
    )
    .unwrap();
    writeln!(
        out,
        "A trust store (§9) that accepts the credential:\n\n```json\n{}\n```\n",
        trust.to_json()
    )
    .unwrap();
    writeln!(
        out,
        "The credential in CBOR diagnostic notation (RFC 8949 §8; `<< >>` is embedded CBOR,\n\
         RFC 8610 Appendix G.3; the `/ … /` comments name keys and decode dates and SIAK codes):\n\n\
         ```cbor-diag\n{}\n```\n",
        diagnostic(bytes, &mappings())
    )
    .unwrap();
    writeln!(
        out,
        "The protected header, {} bytes:\n\n```\n{}\n```\n",
        protected.len(),
        hex_lines(protected)
    )
    .unwrap();
    writeln!(
        out,
        "The payload (CWT claims), {} bytes:\n\n```\n{}\n```\n",
        parsed.payload().len(),
        hex_lines(parsed.payload())
    )
    .unwrap();
    writeln!(
        out,
        "The `Sig_structure` that is signed, {} bytes:\n\n```\n{}\n```\n",
        parsed.signed_bytes().len(),
        hex_lines(&parsed.signed_bytes())
    )
    .unwrap();
    writeln!(
        out,
        "The tagged COSE_Sign1, {} bytes:\n\n```\n{}\n```\n",
        bytes.len(),
        hex_lines(bytes)
    )
    .unwrap();
    let sent = if zlib.len() < bytes.len() {
        "compressed"
    } else {
        "sent uncompressed"
    };
    writeln!(
        out,
        "zlib at level 9 gives {} bytes, so the message is {sent}. The QR text, {} characters:\n\n\
         ```\n{}\n```\n",
        zlib.len(),
        qr_text.len(),
        qr_text
    )
    .unwrap();
    writeln!(
        out,
        "Verified at `now` = {} (`iat` + 600 s) with this trust store and the default policy\n\
         (leeway {} s, every document type accepted) changed to accept every document type\n\
         bare (§17.4), the result is **verified**, issuer `{}` (\"{}\"), warnings: {}, and\n\
         the trace:\n{}. Under the default policy itself, which accepts only a KK bare, this\n\
         unbound KTP-el is rejected with `presentation_required` (stage `holder_binding`):\n\
         a KTP-el is shown inside a presentation (§17.7).",
        now.0,
        ikd_sdk::policy::DEFAULT_LEEWAY_SECONDS,
        verified.issuer().id,
        verified.issuer().name,
        if verified.warnings().is_empty() {
            "none".to_owned()
        } else {
            verified
                .warnings()
                .iter()
                .map(|w| format!("`{}` ({})", w.code(), w.field()))
                .collect::<Vec<_>>()
                .join(", ")
        },
        trace.join(", ")
    )
    .unwrap();
    out
}

#[test]
fn generated_blocks_of_format_md_are_current() {
    sync_block("format.md", "limits-table", &render_limits());
    sync_block("format.md", "siak-codes", &render_siak());
    sync_block("format.md", "example", &render_example());
}

#[test]
fn example_transport_round_trips() {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let validity = Validity::for_seconds(UnixTime(EXAMPLE_IAT), EXAMPLE_LIFETIME);
    let (credential, _) = issuer
        .issue(
            &document,
            validity,
            &ikd_sdk::IssueOptions::default().with_credential_id(EXAMPLE_CTI.to_vec()),
        )
        .unwrap();
    let text = credential.to_qr_text();
    assert_eq!(
        transport::decode_qr_text(&text).unwrap(),
        credential.as_bytes()
    );
    // The Sig_structure is the one RFC 9052 §4.4 defines, with empty external_aad.
    let parsed = cose::parse(credential.as_bytes()).unwrap();
    let Value::Tag(18, inner) = decode(credential.as_bytes()) else {
        panic!()
    };
    let Value::Array(parts) = *inner else {
        panic!()
    };
    let expected = Value::Array(vec![
        Value::Text("Signature1".into()),
        parts[0].clone(),
        Value::Bytes(Vec::new()),
        parts[2].clone(),
    ]);
    let mut tbs = Vec::new();
    ciborium::ser::into_writer(&expected, &mut tbs).unwrap();
    assert_eq!(parsed.signed_bytes(), tbs);
    let Value::Bytes(signature) = &parts[3] else {
        panic!()
    };
    assert!(issuer.key().public_key().verify_strict(&tbs, signature));
}

// ---------------------------------------------------------------------------------------------
// The open points of spec/format.md §15, pinned: if one of these fails, the SDK changed, and
// §15 and the section it refers to must be updated with it.

fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xFF => vec![m | 24, n as u8],
        0x100..=0xFFFF => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
    }
}

fn bstr(bytes: &[u8]) -> Vec<u8> {
    [head(2, bytes.len() as u64), bytes.to_vec()].concat()
}

/// A tagged COSE_Sign1 signed by the example key, from raw parts.
fn sign1(protected: &[u8], unprotected: &[u8], payload: &[u8]) -> Vec<u8> {
    let key = IssuerSigningKey::from_seed(&EXAMPLE_SEED);
    let tbs = [
        vec![0x84],
        head(3, 10),
        b"Signature1".to_vec(),
        bstr(protected),
        bstr(b""),
        bstr(payload),
    ]
    .concat();
    let signature = key.sign(&tbs);
    [
        vec![0xD2, 0x84],
        bstr(protected),
        unprotected.to_vec(),
        bstr(payload),
        bstr(&signature),
    ]
    .concat()
}

fn protected_header() -> Vec<u8> {
    let kid = IssuerSigningKey::from_seed(&EXAMPLE_SEED).kid();
    [
        vec![0xA3, 0x01, 0x27, 0x04, 0x48],
        kid.0.to_vec(),
        vec![0x10, 0x19, 0xFF, 0x01],
    ]
    .concat()
}

fn example_payload() -> Vec<u8> {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
    let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let validity = Validity::for_seconds(UnixTime(EXAMPLE_IAT), EXAMPLE_LIFETIME);
    let (credential, _) = issuer
        .issue(
            &document,
            validity,
            &ikd_sdk::IssueOptions::default().with_credential_id(EXAMPLE_CTI.to_vec()),
        )
        .unwrap();
    cose::parse(credential.as_bytes())
        .unwrap()
        .payload()
        .to_vec()
}

fn check(cose_bytes: &[u8], trust: &TrustStore) -> Result<ikd_sdk::Verified, ikd_sdk::Rejection> {
    let text = transport::encode_qr_text(cose_bytes);
    ikd_sdk::verify(
        &text,
        trust,
        UnixTime(EXAMPLE_IAT + 600),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
}

fn code_of(cose_bytes: &[u8]) -> &'static str {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
    match check(cose_bytes, &example_trust(&issuer)) {
        Ok(_) => "verified",
        Err(rejection) => rejection.code(),
    }
}

/// The payload with its map entries in another order, or with one value replaced.
fn payload_edit(edit: impl FnOnce(&mut Vec<(Value, Value)>)) -> Vec<u8> {
    let Value::Map(mut entries) = decode(&example_payload()) else {
        panic!()
    };
    edit(&mut entries);
    let mut out = Vec::new();
    ciborium::ser::into_writer(&Value::Map(entries), &mut out).unwrap();
    out
}

#[test]
fn edge_cases_described_in_format_md_hold() {
    let protected = protected_header();
    let payload = example_payload();
    assert_eq!(code_of(&sign1(&protected, &[0xA0], &payload)), "verified");

    // §4.1: a bignum is not an integer.
    let iat = payload.windows(2).position(|w| w == [0x06, 0x1A]).unwrap() + 1;
    let mut bignum = payload.clone();
    bignum.splice(iat..=iat, [0xC2, 0x44]);
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &bignum)),
        "claims_malformed",
        "§4.1"
    );

    // §5.1: another tag; no tag.
    let mut tagged = vec![0xD8, 0x62];
    tagged.extend_from_slice(&sign1(&protected, &[0xA0], &payload)[1..]);
    assert_eq!(code_of(&tagged), "cose_tag_wrong", "§5.1");
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &payload)[1..]),
        "cose_tag_missing",
        "§5.1"
    );

    // §5.2: strictness inside the protected header.
    let mut duplicate = protected.clone();
    duplicate[0] = 0xA4;
    duplicate.extend([0x01, 0x27]);
    assert_eq!(
        code_of(&sign1(&duplicate, &[0xA0], &payload)),
        "cbor_duplicate_key",
        "§5.2"
    );
    let mut long_head = protected.clone();
    long_head.splice(1..2, [0x18, 0x01]);
    assert_eq!(
        code_of(&sign1(&long_head, &[0xA0], &payload)),
        "cbor_not_deterministic",
        "§5.2"
    );
    assert_eq!(
        code_of(&sign1(&[0x80], &[0xA0], &payload)),
        "cose_malformed",
        "§5.2"
    );

    // §5.2: header rules in order.
    let text_alg = [&[0xA3, 0x01, 0x65][..], b"EdDSA", &protected[3..]].concat();
    assert_eq!(
        code_of(&sign1(&text_alg, &[0xA0], &payload)),
        "alg_unsupported",
        "§5.2"
    );
    let tagged_alg = [&[0xA3, 0x01, 0xC1, 0x27][..], &protected[3..]].concat();
    assert_eq!(
        code_of(&sign1(&tagged_alg, &[0xA0], &payload)),
        "cose_malformed",
        "§4.1"
    );
    let no_alg = &protected[3..];
    let mut no_alg = no_alg.to_vec();
    no_alg.insert(0, 0xA2);
    assert_eq!(
        code_of(&sign1(&no_alg, &[0xA1, 0x01, 0x27], &payload)),
        "alg_unprotected",
        "§5.2"
    );
    assert_eq!(
        code_of(&sign1(&no_alg, &[0xA0], &payload)),
        "alg_missing",
        "§5.2"
    );
    assert_eq!(
        code_of(&sign1(&protected, &[0xA1, 0x18, 0x20, 0x00], &payload)),
        "unprotected_header_not_empty",
        "§5.2"
    );
    let empty_kid = [0xA3, 0x01, 0x27, 0x04, 0x40, 0x10, 0x19, 0xFF, 0x01];
    assert_eq!(
        code_of(&sign1(&empty_kid, &[0xA0], &payload)),
        "kid_missing",
        "§5.2"
    );
    let no_kid = [0xA2, 0x01, 0x27, 0x10, 0x19, 0xFF, 0x01];
    assert_eq!(
        code_of(&sign1(&no_kid, &[0xA0], &payload)),
        "kid_missing",
        "§5.2"
    );
    let no_typ = &protected[..protected.len() - 4];
    let mut no_typ = no_typ.to_vec();
    no_typ[0] = 0xA2;
    assert_eq!(
        code_of(&sign1(&no_typ, &[0xA0], &payload)),
        "typ_mismatch",
        "§5.2"
    );
    // crit (label 2) inserted in key order, after alg.
    let mut with_crit = vec![0xA4, 0x01, 0x27, 0x02, 0x81, 0x01];
    with_crit.extend_from_slice(&protected[3..]);
    assert_eq!(
        code_of(&sign1(&with_crit, &[0xA0], &payload)),
        "protected_header_unexpected",
        "§5.2"
    );

    // §8.8: region warnings, in order, with severity and detail.
    let warnings_of = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json: serde_json::Value = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
        edit(&mut json);
        let document: Document = serde_json::from_value(json).unwrap();
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
        let validity = Validity::for_seconds(UnixTime(EXAMPLE_IAT), EXAMPLE_LIFETIME);
        let (credential, _) = issuer
            .issue(
                &document,
                validity,
                &ikd_sdk::IssueOptions::default().with_credential_id(EXAMPLE_CTI.to_vec()),
            )
            .unwrap();
        let verified = check(credential.as_bytes(), &example_trust(&issuer)).unwrap();
        let any_warning = verified
            .warnings()
            .iter()
            .any(|w| w.severity() == ikd_sdk::reason::Severity::Warning);
        assert_eq!(
            verified.trace().outcome(Stage::Content),
            if any_warning {
                ikd_sdk::StepOutcome::Warned
            } else {
                ikd_sdk::StepOutcome::Passed
            }
        );
        verified
            .warnings()
            .iter()
            .map(|w| (w.code(), w.severity().as_str(), w.detail()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        warnings_of(&|j| j["nik"] = "9101015708920003".into()),
        [("nik_region_historical", "info", Some("2021"))],
        "§8.8"
    );
    assert_eq!(
        warnings_of(&|j| {
            j["nik"] = "1001015708920003".into();
            j["kode_wilayah"] = 3_273_019_999u64.into();
            j["tempat_dikeluarkan"] = 3_299.into();
        }),
        [
            ("nik_region_unknown", "warning", None),
            (
                "region_code_unknown",
                "warning",
                Some("kepmendagri-300.2.2-2138-2025")
            ),
            (
                "region_code_unknown",
                "warning",
                Some("kepmendagri-300.2.2-2138-2025")
            ),
        ],
        "§8.8"
    );
    assert_eq!(
        warnings_of(&|j| j["jenis_kelamin"] = 1.into()),
        [("nik_sex_mismatch", "warning", None)],
        "§8.6"
    );

    // §4 rule 8: map keys out of deterministic order; in the payload that is a claims fault.
    let reversed = payload_edit(|entries| entries.reverse());
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &reversed)),
        "claims_malformed",
        "§4 rule 8"
    );

    // §6, §10 step 21: one key in several entries; each signing entry is tried in order,
    // and when all fail, the failure of the latest stage is reported.
    let key = IssuerSigningKey::from_seed(&EXAMPLE_SEED).public_key();
    let entry = |issuer: &str, valid_until: i64| TrustedKey {
        issuer: issuer.into(),
        name: issuer.into(),
        key,
        valid_from: UnixTime(0),
        valid_until: UnixTime(valid_until),
        doc_types: DocTypeSet::all(),
    };
    let mut trust = TrustStore::new();
    trust.add(entry("ID-OTHER", 2_000_000_000));
    trust.add(entry(EXAMPLE_ISS, 2_000_000_000));
    let verified = check(&sign1(&protected, &[0xA0], &payload), &trust).unwrap();
    assert_eq!(verified.issuer().id, EXAMPLE_ISS, "§10 step 21");
    let mut trust = TrustStore::new();
    trust.add(entry("ID-OTHER", 2_000_000_000));
    trust.add(entry(EXAMPLE_ISS, EXAMPLE_IAT - 1));
    trust.add(entry("ID-THIRD", 2_000_000_000));
    let rejection = check(&sign1(&protected, &[0xA0], &payload), &trust).unwrap_err();
    assert_eq!(rejection.code(), "key_not_valid_at_issuance", "§10 step 21");
    assert_eq!(
        rejection.trace().outcome(Stage::Claims),
        ikd_sdk::StepOutcome::Passed
    );
    assert_eq!(
        rejection.trace().outcome(Stage::Time),
        ikd_sdk::StepOutcome::Failed
    );
    // The budget counts distinct keys checked: entries repeating a checked key are free.
    let mut trust = TrustStore::new();
    for _ in 0..limits::MAX_KID_CANDIDATES {
        trust.add(entry("ID-OTHER", 2_000_000_000));
    }
    trust.add(entry(EXAMPLE_ISS, 2_000_000_000));
    let verified = check(&sign1(&protected, &[0xA0], &payload), &trust).unwrap();
    assert_eq!(verified.issuer().id, EXAMPLE_ISS, "§6");

    // §4, §10 step 15: a strictness fault in the payload is claims_malformed (claims).
    let mut long_map = payload.clone();
    long_map.splice(0..1, [0xB8, 0x05]);
    let issuer = Issuer::new(IssuerSigningKey::from_seed(&EXAMPLE_SEED), EXAMPLE_ISS).unwrap();
    let rejection = check(
        &sign1(&protected, &[0xA0], &long_map),
        &example_trust(&issuer),
    )
    .unwrap_err();
    assert_eq!(rejection.code(), "claims_malformed", "§10 step 15");
    assert_eq!(rejection.stage(), Stage::Claims, "§10 step 15");
    assert_eq!(
        rejection.trace().outcome(Stage::Claims),
        ikd_sdk::StepOutcome::Failed,
        "§10 step 15"
    );

    // §15.1: integer width decides shape versus value codes.
    let with_agama = |code: u64| {
        payload_edit(|entries| {
            let (_, document) = entries
                .iter_mut()
                .find(|(k, _)| k.as_integer() == Some((-65537).into()))
                .unwrap();
            let Value::Map(fields) = document else {
                panic!()
            };
            let (_, agama) = fields
                .iter_mut()
                .find(|(k, _)| k.as_integer() == Some(11.into()))
                .unwrap();
            *agama = Value::from(code);
        })
    };
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &with_agama(255))),
        "siak_code_invalid",
        "§15.1"
    );
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &with_agama(256))),
        "document_malformed",
        "§15.1"
    );

    // §15.2: unknown claims are refused (`sub`, key 2, here, in key order after `iss`);
    // §7: a `cnf` that is not one of the two COSE_Key shapes is a claims fault.
    for (key, value, claim) in [
        (2, Value::from("x"), "unknown"),
        (8, Value::Map(vec![]), "cnf"),
    ] {
        let edited = payload_edit(|entries| {
            let at = entries
                .iter()
                // Deterministic order: every positive key before the negative ones.
                .position(|(k, _)| {
                    k.as_integer()
                        .is_some_and(|k| i128::from(k) > key || i128::from(k) < 0)
                })
                .unwrap_or(entries.len());
            entries.insert(at, (Value::from(key as i64), value.clone()))
        });
        let rejection = ikd_sdk::verify(
            &ikd_sdk::transport::encode_qr_text(&sign1(&protected, &[0xA0], &edited)),
            &example_trust(&issuer),
            UnixTime(EXAMPLE_IAT),
            &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
        )
        .unwrap_err();
        assert_eq!(
            rejection.reason(),
            &ikd_sdk::Reason::ClaimsMalformed { claim },
            "§15.2 / §7"
        );
    }

    // §7.1, §10 steps 17 and 32: the status claim is read; a malformed one is a claims fault;
    // without the list it names the credential is refused at the revocation stage.
    let with_status = |status: Value| {
        payload_edit(|entries| {
            let at = entries.len() - 1;
            entries.insert(at, (Value::from(65_535), status))
        })
    };
    let reference = Value::Map(vec![(
        Value::from("status_list"),
        Value::Map(vec![
            (Value::from("idx"), Value::from(3)),
            (
                Value::from("uri"),
                Value::from("https://ikd.example/status/1"),
            ),
        ]),
    )]);
    let rejection = ikd_sdk::verify(
        &ikd_sdk::transport::encode_qr_text(&sign1(&protected, &[0xA0], &with_status(reference))),
        &example_trust(&issuer),
        UnixTime(EXAMPLE_IAT),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
    .unwrap_err();
    assert_eq!(rejection.code(), "status_list_missing", "§10 step 32");
    assert_eq!(
        rejection.trace().outcome(Stage::Freshness),
        ikd_sdk::StepOutcome::Skipped,
        "§10 step 31"
    );
    let rejection = ikd_sdk::verify(
        &ikd_sdk::transport::encode_qr_text(&sign1(
            &protected,
            &[0xA0],
            &with_status(Value::Map(vec![])),
        )),
        &example_trust(&issuer),
        UnixTime(EXAMPLE_IAT),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
    .unwrap_err();
    assert_eq!(
        rejection.reason(),
        &ikd_sdk::Reason::ClaimsMalformed { claim: "status" },
        "§7.1"
    );

    // §10 steps 2–3: the prefix comes before the length, so a long QR code of another kind
    // is not an IKD credential, and only a long IKD1: text is too large.
    let digits = "1".repeat(limits::MAX_QR_TEXT_LEN + 1);
    let rejection = ikd_sdk::verify(
        &digits,
        &TrustStore::new(),
        UnixTime(0),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
    .unwrap_err();
    assert_eq!(rejection.code(), "not_ikd_credential", "§10 step 2");
    let long = format!("IKD1:{digits}");
    let rejection = ikd_sdk::verify(
        &long,
        &TrustStore::new(),
        UnixTime(0),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    )
    .unwrap_err();
    assert_eq!(rejection.code(), "input_too_large", "§10 step 3");

    // §15.3: nbf before iat is accepted.
    let early_nbf = payload_edit(|entries| {
        entries.insert(2, (Value::from(5), Value::from(EXAMPLE_IAT - 86_400)))
    });
    assert_eq!(
        code_of(&sign1(&protected, &[0xA0], &early_nbf)),
        "verified",
        "§15.3"
    );
}
