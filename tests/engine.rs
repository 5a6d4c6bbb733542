//! The routing engine against slow references on random graphs (petgraph's Dijkstra), bounded
//! against unbounded searches, 1 against N threads, and the DIMACS reader and writer.
//!
//! Random graphs come from proptest (which prints and saves the failing case) and from seeded
//! loops whose seed is in every assertion message.

use crate::common;
use common::{onehour, run_ok};

use crate::synth;
use onehour::engine::{sweep, sweep_with, with_threads, Queue, Workspace, MAX_BUCKET_WEIGHT};
use onehour::graph::Csr;
use onehour::io::dimacs::{self, GrGraph};
use onehour::network::ids::{NodeId, Seconds, UNREACHED};
use proptest::prelude::*;
use synth::Rng;

const QUEUES: [Queue; 2] = [Queue::Bucket, Queue::Heap];

/// Distances from `sources` (with start offsets) by petgraph's Dijkstra over a super-source.
fn reference(g: &GrGraph, sources: &[(NodeId, Seconds)]) -> Vec<Seconds> {
    let mut pg = petgraph::graph::DiGraph::<(), u64, u32>::new();
    for _ in 0..=g.n {
        pg.add_node(());
    }
    for &(u, v, w) in &g.arcs {
        pg.add_edge(u.into(), v.into(), w as u64);
    }
    let root = g.n as u32;
    for &(s, d0) in sources {
        pg.add_edge(root.into(), s.0.into(), d0 as u64);
    }
    let m = petgraph::algo::dijkstra(&pg, root.into(), None, |e| *e.weight());
    (0..g.n as u32)
        .map(|v| m.get(&v.into()).map(|&d| d as Seconds).unwrap_or(UNREACHED))
        .collect()
}

/// A random graph: `n` nodes (some isolated), up to `m` arcs, weights in `0..=max_w` (zeros
/// included), parallel arcs and self-loops allowed.
fn random_graph(rng: &mut Rng, n: usize, m: usize, max_w: u64) -> GrGraph {
    let arcs = (0..m)
        .map(|_| {
            let u = rng.range(0, n as u64 - 1) as u32;
            let v = rng.range(0, n as u64 - 1) as u32;
            let w = if rng.unit() < 0.15 {
                0
            } else {
                rng.range(0, max_w) as Seconds
            };
            (u, v, w)
        })
        .collect();
    GrGraph { n, arcs }
}

