//! The HTTP API: routes, handlers and the layers around them.
//!
//! Every credential outcome is a 200 with the SDK's verdict, filtered by the SDK's
//! disclosure rules for the client's purpose; request problems are
//! `application/problem+json` (see [`crate::problem`]).

use crate::auth::Client;
use crate::input::{Caller, InputRoute, JsonInput, VerifyInput};
use crate::metrics;
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use crate::verification::verify_qr;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use ikd_sdk::Stage;
use ikd_sdk::display::DisplayLanguages;
use ikd_sdk::reason::{REGISTRY, ReasonInfo, WARNING_REGISTRY};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::{OpenApi as _, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The route of the verification endpoint.
pub const VERIFY_ROUTE: &str = "/v1/verify";

/// Every endpoint, each with its OpenAPI description (`#[utoipa::path]` on its handler):
/// the router and the document come from this one list, so they cannot drift apart.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(verify))
        .routes(routes!(reason_codes))
        .routes(routes!(trust_status))
        .routes(routes!(crate::trust_import::import_bundle))
        .routes(routes!(crate::receipt::receipt))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics_text))
        .routes(routes!(openapi_json))
}

/// The OpenAPI document of the service, generated from its routes and handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::openapi::finish(routes().split_for_parts().1)
}

/// The router for `state`: every endpoint with its layers.
pub fn app(state: AppState) -> Router {
    let (router, _) = routes().split_for_parts();
    // The counter page's routes stay out of the API document: they are for the page.
    let mut router = router.merge(crate::counter::routes::router());
    if let Some(page) = state.offline_page.clone() {
        router = router.merge(crate::offline_page::router(page));
    }
    let mut router = router
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
            // A verdict's `Date` is the time it was decided at; a web page needs it to count
            // a presentation's time left.
            .expose_headers([header::DATE])
            .max_age(Duration::from_secs(600)),
    )
}

/// What a handler learned about a request, for the access log. Never personal data.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeenFields {
    client: Option<Arc<str>>,
    purpose: Option<&'static str>,
    verdict: Option<&'static str>,
    reason: Option<&'static str>,
}

/// Where a handler notes what it learns about a request, shared with the access log: what
/// it noted stays readable when the request times out and the handler is dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen(Arc<Mutex<SeenFields>>);

impl Seen {
    fn with(&self, note: impl FnOnce(&mut SeenFields)) {
        note(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The API client the request acts as.
    pub(crate) fn client(&self, id: &Arc<str>) {
        self.with(|f| f.client = Some(Arc::clone(id)));
    }

    /// The purpose the request verifies for.
    pub(crate) fn purpose(&self, name: &'static str) {
        self.with(|f| f.purpose = Some(name));
    }

    /// The verdict and its reason code.
    pub(crate) fn outcome(&self, verdict: &'static str, reason: Option<&'static str>) {
        self.with(|f| {
            f.verdict = Some(verdict);
            f.reason = reason;
        });
    }

    fn fields(&self) -> SeenFields {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The request's [`Seen`], which [`observe`] puts in; a detached one without it.
impl<S: Send + Sync> FromRequestParts<S> for Seen {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts.extensions.get::<Seen>().cloned().unwrap_or_default())
    }
}

/// The address of the client's end of the connection, when the server provides it
/// (`ConnectInfo<SocketAddr>`, as `into_make_service_with_connect_info` does). A router
/// used without it, as tests do, sees `None`. Forwarding headers are not believed: any
/// client can send them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddress(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let extensions = &parts.extensions;
        let address = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip())
            .or_else(|| {
                extensions
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|MockConnectInfo(peer)| peer.ip())
            });
        Ok(ClientAddress(address))
    }
}

