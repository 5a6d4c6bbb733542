//! The library facade: one [`Model`] holds a network as of its day and its scenario library,
//! compiles each scenario's network once on first use and shares it across threads, and
//! answers what the command line answers — scenarios, places, centre matrices (static or over a
//! departure window, with percentiles), routes, isochrones from a place or any point, and
//! comparisons — in the same JSON documents (`crate::analysis::json`). The HTTP server and
//! language bindings are built on it; no clap, indicatif or anyhow here.
//!
//! Searches run on the caller's thread with a workspace kept per thread (no lock is taken on
//! the way); compiled networks are immutable, so any number of threads query one `Model`.
//!
//! ```
//! use onehour::api::{Model, Options, Origin};
//!
//! let model = Model::open(&Options::default()).unwrap();
//! // The centre matrix of a scenario, as `onehour check --scenario plan-2030 --format json`.
//! let m = model.centre_matrix(Some("plan-2030"), None).unwrap();
//! let json: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
//! assert_eq!(json["scenario"], "plan-2030");
//! // The route between two centres, leg by leg.
//! let r = model.route(None, "c_guangzhou_tianhe", "c_foshan", None).unwrap();
//! assert!(r.minutes() > 0.0);
//! // The isochrone bands of a clicked point, as GeoJSON.
//! let iso = model
//!     .isochrone(None, &Origin::Point { lon: 113.32, lat: 23.12 }, &Default::default(), None)
//!     .unwrap();
//! assert_eq!(iso.bands.len(), 4);
//! ```

mod access;
mod access_types;
mod model;
mod results;
mod scenario_net;

pub use access_types::{
    AccessParams, AccessResult, ACCESS_CUTOFF_MIN, ACCESS_GRID_M, MAX_ACCESS_GRID_M,
    MIN_ACCESS_GRID_M,
};
pub use model::{Model, Options};
pub use results::{Matrix, PlaceInfo, RouteResult, ScenarioInfo};
pub use scenario_net::ScenarioNet;

use crate::analysis::window::WindowOptions;
use crate::network::ids::Seconds;

/// What went wrong, with a message for the user naming the input and the fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// An argument is malformed or out of range (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// A scenario or place of that name does not exist (HTTP 404), with the closest names.
    #[error("{message}")]
    NotFound {
        /// The message, with the closest candidates.
        message: String,
        /// The closest existing names (scenario names, place ids), best first.
        suggestions: Vec<String>,
    },
    /// The network or scenario files are invalid (each problem names its file and line).
    #[error("{0}")]
    Data(String),
    /// A computation failed (e.g. a contour that is no valid geometry).
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// The message.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The closest names of an unknown scenario or place (empty for other errors).
    pub fn suggestions(&self) -> &[String] {
        match self {
            Error::NotFound { suggestions, .. } => suggestions,
            _ => &[],
        }
    }
}

impl From<crate::network::problem::Problems> for Error {
    fn from(p: crate::network::problem::Problems) -> Error {
        Error::Data(p.to_string())
    }
}

/// Where an isochrone starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A place of the network, by id or name (as the command line names places).
    Place(String),
    /// Any point, WGS84 degrees: it reaches stations on foot or by the local access mode
    /// (straight lines, the network's `[walking]` and `[access]` settings, as `matrix
    /// --points`), and its own neighbourhood on foot.
    Point {
        /// Longitude, degrees.
        lon: f64,
        /// Latitude, degrees.
        lat: f64,
    },
}

/// A departure window on the model's day, as `--depart`, `--draws`, `--seed` and
/// `--percentiles` give it on the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// First departure, seconds after midnight of the service day.
    pub from: Seconds,
    /// Last departure (inclusive; equal to `from` for one departure).
    pub to: Seconds,
    /// Draws of the departures of services known only by their headway.
    pub draws: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// Percentiles reported in matrices.
    pub percentiles: Vec<f64>,
}

/// Draws when none are given (as the command line).
pub const DEFAULT_DRAWS: u32 = 10;
/// Percentiles reported when none are given (as the command line).
pub const DEFAULT_PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

impl Window {
    /// `HH:MM` or `HH:MM-HH:MM` with the default draws (10), seed (1) and percentiles; an
    /// error names `depart`.
    pub fn parse(depart: &str) -> Result<Window, Error> {
        let (from, to) = crate::analysis::window::parse_depart(depart)
            .map_err(|e| Error::BadRequest(format!("depart: {e}")))?;
        Ok(Window {
            from,
            to,
            draws: DEFAULT_DRAWS,
            seed: 1,
            percentiles: DEFAULT_PERCENTILES.to_vec(),
        })
    }

    /// The weekday morning peak of the main job, 07:00–09:00.
    pub fn morning_peak() -> Window {
        Window {
            from: 7 * 3600,
            to: 9 * 3600,
            draws: DEFAULT_DRAWS,
            seed: 1,
            percentiles: DEFAULT_PERCENTILES.to_vec(),
        }
    }
}

/// The isochrone parameters checked, an error naming the parameter as a caller of the
/// facade gives it (`thresholds`, `cell`, `max_access`), not the command line's flag.
pub(crate) fn check_iso_params(p: &crate::geo::isochrone::IsoParams) -> Result<(), Error> {
    let bad = |m: String| Err(Error::BadRequest(m));
    if p.thresholds_min.is_empty() {
        return bad("thresholds: give at least one threshold in minutes, e.g. 15,30,45,60".into());
    }
    if let Some(t) = p
        .thresholds_min
        .iter()
        .find(|t| !(t.is_finite() && **t > 0.0 && **t <= 24.0 * 60.0))
    {
        return bad(format!(
            "thresholds: {t} is not a number of minutes in (0, 1440]"
        ));
    }
    if p.thresholds_min.windows(2).any(|w| w[0] >= w[1]) {
        return bad("thresholds: give them strictly increasing, e.g. 15,30,45,60".into());
    }
    if !(p.cell_m.is_finite() && (10.0..=10_000.0).contains(&p.cell_m)) {
        return bad(format!(
            "cell: {} m is outside 10..10000; give a grid cell size in metres",
            p.cell_m
        ));
    }
    if let Some(m) = p.max_access_m {
        if !(m.is_finite() && (0.0..=100_000.0).contains(&m)) {
            return bad(format!(
                "max_access: {m} m is outside 0..100000; give metres"
            ));
        }
    }
    // Whatever else the library checks (in its own words).
    p.check().map_err(Error::BadRequest)
}

/// The window options of a timetable query, as the command line's session makes them.
pub(crate) fn window_options(
    w: &Window,
    date: crate::network::model::Date,
    bound: Seconds,
) -> Result<WindowOptions, Error> {
    if w.to + bound > crate::engine::raptor::MAX_HORIZON {
        return Err(Error::BadRequest(format!(
            "depart: the window with the search bound ({} min) passes the 48 h a service day covers; end the window earlier",
            bound / 60
        )));
    }
    if w.draws == 0 {
        return Err(Error::BadRequest(
            "draws: give at least 1 draw of the headway-based departures".into(),
        ));
    }
    if let Some(p) = w.percentiles.iter().find(|p| !(0.0..=100.0).contains(*p)) {
        return Err(Error::BadRequest(format!(
            "percentiles: {p} is not a percentile; give numbers from 0 to 100"
        )));
    }
    Ok(WindowOptions {
        date,
        from: w.from,
        to: w.to,
        step: 60,
        draws: w.draws,
        seed: w.seed,
        bound,
        max_trips: 8,
    })
}
