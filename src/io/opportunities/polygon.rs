//! Polygons: rings read from GeoJSON coordinates, projected, checked (no crossing, holes
//! inside, parts apart) and clipped against the cells of a grid.

use serde_json::Value;

use crate::geo::grid::Grid;

use super::sink::check_lonlat;

/// A polygon read from GeoJSON: rings of lon/lat without the closing point, exterior first.
pub(super) type LonLatPolygon = Vec<Vec<(f64, f64)>>;

/// A message and its fix.
pub(super) type Why = (String, String);

pub(super) fn ring_fix() -> String {
    "close each ring: at least 4 positions, the last repeating the first (RFC 7946 3.1.6)".into()
}

pub(super) fn shape_fix() -> String {
    "give the geometry as GeoJSON (RFC 7946): a Polygon is an array of rings, a ring an array of [longitude, latitude] positions".into()
}

/// Reads the rings of a GeoJSON Polygon's `coordinates`, or says what is wrong.
pub(super) fn polygon_rings(c: &Value) -> Result<LonLatPolygon, Why> {
    let rings = c.as_array().ok_or_else(|| {
        (
            "the coordinates of a Polygon are not an array of rings".to_string(),
            shape_fix(),
        )
    })?;
    if rings.is_empty() {
        return Err(("a Polygon without rings".into(), shape_fix()));
    }
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let which = if r == 0 {
            "the exterior ring".to_string()
        } else {
            format!("hole {r}")
        };
        let pts = ring
            .as_array()
            .ok_or_else(|| (format!("{which} is not an array of positions"), shape_fix()))?;
        let mut v = Vec::with_capacity(pts.len());
        for (k, p) in pts.iter().enumerate() {
            let xy = p.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
                (
                    format!(
                        "position {} of {which} is {p}, not [longitude, latitude]",
                        k + 1
                    ),
                    shape_fix(),
                )
            })?;
            let (Some(lon), Some(lat)) = (xy[0].as_f64(), xy[1].as_f64()) else {
                return Err((
                    format!("position {} of {which} is {p}, not two numbers", k + 1),
                    shape_fix(),
                ));
            };
            check_lonlat(lon, lat)
                .map_err(|(m, f)| (format!("position {} of {which}: {m}", k + 1), f))?;
            v.push((lon, lat));
        }
        if v.len() < 4 {
            return Err((
                format!(
                    "{which} has {} positions, fewer than the 4 of the smallest ring",
                    v.len()
                ),
                ring_fix(),
            ));
        }
        if v.first() != v.last() {
            return Err((
                format!(
                    "{which} is not closed: its last position {:?} differs from its first {:?}",
                    v[v.len() - 1],
                    v[0]
                ),
                ring_fix(),
            ));
        }
        v.pop();
        out.push(v);
    }
    Ok(out)
}

/// The polygons of a feature's geometry, or what is wrong with it.
pub(super) fn feature_polygons(g: &Value) -> Result<Vec<LonLatPolygon>, Why> {
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "Polygon" | "MultiPolygon" => {}
        "" => return Err(("the geometry has no type".into(), shape_fix())),
        other => {
            return Err((
                format!("a {other} geometry: only Polygon and MultiPolygon features are spread over cells"),
                "give opportunities at points as a CSV (id,lon,lat,<columns>), or give the areas they stand for as polygons".into(),
            ))
        }
    }
    let coords = g
        .get("coordinates")
        .ok_or_else(|| (format!("the {ty} geometry has no coordinates"), shape_fix()))?;
    if ty == "Polygon" {
        return Ok(vec![polygon_rings(coords)?]);
    }
    coords
        .as_array()
        .ok_or_else(|| {
            (
                "the coordinates of a MultiPolygon are not an array of polygons".to_string(),
                shape_fix(),
            )
        })
        .and_then(|ps| ps.iter().map(polygon_rings).collect())
}

/// Signed area of a ring (shoelace, implicitly closed; positive counter-clockwise).
pub(super) fn ring_area(r: &[(f64, f64)]) -> f64 {
    let n = r.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..n {
        let (x0, y0) = r[i];
        let (x1, y1) = r[(i + 1) % n];
        s += x0 * y1 - x1 * y0;
    }
    s / 2.0
}

