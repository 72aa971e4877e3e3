#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

//! The service over real loopback: graceful shutdown, and the binary's demo mode.

mod common;

use common::*;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::AuditBackend;
use ikd_verifier_service::{demo, server};
use std::io::BufRead as _;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let dir = TempDir::new("shutdown");
    let data = demo_data();
    let mut config = config(dir.path(), "");
    config.listen = "127.0.0.1:0".parse().unwrap();
    std::fs::write(&config.trust_store, data.trust.to_json()).unwrap();
    let audit_path = match &config.audit.backend {
        AuditBackend::Sqlite { path } => path.clone(),
        other => panic!("the test configuration uses SQLite, not {other:?}"),
    };

    tokio::time::timeout(Duration::from_secs(20), async {
        let state = server::build(&config, Clock::Fixed(NOW)).unwrap();
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, state, async {
            let _ = stopped.await;
        }));

        // A whole request.
        let (status, body) = http_request(addr, "GET", "/healthz", &[], b"").await;
        assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));

        // A verification whose body is only half sent when the shutdown starts.
        let body = verify_body(&shown(&data, "ktp"), Some("age_check"));
        let (first, second) = body.as_bytes().split_at(body.len() / 2);
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /v1/verify HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {BANK_KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(first).await.unwrap();
        stream.flush().await.unwrap();
        // Give the accept loop time to take the connection, even on a loaded CI machine: a
        // connection still in the listen backlog when shutdown starts is not in flight.
        tokio::time::sleep(Duration::from_millis(500)).await;

        stop.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!server.is_finished(), "waits for the request in flight");

        stream.write_all(second).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let (status, body) = parse_response(&answer);
        assert_eq!(status, 200, "{body}");
        let json = json(body.as_bytes());
        assert_eq!(
            (json["verdict"].as_str(), json["age_over_17"].as_bool()),
            (Some("valid"), Some(true))
        );

        server.await.unwrap().unwrap();
        // Stopped: nothing listens any more.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    })
    .await
    .unwrap();

    // The audit row of the request in flight was written before the service stopped.
    let rows: i64 = rusqlite::Connection::open(&audit_path)
        .unwrap()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn demo_data_is_created_once_and_reused() {
    let dir = TempDir::new("demo-prepare");
    let demo_dir = dir.path().join("demo");
    let first = demo::prepare(&demo_dir, ISSUED).unwrap();
    assert!(first.created);
    let key = first.api_key.clone().unwrap();
    for file in [
        "config.toml",
        "api-key.txt",
        "trust.json",
        "ktp.qr.txt",
        "kk-4.qr.txt",
        "kk-8.qr.txt",
        "kk-4.request.json",
        "kk-4.domicile.request.json",
        "README.txt",
    ] {
        assert!(demo_dir.join(file).is_file(), "{file}");
    }
    let config_text = std::fs::read_to_string(&first.config_path).unwrap();
    assert!(
        !config_text.contains(&key),
        "the configuration holds only the key's hash"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for secret in ["config.toml", "api-key.txt"] {
            let mode = std::fs::metadata(demo_dir.join(secret))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{secret}");
        }
    }

    let second = demo::prepare(&demo_dir, NOW).unwrap();
    assert!(!second.created);
    assert_eq!(second.api_key.as_deref(), Some(key.as_str()));
    assert_eq!(
        std::fs::read_to_string(&second.config_path).unwrap(),
        config_text
    );

    let text = demo::instructions(&second, "0.0.0.0:8080".parse().unwrap());
    assert!(text.contains("http://127.0.0.1:8080/v1/verify"), "{text}");
    assert!(
        text.contains(&format!("'Authorization: Bearer {key}'")),
        "{text}"
    );
    assert!(text.contains("kk-4.request.json'"), "{text}");
    assert!(text.contains("reused"), "{text}");
}

/// Reads the child's standard output on a thread, so the test can wait with a limit.
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Starts the binary in demo mode, reads its instructions, runs the curl line's request
/// by hand, and stops it with SIGTERM.
/// With `log`, the binary logs at `info` into that file; otherwise at `warn`, nowhere.
fn run_demo_binary(demo_dir: &std::path::Path, log: Option<&std::path::Path>) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ikd-verifier-service"));
    command
        .args(["--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(demo_dir)
        .stdout(std::process::Stdio::piped());
    match log {
        Some(path) => command
            .env("IKD_LOG", "info")
            .stderr(std::fs::File::create(path).unwrap()),
        None => command
            .env("IKD_LOG", "warn")
            .stderr(std::process::Stdio::null()),
    };
    let mut child = command.spawn().unwrap();
    let lines = lines_of(&mut child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut printed = Vec::new();
    while !printed.iter().any(|l: &String| l.starts_with("Stop with")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => printed.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("no instructions in time: {printed:?}");
            }
        }
    }
    let printed = printed.join("\n");
    let created = printed.contains("created now");
    let addr: std::net::SocketAddr = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("listening:"))
        .and_then(|l| l.trim().strip_prefix("http://"))
        .unwrap()
        .parse()
        .unwrap();
    let curl = printed
        .lines()
        .find(|l| l.trim_start().starts_with("curl"))
        .unwrap();
    let key = curl
        .split("Bearer ")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let request_file = curl
        .split("'@")
        .nth(1)
        .unwrap()
        .trim_end_matches('\'')
        .to_owned();
    let body = std::fs::read(&request_file).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, answer) = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(10),
            http_request(
                addr,
                "POST",
                "/v1/verify",
                &[
                    ("Authorization", &format!("Bearer {key}")),
                    ("Content-Type", "application/json"),
                ],
                &body,
            ),
        )
        .await
        .unwrap()
    });
    assert_eq!(status, 200, "{answer}");
    let answer = json(answer.as_bytes());
    assert_eq!(answer["verdict"], "valid");
    assert_eq!(answer["document"]["kepala_keluarga"], "AGUS SETIAWAN");

    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the service did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    (created, key)
}

