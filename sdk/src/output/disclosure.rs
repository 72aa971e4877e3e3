//! Data minimisation (UU 27/2022): which document fields a verifier's purpose may see.
//!
//! A [`Purpose`] is a named set of document fields, by their names in the JSON form of the
//! document. A verifier that verified a full KTP-el or KK for, say, an age check hands the
//! result to [`DisclosedReport::new`], which keeps only what the purpose allows: the
//! verdict, reason, trace, trust data, issuer and warnings about the trust data always; the
//! warnings about document fields it may see; of the document only the allowed
//! fields; and, for purposes that ask for it, a value computed from the document (whether
//! the holder is at least 17 years old) in place of the field it is computed from.
//!
//! The decision is made here, in the SDK, so that the verification service and counter
//! software minimise the same way.
//!
//! ```
//! use ikd_sdk::disclosure::{self, DisclosedReport};
//! use ikd_sdk::{Document, DocTypeSet, IssueOptions, Issuer, IssuerSigningKey, Policy, TrustStore,
//!     TrustedKey, UnixTime, Validity, verify};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let issuer = Issuer::new(IssuerSigningKey::from_seed(&[7; 32]), "ID-3273")?;
//! let document: Document = serde_json::from_str(ikd_sdk::samples::KTP_JSON)?;
//! let now = UnixTime(1_790_000_000);
//! let (credential, _) = issuer.issue(&document, Validity::for_seconds(now, 3600), &IssueOptions::default())?;
//! let mut trust = TrustStore::new();
//! trust.add(TrustedKey {
//!     issuer: "ID-3273".into(),
//!     name: "Disdukcapil Kota Bandung".into(),
//!     key: issuer.key().public_key(),
//!     valid_from: UnixTime(0),
//!     valid_until: UnixTime(2_000_000_000),
//!     doc_types: DocTypeSet::all(),
//! });
//! // A bare KTP-el, as counter software that accepts one would read it.
//! let policy = Policy::default().with_bare_credentials(DocTypeSet::all());
//! let result = verify(&credential.to_qr_text(), &trust, now, &policy);
//!
//! let age_check = disclosure::purpose("age_check").ok_or("no such purpose")?;
//! let report = DisclosedReport::new(&result, age_check);
//! let json: serde_json::Value = serde_json::from_str(&report.to_json())?;
//! assert_eq!(json["verdict"], "valid");
//! assert_eq!(json["age_over_17"], true);
//! assert!(json.get("document").is_none(), "no field of the document is disclosed");
//!
//! let domicile = disclosure::purpose("domicile").ok_or("no such purpose")?;
//! let json = serde_json::to_value(DisclosedReport::new(&result, domicile))?;
//! assert_eq!(json["document"]["rt"], 3);
//! assert!(json["document"].get("nik").is_none());
//! # Ok(())
//! # }
//! ```

use crate::codes::FieldPath;
use crate::model::document::{DocType, Document, KK_FIELDS, KK_MEMBER_FIELDS, KTP_FIELDS, Ktp};
use crate::model::time::{AGE_OF_MAJORITY, age_at_least};
use crate::output::report::{Report, WarningReport};
use crate::verification::pipeline::{Rejection, Verified};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A named purpose and the document fields it may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose {
    /// The stable snake_case name a client asks for (`kyc`, `age_check`, …).
    pub name: &'static str,
    /// What it is for, in English.
    pub description_en: &'static str,
    /// What it is for, in Bahasa Indonesia.
    pub description_id: &'static str,
    /// The KTP-el fields it may see.
    pub ktp_fields: &'static [&'static str],
    /// The Kartu Keluarga header fields it may see (not `anggota`).
    pub kk_fields: &'static [&'static str],
    /// The fields of each KK member it may see; empty: no member list at all.
    pub kk_member_fields: &'static [&'static str],
    /// Whether the answer carries `age_over_17`, computed from a KTP-el's birth date.
    pub age_over_17: bool,
}

/// Know-your-customer at a bank or fintech: every field of a KTP-el (with the portrait),
/// every field of a KK including each member's parents' names.
pub const KYC: Purpose = Purpose {
    name: "kyc",
    description_en: "Know-your-customer: every field of the KTP-el and of the KK, including the mother's name.",
    description_id: "Pengenalan nasabah: semua isian KTP-el dan KK, termasuk nama ibu kandung.",
    ktp_fields: KTP_FIELDS,
    kk_fields: KK_FIELDS,
    kk_member_fields: KK_MEMBER_FIELDS,
    age_over_17: false,
};

