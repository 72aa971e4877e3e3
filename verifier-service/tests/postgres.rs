//! The PostgreSQL audit backend against a real server: a throwaway PostgreSQL started by
//! the test on loopback (`common::pg`), never a shared one.
//!
//! Without PostgreSQL binaries these tests fail, saying how to install them, unless
//! `IKD_SKIP_POSTGRES=1` is set explicitly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use axum::http::StatusCode;
use common::pg::PgServer;
use common::*;
use hmac::{Hmac, KeyInit as _, Mac as _};
use ikd_sdk::{Policy, UnixTime, verify};
use ikd_verifier_service::audit::{AuditLog, AuditRecord};
use ikd_verifier_service::clock::Clock;
use ikd_verifier_service::config::{self, AuditBackend, Config, Overrides, PostgresUrl};
use ikd_verifier_service::{AppState, app, server};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Runs `work` on a two-thread runtime with a time limit.
fn run<T>(limit_seconds: u64, work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(limit_seconds), work)
                .await
                .expect("the test finishes in time")
        })
}

fn postgres_backend(server: &PgServer, dbname: &str) -> AuditBackend {
    AuditBackend::Postgres {
        url: PostgresUrl::parse(&server.url(dbname)).unwrap(),
    }
}

/// The test configuration with its audit rows going to `backend`.
fn config_with(dir: &Path, backend: AuditBackend) -> Config {
    let mut config = config(dir, "");
    config.audit.backend = backend;
    config
}

fn state_with(config: &Config, trust: &ikd_sdk::TrustStore) -> AppState {
    let audit = AuditLog::open(&config.audit.backend, config.audit.retention_days, NOW).unwrap();
    let state = AppState::new(config, audit, Clock::Fixed(NOW)).unwrap();
    state.trust.install(trust.clone(), "test".into(), NOW);
    state
}

