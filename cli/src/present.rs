//! The holder's side: `ikd present` signs one presentation of a bound credential with the
//! device key; `ikd wallet show` shows a fresh one in the terminal, renewed on an
//! interval, as the IKD app does.

use crate::keyfile::HolderKeyFile;
use crate::qr::{self, Ecc};
use crate::util::{Failure, now_or_clock, parse_time, qr_text_input, read_text};
use ikd_sdk::presentation::DEFAULT_PRESENTATION_SECONDS;
use ikd_sdk::unstable_wire::cose::{self, MessageType};
use ikd_sdk::{Challenge, Credential, HolderSigningKey, Presentation, UnixTime, present};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Default seconds between two presentations in `ikd wallet show`.
const DEFAULT_INTERVAL_SECONDS: u32 = 30;
/// Longest presentation lifetime accepted: a day. Verifiers cap the age anyway (90 s by
/// default), so a longer life only matters to a verifier with a looser policy.
const MAX_LIFETIME_SECONDS: u32 = 86_400;

/// What the verifier asked the presentation to bind, as `ikd present`, `ikd wallet show`
/// and `ikd verify` take it.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct ChallengeArgs {
    /// The verifier's challenge: its QR text (`IKDC:CODE;AUDIENCE`) or the code as typed
    /// (`ABCD-EFGH`).
    #[arg(long, value_name = "IKDC:CODE[;AUD]", conflicts_with = "nonce")]
    challenge: Option<String>,
    /// The verifier's nonce (a typed code, 6 to 64 characters), instead of --challenge.
    #[arg(long, value_name = "CODE")]
    nonce: Option<String>,
    /// With --nonce: the verifier's name (audience) the presentation must name.
    #[arg(long, value_name = "AUD", requires = "nonce")]
    audience: Option<String>,
}

impl ChallengeArgs {
    /// The challenge the arguments give, if any.
    pub(crate) fn challenge(&self) -> Result<Option<Challenge>, Failure> {
        let bad = |e: ikd_sdk::PresentError| Failure::new(format!("--challenge: {e}"));
        match (&self.challenge, &self.nonce) {
            (Some(text), _) => Challenge::parse(text).map(Some).map_err(bad),
            (None, Some(nonce)) => Challenge::new(nonce, self.audience.as_deref())
                .map(Some)
                .map_err(|e| Failure::new(format!("--nonce/--audience: {e}"))),
            (None, None) => Ok(None),
        }
    }
}

/// What a presentation is made of.
#[derive(clap::Args)]
pub(crate) struct PresentArgs {
    /// The bound credential's QR text file (`IKD1:…`, as `ikd issue --holder-key` writes
    /// it); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    credential: PathBuf,
    /// The device's private key file (`ikd keygen --device`), whose public key the
    /// credential carries as `cnf`.
    #[arg(long, value_name = "KEY_FILE")]
    holder_key: PathBuf,
    #[command(flatten)]
    challenge: ChallengeArgs,
    /// Seconds the presentation stays valid, 1 to 86400 (verifiers accept at most 90 s
    /// by default).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_PRESENTATION_SECONDS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_LIFETIME_SECONDS))
    )]
    lifetime: u32,
    /// The signing time, YYYY-MM-DDTHH:MM:SSZ [default: the system clock]. For tests and
    /// demonstrations.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

#[derive(clap::Subcommand)]
pub(crate) enum WalletCommand {
    /// Show a fresh presentation QR code in the terminal, renewed every --interval
    /// seconds, with its expiry counting down beneath; Ctrl-C stops.
    ///
    /// When standard output is not a terminal, prints each presentation (the code in
    /// half blocks, then its QR text and expiry) and stops after --count (without it, runs
    /// until interrupted).
    Show(WalletArgs),
}

#[derive(clap::Args)]
pub(crate) struct WalletArgs {
    #[command(flatten)]
    present: PresentArgs,
    /// Seconds between two presentations (at most --lifetime).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_INTERVAL_SECONDS,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_LIFETIME_SECONDS))
    )]
    interval: u32,
    /// Stop after showing this many presentations [default: run until Ctrl-C].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
}

/// A holder ready to sign presentations.
struct Holder {
    credential: Credential,
    key: HolderSigningKey,
    challenge: Option<Challenge>,
    lifetime: u32,
}

/// Reads the credential's QR text file (or standard input for `-`).
fn read_credential(path: &Path) -> Result<Credential, Failure> {
    let (text, name) = if path == Path::new("-") {
        (qr_text_input(None)?, "standard input".to_owned())
    } else {
        let text = read_text(path, "credential file")?;
        (
            text.trim().to_owned(),
            format!("credential file {}", path.display()),
        )
    };
    let bad = |why: String| Failure::new(format!("{name}: {why}"));
    let bytes = ikd_sdk::transport::decode_qr_text(&text)
        .map_err(|r| bad(format!("not a credential's QR text ({})", r.code())))?;
    let message = cose::parse(&bytes)
        .map_err(|r| bad(format!("not a credential's QR text ({})", r.code())))?;
    if message.claims_to_be_presentation() {
        return Err(bad(
            "holds a presentation; give the credential itself".to_owned()
        ));
    }
    message
        .check_header(MessageType::Credential)
        .map_err(|r| bad(format!("not a credential ({})", r.code())))?;
    Credential::from_bytes(bytes).map_err(|e| bad(e.to_string()))
}

impl Holder {
    fn load(args: &PresentArgs) -> Result<Self, Failure> {
        let key = HolderKeyFile::read_signing(&args.holder_key)?;
        let challenge = args.challenge.challenge()?;
        let credential = read_credential(&args.credential)?;
        Ok(Holder {
            credential,
            key,
            challenge,
            lifetime: args.lifetime,
        })
    }

