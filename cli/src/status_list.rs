//! `ikd status-list issue`: sign a Token Status List (draft-ietf-oauth-status-list) with an
//! issuer key, new or starting from an earlier token.

use crate::keyfile::KeyFile;
use crate::util::{Failure, now_or_clock, parse_time};
use ikd_sdk::limits::MAX_STATUS_LIST_TOKEN_BYTES;
use ikd_sdk::status_list::{
    INVALID, SUSPENDED, StatusListClaims, StatusListIssue, VALID, sign_status_list,
};
use ikd_sdk::store;
use ikd_sdk::{StatusList, UnixTime};
use std::path::PathBuf;
use std::process::ExitCode;

/// Default entries of a new list: 2^20, as in the draft's examples.
const DEFAULT_SIZE: u64 = 1 << 20;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Sign a status list: all valid, or an earlier list with changes.
    Issue(IssueArgs),
}

#[derive(clap::Args)]
pub(crate) struct IssueArgs {
    /// The issuer key file that signs it.
    #[arg(long, value_name = "KEY_FILE")]
    key: PathBuf,
    /// The list's URI: credentials name it in their status claim (--status-uri of `ikd
    /// issue`). Taken from --from when absent.
    #[arg(long, value_name = "URI")]
    uri: Option<String>,
    /// Start from this earlier token of the list (its entries, bits and URI).
    #[arg(long, value_name = "FILE.cwt")]
    from: Option<PathBuf>,
    /// Entries of a new list [default: 1048576].
    #[arg(long, value_name = "N", conflicts_with = "from")]
    size: Option<u64>,
    /// Bits per entry of a new list: 1 (valid/revoked) or 2 (also suspended).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2), conflicts_with = "from")]
    bits: u8,
    /// Indices to mark revoked (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "I,J,…")]
    revoke: Vec<u64>,
    /// Indices to mark suspended (2-bit lists).
    #[arg(long, value_delimiter = ',', value_name = "I,J,…")]
    suspend: Vec<u64>,
    /// Indices to mark valid again.
    #[arg(long, value_delimiter = ',', value_name = "I,J,…")]
    clear: Vec<u64>,
    /// Hours until the token expires (`exp`) [default: 168].
    #[arg(long, default_value_t = 168, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=87_600))]
    valid_hours: u32,
    /// Hours a verifier may cache it before fetching again (`ttl`) [default: 12].
    #[arg(long, default_value_t = 12, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=87_600))]
    ttl_hours: u32,
    /// The issue time [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
    /// Where to write the token (replaced atomically if it exists).
    #[arg(long, value_name = "FILE.cwt")]
    out: PathBuf,
}

pub(crate) fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Issue(args) => issue(&args),
    }
}

fn issue(args: &IssueArgs) -> Result<ExitCode, Failure> {
    let key = KeyFile::read(&args.key)?;
    let (mut list, earlier_uri) = match &args.from {
        Some(path) => {
            let bytes = match store::read_bounded(path, MAX_STATUS_LIST_TOKEN_BYTES as u64) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => {
                    return Err(Failure::new(format!("{} does not exist", path.display())));
                }
                Err(e) => return Err(Failure::new(format!("{}: {e}", path.display()))),
            };
            // The issuer's own earlier token: its entries are taken as they are.
            let claims = StatusListClaims::decode_unverified(&bytes)
                .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
            (claims.list, Some(claims.uri))
        }
        None => (
            StatusList::new(args.bits, args.size.unwrap_or(DEFAULT_SIZE))
                .map_err(|e| Failure::new(format!("--size: {e}")))?,
            None,
        ),
    };
    let uri = args
        .uri
        .clone()
        .or(earlier_uri)
        .ok_or_else(|| Failure::new("give --uri (or --from an earlier token)"))?;
    let changes = [
        (&args.revoke, INVALID),
        (&args.suspend, SUSPENDED),
        (&args.clear, VALID),
    ];
    for (indices, status) in changes {
        for &index in indices {
            list.set(index, status).map_err(|_| {
                Failure::new(format!(
                    "index {index} cannot take status {status} in a list of {} entries of {} bit(s)",
                    list.len(),
                    list.bits()
                ))
            })?;
        }
    }
    let now = now_or_clock(args.now)?;
    let issue = StatusListIssue {
        issuer: &key.issuer,
        uri: &uri,
        issued_at: now,
        expires_at: Some(UnixTime(
            now.0.saturating_add(i64::from(args.valid_hours) * 3600),
        )),
        ttl_seconds: Some(u64::from(args.ttl_hours) * 3600),
    };
    let token = sign_status_list(&key.key, &issue, &list)
        .map_err(|e| Failure::new(format!("not issued: {e}")))?;
    let (dir, name) = match (args.out.parent(), args.out.file_name()) {
        (Some(dir), Some(name)) => (
            if dir.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                dir
            },
            name.to_string_lossy().into_owned(),
        ),
        _ => return Err(Failure::new("--out must name a file")),
    };
    store::write_atomic(dir, &name, &token)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", args.out.display())))?;
    eprintln!(
        "Wrote status list {uri} ({} entries of {} bit(s), {} bytes) to {}.",
        list.len(),
        list.bits(),
        token.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
