//! Streets: a walking graph and a driving graph over one set of street nodes, with snapping of
//! arbitrary points onto the streets and bounded one-to-all searches.
//!
//! [`Streets`] is built from plain segments ([`StreetInput`]); `io::osm` reads them from an
//! OpenStreetMap `.osm.pbf` file (which ways count as walkable or drivable, and at what speed,
//! is documented there and in docs/network-format.md, "Streets").
//!
//! - **Nodes** ([`StreetNode`]) are the way nodes of kept ways, with lon/lat (WGS84), numbered
//!   0.. in the reader's order (OSM id order).
//! - **Walking graph**: undirected; each [`StreetEdge`] is one segment between two consecutive
//!   way nodes, weighted by its length in whole millimetres (haversine). Times are lengths
//!   divided by the walking speed that each query gives (m/s), so one graph serves every
//!   walking speed; searches return whole seconds, rounded once at the end.
//! - **Driving graph**: directed arcs weighted in whole milliseconds at each segment's speed
//!   (one-way streets have one arc); searches return whole seconds.
//! - Both are CSR arrays (`first[v]..first[v + 1]` index the arcs leaving `v`).
//!
//! **Snapping** ([`Streets::snap`]) finds the nearest point on a usable walking edge within a
//! maximum distance, through a uniform grid over the edges (each edge listed in every cell its
//! segment crosses; cells are searched in rings until the ring is farther than the best edge
//! found). Distances to a segment are measured in a local equirectangular projection centred on
//! the point (metres; exact enough below a few kilometres). Small pieces of the walking graph
//! not connected to the rest (fewer than [`StreetInput::min_piece_nodes`] nodes: a footway
//! drawn apart in a park, a fragment cut at the extract's edge) are not snapped to, so that a
//! stop does not land on an island that leads nowhere.
//!
//! **Walking between points** ([`Streets::walk_links`]) counts the snapped legs (point to its
//! street, walked in a straight line at the walking speed), the part of the snapped edge up to
//! its end nodes, and the walk along streets between them; two points on the same edge may also
//! walk directly along it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::network::ids::id_type;
use crate::network::model::haversine_m;

id_type!(
    /// A node of the street graphs (a way node of a kept OSM way), an index into the node
    /// arrays of [`Streets`].
    StreetNode, "street-node#"
);
id_type!(
    /// An undirected edge of the walking graph (one segment of a walkable way).
    StreetEdge, "street-edge#"
);
id_type!(
    /// A segment of the driving graph (one segment of a drivable way, in one or both
    /// directions).
    CarEdge, "car-edge#"
);

/// Metres per degree of latitude (and of longitude at the equator) on the mean Earth radius
/// that `haversine_m` uses.
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// A snapped point farther than this from its street, metres, is listed in the
/// [`SnapReport`] as a warning (it may sit in a park, a station hall, or a place the extract
/// does not cover well).
pub const SNAP_WARN_M: f64 = 100.0;

/// A segment of a drivable way, as a reader gives it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarSegment {
    /// First node (in the way's order).
    pub a: u32,
    /// Second node.
    pub b: u32,
    /// Speed from `a` to `b`, km/h; `None` when that direction is not allowed (one-way).
    pub forward_kmh: Option<f64>,
    /// Speed from `b` to `a`, km/h; `None` when that direction is not allowed.
    pub backward_kmh: Option<f64>,
}

/// The plain street data a [`Streets`] is built from: nodes and segments.
#[derive(Clone, Debug, Default)]
pub struct StreetInput {
    /// Node coordinates, (lon, lat) in WGS84 degrees; node `i` is `StreetNode(i)`.
    pub nodes: Vec<(f64, f64)>,
    /// Walkable segments between two nodes (undirected). Segments from a node to itself are
    /// dropped.
    pub walk: Vec<(u32, u32)>,
    /// Drivable segments.
    pub car: Vec<CarSegment>,
    /// Pieces (connected components) of the walking graph with fewer nodes than this are not
    /// snapped to; 0 or 1 snaps to every edge.
    pub min_piece_nodes: u32,
}

/// One arc of a street CSR graph: head node and weight (millimetres on the walking graph,
/// milliseconds on the driving graph).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Arc {
    head: u32,
    w: u32,
}

/// A compact CSR graph.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Graph {
    first: Vec<u32>,
    arcs: Vec<Arc>,
}

