//! The HTTP API: routes, handlers and the layers around them.
//!
//! Every credential outcome is a 200 with the SDK's verdict, filtered by the SDK's
//! disclosure rules for the client's purpose; request problems are
//! `application/problem+json` (see [`crate::problem`]).

use crate::audit::AuditRecord;
use crate::auth::Client;
use crate::metrics;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Router;
use axum::body::{Body, HttpBody as _};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ikd_sdk::disclosure::DisclosedReport;
use ikd_sdk::reason::{REGISTRY, ReasonInfo, Stage, WARNING_REGISTRY};
use ikd_sdk::report::Verdict;
use serde::Deserialize;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The route of the verification endpoint.
pub const VERIFY_ROUTE: &str = "/v1/verify";

/// The router for `state`: every endpoint with its layers.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route(VERIFY_ROUTE, post(verify))
        .route("/v1/reason-codes", get(reason_codes))
        .route("/v1/trust/status", get(trust_status))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() });
    if let Some(cors) = cors_layer(&state.cors_allowed_origins) {
        router = router.layer(cors);
    }
    router
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    Problem::request_timeout()
                }))
                .timeout(state.request_timeout),
        )
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(Duration::from_secs(600)),
    )
}

/// What a handler learned about a request, for the access log. Never personal data.
#[derive(Debug, Clone, Default)]
struct Seen {
    client: Option<Arc<str>>,
    purpose: Option<&'static str>,
    verdict: Option<&'static str>,
    reason: Option<&'static str>,
}

fn with_seen(mut response: Response, seen: Seen) -> Response {
    response.extensions_mut().insert(seen);
    response
}

/// Counts and logs every response: route template, status, latency, and for API calls
/// the client, purpose, verdict and reason code. Never the URI, a header or the body.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    state.metrics.request(&route, status);
    let seen = response
        .extensions()
        .get::<Seen>()
        .cloned()
        .unwrap_or_default();
    tracing::info!(
        target: "ikd_verifier_service::access",
        method = %method,
        route = %route,
        status,
        latency_us,
        client = %seen.client.as_deref().unwrap_or("-"),
        purpose = %seen.purpose.unwrap_or("-"),
        verdict = %seen.verdict.unwrap_or("-"),
        reason = %seen.reason.unwrap_or("-"),
        "request"
    );
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The authenticated client, after taking one request from its rate limit.
fn admit(state: &AppState, headers: &HeaderMap, seen: &mut Seen) -> Result<Arc<Client>, Problem> {
    let client = state.clients.authenticate(headers)?;
    seen.client = Some(Arc::clone(&client.id));
    if let Err(problem) = client.take_request() {
        state.metrics.rate_limited(&client.id);
        return Err(problem);
    }
    Ok(client)
}

/// The body of `POST /v1/verify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    qr: Option<String>,
    purpose: Option<String>,
    nonce: Option<serde_json::Value>,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads the body, refusing more than `limit` bytes as soon as it is clear.
async fn read_body(headers: &HeaderMap, mut body: Body, limit: usize) -> Result<Vec<u8>, Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Problem::body_too_large(limit));
    }
    let mut bytes = Vec::with_capacity(declared.map_or(1024, |n| n as usize));
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return Ok(bytes),
            Some(Err(_)) => {
                return Err(Problem::malformed_json(
                    "The request body could not be read.",
                ));
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len().saturating_add(data.len()) > limit {
                        return Err(Problem::body_too_large(limit));
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
}

/// Where the JSON is wrong, without quoting it (it may hold personal data).
fn json_problem(e: &serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io | Category::Syntax => "not valid JSON",
        Category::Data => "an unexpected member or value",
        Category::Eof => "an unexpected end of the JSON",
    };
    Problem::malformed_json(format!(
        "The body has {kind} at line {}, column {}; send {{\"qr\": \"IKD1:...\", \"purpose\": \"...\"}}.",
        e.line(),
        e.column()
    ))
}

async fn verify(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let mut seen = Seen::default();
    let response = match verify_inner(&state, &headers, body, &mut seen).await {
        Ok(response) => {
            state.metrics.verify_latency(started.elapsed());
            response
        }
        Err(problem) => problem.into_response(),
    };
    with_seen(response, seen)
}

