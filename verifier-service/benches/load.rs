//! Load benchmark of `POST /v1/verify` over loopback, against the service binary.
//!
//! `cargo bench -p ikd-verifier-service --bench load` measures, in one run:
//!
//! 1. the SDK's single-thread verify rate (`ikd_sdk::verify` of the same KTP-el QR text
//!    against the same trust store, in a loop on this thread), before and after the load;
//! 2. for each scenario, the service binary started as a child process on
//!    `127.0.0.1:<free port>` and loaded by a one-thread load generator in this process
//!    (HTTP/1.1 keep-alive, N connections each sending its next request when the previous
//!    answer arrived): requests/s, p50/p99/p99.9/max latency, the ratio of the service's
//!    rate to the SDK's single-thread rate, and the service's peak resident memory
//!    (`VmHWM` of `/proc/<pid>/status`).
//!
//! Bounded: loopback only, a warm-up and a measured window of a few seconds each (at most
//! [`MAX_REQUESTS`] requests per scenario); the child is stopped with SIGTERM (killed if it
//! does not stop) and its directory deleted.
//!
//! Environment: `IKD_LOAD_SECONDS` (measured window, default 10), `IKD_LOAD_CONNECTIONS`
//! (comma-separated, default `64`), `IKD_LOAD_SCENARIOS` (comma-separated names from
//! [`SCENARIOS`], default all).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use ikd_sdk::demo::DemoData;
use ikd_sdk::{Policy, UnixTime};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Requests per scenario, at most.
const MAX_REQUESTS: usize = 2_000_000;
/// Warm-up before the measured window.
const WARMUP: Duration = Duration::from_secs(2);
/// The API key of the benchmark client.
const API_KEY: &str = "ikd_load_benchmark_key";

/// A service configuration to load.
struct Scenario {
    name: &'static str,
    purpose: &'static str,
    /// Extra environment for the service.
    env: &'static [(&'static str, &'static str)],
}

/// Every scenario: the default configuration (access log at `info`, as many tokio workers
/// as cores) with the largest answer (`kyc`, the whole document) and the smallest
/// (`age_check`); then `kyc` without the access log, and with 1 and 3 tokio workers.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "kyc",
        purpose: "kyc",
        env: &[],
    },
    Scenario {
        name: "age_check",
        purpose: "age_check",
        env: &[],
    },
    Scenario {
        name: "kyc-log-warn",
        purpose: "kyc",
        env: &[("IKD_LOG", "warn")],
    },
    Scenario {
        name: "healthz-floor",
        purpose: "none",
        env: &[],
    },
    Scenario {
        name: "kyc-1-worker",
        purpose: "kyc",
        env: &[("TOKIO_WORKER_THREADS", "1")],
    },
    Scenario {
        name: "kyc-3-workers",
        purpose: "kyc",
        env: &[("TOKIO_WORKER_THREADS", "3")],
    },
];

fn now() -> UnixTime {
    UnixTime(
        i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap(),
    )
}

/// Verifications per second of wall time, and per second of this process's CPU time (the
/// second does not drop when other processes share the cores).
fn sdk_rate(data: &DemoData, qr: &str, window: Duration) -> (f64, f64) {
    let policy = Policy::default();
    let at = now();
    // Warm caches (and the region tables) first.
    for _ in 0..200 {
        assert!(ikd_sdk::verify(qr, &data.trust, at, &policy).is_ok());
    }
    let started = Instant::now();
    let cpu_started = cpu_ticks("self");
    let mut count = 0u64;
    while started.elapsed() < window {
        for _ in 0..100 {
            let result = ikd_sdk::verify(std::hint::black_box(qr), &data.trust, at, &policy);
            assert!(std::hint::black_box(result).is_ok());
        }
        count += 100;
    }
    let cpu_seconds = (cpu_ticks("self") - cpu_started) as f64 / ticks_per_second();
    (
        count as f64 / started.elapsed().as_secs_f64(),
        count as f64 / cpu_seconds.max(0.01),
    )
}

