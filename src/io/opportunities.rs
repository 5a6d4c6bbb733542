//! Points and opportunities read from the user's files, for accessibility indicators
//! (`docs/access.md`).
//!
//! Three inputs:
//! - a CSV of points `id,lon,lat` (other columns are allowed and ignored), the origins or
//!   destinations of a matrix: [`load_points`];
//! - a CSV of points with opportunity counts, `id,lon,lat,<numeric columns…>` (e.g.
//!   `population,jobs`): [`load_opportunity_csv`]; [`Opportunities::to_grid`] sums them into
//!   the cells of a [`Grid`];
//! - GeoJSON `Polygon` or `MultiPolygon` features with numeric properties, spread over the
//!   cells of a grid in proportion to area: [`load_opportunity_geojson`]. A cell receives
//!   `value × area(cell ∩ polygon) / area(polygon)`, as Conveyal resamples polygons onto its
//!   grid (<https://docs.conveyal.com/analysis/methodology>, "Spatial resolution"). Areas are
//!   taken in the grid's projection (polygon edges are straight lines there), and the
//!   intersection is an exact clip of every ring against the cell's square. The values of a
//!   feature reach the grid in full unless part of it lies outside: what falls outside is
//!   reported (a warning, and [`Loaded::outside`]).
//!
//! Validation is strict: every problem names the file, the line (CSV) or feature (GeoJSON),
//! the offending value and the fix, and any error rejects the file ([`Problems`], exit code 2
//! at the command line). Errors: an unreadable or empty file, a missing or repeated column, a
//! record without id or with an id seen before, coordinates that are missing, not numbers or
//! off the globe, values that are not numbers, infinite or negative; for GeoJSON also
//! geometries other than polygons, unclosed or invalid rings, polygons without area, and a
//! column no feature holds. An empty value (CSV) or a missing or `null` property (GeoJSON)
//! counts as 0, with one warning per column naming the records. At most [`MAX_SHOWN`] errors
//! are listed, then their count.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::geo::grid::Grid;
use crate::io::points::Point;
use crate::network::load::Source;
use crate::network::model::Origin;
use crate::network::problem::{into_result, Problem, Problems};

/// Most errors listed for one file; the rest are counted in a last message.
pub const MAX_SHOWN: usize = 50;

/// Opportunities (people, jobs, schools…) at points or grid cells, one row each.
///
/// Rows are points read from a CSV, or the cells of a grid (then `cells` holds each row's cell
/// index in the grid, `ids` its cell id `r{row}c{col}` and `lonlat` its centre). `columns` are
/// the opportunity counts, one `(name, values)` per column with one value per row, each
/// finite and non-negative (fractional after spreading polygons over cells).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Opportunities {
    /// Unique ids of the rows.
    pub ids: Vec<String>,
    /// WGS84 longitude and latitude of each row (a cell's centre for cells), degrees.
    pub lonlat: Vec<(f64, f64)>,
    /// For rows that are grid cells, the cell index of each in its grid.
    pub cells: Option<Vec<u32>>,
    /// Opportunity columns: name and one value per row.
    pub columns: Vec<(String, Vec<f64>)>,
}

