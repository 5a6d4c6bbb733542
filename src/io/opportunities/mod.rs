//! Points and opportunities read from the user's files, for accessibility indicators
//! (`docs/access.md`).
//!
//! Three inputs:
//! - a CSV of points `id,lon,lat` (other columns are allowed and ignored), the origins or
//!   destinations of a matrix: [`load_points`];
//! - a CSV of points with opportunity counts, `id,lon,lat,<numeric columns…>` (e.g.
//!   `population,jobs`): [`load_opportunity_csv`]; [`Opportunities::to_grid`] sums them into
//!   the cells of a [`Grid`];
//! - GeoJSON `Polygon` or `MultiPolygon` features with numeric properties, spread over the
//!   cells of a grid in proportion to area: [`load_opportunity_geojson`]. A cell receives
//!   `value × area(cell ∩ polygon) / area(polygon)`, as Conveyal resamples polygons onto its
//!   grid (<https://docs.conveyal.com/analysis/methodology>, "Spatial resolution"). Areas are
//!   taken in the grid's projection (polygon edges are straight lines there), and the
//!   intersection is an exact clip of every ring against the cell's square. The values of a
//!   feature reach the grid in full unless part of it lies outside: what falls outside is
//!   reported (a warning, and [`Loaded::outside`]).
//!
//! Validation is strict: every problem names the file, the line (CSV) or feature (GeoJSON),
//! the offending value and the fix, and any error rejects the file ([`Problems`], exit code 2
//! at the command line). Errors: an unreadable or empty file, a missing or repeated column, a
//! record without id or with an id seen before, coordinates that are missing, not numbers or
//! off the globe, values that are not numbers, infinite or negative; for GeoJSON also
//! geometries other than polygons, unclosed or invalid rings, polygons without area, and a
//! column no feature holds. An empty value (CSV) or a missing or `null` property (GeoJSON)
//! counts as 0, with one warning per column naming the records. At most [`MAX_SHOWN`] errors
//! are listed, then their count.

use std::path::Path;

use serde_json::Value;

use crate::geo::grid::Grid;
use crate::io::points::Point;
use crate::network::problem::{Problem, Problems};

mod geojson;
mod points_csv;
mod polygon;
mod sink;
#[cfg(test)]
mod tests;

pub use sink::MAX_SHOWN;

use geojson::{parse_geojson, read_geojson};
use points_csv::{read_points_csv, Values};
use sink::Sink;

/// Opportunities (people, jobs, schools…) at points or grid cells, one row each.
///
/// Rows are points read from a CSV, or the cells of a grid (then `cells` holds each row's cell
/// index in the grid, `ids` its cell id `r{row}c{col}` and `lonlat` its centre). `columns` are
/// the opportunity counts, one `(name, values)` per column with one value per row, each
/// finite and non-negative (fractional after spreading polygons over cells).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Opportunities {
    /// Unique ids of the rows.
    pub ids: Vec<String>,
    /// WGS84 longitude and latitude of each row (a cell's centre for cells), degrees.
    pub lonlat: Vec<(f64, f64)>,
    /// For rows that are grid cells, the cell index of each in its grid.
    pub cells: Option<Vec<u32>>,
    /// Opportunity columns: name and one value per row.
    pub columns: Vec<(String, Vec<f64>)>,
}