/// Identity: who the person is, and their portrait to compare with the face in front of
/// the counter.
pub const IDENTITY: Purpose = Purpose {
    name: "identity",
    description_en: "Identity: NIK, name, date of birth and portrait (KK: each member's NIK, name and date of birth).",
    description_id: "Identitas: NIK, nama, tanggal lahir dan foto (KK: NIK, nama dan tanggal lahir tiap anggota).",
    ktp_fields: &["nik", "nama", "tanggal_lahir", "foto"],
    kk_fields: &[],
    kk_member_fields: &["nik", "nama", "tanggal_lahir"],
    age_over_17: false,
};

/// Age check: no field at all, only whether the KTP-el holder is at least 17.
pub const AGE_CHECK: Purpose = Purpose {
    name: "age_check",
    description_en: "Age check: no document field, only whether the KTP-el holder is at least 17 years old.",
    description_id: "Pemeriksaan usia: tanpa isian dokumen, hanya apakah pemegang KTP-el berusia paling sedikit 17 tahun.",
    ktp_fields: &[],
    kk_fields: &[],
    kk_member_fields: &[],
    age_over_17: true,
};

/// Domicile: where the person or family lives.
pub const DOMICILE: Purpose = Purpose {
    name: "domicile",
    description_en: "Domicile: region code, address, RT and RW.",
    description_id: "Domisili: kode wilayah, alamat, RT dan RW.",
    ktp_fields: &["kode_wilayah", "alamat", "rt", "rw"],
    kk_fields: &["kode_wilayah", "alamat", "rt", "rw"],
    kk_member_fields: &[],
    age_over_17: false,
};

/// Every purpose, by name.
pub const PURPOSES: &[Purpose] = &[KYC, IDENTITY, AGE_CHECK, DOMICILE];

impl Purpose {
    /// Whether this purpose may see `path` of a document of type `doc_type`.
    pub fn allows(&self, doc_type: DocType, path: FieldPath) -> bool {
        match (doc_type, path.member) {
            (DocType::Ktp, None) => self.ktp_fields.contains(&path.field),
            (DocType::Kk, None) => self.kk_fields.contains(&path.field),
            (DocType::Kk, Some(_)) => self.kk_member_fields.contains(&path.field),
            // Profile fields carry the names of the KTP-el fields they come from.
            (DocType::Identity | DocType::Domicile, None) => self.ktp_fields.contains(&path.field),
            // Whoever may see the birth date may see what follows from it.
            (DocType::AgeOver17, None) => {
                path.field == "age_over_17" && (self.age_over_17 || self.sees_birth_date())
            }
            _ => false,
        }
    }
}

impl Purpose {
    fn sees_birth_date(&self) -> bool {
        self.ktp_fields.contains(&"tanggal_lahir")
    }
}

/// The purpose named `name`, if there is one.
pub fn purpose(name: &str) -> Option<&'static Purpose> {
    PURPOSES.iter().find(|p| p.name == name)
}

/// What a purpose may see of a verified credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The document's JSON form with only the allowed fields (and `type`); `None` when the
    /// purpose allows no field of this document type.
    pub document: Option<Map<String, Value>>,
    /// Whether the holder is at least 17 at the verification time, for purposes that ask
    /// for it and documents with one holder (KTP-el).
    pub age_over_17: Option<bool>,
}

/// The part of `verified`'s document that `purpose` may see. Ages are computed at the
/// time the credential was verified for. Fails closed: a document whose JSON form cannot be
/// built discloses nothing.
pub fn disclose(verified: &Verified, purpose: &Purpose) -> Disclosure {
    let document = verified.document();
    let (fields, member_fields): (&[&str], &[&str]) = match document {
        Document::Ktp(_) | Document::Identity(_) | Document::Domicile(_) => {
            (purpose.ktp_fields, &[])
        }
        Document::Kk(_) => (purpose.kk_fields, purpose.kk_member_fields),
        // For an age check the profile's one field is the `age_over_17` answer; purposes
        // that see the birth date see it in the document.
        Document::AgeOver17(_) if purpose.sees_birth_date() => (&["age_over_17"], &[]),
        Document::AgeOver17(_) => (&[], &[]),
    };
    let age_over_17 = match document {
        Document::Ktp(Ktp { tanggal_lahir, .. }) if purpose.age_over_17 => Some(age_at_least(
            *tanggal_lahir,
            verified.verified_at().date(),
            AGE_OF_MAJORITY,
        )),
        Document::AgeOver17(profile) if purpose.age_over_17 => Some(profile.age_over_17),
        _ => None,
    };
    Disclosure {
        document: filter_document(document, fields, member_fields),
        age_over_17,
    }
}