#[cfg(unix)]
#[test]
fn the_binary_runs_the_demo_and_stops_on_sigterm() {
    let dir = TempDir::new("demo-binary");
    let demo_dir = dir.path().join("ikd-demo");
    let (created, key) = run_demo_binary(&demo_dir, None);
    assert!(created);
    let (created_again, key_again) = run_demo_binary(&demo_dir, None);
    assert!(!created_again, "the second start reuses the data");
    assert_eq!(key, key_again);
    let rows: i64 = rusqlite::Connection::open(demo_dir.join("audit.sqlite3"))
        .unwrap()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}

/// The log thread writes in batches: what it holds at SIGTERM, up to the last line, is in
/// the log when the process has stopped.
#[cfg(unix)]
#[test]
fn the_last_log_lines_are_written_at_shutdown() {
    let dir = TempDir::new("demo-log");
    let log = dir.path().join("service.log");
    run_demo_binary(&dir.path().join("ikd-demo"), Some(&log));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let access = lines
        .iter()
        .position(|l| {
            l.contains("ikd_verifier_service::access")
                && l.contains("route=/v1/verify")
                && l.contains("status=200")
                && l.contains("verdict=valid")
        })
        .unwrap_or_else(|| panic!("no access line for the verification:\n{text}"));
    let sigterm = lines
        .iter()
        .position(|l| l.contains("SIGTERM: shutting down"))
        .unwrap();
    assert!(access < sigterm, "{text}");
    assert!(
        lines.last().is_some_and(|l| l.ends_with("stopped")),
        "the last line is the last thing logged:\n{text}"
    );
    // Nothing of the credential: no QR text, no name.
    assert!(!text.contains("IKD1:"), "{text}");
    assert!(!text.contains("AGUS SETIAWAN"), "{text}");
}

#[tokio::test]
async fn the_demo_verifies_against_a_signed_trust_list_it_keeps_fresh() {
    let dir = TempDir::new("demo-signed");
    let demo_dir = dir.path().join("demo");
    let first = demo::prepare(&demo_dir, ISSUED).unwrap();
    for file in [
        "anchors.json",
        "demo-root.key",
        "trust-cache/trust-list.cwt",
    ] {
        assert!(demo_dir.join(file).is_file(), "{file}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(demo_dir.join("demo-root.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the root key is private");
    }
    let config_text = std::fs::read_to_string(&first.config_path).unwrap();
    assert!(
        config_text.contains("anchors = \"anchors.json\""),
        "{config_text}"
    );
    assert!(!config_text.contains("trust_store"), "{config_text}");

    // Ten days later a reused demo signs list 2, so it is fresh again.
    let later = ikd_sdk::UnixTime(ISSUED.0 + 10 * 86_400);
    for (now, sequence) in [(ISSUED, 1), (later, 2)] {
        let setup = demo::prepare(&demo_dir, now).unwrap();
        let config = ikd_verifier_service::config::load(
            Some(&setup.config_path),
            |_| None,
            &Default::default(),
        )
        .unwrap();
        let state = server::build(&config, Clock::Fixed(now)).unwrap();
        let ready = send(&app_for(&state), get("/readyz", None)).await;
        assert_eq!(ready.0, axum::http::StatusCode::OK);
        let ready = json(&ready.2);
        assert_eq!(ready["trust_signed"], true);
        assert_eq!(ready["trust_list_sequence"], sequence);
        assert_eq!(ready["trust_list_freshness"], "fresh");
        let kk = std::fs::read_to_string(demo_dir.join("kk-4.qr.txt")).unwrap();
        let answer = send(
            &app_for(&state),
            verify_request(
                Some(setup.api_key.as_deref().unwrap()),
                verify_body(kk.trim(), Some("kyc")),
            ),
        )
        .await;
        let verdict = json(&answer.2);
        assert_eq!(verdict["verdict"], "valid", "{verdict}");
        assert_eq!(verdict["trust_data"]["sequence"], sequence);
        state.audit.close().await;
    }
}
