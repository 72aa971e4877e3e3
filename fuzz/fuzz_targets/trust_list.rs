//! Signed trust lists: the full check against the conformance roots, the payload decoder
//! on its own (it sits behind the signature), the JSON trust files, and trust bundles (the
//! strict reader, and the parts checked against the same roots).
#![no_main]

use ikd_fuzz::trust_list_roots;
use ikd_sdk::{TrustAnchors, TrustList, VerifiedTrustList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = VerifiedTrustList::verify(data, trust_list_roots()) {
        let _ = list.info();
        let _ = list.to_trust_store();
    }
    if let Ok(list) = TrustList::decode_payload(data) {
        let _ = list.validate();
        // A decoded list re-encodes to a payload that decodes to the same list.
        let again = TrustList::decode_payload(&list.to_payload());
        assert!(again.is_ok(), "a decoded trust list does not re-decode");
    }
    if let Ok(bundle) = ikd_sdk::TrustBundle::decode(data) {
        // A read bundle writes back to the same bytes (deterministic CBOR).
        assert_eq!(bundle.to_bytes(), data, "a read trust bundle does not re-encode");
        let _ = bundle.verify(trust_list_roots());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustAnchors::from_json(text);
        let _ = ikd_sdk::TrustStore::from_json(text);
    }
});
