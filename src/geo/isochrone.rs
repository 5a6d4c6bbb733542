//! Isochrones: the area reached from an origin within each of several thresholds, as valid,
//! nested polygons in WGS84 ready for GIS tools. The method is described in `docs/isochrones.md`.
//!
//! Pipeline, one job per (origin, scenario):
//! 1. *sweep*: one bounded search from the origin over the compiled graph (the engine's
//!    `Workspace`);
//! 2. *sources*: every reached place (transit: stations, centres, zones; car: road nodes and
//!    the origin itself), with the time at which the last, off-network leg can start there;
//! 3. *surface*: a regular grid in a local transverse Mercator projection; a grid point's time
//!    is the best over the sources of `start + distance × pace + end`, up to the maximum access
//!    distance (walking radius, or car connector radius);
//! 4. *contour*: marching squares (the `contour` crate) on the same surface once per
//!    threshold, keeping `time <= threshold`; rings are assembled into polygons here (each
//!    hole to the smallest exterior that contains it), so a band for a larger threshold
//!    contains the band for a smaller one by construction;
//! 5. *reprojection* to WGS84 lon/lat, rounding to 6 decimals, RFC 7946 winding, a validity
//!    check, area (Chamberlain–Duquette) and the population inside (the cells of the network's
//!    population surface whose centre lies in the band, else the zones whose point does).
//!
//! Glossary: a *grid point* carries one value of the surface (the `contour` crate calls it a
//! pixel); *cell size* is the spacing of grid points in metres; a *band* is the (Multi)Polygon
//! of one threshold; a *speck* is a polygon or hole smaller than a hundredth of a cell, below
//! what the grid can resolve, dropped.

use geo::orient::{Direction, Orient};
use geo::{ChamberlainDuquetteArea, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{json, Map, Value};

use crate::analysis::population::PopulationSurface;
use crate::engine::{Queue, Workspace};
use crate::geo::style::band_colour;
use crate::graph::Prepared;
use crate::graph::Profile;
use crate::network::ids::{NodeId, PlaceIdx, Seconds, UNREACHED};
use crate::network::model::{Network, PlaceKind};

/// Mean Earth radius, metres (the same as `model::haversine_m`).
const EARTH_R: f64 = 6_371_008.8;

/// Value of a grid point that no source reaches, seconds: larger than any threshold.
pub const UNREACHED_S: f64 = 1.0e12;

/// Beyond the maximum access distance the surface rises as a cliff of this many seconds per
/// cell, so that the contour of a threshold falls on the access circle (interpolated between
/// grid points) instead of snapping back to the last grid point inside it.
const CLIFF_S_PER_CELL: f64 = 86_400.0;

/// Largest grid a job may allocate (points). Beyond it the cell size is too small for the
/// region; the user is told to raise it.
pub const MAX_GRID_POINTS: usize = 60_000_000;

/// Thresholds and grid of an isochrone batch.
#[derive(Clone, Debug, PartialEq)]
pub struct IsoParams {
    /// Thresholds in minutes, strictly increasing, each > 0.
    pub thresholds_min: Vec<f64>,
    /// Grid spacing, metres.
    pub cell_m: f64,
    /// Maximum access distance from a reached place to a grid point, metres; `None`: the
    /// profile's own (walking radius for transit, connector radius for car).
    pub max_access_m: Option<f64>,
    /// Interpolate contours between grid points (marching squares with linear
    /// interpolation); without it vertices sit half-way between grid points.
    pub smooth: bool,
}

impl Default for IsoParams {
    fn default() -> Self {
        IsoParams {
            thresholds_min: vec![15.0, 30.0, 45.0, 60.0],
            cell_m: 250.0,
            max_access_m: None,
            smooth: true,
        }
    }
}

impl IsoParams {
    /// Checks the parameters, saying what is wrong in a sentence.
    pub fn check(&self) -> Result<(), String> {
        if self.thresholds_min.is_empty() {
            return Err(
                "give at least one threshold (minutes), e.g. --thresholds 15,30,45,60".into(),
            );
        }
        for &t in &self.thresholds_min {
            if !(t.is_finite() && t > 0.0 && t <= 24.0 * 60.0) {
                return Err(format!(
                    "threshold {t} is not a number of minutes in (0, 1440]"
                ));
            }
        }
        if self.thresholds_min.windows(2).any(|w| w[0] >= w[1]) {
            return Err("thresholds must be strictly increasing, e.g. 15,30,45,60".into());
        }
        if !(self.cell_m.is_finite() && (10.0..=10_000.0).contains(&self.cell_m)) {
            return Err(format!(
                "cell size {} m is outside 10..10000 m",
                self.cell_m
            ));
        }
        if let Some(m) = self.max_access_m {
            if !(m.is_finite() && (0.0..=100_000.0).contains(&m)) {
                return Err(format!(
                    "maximum access distance {m} m is outside 0..100000 m"
                ));
            }
        }
        Ok(())
    }

    /// The largest threshold, seconds.
    pub fn max_threshold_s(&self) -> f64 {
        self.thresholds_min.iter().copied().fold(0.0, f64::max) * 60.0
    }
}

/// A spherical transverse Mercator projection centred on a region: conformal, with a scale
/// error below 0.05 % within 200 km of the central meridian, so grid distances are metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// Central meridian, degrees.
    pub lon0: f64,
    /// Latitude of origin, degrees.
    pub lat0: f64,
}

