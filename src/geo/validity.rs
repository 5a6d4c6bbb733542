//! The validity of a MultiPolygon (OGC simple features, as `geo`'s `Validation` checks it),
//! fast for the bands of an isochrone.
//!
//! `geo` validates a polygon by relating its exterior to each hole and every pair of holes,
//! and a MultiPolygon by also relating *every* pair of polygons: each relation builds a
//! DE-9IM matrix on an R-tree of both rings' segments, so the check is quadratic in rings and
//! was about 85 % of the time of an isochrone click (bands are a large polygon with many holes
//! and many small islands around stations). Here:
//!
//! 1. a proof of validity in one pass over all segments ([`proven_valid`]): no two segments
//!    of any rings meet (except consecutive ones at their shared vertex), which makes every
//!    ring simple and all rings pairwise disjoint; then the nesting, by one vertex per ring,
//!    must be that of a valid MultiPolygon (each hole inside its exterior and in no other
//!    hole of it; a polygon inside another lies inside one of its holes);
//! 2. where that proof fails (rings that touch or cross, degenerate rings: rare in contours),
//!    the verdict of the exact check ([`check_by_relate`]), which is `geo`'s, relating only the
//!    pairs of polygons whose bounding rectangles meet (two polygons whose rectangles do not
//!    meet can neither overlap nor touch).
//!
//! Property tests compare both with `geo`'s verdict on random sets of polygons, and a test on
//! real isochrones checks that the proof is what decides them.

use geo::coordinate_position::coord_pos_relative_to_ring;
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{
    BoundingRect, Intersects, Line, LineString, MultiPolygon, Polygon, Rect, Relate, Validation,
};

/// Why `g` is not a valid MultiPolygon, or `Ok` if it is: an invalid polygon, two polygons
/// whose interiors overlap, or two that touch along a line.
pub fn check_multipolygon(g: &MultiPolygon<f64>) -> Result<(), String> {
    if proven_valid(g) {
        return Ok(());
    }
    check_by_relate(g)
}

/// `geo`'s verdict (each polygon validated, pairs of polygons related), relating only the pairs
/// whose bounding rectangles meet.
pub fn check_by_relate(g: &MultiPolygon<f64>) -> Result<(), String> {
    for (i, p) in g.0.iter().enumerate() {
        p.check_validation()
            .map_err(|e| format!("polygon at index {i} is invalid: {e}"))?;
    }
    let rects: Vec<Option<Rect<f64>>> = g.0.iter().map(Polygon::bounding_rect).collect();
    // Sweep over the polygons by the west edge of their rectangles: a pair is related only
    // when its rectangles meet (closed intervals in both axes).
    let mut order: Vec<usize> = (0..g.0.len()).filter(|&i| rects[i].is_some()).collect();
    order.sort_by(|&a, &b| rect(&rects, a).min().x.total_cmp(&rect(&rects, b).min().x));
    for (k, &i) in order.iter().enumerate() {
        let ri = rect(&rects, i);
        for &j in &order[k + 1..] {
            let rj = rect(&rects, j);
            if rj.min().x > ri.max().x {
                break;
            }
            if rj.min().y > ri.max().y || rj.max().y < ri.min().y {
                continue;
            }
            let (a, b) = (i.min(j), i.max(j));
            let im = g.0[a].relate(&g.0[b]);
            if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                return Err(format!("polygons at indices {a} and {b} overlap"));
            }
            if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                return Err(format!("polygons at indices {a} and {b} touch on a line"));
            }
        }
    }
    Ok(())
}

