//! Streets from OpenStreetMap (issue 14, item 1) on two real extracts: central Helsinki
//! (`tests/fixtures/osm/`) and central Porto Alegre (`tests/fixtures/porto-alegre/`), both
//! © OpenStreetMap contributors, ODbL 1.0. The searches against a plain reference Dijkstra,
//! snapping against a brute-force nearest-edge search, the tag rules, and the imports.

use crate::common;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{onehour, poa, run_ok};
use onehour::graph::streets::{
    point_segment_m, CarEdge, CarSegment, PointKind, StreetEdge, StreetInput, StreetNode, Streets,
};
use onehour::io::osm::{classify, parse_maxspeed, read_streets, OsmSummary};
use onehour::network::load::load_network;
use onehour::network::model::haversine_m;
use onehour::network::source::Source;
use proptest::prelude::*;

fn helsinki_pbf() -> PathBuf {
    common::root().join("tests/fixtures/osm/Helsinki.osm.pbf")
}

fn helsinki() -> &'static (Streets, OsmSummary) {
    static S: OnceLock<(Streets, OsmSummary)> = OnceLock::new();
    S.get_or_init(|| read_streets(&helsinki_pbf()).unwrap())
}

fn poa_streets() -> &'static (Streets, OsmSummary) {
    static S: OnceLock<(Streets, OsmSummary)> = OnceLock::new();
    S.get_or_init(|| read_streets(&poa::pbf()).unwrap())
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Graph sizes.

#[test]
fn graph_sizes_are_plausible() {
    for (name, (st, sum), nodes, walk_km) in [
        ("Helsinki", helsinki(), 4_000..8_000, 60.0..150.0),
        (
            "Porto Alegre",
            poa_streets(),
            30_000..50_000,
            1_200.0..2_500.0,
        ),
    ] {
        assert!(
            nodes.contains(&st.num_nodes()),
            "{name}: {} nodes",
            st.num_nodes()
        );
        assert_eq!(st.num_nodes(), sum.nodes);
        // Ways are split at every node: more edges than nodes minus pieces, fewer than twice.
        assert!(
            st.num_walk_edges() > st.num_nodes() * 9 / 10
                && st.num_walk_edges() < st.num_nodes() * 2,
            "{name}: {} walking edges for {} nodes",
            st.num_walk_edges(),
            st.num_nodes()
        );
        assert!(
            walk_km.contains(&st.walk_km()),
            "{name}: {} km",
            st.walk_km()
        );
        // Driving: a subset of the streets, most of them two-way.
        assert!(st.num_car_edges() > 0 && st.car_km() < st.walk_km() * 1.2);
        assert!(
            st.num_car_arcs() > st.num_car_edges() && st.num_car_arcs() <= 2 * st.num_car_edges()
        );
        assert!(st.walk_largest_piece_share() > 0.9, "{name}");
        assert!(sum.walk_ways > 0 && sum.car_ways > 0 && sum.car_ways_maxspeed > 0);
        assert!(sum.walk_ways + sum.car_ways >= sum.highway_ways / 2);
        // Every node inside the extract's area.
        let b = st.bbox().unwrap();
        assert!(b[2] - b[0] < 0.5 && b[3] - b[1] < 0.5, "{name}: {b:?}");
    }
    // Helsinki lies at 60°N, Porto Alegre at 30°S.
    assert!((helsinki().0.bbox().unwrap()[1] - 60.1).abs() < 0.2);
    assert!((poa_streets().0.bbox().unwrap()[1] + 30.05).abs() < 0.2);
}

// ---------------------------------------------------------------------------------------------
// Searches against a plain reference Dijkstra.

/// Plain Dijkstra over an arc list, unbounded; distances in the graph's units.
fn reference(n: usize, arcs: &[(u32, u32, u32)], src: &[(u32, u64)]) -> Vec<Option<u64>> {
    let mut adj: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    for &(a, b, w) in arcs {
        adj[a as usize].push((b, w as u64));
    }
    let mut dist: Vec<Option<u64>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    for &(v, d) in src {
        if dist[v as usize].is_none_or(|x| d < x) {
            dist[v as usize] = Some(d);
            heap.push(Reverse((d, v)));
        }
    }
    while let Some(Reverse((d, v))) = heap.pop() {
        if dist[v as usize] != Some(d) {
            continue;
        }
        for &(h, w) in &adj[v as usize] {
            let nd = d + w;
            if dist[h as usize].is_none_or(|x| nd < x) {
                dist[h as usize] = Some(nd);
                heap.push(Reverse((nd, h)));
            }
        }
    }
    dist
}

