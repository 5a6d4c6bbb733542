//! `onehour bench-graph`: one-to-all sweeps from every origin of a DIMACS graph, timed per
//! engine variant, with checksums that peer tools compute the same way
//! (`../shared/peer-bench`, `bench.py --external`).
//!
//! checksum = (Σ over origins Σ over nodes with a finite distance of that distance) mod 2^61,
//! in the file's units; `reached` counts the finite (origin, node) distances.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::error::UserError;
use crate::cli::output::emit;
use crate::io::dimacs;

use crate::engine::{sweep_with, sweep_with_checked, Checked, Queue};
use crate::graph::Csr;
use crate::network::ids::{NodeId, Seconds, UNREACHED};

/// 2^61: checksums are taken modulo this.
pub const CHECKSUM_MOD: u128 = 1 << 61;

/// An engine variant that `bench-graph` can time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// `Queue::Bucket`, the default engine.
    Bucket,
    /// `Queue::Heap`, the plain CSR binary-heap Dijkstra (in-house baseline).
    Heap,
    /// petgraph's `algo::dijkstra` on a `DiGraph` (external baseline; returns a HashMap).
    Petgraph,
}

impl Method {
    /// Name reported for this variant (`onehour-bucket`, `onehour-heap`, `onehour-petgraph`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Bucket => "onehour-bucket",
            Method::Heap => "onehour-heap",
            Method::Petgraph => "onehour-petgraph",
        }
    }
}

/// The figures of one method over all origins.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Figures {
    /// Name of the method (see [`Method::name`]).
    pub name: String,
    /// Kind of figures: `per_origin` (one-to-all sweeps from each origin).
    pub kind: &'static str,
    /// Worker threads used for the sweeps.
    pub threads: usize,
    /// Number of origins swept.
    pub n_origins: usize,
    /// Seconds to load: `parse_s + build_s`.
    pub load_s: f64,
    /// Seconds to read and parse the `.gr` and `.ss` files.
    pub parse_s: f64,
    /// Seconds to build the CSR graph and the engine's checked form.
    pub build_s: f64,
    /// Seconds for all sweeps (the fastest run when repeated).
    pub sweep_s: f64,
    /// Sum of all finite distances over all origins, in the file's units, modulo [`CHECKSUM_MOD`].
    pub checksum: u64,
    /// Number of finite (origin, node) distances.
    pub reached: u64,
    /// Sum of the finite distances from each origin, in the file's units, in origin order.
    pub per_origin_sums: Vec<u64>,
}

/// Sum and count of the finite entries among `nodes` of `dist`.
fn sum_finite(dist: impl Iterator<Item = Seconds>) -> (u64, u64) {
    let (mut s, mut k) = (0u64, 0u64);
    for d in dist {
        if d != UNREACHED {
            s += d as u64;
            k += 1;
        }
    }
    (s, k)
}

/// Runs `method` from every origin on the current rayon pool and returns its figures. One
/// untimed search from the first origin comes first (as peer-bench's baselines do), so that
/// first-touch page faults of fresh buffers are not timed.
/// (`load_s`, `parse_s`, `build_s` left at 0 for the caller to fill). `checked` is `g`
/// prepared at build time (`Checked::new`); without it the sweep prepares it itself.
pub fn run(
    method: Method,
    g: &Csr,
    checked: Option<&Checked<'_>>,
    origins: &[NodeId],
    bound: Seconds,
) -> Figures {
    let warm = &origins[..origins.len().min(1)];
    let (rows, sweep_s): (Vec<(u64, u64)>, f64) = match method {
        Method::Bucket | Method::Heap => {
            let q = if method == Method::Bucket {
                Queue::Bucket
            } else {
                Queue::Heap
            };
            let each = |_: usize, ws: &crate::engine::Workspace| {
                // A search that reached most nodes is summed by one sequential pass; a small
                // (bounded) one through its reached list, in proportion to what it touched.
                let dist = ws.distances();
                match ws.reached() {
                    Some(list) if list.len() <= dist.len() / 8 => {
                        sum_finite(list.iter().map(|&v| dist[v as usize]))
                    }
                    _ => sum_finite(dist.iter().copied()),
                }
            };
            let sweep = |origins: &[NodeId]| match checked {
                Some(c) => sweep_with_checked(c, origins, bound, q, each),
                None => sweep_with(g, origins, bound, q, each),
            };
            sweep(warm);
            let t = Instant::now();
            let rows = sweep(origins);
            (rows, t.elapsed().as_secs_f64())
        }
        Method::Petgraph => {
            let pg = petgraph_of(g);
            petgraph_sweep(&pg, warm, bound);
            let t = Instant::now();
            let rows = petgraph_sweep(&pg, origins, bound);
            (rows, t.elapsed().as_secs_f64())
        }
    };
    finish(method, origins, rows, sweep_s)
}

