//! The deterministic vector generator.
//!
//! Keys come from fixed seeds, times and credential identifiers are fixed, and Ed25519
//! signatures are deterministic, so [`generate`] returns the same bytes on every run. The
//! expected outcome of each vector is written down here by hand (never computed by running
//! the SDK's verifier), so the vectors test the SDK rather than describe it.

mod edge;
mod invalid;
mod presentation;
mod trust;
mod valid;

use crate::forge::{self, Claims, Sign1, TYP_CREDENTIAL};
use crate::format::{
    Expected, FORMAT, Group, PolicySpec, RejectedOutcome, TrustStoreJson, ValidOutcome, Vector,
    VectorFile, WarningSpec,
};
use ciborium::Value;
use ikd_sdk::{
    DocType, DocTypeSet, Document, Issuer, IssuerSigningKey, Kk, Ktp, TrustStore, TrustedKey,
    UnixTime, Validity,
};
use std::collections::{BTreeMap, BTreeSet};

/// One generated file: its name inside the vectors directory and its exact contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, e.g. `valid.json`.
    pub name: String,
    /// The exact file contents (pretty JSON, final newline).
    pub contents: String,
}

/// Builds every vector file in memory.
pub fn generate() -> Result<Vec<GeneratedFile>, String> {
    let fx = Fixtures::new()?;
    let mut files = Vec::new();
    let mut ids = BTreeSet::new();
    for group in Group::ALL {
        let mut out = Out::new(group);
        match group {
            Group::Valid => {
                valid::build(&fx, &mut out)?;
                presentation::valid(&fx, &mut out)?;
                presentation::settled_valid(&fx, &mut out)?;
            }
            Group::Invalid => {
                invalid::build(&fx, &mut out)?;
                presentation::invalid(&fx, &mut out)?;
                presentation::settled_invalid(&fx, &mut out)?;
            }
            Group::Edge => edge::build(&fx, &mut out)?,
            Group::Trust => trust::build(&fx, &mut out)?,
        }
        for vector in &out.vectors {
            if !ids.insert(vector.id.clone()) {
                return Err(format!("duplicate vector id {}", vector.id));
            }
            if let Expected::Rejected(r) = &vector.expected
                && ikd_sdk::reason::lookup(&r.reason_code).is_none()
            {
                return Err(format!(
                    "{}: unregistered code {}",
                    vector.id, r.reason_code
                ));
            }
        }
        let file = out.finish()?;
        let mut contents = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        contents.push('\n');
        files.push(GeneratedFile {
            name: format!("{}.json", group.as_str()),
            contents,
        });
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------------
// Fixed inputs.

/// Issuer A: Kota Bandung. Trusted for KTP and KK.
pub(crate) const SEED_A: [u8; 32] = [0x11; 32];
/// Issuer B: a key no trust store holds.
pub(crate) const SEED_B: [u8; 32] = [0x22; 32];
/// Issuer C: Kabupaten Bandung. Trusted for KTP and KK.
pub(crate) const SEED_C: [u8; 32] = [0x33; 32];

pub(crate) const ISSUER_A: &str = "ID-DUKCAPIL-3273";
pub(crate) const NAME_A: &str = "Disdukcapil Kota Bandung";
/// A second issuer id under which issuer A's key is listed (store `same_key_two_issuers`).
pub(crate) const ISSUER_A2: &str = "ID-DUKCAPIL-3273-2";
pub(crate) const ISSUER_B: &str = "ID-DUKCAPIL-9999";
pub(crate) const ISSUER_C: &str = "ID-DUKCAPIL-3204";
pub(crate) const NAME_C: &str = "Disdukcapil Kabupaten Bandung";
/// Key D: issuer A's key that the trust data marks compromised.
pub(crate) const SEED_D: [u8; 32] = [0x66; 32];
pub(crate) const NAME_D: &str = "Disdukcapil Kota Bandung (kunci bocor)";
/// Key E: issuer A's retired key.
pub(crate) const SEED_E: [u8; 32] = [0x77; 32];
pub(crate) const NAME_E: &str = "Disdukcapil Kota Bandung (kunci lama)";
/// The root that signs the trust lists.
pub(crate) const SEED_ROOT: [u8; 32] = [0x44; 32];

/// 2025-01-01T00:00:00Z: start of every trusted key's signing window.
pub(crate) const KEY_VALID_FROM: i64 = 1_735_689_600;
/// 2027-12-31T23:59:59Z: end of every trusted key's signing window.
pub(crate) const KEY_VALID_UNTIL: i64 = 1_830_297_599;
/// `iat` of most credentials (2026-09-21T14:13:20Z).
pub(crate) const IAT: i64 = 1_790_000_000;
/// `exp` of most credentials: 30 days later.
pub(crate) const EXP: i64 = IAT + 30 * 86_400;
/// The verifier's clock for most vectors: one hour after issuance.
pub(crate) const NOW: i64 = IAT + 3_600;
/// The default leeway.
pub(crate) const LEEWAY: i64 = 60;

/// 2028-01-01T00:00:00Z: start of the second window in the `same_key_*_windows` stores.
pub(crate) const SECOND_WINDOW_FROM: i64 = 1_830_297_600;
/// 2029-12-31T23:59:59Z: end of that window.
pub(crate) const SECOND_WINDOW_UNTIL: i64 = 1_893_455_999;
/// The display name of the second entry for issuer A's key in the `same_key_*` stores.
pub(crate) const NAME_A_SECOND: &str = "Disdukcapil Kota Bandung (entri kedua)";

/// The trust stores the vectors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Store {
    /// Issuers A and C, both for KTP and KK.
    Main,
    /// Issuer A for KTP only.
    KtpOnly,
    /// Issuer A's key listed twice, identically but for the name.
    SameKeyTwice,
    /// Issuer A's key listed for issuer A, then for issuer id [`ISSUER_A2`].
    SameKeyTwoIssuers,
    /// Issuer A's key listed for KTP-el, then for KK.
    SameKeySplitDocTypes,
    /// Issuer A's key listed for 2025–2027, then for 2028–2029.
    SameKeyTwoWindows,
    /// Issuer A's key listed for [`ISSUER_A2`] in 2025–2027, then for issuer A in 2028–2029.
    SameKeyMixed,
    /// Issuer A's key listed for three other issuer ids, then for issuer A (4 entries).
    SameKeyFourEntries,
    /// Issuer A's key listed for four other issuer ids, then for issuer A (5 entries).
    SameKeyFiveEntries,
    /// Issuers A and C, and key D of issuer A marked compromised.
    WithCompromisedKey,
    /// Issuer A for every document type, the purpose profiles included.
    AllTypes,
}

impl Store {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Store::Main => "main",
            Store::KtpOnly => "ktp_only",
            Store::SameKeyTwice => "same_key_twice",
            Store::SameKeyTwoIssuers => "same_key_two_issuers",
            Store::SameKeySplitDocTypes => "same_key_split_doc_types",
            Store::SameKeyTwoWindows => "same_key_two_windows",
            Store::SameKeyMixed => "same_key_mixed",
            Store::SameKeyFourEntries => "same_key_four_entries",
            Store::SameKeyFiveEntries => "same_key_five_entries",
            Store::WithCompromisedKey => "with_compromised_key",
            Store::AllTypes => "all_types",
        }
    }

    fn build(self) -> TrustStore {
        let both = DocTypeSet::NONE.with(DocType::Ktp).with(DocType::Kk);
        let first = (KEY_VALID_FROM, KEY_VALID_UNTIL);
        let second = (SECOND_WINDOW_FROM, SECOND_WINDOW_UNTIL);
        let a = |issuer: &str, name: &str, doc_types, window| {
            trusted(&SEED_A, issuer, name, doc_types, window)
        };
        let entries = match self {
            Store::Main | Store::WithCompromisedKey => vec![
                a(ISSUER_A, NAME_A, both, first),
                trusted(&SEED_C, ISSUER_C, NAME_C, both, first),
            ],
            Store::AllTypes => vec![a(ISSUER_A, NAME_A, DocTypeSet::all(), first)],
            Store::KtpOnly => vec![a(
                ISSUER_A,
                NAME_A,
                DocTypeSet::NONE.with(DocType::Ktp),
                first,
            )],
            Store::SameKeyTwice => vec![
                a(ISSUER_A, NAME_A, both, first),
                a(ISSUER_A, NAME_A_SECOND, both, first),
            ],
            Store::SameKeyTwoIssuers => vec![
                a(ISSUER_A, NAME_A, both, first),
                a(ISSUER_A2, NAME_A_SECOND, both, first),
            ],
            Store::SameKeySplitDocTypes => vec![
                a(ISSUER_A, NAME_A, DocTypeSet::NONE.with(DocType::Ktp), first),
                a(
                    ISSUER_A,
                    NAME_A_SECOND,
                    DocTypeSet::NONE.with(DocType::Kk),
                    first,
                ),
            ],
            Store::SameKeyTwoWindows => vec![
                a(ISSUER_A, NAME_A, both, first),
                a(ISSUER_A, NAME_A_SECOND, both, second),
            ],
            Store::SameKeyMixed => vec![
                a(ISSUER_A2, NAME_A, both, first),
                a(ISSUER_A, NAME_A_SECOND, both, second),
            ],
            Store::SameKeyFourEntries | Store::SameKeyFiveEntries => {
                let others = if self == Store::SameKeyFourEntries {
                    3
                } else {
                    4
                };
                let mut entries: Vec<TrustedKey> = (1..=others)
                    .map(|i| {
                        a(
                            &format!("ID-LAIN-{i}"),
                            &format!("Penerbit lain {i}"),
                            both,
                            first,
                        )
                    })
                    .collect();
                entries.push(a(ISSUER_A, NAME_A, both, first));
                entries
            }
        };
        let mut store = TrustStore::new();
        for entry in entries {
            store.add(entry);
        }
        if self == Store::WithCompromisedKey {
            store.add_entry(ikd_sdk::TrustEntry {
                key: trusted(&SEED_D, ISSUER_A, NAME_D, both, first),
                status: ikd_sdk::KeyStatus::Compromised,
                region_code: Some(3273),
            });
        }
        store
    }
}

