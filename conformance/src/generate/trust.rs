//! The `trust` group: signed trust lists, status lists, key status and freshness.
//!
//! One trust list (sequence 7, signed by the root `[0x44; 32]`) lists issuer A (active),
//! issuer C (active), key D of issuer A (compromised) and key E of issuer A (retired, its
//! window ending a day after the credentials' `iat`), and names A's status lists A1 (1 bit
//! per entry) and A2 (2 bits). Expectations are written by hand.

use super::{
    Fixtures, IAT, ISSUER_A, ISSUER_C, KEY_VALID_FROM, KEY_VALID_UNTIL, NAME_A, NAME_C, NAME_D,
    NAME_E, NOW, Out, SEED_A, SEED_C, SEED_D, SEED_E, SEED_ROOT, Store, claims_a, cti, forge,
    key_a, ok, ok_a, policy, rej, validity,
};
use crate::forge::claim;
use crate::format::{
    Expected, FreshnessSpec, PolicySpec, RuleSpec, StatusListJson, TrustListJson, Vector,
};
use ciborium::Value;
use ikd_sdk::status_list::{INVALID, SUSPENDED, StatusListIssue, sign_status_list};
use ikd_sdk::trust_list::StatusListRef;
use ikd_sdk::{
    DocTypeSet, Document, Issuer, IssuerSigningKey, KeyStatus, StatusList, StatusReference,
    TrustEntry, TrustList, TrustedKey, UnixTime, Validity,
};

const DAY: i64 = 86_400;
/// The trust list's issue time: an hour before the credentials'.
const LIST_ISSUED: i64 = IAT - 3_600;
/// Its next update: a week later.
const NEXT_UPDATE: i64 = LIST_ISSUED + 7 * DAY;
const SEQUENCE: u64 = 7;
/// The status lists' issue time, and their lifetime.
const STATUS_ISSUED: i64 = IAT - 600;
const STATUS_LIFE: i64 = 7 * DAY;
const URI_A1: &str = "https://ikd.example/status/3273/1";
const URI_A2: &str = "https://ikd.example/status/3273/2";
const URI_A3: &str = "https://ikd.example/status/3273/3";
/// The key E's window ends a day after `iat`.
const E_VALID_UNTIL: i64 = IAT + DAY;

fn entry(seed: &[u8; 32], issuer: &str, name: &str, until: i64, status: KeyStatus) -> TrustEntry {
    TrustEntry {
        key: TrustedKey {
            issuer: issuer.into(),
            name: name.into(),
            key: IssuerSigningKey::from_seed(seed).public_key(),
            valid_from: UnixTime(KEY_VALID_FROM),
            valid_until: UnixTime(until),
            doc_types: DocTypeSet::all(),
        },
        status,
        region_code: Some(if issuer == ISSUER_C { 3204 } else { 3273 }),
    }
}

fn trust_list_json() -> Result<TrustListJson, String> {
    let list = TrustList {
        sequence: SEQUENCE,
        issued_at: UnixTime(LIST_ISSUED),
        next_update: UnixTime(NEXT_UPDATE),
        entries: vec![
            entry(
                &SEED_A,
                ISSUER_A,
                NAME_A,
                KEY_VALID_UNTIL,
                KeyStatus::Active,
            ),
            entry(
                &SEED_C,
                ISSUER_C,
                NAME_C,
                KEY_VALID_UNTIL,
                KeyStatus::Active,
            ),
            entry(
                &SEED_D,
                ISSUER_A,
                NAME_D,
                KEY_VALID_UNTIL,
                KeyStatus::Compromised,
            ),
            entry(&SEED_E, ISSUER_A, NAME_E, E_VALID_UNTIL, KeyStatus::Retired),
        ],
        status_lists: [(URI_A1, "3273-1.cwt"), (URI_A2, "3273-2.cwt")]
            .into_iter()
            .map(|(uri, file)| StatusListRef {
                uri: uri.into(),
                file: file.into(),
                issuer: ISSUER_A.into(),
            })
            .collect(),
        successor_roots: Vec::new(),
    };
    let root = IssuerSigningKey::from_seed(&SEED_ROOT);
    let token = list.sign(&root).map_err(|e| e.to_string())?;
    Ok(TrustListJson {
        roots: vec![hex::encode(root.public_key().to_bytes())],
        token: hex::encode(token),
    })
}

