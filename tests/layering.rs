//! The layering of the crate's modules (src/lib.rs, "Modules by role"), checked on the sources:
//!
//! - a file under a top-level module names (`crate::X`, `super::…` out of its module) only its
//!   own top-level module or those before it in [`ORDER`], and src/lib.rs lists the same order;
//! - no file imports another that imports it back, directly or round a longer cycle (an edge is
//!   a `crate::…` or `super::…` path resolving to another file, the longest module prefix of
//!   the path that is a file, or a `mod x;` line, from the parent to the child it declares).
//!   Nothing is exempt: a folder's mod.rs points down at its children (`mod` lines, `pub use`
//!   re-exports for callers outside the folder, code that only uses its children), so a file
//!   under the folder that names anything through the mod.rs (an item defined there, or a
//!   sibling's re-export) closes a cycle. Inside a folder, files import an item from the
//!   sibling that defines it;
//! - `clap`, `indicatif` and `anyhow` are named only in src/cli/ and src/main.rs.
//!
//! Comments, string and character literals are left out before the sources are read. Every
//! check is a function over in-memory files, tested here on small sets that break it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules, each using only itself and those before it.
const ORDER: [&str; 11] = [
    "network", "scenario", "graph", "engine", "analysis", "geo", "io", "access", "api", "serve",
    "cli",
];

/// Crates only the command line may name.
const CLI_ONLY_CRATES: [&str; 3] = ["clap", "indicatif", "anyhow"];

/// A source file: its path relative to src/ (`network/load.rs`) and its text.
struct File {
    path: String,
    text: String,
}

/// A module path: `network/load.rs` is `[network, load]`, `api/mod.rs` is `[api]`, `lib.rs`
/// is `[]`; `None` for `main.rs`, another crate.
fn module_of(path: &str) -> Option<Vec<String>> {
    if path == "main.rs" {
        return None;
    }
    if path == "lib.rs" {
        return Some(Vec::new());
    }
    let stem = path.strip_suffix(".rs")?;
    let mut m: Vec<String> = stem.split('/').map(str::to_string).collect();
    if m.last().is_some_and(|l| l == "mod") {
        m.pop();
    }
    Some(m)
}

