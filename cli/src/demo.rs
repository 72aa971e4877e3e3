//! `ikd demo init`: a directory of demo issuer keys, a trust store, the demo phone's
//! device key and sample credentials of fictitious residents, ready to present and verify.

use crate::issue::print_warnings;
use crate::keyfile::{HolderKeyFile, KeyFile};
use crate::util::{Access, Failure, now_or_clock, parse_time, write_new};
use ikd_sdk::demo::{DemoData, ISSUER_ID, ISSUER_NAME};
use ikd_sdk::{DocType, HolderSigningKey, IssuerSigningKey, UnixTime};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TRUST_FILE: &str = "trust.json";
const README_FILE: &str = "README.txt";
/// The demo phone's device key, which the KTP-el and the purpose profiles are bound to.
const PHONE_KEY_FILE: &str = "phone.key.json";
/// The purpose profiles of the KTP-el sample, issued besides the samples.
const PROFILES: [&str; 3] = ["identity", "age_over_17", "domicile"];

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Create demo issuer keys, a trust store, the demo phone's device key, sample KTP-el,
    /// purpose-profile and KK credentials, and a README.
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
    names.push(PHONE_KEY_FILE.to_owned());
    names.extend(
        ikd_sdk::samples::ALL
            .iter()
            .map(|(name, _)| *name)
            .chain(PROFILES)
            .map(qr_file_name),
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
    let phone = HolderSigningKey::from_secret(data.holder.alg(), &data.holder.to_secret())
        .map_err(|e| Failure::new(format!("the demo phone key: {e}")))?;
    HolderKeyFile::Signing(phone).write(&dir.join(PHONE_KEY_FILE), args.force)?;
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
    let trust = dir.join(TRUST_FILE);
    println!(
        "Show the KTP-el from the demo phone and verify it:\n  \
         ikd present --credential {} --holder-key {} | ikd verify --trust {}",
        dir.join(qr_file_name("ktp")).display(),
        dir.join(PHONE_KEY_FILE).display(),
        trust.display(),
    );
    println!(
        "Verify the printed KK:\n  ikd verify --trust {} < {}",
        trust.display(),
        dir.join(qr_file_name("kk-4")).display()
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
    let phone = dir.join(PHONE_KEY_FILE);
    let phone = phone.display();
    let age = dir.join(qr_file_name("age_over_17"));
    let age = age.display();
    let qr_glob = dir.join("*.qr.txt");
    let qr_glob = qr_glob.display();
    format!(
        "IKD Verify demo data
====================

Everything here is for demonstration only. The residents are fictitious, and the
issuer keys are demo keys that no real verifier trusts.

Files
-----
issuer-*.key.json     private keys of the demo issuer, one per document type (keep them
                      private): ktp, kk, identity, age_over_17, domicile
trust.json            trust store: the public keys, each allowed one document type
phone.key.json        the demo phone's device key (ES256); keep it private
ktp.qr.txt            KTP-el credential (QR text) of SITI NURHALIZA PUTRI, bound to the phone
identity.qr.txt       her identity profile (NIK, name), bound to the phone
age_over_17.qr.txt    her age profile (17 or older), bound to the phone
domicile.qr.txt       her domicile profile (address, region code), bound to the phone
kk-4.qr.txt           Kartu Keluarga with 4 members (printed: not bound)
kk-8.qr.txt           Kartu Keluarga with 8 members (printed: not bound)

The credentials were issued at {now} and expire at {expires_at}.

Verify
------
(In the source tree, run `cargo run -p ikd-cli --` in place of `ikd`.)

A KTP-el is shown from the phone: a presentation signed by the phone's key, valid 90 s.

  ikd present --credential {ktp} --holder-key {phone} | ikd verify --trust {trust}
  ikd wallet show --credential {ktp} --holder-key {phone}   # renews every 30 s
  ikd verify --trust {trust} < {ktp}     # the bare card, a copy: presentation_required

A KK is printed on paper and verifies bare:

  ikd verify --trust {trust} --json < {kk}

Challenge mode: the counter shows a code, the phone binds it.

  ikd challenge --audience BANK-01      # prints ABCD-EFGH and IKDC:ABCDEFGH;BANK-01
  ikd present --credential {age} --holder-key {phone} --challenge 'IKDC:ABCDEFGH;BANK-01' \\
    | ikd verify --trust {trust} --challenge 'IKDC:ABCDEFGH;BANK-01'

Exit code 0 means valid, 1 rejected. Change one character of a QR text and verify again
to see a rejection with its reason code.

Look inside without verifying (debugging only; the output is UNVERIFIED):
  ikd inspect < {ktp}

Counter software that reads a scanner line by line (from the source tree):
  cat {qr_glob} | cargo run -p ikd-examples --bin counter -- {trust}

Issue more credentials with the demo key, bound to the demo phone:
  ikd issue ktp --key {key} --data my-ktp.json --holder-key {phone}
",
        key = dir.join(key_file_name(DocType::Ktp)).display(),
    )
}
