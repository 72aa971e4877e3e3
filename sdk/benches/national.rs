//! National revocation data, simulated: 288 million credentials in status lists of 2^20
//! entries (275 lists), 1 % of them revoked at random, published with a trust list of 514
//! issuer keys. Reports the bytes a verifier downloads on its first sync and the CPU time
//! it spends loading (verifying and inflating) everything at start.
//!
//! `cargo bench -p ikd-sdk --bench national` (a plain program: no criterion). Targets:
//! at most 5 MB to sync, at most 1 s to load. Pass `--bits 2` for 2-bit lists with 1 %
//! revoked and 0.1 % suspended besides.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use ikd_sdk::status_list::{INVALID, SUSPENDED, StatusListIssue, sign_status_list};
use ikd_sdk::store::{STATUS_DIR, TRUST_LIST_FILE, TrustCache};
use ikd_sdk::trust_list::{RootKey, StatusListRef};
use ikd_sdk::{
    DocTypeSet, IssuerSigningKey, KeyStatus, Policy, StatusList, TrustAnchors, TrustEntry,
    TrustList, TrustedKey, UnixTime,
};
use std::time::{Duration, Instant};

const CREDENTIALS: u64 = 288_000_000;
const LIST_LEN: u64 = 1 << 20;
const ISSUERS: u16 = 514;
const NOW: UnixTime = UnixTime(1_790_000_000);

/// A small, fast, deterministic generator (xorshift64*), enough for a simulation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Entries to skip before the next hit of a Bernoulli process with probability `p`.
    fn gap(&mut self, p: f64) -> u64 {
        (self.unit().ln() / (1.0 - p).ln()).floor() as u64
    }
}

/// CPU time of this process so far (user + system), where the platform tells it.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel's USER_HZ is 100 on every mainstream Linux.
    Some(Duration::from_millis(ticks * 10))
}

fn issuer_key(i: u16) -> IssuerSigningKey {
    let mut seed = [0u8; 32];
    seed[..2].copy_from_slice(&i.to_be_bytes());
    seed[31] = 0xBB;
    IssuerSigningKey::from_seed(&seed)
}

fn issuer_id(i: u16) -> String {
    format!("ID-DUKCAPIL-{i:04}")
}