/// True when `g` is shown valid by the strong conditions of the module's step 1; false when
/// they do not hold (`g` may still be valid: rings touching at a point are allowed).
pub fn proven_valid(g: &MultiPolygon<f64>) -> bool {
    // Every ring: closed, at least 4 coordinates, finite, no zero-length segment.
    let rings: Vec<&LineString<f64>> =
        g.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .collect();
    let mut segments = 0usize;
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut longest = 0.0f64;
    for r in &rings {
        let c = &r.0;
        if c.len() < 4 || c[0] != c[c.len() - 1] {
            return false;
        }
        for w in c.windows(2) {
            let (a, b) = (w[0], w[1]);
            if !(a.x.is_finite() && a.y.is_finite()) || a == b {
                return false;
            }
            longest = longest.max((a.x - b.x).abs()).max((a.y - b.y).abs());
            x0 = x0.min(a.x);
            y0 = y0.min(a.y);
            x1 = x1.max(a.x);
            y1 = y1.max(a.y);
        }
        segments += c.len() - 1;
    }
    if segments == 0 {
        return g.0.is_empty();
    }
    if !no_segments_meet(&rings, segments, [x0, y0, x1, y1], longest) {
        return false;
    }
    nesting_is_valid(g)
}

/// No two segments of the rings meet, except consecutive segments of one ring at their shared
/// vertex (and those must not fold back onto each other). Segments are bucketed on a uniform
/// grid whose cells are at least as large as the longest segment, so that each segment lies
/// in at most 2 × 2 cells and only segments sharing a cell are compared.
fn no_segments_meet(
    rings: &[&LineString<f64>],
    segments: usize,
    bbox: [f64; 4],
    longest: f64,
) -> bool {
    let [x0, y0, x1, y1] = bbox;
    let span = (x1 - x0).max(y1 - y0).max(f64::MIN_POSITIVE);
    // About one segment per cell on average, never cells smaller than the longest segment.
    let per_side = (segments as f64).sqrt().ceil().max(1.0);
    let cell = (span / per_side).max(longest).max(f64::MIN_POSITIVE);
    let nx = (((x1 - x0) / cell).floor() as usize + 1).min(1 << 16);
    let ny = (((y1 - y0) / cell).floor() as usize + 1).min(1 << 16);
    let at = |v: f64, lo: f64, n: usize| (((v - lo) / cell).floor().max(0.0) as usize).min(n - 1);
    // (cell, ring, segment index) for every cell a segment's rectangle covers, sorted by cell.
    let mut entries: Vec<(u32, u32, u32)> = Vec::with_capacity(segments * 2);
    for (ri, r) in rings.iter().enumerate() {
        for (si, w) in r.0.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            let (ia, ib) = (at(a.x.min(b.x), x0, nx), at(a.x.max(b.x), x0, nx));
            let (ja, jb) = (at(a.y.min(b.y), y0, ny), at(a.y.max(b.y), y0, ny));
            for j in ja..=jb {
                for i in ia..=ib {
                    entries.push(((j * nx + i) as u32, ri as u32, si as u32));
                }
            }
        }
    }
    entries.sort_unstable();
    let segment = |ri: u32, si: u32| {
        let c = &rings[ri as usize].0;
        Line::new(c[si as usize], c[si as usize + 1])
    };
    let mut start = 0;
    while start < entries.len() {
        let mut end = start + 1;
        while end < entries.len() && entries[end].0 == entries[start].0 {
            end += 1;
        }
        let bucket = &entries[start..end];
        for (k, &(_, ra, sa)) in bucket.iter().enumerate() {
            let la = segment(ra, sa);
            for &(_, rb, sb) in &bucket[k + 1..] {
                let lb = segment(rb, sb);
                if ra == rb {
                    let n = rings[ra as usize].0.len() as u32 - 1;
                    let next = |s: u32| (s + 1) % n;
                    if next(sa) == sb || next(sb) == sa {
                        // Consecutive: they share one vertex; they must not fold back.
                        let (first, second) = if next(sa) == sb { (la, lb) } else { (lb, la) };
                        if folds_back(first, second) {
                            return false;
                        }
                        continue;
                    }
                }
                if la.intersects(&lb) {
                    return false;
                }
            }
        }
        start = end;
    }
    true
}

