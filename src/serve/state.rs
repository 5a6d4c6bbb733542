//! What the handlers share: the server's [`State`], the [`ApiError`] every endpoint answers
//! with, and [`on_pool`], which runs a computation on the rayon pool.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
