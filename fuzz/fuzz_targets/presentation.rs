//! Presentation QR text → `verify` against a store trusting the demo issuer whose
//! credentials are bound to the demo phone, with and without a challenge; and challenge
//! texts.
#![no_main]

use ikd_fuzz::{NOW, demo};
use ikd_sdk::{Challenge, Policy, ReplayCache, VerifyOptions, verify_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let trust = &demo().trust;
    let cache = ReplayCache::new(4);
    let plain = VerifyOptions {
        challenge: None,
        replay_cache: Some(&cache),
    };
    let first = verify_with(text, trust, NOW, &Policy::default(), &plain);
    if first.is_ok() {
        // Accepted once, the same presentation is a replay the second time.
        let second = verify_with(text, trust, NOW, &Policy::default(), &plain);
        if let Err(rejection) = &second {
            assert_eq!(rejection.code(), "presentation_replayed");
        }
    }
    if let Ok(challenge) = Challenge::new("AB12CD34", Some("bank")) {
        let options = VerifyOptions {
            challenge: Some(&challenge),
            replay_cache: None,
        };
        let _ = verify_with(text, trust, NOW, &Policy::default(), &options);
    }
    let _ = Challenge::parse(text);
});
