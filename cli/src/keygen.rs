//! `ikd keygen`: a new issuer key and its trust-store entry, or (`--device`) a holder's
//! device key for presentations.

use crate::keyfile::{HolderKeyFile, KeyFile, holder_alg};
use crate::util::{Failure, now_or_clock, parse_time, read_text, write_atomic};
use ikd_sdk::limits::MAX_ISSUER_ID_LEN;
use ikd_sdk::{
    DocType, DocTypeSet, HolderAlg, HolderSigningKey, IssuerSigningKey, TrustStore, TrustedKey,
    UnixTime,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Default key lifetime: five years.
const DEFAULT_KEY_LIFETIME_SECONDS: i64 = 5 * 365 * 86_400;

#[derive(clap::Args)]
#[command(
    after_help = "A device key (--device) is the phone's key for holder presentations: \
the private key file goes to --out (mode 0600), the public key file (no secret) to standard \
output, for the issuer's `ikd issue --holder-key`. \
Example: ikd keygen --device --out phone.key.json > phone.pub.json"
)]
pub(crate) struct Args {
    /// Where to write the private key file (created with mode 0600).
    #[arg(long, value_name = "KEY_FILE")]
    out: PathBuf,
    /// Make a holder's device key (for `ikd present` and `ikd wallet show`) instead of an
    /// issuer key.
    #[arg(
        long,
        conflicts_with_all = ["issuer", "name", "doc_types", "valid_from", "valid_until", "trust_store"]
    )]
    device: bool,
    /// With --device: the signature algorithm, es256 (P-256, as phone keystores hold) or
    /// eddsa (Ed25519) [default: es256].
    #[arg(long, value_name = "ALG", requires = "device", value_parser = parse_holder_alg)]
    alg: Option<HolderAlg>,
    /// The issuer identifier credentials carry as `iss` (1 to 64 bytes).
    #[arg(long, value_name = "ID", default_value = "ID-TEST")]
    issuer: String,
    /// The issuer's display name [default: the issuer identifier].
    #[arg(long)]
    name: Option<String>,
    /// The document types the key may sign: ktp, kk, and the purpose profiles identity,
    /// age_over_17, domicile.
    #[arg(
        long,
        value_name = "TYPES",
        value_delimiter = ',',
        default_value = "ktp,kk",
        value_parser = parse_doc_type
    )]
    doc_types: Vec<DocType>,
    /// Start of the key's signing window, YYYY-MM-DDTHH:MM:SSZ [default: now].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    valid_from: Option<UnixTime>,
    /// End of the key's signing window [default: five years after the start].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    valid_until: Option<UnixTime>,
    /// Also add the key to this trust-store file (created if absent).
    #[arg(long, value_name = "TRUST.json")]
    trust_store: Option<PathBuf>,
    /// Replace an existing key file.
    #[arg(long)]
    force: bool,
}

pub(crate) fn parse_doc_type(text: &str) -> Result<DocType, String> {
    DocType::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = DocType::ALL.iter().map(|t| t.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn parse_holder_alg(text: &str) -> Result<HolderAlg, String> {
    holder_alg(text).ok_or_else(|| "expected es256 or eddsa".to_owned())
}

/// `ikd keygen --device`: the private key file, and the public one on standard output.
fn device(out: &Path, alg: HolderAlg, force: bool) -> Result<ExitCode, Failure> {
    let key = HolderSigningKey::generate(alg)
        .map_err(|e| Failure::new(format!("cannot make a key: {e}")))?;
    let public = HolderKeyFile::Public(key.public_key());
    HolderKeyFile::Signing(key).write(out, force)?;
    eprintln!(
        "Wrote the device key {} ({}). Keep it secret: it signs presentations.",
        out.display(),
        alg.name()
    );
    print!("{}", public.to_json()?);
    Ok(ExitCode::SUCCESS)
}

/// Loads a trust store, or an empty one if the file does not exist.
pub(crate) fn load_or_new_trust_store(path: &Path) -> Result<TrustStore, Failure> {
    if !path.exists() {
        return Ok(TrustStore::new());
    }
    let text = read_text(path, "trust store")?;
    TrustStore::from_json(&text)
        .map_err(|e| Failure::new(format!("trust store {}: {e}", path.display())))
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    if args.device {
        return device(&args.out, args.alg.unwrap_or(HolderAlg::Es256), args.force);
    }
    if args.issuer.is_empty() || args.issuer.len() > MAX_ISSUER_ID_LEN {
        return Err(Failure::new("--issuer must be 1 to 64 bytes"));
    }
    let valid_from = match args.valid_from {
        Some(t) => t,
        None => now_or_clock(None)?,
    };
    let valid_until = args.valid_until.unwrap_or(UnixTime(
        valid_from.0.saturating_add(DEFAULT_KEY_LIFETIME_SECONDS),
    ));
    if valid_until < valid_from {
        return Err(Failure::new("--valid-until is before --valid-from"));
    }
    // Read the trust store first, so that a bad one stops us before a key is written.
    let trust = match &args.trust_store {
        Some(path) => Some((path, load_or_new_trust_store(path)?)),
        None => None,
    };

    let key = IssuerSigningKey::generate()
        .map_err(|e| Failure::new(format!("cannot make a key: {e}")))?;
    let name = args.name.unwrap_or_else(|| args.issuer.clone());
    let entry = TrustedKey {
        issuer: args.issuer.clone(),
        name: name.clone(),
        key: key.public_key(),
        valid_from,
        valid_until,
        doc_types: args.doc_types.iter().copied().collect::<DocTypeSet>(),
    };
    let kid = key.kid();
    KeyFile {
        issuer: args.issuer,
        name,
        key,
    }
    .write(&args.out, args.force)?;
    eprintln!(
        "Wrote the private key {} (kid {kid}). Keep it secret.",
        args.out.display()
    );

    let mut single = TrustStore::new();
    single.add(entry.clone());
    println!("{}", single.to_json());

    if let Some((path, mut store)) = trust {
        store.add(entry);
        write_atomic(path, &(store.to_json() + "\n"))?;
        eprintln!(
            "Added the key to the trust store {} (now {} key(s)).",
            path.display(),
            store.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
