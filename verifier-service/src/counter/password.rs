//! Staff passwords: Argon2id (RFC 9106) PHC strings, with the RustCrypto `argon2` crate.
//!
//! Checking a password costs tens of milliseconds on purpose, so it runs on the blocking
//! pool, at most [`MAX_CONCURRENT_CHECKS`] at a time.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fmt;

/// A password could not be hashed (no random salt, or costs the crate refuses).
#[derive(Debug)]
pub struct HashError(argon2::password_hash::Error);

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot hash the password")
    }
}

impl std::error::Error for HashError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Password checks running at once; more wait, so sign-in attempts cannot take every core.
pub const MAX_CONCURRENT_CHECKS: usize = 2;

/// Whether `phc` is an Argon2id PHC string this crate can check.
pub fn is_argon2id(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| hash.algorithm.as_str() == "argon2id")
}

/// The Argon2id PHC string of `password` with a random salt and the crate's recommended
/// costs (19 MiB, 2 passes, 1 lane: OWASP's minimum for Argon2id).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    hash_password_with(password, Params::default())
}

/// The same with explicit costs (`m_cost` KiB, `t_cost` passes): tests use small ones.
pub fn hash_password_with(password: &str, params: Params) -> Result<String, HashError> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(HashError)
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

/// A hash of a password no account has, with the costs of `like` (an account's PHC
/// string; the crate's defaults without one), so that checking a password against it
/// takes as long as checking one against that account.
pub fn decoy_hash(like: Option<&str>) -> String {
    let params = like
        .and_then(|phc| PasswordHash::new(phc).ok())
        .and_then(|hash| Params::try_from(&hash).ok())
        .unwrap_or_default();
    hash_password_with("no account has this password", params).unwrap_or_default()
}

/// Spends the time of one check against `decoy` ([`decoy_hash`]) for a user name that has
/// no account, so the answer's timing does not tell which names exist.
pub fn verify_nothing(password: &str, decoy: &str) {
    let _ = verify(password, decoy);
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

    #[test]
    fn the_decoy_has_the_costs_of_the_account_it_imitates() {
        let account = hash_password_with("rahasia", test_params()).unwrap();
        let decoy = decoy_hash(Some(&account));
        let costs = |phc: &str| phc.split('$').nth(3).unwrap().to_owned();
        assert_eq!(costs(&decoy), costs(&account), "{decoy}");
        assert!(!verify("rahasia", &decoy));
        assert!(decoy_hash(None).contains("m=19456,t=2,p=1"));
    }
}
