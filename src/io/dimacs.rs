//! The 9th DIMACS Implementation Challenge (shortest paths) text formats, so that other tools
//! can run on our graphs and our engine on theirs.
//!
//! - `.gr` graph: `c` comment lines, one problem line `p sp N M`, then `M` arc lines
//!   `a U V W` with 1-based node ids and a non-negative integer weight (here: seconds).
//! - `.ss` sources: `c` comments, `p aux sp ss K`, then `K` lines `s ID` (1-based).
//!
//! The reader is a byte parser (no UTF-8 decoding, no allocation per line): a 1M-node grid
//! (4M arcs) loads in a fraction of a second. Every error names the file and the 1-based line
//! and never panics on bad input. Node ids become 0-based `u32` inside.

use std::io::{self, Write};
use std::path::Path;

use crate::graph::Csr;
use crate::network::ids::{NodeId, Seconds, UNREACHED};

/// A problem in a DIMACS file: which file, which line (0 when it concerns the whole file).
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {msg}", if *.line > 0 { format!(":{}", .line) } else { String::new() })]
pub struct DimacsError {
    /// Name of the file, as given.
    pub file: String,
    /// 1-based line of the problem, or 0 for the whole file.
    pub line: usize,
    /// What is wrong.
    pub msg: String,
}

/// A graph read from a `.gr` file: `n` nodes and `(tail, head, weight)` arcs, 0-based, in
/// file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrGraph {
    /// Number of nodes declared in the `p sp` header.
    pub n: usize,
    /// Arcs as 0-based `(tail, head, weight)`, weights in the file's units (seconds for graphs this crate exports).
    pub arcs: Vec<(u32, u32, Seconds)>,
}

impl GrGraph {
    /// The CSR graph (arcs of each tail in file order).
    pub fn to_csr(&self) -> Csr {
        Csr::from_arcs(self.n, &self.arcs).0
    }
}

/// Splits `line` into whitespace-separated tokens without allocating.
fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
}

