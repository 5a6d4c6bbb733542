//! `onehour serve`: a local web app for comparing scenarios. A JSON API over [`crate::api::Model`]
//! and a single page (HTML, JavaScript, CSS and MapLibre GL JS, embedded in the binary from
//! `web/`) that draws the network, the districts and the answers from our own data: no CDN,
//! no base-map tiles, nothing written to disk.
//!
//! Requests are parsed on the async runtime (tokio, axum); the searches run on the rayon pool,
//! so concurrent requests run in parallel on every core, each thread with its own search
//! workspace. Bad requests get a 4xx status and `{"error": "..."}` naming the parameter and
//! the fix; an unknown scenario or place gets 404 with the closest names.

pub mod handlers;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::api::Model;

/// What the server shares between requests.
pub struct State {
    /// The network, its scenarios and their compiled networks.
    pub model: Model,
}

/// An error answered as `{"error": message, "suggestions": [...]}` with an HTTP status.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// 400, 404 or 500.
    pub status: u16,
    /// What went wrong, naming the parameter and the fix.
    pub message: String,
    /// The closest names of an unknown scenario or place.
    pub suggestions: Vec<String>,
}

impl ApiError {
    /// A 400: a parameter is missing, malformed or out of range.
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
            suggestions: vec![],
        }
    }
}

impl From<crate::api::Error> for ApiError {
    fn from(e: crate::api::Error) -> ApiError {
        use crate::api::Error as E;
        let status = match &e {
            E::BadRequest(_) => 400,
            E::NotFound { .. } => 404,
            E::Data(_) => 422,
            E::Failed(_) => 500,
        };
        ApiError {
            status,
            message: e.message(),
            suggestions: e.suggestions().to_vec(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if !self.suggestions.is_empty() {
            body["suggestions"] = serde_json::json!(self.suggestions);
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(body)).into_response()
    }
}

/// The app: the JSON API under `/api/`, the page and its assets.
pub fn router(state: Arc<State>) -> Router {
    web::routes(handlers::routes(Router::new())).with_state(state)
}

/// A server bound to an address, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    state: Arc<State>,
}

impl Server {
    /// Binds `host:port` (port 0: a free port) for `model`.
    pub fn bind(model: Model, host: &str, port: u16) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind((host, port))?;
        listener.set_nonblocking(true)?;
        Ok(Server {
            listener,
            state: Arc::new(State { model }),
        })
    }

    /// The address bound (with the port chosen when 0 was asked).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends, on a runtime of its own: one thread parses requests
    /// (the work runs on the rayon pool).
    pub fn run(self) -> std::io::Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .build()?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            axum::serve(listener, router(self.state)).await
        })
    }
}

/// Runs `f` on the rayon pool and awaits its answer, so that the async threads stay free to
/// accept and parse while searches run on every core.
pub async fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
            Err(ApiError {
                status: 500,
                message: "the computation failed (a bug: please report the request)".into(),
                suggestions: vec![],
            })
        });
        let _ = tx.send(r);
    });
    rx.await.unwrap_or_else(|_| {
        Err(ApiError {
            status: 500,
            message: "the computation was dropped".into(),
            suggestions: vec![],
        })
    })
}
