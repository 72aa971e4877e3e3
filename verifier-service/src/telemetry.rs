//! Structured logs with `tracing`, to standard error.
//!
//! The service logs route templates, status codes, client identifiers, purposes,
//! verdicts, reason codes and latencies. It never logs a QR text, a request body, a
//! header, a URI or any document field (UU 27/2022).

use crate::config::LogFormat;
use std::fmt;
use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// Why the logger could not be installed.
#[derive(Debug)]
#[non_exhaustive]
pub enum TelemetryError {
    /// `log.level` is not a filter directive.
    Level {
        /// The configured level.
        level: String,
        /// The filter's parse error.
        source: tracing_subscriber::filter::ParseError,
    },
    /// A global subscriber is installed already.
    Install(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for TelemetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TelemetryError::Level { level, .. } => write!(f, "log level {level:?} is not valid"),
            TelemetryError::Install(_) => f.write_str("cannot install the logger"),
        }
    }
}

impl std::error::Error for TelemetryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TelemetryError::Level { source, .. } => Some(source),
            TelemetryError::Install(source) => Some(&**source),
        }
    }
}

/// Installs the global subscriber with filter `level` (`info`, `debug`, or an
/// `EnvFilter` directive such as `info,ikd_verifier_service=debug`).
pub fn init(level: &str, format: LogFormat) -> Result<(), TelemetryError> {
    let filter = EnvFilter::try_new(level).map_err(|source| TelemetryError::Level {
        level: level.to_owned(),
        source,
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(TelemetryError::Install)
}
