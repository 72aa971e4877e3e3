//! The counter page's settings (`[counter]`) and staff accounts (`[[staff]]`).
//!
//! A staff account names an API client and one of its purposes: whoever signs in with it
//! verifies as that client, for that purpose, and sees what the purpose allows. Passwords
//! are stored only as Argon2id PHC strings (`ikd-verifier-service hash-password`).

use crate::config::{ClientConfig, ConfigError};
use ikd_sdk::disclosure::{self, Purpose};
use serde::Deserialize;

/// Default time a session lives without a request.
pub const DEFAULT_SESSION_IDLE_MINUTES: u32 = 30;
/// Default longest life of a session, however busy.
pub const DEFAULT_SESSION_MAX_MINUTES: u32 = 12 * 60;

/// `[counter]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCounter {
    pub(crate) session_idle_minutes: Option<u32>,
    pub(crate) session_max_minutes: Option<u32>,
    pub(crate) secure_cookie: Option<bool>,
}

/// One `[[staff]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaff {
    username: String,
    password_argon2: String,
    client: String,
    purpose: Option<String>,
}

/// A staff account, checked against the clients.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffConfig {
    /// What staff type to sign in.
    pub username: String,
    /// The Argon2id PHC string of the password.
    pub password_argon2: String,
    /// The API client the account verifies as.
    pub client: String,
    /// The purpose its verifications use: one of the client's.
    pub purpose: &'static Purpose,
}

impl std::fmt::Debug for StaffConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffConfig")
            .field("username", &self.username)
            .field("client", &self.client)
            .field("purpose", &self.purpose.name)
            .finish_non_exhaustive()
    }
}

/// The counter page's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterConfig {
    /// Seconds a session lives without a request.
    pub session_idle_seconds: i64,
    /// Seconds a session lives at most.
    pub session_max_seconds: i64,
    /// Whether the session cookie carries `Secure` (the service is reached over HTTPS).
    pub secure_cookie: bool,
    /// The staff accounts; none: nobody can sign in.
    pub staff: Vec<StaffConfig>,
}

impl Default for CounterConfig {
    fn default() -> Self {
        CounterConfig {
            session_idle_seconds: i64::from(DEFAULT_SESSION_IDLE_MINUTES) * 60,
            session_max_seconds: i64::from(DEFAULT_SESSION_MAX_MINUTES) * 60,
            secure_cookie: false,
            staff: Vec::new(),
        }
    }
}

/// Checks the settings and every account against the configured clients.
pub fn resolve(
    raw: RawCounter,
    staff: Vec<RawStaff>,
    clients: &[ClientConfig],
) -> Result<CounterConfig, ConfigError> {
    let minutes = |name: &str, value: Option<u32>, default: u32| {
        let value = value.unwrap_or(default);
        if (1..=7 * 24 * 60).contains(&value) {
            Ok(i64::from(value) * 60)
        } else {
            Err(crate::config::error(format!(
                "counter.{name} must be between 1 and 10080"
            )))
        }
    };
    let session_idle_seconds = minutes(
        "session_idle_minutes",
        raw.session_idle_minutes,
        DEFAULT_SESSION_IDLE_MINUTES,
    )?;
    let session_max_seconds = minutes(
        "session_max_minutes",
        raw.session_max_minutes,
        DEFAULT_SESSION_MAX_MINUTES,
    )?;
    let mut accounts: Vec<StaffConfig> = Vec::new();
    for (index, raw) in staff.into_iter().enumerate() {
        let at = |what: &str| crate::config::error(format!("staff[{index}]: {what}"));
        let name_ok = (1..=64).contains(&raw.username.len())
            && raw
                .username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !name_ok {
            return Err(at("username must be 1 to 64 of A-Z a-z 0-9 - _ ."));
        }
        if accounts.iter().any(|a| a.username == raw.username) {
            return Err(at("username is used twice"));
        }
        if !crate::counter::password::is_argon2id(&raw.password_argon2) {
            return Err(at(
                "password_argon2 must be an Argon2id PHC string ($argon2id$v=19$...); make one \
                 with `ikd-verifier-service hash-password`",
            ));
        }
        let client = clients
            .iter()
            .find(|c| c.id == raw.client)
            .ok_or_else(|| at("client must be the id of a configured [[clients]] table"))?;
        let purpose = match raw.purpose.as_deref() {
            None => client.default_purpose,
            Some(name) => disclosure::purpose(name)
                .filter(|p| client.purposes.contains(p))
                .ok_or_else(|| at("purpose must be one of the client's purposes"))?,
        };
        accounts.push(StaffConfig {
            username: raw.username,
            password_argon2: raw.password_argon2,
            client: raw.client,
            purpose,
        });
    }
    Ok(CounterConfig {
        session_idle_seconds,
        session_max_seconds,
        secure_cookie: raw.secure_cookie.unwrap_or(false),
        staff: accounts,
    })
}
