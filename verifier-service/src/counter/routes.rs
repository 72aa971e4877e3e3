//! The counter page's routes, all under `/counter` (and `GET /`, which leads there):
//!
//! | Method and path | What |
//! | --- | --- |
//! | `GET /` | 303 to `/counter` |
//! | `GET /counter` | the page (HTML; script and style from the binary) |
//! | `GET /counter/assets/{app.css,verdict.js,app.js}` | its style and scripts (`verdict.js`: the verdict layout, shared with the offline page) |
//! | `GET /counter/api/session` | who is signed in, for which client and purpose, and the CSRF token |
//! | `POST /counter/api/login` | `{"username", "password"}`: a session cookie |
//! | `POST /counter/api/logout` | ends the session |
//! | `POST /counter/api/verify` | `{"qr": "IKD1:…"}`, or a picture (PNG, JPEG, WebP) or PDF: the verdict, as `POST /v1/verify` answers it for the account's client and purpose; with `[receipt]` configured, the verification receipt's bytes (Base64) in the `X-IKD-Receipt` header |
//! | `POST /counter/api/receipt` | `{"receipt": Base64}`: a receipt this verifier signed, checked, with its QR text and its QR code as SVG, for the printable page |
//!
//! Every POST needs the `X-IKD-CSRF` header (the session's CSRF token; to sign in, any
//! value), and is refused when the browser says it comes from another site. Together with
//! the `SameSite=Strict` cookie this keeps other sites from acting for signed-in staff.

use super::session::{self, CSRF_HEADER, Session, SessionError};
use crate::app::{ClientAddress, Seen};
use crate::auth::Client;
use crate::input::{Caller, InputRoute, JsonInput, VerifyInput, read_body};
use crate::problem::Problem;
use crate::state::AppState;
use crate::verification::verify_qr;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ikd_sdk::disclosure::Purpose;
use ikd_sdk::display::DisplayLanguages;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;

const PAGE_HTML: &str = include_str!("../../assets/counter/index.html");
const APP_CSS: &str = include_str!("../../assets/counter/app.css");
const APP_JS: &str = include_str!("../../assets/counter/app.js");
const VERDICT_JS: &str = include_str!("../../assets/counter/verdict.js");

/// The page's Content-Security-Policy: everything from this service, nothing inline, no
/// other origin; pictures also from `data:` (the portrait) and `blob:` (camera frames).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Largest sign-in body.
const LOGIN_BODY_LIMIT: usize = 4096;

/// The page's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/counter", get(page))
        .route("/counter/assets/app.css", get(css))
        .route("/counter/assets/app.js", get(js))
        .route("/counter/assets/verdict.js", get(verdict_js))
        .route("/counter/api/session", get(session_info))
        .route("/counter/api/login", post(login))
        .route("/counter/api/logout", post(logout))
        .route("/counter/api/verify", post(verify))
        .route("/counter/api/receipt", post(receipt))
}

/// The header that carries a verification's receipt to the page.
pub const RECEIPT_HEADER: &str = "x-ikd-receipt";

/// The body of `POST /counter/api/receipt`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptInput {
    receipt: String,
}

/// A receipt for the printable page: what it records, its QR text and its QR code.
#[derive(Debug, Serialize)]
struct ReceiptPrint {
    content: serde_json::Value,
    qr: String,
    svg: String,
    public_key: String,
}

