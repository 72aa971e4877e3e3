//! Invalid vectors: each rejected for one stated reason, every earlier check passing.

use super::valid::date;
use super::*;
use crate::forge::{
    TYP_PRESENTATION, TYP_TRUST_LIST, bstr, cat, claim, head, int, map_get_mut, map_remove,
    map_set, qr_plain, qr_zlib, sig_structure_with, zlib,
};
use ikd_sdk::limits::{MAX_INFLATED_LEN, MAX_QR_TEXT_LEN};
use ikd_sdk::transport::PREFIX;

pub(super) fn build(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    decode(fx, out)?;
    header(fx, out)?;
    signature(fx, out)?;
    claims(fx, out)?;
    time(fx, out)?;
    content(fx, out)?;
    order(fx, out)?;
    Ok(())
}

/// A KTP-el from issuer A with this vector's cti: the starting point of most vectors.
fn base(fx: &Fixtures, id: &str) -> Result<Vec<u8>, String> {
    issue_a(&Document::Ktp(fx.ktp.clone()), id)
}

/// Issuer A's KTP-el as parts, for tampering.
fn base_parts(fx: &Fixtures, id: &str) -> Result<Sign1, String> {
    forge_sign1(&key_a(), &claims_a(fx.ktp_value(), id))
}

/// Issuer A's KTP-el signed under a hand-made protected header, with an unprotected header
/// given as raw CBOR.
pub(super) fn with_headers(
    fx: &Fixtures,
    id: &str,
    protected: Vec<u8>,
    unprotected: &[u8],
) -> Result<Vec<u8>, String> {
    let mut parts = Sign1::signed(&key_a(), protected, claims_a(fx.ktp_value(), id).encode()?);
    parts.unprotected = unprotected.to_vec();
    Ok(parts.to_bytes())
}

/// The raw protected-header entries this format uses, for building variants.
pub(super) fn alg() -> Vec<u8> {
    vec![0x01, 0x27]
}

pub(super) fn kid_entry(kid: &[u8]) -> Vec<u8> {
    cat(&[&[0x04], &bstr(kid)])
}

pub(super) fn typ_entry(typ: u64) -> Vec<u8> {
    cat(&[&[0x10], &head(0, typ)])
}

pub(super) fn kid_a() -> Vec<u8> {
    key_a().kid().0.to_vec()
}

/// A protected header map of the given raw entries.
pub(super) fn map_of(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = head(5, entries.len() as u64);
    for e in entries {
        out.extend_from_slice(e);
    }
    out
}

