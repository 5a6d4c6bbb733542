//! Writing output files and folders atomically: a reader never sees a half-written file or a
//! folder that mixes two runs, nothing onehour did not write is replaced, and temporary files
//! are removed when the process is interrupted.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Temporary files and folders being written, removed if the process is interrupted.
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn pending_add(p: &Path) {
    if let Ok(mut v) = PENDING.lock() {
        v.push(p.to_path_buf());
    }
}

fn pending_remove(p: &Path) {
    if let Ok(mut v) = PENDING.lock() {
        v.retain(|x| x != p);
    }
}

/// Removes every temporary file or folder still being written (on SIGINT or SIGTERM).
pub fn remove_pending() {
    let list = match PENDING.lock() {
        Ok(v) => v.clone(),
        Err(e) => e.into_inner().clone(),
    };
    for p in list {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// A target path that exists but is not a regular file (or, for folders, not a folder).
fn refuse(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!(
            "{} exists and is not a {what}; onehour replaces only its own outputs (choose another path)",
            path.display()
        ),
    )
}

/// A sibling path of `path` that does not exist yet, for a temporary file or folder.
fn sibling(path: &Path, tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let k = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    path.with_file_name(format!(".{name}.onehour-{tag}-{}-{k}", std::process::id()))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `contents` to `path` atomically: a new file beside it (created with the process's
/// umask, like any file the user creates), then a rename, so a reader never sees a
/// half-written file. An existing `path` that is not a regular file (a device, a folder, a
/// symbolic link) is never replaced. The temporary file is removed on error and on SIGINT or
/// SIGTERM.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if !m.file_type().is_file() {
            return Err(refuse(path, "regular file"));
        }
    }
    std::fs::create_dir_all(parent_dir(path))?;
    let tmp = sibling(path, "tmp");
    pending_add(&tmp);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    pending_remove(&tmp);
    result
}

/// The marker file that identifies a folder written by [`write_folder_atomic`].
pub const FOLDER_MARKER: &str = ".onehour-output";

/// Writes a folder of files all at once or not at all: the files go into a temporary sibling
/// folder, which then replaces `dir`. An existing `dir` is replaced only if it is empty or an
/// earlier output of onehour (it holds [`FOLDER_MARKER`]), so no stale file from an earlier run
/// stays beside the new ones and no folder of the user's is lost.
pub fn write_folder_atomic(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let existing = match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => {
            let mut entries = std::fs::read_dir(dir)?;
            let empty = entries.next().is_none();
            if !empty && !dir.join(FOLDER_MARKER).is_file() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists and holds files onehour did not write; give a new or empty folder",
                        dir.display()
                    ),
                ));
            }
            true
        }
        Ok(_) => return Err(refuse(dir, "folder")),
        Err(_) => false,
    };
    std::fs::create_dir_all(parent_dir(dir))?;
    let tmp = sibling(dir, "tmp");
    pending_add(&tmp);
    let result = (|| {
        std::fs::create_dir(&tmp)?;
        for (name, bytes) in files {
            std::fs::write(tmp.join(name), bytes)?;
        }
        std::fs::write(
            tmp.join(FOLDER_MARKER),
            b"written by onehour; the whole folder is replaced on the next run\n",
        )?;
        if existing {
            let old = sibling(dir, "old");
            std::fs::rename(dir, &old)?;
            pending_add(&old);
            let r = std::fs::rename(&tmp, dir);
            if r.is_err() {
                let _ = std::fs::rename(&old, dir);
            } else {
                let _ = std::fs::remove_dir_all(&old);
            }
            pending_remove(&old);
            r
        } else {
            std::fs::rename(&tmp, dir)
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    pending_remove(&tmp);
    result
}