/// Keeps the part of ring `input` on one side of the line `axis = bound` (`axis` 0: x, 1: y;
/// `above`: the side of larger values), Sutherland–Hodgman. The result may have edges running
/// along the line, which leave its signed area exact: clipping a ring against a half-plane
/// keeps its winding number inside the half-plane and makes it zero outside, so the signed
/// area of the result is that of the ring's interior within the half-plane.
pub(super) fn clip_half(
    input: &[(f64, f64)],
    out: &mut Vec<(f64, f64)>,
    axis: usize,
    bound: f64,
    above: bool,
) {
    out.clear();
    let n = input.len();
    if n == 0 {
        return;
    }
    let coord = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
    let inside = |p: (f64, f64)| {
        if above {
            coord(p) >= bound
        } else {
            coord(p) <= bound
        }
    };
    let cross = |a: (f64, f64), b: (f64, f64)| {
        let t = (bound - coord(a)) / (coord(b) - coord(a));
        if axis == 0 {
            (bound, a.1 + t * (b.1 - a.1))
        } else {
            (a.0 + t * (b.0 - a.0), bound)
        }
    };
    let mut prev = input[n - 1];
    let mut prev_in = inside(prev);
    for &cur in input {
        let cur_in = inside(cur);
        if cur_in {
            if !prev_in {
                out.push(cross(prev, cur));
            }
            out.push(cur);
        } else if prev_in {
            out.push(cross(prev, cur));
        }
        prev = cur;
        prev_in = cur_in;
    }
}

/// Scratch buffers for clipping.
#[derive(Default)]
pub(super) struct Clip {
    pub(super) a: Vec<(f64, f64)>,
}

impl Clip {
    /// The part of `ring` with `lo <= axis <= hi`, into `out`.
    pub(super) fn band(
        &mut self,
        ring: &[(f64, f64)],
        axis: usize,
        lo: f64,
        hi: f64,
        out: &mut Vec<(f64, f64)>,
    ) {
        clip_half(ring, &mut self.a, axis, lo, true);
        clip_half(&self.a, out, axis, hi, false);
    }
}

/// A polygon in the grid's metres: rings (exterior first) with the sign of each ring's own
/// area, so that `sign × signed area` of a clipped ring is the area of its interior inside the
/// clip.
pub(super) struct Projected {
    pub(super) rings: Vec<(Vec<(f64, f64)>, f64)>,
    pub(super) bbox: [f64; 4],
    pub(super) area: f64,
}

/// An empty bounding box `[min x, min y, max x, max y]`: any point or box widens it.
pub(super) const EMPTY_BOX: [f64; 4] = [
    f64::INFINITY,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NEG_INFINITY,
];

/// The box `b` widened to hold the box `o` (a point `(x, y)` is the box `[x, y, x, y]`).
pub(super) fn widen(b: [f64; 4], o: [f64; 4]) -> [f64; 4] {
    [
        b[0].min(o[0]),
        b[1].min(o[1]),
        b[2].max(o[2]),
        b[3].max(o[3]),
    ]
}

/// The bounding box of projected polygons.
fn bbox_of(polys: &[Projected]) -> [f64; 4] {
    polys.iter().fold(EMPTY_BOX, |b, p| widen(b, p.bbox))
}

pub(super) fn project(p: &LonLatPolygon, grid: &Grid) -> Projected {
    let proj = grid.projection();
    let mut bbox = EMPTY_BOX;
    let mut area = 0.0;
    let rings = p
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let xy: Vec<(f64, f64)> = r.iter().map(|&(lon, lat)| proj.forward(lon, lat)).collect();
            for &(x, y) in &xy {
                bbox = widen(bbox, [x, y, x, y]);
            }
            let a = ring_area(&xy);
            area += if k == 0 { a.abs() } else { -a.abs() };
            let sign = if a < 0.0 { -1.0 } else { 1.0 };
            (xy, sign)
        })
        .collect();
    Projected { rings, bbox, area }
}

