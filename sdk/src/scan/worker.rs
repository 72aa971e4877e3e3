//! Scanning in a separate process, for pictures from strangers.
//!
//! The decoders read hostile files, and some formats let a small file ask for huge work: a
//! PDF whose object-stream entries all point at one large array is parsed once per entry,
//! and an image may declare a colour profile that inflates far beyond its size. Limits in
//! the decoders catch the known cases; a worker process catches the rest. It caps its own
//! memory and CPU time before it reads the picture, so whatever the file's structure, the
//! scan ends within those caps, and the parent can kill it the moment its answer is no
//! longer wanted, which frees the memory at once.
//!
//! The parent starts a program that calls [`run_worker`] (the service and the `ikd`
//! command line start themselves with the argument [`WORKER_ARG`]) as [`worker_command`]
//! sets it up, writes [`worker_input`] to its standard input, and reads the result with
//! [`worker_outcome`]. [`scan_in_worker`] does all of that for a synchronous caller, with
//! a deadline.
//!
//! ```no_run
//! use ikd_sdk::scan::{WORKER_ARG, run_worker};
//!
//! fn main() {
//!     // First thing: a program started as a worker does only that.
//!     if std::env::args().nth(1).as_deref() == Some(WORKER_ARG) {
//!         let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
//!         std::process::exit(run_worker(&mut input, &mut output));
//!     }
//!     // ... the program's own work, which may call `scan_in_worker` with
//!     // `worker_command(std::env::current_exe()?)`.
//! }
//! ```

use super::{Decoder, Payload, Scan, ScanError, ScanLimits, ScanOptions, pipeline, scan_bytes};
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The argument a program is started with to act as a scan worker.
pub const WORKER_ARG: &str = "scan-worker";

/// Environment a worker starts with. The memory cap counts writable mappings, and an
/// allocator that maps its whole arena writable up front (mimalloc does, 1 GiB, when the
/// system overcommits) would count that reservation: small allocations then failed, now
/// and then, in a worker far below its cap. Committing on use makes the cap count memory
/// in use.
const WORKER_ENVIRONMENT: [(&str, &str); 1] = [("MIMALLOC_ARENA_EAGER_COMMIT", "0")];

/// A command that starts `program` as a scan worker: the argument [`WORKER_ARG`], the
/// environment the memory cap needs, standard input and output piped, and standard error
/// discarded (a worker that fails says so through its exit status).
pub fn worker_command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command
        .arg(WORKER_ARG)
        .envs(WORKER_ENVIRONMENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

/// The first line of a worker's input: the protocol version.
const MAGIC: &[u8] = b"IKD-SCAN-WORKER/1\n";

/// Longest options line in a worker's input.
const MAX_OPTIONS_LINE: usize = 4096;

/// What a scan worker process may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerLimits {
    /// Most memory (data and heap) the worker may hold, in bytes.
    pub memory_bytes: u64,
    /// Most CPU time the worker may use, in seconds.
    pub cpu_seconds: u64,
}

impl Default for WorkerLimits {
    /// 512 MiB and 30 s of CPU: a 48-megapixel phone photo decodes in about 200 MiB.
    fn default() -> Self {
        WorkerLimits {
            memory_bytes: 512 * 1024 * 1024,
            cpu_seconds: 30,
        }
    }
}