impl Graph {
    fn from_arcs(n: usize, list: &[(u32, u32, u32)]) -> Graph {
        let mut first = vec![0u32; n + 1];
        for &(t, _, _) in list {
            first[t as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut arcs = vec![Arc { head: 0, w: 0 }; list.len()];
        for &(t, h, w) in list {
            arcs[fill[t as usize] as usize] = Arc { head: h, w };
            fill[t as usize] += 1;
        }
        Graph { first, arcs }
    }

    #[inline]
    fn out(&self, v: u32) -> &[Arc] {
        &self.arcs[self.first[v as usize] as usize..self.first[v as usize + 1] as usize]
    }
}

/// A uniform grid over segments: `items[start[c]..start[c + 1]]` are the segments crossing
/// cell `c = y * nx + x`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Grid {
    lon0: f64,
    lat0: f64,
    dlon: f64,
    dlat: f64,
    nx: i64,
    ny: i64,
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Grid {
    /// A grid over the segments `segs` (node pairs) of `nodes`, keeping those `keep` says.
    fn build(nodes: &[(f64, f64)], segs: &[(u32, u32)], keep: impl Fn(usize) -> bool) -> Grid {
        let kept: Vec<usize> = (0..segs.len()).filter(|&i| keep(i)).collect();
        if kept.is_empty() {
            return Grid::default();
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &i in &kept {
            for v in [segs[i].0, segs[i].1] {
                let (x, y) = nodes[v as usize];
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        let mid = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
        let (w_m, h_m) = (
            ((x1 - x0) * M_PER_DEG * mid).max(1.0),
            ((y1 - y0) * M_PER_DEG).max(1.0),
        );
        // About two segments per cell, cells of 25 m at least, 4 million cells at most.
        let mut cell = (w_m * h_m / (2.0 * kept.len() as f64)).sqrt().max(25.0);
        while (w_m / cell + 1.0) * (h_m / cell + 1.0) > 4.0e6 {
            cell *= 1.5;
        }
        let dlat = cell / M_PER_DEG;
        let dlon = cell / (M_PER_DEG * mid);
        let nx = ((x1 - x0) / dlon).floor() as i64 + 1;
        let ny = ((y1 - y0) / dlat).floor() as i64 + 1;
        let mut g = Grid {
            lon0: x0,
            lat0: y0,
            dlon,
            dlat,
            nx,
            ny,
            start: vec![0; (nx * ny) as usize + 1],
            items: Vec::new(),
        };
        // Two passes over the cells each segment crosses: count, then fill.
        let mut start = std::mem::take(&mut g.start);
        for &i in &kept {
            g.cells_of(nodes, segs[i], |c| start[c] += 1);
        }
        let mut acc = 0u32;
        for s in start.iter_mut() {
            let c = *s;
            *s = acc;
            acc += c;
        }
        let mut items = vec![0; acc as usize];
        let mut fill = start.clone();
        for &i in &kept {
            g.cells_of(nodes, segs[i], |c| {
                items[fill[c] as usize] = i as u32;
                fill[c] += 1;
            });
        }
        g.start = start;
        g.items = items;
        g
    }

    fn cell_x(&self, lon: f64) -> i64 {
        ((lon - self.lon0) / self.dlon).floor() as i64
    }

    fn cell_y(&self, lat: f64) -> i64 {
        ((lat - self.lat0) / self.dlat).floor() as i64
    }

    /// Calls `f` with every cell the segment crosses (row by row: the part of the segment
    /// within each row's latitudes gives a range of columns).
    fn cells_of(&self, nodes: &[(f64, f64)], seg: (u32, u32), mut f: impl FnMut(usize)) {
        let (ax, ay) = nodes[seg.0 as usize];
        let (bx, by) = nodes[seg.1 as usize];
        let clamp_x = |x: i64| x.clamp(0, self.nx - 1);
        let clamp_y = |y: i64| y.clamp(0, self.ny - 1);
        let (ya, yb) = (clamp_y(self.cell_y(ay)), clamp_y(self.cell_y(by)));
        for row in ya.min(yb)..=ya.max(yb) {
            // The segment's longitudes within this row's latitude band.
            let (lo, hi) = (
                self.lat0 + row as f64 * self.dlat,
                self.lat0 + (row + 1) as f64 * self.dlat,
            );
            let (mut xmin, mut xmax) = (ax.min(bx), ax.max(bx));
            if ay != by && ya != yb {
                let at = |lat: f64| ax + (bx - ax) * ((lat - ay) / (by - ay)).clamp(0.0, 1.0);
                let (p, q) = (at(lo), at(hi));
                xmin = p.min(q);
                xmax = p.max(q);
            }
            let (c0, c1) = (clamp_x(self.cell_x(xmin)), clamp_x(self.cell_x(xmax)));
            for x in c0..=c1 {
                f((row * self.nx + x) as usize);
            }
        }
    }
}

/// The distance in metres from point `p` to the segment `a`–`b` (all (lon, lat) degrees), and
/// the fraction `t` in [0, 1] along the segment of the nearest point, measured in a local
/// equirectangular projection centred on `p`. The snapping index and its brute-force check
/// both use this function.
pub fn point_segment_m(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let kx = M_PER_DEG * p.1.to_radians().cos();
    let (ax, ay) = ((a.0 - p.0) * kx, (a.1 - p.1) * M_PER_DEG);
    let (bx, by) = ((b.0 - p.0) * kx, (b.1 - p.1) * M_PER_DEG);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx, ay + t * dy);
    ((qx * qx + qy * qy).sqrt(), t)
}

/// Which graph a snap belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreetMode {
    /// The walking graph.
    Walk,
    /// The driving graph.
    Car,
}

/// A point snapped onto a street: the nearest point of an edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    mode: StreetMode,
    edge: u32,
    t: f64,
    lon: f64,
    lat: f64,
    dist_m: f64,
    /// Millimetres from the snapped point to the edge's first and second node.
    to_a_mm: u32,
    to_b_mm: u32,
}

impl Snap {
    /// The graph snapped to.
    pub fn mode(&self) -> StreetMode {
        self.mode
    }
    /// The edge snapped to: a [`StreetEdge`] (walking) or a [`CarEdge`] (driving) index.
    pub fn edge_index(&self) -> u32 {
        self.edge
    }
    /// Fraction along the edge from its first node, in [0, 1].
    pub fn fraction(&self) -> f64 {
        self.t
    }
    /// The snapped point on the street, (lon, lat).
    pub fn point(&self) -> (f64, f64) {
        (self.lon, self.lat)
    }
    /// Metres from the original point to the street.
    pub fn distance_m(&self) -> f64 {
        self.dist_m
    }
    /// The snapped leg in whole millimetres (rounded).
    fn leg_mm(&self) -> u32 {
        mm(self.dist_m)
    }
}

/// Metres to whole millimetres, saturating.
fn mm(m: f64) -> u32 {
    (m * 1000.0).round().clamp(0.0, (u32::MAX - 1) as f64) as u32
}

/// The distance of a node no search has reached.
const FAR: u32 = u32::MAX;

/// Per-thread state of street searches: distances, the nodes touched (reset between searches
/// without clearing the whole array), the heap, and per-target bests for [`Streets::walk_links`].
/// Make one per thread with [`Streets::workspace`] and reuse it: a search allocates nothing once
/// the vectors have grown.
#[derive(Clone, Debug)]
pub struct StreetWorkspace {
    dist: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<u64>>,
    /// Units per second of the last search (walking: millimetres per second; driving: 1000).
    per_s: f64,
    best: Vec<u32>,
    best_touched: Vec<u32>,
}

impl StreetWorkspace {
    /// Seconds from the last search's source to `v`, if reached within its bound.
    pub fn seconds(&self, v: StreetNode) -> Option<u32> {
        let d = *self.dist.get(v.idx())?;
        (d != FAR).then(|| (d as f64 / self.per_s).round() as u32)
    }

    /// The last search's distance to `v` in its graph's units (millimetres walking,
    /// milliseconds driving), if reached.
    pub fn units(&self, v: StreetNode) -> Option<u32> {
        let d = *self.dist.get(v.idx())?;
        (d != FAR).then_some(d)
    }

    /// The nodes the last search reached, in no particular order.
    pub fn reached(&self) -> impl Iterator<Item = StreetNode> + '_ {
        self.touched.iter().map(|&v| StreetNode(v))
    }

    fn reset(&mut self, n: usize) {
        if self.dist.len() != n {
            self.dist = vec![FAR; n];
        } else {
            for &v in &self.touched {
                self.dist[v as usize] = FAR;
            }
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// Dijkstra over `g` from `sources` (node, initial distance), never past `bound`.
    fn run(&mut self, g: &Graph, sources: &[(u32, u32)], bound: u32) {
        self.run_until(g, sources, bound, |_, _| false);
    }

    /// [`StreetWorkspace::run`] that calls `stop(node, distance)` as each node is settled
    /// (its distance final), before its edges are relaxed, and ends the search when it
    /// returns true: nodes not yet settled then keep distances that are only upper bounds.
    #[inline(always)]
    fn run_until(
        &mut self,
        g: &Graph,
        sources: &[(u32, u32)],
        bound: u32,
        mut stop: impl FnMut(u32, u32) -> bool,
    ) {
        self.reset(g.first.len() - 1);
        for &(v, d) in sources {
            if d <= bound && d < self.dist[v as usize] {
                if self.dist[v as usize] == FAR {
                    self.touched.push(v);
                }
                self.dist[v as usize] = d;
                self.heap.push(Reverse(((d as u64) << 32) | v as u64));
            }
        }
        while let Some(Reverse(key)) = self.heap.pop() {
            let (d, v) = ((key >> 32) as u32, key as u32);
            if d > self.dist[v as usize] {
                continue;
            }
            if stop(v, d) {
                break;
            }
            for a in g.out(v) {
                let nd = d.saturating_add(a.w);
                let h = a.head as usize;
                if nd <= bound && nd < self.dist[h] {
                    if self.dist[h] == FAR {
                        self.touched.push(a.head);
                    }
                    self.dist[h] = nd;
                    self.heap.push(Reverse(((nd as u64) << 32) | a.head as u64));
                }
            }
        }
    }
}

/// Walking and driving street graphs with their snapping indices. Immutable and `Sync`: one
/// copy serves every thread, each with its own [`StreetWorkspace`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Streets {
    nodes: Vec<(f64, f64)>,
    walk_edges: Vec<(u32, u32)>,
    walk_len_mm: Vec<u32>,
    /// Whether a walking edge may be snapped to (its piece is large enough).
    walk_snappable: Vec<bool>,
    walk: Graph,
    walk_grid: Grid,
    car_edges: Vec<CarSegment>,
    car_pairs: Vec<(u32, u32)>,
    car_len_mm: Vec<u32>,
    /// Milliseconds each way along each car edge (`FAR`: not allowed).
    car_ms: Vec<(u32, u32)>,
    car: Graph,
    car_grid: Grid,
}

/// Milliseconds to drive `len_mm` at `kmh` (a speed at or below 0 or not finite: not allowed).
fn drive_ms(len_mm: u32, kmh: Option<f64>) -> u32 {
    match kmh {
        Some(v) if v.is_finite() && v > 0.0 => {
            // mm / (km/h) = mm / (v / 3.6 m/s) = mm * 3.6 / v ms.
            (len_mm as f64 * 3.6 / v)
                .round()
                .clamp(0.0, (u32::MAX - 1) as f64) as u32
        }
        _ => FAR,
    }
}

impl Streets {
    /// Builds the graphs and indices from plain segments. Segments naming a node that does not
    /// exist, or with non-finite coordinates, are dropped, so any input builds.
    pub fn build(input: StreetInput) -> Streets {
        let n = input.nodes.len();
        let ok_node = |v: u32| {
            (v as usize) < n && {
                let (x, y) = input.nodes[v as usize];
                x.is_finite() && y.is_finite() && (-180.0..=180.0).contains(&x) && y.abs() <= 90.0
            }
        };
        let len = |a: u32, b: u32| {
            let (p, q) = (input.nodes[a as usize], input.nodes[b as usize]);
            mm(haversine_m(p.0, p.1, q.0, q.1))
        };
        let walk_edges: Vec<(u32, u32)> = input
            .walk
            .iter()
            .copied()
            .filter(|&(a, b)| a != b && ok_node(a) && ok_node(b))
            .collect();
        let walk_len_mm: Vec<u32> = walk_edges.iter().map(|&(a, b)| len(a, b)).collect();
        let mut arcs = Vec::with_capacity(walk_edges.len() * 2);
        for (&(a, b), &w) in walk_edges.iter().zip(&walk_len_mm) {
            arcs.push((a, b, w));
            arcs.push((b, a, w));
        }
        let walk = Graph::from_arcs(n, &arcs);
        // Pieces of the walking graph: union-find over the edges.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn find(p: &mut [u32], mut v: u32) -> u32 {
            while p[v as usize] != v {
                p[v as usize] = p[p[v as usize] as usize];
                v = p[v as usize];
            }
            v
        }
        for &(a, b) in &walk_edges {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb) as usize] = ra.min(rb);
            }
        }
        let mut size = vec![0u32; n];
        for v in 0..n as u32 {
            let r = find(&mut parent, v);
            size[r as usize] += 1;
        }
        let walk_snappable: Vec<bool> = walk_edges
            .iter()
            .map(|&(a, _)| size[find(&mut parent, a) as usize] >= input.min_piece_nodes)
            .collect();
        let walk_grid = Grid::build(&input.nodes, &walk_edges, |i| walk_snappable[i]);

        let car_edges: Vec<CarSegment> = input
            .car
            .iter()
            .copied()
            .filter(|s| s.a != s.b && ok_node(s.a) && ok_node(s.b))
            .filter(|s| drive_ms(1, s.forward_kmh) != FAR || drive_ms(1, s.backward_kmh) != FAR)
            .collect();
        let car_len_mm: Vec<u32> = car_edges.iter().map(|s| len(s.a, s.b)).collect();
        let car_ms: Vec<(u32, u32)> = car_edges
            .iter()
            .zip(&car_len_mm)
            .map(|(s, &l)| (drive_ms(l, s.forward_kmh), drive_ms(l, s.backward_kmh)))
            .collect();
        let mut arcs = Vec::with_capacity(car_edges.len() * 2);
        for (s, &(f, b)) in car_edges.iter().zip(&car_ms) {
            if f != FAR {
                arcs.push((s.a, s.b, f));
            }
            if b != FAR {
                arcs.push((s.b, s.a, b));
            }
        }
        let car = Graph::from_arcs(n, &arcs);
        let car_pairs: Vec<(u32, u32)> = car_edges.iter().map(|s| (s.a, s.b)).collect();
        let car_grid = Grid::build(&input.nodes, &car_pairs, |_| true);
        Streets {
            nodes: input.nodes,
            walk_edges,
            walk_len_mm,
            walk_snappable,
            walk,
            walk_grid,
            car_edges,
            car_pairs,
            car_len_mm,
            car_ms,
            car,
            car_grid,
        }
    }

    /// Number of street nodes.
    pub fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Number of walking edges (undirected segments).
    pub fn num_walk_edges(&self) -> usize {
        self.walk_edges.len()
    }

    /// Number of driving arcs (a two-way segment counts twice).
    pub fn num_car_arcs(&self) -> usize {
        self.car.arcs.len()
    }

    /// Number of driving segments.
    pub fn num_car_edges(&self) -> usize {
        self.car_edges.len()
    }

    /// Total length of the walking edges, km.
    pub fn walk_km(&self) -> f64 {
        self.walk_len_mm.iter().map(|&l| l as f64).sum::<f64>() / 1e6
    }

    /// Total length of the driving segments, km.
    pub fn car_km(&self) -> f64 {
        self.car_len_mm.iter().map(|&l| l as f64).sum::<f64>() / 1e6
    }

    /// A node's (lon, lat).
    pub fn node(&self, v: StreetNode) -> (f64, f64) {
        self.nodes[v.idx()]
    }

    /// A walking edge: its two nodes and its length in millimetres.
    pub fn walk_edge(&self, e: StreetEdge) -> (StreetNode, StreetNode, u32) {
        let (a, b) = self.walk_edges[e.idx()];
        (StreetNode(a), StreetNode(b), self.walk_len_mm[e.idx()])
    }

    /// Whether snapping may land on walking edge `e` (its piece of the graph is large enough).
    pub fn walk_edge_snappable(&self, e: StreetEdge) -> bool {
        self.walk_snappable[e.idx()]
    }

    /// A driving segment: its two nodes and the milliseconds to drive it forward (from the
    /// first node) and backward, `None` where that direction is not allowed.
    pub fn car_edge(&self, e: CarEdge) -> (StreetNode, StreetNode, Option<u32>, Option<u32>) {
        let s = &self.car_edges[e.idx()];
        let (f, b) = self.car_ms[e.idx()];
        (
            StreetNode(s.a),
            StreetNode(s.b),
            (f != FAR).then_some(f),
            (b != FAR).then_some(b),
        )
    }

    /// The (lon, lat) extent of the nodes: lon_min, lat_min, lon_max, lat_max (`None` without
    /// nodes).
    pub fn bbox(&self) -> Option<[f64; 4]> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &(x, y) in &self.nodes {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        Some(b)
    }

    /// Fraction of the walking graph's nodes (those with an edge) in its largest piece.
    pub fn walk_largest_piece_share(&self) -> f64 {
        let n = self.nodes.len();
        let mut seen = vec![false; n];
        let (mut best, mut total) = (0usize, 0usize);
        let mut stack = Vec::new();
        for s in 0..n as u32 {
            if seen[s as usize] || self.walk.out(s).is_empty() {
                continue;
            }
            let mut k = 0;
            seen[s as usize] = true;
            stack.push(s);
            while let Some(v) = stack.pop() {
                k += 1;
                for a in self.walk.out(v) {
                    if !seen[a.head as usize] {
                        seen[a.head as usize] = true;
                        stack.push(a.head);
                    }
                }
            }
            best = best.max(k);
            total += k;
        }
        if total == 0 {
            0.0
        } else {
            best as f64 / total as f64
        }
    }

    /// The piece of the walking graph each node belongs to (nodes without a walking edge get
    /// a piece of their own): two points on different pieces cannot walk to each other.
    pub fn walk_pieces(&self) -> Vec<u32> {
        let n = self.nodes.len();
        let mut piece = vec![u32::MAX; n];
        let mut stack = Vec::new();
        for s in 0..n as u32 {
            if piece[s as usize] != u32::MAX {
                continue;
            }
            piece[s as usize] = s;
            stack.push(s);
            while let Some(v) = stack.pop() {
                for a in self.walk.out(v) {
                    if piece[a.head as usize] == u32::MAX {
                        piece[a.head as usize] = s;
                        stack.push(a.head);
                    }
                }
            }
        }
        piece
    }

    /// A fresh workspace for searches on these streets.
    pub fn workspace(&self) -> StreetWorkspace {
        StreetWorkspace {
            dist: vec![FAR; self.nodes.len()],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            per_s: 1000.0,
            best: Vec::new(),
            best_touched: Vec::new(),
        }
    }

    /// The nearest point of a usable walking street to (lon, lat) within `max_m` metres, or
    /// `None`. Ties go to the lower edge index.
    pub fn snap(&self, lon: f64, lat: f64, max_m: f64) -> Option<Snap> {
        self.snap_in(StreetMode::Walk, lon, lat, max_m)
    }

    /// The nearest point of a drivable street to (lon, lat) within `max_m` metres, or `None`.
    pub fn snap_car(&self, lon: f64, lat: f64, max_m: f64) -> Option<Snap> {
        self.snap_in(StreetMode::Car, lon, lat, max_m)
    }

    fn snap_in(&self, mode: StreetMode, lon: f64, lat: f64, max_m: f64) -> Option<Snap> {
        if !(lon.is_finite() && lat.is_finite() && lat.abs() < 89.0 && max_m >= 0.0) {
            return None;
        }
        let (grid, seg) = match mode {
            StreetMode::Walk => (&self.walk_grid, &self.walk_edges),
            StreetMode::Car => (&self.car_grid, &self.car_pairs),
        };
        self.snap_grid(mode, grid, seg, lon, lat, max_m)
    }

    fn snap_grid(
        &self,
        mode: StreetMode,
        grid: &Grid,
        segs: &[(u32, u32)],
        lon: f64,
        lat: f64,
        max_m: f64,
    ) -> Option<Snap> {
        if grid.start.is_empty() {
            return None;
        }
        let kx = M_PER_DEG * lat.to_radians().cos();
        let cell_m = (grid.dlon * kx).min(grid.dlat * M_PER_DEG);
        let (cx, cy) = (grid.cell_x(lon), grid.cell_y(lat));
        // Rings beyond this cover no cell of the grid.
        let kmax = [cx, grid.nx - 1 - cx, cy, grid.ny - 1 - cy]
            .into_iter()
            .map(i64::abs)
            .max()
            .unwrap_or(0)
            + 1;
        // Rings nearer than this hold no cell of the grid (the point lies outside it).
        let kmin = [-cx, cx - (grid.nx - 1), -cy, cy - (grid.ny - 1), 0]
            .into_iter()
            .max()
            .unwrap_or(0);
        let mut best: Option<(f64, u32, f64)> = None; // (metres, edge, t)
        let mut k: i64 = kmin;
        loop {
            let limit = best.map_or(max_m, |b| b.0.min(max_m));
            if (k > 0 && (k - 1) as f64 * cell_m > limit) || k > kmax {
                break;
            }
            let mut visit = |c: usize| {
                for &e in &grid.items[grid.start[c] as usize..grid.start[c + 1] as usize] {
                    let (a, b) = segs[e as usize];
                    let (d, t) =
                        point_segment_m((lon, lat), self.nodes[a as usize], self.nodes[b as usize]);
                    let better = match best {
                        None => d <= max_m,
                        Some((bd, be, _)) => d < bd || (d == bd && e < be),
                    };
                    if better {
                        best = Some((d, e, t));
                    }
                }
            };
            // The ring's cells inside the grid only: its rows at cy - k and cy + k, then its
            // columns at cx - k and cx + k between them.
            let (x0, x1) = ((cx - k).max(0), (cx + k).min(grid.nx - 1));
            let rows: &[i64] = if k == 0 { &[cy] } else { &[cy - k, cy + k] };
            for &y in rows {
                if (0..grid.ny).contains(&y) {
                    for x in x0..=x1 {
                        visit((y * grid.nx + x) as usize);
                    }
                }
            }
            if k > 0 {
                let (y0, y1) = ((cy - k + 1).max(0), (cy + k - 1).min(grid.ny - 1));
                for x in [cx - k, cx + k] {
                    if (0..grid.nx).contains(&x) {
                        for y in y0..=y1 {
                            visit((y * grid.nx + x) as usize);
                        }
                    }
                }
            }
            k += 1;
        }
        let (d, e, t) = best?;
        let (a, b) = segs[e as usize];
        let (pa, pb) = (self.nodes[a as usize], self.nodes[b as usize]);
        let len = match mode {
            StreetMode::Walk => self.walk_len_mm[e as usize],
            StreetMode::Car => self.car_len_mm[e as usize],
        };
        let to_a = ((len as f64) * t).round() as u32;
        Some(Snap {
            mode,
            edge: e,
            t,
            lon: pa.0 + (pb.0 - pa.0) * t,
            lat: pa.1 + (pb.1 - pa.1) * t,
            dist_m: d,
            to_a_mm: to_a.min(len),
            to_b_mm: len - to_a.min(len),
        })
    }

    /// Walking search from a node: afterwards `ws.seconds(v)` is the time to every node reached
    /// within `max_s` seconds at `speed_m_s`.
    pub fn walk_from_node(
        &self,
        v: StreetNode,
        speed_m_s: f64,
        max_s: u32,
        ws: &mut StreetWorkspace,
    ) {
        let per_s = speed_m_s * 1000.0;
        ws.per_s = per_s;
        ws.run(&self.walk, &[(v.0, 0)], bound_units(max_s, per_s));
    }

    /// Walking search from a snapped point (the snapped leg and the part of its edge to each
    /// end node included): afterwards `ws.seconds(v)` is the time to every node reached within
    /// `max_s` seconds at `speed_m_s`. A snap onto the driving graph starts nowhere.
    pub fn walk_from(&self, s: &Snap, speed_m_s: f64, max_s: u32, ws: &mut StreetWorkspace) {
        let per_s = speed_m_s * 1000.0;
        ws.per_s = per_s;
        if s.mode != StreetMode::Walk {
            ws.run(&self.walk, &[], 0);
            return;
        }
        let (a, b) = self.walk_edges[s.edge as usize];
        let leg = s.leg_mm();
        ws.run(
            &self.walk,
            &[
                (a, leg.saturating_add(s.to_a_mm)),
                (b, leg.saturating_add(s.to_b_mm)),
            ],
            bound_units(max_s, per_s),
        );
    }

    /// Seconds walking along streets from snap `a` to snap `b` at `speed_m_s`, both snapped
    /// legs included, if at most `max_s` (two snaps on one edge may walk directly along it).
    pub fn walk_between(
        &self,
        a: &Snap,
        b: &Snap,
        speed_m_s: f64,
        max_s: u32,
        ws: &mut StreetWorkspace,
    ) -> Option<u32> {
        if a.mode != StreetMode::Walk || b.mode != StreetMode::Walk {
            return None;
        }
        let per_s = speed_m_s * 1000.0;
        if !(per_s.is_finite() && per_s > 0.0) {
            return None;
        }
        self.walk_from(a, speed_m_s, max_s, ws);
        let bound = bound_units(max_s, per_s);
        let (na, nb) = self.walk_edges[b.edge as usize];
        let leg = b.leg_mm();
        let via = |v: u32, off: u32| {
            let d = ws.dist[v as usize];
            (d != FAR).then(|| d.saturating_add(off).saturating_add(leg))
        };
        let mut best = [via(na, b.to_a_mm), via(nb, b.to_b_mm)]
            .into_iter()
            .flatten()
            .min();
        if a.edge == b.edge {
            let direct = a
                .leg_mm()
                .saturating_add(a.to_a_mm.abs_diff(b.to_a_mm))
                .saturating_add(leg);
            best = Some(best.map_or(direct, |x| x.min(direct)));
        }
        best.filter(|&d| d <= bound)
            .map(|d| (d as f64 / per_s).round() as u32)
    }

    /// Seconds walking along streets for each pair `(i, j)` of `snaps`, both snapped legs
    /// included, where at most `max_s` (`None` beyond it, or where `i` or `j` did not snap):
    /// for each pair the time [`Streets::walk_between`] gives with that bound. One search per
    /// first point, in parallel, each ending as soon as every second point of its pairs has
    /// its final time (the settled distance passed the largest of their times), instead of
    /// exploring the whole bound: pairs of nearby stops are found within a few hundred metres.
    pub fn pair_walks(
        &self,
        snaps: &[Option<Snap>],
        pairs: &[(usize, usize)],
        speed_m_s: f64,
        max_s: u32,
    ) -> Vec<Option<u32>> {
        let per_s = speed_m_s * 1000.0;
        if !(per_s.is_finite() && per_s > 0.0) {
            return vec![None; pairs.len()];
        }
        let bound = bound_units(max_s, per_s);
        let walk_snap = |i: usize| snaps[i].filter(|s| s.mode == StreetMode::Walk);
        let targets = Targets::new(
            self,
            &snaps
                .iter()
                .map(|&i| i.filter(|s| s.mode == StreetMode::Walk))
                .collect::<Vec<_>>(),
        );
        // The pairs grouped by their first point: (first, [(second, pair index)]).
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_unstable_by_key(|&k| pairs[k]);
        let mut groups: Vec<(usize, Vec<(u32, usize)>)> = Vec::new();
        for k in order {
            let (i, j) = pairs[k];
            if walk_snap(i).is_none() || walk_snap(j).is_none() {
                continue;
            }
            match groups.last_mut() {
                Some((g, list)) if *g == i => list.push((j as u32, k)),
                _ => groups.push((i, vec![(j as u32, k)])),
            }
        }
        let found: Vec<Vec<(usize, u32)>> = groups
            .par_iter()
            .map_init(
                || (self.workspace(), Vec::<u32>::new()),
                |(ws, cand), (i, list)| {
                    let s = walk_snap(*i).expect("grouped pairs snapped");
                    self.walk_until_found(&s, list, &targets, bound, per_s, ws, cand)
                },
            )
            .collect();
        let mut out = vec![None; pairs.len()];
        for (k, secs) in found.into_iter().flatten() {
            out[k] = Some(secs);
        }
        out
    }

    /// One search of [`Streets::pair_walks`]: from snap `s` to the targets `list` (target,
    /// pair index), giving (pair index, seconds) for those within `bound` units.
    #[allow(clippy::too_many_arguments)]
    fn walk_until_found(
        &self,
        s: &Snap,
        list: &[(u32, usize)],
        targets: &Targets,
        bound: u32,
        per_s: f64,
        ws: &mut StreetWorkspace,
        cand: &mut Vec<u32>,
    ) -> Vec<(usize, u32)> {
        // cand[t]: the best time to needed target t through a settled node so far (FAR: none
        // yet; NOT_NEEDED: not a target of this search).
        const NOT_NEEDED: u32 = FAR - 1;
        if cand.len() != targets.n {
            cand.clear();
            cand.resize(targets.n, NOT_NEEDED);
        }
        for &(t, _) in list {
            cand[t as usize] = FAR;
        }
        let (mut open, mut top) = (list.len(), 0u32);
        let (a, b) = self.walk_edges[s.edge as usize];
        let leg = s.leg_mm();
        ws.per_s = per_s;
        let sources = [
            (a, leg.saturating_add(s.to_a_mm)),
            (b, leg.saturating_add(s.to_b_mm)),
        ];
        ws.run_until(&self.walk, &sources, bound, |v, d| {
            // Every needed target has a time, and nodes settled from here on are at least as
            // far as the largest: no time can improve.
            if open == 0 && d >= top {
                return true;
            }
            let (i, j) = (targets.first[v as usize], targets.first[v as usize + 1]);
            for &(t, off) in &targets.items[i as usize..j as usize] {
                let c = &mut cand[t as usize];
                if *c == NOT_NEEDED {
                    continue;
                }
                let x = d.saturating_add(off);
                if x >= NOT_NEEDED {
                    // Saturated: never a final time here (the search goes on to its bound).
                    continue;
                }
                if *c == FAR {
                    open -= 1;
                    top = top.max(x);
                    *c = x;
                } else if x < *c {
                    *c = x;
                }
            }
            false
        });
        for &(t, _) in list {
            cand[t as usize] = NOT_NEEDED;
        }
        let times = targets.collect(s, bound, per_s, ws);
        list.iter()
            .filter_map(|&(t, k)| {
                let at = times.binary_search_by_key(&t, |x| x.0).ok()?;
                Some((k, times[at].1))
            })
            .collect()
    }

    /// Driving search from a node: afterwards `ws.seconds(v)` is the time to every node reached
    /// within `max_s` seconds, following one-way streets.
    pub fn drive_from_node(&self, v: StreetNode, max_s: u32, ws: &mut StreetWorkspace) {
        ws.per_s = 1000.0;
        ws.run(&self.car, &[(v.0, 0)], bound_units(max_s, 1000.0));
    }

    /// Driving search from a point snapped with [`Streets::snap_car`]: drives from the snapped
    /// point to the end nodes of its segment in the directions allowed (the snapped leg itself
    /// is not counted: add the walk or park time to it). A snap onto the walking graph starts
    /// nowhere.
    pub fn drive_from(&self, s: &Snap, max_s: u32, ws: &mut StreetWorkspace) {
        ws.per_s = 1000.0;
        if s.mode != StreetMode::Car {
            ws.run(&self.car, &[], 0);
            return;
        }
        let e = s.edge as usize;
        let seg = self.car_edges[e];
        let (f, b) = self.car_ms[e];
        let mut src = Vec::with_capacity(2);
        // Forward reaches b after the rest of the edge; backward reaches a after the part
        // before the point.
        if f != FAR {
            src.push((seg.b, ((f as f64) * (1.0 - s.t)).round() as u32));
        }
        if b != FAR {
            src.push((seg.a, ((b as f64) * s.t).round() as u32));
        }
        ws.run(&self.car, &src, bound_units(max_s, 1000.0));
    }

    /// Walking times along streets between points: from every origin to every stop
    /// (`access`), from every stop to every destination (`egress`) and from every origin to
    /// every destination (`direct`), each at most `max_s` seconds at `speed_m_s`, the snapped
    /// legs included. Points are (lon, lat); each snaps to the nearest usable walking street
    /// within `snap_max_m`; a point that does not snap has no entries, and the report lists it.
    /// Searches run in parallel: one per origin, and one per destination not at an origin's
    /// coordinates (walking is symmetric, so the per-stop egress lists are the destinations'
    /// searches turned round).
    pub fn walk_links(
        &self,
        origins: &[(f64, f64)],
        dests: &[(f64, f64)],
        stops: &[(f64, f64)],
        speed_m_s: f64,
        max_s: u32,
        snap_max_m: f64,
    ) -> (WalkLinks, SnapReport) {
        let snap_all = |pts: &[(f64, f64)]| -> Vec<Option<Snap>> {
            pts.par_iter()
                .map(|&(x, y)| self.snap(x, y, snap_max_m))
                .collect()
        };
        let (so, sd, ss) = (snap_all(origins), snap_all(dests), snap_all(stops));
        let report = self.snap_report(
            &[
                (PointKind::Origin, origins, &so),
                (PointKind::Destination, dests, &sd),
                (PointKind::Stop, stops, &ss),
            ],
            snap_max_m,
        );
        if !(speed_m_s.is_finite() && speed_m_s > 0.0) {
            let empty = |k: usize| vec![Vec::new(); k];
            return (
                WalkLinks {
                    access: empty(origins.len()),
                    egress: empty(stops.len()),
                    direct: empty(origins.len()),
                },
                report,
            );
        }
        let (td, ts) = (Targets::new(self, &sd), Targets::new(self, &ss));
        let per_s = speed_m_s * 1000.0;
        let bound = bound_units(max_s, per_s);
        let both: Vec<(Times, Times)> = so
            .par_iter()
            .map_init(
                || self.workspace(),
                |ws, s| match s {
                    Some(s) => {
                        self.walk_from(s, speed_m_s, max_s, ws);
                        (
                            ts.collect(s, bound, per_s, ws),
                            td.collect(s, bound, per_s, ws),
                        )
                    }
                    None => (Vec::new(), Vec::new()),
                },
            )
            .collect();
        let (access, direct): (Vec<Times>, Vec<Times>) = both.into_iter().unzip();
        // Egress: walking is symmetric (every edge both ways at one length, snapped legs the
        // same either way), so a stop's walk to a destination is the destination's walk to the
        // stop. One search per destination (not per stop: stops far from every destination
        // cost nothing), reusing an origin's search where a destination lies at its very
        // coordinates; the lists are then turned round per stop.
        let mut origin_at: HashMap<(u64, u64), usize> = HashMap::new();
        for (i, p) in origins.iter().enumerate() {
            origin_at.entry((p.0.to_bits(), p.1.to_bits())).or_insert(i);
        }
        let from_dest: Vec<Option<Times>> = dests
            .par_iter()
            .zip(&sd)
            .map_init(
                || self.workspace(),
                |ws, (p, s)| {
                    if origin_at.contains_key(&(p.0.to_bits(), p.1.to_bits())) {
                        return None;
                    }
                    Some(match s {
                        Some(s) => {
                            self.walk_from(s, speed_m_s, max_s, ws);
                            ts.collect(s, bound, per_s, ws)
                        }
                        None => Vec::new(),
                    })
                },
            )
            .collect();
        let mut egress: Vec<Vec<(u32, u32)>> = vec![Vec::new(); stops.len()];
        for (j, (p, own)) in dests.iter().zip(&from_dest).enumerate() {
            let list = match own {
                Some(v) => v,
                None => &access[origin_at[&(p.0.to_bits(), p.1.to_bits())]],
            };
            for &(stop, secs) in list {
                egress[stop as usize].push((j as u32, secs));
            }
        }
        (
            WalkLinks {
                access,
                egress,
                direct,
            },
            report,
        )
    }

    /// The snap report for sets of points and their snaps.
    fn snap_report(&self, sets: &[SnapSet<'_>], max_m: f64) -> SnapReport {
        let mut r = SnapReport {
            max_m,
            warn_m: SNAP_WARN_M,
            ..SnapReport::default()
        };
        for &(kind, pts, snaps) in sets {
            for (i, s) in snaps.iter().enumerate() {
                r.points += 1;
                match s {
                    Some(s) => {
                        r.snapped += 1;
                        if s.dist_m > SNAP_WARN_M {
                            r.far.push(SnapIssue {
                                kind,
                                index: i as u32,
                                distance_m: Some(s.dist_m),
                            });
                        }
                    }
                    None => {
                        let (x, y) = pts[i];
                        // How far the street is, if within ten times the limit.
                        let near = self.snap(x, y, (max_m * 10.0).max(1000.0));
                        r.failed.push(SnapIssue {
                            kind,
                            index: i as u32,
                            distance_m: near.map(|s| s.dist_m),
                        });
                    }
                }
            }
        }
        let key = |x: &SnapIssue| Reverse(ordered(x.distance_m.unwrap_or(f64::INFINITY)));
        r.far.sort_by_key(key);
        r.failed.sort_by_key(key);
        r
    }

    /// Snaps `points` (in parallel) and reports those that fail or snap far, as `kind`.
    pub fn snap_points(
        &self,
        kind: PointKind,
        points: &[(f64, f64)],
        max_m: f64,
    ) -> (Vec<Option<Snap>>, SnapReport) {
        let s: Vec<Option<Snap>> = points
            .par_iter()
            .map(|&(x, y)| self.snap(x, y, max_m))
            .collect();
        let r = self.snap_report(&[(kind, points, &s)], max_m);
        (s, r)
    }
}

