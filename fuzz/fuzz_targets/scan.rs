//! Image and PDF files → `scan_bytes`, with small limits (a megapixel, 16 MiB of decoder
//! memory, 4 PDF pages and images, 50 ms per image), then every payload found verified.
#![no_main]

use ikd_fuzz::{NOW, filled_store, scan_options};
use ikd_sdk::Policy;
use ikd_sdk::scan::scan_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(scan) = scan_bytes(data, &scan_options()) {
        let _ = scan.verify(filled_store(), NOW, &Policy::default());
    }
});
