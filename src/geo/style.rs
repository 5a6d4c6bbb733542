//! The palette shared by the GeoJSON outputs and the SVG map: one place for the colours of
//! modes, roads and isochrone bands.

use crate::network::model::Mode;

/// Line colour of a mode .
pub fn mode_colour(m: Mode) -> &'static str {
    match m {
        Mode::Hsr => "#d7191c",
        Mode::Conventional => "#7b3294",
        Mode::Intercity => "#fdae61",
        Mode::Metro => "#2c7bb6",
        Mode::Tram => "#1a9641",
        Mode::Bus => "#8c8c8c",
    }
}

/// Colour of road lines.
pub const ROAD_COLOUR: &str = "#b15928";

/// Fill colour of a band, from dark (short) to light (long): simplestyle hints that
/// geojson.io and kepler.gl pick up.
pub fn band_colour(k: usize, n: usize) -> &'static str {
    const RAMP: [&str; 6] = [
        "#08306b", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef",
    ];
    let i = if n <= 1 {
        0
    } else {
        k * (RAMP.len() - 1) / (n - 1).max(1)
    };
    RAMP[i.min(RAMP.len() - 1)]
}
