//! Trust bundles imported into the disk cache: the same rollback and freeze rules as the
//! HTTP sync, tampering refused with its code, the partial-bundle rule, and verifications
//! running while bundles are imported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use ikd_sdk::store::{ImportError, ImportReport, Installed, TrustCache};
use ikd_sdk::trust_bundle::BundleCode;
use ikd_sdk::{TrustBundle, UnixTime, verify};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const NOW: UnixTime = UnixTime(T0 + 3600);

fn open(dir: &TempDir) -> TrustCache {
    TrustCache::open(dir.path(), anchors(), bare_policy(), NOW).unwrap()
}

fn sequence(cache: &TrustCache) -> Option<u64> {
    cache.store().trust_list().map(|i| i.sequence)
}

fn verdict(cache: &TrustCache, qr: &str) -> &'static str {
    match verify(qr, &cache.store(), NOW, &bare_policy()) {
        Ok(_) => "valid",
        Err(r) => r.code(),
    }
}

/// A token of list A1 issued at `iat` with `revoked` set.
fn a1(iat: i64, revoked: &[u64]) -> Vec<u8> {
    status_token(&key_a(), ISSUER_A, URI_A1, iat, 7 * DAY, &one_bit(revoked))
}

fn a2(iat: i64) -> Vec<u8> {
    status_token(&key_a(), ISSUER_A, URI_A2, iat, 7 * DAY, &one_bit(&[]))
}

fn c1(iat: i64) -> Vec<u8> {
    status_token(&key_c(), ISSUER_C, URI_C1, iat, 7 * DAY, &one_bit(&[]))
}

fn bundle(list: Vec<u8>, tokens: &[Vec<u8>]) -> Vec<u8> {
    let mut bundle = TrustBundle::new(list).unwrap();
    for token in tokens {
        bundle.add_status_list(token.clone()).unwrap();
    }
    bundle.to_bytes()
}

/// Each status list's URI and outcome code ("updated", "unchanged" or the import code).
fn outcomes(report: &ImportReport) -> Vec<(&str, &'static str)> {
    report
        .status_lists
        .iter()
        .map(|(uri, outcome)| {
            let code = match outcome {
                Ok(Installed::Updated) => "updated",
                Ok(Installed::Unchanged) => "unchanged",
                Err(e) => e.code().code(),
            };
            (uri.as_str(), code)
        })
        .collect()
}

fn refusal(result: Result<ImportReport, ImportError>) -> &'static str {
    result.unwrap_err().code().code()
}

#[test]
fn a_full_bundle_installs_and_persists() {
    let dir = TempDir::new("bundle-full");
    let cache = open(&dir);
    let bytes = bundle(signed_list(3, T0), &[a1(T0, &[5]), a2(T0), c1(T0)]);
    let report = cache.import_bundle(&bytes, NOW).unwrap();
    assert_eq!(report.trust_list, Installed::Updated);
    assert!(report.is_complete());
    assert_eq!(
        outcomes(&report),
        [
            (URI_A1, "updated"),
            (URI_A2, "updated"),
            (URI_C1, "updated")
        ]
    );
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );
    // The same bundle again changes nothing.
    let again = cache.import_bundle(&bytes, NOW).unwrap();
    assert_eq!(again.trust_list, Installed::Unchanged);
    assert!(
        outcomes(&again)
            .iter()
            .all(|(_, outcome)| *outcome == "unchanged")
    );
    drop(cache);
    let cache = open(&dir);
    assert!(cache.problems().is_empty(), "{:?}", cache.problems());
    assert_eq!(sequence(&cache), Some(3));
    assert_eq!(cache.store().status_lists().count(), 3);
}

