// IKD Verify offline page: every check runs in this browser through the WebAssembly
// build of the SDK. Plain classic script, no libraries, nothing from the network; it
// works opened from disk (file://). Nothing is stored: trust data, the replay cache and
// the last verdict live in this script's memory only.
"use strict";

(() => {
  const TEXT = {
    id: {
      skip: "Lewati ke isi",
      title: "Verifikasi IKD — Luring",
      loading: "Memuat…",
      load_failed: "Modul verifikasi tidak dapat dimuat.",
      trust_title: "Data kepercayaan",
      trust_files_label: "Muat data kepercayaan",
      trust_files_hint: "Berkas trust store (.json), atau trust-list.cwt dengan akar (.json) dan daftar status, atau bundel kepercayaan (.ikdb) dengan akar (.json).",
      trust_none: "Belum ada data kepercayaan: muat berkasnya untuk memverifikasi.",
      trust_local: "Berkas kepercayaan lokal, {n} kunci.",
      trust_list: "Daftar kepercayaan no. {seq}, terbit {when} ({age} lalu), pembaruan berikutnya {next}.",
      trust_status: "{n} daftar status, yang tertua terbit {age} lalu.",
      trust_fresh: "Data kepercayaan masih baru.",
      trust_grace: "PERINGATAN: data kepercayaan sudah usang. Hasil masih diberikan dengan peringatan; segera perbarui.",
      trust_stale: "Data kepercayaan terlalu lama: kredensial ditolak sampai data diperbarui.",
      trust_bad_files: "Berkas tidak dikenali: {names}",
      trust_need_anchors: "trust-list.cwt atau bundel (.ikdb) memerlukan berkas akar (ikd-trust-anchors/1).",
      trust_bundle: "Dari bundel: {installed} dari {total} daftar status dipasang.",
      trust_bundle_kept: "Tidak dari bundel (yang lama tetap dipakai bila ada): {parts}.",
      inputs_title: "Pindai atau unggah kode QR",
      wedge_label: "Pemindai USB atau teks QR",
      wedge_hint: "Klik di sini lalu pindai; Enter mengirim.",
      verify: "Verifikasi",
      file_label: "Unggah foto",
      file_hint: "PNG, JPEG atau WebP.",
      camera_label: "Kamera",
      camera_start: "Nyalakan kamera",
      camera_stop: "Matikan kamera",
      camera_scanning: "Arahkan kode QR ke kamera…",
      camera_insecure: "Kamera hanya bisa dipakai bila halaman ini dibuka dari disk, lewat HTTPS, atau di komputer ini (localhost).",
      camera_denied: "Kamera tidak dapat dibuka (izin ditolak atau tidak ada kamera).",
      camera_found: "Kode QR terbaca; kamera dimatikan.",
      no_code: "Tidak ada kode QR yang terbaca pada gambar ini.",
      no_trust: "Muat data kepercayaan terlebih dahulu.",
      no_fields: "Kredensial ini tidak memuat isi dokumen untuk ditampilkan.",
      trust_meta_local: "berkas kepercayaan lokal",
      trust_meta_list: "daftar kepercayaan no. {seq}, terbit {when} ({age} lalu)",
      trust_meta_status: "daftar status berumur {age}",
      footer: "Semua pemeriksaan berjalan di peramban ini, tanpa jaringan. Tidak ada yang disimpan.",
      other_language: "English",
    },
    en: {
      skip: "Skip to content",
      title: "IKD Verify — Offline",
      loading: "Loading…",
      load_failed: "The verification module could not be loaded.",
      trust_title: "Trust data",
      trust_files_label: "Load trust data",
      trust_files_hint: "A trust store file (.json), or trust-list.cwt with its roots (.json) and status lists, or a trust bundle (.ikdb) with its roots (.json).",
      trust_none: "No trust data yet: load its files to verify.",
      trust_local: "Local trust file, {n} keys.",
      trust_list: "Trust list no. {seq}, issued {when} ({age} ago), next update {next}.",
      trust_status: "{n} status lists, the oldest issued {age} ago.",
      trust_fresh: "The trust data is fresh.",
      trust_grace: "WARNING: the trust data is stale. Results are still given, with a warning; update it soon.",
      trust_stale: "The trust data is too old: credentials are rejected until it is updated.",
      trust_bad_files: "Files not recognised: {names}",
      trust_need_anchors: "trust-list.cwt or a bundle (.ikdb) needs a roots file (ikd-trust-anchors/1).",
      trust_bundle: "From the bundle: {installed} of {total} status lists installed.",
      trust_bundle_kept: "Not from the bundle (the one held stays, if any): {parts}.",
      inputs_title: "Scan or upload a QR code",
      wedge_label: "USB scanner or QR text",
      wedge_hint: "Click here, then scan; Enter submits.",
      verify: "Verify",
      file_label: "Upload a photo",
      file_hint: "PNG, JPEG or WebP.",
      camera_label: "Camera",
      camera_start: "Turn camera on",
      camera_stop: "Turn camera off",
      camera_scanning: "Hold the QR code up to the camera…",
      camera_insecure: "The camera works only when this page is opened from disk, over HTTPS, or on this computer (localhost).",
      camera_denied: "The camera could not be opened (permission denied or no camera).",
      camera_found: "QR code read; camera turned off.",
      no_code: "No QR code could be read in this picture.",
      no_trust: "Load the trust data first.",
      no_fields: "This credential carries no document fields to show.",
      trust_meta_local: "local trust file",
      trust_meta_list: "trust list no. {seq}, issued {when} ({age} ago)",
      trust_meta_status: "status list {age} old",
      footer: "Every check runs in this browser, without a network. Nothing is stored.",
      other_language: "Bahasa Indonesia",
    },
  };

  let lang = "id";
  let ikd = null;
  let policy = null;
  let trust = null;
  let verifier = null;
  let trustProblem = "";
  // What the last bundle loaded installed (BundleSummary), shown with the trust data.
  let bundleSummary = null;
  let shown = null; // { kind: "verdict", verdict, focus, verifiedAt, receivedAt } or { kind: "error", message }
  const camera = { stream: null, timer: null, canvas: null };

  const $ = (id) => document.getElementById(id);

  const view = IkdVerdictView.create({ text: TEXT, lang: () => lang, freshness });
  const { t, formatTime, formatAge } = view;

  const base64Bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  // --- Trust data -----------------------------------------------------------------

  // files: [{ name, bytes }]. A JSON file is a trust store or trust anchors, by its
  // "format"; trust-list.cwt is the signed trust list; a .ikdb file is a trust bundle,
  // installed over the data held under the import rules; any other file is a status list.
  function loadTrust(files) {
    let storeJson = null;
    let anchors = null;
    let list = null;
    let bundle = null;
    const statusLists = [];
    const unknown = [];
    for (const file of files) {
      if (/\.json$/i.test(file.name)) {
        let format = null;
        const text = new TextDecoder().decode(file.bytes);
        try {
          format = JSON.parse(text).format;
        } catch (_) {}
        if (format === "ikd-trust-store/1") storeJson = text;
        else if (format === "ikd-trust-anchors/1") anchors = text;
        else unknown.push(file.name);
      } else if (file.name === "trust-list.cwt") {
        list = file.bytes;
      } else if (/\.ikdb$/i.test(file.name)) {
        bundle = file.bytes;
      } else {
        statusLists.push(file);
      }
    }
    if (unknown.length) throw new Error(t("trust_bad_files", { names: unknown.join(", ") }));
    let loaded;
    let bundleLoad = null;
    if (bundle !== null && anchors !== null) {
      const now = ikd.nowSeconds();
      bundleLoad = trust ? trust.installBundle(bundle, anchors, now, policy) : ikd.TrustData.fromBundle(bundle, anchors, now, policy);
      loaded = bundleLoad.trust;
    } else if (storeJson !== null) loaded = ikd.TrustData.fromStoreJson(storeJson);
    else if (list !== null && anchors !== null) loaded = ikd.TrustData.fromTrustList(list, anchors);
    else throw new Error(t("trust_need_anchors"));
    for (const file of statusLists) loaded.addStatusList(file.bytes);
    trust = loaded;
    bundleSummary = bundleLoad && bundleLoad.summary;
    verifier = new ikd.Verifier(trust, policy);
    // A presentation is accepted once on this page.
    verifier.useReplayCache(10000);
    trustProblem = "";
  }

  function renderTrust() {
    const node = $("trust-state");
    if (!trust) {
      node.dataset.state = "none";
      node.textContent = trustProblem || t("trust_none");
      return;
    }
    const summary = trust.summary(ikd.nowSeconds(), policy);
    const parts = [];
    let state = "fresh";
    const worse = (s) => {
      const rank = { fresh: 0, stale_in_grace: 1, stale: 2 };
      if (s && rank[s] > rank[state]) state = s;
    };
    if (summary.trust_list) {
      const l = summary.trust_list;
      parts.push(t("trust_list", { seq: l.sequence, when: formatTime(l.issued_at), age: formatAge(l.age_seconds), next: formatTime(l.next_update) }));
      worse(l.freshness);
    } else {
      parts.push(t("trust_local", { n: summary.keys }));
    }
    if (summary.status_lists.length) {
      const oldest = Math.max(...summary.status_lists.map((s) => s.age_seconds || 0));
      parts.push(t("trust_status", { n: summary.status_lists.length, age: formatAge(oldest) }));
      for (const s of summary.status_lists) worse(s.freshness);
    }
    if (bundleSummary) {
      const lists = bundleSummary.status_lists;
      const kept = lists.filter((s) => s.outcome !== "installed");
      parts.push(t("trust_bundle", { installed: lists.length - kept.length, total: lists.length }));
      if (kept.length) parts.push(t("trust_bundle_kept", { parts: kept.map((s) => `${s.uri} (${s.outcome})`).join(", ") }));
    }
    parts.push(t({ fresh: "trust_fresh", stale_in_grace: "trust_grace", stale: "trust_stale" }[state]));
    node.dataset.state = state;
    node.textContent = parts.join(" ");
  }

  async function loadTrustFiles() {
    const input = $("trust-files");
    const files = [];
    for (const file of input.files) files.push({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    input.value = "";
    $("trust-error").textContent = "";
    try {
      loadTrust(files);
    } catch (e) {
      $("trust-error").textContent = e.code ? `${e.message} (${e.code})` : e.message;
    }
    renderTrust();
  }

  // --- Verifying ------------------------------------------------------------------

  function verifyText(text) {
    if (!verifier) {
      shown = { kind: "error", message: t("no_trust") };
    } else {
      const verdict = verifier.verify(text, ikd.nowSeconds()).verdict();
      shown = { kind: "verdict", verdict, focus: true, verifiedAt: Date.now(), receivedAt: performance.now() };
    }
    render();
  }

  function submitText() {
    const input = $("wedge");
    const text = input.value;
    input.value = "";
    if (text.trim()) verifyText(text);
  }

  // The QR texts in an image drawn to a canvas, IKD codes first.
  function scanCanvas(canvas) {
    const image = canvas.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, canvas.width, canvas.height);
    return ikd.scanRgba(image.data, image.width, image.height);
  }

  async function submitFile() {
    const input = $("file-input");
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    let texts = [];
    try {
      const bitmap = await createImageBitmap(file);
      const canvas = document.createElement("canvas");
      const scale = Math.min(1, 2000 / Math.max(bitmap.width, bitmap.height));
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      texts = scanCanvas(canvas);
    } catch (_) {}
    if (texts.length) verifyText(texts[0]);
    else {
      shown = { kind: "error", message: t("no_code") };
      render();
    }
  }

  async function startCamera() {
    const status = $("camera-status");
    // Browsers offer no camera to a page served over plain HTTP from another machine.
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = t("camera_insecure");
      return;
    }
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (_) {
      status.textContent = t("camera_denied");
      return;
    }
    const video = $("camera");
    video.srcObject = camera.stream;
    video.hidden = false;
    await video.play().catch(() => {});
    $("camera-toggle").textContent = t("camera_stop");
    status.textContent = t("camera_scanning");
    camera.timer = setInterval(grabFrame, 250);
  }

  function stopCamera(message) {
    if (camera.timer) clearInterval(camera.timer);
    camera.timer = null;
    if (camera.stream) for (const track of camera.stream.getTracks()) track.stop();
    camera.stream = null;
    const video = $("camera");
    video.srcObject = null;
    video.hidden = true;
    $("camera-toggle").textContent = t("camera_start");
    $("camera-status").textContent = message || "";
  }

  function grabFrame() {
    const video = $("camera");
    if (!camera.stream || video.readyState < 2 || !video.videoWidth) return;
    const scale = Math.min(1, 1280 / video.videoWidth);
    const canvas = camera.canvas || (camera.canvas = document.createElement("canvas"));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0, canvas.width, canvas.height);
    const texts = scanCanvas(canvas);
    if (texts.length) {
      stopCamera(t("camera_found"));
      verifyText(texts[0]);
    }
  }

  // --- Rendering (the counter page's verdict layout, verdict.js) ----------------------

  function freshness(trustData) {
    const parts = [];
    if (trustData && trustData.source === "trust_list") {
      parts.push(t("trust_meta_list", { seq: trustData.sequence ?? "?", when: formatTime(trustData.issued_at || ""), age: formatAge(trustData.age_seconds) }));
    } else {
      parts.push(t("trust_meta_local"));
    }
    if (trustData && trustData.status_list) parts.push(t("trust_meta_status", { age: formatAge(trustData.status_list.age_seconds) }));
    return parts.join("; ");
  }

  function render() {
    view.render(shown);
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    const toggle = $("lang-toggle");
    toggle.textContent = t("other_language");
    toggle.lang = lang === "id" ? "en" : "id";
    $("camera-toggle").textContent = camera.stream ? t("camera_stop") : t("camera_start");
    if (ikd) renderTrust();
    render();
  }

  // --- Start ----------------------------------------------------------------------

  async function start() {
    try {
      await wasm_bindgen({ module_or_path: base64Bytes(self.IKD_WASM_BASE64) });
      // The region tables (region warnings) travel beside the module, in ikd_wilayah.js.
      wasm_bindgen.loadRegionTables(base64Bytes(self.IKD_WILAYAH_BASE64));
    } catch (_) {
      $("loading").textContent = t("load_failed");
      return;
    }
    ikd = wasm_bindgen;
    policy = new ikd.Policy();
    const beside = self.IKD_TRUST_DATA;
    if (beside && Array.isArray(beside.files)) {
      try {
        loadTrust(beside.files.map((f) => ({ name: f.name, bytes: base64Bytes(f.base64) })));
      } catch (e) {
        trustProblem = e.code ? `${e.message} (${e.code})` : e.message;
      }
    }
    $("loading").hidden = true;
    $("work").hidden = false;
    renderTrust();
    // Trust data ages while the page stays open.
    setInterval(renderTrust, 60000);
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("lang-toggle").addEventListener("click", () => {
      lang = lang === "id" ? "en" : "id";
      applyLanguage();
    });
    $("wedge").addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        submitText();
      }
    });
    $("wedge-submit").addEventListener("click", submitText);
    $("file-input").addEventListener("change", submitFile);
    $("trust-files").addEventListener("change", loadTrustFiles);
    $("camera-toggle").addEventListener("click", () => (camera.stream ? stopCamera() : startCamera()));
    applyLanguage();
    start();
  });
})();
