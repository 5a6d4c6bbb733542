//! Criterion benchmarks of the routing engine. Every fixture (graphs, petgraph copies, origins,
//! workspaces) is built before the timed loops; one iteration is one search or one sweep.
//!
//! Groups (`cargo bench --bench engine -- GROUP` runs one):
//! - `bundled`: the bundled Guangzhou network (transit profile): one search bounded by the
//!   network's routing bound; all centres as origins in parallel (the `check` workload); and
//!   the same with petgraph's Dijkstra. Skipped, with a note, if the network does not load.
//! - `transit50k`: a synthetic transit network (~50k nodes, mostly platform nodes), one
//!   origin per iteration (cycling over stations): bucket queue, binary heap, petgraph,
//!   unbounded and bounded at 30 min.
//! - `grid250k`: a 500×500 road-like grid, the same methods, bounded at 10 min.
//! - `grid1m`: a 1000×1000 grid, bucket queue and heap, unbounded and bounded at 10 min.
//! - `threads`: 32 origins of `transit50k` swept on 1 and 2 threads.
//!
//! Quick mode for CI: `cargo bench --bench engine -- --quick --warm-up-time 0.2
//! --measurement-time 0.5 --noplot` (or `ONEHOUR_BENCH_QUICK=1 cargo bench --bench engine`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use onehour::cli::bench_graph::petgraph_of;
use onehour::engine::{sweep, sweep_with, with_threads, Checked, Queue, Workspace};
use onehour::graph::Csr;
use onehour::io::dimacs::GrGraph;
use onehour::network::ids::{NodeId, Seconds, UNREACHED};
#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;
use petgraph::graph::DiGraph;

/// A graph with everything a benchmark needs, built outside the timed loops.
struct Fixture {
    name: &'static str,
    csr: Csr,
    pg: DiGraph<(), Seconds, u32>,
    origins: Vec<NodeId>,
}

impl Fixture {
    fn new(name: &'static str, g: GrGraph, pool: &[NodeId], k: usize) -> Fixture {
        let csr = g.to_csr();
        let pg = petgraph_of(&csr);
        Fixture {
            name,
            csr,
            pg,
            origins: synth::sample(pool, k, 1),
        }
    }
}

fn quick() -> bool {
    std::env::var_os("ONEHOUR_BENCH_QUICK").is_some()
}

