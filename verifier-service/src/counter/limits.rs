//! Limits on the counter page's sign-in attempts.
//!
//! Three token buckets count *failed* attempts: an attempt takes a token from each before
//! its password is checked, and a correct password gives them back.
//!
//! - per user name and client address ([`LOGIN_BURST`], [`LOGIN_PER_MINUTE`]): the tight
//!   one, against guessing one account's password from one place;
//! - per client address ([`ADDRESS_BURST`], [`ADDRESS_PER_MINUTE`]): against one place
//!   trying many user names;
//! - per user name ([`ACCOUNT_BURST`], [`ACCOUNT_PER_MINUTE`]): looser, against guessing
//!   one account from many places.
//!
//! A name and address that signed in correctly are remembered for [`REMEMBER_SUCCESS`]:
//! from there only the first bucket applies, so attempts from other addresses, which can
//! empty the per-name bucket, do not lock staff out of the counter they work at.
//!
//! User names are keyed by their SHA-256 whether or not an account has them, so a name
//! that exists and one that does not get the same answers, `Retry-After` included.
//! IPv6 addresses count by their /64 prefix, which one host usually holds whole.

use crate::auth::TokenBucket;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed sign-ins one address may make for one user name before it must wait.
pub const LOGIN_BURST: u32 = 10;
/// Failed sign-ins one address regains per minute for one user name.
pub const LOGIN_PER_MINUTE: u32 = 2;
/// Failed sign-ins one address may make, whatever the names, before it must wait.
pub const ADDRESS_BURST: u32 = 30;
/// Failed sign-ins one address regains per minute.
pub const ADDRESS_PER_MINUTE: u32 = 10;
/// Failed sign-ins for one user name, from anywhere, before new addresses must wait.
pub const ACCOUNT_BURST: u32 = 30;
/// Failed sign-ins one user name regains per minute.
pub const ACCOUNT_PER_MINUTE: u32 = 6;
/// How long a user name and address that signed in correctly skip the per-address and
/// per-name buckets.
pub const REMEMBER_SUCCESS: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Most buckets each table keeps; past it, a new name or address waits
/// [`TABLE_FULL_WAIT`] until old buckets have refilled and are forgotten.
pub const MAX_TRACKED: usize = 100_000;
/// Most remembered sign-ins; past it, new ones are not remembered.
pub const MAX_REMEMBERED: usize = 10_000;
/// The wait announced when a table is full.
pub const TABLE_FULL_WAIT: Duration = Duration::from_secs(60);
/// Least time between two sweeps of a full table, so a flood cannot make every attempt
/// walk the whole table.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// Where an attempt comes from, as far as the limits are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// An IPv4 address (IPv4-mapped IPv6 addresses included).
    V4([u8; 4]),
    /// The /64 prefix of an IPv6 address.
    V6([u8; 8]),
    /// The server did not say where the connection comes from: all such attempts count as
    /// one address.
    Unknown,
}

impl Source {
    /// The source of a client address.
    pub fn of(address: Option<IpAddr>) -> Self {
        match address.map(|a| a.to_canonical()) {
            Some(IpAddr::V4(v4)) => Source::V4(v4.octets()),
            Some(IpAddr::V6(v6)) => {
                let [a, b, c, d, e, f, g, h, ..] = v6.octets();
                Source::V6([a, b, c, d, e, f, g, h])
            }
            None => Source::Unknown,
        }
    }
}

type Name = [u8; 32];

fn name_key(username: &str) -> Name {
    Sha256::digest(username.as_bytes()).into()
}

/// Buckets by key, bounded in number.
#[derive(Debug)]
struct Table<K> {
    burst: u32,
    per_minute: u32,
    buckets: HashMap<K, TokenBucket>,
    last_sweep: Option<Instant>,
}

impl<K: Eq + Hash + Copy> Table<K> {
    fn new(burst: u32, per_minute: u32) -> Self {
        Table {
            burst,
            per_minute,
            buckets: HashMap::new(),
            last_sweep: None,
        }
    }

    /// Takes a token for `key`. A key not yet in a full table waits, unless `beyond_cap`.
    fn take(&mut self, key: K, now: Instant, beyond_cap: bool) -> Result<(), Duration> {
        if !self.buckets.contains_key(&key) && self.buckets.len() >= MAX_TRACKED {
            let due = self
                .last_sweep
                .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_INTERVAL);
            if due {
                // A bucket that has refilled is the same as none.
                self.buckets.retain(|_, bucket| !bucket.is_full(now));
                self.last_sweep = Some(now);
            }
            if self.buckets.len() >= MAX_TRACKED && !beyond_cap {
                return Err(TABLE_FULL_WAIT);
            }
        }
        let (burst, per_minute) = (self.burst, self.per_minute);
        self.buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::new(burst, per_minute, now))
            .try_take(now)
    }

    fn refund(&mut self, key: &K) {
        if let Some(bucket) = self.buckets.get_mut(key) {
            bucket.refund();
        }
    }
}

#[derive(Debug)]
struct Tables {
    pairs: Table<(Name, Source)>,
    sources: Table<Source>,
    names: Table<Name>,
    remembered: HashMap<(Name, Source), Instant>,
}

/// The sign-in limits of the counter page.
#[derive(Debug)]
pub struct SignInLimits {
    tables: Mutex<Tables>,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            tables: Mutex::new(Tables {
                pairs: Table::new(LOGIN_BURST, LOGIN_PER_MINUTE),
                sources: Table::new(ADDRESS_BURST, ADDRESS_PER_MINUTE),
                names: Table::new(ACCOUNT_BURST, ACCOUNT_PER_MINUTE),
                remembered: HashMap::new(),
            }),
        }
    }
}

