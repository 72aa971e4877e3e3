//! The counter page through the router: the page and its assets, sign-in, sessions, CSRF,
//! and verification as the account's client and purpose (text and pictures). Every
//! refusal is checked by its status and code. The real-browser test is `browser.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::counter::*;
use common::pictures;
use common::*;
use ikd_sdk::UnixTime;
use ikd_verifier_service::counter::limits::{ACCOUNT_BURST, ADDRESS_BURST};
use ikd_verifier_service::counter::session::{COOKIE_NAME, CSRF_HEADER};
use ikd_verifier_service::counter::{LOGIN_BURST, routes::CONTENT_SECURITY_POLICY};

#[tokio::test]
async fn the_root_leads_to_the_page_and_every_asset_is_local() {
    let dir = TempDir::new("counter-page");
    let router = app_for(&counter_state(dir.path(), ""));
    let (status, headers, _) = send(&router, get("/", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/counter");

    let (status, headers, body) = send(&router, get("/counter", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("<html lang=\"id\">"));
    assert!(html.contains("src=\"/counter/assets/app.js\""));
    assert!(html.contains("src=\"/counter/assets/verdict.js\""));
    assert!(html.contains("href=\"/counter/assets/app.css\""));
    // Every input has a label.
    for id in ["username", "password", "wedge", "file-input"] {
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
    }

    for (path, media) in [
        ("/counter/assets/app.js", "text/javascript; charset=utf-8"),
        (
            "/counter/assets/verdict.js",
            "text/javascript; charset=utf-8",
        ),
        ("/counter/assets/app.css", "text/css; charset=utf-8"),
    ] {
        let (status, headers, body) = send(&router, get(path, None)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], media, "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let text = String::from_utf8(body).unwrap();
        // Nothing from another origin, and nothing kept in the browser's storage.
        for banned in [
            "http://",
            "https://",
            "//cdn",
            "localStorage",
            "sessionStorage",
            "indexedDB",
            "document.cookie",
        ] {
            assert!(!text.contains(banned), "{path} holds {banned}");
        }
    }
    assert!(!html.contains("https://") && !html.contains("http://"));
    assert_eq!(
        send(&router, get("/counter/assets/other.js", None)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_describes_the_account() {
    let dir = TempDir::new("counter-login");
    let router = app_for(&counter_state(dir.path(), ""));
    let (status, headers, body) = send(
        &router,
        page_post(
            "/counter/api/login",
            None,
            Some("1"),
            &login_body("petugas", PASSWORD),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")), "{cookie}");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/counter",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let info = json(&body);
    assert_eq!(info["username"], "petugas");
    assert_eq!(info["client"], "bank");
    assert_eq!(info["purpose"], "kyc");
    assert_eq!(info["csrf_token"].as_str().unwrap().len(), 64);
    assert_eq!(info["trust"]["loaded"], true);
    assert_eq!(info["expires_at"], UnixTime(NOW.0 + 30 * 60).to_string());
    assert!(
        !body
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes())
    );

    let signed = sign_in(&router, "petugas").await;
    let (status, _, body) = send(
        &router,
        page_get("/counter/api/session", Some(&signed.token)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["csrf_token"], signed.csrf.as_str());

    // Behind TLS the cookie is Secure.
    let dir = TempDir::new("counter-secure");
    let router = app_for(&counter_state(
        dir.path(),
        "[counter]\nsecure_cookie = true\n",
    ));
    let (status, headers, _) = send(
        &router,
        page_post(
            "/counter/api/login",
            None,
            Some("1"),
            &login_body("petugas", PASSWORD),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .ends_with("; Secure")
    );
}

#[tokio::test]
async fn bad_sign_ins_are_refused_with_their_codes() {
    let dir = TempDir::new("counter-bad-login");
    let router = app_for(&counter_state(dir.path(), ""));
    let login = |user: &str, password: &str| {
        page_post(
            "/counter/api/login",
            None,
            Some("1"),
            &login_body(user, password),
        )
    };
    let wrong = send(&router, login("petugas", "salah")).await;
    assert_problem(&wrong, StatusCode::UNAUTHORIZED, "login_failed");
    assert!(!wrong.1.contains_key(header::SET_COOKIE));
    let unknown = send(&router, login("siapa", PASSWORD)).await;
    assert_problem(&unknown, StatusCode::UNAUTHORIZED, "login_failed");
    assert_eq!(
        wrong.2, unknown.2,
        "the answer does not tell which names exist"
    );

    // No CSRF header: a cross-site form could send this.
    let request = page_post(
        "/counter/api/login",
        None,
        None,
        &login_body("petugas", PASSWORD),
    );
    assert_problem(
        &send(&router, request).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    );
    // Another site's script, as the browser says.
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "null"),
    ] {
        let mut request = login("petugas", PASSWORD);
        request
            .headers_mut()
            .insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        request.headers_mut().insert(name, value.parse().unwrap());
        assert_problem(
            &send(&router, request).await,
            StatusCode::FORBIDDEN,
            "csrf_failed",
        );
    }
    // The same origin passes.
    let mut request = login("petugas", PASSWORD);
    request
        .headers_mut()
        .insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    request
        .headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
    request
        .headers_mut()
        .insert("sec-fetch-site", "same-origin".parse().unwrap());
    assert_eq!(send(&router, request).await.0, StatusCode::OK);

    // A form post, not JSON.
    let request = Request::post("/counter/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(CSRF_HEADER, "1")
        .body(Body::from(format!("username=petugas&password={PASSWORD}")))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let request = page_post(
        "/counter/api/login",
        None,
        Some("1"),
        "{\"username\": \"petugas\"}",
    );
    assert_problem(
        &send(&router, request).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    let request = page_post("/counter/api/login", None, Some("1"), &"x".repeat(5000));
    assert_problem(
        &send(&router, request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );

    // Guessing is limited per account and address (here the router is called without a
    // client address, so every request counts as one unknown address): after the burst,
    // even the right password waits.
    for _ in 0..LOGIN_BURST {
        assert_eq!(
            send(&router, login("kunci", "tebak")).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = send(&router, login("kunci", PASSWORD)).await;
    assert_problem(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(limited.1.contains_key(header::RETRY_AFTER));
    // Other accounts are not affected.
    assert_eq!(
        send(&router, login("identitas", PASSWORD)).await.0,
        StatusCode::OK
    );
}

/// Addresses of documentation networks (RFC 5737): the attacker's, the counter's.
const ATTACKER: [u8; 4] = [203, 0, 113, 9];
const COUNTER_PC: [u8; 4] = [192, 0, 2, 20];

#[tokio::test]
async fn guesses_from_elsewhere_do_not_lock_staff_out() {
    let dir = TempDir::new("counter-lockout");
    let router = app_for(&counter_state(dir.path(), ""));
    // The attacker's guesses use up what its address may try for `petugas`...
    for _ in 0..LOGIN_BURST {
        assert_problem(
            &send(&router, login_from(ATTACKER, "petugas", "tebakan")).await,
            StatusCode::UNAUTHORIZED,
            "login_failed",
        );
    }
    let limited = send(&router, login_from(ATTACKER, "petugas", PASSWORD)).await;
    assert_problem(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(limited.1[header::RETRY_AFTER], "30");
    assert!(!limited.1.contains_key(header::SET_COOKIE));
    // ...but the staff member at the counter signs in.
    assert_eq!(
        send(&router, login_from(COUNTER_PC, "petugas", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );

    // Guesses from many addresses, each within its own limit, empty the per-name bucket:
    // a further address must wait even with the right password...
    let mut failed = LOGIN_BURST;
    let mut host = 1u8;
    while failed < ACCOUNT_BURST {
        for _ in 0..2 {
            assert_problem(
                &send(&router, login_from([198, 51, 100, host], "petugas", "x")).await,
                StatusCode::UNAUTHORIZED,
                "login_failed",
            );
            failed += 1;
        }
        host += 1;
    }
    let elsewhere = send(
        &router,
        login_from([198, 51, 100, 200], "petugas", PASSWORD),
    )
    .await;
    assert_problem(&elsewhere, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(elsewhere.1.contains_key(header::RETRY_AFTER));
    // ...while the counter PC, where `petugas` signed in before, is not held up.
    for _ in 0..3 {
        assert_eq!(
            send(&router, login_from(COUNTER_PC, "petugas", PASSWORD))
                .await
                .0,
            StatusCode::OK
        );
    }
    // Other accounts are not affected.
    assert_eq!(
        send(&router, login_from(ATTACKER, "identitas", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn successful_sign_ins_do_not_count() {
    let dir = TempDir::new("counter-success");
    let router = app_for(&counter_state(dir.path(), ""));
    // A busy counter signs in more often than the burst allows failures.
    for _ in 0..LOGIN_BURST + 5 {
        assert_eq!(
            send(&router, login_from(COUNTER_PC, "kunci", PASSWORD))
                .await
                .0,
            StatusCode::OK
        );
    }
    // Typos count; the sign-in that follows them does not.
    for _ in 0..LOGIN_BURST - 1 {
        assert_problem(
            &send(&router, login_from(COUNTER_PC, "kunci", "typo")).await,
            StatusCode::UNAUTHORIZED,
            "login_failed",
        );
    }
    assert_eq!(
        send(&router, login_from(COUNTER_PC, "kunci", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );
    assert_problem(
        &send(&router, login_from(COUNTER_PC, "kunci", "typo")).await,
        StatusCode::UNAUTHORIZED,
        "login_failed",
    );
    // That was the last failure the burst allows.
    assert_problem(
        &send(&router, login_from(COUNTER_PC, "kunci", PASSWORD)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test]
async fn names_with_and_without_an_account_get_the_same_answers() {
    let dir = TempDir::new("counter-names");
    let router = app_for(&counter_state(dir.path(), ""));
    let exhaust = |address: [u8; 4], user: &'static str| {
        let router = router.clone();
        async move {
            let mut failures = Vec::new();
            for _ in 0..LOGIN_BURST {
                failures.push(send(&router, login_from(address, user, "tebakan")).await);
            }
            (
                failures,
                send(&router, login_from(address, user, "tebakan")).await,
            )
        }
    };
    let (known_failures, known_limited) = exhaust([192, 0, 2, 1], "kunci").await;
    let (unknown_failures, unknown_limited) = exhaust([192, 0, 2, 2], "tidak-ada").await;
    for (known, unknown) in known_failures.iter().zip(&unknown_failures) {
        assert_problem(known, StatusCode::UNAUTHORIZED, "login_failed");
        assert_eq!(known, unknown, "status, headers and body");
    }
    assert_problem(
        &known_limited,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    assert_eq!(known_limited.1[header::RETRY_AFTER], "30");
    assert_eq!(
        known_limited, unknown_limited,
        "status, headers (Retry-After) and body"
    );

    // Names without an account do not share one limit: after failures for other unknown
    // names, one more unknown name gets the answer a known name gets.
    let address = [192, 0, 2, 3];
    for i in 0..LOGIN_BURST {
        let user = format!("tamu{i}");
        assert_problem(
            &send(&router, login_from(address, &user, "tebakan")).await,
            StatusCode::UNAUTHORIZED,
            "login_failed",
        );
    }
    let unknown = send(&router, login_from(address, "tamu-lain", "tebakan")).await;
    let known = send(&router, login_from(address, "identitas", "tebakan")).await;
    assert_problem(&unknown, StatusCode::UNAUTHORIZED, "login_failed");
    assert_eq!(unknown, known);
}

#[tokio::test]
async fn an_address_trying_many_names_is_throttled() {
    let dir = TempDir::new("counter-spray");
    let router = app_for(&counter_state(dir.path(), ""));
    let office = [192, 0, 2, 50];
    // `petugas` works at this address.
    assert_eq!(
        send(&router, login_from(office, "petugas", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );
    // One guess each for many names, known or not, from the same address...
    let names = ["kunci", "identitas", "terbatas", "pemeriksa-usia"];
    for i in 0..ADDRESS_BURST {
        let user = names
            .get(i as usize)
            .map_or_else(|| format!("nama{i}"), |n| (*n).to_owned());
        assert_problem(
            &send(&router, login_from(office, &user, "tebakan")).await,
            StatusCode::UNAUTHORIZED,
            "login_failed",
        );
    }
    // ...until the address must wait, whatever the name, even with the right password.
    for (user, password) in [("nama-baru", "tebakan"), ("identitas", PASSWORD)] {
        let limited = send(&router, login_from(office, user, password)).await;
        assert_problem(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert_eq!(limited.1[header::RETRY_AFTER], "6", "{user}");
    }
    // The staff member who signed in here before is not held up; other addresses
    // are not affected.
    assert_eq!(
        send(&router, login_from(office, "petugas", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        send(&router, login_from([192, 0, 2, 51], "identitas", PASSWORD))
            .await
            .0,
        StatusCode::OK
    );
}

/// Over real loopback, served as `into_make_service_with_connect_info` serves it: the
/// client address is the socket's peer (here 127.0.0.2 and 127.0.0.3, both loopback).
#[tokio::test]
async fn the_client_address_is_the_socket_peer() {
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let dir = TempDir::new("counter-peer");
    let state = counter_state(dir.path(), "");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let service =
            ikd_verifier_service::app(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    let login = |source: [u8; 4], password: &'static str| async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from((source, 0))).unwrap();
        let mut stream = socket.connect(addr).await.unwrap();
        let body = login_body("kunci", password);
        let head = format!(
            "POST /counter/api/login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: application/json\r\n{CSRF_HEADER}: 1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        parse_response(&answer)
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        for _ in 0..LOGIN_BURST {
            assert_eq!(login([127, 0, 0, 2], "tebakan").await.0, 401);
        }
        let (status, body) = login([127, 0, 0, 2], PASSWORD).await;
        assert_eq!(status, 429);
        assert_eq!(json(body.as_bytes())["code"], "rate_limited");
        assert_eq!(login([127, 0, 0, 3], PASSWORD).await.0, 200);
    })
    .await
    .unwrap();
    server.abort();
}

#[tokio::test]
async fn requests_without_a_live_session_are_refused() {
    let dir = TempDir::new("counter-session");
    let state = counter_state(dir.path(), "");
    let router = app_for(&state);
    let body = serde_json::json!({"qr": sample_qr(&demo_data(), "kk-4")}).to_string();

    for cookie in [None, Some("0000"), Some("")] {
        let answer = send(&router, page_get("/counter/api/session", cookie)).await;
        assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_missing");
        let answer = send(
            &router,
            page_post("/counter/api/verify", cookie, Some("x"), &body),
        )
        .await;
        assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_missing");
        let answer = send(
            &router,
            page_post("/counter/api/logout", cookie, Some("x"), ""),
        )
        .await;
        assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_missing");
    }

    // A session begun 31 minutes ago and idle since (the idle limit is 30 minutes).
    let (token, session) = state
        .counter
        .sessions
        .create("petugas", UnixTime(NOW.0 - 31 * 60))
        .unwrap();
    let answer = send(
        &router,
        page_post(
            "/counter/api/verify",
            Some(&token),
            Some(&session.csrf_token),
            &body,
        ),
    )
    .await;
    assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_expired");
    // An expired session is gone.
    let answer = send(&router, page_get("/counter/api/session", Some(&token))).await;
    assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_missing");

    // A busy session still ends at its maximum (12 hours).
    let (token, _) = state
        .counter
        .sessions
        .create("petugas", UnixTime(NOW.0 - 12 * 3600))
        .unwrap();
    let answer = send(&router, page_get("/counter/api/session", Some(&token))).await;
    assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_expired");

    // Signing out ends the session and clears the cookie.
    let signed = sign_in(&router, "petugas").await;
    let (status, headers, _) = send(
        &router,
        page_post(
            "/counter/api/logout",
            Some(&signed.token),
            Some(&signed.csrf),
            "",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let answer = send(
        &router,
        page_get("/counter/api/session", Some(&signed.token)),
    )
    .await;
    assert_problem(&answer, StatusCode::UNAUTHORIZED, "session_missing");
}

#[tokio::test]
async fn posts_without_the_sessions_csrf_token_are_refused() {
    let dir = TempDir::new("counter-csrf");
    let router = app_for(&counter_state(dir.path(), ""));
    let signed = sign_in(&router, "petugas").await;
    let body = serde_json::json!({"qr": sample_qr(&demo_data(), "kk-4")}).to_string();
    let other = sign_in(&router, "identitas").await;
    for csrf in [
        None,
        Some(""),
        Some("1"),
        Some(other.csrf.as_str()),
        Some(&signed.csrf[..63]),
    ] {
        let answer = send(
            &router,
            page_post("/counter/api/verify", Some(&signed.token), csrf, &body),
        )
        .await;
        assert_problem(&answer, StatusCode::FORBIDDEN, "csrf_failed");
        let answer = send(
            &router,
            page_post("/counter/api/logout", Some(&signed.token), csrf, ""),
        )
        .await;
        assert_problem(&answer, StatusCode::FORBIDDEN, "csrf_failed");
    }
    // With the right token, but sent by another site.
    let mut request = page_verify(&signed, &sample_qr(&demo_data(), "kk-4"));
    request
        .headers_mut()
        .insert("sec-fetch-site", "same-site".parse().unwrap());
    assert_problem(
        &send(&router, request).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    );
    // The session survived all of it.
    assert_eq!(
        send(
            &router,
            page_verify(&signed, &sample_qr(&demo_data(), "kk-4"))
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_page_gets_exactly_what_v1_verify_answers_for_the_accounts_client_and_purpose() {
    let dir = TempDir::new("counter-verify");
    let state = counter_state(dir.path(), "");
    let router = app_for(&state);
    let data = demo_data();
    let kk = sample_qr(&data, "kk-4");
    let ktp = sample_qr(&data, "ktp");

    for (user, key, purpose) in [
        ("petugas", BANK_KEY, "kyc"),
        ("identitas", BANK_KEY, "identity"),
        ("pemeriksa-usia", SHOP_KEY, "age_check"),
    ] {
        let signed = sign_in(&router, user).await;
        for qr in [
            kk.clone(),
            ktp.clone(),
            tampered(&kk),
            "https://example.com".to_owned(),
        ] {
            let (status, headers, page) = send(&router, page_verify(&signed, &qr)).await;
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&page));
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json");
            // The page counts a presentation's time left from `Date`, the service's clock.
            assert_eq!(headers[header::DATE], "Mon, 21 Sep 2026 14:13:20 GMT");
            // The page's answer lays the rows out in both languages (its default); the
            // API client asks for the same.
            let body = serde_json::json!({"qr": qr, "purpose": purpose, "display": "both"});
            let (_, _, api) = send(&router, verify_request(Some(key), body.to_string())).await;
            assert_eq!(
                json(&page),
                json(&api),
                "{user}: the page sees what the API client sees"
            );
            assert_eq!(json(&page)["purpose"], purpose);
        }
    }

    // The KK is valid and, for kyc, laid out in full; for identity only three fields a member.
    let signed = sign_in(&router, "petugas").await;
    let verdict = json(&send(&router, page_verify(&signed, &kk)).await.2);
    assert_eq!(verdict["verdict"], "valid");
    assert!(verdict["display"].as_array().unwrap().len() > 1);
    assert!(verdict.to_string().contains("ENTIN KURNIASIH"));
    let signed = sign_in(&router, "identitas").await;
    let verdict = json(&send(&router, page_verify(&signed, &kk)).await.2);
    assert_eq!(verdict["verdict"], "valid");
    assert!(
        !verdict.to_string().contains("ENTIN KURNIASIH"),
        "identity: no mother's name"
    );
    for member in verdict["document"]["anggota"].as_array().unwrap() {
        let mut keys: Vec<&String> = member.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["nama", "nik", "tanggal_lahir"]);
    }
    // The age check sees no document at all.
    let signed = sign_in(&router, "pemeriksa-usia").await;
    let verdict = json(&send(&router, page_verify(&signed, &kk)).await.2);
    assert!(verdict.get("document").is_none() && verdict.get("display").is_none());

    // A tampered credential is rejected with its reason.
    let signed = sign_in(&router, "petugas").await;
    let verdict = json(&send(&router, page_verify(&signed, &tampered(&kk))).await.2);
    assert_eq!(verdict["verdict"], "rejected");
    assert!(verdict["reason"]["message_id"].as_str().unwrap().len() > 5);
    assert!(verdict.get("document").is_none() && verdict.get("display").is_none());

    // Every page verification is audited under the account's client, as the API's are.
    state.audit.close().await;
    let rows = |client: &str| -> i64 {
        rusqlite::Connection::open(dir.path().join("audit/audit.sqlite3"))
            .unwrap()
            .query_row(
                "SELECT count(*) FROM audit WHERE client = ?1",
                [client],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(rows("shop"), 4 + 4 + 1);
    assert_eq!(rows("bank"), 2 * (4 + 4) + 3);
}

#[tokio::test]
async fn pictures_are_scanned_and_verified_and_other_bodies_refused() {
    let dir = TempDir::new("counter-picture");
    let router = app_for(&counter_state(dir.path(), ""));
    let signed = sign_in(&router, "petugas").await;
    let kk = sample_qr(&demo_data(), "kk-4");
    let picture = |media: &str, bytes: Vec<u8>| page_picture(&signed, media, bytes);
    let (status, _, body) = send(&router, picture("image/png", pictures::png(&kk))).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let from_picture = json(&body);
    let from_text = json(&send(&router, page_verify(&signed, &kk)).await.2);
    assert_eq!(from_picture, from_text, "a picture is verified as its text");
    assert_eq!(from_picture["verdict"], "valid");

    let (status, _, body) =
        send(&router, picture("image/png", pictures::png(&tampered(&kk)))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["verdict"], "rejected");

    let answer = send(&router, picture("image/png", pictures::blank_png())).await;
    assert_problem(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_qr_code_found",
    );
    let answer = send(&router, picture("text/plain", kk.clone().into_bytes())).await;
    assert_problem(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let answer = send(
        &router,
        picture("application/x-www-form-urlencoded", b"qr=x".to_vec()),
    )
    .await;
    assert_problem(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let request = Request::post("/counter/api/verify")
        .header(header::COOKIE, format!("{COOKIE_NAME}={}", signed.token))
        .header(CSRF_HEADER, signed.csrf.as_str())
        .body(Body::from(kk.clone()))
        .unwrap();
    assert_problem(
        &send(&router, request).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // The page may ask for the display rows' languages: in the body, or for a picture in
    // the query string; nothing else there.
    let rows_in = |verdict: &serde_json::Value| {
        let row = &verdict["display"][0]["fields"][0];
        (row.get("label_id").is_some(), row.get("label_en").is_some())
    };
    assert_eq!(rows_in(&from_text), (true, true), "both by default");
    let body = serde_json::json!({"qr": kk, "display": "id"}).to_string();
    let request = page_post(
        "/counter/api/verify",
        Some(&signed.token),
        Some(&signed.csrf),
        &body,
    );
    assert_eq!(
        rows_in(&json(&send(&router, request).await.2)),
        (true, false)
    );
    let in_query = |query: &str| {
        Request::post(format!("/counter/api/verify?{query}"))
            .header(header::CONTENT_TYPE, "image/png")
            .header(header::COOKIE, format!("{COOKIE_NAME}={}", signed.token))
            .header(CSRF_HEADER, signed.csrf.as_str())
            .body(Body::from(pictures::png(&kk)))
            .unwrap()
    };
    let answer = send(&router, in_query("display=en")).await;
    assert_eq!(rows_in(&json(&answer.2)), (false, true));
    let answer = send(&router, in_query("display=none")).await;
    assert!(json(&answer.2).get("display").is_none());
    for (query, code) in [
        ("display=de", "display_unknown"),
        ("purpose=kyc", "malformed_query"),
    ] {
        assert_problem(
            &send(&router, in_query(query)).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    for (body, code) in [
        ("{\"text\": 1}", "malformed_json"),
        ("{}", "qr_missing"),
        (
            "{\"qr\": \"IKD1:\", \"display\": \"fr\"}",
            "display_unknown",
        ),
    ] {
        let request = page_post(
            "/counter/api/verify",
            Some(&signed.token),
            Some(&signed.csrf),
            body,
        );
        assert_problem(&send(&router, request).await, StatusCode::BAD_REQUEST, code);
    }
}

#[tokio::test]
async fn the_accounts_client_rate_limit_applies() {
    let dir = TempDir::new("counter-rate");
    let router = app_for(&counter_state(dir.path(), ""));
    let signed = sign_in(&router, "terbatas").await;
    let kk = sample_qr(&demo_data(), "kk-4");
    // The tiny client's burst is 2.
    assert_eq!(
        send(&router, page_verify(&signed, &kk)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(&router, page_verify(&signed, &kk)).await.0,
        StatusCode::OK
    );
    let answer = send(&router, page_verify(&signed, &kk)).await;
    assert_problem(&answer, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[test]
fn staff_accounts_are_checked_against_the_clients() {
    use ikd_verifier_service::config::RawConfig;
    let dir = TempDir::new("counter-config");
    let hash = ikd_verifier_service::counter::password::hash_password_with(
        "x",
        ikd_verifier_service::counter::password::test_params(),
    )
    .unwrap();
    let resolve = |staff: &str| {
        RawConfig::parse(&config_text(dir.path(), &format!("[[staff]]\n{staff}\n")))
            .and_then(|raw| raw.resolve(dir.path()))
    };
    let config = resolve(&format!(
        "username = \"a\"\npassword_argon2 = \"{hash}\"\nclient = \"shop\""
    ))
    .unwrap();
    assert_eq!(
        config.counter.staff[0].purpose.name, "age_check",
        "the client's default"
    );
    assert!(
        !format!("{:?}", config.counter).contains(&hash),
        "the hash is not shown"
    );
    for (staff, expected) in [
        (
            format!("username = \"a\"\npassword_argon2 = \"{hash}\"\nclient = \"nobody\""),
            "staff[0]: client",
        ),
        (
            format!(
                "username = \"a\"\npassword_argon2 = \"{hash}\"\nclient = \"shop\"\npurpose = \"kyc\""
            ),
            "staff[0]: purpose",
        ),
        (
            "username = \"a\"\npassword_argon2 = \"rahasia\"\nclient = \"shop\"".to_owned(),
            "staff[0]: password_argon2",
        ),
        (
            format!("username = \"a b\"\npassword_argon2 = \"{hash}\"\nclient = \"shop\""),
            "staff[0]: username",
        ),
        (
            format!(
                "username = \"a\"\npassword = \"x\"\npassword_argon2 = \"{hash}\"\nclient = \"shop\""
            ),
            "password",
        ),
    ] {
        let error = resolve(&staff).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains("rahasia"), "{error}");
    }
    let twice = format!(
        "username = \"a\"\npassword_argon2 = \"{hash}\"\nclient = \"shop\"\n[[staff]]\nusername = \"a\"\npassword_argon2 = \"{hash}\"\nclient = \"bank\""
    );
    assert!(
        resolve(&twice)
            .unwrap_err()
            .to_string()
            .contains("staff[1]: username is used twice")
    );
    let error = RawConfig::parse(&config_text(
        dir.path(),
        "[counter]\nsession_idle_minutes = 0\n",
    ))
    .unwrap()
    .resolve(dir.path())
    .unwrap_err();
    assert!(
        error.to_string().contains("counter.session_idle_minutes"),
        "{error}"
    );
}

#[tokio::test]
async fn the_offline_page_is_served_only_when_a_folder_is_configured() {
    use ikd_verifier_service::offline_page::CONTENT_SECURITY_POLICY as OFFLINE_CSP;
    let dir = TempDir::new("offline-page");
    let page = dir.path().join("offline-verifier");
    std::fs::create_dir_all(&page).unwrap();
    std::fs::write(page.join("index.html"), "<!doctype html><title>x</title>").unwrap();
    std::fs::write(page.join("ikd_wasm.js"), "self.x = 1;").unwrap();

    let router = app_for(&counter_state(dir.path(), ""));
    let (status, _, _) = send(&router, get("/offline/", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let router = app_for(&counter_state(
        dir.path(),
        "[offline_page]\ndir = \"offline-verifier\"\n",
    ));
    let (status, headers, body) = send(&router, get("/offline/", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], OFFLINE_CSP);
    assert!(String::from_utf8_lossy(&body).contains("<title>x</title>"));
    let (status, headers, _) = send(&router, get("/offline/ikd_wasm.js", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let (status, headers, _) = send(&router, get("/offline", None)).await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers[header::LOCATION], "/offline/");
    let (status, _, _) = send(&router, get("/offline/counter.js", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The counter page keeps its own policy.
    let (_, headers, _) = send(&router, get("/counter", None)).await;
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        CONTENT_SECURITY_POLICY
    );
}