fn decode(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    // input_too_large
    out.add(
        Case::new(
            "decode/input-too-large",
            "4297 characters: one more than the largest QR code holds. Rejected before any \
             decoding.",
            format!("{PREFIX}{}", "0".repeat(MAX_QR_TEXT_LEN + 1 - PREFIX.len())),
        ),
        rej("input_too_large"),
    );
    out.add(
        Case::new(
            "decode/input-too-large-10k",
            "10 000 characters of Base45.",
            format!("{PREFIX}{}", "A".repeat(10_000)),
        ),
        rej("input_too_large"),
    );

    // not_ikd_credential
    let cose = base(fx, "decode/not-ikd")?;
    let body = ikd_sdk::unstable_wire::base45::encode(&cose);
    for (id, description, qr) in [
        (
            "decode/not-ikd-url",
            "A URL QR code.",
            "https://example.com/ktp?nik=3273015708920003".to_owned(),
        ),
        (
            "decode/not-ikd-hc1",
            "An EU Digital COVID Certificate prefix.",
            format!("HC1:{body}"),
        ),
        (
            "decode/not-ikd-lowercase-prefix",
            "The prefix in lower case: prefixes are case-sensitive.",
            format!("ikd1:{body}"),
        ),
        (
            "decode/not-ikd-leading-space",
            "A space before the prefix.",
            format!(" IKD1:{body}"),
        ),
        (
            "decode/not-ikd-version-2",
            "A future format version.",
            format!("IKD2:{body}"),
        ),
        ("decode/not-ikd-empty", "Empty text.", String::new()),
        (
            "decode/not-ikd-prefix-without-colon",
            "IKD1 without the colon.",
            format!("IKD1{body}"),
        ),
    ] {
        out.add(Case::new(id, description, qr), rej("not_ikd_credential"));
    }

    // base45_invalid
    let text = qr_plain(&cose);
    for (id, description, qr) in [
        (
            "decode/base45-lowercase",
            "Lower-case letters are not in the Base45 alphabet.",
            format!("{PREFIX}abc"),
        ),
        (
            "decode/base45-triple-overflow",
            "GGW decodes to 65536, more than two bytes hold.",
            format!("{PREFIX}GGW"),
        ),
        (
            "decode/base45-pair-overflow",
            "V5 decodes to 256, more than one byte holds.",
            format!("{PREFIX}V5"),
        ),
        (
            "decode/base45-dangling-character",
            "A valid credential followed by one more character: a single trailing character is never valid Base45.",
            format!("{text}0"),
        ),
        (
            "decode/base45-foreign-character",
            "A # in the middle of the text.",
            format!(
                "{PREFIX}{}#{}",
                body.get(..30).unwrap_or(""),
                body.get(30..).unwrap_or("")
            ),
        ),
    ] {
        out.add(Case::new(id, description, qr), rej("base45_invalid"));
    }

    // inflate_limit_exceeded
    out.add(
        Case::new(
            "decode/inflate-one-byte-over",
            "A zlib stream that inflates to 65 537 bytes, one more than the limit.",
            qr_zlib(&vec![0xD2; MAX_INFLATED_LEN + 1], 9),
        ),
        rej("inflate_limit_exceeded"),
    );
    out.add(
        Case::new(
            "decode/zlib-bomb",
            "A zlib bomb: 2 MiB of zeros in about 2 KB. The decoder stops at the limit.",
            qr_zlib(&vec![0; 2 * 1024 * 1024], 9),
        ),
        rej("inflate_limit_exceeded"),
    );

    // zlib_invalid
    let good = zlib(&cose, 9);
    let mut bad_adler = good.clone();
    if let Some(last) = bad_adler.last_mut() {
        *last ^= 0x01;
    }
    let truncated = good
        .get(..good.len().saturating_sub(3))
        .unwrap_or(&[])
        .to_vec();
    let trailing = cat(&[&good, &[0x00]]);
    let nested = zlib(&good, 9);
    let mut bad_header = good.clone();
    if let Some(flg) = bad_header.get_mut(1) {
        *flg = 0x00; // 0x7800 is not a multiple of 31
    }
    // 78 20: FDICT set (0x7820 is a multiple of 31), then a dictionary id, then the data.
    let preset = cat(&[&[0x78, 0x20], &[0, 0, 0, 1], good.get(2..).unwrap_or(&[])]);
    for (id, description, bytes) in [
        (
            "decode/zlib-preset-dictionary",
            "A zlib header asking for a preset dictionary (FDICT).",
            preset,
        ),
        (
            "decode/zlib-bad-checksum",
            "The Adler-32 checksum at the end of the stream is wrong.",
            bad_adler,
        ),
        (
            "decode/zlib-truncated",
            "The stream lacks its last three bytes.",
            truncated,
        ),
        (
            "decode/zlib-trailing-byte",
            "A byte follows the end of the zlib stream.",
            trailing,
        ),
        (
            "decode/zlib-nested",
            "zlib inside zlib: compression is one layer deep, and inflated data starting with 0x78 is refused.",
            nested,
        ),
        (
            "decode/zlib-bad-header-check",
            "The zlib header's check bits are wrong (78 00).",
            bad_header,
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&bytes)),
            rej("zlib_invalid"),
        );
    }

    // cbor_malformed
    let truncated = cose
        .get(..cose.len().saturating_sub(1))
        .unwrap_or(&[])
        .to_vec();
    out.add(
        Case::new(
            "decode/cbor-truncated",
            "The message lacks its last byte: the signature is shorter than its length says.",
            qr_plain(&truncated),
        ),
        rej("cbor_malformed"),
    );
    out.add(
        Case::new(
            "decode/cbor-empty",
            "IKD1: and nothing else: an empty message.",
            PREFIX.to_owned(),
        ),
        rej("cbor_malformed"),
    );
    for (id, description, unprotected) in [
        (
            "decode/cbor-float",
            "A half-precision float (1.5) in the unprotected header: floats are not allowed.",
            vec![0xA1, 0x18, 0x63, 0xF9, 0x3E, 0x00],
        ),
        (
            "decode/cbor-undefined",
            "The simple value undefined in the unprotected header.",
            vec![0xA1, 0x18, 0x63, 0xF7],
        ),
        (
            "decode/cbor-invalid-utf8",
            "A text string that is not UTF-8 in the unprotected header.",
            vec![0xA1, 0x18, 0x63, 0x62, 0xC3, 0x28],
        ),
        (
            "decode/cbor-array-map-key",
            "An array used as a map key in the unprotected header.",
            vec![0xA1, 0x80, 0x00],
        ),
        (
            "decode/cbor-reserved-info",
            "A head with the reserved additional information 28.",
            vec![0xA1, 0x18, 0x63, 0x1C],
        ),
    ] {
        out.add(
            Case::new(
                id,
                description,
                qr_plain(&with_headers(
                    fx,
                    id,
                    forge::protected(&kid_a(), TYP_CREDENTIAL),
                    &unprotected,
                )?),
            ),
            rej("cbor_malformed"),
        );
    }
    let claims = claims_a(fx.ktp_value(), "claims/payload-cbor-float-in-claims")
        .set(claim::EXP, Value::Float(1_792_592_000.0));
    out.add(
        Case::new(
            "claims/payload-cbor-float-in-claims",
            "exp as a float inside the signed payload: CBOR problems behind the signature \
             are claims problems.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        rej("claims_malformed").claim("payload"),
    );

    // cbor_too_deep
    let deep_tags = cat(&[&[0xA1, 0x18, 0x63], &[0xC1; 14], &[0x00]]);
    out.add(
        Case::new(
            "decode/cbor-too-deep-tags",
            "Nesting depth 17 made of tags: tag 18, the array, the unprotected map, and 14 nested tags in it. Tags count toward the depth (arrays: edge/cbor-depth-17-unprotected).",
            qr_plain(&with_headers(fx, "decode/cbor-too-deep-tags", forge::protected(&kid_a(), TYP_CREDENTIAL), &deep_tags)?),
        ),
        rej("cbor_too_deep"),
    );

    // cbor_duplicate_key
    out.add(
        Case::new(
            "decode/cbor-duplicate-key-unprotected",
            "The unprotected header holds key 99 twice.",
            qr_plain(&with_headers(
                fx,
                "decode/cbor-duplicate-key-unprotected",
                forge::protected(&kid_a(), TYP_CREDENTIAL),
                &[0xA2, 0x18, 0x63, 0x00, 0x18, 0x63, 0x01],
            )?),
        ),
        rej("cbor_duplicate_key"),
    );
    out.add(
        Case::new(
            "decode/cbor-duplicate-text-key",
            "The unprotected header holds text key \"a\" twice.",
            qr_plain(&with_headers(
                fx,
                "decode/cbor-duplicate-text-key",
                forge::protected(&kid_a(), TYP_CREDENTIAL),
                &[0xA2, 0x61, 0x61, 0x00, 0x61, 0x61, 0x01],
            )?),
        ),
        rej("cbor_duplicate_key"),
    );
    let dup_alg = map_of(&[alg(), alg(), kid_entry(&kid_a()), typ_entry(TYP_CREDENTIAL)]);
    out.add(
        Case::new(
            "decode/cbor-duplicate-key-protected",
            "The protected header holds alg twice (signed as sent).",
            qr_plain(&with_headers(
                fx,
                "decode/cbor-duplicate-key-protected",
                dup_alg,
                &[0xA0],
            )?),
        ),
        rej("cbor_duplicate_key"),
    );
    let claims = claims_a(fx.ktp_value(), "claims/payload-cbor-duplicate-claim")
        .push(int(claim::ISS), Value::from(ISSUER_A));
    out.add(
        Case::new(
            "claims/payload-cbor-duplicate-claim",
            "The signed claims hold iss twice (same value). Found after the signature check.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        rej("claims_malformed").claim("payload"),
    );
    let mut doc = fx.ktp_value();
    if let Value::Map(entries) = &mut doc {
        entries.push((int(2), Value::from("SITI NURHALIZA PUTRI")));
    }
    out.add(
        Case::new(
            "claims/payload-cbor-duplicate-document-field",
            "The document holds nama twice.",
            qr_plain(&forge_doc_a(
                doc,
                "claims/payload-cbor-duplicate-document-field",
            )?),
        ),
        rej("claims_malformed").claim("payload"),
    );

    // cbor_trailing_bytes
    for (id, description, bytes) in [
        (
            "decode/cbor-trailing-byte",
            "A zero byte after the COSE_Sign1.",
            cat(&[&cose, &[0x00]]),
        ),
        (
            "decode/cbor-two-messages",
            "The message twice in a row.",
            cat(&[&cose, &cose]),
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&bytes)),
            rej("cbor_trailing_bytes"),
        );
    }
    let payload = cat(&[
        &claims_a(
            fx.ktp_value(),
            "claims/payload-cbor-trailing-byte-in-payload",
        )
        .encode()?,
        &[0x00],
    ]);
    let parts = Sign1::signed(
        &key_a(),
        forge::protected(&kid_a(), TYP_CREDENTIAL),
        payload,
    );
    out.add(
        Case::new(
            "claims/payload-cbor-trailing-byte-in-payload",
            "A zero byte after the claims map inside the signed payload.",
            qr_plain(&parts.to_bytes()),
        ),
        rej("claims_malformed").claim("payload"),
    );
    let protected = cat(&[&forge::protected(&kid_a(), TYP_CREDENTIAL), &[0x00]]);
    out.add(
        Case::new(
            "decode/cbor-trailing-byte-in-protected",
            "A zero byte after the protected header map inside its byte string (signed as sent).",
            qr_plain(&with_headers(
                fx,
                "decode/cbor-trailing-byte-in-protected",
                protected,
                &[0xA0],
            )?),
        ),
        rej("cbor_trailing_bytes"),
    );

    // cbor_not_deterministic
    let parts = base_parts(fx, "decode/cbor-long-length-head")?;
    let long_head = cat(&[
        &[0xD2, 0x84],
        &bstr(&parts.protected),
        &parts.unprotected,
        &[0x5A],
        &(parts.payload.len() as u32).to_be_bytes(),
        &parts.payload,
        &bstr(&parts.signature),
    ]);
    let indefinite_array = cat(&[
        &[0xD2, 0x9F],
        &bstr(&parts.protected),
        &parts.unprotected,
        &bstr(&parts.payload),
        &bstr(&parts.signature),
        &[0xFF],
    ]);
    let long_tag = cat(&[&[0xD8, 0x12], &parts.untagged()]);
    let mut indefinite_map = parts.clone();
    indefinite_map.unprotected = vec![0xBF, 0xFF];
    for (id, description, bytes) in [
        (
            "decode/cbor-long-length-head",
            "The payload's length in a 4-byte head where 2 bytes suffice.",
            long_head,
        ),
        (
            "decode/cbor-indefinite-array",
            "The COSE_Sign1 array with indefinite length.",
            indefinite_array,
        ),
        (
            "decode/cbor-long-tag-head",
            "Tag 18 written in two bytes (D8 12) instead of one (D2).",
            long_tag,
        ),
        (
            "decode/cbor-indefinite-map",
            "The empty unprotected header as an indefinite-length map (BF FF).",
            indefinite_map.to_bytes(),
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&bytes)),
            rej("cbor_not_deterministic"),
        );
    }
    let long_typ = map_of(&[
        alg(),
        kid_entry(&kid_a()),
        vec![0x10, 0x1A, 0x00, 0x00, 0xFF, 0x01],
    ]);
    out.add(
        Case::new(
            "decode/cbor-long-head-in-protected",
            "typ in the protected header written with a 4-byte head (signed as sent).",
            qr_plain(&with_headers(
                fx,
                "decode/cbor-long-head-in-protected",
                long_typ,
                &[0xA0],
            )?),
        ),
        rej("cbor_not_deterministic"),
    );
    let payload = claims_a(fx.ktp_value(), "claims/payload-cbor-long-head-in-claims").encode()?;
    let exp_short = cat(&[&[0x04], &head(0, EXP as u64)]);
    let exp_long = cat(&[&[0x04, 0x1B], &(EXP as u64).to_be_bytes()]);
    let payload = replace_once(&payload, &exp_short, &exp_long)?;
    let parts = Sign1::signed(
        &key_a(),
        forge::protected(&kid_a(), TYP_CREDENTIAL),
        payload,
    );
    out.add(
        Case::new(
            "claims/payload-cbor-long-head-in-claims",
            "exp in the signed claims written with an 8-byte head where 4 bytes suffice.",
            qr_plain(&parts.to_bytes()),
        ),
        rej("claims_malformed").claim("payload"),
    );

    // cose_tag_missing, cose_tag_wrong
    out.add(
        Case::new(
            "decode/cose-untagged",
            "The COSE_Sign1 array without tag 18.",
            qr_plain(&parts_untagged(fx)?),
        ),
        rej("cose_tag_missing"),
    );
    let untagged = parts_untagged(fx)?;
    for (id, description, prefix, tag) in [
        (
            "decode/cose-tag-sign",
            "Tagged 98 (COSE_Sign) instead of 18.",
            vec![0xD8, 0x62],
            98,
        ),
        (
            "decode/cose-tag-mac0",
            "Tagged 17 (COSE_Mac0) instead of 18.",
            vec![0xD1],
            17,
        ),
        (
            "decode/cose-tag-cwt",
            "Tagged 61 (CWT) around the untagged array: the format requires tag 18 exactly.",
            vec![0xD8, 0x3D],
            61,
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&cat(&[&prefix, &untagged]))),
            rej("cose_tag_wrong").tag(tag),
        );
    }
    out.add(
        Case::new(
            "decode/cose-tag-cwt-around-tag-18",
            "Tag 61 (CWT) around a complete tagged COSE_Sign1: the outermost tag must be 18.",
            qr_plain(&cat(&[
                &[0xD8, 0x3D],
                &base(fx, "decode/cose-tag-cwt-around-tag-18")?,
            ])),
        ),
        rej("cose_tag_wrong").tag(61),
    );

    // cose_malformed
    let p = base_parts(fx, "decode/cose-malformed")?;
    let pb = bstr(&p.protected);
    let payload_b = bstr(&p.payload);
    let sig_b = bstr(&p.signature);
    let kid_text = map_of(&[
        alg(),
        cat(&[&[0x04], &head(3, 8), b"kid-text"]),
        typ_entry(TYP_CREDENTIAL),
    ]);
    let alg_tagged = map_of(&[
        vec![0x01, 0xC1, 0x27],
        kid_entry(&kid_a()),
        typ_entry(TYP_CREDENTIAL),
    ]);
    let alg_bytes = map_of(&[
        vec![0x01, 0x41, 0x27],
        kid_entry(&kid_a()),
        typ_entry(TYP_CREDENTIAL),
    ]);
    for (id, description, bytes) in [
        (
            "decode/cose-three-items",
            "A COSE_Sign1 array of three items (no signature).",
            cat(&[&[0xD2, 0x83], &pb, &p.unprotected, &payload_b]),
        ),
        (
            "decode/cose-five-items",
            "A COSE_Sign1 array of five items.",
            cat(&[
                &[0xD2, 0x85],
                &pb,
                &p.unprotected,
                &payload_b,
                &sig_b,
                &[0xF6],
            ]),
        ),
        (
            "decode/cose-detached-payload",
            "A detached payload (nil): a credential carries its payload.",
            cat(&[&[0xD2, 0x84], &pb, &p.unprotected, &[0xF6], &sig_b]),
        ),
        (
            "decode/cose-protected-not-bstr",
            "The protected header as a map instead of a byte string.",
            cat(&[
                &[0xD2, 0x84],
                &p.protected,
                &p.unprotected,
                &payload_b,
                &sig_b,
            ]),
        ),
        (
            "decode/cose-protected-not-map",
            "The protected header's byte string holds an array.",
            cat(&[
                &[0xD2, 0x84],
                &bstr(&[0x80]),
                &p.unprotected,
                &payload_b,
                &sig_b,
            ]),
        ),
        (
            "decode/cose-unprotected-not-map",
            "The unprotected header is an array.",
            cat(&[&[0xD2, 0x84], &pb, &[0x80], &payload_b, &sig_b]),
        ),
        (
            "decode/cose-payload-text",
            "The payload is a text string.",
            cat(&[
                &[0xD2, 0x84],
                &pb,
                &p.unprotected,
                &[0x63, b'a', b'b', b'c'],
                &sig_b,
            ]),
        ),
        (
            "decode/cose-signature-text",
            "The signature is a text string.",
            cat(&[
                &[0xD2, 0x84],
                &pb,
                &p.unprotected,
                &payload_b,
                &[0x63, b'a', b'b', b'c'],
            ]),
        ),
        (
            "decode/cose-not-array",
            "Tag 18 around a byte string.",
            cat(&[&[0xD2], &payload_b]),
        ),
        (
            "decode/cose-kid-text",
            "kid as a text string (COSE requires a byte string).",
            Sign1::signed(&key_a(), kid_text, p.payload.clone()).to_bytes(),
        ),
        (
            "decode/cose-alg-tagged",
            "alg -8 wrapped in tag 1: a tagged value is not of the type its position requires.",
            Sign1::signed(&key_a(), alg_tagged, p.payload.clone()).to_bytes(),
        ),
        (
            "decode/cose-alg-bytes",
            "alg as a byte string (COSE requires an integer or text).",
            Sign1::signed(&key_a(), alg_bytes, p.payload.clone()).to_bytes(),
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&bytes)),
            rej("cose_malformed"),
        );
    }
    Ok(())
}