impl Projection {
    /// Centred on the bounding box of a network's places (its declared `bbox` if it has none).
    pub fn for_network(net: &Network) -> Projection {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in &net.places {
            b = [
                b[0].min(p.lon),
                b[1].min(p.lat),
                b[2].max(p.lon),
                b[3].max(p.lat),
            ];
        }
        if !b.iter().all(|v| v.is_finite()) {
            b = net.bbox;
        }
        Projection {
            lon0: (b[0] + b[2]) / 2.0,
            lat0: (b[1] + b[3]) / 2.0,
        }
    }

    /// WGS84 lon/lat (degrees) to projected x (east) and y (north), metres.
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        let lam = (lon - self.lon0).to_radians();
        let phi = lat.to_radians();
        let b = phi.cos() * lam.sin();
        let x = EARTH_R * b.atanh();
        let y = EARTH_R * (phi.tan().atan2(lam.cos()) - self.lat0.to_radians());
        (x, y)
    }

    /// Projected metres back to WGS84 lon/lat, degrees.
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let d = y / EARTH_R + self.lat0.to_radians();
        let xr = x / EARTH_R;
        let phi = (d.sin() / xr.cosh()).clamp(-1.0, 1.0).asin();
        let lam = xr.sinh().atan2(d.cos());
        (self.lon0 + lam.to_degrees(), phi.to_degrees())
    }
}

/// The last, off-network leg from a reached place to a grid point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccessModel {
    /// Seconds per straight-line metre (detour factor over speed).
    pub s_per_m: f64,
    /// Maximum straight-line distance, metres.
    pub max_m: f64,
    /// Seconds added once at the end (car: parking and walking to the door).
    pub end_s: f64,
}

impl AccessModel {
    /// The profile's access leg: walking for transit; for the car, local streets at the
    /// connector speed plus parking, like the graph's connectors.
    pub fn for_profile(net: &Network, profile: Profile, max_access_m: Option<f64>) -> AccessModel {
        match profile {
            Profile::Transit | Profile::Station => {
                let w = &net.settings.walking;
                AccessModel {
                    s_per_m: w.detour / (w.speed_kmh / 3.6),
                    max_m: max_access_m.unwrap_or(w.radius_m),
                    end_s: 0.0,
                }
            }
            Profile::Car => {
                let c = &net.settings.car;
                AccessModel {
                    s_per_m: c.detour / (c.speed_kmh / 3.6),
                    max_m: max_access_m.unwrap_or(c.radius_km * 1000.0),
                    end_s: c.park_min * 60.0,
                }
            }
        }
    }

    /// Seconds of the access leg over `d` metres (within the maximum distance).
    #[inline]
    pub fn leg_s(&self, d: f64) -> f64 {
        d * self.s_per_m + self.end_s
    }
}

/// A reached place in projected metres, with the time (seconds) at which the access leg from
/// it can start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Source {
    /// Projected x (easting), metres.
    pub x: f64,
    /// Projected y (northing), metres.
    pub y: f64,
    /// Seconds from the origin at which the access leg from this place can start.
    pub start_s: f64,
}

/// The surface's sources from a finished search from `origin`: places reached within
/// `max_s` (they cannot contribute to a grid point under the largest threshold otherwise).
///
/// Transit: every reached station, centre and zone, at its time. Car: every reached road node
/// at its time (still in the car; the parking at the end is the access leg's `end_s`), and the
/// origin itself after `park_min` (walking to the car), so that the origin's neighbourhood is
/// reached by local streets directly, parking at both ends like any car trip. (The graph has no
/// such direct local drive between two places: it goes through a junction. Near the origin
/// the car surface can therefore be faster than the engine's time to a place; see
/// docs/isochrones.md.)
pub fn sources(
    p: &Prepared,
    ws: &Workspace,
    origin: PlaceIdx,
    proj: &Projection,
    access: &AccessModel,
    max_s: f64,
) -> Vec<Source> {
    let n_places = p.graph.n_places as usize;
    let mut out = Vec::new();
    let push = |out: &mut Vec<Source>, pi: usize, start_s: f64| {
        if start_s + access.end_s <= max_s {
            let pl = &p.net.places[pi];
            let (x, y) = proj.forward(pl.lon, pl.lat);
            out.push(Source { x, y, start_s });
        }
    };
    let mut reached: Vec<u32> = match ws.reached() {
        Some(list) => list
            .iter()
            .copied()
            .filter(|&v| (v as usize) < n_places)
            .collect(),
        None => (0..n_places as u32)
            .filter(|&v| ws.distances()[v as usize] != UNREACHED)
            .collect(),
    };
    reached.sort_unstable(); // deterministic order whatever the queue did
    match p.graph.profile {
        Profile::Transit | Profile::Station => {
            for v in reached {
                let t = ws.distances()[v as usize];
                if t != UNREACHED && p.net.places[v as usize].kind != PlaceKind::RoadNode {
                    push(&mut out, v as usize, t as f64);
                }
            }
        }
        Profile::Car => {
            push(&mut out, origin.idx(), p.net.settings.car.park_min * 60.0);
            for v in reached {
                let t = ws.distances()[v as usize];
                if t != UNREACHED && p.net.places[v as usize].kind == PlaceKind::RoadNode {
                    push(&mut out, v as usize, t as f64);
                }
            }
        }
    }
    out
}