fn status_json(
    seed: &[u8; 32],
    issuer: &str,
    uri: &str,
    issued_at: i64,
    list: &StatusList,
) -> Result<StatusListJson, String> {
    let issue = StatusListIssue {
        issuer,
        uri,
        issued_at: UnixTime(issued_at),
        expires_at: Some(UnixTime(issued_at + STATUS_LIFE)),
        ttl_seconds: Some(43_200),
    };
    let token = sign_status_list(&IssuerSigningKey::from_seed(seed), &issue, list)
        .map_err(|e| e.to_string())?;
    Ok(StatusListJson {
        uri: uri.into(),
        token: hex::encode(token),
    })
}

fn list_with(bits: u8, statuses: &[(u64, u8)]) -> Result<StatusList, String> {
    let mut list = StatusList::new(bits, 1024).map_err(|e| e.to_string())?;
    for &(index, status) in statuses {
        list.set(index, status).map_err(|e| e.to_string())?;
    }
    Ok(list)
}

/// The default freshness rules, written out: trust list stale after 7 days and rejected 30
/// days later; status lists stale after 3 days and rejected 4 days later.
fn freshness() -> FreshnessSpec {
    FreshnessSpec {
        trust_list: RuleSpec {
            max_age_seconds: 7 * 86_400,
            grace_seconds: Some(30 * 86_400),
        },
        status_list: RuleSpec {
            max_age_seconds: 3 * 86_400,
            grace_seconds: Some(4 * 86_400),
        },
    }
}

fn policy_with(freshness: FreshnessSpec) -> PolicySpec {
    PolicySpec {
        freshness: Some(freshness),
        ..policy()
    }
}

/// A KTP-el from `seed` (issuer A), with a status reference if given.
fn credential(
    fx: &Fixtures,
    seed: &[u8; 32],
    validity: Validity,
    status: Option<(&str, u64)>,
    id: &str,
) -> Result<String, String> {
    let issuer = Issuer::new(IssuerSigningKey::from_seed(seed), ISSUER_A)
        .map_err(|e| format!("{id}: {e}"))?;
    let reference = status.map(|(uri, index)| StatusReference {
        index,
        uri: uri.into(),
    });
    let (credential, _) = issuer
        .issue(
            &Document::Ktp(fx.ktp.clone()),
            validity,
            &ikd_sdk::IssueOptions {
                status: reference.clone(),
                ..ikd_sdk::IssueOptions::default().with_credential_id(cti(id))
            },
        )
        .map_err(|e| format!("{id}: {e}"))?;
    Ok(credential.to_qr_text())
}

/// One vector of this group.
struct TrustCase<'a> {
    id: &'a str,
    description: &'a str,
    qr: String,
    now: i64,
    store: Option<Store>,
    status_lists: &'a [&'a str],
    policy: PolicySpec,
}

impl TrustCase<'_> {
    fn add(self, out: &mut Out, expected: impl Into<Expected>) {
        let (trust_store, trust_list) = match self.store {
            Some(store) => {
                out.use_store(store);
                (Some(store.name().to_owned()), None)
            }
            None => (None, Some("main".to_owned())),
        };
        let group = out.group();
        out.vectors.push(Vector {
            id: format!("{}/{}", group.as_str(), self.id),
            description: self.description.to_owned(),
            group,
            qr: self.qr,
            now: self.now,
            trust_store,
            trust_list,
            status_lists: self.status_lists.iter().map(|s| (*s).to_owned()).collect(),
            policy: self.policy,
            challenge: None,
            replay: false,
            replay_store_unavailable: false,
            expected: expected.into(),
        });
    }
}