#[test]
fn an_older_bundle_is_refused_and_the_installed_data_stays() {
    let dir = TempDir::new("bundle-rollback");
    let cache = open(&dir);
    cache
        .import_bundle(&bundle(signed_list(5, T0), &[a1(T0, &[5])]), NOW)
        .unwrap();
    let older = bundle(signed_list(4, T0), &[a1(T0 + 60, &[])]);
    assert_eq!(
        refusal(cache.import_bundle(&older, NOW)),
        "bundle_trust_list_rollback"
    );
    // Nothing of the refused bundle was installed, not even its newer status list.
    assert_eq!(sequence(&cache), Some(5));
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );
    // Same trust list, older status list: that list is refused, the rest goes in.
    let stale_status = bundle(signed_list(5, T0), &[a1(T0 - 60, &[]), a2(T0)]);
    let report = cache.import_bundle(&stale_status, NOW).unwrap();
    assert_eq!(report.trust_list, Installed::Unchanged);
    assert_eq!(
        outcomes(&report),
        [
            (URI_A1, "bundle_status_list_rollback"),
            (URI_A2, "updated"),
            (URI_C1, "bundle_status_list_missing")
        ]
    );
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );
    // Rollback is judged against the highest sequence ever installed, across restarts.
    drop(cache);
    let cache = open(&dir);
    assert_eq!(
        refusal(cache.import_bundle(&older, NOW)),
        "bundle_trust_list_rollback"
    );
}

#[test]
fn time_rules_are_those_of_the_sync() {
    let dir = TempDir::new("bundle-time");
    let cache = open(&dir);
    // A list whose next update passed long ago (a freeze) and one from the future.
    let frozen = bundle(signed_list(2, T0 - 60 * DAY), &[]);
    assert_eq!(
        refusal(cache.import_bundle(&frozen, NOW)),
        "bundle_trust_list_expired"
    );
    let future = bundle(signed_list(2, NOW.0 + 2 * 3600), &[]);
    assert_eq!(
        refusal(cache.import_bundle(&future, NOW)),
        "bundle_trust_list_not_yet_valid"
    );
    assert_eq!(sequence(&cache), None);
    let report = cache
        .import_bundle(
            &bundle(
                signed_list(2, T0),
                &[a1(NOW.0 + 2 * 3600, &[]), a2(T0 - 60 * DAY), c1(T0)],
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(
        outcomes(&report),
        [
            (URI_A1, "bundle_status_list_not_yet_valid"),
            (URI_A2, "bundle_status_list_expired"),
            (URI_C1, "updated")
        ]
    );
}

#[test]
fn a_tampered_bundle_is_refused_with_its_code() {
    let dir = TempDir::new("bundle-tampered");
    let cache = open(&dir);
    let list = signed_list(3, T0);
    let good = bundle(list.clone(), &[a1(T0, &[5])]);
    // One bit of the trust list's signature.
    let at = good
        .windows(list.len())
        .position(|w| w == list.as_slice())
        .unwrap()
        + list.len()
        - 1;
    let mut tampered = good.clone();
    tampered[at] ^= 0x01;
    assert_eq!(
        refusal(cache.import_bundle(&tampered, NOW)),
        "bundle_trust_list_signature_invalid"
    );
    // One bit of the envelope: no longer strict CBOR of the bundle's shape.
    assert_eq!(
        refusal(cache.import_bundle(&good[..good.len() - 1], NOW)),
        "bundle_malformed"
    );
    assert_eq!(refusal(cache.import_bundle(b"", NOW)), "bundle_malformed");
    // A list signed by a root the verifier does not pin.
    let foreign = bundle(
        trust_list(3, T0, ikd_sdk::KeyStatus::Active)
            .sign(&stranger_root())
            .unwrap(),
        &[],
    );
    assert_eq!(
        refusal(cache.import_bundle(&foreign, NOW)),
        "bundle_trust_list_unknown_root"
    );
    assert_eq!(sequence(&cache), None);
    assert!(
        std::fs::read_dir(dir.path().join("status"))
            .unwrap()
            .next()
            .is_none()
    );

    // A changed status list token is refused alone; the rest of the bundle is installed.
    let token = a1(T0, &[5]);
    let mut bad_token = token.clone();
    let last = bad_token.len() - 1;
    bad_token[last] ^= 0x01;
    let mut parts = TrustBundle::decode(&bundle(list, &[token, a2(T0)])).unwrap();
    let mut rebuilt = TrustBundle::new(parts.trust_list().to_vec()).unwrap();
    rebuilt.add_status_list(bad_token).unwrap();
    rebuilt
        .add_status_list(parts.status_lists()[1].token.clone())
        .unwrap();
    parts = rebuilt;
    let report = cache.import_bundle(&parts.to_bytes(), NOW).unwrap();
    assert_eq!(
        outcomes(&report),
        [
            (URI_A1, "bundle_status_list_invalid"),
            (URI_A2, "updated"),
            (URI_C1, "bundle_status_list_missing")
        ]
    );
    assert!(!report.is_complete());
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "status_list_missing"
    );
}

#[test]
fn a_partial_bundle_keeps_the_status_lists_in_use() {
    let dir = TempDir::new("bundle-partial");
    let cache = open(&dir);
    cache
        .import_bundle(&bundle(signed_list(3, T0), &[a1(T0, &[5]), c1(T0)]), NOW)
        .unwrap();
    // A newer trust list alone: the status lists in use are verified again and kept.
    let report = cache
        .import_bundle(&bundle(signed_list(4, T0 + 60), &[]), NOW)
        .unwrap();
    assert_eq!(report.trust_list, Installed::Updated);
    assert_eq!(
        outcomes(&report),
        [
            (URI_A1, "bundle_status_list_missing"),
            (URI_A2, "bundle_status_list_missing"),
            (URI_C1, "bundle_status_list_missing")
        ]
    );
    assert_eq!(sequence(&cache), Some(4));
    assert_eq!(cache.store().status_lists().count(), 2);
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );
    // A list the trust list does not name is reported and ignored.
    let other = status_token(
        &key_a(),
        ISSUER_A,
        "https://ikd.example/status/3273/9",
        T0,
        7 * DAY,
        &one_bit(&[]),
    );
    let report = cache
        .import_bundle(&bundle(signed_list(4, T0 + 60), &[other]), NOW)
        .unwrap();
    assert_eq!(
        outcomes(&report).last(),
        Some(&(
            "https://ikd.example/status/3273/9",
            "bundle_status_list_not_named"
        ))
    );
    assert_eq!(cache.store().status_lists().count(), 2);
    for code in BundleCode::ALL {
        let part = code.code().starts_with("bundle_status_list_");
        assert_eq!(code.refuses_bundle(), !part, "{code}");
    }
}