impl Opportunities {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The values of the column named `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The total of each column.
    pub fn totals(&self) -> Vec<f64> {
        self.columns.iter().map(|(_, v)| v.iter().sum()).collect()
    }

    /// Every cell of `grid`, in cell order, with the given columns (each of `grid.len()`
    /// values).
    pub fn on_grid(grid: &Grid, columns: Vec<(String, Vec<f64>)>) -> Opportunities {
        debug_assert!(columns.iter().all(|(_, v)| v.len() == grid.len()));
        Opportunities {
            ids: (0..grid.len()).map(|i| grid.id(i)).collect(),
            lonlat: (0..grid.len()).map(|i| grid.centroid(i)).collect(),
            cells: Some((0..grid.len() as u32).collect()),
            columns,
        }
    }

    /// Only the rows where some column is above zero, in the same order (the destinations
    /// worth propagating to).
    pub fn nonzero(&self) -> Opportunities {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.columns.iter().any(|(_, v)| v[i] > 0.0))
            .collect();
        Opportunities {
            ids: keep.iter().map(|&i| self.ids[i].clone()).collect(),
            lonlat: keep.iter().map(|&i| self.lonlat[i]).collect(),
            cells: self
                .cells
                .as_ref()
                .map(|c| keep.iter().map(|&i| c[i]).collect()),
            columns: self
                .columns
                .iter()
                .map(|(n, v)| (n.clone(), keep.iter().map(|&i| v[i]).collect()))
                .collect(),
        }
    }

    /// The rows summed into the cells of `grid` (every cell, in cell order; a point on a
    /// cell's west or south edge counts in that cell), with what falls outside the grid per
    /// column and how many rows that is.
    pub fn to_grid(&self, grid: &Grid) -> (Opportunities, Vec<f64>, usize) {
        let mut cols: Vec<Vec<f64>> = vec![vec![0.0; grid.len()]; self.columns.len()];
        let mut outside = vec![0.0; self.columns.len()];
        let mut n_outside = 0;
        for (i, &(lon, lat)) in self.lonlat.iter().enumerate() {
            match grid.cell_at(lon, lat) {
                Some(cell) => {
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        cols[k][cell] += v[i];
                    }
                }
                None => {
                    n_outside += 1;
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        outside[k] += v[i];
                    }
                }
            }
        }
        let columns = self
            .columns
            .iter()
            .zip(cols)
            .map(|((n, _), v)| (n.clone(), v))
            .collect();
        (Opportunities::on_grid(grid, columns), outside, n_outside)
    }
}

/// Opportunities as loaded, with what the file held and what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The opportunities: the file's points, or every cell of the grid polygons were spread
    /// over.
    pub opportunities: Opportunities,
    /// Total of each column in the file.
    pub totals: Vec<f64>,
    /// Part of each column's total that lies outside the grid and was left out (zero for
    /// points).
    pub outside: Vec<f64>,
}

/// Reads a CSV of points `id,lon,lat` (WGS84 degrees; other columns are allowed and
/// ignored), e.g. the origins of `matrix --points`: every problem (missing column, bad or
/// repeated id, a coordinate that is not a number or off the globe, a wrong field count)
/// names the file and line; a file with no point is an error too.
pub fn load_points(path: &Path) -> Result<Vec<Point>, Problems> {
    let mut sink = Sink::new(path);
    let read = read_points_csv(path, Values::Ignore, &mut sink);
    sink.finish()?; // no value column is read, so there is no warning
    let read = read.expect("no errors means the file was read");
    Ok(read
        .rows
        .into_iter()
        .map(|r| Point {
            id: r.id,
            lon: r.lonlat.0,
            lat: r.lonlat.1,
        })
        .collect())
}

/// Reads a CSV of points with opportunity counts, `id,lon,lat,<columns…>`: with `select`,
/// the columns named there (others are ignored), otherwise every column after id, lon and lat
/// (each must then hold numbers). Values must be finite and non-negative.
pub fn load_opportunity_csv(
    path: &Path,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(path);
    let values = match select {
        Some(s) => Values::Named(s),
        None => Values::All,
    };
    let read = read_points_csv(path, values, &mut sink);
    let warnings = sink.finish()?;
    let read = read.expect("no errors means the file was read");
    let columns: Vec<(String, Vec<f64>)> = read
        .value_names
        .iter()
        .enumerate()
        .map(|(k, n)| (n.clone(), read.rows.iter().map(|r| r.values[k]).collect()))
        .collect();
    let opportunities = Opportunities {
        ids: read.rows.iter().map(|r| r.id.clone()).collect(),
        lonlat: read.rows.iter().map(|r| r.lonlat).collect(),
        cells: None,
        columns,
    };
    let totals = opportunities.totals();
    let outside = vec![0.0; totals.len()];
    Ok((
        Loaded {
            opportunities,
            totals,
            outside,
        },
        warnings,
    ))
}

/// Reads opportunities from a CSV of points or, for a `.geojson` or `.json` file, from
/// polygons spread over `grid` (which they then require). See [`load_opportunity_csv`] and
/// [`load_opportunity_geojson`].
pub fn load_opportunities(
    path: &Path,
    grid: Option<&Grid>,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => match grid {
            Some(g) => load_opportunity_geojson(path, g, select),
            None => {
                let mut sink = Sink::new(path);
                sink.error(
                    None,
                    "",
                    "polygons of opportunities are spread over the cells of a grid, and no grid was given",
                    "give a grid cell size, or give the opportunities as a CSV of points",
                );
                Err(sink.finish().unwrap_err())
            }
        },
        _ => load_opportunity_csv(path, select),
    }
}

/// Reads GeoJSON `Polygon` and `MultiPolygon` features (a FeatureCollection, or one Feature)
/// and spreads their numeric properties over the cells of `grid` in proportion to area (see
/// the module documentation). Columns: with `select`, the properties named there (each
/// feature must hold a number in each); otherwise every property other than `id` that holds a
/// number in some feature (every feature must then hold a number in it). The result has every
/// cell of the grid, in cell order.
pub fn load_opportunity_geojson(
    path: &Path,
    grid: &Grid,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(path);
    let loaded = read_geojson(path, grid, select, &mut sink);
    let warnings = sink.finish()?;
    Ok((loaded.expect("no errors means the file was read"), warnings))
}

/// The extent `[W, S, E, N]` of every coordinate of a GeoJSON value (features, geometries,
/// coordinate arrays), if it holds any valid WGS84 coordinate.
pub fn geojson_extent(v: &Value) -> Option<[f64; 4]> {
    fn walk(v: &Value, add: &mut dyn FnMut(f64, f64)) {
        match v {
            Value::Array(a) if a.len() >= 2 && a[0].is_number() && a[1].is_number() => add(
                a[0].as_f64().unwrap_or(f64::NAN),
                a[1].as_f64().unwrap_or(f64::NAN),
            ),
            Value::Array(a) => a.iter().for_each(|x| walk(x, add)),
            Value::Object(o) => {
                if let Some(g) = o.get("geometry") {
                    walk(g, add)
                } else if let Some(c) = o.get("coordinates") {
                    walk(c, add)
                } else if let Some(f) = o.get("features") {
                    walk(f, add)
                }
            }
            _ => {}
        }
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    walk(v, &mut |lon, lat| {
        if lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0 {
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
    });
    b.iter().all(|x| x.is_finite()).then_some(b)
}

/// Opportunities from GeoJSON text already read (`name` names it in messages), spread over
/// `grid` as [`load_opportunity_geojson`] does.
pub fn parse_opportunity_geojson(
    text: &str,
    name: &str,
    grid: &Grid,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(Path::new(name));
    let loaded = parse_geojson(text, grid, select, &mut sink);
    let warnings = sink.finish()?;
    Ok((loaded.expect("no errors means the file was read"), warnings))
}
