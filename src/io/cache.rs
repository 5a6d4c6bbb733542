//! The compiled-model cache of imported network folders: what loading and validating a folder
//! produces (the [`Network`] and its warnings), and the street graphs read from its
//! OpenStreetMap extract, kept in binary files so that the next command on the same folder
//! skips parsing the CSV and TOML files, validating them and reading the extract.
//!
//! - **Where**: `.onehour-cache/` inside the network folder, only in folders onehour wrote
//!   (they hold [`FOLDER_MARKER`]: `import gtfs`, `import osm`); the whole folder, cache
//!   included, is replaced by the next import into it. Hand-written folders (the bundled
//!   network, fixtures) are never written to. A folder that cannot be written to is used
//!   without a cache.
//! - **Key**: the crate version, [`FORMAT`], and a hash (XXH3, 64 bits) of every file under the
//!   folder but the cache (relative path, size and bytes), or of the extract for the streets.
//!   Any change of an input file, or another onehour version, makes the cache stale: it is
//!   rebuilt, silently.
//! - **Never trusted when corrupt**: the payload carries its own hash, checked before it is
//!   decoded; a file that is truncated, altered or does not decode is rebuilt with a warning,
//!   never a panic.
//! - **Written atomically**: to a temporary file in the cache folder, then renamed.
//!
//! The payload is MessagePack with named fields (`rmp-serde`): the model's types carry
//! `skip_serializing_if` for their TOML files, which formats without field names (postcard,
//! bincode) cannot read back. A network's payload is framed in parts, its trips in blocks after
//! the rest, so that they decode side by side.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::write::FOLDER_MARKER;
use crate::graph::streets::Streets;
use crate::network::load::load_network;
use crate::network::model::{Network, Origin, Trip};
use crate::network::problem::{Problem, Problems};
use crate::network::source::Source;

/// The layout of the cache files; raised whenever what they hold changes shape.
pub const FORMAT: u32 = 2;

/// The cache folder inside a network folder.
pub const DIR: &str = ".onehour-cache";

const MAGIC: &[u8; 14] = b"onehour-cache\n";

/// Folders with more files than this, or more bytes, are not hashed (no cache).
const MAX_FILES: usize = 10_000;
const MAX_BYTES: u64 = 4 << 30;

/// What a lookup found.
#[derive(Debug, PartialEq)]
pub enum Lookup<T> {
    /// A valid cache for this key.
    Hit(T),
    /// No cache, or one for other inputs or another onehour: rebuild silently.
    Stale,
    /// A cache that cannot be trusted (why): rebuild and warn.
    Corrupt(String),
}

/// The key of a cache: crate version, [`FORMAT`] and the inputs' hash.
fn header(key: u64) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&FORMAT.to_le_bytes());
    h.extend_from_slice(&key.to_le_bytes());
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    h.extend_from_slice(&(v.len() as u32).to_le_bytes());
    h.extend_from_slice(v);
    h
}

/// Reads the cache at `path` for `key`.
pub fn read<T: DeserializeOwned>(path: &Path, key: u64) -> Lookup<T> {
    read_with(path, key, |payload| {
        rmp_serde::from_slice(payload).map_err(|e| e.to_string())
    })
}

