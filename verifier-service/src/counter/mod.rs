//! The counter page: a web page served by the service itself, where signed-in staff scan
//! a QR code with the camera, upload a photo or PDF, or type with a USB scanner, and see
//! the verdict.
//!
//! - [`config`]: `[counter]` settings and `[[staff]]` accounts (client and purpose).
//! - [`password`]: Argon2id password hashes.
//! - [`session`]: in-memory sessions, the cookie and the CSRF token.
//! - [`limits`]: sign-in limits per user name and client address.
//! - [`routes`]: the page, its assets and its JSON endpoints under `/counter`.
//!
//! The page asks the same verification core as `POST /v1/verify`, as the account's API
//! client and for its purpose, so it never receives more than the purpose allows: the
//! SDK's disclosure filters the verdict on the server, not the page's script.

pub mod config;
pub mod demo;
pub mod limits;
pub mod password;
pub mod routes;
pub mod session;

use crate::clock::Clock;
use config::{CounterConfig, StaffConfig};
use limits::{Attempt, SignInLimits};
use session::SessionStore;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

pub use limits::{LOGIN_BURST, LOGIN_PER_MINUTE};

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
    /// Failed sign-in attempts by user name and client address.
    limits: SignInLimits,
    /// Where the limits' time comes from: a fixed clock stops it, so that their waits
    /// are exact in tests and reproducible runs.
    limits_clock: LimitsClock,
    /// An account's PHC string, whose costs the decoy copies.
    decoy_like: Option<String>,
    /// What a password is checked against when the user name has no account; made at
    /// the first such check (it costs one password hash).
    decoy_phc: OnceLock<String>,
    /// Bounds the password checks running at once.
    pub password_checks: Semaphore,
}

impl Counter {
    /// The counter state for `config`; a [`Clock::Fixed`] stops the sign-in limits'
    /// clock.
    pub fn new(config: &CounterConfig, clock: Clock) -> Self {
        Counter {
            accounts: config
                .staff
                .iter()
                .map(|s| (s.username.clone(), s.clone()))
                .collect(),
            sessions: SessionStore::new(config.session_idle_seconds, config.session_max_seconds),
            secure_cookie: config.secure_cookie,
            session_max_seconds: config.session_max_seconds,
            limits: SignInLimits::default(),
            limits_clock: match clock {
                Clock::System => LimitsClock::Running,
                Clock::Fixed(_) => LimitsClock::Stopped(Instant::now()),
            },
            decoy_like: config.staff.first().map(|a| a.password_argon2.clone()),
            decoy_phc: OnceLock::new(),
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

    /// The PHC string a password is checked against for a name without an account: with
    /// the costs of the first account, so that both checks take as long. The first call
    /// hashes; call it off the async workers.
    pub fn decoy_phc(&self) -> &str {
        self.decoy_phc
            .get_or_init(|| password::decoy_hash(self.decoy_like.as_deref()))
    }

    /// Takes one sign-in attempt for `username` from `address` (`None`: not known), or
    /// says how long to wait. The same whether or not `username` has an account.
    pub fn take_login_attempt(
        &self,
        username: &str,
        address: Option<IpAddr>,
    ) -> Result<Attempt, Duration> {
        self.limits
            .admit(username, address, self.limits_clock.now())
    }

    /// The password of `attempt` was right: it does not count against the limits.
    pub fn login_succeeded(&self, attempt: Attempt) {
        self.limits.succeeded(attempt, self.limits_clock.now());
    }
}

/// The time of the sign-in limits.
#[derive(Debug, Clone, Copy)]
enum LimitsClock {
    Running,
    Stopped(Instant),
}

impl LimitsClock {
    fn now(self) -> Instant {
        match self {
            LimitsClock::Running => Instant::now(),
            LimitsClock::Stopped(at) => at,
        }
    }
}
