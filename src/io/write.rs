//! Writing output files and folders atomically: a reader never sees a half-written file or a
//! folder that mixes two runs, nothing onehour did not write is replaced, and temporary files
//! are removed when the process is interrupted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What an interrupted process must clean up.
#[derive(Debug)]
enum Pending {
    /// A temporary file or folder being written: removed.
    Temp(PathBuf),
    /// An earlier output folder moved aside while the new one takes its place: put back if
    /// the new one is not there yet, else removed.
    Moved {
        /// Where the earlier output is now.
        old: PathBuf,
        /// Where it was, and the new one goes.
        dir: PathBuf,
    },
}

/// The outputs being written. The signal thread takes this lock and keeps it until the process
/// exits, so a writer never creates a temporary file or moves an output the cleanup has not
/// seen: both happen with the lock held.
static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<Pending>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` (which creates the temporary `p`) and registers `p`, with the lock held.
fn create_pending<T>(p: &Path, f: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let mut v = pending();
    let r = f()?;
    v.push(Pending::Temp(p.to_path_buf()));
    Ok(r)
}

/// Forgets `p` once it has been renamed into place or removed.
fn pending_remove(p: &Path) {
    pending().retain(|x| match x {
        Pending::Temp(t) => t != p,
        Pending::Moved { old, .. } => old != p,
    });
}

/// Removes a file, or a folder: first renamed aside, so that a writer still adding files by
/// its path fails instead of filling it again, then removed (again if a file slipped in).
fn remove_path(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let dead = sibling(p, "dead");
            let target = if std::fs::rename(p, &dead).is_ok() {
                dead
            } else {
                p.to_path_buf()
            };
            for _ in 0..3 {
                if std::fs::remove_dir_all(&target).is_ok() || !target.exists() {
                    break;
                }
            }
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// Cleans up every output being written: removes temporary files and folders and puts back an
/// earlier output moved aside, then returns the lock, which the caller keeps until it exits.
fn clean_up() -> MutexGuard<'static, Vec<Pending>> {
    let mut v = pending();
    for p in v.drain(..) {
        match p {
            Pending::Temp(t) => remove_path(&t),
            Pending::Moved { old, dir } => {
                if std::fs::symlink_metadata(&dir).is_err() {
                    let _ = std::fs::rename(&old, &dir);
                } else {
                    remove_path(&old);
                }
            }
        }
    }
    v
}

/// Removes every temporary file or folder still being written and puts back an earlier output
/// moved aside (what the signal handler does before exiting).
pub fn remove_pending() {
    drop(clean_up());
}

/// On SIGINT or SIGTERM (and SIGHUP), cleans up the outputs being written (`remove_pending`)
/// and exits with the conventional status, 128 + the signal's number: 130 for SIGINT, 143 for
/// SIGTERM, 129 for SIGHUP. The signals are received by a thread of signal-hook's (nothing runs
/// in the signal handler itself but a write to a pipe), so the cleanup may take locks and
/// touch files. Errors if the handlers cannot be installed.
pub fn clean_up_on_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                // Keep the lock: no writer creates or moves anything from now on.
                let _held = clean_up();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
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
    let result = create_pending(&tmp, || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
    })
    .and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    pending_remove(&tmp);
    result
}

/// The first ancestor of `path` that is a regular file: no output can be written under it.
pub fn file_ancestor(path: &Path) -> Option<&Path> {
    path.ancestors().skip(1).find(|p| p.is_file())
}

/// Whether `path` can become an output, a folder (`folder`) or a file, checked before any work
/// is done: no ancestor is a file, an existing `path` is one [`write_folder_atomic`] or
/// [`write_atomic`] would replace, and the nearest existing folder takes a new file (a file is
/// made there and removed at once). The errors are the writers' own, early.
pub fn check_output(path: &Path, folder: bool) -> std::io::Result<()> {
    if let Some(file) = file_ancestor(path) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is a file, not a folder", file.display()),
        ));
    }
    if folder {
        replaceable_folder(path)?;
    } else if let Ok(m) = std::fs::symlink_metadata(path) {
        if !m.file_type().is_file() {
            return Err(refuse(path, "regular file"));
        }
    }
    let base = path
        .ancestors()
        .skip(1)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.is_dir())
        .unwrap_or(Path::new("."));
    // A new file, registered for the cleanup on a signal like every temporary file.
    let probe = sibling(&base.join("probe"), "probe");
    let made = create_pending(&probe, || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
    });
    let _ = std::fs::remove_file(&probe);
    pending_remove(&probe);
    made.map(drop).map_err(|e| {
        let kind = e.kind();
        std::io::Error::new(
            kind,
            format!("{} takes no new file ({kind})", base.display()),
        )
    })
}

/// Whether `dir` exists (a folder onehour may replace: empty, or an earlier output of its own);
/// an error if it exists and may not be replaced.
fn replaceable_folder(dir: &Path) -> std::io::Result<bool> {
    match std::fs::symlink_metadata(dir) {
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
            Ok(true)
        }
        Ok(_) => Err(refuse(dir, "folder")),
        Err(_) => Ok(false),
    }
}

/// The marker file that identifies a folder written by [`write_folder_atomic`].
pub const FOLDER_MARKER: &str = ".onehour-output";

/// Writes a folder of files all at once or not at all: the files go into a temporary sibling
/// folder, which then replaces `dir`. An existing `dir` is replaced only if it is empty or an
/// earlier output of onehour (it holds [`FOLDER_MARKER`]), so no stale file from an earlier run
/// stays beside the new ones and no folder of the user's is lost.
pub fn write_folder_atomic(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let existing = replaceable_folder(dir)?;
    std::fs::create_dir_all(parent_dir(dir))?;
    let tmp = sibling(dir, "tmp");
    let result = create_pending(&tmp, || std::fs::create_dir(&tmp)).and_then(|()| {
        for (name, bytes) in files {
            std::fs::write(tmp.join(name), bytes)?;
        }
        std::fs::write(
            tmp.join(FOLDER_MARKER),
            b"written by onehour; the whole folder is replaced on the next run\n",
        )?;
        if existing {
            let old = sibling(dir, "old");
            {
                // Moved aside and registered at once, so that an interruption puts it back.
                let mut v = pending();
                std::fs::rename(dir, &old)?;
                v.push(Pending::Moved {
                    old: old.clone(),
                    dir: dir.to_path_buf(),
                });
            }
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
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    pending_remove(&tmp);
    result
}
