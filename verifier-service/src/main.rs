//! `ikd-verifier-service`: the IKD verification service for businesses.
//!
//! ```text
//! ikd-verifier-service --demo                      # demo data in ./ikd-demo, 127.0.0.1:8080
//! ikd-verifier-service --config /etc/ikd/config.toml [--listen ADDR]
//! ikd-verifier-service new-api-key                 # a key and the hash for the config
//! ikd-verifier-service hash-password < pw.txt      # a staff password's Argon2id hash
//! ```

use clap::{Parser, Subcommand};
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::{self, ConfigError, Overrides};
use ikd_verifier_service::counter::password::HashError;
use ikd_verifier_service::demo::DemoError;
use ikd_verifier_service::error::Chain;
use ikd_verifier_service::server::StartError;
use ikd_verifier_service::telemetry::TelemetryError;
use ikd_verifier_service::{auth, demo, server, telemetry};
use std::fmt;
use std::io::{BufRead as _, IsTerminal as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

// Under load glibc's malloc took about a seventh of the service's CPU (a verdict is many
// small strings); mimalloc serves the same allocations for less (BENCHMARKS.md). It is
// built without transparent huge pages (feature `no_thp`): with them, each region it
// touched was resident in 2 MiB steps, 20 MiB more at the peak for no measured gain.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The IKD verification service: verifies IKD credentials (KTP-el, KK) for API clients.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Configuration file (TOML) [default: $IKD_CONFIG].
    #[arg(long, value_name = "PATH", conflicts_with = "demo")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Data directory: trust store, audit log; with --demo, the demo data [default for
    /// --demo: ./ikd-demo].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Create demo data on first start (reuse it later) and print how to try it.
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print a new random API key and the SHA-256 to put in the configuration.
    NewApiKey,
    /// Read an API key from standard input and print its SHA-256 for the configuration.
    HashApiKey,
    /// Read a staff password from standard input and print its Argon2id hash for a
    /// `[[staff]]` table of the configuration.
    HashPassword,
}

/// Why the binary stops: printed with its causes on standard error.
#[derive(Debug)]
enum Failure {
    Runtime(std::io::Error),
    Stdin(std::io::Error),
    NoApiKey,
    NoPassword,
    Random(ikd_sdk::KeyError),
    Hash(HashError),
    Demo(DemoError),
    Config(ConfigError),
    Telemetry(TelemetryError),
    Start(StartError),
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    LocalAddr(std::io::Error),
    Serve(std::io::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Runtime(_) => f.write_str("cannot start the runtime"),
            Failure::Stdin(_) => f.write_str("cannot read standard input"),
            Failure::NoApiKey => f.write_str("no API key on standard input"),
            Failure::NoPassword => f.write_str("no password on standard input"),
            Failure::Random(_) => f.write_str("cannot make an API key"),
            Failure::Hash(e) => e.fmt(f),
            Failure::Demo(e) => e.fmt(f),
            Failure::Config(e) => e.fmt(f),
            Failure::Telemetry(e) => e.fmt(f),
            Failure::Start(e) => e.fmt(f),
            Failure::Listen { addr, .. } => write!(f, "cannot listen on {addr}"),
            Failure::LocalAddr(_) => f.write_str("cannot read the listening address"),
            Failure::Serve(_) => f.write_str("server error"),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Failure::Runtime(e)
            | Failure::Stdin(e)
            | Failure::Listen { source: e, .. }
            | Failure::LocalAddr(e)
            | Failure::Serve(e) => Some(e),
            Failure::Random(e) => Some(e),
            Failure::NoApiKey | Failure::NoPassword => None,
            // The wrapped errors print as themselves; their chains continue below them.
            Failure::Hash(e) => e.source(),
            Failure::Demo(e) => e.source(),
            Failure::Config(e) => e.source(),
            Failure::Telemetry(e) => e.source(),
            Failure::Start(e) => e.source(),
        }
    }
}

fn main() -> ExitCode {
    // A scan worker (see `upload`) does nothing else: no configuration, no logging.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|arg| arg == ikd_sdk::scan::WORKER_ARG)
    {
        let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
        let code = ikd_sdk::scan::run_worker(&mut input, &mut output);
        return ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    let args = Args::parse();
    let outcome = match args.command {
        Some(Command::NewApiKey) => new_api_key(),
        Some(Command::HashApiKey) => hash_api_key(),
        Some(Command::HashPassword) => hash_password(),
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Failure::Runtime)
            .and_then(|runtime| runtime.block_on(run(args))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ikd-verifier-service: {}", Chain(&failure));
            ExitCode::from(2)
        }
    }
}

fn new_api_key() -> Result<(), Failure> {
    let key = auth::new_api_key().map_err(Failure::Random)?;
    println!("API key (give it to the client; it is not stored):\n  {key}");
    println!(
        "For the configuration:\n  api_key_sha256 = \"{}\"",
        auth::hash_api_key_hex(&key)
    );
    Ok(())
}

fn hash_api_key() -> Result<(), Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type or paste the API key, then Enter:");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(Failure::Stdin)?;
    let key = line.trim();
    if key.is_empty() {
        return Err(Failure::NoApiKey);
    }
    println!("api_key_sha256 = \"{}\"", auth::hash_api_key_hex(key));
    Ok(())
}

fn hash_password() -> Result<(), Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type or paste the staff password, then Enter:");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(Failure::Stdin)?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(Failure::NoPassword);
    }
    let hash =
        ikd_verifier_service::counter::password::hash_password(password).map_err(Failure::Hash)?;
    println!("password_argon2 = \"{hash}\"");
    Ok(())
}

async fn run(args: Args) -> Result<(), Failure> {
    let env = |name: &str| std::env::var(name).ok();
    let mut overrides = Overrides {
        listen: args.listen.clone(),
        data_dir: None,
    };
    let (config_path, demo) = if args.demo {
        let dir = args
            .data_dir
            .clone()
            .or_else(|| env("IKD_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(demo::DEFAULT_DIR));
        let setup = demo::prepare(&dir, Clock::System.now()).map_err(Failure::Demo)?;
        (Some(setup.config_path.clone()), Some(setup))
    } else {
        overrides.data_dir = args.data_dir.clone();
        (
            args.config
                .clone()
                .or_else(|| env("IKD_CONFIG").map(PathBuf::from)),
            None,
        )
    };
    let mut config =
        config::load(config_path.as_deref(), env, &overrides).map_err(Failure::Config)?;
    // Held to the end: dropping it writes the log lines still waiting (the last
    // request's, "stopped").
    let _log = telemetry::init(&config.log_level, config.log_format).map_err(Failure::Telemetry)?;
    let configured = config.http.connections.max_connections;
    let cap = config.http.connections.fit_open_file_limit();
    if cap < configured {
        tracing::warn!(
            configured,
            cap,
            "the open-file limit allows fewer connections than http.max_connections"
        );
    }

    let state = server::build(&config, Clock::System).map_err(Failure::Start)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Failure::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(Failure::LocalAddr)?;
    tracing::info!(%addr, "listening");
    if let Some(setup) = &demo {
        println!("{}", demo::instructions(setup, addr));
    }
    server::serve(listener, state, server::shutdown_signal())
        .await
        .map_err(Failure::Serve)
}
