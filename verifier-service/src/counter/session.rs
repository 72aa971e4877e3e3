//! Staff sessions, in memory: a random token in an `HttpOnly`, `SameSite=Strict` cookie,
//! a CSRF token the page sends back in a header, an idle and an absolute expiry.
//!
//! The store keys sessions by the SHA-256 of their token, as API keys are kept: the token
//! itself exists only in the cookie. A restart signs everybody out.

use ikd_sdk::UnixTime;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "ikd_counter_session";
/// The header every POST of the page carries: the session's CSRF token (or, to sign in,
/// any non-empty value, which a cross-site form cannot send).
pub const CSRF_HEADER: &str = "x-ikd-csrf";
/// Most sessions kept at once; past it, signing in answers 503 until some expire.
pub const MAX_SESSIONS: usize = 10_000;

/// What a signed-in session is allowed to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The staff account's user name.
    pub username: Arc<str>,
    /// The CSRF token: 32 random bytes as hex.
    pub csrf_token: Arc<str>,
    /// When the session was created.
    pub created: UnixTime,
    /// When it expires unless used again (idle expiry), capped by the absolute expiry.
    pub expires_at: UnixTime,
}

#[derive(Debug)]
struct Entry {
    session: Session,
    last_seen: UnixTime,
}

/// Why a request has no usable session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// No cookie, or a token this store does not know (never issued, signed out, or
    /// issued before a restart).
    Missing,
    /// A known session past its idle or absolute expiry; it is removed.
    Expired,
    /// [`MAX_SESSIONS`] are open.
    Full,
    /// No random bytes for the token.
    Random,
}

/// The sessions of the counter page.
#[derive(Debug)]
pub struct SessionStore {
    idle_seconds: i64,
    max_seconds: i64,
    sessions: Mutex<HashMap<[u8; 32], Entry>>,
}

fn token_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn random_hex() -> Result<String, SessionError> {
    ikd_sdk::crypto::random_bytes(32)
        .map(|bytes| ikd_sdk::encoding::hex_encode(&bytes))
        .map_err(|_| SessionError::Random)
}

impl SessionStore {
    /// An empty store: sessions end `idle_seconds` after their last request, and
    /// `max_seconds` after they began at the latest.
    pub fn new(idle_seconds: i64, max_seconds: i64) -> Self {
        SessionStore {
            idle_seconds,
            max_seconds,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn expiry(&self, created: UnixTime, last_seen: UnixTime) -> UnixTime {
        UnixTime(
            last_seen
                .0
                .saturating_add(self.idle_seconds)
                .min(created.0.saturating_add(self.max_seconds)),
        )
    }

    /// Seconds a session lives without a request.
    pub fn idle_seconds(&self) -> i64 {
        self.idle_seconds
    }

    /// A new session for `username` at `now`: its token (for the cookie) and the session.
    pub fn create(&self, username: &str, now: UnixTime) -> Result<(String, Session), SessionError> {
        let token = random_hex()?;
        let session = Session {
            username: Arc::from(username),
            csrf_token: Arc::from(random_hex()?.as_str()),
            created: now,
            expires_at: self.expiry(now, now),
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, entry| entry.session.expires_at.0 > now.0);
            if sessions.len() >= MAX_SESSIONS {
                return Err(SessionError::Full);
            }
        }
        sessions.insert(
            token_key(&token),
            Entry {
                session: session.clone(),
                last_seen: now,
            },
        );
        Ok((token, session))
    }

    /// The session of `token` at `now`, which counts as a use (the idle expiry moves on).
    pub fn touch(&self, token: &str, now: UnixTime) -> Result<Session, SessionError> {
        let key = token_key(token);
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = sessions.get_mut(&key) else {
            return Err(SessionError::Missing);
        };
        if now.0 >= entry.session.expires_at.0 {
            sessions.remove(&key);
            return Err(SessionError::Expired);
        }
        entry.last_seen = UnixTime(entry.last_seen.0.max(now.0));
        entry.session.expires_at = self.expiry(entry.session.created, entry.last_seen);
        Ok(entry.session.clone())
    }

    /// Ends the session of `token`, if there is one.
    pub fn remove(&self, token: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&token_key(token));
    }

    /// Number of sessions held (expired ones included until they are next looked at).
    pub fn len(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Constant-time comparison of two tokens, so the answer's timing does not tell how many
/// leading characters of a guess were right.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The session token in a `Cookie` header value, if any.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == COOKIE_NAME)
            .then(|| value.trim())
            .filter(|v| !v.is_empty())
    })
}

/// The `Set-Cookie` value for a new session.
pub fn set_cookie(token: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/counter; Max-Age={max_age_seconds}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_at_their_maximum() {
        let store = SessionStore::new(60, 150);
        let (token, session) = store.create("petugas", UnixTime(1_000)).unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(session.expires_at, UnixTime(1_060));
        assert_ne!(&*session.csrf_token, token.as_str());
        // Used within the idle time: it lives on, up to the absolute limit.
        assert_eq!(
            store.touch(&token, UnixTime(1_050)).unwrap().expires_at,
            UnixTime(1_110)
        );
        assert_eq!(
            store.touch(&token, UnixTime(1_100)).unwrap().expires_at,
            UnixTime(1_150)
        );
        assert_eq!(
            store.touch(&token, UnixTime(1_150)),
            Err(SessionError::Expired)
        );
        // Expired sessions are removed: the token is unknown now.
        assert_eq!(
            store.touch(&token, UnixTime(1_151)),
            Err(SessionError::Missing)
        );

        let (token, _) = store.create("petugas", UnixTime(2_000)).unwrap();
        assert_eq!(
            store.touch(&token, UnixTime(2_060)),
            Err(SessionError::Expired)
        );
        let (token, _) = store.create("petugas", UnixTime(3_000)).unwrap();
        store.remove(&token);
        assert_eq!(
            store.touch(&token, UnixTime(3_001)),
            Err(SessionError::Missing)
        );
        assert_eq!(store.touch("", UnixTime(3_001)), Err(SessionError::Missing));
    }

    #[test]
    fn cookies_and_tokens() {
        assert_eq!(
            token_from_cookies("a=b; ikd_counter_session=abc ; c=d"),
            Some("abc")
        );
        assert_eq!(token_from_cookies("ikd_counter_session="), None);
        assert_eq!(token_from_cookies("other=abc"), None);
        let cookie = set_cookie("abc", 60, true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!set_cookie("abc", 60, false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd") && !tokens_equal("abc", "ab"));
    }
}
