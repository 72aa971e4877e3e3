//! Edge vectors: inputs exactly at a limit and one step past it, NIK calendar rules, and
//! the warnings.

use super::invalid::{alg, kid_a, kid_entry, map_of, typ_entry, with_headers};
use super::valid::{date, jpeg};
use super::*;
use crate::forge::{cat, claim, int, map_set, qr_plain, qr_zlib};
use ikd_sdk::limits::{
    MAX_CBOR_CONTAINER_ITEMS, MAX_CBOR_DEPTH, MAX_INFLATED_LEN, MAX_KK_MEMBERS, MAX_PORTRAIT_LEN,
    MAX_QR_TEXT_LEN, MAX_TEXT_FIELD_LEN,
};
use ikd_sdk::{BerlakuHingga, Nik};

pub(super) fn build(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    cbor_limits(fx, out)?;
    transport_limits(fx, out)?;
    document_limits(fx, out)?;
    nik_calendar(fx, out)?;
    warnings(fx, out)?;
    claims_edges(fx, out)?;
    open_points(fx, out)?;
    candidates(fx, out)?;
    map_keys_and_empty_containers(fx, out)?;
    Ok(())
}

/// How a map key is read (its head first, then its kind) and whether an empty container
/// at the depth limit is too deep (it is: the depth is checked at the container's head).
fn map_keys_and_empty_containers(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let std_protected = || forge::protected(&kid_a(), TYP_CREDENTIAL);
    let cases: [(&str, &str, Vec<u8>, RejectedOutcome); 6] = [
        (
            "cbor-map-key-indefinite-text",
            "The unprotected map's key is an indefinite-length text string (7F 61 61 FF): the \
             key's head is read first, and indefinite length is cbor_not_deterministic.",
            vec![0xA1, 0x7F, 0x61, 0x61, 0xFF, 0x00],
            rej("cbor_not_deterministic"),
        ),
        (
            "cbor-map-key-indefinite-array",
            "The unprotected map's key is an indefinite-length array (9F FF): its head is \
             checked before its kind, so cbor_not_deterministic, not cbor_malformed.",
            vec![0xA1, 0x9F, 0xFF, 0x00],
            rej("cbor_not_deterministic"),
        ),
        (
            "cbor-map-key-long-head",
            "The unprotected map's key is the integer 1 written with a 1-byte argument \
             (18 01): the head rule applies to keys, cbor_not_deterministic.",
            vec![0xA1, 0x18, 0x01, 0x00],
            rej("cbor_not_deterministic"),
        ),
        (
            "cbor-map-key-half-float",
            "The unprotected map's key is a half-precision float (F9 00 00): cbor_malformed.",
            vec![0xA1, 0xF9, 0x00, 0x00, 0x00],
            rej("cbor_malformed"),
        ),
        (
            "cbor-empty-array-at-depth-15",
            "An empty array at depth 15 in the message (tag 18, the array, the unprotected \
             map, 12 nested arrays, then the empty one): within the limit, so the non-empty \
             unprotected header decides.",
            cat(&[&[0xA1, 0x18, 0x63], &[0x81; 12], &[0x80]]),
            rej("unprotected_header_not_empty"),
        ),
        (
            "cbor-empty-array-at-depth-16",
            "An empty array at depth 16 in the message: an array, map or tag at depth 16 is \
             too deep even when it is empty, because the depth is checked at its head.",
            cat(&[&[0xA1, 0x18, 0x63], &[0x81; 13], &[0x80]]),
            rej("cbor_too_deep"),
        ),
    ];
    for (id, description, unprotected, expected) in cases {
        out.add(
            Case::new(
                id,
                description,
                qr_plain(&with_headers(fx, id, std_protected(), &unprotected)?),
            ),
            expected,
        );
    }
    Ok(())
}

