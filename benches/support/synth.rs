//! Deterministic synthetic graphs for benchmarks and tests, generated in code (no files):
//!
//! - `grid`: a road-like grid, node id `row * cols + col`, each street one weight
//!   U[10, 120] s for both directions, and in a fraction of the cells one diagonal "express"
//!   edge (both directions) weighted round(√2 · U[10, 60]) — the shape of peer-bench's
//!   `generate.py grid`.
//! - `transit`: a multi-modal network shaped like peer-bench's `generate.py transit`: lines
//!   are self-avoiding walks over a G×G grid of station sites 400 m apart; stations first,
//!   then one platform node per (line, direction, stop); boarding arcs wait half the headway,
//!   rides take distance / speed + dwell, alighting is free, and stations within 500 m are
//!   joined by walking arcs at 1.25 m/s.
//!
//! The same parameters always give the same graph (one seeded SplitMix64 stream, consumed in a
//! fixed order), but not byte-identical to the Python generator's.

use onehour::io::dimacs::GrGraph;
use onehour::network::ids::{NodeId, Seconds};

/// SplitMix64: tiny, fast and good enough to draw weights and routes.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A road-like `rows × cols` grid; `diag` is the fraction of cells with an express diagonal.
pub fn grid(rows: usize, cols: usize, diag: f64, seed: u64) -> GrGraph {
    let mut rng = Rng::new(seed);
    let n = rows * cols;
    let id = |r: usize, c: usize| (r * cols + c) as u32;
    let h: Vec<Seconds> = (0..rows * cols.saturating_sub(1))
        .map(|_| rng.range(10, 120) as Seconds)
        .collect();
    let v: Vec<Seconds> = (0..rows.saturating_sub(1) * cols)
        .map(|_| rng.range(10, 120) as Seconds)
        .collect();
    let mut diags: Vec<Vec<(u32, Seconds)>> = vec![Vec::new(); n];
    for r in 0..rows.saturating_sub(1) {
        for c in 0..cols.saturating_sub(1) {
            if rng.unit() < diag {
                let w = ((2f64.sqrt() * rng.range(10, 60) as f64).round() as Seconds).max(1);
                let (a, b) = if rng.unit() < 0.5 {
                    (id(r, c), id(r + 1, c + 1))
                } else {
                    (id(r, c + 1), id(r + 1, c))
                };
                diags[a as usize].push((b, w));
                diags[b as usize].push((a, w));
            }
        }
    }
    let mut arcs = Vec::with_capacity(4 * n);
    for r in 0..rows {
        for c in 0..cols {
            let u = id(r, c);
            if c + 1 < cols {
                arcs.push((u, u + 1, h[r * (cols - 1) + c]));
            }
            if c > 0 {
                arcs.push((u, u - 1, h[r * (cols - 1) + c - 1]));
            }
            if r + 1 < rows {
                arcs.push((u, u + cols as u32, v[r * cols + c]));
            }
            if r > 0 {
                arcs.push((u, u - cols as u32, v[(r - 1) * cols + c]));
            }
            for &(b, w) in &diags[u as usize] {
                arcs.push((u, b, w));
            }
        }
    }
    GrGraph { n, arcs }
}

/// Parameters of `transit`.
#[derive(Clone, Copy, Debug)]
pub struct TransitParams {
    /// G: the station sites form a G×G grid.
    pub grid: usize,
    /// K lines.
    pub lines: usize,
    /// Stops per line (fewer when the walk gets stuck).
    pub stops: usize,
    pub seed: u64,
}

impl Default for TransitParams {
    /// About 50,000 nodes (8,700 stations and 42,000 platform nodes), 157,000 arcs.
    fn default() -> Self {
        TransitParams {
            grid: 100,
            lines: 350,
            stops: 60,
            seed: 1,
        }
    }
}

/// A synthetic transit network and its station nodes (the natural origins).
#[derive(Clone, Debug)]
pub struct Transit {
    pub graph: GrGraph,
    pub stations: Vec<NodeId>,
}