/// A travel-time surface: seconds at grid points `(i, j)`, at projected
/// `(i * cell_m, j * cell_m)`. The grid is aligned on the projection's origin, so surfaces of
/// different origins and scenarios share their grid points.
#[derive(Clone, Debug, PartialEq)]
pub struct Surface {
    /// Grid spacing, metres.
    pub cell_m: f64,
    /// Global index of the first column.
    pub i0: i64,
    /// Global index of the first row.
    pub j0: i64,
    /// Number of columns.
    pub nx: usize,
    /// Number of rows.
    pub ny: usize,
    /// Row-major (`j * nx + i`), seconds; `UNREACHED_S` where nothing reaches.
    pub secs: Vec<f64>,
}

impl Surface {
    /// Seconds at local grid point `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.secs[j * self.nx + i]
    }

    /// Projected coordinates of local grid point `(i, j)`.
    pub fn xy(&self, i: usize, j: usize) -> (f64, f64) {
        (
            (self.i0 + i as i64) as f64 * self.cell_m,
            (self.j0 + j as i64) as f64 * self.cell_m,
        )
    }

    /// The local grid point nearest to projected `(x, y)`, if inside the grid.
    pub fn nearest(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let i = (x / self.cell_m).round() as i64 - self.i0;
        let j = (y / self.cell_m).round() as i64 - self.j0;
        (i >= 0 && j >= 0 && (i as usize) < self.nx && (j as usize) < self.ny)
            .then_some((i as usize, j as usize))
    }
}

/// How far from a source the surface is computed: the access distance, or less when the time
/// budget runs out first, plus two cells so that contours can interpolate towards the
/// outside.
fn reach_m(s: &Source, access: &AccessModel, max_s: f64, cell: f64) -> f64 {
    let budget_m = ((max_s - s.start_s - access.end_s) / access.s_per_m).max(0.0);
    access.max_m.min(budget_m) + 2.0 * cell
}

/// The value a source gives a point at distance `d` metres: the access leg inside the
/// maximum distance, a steep cliff beyond it (see `CLIFF_S_PER_CELL`).
#[inline]
fn source_value(s: &Source, access: &AccessModel, d: f64, cell: f64) -> f64 {
    if d <= access.max_m {
        s.start_s + access.leg_s(d)
    } else {
        s.start_s + access.leg_s(access.max_m) + (d - access.max_m) / cell * CLIFF_S_PER_CELL
    }
}

/// The bytes all surfaces being built at once may take together (each grid point is an `f64`):
/// searches run on every thread, but grids wait for room, so the memory of a batch of
/// isochrones is bounded by this (or by one grid, if a single grid is larger) whatever the
/// number of threads.
pub const GRID_MEMORY_BUDGET: usize = 1 << 30;

