//! `ikd trust serve DIR`: a small static HTTP server for a published trust-data folder, with
//! strong ETags and `If-None-Match`, for demos and tests. Any static web server does the
//! same job in production.

use crate::util::Failure;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};
use ikd_sdk::limits::{MAX_STATUS_LIST_TOKEN_BYTES, MAX_TRUST_LIST_BYTES};
use ikd_sdk::store::{self, STATUS_DIR, TRUST_LIST_FILE};
use ikd_sdk::trust_list::is_status_file_name;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Serves `dir` on `listen` until interrupted.
pub(crate) fn run(dir: &Path, listen: &str) -> Result<ExitCode, Failure> {
    if !dir.is_dir() {
        return Err(Failure::new(format!("{} is not a folder", dir.display())));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("cannot start the server: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Failure::new(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::new(format!("cannot listen on {listen}: {e}")))?;
        println!("Serving {} at http://{addr}/", dir.display());
        let _ = std::io::stdout().flush();
        let app = Router::new()
            .fallback(file)
            .with_state(Arc::new(dir.to_path_buf()));
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped())
            .await
            .map_err(|e| Failure::new(format!("server: {e}")))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn status(code: StatusCode) -> Response {
    code.into_response()
}

/// What a URL path names: the file, its size limit and its media type.
fn resolve(dir: &Path, path: &str) -> Option<(PathBuf, usize, &'static str)> {
    if path == format!("/{TRUST_LIST_FILE}") {
        return Some((
            dir.join(TRUST_LIST_FILE),
            MAX_TRUST_LIST_BYTES,
            "application/cose",
        ));
    }
    let name = path.strip_prefix(&format!("/{STATUS_DIR}/"))?;
    is_status_file_name(name).then(|| {
        (
            dir.join(STATUS_DIR).join(name),
            MAX_STATUS_LIST_TOKEN_BYTES,
            ikd_sdk::status_list::STATUS_LIST_MEDIA_TYPE,
        )
    })
}

async fn file(
    State(dir): State<Arc<PathBuf>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let Some((path, limit, media_type)) = resolve(&dir, uri.path()) else {
        return status(StatusCode::NOT_FOUND);
    };
    let read = tokio::task::spawn_blocking(move || store::read_bounded(&path, limit as u64)).await;
    let bytes = match read {
        Ok(Ok(Some(bytes))) => bytes,
        Ok(Ok(None)) => return status(StatusCode::NOT_FOUND),
        _ => return status(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let etag = format!(
        "\"{}\"",
        ikd_sdk::encoding::hex_encode(ikd_sdk::crypto::sha256(&bytes).get(..16).unwrap_or(&[]))
    );
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let mut response = if matches {
        status(StatusCode::NOT_MODIFIED)
    } else if method == Method::HEAD {
        let mut r = status(StatusCode::OK);
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        r
    } else {
        Response::new(Body::from(bytes))
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag_value);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
