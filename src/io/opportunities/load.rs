//! The entry points that read opportunities and points from CSV and GeoJSON files (or text),
//! collecting every problem found.

use std::path::Path;

use super::geojson::{geojson_extent_checked, parse_geojson, read_geojson};
use super::points_csv::{read_points_csv, Values};
use super::sink::{read_text, Sink};
use super::table::{Loaded, Opportunities};
use crate::geo::grid::Grid;
use crate::io::points::Point;
use crate::network::problem::{Problem, Problems};

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

/// The extent `[W, S, E, N]` of the polygons of a GeoJSON file of opportunities (`select`
/// as for [`load_opportunity_geojson`]), to lay a grid over. Everything that can be checked
/// without a grid is checked first (the JSON, the features, their values, ids and rings), so
/// that a broken file gets the same file- and feature-level errors as when it is read onto a
/// grid; warnings are left to that reading.
pub fn opportunity_geojson_extent(
    path: &Path,
    select: Option<&[String]>,
) -> Result<[f64; 4], Problems> {
    let mut sink = Sink::new(path);
    let extent = read_text(path, &mut sink, "GeoJSON file")
        .and_then(|text| geojson_extent_checked(&text, select, &mut sink));
    sink.finish()?;
    Ok(extent.expect("no errors means the extent was found"))
}

/// [`opportunity_geojson_extent`] of GeoJSON text already read (`name` names it in messages).
pub fn parse_opportunity_geojson_extent(
    text: &str,
    name: &str,
    select: Option<&[String]>,
) -> Result<[f64; 4], Problems> {
    let mut sink = Sink::new(Path::new(name));
    let extent = geojson_extent_checked(text, select, &mut sink);
    sink.finish()?;
    Ok(extent.expect("no errors means the extent was found"))
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
