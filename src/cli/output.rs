//! Rendering results as tables, CSV and JSON, and writing files atomically.

use serde::Serialize;

use crate::analysis::{Route, TimeMatrix};
use crate::network::model::Network;

/// Output formats of tabular results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for the terminal
    Table,
    /// Comma-separated values
    Csv,
    /// JSON, for programs
    Json,
}

/// Minutes rounded for display.
pub fn fmt_min(m: Option<f64>) -> String {
    match m {
        Some(x) => format!("{:.0}", x),
        None => "-".into(),
    }
}

/// Display width of a string in a terminal (CJK characters are two columns).
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c, '✓' | '✗' | '→' | '—' | '–' | '·') {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `s` padded with spaces on the right to `w` terminal columns.
pub fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// `s` padded with spaces on the left to `w` terminal columns.
pub fn lpad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(w - n))
    }
}

/// A name without its parenthesised detail ("Guangzhou Yuexiu (People's Park)" → "Guangzhou
/// Yuexiu"), for table labels; the full names are in the JSON output.
pub fn short(name: &str) -> &str {
    name.split(['(', '（']).next().unwrap_or(name).trim_end()
}

/// A matrix with verdicts as a table: rows numbered, columns by number, each cell the minutes
/// and ✓ (within `limit_min`) or ✗.
pub fn matrix_table(net: &Network, m: &TimeMatrix, limit_min: f64) -> String {
    matrix_table_share(net, m, limit_min, None)
}

/// [`matrix_table`] with, in the timetable modes, each cell's share of departures within the
/// limit: `64 (80%)✓`.
pub fn matrix_table_share(
    net: &Network,
    m: &TimeMatrix,
    limit_min: f64,
    share: Option<&[Vec<f64>]>,
) -> String {
    let cw = if share.is_some() { 11 } else { 6 };
    let mut out = String::new();
    let label = |p: crate::network::ids::PlaceIdx| {
        let pl = net.place(p);
        format!("{} {}", short(&pl.name), short(&pl.name_zh))
    };
    let lw = m.rows.iter().map(|&r| width(&label(r))).max().unwrap_or(4) + 5;
    out.push_str(&pad("", lw));
    for j in 0..m.cols.len() {
        out.push_str(&lpad(&format!("[{}]", j + 1), cw));
    }
    out.push('\n');
    for (i, &r) in m.rows.iter().enumerate() {
        let idx = m
            .cols
            .iter()
            .position(|&c| c == r)
            .map(|j| format!("[{}]", j + 1))
            .unwrap_or_default();
        out.push_str(&pad(&format!("{:>4} {}", idx, label(r)), lw));
        for j in 0..m.cols.len() {
            let pct = share
                .map(|sh| format!(" ({:.0}%)", sh[i][j] * 100.0))
                .unwrap_or_default();
            let cell = if m.cols[j] == r {
                "·".to_string()
            } else {
                match m.minutes(i, j) {
                    Some(x) if x <= limit_min => format!("{:.0}{pct}✓", x),
                    Some(x) => format!("{:.0}{pct}✗", x),
                    None => format!("—{pct}✗"),
                }
            };
            out.push_str(&lpad(&cell, cw));
        }
        out.push('\n');
    }
    if m.cols != m.rows {
        out.push_str("columns: ");
        let cols: Vec<String> = m
            .cols
            .iter()
            .enumerate()
            .map(|(j, &c)| format!("[{}] {}", j + 1, label(c)))
            .collect();
        out.push_str(&cols.join(", "));
        out.push('\n');
    }
    out
}