/// The base credential without its tag.
fn parts_untagged(fx: &Fixtures) -> Result<Vec<u8>, String> {
    Ok(base_parts(fx, "decode/cose-untagged")?.untagged())
}

/// `haystack` with the single occurrence of `needle` replaced.
fn replace_once(haystack: &[u8], needle: &[u8], with: &[u8]) -> Result<Vec<u8>, String> {
    let positions: Vec<usize> = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    let [at] = positions.as_slice() else {
        return Err(format!(
            "{} occurrences of {}",
            positions.len(),
            hex::encode(needle)
        ));
    };
    let (before, rest) = haystack.split_at(*at);
    Ok(cat(&[
        before,
        with,
        rest.get(needle.len()..).unwrap_or(&[]),
    ]))
}

fn header(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let kid = kid_a();
    let std_protected = forge::protected(&kid, TYP_CREDENTIAL);
    // (id, description, protected header, unprotected header, expected)
    type HeaderCase = (
        &'static str,
        &'static str,
        Vec<u8>,
        Vec<u8>,
        RejectedOutcome,
    );
    let cases: Vec<HeaderCase> = vec![
        (
            "header/alg-unprotected",
            "alg only in the unprotected header.",
            map_of(&[kid_entry(&kid), typ_entry(TYP_CREDENTIAL)]),
            vec![0xA1, 0x01, 0x27],
            rej("alg_unprotected"),
        ),
        (
            "header/alg-unprotected-empty-protected",
            "An empty protected header (zero-length byte string) and alg, kid and typ in the \
             unprotected header.",
            Vec::new(),
            cat(&[
                &[0xA3, 0x01, 0x27],
                &kid_entry(&kid),
                &typ_entry(TYP_CREDENTIAL),
            ]),
            rej("alg_unprotected"),
        ),
        (
            "header/alg-missing",
            "No alg in either header.",
            map_of(&[kid_entry(&kid), typ_entry(TYP_CREDENTIAL)]),
            vec![0xA0],
            rej("alg_missing"),
        ),
        (
            "header/alg-missing-empty-protected",
            "An empty protected header and an empty unprotected header.",
            Vec::new(),
            vec![0xA0],
            rej("alg_missing"),
        ),
        (
            "header/alg-es256",
            "alg ES256 (-7): issuer signatures are EdDSA only.",
            map_of(&[vec![0x01, 0x26], kid_entry(&kid), typ_entry(TYP_CREDENTIAL)]),
            vec![0xA0],
            rej("alg_unsupported"),
        ),
        (
            "header/alg-text",
            "alg as the text \"EdDSA\" instead of -8.",
            map_of(&[
                cat(&[&[0x01, 0x65], b"EdDSA"]),
                kid_entry(&kid),
                typ_entry(TYP_CREDENTIAL),
            ]),
            vec![0xA0],
            rej("alg_unsupported"),
        ),
        (
            "header/unprotected-kid",
            "kid repeated in the unprotected header.",
            std_protected.clone(),
            cat(&[&[0xA1], &kid_entry(&kid)]),
            rej("unprotected_header_not_empty"),
        ),
        (
            "header/unprotected-alg-too",
            "alg in both headers.",
            std_protected.clone(),
            vec![0xA1, 0x01, 0x27],
            rej("unprotected_header_not_empty"),
        ),
        (
            "header/unprotected-private-label",
            "A private label (99) in the unprotected header.",
            std_protected.clone(),
            vec![0xA1, 0x18, 0x63, 0x00],
            rej("unprotected_header_not_empty"),
        ),
        (
            "header/protected-content-type",
            "A content type (3) in the protected header.",
            map_of(&[
                alg(),
                vec![0x03, 0x00],
                kid_entry(&kid),
                typ_entry(TYP_CREDENTIAL),
            ]),
            vec![0xA0],
            rej("protected_header_unexpected"),
        ),
        (
            "header/protected-crit",
            "crit (2) naming typ in the protected header.",
            map_of(&[
                alg(),
                vec![0x02, 0x81, 0x10],
                kid_entry(&kid),
                typ_entry(TYP_CREDENTIAL),
            ]),
            vec![0xA0],
            rej("protected_header_unexpected"),
        ),
        (
            "header/protected-private-label",
            "A private label (99) in the protected header.",
            map_of(&[
                alg(),
                kid_entry(&kid),
                typ_entry(TYP_CREDENTIAL),
                vec![0x18, 0x63, 0x00],
            ]),
            vec![0xA0],
            rej("protected_header_unexpected"),
        ),
        (
            "header/protected-text-label",
            "A text label in the protected header.",
            map_of(&[
                alg(),
                kid_entry(&kid),
                typ_entry(TYP_CREDENTIAL),
                vec![0x61, b'x', 0x01],
            ]),
            vec![0xA0],
            rej("protected_header_unexpected"),
        ),
        (
            "header/typ-missing",
            "No typ.",
            map_of(&[alg(), kid_entry(&kid)]),
            vec![0xA0],
            rej("typ_mismatch"),
        ),
        (
            "header/typ-presentation",
            "typ 0xFF02 on a credential: read as a presentation (§17.2), whose payload must be an array, not a claims map.",
            forge::protected(&kid, TYP_PRESENTATION),
            vec![0xA0],
            rej("presentation_malformed"),
        ),
        (
            "header/typ-trust-list",
            "typ 0xFF03: a trust list, signed by a key the trust store holds.",
            forge::protected(&kid, TYP_TRUST_LIST),
            vec![0xA0],
            rej("typ_mismatch"),
        ),
        (
            "header/typ-text",
            "typ as a media-type text.",
            map_of(&[
                alg(),
                kid_entry(&kid),
                cat(&[&[0x10], &head(3, 19), b"application/ikd+cwt"]),
            ]),
            vec![0xA0],
            rej("typ_mismatch"),
        ),
        (
            "header/typ-tagged",
            "typ 0xFF01 wrapped in tag 1.",
            map_of(&[
                alg(),
                kid_entry(&kid),
                cat(&[&[0x10, 0xC1], &head(0, TYP_CREDENTIAL)]),
            ]),
            vec![0xA0],
            rej("typ_mismatch"),
        ),
        (
            "header/kid-missing",
            "No kid.",
            map_of(&[alg(), typ_entry(TYP_CREDENTIAL)]),
            vec![0xA0],
            rej("kid_missing"),
        ),
        (
            "header/kid-empty",
            "kid is an empty byte string.",
            map_of(&[alg(), kid_entry(&[]), typ_entry(TYP_CREDENTIAL)]),
            vec![0xA0],
            rej("kid_missing"),
        ),
        (
            "header/kid-short",
            "kid is the first 4 bytes of a trusted key's kid.",
            forge::protected(kid.get(..4).unwrap_or(&[]), TYP_CREDENTIAL),
            vec![0xA0],
            rej("kid_unknown"),
        ),
        (
            "header/kid-long",
            "kid is a trusted key's kid with a zero byte appended.",
            forge::protected(&cat(&[&kid, &[0x00]]), TYP_CREDENTIAL),
            vec![0xA0],
            rej("kid_unknown"),
        ),
    ];
    for (id, description, protected, unprotected, expected) in cases {
        out.add(
            Case::new(
                id,
                description,
                qr_plain(&with_headers(fx, id, protected, &unprotected)?),
            ),
            expected,
        );
    }
    let cose = issue(
        &SEED_B,
        ISSUER_B,
        &Document::Ktp(fx.ktp.clone()),
        validity(IAT, None, EXP),
        "header/kid-unknown",
    )?;
    out.add(
        Case::new(
            "header/kid-unknown",
            "A well-formed credential from an issuer the trust store does not hold.",
            qr_plain(&cose),
        ),
        rej("kid_unknown"),
    );
    Ok(())
}

