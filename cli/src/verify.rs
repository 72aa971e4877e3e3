//! `ikd verify` and `ikd inspect`.

use crate::keygen::parse_doc_type;
use crate::present::ChallengeArgs;
use crate::util::{Failure, now_or_clock, parse_time, qr_text_input, read_text};
use crate::{EXIT_REJECTED, show};
use ikd_sdk::ReasonReport;
use ikd_sdk::display::DisplayLanguages;
use ikd_sdk::{
    DocType, DocTypeSet, Policy, Report, TrustStore, UnixTime, VerifyOptions, inspect, verify_with,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Holder presentations: a KTP-el or purpose profile bound to a device \
key verifies only inside a fresh presentation (`ikd present`); the verdict then names it \
(`presentation` in --json). By default only a KK is accepted as a bare credential; \
--accept-bare changes that. With --challenge or --nonce the presentation must bind that \
nonce (nonce_mismatch) and audience (audience_mismatch)."
)]
pub(crate) struct VerifyArgs {
    /// The QR text (`IKD1:…`, a credential or a holder's presentation); read from
    /// standard input when absent.
    #[arg(value_name = "QR_TEXT")]
    qr_text: Option<String>,
    /// Read the QR code from a picture instead: a PNG, JPEG or WebP photo or screenshot,
    /// or a PDF of scanned pages. Every IKD credential found in it is verified.
    #[arg(long, value_name = "FILE", conflicts_with = "qr_text")]
    image: Option<PathBuf>,
    /// With --image: time allowed for reading each picture, in milliseconds; 0 runs every
    /// pass, however long [default: 250].
    #[arg(long, value_name = "MS", requires = "image")]
    budget_ms: Option<u64>,
    /// The trust-store file (spec/schemas/trust-store.schema.json): local configuration.
    #[arg(
        long,
        value_name = "TRUST.json",
        required_unless_present = "cache",
        conflicts_with = "cache"
    )]
    trust: Option<PathBuf>,
    /// A trust-data cache (`ikd trust sync`): the signed trust list and status lists.
    #[arg(long, value_name = "DIR", requires = "roots")]
    cache: Option<PathBuf>,
    /// The pinned root keys that verify the cache's trust list (`ikd trust anchors`).
    #[arg(long, value_name = "ANCHORS.json", requires = "cache")]
    roots: Option<PathBuf>,
    /// The time to verify at, YYYY-MM-DDTHH:MM:SSZ [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
    /// Print the verdict as JSON (spec/schemas/verdict.schema.json).
    #[arg(long)]
    json: bool,
    /// With --json: the languages of the display rows' labels, none, id, en or both
    /// [default: both].
    #[arg(long, value_name = "LANGUAGES", requires = "json", value_parser = parse_display)]
    display: Option<DisplayLanguages>,
    /// Clock-skew leeway for nbf, iat and exp, in seconds [default: 60].
    #[arg(long, value_name = "SECONDS")]
    leeway: Option<u32>,
    /// The challenge this verifier showed (`ikd challenge`): a presentation must bind it.
    #[command(flatten)]
    challenge: ChallengeArgs,
    /// The document types accepted as a bare credential, without a presentation:
    /// a comma-separated list of ktp, kk, identity, age_over_17, domicile, or none
    /// [default: kk]. A credential bound to a device key is never accepted bare.
    #[arg(long, value_name = "TYPES", value_delimiter = ',', value_parser = parse_bare_type)]
    accept_bare: Option<Vec<Option<DocType>>>,
    /// Largest age of a presentation, in seconds from its signing [default: 90].
    #[arg(long, value_name = "SECONDS")]
    presentation_max_age: Option<u32>,
}

/// A `--display` value.
fn parse_display(text: &str) -> Result<DisplayLanguages, String> {
    DisplayLanguages::from_name(text)
        .ok_or_else(|| format!("`{text}` is not one of none, id, en, both"))
}

/// A `--accept-bare` item: a document type, or `none` (no type).
fn parse_bare_type(text: &str) -> Result<Option<DocType>, String> {
    if text == "none" {
        return Ok(None);
    }
    parse_doc_type(text).map(Some)
}

