//! Point files: a CSV with the columns `id,lon,lat` (WGS84 degrees; other columns are
//! allowed and ignored here), for travel times between arbitrary points. They are read by
//! the reader of opportunity CSVs (`io::opportunities::load_points`), with the same checks and
//! messages.

/// A point with an id, WGS84 degrees.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The point's id (unique within its set).
    pub id: String,
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
}
