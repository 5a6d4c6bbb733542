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
mod state;
mod web;

pub use state::{on_pool, ApiError, State};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::api::Model;

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
