//! The counter page in a real browser: headless Chromium, driven through ChromeDriver,
//! loads the page from a service this test starts on loopback, signs in, uploads PNGs of
//! QR codes through the file input, types with the "USB scanner", and reads the verdict
//! the page shows: green and SAH for a genuine Kartu Keluarga, red and DITOLAK with the
//! reason for a tampered one. Chromium's fake camera then plays a video of a phone
//! showing a KTP-el presentation, and the page's camera scan must read it and show it
//! valid, with the presentation's countdown.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); fails
//! without them unless `IKD_SKIP_BROWSER=1`. With `IKD_SCREENSHOTS=1` it also writes
//! `docs/screenshots/counter-valid.png` and `counter-rejected.png` (for the README).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::browser::Browser;
use common::counter::*;
use common::pictures;
use common::*;
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::server;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// How long the page may take to show a verdict (a debug build scanning on a busy machine).
const VERDICT_WAIT: Duration = Duration::from_secs(45);
/// The whole test.
const TEST_LIMIT: Duration = Duration::from_secs(300);

/// The verdict box's state and texts, and its background colour.
const READ_VERDICT: &str = "const v = document.getElementById('verdict');
return {state: v.dataset.verdict,
        title: document.getElementById('verdict-title').textContent,
        reason: document.getElementById('verdict-reason').textContent,
        background: getComputedStyle(v).backgroundColor,
        document: document.getElementById('document').innerText,
        meta: document.getElementById('meta').innerText};";

/// Clicks the camera button as if the page were not a secure context (a script shared
/// by both pages' browser tests).
const INSECURE_CAMERA_CLICK: &str = include_str!("common/insecure_camera_click.js");

/// The nomor KK and NIKs shown, and those whose text wraps onto a second line.
const NUMBERS_WHOLE: &str = "
const numbers = [...document.querySelectorAll('#document dd.number')];
return {count: numbers.length, broken: numbers.filter((dd) => {
  const range = document.createRange(); range.selectNodeContents(dd.firstChild);
  return range.getClientRects().length !== 1;
}).map((dd) => dd.textContent)};";