fn signature(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let kid = kid_a();
    let good = base_parts(fx, "signature/base")?;

    let mut altered = good.clone();
    let mut changed = fx.ktp.clone();
    changed.nama = "SITI NURHALIZA PUTRA".into();
    altered.payload =
        claims_a(Document::Ktp(changed).to_cbor_value(), "signature/base").encode()?;
    let mut wrong_key = good.clone();
    wrong_key.signature = key_b()
        .sign(&forge::sig_structure(&good.protected, &good.payload))
        .to_vec();
    let mut short = good.clone();
    short.signature.truncate(63);
    let mut long = good.clone();
    long.signature.push(0);
    let mut empty = good.clone();
    empty.signature.clear();
    let mut zeros = good.clone();
    zeros.signature = vec![0; 64];
    let mut non_canonical_s = good.clone();
    non_canonical_s.signature = add_l_to_s(&good.signature)?;
    let mut identity_r = good.clone();
    identity_r.signature = cat(&[&[0x01], &[0; 31], &[0; 32]]);
    let mut reordered = good.clone();
    reordered.protected = map_of(&[kid_entry(&kid), alg(), typ_entry(TYP_CREDENTIAL)]);
    let presentation_protected = forge::protected(&kid, TYP_PRESENTATION);
    let mut retyped = good.clone();
    retyped.signature = key_a()
        .sign(&forge::sig_structure(
            &presentation_protected,
            &good.payload,
        ))
        .to_vec();
    let mut context = good.clone();
    context.signature = key_a()
        .sign(&sig_structure_with(
            b"Signature",
            &good.protected,
            b"",
            &good.payload,
        ))
        .to_vec();
    let mut external = good.clone();
    external.signature = key_a()
        .sign(&sig_structure_with(
            b"Signature1",
            &good.protected,
            b"IKD",
            &good.payload,
        ))
        .to_vec();

    for (id, description, parts, store) in [
        (
            "signature/payload-altered",
            "The name in the payload changed after signing.",
            altered,
            Store::Main,
        ),
        (
            "signature/wrong-key",
            "Signed by an untrusted key but naming a trusted key's kid.",
            wrong_key,
            Store::Main,
        ),
        (
            "signature/wrong-key-shared-kid",
            "As signature/wrong-key, with two trust-store entries sharing the kid: every candidate fails.",
            good_wrong_key(&good)?,
            Store::SameKeyTwice,
        ),
        (
            "signature/truncated",
            "The signature lacks its last byte (63 bytes).",
            short,
            Store::Main,
        ),
        (
            "signature/extended",
            "A zero byte appended to the signature (65 bytes).",
            long,
            Store::Main,
        ),
        ("signature/empty", "An empty signature.", empty, Store::Main),
        (
            "signature/all-zero",
            "A signature of 64 zero bytes.",
            zeros,
            Store::Main,
        ),
        (
            "signature/non-canonical-s",
            "S + L in place of S: the same signature under a lax check, refused by a strict one (RFC 8032 requires S < L).",
            non_canonical_s,
            Store::Main,
        ),
        (
            "signature/small-order-r",
            "R is the identity point and S = 0: refused by a strict check.",
            identity_r,
            Store::Main,
        ),
        (
            "signature/signed-as-presentation",
            "Signed with typ presentation, then typ changed to credential: a signature made for one type is never accepted as another.",
            retyped,
            Store::Main,
        ),
        (
            "signature/context-signature",
            "Signed over a Sig_structure with context \"Signature\" instead of \"Signature1\".",
            context,
            Store::Main,
        ),
        (
            "signature/external-aad",
            "Signed with external data \"IKD\"; verifiers use empty external data.",
            external,
            Store::Main,
        ),
    ] {
        out.add(
            Case::new(id, description, qr_plain(&parts.to_bytes())).store(store),
            rej("signature_invalid"),
        );
    }
    out.add(
        Case::new(
            "decode/protected-reordered",
            "The protected header's entries reordered after signing (kid, alg, typ): keys out \
             of deterministic order are refused before any signature is checked.",
            qr_plain(&reordered.to_bytes()),
        ),
        rej("cbor_not_deterministic"),
    );
    Ok(())
}

