//! The facade's [`Error`]: what went wrong, with a message for the user naming the input and
//! the fix, and the HTTP status class it maps to.

/// What went wrong, with a message for the user naming the input and the fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// An argument is malformed or out of range (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// A scenario or place of that name does not exist (HTTP 404), with the closest names.
    #[error("{message}")]
    NotFound {
        /// The message, with the closest candidates.
        message: String,
        /// The closest existing names (scenario names, place ids), best first.
        suggestions: Vec<String>,
    },
    /// The network or scenario files are invalid (each problem names its file and line).
    #[error("{0}")]
    Data(String),
    /// A computation failed (e.g. a contour that is no valid geometry).
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// The message.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The closest names of an unknown scenario or place (empty for other errors).
    pub fn suggestions(&self) -> &[String] {
        match self {
            Error::NotFound { suggestions, .. } => suggestions,
            _ => &[],
        }
    }
}

impl From<crate::network::problem::Problems> for Error {
    fn from(p: crate::network::problem::Problems) -> Error {
        Error::Data(p.to_string())
    }
}