#[derive(clap::Args)]
pub(crate) struct InspectArgs {
    /// The QR text (`IKD1:…`); read from standard input when absent.
    #[arg(value_name = "QR_TEXT")]
    qr_text: Option<String>,
    /// Print the inspection as JSON (it carries "unverified": true).
    #[arg(long)]
    json: bool,
}

/// Loads a trust-store file.
pub(crate) fn load_trust_store(path: &Path) -> Result<TrustStore, Failure> {
    let text = read_text(path, "trust store")?;
    TrustStore::from_json(&text)
        .map_err(|e| Failure::new(format!("trust store {}: {e}", path.display())))
}

pub(crate) fn run_verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let now = now_or_clock(args.now)?;
    let trust = match (&args.trust, &args.cache, &args.roots) {
        (Some(path), _, _) => load_trust_store(path)?,
        (None, Some(cache), Some(roots)) => {
            let cache_args = crate::trust::CacheArgs {
                cache: cache.clone(),
                roots: roots.clone(),
            };
            let cache = crate::trust::open_cache(&cache_args, Policy::default(), now)?;
            if cache.store().trust_list().is_none() {
                return Err(Failure::new(format!(
                    "cache {} holds no usable trust list; run `ikd trust sync` first",
                    cache.dir().display()
                )));
            }
            (*cache.store()).clone()
        }
        _ => return Err(Failure::new("give --trust, or --cache with --roots")),
    };
    let mut policy = Policy::default();
    if let Some(leeway) = args.leeway {
        policy.leeway_seconds = leeway;
    }
    if let Some(types) = &args.accept_bare {
        policy.bare_credentials = types.iter().flatten().copied().collect::<DocTypeSet>();
    }
    if let Some(max_age) = args.presentation_max_age {
        policy.presentation_max_age_seconds = max_age;
    }
    let challenge = args.challenge.challenge()?;
    let options = VerifyOptions {
        challenge: challenge.as_ref(),
        ..VerifyOptions::default()
    };
    if let Some(image) = &args.image {
        let budget_ms = args.budget_ms.unwrap_or(crate::scan::DEFAULT_BUDGET_MS);
        return crate::scan::verify_image(
            image,
            &trust,
            now,
            &policy,
            &options,
            args.json.then(|| args.display.unwrap_or_default()),
            budget_ms,
        );
    }
    let qr_text = qr_text_input(args.qr_text)?;
    let result = verify_with(&qr_text, &trust, now, &policy, &options);
    if args.json {
        let display = args.display.unwrap_or_default();
        println!("{}", Report::new_with(&result, display).to_json_pretty());
    } else {
        match &result {
            Ok(verified) => print!("{}", show::verified(verified)),
            Err(rejection) => print!("{}", show::rejected(rejection)),
        }
    }
    Ok(if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}

#[derive(serde::Serialize)]
struct Undecodable {
    unverified: bool,
    notice: &'static str,
    error: ReasonReport,
}

pub(crate) fn run_inspect(args: InspectArgs) -> Result<ExitCode, Failure> {
    let qr_text = qr_text_input(args.qr_text)?;
    let inspection = inspect(&qr_text);
    let json = match &inspection {
        Ok(inspection) if args.json => Some(serde_json::to_string_pretty(inspection)),
        Err(reason) if args.json => Some(serde_json::to_string_pretty(&Undecodable {
            unverified: true,
            notice: ikd_sdk::UNVERIFIED_NOTICE,
            error: ReasonReport::from(reason),
        })),
        _ => None,
    };
    match (json, &inspection) {
        (Some(json), _) => {
            let json = json.map_err(|e| Failure::new(format!("cannot encode JSON: {e}")))?;
            println!("{json}");
        }
        (None, Ok(inspection)) => print!("{}", show::inspection(inspection)),
        (None, Err(reason)) => {
            println!("{}", ikd_sdk::UNVERIFIED_NOTICE);
            println!();
            println!("Not decodable: {}", reason.code());
            println!("  {}", reason.info().en);
            println!("  {}", reason.info().id);
        }
    }
    Ok(if inspection.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}