/// An attempt the limits let through. It stays counted as failed unless it is passed to
/// [`SignInLimits::succeeded`].
#[derive(Debug)]
#[must_use = "an attempt counts as failed unless reported as succeeded"]
pub struct Attempt {
    name: Name,
    source: Source,
    /// Whether it took a token from the per-address and the per-name bucket.
    took_source: bool,
    took_name: bool,
}

impl SignInLimits {
    /// Takes one attempt for `username` from `address` at `now`, or says how long to wait.
    ///
    /// Either every bucket concerned gives a token or none keeps one taken. Without an
    /// address the per-address bucket is left out: shared by every client, it would let
    /// one client's failures hold up everyone's sign-ins.
    pub fn admit(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let name = name_key(username);
        let source = Source::of(address);
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        let remembered = tables
            .remembered
            .get(&(name, source))
            .is_some_and(|until| *until > now);
        // A remembered pair may grow its table past the cap: their number is capped.
        let pair = tables.pairs.take((name, source), now, remembered);
        let by_source = (!remembered && source != Source::Unknown)
            .then(|| tables.sources.take(source, now, false));
        let by_name = (!remembered).then(|| tables.names.take(name, now, false));
        let wait = [Some(pair), by_source, by_name]
            .into_iter()
            .flatten()
            .filter_map(Result::err)
            .max();
        let Some(wait) = wait else {
            return Ok(Attempt {
                name,
                source,
                took_source: by_source.is_some(),
                took_name: by_name.is_some(),
            });
        };
        if pair.is_ok() {
            tables.pairs.refund(&(name, source));
        }
        if by_source.is_some_and(|taken| taken.is_ok()) {
            tables.sources.refund(&source);
        }
        if by_name.is_some_and(|taken| taken.is_ok()) {
            tables.names.refund(&name);
        }
        Err(wait)
    }

    /// The password of `attempt` was right: its tokens come back, and its name and
    /// address are remembered.
    pub fn succeeded(&self, attempt: Attempt, now: Instant) {
        let Attempt {
            name,
            source,
            took_source,
            took_name,
        } = attempt;
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        tables.pairs.refund(&(name, source));
        if took_source {
            tables.sources.refund(&source);
        }
        if took_name {
            tables.names.refund(&name);
        }
        let remembered = &mut tables.remembered;
        if !remembered.contains_key(&(name, source)) && remembered.len() >= MAX_REMEMBERED {
            remembered.retain(|_, until| *until > now);
        }
        let until = now.checked_add(REMEMBER_SUCCESS);
        if let Some(until) = until
            && (remembered.contains_key(&(name, source)) || remembered.len() < MAX_REMEMBERED)
        {
            remembered.insert((name, source), until);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(last: u8) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)))
    }

    #[test]
    fn sources_group_ipv6_by_prefix_and_unmap_ipv4() {
        let a: Ipv6Addr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: Ipv6Addr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: Ipv6Addr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Source::of(Some(a.into())), Source::of(Some(b.into())));
        assert_ne!(Source::of(Some(a.into())), Source::of(Some(c.into())));
        let mapped: Ipv6Addr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(Source::of(Some(mapped.into())), Source::of(v4(7)));
        assert_eq!(Source::of(None), Source::Unknown);
    }

    #[test]
    fn a_refused_attempt_keeps_no_token() {
        let limits = SignInLimits::default();
        let now = Instant::now();
        // The per-name bucket empties from many addresses, each within its own limits.
        for i in 0..ACCOUNT_BURST {
            let address = v4(u8::try_from(i % 250).unwrap());
            drop(limits.admit("petugas", address, now).unwrap());
        }
        let Err(wait) = limits.admit("petugas", v4(251), now) else {
            panic!("the per-name bucket is empty");
        };
        // One token of the per-name bucket comes back in 10 s.
        assert!((wait.as_secs_f64() - 10.0).abs() < 0.01, "{wait:?}");
        // That refusal took nothing from the new address's bucket: it may still try
        // other names as often as before.
        for i in 0..ADDRESS_BURST {
            drop(limits.admit(&format!("nama{i}"), v4(251), now).unwrap());
        }
    }

    #[test]
    fn without_an_address_there_is_no_per_address_bucket() {
        let limits = SignInLimits::default();
        let now = Instant::now();
        // Many names from an unknown address: more than one address may try...
        for i in 0..ADDRESS_BURST * 2 {
            drop(limits.admit(&format!("nama{i}"), None, now).unwrap());
        }
        // ...while the per-name+address bucket still applies.
        for _ in 0..LOGIN_BURST {
            drop(limits.admit("petugas", None, now).unwrap());
        }
        assert!(limits.admit("petugas", None, now).is_err());
        // A known address that tries as many is held up.
        for i in 0..ADDRESS_BURST {
            drop(limits.admit(&format!("nama{i}"), v4(1), now).unwrap());
        }
        assert!(limits.admit("lain", v4(1), now).is_err());
    }

    #[test]
    fn full_tables_refuse_new_keys_until_buckets_refill() {
        let mut table: Table<u32> = Table::new(2, 60);
        let now = Instant::now();
        for key in 0..u32::try_from(MAX_TRACKED).unwrap() {
            table.take(key, now, false).unwrap();
        }
        assert_eq!(table.take(u32::MAX, now, false), Err(TABLE_FULL_WAIT));
        assert_eq!(table.take(u32::MAX, now, true), Ok(()));
        // Known keys still count.
        assert_eq!(table.take(0, now, false), Ok(()));
        // A second later every other bucket has refilled: they are forgotten.
        let later = now + Duration::from_secs(2);
        assert_eq!(table.take(u32::MAX - 1, later, false), Ok(()));
        assert!(table.buckets.len() < 10, "{}", table.buckets.len());
    }
}