/// Whether `second`, which starts where `first` ends, runs back along `first` (or meets it
/// again anywhere else than the shared vertex: only possible when collinear and reversed).
fn folds_back(first: Line<f64>, second: Line<f64>) -> bool {
    if RobustKernel::orient2d(first.start, first.end, second.end) != Orientation::Collinear {
        return false;
    }
    let (dx1, dy1) = (first.end.x - first.start.x, first.end.y - first.start.y);
    let (dx2, dy2) = (second.end.x - second.start.x, second.end.y - second.start.y);
    dx1 * dx2 + dy1 * dy2 < 0.0
}

/// With all rings simple and pairwise disjoint, the nesting of a valid MultiPolygon: each hole
/// inside its exterior and outside the polygon's other holes; each polygon whose exterior lies
/// inside another polygon's exterior lies inside one of that polygon's holes. One vertex of a
/// ring tells on which side of another ring all of it lies.
fn nesting_is_valid(g: &MultiPolygon<f64>) -> bool {
    let inside = |r: &LineString<f64>, ring: &LineString<f64>, rect: &Rect<f64>| {
        let p = r.0[0];
        p.x >= rect.min().x
            && p.x <= rect.max().x
            && p.y >= rect.min().y
            && p.y <= rect.max().y
            && coord_pos_relative_to_ring(p, ring) == CoordPos::Inside
    };
    let rect_of = |r: &LineString<f64>| r.bounding_rect().expect("rings have coordinates");
    let exteriors: Vec<Rect<f64>> = g.0.iter().map(|p| rect_of(p.exterior())).collect();
    for p in &g.0 {
        let (ext, er) = (p.exterior(), rect_of(p.exterior()));
        let holes: Vec<Rect<f64>> = p.interiors().iter().map(rect_of).collect();
        for (a, h) in p.interiors().iter().enumerate() {
            if !inside(h, ext, &er) {
                return false;
            }
            for (b, other) in p.interiors().iter().enumerate() {
                if a != b && inside(h, other, &holes[b]) {
                    return false;
                }
            }
        }
    }
    // Polygons inside others: by the west edge of the exteriors' rectangles, a polygon is
    // tested only against those whose rectangle holds its first vertex.
    let mut order: Vec<usize> = (0..g.0.len()).collect();
    order.sort_by(|&a, &b| exteriors[a].min().x.total_cmp(&exteriors[b].min().x));
    for &i in &order {
        let pi = &g.0[i];
        let v = pi.exterior().0[0];
        for &j in &order {
            if exteriors[j].min().x > v.x {
                break;
            }
            if i == j || !inside(pi.exterior(), g.0[j].exterior(), &exteriors[j]) {
                continue;
            }
            let in_a_hole = g.0[j]
                .interiors()
                .iter()
                .any(|h| inside(pi.exterior(), h, &rect_of(h)));
            if !in_a_hole {
                return false;
            }
        }
    }
    true
}

