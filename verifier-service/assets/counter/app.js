// IKD Verify counter page. Plain script, no libraries, nothing from other origins.
// Nothing is stored in the browser: the session lives in an HttpOnly cookie, and the
// CSRF token, the language and the last verdict live in this script's memory only.
// The server filters every verdict for the account's purpose; this script only shows it.
"use strict";

(() => {
  const TEXT = {
    id: {
      skip: "Lewati ke isi",
      title: "Verifikasi IKD — Loket",
      loading: "Memuat…",
      logout: "Keluar",
      login_title: "Masuk petugas",
      username: "Nama pengguna",
      password: "Kata sandi",
      login: "Masuk",
      login_failed: "Nama pengguna atau kata sandi salah.",
      login_rate: "Terlalu banyak percobaan. Coba lagi dalam {s} detik.",
      login_missing: "Isi nama pengguna dan kata sandi.",
      session_ended: "Sesi Anda berakhir. Silakan masuk lagi.",
      signed_out: "Anda sudah keluar.",
      inputs_title: "Pindai atau unggah kode QR",
      session_line: "Petugas {user} · klien {client} · keperluan {purpose}",
      wedge_label: "Pemindai USB atau teks QR",
      wedge_hint: "Klik di sini lalu pindai; Enter mengirim.",
      verify: "Verifikasi",
      file_label: "Unggah foto atau PDF",
      file_hint: "PNG, JPEG, WebP atau PDF hasil pindai.",
      camera_label: "Kamera",
      camera_start: "Nyalakan kamera",
      camera_stop: "Matikan kamera",
      camera_scanning: "Arahkan kode QR ke kamera…",
      camera_insecure: "Kamera hanya bisa dipakai lewat HTTPS atau di komputer ini (localhost).",
      camera_denied: "Kamera tidak dapat dibuka (izin ditolak atau tidak ada kamera).",
      camera_found: "Kode QR terbaca; kamera dimatikan.",
      busy: "Memverifikasi…",
      no_code: "Tidak ada kode QR yang terbaca pada berkas ini.",
      trust_local: "berkas kepercayaan lokal",
      trust_loaded: "dimuat {when} ({age} lalu)",
      trust_list: "daftar kepercayaan no. {seq}, terbit {when} ({age} lalu)",
      trust_next: "pembaruan berikutnya {when}",
      trust_status: "daftar status berumur {age}",
      trust_none: "belum ada data kepercayaan",
      data_dated: "Data kepercayaan bertanggal {when} ({n} hari)",
      receipt_print: "Cetak bukti verifikasi",
      receipt_title: "Bukti verifikasi",
      receipt_verifier: "Verifikator",
      receipt_time: "Waktu verifikasi",
      receipt_verdict: "Hasil",
      receipt_evidence: "Bukti presentasi",
      receipt_evidence_kept: "tersimpan dalam kode QR",
      receipt_key: "Kunci publik verifikator",
      receipt_note: "Ditandatangani secara digital oleh verifikator. Periksa: ikd receipt verify --public-key <kunci> (pindai kode QR).",
      data_local: "Data kepercayaan: berkas lokal (tanpa tanggal)",
      data_stale: " — kedaluwarsa, perbarui data (USB atau jaringan)",
      data_grace: " — masa tenggang, segera perbarui data",
      footer: "Data hanya ditampilkan sesuai keperluan akun Anda dan tidak disimpan di peramban.",
      other_language: "English",
    },
    en: {
      skip: "Skip to content",
      title: "IKD Verify — Counter",
      loading: "Loading…",
      logout: "Sign out",
      login_title: "Staff sign-in",
      username: "User name",
      password: "Password",
      login: "Sign in",
      login_failed: "Wrong user name or password.",
      login_rate: "Too many attempts. Try again in {s} s.",
      login_missing: "Enter the user name and password.",
      session_ended: "Your session has ended. Please sign in again.",
      signed_out: "You have signed out.",
      inputs_title: "Scan or upload a QR code",
      session_line: "Staff {user} · client {client} · purpose {purpose}",
      wedge_label: "USB scanner or QR text",
      wedge_hint: "Click here, then scan; Enter submits.",
      verify: "Verify",
      file_label: "Upload a photo or PDF",
      file_hint: "PNG, JPEG, WebP or a scanned PDF.",
      camera_label: "Camera",
      camera_start: "Turn camera on",
      camera_stop: "Turn camera off",
      camera_scanning: "Hold the QR code up to the camera…",
      camera_insecure: "The camera works only over HTTPS or on this computer (localhost).",
      camera_denied: "The camera could not be opened (permission denied or no camera).",
      camera_found: "QR code read; camera turned off.",
      busy: "Verifying…",
      no_code: "No QR code could be read in this file.",
      trust_local: "local trust file",
      trust_loaded: "loaded {when} ({age} ago)",
      trust_list: "trust list no. {seq}, issued {when} ({age} ago)",
      trust_next: "next update {when}",
      trust_status: "status list {age} old",
      trust_none: "no trust data yet",
      data_dated: "Trust data dated {when} ({n} days)",
      receipt_print: "Print verification receipt",
      receipt_title: "Verification receipt",
      receipt_verifier: "Verifier",
      receipt_time: "Verified at",
      receipt_verdict: "Verdict",
      receipt_evidence: "Presentation evidence",
      receipt_evidence_kept: "kept in the QR code",
      receipt_key: "Verifier's public key",
      receipt_note: "Digitally signed by the verifier. Check it: ikd receipt verify --public-key <key> (scan the QR code).",
      data_local: "Trust data: local file (undated)",
      data_stale: " — stale, update the data (USB stick or network)",
      data_grace: " — in its grace period, update the data soon",
      footer: "Data is shown only as your account's purpose allows and is not stored in the browser.",
      other_language: "Bahasa Indonesia",
    },
  };

  let lang = "id";
  // The display rows' languages the page asks for: both, since it toggles between them.
  const DISPLAY = "both";
  let csrf = null;
  let session = null;
  let shown = null; // { kind: "verdict", verdict, focus, receipt, verifiedAt, receivedAt } or { kind: "error", ... }
  const camera = { stream: null, timer: null, busy: false, canvas: null };

  const $ = (id) => document.getElementById(id);

  const view = IkdVerdictView.create({ text: TEXT, lang: () => lang, freshness, afterVerdict });
  const { t, el, formatTime, formatAge } = view;

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) {
      node.textContent = t(node.dataset.i18n);
    }
    const toggle = $("lang-toggle");
    toggle.textContent = t("other_language");
    toggle.lang = lang === "id" ? "en" : "id";
    $("camera-toggle").textContent = camera.stream ? t("camera_stop") : t("camera_start");
    renderSession();
    render();
  }

  // --- Requests -------------------------------------------------------------------

  async function request(path, init) {
    const response = await fetch(path, {
      credentials: "same-origin",
      cache: "no-store",
      ...init,
    });
    let body = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
    }
    return {
      status: response.status,
      body,
      retryAfter: response.headers.get("Retry-After"),
      receipt: response.headers.get("X-IKD-Receipt"),
      // The service's clock when it verified (a verdict's answer carries it).
      date: response.headers.get("Date"),
      receivedAt: performance.now(),
    };
  }

  function post(path, body, contentType) {
    const headers = { "X-IKD-CSRF": csrf || "login" };
    if (contentType) headers["Content-Type"] = contentType;
    return request(path, { method: "POST", headers, body });
  }

  // --- Session --------------------------------------------------------------------

  function showLogin(note) {
    stopCamera();
    session = null;
    csrf = null;
    shown = null;
    $("loading").hidden = true;
    $("work").hidden = true;
    $("logout").hidden = true;
    $("who").hidden = true;
    $("login-panel").hidden = false;
    $("login-note").textContent = note || "";
    $("password").value = "";
    $("username").focus();
  }

  function showWork(info) {
    session = info;
    csrf = info.csrf_token;
    $("loading").hidden = true;
    $("login-panel").hidden = true;
    $("work").hidden = false;
    $("logout").hidden = false;
    renderSession();
    render();
    $("wedge").focus();
  }

  function renderSession() {
    if (!session) return;
    const line = t("session_line", {
      user: session.username,
      client: session.client,
      purpose: session.purpose,
    });
    $("session-line").textContent = line;
    renderDataLine(session.trust);
    $("who").textContent = session.username;
    $("who").hidden = false;
  }

  // The date of the trust data in use: an office offline for weeks must see how old it is.
  function renderDataLine(trust) {
    const el = $("data-line");
    if (!trust || !trust.loaded) {
      el.textContent = t("trust_none");
      return;
    }
    if (!trust.data_dated) {
      el.textContent = t("data_local");
      return;
    }
    let text = t("data_dated", {
      when: formatDate(trust.data_dated),
      n: trust.data_age_days ?? "?",
    });
    if (trust.freshness === "stale") text += t("data_stale");
    else if (trust.freshness === "stale_in_grace") text += t("data_grace");
    el.textContent = text;
    el.dataset.freshness = trust.freshness || "";
  }

  function formatDate(text) {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return text;
    return date.toLocaleDateString(lang === "id" ? "id-ID" : "en-GB", { dateStyle: "long" });
  }

  async function loadSession() {
    try {
      const answer = await request("/counter/api/session");
      if (answer.status === 200 && answer.body) showWork(answer.body);
      else showLogin("");
    } catch (_) {
      showLogin("");
    }
  }

  async function login(event) {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    const error = $("login-error");
    error.textContent = "";
    if (!username || !password) {
      error.textContent = t("login_missing");
      return;
    }
    $("login-submit").disabled = true;
    try {
      const answer = await post(
        "/counter/api/login",
        JSON.stringify({ username, password }),
        "application/json",
      );
      if (answer.status === 200 && answer.body) {
        $("password").value = "";
        showWork(answer.body);
      } else if (answer.status === 429) {
        error.textContent = t("login_rate", { s: answer.retryAfter || "60" });
      } else if (answer.status === 401) {
        error.textContent = t("login_failed");
      } else {
        error.textContent = (answer.body && answer.body.title) || `HTTP ${answer.status}`;
      }
    } catch (e) {
      error.textContent = String(e);
    } finally {
      $("login-submit").disabled = false;
    }
  }

  async function logout() {
    try {
      await post("/counter/api/logout", null, null);
    } catch (_) {
      // Signed out locally either way.
    }
    showLogin(t("signed_out"));
  }

  // --- Verification ---------------------------------------------------------------

  function setBusy(busy) {
    $("busy").textContent = busy ? t("busy") : "";
    $("result").setAttribute("aria-busy", busy ? "true" : "false");
    for (const id of ["wedge-submit", "file-input"]) $(id).disabled = busy;
  }

  // Picture answers may carry several verdicts (one per QR code in the picture).
  function verdictsOf(body) {
    if (!body) return [];
    if (typeof body.verdict === "string") return [body];
    for (const key of ["results", "credentials", "verdicts"]) {
      if (Array.isArray(body[key])) {
        return body[key]
          .map((item) => (item && typeof item.verdict === "string" ? item : item && item.result))
          .filter((item) => item && typeof item.verdict === "string");
      }
    }
    return [];
  }

  async function submit(body, contentType, options) {
    const quiet = Boolean(options && options.quiet);
    if (!quiet) setBusy(true);
    try {
      // Both languages of the display rows: the page switches between them without asking
      // again. A picture names it in the query string.
      const json = contentType === "application/json";
      const path = json ? "/counter/api/verify" : `/counter/api/verify?display=${DISPLAY}`;
      const answer = await post(path, body, contentType);
      if (answer.status === 401) {
        showLogin(t("session_ended"));
        return false;
      }
      const verdicts = answer.status === 200 ? verdictsOf(answer.body) : [];
      if (verdicts.length > 0) {
        // A rejected one first: staff must not miss it.
        const worst = verdicts.find((v) => v.verdict !== "valid") || verdicts[0];
        shown = {
          kind: "verdict",
          verdict: worst,
          focus: Boolean(options && options.focus),
          // The receipt of this verification (one QR code), when the service signs them.
          receipt: verdicts.length === 1 ? answer.receipt : null,
          verifiedAt: Date.parse(answer.date || "") || Date.now(),
          receivedAt: answer.receivedAt,
        };
        render();
        return true;
      }
      if (!quiet) {
        const problem = answer.body || {};
        const noCode = answer.status === 200 || problem.code === "no_qr_code_found";
        shown = {
          kind: "error",
          message: noCode ? t("no_code") : problem.title || `HTTP ${answer.status}`,
          detail: noCode ? "" : problem.detail || "",
          code: problem.code || "",
        };
        render();
      }
      return false;
    } catch (e) {
      if (!quiet) {
        shown = { kind: "error", message: String(e), detail: "", code: "" };
        render();
      }
      return false;
    } finally {
      if (!quiet) setBusy(false);
    }
  }

  function submitText() {
    const input = $("wedge");
    const qr = input.value.trim();
    if (!qr) return;
    input.value = "";
    submit(JSON.stringify({ qr, display: DISPLAY }), "application/json", { focus: false }).then(() => input.focus());
  }

  function fileType(file) {
    const name = (file.name || "").toLowerCase();
    if (file.type) return file.type;
    if (name.endsWith(".pdf")) return "application/pdf";
    if (name.endsWith(".png")) return "image/png";
    if (name.endsWith(".webp")) return "image/webp";
    return "image/jpeg";
  }

  function submitFile() {
    const input = $("file-input");
    const file = input.files && input.files[0];
    if (!file) return;
    submit(file, fileType(file), { focus: true }).then(() => {
      input.value = "";
    });
  }

  // --- Camera ---------------------------------------------------------------------

  async function startCamera() {
    const status = $("camera-status");
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
    camera.timer = setInterval(grabFrame, 700);
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

  async function grabFrame() {
    const video = $("camera");
    if (camera.busy || !camera.stream || video.readyState < 2 || !video.videoWidth) return;
    camera.busy = true;
    try {
      const scale = Math.min(1, 1280 / video.videoWidth);
      const canvas = camera.canvas || (camera.canvas = document.createElement("canvas"));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      if (blob && camera.stream) {
        const found = await submit(blob, "image/jpeg", { quiet: true, focus: true });
        if (found) stopCamera(t("camera_found"));
      }
    } finally {
      camera.busy = false;
    }
  }

  // --- Rendering ------------------------------------------------------------------

  function freshness(trustData) {
    const parts = [];
    if (trustData && trustData.source === "trust_list") {
      parts.push(
        t("trust_list", {
          seq: trustData.sequence ?? "?",
          when: formatTime(trustData.issued_at || ""),
          age: formatAge(trustData.age_seconds),
        }),
      );
      if (trustData.next_update) parts.push(t("trust_next", { when: formatTime(trustData.next_update) }));
    } else {
      const loaded = session && session.trust;
      parts.push(t("trust_local"));
      if (loaded && loaded.loaded && loaded.loaded_at) {
        parts.push(t("trust_loaded", { when: formatTime(loaded.loaded_at), age: formatAge(loaded.age_seconds) }));
      } else if (loaded && !loaded.loaded) {
        parts.push(t("trust_none"));
      }
    }
    if (trustData && trustData.status_list) {
      parts.push(t("trust_status", { age: formatAge(trustData.status_list.age_seconds) }));
    }
    return parts.join("; ");
  }

  // A verdict carries the date of the data it used: the data line follows an import at once.
  function afterVerdict(v) {
    const data = v.trust_data;
    if (session && session.trust && data && data.source === "trust_list" && data.issued_at) {
      session.trust.data_dated = data.issued_at;
      session.trust.data_age_days = Math.floor((Number(data.age_seconds) || 0) / 86400);
      renderDataLine(session.trust);
    }
  }

  // --- The printable receipt (bukti verifikasi) ---------------------------------------

  async function printReceipt() {
    if (!shown || !shown.receipt) return;
    const answer = await post(
      "/counter/api/receipt",
      JSON.stringify({ receipt: shown.receipt }),
      "application/json",
    );
    if (answer.status === 401) {
      showLogin(t("session_ended"));
      return;
    }
    if (answer.status !== 200 || !answer.body) return;
    const r = answer.body.content || {};
    const rows = $("receipt-fields");
    rows.replaceChildren();
    const row = (label, value) => {
      if (value === undefined || value === null || value === "") return;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      rows.append(dt, dd);
    };
    row(t("receipt_verifier"), r.verifier);
    row(t("receipt_time"), formatTime(r.verified_at || ""));
    row(t("purpose"), r.purpose);
    row(t("receipt_verdict"), r.verdict === "valid" ? t("valid") : `${t("rejected")} (${r.reason || ""})`);
    row(t("issuer"), r.issuer ? `${r.issuer} · kid ${r.kid || ""}` : "");
    for (const [name, value] of Object.entries(r.fields || {})) {
      if (name !== "type") row(name, typeof value === "object" ? JSON.stringify(value) : value);
    }
    if (r.presentation) row(t("receipt_evidence"), t("receipt_evidence_kept"));
    row(t("receipt_key"), answer.body.public_key);
    const svg = new DOMParser().parseFromString(answer.body.svg, "image/svg+xml").documentElement;
    $("receipt-qr").replaceChildren(document.importNode(svg, true));
    document.body.classList.add("printing");
    window.print();
  }

  function render() {
    $("receipt-print").hidden = !(shown && shown.kind === "verdict" && shown.receipt);
    view.render(shown);
  }

  // --- Wiring ---------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
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
    $("receipt-print").addEventListener("click", printReceipt);
    window.addEventListener("afterprint", () => document.body.classList.remove("printing"));
    $("file-input").addEventListener("change", submitFile);
    $("camera-toggle").addEventListener("click", () => {
      if (camera.stream) stopCamera();
      else startCamera();
    });
    applyLanguage();
    loadSession();
  });
})();