/// (index, seconds) pairs, sorted by index.
type Times = Vec<(u32, u32)>;

/// A set of points with their snaps, for a report.
type SnapSet<'a> = (PointKind, &'a [(f64, f64)], &'a [Option<Snap>]);

/// A total order key for finite or infinite floats (NaN last).
fn ordered(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// A time bound in seconds as graph units at `per_s` units per second.
fn bound_units(max_s: u32, per_s: f64) -> u32 {
    let b = (max_s as f64 * per_s).floor();
    if b.is_finite() && b >= 0.0 {
        b.min((u32::MAX - 1) as f64) as u32
    } else {
        0
    }
}

/// Snapped targets attached to the end nodes of their edges: `items[first[v]..first[v + 1]]`
/// are (target, millimetres from node `v` to the target, its snapped leg included); `on_edge`
/// lists (edge, target, millimetres from the edge's first node, leg) sorted by edge, for two
/// points on one edge.
struct Targets {
    n: usize,
    first: Vec<u32>,
    items: Vec<(u32, u32)>,
    on_edge: Vec<(u32, u32, u32, u32)>,
}

impl Targets {
    fn new(st: &Streets, snaps: &[Option<Snap>]) -> Targets {
        let n = st.nodes.len();
        let mut list: Vec<(u32, u32, u32)> = Vec::new();
        let mut on_edge = Vec::new();
        for (i, s) in snaps.iter().enumerate() {
            if let Some(s) = s {
                let (a, b) = st.walk_edges[s.edge as usize];
                let leg = s.leg_mm();
                list.push((a, i as u32, leg.saturating_add(s.to_a_mm)));
                list.push((b, i as u32, leg.saturating_add(s.to_b_mm)));
                on_edge.push((s.edge, i as u32, s.to_a_mm, leg));
            }
        }
        on_edge.sort_unstable();
        let mut first = vec![0u32; n + 1];
        for &(v, _, _) in &list {
            first[v as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut items = vec![(0, 0); list.len()];
        for &(v, t, d) in &list {
            items[fill[v as usize] as usize] = (t, d);
            fill[v as usize] += 1;
        }
        Targets {
            n: snaps.len(),
            first,
            items,
            on_edge,
        }
    }

    /// After a walking search from snap `s` (in `ws`), every target within `bound` units, as
    /// (target, seconds) sorted by target.
    fn collect(
        &self,
        s: &Snap,
        bound: u32,
        per_s: f64,
        ws: &mut StreetWorkspace,
    ) -> Vec<(u32, u32)> {
        if ws.best.len() != self.n {
            ws.best = vec![FAR; self.n];
        }
        ws.best_touched.clear();
        let StreetWorkspace {
            dist,
            touched,
            best,
            best_touched,
            ..
        } = ws;
        let mut offer = |t: u32, d: u32| {
            if d <= bound && d < best[t as usize] {
                if best[t as usize] == FAR {
                    best_touched.push(t);
                }
                best[t as usize] = d;
            }
        };
        for &v in touched.iter() {
            let d = dist[v as usize];
            let (i, j) = (self.first[v as usize], self.first[v as usize + 1]);
            for &(t, off) in &self.items[i as usize..j as usize] {
                offer(t, d.saturating_add(off));
            }
        }
        // Targets on the source's own edge: directly along it.
        let lo = self.on_edge.partition_point(|x| x.0 < s.edge);
        let leg = s.leg_mm();
        for &(e, t, to_a, tleg) in &self.on_edge[lo..] {
            if e != s.edge {
                break;
            }
            let along = to_a.abs_diff(s.to_a_mm);
            offer(t, leg.saturating_add(along).saturating_add(tleg));
        }
        best_touched.sort_unstable();
        let out = best_touched
            .iter()
            .map(|&t| (t, (best[t as usize] as f64 / per_s).round() as u32))
            .collect();
        for &t in best_touched.iter() {
            best[t as usize] = FAR;
        }
        out
    }
}

/// Walking times along streets (see [`Streets::walk_links`]): plain vectors of
/// (index, seconds), each sorted by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkLinks {
    /// Per origin: (stop, seconds) for every stop within the bound.
    pub access: Vec<Vec<(u32, u32)>>,
    /// Per stop: (destination, seconds) for every destination within the bound.
    pub egress: Vec<Vec<(u32, u32)>>,
    /// Per origin: (destination, seconds) for every destination within the bound.
    pub direct: Vec<Vec<(u32, u32)>>,
}

/// Which set a reported point belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PointKind {
    /// An origin.
    Origin,
    /// A destination.
    Destination,
    /// A stop.
    Stop,
}

impl PointKind {
    /// The kind's name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Origin => "origin",
            PointKind::Destination => "destination",
            PointKind::Stop => "stop",
        }
    }
}

