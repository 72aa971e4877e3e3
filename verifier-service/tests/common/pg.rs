//! A throwaway PostgreSQL server for tests: `initdb` into a temporary directory, `postgres`
//! on a free loopback port, stopped (SIGINT: fast shutdown) and deleted when dropped.
//!
//! The binaries come from `IKD_POSTGRES_BIN_DIR`, else Debian's
//! `/usr/lib/postgresql/<version>/bin` (newest first), else `initdb` on the `PATH`.
//! PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user
//! (made by Debian's package), else as `nobody`.
//!
//! Without the binaries the test fails with a message saying how to install them, unless
//! `IKD_SKIP_POSTGRES=1` is set: then [`PgServer::start`] returns `None` and the test
//! says that it skipped.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The superuser the cluster is made with (trust authentication, loopback only).
pub const USER: &str = "ikd";
/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before the server is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running throwaway server.
pub struct PgServer {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
    child: Option<Child>,
    port: u16,
}

/// The user and group ids of `name` in /etc/passwd.
fn passwd_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.first() != Some(&name) {
            return None;
        }
        Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
    })
}

/// The effective user id of this process.
fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn has_binaries(dir: &Path) -> bool {
    ["initdb", "postgres"]
        .iter()
        .all(|name| dir.join(name).is_file())
}

/// Where `initdb` and `postgres` are, if anywhere.
pub fn find_binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("IKD_POSTGRES_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return has_binaries(&dir).then_some(dir);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_binaries(&bin).then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find_map(|dir| {
            let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
            let bin = initdb.parent()?.to_path_buf();
            has_binaries(&bin).then_some(bin)
        })
    })
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl PgServer {
    /// Starts a server, or returns `None` when PostgreSQL is absent and
    /// `IKD_SKIP_POSTGRES=1` says that is fine. Panics with a clear message otherwise.
    pub fn start(name: &str) -> Option<PgServer> {
        let Some(bin) = find_binaries() else {
            if std::env::var("IKD_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                eprintln!("SKIPPED {name}: PostgreSQL binaries not found and IKD_SKIP_POSTGRES=1");
                return None;
            }
            panic!(
                "{name} needs a real PostgreSQL server, and no PostgreSQL binaries were found \
                 (looked in $IKD_POSTGRES_BIN_DIR, /usr/lib/postgresql/*/bin and the PATH). \
                 Install them (Debian: apt-get install -y postgresql; .ci/run does this), or \
                 set IKD_SKIP_POSTGRES=1 to skip the PostgreSQL tests explicitly."
            );
        };
        let run_as = match euid() {
            Some(0) => Some(
                passwd_ids("postgres")
                    .or_else(|| passwd_ids("nobody"))
                    .expect("PostgreSQL refuses to run as root, and there is no postgres or nobody user"),
            ),
            _ => None,
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ikd-pg-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let mut server = PgServer {
            dir,
            bin,
            run_as,
            child: None,
            port: 0,
        };
        server.initdb();
        let mut last = String::new();
        for _ in 0..3 {
            match server.launch(free_port()) {
                Ok(()) => return Some(server),
                // Another process may have taken the port in between: try another.
                Err(log) => last = log,
            }
        }
        panic!("PostgreSQL did not start:\n{last}");
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.current_dir(&self.dir).env("LC_ALL", "C");
        if let Some((uid, gid)) = self.run_as {
            use std::os::unix::process::CommandExt as _;
            command.uid(uid).gid(gid);
        }
        command
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn initdb(&self) {
        let output = self
            .command("initdb")
            .arg("-D")
            .arg(self.data())
            .args([
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("initdb runs");
        assert!(
            output.status.success(),
            "initdb failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts `postgres` on `port` and waits until it accepts connections.
    fn launch(&mut self, port: u16) -> Result<(), String> {
        let log_path = self.dir.join(format!("server-{port}.log"));
        let log = File::create(&log_path).unwrap();
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=30"])
            .args(["-c", "shared_buffers=16MB"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run postgres: {e}"))?;
        self.child = Some(child);
        self.port = port;
        let deadline = Instant::now() + START_TIMEOUT;
        let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(format!("postgres exited ({status}):\n{}", read_log()));
            }
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
                && read_log().contains("ready to accept connections")
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(format!("postgres not ready in time:\n{}", read_log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection string for database `dbname` as the superuser.
    pub fn url(&self, dbname: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={USER} dbname={dbname}",
            self.port
        )
    }

    /// Fast shutdown (SIGINT), then kill if it does not stop in time.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts the server again on the same port and data, after [`PgServer::stop`].
    pub fn restart(&mut self) {
        let port = self.port;
        if let Err(log) = self.launch(port) {
            panic!("PostgreSQL did not restart:\n{log}");
        }
    }

    /// Runs `work` with a fresh client connection to `dbname`, on its own thread: the
    /// synchronous client must not run inside an async runtime.
    pub fn with_client<T: Send>(
        &self,
        dbname: &str,
        work: impl FnOnce(&mut postgres::Client) -> T + Send,
    ) -> T {
        let url = self.url(dbname);
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let mut client = postgres::Client::connect(&url, postgres::NoTls)
                        .expect("the test connects to its PostgreSQL server");
                    work(&mut client)
                })
                .join()
                .expect("the PostgreSQL client thread")
        })
    }

    /// Creates database `name`.
    pub fn create_database(&self, name: &str) {
        self.with_client("postgres", |client| {
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("CREATE DATABASE");
        });
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
