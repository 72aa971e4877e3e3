//! What a verification request asks: the QR text (sent as JSON, or read from an uploaded
//! picture), the purpose, the nonce and the display rows' languages. One extractor, [`VerifyInput`], reads it for
//! `POST /v1/verify` and for the counter page's verify route; an [`InputRoute`] says how
//! each route finds its caller and what its JSON body holds.
//!
//! The checks run in one order for both: the caller (API key, or session and CSRF), the
//! media type, the rate limit, (picture: the query string), the body's size, the JSON,
//! the purpose, the trust data, (picture: the scan).

use crate::app::Seen;
use crate::auth::Client;
use crate::problem::Problem;
use crate::state::AppState;
use crate::upload::{PictureType, receive_picture, scan_picture};
use axum::body::{Body, HttpBody as _};
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ikd_sdk::disclosure::Purpose;
use ikd_sdk::display::DisplayLanguages;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

/// Who a verification is for, known from the request's head.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The API client the request acts as.
    pub(crate) client: Arc<Client>,
    /// The purpose fixed by the caller (a staff account's), or `None`: the request's own,
    /// or the client's default.
    pub(crate) purpose: Option<&'static Purpose>,
}

/// The members of a JSON verify body.
#[derive(Debug, Default)]
pub(crate) struct JsonInput {
    /// The QR text.
    pub(crate) qr: Option<String>,
    /// The purpose asked for.
    pub(crate) purpose: Option<String>,
    /// The challenge code.
    pub(crate) nonce: Option<String>,
    /// The display rows' languages, by name.
    pub(crate) display: Option<String>,
}

/// How one route reads its verify input.
pub(crate) trait InputRoute: 'static {
    /// What a picture upload may send in the query string (`purpose`, `nonce`,
    /// `display`); when it holds `purpose`, a JSON body must come without a query string.
    const QUERY: &'static [&'static str];

    /// The display rows' languages when the request names none.
    const DEFAULT_DISPLAY: DisplayLanguages;

    /// Who the request is for, from its head, before the body is read.
    fn identify(state: &AppState, parts: &Parts, seen: &Seen) -> Result<Caller, Problem>;

    /// Runs once the media type is accepted, before the body is read.
    fn admit(_state: &AppState, _caller: &Caller) -> Result<(), Problem> {
        Ok(())
    }

    /// The answer to a body that is neither JSON nor a picture.
    fn unsupported_media_type() -> Problem;

    /// The JSON body's members.
    fn parse_json(bytes: &[u8]) -> Result<JsonInput, Problem>;
}

/// A verify request's input, read and checked: the QR text and for whom to verify it.
/// Its rejection is the request's [`Problem`].
#[derive(Debug)]
pub(crate) struct VerifyInput<R> {
    /// The API client.
    pub(crate) client: Arc<Client>,
    /// The purpose, allowed for the client.
    pub(crate) purpose: &'static Purpose,
    /// The challenge code the presentation must bind, if any.
    pub(crate) nonce: Option<String>,
    /// The languages of the answer's display rows.
    pub(crate) display: DisplayLanguages,
    /// The QR text, as sent or as read from the picture. Never logged.
    pub(crate) qr: String,
    /// When reading the request began, for the latency histogram.
    pub(crate) started: Instant,
    route: PhantomData<fn() -> R>,
}

/// What the body is, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    Picture,
    Other,
}

impl Media {
    fn of(headers: &HeaderMap) -> Self {
        let value = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let Some(value) = value else {
            return Media::Other;
        };
        if PictureType::from_content_type(value).is_some() {
            return Media::Picture;
        }
        let media = value.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("application/json") {
            Media::Json
        } else {
            Media::Other
        }
    }
}

impl<R: InputRoute> FromRequest<AppState> for VerifyInput<R> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Problem> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let seen = parts.extensions.get::<Seen>().cloned().unwrap_or_default();
        let caller = R::identify(state, &parts, &seen)?;
        let media = Media::of(&parts.headers);
        if media == Media::Other {
            return Err(R::unsupported_media_type());
        }
        R::admit(state, &caller)?;
        let Caller { client, purpose } = caller;
        let resolve = |asked: Option<&str>| match purpose {
            Some(fixed) => Ok(fixed),
            None => client.purpose(asked),
        };
        let display = |asked: Option<&str>| match asked {
            None => Ok(R::DEFAULT_DISPLAY),
            Some(name) => DisplayLanguages::from_name(name).ok_or_else(Problem::display_unknown),
        };
        let (qr, purpose, nonce, display) = if media == Media::Picture {
            let query = VerifyQuery::parse(parts.uri.query(), R::QUERY)?;
            let display = display(query.display.as_deref())?;
            // Known before the body: noted now, so that the access line of an upload that
            // times out names it; refused after the size check, as documented.
            let purpose = resolve(query.purpose.as_deref());
            if let Ok(purpose) = purpose {
                seen.purpose(purpose.name);
            }
            let picture = receive_picture(state, &parts.headers, body).await?;
            let purpose = purpose?;
            // No scan without trust data: it would be refused afterwards anyway.
            if state.trust.current().is_none() {
                return Err(Problem::trust_not_loaded());
            }
            let qr = scan_picture(state, picture).await?;
            (qr, purpose, query.nonce, display)
        } else {
            if R::QUERY.contains(&"purpose") && parts.uri.query().is_some_and(|q| !q.is_empty()) {
                return Err(Problem::malformed_query(
                    "With a JSON body, send purpose, nonce and display in the body, not the \
                     query string.",
                ));
            }
            let bytes = read_body(&parts.headers, body, state.body_limit_bytes).await?;
            let input = R::parse_json(&bytes)?;
            drop(bytes);
            let qr = input.qr.ok_or_else(Problem::qr_missing)?;
            let purpose = resolve(input.purpose.as_deref())?;
            seen.purpose(purpose.name);
            let display = display(input.display.as_deref())?;
            (qr, purpose, input.nonce, display)
        };
        Ok(VerifyInput {
            client,
            purpose,
            nonce,
            display,
            qr,
            started,
            route: PhantomData,
        })
    }
}