/// Counts and logs every response: route template, status, latency, and for API calls
/// the client, purpose, verdict and reason code (for a request that timed out, what the
/// handler had learned by then). Never the URI, a header or the body. Every answer gets
/// `X-Content-Type-Options: nosniff`, so no browser reads a JSON or problem body as a
/// script or a page.
async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // A clone of the matched path shares its text: no allocation per request.
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = request.method().clone();
    let seen = Seen::default();
    request.extensions_mut().insert(seen.clone());
    let started = Instant::now();
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    state.metrics.request(route, status);
    let seen = seen.fields();
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
pub(crate) fn admit(
    state: &AppState,
    headers: &HeaderMap,
    seen: &Seen,
) -> Result<Arc<Client>, Problem> {
    let client = state.clients.authenticate(headers)?;
    seen.client(&client.id);
    if let Err(problem) = client.take_request() {
        state.metrics.rate_limited(&client.id);
        return Err(problem);
    }
    Ok(client)
}

/// A picture uploaded as the body of `POST /v1/verify`: its bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub(crate) struct Picture(Vec<u8>);

/// The body of `POST /v1/verify`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyRequest {
    /// The scanned QR text, exactly as read (`IKD1:…`). Without it: 400 `qr_missing`.
    #[schema(required = true, value_type = String, example = "IKD1:6BF+70R30FFWTWGSLKC 4N9…")]
    qr: Option<String>,
    /// What the client needs the credential for: `kyc`, `identity`, `age_check` or
    /// `domicile`; the client's default purpose when absent.
    #[schema(example = "age_check")]
    purpose: Option<String>,
    /// The challenge code this counter showed the holder (spec/format.md §17.5): the
    /// presentation must bind it (`nonce_mismatch` otherwise). 6 to 64 printable ASCII
    /// characters; a typed code is normalised (`7kq2-m9xd` is `7KQ2M9XD`).
    #[schema(example = "7KQ2M9XD")]
    nonce: Option<String>,
    /// The languages of the answer's display rows (the document laid out as printed):
    /// `id` (Bahasa Indonesia, the default), `en`, `both`, or `none` (no display rows; the
    /// document's fields and codes are always there). Anything else: 400 `display_unknown`.
    #[schema(example = "none")]
    display: Option<String>,
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