fn filter_document(
    document: &Document,
    fields: &[&str],
    member_fields: &[&str],
) -> Option<Map<String, Value>> {
    if fields.is_empty() && member_fields.is_empty() {
        return None;
    }
    let Ok(Value::Object(full)) = serde_json::to_value(document) else {
        return None;
    };
    let mut kept = Map::new();
    for (name, value) in full {
        if name == "type" || fields.contains(&name.as_str()) {
            kept.insert(name, value);
        } else if name == "anggota" && !member_fields.is_empty() {
            let Value::Array(members) = value else {
                return None;
            };
            let members = members
                .into_iter()
                .map(|member| match member {
                    Value::Object(member) => Some(Value::Object(
                        member
                            .into_iter()
                            .filter(|(name, _)| member_fields.contains(&name.as_str()))
                            .collect(),
                    )),
                    _ => None,
                })
                .collect::<Option<Vec<Value>>>()?;
            kept.insert(name, Value::Array(members));
        }
    }
    Some(kept)
}

/// A verdict as a purpose may see it: the [`Report`] with its document replaced by the
/// disclosed part, and the purpose named.
///
/// A rejected credential's report holds nothing read from the credential, whatever the
/// purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosedReport {
    /// The verdict, reason, trace, warnings, issuer and times; never the document.
    #[serde(flatten)]
    pub report: Report,
    /// The purpose the document was filtered for.
    pub purpose: String,
    /// For purposes that ask for it, on a valid KTP-el: whether the holder is at least 17
    /// years old at the verification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_over_17: Option<bool>,
    /// The allowed fields of the document (JSON form, with `type`); absent when the purpose
    /// allows none, and for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Map<String, Value>>,
}

