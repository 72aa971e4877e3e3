//! The trust store on disk: atomic writes, verification on load and on update, rollback and
//! freeze refusal, root rotation, and the last good copy kept on every bad update.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use ikd_sdk::status_list::StatusListError;
use ikd_sdk::store::{Installed, STATE_FILE, STATUS_DIR, TRUST_LIST_FILE, TrustCache, UpdateError};
use ikd_sdk::trust_list::{RootKey, TrustListError};
use ikd_sdk::{KeyStatus, TrustAnchors, UnixTime, verify};

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

#[test]
fn install_persist_and_reload() {
    let dir = TempDir::new("store-reload");
    let cache = open(&dir);
    assert_eq!(sequence(&cache), None);
    assert!(cache.problems().is_empty());
    assert_eq!(
        cache.install_trust_list(&signed_list(3, T0), NOW),
        Ok(Installed::Updated)
    );
    assert_eq!(
        cache.install_trust_list(&signed_list(3, T0), NOW),
        Ok(Installed::Unchanged)
    );
    let token = status_token(&key_a(), ISSUER_A, URI_A1, T0, 7 * DAY, &one_bit(&[5]));
    assert_eq!(
        cache.install_status_list(URI_A1, &token, NOW),
        Ok(Installed::Updated)
    );
    assert_eq!(
        cache.install_status_list(URI_A1, &token, NOW),
        Ok(Installed::Unchanged)
    );
    cache
        .set_etag(TRUST_LIST_FILE, Some("\"v3\"".into()))
        .unwrap();
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );

    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    drop(cache);
    let cache = open(&dir);
    assert!(cache.problems().is_empty(), "{:?}", cache.problems());
    assert_eq!(sequence(&cache), Some(3));
    assert_eq!(cache.etag(TRUST_LIST_FILE).as_deref(), Some("\"v3\""));
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 5)))),
        "credential_revoked"
    );
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 4)))),
        "valid"
    );
}

#[test]
fn bad_updates_keep_the_last_good_copy() {
    let dir = TempDir::new("store-bad");
    let cache = open(&dir);
    cache.install_trust_list(&signed_list(5, T0), NOW).unwrap();
    let token = status_token(&key_a(), ISSUER_A, URI_A1, T0, 7 * DAY, &one_bit(&[5]));
    cache.install_status_list(URI_A1, &token, NOW).unwrap();
    let revoked = credential(&key_a(), Some((URI_A1, 5)));
    let before = std::fs::read(dir.path().join(TRUST_LIST_FILE)).unwrap();

    let refusals: Vec<(&str, Result<Installed, UpdateError>)> = vec![
        (
            "rollback",
            cache.install_trust_list(&signed_list(4, T0), NOW),
        ),
        (
            "same sequence, other content",
            cache.install_trust_list(&signed_list(5, T0 + 1), NOW),
        ),
        (
            "unknown root",
            cache.install_trust_list(
                &trust_list(6, T0, KeyStatus::Active)
                    .sign(&stranger_root())
                    .unwrap(),
                NOW,
            ),
        ),
        (
            "garbage",
            cache.install_trust_list(b"not a trust list", NOW),
        ),
        (
            "expired: stale beyond the default grace",
            cache.install_trust_list(&signed_list(6, T0 - 60 * DAY), NOW),
        ),
        (
            "issued in the future",
            cache.install_trust_list(&signed_list(6, T0 + DAY), NOW),
        ),
        (
            "status list rollback",
            cache.install_status_list(
                URI_A1,
                &status_token(&key_a(), ISSUER_A, URI_A1, T0 - 10, 7 * DAY, &one_bit(&[])),
                NOW,
            ),
        ),
        (
            "status list whose sub is another URI",
            cache.install_status_list(
                URI_A1,
                &status_token(&key_a(), ISSUER_A, URI_A2, T0 + 10, 7 * DAY, &one_bit(&[])),
                NOW,
            ),
        ),
        (
            "status list of another issuer",
            cache.install_status_list(
                URI_A1,
                &status_token(&key_c(), ISSUER_C, URI_A1, T0 + 10, 7 * DAY, &one_bit(&[])),
                NOW,
            ),
        ),
        (
            "status list the trust list does not name",
            cache.install_status_list(
                "https://elsewhere.example/1",
                &status_token(
                    &key_a(),
                    ISSUER_A,
                    "https://elsewhere.example/1",
                    T0 + 10,
                    7 * DAY,
                    &one_bit(&[]),
                ),
                NOW,
            ),
        ),
        (
            "expired status list",
            cache.install_status_list(
                URI_A1,
                &status_token(&key_a(), ISSUER_A, URI_A1, T0 + 10, 60, &one_bit(&[])),
                UnixTime(T0 + 10 + 60 + 5 * DAY),
            ),
        ),
    ];
    let expected: Vec<fn(&UpdateError) -> bool> = vec![
        |e| {
            matches!(
                e,
                UpdateError::Rollback {
                    current: 5,
                    offered: 4
                }
            )
        },
        |e| {
            matches!(
                e,
                UpdateError::Rollback {
                    current: 5,
                    offered: 5
                }
            )
        },
        |e| *e == UpdateError::TrustList(TrustListError::UnknownRoot),
        |e| matches!(e, UpdateError::TrustList(TrustListError::Envelope(_))),
        |e| *e == UpdateError::Expired,
        |e| *e == UpdateError::NotYetValid,
        |e| matches!(e, UpdateError::Rollback { .. }),
        |e| *e == UpdateError::SubMismatch,
        |e| *e == UpdateError::IssuerMismatch,
        |e| *e == UpdateError::UnknownStatusList,
        |e| *e == UpdateError::Expired,
    ];
    for ((what, result), check) in refusals.into_iter().zip(expected) {
        let error = result.expect_err(what);
        assert!(check(&error), "{what}: {error:?}");
        assert!(!error.to_string().is_empty());
        // After every refusal the last good data is in use, unchanged on disk.
        assert_eq!(sequence(&cache), Some(5), "{what}");
        assert_eq!(verdict(&cache, &revoked), "credential_revoked", "{what}");
        assert_eq!(
            std::fs::read(dir.path().join(TRUST_LIST_FILE)).unwrap(),
            before,
            "{what}"
        );
    }
    let wrong_signature = {
        let mut t = status_token(&key_a(), ISSUER_A, URI_A1, T0 + 10, 7 * DAY, &one_bit(&[]));
        let last = t.len() - 1;
        t[last] ^= 1;
        t
    };
    assert_eq!(
        cache.install_status_list(URI_A1, &wrong_signature, NOW),
        Err(UpdateError::StatusList(StatusListError::SignatureInvalid))
    );
    assert_eq!(verdict(&cache, &revoked), "credential_revoked");
}

