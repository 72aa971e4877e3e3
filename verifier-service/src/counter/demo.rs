//! `--demo`'s staff account for the counter page: user `petugas` (the demo client,
//! purpose `kyc`), a random password kept in `staff-password.txt` (owner-only) so later
//! starts can print it; the configuration holds only its Argon2id hash.

use crate::demo::DemoError;
use std::path::Path;

/// The demo staff account's user name.
pub const USERNAME: &str = "petugas";
/// The file holding the demo staff password (the configuration holds its hash).
pub const PASSWORD_FILE: &str = "staff-password.txt";

/// A random password: 16 characters without look-alikes (no 0/O, 1/l/I).
fn new_password() -> Result<String, DemoError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY23456789";
    let bytes = ikd_sdk::crypto::random_bytes(16).map_err(DemoError::Random)?;
    Ok(bytes
        .iter()
        .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()))
        .map(|c| char::from(*c))
        .collect())
}

/// Creates the demo account in `dir`: writes its password file and returns the
/// `[[staff]]` table for the configuration (for `client`).
pub fn create_account(dir: &Path, client: &str) -> Result<String, DemoError> {
    let password = new_password()?;
    let hash = super::password::hash_password(&password).map_err(DemoError::Password)?;
    crate::demo::write(&dir.join(PASSWORD_FILE), &format!("{password}\n"), true)?;
    Ok(format!(
        r#"
# The counter page's demo staff account: sign in at http://<listen>/ as "{USERNAME}" with
# the password in {PASSWORD_FILE}. Make hashes with `ikd-verifier-service hash-password`.
[[staff]]
username = "{USERNAME}"
password_argon2 = "{hash}"
client = "{client}"
purpose = "kyc"
"#
    ))
}

/// The lines `--demo` prints about the counter page at `base` (`http://host:port`).
pub fn instructions(dir: &Path, base: &str) -> String {
    match std::fs::read_to_string(dir.join(PASSWORD_FILE)) {
        Ok(password) => format!(
            "The counter page (scan, upload or type a QR code in a browser):\n  {base}/\n  \
             sign in as {USERNAME}, password {}\n",
            password.trim()
        ),
        Err(_) => format!(
            "The counter page: {base}/ (this demo folder predates it and has no staff \
             account; delete the folder to start afresh)\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_random_and_readable() {
        let a = new_password().unwrap();
        assert_eq!(a.chars().count(), 16);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c))
        );
        assert_ne!(a, new_password().unwrap());
    }
}