fn pg_rows(server: &PgServer, dbname: &str) -> Vec<AuditRow> {
    server.with_client(dbname, |client| {
        client
            .query(
                "SELECT time, client, purpose, verdict, reason_code, credential_hmac \
                 FROM audit ORDER BY id",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect()
    })
}

/// The requests of the SQLite audit test in `tests/api.rs`: two valid verifications, a
/// rejection, and a refused request (no row).
async fn audited_requests(state: &AppState, data: &ikd_sdk::demo::DemoData) {
    let router = app(state.clone());
    // The phone shows a fresh presentation each time.
    let ktp = || shown(data, "ktp");
    for (key, body, status) in [
        (
            BANK_KEY,
            verify_body(&ktp(), Some("identity")),
            StatusCode::OK,
        ),
        (SHOP_KEY, verify_body(&ktp(), None), StatusCode::OK),
        (BANK_KEY, verify_body("IKD1:%%", None), StatusCode::OK),
        (
            "nobody",
            verify_body(&ktp(), None),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let answer = send(&router, verify_request(Some(key), body)).await;
        assert_eq!(answer.0, status, "{}", String::from_utf8_lossy(&answer.2));
    }
    state.audit.close().await;
}

/// The rows those requests leave. (Each demo data set has its own credential ids.)
fn expected_rows(data: &ikd_sdk::demo::DemoData) -> Vec<AuditRow> {
    let cti = verify(&shown(data, "ktp"), &data.trust, NOW, &Policy::default())
        .unwrap()
        .credential_id()
        .unwrap()
        .to_vec();
    let key = ikd_sdk::encoding::hex_decode(HMAC_KEY_HEX).unwrap();
    let mut mac = <Hmac<sha2::Sha256>>::new_from_slice(&key).unwrap();
    mac.update(&cti);
    let hmac = ikd_sdk::encoding::hex_encode(&mac.finalize().into_bytes());
    let row = |client: &str, purpose: &str, verdict: &str, reason: Option<&str>, hmac| {
        (
            NOW.0,
            client.to_owned(),
            purpose.to_owned(),
            verdict.to_owned(),
            reason.map(str::to_owned),
            hmac,
        )
    };
    vec![
        row("bank", "identity", "valid", None, Some(hmac.clone())),
        row("shop", "age_check", "valid", None, Some(hmac)),
        row("bank", "kyc", "rejected", Some("base45_invalid"), None),
    ]
}

fn record(days_ago: i64, client: &str) -> AuditRecord {
    AuditRecord {
        time: UnixTime(NOW.0 - days_ago * 86_400),
        client: Arc::from(client),
        purpose: "kyc",
        verdict: ikd_sdk::Verdict::Valid,
        reason_code: None,
        credential_hmac: None,
    }
}

/// A configuration file for an instance of a multi-instance deployment: the audit log and
/// the replay store in PostgreSQL, selected in the file.
fn instance_config(dir: &Path, url: &str) -> Config {
    let text = format!(
        r#"
listen = "127.0.0.1:0"
trust_store = "trust.json"
[policy]
replay_store = "audit_database"
[audit]
backend = "postgres"
postgres_url = "{url}"
hmac_key = "{HMAC_KEY_HEX}"
retention_days = 30
[[clients]]
id = "bank"
api_key_sha256 = "{bank}"
purposes = ["kyc"]
rate_limit_per_minute = 100000
[[clients]]
id = "shop"
api_key_sha256 = "{shop}"
purposes = ["age_check"]
rate_limit_per_minute = 100000
"#,
        bank = ikd_verifier_service::auth::hash_api_key_hex(BANK_KEY),
        shop = ikd_verifier_service::auth::hash_api_key_hex(SHOP_KEY),
    );
    std::fs::write(dir.join("service.toml"), text).unwrap();
    std::fs::write(dir.join("trust.json"), demo_data().trust.to_json()).unwrap();
    config::load(
        Some(&dir.join("service.toml")),
        |_| None,
        &Overrides::default(),
    )
    .unwrap()
}

#[test]
fn postgres_holds_the_same_rows_as_sqlite_with_the_same_retention() {
    let Some(server) = PgServer::start("rows") else {
        return;
    };
    let dir = TempDir::new("pg-rows");

    // 1. The same requests through the service give the same rows in both backends.
    server.create_database("rows");
    let sqlite_path = dir.path().join("same.sqlite3");
    let data = demo_data();
    let sqlite_state = state_with(&config_with(dir.path(), sqlite(&sqlite_path)), &data.trust);
    let pg_state = state_with(
        &config_with(dir.path(), postgres_backend(&server, "rows")),
        &data.trust,
    );
    run(30, async {
        audited_requests(&sqlite_state, &data).await;
        audited_requests(&pg_state, &data).await;
    });
    let expected = expected_rows(&data);
    assert_eq!(sqlite_audit_rows(&sqlite_path), expected);
    assert_eq!(pg_rows(&server, "rows"), expected);
    let columns: Vec<String> = server.with_client("rows", |client| {
        client
            .query(
                "SELECT column_name::TEXT FROM information_schema.columns \
                 WHERE table_name = 'audit' ORDER BY ordinal_position",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    let sqlite_columns: Vec<String> = rusqlite::Connection::open(&sqlite_path)
        .unwrap()
        .prepare("SELECT name FROM pragma_table_info('audit')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(columns, sqlite_columns);

    // 2. Retention: rows older than 30 days go at start and when purged.
    server.create_database("retention");
    let backend = postgres_backend(&server, "retention");
    let count = || -> i64 {
        server.with_client("retention", |client| {
            client
                .query_one("SELECT count(*) FROM audit", &[])
                .unwrap()
                .get(0)
        })
    };
    run(30, async {
        let log = AuditLog::open(&backend, 30, NOW).unwrap();
        for days_ago in [45, 31, 29, 0] {
            log.record(record(days_ago, "bank")).await.unwrap();
        }
        log.close().await;
        assert!(log.record(record(0, "bank")).await.is_err(), "closed");
    });
    assert_eq!(count(), 4);
    run(30, async {
        let log = AuditLog::open(&backend, 30, NOW).unwrap();
        assert_eq!(
            log.stats()
                .purged
                .load(std::sync::atomic::Ordering::Relaxed),
            2
        );
        assert_eq!(count(), 2);
        log.purge(UnixTime(NOW.0 + 20 * 86_400)).await.unwrap();
        log.flush().await.unwrap();
        assert_eq!(count(), 1);
        log.close().await;
    });

    // 3. Several instances start at once on an empty database: the table is made once.
    server.create_database("race");
    let backend = postgres_backend(&server, "race");
    let logs: Vec<AuditLog> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| AuditLog::open(&backend, 30, NOW)))
            .collect();
        starts
            .into_iter()
            .map(|s| s.join().unwrap().unwrap())
            .collect()
    });
    run(30, async {
        for (i, log) in logs.iter().enumerate() {
            for _ in 0..=i {
                log.record(record(0, &format!("instance-{i}")))
                    .await
                    .unwrap();
            }
        }
        for log in &logs {
            log.close().await;
        }
    });
    assert_eq!(pg_rows(&server, "race").len(), 1 + 2 + 3 + 4);

    // 4. Two service instances, each from its own configuration file naming the postgres
    //    backend, behind one (imagined) load balancer, over real loopback HTTP.
    server.create_database("multi");
    let dirs = [TempDir::new("pg-instance-a"), TempDir::new("pg-instance-b")];
    let url = server.url("multi");
    let configs: Vec<Config> = dirs
        .iter()
        .map(|d| instance_config(d.path(), &url))
        .collect();
    for config in &configs {
        assert_eq!(config.audit.backend.name(), "postgres");
    }
    let data = demo_data();
    run(60, async {
        let mut instances = Vec::new();
        for config in &configs {
            let state = server::build(config, Clock::Fixed(NOW)).unwrap();
            let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(server::serve(listener, state, async {
                let _ = stopped.await;
            }));
            instances.push((addr, stop, task));
        }
        for (i, credential) in data.credentials.iter().cycle().take(12).enumerate() {
            let (addr, key, purpose) = if i % 3 == 0 {
                (instances[1].0, SHOP_KEY, "age_check")
            } else {
                (instances[0].0, BANK_KEY, "kyc")
            };
            let (status, answer) =
                post_verify(addr, key, &shown(&data, credential.sample), Some(purpose)).await;
            assert_eq!(status, 200, "{answer}");
            let (status, _) = http_request(addr, "GET", "/readyz", &[], b"").await;
            assert_eq!(status, 200);
        }
        // One QR code from the phone, accepted by one instance, is refused by the other:
        // they share the replay store.
        let presented = shown(&data, "ktp");
        let mut codes = Vec::new();
        for (addr, _, _) in [&instances[0], &instances[1], &instances[0]] {
            let (status, answer) = post_verify(*addr, BANK_KEY, &presented, Some("kyc")).await;
            assert_eq!(status, 200, "{answer}");
            let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
            codes.push(
                answer["reason"]["code"]
                    .as_str()
                    .unwrap_or("none")
                    .to_owned(),
            );
        }
        assert_eq!(
            codes,
            ["none", "presentation_replayed", "presentation_replayed"]
        );
        for (_, stop, task) in instances {
            let _ = stop.send(());
            task.await.unwrap().unwrap();
        }
    });
    let rows = pg_rows(&server, "multi");
    let by = |client: &str| rows.iter().filter(|r| r.1 == client).count();
    assert_eq!((by("bank"), by("shop"), rows.len()), (11, 4, 15));
    let replayed = rows
        .iter()
        .filter(|r| r.4.as_deref() == Some("presentation_replayed"))
        .count();
    assert_eq!(replayed, 2);
    assert!(
        rows.iter()
            .all(|r| (r.3 == "valid") == r.5.is_some() && (r.3 == "valid") == r.4.is_none())
    );
    // The shared store holds hashes and times only: one row per presentation accepted
    // (the KTP-el and the profiles are shown from the phone; the KKs are bare).
    let replay_rows: Vec<(Vec<u8>, i64)> = server.with_client("multi", |client| {
        client
            .query("SELECT id, forget_after FROM presentation_replay", &[])
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    });
    let shown_in_the_loop = (0..12)
        .filter(|i| data.credentials[i % data.credentials.len()].bound)
        .count();
    assert!(shown_in_the_loop > 0);
    assert_eq!(replay_rows.len(), shown_in_the_loop + 1);
    assert!(
        replay_rows
            .iter()
            .all(|(id, forget_after)| id.len() == 32 && *forget_after <= NOW.0 + 120)
    );
    // Once they may be forgotten, the purge deletes them.
    let replay = ikd_verifier_service::replay::ReplayBackend::open(&configs[0].replay).unwrap();
    assert_eq!(
        replay.purge(UnixTime(NOW.0 + 121)).unwrap(),
        replay_rows.len() as u64
    );
}

#[test]
fn while_postgres_is_down_nothing_is_answered_unaudited() {
    let Some(mut server) = PgServer::start("outage") else {
        return;
    };
    let dir = TempDir::new("pg-outage");
    server.create_database("outage");
    let data = demo_data();
    let state = state_with(
        &config_with(dir.path(), postgres_backend(&server, "outage")),
        &data.trust,
    );
    let router = app(state.clone());
    let verify_once = |purpose: &'static str| {
        let router = router.clone();
        let body = verify_body(&shown(&data, "ktp"), Some(purpose));
        async move { send(&router, verify_request(Some(BANK_KEY), body)).await }
    };
    let ready = || {
        let router = router.clone();
        async move { send(&router, get("/readyz", None)).await }
    };

    // A: written.
    run(30, async {
        assert_eq!(verify_once("kyc").await.0, StatusCode::OK);
        state.audit.flush().await.unwrap();
        assert!(!state.audit.is_failing());
    });

    server.stop();
    run(60, async {
        // B: answered while the server had just gone; its row waits for the next attempt.
        assert_eq!(verify_once("identity").await.0, StatusCode::OK);
        state.audit.flush().await.unwrap();
        assert!(state.audit.is_failing());
        // C: the database is known to fail, so the request waits for its row and is
        // refused: no answer without an audit row.
        let refused = verify_once("age_check").await;
        assert_problem(
            &refused,
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
        );
        assert_problem(
            &ready().await,
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
        );
        let metrics = send(&router, get("/metrics", None)).await;
        assert!(String::from_utf8_lossy(&metrics.2).contains("\nikd_audit_failing 1\n"));
    });

    server.restart();
    run(60, async {
        // D: the writer connects again, writes B and D, and answers.
        let answer = verify_once("domicile").await;
        assert_eq!(answer.0, StatusCode::OK);
        assert!(!state.audit.is_failing());
        assert_eq!(ready().await.0, StatusCode::OK);
        state.audit.close().await;
    });
    let purposes: Vec<String> = pg_rows(&server, "outage")
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(purposes, ["kyc", "identity", "domicile"]);
}

#[test]
fn the_shared_replay_store_refuses_while_postgres_is_down_and_recovers() {
    use ikd_sdk::ReplayStore as _;
    use ikd_verifier_service::config::ReplayStoreConfig;
    use ikd_verifier_service::replay::{RETRY_AFTER_FAILURE, ReplayBackend};

    let Some(mut server) = PgServer::start("replay-outage") else {
        return;
    };
    server.create_database("replay");
    let url = PostgresUrl::parse(&server.url("replay")).unwrap();
    let store = ReplayBackend::open(&ReplayStoreConfig::Postgres { url }).unwrap();
    assert!(store.blocks());
    let until = UnixTime(NOW.0 + 120);
    assert_eq!(store.remember(&[1; 32], until, NOW), Ok(true));
    assert_eq!(store.remember(&[1; 32], until, NOW), Ok(false));

    // Down: refused, not accepted unchecked; the next ones fail at once for a moment.
    server.stop();
    assert_eq!(
        store.remember(&[2; 32], until, NOW),
        Err(ikd_sdk::ReplayStoreUnavailable)
    );
    assert_eq!(
        store.remember(&[3; 32], until, NOW),
        Err(ikd_sdk::ReplayStoreUnavailable)
    );
    assert!(store.purge(NOW).is_err());

    // Back: it reconnects, and what it remembered before is still remembered.
    server.restart();
    std::thread::sleep(RETRY_AFTER_FAILURE);
    assert_eq!(store.remember(&[2; 32], until, NOW), Ok(true));
    assert_eq!(store.remember(&[1; 32], until, NOW), Ok(false));
    // Forgotten after its time: a presentation that old is refused as expired anyway.
    let later = UnixTime(until.0 + 1);
    assert_eq!(
        store.remember(&[1; 32], UnixTime(later.0 + 120), later),
        Ok(true)
    );
    assert_eq!(store.purge(UnixTime(later.0 + 121)).unwrap(), 2);
}