fn main() {
    let bits: u8 = match std::env::args().skip_while(|a| a != "--bits").nth(1) {
        Some(b) => b.parse().expect("--bits 1 or 2"),
        None => 1,
    };
    assert!(bits == 1 || bits == 2, "--bits 1 or 2");
    let lists = CREDENTIALS.div_ceil(LIST_LEN);
    let dir = std::env::temp_dir().join(format!("ikd-national-{}", std::process::id()));
    let published = dir.join("published");
    let cache_dir = dir.join("cache");
    std::fs::create_dir_all(published.join(STATUS_DIR)).unwrap();
    println!(
        "{CREDENTIALS} credentials, {lists} status lists of up to {LIST_LEN} entries, \
         {bits} bit(s) per entry, {ISSUERS} issuer keys"
    );

    // The issuers' side: lists, tokens, trust list.
    let started = Instant::now();
    let root = IssuerSigningKey::from_seed(&[0x44; 32]);
    let entries: Vec<TrustEntry> = (0..ISSUERS)
        .map(|i| TrustEntry {
            key: TrustedKey {
                issuer: issuer_id(i),
                name: format!("Disdukcapil {i:04}"),
                key: issuer_key(i).public_key(),
                valid_from: UnixTime(NOW.0 - 365 * 86_400),
                valid_until: UnixTime(NOW.0 + 5 * 365 * 86_400),
                doc_types: DocTypeSet::all(),
            },
            status: KeyStatus::Active,
            region_code: None,
        })
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut revoked, mut suspended) = (0u64, 0u64);
    let mut refs = Vec::new();
    let mut samples = Vec::new();
    let mut status_bytes = 0usize;
    for n in 0..lists {
        let len = (CREDENTIALS - n * LIST_LEN).min(LIST_LEN);
        let mut list = StatusList::new(bits, len).unwrap();
        let mut index = rng.gap(0.01);
        while index < len {
            list.set(index, INVALID).unwrap();
            revoked += 1;
            if samples.len() < 1000 && rng.next().is_multiple_of(100) {
                samples.push((n, index, INVALID));
            }
            index += 1 + rng.gap(0.01);
        }
        if bits == 2 {
            let mut index = rng.gap(0.001);
            while index < len {
                if list.get(index) == Some(0) {
                    list.set(index, SUSPENDED).unwrap();
                    suspended += 1;
                }
                index += 1 + rng.gap(0.001);
            }
        }
        let issuer = (n % u64::from(ISSUERS)) as u16;
        let uri = format!("https://ikd.example/status/{n:04}");
        let file = format!("{n:04}.cwt");
        let issue = StatusListIssue {
            issuer: &issuer_id(issuer),
            uri: &uri,
            issued_at: UnixTime(NOW.0 - 600),
            expires_at: Some(UnixTime(NOW.0 + 7 * 86_400)),
            ttl_seconds: Some(43_200),
        };
        let token = sign_status_list(&issuer_key(issuer), &issue, &list).unwrap();
        status_bytes += token.len();
        std::fs::write(published.join(STATUS_DIR).join(&file), &token).unwrap();
        refs.push(StatusListRef {
            uri,
            file,
            issuer: issuer_id(issuer),
        });
    }
    let trust_list = TrustList {
        sequence: 1,
        issued_at: UnixTime(NOW.0 - 600),
        next_update: UnixTime(NOW.0 + 7 * 86_400),
        entries,
        status_lists: refs.clone(),
        successor_roots: Vec::new(),
    }
    .sign(&root)
    .unwrap();
    std::fs::write(published.join(TRUST_LIST_FILE), &trust_list).unwrap();
    println!(
        "issuer side: {revoked} revoked ({:.3} %), {suspended} suspended, built and signed in {:.1} s",
        revoked as f64 * 100.0 / CREDENTIALS as f64,
        started.elapsed().as_secs_f64()
    );

    // What a verifier downloads on its first sync: every file, whole.
    let total = trust_list.len() + status_bytes;
    println!(
        "to sync: trust list {} bytes + {lists} status lists {} bytes = {} bytes ({:.2} MB; \
         uncompressed lists {:.1} MB)",
        trust_list.len(),
        status_bytes,
        total,
        total as f64 / 1e6,
        (CREDENTIALS * u64::from(bits)) as f64 / 8.0 / 1e6
    );

    // The verifier's side: install everything once (as a sync does), then time a start.
    let mut anchors = TrustAnchors::new();
    anchors.add(RootKey {
        name: "root".into(),
        key: root.public_key(),
    });
    {
        let cache = TrustCache::open(
            &cache_dir,
            anchors.clone(),
            Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
            NOW,
        )
        .unwrap();
        cache.install_trust_list(&trust_list, NOW).unwrap();
        for r in &refs {
            let token = std::fs::read(published.join(STATUS_DIR).join(&r.file)).unwrap();
            cache.install_status_list(&r.uri, &token, NOW).unwrap();
        }
    }
    let mut runs = Vec::new();
    for _ in 0..3 {
        let cpu_before = cpu_time();
        let wall = Instant::now();
        let cache = TrustCache::open(
            &cache_dir,
            anchors.clone(),
            Policy::default().with_bare_credentials(ikd_sdk::DocTypeSet::all()),
            NOW,
        )
        .unwrap();
        let wall = wall.elapsed();
        let cpu = cpu_before.and_then(|before| Some(cpu_time()? - before));
        assert!(cache.problems().is_empty(), "{:?}", cache.problems());
        let store = cache.store();
        assert_eq!(store.status_lists().count() as u64, lists);
        for &(n, index, status) in &samples {
            let uri = format!("https://ikd.example/status/{n:04}");
            assert_eq!(
                store.status_list(&uri).unwrap().list().get(index),
                Some(status)
            );
        }
        runs.push((wall, cpu));
    }
    for (i, (wall, cpu)) in runs.iter().enumerate() {
        println!(
            "load at start, run {}: wall {:.0} ms, CPU {}",
            i + 1,
            wall.as_secs_f64() * 1000.0,
            cpu.map_or("n/a".into(), |c| format!("{} ms", c.as_millis()))
        );
    }
    let best = runs.iter().map(|(w, _)| *w).min().unwrap_or_default();
    println!(
        "targets: sync {} (≤ 5 MB: {}), load {:.0} ms (≤ 1 s: {})",
        total,
        if total <= 5_000_000 { "met" } else { "MISSED" },
        best.as_secs_f64() * 1000.0,
        if best <= Duration::from_secs(1) {
            "met"
        } else {
            "MISSED"
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}