/// User + system CPU time of process `pid` (`self` for this one), in clock ticks.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) end with ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after ')'.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Service {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Service {
    fn start(dir: &Path, data: &DemoData, scenario: &Scenario) -> Service {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("trust.json"), data.trust.to_json()).unwrap();
        let config = format!(
            r#"
trust_store = "trust.json"
[audit]
path = "audit.sqlite3"
hmac_key = "{hmac}"
retention_days = 1
[[clients]]
id = "load"
api_key_sha256 = "{key}"
purposes = ["kyc", "age_check"]
rate_limit_per_minute = 4000000000
"#,
            hmac = "77".repeat(32),
            key = ikd_verifier_service::auth::hash_api_key_hex(API_KEY),
        );
        std::fs::write(dir.join("config.toml"), config).unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        let log = std::fs::File::create(dir.join("service.log")).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_ikd-verifier-service"));
        command
            .arg("--config")
            .arg(dir.join("config.toml"))
            .args(["--listen", &addr.to_string()])
            .env_remove("IKD_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (name, value) in scenario.env {
            command.env(name, value);
        }
        let child = command.spawn().unwrap();
        let mut service = Service {
            child,
            dir: dir.to_path_buf(),
            addr,
        };
        service.wait_ready();
        service
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the service exited ({status}):\n{}",
                    std::fs::read_to_string(self.dir.join("service.log")).unwrap_or_default()
                );
            }
            let ready = runtime.block_on(async {
                let Ok(Ok(mut stream)) = tokio::time::timeout(
                    Duration::from_millis(500),
                    tokio::net::TcpStream::connect(self.addr),
                )
                .await
                else {
                    return false;
                };
                let request = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                if stream.write_all(request.as_bytes()).await.is_err() {
                    return false;
                }
                let mut answer = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer))
                        .await;
                answer.starts_with(b"HTTP/1.1 200")
            });
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the service is not ready in time"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Peak and current resident memory, in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    fn threads(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("Threads:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Reads one HTTP/1.1 response (Content-Length framed) into `buffer`; returns the status.
async fn read_response(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<u16> {
    buffer.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end]).unwrap_or("");
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + length;
            while buffer.len() < total {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

struct LoadResult {
    requests: usize,
    seconds: f64,
    latencies_us: Vec<u32>,
    errors: usize,
    peak_rss_kib: u64,
    /// CPU time of the service and of this process (the load generator) in the window.
    service_cpu_seconds: f64,
    generator_cpu_seconds: f64,
}

fn load(service: &Service, request: &[u8], connections: usize, window: Duration) -> LoadResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = service.addr;
    let started = Instant::now();
    let measure_from = started + WARMUP;
    let stop_at = measure_from + window;
    let per_connection = MAX_REQUESTS / connections;
    let mut peak_rss = 0;
    let mut cpu = (0.0, 0.0);
    let service_pid = service.child.id().to_string();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let request = request.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut buffer = Vec::with_capacity(16 * 1024);
                let mut latencies = Vec::with_capacity(per_connection.min(1 << 16));
                let mut errors = 0usize;
                loop {
                    let sent = Instant::now();
                    if sent >= stop_at || latencies.len() >= per_connection {
                        break;
                    }
                    if stream.write_all(&request).await.is_err() {
                        errors += 1;
                        break;
                    }
                    match read_response(&mut stream, &mut buffer).await {
                        Ok(200) => {}
                        Ok(_) | Err(_) => {
                            errors += 1;
                            if errors > 100 {
                                break;
                            }
                        }
                    }
                    if sent >= measure_from {
                        let micros = sent.elapsed().as_micros();
                        latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                    }
                }
                (latencies, errors)
            }));
        }
        // Sample the service's memory while it runs, and the CPU time of both processes
        // over the measured window.
        let mut sampling = tokio::time::interval(Duration::from_millis(100));
        let mut cpu_start = None;
        while Instant::now() < stop_at {
            sampling.tick().await;
            peak_rss = peak_rss.max(service.memory().0);
            if cpu_start.is_none() && Instant::now() >= measure_from {
                cpu_start = Some((Instant::now(), cpu_ticks(&service_pid), cpu_ticks("self")));
            }
        }
        if let Some((at, service_start, self_start)) = cpu_start {
            let elapsed = at.elapsed().as_secs_f64().max(0.001);
            let scale = window.as_secs_f64() / elapsed;
            let tick = ticks_per_second();
            cpu = (
                (cpu_ticks(&service_pid) - service_start) as f64 / tick * scale,
                (cpu_ticks("self") - self_start) as f64 / tick * scale,
            );
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    let seconds = window.as_secs_f64();
    let mut latencies: Vec<u32> = Vec::new();
    let mut errors = 0;
    for (l, e) in results {
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    LoadResult {
        requests: latencies.len(),
        seconds,
        latencies_us: latencies,
        errors,
        peak_rss_kib: peak_rss.max(service.memory().0),
        service_cpu_seconds: cpu.0,
        generator_cpu_seconds: cpu.1,
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[index.min(sorted.len() - 1)]) / 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, picks scenarios too.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let seconds: u64 = std::env::var("IKD_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .clamp(1, 60);
    let connections: Vec<usize> = std::env::var("IKD_LOAD_CONNECTIONS")
        .unwrap_or_else(|_| "64".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .filter(|c| (1..=1024).contains(c))
        .collect();
    let wanted: Vec<String> = std::env::var("IKD_LOAD_SCENARIOS")
        .map(|s| s.split(',').map(|n| n.trim().to_owned()).collect())
        .unwrap_or_default();
    let scenarios: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| wanted.is_empty() || wanted.iter().any(|w| w == s.name))
        .filter(|s| filter.is_empty() || filter.iter().any(|f| s.name.contains(f.as_str())))
        .collect();

    let data = DemoData::generate(now()).unwrap();
    let qr = data.credential("ktp").unwrap().qr_text.clone();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("load benchmark: {cores} cores, {seconds} s measured after {WARMUP:?} warm-up");

    let sdk_before = sdk_rate(&data, &qr, Duration::from_secs(3));
    println!(
        "SDK single-thread verify (KTP-el): {:.0} /s ({:.0} per CPU-second)",
        sdk_before.0, sdk_before.1
    );

    let base = std::env::temp_dir().join(format!("ikd-load-{}", std::process::id()));
    let mut rows = Vec::new();
    for scenario in &scenarios {
        for &n in &connections {
            let body = serde_json::json!({"qr": qr, "purpose": scenario.purpose}).to_string();
            let request = if scenario.purpose == "none" {
                // The HTTP floor: the same connections on the cheapest endpoint.
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_owned()
            } else {
                format!(
                    "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            };
            let service = Service::start(
                &base.join(format!("{}-{n}", scenario.name)),
                &data,
                scenario,
            );
            let threads = service.threads();
            let result = load(
                &service,
                request.as_bytes(),
                n,
                Duration::from_secs(seconds),
            );
            drop(service);
            let rate = result.requests as f64 / result.seconds;
            let requests = result.requests.max(1) as f64;
            let service_us = result.service_cpu_seconds * 1e6 / requests;
            let generator_us = result.generator_cpu_seconds * 1e6 / requests;
            let row = (
                scenario.name,
                n,
                rate,
                percentile(&result.latencies_us, 0.50),
                percentile(&result.latencies_us, 0.99),
                percentile(&result.latencies_us, 0.999),
                percentile(&result.latencies_us, 1.0),
                result.peak_rss_kib,
                result.errors,
                threads,
                service_us,
                generator_us,
            );
            println!(
                "{:<14} {:>4} conns: {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  max {:>7.2} ms  peak RSS {:>6.1} MiB  errors {}  threads {}  CPU/request: service {:.1} µs, generator {:.1} µs",
                row.0,
                row.1,
                row.2,
                row.3,
                row.4,
                row.5,
                row.6,
                row.7 as f64 / 1024.0,
                row.8,
                row.9,
                row.10,
                row.11
            );
            rows.push(row);
        }
    }
    let sdk_after = sdk_rate(&data, &qr, Duration::from_secs(3));
    let sdk = sdk_before.0.max(sdk_after.0);
    let sdk_cpu = sdk_before.1.max(sdk_after.1);
    println!(
        "SDK single-thread verify (KTP-el): {:.0} /s ({:.0} per CPU-second) after the load; \
         ratios use the higher: {sdk:.0} /s, {sdk_cpu:.0} per CPU-second",
        sdk_after.0, sdk_after.1
    );
    println!();
    println!(
        "| scenario | connections | requests/s | p50 ms | p99 ms | p99.9 ms | ratio to SDK 1 thread | peak RSS MiB | service CPU µs/req | generator CPU µs/req | capacity ratio | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        // What two otherwise idle cores would sustain, from the CPU time each request
        // costs the service and the load generator, against the SDK's rate per CPU-second.
        let capacity = 2e6 / (row.10 + row.11);
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | **{:.2}** | {:.1} | {:.1} | {:.1} | {:.2} | {} |",
            row.0,
            row.1,
            row.2,
            row.3,
            row.4,
            row.5,
            row.2 / sdk,
            row.7 as f64 / 1024.0,
            row.10,
            row.11,
            capacity / sdk_cpu,
            row.8
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
