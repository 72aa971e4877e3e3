//! QR text → `verify` against a filled trust store (the conformance keys and status
//! lists, and the demo keys), under the default policy and one accepting every bare
//! credential.
#![no_main]

use ikd_fuzz::{NOW, bare_policy, filled_store};
use ikd_sdk::{Policy, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let store = filled_store();
    let strict = verify(text, store, NOW, &Policy::default());
    let bare = verify(text, store, NOW, &bare_policy());
    // Accepting bare credentials can only accept more, never less.
    if strict.is_ok() {
        assert!(
            bare.is_ok(),
            "a wider policy rejected what the default accepted"
        );
    }
});
