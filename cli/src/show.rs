//! Human-readable output of verdicts, inspections and documents.

use ikd_sdk::display::DisplayLanguages;
use ikd_sdk::{
    DocType, Document, Inspection, Ktp, Reason, Rejection, Trace, TrustDataInfo, Verified, Warning,
};
use std::fmt::Write as _;

/// Width of the label column.
const LABEL: usize = 30;

fn line(out: &mut String, indent: &str, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{indent}{label:<LABEL$}: {value}");
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

fn trust_line(out: &mut String, trust: &TrustDataInfo) {
    let list = match &trust.trust_list {
        Some(list) => format!(
            "trust list {} ({:.1} h old)",
            list.sequence,
            list.age_seconds as f64 / 3600.0
        ),
        None => "local trust store".to_owned(),
    };
    let status = trust.status_list.map_or(String::new(), |s| {
        format!(", status list {:.1} h old", s.age_seconds as f64 / 3600.0)
    });
    let _ = writeln!(out, "Trust data: {list}{status}");
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
    match v.issued_at() {
        Some(iat) => line(&mut out, "", "Issued at", iat),
        None => line(&mut out, "", "Issued at", "not stated (purpose profile)"),
    }
    if let Some(nbf) = v.not_before() {
        line(&mut out, "", "Not before", nbf);
    }
    line(&mut out, "", "Expires at", v.expires_at());
    match v.presentation() {
        Some(p) => {
            line(
                &mut out,
                "",
                "Presented",
                format!(
                    "by the holder's device ({}), signed at {}, valid until {}",
                    p.alg.name(),
                    p.issued_at,
                    p.expires_at
                ),
            );
            if let Some(nonce) = &p.nonce {
                line(&mut out, "", "Challenge nonce", nonce);
            }
            if let Some(audience) = &p.audience {
                line(&mut out, "", "Audience", audience);
            }
        }
        None => line(
            &mut out,
            "",
            "Presented",
            "bare credential (no holder presentation)",
        ),
    }
    out.push('\n');
    out.push_str(&document(v.document(), ""));
    out.push('\n');
    warning_lines(&mut out, v.warnings());
    trust_line(&mut out, v.trust_data());
    trace_line(&mut out, v.trace());
    out
}

/// A rejection: the code, its stage, both messages and the trace.
pub(crate) fn rejected(r: &Rejection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "REJECTED: {} (stage {})", r.code(), r.stage());
    reason_lines(&mut out, r.reason());
    trust_line(&mut out, r.trust_data());
    trace_line(&mut out, r.trace());
    out
}

fn title(document: &Document) -> &'static str {
    match document.doc_type() {
        DocType::Kk => "Kartu Keluarga",
        DocType::Identity => "KTP-el identity profile",
        DocType::AgeOver17 => "KTP-el age profile (17+)",
        DocType::Domicile => "KTP-el domicile profile",
        _ => "KTP-el",
    }
}

/// A document as labelled lines, section by section, as the SDK lays it out.
pub(crate) fn document(document: &Document, indent: &str) -> String {
    let mut out = String::new();
    let rows = ikd_sdk::display::sections_in(document, DisplayLanguages::Indonesian);
    for section in rows {
        let title = section.title_id.unwrap_or_default();
        let _ = writeln!(out, "{indent}{title}");
        let inner = format!("{indent}  ");
        for field in &section.fields {
            let label = field.label_id.as_deref().unwrap_or_default();
            line(&mut out, &inner, label, &field.value);
        }
    }
    if let Document::Ktp(Ktp {
        foto: Some(foto), ..
    }) = document
    {
        line(&mut out, indent, "Foto", format!("{} bytes", foto.len()));
    }
    out
}

/// An inspection, marked UNVERIFIED before anything else.
pub(crate) fn inspection(inspection: &Inspection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", ikd_sdk::UNVERIFIED_NOTICE);
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
    const NOT_STATED: &str = "not stated";
    match &claims.issuer {
        Some(issuer) => line(&mut out, "  ", "Issuer (iss)", issuer),
        None => line(&mut out, "  ", "Issuer (iss)", NOT_STATED),
    }
    match claims.issued_at {
        Some(iat) => line(&mut out, "  ", "Issued at (iat)", iat),
        None => line(&mut out, "  ", "Issued at (iat)", NOT_STATED),
    }
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