/// Parses an unsigned decimal, `None` if it is not one or overflows `u64`.
#[inline]
fn num(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in tok {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    Some(v)
}

/// Iterates over the lines of `data` with their 1-based numbers (a final `\r` removed).
fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    data.split(|&c| c == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
}

/// The most nodes a `.gr` header may declare (the node arrays are allocated up front: 4 bytes
/// per node for the CSR offsets, more for the search labels).
pub const MAX_NODES: usize = 1 << 27;

/// Parses the text of a `.gr` file; `file` names it in errors.
pub fn parse_gr(data: &[u8], file: &str) -> Result<GrGraph, DimacsError> {
    let err = |line: usize, msg: String| DimacsError {
        file: file.to_string(),
        line,
        msg,
    };
    let mut n: Option<usize> = None;
    let mut m_declared = 0usize;
    let mut arcs: Vec<(u32, u32, Seconds)> = Vec::new();
    for (ln, line) in lines(data) {
        match line.first() {
            Some(b'a') => {
                let Some(n) = n else {
                    return Err(err(
                        ln,
                        "arc line before the problem line 'p sp N M'".into(),
                    ));
                };
                let mut it = tokens(&line[1..]);
                let (u, v, w, extra) = (it.next(), it.next(), it.next(), it.next());
                let (Some(u), Some(v), Some(w), None) = (u, v, w, extra) else {
                    return Err(err(ln, "an arc line needs exactly 'a U V W'".into()));
                };
                let field = |t: &[u8], what: &str| {
                    num(t).ok_or_else(|| {
                        err(
                            ln,
                            format!(
                                "{what} {:?} is not a non-negative integer",
                                String::from_utf8_lossy(t)
                            ),
                        )
                    })
                };
                let (u, v, w) = (field(u, "tail")?, field(v, "head")?, field(w, "weight")?);
                for (id, what) in [(u, "tail"), (v, "head")] {
                    if id == 0 || id > n as u64 {
                        return Err(err(
                            ln,
                            format!("{what} {id} is outside the node ids 1..={n}"),
                        ));
                    }
                }
                if w >= UNREACHED as u64 {
                    return Err(err(
                        ln,
                        format!("weight {w} does not fit (at most {})", UNREACHED - 1),
                    ));
                }
                arcs.push(((u - 1) as u32, (v - 1) as u32, w as Seconds));
            }
            Some(b'p') => {
                if n.is_some() {
                    return Err(err(ln, "a second problem line".into()));
                }
                let t: Vec<&[u8]> = tokens(line).collect();
                if t.len() != 4 || t[0] != b"p" || t[1] != b"sp" {
                    return Err(err(ln, "the problem line must read 'p sp N M'".into()));
                }
                let (Some(nn), Some(mm)) = (num(t[2]), num(t[3])) else {
                    return Err(err(
                        ln,
                        "N and M of 'p sp N M' must be non-negative integers".into(),
                    ));
                };
                if nn >= u32::MAX as u64 || mm >= u32::MAX as u64 {
                    return Err(err(
                        ln,
                        format!("{nn} nodes and {mm} arcs: too many for 32-bit ids"),
                    ));
                }
                if nn > MAX_NODES as u64 {
                    return Err(err(
                        ln,
                        format!("{nn} nodes: more than this tool's limit of {MAX_NODES}"),
                    ));
                }
                n = Some(nn as usize);
                m_declared = mm as usize;
                // Never trust the header for memory: an arc line takes at least 8 bytes.
                arcs.reserve(m_declared.min(data.len() / 8));
            }
            Some(b'c') | None => {}
            Some(_) if line.iter().all(|c| c.is_ascii_whitespace()) => {}
            Some(_) => {
                return Err(err(ln, "expected a 'c', 'p' or 'a' line".into()));
            }
        }
    }
    let Some(n) = n else {
        return Err(err(0, "no problem line 'p sp N M'".into()));
    };
    if arcs.len() != m_declared {
        return Err(err(
            0,
            format!(
                "the problem line declares {m_declared} arcs but the file has {}",
                arcs.len()
            ),
        ));
    }
    Ok(GrGraph { n, arcs })
}

/// Parses the text of a `.ss` file for a graph of `n` nodes.
pub fn parse_ss(data: &[u8], file: &str, n: usize) -> Result<Vec<NodeId>, DimacsError> {
    let err = |line: usize, msg: String| DimacsError {
        file: file.to_string(),
        line,
        msg,
    };
    let mut declared: Option<usize> = None;
    let mut out = Vec::new();
    for (ln, line) in lines(data) {
        match line.first() {
            Some(b's') => {
                let t: Vec<&[u8]> = tokens(line).collect();
                if t.len() != 2 || t[0] != b"s" {
                    return Err(err(ln, "a source line must read 's ID'".into()));
                }
                let id = num(t[1]).ok_or_else(|| {
                    err(
                        ln,
                        format!(
                            "source {:?} is not a positive integer",
                            String::from_utf8_lossy(t[1])
                        ),
                    )
                })?;
                if id == 0 || id > n as u64 {
                    return Err(err(
                        ln,
                        format!("source {id} is outside the node ids 1..={n}"),
                    ));
                }
                out.push(NodeId((id - 1) as u32));
            }
            Some(b'p') => {
                let t: Vec<&[u8]> = tokens(line).collect();
                if t.len() != 5 || t[1..4] != [&b"aux"[..], b"sp", b"ss"] {
                    return Err(err(ln, "the problem line must read 'p aux sp ss K'".into()));
                }
                declared = Some(
                    num(t[4]).ok_or_else(|| err(ln, "K must be a non-negative integer".into()))?
                        as usize,
                );
            }
            Some(b'c') | None => {}
            Some(_) if line.iter().all(|c| c.is_ascii_whitespace()) => {}
            Some(_) => return Err(err(ln, "expected a 'c', 'p' or 's' line".into())),
        }
    }
    if let Some(k) = declared {
        if k != out.len() {
            return Err(err(
                0,
                format!(
                    "the problem line declares {k} sources but the file has {}",
                    out.len()
                ),
            ));
        }
    }
    if out.is_empty() {
        return Err(err(0, "no source lines 's ID'".into()));
    }
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, DimacsError> {
    std::fs::read(path).map_err(|e| DimacsError {
        file: path.display().to_string(),
        line: 0,
        msg: e.to_string(),
    })
}

/// Reads a `.gr` file.
pub fn read_gr(path: &Path) -> Result<GrGraph, DimacsError> {
    parse_gr(&read(path)?, &path.display().to_string())
}

/// Reads a `.ss` file for a graph of `n` nodes.
pub fn read_ss(path: &Path, n: usize) -> Result<Vec<NodeId>, DimacsError> {
    parse_ss(&read(path)?, &path.display().to_string(), n)
}

/// Writes `g` as a `.gr` file: `comments` become `c` lines, arcs go in CSR order.
pub fn write_gr(g: &Csr, comments: &[String], w: &mut impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    write_comments(comments, &mut w)?;
    writeln!(w, "p sp {} {}", g.num_nodes(), g.num_arcs())?;
    for v in 0..g.num_nodes() as u32 {
        for a in g.out(v).1 {
            writeln!(w, "a {} {} {}", v + 1, a.head + 1, a.weight)?;
        }
    }
    w.flush()
}

/// `c` lines, in ASCII: DIMACS files are read as ASCII by other tools (peer-bench's Python
/// reader fails on other bytes), so any other character becomes `?`.
fn write_comments(comments: &[String], w: &mut impl Write) -> io::Result<()> {
    for c in comments {
        for l in c.lines() {
            let l: String = l
                .chars()
                .map(|ch| if ch.is_ascii() { ch } else { '?' })
                .collect();
            writeln!(w, "c {l}")?;
        }
    }
    Ok(())
}

/// Writes origins as a `.ss` file.
pub fn write_ss(origins: &[NodeId], comments: &[String], w: &mut impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    write_comments(comments, &mut w)?;
    writeln!(w, "p aux sp ss {}", origins.len())?;
    for o in origins {
        writeln!(w, "s {}", o.0 + 1)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_lines() {
        let g = parse_gr(b"c x\np sp 3 2\na 1 2 5\r\na 3 1 0\n", "t.gr").unwrap();
        assert_eq!(g.n, 3);
        assert_eq!(g.arcs, vec![(0, 1, 5), (2, 0, 0)]);
        let e = parse_gr(b"p sp 3 1\na 1 4 5\n", "t.gr").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.gr:2: head 4 is outside the node ids 1..=3"
        );
        let s = parse_ss(b"p aux sp ss 2\ns 1\ns 3\n", "t.ss", 3).unwrap();
        assert_eq!(s, vec![NodeId(0), NodeId(2)]);
    }
}
