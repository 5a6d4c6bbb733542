//! Errors of the command line: [`UserError`], what the user gave us wrong (exit code 2), and
//! [`write_error`], which tells a bad output path from a failing disk.

use std::path::Path;

/// An error in what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// An error writing `path`: a failing disk (full, over quota, an I/O error) is one line and
/// exit 1; anything else is the user's choice of path (it exists and is not ours, it runs
/// through a file, its folder cannot be made or written to): exit 2 with the fix.
pub fn write_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    use std::io::ErrorKind as K;
    // EIO and ENOSPC (the same numbers on Linux and macOS), EDQUOT (Linux).
    const DISK: [i32; 3] = [5, 28, if cfg!(target_os = "linux") { 122 } else { 69 }];
    let at = path.display();
    let disk = e.raw_os_error().is_some_and(|n| DISK.contains(&n))
        || matches!(e.kind(), K::WriteZero | K::OutOfMemory | K::Interrupted);
    if disk {
        return anyhow::Error::new(e).context(format!("cannot write {at}"));
    }
    if let Some(file) = crate::io::write::file_ancestor(path) {
        return UserError(format!(
            "cannot write {at}: {} is a file, not a folder; give --out a path in a folder",
            file.display()
        ))
        .into();
    }
    match e.kind() {
        K::AlreadyExists => UserError(format!("cannot write {at}: {e}")).into(),
        _ => UserError(format!(
            "cannot write {at}: {e}; give --out a path in a folder you can write to"
        ))
        .into(),
    }
}

/// [`crate::io::write::check_output`] as the command line reports it: before any work, so a
/// run does not compute for minutes and then fail to write.
pub fn check_out(path: &Path, folder: bool) -> anyhow::Result<()> {
    crate::io::write::check_output(path, folder).map_err(|e| write_error(path, e))
}
