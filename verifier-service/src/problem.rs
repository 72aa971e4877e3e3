//! Request problems as RFC 9457 `application/problem+json`, each with a stable `code`.
//!
//! A problem is about the request (authentication, size, media type, rate, readiness),
//! never about a credential: every credential outcome, valid or rejected, is a 200 with a
//! verdict.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// The media type of a problem response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A request problem: HTTP status, stable snake_case code and a human explanation.
///
/// The detail never quotes the request: it may hold personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code (`api_key_missing`, `body_too_large`, …).
    pub code: &'static str,
    /// A short summary of the code.
    pub title: &'static str,
    /// What happened in this case.
    pub detail: String,
    /// Seconds after which a retry may succeed (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, title: &'static str, detail: String) -> Self {
        Problem {
            status,
            code,
            title,
            detail,
            retry_after: None,
        }
    }

    /// 400: the body is not the JSON the endpoint takes.
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The request body is not the expected JSON object.",
            detail.into(),
        )
    }

    /// 400: the request has no `qr` member.
    pub fn qr_missing() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "qr_missing",
            "The request has no QR text.",
            "The JSON object must have a string member \"qr\" holding the scanned QR text.".into(),
        )
    }

    /// 400: the purpose is not one the service knows.
    pub fn purpose_unknown() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "purpose_unknown",
            "The purpose is not known.",
            "See the service's README for the purposes: kyc, identity, age_check, domicile.".into(),
        )
    }

    /// 400: the nonce is not a challenge code a presentation can bind.
    pub fn nonce_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "nonce_invalid",
            "The nonce is not a valid challenge code.",
            "A nonce is the challenge code the counter showed: 6 to 64 printable ASCII \
             characters (spec/format.md §17.5)."
                .into(),
        )
    }

    /// 400: the display languages asked for are not `none`, `id`, `en` or `both`.
    pub fn display_unknown() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "display_unknown",
            "The display languages are not known.",
            "display is one of none, id, en, both: the languages of the display rows' \
             labels (none: no display rows)."
                .into(),
        )
    }

    /// 401: no API key was sent.
    pub fn api_key_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "api_key_missing",
            "An API key is required.",
            "Send the API key as \"Authorization: Bearer <key>\".".into(),
        )
    }

    /// 401: the API key is not one the service knows.
    pub fn api_key_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "api_key_invalid",
            "The API key is not valid.",
            "The key sent in the Authorization header is not known to this service.".into(),
        )
    }

    /// 403: the client may not use this purpose.
    pub fn purpose_not_allowed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "purpose_not_allowed",
            "This client may not use this purpose.",
            "The purpose is not among the purposes configured for this API key.".into(),
        )
    }

    /// 404: no such endpoint.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No such endpoint.",
            "See the service's README for its endpoints.".into(),
        )
    }

    /// 405: the endpoint does not take this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "The endpoint does not take this method.",
            "See the service's README for its endpoints.".into(),
        )
    }

    /// 408: the request did not complete within the configured time.
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request took too long.",
            "The request was not received and answered within the service's time limit.".into(),
        )
    }

    /// 413: the body is larger than the configured limit.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "The request body is too large.",
            format!("The body may hold at most {limit} bytes."),
        )
    }

    /// 415: the body is not `application/json`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The request body must be JSON or a picture.",
            "Send \"Content-Type: application/json\" with {\"qr\": ...}, or a picture as \
             image/png, image/jpeg, image/webp or application/pdf."
                .into(),
        )
    }

    /// 400: the query string holds something other than `purpose` and `nonce`, or holds
    /// them with a JSON body (where they belong in the body).
    pub fn malformed_query(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "The query string is not accepted.",
            detail.into(),
        )
    }

    /// 413: the picture's dimensions exceed the scanner's limits.
    pub fn image_too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            "The picture is too large to scan.",
            detail.into(),
        )
    }

    /// 415: the bytes are not a PNG, JPEG or WebP image nor a PDF, whatever the
    /// Content-Type said.
    pub fn unsupported_format() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_format",
            "The picture's format is not supported.",
            "The body is not a PNG, JPEG or WebP image nor a PDF (recognised from its bytes)."
                .into(),
        )
    }

    /// 422: the image could not be decoded.
    pub fn undecodable_image() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "undecodable_image",
            "The picture cannot be decoded.",
            "The image data is damaged or incomplete.".into(),
        )
    }

    /// 422: the PDF could not be read.
    pub fn unreadable_pdf() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_pdf",
            "The PDF cannot be read.",
            "The PDF is damaged, encrypted or not a PDF the scanner reads.".into(),
        )
    }

    /// 422: the picture holds no QR code the scanner could read.
    pub fn no_qr_code_found(budget_exhausted: bool) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_qr_code_found",
            "No QR code was found in the picture.",
            if budget_exhausted {
                "No QR code was read within the time allowed; send a sharper, closer picture."
            } else {
                "The picture holds no readable QR code; send a sharper, closer picture."
            }
            .into(),
        )
    }

    /// 422: the picture holds several IKD credentials; which one to verify is ambiguous.
    pub fn multiple_credentials(count: usize) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "multiple_credentials",
            "The picture holds several IKD credentials.",
            format!("The picture holds {count} different IKD credentials; send one at a time."),
        )
    }

    /// 503: the trust list is stale beyond its grace period, so every credential would be
    /// rejected (`trust_list_stale`); readiness only.
    pub fn trust_expired() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "trust_expired",
            "The trust list is stale beyond its grace period.",
            "Every verification is rejected with trust_list_stale until a sync brings a newer \
             trust list."
                .into(),
        )
    }

    /// 429: the client's rate limit is used up.
    pub fn rate_limited(retry_after: u64) -> Self {
        Problem {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests.",
                format!("The rate limit for this API key is used up; retry in {retry_after} s."),
            )
        }
    }

    /// 503: no verified trust data is loaded, so no credential can be verified.
    pub fn trust_not_loaded() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "trust_not_loaded",
            "No trust data is loaded.",
            "The service has no verified trust data yet and cannot verify credentials.".into(),
        )
    }

    /// 503: the audit log cannot record, so the service does not answer.
    pub fn audit_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit_unavailable",
            "The audit log is unavailable.",
            "Verifications are answered only once they are recorded in the audit log.".into(),
        )
    }

    /// 503: every connection the service may hold is running a request; sent on the new
    /// connection before it is closed, without reading its request.
    pub fn too_many_connections() -> Self {
        Problem {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_connections",
                "Too many connections.",
                "Every connection the service may hold is running a request; retry in a \
                 moment."
                    .into(),
            )
        }
    }

    /// 403: the client may verify but not administer (import trust data).
    pub fn admin_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "admin_required",
            "This API key may not administer the service.",
            "Only the clients listed in [trust_import] admin_clients may import trust data.".into(),
        )
    }

    /// 409: the service reads an unsigned trust store file, so there is no signed trust
    /// data to import into.
    pub fn trust_import_unavailable() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "trust_import_unavailable",
            "This service does not use signed trust data.",
            "Trust bundles are imported into the signed trust cache; configure [trust] \
             anchors or roots."
                .into(),
        )
    }

    // The counter page's own problems. Its routes are not in the OpenAPI document, so
    // these codes are not in `all()`.

    /// 401 `session_missing`: no session cookie, or one this service does not know.
    pub fn session_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "session_missing",
            "Sign in first.",
            "There is no session, or it has ended (signed out, or the service restarted).".into(),
        )
    }

    /// 401 `session_expired`: the session ended after its idle or absolute time.
    pub fn session_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "session_expired",
            "The session has expired.",
            "The session ended after its idle or maximum time; sign in again.".into(),
        )
    }

    /// 401 `login_failed`: wrong user name or password (which one is not said).
    pub fn login_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "Wrong user name or password.",
            "The user name and password do not match a staff account.".into(),
        )
    }

    /// 403 `csrf_failed`: the CSRF header is missing or wrong, or the request comes from
    /// another site.
    pub fn csrf_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "The request did not come from the counter page.",
            "POST requests need the X-IKD-CSRF header of the session and must come from this \
             site."
                .into(),
        )
    }

    /// 409: no receipt signing key is configured.
    pub fn receipts_unavailable() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "receipts_unavailable",
            "This service does not sign verification receipts.",
            "Configure [receipt] verifier_id and signing_key to sign receipts.".into(),
        )
    }

    /// 415 `unsupported_media_type` for the counter page's endpoints; `accepted` says what
    /// the endpoint takes.
    pub fn counter_media_type(accepted: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The request body has a media type this endpoint does not take.",
            accepted.to_owned(),
        )
    }

    /// 503 `sessions_full`: too many sessions are open.
    pub fn sessions_full() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "sessions_full",
            "Too many sessions are open.",
            "Try again once other sessions have ended.".into(),
        )
    }

    /// 429 `rate_limited`: too many failed sign-ins from this address or for this name.
    /// The same answer whether or not the name has an account.
    pub fn sign_in_limited(wait: Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let seconds = seconds.max(1);
        Problem {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many sign-in attempts.",
                format!("Too many failed sign-ins; retry in {seconds} s."),
            )
        }
    }

    /// 503 `counter_unavailable`: the counter page cannot serve the account now.
    pub fn counter_unavailable(detail: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "counter_unavailable",
            "The counter page cannot serve this account now.",
            detail.to_owned(),
        )
    }

    /// One problem of every code, in a fixed order: the source of the code list in the
    /// OpenAPI document.
    pub fn all() -> Vec<Problem> {
        vec![
            Self::malformed_json(""),
            Self::qr_missing(),
            Self::purpose_unknown(),
            Self::nonce_invalid(),
            Self::api_key_missing(),
            Self::api_key_invalid(),
            Self::purpose_not_allowed(),
            Self::not_found(),
            Self::method_not_allowed(),
            Self::request_timeout(),
            Self::body_too_large(0),
            Self::unsupported_media_type(),
            Self::rate_limited(1),
            Self::trust_not_loaded(),
            Self::audit_unavailable(),
            Self::malformed_query(""),
            Self::image_too_large(""),
            Self::unsupported_format(),
            Self::undecodable_image(),
            Self::unreadable_pdf(),
            Self::no_qr_code_found(false),
            Self::multiple_credentials(2),
            Self::trust_expired(),
            Self::too_many_connections(),
            Self::admin_required(),
            Self::trust_import_unavailable(),
            Self::receipts_unavailable(),
            Self::display_unknown(),
        ]
    }

    /// The body, as sent.
    pub fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: format!("urn:ikd-verify:problem:{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
        }
    }

    /// The JSON body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.body()).unwrap_or_default()
    }
}

