//! Where accessibility is measured, as `access` and `rank --by-access` lay it out: the grid,
//! the destinations with their opportunities and the origins, read from the files the flags
//! name.

use std::path::PathBuf;

use anyhow::Result;

use crate::access::links::Point;
use crate::cli::error::UserError;
use crate::geo::grid::Grid;
use crate::io::opportunities::{
    load_opportunities, load_points, opportunity_geojson_extent, Opportunities,
};

fn user(msg: String) -> anyhow::Error {
    UserError(msg).into()
}

/// The extent of the opportunities file: of its polygons, read and checked feature by feature
/// (so that a broken file gets the errors it would get with --bbox), or of its points.
fn extent_of(
    path: &std::path::Path,
    polygons: bool,
    columns: Option<&[String]>,
) -> Result<[f64; 4]> {
    if polygons {
        return Ok(opportunity_geojson_extent(path, columns)?);
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in load_points(path)? {
        b = [
            b[0].min(p.lon),
            b[1].min(p.lat),
            b[2].max(p.lon),
            b[3].max(p.lat),
        ];
    }
    Ok(b)
}

/// Origins and destinations of a run: the grid (if any), the destinations with their
/// opportunities, and the origins (with their cell in the grid when they are cells).
pub struct Layout {
    /// The grid, if the origins or destinations are its cells.
    pub grid: Option<Grid>,
    /// Destinations with their opportunities (those above zero).
    pub dests: Opportunities,
    /// Origins.
    pub origins: Vec<Point>,
    /// Each origin's cell in the grid, when origins are cells.
    pub origin_cells: Option<Vec<u32>>,
    /// Opportunities of each origin (for weights), when origins are the destinations.
    pub origin_columns: Option<Vec<(String, Vec<f64>)>>,
    /// Total of each column in the file.
    pub totals: Vec<f64>,
    /// Part of each column left outside the grid.
    pub outside: Vec<f64>,
}

impl Layout {
    /// The column weighting the summaries' means and its value at each origin: `name`, else
    /// `population` if the origins have it, else none. Weights come from the opportunities at
    /// the origins, so a `name` is an error with origins given as points.
    pub fn weight(&self, name: Option<&str>) -> Result<Option<(String, Vec<f64>)>> {
        let column = |n: &str| {
            self.origin_columns
                .as_ref()
                .and_then(|c| c.iter().find(|(c, _)| c == n))
        };
        match name {
            None => Ok(column("population").map(|(n, v)| (n.clone(), v.clone()))),
            Some(w) => match column(w) {
                Some((_, v)) => Ok(Some((w.to_string(), v.clone()))),
                None => Err(user(format!(
                    "--weight {w}: the origins have no such column (weights come from the opportunities at the origins; with --origins there are none)"
                ))),
            },
        }
    }

    /// The people at each origin (the `population` column), else 1 per origin.
    pub fn population_or_ones(&self) -> Vec<f64> {
        self.origin_columns
            .as_ref()
            .and_then(|c| c.iter().find(|(n, _)| n == "population"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| vec![1.0; self.origins.len()])
    }
}

/// Where to measure: the grid (cell size `grid`, over `bbox` or the opportunities' extent),
/// the destinations with their opportunities (columns `columns`, default all), the origins.
pub fn layout_of(
    opportunities: &std::path::Path,
    columns: Option<&[String]>,
    grid: Option<f64>,
    bbox: Option<[f64; 4]>,
    origins: Option<&PathBuf>,
) -> Result<Layout> {
    let polygons = opportunities
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    let cell_m = match (grid, polygons) {
        (Some(m), _) => Some(m),
        (None, true) => Some(1000.0),
        (None, false) => None,
    };
    let grid = match cell_m {
        None => None,
        Some(m) => {
            let b = match bbox {
                Some(b) => b,
                None => extent_of(opportunities, polygons, columns)?,
            };
            let over = match bbox {
                Some(_) => "--bbox".to_string(),
                None => format!("the extent of {}", opportunities.display()),
            };
            Some(Grid::covering(b, m).map_err(|e| user(format!("--grid {m} over {over}: {e}")))?)
        }
    };
    let (loaded, warnings) = load_opportunities(opportunities, grid.as_ref(), columns)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let mut dests = loaded.opportunities;
    if let (Some(g), false) = (&grid, dests.cells.is_some()) {
        // Points summed into the grid's cells.
        let (on, _, _) = dests.to_grid(g);
        dests = on;
    }
    // Origins: the user's points, every one; or the grid's cells that hold any opportunity
    // (a cell where nobody lives or works has nobody to measure from).
    let all_points = grid.is_none().then(|| dests.clone());
    let dests = dests.nonzero();
    if dests.is_empty() {
        return Err(user(format!(
            "{}: no opportunity above zero{}",
            opportunities.display(),
            if grid.is_some() {
                " inside the grid (check --bbox)"
            } else {
                ""
            }
        )));
    }
    let (origins, origin_cells, origin_columns) = match origins {
        Some(p) => (load_points(p)?, None, None),
        None => {
            let o = all_points.as_ref().unwrap_or(&dests);
            (
                crate::access::compute::destination_points(o),
                o.cells.clone(),
                Some(o.columns.clone()),
            )
        }
    };
    Ok(Layout {
        grid,
        dests,
        origins,
        origin_cells,
        origin_columns,
        totals: loaded.totals,
        outside: loaded.outside,
    })
}