/// Accessibility problems on the page as shown: visible text whose contrast with the
/// background behind it is below WCAG's 4.5:1 (AA, normal text), and visible controls that
/// the keyboard cannot reach or that have no accessible name. An empty list when none.
const ACCESSIBILITY_PROBLEMS: &str = "
const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const backdrop = (e) => {
  for (let n = e; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
  }
  return [255, 255, 255];
};
const problems = [];
for (const e of document.querySelectorAll('body *')) {
  if (!visible(e) || e.closest('video')) continue;
  const ownText = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (ownText) {
    const [a, b] = [luminance(rgba(getComputedStyle(e).color)), luminance(backdrop(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${e.tagName}#${e.id}.${e.className}`);
  }
  if (e.matches('button, input, select, textarea, a[href]')) {
    const named = e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length || e.title;
    if (e.tabIndex < 0 || e.disabled) problems.push(`not keyboard-reachable: ${e.tagName}#${e.id}`);
    if (!named) problems.push(`no accessible name: ${e.tagName}#${e.id}`);
  }
}
return problems;";

async fn assert_accessible(browser: &Browser, state: &str) {
    let problems = browser.execute(ACCESSIBILITY_PROBLEMS, json!([])).await;
    assert_eq!(problems, json!([]), "accessibility, {state}");
}

fn wait_verdict_script(state: &str, title: &str) -> String {
    format!(
        "const v = document.getElementById('verdict');
         return v.dataset.verdict === '{state}' &&
                document.getElementById('verdict-title').textContent === '{title}';"
    )
}

/// The KTP-el sample with a portrait (a 48 × 64 JPEG), issued by the demo KTP-el issuer,
/// bound to the demo phone, and shown from it at about [`NOW`].
fn ktp_with_portrait_shown(data: &ikd_sdk::demo::DemoData) -> String {
    let mut face = image::GrayImage::new(48, 64);
    for (x, y, pixel) in face.enumerate_pixels_mut() {
        *pixel = image::Luma([(x * 4 + y * 2) as u8]);
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
        .encode_image(&face)
        .unwrap();
    let mut document: ikd_sdk::Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON).unwrap();
    let ikd_sdk::Document::Ktp(ktp) = &mut document else {
        panic!("the KTP-el sample is a KTP-el");
    };
    ktp.foto = Some(jpeg);
    let issuer = &data
        .issuers
        .iter()
        .find(|i| i.doc_type == ikd_sdk::DocType::Ktp)
        .unwrap()
        .issuer;
    let options = ikd_sdk::IssueOptions {
        holder_key: Some(data.holder.public_key()),
        ..Default::default()
    };
    let (credential, _) = issuer.issue(&document, data.validity, &options).unwrap();
    ikd_sdk::present(&credential, &data.holder, NOW, 90, None)
        .unwrap()
        .to_qr_text()
}

fn screenshot_dir() -> Option<PathBuf> {
    std::env::var("IKD_SCREENSHOTS")
        .ok()
        .filter(|v| v == "1")
        .map(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("docs")
                .join("screenshots")
        })
}

/// Saves a screenshot of the whole page (the window grown to the page's height).
async fn save_screenshot(browser: &Browser, name: &str) {
    let Some(dir) = screenshot_dir() else {
        return;
    };
    let height = browser
        .execute(
            "return Math.ceil(document.documentElement.scrollHeight);",
            json!([]),
        )
        .await
        .as_u64()
        .unwrap();
    // The outer window is taller than the viewport by the (headless) window frame, if any.
    browser.resize(1280, (height as u32 + 40).min(2400)).await;
    let png = browser.screenshot().await;
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), &png).unwrap();
    browser.resize(1280, 900).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_page_shows_the_verdict_in_a_real_browser() {
    tokio::time::timeout(TEST_LIMIT, run())
        .await
        .expect("the browser test finishes in time");
}

async fn run() {
    let dir = TempDir::new("browser");
    let data = demo_data();
    // What the fake camera films: the holder's phone showing a presentation made 10 s
    // before the service's (fixed) clock, so with 80 s left when it is verified.
    let presented = presented_at(&data, "ktp", ikd_sdk::UnixTime(NOW.0 - 10));
    let camera_video = dir.path().join("phone.y4m");
    std::fs::write(&camera_video, pictures::y4m(&presented, 1280, 720, 5)).unwrap();
    let camera_flags = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
        format!(
            "--use-file-for-fake-video-capture={}",
            camera_video.display()
        ),
    ];
    let Some(browser) = Browser::start("counter", 1280, 900, &camera_flags).await else {
        return;
    };
    let kk = sample_qr(&data, "kk-4");
    // A KTP-el with one character changed: still well-formed, but no longer what the
    // issuer signed.
    let bad = forged(&sample_qr(&data, "ktp"), &data.trust);
    let valid_png = dir.path().join("kk-4.png");
    let tampered_png = dir.path().join("ktp-tampered.png");
    std::fs::write(&valid_png, pictures::png(&kk)).unwrap();
    std::fs::write(&tampered_png, pictures::png(&bad)).unwrap();

    // The service, on a free loopback port, with the staff accounts.
    // Receipts on: the page offers each verification's receipt for printing.
    let receipt_toml = format!(
        "[receipt]\nverifier_id = \"KECAMATAN-COBLONG-01\"\nsigning_key = \"{}\"\n{}",
        "71".repeat(32),
        staff_toml()
    );
    let mut config = config(dir.path(), &receipt_toml);
    config.listen = "127.0.0.1:0".parse().unwrap();
    // Scanning a 1280 × 720 camera frame takes about the default 250 ms budget in a debug
    // build (a tenth of that in release): give the test's frames room.
    config.upload.scan_budget = Duration::from_secs(5);
    std::fs::write(&config.trust_store, data.trust.to_json()).unwrap();
    let state = server::build(&config, Clock::Fixed(NOW)).unwrap();
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service = tokio::spawn(server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");

    // What the API answers for the same client and purpose: the page must say the same.
    let api = |qr: &str| {
        let qr = qr.to_owned();
        async move {
            let (status, text) = post_verify(addr, BANK_KEY, &qr, Some("kyc")).await;
            assert_eq!(status, 200, "{text}");
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    let expected_valid = api(&kk).await;
    let expected_rejected = api(&bad).await;
    assert_eq!(expected_valid["verdict"], "valid");
    assert_eq!(expected_rejected["verdict"], "rejected");
    let reason = &expected_rejected["reason"];

    // `/` leads to the page, which asks to sign in, in Bahasa Indonesia.
    browser.goto(&format!("{base}/")).await;
    browser
        .wait_for(
            "the sign-in form",
            "return !document.getElementById('login-panel').hidden;",
            Duration::from_secs(20),
        )
        .await;
    let url = browser
        .execute("return location.pathname;", json!([]))
        .await;
    assert_eq!(url, "/counter");
    assert_accessible(&browser, "signing in").await;
    assert_eq!(
        browser
            .execute("return document.documentElement.lang;", json!([]))
            .await,
        "id"
    );
    assert_eq!(browser.text("#login-title").await, "Masuk petugas");

    // A wrong password is refused and said so.
    let user = browser.find("#username").await;
    let password = browser.find("#password").await;
    browser.send_keys(&user, "petugas").await;
    browser.send_keys(&password, "salah").await;
    browser.click(&browser.find("#login-submit").await).await;
    browser
        .wait_for(
            "the sign-in error",
            "return document.getElementById('login-error').textContent === 'Nama pengguna atau kata sandi salah.';",
            Duration::from_secs(20),
        )
        .await;

    // The right one signs in; focus goes to the scanner field.
    browser.clear(&password).await;
    browser.send_keys(&password, PASSWORD).await;
    browser.click(&browser.find("#login-submit").await).await;
    browser
        .wait_for(
            "the work area",
            "return !document.getElementById('work').hidden;",
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(
        browser
            .execute("return document.activeElement.id;", json!([]))
            .await,
        "wedge"
    );
    // Nothing in the browser's storage; the session cookie is out of the script's reach.
    let stored = browser
        .execute(
            "return [localStorage.length, sessionStorage.length, document.cookie];",
            json!([]),
        )
        .await;
    assert_eq!(stored, json!([0, 0, ""]));

    // Upload the genuine KK's QR code as a PNG through the file input.
    let file = browser.find("#file-input").await;
    browser.send_keys(&file, valid_png.to_str().unwrap()).await;
    browser
        .wait_for(
            "the valid verdict",
            &wait_verdict_script("valid", "SAH"),
            VERDICT_WAIT,
        )
        .await;
    let shown = browser.execute(READ_VERDICT, json!([])).await;
    assert_eq!(shown["reason"], "Dokumen asli dan lolos semua pemeriksaan.");
    assert_eq!(shown["background"], "rgb(10, 107, 45)", "green");
    // The date of the trust data in use (a local file here: undated).
    assert_eq!(
        browser
            .execute(
                "return document.getElementById('data-line').textContent;",
                json!([])
            )
            .await,
        "Data kepercayaan: berkas lokal (tanpa tanggal)"
    );
    // The verdict offers its receipt; printing fills the A5 sheet with the receipt's QR
    // code and what it records (the print dialog itself is stubbed out).
    browser
        .wait_for(
            "the receipt button",
            "return !document.getElementById('receipt-print').hidden;",
            Duration::from_secs(5),
        )
        .await;
    browser
        .execute("window.print = () => {}; return true;", json!([]))
        .await;
    browser.click(&browser.find("#receipt-print").await).await;
    browser
        .wait_for(
            "the receipt sheet",
            "return document.querySelector('#receipt-qr svg') !== null \
             && document.body.classList.contains('printing');",
            Duration::from_secs(20),
        )
        .await;
    let sheet = browser
        .execute(
            "return document.getElementById('receipt-fields').textContent;",
            json!([]),
        )
        .await;
    let sheet = sheet.as_str().unwrap();
    assert!(sheet.contains("KECAMATAN-COBLONG-01"), "{sheet}");
    assert!(sheet.contains("SAH"), "{sheet}");
    browser
        .execute(
            "document.body.classList.remove('printing'); return true;",
            json!([]),
        )
        .await;
    let document = shown["document"].as_str().unwrap();
    // The KK as printed, from the verdict's display rows: labels, names, SIAK labels.
    let display = expected_valid["display"].as_array().unwrap();
    for section in display {
        assert!(
            document.contains(&section["title_id"].as_str().unwrap().to_uppercase()),
            "{document}"
        );
        for field in section["fields"].as_array().unwrap() {
            assert!(
                document.contains(field["label_id"].as_str().unwrap()),
                "{document}"
            );
            assert!(
                document.contains(field["value"].as_str().unwrap()),
                "{document}"
            );
        }
    }
    assert!(
        document.contains("ENTIN KURNIASIH"),
        "kyc shows the mother's name"
    );
    let meta = shown["meta"].as_str().unwrap();
    assert!(
        meta.contains("Kartu Keluarga") && meta.contains("Data kepercayaan"),
        "{meta}"
    );
    assert!(meta.contains("berkas kepercayaan lokal"), "{meta}");
    save_screenshot(&browser, "counter-valid.png").await;
    assert_accessible(&browser, "valid").await;
    // On a tablet (portrait) and a small laptop: one column or two, never a sideways scroll.
    for (width, columns) in [(800, 1), (1024, 2)] {
        browser.resize(width, 1000).await;
        let layout = browser
            .execute(
                "return [document.documentElement.scrollWidth <= window.innerWidth,
                         getComputedStyle(document.getElementById('work'))
                             .gridTemplateColumns.split(' ').length];",
                json!([]),
            )
            .await;
        assert_eq!(layout, json!([true, columns]), "at {width} px");
    }
    // The nomor KK and every member's NIK stay on one line, however narrow the cards.
    for width in [1280, 1024, 800, 420] {
        browser.resize(width, 1000).await;
        let numbers = browser.execute(NUMBERS_WHOLE, json!([])).await;
        assert_eq!(numbers, json!({"count": 5, "broken": []}), "at {width} px");
    }
    browser.resize(1280, 900).await;

    // The tampered one: red, with the reason in Bahasa Indonesia.
    assert_eq!(reason["code"], "signature_invalid");
    browser
        .send_keys(&file, tampered_png.to_str().unwrap())
        .await;
    browser
        .wait_for(
            "the rejected verdict",
            &wait_verdict_script("rejected", "DITOLAK"),
            VERDICT_WAIT,
        )
        .await;
    let shown = browser.execute(READ_VERDICT, json!([])).await;
    assert_eq!(shown["reason"], reason["message_id"]);
    assert_eq!(shown["background"], "rgb(164, 0, 29)", "red");
    assert_eq!(
        shown["document"], "",
        "nothing read from a rejected credential"
    );
    assert!(
        shown["meta"]
            .as_str()
            .unwrap()
            .contains(reason["code"].as_str().unwrap())
    );
    assert_eq!(
        browser
            .execute("return document.activeElement.id;", json!([]))
            .await,
        "verdict",
        "focus moves to the verdict after an upload"
    );
    save_screenshot(&browser, "counter-rejected.png").await;
    assert_accessible(&browser, "rejected").await;

    // English on request.
    browser.click(&browser.find("#lang-toggle").await).await;
    let shown = browser.execute(READ_VERDICT, json!([])).await;
    assert_eq!(shown["title"], "REJECTED");
    assert_eq!(shown["reason"], reason["message_en"]);
    assert_eq!(
        browser
            .execute("return document.documentElement.lang;", json!([]))
            .await,
        "en"
    );

    // The USB scanner types the text and Enter.
    let wedge = browser.find("#wedge").await;
    browser.send_keys(&wedge, &format!("{kk}\u{E007}")).await;
    browser
        .wait_for(
            "the scanned verdict",
            &wait_verdict_script("valid", "VALID"),
            VERDICT_WAIT,
        )
        .await;
    assert_eq!(
        browser
            .execute("return document.activeElement.id;", json!([]))
            .await,
        "wedge",
        "focus stays in the scanner field for the next scan"
    );

    // The camera: the page grabs frames, the service finds the code in one, the camera
    // turns off and the presentation shows valid with its countdown.
    browser.click(&browser.find("#lang-toggle").await).await;
    assert_eq!(
        browser
            .execute(
                "return document.getElementById('camera').hidden;",
                json!([])
            )
            .await,
        true
    );
    // Served over plain HTTP from another machine, the page gets no camera: it says why and
    // does not ask. (Loopback is a secure context; the test makes it look otherwise for
    // one click.)
    assert_eq!(
        browser.execute(INSECURE_CAMERA_CLICK, json!([])).await,
        json!({"status": "Kamera hanya bisa dipakai lewat HTTPS atau di komputer ini (localhost).",
               "hidden": true})
    );
    browser.click(&browser.find("#camera-toggle").await).await;
    // The verdict box still shows the scanner's (valid) verdict: wait for the camera to
    // say it read a code, which it says only after showing that code's verdict.
    browser
        .wait_for(
            "the camera to read the code",
            "return document.getElementById('camera-status').textContent ===
                    'Kode QR terbaca; kamera dimatikan.';",
            VERDICT_WAIT,
        )
        .await;
    let shown = browser.execute(READ_VERDICT, json!([])).await;
    assert_eq!(
        (&shown["state"], &shown["title"]),
        (&json!("valid"), &json!("SAH"))
    );
    let document = shown["document"].as_str().unwrap();
    assert!(document.contains("SITI NURHALIZA PUTRI"), "{document}");
    assert!(document.contains("3273015708920003"), "{document}");
    assert!(
        shown["meta"].as_str().unwrap().contains("KTP-el"),
        "{}",
        shown["meta"]
    );
    let camera = browser
        .execute(
            "return {hidden: document.getElementById('camera').hidden,
                     status: document.getElementById('camera-status').textContent,
                     button: document.getElementById('camera-toggle').textContent,
                     countdown: !document.getElementById('countdown').hidden};",
            json!([]),
        )
        .await;
    assert_eq!(
        camera,
        json!({"hidden": true, "status": "Kode QR terbaca; kamera dimatikan.",
               "button": "Nyalakan kamera", "countdown": true})
    );
    // The countdown runs from the service's time of the verification (its answer's `Date`),
    // not from the browser's clock, which is months past the service's fixed one here: the
    // code had 80 s left, and the page says so, less the seconds since.
    let countdown = browser
        .execute(
            "return document.getElementById('countdown').textContent;",
            json!([]),
        )
        .await;
    let left: u32 = countdown
        .as_str()
        .and_then(|text| text.strip_prefix("Berlaku "))
        .and_then(|text| text.strip_suffix(" detik lagi"))
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("a running countdown, not {countdown}"));
    assert!((40..=80).contains(&left), "{countdown}");

    // The same presentation shown again (a screenshot of the phone): refused as replayed,
    // and the page asks for a fresh code.
    browser
        .send_keys(&wedge, &format!("{presented}\u{E007}"))
        .await;
    browser
        .wait_for(
            "the replayed verdict",
            &wait_verdict_script("rejected", "DITOLAK"),
            VERDICT_WAIT,
        )
        .await;
    let shown = browser.execute(READ_VERDICT, json!([])).await;
    assert!(
        shown["meta"]
            .as_str()
            .unwrap()
            .contains("presentation_replayed"),
        "{}",
        shown["meta"]
    );
    assert!(
        shown["reason"]
            .as_str()
            .unwrap()
            .ends_with("Minta pemegang menampilkan kode QR yang baru."),
        "{}",
        shown["reason"]
    );

    // A KTP-el with a portrait: `kyc` may see it, so the page shows the photo on the card.
    browser
        .send_keys(
            &wedge,
            &format!("{}\u{E007}", ktp_with_portrait_shown(&data)),
        )
        .await;
    browser
        .wait_for(
            "the portrait",
            "const img = document.querySelector('#document img.portrait');
             return img !== null && img.complete && img.naturalWidth > 0;",
            VERDICT_WAIT,
        )
        .await;
    let portrait = browser
        .execute(
            "const img = document.querySelector('#document img.portrait');
             return [img.naturalWidth, img.naturalHeight, img.alt,
                     document.getElementById('verdict').dataset.verdict];",
            json!([]),
        )
        .await;
    assert_eq!(portrait, json!([48, 64, "Foto pemegang", "valid"]));

    // Signing out returns to the form; the session is gone on the server too.
    browser.click(&browser.find("#logout").await).await;
    browser
        .wait_for(
            "the sign-in form after signing out",
            "return !document.getElementById('login-panel').hidden &&
                    document.getElementById('login-note').textContent === 'Anda sudah keluar.';",
            Duration::from_secs(20),
        )
        .await;
    assert!(state.counter.sessions.is_empty());

    browser.quit().await;
    let _ = stop.send(());
    service.await.unwrap().unwrap();
}
