//! The web workbench (issue #15), served at `/`: the files of `web/dist/`, embedded in the
//! binary so that `refund serve` needs no Node and no network on the machine it runs on.
//!
//! Routes under `/v1`, `/openapi.json` and `/metrics` are matched first, so assets never shadow
//! the API. `web/dist/` is built by `npm run build` in `web/` and committed; `.ci/web` rebuilds
//! it and fails when the committed files differ.

mod workbench;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::Shared;

/// One embedded file: its name under `web/dist/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every file of `web/dist/` (the build writes fixed names; `every_built_file_is_embedded`
/// fails when a new one appears here unlisted).
const ASSETS: [Asset; 3] = [
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/index.html"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../web/dist/app.css"),
    },
];

/// The routes of the workbench: its files, and the two calls only an editor needs.
pub fn router() -> Router<Shared> {
    Router::new().route("/", get(index)).route("/{file}", get(file)).merge(workbench::router())
}

async fn index() -> Response {
    serve("index.html")
}

async fn file(Path(name): Path<String>) -> Response {
    serve(&name)
}

fn serve(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return super::problem::Problem::new(
            StatusCode::NOT_FOUND,
            super::problem::codes::NO_ROUTE,
            format!("no page `/{name}`"),
        )
        .help("the workbench is at `/`; the API is described by /openapi.json")
        .into_response();
    };
    let mut response = (StatusCode::OK, asset.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    // The page may only talk to this server: no CDN, no third-party script, no inline script.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The names are fixed, so a browser revalidates rather than keeps an old build.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn every_built_file_is_embedded() -> std::io::Result<()> {
        let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/dist");
        let mut built: Vec<String> = std::fs::read_dir(dist)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        built.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.name.to_owned()).collect();
        embedded.sort();
        assert_eq!(built, embedded, "web/dist/ and the embedded files differ: list the new file in ASSETS");
        Ok(())
    }
}
