//! The offline verifier page (`bindings/wasm/page.sh` builds it), served at `/offline/`
//! from the folder `[offline_page] dir` names. The folder is read once at start-up and
//! held in memory: only the files that were in it then are ever served, so no request
//! path reaches the file system.

use crate::config::ConfigError;
use crate::problem::Problem;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The page's Content-Security-Policy, the same as the `<meta>` in its `index.html`: its
/// own scripts and styles, WebAssembly compiled from bytes, pictures and the camera, and
/// no connections at all.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' \
     'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' \
     blob: mediastream:; connect-src 'none'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// At most this many files, and this many bytes in all (the page is about 2.2 MB).
const MAX_FILES: usize = 64;
const MAX_TOTAL_BYTES: u64 = 32 * 1024 * 1024;

/// The `[offline_page]` section, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOfflinePage {
    /// Also from `IKD_OFFLINE_PAGE_DIR`.
    pub(crate) dir: Option<PathBuf>,
}

/// One file of the page: its media type and bytes.
#[derive(Clone, PartialEq, Eq)]
struct PageFile {
    content_type: &'static str,
    body: Bytes,
}

/// The page's files, read at start-up.
#[derive(Clone, PartialEq, Eq)]
pub struct OfflinePage {
    files: Arc<BTreeMap<String, PageFile>>,
}

impl fmt::Debug for OfflinePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfflinePage")
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The section resolved: the page read from its folder (relative to the data directory),
/// or `None` when no folder is named.
pub fn resolve(raw: RawOfflinePage, data_dir: &Path) -> Result<Option<OfflinePage>, ConfigError> {
    let Some(dir) = raw.dir else {
        return Ok(None);
    };
    OfflinePage::read(&data_dir.join(dir)).map(Some)
}

impl OfflinePage {
    /// Reads the page's folder: its regular files with plain names (sub-folders and hidden
    /// files are left out); it must hold `index.html`.
    pub fn read(dir: &Path) -> Result<OfflinePage, ConfigError> {
        let invalid = |m: &str| ConfigError::Invalid(format!("offline_page.dir: {m}"));
        let entries = std::fs::read_dir(dir).map_err(|_| invalid("not a readable folder"))?;
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for entry in entries {
            let entry = entry.map_err(|_| invalid("not a readable folder"))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_file || !plain_name(&name) {
                continue;
            }
            let body = std::fs::read(entry.path()).map_err(|_| invalid("a file is unreadable"))?;
            total += body.len() as u64;
            if files.len() >= MAX_FILES || total > MAX_TOTAL_BYTES {
                return Err(invalid("more than 64 files or 32 MiB"));
            }
            let content_type = content_type(&name);
            files.insert(
                name,
                PageFile {
                    content_type,
                    body: Bytes::from(body),
                },
            );
        }
        if !files.contains_key("index.html") {
            return Err(invalid(
                "holds no index.html (build it with bindings/wasm/page.sh)",
            ));
        }
        Ok(OfflinePage {
            files: Arc::new(files),
        })
    }

    fn response(&self, name: &str) -> Response {
        let Some(file) = self.files.get(name) else {
            return Problem::not_found().into_response();
        };
        let mut response = file.body.clone().into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        // The page checks nothing with the server; a new build must show at once.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
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
        response
    }
}

/// Letters, digits, `.`, `-` and `_`, not starting with a dot.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `GET /offline` (redirected), `/offline/` (the page) and `/offline/{file}`.
pub fn router<S: Clone + Send + Sync + 'static>(page: OfflinePage) -> Router<S> {
    Router::new()
        .route(
            "/offline",
            get(|| async {
                (
                    StatusCode::PERMANENT_REDIRECT,
                    [(header::LOCATION, "/offline/")],
                )
            }),
        )
        .route(
            "/offline/",
            get(|State(page): State<OfflinePage>| async move { page.response("index.html") }),
        )
        .route(
            "/offline/{file}",
            get(
                |State(page): State<OfflinePage>, UrlPath(file): UrlPath<String>| async move {
                    page.response(&file)
                },
            ),
        )
        .with_state(page)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    fn folder(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ikd-offline-page-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for (file, body) in files {
            std::fs::write(dir.join(file), body).unwrap();
        }
        dir
    }

    async fn get_path(page: &OfflinePage, path: &str) -> Response {
        router::<()>(page.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn serves_the_pages_files_with_their_types_and_the_policy() {
        let dir = folder(
            "serve",
            &[
                ("index.html", b"<!doctype html>"),
                ("offline.js", b"1"),
                ("app.css", b"a{}"),
                ("ikd_wilayah.bin", b"\x78\x01"),
                (".hidden", b"secret"),
            ],
        );
        std::fs::write(dir.join("sub/inner.js"), b"2").unwrap();
        let page = resolve(
            RawOfflinePage {
                dir: Some(dir.file_name().unwrap().into()),
            },
            dir.parent().unwrap(),
        )
        .unwrap()
        .unwrap();
        for (path, kind, body) in [
            ("/offline/", "text/html; charset=utf-8", "<!doctype html>"),
            (
                "/offline/index.html",
                "text/html; charset=utf-8",
                "<!doctype html>",
            ),
            ("/offline/offline.js", "text/javascript; charset=utf-8", "1"),
            ("/offline/app.css", "text/css; charset=utf-8", "a{}"),
        ] {
            let response = get_path(&page, path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_TYPE], kind, "{path}");
            assert_eq!(
                headers[header::CONTENT_SECURITY_POLICY],
                CONTENT_SECURITY_POLICY
            );
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            assert_eq!(bytes, body.as_bytes(), "{path}");
        }
        let tables = get_path(&page, "/offline/ikd_wilayah.bin").await;
        assert_eq!(
            tables.headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );

        let redirect = get_path(&page, "/offline").await;
        assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(redirect.headers()[header::LOCATION], "/offline/");
        // Nothing but the folder's own plain files: not hidden ones, not sub-folders, not
        // a path out of it.
        for path in [
            "/offline/.hidden",
            "/offline/sub",
            "/offline/sub/inner.js",
            "/offline/..%2F..%2Fetc%2Fpasswd",
            "/offline/missing.js",
        ] {
            let response = get_path(&page, path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_without_the_page_is_refused_and_none_is_no_page() {
        let dir = folder("empty", &[("offline.js", b"1")]);
        let error = OfflinePage::read(&dir).unwrap_err();
        assert!(format!("{error:?}").contains("index.html"), "{error:?}");
        let missing = OfflinePage::read(&dir.join("nope")).unwrap_err();
        assert!(
            format!("{missing:?}").contains("offline_page.dir"),
            "{missing:?}"
        );
        assert_eq!(resolve(RawOfflinePage::default(), &dir).unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_policy_is_the_one_the_page_declares() {
        // The header adds only frame-ancestors, which a <meta> policy cannot carry.
        let html = include_str!("../../bindings/wasm/page/index.html");
        let meta = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", "");
        assert!(html.contains(&format!("content=\"{meta}\"")), "{meta}");
    }
}