    fn present(&self, now: UnixTime) -> Result<Presentation, Failure> {
        present(
            &self.credential,
            &self.key,
            now,
            self.lifetime,
            self.challenge.as_ref(),
        )
        .map_err(|e| Failure::new(format!("no presentation: {e}")))
    }
}

/// `ikd present`: one presentation's QR text on standard output.
pub(crate) fn run_present(args: PresentArgs) -> Result<ExitCode, Failure> {
    let holder = Holder::load(&args)?;
    let now = now_or_clock(args.now)?;
    let shown = holder.present(now)?;
    println!("{}", shown.to_qr_text());
    eprintln!(
        "Presentation signed at {now}, valid until {} ({} s).",
        UnixTime(now.0.saturating_add(i64::from(holder.lifetime))),
        holder.lifetime
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_wallet(command: WalletCommand) -> Result<ExitCode, Failure> {
    match command {
        WalletCommand::Show(args) => wallet_show(&args),
    }
}

/// The wallet's clock: `--now` (or the system clock) at start, advancing in real time.
struct Clock {
    start: UnixTime,
    started: Instant,
}

impl Clock {
    fn now(&self) -> UnixTime {
        let elapsed = i64::try_from(self.started.elapsed().as_secs()).unwrap_or(i64::MAX);
        UnixTime(self.start.0.saturating_add(elapsed))
    }
}

fn wallet_show(args: &WalletArgs) -> Result<ExitCode, Failure> {
    if args.interval > args.present.lifetime {
        return Err(Failure::new(format!(
            "--interval ({} s) is longer than --lifetime ({} s): the code would expire before \
             it is renewed",
            args.interval, args.present.lifetime
        )));
    }
    let holder = Holder::load(&args.present)?;
    let clock = Clock {
        start: now_or_clock(args.present.now)?,
        started: Instant::now(),
    };
    if std::io::stdout().is_terminal() {
        terminal_loop(&holder, &clock, args)
    } else {
        plain_loop(&holder, &clock, args)
    }
}

/// Not a terminal: each presentation as half blocks (dark modules as blocks), its QR text
/// and its expiry, separated by blank lines.
fn plain_loop(holder: &Holder, clock: &Clock, args: &WalletArgs) -> Result<ExitCode, Failure> {
    let mut shown = 0u64;
    let mut out = std::io::stdout().lock();
    loop {
        let now = clock.now();
        let presentation = holder.present(now)?;
        let text = presentation.to_qr_text();
        let code = qr::encode(&text, Ecc::M)?;
        let expires = UnixTime(now.0.saturating_add(i64::from(holder.lifetime)));
        write!(
            out,
            "{}{text}\nvalid until {expires}\n\n",
            qr::half_blocks(&code, false)
        )
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(format!("cannot write to standard output: {e}")))?;
        shown += 1;
        if args.count.is_some_and(|count| shown >= count) {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_secs(u64::from(args.interval)));
    }
}

/// A terminal: the code drawn black on white, redrawn in place at each renewal, with a
/// countdown beneath updated every second; Ctrl-C clears it and stops.
fn terminal_loop(holder: &Holder, clock: &Clock, args: &WalletArgs) -> Result<ExitCode, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start the timer: {e}")))?;
    let mut out = std::io::stdout().lock();
    let write_failed =
        |e: std::io::Error| Failure::new(format!("cannot write to the terminal: {e}"));
    // Lines above the cursor that belong to the frame on screen.
    let mut frame_lines = 0usize;
    let mut shown = 0u64;
    let what = holder.challenge.as_ref().map_or(String::new(), |c| {
        format!(" for challenge {}", c.display_code())
    });
    let stopped = runtime.block_on(async {
        loop {
            let signed_at = clock.now();
            let presentation = holder.present(signed_at)?;
            let code = qr::encode(&presentation.to_qr_text(), Ecc::M)?;
            let picture = qr::half_blocks(&code, true);
            let expires = signed_at.0.saturating_add(i64::from(holder.lifetime));
            let renew = signed_at.0.saturating_add(i64::from(args.interval));
            clear_frame(&mut out, frame_lines).map_err(write_failed)?;
            writeln!(out, "{picture}").map_err(write_failed)?;
            frame_lines = picture.lines().count() + 1;
            shown += 1;
            let last = args.count.is_some_and(|count| shown >= count);
            loop {
                let now = clock.now().0;
                if now >= renew {
                    break;
                }
                let next = if last {
                    "Ctrl-C stops".to_owned()
                } else {
                    format!("renews in {} s; Ctrl-C stops", renew - now)
                };
                write!(
                    out,
                    "\r\x1b[KPresentation{what} expires in {} s ({next})",
                    (expires - now).max(0)
                )
                .and_then(|()| out.flush())
                .map_err(write_failed)?;
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok::<bool, Failure>(true),
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            if last {
                return Ok(false);
            }
        }
    })?;
    // Leave no valid code on the screen.
    clear_frame(&mut out, frame_lines).map_err(write_failed)?;
    writeln!(out, "{}", if stopped { "Stopped." } else { "Done." }).map_err(write_failed)?;
    Ok(ExitCode::SUCCESS)
}

/// Erases the frame drawn above the cursor (the status line included).
fn clear_frame(out: &mut impl std::io::Write, lines: usize) -> std::io::Result<()> {
    if lines == 0 {
        return Ok(());
    }
    write!(out, "\r\x1b[{lines}A\x1b[J")
}
