#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Property tests: random valid documents survive issue → verify unchanged; any one-character
//! change to a valid QR text is rejected with a registered code; arbitrary input never panics.

use ikd_sdk::Stage;
use ikd_sdk::limits::{MAX_DATE, MIN_DATE};
use ikd_sdk::reason;
use ikd_sdk::unstable_wire::{base45, cose};
use ikd_sdk::wilayah;
use ikd_sdk::{
    BerlakuHingga, Date, DocTypeSet, Document, Issuer, IssuerSigningKey, Kk, KkMember, Ktp, Nik,
    Policy, Rejection, StepOutcome, TrustStore, TrustedKey, UnixTime, Validity, transport, verify,
};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::sync::OnceLock;

const ISSUER_ID: &str = "ID-DUKCAPIL-3273";
const BASE45_ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const KEY_VALID_FROM: i64 = 1_700_000_000;
const KEY_VALID_UNTIL: i64 = 1_900_000_000;

/// The issuer with a fixed key, and a trust store that trusts it for every document type.
fn setup() -> &'static (Issuer, TrustStore) {
    static SETUP: OnceLock<(Issuer, TrustStore)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[42; 32]), ISSUER_ID).unwrap();
        let mut trust = TrustStore::new();
        trust.add(TrustedKey {
            issuer: ISSUER_ID.into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(KEY_VALID_FROM),
            valid_until: UnixTime(KEY_VALID_UNTIL),
            doc_types: DocTypeSet::all(),
        });
        (issuer, trust)
    })
}

fn assert_registered(rejection: &Rejection) {
    let info = reason::lookup(rejection.code());
    assert!(info.is_some(), "unregistered code {}", rejection.code());
    assert_eq!(info.unwrap().stage, rejection.stage());
}

// ---------------------------------------------------------------------------------------
// Strategies for valid documents
// ---------------------------------------------------------------------------------------

/// Text as printed on the cards: upper-case letters, spaces and punctuation, 1–40
/// characters, not blank.
fn text() -> impl Strategy<Value = String> {
    "[A-Z .,'/()-]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn date() -> impl Strategy<Value = Date> {
    (MIN_DATE.days_since_epoch()..=MAX_DATE.days_since_epoch())
        .prop_map(Date::from_days_since_epoch)
}

/// Real regions from the SDK's region table, as (kecamatan `PPKKCC`, desa/kelurahan
/// `PPKKCCDDDD` in it): every current kecamatan with a code among its first five kelurahan
/// (1001–1005) or desa (2001–2005).
fn regions() -> &'static [(u64, u64)] {
    static REGIONS: OnceLock<Vec<(u64, u64)>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        let mut regions = Vec::new();
        for kabupaten in 1_101u16..=9_999 {
            if kabupaten % 100 == 0 || wilayah::kabupaten_kota_name(kabupaten).is_none() {
                continue;
            }
            for kecamatan in (1..=99).map(|cc| u32::from(kabupaten) * 100 + cc) {
                let status = wilayah::nik_prefix_status(kecamatan);
                if !matches!(status, wilayah::PrefixStatus::Current { .. }) {
                    continue;
                }
                let kecamatan = u64::from(kecamatan);
                regions.extend(
                    (1_001..=1_005)
                        .chain(2_001..=2_005)
                        .map(|desa| kecamatan * 10_000 + desa)
                        .filter(|&code| wilayah::desa_exists(code))
                        .map(|code| (kecamatan, code)),
                );
            }
        }
        assert!(regions.len() > 5_000, "only {} regions", regions.len());
        regions
    })
}

/// A kecamatan code `PPKKCC` and a desa/kelurahan code `PPKKCCDDDD` in it.
fn region() -> impl Strategy<Value = (u64, u64)> {
    select(regions())
}

/// A NIK that agrees with the birth date and sex: `PPKKCC DDMMYY SSSS`, day + 40 for women.
fn nik_for(kecamatan: u64, born: Date, female: bool, serial: u16) -> Nik {
    let (year, month, day) = born.ymd();
    let dd = u64::from(day) + if female { 40 } else { 0 };
    let yy = u64::try_from(year.rem_euclid(100)).unwrap();
    let ddmmyy = dd * 10_000 + u64::from(month) * 100 + yy;
    Nik(kecamatan * 10_000_000_000 + ddmmyy * 10_000 + u64::from(serial))
}