/// `text` with comments (line, block, doc) and the contents of string and character literals
/// replaced by spaces, newlines kept so that line numbers stay.
fn strip(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !is_ident(b[i - 1]))
            && raw_string_end(&b, i).is_some()
        {
            let end = raw_string_end(&b, i).unwrap_or(b.len());
            out.push('r');
            for &ch in &b[i + 1..end] {
                out.push(blank(ch));
            }
            i = end;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' && i + 1 < b.len() {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(b[i]));
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{7f}'); otherwise a lifetime or label.
            let end = if next == Some('\\') {
                (i + 3..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else {
                (b.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            match end {
                Some(e) => {
                    out.push_str(&" ".repeat(e + 1 - i));
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The end (one past the closing quote and hashes) of a raw string starting at `i` (`r"` or
/// `r#…"`), if `i` starts one.
fn raw_string_end(b: &[char], i: usize) -> Option<usize> {
    let mut k = i + 1;
    let mut hashes = 0;
    while b.get(k) == Some(&'#') {
        hashes += 1;
        k += 1;
    }
    if b.get(k) != Some(&'"') {
        return None;
    }
    k += 1;
    while k < b.len() {
        if b[k] == '"' && (1..=hashes).all(|h| b.get(k + h) == Some(&'#')) {
            return Some(k + 1 + hashes);
        }
        k += 1;
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A path a file names: the absolute module path it starts with, and the line it is on.
struct Reference {
    path: Vec<String>,
    line: usize,
}

/// Reads a use tree from `s` at `*i` (after `crate::` or `super::`s): `a::b::C`,
/// `a::{b, c::D}`, `a::*`; pushes each full path (`prefix` followed by its segments).
fn use_tree(s: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
    };
    let mut path = prefix;
    loop {
        skip_ws(i);
        if *i < s.len() && s[*i] == '{' {
            *i += 1;
            loop {
                skip_ws(i);
                if *i >= s.len() {
                    return;
                }
                if s[*i] == '}' {
                    *i += 1;
                    return;
                }
                if s[*i] == ',' {
                    *i += 1;
                    continue;
                }
                let before = *i;
                use_tree(s, i, path.clone(), out);
                if *i == before {
                    *i += 1; // not a path: skip it
                }
            }
        }
        let start = *i;
        while *i < s.len() && is_ident(s[*i]) {
            *i += 1;
        }
        if *i == start {
            // `*`, or the end of the path.
            out.push(path);
            return;
        }
        let seg: String = s[start..*i].iter().collect();
        if seg != "self" {
            path.push(seg);
        }
        let mut k = *i;
        while k < s.len() && s[k].is_whitespace() {
            k += 1;
        }
        if s.get(k) == Some(&':') && s.get(k + 1) == Some(&':') {
            *i = k + 2;
            continue;
        }
        out.push(path);
        // `… as name`: the name is no path.
        if s.get(k..k + 2) == Some(&['a', 's'][..])
            && s.get(k + 2).is_some_and(|c| c.is_whitespace())
        {
            *i = k + 2;
            skip_ws(i);
            while *i < s.len() && is_ident(s[*i]) {
                *i += 1;
            }
        }
        return;
    }
}

/// The `crate::…` and `super::…` paths of a file (stripped text) whose module is `module`, as
/// absolute module paths. `super` inside an inline module (`mod tests { use super::*; }`)
/// counts from that module.
fn references(module: &[String], stripped: &str) -> Vec<Reference> {
    let s: Vec<char> = stripped.chars().collect();
    let mut refs = Vec::new();
    let mut line = 1;
    // The brace depths at which inline modules were opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut pending_mod = false;
    let mut i = 0;
    let word_at = |i: usize, w: &str| {
        let n = w.chars().count();
        s.len() >= i + n
            && s[i..i + n].iter().copied().eq(w.chars())
            && (i == 0 || !is_ident(s[i - 1]))
            && s.get(i + n).is_none_or(|&c| !is_ident(c))
    };
    while i < s.len() {
        let c = s[i];
        match c {
            '\n' => line += 1,
            '{' => {
                depth += 1;
                if pending_mod {
                    inline.push(depth);
                    pending_mod = false;
                }
            }
            '}' => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            ';' => pending_mod = false,
            _ => {}
        }
        if word_at(i, "mod") {
            pending_mod = true;
            // `mod x;` declares the child file `x`: an edge like any other.
            let mut k = i + 3;
            while k < s.len() && s[k].is_whitespace() {
                k += 1;
            }
            let start = k;
            while k < s.len() && is_ident(s[k]) {
                k += 1;
            }
            let name: String = s[start..k].iter().collect();
            while k < s.len() && s[k].is_whitespace() {
                k += 1;
            }
            if !name.is_empty() && s.get(k) == Some(&';') && inline.is_empty() {
                let mut path = module.to_vec();
                path.push(name);
                refs.push(Reference { path, line });
            }
            i += 3;
            continue;
        }
        let base: Option<(Vec<String>, usize)> = if word_at(i, "crate")
            && s.get(i + 5) == Some(&':')
        {
            Some((Vec::new(), i + 5))
        } else if word_at(i, "super") {
            let mut n = 0usize;
            let mut k = i;
            while word_at(k, "super") && s.get(k + 5) == Some(&':') && s.get(k + 6) == Some(&':') {
                n += 1;
                k += 7;
            }
            if n == 0 {
                None
            } else {
                // `super` in an inline module names the module around it first.
                let up = n.saturating_sub(inline.len());
                if up == 0 || up > module.len() {
                    i = k;
                    continue;
                }
                Some((module[..module.len() - up].to_vec(), k - 2))
            }
        } else {
            None
        };
        let Some((prefix, at)) = base else {
            i += 1;
            continue;
        };
        if s.get(at) != Some(&':') || s.get(at + 1) != Some(&':') {
            i += 1;
            continue;
        }
        let mut k = at + 2;
        let mut paths = Vec::new();
        use_tree(&s, &mut k, prefix, &mut paths);
        let lines_in = s[i..k.max(i)].iter().filter(|&&c| c == '\n').count();
        for p in paths {
            refs.push(Reference { path: p, line });
        }
        // Count the newlines skipped and the braces of a use group (balanced).
        line += lines_in;
        i = k.max(i + 1);
    }
    refs
}

/// The parsed sources: each file's module, stripped text and references.
struct Crate {
    files: Vec<(String, Vec<String>, String, Vec<Reference>)>,
    modules: BTreeMap<Vec<String>, usize>,
}

impl Crate {
    fn new(files: &[File]) -> Crate {
        let mut out = Crate {
            files: Vec::new(),
            modules: BTreeMap::new(),
        };
        for f in files {
            let Some(m) = module_of(&f.path) else {
                continue;
            };
            let stripped = strip(&f.text);
            let refs = references(&m, &stripped);
            out.modules.insert(m.clone(), out.files.len());
            out.files.push((f.path.clone(), m, f.text.clone(), refs));
        }
        out
    }

    /// The file a path resolves to: its longest prefix that is a file's module.
    fn resolve(&self, path: &[String]) -> Option<usize> {
        (1..=path.len())
            .rev()
            .find_map(|k| self.modules.get(&path[..k]).copied())
    }

    /// Line `n` (1-based) of file `f`, trimmed.
    fn line(&self, f: usize, n: usize) -> &str {
        self.files[f].2.lines().nth(n - 1).unwrap_or("").trim()
    }
}

/// Check a: references from a file under a top-level module to a module after it in
/// [`ORDER`] (or to a top-level module not in it).
fn layer_violations(files: &[File]) -> Vec<String> {
    let c = Crate::new(files);
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    let mut out = Vec::new();
    for (fi, (path, module, _, refs)) in c.files.iter().enumerate() {
        let Some(top) = module.first() else {
            continue; // lib.rs declares the modules
        };
        let Some(mine) = rank(top) else {
            out.push(format!(
                "src/{path}: top-level module `{top}` is not in the layer order {ORDER:?}; add it"
            ));
            continue;
        };
        for r in refs {
            let Some(to) = r.path.first() else { continue };
            match rank(to) {
                Some(theirs) if theirs <= mine => {}
                Some(_) => out.push(format!(
                    "src/{path}:{}: `{top}` uses `crate::{}`, a layer after it ({}): `{}`",
                    r.line,
                    r.path.join("::"),
                    ORDER.join(" → "),
                    c.line(fi, r.line)
                )),
                None => out.push(format!(
                    "src/{path}:{}: `crate::{}` is not under a module of the layer order: `{}`",
                    r.line,
                    r.path.join("::"),
                    c.line(fi, r.line)
                )),
            }
        }
    }
    out
}

/// Check b: cycles among files. Each is reported with its files and, for each edge, the line
/// that makes it.
fn file_cycles(files: &[File]) -> Vec<String> {
    let c = Crate::new(files);
    let n = c.files.len();
    // Edges with the line of their first reference.
    let mut edges: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n];
    for (fi, (_, _, _, refs)) in c.files.iter().enumerate() {
        for r in refs {
            let Some(to) = c.resolve(&r.path) else {
                continue;
            };
            if to != fi {
                edges[fi].entry(to).or_insert(r.line);
            }
        }
    }
    let mut out = Vec::new();
    for scc in strongly_connected(&edges) {
        if scc.len() < 2 {
            continue;
        }
        let members: BTreeSet<usize> = scc.iter().copied().collect();
        let names: Vec<String> = scc
            .iter()
            .map(|&f| format!("src/{}", c.files[f].0))
            .collect();
        let mut msg = format!(
            "files that import each other round a cycle: {}; make the dependency point one way:",
            names.join(", ")
        );
        for &f in &scc {
            for (&to, &line) in &edges[f] {
                if members.contains(&to) {
                    msg.push_str(&format!(
                        "\n  src/{}:{line} → src/{}: `{}`",
                        c.files[f].0,
                        c.files[to].0,
                        c.line(f, line)
                    ));
                }
            }
        }
        out.push(msg);
    }
    out
}

/// Tarjan's strongly connected components, iteratively; each component sorted.
fn strongly_connected(edges: &[BTreeMap<usize, usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, its successors, position among them)
        let mut call: Vec<(usize, Vec<usize>, usize)> = Vec::new();
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        call.push((root, edges[root].keys().copied().collect(), 0));
        while let Some((v, succ, pos)) = call.last_mut() {
            let v = *v;
            if let Some(&w) = succ.get(*pos) {
                *pos += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, edges[w].keys().copied().collect(), 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some((u, _, _)) = call.last() {
                low[*u] = low[*u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                scc.sort();
                out.push(scc);
            }
        }
    }
    out
}

/// Check c: files outside src/cli/ (and main.rs) that name a crate only the command line may.
fn cli_only_crates(files: &[File]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        if f.path == "main.rs" || f.path.starts_with("cli/") {
            continue;
        }
        let stripped = strip(&f.text);
        for (k, line) in stripped.lines().enumerate() {
            for name in CLI_ONLY_CRATES {
                let named = line.match_indices(name).any(|(at, _)| {
                    let before = line[..at].chars().next_back();
                    let after = line[at + name.len()..].chars().next();
                    !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
                });
                if named {
                    out.push(format!(
                        "src/{}:{}: names `{name}`, which only src/cli/ and src/main.rs may use: `{}`",
                        f.path,
                        k + 1,
                        f.text.lines().nth(k).unwrap_or("").trim()
                    ));
                }
            }
        }
    }
    out
}

/// The top-level modules in the order src/lib.rs's "Modules by role" paragraph names them
/// (each once, first mention), of those it declares (`pub mod x;`).
fn documented_order(lib: &str) -> Vec<String> {
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .filter_map(|l| l.strip_suffix(';'))
        .collect();
    let doc: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .collect();
    let start = doc.iter().position(|l| l.starts_with("Modules by role"));
    let Some(start) = start else {
        return Vec::new();
    };
    let para: Vec<&str> = doc[start..]
        .iter()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect();
    let text = para.join(" ");
    let mut out: Vec<String> = Vec::new();
    for (k, piece) in text.split('`').enumerate() {
        if k % 2 == 1 && declared.contains(piece) && !out.iter().any(|o| o == piece) {
            out.push(piece.to_string());
        }
    }
    out
}

/// Every `.rs` file under src/, relative path and text.
fn sources() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(File {
                    path: rel,
                    text: std::fs::read_to_string(&p).unwrap(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn file(path: &str, text: &str) -> File {
    File {
        path: path.into(),
        text: text.into(),
    }
}

#[test]
fn modules_use_only_the_layers_before_them() {
    let files = sources();
    assert!(files.len() > 50, "src/ was not read: {} files", files.len());
    let bad = layer_violations(&files);
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn the_layer_order_is_the_one_src_lib_documents() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert_eq!(
        documented_order(&lib),
        ORDER.to_vec(),
        "src/lib.rs (\"Modules by role\") and tests/layering.rs (ORDER) list the layers differently; make them agree"
    );
}

#[test]
fn no_file_imports_another_that_imports_it_back() {
    let cycles = file_cycles(&sources());
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn only_the_command_line_names_clap_indicatif_and_anyhow() {
    let bad = cli_only_crates(&sources());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn each_check_finds_what_it_is_for() {
    let files = [
        file("lib.rs", "pub mod network;\npub mod graph;\npub mod cli;\n"),
        file("network/mod.rs", "pub mod a;\npub mod b;\npub use a::A;\n"),
        // a ↔ b through a `use` group and a path in an expression.
        file(
            "network/a.rs",
            "use crate::network::{b::B, model};\npub struct A;\n",
        ),
        file(
            "network/b.rs",
            "pub struct B;\nfn f() {\n    let _ = crate::network::a::A;\n}\n",
        ),
        // network uses graph, a layer after it; the comment and the string do not count.
        file(
            "network/model.rs",
            "// crate::cli::x\nconst S: &str = \"crate::cli::y\";\nuse crate::graph::G;\n",
        ),
        // `super` in a test module names the file's own module: no edge to graph/mod.rs.
        file(
            "graph/mod.rs",
            "pub mod g;\npub struct G;\nuse anyhow::Result;\n",
        ),
        file(
            "graph/g.rs",
            "pub fn g() {}\n#[cfg(test)]\nmod tests {\n    use super::g;\n}\n",
        ),
        file("cli/mod.rs", "use clap::Parser;\nuse crate::graph::G;\n"),
        file("main.rs", "use anyhow::Result;\n"),
    ];
    let bad = layer_violations(&files);
    assert_eq!(bad.len(), 1, "{bad:#?}");
    assert!(
        bad[0].starts_with("src/network/model.rs:3:") && bad[0].contains("use crate::graph::G;"),
        "{bad:#?}"
    );
    let cycles = file_cycles(&files);
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    let c = &cycles[0];
    assert!(
        c.contains("src/network/a.rs:1 → src/network/b.rs")
            && c.contains("src/network/b.rs:3 → src/network/a.rs")
            && c.contains("let _ = crate::network::a::A;"),
        "{c}"
    );
    // The parent declares and re-exports its children (network/mod.rs → a, b), but no child
    // names it back, so it is in no cycle; a child's `super` in an inline module names the
    // child itself.
    assert!(!c.contains("src/network/mod.rs"), "{c}");
    assert!(!c.contains("src/graph/"), "{c}");
    let cli = cli_only_crates(&files);
    assert_eq!(
        cli,
        vec!["src/graph/mod.rs:3: names `anyhow`, which only src/cli/ and src/main.rs may use: `use anyhow::Result;`"]
    );
    // A child that uses an item of its parent, which declares it: a cycle, as is a file
    // deeper down that names an item of the top-level mod.rs.
    let parent = [
        file(
            "api/mod.rs",
            "mod model;\npub use model::Model;\npub enum Error {}\n",
        ),
        file("api/model.rs", "use super::Error;\npub struct Model;\n"),
        file("engine/mod.rs", "pub mod raptor;\npub enum Queue {}\n"),
        file("engine/raptor/mod.rs", "mod day;\n"),
        file(
            "engine/raptor/day.rs",
            "fn f() {\n    let _ = crate::engine::Queue::Bucket;\n}\n",
        ),
    ];
    let cycles = file_cycles(&parent);
    assert_eq!(cycles.len(), 2, "{cycles:#?}");
    let api = cycles.iter().find(|c| c.contains("src/api/")).unwrap();
    assert!(
        api.contains("src/api/mod.rs, src/api/model.rs")
            && api.contains("src/api/model.rs:1 → src/api/mod.rs: `use super::Error;`")
            && api.contains("src/api/mod.rs:1 → src/api/model.rs: `mod model;`"),
        "{api}"
    );
    let engine = cycles.iter().find(|c| c.contains("src/engine/")).unwrap();
    assert!(
        engine.contains("src/engine/raptor/day.rs:2 → src/engine/mod.rs")
            && engine.contains("src/engine/mod.rs:1 → src/engine/raptor/mod.rs: `pub mod raptor;`")
            && engine.contains("src/engine/raptor/mod.rs:1 → src/engine/raptor/day.rs"),
        "{engine}"
    );
    // The same with the items in sibling files: the parent only declares and re-exports, the
    // children import from the sibling that defines an item, callers outside use the facade.
    let facade = [
        file(
            "api/mod.rs",
            "mod error;\nmod model;\npub use error::Error;\npub(crate) use model::Model;\n",
        ),
        file("api/error.rs", "pub enum Error {}\n"),
        file(
            "api/model.rs",
            "use super::error::Error;\npub struct Model;\n",
        ),
        file("serve/mod.rs", "use crate::api::{Error, Model};\n"),
    ];
    assert!(
        file_cycles(&facade).is_empty(),
        "{:#?}",
        file_cycles(&facade)
    );
    // A longer cycle, through `super`.
    let three = [
        file("io/mod.rs", "mod x;\nmod y;\nmod z;\n"),
        file("io/x.rs", "use super::y::Y;\npub struct X;\n"),
        file("io/y.rs", "use super::z::Z;\npub struct Y;\n"),
        file("io/z.rs", "use super::{x::X};\npub struct Z;\n"),
    ];
    let cycles = file_cycles(&three);
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert!(
        cycles[0].contains("src/io/x.rs, src/io/y.rs, src/io/z.rs")
            && cycles[0].contains("src/io/z.rs:1 → src/io/x.rs"),
        "{}",
        cycles[0]
    );
    // A top-level module left out of the order.
    let unknown = layer_violations(&[file("extra/mod.rs", "pub fn f() {}\n")]);
    assert!(
        unknown[0].contains("`extra` is not in the layer order"),
        "{unknown:?}"
    );
}

#[test]
fn the_documented_order_is_read_from_the_paragraph() {
    let lib = "//! Intro.\n//!\n//! Modules by role: `b` (x) → `a` (uses `b`) →\n//! `c`; `main` is glue.\n//!\n//! `z` later.\npub mod a;\npub mod b;\npub mod c;\npub mod z;\n";
    assert_eq!(documented_order(lib), vec!["b", "a", "c"]);
    assert!(documented_order("pub mod a;\n").is_empty());
}

#[test]
fn comments_and_literals_are_left_out() {
    let s = strip("a // crate::x\n/* crate::y\n */ b \"crate::z\\\"\" r#\"crate::w\"# '{' c<'a>\n");
    assert!(!s.contains("crate"), "{s}");
    assert_eq!(s.lines().count(), 3);
    assert!(
        s.contains(" b ") && s.contains("c<'a>") && !s.contains('{'),
        "{s}"
    );
}
