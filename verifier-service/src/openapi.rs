//! The OpenAPI 3.1 document, generated from the code: each handler carries its own
//! description (`#[utoipa::path]`), each request and answer type its schema
//! (`#[derive(ToSchema)]`), and [`crate::app()`] builds the router and the document from one
//! list of routes. `GET /openapi.json` serves it; `tests/openapi.rs` checks that it equals
//! the committed `spec/openapi.json` (`IKD_UPDATE_OPENAPI=1` rewrites that file).
//!
//! The verdict's schema is not repeated here: the 200 answer of `POST /v1/verify`
//! references the published JSON Schema `spec/schemas/disclosed-verdict.schema.json` by
//! its `$id`, which the service's tests check every answer against.

use std::sync::OnceLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts: information, tags, the API key scheme.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "IKD Verify verification service",
        description = "Verifies IKD credentials (KTP-el, Kartu Keluarga) shown as QR codes, offline, \
against cached trust data. Every credential outcome is a 200 with a verdict and a stable \
reason code; request problems are application/problem+json with a stable code. Answers \
hold only the document fields the client's purpose allows (UU 27/2022).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "verification", description = "Verify a credential."),
        (name = "reference", description = "Codes and the API description."),
        (name = "operations", description = "Health, readiness, trust data and metrics."),
    ),
    modifiers(&ApiKey),
)]
pub struct ApiDoc;

/// The API key, sent as `Authorization: Bearer <key>`.
struct ApiKey;

impl Modify for ApiKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A per-client API key (`ikd_` and 64 hex digits), stored by the service only as \
             its SHA-256. Each client may use a configured set of purposes and has its own \
             rate limit."
                .to_owned(),
        );
        components.add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// Sets what depends on the build rather than on the code: the version.
pub fn finish(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi
}

/// The document as pretty-printed JSON with a final newline, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| match crate::app::openapi().to_pretty_json() {
        Ok(text) => text + "\n",
        Err(_) => "{}\n".to_owned(),
    })
}