/// Behaviours spec/format.md §15 lists as open points of version 1: a conforming verifier
/// must give the same verdicts, but issuers must not depend on them.
fn open_points(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let claims = Claims::standard(
        ISSUER_A,
        IAT,
        Some(IAT - 3_600),
        EXP,
        Some(&cti("nbf-before-iat")),
        fx.ktp_value(),
    );
    out.add(
        Case::new(
            "nbf-before-iat",
            "spec §15 point 3: nbf an hour before iat is accepted (issuers never write it).",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        ok_a(&ktp),
    );
    out.add(
        Case::new(
            "long-numeric-qr",
            "A numeric-mode QR code of 7089 digits, longer than any IKD credential: still \
             not_ikd_credential, because the prefix is checked before the length.",
            "1234567890"
                .repeat(709)
                .get(..7089)
                .unwrap_or("")
                .to_owned(),
        ),
        rej("not_ikd_credential"),
    );
    Ok(())
}

/// One public key in several trust-store entries: every entry whose key verifies the
/// signature is a candidate, in trust-store order, within the budget of 4 entries per kid;
/// the first that passes the claims and time checks is used, and if none does, the failure
/// of the latest stage is reported.
fn candidates(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let kk = Document::Kk(fx.kk4.clone());
    let id = "candidates-second-entry-issuer";
    let cose = issue(&SEED_A, ISSUER_A2, &ktp, validity(IAT, None, EXP), id)?;
    out.add(
        Case::new(
            id,
            "One key in two entries, for ID-DUKCAPIL-3273 and then ID-DUKCAPIL-3273-2; the \
             credential names the second issuer, so the second entry is used.",
            qr_plain(&cose),
        )
        .store(Store::SameKeyTwoIssuers),
        ok(&SEED_A, ISSUER_A2, &ktp).issuer_name(NAME_A_SECOND),
    );
    let id = "candidates-second-entry-doc-type";
    out.add(
        Case::new(
            id,
            "One key in two entries, for KTP-el and then for KK; a KK is accepted through the \
             second entry.",
            qr_plain(&issue_a(&kk, id)?),
        )
        .store(Store::SameKeySplitDocTypes),
        ok_a(&kk).issuer_name(NAME_A_SECOND),
    );
    let id = "candidates-second-entry-window";
    let iat = SECOND_WINDOW_FROM + 86_400;
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(iat, None, iat + 86_400),
        id,
    )?;
    out.add(
        Case::new(
            id,
            "One key in two entries with consecutive signing windows (2025-2027, 2028-2029); \
             a credential issued in 2028 is accepted through the second entry.",
            qr_plain(&cose),
        )
        .store(Store::SameKeyTwoWindows)
        .now(iat + 600),
        ok_a(&ktp).issuer_name(NAME_A_SECOND),
    );
    let id = "candidates-no-entry-window";
    let iat = SECOND_WINDOW_UNTIL + 86_400;
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(iat, None, iat + 86_400),
        id,
    )?;
    out.add(
        Case::new(
            id,
            "The same two entries; a credential issued in 2030 fits neither window.",
            qr_plain(&cose),
        )
        .store(Store::SameKeyTwoWindows)
        .now(iat + 600),
        rej("key_not_valid_at_issuance"),
    );
    let id = "candidates-latest-stage-failure";
    let cose = issue(&SEED_A, ISSUER_A, &ktp, validity(IAT, None, EXP), id)?;
    out.add(
        Case::new(
            id,
            "One key in two entries: first for ID-DUKCAPIL-3273-2 in 2025-2027, then for \
             ID-DUKCAPIL-3273 in 2028-2029. A credential of ID-DUKCAPIL-3273 issued in 2026 \
             fails the first entry at the claims stage (issuer_mismatch) and the second at \
             the time stage; the failure of the latest stage is reported.",
            qr_plain(&cose),
        )
        .store(Store::SameKeyMixed),
        rej("key_not_valid_at_issuance"),
    );
    let id = "candidates-budget-4";
    out.add(
        Case::new(
            id,
            "One key in four entries, the fourth for the credential's issuer: within the \
             budget of 4 entries per kid.",
            qr_plain(&issue_a(&ktp, id)?),
        )
        .store(Store::SameKeyFourEntries),
        ok_a(&ktp),
    );
    let id = "candidates-budget-5";
    out.add(
        Case::new(
            id,
            "One key in five entries, the fifth for the credential's issuer: the budget of \
             4 counts signature checks, and entries repeating a checked key cost none, so \
             the fifth entry is reached.",
            qr_plain(&issue_a(&ktp, id)?),
        )
        .store(Store::SameKeyFiveEntries),
        ok_a(&ktp),
    );
    Ok(())
}