#[test]
fn a_newer_list_that_compromises_a_key_drops_its_status_lists() {
    let dir = TempDir::new("store-compromise");
    let cache = open(&dir);
    cache.install_trust_list(&signed_list(1, T0), NOW).unwrap();
    let by_d = status_token(&key_d(), ISSUER_A, URI_A1, T0, 7 * DAY, &one_bit(&[]));
    cache.install_status_list(URI_A1, &by_d, NOW).unwrap();
    let by_c = status_token(&key_c(), ISSUER_C, URI_C1, T0, 7 * DAY, &one_bit(&[]));
    cache.install_status_list(URI_C1, &by_c, NOW).unwrap();
    let compromised = trust_list(2, T0 + 60, KeyStatus::Compromised)
        .sign(&root())
        .unwrap();
    cache.install_trust_list(&compromised, NOW).unwrap();
    let store = cache.store();
    assert!(
        store.status_list(URI_A1).is_none(),
        "signed by the compromised key"
    );
    assert!(store.status_list(URI_C1).is_some());
    assert_eq!(
        verdict(&cache, &credential(&key_a(), Some((URI_A1, 1)))),
        "status_list_missing"
    );
    assert_eq!(
        verdict(&cache, &credential(&key_d(), None)),
        "key_compromised"
    );
}

#[test]
fn load_verifies_and_refuses_what_does_not_hold() {
    let dir = TempDir::new("store-load");
    {
        let cache = open(&dir);
        cache.install_trust_list(&signed_list(9, T0), NOW).unwrap();
        let token = status_token(&key_a(), ISSUER_A, URI_A1, T0, 7 * DAY, &one_bit(&[]));
        cache.install_status_list(URI_A1, &token, NOW).unwrap();
    }
    // A tampered status list on disk is left out, and said so; the trust list still loads.
    let status_path = dir.path().join(STATUS_DIR).join(FILE_A1);
    let mut token = std::fs::read(&status_path).unwrap();
    let last = token.len() - 1;
    token[last] ^= 1;
    std::fs::write(&status_path, &token).unwrap();
    let cache = open(&dir);
    assert_eq!(sequence(&cache), Some(9));
    assert!(cache.store().status_list(URI_A1).is_none());
    assert_eq!(cache.problems().len(), 1, "{:?}", cache.problems());
    assert!(cache.problems()[0].starts_with("status/3273-1.cwt"));
    drop(cache);

    // An older list put on disk in place of the newer one: refused at load.
    std::fs::write(dir.path().join(TRUST_LIST_FILE), signed_list(8, T0)).unwrap();
    let cache = open(&dir);
    assert_eq!(sequence(&cache), None);
    assert!(
        cache.problems()[0].contains("below 9"),
        "{:?}",
        cache.problems()
    );
    drop(cache);

    // A list signed by a root the configuration does not pin.
    std::fs::write(
        dir.path().join(TRUST_LIST_FILE),
        trust_list(10, T0, KeyStatus::Active)
            .sign(&stranger_root())
            .unwrap(),
    )
    .unwrap();
    let cache = open(&dir);
    assert_eq!(sequence(&cache), None);
    drop(cache);

    // An oversized file is not read whole.
    std::fs::write(
        dir.path().join(TRUST_LIST_FILE),
        vec![0u8; ikd_sdk::limits::MAX_TRUST_LIST_BYTES + 1],
    )
    .unwrap();
    let cache = open(&dir);
    assert!(
        cache.problems()[0].contains("larger than"),
        "{:?}",
        cache.problems()
    );
    drop(cache);

    // A damaged state file is ignored (and said so), not fatal.
    std::fs::write(dir.path().join(STATE_FILE), b"{").unwrap();
    std::fs::write(dir.path().join(TRUST_LIST_FILE), signed_list(10, T0)).unwrap();
    let cache = open(&dir);
    assert_eq!(sequence(&cache), Some(10));
    assert!(cache.problems()[0].starts_with(STATE_FILE));
}