/// Pushes `(cell, area(cell ∩ polygon))` to `acc` for every cell the polygon meets, clipping
/// each ring to a row's strip first and the strip to each cell of the row. An area is
/// negative only where the rings wind the wrong way (they cross), which the caller refuses.
pub(super) fn spread_polygon(
    p: &Projected,
    grid: &Grid,
    clip: &mut Clip,
    acc: &mut Vec<(usize, f64)>,
) {
    let (rows, cols) = grid.span_m(p.bbox);
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    let mut strip: Vec<Vec<(f64, f64)>> = vec![Vec::new(); p.rings.len()];
    let mut cell = Vec::new();
    for r in rows {
        let rect = grid.rect_m(grid.index(r, cols.start));
        for (k, (ring, _)) in p.rings.iter().enumerate() {
            clip.band(ring, 1, rect[1], rect[3], &mut strip[k]);
        }
        if strip[0].is_empty() {
            continue;
        }
        for c in cols.clone() {
            let i = grid.index(r, c);
            let [w, _, e, _] = grid.rect_m(i);
            let mut a = 0.0;
            for (k, (_, sign)) in p.rings.iter().enumerate() {
                if strip[k].is_empty() {
                    continue;
                }
                clip.band(&strip[k], 0, w, e, &mut cell);
                let part = sign * ring_area(&cell);
                a += if k == 0 { part } else { -part };
            }
            if a != 0.0 {
                acc.push((i, a));
            }
        }
    }
}

/// One edge of a ring, for the validity check.
#[derive(Clone, Copy)]
pub(super) struct Edge {
    pub(super) a: (f64, f64),
    pub(super) b: (f64, f64),
    pub(super) part: usize,
    pub(super) ring: usize,
    /// Position in its ring, and the ring's number of edges.
    pub(super) k: usize,
    pub(super) n: usize,
}

pub(super) fn orient(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> i8 {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    let c = |p: (f64, f64)| geo::Coord { x: p.0, y: p.1 };
    match <RobustKernel as Kernel<f64>>::orient2d(c(p), c(q), c(r)) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// Whether two edges cross (each passes from one side of the other to the other side) or
/// overlap along a stretch of positive length. Touching at a point is allowed.
pub(super) fn edges_cross(e: &Edge, f: &Edge) -> bool {
    let (o1, o2) = (orient(e.a, e.b, f.a), orient(e.a, e.b, f.b));
    let (o3, o4) = (orient(f.a, f.b, e.a), orient(f.a, f.b, e.b));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    if o1 == 0 && o2 == 0 {
        // Collinear: overlapping by more than a point along the longer axis?
        let axis = |p: (f64, f64)| {
            if (e.b.0 - e.a.0).abs() >= (e.b.1 - e.a.1).abs() {
                p.0
            } else {
                p.1
            }
        };
        let (e0, e1) = (axis(e.a).min(axis(e.b)), axis(e.a).max(axis(e.b)));
        let (f0, f1) = (axis(f.a).min(axis(f.b)), axis(f.a).max(axis(f.b)));
        return e0.max(f0) < e1.min(f1);
    }
    false
}

/// Whether `p` is inside ring `r` (even-odd), `None` if it lies on its boundary.
pub(super) fn in_ring(p: (f64, f64), r: &[(f64, f64)]) -> Option<bool> {
    let mut inside = false;
    let n = r.len();
    for i in 0..n {
        let (a, b) = (r[i], r[(i + 1) % n]);
        if orient(a, b, p) == 0
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1)
        {
            return None;
        }
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0) {
            inside = !inside;
        }
    }
    Some(inside)
}

/// Whether some vertex of `r` is inside (`Some(true)`) or outside (`Some(false)`) ring
/// `other`; `None` if every vertex lies on its boundary.
pub(super) fn ring_in_ring(r: &[(f64, f64)], other: &[(f64, f64)]) -> Option<bool> {
    r.iter().find_map(|&p| in_ring(p, other))
}