/// [`read`], the checked payload decoded by `decode` (an error: a corrupt cache).
fn read_with<T>(
    path: &Path,
    key: u64,
    decode: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Lookup<T> {
    let Ok(bytes) = std::fs::read(path) else {
        return Lookup::Stale;
    };
    let head = header(key);
    // Another key, format or version: stale. Compared up to the version's end.
    if bytes.len() < head.len() || bytes[..head.len()] != head[..] {
        let same_magic = bytes.len() >= MAGIC.len() && bytes[..MAGIC.len()] == MAGIC[..];
        return if same_magic {
            Lookup::Stale
        } else {
            Lookup::Corrupt("it does not start as a onehour cache".into())
        };
    }
    let rest = &bytes[head.len()..];
    if rest.len() < 16 {
        return Lookup::Corrupt("it is truncated".into());
    }
    let len = u64::from_le_bytes(rest[..8].try_into().unwrap_or_default());
    let sum = u64::from_le_bytes(rest[8..16].try_into().unwrap_or_default());
    let payload = &rest[16..];
    if payload.len() as u64 != len {
        return Lookup::Corrupt(format!(
            "it is truncated or extended ({} payload bytes, {len} written)",
            payload.len()
        ));
    }
    if xxh3_64(payload) != sum {
        return Lookup::Corrupt("its checksum does not match".into());
    }
    match decode(payload) {
        Ok(v) => Lookup::Hit(v),
        Err(e) => Lookup::Corrupt(format!("it does not decode ({e})")),
    }
}

/// Writes `value` to the cache at `path` for `key`: a temporary file beside it, then renamed.
/// Errors (a read-only folder) are returned for the caller to ignore.
pub fn write<T: Serialize>(path: &Path, key: u64, value: &T) -> std::io::Result<()> {
    let payload = rmp_serde::to_vec_named(value).map_err(std::io::Error::other)?;
    write_payload(path, key, &payload)
}

/// [`write`] of an encoded payload.
fn write_payload(path: &Path, key: u64, payload: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&header(key))?;
    tmp.write_all(&(payload.len() as u64).to_le_bytes())?;
    tmp.write_all(&xxh3_64(payload).to_le_bytes())?;
    tmp.write_all(payload)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether onehour wrote the folder `dir` (so that it may keep a cache there).
pub fn is_onehour_folder(dir: &Path) -> bool {
    dir.join(FOLDER_MARKER).is_file()
}

/// The hash of every regular file under `root` but the cache folder: relative paths sorted,
/// each with its size and bytes. `None` when a file cannot be read or the folder is too large.
pub fn folder_key(root: &Path) -> Option<u64> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()? {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().to_string();
            let r = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let ft = e.file_type().ok()?;
            if ft.is_dir() {
                if r != DIR {
                    stack.push((e.path(), r));
                }
            } else if std::fs::metadata(e.path()).ok()?.is_file() {
                files.push((r, e.path()));
            }
            if files.len() > MAX_FILES {
                return None;
            }
        }
    }
    files.sort();
    let mut h = Xxh3::new();
    let mut total = 0u64;
    for (rel, p) in &files {
        let bytes = std::fs::read(p).ok()?;
        total += bytes.len() as u64;
        if total > MAX_BYTES {
            return None;
        }
        h.update(rel.as_bytes());
        h.update(&[0]);
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Some(h.digest())
}

/// A warning that a cache file was corrupt and rebuilt.
fn corrupt_warning(path: &Path, why: &str) -> Problem {
    Problem::warning(
        &Origin {
            file: path.display().to_string(),
            line: None,
        },
        "",
        format!("the compiled-model cache cannot be trusted: {why}; it was rebuilt from the network's files"),
        "nothing to do (delete the .onehour-cache folder to drop the cache)",
    )
}

/// A network and its load warnings, as [`load_network`] gives them.
#[derive(Serialize, Deserialize)]
struct LoadedNetwork {
    network: Network,
    warnings: Vec<Problem>,
}

/// Trips per part of a network's cache payload.
const TRIPS_PER_PART: usize = 1024;

/// A network's cache payload: its trips (most of the bytes of a timetabled network) in parts
/// of [`TRIPS_PER_PART`] that decode side by side, after the rest. Framed as a count of parts
/// (u32), then each part's length (u64) and MessagePack bytes: the rest of the network with its
/// warnings first, then the trips in order.
fn encode_loaded(l: &mut LoadedNetwork) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    let trips = std::mem::take(&mut l.network.trips);
    let head = rmp_serde::to_vec_named(&*l);
    l.network.trips = trips;
    let mut parts = vec![head?];
    for chunk in l.network.trips.chunks(TRIPS_PER_PART) {
        parts.push(rmp_serde::to_vec_named(chunk)?);
    }
    let mut out = (parts.len() as u32).to_le_bytes().to_vec();
    for p in &parts {
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(p);
    }
    Ok(out)
}

/// The network of a payload [`encode_loaded`] wrote; an error names what is wrong.
fn decode_loaded(payload: &[u8]) -> Result<LoadedNetwork, String> {
    let take = |at: &mut usize, n: usize| -> Result<&[u8], String> {
        let end = at.checked_add(n).filter(|&e| e <= payload.len());
        let end = end.ok_or_else(|| format!("a part runs past the end at byte {at}"))?;
        let b = &payload[*at..end];
        *at = end;
        Ok(b)
    };
    let mut at = 0;
    let count = u32::from_le_bytes(take(&mut at, 4)?.try_into().unwrap_or_default()) as usize;
    let mut parts = Vec::new();
    for _ in 0..count {
        let n = u64::from_le_bytes(take(&mut at, 8)?.try_into().unwrap_or_default());
        parts.push(take(
            &mut at,
            usize::try_from(n).map_err(|e| e.to_string())?,
        )?);
    }
    if at != payload.len() || parts.is_empty() {
        return Err("its parts do not fill the payload".into());
    }
    let (head, chunks) = rayon::join(
        || rmp_serde::from_slice::<LoadedNetwork>(parts[0]),
        || {
            parts[1..]
                .par_iter()
                .map(|p| rmp_serde::from_slice::<Vec<Trip>>(p))
                .collect::<Result<Vec<_>, _>>()
        },
    );
    let mut l = head.map_err(|e| e.to_string())?;
    l.network.trips = chunks
        .map_err(|e| e.to_string())?
        .into_iter()
        .flatten()
        .collect();
    Ok(l)
}

