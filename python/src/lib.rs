#![warn(missing_docs)]
//! Python bindings of onehour: the extension module `onehour._onehour`, a thin layer over the
//! library facade [`onehour::api::Model`]. Every result crosses into Python as the JSON
//! document the command line writes (so the package's numbers are the CLI's, byte for byte),
//! and the pure-Python package `onehour` turns it into pandas objects.
//!
//! Every search runs with the GIL released ([`Python::detach`], formerly `allow_threads`):
//! compiled networks are immutable and shared, so Python threads query one model in
//! parallel. Errors become `onehour.Error` (a `ValueError`) with the facade's message, which
//! names what is wrong and the fix; a failed computation becomes a `RuntimeError`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use onehour::analysis::{self, Timing};
use onehour::api::{self, Origin, Window};
use onehour::geo::isochrone::{self, IsoParams};
use onehour::graph::Profile;
use onehour::network::ids::Seconds;
use onehour::network::model::Date;
use onehour::scenario::Library;

/// mimalloc, as the command line (the root Cargo.toml says why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pyo3::create_exception!(
    onehour,
    Error,
    PyValueError,
    "Bad input: an unknown place or scenario, a malformed argument, invalid network files. The message names what is wrong and the fix."
);

/// The facade's error as a Python exception.
fn py_err(e: api::Error) -> PyErr {
    match e {
        api::Error::Failed(m) => PyRuntimeError::new_err(m),
        other => Error::new_err(other.message()),
    }
}

/// An input error with this message.
fn bad(msg: impl Into<String>) -> PyErr {
    Error::new_err(msg.into())
}

/// The version of the onehour crate these bindings were built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A network as of its day with its scenario library; each scenario compiled once, on first
/// use, and shared by every call and thread.
#[pyclass(frozen, module = "onehour._onehour")]
struct Model {
    inner: Arc<api::Model>,
    /// How it was opened (the scenario library is read again for rankings).
    opts: api::Options,
}

/// Points as Python gives them, `(id, lon, lat)`, for the facade.
fn api_points(v: Vec<(String, f64, f64)>) -> Vec<api::Point> {
    v.into_iter()
        .map(|(id, lon, lat)| api::Point { id, lon, lat })
        .collect()
}

/// `HH:MM[-HH:MM]` with the percentiles, draws and seed of the command line's flags, which
/// (as there) need a departure.
fn window(
    depart: Option<&str>,
    percentiles: Option<Vec<f64>>,
    draws: Option<u32>,
    seed: Option<u64>,
) -> PyResult<Option<Window>> {
    let Some(d) = depart else {
        let given = [
            (percentiles.is_some(), "percentiles"),
            (draws.is_some(), "draws"),
            (seed.is_some(), "seed"),
        ];
        if let Some((_, what)) = given.iter().find(|(g, _)| *g) {
            return Err(bad(format!(
                "{what}: only over a departure window; give depart=\"HH:MM-HH:MM\" too, or drop {what}"
            )));
        }
        return Ok(None);
    };
    let mut w = Window::parse(d).map_err(py_err)?;
    if let Some(p) = percentiles {
        if let Some(x) = p.iter().find(|x| !(0.0..=100.0).contains(*x)) {
            return Err(bad(format!(
                "percentiles: {x} is not a percentile; give numbers from 0 to 100"
            )));
        }
        if p.is_empty() {
            return Err(bad(
                "percentiles: the list is empty; give e.g. [5, 50, 95], or None for 5,25,50,75,95",
            ));
        }
        w.percentiles = p;
    }
    if let Some(n) = draws {
        if !(1..=1000).contains(&n) {
            return Err(bad(format!(
                "draws: {n} is not a number of draws; give 1 to 1000"
            )));
        }
        w.draws = n;
    }
    if let Some(s) = seed {
        w.seed = s;
    }
    Ok(Some(w))
}