/// `k` nested one-item arrays around 0, as raw CBOR.
fn nested_arrays(k: usize) -> Vec<u8> {
    cat(&[&vec![0x81; k], &[0x00]])
}

/// `k` nested one-item arrays around 0, as a value.
fn nested_value(k: usize) -> Value {
    (0..k).fold(int(0), |inner, _| Value::Array(vec![inner]))
}

fn cbor_limits(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let std_protected = || forge::protected(&kid_a(), TYP_CREDENTIAL);
    // Outer message: tag 18 (1), array (2), unprotected map (3), then k arrays.
    for (k, id, expected) in [
        (
            MAX_CBOR_DEPTH - 3,
            "cbor-depth-16-unprotected",
            rej("unprotected_header_not_empty"),
        ),
        (
            MAX_CBOR_DEPTH - 2,
            "cbor-depth-17-unprotected",
            rej("cbor_too_deep"),
        ),
    ] {
        let unprotected = cat(&[&[0xA1, 0x18, 0x63], &nested_arrays(k)]);
        let description = format!(
            "Nesting depth {} in the message: tag 18, the array, the unprotected map and {k} \
             nested arrays as the value of label 99. The limit is {MAX_CBOR_DEPTH}.",
            k + 3
        );
        out.add(
            Case::new(
                id,
                &description,
                qr_plain(&with_headers(fx, id, std_protected(), &unprotected)?),
            ),
            expected,
        );
    }
    // Protected header, decoded on its own: the map (1), then k arrays.
    for (k, id, expected) in [
        (
            MAX_CBOR_DEPTH - 1,
            "cbor-depth-16-protected",
            rej("protected_header_unexpected"),
        ),
        (
            MAX_CBOR_DEPTH,
            "cbor-depth-17-protected",
            rej("cbor_too_deep"),
        ),
    ] {
        let protected = map_of(&[
            alg(),
            kid_entry(&kid_a()),
            typ_entry(TYP_CREDENTIAL),
            cat(&[&[0x18, 0x63], &nested_arrays(k)]),
        ]);
        let description = format!(
            "Nesting depth {} inside the protected header's byte string (decoded on its own): \
             the map and {k} nested arrays as the value of label 99.",
            k + 1
        );
        out.add(
            Case::new(
                id,
                &description,
                qr_plain(&with_headers(fx, id, protected, &[0xA0])?),
            ),
            expected,
        );
    }
    // Payload, decoded on its own after the signature check: the claims map (1), then k arrays.
    for (k, id, expected) in [
        (
            MAX_CBOR_DEPTH - 1,
            "cbor-depth-16-payload",
            rej("claims_malformed").claim("unknown"),
        ),
        (
            MAX_CBOR_DEPTH,
            "cbor-depth-17-payload",
            rej("claims_malformed").claim("payload"),
        ),
    ] {
        let claims = claims_a(fx.ktp_value(), id).set(99, nested_value(k));
        let description = format!(
            "Nesting depth {} inside the signed payload (decoded on its own): the claims map \
             and {k} nested arrays as the value of an unknown claim 99.",
            k + 1
        );
        out.add(
            Case::new(id, &description, qr_plain(&forge(&key_a(), &claims)?)),
            expected,
        );
    }
    // Container size.
    for (n, id, expected) in [
        (
            MAX_CBOR_CONTAINER_ITEMS,
            "cbor-256-items",
            rej("unprotected_header_not_empty"),
        ),
        (
            MAX_CBOR_CONTAINER_ITEMS + 1,
            "cbor-257-items",
            rej("cbor_malformed"),
        ),
    ] {
        let unprotected = cat(&[
            &[0xA1, 0x18, 0x63],
            &forge::head(4, n as u64),
            &vec![0u8; n],
        ]);
        let description = format!(
            "An array of {n} items in the unprotected header; containers hold at most \
             {MAX_CBOR_CONTAINER_ITEMS}."
        );
        out.add(
            Case::new(
                id,
                &description,
                qr_plain(&with_headers(fx, id, std_protected(), &unprotected)?),
            ),
            expected,
        );
    }
    Ok(())
}

