//! Problems found in user input: each names the file, the line or record, what is wrong and the
//! fix. Loading and validation collect all of them rather than stopping at the first.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::network::model::Origin;

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input can be used, but something looks wrong.
    Warning,
}

/// One problem in the input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// File and line or record concerned.
    pub origin: Origin,
    /// The record concerned, e.g. `station guangzhounan` or `service gz-metro-3, stop 4`.
    pub record: String,
    /// What is wrong, with the offending value.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Problem {
    /// An error at `origin`.
    pub fn error(
        origin: &Origin,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Error,
            origin: origin.clone(),
            record: record.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// A warning at `origin`.
    pub fn warning(
        origin: &Origin,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(origin, record, message, fix)
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.origin)?;
        if !self.record.is_empty() {
            write!(f, ": {}", self.record)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, " (fix: {})", self.fix)?;
        }
        Ok(())
    }
}

/// The problems that made an input unusable (at least one error), with any warnings.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// The errors, without the warnings.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter().filter(|p| p.is_error())
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "{n} error{} in the input", if n == 1 { "" } else { "s" })
    }
}

/// Splits a list of problems: `Err` if any is an error, otherwise the warnings.
pub fn into_result(problems: Vec<Problem>) -> Result<Vec<Problem>, Problems> {
    if problems.iter().any(Problem::is_error) {
        Err(Problems(problems))
    } else {
        Ok(problems)
    }
}
