//! Structured logs with `tracing`, to standard error.
//!
//! The service logs route templates, status codes, client identifiers, purposes,
//! verdicts, reason codes and latencies. It never logs a QR text, a request body, a
//! header, a URI or any document field (UU 27/2022).

use crate::config::LogFormat;
use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber with filter `level` (`info`, `debug`, or an
/// `EnvFilter` directive such as `info,ikd_verifier_service=debug`).
pub fn init(level: &str, format: LogFormat) -> Result<(), String> {
    let filter =
        EnvFilter::try_new(level).map_err(|_| format!("log level {level:?} is not valid"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|e| format!("cannot install the logger: {e}"))
}
