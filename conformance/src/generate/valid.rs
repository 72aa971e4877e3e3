//! Valid vectors: credentials every conforming verifier accepts.

use super::*;
use crate::forge::{qr_plain, qr_zlib};
use ikd_sdk::{BerlakuHingga, Date, KkMember, Nik};

pub(super) fn build(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let kk4 = Document::Kk(fx.kk4.clone());
    let kk8 = Document::Kk(fx.kk8.clone());

    // Transport forms.
    let cose = issue_a(&ktp, "ktp")?;
    out.add(
        Case::new(
            "ktp-plain",
            "KTP-el issued by issuer A, uncompressed: IKD1: + Base45 of the COSE_Sign1.",
            qr_plain(&cose),
        ),
        ok_a(&ktp),
    );
    out.add(
        Case::new(
            "ktp-zlib",
            "The same KTP-el zlib-compressed (level 9). A decoder inflates whenever the first \
             byte is 0x78, whether or not compression made the text shorter.",
            qr_zlib(&cose, 9),
        ),
        ok_a(&ktp),
    );
    out.add(
        Case::new(
            "ktp-crlf",
            "The KTP-el QR text followed by CR LF, as keyboard-wedge scanners send it; the \
             line ending is removed before decoding.",
            format!("{}\r\n", qr_plain(&cose)),
        ),
        ok_a(&ktp),
    );
    out.add(
        Case::new(
            "ktp-lf",
            "The KTP-el QR text followed by LF.",
            format!("{}\n", qr_plain(&cose)),
        ),
        ok_a(&ktp),
    );

    for (name, doc) in [("ktp", &ktp), ("kk8", &kk8)] {
        let id = format!("{name}-sdk-encoder");
        let cose = issue_a(doc, &id)?;
        out.add(
            Case::new(
                &id,
                "QR text from the SDK's encoder, which compresses only when that makes the \
                 text shorter.",
                ikd_sdk::transport::encode_qr_text(&cose),
            ),
            ok_a(doc),
        );
    }

    for (name, doc) in [("kk4", &kk4), ("kk8", &kk8)] {
        let cose = issue_a(doc, name)?;
        let members = match doc {
            Document::Kk(kk) => kk.anggota.len(),
            _ => 0,
        };
        out.add(
            Case::new(
                &format!("{name}-plain"),
                &format!("Kartu Keluarga with {members} members, uncompressed."),
                qr_plain(&cose),
            ),
            ok_a(doc),
        );
        out.add(
            Case::new(
                &format!("{name}-zlib"),
                &format!("Kartu Keluarga with {members} members, zlib-compressed."),
                qr_zlib(&cose, 9),
            ),
            ok_a(doc),
        );
    }
    let cose = issue_a(&kk8, "kk8-zlib-crlf")?;
    out.add(
        Case::new(
            "kk8-zlib-crlf",
            "Compressed Kartu Keluarga with a trailing CR LF.",
            format!("{}\r\n", qr_zlib(&cose, 9)),
        ),
        ok_a(&kk8),
    );

    // Issuers, keys and policies.
    let cose = issue(
        &SEED_C,
        ISSUER_C,
        &ktp,
        validity(IAT, None, EXP),
        "second-issuer",
    )?;
    out.add(
        Case::new(
            "second-issuer",
            "KTP-el issued by issuer C, the second key of the trust store: the key is found by \
             its kid among several.",
            qr_plain(&cose),
        ),
        ok(&SEED_C, ISSUER_C, &ktp),
    );
    let cose = issue_a(&ktp, "key-for-ktp-only")?;
    out.add(
        Case::new(
            "key-for-ktp-only",
            "KTP-el signed by a key the trust store allows to sign KTP-el only.",
            qr_plain(&cose),
        )
        .store(Store::KtpOnly),
        ok_a(&ktp),
    );
    let cose = issue_a(&ktp, "same-key-listed-twice")?;
    out.add(
        Case::new(
            "same-key-listed-twice",
            "The trust store lists the signing key twice, so two candidates share the kid.",
            qr_plain(&cose),
        )
        .store(Store::SameKeyTwice),
        ok_a(&ktp),
    );
    let cose = issue_a(&ktp, "policy-ktp-only")?;
    out.add(
        Case::new(
            "policy-ktp-only",
            "KTP-el checked by a verifier whose policy accepts KTP-el only.",
            qr_plain(&cose),
        )
        .policy(policy_with(60, &[DocType::Ktp])),
        ok_a(&ktp),
    );
    let cose = issue_a(&kk4, "policy-kk-only")?;
    out.add(
        Case::new(
            "policy-kk-only",
            "Kartu Keluarga checked by a verifier whose policy accepts KK only.",
            qr_plain(&cose),
        )
        .policy(policy_with(60, &[DocType::Kk])),
        ok_a(&kk4),
    );

    // Claims variants.
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(IAT, Some(IAT + 60), EXP),
        "with-nbf",
    )?;
    out.add(
        Case::new(
            "with-nbf",
            "Credential with an nbf claim one minute after iat, checked an hour later.",
            qr_plain(&cose),
        ),
        ok_a(&ktp),
    );
    let claims = Claims::standard(ISSUER_A, IAT, None, EXP, None, fx.ktp_value());
    out.add(
        Case::new(
            "without-cti",
            "Credential without the optional cti claim.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        ok_a(&ktp),
    );

    // Time boundaries.
    let cose = issue_a(&ktp, "exp-at-leeway-boundary")?;
    out.add(
        Case::new(
            "exp-at-leeway-boundary",
            "now = exp + leeway (60 s): still valid. One second later it is expired \
             (invalid/time/expired-one-second-past-leeway).",
            qr_plain(&cose),
        )
        .now(EXP + LEEWAY),
        ok_a(&ktp),
    );
    let nbf = IAT + 7_200;
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(IAT, Some(nbf), EXP),
        "nbf-at-leeway-boundary",
    )?;
    out.add(
        Case::new(
            "nbf-at-leeway-boundary",
            "nbf = now + leeway: already valid.",
            qr_plain(&cose),
        )
        .now(nbf - LEEWAY),
        ok_a(&ktp),
    );
    let cose = issue_a(&ktp, "iat-at-leeway-boundary")?;
    out.add(
        Case::new(
            "iat-at-leeway-boundary",
            "iat = now + leeway (the verifier's clock is 60 s behind the issuer's): valid.",
            qr_plain(&cose),
        )
        .now(IAT - LEEWAY),
        ok_a(&ktp),
    );
    let cose = issue_a(&ktp, "leeway-zero-exp-boundary")?;
    out.add(
        Case::new(
            "leeway-zero-exp-boundary",
            "Policy leeway 0 and now = exp: valid (exp is inclusive).",
            qr_plain(&cose),
        )
        .now(EXP)
        .policy(policy_with(0, &[DocType::Ktp, DocType::Kk])),
        ok_a(&ktp),
    );
    let cose = issue_a(&ktp, "leeway-300")?;
    out.add(
        Case::new(
            "leeway-300",
            "Policy leeway 300 s and now = exp + 300: valid.",
            qr_plain(&cose),
        )
        .now(EXP + 300)
        .policy(policy_with(300, &[DocType::Ktp, DocType::Kk])),
        ok_a(&ktp),
    );
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(KEY_VALID_FROM, None, KEY_VALID_FROM + 86_400),
        "key-window-start",
    )?;
    out.add(
        Case::new(
            "key-window-start",
            "iat equals the first second of the key's signing window (inclusive).",
            qr_plain(&cose),
        )
        .now(KEY_VALID_FROM + 600),
        ok_a(&ktp),
    );
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(KEY_VALID_UNTIL, None, KEY_VALID_UNTIL + 86_400),
        "key-window-end",
    )?;
    out.add(
        Case::new(
            "key-window-end",
            "iat equals the last second of the key's signing window (inclusive); the \
             credential is checked after the window has closed, which is allowed.",
            qr_plain(&cose),
        )
        .now(KEY_VALID_UNTIL + 600),
        ok_a(&ktp),
    );

    // Document variants.
    let mut old_card = fx.ktp.clone();
    old_card.berlaku_hingga = BerlakuHingga::Tanggal(date(2017, 8, 17)?);
    old_card.tanggal_dikeluarkan = date(2012, 8, 17)?;
    let old_card = Document::Ktp(old_card);
    let cose = issue_a(&old_card, "ktp-berlaku-tanggal")?;
    out.add(
        Case::new(
            "ktp-berlaku-tanggal",
            "A KTP-el from before 2014 whose berlaku_hingga is a date, not SEUMUR HIDUP \
             (the credential, not the card, decides validity).",
            qr_plain(&cose),
        ),
        ok_a(&old_card),
    );
    let mut no_blood = fx.ktp.clone();
    no_blood.golongan_darah = None;
    let no_blood = Document::Ktp(no_blood);
    let cose = issue_a(&no_blood, "ktp-without-golongan-darah")?;
    out.add(
        Case::new(
            "ktp-without-golongan-darah",
            "A KTP-el without the optional golongan darah.",
            qr_plain(&cose),
        ),
        ok_a(&no_blood),
    );
    let mut with_photo = fx.ktp.clone();
    with_photo.foto = Some(jpeg(600, 1));
    let with_photo = Document::Ktp(with_photo);
    let cose = issue_a(&with_photo, "ktp-with-portrait")?;
    out.add(
        Case::new(
            "ktp-with-portrait",
            "A KTP-el with a 600-byte JPEG portrait.",
            qr_zlib(&cose, 9),
        ),
        ok_a(&with_photo),
    );
    let mut foreign = fx.kk4.clone();
    foreign.anggota.push(KkMember {
        nik: Nik(3_273_014_506_950_001),
        nama: "EMMA VAN DER BERG".into(),
        jenis_kelamin: 2,
        tempat_lahir: "ROTTERDAM".into(),
        tanggal_lahir: date(1995, 6, 5)?,
        agama: 2,
        pendidikan: 9,
        pekerjaan: 88,
        golongan_darah: None,
        status_perkawinan: 1,
        tanggal_perkawinan: None,
        shdk: 10,
        kewarganegaraan: 2,
        nomor_paspor: Some("NX4K81R02".into()),
        nomor_kitap: Some("2C21AB0012345".into()),
        nama_ayah: "PIETER VAN DER BERG".into(),
        nama_ibu: "ANNA DE VRIES".into(),
    });
    let foreign = Document::Kk(foreign);
    let cose = issue_a(&foreign, "kk-foreign-member")?;
    out.add(
        Case::new(
            "kk-foreign-member",
            "A Kartu Keluarga with a foreign national (kewarganegaraan 2) carrying the \
             optional nomor paspor and nomor KITAP.",
            qr_zlib(&cose, 9),
        ),
        ok_a(&foreign),
    );
    Ok(())
}

/// A calendar date.
pub(super) fn date(y: i32, m: u32, d: u32) -> Result<Date, String> {
    Date::from_ymd(y, m, d).ok_or_else(|| format!("no date {y}-{m}-{d}"))
}

/// A `len`-byte "JPEG": the SOI marker and an APP0 marker, then pseudo-random bytes
/// (xorshift from `seed`), so that it does not compress.
pub(super) fn jpeg(len: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push((x >> 24) as u8);
    }
    out.truncate(len);
    out
}