fn trusted(
    seed: &[u8; 32],
    issuer: &str,
    name: &str,
    doc_types: DocTypeSet,
    (valid_from, valid_until): (i64, i64),
) -> TrustedKey {
    TrustedKey {
        issuer: issuer.into(),
        name: name.into(),
        key: IssuerSigningKey::from_seed(seed).public_key(),
        valid_from: UnixTime(valid_from),
        valid_until: UnixTime(valid_until),
        doc_types,
    }
}

/// The sample documents and keys.
pub(crate) struct Fixtures {
    pub(crate) ktp: Ktp,
    pub(crate) kk4: Kk,
    pub(crate) kk8: Kk,
}

impl Fixtures {
    fn new() -> Result<Self, String> {
        let parse = |json: &str| -> Result<Document, String> {
            serde_json::from_str(json).map_err(|e| format!("sample document: {e}"))
        };
        let Document::Ktp(ktp) = parse(ikd_sdk::samples::KTP_JSON)? else {
            return Err("the KTP sample is not a KTP".into());
        };
        let Document::Kk(kk4) = parse(ikd_sdk::samples::KK_4_JSON)? else {
            return Err("the KK-4 sample is not a KK".into());
        };
        let Document::Kk(kk8) = parse(ikd_sdk::samples::KK_8_JSON)? else {
            return Err("the KK-8 sample is not a KK".into());
        };
        Ok(Fixtures { ktp, kk4, kk8 })
    }