/// The body of a problem response (RFC 9457 `application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// `urn:ikd-verify:problem:` and the code.
    #[serde(rename = "type")]
    #[schema(example = "urn:ikd-verify:problem:api_key_missing")]
    pub kind: String,
    /// A short summary of the code.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this case; it never quotes the request.
    pub detail: String,
    /// The stable snake_case code.
    #[schema(schema_with = problem_code_schema)]
    pub code: String,
}

/// The `code` member: one of the codes of [`Problem::all`].
fn problem_code_schema() -> Object {
    let codes: Vec<&'static str> = Problem::all().iter().map(|p| p.code).collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("The stable snake_case code."))
        .enum_values(Some(codes))
        .build()
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.to_json()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ikd-verify\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_pages_problems_keep_their_answers_and_stay_out_of_the_api_list() {
        let counter = [
            (Problem::session_missing(), 401, "session_missing"),
            (Problem::session_expired(), 401, "session_expired"),
            (Problem::login_failed(), 401, "login_failed"),
            (Problem::csrf_failed(), 403, "csrf_failed"),
            (
                Problem::counter_media_type("x"),
                415,
                "unsupported_media_type",
            ),
            (Problem::sessions_full(), 503, "sessions_full"),
            (
                Problem::sign_in_limited(Duration::from_millis(1500)),
                429,
                "rate_limited",
            ),
            (
                Problem::counter_unavailable("x"),
                503,
                "counter_unavailable",
            ),
        ];
        let api: Vec<&str> = Problem::all().iter().map(|p| p.code).collect();
        for (problem, status, code) in counter {
            assert_eq!((problem.status.as_u16(), problem.code), (status, code));
            if !matches!(code, "unsupported_media_type" | "rate_limited") {
                assert!(!api.contains(&code), "{code} is not an API problem");
            }
        }
        let limited = Problem::sign_in_limited(Duration::from_millis(1500));
        assert_eq!(limited.retry_after, Some(2));
        assert_eq!(limited.detail, "Too many failed sign-ins; retry in 2 s.");
        assert_eq!(
            Problem::csrf_failed().detail,
            "POST requests need the X-IKD-CSRF header of the session and must come from this \
             site."
        );
        assert_eq!(
            Problem::counter_media_type("Send JSON.").detail,
            "Send JSON."
        );
    }
}
