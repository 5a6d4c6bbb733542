//! Where network and scenario files are read from ([`Source`]: a folder on disk or one bundled
//! into the binary) and how one file is read: only regular files, each at most
//! [`MAX_FILE_BYTES`], as UTF-8 text ([`ReadError`] says why not). Below the loader, the text
//! stream and the bundled folders, which all use it.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::network::model::Origin;
use crate::network::problem::Problem;

/// Largest input file read, bytes (64 MiB). Loaded, files of ordinary records take five to
/// six times their size in memory (docs/network-format.md, "Limits").
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadError {
    /// No file at the path.
    Missing,
    /// Something other than a regular file: "a directory", "a FIFO", "a device", ...
    NotRegular(&'static str),
    /// Larger than [`MAX_FILE_BYTES`]: the size in bytes.
    TooLarge(u64),
    /// Not UTF-8: the byte offset and line of the first invalid byte, and the byte.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// The invalid byte.
        byte: u8,
    },
    /// Any other I/O error, as the system words it.
    Io(String),
}

impl ReadError {
    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            ReadError::Missing => "create the file or correct the path that names it",
            ReadError::NotRegular(_) => "name a regular file",
            ReadError::TooLarge(_) => "split the records into several files, each listed in a manifest",
            ReadError::NotUtf8 { .. } => {
                "save the file as UTF-8 (GBK, GB18030, Latin-1 and UTF-16 are not read; in Excel choose \"CSV UTF-8\")"
            }
            ReadError::Io(_) => "check that the file can be read (permissions, disk)",
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => write!(f, "no such file"),
            ReadError::NotRegular(what) => write!(f, "{what}, not a regular file"),
            ReadError::TooLarge(n) => write!(
                f,
                "{n} bytes, over the limit of {} MiB per input file",
                MAX_FILE_BYTES >> 20
            ),
            ReadError::NotUtf8 { offset, byte, .. } => write!(
                f,
                "not UTF-8 text: byte 0x{byte:02X} at byte offset {offset} is not valid UTF-8"
            ),
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// Decodes a file's bytes as UTF-8, dropping a leading byte-order mark.
fn decode(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        3
    } else {
        0
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let b = e.as_bytes();
        count_work(at as u64);
        ReadError::NotUtf8 {
            offset: at + bom,
            line: b[..at].iter().filter(|&&c| c == b'\n').count() + 1,
            byte: b[at],
        }
    })
}

/// What kind of non-regular file `t` is, for messages.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

fn io_error(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e.to_string()),
    }
}

/// Opens a regular file of at most [`MAX_FILE_BYTES`], with its size. The type is checked
/// before the file is opened (opening a FIFO would block) and again on the open file.
fn open_regular(p: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let md = std::fs::metadata(p).map_err(io_error)?;
    if !md.is_file() {
        return Err(ReadError::NotRegular(kind_of(&md.file_type())));
    }
    if md.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(md.len()));
    }
    let f = std::fs::File::open(p).map_err(io_error)?;
    let md = f.metadata().map_err(io_error)?;
    if !md.is_file() {
        return Err(ReadError::NotRegular(kind_of(&md.file_type())));
    }
    Ok((f, md.len()))
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] as UTF-8.
pub fn read_regular(p: &Path) -> Result<String, ReadError> {
    let (f, len) = open_regular(p)?;
    let mut buf = Vec::with_capacity(len as usize);
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(io_error)?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(buf.len() as u64));
    }
    decode(buf)
}

/// Checks that `p` is a regular file that starts like an OpenStreetMap PBF file: a 4-byte
/// big-endian header length below 64 KiB, then a block header whose type is `OSMHeader`.
pub fn check_pbf_head(p: &Path) -> Result<(), String> {
    let md = std::fs::metadata(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    })?;
    if !md.is_file() {
        return Err(format!("is {}, not a file", kind_of(&md.file_type())));
    }
    let mut head = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(4 + 65536).read_to_end(&mut head))
        .map_err(|e| e.to_string())?;
    let not_pbf = "not an OpenStreetMap PBF file (it does not begin with an OSMHeader block)";
    if head.len() < 4 {
        return Err(not_pbf.into());
    }
    let n = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if n == 0 || n >= 65536 || head.len() < 4 + n {
        return Err(not_pbf.into());
    }
    if !head[4..4 + n].windows(9).any(|w| w == b"OSMHeader") {
        return Err(not_pbf.into());
    }
    Ok(())
}

/// Where network and scenario files are read from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A folder on disk.
    Disk(PathBuf),
    /// A folder bundled into the binary.
    Embedded(&'static include_dir::Dir<'static>),
}

impl Source {
    /// Reads a file given relative to this source's root (an absolute path is read as is).
    pub fn read(&self, rel: &str) -> Result<String, ReadError> {
        match self {
            Source::Disk(root) => read_regular(&root.join(rel)),
            Source::Embedded(dir) => match dir.get_file(rel) {
                Some(f) if f.contents().len() as u64 > MAX_FILE_BYTES => {
                    Err(ReadError::TooLarge(f.contents().len() as u64))
                }
                Some(f) => decode(f.contents().to_vec()),
                None if dir.get_dir(rel).is_some() => Err(ReadError::NotRegular("a directory")),
                None => Err(ReadError::Missing),
            },
        }
    }