/// A counting semaphore over grid bytes.
struct GridBudget {
    used: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

static GRID_BUDGET: GridBudget = GridBudget {
    used: std::sync::Mutex::new(0),
    freed: std::sync::Condvar::new(),
};

/// Room for one grid, given back when dropped.
struct GridPermit(usize);

impl GridBudget {
    /// Waits until `bytes` fit in the budget (a grid larger than the whole budget waits until
    /// it is alone).
    fn acquire(&'static self, bytes: usize) -> GridPermit {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + bytes > GRID_MEMORY_BUDGET {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += bytes;
        GridPermit(bytes)
    }
}

impl Drop for GridPermit {
    fn drop(&mut self) {
        let mut used = GRID_BUDGET.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.0;
        GRID_BUDGET.freed.notify_all();
    }
}

/// The grid `surface` lays over these sources: first column and row, columns and rows
/// (`None` without sources). One unreached point of margin on every side, so every ring
/// closes inside the grid.
fn grid_extent(
    sources: &[Source],
    access: &AccessModel,
    cell_m: f64,
    max_s: f64,
) -> Option<(i64, i64, usize, usize)> {
    if sources.is_empty() {
        return None;
    }
    let mut lo = (i64::MAX, i64::MAX);
    let mut hi = (i64::MIN, i64::MIN);
    for s in sources {
        let r = reach_m(s, access, max_s, cell_m);
        lo.0 = lo.0.min(((s.x - r) / cell_m).floor() as i64);
        lo.1 = lo.1.min(((s.y - r) / cell_m).floor() as i64);
        hi.0 = hi.0.max(((s.x + r) / cell_m).ceil() as i64);
        hi.1 = hi.1.max(((s.y + r) / cell_m).ceil() as i64);
    }
    let (i0, j0) = (lo.0 - 1, lo.1 - 1);
    Some((i0, j0, (hi.0 - i0 + 2) as usize, (hi.1 - j0 + 2) as usize))
}

/// The number of grid points `surface` will allocate for these sources.
fn surface_points(sources: &[Source], access: &AccessModel, cell_m: f64, max_s: f64) -> usize {
    grid_extent(sources, access, cell_m, max_s).map_or(0, |(_, _, nx, ny)| {
        nx.saturating_mul(ny).min(MAX_GRID_POINTS)
    })
}

/// The travel-time surface of `sources`, exact at every grid point whose time is at most
/// `max_s`; slower points may be left above their true time (or at `UNREACHED_S`), which only
/// matters for interpolating contours at them. Cost: O(sources × points within reach).
pub fn surface(
    sources: &[Source],
    access: &AccessModel,
    cell_m: f64,
    max_s: f64,
) -> Result<Surface, String> {
    let Some((i0, j0, nx, ny)) = grid_extent(sources, access, cell_m, max_s) else {
        return Ok(Surface {
            cell_m,
            i0: 0,
            j0: 0,
            nx: 0,
            ny: 0,
            secs: vec![],
        });
    };
    if nx.saturating_mul(ny) > MAX_GRID_POINTS {
        return Err(format!(
            "a {cell_m} m grid over the reached area needs {nx} x {ny} points (more than {MAX_GRID_POINTS}); use a larger --cell"
        ));
    }
    let mut secs = vec![UNREACHED_S; nx * ny];
    for s in sources {
        let r = reach_m(s, access, max_s, cell_m);
        let ia = (((s.x - r) / cell_m).floor() as i64 - i0).max(0) as usize;
        let ib = ((((s.x + r) / cell_m).ceil() as i64 - i0) as usize).min(nx - 1);
        let ja = (((s.y - r) / cell_m).floor() as i64 - j0).max(0) as usize;
        let jb = ((((s.y + r) / cell_m).ceil() as i64 - j0) as usize).min(ny - 1);
        let r2 = r * r;
        for j in ja..=jb {
            let dy = (j0 + j as i64) as f64 * cell_m - s.y;
            let dy2 = dy * dy;
            if dy2 > r2 {
                continue;
            }
            let row = &mut secs[j * nx..(j + 1) * nx];
            for (i, v) in row.iter_mut().enumerate().take(ib + 1).skip(ia) {
                let dx = (i0 + i as i64) as f64 * cell_m - s.x;
                let d2 = dx * dx + dy2;
                if d2 <= r2 {
                    let t = source_value(s, access, d2.sqrt(), cell_m);
                    if t < *v {
                        *v = t;
                    }
                }
            }
        }
    }
    Ok(Surface {
        cell_m,
        i0,
        j0,
        nx,
        ny,
        secs,
    })
}

/// Brute-force reference for `surface` at one point: the best over all sources, used by the
/// tests (no grid, no pruning).
pub fn reference_time(
    sources: &[Source],
    access: &AccessModel,
    cell_m: f64,
    x: f64,
    y: f64,
) -> f64 {
    sources
        .iter()
        .map(|s| {
            let d = ((x - s.x).powi(2) + (y - s.y).powi(2)).sqrt();
            if d <= access.max_m + 2.0 * cell_m {
                source_value(s, access, d, cell_m)
            } else {
                UNREACHED_S
            }
        })
        .fold(UNREACHED_S, f64::min)
}

/// Signed area of a closed ring (shoelace; positive counter-clockwise in x-east, y-north).
fn signed_area(r: &[Coord<f64>]) -> f64 {
    let mut a = 0.0;
    for w in r.windows(2) {
        a += w[0].x * w[1].y - w[1].x * w[0].y;
    }
    a / 2.0
}

fn ring_bbox(r: &[Coord<f64>]) -> [f64; 4] {
    r.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

/// Even-odd point in ring test.
fn ring_contains(r: &[Coord<f64>], p: Coord<f64>) -> bool {
    let mut inside = false;
    let n = r.len();
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (r[i], r[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The region `time <= threshold_s` of a surface as a MultiPolygon in projected metres.
///
/// Marching squares from the `contour` crate on the negated surface (it keeps
/// `value >= threshold`), limited to the bounding box of the points under the threshold plus
/// one point of margin (the values are the same, so the rings are too). With `smooth`, ring
/// vertices are interpolated linearly between grid points, as the crate's own smoothing.
/// Rings are then assembled here: every hole goes to the smallest exterior containing it, and
/// specks (less than a hundredth of a cell) are dropped.
pub fn contour(s: &Surface, threshold_s: f64, smooth: bool) -> Result<MultiPolygon<f64>, String> {
    let (mut ia, mut ib, mut ja, mut jb) = (usize::MAX, 0usize, usize::MAX, 0usize);
    for j in 0..s.ny {
        for i in 0..s.nx {
            if s.get(i, j) <= threshold_s {
                ia = ia.min(i);
                ib = ib.max(i);
                ja = ja.min(j);
                jb = jb.max(j);
            }
        }
    }
    if ia == usize::MAX {
        return Ok(MultiPolygon(vec![]));
    }
    let (ia, ja) = (ia.saturating_sub(1), ja.saturating_sub(1));
    let (ib, jb) = ((ib + 1).min(s.nx - 1), (jb + 1).min(s.ny - 1));
    let (dx, dy) = (ib - ia + 1, jb - ja + 1);
    let mut w = Vec::with_capacity(dx * dy);
    for j in ja..=jb {
        w.extend(s.secs[j * s.nx + ia..=j * s.nx + ib].iter().map(|v| -v));
    }
    let thr = -threshold_s;
    let rings =
        contour::contour_rings(&w, thr, dx, dy).map_err(|e| format!("contouring failed: {e:?}"))?;
    // Grid value (i, j) sits at ring coordinate (i + 0.5, j + 0.5) in the crate's convention.
    let cell = s.cell_m;
    let x_origin = (s.i0 + ia as i64) as f64 * cell - 0.5 * cell;
    let y_origin = (s.j0 + ja as i64) as f64 * cell - 0.5 * cell;
    let min_area = 0.01 * cell * cell;
    let mut exteriors: Vec<(Vec<Coord<f64>>, f64, [f64; 4])> = Vec::new();
    let mut holes: Vec<(Vec<Coord<f64>>, f64, [f64; 4])> = Vec::new();
    for mut ring in rings {
        if smooth {
            smooth_ring(&mut ring, &w, thr, dx, dy);
        }
        let mut pts: Vec<Coord<f64>> = ring
            .iter()
            .map(|p| Coord {
                x: x_origin + p.x * cell,
                y: y_origin + p.y * cell,
            })
            .collect();
        pts.dedup();
        if pts.len() < 4 {
            continue;
        }
        if pts.first() != pts.last() {
            pts.push(pts[0]);
        }
        let a = signed_area(&pts);
        if a.abs() < min_area {
            continue; // a speck, below the grid's resolution
        }
        let bb = ring_bbox(&pts);
        // The crate's rings around `value >= threshold` run clockwise; holes anticlockwise.
        if a < 0.0 {
            exteriors.push((pts, -a, bb));
        } else {
            holes.push((pts, a, bb));
        }
    }
    // Smallest exterior first, so a hole finds its own polygon, not one around a lake that
    // encloses its island.
    exteriors.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); exteriors.len()];
    for (h, ha, hb) in holes {
        let probe = h[0];
        let owner = exteriors.iter().position(|(e, ea, eb)| {
            *ea > ha
                && eb[0] <= hb[0]
                && eb[1] <= hb[1]
                && eb[2] >= hb[2]
                && eb[3] >= hb[3]
                && ring_contains(e, probe_inside(&h, probe, e))
        });
        if let Some(k) = owner {
            interiors[k].push(LineString(h));
        }
        // A hole with no exterior cannot arise from marching squares; dropping it is safe.
    }
    let polys = exteriors
        .into_iter()
        .zip(interiors)
        .map(|((e, _, _), ints)| Polygon::new(LineString(e), ints))
        .collect();
    Ok(MultiPolygon(polys))
}

/// A vertex of hole `h` that does not lie on ring `e`'s vertices (holes and exteriors of one
/// contour never cross but may touch at a vertex), to test containment with.
fn probe_inside(h: &[Coord<f64>], first: Coord<f64>, e: &[Coord<f64>]) -> Coord<f64> {
    h.iter().copied().find(|c| !e.contains(c)).unwrap_or(first)
}

/// Linear interpolation of ring vertices between the grid values on either side, as in the
/// `contour` crate's `ContourBuilder` (whose smoothing is private).
fn smooth_ring(ring: &mut [Coord<f64>], values: &[f64], thr: f64, dx: usize, dy: usize) {
    for p in ring.iter_mut() {
        let (x, y) = (p.x, p.y);
        let (xt, yt) = (x.trunc() as usize, y.trunc() as usize);
        let ix = yt * dx + xt;
        if ix >= values.len() {
            continue;
        }
        let v1 = values[ix];
        if x > 0.0 && x < dx as f64 && (xt as f64 - x).abs() < f64::EPSILON && xt >= 1 {
            let v0 = values[yt * dx + xt - 1];
            if v1 != v0 {
                p.x = x + (thr - v0) / (v1 - v0) - 0.5;
            }
        }
        if y > 0.0 && y < dy as f64 && (yt as f64 - y).abs() < f64::EPSILON && yt >= 1 {
            let v0 = values[(yt - 1) * dx + xt];
            if v1 != v0 {
                p.y = y + (thr - v0) / (v1 - v0) - 0.5;
            }
        }
    }
}

/// Rounds a coordinate to 6 decimals (about 0.1 m), as RFC 7946 recommends.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Projected MultiPolygon to WGS84 lon/lat, rounded to 6 decimals, with repeated points and
/// rings collapsed by the rounding removed, exteriors counter-clockwise and holes clockwise.
pub fn to_wgs84(mp: &MultiPolygon<f64>, proj: &Projection) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        let mut pts: Vec<Coord<f64>> =
            ls.0.iter()
                .map(|c| {
                    let (lon, lat) = proj.inverse(c.x, c.y);
                    Coord {
                        x: round6(lon),
                        y: round6(lat),
                    }
                })
                .collect();
        pts.dedup();
        (pts.len() >= 4 && signed_area(&pts) != 0.0).then_some(LineString(pts))
    };
    let polys =
        mp.0.iter()
            .filter_map(|p| {
                let ext = ring(p.exterior())?;
                let ints = p.interiors().iter().filter_map(ring).collect();
                Some(Polygon::new(ext, ints))
            })
            .collect();
    MultiPolygon(polys).orient(Direction::Default)
}

/// One threshold of an isochrone.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The threshold, minutes.
    pub minutes: f64,
    /// WGS84 lon/lat, RFC 7946 winding, 6 decimals.
    pub geometry: MultiPolygon<f64>,
    /// Area of the band, km².
    pub area_km2: f64,
    /// Resident population inside: of the population surface's cells whose centre lies in the
    /// band (rounded to whole people), or, for a network without a surface, of the zones
    /// whose point lies in it.
    pub population: u64,
}

