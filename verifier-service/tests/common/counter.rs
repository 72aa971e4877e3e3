//! Counter page helpers: staff accounts (with cheap Argon2 costs), sign-in, and requests
//! that carry the session cookie and CSRF header.

use super::*;
use ikd_verifier_service::counter::password::{hash_password_with, test_params};
use ikd_verifier_service::counter::session::{COOKIE_NAME, CSRF_HEADER};

/// Every test account's password.
pub const PASSWORD: &str = "kata-sandi-uji-123";

/// `[[staff]]` tables: `petugas` (bank, kyc), `pemeriksa-usia` (shop, age_check),
/// `identitas` (bank, identity), `terbatas` (tiny, kyc), `kunci` (bank; for lock-out tests).
pub fn staff_toml() -> String {
    let hash = hash_password_with(PASSWORD, test_params()).unwrap();
    let mut text = String::new();
    for (user, client, purpose) in [
        ("petugas", "bank", Some("kyc")),
        ("pemeriksa-usia", "shop", None),
        ("identitas", "bank", Some("identity")),
        ("terbatas", "tiny", Some("kyc")),
        ("kunci", "bank", Some("kyc")),
    ] {
        text.push_str(&format!(
            "[[staff]]\nusername = \"{user}\"\npassword_argon2 = \"{hash}\"\nclient = \"{client}\"\n"
        ));
        if let Some(purpose) = purpose {
            text.push_str(&format!("purpose = \"{purpose}\"\n"));
        }
    }
    text
}

/// The state at [`NOW`] trusting the demo keys, with the staff accounts and `extra` TOML.
pub fn counter_state(dir: &Path, extra: &str) -> AppState {
    state_at(
        dir,
        NOW,
        Some(&demo_data().trust),
        &format!("{extra}\n{}", staff_toml()),
    )
}

/// A POST of the page: JSON body, the CSRF header when given.
pub fn page_post(
    path: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut builder = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = cookie {
        builder = builder.header(header::COOKIE, format!("{COOKIE_NAME}={token}"));
    }
    if let Some(csrf) = csrf {
        builder = builder.header(CSRF_HEADER, csrf);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

/// A GET of the page with the session cookie.
pub fn page_get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(token) = cookie {
        builder = builder.header(header::COOKIE, format!("{COOKIE_NAME}={token}"));
    }
    builder.body(Body::empty()).unwrap()
}

/// The login body.
pub fn login_body(user: &str, password: &str) -> String {
    serde_json::json!({"username": user, "password": password}).to_string()
}

/// A signed-in session: its cookie token and CSRF token.
pub struct Signed {
    pub token: String,
    pub csrf: String,
}

/// Signs `user` in; panics unless it works.
pub async fn sign_in(router: &Router, user: &str) -> Signed {
    let answer = send(
        router,
        page_post(
            "/counter/api/login",
            None,
            Some("1"),
            &login_body(user, PASSWORD),
        ),
    )
    .await;
    assert_eq!(
        answer.0,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.2)
    );
    let cookie = answer.1[header::SET_COOKIE].to_str().unwrap().to_owned();
    let token = cookie
        .strip_prefix(&format!("{COOKIE_NAME}="))
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_owned();
    let csrf = json(&answer.2)["csrf_token"].as_str().unwrap().to_owned();
    Signed { token, csrf }
}

/// The page's verification of QR text for a signed-in session.
pub fn page_verify(signed: &Signed, qr: &str) -> Request<Body> {
    page_post(
        "/counter/api/verify",
        Some(&signed.token),
        Some(&signed.csrf),
        &serde_json::json!({ "qr": qr }).to_string(),
    )
}

/// The QR text of a demo sample (`ktp`, `kk-4`, `kk-8`).
pub fn sample_qr(data: &ikd_sdk::demo::DemoData, sample: &str) -> String {
    data.credentials
        .iter()
        .find(|c| c.sample == sample)
        .unwrap()
        .qr_text
        .clone()
}

/// `qr` with one Base45 character in the middle changed: still Base45, no longer signed.
pub fn tampered(qr: &str) -> String {
    let mut bytes = qr.as_bytes().to_vec();
    let i = qr.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// `qr` with one character changed where verification then fails at the signature
/// (`signature_invalid`): the signed bytes changed, the structure did not. Searched from
/// the middle of the text, checked with the SDK at [`NOW`] against `trust`.
pub fn forged(qr: &str, trust: &ikd_sdk::TrustStore) -> String {
    const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let start = qr.len() / 2;
    for i in (start..qr.len()).chain(5..start) {
        for &c in BASE45 {
            let mut bytes = qr.as_bytes().to_vec();
            if bytes[i] == c {
                continue;
            }
            bytes[i] = c;
            let text = String::from_utf8(bytes).unwrap();
            let result = ikd_sdk::verify(&text, trust, NOW, &ikd_sdk::Policy::default());
            if result.as_ref().err().map(|r| r.code()) == Some("signature_invalid") {
                return text;
            }
        }
    }
    panic!("no one-character change of this credential fails only at the signature");
}

/// The page's verification of a picture (`media`: its Content-Type).
pub fn page_picture(signed: &Signed, media: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post("/counter/api/verify")
        .header(header::CONTENT_TYPE, media)
        .header(header::COOKIE, format!("{COOKIE_NAME}={}", signed.token))
        .header(CSRF_HEADER, signed.csrf.as_str())
        .body(Body::from(bytes))
        .unwrap()
}

/// `request` as the server passes it on when it comes from `address` (the socket peer,
/// as `into_make_service_with_connect_info` provides it).
pub fn from(address: [u8; 4], mut request: Request<Body>) -> Request<Body> {
    let peer = std::net::SocketAddr::from((address, 40_000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

/// A sign-in of `user` with `password` from `address`.
pub fn login_from(address: [u8; 4], user: &str, password: &str) -> Request<Body> {
    from(
        address,
        page_post(
            "/counter/api/login",
            None,
            Some("1"),
            &login_body(user, password),
        ),
    )
}