fn finish(method: Method, origins: &[NodeId], rows: Vec<(u64, u64)>, sweep_s: f64) -> Figures {
    let total: u128 = rows.iter().map(|r| r.0 as u128).sum();
    Figures {
        name: method.name().to_string(),
        kind: "per_origin",
        threads: rayon::current_num_threads(),
        n_origins: origins.len(),
        load_s: 0.0,
        parse_s: 0.0,
        build_s: 0.0,
        sweep_s,
        checksum: (total % CHECKSUM_MOD) as u64,
        reached: rows.iter().map(|r| r.1).sum(),
        per_origin_sums: rows.iter().map(|r| r.0).collect(),
    }
}

/// The same graph as a petgraph `DiGraph` (node `i` is CSR node `i`).
pub fn petgraph_of(g: &Csr) -> petgraph::graph::DiGraph<(), Seconds, u32> {
    let mut pg = petgraph::graph::DiGraph::with_capacity(g.num_nodes(), g.num_arcs());
    for _ in 0..g.num_nodes() {
        pg.add_node(());
    }
    for v in 0..g.num_nodes() as u32 {
        for a in g.out(v).1 {
            pg.add_edge(v.into(), a.head.into(), a.weight);
        }
    }
    pg
}

/// petgraph's Dijkstra from every origin, in parallel; distances above `bound` are dropped
/// afterwards (petgraph has no bound).
pub fn petgraph_sweep(
    pg: &petgraph::graph::DiGraph<(), Seconds, u32>,
    origins: &[NodeId],
    bound: Seconds,
) -> Vec<(u64, u64)> {
    use rayon::prelude::*;
    origins
        .par_iter()
        .map(|&o| {
            let m = petgraph::algo::dijkstra(pg, o.0.into(), None, |e| *e.weight());
            sum_finite(m.values().map(|&d| if d <= bound { d } else { UNREACHED }))
        })
        .collect()
}

/// One JSON object per line, the `bench.py --external` protocol.
pub fn json_line(f: &Figures) -> String {
    serde_json::to_string(f).unwrap_or_default()
}

/// A table for people.
pub fn table(figs: &[Figures]) -> String {
    let mut t = format!(
        "{:<18} {:>7} {:>7} {:>8} {:>10} {:>11} {:>20} {:>14}\n",
        "method", "threads", "origins", "load s", "sweep s", "ms/origin", "checksum", "reached"
    );
    for f in figs {
        t.push_str(&format!(
            "{:<18} {:>7} {:>7} {:>8.3} {:>10.3} {:>11.3} {:>20} {:>14}\n",
            f.name,
            f.threads,
            f.n_origins,
            f.load_s,
            f.sweep_s,
            1e3 * f.sweep_s / f.n_origins.max(1) as f64,
            f.checksum,
            f.reached
        ));
    }
    if let Some(base) = figs.iter().find(|f| f.name == Method::Heap.name()) {
        for f in figs.iter().filter(|f| f.name != base.name) {
            t.push_str(&format!(
                "{}: {:.2}× the speed of {}\n",
                f.name,
                base.sweep_s / f.sweep_s,
                base.name
            ));
        }
    }
    if figs
        .windows(2)
        .any(|w| w[0].checksum != w[1].checksum || w[0].reached != w[1].reached)
    {
        t.push_str("CHECKSUMS DISAGREE\n");
    }
    t
}

/// Runs `onehour bench-graph`: one-to-all sweeps from every origin of a DIMACS graph, per
/// engine variant, with checksums (the peer-bench protocol).
pub fn command(
    graph: &Path,
    origins: &Path,
    bound: Seconds,
    methods: &[Method],
    json: bool,
    repeat: usize,
) -> Result<ExitCode> {
    let user = |e: dimacs::DimacsError| UserError(e.to_string());
    let t = std::time::Instant::now();
    let gr = dimacs::read_gr(graph).map_err(user)?;
    let origins = dimacs::read_ss(origins, gr.n).map_err(user)?;
    let parse_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let csr = gr.to_csr();
    drop(gr);
    // The engine's compiled form (checked CSR, compact arc records) is part of the build.
    let checked = crate::engine::Checked::new(&csr);
    let build_s = t.elapsed().as_secs_f64();
    let mut figs: Vec<Figures> = Vec::new();
    for r in 0..repeat.max(1) {
        for (i, &m) in methods.iter().enumerate() {
            let mut f = run(m, &csr, checked.as_ref(), &origins, bound);
            (f.parse_s, f.build_s, f.load_s) = (parse_s, build_s, parse_s + build_s);
            if r == 0 {
                figs.push(f);
            } else if f.sweep_s < figs[i].sweep_s {
                figs[i].sweep_s = f.sweep_s;
            }
        }
    }
    let mut text = String::new();
    if json {
        for f in &figs {
            outln!(text, "{}", json_line(f));
        }
    } else {
        text.push_str(&table(&figs));
    }
    emit(&None, &text)?;
    let agree = figs
        .windows(2)
        .all(|w| w[0].checksum == w[1].checksum && w[0].reached == w[1].reached);
    Ok(if agree {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