fn rect(rects: &[Option<Rect<f64>>], i: usize) -> Rect<f64> {
    rects[i].expect("only polygons with a bounding rectangle are sorted")
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, LineString};
    use proptest::prelude::*;

    /// A small axis-aligned square or triangle on a coarse lattice (so that touching and
    /// overlapping happen often), possibly with a square hole, possibly degenerate.
    fn shape() -> impl Strategy<Value = Polygon<f64>> {
        (0i32..8, 0i32..8, 0i32..4, 0i32..4, 0u8..4).prop_map(|(x, y, w, h, kind)| {
            let (x, y, w, h) = (x as f64, y as f64, w as f64, h as f64);
            match kind {
                0 => polygon![(x: x, y: y), (x: x + w, y: y), (x: x + w, y: y + h), (x: x, y: y + h)],
                1 => polygon![(x: x, y: y), (x: x + w, y: y), (x: x, y: y + h)],
                2 => Polygon::new(
                    LineString::from(vec![(x, y), (x + 3.0, y), (x + 3.0, y + 3.0), (x, y + 3.0), (x, y)]),
                    vec![LineString::from(vec![
                        (x + 1.0, y + 1.0),
                        (x + 2.0, y + 1.0),
                        (x + 2.0, y + 2.0),
                        (x + 1.0, y + 2.0),
                        (x + 1.0, y + 1.0),
                    ])],
                ),
                // A bow tie: invalid on its own.
                _ => polygon![(x: x, y: y), (x: x + w + 1.0, y: y + h + 1.0), (x: x + w + 1.0, y: y), (x: x, y: y + h + 1.0)],
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// The verdict equals `geo`'s full pairwise check.
        #[test]
        fn same_verdict_as_geo(ps in proptest::collection::vec(shape(), 0..7)) {
            let g = MultiPolygon(ps);
            prop_assert_eq!(check_multipolygon(&g).is_ok(), g.is_valid(), "{:?}", g);
            prop_assert_eq!(check_by_relate(&g).is_ok(), g.is_valid(), "{:?}", g);
            // The proof never calls an invalid geometry valid.
            prop_assert!(!proven_valid(&g) || g.is_valid(), "{:?}", g);
        }
    }

    /// Random squares at real-valued positions (some overlapping, most apart), some with a
    /// hole, some inside another's hole: the proof never accepts an invalid set, and it
    /// decides most valid ones (rings that merely touch are left to the exact check).
    #[test]
    fn the_proof_is_sound_and_decides_disjoint_sets() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let square = |x: f64, y: f64, s: f64| {
            LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
        };
        let (mut valid, mut proven) = (0, 0);
        for _ in 0..3000 {
            let mut ps = Vec::new();
            for _ in 0..(1 + (next() * 6.0) as usize) {
                let (x, y, s) = (next() * 8.0, next() * 8.0, 0.2 + next() * 1.5);
                if next() < 0.3 {
                    let hole = square(x + s * 0.25, y + s * 0.25, s * 0.5);
                    ps.push(Polygon::new(square(x, y, s), vec![hole]));
                    if next() < 0.5 {
                        ps.push(Polygon::new(
                            square(x + s * 0.4, y + s * 0.4, s * 0.2),
                            vec![],
                        ));
                    }
                } else {
                    ps.push(Polygon::new(square(x, y, s), vec![]));
                }
            }
            let g = MultiPolygon(ps);
            let (v, p) = (g.is_valid(), proven_valid(&g));
            assert!(!p || v, "proven valid but invalid: {g:?}");
            assert_eq!(check_multipolygon(&g).is_ok(), v, "{g:?}");
            valid += v as usize;
            proven += p as usize;
        }
        assert!(
            valid > 300 && proven == valid,
            "{proven} of {valid} valid sets proven"
        );
    }

    #[test]
    fn far_apart_islands_are_valid_and_overlaps_and_shared_edges_are_not() {
        let sq = |x: f64, y: f64| polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)];
        assert!(check_multipolygon(&MultiPolygon(vec![
            sq(0.0, 0.0),
            sq(5.0, 0.0),
            sq(0.0, 5.0)
        ]))
        .is_ok());
        let e = check_multipolygon(&MultiPolygon(vec![
            sq(5.0, 0.0),
            sq(0.0, 0.0),
            sq(0.5, 0.5),
        ]))
        .unwrap_err();
        assert!(e.contains("overlap"), "{e}");
        let e = check_multipolygon(&MultiPolygon(vec![sq(0.0, 0.0), sq(1.0, 0.0)])).unwrap_err();
        assert!(e.contains("touch on a line"), "{e}");
        // Touching at one corner is allowed.
        assert!(check_multipolygon(&MultiPolygon(vec![sq(0.0, 0.0), sq(1.0, 1.0)])).is_ok());
    }
}
