//! Verification with signed trust lists and status lists: key status, freshness per policy,
//! revocation bits, the trust data every result carries, and verifications that keep
//! running while the trust data is swapped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use ikd_sdk::disclosure::{self, DisclosedReport};
use ikd_sdk::status_list::{INVALID, SUSPENDED};
use ikd_sdk::store::SharedTrust;
use ikd_sdk::{
    Freshness, KeyStatus, Policy, Stage, StatusListToken, StepOutcome, TrustStore, UnixTime,
    VerifiedTrustList, verify,
};
use ikd_sdk::{Report, TrustSource};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The trust data of list `sequence` issued at `issued_at`, with these status lists.
fn store_with(issued_at: i64, d_status: KeyStatus, tokens: &[Vec<u8>]) -> TrustStore {
    let bytes = trust_list(5, issued_at, d_status).sign(&root()).unwrap();
    let verified = VerifiedTrustList::verify(&bytes, &[root().public_key()]).unwrap();
    let mut store = verified.to_trust_store();
    for token in tokens {
        let token = StatusListToken::verify(token, &store).unwrap();
        store.add_status_list(Arc::new(token));
    }
    store
}

fn standard_store() -> TrustStore {
    store_with(
        T0 - 3600,
        KeyStatus::Compromised,
        &[
            status_token(
                &key_a(),
                ISSUER_A,
                URI_A1,
                T0 - 600,
                7 * DAY,
                &one_bit(&[5]),
            ),
            status_token(
                &key_a(),
                ISSUER_A,
                URI_A2,
                T0 - 600,
                7 * DAY,
                &two_bit(&[(7, INVALID), (8, SUSPENDED), (9, 3)]),
            ),
            status_token(&key_c(), ISSUER_C, URI_C1, T0 - 600, 7 * DAY, &one_bit(&[])),
        ],
    )
}

const NOW: UnixTime = UnixTime(T0 + 3600);

fn code(qr: &str, store: &TrustStore, now: UnixTime, policy: &Policy) -> &'static str {
    match verify(qr, store, now, policy) {
        Ok(_) => "valid",
        Err(rejection) => {
            assert_eq!(
                rejection.trace().outcome(rejection.stage()),
                StepOutcome::Failed
            );
            rejection.code()
        }
    }
}

#[test]
fn without_status_claim_and_with_local_trust_nothing_changes() {
    let mut local = TrustStore::new();
    local.add(entry(&key_a(), ISSUER_A, KeyStatus::Active).key);
    let qr = credential(&key_a(), None);
    let verified = verify(&qr, &local, NOW, &bare_policy()).unwrap();
    assert_eq!(
        verified.trace().outcome(Stage::Freshness),
        StepOutcome::Skipped
    );
    assert_eq!(
        verified.trace().outcome(Stage::Revocation),
        StepOutcome::Skipped
    );
    assert_eq!(verified.trust_data().trust_list, None);
    assert_eq!(verified.trust_data().status_list, None);
    let report = Report::new(&Ok(verified));
    assert_eq!(report.trust_data.source, TrustSource::Local);
    assert_eq!(report.trust_data.sequence, None);
}

#[test]
fn every_result_carries_the_trust_lists_sequence_and_age() {
    let store = standard_store();
    let qr = credential(&key_a(), Some((URI_A1, 6)));
    let verified = verify(&qr, &store, NOW, &bare_policy()).unwrap();
    let list = verified.trust_data().trust_list.unwrap();
    assert_eq!((list.sequence, list.age_seconds), (5, 7200));
    let status = verified.trust_data().status_list.unwrap();
    assert_eq!(status.age_seconds, 4200);
    assert_eq!(status.expires_at, Some(UnixTime(T0 - 600 + 7 * DAY)));
    assert_eq!(
        verified.trace().outcome(Stage::Freshness),
        StepOutcome::Passed
    );
    assert_eq!(
        verified.trace().outcome(Stage::Revocation),
        StepOutcome::Passed
    );
    let json: serde_json::Value =
        serde_json::from_str(&Report::new(&Ok(verified)).to_json()).unwrap();
    assert_eq!(json["trust_data"]["source"], "trust_list");
    assert_eq!(json["trust_data"]["sequence"], 5);
    assert_eq!(json["trust_data"]["age_seconds"], 7200);
    assert_eq!(json["trust_data"]["status_list"]["age_seconds"], 4200);
    assert!(json["trust_data"]["status_list"].get("uri").is_none());

    // A rejection carries them too, including the status list it consulted.
    let revoked = credential(&key_a(), Some((URI_A1, 5)));
    let rejection = verify(&revoked, &store, NOW, &bare_policy()).unwrap_err();
    assert_eq!(rejection.trust_data().trust_list.unwrap().sequence, 5);
    assert!(rejection.trust_data().status_list.is_some());
    let early = verify("IKD1:", &store, NOW, &bare_policy()).unwrap_err();
    assert_eq!(early.trust_data().trust_list.unwrap().sequence, 5);
    assert_eq!(early.trust_data().status_list, None);
}