#[test]
fn a_frozen_cache_stays_loaded_but_every_verification_says_stale() {
    let dir = TempDir::new("store-frozen");
    {
        let cache = open(&dir);
        cache.install_trust_list(&signed_list(2, T0), NOW).unwrap();
    }
    let much_later = UnixTime(T0 + 90 * DAY);
    let cache = TrustCache::open(dir.path(), anchors(), bare_policy(), much_later).unwrap();
    assert_eq!(sequence(&cache), Some(2), "the last good copy is kept");
    assert!(cache.problems()[0].contains("stale"));
    let result = verify(
        &credential_at(&key_a(), T0 + 89 * DAY, None),
        &cache.store(),
        much_later,
        &bare_policy(),
    );
    assert_eq!(result.unwrap_err().code(), "trust_list_stale");
}

#[test]
fn roots_rotate_by_announcement() {
    let dir = TempDir::new("store-rotate");
    let cache = open(&dir);
    // List 1, signed by the pinned root, announces the successor.
    let mut first = trust_list(1, T0, KeyStatus::Active);
    first.successor_roots = vec![successor_root().public_key()];
    cache
        .install_trust_list(&first.sign(&root()).unwrap(), NOW)
        .unwrap();
    // List 2 is signed by the successor alone.
    let second = trust_list(2, T0 + 60, KeyStatus::Active)
        .sign(&successor_root())
        .unwrap();
    assert_eq!(
        cache.install_trust_list(&second, NOW),
        Ok(Installed::Updated)
    );
    drop(cache);
    // The configuration still pins only the old root; the cache remembers the successor.
    let cache = open(&dir);
    assert_eq!(sequence(&cache), Some(2), "{:?}", cache.problems());
    // A root nobody announced is still refused.
    let third = trust_list(3, T0 + 120, KeyStatus::Active)
        .sign(&stranger_root())
        .unwrap();
    assert_eq!(
        cache.install_trust_list(&third, NOW),
        Err(UpdateError::TrustList(TrustListError::UnknownRoot))
    );
    // Several roots may be configured at once.
    let mut both = TrustAnchors::new();
    both.add(RootKey {
        name: "old".into(),
        key: root().public_key(),
    });
    both.add(RootKey {
        name: "new".into(),
        key: stranger_root().public_key(),
    });
    let other_dir = TempDir::new("store-two-roots");
    let cache = TrustCache::open(other_dir.path(), both, bare_policy(), NOW).unwrap();
    assert_eq!(
        cache.install_trust_list(&third, NOW),
        Ok(Installed::Updated)
    );
}

#[test]
fn a_cache_folder_that_cannot_be_made_keeps_the_io_error() {
    let dir = TempDir::new("store-not-a-folder");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let err = TrustCache::open(&file, anchors(), bare_policy(), NOW).unwrap_err();
    let UpdateError::Io(io) = &err else {
        panic!("expected an I/O error, got {err:?}");
    };
    assert!(io.to_string().contains("plain-file"), "{io}");
    // The I/O error is the source, not repeated in the message.
    assert_eq!(err.to_string(), "cannot write the cache");
    // The chain reaches the operating system's error: UpdateError -> io::Error (naming the
    // folder) -> the original io::Error.
    let first = std::error::Error::source(&err).expect("UpdateError::Io has a source");
    let io_source = first
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io_source.kind(), io.kind());
    let original = first
        .source()
        .expect("the folder wrapper keeps the original error");
    assert!(original.downcast_ref::<std::io::Error>().is_some());
    assert_eq!(err.clone(), err);
}
