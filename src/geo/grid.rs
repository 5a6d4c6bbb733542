//! A grid of square cells over a region, the origins and destinations of accessibility
//! indicators (see `docs/access.md`).
//!
//! The cells are squares of `cell_m` metres in a local projection: the spherical transverse
//! Mercator of [`Projection`], centred on the centre of the bounding box the grid covers (the
//! same projection as the isochrones' surface). It is conformal and true to scale along its
//! central meridian; the scale error at `x` metres east or west of it is `cosh(x / R) - 1`:
//! 0.012 % at 100 km, 0.11 % at 300 km and 1.2 % at the largest half-width allowed
//! ([`MAX_HALF_EXTENT_M`], 1000 km), so within 100 km of the centre a cell's side is `cell_m`
//! metres on the ground to 0.012 %.
//!
//! Cells are numbered row-major from the north-west corner: row 0 is the northernmost row,
//! column 0 the westernmost; cell `r * cols + c` has the id `r{r}c{c}`, e.g. `r12c40`. The
//! grid is aligned on the projection's origin (cell edges fall on multiples of `cell_m` from
//! the bounding box's centre). A cell's edges are straight in the projection; in lon/lat
//! they are very slightly curved, and the polygon of a cell joins its four projected corners
//! by straight lon/lat segments (they part by under a centimetre at the middle of an edge
//! for cells of a kilometre, under a metre for cells of 10 km).

use geo::{Coord, LineString, Polygon};

pub use crate::geo::isochrone::Projection;

/// Most cells a grid may have: 5 million, the largest grid Conveyal Analysis supports
/// (<https://docs.conveyal.com/analysis/methodology>, "Spatial resolution"). A 250 m grid
/// over 500 × 500 km has 4 million cells. Beyond it the cell size is too small for the
/// region and [`Grid::covering`] says so.
pub const MAX_CELLS: usize = 5_000_000;

/// Largest distance from the grid's centre to its edge, east-west or north-south, metres:
/// beyond it the projection's scale error passes 1.2 %. A larger region is split into several
/// grids.
pub const MAX_HALF_EXTENT_M: f64 = 1_000_000.0;

/// Smallest and largest cell size, metres.
pub const CELL_M_RANGE: (f64, f64) = (10.0, 100_000.0);

/// A grid of square cells; see the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    proj: Projection,
    cell_m: f64,
    /// Projected x of the west edge of column 0, metres.
    west: f64,
    /// Projected y of the north edge of row 0, metres.
    north: f64,
    rows: usize,
    cols: usize,
}