/// Verifies a scanned IKD QR text, or the IKD QR code in an uploaded picture.
///
/// Every credential outcome, valid or rejected, is a 200 with the verdict: the reason code
/// with its stage and messages in English and Bahasa Indonesia, the per-stage trace, the
/// warnings, and only the document fields the purpose may see. The body is either JSON
/// (`{"qr": …}`) or a picture (`image/png`, `image/jpeg`, `image/webp`,
/// `application/pdf`; purpose and nonce then in the query string): the picture's QR code
/// is read and verified exactly as its text sent as JSON. Checks run in this order: API
/// key, rate limit, media type, (picture: query), size, JSON, purpose, trust data,
/// (picture: scan).
#[utoipa::path(
    post,
    path = "/v1/verify",
    tag = "verification",
    operation_id = "verify",
    security(("api_key" = [])),
    params(
        ("purpose" = Option<String>, Query, description = "Picture uploads only: the purpose (as the JSON member `purpose`)."),
        ("nonce" = Option<String>, Query, description = "Picture uploads only: the challenge code (as the JSON member `nonce`)."),
        ("display" = Option<String>, Query, description = "Picture uploads only: the display rows' languages, `none`, `id` (default), `en` or `both` (as the JSON member `display`)."),
    ),
    request_body(
        description = "The QR text (JSON) and, optionally, the purpose; or a picture holding one IKD QR code, at most `upload.body_limit_bytes` (8 MiB by default).",
        content(
            (VerifyRequest = "application/json"),
            (Picture = "image/png"),
            (Picture = "image/jpeg"),
            (Picture = "image/webp"),
            (Picture = "application/pdf"),
        )
    ),
    responses(
        (status = 200, description = "The verdict (valid or rejected), disclosed for the purpose. Never cached (`Cache-Control: no-store`).",
            body = ref("https://example.invalid/ikd-verify/schemas/disclosed-verdict.schema.json"),
            content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "Always `no-store`: the answer may hold personal data."),
                ("Date" = String, description = "The service clock's time of the verification (an HTTP date). With a presentation's `expires_at`, it tells how long the code has left, whatever the caller's own clock says."))),
        (status = 400, description = "`malformed_json`, `qr_missing`, `purpose_unknown`, `nonce_invalid`, `display_unknown` or `malformed_query`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`api_key_missing` or `api_key_invalid`.",
            body = ProblemBody, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"ikd-verify\"`"))),
        (status = 403, description = "`purpose_not_allowed`: the client may not use this purpose.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 408, description = "`request_timeout`: not received and answered in time.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "`body_too_large` (over the JSON or the picture limit) or `image_too_large` (the picture's dimensions exceed the scanner's limits).",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type` (not JSON nor a picture type) or `unsupported_format` (the bytes are not a PNG, JPEG, WebP or PDF).",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A picture that gives no QR text: `no_qr_code_found`, `multiple_credentials`, `undecodable_image` or `unreadable_pdf`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: the client's bucket is empty.",
            body = ProblemBody, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until a request may succeed."))),
        (status = 503, description = "`trust_not_loaded` (no verified trust data yet) or `audit_unavailable` (the verification cannot be recorded, so it is not answered).",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn verify(
    State(state): State<AppState>,
    seen: Seen,
    input: VerifyInput<ApiInput>,
) -> Response {
    let VerifyInput {
        client,
        purpose,
        nonce,
        qr,
        display,
        started,
        ..
    } = input;
    let verification = match verify_qr(
        &state,
        &client.id,
        purpose,
        nonce.as_deref(),
        qr,
        None,
        display,
    )
    .await
    {
        Ok(verification) => verification,
        Err(problem) => return problem.into_response(),
    };
    state.metrics.verify_latency(started.elapsed());
    seen.outcome(verification.verdict_name(), verification.reason_code);
    let date = verification.date_header();
    let mut response = json_response(StatusCode::OK, verification.json);
    let headers = response.headers_mut();
    // The answer may hold personal data: no cache may keep it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(date) = date {
        headers.insert(header::DATE, date);
    }
    response
}

/// `POST /v1/verify`: the API key names the caller; a picture's purpose and nonce come
/// from the query string.
#[derive(Debug)]
pub(crate) enum ApiInput {}

impl InputRoute for ApiInput {
    const QUERY: &'static [&'static str] = &["purpose", "nonce", "display"];
    // Counter software shows the rows in Bahasa Indonesia, the card's language; programs
    // that read the fields ask for `none`, bilingual screens for `both`.
    const DEFAULT_DISPLAY: DisplayLanguages = DisplayLanguages::Indonesian;

    fn identify(state: &AppState, parts: &Parts, seen: &Seen) -> Result<Caller, Problem> {
        let client = admit(state, &parts.headers, seen)?;
        Ok(Caller {
            client,
            purpose: None,
        })
    }

    fn unsupported_media_type() -> Problem {
        Problem::unsupported_media_type()
    }

    fn parse_json(bytes: &[u8]) -> Result<JsonInput, Problem> {
        let request: VerifyRequest = serde_json::from_slice(bytes).map_err(|e| json_problem(&e))?;
        Ok(JsonInput {
            qr: request.qr,
            purpose: request.purpose,
            nonce: request.nonce,
            display: request.display,
        })
    }
}

/// One entry of a code registry.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegistryEntry {
    /// The stable snake_case code.
    code: &'static str,
    /// The verification stage the code belongs to.
    stage: &'static str,
    /// What the code means, in English.
    message_en: &'static str,
    /// What the code means, in Bahasa Indonesia.
    message_id: &'static str,
}

impl From<&ReasonInfo> for RegistryEntry {
    fn from(info: &ReasonInfo) -> Self {
        RegistryEntry {
            code: info.code,
            stage: info.stage.as_str(),
            message_en: info.en,
            message_id: info.id,
        }
    }
}

/// The reason and warning registries (`GET /v1/reason-codes`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReasonCodes {
    /// The verification stages, in order.
    stages: Vec<&'static str>,
    /// Every rejection reason code (append-only).
    reasons: Vec<RegistryEntry>,
    /// Every warning code (append-only).
    warnings: Vec<RegistryEntry>,
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => json_response(StatusCode::OK, body),
        // Serializing these plain structures cannot fail.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Every reason and warning code, with its stage and its messages in English and Bahasa
/// Indonesia.
#[utoipa::path(
    get,
    path = "/v1/reason-codes",
    tag = "reference",
    operation_id = "reason_codes",
    responses((status = 200, description = "The registries.", body = ReasonCodes))
)]
async fn reason_codes() -> Response {
    to_json(&ReasonCodes {
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        reasons: REGISTRY.iter().map(RegistryEntry::from).collect(),
        warnings: WARNING_REGISTRY.iter().map(RegistryEntry::from).collect(),
    })
}

/// The trust data in use: source, issuer keys, the signed trust list's sequence, age and
/// freshness, each status list's age and freshness, and the last sync's result.
#[utoipa::path(
    get,
    path = "/v1/trust/status",
    tag = "operations",
    operation_id = "trust_status",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The trust data in use.", body = crate::trust_report::TrustStatus),
        (status = 401, description = "`api_key_missing` or `api_key_invalid`.",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`.",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn trust_status(State(state): State<AppState>, headers: HeaderMap, seen: Seen) -> Response {
    if let Err(problem) = admit(&state, &headers, &seen) {
        return problem.into_response();
    }
    let status = crate::trust_report::trust_status(&state, state.clock.now());
    to_json(&status)
}

