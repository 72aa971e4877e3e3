//! QR text → `verify` against an empty trust store: every input is rejected, with a
//! reason code, and nothing panics.
#![no_main]

use ikd_fuzz::NOW;
use ikd_sdk::{Policy, TrustStore, inspect, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rejection = match verify(text, &TrustStore::new(), NOW, &Policy::default()) {
        Ok(_) => panic!("an empty trust store accepted a credential"),
        Err(rejection) => rejection,
    };
    assert!(!rejection.code().is_empty());
    // The offline inspector reads the same text without a store.
    let _ = inspect(text);
});