/// A point that failed to snap, or snapped far.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnapIssue {
    /// Which set it belongs to.
    pub kind: PointKind,
    /// Its index in that set.
    pub index: u32,
    /// Metres to the nearest usable street: the snapped distance (far snaps), or for failed
    /// ones the nearest street within ten times the limit (at least 1 km), `None` beyond.
    pub distance_m: Option<f64>,
}

/// What snapping did: every point that failed to snap within the limit, and every point
/// that snapped farther than the warning distance, worst first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapReport {
    /// The snapping limit, metres.
    pub max_m: f64,
    /// The warning distance, metres ([`SNAP_WARN_M`]).
    pub warn_m: f64,
    /// Points snapped.
    pub points: usize,
    /// Points that snapped.
    pub snapped: usize,
    /// Points with no usable street within `max_m`, farthest first.
    pub failed: Vec<SnapIssue>,
    /// Points that snapped farther than `warn_m`, farthest first.
    pub far: Vec<SnapIssue>,
}

impl SnapReport {
    /// The report with each point named by `name(kind, index)` (e.g. its stop id), listing at
    /// most `worst` cases of each list.
    pub fn describe(&self, worst: usize, name: impl Fn(PointKind, u32) -> String) -> String {
        let mut s = format!(
            "snapped {} of {} point(s) to a street within {} m; {} failed, {} farther than {} m",
            self.snapped,
            self.points,
            self.max_m,
            self.failed.len(),
            self.far.len(),
            self.warn_m
        );
        let show = |s: &mut String, title: &str, v: &[SnapIssue]| {
            if v.is_empty() {
                return;
            }
            s.push_str(&format!("\n  {title}:"));
            for x in v.iter().take(worst) {
                let d = match x.distance_m {
                    Some(d) => format!("{d:.0} m"),
                    None => "no street within reach".into(),
                };
                s.push_str(&format!(
                    "\n    {} {}: {d}",
                    x.kind.as_str(),
                    name(x.kind, x.index)
                ));
            }
            if v.len() > worst {
                s.push_str(&format!("\n    ... and {} more", v.len() - worst));
            }
        };
        show(&mut s, "not snapped (nearest street)", &self.failed);
        show(&mut s, "snapped far", &self.far);
        s
    }
}