/// A small JPEG or WebP portrait.
fn portrait() -> impl Strategy<Value = Vec<u8>> {
    let body = proptest::collection::vec(any::<u8>(), 0..600);
    prop_oneof![
        body.clone()
            .prop_map(|b| [vec![0xFF, 0xD8, 0xFF], b].concat()),
        (any::<[u8; 4]>(), body).prop_map(|(len, b)| [
            b"RIFF".to_vec(),
            len.to_vec(),
            b"WEBP".to_vec(),
            b
        ]
        .concat()),
    ]
}

/// Who someone is: NIK, name, sex, place and date of birth.
#[derive(Debug, Clone)]
struct Person {
    nik: Nik,
    nama: String,
    jenis_kelamin: u8,
    tempat_lahir: String,
    tanggal_lahir: Date,
}

fn person() -> impl Strategy<Value = Person> {
    (
        region().prop_map(|(kecamatan, _)| kecamatan),
        date(),
        any::<bool>(),
        1u16..=9_999,
        text(),
        text(),
    )
        .prop_map(|(kec, born, female, serial, nama, tempat_lahir)| Person {
            nik: nik_for(kec, born, female, serial),
            nama,
            jenis_kelamin: if female { 2 } else { 1 },
            tempat_lahir,
            tanggal_lahir: born,
        })
}

fn ktp() -> impl Strategy<Value = Ktp> {
    let codes = (
        proptest::option::of(1u8..=13),
        1u8..=7,
        1u8..=4,
        1u8..=89,
        1u8..=2,
    );
    let address = (
        text(),
        0u16..=999,
        0u16..=999,
        region().prop_map(|(_, desa)| desa),
    );
    let card = (
        prop_oneof![
            Just(BerlakuHingga::SeumurHidup),
            date().prop_map(BerlakuHingga::Tanggal)
        ],
        date(),
        proptest::option::of(portrait()),
    );
    (person(), codes, address, card).prop_map(
        |(
            p,
            (golongan_darah, agama, status_perkawinan, pekerjaan, kewarganegaraan),
            address,
            card,
        )| {
            let (alamat, rt, rw, kode_wilayah) = address;
            let (berlaku_hingga, tanggal_dikeluarkan, foto) = card;
            Ktp {
                nik: p.nik,
                nama: p.nama,
                tempat_lahir: p.tempat_lahir,
                tanggal_lahir: p.tanggal_lahir,
                jenis_kelamin: p.jenis_kelamin,
                golongan_darah,
                alamat,
                rt,
                rw,
                kode_wilayah,
                agama,
                status_perkawinan,
                pekerjaan,
                kewarganegaraan,
                berlaku_hingga,
                // The kabupaten/kota of the card's own region.
                tempat_dikeluarkan: u16::try_from(kode_wilayah / 1_000_000).unwrap(),
                tanggal_dikeluarkan,
                foto,
            }
        },
    )
}

fn member() -> impl Strategy<Value = KkMember> {
    let codes = (
        1u8..=7,
        1u8..=10,
        1u8..=89,
        proptest::option::of(1u8..=13),
        1u8..=4,
        proptest::option::of(date()),
        1u8..=11,
        1u8..=2,
    );
    let extra = (
        proptest::option::of("[A-Z][0-9]{7}"),
        proptest::option::of("[0-9A-Z]{6,12}"),
        text(),
        text(),
    );
    (person(), codes, extra).prop_map(|(p, codes, extra)| {
        let (
            agama,
            pendidikan,
            pekerjaan,
            golongan_darah,
            status_perkawinan,
            tanggal_perkawinan,
            shdk,
            kewarganegaraan,
        ) = codes;
        let (nomor_paspor, nomor_kitap, nama_ayah, nama_ibu) = extra;
        KkMember {
            nik: p.nik,
            nama: p.nama,
            jenis_kelamin: p.jenis_kelamin,
            tempat_lahir: p.tempat_lahir,
            tanggal_lahir: p.tanggal_lahir,
            agama,
            pendidikan,
            pekerjaan,
            golongan_darah,
            status_perkawinan,
            tanggal_perkawinan,
            shdk,
            kewarganegaraan,
            nomor_paspor,
            nomor_kitap,
            nama_ayah,
            nama_ibu,
        }
    })
}

