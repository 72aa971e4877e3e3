//! The offline verifier page in a real browser, opened from disk (file://), so that no
//! server and no network is involved: headless Chromium driven through ChromeDriver
//! (W3C WebDriver over loopback). Chromium's fake camera plays a video of a Kartu
//! Keluarga's QR code, and the page must read it from a camera frame and show it valid
//! with every NIK on one line; a USB scanner's typing is verified too. Then a page whose
//! operator loads an out-of-date signed trust list from files must warn that the trust
//! data is stale, and refuse a credential with `trust_list_stale`.
//!
//! Needs Debian's `chromium` and `chromium-driver` and the WebAssembly tools (as
//! `tests/node.rs`); fails without them unless `IKD_SKIP_BROWSER=1`. With
//! `IKD_SCREENSHOTS=1` it writes `docs/screenshots/offline-valid.png` and
//! `offline-stale.png`; it prints the time from navigation to the first verdict.
//!
//! A second test serves the same folder from a static web server on loopback (a few
//! lines of `std::net` in this file, no other network) and checks that the page works
//! there too, fetching nothing but its own files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ikd_sdk::UnixTime;
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);
const VERDICT_WAIT: Duration = Duration::from_secs(60);
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn work_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../target"));
    std::fs::create_dir_all(&target).unwrap();
    // Chromium wants its profile folder as a plain absolute path.
    target.canonicalize().unwrap().join("ikd-wasm/page-test")
}

/// One plain HTTP/1.1 request to ChromeDriver on loopback; the JSON answer.
fn http(method: &str, port: u16, path: &str, body: Option<&Value>) -> Value {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // ChromeDriver may keep the connection open: read the head, then as many bytes as
    // its Content-Length says (or chunks to the last).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "{method} {path}: connection closed early");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|l| l.trim().parse::<usize>().unwrap());
    let body_start = head_end + 4;
    loop {
        let have = raw.len() - body_start;
        let done = match length {
            Some(length) => have >= length,
            None => raw.ends_with(b"\r\n0\r\n\r\n"),
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let rest = String::from_utf8_lossy(&raw[body_start..]).into_owned();
    let rest = if length.is_none() && head.contains("transfer-encoding: chunked") {
        dechunk(&rest)
    } else {
        rest
    };
    serde_json::from_str(&rest).unwrap_or_else(|e| panic!("{method} {path}: {e}: {rest}"))
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        text = &rest[size + 2..];
    }
    out
}

/// ChromeDriver with one headless Chromium session; dropped, it kills both.
struct Driver {
    child: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

impl Driver {
    fn start(name: &str, extra: &[String]) -> Driver {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = {
            use std::os::unix::process::CommandExt as _;
            Command::new("/usr/bin/chromedriver")
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap()
        };
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = work_dir().join(format!("profile-{name}"));
        let _ = std::fs::remove_dir_all(&profile);
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
            "--lang=id",
        ]
        .map(str::to_owned)
        .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().cloned());
        // Built before the session exists, so that a failure to start still ends
        // ChromeDriver (on drop).
        let mut driver = Driver {
            child,
            port,
            session: String::new(),
            profile,
        };
        let answer = http(
            "POST",
            port,
            "/session",
            Some(
                &json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
                "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}),
            ),
        );
        driver.session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        driver
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = http(
            method,
            self.port,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        let value = answer["value"].clone();
        if let Some(error) = value.get("error") {
            panic!("WebDriver {path}: {error}: {}", value["message"]);
        }
        value
    }

    fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(json!({"url": url})));
    }

    fn execute(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn find(&self, css: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    fn send_keys(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        );
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// Polls `script` until it returns something truthy, and returns that.
    fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + VERDICT_WAIT;
        loop {
            let value = self.execute(script);
            if !value.is_null() && value != json!(false) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not in time; page says {}",
                self.execute("return document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&self, name: &str) {
        if std::env::var("IKD_SCREENSHOTS").as_deref() != Ok("1") {
            return;
        }
        let png = self.command("GET", "/screenshot", None);
        let bytes = ikd_sdk::encoding::base64_decode(png.as_str().unwrap()).unwrap();
        let dir = crate_dir().join("../../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            http(
                "DELETE",
                self.port,
                &format!("/session/{}", self.session),
                None,
            )
        });
        // ChromeDriver runs in its own process group: end it and what it started.
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn tools_present() -> bool {
    let have = |path: &str| Path::new(path).is_file();
    let bindgen = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") && bindgen {
        return true;
    }
    if std::env::var("IKD_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("SKIPPED: Chromium, ChromeDriver or wasm-bindgen missing, IKD_SKIP_BROWSER=1");
        return false;
    }
    panic!(
        "the offline page's test needs Chromium and ChromeDriver (Debian: chromium \
         chromium-driver) and wasm-bindgen-cli; .ci/run installs them. IKD_SKIP_BROWSER=1 \
         skips it."
    );
}

/// Builds the page into `out`, with trust data beside it from `trust` when given.
fn build_page(out: &Path, trust: Option<&Path>) {
    let mut command = Command::new(crate_dir().join("page.sh"));
    if let Some(trust) = trust {
        command.arg("--trust").arg(trust);
    }
    let status = command.arg(out).stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "page.sh failed");
}