/// Verifications on two threads keep running while bundles that alternately revoke and
/// restore a credential are imported: each verification sees one whole snapshot.
#[test]
fn verifications_run_while_bundles_are_imported() {
    let dir = TempDir::new("bundle-concurrent");
    let cache = Arc::new(open(&dir));
    cache
        .import_bundle(&bundle(signed_list(1, T0), &[a1(T0, &[])]), NOW)
        .unwrap();
    let qr = credential(&key_a(), Some((URI_A1, 5)));
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (cache, stop, counts, qr) = (
                Arc::clone(&cache),
                Arc::clone(&stop),
                Arc::clone(&counts),
                qr.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match verify(&qr, &cache.store(), NOW, &bare_policy()) {
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
    let mut imports = 0_i64;
    for sequence in 2..=21_u64 {
        let revoked: &[u64] = if sequence % 2 == 0 { &[5] } else { &[] };
        let iat = T0 + i64::try_from(sequence).unwrap();
        let bytes = bundle(signed_list(sequence, iat), &[a1(iat, revoked)]);
        let report = cache.import_bundle(&bytes, NOW).unwrap();
        assert_eq!(report.trust_list, Installed::Updated);
        imports += 1;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(imports, 20);
    assert_eq!(sequence(&cache), Some(21));
    assert!(counts[0].load(Ordering::Relaxed) > 0, "some saw it valid");
    assert!(counts[1].load(Ordering::Relaxed) > 0, "some saw it revoked");
}

/// A verifier that holds its trust data only in memory (`VerifiedBundle::install_over`)
/// reaches the same decisions as the disk cache for the same bundles in the same order:
/// the same refusals, the same outcome per status list, the same verdicts after each.
#[test]
fn an_install_in_memory_decides_as_the_disk_cache_does() {
    let dir = TempDir::new("bundle-memory");
    let cache = open(&dir);
    let roots = vec![root().public_key()];
    let mut in_memory: Option<ikd_sdk::InstalledBundle> = None;
    let not_named = status_token(
        &key_a(),
        ISSUER_A,
        "https://ikd.example/status/3273/9",
        T0,
        7 * DAY,
        &one_bit(&[]),
    );
    let steps = [
        bundle(signed_list(3, T0), &[a1(T0, &[5]), c1(T0)]),
        // The same again: nothing changes.
        bundle(signed_list(3, T0), &[a1(T0, &[5]), c1(T0)]),
        // Refused whole: older, frozen, from the future.
        bundle(signed_list(2, T0), &[a1(T0 + 60, &[])]),
        bundle(signed_list(4, T0 - 60 * DAY), &[]),
        bundle(signed_list(4, NOW.0 + 2 * 3600), &[]),
        // A newer list alone: the status lists in use stay.
        bundle(signed_list(4, T0 + 60), &[]),
        // Per list: older, from the future, stale, newer, and one not named.
        bundle(
            signed_list(4, T0 + 60),
            &[
                a1(T0 - 60, &[]),
                a2(NOW.0 + 2 * 3600),
                c1(T0 - 60 * DAY),
                not_named,
            ],
        ),
        bundle(signed_list(4, T0 + 60), &[a1(T0 + 120, &[]), a2(T0)]),
    ];
    let revocable = credential(&key_a(), Some((URI_A1, 5)));
    for (step, bytes) in steps.iter().enumerate() {
        let on_disk = cache.import_bundle(bytes, NOW);
        let verified = TrustBundle::decode(bytes).unwrap().verify(&roots).unwrap();
        let in_use = in_memory.as_ref().map(|installed| ikd_sdk::InUse {
            trust_list: &installed.trust_list,
            store: &installed.store,
        });
        let installed = verified.install_over(in_use, NOW, &bare_policy());
        match (&on_disk, installed) {
            (Err(disk), Err(memory)) => assert_eq!(disk.code(), memory, "step {step}"),
            (Ok(report), Ok(installed)) => {
                let disk_outcomes: Vec<_> = outcomes(report)
                    .into_iter()
                    .map(|(uri, code)| match code {
                        "updated" | "unchanged" => (uri.to_owned(), "ok"),
                        code => (uri.to_owned(), code),
                    })
                    .collect();
                let memory_outcomes: Vec<_> = installed
                    .status_lists
                    .iter()
                    .map(|(uri, outcome)| {
                        (uri.clone(), outcome.map_or_else(|c| c.code(), |()| "ok"))
                    })
                    .collect();
                assert_eq!(disk_outcomes, memory_outcomes, "step {step}");
                assert_eq!(
                    installed.unchanged,
                    report.trust_list == Installed::Unchanged,
                    "step {step}"
                );
                in_memory = Some(installed);
            }
            (disk, memory) => panic!(
                "step {step}: disk {disk:?}, memory {:?}",
                memory.map(|m| m.status_lists)
            ),
        }
        let store = &in_memory.as_ref().unwrap().store;
        let memory_verdict = match verify(&revocable, store, NOW, &bare_policy()) {
            Ok(_) => "valid",
            Err(r) => r.code(),
        };
        assert_eq!(memory_verdict, verdict(&cache, &revocable), "step {step}");
        assert_eq!(
            store.status_lists().count(),
            cache.store().status_lists().count(),
            "step {step}"
        );
    }
    // The last step restored the credential that the first revoked.
    assert_eq!(verdict(&cache, &revocable), "valid");
}