#[test]
fn revocation_bits_decide() {
    let store = standard_store();
    let policy = bare_policy();
    let check = |uri: &str, index: u64| {
        code(
            &credential(&key_a(), Some((uri, index))),
            &store,
            NOW,
            &policy,
        )
    };
    assert_eq!(check(URI_A1, 4), "valid");
    assert_eq!(check(URI_A1, 5), "credential_revoked");
    assert_eq!(check(URI_A2, 6), "valid");
    assert_eq!(check(URI_A2, 7), "credential_revoked");
    assert_eq!(check(URI_A2, 8), "credential_suspended");
    // Status 3 is not defined by this format: not VALID, so revoked.
    assert_eq!(check(URI_A2, 9), "credential_revoked");
    assert_eq!(check(URI_A1, 1023), "valid");
    assert_eq!(check(URI_A1, 1024), "status_index_out_of_range");
    assert_eq!(check(URI_A1, u64::MAX), "status_index_out_of_range");
    // The verifier does not hold this list.
    assert_eq!(
        check("https://ikd.example/status/3273/9", 1),
        "status_list_missing"
    );
    // C's list, named by a credential of issuer A: not A's list.
    assert_eq!(check(URI_C1, 1), "status_list_missing");
    let rejection = verify(
        &credential(&key_a(), Some((URI_A1, 5))),
        &store,
        NOW,
        &policy,
    )
    .unwrap_err();
    assert_eq!(rejection.stage(), Stage::Revocation);
    assert_eq!(
        rejection.trace().outcome(Stage::Freshness),
        StepOutcome::Passed
    );
    assert_eq!(
        rejection.trace().outcome(Stage::Content),
        StepOutcome::NotReached
    );
}

#[test]
fn a_compromised_key_is_refused_before_its_claims_are_read() {
    let store = standard_store();
    let qr = credential(&key_d(), None);
    let rejection = verify(&qr, &store, NOW, &bare_policy()).unwrap_err();
    assert_eq!(rejection.code(), "key_compromised");
    assert_eq!(rejection.stage(), Stage::Signature);
    assert_eq!(
        rejection.trace().outcome(Stage::Claims),
        StepOutcome::NotReached
    );
    // Even an expired credential of that key says key_compromised.
    let later = UnixTime(T0 + 60 * DAY);
    assert_eq!(
        code(&qr, &standard_store(), later, &bare_policy()),
        "key_compromised"
    );
    // In the JSON trust store too.
    let mut local = TrustStore::new();
    local.add_entry(entry(&key_d(), ISSUER_A, KeyStatus::Compromised));
    let local = TrustStore::from_json(&local.to_json()).unwrap();
    assert_eq!(code(&qr, &local, NOW, &bare_policy()), "key_compromised");
}

#[test]
fn a_retired_key_keeps_what_it_signed_in_its_window() {
    let store = store_with(T0 - 3600, KeyStatus::Retired, &[]);
    assert_eq!(
        code(&credential(&key_d(), None), &store, NOW, &bare_policy()),
        "valid"
    );
    let after_window = credential_at(&key_d(), T0 + 366 * DAY, None);
    assert_eq!(
        code(
            &after_window,
            &store,
            UnixTime(T0 + 366 * DAY + 10),
            &bare_policy().with_trust_list_freshness(Freshness::warn_after(u32::MAX, 0))
        ),
        "key_not_valid_at_issuance"
    );
}

