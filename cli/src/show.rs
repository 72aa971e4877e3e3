//! Human-readable output of verdicts, inspections and documents.

use ikd_sdk::siak::SiakList;
use ikd_sdk::{
    BerlakuHingga, Document, Inspection, Kk, KkMember, Ktp, Reason, Rejection, Trace, Verified,
    Warning,
};
use std::fmt::Write as _;

/// Width of the label column.
const LABEL: usize = 19;

fn line(out: &mut String, indent: &str, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{indent}{label:<LABEL$}: {value}");
}

fn coded(list: SiakList, code: u8) -> String {
    match list.label(code) {
        Some(label) => format!("{label} ({code})"),
        None => format!("({code})"),
    }
}

fn citizenship(code: u8) -> &'static str {
    match code {
        1 => "WNI",
        2 => "WNA",
        _ => "?",
    }
}

fn reason_lines(out: &mut String, reason: &Reason) {
    let info = reason.info();
    let _ = writeln!(out, "  {}", info.en);
    let _ = writeln!(out, "  {}", info.id);
    if let Some(field) = reason.field() {
        let _ = writeln!(out, "  field: {field}");
    }
    if let Reason::ClaimsMalformed { claim } = reason {
        let _ = writeln!(out, "  claim: {claim}");
    }
}

fn warning_lines(out: &mut String, warnings: &[Warning]) {
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "Warnings:");
    for warning in warnings {
        let info = warning.info();
        let _ = writeln!(out, "  {} at {}", info.code, warning.field());
        let _ = writeln!(out, "    {}", info.en);
        let _ = writeln!(out, "    {}", info.id);
    }
}

fn trace_line(out: &mut String, trace: &Trace) {
    let steps: Vec<String> = trace
        .steps()
        .map(|(stage, outcome)| format!("{stage}={}", outcome.as_str()))
        .collect();
    let _ = writeln!(out, "Trace: {}", steps.join(" "));
}

/// A verified credential: verdict, issuer, times, document, warnings and trace.
pub(crate) fn verified(v: &Verified) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "VALID: {}", title(v.document()));
    line(
        &mut out,
        "",
        "Issuer",
        format!("{} ({})", v.issuer().name, v.issuer().id),
    );
    line(&mut out, "", "Key id", v.kid());
    line(&mut out, "", "Issued at", v.issued_at());
    if let Some(nbf) = v.not_before() {
        line(&mut out, "", "Not before", nbf);
    }
    line(&mut out, "", "Expires at", v.expires_at());
    out.push('\n');
    out.push_str(&document(v.document(), ""));
    out.push('\n');
    warning_lines(&mut out, v.warnings());
    trace_line(&mut out, v.trace());
    out
}

/// A rejection: the code, its stage, both messages and the trace.
pub(crate) fn rejected(r: &Rejection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "REJECTED: {} (stage {})", r.code(), r.stage());
    reason_lines(&mut out, r.reason());
    trace_line(&mut out, r.trace());
    out
}

fn title(document: &Document) -> &'static str {
    match document {
        Document::Kk(_) => "Kartu Keluarga",
        _ => "KTP-el",
    }
}

/// A document as labelled lines.
pub(crate) fn document(document: &Document, indent: &str) -> String {
    let mut out = String::new();
    match document {
        Document::Ktp(ktp) => ktp_lines(&mut out, indent, ktp),
        Document::Kk(kk) => kk_lines(&mut out, indent, kk),
        _ => {
            let _ = writeln!(out, "{indent}(a document type this version cannot show)");
        }
    }
    out
}

fn ktp_lines(out: &mut String, i: &str, ktp: &Ktp) {
    line(out, i, "Dokumen", "KTP-el");
    line(out, i, "NIK", ktp.nik);
    line(out, i, "Nama", &ktp.nama);
    line(
        out,
        i,
        "Tempat/Tgl Lahir",
        format!("{}, {}", ktp.tempat_lahir, ktp.tanggal_lahir),
    );
    line(
        out,
        i,
        "Jenis Kelamin",
        coded(SiakList::JenisKelamin, ktp.jenis_kelamin),
    );
    line(
        out,
        i,
        "Gol. Darah",
        ktp.golongan_darah
            .map_or_else(|| "-".to_owned(), |c| coded(SiakList::GolonganDarah, c)),
    );
    line(out, i, "Alamat", &ktp.alamat);
    line(out, i, "RT/RW", format!("{:03}/{:03}", ktp.rt, ktp.rw));
    line(out, i, "Kode Wilayah", ktp.kode_wilayah);
    line(out, i, "Agama", coded(SiakList::Agama, ktp.agama));
    line(
        out,
        i,
        "Status Perkawinan",
        coded(SiakList::StatusPerkawinan, ktp.status_perkawinan),
    );
    line(
        out,
        i,
        "Pekerjaan",
        coded(SiakList::Pekerjaan, ktp.pekerjaan),
    );
    line(out, i, "Kewarganegaraan", citizenship(ktp.kewarganegaraan));
    let berlaku = match ktp.berlaku_hingga {
        BerlakuHingga::SeumurHidup => "SEUMUR HIDUP".to_owned(),
        BerlakuHingga::Tanggal(date) => date.to_string(),
    };
    line(out, i, "Berlaku Hingga", berlaku);
    line(
        out,
        i,
        "Dikeluarkan",
        format!(
            "{} (kode {})",
            ktp.tanggal_dikeluarkan, ktp.tempat_dikeluarkan
        ),
    );
    if let Some(foto) = &ktp.foto {
        line(out, i, "Foto", format!("{} bytes", foto.len()));
    }
}