impl Grid {
    /// The grid of `cell_m`-metre cells covering the bounding box `[min_lon, min_lat,
    /// max_lon, max_lat]` (degrees, WGS84), in a projection centred on the box's centre.
    /// Errors in a sentence naming the value and the fix: a box that is not finite, inverted,
    /// off the globe or wider than 2 × [`MAX_HALF_EXTENT_M`], a cell size outside
    /// [`CELL_M_RANGE`], or more than [`MAX_CELLS`] cells.
    pub fn covering(bbox: [f64; 4], cell_m: f64) -> Result<Grid, String> {
        let [w, s, e, n] = bbox;
        if !bbox.iter().all(|v| v.is_finite()) {
            return Err(format!(
                "the bounding box {bbox:?} has a coordinate that is not a number; give [min_lon, min_lat, max_lon, max_lat] in degrees"
            ));
        }
        if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
            return Err(format!(
                "the bounding box's longitudes {w} and {e} must lie in -180..180 degrees"
            ));
        }
        if !(-85.0..=85.0).contains(&s) || !(-85.0..=85.0).contains(&n) {
            return Err(format!(
                "the bounding box's latitudes {s} and {n} must lie in -85..85 degrees (the grid's projection does not reach the poles)"
            ));
        }
        if w > e || s > n {
            return Err(format!(
                "the bounding box [{w}, {s}, {e}, {n}] is inverted; give [min_lon, min_lat, max_lon, max_lat]"
            ));
        }
        if !(cell_m.is_finite() && (CELL_M_RANGE.0..=CELL_M_RANGE.1).contains(&cell_m)) {
            return Err(format!(
                "the cell size {cell_m} m is outside {}..{} m",
                CELL_M_RANGE.0, CELL_M_RANGE.1
            ));
        }
        let proj = Projection {
            lon0: (w + e) / 2.0,
            lat0: (s + n) / 2.0,
        };
        // The extreme projected coordinates of a lon/lat box lie on its edges (x and y have no
        // critical point inside); sample each edge, including its midpoint (the central
        // meridian, where a parallel's y peaks) and the equator if it crosses it (where a
        // meridian's x peaks).
        const K: usize = 64;
        let mut lats: Vec<f64> = (0..=K).map(|k| s + (n - s) * k as f64 / K as f64).collect();
        if s < 0.0 && n > 0.0 {
            lats.push(0.0);
        }
        let lons: Vec<f64> = (0..=K).map(|k| w + (e - w) * k as f64 / K as f64).collect();
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        let edge_points = lats
            .iter()
            .flat_map(|&lat| [(w, lat), (e, lat)])
            .chain(lons.iter().flat_map(|&lon| [(lon, s), (lon, n)]));
        for (lon, lat) in edge_points {
            let (x, y) = proj.forward(lon, lat);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let half = [x0.abs(), x1.abs(), y0.abs(), y1.abs()]
            .into_iter()
            .fold(0.0, f64::max);
        if half > MAX_HALF_EXTENT_M {
            return Err(format!(
                "the bounding box [{w}, {s}, {e}, {n}] reaches {:.0} km from its centre, over the limit of {:.0} km for one grid (the projection's scale error would pass 1.2 %); split the region into several grids",
                half / 1000.0,
                MAX_HALF_EXTENT_M / 1000.0
            ));
        }
        // West and south edges belong to a cell, east and north edges to the next one, so the
        // grid ends one cell past the cell holding the box's east and north extremes.
        let span = |cell_m: f64| {
            let west = (x0 / cell_m).floor() * cell_m;
            let east = (x1 / cell_m).floor() * cell_m + cell_m;
            let south = (y0 / cell_m).floor() * cell_m;
            let north = (y1 / cell_m).floor() * cell_m + cell_m;
            let cols = ((east - west) / cell_m).round();
            let rows = ((north - south) / cell_m).round();
            (west, north, rows, cols)
        };
        let (west, north, rows, cols) = span(cell_m);
        if cols * rows > MAX_CELLS as f64 {
            // The whole metres from the estimate up to the first size that fits (the cells'
            // alignment on the projection's origin makes the count step unevenly).
            let mut at_least = (cell_m * (cols * rows / MAX_CELLS as f64).sqrt()).ceil();
            while at_least < CELL_M_RANGE.1 && {
                let (_, _, r, c) = span(at_least);
                r * c > MAX_CELLS as f64
            } {
                at_least += 1.0;
            }
            return Err(format!(
                "a grid of {cell_m} m cells over this region has {} × {} = {:.0} cells, over the limit of {MAX_CELLS}; raise the cell size to at least {at_least:.0} m or cover a smaller region",
                rows,
                cols,
                cols * rows,
            ));
        }
        Ok(Grid {
            proj,
            cell_m,
            west,
            north,
            rows: rows as usize,
            cols: cols as usize,
        })
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Whether the grid has no cells (never: a grid covers at least one cell).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of rows (north to south).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (west to east).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Side of a cell, metres.
    pub fn cell_m(&self) -> f64 {
        self.cell_m
    }

    /// The projection from lon/lat to the grid's metres.
    pub fn projection(&self) -> &Projection {
        &self.proj
    }

    /// The cell at row `r`, column `c`.
    pub fn index(&self, r: usize, c: usize) -> usize {
        debug_assert!(r < self.rows && c < self.cols);
        r * self.cols + c
    }

    /// Row and column of cell `i`.
    pub fn row_col(&self, i: usize) -> (usize, usize) {
        (i / self.cols, i % self.cols)
    }

    /// The id of cell `i`, `r{row}c{col}`.
    pub fn id(&self, i: usize) -> String {
        let (r, c) = self.row_col(i);
        format!("r{r}c{c}")
    }

    /// The cell an id `r{row}c{col}` names, if it is in the grid.
    pub fn parse_id(&self, id: &str) -> Option<usize> {
        let rest = id.strip_prefix('r')?;
        let (r, c) = rest.split_once('c')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(r) || !digits(c) {
            return None;
        }
        let (r, c): (usize, usize) = (r.parse().ok()?, c.parse().ok()?);
        (r < self.rows && c < self.cols).then(|| self.index(r, c))
    }

    /// The projected rectangle of cell `i`: `[west, south, east, north]`, metres.
    pub fn rect_m(&self, i: usize) -> [f64; 4] {
        let (r, c) = self.row_col(i);
        let west = self.west + c as f64 * self.cell_m;
        let north = self.north - r as f64 * self.cell_m;
        [west, north - self.cell_m, west + self.cell_m, north]
    }

    /// The projected extent of the whole grid: `[west, south, east, north]`, metres.
    pub fn extent_m(&self) -> [f64; 4] {
        [
            self.west,
            self.north - self.rows as f64 * self.cell_m,
            self.west + self.cols as f64 * self.cell_m,
            self.north,
        ]
    }

    /// The centre of cell `i` in lon/lat (the projected centre, taken back to WGS84).
    pub fn centroid(&self, i: usize) -> (f64, f64) {
        let [w, s, e, n] = self.rect_m(i);
        self.proj.inverse((w + e) / 2.0, (s + n) / 2.0)
    }

    /// The outline of cell `i` in lon/lat: its four corners counter-clockwise from the
    /// south-west, closed (RFC 7946 winding).
    pub fn polygon(&self, i: usize) -> Polygon<f64> {
        let [w, s, e, n] = self.rect_m(i);
        let corner = |x: f64, y: f64| {
            let (lon, lat) = self.proj.inverse(x, y);
            Coord { x: lon, y: lat }
        };
        let sw = corner(w, s);
        let ring = vec![sw, corner(e, s), corner(e, n), corner(w, n), sw];
        Polygon::new(LineString(ring), vec![])
    }

    /// The cell containing a projected point (west and south edges belong to the cell, east
    /// and north edges to the next one), if it is in the grid.
    pub fn cell_at_m(&self, x: f64, y: f64) -> Option<usize> {
        let c = ((x - self.west) / self.cell_m).floor();
        let r = ((self.north - y) / self.cell_m).ceil() - 1.0;
        let inside = c >= 0.0 && r >= 0.0 && c < self.cols as f64 && r < self.rows as f64;
        inside.then(|| self.index(r as usize, c as usize))
    }

    /// The cell containing a lon/lat point, if it is in the grid.
    pub fn cell_at(&self, lon: f64, lat: f64) -> Option<usize> {
        let (x, y) = self.proj.forward(lon, lat);
        self.cell_at_m(x, y)
    }

    /// The rows and columns whose cells meet the projected box `[west, south, east, north]`
    /// (half-open ranges, empty if the box misses the grid).
    pub fn span_m(&self, b: [f64; 4]) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let clamp = |v: f64, hi: usize| v.clamp(0.0, hi as f64) as usize;
        let c0 = clamp(((b[0] - self.west) / self.cell_m).floor(), self.cols);
        let c1 = clamp(((b[2] - self.west) / self.cell_m).floor() + 1.0, self.cols);
        let r0 = clamp(((self.north - b[3]) / self.cell_m).floor(), self.rows);
        let r1 = clamp(((self.north - b[1]) / self.cell_m).floor() + 1.0, self.rows);
        (r0..r1.max(r0), c0..c1.max(c0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::model::haversine_m;

    const GZ: [f64; 4] = [112.9, 22.5, 114.1, 23.7];

    #[test]
    fn cells_are_squares_of_the_given_size_on_the_ground() {
        let g = Grid::covering(GZ, 1000.0).unwrap();
        for i in [0, g.len() / 2, g.len() - 1, g.cols() * 7 + 3] {
            let p = g.polygon(i);
            let c = &p.exterior().0;
            assert_eq!(c.len(), 5);
            for k in 0..4 {
                let d = haversine_m(c[k].x, c[k].y, c[k + 1].x, c[k + 1].y);
                // Scale error of the projection: under 0.01 % within 70 km of the centre.
                assert!((d - 1000.0).abs() < 1.0, "cell {i} edge {k}: {d} m");
            }
        }
    }

    #[test]
    fn the_grid_covers_the_box_and_no_more_than_a_cell_beyond() {
        let g = Grid::covering(GZ, 2000.0).unwrap();
        for (lon, lat) in [
            (GZ[0], GZ[1]),
            (GZ[2], GZ[3]),
            (GZ[0], GZ[3]),
            (GZ[2], GZ[1]),
            (113.5, 23.1),
            (113.5, GZ[3]),
            (GZ[0], 23.1),
        ] {
            assert!(g.cell_at(lon, lat).is_some(), "({lon}, {lat}) outside");
        }
        // A cell's width beyond the box is outside (rounding to whole cells adds less).
        let [w, s, e, n] = g.extent_m();
        assert!(g.cell_at_m(w - 1.0, (s + n) / 2.0).is_none());
        assert!(g.cell_at_m(e + 1.0, (s + n) / 2.0).is_none());
        let (x_east, _) = g.projection().forward(GZ[2], 23.1);
        assert!(e - x_east < 2000.0 + 1e-6);
    }

    #[test]
    fn ids_row_major_from_the_north_west() {
        let g = Grid::covering(GZ, 5000.0).unwrap();
        assert_eq!(g.id(0), "r0c0");
        assert_eq!(g.id(g.cols() + 2), "r1c2");
        assert_eq!(g.parse_id("r1c2"), Some(g.cols() + 2));
        for bad in [
            "", "r", "r1", "c1", "r1c", "rc1", "r-1c2", "r1c2x", "x1c2", "r+1c2",
        ] {
            assert_eq!(g.parse_id(bad), None, "{bad}");
        }
        assert_eq!(g.parse_id(&format!("r{}c0", g.rows())), None);
        let (lon0, lat0) = g.centroid(0);
        let (lon1, lat1) = g.centroid(g.cols());
        let (lon2, _) = g.centroid(1);
        assert!(lat1 < lat0, "row 1 is south of row 0");
        assert!(lon2 > lon0, "column 1 is east of column 0");
        assert!((lon1 - lon0).abs() < 1e-3);
        for i in 0..g.len() {
            let (lon, lat) = g.centroid(i);
            assert_eq!(g.cell_at(lon, lat), Some(i));
            assert_eq!(g.parse_id(&g.id(i)), Some(i));
        }
    }

    #[test]
    fn polygons_wind_counter_clockwise() {
        use geo::Area;
        let g = Grid::covering(GZ, 3000.0).unwrap();
        for i in 0..g.len() {
            assert!(g.polygon(i).signed_area() > 0.0);
        }
    }

    #[test]
    fn bad_boxes_and_sizes_are_refused_with_a_reason() {
        let e = |b: [f64; 4], m: f64| Grid::covering(b, m).unwrap_err();
        assert!(e([f64::NAN, 0.0, 1.0, 1.0], 100.0).contains("not a number"));
        assert!(e([114.0, 22.0, 113.0, 23.0], 100.0).contains("inverted"));
        assert!(e([0.0, 86.0, 1.0, 87.0], 100.0).contains("-85..85"));
        assert!(e([-200.0, 0.0, 1.0, 1.0], 100.0).contains("-180..180"));
        assert!(e(GZ, 5.0).contains("cell size"));
        assert!(e(GZ, f64::INFINITY).contains("cell size"));
        assert!(e([100.0, 10.0, 130.0, 40.0], 5000.0).contains("split the region"));
        let msg = e(GZ, 10.0);
        assert!(msg.contains("over the limit of 5000000"), "{msg}");
        assert!(msg.contains("raise the cell size to at least"), "{msg}");
        // The size it suggests is enough.
        let at_least = suggested_cell(&msg);
        assert!(Grid::covering(GZ, at_least + 1.0).is_ok());
    }

    /// The cell size a "grid too fine" message suggests ("... at least N m ...").
    fn suggested_cell(msg: &str) -> f64 {
        msg.split("at least ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no size suggested in: {msg}"))
    }

    #[test]
    fn the_cell_size_suggested_for_a_grid_too_fine_is_accepted() {
        // The extent of the Guangzhou districts suggested 186 m, then refused 186 m for 187.
        let boxes = [
            GZ,
            [112.95, 22.56, 114.06, 23.94],
            [111.051971, 21.46156, 114.744449, 25.519625],
            [-51.3, -30.3, -51.0, -29.9],
        ];
        for b in boxes {
            for m in [10.0, 20.0, 37.0, 50.0, 99.0] {
                let Err(msg) = Grid::covering(b, m) else {
                    continue;
                };
                let at_least = suggested_cell(&msg);
                assert!(
                    Grid::covering(b, at_least).is_ok(),
                    "{b:?} at {m} m: suggested {at_least} m, refused"
                );
            }
        }
    }

    #[test]
    fn a_point_box_has_one_cell_and_a_box_across_the_equator_is_covered() {
        let g = Grid::covering([113.0, 23.0, 113.0, 23.0], 500.0).unwrap();
        assert_eq!(g.len(), 1);
        let g = Grid::covering([-51.3, -0.4, -51.0, 0.3], 1000.0).unwrap();
        for (lon, lat) in [(-51.3, 0.0), (-51.0, 0.0), (-51.3, -0.4), (-51.0, 0.3)] {
            assert!(g.cell_at(lon, lat).is_some());
        }
    }

    #[test]
    fn span_covers_exactly_the_cells_a_box_meets() {
        let g = Grid::covering(GZ, 4000.0).unwrap();
        let r = g.rect_m(g.index(3, 5));
        let (rows, cols) = g.span_m([r[0] + 1.0, r[1] + 1.0, r[2] - 1.0, r[3] - 1.0]);
        assert_eq!((rows, cols), (3..4, 5..6));
        let (rows, cols) = g.span_m([r[0] - 1.0, r[1] - 1.0, r[2] + 1.0, r[3] + 1.0]);
        assert_eq!((rows, cols), (2..5, 4..7));
        let [w, s, _, _] = g.extent_m();
        let (rows, cols) = g.span_m([w - 10.0, s - 10.0, w - 5.0, s - 5.0]);
        assert!(rows.is_empty() || cols.is_empty());
    }
}