impl WorkerLimits {
    /// Caps of `memory_bytes` and `cpu_seconds`.
    pub fn new(memory_bytes: u64, cpu_seconds: u64) -> Self {
        WorkerLimits {
            memory_bytes,
            cpu_seconds,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOptions {
    time_budget_ms: Option<u64>,
    max_work_side: u32,
    max_file_bytes: usize,
    max_width: u32,
    max_height: u32,
    max_pixels: u64,
    max_decoder_bytes: u64,
    max_pdf_pages: usize,
    max_pdf_images: usize,
    memory_bytes: u64,
    cpu_seconds: u64,
}

impl WireOptions {
    fn new(options: &ScanOptions, limits: &WorkerLimits) -> Self {
        let l = &options.limits;
        WireOptions {
            time_budget_ms: options
                .time_budget
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            max_work_side: options.max_work_side,
            max_file_bytes: l.max_file_bytes,
            max_width: l.max_width,
            max_height: l.max_height,
            max_pixels: l.max_pixels,
            max_decoder_bytes: l.max_decoder_bytes,
            max_pdf_pages: l.max_pdf_pages,
            max_pdf_images: l.max_pdf_images,
            memory_bytes: limits.memory_bytes,
            cpu_seconds: limits.cpu_seconds,
        }
    }

    fn options(&self) -> (ScanOptions, WorkerLimits) {
        let options = ScanOptions {
            time_budget: self.time_budget_ms.map(Duration::from_millis),
            max_work_side: self.max_work_side,
            limits: ScanLimits {
                max_file_bytes: self.max_file_bytes,
                max_width: self.max_width,
                max_height: self.max_height,
                max_pixels: self.max_pixels,
                max_decoder_bytes: self.max_decoder_bytes,
                max_pdf_pages: self.max_pdf_pages,
                max_pdf_images: self.max_pdf_images,
            },
        };
        (
            options,
            WorkerLimits::new(self.memory_bytes, self.cpu_seconds),
        )
    }
}

#[derive(Serialize, Deserialize)]
struct WirePayload {
    bytes: String,
    text: Option<String>,
    decoder: String,
}

#[derive(Serialize, Deserialize)]
struct WireScan {
    payloads: Vec<WirePayload>,
    pass: Option<String>,
    images_scanned: u32,
    images_skipped: u32,
    decoder_calls: u32,
    decoder_panics: u32,
    budget_exhausted: bool,
}

#[derive(Serialize, Deserialize)]
struct WireError {
    code: String,
    what: Option<String>,
    limit: Option<u64>,
    actual: Option<u64>,
    problem: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireOutcome {
    Scan(WireScan),
    Error(WireError),
}

/// What a parent writes to a worker's standard input: the options and caps, then the
/// picture.
pub fn worker_input(picture: &[u8], options: &ScanOptions, limits: &WorkerLimits) -> Vec<u8> {
    let line = serde_json::to_vec(&WireOptions::new(options, limits)).unwrap_or_default();
    let mut input = Vec::with_capacity(MAGIC.len() + line.len() + 1 + picture.len());
    input.extend_from_slice(MAGIC);
    input.extend_from_slice(&line);
    input.push(b'\n');
    input.extend_from_slice(picture);
    input
}

/// The whole job of a worker process: reads [`worker_input`] from `input`, caps this
/// process's memory and CPU time as the input asks, scans the picture and writes the
/// outcome to `output`. Returns the exit code: 0 when an outcome was written (a scan or a
/// [`ScanError`]), 2 when the input was not a worker's input.
///
/// Call it only in a process of its own: the caps apply to the whole process and cannot
/// be raised again.
pub fn run_worker(input: &mut dyn Read, output: &mut dyn Write) -> i32 {
    let Some((options, limits)) = read_options(input) else {
        return 2;
    };
    cap_this_process(&limits);
    let mut picture = Vec::new();
    let max = options.limits.max_file_bytes as u64;
    if input.take(max + 1).read_to_end(&mut picture).is_err() {
        return 2;
    }
    let outcome = match scan_bytes(&picture, &options) {
        Ok(scan) => WireOutcome::Scan(wire_scan(&scan)),
        Err(error) => WireOutcome::Error(wire_error(&error)),
    };
    drop(picture);
    let written = serde_json::to_vec(&outcome)
        .is_ok_and(|json| output.write_all(&json).is_ok() && output.flush().is_ok());
    if written { 0 } else { 2 }
}

fn read_options(input: &mut dyn Read) -> Option<(ScanOptions, WorkerLimits)> {
    let mut magic = vec![0u8; MAGIC.len()];
    input.read_exact(&mut magic).ok()?;
    if magic != MAGIC {
        return None;
    }
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        input.read_exact(&mut byte).ok()?;
        if byte[0] == b'\n' {
            break;
        }
        if line.len() >= MAX_OPTIONS_LINE {
            return None;
        }
        line.push(byte[0]);
    }
    let wire: WireOptions = serde_json::from_slice(&line).ok()?;
    Some(wire.options())
}

/// Caps this process's data memory and CPU time. On platforms without resource limits
/// the worker still isolates a crash, and the parent's deadline still stops it.
fn cap_this_process(limits: &WorkerLimits) {
    #[cfg(unix)]
    {
        use rlimit::Resource;
        let _ = Resource::DATA.set(limits.memory_bytes, limits.memory_bytes);
        let _ = Resource::CPU.set(limits.cpu_seconds, limits.cpu_seconds.saturating_add(1));
    }
    #[cfg(not(unix))]
    let _ = limits;
}

fn wire_scan(scan: &Scan) -> WireScan {
    use base64::Engine as _;
    WireScan {
        payloads: scan
            .payloads
            .iter()
            .map(|p| WirePayload {
                bytes: base64::engine::general_purpose::STANDARD.encode(&p.bytes),
                text: p.text.clone(),
                decoder: p.decoder.as_str().to_owned(),
            })
            .collect(),
        pass: scan.pass.map(str::to_owned),
        images_scanned: scan.images_scanned,
        images_skipped: scan.images_skipped,
        decoder_calls: scan.decoder_calls,
        decoder_panics: scan.decoder_panics,
        budget_exhausted: scan.budget_exhausted,
    }
}

fn wire_error(error: &ScanError) -> WireError {
    let mut wire = WireError {
        code: error.code().to_owned(),
        what: None,
        limit: None,
        actual: None,
        problem: None,
    };
    match error {
        ScanError::TooLarge {
            what,
            limit,
            actual,
        } => {
            wire.what = Some((*what).to_owned());
            wire.limit = Some(*limit);
            wire.actual = *actual;
        }
        ScanError::UndecodableImage { problem }
        | ScanError::UnreadablePdf { problem }
        | ScanError::WorkerFailed { problem } => wire.problem = Some(problem.clone()),
        ScanError::BadFrame { problem } => wire.problem = Some((*problem).to_owned()),
        ScanError::UnsupportedFormat | ScanError::TimedOut => {}
    }
    wire
}

/// The names a [`ScanError::TooLarge`] uses, so that a worker's answer maps back to them.
const TOO_LARGE_WHAT: [&str; 7] = [
    "metadata bytes",
    "file bytes",
    "width",
    "height",
    "pixels",
    "decoder memory",
    "scan memory",
];

fn from_wire_error(wire: WireError) -> ScanError {
    let problem = wire.problem.unwrap_or_default();
    match wire.code.as_str() {
        "image_too_large" => ScanError::TooLarge {
            what: TOO_LARGE_WHAT
                .into_iter()
                .find(|w| wire.what.as_deref() == Some(*w))
                .unwrap_or("scan memory"),
            limit: wire.limit.unwrap_or(0),
            actual: wire.actual,
        },
        "unsupported_format" => ScanError::UnsupportedFormat,
        "undecodable_image" => ScanError::UndecodableImage { problem },
        "unreadable_pdf" => ScanError::UnreadablePdf { problem },
        "scan_timed_out" => ScanError::TimedOut,
        _ => ScanError::WorkerFailed {
            problem: "the scan worker answered an unknown error".into(),
        },
    }
}

fn from_wire_scan(wire: WireScan) -> Result<Scan, ScanError> {
    use base64::Engine as _;
    let malformed = || ScanError::WorkerFailed {
        problem: "the scan worker's answer is malformed".into(),
    };
    let mut payloads = Vec::with_capacity(wire.payloads.len());
    for p in wire.payloads {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p.bytes.as_bytes())
            .map_err(|_| malformed())?;
        let decoder = match p.decoder.as_str() {
            "rxing" => Decoder::Rxing,
            "rqrr" => Decoder::Rqrr,
            _ => return Err(malformed()),
        };
        payloads.push(Payload::new(bytes, p.text, decoder));
    }
    let pass = match wire.pass {
        None => None,
        Some(name) => Some(
            pipeline::pass_names()
                .find(|known| *known == name)
                .ok_or_else(malformed)?,
        ),
    };
    Ok(Scan {
        payloads,
        pass,
        images_scanned: wire.images_scanned,
        images_skipped: wire.images_skipped,
        decoder_calls: wire.decoder_calls,
        decoder_panics: wire.decoder_panics,
        budget_exhausted: wire.budget_exhausted,
    })
}

/// Reads a worker's outcome from its standard output and how it ended. A worker that
/// ran out of memory is [`ScanError::TooLarge`] (`scan memory`); one stopped by its CPU
/// cap is [`ScanError::TimedOut`]; any other end without an answer is
/// [`ScanError::WorkerFailed`].
pub fn worker_outcome(
    stdout: &[u8],
    status: ExitStatus,
    limits: &WorkerLimits,
) -> Result<Scan, ScanError> {
    if status.success() {
        return match serde_json::from_slice::<WireOutcome>(stdout) {
            Ok(WireOutcome::Scan(scan)) => from_wire_scan(scan),
            Ok(WireOutcome::Error(error)) => Err(from_wire_error(error)),
            Err(_) => Err(ScanError::WorkerFailed {
                problem: "the scan worker's answer is malformed".into(),
            }),
        };
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        // An allocation beyond the memory cap aborts (SIGABRT); the CPU cap sends SIGXCPU
        // and then SIGKILL.
        const SIGABRT: i32 = 6;
        const SIGKILL: i32 = 9;
        const SIGXCPU: i32 = 24;
        match status.signal() {
            Some(SIGABRT) => {
                return Err(ScanError::TooLarge {
                    what: "scan memory",
                    limit: limits.memory_bytes,
                    actual: None,
                });
            }
            Some(SIGXCPU | SIGKILL) => return Err(ScanError::TimedOut),
            _ => {}
        }
    }
    let _ = limits;
    Err(ScanError::WorkerFailed {
        problem: format!("the scan worker ended without an answer ({status})"),
    })
}

/// Scans `picture` in a worker process started from `command` (a program that calls
/// [`run_worker`], best made with [`worker_command`]; its standard streams and the
/// environment the memory cap needs are set here). Kills the worker once `deadline`
/// has passed ([`ScanError::TimedOut`]). A worker that cannot be started is
/// [`ScanError::WorkerFailed`].
pub fn scan_in_worker(
    mut command: Command,
    picture: &[u8],
    options: &ScanOptions,
    limits: &WorkerLimits,
    deadline: Duration,
) -> Result<Scan, ScanError> {
    let started = Instant::now();
    let failed = |problem: String| ScanError::WorkerFailed { problem };
    let mut child = command
        .envs(WORKER_ENVIRONMENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("cannot start the scan worker: {e}")))?;
    let input = worker_input(picture, options, limits);
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            // The worker may stop reading early (a file too large): that is its answer.
            let _ = stdin.write_all(&input);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut answer = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            // A worker's answer is a few payloads: 16 MiB is far beyond any honest one.
            let _ = stdout.take(16 * 1024 * 1024).read_to_end(&mut answer);
        }
        answer
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                let _ = reader.join();
                return Err(ScanError::TimedOut);
            }
        }
    };
    let _ = writer.join();
    let answer = reader
        .join()
        .map_err(|_| failed("the scan worker's answer could not be read".into()))?;
    worker_outcome(&answer, status, limits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn sample_scan() -> Scan {
        Scan {
            payloads: vec![
                Payload::new(
                    b"IKD1:ABC".to_vec(),
                    Some("IKD1:ABC".into()),
                    Decoder::Rxing,
                ),
                Payload::new(vec![0xff, 0x00], None, Decoder::Rqrr),
            ],
            pass: pipeline::pass_names().nth(1),
            images_scanned: 2,
            images_skipped: 1,
            decoder_calls: 7,
            decoder_panics: 1,
            budget_exhausted: true,
        }
    }

    #[cfg(unix)]
    fn exited(code: i32) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt as _;
        ExitStatus::from_raw(code << 8)
    }

    #[cfg(unix)]
    fn killed_by(signal: i32) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt as _;
        ExitStatus::from_raw(signal)
    }

    #[test]
    fn options_survive_the_trip_to_the_worker() {
        let mut options = ScanOptions::camera();
        options.limits.max_pdf_pages = 3;
        let limits = WorkerLimits::new(1 << 20, 7);
        let input = worker_input(b"picture bytes", &options, &limits);
        let mut reader = input.as_slice();
        let (read, read_limits) = read_options(&mut reader).unwrap();
        assert_eq!((read, read_limits), (options, limits));
        assert_eq!(reader, b"picture bytes");
    }

    #[test]
    fn input_that_is_not_a_worker_input_ends_the_worker_with_code_2() {
        let mut output = Vec::new();
        assert_eq!(run_worker(&mut &b"GET / HTTP/1.1\r\n"[..], &mut output), 2);
        let endless = [b'{'; MAX_OPTIONS_LINE + 10];
        let mut input = MAGIC.to_vec();
        input.extend_from_slice(&endless);
        assert_eq!(run_worker(&mut input.as_slice(), &mut output), 2);
        assert!(output.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_scan_and_every_error_come_back_as_they_were() {
        let limits = WorkerLimits::default();
        let scan = sample_scan();
        let answer = serde_json::to_vec(&WireOutcome::Scan(wire_scan(&scan))).unwrap();
        assert_eq!(worker_outcome(&answer, exited(0), &limits).unwrap(), scan);
        for error in [
            ScanError::TooLarge {
                what: "pixels",
                limit: 10,
                actual: Some(11),
            },
            ScanError::UnsupportedFormat,
            ScanError::UndecodableImage {
                problem: "bad huffman table".into(),
            },
            ScanError::UnreadablePdf {
                problem: "no trailer".into(),
            },
            ScanError::TimedOut,
        ] {
            let answer = serde_json::to_vec(&WireOutcome::Error(wire_error(&error))).unwrap();
            assert_eq!(worker_outcome(&answer, exited(0), &limits), Err(error));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_worker_that_ends_without_an_answer_is_an_error_with_a_code() {
        let limits = WorkerLimits::new(64 << 20, 5);
        let code = |status| worker_outcome(b"", status, &limits).unwrap_err();
        assert_eq!(
            code(killed_by(6)),
            ScanError::TooLarge {
                what: "scan memory",
                limit: 64 << 20,
                actual: None
            }
        );
        assert_eq!(code(killed_by(6)).code(), "image_too_large");
        assert_eq!(code(killed_by(24)).code(), "scan_timed_out");
        assert_eq!(code(killed_by(9)).code(), "scan_timed_out");
        assert_eq!(code(killed_by(11)).code(), "scan_failed");
        assert_eq!(code(exited(2)).code(), "scan_failed");
        // A success whose answer is not the protocol's.
        assert_eq!(
            worker_outcome(b"{\"scan\": 1}", exited(0), &limits)
                .unwrap_err()
                .code(),
            "scan_failed"
        );
        let mut forged = wire_scan(&sample_scan());
        forged.pass = Some("no-such-pass".into());
        let answer = serde_json::to_vec(&WireOutcome::Scan(forged)).unwrap();
        assert_eq!(
            worker_outcome(&answer, exited(0), &limits)
                .unwrap_err()
                .code(),
            "scan_failed"
        );
    }

    #[test]
    fn a_worker_that_cannot_start_is_scan_failed() {
        let error = scan_in_worker(
            Command::new("/nonexistent/ikd-scan-worker"),
            b"x",
            &ScanOptions::default(),
            &WorkerLimits::default(),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert_eq!(error.code(), "scan_failed");
    }
}
