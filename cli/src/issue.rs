//! `ikd issue`: sign a document as a credential.

use crate::keyfile::{HolderKeyFile, KeyFile};
use crate::schema;
use crate::util::{
    Access, Failure, json_error_position, now_or_clock, parse_time, read_text, write_new,
};
use ikd_sdk::{
    DocType, Document, IssueOptions, Issuer, StatusReference, UnixTime, Validity, Warning,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Default credential lifetime, in days.
const DEFAULT_VALID_DAYS: u32 = 365;

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Kind {
    /// KTP-el.
    Ktp,
    /// Kartu Keluarga.
    Kk,
}

impl Kind {
    fn doc_type(self) -> DocType {
        match self {
            Kind::Ktp => DocType::Ktp,
            Kind::Kk => DocType::Kk,
        }
    }
}

/// The purpose profiles an issuer derives from a KTP-el.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Profile {
    /// NIK and name (and the portrait with --portrait).
    Identity,
    /// Whether the holder is at least 17 on the issue date, and nothing else.
    #[value(name = "age_over_17", alias = "age-over-17")]
    AgeOver17,
    /// Address, RT, RW and region code.
    Domicile,
}

#[derive(clap::Args)]
#[command(
    after_help = "Holder binding: with --holder-key the credential carries the phone's \
device key (cnf) and verifies only inside a presentation that key signs (`ikd present`, \
`ikd wallet show`). By default verifiers accept only a KK as a bare credential: a KTP-el or a \
purpose profile issued without --holder-key is refused as presentation_required unless the \
verifier accepts it bare (`ikd verify --accept-bare ktp,...`)."
)]
pub(crate) struct Args {
    /// The document type of the --data file.
    #[arg(value_enum)]
    kind: Kind,
    /// The issuer key file (from `ikd keygen`).
    #[arg(long, value_name = "KEY_FILE")]
    key: PathBuf,
    /// The document, JSON form (spec/schemas/ktp.schema.json or kk.schema.json).
    #[arg(long, value_name = "FILE.json")]
    data: PathBuf,
    /// Days the credential stays valid, 1 to 36500 [default: 365].
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "expires",
        value_parser = clap::value_parser!(u32).range(1..=36_500)
    )]
    valid_days: Option<u32>,
    /// When the credential expires, YYYY-MM-DDTHH:MM:SSZ.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    expires: Option<UnixTime>,
    /// The issue time [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
    /// Write the QR text to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
    /// The URI of the status list that holds the credential's status (revocation).
    #[arg(long, value_name = "URI", requires = "status_index")]
    status_uri: Option<String>,
    /// The credential's index in that status list.
    #[arg(long, value_name = "N", requires = "status_uri")]
    status_index: Option<u64>,
    /// Bind the credential to this holder device key (`ikd keygen --device`; the public key
    /// file is enough): it carries the key as `cnf` and is shown in presentations.
    #[arg(long, value_name = "KEY_FILE")]
    holder_key: Option<PathBuf>,
    /// Issue a purpose profile derived from the KTP-el in --data instead of the whole card
    /// (the age is computed at the issue time). Verifiers require a presentation for it by
    /// default, so give --holder-key too.
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// With --profile identity: include the portrait (foto), which makes the QR code much
    /// larger.
    #[arg(long)]
    portrait: bool,
}

/// Reads a document file: JSON, then the document schema, then the SDK's own form.
/// Errors name paths and rules, never values.
pub(crate) fn read_document(path: &Path, expected: DocType) -> Result<Document, Failure> {
    let text = read_text(path, "data file")?;
    let bad = |why: String| Failure::new(format!("data file {}: {why}", path.display()));
    let mut value: Value = serde_json::from_str(&text).map_err(|e| bad(json_error_position(&e)))?;
    document_from_value(&mut value, expected).map_err(bad)
}