/// A one-frame YUV4MPEG2 video (4:2:0, what Chromium's fake camera plays): a grey scene
/// with the QR code of `text` on white in the middle, `px` pixels a module.
fn camera_video(text: &str, width: usize, height: usize, px: usize) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 8) * px;
    assert!(side <= width.min(height), "the code does not fit the frame");
    let (left, top) = ((width - side) / 2, (height - side) / 2);
    let mut luma = vec![110u8; width * height];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            luma[(top + y) * width + left + x] = if dark { 0 } else { 255 };
        }
    }
    let mut video =
        format!("YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\nFRAME\n").into_bytes();
    video.extend_from_slice(&luma);
    video.resize(
        video.len() + width.div_ceil(2) * height.div_ceil(2) * 2,
        128,
    );
    video
}

/// A grey PNG of the QR code of `text`, `px` pixels a module, with a quiet zone.
fn qr_png(text: &str, px: usize) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 8) * px;
    let mut raw = Vec::with_capacity((side + 1) * side);
    for y in 0..side {
        raw.push(0); // filter: none
        for x in 0..side {
            let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let side = u32::try_from(side).unwrap();
    let mut header = Vec::new();
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (*b"IHDR", header),
        (
            *b"IDAT",
            miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
        ),
        (*b"IEND", Vec::new()),
    ] {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(&data);
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const VERDICT: &str = "const v = document.getElementById('verdict');
if (!v || v.dataset.verdict === 'none') return null;
return {state: v.dataset.verdict, title: document.getElementById('verdict-title').textContent,
        reason: document.getElementById('verdict-reason').textContent,
        meta: document.getElementById('meta').innerText};";

/// Every NIK and nomor KK on the page, and whether each fits on one line.
const NUMBERS_WHOLE: &str = "
const numbers = [...document.querySelectorAll('#document dd.number')];
return {count: numbers.length, broken: numbers.filter((dd) => {
  const range = document.createRange(); range.selectNodeContents(dd.firstChild);
  return range.getClientRects().length !== 1;
}).map((dd) => dd.textContent)};";

/// Clicks the camera button as if the page were not a secure context (a script shared
/// by both pages' browser tests).
const INSECURE_CAMERA_CLICK: &str =
    include_str!("../../../verifier-service/tests/common/insecure_camera_click.js");

/// The tests one at a time: they share the work folder and two browsers at once would
/// skew the first-verdict times.
static SERIAL: Mutex<()> = Mutex::new(());

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn the_offline_page_verifies_a_camera_frame_and_warns_of_stale_trust_data() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !tools_present() {
        return;
    }
    let dir = work_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Trust data beside the page: the demo issuers' trust store, credentials issued now.
    let now = ikd_facade::time::system_now().unwrap();
    let demo = ikd_sdk::demo::DemoData::generate(UnixTime(now)).unwrap();
    let trust_dir = dir.join("trust");
    std::fs::create_dir_all(&trust_dir).unwrap();
    std::fs::write(trust_dir.join("trust-store.json"), demo.trust.to_json()).unwrap();
    let page = dir.join("with-trust");
    build_page(&page, Some(&trust_dir));
    let kk = demo.credential("kk-8").unwrap().qr_text.clone();
    let video = dir.join("kk.y4m");
    std::fs::write(&video, camera_video(&kk, 1280, 720, 4)).unwrap();

    let browser = Driver::start(
        "camera",
        &[
            "--use-fake-ui-for-media-stream".to_owned(),
            "--use-fake-device-for-media-stream".to_owned(),
            format!("--use-file-for-fake-video-capture={}", video.display()),
        ],
    );
    browser.goto(&file_url(&page.join("index.html")));
    browser.wait_for(
        "return document.body.dataset.ready === '1'",
        "the page starts",
    );
    let trust_state =
        browser.execute("return document.getElementById('trust-state').dataset.state");
    assert_eq!(trust_state, "fresh");

    // A USB scanner types the QR text and Enter; timed from navigation to the verdict.
    let first_verdict_ms = browser.execute(&format!(
        "const input = document.getElementById('wedge'); input.value = {};
         input.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}}));
         return performance.now();",
        json!(kk)
    ));
    let verdict = browser.wait_for(VERDICT, "a verdict for the typed KK");
    assert_eq!(verdict["state"], "valid", "{verdict}");
    eprintln!(
        "offline page: navigation to first verdict {:.0} ms",
        first_verdict_ms.as_f64().unwrap()
    );
    browser.send_keys("#wedge", "https://example.com\n");
    let verdict = browser.wait_for(
        "const v = document.getElementById('verdict'); return v.dataset.verdict === 'rejected' ? document.getElementById('meta').innerText : null;",
        "a rejection for a URL",
    );
    assert!(
        verdict.as_str().unwrap().contains("not_ikd_credential"),
        "{verdict}"
    );

    // An uploaded picture: a PNG of a KTP-el's QR code. Shown bare, a KTP-el is refused
    // (it must come inside a presentation from the holder's phone).
    let picture = dir.join("ktp.png");
    std::fs::write(
        &picture,
        qr_png(&demo.credential("ktp").unwrap().qr_text, 4),
    )
    .unwrap();
    browser.send_keys("#file-input", picture.to_str().unwrap());
    let verdict = browser.wait_for(
        "const v = document.getElementById('verdict'); return v.dataset.verdict === 'rejected' && document.getElementById('meta').innerText.includes('presentation_required') ? true : null;",
        "the uploaded KTP-el refused bare",
    );
    assert_eq!(verdict, true);

    // Served over plain HTTP from another machine, a page gets no camera: it says why and
    // does not ask. (The page comes from disk here, a secure context; the test makes it
    // look otherwise for one click.)
    let insecure = browser.execute(INSECURE_CAMERA_CLICK);
    assert_eq!(
        insecure,
        json!({"status": "Kamera hanya bisa dipakai bila halaman ini dibuka dari disk, lewat HTTPS, atau di komputer ini (localhost).",
               "hidden": true})
    );

    // The camera: the fake device films the KK's QR code.
    browser.click("#camera-toggle");
    let verdict = browser.wait_for(
        &format!(
            "const s = document.getElementById('camera-status').textContent;
             return s === {} ? true : null;",
            json!("Kode QR terbaca; kamera dimatikan.")
        ),
        "the camera reads the code",
    );
    assert_eq!(verdict, true);
    let verdict = browser.wait_for(VERDICT, "a verdict from the camera");
    assert_eq!(verdict["state"], "valid", "{verdict}");
    assert_eq!(verdict["title"], "SAH");
    assert!(verdict["meta"].as_str().unwrap().contains("Kartu Keluarga"));
    assert!(
        verdict["meta"]
            .as_str()
            .unwrap()
            .contains("berkas kepercayaan lokal")
    );
    // The region tables (a file of their own beside the module) name the desa.
    let place = browser.execute("return document.getElementById('document').innerText");
    assert!(place.as_str().unwrap().contains("Gegerkalong"), "{place}");
    // Eight members and the family card: nine numbers, none broken across lines, in a
    // narrow window too.
    let numbers = browser.execute(NUMBERS_WHOLE);
    assert_eq!(numbers, json!({"count": 9, "broken": []}));
    browser.command(
        "POST",
        "/window/rect",
        Some(json!({"width": 420, "height": 900})),
    );
    let numbers = browser.execute(NUMBERS_WHOLE);
    assert_eq!(numbers, json!({"count": 9, "broken": []}));
    browser.command(
        "POST",
        "/window/rect",
        Some(json!({"width": 1280, "height": 1000})),
    );
    // Nothing came from anywhere but the page's own folder.
    let foreign = browser.execute(
        "return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith('file:'))",
    );
    assert_eq!(foreign, json!([]));
    browser.screenshot("offline-valid.png");
    drop(browser);

    // An operator loads an old signed trust list from files: the conformance suite's,
    // issued in 2026-09, with its roots and a status list.
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(ikd_conformance::vectors_dir().join("trust.json")).unwrap(),
    )
    .unwrap();
    let (_, list) = vectors["trust_lists"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let files = dir.join("old-trust");
    std::fs::create_dir_all(&files).unwrap();
    let hex = |v: &Value| ikd_sdk::encoding::hex_decode(v.as_str().unwrap()).unwrap();
    std::fs::write(files.join("trust-list.cwt"), hex(&list["token"])).unwrap();
    std::fs::write(
        files.join("roots.json"),
        json!({"format": "ikd-trust-anchors/1",
               "roots": [{"name": "root", "public_key": list["roots"][0]}]})
        .to_string(),
    )
    .unwrap();
    let status = vectors["status_lists"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    std::fs::write(files.join("status-1"), hex(&status["token"])).unwrap();
    let root = ikd_sdk::IssuerSigningKey::from_seed(&[0x44; 32]);
    let stale_list = ikd_sdk::VerifiedTrustList::verify(&hex(&list["token"]), &[root.public_key()])
        .unwrap()
        .list()
        .clone();
    // A KK by issuer A, whose key that list names (the suite's seed 0x11), valid past today.
    // It is issued inside that key's signing window, which ends in 2027, so that only the
    // trust data's age decides whatever the date the test runs on.
    let issuer = ikd_sdk::Issuer::new(
        ikd_sdk::IssuerSigningKey::from_seed(&[0x11; 32]),
        "ID-DUKCAPIL-3273",
    )
    .unwrap();
    let window_end = stale_list
        .entries
        .iter()
        .find(|entry| entry.key.key == issuer.key().public_key())
        .unwrap()
        .key
        .valid_until;
    let document = serde_json::from_str(ikd_sdk::samples::KK_4_JSON).unwrap();
    let validity = ikd_sdk::Validity {
        issued_at: UnixTime((now - 60).min(window_end.0)),
        not_before: None,
        expires_at: UnixTime(now + 86_400),
    };
    let (issued, _) = issuer
        .issue(&document, validity, &ikd_sdk::IssueOptions::default())
        .unwrap();
    let credential = issued.to_qr_text();

    let bare = dir.join("bare");
    build_page(&bare, None);
    let browser = Driver::start("stale", &[]);
    browser.goto(&file_url(&bare.join("index.html")));
    browser.wait_for(
        "return document.body.dataset.ready === '1'",
        "the page starts",
    );
    assert_eq!(
        browser.execute("return document.getElementById('trust-state').dataset.state"),
        "none"
    );
    let paths: Vec<String> = ["trust-list.cwt", "roots.json", "status-1"]
        .iter()
        .map(|f| files.join(f).canonicalize().unwrap().display().to_string())
        .collect();
    browser.send_keys("#trust-files", &paths.join("\n"));
    let state = browser.wait_for(
        "const s = document.getElementById('trust-state'); return s.dataset.state !== 'none' ? {state: s.dataset.state, text: s.textContent} : null;",
        "the trust data loads",
    );
    assert_eq!(state["state"], "stale", "{state}");
    assert!(
        state["text"]
            .as_str()
            .unwrap()
            .contains("Data kepercayaan terlalu lama"),
        "{state}"
    );
    assert!(state["text"].as_str().unwrap().contains("no. 7"), "{state}");
    browser.execute(&format!(
        "const input = document.getElementById('wedge'); input.value = {};
         input.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}}));",
        json!(credential)
    ));
    let verdict = browser.wait_for(VERDICT, "a verdict under stale trust data");
    assert_eq!(verdict["state"], "rejected", "{verdict}");
    assert!(
        verdict["meta"]
            .as_str()
            .unwrap()
            .contains("trust_list_stale"),
        "{verdict}"
    );
    browser.screenshot("offline-stale.png");

    // A trust bundle renews the data from a USB stick: the suite's list, signed again by
    // its root (`[0x44; 32]`) as sequence 8 and issued now, with a fresh status list.
    // An older sequence is refused under the import rules, and the page says why.
    // Its status list, issued now by issuer A.
    let fresh_status = ikd_sdk::status_list::sign_status_list(
        &ikd_sdk::IssuerSigningKey::from_seed(&[0x11; 32]),
        &ikd_sdk::status_list::StatusListIssue {
            issuer: "ID-DUKCAPIL-3273",
            uri: status["uri"].as_str().unwrap(),
            issued_at: UnixTime(now - 60),
            expires_at: Some(UnixTime(now + 7 * 86_400)),
            ttl_seconds: None,
        },
        &ikd_sdk::StatusList::new(1, 1024).unwrap(),
    )
    .unwrap();
    let bundle_of = |sequence: u64, name: &str| {
        let mut renewed = stale_list.clone();
        renewed.sequence = sequence;
        renewed.issued_at = UnixTime(now - 60);
        renewed.next_update = UnixTime(now + 7 * 86_400);
        let mut bundle = ikd_sdk::TrustBundle::new(renewed.sign(&root).unwrap()).unwrap();
        bundle.add_status_list(fresh_status.clone()).unwrap();
        std::fs::write(files.join(name), bundle.to_bytes()).unwrap();
        [name, "roots.json"]
            .iter()
            .map(|f| files.join(f).canonicalize().unwrap().display().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let older = bundle_of(6, "older.ikdb");
    browser.send_keys("#trust-files", &older);
    let refused = browser.wait_for(
        "const e = document.getElementById('trust-error').textContent; return e ? e : null;",
        "the older bundle is refused",
    );
    assert!(
        refused
            .as_str()
            .unwrap()
            .starts_with("bundle_trust_list_rollback")
            && refused.as_str().unwrap().ends_with("(bundle_refused)"),
        "{refused}"
    );
    let renewed = bundle_of(8, "trust-bundle.ikdb");
    browser.send_keys("#trust-files", &renewed);
    let state = browser.wait_for(
        "const s = document.getElementById('trust-state'); return s.dataset.state === 'fresh' ? s.textContent : null;",
        "the bundle renews the trust data",
    );
    let text = state.as_str().unwrap();
    assert!(
        text.contains("no. 8") && text.contains("Dari bundel:"),
        "{text}"
    );
    browser.execute(&format!(
        "const input = document.getElementById('wedge'); input.value = {};
         input.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}}));",
        json!(credential)
    ));
    let verdict = browser.wait_for(
        "const v = document.getElementById('verdict'); return v && v.dataset.verdict === 'valid' ? v.dataset.verdict : null;",
        "a valid verdict under the bundle's trust data",
    );
    assert_eq!(verdict, "valid");
}

