//! Point files: a CSV with the columns `id,lon,lat` (WGS84 degrees; other columns are
//! allowed and ignored here), for travel times between arbitrary points.

use std::collections::HashMap;
use std::path::Path;

use crate::network::load::read_regular;
use crate::network::model::Origin;
use crate::network::problem::{Problem, Problems};

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

/// Reads the points of `path`: every problem (missing column, bad or duplicate id, a
/// coordinate that is not a number or outside WGS84, a wrong field count) names the file and
/// line; a file with no point is an error too.
pub fn load_points(path: &Path) -> Result<Vec<Point>, Problems> {
    let file = path.display().to_string();
    let at = |line: Option<usize>| Origin {
        file: file.clone(),
        line,
    };
    let text = read_regular(path).map_err(|e| {
        Problems(vec![Problem::error(
            &at(None),
            "points",
            e.to_string(),
            e.fix(),
        )])
    })?;
    parse_points(&text, &file)
}

/// [`load_points`] on text already read (`file` names it in messages).
pub fn parse_points(text: &str, file: &str) -> Result<Vec<Point>, Problems> {
    let at = |line: Option<usize>| Origin {
        file: file.to_string(),
        line,
    };
    let mut problems = Vec::new();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(Problems(vec![Problem::error(
                &at(Some(1)),
                "header",
                format!("the header cannot be read: {e}"),
                "start the file with the line id,lon,lat",
            )]))
        }
    };
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(ci), Some(cx), Some(cy)) = (col("id"), col("lon"), col("lat")) else {
        return Err(Problems(vec![Problem::error(
            &at(Some(1)),
            "header",
            format!(
                "the header '{}' lacks one of the columns id, lon, lat",
                header.iter().collect::<Vec<_>>().join(",")
            ),
            "name the columns id,lon,lat (WGS84 degrees)",
        )]));
    };
    let mut points = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(Problem::error(
                    &at(line),
                    "record",
                    format!("the record cannot be read: {e}"),
                    "give every line as many fields as the header, and close every quote",
                ));
                break;
            }
        };
        let line = rec.position().map(|p| p.line() as usize);
        let id = rec.get(ci).unwrap_or("").to_string();
        if id.is_empty() {
            problems.push(Problem::error(
                &at(line),
                "id",
                "the point has no id",
                "give every point a unique id",
            ));
            continue;
        }
        if let Some(first) = seen.insert(id.clone(), line.unwrap_or(0)) {
            problems.push(Problem::error(
                &at(line),
                format!("point {id}"),
                format!("the id '{id}' is given again (first on line {first})"),
                "give every point a unique id",
            ));
            continue;
        }
        let coord = |c: usize, name: &str, lim: f64| -> Result<f64, Problem> {
            let raw = rec.get(c).unwrap_or("");
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= lim => Ok(v),
                _ => Err(Problem::error(
                    &at(line),
                    format!("point {id}"),
                    format!("{name} '{raw}' is not a WGS84 coordinate (a number within ±{lim})"),
                    "give lon and lat in decimal degrees, WGS84 (e.g. 113.2644,23.1291)",
                )),
            }
        };
        match (coord(cx, "lon", 180.0), coord(cy, "lat", 90.0)) {
            (Ok(lon), Ok(lat)) => points.push(Point { id, lon, lat }),
            (a, b) => problems.extend(a.err().into_iter().chain(b.err())),
        }
    }
    if points.is_empty() && problems.is_empty() {
        problems.push(Problem::error(
            &at(None),
            "points",
            "the file has no point",
            "give one point per line after the header id,lon,lat",
        ));
    }
    if problems.is_empty() {
        Ok(points)
    } else {
        Err(Problems(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_points_and_names_bad_lines() {
        let ok =
            parse_points("id,lat,lon,pop\na,23.1,113.2,5\nb, 23.2 ,113.3,\n", "p.csv").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!((ok[1].lon, ok[1].lat), (113.3, 23.2));
        let e = parse_points(
            "id,lon,lat\na,113,23\na,114,23\nb,200,23\nc,x,23\n",
            "p.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("p.csv:3") && e.contains("given again"), "{e}");
        assert!(e.contains("p.csv:4") && e.contains("'200'"), "{e}");
        assert!(e.contains("p.csv:5") && e.contains("'x'"), "{e}");
        assert!(parse_points("id,x,y\na,1,2\n", "p.csv").is_err());
        assert!(parse_points("id,lon,lat\n", "p.csv").is_err());
        assert!(parse_points("id,lon,lat\na,1,2,3\n", "p.csv").is_err());
    }
}