/// Checks a receipt the page got from a verification (signed by this verifier's key) and
/// answers what the printable page shows: only for a signed-in session, with CSRF.
async fn receipt(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let answer = async {
        post_session(&state, &headers)?;
        let signer = state
            .receipt_signer
            .as_ref()
            .ok_or_else(Problem::receipts_unavailable)?;
        if media_type_of(&headers).as_deref() != Some("application/json") {
            return Err(Problem::counter_media_type(
                "Send {\"receipt\": \"…\"} as application/json.",
            ));
        }
        let bytes = read_body(&headers, body, 4 * ikd_sdk::receipt::MAX_RECEIPT_BYTES).await?;
        let input: ReceiptInput = serde_json::from_slice(&bytes)
            .map_err(|_| Problem::malformed_json("Send {\"receipt\": \"…\"}."))?;
        let receipt = ikd_sdk::encoding::base64_decode(&input.receipt)
            .ok_or_else(|| Problem::malformed_json("The receipt is not Base64."))?;
        let public_key = signer.public_key();
        let content = ikd_sdk::Receipt::verify(&receipt, &public_key)
            .map_err(|_| Problem::malformed_json("This is not a receipt of this verifier."))?;
        let qr = ikd_sdk::receipt::receipt_qr_text(&receipt);
        let svg = qr_svg(&qr)
            .ok_or_else(|| Problem::malformed_json("The receipt is too large for a QR code."))?;
        let print = ReceiptPrint {
            content: serde_json::to_value(&content).unwrap_or_default(),
            qr,
            svg,
            public_key: ikd_sdk::encoding::hex_encode(&public_key.to_bytes()),
        };
        serde_json::to_string(&print)
            .map_err(|_| Problem::counter_unavailable("The receipt could not be shown."))
    }
    .await;
    match answer {
        Ok(body) => {
            let mut response = body.into_response();
            secure_headers(&mut response, "application/json", "no-store");
            response
        }
        Err(problem) => problem.into_response(),
    }
}

/// The QR code of `text` as SVG (error correction M, quiet zone included).
fn qr_svg(text: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .build(),
    )
}

async fn root() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/counter")]).into_response()
}

/// Headers every page response carries.
fn secure_headers(response: &mut Response, content_type: &'static str, cache: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
}

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = body.into_response();
    secure_headers(&mut response, content_type, cache);
    response
}

async fn page() -> Response {
    asset(PAGE_HTML, "text/html; charset=utf-8", "no-store")
}

async fn css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8", "no-cache")
}

async fn js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8", "no-cache")
}

async fn verdict_js() -> Response {
    asset(VERDICT_JS, "text/javascript; charset=utf-8", "no-cache")
}

/// The media type of the body, lower-cased, without parameters.
pub(crate) fn media_type_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// Whether the browser says the request comes from this site: `Sec-Fetch-Site`, where
/// sent, is `same-origin`; `Origin`, where sent, names the `Host`.
fn same_site(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && site != "same-origin"
        && site != "none"
    {
        return false;
    }
    match text(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = text(header::HOST);
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::token_from_cookies)
}

fn session_problem(error: SessionError) -> Problem {
    match error {
        SessionError::Missing => Problem::session_missing(),
        SessionError::Expired => Problem::session_expired(),
        SessionError::Full => Problem::sessions_full(),
        SessionError::Random => {
            Problem::counter_unavailable("No random bytes for a session token.")
        }
    }
}

/// The session of the request's cookie, or why there is none.
fn current_session(state: &AppState, headers: &HeaderMap) -> Result<Session, Problem> {
    let token = cookie_token(headers).ok_or_else(Problem::session_missing)?;
    state
        .counter
        .sessions
        .touch(token, state.clock.now())
        .map_err(session_problem)
}

/// The session of a POST, with its CSRF header checked.
fn post_session(state: &AppState, headers: &HeaderMap) -> Result<Session, Problem> {
    let session = current_session(state, headers)?;
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !same_site(headers) || !session::tokens_equal(sent, &session.csrf_token) {
        return Err(Problem::csrf_failed());
    }
    Ok(session)
}

/// The API client and purpose of a session's account.
fn account_client(
    state: &AppState,
    session: &Session,
) -> Result<(Arc<Client>, &'static Purpose), Problem> {
    let account = state
        .counter
        .account(&session.username)
        .ok_or_else(Problem::session_missing)?;
    let client = state.clients.by_id(&account.client).ok_or_else(|| {
        Problem::counter_unavailable("The account's API client is not configured.")
    })?;
    Ok((client, account.purpose))
}

/// What the page learns about its session.
#[derive(Debug, Serialize)]
struct SessionInfo {
    username: String,
    client: String,
    purpose: &'static str,
    csrf_token: String,
    expires_at: String,
    idle_timeout_seconds: i64,
    trust: TrustInfo,
}

