// IKD Verify: the verdict layout shared by the counter page and the offline page — the
// verdict box, its details and warnings, the document as printed and the countdown of a
// presentation. Plain classic script, no libraries. Each page passes its own texts, its
// language and how it words the freshness of its trust data.
"use strict";

self.IkdVerdictView = (() => {
  // Texts of the verdict layout, the same on both pages. A page's own table wins.
  const TEXT = {
    id: {
      verdict_none: "Belum ada hasil",
      valid: "SAH",
      valid_reason: "Dokumen asli dan lolos semua pemeriksaan.",
      rejected: "DITOLAK",
      error: "Tidak dapat memverifikasi",
      fresh_qr: "Minta pemegang menampilkan kode QR yang baru.",
      countdown: "Berlaku {s} detik lagi",
      countdown_over: "Masa berlaku QR sudah habis — minta QR baru.",
      doc_type: "Jenis dokumen",
      ktp: "KTP-el",
      kk: "Kartu Keluarga",
      issuer: "Penerbit",
      issued_at: "Diterbitkan",
      expires_at: "Berlaku sampai",
      purpose: "Keperluan",
      trust: "Data kepercayaan",
      age_over_17: "Berusia 17 tahun ke atas",
      yes: "Ya",
      no: "Tidak",
      code: "Kode alasan",
      stage: "Tahap",
      code_short: "kode",
      no_fields: "Keperluan akun ini tidak menampilkan isi dokumen.",
      portrait: "Foto pemegang",
      seconds: "{n} detik",
      minutes: "{n} menit",
      hours: "{n} jam",
      days: "{n} hari",
    },
    en: {
      verdict_none: "No result yet",
      valid: "VALID",
      valid_reason: "Genuine document; every check passed.",
      rejected: "REJECTED",
      error: "Could not verify",
      fresh_qr: "Ask the holder to show a fresh QR code.",
      countdown: "Expires in {s} s",
      countdown_over: "The QR code has expired — ask for a new one.",
      doc_type: "Document",
      ktp: "KTP-el (identity card)",
      kk: "Kartu Keluarga (family card)",
      issuer: "Issuer",
      issued_at: "Issued",
      expires_at: "Valid until",
      purpose: "Purpose",
      trust: "Trust data",
      age_over_17: "Aged 17 or over",
      yes: "Yes",
      no: "No",
      code: "Reason code",
      stage: "Stage",
      code_short: "code",
      no_fields: "This account's purpose shows no document fields.",
      portrait: "Holder's photo",
      seconds: "{n} s",
      minutes: "{n} min",
      hours: "{n} h",
      days: "{n} days",
    },
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, options, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(options || {})) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  // A NIK or a nomor KK is one number: never broken across lines (class "number").
  const WHOLE_NUMBER = /(^|\.)(nik|nomor_kk)$/;

  function portraitSource(base64) {
    if (typeof base64 !== "string" || !/^[A-Za-z0-9+/=_-]+$/.test(base64)) return null;
    const type = base64.startsWith("UklGR") ? "image/webp" : "image/jpeg";
    return `data:${type};base64,${base64}`;
  }

  // page: { text: { id: {...}, en: {...} }, lang() -> "id" | "en",
  //         freshness(trustData, view) -> string, afterVerdict(verdict) (optional) }.
  // The page's elements: verdict, verdict-title, verdict-reason, verdict-live, meta,
  // warnings, document, countdown.
  function create(page) {
    let countdownTimer = null;

    function t(key, values) {
      const lang = page.lang();
      let text = page.text[lang][key] ?? TEXT[lang][key] ?? page.text.id[key] ?? TEXT.id[key] ?? key;
      for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, String(value));
      return text;
    }

    function formatTime(text) {
      const date = new Date(text);
      if (Number.isNaN(date.getTime())) return text;
      return date.toLocaleString(page.lang() === "id" ? "id-ID" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
    }

    function formatAge(seconds) {
      const s = Math.max(0, Math.round(Number(seconds) || 0));
      if (s < 120) return t("seconds", { n: s });
      if (s < 7200) return t("minutes", { n: Math.round(s / 60) });
      if (s < 172800) return t("hours", { n: Math.round(s / 3600) });
      return t("days", { n: Math.round(s / 86400) });
    }

    function stopCountdown() {
      if (countdownTimer) clearInterval(countdownTimer);
      countdownTimer = null;
      $("countdown").hidden = true;
    }

    // Counts down from the seconds the code had left when it was verified, on the page's
    // monotonic clock: a counter PC whose clock is off still shows the time really left.
    function startCountdown(expiresAt, verifiedAt, receivedAt) {
      stopCountdown();
      const left0 = new Date(expiresAt).getTime() - verifiedAt;
      if (!Number.isFinite(left0) || !Number.isFinite(receivedAt)) return;
      const node = $("countdown");
      const tick = () => {
        const left = Math.ceil((left0 - (performance.now() - receivedAt)) / 1000);
        node.textContent = left > 0 ? t("countdown", { s: left }) : t("countdown_over");
        if (left <= 0 && countdownTimer) {
          clearInterval(countdownTimer);
          countdownTimer = null;
        }
      };
      node.hidden = false;
      tick();
      countdownTimer = setInterval(tick, 1000);
    }

    function metaRow(list, label, value) {
      if (value === undefined || value === null || value === "") return;
      list.append(el("dt", { text: label }), el("dd", { text: String(value) }));
    }

    function rowsList(fields) {
      const list = el("dl", { class: "rows" });
      for (const field of fields || []) {
        const value = el("dd", { text: field.value });
        if (WHOLE_NUMBER.test(field.field || "")) value.className = "number";
        if (field.code !== undefined && field.code !== null && String(field.value) !== String(field.code)) {
          value.append(" ", el("span", { class: "code", text: `(${t("code_short")} ${field.code})` }));
        }
        list.append(el("dt", { text: page.lang() === "id" ? field.label_id : field.label_en }), value);
      }
      return list;
    }

    function renderDocument(verdict) {
      const box = $("document");
      box.replaceChildren();
      const sections = Array.isArray(verdict.display) ? verdict.display : [];
      if (sections.length === 0) {
        if (verdict.verdict === "valid" && verdict.age_over_17 === undefined) {
          box.append(el("p", { class: "note", text: t("no_fields") }));
        }
        return;
      }
      const isKtp = verdict.doc_type === "ktp";
      const foto = verdict.document && portraitSource(verdict.document.foto);
      const members = el("div", { class: "members" });
      for (const section of sections) {
        const title = page.lang() === "id" ? section.title_id : section.title_en;
        const body = el("div", { class: "card-body" }, [rowsList(section.fields)]);
        if (isKtp && foto && section.member === undefined) {
          body.append(el("img", { class: "portrait", src: foto, alt: t("portrait") }));
        }
        const card = el("section", { class: isKtp ? "card ktp" : "card" }, [el("h3", { text: title }), body]);
        if (section.member !== undefined && section.member !== null) members.append(card);
        else box.append(card);
      }
      if (members.childElementCount > 0) box.append(members);
    }

    // shown: null, { kind: "error", message, detail }, or { kind: "verdict", verdict, focus,
    // verifiedAt, receivedAt }: when it was verified (milliseconds on the verifier's clock)
    // and when the page got it (`performance.now()`).
    function render(shown) {
      const node = $("verdict");
      const title = $("verdict-title");
      const reason = $("verdict-reason");
      const meta = $("meta");
      const warnings = $("warnings");
      meta.replaceChildren();
      warnings.replaceChildren();
      $("document").replaceChildren();
      stopCountdown();
      if (!shown) {
        node.dataset.verdict = "none";
        title.textContent = t("verdict_none");
        reason.textContent = "";
        return;
      }
      if (shown.kind === "error") {
        node.dataset.verdict = "error";
        title.textContent = t("error");
        reason.textContent = [shown.message, shown.detail].filter(Boolean).join(" — ");
        $("verdict-live").textContent = `${title.textContent}. ${reason.textContent}`;
        return;
      }
      const v = shown.verdict;
      const valid = v.verdict === "valid";
      node.dataset.verdict = valid ? "valid" : "rejected";
      title.textContent = valid ? t("valid") : t("rejected");
      if (valid) {
        reason.textContent = t("valid_reason");
      } else {
        const r = v.reason || {};
        let text = (page.lang() === "id" ? r.message_id : r.message_en) || r.code || "";
        if (typeof r.code === "string" && r.code.startsWith("presentation_")) text += ` ${t("fresh_qr")}`;
        reason.textContent = text;
      }
      if (valid && v.presentation && v.presentation.expires_at) {
        startCountdown(v.presentation.expires_at, shown.verifiedAt, shown.receivedAt);
      }

      if (!valid && v.reason) {
        metaRow(meta, t("code"), v.reason.code);
        metaRow(meta, t("stage"), v.reason.stage);
      }
      if (v.doc_type) metaRow(meta, t("doc_type"), t(v.doc_type));
      if (v.issuer) metaRow(meta, t("issuer"), v.issuer.name);
      if (v.issued_at) metaRow(meta, t("issued_at"), formatTime(v.issued_at));
      if (v.expires_at) metaRow(meta, t("expires_at"), formatTime(v.expires_at));
      if (typeof v.age_over_17 === "boolean") metaRow(meta, t("age_over_17"), v.age_over_17 ? t("yes") : t("no"));
      metaRow(meta, t("purpose"), v.purpose);
      metaRow(meta, t("trust"), page.freshness(v.trust_data));
      if (page.afterVerdict) page.afterVerdict(v);

      for (const w of v.warnings || []) {
        const text = (page.lang() === "id" ? w.message_id : w.message_en) || w.code;
        warnings.append(
          el("li", { class: w.severity === "info" ? "info" : "warning", text: w.field ? `${text} (${w.field})` : text }),
        );
      }
      renderDocument(v);
      $("verdict-live").textContent = `${title.textContent}. ${reason.textContent}`;
      if (shown.focus) {
        shown.focus = false;
        node.focus();
      }
    }

    return { t, el, formatTime, formatAge, render };
  }

  return { create };
})();