    /// The sample KTP's CBOR form.
    pub(crate) fn ktp_value(&self) -> Value {
        Document::Ktp(self.ktp.clone()).to_cbor_value()
    }

    /// The sample KK-4's CBOR form.
    pub(crate) fn kk4_value(&self) -> Value {
        Document::Kk(self.kk4.clone()).to_cbor_value()
    }
}

pub(crate) fn key_a() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&SEED_A)
}

pub(crate) fn key_b() -> IssuerSigningKey {
    IssuerSigningKey::from_seed(&SEED_B)
}

/// A fixed credential identifier for a vector: the first 8 bytes of SHA-256 of its id.
pub(crate) fn cti(id: &str) -> Vec<u8> {
    ikd_sdk::crypto::sha256(id.as_bytes())
        .iter()
        .take(8)
        .copied()
        .collect()
}

/// Issues `doc` with the SDK's issuer.
pub(crate) fn issue(
    seed: &[u8; 32],
    issuer_id: &str,
    doc: &Document,
    validity: Validity,
    id: &str,
) -> Result<Vec<u8>, String> {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(seed), issuer_id)
        .map_err(|e| format!("{id}: {e}"))?;
    let (credential, _warnings) = issuer
        .issue(
            doc,
            validity,
            &ikd_sdk::IssueOptions::default().with_credential_id(cti(id)),
        )
        .map_err(|e| format!("{id}: {e}"))?;
    Ok(credential.as_bytes().to_vec())
}