/// The trust data in use, for the page's freshness line.
#[derive(Debug, Serialize)]
struct TrustInfo {
    loaded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    loaded_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_seconds: Option<i64>,
    /// The date of the signed trust data (its trust list's issue time), for the page's
    /// "data dated … (N days)" line; absent with an unsigned trust file.
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dated: Option<String>,
    /// Whole days since `data_dated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    data_age_days: Option<i64>,
    /// `fresh`, `stale_in_grace` or `stale` under the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    freshness: Option<&'static str>,
}

fn session_json(state: &AppState, session: &Session) -> Result<Response, Problem> {
    let (client, purpose) = account_client(state, session)?;
    let now = state.clock.now();
    let trust = match state.trust.current() {
        Some(trust) => {
            let list = trust.store.trust_list();
            TrustInfo {
                loaded: true,
                loaded_at: Some(trust.loaded_at.to_string()),
                age_seconds: Some(now.0.saturating_sub(trust.loaded_at.0).max(0)),
                data_dated: list.map(|l| l.issued_at.to_string()),
                data_age_days: list.map(|l| now.0.saturating_sub(l.issued_at.0).max(0) / 86_400),
                freshness: crate::trust::trust_list_state(&trust.store, &state.policy, now)
                    .map(crate::trust::freshness_name),
            }
        }
        None => TrustInfo {
            loaded: false,
            loaded_at: None,
            age_seconds: None,
            data_dated: None,
            data_age_days: None,
            freshness: None,
        },
    };
    let info = SessionInfo {
        username: session.username.to_string(),
        client: client.id.to_string(),
        purpose: purpose.name,
        csrf_token: session.csrf_token.to_string(),
        expires_at: session.expires_at.to_string(),
        idle_timeout_seconds: state.counter.sessions.idle_seconds(),
        trust,
    };
    let body = serde_json::to_string(&info)
        .map_err(|_| Problem::counter_unavailable("The session could not be described."))?;
    let mut response = body.into_response();
    secure_headers(&mut response, "application/json", "no-store");
    Ok(response)
}