/// The isochrone of one origin in one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Isochrone {
    /// Place id of the origin.
    pub origin: String,
    /// Name of the origin in English.
    pub origin_name: String,
    /// Name of the scenario.
    pub scenario: String,
    /// Travel profile the network was compiled for.
    pub profile: Profile,
    /// One band per threshold, in increasing order.
    pub bands: Vec<Band>,
}

/// Everything a batch shares: projection, access leg, parameters.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Projection from WGS84 degrees to the grid's metres.
    pub proj: Projection,
    /// Thresholds, grid spacing and access leg.
    pub params: IsoParams,
    /// The people counted in the bands: the network's population surface, if it has one
    /// (else its zones).
    pub population: Option<std::sync::Arc<PopulationSurface>>,
}

/// Computes the isochrone of `origin` on a prepared network, reusing `ws` for the search.
pub fn isochrone(
    p: &Prepared,
    ws: &mut Workspace,
    origin: PlaceIdx,
    frame: &Frame,
    scenario: &str,
) -> Result<Isochrone, String> {
    let params = &frame.params;
    let access = AccessModel::for_profile(&p.net, p.graph.profile, params.max_access_m);
    let max_s = params.max_threshold_s();
    let bound = (max_s.ceil() as Seconds).min(UNREACHED - 1);
    ws.run(
        &p.graph.csr,
        p.graph.place_node(origin),
        bound,
        Queue::Bucket,
        false,
    );
    let src = sources(p, ws, origin, &frame.proj, &access, max_s);
    let pl = p.net.place(origin);
    from_sources(p, &src, &access, (&pl.id, &pl.name), frame, scenario)
}