/// Issues `doc` with issuer A, `iat` = [`IAT`], `exp` = [`EXP`].
pub(crate) fn issue_a(doc: &Document, id: &str) -> Result<Vec<u8>, String> {
    issue(&SEED_A, ISSUER_A, doc, validity(IAT, None, EXP), id)
}

pub(crate) fn validity(iat: i64, nbf: Option<i64>, exp: i64) -> Validity {
    Validity {
        issued_at: UnixTime(iat),
        not_before: nbf.map(UnixTime),
        expires_at: UnixTime(exp),
    }
}

/// Issuer A's standard claims around `document`, with this vector's `cti`.
pub(crate) fn claims_a(document: Value, id: &str) -> Claims {
    Claims::standard(ISSUER_A, IAT, None, EXP, Some(&cti(id)), document)
}

/// A credential carrying `claims`, signed by `key` under the standard protected header.
pub(crate) fn forge(key: &IssuerSigningKey, claims: &Claims) -> Result<Vec<u8>, String> {
    Ok(forge_sign1(key, claims)?.to_bytes())
}

/// Like [`forge`], but returns the parts for further tampering.
pub(crate) fn forge_sign1(key: &IssuerSigningKey, claims: &Claims) -> Result<Sign1, String> {
    let protected = forge::protected(&key.kid().0, TYP_CREDENTIAL);
    Ok(Sign1::signed(key, protected, claims.encode()?))
}

/// A credential with issuer A's standard claims around a hand-made document value.
pub(crate) fn forge_doc_a(document: Value, id: &str) -> Result<Vec<u8>, String> {
    forge(&key_a(), &claims_a(document, id))
}

// ---------------------------------------------------------------------------------------
// Expectations.

/// The default policy: 60 s leeway, every document type.
pub(crate) fn policy() -> PolicySpec {
    policy_with(60, &[DocType::Ktp, DocType::Kk])
}

pub(crate) fn policy_with(leeway_seconds: u32, types: &[DocType]) -> PolicySpec {
    PolicySpec {
        leeway_seconds,
        accepted_doc_types: types.iter().map(|t| t.name().to_owned()).collect(),
        freshness: None,
        bare_credentials: None,
        presentation_leeway_seconds: None,
        presentation_max_age_seconds: None,
    }
}

/// A rejection with `code`; the stage is the code's stage in the registry.
pub(crate) fn rej(code: &str) -> RejectedOutcome {
    RejectedOutcome {
        stage: ikd_sdk::reason::lookup(code)
            .map_or("unregistered", |info| info.stage.as_str())
            .to_owned(),
        reason_code: code.to_owned(),
        field: None,
        claim: None,
        tag: None,
        doc_type_number: None,
        siak_code: None,
    }
}

impl RejectedOutcome {
    pub(crate) fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub(crate) fn claim(mut self, claim: &str) -> Self {
        self.claim = Some(claim.to_owned());
        self
    }

    pub(crate) fn tag(mut self, tag: u64) -> Self {
        self.tag = Some(tag);
        self
    }