/// Reads the body, refusing more than `limit` bytes as soon as it is clear.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Vec<u8>, Problem> {
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

/// `purpose`, `nonce` and `display` from the query string of a picture upload.
#[derive(Debug, Default, PartialEq, Eq)]
struct VerifyQuery {
    purpose: Option<String>,
    nonce: Option<String>,
    display: Option<String>,
}

impl VerifyQuery {
    /// Longest query string read.
    const MAX_LEN: usize = 2048;

    /// Parses `purpose=…&nonce=…&display=…` (percent-encoded), of which only the names in
    /// `allowed`; anything else is refused, by name of the problem only (the values are
    /// not quoted).
    fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Self, Problem> {
        let mut parsed = VerifyQuery::default();
        let Some(query) = query.filter(|q| !q.is_empty()) else {
            return Ok(parsed);
        };
        if query.len() > Self::MAX_LEN {
            return Err(Problem::malformed_query("The query string is too long."));
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value).ok_or_else(|| {
                Problem::malformed_query("A query value is not valid percent-encoded UTF-8.")
            })?;
            let slot = match name {
                "purpose" if allowed.contains(&name) => &mut parsed.purpose,
                "nonce" if allowed.contains(&name) => &mut parsed.nonce,
                "display" if allowed.contains(&name) => &mut parsed.display,
                _ => {
                    return Err(Problem::malformed_query(match allowed {
                        ["display"] => "The query string may hold only display.",
                        _ => "The query string may hold only purpose, nonce and display.",
                    }));
                }
            };
            if slot.replace(value).is_some() {
                return Err(Problem::malformed_query(
                    "purpose, nonce and display may each appear once.",
                ));
            }
        }
        Ok(parsed)
    }
}

/// Decodes `%XX` escapes and `+` (a space, as forms send it); `None` if malformed.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        match first {
            b'%' => {
                let hex = tail.get(..2)?;
                let hex = std::str::from_utf8(hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = tail.get(2..)?;
            }
            b'+' => {
                bytes.push(b' ');
                rest = tail;
            }
            other => {
                bytes.push(other);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn media(value: &str) -> Media {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        Media::of(&headers)
    }

    #[test]
    fn the_media_type_selects_the_path() {
        assert_eq!(media("application/json"), Media::Json);
        assert_eq!(media(" Application/JSON ; charset=utf-8"), Media::Json);
        assert_eq!(media("image/png"), Media::Picture);
        assert_eq!(media("IMAGE/JPG"), Media::Picture);
        assert_eq!(media("application/pdf; x=y"), Media::Picture);
        assert_eq!(media("text/plain"), Media::Other);
        assert_eq!(media("application/jsonx"), Media::Other);
        assert_eq!(Media::of(&HeaderMap::new()), Media::Other);
    }

    #[test]
    fn the_query_holds_purpose_and_nonce_once_each() {
        const API: &[&str] = &["purpose", "nonce", "display"];
        let parsed = VerifyQuery::parse(
            Some("purpose=age_check&nonce=7kq2%2Dm9xd&display=none"),
            API,
        )
        .unwrap();
        assert_eq!(parsed.purpose.as_deref(), Some("age_check"));
        assert_eq!(parsed.nonce.as_deref(), Some("7kq2-m9xd"));
        assert_eq!(parsed.display.as_deref(), Some("none"));
        assert_eq!(
            VerifyQuery::parse(None, API).unwrap(),
            VerifyQuery::default()
        );
        for bad in [
            "x=1",
            "purpose=a&purpose=b",
            "display=id&display=en",
            "nonce=%zz",
            "nonce=%ff",
        ] {
            let problem = VerifyQuery::parse(Some(bad), API).unwrap_err();
            assert_eq!(problem.code, "malformed_query", "{bad}");
            assert!(!problem.detail.contains(bad), "{bad}");
        }
        let long = format!("nonce={}", "A".repeat(VerifyQuery::MAX_LEN));
        assert_eq!(
            VerifyQuery::parse(Some(&long), API).unwrap_err().detail,
            "The query string is too long."
        );
        // The counter page names its purpose by the session: only display is read.
        let counter = VerifyQuery::parse(Some("display=both"), &["display"]).unwrap();
        assert_eq!(counter.display.as_deref(), Some("both"));
        let problem = VerifyQuery::parse(Some("purpose=kyc"), &["display"]).unwrap_err();
        assert_eq!(
            (problem.code, problem.detail.as_str()),
            ("malformed_query", "The query string may hold only display.")
        );
    }

    #[test]
    fn plus_is_a_space_and_escapes_must_be_complete() {
        assert_eq!(percent_decode("a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
    }
}