/// The isochrone of an arbitrary point (`lon`, `lat`, WGS84 degrees) that is no place of the
/// network: a search from `seeds` (places with the seconds it takes to reach them from the
/// point, e.g. stations on foot), whose reached places are sources as in [`isochrone`], and
/// the point itself a source (reached at once on transit; after `park_min`, walking to the
/// car, on the car profile). `origin` is the id and name the bands carry.
#[allow(clippy::too_many_arguments)]
pub fn isochrone_from_point(
    p: &Prepared,
    ws: &mut Workspace,
    (lon, lat): (f64, f64),
    seeds: &[(PlaceIdx, Seconds)],
    origin: (&str, &str),
    frame: &Frame,
    scenario: &str,
) -> Result<Isochrone, String> {
    let params = &frame.params;
    let access = AccessModel::for_profile(&p.net, p.graph.profile, params.max_access_m);
    let max_s = params.max_threshold_s();
    let bound = (max_s.ceil() as Seconds).min(UNREACHED - 1);
    let nodes: Vec<(NodeId, Seconds)> = seeds
        .iter()
        .filter(|&&(_, t)| t < bound)
        .map(|&(pl, t)| (p.graph.place_node(pl), t))
        .collect();
    let (x, y) = frame.proj.forward(lon, lat);
    let start_s = match p.graph.profile {
        Profile::Car => p.net.settings.car.park_min * 60.0,
        Profile::Transit | Profile::Station => 0.0,
    };
    let mut src = Vec::new();
    if start_s + access.end_s <= max_s {
        src.push(Source { x, y, start_s });
    }
    if !nodes.is_empty() {
        ws.run_multi(&p.graph.csr, &nodes, bound, Queue::Bucket, false);
        // The seeds are no origin place: `sources` is asked for the first seed's place, whose
        // extra car source (reached after parking) is dropped again, the point standing for it.
        let first = seeds[0].0;
        let mut reached = sources(p, ws, first, &frame.proj, &access, max_s);
        if p.graph.profile == Profile::Car && start_s + access.end_s <= max_s && !reached.is_empty()
        {
            reached.remove(0);
        }
        src.extend(reached);
    }
    from_sources(p, &src, &access, origin, frame, scenario)
}

/// The isochrone of `origin` from given times to every place (seconds, `UNREACHED` if not
/// reached): the timetable modes, where a place's time is a percentile over the departures of
/// a window. Each place reached is a source at its time, as in the transit profile.
pub fn isochrone_from_times(
    p: &Prepared,
    times: &[Seconds],
    origin: PlaceIdx,
    frame: &Frame,
    scenario: &str,
) -> Result<Isochrone, String> {
    let params = &frame.params;
    let access = AccessModel::for_profile(&p.net, Profile::Transit, params.max_access_m);
    let src = place_sources(p, times, &access, frame);
    let pl = p.net.place(origin);
    from_sources(p, &src, &access, (&pl.id, &pl.name), frame, scenario)
}

/// The isochrone of a point that is no place from given times to every place (as
/// [`isochrone_from_times`]), with the point itself a source at time 0: its own
/// neighbourhood on foot, as [`isochrone_from_point`] draws it.
pub fn isochrone_from_point_times(
    p: &Prepared,
    (lon, lat): (f64, f64),
    times: &[Seconds],
    origin: (&str, &str),
    frame: &Frame,
    scenario: &str,
) -> Result<Isochrone, String> {
    let params = &frame.params;
    let access = AccessModel::for_profile(&p.net, Profile::Transit, params.max_access_m);
    let max_s = params.max_threshold_s();
    let (x, y) = frame.proj.forward(lon, lat);
    let mut src = Vec::new();
    if access.end_s <= max_s {
        src.push(Source { x, y, start_s: 0.0 });
    }
    src.extend(place_sources(p, times, &access, frame));
    from_sources(p, &src, &access, origin, frame, scenario)
}

/// The places reached at `times` (road nodes left out) as sources, each whose access leg
/// could still fit under the largest threshold.
fn place_sources(
    p: &Prepared,
    times: &[Seconds],
    access: &AccessModel,
    frame: &Frame,
) -> Vec<Source> {
    let max_s = frame.params.max_threshold_s();
    times
        .iter()
        .enumerate()
        .filter(|&(i, &t)| {
            t != UNREACHED
                && p.net.places[i].kind != PlaceKind::RoadNode
                && t as f64 + access.end_s <= max_s
        })
        .map(|(i, &t)| {
            let pl = &p.net.places[i];
            let (x, y) = frame.proj.forward(pl.lon, pl.lat);
            Source {
                x,
                y,
                start_s: t as f64,
            }
        })
        .collect()
}