/// The edges of every ring of `polys`, and a square grid of buckets over their bounding box,
/// each holding the edges whose bounding box meets it (so that only edges sharing a bucket
/// are tested against each other).
fn edge_buckets(polys: &[Projected]) -> (Vec<Edge>, Vec<Vec<u32>>) {
    let mut edges = Vec::new();
    let bbox = bbox_of(polys);
    for (part, p) in polys.iter().enumerate() {
        for (ring, (r, _)) in p.rings.iter().enumerate() {
            let n = r.len();
            for k in 0..n {
                edges.push(Edge {
                    a: r[k],
                    b: r[(k + 1) % n],
                    part,
                    ring,
                    k,
                    n,
                });
            }
        }
    }
    let side = ((edges.len() as f64).sqrt().ceil() as usize).clamp(1, 4096);
    let (w, h) = (
        (bbox[2] - bbox[0]).max(1e-9) / side as f64,
        (bbox[3] - bbox[1]).max(1e-9) / side as f64,
    );
    let cell = |v: f64, lo: f64, size: f64| (((v - lo) / size) as usize).min(side - 1);
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); side * side];
    for (i, e) in edges.iter().enumerate() {
        let (c0, c1) = (
            cell(e.a.0.min(e.b.0), bbox[0], w),
            cell(e.a.0.max(e.b.0), bbox[0], w),
        );
        let (r0, r1) = (
            cell(e.a.1.min(e.b.1), bbox[1], h),
            cell(e.a.1.max(e.b.1), bbox[1], h),
        );
        for r in r0..=r1 {
            for c in c0..=c1 {
                buckets[r * side + c].push(i as u32);
            }
        }
    }
    (edges, buckets)
}

/// The first two edges found crossing (neighbours on one ring, which share a vertex, are not
/// tested).
fn first_crossing<'e>(edges: &'e [Edge], buckets: &[Vec<u32>]) -> Option<(&'e Edge, &'e Edge)> {
    for b in buckets {
        for (x, &i) in b.iter().enumerate() {
            for &j in &b[x + 1..] {
                let (e, f) = (&edges[i as usize], &edges[j as usize]);
                let same_ring = e.part == f.part && e.ring == f.ring;
                if same_ring && ((e.k + 1) % e.n == f.k || (f.k + 1) % f.n == e.k) {
                    continue;
                }
                if edges_cross(e, f) {
                    return Some((e, f));
                }
            }
        }
    }
    None
}

/// Checks that the polygons of a feature (in the grid's metres) are valid enough to be
/// spread by area: no ring crosses itself or another ring (touching at a point is allowed),
/// every hole lies inside its exterior, and no part overlaps another. Edges are bucketed on a
/// grid of about as many buckets as edges, so the cost is near-linear for ordinary outlines
/// (thousands of vertices) rather than quadratic. The error says what is wrong and where
/// (lon/lat).
pub(super) fn check_polygons(polys: &[Projected], grid: &Grid) -> Result<(), String> {
    let near = |p: (f64, f64)| {
        let (lon, lat) = grid.projection().inverse(p.0, p.1);
        format!("near ({lon:.6}, {lat:.6})")
    };
    let ring_name = |part: usize, ring: usize| {
        let r = if ring == 0 {
            "the exterior".to_string()
        } else {
            format!("hole {ring}")
        };
        if polys.len() > 1 {
            format!("{r} of part {}", part + 1)
        } else {
            r
        }
    };
    let (edges, buckets) = edge_buckets(polys);
    if let Some((e, f)) = first_crossing(&edges, &buckets) {
        let same_ring = e.part == f.part && e.ring == f.ring;
        return Err(if same_ring {
            format!("{} crosses itself {}", ring_name(e.part, e.ring), near(e.a))
        } else {
            format!(
                "{} and {} cross {}",
                ring_name(e.part, e.ring),
                ring_name(f.part, f.ring),
                near(e.a)
            )
        });
    }
    // No crossings: a ring is wholly inside or outside another.
    for (part, p) in polys.iter().enumerate() {
        let ext = &p.rings[0].0;
        for (ring, (r, _)) in p.rings.iter().enumerate().skip(1) {
            if ring_in_ring(r, ext) == Some(false) {
                return Err(format!(
                    "{} lies outside its exterior {}",
                    ring_name(part, ring),
                    near(r[0])
                ));
            }
        }
    }
    let inside_part = |r: &[(f64, f64)], q: &Projected| {
        ring_in_ring(r, &q.rings[0].0) != Some(false)
            && !q.rings[1..]
                .iter()
                .any(|(hole, _)| ring_in_ring(r, hole) == Some(true))
    };
    for (i, p) in polys.iter().enumerate() {
        for (j, q) in polys.iter().enumerate().skip(i + 1) {
            let apart = p.bbox[2] < q.bbox[0]
                || q.bbox[2] < p.bbox[0]
                || p.bbox[3] < q.bbox[1]
                || q.bbox[3] < p.bbox[1];
            if !apart && (inside_part(&q.rings[0].0, p) || inside_part(&p.rings[0].0, q)) {
                return Err(format!(
                    "parts {} and {} overlap {}",
                    i + 1,
                    j + 1,
                    near(q.rings[0].0[0])
                ));
            }
        }
    }
    Ok(())
}

