//! Travel times between arbitrary points in the facade: what `onehour matrix --points FILE
//! [--to-points FILE] --depart ... --format json` writes, byte for byte, with the scenario's
//! timetable and streets compiled once and kept in the [`super::Model`] (a notebook asking
//! for several matrices pays for loading and compiling once).

use super::error::Error;
use super::model::Model;
use super::request::Window;
use crate::access::links::Point;
use crate::access::points::{
    points_matrix_with_links, points_times_with_links, PointsOutcome, PointsTimes,
};
use crate::io::opportunities::check_lonlat;

impl Model {
    /// Door-to-door times from `rows` to `cols` (`None`: the rows) in `scenario` (`None`:
    /// today) over the departure window `window`: its JSON
    /// ([`crate::access::points::PointsMatrix::json`]) is `onehour matrix --points
    /// --format json`'s, and the outcome also says what snapping the points did.
    pub fn points_matrix(
        &self,
        scenario: Option<&str>,
        rows: Vec<Point>,
        cols: Option<Vec<Point>>,
        window: &Window,
    ) -> Result<PointsOutcome, Error> {
        check_points(&rows, cols.as_deref())?;
        let o = self.window_options(window)?;
        let sn = self.scenario(scenario)?;
        let t = sn.timetable()?;
        let cols = cols.unwrap_or_else(|| rows.clone());
        let nl = sn.point_links(&rows, &cols)?;
        Ok(points_matrix_with_links(
            sn.net(),
            &t,
            &nl,
            rows,
            cols,
            &o,
            &window.percentiles,
            self.limit_s(),
            || {},
        )?)
    }

    /// The `percentile`-th percentile (0 to 100; the window's own percentiles are not used)
    /// of the door-to-door seconds from `rows` to `cols` (`None`: the rows) in `scenario` over
    /// `window`, row-major, to the second: the times of [`Model::points_matrix`] without its
    /// JSON (a notebook's array of a large grid).
    pub fn points_times(
        &self,
        scenario: Option<&str>,
        rows: &[Point],
        cols: Option<&[Point]>,
        window: &Window,
        percentile: f64,
    ) -> Result<PointsTimes, Error> {
        if !(0.0..=100.0).contains(&percentile) {
            return Err(Error::BadRequest(format!(
                "percentile: {percentile} is not a percentile; give a number from 0 to 100"
            )));
        }
        check_points(rows, cols)?;
        let o = self.window_options(window)?;
        let sn = self.scenario(scenario)?;
        let t = sn.timetable()?;
        let nl = sn.point_links(rows, cols.unwrap_or(rows))?;
        Ok(points_times_with_links(&t, &nl, &o, percentile)?)
    }
}

/// Origins and destinations a points matrix can take: at least one origin, ids unique within
/// each set, coordinates in degrees.
fn check_points(rows: &[Point], cols: Option<&[Point]>) -> Result<(), Error> {
    if rows.is_empty() {
        return Err(Error::BadRequest(
            "points: give at least one origin point (id, lon, lat)".into(),
        ));
    }
    for set in [Some(rows), cols].into_iter().flatten() {
        let mut seen = std::collections::HashSet::new();
        if let Some(p) = set.iter().find(|p| !seen.insert(p.id.as_str())) {
            return Err(Error::BadRequest(format!(
                "point {}: the id is given twice; give each point of a set its own id",
                p.id
            )));
        }
    }
    for p in rows.iter().chain(cols.into_iter().flatten()) {
        if let Err((what, fix)) = check_lonlat(p.lon, p.lat) {
            return Err(Error::BadRequest(format!(
                "point {}: ({}, {}) is not a longitude and latitude in degrees: {what}; {fix}",
                p.id, p.lon, p.lat
            )));
        }
    }
    Ok(())
}
