//! Points and opportunities read from the user's files, for accessibility indicators
//! (`docs/access.md`).
//!
//! Three inputs:
//! - a CSV of points `id,lon,lat` (other columns are allowed and ignored), the origins or
//!   destinations of a matrix: [`load_points`];
//! - a CSV of points with opportunity counts, `id,lon,lat,<numeric columns…>` (e.g.
//!   `population,jobs`): [`load_opportunity_csv`]; [`Opportunities::to_grid`] sums them into
//!   the cells of a [`Grid`](crate::geo::grid::Grid);
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
//! the offending value and the fix, and any error rejects the file ([`Problems`](crate::network::problem::Problems), exit code 2
//! at the command line). Errors: an unreadable or empty file, a missing or repeated column, a
//! record without id or with an id seen before, coordinates that are missing, not numbers or
//! off the globe, values that are not numbers, infinite, negative or above [`MAX_VALUE`]; for
//! GeoJSON also geometries other than polygons, unclosed or invalid rings, polygons without
//! area, a column no feature holds, and features that overlap by more than 1 % of the smaller
//! one's area while holding some of the same column. An empty value (CSV) or a missing or `null` property (GeoJSON)
//! counts as 0, with one warning per column naming the records. At most [`MAX_SHOWN`] errors
//! are listed, then their count.

mod geojson;
mod load;
mod points_csv;
mod polygon;
mod sink;
mod table;
#[cfg(test)]
mod tests;

pub use load::{
    load_opportunities, load_opportunity_csv, load_opportunity_geojson, load_points,
    opportunity_geojson_extent, parse_opportunity_geojson, parse_opportunity_geojson_extent,
};
pub use sink::{check_lonlat, MAX_SHOWN, MAX_VALUE};
pub use table::{Loaded, Opportunities};