/// The surface, bands and their populations of an isochrone from its sources.
fn from_sources(
    p: &Prepared,
    src: &[Source],
    access: &AccessModel,
    (origin_id, origin_name): (&str, &str),
    frame: &Frame,
    scenario: &str,
) -> Result<Isochrone, String> {
    let params = &frame.params;
    let max_s = params.max_threshold_s();
    // The grid and its contours are the memory of an isochrone: wait for room in the budget.
    let points = surface_points(src, access, params.cell_m, max_s);
    let _permit = GRID_BUDGET.acquire(points.saturating_mul(std::mem::size_of::<f64>()));
    let surf = surface(src, access, params.cell_m, max_s)?;
    let zones: Vec<(Point<f64>, u64)> = match frame.population {
        Some(_) => Vec::new(),
        None => p
            .net
            .zones()
            .into_iter()
            .map(|z| {
                let pl = p.net.place(z);
                (Point::new(pl.lon, pl.lat), pl.population)
            })
            .collect(),
    };
    let mut bands = Vec::with_capacity(params.thresholds_min.len());
    for &t in &params.thresholds_min {
        let geometry = band_geometry(&surf, t * 60.0, params.smooth, &frame.proj)
            .map_err(|e| format!("{} minutes from {}: {e}", t, origin_id))?;
        let area_km2 = geometry.chamberlain_duquette_unsigned_area() / 1e6;
        let population = match &frame.population {
            Some(surface) => {
                people_inside(&geometry, &surface.lonlat, &surface.people).round() as u64
            }
            None => zones
                .iter()
                .filter(|(pt, _)| geometry.contains(pt))
                .fold(0u64, |sum, (_, n)| sum.saturating_add(*n)),
        };
        bands.push(Band {
            minutes: t,
            geometry,
            area_km2,
            population,
        });
    }
    Ok(Isochrone {
        origin: origin_id.to_string(),
        origin_name: origin_name.to_string(),
        scenario: scenario.to_string(),
        profile: p.graph.profile,
        bands,
    })
}

/// The people of the points (lon, lat) inside `g`: a point is inside when a ray from it
/// crosses the rings of `g` an odd number of times (exteriors and holes alike: `g` is valid,
/// its polygons do not overlap). Edges are indexed by strips of latitude, so that each point
/// looks only at the edges of its strip.
pub fn people_inside(g: &MultiPolygon<f64>, pts: &[(f64, f64)], people: &[f64]) -> f64 {
    let edges: Vec<(f64, f64, f64, f64)> =
        g.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.lines().map(|l| (l.start.x, l.start.y, l.end.x, l.end.y)))
            .filter(|e| e.1 != e.3)
            .collect();
    if edges.is_empty() {
        return 0.0;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for e in &edges {
        x0 = x0.min(e.0.min(e.2));
        x1 = x1.max(e.0.max(e.2));
        y0 = y0.min(e.1.min(e.3));
        y1 = y1.max(e.1.max(e.3));
    }
    let n = (edges.len() / 4).clamp(1, 4096);
    let h = (y1 - y0) / n as f64;
    let strip = |y: f64| (((y - y0) / h).floor().max(0.0) as usize).min(n - 1);
    let mut strips: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (k, e) in edges.iter().enumerate() {
        let (lo, hi) = (strip(e.1.min(e.3)), strip(e.1.max(e.3)));
        for s in &mut strips[lo..=hi] {
            s.push(k as u32);
        }
    }
    let mut total = 0.0;
    for (&(x, y), &w) in pts.iter().zip(people) {
        if x < x0 || x > x1 || y < y0 || y > y1 || w == 0.0 {
            continue;
        }
        let mut inside = false;
        for &k in &strips[strip(y)] {
            let (ax, ay, bx, by) = edges[k as usize];
            if (ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay) {
                inside = !inside;
            }
        }
        if inside {
            total += w;
        }
    }
    total
}

/// Contours one threshold and reprojects it; falls back to unsmoothed contours in the rare
/// case smoothing plus rounding yields an invalid geometry, and fails if that is invalid too.
fn band_geometry(
    surf: &Surface,
    threshold_s: f64,
    smooth: bool,
    proj: &Projection,
) -> Result<MultiPolygon<f64>, String> {
    let attempts: &[bool] = if smooth { &[true, false] } else { &[false] };
    let mut last = String::new();
    for &sm in attempts {
        let g = to_wgs84(&contour(surf, threshold_s, sm)?, proj);
        match crate::geo::validity::check_multipolygon(&g) {
            Ok(()) => return Ok(g),
            Err(e) => last = e,
        }
    }
    Err(format!("the contour is not a valid geometry ({last})"))
}