/// [`load_network`], through the cache of an imported folder (`src` a folder onehour wrote,
/// `manifest` its `network.toml`): a valid cache gives the network and warnings the files
/// would; otherwise the files are loaded and, when they load, cached. A corrupt cache adds a
/// warning. Any other source is loaded as [`load_network`] does.
pub fn load_network_cached(
    src: &Source,
    manifest: &str,
) -> Result<(Network, Vec<Problem>), Problems> {
    load_through_cache(src, manifest, true)
}

/// [`load_network`], reading a valid cache of an imported folder if one is there but never
/// writing one (the library: `onehour serve` and the Python package write nothing). A stale or
/// corrupt cache is ignored, left as it is, and the files are loaded; the network's streets
/// are read from its extract without the cache.
pub fn load_network_reading_cache(
    src: &Source,
    manifest: &str,
) -> Result<(Network, Vec<Problem>), Problems> {
    load_through_cache(src, manifest, false)
}

fn load_through_cache(
    src: &Source,
    manifest: &str,
    write_cache: bool,
) -> Result<(Network, Vec<Problem>), Problems> {
    let Source::Disk(root) = src else {
        return load_network(src, manifest);
    };
    if manifest != "network.toml" || !is_onehour_folder(root) {
        return load_network(src, manifest);
    }
    // A manifest that may name files outside the folder (`allow_outside`): the folder's hash
    // would not cover them, so no cache.
    match std::fs::read_to_string(root.join(manifest)) {
        Ok(text) if !text.contains("allow_outside") => {}
        _ => return load_network(src, manifest),
    }
    let Some(key) = folder_key(root) else {
        return load_network(src, manifest);
    };
    let path = root.join(DIR).join("network.msgpack");
    let corrupt = match read_with(&path, key, decode_loaded) {
        Lookup::Hit(l) if !write_cache => return Ok((l.network, l.warnings)),
        Lookup::Hit(l) => return Ok((with_streets_cache(l.network), l.warnings)),
        Lookup::Stale => None,
        Lookup::Corrupt(why) => Some(corrupt_warning(&path, &why)),
    };
    if !write_cache {
        return load_network(src, manifest);
    }
    let (network, warnings) = load_network(src, manifest)?;
    let mut l = LoadedNetwork { network, warnings };
    if let Ok(payload) = encode_loaded(&mut l) {
        let _ = write_payload(&path, key, &payload);
    }
    let mut warnings = l.warnings;
    warnings.extend(corrupt);
    Ok((with_streets_cache(l.network), warnings))
}

/// A network loaded through the cache reads its streets through the cache too
/// ([`StreetsFile::cache`](crate::network::model::StreetsFile::cache)).
fn with_streets_cache(mut net: Network) -> Network {
    if let Some(s) = net.streets.as_mut() {
        s.cache = true;
    }
    net
}