fn transport_limits(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    // A KTP-el whose portrait makes the uncompressed QR text exactly 4295 characters: the
    // longest Base45 text (3 characters per 2 bytes) within the 4296-character limit.
    let target_bytes = (MAX_QR_TEXT_LEN - 1 - ikd_sdk::transport::PREFIX.len()) / 3 * 2;
    let id = "qr-length-4295";
    let probe_len = 2_000;
    let probe = portrait_credential(fx, probe_len, id)?.len();
    let portrait_len = (probe_len + target_bytes)
        .checked_sub(probe)
        .ok_or("portrait size underflow")?;
    let doc = portrait_doc(fx, portrait_len);
    let cose = issue_a(&doc, id)?;
    let text = qr_plain(&cose);
    if text.len() != MAX_QR_TEXT_LEN - 1 {
        return Err(format!("{id}: text is {} characters", text.len()));
    }
    out.add(
        Case::new(
            id,
            &format!(
                "A KTP-el with a {portrait_len}-byte portrait, uncompressed: 4295 characters, \
                 the longest valid Base45 text within the 4296-character limit."
            ),
            text.clone(),
        ),
        ok_a(&doc),
    );
    out.add(
        Case::new(
            "qr-length-4295-crlf",
            "The 4295-character text followed by CR LF: the line ending does not count \
             toward the limit.",
            format!("{text}\r\n"),
        ),
        ok_a(&doc),
    );
    out.add(
        Case::new(
            "qr-length-4296",
            "The 4295-character text plus one Base45 character: exactly at the length limit, \
             so it passes the size check and fails Base45 (a single trailing character).",
            format!("{text}0"),
        ),
        rej("base45_invalid"),
    );
    out.add(
        Case::new(
            "qr-length-4297",
            "The 4295-character text plus two characters: one past the limit, rejected before \
             Base45 is decoded.",
            format!("{text}00"),
        ),
        rej("input_too_large"),
    );

    // Inflate limit.
    let ktp = Document::Ktp(fx.ktp.clone());
    let cose = issue_a(&ktp, "inflate-exactly-64k")?;
    let mut padded = cose.clone();
    padded.resize(MAX_INFLATED_LEN, 0);
    out.add(
        Case::new(
            "inflate-exactly-64k",
            "A zlib stream that inflates to exactly 65 536 bytes (a credential and zero \
             padding): the inflate limit allows it, and the padding is then trailing bytes.",
            qr_zlib(&padded, 9),
        ),
        rej("cbor_trailing_bytes"),
    );
    padded.push(0);
    out.add(
        Case::new(
            "inflate-64k-plus-1",
            "The same with one more byte of padding: 65 537 bytes, past the inflate limit.",
            qr_zlib(&padded, 9),
        ),
        rej("inflate_limit_exceeded"),
    );
    let cose = issue_a(&ktp, "zlib-stored-block")?;
    out.add(
        Case::new(
            "zlib-stored-block",
            "A credential in a zlib stream of stored (uncompressed) blocks, level 0: any valid \
             zlib stream is accepted.",
            qr_zlib(&cose, 0),
        ),
        ok_a(&ktp),
    );
    Ok(())
}

fn portrait_doc(fx: &Fixtures, len: usize) -> Document {
    let mut ktp = fx.ktp.clone();
    ktp.foto = Some(jpeg(len, 7));
    Document::Ktp(ktp)
}

fn portrait_credential(fx: &Fixtures, len: usize, id: &str) -> Result<Vec<u8>, String> {
    issue_a(&portrait_doc(fx, len), id)
}

