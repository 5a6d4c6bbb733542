//! Errors of the command line: [`UserError`], what the user gave us wrong (exit code 2), and
//! [`write_error`], which tells a bad output path from a failing disk.

use std::path::Path;

/// An error in what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// An error writing `path`: the user's choice of path (it exists and is not ours) exits 2; any
/// other I/O failure (disk full, permissions) is one line and exit 1.
pub fn write_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        UserError(format!("cannot write {}: {e}", path.display())).into()
    } else {
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    }
}