/// A feature spread over the grid, kept for the check of overlaps: its name in messages, its
/// polygons in the grid's metres, their area (m², above zero) and its values.
pub(super) struct Zone {
    pub(super) record: String,
    pub(super) polys: Vec<Projected>,
    pub(super) area: f64,
    pub(super) vals: Vec<f64>,
}

impl Zone {
    fn bbox(&self) -> [f64; 4] {
        bbox_of(&self.polys)
    }

    fn multi_polygon(&self) -> geo::MultiPolygon<f64> {
        let ring = |r: &[(f64, f64)]| {
            let mut c: Vec<geo::Coord<f64>> = r.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
            c.push(c[0]);
            geo::LineString::new(c)
        };
        geo::MultiPolygon::new(
            self.polys
                .iter()
                .map(|p| {
                    geo::Polygon::new(
                        ring(&p.rings[0].0),
                        p.rings[1..].iter().map(|(r, _)| ring(r)).collect(),
                    )
                })
                .collect(),
        )
    }
}

/// The share of the smaller of two zones they may have in common: overlaps up to 1 % of its
/// area are slivers along a shared border (outlines simplified or digitised separately), not
/// zones counted twice.
pub(super) const OVERLAP_TOLERANCE: f64 = 0.01;

/// Reports every pair of zones whose intersection is more than [`OVERLAP_TOLERANCE`] of the
/// smaller one's area and that both hold some of one column: that column would be counted
/// twice there (zones of jobs overlapping zones of people, in columns of their own, count
/// nothing twice). Pairs are those whose bounding boxes meet (a sweep over the boxes sorted
/// west to east); the area of each pair's intersection is the `geo` crate's boolean
/// intersection.
pub(super) fn check_overlaps(zones: &[Zone], grid: &Grid, sink: &mut super::sink::Sink) {
    use geo::{Area, BooleanOps, Centroid};
    let boxes: Vec<[f64; 4]> = zones.iter().map(Zone::bbox).collect();
    let mut order: Vec<usize> = (0..zones.len()).collect();
    order.sort_by(|&a, &b| boxes[a][0].total_cmp(&boxes[b][0]));
    let mut shapes: Vec<Option<geo::MultiPolygon<f64>>> = vec![None; zones.len()];
    let mut found = Vec::new();
    for (x, &i) in order.iter().enumerate() {
        for &j in &order[x + 1..] {
            if boxes[j][0] > boxes[i][2] {
                break;
            }
            if boxes[j][1] > boxes[i][3] || boxes[i][1] > boxes[j][3] {
                continue;
            }
            let shared = zones[i]
                .vals
                .iter()
                .zip(&zones[j].vals)
                .any(|(a, b)| *a > 0.0 && *b > 0.0);
            if !shared {
                continue;
            }
            for k in [i, j] {
                if shapes[k].is_none() {
                    shapes[k] = Some(zones[k].multi_polygon());
                }
            }
            let (a, b) = (shapes[i].as_ref().unwrap(), shapes[j].as_ref().unwrap());
            let common = a.intersection(b);
            let area = common.unsigned_area();
            let smaller = zones[i].area.min(zones[j].area);
            if area > OVERLAP_TOLERANCE * smaller {
                let at = common
                    .centroid()
                    .map(|c| grid.projection().inverse(c.x(), c.y()));
                found.push((i.min(j), i.max(j), area, smaller, at));
            }
        }
    }
    found.sort_by_key(|f| (f.1, f.0));
    for (first, later, area, smaller, at) in found {
        let near = at.map_or(String::new(), |(lon, lat)| {
            format!(" around ({lon:.6}, {lat:.6})")
        });
        sink.error(
            None,
            zones[later].record.clone(),
            format!(
                "overlaps {} over {:.3} km² ({:.1} % of the smaller){near}: opportunities there would be counted twice",
                zones[first].record,
                area / 1e6,
                100.0 * area / smaller
            ),
            "give zones that do not overlap (each place in one zone): cut the overlap out of one of them, or merge them",
        );
    }
}