async fn session_info(State(state): State<AppState>, headers: HeaderMap) -> Response {
    current_session(&state, &headers)
        .and_then(|session| session_json(&state, &session))
        .unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Response {
    login_inner(&state, address, &headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// CSRF, media type, body; then the sign-in limits (for the name whether or not it has
/// an account, and the client's address), the password check (against a decoy for a
/// name without an account), and a session.
async fn login_inner(
    state: &AppState,
    address: Option<IpAddr>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let csrf_present = headers
        .get(CSRF_HEADER)
        .is_some_and(|v| !v.as_bytes().is_empty());
    if !csrf_present || !same_site(headers) {
        return Err(Problem::csrf_failed());
    }
    if media_type_of(headers).as_deref() != Some("application/json") {
        return Err(Problem::counter_media_type(
            "Send {\"username\", \"password\"} as application/json.",
        ));
    }
    let bytes = read_body(headers, body, LOGIN_BODY_LIMIT).await?;
    let Login { username, password } = serde_json::from_slice(&bytes).map_err(|_| {
        Problem::malformed_json("Send {\"username\": \"...\", \"password\": \"...\"}.")
    })?;
    drop(bytes);
    let attempt = state
        .counter
        .take_login_attempt(&username, address)
        .map_err(Problem::sign_in_limited)?;

    let phc = state
        .counter
        .account(&username)
        .map(|account| account.password_argon2.clone());
    let permit = state
        .counter
        .password_checks
        .acquire()
        .await
        .map_err(|_| Problem::counter_unavailable("Password checks are stopped."))?;
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let checking = state.clone();
    let matches = tokio::task::spawn_blocking(move || match phc {
        Some(phc) => super::password::verify(&password, &phc),
        None => {
            super::password::verify_nothing(&password, checking.counter.decoy_phc());
            false
        }
    })
    .await
    .unwrap_or(false);
    drop(permit);
    if !matches {
        // The attempt stays counted.
        return Err(Problem::login_failed());
    }
    state.counter.login_succeeded(attempt);

    let (token, session) = state
        .counter
        .sessions
        .create(&username, state.clock.now())
        .map_err(session_problem)?;
    let mut response = session_json(state, &session)?;
    let cookie = session::set_cookie(
        &token,
        state.counter.session_max_seconds,
        state.counter.secure_cookie,
    );
    let value = HeaderValue::from_str(&cookie)
        .map_err(|_| Problem::counter_unavailable("The session cookie could not be made."))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let outcome = post_session(&state, &headers).map(|_| {
        if let Some(token) = cookie_token(&headers) {
            state.counter.sessions.remove(token);
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(value) =
            HeaderValue::from_str(&session::clear_cookie(state.counter.secure_cookie))
        {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    });
    outcome.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextInput {
    qr: Option<String>,
    display: Option<String>,
}

/// The counter page's verify route: the session (and its CSRF header) names the account,
/// whose client and purpose the verification is for; the JSON body holds only the QR text.
#[derive(Debug)]
pub(crate) enum CounterInput {}

impl InputRoute for CounterInput {
    const QUERY: &'static [&'static str] = &["display"];
    // The page switches language without asking again: it shows either from one answer.
    const DEFAULT_DISPLAY: DisplayLanguages = DisplayLanguages::Both;

    fn identify(state: &AppState, parts: &Parts, seen: &Seen) -> Result<Caller, Problem> {
        let session = post_session(state, &parts.headers)?;
        let (client, purpose) = account_client(state, &session)?;
        seen.client(&client.id);
        seen.purpose(purpose.name);
        Ok(Caller {
            client,
            purpose: Some(purpose),
        })
    }

    fn admit(state: &AppState, caller: &Caller) -> Result<(), Problem> {
        caller.client.take_request().inspect_err(|_| {
            state.metrics.rate_limited(&caller.client.id);
        })
    }

    fn unsupported_media_type() -> Problem {
        Problem::counter_media_type(
            "Send {\"qr\": \"IKD1:...\"} as application/json, or a picture as image/png, \
             image/jpeg or image/webp, or a PDF as application/pdf.",
        )
    }

    fn parse_json(bytes: &[u8]) -> Result<JsonInput, Problem> {
        let input: TextInput = serde_json::from_slice(bytes).map_err(|_| {
            Problem::malformed_json("Send {\"qr\": \"IKD1:...\", \"display\": \"both\"}.")
        })?;
        Ok(JsonInput {
            qr: input.qr,
            display: input.display,
            ..JsonInput::default()
        })
    }
}

/// Session, CSRF, the account's client, the media type, the client's rate limit and the
/// body (QR text as JSON, or a picture read by the service's scanner) are read by
/// [`VerifyInput`]; then the same verification core as `POST /v1/verify`, for the
/// account's purpose.
async fn verify(
    State(state): State<AppState>,
    seen: Seen,
    input: VerifyInput<CounterInput>,
) -> Response {
    // With receipts configured, the page gets one for every verification: the office
    // keeps it instead of a photocopy.
    let receipt = state
        .receipts
        .as_ref()
        .map(|config| config.options(input.purpose, &input.qr));
    match verify_qr(
        &state,
        &input.client.id,
        input.purpose,
        None,
        input.qr,
        receipt,
        input.display,
    )
    .await
    {
        Ok(verification) => {
            state.metrics.verify_latency(input.started.elapsed());
            seen.outcome(verification.verdict_name(), verification.reason_code);
            let receipt = verification
                .receipt
                .as_deref()
                .map(ikd_sdk::encoding::base64_encode)
                .and_then(|text| HeaderValue::from_str(&text).ok());
            let date = verification.date_header();
            let mut response = verification.json.into_response();
            if let Some(receipt) = receipt {
                response.headers_mut().insert(RECEIPT_HEADER, receipt);
            }
            if let Some(date) = date {
                response.headers_mut().insert(header::DATE, date);
            }
            // The answer may hold personal data: no cache may keep it.
            secure_headers(&mut response, "application/json", "no-store");
            response
        }
        Err(problem) => problem.into_response(),
    }
}