#[pymethods]
impl Model {
    /// Loads a network (`None`: the bundled one) as of `date` (or the end of `year`, or its
    /// `valid_on`), with its scenario library.
    #[new]
    #[pyo3(signature = (network, scenarios, date, year, profile, limit))]
    fn new(
        py: Python<'_>,
        network: Option<PathBuf>,
        scenarios: Option<PathBuf>,
        date: Option<String>,
        year: Option<i32>,
        profile: &str,
        limit: f64,
    ) -> PyResult<Model> {
        let date = match date.as_deref() {
            None => None,
            Some(s) => Some(Date::parse_full(s).ok_or_else(|| {
                bad(format!(
                    "date: '{s}' is not a calendar date; write YYYY-MM-DD"
                ))
            })?),
        };
        if date.is_some() && year.is_some() {
            return Err(bad("date and year: give one of the two"));
        }
        if let Some(y) = year {
            if !(1800..=2200).contains(&y) {
                return Err(bad(format!("year: {y} is not a year from 1800 to 2200")));
            }
        }
        let profile = match profile {
            "transit" => Profile::Transit,
            "car" => Profile::Car,
            other => {
                return Err(bad(format!(
                    "profile: '{other}' is not a profile; give \"transit\" or \"car\""
                )))
            }
        };
        if !(limit.is_finite() && limit > 0.0 && limit <= 1440.0) {
            return Err(bad(format!(
                "limit: {limit} is not a number of minutes in (0, 1440]"
            )));
        }
        // The rest (the facade's later options, e.g. the wait policy) at their defaults.
        #[allow(clippy::needless_update)]
        let opts = api::Options {
            network,
            scenarios,
            date,
            year,
            profile,
            limit_min: limit,
            ..api::Options::default()
        };
        let o = opts.clone();
        let inner = py.detach(move || api::Model::open(&o)).map_err(py_err)?;
        Ok(Model {
            inner: Arc::new(inner),
            opts,
        })
    }

    /// The warnings from loading the network files.
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    /// The network's name, title, day, profile and limit, as JSON.
    fn info_json(&self) -> String {
        let b = self.inner.base();
        serde_json::json!({
            "network": b.name,
            "title": b.title,
            "date": self.inner.day().map(|d| d.to_string()),
            "year": self.opts.year,
            "profile": self.inner.profile().as_str(),
            "limit_minutes": self.inner.limit_min(),
        })
        .to_string()
    }

    /// The scenarios of the library, as JSON.
    fn scenarios_json(&self) -> String {
        serde_json::to_string(&self.inner.scenarios()).unwrap_or_default()
    }

    /// The places of the scenario's network (road nodes too), as JSON.
    #[pyo3(signature = (scenario))]
    fn places_json(&self, py: Python<'_>, scenario: Option<&str>) -> PyResult<String> {
        let m = &self.inner;
        let sn = py.detach(|| m.scenario(scenario)).map_err(py_err)?;
        let places: Vec<api::PlaceInfo> = sn.net().places.iter().map(api::PlaceInfo::of).collect();
        Ok(serde_json::to_string(&places).unwrap_or_default())
    }

    /// Compiles the scenario's network now (once; later calls share it).
    #[pyo3(signature = (scenario))]
    fn prepare(&self, py: Python<'_>, scenario: Option<&str>) -> PyResult<()> {
        let m = &self.inner;
        py.detach(|| m.scenario(scenario)).map_err(py_err)?;
        Ok(())
    }