fn good_wrong_key(good: &Sign1) -> Result<Sign1, String> {
    let mut parts = good.clone();
    parts.signature = key_b()
        .sign(&forge::sig_structure(&good.protected, &good.payload))
        .to_vec();
    Ok(parts)
}

/// The signature with L (the group order) added to its S half, little-endian.
fn add_l_to_s(signature: &[u8]) -> Result<Vec<u8>, String> {
    const L: [u8; 32] = [
        0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let (r, s) = signature.split_at_checked(32).ok_or("short signature")?;
    let mut sum = Vec::with_capacity(32);
    let mut carry = 0u16;
    for (a, b) in s.iter().zip(L) {
        let t = u16::from(*a) + u16::from(b) + carry;
        sum.push(t as u8);
        carry = t >> 8;
    }
    if carry != 0 {
        return Err("S + L overflows 256 bits".into());
    }
    Ok(cat(&[r, &sum]))
}

fn claims(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = fx.ktp_value();
    let c = |id: &str| claims_a(ktp.clone(), id);
    let cases: Vec<(&str, &str, Claims, RejectedOutcome)> = vec![
        (
            "claims/payload-array",
            "The payload is an array, not a claims map.",
            Claims(Vec::new()),
            rej("claims_malformed").claim("payload"),
        ),
        (
            "claims/cnf-empty",
            "A cnf claim (8) that holds no COSE_Key (§17.1).",
            c("claims/cnf-empty").set(claim::CNF, Value::Map(vec![])),
            rej("claims_malformed").claim("cnf"),
        ),
        (
            "claims/unknown-claim-private",
            "A private claim -65538 next to the document claim.",
            c("claims/unknown-claim-private").set(-65_538, int(0)),
            rej("claims_malformed").claim("unknown"),
        ),
        (
            "claims/text-claim-key",
            "A claim with the text key \"iss\".",
            c("claims/text-claim-key").push(Value::from("iss"), Value::from(ISSUER_A)),
            rej("claims_malformed").claim("unknown"),
        ),
        (
            "claims/iss-missing",
            "No iss claim.",
            c("claims/iss-missing").remove(claim::ISS),
            rej("claims_malformed").claim("iss"),
        ),
        (
            "claims/iss-empty",
            "iss is an empty text.",
            c("claims/iss-empty").set(claim::ISS, Value::from("")),
            rej("claims_malformed").claim("iss"),
        ),
        (
            "claims/iss-too-long",
            "iss is 65 bytes; 64 at most.",
            c("claims/iss-too-long").set(claim::ISS, Value::from("I".repeat(65))),
            rej("claims_malformed").claim("iss"),
        ),
        (
            "claims/iss-integer",
            "iss is an integer.",
            c("claims/iss-integer").set(claim::ISS, int(3273)),
            rej("claims_malformed").claim("iss"),
        ),
        (
            "claims/iat-negative",
            "iat is -1.",
            c("claims/iat-negative").set(claim::IAT, int(-1)),
            rej("claims_malformed").claim("iat"),
        ),
        (
            "claims/exp-text",
            "exp is a text date.",
            c("claims/exp-text").set(claim::EXP, Value::from("2026-10-21T14:13:20Z")),
            rej("claims_malformed").claim("exp"),
        ),
        (
            "claims/nbf-tagged",
            "nbf wrapped in tag 1 (epoch time): NumericDate is a bare integer.",
            c("claims/nbf-tagged").set(claim::NBF, Value::Tag(1, Box::new(int(IAT)))),
            rej("claims_malformed").claim("nbf"),
        ),
        (
            "claims/exp-before-iat",
            "exp is one second before iat.",
            c("claims/exp-before-iat").set(claim::EXP, int(IAT - 1)),
            rej("claims_malformed").claim("exp"),
        ),
        (
            "claims/nbf-after-exp",
            "nbf is one second after exp.",
            c("claims/nbf-after-exp").set(claim::NBF, int(EXP + 1)),
            rej("claims_malformed").claim("exp"),
        ),
        (
            "claims/cti-empty",
            "cti is an empty byte string.",
            c("claims/cti-empty").set(claim::CTI, Value::Bytes(vec![])),
            rej("claims_malformed").claim("cti"),
        ),
        (
            "claims/cti-too-long",
            "cti is 33 bytes; 32 at most.",
            c("claims/cti-too-long").set(claim::CTI, Value::Bytes(vec![0x5A; 33])),
            rej("claims_malformed").claim("cti"),
        ),
        (
            "claims/cti-text",
            "cti is a text string.",
            c("claims/cti-text").set(claim::CTI, Value::from("0001")),
            rej("claims_malformed").claim("cti"),
        ),
        (
            "claims/document-missing",
            "No document claim.",
            c("claims/document-missing").remove(claim::DOCUMENT),
            rej("claims_malformed").claim("document"),
        ),
        (
            "claims/exp-missing",
            "No exp claim.",
            c("claims/exp-missing").remove(claim::EXP),
            rej("exp_missing"),
        ),
        (
            "claims/iat-missing",
            "No iat claim.",
            c("claims/iat-missing").remove(claim::IAT),
            rej("iat_missing"),
        ),
        (
            "claims/issuer-mismatch-case",
            "iss differs from the trust store's issuer in letter case only.",
            c("claims/issuer-mismatch-case").set(claim::ISS, Value::from("id-dukcapil-3273")),
            rej("issuer_mismatch"),
        ),
    ];
    for (id, description, claims, expected) in cases {
        let payload = if id == "claims/payload-array" {
            forge::encode(&Value::Array(vec![int(1), int(2)]))?
        } else {
            claims.encode()?
        };
        let parts = Sign1::signed(
            &key_a(),
            forge::protected(&kid_a(), TYP_CREDENTIAL),
            payload,
        );
        out.add(
            Case::new(id, description, qr_plain(&parts.to_bytes())),
            expected,
        );
    }

    let ktp = Document::Ktp(fx.ktp.clone());
    let kk = Document::Kk(fx.kk4.clone());
    let cose = issue(
        &SEED_A,
        ISSUER_C,
        &ktp,
        validity(IAT, None, EXP),
        "claims/issuer-mismatch",
    )?;
    out.add(
        Case::new(
            "claims/issuer-mismatch",
            "Signed by issuer A's key but naming issuer C, whose key is also trusted.",
            qr_plain(&cose),
        ),
        rej("issuer_mismatch"),
    );
    for (id, description, number) in [
        (
            "claims/doc-type-6",
            "Document type 6, unknown to version 1.",
            6u64,
        ),
        ("claims/doc-type-0", "Document type 0.", 0),
    ] {
        let doc = Value::Map(vec![
            (int(0), Value::from(number)),
            (int(1), Value::from(3_273_015_708_920_003u64)),
        ]);
        out.add(
            Case::new(id, description, qr_plain(&forge_doc_a(doc, id)?)),
            rej("doc_type_unknown").doc_type_number(number),
        );
    }
    let cose = issue_a(&kk, "claims/doc-type-not-allowed")?;
    out.add(
        Case::new(
            "claims/doc-type-not-allowed",
            "A Kartu Keluarga signed by a key the trust store allows to sign KTP-el only.",
            qr_plain(&cose),
        )
        .store(Store::KtpOnly),
        rej("doc_type_not_allowed"),
    );
    let cose = issue_a(&ktp, "claims/doc-type-not-accepted")?;
    out.add(
        Case::new(
            "claims/doc-type-not-accepted",
            "A KTP-el at a verifier whose policy accepts KK only.",
            qr_plain(&cose),
        )
        .policy(policy_with(60, &[DocType::Kk])),
        rej("doc_type_not_accepted"),
    );
    let cose = issue_a(&kk, "claims/doc-type-not-accepted-empty-policy")?;
    out.add(
        Case::new(
            "claims/doc-type-not-accepted-empty-policy",
            "A Kartu Keluarga at a verifier whose policy accepts no document type.",
            qr_plain(&cose),
        )
        .policy(policy_with(60, &[])),
        rej("doc_type_not_accepted"),
    );

    // document_malformed
    let ktp_v = fx.ktp_value();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = ktp_v.clone();
        f(&mut v);
        v
    };
    let kk_v = fx.kk4_value();
    let with_kk = |f: &dyn Fn(&mut Value)| {
        let mut v = kk_v.clone();
        f(&mut v);
        v
    };
    let member = |v: &mut Value, index: usize, f: &dyn Fn(&mut Value)| {
        if let Some(Value::Array(members)) = map_get_mut(v, 9)
            && let Some(m) = members.get_mut(index)
        {
            f(m);
        }
    };
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "claims/document-not-map",
            "The document is an array.",
            Value::Array(vec![int(1)]),
            "document",
        ),
        (
            "claims/document-type-missing",
            "The document map has no type (key 0).",
            with(&|v| map_remove(v, 0)),
            "type",
        ),
        (
            "claims/document-type-text",
            "The document type is the text \"ktp\".",
            with(&|v| map_set(v, 0, Value::from("ktp"))),
            "type",
        ),
        (
            "claims/ktp-nama-missing",
            "The KTP-el has no nama.",
            with(&|v| map_remove(v, 2)),
            "nama",
        ),
        (
            "claims/ktp-unknown-field",
            "The KTP-el has a field 19, unknown to version 1.",
            with(&|v| map_set(v, 19, Value::from("x"))),
            "unknown_field",
        ),
        (
            "claims/ktp-nik-text",
            "The NIK is a text string; NIKs are unsigned integers.",
            with(&|v| map_set(v, 1, Value::from("3273015708920003"))),
            "nik",
        ),
        (
            "claims/ktp-date-text",
            "tanggal_lahir is the text \"1992-08-17\"; dates are day counts.",
            with(&|v| map_set(v, 4, Value::from("1992-08-17"))),
            "tanggal_lahir",
        ),
        (
            "claims/ktp-rt-too-big",
            "rt is 65536, beyond any RT number's type.",
            with(&|v| map_set(v, 8, int(65_536))),
            "rt",
        ),
        (
            "claims/ktp-rt-negative",
            "rt is -1.",
            with(&|v| map_set(v, 8, int(-1))),
            "rt",
        ),
        (
            "claims/ktp-berlaku-missing",
            "berlaku_hingga is absent (null means SEUMUR HIDUP; absence is malformed).",
            with(&|v| map_remove(v, 15)),
            "berlaku_hingga",
        ),
        (
            "claims/ktp-foto-text",
            "foto is a text string.",
            with(&|v| map_set(v, 18, Value::from("/9j/4AAQ"))),
            "foto",
        ),
        (
            "claims/ktp-nik-bignum",
            "The NIK as a bignum (tag 2 around 8 bytes): bignums are never read as integers.",
            with(&|v| {
                let bytes = 3_273_015_708_920_003u64.to_be_bytes().to_vec();
                map_set(v, 1, Value::Tag(2, Box::new(Value::Bytes(bytes))))
            }),
            "nik",
        ),
        (
            "claims/ktp-golongan-darah-null",
            "golongan_darah is null: an optional field is absent or has a value, never null.",
            with(&|v| map_set(v, 6, Value::Null)),
            "golongan_darah",
        ),
        (
            "claims/ktp-negative-key",
            "The KTP-el has a key -1.",
            with(&|v| map_set(v, -1, int(0))),
            "unknown_field",
        ),
        (
            "claims/ktp-text-key",
            "The KTP-el has the text key \"nama\" besides key 2.",
            with(&|v| {
                if let Value::Map(entries) = v {
                    entries.push((Value::from("nama"), Value::from("SITI")));
                }
            }),
            "unknown_field",
        ),
        (
            "claims/kk-member-not-map",
            "The second KK member is an integer, not a map.",
            with_kk(&|v| member(v, 1, &|m| *m = int(7))),
            "anggota[1].anggota",
        ),
        (
            "claims/kk-no-members",
            "A Kartu Keluarga with an empty member list.",
            with_kk(&|v| map_set(v, 9, Value::Array(vec![]))),
            "anggota",
        ),
        (
            "claims/kk-member-key-0",
            "A KK member with key 0, which members do not use.",
            with_kk(&|v| member(v, 0, &|m| map_set(m, 0, int(1)))),
            "anggota[0].unknown_field",
        ),
        (
            "claims/kk-member-nama-ibu-missing",
            "The second KK member has no nama_ibu.",
            with_kk(&|v| member(v, 1, &|m| map_remove(m, 17))),
            "anggota[1].nama_ibu",
        ),
    ];
    for (id, description, doc, field) in cases {
        out.add(
            Case::new(id, description, qr_plain(&forge_doc_a(doc, id)?)),
            rej("document_malformed").field(field),
        );
    }
    Ok(())
}

