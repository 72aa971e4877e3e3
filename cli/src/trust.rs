//! `ikd trust`: pinned roots, publishing signed trust data, serving it, syncing it, and
//! carrying it by file (a trust bundle) where there is no network.

use crate::keyfile::KeyFile;
use crate::util::{Access, Failure, now_or_clock, parse_time, read_text, write_new_bytes};
use crate::{EXIT_REJECTED, keygen};
use ikd_sdk::limits::{MAX_STATUS_LIST_TOKEN_BYTES, MAX_TRUST_BUNDLE_BYTES, MAX_TRUST_LIST_BYTES};
use ikd_sdk::store::{self, Installed, STATUS_DIR, TRUST_LIST_FILE, TrustCache};
use ikd_sdk::sync::{Outcome, SyncClient, SyncConfig};
use ikd_sdk::trust_bundle::BundleCode;
use ikd_sdk::trust_list::{RootKey, StatusListRef, is_status_file_name};
use ikd_sdk::{
    IssuerPublicKey, Policy, StatusListToken, TrustAnchors, TrustBundle, TrustList, TrustStore,
    UnixTime, VerifiedTrustList, encoding,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Default time from a trust list's issue to its next update: 7 days.
const DEFAULT_NEXT_UPDATE_HOURS: u32 = 7 * 24;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Print the trust-anchor configuration (pinned root keys) for root key files.
    Anchors(AnchorsArgs),
    /// Sign a trust list with a root key and write it, with status lists, to a folder that
    /// any static web server can serve.
    Publish(PublishArgs),
    /// Serve a published folder over HTTP, with ETags (for demos and tests).
    Serve(ServeArgs),
    /// Fetch the trust list and status lists from a base URL into a local cache.
    Sync(SyncArgs),
    /// Show what a local cache holds and how fresh it is.
    Show(ShowArgs),
    /// Write a trust bundle: one file with a signed trust list and its status lists, to
    /// carry trust data where there is no network (each part keeps its own signature).
    Bundle(BundleArgs),
    /// Verify a trust bundle and install it into a local cache, under the same rollback
    /// and freshness rules as `trust sync`.
    Import(ImportArgs),
}