    pub(crate) fn doc_type_number(mut self, n: u64) -> Self {
        self.doc_type_number = Some(n);
        self
    }

    pub(crate) fn siak_code(mut self, code: u64) -> Self {
        self.siak_code = Some(code);
        self
    }
}

impl From<RejectedOutcome> for Expected {
    fn from(r: RejectedOutcome) -> Self {
        Expected::Rejected(r)
    }
}

impl From<ValidOutcome> for Expected {
    fn from(v: ValidOutcome) -> Self {
        Expected::Valid(v)
    }
}

/// A valid outcome for `doc` issued by `issuer` with the key of `seed`, no warnings.
pub(crate) fn ok(seed: &[u8; 32], issuer: &str, doc: &Document) -> ValidOutcome {
    let (nik, nomor_kk, member_niks) = match doc {
        Document::Ktp(ktp) => (Some(ktp.nik.to_string()), None, None),
        Document::Kk(kk) => (
            None,
            Some(kk.nomor_kk.to_string()),
            Some(kk.anggota.iter().map(|m| m.nik.to_string()).collect()),
        ),
        _ => (None, None, None),
    };
    let issuer_name = if issuer == ISSUER_C { NAME_C } else { NAME_A };
    ValidOutcome {
        issuer: issuer.to_owned(),
        issuer_name: issuer_name.to_owned(),
        kid: IssuerSigningKey::from_seed(seed).kid().to_hex(),
        doc_type: doc.doc_type().name().to_owned(),
        nik,
        nomor_kk,
        member_niks,
        warnings: Vec::new(),
        trust_list_sequence: None,
    }
}

/// A valid outcome for `doc` issued by issuer A.
pub(crate) fn ok_a(doc: &Document) -> ValidOutcome {
    ok(&SEED_A, ISSUER_A, doc)
}

impl ValidOutcome {
    /// Overrides the expected trust-store entry name.
    pub(crate) fn issuer_name(mut self, name: &str) -> Self {
        self.issuer_name = name.to_owned();
        self
    }

    pub(crate) fn warn(mut self, code: &str, field: &str) -> Self {
        self.warnings.push(WarningSpec {
            code: code.to_owned(),
            field: field.to_owned(),
        });
        self
    }
}

// ---------------------------------------------------------------------------------------
// Output.

/// The vectors of one group, as they are added.
pub(crate) struct Out {
    group: Group,
    pub(crate) vectors: Vec<Vector>,
    stores: BTreeSet<Store>,
    pub(crate) trust_lists: BTreeMap<String, crate::format::TrustListJson>,
    pub(crate) status_lists: BTreeMap<String, crate::format::StatusListJson>,
}

/// One vector's inputs, before it is added.
pub(crate) struct Case<'a> {
    pub(crate) id: &'a str,
    pub(crate) description: &'a str,
    pub(crate) qr: String,
    pub(crate) now: i64,
    pub(crate) store: Store,
    pub(crate) policy: PolicySpec,
    pub(crate) challenge: Option<crate::format::ChallengeSpec>,
    pub(crate) replay: bool,
    pub(crate) replay_store_unavailable: bool,
}

impl<'a> Case<'a> {
    /// A case with the default clock, trust store and policy.
    pub(crate) fn new(id: &'a str, description: &'a str, qr: String) -> Self {
        Case {
            id,
            description,
            qr,
            now: NOW,
            store: Store::Main,
            policy: policy(),
            challenge: None,
            replay: false,
            replay_store_unavailable: false,
        }
    }

    /// The verifier showed this challenge.
    pub(crate) fn challenge(mut self, nonce: &str, audience: Option<&str>) -> Self {
        self.challenge = Some(crate::format::ChallengeSpec {
            nonce: nonce.to_owned(),
            audience: audience.map(str::to_owned),
        });
        self
    }

    /// The verifier has accepted this QR text once already, with a replay cache.
    pub(crate) fn replayed(mut self) -> Self {
        self.replay = true;
        self
    }