/// A transit-like network of stations and platform nodes (see the module doc).
pub fn transit(p: TransitParams) -> Transit {
    const DIRS: [(i64, i64); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];
    // mode: share, min and max site steps per stop, speed m/s, headways (min), dwell s
    struct Mode {
        share: f64,
        smin: u64,
        smax: u64,
        speed: f64,
        headways: &'static [u64],
        dwell: f64,
    }
    const MODES: [Mode; 3] = [
        Mode {
            share: 0.7,
            smin: 1,
            smax: 1,
            speed: 5.5,
            headways: &[10, 12, 15, 20, 30],
            dwell: 20.0,
        },
        Mode {
            share: 0.2,
            smin: 1,
            smax: 2,
            speed: 7.0,
            headways: &[6, 8, 10, 12],
            dwell: 20.0,
        },
        Mode {
            share: 0.1,
            smin: 2,
            smax: 4,
            speed: 11.0,
            headways: &[3, 4, 5, 6],
            dwell: 30.0,
        },
    ];
    let (spacing, jitter, walk_radius, walk_speed) = (400.0, 80.0, 500.0, 1.25);
    let g = p.grid as i64;
    let mut rng = Rng::new(p.seed);
    // (mode, headway s, sites)
    type Line<'a> = (&'a Mode, u64, Vec<(i64, i64)>);
    let mut lines: Vec<Line> = Vec::new();
    for _ in 0..p.lines {
        let x = rng.unit();
        let mode = if x < MODES[0].share {
            &MODES[0]
        } else if x < MODES[0].share + MODES[1].share {
            &MODES[1]
        } else {
            &MODES[2]
        };
        let headway = 60 * mode.headways[rng.range(0, mode.headways.len() as u64 - 1) as usize];
        // self-avoiding walk biased to go straight, best of 20 tries
        let mut best: Vec<(i64, i64)> = Vec::new();
        for _ in 0..20 {
            let (mut x, mut y) = (
                rng.range(0, g as u64 - 1) as i64,
                rng.range(0, g as u64 - 1) as i64,
            );
            let mut d = rng.range(0, 3) as usize;
            let mut path = vec![(x, y)];
            let mut seen = std::collections::HashSet::from([(x, y)]);
            while path.len() < p.stops {
                let r = rng.unit();
                let order = if r < 0.6 {
                    [d, (d + 1) % 4, (d + 3) % 4]
                } else if r < 0.8 {
                    [(d + 1) % 4, d, (d + 3) % 4]
                } else {
                    [(d + 3) % 4, d, (d + 1) % 4]
                };
                let step = rng.range(mode.smin, mode.smax) as i64;
                let next = order.iter().find_map(|&nd| {
                    let (nx, ny) = (x + DIRS[nd].0 * step, y + DIRS[nd].1 * step);
                    (0 <= nx && nx < g && 0 <= ny && ny < g && !seen.contains(&(nx, ny)))
                        .then_some((nx, ny, nd))
                });
                let Some((nx, ny, nd)) = next else { break };
                (x, y, d) = (nx, ny, nd);
                path.push((x, y));
                seen.insert((x, y));
            }
            if path.len() > best.len() {
                best = path;
            }
            if best.len() >= p.stops {
                break;
            }
        }
        if best.len() >= 2 {
            lines.push((mode, headway, best));
        }
    }
    // stations: the sites any line uses, in site order, with jittered positions in metres
    let mut station_of = vec![u32::MAX; (g * g) as usize];
    for (_, _, path) in &lines {
        for &(x, y) in path {
            station_of[(x * g + y) as usize] = 0;
        }
    }
    let mut pos: Vec<(f64, f64)> = Vec::new();
    let mut site_of: Vec<(i64, i64)> = Vec::new();
    for x in 0..g {
        for y in 0..g {
            if station_of[(x * g + y) as usize] == 0 {
                station_of[(x * g + y) as usize] = pos.len() as u32;
                let jx = (rng.unit() * 2.0 - 1.0) * jitter;
                let jy = (rng.unit() * 2.0 - 1.0) * jitter;
                pos.push((x as f64 * spacing + jx, y as f64 * spacing + jy));
                site_of.push((x, y));
            }
        }
    }
    let s = pos.len();
    let dist = |a: u32, b: u32| {
        let (pa, pb) = (pos[a as usize], pos[b as usize]);
        (pa.0 - pb.0).hypot(pa.1 - pb.1)
    };
    let st = |(x, y): (i64, i64)| station_of[(x * g + y) as usize];
    let mut arcs: Vec<(u32, u32, Seconds)> = Vec::new();
    let mut n = s as u32;
    for (mode, headway, path) in &lines {
        let board = (headway / 2).max(1) as Seconds;
        for rev in [false, true] {
            let seq: Vec<u32> = if rev {
                path.iter().rev().map(|&q| st(q)).collect()
            } else {
                path.iter().map(|&q| st(q)).collect()
            };
            let first = n;
            n += seq.len() as u32;
            for (i, &station) in seq.iter().enumerate() {
                let plat = first + i as u32;
                if i + 1 < seq.len() {
                    arcs.push((station, plat, board));
                    let ride =
                        ((dist(station, seq[i + 1]) / mode.speed).round() + mode.dwell).max(1.0);
                    arcs.push((plat, plat + 1, ride as Seconds));
                }
                if i > 0 {
                    arcs.push((plat, station, 0));
                }
            }
        }
    }
    let reach = ((walk_radius + 2.0 * jitter) / spacing).ceil() as i64;
    for a in 0..s as u32 {
        let (x, y) = site_of[a as usize];
        for dx in -reach..=reach {
            for dy in -reach..=reach {
                let (tx, ty) = (x + dx, y + dy);
                if (dx, dy) == (0, 0) || tx < 0 || ty < 0 || tx >= g || ty >= g {
                    continue;
                }
                let b = station_of[(tx * g + ty) as usize];
                if b == u32::MAX {
                    continue;
                }
                let d = dist(a, b);
                if d <= walk_radius {
                    arcs.push((a, b, ((d / walk_speed).round() as Seconds).max(1)));
                }
            }
        }
    }
    arcs.sort_by_key(|a| a.0);
    Transit {
        graph: GrGraph {
            n: n as usize,
            arcs,
        },
        stations: (0..s as u32).map(NodeId).collect(),
    }
}

/// `k` distinct nodes drawn from `pool` (all of it, in order, if `k >= pool.len()`).
pub fn sample(pool: &[NodeId], k: usize, seed: u64) -> Vec<NodeId> {
    if k >= pool.len() {
        return pool.to_vec();
    }
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut v = pool.to_vec();
    for i in 0..k {
        let j = rng.range(i as u64, v.len() as u64 - 1) as usize;
        v.swap(i, j);
    }
    v.truncate(k);
    v
}

/// Every node of a graph of `n` nodes, as origins.
pub fn all_nodes(n: usize) -> Vec<NodeId> {
    (0..n as u32).map(NodeId).collect()
}
