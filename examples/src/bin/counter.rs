//! Counter software: verify IKD credentials as a QR scanner types them.
//!
//! A USB "keyboard-wedge" scanner types each QR code's text followed by Enter, so the
//! program reads standard input line by line. Each line is verified offline against a
//! trust store loaded once at start, and one verdict line is printed:
//!
//! ```text
//! VALID KTP-el: NIK 3273015708920003, SITI NURHALIZA PUTRI
//! VALID KK: nomor KK 3273012208140005, kepala keluarga AGUS SETIAWAN, 4 anggota
//! REJECTED signature_invalid: Tanda tangan tidak sah: kredensial telah diubah atau dipalsukan.
//! REJECTED presentation_replayed: Kode QR ini sudah pernah digunakan; minta pemegang menampilkan kode baru.
//! ```
//!
//! Run: `counter TRUST.json < scans.txt` (see examples/README.md).
//!
//! Privacy (UU 27/2022): the name and NIK go to the screen because showing them is the
//! point; real counter software must not write them, or the QR text, to a log file.

use ikd_sdk::{
    Document, Policy, ReplayCache, TrustStore, UnixTime, Verified, VerifyOptions, verify_with,
};
use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() -> ExitCode {
    // 1. Load the trust store once, at start. Verification itself does no I/O.
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: counter TRUST.json   (QR texts on standard input, one per line)");
        return ExitCode::from(2);
    };
    let trust = match std::fs::read_to_string(&path) {
        Ok(json) => match TrustStore::from_json(&json) {
            Ok(trust) => trust,
            Err(e) => {
                eprintln!("counter: {}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        },
        Err(e) => {
            eprintln!("counter: cannot read {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };

    // 2. The policy: which document types this counter accepts, the clock leeway, and
    //    which may be shown bare (a printed KK) rather than as a fresh presentation from
    //    the holder's phone (a KTP-el). The replay cache makes each presentation count
    //    once: a QR code photographed at this desk is refused at the next scan.
    let policy = Policy::default();
    let replay_cache = ReplayCache::new(10_000);
    let options = VerifyOptions {
        replay_cache: Some(&replay_cache),
        ..VerifyOptions::default()
    };

    // 3. One scan per line. Bytes that are not UTF-8 are replaced, so the SDK rejects the
    //    line with a reason code instead of the program stopping.
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().split(b'\n') {
        let Ok(line) = line else { break };
        let scanned = String::from_utf8_lossy(&line);
        // Scanners end a scan with "\n" or "\r\n"; spaces belong to the QR text.
        let scanned = ikd_sdk::transport::trim_line_ending(&scanned);
        if scanned.is_empty() {
            continue;
        }

        // 4. The SDK never reads the clock: the caller passes the time of the scan.
        let Some(now) = now() else {
            eprintln!("counter: the system clock is before 1970");
            return ExitCode::from(2);
        };

        // 5. Verify and show the outcome.
        let verdict = match verify_with(scanned, &trust, now, &policy, &options) {
            Ok(verified) => describe(&verified),
            // A rejection carries one stable reason code and messages in two languages.
            Err(rejection) => format!(
                "REJECTED {}: {}",
                rejection.code(),
                rejection.reason().info().id
            ),
        };
        if writeln!(stdout, "{verdict}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// The current time as the SDK wants it.
fn now() -> Option<UnixTime> {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok().map(UnixTime)
}

/// One line for a verified credential: who it is about, and any warning.
fn describe(verified: &Verified) -> String {
    let mut text = match verified.document() {
        Document::Ktp(ktp) => format!("VALID KTP-el: NIK {}, {}", ktp.nik, ktp.nama),
        Document::Kk(kk) => format!(
            "VALID KK: nomor KK {}, kepala keluarga {}, {} anggota",
            kk.nomor_kk,
            kk.kepala_keluarga,
            kk.anggota.len()
        ),
        // `Document` is non-exhaustive: later SDK versions may add document types.
        other => format!("VALID {}", other.doc_type()),
    };
    // Warnings do not reject the credential, but staff should look twice.
    for warning in verified.warnings() {
        text.push_str(&format!(
            " [peringatan {}: {}]",
            warning.code(),
            warning.info().id
        ));
    }
    text
}
