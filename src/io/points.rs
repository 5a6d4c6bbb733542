//! Point files: a CSV with the columns `id,lon,lat` (WGS84 degrees; other columns are
//! allowed and ignored here), for travel times between arbitrary points. They are read by
//! the reader of opportunity CSVs ([`crate::io::opportunities`]), with the same checks and
//! messages.

pub use crate::io::opportunities::load_points;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Vec<Point>, String> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("p.csv");
        std::fs::write(&p, text).unwrap();
        load_points(&p).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_points_and_names_bad_lines() {
        let ok = load("id,lat,lon,pop\na,23.1,113.2,5\nb, 23.2 ,113.3,\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!((ok[1].lon, ok[1].lat), (113.3, 23.2));
        let e = load("id,lon,lat\na,113,23\na,114,23\nb,200,23\nc,x,23\n").unwrap_err();
        assert!(
            e.contains("p.csv:3") && e.contains("already used on line 2"),
            "{e}"
        );
        assert!(e.contains("p.csv:4") && e.contains("longitude 200"), "{e}");
        assert!(e.contains("p.csv:5") && e.contains("'x'"), "{e}");
        let e = load("id,x,y\na,1,2\n").unwrap_err();
        assert!(e.contains("lon, lat") && e.contains("id, lon, lat"), "{e}");
        assert!(load("id,lon,lat\n").unwrap_err().contains("no point"));
        assert!(load("id,lon,lat\na,1,2,3\n").is_err());
    }
}