fn kk() -> impl Strategy<Value = Kk> {
    let header = (
        region().prop_map(|(_, desa)| desa),
        date(),
        1u16..=9_999,
        text(),
        text(),
        0u16..=999,
        0u16..=999,
        10_000u32..=99_999,
    );
    (header, proptest::collection::vec(member(), 1..=8)).prop_map(|(header, anggota)| {
        let (kode_wilayah, issued, serial, kepala_keluarga, alamat, rt, rw, kode_pos) = header;
        Kk {
            // The nomor KK has the NIK's shape: kecamatan, date of issue, serial.
            nomor_kk: nik_for(kode_wilayah / 10_000, issued, false, serial),
            kepala_keluarga,
            alamat,
            rt,
            rw,
            kode_pos,
            kode_wilayah,
            tanggal_dikeluarkan: issued,
            anggota,
        }
    })
}

fn document() -> impl Strategy<Value = Document> {
    prop_oneof![ktp().prop_map(Document::Ktp), kk().prop_map(Document::Kk)]
}

/// A validity window inside the key's window, and a time `now` inside the validity window.
fn validity_and_now() -> impl Strategy<Value = (Validity, UnixTime)> {
    (
        KEY_VALID_FROM..=KEY_VALID_UNTIL,
        1i64..=10 * 365 * 86_400,
        any::<bool>(),
        any::<Index>(),
        any::<Index>(),
    )
        .prop_map(|(issued_at, seconds, with_nbf, nbf_at, now_at)| {
            let expires_at = issued_at + seconds;
            let span = usize::try_from(seconds).unwrap() + 1;
            let not_before =
                with_nbf.then(|| issued_at + i64::try_from(nbf_at.index(span)).unwrap());
            let start = not_before.unwrap_or(issued_at);
            let now_span = usize::try_from(expires_at - start).unwrap() + 1;
            let now = start + i64::try_from(now_at.index(now_span)).unwrap();
            let validity = Validity {
                issued_at: UnixTime(issued_at),
                not_before: not_before.map(UnixTime),
                expires_at: UnixTime(expires_at),
            };
            (validity, UnixTime(now))
        })
}

// ---------------------------------------------------------------------------------------
// Issue → verify
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn random_valid_documents_round_trip(
        document in document(),
        (validity, now) in validity_and_now(),
        credential_id in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..=32)),
    ) {
        let (issuer, trust) = setup();
        let (credential, issue_warnings) = issuer
            .issue(
                &document,
                validity,
                &ikd_sdk::IssueOptions {
                    credential_id: credential_id
                        .clone()
                        .map_or(ikd_sdk::CredentialId::Random, ikd_sdk::CredentialId::Given),
                    ..Default::default()
                },
            )
            .map_err(|e| TestCaseError::fail(format!("issue refused: {e}")))?;
        prop_assert!(issue_warnings.is_empty(), "{:?}", issue_warnings);
        let qr = credential.to_qr_text();
        prop_assert!(qr.starts_with(transport::PREFIX));
        prop_assert_eq!(transport::decode_qr_text(&qr).unwrap(), credential.as_bytes());

        let verified = verify(&qr, trust, now, &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()))
            .map_err(|r| TestCaseError::fail(format!("{r}")))?;
        prop_assert_eq!(verified.document(), &document);
        prop_assert!(verified.warnings().is_empty(), "{:?}", verified.warnings());
        prop_assert_eq!(verified.issuer().id.as_str(), ISSUER_ID);
        prop_assert_eq!(verified.kid(), issuer.key().kid());
        // Purpose profiles leave `iat` out.
        let stated = (!document.doc_type().is_profile()).then_some(validity.issued_at);
        prop_assert_eq!(verified.issued_at(), stated);
        prop_assert_eq!(verified.not_before(), validity.not_before);
        prop_assert_eq!(verified.expires_at(), validity.expires_at);
        match &credential_id {
            Some(id) => prop_assert_eq!(verified.credential_id(), Some(id.as_slice())),
            None => prop_assert_eq!(verified.credential_id().map(<[u8]>::len), Some(8)),
        }
        for (stage, outcome) in verified.trace().steps() {
            let expected = match stage {
                Stage::Freshness | Stage::Revocation | Stage::HolderBinding => StepOutcome::Skipped,
                _ => StepOutcome::Passed,
            };
            prop_assert_eq!(outcome, expected, "{}", stage);
        }
    }
}