    /// Opens a file given relative to this source's root for reading in pieces, with its size
    /// in bytes: the checks of [`Source::read`] but the text's, which a
    /// [`TextStream`](super::stream::TextStream) makes as it reads.
    pub fn open(&self, rel: &str) -> Result<(Box<dyn Read + '_>, u64), ReadError> {
        match self {
            Source::Disk(root) => {
                let (f, len) = open_regular(&root.join(rel))?;
                Ok((Box::new(f), len))
            }
            Source::Embedded(dir) => match dir.get_file(rel) {
                Some(f) if f.contents().len() as u64 > MAX_FILE_BYTES => {
                    Err(ReadError::TooLarge(f.contents().len() as u64))
                }
                Some(f) => Ok((Box::new(f.contents()), f.contents().len() as u64)),
                None if dir.get_dir(rel).is_some() => Err(ReadError::NotRegular("a directory")),
                None => Err(ReadError::Missing),
            },
        }
    }

    /// How a relative path is shown in messages.
    pub fn display(&self, rel: &str) -> String {
        match self {
            Source::Disk(root) => root.join(rel).display().to_string(),
            Source::Embedded(_) => format!("<bundled>/{rel}"),
        }
    }

    /// The canonical root folder (`None` if it does not exist).
    fn canonical_root(&self) -> Option<PathBuf> {
        match self {
            Source::Disk(root) if root.as_os_str().is_empty() => Path::new(".").canonicalize().ok(),
            Source::Disk(root) => root.canonicalize().ok(),
            Source::Embedded(_) => None,
        }
    }

    /// Where `rel` really is, if a symlink on its way leads out of the root folder.
    pub fn symlink_outside(&self, rel: &str) -> Option<PathBuf> {
        let Source::Disk(root) = self else {
            return None;
        };
        let real = root.join(rel).canonicalize().ok()?;
        let croot = self.canonical_root()?;
        (!real.starts_with(&croot)).then_some(real)
    }

    /// All files under the root whose name ends with `ext`, as relative paths, sorted, and the
    /// problems met on the way. The walk uses an explicit stack; a symlinked folder is entered
    /// only if it resolves inside the root and was not visited yet (no loops), and anything
    /// that leads out of the root is reported rather than followed.
    pub fn files_with_ext(&self, ext: &str) -> (Vec<String>, Vec<Problem>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        match self {
            Source::Disk(root) => {
                let here = |p: &Path| Origin {
                    file: p.display().to_string(),
                    line: None,
                };
                let Some(croot) = self.canonical_root().filter(|r| r.is_dir()) else {
                    problems.push(Problem::error(
                        &here(root),
                        "",
                        if root.exists() {
                            "not a folder"
                        } else {
                            "no such folder"
                        },
                        "give an existing folder of scenario files",
                    ));
                    return (out, problems);
                };
                let mut visited: HashSet<PathBuf> = HashSet::from([croot.clone()]);
                let mut stack = vec![root.clone()];
                while let Some(d) = stack.pop() {
                    let rd = match std::fs::read_dir(&d) {
                        Ok(rd) => rd,
                        Err(e) => {
                            problems.push(Problem::error(
                                &here(&d),
                                "",
                                format!("cannot list the folder: {e}"),
                                "check its permissions",
                            ));
                            continue;
                        }
                    };
                    for e in rd.flatten() {
                        let p = e.path();
                        let Ok(t) = e.file_type() else { continue };
                        let wanted = p.to_string_lossy().ends_with(ext);
                        let rel = |p: &Path| {
                            p.strip_prefix(root)
                                .ok()
                                .map(|r| r.to_string_lossy().replace('\\', "/"))
                        };
                        if !t.is_symlink() && !t.is_dir() {
                            // Listed even if not a regular file: reading it says what it is.
                            out.extend(rel(&p).filter(|_| wanted));
                            continue;
                        }
                        // A folder or a symlink: every folder is entered once, by its canonical
                        // path, so that symlink loops end.
                        let real = match p.canonicalize() {
                            Ok(r) => r,
                            Err(_) => {
                                if wanted {
                                    problems.push(Problem::error(
                                        &here(&p),
                                        "",
                                        "a symlink to nothing, or a symlink loop",
                                        "remove the link or point it at a file",
                                    ));
                                }
                                continue;
                            }
                        };
                        if !real.starts_with(&croot) {
                            problems.push(Problem::error(
                                &here(&p),
                                "",
                                format!("a symlink out of the folder, to {}", real.display()),
                                "copy what it points to into the folder",
                            ));
                        } else if real.is_dir() {
                            if visited.insert(real) {
                                stack.push(p);
                            }
                        } else if wanted {
                            out.extend(rel(&p));
                        }
                    }
                }
            }
            Source::Embedded(dir) => {
                let mut stack = vec![*dir];
                while let Some(d) = stack.pop() {
                    for f in d.files() {
                        let p = f.path().to_string_lossy().to_string();
                        if p.ends_with(ext) {
                            out.push(p);
                        }
                    }
                    stack.extend(d.dirs());
                }
            }
        }
        out.sort();
        (out, problems)
    }
}

thread_local! {
    static WORK: Cell<u64> = const { Cell::new(0) };
}

/// Adds `n` bytes to this thread's [`work_bytes`].
pub(crate) fn count_work(n: u64) {
    WORK.with(|w| w.set(w.get().saturating_add(n)));
}

/// Bytes the text scanners of the loader (line numbering, the CSV quote check, the UTF-8
/// check) have examined on this thread so far. A deterministic measure of parsing work: the
/// linear-parsing test (tests/robustness.rs) bounds it by a multiple of the input size.
pub fn work_bytes() -> u64 {
    WORK.with(Cell::get)
}