impl DisclosedReport {
    /// The report of `result` as `purpose` may see it: the document, the laid-out display
    /// and the warnings keep only what concerns the fields the purpose may see.
    pub fn new(result: &Result<Verified, Rejection>, purpose: &Purpose) -> Self {
        let mut report = Report::new(result);
        report.document = None;
        if let Ok(verified) = result {
            let visible = |path: FieldPath| purpose.allows(verified.document().doc_type(), path);
            report.warnings = verified
                .warnings()
                .iter()
                // Warnings about the trust data are never withheld: stale data is never silent.
                .filter(|w| !w.is_about_document() || visible(w.field()))
                .map(WarningReport::from)
                .collect();
            report.display = report
                .display
                .take()
                .map(|sections| {
                    crate::output::display::retain_fields(sections, |member, field| {
                        visible(FieldPath { member, field })
                    })
                })
                .filter(|sections| !sections.is_empty());
        }
        let disclosure = match result {
            Ok(verified) => disclose(verified, purpose),
            Err(_) => Disclosure {
                document: None,
                age_over_17: None,
            },
        };
        DisclosedReport {
            report,
            purpose: purpose.name.to_owned(),
            age_over_17: disclosure.age_over_17,
            document: disclosure.document,
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing these plain structures into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::document::{DocTypeSet, Kk};
    use crate::model::time::{Date, UnixTime};
    use crate::trust::store::{TrustStore, TrustedKey};
    use crate::verification::policy::Policy;
    use crate::verification::policy::tests::bare_accepted;
    use crate::{Issuer, Validity};
    use crate::{IssuerSigningKey, samples, verify};
    use std::collections::BTreeSet;

    const NOW: UnixTime = UnixTime(1_790_000_000); // 2026-09-21

    fn verified(document: &Document) -> Result<Verified, Rejection> {
        verified_at(document, NOW)
    }

    fn verified_at(document: &Document, now: UnixTime) -> Result<Verified, Rejection> {
        let issuer = Issuer::new(IssuerSigningKey::from_seed(&[5; 32]), "ID-3273").unwrap();
        let (credential, _) = issuer
            .issue(
                document,
                Validity::for_seconds(NOW, 3 * 86_400),
                &crate::IssueOptions::default(),
            )
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add(TrustedKey {
            issuer: "ID-3273".into(),
            name: "Disdukcapil Kota Bandung".into(),
            key: issuer.key().public_key(),
            valid_from: UnixTime(0),
            valid_until: UnixTime(2_000_000_000),
            doc_types: DocTypeSet::all(),
        });
        verify(&credential.to_qr_text(), &trust, now, &bare_accepted())
    }

    fn sample(json: &str) -> Document {
        serde_json::from_str(json).unwrap()
    }

    /// A KTP-el and a KK with every optional field set, so every field name appears.
    fn full_documents() -> (Document, Document) {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            ktp.foto = Some(vec![
                0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F',
            ]);
        }
        let mut kk = sample(samples::KK_4_JSON);
        if let Document::Kk(Kk { anggota, .. }) = &mut kk {
            anggota[0].nomor_paspor = Some("X1234567".into());
            anggota[0].nomor_kitap = Some("2C21AB0012345".into());
        }
        (ktp, kk)
    }

    fn keys(value: &Value) -> BTreeSet<String> {
        value.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn field_lists_name_exactly_the_fields_of_the_json_form() {
        let (ktp, kk) = full_documents();
        let ktp = serde_json::to_value(&ktp).unwrap();
        let kk = serde_json::to_value(&kk).unwrap();
        let set = |names: &[&str], extra: &[&str]| -> BTreeSet<String> {
            names.iter().chain(extra).map(|s| s.to_string()).collect()
        };
        assert_eq!(keys(&ktp), set(KTP_FIELDS, &["type"]));
        assert_eq!(keys(&kk), set(KK_FIELDS, &["type", "anggota"]));
        assert_eq!(keys(&kk["anggota"][0]), set(KK_MEMBER_FIELDS, &[]));
        for purpose in PURPOSES {
            for field in purpose.ktp_fields {
                assert!(KTP_FIELDS.contains(field), "{}: {field}", purpose.name);
            }
            for field in purpose.kk_fields {
                assert!(KK_FIELDS.contains(field), "{}: {field}", purpose.name);
            }
            for field in purpose.kk_member_fields {
                assert!(
                    KK_MEMBER_FIELDS.contains(field),
                    "{}: {field}",
                    purpose.name
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_found() {
        let names: BTreeSet<&str> = PURPOSES.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), PURPOSES.len());
        for p in PURPOSES {
            assert_eq!(purpose(p.name), Some(p));
            assert_ne!(p.description_en, p.description_id);
        }
        assert_eq!(purpose("everything"), None);
    }

    #[test]
    fn kyc_sees_everything() {
        let (ktp, kk) = full_documents();
        for document in [ktp, kk] {
            let result = verified(&document);
            let report = DisclosedReport::new(&result, &KYC);
            let full = serde_json::to_value(&document).unwrap();
            assert_eq!(Value::Object(report.document.unwrap()), full);
            assert_eq!(report.age_over_17, None);
            assert_eq!(report.purpose, "kyc");
        }
    }

    #[test]
    fn the_age_profile_is_an_answer_for_age_checks_and_a_field_for_kyc() {
        let age = Document::AgeOver17(crate::model::document::AgeProfile { age_over_17: true });
        let result = verified(&age);
        let check = DisclosedReport::new(&result, &AGE_CHECK);
        assert_eq!((check.age_over_17, check.document), (Some(true), None));
        let kyc = DisclosedReport::new(&result, &KYC);
        assert_eq!(kyc.age_over_17, None);
        assert_eq!(kyc.document.unwrap()["age_over_17"], true);
        assert_eq!(
            kyc.report.display.unwrap()[0].fields[0].field,
            "age_over_17"
        );
        let domicile = DisclosedReport::new(&result, &DOMICILE);
        assert_eq!((domicile.age_over_17, domicile.document), (None, None));
        assert_eq!(domicile.report.display, None);
    }

    #[test]
    fn identity_and_domicile_see_their_fields_only() {
        let (ktp, kk) = full_documents();
        let ktp_result = verified(&ktp);
        let kk_result = verified(&kk);
        let doc = |result, purpose| {
            Value::Object(DisclosedReport::new(result, purpose).document.unwrap())
        };

        let identity = doc(&ktp_result, &IDENTITY);
        let expected: BTreeSet<String> = ["type", "nik", "nama", "tanggal_lahir", "foto"]
            .map(String::from)
            .into();
        assert_eq!(keys(&identity), expected);
        assert_eq!(identity["nik"], "3273015708920003");

        let identity = doc(&kk_result, &IDENTITY);
        assert_eq!(
            keys(&identity),
            ["anggota", "type"].map(String::from).into()
        );
        let members = identity["anggota"].as_array().unwrap();
        assert_eq!(members.len(), 4);
        for member in members {
            assert_eq!(
                keys(member),
                ["nama", "nik", "tanggal_lahir"].map(String::from).into()
            );
        }

        for result in [&ktp_result, &kk_result] {
            let domicile = doc(result, &DOMICILE);
            assert_eq!(
                keys(&domicile),
                ["alamat", "kode_wilayah", "rt", "rw", "type"]
                    .map(String::from)
                    .into()
            );
        }
    }

    #[test]
    fn age_check_sees_no_field() {
        let (ktp, kk) = full_documents();
        let report = DisclosedReport::new(&verified(&ktp), &AGE_CHECK);
        assert_eq!((report.document, report.age_over_17), (None, Some(true)));
        let json = report.report.to_json();
        assert!(!json.contains("3273015708920003") && !json.contains("SITI"));
        // A KK has several holders: no single age to state.
        let report = DisclosedReport::new(&verified(&kk), &AGE_CHECK);
        assert_eq!((report.document, report.age_over_17), (None, None));
    }

    #[test]
    fn warnings_and_layout_show_only_visible_fields() {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            // A birth date the NIK disagrees with: a warning on the nik field.
            ktp.tanggal_lahir = Date::parse("1992-08-18").unwrap();
        }
        let result = verified(&ktp);
        let full = DisclosedReport::new(&result, &KYC);
        assert_eq!(full.report.warnings.len(), 1);
        let age = DisclosedReport::new(&result, &AGE_CHECK);
        assert!(age.report.warnings.is_empty(), "the NIK is not visible");
        assert_eq!(age.report.display, None);
        let identity = DisclosedReport::new(&result, &IDENTITY);
        assert_eq!(identity.report.warnings.len(), 1);
        let rows: Vec<String> = identity.report.display.unwrap()[0]
            .fields
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(rows, ["nik", "nama", "tanggal_lahir"]);
        let json = DisclosedReport::new(&result, &DOMICILE).to_json();
        assert!(!json.contains("SITI") && !json.contains("3273015708920003"));
        assert!(
            json.contains("Gegerkalong"),
            "region names are shown for domicile"
        );
    }

    #[test]
    fn age_over_17_uses_the_verification_time() {
        let mut ktp = sample(samples::KTP_JSON);
        if let Document::Ktp(ktp) = &mut ktp {
            // 17 on 2026-09-22 (NIK consistency is only a warning).
            ktp.tanggal_lahir = Date::parse("2009-09-22").unwrap();
        }
        let before = DisclosedReport::new(&verified_at(&ktp, NOW), &AGE_CHECK);
        assert_eq!(before.age_over_17, Some(false));
        let next_day = UnixTime(NOW.0 + 86_400);
        let after = DisclosedReport::new(&verified_at(&ktp, next_day), &AGE_CHECK);
        assert_eq!(after.age_over_17, Some(true));
    }

    #[test]
    fn a_rejection_discloses_nothing_and_reads_back() {
        let result = verify("IKD1:garbage", &TrustStore::new(), NOW, &Policy::default());
        for purpose in PURPOSES {
            let report = DisclosedReport::new(&result, purpose);
            assert_eq!((report.document.as_ref(), report.age_over_17), (None, None));
            let json = report.to_json();
            let value: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["verdict"], "rejected");
            assert_eq!(value["purpose"], purpose.name);
            let back: DisclosedReport = serde_json::from_str(&json).unwrap();
            assert_eq!(back, report);
        }
        let (ktp, _) = full_documents();
        let report = DisclosedReport::new(&verified(&ktp), &IDENTITY);
        let back: DisclosedReport = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(back, report);
    }
}
