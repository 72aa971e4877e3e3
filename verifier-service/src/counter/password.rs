//! Staff passwords: Argon2id (RFC 9106) PHC strings, with the RustCrypto `argon2` crate.
//!
//! Checking a password costs tens of milliseconds on purpose, so it runs on the blocking
//! pool, at most [`MAX_CONCURRENT_CHECKS`] at a time.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Password checks running at once; more wait, so sign-in attempts cannot take every core.
pub const MAX_CONCURRENT_CHECKS: usize = 2;

/// Whether `phc` is an Argon2id PHC string this crate can check.
pub fn is_argon2id(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| hash.algorithm.as_str() == "argon2id")
}

/// The Argon2id PHC string of `password` with a random salt and the crate's recommended
/// costs (19 MiB, 2 passes, 1 lane: OWASP's minimum for Argon2id).
pub fn hash_password(password: &str) -> Result<String, String> {
    hash_password_with(password, Params::default())
}

/// The same with explicit costs (`m_cost` KiB, `t_cost` passes): tests use small ones.
pub fn hash_password_with(password: &str, params: Params) -> Result<String, String> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Small costs for tests only: 8 KiB, 1 pass.
pub fn test_params() -> Params {
    Params::new(Params::MIN_M_COST, 1, 1, None).unwrap_or_default()
}

/// Whether `password` matches `phc`. The costs come from the PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Spends the time of one check for a user name that has no account, so the answer's
/// timing does not tell which names exist.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc =
        DUMMY.get_or_init(|| hash_password("no account has this password").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_check_and_are_salted() {
        let a = hash_password_with("rahasia", test_params()).unwrap();
        let b = hash_password_with("rahasia", test_params()).unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "random salts");
        assert!(is_argon2id(&a));
        assert!(verify("rahasia", &a));
        assert!(!verify("Rahasia", &a));
        assert!(!verify("rahasia", "not a hash"));
        assert!(!is_argon2id("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
        assert!(!is_argon2id("plain text"));
    }
}