fn kk_lines(out: &mut String, i: &str, kk: &Kk) {
    line(out, i, "Dokumen", "Kartu Keluarga");
    line(out, i, "Nomor KK", kk.nomor_kk);
    line(out, i, "Kepala Keluarga", &kk.kepala_keluarga);
    line(out, i, "Alamat", &kk.alamat);
    line(out, i, "RT/RW", format!("{:03}/{:03}", kk.rt, kk.rw));
    line(out, i, "Kode Pos", kk.kode_pos);
    line(out, i, "Kode Wilayah", kk.kode_wilayah);
    line(out, i, "Dikeluarkan", kk.tanggal_dikeluarkan);
    line(out, i, "Anggota", kk.anggota.len());
    let inner = format!("{i}    ");
    for (n, member) in kk.anggota.iter().enumerate() {
        let _ = writeln!(out, "{i}  {}.", n + 1);
        member_lines(out, &inner, member);
    }
}

fn member_lines(out: &mut String, i: &str, m: &KkMember) {
    let label = LABEL - 2;
    let mut field = |name: &str, value: String| {
        let _ = writeln!(out, "{i}{name:<label$}: {value}");
    };
    field("NIK", m.nik.to_string());
    field("Nama", m.nama.clone());
    field("SHDK", coded(SiakList::Shdk, m.shdk));
    field(
        "Jenis Kelamin",
        coded(SiakList::JenisKelamin, m.jenis_kelamin),
    );
    field(
        "Tempat/Tgl Lahir",
        format!("{}, {}", m.tempat_lahir, m.tanggal_lahir),
    );
    field("Agama", coded(SiakList::Agama, m.agama));
    field("Pendidikan", coded(SiakList::Pendidikan, m.pendidikan));
    field("Pekerjaan", coded(SiakList::Pekerjaan, m.pekerjaan));
    if let Some(code) = m.golongan_darah {
        field("Gol. Darah", coded(SiakList::GolonganDarah, code));
    }
    field(
        "Status Kawin",
        coded(SiakList::StatusPerkawinan, m.status_perkawinan),
    );
    if let Some(date) = m.tanggal_perkawinan {
        field("Tgl Perkawinan", date.to_string());
    }
    field("Kewarganegaraan", citizenship(m.kewarganegaraan).to_owned());
    if let Some(paspor) = &m.nomor_paspor {
        field("No. Paspor", paspor.clone());
    }
    if let Some(kitap) = &m.nomor_kitap {
        field("No. KITAP", kitap.clone());
    }
    field("Nama Ayah", m.nama_ayah.clone());
    field("Nama Ibu", m.nama_ibu.clone());
}

/// An inspection, marked UNVERIFIED before anything else.
pub(crate) fn inspection(inspection: &Inspection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", ikd_sdk::inspect::UNVERIFIED_NOTICE);
    out.push('\n');
    let s = &inspection.sizes;
    line(&mut out, "", "QR text", format!("{} characters", s.qr_text));
    line(
        &mut out,
        "",
        "Base45 carries",
        format!(
            "{} bytes ({})",
            s.base45_decoded,
            if inspection.compressed {
                "zlib-compressed"
            } else {
                "not compressed"
            }
        ),
    );
    line(&mut out, "", "COSE_Sign1", format!("{} bytes", s.cose));
    line(&mut out, "", "Payload", format!("{} bytes", s.payload));
    line(&mut out, "", "Signature", format!("{} bytes", s.signature));
    line(
        &mut out,
        "",
        "Key id (kid)",
        inspection
            .header
            .kid
            .as_deref()
            .map_or_else(|| "(none)".to_owned(), ikd_sdk::encoding::hex_encode),
    );
    match &inspection.header.problem {
        None => line(&mut out, "", "Header", "follows the credential rules"),
        Some(problem) => {
            line(&mut out, "", "Header problem", problem.code());
            reason_lines(&mut out, problem);
        }
    }
    out.push('\n');
    let claims = match &inspection.unverified_claims {
        Ok(claims) => claims,
        Err(problem) => {
            let _ = writeln!(out, "Claims could not be read: {}", problem.code());
            reason_lines(&mut out, problem);
            return out;
        }
    };
    let _ = writeln!(out, "Claims (UNVERIFIED):");
    line(&mut out, "  ", "Issuer (iss)", &claims.issuer);
    line(&mut out, "  ", "Issued at (iat)", claims.issued_at);
    if let Some(nbf) = claims.not_before {
        line(&mut out, "  ", "Not before (nbf)", nbf);
    }
    line(&mut out, "  ", "Expires at (exp)", claims.expires_at);
    if let Some(cti) = &claims.credential_id {
        line(
            &mut out,
            "  ",
            "Credential id",
            ikd_sdk::encoding::hex_encode(cti),
        );
    }
    out.push('\n');
    match &claims.document {
        Ok(doc) => {
            let _ = writeln!(out, "Document (UNVERIFIED):");
            out.push_str(&document(doc, "  "));
        }
        Err(problem) => {
            let _ = writeln!(out, "Document could not be read: {}", problem.code());
            reason_lines(&mut out, problem);
        }
    }
    if let Some(problem) = &claims.content_problem {
        let _ = writeln!(out, "Content problem: {}", problem.code());
        reason_lines(&mut out, problem);
    }
    warning_lines(&mut out, &claims.warnings);
    out
}
