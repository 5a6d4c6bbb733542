//! The population surface a network names (`[population]` in its manifest), read onto a grid:
//! every polygon's people spread over the grid's cells in proportion to area (uniform within
//! each polygon, as `onehour access` spreads polygons of opportunities), the cells with anyone
//! kept. See [`crate::analysis::population`] for how commands count these people.

use std::sync::Arc;

use crate::analysis::population::PopulationSurface;
use crate::geo::grid::Grid;
use crate::io::opportunities::{parse_opportunity_geojson, parse_opportunity_geojson_extent};
use crate::network::model::{Network, PopulationFile};
use crate::network::problem::{Problem, Problems};

/// The network's population surface on its grid, if it names one (with the loader's warnings).
pub fn surface_of(net: &Network) -> Result<Option<(PopulationSurface, Vec<Problem>)>, Problems> {
    match &net.population {
        None => Ok(None),
        Some(f) => surface_from(f).map(Some),
    }
}

/// A population file read onto a grid of its cell size covering the file's extent.
pub fn surface_from(f: &PopulationFile) -> Result<(PopulationSurface, Vec<Problem>), Problems> {
    let err = |msg: String, fix: &str| {
        Problems(vec![Problem::error(
            &f.origin,
            format!("[population] surface = \"{}\"", f.surface),
            msg,
            fix,
        )])
    };
    // The column is the manifest's choice: the fix is there, or in the features.
    let column_fix = |mut ps: Problems| {
        for p in ps.0.iter_mut() {
            if p.is_error() && p.message.starts_with("no feature has a value for") {
                *p = Problem::error(
                    &f.origin,
                    format!("[population] column = \"{}\"", f.column),
                    format!("no feature of {} has a value for {}", f.surface, f.column),
                    format!(
                        "set [population] column in {} to the property that holds the people (names are case-sensitive), or give the features that property",
                        f.origin.file
                    ),
                );
            }
        }
        ps
    };
    let select = std::slice::from_ref(&f.column);
    let extent =
        parse_opportunity_geojson_extent(&f.text, &f.surface, Some(select)).map_err(column_fix)?;
    let grid = Grid::covering(extent, f.cell_m).map_err(|e| err(e, "change cell_m"))?;
    let (loaded, warnings) =
        parse_opportunity_geojson(&f.text, &f.surface, &grid, Some(select)).map_err(column_fix)?;
    let o = loaded.opportunities.nonzero();
    let people: Vec<f64> = o.columns.first().map(|c| c.1.clone()).unwrap_or_default();
    Ok((
        PopulationSurface {
            lonlat: o.lonlat.clone(),
            people: Arc::from(people),
            cell_m: f.cell_m,
            source: format!(
                "{} ({}, spread uniformly within each polygon over {} m cells)",
                f.surface, f.column, f.cell_m
            ),
        },
        warnings,
    ))
}
