#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

//! The accept loop under hostile connections, over real loopback: half-sent request heads
//! (slowloris), the connection cap, the header-read timeout, a bounded shutdown, and
//! HTTP/2 only when configured.

mod common;

use common::*;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::server;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A request head that never ends: what a slowloris client sends, and then waits.
const HALF_HEAD: &[u8] =
    b"POST /v1/verify HTTP/1.1\r\nHost: ikd\r\nContent-Type: application/json\r\n";

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    _dir: TempDir,
}

/// The service in this process on a loopback port, with `http` settings added.
async fn start(name: &str, http: &str) -> Running {
    let dir = TempDir::new(name);
    let data = demo_data();
    let mut config = config(dir.path(), &format!("[http]\n{http}\n"));
    config.listen = "127.0.0.1:0".parse().unwrap();
    std::fs::write(&config.trust_store, data.trust.to_json()).unwrap();
    let state = server::build(&config, Clock::Fixed(NOW)).unwrap();
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        task,
        _dir: dir,
    }
}

/// Whether the server closes `stream` within `within` (reads end of stream or a reset).
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 512];
    matches!(
        tokio::time::timeout(within, async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await,
        Ok(())
    )
}

async fn half_open(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(HALF_HEAD).await.unwrap();
    stream
}

/// A POST whose body never completes: the request is running when the test looks.
async fn busy(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: ikd\r\nAuthorization: Bearer {BANK_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"qr\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_head_and_an_idle_connection_are_closed_after_the_header_timeout() {
    let service = start("header-timeout", "header_read_timeout_ms = 300").await;
    let mut half = half_open(service.addr).await;
    let mut idle = TcpStream::connect(service.addr).await.unwrap();
    let started = Instant::now();
    assert!(closed_by_server(&mut half, Duration::from_secs(5)).await);
    assert!(closed_by_server(&mut idle, Duration::from_secs(5)).await);
    assert!(started.elapsed() >= Duration::from_millis(250));

    // A keep-alive connection that goes quiet after its answer is closed the same way.
    let mut keep_alive = TcpStream::connect(service.addr).await.unwrap();
    keep_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: ikd\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 256];
    let n = keep_alive.read(&mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
    assert!(closed_by_server(&mut keep_alive, Duration::from_secs(5)).await);

    service.stop.send(()).unwrap();
    service.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_the_longest_waiting_idle_connection_makes_room() {
    let service = start(
        "cap-evicts",
        "max_connections = 16\nheader_read_timeout_ms = 60000",
    )
    .await;
    let mut attackers = Vec::new();
    for _ in 0..16 {
        attackers.push(half_open(service.addr).await);
        // Distinct waiting times, so that the oldest is well defined.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (status, body) = http_request(service.addr, "GET", "/healthz", &[], b"").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    // The first (longest waiting) was closed for it; the newest is still open.
    assert!(closed_by_server(&mut attackers[0], Duration::from_secs(2)).await);
    assert!(!closed_by_server(&mut attackers[15], Duration::from_millis(200)).await);

    service.stop.send(()).unwrap();
    service.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_with_every_connection_busy_a_newcomer_gets_503_too_many_connections() {
    let service = start(
        "cap-refuses",
        "max_connections = 16\nrequest_timeout_ms = 30000\nshutdown_grace_ms = 200",
    )
    .await;
    let mut running = Vec::new();
    for _ in 0..16 {
        running.push(busy(service.addr).await);
    }
    // Let the service read every head, so that all 16 requests are running.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut stream = TcpStream::connect(service.addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(text.contains("retry-after: 1"), "{text}");
    assert!(
        text.contains("content-type: application/problem+json"),
        "{text}"
    );
    let (status, body) = parse_response(&answer);
    assert_eq!(status, 503, "{body}");
    assert_eq!(json(body.as_bytes())["code"], "too_many_connections");

    service.stop.send(()).unwrap();
    service.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_at_most_the_grace_period_for_connections_that_never_finish() {
    let service = start(
        "bounded-shutdown",
        "shutdown_grace_ms = 500\nheader_read_timeout_ms = 60000\nrequest_timeout_ms = 60000",
    )
    .await;
    let _half = half_open(service.addr).await;
    let _busy = busy(service.addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    service.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), service.task)
        .await
        .expect("shutdown is bounded")
        .unwrap()
        .unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "{took:?}");
}

/// The HTTP/2 client preface followed by an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

async fn answer_to_h2_preface(addr: SocketAddr) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(H2_PREFACE).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap_or(0);
    answer.truncate(n);
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_over_cleartext_is_served_only_when_configured() {
    let http1 = start("h2c-off", "").await;
    let answer = answer_to_h2_preface(http1.addr).await;
    // No HTTP/2 SETTINGS frame (type 4): an HTTP/1.1 error, or the connection closed.
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 4"),
        "{answer:?}"
    );
    http1.stop.send(()).unwrap();
    http1.task.await.unwrap().unwrap();

    let h2c = start("h2c-on", "h2c = true").await;
    let answer = answer_to_h2_preface(h2c.addr).await;
    assert_eq!(answer.get(3), Some(&4u8), "a SETTINGS frame: {answer:?}");
    h2c.stop.send(()).unwrap();
    h2c.task.await.unwrap().unwrap();
}

/// Connections per attack: twice a common 1024 open-file limit.
const SLOWLORIS_CONNECTIONS: usize = 2000;
/// Requests the legitimate client sends, before and during the attack.
const LEGITIMATE_REQUESTS: usize = 20;

async fn timed_healthz(addr: SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(3), async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: ikd\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        Some(answer)
    })
    .await
    .ok()??;
    (parse_response(&answer).0 == 200).then(|| started.elapsed())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The service binary, started with an open-file limit of 1024 (as many hosts have), while
/// 2000 connections hold half a request head each: a client that sends its request is
/// still answered, about as fast as without the attack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_clients_while_2000_half_open_connections_wait() {
    // This process holds the attackers' 2000 sockets.
    rlimit::increase_nofile_limit(8192).unwrap();
    let dir = TempDir::new("slowloris");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 1024 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_ikd-verifier-service"))
        .args(["--demo", "--listen", &addr.to_string(), "--data-dir"])
        .arg(dir.path().join("demo"))
        .env("IKD_LOG", "warn")
        .env("IKD_HEADER_READ_TIMEOUT_MS", "60000")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let ready = Instant::now();
    while timed_healthz(addr).await.is_none() {
        assert!(ready.elapsed() < Duration::from_secs(60), "service not up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut before = Vec::new();
    for _ in 0..LEGITIMATE_REQUESTS {
        before.push(
            timed_healthz(addr)
                .await
                .expect("answered before the attack"),
        );
    }

    let mut attackers = Vec::with_capacity(SLOWLORIS_CONNECTIONS);
    let mut stalled = 0;
    // A connect that hangs means the listen queue is full for now: a few are normal while
    // the accept loop catches up; many mean the attack has already won.
    while attackers.len() < SLOWLORIS_CONNECTIONS && stalled < 20 {
        let connected = tokio::time::timeout(Duration::from_secs(1), async {
            let mut stream = TcpStream::connect(addr).await.ok()?;
            stream.write_all(HALF_HEAD).await.ok()?;
            Some(stream)
        })
        .await;
        match connected {
            Ok(Some(stream)) => attackers.push(stream),
            _ => stalled += 1,
        }
    }

    let mut during = Vec::new();
    for i in 0..LEGITIMATE_REQUESTS {
        let time = timed_healthz(addr).await;
        let time = time.unwrap_or_else(|| panic!("request {i} not answered during the attack"));
        during.push(time);
    }
    // A verification, as a counter sends it, is answered too.
    let demo = dir.path().join("demo");
    let key = std::fs::read_to_string(demo.join("api-key.txt")).unwrap();
    let body = std::fs::read(demo.join("kk-4.request.json")).unwrap();
    let bearer = format!("Bearer {}", key.trim());
    let (status, answer) = tokio::time::timeout(
        Duration::from_secs(10),
        http_request(
            addr,
            "POST",
            "/v1/verify",
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            &body,
        ),
    )
    .await
    .expect("the verification is answered during the attack");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(json(answer.as_bytes())["verdict"], "valid");
    let (before, during) = (median(before), median(during));
    eprintln!(
        "slowloris: {} half-open connections made; median /healthz {before:?} before, \
         {during:?} during",
        attackers.len()
    );
    // Usual latency on loopback is about a millisecond; the bound leaves room for a loaded
    // CI machine while still failing when requests wait on the attackers.
    assert!(
        during <= before * 20 + Duration::from_millis(50),
        "median {during:?} during the attack against {before:?} before"
    );
    drop(attackers);
    let _ = child.start_kill();
    let _ = child.wait().await;
}
