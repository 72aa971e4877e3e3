//! `ikd challenge`: the verifier's side of challenge mode. A fresh code for the holder to
//! bind in a presentation, shown as a short QR code or typed by hand.

use crate::qr::{self, Ecc};
use crate::util::Failure;
use ikd_sdk::Challenge;
use ikd_sdk::limits::{MAX_NONCE_LEN, MIN_NONCE_LEN};
use std::io::IsTerminal as _;
use std::process::ExitCode;

/// Default code length: 8 characters of Crockford Base32, 40 bits.
const DEFAULT_LENGTH: usize = 8;

#[derive(clap::Args)]
#[command(
    after_help = "Prints the typed code (ABCD-EFGH) on the first line and the QR text \
(IKDC:CODE or IKDC:CODE;AUDIENCE) on the second. The holder binds either with \
`ikd present --challenge …`; verify with `ikd verify --challenge <the same>`."
)]
pub(crate) struct Args {
    /// Characters in the code, 6 to 64 (8 gives 40 bits).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_LENGTH,
        value_parser = clap::builder::ValueParser::new(parse_length)
    )]
    length: usize,
    /// The verifier's name, which the presentation must also carry (say, a branch id).
    #[arg(long, value_name = "AUD")]
    audience: Option<String>,
    /// Also draw the challenge's QR code (Unicode half blocks) beneath.
    #[arg(long)]
    qr: bool,
}

fn parse_length(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(n))
        .ok_or_else(|| format!("expected {MIN_NONCE_LEN} to {MAX_NONCE_LEN}"))
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let challenge = Challenge::generate(args.length, args.audience.as_deref())
        .map_err(|e| Failure::new(format!("no challenge: {e}")))?;
    let text = challenge.to_qr_text();
    println!("{}", challenge.display_code());
    println!("{text}");
    if args.qr {
        let code = qr::encode(&text, Ecc::M)?;
        print!(
            "{}",
            qr::half_blocks(&code, std::io::stdout().is_terminal())
        );
    }
    Ok(ExitCode::SUCCESS)
}