fn time(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let nbf = IAT + 7_200;
    let cases: Vec<(&str, &str, Validity, i64, PolicySpec, &str)> = vec![
        (
            "time/not-yet-valid-one-second",
            "nbf = now + leeway + 1.",
            validity(IAT, Some(nbf), EXP),
            nbf - LEEWAY - 1,
            policy(),
            "credential_not_yet_valid",
        ),
        (
            "time/not-yet-valid",
            "nbf is a day after now.",
            validity(IAT, Some(IAT + 86_400), EXP),
            NOW,
            policy(),
            "credential_not_yet_valid",
        ),
        (
            "time/expired-one-second-past-leeway",
            "now = exp + leeway + 1.",
            validity(IAT, None, EXP),
            EXP + LEEWAY + 1,
            policy(),
            "credential_expired",
        ),
        (
            "time/expired-leeway-zero",
            "Policy leeway 0 and now = exp + 1.",
            validity(IAT, None, EXP),
            EXP + 1,
            policy_with(0, &[DocType::Ktp, DocType::Kk]),
            "credential_expired",
        ),
        (
            "time/expired-a-year-ago",
            "exp a year before now.",
            validity(IAT, None, EXP),
            EXP + 365 * 86_400,
            policy(),
            "credential_expired",
        ),
        (
            "time/issued-in-future",
            "iat = now + leeway + 1 (no nbf).",
            validity(IAT, None, EXP),
            IAT - LEEWAY - 1,
            policy(),
            "credential_issued_in_future",
        ),
        (
            "time/key-not-yet-valid-at-issuance",
            "iat is one second before the key's signing window opens.",
            validity(KEY_VALID_FROM - 1, None, KEY_VALID_FROM + 86_400),
            KEY_VALID_FROM,
            policy(),
            "key_not_valid_at_issuance",
        ),
        (
            "time/key-expired-at-issuance",
            "iat is one second after the key's signing window closed.",
            validity(KEY_VALID_UNTIL + 1, None, KEY_VALID_UNTIL + 86_400),
            KEY_VALID_UNTIL + 600,
            policy(),
            "key_not_valid_at_issuance",
        ),
    ];
    for (id, description, v, now, policy, code) in cases {
        let cose = issue(&SEED_A, ISSUER_A, &ktp, v, id)?;
        out.add(
            Case::new(id, description, qr_plain(&cose))
                .now(now)
                .policy(policy),
            rej(code),
        );
    }
    Ok(())
}

