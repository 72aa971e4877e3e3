//! The registry of stable reason codes: why a credential was rejected, and at which stage.
//!
//! Codes are append-only. A code, once published, keeps its meaning and its stage forever;
//! spec/reason-codes.md is generated from [`REGISTRY`] and a test keeps the two equal.

use core::fmt;

/// The verification stages, in the order they run (spec/format.md §Verification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Input bounds, prefix, Base45, inflate, strict CBOR, COSE_Sign1 structure.
    Decode,
    /// Protected header: `typ`, `alg`, `kid`; candidate keys from the trust store.
    Header,
    /// The issuer's signature.
    Signature,
    /// CWT claims and the document's CBOR shape; what the key may sign.
    Claims,
    /// `nbf`, `exp`, `iat` against the verifier's clock; the key's validity window.
    Time,
    /// Age of the trust data.
    Freshness,
    /// The credential's revocation status.
    Revocation,
    /// The holder's presentation.
    HolderBinding,
    /// Document content: required values, SIAK codes, NIK format and consistency.
    Content,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 9] = [
        Stage::Decode,
        Stage::Header,
        Stage::Signature,
        Stage::Claims,
        Stage::Time,
        Stage::Freshness,
        Stage::Revocation,
        Stage::HolderBinding,
        Stage::Content,
    ];

    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Header => "header",
            Stage::Signature => "signature",
            Stage::Claims => "claims",
            Stage::Time => "time",
            Stage::Freshness => "freshness",
            Stage::Revocation => "revocation",
            Stage::HolderBinding => "holder_binding",
            Stage::Content => "content",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a document a problem is: a field, optionally on one KK member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPath {
    /// Index into the KK member list, for member fields.
    pub member: Option<u16>,
    /// The field's name as in the JSON form of the document (e.g. `tanggal_lahir`); empty
    /// for a whole KK member.
    pub field: &'static str,
}

impl FieldPath {
    /// A top-level field.
    pub const fn top(field: &'static str) -> Self {
        FieldPath {
            member: None,
            field,
        }
    }

    /// A field of KK member `index`.
    pub const fn member(index: u16, field: &'static str) -> Self {
        FieldPath {
            member: Some(index),
            field,
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.member, self.field) {
            (Some(i), "") => write!(f, "anggota[{i}]"),
            (Some(i), field) => write!(f, "anggota[{i}].{field}"),
            (None, field) => f.write_str(field),
        }
    }
}

/// A registry row: one reason code with its stage and its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonInfo {
    /// The stable snake_case code.
    pub code: &'static str,
    /// The stage it belongs to.
    pub stage: Stage,
    /// What it means, in English.
    pub en: &'static str,
    /// What it means, in Bahasa Indonesia.
    pub id: &'static str,
}

