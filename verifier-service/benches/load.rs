//! Load benchmark of `POST /v1/verify` over loopback, against the service binary.
//!
//! `cargo bench -p ikd-verifier-service --bench load` measures, in one run, for each
//! scenario (see [`SCENARIOS`]; the workloads are a printed KK shown bare, and KTP-el
//! presentations from a phone with a P-256 or an Ed25519 key, each request a fresh
//! presentation binding its own challenge):
//!
//! 1. the SDK's single-thread verify rate of the same workload (`ikd_sdk::verify_with`
//!    against the same trust store, with a replay cache, in a loop on this thread), before
//!    and after the load;
//! 2. the service binary started as a child process on `127.0.0.1:<free port>` and loaded
//!    by a one-thread load generator in this process (HTTP/1.1 keep-alive, N connections
//!    each sending its next request when the previous answer arrived): requests/s,
//!    p50/p99/p99.9/max latency, the ratio of the service's rate to the SDK's
//!    single-thread rate, the CPU time per request of both processes, and the service's
//!    peak resident memory (`VmHWM` of `/proc/<pid>/status`);
//! 3. then, for each workload that verifies, an **open loop** at fixed fractions of the
//!    capacity the closed loop just measured (default 50 % and 80 %): requests are
//!    scheduled at an even rate whether or not earlier answers have arrived, handed to
//!    the first free of a pool of keep-alive connections, and each latency is counted from
//!    the request's scheduled time, so time spent queued behind a slow answer counts too.
//!
//! Bounded: loopback only, a warm-up and a measured window of a few seconds each (at most
//! [`MAX_REQUESTS`] requests per scenario); the child is stopped with SIGTERM (killed if it
//! does not stop) and its directory deleted.
//!
//! Environment: `IKD_LOAD_SECONDS` (measured window, default 10), `IKD_LOAD_CONNECTIONS`
//! (comma-separated, default `64`), `IKD_LOAD_SCENARIOS` (comma-separated names from
//! [`SCENARIOS`], default all), `IKD_LOAD_OPEN_FRACTIONS` (comma-separated fractions of
//! the measured capacity for the open loop, default `0.5,0.8`; empty for none),
//! `IKD_LOAD_OPEN_CONNECTIONS` (the open loop's connection pool, default 128),
//! `IKD_LOAD_BASELINE_BINARY` (another build of the service binary, say of an earlier
//! commit: each scenario loads it first, then this build, so that both are measured in
//! one run; its rows are marked `(baseline)`), `IKD_LOAD_TRACE` (a folder: each open-loop
//! run writes there a CSV of every counted request's due time and latency, in µs).
//!
//! Besides CPU time, each row gives the time the threads of the service and of the
//! generator spent runnable but waiting for a core (`/proc/<pid>/task/*/schedstat`), per
//! request: on two shared cores, that wait is where queueing delay comes from.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use ikd_sdk::demo::DemoData;
use ikd_sdk::presentation::DEFAULT_PRESENTATION_SECONDS;
use ikd_sdk::{
    Challenge, HolderAlg, HolderSigningKey, IssuerSigningKey, Policy, ReplayCache, UnixTime,
    VerifyOptions,
};
use ikd_verifier_service::config::DEFAULT_REPLAY_CACHE_CAPACITY;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Requests per scenario, at most.
const MAX_REQUESTS: usize = 2_000_000;
/// Warm-up before the measured window.
const WARMUP: Duration = Duration::from_secs(2);
/// How long each SDK single-thread measurement runs.
const SDK_WINDOW: Duration = Duration::from_secs(3);
/// Presentations prepared for an SDK measurement (it stops early if they run out).
const SDK_PRESENTATIONS: usize = 60_000;
/// Presentations prepared for the load: this many times what two cores at the SDK's
/// single-thread rate would verify over the warm-up and the window.
const PRESENTATIONS_PER_SDK_RATE: f64 = 1.25;
/// How long the open loop waits for the answers still due when its window ends; what has
/// not arrived by then counts as an error.
const OPEN_LOOP_DRAIN: Duration = Duration::from_secs(5);
/// One scenario's figures.
struct Row {
    scenario: String,
    workload: Workload,
    connections: usize,
    rate: f64,
    p50: f64,
    p99: f64,
    p999: f64,
    max: f64,
    peak_rss_kib: u64,
    errors: usize,
    threads: u64,
    service_us: f64,
    generator_us: f64,
    /// Run-queue wait per request (runnable, waiting for a core), µs.
    service_wait_us: f64,
    generator_wait_us: f64,
}
/// The API key of the benchmark client.
const API_KEY: &str = "ikd_load_benchmark_key";

