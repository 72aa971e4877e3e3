//! `ikd demo init`: a directory of demo issuer keys, a trust store and sample credentials
//! of fictitious residents, ready to verify.

use crate::issue::print_warnings;
use crate::keyfile::KeyFile;
use crate::util::{Access, Failure, now_or_clock, parse_time, write_new};
use ikd_sdk::demo::{DemoData, ISSUER_ID, ISSUER_NAME};
use ikd_sdk::{DocType, IssuerSigningKey, UnixTime};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TRUST_FILE: &str = "trust.json";
const README_FILE: &str = "README.txt";

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Create demo keys, a trust store, sample KTP-el and KK credentials and a README.
    Init(InitArgs),
}

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The directory to fill (created if absent).
    dir: PathBuf,
    /// Replace files that exist already.
    #[arg(long)]
    force: bool,
    /// The issue time [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

/// The key file for each document type: one key per type, each trusted for its type only.
fn key_file_name(doc_type: DocType) -> String {
    format!("issuer-{}.key.json", doc_type.name())
}

fn qr_file_name(sample: &str) -> String {
    format!("{sample}.qr.txt")
}

fn all_file_names() -> Vec<String> {
    let mut names: Vec<String> = DocType::ALL.into_iter().map(key_file_name).collect();
    names.push(TRUST_FILE.to_owned());
    names.extend(
        ikd_sdk::samples::ALL
            .iter()
            .map(|(name, _)| qr_file_name(name)),
    );
    names.push(README_FILE.to_owned());
    names
}

pub(crate) fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Init(args) => init(&args),
    }
}

fn init(args: &InitArgs) -> Result<ExitCode, Failure> {
    let dir = &args.dir;
    let names = all_file_names();
    if !args.force {
        let existing: Vec<&str> = names
            .iter()
            .filter(|n| dir.join(n).exists())
            .map(String::as_str)
            .collect();
        if !existing.is_empty() {
            return Err(Failure::new(format!(
                "{} already holds {}; use --force to replace them",
                dir.display(),
                existing.join(", ")
            )));
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
    let now = now_or_clock(args.now)?;

    let data = DemoData::generate(now).map_err(|e| Failure::new(e.to_string()))?;
    for demo in &data.issuers {
        KeyFile {
            issuer: ISSUER_ID.to_owned(),
            name: ISSUER_NAME.to_owned(),
            key: IssuerSigningKey::from_seed(&demo.issuer.key().to_seed()),
        }
        .write(&dir.join(key_file_name(demo.doc_type)), args.force)?;
    }
    write_new(
        &dir.join(TRUST_FILE),
        &(data.trust.to_json() + "\n"),
        Access::Public,
        args.force,
    )?;
    for credential in &data.credentials {
        print_warnings(&credential.warnings);
        write_new(
            &dir.join(qr_file_name(credential.sample)),
            &(credential.qr_text.clone() + "\n"),
            Access::Public,
            args.force,
        )?;
    }
    write_new(
        &dir.join(README_FILE),
        &readme(dir, now, data.validity.expires_at),
        Access::Public,
        args.force,
    )?;
    println!("Demo data in {}:", dir.display());
    for name in names {
        println!("  {name}");
    }
    println!(
        "Verify with: ikd verify --trust {} < {}",
        dir.join(TRUST_FILE).display(),
        dir.join(qr_file_name("ktp")).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn readme(dir: &Path, now: UnixTime, expires_at: UnixTime) -> String {
    let trust = dir.join(TRUST_FILE);
    let trust = trust.display();
    let ktp = dir.join(qr_file_name("ktp"));
    let ktp = ktp.display();
    let kk = dir.join(qr_file_name("kk-4"));
    let kk = kk.display();
    let qr_glob = dir.join("*.qr.txt");
    let qr_glob = qr_glob.display();
    format!(
        "IKD Verify demo data
====================

Everything here is for demonstration only. The residents are fictitious, and the
issuer keys are demo keys that no real verifier trusts.

Files
-----
issuer-ktp.key.json   private key of the demo issuer for KTP-el (keep it private)
issuer-kk.key.json    private key of the demo issuer for Kartu Keluarga
trust.json            trust store: both public keys, each allowed one document type
ktp.qr.txt            KTP-el credential (QR text) of SITI NURHALIZA PUTRI
kk-4.qr.txt           Kartu Keluarga with 4 members
kk-8.qr.txt           Kartu Keluarga with 8 members

The credentials were issued at {now} and expire at {expires_at}.

Verify
------
(In the source tree, run `cargo run -p ikd-cli --` in place of `ikd`.)

  ikd verify --trust {trust} < {ktp}
  ikd verify --trust {trust} --json < {kk}

Exit code 0 means valid, 1 rejected. Change one character of a QR text and verify again
to see a rejection with its reason code.

Look inside without verifying (debugging only; the output is UNVERIFIED):
  ikd inspect < {ktp}

Counter software that reads a scanner line by line (from the source tree):
  cat {qr_glob} | cargo run -p ikd-examples --bin counter -- {trust}

Issue more credentials with the demo key:
  ikd issue ktp --key {key} --data my-ktp.json
",
        key = dir.join(key_file_name(DocType::Ktp)).display(),
    )
}