    /// The verifier's replay store cannot answer.
    pub(crate) fn replay_store_down(mut self) -> Self {
        self.replay_store_unavailable = true;
        self
    }

    pub(crate) fn now(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    pub(crate) fn store(mut self, store: Store) -> Self {
        self.store = store;
        self
    }

    pub(crate) fn policy(mut self, policy: PolicySpec) -> Self {
        self.policy = policy;
        self
    }
}

impl Out {
    fn new(group: Group) -> Self {
        Out {
            group,
            vectors: Vec::new(),
            stores: BTreeSet::new(),
            trust_lists: BTreeMap::new(),
            status_lists: BTreeMap::new(),
        }
    }

    /// The group's name, which prefixes every id.
    pub(crate) fn group(&self) -> Group {
        self.group
    }

    /// Marks a trust store as used by a vector added by hand.
    pub(crate) fn use_store(&mut self, store: Store) {
        self.stores.insert(store);
    }

    /// Adds a vector; its id is prefixed with the group.
    pub(crate) fn add(&mut self, case: Case<'_>, expected: impl Into<Expected>) {
        self.stores.insert(case.store);
        self.vectors.push(Vector {
            id: format!("{}/{}", self.group.as_str(), case.id),
            description: case.description.to_owned(),
            group: self.group,
            qr: case.qr,
            now: case.now,
            trust_store: Some(case.store.name().to_owned()),
            trust_list: None,
            status_lists: Vec::new(),
            policy: case.policy,
            challenge: case.challenge,
            replay: case.replay,
            replay_store_unavailable: case.replay_store_unavailable,
            expected: expected.into(),
        });
    }

    fn finish(self) -> Result<VectorFile, String> {
        let mut trust_stores = BTreeMap::new();
        for store in &self.stores {
            let json: TrustStoreJson = serde_json::from_str(&store.build().to_json())
                .map_err(|e| format!("trust store {}: {e}", store.name()))?;
            trust_stores.insert(store.name().to_owned(), json);
        }
        let description = match self.group {
            Group::Valid => "Credentials every conforming verifier accepts.",
            Group::Invalid => {
                "Credentials every conforming verifier rejects, each for one stated reason; \
                 every reason code in the registry is produced at least once."
            }
            Group::Edge => {
                "Limits and boundaries: inputs exactly at a limit and one step past it, \
                 NIK calendar rules, and the warnings."
            }
            Group::Trust => {
                "Signed trust lists and status lists: key status, revocation and suspension \
                 bits, missing lists, freshness rules (reject, or warn within a grace \
                 period), and the order of these checks among the others."
            }
        };
        Ok(VectorFile {
            format: FORMAT.to_owned(),
            group: self.group,
            description: description.to_owned(),
            trust_stores,
            trust_lists: self.trust_lists,
            status_lists: self.status_lists,
            vectors: self.vectors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_times_are_what_their_comments_say() {
        assert_eq!(
            UnixTime::parse_rfc3339("2025-01-01T00:00:00Z"),
            Some(UnixTime(KEY_VALID_FROM))
        );
        assert_eq!(
            UnixTime::parse_rfc3339("2027-12-31T23:59:59Z"),
            Some(UnixTime(KEY_VALID_UNTIL))
        );
        assert_eq!(UnixTime(IAT).to_string(), "2026-09-21T14:13:20Z");
        assert_eq!(
            UnixTime::parse_rfc3339("2028-01-01T00:00:00Z"),
            Some(UnixTime(SECOND_WINDOW_FROM))
        );
        assert_eq!(
            UnixTime::parse_rfc3339("2029-12-31T23:59:59Z"),
            Some(UnixTime(SECOND_WINDOW_UNTIL))
        );
    }

    #[test]
    fn forged_credentials_equal_the_sdk_issuers_bytes() {
        let fx = Fixtures::new().unwrap();
        let doc = Document::Ktp(fx.ktp.clone());
        let issued = issue_a(&doc, "x").unwrap();
        let forged = forge_doc_a(fx.ktp_value(), "x").unwrap();
        assert_eq!(hex::encode(issued), hex::encode(forged));
    }
}