async fn verify_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    seen: &mut Seen,
) -> Result<Response, Problem> {
    let client = admit(state, headers, seen)?;
    if !is_json(headers) {
        return Err(Problem::unsupported_media_type());
    }
    let bytes = read_body(headers, body, state.body_limit_bytes).await?;
    let request: VerifyRequest = serde_json::from_slice(&bytes).map_err(|e| json_problem(&e))?;
    drop(bytes);
    let qr = request.qr.ok_or_else(Problem::qr_missing)?;
    if request.nonce.is_some() {
        return Err(Problem::nonce_not_supported());
    }
    let purpose = client.purpose(request.purpose.as_deref())?;
    seen.purpose = Some(purpose.name);
    let trust = state
        .trust
        .current()
        .ok_or_else(Problem::trust_not_loaded)?;

    let now = state.clock.now();
    let result = ikd_sdk::verify(&qr, &trust.store, now, &state.policy);
    drop(qr);
    let report = DisclosedReport::new(&result, purpose);
    let (verdict, reason_code) = match &result {
        Ok(_) => (Verdict::Valid, None),
        Err(rejection) => (Verdict::Rejected, Some(rejection.code())),
    };
    let credential_hmac = result
        .as_ref()
        .ok()
        .and_then(|verified| verified.credential_id())
        .map(|id| state.hasher.hash(id));
    drop(result);

    state
        .audit
        .record(AuditRecord {
            time: now,
            client: Arc::clone(&client.id),
            purpose: purpose.name,
            verdict,
            reason_code,
            credential_hmac,
        })
        .await
        .map_err(|_| Problem::audit_unavailable())?;

    let verdict_name = match verdict {
        Verdict::Valid => "valid",
        Verdict::Rejected => "rejected",
    };
    state
        .metrics
        .verification(verdict_name, reason_code.unwrap_or("none"));
    seen.verdict = Some(verdict_name);
    seen.reason = reason_code;

    let mut response = json_response(StatusCode::OK, report.to_json());
    // The answer may hold personal data: no cache may keep it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn registry_json(info: &ReasonInfo) -> serde_json::Value {
    serde_json::json!({
        "code": info.code,
        "stage": info.stage.as_str(),
        "message_en": info.en,
        "message_id": info.id,
    })
}

async fn reason_codes() -> Response {
    let body = serde_json::json!({
        "stages": Stage::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "reasons": REGISTRY.iter().map(registry_json).collect::<Vec<_>>(),
        "warnings": WARNING_REGISTRY.iter().map(registry_json).collect::<Vec<_>>(),
    });
    json_response(StatusCode::OK, body.to_string())
}

async fn trust_status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut seen = Seen::default();
    if let Err(problem) = admit(&state, &headers, &mut seen) {
        return with_seen(problem.into_response(), seen);
    }
    let now = state.clock.now();
    let source = state.trust.path().display().to_string();
    let body = match state.trust.current() {
        Some(trust) => serde_json::json!({
            "loaded": true,
            "source": trust.source,
            "format": "ikd-trust-store/1",
            "signed": false,
            "loaded_at": trust.loaded_at.to_string(),
            "age_seconds": now.0.saturating_sub(trust.loaded_at.0).max(0),
            "key_count": trust.store.len(),
            "keys": trust.store.keys().map(|k| serde_json::json!({
                "kid": k.kid().to_hex(),
                "issuer": k.issuer,
                "name": k.name,
                "doc_types": k.doc_types,
                "valid_from": k.valid_from.to_string(),
                "valid_until": k.valid_until.to_string(),
            })).collect::<Vec<_>>(),
            "last_error": state.trust.last_error(),
        }),
        None => serde_json::json!({
            "loaded": false,
            "source": source,
            "last_error": state.trust.last_error(),
        }),
    };
    with_seen(json_response(StatusCode::OK, body.to_string()), seen)
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, r#"{"status":"ok"}"#.to_owned())
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.trust.current() {
        Some(trust) => json_response(
            StatusCode::OK,
            serde_json::json!({
                "status": "ready",
                "trust_keys": trust.store.len(),
                "trust_loaded_at": trust.loaded_at.to_string(),
            })
            .to_string(),
        ),
        None => Problem::trust_not_loaded().into_response(),
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let trust = state.trust.current();
    let text = state
        .metrics
        .render(trust.as_deref(), state.audit.stats(), state.clock.now());
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}