fn content(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp_v = fx.ktp_value();
    let kk_v = fx.kk4_value();
    let ktp = |key: i64, value: Value| {
        let mut v = ktp_v.clone();
        map_set(&mut v, key, value);
        v
    };
    let kk = |key: i64, value: Value| {
        let mut v = kk_v.clone();
        map_set(&mut v, key, value);
        v
    };
    let kk_member = |index: usize, key: i64, value: Value| {
        let mut v = kk_v.clone();
        if let Some(Value::Array(members)) = map_get_mut(&mut v, 9)
            && let Some(m) = members.get_mut(index)
        {
            map_set(m, key, value);
        }
        v
    };
    let nik = |n: u64| Value::from(n);
    let days = |y, m, d| -> Result<Value, String> {
        Ok(int(i64::from(date(y, m, d)?.days_since_epoch())))
    };

    let cases: Vec<(&str, &str, Value, RejectedOutcome)> = vec![
        (
            "content/nik-day-32",
            "NIK birth day 32.",
            ktp(1, nik(3_273_013_208_920_003)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-month-13",
            "NIK birth month 13.",
            ktp(1, nik(3_273_015_713_920_003)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-day-0",
            "NIK birth day 00.",
            ktp(1, nik(3_273_010_008_920_003)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-serial-0000",
            "NIK serial 0000.",
            ktp(1, nik(3_273_015_708_920_000)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-15-digits",
            "A 15-digit NIK.",
            ktp(1, nik(327_301_570_892_003)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-17-digits",
            "A 17-digit NIK.",
            ktp(1, nik(10_000_000_000_000_001)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nik-31-april",
            "NIK birth date 31 April.",
            ktp(1, nik(3_273_017_104_920_003)),
            rej("nik_invalid").field("nik"),
        ),
        (
            "content/nomor-kk-15-digits",
            "A 15-digit nomor KK.",
            kk(1, nik(327_301_220_814_005)),
            rej("nik_invalid").field("nomor_kk"),
        ),
        (
            "content/kk-member-nik-invalid",
            "The third KK member's NIK has birth month 13.",
            kk_member(2, 1, nik(3_273_010_913_150_001)),
            rej("nik_invalid").field("anggota[2].nik"),
        ),
        (
            "content/agama-8",
            "agama 8: the list runs 1-7.",
            ktp(11, int(8)),
            rej("siak_code_invalid").field("agama").siak_code(8),
        ),
        (
            "content/jenis-kelamin-3",
            "jenis_kelamin 3.",
            ktp(5, int(3)),
            rej("siak_code_invalid").field("jenis_kelamin").siak_code(3),
        ),
        (
            "content/golongan-darah-14",
            "golongan_darah 14: the list runs 1-13.",
            ktp(6, int(14)),
            rej("siak_code_invalid")
                .field("golongan_darah")
                .siak_code(14),
        ),
        (
            "content/pekerjaan-0",
            "pekerjaan 0.",
            ktp(13, int(0)),
            rej("siak_code_invalid").field("pekerjaan").siak_code(0),
        ),
        (
            "content/status-perkawinan-5",
            "status_perkawinan 5: the list runs 1-4.",
            ktp(12, int(5)),
            rej("siak_code_invalid")
                .field("status_perkawinan")
                .siak_code(5),
        ),
        (
            "content/kk-member-shdk-12",
            "The second KK member's shdk is 12: the list runs 1-11.",
            kk_member(1, 12, int(12)),
            rej("siak_code_invalid")
                .field("anggota[1].shdk")
                .siak_code(12),
        ),
        (
            "content/kk-member-pendidikan-11",
            "The fourth KK member's pendidikan is 11: the list runs 1-10.",
            kk_member(3, 7, int(11)),
            rej("siak_code_invalid")
                .field("anggota[3].pendidikan")
                .siak_code(11),
        ),
        (
            "content/rt-1000",
            "rt 1000: RT numbers run 0-999.",
            ktp(8, int(1000)),
            rej("field_invalid").field("rt"),
        ),
        (
            "content/nama-empty",
            "nama is empty.",
            ktp(2, Value::from("")),
            rej("field_invalid").field("nama"),
        ),
        (
            "content/nama-blank",
            "nama is three spaces.",
            ktp(2, Value::from("   ")),
            rej("field_invalid").field("nama"),
        ),
        (
            "content/alamat-control-character",
            "alamat holds a line feed.",
            ktp(7, Value::from("JL. GEGERKALONG\nHILIR NO. 47")),
            rej("field_invalid").field("alamat"),
        ),
        (
            "content/nama-no-break-spaces",
            "nama is two no-break spaces (U+00A0): white space only.",
            ktp(2, Value::from("\u{A0}\u{A0}")),
            rej("field_invalid").field("nama"),
        ),
        (
            "content/alamat-c1-control",
            "alamat holds U+0085, a C1 control character.",
            ktp(7, Value::from("JL. GEGERKALONG\u{85}HILIR")),
            rej("field_invalid").field("alamat"),
        ),
        (
            "content/kode-wilayah-9-digits",
            "kode_wilayah with 9 digits.",
            ktp(10, int(327_301_100)),
            rej("field_invalid").field("kode_wilayah"),
        ),
        (
            "content/kode-wilayah-kecamatan",
            "kode_wilayah of a kecamatan (desa part 0000), not a desa/kelurahan.",
            ktp(10, int(3_273_010_000)),
            rej("field_invalid").field("kode_wilayah"),
        ),
        (
            "content/tempat-dikeluarkan-province",
            "tempat_dikeluarkan 3200: a province, not a kabupaten/kota.",
            ktp(16, int(3200)),
            rej("field_invalid").field("tempat_dikeluarkan"),
        ),
        (
            "content/kewarganegaraan-3",
            "kewarganegaraan 3: 1 WNI or 2 WNA only.",
            ktp(14, int(3)),
            rej("field_invalid").field("kewarganegaraan"),
        ),
        (
            "content/foto-not-jpeg",
            "foto is a PNG.",
            ktp(18, Value::Bytes(cat(&[b"\x89PNG\r\n\x1a\n", &[0; 24]]))),
            rej("field_invalid").field("foto"),
        ),
        (
            "content/tanggal-lahir-1899",
            "tanggal_lahir 1899-12-31, before the range documents carry.",
            ktp(4, days(1899, 12, 31)?),
            rej("field_invalid").field("tanggal_lahir"),
        ),
        (
            "content/kk-kode-pos-4-digits",
            "A Kartu Keluarga with kode_pos 9999.",
            kk(6, int(9999)),
            rej("field_invalid").field("kode_pos"),
        ),
        (
            "content/kk-member-nama-ayah-empty",
            "The first KK member's nama_ayah is empty.",
            kk_member(0, 16, Value::from("")),
            rej("field_invalid").field("anggota[0].nama_ayah"),
        ),
    ];
    for (id, description, doc, expected) in cases {
        out.add(
            Case::new(id, description, qr_plain(&forge_doc_a(doc, id)?)),
            expected,
        );
    }
    Ok(())
}

/// Two faults at once: the earlier stage decides.
fn order(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    // Expired and from an unknown issuer.
    let cose = issue(
        &SEED_B,
        ISSUER_B,
        &ktp,
        validity(IAT, None, EXP),
        "order/unknown-and-expired",
    )?;
    out.add(
        Case::new(
            "order/unknown-and-expired",
            "An expired credential from an untrusted issuer: the header stage (kid_unknown) \
             runs before the time stage.",
            qr_plain(&cose),
        )
        .now(EXP + 365 * 86_400),
        rej("kid_unknown"),
    );
    // Expired with a bad signature.
    let mut parts = forge_sign1(
        &key_a(),
        &claims_a(fx.ktp_value(), "order/forged-and-expired"),
    )?;
    if let Some(b) = parts.signature.get_mut(10) {
        *b ^= 0x40;
    }
    out.add(
        Case::new(
            "order/forged-and-expired",
            "An expired credential with a bad signature: the signature is checked before \
             any claim is read.",
            qr_plain(&parts.to_bytes()),
        )
        .now(EXP + 365 * 86_400),
        rej("signature_invalid"),
    );
    // Expired and of a type the policy does not accept.
    let cose = issue_a(&ktp, "order/not-accepted-and-expired")?;
    out.add(
        Case::new(
            "order/not-accepted-and-expired",
            "An expired KTP-el at a KK-only verifier: the claims stage runs before the time \
             stage.",
            qr_plain(&cose),
        )
        .now(EXP + 365 * 86_400)
        .policy(policy_with(60, &[DocType::Kk])),
        rej("doc_type_not_accepted"),
    );
    // Not yet valid with an invalid NIK.
    let mut doc = fx.ktp_value();
    map_set(&mut doc, 1, Value::from(3_273_013_208_920_003u64));
    let claims = Claims::standard(
        ISSUER_A,
        IAT,
        Some(IAT + 86_400),
        EXP,
        Some(&cti("order/not-yet-valid-and-bad-nik")),
        doc,
    );
    out.add(
        Case::new(
            "order/not-yet-valid-and-bad-nik",
            "A credential that is not valid yet and carries an impossible NIK: the time stage \
             runs before the content stage.",
            qr_plain(&forge(&key_a(), &claims)?),
        ),
        rej("credential_not_yet_valid"),
    );
    // Malformed document and a bad NIK: shape before values.
    let mut doc = fx.ktp_value();
    map_set(&mut doc, 1, Value::from(3_273_013_208_920_003u64));
    map_remove(&mut doc, 2);
    out.add(
        Case::new(
            "order/malformed-and-bad-nik",
            "No nama and an impossible NIK: the document's shape (claims stage) is checked \
             before its values (content stage).",
            qr_plain(&forge_doc_a(doc, "order/malformed-and-bad-nik")?),
        ),
        rej("document_malformed").field("nama"),
    );
    Ok(())
}
