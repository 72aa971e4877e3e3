//! The `ikd` command: issuer and device keys, test credentials, holder presentations,
//! verification and inspection of IKD credentials (KTP-el, Kartu Keluarga and purpose
//! profiles as COSE_Sign1, shown as `IKD1:` QR text).
//!
//! Exit codes: 0 success (a valid credential), 1 a rejected or undecodable credential,
//! 2 a usage or setup error (bad arguments, unreadable or invalid files).

mod challenge;
mod conformance;
mod demo;
mod issue;
mod keyfile;
mod keygen;
mod present;
mod qr;
mod receipt;
mod scan;
mod schema;
mod serve;
mod show;
mod status_list;
mod trust;
mod util;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use util::Failure;

/// Exit code of a rejected or undecodable credential.
pub(crate) const EXIT_REJECTED: u8 = 1;
/// Exit code of a usage or setup error.
pub(crate) const EXIT_SETUP: u8 = 2;

#[derive(Parser)]
#[command(
    name = "ikd",
    version,
    about = "Verify, inspect, issue and present IKD credentials (KTP-el, Kartu Keluarga) offline",
    after_help = "Exit codes: 0 valid, 1 rejected, 2 usage or setup error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make an issuer key (a private key file and its trust-store entry), or with
    /// --device a holder's device key.
    Keygen(keygen::Args),
    /// Sign a document (JSON) or a purpose profile of it as a credential and print its QR
    /// text.
    Issue(issue::Args),
    /// Sign one holder presentation of a bound credential and print its QR text.
    Present(present::PresentArgs),
    /// The holder's wallet: show fresh presentation QR codes in the terminal.
    #[command(subcommand)]
    Wallet(present::WalletCommand),
    /// Make a verifier challenge: a code to type and a short QR text (IKDC:…).
    Challenge(challenge::Args),
    /// Verify a credential's or presentation's QR text against a trust store.
    Verify(verify::VerifyArgs),
    /// Show what a QR text carries WITHOUT verifying it (for debugging).
    Inspect(verify::InspectArgs),
    /// Demo data: issuer keys, a trust store, a phone's device key and sample credentials.
    #[command(subcommand)]
    Demo(demo::Command),
    /// Read the QR codes in pictures: PNG, JPEG, WebP, or PDFs of scanned pages.
    Scan(scan::Args),
    /// QR pictures: render a QR text as PNG or SVG.
    #[command(subcommand)]
    Qr(qr::Command),
    /// Signed trust data: pinned roots, publish, serve, sync, show.
    #[command(subcommand)]
    Trust(trust::Command),
    /// Status lists (revocation): issue one.
    #[command(subcommand)]
    StatusList(status_list::Command),
    /// Verification receipts (bukti verifikasi): check one offline.
    #[command(subcommand)]
    Receipt(receipt::Command),
    /// Answer conformance-runner requests (JSON lines on standard input) with verdicts,
    /// so that the conformance vectors can be run against this command.
    Conformance(conformance::Args),
}

fn main() -> ExitCode {
    // `ikd scan-worker` scans one picture for `ikd scan` in a process of its own (see
    // scan.rs); it is not a command for people, so clap does not list it.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|arg| arg == ikd_sdk::scan::WORKER_ARG)
    {
        let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
        let code = ikd_sdk::scan::run_worker(&mut input, &mut output);
        return ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(args),
        Command::Issue(args) => issue::run(args),
        Command::Present(args) => present::run_present(args),
        Command::Wallet(command) => present::run_wallet(command),
        Command::Challenge(args) => challenge::run(args),
        Command::Verify(args) => verify::run_verify(args),
        Command::Inspect(args) => verify::run_inspect(args),
        Command::Demo(command) => demo::run(command),
        Command::Scan(args) => scan::run(args),
        Command::Qr(command) => qr::run(command),
        Command::Trust(command) => trust::run(command),
        Command::StatusList(command) => status_list::run(command),
        Command::Receipt(command) => receipt::run(command),
        Command::Conformance(args) => conformance::run(args),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("ikd: error: {message}");
            ExitCode::from(EXIT_SETUP)
        }
    }
}