/// Checks a document's JSON form against the schema and converts it. A missing `type` is
/// taken from `expected`.
pub(crate) fn document_from_value(
    value: &mut Value,
    expected: DocType,
) -> Result<Document, String> {
    let object = value
        .as_object_mut()
        .ok_or_else(|| "the document must be a JSON object".to_owned())?;
    match object.get("type") {
        None => {
            object.insert("type".into(), Value::from(expected.name()));
        }
        Some(Value::String(name)) if name != expected.name() => {
            return Err(if DocType::from_name(name).is_some() {
                format!("this is a {name} document, not {}", expected.name())
            } else {
                format!("/type: must be \"{}\"", expected.name())
            });
        }
        Some(_) => {}
    }
    let validator = schema::validator("document.schema.json")?;
    schema::check(&validator, value).map_err(|problems| {
        format!(
            "does not match the {} schema:\n  {}",
            expected.name(),
            problems.join("\n  ")
        )
    })?;
    serde_json::from_value(value.take()).map_err(|_| {
        "a value has the right form but does not exist (check that every date is a real \
         calendar date)"
            .to_owned()
    })
}

pub(crate) fn print_warnings(warnings: &[Warning]) {
    for warning in warnings {
        eprintln!(
            "warning: {} at {}: {}",
            warning.code(),
            warning.field(),
            warning.info().en
        );
    }
}

/// The purpose profile of a KTP-el at `now`.
fn derive_profile(document: Document, profile: Profile, portrait: bool, now: UnixTime) -> Document {
    let Document::Ktp(ktp) = document else {
        return document;
    };
    match profile {
        Profile::Identity => Document::Identity(ktp.identity_profile(portrait)),
        Profile::AgeOver17 => Document::AgeOver17(ktp.age_profile(now.date())),
        Profile::Domicile => Document::Domicile(ktp.domicile_profile()),
    }
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    if args.profile.is_some() && !matches!(args.kind, Kind::Ktp) {
        return Err(Failure::new(
            "--profile derives a purpose profile from a KTP-el: use `ikd issue ktp --profile …`",
        ));
    }
    if args.portrait && args.profile != Some(Profile::Identity) {
        return Err(Failure::new("--portrait goes with --profile identity"));
    }
    let key = KeyFile::read(&args.key)?;
    let holder_key = match &args.holder_key {
        Some(path) => Some(HolderKeyFile::read(path)?.public_key()),
        None => None,
    };
    let now = now_or_clock(args.now)?;
    let mut document = read_document(&args.data, args.kind.doc_type())?;
    if let Some(profile) = args.profile {
        document = derive_profile(document, profile, args.portrait, now);
    }
    let expires_at = match args.expires {
        Some(t) => t,
        None => {
            let days = i64::from(args.valid_days.unwrap_or(DEFAULT_VALID_DAYS));
            UnixTime(now.0.saturating_add(days.saturating_mul(86_400)))
        }
    };
    let validity = Validity {
        issued_at: now,
        not_before: None,
        expires_at,
    };
    let issuer = Issuer::new(key.key, key.issuer)
        .map_err(|e| Failure::new(format!("key file {}: {e}", args.key.display())))?;
    let status = match (&args.status_uri, args.status_index) {
        (Some(uri), Some(index)) => Some(StatusReference {
            index,
            uri: uri.clone(),
        }),
        _ => None,
    };
    let bound = holder_key.is_some();
    let options = IssueOptions {
        status,
        holder_key,
        ..IssueOptions::default()
    };
    let (credential, warnings) = issuer
        .issue(&document, validity, &options)
        .map_err(|e| Failure::new(format!("not issued: {e}")))?;
    print_warnings(&warnings);
    let doc_type = document.doc_type();
    if !bound && doc_type != DocType::Kk {
        eprintln!(
            "note: issued without --holder-key; verifiers with the default policy refuse a \
             bare {doc_type} credential (presentation_required)"
        );
    }
    let qr_text = credential.to_qr_text();
    match &args.out {
        Some(path) => {
            write_new(path, &format!("{qr_text}\n"), Access::Public, args.force)?;
            eprintln!(
                "Wrote the QR text ({} characters) to {}.",
                qr_text.len(),
                path.display()
            );
        }
        None => println!("{qr_text}"),
    }
    Ok(ExitCode::SUCCESS)
}