/// Declares a registry enum, its registry table and its `code()` from one list: each
/// variant with its stable code, its stage, and its messages in English and Bahasa
/// Indonesia. Adding a code is adding one entry to a list below.
macro_rules! registry {
    (
        $(#[$enum_meta:meta])*
        pub enum $enum:ident;
        $(#[$registry_meta:meta])*
        pub const $registry:ident;
        $(
            $(#[$doc:meta])*
            $variant:ident $({ $( $(#[$field_doc:meta])* $field:ident: $field_ty:ty ),* $(,)? })?
                => $code:literal, $stage:ident, $en:literal, $id:literal;
        )*
    ) => {
        $(#[$enum_meta])*
        pub enum $enum {
            $(
                $(#[$doc])*
                $variant $({ $( $(#[$field_doc])* $field: $field_ty ),* })?,
            )*
        }

        $(#[$registry_meta])*
        pub const $registry: &[ReasonInfo] = &[
            $( ReasonInfo { code: $code, stage: Stage::$stage, en: $en, id: $id }, )*
        ];

        impl $enum {
            /// The stable snake_case code.
            pub const fn code(&self) -> &'static str {
                match self {
                    $( $enum::$variant $({ $( $field: _ ),* })? => $code, )*
                }
            }
        }
    };
}

registry! {
    /// Why a credential was rejected. Each variant maps to exactly one stable code.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum Reason;
    /// Every reason code, in registry (append) order.
    pub const REGISTRY;

    /// The text is longer than [`crate::wire::limits::MAX_QR_TEXT_LEN`].
    InputTooLarge {
        /// Length received, in bytes.
        len: usize,
    } => "input_too_large", Decode,
        "The QR text is longer than any IKD credential can be.",
        "Teks QR lebih panjang daripada kredensial IKD mana pun.";
    /// The text does not start with `IKD1:`: it is some other QR code.
    NotIkdCredential => "not_ikd_credential", Decode,
        "This QR code is not an IKD credential.",
        "Kode QR ini bukan kredensial IKD.";
    /// The text after the prefix is not valid Base45.
    Base45Invalid => "base45_invalid", Decode,
        "The QR text is damaged: it is not valid Base45.",
        "Teks QR rusak: bukan Base45 yang sah.";
    /// The zlib stream inflates beyond [`crate::wire::limits::MAX_INFLATED_LEN`].
    InflateLimitExceeded => "inflate_limit_exceeded", Decode,
        "The compressed data expands beyond the allowed size.",
        "Data terkompresi mengembang melebihi ukuran yang diizinkan.";
    /// The zlib stream is corrupt, truncated or followed by extra bytes.
    ZlibInvalid => "zlib_invalid", Decode,
        "The compressed data is damaged.",
        "Data terkompresi rusak.";
    /// The CBOR is not well formed, or uses a type the format does not allow.
    CborMalformed => "cbor_malformed", Decode,
        "The credential data is not well-formed CBOR of the allowed kinds.",
        "Data kredensial bukan CBOR yang tersusun benar dengan jenis yang diizinkan.";
    /// CBOR nesting is deeper than [`crate::wire::limits::MAX_CBOR_DEPTH`].
    CborTooDeep => "cbor_too_deep", Decode,
        "The credential data is nested too deeply.",
        "Data kredensial bersarang terlalu dalam.";
    /// A CBOR map holds the same key twice.
    CborDuplicateKey => "cbor_duplicate_key", Decode,
        "The credential data holds the same key twice.",
        "Data kredensial memuat kunci yang sama dua kali.";
    /// Bytes follow the end of the CBOR item.
    CborTrailingBytes => "cbor_trailing_bytes", Decode,
        "Extra data follows the credential.",
        "Ada data tambahan setelah kredensial.";
    /// CBOR that is not in preferred encoding: indefinite lengths, or longer heads than needed.
    CborNotDeterministic => "cbor_not_deterministic", Decode,
        "The credential data is not in the required deterministic encoding.",
        "Data kredensial tidak memakai pengodean deterministik yang diwajibkan.";
    /// The message does not start with CBOR tag 18 (COSE_Sign1).
    CoseTagMissing => "cose_tag_missing", Decode,
        "The signed message lacks its COSE_Sign1 tag.",
        "Pesan bertanda tangan tidak memiliki tag COSE_Sign1.";
    /// The message starts with a CBOR tag other than 18.
    CoseTagWrong {
        /// The tag found.
        tag: u64,
    } => "cose_tag_wrong", Decode,
        "The signed message carries a tag other than COSE_Sign1.",
        "Pesan bertanda tangan memiliki tag selain COSE_Sign1.";
    /// The COSE_Sign1 array does not have the required shape.
    CoseMalformed => "cose_malformed", Decode,
        "The signed message does not have the COSE_Sign1 structure.",
        "Pesan bertanda tangan tidak berstruktur COSE_Sign1.";
    /// `alg` is absent from the protected header but present in the unprotected one.
    AlgUnprotected => "alg_unprotected", Header,
        "The signature algorithm is not in the protected header.",
        "Algoritma tanda tangan tidak berada di header terlindungi.";
    /// `alg` is absent.
    AlgMissing => "alg_missing", Header,
        "The signature algorithm is not stated.",
        "Algoritma tanda tangan tidak dicantumkan.";
    /// `alg` is not EdDSA (-8).
    AlgUnsupported => "alg_unsupported", Header,
        "The signature algorithm is not allowed for IKD credentials.",
        "Algoritma tanda tangan tidak diizinkan untuk kredensial IKD.";
    /// The unprotected header is not empty.
    UnprotectedHeaderNotEmpty => "unprotected_header_not_empty", Header,
        "The unprotected header must be empty.",
        "Header tidak terlindungi harus kosong.";
    /// The protected header holds a parameter other than `alg`, `kid` and `typ`.
    ProtectedHeaderUnexpected => "protected_header_unexpected", Header,
        "The protected header holds a parameter this format does not allow.",
        "Header terlindungi memuat parameter yang tidak diizinkan format ini.";
    /// `typ` is absent or names another kind of message.
    TypMismatch => "typ_mismatch", Header,
        "The message is not of the expected type.",
        "Jenis pesan tidak sesuai dengan yang diharapkan.";
    /// `kid` is absent or empty.
    KidMissing => "kid_missing", Header,
        "The signing key is not identified.",
        "Kunci penanda tangan tidak diidentifikasi.";
    /// No trusted key has this `kid`.
    KidUnknown => "kid_unknown", Header,
        "The credential was signed by a key this verifier does not trust.",
        "Kredensial ditandatangani oleh kunci yang tidak dipercaya verifikator ini.";
    /// No candidate key verifies the signature.
    SignatureInvalid => "signature_invalid", Signature,
        "The signature is not valid: the credential was altered or forged.",
        "Tanda tangan tidak sah: kredensial telah diubah atau dipalsukan.";
    /// The payload is not a CWT claims map this format allows.
    ClaimsMalformed {
        /// The claim at fault, by name (`iss`, `exp`, …) or `payload`.
        claim: &'static str,
    } => "claims_malformed", Claims,
        "The credential's claims are malformed.",
        "Klaim kredensial tidak tersusun benar.";
    /// The `exp` claim is absent.
    ExpMissing => "exp_missing", Claims,
        "The credential has no expiry time.",
        "Kredensial tidak memiliki waktu kedaluwarsa.";
    /// The `iat` claim is absent.
    IatMissing => "iat_missing", Claims,
        "The credential has no issue time.",
        "Kredensial tidak memiliki waktu penerbitan.";
    /// `iss` differs from the issuer the trust store names for the key.
    IssuerMismatch => "issuer_mismatch", Claims,
        "The stated issuer does not own the signing key.",
        "Penerbit yang dicantumkan bukan pemilik kunci penanda tangan.";
    /// The document type is unknown to this version of the format.
    DocTypeUnknown {
        /// The numeric type found.
        doc_type: u64,
    } => "doc_type_unknown", Claims,
        "The document type is unknown.",
        "Jenis dokumen tidak dikenal.";
    /// The key is not allowed to sign this document type.
    DocTypeNotAllowed => "doc_type_not_allowed", Claims,
        "The signing key may not issue this document type.",
        "Kunci penanda tangan tidak berwenang menerbitkan jenis dokumen ini.";
    /// The verifier's policy does not accept this document type.
    DocTypeNotAccepted => "doc_type_not_accepted", Claims,
        "This verifier does not accept this document type.",
        "Verifikator ini tidak menerima jenis dokumen ini.";
    /// The document's CBOR does not match its schema: missing field, wrong type, unknown key.
    DocumentMalformed {
        /// The field at fault.
        field: FieldPath,
    } => "document_malformed", Claims,
        "The document's fields are malformed or incomplete.",
        "Isian dokumen tidak tersusun benar atau tidak lengkap.";
    /// `nbf` is later than now plus leeway.
    CredentialNotYetValid => "credential_not_yet_valid", Time,
        "The credential is not valid yet.",
        "Kredensial belum berlaku.";
    /// `exp` plus leeway is earlier than now.
    CredentialExpired => "credential_expired", Time,
        "The credential has expired.",
        "Kredensial sudah kedaluwarsa.";
    /// `iat` is later than now plus leeway.
    CredentialIssuedInFuture => "credential_issued_in_future", Time,
        "The credential claims to be issued in the future.",
        "Kredensial mengaku diterbitkan pada waktu yang akan datang.";
    /// `iat` lies outside the signing key's validity window.
    KeyNotValidAtIssuance => "key_not_valid_at_issuance", Time,
        "The signing key was not valid when the credential was issued.",
        "Kunci penanda tangan tidak berlaku saat kredensial diterbitkan.";
    /// A NIK or nomor KK is not 16 digits, has an impossible date, or a 0000 serial.
    NikInvalid {
        /// The field at fault.
        field: FieldPath,
    } => "nik_invalid", Content,
        "A NIK or family card number has an impossible format.",
        "NIK atau nomor KK memiliki format yang tidak mungkin.";
    /// A SIAK-coded field holds a code outside its list.
    SiakCodeInvalid {
        /// The field at fault.
        field: FieldPath,
        /// The code found.
        code: u64,
    } => "siak_code_invalid", Content,
        "A coded field holds a value outside its SIAK code list.",
        "Isian berkode memuat nilai di luar daftar kode SIAK.";
    /// A field's value is out of range: empty text, impossible date, RT/RW above 999, …
    FieldInvalid {
        /// The field at fault.
        field: FieldPath,
    } => "field_invalid", Content,
        "A field holds an impossible value.",
        "Isian memuat nilai yang tidak mungkin.";
    /// The key that made the signature is marked compromised in the trust data.
    KeyCompromised => "key_compromised", Signature,
        "The signing key is marked as compromised: nothing it signed can be trusted.",
        "Kunci penanda tangan ditandai telah bocor: apa pun yang ditandatanganinya tidak dapat dipercaya.";
    /// The trust list is older than the policy allows (beyond any grace period).
    TrustListStale => "trust_list_stale", Freshness,
        "The verifier's trust list is too old; update the trust data.",
        "Daftar kepercayaan verifikator sudah terlalu lama; perbarui data kepercayaan.";
    /// The status list consulted is older than the policy allows, or past its `exp`
    /// (beyond any grace period).
    StatusListStale => "status_list_stale", Freshness,
        "The revocation list for this credential is too old; update the trust data.",
        "Daftar pencabutan untuk kredensial ini sudah terlalu lama; perbarui data kepercayaan.";
    /// The credential names a status list the verifier does not hold (none for its URI,
    /// or none signed by the credential's issuer).
    StatusListMissing => "status_list_missing", Revocation,
        "The verifier does not hold the revocation list this credential refers to.",
        "Verifikator tidak memiliki daftar pencabutan yang dirujuk kredensial ini.";
    /// The credential's status index lies beyond the end of its status list.
    StatusIndexOutOfRange => "status_index_out_of_range", Revocation,
        "The credential's position lies outside its revocation list.",
        "Posisi kredensial berada di luar daftar pencabutannya.";
    /// The status list marks the credential as revoked (status INVALID, or any status this
    /// format does not define).
    CredentialRevoked => "credential_revoked", Revocation,
        "The credential has been revoked by its issuer.",
        "Kredensial telah dicabut oleh penerbitnya.";
    /// The status list marks the credential as suspended (status SUSPENDED of a 2-bit list).
    CredentialSuspended => "credential_suspended", Revocation,
        "The credential is suspended by its issuer.",
        "Kredensial sedang ditangguhkan oleh penerbitnya.";
    /// A presentation's payload is not `[protected, claims, signature, iat, lifetime,
    /// ?nonce, ?audience]` as the format allows.
    PresentationMalformed => "presentation_malformed", Decode,
        "The presentation from the holder's phone is malformed.",
        "Presentasi dari ponsel pemegang tidak tersusun benar.";
    /// A bare credential where the policy asks for a presentation: one bound to a device
    /// key, or of a type the policy accepts only when presented.
    PresentationRequired => "presentation_required", HolderBinding,
        "This credential must be shown as a fresh QR code from the holder's phone, not as a copy.",
        "Kredensial ini harus ditunjukkan sebagai kode QR baru dari ponsel pemegang, bukan salinan.";
    /// A presentation of a credential that names no device key (`cnf`).
    HolderKeyMissing => "holder_key_missing", HolderBinding,
        "The credential is not bound to a phone, so it cannot be presented from one.",
        "Kredensial tidak terikat pada ponsel, sehingga tidak dapat dipresentasikan dari ponsel.";
    /// The presentation is not signed by the credential's device key.
    PresentationSignatureInvalid => "presentation_signature_invalid", HolderBinding,
        "The presentation was not signed by the phone this credential belongs to.",
        "Presentasi tidak ditandatangani oleh ponsel pemilik kredensial ini.";
    /// The presentation is past its expiry, or older than the policy allows.
    PresentationExpired => "presentation_expired", HolderBinding,
        "The QR code from the phone has expired; ask the holder to show a fresh one.",
        "Kode QR dari ponsel sudah kedaluwarsa; minta pemegang menampilkan kode baru.";
    /// The presentation claims to be made in the future.
    PresentationIssuedInFuture => "presentation_issued_in_future", HolderBinding,
        "The presentation claims to be made in the future; check the clocks.",
        "Presentasi mengaku dibuat pada waktu yang akan datang; periksa jam perangkat.";
    /// The presentation does not bind the verifier's nonce.
    NonceMismatch => "nonce_mismatch", HolderBinding,
        "The presentation does not answer this counter's challenge code.",
        "Presentasi tidak menjawab kode tantangan loket ini.";
    /// The presentation names another verifier, or none where one was expected.
    AudienceMismatch => "audience_mismatch", HolderBinding,
        "The presentation was made for another verifier.",
        "Presentasi dibuat untuk verifikator lain.";
    /// This verifier has already accepted this presentation.
    PresentationReplayed => "presentation_replayed", HolderBinding,
        "This QR code has already been used; ask the holder to show a fresh one.",
        "Kode QR ini sudah pernah digunakan; minta pemegang menampilkan kode baru.";
    /// The verifier's replay store could not say whether the presentation was accepted
    /// before (a shared store out of reach): refused rather than risk a replay.
    ReplayCheckUnavailable => "replay_check_unavailable", HolderBinding,
        "This verifier could not check whether the QR code was already used; try again with a fresh one shortly.",
        "Verifikator tidak dapat memeriksa apakah kode QR ini sudah pernah digunakan; coba lagi sebentar lagi dengan kode baru.";
    /// A credential without `iat` (a purpose profile) whose signing key is outside its
    /// validity window at the verification time.
    KeyNotValidNow => "key_not_valid_now", Time,
        "The credential does not say when it was issued, and its signing key is not valid now.",
        "Kredensial tidak menyebut waktu terbitnya, dan kunci penanda tangannya tidak berlaku saat ini.";
}

impl Reason {
    /// The registry row for this reason.
    pub fn info(&self) -> &'static ReasonInfo {
        lookup(self.code()).unwrap_or(&UNREGISTERED)
    }

    /// The stage this reason belongs to.
    pub fn stage(&self) -> Stage {
        self.info().stage
    }

    /// The field this reason points at, if any.
    pub fn field(&self) -> Option<FieldPath> {
        match self {
            Reason::DocumentMalformed { field }
            | Reason::NikInvalid { field }
            | Reason::SiakCodeInvalid { field, .. }
            | Reason::FieldInvalid { field } => Some(*field),
            _ => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.info().en)?;
        match self {
            Reason::ClaimsMalformed { claim } => write!(f, ": {claim}"),
            Reason::CoseTagWrong { tag } => write!(f, ": tag {tag}"),
            Reason::DocTypeUnknown { doc_type } => write!(f, ": type {doc_type}"),
            Reason::SiakCodeInvalid { field, code } => write!(f, ": {field} = {code}"),
            _ => match self.field() {
                Some(field) => write!(f, ": {field}"),
                None => Ok(()),
            },
        }
    }
}

impl std::error::Error for Reason {}

/// Never reached for a code in [`REGISTRY`]; a test checks that every code is registered.
const UNREGISTERED: ReasonInfo = ReasonInfo {
    code: "unregistered",
    stage: Stage::Decode,
    en: "Unregistered reason.",
    id: "Alasan tidak terdaftar.",
};

/// The registry row for `code`.
pub fn lookup(code: &str) -> Option<&'static ReasonInfo> {
    REGISTRY.iter().find(|info| info.code == code)
}

/// How much a warning matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Deserves a look by the person at the counter.
    Warning,
    /// Expected in real documents; shown for completeness.
    Info,
}

impl Severity {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A registry row for a warning code.
pub type WarningInfo = ReasonInfo;

registry! {
    /// A soft finding: the credential is valid, but something deserves a look.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum Warning;
    /// Every warning code, in registry (append) order.
    pub const WARNING_REGISTRY;

    /// The birth date encoded in the NIK differs from the document's birth date.
    NikBirthDateMismatch {
        /// The NIK's field.
        field: FieldPath,
    } => "nik_birth_date_mismatch", Content,
        "The birth date in the NIK differs from the stated birth date.",
        "Tanggal lahir dalam NIK berbeda dengan tanggal lahir yang tercantum.";
    /// The sex encoded in the NIK (day + 40 for women) differs from the document's sex.
    NikSexMismatch {
        /// The NIK's field.
        field: FieldPath,
    } => "nik_sex_mismatch", Content,
        "The sex encoded in the NIK differs from the stated sex.",
        "Jenis kelamin dalam NIK berbeda dengan jenis kelamin yang tercantum.";
    /// The NIK's `PPKKCC` prefix is in none of the region lists the verifier holds.
    NikRegionUnknown {
        /// The NIK's field.
        field: FieldPath,
    } => "nik_region_unknown", Content,
        "The region prefix of the NIK is in no known region list.",
        "Kode wilayah pada NIK tidak terdapat dalam daftar wilayah mana pun yang dikenal.";
    /// Informational: the NIK's prefix is a kecamatan of an older list only (for example
    /// Papua before its 2022 split). NIKs keep their first prefix for life, so this is normal.
    NikRegionHistorical {
        /// The NIK's field.
        field: FieldPath,
        /// The newest list that has the prefix (e.g. `2021`).
        last_list: &'static str,
    } => "nik_region_historical", Content,
        "The NIK was first registered in a kecamatan of an older region list; this is normal.",
        "NIK pertama kali terdaftar di kecamatan dari daftar wilayah lama; hal ini wajar.";
    /// A region code (kode wilayah, or the issuing kabupaten/kota) is not in the region table.
    RegionCodeUnknown {
        /// The field holding the code.
        field: FieldPath,
        /// The region table consulted.
        table: &'static str,
    } => "region_code_unknown", Content,
        "A region code is not in the verifier's region table.",
        "Kode wilayah tidak terdapat dalam tabel wilayah verifikator.";
    /// The trust list is older than the policy's maximum age, but within the grace period
    /// the policy allows. It concerns the trust data, not a document field: its field is
    /// `trust_list`.
    TrustListStaleGrace => "trust_list_stale_grace", Freshness,
        "The verifier's trust list is older than it should be; it is still accepted during a grace period. Update the trust data.",
        "Daftar kepercayaan verifikator lebih lama dari seharusnya; masih diterima selama masa tenggang. Perbarui data kepercayaan.";
    /// The status list consulted is older than the policy's maximum age (or past its
    /// `exp`), but within the grace period. Its field is `status_list`.
    StatusListStaleGrace => "status_list_stale_grace", Freshness,
        "The revocation list is older than it should be; it is still accepted during a grace period. Update the trust data.",
        "Daftar pencabutan lebih lama dari seharusnya; masih diterima selama masa tenggang. Perbarui data kepercayaan.";
}

impl Warning {
    /// How much it matters.
    pub const fn severity(&self) -> Severity {
        match self {
            Warning::NikRegionHistorical { .. } => Severity::Info,
            _ => Severity::Warning,
        }
    }

    /// The data the message refers to: the last list that had a prefix, or the region
    /// table consulted.
    pub const fn detail(&self) -> Option<&'static str> {
        match self {
            Warning::NikRegionHistorical { last_list, .. } => Some(last_list),
            Warning::RegionCodeUnknown { table, .. } => Some(table),
            _ => None,
        }
    }

    /// The registry row for this warning.
    pub fn info(&self) -> &'static WarningInfo {
        WARNING_REGISTRY
            .iter()
            .find(|info| info.code == self.code())
            .unwrap_or(&UNREGISTERED)
    }

    /// The field the warning is about: a document field, or for the freshness warnings
    /// the trust data concerned (`trust_list`, `status_list`).
    pub fn field(&self) -> FieldPath {
        match self {
            Warning::NikBirthDateMismatch { field }
            | Warning::NikSexMismatch { field }
            | Warning::NikRegionUnknown { field }
            | Warning::NikRegionHistorical { field, .. }
            | Warning::RegionCodeUnknown { field, .. } => *field,
            Warning::TrustListStaleGrace => FieldPath::top("trust_list"),
            Warning::StatusListStaleGrace => FieldPath::top("status_list"),
        }
    }

    /// Whether the warning concerns a field of the document (rather than the trust data).
    pub fn is_about_document(&self) -> bool {
        !matches!(
            self,
            Warning::TrustListStaleGrace | Warning::StatusListStaleGrace
        )
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code(), self.info().en, self.field())?;
        match self.detail() {
            Some(detail) => write!(f, " [{detail}]"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_bilingual() {
        let mut seen = HashSet::new();
        for info in REGISTRY.iter().chain(WARNING_REGISTRY) {
            assert!(seen.insert(info.code), "duplicate code {}", info.code);
            assert!(
                info.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{} is not snake_case",
                info.code
            );
            assert!(!info.en.is_empty() && !info.id.is_empty());
            assert_ne!(info.en, info.id);
        }
    }
}