    /// The matrix between places (`None`: the centres) as `onehour check` / `onehour matrix
    /// --format json` writes it.
    #[pyo3(signature = (scenario, origins, destinations, depart, percentiles, draws, seed))]
    #[allow(clippy::too_many_arguments)]
    fn matrix_json(
        &self,
        py: Python<'_>,
        scenario: Option<&str>,
        origins: Option<Vec<String>>,
        destinations: Option<Vec<String>>,
        depart: Option<&str>,
        percentiles: Option<Vec<f64>>,
        draws: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<String> {
        let w = window(depart, percentiles, draws, seed)?;
        let m = &self.inner;
        py.detach(|| {
            let r = match (&origins, &destinations) {
                (None, None) => m.centre_matrix(scenario, w.as_ref()),
                _ => {
                    let centres = || -> Result<Vec<String>, api::Error> {
                        let sn = m.scenario(scenario)?;
                        let n = sn.net();
                        Ok(n.centres().iter().map(|&c| n.place(c).id.clone()).collect())
                    };
                    let rows = match &origins {
                        Some(o) => o.clone(),
                        None => centres()?,
                    };
                    let cols = match &destinations {
                        Some(d) => d.clone(),
                        None => centres()?,
                    };
                    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
                    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
                    m.matrix(scenario, &rows, &cols, w.as_ref())
                }
            };
            r.map(|x| x.to_json())
        })
        .map_err(py_err)
    }

    /// Door-to-door times between points `(id, lon, lat)` (`to_points` `None`: the points)
    /// over the departure window, as `onehour matrix --points FILE [--to-points FILE]
    /// --depart ... --format json` writes them.
    #[pyo3(signature = (scenario, points, to_points, depart, percentiles, draws, seed))]
    #[allow(clippy::too_many_arguments)]
    fn points_matrix_json(
        &self,
        py: Python<'_>,
        scenario: Option<&str>,
        points: Vec<(String, f64, f64)>,
        to_points: Option<Vec<(String, f64, f64)>>,
        depart: &str,
        percentiles: Option<Vec<f64>>,
        draws: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<String> {
        let w = window(Some(depart), percentiles, draws, seed)?
            .expect("a window for a departure given");
        let (rows, cols) = (api_points(points), to_points.map(api_points));
        let m = &self.inner;
        py.detach(|| {
            let sn = m.scenario(scenario)?;
            let out = m.points_matrix(scenario, rows, cols, &w)?;
            Ok(out.matrix.json(sn.net(), &sn.name, m.limit_min()))
        })
        .map_err(py_err)
    }

    /// The `percentile`-th percentile of the door-to-door seconds between points over the
    /// departure window, row-major as little-endian `u32` (`u32::MAX`: not reached within the
    /// bound), with the numbers of rows and columns and the snapping report.
    #[pyo3(signature = (scenario, points, to_points, depart, percentile, draws, seed))]
    #[allow(clippy::too_many_arguments)]
    fn points_seconds<'py>(
        &self,
        py: Python<'py>,
        scenario: Option<&str>,
        points: Vec<(String, f64, f64)>,
        to_points: Option<Vec<(String, f64, f64)>>,
        depart: &str,
        percentile: f64,
        draws: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<(Bound<'py, PyBytes>, usize, usize, Option<String>)> {
        let w = window(Some(depart), None, draws, seed)?.expect("a window for a departure given");
        let (rows, cols) = (api_points(points), to_points.map(api_points));
        let m = &self.inner;
        let t = py
            .detach(|| m.points_times(scenario, &rows, cols.as_deref(), &w, percentile))
            .map_err(py_err)?;
        let bytes: Vec<u8> = t.seconds.iter().flat_map(|s| s.to_le_bytes()).collect();
        Ok((PyBytes::new(py, &bytes), t.rows, t.cols, t.snap_report))
    }

    /// The fastest route, as `onehour route --format json` writes it.
    #[pyo3(signature = (scenario, from_, to, depart))]
    fn route_json(
        &self,
        py: Python<'_>,
        scenario: Option<&str>,
        from_: &str,
        to: &str,
        depart: Option<&str>,
    ) -> PyResult<String> {
        let t: Option<Seconds> = match depart {
            None => None,
            Some(d) => {
                let w = Window::parse(d).map_err(py_err)?;
                if w.from != w.to {
                    return Err(bad(format!(
                        "depart: route takes one departure time (HH:MM), not a window ('{d}')"
                    )));
                }
                Some(w.from)
            }
        };
        let m = &self.inner;
        py.detach(|| m.route(scenario, from_, to, t).map(|r| r.to_json()))
            .map_err(py_err)
    }

    /// The isochrone bands of a place or a point as a GeoJSON FeatureCollection, as `onehour
    /// isochrones` writes them (all.geojson).
    #[pyo3(signature = (scenario, place, lon, lat, thresholds, cell, depart, percentile))]
    #[allow(clippy::too_many_arguments)]
    fn isochrone_json(
        &self,
        py: Python<'_>,
        scenario: Option<&str>,
        place: Option<String>,
        lon: Option<f64>,
        lat: Option<f64>,
        thresholds: Vec<f64>,
        cell: f64,
        depart: Option<&str>,
        percentile: Option<f64>,
    ) -> PyResult<String> {
        let origin = match (place, lon, lat) {
            (Some(p), None, None) => Origin::Place(p),
            (None, Some(lon), Some(lat)) => Origin::Point { lon, lat },
            _ => {
                return Err(bad(
                    "origin: give a place (id or name) or a point (lon, lat), not both",
                ))
            }
        };
        let params = IsoParams {
            thresholds_min: thresholds,
            cell_m: cell,
            ..IsoParams::default()
        };
        let w = match depart {
            None if percentile.is_some() => {
                return Err(bad(
                    "percentile: only over a departure window; give depart=\"HH:MM-HH:MM\" too, or drop percentile",
                ))
            }
            None => None,
            Some(d) => Some((Window::parse(d).map_err(py_err)?, percentile.unwrap_or(50.0))),
        };
        let m = &self.inner;
        py.detach(|| {
            let iso = m.isochrone(scenario, &origin, &params, w.as_ref().map(|(w, p)| (w, *p)))?;
            Ok(isochrone::to_geojson_text(&isochrone::feature_collection(
                std::slice::from_ref(&iso),
            )))
        })
        .map_err(py_err)
    }

    /// `other` compared with `base` centre by centre, as `onehour compare BASE OTHER --format
    /// json` writes it: the static model, or the medians over a departure window.
    #[pyo3(signature = (base, other, depart, draws, seed))]
    fn compare_json(
        &self,
        py: Python<'_>,
        base: &str,
        other: &str,
        depart: Option<&str>,
        draws: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<String> {
        let w = window(depart, None, draws, seed)?;
        let m = &self.inner;
        py.detach(|| -> Result<String, api::Error> {
            let c = m.compare(base, other, w.as_ref())?;
            let o = match &w {
                None => None,
                Some(w) => Some(m.window_options(w)?),
            };
            Ok(analysis::json::compare_json(&c, o.as_ref()))
        })
        .map_err(py_err)
    }

    /// The people of the population surface each cell of a grid reaches within `cutoff`
    /// minutes over a departure window (default 07:00-08:00), with `compare` the difference:
    /// `(csv, geojson, summary)`, the files `onehour access` writes.
    #[pyo3(signature = (scenario, compare, cutoff, grid, depart, draws, seed, percentile))]
    #[allow(clippy::too_many_arguments)]
    fn access_files(
        &self,
        py: Python<'_>,
        scenario: Option<&str>,
        compare: Option<&str>,
        cutoff: u32,
        grid: f64,
        depart: Option<&str>,
        draws: Option<u32>,
        seed: Option<u64>,
        percentile: f64,
    ) -> PyResult<(String, String, String)> {
        let mut params = api::AccessParams {
            cutoff_min: cutoff,
            grid_m: grid,
            percentile,
            ..api::AccessParams::default()
        };
        if let Some(w) = window(depart, None, draws, seed)? {
            params.window = w;
        }
        let m = &self.inner;
        py.detach(|| {
            let r = m.access(scenario, compare, &params)?;
            Ok((r.csv.clone(), r.geojson.clone(), r.summary.to_string()))
        })
        .map_err(py_err)
    }

    /// The projects of `projects` ranked against `base`, as `onehour rank --format json`
    /// writes them.
    #[pyo3(signature = (base, projects, depart, draws, seed))]
    fn rank_json(
        &self,
        py: Python<'_>,
        base: &str,
        projects: &str,
        depart: Option<&str>,
        draws: Option<u32>,
        seed: Option<u64>,
    ) -> PyResult<String> {
        let w = window(depart, None, draws, seed)?;
        let m = &self.inner;
        let opts = &self.opts;
        py.detach(|| -> Result<String, api::Error> {
            let timing = match &w {
                None => Timing::Static,
                Some(w) => Timing::Timetable(m.window_options(w)?),
            };
            let lib = library(opts)?;
            let net = m.base();
            let limit = (m.limit_min() * 60.0).round() as Seconds;
            let bound = ((net.settings.routing.bound_min * 60.0) as Seconds).max(limit);
            let ranked = analysis::rank(
                net,
                &lib,
                base,
                projects,
                m.profile(),
                limit,
                bound,
                &timing,
                m.population(),
                &|| {},
            )?;
            Ok(serde_json::to_string_pretty(&ranked).unwrap_or_default() + "\n")
        })
        .map_err(py_err)
    }
}

/// The scenario library of a model opened with `opts` (as the model reads it).
fn library(opts: &api::Options) -> Result<Library, api::Error> {
    match (&opts.scenarios, &opts.network) {
        (Some(d), _) => Ok(Library::load(onehour::network::source::Source::Disk(
            d.clone(),
        ))?),
        (None, None) => Ok(Library::load(onehour::network::bundled::scenarios())?),
        (None, Some(_)) => Err(api::Error::BadRequest(
            "rank: this network has no scenario folder; load it with scenarios=DIR".into(),
        )),
    }
}

/// The extension module.
#[pymodule]
fn _onehour(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_class::<Model>()?;
    m.add("Error", m.py().get_type::<Error>())?;
    Ok(())
}