impl fmt::Display for SnapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(10, |_, i| format!("#{i}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> Streets {
        // Three nodes on the equator 0.001° apart (about 111 m), walkable; car one-way a→b→c.
        Streets::build(StreetInput {
            nodes: vec![(0.0, 0.0), (0.001, 0.0), (0.002, 0.0)],
            walk: vec![(0, 1), (1, 2)],
            car: vec![
                CarSegment {
                    a: 0,
                    b: 1,
                    forward_kmh: Some(36.0),
                    backward_kmh: None,
                },
                CarSegment {
                    a: 1,
                    b: 2,
                    forward_kmh: Some(36.0),
                    backward_kmh: None,
                },
            ],
            min_piece_nodes: 0,
        })
    }

    #[test]
    fn snaps_and_walks() {
        let st = line();
        let s = st.snap(0.0005, 0.0001, 50.0).unwrap();
        assert!((s.distance_m() - 11.13).abs() < 0.05, "{}", s.distance_m());
        assert!((s.fraction() - 0.5).abs() < 1e-9);
        assert!(st.snap(0.0005, 0.01, 50.0).is_none());
        let mut ws = st.workspace();
        st.walk_from(&s, 1.0, 3600, &mut ws);
        // 11 m leg + 55.6 m to either end, then 111 m to the far node.
        assert_eq!(ws.seconds(StreetNode(0)), Some(67));
        assert_eq!(ws.seconds(StreetNode(2)), Some(178));
    }

    #[test]
    fn one_way_driving() {
        let st = line();
        let mut ws = st.workspace();
        st.drive_from_node(StreetNode(0), 3600, &mut ws);
        assert_eq!(ws.seconds(StreetNode(2)), Some(22)); // 222 m at 10 m/s
        st.drive_from_node(StreetNode(2), 3600, &mut ws);
        assert_eq!(ws.seconds(StreetNode(0)), None);
    }

    #[test]
    fn same_edge_points_walk_directly() {
        let st = line();
        let (l, r) = st.walk_links(&[(0.0002, 0.0)], &[(0.0004, 0.0)], &[], 1.0, 3600, 10.0);
        assert_eq!(r.snapped, 2);
        assert_eq!(l.direct, vec![vec![(0, 22)]]);
    }

    /// A random street graph: a jittered lattice of `k` × `k` nodes about 100 m apart with some
    /// edges left out, and points scattered over it (some off the streets).
    /// Streets, then origins, destinations and stops (lon, lat).
    type Case = (Streets, Vec<(f64, f64)>, Vec<(f64, f64)>, Vec<(f64, f64)>);

    fn random_case(seed: u64) -> Case {
        let mut x = seed | 1;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 1_000_000) as f64 / 1_000_000.0
        };
        let k = 6 + (rnd() * 6.0) as u32;
        let step = 0.001;
        let mut nodes = Vec::new();
        for i in 0..k {
            for j in 0..k {
                nodes.push((
                    i as f64 * step + (rnd() - 0.5) * step * 0.4,
                    j as f64 * step + (rnd() - 0.5) * step * 0.4,
                ));
            }
        }
        let mut walk = Vec::new();
        for i in 0..k {
            for j in 0..k {
                let v = i * k + j;
                if i + 1 < k && rnd() < 0.8 {
                    walk.push((v, v + k));
                }
                if j + 1 < k && rnd() < 0.8 {
                    walk.push((v, v + 1));
                }
            }
        }
        let st = Streets::build(StreetInput {
            nodes,
            walk,
            car: vec![],
            min_piece_nodes: 0,
        });
        let span = step * k as f64;
        let mut pts = |n: usize| -> Vec<(f64, f64)> {
            (0..n)
                .map(|_| (rnd() * span - step, rnd() * span - step))
                .collect()
        };
        let origins = pts(1 + (seed % 7) as usize);
        let mut dests = pts(1 + (seed % 5) as usize);
        // Some destinations at an origin's very coordinates (their search is reused).
        dests.extend(origins.iter().step_by(2).copied());
        let stops = pts(3 + (seed % 11) as usize);
        (st, origins, dests, stops)
    }

    proptest::proptest! {
        /// The egress lists, built from one search per destination turned round, equal one
        /// search per stop (walking is symmetric), and the access and direct lists are those
        /// of one search per origin.
        #[test]
        fn egress_from_destinations_equals_per_stop_searches(seed in proptest::prelude::any::<u64>()) {
            let (st, o, d, s) = random_case(seed);
            let (speed, max_s, snap) = (1.3, 400, 60.0);
            let (l, _) = st.walk_links(&o, &d, &s, speed, max_s, snap);
            let per_s = speed * 1000.0;
            let bound = bound_units(max_s, per_s);
            let snaps = |p: &[(f64, f64)]| -> Vec<Option<Snap>> {
                p.iter().map(|&(x, y)| st.snap(x, y, snap)).collect()
            };
            let (so, sd, ss) = (snaps(&o), snaps(&d), snaps(&s));
            let (td, ts) = (Targets::new(&st, &sd), Targets::new(&st, &ss));
            let mut ws = st.workspace();
            let mut search = |from: &Option<Snap>, to: &Targets| match from {
                Some(x) => {
                    st.walk_from(x, speed, max_s, &mut ws);
                    to.collect(x, bound, per_s, &mut ws)
                }
                None => Vec::new(),
            };
            let egress: Vec<Times> = ss.iter().map(|x| search(x, &td)).collect();
            let access: Vec<Times> = so.iter().map(|x| search(x, &ts)).collect();
            let direct: Vec<Times> = so.iter().map(|x| search(x, &td)).collect();
            proptest::prop_assert_eq!(&l.egress, &egress);
            proptest::prop_assert_eq!(&l.access, &access);
            proptest::prop_assert_eq!(&l.direct, &direct);
        }
    }

    proptest::proptest! {
        /// The early-ending searches of `pair_walks` give every pair the time of a full
        /// point-to-point search, within the bound or not at all; pieces tell apart exactly the
        /// pairs that no walk connects.
        #[test]
        fn pair_walks_equal_point_to_point_searches(seed in proptest::prelude::any::<u64>(), max_s in 60u32..900) {
            let (st, o, d, s) = random_case(seed);
            let pts: Vec<(f64, f64)> = o.iter().chain(&d).chain(&s).copied().collect();
            let snaps: Vec<Option<Snap>> = pts.iter().map(|&(x, y)| st.snap(x, y, 60.0)).collect();
            let mut pairs = Vec::new();
            for i in 0..pts.len() {
                for j in 0..pts.len() {
                    if i != j && (i + j + seed as usize) % 3 != 0 {
                        pairs.push((i, j));
                    }
                }
            }
            let got = st.pair_walks(&snaps, &pairs, 1.3, max_s);
            let unbounded = st.pair_walks(&snaps, &pairs, 1.3, u32::MAX / 2);
            let pieces = st.walk_pieces();
            let piece = |x: &Snap| pieces[st.walk_edges[x.edge as usize].0 as usize];
            let mut ws = st.workspace();
            for ((&(i, j), &g), &u) in pairs.iter().zip(&got).zip(&unbounded) {
                let want = match (&snaps[i], &snaps[j]) {
                    (Some(a), Some(b)) => st.walk_between(a, b, 1.3, max_s, &mut ws),
                    _ => None,
                };
                proptest::prop_assert_eq!(g, want, "pair {:?}", (i, j));
                if let (Some(a), Some(b)) = (&snaps[i], &snaps[j]) {
                    let any = st.walk_between(a, b, 1.3, u32::MAX / 2, &mut ws);
                    proptest::prop_assert_eq!(any, u);
                    proptest::prop_assert_eq!(any.is_some(), piece(a) == piece(b));
                }
            }
        }
    }

    #[test]
    fn pair_walks_cases_find_and_miss() {
        // The property above is not vacuous: its cases have pairs within the bound and beyond.
        let (mut found, mut missed) = (0, 0);
        for seed in 0..30u64 {
            let (st, o, d, s) = random_case(seed);
            let pts: Vec<(f64, f64)> = o.iter().chain(&d).chain(&s).copied().collect();
            let snaps: Vec<Option<Snap>> = pts.iter().map(|&(x, y)| st.snap(x, y, 60.0)).collect();
            let pairs: Vec<(usize, usize)> = (0..pts.len())
                .flat_map(|i| (0..pts.len()).filter(move |&j| j != i).map(move |j| (i, j)))
                .filter(|&(i, j)| snaps[i].is_some() && snaps[j].is_some())
                .collect();
            for t in st.pair_walks(&snaps, &pairs, 1.3, 300) {
                if t.is_some() {
                    found += 1;
                } else {
                    missed += 1;
                }
            }
        }
        assert!(
            found > 100 && missed > 100,
            "{found} found, {missed} missed"
        );
    }

    #[test]
    fn random_cases_have_egress() {
        // The property above is not vacuous: its cases walk from stops to destinations.
        let with = (0..50u64)
            .filter(|&seed| {
                let (st, o, d, s) = random_case(seed);
                let (l, _) = st.walk_links(&o, &d, &s, 1.3, 400, 60.0);
                l.egress.iter().any(|e| !e.is_empty())
            })
            .count();
        assert!(with > 25, "{with}");
    }
}