/// A matrix as CSV: one `from,to,minutes,within_limit` row per pair, place ids, minutes to 0.1 (empty if unreachable).
pub fn matrix_csv(net: &Network, m: &TimeMatrix, limit_min: f64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["from", "to", "minutes", "within_limit"]);
    for (i, &r) in m.rows.iter().enumerate() {
        for (j, &c) in m.cols.iter().enumerate() {
            let mins = m.minutes(i, j);
            let _ = w.write_record([
                net.place(r).id.as_str(),
                net.place(c).id.as_str(),
                &mins.map(|x| format!("{x:.1}")).unwrap_or_default(),
                &mins.is_some_and(|x| x <= limit_min).to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A place in JSON output.
#[derive(Serialize)]
pub struct JsonPlace {
    /// Place id.
    pub id: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// WGS84 longitude, degrees, rounded to 6 decimals.
    pub lon: f64,
    /// WGS84 latitude, degrees, rounded to 6 decimals.
    pub lat: f64,
}

/// A travel-time matrix in JSON output.
#[derive(Serialize)]
pub struct JsonMatrix {
    /// Name of the network.
    pub network: String,
    /// Name of the scenario applied (`today` for none).
    pub scenario: String,
    /// Travel profile (`transit` or `car`).
    pub profile: String,
    /// `door` (door to door) or `station` (rail between the centres' main stations).
    pub indicator: String,
    /// The day the network is taken as of.
    pub date: Option<String>,
    /// The `--year` given, if any.
    pub year: Option<i32>,
    /// The target, minutes.
    pub limit_minutes: f64,
    /// Origins (the rows), and the columns too when the matrix is square.
    pub places: Vec<JsonPlace>,
    /// Rows are origins, columns destinations; only a square matrix when rows == cols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_places: Option<Vec<JsonPlace>>,
    /// Minutes from each row place to each column place, to 0.1; `null` if unreachable.
    pub minutes: Vec<Vec<Option<f64>>>,
    /// Whether each cell is within `limit_minutes`.
    pub within_limit: Vec<Vec<bool>>,
    /// Station indicator: the main stations of the fastest trip of each cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<crate::analysis::StationPairs>,
}

/// What a matrix is, for its JSON header.
pub struct MatrixMeta<'a> {
    /// Name of the scenario applied.
    pub scenario: &'a str,
    /// Travel profile (`transit` or `car`).
    pub profile: &'a str,
    /// Indicator (`door` or `station`).
    pub indicator: &'a str,
    /// The day the network is taken as of, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The `--year` given, if any.
    pub year: Option<i32>,
    /// The target, minutes.
    pub limit_min: f64,
    /// Station indicator: the main stations of the fastest trip of each cell.
    pub via: Option<&'a [crate::analysis::StationPairsRow]>,
}

/// Place `p` for JSON output, coordinates rounded to 6 decimals (about 0.1 m).
pub fn json_place(net: &Network, p: crate::network::ids::PlaceIdx) -> JsonPlace {
    let pl = net.place(p);
    JsonPlace {
        id: pl.id.clone(),
        name: pl.name.clone(),
        name_zh: pl.name_zh.clone(),
        lon: round6(pl.lon),
        lat: round6(pl.lat),
    }
}

/// `x` rounded to 6 decimals.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `x` rounded to 1 decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A matrix as pretty-printed JSON ([`JsonMatrix`]), with a trailing newline.
pub fn matrix_json(net: &Network, m: &TimeMatrix, meta: &MatrixMeta<'_>) -> String {
    let limit_min = meta.limit_min;
    let j = JsonMatrix {
        network: net.name.clone(),
        scenario: meta.scenario.to_string(),
        profile: meta.profile.to_string(),
        indicator: meta.indicator.to_string(),
        date: meta.date.clone(),
        year: meta.year,
        limit_minutes: limit_min,
        via: meta.via.map(|v| v.to_vec()),
        places: m.rows.iter().map(|&p| json_place(net, p)).collect(),
        to_places: (m.rows != m.cols).then(|| m.cols.iter().map(|&p| json_place(net, p)).collect()),
        minutes: (0..m.rows.len())
            .map(|i| {
                (0..m.cols.len())
                    .map(|k| m.minutes(i, k).map(round1))
                    .collect()
            })
            .collect(),
        within_limit: (0..m.rows.len())
            .map(|i| {
                (0..m.cols.len())
                    .map(|k| m.minutes(i, k).is_some_and(|x| x <= limit_min))
                    .collect()
            })
            .collect(),
    };
    serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
}

/// A route as text: one line per leg (minutes, kind, from → to, service), then the total minutes.
pub fn route_table(r: &Route) -> String {
    let mut out = String::new();
    for l in &r.legs {
        let what = match (&l.service, l.kind) {
            (Some(s), _) => s.clone(),
            (None, _) => String::new(),
        };
        let kind = serde_json::to_value(l.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>6.1} min  {:<8} {} → {}{}\n",
            l.minutes,
            kind,
            l.from,
            l.to,
            if what.is_empty() {
                String::new()
            } else {
                format!("  [{what}]")
            }
        ));
    }
    out.push_str(&format!("{:>6.1} min  total\n", r.total_minutes));
    out
}