fn configure(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, heavy: bool) {
    if quick() {
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
    } else if heavy {
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
    } else {
        g.sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
}

/// One search per iteration, the origin cycling over the fixture's origins.
fn per_origin(c: &mut Criterion, fx: &Fixture, bounds: &[Seconds], petgraph: bool, heavy: bool) {
    let mut g = c.benchmark_group(fx.name);
    configure(&mut g, heavy);
    g.throughput(Throughput::Elements(fx.csr.num_nodes() as u64));
    let checked = Checked::new(&fx.csr).expect("a valid CSR graph");
    let mut ws = Workspace::new(fx.csr.num_nodes());
    for &bound in bounds {
        let tag = if bound == UNREACHED {
            "unbounded".to_string()
        } else {
            format!("bound{bound}s")
        };
        let mut i = 0;
        g.bench_function(format!("bucket/{tag}"), |b| {
            b.iter(|| {
                i += 1;
                ws.run_checked(
                    &checked,
                    fx.origins[i % fx.origins.len()],
                    bound,
                    Queue::Bucket,
                );
                black_box(ws.reached().map_or(0, <[u32]>::len))
            })
        });
        g.bench_function(format!("heap/{tag}"), |b| {
            b.iter(|| {
                i += 1;
                ws.run(
                    &fx.csr,
                    fx.origins[i % fx.origins.len()],
                    bound,
                    Queue::Heap,
                    false,
                );
                black_box(ws.reached().map_or(0, <[u32]>::len))
            })
        });
    }
    if petgraph {
        let mut i = 0;
        g.bench_function("petgraph/unbounded", |b| {
            b.iter(|| {
                i += 1;
                let o = fx.origins[i % fx.origins.len()];
                black_box(petgraph::algo::dijkstra(&fx.pg, o.0.into(), None, |e| *e.weight()).len())
            })
        });
    }
    g.finish();
}

fn transit(c: &mut Criterion) {
    let t = synth::transit(synth::TransitParams::default());
    let fx = Fixture::new("transit50k", t.graph, &t.stations, 64);
    per_origin(c, &fx, &[UNREACHED, 1800], true, false);
}

fn grid250k(c: &mut Criterion) {
    let fx = Fixture::new(
        "grid250k",
        synth::grid(500, 500, 0.05, 1),
        &synth::all_nodes(250_000),
        64,
    );
    per_origin(c, &fx, &[UNREACHED, 600], true, true);
}

fn grid1m(c: &mut Criterion) {
    let g = synth::grid(1000, 1000, 0.05, 1);
    let csr = g.to_csr();
    drop(g);
    let fx = Fixture {
        name: "grid1m",
        pg: DiGraph::default(),
        origins: synth::sample(&synth::all_nodes(csr.num_nodes()), 16, 1),
        csr,
    };
    per_origin(c, &fx, &[UNREACHED, 600], false, true);
}

fn threads(c: &mut Criterion) {
    let t = synth::transit(synth::TransitParams::default());
    let csr = t.graph.to_csr();
    let origins = synth::sample(&t.stations, 32, 2);
    let mut g = c.benchmark_group("threads");
    configure(&mut g, true);
    g.throughput(Throughput::Elements(origins.len() as u64));
    for th in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(th)
            .build()
            .expect("a thread pool");
        g.bench_function(format!("transit50k_sweep32/{th}threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    sweep_with(&csr, &origins, UNREACHED, Queue::Bucket, |_, ws| {
                        ws.reached().map_or(0, <[u32]>::len)
                    })
                })
            })
        });
    }
    g.finish();
}

fn bundled(c: &mut Criterion) {
    let src = onehour::network::bundled::networks();
    let manifest = format!(
        "{}/network.toml",
        onehour::network::bundled::DEFAULT_NETWORK
    );
    let net = match onehour::network::load::load_network(&src, &manifest) {
        Ok((net, _)) => net,
        Err(e) => {
            eprintln!("bundled: skipped, the bundled network does not load: {e}");
            return;
        }
    };
    let p = onehour::graph::Prepared::new(net, onehour::graph::Profile::Transit);
    let csr = &p.graph.csr;
    let bound = p.default_bound();
    let origins: Vec<NodeId> = p
        .net
        .centres()
        .iter()
        .map(|&c| p.graph.place_node(c))
        .collect();
    let targets = origins.clone();
    let pg = petgraph_of(csr);
    let checked = Checked::new(csr).expect("a valid CSR graph");
    let mut ws = Workspace::new(csr.num_nodes());
    let mut g = c.benchmark_group("bundled");
    configure(&mut g, false);
    g.bench_function(format!("one_search_bound{bound}s"), |b| {
        b.iter(|| {
            ws.run_checked(&checked, origins[0], bound, Queue::Bucket);
            black_box(ws.reached().map_or(0, <[u32]>::len))
        })
    });
    g.bench_function(
        format!("all_centres_parallel_bound{bound}s/{}", origins.len()),
        |b| {
            b.iter(|| {
                with_threads(None, || {
                    sweep(csr, &origins, &targets, bound, Queue::Bucket)
                })
            })
        },
    );
    g.bench_function(
        format!("all_centres_heap_bound{bound}s/{}", origins.len()),
        |b| b.iter(|| with_threads(None, || sweep(csr, &origins, &targets, bound, Queue::Heap))),
    );
    g.bench_function(format!("all_centres_petgraph/{}", origins.len()), |b| {
        use rayon::prelude::*;
        b.iter(|| {
            origins
                .par_iter()
                .map(|&o| petgraph::algo::dijkstra(&pg, o.0.into(), None, |e| *e.weight()).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bundled, transit, grid250k, grid1m, threads);
criterion_main!(benches);