fn document_limits(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    // Text fields: 128 bytes of UTF-8.
    let ascii = "A".repeat(MAX_TEXT_FIELD_LEN);
    let multibyte = "\u{C9}".repeat(MAX_TEXT_FIELD_LEN / 2);
    for (id, description, nama) in [
        (
            "text-128-bytes",
            "nama of exactly 128 ASCII characters (the limit is 128 bytes).",
            ascii.clone(),
        ),
        (
            "text-128-bytes-multibyte",
            "nama of 64 \u{C9} (U+00C9, 2 bytes each): 128 bytes.",
            multibyte.clone(),
        ),
    ] {
        let mut ktp = fx.ktp.clone();
        ktp.nama = nama;
        let doc = Document::Ktp(ktp);
        out.add(
            Case::new(id, description, qr_plain(&issue_a(&doc, id)?)),
            ok_a(&doc),
        );
    }
    for (id, description, nama) in [
        (
            "text-129-bytes",
            "nama of 129 ASCII characters.",
            format!("{ascii}A"),
        ),
        (
            "text-130-bytes-multibyte",
            "nama of 65 \u{C9}: 65 characters but 130 bytes. Lengths count bytes.",
            format!("{multibyte}\u{C9}"),
        ),
    ] {
        let mut doc = fx.ktp_value();
        map_set(&mut doc, 2, Value::from(nama));
        out.add(
            Case::new(id, description, qr_plain(&forge_doc_a(doc, id)?)),
            rej("field_invalid").field("nama"),
        );
    }

    // KK members.
    let members: Vec<_> = fx
        .kk8
        .anggota
        .iter()
        .cycle()
        .take(MAX_KK_MEMBERS + 1)
        .enumerate()
        .map(|(i, m)| {
            let mut m = m.clone();
            m.nik = Nik(m.nik.0 / 10_000 * 10_000 + i as u64 + 1);
            m
        })
        .collect();
    let mut kk32 = fx.kk8.clone();
    kk32.anggota = members.iter().take(MAX_KK_MEMBERS).cloned().collect();
    let kk32 = Document::Kk(kk32);
    out.add(
        Case::new(
            "kk-32-members",
            "A Kartu Keluarga with 32 members, the most allowed (compressed).",
            qr_zlib(&issue_a(&kk32, "kk-32-members")?, 9),
        ),
        ok_a(&kk32),
    );
    let mut kk33 = fx.kk8.clone();
    kk33.anggota = members;
    out.add(
        Case::new(
            "kk-33-members",
            "A Kartu Keluarga with 33 members (compressed).",
            qr_zlib(
                &forge_doc_a(Document::Kk(kk33).to_cbor_value(), "kk-33-members")?,
                9,
            ),
        ),
        rej("document_malformed").field("anggota"),
    );

    // Portrait size.
    let mut ktp = fx.ktp.clone();
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.resize(MAX_PORTRAIT_LEN, 0);
    ktp.foto = Some(photo.clone());
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "foto-4096-bytes",
            "A 4096-byte portrait, the largest allowed (compressed).",
            qr_zlib(&issue_a(&doc, "foto-4096-bytes")?, 9),
        ),
        ok_a(&doc),
    );
    photo.push(0);
    let mut v = fx.ktp_value();
    map_set(&mut v, 18, Value::Bytes(photo));
    out.add(
        Case::new(
            "foto-4097-bytes",
            "A 4097-byte portrait (compressed).",
            qr_zlib(&forge_doc_a(v, "foto-4097-bytes")?, 9),
        ),
        rej("field_invalid").field("foto"),
    );

    let mut webp = fx.ktp.clone();
    webp.foto = Some(cat(&[b"RIFF", &[0x04, 0, 0, 0], b"WEBP"]));
    let webp = Document::Ktp(webp);
    out.add(
        Case::new(
            "foto-webp-12-bytes",
            "A 12-byte WebP portrait (RIFF at 0, WEBP at 8): the shortest accepted.",
            qr_plain(&issue_a(&webp, "foto-webp-12-bytes")?),
        ),
        ok_a(&webp),
    );

    // Date range, RT, SIAK maxima.
    let mut born_1900 = fx.ktp.clone();
    born_1900.tanggal_lahir = date(1900, 1, 1)?;
    born_1900.nik = Nik(3_273_014_101_000_003);
    let born_1900 = Document::Ktp(born_1900);
    out.add(
        Case::new(
            "tanggal-lahir-1900-01-01",
            "Born 1900-01-01, the earliest date a document may carry (NIK 410100: a woman, \
             day 1 + 40).",
            qr_plain(&issue_a(&born_1900, "tanggal-lahir-1900-01-01")?),
        ),
        ok_a(&born_1900),
    );
    let mut until_2199 = fx.ktp.clone();
    until_2199.berlaku_hingga = BerlakuHingga::Tanggal(date(2199, 12, 31)?);
    let until_2199 = Document::Ktp(until_2199);
    out.add(
        Case::new(
            "berlaku-hingga-2199-12-31",
            "berlaku_hingga 2199-12-31, the latest date a document may carry.",
            qr_plain(&issue_a(&until_2199, "berlaku-hingga-2199-12-31")?),
        ),
        ok_a(&until_2199),
    );
    let mut v = fx.ktp_value();
    map_set(
        &mut v,
        15,
        int(i64::from(date(2200, 1, 1)?.days_since_epoch())),
    );
    out.add(
        Case::new(
            "berlaku-hingga-2200-01-01",
            "berlaku_hingga 2200-01-01, one day past the range.",
            qr_plain(&forge_doc_a(v, "berlaku-hingga-2200-01-01")?),
        ),
        rej("field_invalid").field("berlaku_hingga"),
    );
    let mut v = fx.ktp_value();
    map_set(&mut v, 4, int(1 << 31));
    out.add(
        Case::new(
            "tanggal-lahir-beyond-i32",
            "tanggal_lahir 2^31 days: a date must fit a 32-bit signed integer, so this is a \
             shape error, not a range error.",
            qr_plain(&forge_doc_a(v, "tanggal-lahir-beyond-i32")?),
        ),
        rej("document_malformed").field("tanggal_lahir"),
    );
    let mut maxima = fx.ktp.clone();
    maxima.rt = 999;
    maxima.rw = 999;
    maxima.agama = 7;
    maxima.pekerjaan = 89;
    maxima.golongan_darah = Some(13);
    maxima.status_perkawinan = 4;
    let maxima = Document::Ktp(maxima);
    out.add(
        Case::new(
            "maxima",
            "RT and RW 999, and the highest code of each SIAK list (agama 7, pekerjaan 89, \
             golongan darah 13, status perkawinan 4).",
            qr_plain(&issue_a(&maxima, "maxima")?),
        ),
        ok_a(&maxima),
    );
    let mut v = fx.ktp_value();
    map_set(&mut v, 13, int(90));
    out.add(
        Case::new(
            "pekerjaan-90",
            "pekerjaan 90, one past the list.",
            qr_plain(&forge_doc_a(v, "pekerjaan-90")?),
        ),
        rej("siak_code_invalid").field("pekerjaan").siak_code(90),
    );
    let mut v = fx.ktp_value();
    map_set(&mut v, 11, int(256));
    out.add(
        Case::new(
            "agama-256",
            "agama 256: SIAK codes are small integers (0-255), so this is a shape error, \
             not a code error.",
            qr_plain(&forge_doc_a(v, "agama-256")?),
        ),
        rej("document_malformed").field("agama"),
    );
    Ok(())
}

