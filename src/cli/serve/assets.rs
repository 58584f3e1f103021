//! The web workbench's files, served at `/` (issue #15 fills this in).
//!
//! The hook: once `web/dist/` exists, embed it here (`rust-embed` or `include_dir`) and serve
//! each file from `serve_asset` with its content type; `index.html` for `/`. Until then `/`
//! answers a short page pointing at the API. Routes under `/v1`, `/openapi.json` and `/metrics`
//! are matched first, so assets never shadow the API.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::Shared;

/// The routes of the static files.
pub fn router() -> Router<Shared> {
    Router::new().route("/", get(index))
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>refund serve</title><h1>refund serve</h1>\
         <p>The API is described by <a href=\"/openapi.json\">/openapi.json</a>; \
         the loaded policies are at <a href=\"/v1/policies\">/v1/policies</a>.</p>",
    )
}
