//! What every command shares: the setup-error type, the clock, and file access.

use ikd_sdk::UnixTime;
use ikd_sdk::limits::MAX_QR_TEXT_LEN;
use std::fs::{self, OpenOptions};
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A usage or setup error: the command could not do its work (exit code 2).
///
/// Messages name files and fields, never the contents of a credential or a key.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }
}

/// Largest JSON file read (key files, trust stores, documents).
const MAX_JSON_FILE: u64 = 4 * 1024 * 1024;

/// The system clock, read here and passed to the SDK, which never reads it.
pub(crate) fn system_now() -> Result<UnixTime, Failure> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Failure::new("the system clock is before 1970"))?;
    i64::try_from(since_epoch.as_secs())
        .map(UnixTime)
        .map_err(|_| Failure::new("the system clock is out of range"))
}

/// `--now` if given, otherwise the system clock.
pub(crate) fn now_or_clock(now: Option<UnixTime>) -> Result<UnixTime, Failure> {
    now.map_or_else(system_now, Ok)
}

/// Parses a `--now`-style argument.
pub(crate) fn parse_time(text: &str) -> Result<UnixTime, String> {
    UnixTime::parse_rfc3339(text).ok_or_else(|| "expected YYYY-MM-DDTHH:MM:SSZ (UTC)".to_owned())
}

/// Reads a UTF-8 text file of bounded size; `what` names it in errors.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    let file = fs::File::open(path)
        .map_err(|e| Failure::new(format!("cannot open {what} {}: {e}", path.display())))?;
    let mut text = String::new();
    file.take(MAX_JSON_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if text.len() as u64 > MAX_JSON_FILE {
        return Err(Failure::new(format!(
            "{what} {} is larger than {MAX_JSON_FILE} bytes",
            path.display()
        )));
    }
    Ok(text)
}

/// Where a JSON parse failed, without the text around it (which may be personal data).
pub(crate) fn json_error_position(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "unexpected value",
        serde_json::error::Category::Eof => "unexpected end of JSON",
    };
    format!("{kind} at line {}, column {}", e.line(), e.column())
}

/// The QR text from the argument, or else from standard input (one line, its line ending
/// removed).
pub(crate) fn qr_text_input(argument: Option<String>) -> Result<String, Failure> {
    if let Some(text) = argument {
        return Ok(ikd_sdk::transport::trim_line_ending(&text).to_owned());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::new(
            "give the QR text as an argument or on standard input",
        ));
    }
    // Read a little more than any credential, so that an oversized input still reaches
    // the SDK, which rejects it with `input_too_large`.
    let mut bytes = Vec::new();
    stdin
        .lock()
        .take(MAX_QR_TEXT_LEN as u64 * 2)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(format!("cannot read standard input: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::new("standard input is not UTF-8 text"))?;
    Ok(ikd_sdk::transport::trim_line_ending(&text).to_owned())
}

/// How a new file may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Readable by others (a trust store, a QR text).
    Public,
    /// Readable by the owner only (mode 0600 on Unix): private keys.
    Private,
}

/// Writes a new file; an existing one is replaced only with `force`.
pub(crate) fn write_new(
    path: &Path,
    contents: &str,
    access: Access,
    force: bool,
) -> Result<(), Failure> {
    write_new_bytes(path, contents.as_bytes(), access, force)
}

/// Writes a new file of bytes (a picture); an existing one is replaced only with `force`.
pub(crate) fn write_new_bytes(
    path: &Path,
    contents: &[u8],
    access: Access,
    force: bool,
) -> Result<(), Failure> {
    let failed = |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", path.display()));
    if force && path.exists() {
        // Removed rather than truncated, so that a private file gets its mode afresh.
        fs::remove_file(path).map_err(failed)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::new(format!(
                "{} exists already; use --force to replace it",
                path.display()
            ))
        } else {
            failed(e)
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(failed)
}

/// Replaces a file atomically: writes a temporary file beside it, then renames it.
pub(crate) fn write_atomic(path: &Path, contents: &str) -> Result<(), Failure> {
    let mut temp = PathBuf::from(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    temp.set_file_name(format!(".{name}.{}.tmp", std::process::id()));
    write_new(&temp, contents, Access::Public, true)?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Failure::new(format!("cannot replace {}: {e}", path.display()))
    })
}
