//! A credential payload, signed by a trusted key inside the target, → `verify` and the
//! per-purpose reports: reaches the claim and document decoders behind the signature check.
#![no_main]

use ikd_fuzz::{NOW, bare_policy, sign1, single_key};
use ikd_sdk::transport::encode_qr_text;
use ikd_sdk::verify;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let fixture = single_key();
    let cose = sign1(&fixture.protected, payload, |tbs| {
        fixture.key.sign(tbs).to_vec()
    });
    let text = encode_qr_text(&cose);
    let result = verify(&text, &fixture.store, NOW, &bare_policy());
    // Whatever the outcome, it must report for every purpose without trouble.
    for name in ["identity", "age_check", "domicile", "kyc"] {
        if let Some(purpose) = ikd_sdk::disclosure::purpose(name) {
            let _ = ikd_sdk::disclosure::DisclosedReport::new(&result, purpose).to_json();
        }
    }
});