/// What the load sends, and what the SDK's single-thread baseline verifies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    /// The printed KK of 4 members, shown bare (the default policy accepts a bare KK):
    /// one Ed25519 signature. The same QR text every time.
    PrintedKk,
    /// The KTP-el shown from the phone in challenge mode: every request a fresh
    /// presentation binding its own challenge code (sent as `nonce`), signed by the demo
    /// phone's key with `alg`, so the service's replay cache never refuses one.
    Phone(HolderAlg),
    /// No verification: `GET /healthz`, the HTTP floor.
    Floor,
}

/// A service configuration to load.
struct Scenario {
    name: &'static str,
    workload: Workload,
    purpose: &'static str,
    /// Extra environment for the service.
    env: &'static [(&'static str, &'static str)],
}

/// Every scenario: the default configuration (access log at `info`, as many tokio workers
/// as cores) for the printed KK and for KTP-el presentations with a P-256 and an Ed25519
/// phone key; the KK without the access log; and the HTTP floor.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "kk",
        workload: Workload::PrintedKk,
        purpose: "kyc",
        env: &[],
    },
    Scenario {
        name: "kk-log-warn",
        workload: Workload::PrintedKk,
        purpose: "kyc",
        env: &[("IKD_LOG", "warn")],
    },
    Scenario {
        name: "phone-es256",
        workload: Workload::Phone(HolderAlg::Es256),
        purpose: "kyc",
        env: &[],
    },
    Scenario {
        name: "phone-ed25519",
        workload: Workload::Phone(HolderAlg::EdDsa),
        purpose: "kyc",
        env: &[],
    },
    Scenario {
        name: "healthz-floor",
        workload: Workload::Floor,
        purpose: "none",
        env: &[],
    },
];

