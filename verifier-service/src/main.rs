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
use ikd_verifier_service::config::{self, Overrides};
use ikd_verifier_service::{auth, demo, server, telemetry};
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

// Under load glibc's malloc took about a seventh of the service's CPU (a verdict is many
// small strings); mimalloc serves the same allocations for less (BENCHMARKS.md).
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
            .map_err(|e| format!("cannot start the runtime: {e}"))
            .and_then(|runtime| runtime.block_on(run(args))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ikd-verifier-service: {message}");
            ExitCode::from(2)
        }
    }
}

fn new_api_key() -> Result<(), String> {
    let key = auth::new_api_key().map_err(|e| e.to_string())?;
    println!("API key (give it to the client; it is not stored):\n  {key}");
    println!(
        "For the configuration:\n  api_key_sha256 = \"{}\"",
        auth::hash_api_key_hex(&key)
    );
    Ok(())
}

fn hash_api_key() -> Result<(), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type or paste the API key, then Enter:");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let key = line.trim();
    if key.is_empty() {
        return Err("no API key on standard input".into());
    }
    println!("api_key_sha256 = \"{}\"", auth::hash_api_key_hex(key));
    Ok(())
}

fn hash_password() -> Result<(), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type or paste the staff password, then Enter:");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err("no password on standard input".into());
    }
    let hash = ikd_verifier_service::counter::password::hash_password(password)?;
    println!("password_argon2 = \"{hash}\"");
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
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
        let setup = demo::prepare(&dir, Clock::System.now())?;
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
        config::load(config_path.as_deref(), env, &overrides).map_err(|e| e.to_string())?;
    telemetry::init(&config.log_level, config.log_format)?;
    let configured = config.http.connections.max_connections;
    let cap = config.http.connections.fit_open_file_limit();
    if cap < configured {
        tracing::warn!(
            configured,
            cap,
            "the open-file limit allows fewer connections than http.max_connections"
        );
    }

    let state = server::build(&config, Clock::System)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    tracing::info!(%addr, "listening");
    if let Some(setup) = &demo {
        println!("{}", demo::instructions(setup, addr));
    }
    server::serve(listener, state, server::shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}
