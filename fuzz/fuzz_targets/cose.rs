//! The strict CBOR and COSE_Sign1 decoders: a whole message (`cose::parse` and every
//! header check), arbitrary bytes as a protected header (`cose::from_parts`, which
//! decodes them with the strict CBOR decoder), and the verification receipt's check.
#![no_main]

use ikd_sdk::unstable_wire::cose::{self, MessageType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = cose::parse(data) {
        for kind in [
            MessageType::Credential,
            MessageType::Presentation,
            MessageType::TrustList,
            MessageType::StatusList,
            MessageType::Receipt,
        ] {
            let _ = message.check_header(kind);
        }
        let _ = message.check_presentation_header();
        let _ = message.claims_to_be_presentation();
        let _ = message.kid_bytes();
        // The signed bytes embed the parts exactly as received.
        let signed = message.signed_bytes();
        assert!(signed.len() >= message.protected_bytes().len() + message.payload().len());
    }
    if let Ok(message) = cose::from_parts(data, &[], &[]) {
        let _ = message.check_header(MessageType::Credential);
        let _ = message.check_presentation_header();
    }
    let _ = ikd_sdk::StatusReference::decode(data);
    let verifier = ikd_sdk::IssuerSigningKey::from_seed(&[9; 32]).public_key();
    let _ = ikd_sdk::Receipt::verify(data, &verifier);
});
