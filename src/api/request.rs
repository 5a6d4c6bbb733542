//! What a query gives besides its scenario: where it starts ([`Origin`]), its departure
//! [`Window`] and the defaults, and the checks of isochrone parameters and windows.

use super::error::Error;
use crate::analysis::window::WindowOptions;
use crate::network::ids::Seconds;

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