fn nik_calendar(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    // (id, description, NIK, jenis kelamin, birth date)
    type NikCase = (&'static str, &'static str, u64, u8, (i32, u32, u32));
    let valid: [NikCase; 4] = [
        (
            "nik-woman-day-71",
            "A woman born on the 31st: NIK day 71 (31 + 40).",
            3_273_017_108_920_003,
            2,
            (1992, 8, 31),
        ),
        (
            "nik-man-day-31",
            "A man born on the 31st: NIK day 31.",
            3_273_013_105_900_001,
            1,
            (1990, 5, 31),
        ),
        (
            "nik-29-feb-2000-woman",
            "A woman born 29 February 2000: NIK 690200 (2000 is a leap year).",
            3_273_016_902_000_003,
            2,
            (2000, 2, 29),
        ),
        (
            "nik-29-feb-2000-man",
            "A man born 29 February 2000: NIK 290200.",
            3_273_012_902_000_001,
            1,
            (2000, 2, 29),
        ),
    ];
    for (id, description, nik, sex, (y, m, d)) in valid {
        let mut ktp = fx.ktp.clone();
        ktp.nik = Nik(nik);
        ktp.jenis_kelamin = sex;
        ktp.tanggal_lahir = date(y, m, d)?;
        let doc = Document::Ktp(ktp);
        out.add(
            Case::new(id, description, qr_plain(&issue_a(&doc, id)?)),
            ok_a(&doc),
        );
    }
    let invalid: [(&str, &str, u64); 4] = [
        (
            "nik-woman-day-72",
            "NIK day 72: a woman's day 32.",
            3_273_017_208_920_003,
        ),
        (
            "nik-woman-day-40",
            "NIK day 40: a woman's day 0.",
            3_273_014_008_920_003,
        ),
        (
            "nik-29-feb-2001",
            "NIK 290201: 29 February in a year ending 01 (neither 1901 nor 2001 is a leap year).",
            3_273_012_902_010_001,
        ),
        (
            "nik-30-feb",
            "NIK 300200: 30 February exists in no year.",
            3_273_013_002_000_001,
        ),
    ];
    for (id, description, nik) in invalid {
        let mut v = fx.ktp_value();
        map_set(&mut v, 1, Value::from(nik));
        out.add(
            Case::new(id, description, qr_plain(&forge_doc_a(v, id)?)),
            rej("nik_invalid").field("nik"),
        );
    }
    Ok(())
}

