//! A real browser for tests: Debian's headless Chromium driven by its ChromeDriver over
//! the W3C WebDriver HTTP protocol (plain JSON over loopback, sent with reqwest).
//!
//! The binaries come from `IKD_CHROMEDRIVER` / `IKD_CHROMIUM`, else `/usr/bin/chromedriver`
//! and `/usr/bin/chromium` (Debian packages `chromium-driver` and `chromium`). Without them
//! the test fails with a message saying how to install them, unless `IKD_SKIP_BROWSER=1`
//! is set: then [`Browser::start`] returns `None` and the test says that it skipped.
//!
//! ChromeDriver runs in its own process group with a fresh profile folder; dropping the
//! [`Browser`] ends the WebDriver session (which closes Chromium), then kills the group and
//! deletes the folder, so a failing test leaves nothing running.

use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long ChromeDriver may take to answer its status.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Time limit of one WebDriver command (a new session starts Chromium: the slowest).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// The WebDriver key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The flags the machine notes give for Chromium in this sandbox: headless, no network of
/// its own (background services would try to reach Google and be refused).
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running ChromeDriver with one browser session.
pub struct Browser {
    driver: Option<Child>,
    port: u16,
    session: String,
    http: reqwest::Client,
    dir: PathBuf,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium session with a `width` × `height`
    /// window, or returns `None` when they are absent and `IKD_SKIP_BROWSER=1` says that is
    /// fine. Panics with a clear message otherwise. `extra_flags` go to Chromium after
    /// [`CHROMIUM_FLAGS`].
    pub async fn start(
        name: &str,
        width: u32,
        height: u32,
        extra_flags: &[String],
    ) -> Option<Browser> {
        let driver_bin = binary("IKD_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium_bin = binary("IKD_CHROMIUM", "/usr/bin/chromium");
        if !driver_bin.is_file() || !chromium_bin.is_file() {
            if std::env::var("IKD_SKIP_BROWSER").is_ok_and(|v| v == "1") {
                eprintln!(
                    "SKIPPED {name}: Chromium or ChromeDriver not found and IKD_SKIP_BROWSER=1"
                );
                return None;
            }
            panic!(
                "{name} needs a real browser, and {} or {} was not found. Install Debian's \
                 Chromium and ChromeDriver (apt-get install -y --no-install-recommends chromium \
                 chromium-driver; .ci/run does this), point IKD_CHROMIUM / IKD_CHROMEDRIVER at \
                 other binaries, or set IKD_SKIP_BROWSER=1 to skip the browser test explicitly.",
                chromium_bin.display(),
                driver_bin.display(),
            );
        }
        let dir = std::env::temp_dir().join(format!("ikd-browser-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("profile")).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("chromedriver.log")).unwrap();
        let driver = {
            use std::os::unix::process::CommandExt as _;
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                // Its own process group: dropping the browser kills ChromeDriver and
                // whatever it started, by the group's id.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", driver_bin.display()))
        };
        let http = reqwest::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            .no_proxy()
            .build()
            .unwrap();
        let mut browser = Browser {
            driver: Some(driver),
            port,
            session: String::new(),
            http,
            dir,
        };
        browser.wait_ready().await;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.dir.join("profile").display()
        ));
        args.push(format!("--window-size={width},{height}"));
        args.push("--lang=id".to_owned());
        args.extend(extra_flags.iter().cloned());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium_bin, "args": args},
        }}});
        let answer = browser.raw("POST", "/session", Some(capabilities)).await;
        browser.session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}\n{}", browser.driver_log()))
            .to_owned();
        Some(browser)
    }

    fn driver_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(Ok(Some(status))) = self.driver.as_mut().map(Child::try_wait) {
                panic!("chromedriver exited ({status}):\n{}", self.driver_log());
            }
            let url = format!("http://127.0.0.1:{}/status", self.port);
            if let Ok(answer) = self.http.get(&url).send().await
                && let Ok(text) = answer.text().await
                && serde_json::from_str::<Value>(&text).unwrap_or_default()["value"]["ready"]
                    == true
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready in time:\n{}",
                self.driver_log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url),
        };
        let request = match body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body.to_string()),
            None => request,
        };
        let answer = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let text = answer.text().await.unwrap_or_default();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("WebDriver answer {text}: {e}"))
    }

    /// A command of the session; panics on a WebDriver error.
    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self
            .raw(method, &format!("/session/{}{path}", self.session), body)
            .await;
        let value = answer["value"].clone();
        if let Some(error) = value.get("error") {
            panic!("WebDriver {method} {path}: {error}: {}", value["message"]);
        }
        value
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(json!({"url": url})))
            .await;
    }

    /// The element `css` selects (the first).
    pub async fn find(&self, css: &str) -> String {
        let value = self
            .command(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        value[ELEMENT_KEY].as_str().unwrap().to_owned()
    }

    /// Types `text` into the element (a file input takes a file path this way).
    pub async fn send_keys(&self, element: &str, text: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Empties an input.
    pub async fn clear(&self, element: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks the element.
    pub async fn click(&self, element: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The element's rendered text.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.command("GET", &format!("/element/{element}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Polls `script` until it returns something other than `null` or `false`, for at most
    /// `limit`; panics with `what` and the page's text when it does not.
    pub async fn wait_for(&self, what: &str, script: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let value = self.execute(script, json!([])).await;
            if !value.is_null() && value != false {
                return value;
            }
            if Instant::now() > deadline {
                let page = self
                    .execute("return document.body.innerText", json!([]))
                    .await;
                panic!("{what}: not within {limit:?}; the page shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Resizes the window (outer size).
    pub async fn resize(&self, width: u32, height: u32) {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// A PNG of the window's viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let value = self.command("GET", "/screenshot", None).await;
        ikd_sdk::encoding::base64_decode(value.as_str().unwrap()).unwrap()
    }

    /// Ends the session (Chromium closes) and stops ChromeDriver.
    pub async fn quit(mut self) {
        let _ = self
            .raw("DELETE", &format!("/session/{}", self.session), None)
            .await;
        self.session.clear();
        self.stop_driver();
    }

    fn stop_driver(&mut self) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        // The process group has the driver's id (process_group(0)).
        let group = format!("-{}", driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = driver.kill();
        let _ = driver.wait();
    }

    /// The folder of the profile and the driver's log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // A blocking DELETE: Drop cannot await. Chromium closes with the session.
            if let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                    self.session, self.port
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let _ = stream.read_to_end(&mut Vec::new());
                }
            }
        }
        self.stop_driver();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