fn walk_arcs(st: &Streets) -> Vec<(u32, u32, u32)> {
    (0..st.num_walk_edges())
        .flat_map(|e| {
            let (a, b, w) = st.walk_edge(StreetEdge(e as u32));
            [(a.0, b.0, w), (b.0, a.0, w)]
        })
        .collect()
}

fn car_arcs(st: &Streets) -> Vec<(u32, u32, u32)> {
    (0..st.num_car_edges())
        .flat_map(|e| {
            let (a, b, f, bk) = st.car_edge(CarEdge(e as u32));
            f.map(|w| (a.0, b.0, w))
                .into_iter()
                .chain(bk.map(|w| (b.0, a.0, w)))
        })
        .collect()
}

/// The search from node `v` equals the reference within the bound, walking and driving.
fn check_searches(st: &Streets, v: u32, speed: f64, max_s: u32) {
    let n = st.num_nodes();
    let mut ws = st.workspace();
    let bound = (max_s as f64 * speed * 1000.0).floor() as u64;
    st.walk_from_node(StreetNode(v), speed, max_s, &mut ws);
    let r = reference(n, &walk_arcs(st), &[(v, 0)]);
    for u in 0..n as u32 {
        let want = r[u as usize].filter(|&d| d <= bound);
        assert_eq!(
            ws.units(StreetNode(u)).map(u64::from),
            want,
            "walk {v} -> {u}"
        );
        if let Some(d) = want {
            assert_eq!(
                ws.seconds(StreetNode(u)),
                Some((d as f64 / (speed * 1000.0)).round() as u32)
            );
        }
    }
    st.drive_from_node(StreetNode(v), max_s, &mut ws);
    let r = reference(n, &car_arcs(st), &[(v, 0)]);
    let bound = max_s as u64 * 1000;
    for u in 0..n as u32 {
        let want = r[u as usize].filter(|&d| d <= bound);
        assert_eq!(
            ws.units(StreetNode(u)).map(u64::from),
            want,
            "drive {v} -> {u}"
        );
    }
}