fn warnings(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let mut ktp = fx.ktp.clone();
    ktp.tanggal_lahir = date(1992, 8, 18)?;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-nik-birth-date",
            "NIK 570892 (17 August 1992) but tanggal_lahir 1992-08-18: valid, with a warning.",
            qr_plain(&issue_a(&doc, "warning-nik-birth-date")?),
        ),
        ok_a(&doc).warn("nik_birth_date_mismatch", "nik"),
    );
    let mut ktp = fx.ktp.clone();
    ktp.jenis_kelamin = 1;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-nik-sex",
            "A woman's NIK (day 57 = 17 + 40) but jenis_kelamin 1 (laki-laki): valid, with a \
             warning.",
            qr_plain(&issue_a(&doc, "warning-nik-sex")?),
        ),
        ok_a(&doc).warn("nik_sex_mismatch", "nik"),
    );
    let mut ktp = fx.ktp.clone();
    ktp.jenis_kelamin = 1;
    ktp.tanggal_lahir = date(1993, 8, 17)?;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-both",
            "Both disagreements: birth year and sex. Warnings come in this order.",
            qr_plain(&issue_a(&doc, "warning-both")?),
        ),
        ok_a(&doc)
            .warn("nik_birth_date_mismatch", "nik")
            .warn("nik_sex_mismatch", "nik"),
    );
    let mut kk = fx.kk4.clone();
    if let Some(m) = kk.anggota.get_mut(2) {
        m.tanggal_lahir = date(2015, 5, 10)?;
    }
    if let Some(m) = kk.anggota.get_mut(3) {
        m.jenis_kelamin = 1;
    }
    let doc = Document::Kk(kk);
    out.add(
        Case::new(
            "warning-kk-members",
            "A Kartu Keluarga whose third member's birth date and fourth member's sex \
             disagree with their NIKs: one warning each, in member order.",
            qr_plain(&issue_a(&doc, "warning-kk-members")?),
        ),
        ok_a(&doc)
            .warn("nik_birth_date_mismatch", "anggota[2].nik")
            .warn("nik_sex_mismatch", "anggota[3].nik"),
    );
    region_warnings(fx, out)
}