/// A static web server on loopback for one folder: `GET` of its own files only, every
/// request's path recorded; stopped on drop.
struct StaticServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, log, stopping) = (root.to_owned(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, log) = (root.clone(), log.clone());
                // One thread a connection: a browser may open one and send nothing.
                std::thread::spawn(move || serve_one(stream, &root, &log));
            }
        });
        StaticServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 65536 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/");
    log.lock().unwrap().push(path.to_owned());
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        name => name,
    };
    let file = (method == "GET" && !name.contains("..") && !name.contains('/'))
        .then(|| std::fs::read(root.join(name)).ok())
        .flatten();
    let (status, kind, body) = match file {
        Some(body) => {
            let kind = match name.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            ("200 OK", kind, body)
        }
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

#[test]
fn the_offline_page_works_from_a_static_web_server_on_loopback() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !tools_present() {
        return;
    }
    let dir = work_dir().with_file_name("page-test-http");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let now = ikd_facade::time::system_now().unwrap();
    let demo = ikd_sdk::demo::DemoData::generate(UnixTime(now)).unwrap();
    let trust_dir = dir.join("trust");
    std::fs::create_dir_all(&trust_dir).unwrap();
    std::fs::write(trust_dir.join("trust-store.json"), demo.trust.to_json()).unwrap();
    let page = dir.join("site");
    build_page(&page, Some(&trust_dir));

    let server = StaticServer::start(&page);
    let browser = Driver::start("http", &[]);
    browser.goto(&server.url(""));
    browser.wait_for(
        "return document.body.dataset.ready === '1'",
        "the page starts",
    );
    assert_eq!(
        browser.execute("return document.getElementById('trust-state').dataset.state"),
        "fresh"
    );
    let kk = demo.credential("kk-4").unwrap().qr_text.clone();
    let first_verdict_ms = browser.execute(&format!(
        "const input = document.getElementById('wedge'); input.value = {};
         input.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}}));
         return performance.now();",
        json!(kk)
    ));
    let verdict = browser.wait_for(VERDICT, "a verdict for the typed KK");
    assert_eq!(verdict["state"], "valid", "{verdict}");
    assert_eq!(verdict["title"], "SAH");
    eprintln!(
        "offline page over http: navigation to first verdict {:.0} ms",
        first_verdict_ms.as_f64().unwrap()
    );
    let place = browser.execute("return document.getElementById('document').innerText");
    assert!(place.as_str().unwrap().contains("Gegerkalong"), "{place}");
    // The page runs under its own Content-Security-Policy (no connections at all).
    let csp = browser.execute(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content",
    );
    assert!(
        csp.as_str().unwrap().contains("connect-src 'none'"),
        "{csp}"
    );
    // Every resource came from this server, and the server was asked for nothing but
    // the page's own files.
    let origin = server.url("");
    let foreign = browser.execute(&format!(
        "return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith({}))",
        json!(origin)
    ));
    assert_eq!(foreign, json!([]));
    drop(browser);
    let mut asked = server.requests.lock().unwrap().clone();
    asked.sort();
    asked.dedup();
    let own: Vec<String> = std::fs::read_dir(&page)
        .unwrap()
        .map(|e| format!("/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    for path in &asked {
        assert!(
            path == "/" || own.contains(path),
            "asked for {path}: {asked:?}"
        );
    }
    for file in [
        "/ikd_wasm.js",
        "/ikd_wasm_module.js",
        "/ikd_wilayah.js",
        "/verdict.js",
        "/offline.js",
    ] {
        assert!(
            asked.iter().any(|p| p == file),
            "{file} not fetched: {asked:?}"
        );
    }
}
