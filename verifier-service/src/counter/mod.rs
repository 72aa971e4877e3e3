//! The counter page: a web page served by the service itself, where signed-in staff scan
//! a QR code with the camera, upload a photo or PDF, or type with a USB scanner, and see
//! the verdict.
//!
//! - [`config`]: `[counter]` settings and `[[staff]]` accounts (client and purpose).
//! - [`password`]: Argon2id password hashes.
//! - [`session`]: in-memory sessions, the cookie and the CSRF token.
//! - [`routes`]: the page, its assets and its JSON endpoints under `/counter`.
//!
//! The page asks the same verification core as `POST /v1/verify`, as the account's API
//! client and for its purpose, so it never receives more than the purpose allows: the
//! SDK's disclosure filters the verdict on the server, not the page's script.

pub mod config;
pub mod demo;
pub mod password;
pub mod routes;
pub mod session;

use crate::auth::TokenBucket;
use config::{CounterConfig, StaffConfig};
use session::SessionStore;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Sign-in attempts an account may make at once before it must wait.
pub const LOGIN_BURST: u32 = 10;
/// Sign-in attempts an account regains per minute.
pub const LOGIN_PER_MINUTE: u32 = 2;

/// The counter page's shared state: accounts, sessions, sign-in limits.
#[derive(Debug)]
pub struct Counter {
    accounts: HashMap<String, StaffConfig>,
    /// The sessions.
    pub sessions: SessionStore,
    /// Whether cookies carry `Secure`.
    pub secure_cookie: bool,
    /// The longest life of a session, for the cookie's `Max-Age`.
    pub session_max_seconds: i64,
    /// Sign-in attempts per user name; names without an account share one bucket.
    login_buckets: Mutex<HashMap<String, TokenBucket>>,
    /// Bounds the password checks running at once.
    pub password_checks: Semaphore,
}

/// The bucket key of sign-in attempts for names without an account.
const UNKNOWN_ACCOUNT: &str = "";

impl Counter {
    /// The counter state for `config`.
    pub fn new(config: &CounterConfig) -> Self {
        Counter {
            accounts: config
                .staff
                .iter()
                .map(|s| (s.username.clone(), s.clone()))
                .collect(),
            sessions: SessionStore::new(config.session_idle_seconds, config.session_max_seconds),
            secure_cookie: config.secure_cookie,
            session_max_seconds: config.session_max_seconds,
            login_buckets: Mutex::new(HashMap::new()),
            password_checks: Semaphore::new(password::MAX_CONCURRENT_CHECKS),
        }
    }

    /// The account named `username`.
    pub fn account(&self, username: &str) -> Option<&StaffConfig> {
        self.accounts.get(username)
    }

    /// Number of staff accounts.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    /// Takes one sign-in attempt for `username`, or says how long to wait.
    pub fn take_login_attempt(&self, username: &str) -> Result<(), Duration> {
        let key = if self.accounts.contains_key(username) {
            username
        } else {
            UNKNOWN_ACCOUNT
        };
        let now = Instant::now();
        let mut buckets = self
            .login_buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(key.to_owned())
            .or_insert_with(|| TokenBucket::new(LOGIN_BURST, LOGIN_PER_MINUTE, now))
            .try_take(now)
    }
}
