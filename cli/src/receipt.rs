//! `ikd receipt verify`: check a verification receipt (bukti verifikasi) offline against
//! the verifier's public key, and show what it records.

use crate::EXIT_REJECTED;
use crate::keyfile::KeyFile;
use crate::util::Failure;
use ikd_sdk::receipt::{MAX_RECEIPT_BYTES, ReceiptVerdict};
use ikd_sdk::{IssuerPublicKey, Receipt, encoding};
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Check a receipt against the verifier's public key and show what it records.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// The receipt: its bytes (CBOR) or its QR text (`IKDR1:…`); standard input when `-`
    /// or absent.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// The verifier's public key, 64 hex digits.
    #[arg(
        long,
        value_name = "HEX",
        required_unless_present = "key",
        conflicts_with = "key"
    )]
    public_key: Option<String>,
    /// The verifier's key file (`ikd keygen`); only its public key is used.
    #[arg(long, value_name = "KEY_FILE")]
    key: Option<PathBuf>,
    /// Print the receipt as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Verify(args) => verify(&args),
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let key = match (&args.public_key, &args.key) {
        (Some(hex), _) => encoding::hex_decode(hex.trim())
            .and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
            .ok_or_else(|| Failure::new("--public-key must be an Ed25519 public key in hex"))?,
        (None, Some(path)) => KeyFile::read(path)?.key.public_key(),
        (None, None) => return Err(Failure::new("give --public-key or --key")),
    };
    let input = read_input(args.file.as_ref())?;
    let receipt = match Receipt::verify(&input, &key) {
        Ok(receipt) => receipt,
        Err(e) => {
            // The code and the fault only: a refused receipt's content is not shown.
            eprintln!("ikd: receipt refused: {e}");
            if let Some(code) = e.code() {
                eprintln!("ikd: {}", code.en());
            }
            return Ok(ExitCode::from(EXIT_REJECTED));
        }
    };
    if args.json {
        println!("{}", receipt.to_json());
    } else {
        print!("{}", describe(&receipt));
    }
    Ok(ExitCode::SUCCESS)
}

fn read_input(file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    // Room for QR text of the largest receipt, and a trailing newline.
    let limit = (MAX_RECEIPT_BYTES * 2) as u64;
    let mut bytes = Vec::new();
    match file.filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|e| {
                Failure::new(format!("cannot open the receipt {}: {e}", path.display()))
            })?;
            file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| {
                Failure::new(format!("cannot read the receipt {}: {e}", path.display()))
            })?;
        }
        None => {
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::new(format!("cannot read standard input: {e}")))?;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(Failure::new(format!(
            "the receipt is larger than {limit} bytes"
        )));
    }
    // QR text may arrive with a line end; bytes of a COSE message never start with `I`.
    if bytes.starts_with(b"IKDR1:") {
        while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
            bytes.pop();
        }
    }
    Ok(bytes)
}

/// The receipt for people.
fn describe(receipt: &Receipt) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let verdict = match receipt.verdict {
        ReceiptVerdict::Valid => "VALID (sah)".to_owned(),
        _ => format!(
            "REJECTED (ditolak): {}",
            receipt.reason.as_deref().unwrap_or("?")
        ),
    };
    let _ = writeln!(
        out,
        "Receipt signed by verifier {}: genuine.",
        receipt.verifier
    );
    let _ = writeln!(out, "Verified at: {}", receipt.verified_at);
    let _ = writeln!(out, "Purpose:     {}", receipt.purpose);
    let _ = writeln!(out, "Verdict:     {verdict}");
    if let Some(issuer) = &receipt.issuer {
        let kid = receipt.kid.map(|k| k.to_hex()).unwrap_or_default();
        let _ = writeln!(out, "Issuer:      {issuer} (key {kid})");
    }
    if let Some(hash) = &receipt.credential_hash {
        let _ = writeln!(
            out,
            "Credential:  keyed hash {}",
            encoding::hex_encode(hash)
        );
    }
    if let Some(fields) = &receipt.fields {
        let _ = writeln!(out, "Fields the purpose allows:");
        for (name, value) in fields {
            if name == "type" {
                continue;
            }
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(out, "  {name}: {text}");
        }
    }
    if receipt.presentation.is_some() {
        let _ = writeln!(
            out,
            "Evidence:    the holder's presentation is embedded (--json shows it)"
        );
    }
    out
}