/// Checks one search of `ws` against the reference: distances, the bound, and that every
/// parent arc ends at its node and is tight.
fn check(
    g: &GrGraph,
    csr: &Csr,
    ws: &Workspace,
    sources: &[(NodeId, Seconds)],
    bound: Seconds,
    parents: bool,
    ctx: &str,
) {
    let want = reference(g, sources);
    for (v, &d) in want.iter().enumerate().take(g.n) {
        let w = if d <= bound { d } else { UNREACHED };
        assert_eq!(ws.dist(NodeId(v as u32)), w, "{ctx}: node {v}");
    }
    let finite = want
        .iter()
        .filter(|&&d| d != UNREACHED && d <= bound)
        .count();
    let reached = ws.reached().expect("`run` lists the nodes it settles");
    assert_eq!(reached.len(), finite, "{ctx}: reached count");
    let mut last = 0;
    for &v in reached {
        let d = ws.dist(NodeId(v));
        assert!(d >= last, "{ctx}: reached() not in settling order");
        last = d;
    }
    if parents {
        for v in 0..g.n as u32 {
            let d = ws.dist(NodeId(v));
            match ws.parent(NodeId(v)) {
                None => assert!(
                    d == UNREACHED || sources.iter().any(|&(s, d0)| s.0 == v && d0 == d),
                    "{ctx}: node {v} at {d} has no parent"
                ),
                Some(e) => {
                    let arc = csr.arcs()[e.idx()];
                    let t = csr.tail(e);
                    assert_eq!(arc.head, v, "{ctx}: parent arc of {v} ends elsewhere");
                    assert_eq!(
                        ws.dist(t).saturating_add(arc.weight),
                        d,
                        "{ctx}: parent arc of {v} not tight"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every queue, with and without parents, equals petgraph on random graphs; one reused
    /// workspace runs all queries.
    #[test]
    fn engine_matches_petgraph(seed in any::<u64>(), n in 1usize..80, density in 0usize..5, max_w in prop::sample::select(vec![1u64, 10, 200, 3000, 5000])) {
        let mut rng = Rng::new(seed);
        let g = random_graph(&mut rng, n, n * density, max_w);
        let csr = g.to_csr();
        let mut ws = Workspace::new(1);
        for q in QUEUES {
            for parents in [false, true] {
                let s = NodeId(rng.range(0, n as u64 - 1) as u32);
                ws.run(&csr, s, UNREACHED, q, parents);
                // the sweep path (checked graph, no bounds checks) agrees too
                let all = synth::all_nodes(n);
                let row = sweep(&csr, &[s], &all, UNREACHED, q).remove(0);
                prop_assert_eq!(&row[..], &reference(&g, &[(s, 0)])[..], "seed {} {:?} sweep", seed, q);
                check(&g, &csr, &ws, &[(s, 0)], UNREACHED, parents, &format!("seed {seed} n {n} {q:?} parents {parents}"));
            }
        }
    }

    /// Bounded searches give the unbounded distances up to the bound and nothing beyond.
    #[test]
    fn bounded_equals_unbounded_below_bound(seed in any::<u64>(), n in 1usize..80, bound in 0u32..400) {
        let mut rng = Rng::new(seed);
        let g = random_graph(&mut rng, n, n * 3, 60);
        let csr = g.to_csr();
        let mut ws = Workspace::new(n);
        for q in QUEUES {
            let s = NodeId(rng.range(0, n as u64 - 1) as u32);
            ws.run(&csr, s, UNREACHED, q, false);
            let full: Vec<Seconds> = ws.distances()[..n].to_vec();
            ws.run(&csr, s, bound, q, true);
            for (v, &d) in full.iter().enumerate() {
                let want = if d <= bound { d } else { UNREACHED };
                prop_assert_eq!(ws.dist(NodeId(v as u32)), want, "seed {} {:?} node {}", seed, q, v);
            }
            check(&g, &csr, &ws, &[(s, 0)], bound, true, &format!("seed {seed} bound {bound} {q:?}"));
        }
    }

    /// Several sources with start offsets.
    #[test]
    fn multi_source_matches_petgraph(seed in any::<u64>(), n in 1usize..60, k in 1usize..5) {
        let mut rng = Rng::new(seed);
        let g = random_graph(&mut rng, n, n * 3, 100);
        let csr = g.to_csr();
        let sources: Vec<(NodeId, Seconds)> =
            (0..k).map(|_| (NodeId(rng.range(0, n as u64 - 1) as u32), rng.range(0, 300) as Seconds)).collect();
        let mut ws = Workspace::new(n);
        for q in QUEUES {
            ws.run_multi(&csr, &sources, 250, q, true);
            check(&g, &csr, &ws, &sources, 250, true, &format!("seed {seed} {q:?}"));
        }
    }

    /// The DIMACS reader never panics, whatever the bytes.
    #[test]
    fn dimacs_parser_never_panics(bytes in prop::collection::vec(prop::sample::select(b"pa sc0123456789\n\r-x".to_vec()), 0..200)) {
        let _ = dimacs::parse_gr(&bytes, "fuzz.gr");
        let _ = dimacs::parse_ss(&bytes, "fuzz.ss", 50);
    }
}

/// Larger seeded graphs (a few hundred nodes), seed in the messages.
#[test]
fn engine_matches_petgraph_seeded() {
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        let n = rng.range(100, 600) as usize;
        let g = random_graph(&mut rng, n, n * 4, if seed % 2 == 0 { 120 } else { 3000 });
        let csr = g.to_csr();
        let mut ws = Workspace::new(n);
        for q in QUEUES {
            let s = NodeId(rng.range(0, n as u64 - 1) as u32);
            ws.run(&csr, s, UNREACHED, q, seed % 3 == 0);
            check(
                &g,
                &csr,
                &ws,
                &[(s, 0)],
                UNREACHED,
                seed % 3 == 0,
                &format!("seed {seed} {q:?}"),
            );
        }
    }
}

/// Each arc record layout of the checked graph (4-byte records with an 8-, 12- or 16-bit
/// weight field, or the plain 8-byte arcs when ids and weights do not fit) sweeps exactly,
/// bounded and unbounded.
#[test]
fn every_arc_layout_sweeps_exactly() {
    let mut rng = Rng::new(11);
    let cases = [
        (9000, 255, Some(8), 4),
        (9000, 256, Some(12), 4),
        (9000, 4095, Some(12), 4),
        (9000, 4096, Some(16), 4),
        (9000, 65_535, Some(16), 4),
        (70_000, 4096, None, 8), // 17 bits of node id + 13 of weight: no 4-byte layout
        (70_000, 65_535, None, 8), // 17 + 16 bits: no 4-byte layout either
    ];
    for (n, max_w, bits, bytes) in cases {
        let mut g = random_graph(&mut rng, n, 3 * n, max_w);
        g.arcs.push((0, 1, max_w as Seconds)); // the largest weight is present
        let csr = g.to_csr();
        let checked = onehour::engine::Checked::new(&csr).unwrap();
        assert_eq!(checked.weight_bits(), bits, "n {n} max weight {max_w}");
        assert_eq!(checked.arc_bytes(), bytes, "n {n} max weight {max_w}");
        let all = synth::all_nodes(g.n);
        for s in [0, 17, n as u32 - 1] {
            let want = reference(&g, &[(NodeId(s), 0)]);
            let bound = want.iter().filter(|&&d| d != UNREACHED).max().unwrap() / 3;
            for q in QUEUES {
                let row = sweep(&csr, &[NodeId(s)], &all, UNREACHED, q).remove(0);
                assert_eq!(row, want, "n {n} max weight {max_w} source {s} {q:?}");
                let row = sweep(&csr, &[NodeId(s)], &all, bound, q).remove(0);
                for (v, (&got, &w)) in row.iter().zip(&want).enumerate() {
                    let w = if w <= bound { w } else { UNREACHED };
                    assert_eq!(
                        got, w,
                        "n {n} max weight {max_w} source {s} bound {bound} node {v} {q:?}"
                    );
                }
            }
        }
    }
}

/// Many nodes at one distance crowd one bucket (also while it drains, through arcs of weight
/// 0); distances and parents stay exact.
#[test]
fn crowded_buckets_stay_exact() {
    let mut rng = Rng::new(5);
    let n = 3000u32;
    let mut arcs = Vec::new();
    for v in 1..1000 {
        arcs.push((0, v, 7)); // 999 nodes at distance 7
        arcs.push((v, 1000 + v, 0)); // and 999 more at 7 through weight 0, while draining
        arcs.push((1000 + v, 2000 + v, rng.range(0, 3) as Seconds));
    }
    for _ in 0..6000 {
        let (u, v) = (
            rng.range(0, n as u64 - 1) as u32,
            rng.range(0, n as u64 - 1) as u32,
        );
        arcs.push((u, v, rng.range(0, 2) as Seconds));
    }
    let g = GrGraph {
        n: n as usize,
        arcs,
    };
    let csr = g.to_csr();
    let mut ws = Workspace::new(n as usize);
    let all = synth::all_nodes(g.n);
    for s in [0, 5, 1500] {
        let src = [(NodeId(s), 0)];
        for q in QUEUES {
            ws.run(&csr, NodeId(s), UNREACHED, q, true);
            check(
                &g,
                &csr,
                &ws,
                &src,
                UNREACHED,
                true,
                &format!("source {s} {q:?}"),
            );
            let row = sweep(&csr, &[NodeId(s)], &all, UNREACHED, q).remove(0);
            assert_eq!(row, reference(&g, &src), "sweep from {s} {q:?}");
        }
    }
}

/// Both bucket layouts (slabs for graphs with many nodes per bucket, the linked pool for
/// sparse ones) are exact with several sources and start offsets, bounded, with parents.
#[test]
fn both_bucket_layouts_multi_source() {
    use onehour::engine::uses_slab_buckets;
    let mut rng = Rng::new(21);
    for (n, max_w, slabs) in [
        (5000, 20, true),
        (5000, 3000, false),
        (2000, 1, true),
        (300, 50, false),
    ] {
        let g = random_graph(&mut rng, n, 3 * n, max_w);
        let csr = g.to_csr();
        let sources: Vec<(NodeId, Seconds)> = (0..4)
            .map(|_| {
                (
                    NodeId(rng.range(0, n as u64 - 1) as u32),
                    rng.range(0, 50) as Seconds,
                )
            })
            .collect();
        assert_eq!(
            uses_slab_buckets(&csr, &sources),
            slabs,
            "n {n} max weight {max_w}"
        );
        let mut ws = Workspace::new(n);
        let full = reference(&g, &sources);
        let bound = full.iter().filter(|&&d| d != UNREACHED).max().unwrap() / 2;
        for b in [UNREACHED, bound] {
            ws.run_multi(&csr, &sources, b, Queue::Bucket, true);
            check(
                &g,
                &csr,
                &ws,
                &sources,
                b,
                true,
                &format!("n {n} max weight {max_w} bound {b}"),
            );
        }
    }
}

/// Weights above `MAX_BUCKET_WEIGHT` make `Queue::Bucket` fall back to the heap, still exact.
#[test]
fn huge_weights_fall_back_to_the_heap() {
    let g = GrGraph {
        n: 4,
        arcs: vec![
            (0, 1, MAX_BUCKET_WEIGHT * 3),
            (1, 2, 5),
            (0, 2, u32::MAX - 10),
            (2, 3, 0),
        ],
    };
    let csr = g.to_csr();
    let mut ws = Workspace::new(4);
    ws.run(&csr, NodeId(0), UNREACHED, Queue::Bucket, true);
    check(
        &g,
        &csr,
        &ws,
        &[(NodeId(0), 0)],
        UNREACHED,
        true,
        "huge weights",
    );
}

/// The synthetic generators are deterministic and the shapes are as documented.
#[test]
fn synthetic_graphs_are_deterministic() {
    let a = synth::grid(30, 40, 0.05, 7);
    assert_eq!(a, synth::grid(30, 40, 0.05, 7));
    assert_ne!(a, synth::grid(30, 40, 0.05, 8));
    assert_eq!(a.n, 1200);
    assert!(a.arcs.len() >= 2 * (30 * 39 + 29 * 40));
    let p = synth::TransitParams {
        grid: 30,
        lines: 40,
        stops: 20,
        seed: 3,
    };
    let (t1, t2) = (synth::transit(p), synth::transit(p));
    assert_eq!(t1.graph, t2.graph);
    assert!(
        t1.graph.arcs.iter().any(|a| a.2 == 0),
        "alighting arcs are free"
    );
    assert!(t1.stations.len() < t1.graph.n);
    t1.graph.to_csr().check().unwrap();
}

/// 1 and N threads give identical sweeps, in origin order, with and without a bound.
#[test]
fn sweep_is_the_same_on_1_and_n_threads() {
    let t = synth::transit(synth::TransitParams {
        grid: 40,
        lines: 60,
        stops: 25,
        seed: 5,
    });
    let csr = t.graph.to_csr();
    let origins = synth::sample(&t.stations, 40, 1);
    let targets = synth::sample(&synth::all_nodes(t.graph.n), 300, 2);
    for bound in [UNREACHED, 1800] {
        for q in QUEUES {
            let one = with_threads(Some(1), || sweep(&csr, &origins, &targets, bound, q));
            let many = with_threads(Some(4), || sweep(&csr, &origins, &targets, bound, q));
            assert_eq!(one, many, "{q:?} bound {bound}");
            let sums = |th| {
                with_threads(Some(th), || {
                    sweep_with(&csr, &origins, bound, q, |i, ws| {
                        (
                            i,
                            match ws.reached() {
                                Some(list) => list
                                    .iter()
                                    .map(|&v| ws.distances()[v as usize] as u64)
                                    .sum::<u64>(),
                                None => ws
                                    .distances()
                                    .iter()
                                    .filter(|&&d| d != UNREACHED)
                                    .map(|&d| d as u64)
                                    .sum::<u64>(),
                            },
                        )
                    })
                })
            };
            assert_eq!(sums(1), sums(3));
        }
        let b = sweep(&csr, &origins, &targets, bound, Queue::Bucket);
        let h = sweep(&csr, &origins, &targets, bound, Queue::Heap);
        assert_eq!(b, h, "bucket and heap agree, bound {bound}");
    }
}

#[test]
fn dimacs_round_trip() {
    let g = synth::grid(7, 9, 0.2, 1);
    let csr = g.to_csr();
    let mut text = Vec::new();
    let title = "广州都市圈 — a grid\nof 7 × 9".to_string();
    dimacs::write_gr(&csr, std::slice::from_ref(&title), &mut text).unwrap();
    // other tools read DIMACS as ASCII: comments keep ASCII only
    assert!(text.is_ascii(), "{}", String::from_utf8_lossy(&text[..60]));
    assert!(text.starts_with(b"c ????? ? a grid\nc of 7 ? 9\n"));
    let back = dimacs::parse_gr(&text, "grid.gr").unwrap();
    assert_eq!(back.to_csr(), csr);
    let origins = vec![NodeId(0), NodeId(62), NodeId(5)];
    let mut ss = Vec::new();
    dimacs::write_ss(&origins, &[title], &mut ss).unwrap();
    assert!(ss.is_ascii());
    assert_eq!(dimacs::parse_ss(&ss, "g.ss", 63).unwrap(), origins);
}

#[test]
fn dimacs_errors_name_file_and_line() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"p sp 2 1\na 1 2\n",
            "g.gr:2: an arc line needs exactly 'a U V W'",
        ),
        (
            b"a 1 2 3\n",
            "g.gr:1: arc line before the problem line 'p sp N M'",
        ),
        (
            b"c\np sp 2 1\na 1 3 4\n",
            "g.gr:3: head 3 is outside the node ids 1..=2",
        ),
        (
            b"p sp 2 1\na 0 1 4\n",
            "g.gr:2: tail 0 is outside the node ids 1..=2",
        ),
        (
            b"p sp 2 1\na 1 2 -4\n",
            "g.gr:2: weight \"-4\" is not a non-negative integer",
        ),
        (
            b"p sp 2 1\na 1 2 4294967295\n",
            "g.gr:2: weight 4294967295 does not fit (at most 4294967294)",
        ),
        (
            b"p sp 2 2\na 1 2 4\n",
            "g.gr: the problem line declares 2 arcs but the file has 1",
        ),
        (
            b"p sp x 2\n",
            "g.gr:1: N and M of 'p sp N M' must be non-negative integers",
        ),
        (
            b"p max 2 2\n",
            "g.gr:1: the problem line must read 'p sp N M'",
        ),
        (b"c only\n", "g.gr: no problem line 'p sp N M'"),
        (b"p sp 2 0\nq\n", "g.gr:2: expected a 'c', 'p' or 'a' line"),
    ];
    for (text, msg) in cases {
        let e = dimacs::parse_gr(text, "g.gr").unwrap_err();
        assert_eq!(e.to_string(), *msg, "{}", String::from_utf8_lossy(text));
    }
    let ss: &[(&[u8], &str)] = &[
        (
            b"p aux sp ss 1\ns 9\n",
            "o.ss:2: source 9 is outside the node ids 1..=3",
        ),
        (
            b"p aux sp ss 2\ns 1\n",
            "o.ss: the problem line declares 2 sources but the file has 1",
        ),
        (
            b"s one\n",
            "o.ss:1: source \"one\" is not a positive integer",
        ),
        (b"c none\n", "o.ss: no source lines 's ID'"),
    ];
    for (text, msg) in ss {
        assert_eq!(
            dimacs::parse_ss(text, "o.ss", 3).unwrap_err().to_string(),
            *msg
        );
    }
}

/// `onehour bench-graph`: the JSON protocol of peer-bench, checksums that agree, exit 2 on a
/// bad file with its line in the message.
#[test]
fn bench_graph_cli() {
    let dir = tempfile::tempdir().unwrap();
    let gr = dir.path().join("g.gr");
    let ss = dir.path().join("g.ss");
    std::fs::write(
        &gr,
        "c tiny\np sp 4 5\na 1 2 3\na 2 3 4\na 1 3 9\na 3 1 0\na 4 1 1\n",
    )
    .unwrap();
    std::fs::write(&ss, "p aux sp ss 2\ns 1\ns 4\n").unwrap();
    let stdout = run_ok(
        onehour()
            .args([
                "bench-graph",
                "--graph",
                gr.to_str().unwrap(),
                "--origins",
                ss.to_str().unwrap(),
                "--threads",
                "1",
                "--json",
            ])
            .args(["--methods", "heap,bucket,petgraph"]),
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    // from 1: 0 + 3 + 7 = 10; from 4: 0 + 1 + 4 + 8 = 13
    for l in &lines {
        assert_eq!(l["checksum"], 23, "{l}");
        assert_eq!(l["reached"], 7);
        assert_eq!(l["per_origin_sums"], serde_json::json!([10, 13]));
        assert_eq!(l["kind"], "per_origin");
        assert_eq!(l["threads"], 1);
    }
    let bounded = onehour()
        .args([
            "bench-graph",
            "--graph",
            gr.to_str().unwrap(),
            "--origins",
            ss.to_str().unwrap(),
            "--bound",
            "4",
            "--json",
        ])
        .output()
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(bounded.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["checksum"], 3 + 1 + 4);
    std::fs::write(&gr, "p sp 4 1\na 1 5 3\n").unwrap();
    onehour()
        .args([
            "bench-graph",
            "--graph",
            gr.to_str().unwrap(),
            "--origins",
            ss.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "g.gr:2: head 5 is outside the node ids 1..=4",
        ));
}

/// `onehour export --format dimacs` writes a graph the reader takes back, equal to the
/// compiled one.
#[test]
fn export_dimacs_round_trips() {
    let stdout = run_ok(onehour().args([
        "export",
        "--format",
        "dimacs",
        "--network",
        "tests/fixtures/tiny",
    ]));
    let g = dimacs::parse_gr(&stdout, "export.gr").unwrap();
    let (net, _) = onehour::network::load::load_network(
        &onehour::network::source::Source::Disk("tests/fixtures/tiny".into()),
        "network.toml",
    )
    .unwrap();
    let compiled = onehour::graph::compile(&net, onehour::graph::Profile::Transit);
    assert_eq!(g.to_csr(), compiled.csr);
}