// ---------------------------------------------------------------------------------------
// One-character corruption
// ---------------------------------------------------------------------------------------

/// Valid QR texts: the three samples (plain Base45) and a repetitive KK that the encoder
/// compresses, so both transport forms are corrupted.
fn valid_qr_texts() -> &'static [(String, UnixTime)] {
    static TEXTS: OnceLock<Vec<(String, UnixTime)>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let (issuer, trust) = setup();
        let issued_at = UnixTime(1_790_000_000);
        let now = UnixTime(1_790_000_600);
        let validity = Validity::for_seconds(issued_at, 86_400);
        let mut documents: Vec<Document> = ikd_sdk::samples::ALL
            .iter()
            .map(|(_, json)| serde_json::from_str(json).unwrap())
            .collect();
        let mut repetitive: Document = serde_json::from_str(ikd_sdk::samples::KK_8_JSON).unwrap();
        if let Document::Kk(kk) = &mut repetitive {
            for member in &mut kk.anggota {
                member.nama_ayah = "MUHAMMAD ABDULLAH BIN ABDURRAHMAN AL-BANDUNGI".into();
                member.nama_ibu = "SITI AISYAH BINTI ABDURRAHMAN AL-BANDUNGI".into();
                member.tempat_lahir = "KABUPATEN BANDUNG BARAT".into();
            }
        }
        documents.push(repetitive);
        let texts: Vec<(String, UnixTime)> = documents
            .iter()
            .map(|doc| {
                let (credential, _) = issuer
                    .issue(
                        doc,
                        validity,
                        &ikd_sdk::IssueOptions::default().with_credential_id(vec![1; 8]),
                    )
                    .unwrap();
                let qr = credential.to_qr_text();
                // Each text verifies before it is corrupted.
                verify(
                    &qr,
                    trust,
                    now,
                    &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
                )
                .unwrap();
                (qr, now)
            })
            .collect();
        let first_bytes: Vec<u8> = texts
            .iter()
            .map(|(qr, _)| base45::decode(&qr.as_bytes()[transport::PREFIX.len()..]).unwrap()[0])
            .collect();
        assert!(
            first_bytes.contains(&0xD2),
            "a plain COSE text: {first_bytes:x?}"
        );
        assert!(
            first_bytes.contains(&0x78),
            "a compressed text: {first_bytes:x?}"
        );
        texts
    })
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the character at a position by another character of the alphabet.
    Replace(Index, usize),
    Delete(Index),
    Insert(Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), 1usize..45).prop_map(|(at, shift)| Edit::Replace(at, shift)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), 0usize..45).prop_map(|(at, c)| Edit::Insert(at, c)),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut bytes = text.as_bytes().to_vec();
    match edit {
        Edit::Replace(at, shift) => {
            let i = at.index(bytes.len());
            let old = BASE45_ALPHABET.iter().position(|&c| c == bytes[i]).unwrap();
            bytes[i] = BASE45_ALPHABET[(old + shift) % 45];
        }
        Edit::Delete(at) => {
            bytes.remove(at.index(bytes.len()));
        }
        Edit::Insert(at, c) => bytes.insert(at.index(bytes.len() + 1), BASE45_ALPHABET[*c]),
    }
    String::from_utf8(bytes).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any single character change is rejected, unless the text still carries the very
    /// same message (spec §3.2).
    #[test]
    fn any_single_character_change_is_rejected(which in any::<Index>(), edit in edit()) {
        let texts = valid_qr_texts();
        let (text, now) = &texts[which.index(texts.len())];
        // The prefix is made of alphabet characters too, so every position can be edited.
        prop_assert!(text.bytes().all(|b| BASE45_ALPHABET.contains(&b)));
        let corrupted = apply(text, &edit);
        prop_assert_ne!(&corrupted, text);
        let (_, trust) = setup();
        let rejection = match verify(&corrupted, trust, *now, &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all())) {
            // Only a change of the bits that pad the final DEFLATE block, which inflation
            // ignores, keeps the message: the same signed bytes verify the same way.
            Ok(_) => {
                prop_assert_eq!(
                    transport::decode_qr_text(&corrupted).ok(),
                    transport::decode_qr_text(text).ok(),
                    "accepted after {:?} with another message", edit
                );
                return Ok(());
            }
            Err(rejection) => rejection,
        };
        assert_registered(&rejection);
        // A corrupted credential never gets past the signature check.
        prop_assert!(rejection.stage() <= Stage::Signature, "{}", rejection);
        if corrupted.starts_with(transport::PREFIX) {
            prop_assert_ne!(rejection.code(), "not_ikd_credential");
        } else {
            prop_assert_eq!(rejection.code(), "not_ikd_credential");
        }
    }

    #[test]
    fn any_changed_message_byte_is_rejected(
        which in any::<Index>(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let texts = valid_qr_texts();
        let (text, now) = &texts[which.index(texts.len())];
        let mut bytes = transport::decode_qr_text(text).unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        let (_, trust) = setup();
        let rejection = verify(&transport::encode_qr_text(&bytes), trust, *now, &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()))
            .err()
            .ok_or_else(|| TestCaseError::fail(format!("accepted with byte {i} ^ {xor:#x}")))?;
        assert_registered(&rejection);
        prop_assert!(rejection.stage() <= Stage::Signature, "{}", rejection);
    }
}

