//! Status-list tokens: the full check against the filled trust store, the claims decoder
//! behind the signature, and the CBOR status list with its zlib-compressed bits.
#![no_main]

use ikd_fuzz::filled_store;
use ikd_sdk::status_list::StatusListClaims;
use ikd_sdk::{StatusList, StatusListToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = StatusListToken::verify(data, filled_store()) {
        let list = token.list();
        let _ = list.get(0);
        let _ = list.get(list.len().saturating_sub(1));
    }
    let _ = StatusListClaims::decode(data);
    let _ = StatusListClaims::decode_unverified(data);
    if let Ok(list) = StatusList::decode_cbor(data) {
        let _ = list.get(list.len());
        // What decodes re-encodes to a list with the same bits.
        let again = StatusList::decode_cbor(&list.to_cbor());
        assert!(
            again.ok() == Some(list),
            "a status list does not round-trip"
        );
    }
});