/// Runs isochrones for many origins on one prepared network in parallel (one workspace per
/// thread), results in input order.
pub fn isochrones(
    p: &Prepared,
    origins: &[PlaceIdx],
    frame: &Frame,
    scenario: &str,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Isochrone>, String> {
    use rayon::prelude::*;
    origins
        .par_iter()
        .map_init(
            || Workspace::new(p.graph.csr.num_nodes()),
            |ws, &o| {
                let r = isochrone(p, ws, o, frame, scenario);
                tick();
                r
            },
        )
        .collect()
}

/// A GeoJSON `MultiPolygon` geometry of a geo MultiPolygon, coordinates as they are.
fn geometry_json(mp: &MultiPolygon<f64>) -> geojson::Geometry {
    let ring =
        |ls: &LineString<f64>| -> Vec<Vec<f64>> { ls.0.iter().map(|c| vec![c.x, c.y]).collect() };
    let polys =
        mp.0.iter()
            .map(|p| {
                std::iter::once(ring(p.exterior()))
                    .chain(p.interiors().iter().map(ring))
                    .collect()
            })
            .collect();
    geojson::Geometry::new(geojson::Value::MultiPolygon(polys))
}

/// The bands of some isochrones as one RFC 7946 FeatureCollection: one feature per band,
/// largest threshold first within each isochrone so that map tools draw the shorter bands on
/// top. Properties: origin, origin_name, scenario, profile, minutes, area_km2, population,
/// and simplestyle `fill`, `fill-opacity`, `stroke-width`.
pub fn feature_collection(isos: &[Isochrone]) -> geojson::FeatureCollection {
    let mut features = Vec::new();
    for iso in isos {
        let n = iso.bands.len();
        for (k, b) in iso.bands.iter().enumerate().rev() {
            let mut props = Map::new();
            props.insert("origin".into(), json!(iso.origin));
            props.insert("origin_name".into(), json!(iso.origin_name));
            props.insert("scenario".into(), json!(iso.scenario));
            props.insert("profile".into(), json!(iso.profile.as_str()));
            props.insert("minutes".into(), json!(b.minutes));
            props.insert(
                "area_km2".into(),
                json!((b.area_km2 * 100.0).round() / 100.0),
            );
            props.insert("population".into(), json!(b.population));
            props.insert("fill".into(), json!(band_colour(k, n)));
            props.insert("fill-opacity".into(), Value::from(0.35));
            props.insert("stroke-width".into(), Value::from(1));
            features.push(geojson::Feature {
                bbox: None,
                geometry: Some(geometry_json(&b.geometry)),
                id: None,
                properties: Some(props),
                foreign_members: None,
            });
        }
    }
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// A FeatureCollection as text, one feature per line (readable diffs of golden files); also
/// used for the network export.
pub fn to_geojson_text(fc: &geojson::FeatureCollection) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, f) in fc.features.iter().enumerate() {
        s.push_str(&f.to_string());
        s.push_str(if i + 1 < fc.features.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    s.push_str("]}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_inside_agrees_with_contains() {
        // Two squares, the first with a hole, and an L-shaped polygon.
        let ring = |v: &[(f64, f64)]| LineString::from(v.to_vec());
        let g = MultiPolygon(vec![
            Polygon::new(
                ring(&[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]),
                vec![ring(&[
                    (1.0, 1.0),
                    (1.0, 2.0),
                    (2.0, 2.0),
                    (2.0, 1.0),
                    (1.0, 1.0),
                ])],
            ),
            Polygon::new(
                ring(&[(5.0, 0.0), (6.0, 0.0), (6.0, 1.0), (5.0, 1.0), (5.0, 0.0)]),
                vec![],
            ),
            Polygon::new(
                ring(&[
                    (0.0, 5.0),
                    (3.0, 5.0),
                    (3.0, 6.0),
                    (1.0, 6.0),
                    (1.0, 8.0),
                    (0.0, 8.0),
                    (0.0, 5.0),
                ]),
                vec![],
            ),
        ]);
        let mut pts = Vec::new();
        let mut people = Vec::new();
        let mut want = 0.0;
        let mut seed = 12345u64;
        for k in 0..4000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = (seed >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 1.0;
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let y = (seed >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 1.0;
            let w = (k % 7) as f64 + 0.5;
            if g.contains(&Point::new(x, y)) {
                want += w;
            }
            pts.push((x, y));
            people.push(w);
        }
        let got = people_inside(&g, &pts, &people);
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        assert!(got > 0.0 && got < people.iter().sum::<f64>());
        // The hole's centre is out, the square's corner region in.
        assert_eq!(people_inside(&g, &[(1.5, 1.5)], &[1.0]), 0.0);
        assert_eq!(people_inside(&g, &[(3.5, 3.5)], &[1.0]), 1.0);
        assert_eq!(people_inside(&g, &[(2.0, 7.0)], &[1.0]), 0.0);
        assert_eq!(people_inside(&g, &[(0.5, 7.5)], &[1.0]), 1.0);
    }

    /// However many threads ask, the grids held at once never exceed the budget (unless one
    /// grid alone is larger, which then runs alone).
    #[test]
    fn grid_budget_bounds_memory_whatever_the_threads() {
        let peak = std::sync::atomic::AtomicUsize::new(0);
        let alone_ok = std::sync::atomic::AtomicBool::new(true);
        std::thread::scope(|sc| {
            for k in 0..8 {
                let (peak, alone_ok) = (&peak, &alone_ok);
                sc.spawn(move || {
                    for r in 0..20 {
                        let bytes = if (k + r) % 7 == 0 {
                            GRID_MEMORY_BUDGET + 1
                        } else {
                            GRID_MEMORY_BUDGET / 3
                        };
                        let _p = GRID_BUDGET.acquire(bytes);
                        let used = *GRID_BUDGET.used.lock().unwrap();
                        if bytes > GRID_MEMORY_BUDGET && used != bytes {
                            alone_ok.store(false, std::sync::atomic::Ordering::SeqCst);
                        }
                        if bytes <= GRID_MEMORY_BUDGET {
                            peak.fetch_max(used, std::sync::atomic::Ordering::SeqCst);
                        }
                        std::thread::yield_now();
                    }
                });
            }
        });
        assert!(peak.into_inner() <= GRID_MEMORY_BUDGET);
        assert!(alone_ok.into_inner(), "an oversized grid shared the budget");
        assert_eq!(*GRID_BUDGET.used.lock().unwrap(), 0);
    }
}
