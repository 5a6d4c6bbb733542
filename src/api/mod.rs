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
mod error;
mod model;
mod points;
mod request;
mod results;
mod scenario_net;

pub use crate::access::links::Point;
pub use crate::access::points::{PointsMatrix, PointsOutcome, PointsTimes};
pub use access_types::{
    AccessParams, AccessResult, ACCESS_CUTOFF_MIN, ACCESS_GRID_M, MAX_ACCESS_GRID_M,
    MIN_ACCESS_GRID_M,
};
pub use error::Error;
pub use model::{Model, Options};
pub use request::{Origin, Window, DEFAULT_DRAWS, DEFAULT_PERCENTILES};
pub use results::{Matrix, PlaceInfo, RouteResult, ScenarioInfo};
pub use scenario_net::ScenarioNet;