#[test]
fn trust_list_freshness_per_policy() {
    let store = store_with(T0 - 3600, KeyStatus::Active, &[]);
    let qr = credential(&key_a(), None);
    // The list's next update is a week after its issue: stale from then on.
    let stale_at = T0 - 3600 + 7 * DAY;
    let reject = bare_policy().with_trust_list_freshness(Freshness::reject_after(30 * 86_400));
    assert_eq!(code(&qr, &store, UnixTime(stale_at), &reject), "valid");
    assert_eq!(
        code(&qr, &store, UnixTime(stale_at + 1), &reject),
        "trust_list_stale"
    );
    // The policy's maximum age counts when it is shorter.
    let short = bare_policy().with_trust_list_freshness(Freshness::reject_after(3600));
    assert_eq!(code(&qr, &store, UnixTime(T0), &short), "valid");
    assert_eq!(
        code(&qr, &store, UnixTime(T0 + 1), &short),
        "trust_list_stale"
    );
    // Warn with grace: a warning, never silence; rejected after the grace.
    let grace = bare_policy().with_trust_list_freshness(Freshness::warn_after(3600, 86_400));
    let verified = verify(&qr, &store, UnixTime(T0 + 10), &grace).unwrap();
    assert_eq!(verified.warnings()[0].code(), "trust_list_stale_grace");
    assert_eq!(verified.warnings()[0].field().to_string(), "trust_list");
    assert_eq!(
        verified.trace().outcome(Stage::Freshness),
        StepOutcome::Warned
    );
    assert_eq!(
        verified.trace().outcome(Stage::Content),
        StepOutcome::Passed
    );
    assert_eq!(code(&qr, &store, UnixTime(T0 + 86_400), &grace), "valid");
    assert_eq!(
        code(&qr, &store, UnixTime(T0 + 86_401), &grace),
        "trust_list_stale"
    );
    // An age-check purpose sees no document field, but it sees the freshness warning.
    let age_check = disclosure::purpose("age_check").unwrap();
    let result = verify(&qr, &store, UnixTime(T0 + 10), &grace);
    let disclosed = DisclosedReport::new(&result, age_check);
    assert_eq!(disclosed.report.warnings.len(), 1);
    assert_eq!(disclosed.report.warnings[0].code, "trust_list_stale_grace");
}

#[test]
fn status_list_freshness_per_policy() {
    // A list issued at T0 that expires a day later.
    let token = status_token(&key_a(), ISSUER_A, URI_A1, T0, DAY, &one_bit(&[]));
    let store = store_with(T0, KeyStatus::Active, &[token]);
    let qr = credential(&key_a(), Some((URI_A1, 3)));
    let reject = bare_policy().with_status_list_freshness(Freshness::reject_after(3 * 86_400));
    assert_eq!(code(&qr, &store, UnixTime(T0 + DAY), &reject), "valid");
    assert_eq!(
        code(&qr, &store, UnixTime(T0 + DAY + 1), &reject),
        "status_list_stale"
    );
    let grace = bare_policy().with_status_list_freshness(Freshness::warn_after(3600, 3600));
    let verified = verify(&qr, &store, UnixTime(T0 + 3601), &grace).unwrap();
    let codes: Vec<&str> = verified.warnings().iter().map(|w| w.code()).collect();
    assert_eq!(codes, ["status_list_stale_grace"]);
    assert_eq!(verified.warnings()[0].field().to_string(), "status_list");
    assert_eq!(
        code(&qr, &store, UnixTime(T0 + 7201), &grace),
        "status_list_stale"
    );
    // A stale list does not matter to a credential without a status claim.
    let no_status = credential(&key_a(), None);
    assert_eq!(
        code(&no_status, &store, UnixTime(T0 + 7201), &grace),
        "valid"
    );
}

/// Verifications on several threads keep running while another thread swaps the trust data
/// back and forth between a store where the credential is valid and one where it is
/// revoked: each verification sees one whole snapshot, never a mix.
#[test]
fn verifications_keep_running_while_the_trust_data_is_swapped() {
    let qr = credential(&key_a(), Some((URI_A1, 5)));
    let valid = Arc::new(store_with(
        T0 - 3600,
        KeyStatus::Active,
        &[status_token(
            &key_a(),
            ISSUER_A,
            URI_A1,
            T0 - 600,
            7 * DAY,
            &one_bit(&[]),
        )],
    ));
    let revoked = Arc::new(store_with(
        T0 - 3600,
        KeyStatus::Active,
        &[status_token(
            &key_a(),
            ISSUER_A,
            URI_A1,
            T0 - 300,
            7 * DAY,
            &one_bit(&[5]),
        )],
    ));
    let shared = Arc::new(SharedTrust::new((*valid).clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (shared, stop, counts, qr) = (
                Arc::clone(&shared),
                Arc::clone(&stop),
                Arc::clone(&counts),
                qr.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let snapshot = shared.snapshot();
                    match verify(&qr, &snapshot, NOW, &bare_policy()) {
                        Ok(_) => counts[0].fetch_add(1, Ordering::Relaxed),
                        Err(r) => {
                            assert_eq!(r.code(), "credential_revoked");
                            counts[1].fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            })
        })
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(400);
    let mut swaps = 0;
    while std::time::Instant::now() < deadline {
        let next = if swaps % 2 == 0 { &revoked } else { &valid };
        shared.replace(Arc::clone(next));
        swaps += 1;
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    assert!(swaps > 10);
    assert!(
        counts[0].load(Ordering::Relaxed) > 0,
        "some saw the valid list"
    );
    assert!(
        counts[1].load(Ordering::Relaxed) > 0,
        "some saw the revocation"
    );
}