/// The street graphs of the extract at `pbf`, built by `build`, through a cache beside it when
/// its folder is one onehour wrote (key: the extract's bytes). A corrupt cache is rebuilt and
/// its warning printed to standard error.
pub fn streets_cached<E>(
    pbf: &Path,
    build: impl FnOnce() -> Result<Streets, E>,
) -> Result<Streets, E> {
    let dir = pbf.parent().unwrap_or(Path::new(""));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let bytes = match std::fs::read(pbf) {
        Ok(b) if is_onehour_folder(dir) => b,
        _ => return build(),
    };
    let key = xxh3_64(&bytes);
    drop(bytes);
    let name = pbf
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let path = dir.join(DIR).join(format!("{name}.streets.msgpack"));
    match read::<Streets>(&path, key) {
        Lookup::Hit(s) => return Ok(s),
        Lookup::Stale => {}
        Lookup::Corrupt(why) => eprintln!("{}", corrupt_warning(&path, &why)),
    }
    let s = build()?;
    let _ = write(&path, key, &s);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        a: Vec<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
        c: f64,
    }

    /// A copy of the tiny test network in a folder marked as onehour's, with `head` put
    /// before its manifest.
    fn tiny_copy(dir: &Path, head: &str) -> PathBuf {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        let out = dir.join("tiny");
        std::fs::create_dir(&out).unwrap();
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), out.join(e.file_name())).unwrap();
        }
        let m = out.join("network.toml");
        let text = std::fs::read_to_string(&m).unwrap();
        std::fs::write(&m, format!("{head}{text}")).unwrap();
        std::fs::write(out.join(FOLDER_MARKER), "test\n").unwrap();
        out
    }

    /// A network's payload with its trips in several parts decodes to the same network, in
    /// the same order; frames that do not fit the payload are an error, never a panic.
    #[test]
    fn trips_in_parts_round_trip() {
        let src = Source::Disk(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny"));
        let (mut network, warnings) = load_network(&src, "network.toml").unwrap();
        let stop = |at: &str, t: u32, line: usize| crate::network::model::TripStop {
            at: at.into(),
            arrive: t,
            depart: t + 30,
            origin: Origin {
                file: "trips.csv".into(),
                line: Some(line),
            },
        };
        network.trips = (0..2 * TRIPS_PER_PART + 7)
            .map(|i| Trip {
                id: format!("t{i}"),
                service: "s".into(),
                calendar: "c".into(),
                stops: vec![
                    stop("a", i as u32, 2 * i),
                    stop("b", i as u32 + 600, 2 * i + 1),
                ],
                source: format!("timetable row {i}"),
                origin: Origin {
                    file: "trips.csv".into(),
                    line: Some(2 * i),
                },
            })
            .collect();
        let mut l = LoadedNetwork { network, warnings };
        let payload = encode_loaded(&mut l).unwrap();
        assert_eq!(u32::from_le_bytes(payload[..4].try_into().unwrap()), 4);
        let back = decode_loaded(&payload).unwrap();
        assert_eq!(back.network, l.network);
        assert_eq!(back.warnings, l.warnings);
        for cut in [0, 3, 4, 11, payload.len() / 2, payload.len() - 1] {
            assert!(decode_loaded(&payload[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = payload.clone();
        longer.push(0);
        assert!(decode_loaded(&longer).is_err());
        let mut huge = payload.clone();
        huge[4..12].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode_loaded(&huge).is_err());
    }

    #[test]
    fn a_cached_network_equals_the_loaded_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = tiny_copy(dir.path(), "");
        let src = Source::Disk(root.clone());
        let want = load_network(&src, "network.toml").unwrap();
        assert_eq!(load_network_cached(&src, "network.toml").unwrap(), want);
        assert!(root.join(DIR).join("network.msgpack").is_file());
        assert_eq!(load_network_cached(&src, "network.toml").unwrap(), want);
        // Files outside the folder may be named: no cache.
        let other = tempfile::tempdir().unwrap();
        let root = tiny_copy(other.path(), "allow_outside = true\n");
        let src = Source::Disk(root.clone());
        assert_eq!(
            load_network_cached(&src, "network.toml").unwrap(),
            load_network(&src, "network.toml").unwrap()
        );
        assert!(!root.join(DIR).exists());
    }

    /// The library's reading: a valid cache is used, none is ever written, a corrupt one is
    /// left as it is; the network always equals the files'.
    #[test]
    fn reading_the_cache_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = tiny_copy(dir.path(), "");
        let src = Source::Disk(root.clone());
        let want = load_network(&src, "network.toml").unwrap();
        assert_eq!(
            load_network_reading_cache(&src, "network.toml").unwrap(),
            want
        );
        assert!(!root.join(DIR).exists(), "the library wrote a cache");
        load_network_cached(&src, "network.toml").unwrap();
        let file = root.join(DIR).join("network.msgpack");
        let written = std::fs::read(&file).unwrap();
        assert_eq!(
            load_network_reading_cache(&src, "network.toml").unwrap(),
            want
        );
        let mut bad = written.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x55;
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(
            load_network_reading_cache(&src, "network.toml").unwrap(),
            want
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            bad,
            "the library rewrote the cache"
        );
    }

    #[test]
    fn round_trip_stale_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(DIR).join("t.msgpack");
        assert_eq!(read::<T>(&p, 1), Lookup::Stale);
        let v = T {
            a: vec![1, 2, 3],
            b: None,
            c: 0.1,
        };
        write(&p, 7, &v).unwrap();
        assert_eq!(read::<T>(&p, 7), Lookup::Hit(v));
        // Another key: stale.
        assert_eq!(read::<T>(&p, 8), Lookup::Stale);
        // Every truncation and every flipped byte is caught (stale where the key part
        // changed, corrupt otherwise), never a panic, never a wrong value.
        let good = std::fs::read(&p).unwrap();
        for n in 0..good.len() {
            std::fs::write(&p, &good[..n]).unwrap();
            assert!(
                !matches!(read::<T>(&p, 7), Lookup::Hit(_)),
                "truncated to {n}"
            );
        }
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x20;
            std::fs::write(&p, &b).unwrap();
            let r = read::<T>(&p, 7);
            assert!(!matches!(r, Lookup::Hit(_)), "byte {i} flipped");
            if i >= header(7).len() {
                assert!(matches!(r, Lookup::Corrupt(_)), "byte {i}: {r:?}");
            }
        }
        std::fs::write(&p, b"garbage").unwrap();
        assert!(matches!(read::<T>(&p, 7), Lookup::Corrupt(_)));
    }
}
