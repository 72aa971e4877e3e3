//! A presentation payload, signed by the demo phone inside the target, → `verify`:
//! reaches the presentation decoder and the holder-binding checks behind the holder's
//! signature. The seeds carry real credentials, so mutations keep the issuer's signature.
#![no_main]

use ikd_fuzz::{NOW, demo, presentation_protected, sign1};
use ikd_sdk::transport::encode_qr_text;
use ikd_sdk::{Policy, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let data = demo();
    let cose = sign1(presentation_protected(), payload, |tbs| {
        data.holder.sign(tbs)
    });
    let _ = verify(&encode_qr_text(&cose), &data.trust, NOW, &Policy::default());
});