#[derive(clap::Args)]
pub(crate) struct BundleArgs {
    /// A published folder (`ikd trust publish --out`): its trust-list.cwt and every status
    /// list it names under status/.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["trust_list", "status_lists"])]
    from: Option<PathBuf>,
    /// The signed trust list (instead of --from).
    #[arg(long, value_name = "trust-list.cwt", required_unless_present = "from")]
    trust_list: Option<PathBuf>,
    /// A signed status list token (repeatable; with --trust-list).
    #[arg(long = "status-list", value_name = "FILE.cwt")]
    status_lists: Vec<PathBuf>,
    /// The pinned root keys (`ikd trust anchors` output): the bundle is verified with them
    /// before it is written.
    #[arg(long, value_name = "ANCHORS.json")]
    roots: PathBuf,
    /// The bundle file to write.
    #[arg(long, value_name = "FILE.ikdb")]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    /// The trust bundle file.
    file: PathBuf,
    #[command(flatten)]
    cache: CacheArgs,
    /// The time to check freshness at [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

#[derive(clap::Args)]
pub(crate) struct AnchorsArgs {
    /// Root key files (`ikd keygen` format); only their public keys are printed.
    #[arg(long = "key", value_name = "KEY_FILE", required = true)]
    keys: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct PublishArgs {
    /// The root key file that signs the list.
    #[arg(long, value_name = "KEY_FILE")]
    root_key: PathBuf,
    /// The issuer keys to publish: a trust store (JSON form; `status` and `region_code` of
    /// each key are optional).
    #[arg(long, value_name = "TRUST.json")]
    trust: PathBuf,
    /// The folder to write (created if absent): trust-list.cwt and status/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The sequence number [default: one more than the list already in --out, or 1].
    #[arg(long, value_name = "N")]
    sequence: Option<u64>,
    /// Hours until the next list is due [default: 168].
    #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=87_600))]
    next_update_hours: Option<u32>,
    /// A signed status list token to publish (repeatable); its `sub` is its URI.
    #[arg(long = "status-list", value_name = "FILE.cwt")]
    status_lists: Vec<PathBuf>,
    /// A root public key (64 hex digits) that will sign later lists (repeatable).
    #[arg(long = "successor-root", value_name = "HEX")]
    successor_roots: Vec<String>,
    /// The issue time [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The published folder.
    dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: String,
}

#[derive(clap::Args)]
pub(crate) struct CacheArgs {
    /// The cache folder (created if absent).
    #[arg(long, value_name = "DIR")]
    pub(crate) cache: PathBuf,
    /// The pinned root keys (`ikd trust anchors` output).
    #[arg(long, value_name = "ANCHORS.json")]
    pub(crate) roots: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct SyncArgs {
    /// The base URL of the published folder.
    url: String,
    #[command(flatten)]
    cache: CacheArgs,
    /// Time limit of one request, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    /// Retries of a failed request.
    #[arg(long, default_value_t = 3, value_name = "N")]
    retries: u32,
    /// The time to check freshness at [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

#[derive(clap::Args)]
pub(crate) struct ShowArgs {
    #[command(flatten)]
    cache: CacheArgs,
    /// The time to compute ages at [default: the system clock].
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    now: Option<UnixTime>,
}

pub(crate) fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Anchors(args) => anchors(&args),
        Command::Publish(args) => publish(&args),
        Command::Serve(args) => crate::serve::run(&args.dir, &args.listen),
        Command::Sync(args) => sync(&args),
        Command::Show(args) => show(&args),
        Command::Bundle(args) => bundle(&args),
        Command::Import(args) => import(&args),
    }
}

fn anchors(args: &AnchorsArgs) -> Result<ExitCode, Failure> {
    let mut anchors = TrustAnchors::new();
    for path in &args.keys {
        let key = KeyFile::read(path)?;
        anchors.add(RootKey {
            name: key.name,
            key: key.key.public_key(),
        });
    }
    println!("{}", anchors.to_json());
    Ok(ExitCode::SUCCESS)
}

/// Reads the pinned roots.
pub(crate) fn read_anchors(path: &Path) -> Result<TrustAnchors, Failure> {
    let text = read_text(path, "trust anchors")?;
    TrustAnchors::from_json(&text).map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

/// Opens a cache, telling on standard error what could not be loaded.
pub(crate) fn open_cache(
    args: &CacheArgs,
    policy: Policy,
    now: UnixTime,
) -> Result<TrustCache, Failure> {
    let anchors = read_anchors(&args.roots)?;
    let cache = TrustCache::open(&args.cache, anchors, policy, now).map_err(|e| {
        // The I/O error behind a cache that cannot be opened is the error's source.
        let mut message = format!("cache {}: {e}", args.cache.display());
        let mut next = std::error::Error::source(&e);
        while let Some(cause) = next {
            message.push_str(&format!(": {cause}"));
            next = cause.source();
        }
        Failure::new(message)
    })?;
    for problem in cache.problems() {
        eprintln!("ikd: cache {}: {problem}", args.cache.display());
    }
    Ok(cache)
}

fn read_bytes(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, Failure> {
    match store::read_bounded(path, limit as u64) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(Failure::new(format!(
            "{what} {} does not exist",
            path.display()
        ))),
        Err(e) => Err(Failure::new(format!("{what} {}: {e}", path.display()))),
    }
}

fn publish(args: &PublishArgs) -> Result<ExitCode, Failure> {
    let root = KeyFile::read(&args.root_key)?;
    let issuers = keygen::load_or_new_trust_store(&args.trust)?;
    if issuers.is_empty() {
        return Err(Failure::new(format!(
            "trust store {} holds no key",
            args.trust.display()
        )));
    }
    let now = now_or_clock(args.now)?;
    let status_dir = args.out.join(STATUS_DIR);
    std::fs::create_dir_all(&status_dir)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", status_dir.display())))?;

    let sequence = match args.sequence {
        Some(n) => n,
        None => {
            let previous = store::read_bounded(
                &args.out.join(TRUST_LIST_FILE),
                ikd_sdk::limits::MAX_TRUST_LIST_BYTES as u64,
            )
            .ok()
            .flatten()
            .and_then(|bytes| VerifiedTrustList::verify(&bytes, &[root.key.public_key()]).ok());
            previous.map_or(1, |list| list.list().sequence.saturating_add(1))
        }
    };

    // Each status list must verify against the keys being published.
    let mut published: Vec<(StatusListRef, Vec<u8>)> = Vec::new();
    for path in &args.status_lists {
        let bytes = read_bytes(path, MAX_STATUS_LIST_TOKEN_BYTES, "status list")?;
        let token = StatusListToken::verify(&bytes, &issuers)
            .map_err(|e| Failure::new(format!("status list {}: {e}", path.display())))?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| is_status_file_name(n))
            .ok_or_else(|| {
                Failure::new(format!(
                    "status list {}: its file name must be 1 to 64 characters of A-Z a-z 0-9 . _ -",
                    path.display()
                ))
            })?;
        published.push((
            StatusListRef {
                uri: token.uri().to_owned(),
                file,
                issuer: token.issuer().to_owned(),
            },
            bytes,
        ));
    }
    let successor_roots = args
        .successor_roots
        .iter()
        .map(|hex| {
            encoding::hex_decode(hex)
                .and_then(|raw| IssuerPublicKey::from_bytes(&raw).ok())
                .ok_or_else(|| Failure::new("--successor-root must be a 64-digit hex public key"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let hours = i64::from(args.next_update_hours.unwrap_or(DEFAULT_NEXT_UPDATE_HOURS));
    let list = TrustList {
        sequence,
        issued_at: now,
        next_update: UnixTime(now.0.saturating_add(hours * 3600)),
        entries: issuers.entries().cloned().collect(),
        status_lists: published.iter().map(|(r, _)| r.clone()).collect(),
        successor_roots,
    };
    let signed = list
        .sign(&root.key)
        .map_err(|e| Failure::new(format!("not published: {e}")))?;
    for (reference, bytes) in &published {
        store::write_atomic(&status_dir, &reference.file, bytes)
            .map_err(|e| Failure::new(format!("cannot write {}: {e}", status_dir.display())))?;
    }
    // The list last, so a server never names a status list it does not have yet.
    store::write_atomic(&args.out, TRUST_LIST_FILE, &signed)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", args.out.display())))?;
    eprintln!(
        "Published trust list {sequence} ({} key(s), {} status list(s)), next update {}, to {}.",
        list.entries.len(),
        list.status_lists.len(),
        list.next_update,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn sync(args: &SyncArgs) -> Result<ExitCode, Failure> {
    let now = now_or_clock(args.now)?;
    let cache = open_cache(&args.cache, Policy::default(), now)?;
    let mut config = SyncConfig::new(args.url.clone());
    config.request_timeout = Duration::from_secs(args.timeout.max(1));
    config.retries = args.retries;
    let client = SyncClient::new(config).map_err(|e| Failure::new(format!("{}: {e}", args.url)))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start the HTTP client: {e}")))?;
    let report = runtime.block_on(client.sync(&cache, now));
    println!("{TRUST_LIST_FILE}: {}", report.trust_list);
    for (uri, outcome) in &report.status_lists {
        println!("status list {uri}: {outcome}");
    }
    print!("{}", describe(&cache.store(), &cache, now));
    Ok(if report.is_complete() {
        ExitCode::SUCCESS
    } else {
        if report.trust_list == Outcome::NotModified || cache.store().trust_list().is_some() {
            eprintln!("ikd: some files did not sync; the cache keeps its last good data");
        }
        ExitCode::from(EXIT_REJECTED)
    })
}

fn bundle(args: &BundleArgs) -> Result<ExitCode, Failure> {
    let anchors = read_anchors(&args.roots)?;
    let roots: Vec<IssuerPublicKey> = anchors.roots().iter().map(|r| r.key).collect();
    let not_written = |e: &dyn std::fmt::Display| Failure::new(format!("bundle not written: {e}"));
    let (list_path, token_paths) = match (&args.from, &args.trust_list) {
        (Some(dir), _) => (dir.join(TRUST_LIST_FILE), None),
        (None, Some(path)) => (path.clone(), Some(args.status_lists.clone())),
        (None, None) => return Err(Failure::new("give --from DIR or --trust-list FILE")),
    };
    let list_bytes = read_bytes(&list_path, MAX_TRUST_LIST_BYTES, "trust list")?;
    let list = VerifiedTrustList::verify(&list_bytes, &roots)
        .map_err(|e| Failure::new(format!("trust list {}: {e}", list_path.display())))?;
    let token_paths = match (token_paths, &args.from) {
        (Some(paths), _) => paths,
        // A published folder: the tokens the list names, where they are present.
        (None, Some(dir)) => list
            .list()
            .status_lists
            .iter()
            .map(|r| dir.join(STATUS_DIR).join(&r.file))
            .filter(|path| path.exists())
            .collect(),
        (None, None) => Vec::new(),
    };
    let mut bundle = TrustBundle::new(list_bytes).map_err(|e| not_written(&e))?;
    for path in &token_paths {
        let bytes = read_bytes(path, MAX_STATUS_LIST_TOKEN_BYTES, "status list")?;
        bundle
            .add_status_list(bytes)
            .map_err(|e| Failure::new(format!("status list {}: {e}", path.display())))?;
    }
    // Checked as an importer will check it, so that a wrong file is caught here and not
    // at a counter without a network.
    let verified = bundle.verify(&roots).map_err(|e| not_written(&e))?;
    let mut missing = Vec::new();
    for (uri, outcome) in verified.status_lists() {
        match outcome {
            Ok(()) => {}
            Err(code) if *code != BundleCode::StatusListMissing => {
                return Err(not_written(&format!("status list {uri}: {code}")));
            }
            Err(_) => missing.push(uri.clone()),
        }
    }
    let bytes = bundle.to_bytes();
    write_new_bytes(&args.out, &bytes, Access::Public, args.force)?;
    let info = verified.trust_list().list();
    eprintln!(
        "Wrote {} ({} bytes): trust list {} issued {}, {} of {} status list(s).",
        args.out.display(),
        bytes.len(),
        info.sequence,
        info.issued_at,
        bundle.status_lists().len(),
        info.status_lists.len()
    );
    for uri in missing {
        eprintln!("ikd: warning: the bundle lacks status list {uri}; importers keep theirs");
    }
    Ok(ExitCode::SUCCESS)
}

fn import(args: &ImportArgs) -> Result<ExitCode, Failure> {
    let now = now_or_clock(args.now)?;
    let bytes = read_bytes(&args.file, MAX_TRUST_BUNDLE_BYTES, "trust bundle")?;
    let cache = open_cache(&args.cache, Policy::default(), now)?;
    let report = match cache.import_bundle(&bytes, now) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("ikd: trust bundle {} refused: {e}", args.file.display());
            eprintln!("ikd: {}", e.code().en());
            print!("{}", describe(&cache.store(), &cache, now));
            return Ok(ExitCode::from(EXIT_REJECTED));
        }
    };
    let installed = |i: &Installed| match i {
        Installed::Updated => "updated",
        Installed::Unchanged => "unchanged",
    };
    println!("{TRUST_LIST_FILE}: {}", installed(&report.trust_list));
    for (uri, outcome) in &report.status_lists {
        match outcome {
            Ok(i) => println!("status list {uri}: {}", installed(i)),
            Err(e) => println!("status list {uri}: {e}"),
        }
    }
    print!("{}", describe(&cache.store(), &cache, now));
    Ok(if report.is_complete() {
        ExitCode::SUCCESS
    } else {
        eprintln!("ikd: the bundle was imported in part; the cache keeps its last good copies");
        ExitCode::from(EXIT_REJECTED)
    })
}

fn show(args: &ShowArgs) -> Result<ExitCode, Failure> {
    let now = now_or_clock(args.now)?;
    let cache = open_cache(&args.cache, Policy::default(), now)?;
    print!("{}", describe(&cache.store(), &cache, now));
    Ok(if cache.store().trust_list().is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}

fn hours(seconds: i64) -> String {
    format!("{:.1} h", seconds as f64 / 3600.0)
}

/// What the cache holds, for people.
fn describe(store: &TrustStore, cache: &TrustCache, now: UnixTime) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let Some(info) = store.trust_list() else {
        let _ = writeln!(out, "The cache holds no trust list.");
        return out;
    };
    let _ = writeln!(
        out,
        "Trust list {}: issued {} ({} old), next update {}, {} key(s), root {}",
        info.sequence,
        info.issued_at,
        hours(now.0.saturating_sub(info.issued_at.0)),
        info.next_update,
        store.len(),
        info.root_kid
    );
    let refs = cache.status_list_refs();
    let held = refs
        .iter()
        .filter(|r| store.status_list(&r.uri).is_some())
        .count();
    let _ = writeln!(out, "Status lists: {held} of {} held", refs.len());
    for token in store.status_lists() {
        let _ = writeln!(
            out,
            "  {}: {} entries of {} bit(s), issued {} ({} old){}",
            token.uri(),
            token.list().len(),
            token.list().bits(),
            token.issued_at(),
            hours(now.0.saturating_sub(token.issued_at().0)),
            token
                .expires_at()
                .map_or(String::new(), |exp| format!(", expires {exp}"))
        );
    }
    out
}