impl Workload {
    fn label(self) -> &'static str {
        match self {
            Workload::PrintedKk => "printed KK-4, bare",
            Workload::Floor => "GET /healthz, no verification",
            Workload::Phone(HolderAlg::Es256) => "KTP-el presentation, P-256 phone key",
            Workload::Phone(_) => "KTP-el presentation, Ed25519 phone key",
        }
    }

    /// The demo data: fixed issuer keys, and a phone key of the workload's algorithm.
    fn data(self) -> DemoData {
        let alg = match self {
            Workload::Phone(alg) => alg,
            _ => HolderAlg::Es256,
        };
        let holder = HolderSigningKey::from_secret(alg, &[9; 32]).unwrap();
        DemoData::with_keys(now(), holder, |t| {
            Ok(IssuerSigningKey::from_seed(&[t.number() + 100; 32]))
        })
        .unwrap()
    }

    /// `count` QR texts to show, each with the challenge code it binds, if any. For the
    /// phone, distinct presentations made now, on every core.
    fn shown(self, data: &DemoData, count: usize) -> Vec<(String, Option<String>)> {
        let Workload::Phone(_) = self else {
            let qr = data.credential("kk-4").unwrap().qr_text.clone();
            return vec![(qr, None)];
        };
        let ktp = &data.credential("ktp").unwrap().credential;
        let at = now();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|i| {
                    let part = count / threads + usize::from(i < count % threads);
                    scope.spawn(move || {
                        (0..part)
                            .map(|_| {
                                let challenge = Challenge::generate(8, None).unwrap();
                                let shown = ikd_sdk::present(
                                    ktp,
                                    &data.holder,
                                    at,
                                    DEFAULT_PRESENTATION_SECONDS,
                                    Some(&challenge),
                                )
                                .unwrap();
                                (shown.to_qr_text(), Some(challenge.nonce().to_owned()))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap())
                .collect()
        })
    }
}

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
/// second does not drop when other processes share the cores), of the workload's QR texts
/// in turn, each at most once, with a replay cache and the service's default policy.
fn sdk_rate(data: &DemoData, shown: &[(String, Option<String>)], window: Duration) -> (f64, f64) {
    let policy = Policy::default();
    let at = now();
    let replay_cache = ReplayCache::new(DEFAULT_REPLAY_CACHE_CAPACITY);
    let challenges: Vec<Option<Challenge>> = shown
        .iter()
        .map(|(_, nonce)| nonce.as_ref().map(|n| Challenge::new(n, None).unwrap()))
        .collect();
    let verify = |i: usize| {
        let (qr, _) = &shown[i % shown.len()];
        let options = VerifyOptions {
            challenge: challenges[i % shown.len()].as_ref(),
            replay_cache: Some(&replay_cache),
        };
        ikd_sdk::verify_with(std::hint::black_box(qr), &data.trust, at, &policy, &options)
    };
    // Warm caches (and the region tables) first; a presentation is spent once verified.
    let warm = 200.min(shown.len() / 10).max(1);
    for i in 0..warm {
        assert!(verify(i).is_ok(), "the workload verifies");
    }
    let started = Instant::now();
    let cpu_started = cpu_ticks("self");
    let mut count = 0usize;
    while started.elapsed() < window && (shown.len() == 1 || warm + count + 100 <= shown.len()) {
        for i in 0..100 {
            let result = verify(warm + count + i);
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

/// Measures and prints the SDK's single-thread rate of `workload` ([`sdk_rate`]).
fn sdk_baseline(workload: Workload, data: &DemoData, when: &str) -> (f64, f64) {
    let shown = workload.shown(data, SDK_PRESENTATIONS);
    let rate = sdk_rate(data, &shown, SDK_WINDOW);
    println!(
        "SDK single-thread verify ({}){when}: {:.0} /s ({:.0} per CPU-second)",
        workload.label(),
        rate.0,
        rate.1
    );
    rate
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

/// Nanoseconds that the threads of process `pid` (`self` for this one) spent waiting on a
/// run queue, runnable but not running, summed over its threads
/// (`/proc/<pid>/task/*/schedstat`, second field). Threads that ended are not counted.
fn run_queue_wait_ns(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
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
    fn start(binary: &Path, dir: &Path, data: &DemoData, scenario: &Scenario) -> Service {
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
        let mut command = Command::new(binary);
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
/// The bytes are read straight into the buffer's spare room, with no scratch buffer to
/// zero and copy: the generator shares the two cores with the service, so its own CPU per
/// request is kept small.
async fn read_response(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<u16> {
    buffer.clear();
    let mut searched = 0usize;
    loop {
        if buffer.capacity() - buffer.len() < 4096 {
            buffer.reserve(16 * 1024);
        }
        if stream.read_buf(buffer).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        // Only the new bytes (and the three before them) can complete the head's end.
        let from = searched.saturating_sub(3);
        searched = buffer.len();
        let Some(end) = buffer[from..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|at| from + at)
        else {
            continue;
        };
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
        buffer.reserve(total.saturating_sub(buffer.len()));
        while buffer.len() < total {
            if stream.read_buf(buffer).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        return Ok(status);
    }
}

/// Samples the service's memory every 100 ms until `stop_at`, and the CPU time of the
/// service and of this process (the load generator) from `measure_from` on, scaled to
/// `window`: (peak RSS in KiB, (service CPU s, generator CPU s), (service run-queue wait
/// s, generator run-queue wait s)).
async fn sample(
    service: &Service,
    measure_from: Instant,
    stop_at: Instant,
    window: Duration,
) -> (u64, (f64, f64), (f64, f64)) {
    let service_pid = service.child.id().to_string();
    let mut peak_rss = 0;
    let mut cpu = (0.0, 0.0);
    let mut wait = (0.0, 0.0);
    let mut wait_start = (0, 0);
    let mut sampling = tokio::time::interval(Duration::from_millis(100));
    let mut cpu_start = None;
    while Instant::now() < stop_at {
        sampling.tick().await;
        peak_rss = peak_rss.max(service.memory().0);
        if cpu_start.is_none() && Instant::now() >= measure_from {
            cpu_start = Some((Instant::now(), cpu_ticks(&service_pid), cpu_ticks("self")));
            wait_start = (run_queue_wait_ns(&service_pid), run_queue_wait_ns("self"));
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
        wait = (
            run_queue_wait_ns(&service_pid).saturating_sub(wait_start.0) as f64 / 1e9 * scale,
            run_queue_wait_ns("self").saturating_sub(wait_start.1) as f64 / 1e9 * scale,
        );
    }
    (peak_rss, cpu, wait)
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
    /// Time the threads of the service and of this process spent runnable but waiting
    /// for a core, in the window.
    service_wait_seconds: f64,
    generator_wait_seconds: f64,
}

/// Loads `service` with `requests` in turn (the one request again and again if there is
/// only one; otherwise each at most once, and a connection stops when they run out).
fn load(
    service: &Service,
    requests: &Arc<Vec<Vec<u8>>>,
    connections: usize,
    window: Duration,
) -> LoadResult {
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
    let mut wait = (0.0, 0.0);
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        let next = Arc::new(AtomicUsize::new(0));
        for _ in 0..connections {
            let requests = Arc::clone(requests);
            let next = Arc::clone(&next);
            tasks.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut buffer = Vec::with_capacity(16 * 1024);
                let mut latencies = Vec::with_capacity(per_connection.min(1 << 16));
                let mut errors = 0usize;
                let mut ran_out = false;
                loop {
                    let sent = Instant::now();
                    if sent >= stop_at || latencies.len() >= per_connection {
                        break;
                    }
                    let request = match requests.len() {
                        1 => &requests[0],
                        n => match requests.get(next.fetch_add(1, Ordering::Relaxed)) {
                            Some(request) => request,
                            None => {
                                ran_out = n > 0;
                                break;
                            }
                        },
                    };
                    if stream.write_all(request).await.is_err() {
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
                (latencies, errors, ran_out)
            }));
        }
        let (peak, window_cpu, window_wait) = sample(service, measure_from, stop_at, window).await;
        peak_rss = peak;
        cpu = window_cpu;
        wait = window_wait;
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    let seconds = window.as_secs_f64();
    let mut latencies: Vec<u32> = Vec::new();
    let mut errors = 0;
    let mut ran_out = false;
    for (l, e, out) in results {
        latencies.extend(l);
        errors += e;
        ran_out |= out;
    }
    assert!(
        !ran_out,
        "the prepared presentations ran out before the window ended: raise PRESENTATIONS_PER_SDK_RATE"
    );
    latencies.sort_unstable();
    LoadResult {
        requests: latencies.len(),
        seconds,
        latencies_us: latencies,
        errors,
        peak_rss_kib: peak_rss.max(service.memory().0),
        service_cpu_seconds: cpu.0,
        generator_cpu_seconds: cpu.1,
        service_wait_seconds: wait.0,
        generator_wait_seconds: wait.1,
    }
}

/// Loads `service` in an open loop: request `i` is due at `i ÷ rate` seconds after the
/// start, whether or not earlier answers have arrived, and goes to the first free of
/// `connections` keep-alive connections (or waits for one). Each latency runs from the
/// request's due time to its answer's last byte; the requests due in the measured window
/// are the ones counted. `requests` as for [`load`].
fn load_open(
    service: &Service,
    requests: &Arc<Vec<Vec<u8>>>,
    rate: f64,
    connections: usize,
    window: Duration,
    trace: Option<&Path>,
) -> LoadResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = service.addr;
    let started = Instant::now();
    let measure_from = started + WARMUP;
    let stop_at = measure_from + window;
    let due = move |i: usize| started + Duration::from_secs_f64(i as f64 / rate);
    let (mut peak_rss, mut cpu, mut wait) = (0, (0.0, 0.0), (0.0, 0.0));
    let (results, ran_out) = runtime.block_on(async {
        // The dispatcher sends (due time, request) jobs; a free connection takes the next.
        let (jobs, queue) = tokio::sync::mpsc::unbounded_channel::<(Instant, usize)>();
        let queue = Arc::new(tokio::sync::Mutex::new(queue));
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let requests = Arc::clone(requests);
            let queue = Arc::clone(&queue);
            tasks.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut buffer = Vec::with_capacity(16 * 1024);
                let mut latencies = Vec::new();
                // (due time from the window's start, latency), both µs.
                let mut timeline = Vec::new();
                let mut errors = 0usize;
                let drain_deadline = stop_at + OPEN_LOOP_DRAIN;
                loop {
                    let job = queue.lock().await.recv().await;
                    let Some((due, index)) = job else { break };
                    let exchange = async {
                        stream.write_all(&requests[index]).await?;
                        read_response(&mut stream, &mut buffer).await
                    };
                    let answer = tokio::time::timeout_at(drain_deadline.into(), exchange).await;
                    let counted = due >= measure_from && due < stop_at;
                    match answer {
                        Ok(Ok(200)) if counted => {
                            let micros = due.elapsed().as_micros();
                            let latency = u32::try_from(micros).unwrap_or(u32::MAX);
                            latencies.push(latency);
                            let at = (due - measure_from).as_micros();
                            timeline.push((u32::try_from(at).unwrap_or(u32::MAX), latency));
                        }
                        Ok(Ok(200)) => {}
                        // A timed-out exchange leaves the connection unusable.
                        Err(_) => {
                            errors += 1;
                            break;
                        }
                        Ok(_) => errors += 1,
                    }
                }
                (latencies, errors, timeline)
            }));
        }
        let dispatcher = tokio::spawn({
            let count = requests.len();
            async move {
                let mut next = 0usize;
                loop {
                    let now = Instant::now();
                    if now >= stop_at {
                        return false;
                    }
                    // Everything due by now goes out; the timer's millisecond steps make
                    // small bursts, but each request keeps its own due time.
                    while due(next) <= now && due(next) < stop_at {
                        let index = match count {
                            1 => 0,
                            _ if next < count => next,
                            _ => return true,
                        };
                        if jobs.send((due(next), index)).is_err() {
                            return false;
                        }
                        next += 1;
                    }
                    tokio::time::sleep_until(due(next).into()).await;
                }
            }
        });
        let sampled = sample(service, measure_from, stop_at, window).await;
        peak_rss = sampled.0;
        cpu = sampled.1;
        wait = sampled.2;
        let ran_out = dispatcher.await.unwrap();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        // Jobs still queued when every connection gave up were never answered.
        let unanswered = queue.lock().await.len();
        results.push((Vec::new(), unanswered, Vec::new()));
        (results, ran_out)
    });
    assert!(
        !ran_out,
        "the prepared presentations ran out before the window ended: raise PRESENTATIONS_PER_SDK_RATE"
    );
    let mut latencies: Vec<u32> = Vec::new();
    let mut timeline: Vec<(u32, u32)> = Vec::new();
    let mut errors = 0;
    for (l, e, t) in results {
        latencies.extend(l);
        errors += e;
        timeline.extend(t);
    }
    latencies.sort_unstable();
    if let Some(path) = trace {
        timeline.sort_unstable();
        // The window's start as Unix time, to line the timeline up with other samples.
        let start_unix_us = (SystemTime::now() - measure_from.elapsed())
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        let mut csv = format!("# window start, Unix µs: {start_unix_us}\ndue_us,latency_us\n");
        for (at, latency) in timeline {
            csv.push_str(&format!("{at},{latency}\n"));
        }
        std::fs::write(path, csv).unwrap();
    }
    LoadResult {
        requests: latencies.len(),
        seconds: window.as_secs_f64(),
        latencies_us: latencies,
        errors,
        peak_rss_kib: peak_rss.max(service.memory().0),
        service_cpu_seconds: cpu.0,
        generator_cpu_seconds: cpu.1,
        service_wait_seconds: wait.0,
        generator_wait_seconds: wait.1,
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[index.min(sorted.len() - 1)]) / 1000.0
}

/// Prepares up to `count` requests of `scenario`'s workload (fresh presentations, or its
/// one printed credential) and starts `binary` for them in `dir`.
fn prepare_and_start(
    binary: &Path,
    dir: &Path,
    data: &DemoData,
    scenario: &Scenario,
    count: usize,
) -> (Service, Arc<Vec<Vec<u8>>>) {
    let workload = scenario.workload;
    let prepared = Instant::now();
    let shown = workload.shown(data, count.min(MAX_REQUESTS));
    if shown.len() > 1 {
        println!(
            "{} presentations prepared in {:.1} s",
            shown.len(),
            prepared.elapsed().as_secs_f64()
        );
    }
    let requests = Arc::new(http_requests(workload, scenario.purpose, &shown));
    (Service::start(binary, dir, data, scenario), requests)
}

/// The HTTP/1.1 requests that show `shown` to the service for `purpose`.
fn http_requests(
    workload: Workload,
    purpose: &str,
    shown: &[(String, Option<String>)],
) -> Vec<Vec<u8>> {
    shown
        .iter()
        .map(|(qr, nonce)| {
            if workload == Workload::Floor {
                return b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
            }
            let body =
                serde_json::json!({"qr": qr, "purpose": purpose, "nonce": nonce}).to_string();
            format!(
                "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        })
        .collect()
}

/// One open-loop run's figures.
struct OpenRow {
    scenario: String,
    workload: Workload,
    /// The closed loop's measured requests/s, and the fraction of it offered.
    capacity: f64,
    fraction: f64,
    connections: usize,
    achieved: f64,
    p50: f64,
    p99: f64,
    p999: f64,
    max: f64,
    errors: usize,
    service_us: f64,
    generator_us: f64,
    service_wait_us: f64,
    generator_wait_us: f64,
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
    let open_fractions: Vec<f64> = std::env::var("IKD_LOAD_OPEN_FRACTIONS")
        .unwrap_or_else(|_| "0.5,0.8".into())
        .split(',')
        .filter_map(|f| f.trim().parse().ok())
        .filter(|f| (0.01..=1.5).contains(f))
        .collect();
    let open_connections: usize = std::env::var("IKD_LOAD_OPEN_CONNECTIONS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(128)
        .clamp(1, 1024);
    let trace: Option<PathBuf> = std::env::var_os("IKD_LOAD_TRACE").map(PathBuf::from);
    let wanted: Vec<String> = std::env::var("IKD_LOAD_SCENARIOS")
        .map(|s| s.split(',').map(|n| n.trim().to_owned()).collect())
        .unwrap_or_default();
    let scenarios: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| wanted.is_empty() || wanted.iter().any(|w| w == s.name))
        .filter(|s| filter.is_empty() || filter.iter().any(|f| s.name.contains(f.as_str())))
        .collect();

    // Another build of the service to load in the same run, before this one (`IKD_LOAD_BASELINE_BINARY`).
    let mut builds: Vec<(String, PathBuf)> = Vec::new();
    if let Ok(path) = std::env::var("IKD_LOAD_BASELINE_BINARY") {
        builds.push((" (baseline)".to_owned(), PathBuf::from(path)));
    }
    builds.push((
        String::new(),
        PathBuf::from(env!("CARGO_BIN_EXE_ikd-verifier-service")),
    ));

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("load benchmark: {cores} cores, {seconds} s measured after {WARMUP:?} warm-up");
    let base = std::env::temp_dir().join(format!("ikd-load-{}", std::process::id()));
    let mut rows = Vec::new();
    let mut open_rows = Vec::new();
    // The SDK's single-thread rate of each workload, before and after its scenarios; the
    // ratio uses the higher.
    let mut sdk_rates: Vec<(Workload, (f64, f64))> = Vec::new();
    for scenario in &scenarios {
        let workload = scenario.workload;
        let data = workload.data();
        // The floor verifies nothing: no baseline of its own, one request to repeat.
        let verifies = workload != Workload::Floor;
        let sdk_before = if verifies {
            sdk_baseline(workload, &data, "")
        } else {
            (0.0, 0.0)
        };
        for (label, binary) in &builds {
            let name = format!("{}{label}", scenario.name);
            for &n in &connections {
                // Enough presentations for twice the SDK's rate (two cores) over the whole run.
                let wanted = (sdk_before.0
                    * 2.0
                    * PRESENTATIONS_PER_SDK_RATE
                    * (WARMUP.as_secs_f64() + seconds as f64))
                    as usize;
                let (service, requests) = prepare_and_start(
                    binary,
                    &base.join(format!("{}{}-{n}", scenario.name, builds.len())),
                    &data,
                    scenario,
                    wanted,
                );
                let threads = service.threads();
                let result = load(&service, &requests, n, Duration::from_secs(seconds));
                drop(service);
                let rate = result.requests as f64 / result.seconds;
                let requests = result.requests.max(1) as f64;
                let row = Row {
                    scenario: name.clone(),
                    workload,
                    connections: n,
                    rate,
                    p50: percentile(&result.latencies_us, 0.50),
                    p99: percentile(&result.latencies_us, 0.99),
                    p999: percentile(&result.latencies_us, 0.999),
                    max: percentile(&result.latencies_us, 1.0),
                    peak_rss_kib: result.peak_rss_kib,
                    errors: result.errors,
                    threads,
                    service_us: result.service_cpu_seconds * 1e6 / requests,
                    generator_us: result.generator_cpu_seconds * 1e6 / requests,
                    service_wait_us: result.service_wait_seconds * 1e6 / requests,
                    generator_wait_us: result.generator_wait_seconds * 1e6 / requests,
                };
                println!(
                    "{:<14} {:>4} conns: {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  max {:>7.2} ms  peak RSS {:>6.1} MiB  errors {}  threads {}  CPU/request: service {:.1} µs, generator {:.1} µs  run-queue wait/request: service {:.1} µs, generator {:.1} µs",
                    row.scenario,
                    row.connections,
                    row.rate,
                    row.p50,
                    row.p99,
                    row.p999,
                    row.max,
                    row.peak_rss_kib as f64 / 1024.0,
                    row.errors,
                    row.threads,
                    row.service_us,
                    row.generator_us,
                    row.service_wait_us,
                    row.generator_wait_us,
                );
                rows.push(row);
            }
            // The open loop offers fractions of what the closed loop (at its last connection
            // count) just sustained.
            let capacity = rows
                .iter()
                .rev()
                .find(|row: &&Row| row.scenario == *name)
                .map_or(0.0, |row| row.rate);
            for &fraction in open_fractions.iter().filter(|_| verifies && capacity > 0.0) {
                let offered = capacity * fraction;
                let total = WARMUP.as_secs_f64() + seconds as f64;
                let (service, requests) = prepare_and_start(
                    binary,
                    &base.join(format!("{}{}-open-{fraction}", scenario.name, builds.len())),
                    &data,
                    scenario,
                    (offered * total) as usize + 1000,
                );
                let result = load_open(
                    &service,
                    &requests,
                    offered,
                    open_connections,
                    Duration::from_secs(seconds),
                    trace
                        .as_ref()
                        .map(|dir| {
                            dir.join(format!("{}-open-{fraction}.csv", name.replace(' ', "_")))
                        })
                        .as_deref(),
                );
                drop(service);
                let row = OpenRow {
                    scenario: name.clone(),
                    workload,
                    capacity,
                    fraction,
                    connections: open_connections,
                    achieved: result.requests as f64 / result.seconds,
                    p50: percentile(&result.latencies_us, 0.50),
                    p99: percentile(&result.latencies_us, 0.99),
                    p999: percentile(&result.latencies_us, 0.999),
                    max: percentile(&result.latencies_us, 1.0),
                    errors: result.errors,
                    service_us: result.service_cpu_seconds * 1e6 / result.requests.max(1) as f64,
                    generator_us: result.generator_cpu_seconds * 1e6
                        / result.requests.max(1) as f64,
                    service_wait_us: result.service_wait_seconds * 1e6
                        / result.requests.max(1) as f64,
                    generator_wait_us: result.generator_wait_seconds * 1e6
                        / result.requests.max(1) as f64,
                };
                println!(
                    "{:<14} open loop at {:>3.0} % of {:.0} req/s ({:.0} offered, {} conns): {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  max {:>7.2} ms  errors {}  CPU/request: service {:.1} µs, generator {:.1} µs  run-queue wait/request: service {:.1} µs, generator {:.1} µs",
                    row.scenario,
                    row.fraction * 100.0,
                    row.capacity,
                    offered,
                    row.connections,
                    row.achieved,
                    row.p50,
                    row.p99,
                    row.p999,
                    row.max,
                    row.errors,
                    row.service_us,
                    row.generator_us,
                    row.service_wait_us,
                    row.generator_wait_us,
                );
                open_rows.push(row);
            }
        }
        if verifies {
            let sdk_after = sdk_baseline(workload, &data, " after the load");
            let best = (sdk_before.0.max(sdk_after.0), sdk_before.1.max(sdk_after.1));
            sdk_rates.retain(|(w, _)| *w != workload);
            sdk_rates.push((workload, best));
        }
    }
    println!();
    println!(
        "| scenario | workload | SDK 1 thread /s | connections | requests/s | p50 ms | p99 ms | p99.9 ms | ratio to SDK 1 thread | peak RSS MiB | service CPU µs/req | generator CPU µs/req | capacity ratio | service run-queue wait µs/req | generator run-queue wait µs/req | errors |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        // The floor has no baseline: its ratios print as a dash.
        let (sdk, sdk_cpu) = sdk_rates
            .iter()
            .find(|(w, _)| *w == row.workload)
            .map_or((f64::NAN, f64::NAN), |(_, rates)| *rates);
        // What two otherwise idle cores would sustain, from the CPU time each request
        // costs the service and the load generator, against the SDK's rate per CPU-second.
        let capacity = 2e6 / (row.service_us + row.generator_us);
        let verifies = row.workload != Workload::Floor;
        let ratio = |value: f64| {
            if verifies {
                format!("{value:.2}")
            } else {
                "—".to_owned()
            }
        };
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | **{}** | {:.1} | {:.1} | {:.1} | {} | {:.1} | {:.1} | {} |",
            row.scenario,
            row.workload.label(),
            if verifies {
                format!("{sdk:.0}")
            } else {
                "—".to_owned()
            },
            row.connections,
            row.rate,
            row.p50,
            row.p99,
            row.p999,
            ratio(row.rate / sdk),
            row.peak_rss_kib as f64 / 1024.0,
            row.service_us,
            row.generator_us,
            ratio(capacity / sdk_cpu),
            row.service_wait_us,
            row.generator_wait_us,
            row.errors
        );
    }
    if !open_rows.is_empty() {
        println!();
        println!(
            "| scenario | workload | capacity req/s (closed loop) | load | offered req/s | connections | answered req/s | p50 ms | p99 ms | p99.9 ms | max ms | service CPU µs/req | generator CPU µs/req | service run-queue wait µs/req | generator run-queue wait µs/req | errors |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in &open_rows {
            println!(
                "| {} | {} | {:.0} | {:.0} % | {:.0} | {} | {:.0} | {:.2} | **{:.2}** | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                row.scenario,
                row.workload.label(),
                row.capacity,
                row.fraction * 100.0,
                row.capacity * row.fraction,
                row.connections,
                row.achieved,
                row.p50,
                row.p99,
                row.p999,
                row.max,
                row.service_us,
                row.generator_us,
                row.service_wait_us,
                row.generator_wait_us,
                row.errors
            );
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}