// ---------------------------------------------------------------------------------------
// Arbitrary input
// ---------------------------------------------------------------------------------------

/// Verifies input that cannot be a credential from the trusted issuer: it must be rejected
/// with a registered code, without panicking.
fn rejects(text: &str) -> Result<Rejection, TestCaseError> {
    let (_, trust) = setup();
    match verify(
        text,
        trust,
        UnixTime(1_790_000_600),
        &Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
    ) {
        Ok(_) => Err(TestCaseError::fail("arbitrary input verified")),
        Err(rejection) => {
            assert_registered(&rejection);
            Ok(rejection)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let rejection = rejects(&text)?;
        if !text.starts_with(transport::PREFIX) {
            prop_assert!(matches!(rejection.code(), "not_ikd_credential" | "input_too_large"));
        }
    }

    #[test]
    fn arbitrary_text_after_the_prefix_never_panics(
        body in prop_oneof![".{0,300}", "[0-9A-Z $%*+./:-]{0,900}"],
    ) {
        rejects(&format!("{}{body}", transport::PREFIX))?;
    }

    #[test]
    fn arbitrary_bytes_after_the_prefix_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..800),
        shape in 0u8..4,
    ) {
        let message = match shape {
            // As they are.
            0 => bytes,
            // Looking like a tagged COSE_Sign1 array.
            1 => [vec![0xD2, 0x84], bytes].concat(),
            // A tagged COSE_Sign1 with a well-formed protected header, then noise.
            2 => [hex::decode("d28443a10127a0").unwrap(), bytes].concat(),
            // Compressed, so the inflater sees a valid stream with noise inside.
            _ => miniz_oxide::deflate::compress_to_vec_zlib(&[vec![0xD2], bytes].concat(), 6),
        };
        let text = format!("{}{}", transport::PREFIX, base45::encode(&message));
        rejects(&text)?;
        // The COSE layer alone never panics either.
        if let Ok(parsed) = cose::parse(&message) {
            let _ = parsed.check_header(cose::MessageType::Credential);
            let _ = parsed.signed_bytes();
        }
    }
}
