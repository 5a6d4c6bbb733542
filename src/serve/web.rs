//! The page and its assets, embedded at build time from `web/` (MapLibre GL JS from
//! `web/vendor/`, refreshed by `web/vendor.sh`).

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::state::State;

/// A file served as is: path, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("../../web/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/app.css"),
    ),
    (
        "/vendor/maplibre-gl.mjs",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl.mjs"),
    ),
    (
        "/vendor/maplibre-gl-worker.mjs",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl-worker.mjs"),
    ),
    (
        "/vendor/maplibre-gl.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl.css"),
    ),
    (
        "/vendor/maplibre-gl.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../web/vendor/maplibre-gl.LICENSE.txt"),
    ),
];

/// The routes of the page and its assets.
pub fn routes(mut r: Router<Arc<State>>) -> Router<Arc<State>> {
    for &(path, mime, bytes) in ASSETS {
        r = r.route(
            path,
            get(move || async move { ([(header::CONTENT_TYPE, mime)], bytes).into_response() }),
        );
    }
    r
}