/// `{"status": "ok"}`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness: 200 while the process runs.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    operation_id = "healthz",
    responses((status = 200, description = "The process runs.", body = Health))
)]
async fn healthz() -> Response {
    to_json(&Health { status: "ok" })
}

/// Readiness (`GET /readyz`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Ready {
    /// Always `ready`.
    #[schema(example = "ready")]
    status: &'static str,
    /// Issuer keys in the trust data in use.
    trust_keys: usize,
    /// When the trust data in use was put in use, RFC 3339 UTC.
    trust_loaded_at: String,
    /// Whether the keys come from a verified signed trust list.
    trust_signed: bool,
    /// The signed trust list's sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    trust_list_sequence: Option<u64>,
    /// Seconds since the signed trust list was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    trust_list_age_seconds: Option<i64>,
    /// `fresh` or `stale_in_grace` (verifications pass with a warning).
    #[serde(skip_serializing_if = "Option::is_none")]
    trust_list_freshness: Option<&'static str>,
}

/// Readiness: 200 once verified trust data is loaded, its trust list is not stale beyond
/// its grace period, and the audit log records.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to verify.", body = Ready),
        (status = 503, description = "`trust_not_loaded`, `trust_expired` (the trust list is stale beyond its grace period: every verification would be rejected) or `audit_unavailable`.",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn readyz(State(state): State<AppState>) -> Response {
    if state.audit.is_failing() {
        return Problem::audit_unavailable().into_response();
    }
    let Some(trust) = state.trust.current() else {
        return Problem::trust_not_loaded().into_response();
    };
    let now = state.clock.now();
    let list = crate::trust_report::trust_list_status(&trust, &state.policy, now);
    if list.as_ref().is_some_and(|l| l.freshness == "stale") {
        return Problem::trust_expired().into_response();
    }
    to_json(&Ready {
        status: "ready",
        trust_keys: trust.store.len(),
        trust_loaded_at: trust.loaded_at.to_string(),
        trust_signed: trust.is_signed(),
        trust_list_sequence: list.as_ref().map(|l| l.sequence),
        trust_list_age_seconds: list.as_ref().map(|l| l.age_seconds),
        trust_list_freshness: list.as_ref().map(|l| l.freshness),
    })
}

/// The OpenAPI document of this service, generated from its code.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "reference",
    operation_id = "openapi",
    responses((status = 200, description = "OpenAPI 3.1 document (equal to `spec/openapi.json`).",
        body = Object, content_type = "application/json"))
)]
async fn openapi_json() -> Response {
    json_response(StatusCode::OK, crate::openapi::json().to_owned())
}

/// Prometheus metrics, text exposition format 0.0.4.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "Counters, gauges and a latency histogram; labels never hold personal data.",
        body = String, content_type = "text/plain; version=0.0.4"))
)]
async fn metrics_text(State(state): State<AppState>) -> Response {
    let trust = state.trust.current();
    let now = state.clock.now();
    let mut text = state
        .metrics
        .render(trust.as_deref(), state.audit.stats(), now);
    text.push_str(&crate::trust_report::metrics(&state, trust.as_deref(), now));
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}
