//! `ikd scan`: the QR codes in pictures (PNG, JPEG, WebP, scanned PDFs), and the picture
//! side of `ikd verify --image`.

use crate::show;
use crate::util::Failure;
use crate::{EXIT_REJECTED, EXIT_SETUP};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ikd_sdk::scan::{self, Payload, Scan, ScanError, ScanOptions, WorkerLimits};
use ikd_sdk::{Policy, Report, TrustStore, UnixTime, VerifyOptions};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The pictures: PNG, JPEG or WebP images, or PDFs of scanned pages.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON object per file and line:
    /// {"file": …, "payloads": [{"bytes_base64": …, "text": …}]}.
    #[arg(long)]
    json: bool,
    /// Time allowed per image, in milliseconds; 0 runs every pass, however long.
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_BUDGET_MS)]
    budget_ms: u64,
}

/// Time allowed per image unless `--budget-ms` says otherwise.
pub(crate) const DEFAULT_BUDGET_MS: u64 = 250;

/// The scan options for a time budget in milliseconds (0: none).
pub(crate) fn options(budget_ms: u64) -> ScanOptions {
    let mut options = ScanOptions::default();
    options.time_budget = (budget_ms > 0).then(|| Duration::from_millis(budget_ms));
    options
}

/// Reads a picture file, no larger than the scan limits allow.
fn read_picture(path: &Path, options: &ScanOptions) -> Result<Vec<u8>, Failure> {
    let max = options.limits.max_file_bytes as u64;
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::new(format!("cannot open {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(Failure::new(format!(
            "{} is larger than {max} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Longest a scan worker may take over one file, however many images it holds.
const WORKER_DEADLINE: Duration = Duration::from_secs(60);

/// Scans a picture's bytes in a worker process (this executable, `ikd scan-worker`), whose
/// memory and CPU are capped: a hostile file, whatever its structure, cannot take the
/// machine's memory, and the worker is killed after [`WORKER_DEADLINE`].
pub(crate) fn scan_isolated(bytes: &[u8], options: &ScanOptions) -> Result<Scan, ScanError> {
    let program = std::env::current_exe().map_err(|e| ScanError::WorkerFailed {
        problem: format!("cannot find this program's executable: {e}"),
    })?;
    scan::scan_in_worker(
        scan::worker_command(program),
        bytes,
        options,
        &WorkerLimits::default(),
        WORKER_DEADLINE,
    )
}

/// Scans one picture file.
pub(crate) fn scan_file(path: &Path, options: &ScanOptions) -> Result<Scan, Failure> {
    let bytes = read_picture(path, options)?;
    scan_isolated(&bytes, options)
        .map_err(|e: ScanError| Failure::new(format!("{}: {e} ({})", path.display(), e.code())))
}

#[derive(serde::Serialize)]
struct JsonPayload {
    bytes_base64: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonError {
    code: &'static str,
    message: String,
}

#[derive(serde::Serialize)]
struct JsonFile<'a> {
    file: &'a str,
    payloads: Vec<JsonPayload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JsonError>,
}

fn json_payload(payload: &Payload) -> JsonPayload {
    JsonPayload {
        bytes_base64: BASE64.encode(payload.bytes()),
        text: payload.text().map(str::to_owned),
    }
}

/// A payload on one line: its text with control characters escaped (so that a payload
/// never spans lines), or its bytes in Base64 when it has no text.
fn one_line(payload: &Payload) -> String {
    match payload.text() {
        Some(text) => text
            .chars()
            .flat_map(char::escape_default)
            .collect::<String>(),
        None => format!("base64:{}", BASE64.encode(payload.bytes())),
    }
}

/// Why one file could not be scanned.
enum FileError {
    /// It could not be read (or is too large to read).
    Read(Failure),
    /// It is not a picture the scanner can read.
    Scan(ScanError),
}

impl FileError {
    fn code(&self) -> &'static str {
        match self {
            FileError::Read(_) => "unreadable_file",
            FileError::Scan(e) => e.code(),
        }
    }

    /// The message, naming the file.
    fn message(&self, name: &str) -> String {
        match self {
            FileError::Read(Failure(message)) => message.clone(),
            FileError::Scan(e) => format!("{name}: {e}"),
        }
    }
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let options = options(args.budget_ms);
    let several = args.files.len() > 1;
    let (mut missing, mut failed) = (false, false);
    for path in &args.files {
        let name = path.display().to_string();
        let result = read_picture(path, &options)
            .map_err(FileError::Read)
            .and_then(|bytes| scan_isolated(&bytes, &options).map_err(FileError::Scan));
        match result {
            Ok(scan) if args.json => {
                missing |= scan.payloads().is_empty();
                print_json(&JsonFile {
                    file: &name,
                    payloads: scan.payloads().iter().map(json_payload).collect(),
                    error: None,
                })?;
            }
            Ok(scan) => {
                if scan.payloads().is_empty() {
                    missing = true;
                    let hint = if scan.budget_exhausted() {
                        " (time budget spent; try --budget-ms 0)"
                    } else {
                        ""
                    };
                    eprintln!("ikd: {name}: no QR code found{hint}");
                }
                for payload in scan.payloads() {
                    if several {
                        println!("{name}: {}", one_line(payload));
                    } else {
                        println!("{}", one_line(payload));
                    }
                }
            }
            Err(error) => {
                failed = true;
                if args.json {
                    print_json(&JsonFile {
                        file: &name,
                        payloads: Vec::new(),
                        error: Some(JsonError {
                            code: error.code(),
                            message: error.message(&name),
                        }),
                    })?;
                }
                eprintln!("ikd: {}", error.message(&name));
            }
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_SETUP)
    } else if missing {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let line = serde_json::to_string(value)
        .map_err(|e| Failure::new(format!("cannot encode JSON: {e}")))?;
    println!("{line}");
    Ok(())
}

/// `ikd verify --image FILE`: scans the picture and verifies every IKD credential in it
/// (with the verifier's challenge, if any).
///
/// Exit code 0 when at least one credential was found and every one is valid; 1 when none
/// was found or one is rejected (a picture holding only other QR codes is rejected as
/// "not an IKD credential"); 2 when the picture cannot be read.
pub(crate) fn verify_image(
    path: &Path,
    trust: &TrustStore,
    now: UnixTime,
    policy: &Policy,
    verify_options: &VerifyOptions<'_>,
    json: Option<ikd_sdk::display::DisplayLanguages>,
    budget_ms: u64,
) -> Result<ExitCode, Failure> {
    let scan = scan_file(path, &options(budget_ms))?;
    // As Scan::verify does, with the verifier's challenge.
    let mut results: Vec<scan::ScannedCredential> = scan
        .payloads()
        .iter()
        .filter(|payload| payload.is_ikd())
        .map(|payload| scan::ScannedCredential {
            result: ikd_sdk::verify_with(
                &String::from_utf8_lossy(payload.bytes()),
                trust,
                now,
                policy,
                verify_options,
            ),
            payload: payload.clone(),
        })
        .collect();
    if results.is_empty() {
        match scan.payloads().first() {
            // Only other QR codes: verify the first, for its "not an IKD credential".
            Some(other) => {
                let text = String::from_utf8_lossy(other.bytes());
                let result = ikd_sdk::verify_with(&text, trust, now, policy, verify_options);
                results.push(scan::ScannedCredential {
                    payload: other.clone(),
                    result,
                });
            }
            None => {
                eprintln!("ikd: {}: no QR code found", path.display());
                return Ok(ExitCode::from(EXIT_REJECTED));
            }
        }
    }
    for scanned in &results {
        if let Some(display) = json {
            println!(
                "{}",
                Report::new_with(&scanned.result, display).to_json_pretty()
            );
        } else {
            match &scanned.result {
                Ok(verified) => print!("{}", show::verified(verified)),
                Err(rejection) => print!("{}", show::rejected(rejection)),
            }
        }
    }
    Ok(if results.iter().all(|r| r.result.is_ok()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}