/// Region checks against kepmendagri-300.2.2-2138-2025 and the six historical kecamatan
/// lists: soft findings, never rejections.
fn region_warnings(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let nik = |text: &str| ikd_sdk::Nik::parse(text).ok_or_else(|| format!("bad NIK {text}"));
    let mut ktp = fx.ktp.clone();
    ktp.nik = nik("9999015708920003")?;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-nik-region-unknown",
            "NIK prefix 999901: province 99 is in no region list. Valid, with a warning.",
            qr_plain(&issue_a(&doc, "warning-nik-region-unknown")?),
        ),
        ok_a(&doc).warn("nik_region_unknown", "nik"),
    );
    let mut ktp = fx.ktp.clone();
    ktp.nik = nik("9101015708920003")?;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-nik-region-historical",
            "NIK prefix 910101 (Merauke in the undivided Papua, last listed in 2021; now \
             930101 in Papua Selatan). Valid, with the informational note naming list 2021.",
            qr_plain(&issue_a(&doc, "warning-nik-region-historical")?),
        ),
        ok_a(&doc).warn("nik_region_historical", "nik"),
    );
    let mut ktp = fx.ktp.clone();
    ktp.kode_wilayah = 3_273_019_999;
    ktp.tempat_dikeluarkan = 3_299;
    let doc = Document::Ktp(ktp);
    out.add(
        Case::new(
            "warning-region-codes-unknown",
            "kode_wilayah 3273019999 and tempat_dikeluarkan 3299 are well formed but not in \
             kepmendagri-300.2.2-2138-2025: valid, with one warning each.",
            qr_plain(&issue_a(&doc, "warning-region-codes-unknown")?),
        ),
        ok_a(&doc)
            .warn("region_code_unknown", "kode_wilayah")
            .warn("region_code_unknown", "tempat_dikeluarkan"),
    );
    let mut kk = fx.kk4.clone();
    kk.kode_wilayah = 3_273_019_999;
    if let Some(m) = kk.anggota.get_mut(1) {
        m.nik = nik("9201015708920003")?;
    }
    let doc = Document::Kk(kk);
    out.add(
        Case::new(
            "warning-kk-regions",
            "A Kartu Keluarga whose second member's NIK has prefix 920101 (Makbon, Papua \
             Barat until 2022, now 960101) and whose kode_wilayah is unknown: the member's \
             note, then the header's warning.",
            qr_plain(&issue_a(&doc, "warning-kk-regions")?),
        ),
        ok_a(&doc)
            .warn("nik_region_historical", "anggota[1].nik")
            .warn("region_code_unknown", "kode_wilayah"),
    );
    Ok(())
}

fn claims_edges(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let max = ikd_sdk::limits::MAX_NUMERIC_DATE;
    let cose = issue(&SEED_A, ISSUER_A, &ktp, validity(IAT, None, max), "exp-max")?;
    out.add(
        Case::new(
            "exp-max",
            "exp = 253402300799 (9999-12-31T23:59:59Z), the largest NumericDate allowed.",
            qr_plain(&cose),
        ),
        ok_a(&ktp),
    );
    let claims = claims_a(fx.ktp_value(), "exp-past-max").set(claim::EXP, int(max + 1));
    out.add(
        Case::new(
            "exp-past-max",
            "exp = 253402300800, one second past the largest NumericDate.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        rej("claims_malformed").claim("exp"),
    );
    let cose = issue(
        &SEED_A,
        ISSUER_A,
        &ktp,
        validity(IAT, None, IAT),
        "exp-equals-iat",
    )?;
    out.add(
        Case::new(
            "exp-equals-iat",
            "exp = iat, checked at that second: valid.",
            qr_plain(&cose),
        )
        .now(IAT),
        ok_a(&ktp),
    );
    let mut claims = claims_a(fx.ktp_value(), "claims-keys-unordered");
    claims.0.reverse();
    out.add(
        Case::new(
            "claims-keys-unordered",
            "The claims map with its keys in descending order (document first, iss last): \
             deterministic encoding orders map keys, so the signed payload is malformed.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        rej("claims_malformed").claim("payload"),
    );
    Ok(())
}