impl Opportunities {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The values of the column named `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The total of each column.
    pub fn totals(&self) -> Vec<f64> {
        self.columns.iter().map(|(_, v)| v.iter().sum()).collect()
    }

    /// Every cell of `grid`, in cell order, with the given columns (each of `grid.len()`
    /// values).
    pub fn on_grid(grid: &Grid, columns: Vec<(String, Vec<f64>)>) -> Opportunities {
        debug_assert!(columns.iter().all(|(_, v)| v.len() == grid.len()));
        Opportunities {
            ids: (0..grid.len()).map(|i| grid.id(i)).collect(),
            lonlat: (0..grid.len()).map(|i| grid.centroid(i)).collect(),
            cells: Some((0..grid.len() as u32).collect()),
            columns,
        }
    }

    /// Only the rows where some column is above zero, in the same order (the destinations
    /// worth propagating to).
    pub fn nonzero(&self) -> Opportunities {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.columns.iter().any(|(_, v)| v[i] > 0.0))
            .collect();
        Opportunities {
            ids: keep.iter().map(|&i| self.ids[i].clone()).collect(),
            lonlat: keep.iter().map(|&i| self.lonlat[i]).collect(),
            cells: self
                .cells
                .as_ref()
                .map(|c| keep.iter().map(|&i| c[i]).collect()),
            columns: self
                .columns
                .iter()
                .map(|(n, v)| (n.clone(), keep.iter().map(|&i| v[i]).collect()))
                .collect(),
        }
    }

    /// The rows summed into the cells of `grid` (every cell, in cell order; a point on a
    /// cell's west or south edge counts in that cell), with what falls outside the grid per
    /// column and how many rows that is.
    pub fn to_grid(&self, grid: &Grid) -> (Opportunities, Vec<f64>, usize) {
        let mut cols: Vec<Vec<f64>> = vec![vec![0.0; grid.len()]; self.columns.len()];
        let mut outside = vec![0.0; self.columns.len()];
        let mut n_outside = 0;
        for (i, &(lon, lat)) in self.lonlat.iter().enumerate() {
            match grid.cell_at(lon, lat) {
                Some(cell) => {
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        cols[k][cell] += v[i];
                    }
                }
                None => {
                    n_outside += 1;
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        outside[k] += v[i];
                    }
                }
            }
        }
        let columns = self
            .columns
            .iter()
            .zip(cols)
            .map(|((n, _), v)| (n.clone(), v))
            .collect();
        (Opportunities::on_grid(grid, columns), outside, n_outside)
    }
}

/// Opportunities as loaded, with what the file held and what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The opportunities: the file's points, or every cell of the grid polygons were spread
    /// over.
    pub opportunities: Opportunities,
    /// Total of each column in the file.
    pub totals: Vec<f64>,
    /// Part of each column's total that lies outside the grid and was left out (zero for
    /// points).
    pub outside: Vec<f64>,
}

/// Collects the problems of one file, listing at most [`MAX_SHOWN`] errors.
struct Sink {
    file: String,
    problems: Vec<Problem>,
    errors: usize,
    /// Per column, where a value is missing (read as 0).
    blanks: Vec<(String, Vec<String>)>,
}

impl Sink {
    fn new(path: &Path) -> Sink {
        Sink {
            file: path.display().to_string(),
            problems: Vec::new(),
            errors: 0,
            blanks: Vec::new(),
        }
    }

    fn origin(&self, line: Option<usize>) -> Origin {
        Origin {
            file: self.file.clone(),
            line,
        }
    }

    fn error(
        &mut self,
        line: Option<usize>,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.errors += 1;
        if self.errors <= MAX_SHOWN {
            let o = self.origin(line);
            self.problems.push(Problem::error(&o, record, message, fix));
        }
    }

    fn warning(
        &mut self,
        line: Option<usize>,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let o = self.origin(line);
        self.problems
            .push(Problem::warning(&o, record, message, fix));
    }

    /// A missing value of `column` at `at` (`line 12`, `feature 3`), read as 0 and reported in
    /// one warning per column.
    fn blank(&mut self, column: &str, at: String) {
        match self.blanks.iter_mut().find(|b| b.0 == column) {
            Some(b) => b.1.push(at),
            None => self.blanks.push((column.to_string(), vec![at])),
        }
    }

    fn has_errors(&self) -> bool {
        self.errors > 0
    }

    fn finish(mut self) -> Result<Vec<Problem>, Problems> {
        for (col, at) in std::mem::take(&mut self.blanks) {
            let mut list: Vec<&str> = at.iter().take(10).map(|s| s.as_str()).collect();
            if at.len() > 10 {
                list.push("…");
            }
            self.warning(
                None,
                "",
                format!(
                    "{col} has no value in {} record(s) ({}): counted as 0",
                    at.len(),
                    list.join(", ")
                ),
                format!("write the number of {col} where it is known, or 0 where there are none"),
            );
        }
        if self.errors > MAX_SHOWN {
            let o = self.origin(None);
            self.problems.push(Problem::error(
                &o,
                "",
                format!(
                    "{} more errors like those above are not listed",
                    self.errors - MAX_SHOWN
                ),
                "fix the errors listed and run again to see the rest",
            ));
        }
        into_result(self.problems)
    }
}

/// Reads a user's file as UTF-8 text with the network loader's checks (a regular file, at
/// most `load::MAX_FILE_BYTES`, UTF-8; a byte-order mark is dropped).
fn read_text(path: &Path, sink: &mut Sink, what: &str) -> Option<String> {
    let Some(p) = path.to_str() else {
        sink.error(
            None,
            "",
            "the path is not valid UTF-8",
            "rename the file or a folder on its path",
        );
        return None;
    };
    match Source::Disk(PathBuf::new()).read(p) {
        Ok(t) => Some(t),
        Err(e) => {
            let fix = match e {
                crate::network::load::ReadError::Missing => {
                    format!("give the path of an existing {what}")
                }
                _ => e.fix().to_string(),
            };
            sink.error(None, "", e.to_string(), fix);
            None
        }
    }
}

/// 1-based line numbers from byte offsets (csv's own line count is one short after CRLF line
/// ends).
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The line of the first character at or after `byte` that does not end a line (a
    /// record's position may be the line end before it).
    fn at(&self, text: &str, byte: u64) -> usize {
        let b = text.as_bytes();
        let mut i = (byte as usize).min(b.len());
        while i < b.len() && (b[i] == b'\n' || b[i] == b'\r') {
            i += 1;
        }
        self.0.partition_point(|&nl| nl < i) + 1
    }
}

/// A number written in a CSV field or read as text, checked: finite, and non-negative if
/// `non_negative`. The error is a message and a fix.
fn number(s: &str, what: &str, non_negative: bool) -> Result<f64, (String, String)> {
    if s.is_empty() {
        return Err((format!("{what} is empty"), format!("give the {what}")));
    }
    let v: f64 = match s.parse() {
        Ok(v) => v,
        Err(_) => {
            let fix = if s.contains(',') || s.contains('\u{a0}') || s.contains(' ') {
                "write the number with a decimal point and without thousands separators, e.g. 1234.5"
            } else {
                "write a number, e.g. 1234.5"
            };
            return Err((format!("{what} '{s}' is not a number"), fix.into()));
        }
    };
    if !v.is_finite() {
        return Err((
            format!("{what} '{s}' is not a finite number"),
            "write a finite number".into(),
        ));
    }
    if non_negative {
        check_count(v, what)?;
    }
    Ok(v)
}

/// Checks an opportunity count: not negative (finite is checked by the caller).
fn check_count(v: f64, what: &str) -> Result<f64, (String, String)> {
    if v < 0.0 {
        return Err((
            format!("{what} {v} is negative"),
            "opportunities are counts: write 0 or more".into(),
        ));
    }
    Ok(v)
}

/// Checks a longitude and latitude, with a hint when they look swapped.
fn check_lonlat(lon: f64, lat: f64) -> Result<(), (String, String)> {
    let lon_ok = (-180.0..=180.0).contains(&lon);
    let lat_ok = (-90.0..=90.0).contains(&lat);
    if lon_ok && lat_ok {
        return Ok(());
    }
    let swapped = (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat);
    let what = if !lon_ok {
        format!("longitude {lon} is outside -180..180")
    } else {
        format!("latitude {lat} is outside -90..90")
    };
    let fix = if swapped {
        "longitude and latitude look swapped: give longitude (east) first, then latitude, in WGS84 degrees"
    } else {
        "give WGS84 longitude and latitude in degrees (not projected metres)"
    };
    Err((what, fix.into()))
}

/// The first name given twice in `names`.
fn repeated(names: &[String]) -> Option<&str> {
    (1..names.len())
        .find(|&i| names[..i].contains(&names[i]))
        .map(|i| names[i].as_str())
}

/// A CSV of points read: its records and the names of the wanted value columns.
struct CsvPoints {
    rows: Vec<CsvRow>,
    value_names: Vec<String>,
}

/// One record of a points CSV.
struct CsvRow {
    id: String,
    lonlat: (f64, f64),
    values: Vec<f64>,
}

/// Which value columns a points CSV must have.
enum Values<'a> {
    /// None: other columns are ignored.
    Ignore,
    /// Every column after id, lon, lat (at least one).
    All,
    /// These columns (others are ignored).
    Named(&'a [String]),
}

impl Values<'_> {
    /// The header line the file should have, for fixes.
    fn header_hint(&self) -> String {
        match self {
            Values::Ignore => "id,lon,lat".to_string(),
            Values::All => "id,lon,lat,<opportunity columns, e.g. population,jobs>".to_string(),
            Values::Named(n) => format!("id,lon,lat,{}", n.join(",")),
        }
    }

    /// Whether the column `n` is read: id, lon, lat and the value columns (other columns may
    /// be anything).
    fn reads(&self, n: &str) -> bool {
        match self {
            Values::Ignore => ["id", "lon", "lat"].contains(&n),
            Values::All => true,
            Values::Named(w) => ["id", "lon", "lat"].contains(&n) || w.iter().any(|x| x == n),
        }
    }
}

/// The positions of the columns of a points CSV, from its header.
struct CsvColumns {
    id: usize,
    lon: usize,
    lat: usize,
    /// The value columns, in the order wanted.
    values: Vec<usize>,
    value_names: Vec<String>,
}

/// Checks the header `names` of a points CSV for the `values` wanted: the columns' positions,
/// or every problem found (joined into one error by the caller).
fn csv_columns(names: &[&str], values: &Values) -> Result<CsvColumns, Vec<String>> {
    let mut bad = Vec::new();
    let missing: Vec<&str> = ["id", "lon", "lat"]
        .into_iter()
        .filter(|c| !names.contains(c))
        .collect();
    if !missing.is_empty() {
        let near: Vec<String> = names
            .iter()
            .filter(|n| {
                let l = n.to_lowercase();
                ["id", "lon", "lat", "lng", "longitude", "latitude", "x", "y"].contains(&l.as_str())
                    && !["id", "lon", "lat"].contains(n)
            })
            .map(|n| format!("'{n}'"))
            .collect();
        let mut m = format!("missing column(s) {}", missing.join(", "));
        if near.is_empty() {
            m.push_str(" (the columns id, lon, lat are required)");
        } else {
            m.push_str(&format!(
                " (found {}: rename to id, lon, lat)",
                near.join(", ")
            ));
        }
        bad.push(m);
    }
    if matches!(values, Values::All) && names.iter().any(|n| n.is_empty()) {
        bad.push("a column has no name".into());
    }
    let mut twice: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|&(i, n)| values.reads(n) && names[..i].contains(n))
        .map(|(_, n)| *n)
        .collect();
    twice.dedup();
    if !twice.is_empty() {
        bad.push(format!("column(s) named twice: {}", twice.join(", ")));
    }
    let value_cols: Vec<usize> = match values {
        Values::Ignore => vec![],
        Values::All => {
            let v: Vec<usize> = (0..names.len())
                .filter(|&i| !["id", "lon", "lat"].contains(&names[i]))
                .collect();
            if v.is_empty() && missing.is_empty() {
                bad.push("no opportunity column after id, lon, lat".into());
            }
            v
        }
        Values::Named(wanted) => {
            if let Some(d) = repeated(wanted) {
                bad.push(format!("the column {d} is chosen twice"));
            }
            let absent: Vec<&str> = wanted
                .iter()
                .filter(|w| !names.contains(&w.as_str()))
                .map(|w| w.as_str())
                .collect();
            if !absent.is_empty() {
                bad.push(format!(
                    "no column named {} (columns: {})",
                    absent.join(", "),
                    names.join(", ")
                ));
            }
            wanted
                .iter()
                .filter_map(|w| names.iter().position(|n| n == w))
                .collect()
        }
    };
    if !bad.is_empty() {
        return Err(bad);
    }
    let col = |n: &str| names.iter().position(|h| *h == n).unwrap_or(0);
    Ok(CsvColumns {
        id: col("id"),
        lon: col("lon"),
        lat: col("lat"),
        value_names: value_cols.iter().map(|&i| names[i].to_string()).collect(),
        values: value_cols,
    })
}

/// Checks one record of a points CSV, at `line`: the row, or `None` after reporting its
/// errors to `sink`. `seen` holds the ids read so far and their lines.
fn csv_row(
    rec: &csv::StringRecord,
    line: usize,
    cols: &CsvColumns,
    seen: &mut HashMap<String, usize>,
    sink: &mut Sink,
) -> Option<CsvRow> {
    let id = rec.get(cols.id).unwrap_or("");
    let record = if id.is_empty() {
        String::new()
    } else {
        format!("id {id}")
    };
    let mut ok = true;
    if id.is_empty() {
        sink.error(
            Some(line),
            "",
            "the id is empty",
            "give every point a unique id",
        );
        ok = false;
    } else if let Some(first) = seen.get(id) {
        sink.error(
            Some(line),
            record.clone(),
            format!("id '{id}' was already used on line {first}"),
            "give every point a unique id",
        );
        ok = false;
    } else {
        seen.insert(id.to_string(), line);
    }
    let lon = number(rec.get(cols.lon).unwrap_or(""), "lon", false);
    let lat = number(rec.get(cols.lat).unwrap_or(""), "lat", false);
    let mut lonlat = (0.0, 0.0);
    match (lon, lat) {
        (Ok(x), Ok(y)) => match check_lonlat(x, y) {
            Ok(()) => lonlat = (x, y),
            Err((m, f)) => {
                sink.error(Some(line), record.clone(), m, f);
                ok = false;
            }
        },
        (a, b) => {
            for e in [a.err(), b.err()].into_iter().flatten() {
                sink.error(Some(line), record.clone(), e.0, e.1);
            }
            ok = false;
        }
    }
    let mut vals = Vec::with_capacity(cols.values.len());
    for (&i, name) in cols.values.iter().zip(&cols.value_names) {
        let field = rec.get(i).unwrap_or("");
        if field.is_empty() {
            sink.blank(name, format!("line {line}"));
            vals.push(0.0);
            continue;
        }
        match number(field, name, true) {
            Ok(v) => vals.push(v),
            Err((m, f)) => {
                sink.error(Some(line), record.clone(), m, f);
                ok = false;
            }
        }
    }
    ok.then(|| CsvRow {
        id: id.to_string(),
        lonlat,
        values: vals,
    })
}

/// Reads a points CSV with the `values` wanted: its header is checked ([`csv_columns`]), then
/// every record ([`csv_row`]); the problems go to `sink`. `None` when the file or its header
/// cannot be used.
fn read_points_csv(path: &Path, values: Values, sink: &mut Sink) -> Option<CsvPoints> {
    let text = read_text(path, sink, "CSV file")?;
    let header_hint = values.header_hint();
    if text.trim().is_empty() {
        sink.error(
            None,
            "",
            "the file is empty",
            format!("write a header line {header_hint} and one line per point"),
        );
        return None;
    }
    let lines = Lines::new(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            sink.error(
                Some(1),
                "header",
                format!("cannot read the CSV header: {e}"),
                format!("the first line must be {header_hint}"),
            );
            return None;
        }
    };
    let names: Vec<&str> = headers.iter().collect();
    let cols = match csv_columns(&names, &values) {
        Ok(c) => c,
        Err(bad) => {
            let line = headers.position().map_or(1, |p| lines.at(&text, p.byte()));
            sink.error(
                Some(line),
                "header",
                bad.join("; "),
                format!("the first line must be {header_hint}"),
            );
            return None;
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| lines.at(&text, p.byte()));
                sink.error(
                    line,
                    "",
                    format!("CSV syntax error: {e}"),
                    "every row needs as many fields as the header; quote fields that contain commas",
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| lines.at(&text, p.byte()));
        rows.extend(csv_row(&rec, line, &cols, &mut seen, sink));
    }
    if rows.is_empty() && !sink.has_errors() {
        sink.error(
            None,
            "",
            "the file has a header but no points",
            format!("add one line per point under the header {header_hint}"),
        );
    }
    Some(CsvPoints {
        rows,
        value_names: cols.value_names,
    })
}

/// Reads a CSV of points `id,lon,lat` (WGS84 degrees; other columns are allowed and
/// ignored), e.g. the origins of `matrix --points`: every problem (missing column, bad or
/// repeated id, a coordinate that is not a number or off the globe, a wrong field count)
/// names the file and line; a file with no point is an error too.
pub fn load_points(path: &Path) -> Result<Vec<Point>, Problems> {
    let mut sink = Sink::new(path);
    let read = read_points_csv(path, Values::Ignore, &mut sink);
    sink.finish()?; // no value column is read, so there is no warning
    let read = read.expect("no errors means the file was read");
    Ok(read
        .rows
        .into_iter()
        .map(|r| Point {
            id: r.id,
            lon: r.lonlat.0,
            lat: r.lonlat.1,
        })
        .collect())
}

/// Reads a CSV of points with opportunity counts, `id,lon,lat,<columns…>`: with `select`,
/// the columns named there (others are ignored), otherwise every column after id, lon and lat
/// (each must then hold numbers). Values must be finite and non-negative.
pub fn load_opportunity_csv(
    path: &Path,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(path);
    let values = match select {
        Some(s) => Values::Named(s),
        None => Values::All,
    };
    let read = read_points_csv(path, values, &mut sink);
    let warnings = sink.finish()?;
    let read = read.expect("no errors means the file was read");
    let columns: Vec<(String, Vec<f64>)> = read
        .value_names
        .iter()
        .enumerate()
        .map(|(k, n)| (n.clone(), read.rows.iter().map(|r| r.values[k]).collect()))
        .collect();
    let opportunities = Opportunities {
        ids: read.rows.iter().map(|r| r.id.clone()).collect(),
        lonlat: read.rows.iter().map(|r| r.lonlat).collect(),
        cells: None,
        columns,
    };
    let totals = opportunities.totals();
    let outside = vec![0.0; totals.len()];
    Ok((
        Loaded {
            opportunities,
            totals,
            outside,
        },
        warnings,
    ))
}

/// Reads opportunities from a CSV of points or, for a `.geojson` or `.json` file, from
/// polygons spread over `grid` (which they then require). See [`load_opportunity_csv`] and
/// [`load_opportunity_geojson`].
pub fn load_opportunities(
    path: &Path,
    grid: Option<&Grid>,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => match grid {
            Some(g) => load_opportunity_geojson(path, g, select),
            None => {
                let mut sink = Sink::new(path);
                sink.error(
                    None,
                    "",
                    "polygons of opportunities are spread over the cells of a grid, and no grid was given",
                    "give a grid cell size, or give the opportunities as a CSV of points",
                );
                Err(sink.finish().unwrap_err())
            }
        },
        _ => load_opportunity_csv(path, select),
    }
}

/// How a feature is named in messages: `feature 3` (1-based), with its id if it has one.
fn feature_name(k: usize, f: &Value) -> String {
    let id = f
        .get("id")
        .or_else(|| f.get("properties").and_then(|p| p.get("id")));
    match id {
        Some(Value::String(s)) => format!("feature {} (id {s})", k + 1),
        Some(Value::Number(n)) => format!("feature {} (id {n})", k + 1),
        _ => format!("feature {}", k + 1),
    }
}

/// A polygon read from GeoJSON: rings of lon/lat without the closing point, exterior first.
type LonLatPolygon = Vec<Vec<(f64, f64)>>;

/// A message and its fix.
type Why = (String, String);

fn ring_fix() -> String {
    "close each ring: at least 4 positions, the last repeating the first (RFC 7946 3.1.6)".into()
}

fn shape_fix() -> String {
    "give the geometry as GeoJSON (RFC 7946): a Polygon is an array of rings, a ring an array of [longitude, latitude] positions".into()
}

/// Reads the rings of a GeoJSON Polygon's `coordinates`, or says what is wrong.
fn polygon_rings(c: &Value) -> Result<LonLatPolygon, Why> {
    let rings = c.as_array().ok_or_else(|| {
        (
            "the coordinates of a Polygon are not an array of rings".to_string(),
            shape_fix(),
        )
    })?;
    if rings.is_empty() {
        return Err(("a Polygon without rings".into(), shape_fix()));
    }
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let which = if r == 0 {
            "the exterior ring".to_string()
        } else {
            format!("hole {r}")
        };
        let pts = ring
            .as_array()
            .ok_or_else(|| (format!("{which} is not an array of positions"), shape_fix()))?;
        let mut v = Vec::with_capacity(pts.len());
        for (k, p) in pts.iter().enumerate() {
            let xy = p.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
                (
                    format!(
                        "position {} of {which} is {p}, not [longitude, latitude]",
                        k + 1
                    ),
                    shape_fix(),
                )
            })?;
            let (Some(lon), Some(lat)) = (xy[0].as_f64(), xy[1].as_f64()) else {
                return Err((
                    format!("position {} of {which} is {p}, not two numbers", k + 1),
                    shape_fix(),
                ));
            };
            check_lonlat(lon, lat)
                .map_err(|(m, f)| (format!("position {} of {which}: {m}", k + 1), f))?;
            v.push((lon, lat));
        }
        if v.len() < 4 {
            return Err((
                format!(
                    "{which} has {} positions, fewer than the 4 of the smallest ring",
                    v.len()
                ),
                ring_fix(),
            ));
        }
        if v.first() != v.last() {
            return Err((
                format!(
                    "{which} is not closed: its last position {:?} differs from its first {:?}",
                    v[v.len() - 1],
                    v[0]
                ),
                ring_fix(),
            ));
        }
        v.pop();
        out.push(v);
    }
    Ok(out)
}

/// The polygons of a feature's geometry, or what is wrong with it.
fn feature_polygons(g: &Value) -> Result<Vec<LonLatPolygon>, Why> {
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "Polygon" | "MultiPolygon" => {}
        "" => return Err(("the geometry has no type".into(), shape_fix())),
        other => {
            return Err((
                format!("a {other} geometry: only Polygon and MultiPolygon features are spread over cells"),
                "give opportunities at points as a CSV (id,lon,lat,<columns>), or give the areas they stand for as polygons".into(),
            ))
        }
    }
    let coords = g
        .get("coordinates")
        .ok_or_else(|| (format!("the {ty} geometry has no coordinates"), shape_fix()))?;
    if ty == "Polygon" {
        return Ok(vec![polygon_rings(coords)?]);
    }
    coords
        .as_array()
        .ok_or_else(|| {
            (
                "the coordinates of a MultiPolygon are not an array of polygons".to_string(),
                shape_fix(),
            )
        })
        .and_then(|ps| ps.iter().map(polygon_rings).collect())
}

/// Signed area of a ring (shoelace, implicitly closed; positive counter-clockwise).
fn ring_area(r: &[(f64, f64)]) -> f64 {
    let n = r.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..n {
        let (x0, y0) = r[i];
        let (x1, y1) = r[(i + 1) % n];
        s += x0 * y1 - x1 * y0;
    }
    s / 2.0
}

/// Keeps the part of ring `input` on one side of the line `axis = bound` (`axis` 0: x, 1: y;
/// `above`: the side of larger values), Sutherland–Hodgman. The result may have edges running
/// along the line, which leave its signed area exact: clipping a ring against a half-plane
/// keeps its winding number inside the half-plane and makes it zero outside, so the signed
/// area of the result is that of the ring's interior within the half-plane.
fn clip_half(
    input: &[(f64, f64)],
    out: &mut Vec<(f64, f64)>,
    axis: usize,
    bound: f64,
    above: bool,
) {
    out.clear();
    let n = input.len();
    if n == 0 {
        return;
    }
    let coord = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
    let inside = |p: (f64, f64)| {
        if above {
            coord(p) >= bound
        } else {
            coord(p) <= bound
        }
    };
    let cross = |a: (f64, f64), b: (f64, f64)| {
        let t = (bound - coord(a)) / (coord(b) - coord(a));
        if axis == 0 {
            (bound, a.1 + t * (b.1 - a.1))
        } else {
            (a.0 + t * (b.0 - a.0), bound)
        }
    };
    let mut prev = input[n - 1];
    let mut prev_in = inside(prev);
    for &cur in input {
        let cur_in = inside(cur);
        if cur_in {
            if !prev_in {
                out.push(cross(prev, cur));
            }
            out.push(cur);
        } else if prev_in {
            out.push(cross(prev, cur));
        }
        prev = cur;
        prev_in = cur_in;
    }
}

/// Scratch buffers for clipping.
#[derive(Default)]
struct Clip {
    a: Vec<(f64, f64)>,
}

impl Clip {
    /// The part of `ring` with `lo <= axis <= hi`, into `out`.
    fn band(
        &mut self,
        ring: &[(f64, f64)],
        axis: usize,
        lo: f64,
        hi: f64,
        out: &mut Vec<(f64, f64)>,
    ) {
        clip_half(ring, &mut self.a, axis, lo, true);
        clip_half(&self.a, out, axis, hi, false);
    }
}

/// A polygon in the grid's metres: rings (exterior first) with the sign of each ring's own
/// area, so that `sign × signed area` of a clipped ring is the area of its interior inside the
/// clip.
struct Projected {
    rings: Vec<(Vec<(f64, f64)>, f64)>,
    bbox: [f64; 4],
    area: f64,
}

fn project(p: &LonLatPolygon, grid: &Grid) -> Projected {
    let proj = grid.projection();
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut area = 0.0;
    let rings = p
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let xy: Vec<(f64, f64)> = r.iter().map(|&(lon, lat)| proj.forward(lon, lat)).collect();
            for &(x, y) in &xy {
                bbox = [
                    bbox[0].min(x),
                    bbox[1].min(y),
                    bbox[2].max(x),
                    bbox[3].max(y),
                ];
            }
            let a = ring_area(&xy);
            area += if k == 0 { a.abs() } else { -a.abs() };
            let sign = if a < 0.0 { -1.0 } else { 1.0 };
            (xy, sign)
        })
        .collect();
    Projected { rings, bbox, area }
}

/// Pushes `(cell, area(cell ∩ polygon))` to `acc` for every cell the polygon meets, clipping
/// each ring to a row's strip first and the strip to each cell of the row. An area is
/// negative only where the rings wind the wrong way (they cross), which the caller refuses.
fn spread_polygon(p: &Projected, grid: &Grid, clip: &mut Clip, acc: &mut Vec<(usize, f64)>) {
    let (rows, cols) = grid.span_m(p.bbox);
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    let mut strip: Vec<Vec<(f64, f64)>> = vec![Vec::new(); p.rings.len()];
    let mut cell = Vec::new();
    for r in rows {
        let rect = grid.rect_m(grid.index(r, cols.start));
        for (k, (ring, _)) in p.rings.iter().enumerate() {
            clip.band(ring, 1, rect[1], rect[3], &mut strip[k]);
        }
        if strip[0].is_empty() {
            continue;
        }
        for c in cols.clone() {
            let i = grid.index(r, c);
            let [w, _, e, _] = grid.rect_m(i);
            let mut a = 0.0;
            for (k, (_, sign)) in p.rings.iter().enumerate() {
                if strip[k].is_empty() {
                    continue;
                }
                clip.band(&strip[k], 0, w, e, &mut cell);
                let part = sign * ring_area(&cell);
                a += if k == 0 { part } else { -part };
            }
            if a != 0.0 {
                acc.push((i, a));
            }
        }
    }
}

/// One edge of a ring, for the validity check.
#[derive(Clone, Copy)]
struct Edge {
    a: (f64, f64),
    b: (f64, f64),
    part: usize,
    ring: usize,
    /// Position in its ring, and the ring's number of edges.
    k: usize,
    n: usize,
}

fn orient(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> i8 {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    let c = |p: (f64, f64)| geo::Coord { x: p.0, y: p.1 };
    match <RobustKernel as Kernel<f64>>::orient2d(c(p), c(q), c(r)) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// Whether two edges cross (each passes from one side of the other to the other side) or
/// overlap along a stretch of positive length. Touching at a point is allowed.
fn edges_cross(e: &Edge, f: &Edge) -> bool {
    let (o1, o2) = (orient(e.a, e.b, f.a), orient(e.a, e.b, f.b));
    let (o3, o4) = (orient(f.a, f.b, e.a), orient(f.a, f.b, e.b));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    if o1 == 0 && o2 == 0 {
        // Collinear: overlapping by more than a point along the longer axis?
        let axis = |p: (f64, f64)| {
            if (e.b.0 - e.a.0).abs() >= (e.b.1 - e.a.1).abs() {
                p.0
            } else {
                p.1
            }
        };
        let (e0, e1) = (axis(e.a).min(axis(e.b)), axis(e.a).max(axis(e.b)));
        let (f0, f1) = (axis(f.a).min(axis(f.b)), axis(f.a).max(axis(f.b)));
        return e0.max(f0) < e1.min(f1);
    }
    false
}

/// Whether `p` is inside ring `r` (even-odd), `None` if it lies on its boundary.
fn in_ring(p: (f64, f64), r: &[(f64, f64)]) -> Option<bool> {
    let mut inside = false;
    let n = r.len();
    for i in 0..n {
        let (a, b) = (r[i], r[(i + 1) % n]);
        if orient(a, b, p) == 0
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1)
        {
            return None;
        }
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0) {
            inside = !inside;
        }
    }
    Some(inside)
}

/// Whether some vertex of `r` is inside (`Some(true)`) or outside (`Some(false)`) ring
/// `other`; `None` if every vertex lies on its boundary.
fn ring_in_ring(r: &[(f64, f64)], other: &[(f64, f64)]) -> Option<bool> {
    r.iter().find_map(|&p| in_ring(p, other))
}

/// Checks that the polygons of a feature (in the grid's metres) are valid enough to be
/// spread by area: no ring crosses itself or another ring (touching at a point is allowed),
/// every hole lies inside its exterior, and no part overlaps another. Edges are bucketed on a
/// grid of about as many buckets as edges, so the cost is near-linear for ordinary outlines
/// (thousands of vertices) rather than quadratic. The error says what is wrong and where
/// (lon/lat).
fn check_polygons(polys: &[Projected], grid: &Grid) -> Result<(), String> {
    let near = |p: (f64, f64)| {
        let (lon, lat) = grid.projection().inverse(p.0, p.1);
        format!("near ({lon:.6}, {lat:.6})")
    };
    let ring_name = |part: usize, ring: usize| {
        let r = if ring == 0 {
            "the exterior".to_string()
        } else {
            format!("hole {ring}")
        };
        if polys.len() > 1 {
            format!("{r} of part {}", part + 1)
        } else {
            r
        }
    };
    let mut edges = Vec::new();
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (part, p) in polys.iter().enumerate() {
        for (ring, (r, _)) in p.rings.iter().enumerate() {
            let n = r.len();
            for k in 0..n {
                edges.push(Edge {
                    a: r[k],
                    b: r[(k + 1) % n],
                    part,
                    ring,
                    k,
                    n,
                });
            }
        }
        bbox = [
            bbox[0].min(p.bbox[0]),
            bbox[1].min(p.bbox[1]),
            bbox[2].max(p.bbox[2]),
            bbox[3].max(p.bbox[3]),
        ];
    }
    let side = ((edges.len() as f64).sqrt().ceil() as usize).clamp(1, 4096);
    let (w, h) = (
        (bbox[2] - bbox[0]).max(1e-9) / side as f64,
        (bbox[3] - bbox[1]).max(1e-9) / side as f64,
    );
    let cell = |v: f64, lo: f64, size: f64| (((v - lo) / size) as usize).min(side - 1);
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); side * side];
    for (i, e) in edges.iter().enumerate() {
        let (c0, c1) = (
            cell(e.a.0.min(e.b.0), bbox[0], w),
            cell(e.a.0.max(e.b.0), bbox[0], w),
        );
        let (r0, r1) = (
            cell(e.a.1.min(e.b.1), bbox[1], h),
            cell(e.a.1.max(e.b.1), bbox[1], h),
        );
        for r in r0..=r1 {
            for c in c0..=c1 {
                buckets[r * side + c].push(i as u32);
            }
        }
    }
    for b in &buckets {
        for (x, &i) in b.iter().enumerate() {
            for &j in &b[x + 1..] {
                let (e, f) = (&edges[i as usize], &edges[j as usize]);
                let same_ring = e.part == f.part && e.ring == f.ring;
                if same_ring && ((e.k + 1) % e.n == f.k || (f.k + 1) % f.n == e.k) {
                    continue;
                }
                if edges_cross(e, f) {
                    return Err(if same_ring {
                        format!("{} crosses itself {}", ring_name(e.part, e.ring), near(e.a))
                    } else {
                        format!(
                            "{} and {} cross {}",
                            ring_name(e.part, e.ring),
                            ring_name(f.part, f.ring),
                            near(e.a)
                        )
                    });
                }
            }
        }
    }
    // No crossings: a ring is wholly inside or outside another.
    for (part, p) in polys.iter().enumerate() {
        let ext = &p.rings[0].0;
        for (ring, (r, _)) in p.rings.iter().enumerate().skip(1) {
            if ring_in_ring(r, ext) == Some(false) {
                return Err(format!(
                    "{} lies outside its exterior {}",
                    ring_name(part, ring),
                    near(r[0])
                ));
            }
        }
    }
    let inside_part = |r: &[(f64, f64)], q: &Projected| {
        ring_in_ring(r, &q.rings[0].0) != Some(false)
            && !q.rings[1..]
                .iter()
                .any(|(hole, _)| ring_in_ring(r, hole) == Some(true))
    };
    for (i, p) in polys.iter().enumerate() {
        for (j, q) in polys.iter().enumerate().skip(i + 1) {
            let apart = p.bbox[2] < q.bbox[0]
                || q.bbox[2] < p.bbox[0]
                || p.bbox[3] < q.bbox[1]
                || q.bbox[3] < p.bbox[1];
            if !apart && (inside_part(&q.rings[0].0, p) || inside_part(&p.rings[0].0, q)) {
                return Err(format!(
                    "parts {} and {} overlap {}",
                    i + 1,
                    j + 1,
                    near(q.rings[0].0[0])
                ));
            }
        }
    }
    Ok(())
}

/// Reads GeoJSON `Polygon` and `MultiPolygon` features (a FeatureCollection, or one Feature)
/// and spreads their numeric properties over the cells of `grid` in proportion to area (see
/// the module documentation). Columns: with `select`, the properties named there (each
/// feature must hold a number in each); otherwise every property other than `id` that holds a
/// number in some feature (every feature must then hold a number in it). The result has every
/// cell of the grid, in cell order.
pub fn load_opportunity_geojson(
    path: &Path,
    grid: &Grid,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(path);
    let loaded = read_geojson(path, grid, select, &mut sink);
    let warnings = sink.finish()?;
    Ok((loaded.expect("no errors means the file was read"), warnings))
}

/// The extent `[W, S, E, N]` of every coordinate of a GeoJSON value (features, geometries,
/// coordinate arrays), if it holds any valid WGS84 coordinate.
pub fn geojson_extent(v: &Value) -> Option<[f64; 4]> {
    fn walk(v: &Value, add: &mut dyn FnMut(f64, f64)) {
        match v {
            Value::Array(a) if a.len() >= 2 && a[0].is_number() && a[1].is_number() => add(
                a[0].as_f64().unwrap_or(f64::NAN),
                a[1].as_f64().unwrap_or(f64::NAN),
            ),
            Value::Array(a) => a.iter().for_each(|x| walk(x, add)),
            Value::Object(o) => {
                if let Some(g) = o.get("geometry") {
                    walk(g, add)
                } else if let Some(c) = o.get("coordinates") {
                    walk(c, add)
                } else if let Some(f) = o.get("features") {
                    walk(f, add)
                }
            }
            _ => {}
        }
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    walk(v, &mut |lon, lat| {
        if lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0 {
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
    });
    b.iter().all(|x| x.is_finite()).then_some(b)
}

/// Opportunities from GeoJSON text already read (`name` names it in messages), spread over
/// `grid` as [`load_opportunity_geojson`] does.
pub fn parse_opportunity_geojson(
    text: &str,
    name: &str,
    grid: &Grid,
    select: Option<&[String]>,
) -> Result<(Loaded, Vec<Problem>), Problems> {
    let mut sink = Sink::new(Path::new(name));
    let loaded = parse_geojson(text, grid, select, &mut sink);
    let warnings = sink.finish()?;
    Ok((loaded.expect("no errors means the file was read"), warnings))
}

fn read_geojson(
    path: &Path,
    grid: &Grid,
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Loaded> {
    let text = read_text(path, sink, "GeoJSON file")?;
    parse_geojson(&text, grid, select, sink)
}

fn parse_geojson(
    text: &str,
    grid: &Grid,
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Loaded> {
    let doc = geojson_doc(text, sink)?;
    let features = geojson_features(&doc, sink)?;
    let names = geojson_columns(&features, select, sink)?;
    let mut spread = Spread::new(names.len(), grid.len());
    for (k, f) in features.iter().enumerate() {
        spread_feature(k, f, &names, grid, &mut spread, sink);
    }
    if sink.has_errors() {
        return None;
    }
    spread.warn_outside(&names, sink);
    let columns = names.into_iter().zip(spread.cols).collect();
    Some(Loaded {
        opportunities: Opportunities::on_grid(grid, columns),
        totals: spread.totals,
        outside: spread.outside,
    })
}

/// The JSON document of a GeoJSON text (an empty text or invalid JSON is an error).
fn geojson_doc(text: &str, sink: &mut Sink) -> Option<Value> {
    if text.trim().is_empty() {
        sink.error(
            None,
            "",
            "the file is empty",
            "give a GeoJSON FeatureCollection of Polygon or MultiPolygon features with numeric properties",
        );
        return None;
    }
    match serde_json::from_str(text) {
        Ok(v) => Some(v),
        Err(e) => {
            sink.error(
                Some(e.line()),
                "",
                format!("not valid JSON: {e}"),
                "save the file as GeoJSON (RFC 7946)",
            );
            None
        }
    }
}

/// The features of a FeatureCollection (or a lone Feature); at least one.
fn geojson_features<'a>(doc: &'a Value, sink: &mut Sink) -> Option<Vec<&'a Value>> {
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match doc.get("features").and_then(Value::as_array) {
            Some(f) => f.iter().collect(),
            None => {
                sink.error(
                    None,
                    "",
                    "the FeatureCollection has no \"features\" array",
                    "give the features in a \"features\" array",
                );
                return None;
            }
        },
        Some("Feature") => vec![doc],
        other => {
            sink.error(
                None,
                "",
                format!(
                    "the top-level object is {}, not a FeatureCollection",
                    other.map_or("untyped".to_string(), |t| format!("a {t}"))
                ),
                "give a FeatureCollection of polygons with numeric properties (a bare geometry has no values to spread)",
            );
            return None;
        }
    };
    if features.is_empty() {
        sink.error(
            None,
            "",
            "the FeatureCollection has no features",
            "add Polygon or MultiPolygon features with numeric properties",
        );
        return None;
    }
    Some(features)
}

/// The columns spread: those chosen, else every numeric property but `id`; each must be
/// held by some feature (a column no feature holds is a mistake, not a column of zeros).
fn geojson_columns(
    features: &[&Value],
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Vec<String>> {
    let names: Vec<String> = match select {
        Some(s) => {
            if let Some(d) = repeated(s) {
                sink.error(
                    None,
                    "",
                    format!("the property {d} is chosen twice"),
                    "choose each property once",
                );
                return None;
            }
            s.to_vec()
        }
        None => {
            let mut n: Vec<String> = Vec::new();
            for f in features {
                if let Some(p) = f.get("properties").and_then(Value::as_object) {
                    for (k, v) in p {
                        if v.is_number() && !k.eq_ignore_ascii_case("id") && !n.contains(k) {
                            n.push(k.clone());
                        }
                    }
                }
            }
            if n.is_empty() {
                sink.error(
                    None,
                    "",
                    "no feature has a numeric property to spread",
                    "give each feature numeric properties such as \"population\": 1234",
                );
                return None;
            }
            n
        }
    };
    let holds = |n: &String| {
        features.iter().any(|f| {
            f.get("properties")
                .and_then(|p| p.get(n))
                .is_some_and(|v| !v.is_null())
        })
    };
    let absent: Vec<&str> = names
        .iter()
        .filter(|n| !holds(n))
        .map(|n| n.as_str())
        .collect();
    if !absent.is_empty() {
        sink.error(
            None,
            "",
            format!("no feature has a value for {}", absent.join(", ")),
            "name properties the features hold (property names are case-sensitive)",
        );
        return None;
    }
    Some(names)
}

/// The values of `names` in feature `f` (a missing or null value is 0, reported as a
/// blank), and whether all were valid counts (errors go to `sink`).
fn feature_values(f: &Value, names: &[String], record: &str, sink: &mut Sink) -> (Vec<f64>, bool) {
    let props = f.get("properties").and_then(Value::as_object);
    let mut vals = Vec::with_capacity(names.len());
    let mut ok = true;
    for n in names {
        let v = props.and_then(|p| p.get(n));
        let r = match v {
            None | Some(Value::Null) => {
                sink.blank(n, record.to_string());
                Ok(0.0)
            }
            Some(Value::Number(x)) => check_count(x.as_f64().unwrap_or(f64::NAN), n),
            Some(Value::String(s)) => Err((
                format!("property \"{n}\" is the string \"{s}\", not a number"),
                "write the value as a JSON number, without quotes".into(),
            )),
            Some(other) => Err((
                format!("property \"{n}\" is {other}, not a number"),
                "write the value as a JSON number".into(),
            )),
        };
        match r {
            Ok(x) => vals.push(x),
            Err((m, fix)) => {
                sink.error(None, record.to_string(), m, fix);
                ok = false;
            }
        }
    }
    (vals, ok)
}

/// The polygons of feature `f` in the grid's projection, checked (errors go to `sink`).
fn feature_geometry(
    f: &Value,
    grid: &Grid,
    record: &str,
    sink: &mut Sink,
) -> Option<Vec<Projected>> {
    let polys = match f.get("geometry") {
        None | Some(Value::Null) => Err((
            "the feature has no geometry".to_string(),
            "give the feature the Polygon or MultiPolygon outline of its area".to_string(),
        )),
        Some(g) => feature_polygons(g),
    };
    let polys = match polys {
        Ok(p) => p,
        Err((m, fix)) => {
            sink.error(None, record.to_string(), m, fix);
            return None;
        }
    };
    let projected: Vec<Projected> = polys.iter().map(|p| project(p, grid)).collect();
    if let Err(m) = check_polygons(&projected, grid) {
        sink.error(
            None,
            record.to_string(),
            format!("the geometry is not valid: {m}"),
            "repair the geometry (e.g. QGIS: Vector > Geometry Tools > Fix Geometries, or PostGIS ST_MakeValid)",
        );
        return None;
    }
    Some(projected)
}

/// The columns spread over the grid so far, their totals, what fell outside.
struct Spread {
    cols: Vec<Vec<f64>>,
    totals: Vec<f64>,
    outside: Vec<f64>,
    /// Features partly outside the grid.
    partly: usize,
    /// Features wholly outside the grid.
    wholly: usize,
    clip: Clip,
    acc: Vec<(usize, f64)>,
}

impl Spread {
    fn new(ncol: usize, cells: usize) -> Spread {
        Spread {
            cols: vec![vec![0.0; cells]; ncol],
            totals: vec![0.0; ncol],
            outside: vec![0.0; ncol],
            partly: 0,
            wholly: 0,
            clip: Clip::default(),
            acc: Vec::new(),
        }
    }

    /// One warning for the features partly or wholly outside the grid, with what was lost.
    fn warn_outside(&self, names: &[String], sink: &mut Sink) {
        if self.partly + self.wholly == 0 {
            return;
        }
        let lost: Vec<String> = names
            .iter()
            .zip(&self.outside)
            .zip(&self.totals)
            .map(|((n, o), t)| {
                let pct = if *t > 0.0 { 100.0 * o / t } else { 0.0 };
                format!("{o:.1} {n} ({pct:.2} %)")
            })
            .collect();
        sink.warning(
            None,
            "",
            format!(
                "{} feature(s) lie partly and {} wholly outside the grid: {} left out",
                self.partly,
                self.wholly,
                lost.join(", ")
            ),
            "cover the whole area of the opportunities with the grid to keep them",
        );
    }
}

/// Feature `k`: its values checked, its geometry checked, then its values spread over the
/// cells in proportion to the area of each cell it covers.
fn spread_feature(
    k: usize,
    f: &Value,
    names: &[String],
    grid: &Grid,
    sp: &mut Spread,
    sink: &mut Sink,
) {
    let record = feature_name(k, f);
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        sink.error(
            None,
            record,
            "not a GeoJSON Feature (\"type\": \"Feature\")",
            "give every member of \"features\" as a Feature with geometry and properties",
        );
        return;
    }
    let (vals, ok) = feature_values(f, names, &record, sink);
    let Some(projected) = feature_geometry(f, grid, &record, sink) else {
        return;
    };
    if !ok {
        return;
    }
    for (t, v) in sp.totals.iter_mut().zip(&vals) {
        *t += v;
    }
    let area: f64 = projected.iter().map(|p| p.area).sum();
    if area <= 0.0 {
        if vals.iter().any(|&v| v > 0.0) {
            sink.error(
                None,
                record,
                "the geometry has no area, so its values cannot be spread over cells",
                "give the feature's real outline, or give it as a point in a CSV",
            );
        }
        return;
    }
    sp.acc.clear();
    for p in &projected {
        spread_polygon(p, grid, &mut sp.clip, &mut sp.acc);
    }
    // Rings that cross at a vertex (which `check_polygons` lets pass as a touch) wind part
    // of the polygon the wrong way: a negative area in some cell.
    if let Some(&(cell, _)) = sp.acc.iter().find(|x| x.1 < -1e-9 * area) {
        sink.error(
            None,
            record,
            format!(
                "the geometry is not valid: its rings cross at a vertex, in cell {}",
                grid.id(cell)
            ),
            "repair the geometry (e.g. QGIS: Vector > Geometry Tools > Fix Geometries, or PostGIS ST_MakeValid)",
        );
        return;
    }
    let mut share_in = 0.0;
    for &(cell, a) in &sp.acc {
        let share = a.max(0.0) / area;
        share_in += share;
        for (c, v) in vals.iter().enumerate() {
            sp.cols[c][cell] += v * share;
        }
    }
    let share_out = (1.0 - share_in).max(0.0);
    if share_out > 1e-9 {
        for (o, v) in sp.outside.iter_mut().zip(&vals) {
            *o += v * share_out;
        }
        if sp.acc.is_empty() {
            sp.wholly += 1;
            if sp.wholly <= MAX_SHOWN {
                sink.warning(
                    None,
                    record,
                    "lies outside the grid: its values are left out",
                    "cover the feature with the grid, or leave it out of the file",
                );
            }
        } else {
            sp.partly += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    fn errors(r: Result<(Loaded, Vec<Problem>), Problems>) -> Vec<String> {
        r.unwrap_err().errors().map(|p| p.to_string()).collect()
    }

    #[test]
    fn points_csv_with_extra_columns() {
        let (_d, p) = write(
            "p.csv",
            "id,name,lon,lat\r\na,Alpha,113.1,23.1\r\nb,\"Beta, B\",113.2,23.0\r\n",
        );
        let pts = load_points(&p).unwrap();
        // Columns not read may repeat or lack a name; those read may not repeat.
        let (_d2, q) = write("q.csv", "id,name,name,,lon,lat\na,x,y,z,1,2\n");
        assert_eq!(load_points(&q).unwrap()[0].id, "a");
        let (_d3, q) = write("q.csv", "id,lon,lat,lat\na,1,2,3\n");
        let e = load_points(&q).unwrap_err().to_string();
        assert!(e.contains("column(s) named twice: lat"), "{e}");
        let ids: Vec<&str> = pts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let lonlat: Vec<(f64, f64)> = pts.iter().map(|p| (p.lon, p.lat)).collect();
        assert_eq!(lonlat, [(113.1, 23.1), (113.2, 23.0)]);
    }

    #[test]
    fn opportunity_csv_reads_every_column_or_the_chosen_ones() {
        let (_d, p) = write(
            "o.csv",
            "\u{feff}id,lon,lat,population,jobs\nx,113.1,23.1,100,5.5\ny,113.2,23.2,0,7\n",
        );
        let (l, _) = load_opportunity_csv(&p, None).unwrap();
        assert_eq!(l.opportunities.names(), ["population", "jobs"]);
        assert_eq!(l.opportunities.column("jobs").unwrap(), [5.5, 7.0]);
        assert_eq!(l.totals, [100.0, 12.5]);
        let (l, _) = load_opportunity_csv(&p, Some(&["jobs".to_string()])).unwrap();
        assert_eq!(l.opportunities.names(), ["jobs"]);
        let e = errors(load_opportunity_csv(
            &p,
            Some(&["jobs".into(), "jobs".into()]),
        ));
        assert!(e[0].contains("the column jobs is chosen twice"), "{e:#?}");
    }

    #[test]
    fn every_bad_csv_value_is_named_with_its_line_and_fix() {
        let (_d, p) = write(
            "o.csv",
            "id,lon,lat,population,jobs\n\
             a,113.1,23.1,10,1\n\
             a,113.1,23.1,10,1\n\
             ,113.1,23.1,10,1\n\
             c,abc,23.1,10,1\n\
             d,23.1,113.1,10,1\n\
             e,113.1,23.1,-3,1\n\
             f,113.1,23.1,NaN,1\n\
             g,,23.1,10,1\n\
             h,113.1,23.1,\"1,234\",1\n\
             i,113.1,23.1,1\n",
        );
        let e = errors(load_opportunity_csv(&p, None));
        let has = |line: usize, what: &str| {
            e.iter()
                .any(|m| m.contains(&format!("o.csv:{line}:")) && m.contains(what))
        };
        assert!(has(3, "id 'a' was already used on line 2"), "{e:#?}");
        assert!(has(4, "the id is empty"), "{e:#?}");
        assert!(has(5, "lon 'abc' is not a number"), "{e:#?}");
        assert!(has(6, "look swapped"), "{e:#?}");
        assert!(has(7, "population -3 is negative"), "{e:#?}");
        assert!(has(8, "not a finite number"), "{e:#?}");
        assert!(has(9, "lon is empty"), "{e:#?}");
        assert!(has(10, "thousands separators"), "{e:#?}");
        assert!(has(11, "CSV syntax error"), "{e:#?}");
        assert!(e.iter().all(|m| m.contains("(fix: ")), "{e:#?}");
    }

    #[test]
    fn empty_values_count_as_zero_with_a_warning_per_column() {
        let (_d, p) = write(
            "o.csv",
            "id,lon,lat,population,jobs\na,1,2,10,\nb,1,2,,\nc,1,2,5,6\n",
        );
        let (l, w) = load_opportunity_csv(&p, None).unwrap();
        assert_eq!(
            l.opportunities.column("population").unwrap(),
            [10.0, 0.0, 5.0]
        );
        assert_eq!(l.opportunities.column("jobs").unwrap(), [0.0, 0.0, 6.0]);
        let w: Vec<String> = w.iter().map(|p| p.to_string()).collect();
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(
            w[0].starts_with("warning: ")
                && w[0].contains("jobs has no value in 2 record(s) (line 2, line 3): counted as 0"),
            "{w:#?}"
        );
        assert!(
            w[1].contains("population has no value in 1 record(s) (line 3)"),
            "{w:#?}"
        );

        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
        let a = square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1,"people":null}"#);
        let b = square(&grid, 0.0, 0.0, 500.0, r#"{"people":4}"#);
        let (_d, p) = write("z.geojson", &collection(&[a.clone(), b]));
        let (l, w) = load_opportunity_geojson(&p, &grid, None).unwrap();
        assert_eq!(l.totals, [1.0, 4.0]);
        let w: Vec<String> = w.iter().map(|p| p.to_string()).collect();
        assert!(
            w.iter()
                .any(|m| m.contains("jobs has no value in 1 record(s) (feature 2)")),
            "{w:#?}"
        );
        assert!(
            w.iter()
                .any(|m| m.contains("people has no value in 1 record(s) (feature 1)")),
            "{w:#?}"
        );
        // A column no feature holds is an error.
        let (_d, p) = write("z.geojson", &collection(&[a]));
        let e = errors(load_opportunity_geojson(
            &p,
            &grid,
            Some(&["Jobs".to_string()]),
        ));
        assert!(e[0].contains("no feature has a value for Jobs"), "{e:#?}");
    }

    #[test]
    fn bad_headers_and_empty_files_are_refused() {
        let cases = [
            ("", "the file is empty"),
            ("id,lon,lat,jobs\n", "has a header but no points"),
            (
                "id,longitude,lat,jobs\na,1,2,3\n",
                "missing column(s) lon (found 'longitude'",
            ),
            ("id,lon,lat\na,1,2\n", "no opportunity column"),
            ("id,lon,lat,jobs,jobs\na,1,2,3,4\n", "named twice: jobs"),
        ];
        for (text, want) in cases {
            let (_d, p) = write("o.csv", text);
            let e = errors(load_opportunity_csv(&p, None));
            assert!(e.iter().any(|m| m.contains(want)), "{text:?}: {e:#?}");
        }
        let (_d, p) = write("o.csv", "id,lon,lat,jobs\na,1,2,3\n");
        let e = errors(load_opportunity_csv(&p, Some(&["people".to_string()])));
        assert!(e[0].contains("no column named people"), "{e:#?}");
        let e = errors(load_opportunity_csv(Path::new("/nonexistent/o.csv"), None));
        assert!(e[0].contains("no such file"), "{e:#?}");
    }

    #[test]
    fn errors_beyond_the_cap_are_counted() {
        let mut t = String::from("id,lon,lat,jobs\n");
        for i in 0..(MAX_SHOWN + 7) {
            t.push_str(&format!("p{i},1,2,-1\n"));
        }
        let (_d, p) = write("o.csv", &t);
        let e = errors(load_opportunity_csv(&p, None));
        assert_eq!(e.len(), MAX_SHOWN + 1);
        assert!(e[MAX_SHOWN].contains("7 more errors"), "{}", e[MAX_SHOWN]);
    }

    #[test]
    fn points_sum_into_cells_and_what_is_outside_is_counted() {
        let grid = Grid::covering([113.0, 23.0, 113.1, 23.1], 2000.0).unwrap();
        let (lon, lat) = grid.centroid(3);
        let o = Opportunities {
            ids: vec!["a".into(), "b".into(), "c".into()],
            lonlat: vec![(lon, lat), (lon + 0.001, lat), (120.0, 30.0)],
            cells: None,
            columns: vec![("jobs".into(), vec![1.0, 2.0, 4.0])],
        };
        let (g, out, n) = o.to_grid(&grid);
        assert_eq!(g.len(), grid.len());
        assert_eq!(g.column("jobs").unwrap()[3], 3.0);
        assert_eq!(out, [4.0]);
        assert_eq!(n, 1);
        let nz = g.nonzero();
        assert_eq!(nz.ids, [grid.id(3)]);
        assert_eq!(nz.cells, Some(vec![3]));
    }

    /// A square of `side` metres centred on projected `(x, y)`, as a GeoJSON feature.
    fn square(grid: &Grid, x: f64, y: f64, side: f64, props: &str) -> String {
        let h = side / 2.0;
        let pts: Vec<String> = [(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)]
            .iter()
            .map(|&(dx, dy)| {
                let (lon, lat) = grid.projection().inverse(x + dx, y + dy);
                format!("[{lon},{lat}]")
            })
            .collect();
        format!(
            r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
            pts.join(",")
        )
    }

    fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    #[test]
    fn a_polygon_spreads_by_area_over_the_cells_it_covers() {
        let grid = Grid::covering([113.0, 23.0, 113.2, 23.2], 1000.0).unwrap();
        // A 2 km square centred on the corner shared by four cells: a quarter in each, and
        // within each cell a square of 1 km² (the whole cell).
        let i = grid.index(5, 5);
        let [w, s, _, _] = grid.rect_m(i);
        let f = square(
            &grid,
            w,
            s,
            2000.0,
            r#"{"name":"z","population":400,"jobs":8}"#,
        );
        let (_d, p) = write("z.geojson", &collection(&[f]));
        let (l, w_) = load_opportunity_geojson(&p, &grid, None).unwrap();
        assert!(w_.is_empty(), "{w_:?}");
        let o = &l.opportunities;
        // Columns in alphabetical order (JSON objects are read as sorted maps).
        assert_eq!(o.names(), ["jobs", "population"]);
        let pop = o.column("population").unwrap();
        for (r, c) in [
            (5, 5),
            (5, 4),
            (6, 5),
            (6, 4),
            (4, 4),
            (4, 5),
            (5, 3),
            (6, 3),
            (7, 4),
            (7, 5),
            (4, 6),
            (5, 6),
        ] {
            let want = if (4..=7).contains(&r)
                && (3..=6).contains(&c)
                && r != 4
                && r != 7
                && c != 3
                && c != 6
            {
                100.0
            } else {
                0.0
            };
            let got = pop[grid.index(r, c)];
            assert!((got - want).abs() < 0.05, "cell r{r}c{c}: {got} vs {want}");
        }
        assert!((pop.iter().sum::<f64>() - 400.0).abs() < 1e-9);
        assert_eq!(l.outside, [0.0, 0.0]);
    }

    #[test]
    fn a_polygon_half_outside_keeps_half_and_reports_the_rest() {
        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
        let [w, s, _, n] = grid.extent_m();
        // Straddles the grid's west edge, half in, half out.
        let f = square(&grid, w, (s + n) / 2.0, 1000.0, r#"{"jobs":10}"#);
        let far = square(&grid, w - 50_000.0, s, 1000.0, r#"{"jobs":5}"#);
        let (_d, p) = write("z.geojson", &collection(&[f, far]));
        let (l, warnings) = load_opportunity_geojson(&p, &grid, None).unwrap();
        let inside: f64 = l.opportunities.column("jobs").unwrap().iter().sum();
        assert!((inside - 5.0).abs() < 1e-3, "{inside}");
        assert!((l.outside[0] - 10.0).abs() < 1e-3);
        assert_eq!(l.totals, [15.0]);
        let w: Vec<String> = warnings.iter().map(|p| p.to_string()).collect();
        assert!(
            w.iter()
                .any(|m| m.contains("feature 2") && m.contains("lies outside the grid")),
            "{w:#?}"
        );
        assert!(
            w.iter()
                .any(|m| m.contains("1 feature(s) lie partly and 1 wholly")),
            "{w:#?}"
        );
    }

    #[test]
    fn the_clip_agrees_with_geo_boolean_intersection() {
        use geo::{Area, BooleanOps, Coord, LineString, Polygon};
        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 500.0).unwrap();
        let [w, s, _, _] = grid.extent_m();
        // A concave polygon with a hole, in projected metres.
        let ext = vec![
            (w + 100.0, s + 100.0),
            (w + 2900.0, s + 300.0),
            (w + 1500.0, s + 1200.0),
            (w + 2700.0, s + 2600.0),
            (w + 300.0, s + 2400.0),
        ];
        let hole = vec![
            (w + 600.0, s + 600.0),
            (w + 600.0, s + 1400.0),
            (w + 1100.0, s + 900.0),
        ];
        let p = Projected {
            bbox: [w + 100.0, s + 100.0, w + 2900.0, s + 2600.0],
            area: ring_area(&ext).abs() - ring_area(&hole).abs(),
            rings: vec![
                (ext.clone(), ring_area(&ext).signum()),
                (hole.clone(), ring_area(&hole).signum()),
            ],
        };
        let mut acc = Vec::new();
        spread_polygon(&p, &grid, &mut Clip::default(), &mut acc);
        let ls = |r: &Vec<(f64, f64)>| {
            let mut c: Vec<Coord<f64>> = r.iter().map(|&(x, y)| Coord { x, y }).collect();
            c.push(c[0]);
            LineString(c)
        };
        let poly = Polygon::new(ls(&ext), vec![ls(&hole)]);
        let mut total = 0.0;
        let mut checked = 0;
        for i in 0..grid.len() {
            let [cw, cs, ce, cn] = grid.rect_m(i);
            let cell = Polygon::new(
                LineString(vec![
                    Coord { x: cw, y: cs },
                    Coord { x: ce, y: cs },
                    Coord { x: ce, y: cn },
                    Coord { x: cw, y: cn },
                    Coord { x: cw, y: cs },
                ]),
                vec![],
            );
            let want = poly.intersection(&cell).unsigned_area();
            let got = acc.iter().find(|(k, _)| *k == i).map_or(0.0, |x| x.1);
            // geo's overlay snaps to a fixed-precision grid: agreement to 1e-7 relative.
            assert!(
                (got - want).abs() < 1e-7 * want.max(1.0),
                "cell {i}: {got} vs {want}"
            );
            total += got;
            checked += (want > 0.0) as usize;
        }
        assert!(checked > 10);
        assert!((total - p.area).abs() < 1e-3 * p.area);
    }

    /// A projected polygon from rings in metres.
    fn poly(rings: &[&[(f64, f64)]]) -> Projected {
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for r in rings {
            for &(x, y) in r.iter() {
                bbox = [
                    bbox[0].min(x),
                    bbox[1].min(y),
                    bbox[2].max(x),
                    bbox[3].max(y),
                ];
            }
        }
        Projected {
            rings: rings
                .iter()
                .map(|r| (r.to_vec(), ring_area(r).signum()))
                .collect(),
            bbox,
            area: 0.0,
        }
    }

    #[test]
    fn invalid_polygons_are_found_and_valid_ones_pass() {
        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
        let sq = |x: f64, y: f64, s: f64| vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s)];
        let check = |p: &[Projected]| check_polygons(p, &grid);
        // Valid: a square; a square with a hole; a hole touching the exterior at a vertex; an
        // island in the lake of another part.
        let big = sq(0.0, 0.0, 100.0);
        let hole = vec![(20.0, 20.0), (20.0, 80.0), (80.0, 80.0), (80.0, 20.0)];
        assert!(check(&[poly(&[&big])]).is_ok());
        assert!(check(&[poly(&[&big, &hole])]).is_ok());
        let touching = vec![(0.0, 0.0), (10.0, 30.0), (30.0, 10.0)];
        assert!(check(&[poly(&[&big, &touching])]).is_ok());
        let island = sq(40.0, 40.0, 10.0);
        assert!(check(&[poly(&[&big, &hole]), poly(&[&island])]).is_ok());
        // Invalid.
        let bowtie = vec![(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)];
        assert!(check(&[poly(&[&bowtie])])
            .unwrap_err()
            .contains("the exterior crosses itself"));
        let outside = sq(200.0, 200.0, 10.0);
        assert!(check(&[poly(&[&big, &outside])])
            .unwrap_err()
            .contains("hole 1 lies outside its exterior"));
        let crossing_hole = sq(90.0, 90.0, 20.0);
        assert!(check(&[poly(&[&big, &crossing_hole])])
            .unwrap_err()
            .contains("the exterior and hole 1 cross"));
        let inner = sq(10.0, 10.0, 5.0);
        assert!(check(&[poly(&[&big]), poly(&[&inner])])
            .unwrap_err()
            .contains("parts 1 and 2 overlap"));
        assert!(check(&[poly(&[&inner]), poly(&[&big])])
            .unwrap_err()
            .contains("parts 1 and 2 overlap"));
        let shifted = sq(50.0, 50.0, 100.0);
        assert!(check(&[poly(&[&big]), poly(&[&shifted])])
            .unwrap_err()
            .contains("exterior of part 1 and the exterior of part 2 cross"));
        let along = vec![
            (0.0, 0.0),
            (100.0, 0.0),
            (100.0, 10.0),
            (80.0, 10.0),
            (80.0, 0.0),
            (40.0, 0.0),
            (40.0, -10.0),
            (0.0, -10.0),
        ];
        assert!(
            check(&[poly(&[&along])])
                .unwrap_err()
                .contains("crosses itself"),
            "an edge running back along another"
        );
        // Crossing at a vertex passes the check as a touch; spreading finds a negative area.
        let [w, s, _, _] = grid.extent_m();
        let at = |x: f64, y: f64| (w + x, s + y);
        let vertex_cross = vec![
            at(0.0, 0.0),
            at(2000.0, 2000.0),
            at(2000.0, 0.0),
            at(1000.0, 1000.0),
            at(0.0, 2000.0),
        ];
        let p = poly(&[&vertex_cross]);
        assert!(check(&[poly(&[&vertex_cross])]).is_ok());
        let mut acc = Vec::new();
        spread_polygon(&p, &grid, &mut Clip::default(), &mut acc);
        assert!(acc.iter().any(|x| x.1 < -1.0), "{acc:?}");
        // A large valid outline passes (and fast: edges are bucketed).
        let circle: Vec<(f64, f64)> = (0..20_000)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / 20_000.0;
                (10_000.0 * a.cos(), 10_000.0 * a.sin())
            })
            .collect();
        assert!(check(&[poly(&[&circle])]).is_ok());
    }

    proptest::proptest! {
        /// On random small rings, the check agrees with `geo`'s validation (which also
        /// rejects self-touching rings, a case random coordinates never produce).
        #[test]
        fn the_validity_check_agrees_with_geo(pts in proptest::collection::vec((0.0..100.0f64, 0.0..100.0f64), 3..9)) {
            use geo::Validation;
            let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
            let mut c: Vec<geo::Coord<f64>> = pts.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
            c.push(c[0]);
            let g = geo::Polygon::new(geo::LineString(c), vec![]);
            let mine = check_polygons(&[poly(&[&pts])], &grid).is_ok();
            proptest::prop_assert_eq!(mine, g.is_valid());
        }
    }

    #[test]
    fn every_bad_feature_is_named() {
        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
        let ok = square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1}"#);
        let text = collection(&[
            ok.clone(),
            r#"{"type":"Feature","id":"pt","properties":{"jobs":1},"geometry":{"type":"Point","coordinates":[113,23]}}"#.into(),
            ok.replace(r#""jobs":1"#, r#""jobs":"12""#),
            ok.replace(r#""jobs":1"#, r#""jobs":-2"#),
            ok.replace(r#""jobs":1"#, r#""people":2"#),
            r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.01,23],[113.01,23.01],[113,23.01]]]}}"#.into(),
            r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.01,23.01],[113.01,23],[113,23.01],[113,23]]]}}"#.into(),
            r#"{"type":"Feature","properties":{"jobs":1},"geometry":null}"#.into(),
            r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[313,23],[113.01,23],[113.01,23.01],[313,23]]]}}"#.into(),
            r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.02,23.02],[113.02,23],[113.01,23.01],[113,23.02],[113,23]]]}}"#.into(),
        ]);
        let (_d, p) = write("z.geojson", &text);
        let e = errors(load_opportunity_geojson(
            &p,
            &grid,
            Some(&["jobs".to_string()]),
        ));
        let has = |f: &str, what: &str| {
            e.iter()
                .any(|m| m.contains(&format!("{f}:")) && m.contains(what))
        };
        assert!(has("feature 2 (id pt)", "a Point geometry"), "{e:#?}");
        assert!(has("feature 3", "the string \"12\""), "{e:#?}");
        assert!(has("feature 4", "jobs -2 is negative"), "{e:#?}");
        assert!(!e.iter().any(|m| m.contains("feature 5")), "{e:#?}");
        assert!(
            has("feature 6", "not closed") && has("feature 6", "RFC 7946"),
            "{e:#?}"
        );
        assert!(
            has("feature 7", "the exterior crosses itself near (113."),
            "{e:#?}"
        );
        assert!(has("feature 8", "no geometry"), "{e:#?}");
        assert!(has("feature 9", "longitude 313 is outside"), "{e:#?}");
        assert!(has("feature 10", "the geometry is not valid"), "{e:#?}");
        assert!(!e.iter().any(|m| m.contains("feature 1:")), "{e:#?}");
        for (text, want) in [
            ("", "the file is empty"),
            ("{\"type\":", "not valid JSON"),
            (
                r#"{"type":"Polygon","coordinates":[]}"#,
                "a Polygon, not a FeatureCollection",
            ),
            (
                r#"{"type":"FeatureCollection","features":[]}"#,
                "has no features",
            ),
        ] {
            let (_d, p) = write("z.geojson", text);
            let e = errors(load_opportunity_geojson(&p, &grid, None));
            assert!(e.iter().any(|m| m.contains(want)), "{text:?}: {e:#?}");
        }
        let (_d, p) = write("z.geojson", "{}");
        let e = errors(load_opportunities(&p, None, None));
        assert!(e[0].contains("no grid was given"), "{e:#?}");
    }
}