pub(super) fn build(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    out.trust_lists.insert("main".into(), trust_list_json()?);
    let lists = [
        (
            "a1",
            status_json(
                &SEED_A,
                ISSUER_A,
                URI_A1,
                STATUS_ISSUED,
                &list_with(1, &[(5, INVALID)])?,
            )?,
        ),
        (
            "a2",
            status_json(
                &SEED_A,
                ISSUER_A,
                URI_A2,
                STATUS_ISSUED,
                &list_with(2, &[(7, INVALID), (8, SUSPENDED), (9, 3)])?,
            )?,
        ),
        (
            "a1_by_c",
            status_json(
                &SEED_C,
                ISSUER_C,
                URI_A1,
                STATUS_ISSUED,
                &list_with(1, &[])?,
            )?,
        ),
    ];
    for (name, json) in lists {
        out.status_lists.insert(name.into(), json);
    }
    let doc = Document::Ktp(fx.ktp.clone());
    let listed = || ok_a(&doc).sequence(SEQUENCE);
    let thirty = validity(IAT, None, IAT + 30 * DAY);
    let sixty = validity(IAT, None, IAT + 60 * DAY);
    let case = |id, description, qr, status_lists| TrustCase {
        id,
        description,
        qr,
        now: NOW,
        store: None,
        status_lists,
        policy: policy_with(freshness()),
    };
    let with_status = |seed: &[u8; 32], uri: &str, index: u64, id: &str| {
        credential(fx, seed, thirty, Some((uri, index)), &format!("trust/{id}"))
    };

    // Valid.
    case(
        "list-no-status-claim",
        "A credential without a status claim, verified against the signed trust list \
         (sequence 7, an hour old): valid; the result names the list's sequence.",
        credential(fx, &SEED_A, thirty, None, "trust/list-no-status-claim")?,
        &[],
    )
    .add(out, listed());
    // The trust list's key entries name document types by number, the profiles included.
    let age = Document::AgeOver17(fx.ktp.age_profile(UnixTime(IAT).date()));
    let profile_issuer =
        Issuer::new(IssuerSigningKey::from_seed(&SEED_A), ISSUER_A).map_err(|e| e.to_string())?;
    let options = ikd_sdk::IssueOptions {
        credential_id: ikd_sdk::CredentialId::Omitted,
        ..ikd_sdk::IssueOptions::default()
    };
    let (profile, _) = profile_issuer
        .issue(&age, thirty, &options)
        .map_err(|e| format!("trust/list-profile-type-4: {e}"))?;
    TrustCase {
        policy: PolicySpec {
            accepted_doc_types: ikd_sdk::DocType::ALL
                .iter()
                .map(|t| t.name().to_owned())
                .collect(),
            ..policy_with(freshness())
        },
        ..case(
            "list-profile-type-4",
            "An unbound age profile (document type 4), shown bare to a verifier that accepts \
             every type bare, verified against the signed trust list, whose entry for issuer \
             A lists document types 1 to 5: valid.",
            profile.to_qr_text(),
            &[],
        )
    }
    .add(out, ok_a(&age).sequence(SEQUENCE));
    case(
        "status-valid-1-bit",
        "Entry 4 of the 1-bit list A1 is 0 (VALID).",
        with_status(&SEED_A, URI_A1, 4, "status-valid-1-bit")?,
        &["a1", "a2"],
    )
    .add(out, listed());
    case(
        "status-valid-2-bit",
        "Entry 6 of the 2-bit list A2 is 0 (VALID).",
        with_status(&SEED_A, URI_A2, 6, "status-valid-2-bit")?,
        &["a1", "a2"],
    )
    .add(out, listed());
    case(
        "status-last-entry",
        "Entry 1023, the last of list A1, is VALID.",
        with_status(&SEED_A, URI_A1, 1023, "status-last-entry")?,
        &["a1"],
    )
    .add(out, listed());
    TrustCase {
        store: Some(Store::Main),
        ..case(
            "local-store-with-status-list",
            "A JSON trust store (local configuration) with status list A1 loaded: the list \
             verifies against the store's keys; entry 4 is VALID; no trust-list sequence.",
            with_status(&SEED_A, URI_A1, 4, "local-store-with-status-list")?,
            &["a1"],
        )
    }
    .add(out, ok_a(&doc));
    case(
        "retired-key-within-window",
        "Key E is retired; the credential was signed within its window, so it stays valid.",
        credential(fx, &SEED_E, thirty, None, "trust/retired-key-within-window")?,
        &[],
    )
    .add(
        out,
        ok(&SEED_E, ISSUER_A, &doc)
            .issuer_name(NAME_E)
            .sequence(SEQUENCE),
    );
    let mut grace = freshness();
    grace.trust_list = RuleSpec {
        max_age_seconds: 7 * 86_400,
        grace_seconds: Some(30 * 86_400),
    };
    TrustCase {
        now: NEXT_UPDATE + 1,
        policy: policy_with(grace),
        ..case(
            "trust-list-stale-in-grace",
            "One second after the trust list's next update: stale, but within the 30-day \
             grace period of the policy, so valid with the warning trust_list_stale_grace.",
            credential(fx, &SEED_A, thirty, None, "trust/trust-list-stale-in-grace")?,
            &[],
        )
    }
    .add(out, listed().warn("trust_list_stale_grace", "trust_list"));
    let mut status_grace = freshness();
    status_grace.status_list = RuleSpec {
        max_age_seconds: 3_600,
        grace_seconds: Some(3_600),
    };
    TrustCase {
        policy: policy_with(status_grace),
        ..case(
            "status-list-stale-in-grace",
            "Status list A1 is 4200 s old; the policy allows 3600 s and a grace of 3600 s: \
             valid with the warning status_list_stale_grace.",
            with_status(&SEED_A, URI_A1, 4, "status-list-stale-in-grace")?,
            &["a1"],
        )
    }
    .add(out, listed().warn("status_list_stale_grace", "status_list"));

    // Revocation.
    case(
        "revoked-1-bit",
        "Entry 5 of the 1-bit list A1 is 1 (INVALID): revoked.",
        with_status(&SEED_A, URI_A1, 5, "revoked-1-bit")?,
        &["a1", "a2"],
    )
    .add(out, rej("credential_revoked"));
    case(
        "revoked-2-bit",
        "Entry 7 of the 2-bit list A2 is 1 (INVALID): revoked.",
        with_status(&SEED_A, URI_A2, 7, "revoked-2-bit")?,
        &["a1", "a2"],
    )
    .add(out, rej("credential_revoked"));
    case(
        "suspended-2-bit",
        "Entry 8 of the 2-bit list A2 is 2 (SUSPENDED).",
        with_status(&SEED_A, URI_A2, 8, "suspended-2-bit")?,
        &["a1", "a2"],
    )
    .add(out, rej("credential_suspended"));
    case(
        "status-3-is-revoked",
        "Entry 9 of list A2 is 3, a status this format does not define: not VALID, so \
         revoked.",
        with_status(&SEED_A, URI_A2, 9, "status-3-is-revoked")?,
        &["a1", "a2"],
    )
    .add(out, rej("credential_revoked"));
    case(
        "status-list-missing",
        "The credential names list A3, which the verifier does not hold.",
        with_status(&SEED_A, URI_A3, 1, "status-list-missing")?,
        &["a1", "a2"],
    )
    .add(out, rej("status_list_missing"));
    case(
        "status-list-not-loaded",
        "The credential names list A1, but no status list is loaded.",
        with_status(&SEED_A, URI_A1, 4, "status-list-not-loaded")?,
        &[],
    )
    .add(out, rej("status_list_missing"));
    case(
        "status-list-of-another-issuer",
        "The list held for A1's URI is signed by issuer C: it is not the list of the \
         credential's issuer A.",
        with_status(&SEED_A, URI_A1, 4, "status-list-of-another-issuer")?,
        &["a1_by_c"],
    )
    .add(out, rej("status_list_missing"));
    case(
        "status-index-out-of-range",
        "Index 1024 lies past the end of list A1 (1024 entries).",
        with_status(&SEED_A, URI_A1, 1024, "status-index-out-of-range")?,
        &["a1"],
    )
    .add(out, rej("status_index_out_of_range"));
    let bad_status = Value::Map(vec![(
        Value::from("status_list"),
        Value::Map(vec![
            (Value::from("idx"), Value::from(-1)),
            (Value::from("uri"), Value::from(URI_A1)),
        ]),
    )]);
    case(
        "status-claim-malformed",
        "The status claim's idx is negative: claims_malformed (claim status).",
        crate::forge::qr_plain(&forge(
            &key_a(),
            &claims_a(fx.ktp_value(), "trust/status-claim-malformed")
                .set(claim::STATUS, bad_status),
        )?),
        &["a1"],
    )
    .add(out, rej("claims_malformed").claim("status"));

    // Key status.
    case(
        "key-compromised",
        "Key D is marked compromised in the trust list: nothing it signed is accepted, and \
         its claims are not read.",
        credential(fx, &SEED_D, thirty, None, "trust/key-compromised")?,
        &[],
    )
    .add(out, rej("key_compromised"));
    TrustCase {
        now: IAT + 31 * DAY,
        ..case(
            "key-compromised-before-expiry",
            "An expired credential of the compromised key D: key_compromised (stage \
             signature) comes before credential_expired (stage time).",
            credential(
                fx,
                &SEED_D,
                thirty,
                None,
                "trust/key-compromised-before-expiry",
            )?,
            &[],
        )
    }
    .add(out, rej("key_compromised"));
    TrustCase {
        store: Some(Store::WithCompromisedKey),
        ..case(
            "key-compromised-local-store",
            "A JSON trust store that marks key D compromised (\"status\": \"compromised\").",
            credential(
                fx,
                &SEED_D,
                thirty,
                None,
                "trust/key-compromised-local-store",
            )?,
            &[],
        )
    }
    .add(out, rej("key_compromised"));
    TrustCase {
        now: E_VALID_UNTIL + 10,
        ..case(
            "retired-key-after-window",
            "Key E is retired and its window ended; a credential it signed after the end is \
             refused.",
            credential(
                fx,
                &SEED_E,
                validity(E_VALID_UNTIL + 1, None, E_VALID_UNTIL + 30 * DAY),
                None,
                "trust/retired-key-after-window",
            )?,
            &[],
        )
    }
    .add(out, rej("key_not_valid_at_issuance"));

    // Freshness.
    let mut reject_trust = freshness();
    reject_trust.trust_list.grace_seconds = None;
    TrustCase {
        now: NEXT_UPDATE + 1,
        policy: policy_with(reject_trust),
        ..case(
            "trust-list-stale",
            "One second after the trust list's next update, under a policy that rejects \
             stale trust lists.",
            credential(fx, &SEED_A, thirty, None, "trust/trust-list-stale")?,
            &[],
        )
    }
    .add(out, rej("trust_list_stale"));
    let mut short = freshness();
    short.trust_list = RuleSpec {
        max_age_seconds: 3_599,
        grace_seconds: None,
    };
    TrustCase {
        policy: policy_with(short),
        ..case(
            "trust-list-older-than-max-age",
            "The trust list is 7200 s old; the policy's maximum age is 3599 s, shorter than \
             the list's own next update.",
            credential(
                fx,
                &SEED_A,
                thirty,
                None,
                "trust/trust-list-older-than-max-age",
            )?,
            &[],
        )
    }
    .add(out, rej("trust_list_stale"));
    TrustCase {
        now: NEXT_UPDATE + 30 * DAY + 1,
        ..case(
            "trust-list-beyond-grace",
            "One second past the 30-day grace after the next update: rejected.",
            credential(fx, &SEED_A, sixty, None, "trust/trust-list-beyond-grace")?,
            &[],
        )
    }
    .add(out, rej("trust_list_stale"));
    let mut reject_status = freshness();
    reject_status.status_list = RuleSpec {
        max_age_seconds: 3_600,
        grace_seconds: None,
    };
    TrustCase {
        policy: policy_with(reject_status),
        ..case(
            "status-list-stale",
            "Status list A1 is 4200 s old; the policy allows 3600 s and rejects stale lists.",
            with_status(&SEED_A, URI_A1, 4, "status-list-stale")?,
            &["a1"],
        )
    }
    .add(out, rej("status_list_stale"));
    let mut past_exp = freshness();
    past_exp.status_list = RuleSpec {
        max_age_seconds: 30 * 86_400,
        grace_seconds: None,
    };
    TrustCase {
        now: STATUS_ISSUED + STATUS_LIFE + 1,
        policy: policy_with(past_exp),
        ..case(
            "status-list-past-exp",
            "One second after status list A1's exp; the policy's maximum age is longer, but \
             the list's own exp comes first. (The trust list is in its grace period then.)",
            with_status(&SEED_A, URI_A1, 4, "status-list-past-exp")?,
            &["a1"],
        )
    }
    .add(out, rej("status_list_stale"));

    // Order.
    TrustCase {
        now: IAT + 30 * DAY + 61,
        ..case(
            "order-expired-before-revoked",
            "An expired and revoked credential: credential_expired (stage time) comes first.",
            with_status(&SEED_A, URI_A1, 5, "order-expired-before-revoked")?,
            &["a1"],
        )
    }
    .add(out, rej("credential_expired"));
    TrustCase {
        now: NEXT_UPDATE + 1,
        policy: policy_with(reject_trust),
        ..case(
            "order-stale-before-revoked",
            "A revoked credential checked with a stale trust list: trust_list_stale (stage \
             freshness) comes before credential_revoked (stage revocation).",
            with_status(&SEED_A, URI_A1, 5, "order-stale-before-revoked")?,
            &["a1"],
        )
    }
    .add(out, rej("trust_list_stale"));
    case(
        "order-signature-before-status",
        "A revoked credential with a broken signature: signature_invalid.",
        {
            let qr = with_status(&SEED_A, URI_A1, 5, "order-signature-before-status")?;
            let bytes = ikd_sdk::transport::decode_qr_text(&qr).map_err(|e| e.to_string())?;
            let mut bytes = bytes;
            if let Some(last) = bytes.last_mut() {
                *last ^= 1;
            }
            crate::forge::qr_plain(&bytes)
        },
        &["a1"],
    )
    .add(out, rej("signature_invalid"));
    Ok(())
}

impl crate::format::ValidOutcome {
    /// Expects the keys to come from the trust list with this sequence.
    pub(crate) fn sequence(mut self, sequence: u64) -> Self {
        self.trust_list_sequence = Some(sequence);
        self
    }
}
