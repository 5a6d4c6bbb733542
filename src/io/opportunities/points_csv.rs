//! CSV of points: `id,lon,lat` and value columns, checked header first, then record by
//! record.

use std::collections::HashMap;
use std::path::Path;

use super::sink::{check_lonlat, number, read_text, repeated, Lines, Sink};

/// A CSV of points read: its records and the names of the wanted value columns.
pub(super) struct CsvPoints {
    pub(super) rows: Vec<CsvRow>,
    pub(super) value_names: Vec<String>,
}

/// One record of a points CSV.
pub(super) struct CsvRow {
    pub(super) id: String,
    pub(super) lonlat: (f64, f64),
    pub(super) values: Vec<f64>,
}

/// Which value columns a points CSV must have.
pub(super) enum Values<'a> {
    /// None: other columns are ignored.
    Ignore,
    /// Every column after id, lon, lat (at least one).
    All,
    /// These columns (others are ignored).
    Named(&'a [String]),
}

impl Values<'_> {
    /// The header line the file should have, for fixes.
    pub(super) fn header_hint(&self) -> String {
        match self {
            Values::Ignore => "id,lon,lat".to_string(),
            Values::All => "id,lon,lat,<opportunity columns, e.g. population,jobs>".to_string(),
            Values::Named(n) => format!("id,lon,lat,{}", n.join(",")),
        }
    }

    /// Whether the column `n` is read: id, lon, lat and the value columns (other columns may
    /// be anything).
    pub(super) fn reads(&self, n: &str) -> bool {
        match self {
            Values::Ignore => ["id", "lon", "lat"].contains(&n),
            Values::All => true,
            Values::Named(w) => ["id", "lon", "lat"].contains(&n) || w.iter().any(|x| x == n),
        }
    }
}

/// The positions of the columns of a points CSV, from its header.
pub(super) struct CsvColumns {
    pub(super) id: usize,
    pub(super) lon: usize,
    pub(super) lat: usize,
    /// The value columns, in the order wanted.
    pub(super) values: Vec<usize>,
    pub(super) value_names: Vec<String>,
}

/// Checks the header `names` of a points CSV for the `values` wanted: the columns' positions,
/// or every problem found (joined into one error by the caller).
pub(super) fn csv_columns(names: &[&str], values: &Values) -> Result<CsvColumns, Vec<String>> {
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
pub(super) fn csv_row(
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
pub(super) fn read_points_csv(path: &Path, values: Values, sink: &mut Sink) -> Option<CsvPoints> {
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