fn random_streets(seed: u64, n: usize, m: usize) -> Streets {
    let mut g = Rng(seed | 1);
    let nodes: Vec<(f64, f64)> = (0..n)
        .map(|_| (113.0 + g.unit() * 0.02, 23.0 + g.unit() * 0.02))
        .collect();
    let mut walk = Vec::new();
    let mut car = Vec::new();
    for _ in 0..m {
        let (a, b) = (g.below(n as u64) as u32, g.below(n as u64) as u32);
        if g.below(3) > 0 {
            walk.push((a, b));
        }
        if g.below(2) == 0 {
            let dir = g.below(3);
            let kmh = 5.0 + g.unit() * 100.0;
            car.push(CarSegment {
                a,
                b,
                forward_kmh: (dir != 2).then_some(kmh),
                backward_kmh: (dir != 1).then_some(kmh * 0.8),
            });
        }
    }
    Streets::build(StreetInput {
        nodes,
        walk,
        car,
        min_piece_nodes: 0,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn searches_equal_the_reference_on_random_graphs(
        seed in any::<u64>(), n in 2usize..40, m in 0usize..120, max_s in 1u32..2000,
        speed in 0.5f64..3.0,
    ) {
        let st = random_streets(seed, n, m);
        let mut ws = st.workspace();
        for v in 0..n as u32 {
            check_searches(&st, v, speed, max_s);
            // A reused workspace gives the same answer as a fresh one.
            st.walk_from_node(StreetNode(v), speed, max_s, &mut ws);
            let mut fresh = st.workspace();
            st.walk_from_node(StreetNode(v), speed, max_s, &mut fresh);
            for u in 0..n as u32 {
                prop_assert_eq!(ws.units(StreetNode(u)), fresh.units(StreetNode(u)));
            }
        }
    }

    #[test]
    fn walk_links_equal_the_reference_on_random_graphs(
        seed in any::<u64>(), n in 2usize..30, m in 1usize..80, max_s in 1u32..3000,
    ) {
        let st = random_streets(seed, n, m);
        let mut g = Rng(seed ^ 0x9e37_79b9_7f4a_7c15 | 1);
        let mut pts = |k: usize| -> Vec<(f64, f64)> {
            (0..k).map(|_| (113.0 + g.unit() * 0.022 - 0.001, 23.0 + g.unit() * 0.022 - 0.001)).collect()
        };
        let (o, d, s) = (pts(4), pts(5), pts(3));
        let speed = 1.3;
        let (links, report) = st.walk_links(&o, &d, &s, speed, max_s, 300.0);
        prop_assert_eq!(report.points, 12);
        // Each pair against a reference from both snapped ends, the same edge walked directly.
        let arcs = walk_arcs(&st);
        let per_s = speed * 1000.0;
        let bound = (max_s as f64 * per_s).floor() as u64;
        let brute = |p: (f64, f64), q: (f64, f64)| -> Option<u32> {
            let a = st.snap(p.0, p.1, 300.0)?;
            let b = st.snap(q.0, q.1, 300.0)?;
            let leg = |s: &onehour::graph::streets::Snap| (s.distance_m() * 1000.0).round() as u64;
            let ends = |s: &onehour::graph::streets::Snap| {
                let (x, y, l) = st.walk_edge(StreetEdge(s.edge_index()));
                let to_a = ((l as f64) * s.fraction()).round().min(l as f64) as u64;
                (x.0, y.0, to_a, l as u64 - to_a)
            };
            let (a0, a1, aa, ab) = ends(&a);
            let (b0, b1, ba, bb) = ends(&b);
            let r = reference(st.num_nodes(), &arcs, &[(a0, leg(&a) + aa), (a1, leg(&a) + ab)]);
            let mut best = [r[b0 as usize].map(|d| d + ba), r[b1 as usize].map(|d| d + bb)]
                .into_iter().flatten().min().map(|d| d + leg(&b));
            if a.edge_index() == b.edge_index() {
                let direct = leg(&a) + aa.abs_diff(ba) + leg(&b);
                best = Some(best.map_or(direct, |x| x.min(direct)));
            }
            best.filter(|&d| d <= bound).map(|d| (d as f64 / per_s).round() as u32)
        };
        let table = |v: &[(u32, u32)], k: usize| -> Vec<Option<u32>> {
            let mut t = vec![None; k];
            for &(i, s) in v { t[i as usize] = Some(s); }
            t
        };
        for (i, &p) in o.iter().enumerate() {
            let acc = table(&links.access[i], s.len());
            let dir = table(&links.direct[i], d.len());
            for (j, &q) in s.iter().enumerate() { prop_assert_eq!(acc[j], brute(p, q), "access {} {}", i, j); }
            for (j, &q) in d.iter().enumerate() { prop_assert_eq!(dir[j], brute(p, q), "direct {} {}", i, j); }
        }
        for (i, &p) in s.iter().enumerate() {
            let eg = table(&links.egress[i], d.len());
            for (j, &q) in d.iter().enumerate() { prop_assert_eq!(eg[j], brute(p, q), "egress {} {}", i, j); }
        }
    }
}

#[test]
fn searches_equal_the_reference_on_real_streets() {
    for (st, _) in [helsinki(), poa_streets()] {
        let mut g = Rng(42);
        for _ in 0..6 {
            let v = g.below(st.num_nodes() as u64) as u32;
            check_searches(st, v, 1.25, 1800);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapping against brute force.

fn brute_snap(st: &Streets, p: (f64, f64), max_m: f64) -> Option<f64> {
    (0..st.num_walk_edges() as u32)
        .map(StreetEdge)
        .filter(|&e| st.walk_edge_snappable(e))
        .map(|e| {
            let (a, b, _) = st.walk_edge(e);
            point_segment_m(p, st.node(a), st.node(b)).0
        })
        .filter(|&d| d <= max_m)
        .min_by(f64::total_cmp)
}

#[test]
fn snapping_equals_brute_force_on_random_points() {
    for (st, _) in [helsinki(), poa_streets()] {
        let b = st.bbox().unwrap();
        let mut g = Rng(7);
        let (mut some, mut none) = (0, 0);
        for k in 0..300 {
            // Points over the extract and a margin around it (every third one a wide margin:
            // points well outside the grid of segments, whose search starts at its edge).
            let m = if k % 3 == 0 { 0.05 } else { 0.01 };
            let p = (
                b[0] - m + g.unit() * (b[2] - b[0] + 2.0 * m),
                b[1] - m + g.unit() * (b[3] - b[1] + 2.0 * m),
            );
            let max_m = [25.0, 100.0, 400.0, 2000.0, 8000.0][k % 5];
            let got = st.snap(p.0, p.1, max_m);
            let want = brute_snap(st, p, max_m);
            assert_eq!(got.map(|s| s.distance_m()), want, "{p:?} within {max_m} m");
            if let Some(s) = got {
                some += 1;
                assert!(st.walk_edge_snappable(StreetEdge(s.edge_index())));
                // The snapped point is on the street, at the distance reported.
                let q = s.point();
                let d = haversine_m(p.0, p.1, q.0, q.1);
                assert!(
                    (d - s.distance_m()).abs() < 0.01 * s.distance_m().max(1.0),
                    "{d} vs {}",
                    s.distance_m()
                );
            } else {
                none += 1;
            }
        }
        assert!(some > 50 && none > 10, "{some} snapped, {none} not");
    }
}

#[test]
fn a_point_far_outside_is_reported_unsnapped() {
    let st = &poa_streets().0;
    let inside = (-51.2275, -30.0277); // central Porto Alegre (the Mercado Público)
    let far = (-51.0, -29.5); // about 60 km away
    let (links, report) = st.walk_links(&[inside, far], &[inside], &[far], 1.25, 1800, 250.0);
    assert_eq!(report.points, 4);
    assert_eq!(report.snapped, 2);
    assert_eq!(report.failed.len(), 2);
    assert!(report.failed.iter().all(|x| x.distance_m.is_none()));
    let kinds: Vec<(PointKind, u32)> = report.failed.iter().map(|x| (x.kind, x.index)).collect();
    assert!(kinds.contains(&(PointKind::Origin, 1)) && kinds.contains(&(PointKind::Stop, 0)));
    assert!(links.access[1].is_empty() && links.direct[1].is_empty() && links.egress[0].is_empty());
    // The inside point reaches itself: its leg twice.
    assert_eq!(links.direct[0].len(), 1);
    let shown = report.to_string();
    assert!(
        shown.contains("snapped 2 of 4") && shown.contains("2 failed"),
        "{shown}"
    );
    assert!(
        shown.contains("origin #1: no street within reach"),
        "{shown}"
    );
    // Just beyond the limit: the report gives the nearest street's distance.
    let s = st.snap(inside.0, inside.1, 1000.0).unwrap();
    let near = (inside.0, inside.1 + 0.003);
    let d = st.snap(near.0, near.1, 5000.0).unwrap().distance_m();
    let (_, r) = st.snap_points(PointKind::Stop, &[near], d * 0.5);
    assert_eq!(r.failed.len(), 1);
    assert!((r.failed[0].distance_m.unwrap() - d).abs() < 1e-9);
    assert!(s.distance_m() < 100.0);
}

// ---------------------------------------------------------------------------------------------
// Tag rules and one-way streets.

fn tags<'a>(kv: &[(&'a str, &'a str)]) -> HashMap<&'a str, &'a str> {
    kv.iter().copied().collect()
}

#[test]
fn tag_rules() {
    let c = |kv: &[(&str, &str)]| classify(&tags(kv));
    // Directions.
    let r = c(&[("highway", "residential"), ("oneway", "yes")]);
    assert!(r.walk);
    assert_eq!(r.car, Some((Some(25.0), None)));
    assert_eq!(
        c(&[("highway", "residential"), ("oneway", "-1")]).car,
        Some((None, Some(25.0)))
    );
    assert_eq!(
        c(&[("highway", "primary"), ("junction", "roundabout")]).car,
        Some((Some(65.0), None))
    );
    assert_eq!(
        c(&[
            ("highway", "primary"),
            ("junction", "roundabout"),
            ("oneway", "no")
        ])
        .car,
        Some((Some(65.0), Some(65.0)))
    );
    assert_eq!(c(&[("highway", "motorway")]).car, Some((Some(90.0), None)));
    assert_eq!(
        c(&[("highway", "tertiary"), ("oneway", "reversible")]).car,
        None
    );
    // Speeds: 80 % of a numeric maxspeed, per direction, mph converted.
    let r = c(&[("highway", "secondary"), ("maxspeed", "60")]);
    assert_eq!(r.car, Some((Some(48.0), Some(48.0))));
    assert!(r.speed_from_tags);
    let r = c(&[("highway", "secondary"), ("maxspeed", "30 mph")])
        .car
        .unwrap();
    assert!((r.0.unwrap() - 30.0 * 1.609344 * 0.8).abs() < 1e-9);
    let r = c(&[
        ("highway", "secondary"),
        ("maxspeed", "50"),
        ("maxspeed:backward", "30"),
    ]);
    assert_eq!(r.car, Some((Some(40.0), Some(24.0))));
    let r = c(&[("highway", "secondary"), ("maxspeed", "BR:urban")]);
    assert_eq!(r.car, Some((Some(55.0), Some(55.0))));
    assert!(!r.speed_from_tags);
    assert_eq!(parse_maxspeed("50 km/h"), Some(50.0));
    assert_eq!(parse_maxspeed("none"), None);
    assert_eq!(parse_maxspeed("0"), None);
    assert_eq!(parse_maxspeed("50;30"), Some(50.0));
    // Walking exclusions.
    assert!(!c(&[("highway", "motorway")]).walk);
    assert!(!c(&[("highway", "trunk")]).walk);
    assert!(c(&[("highway", "trunk"), ("sidewalk", "both")]).walk);
    assert!(!c(&[("highway", "trunk"), ("sidewalk", "separate")]).walk);
    assert!(c(&[("highway", "trunk_link"), ("foot", "yes")]).walk);
    assert!(!c(&[("highway", "footway"), ("foot", "no")]).walk);
    assert!(!c(&[("highway", "service"), ("access", "private")]).walk);
    assert!(
        c(&[
            ("highway", "service"),
            ("access", "private"),
            ("foot", "yes")
        ])
        .walk
    );
    assert!(!c(&[("highway", "pedestrian"), ("area", "yes")]).walk);
    assert!(!c(&[("highway", "construction")]).walk);
    assert!(!c(&[("highway", "proposed")]).walk);
    assert!(!c(&[("highway", "residential"), ("construction", "yes")]).walk);
    assert!(c(&[("highway", "residential"), ("construction", "minor")]).walk);
    // Car exclusions.
    assert_eq!(c(&[("highway", "footway")]).car, None);
    assert_eq!(
        c(&[("highway", "service"), ("access", "private")]).car,
        None
    );
    assert_eq!(
        c(&[
            ("highway", "service"),
            ("access", "no"),
            ("motor_vehicle", "yes")
        ])
        .car,
        Some((Some(15.0), Some(15.0)))
    );
    assert_eq!(
        c(&[("highway", "residential"), ("motor_vehicle", "no")]).car,
        None
    );
    assert_eq!(c(&[("highway", "track")]).car, None);
    assert_eq!(c(&[("building", "yes")]), Default::default());
}

#[test]
fn one_way_streets_are_directed_in_the_car_graph() {
    for (st, _) in [helsinki(), poa_streets()] {
        let mut one_way = 0;
        let mut ws = st.workspace();
        for e in 0..st.num_car_edges() as u32 {
            let (a, b, f, bk) = st.car_edge(CarEdge(e));
            assert!(f.is_some() || bk.is_some());
            if let (Some(f), None) = (f, bk) {
                one_way += 1;
                if one_way <= 50 {
                    // Forward: at most the segment's time; backward never along it (any way
                    // back goes round the block, so it takes longer than the segment).
                    st.drive_from_node(a, 600, &mut ws);
                    assert!(ws.units(b).unwrap() <= f);
                    st.drive_from_node(b, 600, &mut ws);
                    assert!(ws.units(a).is_none_or(|d| d > 0));
                }
            }
        }
        assert!(one_way > 50, "{one_way} one-way segments");
        let arcs: usize = (0..st.num_car_edges() as u32)
            .map(|e| {
                let (_, _, f, b) = st.car_edge(CarEdge(e));
                f.is_some() as usize + b.is_some() as usize
            })
            .sum();
        assert_eq!(arcs, st.num_car_arcs());
    }
}

#[test]
fn street_walking_is_never_faster_than_the_straight_line() {
    let st = &poa_streets().0;
    let b = st.bbox().unwrap();
    let mut g = Rng(99);
    let pts: Vec<(f64, f64)> = (0..60)
        .map(|_| {
            let c = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            (c.0 + (g.unit() - 0.5) * 0.04, c.1 + (g.unit() - 0.5) * 0.04)
        })
        .collect();
    let speed = 1.25;
    let (links, report) = st.walk_links(&pts, &pts, &[], speed, 3600, 250.0);
    assert!(report.snapped > 80, "{report}");
    let mut pairs = 0;
    for (i, row) in links.direct.iter().enumerate() {
        for &(j, s) in row {
            let (p, q) = (pts[i], pts[j as usize]);
            let straight = haversine_m(p.0, p.1, q.0, q.1) / speed;
            // Seconds are rounded to the nearest: half a second of slack.
            assert!(
                s as f64 + 0.5 >= straight,
                "{i} -> {j}: {s} s, straight {straight:.1} s"
            );
            pairs += 1;
        }
    }
    assert!(pairs > 1000, "{pairs} pairs");
}

// ---------------------------------------------------------------------------------------------
// The imports.

fn read_to_string(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn import_gtfs_with_osm_makes_walking_follow_streets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poa");
    let run = poa::import(&out, true).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains("stops: snapped"), "{err}");
    assert!(err.contains("pair(s) along streets"), "{err}");
    // The extract is in the folder, byte for byte, and the manifest names it.
    assert_eq!(
        std::fs::read(out.join("streets.osm.pbf")).unwrap(),
        std::fs::read(poa::pbf()).unwrap()
    );
    let manifest = read_to_string(&out.join("network.toml"));
    assert!(manifest.contains("[streets]\n") && manifest.contains("osm = \"streets.osm.pbf\""));
    // It loads, with its streets.
    let (net, _) = load_network(&Source::Disk(out.clone()), "network.toml").unwrap();
    assert_eq!(net.streets.as_ref().unwrap().osm, "streets.osm.pbf");
    let st = Streets::from_network(&net).unwrap().unwrap();
    assert_eq!(st.num_nodes(), poa_streets().0.num_nodes());
    // Street links: every one between stops within the radius, its minutes at least the
    // straight line at the walking speed, and most stops of the extract's area linked.
    let speed = net.settings.walking.speed_kmh / 3.6;
    let idx = net.place_index();
    let street: Vec<_> = net
        .links
        .iter()
        .filter(|l| l.source.starts_with("streets.osm.pbf: along streets"))
        .collect();
    assert!(street.len() > 10_000, "{} street links", street.len());
    let mut longer = 0;
    for l in &street {
        let (a, b) = (
            &net.places[idx[l.from.as_str()].idx()],
            &net.places[idx[l.to.as_str()].idx()],
        );
        let d = haversine_m(a.lon, a.lat, b.lon, b.lat);
        assert!(d <= net.settings.walking.radius_m + 1e-6);
        let m = l.minutes.unwrap();
        assert!(
            m * 60.0 + 0.5 >= d / speed,
            "{} -> {}: {m} min for {d:.0} m",
            l.from,
            l.to
        );
        if m * 60.0 > d * net.settings.walking.detour / speed {
            longer += 1;
        }
    }
    // Streets are not straight: some links take longer than the straight-line model said.
    assert!(longer > street.len() / 10, "{longer} of {}", street.len());
    // validate reads the streets too.
    let v = run_ok(onehour().args(["validate", "--network"]).arg(&out));
    assert!(String::from_utf8_lossy(&v).contains("streets streets.osm.pbf: "));
    // And a route between two linked stops runs.
    let l = street[0];
    run_ok(
        onehour()
            .args(["matrix", "--network"])
            .arg(&out)
            .args(["--from", &l.from, "--to", &l.to]),
    );
}

#[test]
fn import_osm_makes_a_streets_only_network_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hel");
    run_ok(
        onehour()
            .args(["import", "osm"])
            .arg(helsinki_pbf())
            .arg("--out")
            .arg(&out),
    );
    let (net, _) = load_network(&Source::Disk(out.clone()), "network.toml").unwrap();
    assert!(net.places.is_empty() && net.services.is_empty());
    let st = Streets::from_network(&net).unwrap().unwrap();
    assert_eq!(st.num_walk_edges(), helsinki().0.num_walk_edges());
    let b = st.bbox().unwrap();
    assert!(
        net.bbox[0] <= b[0] && net.bbox[1] <= b[1] && net.bbox[2] >= b[2] && net.bbox[3] >= b[3]
    );
    run_ok(onehour().args(["validate", "--network"]).arg(&out));
}

fn fails(cmd: &mut assert_cmd::Command, expect: &[&str]) {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected '{e}' in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_extracts_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(poa::pbf()).unwrap();
    let mut bad: Vec<(String, Vec<u8>)> = vec![
        ("text.osm.pbf".into(), b"id,lon,lat\n1,2,3\n".to_vec()),
        ("empty.osm.pbf".into(), Vec::new()),
        (
            "gtfs.osm.pbf".into(),
            std::fs::read(&poa::feeds()[1]).unwrap(),
        ),
    ];
    for k in [1usize, 3, 5, 9] {
        bad.push((
            format!("cut{k}.osm.pbf"),
            bytes[..bytes.len() * k / 10 + 7].to_vec(),
        ));
    }
    bad.push(("cut-end.osm.pbf".into(), bytes[..bytes.len() - 1].to_vec()));
    for (name, b) in &bad {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        assert!(read_streets(&p).is_err(), "{name}");
        fails(
            onehour()
                .args(["import", "osm"])
                .arg(&p)
                .arg("--out")
                .arg(dir.path().join("out")),
            &[&p.display().to_string()],
        );
        assert!(!dir.path().join("out").exists());
    }
    // import gtfs --osm with a bad extract: nothing written.
    let p = dir.path().join("cut5.osm.pbf");
    fails(
        onehour()
            .args(["import", "gtfs"])
            .args(poa::feeds())
            .arg("--osm")
            .arg(&p)
            .arg("--out")
            .arg(dir.path().join("out")),
        &[&p.display().to_string(), "cut off"],
    );
    assert!(!dir.path().join("out").exists());
    fails(
        onehour()
            .args(["import", "osm", "no/such.osm.pbf", "--out"])
            .arg(dir.path().join("out")),
        &["no/such.osm.pbf: no such file"],
    );
    // Bytes flipped inside the blocks: an error or streets, never a panic.
    for k in 1..20 {
        let mut b = bytes.clone();
        let at = b.len() * k / 20;
        for x in &mut b[at..at + 16] {
            *x ^= 0x5a;
        }
        let p = dir.path().join(format!("flip{k}.osm.pbf"));
        std::fs::write(&p, &b).unwrap();
        let _ = read_streets(&p);
    }
}

#[test]
fn a_manifest_naming_bad_streets_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hel");
    assert!(onehour()
        .args(["import", "osm"])
        .arg(helsinki_pbf())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap()
        .status
        .success());
    let manifest = out.join("network.toml");
    let good = read_to_string(&manifest);
    let load = || load_network(&Source::Disk(out.clone()), "network.toml");
    for (osm, expect) in [
        ("missing.osm.pbf", "no such file"),
        ("../outside.osm.pbf", "climbs out of the network folder"),
        ("network.toml", "not an OpenStreetMap PBF file"),
    ] {
        std::fs::write(
            &manifest,
            good.replace("\"streets.osm.pbf\"", &format!("\"{osm}\"")),
        )
        .unwrap();
        let e = load().unwrap_err().to_string();
        assert!(
            e.contains(expect) && e.contains("network.toml"),
            "{osm}: {e}"
        );
        fails(
            onehour().args(["validate", "--network"]).arg(&out),
            &[expect],
        );
    }
    // A PBF that starts well but is cut off loads (its contents are read when used) and is
    // rejected when the streets are read.
    std::fs::write(&manifest, &good).unwrap();
    let b = std::fs::read(out.join("streets.osm.pbf")).unwrap();
    std::fs::write(out.join("streets.osm.pbf"), &b[..b.len() / 2]).unwrap();
    let (net, _) = load().unwrap();
    let e = Streets::from_network(&net)
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("streets.osm.pbf") && e.contains("[streets] osm"),
        "{e}"
    );
    fails(
        onehour().args(["validate", "--network"]).arg(&out),
        &["streets.osm.pbf", "cut off"],
    );
    // [streets] in a fragment is an error.
    std::fs::write(
        &manifest,
        good.replace(
            "[streets]\nosm = \"streets.osm.pbf\"\n",
            "include = [\"part.toml\"]\n",
        ),
    )
    .unwrap();
    std::fs::write(
        out.join("part.toml"),
        "[streets]\nosm = \"streets.osm.pbf\"\n",
    )
    .unwrap();
    let e = load().unwrap_err().to_string();
    assert!(e.contains("[streets]"), "{e}");
}
