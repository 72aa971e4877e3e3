//! Who may call: API keys (stored only as SHA-256), the purposes each client may use, and
//! a per-client token-bucket rate limit kept in memory.

use crate::config::ClientConfig;
use crate::problem::Problem;
use axum::http::{HeaderMap, header};
use ikd_sdk::disclosure::Purpose;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Prefix of the API keys this service generates.
pub const API_KEY_PREFIX: &str = "ikd_";

/// SHA-256 of an API key, as configured in `api_key_sha256`.
pub fn hash_api_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// SHA-256 of an API key, as lower-case hex.
pub fn hash_api_key_hex(key: &str) -> String {
    ikd_sdk::encoding::hex_encode(&hash_api_key(key))
}

/// A new random API key: the prefix and 32 random bytes as hex.
pub fn new_api_key() -> Result<String, ikd_sdk::KeyError> {
    let bytes = ikd_sdk::crypto::random_bytes(32)?;
    Ok(format!(
        "{API_KEY_PREFIX}{}",
        ikd_sdk::encoding::hex_encode(&bytes)
    ))
}

/// A token bucket: `capacity` tokens, refilled continuously at `per_second`.
#[derive(Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(capacity: u32, per_minute: u32, now: Instant) -> Self {
        TokenBucket {
            capacity: f64::from(capacity),
            per_second: f64::from(per_minute) / 60.0,
            tokens: f64::from(capacity),
            last: now,
        }
    }

    /// Takes one token, or says how long until one is available.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - self.tokens;
            let seconds = if self.per_second > 0.0 {
                missing / self.per_second
            } else {
                60.0
            };
            Err(Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)))
        }
    }

    /// Gives back one token taken by [`TokenBucket::try_take`], up to the capacity.
    pub fn refund(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.capacity);
    }

    /// Whether the bucket has refilled to its capacity by `now`: it then behaves as a new
    /// one, so a table of buckets may forget it.
    pub fn is_full(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * self.per_second >= self.capacity
    }
}

/// An authenticated client.
#[derive(Debug)]
pub struct Client {
    /// The configured identifier.
    pub id: Arc<str>,
    /// The purposes it may ask for.
    pub purposes: Vec<&'static Purpose>,
    /// The purpose used when a request names none.
    pub default_purpose: &'static Purpose,
    bucket: Mutex<TokenBucket>,
}

impl Client {
    /// Takes one request from the client's rate limit.
    pub fn take_request(&self) -> Result<(), Problem> {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        bucket.try_take(Instant::now()).map_err(|wait| {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Problem::rate_limited(seconds.max(1))
        })
    }

    /// The purpose named `requested`, or the default, if this client may use it.
    pub fn purpose(&self, requested: Option<&str>) -> Result<&'static Purpose, Problem> {
        let Some(name) = requested else {
            return Ok(self.default_purpose);
        };
        let purpose = ikd_sdk::disclosure::purpose(name).ok_or_else(Problem::purpose_unknown)?;
        if self.purposes.contains(&purpose) {
            Ok(purpose)
        } else {
            Err(Problem::purpose_not_allowed())
        }
    }
}

/// Every configured client, by the SHA-256 of its key.
#[derive(Debug, Default)]
pub struct Clients {
    by_key_hash: HashMap<[u8; 32], Arc<Client>>,
}

impl Clients {
    /// The clients of a configuration, each with a full bucket.
    pub fn new(configs: &[ClientConfig]) -> Self {
        let now = Instant::now();
        let by_key_hash = configs
            .iter()
            .map(|c| {
                let client = Client {
                    id: Arc::from(c.id.as_str()),
                    purposes: c.purposes.clone(),
                    default_purpose: c.default_purpose,
                    bucket: Mutex::new(TokenBucket::new(c.burst, c.rate_limit_per_minute, now)),
                };
                (c.api_key_sha256, Arc::new(client))
            })
            .collect();
        Clients { by_key_hash }
    }

    /// Number of clients.
    pub fn len(&self) -> usize {
        self.by_key_hash.len()
    }

    /// Whether no client is configured.
    pub fn is_empty(&self) -> bool {
        self.by_key_hash.is_empty()
    }

    /// The client named `id` (the counter page's staff accounts name their client).
    pub fn by_id(&self, id: &str) -> Option<Arc<Client>> {
        self.by_key_hash
            .values()
            .find(|client| &*client.id == id)
            .cloned()
    }

    /// The client whose key the `Authorization: Bearer` header carries.
    ///
    /// The key is hashed before the look-up, so the look-up's timing says nothing about
    /// how much of a guessed key was right.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Arc<Client>, Problem> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(Problem::api_key_missing)?;
        let text = value.to_str().map_err(|_| Problem::api_key_invalid())?;
        let (scheme, key) = text.split_once(' ').ok_or_else(Problem::api_key_invalid)?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || key.is_empty() {
            return Err(Problem::api_key_invalid());
        }
        self.by_key_hash
            .get(&hash_api_key(key))
            .cloned()
            .ok_or_else(Problem::api_key_invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_refills() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2, 60, start);
        assert!(bucket.try_take(start).is_ok());
        assert!(bucket.try_take(start).is_ok());
        let wait = bucket.try_take(start).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900));
        assert!(
            bucket
                .try_take(start + Duration::from_millis(1_001))
                .is_ok()
        );
        assert!(
            bucket
                .try_take(start + Duration::from_millis(1_002))
                .is_err()
        );
        // Never more than the capacity, however long it rests.
        let later = start + Duration::from_secs(3_600);
        assert!(bucket.try_take(later).is_ok());
        assert!(bucket.try_take(later).is_ok());
        assert!(bucket.try_take(later).is_err());
    }

    #[test]
    fn keys_are_hashed_and_random() {
        assert_eq!(
            hash_api_key_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a = new_api_key().unwrap();
        let b = new_api_key().unwrap();
        assert!(a.starts_with(API_KEY_PREFIX) && a.len() == API_KEY_PREFIX.len() + 64);
        assert_ne!(a, b);
    }
}
