//! Travel times between arbitrary points in the facade: what `onehour matrix --points FILE
//! [--to-points FILE] --depart ... --format json` writes, byte for byte, with the scenario's
//! timetable and streets compiled once and kept in the [`super::Model`] (a notebook asking
//! for several matrices pays for loading and compiling once).

use super::error::Error;
use super::model::Model;
use super::request::Window;
use crate::access::links::Point;
use crate::access::points::{points_matrix_on, PointsOutcome};
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
        if rows.is_empty() {
            return Err(Error::BadRequest(
                "points: give at least one origin point (id, lon, lat)".into(),
            ));
        }
        for set in [Some(&rows), cols.as_ref()].into_iter().flatten() {
            let mut seen = std::collections::HashSet::new();
            if let Some(p) = set.iter().find(|p| !seen.insert(p.id.as_str())) {
                return Err(Error::BadRequest(format!(
                    "point {}: the id is given twice; give each point of a set its own id",
                    p.id
                )));
            }
        }
        for p in rows.iter().chain(cols.iter().flatten()) {
            if let Err((what, fix)) = check_lonlat(p.lon, p.lat) {
                return Err(Error::BadRequest(format!(
                    "point {}: ({}, {}) is not a longitude and latitude in degrees: {what}; {fix}",
                    p.id, p.lon, p.lat
                )));
            }
        }
        let o = self.window_options(window)?;
        let sn = self.scenario(scenario)?;
        let t = sn.timetable()?;
        let streets = sn.streets()?;
        let cols = cols.unwrap_or_else(|| rows.clone());
        Ok(points_matrix_on(
            sn.net(),
            &t,
            streets.as_deref(),
            rows,
            cols,
            &o,
            &window.percentiles,
            self.limit_s(),
            || {},
        )?)
    }
}
