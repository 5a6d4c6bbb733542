//! Rounding of figures for output: minutes to 0.1, coordinates to 6 decimals (about 0.1 m).
//! Below the JSON writers (`json`) and the timetabled matrices (`timed`), which both round
//! what they report.

/// `x` rounded to 6 decimals.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `x` rounded to 1 decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
